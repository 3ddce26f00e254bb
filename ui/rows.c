/* rows: display rows for the faces, their values and their text. Glyphs
 * follow pstree/htop: a bar for an ancestor that has later siblings, a tee
 * or an elbow for the node itself. Never reads /proc nor the lab's state:
 * it is handed what it formats. */
#include "rows.h"

#include <stdio.h>
#include <string.h>

#include "../src/text.h"
#include "../src/track.h"

struct glyph {
	const char *text;
	size_t len;
};

#define GLYPH(s) { s, sizeof(s) - 1 }

struct glyphs {
	struct glyph bar, gap, tee, elbow, deeper;
};

static const struct glyphs utf8_glyphs = { GLYPH("\u2502 "), GLYPH("  "), GLYPH("\u251c\u2500"),
					   GLYPH("\u2514\u2500"), GLYPH("\u2026") };
static const struct glyphs ascii_glyphs = { GLYPH("| "), GLYPH("  "), GLYPH("|-"), GLYPH("`-"),
					    GLYPH("+") };

/* Appends a glyph if it fits (keeping room for the NUL). */
static size_t put_glyph(char *buf, size_t len, size_t used, const struct glyph *g)
{
	if (used + g->len + 1 > len)
		return used;
	memcpy(buf + used, g->text, g->len);
	return used + g->len;
}

void rows_prefix(const struct tree *tree, int node, const struct rows_style *style,
		 char *buf, size_t len)
{
	const struct glyphs *g = style->utf8 ? &utf8_glyphs : &ascii_glyphs;
	const struct glyph *parts[ROWS_INDENT_MAX + 1];
	int shown = 0, cur = node;
	size_t used = 0;

	if (len == 0)
		return;
	if (tree->nodes[node].depth > 0) {
		parts[shown++] = tree_is_last_child(tree, cur) ? &g->elbow : &g->tee;
		cur = tree->nodes[cur].parent;
		while (shown < ROWS_INDENT_MAX && tree->nodes[cur].depth > 0) {
			parts[shown++] = tree_is_last_child(tree, cur) ? &g->gap : &g->bar;
			cur = tree->nodes[cur].parent;
		}
		if (tree->nodes[cur].depth > 0)
			used = put_glyph(buf, len, used, &g->deeper);
		while (shown > 0)
			used = put_glyph(buf, len, used, parts[--shown]);
	}
	buf[used] = '\0';
}

void rows_text(const struct tree *tree, const struct row *r, const struct rows_style *style,
	       const char *label, struct row_text *out)
{
	const char *name = label ? label : r->proc->comm;

	rows_prefix(tree, r->node, style, out->prefix, sizeof out->prefix);
	text_escape(out->name, sizeof out->name, name, strnlen(name, ROWS_LABEL_MAX),
		    style->utf8 ? TEXT_UTF8 : 0);
}

const char *rows_daemon_name(enum row_daemon daemon)
{
	return daemon == ROW_DAEMON_YES ? "yes" : daemon == ROW_DAEMON_NO ? "no" : "-";
}

const char *rows_role_name(const struct row *r)
{
	switch (r->role) {
	case ROW_ROLE_MONITOR: return "monitor";
	case ROW_ROLE_PROGRAM: return "program";
	case ROW_ROLE_DESCENDANT: return "descendant";
	case ROW_ROLE_LAB: return lab_role_name(r->lab_role);
	default: return NULL;
	}
}

/* The daemon rule: only a Python Process object has the flag. */
static enum row_daemon member_daemon(const struct member *m)
{
	if (m->unix_daemon || m->tracker || m->forkserver)
		return ROW_DAEMON_UNKNOWN;
	return m->daemon ? ROW_DAEMON_YES : ROW_DAEMON_NO;
}

void rows_set_member(struct row *r, const struct member *m)
{
	r->role = ROW_ROLE_LAB;
	r->lab_role = lab_member_role(m);
	r->daemon = member_daemon(m);
	if (m->exit_source != EXIT_SOURCE_UNKNOWN)
		r->exit_known = event_exitcode(m->exit_status, &r->exit_code);
}

void rows_columns_of(const struct row *r, bool ppid, char *buf, size_t len)
{
	char exit[16] = "-", parent[16] = "";

	if (r->exit_known)
		snprintf(exit, sizeof exit, "%d", r->exit_code);
	if (ppid)
		snprintf(parent, sizeof parent, "%7d ", r->ppid);
	snprintf(buf, len, "%7d %s%c %-6s %4s ", r->pid, parent, r->state,
		 rows_daemon_name(r->daemon), exit);
}

void rows_columns(const struct row *r, char *buf, size_t len)
{
	rows_columns_of(r, true, buf, len);
}

size_t rows_build(struct row *rows, size_t cap, const struct tree *tree,
		  const struct scan_proc *const *procs, const struct rows_style *style)
{
	size_t n = tree->count < cap ? tree->count : cap;

	(void)style; /* text is made when a row is shown: rows_text() */
	for (size_t i = 0; i < n; i++) {
		const struct scan_proc *p = procs[tree->nodes[i].item];
		struct row *r = &rows[i];

		r->proc = p;
		r->node = (int)i;
		r->pid = p->pid;
		r->ppid = p->ppid;
		r->state = p->state;
		r->daemon = ROW_DAEMON_UNKNOWN;
		r->role = ROW_ROLE_NONE;
		r->orphan = r->tombstone = r->flash = false;
		r->exit_known = event_exitcode(p->exit_status, &r->exit_code);
	}
	return n;
}
