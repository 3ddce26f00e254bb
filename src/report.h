/* report: what a report tells of the process that sent it, the same for
 * both senders of the one protocol (src/labmsg.h): a lab process on its
 * channel, and a Python process through forktop's hook (src/pyhook.h).
 * Joins, is_alive() answers, threads, log lines and errors it raised become
 * events about the member, and the member's state follows them. It never
 * checks who sent a report: its callers have. */
#ifndef FORKTOP_REPORT_H
#define FORKTOP_REPORT_H

#include <stdbool.h>
#include <time.h>

#include "labmsg.h"
#include "member.h"
#include "track.h"

/* An event of this kind about m (the process it names first). */
struct track_event report_event(enum event_kind kind, const struct member *m);
/* Sets the event's other process. */
void report_set_target(struct track_event *ev, pid_t pid, const char *name);

/* Applies a LAB_REPORT, LAB_JOIN_BEGIN, LAB_JOIN_END, LAB_JOIN_TIMEOUT or
 * LAB_ALIVE from m, logging its event at when. False for any other type
 * (nothing changes). */
bool report_apply(struct track *track, struct timespec when, struct member *m,
		  const struct lab_msg *msg);

#endif
