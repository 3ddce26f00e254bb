/* pyhook: a listening SOCK_SEQPACKET socket at an abstract address (anyone
 * may connect to one: the kernel's word decides whom to believe). A forked
 * child goes on sending on its parent's connection (a connect per fork
 * would cost it a millisecond), so SO_PEERCRED, fixed at connect(), names
 * only who connected: with SO_PASSCRED the kernel stamps every record with
 * the credentials of the process that sent it, and a record is believed
 * only about that process. Records are read without blocking and applied
 * in the order they came. */
#include "pyhook.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "datafile.h"
#include "grow.h"
#include "i18n.h"
#include "report.h"

#define RECORDS_PER_ROUND 256 /* from one connection per wake: a flood cannot starve the rest */

void pyhook_off(struct pyhook *h)
{
	memset(h, 0, sizeof *h);
	h->listen_fd = -1;
}

/* A name nobody guesses: forktop's PID and 64 random bits. */
static void make_address(struct pyhook *h)
{
	unsigned long long r = 0;

	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r)
		r = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
	snprintf(h->address, sizeof h->address, "forktop-%ld-%016llx", (long)getpid(), r);
}

static socklen_t socket_address(const struct pyhook *h, struct sockaddr_un *sa)
{
	size_t n = strlen(h->address);

	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path + 1, h->address, n); /* sun_path[0] = 0: abstract */
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* Every record received on fd comes with its sender's credentials. */
static int pass_credentials(int fd)
{
	int on = 1;

	return setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
}

int pyhook_open(struct pyhook *h, struct track *track, char *err, size_t errlen)
{
	char where[PATH_MAX], looked[3 * PATH_MAX];
	struct sockaddr_un sa;
	socklen_t salen;
	int fd;

	pyhook_off(h);
	h->track = track;
	if (datafile_find("python/sitecustomize.py", where, sizeof where, looked, sizeof looked) < 0) {
		snprintf(err, errlen, _("the Python hook is not installed (looked for %s)"),
			 looked);
		return -1;
	}
	*strrchr(where, '/') = '\0';
	if (!realpath(where, h->dir))
		snprintf(h->dir, sizeof h->dir, "%s", where);
	make_address(h);
	salen = socket_address(h, &sa);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || pass_credentials(fd) < 0 || bind(fd, (struct sockaddr *)&sa, salen) < 0 ||
	    listen(fd, 128) < 0) {
		snprintf(err, errlen, _("cannot listen for the Python hook: %s"), strerror(errno));
		if (fd >= 0)
			close(fd);
		pyhook_off(h);
		return -1;
	}
	h->listen_fd = fd;
	return 0;
}

void pyhook_close(struct pyhook *h)
{
	for (size_t i = 0; i < h->nconns; i++)
		close(h->conns[i].fd);
	free(h->conns);
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	pyhook_off(h);
}

size_t pyhook_environment(const struct pyhook *h, char *path_buf, size_t path_len,
			  char *addr_buf, size_t addr_len, char *out[3])
{
	const char *old = getenv("PYTHONPATH");

	out[0] = NULL;
	if (h->listen_fd < 0)
		return 0;
	snprintf(path_buf, path_len, "PYTHONPATH=%s%s%s", h->dir, old && *old ? ":" : "",
		 old ? old : "");
	snprintf(addr_buf, addr_len, "%s=%s", PYHOOK_ADDRESS_VARIABLE, h->address);
	out[0] = path_buf;
	out[1] = addr_buf;
	out[2] = NULL;
	return 2;
}

size_t pyhook_poll_fds(const struct pyhook *h, struct pollfd *fds, size_t cap)
{
	size_t n = 0;

	if (h->listen_fd >= 0 && n < cap)
		fds[n++] = (struct pollfd){ .fd = h->listen_fd, .events = POLLIN };
	for (size_t i = 0; i < h->nconns && n < cap; i++)
		fds[n++] = (struct pollfd){ .fd = h->conns[i].fd, .events = POLLIN };
	return n;
}

/* A report refused: logged, with the process it came from. */
static void refuse(struct pyhook *h, enum event_refusal why, pid_t pid)
{
	struct track_event ev = event_make(EV_REFUSED);

	snprintf(ev.name, sizeof ev.name, "forktop");
	ev.value = why;
	ev.target = pid;
	clock_gettime(CLOCK_REALTIME, &ev.when);
	track_log(h->track, &ev);
}

/* The peer's credentials decide: forktop's own user, and a process of the
 * watched family. */
static void accept_one(struct pyhook *h, struct family *f, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.pid <= 0 ||
	    pass_credentials(fd) < 0) {
		close(fd);
		return;
	}
	if (cred.uid != geteuid()) {
		refuse(h, REFUSAL_REPORT_OTHER_USER, cred.pid);
		close(fd);
		return;
	}
	if (!family_claim(f, cred.pid)) {
		refuse(h, REFUSAL_REPORT_STRANGER, cred.pid);
		close(fd);
		return;
	}
	if (h->nconns >= PYHOOK_CONNS_MAX || GROW(h->conns, h->cap, h->nconns + 1) < 0) {
		close(fd);
		return;
	}
	h->conns[h->nconns++] = (struct pyhook_conn){ .fd = fd, .pid = cred.pid };
}

static void accept_all(struct pyhook *h, struct family *f)
{
	for (int i = 0; i < PYHOOK_CONNS_MAX; i++) {
		int fd = accept4(h->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0)
			return;
		accept_one(h, f, fd);
	}
}

bool pyhook_type_allowed(enum lab_msg_type type)
{
	switch (type) {
	case LAB_HELLO:
	case LAB_NEW_CHILD:
	case LAB_REPORT:
	case LAB_REAPED:
	case LAB_JOIN_BEGIN:
	case LAB_JOIN_END:
	case LAB_JOIN_TIMEOUT:
	case LAB_ALIVE:
		return true;
	default:
		return false;
	}
}

#define SENT_PAST_NS (60LL * 1000000000LL) /* a send time believed: at most this old, */
#define SENT_AHEAD_NS 1000000000LL          /* and at most this far ahead */

static struct timespec now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return t;
}

/* When the record was sent, by the sender's clock (the same machine's),
 * so that its event falls between the kernel's as it happened; now, for
 * a time that cannot be right. */
static struct timespec sent_time(const struct lab_msg *msg)
{
	struct timespec t = now();
	long long n = (long long)t.tv_sec * 1000000000LL + t.tv_nsec;

	if (msg->sent_ns < n - SENT_PAST_NS || msg->sent_ns > n + SENT_AHEAD_NS)
		return t;
	return (struct timespec){ .tv_sec = msg->sent_ns / 1000000000LL,
				  .tv_nsec = msg->sent_ns % 1000000000LL };
}

/* What Python says m is, in its own hello or its creator's report of its
 * start: its name and daemon flag (which no longer follow its comm, until
 * an exec after this moment) and its creator. */
static void take_python_identity(struct member *m, const char *name, int value,
				 const struct member *creator)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	m->python_since_ns = (unsigned long long)t.tv_sec * 1000000000ULL + (unsigned long long)t.tv_nsec;
	m->python = true;
	snprintf(m->name, sizeof m->name, "%s", name);
	m->daemon = (value & LAB_HELLO_DAEMON) != 0;
	m->python_role = value & LAB_HELLO_POOL_WORKER       ? PYTHON_ROLE_POOL_WORKER
			 : value & LAB_HELLO_MANAGER         ? PYTHON_ROLE_MANAGER
			 : value & LAB_HELLO_EXECUTOR_WORKER ? PYTHON_ROLE_EXECUTOR_WORKER
							     : PYTHON_ROLE_NONE;
	if (creator && creator != m) {
		m->creator = creator->pid;
		snprintf(m->creator_name, sizeof m->creator_name, "%s", creator->name);
	}
}

/* Python's own name and daemon flag (and role) for m: a hello. */
static void on_hello(struct family *f, pid_t pid, const struct lab_msg *msg)
{
	const struct member *creator = msg->creator > 0 ? family_claim(f, msg->creator) : NULL;
	struct member *m = family_claim(f, pid); /* after: a claim may move the array */

	if (!m)
		return;
	take_python_identity(m, msg->name, msg->value, creator);
	snprintf(m->target, sizeof m->target, "%.*s", (int)sizeof m->target - 1, msg->text);
	m->reports_threads = true;
	m->tracker = (msg->value & LAB_HELLO_TRACKER) != 0;
	m->forkserver = (msg->value & LAB_HELLO_FORKSERVER) != 0;
}

/* Two different members, each claimed for the family (a claim may add a
 * member and move the array: both are looked up again once both exist).
 * False when either is of no family. */
static bool both_claimed(struct family *f, pid_t a, pid_t b, struct member **ma,
			 struct member **mb)
{
	if (a == b || !family_claim(f, a) || !family_claim(f, b))
		return false;
	*ma = family_claim(f, a);
	*mb = family_claim(f, b);
	return *ma && *mb;
}

/* The sender started a child: its Python name and daemon flag, and the
 * event. The child must be of the family too. */
static void on_new_child(struct pyhook *h, struct family *f, pid_t sender,
			 const struct lab_msg *msg)
{
	struct member *child, *m;
	struct track_event ev;

	if (!both_claimed(f, msg->target, sender, &child, &m))
		return;
	if (!strcmp(msg->text, "fork") || !strcmp(msg->text, "spawn") ||
	    !strcmp(msg->text, "forkserver"))
		snprintf(f->start_method, sizeof f->start_method, "%.15s", msg->text);
	take_python_identity(child, msg->name, msg->value, m);
	ev = report_event(EV_STARTED, m);
	report_set_target(&ev, child->pid, child->name);
	if (child->forker != m->pid && child->forker > 0) {
		const struct member *server = family_newest(f, child->forker);

		ev.by = child->forker;
		snprintf(ev.by_name, sizeof ev.by_name, "%s", server ? server->name : "?");
	}
	ev.when = sent_time(msg);
	track_log(h->track, &ev);
}

/* The sender reaped its child (a join, is_alive(), a fork server's wait):
 * the code, from the process that reaped it. */
static void on_reaped(struct family *f, pid_t pid, const struct lab_msg *msg)
{
	struct member *child, *m;

	if (!both_claimed(f, msg->target, pid, &child, &m) ||
	    (child->creator != m->pid && child->forker != m->pid))
		return;
	member_record_exit(f->track, sent_time(msg), child, msg->value,
			   m->forkserver ? EXIT_SOURCE_FORK_SERVER : EXIT_SOURCE_CREATOR, m->pid,
			   m->name);
}

bool pyhook_apply(struct pyhook *h, struct family *f, pid_t pid, const void *buf, size_t len)
{
	struct lab_msg msg;
	struct member *m;

	if (!lab_msg_decode(buf, len, &msg) || !pyhook_type_allowed((enum lab_msg_type)msg.type) ||
	    msg.pid != pid || !(m = family_claim(f, pid))) {
		refuse(h, REFUSAL_REPORT_MALFORMED, pid);
		return false;
	}
	switch (msg.type) {
	case LAB_HELLO: on_hello(f, pid, &msg); break;
	case LAB_NEW_CHILD: on_new_child(h, f, pid, &msg); break;
	case LAB_REAPED: on_reaped(f, pid, &msg); break;
	default: report_apply(h->track, sent_time(&msg), m, &msg); break;
	}
	return true;
}

/* One record and the credentials the kernel stamped it with (pid 0 when
 * it carried none). Returns its length (the whole length, when it was
 * longer than buf), 0 when the peer hung up, or -1. */
/* Descriptors a record carried: never wanted, closed at once. */
static void close_passed_fds(struct cmsghdr *c)
{
	size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

	for (size_t i = 0; i < n; i++) {
		int fd;

		memcpy(&fd, CMSG_DATA(c) + i * sizeof fd, sizeof fd);
		close(fd);
	}
}

static ssize_t receive(int fd, char *buf, size_t len, struct ucred *sender, int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(16 * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			     .msg_controllen = sizeof control.buf };
	ssize_t n = recvmsg(fd, &mh, MSG_TRUNC | MSG_CMSG_CLOEXEC | flags);

	memset(sender, 0, sizeof *sender);
	for (struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len == CMSG_LEN(sizeof *sender))
			memcpy(sender, CMSG_DATA(c), sizeof *sender);
		else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			close_passed_fds(c);
	}
	return n;
}

/* Whether the next record on fd may be applied before the kernel's events
 * (a peek: it stays): a member's words about itself (a hello, a report of
 * its own), or about a process already a member (a join or a reap of a
 * child whose fork the kernel told). A record naming a process the family
 * does not know yet (a start, before its fork event) waits, and so does
 * one from a process not yet a member; the records behind either wait
 * with it, in their order. */
static bool next_may_come_first(const struct family *f, int fd)
{
	char buf[sizeof(struct lab_msg) + 1];
	struct ucred sender;
	struct lab_msg msg;
	ssize_t n = receive(fd, buf, sizeof buf, &sender, MSG_PEEK | MSG_DONTWAIT);

	if (n <= 0 || (size_t)n > sizeof(struct lab_msg) || sender.pid <= 0 ||
	    !family_is_member(f, sender.pid) || !lab_msg_decode(buf, (size_t)n, &msg))
		return false;
	return msg.type == LAB_HELLO || msg.type == LAB_REPORT ||
	       (msg.target > 0 && family_is_member(f, msg.target));
}

/* Reads what one connection holds now (members_only: up to the first
 * record that may not come before the kernel's events). False once every
 * process sending on it has hung up. */
static bool read_conn(struct pyhook *h, struct family *f, const struct pyhook_conn *c,
		      bool members_only)
{
	char buf[sizeof(struct lab_msg) + 1];
	struct ucred sender;

	for (int i = 0; i < RECORDS_PER_ROUND; i++) {
		ssize_t n;

		if (members_only && !next_may_come_first(f, c->fd))
			return true;
		n = receive(c->fd, buf, sizeof buf, &sender, 0);

		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		if (n == 0)
			return false; /* no record is empty: the peer has hung up */
		if (sender.pid <= 0 || sender.uid != geteuid()) {
			refuse(h, sender.pid > 0 ? REFUSAL_REPORT_OTHER_USER : REFUSAL_REPORT_MALFORMED,
			       sender.pid > 0 ? sender.pid : c->pid);
			continue;
		}
		pyhook_apply(h, f, sender.pid, buf, (size_t)n > sizeof buf ? sizeof buf : (size_t)n);
	}
	return true;
}

void pyhook_handle(struct pyhook *h, struct family *f, const struct pollfd *fds, size_t n)
{
	size_t kept = 0;

	if (h->listen_fd < 0)
		return;
	for (size_t k = 0; k < n; k++)
		if (fds[k].fd == h->listen_fd && fds[k].revents)
			accept_all(h, f);
	for (size_t i = 0; i < h->nconns; i++) {
		const struct pyhook_conn *c = &h->conns[i];
		bool ready = false, open = true;

		for (size_t k = 0; k < n && !ready; k++)
			ready = fds[k].fd == c->fd && fds[k].revents;
		if (ready)
			open = read_conn(h, f, c, false);
		if (open)
			h->conns[kept++] = *c;
		else
			close(c->fd);
	}
	h->nconns = kept;
}

void pyhook_read_members(struct pyhook *h, struct family *f)
{
	for (size_t i = 0; h->listen_fd >= 0 && i < h->nconns; i++)
		read_conn(h, f, &h->conns[i], true); /* a hang-up is left for pyhook_handle */
}

void pyhook_read_before_end(struct pyhook *h, struct family *f)
{
	if (h->listen_fd < 0)
		return;
	accept_all(h, f);
	pyhook_read_members(h, f);
}
