/* rows: display rows for the faces. Glyphs follow pstree/htop: a bar for an
 * ancestor that has later siblings, a tee or an elbow for the node itself. */
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

static void format_exit(char *buf, size_t len, int wait_status)
{
	int code;

	if (event_exitcode(wait_status, &code))
		snprintf(buf, len, "%d", code);
	else
		memcpy(buf, "-", 2);
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
		memcpy(r->daemon, "-", 2);
		r->role = NULL;
		r->lab = r->orphan = r->tombstone = r->flash = false;
		format_exit(r->exit, sizeof r->exit, p->exit_status);
	}
	return n;
}
