/* batch: text frames like `top -b`, or NDJSON (one JSON object per frame and
 * per event), written to stdout while the session's script drives the lab.
 * JSON is written from the rows' values, never parsed back from text.
 * SIGINT/SIGTERM/SIGHUP end it after the current frame; a closed pipe
 * (`forktop --batch | head`) ends it quietly. */
#include "batch.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/grow.h"
#include "../src/pidns.h"
#include "../src/text.h"
#include "../src/track.h"
#include "jsonout.h"

struct batch {
	struct session s;
	const struct batch_options *opt;
	unsigned long long events_written; /* newest event already written */
	char *sentence;                    /* an event's sentence, whole: grown to fit */
	size_t sentence_cap;
	struct jsonout json;               /* the line being written, kept from line to line */
};

static double seconds(struct timespec ts)
{
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void clock_text(struct timespec ts, char *buf, size_t len, bool millis)
{
	struct tm tm;
	size_t n;

	localtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%H:%M:%S", &tm);
	if (millis && n < len)
		snprintf(buf + n, len - n, ".%03ld", ts.tv_nsec / 1000000);
}

/* ev's sentence (or, with describe, as the event log shows it), whole: an
 * output line of up to EVENT_LINE_MAX bytes is written out in full. Without
 * memory for that, it is cut to 1 KiB, as a line of the screen's log. */
static const char *sentence_of(struct batch *b, const struct track_event *ev, bool describe,
			       unsigned flags)
{
	static char small[1024];
	char *buf = small;
	size_t cap = sizeof small;

	if (GROW(b->sentence, b->sentence_cap, event_room(ev)) == 0)
		buf = b->sentence, cap = b->sentence_cap;
	if (describe)
		event_describe(ev, buf, cap, flags);
	else
		event_sentence(ev, buf, cap, flags);
	return buf;
}

/* ---- text --------------------------------------------------------------- */

/* A process's line, or a thread's (shown for a process with more than one). */
static void write_text_row(const struct session *s, const struct row *r)
{
	struct row_text text;
	char note[128], columns[160];

	rows_text(&s->tree, r, &s->style, session_row_label(s, r), &text);
	rows_columns_of(r, &s->style, ROWS_COLS_ALL | session_columns(s), columns, sizeof columns);
	session_row_note(s, r, note, sizeof note);
	printf("%s%s%s", columns, text.prefix, text.name);
	if (note[0])
		printf("  (%s)", note);
	putchar('\n');
}

static void write_text_frame(const struct session *s)
{
	const struct scan_counts *c = &s->snap.counts;
	char when[32], header[128];

	clock_text(s->snap.taken, when, sizeof when, false);
	if (s->refreshes > 1)
		putchar('\n');
	printf("forktop %s - %s - %d processes: %d running, %d sleeping, %d stopped, %d zombie"
	       " - view: %s, %zu shown - events: %s%s\n",
	       PACKAGE_VERSION, when, c->total, c->running, c->sleeping, c->stopped, c->zombie,
	       session_view_name(s), s->nrows, session_events_name(s),
	       s->lab_on && s->lab.in_namespace ? " - the lab in its own PID namespace"
	       : s->subreaper ? " - orphans go to forktop" : "");
	rows_header(ROWS_COLS_ALL | session_columns(s), header, sizeof header);
	printf("%s\n", header);
	for (size_t i = 0; i < s->nrows; i++) {
		const struct row *r = &s->rows[i];

		write_text_row(s, r);
		for (size_t k = 0; r->nthreads > 1 && k < r->nthreads; k++)
			write_text_row(s, session_thread_line(s, r, k));
	}
}

/* Events the log dropped before this frame could write them: a notice of
 * their number (an event of its own, written, not logged), or none. */
static bool dropped_notice(const struct batch *b, struct track_event *notice)
{
	unsigned long long q = b->events_written + 1, last = track_last_seq(b->s.track);
	long dropped = 0;

	while (q <= last && !track_event(b->s.track, q))
		q++, dropped++;
	if (!dropped)
		return false;
	*notice = event_make(EV_EVENTS_DROPPED);
	notice->value = dropped > INT_MAX ? INT_MAX : (int)dropped;
	clock_gettime(CLOCK_REALTIME, &notice->when);
	return true;
}

static void write_text_event(struct batch *b, const struct track_event *ev, bool *header)
{
	char when[32];

	if (!*header)
		printf("events:\n");
	*header = true;
	clock_text(ev->when, when, sizeof when, true);
	printf("  %s %s\n", when, sentence_of(b, ev, true, b->s.style.utf8 ? TEXT_UTF8 : 0));
}

static void write_text_events(struct batch *b)
{
	const struct session *s = &b->s;
	struct track_event notice;
	bool header = false;

	if (dropped_notice(b, &notice))
		write_text_event(b, &notice, &header);
	for (unsigned long long q = b->events_written + 1; q <= track_last_seq(s->track); q++) {
		const struct track_event *ev = track_event(s->track, q);

		if (ev && session_event_in_view(s, ev))
			write_text_event(b, ev, &header);
	}
}

/* ---- NDJSON ------------------------------------------------------------- */

/* null for a daemon flag nobody knows (not a Python process) */
static void json_daemon(struct jsonout *o, const struct row *r)
{
	if (r->daemon == ROW_DAEMON_UNKNOWN)
		jsonout_null(o, "daemon");
	else
		jsonout_bool(o, "daemon", r->daemon == ROW_DAEMON_YES);
}

/* CPU time in seconds (TIME+). */
static double cpu_seconds(const struct session *s, unsigned long long ticks)
{
	return (double)ticks / (double)(s->style.hz > 0 ? s->style.hz : 100);
}

/* CPU%, or null at a first reading (or for an ended process). */
static void json_cpu(struct jsonout *o, const struct row *r, int share)
{
	if (share < 0 || r->tombstone)
		jsonout_null(o, "cpu");
	else
		jsonout_real(o, "cpu", (double)share / 10.0);
}

/* {"tid", "name", "state", "cpu", "daemon", "cpu_time"}: the name is the
 * lab's for its threads where it knows it, else the thread's comm. */
static void json_task(struct jsonout *o, const struct session *s, const struct row *line)
{
	const struct scan_task *t = line->task;
	const char *label = session_row_label(s, line);
	char state[2] = { t->state, '\0' };

	jsonout_open_object(o, NULL);
	jsonout_int(o, "tid", t->tid);
	jsonout_cstring(o, "name", label ? label : t->comm);
	jsonout_text_value(o, "state", state);
	json_cpu(o, line, t->cpu);
	json_daemon(o, line);
	jsonout_real(o, "cpu_time", cpu_seconds(s, t->ticks));
	jsonout_close_object(o);
}

static void json_tasks(struct jsonout *o, const struct session *s, const struct row *r)
{
	jsonout_open_array(o, "tasks");
	for (size_t k = 0; k < r->nthreads; k++)
		json_task(o, s, session_thread_line(s, r, k));
	jsonout_close_array(o);
}

/* "nspid": the NSpid list, outermost first, for the lab's processes (the
 * lab knows where it started them); null for the others, whose status
 * forktop does not read at every frame. */
static void json_nspid(struct jsonout *o, const struct row *r)
{
	if (!rows_is_lab(r)) {
		jsonout_null(o, "nspid");
		return;
	}
	jsonout_open_array(o, "nspid");
	jsonout_int(o, NULL, r->pid);
	if (r->nspid)
		jsonout_int(o, NULL, r->nspid);
	jsonout_close_array(o);
}

/* "caught": the signals the PID 1 of the lab's namespace has handlers for
 * (its SigCgt), which decide what a signal to it does. */
static void json_caught(struct jsonout *o, const struct row *r)
{
	uint64_t caught;

	if (r->nspid != 1 || r->tombstone || !pidns_read_caught(r->pid, &caught))
		return;
	jsonout_open_array(o, "caught");
	for (int sig = 1; sig <= 64; sig++) {
		char name[16];

		if (!(caught & (1ULL << (sig - 1))))
			continue;
		pidns_signal_name(sig, name, sizeof name);
		jsonout_text_value(o, NULL, name);
	}
	jsonout_close_array(o);
}

static void json_proc(struct jsonout *o, const struct session *s, const struct row *r, int depth)
{
	const struct scan_proc *p = r->proc;
	const char *cmdline = r->tombstone ? NULL : scan_cmdline(&s->snap, p);
	char state[2] = { p->state, '\0' }, note[128];
	long long lived = session_row_lifetime_us(s, r), elapsed = rows_elapsed(r, &s->style);

	session_row_note(s, r, note, sizeof note);
	jsonout_open_object(o, NULL);
	jsonout_int(o, "pid", p->pid);
	json_nspid(o, r);
	jsonout_int(o, "ppid", p->ppid);
	jsonout_text_value(o, "state", state);
	json_daemon(o, r);
	if (r->exit_known)
		jsonout_int(o, "exit", r->exit_code);
	else
		jsonout_null(o, "exit");
	jsonout_cstring(o, "name", p->comm);
	jsonout_cstring(o, "lab_name", session_row_label(s, r));
	jsonout_cstring(o, "target", session_row_target(s, r));
	jsonout_cstring(o, "cmdline", cmdline);
	jsonout_text_value(o, "role", rows_role_name(r));
	jsonout_text_value(o, "note", note[0] ? note : NULL);
	json_caught(o, r);
	jsonout_int(o, "pgid", p->pgid);
	jsonout_int(o, "sid", p->sid);
	jsonout_int(o, "tty", p->tty_nr);
	jsonout_int(o, "threads", p->threads);
	jsonout_int(o, "start_time", (long long)p->start_time);
	jsonout_int(o, "depth", depth);
	jsonout_bool(o, "tombstone", r->tombstone);
	if (lived >= 0)
		jsonout_real(o, "lifetime_ms", (double)lived / 1000.0);
	else
		jsonout_null(o, "lifetime_ms");
	json_cpu(o, r, p->cpu);
	jsonout_real(o, "cpu_time", cpu_seconds(s, p->ticks));
	if (elapsed >= 0)
		jsonout_int(o, "elapsed", elapsed);
	else
		jsonout_null(o, "elapsed");
	if (s->threads.wanted)
		json_tasks(o, s, r);
	jsonout_close_object(o);
}

static void write_json_frame(struct batch *b)
{
	const struct session *s = &b->s;
	const struct scan_counts *c = &s->snap.counts;
	struct jsonout *o = &b->json;

	jsonout_begin(o);
	jsonout_text_value(o, "type", "frame");
	jsonout_int(o, "frame", (long long)s->refreshes);
	jsonout_real(o, "time", seconds(s->snap.taken));
	jsonout_text_value(o, "view", session_view_name(s));
	jsonout_text_value(o, "events", session_events_name(s));
	jsonout_bool(o, "subreaper", s->subreaper);
	jsonout_cstring(o, "start_method", session_start_method(s));
	jsonout_open_object(o, "counts");
	jsonout_int(o, "total", c->total);
	jsonout_int(o, "running", c->running);
	jsonout_int(o, "sleeping", c->sleeping);
	jsonout_int(o, "stopped", c->stopped);
	jsonout_int(o, "zombie", c->zombie);
	jsonout_close_object(o);
	jsonout_open_array(o, "processes");
	for (size_t i = 0; i < s->nrows; i++)
		json_proc(o, s, &s->rows[i], s->tree.nodes[i].depth);
	jsonout_close_array(o);
	jsonout_end(o, stdout);
}

static void json_field(struct jsonout *o, const struct event_field *f)
{
	switch (f->type) {
	case EVENT_FIELD_INT: jsonout_int(o, f->key, f->number); break;
	case EVENT_FIELD_BOOL: jsonout_bool(o, f->key, f->number); break;
	case EVENT_FIELD_STRING: jsonout_string(o, f->key, f->string, f->length); break;
	default: jsonout_null(o, f->key); break;
	}
}

/* An event from its values: its kind, its fields, and the sentence the
 * event log shows (text). */
static void write_json_event(struct batch *b, const struct track_event *ev)
{
	struct event_field fields[EVENT_FIELDS_MAX];
	size_t n = event_fields(ev, fields);
	struct jsonout *o = &b->json;

	jsonout_begin(o);
	jsonout_text_value(o, "type", "event");
	jsonout_int(o, "seq", (long long)ev->seq);
	jsonout_real(o, "time", seconds(ev->when));
	jsonout_text_value(o, "event", event_kind_name(ev->kind));
	jsonout_text_value(o, "kind", event_class_name(event_class_of(ev->kind)));
	jsonout_text_value(o, "text", sentence_of(b, ev, false, TEXT_UTF8));
	for (size_t i = 0; i < n; i++)
		json_field(o, &fields[i]);
	jsonout_end(o, stdout);
}

static void write_json_events(struct batch *b)
{
	const struct session *s = &b->s;
	struct track_event notice;

	if (dropped_notice(b, &notice))
		write_json_event(b, &notice);
	for (unsigned long long q = b->events_written + 1; q <= track_last_seq(s->track); q++) {
		const struct track_event *ev = track_event(s->track, q);

		if (!ev || !session_event_in_view(s, ev))
			continue;
		write_json_event(b, ev);
	}
}

/* ---- the loop ----------------------------------------------------------- */

static int write_frame(struct batch *b)
{
	int rc = session_refresh(&b->s);

	if (rc < 0)
		return rc;
	if (b->opt->json) {
		write_json_frame(b);
		write_json_events(b);
	} else {
		write_text_frame(&b->s);
		write_text_events(b);
	}
	b->events_written = track_last_seq(b->s.track);
	if (fflush(stdout) != 0 || ferror(stdout))
		return -EPIPE;
	return 0;
}

static int refresh_frame(void *face)
{
	return write_frame(face);
}

/* NDJSON, before each wait: the events logged since the last line, at
 * once, so that a reader learns of an exit within milliseconds, not with
 * the next frame. False (the end) when stdout is closed. */
static bool stream_events(void *face)
{
	struct batch *b = face;

	if (track_last_seq(b->s.track) == b->events_written)
		return true;
	write_json_events(b);
	b->events_written = track_last_seq(b->s.track);
	return fflush(stdout) == 0 && !ferror(stdout);
}

/* Frames on time only; text frames carry the events since the last one,
 * NDJSON writes events as they come. */
static const struct session_loop batch_loop = {
	.refresh = refresh_frame,
	.input_fd = -1,
	.end_with_program = true,
};

int batch_run(const struct batch_options *opt)
{
	static struct batch b; /* large; one per process */
	struct session_options session = opt->session;
	struct session_loop loop;
	char err[256];
	int rc;

	session.cmdlines = opt->json;
	session.tombstones = true; /* a frame shows what ended since the last, with its code */
	b.opt = opt;
	session_catch_stop_signals();
	if (session_open(&b.s, &session, err, sizeof err) < 0) {
		fprintf(stderr, "forktop: %s\n", err);
		session_close(&b.s);
		return 1;
	}
	loop = batch_loop;
	if (opt->json)
		loop.before_wait = stream_events;
	rc = session_run(&b.s, &loop, &b);
	session_close(&b.s);
	free(b.sentence);
	jsonout_free(&b.json);
	session_release_stop_signals();
	if (rc < 0 && rc != -EPIPE) {
		fprintf(stderr, "forktop: reading processes failed: %s\n", strerror(-rc));
		return 1;
	}
	return 0;
}
