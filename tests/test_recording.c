/* What forktop records it reads back the same: every kind of event with
 * every field, hostile names (the escapes undone to the raw bytes), frames
 * with processes and threads; and a line that is not what it claims is
 * refused with the key at fault named, while unknown keys are ignored. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/recording.h"
#include "../src/text.h"
#include "../ui/history.h"
#include "../ui/recorder.h"

static struct recorder rec;
static char *buf;
static size_t len;
static FILE *mem;

static void setup(void)
{
	mem = open_memstream(&buf, &len);
	recorder_use(&rec, mem);
}

static void teardown(void)
{
	recorder_close(&rec);
	fclose(mem);
	free(buf);
}

TestSuite(recording, .init = setup, .fini = teardown);

/* The line written, without its newline. */
static const char *written(void)
{
	fflush(mem);
	cr_assert(len > 0 && buf[len - 1] == '\n', "a whole line was written");
	buf[len - 1] = '\0';
	return buf;
}

static void parse(const char *line, struct recording_line *out)
{
	struct recording_info info = { .hz = 100 };
	char err[256];

	cr_assert_eq(recording_parse(line, strlen(line), &info, out, err, sizeof err), 0,
		     "parsed: %s (%s)", err, line);
}

static void same_fields(const struct track_event *a, const struct track_event *b)
{
	struct event_field fa[EVENT_FIELDS_MAX], fb[EVENT_FIELDS_MAX];
	size_t na = event_fields(a, fa), nb = event_fields(b, fb);

	cr_assert_eq(na, nb, "%s: as many fields", event_kind_name(a->kind));
	for (size_t i = 0; i < na; i++) {
		cr_assert_str_eq(fa[i].key, fb[i].key);
		cr_assert_eq(fa[i].type, fb[i].type, "%s.%s", event_kind_name(a->kind), fa[i].key);
		cr_assert_eq(fa[i].number, fb[i].number, "%s.%s", event_kind_name(a->kind), fa[i].key);
		if (fa[i].type == EVENT_FIELD_STRING) {
			cr_assert_eq(fa[i].length, fb[i].length, "%s.%s", event_kind_name(a->kind),
				     fa[i].key);
			cr_assert(!memcmp(fa[i].string, fb[i].string, fa[i].length), "%s.%s",
				  event_kind_name(a->kind), fa[i].key);
		}
	}
}

Test(recording, every_kind_of_event_comes_back_with_every_field)
{
	for (int k = 0; k < EV_KIND_COUNT; k++) {
		struct track_event ev = event_make((enum event_kind)k);
		struct recording_line line = { 0 };

		ev.seq = 40 + (unsigned)k;
		ev.when = (struct timespec){ 1796600000, 123456000 };
		ev.pid = 4100;
		snprintf(ev.name, sizeof ev.name, "Proc\x80\n\\x41");
		ev.old_ppid = 4099;
		ev.new_ppid = 1;
		ev.target = 4101;
		snprintf(ev.target_name, sizeof ev.target_name, "Process-1\xe2\x80\x8b");
		ev.by = 4102;
		snprintf(ev.by_name, sizeof ev.by_name, "forkserver");
		ev.exit_status = k % 2 ? 9 : 3 << 8;
		ev.source = EXIT_SOURCE_PIDFD;
		ev.signal = 15;
		ev.value = 1;
		ev.error = 13;
		event_set_text(&ev, "a line\x01 with \"quotes\"", 22);
		ev.cut_bytes = 7;
		len = 0;
		rewind(mem);
		cr_assert(recorder_event(&rec, &ev));
		parse(written(), &line);
		cr_assert_eq(line.kind, RECORDING_EVENT);
		cr_assert_eq(line.event.kind, ev.kind);
		cr_assert_eq(line.event.seq, ev.seq);
		cr_assert_eq(line.event.when.tv_sec, ev.when.tv_sec);
		cr_assert(labs(line.event.when.tv_nsec - ev.when.tv_nsec) < 1000,
			  "the time to a microsecond (a double's precision)");
		same_fields(&ev, &line.event);
		recording_line_free(&line);
	}
}

Test(recording, a_frame_comes_back_with_its_processes_and_threads)
{
	struct frame f = { .number = 7, .taken = { 1796600000, 500000000 }, .hz = 100,
			   .uptime_ticks = 99999, .threads = true, .pid_namespace = true,
			   .columns = 3, .counts = { .total = 2, .running = 1, .sleeping = 1 } };
	struct frame back = { 0 };
	struct recording_line line = { .frame = &back };
	struct frame_proc *p = frame_add_proc(&f);
	struct frame_task *t;

	snprintf(f.view, sizeof f.view, "lab");
	snprintf(f.events, sizeof f.events, "kernel");
	p->proc = (struct scan_proc){ .pid = 50, .ppid = 1, .pgid = 50, .sid = 7, .tty_nr = 34817,
				      .threads = 2, .state = 'S', .start_time = 1234, .ticks = 250,
				      .cpu = 125 };
	snprintf(p->proc.comm, sizeof p->proc.comm, "evil\x1b[31m\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01");
	p->daemon = FRAME_DAEMON_YES;
	p->exit_known = true;
	p->exit_code = -15;
	p->lab = true;
	p->nspid = 1;
	p->caught_known = true;
	p->caught = (1ULL << 1) | (1ULL << 14); /* SIGINT, SIGTERM */
	p->lifetime_us = 1500;
	p->elapsed = 3;
	frame_set_string(&p->label, "Process-1\xff", 10);
	frame_set_string(&p->note, "orphan: was under 4 \\x80", 24);
	p->tasks_known = true;
	t = frame_add_task(p);
	t->task = (struct scan_task){ .tid = 51, .state = 'R', .cpu = 10, .ticks = 3 };
	t->daemon = FRAME_DAEMON_NO;
	frame_set_string(&t->label, "Thread-1 (work)", 15);
	cr_assert(recorder_frame(&rec, &f, NULL));
	parse(written(), &line);
	cr_assert_eq(line.kind, RECORDING_FRAME);
	cr_assert_eq(back.number, 7);
	cr_assert_eq(back.taken.tv_sec, f.taken.tv_sec);
	cr_assert(labs(back.taken.tv_nsec - f.taken.tv_nsec) < 1000);
	cr_assert(back.pid_namespace && back.threads);
	cr_assert_eq(back.columns, 3);
	cr_assert_eq(back.uptime_ticks, 99999);
	cr_assert_eq(back.nprocs, 1);
	cr_assert_eq(back.procs[0].proc.pid, 50);
	cr_assert_eq(back.procs[0].proc.tty_nr, 34817);
	cr_assert_eq(back.procs[0].proc.ticks, 250);
	cr_assert_eq(back.procs[0].proc.cpu, 125);
	cr_assert_str_eq(back.procs[0].proc.comm, "evil\x1b[31m\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01",
			 "the raw bytes, escapes undone (a comm's 4 bytes an escape do not cut it)");
	cr_assert_str_eq(back.procs[0].label, "Process-1\xff");
	cr_assert_str_eq(back.procs[0].note, "orphan: was under 4 \\x80", "forktop's text as written");
	cr_assert_eq(back.procs[0].daemon, FRAME_DAEMON_YES);
	cr_assert(back.procs[0].exit_known);
	cr_assert_eq(back.procs[0].exit_code, -15);
	cr_assert_eq(back.procs[0].nspid, 1);
	cr_assert_eq(back.procs[0].caught, f.procs[0].caught);
	cr_assert_eq(back.procs[0].lifetime_us, 1500);
	cr_assert_eq(back.procs[0].elapsed, 3);
	cr_assert_eq(back.procs[0].ntasks, 1);
	cr_assert_eq(back.procs[0].tasks[0].task.tid, 51);
	cr_assert_str_eq(back.procs[0].tasks[0].label, "Thread-1 (work)");
	cr_assert_eq(back.procs[0].tasks[0].daemon, FRAME_DAEMON_NO);
	frame_free(&f);
	frame_free(&back);
}

static void refused(const char *line, const char *why)
{
	struct frame f = { 0 };
	struct recording_line out = { .frame = &f };
	struct recording_info info = { .hz = 100 };
	char err[256] = "";

	cr_assert_eq(recording_parse(line, strlen(line), &info, &out, err, sizeof err), -1,
		     "refused: %s", line);
	cr_assert(strstr(err, why), "'%s' says '%s'", err, why);
	recording_line_free(&out);
	frame_free(&f);
}

Test(recording, a_value_of_the_wrong_type_is_refused_and_named)
{
	refused("{\"type\":\"frame\",\"processes\":{}}", "\"processes\" is not an array");
	refused("{\"type\":\"frame\",\"processes\":[{\"pid\":\"1\",\"ppid\":0,\"state\":\"S\"}]}",
		"\"pid\" is not a whole number");
	refused("{\"type\":\"frame\",\"processes\":[{\"pid\":1,\"ppid\":0,\"state\":\"SS\"}]}",
		"\"state\" is not one letter");
	refused("{\"type\":\"frame\",\"processes\":[{\"pid\":1,\"ppid\":0,\"state\":\"S\","
		"\"exit\":999}]}", "\"exit\" is no exit code");
	refused("{\"type\":\"event\",\"event\":\"exited\",\"source\":\"guess\"}",
		"\"source\" is not what an event of its kind holds");
	refused("{\"type\":\"event\",\"event\":\"exited\",\"pid\":[1]}", "\"pid\" is not a value");
	refused("{\"type\":\"recording\",\"format\":2}", "format 2");
	refused("[1,2]", "not a JSON object");
	refused("{\"type\":\"frame\"", "not JSON");
}

/* jansson's own text is English in every locale: forktop says why in words
 * of its own, which the catalog translates. */
Test(recording, a_line_that_is_no_json_says_why_in_forktops_words)
{
	char deep[4000];

	memset(deep, '[', sizeof deep - 1);
	deep[sizeof deep - 1] = '\0';
	refused("{\"type\":\"frame\"", "not JSON: it ends before its value does (column");
	refused("{\"type\":\"frame\"} x", "not JSON: more text after its value");
	refused("{\"type\":\"fr\xff\"}", "not JSON: not valid UTF-8");
	refused("{\"type\":\"a\\u0000b\"}", "not JSON: a NUL character");
	refused("{\"frame\":1e999}", "not JSON: a number too large");
	refused("{\"frame\":123456789012345678901234567890}", "not JSON: a number too large");
	refused(deep, "not JSON: nested too deeply");
	refused("{\"type\":frame}", "not JSON: a syntax error (column");
}

Test(recording, unknown_keys_and_kinds_are_ignored)
{
	struct frame f = { 0 };
	struct recording_line out = { .frame = &f };

	parse("{\"type\":\"frame\",\"frame\":2,\"future\":[1],\"processes\":[{\"pid\":3,\"ppid\":1,"
	      "\"state\":\"Z\",\"name\":\"x\",\"colour\":\"red\"}]}", &out);
	cr_assert_eq(out.kind, RECORDING_FRAME);
	cr_assert_eq(f.nprocs, 1);
	cr_assert_eq(f.procs[0].proc.state, 'Z');
	parse("{\"type\":\"event\",\"event\":\"teleported\",\"pid\":3}", &out);
	cr_assert_eq(out.kind, RECORDING_IGNORED);
	parse("{\"type\":\"bookmark\"}", &out);
	cr_assert_eq(out.kind, RECORDING_IGNORED);
	recording_line_free(&out);
	frame_free(&f);
}

Test(recording, escapes_are_undone_to_the_raw_bytes)
{
	unsigned seed = 7;

	for (int round = 0; round < 2000; round++) {
		char raw[32], shown[4 * sizeof raw + 1];
		size_t n = (size_t)(rand_r(&seed) % (int)sizeof raw), m;

		for (size_t i = 0; i < n; i++)
			raw[i] = (char)(rand_r(&seed) % 256 ?: 1);
		m = text_escape(shown, sizeof shown, raw, n, round % 2 ? TEXT_UTF8 : 0);
		cr_assert_eq(text_unescape(shown, shown, m), n, "round %d", round);
		cr_assert(!memcmp(shown, raw, n), "round %d", round);
	}
}

/* A frame of n sleeping processes (PIDs 100...), one of them (changed)
 * with another CPU time. */
static void frame_of(struct frame *f, size_t n, long long number, size_t changed)
{
	frame_clear(f);
	f->number = number;
	for (size_t i = 0; i < n; i++) {
		struct frame_proc *p = frame_add_proc(f);

		p->proc = (struct scan_proc){ .pid = (pid_t)(100 + i), .ppid = 1, .state = 'S',
					      .start_time = 5, .cpu = 0,
					      .ticks = i == changed ? (unsigned long long)number : 0 };
		snprintf(p->proc.comm, sizeof p->proc.comm, "sleeper");
		frame_set_string(&p->note, "a note", 6);
	}
}

/* The screen's history: a row that did not change is kept once, shared by
 * every moment it is in; bounded by bytes, the oldest moments dropped first
 * (never the newest), their rows with them once no moment shares them;
 * found by id, time and event; markers go with their moments. */
Test(recording, the_history_shares_unchanged_rows_and_drops_its_oldest_moments)
{
	struct history h;
	struct frame f = { 0 }, back = { 0 };
	const struct history_moment *m;
	struct recording_marker mk = { .note = "here" };
	size_t first;

	history_init(&h, 1 << 30);
	frame_of(&f, 1000, 1, (size_t)-1);
	cr_assert_not_null(history_keep(&h, &f, NULL, 10, (struct timespec){ 1, 0 }));
	cr_assert_eq(f.nprocs, 0, "its rows were taken");
	first = h.bytes;
	frame_of(&f, 1000, 2, 7);
	cr_assert_not_null(history_keep(&h, &f, NULL, 20, (struct timespec){ 2, 0 }));
	cr_assert_eq(h.rows_made, 1001, "one row changed: one made anew, not %zu", h.rows_made - 1000);
	cr_assert(h.bytes - first < first / 20, "the second moment costs %zu bytes, the first %zu",
		  h.bytes - first, first);
	cr_assert_eq(history_frame_of(history_newest(&h), false, &back), 0);
	cr_assert_eq(back.nprocs, 1000);
	cr_assert_eq(back.procs[7].proc.ticks, 2, "the changed row as it is now");
	cr_assert_str_eq(back.procs[999].note, "a note");
	cr_assert_eq(history_frame_of(history_oldest(&h), false, &back), 0);
	cr_assert_eq(back.procs[7].proc.ticks, 0, "and as it was");
	history_free(&h);

	history_init(&h, 3 * first); /* room for a few moments of changing rows */
	for (int i = 1; i <= 25; i++) {
		frame_of(&f, 1000, i, (size_t)-1);
		for (size_t k = 0; k < f.nprocs; k++)
			f.procs[k].proc.cpu = i; /* every row changes */
		m = history_keep(&h, &f, NULL, (unsigned long long)i * 10, (struct timespec){ i, 0 });
		cr_assert_not_null(m);
		if (i == 12 || i == 24)
			cr_assert(history_mark(&h, m->id, &mk));
	}
	cr_assert(h.count >= 2 && h.count < 5, "a few moments kept, not %zu", h.count);
	cr_assert(h.bytes <= h.limit);
	cr_assert_eq(history_newest(&h)->head.number, 25);
	cr_assert_null(history_find(&h, 1), "a dropped moment is gone");
	cr_assert_eq(history_at_time(&h, (struct timespec){ 24, 500000000 })->head.number, 24,
		     "the last moment at or before the time");
	cr_assert_eq(history_at_time(&h, (struct timespec){ 1, 0 })->head.number,
		     history_oldest(&h)->head.number, "before them all: the oldest");
	cr_assert_eq(history_after_event(&h, 241)->head.number, 25, "the first moment with the event");
	cr_assert_null(history_after_event(&h, 251));
	cr_assert_eq(h.nmarkers, 1, "the marker of a dropped moment went with it");
	cr_assert_eq(history_marker_near(&h, 25, false)->moment, 24);
	cr_assert_null(history_marker_near(&h, 24, true));
	history_free(&h);

	/* many moments: the array of them grows (and moves) under the rows
	 * each new moment shares with the one before */
	history_init(&h, 1 << 30);
	for (int i = 1; i <= 100; i++) {
		frame_of(&f, 50, i, (size_t)(i % 50));
		cr_assert_not_null(history_keep(&h, &f, NULL, (unsigned long long)i,
						(struct timespec){ i, 0 }));
	}
	cr_assert_eq(h.count, 100);
	cr_assert_eq(h.rows_made, 50 + 99 * 2, "each moment made the row it changed and the one "
		     "it changed back, not %zu", h.rows_made);
	frame_free(&f);
	frame_free(&back);
	history_free(&h);
}

/* The moment a face shows stays, held, once the history drops it. */
Test(recording, a_held_moment_outlives_its_place_in_the_history)
{
	struct history h;
	struct history_hold held = { 0 };
	struct frame f = { 0 }, back = { 0 };

	history_init(&h, 0); /* only the newest is kept */
	frame_of(&f, 10, 1, 3);
	cr_assert_eq(history_hold(&h, history_keep(&h, &f, NULL, 1, (struct timespec){ 1, 0 }), &held), 0);
	frame_of(&f, 10, 2, 3);
	history_keep(&h, &f, NULL, 2, (struct timespec){ 2, 0 });
	cr_assert_eq(h.count, 1);
	cr_assert_null(history_find(&h, held.moment.id), "the history dropped it");
	cr_assert_eq(history_frame_of(&held.moment, false, &back), 0);
	cr_assert_eq(back.procs[3].proc.ticks, 1, "still as it was");
	cr_assert_str_eq(back.procs[9].note, "a note");
	history_release(&h, &held);
	frame_free(&f);
	frame_free(&back);
	history_free(&h);
}
