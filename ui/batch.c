/* batch: text frames like `top -b`, or NDJSON (one JSON object per frame and
 * per event), written to stdout while the session's script drives the lab.
 * JSON is written from the rows' values, never parsed back from text.
 * SIGINT/SIGTERM/SIGHUP end it after the current frame; a closed pipe
 * (`forktop --batch | head`) ends it quietly. */
#include "batch.h"

#include <errno.h>
#include <limits.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/grow.h"
#include "../src/text.h"
#include "../src/track.h"

struct batch {
	struct session s;
	const struct batch_options *opt;
	unsigned long long events_written; /* newest event already written */
	char *sentence;                    /* an event's sentence, whole: grown to fit */
	size_t sentence_cap;
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
	rows_columns_of(r, &s->style, ROWS_COLS_ALL | s->opt->columns, columns, sizeof columns);
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
	       s->subreaper ? " - orphans go to forktop" : "");
	rows_header(ROWS_COLS_ALL | s->opt->columns, header, sizeof header);
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

/* JSON strings must be valid UTF-8: names go through the escaper first.
 * A text longer than a command line (an output line) is escaped whole on
 * the heap, or, without memory for that, cut to a command line's room. */
static json_t *json_name(const char *raw, size_t len)
{
	char small[4 * SCAN_CMDLINE_MAX + 1], *buf = small;
	size_t cap = sizeof small, n;
	json_t *str;

	if (len > SCAN_CMDLINE_MAX && len < (SIZE_MAX - 1) / 4) {
		char *big = malloc(4 * len + 1); /* an escape is 4 bytes a byte at most */

		if (big)
			buf = big, cap = 4 * len + 1;
	}
	n = text_escape(buf, cap, raw, len, TEXT_UTF8);
	str = json_stringn(buf, n);
	if (buf != small)
		free(buf);
	return str;
}

static json_t *json_daemon(const struct row *r)
{
	return r->daemon == ROW_DAEMON_UNKNOWN ? json_null() : json_boolean(r->daemon == ROW_DAEMON_YES);
}

static json_t *json_row_exit(const struct row *r)
{
	return r->exit_known ? json_integer(r->exit_code) : json_null();
}

/* CPU time in seconds (TIME+). */
static double cpu_seconds(const struct session *s, unsigned long long ticks)
{
	return (double)ticks / (double)(s->style.hz > 0 ? s->style.hz : 100);
}

/* CPU%, or null at a first reading (or for an ended process). */
static json_t *json_cpu(const struct row *r, int share)
{
	return share < 0 || r->tombstone ? json_null() : json_real((double)share / 10.0);
}

/* {"tid", "name", "state", "cpu", "daemon"}: the name is the lab's for its
 * threads where it knows it, else the thread's comm. */
static json_t *json_task(const struct session *s, const struct row *line)
{
	const struct scan_task *t = line->task;
	const char *label = session_row_label(s, line);
	char state[2] = { t->state, '\0' };

	return json_pack("{s:i, s:o, s:s, s:o, s:o, s:f}", "tid", t->tid, "name",
			 label ? json_name(label, strlen(label)) : json_name(t->comm, strlen(t->comm)),
			 "state", state, "cpu", json_cpu(line, t->cpu), "daemon", json_daemon(line),
			 "cpu_time", cpu_seconds(s, t->ticks));
}

static json_t *json_tasks(const struct session *s, const struct row *r)
{
	json_t *tasks = json_array();

	for (size_t k = 0; k < r->nthreads; k++)
		json_array_append_new(tasks, json_task(s, session_thread_line(s, r, k)));
	return tasks;
}

static json_t *json_proc_facts(const struct session *s, const struct row *r, int depth)
{
	const struct scan_proc *p = r->proc;
	const char *cmdline = r->tombstone ? NULL : scan_cmdline(&s->snap, p);
	const char *label = session_row_label(s, r);
	char state[2] = { p->state, '\0' }, note[128];
	long long lived = session_row_lifetime_us(s, r), elapsed = rows_elapsed(r, &s->style);

	session_row_note(s, r, note, sizeof note);
	return json_pack("{s:i, s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:s?, s:s?, s:i, s:i, s:i, "
			 "s:i, s:I, s:i, s:b, s:o, s:o, s:f, s:o}",
			 "pid", p->pid, "ppid", p->ppid, "state", state, "daemon", json_daemon(r),
			 "exit", json_row_exit(r), "name", json_name(p->comm, strlen(p->comm)),
			 "lab_name", label ? json_name(label, strlen(label)) : json_null(),
			 "cmdline", cmdline ? json_name(cmdline, strlen(cmdline)) : json_null(),
			 "role", rows_role_name(r), "note", note[0] ? note : NULL, "pgid", p->pgid,
			 "sid", p->sid, "tty", p->tty_nr, "threads", p->threads, "start_time",
			 (json_int_t)p->start_time, "depth", depth, "tombstone", r->tombstone,
			 "lifetime_ms", lived >= 0 ? json_real((double)lived / 1000.0) : json_null(),
			 "cpu", json_cpu(r, p->cpu), "cpu_time", cpu_seconds(s, p->ticks),
			 "elapsed", elapsed >= 0 ? json_integer(elapsed) : json_null());
}

static json_t *json_proc(const struct session *s, const struct row *r, int depth)
{
	json_t *obj = json_proc_facts(s, r, depth);

	if (obj && s->threads.wanted)
		json_object_set_new(obj, "tasks", json_tasks(s, r));
	return obj;
}

static void write_json_line(json_t *obj)
{
	if (obj) {
		json_dumpf(obj, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
		putchar('\n');
	}
	json_decref(obj);
}

static void write_json_frame(const struct session *s)
{
	const struct scan_counts *c = &s->snap.counts;
	json_t *procs = json_array();

	for (size_t i = 0; i < s->nrows; i++)
		json_array_append_new(procs, json_proc(s, &s->rows[i], s->tree.nodes[i].depth));
	write_json_line(json_pack(
		"{s:s, s:I, s:f, s:s, s:s, s:b, s:{s:i, s:i, s:i, s:i, s:i}, s:o}", "type", "frame",
		"frame", (json_int_t)s->refreshes, "time", seconds(s->snap.taken), "view",
		session_view_name(s), "events", session_events_name(s), "subreaper", s->subreaper,
		"counts", "total", c->total, "running", c->running, "sleeping", c->sleeping,
		"stopped", c->stopped, "zombie", c->zombie, "processes", procs));
}

static json_t *json_field(const struct event_field *f)
{
	switch (f->type) {
	case EVENT_FIELD_INT: return json_integer(f->number);
	case EVENT_FIELD_BOOL: return json_boolean(f->number);
	case EVENT_FIELD_STRING: return json_name(f->string, f->length);
	default: return json_null();
	}
}

/* An event from its values: its kind, its fields, and the sentence the
 * event log shows (text). */
static json_t *json_event(struct batch *b, const struct track_event *ev)
{
	struct event_field fields[EVENT_FIELDS_MAX];
	size_t n = event_fields(ev, fields);
	json_t *obj;

	obj = json_pack("{s:s, s:I, s:f, s:s, s:s, s:s}", "type", "event", "seq", (json_int_t)ev->seq,
			"time", seconds(ev->when), "event", event_kind_name(ev->kind), "kind",
			event_class_name(event_class_of(ev->kind)), "text",
			sentence_of(b, ev, false, TEXT_UTF8));
	for (size_t i = 0; obj && i < n; i++)
		json_object_set_new(obj, fields[i].key, json_field(&fields[i]));
	return obj;
}

static void write_json_events(struct batch *b)
{
	const struct session *s = &b->s;
	struct track_event notice;

	if (dropped_notice(b, &notice))
		write_json_line(json_event(b, &notice));
	for (unsigned long long q = b->events_written + 1; q <= track_last_seq(s->track); q++) {
		const struct track_event *ev = track_event(s->track, q);

		if (!ev || !session_event_in_view(s, ev))
			continue;
		write_json_line(json_event(b, ev));
	}
}

/* ---- the loop ----------------------------------------------------------- */

static int write_frame(struct batch *b)
{
	int rc = session_refresh(&b->s);

	if (rc < 0)
		return rc;
	if (b->opt->json) {
		write_json_frame(&b->s);
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

/* Frames on time only: the lab's reports wait for the next frame. */
static const struct session_loop batch_loop = {
	.refresh = refresh_frame,
	.input_fd = -1,
	.end_with_program = true,
};

int batch_run(const struct batch_options *opt)
{
	static struct batch b; /* large; one per process */
	struct session_options session = opt->session;
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
	rc = session_run(&b.s, &batch_loop, &b);
	session_close(&b.s);
	free(b.sentence);
	session_release_stop_signals();
	if (rc < 0 && rc != -EPIPE) {
		fprintf(stderr, "forktop: reading processes failed: %s\n", strerror(-rc));
		return 1;
	}
	return 0;
}
