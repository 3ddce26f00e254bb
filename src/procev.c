/* procev: see procev.h. The kernel sends one netlink message per event, of
 * type NLMSG_DONE, holding a cn_msg whose data is a struct proc_event; a
 * subscription is answered by an event of kind NONE (the acknowledgement)
 * that carries the subscriber's number plus one back. Sequence numbers
 * count per CPU, acknowledgements (anyone's) included, so a gap is looked
 * for per CPU. */
#include "procev.h"

#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "grow.h"
#include "i18n.h"

#define PROCEV_CPU_MAX 8192 /* CPUs whose sequence numbers are followed */
#define DATAGRAM_MAX 8192   /* the kernel sends one small message per datagram */
#define EVENT_HEAD 16       /* proc_event before event_data: what, cpu, timestamp_ns */

#define BATCH_DATAGRAMS 64  /* read by one recvmmsg */
#define BATCH_SLOT 1024     /* bytes for each: a proc event's message is about 80 */

/* Room for one recvmmsg: a storm's events cost a call for each 64, not
 * one each. */
struct batch {
	unsigned char slot[BATCH_DATAGRAMS][BATCH_SLOT];
	struct sockaddr_nl from[BATCH_DATAGRAMS];
	struct iovec iov[BATCH_DATAGRAMS];
	struct mmsghdr msg[BATCH_DATAGRAMS];
};

struct procev {
	int fd;
	struct batch *batch;
	uint32_t *last_seq;  /* per CPU, the newest seen */
	bool *seq_known;
	size_t ncpu, cpu_cap, known_cap;
};

/* ---- parsing ------------------------------------------------------------ */

static uint32_t u32_at(const unsigned char *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof v);
	return v;
}

static pid_t pid_at(const unsigned char *p, size_t off)
{
	return (pid_t)u32_at(p, off);
}

/* The event_data of a kind forktop uses; false when it is too short. */
static bool parse_data(const unsigned char *d, size_t len, uint32_t what, struct procev_event *ev)
{
	switch (what) {
	case PROC_EVENT_NONE:
		ev->kind = PROCEV_ACK;
		ev->err = len >= 4 ? u32_at(d, 0) : 0;
		return len >= 4;
	case PROC_EVENT_FORK:
		if (len < 16)
			return false;
		ev->kind = PROCEV_FORK;
		ev->parent_pid = pid_at(d, 0);
		ev->parent_tgid = pid_at(d, 4);
		ev->pid = pid_at(d, 8);
		ev->tgid = pid_at(d, 12);
		return true;
	case PROC_EVENT_EXEC:
		if (len < 8)
			return false;
		ev->kind = PROCEV_EXEC;
		ev->pid = pid_at(d, 0);
		ev->tgid = pid_at(d, 4);
		return true;
	case PROC_EVENT_EXIT: /* the parent's fields came with Linux 4.18 */
		if (len < 16)
			return false;
		ev->kind = PROCEV_EXIT;
		ev->pid = pid_at(d, 0);
		ev->tgid = pid_at(d, 4);
		ev->status = (int)u32_at(d, 8);
		ev->parent_pid = len >= 24 ? pid_at(d, 16) : 0;
		ev->parent_tgid = len >= 24 ? pid_at(d, 20) : 0;
		return true;
	case PROC_EVENT_COMM:
		if (len < 8 + PROCEV_COMM_MAX)
			return false;
		ev->kind = PROCEV_COMM;
		ev->pid = pid_at(d, 0);
		ev->tgid = pid_at(d, 4);
		memcpy(ev->comm, d + 8, PROCEV_COMM_MAX);
		ev->comm[PROCEV_COMM_MAX - 1] = '\0';
		return true;
	default:
		ev->kind = PROCEV_OTHER;
		return true;
	}
}

/* One connector message's payload; 1 for an event, 0 for another
 * connector's message, -EBADMSG when malformed. */
static int parse_cn(const unsigned char *p, size_t len, struct procev_event *ev)
{
	struct cn_msg cn;
	uint32_t what;

	if (len < sizeof cn)
		return -EBADMSG;
	memcpy(&cn, p, sizeof cn);
	if (cn.id.idx != CN_IDX_PROC || cn.id.val != CN_VAL_PROC)
		return 0;
	if (cn.len > len - sizeof cn || cn.len < EVENT_HEAD)
		return -EBADMSG;
	p += sizeof cn;
	*ev = (struct procev_event){ .seq = cn.seq, .ack = cn.ack };
	what = u32_at(p, 0);
	ev->cpu = u32_at(p, 4);
	memcpy(&ev->timestamp_ns, p + 8, sizeof ev->timestamp_ns);
	return parse_data(p + EVENT_HEAD, cn.len - EVENT_HEAD, what, ev) ? 1 : -EBADMSG;
}

int procev_parse(const void *buf, size_t len, struct procev_event *out, size_t cap, size_t *n)
{
	const unsigned char *p = buf;
	size_t off = 0;

	*n = 0;
	while (off < len) {
		struct nlmsghdr h;
		int rc = 0;

		if (len - off < sizeof h)
			return -EBADMSG;
		memcpy(&h, p + off, sizeof h);
		if (h.nlmsg_len < sizeof h || h.nlmsg_len > len - off)
			return -EBADMSG;
		if (h.nlmsg_type == NLMSG_DONE && *n == cap)
			return -ENOSPC;
		if (h.nlmsg_type == NLMSG_DONE)
			rc = parse_cn(p + off + sizeof h, h.nlmsg_len - sizeof h, &out[*n]);
		if (rc < 0)
			return rc;
		*n += (size_t)rc;
		off += NLMSG_ALIGN(h.nlmsg_len); /* past len after the last: the loop ends */
	}
	return 0;
}

/* ---- the socket --------------------------------------------------------- */

/* Asks the kernel to send every process event; nonce + 1 comes back in the
 * acknowledgement (whose sequence number is the kernel's own). */
static int subscribe(int fd, uint32_t nonce)
{
	struct {
		struct nlmsghdr h;
		struct cn_msg cn;
		uint32_t op;
	} __attribute__((packed)) req;

	memset(&req, 0, sizeof req);
	req.h.nlmsg_len = sizeof req;
	req.h.nlmsg_type = NLMSG_DONE;
	req.h.nlmsg_pid = (uint32_t)getpid();
	req.cn.id.idx = CN_IDX_PROC;
	req.cn.id.val = CN_VAL_PROC;
	req.cn.ack = nonce;
	req.cn.len = sizeof req.op;
	req.op = PROC_CN_MCAST_LISTEN;
	return send(fd, &req, sizeof req, 0) == (ssize_t)sizeof req ? 0 : -errno;
}

/* One datagram from the kernel (never from another process); 0 when none
 * waits, -ENOBUFS when the kernel dropped some, else its length. */
static ssize_t receive(int fd, unsigned char *buf, size_t cap)
{
	for (;;) {
		struct sockaddr_nl from;
		socklen_t fromlen = sizeof from;
		ssize_t got = recvfrom(fd, buf, cap, MSG_DONTWAIT, (struct sockaddr *)&from, &fromlen);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		if (fromlen >= sizeof from && from.nl_pid == 0)
			return got;
	}
}

/* Waits for the kernel's answer to the subscription numbered nonce. */
static int await_ack(int fd, uint32_t nonce)
{
	struct timespec start = clock_now();
	unsigned char buf[DATAGRAM_MAX];
	long left;

	while ((left = PROCEV_ACK_WAIT_MS - clock_ms_since(&start)) > 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct procev_event ev[8];
		ssize_t got;
		size_t n;

		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
		while ((got = receive(fd, buf, sizeof buf)) != 0) {
			if (got < 0 && got != -ENOBUFS)
				return (int)got;
			if (got < 0)
				continue;
			procev_parse(buf, (size_t)got, ev, sizeof ev / sizeof *ev, &n); /* n: the good ones */
			for (size_t i = 0; i < n; i++)
				if (ev[i].kind == PROCEV_ACK && ev[i].ack == nonce + 1)
					return ev[i].err ? -(int)ev[i].err : 0;
		}
	}
	return -ENOTSUP;
}

static void set_rcvbuf(int fd, int bytes)
{
	/* past net.core.rmem_max only with CAP_NET_ADMIN; else as much as allowed */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

static const char *open_failure(int rc)
{
	switch (-rc) {
	case EPERM:
	case EACCES:
		/* TRANSLATORS: why the kernel's process events cannot be had. */
		return _("not allowed to listen (this kernel takes CAP_NET_ADMIN, as every one "
			 "before Linux 6.6 and some later ones do)");
	case ENOTSUP:
		/* TRANSLATORS: why the kernel's process events cannot be had. */
		return _("the kernel did not answer (it answers only in the initial PID and user "
			 "namespaces)");
	case EPROTONOSUPPORT:
		/* TRANSLATORS: why the kernel's process events cannot be had. */
		return _("this kernel has no process events connector");
	default:
		return strerror(-rc);
	}
}

int procev_open(struct procev **out, int rcvbuf, char *err, size_t errlen)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
	struct timespec now = clock_now();
	uint32_t nonce = (uint32_t)getpid() ^ (uint32_t)now.tv_nsec;
	struct procev *pe;
	int rc = 0;

	*out = NULL;
	pe = calloc(1, sizeof *pe);
	if (pe && !(pe->batch = malloc(sizeof *pe->batch))) {
		free(pe);
		pe = NULL;
	}
	if (!pe) {
		snprintf(err, errlen, "%s", _("out of memory"));
		return -ENOMEM;
	}
	pe->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (pe->fd < 0)
		rc = -errno;
	if (!rc)
		set_rcvbuf(pe->fd, rcvbuf > 0 ? rcvbuf : PROCEV_RCVBUF_DEFAULT);
	if (!rc && bind(pe->fd, (struct sockaddr *)&addr, sizeof addr) < 0)
		rc = -errno;
	if (!rc)
		rc = subscribe(pe->fd, nonce);
	if (!rc)
		rc = await_ack(pe->fd, nonce);
	if (rc) {
		snprintf(err, errlen, "%s", open_failure(rc));
		procev_close(pe);
		return rc;
	}
	*out = pe;
	return 0;
}

void procev_close(struct procev *pe)
{
	if (!pe)
		return;
	if (pe->fd >= 0)
		close(pe->fd);
	free(pe->last_seq);
	free(pe->seq_known);
	free(pe->batch);
	free(pe);
}

int procev_fd(const struct procev *pe)
{
	return pe->fd;
}

/* Whether ev follows the last event of its CPU; a CPU's first is followed
 * from. */
static bool in_sequence(struct procev *pe, const struct procev_event *ev)
{
	size_t cpu = ev->cpu;
	bool follows;

	if (cpu >= PROCEV_CPU_MAX)
		return true;
	if (cpu >= pe->ncpu) {
		if (GROW(pe->last_seq, pe->cpu_cap, cpu + 1) < 0 ||
		    GROW(pe->seq_known, pe->known_cap, cpu + 1) < 0)
			return true;
		memset(pe->seq_known + pe->ncpu, 0, (cpu + 1 - pe->ncpu) * sizeof *pe->seq_known);
		pe->ncpu = cpu + 1;
	}
	follows = !pe->seq_known[cpu] || ev->seq == pe->last_seq[cpu] + 1;
	pe->seq_known[cpu] = true;
	pe->last_seq[cpu] = ev->seq;
	return follows;
}

/* Up to BATCH_DATAGRAMS datagrams in pe->batch; 0 when none waits,
 * -ENOBUFS when the kernel dropped some, else how many. */
static int receive_batch(struct procev *pe)
{
	struct batch *b = pe->batch;
	int got;

	for (int i = 0; i < BATCH_DATAGRAMS; i++) {
		b->iov[i] = (struct iovec){ .iov_base = b->slot[i], .iov_len = BATCH_SLOT };
		b->msg[i].msg_hdr = (struct msghdr){ .msg_name = &b->from[i], .msg_namelen = sizeof b->from[i],
						     .msg_iov = &b->iov[i], .msg_iovlen = 1 };
	}
	do
		got = recvmmsg(pe->fd, b->msg, BATCH_DATAGRAMS, MSG_DONTWAIT, NULL);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	return got;
}

/* Hands on the events of one datagram; false when it did not add up (or
 * was cut: more than a slot holds). Datagrams not from the kernel are
 * skipped. */
static bool hand_on(struct procev *pe, const struct mmsghdr *m, procev_handler *on_event, void *ctx,
		    long *handed)
{
	const struct sockaddr_nl *from = m->msg_hdr.msg_name;
	struct procev_event ev[8];
	bool whole = !(m->msg_hdr.msg_flags & MSG_TRUNC);
	size_t n;

	if (m->msg_hdr.msg_namelen < sizeof *from || from->nl_pid != 0)
		return true;
	if (procev_parse(m->msg_hdr.msg_iov->iov_base, m->msg_len, ev, sizeof ev / sizeof *ev, &n) < 0)
		whole = false; /* what the rest said is unknown */
	for (size_t k = 0; k < n; k++) {
		if (!in_sequence(pe, &ev[k])) /* acknowledgements count too */
			whole = false;
		if (ev[k].kind == PROCEV_ACK || ev[k].kind == PROCEV_OTHER)
			continue;
		on_event(ctx, &ev[k]);
		(*handed)++;
	}
	return whole;
}

long procev_drain(struct procev *pe, procev_handler *on_event, void *ctx, bool *lost)
{
	long handed = 0;

	*lost = false;
	for (int i = 0; i < PROCEV_DRAIN_MAX / BATCH_DATAGRAMS; i++) {
		int got = receive_batch(pe);

		if (got == 0)
			break;
		if (got == -ENOBUFS) {
			*lost = true;
			continue;
		}
		if (got < 0)
			return got;
		for (int k = 0; k < got; k++)
			if (!hand_on(pe, &pe->batch->msg[k], on_event, ctx, &handed))
				*lost = true;
		if (got < BATCH_DATAGRAMS)
			break; /* the socket is empty (a loss since is told by the next call) */
	}
	return handed;
}
