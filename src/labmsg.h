/* labmsg: the control channel between the monitor and each lab process.
 * Owns the wire format (one fixed-size record per SOCK_SEQPACKET message,
 * optionally carrying one file descriptor) and its validation. Input from
 * the socket is untrusted: lab_msg_decode accepts only well-formed records. */
#ifndef FORKTOP_LABMSG_H
#define FORKTOP_LABMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "event.h"

#define LAB_MSG_MAGIC 0x666b7431u /* "fkt1" */
#define LAB_NAME_MAX 64
#define LAB_TEXT_MAX 160
#define LAB_MSG_FDS_MAX 4

enum lab_msg_type {
	/* lab process -> monitor */
	LAB_HELLO = 1,    /* I am pid (name, value: LAB_HELLO_* bits, creator); carries my own pidfd */
	LAB_NEW_CHILD,    /* I forked target (0: a grandchild whose PID its hello will tell);
			     value: LAB_HELLO_DAEMON for a daemonic one; carries the monitor's
			     end of its channel */
	LAB_REPORT,       /* a fact about me of an event kind a lab process may report
			     (event_kind_from_lab): a log line, an error I raised, a note;
			     its fields in target, name, value, error and text */
	LAB_REAPED,       /* I reaped my child target; value = wait status */
	LAB_JOIN_BEGIN,   /* I am blocked in join(target) */
	LAB_JOIN_END,     /* join(target) returned; value = wait status */
	LAB_JOIN_TIMEOUT, /* join(target, timeout) returned after value ms: target runs on */
	LAB_ALIVE,        /* target.is_alive() answered value (1 or 0) */
	/* monitor -> lab process */
	LAB_CMD_JOIN,     /* join your child target; value = timeout in ms, -1 for none */
	LAB_CMD_SPAWN,    /* start another child in group name */
	LAB_CMD_EXIT,     /* end your work now: the normal exit (exit routine) */
	LAB_CMD_IS_ALIVE,     /* call is_alive() on your child target (it reaps a finished one) */
	/* a creator <-> its fork server (forkserver start method) */
	LAB_FS_FORK,      /* fork a member of group text named name; carries its channel,
			     the status socket, the alive pipe and the tracker's pipe */
	LAB_FS_STARTED,   /* (on the status socket) I forked target; carries its pidfd */
	LAB_FS_EXITED,    /* (on the status socket) I reaped target; value = wait status */
	LAB_MSG_TYPE_END,
};

#define LAB_HELLO_DAEMON 1      /* Python's daemon flag */
#define LAB_HELLO_UNIX_DAEMON 2 /* a true Unix daemon (double fork, setsid) */
#define LAB_HELLO_TRACKER 4     /* multiprocessing's resource_tracker process */
#define LAB_HELLO_FORKSERVER 8  /* a fork server (forkserver start method) */
/* what a Python process was started for (the hook tells it; the lab has none) */
#define LAB_HELLO_POOL_WORKER 16     /* a multiprocessing.Pool worker */
#define LAB_HELLO_MANAGER 32         /* a Manager's server process */
#define LAB_HELLO_EXECUTOR_WORKER 64 /* a concurrent.futures.ProcessPoolExecutor worker */
#define LAB_HELLO_INIT 128           /* forktop's init: PID 1 of the lab's namespace */
#define LAB_HELLO_SUBREAPER 256      /* a child subreaper: orphans below it come to it */

struct lab_msg {
	uint32_t magic;
	uint32_t type;
	int32_t pid;     /* the sender (lab process) or the addressee (command) */
	int32_t target;  /* a child's pid */
	int32_t value;   /* daemon flag, wait status, a report's number */
	int32_t kind;    /* LAB_REPORT: the event kind (enum event_kind) */
	int32_t error;   /* LAB_REPORT: an errno, or 0 */
	int32_t creator; /* HELLO: the creator's pid; NEW_CHILD: the child's parent when not
			    the sender (its fork server), else 0 */
	int64_t sent_ns; /* CLOCK_REALTIME at the sender: orders messages of several channels */
	char name[LAB_NAME_MAX]; /* process or group name, NUL-terminated */
	char text[LAB_TEXT_MAX]; /* NUL-terminated */
};

/* A record with the magic set, the strings copied (bounded) and the send
 * time stamped. */
struct lab_msg lab_msg_make(enum lab_msg_type type, pid_t pid, const char *name,
			    const char *text);
/* A LAB_REPORT of kind from pid, about target (0 and "" for none). */
struct lab_msg lab_msg_report(enum event_kind kind, pid_t pid, pid_t target, const char *name);

/* True when buf holds exactly one well-formed record: right size and magic,
 * a known type, NUL-terminated strings, and for a report an event kind a
 * lab process may report, with the fields that kind needs (a thread report:
 * a TID above 0, a thread name, a daemon flag of 0 or 1). Copies it into out. */
bool lab_msg_decode(const void *buf, size_t len, struct lab_msg *out);

/* SO_PASSCRED on sock. On a sending end: from now on, every record sent
 * carries its sender's PID, also when the sender has been reaped by the
 * time it is read (a lab process calls it before its hello). On a receiving
 * end: lab_msg_recv_sender gives that PID as the receiver's PID namespace
 * numbers it. */
void lab_msg_stamp_sender(int sock);
/* Sends one record, with fd attached when fd >= 0 (MSG_NOSIGNAL: a gone
 * peer is -EPIPE, not a signal). Returns 0 or a negative errno. */
int lab_msg_send(int sock, const struct lab_msg *msg, int fd);

/* The same with nfds (0..LAB_MSG_FDS_MAX) descriptors. */
int lab_msg_send_fds(int sock, const struct lab_msg *msg, const int *fds, int nfds);

/* Receives one record. Returns 1 with *fd set (-1 when none came), 0 at end
 * of stream, or a negative errno (-EBADMSG for a malformed record, an empty
 * one included: only a peer that hung up ends the stream). Any fd
 * that came with a malformed record is closed. */
int lab_msg_recv(int sock, struct lab_msg *msg, int *fd);
/* The same with the PID the kernel stamped on the record in *sender, as
 * forktop's PID namespace numbers it (0 unless sock has SO_PASSCRED); peek:
 * leave the record to be read again (its descriptors still come). */
int lab_msg_recv_sender(int sock, struct lab_msg *msg, int *fd, pid_t *sender, bool peek);
/* The same keeping up to maxfds descriptors in fds (*nfds of them; any
 * more are closed). */
int lab_msg_recv_fds(int sock, struct lab_msg *msg, int *fds, int maxfds, int *nfds);

#endif
