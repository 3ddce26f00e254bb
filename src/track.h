/* track: identity across snapshots by (pid, start time), and the event log.
 * Owns deciding what changed between two snapshots (new, gone, re-parented,
 * turned zombie) and keeping a bounded, timestamped log of it. It never reads
 * /proc itself and never formats for a terminal. */
#ifndef FORKTOP_TRACK_H
#define FORKTOP_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "scan.h"

enum track_kind {
	TRACK_NEW,      /* a process appeared (pid, new_ppid) */
	TRACK_GONE,     /* it left /proc: reaped (exit_status if it was seen as a zombie) */
	TRACK_REPARENT, /* its parent changed: old_ppid -> new_ppid */
	TRACK_ZOMBIE,   /* it finished and waits to be reaped (exit_status) */
	TRACK_LAB_LOG,  /* a lab process's multiprocessing log line (text) */
	TRACK_LAB,      /* a lab fact: an action, a join, an exit code (text) */
	TRACK_LAB_ERROR, /* an error a lab process raised or an action refused (text) */
	TRACK_OUTPUT,   /* a line the watched program wrote on stdout or stderr (text) */
};

#define TRACK_TEXT_MAX 224

struct track_event {
	unsigned long long seq; /* 1, 2, ...: never reused */
	struct timespec when;   /* CLOCK_REALTIME of the snapshot that showed it */
	enum track_kind kind;
	pid_t pid, old_ppid, new_ppid;
	int exit_status;        /* a wait status, or SCAN_NO_STATUS */
	char name[SCAN_COMM_MAX]; /* raw comm: escape before showing */
	char text[TRACK_TEXT_MAX]; /* lab kinds: the message (already printable) */
};

struct track;

/* log_capacity: how many events are kept; older ones are dropped. */
int track_new(struct track **out, size_t log_capacity);
void track_free(struct track *track);

/* Compares snap with the previous snapshot and logs what changed. The first
 * call only learns the processes (a monitor's start is not news).
 * Returns 0 or -ENOMEM. */
int track_update(struct track *track, const struct scan_snapshot *snap);

/* Logs a lab event (TRACK_LAB_LOG, TRACK_LAB, TRACK_LAB_ERROR) about pid,
 * timestamped now. exit_status is a wait status or SCAN_NO_STATUS. */
void track_note(struct track *track, enum track_kind kind, pid_t pid, const char *name,
		int exit_status, const char *text);
/* The same, at a given CLOCK_REALTIME (when the lab process sent it). */
void track_note_at(struct track *track, struct timespec when, enum track_kind kind, pid_t pid,
		   const char *name, int exit_status, const char *text);

/* The next update only learns the processes again (a new scope of scanning
 * is not news); the log is kept. */
void track_reprime(struct track *track);

/* Sequence number of the newest event (0 when none). */
unsigned long long track_last_seq(const struct track *track);
/* The event with that sequence number, or NULL if it was dropped or never was. */
const struct track_event *track_event(const struct track *track, unsigned long long seq);

/* Python's exitcode from a wait status: WEXITSTATUS for a normal exit,
 * -N when killed by signal N. False when status is SCAN_NO_STATUS. */
bool track_exitcode(int wait_status, int *exitcode);

/* One line of plain text for an event (names escaped with text_flags). */
size_t track_describe(const struct track_event *ev, char *buf, size_t len, unsigned text_flags);
const char *track_kind_name(enum track_kind kind);

#endif
