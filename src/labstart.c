/* labstart: the middle layer of a lab process: how it starts a child under
 * each start method (shared LAB.md, "Start methods"), and the helper
 * processes Python makes for them: the resource tracker (spawn, forkserver)
 * and the fork server, with its loop. spawn and the helpers are fork+exec of
 * forktop itself in a role, as Python execs its own interpreter: their data
 * comes on a pipe, their arguments are written and read back here, and their
 * channel to the monitor sits in CHANNEL_FD like every lab process's.
 * It calls only labproc.c (reports, the channel, the slots), never
 * labproc_run.c (tests/layers.sh checks it): it never runs a member's work,
 * and a new process that is to become a member (forked, exec'd as a worker,
 * or forked by the fork server) is handed back to its caller instead, as
 * fork() returns 0. It never uses a listening socket: a fork server's
 * requests come on a socketpair. */
#include "labstart.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "i18n.h"

#define PREP_MAGIC 0x666b7032u /* "fkp2" */
#define ROLE_ARGS_MAX 6

/* What a creator hands the program it execs (Python pickles its
 * preparation data onto a pipe the same way). */
struct prep {
	uint32_t magic;
	uint32_t size;
	struct scenario sc;
	int32_t group;   /* the child's group, or LABPROC_NO_GROUP for a fork server */
	int32_t creator;
	char name[LAB_NAME_MAX];
};

_Static_assert(sizeof(struct prep) <= PIPE_BUF, "the preparation data must fit a pipe at once");

static void close_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

/* "resource_tracker" for main's, "Process-2:resource_tracker" for others'. */
static void helper_name(const struct labproc *lp, const char *what, char *buf, size_t len)
{
	if (lp->group == SCENARIO_TOP_LEVEL)
		snprintf(buf, len, "%s", what);
	else
		snprintf(buf, len, "%.*s:%s", (int)(len - strlen(what) - 2), lp->name, what);
}

/* ---- exec'ing forktop in a role ----------------------------------------- */

/* fork+exec of forktop with args (NULL-terminated): fds[i] becomes
 * descriptor 3 + i of the new program, fds[0] being its channel. Python's
 * util.spawnv_passfds(). Returns the PID, or -1 after reporting why. */
static pid_t spawn_role(struct labproc *lp, const char *const *args, const int *fds, int nfds)
{
	char *argv[ROLE_ARGS_MAX + 2];
	int n = 0;
	pid_t pid;

	argv[n++] = (char *)lp->exe;
	for (int i = 0; args[i] && n <= ROLE_ARGS_MAX; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		labproc_report_error(lp, EV_OS_ERROR, "fork", errno);
	if (pid != 0)
		return pid;
	labproc_reset_signals();
	labproc_keep_slots(fds, nfds, true);
	execv("/proc/self/exe", argv);
	{
		struct lab_msg m = lab_msg_report(EV_OS_ERROR, getpid(), 0, NULL);

		snprintf(m.text, sizeof m.text, "exec %.100s", lp->exe);
		m.error = errno;
		lab_msg_send(CHANNEL_FD, &m, -1);
	}
	_exit(127);
}

/* A pipe already holding the preparation data; its read end, or -1. */
static int prep_pipe(struct labproc *lp, int group, const char *name)
{
	struct prep p;
	int fds[2];

	memset(&p, 0, sizeof p);
	p.magic = PREP_MAGIC;
	p.size = sizeof p;
	p.sc = *lp->sc;
	p.group = group;
	p.creator = lp->pid;
	snprintf(p.name, sizeof p.name, "%s", name);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	if (write(fds[1], &p, sizeof p) != (ssize_t)sizeof p) { /* fits: cannot block */
		close_fds(fds, 2);
		return -1;
	}
	close(fds[1]);
	return fds[0];
}

static bool threads_sane(const struct scenario *sc)
{
	if (sc->nthreads < 0 || sc->nthreads > SCENARIO_THREAD_SETS_MAX)
		return false;
	for (int i = 0; i < sc->nthreads; i++) {
		const struct scenario_threads *t = &sc->threads[i];

		if (!memchr(t->target, '\0', sizeof t->target) || t->count < 0 ||
		    t->count > SCENARIO_THREADS_MAX || t->group < SCENARIO_TOP_LEVEL ||
		    t->group >= sc->ngroups)
			return false;
	}
	return true;
}

static bool scenario_sane(const struct scenario *sc)
{
	if (!threads_sane(sc))
		return false;
	if (sc->ngroups < 0 || sc->ngroups > SCENARIO_GROUPS_MAX ||
	    (unsigned)sc->start_method >= SCENARIO_METHODS || !memchr(sc->name, '\0', sizeof sc->name))
		return false;
	for (int g = 0; g < sc->ngroups; g++)
		if (!memchr(sc->groups[g].name, '\0', sizeof sc->groups[g].name) ||
		    sc->groups[g].parent < SCENARIO_TOP_LEVEL || sc->groups[g].parent >= sc->ngroups)
			return false;
	return true;
}

static bool read_prep(int fd, struct prep *p)
{
	size_t got = 0;

	while (got < sizeof *p) {
		ssize_t n = read(fd, (char *)p + got, sizeof *p - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return p->magic == PREP_MAGIC && p->size == sizeof *p && scenario_sane(&p->sc) &&
	       (p->group == LABPROC_NO_GROUP || (p->group >= 0 && p->group < p->sc.ngroups)) &&
	       p->creator > 0 && memchr(p->name, '\0', sizeof p->name);
}

/* A fresh lab process state for an exec'd role. */
static void role_state(struct labproc *lp, const struct scenario *sc, const char *name)
{
	*lp = (struct labproc){ .sc = sc, .conn = CHANNEL_FD, .pid = getpid(),
				.group = LABPROC_NO_GROUP, .lifetime = SCENARIO_FOREVER,
				.next_number = 1, .timerfd = -1, .exe = labproc_exe(),
				.tracker_fd = -1, .server_req = -1, .alive_w = -1,
				.inherited_alive = -1 };
	labthread_init(&lp->threads);
	snprintf(lp->name, sizeof lp->name, "%s", name);
	prctl(PR_SET_NAME, (unsigned long)lp->name, 0, 0, 0);
}

/* What poll() said of the monitor's channel, in a helper's loop: helpers
 * take no command, but the stream must be read (and its end noticed). */
static void watch_channel(struct labproc *lp, const struct pollfd *p)
{
	struct lab_msg ignored;

	if (p->revents & (POLLHUP | POLLRDHUP | POLLERR | POLLNVAL))
		labproc_lifeline_broken();
	if (p->revents & POLLIN)
		labproc_read_channel(lp, &ignored);
}

/* ---- the resource tracker ------------------------------------------------ */

/* resource_tracker.main(fd): ignores SIGINT and SIGTERM, and ends when
 * every process holding its pipe's write end has closed it. */
_Noreturn static void tracker_main(int pipe_fd)
{
	static struct labproc lp;
	char buf[512];

	role_state(&lp, NULL, "resource_tracker");
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	labproc_hello(&lp, getppid(), LAB_HELLO_TRACKER);
	for (;;) {
		struct pollfd p[2] = { { lp.conn, POLLIN | POLLRDHUP, 0 }, { pipe_fd, POLLIN, 0 } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			labproc_lifeline_broken();
		}
		watch_channel(&lp, &p[0]);
		if ((p[1].revents & (POLLIN | POLLHUP)) && read(pipe_fd, buf, sizeof buf) == 0) {
			labproc_report(&lp, EV_TRACKER_EXITS, NULL, 0);
			_exit(0);
		}
	}
}

/* Its pipe has a reader: resource_tracker._check_alive(). */
static bool tracker_alive(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	return poll(&p, 1, 0) >= 0 && !(p.revents & (POLLERR | POLLNVAL));
}

static void start_tracker(struct labproc *lp)
{
	int chan[2], pipefd[2] = { -1, -1 };
	char name[LAB_NAME_MAX];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, chan) < 0) {
		labproc_report_error(lp, EV_OS_ERROR, "socketpair", errno);
		return;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		labproc_report_error(lp, EV_OS_ERROR, "pipe", errno);
		close_fds(chan, 2);
		return;
	}
	helper_name(lp, "resource_tracker", name, sizeof name);
	pid = spawn_role(lp, (const char *[]){ "--resource-tracker", "fd=4", NULL },
			 (int[]){ chan[0], pipefd[0] }, 2);
	close(chan[0]);
	close(pipefd[0]);
	if (pid < 0) {
		close(chan[1]);
		close(pipefd[1]);
		return;
	}
	lp->tracker_fd = pipefd[1];
	lp->tracker = (struct child){ .pid = pid, .pidfd = pidfd_open(pid, 0), .status_fd = -1,
				      .group = LABPROC_NO_GROUP };
	snprintf(lp->tracker.name, sizeof lp->tracker.name, "%s", name);
	labproc_announce(lp, name, false, pid, lp->pid, chan[1]);
}

/* resource_tracker.ensure_running(): starts the tracker, or starts it again
 * (with Python's warning) when the one this process knew has died. */
static void ensure_tracker(struct labproc *lp)
{
	if (lp->tracker_fd >= 0 && tracker_alive(lp->tracker_fd))
		return;
	if (lp->tracker_fd >= 0) {
		close(lp->tracker_fd);
		lp->tracker_fd = -1;
		if (lp->tracker.pid > 0 && !lp->tracker.reaped) {
			int status;

			while (waitpid(lp->tracker.pid, &status, 0) < 0 && errno == EINTR)
				;
			labproc_mark_reaped(lp, &lp->tracker, status);
		}
		labproc_report(lp, EV_TRACKER_RELAUNCHED, NULL, 0);
	}
	start_tracker(lp);
}

/* ---- the fork server ------------------------------------------------------ */

/* In the server's new child: its descriptors in their slots, and who it is
 * to become (the member the request named). */
static void server_child(struct labproc *lp, int g, const struct lab_msg *req,
			 const int *fds, int nfds, struct labstart_member *who)
{
	int slots[3] = { fds[0], nfds == 4 ? fds[3] : -1, fds[2] };

	labproc_keep_slots(slots, 3, false);
	lp->tracker_fd = nfds == 4 ? TRACKER_FD : -1;
	lp->inherited_alive = ALIVE_FD;
	signal(SIGINT, SIG_DFL); /* the server's own protection is not inherited */
	*who = (struct labstart_member){ .lp = lp, .group = g, .creator = req->pid };
	snprintf(who->name, sizeof who->name, "%s", req->name);
}

/* One request: fds are the child's channel, the status socket to answer
 * on, the creator's alive pipe and (when there is one) the tracker's pipe.
 * True in the new child, with who filled. */
static bool serve_request(struct labproc *lp, const struct lab_msg *req, int *fds, int nfds,
			  struct labstart_member *who)
{
	int g = scenario_group_index(lp->sc, req->text);
	struct lab_msg answer;
	struct child *c;
	pid_t pid;

	if (req->type != LAB_FS_FORK || nfds < 3 || g < 0 || lp->nchildren == CHILDREN_MAX)
		return false;
	pid = fork();
	if (pid == 0) {
		server_child(lp, g, req, fds, nfds, who);
		return true;
	}
	answer = lab_msg_make(LAB_FS_STARTED, lp->pid, req->name, NULL);
	if (pid < 0) {
		snprintf(answer.text, sizeof answer.text, "fork");
		answer.error = errno;
		lab_msg_send(fds[1], &answer, -1);
		return false;
	}
	c = &lp->children[lp->nchildren++];
	*c = (struct child){ .pid = pid, .pidfd = pidfd_open(pid, 0), .status_fd = fds[1],
			     .group = g };
	snprintf(c->name, sizeof c->name, "%s", req->name);
	fds[1] = -1; /* kept: the child's end is told on it */
	answer.target = pid;
	lab_msg_send(c->status_fd, &answer, c->pidfd);
	return false;
}

/* True in a new child (its descriptors already in their slots), with who filled. */
static bool read_request(struct labproc *lp, int *req, struct labstart_member *who)
{
	int fds[LAB_MSG_FDS_MAX], nfds;
	struct lab_msg m;
	int rc = lab_msg_recv_fds(*req, &m, fds, LAB_MSG_FDS_MAX, &nfds);

	if (rc == 1 && serve_request(lp, &m, fds, nfds, who))
		return true;
	close_fds(fds, nfds);
	if (rc == 0 || (rc < 0 && rc != -EBADMSG && rc != -EAGAIN)) {
		close(*req); /* its creator has gone: no more requests */
		*req = -1;
	}
	return false;
}

/* The server reaps its child at once and tells the creator how it ended. */
static void server_reap(struct labproc *lp, int i, bool block)
{
	struct child *c = &lp->children[i];
	struct lab_msg told;
	int status;

	if (waitpid(c->pid, &status, block ? 0 : WNOHANG) != c->pid)
		return;
	c->status = status;
	labproc_report_child(lp, LAB_REAPED, c);
	told = lab_msg_make(LAB_FS_EXITED, lp->pid, c->name, NULL);
	told.target = c->pid;
	told.value = status;
	lab_msg_send(c->status_fd, &told, -1);
	close(c->status_fd);
	close(c->pidfd);
	lp->children[i] = lp->children[--lp->nchildren];
}

/* forkserver.main(): forks a child for each request, reaps each at once,
 * ignores SIGINT, and ends when every holder of its alive pipe (its creator
 * and the children it forked) has ended. Returns only in a child it forked,
 * with who filled. */
static void server_main(int req, int alive_r, int pipe_fd, struct labstart_member *who)
{
	static struct prep prep;
	static struct labproc lp;
	static struct pollfd p[3 + CHILDREN_MAX];

	if (!read_prep(pipe_fd, &prep))
		_exit(1);
	close(pipe_fd);
	role_state(&lp, &prep.sc, prep.name);
	signal(SIGINT, SIG_IGN);
	labproc_hello(&lp, prep.creator, LAB_HELLO_FORKSERVER);
	for (;;) {
		int n = lp.nchildren;
		char byte;

		p[0] = (struct pollfd){ lp.conn, POLLIN | POLLRDHUP, 0 };
		p[1] = (struct pollfd){ alive_r, POLLIN, 0 };
		p[2] = (struct pollfd){ req, POLLIN, 0 };
		for (int i = 0; i < n; i++)
			p[3 + i] = (struct pollfd){ lp.children[i].pidfd, POLLIN, 0 };
		if (poll(p, (nfds_t)(3 + n), -1) < 0) {
			if (errno == EINTR)
				continue;
			labproc_lifeline_broken();
		}
		watch_channel(&lp, &p[0]);
		for (int i = n; i-- > 0;)
			if (p[3 + i].revents & POLLIN)
				server_reap(&lp, i, false);
		if (p[2].revents && read_request(&lp, &req, who))
			return;
		if ((p[1].revents & (POLLIN | POLLHUP)) && read(alive_r, &byte, 1) == 0) {
			while (lp.nchildren) /* every holder is ending: reap them first */
				server_reap(&lp, lp.nchildren - 1, true);
			_exit(0);
		}
	}
}

/* The server this process started is still running (ensure_running()). */
static bool server_alive(struct labproc *lp)
{
	int status;

	if (lp->server.pid <= 0 || lp->server.reaped)
		return false;
	if (waitpid(lp->server.pid, &status, WNOHANG) != lp->server.pid)
		return true;
	labproc_mark_reaped(lp, &lp->server, status);
	close(lp->server_req);
	close(lp->alive_w);
	lp->server_req = lp->alive_w = -1;
	return false;
}

static void start_server(struct labproc *lp)
{
	int chan[2] = { -1, -1 }, req[2] = { -1, -1 }, alive[2] = { -1, -1 }, prep = -1;
	char name[LAB_NAME_MAX];
	pid_t pid = -1;

	helper_name(lp, "forkserver", name, sizeof name);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, chan) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, req) < 0 ||
	    pipe2(alive, O_CLOEXEC) < 0 || (prep = prep_pipe(lp, LABPROC_NO_GROUP, name)) < 0)
		labproc_report_error(lp, EV_OS_ERROR, "cannot start the fork server", errno);
	else
		pid = spawn_role(lp, (const char *[]){ "--forkserver", "request_fd=4", "alive_r=5",
						      "pipe_handle=6", NULL },
				 (int[]){ chan[0], req[1], alive[0], prep }, 4);
	close_fds((int[]){ chan[0], req[1], alive[0], prep }, 4);
	if (pid < 0) {
		close_fds((int[]){ chan[1], req[0], alive[1] }, 3);
		return;
	}
	lp->server = (struct child){ .pid = pid, .pidfd = pidfd_open(pid, 0), .status_fd = -1,
				     .group = LABPROC_NO_GROUP };
	snprintf(lp->server.name, sizeof lp->server.name, "%s", name);
	lp->server_req = req[0];
	lp->alive_w = alive[1];
	labproc_announce(lp, name, false, pid, lp->pid, chan[1]);
}

/* The server's first answer about a request: the child's PID and pidfd.
 * Waits as long as it takes, unless the lifeline breaks. */
static pid_t await_started(struct labproc *lp, int status_fd, int *pidfd)
{
	struct pollfd p[2] = { { status_fd, POLLIN, 0 }, { lp->conn, POLLRDHUP, 0 } };
	struct lab_msg m;
	int rc;

	while (poll(p, 2, -1) < 0)
		if (errno != EINTR)
			labproc_lifeline_broken();
	if (p[1].revents & (POLLHUP | POLLRDHUP | POLLERR))
		labproc_lifeline_broken();
	rc = lab_msg_recv(status_fd, &m, pidfd);
	if (rc == 1 && m.type == LAB_FS_STARTED && m.target > 0 && *pidfd >= 0)
		return m.target;
	if (*pidfd >= 0)
		close(*pidfd);
	*pidfd = -1;
	if (rc == 1 && m.error)
		labproc_report_error(lp, EV_OS_ERROR, m.text, m.error);
	else
		labproc_report(lp, EV_SERVER_EOF, NULL, 0);
	return -1;
}

static pid_t forkserver_child(struct labproc *lp, int g, struct child *c, int conn,
			      pid_t *parent)
{
	struct lab_msg m = lab_msg_make(LAB_FS_FORK, lp->pid, c->name, lp->sc->groups[g].name);
	int st[2], rc;
	pid_t pid;

	ensure_tracker(lp);
	if (!server_alive(lp))
		start_server(lp);
	if (lp->server_req < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, st) < 0) {
		labproc_report_error(lp, EV_OS_ERROR, "socketpair", errno);
		return -1;
	}
	rc = lab_msg_send_fds(lp->server_req, &m, (int[]){ conn, st[1], lp->alive_w, lp->tracker_fd },
			      lp->tracker_fd >= 0 ? 4 : 3);
	close(st[1]);
	pid = rc < 0 ? -1 : await_started(lp, st[0], &c->pidfd);
	if (rc < 0)
		labproc_report_error(lp, EV_SERVER_UNREACHABLE, NULL, -rc);
	if (pid < 0) {
		close(st[0]);
		return -1;
	}
	c->status_fd = st[0];
	*parent = lp->server.pid;
	return pid;
}

/* ---- spawn and fork ------------------------------------------------------- */

static pid_t spawn_child(struct labproc *lp, int g, struct child *c, int conn)
{
	char tracker_arg[32], pipe_arg[32];
	int prep;
	pid_t pid;

	ensure_tracker(lp);
	prep = prep_pipe(lp, g, c->name);
	if (prep < 0) {
		labproc_report_error(lp, EV_OS_ERROR, "pipe", errno);
		return -1;
	}
	snprintf(tracker_arg, sizeof tracker_arg, "tracker_fd=%d",
		 lp->tracker_fd >= 0 ? TRACKER_FD : -1);
	snprintf(pipe_arg, sizeof pipe_arg, "pipe_handle=%d", TRACKER_FD + 1);
	pid = spawn_role(lp, (const char *[]){ "--multiprocessing-fork", tracker_arg, pipe_arg, NULL },
			 (int[]){ conn, lp->tracker_fd, prep }, 3);
	close(prep);
	if (pid > 0)
		c->pidfd = pidfd_open(pid, 0); /* our unreaped child: cannot be a recycled PID */
	return pid;
}

/* In the new process: 0, its descriptors in their slots. */
static pid_t fork_child(struct labproc *lp, struct child *c, int conn)
{
	pid_t pid = fork();

	if (pid == 0) {
		int slots[3] = { conn, lp->tracker_fd, lp->inherited_alive };

		labproc_keep_slots(slots, 3, false);
		lp->tracker_fd = lp->tracker_fd >= 0 ? TRACKER_FD : -1;
		lp->inherited_alive = lp->inherited_alive >= 0 ? ALIVE_FD : -1;
		return 0;
	}
	if (pid < 0)
		labproc_report_error(lp, EV_OS_ERROR, "fork", errno);
	else
		c->pidfd = pidfd_open(pid, 0); /* our unreaped child: cannot be a recycled PID */
	return pid;
}

pid_t labstart_child(struct labproc *lp, int g, struct child *c, int conn, pid_t *parent)
{
	*parent = lp->pid;
	switch (lp->sc->start_method) {
	case SCENARIO_SPAWN: return spawn_child(lp, g, c, conn);
	case SCENARIO_FORKSERVER: return forkserver_child(lp, g, c, conn, parent);
	default: return fork_child(lp, c, conn);
	}
}

/* ---- entering a role after exec ------------------------------------------- */

/* Who the exec'd child is to become, from its preparation data. */
static void worker_main(int tracker_fd, int pipe_fd, struct labstart_member *who)
{
	static struct prep prep;
	static struct labproc lp;

	if (!read_prep(pipe_fd, &prep) || prep.group < 0) {
		struct lab_msg m = lab_msg_report(EV_SPAWN_EOF, getpid(), 0, NULL);

		lab_msg_send(CHANNEL_FD, &m, -1);
		_exit(1);
	}
	close(pipe_fd);
	role_state(&lp, &prep.sc, prep.name);
	lp.tracker_fd = tracker_fd;
	*who = (struct labstart_member){ .lp = &lp, .group = prep.group, .creator = prep.creator };
	snprintf(who->name, sizeof who->name, "%s", prep.name);
}

/* "name=N" with N an open descriptor above stdio (or -1 when allowed). */
static bool fd_arg(const char *arg, const char *name, bool may_be_none, int *fd)
{
	size_t len = strlen(name);
	char *end;
	long v;

	if (strncmp(arg, name, len) != 0 || arg[len] != '=')
		return false;
	errno = 0;
	v = strtol(arg + len + 1, &end, 10);
	if (errno || *end || end == arg + len + 1)
		return false;
	if (v == -1 && may_be_none) {
		*fd = -1;
		return true;
	}
	if (v <= CHANNEL_FD || v > 64 || fcntl((int)v, F_SETFD, FD_CLOEXEC) < 0)
		return false;
	*fd = (int)v;
	return true;
}

bool labstart_is_role(const char *arg)
{
	return arg && (!strcmp(arg, "--multiprocessing-fork") || !strcmp(arg, "--resource-tracker") ||
		       !strcmp(arg, "--forkserver"));
}

static bool in_lab(void)
{
	int type;
	socklen_t len = sizeof type;

	return getsockopt(CHANNEL_FD, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
	       type == SOCK_SEQPACKET && fcntl(CHANNEL_FD, F_SETFD, FD_CLOEXEC) == 0;
}

int labstart_role(int argc, char **argv, struct labstart_member *who)
{
	int a, b, c;

	if (!in_lab()) {
		fputs("forktop: ", stderr);
		/* TRANSLATORS: %s is an option forktop gives the programs it execs as
		   lab processes (--forkserver). */
		fprintf(stderr, _("%s is a role of lab processes: only a lab process starts "
				  "forktop with it"), argv[1]);
		fputc('\n', stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--multiprocessing-fork") && argc == 4 &&
	    fd_arg(argv[2], "tracker_fd", true, &a) && fd_arg(argv[3], "pipe_handle", false, &b)) {
		worker_main(a, b, who);
		return 0;
	}
	if (!strcmp(argv[1], "--resource-tracker") && argc == 3 && fd_arg(argv[2], "fd", false, &a))
		tracker_main(a);
	if (!strcmp(argv[1], "--forkserver") && argc == 5 && fd_arg(argv[2], "request_fd", false, &a) &&
	    fd_arg(argv[3], "alive_r", false, &b) && fd_arg(argv[4], "pipe_handle", false, &c)) {
		server_main(a, b, c, who);
		return 0;
	}
	fputs("forktop: ", stderr);
	fprintf(stderr, _("%s: bad arguments"), argv[1]);
	fputc('\n', stderr);
	return 2;
}
