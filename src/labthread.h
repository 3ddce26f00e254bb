/* labthread: threading.Thread in a lab process, as CPython 3.11 runs them
 * (shared LAB.md, "Threads"): real pthreads named "Thread-N (target)" (N
 * counted by the process, and inherited through fork as Python's
 * threading._counter is), each working for its lifetime and reporting its
 * start and its end on the process's channel; waiting for the non-daemon
 * ones at the exit, and cutting the daemon ones off. Its threads never
 * handle a signal (every signal is blocked in them), so a lab process's
 * signals reach its main thread alone, and SIGTERM, SIGKILL or _exit end
 * every thread at once. It is the bottom layer of a lab process: it calls
 * nothing of labproc.c, labstart.c or labproc_run.c (tests/layers.sh). */
#ifndef FORKTOP_LABTHREAD_H
#define FORKTOP_LABTHREAD_H

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <sys/types.h>

#include "labmsg.h"
#include "scenario.h"

struct labthreads;

struct labthread {
	struct labthreads *owner;
	pthread_t handle;
	pid_t tid;                /* told by the thread itself before start returns */
	sem_t told;               /* posted by the thread once tid is set */
	sem_t go;                 /* posted by start() once it has reported the thread */
	char name[LAB_NAME_MAX];  /* "Thread-1 (work)" */
	bool daemon;
	double lifetime;          /* seconds, or SCENARIO_FOREVER */
	bool finished;            /* its target returned and it said so (under owner->lock) */
};

struct labthreads {
	int conn;                 /* the process's channel, where reports go */
	pid_t pid;                /* the process */
	int next_number;          /* Python's threading._counter */
	int wake_fd;              /* an eventfd a finishing thread adds to, or -1 */
	pthread_mutex_t lock;     /* finished, closing: a thread ends or is cut off, never both */
	bool closing;             /* the process is exiting: no thread reports any more */
	struct labthread threads[SCENARIO_THREADS_MAX];
	int count;
};

/* A process that has run no thread yet (MainProcess, an exec'd program):
 * the counter at 1. */
void labthread_init(struct labthreads *ts);
/* In a new process forked from one that may run threads: none of them
 * came along (fork copies the calling thread only), the counter did. */
void labthread_forget(struct labthreads *ts);

/* Python's Thread(target=target, daemon=daemon).start(): returns once the
 * thread runs, with its comm set to its name (as much as fits) and its
 * start reported. A thread that cannot start is reported as an OSError. */
void labthread_start(struct labthreads *ts, int conn, pid_t pid,
		     const struct scenario_threads *spec);

/* threading._shutdown(): reports each running non-daemon thread, then
 * waits until all have finished, watching the channel (the lifeline):
 * when it breaks the process ends. */
void labthread_await(struct labthreads *ts);
/* Just before _exit: the daemon threads still running will run no more
 * code; each is reported cut off. Threads stop reporting from here on. */
void labthread_cut_off(struct labthreads *ts);

#endif
