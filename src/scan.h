/* scan: one snapshot of processes through libproc2.
 * Owns reading /proc; never formats for a screen and never signals anything.
 * Every string it returns is raw, hostile bytes: escape before showing. */
#ifndef FORKTOP_SCAN_H
#define FORKTOP_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "cpu.h"

#define SCAN_COMM_MAX 64
#define SCAN_CMDLINE_MAX 4096
#define SCAN_NO_STATUS (-1)
#define SCAN_NO_CMDLINE ((size_t)-1)

enum scan_flags {
	SCAN_CMDLINE = 1 << 0, /* also read each full command line (one more open per process) */
};

struct scan_proc {
	pid_t pid, ppid, pgid, sid;
	int tty_nr;
	int threads;
	char state;                    /* R S D Z T t X I ... */
	unsigned long long start_time; /* clock ticks since boot: (pid, start_time) is an identity */
	int exit_status;               /* zombies: the wait status (stat field 52), else SCAN_NO_STATUS */
	unsigned long long ticks;      /* CPU time used, user and system, in clock ticks */
	long long read_ns;             /* CLOCK_MONOTONIC when this record was read */
	int cpu;                       /* share of a core since its previous reading: tenths
					  of a percent, CPU_UNKNOWN at the first */
	size_t cmdline_off;            /* into scan_snapshot.strings, or SCAN_NO_CMDLINE */
	char comm[SCAN_COMM_MAX];
};

struct scan_counts {
	int total, running, sleeping, stopped, zombie, other;
};

struct scan_snapshot {
	struct scan_proc *procs;
	size_t count, cap;
	char *strings; /* NUL-terminated command lines, back to back */
	size_t strings_len, strings_cap;
	struct scan_counts counts;
	struct timespec taken; /* CLOCK_REALTIME */
};

struct scan;

/* Opens a scanner. Returns 0, or a negative errno with a reason in err
 * (-ENOENT when /proc is not mounted). */
int scan_open(struct scan **out, unsigned flags, char *err, size_t errlen);
void scan_close(struct scan *scan);

/* Every process on the machine. Returns 0 or a negative errno. */
int scan_all(struct scan *scan, struct scan_snapshot *snap);
/* Only the given PIDs (those that still exist). Returns 0 or a negative errno. */
int scan_select(struct scan *scan, const pid_t *pids, size_t npids,
		struct scan_snapshot *snap);

/* Refreshes snap (the previous snapshot of every process) at a fraction of a
 * full scan's cost: /proc is listed, and only these are read again: new
 * processes, the PIDs in want (what is on screen), the children of
 * processes that left (they were just re-parented), and every rotation-th
 * of the rest in turn, so each process is read at least once every
 * `rotation` calls. A recycled PID is found when its turn comes (its start
 * time changes). The processes read again are read straight from
 * /proc/PID/stat (libproc2's select reads more per process than a reap).
 * Without SCAN_CMDLINE only. Returns 0 or a negative errno. */
int scan_partial(struct scan *scan, struct scan_snapshot *snap, const pid_t *want,
		 size_t nwant, unsigned rotation);

/* Refreshes snap (the previous snapshot of every process) from what another
 * source (the kernel's process events) said changed, without listing /proc:
 * the PIDs in reread (new, ended, exec'd, re-parented, on screen) are read
 * again, added when new and dropped when gone; zombies are read again until
 * they are gone (a reap has no event); every other process keeps its
 * record. Without SCAN_CMDLINE only. Returns 0 or a negative errno. */
int scan_known(struct scan *scan, struct scan_snapshot *snap, const pid_t *reread, size_t n);

void scan_snapshot_free(struct scan_snapshot *snap);

/* One thread of a process (a task of /proc/PID/task). */
struct scan_task {
	pid_t tid; /* the main thread's is the PID */
	char state;
	unsigned long long start_time, ticks;
	int cpu;   /* as scan_proc's */
	char comm[SCAN_COMM_MAX]; /* raw: escape before showing */
};

/* The threads of the process (pid, start_time), by TID, appended to
 * (*tasks)[*n...] (grown as needed); each one's share of a core is
 * computed against the previous round of thread readings. Returns how
 * many were added (0 when the process is gone or was recycled), or a
 * negative errno. */
long scan_tasks(struct scan *scan, pid_t pid, unsigned long long start_time,
		struct scan_task **tasks, size_t *n, size_t *cap);
/* Ends a round of scan_tasks calls (one refresh): the next round's shares
 * are measured from these readings. */
void scan_tasks_done(struct scan *scan);
/* Clock ticks a second, for TIME+. */
long scan_hz(const struct scan *scan);
const char *scan_cmdline(const struct scan_snapshot *snap, const struct scan_proc *p);

/* Reads the wait status of a zombie from /proc/PID/stat (field 52), checking
 * that the process there still has the given start time.
 * Returns the status, or SCAN_NO_STATUS when it cannot tell. */
int scan_zombie_status(pid_t pid, unsigned long long start_time);

/* Parses one /proc/PID/stat line: comm between the first '(' and the last
 * ')', then the numeric fields. Returns false on a malformed line. */
struct scan_stat_line {
	pid_t pid, ppid, pgid, sid;
	int tty_nr, threads;
	char state;
	char comm[SCAN_COMM_MAX];
	unsigned long long start_time;
	unsigned long long ticks; /* utime + stime (fields 14 and 15) */
	int exit_status; /* field 52, SCAN_NO_STATUS when absent */
};
bool scan_parse_stat(const char *line, size_t len, struct scan_stat_line *out);
/* Reads and parses /proc/PID/stat. False when the process is gone (or the
 * line is malformed). */
bool scan_read_stat(pid_t pid, struct scan_stat_line *out);
/* The order of two pid_t values, for qsort and bsearch. */
int scan_pid_order(const void *a, const void *b);
/* The process with this PID in snap, or NULL. */
const struct scan_proc *scan_find(const struct scan_snapshot *snap, pid_t pid);
/* The command line of the process (pid, start_time), arguments joined by
 * spaces, raw bytes (at most cap - 1). -1 when that process is gone. */
ssize_t scan_read_cmdline(pid_t pid, unsigned long long start_time, char *buf, size_t cap);

#endif
