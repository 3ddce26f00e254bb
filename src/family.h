/* family: any program's process family, watched live: the program forktop
 * started (forktop -- CMD) or one it attached to (--attach PID), and every
 * process that ever descended from it, wherever it hangs now. Owns
 * membership by identity (pid, start time), pidfds for exit codes, and the
 * program's output lines. It never draws anything, and signals only a family
 * it started itself, only through pidfds. */
#ifndef FORKTOP_FAMILY_H
#define FORKTOP_FAMILY_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "member.h"
#include "pidmap.h"
#include "procev.h"
#include "scan.h"
#include "track.h"

struct family_index {
	size_t *at;
	size_t count, cap;
};

struct family {
	struct member *members;
	size_t count, cap;
	bool started;        /* forktop started the root (and ends the family on quit) */
	int output_fd;       /* the program's stdout and stderr, or -1 */
	char *partial;       /* an output line not yet ended: its first EVENT_LINE_MAX bytes */
	size_t partial_len, partial_cap;
	size_t partial_cut;  /* the bytes of that line past EVENT_LINE_MAX, counted, dropped */
	struct track *track;
	pid_t monitor;       /* forktop's own PID: asked once, not for each process a refresh */
	unsigned long long scan_began_ns; /* CLOCK_MONOTONIC: members forked later are not in the snapshot */
	size_t scan_count;   /* members there were when it began: the kernel told of the others
				after, and a partial scan did not look for them */
	bool active;
	char start_method[16]; /* the program's Python start method, as its hook last told
				  ("fork", "spawn", "forkserver"); "" until it starts a child */
	struct pidmap live;  /* PID -> index of the member with it that is still watched */
	struct pidmap ever;  /* PID -> index of the newest member that had it, gone or not */
	/* indices into members, oldest first: those not known to have ended,
	 * and those not yet gone from /proc. Loops over live members walk
	 * these, never the thousands of short lives a storm leaves behind. */
	struct family_index running, watched;
	struct family_index unheld; /* forked, not yet held by a pidfd (see family_kernel_events_done) */
	size_t unheld_older;        /* the first of them were told before the last read's end */
};

/* Starts argv[0] (searched in PATH) as forktop's child, its stdout and stderr
 * into the event log, with env's NAME=VALUE entries (NULL-terminated; NULL
 * for none) added to its environment. Returns 0, or -1 with the reason in err. */
int family_start(struct family *f, char *const argv[], char *const env[], struct track *track,
		 char *err, size_t errlen);
/* Watches the existing process pid and its descendants. Returns 0 or -1. */
int family_attach(struct family *f, pid_t pid, struct track *track, char *err, size_t errlen);
/* Ends a family forktop started (SIGTERM, then SIGKILL after wait_ms), and
 * frees everything. An attached family is left alone. */
void family_close(struct family *f, int wait_ms);

/* Called before the scan family_observe will read: a member the kernel
 * told of after this moment is not judged by that scan. */
void family_scan_begins(struct family *f);

/* New descendants, exits and parents, learned from a full snapshot. */
void family_observe(struct family *f, const struct scan_snapshot *snap);
/* What the kernel's process events tell of the family: a member's fork
 * (the child joins at once, however short its life), exec and comm (its
 * name), exit (its code, from the kernel; the new parents of its children,
 * re-parented before the event is sent). Threads and other processes are
 * ignored. */
void family_kernel_event(struct family *f, const struct procev_event *ev);
/* After each read of the kernel's events: each member forked before the
 * previous read's end that has not ended since gets its pidfd (so that it
 * can be signalled and ended with forktop) and its start time. A storm's
 * short lives end before that, and cost neither. family_close holds every
 * member not yet held before it ends them. */
void family_kernel_events_done(struct family *f);
size_t family_poll_fds(const struct family *f, struct pollfd *fds, size_t cap);
void family_handle(struct family *f, const struct pollfd *fds, size_t n);

/* Sends sig to member m through its pidfd and logs it: only in a family
 * forktop started. Returns 0 or a negative errno (-EPERM when attached). */
int family_signal(struct family *f, const struct member *m, int sig);
const struct member *family_member_of(const struct family *f, const struct scan_proc *p);
/* The watched member with this PID; else, when /proc shows pid descending
 * from a member that runs (or, in a family forktop started, an orphan that
 * came to forktop), a new member for it, as the next scan would add it.
 * NULL when pid is of no watched family. */
struct member *family_claim(struct family *f, pid_t pid);
/* The newest member that had this PID, gone or not, or NULL. */
const struct member *family_newest(const struct family *f, pid_t pid);
/* Whether pid is a member now (known, not gone), without claiming it. */
bool family_is_member(const struct family *f, pid_t pid);
/* Whether pid was ever a member's (for the events of members gone since). */
bool family_had_pid(const struct family *f, pid_t pid);
/* True while a member runs or the program's output is still open. */
bool family_running(const struct family *f);

#endif
