/* labproc: the bottom layer of a lab process: its channel to the monitor
 * and what it does with children it already has. Owns the reports (typed
 * events: what multiprocessing.log_to_stderr() would log, what Python
 * raises, joins, reaped children with their wait status), the lifeline, reading the channel, learning how
 * a child ended, join(), is_alive(), the exit routine and the exits, and
 * the descriptor slots and signal reset a new lab process starts from.
 * Every wait that Python makes without a timeout is made here without one
 * too, but also watches the channel: when the monitor is gone, however it
 * died, the process ends.
 * It never starts a process and never enters a run loop: it calls nothing
 * of labstart.c or labproc_run.c (tests/layers.sh checks it), so both of
 * them may call it. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "labmsg.h"
#include "labproc_private.h"

_Noreturn void labproc_lifeline_broken(void)
{
	_exit(0);
}

void labproc_send(struct labproc *lp, struct lab_msg *m, const int *fds, int nfds)
{
	if (lab_msg_send_fds(lp->conn, m, fds, nfds) == -EPIPE)
		labproc_lifeline_broken();
}

static void send_msg(struct labproc *lp, struct lab_msg *m, int fd)
{
	labproc_send(lp, m, &fd, fd >= 0 ? 1 : 0);
}

void labproc_report(struct labproc *lp, enum event_kind kind, const struct child *about,
		    int value)
{
	struct lab_msg m = lab_msg_report(kind, lp->pid, about ? about->pid : 0,
					  about ? about->name : NULL);

	m.value = value;
	send_msg(lp, &m, -1);
}

void labproc_report_error(struct labproc *lp, enum event_kind kind, const char *call, int error)
{
	struct lab_msg m = lab_msg_report(kind, lp->pid, 0, NULL);

	snprintf(m.text, sizeof m.text, "%s", call ? call : "");
	m.error = error;
	send_msg(lp, &m, -1);
}

void labproc_announce(struct labproc *lp, const char *name, bool daemon, pid_t pid, pid_t parent,
		      int monitor_end)
{
	struct lab_msg m = lab_msg_make(LAB_NEW_CHILD, lp->pid, name, NULL);

	m.target = pid;
	m.creator = parent != lp->pid ? parent : 0;
	m.value = daemon ? LAB_HELLO_DAEMON : 0;
	send_msg(lp, &m, monitor_end);
	close(monitor_end);
}

void labproc_report_child(struct labproc *lp, enum lab_msg_type type, const struct child *c)
{
	struct lab_msg m = lab_msg_make(type, lp->pid, c->name, NULL);

	m.target = c->pid;
	m.value = c->status;
	send_msg(lp, &m, -1);
}

/* Its wait status is known: reaped by us (reported as such), or told by
 * the fork server that reaped it. */
void labproc_mark_reaped(struct labproc *lp, struct child *c, int status)
{
	c->reaped = true;
	c->status = status;
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->pidfd = -1;
	if (c->status_fd >= 0) {
		close(c->status_fd);
		c->status_fd = -1;
	} else {
		labproc_report_child(lp, LAB_REAPED, c);
	}
}

/* The descriptor that becomes readable when c ends. */
static int wait_fd(const struct child *c)
{
	return c->status_fd >= 0 ? c->status_fd : c->pidfd;
}

/* What the fork server told about c. When it ended without telling, Python's
 * Popen.poll() settles on exit code 255 (the child may well still run). */
static int told_status(struct labproc *lp, struct child *c)
{
	struct lab_msg m;
	int fd, rc = lab_msg_recv(c->status_fd, &m, &fd);

	if (fd >= 0)
		close(fd);
	if (rc == 1 && m.type == LAB_FS_EXITED && m.target == c->pid)
		return m.value;
	labproc_report(lp, EV_SERVER_GONE, c, 0);
	return 255 << 8;
}

/* Without waiting: true when c has ended, with its wait status. */
static bool child_ended(struct labproc *lp, struct child *c, int *status)
{
	struct pollfd p = { .fd = c->status_fd, .events = POLLIN };

	if (c->status_fd < 0)
		return waitpid(c->pid, status, WNOHANG) == c->pid;
	if (poll(&p, 1, 0) != 1)
		return false;
	*status = told_status(lp, c);
	return true;
}

/* After wait_fd() was readable: the wait status (blocks only briefly).
 * It keeps the name it had in labstart.c: tests/mutations/join-does-not-reap.patch
 * names its call. */
static int labstart_collect(struct labproc *lp, struct child *c)
{
	int status = 0;

	if (c->status_fd >= 0)
		return told_status(lp, c);
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* Python's Popen.poll() without waiting: true when c is (now) reaped. */
static bool poll_reaped(struct labproc *lp, struct child *c)
{
	int status;

	if (!c->reaped && child_ended(lp, c, &status))
		labproc_mark_reaped(lp, c, status);
	return c->reaped;
}

/* Python's _cleanup(): reap every child that has finished, without waiting. */
static void reap_finished(struct labproc *lp)
{
	for (int i = 0; i < lp->nchildren; i++)
		poll_reaped(lp, &lp->children[i]);
}

void labproc_reap_finished(struct labproc *lp)
{
	reap_finished(lp);
}

/* Blocks until the child ends, for at most timeout_ms (-1: no timeout, as
 * Python's join()), unless the lifeline breaks first. Then reaps it.
 * False when the timeout passed first (the child is not reaped). */
static bool wait_child(struct labproc *lp, struct child *c, int timeout_ms)
{
	struct pollfd p[2] = { { wait_fd(c), POLLIN, 0 }, { lp->conn, POLLRDHUP, 0 } };
	struct timespec start = clock_now();

	for (;;) {
		long left = timeout_ms < 0 ? -1 : timeout_ms - clock_ms_since(&start);

		if (timeout_ms >= 0 && left <= 0)
			return false;
		if (poll(p, 2, (int)left) < 0 && errno != EINTR)
			labproc_lifeline_broken();
		if (p[1].revents & (POLLHUP | POLLRDHUP | POLLERR))
			labproc_lifeline_broken();
		if (p[0].revents & (POLLIN | POLLHUP))
			break;
	}
	labproc_mark_reaped(lp, c, labstart_collect(lp, c));
	return true;
}

/* Python's join(timeout): a timed-out join leaves the child running, unreaped. */
void labproc_join(struct labproc *lp, struct child *c, int timeout_ms)
{
	labproc_report_child(lp, LAB_JOIN_BEGIN, c);
	if (!c->reaped && !wait_child(lp, c, timeout_ms)) {
		struct lab_msg m = lab_msg_make(LAB_JOIN_TIMEOUT, lp->pid, c->name, NULL);

		m.target = c->pid;
		m.value = timeout_ms;
		send_msg(lp, &m, -1);
		return;
	}
	labproc_report_child(lp, LAB_JOIN_END, c);
}

/* Python's is_alive(): only the creator may ask; a finished child is reaped. */
void labproc_is_alive(struct labproc *lp, struct child *c)
{
	struct lab_msg m;

	poll_reaped(lp, c);
	m = lab_msg_make(LAB_ALIVE, lp->pid, c->name, NULL);
	m.target = c->pid;
	m.value = !c->reaped;
	send_msg(lp, &m, -1);
}

/* Python's util._exit_function(): terminate live daemonic children, then
 * join every live child. */
static void exit_routine(struct labproc *lp)
{
	labproc_report(lp, EV_EXIT_ROUTINE, NULL, 0);
	reap_finished(lp);
	for (int i = 0; i < lp->nchildren; i++) {
		struct child *c = &lp->children[i];

		if (!c->reaped && c->daemon) {
			labproc_report(lp, EV_EXIT_ROUTINE_TERMINATES, c, 0);
			pidfd_send_signal(c->pidfd, SIGTERM, NULL, 0);
		}
	}
	reap_finished(lp);
	for (int i = 0; i < lp->nchildren; i++) {
		struct child *c = &lp->children[i];

		if (!c->reaped) {
			labproc_report(lp, EV_EXIT_ROUTINE_JOINS, c, 0);
			labproc_join(lp, c, -1);
		}
	}
}

/* How run() ended, told with the exitcode it makes, as a hooked Python's
 * _bootstrap() tells it: a return, sys.exit(code), or an exception. */
static void report_run_end(struct labproc *lp, enum event_kind how, const char *text, int code)
{
	struct lab_msg m = lab_msg_report(how, lp->pid, 0, NULL);

	m.value = code;
	snprintf(m.text, sizeof m.text, "%s", text);
	send_msg(lp, &m, -1);
}

/* The end of run(), told by how (EV_RUN_RETURNED, EV_RUN_EXITED with
 * sys.exit's argument, EV_RUN_RAISED with the exception's type).
 * MainProcess: the interpreter's threading._shutdown() waits for the
 * non-daemon threads, and only then do the atexit handlers run the exit
 * routine. A child: _bootstrap() runs the exit routine in its finally
 * block, then threading._shutdown(), then logs its exit code. Daemon
 * threads run until the very end, then are cut off. */
static _Noreturn void run_ends(struct labproc *lp, enum event_kind how, const char *text, int code)
{
	if (labproc_is_main(lp))
		labthread_await(&lp->threads);
	exit_routine(lp);
	if (!labproc_is_main(lp)) {
		labthread_await(&lp->threads);
		report_run_end(lp, how, text, code);
		labproc_report(lp, EV_EXITING, NULL, code);
	}
	labthread_cut_off(&lp->threads);
	_exit(code);
}

/* The end of the work (code 0), or sys.exit(code). */
_Noreturn void labproc_normal_exit(struct labproc *lp, int code)
{
	char argument[16];

	snprintf(argument, sizeof argument, "%d", code);
	run_ends(lp, code ? EV_RUN_EXITED : EV_RUN_RETURNED, code ? argument : "", code);
}

/* An exception raised in run() and not caught: the exitcode is 1. */
_Noreturn void labproc_raised(struct labproc *lp, const char *exception)
{
	run_ends(lp, EV_RUN_RAISED, exception, 1);
}

/* Ctrl-C: KeyboardInterrupt, and the exit routine runs all the same, in the
 * order of a normal exit (main: after its non-daemon threads; a child: from
 * _bootstrap()'s finally block). Then main ends itself by SIGINT, as the
 * interpreter does since Python 3.8; a child's _bootstrap() catches the
 * exception instead, prints it, waits for its non-daemon threads and exits
 * with 1, as for any uncaught exception. */
_Noreturn void labproc_interrupted(struct labproc *lp)
{
	sigset_t set;

	if (labproc_is_main(lp))
		labthread_await(&lp->threads);
	exit_routine(lp);
	if (!labproc_is_main(lp)) {
		labproc_report(lp, EV_INTERRUPTED, NULL, 0);
		labthread_await(&lp->threads);
		report_run_end(lp, EV_RUN_RAISED, "KeyboardInterrupt", 1);
		labproc_report(lp, EV_EXITING, NULL, 1);
		labthread_cut_off(&lp->threads);
		_exit(1);
	}
	/* the interpreter printed the traceback; its last atexit handler sees it */
	report_run_end(lp, EV_UNCAUGHT, "KeyboardInterrupt", 0);
	labthread_cut_off(&lp->threads);
	signal(SIGINT, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(SIGINT);
	_exit(128 + SIGINT);
}

#define SLOTS_MAX 8
#define SLOTS_ASIDE 64 /* where the slots wait while they are moved */

void labproc_keep_slots(const int *fds, int nfds, bool for_exec)
{
	int aside[SLOTS_MAX];

	if (nfds > SLOTS_MAX)
		_exit(127);
	for (int i = 0; i < nfds; i++) {
		aside[i] = fds[i] >= 0 ? fcntl(fds[i], F_DUPFD_CLOEXEC, SLOTS_ASIDE) : -1;
		if (fds[i] >= 0 && aside[i] < 0)
			_exit(127);
	}
	close_range(CHANNEL_FD, SLOTS_ASIDE - 1, 0);
	for (int i = 0; i < nfds; i++)
		if (aside[i] >= 0 && dup3(aside[i], CHANNEL_FD + i, for_exec ? 0 : O_CLOEXEC) < 0)
			_exit(127);
	close_range((unsigned)(CHANNEL_FD + nfds), ~0U, 0);
}

void labproc_hello(struct labproc *lp, pid_t creator, unsigned flags)
{
	struct lab_msg m = lab_msg_make(LAB_HELLO, lp->pid, lp->name, NULL);
	int self = pidfd_open(lp->pid, 0);

	lab_msg_stamp_sender(lp->conn);
	m.value = (int32_t)(flags | (lp->daemon ? LAB_HELLO_DAEMON : 0) |
			    (lp->unix_daemon ? LAB_HELLO_UNIX_DAEMON : 0));
	m.creator = creator;
	snprintf(m.text, sizeof m.text, "%s", lp->group >= 0 ? lp->sc->groups[lp->group].name : "");
	send_msg(lp, &m, self);
	if (self >= 0)
		close(self);
}

bool labproc_read_channel(struct labproc *lp, struct lab_msg *m)
{
	int fd, rc = lab_msg_recv(lp->conn, m, &fd);

	if (fd >= 0)
		close(fd);
	if (rc == 0 || (rc < 0 && rc != -EBADMSG && rc != -EAGAIN))
		labproc_lifeline_broken();
	return rc == 1;
}

void labproc_reset_signals(void)
{
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

const char *labproc_exe(void)
{
	static char path[PATH_MAX];
	ssize_t n;
	char *deleted;

	if (path[0])
		return path;
	n = readlink("/proc/self/exe", path, sizeof path - 1);
	if (n <= 0)
		return strcpy(path, "forktop");
	path[n] = '\0';
	deleted = strstr(path, " (deleted)");
	if (deleted && deleted[10] == '\0')
		*deleted = '\0'; /* replaced on disk: /proc/self/exe still runs this one */
	return path;
}
