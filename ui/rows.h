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

struct row;

struct rows_style {
	bool utf8; /* UTF-8 tree glyphs and names; else ASCII glyphs, every high byte escaped */
	long hz;   /* clock ticks a second, for TIME+ */
	unsigned long long uptime_ticks; /* the moment of the rows, in ticks since boot (ELAPSED) */
};

/* The columns that may be left out, for a screen too narrow for the names
 * with them (PID, S, DAEMON and EXIT are always shown; the tree shows each
 * parent), and those shown only when asked for (--columns, the C key). */
enum rows_column {
	ROWS_COL_PPID = 1 << 0,
	ROWS_COL_CPU = 1 << 1,  /* CPU%: the share of a core since the previous refresh */
	ROWS_COL_TIME = 1 << 2, /* TIME+: CPU time used, as top shows it */
	ROWS_COL_PGID = 1 << 3, /* its process group */
	ROWS_COL_SID = 1 << 4,  /* its session */
	ROWS_COL_TTY = 1 << 5,  /* its controlling terminal, "?" for none (as ps) */
	ROWS_COL_ELAPSED = 1 << 6, /* the time since it started, as ps's etime */
	ROWS_COL_NSPID = 1 << 7, /* its PID in its own PID namespace, where that differs (a lab
				    in its own namespace shows it by itself) */
};
#define ROWS_COLS_ALL (ROWS_COL_PPID | ROWS_COL_CPU | ROWS_COL_TIME)
#define ROWS_COLS_EXTRA (ROWS_COL_PGID | ROWS_COL_SID | ROWS_COL_TTY | ROWS_COL_ELAPSED)
/* The column header both faces print above the rows, with every column
 * shown by default: batch text shows them all. */
#define ROWS_HEADER "    PID    PPID S DAEMON EXIT  CPU%     TIME+ NAME"
/* The header of a set of columns, and where NAME starts under it. */
void rows_header(unsigned columns, char *buf, size_t len);
int rows_columns_width(unsigned columns);
/* A list such as "sid,tty,pgid,elapsed" (any of ppid, pgid, sid, tty,
 * cpu, time, elapsed) to its columns; false, with the word at fault in
 * err, for anything else. */
bool rows_columns_by_names(const char *list, unsigned *out, char *err, size_t errlen);
/* A terminal's device number as ps names it: "pts/3", "tty1", "?" for none. */
void rows_format_tty(int tty_nr, char *buf, size_t len);
/* Seconds as ps's etime: [[DD-]hh:]mm:ss. */
void rows_format_elapsed(long long seconds, char *buf, size_t len);
/* How long the process (or thread) of r has run, in seconds, at the
 * style's moment; -1 when not known (an ended or ghost row). */
long long rows_elapsed(const struct row *r, const struct rows_style *style);

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
	const char *helper_role; /* a program's helper (member_helper_role), else NULL */
	pid_t nspid;      /* its PID in the lab's own namespace (1: its PID 1); 0 outside one */
	bool orphan;      /* a lab process whose creator is no longer its parent */
	bool tombstone;   /* an ended lab process, still shown for a moment */
	bool flash;       /* changed a moment ago (new, re-parented, ended) */
	/* threads, when shown: a thread's line has its task (pid is its TID,
	 * proc its process's), a process's line the range of its threads' */
	const struct scan_task *task;
	size_t first_thread, nthreads;
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
/* A member's DAEMON: Python's flag, unknown for helpers (a Unix daemon, the
 * resource tracker, a fork server) that have none. */
enum row_daemon rows_member_daemon(const struct member *m);
/* The columns before the name, as both faces show them under ROWS_HEADER:
 * "    PID    PPID S DAEMON EXIT  CPU%     TIME+ " (a trailing space). A
 * thread's line has its TID, state, daemon flag when known, CPU% and
 * TIME+, and blanks for PPID and EXIT. */
void rows_columns(const struct row *r, const struct rows_style *style, char *buf, size_t len);
/* The same with only some of the columns (rows_header's). */
void rows_columns_of(const struct row *r, const struct rows_style *style, unsigned columns,
		     char *buf, size_t len);
/* A thread's line of the process row proc_row: its task, its daemon flag. */
void rows_set_thread(struct row *r, const struct row *proc_row, const struct scan_task *task,
		     enum row_daemon daemon);

/* The glyph prefix of node (ancestors' bars, then its own branch). */
void rows_prefix(const struct tree *tree, int node, const struct rows_style *style,
		 char *buf, size_t len);

/* The text of a row as it is shown: its name is label when not NULL (a lab
 * process's full name), else its comm. A thread's name is in braces, as
 * pstree shows it ("{MainThread}"), under its process and above its
 * process's children. */
void rows_text(const struct tree *tree, const struct row *r, const struct rows_style *style,
	       const char *label, struct row_text *out);

/* Counts for a header: the lab's (or the program's) processes running,
 * zombies and orphans among rows (ended ones left out). */
void rows_member_counts(const struct row *rows, size_t n, int *running, int *zombies, int *orphans);

/* One row per tree node, in preorder. procs[i] is the process the tree got as
 * item i. Returns the number of rows written (at most cap). */
size_t rows_build(struct row *rows, size_t cap, const struct tree *tree,
		  const struct scan_proc *const *procs, const struct rows_style *style);

#endif
