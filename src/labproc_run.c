/* labproc_run: the top layer of a lab process, and where labproc.h's entry
 * points live. Owns how a process enters the lab (labproc_main in the
 * monitor's new child, labproc_role_main after forktop was exec'd in a
 * role), how it becomes a member of its group, its run loop (commands from
 * the monitor, SIGINT, its lifetime), starting its children in Python's
 * order and names, and the true Unix daemon a scenario may ask for.
 * It calls down into labstart.c (the start methods) and labproc.c (the
 * channel, joins, the exit routine); nothing calls back up into it: a start
 * method returns in the new process, as fork() does, and this file makes it
 * a member. It never talks to the monitor but through labproc.c. */
#include "labproc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "labmsg.h"
#include "labproc_private.h"
#include "labstart.h"

/* Python's name for the child; false when it would not fit (never cut: two
 * cut names could be the same). */
static bool child_name(const struct labproc *lp, int number, char *buf, size_t len)
{
	int n = labproc_is_main(lp) ? snprintf(buf, len, "Process-%d", number)
				    : snprintf(buf, len, "%s:%d", lp->name, number);

	return n > 0 && (size_t)n < len;
}

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Signals as the interpreter leaves them (its SigCgt and SigIgn): a handler
 * for SIGINT, SIGPIPE and SIGXFSZ ignored, the rest at their defaults. The
 * handler runs only inside the wait of the run loop (SIGINT is blocked
 * elsewhere), so it has nothing to interrupt. A caught signal is never
 * dropped, also when this process is the PID 1 of a namespace. */
static void setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_sigint };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
}

static void setup_events(struct labproc *lp)
{
	setup_signals();
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

static int keep_only_channel(int conn)
{
	labproc_keep_slots(&conn, 1, false);
	return CHANNEL_FD;
}

_Noreturn static void run(struct labproc *lp);
static void start_threads(struct labproc *lp);

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
	labthread_forget(&lp->threads);
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
		labproc_report_error(lp, EV_OS_ERROR, "socketpair", errno);
		return;
	}
	labproc_report(lp, EV_DAEMONIZING, NULL, 0);
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
	labproc_send(lp, &m, &sp[1], 1); /* target 0: the daemon's hello tells its PID */
	close(sp[1]);
	if (first > 0)
		while (waitpid(first, NULL, 0) < 0 && errno == EINTR)
			;
}

/* In a new process: becomes member name of group g, started by creator,
 * with the channel already in CHANNEL_FD. */
_Noreturn static void become_child(struct labproc *lp, int g, const char *name, pid_t creator)
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
	labthread_forget(&lp->threads); /* its creator's threads stayed behind; their count came */
	lp->tracker.pid = lp->server.pid = 0;
	lp->server_req = lp->alive_w = -1;
	signal(SIGTERM, grp->ignore_sigterm ? SIG_IGN : SIG_DFL);
	prctl(PR_SET_NAME, (unsigned long)lp->name, 0, 0, 0);
	if (grp->subreaper) /* as ctypes' prctl would in run(): orphans below come here */
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	labproc_hello(lp, creator, grp->subreaper ? LAB_HELLO_SUBREAPER : 0);
	labproc_report(lp, EV_RUN, NULL, 0);
	if (grp->unix_daemon) {
		launch_unix_daemon(lp);
		start_threads(lp);
		labproc_normal_exit(lp, lp->exit_code); /* run() returned */
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
		labproc_report(lp, EV_DAEMONIC_CHILDREN_REFUSED, NULL, 0);
		labproc_raised(lp, "AssertionError");
	}
	labproc_reap_finished(lp);
	if (lp->nchildren == CHILDREN_MAX) {
		labproc_report(lp, EV_CHILDREN_LIMIT, NULL, CHILDREN_MAX);
		return;
	}
	c = &lp->children[lp->nchildren];
	*c = (struct child){ .daemon = lp->sc->groups[g].daemon, .group = g, .pidfd = -1,
			     .status_fd = -1 };
	if (!child_name(lp, lp->next_number++, c->name, sizeof c->name)) {
		labproc_report(lp, EV_NAME_TOO_LONG, NULL, LAB_NAME_MAX - 1);
		return;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		labproc_report_error(lp, EV_OS_ERROR, "socketpair", errno);
		return;
	}
	pid = labstart_child(lp, g, c, sp[0], &parent);
	if (pid == 0) /* the new process (fork): its channel is already in CHANNEL_FD */
		become_child(lp, g, c->name, lp->pid);
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

/* The threads of the scenario's [threads] sections for this process, in
 * their order, once its children have started. */
static void start_threads(struct labproc *lp)
{
	for (int i = 0; i < lp->sc->nthreads; i++)
		if (lp->sc->threads[i].group == lp->group)
			for (int k = 0; k < lp->sc->threads[i].count; k++)
				labthread_start(&lp->threads, lp->conn, lp->pid, &lp->sc->threads[i]);
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
			labproc_report(lp, EV_JOIN_REFUSED, NULL, 0);
			return;
		}
		labproc_join(lp, c, m->value);
		return;
	case LAB_CMD_IS_ALIVE:
		c = find_child(lp, m->target);
		if (!c)
			labproc_report(lp, EV_IS_ALIVE_REFUSED, NULL, 0);
		else
			labproc_is_alive(lp, c);
		return;
	case LAB_CMD_SPAWN:
		g = scenario_group_index(lp->sc, m->name);
		if (g >= 0)
			start_child(lp, g);
		return;
	case LAB_CMD_EXIT:
		labproc_normal_exit(lp, lp->exit_code);
	default:
		return; /* not a command: ignore it */
	}
}

static void read_command(struct labproc *lp)
{
	struct lab_msg m;

	if (labproc_read_channel(lp, &m))
		handle_command(lp, &m);
}

_Noreturn static void run(struct labproc *lp)
{
	sigset_t unblocked;

	setup_events(lp);
	start_subgroups(lp);
	start_threads(lp);
	sigemptyset(&unblocked);
	for (;;) {
		struct pollfd p[2] = { { lp->conn, POLLIN | POLLRDHUP, 0 },
				       { lp->timerfd, POLLIN, 0 } };
		int n = lp->timerfd >= 0 ? 2 : 1;

		if (ppoll(p, (nfds_t)n, NULL, &unblocked) < 0 && errno != EINTR)
			labproc_lifeline_broken();
		if (interrupted)
			labproc_interrupted(lp);
		if (p[0].revents & (POLLIN | POLLHUP | POLLRDHUP | POLLERR))
			read_command(lp);
		if (n == 2 && (p[1].revents & POLLIN))
			labproc_normal_exit(lp, lp->exit_code);
	}
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
	labthread_init(&lp.threads);
	snprintf(lp.name, sizeof lp.name, "MainProcess");
	prctl(PR_SET_NAME, (unsigned long)lp.name, 0, 0, 0);
	labproc_hello(&lp, getppid(), 0);
	run(&lp);
}

bool labproc_is_role(const char *arg)
{
	return labstart_is_role(arg);
}

int labproc_role_main(int argc, char **argv)
{
	struct labstart_member who;
	int status = labstart_role(argc, argv, &who);

	if (status == 0)
		become_child(who.lp, who.group, who.name, who.creator);
	return status;
}
