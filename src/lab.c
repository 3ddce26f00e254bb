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

#include "i18n.h"
#include "labinit.h"
#include "labns.h"
#include "labproc.h"
#include "pidref.h"
#include "report.h"

/* When an event happened: a message's send time while dispatching it, else now. */
static struct timespec event_time(struct lab *lab)
{
	struct timespec now;

	if (lab->dispatching)
		return lab->now;
	clock_gettime(CLOCK_REALTIME, &now);
	return now;
}

/* Logs ev at the time it happened. */
static void log_event(struct lab *lab, struct track_event *ev)
{
	ev->when = event_time(lab);
	track_log(lab->track, ev);
}

static void note(struct lab *lab, enum event_kind kind, const struct member *m)
{
	struct track_event ev = report_event(kind, m);

	log_event(lab, &ev);
}

/* Refuses an action: logs why (EV_REFUSED) and says it in err. target: the
 * process or group the action named; by: a third process the reason names. */
static int refuse(struct lab *lab, char *err, size_t errlen, enum event_refusal why,
		  const char *target, pid_t target_pid, const char *by, int error)
{
	struct track_event ev = event_make(EV_REFUSED);

	snprintf(ev.name, sizeof ev.name, "forktop");
	ev.value = why;
	ev.error = error;
	report_set_target(&ev, target_pid, target ? target : "");
	snprintf(ev.by_name, sizeof ev.by_name, "%s", by ? by : "");
	event_sentence(&ev, err, errlen, 0);
	log_event(lab, &ev);
	return -1;
}

/* A new lab member: its reports tell its threads. */
static struct member *add_member(struct lab *lab)
{
	struct member *m = member_add(&lab->members, &lab->count, &lab->cap);

	if (m)
		m->reports_threads = true;
	return m;
}

static struct member *watched_member(const struct lab *lab, pid_t pid)
{
	return member_by_pid(lab->members, lab->count, pid, false);
}

static struct member *by_name(const struct lab *lab, const char *name)
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

/* The monitor's end of a lab process's channel. Each lab process has the
 * kernel stamp its records with its PID from before its hello, and this end
 * reads that stamp (both ends ask for it: SO_PASSCRED): in a namespace of
 * the lab's own, it is how forktop knows who sent a record. */
static void watch_channel(int fd)
{
	set_nonblocking(fd);
	lab_msg_stamp_sender(fd);
}

static int make_channel(int sp[2], char *err, size_t errlen)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == 0)
		return 0;
	snprintf(err, errlen, _("cannot make the lab's channel: %s"), strerror(errno));
	return -1;
}

static void close_pair(int sp[2])
{
	if (sp[0] >= 0)
		close(sp[0]);
	if (sp[1] >= 0)
		close(sp[1]);
}

/* A lab process the monitor started itself: main, or forktop's init. */
static void name_own(struct lab *lab, struct member *m, pid_t pid, int pidfd, int conn,
		     const char *name)
{
	watch_channel(conn);
	m->pid = pid;
	m->conn = conn;
	m->pidfd = pidfd;
	m->creator = m->forker = lab->monitor_pid;
	snprintf(m->name, sizeof m->name, "%s", name);
	snprintf(m->creator_name, sizeof m->creator_name, "forktop");
	snprintf(m->forker_name, sizeof m->forker_name, "forktop");
}

static void announce_main(struct lab *lab)
{
	struct track_event ev = report_event(EV_LAB_STARTED, &lab->members[0]);

	ev.value = (int)lab->sc.start_method;
	snprintf(ev.text, sizeof ev.text, "%s", lab->sc.name);
	log_event(lab, &ev);
}

static int start_plain(struct lab *lab, char *err, size_t errlen)
{
	int sp[2];
	pid_t pid;

	if (make_channel(sp, err, errlen) < 0)
		return -1;
	fflush(NULL); /* main must not flush the monitor's buffered output again */
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, _("cannot start the lab: fork: %s"), strerror(errno));
		close_pair(sp);
		return -1;
	}
	if (pid == 0) {
		close(sp[1]);
		labproc_main(&lab->sc, sp[0]);
	}
	close(sp[0]);
	setpgid(pid, pid); /* as main does itself: no window where it shares ours */
	name_own(lab, &lab->members[0], pid, pidfd_open(pid, 0), sp[1], "MainProcess");
	announce_main(lab);
	return 0;
}

/* In the namespace's first process: main, or forktop's init that starts it. */
_Noreturn static void be_namespace_init(struct lab *lab, int main_sp[2], int init_sp[2])
{
	close(main_sp[1]);
	if (init_sp[1] < 0)
		labproc_main(&lab->sc, main_sp[0]);
	close(init_sp[1]);
	labinit_main(&lab->sc, init_sp[0], main_sp[0]);
}

/* The lab in a new PID namespace: members[0] is main; with forktop's init,
 * members[1] is the init, PID 1 there, and main's PID comes with its hello. */
static int start_in_namespace(struct lab *lab, char *err, size_t errlen)
{
	bool with_init = lab->sc.init == SCENARIO_INIT_FORKTOP;
	int main_sp[2] = { -1, -1 }, init_sp[2] = { -1, -1 };
	struct labns_child child;
	struct member *pid1;
	struct track_event ev;
	pid_t pid;

	if ((with_init && !add_member(lab)) || make_channel(main_sp, err, errlen) < 0 ||
	    (with_init && make_channel(init_sp, err, errlen) < 0)) {
		if (!err[0])
			snprintf(err, errlen, _("cannot start the lab: %s"), strerror(ENOMEM));
		close_pair(main_sp);
		return -1;
	}
	fflush(NULL);
	if ((pid = labns_fork(&child, err, errlen)) < 0) {
		close_pair(main_sp);
		close_pair(init_sp);
		return -1;
	}
	if (pid == 0)
		be_namespace_init(lab, main_sp, init_sp);
	close(main_sp[0]);
	setpgid(pid, pid);
	pidns_map_open(&lab->ns, pid);
	lab->in_namespace = true;
	pid1 = &lab->members[with_init ? 1 : 0];
	if (with_init) {
		close(init_sp[0]);
		name_own(lab, pid1, pid, child.pidfd, init_sp[1], "init");
		pid1->init = true;
		name_own(lab, &lab->members[0], 0, -1, main_sp[1], "MainProcess");
		lab->members[0].creator = lab->members[0].forker = pid;
		snprintf(lab->members[0].creator_name, MEMBER_NAME_MAX, "init");
		snprintf(lab->members[0].forker_name, MEMBER_NAME_MAX, "init");
		lab->members[0].depth = 0;
	} else {
		name_own(lab, pid1, pid, child.pidfd, main_sp[1], "MainProcess");
	}
	pid1->nspid = 1;
	ev = report_event(EV_NAMESPACE_MADE, pid1);
	ev.value = child.userns;
	log_event(lab, &ev);
	if (with_init)
		lab->main_unannounced = true;
	else
		announce_main(lab);
	return 0;
}

int lab_start(struct lab *lab, const struct scenario *sc, struct track *track, char *err,
	      size_t errlen)
{
	memset(lab, 0, sizeof *lab);
	lab->sc = *sc;
	lab->track = track;
	lab->monitor_pid = getpid();
	err[0] = '\0';
	if (!add_member(lab)) {
		snprintf(err, errlen, _("cannot start the lab: %s"), strerror(ENOMEM));
		return -1;
	}
	if ((sc->pid_namespace ? start_in_namespace : start_plain)(lab, err, errlen) < 0) {
		lab_free(lab);
		return -1;
	}
	lab->started = true;
	return 0;
}

/* Records an exit status once, with where it came from. */
static void record_exit(struct lab *lab, struct member *m, int status, enum exit_source source,
			const struct member *reaper)
{
	member_record_exit(lab->track, event_time(lab), m, status, source, reaper ? reaper->pid : 0,
			   reaper ? reaper->name : NULL);
}

/* creator started m (through its fork server when that forked it). The
 * log has it now; a snapshot that first shows it under another parent than
 * its forker logs the re-parenting (a Unix daemon was born under a child
 * that left at once: who its parent was is not known). */
static void tell_started(struct lab *lab, const struct member *creator, const struct member *m)
{
	struct track_event ev = report_event(EV_STARTED, creator);

	report_set_target(&ev, m->pid, m->name);
	if (m->forker != creator->pid) {
		ev.by = m->forker;
		memcpy(ev.by_name, m->forker_name, sizeof ev.by_name);
	}
	log_event(lab, &ev);
	track_announce_new(lab->track, m->pid, m->unix_daemon ? 0 : m->forker);
}

static void on_hello(struct lab *lab, struct member *m, const struct lab_msg *msg, int fd)
{
	pid_t fd_pid = fd >= 0 ? pidref_pid(fd) : PIDREF_NOT_PIDFD;
	const struct member *creator;

	if (m->pid == 0 && msg->pid > 0 && (fd_pid == msg->pid || lab->in_namespace))
		m->pid = msg->pid; /* a daemon born after a double fork tells its PID now (in a
				      namespace, the kernel's word on the record vouches for it) */
	/* A pidfd a process opened on itself is its own, also when that process
	 * has already been reaped by the time its hello is read (Pid: -1). */
	if (m->pidfd >= 0 || msg->pid != m->pid || (fd_pid != m->pid && fd_pid != PIDREF_REAPED)) {
		if (fd >= 0)
			close(fd);
		if (m->pidfd < 0)
			note(lab, EV_BAD_HELLO, m);
		return;
	}
	m->pidfd = fd;
	m->daemon = (msg->value & LAB_HELLO_DAEMON) != 0;
	m->unix_daemon = (msg->value & LAB_HELLO_UNIX_DAEMON) != 0;
	m->tracker = (msg->value & LAB_HELLO_TRACKER) != 0;
	m->forkserver = (msg->value & LAB_HELLO_FORKSERVER) != 0;
	m->init = (msg->value & LAB_HELLO_INIT) != 0 && lab->in_namespace;
	m->subreaper = (msg->value & LAB_HELLO_SUBREAPER) != 0;
	if (lab->in_namespace)
		m->nspid = pidns_inner(&lab->ns, m->pid);
	if (m == &lab->members[0] && lab->main_unannounced) {
		lab->main_unannounced = false;
		announce_main(lab);
	}
	if (m->start_untold && (creator = watched_member(lab, m->creator))) {
		m->start_untold = false; /* a child reaped before forktop found its PID */
		tell_started(lab, creator, m);
	}
	if (m->unix_daemon)
		note(lab, EV_UNIX_DAEMON, m);
	snprintf(m->group, sizeof m->group, "%.*s", LAB_NAME_MAX - 1, msg->text);
}

static void on_new_child(struct lab *lab, struct member *creator,
			 const struct lab_msg *msg, int fd)
{
	struct member *m;
	const struct member *forker;
	size_t creator_index = (size_t)(creator - lab->members);

	if (fd < 0 || msg->target < 0 || !(m = add_member(lab))) {
		if (fd >= 0)
			close(fd); /* the child sees its lifeline break and ends */
		return;
	}
	creator = &lab->members[creator_index]; /* add_member may have moved the array */
	watch_channel(fd);
	m->pid = msg->target;
	m->conn = fd;
	m->daemon = (msg->value & LAB_HELLO_DAEMON) != 0; /* known before its hello */
	m->creator = creator->pid;
	m->depth = creator->depth + 1;
	snprintf(m->name, sizeof m->name, "%s", msg->name);
	snprintf(m->creator_name, sizeof m->creator_name, "%s", creator->name);
	forker = msg->creator ? watched_member(lab, msg->creator) : creator;
	m->forker = forker ? forker->pid : msg->creator;
	snprintf(m->forker_name, sizeof m->forker_name, "%s", forker ? forker->name : "?");
	if (lab->in_namespace)
		m->nspid = pidns_inner(&lab->ns, m->pid);
	m->start_untold = !m->pid && msg->target > 0; /* its hello will tell its PID */
	if (m->pid)
		tell_started(lab, creator, m);
}

static void on_reaped(struct lab *lab, struct member *parent, const struct lab_msg *msg)
{
	struct member *child = msg->target > 0 ? watched_member(lab, msg->target) : NULL;

	if (child && parent->init) { /* PID 1 reaps its child and every orphan */
		record_exit(lab, child, msg->value, EXIT_SOURCE_INIT, parent);
		member_mark_gone(child);
		return;
	}
	if (!child || child->forker != parent->pid)
		return;
	record_exit(lab, child, msg->value,
		    parent->forkserver ? EXIT_SOURCE_FORK_SERVER : EXIT_SOURCE_CREATOR, parent);
	member_mark_gone(child);
}

static void on_message(struct lab *lab, size_t index, const struct lab_msg *msg, int fd)
{
	struct member *m = &lab->members[index];

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
	if (msg->type == LAB_REAPED)
		on_reaped(lab, m, msg);
	else
		report_apply(lab->track, event_time(lab), m, msg); /* commands go the other way */
}

/* Messages of one round, from every ready channel, dispatched in the order
 * their senders sent them (each channel alone is in order; together they
 * are not, since poll() reports them all at once). */
#define ROUND_MAX 256

struct received {
	struct lab_msg msg;
	int fd;
	pid_t sender; /* the kernel's word for who sent it (a lab in a namespace), else 0 */
	size_t index; /* the member whose channel it came on */
};

/* A record from inside the lab's namespace names processes by the PIDs
 * they have there: these become the PIDs forktop sees, as it is handled.
 * Its sender's comes with it (SCM_CREDENTIALS), also when the sender has
 * been reaped since; a thread's TID comes as /proc shows it already. A
 * started child not known yet is looked for in its own first record (its
 * hello, waiting on the channel that came with the start), then in /proc.
 * A PID not found (a process reaped before it said anything) becomes 0,
 * and a sender's -1: never a member. */
static void learn_from_hello(struct lab *lab, int conn)
{
	struct lab_msg hello;
	pid_t sender = 0;
	int fd = -1;

	if (conn < 0)
		return;
	watch_channel(conn);
	if (lab_msg_recv_sender(conn, &hello, &fd, &sender, true) == 1 &&
	    hello.type == LAB_HELLO)
		pidns_learn(&lab->ns, hello.pid, sender);
	if (fd >= 0)
		close(fd); /* a peek brings copies of the descriptors */
}

static void to_outer(struct lab *lab, struct received *r)
{
	struct lab_msg *msg = &r->msg;
	pid_t inner_target = msg->target;

	pidns_learn(&lab->ns, msg->pid, r->sender);
	msg->pid = r->sender > 0 ? r->sender : pidns_known(&lab->ns, msg->pid);
	if (!msg->pid)
		msg->pid = -1;
	if (msg->type == LAB_NEW_CHILD && msg->target > 0 && !pidns_known(&lab->ns, msg->target))
		learn_from_hello(lab, r->fd);
	if (msg->type != LAB_REPORT || !event_kind_names_thread((enum event_kind)msg->kind))
		msg->target = pidns_outer(&lab->ns, msg->target);
	if (msg->type == LAB_NEW_CHILD && !msg->target && inner_target > 0) {
		learn_from_hello(lab, r->fd); /* it said hello and ended while /proc was read */
		msg->target = pidns_known(&lab->ns, inner_target);
	}
	msg->creator = pidns_outer(&lab->ns, msg->creator);
}

static size_t read_channel(struct lab *lab, size_t index, struct received *round, size_t n)
{
	while (n < ROUND_MAX) {
		struct received *r = &round[n];
		int rc = lab_msg_recv_sender(lab->members[index].conn, &r->msg, &r->fd, &r->sender,
					     false);

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
		if (lab->in_namespace)
			to_outer(lab, &round[i]);
		on_message(lab, round[i].index, &round[i].msg, round[i].fd);
	}
	lab->dispatching = false;
}

/* A lab process ended. If it is the monitor's child (main, or an orphan the
 * monitor adopted as a subreaper), the monitor reaps it, as PID 1 would:
 * waitpid() reaches only the monitor's own children, whose PIDs cannot have
 * been recycled before this wait. */
static void on_ended(struct lab *lab, struct member *m)
{
	m->exited = true;
	if (member_reap_own(lab->track, event_time(lab), m, lab->monitor_pid))
		return;
	note(lab, EV_ENDED, m);
	m->joining = 0;
}

size_t lab_poll_fds(const struct lab *lab, struct pollfd *fds, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < lab->count && n < cap; i++) {
		const struct member *m = &lab->members[i];

		if (m->conn >= 0)
			fds[n++] = (struct pollfd){ .fd = m->conn, .events = POLLIN };
		if (m->pidfd >= 0 && !m->exited && n < cap)
			fds[n++] = (struct pollfd){ .fd = m->pidfd, .events = POLLIN };
	}
	return n;
}

/* Reads every lab channel that has something to say, handles it in the
 * order it was sent, and closes the channels of processes that ended. All
 * channels are non-blocking, and the lab has few members: reading them all
 * costs little, and whatever a process said before it ended is known
 * before its end is judged (by its pidfd or by a snapshot). */
static void lab_drain(struct lab *lab)
{
	static struct received round[ROUND_MAX];
	size_t got;
	int rounds = 0;

	do { /* a full round may have left records unread (bounded: a flood waits) */
		got = 0;
		for (size_t i = 0; i < lab->count; i++)
			if (lab->members[i].conn >= 0 && !lab->members[i].conn_ended)
				got = read_channel(lab, i, round, got);
		dispatch_in_send_order(lab, round, got);
	} while (got == ROUND_MAX && ++rounds < 16);
	for (size_t i = 0; i < lab->count; i++) {
		struct member *m = &lab->members[i];

		if (m->conn_ended) {
			close(m->conn);
			m->conn = -1;
			m->conn_ended = false;
		}
	}
}

const struct member *lab_ns_init(const struct lab *lab)
{
	if (!lab->in_namespace || !lab->count)
		return NULL;
	return lab->count > 1 && lab->members[1].init ? &lab->members[1] : &lab->members[0];
}

static bool end_known(const struct member *m)
{
	return m->gone || (m->exited && m->exit_status != SCAN_NO_STATUS);
}

/* A member whose end was the kernel's SIGKILL at its PID 1's end: forktop
 * sent it none, and its code says SIGKILL or, where no source can tell a
 * code (before Linux 6.15 the kernel reaps them itself, unseen), nothing.
 * Every other end of a member has a code: its creator's, the init's or its
 * zombie's. */
static bool killed_by_kernel(const struct member *m)
{
	int status = m->exit_status;

	return m->pid > 0 && !m->sent_kill &&
	       (status == SCAN_NO_STATUS || (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
}

/* Once the namespace's PID 1 has ended, the kernel has killed everything
 * left in it (SIGKILL) before: tells how many, once their ends are known
 * (or a few refreshes later). A member forktop sent SIGKILL does not count. */
static void tell_namespace_end(struct lab *lab, bool refresh)
{
	const struct member *pid1 = lab_ns_init(lab);
	struct track_event ev;
	bool all_known = true;
	int killed = 0;

	if (!pid1 || lab->ns_end_told || lab->stopping || !end_known(pid1))
		return;
	for (size_t i = 0; i < lab->count; i++)
		if (&lab->members[i] != pid1 && lab->members[i].pid > 0 && !end_known(&lab->members[i]))
			all_known = false;
	if (!all_known && (!refresh || ++lab->ns_end_waits < 3))
		return;
	lab->ns_end_told = true;
	for (size_t i = 0; i < lab->count; i++) {
		struct member *m = &lab->members[i];

		if (m != pid1 && killed_by_kernel(m)) {
			m->killed_by_ns_end = true;
			killed++;
		}
	}
	ev = report_event(EV_NAMESPACE_ENDED, pid1);
	ev.value = killed;
	log_event(lab, &ev);
}

void lab_handle(struct lab *lab, const struct pollfd *fds, size_t n)
{
	lab_drain(lab);
	for (size_t k = 0; k < n; k++) {
		if (!fds[k].revents)
			continue;
		for (size_t i = 0; i < lab->count; i++) {
			struct member *m = &lab->members[i];

			if (m->pidfd == fds[k].fd && !m->exited) {
				on_ended(lab, m);
				break;
			}
		}
	}
	tell_namespace_end(lab, false);
}

void lab_observe(struct lab *lab, const struct scan_snapshot *snap)
{
	lab_drain(lab);
	for (size_t i = 0; i < lab->count; i++)
		member_observe(lab->track, event_time(lab), &lab->members[i], snap, lab->monitor_pid,
			       false);
	tell_namespace_end(lab, true);
}

size_t lab_watch_pids(const struct lab *lab, pid_t *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < lab->count && n < cap; i++)
		if (!lab->members[i].gone && lab->members[i].pid > 0)
			out[n++] = lab->members[i].pid;
	return n;
}

const struct member *lab_member_of(const struct lab *lab, const struct scan_proc *p)
{
	return member_of(lab->members, lab->count, p);
}

const struct member *lab_find(const struct lab *lab, const char *name)
{
	return by_name(lab, name);
}

/* ---- actions -------------------------------------------------------- */

/* Says that m has ended, and whether its PID now names another process
 * (which nothing here will signal: the pidfd named m alone). */
static int refuse_ended(struct lab *lab, const struct member *m, char *err, size_t errlen)
{
	struct scan_stat_line st;
	bool recycled = m->start_time && scan_read_stat(m->pid, &st) &&
			st.start_time != m->start_time;

	return refuse(lab, err, errlen, recycled ? REFUSAL_ENDED_RECYCLED : REFUSAL_ENDED, m->name,
		      m->pid, NULL, 0);
}

static struct member *live_member(struct lab *lab, const char *name, char *err,
				      size_t errlen)
{
	struct member *m = by_name(lab, name);

	if (!m) {
		refuse(lab, err, errlen, REFUSAL_NO_SUCH_PROCESS, name, 0, NULL, 0);
		return NULL;
	}
	if (m->exited || m->gone) {
		refuse_ended(lab, m, err, errlen);
		return NULL;
	}
	return m;
}

/* Whether the kernel will drop sig sent to m: m is the PID 1 of the lab's
 * namespace and has no handler for it (pid_namespaces(7)), as its status
 * shows it just before. */
static bool init_drops(const struct lab *lab, const struct member *m, int sig)
{
	uint64_t caught;

	return lab->in_namespace && m->nspid == 1 && pidns_read_caught(m->pid, &caught) &&
	       pidns_init_drops(caught, sig);
}

int lab_signal(struct lab *lab, const char *name, int sig, char *err, size_t errlen)
{
	struct member *m = live_member(lab, name, err, errlen);
	struct track_event ev;
	bool dropped;
	int rc;

	if (!m)
		return -1;
	if (m->pidfd < 0)
		return refuse(lab, err, errlen, REFUSAL_NOT_STARTED, name, m->pid, NULL, 0);
	if ((sig == SIGSTOP || sig == SIGTSTP) && lab->count && lab->members[0].exited)
		return refuse(lab, err, errlen, REFUSAL_NO_STOP_ORPHANED, name, m->pid, NULL, 0);
	dropped = init_drops(lab, m, sig);
	rc = pidref_signal(m->pidfd, sig);
	if (rc == -ESRCH)
		return refuse_ended(lab, m, err, errlen);
	if (rc < 0)
		return refuse(lab, err, errlen, REFUSAL_SIGNAL_FAILED, name, m->pid, NULL, -rc);
	ev = report_event(EV_SIGNAL_SENT, m);
	report_set_target(&ev, m->pid, m->name);
	ev.signal = sig;
	log_event(lab, &ev);
	if (sig == SIGKILL)
		m->sent_kill = true;
	if (dropped) {
		ev = report_event(EV_INIT_DROPPED, m);
		ev.signal = sig;
		log_event(lab, &ev);
	}
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

static int command(struct lab *lab, struct member *to, enum lab_msg_type type,
		   pid_t target, const char *name, int value, char *err, size_t errlen)
{
	struct lab_msg msg = lab_msg_make(type, to->pid, name, NULL);

	msg.target = target;
	msg.value = value;
	if (lab->in_namespace) { /* the PIDs it has in its namespace */
		msg.pid = pidns_inner(&lab->ns, to->pid);
		msg.target = pidns_inner(&lab->ns, target);
	}
	if (to->conn < 0 || lab_msg_send(to->conn, &msg, -1) < 0)
		return refuse(lab, err, errlen, REFUSAL_NOT_LISTENING, to->name, to->pid, NULL, 0);
	return 0;
}

/* A call a creator makes on its child, and how forktop refuses it. */
struct creator_call {
	enum lab_msg_type command;
	enum event_refusal main_has_none, creator_gone;
};

static const struct creator_call join_call = { LAB_CMD_JOIN, REFUSAL_MAIN_NOT_JOINABLE,
					       REFUSAL_CREATOR_GONE_JOIN };
static const struct creator_call is_alive_call = { LAB_CMD_IS_ALIVE, REFUSAL_MAIN_NOT_TESTABLE,
						   REFUSAL_CREATOR_GONE_TEST };

/* The process that asks about target: the one named, or target's creator. */
static struct member *asker_for(struct lab *lab, struct member *t, const char *asker,
				const struct creator_call *call, char *err, size_t errlen)
{
	struct member *a;

	if (asker)
		return live_member(lab, asker, err, errlen);
	a = watched_member(lab, t->creator);
	if (!a || a->exited) {
		refuse(lab, err, errlen, call->creator_gone, t->name, t->pid, t->creator_name, 0);
		return NULL;
	}
	return a;
}

/* A command about target to the process that asks (its creator unless named):
 * join() and is_alive() are calls a creator makes on its child. */
static int ask_report_event(struct lab *lab, const char *target, const char *asker,
		     const struct creator_call *call, int value, char *err, size_t errlen)
{
	struct member *t = by_name(lab, target), *a;

	if (!t)
		return refuse(lab, err, errlen, REFUSAL_NO_SUCH_PROCESS, target, 0, NULL, 0);
	if (t->depth == 0)
		return refuse(lab, err, errlen, call->main_has_none, t->name, t->pid, NULL, 0);
	if (!(a = asker_for(lab, t, asker, call, err, errlen)))
		return -1;
	return command(lab, a, call->command, t->pid, t->name, value, err, errlen);
}

int lab_is_alive(struct lab *lab, const char *target, const char *asker, char *err,
		 size_t errlen)
{
	return ask_report_event(lab, target, asker, &is_alive_call, -1, err, errlen);
}

int lab_join(struct lab *lab, const char *target, const char *joiner, int timeout_ms, char *err,
	     size_t errlen)
{
	return ask_report_event(lab, target, joiner, &join_call, timeout_ms, err, errlen);
}

/* The live process that starts members of group g: main, or the first live
 * member of the parent group. */
static struct member *group_creator(struct lab *lab, int g)
{
	int parent = lab->sc.groups[g].parent;

	if (parent == SCENARIO_TOP_LEVEL)
		return &lab->members[0];
	for (size_t i = 0; i < lab->count; i++) {
		struct member *m = &lab->members[i];

		if (!m->exited && !strcmp(m->group, lab->sc.groups[parent].name))
			return m;
	}
	return NULL;
}

int lab_spawn(struct lab *lab, const char *target, char *err, size_t errlen)
{
	int g = scenario_group_index(&lab->sc, target);
	struct member *creator;

	if (g < 0) {
		struct member *like = by_name(lab, target);

		if (!like)
			return refuse(lab, err, errlen, REFUSAL_NO_SUCH_GROUP, target, 0, NULL, 0);
		if (like->depth == 0)
			return refuse(lab, err, errlen, REFUSAL_MAIN_IN_NO_GROUP, target, like->pid,
				      NULL, 0);
		g = scenario_group_index(&lab->sc, like->group);
		creator = watched_member(lab, like->creator);
	} else {
		creator = group_creator(lab, g);
	}
	if (g < 0 || !creator || creator->exited)
		return refuse(lab, err, errlen, REFUSAL_GROUP_CREATOR_GONE,
			      g >= 0 ? lab->sc.groups[g].name : target, 0, NULL, 0);
	return command(lab, creator, LAB_CMD_SPAWN, 0, lab->sc.groups[g].name, 0, err, errlen);
}

int lab_exit_main(struct lab *lab, char *err, size_t errlen)
{
	struct member *m = live_member(lab, "MainProcess", err, errlen);

	if (!m)
		return -1;
	note(lab, EV_EXIT_ASKED, m);
	lab->exit_asked = true;
	return command(lab, m, LAB_CMD_EXIT, 0, "", 0, err, errlen);
}

enum lab_join_outlook lab_join_outlook(const struct member *m)
{
	if (m->gone)
		return LAB_JOIN_RETURNS;
	return m->exited ? LAB_JOIN_REAPS : LAB_JOIN_BLOCKS;
}

/* Main reads the exit command only between joins: until the exit routine
 * starts, a join it is blocked in holds the exit back. */
const struct member *lab_exit_waits_on(const struct lab *lab)
{
	const struct member *main = lab->count ? &lab->members[0] : NULL;

	if (!lab->exit_asked || !main || main->depth != 0 || main->exited ||
	    main->in_exit_routine || !main->joining)
		return NULL;
	return watched_member(lab, main->joining);
}

int lab_kill_main(struct lab *lab, char *err, size_t errlen)
{
	return lab_signal(lab, "MainProcess", SIGKILL, err, errlen);
}

/* ---- ending ---------------------------------------------------------- */

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
	lab->stopping = true;
	/* While the lab ends, its orphans come to the monitor, which reaps them:
	 * nothing is left behind, not even a zombie waiting for PID 1. */
	prctl(PR_GET_CHILD_SUBREAPER, &was_subreaper, 0, 0, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	for (size_t i = 0; i < lab->count; i++) {
		struct member *m = &lab->members[i];

		if (!m->exited)
			pidref_signal(m->pidfd, SIGKILL);
		if (m->conn >= 0) { /* a process not yet identified ends on its lifeline */
			close(m->conn);
			m->conn = -1;
		}
	}
	member_await_end(lab->members, lab->count, wait_ms);
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
		member_release(&lab->members[i]);
	}
	free(lab->members);
	pidns_map_free(&lab->ns);
	memset(lab, 0, sizeof *lab);
}

/* ---- what the faces show ----------------------------------------------- */

enum lab_role lab_member_role(const struct member *m)
{
	if (m->unix_daemon)
		return LAB_ROLE_UNIX_DAEMON;
	if (m->init)
		return LAB_ROLE_INIT;
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
		[LAB_ROLE_INIT] = "init",
	};

	return (unsigned)role < sizeof names / sizeof names[0] ? names[role] : "?";
}

static bool adopted_orphans(const struct lab *lab, pid_t pid)
{
	for (size_t i = 0; i < lab->count; i++) {
		const struct member *m = &lab->members[i];

		if (!m->gone && m->ppid == pid && m->forker != pid)
			return true;
	}
	return false;
}

/* How a creator ended, for its orphans' notes: its wait status in *status,
 * or false while it is not known. */
static bool how_it_ended(const struct lab *lab, const struct member *orphan, int *status)
{
	const struct member *c = NULL;

	for (size_t i = lab->count; i-- > 0 && !c;)
		if (lab->members[i].pid == orphan->forker && lab->members[i].exited)
			c = &lab->members[i];
	if (!c || c->exit_status == SCAN_NO_STATUS)
		return false;
	*status = c->exit_status;
	return true;
}

/* An orphan's note: "orphan: was under 1234 MainProcess, killed by SIGKILL". */
static void orphan_note(const struct lab *lab, const struct member *m, char *buf, size_t len)
{
	int status;

	if (!how_it_ended(lab, m, &status))
		snprintf(buf, len, _("orphan: was under %d %s"), m->forker, m->forker_name);
	else if (WIFSIGNALED(status))
		/* TRANSLATORS: the PID and name of the process that created it, and the
		   signal that ended that one ("SIG" and its name: SIGKILL). */
		snprintf(buf, len, _("orphan: was under %d %s, killed by SIG%s"), m->forker,
			 m->forker_name, sigabbrev_np(WTERMSIG(status)));
	else
		snprintf(buf, len, _("orphan: was under %d %s, exited with %d"), m->forker,
			 m->forker_name, WEXITSTATUS(status));
}

/* "PID 1 of its namespace: catches SIGINT; SIGTERM ignored": the signals
 * it has handlers for (its SigCgt), which decide what a signal to it does. */
static void init_note(const struct member *m, char *buf, size_t len)
{
	uint64_t caught;
	size_t n;

	n = (size_t)snprintf(buf, len, "%s", m->init ? _("forktop's init, PID 1 of its namespace")
						      : _("PID 1 of its namespace"));
	if (n >= len || !pidns_read_caught(m->pid, &caught))
		return;
	if (caught)
		/* TRANSLATORS: appended to "PID 1 of its namespace", and followed by
		   the names of the signals it catches, each after a space
		   (": catches SIGINT SIGTERM"). */
		n += (size_t)snprintf(buf + n, len - n, "%s", _(": catches"));
	else
		/* TRANSLATORS: appended to "PID 1 of its namespace". */
		n += (size_t)snprintf(buf + n, len - n, "%s", _(": catches nothing"));
	for (int sig = 1; sig <= 64 && n < len; sig++) {
		char name[16];

		if (!(caught & (1ULL << (sig - 1))))
			continue;
		pidns_signal_name(sig, name, sizeof name);
		n += (size_t)snprintf(buf + n, len - n, " %s", name);
	}
	if (n < len && pidns_init_drops(caught, SIGTERM))
		/* TRANSLATORS: appended to "PID 1 of its namespace: catches SIGINT". */
		snprintf(buf + n, len - n, "%s", _("; SIGTERM ignored"));
}

void lab_note(const struct lab *lab, const struct scan_proc *p, char *buf, size_t len)
{
	const struct member *m = lab_member_of(lab, p), *j;
	bool orphan = m && p->ppid != m->forker;

	buf[0] = '\0';
	if (m && m->unix_daemon)
		snprintf(buf, len, _("Unix daemon: own session %d, no terminal"), p->sid);
	else if (m && m->joining && (j = watched_member(lab, m->joining)))
		snprintf(buf, len, j == lab_exit_waits_on(lab) && m->depth == 0
				   /* TRANSLATORS: join(%s) is Python's call, with the name of
				      the process it waits for. */
				   ? _("blocked in join(%s): its exit waits")
				   : _("blocked in join(%s)"),
			 j->name);
	else if (m && p->state == 'Z')
		snprintf(buf, len, "%s", orphan ? _("zombie: its new parent has not reaped it")
						: _("zombie: not joined"));
	else if (orphan)
		orphan_note(lab, m, buf, len);
	else if (m && m->tracker)
		snprintf(buf, len, "%s", _("resource tracker: ends when its pipe closes"));
	else if (m && m->forkserver)
		snprintf(buf, len, _("fork server of %s: forks its children, reaps them at once"),
			 m->creator_name);
	else if (m && m->in_exit_routine)
		snprintf(buf, len, "%s", _("in its exit routine"));
	else if (m && m->nspid == 1)
		init_note(m, buf, len);
	else if (m && m->subreaper)
		snprintf(buf, len, "%s", _("child subreaper: orphans below it come to it"));
	else if (p->pid == lab->monitor_pid)
		/* TRANSLATORS: the note on forktop's own process, which watches the lab. */
		snprintf(buf, len, "%s", _("monitor"));
	if (!buf[0] && adopted_orphans(lab, p->pid))
		snprintf(buf, len, "%s", _("adopted orphans"));
}
