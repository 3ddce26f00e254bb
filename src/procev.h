/* procev: the kernel's process events connector (netlink NETLINK_CONNECTOR,
 * CN_IDX_PROC) as a source of facts: every fork, exec, exit and comm change
 * on the machine, however short the life, with the exit's wait status.
 * Owns the socket, the subscription and the parsing of what the kernel
 * sends (untrusted bytes: every length is checked), and noticing lost
 * messages (ENOBUFS, a gap in a CPU's sequence numbers). It never reads
 * /proc, never signals and never decides what a process means to a family.
 *
 * Linux 6.6 and later let any user subscribe; before, it takes
 * CAP_NET_ADMIN, and some later kernels still ask for it. The kernel answers only callers in the initial PID and
 * user namespaces; elsewhere it stays silent (no error, no acknowledgement),
 * which procev_open reports as -ENOTSUP after a short wait. */
#ifndef FORKTOP_PROCEV_H
#define FORKTOP_PROCEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROCEV_COMM_MAX 16
#define PROCEV_RCVBUF_DEFAULT (4 << 20) /* bytes: a burst of ~50,000 events */
#define PROCEV_ACK_WAIT_MS 500          /* how long a silent kernel is waited for */

enum procev_kind {
	PROCEV_ACK,  /* the answer to a subscription (anyone's: it is multicast) */
	PROCEV_FORK, /* parent (pid, tgid) made child (pid, tgid): a thread when pid != tgid */
	PROCEV_EXEC, /* pid (tgid) ran execve */
	PROCEV_EXIT, /* pid (tgid) ended with status, under parent (parent at exit) */
	PROCEV_COMM, /* pid (tgid) is now named comm */
	PROCEV_OTHER, /* a kind forktop does not use (uid, sid, ptrace, coredump, ...) */
};

struct procev_event {
	enum procev_kind kind;
	unsigned cpu;
	uint32_t seq;            /* per CPU, one more for each event the CPU sent */
	uint64_t timestamp_ns;   /* CLOCK_MONOTONIC when it happened */
	pid_t pid, tgid;         /* whom it is about (FORK: the child) */
	pid_t parent_pid, parent_tgid; /* FORK: the parent; EXIT: the parent at exit (0: unknown) */
	int status;              /* EXIT: the wait status */
	uint32_t err;            /* ACK: 0, or the errno of a refusal */
	uint32_t ack;            /* ACK: the subscriber's number plus one */
	char comm[PROCEV_COMM_MAX]; /* COMM: raw, NUL-terminated */
};

/* Parses one datagram the socket received (one or more netlink messages).
 * Writes at most cap events to out and their number to *n. Returns 0, or
 * -EBADMSG when a message is malformed (the events before it are kept);
 * messages of another connector are skipped. */
int procev_parse(const void *buf, size_t len, struct procev_event *out, size_t cap, size_t *n);

struct procev;

/* Subscribes with a receive buffer of rcvbuf bytes (0: the default).
 * Returns 0, or a negative errno with the reason in err (a phrase, for a
 * sentence about the kernel's process events): -EPERM (this kernel
 * takes CAP_NET_ADMIN), -ENOTSUP (no answer: another PID or
 * user namespace), or what the socket calls said. */
int procev_open(struct procev **out, int rcvbuf, char *err, size_t errlen);
void procev_close(struct procev *pe);
int procev_fd(const struct procev *pe);

/* What a drain hands on, one event at a time. */
typedef void procev_handler(void *ctx, const struct procev_event *ev);

#define PROCEV_DRAIN_MAX 65536 /* datagrams one drain reads at most */

/* Reads what is waiting, without blocking, and hands each event of a known
 * kind to on_event, in the order the kernel sent them. Returns how many
 * events it handed on (more may wait when PROCEV_DRAIN_MAX datagrams were
 * read), or a negative errno. *lost is set when the kernel dropped messages
 * since the last drain (the receive buffer overflowed, or a CPU's sequence
 * number skipped); what was lost cannot be known. */
long procev_drain(struct procev *pe, procev_handler *on_event, void *ctx, bool *lost);

#endif
