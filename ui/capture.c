/* capture: a session's latest refresh as a frame; see capture.h. */
#include "capture.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../src/pidns.h"

enum row_daemon capture_row_daemon(enum frame_daemon d)
{
	return d == FRAME_DAEMON_YES ? ROW_DAEMON_YES
	       : d == FRAME_DAEMON_NO ? ROW_DAEMON_NO
				      : ROW_DAEMON_UNKNOWN;
}

enum frame_daemon capture_frame_daemon(enum row_daemon d)
{
	return d == ROW_DAEMON_YES ? FRAME_DAEMON_YES
	       : d == ROW_DAEMON_NO ? FRAME_DAEMON_NO
				    : FRAME_DAEMON_UNKNOWN;
}

static bool set_cstring(char **dst, const char *s)
{
	return frame_set_string(dst, s, s ? strlen(s) : 0);
}

static int capture_task(const struct session *s, const struct row *line, struct frame_proc *p)
{
	struct frame_task *t = frame_add_task(p);

	if (!t)
		return -ENOMEM;
	t->task = *line->task;
	t->daemon = capture_frame_daemon(line->daemon);
	return set_cstring(&t->label, session_row_label(s, line)) ? 0 : -ENOMEM;
}

/* The signals the PID 1 of the lab's namespace has handlers for (its
 * SigCgt), which decide what a signal to it does. */
static void capture_caught(const struct row *r, struct frame_proc *p)
{
	if (r->nspid == 1 && !r->tombstone && pidns_read_caught(r->pid, &p->caught))
		p->caught_known = true;
}

static int capture_strings(const struct session *s, const struct row *r, struct frame_proc *p)
{
	const char *cmdline = r->tombstone ? NULL : scan_cmdline(&s->snap, r->proc);
	char note[SESSION_NOTE_MAX];

	session_row_note(s, r, note, sizeof note);
	if (!set_cstring(&p->label, session_row_label(s, r)) ||
	    !set_cstring(&p->target, session_row_target(s, r)) ||
	    !set_cstring(&p->cmdline, cmdline) || !set_cstring(&p->role, rows_role_name(r)) ||
	    !set_cstring(&p->note, note[0] ? note : NULL))
		return -ENOMEM;
	return 0;
}

static int capture_proc(const struct session *s, const struct row *r, int depth, struct frame *f)
{
	struct frame_proc *p = frame_add_proc(f);
	int rc;

	if (!p)
		return -ENOMEM;
	p->proc = *r->proc;
	p->proc.cmdline_off = SCAN_NO_CMDLINE;
	p->proc.ppid = r->ppid;
	p->proc.state = r->state;
	p->daemon = capture_frame_daemon(r->daemon);
	p->exit_known = r->exit_known;
	p->exit_code = r->exit_code;
	p->nspid = r->nspid;
	p->lab = rows_is_lab(r);
	p->tombstone = r->tombstone;
	p->orphan = r->orphan;
	p->depth = depth;
	p->lifetime_us = session_row_lifetime_us(s, r);
	p->elapsed = rows_elapsed(r, &s->style);
	capture_caught(r, p);
	if ((rc = capture_strings(s, r, p)) < 0)
		return rc;
	p->tasks_known = s->threads.wanted;
	for (size_t k = 0; p->tasks_known && k < r->nthreads; k++)
		if ((rc = capture_task(s, session_thread_line(s, r, k), p)) < 0)
			return rc;
	return 0;
}

int capture_rows(const struct session *s, const struct row *rows, size_t n,
		 const struct tree *tree, struct frame *f)
{
	for (size_t i = 0; i < n; i++) {
		int rc = capture_proc(s, &rows[i], tree->nodes[rows[i].node].depth, f);

		if (rc < 0)
			return rc;
	}
	return 0;
}

int capture_frame(const struct session *s, struct frame *f)
{
	const char *method = session_start_method(s);

	frame_clear(f);
	f->number = s->refreshes;
	f->taken = s->snap.taken;
	f->uptime_ticks = s->style.uptime_ticks;
	f->hz = s->style.hz;
	snprintf(f->view, sizeof f->view, "%s", session_view_name(s));
	snprintf(f->events, sizeof f->events, "%s", session_events_name(s));
	snprintf(f->start_method, sizeof f->start_method, "%s", method ? method : "");
	f->subreaper = s->subreaper;
	f->pid_namespace = s->lab_on && s->lab.in_namespace;
	f->threads = s->threads.wanted;
	f->columns = session_columns(s);
	f->counts = s->snap.counts;
	return capture_rows(s, s->rows, s->nrows, &s->tree, f);
}
