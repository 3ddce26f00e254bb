/* track: identity across snapshots by (pid, start time), and the event log.
 * Owns deciding what changed between two snapshots (new, gone, re-parented,
 * turned zombie) and keeping a bounded, timestamped log of every source's
 * events (event.h). It never reads /proc itself and never renders text. */
#ifndef FORKTOP_TRACK_H
#define FORKTOP_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "event.h"
#include "scan.h"

struct track;

/* log_capacity: how many events are kept; older ones are dropped. */
int track_new(struct track **out, size_t log_capacity);
void track_free(struct track *track);

/* A process's whole name where one is known (a lab member's Python name:
 * its comm holds at most 15 bytes of it), else NULL. */
typedef const char *track_name_fn(void *ctx, pid_t pid, unsigned long long start_time);
/* The changes track_update logs are named by fn where it knows the
 * process, by its comm otherwise. */
void track_set_names(struct track *track, track_name_fn *fn, void *ctx);

/* Compares snap with the previous snapshot and logs what changed. The first
 * call only learns the processes (a monitor's start is not news).
 * Returns 0 or -ENOMEM. */
int track_update(struct track *track, const struct scan_snapshot *snap);

/* Logs ev (a copy, with the next sequence number; a long text is copied
 * too, within a budget of 16 MiB for the whole log: past it, the oldest long
 * texts keep their first bytes and count the rest as cut): timestamped now when
 * ev->when is zero, else at ev->when (when a lab process sent it). A long
 * text ev borrows is copied too: the log owns it until the event is
 * dropped, and the caller's buffer may change as soon as this returns. */
void track_log(struct track *track, const struct track_event *ev);

/* Another source logged pid's appearance (EV_NEW), born a child of
 * born_under (0 when not known): the next few updates do not log it again,
 * and the first that shows it under another parent logs EV_REPARENT from
 * born_under (the parent ended before any snapshot showed the child). */
void track_announce_new(struct track *track, pid_t pid, pid_t born_under);

/* The next update only learns the processes again (a new scope of scanning
 * is not news); the log is kept. */
void track_reprime(struct track *track);

/* Sequence number of the newest event (0 when none). */
unsigned long long track_last_seq(const struct track *track);
/* The event with that sequence number, or NULL if it was dropped or never
 * was. It stays valid (with its text) until it is dropped or the track freed. */
const struct track_event *track_event(const struct track *track, unsigned long long seq);

#endif
