/* labproc: one lab process. Everything it does is reported over its
 * channel (LAB_LOG lines in multiprocessing.log_to_stderr() style, joins,
 * reaped children with their wait status). Every wait that Python makes
 * without a timeout is made here without one too, but also watches the
 * channel: when the monitor is gone, however it died, the process ends. */
#include "labproc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

void labproc_report(struct labproc *lp, enum lab_msg_type type, const char *fmt, ...)
{
	char text[LAB_TEXT_MAX];
	struct lab_msg m;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	m = lab_msg_make(type, lp->pid, lp->name, text);
	send_msg(lp, &m, -1);
}

/* multiprocessing's util.info() as log_to_stderr() formats it. */
void labproc_log(struct labproc *lp, const char *fmt, ...)
{
	char what[LAB_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	labproc_report(lp, LAB_LOG, "[INFO/%s] %s", lp->name, what);
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
	labproc_report(lp, LAB_NOTE, "its fork server ended without telling how %s ended: Python "
		       "takes exitcode 255", c->name);
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

static long ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Blocks until the child ends, for at most timeout_ms (-1: no timeout, as
 * Python's join()), unless the lifeline breaks first. Then reaps it.
 * False when the timeout passed first (the child is not reaped). */
static bool wait_child(struct labproc *lp, struct child *c, int timeout_ms)
{
	struct pollfd p[2] = { { wait_fd(c), POLLIN, 0 }, { lp->conn, POLLRDHUP, 0 } };
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		long left = timeout_ms < 0 ? -1 : timeout_ms - ms_since(&start);

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
static void join_child(struct labproc *lp, struct child *c, int timeout_ms)
{
	labproc_report_child(lp, LAB_JOIN_BEGIN, c);
	if (!c->reaped && !wait_child(lp, c, timeout_ms)) {
		struct lab_msg m = lab_msg_make(LAB_JOIN_END, lp->pid, c->name, "timeout");

		m.target = c->pid;
		send_msg(lp, &m, -1);
		return;
	}
	labproc_report_child(lp, LAB_JOIN_END, c);
}

/* Python's is_alive(): only the creator may ask; a finished child is reaped. */
static void poll_child(struct labproc *lp, struct child *c)
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
	labproc_log(lp, "process shutting down");
	reap_finished(lp);
	for (int i = 0; i < lp->nchildren; i++) {
		struct child *c = &lp->children[i];

		if (!c->reaped && c->daemon) {
			labproc_log(lp, "calling terminate() for daemon %s", c->name);
			pidfd_send_signal(c->pidfd, SIGTERM, NULL, 0);
		}
	}
	reap_finished(lp);
	for (int i = 0; i < lp->nchildren; i++) {
		struct child *c = &lp->children[i];

		if (!c->reaped) {
			labproc_log(lp, "calling join() for process %s", c->name);
			join_child(lp, c, -1);
		}
	}
}

static bool is_main(const struct labproc *lp)
{
	return lp->group == SCENARIO_TOP_LEVEL;
}

/* The end of the work, or sys.exit(code): the exit routine, then exit. */
_Noreturn static void normal_exit(struct labproc *lp, int code)
{
	exit_routine(lp);
	if (!is_main(lp))
		labproc_log(lp, "process exiting with exitcode %d", code);
	_exit(code);
}

/* Ctrl-C: KeyboardInterrupt in run(), and the exit routine runs (from a
 * finally block). Then main ends itself by SIGINT, as the interpreter does
 * since Python 3.8; a child's _bootstrap() catches the exception instead,
 * prints it and exits with 1, as for any uncaught exception. */
_Noreturn static void interrupted(struct labproc *lp)
{
	sigset_t set;

	exit_routine(lp);
	if (!is_main(lp)) {
		labproc_report(lp, LAB_ERROR, "KeyboardInterrupt");
		labproc_log(lp, "process exiting with exitcode 1");
		_exit(1);
	}
	signal(SIGINT, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(SIGINT);
	_exit(128 + SIGINT);
}

/* Python's name for the child; false when it would not fit (never cut: two
 * cut names could be the same). */
static bool child_name(const struct labproc *lp, int number, char *buf, size_t len)
{
	int n = is_main(lp) ? snprintf(buf, len, "Process-%d", number)
			    : snprintf(buf, len, "%s:%d", lp->name, number);

	return n > 0 && (size_t)n < len;
}

static void setup_events(struct labproc *lp)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	lp->sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	lp->timerfd = -1;
	if (lp->lifetime >= 0) {
		struct itimerspec when = { .it_value = {
			.tv_sec = (time_t)lp->lifetime,
			.tv_nsec = (long)((lp->lifetime - (double)(time_t)lp->lifetime) * 1e9) } };

		if (when.it_value.tv_sec == 0 && when.it_value.tv_nsec == 0)
			when.it_value.tv_nsec = 1; /* zero would disarm the timer */
		lp->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
		timerfd_settime(lp->timerfd, 0, &when, NULL);
	}
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

static int keep_only_channel(int conn)
{
	labproc_keep_slots(&conn, 1, false);
	return CHANNEL_FD;
}

void labproc_hello(struct labproc *lp, pid_t creator, unsigned flags)
{
	struct lab_msg m = lab_msg_make(LAB_HELLO, lp->pid, lp->name, NULL);
	int self = pidfd_open(lp->pid, 0);

	m.value = (int32_t)(flags | (lp->daemon ? LAB_HELLO_DAEMON : 0) |
			    (lp->unix_daemon ? LAB_HELLO_UNIX_DAEMON : 0));
	m.creator = creator;
	snprintf(m.text, sizeof m.text, "%s", lp->group >= 0 ? lp->sc->groups[lp->group].name : "");
	send_msg(lp, &m, self);
	if (self >= 0)
		close(self);
}

_Noreturn static void run(struct labproc *lp);
static void setup_events(struct labproc *lp);
static void start_subgroups(struct labproc *lp);

/* The daemon itself: its own session (no controlling terminal), / as its
 * directory, under PID 1 once the session leader above it has left. It keeps
 * its lifeline like every lab process. */
_Noreturn static void become_unix_daemon(struct labproc *lp, int conn, pid_t launcher)
{
	char name[LAB_NAME_MAX];

	if (chdir("/") != 0)
		_exit(1);
	umask(022);
	snprintf(name, sizeof name, "%.20s:unixd", lp->name);
	lp->conn = keep_only_channel(conn);
	lp->pid = getpid();
	snprintf(lp->name, sizeof lp->name, "%s", name);
	lp->daemon = false;
	lp->unix_daemon = true;
	lp->group = LABPROC_NO_GROUP; /* it starts nothing of its launcher's groups */
	lp->lifetime = SCENARIO_FOREVER;
	lp->exit_code = 0;
	lp->next_number = 1;
	lp->nchildren = 0;
	prctl(PR_SET_NAME, (unsigned long)lp->name, 0, 0, 0);
	labproc_hello(lp, launcher, 0);
	run(lp);
}

/* What a Unix daemon's launcher does: fork; the child calls setsid() and
 * forks again, and the session leader leaves, so the daemon can never get a
 * controlling terminal back. The launcher reaps the session leader. */
static void launch_unix_daemon(struct labproc *lp)
{
	pid_t launcher = lp->pid, first;
	struct lab_msg m;
	int sp[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		labproc_report(lp, LAB_ERROR, "OSError: socketpair: %s", strerror(errno));
		return;
	}
	labproc_log(lp, "starting a Unix daemon: fork, setsid, fork");
	first = fork();
	if (first == 0) {
		close(sp[1]);
		setsid();
		if (fork() != 0)
			_exit(0); /* the session leader leaves */
		become_unix_daemon(lp, sp[0], launcher);
	}
	close(sp[0]);
	m = lab_msg_make(LAB_NEW_CHILD, lp->pid, "", NULL);
	snprintf(m.name, sizeof m.name, "%.20s:unixd", lp->name);
	send_msg(lp, &m, sp[1]); /* target 0: the daemon's hello tells its PID */
	close(sp[1]);
	if (first > 0)
		while (waitpid(first, NULL, 0) < 0 && errno == EINTR)
			;
}

_Noreturn void labproc_become_child(struct labproc *lp, int g, const char *name, pid_t creator)
{
	const struct scenario_group *grp = &lp->sc->groups[g];

	lp->conn = CHANNEL_FD;
	lp->pid = getpid();
	snprintf(lp->name, sizeof lp->name, "%s", name);
	lp->daemon = grp->daemon;
	lp->unix_daemon = false;
	lp->group = g;
	lp->lifetime = grp->lifetime;
	lp->exit_code = grp->exit_code;
	lp->next_number = 1;
	lp->nchildren = 0;
	lp->tracker.pid = lp->server.pid = 0;
	lp->server_req = lp->alive_w = -1;
	signal(SIGTERM, grp->ignore_sigterm ? SIG_IGN : SIG_DFL);
	prctl(PR_SET_NAME, (unsigned long)lp->name, 0, 0, 0);
	labproc_hello(lp, creator, 0);
	labproc_log(lp, "child process calling self.run()");
	if (grp->unix_daemon) {
		launch_unix_daemon(lp);
		normal_exit(lp, lp->exit_code); /* run() returned */
	}
	run(lp);
}

/* Python's Process.start() for a member of group g. */
static void start_child(struct labproc *lp, int g)
{
	struct child *c;
	int sp[2];
	pid_t pid, parent;

	if (lp->daemon) {
		/* AssertionError raised in run(): uncaught, the process exits with 1. */
		labproc_report(lp, LAB_ERROR, "AssertionError: daemonic processes are not allowed to have children");
		normal_exit(lp, 1);
	}
	reap_finished(lp);
	if (lp->nchildren == CHILDREN_MAX) {
		labproc_report(lp, LAB_ERROR, "cannot start more than %d children", CHILDREN_MAX);
		return;
	}
	c = &lp->children[lp->nchildren];
	*c = (struct child){ .daemon = lp->sc->groups[g].daemon, .group = g, .pidfd = -1,
			     .status_fd = -1 };
	if (!child_name(lp, lp->next_number++, c->name, sizeof c->name)) {
		labproc_report(lp, LAB_ERROR, "cannot start a child: its name would be longer than %d "
		       "characters", LAB_NAME_MAX - 1);
		return;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		labproc_report(lp, LAB_ERROR, "OSError: socketpair: %s", strerror(errno));
		return;
	}
	pid = labstart_child(lp, g, c, sp[0], &parent);
	if (pid == 0) /* the new process (fork): its channel is already in CHANNEL_FD */
		labproc_become_child(lp, g, c->name, lp->pid);
	close(sp[0]);
	if (pid < 0) {
		close(sp[1]);
		return;
	}
	c->pid = pid;
	lp->nchildren++;
	labproc_announce(lp, c->name, c->daemon, pid, parent, sp[1]);
}

static void start_subgroups(struct labproc *lp)
{
	for (int g = 0; g < lp->sc->ngroups; g++)
		if (lp->sc->groups[g].parent == lp->group)
			for (int i = 0; i < lp->sc->groups[g].count; i++)
				start_child(lp, g);
}

static struct child *find_child(struct labproc *lp, pid_t pid)
{
	for (int i = 0; i < lp->nchildren; i++)
		if (lp->children[i].pid == pid)
			return &lp->children[i];
	return NULL;
}

static void handle_command(struct labproc *lp, const struct lab_msg *m)
{
	struct child *c;
	int g;

	switch (m->type) {
	case LAB_CMD_JOIN:
		c = find_child(lp, m->target);
		if (!c) {
			labproc_report(lp, LAB_ERROR, "AssertionError: can only join a child process");
			return;
		}
		join_child(lp, c, m->value);
		return;
	case LAB_CMD_POLL:
		c = find_child(lp, m->target);
		if (!c)
			labproc_report(lp, LAB_ERROR, "AssertionError: can only test a child process");
		else
			poll_child(lp, c);
		return;
	case LAB_CMD_SPAWN:
		g = scenario_group_index(lp->sc, m->name);
		if (g >= 0)
			start_child(lp, g);
		return;
	case LAB_CMD_EXIT:
		normal_exit(lp, lp->exit_code);
	default:
		return; /* not a command: ignore it */
	}
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

static void read_command(struct labproc *lp)
{
	struct lab_msg m;

	if (labproc_read_channel(lp, &m))
		handle_command(lp, &m);
}

_Noreturn static void run(struct labproc *lp)
{
	setup_events(lp);
	start_subgroups(lp);
	for (;;) {
		struct pollfd p[3] = { { lp->conn, POLLIN | POLLRDHUP, 0 },
				       { lp->sigfd, POLLIN, 0 },
				       { lp->timerfd, POLLIN, 0 } };
		int n = lp->timerfd >= 0 ? 3 : 2;

		if (poll(p, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			labproc_lifeline_broken();
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLRDHUP | POLLERR))
			read_command(lp);
		if (p[1].revents & POLLIN)
			interrupted(lp);
		if (n == 3 && (p[2].revents & POLLIN))
			normal_exit(lp, lp->exit_code);
	}
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

/* A clean process image for the lab: default signal dispositions, nothing
 * blocked, stdio on /dev/null. */
static void reset_process(void)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	labproc_reset_signals();
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
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

_Noreturn void labproc_main(const struct scenario *sc, int conn)
{
	static struct labproc lp;

	setpgid(0, 0); /* main leads the lab's own process group */
	if (conn <= 2) /* stdio is about to become /dev/null: keep the channel above it */
		conn = fcntl(conn, F_DUPFD_CLOEXEC, CHANNEL_FD + 1);
	reset_process();
	lp = (struct labproc){ .sc = sc, .group = SCENARIO_TOP_LEVEL, .next_number = 1,
			       .lifetime = sc->main_lifetime, .exit_code = sc->main_exit_code,
			       .tracker_fd = -1, .server_req = -1, .alive_w = -1,
			       .inherited_alive = -1, .exe = labproc_exe() };
	lp.conn = keep_only_channel(conn);
	lp.pid = getpid();
	snprintf(lp.name, sizeof lp.name, "MainProcess");
	prctl(PR_SET_NAME, (unsigned long)lp.name, 0, 0, 0);
	labproc_hello(&lp, getppid(), 0);
	run(&lp);
}
