/* Events as data: every kind has a name and a sentence, the one renderer
 * fills every field it names, and the fields a face writes out come from
 * the values, never from the sentence. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/event.h"
#include "../src/scan.h"
#include "../src/scenario.h"
#include "../src/text.h"

static struct track_event about(enum event_kind kind, pid_t pid, const char *name)
{
	struct track_event ev = event_make(kind);

	ev.pid = pid;
	snprintf(ev.name, sizeof ev.name, "%s", name);
	return ev;
}

static void with_target(struct track_event *ev, pid_t pid, const char *name)
{
	ev->target = pid;
	snprintf(ev->target_name, sizeof ev->target_name, "%s", name);
}

static const char *sentence(const struct track_event *ev)
{
	static char buf[512];

	event_sentence(ev, buf, sizeof buf, 0);
	return buf;
}

static const char *described(const struct track_event *ev)
{
	static char buf[512];

	event_describe(ev, buf, sizeof buf, 0);
	return buf;
}

Test(event, every_kind_has_its_own_name_and_a_whole_sentence)
{
	for (int k = 0; k < EV_KIND_COUNT; k++) {
		struct track_event ev = about((enum event_kind)k, 10, "p");

		snprintf(ev.text, sizeof ev.text, "x"); /* an output line's sentence is its text */
		enum event_kind back;
		const char *name = event_kind_name((enum event_kind)k);

		cr_assert_str_neq(name, "?", "kind %d has no name", k);
		cr_assert(event_kind_by_name(name, strlen(name), &back), "%s", name);
		cr_assert_eq(back, (enum event_kind)k, "two kinds are named %s", name);
		cr_assert_str_neq(event_class_name(event_class_of((enum event_kind)k)), "?");
		for (int r = 0; r < (k == EV_REFUSED ? REFUSAL_COUNT : 1); r++) {
			ev.value = r;
			cr_assert_null(strchr(sentence(&ev), '{'), "%s: %s", name, sentence(&ev));
			cr_assert_gt(strlen(sentence(&ev)), 0, "%s has no sentence", name);
		}
	}
	cr_assert_not(event_kind_by_name("lab", 3, &(enum event_kind){ 0 }));
}

Test(event, exits_say_where_their_code_came_from)
{
	struct track_event ev = about(EV_EXITED, 4101, "Process-1");
	static const char *const how[EXIT_SOURCE_COUNT] = {
		[EXIT_SOURCE_CREATOR] = "Process-1 (pid 4101) exitcode -15 (reaped by its creator MainProcess)",
		[EXIT_SOURCE_FORK_SERVER] = "Process-1 (pid 4101) exitcode -15 (reaped by its fork server forkserver)",
		[EXIT_SOURCE_MONITOR] = "Process-1 (pid 4101) exitcode -15 (reaped by forktop)",
		[EXIT_SOURCE_SUBREAPER] = "Process-1 (pid 4101) exitcode -15 (reaped by forktop, its subreaper)",
		[EXIT_SOURCE_ZOMBIE] = "Process-1 (pid 4101) exitcode -15 (read from its zombie)",
		[EXIT_SOURCE_PIDFD] = "Process-1 (pid 4101) exitcode -15 (from its pidfd: reaped by another process)",
		[EXIT_SOURCE_KERNEL] = "Process-1 (pid 4101) exitcode -15 (from the kernel's exit event)",
		[EXIT_SOURCE_INIT] = "Process-1 (pid 4101) exitcode -15 (reaped by forktop's init, PID 1 "
				     "of the namespace)",
	};

	ev.exit_status = SIGTERM;
	for (int src = EXIT_SOURCE_CREATOR; src < EXIT_SOURCE_COUNT; src++) {
		ev.source = (enum exit_source)src;
		ev.by = 4100;
		snprintf(ev.by_name, sizeof ev.by_name, "%s",
			 src == EXIT_SOURCE_FORK_SERVER ? "forkserver" : "MainProcess");
		cr_assert_str_eq(sentence(&ev), how[src]);
	}
}

Test(event, the_log_shows_each_class_in_its_frame)
{
	struct track_event ev = about(EV_EXIT_ROUTINE_TERMINATES, 4100, "MainProcess");

	with_target(&ev, 4101, "Process-1");
	cr_assert_str_eq(described(&ev), "[INFO/MainProcess] calling terminate() for daemon Process-1");
	ev = about(EV_DAEMONIC_CHILDREN_REFUSED, 4101, "Process-1");
	cr_assert_str_eq(described(&ev), "error in 4101 Process-1: AssertionError: daemonic processes "
			 "are not allowed to have children");
	cr_assert_str_eq(sentence(&ev), "AssertionError: daemonic processes are not allowed to have "
			 "children", "the sentence alone has no frame");
	ev = about(EV_REFUSED, 0, "forktop"); /* forktop's own answer: no PID to name */
	ev.value = REFUSAL_GROUP_CREATOR_GONE;
	snprintf(ev.target_name, sizeof ev.target_name, "daemons");
	cr_assert_str_eq(described(&ev), "forktop refused: the creator of group daemons has ended: "
			 "nobody can start another");
	ev = about(EV_OUTPUT, 4100, "");
	snprintf(ev.text, sizeof ev.text, "hello");
	cr_assert_str_eq(described(&ev), "| hello");
	ev = about(EV_ZOMBIE, 4101, "worker");
	ev.new_ppid = 1, ev.exit_status = 3 << 8;
	cr_assert_str_eq(described(&ev), "zombie 4101 worker under 1, exit code 3");
	ev.exit_status = SCAN_NO_STATUS;
	cr_assert_str_eq(described(&ev), "zombie 4101 worker under 1");
}

Test(event, sentences_are_made_from_fields)
{
	struct track_event ev = about(EV_STARTED, 4100, "MainProcess");

	with_target(&ev, 4102, "Process-1");
	cr_assert_str_eq(sentence(&ev), "MainProcess started Process-1 (pid 4102)");
	ev.by = 4101;
	snprintf(ev.by_name, sizeof ev.by_name, "forkserver");
	cr_assert_str_eq(sentence(&ev), "MainProcess started Process-1 (pid 4102) through forkserver (pid 4101)");
	ev = about(EV_LAB_STARTED, 4100, "MainProcess");
	ev.value = SCENARIO_SPAWN;
	snprintf(ev.text, sizeof ev.text, "default");
	cr_assert_str_eq(sentence(&ev), "started MainProcess (pid 4100): scenario default, start method spawn");
	ev = about(EV_JOIN_RETURNED, 4100, "MainProcess");
	with_target(&ev, 4102, "Process-1");
	ev.exit_status = 3 << 8;
	cr_assert_str_eq(sentence(&ev), "MainProcess: join(Process-1) returned, exitcode 3");
	ev = about(EV_IS_ALIVE, 4100, "MainProcess");
	with_target(&ev, 4102, "Process-1");
	cr_assert_str_eq(sentence(&ev), "MainProcess: Process-1.is_alive() -> False");
	ev.value = 1;
	cr_assert_str_eq(sentence(&ev), "MainProcess: Process-1.is_alive() -> True");
	ev = about(EV_SIGNAL_SENT, 4102, "Process-1");
	with_target(&ev, 4102, "Process-1");
	ev.signal = SIGTERM;
	cr_assert_str_eq(sentence(&ev), "forktop sent SIGTERM to Process-1 (pid 4102)");
	ev = about(EV_REFUSED, 0, "forktop");
	ev.value = REFUSAL_CREATOR_GONE_JOIN;
	with_target(&ev, 4102, "Process-2");
	snprintf(ev.by_name, sizeof ev.by_name, "MainProcess");
	cr_assert_str_eq(sentence(&ev), "Process-2's creator MainProcess has ended: nobody can join Process-2");
	ev = about(EV_OS_ERROR, 4100, "MainProcess");
	snprintf(ev.text, sizeof ev.text, "fork");
	ev.error = 11; /* EAGAIN */
	cr_assert_str_eq(sentence(&ev), "OSError: fork: Resource temporarily unavailable");
}

Test(event, hostile_names_are_escaped_wherever_a_field_is_shown)
{
	struct track_event ev = about(EV_JOIN_BEGAN, 4100, "evil\x1b[2J");

	with_target(&ev, 4101, "\x07" "bell");
	cr_assert_str_eq(sentence(&ev), "evil\\x1b[2J blocked in join(\\x07bell)");
	ev = about(EV_OUTPUT, 4100, "");
	snprintf(ev.text, sizeof ev.text, "{name} \x1b]0;title\x07");
	cr_assert_str_eq(described(&ev), "| {name} \\x1b]0;title\\x07",
			 "a placeholder in a value is not filled again");
}

static const struct event_field *field(const struct event_field *f, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].key, key))
			return &f[i];
	return NULL;
}

Test(event, fields_are_values_of_the_kind)
{
	struct event_field f[EVENT_FIELDS_MAX];
	struct track_event ev = about(EV_EXITED, 4101, "Process-1");
	size_t n;

	ev.exit_status = SIGKILL, ev.source = EXIT_SOURCE_PIDFD;
	n = event_fields(&ev, f);
	cr_assert_eq(field(f, n, "exit")->number, -9);
	cr_assert_str_eq(field(f, n, "source")->string, "pidfd");
	cr_assert_null(field(f, n, "by"), "no reaper named: no by field");
	cr_assert_null(field(f, n, "target"), "an exit has no target");
	ev = about(EV_JOIN_TIMED_OUT, 4100, "MainProcess");
	with_target(&ev, 4101, "Process-1");
	ev.value = 500;
	n = event_fields(&ev, f);
	cr_assert_eq(field(f, n, "exit")->type, EVENT_FIELD_NULL);
	cr_assert_eq(field(f, n, "timeout_ms")->number, 500);
	cr_assert_str_eq(field(f, n, "target")->string, "Process-1");
	cr_assert_eq(field(f, n, "target_pid")->number, 4101);
	ev = about(EV_IS_ALIVE, 4100, "MainProcess");
	ev.value = 1;
	n = event_fields(&ev, f);
	cr_assert_eq(field(f, n, "alive")->type, EVENT_FIELD_BOOL);
	ev = about(EV_REFUSED, 0, "forktop");
	ev.value = REFUSAL_NO_SUCH_PROCESS;
	n = event_fields(&ev, f);
	cr_assert_str_eq(field(f, n, "reason")->string, "no_such_process");
	cr_assert_leq(n, EVENT_FIELDS_MAX);
}

Test(event, a_short_text_is_kept_in_the_event_a_long_one_is_borrowed)
{
	struct track_event ev = about(EV_OUTPUT, 4100, "");
	static char line[5000];
	size_t len;

	event_set_text(&ev, "hello", 5);
	cr_assert_null(ev.long_text);
	cr_assert_str_eq(ev.text, "hello");
	cr_assert_eq(event_text(&ev, &len), ev.text);
	cr_assert_eq(len, 5);
	memset(line, 'a', sizeof line);
	event_set_text(&ev, line, sizeof line);
	cr_assert_eq(event_text(&ev, &len), line, "a long text is not copied before it is logged");
	cr_assert_eq(len, sizeof line);
	event_set_text(&ev, "a\0b", 3);
	cr_assert_eq(event_text(&ev, &len)[2], 'b', "a NUL does not end a line");
	cr_assert_eq(len, 3);
	cr_assert_str_eq(described(&ev), "| a\\x00b");
	event_set_text(&ev, "again", 5);
	cr_assert_null(ev.long_text, "a short text after a long one is the event's own");
}

Test(event, a_long_line_is_rendered_whole_in_the_room_it_needs)
{
	struct track_event ev = about(EV_OUTPUT, 4100, "");
	static char line[5000];
	struct event_field f[EVENT_FIELDS_MAX];
	char *buf;
	size_t n;

	memset(line, '\x01', sizeof line); /* each byte escaped as \x01: four bytes */
	line[0] = 'A', line[sizeof line - 1] = 'Z';
	event_set_text(&ev, line, sizeof line);
	buf = malloc(event_room(&ev));
	cr_assert_not_null(buf);
	n = event_describe(&ev, buf, event_room(&ev), 0);
	cr_assert_eq(n, 2 + 1 + 4 * (sizeof line - 2) + 1, "%zu", n);
	cr_assert_eq(strncmp(buf, "| A\\x01", 7), 0);
	cr_assert_str_eq(buf + n - 5, "\\x01Z", "the whole line, to its last byte");
	n = event_fields(&ev, f);
	cr_assert_eq(field(f, n, "line")->length, sizeof line);
	cr_assert_eq(field(f, n, "line")->string, line);
	cr_assert_eq(field(f, n, "cut_bytes")->number, 0, "a whole line: nothing cut");
	free(buf);
}

Test(event, a_cut_line_says_how_much_was_cut)
{
	struct track_event ev = about(EV_OUTPUT, 4100, "");
	struct event_field f[EVENT_FIELDS_MAX];
	char buf[256];
	size_t n;

	event_set_text(&ev, "caf\xc3\xa9", 5);
	ev.cut_bytes = 34464;
	cr_assert_str_eq(sentence(&ev), "caf\\xc3\\xa9 [... 34464 bytes cut]");
	event_sentence(&ev, buf, sizeof buf, TEXT_UTF8);
	cr_assert_str_eq(buf, "caf\xc3\xa9 [\u2026 34464 bytes cut]");
	cr_assert_str_eq(described(&ev), "| caf\\xc3\\xa9 [... 34464 bytes cut]");
	for (size_t cap = 1; cap < 32; cap++) {
		event_sentence(&ev, buf, cap, TEXT_UTF8);
		cr_assert_null(text_unprintable(buf, strlen(buf)), "cut to %zu: [%s]", cap, buf);
	}
	n = event_fields(&ev, f);
	cr_assert_eq(field(f, n, "cut_bytes")->number, 34464, "the cut is a value, not only words");
	cr_assert_eq(field(f, n, "line")->length, 5, "the line holds what was kept, no mark");
	ev = about(EV_EXITED, 4100, "p");
	ev.cut_bytes = 3;
	n = event_fields(&ev, f);
	cr_assert_null(field(f, n, "cut_bytes"), "only an output line can be cut");
}

Test(event, only_some_kinds_may_come_from_a_lab_process)
{
	cr_assert(event_kind_from_lab(EV_EXIT_ROUTINE));
	cr_assert(event_kind_from_lab(EV_DAEMONIC_CHILDREN_REFUSED));
	cr_assert_not(event_kind_from_lab(EV_EXITED), "a process may not claim an exit code");
	cr_assert_not(event_kind_from_lab(EV_REPARENT), "nor what the kernel did");
	cr_assert_not(event_kind_from_lab(EV_REFUSED), "nor forktop's own answers");
	cr_assert_not(event_kind_from_lab((enum event_kind)-1));
	cr_assert_not(event_kind_from_lab(EV_KIND_COUNT));
}

/* A thread event names its process first, then the thread by TID and name,
 * with its daemon flag as a value: tid, thread and daemon in NDJSON. */
Test(event, thread_events_name_the_thread_with_its_tid_and_daemon_flag)
{
	static const struct { enum event_kind kind; int daemon; const char *want; } cases[] = {
		{ EV_THREAD_STARTED, 1, "MainProcess: Thread-2 (work) started, daemon, tid 4103" },
		{ EV_THREAD_STARTED, 0, "MainProcess: Thread-2 (work) started, non-daemon, tid 4103" },
		{ EV_THREAD_AWAITED, 0, "MainProcess waits for its non-daemon thread Thread-2 (work), "
					"tid 4103" },
		{ EV_THREAD_ENDED, 0, "MainProcess: Thread-2 (work) finished, tid 4103" },
		{ EV_THREAD_CUT_OFF, 1, "MainProcess: daemon thread Thread-2 (work) cut off at exit, "
					"tid 4103" },
	};
	struct event_field f[EVENT_FIELDS_MAX];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct track_event ev = about(cases[i].kind, 4100, "MainProcess");
		size_t n;

		with_target(&ev, 4103, "Thread-2 (work)");
		ev.value = cases[i].daemon;
		cr_assert_str_eq(sentence(&ev), cases[i].want);
		cr_assert(event_kind_from_lab(cases[i].kind), "the lab process reports its threads");
		cr_assert(event_kind_names_thread(cases[i].kind));
		cr_assert_eq(event_class_of(cases[i].kind), EVENT_CLASS_LAB);
		n = event_fields(&ev, f);
		cr_assert_eq(field(f, n, "pid")->number, 4100);
		cr_assert_eq(field(f, n, "tid")->number, 4103);
		cr_assert_str_eq(field(f, n, "thread")->string, "Thread-2 (work)");
		cr_assert_eq(field(f, n, "daemon")->type, EVENT_FIELD_BOOL);
		cr_assert_eq(field(f, n, "daemon")->number, cases[i].daemon);
		cr_assert_null(field(f, n, "target_pid"), "a thread is not a process");
	}
	cr_assert_not(event_kind_names_thread(EV_JOIN_BEGAN));
}
