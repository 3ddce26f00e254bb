/* rows: turns a snapshot and its tree into display rows: tree glyphs,
 * columns, escaped names. Pure (no I/O, no curses), so it is unit-tested.
 * It must never let a raw byte of a process name through. */
#ifndef FORKTOP_ROWS_H
#define FORKTOP_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "../src/scan.h"
#include "../src/tree.h"

/* Deeper levels than this are drawn as one "…" marker, not one glyph each. */
#define ROWS_INDENT_MAX 32
#define ROWS_NAME_MAX (ROWS_INDENT_MAX * 4 * 3 + 4 * SCAN_COMM_MAX + 16)

struct rows_style {
	bool utf8; /* UTF-8 tree glyphs and names; else ASCII glyphs, every high byte escaped */
};

struct row {
	pid_t pid, ppid;
	char state;
	const struct scan_proc *proc;
	char daemon[4]; /* "yes", "no" or "-" */
	char exit[8];   /* Python exitcode or "-" */
	char prefix[ROWS_INDENT_MAX * 4 * 3 + 8]; /* tree glyphs */
	char name[4 * SCAN_COMM_MAX + 1];         /* escaped comm */
	char note[96];    /* "orphan: was under ..." or "" */
	const char *role; /* "monitor", "main", "child", "grandchild" or NULL */
	bool lab;         /* a lab process */
	bool orphan;      /* a lab process whose creator is no longer its parent */
	bool tombstone;   /* an ended lab process, still shown for a moment */
	bool flash;       /* changed a moment ago (new, re-parented, ended) */
};

/* The glyph prefix of node (ancestors' bars, then its own branch). */
void rows_prefix(const struct tree *tree, int node, const struct rows_style *style,
		 char *buf, size_t len);

/* One row per tree node, in preorder. procs[i] is the process the tree got as
 * item i. Returns the number of rows written (at most cap). */
size_t rows_build(struct row *rows, size_t cap, const struct tree *tree,
		  const struct scan_proc *const *procs, const struct rows_style *style);

#endif
