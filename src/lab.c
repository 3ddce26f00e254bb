/* lab: the monitor's side of the lab. Every lab process has one channel to
 * the monitor. Main's channel is made before main is forked; a child's is
 * made by its creator before the fork, and the creator hands the monitor's
 * end over its own channel (LAB_NEW_CHILD). No socket is ever listening. */
#include "lab.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "labproc.h"
#include "pidref.h"

/* When an event happened: a message's send time while dispatching it, else now. */
static struct timespec event_time(struct lab *lab)
{
	struct timespec now;

	if (lab->dispatching)
		return lab->now;
	clock_gettime(CLOCK_REALTIME, &now);
	return now;
}

__attribute__((format(printf, 4, 5)))
static void note(struct lab *lab, enum track_kind kind, const struct lab_member *m,
		 const char *fmt, ...)
{
	char text[TRACK_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	track_note_at(lab->track, event_time(lab), kind, m ? m->pid : 0, m ? m->name : "",
		      SCAN_NO_STATUS, text);
}

__attribute__((format(printf, 4, 5)))
static int refuse(struct lab *lab, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	track_note(lab->track, TRACK_LAB_ERROR, 0, "forktop", SCAN_NO_STATUS, err);
	return -1;
}

static struct lab_member *add_member(struct lab *lab)
{
	struct lab_member *m;

	if (lab->count == lab->cap) {
		size_t cap = lab->cap ? lab->cap * 2 : 16;
		struct lab_member *p = realloc(lab->members, cap * sizeof *p);

		if (!p)
			return NULL;
		lab->members = p;
		lab->cap = cap;
	}
	m = &lab->members[lab->count++];
	*m = (struct lab_member){ .conn = -1, .pidfd = -1, .exit_status = SCAN_NO_STATUS };
	return m;
}

static const struct lab_member *member_by_pid(const struct lab *lab, pid_t pid)
{
	for (size_t i = lab->count; i-- > 0;)
		if (lab->members[i].pid == pid && !lab->members[i].gone)
			return &lab->members[i];
	return NULL;
}

static struct lab_member *by_pid(struct lab *lab, pid_t pid)
{
	return (struct lab_member *)member_by_pid(lab, pid);
}

/* A member that left /proc for good: its pidfd is no longer needed. */
static void mark_gone(struct lab_member *m)
{
	m->gone = true;
	m->exited = true;
	if (m->pidfd >= 0) {
		close(m->pidfd);
		m->pidfd = -1;
	}
}

static struct lab_member *by_name(const struct lab *lab, const char *name)
{
	for (size_t i = lab->count; i-- > 0;)
		if (!strcmp(lab->members[i].name, name))
			return &lab->members[i];
	return NULL;
}

static void set_nonblocking(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

int lab_start(struct lab *lab, const struct scenario *sc, struct track *track, char *err,
	      size_t errlen)
{
	struct lab_member *m;
	int sp[2];
	pid_t pid;

	memset(lab, 0, sizeof *lab);
	lab->sc = *sc;
	lab->track = track;
	lab->monitor_pid = getpid();
	m = add_member(lab);
	if (!m || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		snprintf(err, errlen, "cannot make the lab's channel: %s", strerror(errno));
		return -1;
	}
	fflush(NULL); /* main must not flush the monitor's buffered output again */
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "cannot start the lab: fork: %s", strerror(errno));
		close(sp[0]);
		close(sp[1]);
		return -1;
	}
	if (pid == 0) {
		close(sp[1]);
		labproc_main(&lab->sc, sp[0]);
	}
	close(sp[0]);
	setpgid(pid, pid); /* as main does itself: no window where it shares ours */
	set_nonblocking(sp[1]);
	m->pid = pid;
	m->conn = sp[1];
	m->pidfd = pidfd_open(pid, 0); /* our own unreaped child */
	m->creator = m->forker = lab->monitor_pid;
	snprintf(m->name, sizeof m->name, "MainProcess");
	snprintf(m->creator_name, sizeof m->creator_name, "forktop");
	snprintf(m->forker_name, sizeof m->forker_name, "forktop");
	lab->started = true;
	note(lab, TRACK_LAB, m, "started MainProcess (pid %d): scenario %s, start method %s", pid,
	     sc->name, scenario_method_name(sc->start_method));
	return 0;
}

/* Records an exit status once, with where it came from. */
static void record_exit(struct lab *lab, struct lab_member *m, int status,
			enum lab_exit_source source, const char *how)
{
	char code[16], text[TRACK_TEXT_MAX];

	if (m->exit_source != LAB_EXIT_UNKNOWN)
		return;
	m->exit_status = status;
	m->exit_source = source;
	lab_exit_text(m, code, sizeof code);
	snprintf(text, sizeof text, "%s (pid %d) exitcode %s (%s)", m->name, m->pid, code, how);
	track_note_at(lab->track, event_time(lab), TRACK_LAB, m->pid, m->name, status, text);
}

static void on_hello(struct lab *lab, struct lab_member *m, const struct lab_msg *msg, int fd)
{
	pid_t fd_pid = fd >= 0 ? pidref_pid(fd) : PIDREF_NOT_PIDFD;

	if (m->pid == 0 && msg->pid > 0 && fd_pid == msg->pid)
		m->pid = msg->pid; /* a daemon born after a double fork tells its PID now */
	/* A pidfd a process opened on itself is its own, also when that process
	 * has already been reaped by the time its hello is read (Pid: -1). */
	if (m->pidfd >= 0 || msg->pid != m->pid || (fd_pid != m->pid && fd_pid != PIDREF_REAPED)) {
		if (fd >= 0)
			close(fd);
		if (m->pidfd < 0)
			note(lab, TRACK_LAB_ERROR, m, "a bad hello on the channel of pid %d", m->pid);
		return;
	}
	m->pidfd = fd;
	m->daemon = (msg->value & LAB_HELLO_DAEMON) != 0;
	m->unix_daemon = (msg->value & LAB_HELLO_UNIX_DAEMON) != 0;
	m->tracker = (msg->value & LAB_HELLO_TRACKER) != 0;
	m->forkserver = (msg->value & LAB_HELLO_FORKSERVER) != 0;
	if (m->unix_daemon)
		note(lab, TRACK_LAB, m, "%s is a Unix daemon (pid %d): its own session, no terminal",
		     m->name, m->pid);
	snprintf(m->group, sizeof m->group, "%.*s", LAB_NAME_MAX - 1, msg->text);
}

static void on_new_child(struct lab *lab, struct lab_member *creator,
			 const struct lab_msg *msg, int fd)
{
	struct lab_member *m;
	const struct lab_member *forker;
	size_t creator_index = (size_t)(creator - lab->members);

	if (fd < 0 || msg->target < 0 || !(m = add_member(lab))) {
		if (fd >= 0)
			close(fd); /* the child sees its lifeline break and ends */
		return;
	}
	creator = &lab->members[creator_index]; /* add_member may have moved the array */
	set_nonblocking(fd);
	m->pid = msg->target;
	m->conn = fd;
	m->daemon = (msg->value & LAB_HELLO_DAEMON) != 0; /* known before its hello */
	m->creator = creator->pid;
	m->depth = creator->depth + 1;
	snprintf(m->name, sizeof m->name, "%s", msg->name);
	snprintf(m->creator_name, sizeof m->creator_name, "%s", creator->name);
	forker = msg->creator ? member_by_pid(lab, msg->creator) : creator;
	m->forker = forker ? forker->pid : msg->creator;
	snprintf(m->forker_name, sizeof m->forker_name, "%s", forker ? forker->name : "?");
	if (m->pid && m->forker != creator->pid)
		note(lab, TRACK_LAB, creator, "%s started %s (pid %d) through %s (pid %d)",
		     creator->name, m->name, m->pid, m->forker_name, m->forker);
	else if (m->pid)
		note(lab, TRACK_LAB, creator, "%s started %s (pid %d)", creator->name, m->name, m->pid);
}

static void on_reaped(struct lab *lab, struct lab_member *parent, const struct lab_msg *msg)
{
	struct lab_member *child = by_pid(lab, msg->target);
	char how[128];

	if (!child || child->forker != parent->pid)
		return;
	snprintf(how, sizeof how, "reaped by its %s %s",
		 parent->forkserver ? "fork server" : "creator", parent->name);
	record_exit(lab, child, msg->value, LAB_EXIT_CREATOR, how);
	mark_gone(child);
}

static void on_join(struct lab *lab, struct lab_member *m, const struct lab_msg *msg, bool begin)
{
	m->joining = begin ? msg->target : 0;
	if (begin) {
		note(lab, TRACK_LAB, m, "%s blocked in join(%s)", m->name, msg->name);
	} else if (!strcmp(msg->text, "timeout")) {
		note(lab, TRACK_LAB, m, "%s: join(%s, timeout) returned after the timeout: %s still "
		     "runs, unreaped", m->name, msg->name, msg->name);
	} else {
		char code[16];

		lab_status_text(msg->value, code, sizeof code); /* what join() gave the creator */
		note(lab, TRACK_LAB, m, "%s: join(%s) returned, exitcode %s", m->name, msg->name, code);
	}
}

static void on_message(struct lab *lab, size_t index, const struct lab_msg *msg, int fd)
{
	struct lab_member *m = &lab->members[index];

	if (msg->pid != m->pid && !(m->pid == 0 && msg->type == LAB_HELLO)) {
		/* a process speaks only for itself */
		if (fd >= 0)
			close(fd);
		return;
	}
	switch (msg->type) {
	case LAB_HELLO: on_hello(lab, m, msg, fd); return;
	case LAB_NEW_CHILD: on_new_child(lab, m, msg, fd); return;
	default: break;
	}
	if (fd >= 0)
		close(fd);
	switch (msg->type) {
	case LAB_LOG:
		track_note_at(lab->track, event_time(lab), TRACK_LAB_LOG, m->pid, m->name,
			      SCAN_NO_STATUS, msg->text);
		if (strstr(msg->text, "] process shutting down"))
			m->in_exit_routine = true;
		break;
	case LAB_ERROR:
		track_note_at(lab->track, event_time(lab), TRACK_LAB_ERROR, m->pid, m->name,
			      SCAN_NO_STATUS, msg->text);
		break;
	case LAB_NOTE:
		track_note_at(lab->track, event_time(lab), TRACK_LAB, m->pid, m->name,
			      SCAN_NO_STATUS, msg->text);
		break;
	case LAB_REAPED: on_reaped(lab, m, msg); break;
	case LAB_JOIN_BEGIN: on_join(lab, m, msg, true); break;
	case LAB_JOIN_END: on_join(lab, m, msg, false); break;
	case LAB_ALIVE:
		note(lab, TRACK_LAB, m, "%s: %s.is_alive() -> %s", m->name, msg->name,
		     msg->value ? "True" : "False");
		break;
	default: break; /* commands go the other way */
	}
}

/* Messages of one round, from every ready channel, dispatched in the order
 * their senders sent them (each channel alone is in order; together they
 * are not, since poll() reports them all at once). */
#define ROUND_MAX 256

struct received {
	struct lab_msg msg;
	int fd;
	size_t index; /* the member whose channel it came on */
};

static size_t read_channel(struct lab *lab, size_t index, struct received *round, size_t n)
{
	while (n < ROUND_MAX) {
		struct received *r = &round[n];
		int rc = lab_msg_recv(lab->members[index].conn, &r->msg, &r->fd);

		if (rc == -EAGAIN)
			break;
		if (rc == -EBADMSG)
			continue;
		if (rc <= 0) { /* the process has ended (or closed its channel) */
			lab->members[index].conn_ended = true; /* closed after the round, so that
								   its number is not reused within it */
			break;
		}
		r->index = index;
		n++;
	}
	return n;
}

static void dispatch_in_send_order(struct lab *lab, struct received *round, size_t n)
{
	for (size_t i = 1; i < n; i++) { /* stable insertion sort: n is small */
		struct received r = round[i];
		size_t j = i;

		for (; j > 0 && round[j - 1].msg.sent_ns > r.msg.sent_ns; j--)
			round[j] = round[j - 1];
		round[j] = r;
	}
	lab->dispatching = true;
	for (size_t i = 0; i < n; i++) {
		lab->now.tv_sec = round[i].msg.sent_ns / 1000000000;
		lab->now.tv_nsec = round[i].msg.sent_ns % 1000000000;
		on_message(lab, round[i].index, &round[i].msg, round[i].fd);
	}
	lab->dispatching = false;
}

/* Reaps m if it is the monitor's child (main, or an orphan adopted as a
 * subreaper) and has ended. True when it did. */
static bool reap_own(struct lab *lab, struct lab_member *m)
{
	int status;

	if (m->pid <= 0 || waitpid(m->pid, &status, WNOHANG) != m->pid)
		return false;
	record_exit(lab, m, status, LAB_EXIT_MONITOR, m->creator == lab->monitor_pid
			  ? "reaped by forktop" : "reaped by forktop, its subreaper");
	mark_gone(m);
	m->joining = 0;
	return true;
}

/* A lab process ended. If it is the monitor's child (main, or an orphan the
 * monitor adopted as a subreaper), the monitor reaps it, as PID 1 would:
 * waitpid() reaches only the monitor's own children, whose PIDs cannot have
 * been recycled before this wait. */
static void on_ended(struct lab *lab, struct lab_member *m)
{
	m->exited = true;
	if (reap_own(lab, m))
		return;
	note(lab, TRACK_LAB, m, "%s (pid %d) ended", m->name, m->pid);
	m->joining = 0;
}

size_t lab_poll_fds(const struct lab *lab, struct pollfd *fds, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < lab->count && n < cap; i++) {
		const struct lab_member *m = &lab->members[i];

		if (m->conn >= 0)
			fds[n++] = (struct pollfd){ .fd = m->conn, .events = POLLIN };
		if (m->pidfd >= 0 && !m->exited && n < cap)
			fds[n++] = (struct pollfd){ .fd = m->pidfd, .events = POLLIN };
	}
	return n;
}

void lab_handle(struct lab *lab, const struct pollfd *fds, size_t n)
{
	static struct received round[ROUND_MAX];
	size_t got = 0;

	for (size_t k = 0; k < n; k++) {
		if (!fds[k].revents)
			continue;
		for (size_t i = 0; i < lab->count; i++) {
			if (lab->members[i].conn == fds[k].fd && !lab->members[i].conn_ended) {
				got = read_channel(lab, i, round, got);
				break;
			}
		}
	}
	dispatch_in_send_order(lab, round, got);
	for (size_t k = 0; k < n; k++) {
		if (!fds[k].revents)
			continue;
		for (size_t i = 0; i < lab->count; i++) {
			struct lab_member *m = &lab->members[i];

			if (m->pidfd == fds[k].fd && !m->exited) {
				on_ended(lab, m);
				break;
			}
		}
	}
	for (size_t i = 0; i < lab->count; i++) {
		struct lab_member *m = &lab->members[i];

		if (m->conn_ended) {
			close(m->conn);
			m->conn = -1;
			m->conn_ended = false;
		}
	}
}

static const struct scan_proc *find_proc(const struct scan_snapshot *snap, pid_t pid)
{
	for (size_t i = 0; i < snap->count; i++)
		if (snap->procs[i].pid == pid)
			return &snap->procs[i];
	return NULL;
}

/* An exited member whose exit code is still unknown: ask its pidfd. */
static void ask_pidfd(struct lab *lab, struct lab_member *m, bool in_proc)
{
	int status, rc;

	if (m->exit_source != LAB_EXIT_UNKNOWN || m->pidfd < 0)
		return;
	rc = pidref_exit_status(m->pidfd, &status);
	if (rc == 0)
		record_exit(lab, m, status, LAB_EXIT_PIDFD, "from its pidfd: reaped by another process");
	else if (!in_proc && rc == -EOPNOTSUPP)
		note(lab, TRACK_LAB, m, "%s (pid %d) was reaped by another process; this kernel "
		     "does not show its exit code", m->name, m->pid);
}

void lab_observe(struct lab *lab, const struct scan_snapshot *snap)
{
	for (size_t i = 0; i < lab->count; i++) {
		struct lab_member *m = &lab->members[i];
		const struct scan_proc *p;

		if (m->gone)
			continue;
		p = find_proc(snap, m->pid);
		if (p && m->start_time == 0)
			m->start_time = p->start_time;
		if (p && p->start_time != m->start_time)
			p = NULL; /* its PID now belongs to another process */
		if (p) {
			m->ppid = p->ppid;
			m->sid = p->sid;
		}
		if (p && p->state == 'Z' && p->exit_status != SCAN_NO_STATUS)
			record_exit(lab, m, p->exit_status, LAB_EXIT_ZOMBIE, "read from its zombie");
		/* a zombie that came to the monitor (a subreaper) after it ended */
		if (p && p->state == 'Z' && p->ppid == lab->monitor_pid && reap_own(lab, m))
			continue;
		if (m->exited)
			ask_pidfd(lab, m, p != NULL);
		if (m->exited && !p)
			mark_gone(m);
	}
}

size_t lab_watch_pids(const struct lab *lab, pid_t *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < lab->count && n < cap; i++)
		if (!lab->members[i].gone && lab->members[i].pid > 0)
			out[n++] = lab->members[i].pid;
	return n;
}

const struct lab_member *lab_member_of(const struct lab *lab, const struct scan_proc *p)
{
	for (size_t i = lab->count; i-- > 0;) {
		const struct lab_member *m = &lab->members[i];

		if (m->pid == p->pid && m->pid > 0 && !m->gone &&
		    (!m->start_time || m->start_time == p->start_time))
			return m;
	}
	return NULL;
}

const struct lab_member *lab_find(const struct lab *lab, const char *name)
{
	return by_name(lab, name);
}

const struct lab_member *lab_main(const struct lab *lab)
{
	return lab->count ? &lab->members[0] : NULL;
}

bool lab_running(const struct lab *lab)
{
	for (size_t i = 0; i < lab->count; i++)
		if (!lab->members[i].exited)
			return true;
	return false;
}

/* ---- actions -------------------------------------------------------- */

/* Says that m has ended, and whether its PID now names another process
 * (which nothing here will signal: the pidfd named m alone). */
static int refuse_ended(struct lab *lab, const struct lab_member *m, char *err, size_t errlen)
{
	struct scan_stat_line st;
	bool recycled = m->start_time && scan_read_stat(m->pid, &st) &&
			st.start_time != m->start_time;

	return refuse(lab, err, errlen, "%s (pid %d) has already ended%s", m->name, m->pid,
		      recycled ? ": its PID now belongs to another process, which was not signalled"
			       : "");
}

static struct lab_member *live_member(struct lab *lab, const char *name, char *err,
				      size_t errlen)
{
	struct lab_member *m = by_name(lab, name);

	if (!m) {
		refuse(lab, err, errlen, "no lab process is named %s", name);
		return NULL;
	}
	if (m->exited || m->gone) {
		refuse_ended(lab, m, err, errlen);
		return NULL;
	}
	return m;
}

int lab_signal(struct lab *lab, const char *name, int sig, char *err, size_t errlen)
{
	struct lab_member *m = live_member(lab, name, err, errlen);
	int rc;

	if (!m)
		return -1;
	if (m->pidfd < 0)
		return refuse(lab, err, errlen, "%s has not started yet", name);
	if ((sig == SIGSTOP || sig == SIGTSTP) && lab->count && lab->members[0].exited)
		return refuse(lab, err, errlen, "no SIGSTOP once MainProcess has ended: the lab's "
			      "process group is orphaned, and a stopped process could not see "
			      "forktop end (its lifeline)");
	rc = pidref_signal(m->pidfd, sig);
	if (rc == -ESRCH)
		return refuse_ended(lab, m, err, errlen);
	if (rc < 0)
		return refuse(lab, err, errlen, "cannot signal %s: %s", name, strerror(-rc));
	note(lab, TRACK_LAB, m, "forktop sent SIG%s to %s (pid %d)", sigabbrev_np(sig), name, m->pid);
	return 0;
}

int lab_terminate(struct lab *lab, const char *name, char *err, size_t errlen)
{
	return lab_signal(lab, name, SIGTERM, err, errlen);
}

int lab_kill(struct lab *lab, const char *name, char *err, size_t errlen)
{
	return lab_signal(lab, name, SIGKILL, err, errlen);
}

static int command(struct lab *lab, struct lab_member *to, enum lab_msg_type type,
		   pid_t target, const char *name, int value, char *err, size_t errlen)
{
	struct lab_msg msg = lab_msg_make(type, to->pid, name, NULL);

	msg.target = target;
	msg.value = value;
	if (to->conn < 0 || lab_msg_send(to->conn, &msg, -1) < 0)
		return refuse(lab, err, errlen, "%s (pid %d) no longer listens", to->name, to->pid);
	return 0;
}

/* The process that asks about target: the one named, or target's creator. */
static struct lab_member *asker_for(struct lab *lab, struct lab_member *t, const char *asker,
				    const char *what, char *err, size_t errlen)
{
	struct lab_member *a;

	if (asker)
		return live_member(lab, asker, err, errlen);
	a = by_pid(lab, t->creator);
	if (!a || a->exited) {
		refuse(lab, err, errlen, "%s's creator %s has ended: nobody can %s %s", t->name,
		       t->creator_name, what, t->name);
		return NULL;
	}
	return a;
}

/* A command about target to the process that asks (its creator unless named):
 * join() and is_alive() are calls a creator makes on its child. */
static int ask_about(struct lab *lab, const char *target, const char *asker, const char *what,
		     enum lab_msg_type type, int value, char *err, size_t errlen)
{
	struct lab_member *t = by_name(lab, target), *a;

	if (!t)
		return refuse(lab, err, errlen, "no lab process is named %s", target);
	if (t->depth == 0)
		return refuse(lab, err, errlen, "MainProcess has no creator in the lab to %s it", what);
	if (!(a = asker_for(lab, t, asker, what, err, errlen)))
		return -1;
	return command(lab, a, type, t->pid, t->name, value, err, errlen);
}

int lab_poll(struct lab *lab, const char *target, const char *asker, char *err, size_t errlen)
{
	return ask_about(lab, target, asker, "test", LAB_CMD_POLL, -1, err, errlen);
}

int lab_join(struct lab *lab, const char *target, const char *joiner, int timeout_ms, char *err,
	     size_t errlen)
{
	return ask_about(lab, target, joiner, "join", LAB_CMD_JOIN, timeout_ms, err, errlen);
}

/* The live process that starts members of group g: main, or the first live
 * member of the parent group. */
static struct lab_member *group_creator(struct lab *lab, int g)
{
	int parent = lab->sc.groups[g].parent;

	if (parent == SCENARIO_TOP_LEVEL)
		return &lab->members[0];
	for (size_t i = 0; i < lab->count; i++) {
		struct lab_member *m = &lab->members[i];

		if (!m->exited && !strcmp(m->group, lab->sc.groups[parent].name))
			return m;
	}
	return NULL;
}

int lab_spawn(struct lab *lab, const char *target, char *err, size_t errlen)
{
	int g = scenario_group_index(&lab->sc, target);
	struct lab_member *creator;

	if (g < 0) {
		struct lab_member *like = by_name(lab, target);

		if (!like)
			return refuse(lab, err, errlen, "no group or lab process is named %s", target);
		if (like->depth == 0)
			return refuse(lab, err, errlen, "MainProcess is in no group: name a group");
		g = scenario_group_index(&lab->sc, like->group);
		creator = by_pid(lab, like->creator);
	} else {
		creator = group_creator(lab, g);
	}
	if (g < 0 || !creator || creator->exited)
		return refuse(lab, err, errlen, "the creator of group %s has ended: nobody can start "
			      "another", g >= 0 ? lab->sc.groups[g].name : target);
	return command(lab, creator, LAB_CMD_SPAWN, 0, lab->sc.groups[g].name, 0, err, errlen);
}

int lab_exit_main(struct lab *lab, char *err, size_t errlen)
{
	struct lab_member *m = live_member(lab, "MainProcess", err, errlen);

	if (!m)
		return -1;
	note(lab, TRACK_LAB, m, "forktop asked MainProcess to exit normally");
	return command(lab, m, LAB_CMD_EXIT, 0, "", 0, err, errlen);
}

int lab_kill_main(struct lab *lab, char *err, size_t errlen)
{
	return lab_signal(lab, "MainProcess", SIGKILL, err, errlen);
}

/* ---- ending ---------------------------------------------------------- */

/* Waits until every pidfd says its process ended, for at most wait_ms. */
static void wait_all_ended(struct lab *lab, int wait_ms)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		bool all = true;
		long elapsed;

		for (size_t i = 0; i < lab->count; i++) {
			struct lab_member *m = &lab->members[i];
			struct pollfd p = { .fd = m->pidfd, .events = POLLIN };

			if (m->pidfd >= 0 && !m->exited && poll(&p, 1, 0) == 1)
				m->exited = true;
			all = all && (m->exited || m->pidfd < 0);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (all || elapsed >= wait_ms)
			return;
		nanosleep(&(struct timespec){ 0, 5 * 1000000L }, NULL);
	}
}

/* Reaps every child the monitor has (main, and lab orphans that came to it
 * as a subreaper) without blocking. */
static void reap_own_children(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

void lab_stop(struct lab *lab, int wait_ms)
{
	int was_subreaper = 0;

	if (!lab->started)
		return;
	/* While the lab ends, its orphans come to the monitor, which reaps them:
	 * nothing is left behind, not even a zombie waiting for PID 1. */
	prctl(PR_GET_CHILD_SUBREAPER, &was_subreaper, 0, 0, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	for (size_t i = 0; i < lab->count; i++) {
		struct lab_member *m = &lab->members[i];

		if (!m->exited)
			pidref_signal(m->pidfd, SIGKILL);
		if (m->conn >= 0) { /* a process not yet identified ends on its lifeline */
			close(m->conn);
			m->conn = -1;
		}
	}
	wait_all_ended(lab, wait_ms);
	reap_own_children();
	if (!was_subreaper)
		prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
	lab->started = false;
}

void lab_free(struct lab *lab)
{
	for (size_t i = 0; i < lab->count; i++) {
		if (lab->members[i].conn >= 0)
			close(lab->members[i].conn);
		if (lab->members[i].pidfd >= 0)
			close(lab->members[i].pidfd);
	}
	free(lab->members);
	memset(lab, 0, sizeof *lab);
}

/* ---- what the faces show ----------------------------------------------- */

void lab_status_text(int wait_status, char *buf, size_t len)
{
	int code;

	if (track_exitcode(wait_status, &code))
		snprintf(buf, len, "%d", code);
	else
		snprintf(buf, len, "-");
}

void lab_exit_text(const struct lab_member *m, char *buf, size_t len)
{
	lab_status_text(m->exit_status, buf, len);
}

enum lab_role lab_member_role(const struct lab_member *m)
{
	if (m->unix_daemon)
		return LAB_ROLE_UNIX_DAEMON;
	if (m->tracker)
		return LAB_ROLE_RESOURCE_TRACKER;
	if (m->forkserver)
		return LAB_ROLE_FORKSERVER;
	return m->depth == 0 ? LAB_ROLE_MAIN : m->depth == 1 ? LAB_ROLE_CHILD : LAB_ROLE_GRANDCHILD;
}

const char *lab_role_name(enum lab_role role)
{
	static const char *const names[] = {
		[LAB_ROLE_MAIN] = "main",
		[LAB_ROLE_CHILD] = "child",
		[LAB_ROLE_GRANDCHILD] = "grandchild",
		[LAB_ROLE_UNIX_DAEMON] = "unix-daemon",
		[LAB_ROLE_RESOURCE_TRACKER] = "resource-tracker",
		[LAB_ROLE_FORKSERVER] = "forkserver",
	};

	return (unsigned)role < sizeof names / sizeof names[0] ? names[role] : "?";
}

static bool adopted_orphans(const struct lab *lab, pid_t pid)
{
	for (size_t i = 0; i < lab->count; i++) {
		const struct lab_member *m = &lab->members[i];

		if (!m->gone && m->ppid == pid && m->forker != pid)
			return true;
	}
	return false;
}

/* How a creator ended, for its orphans' notes: ", killed by SIGKILL",
 * ", exited with 0", or "" while it is not known. */
static void how_it_ended(const struct lab *lab, const struct lab_member *orphan, char *buf,
			 size_t len)
{
	const struct lab_member *c = NULL;
	int status;

	buf[0] = '\0';
	for (size_t i = lab->count; i-- > 0 && !c;)
		if (lab->members[i].pid == orphan->forker && lab->members[i].exited)
			c = &lab->members[i];
	if (!c || (status = c->exit_status) == SCAN_NO_STATUS)
		return;
	if (WIFSIGNALED(status))
		snprintf(buf, len, ", killed by SIG%s", sigabbrev_np(WTERMSIG(status)));
	else
		snprintf(buf, len, ", exited with %d", WEXITSTATUS(status));
}

void lab_note(const struct lab *lab, const struct scan_proc *p, char *buf, size_t len)
{
	const struct lab_member *m = lab_member_of(lab, p), *j;
	bool orphan = m && p->ppid != m->forker;

	buf[0] = '\0';
	if (m && m->unix_daemon)
		snprintf(buf, len, "Unix daemon: own session %d, no terminal", p->sid);
	else if (m && m->joining && (j = member_by_pid(lab, m->joining)))
		snprintf(buf, len, "blocked in join(%s)", j->name);
	else if (m && p->state == 'Z')
		snprintf(buf, len, orphan ? "zombie: its new parent has not reaped it"
					  : "zombie: not joined");
	else if (orphan) {
		char how[48];

		how_it_ended(lab, m, how, sizeof how);
		snprintf(buf, len, "orphan: was under %d %s%s", m->forker, m->forker_name, how);
	}
	else if (m && m->tracker)
		snprintf(buf, len, "resource tracker: ends when its pipe closes");
	else if (m && m->forkserver)
		snprintf(buf, len, "fork server of %s: forks its children, reaps them at once",
			 m->creator_name);
	else if (m && m->in_exit_routine)
		snprintf(buf, len, "in its exit routine");
	else if (p->pid == lab->monitor_pid)
		snprintf(buf, len, "monitor");
	if (!buf[0] && adopted_orphans(lab, p->pid))
		snprintf(buf, len, "adopted orphans");
}
