/* rows: turns a snapshot and its tree into display rows (values: numbers,
 * enums and flags), and a row into its text (columns, tree glyphs, escaped
 * name) when it is shown: a screen shows 40 rows of 10,000, so text is made
 * only for those. Owns the one rule for what a lab member's DAEMON and EXIT
 * columns hold. Pure (no I/O, no curses), so it is unit-tested. It must never
 * let a raw byte of a process name through. */
#ifndef FORKTOP_ROWS_H
#define FORKTOP_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "../src/lab.h"
#include "../src/scan.h"
#include "../src/tree.h"

/* Deeper levels than this are drawn as one "…" marker, not one glyph each. */
#define ROWS_INDENT_MAX 32
#define ROWS_PREFIX_MAX (ROWS_INDENT_MAX * 4 * 3 + 8)
#define ROWS_LABEL_MAX 64 /* longest name shown, in bytes (a lab name fits) */

struct rows_style {
	bool utf8; /* UTF-8 tree glyphs and names; else ASCII glyphs, every high byte escaped */
};

/* The column header both faces print above the rows. */
#define ROWS_HEADER "    PID    PPID S DAEMON EXIT NAME"
/* The same without PPID, for a screen too narrow for the names with it
 * (the tree shows each parent). */
#define ROWS_HEADER_BRIEF "    PID S DAEMON EXIT NAME"
#define ROWS_COLUMNS_WIDTH 30 /* where NAME starts under ROWS_HEADER */
#define ROWS_PPID_WIDTH 8     /* what leaving PPID out saves */

/* Python's daemon flag; unknown for what is no Python Process object (a
 * resource tracker, a fork server, a Unix daemon, any other process). */
enum row_daemon { ROW_DAEMON_UNKNOWN, ROW_DAEMON_NO, ROW_DAEMON_YES };

enum row_role {
	ROW_ROLE_NONE,
	ROW_ROLE_MONITOR,    /* forktop itself */
	ROW_ROLE_PROGRAM,    /* the watched program (forktop -- CMD, --attach) */
	ROW_ROLE_DESCENDANT, /* one of its family */
	ROW_ROLE_LAB,        /* a lab process: lab_role says which */
};

struct row {
	pid_t pid, ppid;
	char state;
	const struct scan_proc *proc;
	int node;       /* its tree node */
	enum row_daemon daemon;
	bool exit_known; /* Python's exitcode is known: exit_code */
	int exit_code;
	enum row_role role;
	enum lab_role lab_role; /* when role is ROW_ROLE_LAB */
	bool orphan;      /* a lab process whose creator is no longer its parent */
	bool tombstone;   /* an ended lab process, still shown for a moment */
	bool flash;       /* changed a moment ago (new, re-parented, ended) */
};

struct row_text {
	char prefix[ROWS_PREFIX_MAX];     /* tree glyphs */
	char name[4 * ROWS_LABEL_MAX + 1]; /* escaped comm or label */
};

/* "yes", "no" or "-". */
const char *rows_daemon_name(enum row_daemon daemon);
/* "monitor", "program", "descendant", a lab role's name, or NULL. */
const char *rows_role_name(const struct row *r);
static inline bool rows_is_lab(const struct row *r)
{
	return r->role == ROW_ROLE_LAB;
}
/* What the lab knows of its member m and /proc does not: its role, its
 * daemon flag, its exit code once known. */
void rows_set_member(struct row *r, const struct member *m);
/* The columns before the name, as both faces show them under ROWS_HEADER:
 * "    PID    PPID S DAEMON EXIT " (a trailing space). */
void rows_columns(const struct row *r, char *buf, size_t len);
/* The same under ROWS_HEADER_BRIEF (no PPID) when ppid is false. */
void rows_columns_of(const struct row *r, bool ppid, char *buf, size_t len);

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
