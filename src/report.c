/* report: one report, one event; joins, threads and the exit routine also
 * change the member, so that notes and lessons read its state. */
#include "report.h"

#include <stdio.h>
#include <string.h>

struct track_event report_event(enum event_kind kind, const struct member *m)
{
	struct track_event ev = event_make(kind);

	ev.pid = m->pid;
	memcpy(ev.name, m->name, sizeof ev.name);
	return ev;
}

void report_set_target(struct track_event *ev, pid_t pid, const char *name)
{
	ev->target = pid;
	snprintf(ev->target_name, sizeof ev->target_name, "%s", name);
}

static void log_at(struct track *track, struct timespec when, struct track_event *ev)
{
	ev->when = when;
	track_log(track, ev);
}

static void on_join(struct track *track, struct timespec when, struct member *m,
		    const struct lab_msg *msg, enum event_kind kind)
{
	struct track_event ev = report_event(kind, m);

	m->joining = kind == EV_JOIN_BEGAN ? msg->target : 0;
	report_set_target(&ev, msg->target, msg->name);
	if (kind == EV_JOIN_RETURNED)
		ev.exit_status = msg->value; /* what join() gave the creator */
	else if (kind == EV_JOIN_TIMED_OUT)
		ev.value = msg->value;
	log_at(track, when, &ev);
}

static void on_alive(struct track *track, struct timespec when, struct member *m,
		     const struct lab_msg *msg)
{
	struct track_event ev = report_event(EV_IS_ALIVE, m);

	report_set_target(&ev, msg->target, msg->name);
	ev.value = msg->value != 0;
	log_at(track, when, &ev);
}

/* What a thread report tells of the reporter's threads (the decoder has
 * checked its TID, name and flag). */
static void learn_thread(struct member *m, const struct lab_msg *msg)
{
	switch (msg->kind) {
	case EV_THREAD_STARTED:
		member_thread_started(m, msg->target, msg->name, msg->value != 0);
		return;
	case EV_THREAD_ENDED:
	case EV_THREAD_CUT_OFF:
		member_thread_ended(m, msg->target);
		return;
	default:
		return;
	}
}

/* A fact a process reports about itself (a log line, an error it raised, a
 * note, a signal it sent): its kind and fields, as the record carried them. */
static void on_report(struct track *track, struct timespec when, struct member *m,
		      const struct lab_msg *msg)
{
	struct track_event ev = report_event((enum event_kind)msg->kind, m);

	report_set_target(&ev, msg->target, msg->name);
	ev.value = msg->value;
	ev.error = msg->error;
	snprintf(ev.text, sizeof ev.text, "%s", msg->text);
	if (ev.kind == EV_SIGNALLED) {
		ev.signal = msg->value;
		ev.value = 0;
	}
	if (ev.kind == EV_EXIT_ROUTINE)
		m->in_exit_routine = true;
	if (event_kind_names_thread(ev.kind))
		learn_thread(m, msg);
	log_at(track, when, &ev);
}

bool report_apply(struct track *track, struct timespec when, struct member *m,
		  const struct lab_msg *msg)
{
	switch (msg->type) {
	case LAB_REPORT: on_report(track, when, m, msg); return true;
	case LAB_JOIN_BEGIN: on_join(track, when, m, msg, EV_JOIN_BEGAN); return true;
	case LAB_JOIN_END: on_join(track, when, m, msg, EV_JOIN_RETURNED); return true;
	case LAB_JOIN_TIMEOUT: on_join(track, when, m, msg, EV_JOIN_TIMED_OUT); return true;
	case LAB_ALIVE: on_alive(track, when, m, msg); return true;
	default: return false;
	}
}
