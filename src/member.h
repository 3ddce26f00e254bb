/* member: the life of one watched process, the same for the lab and for a
 * program's family: its identity (pid and start time), its creator and the
 * process that forked it, its daemon flag, its parent now, and its exit code
 * with the one source it came from. Owns recording an exit once (and
 * logging it), and what a snapshot tells of a member. It never signals,
 * never draws, and reaps only the monitor's own children. */
#ifndef FORKTOP_MEMBER_H
#define FORKTOP_MEMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "event.h"
#include "scan.h"
#include "track.h"

#define MEMBER_NAME_MAX EVENT_NAME_MAX
#define MEMBER_PARENT_UNSEEN 0 /* forker of an orphan whose parent ended unseen */
#define MEMBER_CMDLINE_MAX 4096 /* the bytes of a command line kept: a longer one is cut */
#define MEMBER_THREADS_MAX 4096 /* threads told of one member: any more are not kept */

/* A thread of a member, as its reports told it (the lab's, or later the
 * Python hook's): Python's name and daemon flag. */
struct member_thread {
	pid_t tid;
	char name[MEMBER_NAME_MAX];
	bool daemon;
	bool ended;                    /* it finished, was cut off, or its process ended */
};

/* What a hooked Python process was started for, beyond its name. */
enum python_role {
	PYTHON_ROLE_NONE,
	PYTHON_ROLE_POOL_WORKER,     /* multiprocessing.Pool */
	PYTHON_ROLE_MANAGER,         /* a Manager's server */
	PYTHON_ROLE_EXECUTOR_WORKER, /* concurrent.futures.ProcessPoolExecutor */
};

struct member {
	pid_t pid;                     /* 0 until known (a Unix daemon tells it late) */
	unsigned long long start_time; /* from the first snapshot that showed it; 0 before */
	int pidfd;                     /* -1 while none is held */
	char name[MEMBER_NAME_MAX];    /* the lab's Python name, or a program's comm as last seen */
	pid_t creator;                 /* who started it (Python's parent_process()) */
	char creator_name[MEMBER_NAME_MAX];
	pid_t forker;                  /* the parent it was born under: its creator, its fork
					  server, or MEMBER_PARENT_UNSEEN */
	char forker_name[MEMBER_NAME_MAX];
	bool daemon;                   /* Python's daemon flag (lab members say it) */
	pid_t ppid, sid;               /* in the latest snapshot that showed it; 0 before */
	bool exited;                   /* its pidfd said it ended */
	bool gone;                     /* reaped and out of /proc: no longer watched */
	int exit_status;               /* a wait status, or SCAN_NO_STATUS */
	enum exit_source exit_source;
	/* the lab's own: its channel and what its reports told */
	int conn;                      /* channel; -1 once closed (and for a program's members) */
	bool conn_ended;               /* end of stream seen: closed at the end of the round */
	char group[MEMBER_NAME_MAX];   /* its scenario group; "" for main */
	bool unix_daemon;              /* a true Unix daemon, for contrast */
	bool tracker;                  /* multiprocessing's resource_tracker */
	bool forkserver;               /* a fork server (forkserver start method) */
	bool init;                     /* forktop's init, PID 1 of the lab's namespace */
	bool subreaper;                /* a child subreaper (PR_SET_CHILD_SUBREAPER) */
	pid_t nspid;                   /* its PID in the lab's own namespace; 0 outside one */
	bool sent_kill;                /* forktop sent it SIGKILL */
	bool start_untold;             /* its start waits for its hello, which tells its PID */
	bool killed_by_ns_end;         /* the kernel killed it as its namespace's PID 1 ended */
	enum python_role python_role;  /* a program's: what its creator started it for */
	char target[MEMBER_NAME_MAX];  /* a program's: the function its run() calls ("square",
					  "app.jobs.fetch"), or its class's own run ("Quick.run");
					  "" when unknown */
	int depth;                     /* 0 main, 1 child, 2 grandchild, ... */
	pid_t joining;                 /* blocked in join() of this PID; 0 when not */
	bool in_exit_routine;
	bool forked_member;            /* a program's: it forked another member */
	bool python;                   /* a program's: the Python hook told its name and daemon
					  flag (they no longer follow its comm) */
	unsigned long long python_since_ns; /* CLOCK_MONOTONIC: when its hello came */
	/* from the kernel's process events: CLOCK_MONOTONIC nanoseconds; 0 unknown */
	unsigned long long born_ns, ended_ns;
	/* the threads its reports told of: heap, NULL when none (a fork storm
	 * has 30,000 members); freed by member_release */
	bool reports_threads;          /* its reports tell its threads: its main thread
					  (tid == pid) is Python's MainThread */
	struct member_thread *threads;
	size_t nthreads, threads_cap;
	/* a program's: its command line as read when it joined (again after an
	 * exec), arguments joined by spaces, raw bytes; heap, NULL when none;
	 * kept for when /proc no longer has it (a zombie, an ended one); freed
	 * by member_release */
	char *cmdline;
	bool cmdline_due;              /* joined or exec'd since: read at the next refresh that shows it */
};

/* Python's daemon flag of m's thread tid, as the lab (or later the Python
 * hook) told it: 1 daemon, 0 not (MainThread: tid == m->pid, when m's
 * reports tell its threads), -1 unknown. */
int member_thread_daemon(const struct member *m, pid_t tid);
/* The Python name the lab told for m's thread tid ("MainThread" for its
 * main thread, when m's reports tell its threads), or NULL. */
const char *member_thread_name(const struct member *m, pid_t tid);
/* A report told that m runs thread tid (a TID seen again is a new thread:
 * the old one ended). False when it could not be kept (memory, or
 * MEMBER_THREADS_MAX). */
bool member_thread_started(struct member *m, pid_t tid, const char *name, bool daemon);
/* A report told that m's thread tid ended (finished, or cut off). */
void member_thread_ended(struct member *m, pid_t tid);
/* Keeps len bytes of text as m's command line (at most MEMBER_CMDLINE_MAX - 1),
 * in place of the one it had; out of memory, it keeps the one it had. */
void member_keep_cmdline(struct member *m, const char *text, size_t len);
/* Frees what m holds on the heap (its threads, its command line); m stays
 * valid, empty of them. */
void member_release(struct member *m);
/* A helper's role, as NDJSON names it: "resource-tracker", "forkserver",
 * "pool-worker", "manager" or "executor-worker"; NULL for any other. */
const char *member_helper_role(const struct member *m);

/* How long m lived, in microseconds, when the kernel told both ends; -1
 * when it did not. */
long long member_lifetime_us(const struct member *m);

/* A new member at the end of the array, with nothing known (no pidfd, no
 * channel, no exit status). NULL when memory runs out (nothing changes). */
struct member *member_add(struct member **members, size_t *count, size_t *cap);
/* The newest member with this PID that is still watched (gone_too: or not). */
struct member *member_by_pid(const struct member *members, size_t count, pid_t pid,
			     bool gone_too);
/* The watched member this process is (same PID, and same start time once
 * known), or NULL. */
const struct member *member_of(const struct member *members, size_t count,
			       const struct scan_proc *p);

/* Records m's exit status once, with its source and the reaper it names
 * (by, 0 for none), and logs EV_EXITED at when (zero: now). False when its
 * code was already known. */
bool member_record_exit(struct track *track, struct timespec when, struct member *m, int status,
			enum exit_source source, pid_t by, const char *by_name);
/* m left /proc for good: it is no longer watched and its pidfd is closed. */
void member_mark_gone(struct member *m);
/* Reaps m if it is still watched, is monitor's child and has ended (its code then comes from
 * monitor's wait: MONITOR for the child it started, SUBREAPER for an orphan
 * that came to it). True when it did. */
bool member_reap_own(struct track *track, struct timespec when, struct member *m,
		     pid_t monitor);

/* Waits until every member's pidfd says it ended (or it has none), for at
 * most wait_ms, and marks them exited. True when all have ended. */
bool member_await_end(struct member *members, size_t count, long wait_ms);

/* What snap tells of m: its start time, parent and session, a zombie's
 * code, and (once it has ended, or when it is not in snap) its pidfd's
 * exit information; a zombie under monitor is reaped; an ended member no
 * longer in snap is marked gone. program: a program's member, whose name
 * follows its comm and which, watched without a pidfd, is gone once snap
 * lacks it (a lab member's end comes from its pidfd or its creator's
 * report). Returns m's process in snap, or NULL. */
const struct scan_proc *member_observe(struct track *track, struct timespec when,
				       struct member *m, const struct scan_snapshot *snap,
				       pid_t monitor, bool program);

#endif
