/* labproc_private: the bottom layer of a lab process (labproc.c), as the
 * layers above it see it: the state of one lab process and its children,
 * its channel and reports, joins, is_alive and the exit routine. A lab
 * process is three files, each calling only the ones below it:
 *
 *   labproc_run.c  entry, becoming a member, run loop, commands, start_child
 *        |  calls
 *        v
 *   labstart.c     start methods, resource tracker, fork server (labstart.h)
 *        |  calls
 *        v
 *   labproc.c      channel, reports, lifeline, joins, is_alive, exit routine
 *        |  calls
 *        v
 *   labthread.c    threads: start, wait for the non-daemon ones, cut off the rest
 *
 * (each layer may call any layer below it, not only the next.) tests/layers.sh fails when
 * a call goes back up. Nothing outside those three files includes this
 * header. */
#ifndef FORKTOP_LABPROC_PRIVATE_H
#define FORKTOP_LABPROC_PRIVATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <sys/types.h>

#include "labmsg.h"
#include "labthread.h"
#include "scenario.h"

/* Descriptor slots: a lab process keeps only these (and stdio). */
#define CHANNEL_FD 3 /* the channel to the monitor, which is also the lifeline */
#define TRACKER_FD 4 /* the write end of the resource tracker's pipe (spawn, forkserver) */
#define ALIVE_FD 5   /* forkserver: the alive pipe of the server that forked it */

#define LABPROC_NO_GROUP (-2) /* a process outside every group */
#define CHILDREN_MAX 256

struct child {
	pid_t pid;
	int pidfd;     /* to signal it, and (when we forked it) to wait for it */
	int status_fd; /* forkserver: where its server tells its end; else -1 */
	char name[LAB_NAME_MAX];
	bool daemon;
	int group;
	bool reaped;   /* its wait status is known */
	int status;
};

struct labproc {
	const struct scenario *sc;
	int conn;
	pid_t pid;
	char name[LAB_NAME_MAX];
	bool daemon;
	int group;           /* SCENARIO_TOP_LEVEL for main */
	double lifetime;
	int exit_code;
	int next_number;     /* Python's per-process _process_counter */
	bool unix_daemon;    /* this process is a true Unix daemon */
	struct child children[CHILDREN_MAX];
	int nchildren;
	int timerfd;
	/* start methods (labstart.c) */
	const char *exe;     /* forktop's path: argv[0] of the programs it execs */
	int tracker_fd;      /* the tracker's pipe (write end), or -1 */
	struct child tracker; /* the tracker this process started (pid 0: none) */
	struct child server; /* the fork server this process started (pid 0: none) */
	int server_req;      /* the request socket to that server, or -1 */
	int alive_w;         /* that server's alive pipe (write end), or -1 */
	int inherited_alive; /* ALIVE_FD when a fork server forked this process, or -1 */
	struct labthreads threads; /* its threading.Thread objects (labthread.c) */
};

static inline bool labproc_is_main(const struct labproc *lp)
{
	return lp->group == SCENARIO_TOP_LEVEL;
}

/* The channel is gone (the monitor ended): the process ends, at once. */
_Noreturn void labproc_lifeline_broken(void);
void labproc_send(struct labproc *lp, struct lab_msg *m, const int *fds, int nfds);
/* Reports a fact of kind about this process (a log line, an error it
 * raised, a note), naming child about (or none) and a number. */
void labproc_report(struct labproc *lp, enum event_kind kind, const struct child *about,
		    int value);
/* Reports an error of kind with its errno: an OSError of a failed call
 * ("fork", "socketpair"), or the fork server out of reach (call NULL). */
void labproc_report_error(struct labproc *lp, enum event_kind kind, const char *call, int error);
void labproc_report_child(struct labproc *lp, enum lab_msg_type type, const struct child *c);
/* Its wait status is known: reaped by this process (reported to the
 * monitor), or told by the fork server that reaped it. */
void labproc_mark_reaped(struct labproc *lp, struct child *c, int status);
/* Hands the monitor its end of a new process's channel (LAB_NEW_CHILD);
 * parent: who forked it (this process, or its fork server). */
void labproc_announce(struct labproc *lp, const char *name, bool daemon, pid_t pid, pid_t parent,
		      int monitor_end);
/* Reads one message from the monitor (none may carry a descriptor); ends
 * the process when the channel has ended. True when one was read. */
bool labproc_read_channel(struct labproc *lp, struct lab_msg *m);
/* Says hello to the monitor (with a pidfd of itself); flags: LAB_HELLO_*. */
void labproc_hello(struct labproc *lp, pid_t creator, unsigned flags);
/* Moves fds[i] to descriptor 3 + i (-1: that slot stays closed) and closes
 * every other descriptor above stdio. for_exec: the slots survive exec. */
void labproc_keep_slots(const int *fds, int nfds, bool for_exec);
/* Default dispositions for every signal, none blocked. */
void labproc_reset_signals(void);

/* Python's _cleanup(): reaps every child that has finished, without waiting. */
void labproc_reap_finished(struct labproc *lp);
/* Python's join(timeout) of child c (timeout_ms -1: none), as two reports;
 * a timed-out join leaves the child running, unreaped. */
void labproc_join(struct labproc *lp, struct child *c, int timeout_ms);
/* Python's is_alive() on child c: reaps it when it has finished, and reports. */
void labproc_is_alive(struct labproc *lp, struct child *c);
/* The end of the work, or sys.exit(code): in CPython's order, the wait for
 * non-daemon threads and the exit routine (main: threads first; a child:
 * the exit routine first), then the daemon threads are cut off, and exit. */
_Noreturn void labproc_normal_exit(struct labproc *lp, int code);
/* The same end for an exception run() did not catch (exitcode 1). */
_Noreturn void labproc_raised(struct labproc *lp, const char *exception);
/* Ctrl-C: the exit routine, then main dies by SIGINT and a child exits with 1. */
_Noreturn void labproc_interrupted(struct labproc *lp);

/* forktop's own path, for argv[0] of the programs a lab process execs
 * (they run /proc/self/exe itself, which stays valid if the file is replaced). */
const char *labproc_exe(void);

#endif
