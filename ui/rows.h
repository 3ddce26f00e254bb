/* rows: turns a snapshot and its tree into display rows (compact: numbers
 * and flags), and a row into its text (tree glyphs, escaped name) when it is
 * shown: a screen shows 40 rows of 10,000, so text is made only for those.
 * Pure (no I/O, no curses), so it is unit-tested. It must never let a raw
 * byte of a process name through. */
#ifndef FORKTOP_ROWS_H
#define FORKTOP_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "../src/scan.h"
#include "../src/tree.h"

/* Deeper levels than this are drawn as one "…" marker, not one glyph each. */
#define ROWS_INDENT_MAX 32
#define ROWS_PREFIX_MAX (ROWS_INDENT_MAX * 4 * 3 + 8)
#define ROWS_LABEL_MAX 64 /* longest name shown, in bytes (a lab name fits) */

struct rows_style {
	bool utf8; /* UTF-8 tree glyphs and names; else ASCII glyphs, every high byte escaped */
};

struct row {
	pid_t pid, ppid;
	char state;
	const struct scan_proc *proc;
	int node;       /* its tree node */
	char daemon[4]; /* "yes", "no" or "-" */
	char exit[8];   /* Python exitcode or "-" */
	const char *role; /* "monitor", "main", "child", "grandchild" or NULL */
	bool lab;         /* a lab process */
	bool orphan;      /* a lab process whose creator is no longer its parent */
	bool tombstone;   /* an ended lab process, still shown for a moment */
	bool flash;       /* changed a moment ago (new, re-parented, ended) */
};

struct row_text {
	char prefix[ROWS_PREFIX_MAX];     /* tree glyphs */
	char name[4 * ROWS_LABEL_MAX + 1]; /* escaped comm or label */
};

/* The glyph prefix of node (ancestors' bars, then its own branch). */
void rows_prefix(const struct tree *tree, int node, const struct rows_style *style,
		 char *buf, size_t len);

/* The text of a row as it is shown: its name is label when not NULL (a lab
 * process's full name), else its comm. */
void rows_text(const struct tree *tree, const struct row *r, const struct rows_style *style,
	       const char *label, struct row_text *out);

/* One row per tree node, in preorder. procs[i] is the process the tree got as
 * item i. Returns the number of rows written (at most cap). */
size_t rows_build(struct row *rows, size_t cap, const struct tree *tree,
		  const struct scan_proc *const *procs, const struct rows_style *style);

#endif
