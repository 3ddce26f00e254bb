/* labthread: see labthread.h. A thread's life: it tells its TID, waits for
 * start() to have reported it, works for its lifetime, and then, under the
 * lock, either reports that it finished or, when its process is already
 * exiting, stays silent for good. The exit takes the same lock to cut the
 * daemon threads off, so a thread is reported finished or cut off, never
 * both. Every wait here watches the channel: the monitor's end is the
 * lifeline, as everywhere in a lab process. */
#include "labthread.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define COMM_MAX 16 /* the kernel's comm: 15 bytes and a NUL */

/* Reports fact kind about thread t. A gone monitor ends the process, as
 * labproc.c's lifeline does. */
static void report(const struct labthread *t, enum event_kind kind)
{
	const struct labthreads *ts = t->owner;
	struct lab_msg m = lab_msg_report(kind, ts->pid, t->tid, t->name);

	m.value = t->daemon;
	if (lab_msg_send(ts->conn, &m, -1) == -EPIPE)
		_exit(0);
}

static void init_lock(struct labthreads *ts)
{
	pthread_mutex_init(&ts->lock, NULL);
	ts->closing = false;
}

void labthread_init(struct labthreads *ts)
{
	ts->next_number = 1;
	labthread_forget(ts);
}

void labthread_forget(struct labthreads *ts)
{
	ts->count = 0;
	ts->wake_fd = -1; /* the creator's: fork_child closed it with every descriptor not kept */
	init_lock(ts);    /* a copy another thread may have held at the fork */
}

_Noreturn static void park(void)
{
	for (;;)
		pause(); /* every signal is blocked here: only the process's end ends it */
}

static void sleep_until(const struct timespec *deadline)
{
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, deadline, NULL) == EINTR)
		;
}

/* The target: work for the thread's lifetime. */
static void work(const struct labthread *t)
{
	struct timespec deadline;

	if (t->lifetime == SCENARIO_FOREVER)
		park();
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)t->lifetime;
	deadline.tv_nsec += (long)((t->lifetime - (double)(time_t)t->lifetime) * 1e9);
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	sleep_until(&deadline);
}

/* The target returned: say so, unless the process is already exiting. */
static void finish(struct labthread *t)
{
	struct labthreads *ts = t->owner;
	bool silenced;

	pthread_mutex_lock(&ts->lock);
	silenced = ts->closing;
	if (!silenced) {
		report(t, EV_THREAD_ENDED);
		t->finished = true;
	}
	pthread_mutex_unlock(&ts->lock);
	if (silenced)
		park(); /* cut off: no more code of its own runs */
	eventfd_write(ts->wake_fd, 1);
}

static void wait_sem(sem_t *s)
{
	while (sem_wait(s) != 0 && errno == EINTR)
		;
}

/* This thread's TID as /proc shows it (/proc/thread-self), which is the
 * one the monitor sees: in a lab that runs in a PID namespace of its own,
 * gettid() gives the one it has in there, and the /proc it inherited is the
 * monitor's. */
static pid_t tid_in_proc(void)
{
	char link[64];
	ssize_t n = readlink("/proc/thread-self", link, sizeof link - 1);
	const char *task;

	if (n <= 0)
		return gettid();
	link[n] = '\0';
	task = strstr(link, "/task/");
	return task ? (pid_t)strtol(task + 6, NULL, 10) : gettid();
}

static void *thread_main(void *arg)
{
	struct labthread *t = arg;

	t->tid = tid_in_proc();
	sem_post(&t->told);
	wait_sem(&t->go); /* start() has reported it: now its target runs */
	work(t);
	finish(t);
	return NULL;
}

/* "Thread-N (target)"; the kernel's comm keeps its first 15 bytes. */
static void name_thread(struct labthreads *ts, struct labthread *t, const char *target)
{
	snprintf(t->name, sizeof t->name, "Thread-%d (%s)", ts->next_number++, target);
}

static void set_comm(const struct labthread *t)
{
	char comm[COMM_MAX];

	snprintf(comm, sizeof comm, "%s", t->name);
	pthread_setname_np(t->handle, comm);
}

/* The eventfd finishing threads add to, made with the first thread.
 * Returns 0 or an errno. */
static int ready_to_start(struct labthreads *ts, int conn, pid_t pid)
{
	ts->conn = conn;
	ts->pid = pid;
	if (ts->count == SCENARIO_THREADS_MAX)
		return EAGAIN; /* as pthread_create says when there is no room */
	if (ts->wake_fd < 0)
		ts->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return ts->wake_fd >= 0 ? 0 : errno;
}

/* pthread_create with every signal blocked in the new thread. */
static int create_blocked(struct labthread *t)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t->handle, NULL, thread_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static void report_os_error(struct labthreads *ts, const char *call, int error)
{
	struct lab_msg m = lab_msg_report(EV_OS_ERROR, ts->pid, 0, NULL);

	snprintf(m.text, sizeof m.text, "%s", call);
	m.error = error;
	if (lab_msg_send(ts->conn, &m, -1) == -EPIPE)
		_exit(0);
}

void labthread_start(struct labthreads *ts, int conn, pid_t pid,
		     const struct scenario_threads *spec)
{
	struct labthread *t;
	int rc = ready_to_start(ts, conn, pid);

	if (rc != 0) {
		report_os_error(ts, ts->wake_fd < 0 ? "eventfd" : "pthread_create", rc);
		return;
	}
	t = &ts->threads[ts->count];
	*t = (struct labthread){ .owner = ts, .daemon = spec->daemon, .lifetime = spec->lifetime };
	name_thread(ts, t, spec->target);
	sem_init(&t->told, 0, 0);
	sem_init(&t->go, 0, 0);
	rc = create_blocked(t);
	if (rc != 0) {
		report_os_error(ts, "pthread_create", rc);
		return;
	}
	ts->count++;
	wait_sem(&t->told);
	set_comm(t);
	report(t, EV_THREAD_STARTED);
	sem_post(&t->go);
}

/* Whether every non-daemon thread has finished. */
static bool non_daemons_finished(struct labthreads *ts)
{
	bool all = true;

	pthread_mutex_lock(&ts->lock);
	for (int i = 0; i < ts->count; i++)
		all = all && (ts->threads[i].daemon || ts->threads[i].finished);
	pthread_mutex_unlock(&ts->lock);
	return all;
}

/* Blocks until a thread finishes or the lifeline breaks (then the process ends). */
static void wait_for_a_finish(struct labthreads *ts)
{
	struct pollfd p[2] = { { ts->wake_fd, POLLIN, 0 }, { ts->conn, POLLRDHUP, 0 } };
	eventfd_t ignored;

	if (poll(p, 2, -1) < 0 && errno != EINTR)
		_exit(0);
	if (p[1].revents & (POLLHUP | POLLRDHUP | POLLERR))
		_exit(0);
	eventfd_read(ts->wake_fd, &ignored);
}

void labthread_await(struct labthreads *ts)
{
	pthread_mutex_lock(&ts->lock);
	for (int i = 0; i < ts->count; i++)
		if (!ts->threads[i].daemon && !ts->threads[i].finished)
			report(&ts->threads[i], EV_THREAD_AWAITED);
	pthread_mutex_unlock(&ts->lock);
	while (!non_daemons_finished(ts))
		wait_for_a_finish(ts);
	for (int i = 0; i < ts->count; i++)
		if (!ts->threads[i].daemon)
			pthread_join(ts->threads[i].handle, NULL);
}

void labthread_cut_off(struct labthreads *ts)
{
	pthread_mutex_lock(&ts->lock);
	ts->closing = true;
	for (int i = 0; i < ts->count; i++)
		if (ts->threads[i].daemon && !ts->threads[i].finished)
			report(&ts->threads[i], EV_THREAD_CUT_OFF);
	/* held until _exit: a thread that finishes now waits here, silent */
}
