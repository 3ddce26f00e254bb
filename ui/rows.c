/* rows: display rows for the faces. Glyphs follow pstree/htop: a bar for an
 * ancestor that has later siblings, a tee or an elbow for the node itself. */
#include "rows.h"

#include <stdio.h>
#include <string.h>

#include "../src/text.h"
#include "../src/track.h"

struct glyphs {
	const char *bar, *gap, *tee, *elbow, *deeper;
};

static const struct glyphs utf8_glyphs = { "\u2502 ", "  ", "\u251c\u2500", "\u2514\u2500", "\u2026" };
static const struct glyphs ascii_glyphs = { "| ", "  ", "|-", "`-", "+" };

void rows_prefix(const struct tree *tree, int node, const struct rows_style *style,
		 char *buf, size_t len)
{
	const struct glyphs *g = style->utf8 ? &utf8_glyphs : &ascii_glyphs;
	const char *parts[ROWS_INDENT_MAX + 1];
	int depth = tree->nodes[node].depth, shown = 0, cur = node;
	size_t used = 0;

	buf[0] = '\0';
	if (depth == 0)
		return;
	parts[shown++] = tree_is_last_child(tree, cur) ? g->elbow : g->tee;
	cur = tree->nodes[cur].parent;
	while (shown < ROWS_INDENT_MAX && tree->nodes[cur].depth > 0) {
		parts[shown++] = tree_is_last_child(tree, cur) ? g->gap : g->bar;
		cur = tree->nodes[cur].parent;
	}
	if (tree->nodes[cur].depth > 0)
		used += (size_t)snprintf(buf, len, "%s", g->deeper);
	while (shown > 0 && used < len)
		used += (size_t)snprintf(buf + used, len - used, "%s", parts[--shown]);
}

static void format_exit(char *buf, size_t len, int wait_status)
{
	int code;

	if (track_exitcode(wait_status, &code))
		snprintf(buf, len, "%d", code);
	else
		snprintf(buf, len, "-");
}

size_t rows_build(struct row *rows, size_t cap, const struct tree *tree,
		  const struct scan_proc *const *procs, const struct rows_style *style)
{
	unsigned flags = style->utf8 ? TEXT_UTF8 : 0;
	size_t n = tree->count < cap ? tree->count : cap;

	for (size_t i = 0; i < n; i++) {
		const struct scan_proc *p = procs[tree->nodes[i].item];
		struct row *r = &rows[i];

		r->proc = p;
		r->pid = p->pid;
		r->ppid = p->ppid;
		r->state = p->state;
		snprintf(r->daemon, sizeof r->daemon, "-");
		r->note[0] = '\0';
		r->role = NULL;
		r->lab = r->orphan = r->tombstone = r->flash = false;
		format_exit(r->exit, sizeof r->exit, p->exit_status);
		rows_prefix(tree, (int)i, style, r->prefix, sizeof r->prefix);
		text_escape(r->name, sizeof r->name, p->comm, strlen(p->comm), flags);
	}
	return n;
}
