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
#include "../src/i18n.h"
#include "../src/pidns.h"
#include "../src/text.h"
#include "../src/track.h"
#include "capture.h"
#include "frameview.h"
#include "recorder.h"

struct batch {
	struct session s;
	const struct batch_options *opt;
	unsigned long long events_written; /* newest event already written */
	struct frame frame;                /* the latest refresh, as values */
	struct frame ghost;                /* its tree as it was, for NDJSON and recordings */
	bool with_ghost;
	struct recorder json;              /* --json: to stdout */
	struct recorder record;            /* --record FILE */
	bool recording;
};

static void clock_text(struct timespec ts, char *buf, size_t len, bool millis)
{
	struct tm tm;
	size_t n;

	localtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%H:%M:%S", &tm);
	if (millis && n < len)
		snprintf(buf + n, len - n, ".%03ld", ts.tv_nsec / 1000000);
}

/* ---- text --------------------------------------------------------------- */

/* A process's line, or a thread's (shown for a process with more than one). */
static void write_text_row(const struct text_frame *tf, const struct row *r)
{
	struct row_text text;
	char columns[160], note[SESSION_NOTE_MAX] = "";

	rows_text(tf->tree, r, tf->style, tf->label(tf->src, r), &text);
	rows_columns_of(r, tf->style, ROWS_COLS_ALL | tf->columns, columns, sizeof columns);
	if (!r->task)
		tf->note(tf->src, r, note, sizeof note);
	printf("%s%s%s", columns, text.prefix, text.name);
	if (note[0])
		printf("  (%s)", note);
	putchar('\n');
}

void batch_text_frame(const struct text_frame *tf, bool first)
{
	const struct scan_counts *c = &tf->counts;
	const char *tail = "";
	char when[32], header[128];

	clock_text(tf->taken, when, sizeof when, false);
	if (!first)
		putchar('\n');
	if (tf->pid_namespace)
		/* TRANSLATORS: appended to a batch frame's first line */
		tail = _(" - the lab in its own PID namespace");
	else if (tf->subreaper)
		/* TRANSLATORS: appended to a batch frame's first line */
		tail = _(" - orphans go to forktop");
	/* TRANSLATORS: a batch frame's first line, as top -b's: version, time,
	 * counts; the view (lab, program, family, all) and the events (kernel,
	 * polling) are forktop's words for them, kept in English; the last %s is
	 * empty or " - orphans go to forktop" or " - the lab in its own PID namespace" */
	printf(_("forktop %s - %s - %d processes: %d running, %d sleeping, %d stopped, %d zombie"
		 " - view: %s, %zu shown - events: %s%s\n"),
	       PACKAGE_VERSION, when, c->total, c->running, c->sleeping, c->stopped, c->zombie,
	       tf->view, tf->nrows, tf->events, tail);
	rows_header(ROWS_COLS_ALL | tf->columns, header, sizeof header);
	printf("%s\n", header);
	for (size_t i = 0; i < tf->nrows; i++) {
		const struct row *r = &tf->rows[i];

		write_text_row(tf, r);
		for (size_t k = 0; r->nthreads > 1 && k < r->nthreads; k++)
			write_text_row(tf, tf->thread(tf->src, r, k));
	}
}

/* A frame's rows as text: the names and notes it recorded. */
static const char *view_label(const void *src, const struct row *r)
{
	return frame_view_label(src, r);
}

static void view_note(const void *src, const struct row *r, char *buf, size_t len)
{
	const char *note = frame_view_proc(src, r)->note;

	snprintf(buf, len, "%s", note ? note : "");
}

static const struct row *view_thread(const void *src, const struct row *r, size_t k)
{
	return frame_view_thread(src, r, k);
}

void batch_text_of_view(const struct frame_view *v, const struct rows_style *style,
			struct text_frame *tf)
{
	const struct frame *f = v->frame;

	*tf = (struct text_frame){ .taken = f->taken, .counts = f->counts, .view = f->view,
				   .events = f->events, .pid_namespace = f->pid_namespace,
				   .subreaper = f->subreaper, .columns = f->columns, .rows = v->rows,
				   .nrows = v->nrows, .tree = &v->tree, .style = style,
				   .label = view_label, .note = view_note, .thread = view_thread,
				   .src = v };
}

/* The live session's rows as text, as they are (no frame made). */
static const char *session_label(const void *src, const struct row *r)
{
	return session_row_label(src, r);
}

static void session_note(const void *src, const struct row *r, char *buf, size_t len)
{
	session_row_note(src, r, buf, len);
}

static const struct row *session_thread(const void *src, const struct row *r, size_t k)
{
	return session_thread_line(src, r, k);
}

static void text_of_session(const struct session *s, struct text_frame *tf)
{
	*tf = (struct text_frame){ .taken = s->snap.taken, .counts = s->snap.counts,
				   .view = session_view_name(s), .events = session_events_name(s),
				   .pid_namespace = s->lab_on && s->lab.in_namespace,
				   .subreaper = s->subreaper, .columns = session_columns(s),
				   .rows = s->rows, .nrows = s->nrows, .tree = &s->tree,
				   .style = &s->style, .label = session_label, .note = session_note,
				   .thread = session_thread, .src = s };
}

void batch_text_event(const struct track_event *ev, bool utf8, bool *header)
{
	static char *sentence; /* whole: an output line of up to EVENT_LINE_MAX bytes */
	static size_t cap;
	char when[32], small[1024];
	char *buf = GROW(sentence, cap, event_room(ev)) == 0 ? sentence : small;

	if (!*header)
		/* TRANSLATORS: the heading of the events after a batch frame */
		printf("%s\n", _("events:"));
	*header = true;
	clock_text(ev->when, when, sizeof when, true);
	event_describe(ev, buf, buf == small ? sizeof small : cap, utf8 ? TEXT_UTF8 : 0);
	printf("  %s %s\n", when, buf);
}

/* ---- events ------------------------------------------------------------- */

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

/* One event to every place it goes: the text's events, stdout's NDJSON,
 * the recording. */
static void write_event(struct batch *b, const struct track_event *ev, bool text, bool *header)
{
	if (text)
		batch_text_event(ev, b->s.style.utf8, header);
	else if (b->opt->json)
		recorder_event(&b->json, ev);
	if (b->recording)
		recorder_event(&b->record, ev);
}

/* The events logged since the last written, those the view shows. */
static void write_events(struct batch *b, bool text)
{
	const struct session *s = &b->s;
	struct track_event notice;
	bool header = false;

	if (dropped_notice(b, &notice))
		write_event(b, &notice, text, &header);
	for (unsigned long long q = b->events_written + 1; q <= track_last_seq(s->track); q++) {
		const struct track_event *ev = track_event(s->track, q);

		if (ev && session_event_in_view(s, ev))
			write_event(b, ev, text, &header);
	}
	b->events_written = track_last_seq(s->track);
}

/* ---- the loop ----------------------------------------------------------- */

/* The refresh as values, with the tree as it was, for NDJSON and --record. */
static int capture_frames(struct batch *b)
{
	int rc = capture_frame(&b->s, &b->frame);

	frame_clear(&b->ghost);
	if (rc == 0 && b->with_ghost)
		rc = capture_rows(&b->s, b->s.ghost.rows, b->s.ghost.nrows, &b->s.ghost.tree,
				  &b->ghost);
	return rc;
}

static int write_frame(struct batch *b)
{
	int rc = session_refresh(&b->s);

	if (rc < 0)
		return rc;
	if ((b->opt->json || b->recording) && (rc = capture_frames(b)) < 0)
		return rc;
	if (b->opt->json) {
		recorder_frame(&b->json, &b->frame, b->with_ghost ? &b->ghost : NULL);
	} else { /* text straight from the session's rows: a frame is made only to be written */
		struct text_frame tf;

		text_of_session(&b->s, &tf);
		batch_text_frame(&tf, b->s.refreshes <= 1);
	}
	if (b->recording)
		recorder_frame(&b->record, &b->frame, b->with_ghost ? &b->ghost : NULL);
	write_events(b, !b->opt->json);
	if (b->recording && !recorder_flush(&b->record))
		return -EIO;
	if (fflush(stdout) != 0 || ferror(stdout) || b->json.failed)
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
	write_events(b, false);
	return fflush(stdout) == 0 && !ferror(stdout) && !b->json.failed;
}

/* The first line of what is recorded: stdout's NDJSON and --record's file. */
static bool start_recording(struct batch *b, char *err, size_t errlen)
{
	struct recording_info info;

	/* NDJSON and recordings carry the tree as it was of a lab or a program */
	b->with_ghost = (b->opt->json || b->opt->record) && (b->s.lab_on || b->s.fam.active) &&
			session_show_ghost(&b->s, true) == 0;
	recorder_session_info(&info, &b->s);
	if (b->opt->json) {
		recorder_use(&b->json, stdout);
		recorder_header(&b->json, &info);
	}
	if (!b->opt->record)
		return true;
	if (recorder_open(&b->record, b->opt->record, err, errlen) < 0)
		return false;
	b->recording = true;
	if (recorder_header(&b->record, &info) && recorder_flush(&b->record))
		return true;
	snprintf(err, errlen, _("--record %s: writing failed"), b->opt->record);
	return false;
}

/* Ends the recording; false (said on stderr) when its writes failed. */
static bool end_recording(struct batch *b)
{
	bool ok = !b->recording || recorder_close(&b->record);

	if (!ok)
		fprintf(stderr, _("forktop: --record %s: writing failed (a full disk?): the "
				  "recording is cut short\n"), b->opt->record);
	recorder_close(&b->json);
	frame_free(&b->frame);
	frame_free(&b->ghost);
	return ok;
}

int batch_run(const struct batch_options *opt)
{
	static struct batch b; /* large; one per process */
	struct session_options session = opt->session;
	char err[512];
	int rc;

	session.cmdlines = opt->json || opt->record;
	session.tombstones = true; /* a frame shows what ended since the last, with its code */
	b.opt = opt;
	session_catch_stop_signals();
	if (session_open(&b.s, &session, err, sizeof err) < 0 ||
	    !start_recording(&b, err, sizeof err)) {
		fprintf(stderr, "forktop: %s\n", err);
		session_close(&b.s);
		end_recording(&b);
		return 1;
	}
	rc = session_run(&b.s, &(struct session_loop){ .refresh = refresh_frame, .input_fd = -1,
		.end_with_program = true, .before_wait = opt->json ? stream_events : NULL }, &b);
	session_close(&b.s);
	session_release_stop_signals();
	if (!end_recording(&b) || rc == -EIO)
		return 1;
	if (rc < 0 && rc != -EPIPE) {
		fprintf(stderr, _("forktop: reading processes failed: %s\n"), strerror(-rc));
		return 1;
	}
	return 0;
}
