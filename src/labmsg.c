/* labmsg: fixed-size records over SOCK_SEQPACKET (message boundaries are
 * kept by the kernel), each with up to LAB_MSG_FDS_MAX SCM_RIGHTS descriptors. */
#include "labmsg.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct lab_msg lab_msg_make(enum lab_msg_type type, pid_t pid, const char *name,
			    const char *text)
{
	struct timespec now;
	struct lab_msg m;

	memset(&m, 0, sizeof m);
	m.magic = LAB_MSG_MAGIC;
	m.type = (uint32_t)type;
	m.pid = pid;
	snprintf(m.name, sizeof m.name, "%s", name ? name : "");
	snprintf(m.text, sizeof m.text, "%s", text ? text : "");
	clock_gettime(CLOCK_REALTIME, &now);
	m.sent_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	return m;
}

struct lab_msg lab_msg_report(enum event_kind kind, pid_t pid, pid_t target, const char *name)
{
	struct lab_msg m = lab_msg_make(LAB_REPORT, pid, name, NULL);

	m.kind = (int32_t)kind;
	m.target = target;
	return m;
}

/* A report of a kind a lab process may send, with the fields its kind
 * needs: a thread report names a thread (a TID, a name) and says its
 * daemon flag as 0 or 1. */
static bool report_sane(const struct lab_msg *m)
{
	enum event_kind kind = (enum event_kind)m->kind;

	if (!event_kind_from_lab(kind))
		return false;
	if (event_kind_names_thread(kind))
		return m->target > 0 && m->name[0] && (m->value == 0 || m->value == 1);
	return true;
}

bool lab_msg_decode(const void *buf, size_t len, struct lab_msg *out)
{
	struct lab_msg m;

	if (len != sizeof m)
		return false;
	memcpy(&m, buf, sizeof m);
	if (m.magic != LAB_MSG_MAGIC || m.type < LAB_HELLO || m.type >= LAB_MSG_TYPE_END)
		return false;
	if (!memchr(m.name, '\0', sizeof m.name) || !memchr(m.text, '\0', sizeof m.text))
		return false;
	if (m.pid < 0 || m.target < 0 || m.creator < 0 || m.sent_ns < 0 || m.error < 0)
		return false;
	if (m.type == LAB_REPORT ? !report_sane(&m) : m.kind != 0)
		return false;
	*out = m;
	return true;
}

int lab_msg_send_fds(int sock, const struct lab_msg *msg, const int *fds, int nfds)
{
	union {
		char buf[CMSG_SPACE(LAB_MSG_FDS_MAX * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = sizeof *msg };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (nfds < 0 || nfds > LAB_MSG_FDS_MAX)
		return -EINVAL;
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(&control, 0, sizeof control);
		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, (size_t)nfds * sizeof(int));
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == (ssize_t)sizeof *msg ? 0 : -EIO;
}

void lab_msg_stamp_sender(int sock)
{
	int on = 1;

	setsockopt(sock, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
}

int lab_msg_send(int sock, const struct lab_msg *msg, int fd)
{
	return lab_msg_send_fds(sock, msg, &fd, fd >= 0 ? 1 : 0);
}

static void close_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Takes the descriptors a message carried: keeps the first max, closes the
 * others. Returns how many were kept. */
static int take_fds(struct msghdr *mh, int *fds, int max)
{
	int kept = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
			if (kept < max)
				fds[kept++] = fd;
			else
				close(fd);
		}
	}
	return kept;
}

/* SOCK_SEQPACKET reads an empty record and the end of the stream alike (0
 * bytes): only a peer that hung up has ended the stream, so a live lab
 * process cannot end its channel (its lifeline) by sending nothing. */
static bool peer_gone(int sock)
{
	struct pollfd p = { .fd = sock, .events = POLLIN | POLLRDHUP };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLRDHUP));
}

/* The PID the kernel stamped on a record (SCM_CREDENTIALS, in the
 * receiver's PID namespace: the socket must have SO_PASSCRED), or 0. */
static pid_t take_sender(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		struct ucred cred;

		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len >= CMSG_LEN(sizeof cred)) {
			memcpy(&cred, CMSG_DATA(c), sizeof cred);
			return cred.pid;
		}
	}
	return 0;
}

/* One record, its descriptors (up to maxfds kept) and its sender's PID
 * (when sender is not NULL); flags for recvmsg (MSG_PEEK). */
static int recv_record(int sock, struct lab_msg *msg, int *fds, int maxfds, int *nfds,
		       pid_t *sender, int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred)) +
			 CMSG_SPACE(2 * LAB_MSG_FDS_MAX * sizeof(int))];
		struct cmsghdr align;
	} control;
	char buf[sizeof *msg + 1];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			     .msg_controllen = sizeof control.buf };
	ssize_t n;

	*nfds = 0;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | flags);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	*nfds = take_fds(&mh, fds, maxfds);
	if (sender)
		*sender = take_sender(&mh);
	if (n == 0 && *nfds == 0 && peer_gone(sock))
		return 0;
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || !lab_msg_decode(buf, (size_t)n, msg)) {
		close_fds(fds, *nfds);
		*nfds = 0;
		return -EBADMSG;
	}
	return 1;
}

int lab_msg_recv_fds(int sock, struct lab_msg *msg, int *fds, int maxfds, int *nfds)
{
	return recv_record(sock, msg, fds, maxfds, nfds, NULL, 0);
}

int lab_msg_recv_sender(int sock, struct lab_msg *msg, int *fd, pid_t *sender, bool peek)
{
	int n, rc = recv_record(sock, msg, fd, 1, &n, sender, peek ? MSG_PEEK : 0);

	if (n == 0)
		*fd = -1;
	return rc;
}

int lab_msg_recv(int sock, struct lab_msg *msg, int *fd)
{
	int n, rc = lab_msg_recv_fds(sock, msg, fd, 1, &n);

	if (n == 0)
		*fd = -1;
	return rc;
}
