/* frame: one moment of what a face shows, as values that stand on their
 * own: the counts, and each row's process (as the scan read it) with what
 * the monitor knew of it then (daemon flag, exit code, names, note). A
 * live session makes frames from its rows; a recording gives them back;
 * every face draws them the same way. Strings are raw bytes, escaped by
 * whoever shows them. It never reads /proc and never formats a line. */
#ifndef FORKTOP_FRAME_H
#define FORKTOP_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "scan.h"

#define FRAME_WORD_MAX 32 /* a view's, an event source's, a start method's name */

/* Python's daemon flag, where somebody knows it. */
enum frame_daemon { FRAME_DAEMON_UNKNOWN, FRAME_DAEMON_NO, FRAME_DAEMON_YES };

struct frame_task {
	struct scan_task task;   /* tid, state, cpu share, ticks, comm */
	enum frame_daemon daemon;
	char *label;             /* the lab's name for the thread, or NULL: its comm */
};

struct frame_proc {
	struct scan_proc proc;   /* as read (cmdline_off unused: cmdline below) */
	enum frame_daemon daemon;
	bool exit_known;         /* Python's exitcode */
	int exit_code;
	pid_t nspid;             /* its PID in the lab's own namespace, 0 outside one */
	bool lab;                /* a lab process (NDJSON gives it an nspid list) */
	bool tombstone;          /* ended, shown for a moment */
	bool orphan;             /* a lab or program member whose creator is not its parent */
	bool caught_known;       /* caught holds SigCgt (a namespace's PID 1) */
	uint64_t caught;
	int depth;               /* in the tree, 0 for a root */
	long long lifetime_us;   /* from fork to exit as the kernel told them, or -1 */
	long long elapsed;       /* seconds since it started, or -1 */
	char *label;             /* the lab's (or the hook's) name, or NULL */
	char *target;            /* what a hooked Process's run() calls, or NULL */
	char *cmdline;           /* NULL: not read */
	char *role;              /* "monitor", "MainProcess"'s role name..., or NULL */
	char *note;              /* the sentence after its name, or NULL */
	bool tasks_known;        /* threads were read: tasks[0..ntasks) */
	struct frame_task *tasks;
	size_t ntasks, tasks_cap;
};

struct frame {
	long long number;        /* 1, 2, ...: the refresh it was */
	struct timespec taken;   /* CLOCK_REALTIME */
	unsigned long long uptime_ticks; /* the moment, in clock ticks since boot */
	long hz;                 /* clock ticks a second (TIME+, ELAPSED) */
	char view[FRAME_WORD_MAX];
	char events[FRAME_WORD_MAX];     /* "kernel" or "polling" */
	char start_method[FRAME_WORD_MAX]; /* "" while unknown */
	bool subreaper;          /* orphans go to forktop */
	bool pid_namespace;      /* the lab runs in its own PID namespace */
	bool threads;            /* each process carries its tasks */
	unsigned columns;        /* the extra columns shown (rows.h's enum rows_column) */
	struct scan_counts counts;
	struct frame_proc *procs;
	size_t nprocs, procs_cap;
	bool borrowed;           /* the rows' strings and threads are another's: not freed */
};

/* A new row at the end (zeroed, lifetime and elapsed unknown), or NULL
 * without memory. */
struct frame_proc *frame_add_proc(struct frame *f);
/* A new thread of p, or NULL without memory. */
struct frame_task *frame_add_task(struct frame_proc *p);
/* A copy of len raw bytes (a NUL ends them early) into *dst, freeing what
 * was there; false without memory. s NULL: *dst becomes NULL. */
bool frame_set_string(char **dst, const char *s, size_t len);
/* Empties f for the next moment, keeping its arrays. */
void frame_clear(struct frame *f);
void frame_free(struct frame *f);

/* The bytes f holds, its strings and threads too (what a history counts). */
size_t frame_bytes(const struct frame *f);

/* A row's own: its strings and threads freed, and their bytes; and whether
 * two rows say the same (every value, string and thread but elapsed, which
 * the frame's uptime gives; a history keeps such rows once). */
void frame_proc_free(struct frame_proc *p);
size_t frame_proc_bytes(const struct frame_proc *p);
bool frame_proc_same(const struct frame_proc *a, const struct frame_proc *b);

#endif
