/* The lab against shared LAB.md, rule by rule: the real forktop binary runs
 * a scenario and a script, and its NDJSON (frames and events) is checked.
 * Every lab process is real; none may outlive its test. At the end, the
 * pieces the lab stands on: scenario files and the control channel. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/lab.h"
#include "../src/labmsg.h"
#include "../src/scenario.h"
#include "helpers.h"

#define MAX_LINES 20000

static json_t *lines[MAX_LINES];
static int nlines;
static char scenario_path[64];

static void teardown(void)
{
	helper_free_lines(lines, &nlines);
	if (scenario_path[0])
		unlink(scenario_path);
	helper_cleanup();
}

TestSuite(lab, .fini = teardown, .timeout = 60);

static void use_scenario(const char *text)
{
	snprintf(scenario_path, sizeof scenario_path, "%s", helper_temp_file(text));
}

static bool is(const json_t *o, const char *type);
static bool is_event(int i, const char *kind);

/* The script with every "@SECONDS" multiplied by factor, into out. */
static void scale_script(const char *script, double factor, char *out, size_t len)
{
	size_t n = 0;

	for (const char *p = script; *p && n + 32 < len; p++) {
		char *end;
		double at;

		out[n++] = *p;
		if (*p != '@')
			continue;
		at = strtod(p + 1, &end);
		cr_assert(end > p + 1, "a step of '%s' has no time", script);
		n += (size_t)snprintf(out + n, len - n, "%g", at * factor);
		p = end - 1;
	}
	cr_assert(n + 32 < len, "script '%s' too long to scale", script);
	out[n] = '\0';
}

/* The first step refused because its target had not started yet, or -1. */
static int step_too_early(void)
{
	for (int i = 0; i < nlines; i++)
		if (is_event(i, "refused") && !strcmp(helper_str(lines[i], "reason"), "no_such_process"))
			return i;
	return -1;
}

/* Runs forktop on the scenario with a script (and one more option, or NULL);
 * parses every output line. The script's times are a guess at when the lab
 * is ready: when a step came before its target started (a slow or busy
 * machine), the run is made again with every time doubled, twice at most,
 * and then the test fails here rather than checking another case. */
static void run_lab_with(const char *option, const char *script, const char *delay)
{
	char timed[1024];
	char *args[] = { "--json", "--delay", (char *)delay, "--scenario", scenario_path,
			 "--script", timed, (char *)option, NULL };
	int early = -1;

	for (double factor = 1; factor <= 4; factor *= 2) {
		helper_free_lines(lines, &nlines);
		scale_script(script, factor, timed, sizeof timed);
		nlines = helper_run_ndjson(args, lines, MAX_LINES, 30000);
		early = step_too_early();
		if (early < 0)
			return;
	}
	cr_assert_fail("a step of '%s' came before its target started: %s", timed,
		       helper_str(lines[early], "text"));
}

static void run_lab(const char *script, const char *delay)
{
	run_lab_with(NULL, script, delay);
}


static bool is(const json_t *o, const char *type)
{
	return !strcmp(helper_str(o, "type"), type);
}

static bool is_event(int i, const char *kind)
{
	return is(lines[i], "event") && !strcmp(helper_str(lines[i], "event"), kind);
}

/* Whether field key of event line i holds value (a number as its decimal
 * text, a truth as true or false). */
static bool field_is(int i, const char *key, const char *value)
{
	const json_t *v = json_object_get(lines[i], key);
	char text[32];

	if (json_is_string(v))
		return !strcmp(json_string_value(v), value);
	if (json_is_integer(v))
		snprintf(text, sizeof text, "%lld", (long long)json_integer_value(v));
	else if (json_is_boolean(v))
		snprintf(text, sizeof text, "%s", json_is_true(v) ? "true" : "false");
	else
		return false;
	return !strcmp(text, value);
}

/* Index of the first event after index from of this kind whose fields
 * hold each "key=value" that follows (a NULL ends them), or -1. */
__attribute__((sentinel))
static int event_of(int from, const char *kind, ...)
{
	for (int i = from + 1; i < nlines; i++) {
		bool all = is_event(i, kind);
		const char *cond;
		va_list ap;

		va_start(ap, kind);
		while (all && (cond = va_arg(ap, const char *))) {
			char key[32];
			const char *eq = strchr(cond, '=');

			snprintf(key, sizeof key, "%.*s", (int)(eq - cond), cond);
			all = field_is(i, key, eq + 1);
		}
		va_end(ap);
		if (all)
			return i;
	}
	return -1;
}

/* The exit code event of a lab process: the index, and its code in *code. */
static int exit_event(const char *name, int *code)
{
	char cond[80];
	int at;

	snprintf(cond, sizeof cond, "name=%s", name);
	at = event_of(-1, "exited", cond, NULL);
	if (at >= 0)
		*code = (int)json_integer_value(json_object_get(lines[at], "exit"));
	return at;
}

static bool is_tombstone(const json_t *p)
{
	return json_is_true(json_object_get(p, "tombstone"));
}

/* The process named name (comm or lab name) in frame line i, ended (a
 * tombstone) or not; NULL when there is none. */
static const json_t *named(int i, const char *name, bool ended)
{
	const json_t *p;
	size_t k;

	json_array_foreach(json_object_get(lines[i], "processes"), k, p)
		if ((!strcmp(helper_str(p, "name"), name) || !strcmp(helper_str(p, "lab_name"), name)) &&
		    is_tombstone(p) == ended)
			return p;
	return NULL;
}

/* The live process named name in frame line i, or NULL. */
static const json_t *proc_named(int i, const char *name)
{
	return named(i, name, false);
}

/* Index of the event that says name started (lab_started for main, else
 * started with name as its target); asserts there is one. Its PID is known
 * from the first moment, unlike the name on the process (main renames
 * itself after the fork). */
static int started_at(const char *name)
{
	char cond[80];
	int at;

	snprintf(cond, sizeof cond, "target=%s", name);
	at = strcmp(name, "MainProcess") ? event_of(-1, "started", cond, NULL)
					 : event_of(-1, "lab_started", NULL);
	cr_assert_geq(at, 0, "no event says %s started", name);
	return at;
}

static int started_pid(const char *name)
{
	const json_t *ev = lines[started_at(name)];

	return (int)json_integer_value(json_object_get(ev, strcmp(name, "MainProcess") ? "target_pid"
										      : "pid"));
}

/* Asserts that each named process had started before the event at line
 * act (what): the state the action was meant to meet. */
static void assert_started_before(int act, const char *what, const char *const names[], int n)
{
	cr_assert_geq(act, 0, "no event says '%s'", what);
	for (int i = 0; i < n; i++)
		cr_assert_lt(started_at(names[i]), act, "%s had not started before '%s'", names[i], what);
}

static const char *const four[] = { "Process-1", "Process-2", "Process-3", "Process-4" };

static bool has_reparent(int pid, int from, int to)
{
	for (int i = 0; i < nlines; i++) {
		const json_t *o = lines[i];

		if (is(o, "event") && !strcmp(helper_str(o, "kind"), "reparent") &&
		    json_integer_value(json_object_get(o, "pid")) == pid &&
		    json_integer_value(json_object_get(o, "old_ppid")) == from &&
		    json_integer_value(json_object_get(o, "new_ppid")) == to)
			return true;
	}
	return false;
}

/* Whether some frame shows the process as a zombie. */
static bool frames_show_zombie(const char *name)
{
	for (int i = 0; i < nlines; i++) {
		const json_t *p = is(lines[i], "frame") ? proc_named(i, name) : NULL;

		if (p && !strcmp(helper_str(p, "state"), "Z"))
			return true;
	}
	return false;
}

static int last_frame(void)
{
	for (int i = nlines - 1; i >= 0; i--)
		if (is(lines[i], "frame"))
			return i;
	return -1;
}

static int pid_of(const json_t *p)
{
	return (int)json_integer_value(json_object_get(p, "pid"));
}

static int ppid_of(const json_t *p)
{
	return (int)json_integer_value(json_object_get(p, "ppid"));
}

static const char *two_and_two =
	"[main]\nname = t\n"
	"[group daemons]\ncount = 2\ndaemon = yes\nlifetime = forever\n"
	"[group workers]\ncount = 2\ndaemon = no\nlifetime = 1.2\n";

/* Batch frames keep tombstones, as the screen does: after exit-main the
 * frames show the daemonic children ended, with their EXIT -15. */
Test(lab, batch_frames_show_terminated_daemons_as_tombstones)
{
	int shown = 0, after;

	use_scenario(two_and_two);
	run_lab("@0.3 exit-main; @2 quit", "250");
	after = event_of(-1, "exit_routine_terminates", "target=Process-1", NULL);
	cr_assert_geq(after, 0, "the exit routine terminated Process-1");
	for (int i = after; i < nlines; i++) {
		const json_t *p = is(lines[i], "frame") ? named(i, "Process-1", true) : NULL;

		if (!p)
			continue;
		cr_assert_eq(json_integer_value(json_object_get(p, "exit")), -15);
		cr_assert_str_eq(helper_str(p, "state"), "X");
		shown++;
	}
	cr_assert_geq(shown, 1, "a frame after the exit routine shows Process-1 ended, EXIT -15");
}

Test(lab, normal_exit_terminates_daemons_and_waits_for_the_rest)
{
	int code, main_at, at;

	use_scenario(two_and_two);
	run_lab("@0.3 exit-main; @3 quit", "250");
	assert_started_before(event_of(-1, "exit_asked", NULL), "exit_asked", four, 4);
	cr_assert_geq(event_of(-1, "exit_routine", "name=MainProcess", NULL), 0);
	cr_assert_geq(event_of(-1, "exit_routine_terminates", "name=MainProcess", "target=Process-1", NULL), 0);
	cr_assert_geq(event_of(-1, "exit_routine_terminates", "name=MainProcess", "target=Process-2", NULL), 0);
	cr_assert_lt(event_of(-1, "exit_routine_terminates", "target=Process-3", NULL), 0,
		     "non-daemonic children are not terminated");
	cr_assert_geq(event_of(-1, "exit_routine_joins", "name=MainProcess", "target=Process-3", NULL), 0);
	main_at = exit_event("MainProcess", &code);
	cr_assert_geq(main_at, 0, "main's exit code is known");
	cr_assert_eq(code, 0);
	for (int i = 1; i <= 4; i++) {
		char name[16];

		snprintf(name, sizeof name, "Process-%d", i);
		at = exit_event(name, &code);
		cr_assert_geq(at, 0, "%s has an exit code", name);
		cr_assert_eq(code, i <= 2 ? -15 : 0, "%s exit %d", name, code);
		cr_assert_lt(at, main_at, "main ends after %s", name);
	}
	cr_assert_geq(event_of(-1, "exiting", "name=Process-3", "code=0", NULL), 0);
	cr_assert_lt(event_of(-1, "exiting", "name=MainProcess", NULL), 0,
		     "MainProcess does not log its own exit code (Python doesn't)");
}

Test(lab, kill_main_orphans_every_child_and_they_keep_running)
{
	const char *scenario =
		"[main]\nname = t\n"
		"[group daemons]\ncount = 2\ndaemon = yes\n"
		"[group workers]\ncount = 2\ndaemon = no\n";
	int f, main_pid;

	use_scenario(scenario);
	run_lab("@0.5 kill-main; @1.6 quit", "300");
	assert_started_before(event_of(-1, "signal_sent", "target=MainProcess", "signal=9", NULL), "SIGKILL to MainProcess", four, 4);
	cr_assert_geq(event_of(-1, "exited", "name=MainProcess", "exit=-9", "source=monitor", NULL), 0, "main died by SIGKILL");
	f = last_frame();
	cr_assert_geq(f, 0);
	cr_assert_null(proc_named(f, "MainProcess"));
	for (int i = 1; i <= 4; i++) {
		char name[16], note[96];
		const json_t *p;

		snprintf(name, sizeof name, "Process-%d", i);
		p = proc_named(f, name);
		cr_assert_not_null(p, "%s still runs after main's death", name);
		cr_assert_str_eq(helper_str(p, "state"), "S");
		cr_assert(json_is_null(json_object_get(p, "exit")));
		main_pid = started_pid("MainProcess");
		snprintf(note, sizeof note, "orphan: was under %d MainProcess, killed by SIGKILL",
			 main_pid);
		cr_assert_str_eq(helper_str(p, "note"), note);
		cr_assert_neq(ppid_of(p), main_pid);
		cr_assert(has_reparent(pid_of(p), main_pid, ppid_of(p)),
			  "%s: a reparent event %d -> %d", name, main_pid, ppid_of(p));
	}
	cr_assert_eq(json_is_true(json_object_get(proc_named(f, "Process-1"), "daemon")), true,
		     "a daemonic child is orphaned too: 'daemon' is not a Unix daemon");
}

/* Whether a frame before line act shows the process named name. */
static bool a_frame_before_shows(int act, const char *name)
{
	for (int i = 0; i < act; i++)
		if (is(lines[i], "frame") && proc_named(i, name))
			return true;
	return false;
}

/* MainProcess killed before any refresh showed its children: the first
 * snapshot that does shows them under their adopter already, and the log
 * still says each was re-parented (the lab told forktop their forker). */
Test(lab, children_first_seen_as_orphans_were_reparented)
{
	int act = -1, f, main_pid, tries;

	use_scenario("[main]\nname = t\n[group daemons]\ncount = 2\ndaemon = yes\n"
		     "[group workers]\ncount = 2\ndaemon = no\n");
	/* forktop's first refresh comes before the lab starts its children; a
	 * busy machine may delay it past their start, so the run is made again */
	for (tries = 0; tries < 3; tries++) {
		run_lab("@0.4 kill-main; @2.3 quit", "2000");
		act = event_of(-1, "signal_sent", "target=MainProcess", "signal=9", NULL);
		assert_started_before(act, "SIGKILL to MainProcess", four, 4);
		if (!a_frame_before_shows(act, "Process-1"))
			break;
	}
	if (tries == 3)
		cr_skip_test("in 3 runs a refresh before the kill showed the children: the machine "
			     "is too busy to check an orphan first seen under its adopter");
	f = last_frame();
	cr_assert_gt(f, act, "no refresh after the kill");
	main_pid = started_pid("MainProcess");
	for (int i = 0; i < 4; i++) {
		const json_t *p = proc_named(f, four[i]);

		cr_assert_not_null(p, "%s still runs after main's death", four[i]);
		cr_assert_neq(ppid_of(p), main_pid);
		cr_assert(has_reparent(pid_of(p), main_pid, ppid_of(p)),
			  "%s: a reparent event %d -> %d", four[i], main_pid, ppid_of(p));
	}
}

Test(lab, sigterm_runs_no_exit_routine_so_even_daemonic_children_are_orphaned)
{
	int f, child_pid;
	const json_t *g;

	use_scenario("[main]\nname = t\n[group workers]\ncount = 1\ndaemon = no\n"
		     "[group guard]\nparent = workers\ncount = 1\ndaemon = yes\n");
	run_lab("@0.5 terminate Process-1; @1.4 quit", "300");
	assert_started_before(event_of(-1, "signal_sent", "target=Process-1", "signal=15", NULL), "SIGTERM to Process-1",
			      (const char *const[]){ "Process-1:1" }, 1);
	child_pid = started_pid("Process-1");
	cr_assert_lt(event_of(-1, "exit_routine", "name=Process-1", NULL), 0,
		     "SIGTERM keeps its default action: no exit routine");
	f = last_frame();
	g = proc_named(f, "Process-1:1");
	cr_assert_not_null(g, "the daemonic grandchild was not terminated: it still runs");
	cr_assert_str_eq(helper_str(g, "state"), "S");
	cr_assert_neq(ppid_of(g), child_pid);
	cr_assert(strstr(helper_str(g, "note"), "orphan: was under"));
}

Test(lab, every_lab_process_shares_mains_process_group)
{
	int f, main_pid;
	const json_t *p;
	size_t k, n = 0;

	use_scenario(two_and_two);
	run_lab("@0.6 quit", "250");
	main_pid = started_pid("MainProcess");
	f = last_frame();
	json_array_foreach(json_object_get(lines[f], "processes"), k, p) {
		const char *role = helper_str(p, "role");

		if (!strcmp(role, "main") || !strcmp(role, "child")) {
			cr_assert_eq(json_integer_value(json_object_get(p, "pgid")), main_pid,
				     "%s is in main's group", helper_str(p, "name"));
			cr_assert_neq(json_integer_value(json_object_get(p, "sid")), main_pid,
				      "nothing called setsid");
			n++;
		}
	}
	cr_assert_eq(n, 5);
	cr_assert_neq(main_pid, getpgrp(), "main leads its own group, not the monitor's");
}

Test(lab, an_orphan_still_reports_its_exit)
{
	int main_dead, last_words, code;

	use_scenario("[main]\nname = t\n[group workers]\ncount = 1\ndaemon = no\nlifetime = 0.9\n");
	run_lab("@0.3 kill-main; @1.8 quit", "250");
	assert_started_before(event_of(-1, "signal_sent", "target=MainProcess", "signal=9", NULL), "SIGKILL to MainProcess",
			      (const char *const[]){ "Process-1" }, 1);
	main_dead = exit_event("MainProcess", &code);
	cr_assert_geq(main_dead, 0, "main's end is in the log");
	cr_assert_eq(code, -9, "main died by the SIGKILL");
	cr_assert_geq(event_of(-1, "run_returned", "name=Process-1", "code=0", NULL), 0,
		      "its run() returned");
	last_words = event_of(-1, "exiting", "name=Process-1", "code=0", NULL);
	cr_assert_geq(last_words, 0, "the orphan's last words are in the log");
	cr_assert_gt(last_words, main_dead, "the orphan logged its own exit after main died");
}

Test(lab, orphans_go_to_the_nearest_subreaper)
{
	int f;

	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	use_scenario("[main]\nname = t\n[group daemons]\ncount = 1\ndaemon = yes\n"
		     "[group workers]\ncount = 1\ndaemon = no\n");
	run_lab("@0.5 kill-main; @1.6 quit", "300");
	f = last_frame();
	for (int i = 1; i <= 2; i++) {
		char name[16];
		const json_t *p;

		snprintf(name, sizeof name, "Process-%d", i);
		p = proc_named(f, name);
		cr_assert_not_null(p);
		cr_assert_eq(ppid_of(p), getpid(), "%s went to this test, the nearest subreaper", name);
	}
}

Test(lab, with_subreaper_orphans_come_to_forktop_which_reaps_them)
{
	int f, at, code, monitor = -1;
	const json_t *p;
	size_t k;

	use_scenario("[main]\nname = t\n[group daemons]\ncount = 1\ndaemon = yes\n"
		     "[group workers]\ncount = 1\ndaemon = no\n");
	run_lab_with("--subreaper", "@0.4 kill-main; @0.9 terminate Process-2; @1.8 quit", "250");
	f = last_frame();
	cr_assert(json_is_true(json_object_get(lines[f], "subreaper")));
	json_array_foreach(json_object_get(lines[f], "processes"), k, p)
		if (!strcmp(helper_str(p, "role"), "monitor"))
			monitor = pid_of(p);
	p = proc_named(f, "Process-1");
	cr_assert_not_null(p);
	cr_assert_eq(ppid_of(p), monitor, "the orphan went to forktop, not to PID 1");
	cr_assert_null(proc_named(f, "Process-2"), "forktop reaped the orphan it adopted");
	at = exit_event("Process-2", &code);
	cr_assert_geq(at, 0);
	cr_assert_eq(code, -15);
	cr_assert_str_eq(helper_str(lines[at], "source"), "subreaper", "%s",
			 helper_str(lines[at], "text"));
}

Test(lab, daemonic_child_refuses_to_have_children)
{
	int at, code;

	use_scenario("[main]\nname = t\n[group guards]\ncount = 1\ndaemon = yes\n"
		     "[group helpers]\nparent = guards\ncount = 1\ndaemon = no\n");
	run_lab("@1.2 quit", "300");
	at = event_of(-1, "daemonic_children_refused", NULL);
	cr_assert_geq(at, 0);
	cr_assert_str_eq(helper_str(lines[at], "kind"), "error");
	cr_assert_str_eq(helper_str(lines[at], "name"), "Process-1");
	cr_assert_gt(event_of(-1, "run_raised", "name=Process-1", "exception=AssertionError",
			      "code=1", NULL), at, "the AssertionError ended its run()");
	cr_assert_geq(event_of(-1, "exiting", "name=Process-1", "code=1", NULL), 0);
	cr_assert_geq(exit_event("Process-1", &code), 0);
	cr_assert_eq(code, 1);
	cr_assert_lt(event_of(-1, "started", "target=Process-1:1", NULL), 0, "no grandchild was started");
}

Test(lab, finished_child_stays_a_zombie_until_joined)
{
	int f = -1, at, code;
	const json_t *p = NULL;

	use_scenario("[main]\nname = t\n[group quick]\ncount = 1\ndaemon = no\nlifetime = 0.2\n"
		     "exit_code = 3\n");
	run_lab("@1.5 join Process-1; @2.2 quit", "250");
	for (int i = 0; i < nlines && !p; i++)
		if (is(lines[i], "frame") && (p = proc_named(i, "Process-1")) &&
		    strcmp(helper_str(p, "state"), "Z"))
			p = NULL;
	cr_assert_not_null(p, "Process-1 was seen as a zombie");
	cr_assert_eq(json_integer_value(json_object_get(p, "exit")), 3);
	cr_assert_geq(event_of(-1, "run_exited", "name=Process-1", "argument=3", "code=3", NULL), 0,
		      "its run() called sys.exit(3)");
	cr_assert_str_eq(helper_str(p, "note"), "zombie: not joined");
	at = exit_event("Process-1", &code);
	cr_assert_geq(at, 0);
	cr_assert_eq(code, 3);
	cr_assert_geq(event_of(-1, "join_returned", "name=MainProcess", "target=Process-1", "exit=3", NULL), 0);
	f = last_frame();
	cr_assert_null(proc_named(f, "Process-1"), "joining reaped it");
}

Test(lab, starting_a_child_reaps_finished_ones)
{
	int at, code, f;

	use_scenario("[main]\nname = t\n[group quick]\ncount = 1\ndaemon = no\nlifetime = 0.1\n"
		     "exit_code = 4\n");
	run_lab("@0.8 spawn quick; @1.4 quit", "300");
	at = exit_event("Process-1", &code);
	cr_assert_geq(at, 0);
	cr_assert_eq(code, 4);
	cr_assert_geq(event_of(-1, "started", "name=MainProcess", "target=Process-2", NULL), 0);
	cr_assert(frames_show_zombie("Process-1"), "Process-1 was a zombie before start()");
	f = last_frame();
	cr_assert_null(proc_named(f, "Process-1"), "start() reaped the zombie");
	cr_assert_not_null(proc_named(f, "Process-2"));
}

Test(lab, sigint_in_a_child_runs_the_exit_routine_then_exits_with_1)
{
	int code, shut, term, error;

	use_scenario("[main]\nname = t\n[group workers]\ncount = 1\ndaemon = no\n"
		     "[group guard]\nparent = workers\ncount = 1\ndaemon = yes\n");
	run_lab("@0.5 interrupt Process-1; @1.3 join Process-1; @1.8 quit", "250");
	assert_started_before(event_of(-1, "signal_sent", "target=Process-1", "signal=2", NULL), "SIGINT to Process-1",
			      (const char *const[]){ "Process-1:1" }, 1);
	shut = event_of(-1, "exit_routine", "name=Process-1", NULL);
	term = event_of(-1, "exit_routine_terminates", "name=Process-1", "target=Process-1:1", NULL);
	error = event_of(-1, "keyboard_interrupt", "name=Process-1", NULL);
	cr_assert_geq(shut, 0, "the exit routine ran");
	cr_assert_gt(term, shut);
	cr_assert_gt(error, term, "then the uncaught KeyboardInterrupt was reported");
	cr_assert_geq(exit_event("Process-1:1", &code), 0);
	cr_assert_eq(code, -15, "its daemonic child was terminated");
	cr_assert_geq(exit_event("Process-1", &code), 0);
	cr_assert_eq(code, 1, "a child's bootstrap catches KeyboardInterrupt: exitcode 1");
	cr_assert_gt(event_of(-1, "run_raised", "name=Process-1", "exception=KeyboardInterrupt",
			      "code=1", NULL), error, "run() ended by the exception");
	cr_assert_geq(event_of(-1, "exiting", "name=Process-1", "code=1", NULL), 0);
}

Test(lab, sigint_in_main_runs_the_exit_routine_then_dies_by_sigint)
{
	int code, term, uncaught;

	use_scenario("[main]\nname = t\n[group guard]\ncount = 1\ndaemon = yes\n");
	run_lab("@0.5 interrupt MainProcess; @1.5 quit", "250");
	term = event_of(-1, "exit_routine_terminates", "name=MainProcess", "target=Process-1", NULL);
	cr_assert_geq(term, 0, "the exit routine ran");
	cr_assert_geq(exit_event("Process-1", &code), 0);
	cr_assert_eq(code, -15);
	uncaught = event_of(-1, "uncaught", "name=MainProcess", "exception=KeyboardInterrupt", NULL);
	cr_assert_gt(uncaught, term, "the uncaught KeyboardInterrupt, told by the last exit handler");
	cr_assert_gt(exit_event("MainProcess", &code), uncaught);
	cr_assert_eq(code, -2, "then main died by SIGINT (a shell would say 130)");
	cr_assert_lt(event_of(-1, "keyboard_interrupt", NULL), 0, "main prints no child's traceback");
}

Test(lab, join_with_a_timeout_returns_and_the_child_runs_on)
{
	int begin, end, f;
	double waited;

	use_scenario("[main]\nname = t\n[group workers]\ncount = 1\ndaemon = no\n");
	run_lab("@0.3 join Process-1 timeout 0.5; @1.3 quit", "250");
	begin = event_of(-1, "join_began", "name=MainProcess", "target=Process-1", NULL);
	end = event_of(-1, "join_timed_out", "target=Process-1", "timeout_ms=500", NULL);
	cr_assert_geq(begin, 0);
	cr_assert_gt(end, begin);
	waited = json_real_value(json_object_get(lines[end], "time")) -
		 json_real_value(json_object_get(lines[begin], "time"));
	cr_assert(waited >= 0.45 && waited < 1.5, "join waited %.3f s for a 0.5 s timeout", waited);
	f = last_frame();
	cr_assert_str_eq(helper_str(proc_named(f, "Process-1"), "state"), "S", "the child runs on, unreaped");
	cr_assert_str_eq(helper_str(proc_named(f, "MainProcess"), "note"), "", "main is no longer blocked");
}

Test(lab, is_alive_reaps_a_finished_child_and_only_the_creator_may_ask)
{
	int at, f;

	use_scenario("[main]\nname = t\n[group workers]\ncount = 1\ndaemon = no\n"
		     "[group quick]\ncount = 1\ndaemon = no\nlifetime = 0.1\nexit_code = 5\n");
	run_lab("@0.5 poll Process-2 by Process-1; @0.7 poll Process-2; @1.3 quit", "250");
	at = event_of(-1, "is_alive_refused", NULL);
	cr_assert_geq(at, 0);
	cr_assert_str_eq(helper_str(lines[at], "name"), "Process-1");
	cr_assert_geq(event_of(-1, "is_alive", "name=MainProcess", "target=Process-2", "alive=false", NULL), 0);
	cr_assert(frames_show_zombie("Process-2"), "Process-2 was a zombie before is_alive()");
	f = last_frame();
	cr_assert_null(proc_named(f, "Process-2"), "is_alive() reaped the zombie");
}

Test(lab, a_join_under_way_takes_the_exit_code_its_creator_reaped)
{
	int code, at, began, ended;

	use_scenario("[main]\nname = t\n[group workers]\ncount = 1\ndaemon = no\nlifetime = 0.8\n"
		     "exit_code = 6\n");
	run_lab("@0.1 join Process-1; @1.5 quit", "250");
	began = event_of(-1, "join_began", "name=MainProcess", "target=Process-1", NULL);
	cr_assert_geq(began, 0, "main was blocked in join()");
	/* forktop may see the end only as the creator's report, when both come at once */
	ended = event_of(-1, "ended", "name=Process-1", NULL);
	cr_assert(ended < 0 || ended > began, "the join began before Process-1 ended");
	at = exit_event("Process-1", &code);
	cr_assert_gt(at, began);
	cr_assert_eq(code, 6);
	cr_assert(field_is(at, "source", "creator") && field_is(at, "by", "MainProcess"), "%s",
		  helper_str(lines[at], "text"));
	cr_assert_geq(event_of(at, "join_returned", "name=MainProcess", "target=Process-1", "exit=6",
			       NULL), 0);
}

Test(lab, a_process_may_be_joined_many_times)
{
	int first, second;

	use_scenario("[main]\nname = t\n[group quick]\ncount = 1\ndaemon = no\nlifetime = 0.1\n"
		     "exit_code = 2\n");
	run_lab("@0.5 join Process-1; @0.8 join Process-1; @1.2 quit", "250");
	first = event_of(-1, "join_returned", "name=MainProcess", "target=Process-1", "exit=2", NULL);
	second = event_of(first, "join_returned", "name=MainProcess", "target=Process-1", "exit=2",
			  NULL);
	cr_assert_geq(first, 0);
	cr_assert_gt(second, first, "the second join returns at once with the same exit code");
}

Test(lab, only_the_creator_may_join)
{
	int at, f;

	use_scenario("[main]\nname = t\n[group workers]\ncount = 2\ndaemon = no\n");
	run_lab("@0.5 join Process-2 by Process-1; @1.3 quit", "300");
	at = event_of(-1, "join_refused", NULL);
	cr_assert_geq(at, 0);
	cr_assert_str_eq(helper_str(lines[at], "name"), "Process-1");
	f = last_frame();
	cr_assert_not_null(proc_named(f, "Process-2"), "nothing happened to Process-2");
	cr_assert_str_eq(helper_str(proc_named(f, "Process-2"), "state"), "S");
	cr_assert_not_null(proc_named(f, "Process-1"), "the refusal does not end Process-1");
}

Test(lab, terminate_and_kill_give_minus_15_and_minus_9)
{
	int code;

	use_scenario("[main]\nname = t\n[group workers]\ncount = 3\ndaemon = no\n");
	run_lab("@0.4 terminate Process-1; @0.4 kill Process-2; @1.2 join Process-2; @1.8 quit",
		"250");
	cr_assert_geq(exit_event("Process-1", &code), 0);
	cr_assert_eq(code, -15, "terminate() gives -15 (read from the zombie)");
	cr_assert_geq(exit_event("Process-2", &code), 0);
	cr_assert_eq(code, -9, "kill() gives -9 (reaped by join)");
	cr_assert_geq(event_of(-1, "signal_sent", "target=Process-1", "signal=15", NULL), 0);
	cr_assert_lt(exit_event("Process-3", &code), 0, "Process-3 was not touched");
}

Test(lab, stubborn_daemon_keeps_main_blocked_in_join)
{
	int f;
	const json_t *m, *d;

	use_scenario("[main]\nname = t\n[group stubborn]\ncount = 1\ndaemon = yes\n"
		     "on_sigterm = ignore\n");
	run_lab("@0.3 exit-main; @2 quit", "300");
	cr_assert_geq(event_of(-1, "exit_routine_terminates", "name=MainProcess", "target=Process-1", NULL), 0);
	cr_assert_geq(event_of(-1, "join_began", "name=MainProcess", "target=Process-1", NULL), 0);
	f = last_frame();
	m = proc_named(f, "MainProcess");
	d = proc_named(f, "Process-1");
	cr_assert_not_null(m, "main is still there, 1.7 s after its normal exit began");
	cr_assert_not_null(d, "the daemon ignored SIGTERM");
	cr_assert_str_eq(helper_str(m, "note"), "blocked in join(Process-1)");
	cr_assert_lt(exit_event("MainProcess", &(int){ 0 }), 0, "main never finished its exit");
}

/* Kills main, then terminates its orphan, which came to this test (a
 * subreaper); asserts the orphan's exit code, -15, came from source. */
static void orphan_exit_case(const char *source)
{
	int code, at;

	use_scenario("[main]\nname = t\n[group workers]\ncount = 1\ndaemon = no\n");
	run_lab("@0.4 kill-main; @0.8 terminate Process-1; @1.6 quit", "200");
	cr_assert(has_reparent(started_pid("Process-1"), started_pid("MainProcess"), getpid()),
		  "the orphan came to this test");
	at = exit_event("Process-1", &code);
	cr_assert_geq(at, 0, "the orphan's exit code is known");
	cr_assert_eq(code, -15);
	cr_assert(field_is(at, "source", source), "%s", helper_str(lines[at], "text"));
}

Test(lab, orphan_exit_code_comes_from_its_pidfd)
{
	helper_reap_orphans_at_once(); /* the orphan's new parent: it leaves no zombie to read */
	orphan_exit_case("pidfd");
}

Test(lab, an_unreaped_orphans_exit_code_is_read_from_its_zombie)
{
	/* This test adopts the orphan and never reaps it: a zombie to read. */
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	orphan_exit_case("zombie");
}

/* The lab view after a kill of the monitor: every lab process gone in 2 s. */
Test(lab, sigkill_of_the_monitor_leaves_no_lab_process)
{
	char *argv[] = { (char *)helper_forktop(), "--json", "--delay", "200", "--scenario",
			 scenario_path, NULL };
	struct helper_stream s;
	char line[1 << 16];
	pid_t pids[64];
	int npids = 0;

	use_scenario("[main]\nname = t\n[group daemons]\ncount = 2\ndaemon = yes\n"
		     "[group workers]\ncount = 2\ndaemon = no\n"
		     "[group helpers]\nparent = workers\ncount = 1\ndaemon = no\n");
	helper_stream_start(&s, argv);
	while (npids < 7 && helper_stream_line(&s, line, sizeof line, 5000)) {
		json_t *o = json_loads(line, 0, NULL), *p;
		size_t k;

		npids = 0;
		json_array_foreach(json_object_get(o, "processes"), k, p)
			if (json_is_string(json_object_get(p, "role")) &&
			    strcmp(helper_str(p, "role"), "monitor") && npids < 64)
				pids[npids++] = pid_of(p);
		json_decref(o);
	}
	cr_assert_eq(npids, 7, "main, 4 children and 2 grandchildren were seen");
	kill(s.pid, SIGKILL);
	helper_stream_end(&s);
	for (int waited = 0; waited <= 2000; waited += 50) {
		int alive = 0;

		for (int i = 0; i < npids; i++)
			alive += !helper_not_running(pids[i]);
		if (!alive)
			return;
		usleep(50 * 1000);
	}
	for (int i = 0; i < npids; i++)
		cr_expect(helper_not_running(pids[i]), "lab pid %d still runs", pids[i]);
	cr_assert_fail("lab processes outlived the monitor by 2 s");
}

Test(lab, quit_ends_every_lab_process_at_once)
{
	pid_t pids[64];
	int npids = 0, f;
	const json_t *p;
	size_t k;

	use_scenario(two_and_two);
	run_lab("@0.6 kill-main; @0.9 quit", "200");
	f = last_frame();
	json_array_foreach(json_object_get(lines[f], "processes"), k, p)
		if (json_is_string(json_object_get(p, "role")) && strcmp(helper_str(p, "role"), "monitor") &&
		    !is_tombstone(p))
			pids[npids++] = pid_of(p);
	cr_assert_eq(npids, 4, "four orphans were running before quit");
	for (int i = 0; i < npids; i++)
		cr_assert(helper_not_running(pids[i]), "pid %d still runs after quit", pids[i]);
}

Test(lab, a_unix_daemon_has_its_own_session_under_pid_1_unlike_a_daemonic_child)
{
	int f, main_pid, launcher;
	const json_t *d, *py;

	use_scenario("[main]\nname = t\n[group pydaemon]\ncount = 1\ndaemon = yes\n"
		     "[group launcher]\ncount = 1\ndaemon = no\nunix_daemon = yes\n");
	run_lab("@1.2 quit", "300");
	main_pid = started_pid("MainProcess");
	launcher = started_pid("Process-2");
	f = last_frame();
	d = proc_named(f, "Process-2:unixd");
	py = proc_named(f, "Process-1");
	cr_assert_not_null(d, "the Unix daemon runs");
	cr_assert_not_null(py);
	cr_assert_str_eq(helper_str(d, "role"), "unix-daemon");
	cr_assert_neq(ppid_of(d), launcher, "it left its launcher");
	cr_assert_neq(ppid_of(d), main_pid);
	cr_assert_eq(json_integer_value(json_object_get(d, "tty")), 0, "no controlling terminal");
	cr_assert_neq(json_integer_value(json_object_get(d, "sid")),
		      json_integer_value(json_object_get(py, "sid")), "its own session");
	cr_assert_neq(json_integer_value(json_object_get(d, "pgid")), main_pid, "not in the lab's group");
	cr_assert_eq(json_integer_value(json_object_get(py, "pgid")), main_pid,
		     "Python's daemonic child stays in main's group and session");
	cr_assert(strstr(helper_str(d, "note"), "Unix daemon: own session"));
	cr_assert(helper_wait_for(helper_not_running_p, &(pid_t){ pid_of(d) }, 2000),
		  "the Unix daemon ended with the lab too (its lifeline)");
}

/* Many short lives at once: channels close while pidfds arrive in the same
 * poll round. No live process may be reported ended, no hello refused. */
Test(lab, a_burst_of_short_lives_keeps_every_process_straight)
{
	use_scenario("[main]\nname = t\n[group quick]\ncount = 20\ndaemon = no\nlifetime = 0\n"
		     "[group parents]\ncount = 6\ndaemon = no\n"
		     "[group kids]\nparent = parents\ncount = 5\ndaemon = no\n");
	run_lab("@1.5 quit", "250");
	cr_assert_lt(event_of(-1, "bad_hello", NULL), 0, "every hello was accepted");
	for (int i = 1; i <= 20; i++) {
		char name[16];
		int code = -1;

		snprintf(name, sizeof name, "Process-%d", i);
		cr_assert_geq(started_pid(name), 0);
		cr_assert_geq(exit_event(name, &code), 0, "the short life of %s has a known end", name);
		cr_assert_eq(code, 0, "%s exited with 0", name);
	}
	for (int i = 0; i < nlines; i++) {
		const char *name = helper_str(lines[i], "name");
		int f;

		if (!is_event(i, "ended") || !*name)
			continue;
		for (f = i + 1; f < nlines; f++) {
			const json_t *p = is(lines[f], "frame") ? proc_named(f, name) : NULL;

			cr_assert(!p || strcmp(helper_str(p, "state"), "S"),
				  "%s was reported ended but runs on (line %d)", name, f);
		}
	}
}

Test(lab, with_subreaper_adopted_zombies_are_reaped)
{
	int f, adopted = 0, main_pid;

	use_scenario("[main]\nname = t\n[group quick]\ncount = 3\ndaemon = no\nlifetime = 0.2\n");
	run_lab_with("--subreaper", "@0.8 kill-main; @1.8 quit", "250");
	main_pid = started_pid("MainProcess");
	for (int i = 0; i < nlines; i++)
		adopted += is(lines[i], "event") && !strcmp(helper_str(lines[i], "kind"), "reparent") &&
			   json_integer_value(json_object_get(lines[i], "old_ppid")) == main_pid;
	cr_assert_eq(adopted, 3, "the three zombies came to forktop");
	f = last_frame();
	for (int i = 1; i <= 3; i++) {
		char name[16];

		snprintf(name, sizeof name, "Process-%d", i);
		cr_assert_null(proc_named(f, name), "%s was reaped, not left a zombie", name);
	}
}

Test(lab, shipped_default_matches_the_built_in_one)
{
	char path[512], err2[256];
	struct scenario a, b;

	snprintf(path, sizeof path, "%s/default.conf", helper_data_dir());
	cr_assert_eq(scenario_load_file(path, &a, err2, sizeof err2), 0, "%s", err2);
	scenario_default(&b);
	cr_assert_eq(memcmp(&a, &b, sizeof a), 0, "data/default.conf and the built-in text differ");
	cr_assert_eq(scenario_process_count(&b), 5);
}

/* ---- start methods (LAB.md, "Start methods") ----------------------------- */

/* A process of the last frame, which must be there. */
static const json_t *shown(const char *name)
{
	const json_t *p = proc_named(last_frame(), name);

	cr_assert_not_null(p, "%s is shown in the last frame", name);
	return p;
}

Test(lab, spawn_children_are_fresh_programs_beside_a_resource_tracker)
{
	const json_t *tracker, *worker;
	int main_pid;

	use_scenario("[main]\nname = t\nstart_method = spawn\n"
		     "[group daemons]\ncount = 1\ndaemon = yes\n"
		     "[group workers]\ncount = 1\ndaemon = no\n"
		     "[group helpers]\nparent = workers\ncount = 1\ndaemon = no\n");
	run_lab("@1 quit", "250");
	main_pid = started_pid("MainProcess");
	tracker = shown("resource_tracker");
	cr_assert_eq(ppid_of(tracker), main_pid, "main started the tracker");
	cr_assert_str_eq(helper_str(tracker, "role"), "resource-tracker");
	cr_assert(strstr(helper_str(tracker, "cmdline"), "forktop --resource-tracker fd=4"));
	cr_assert(json_is_null(json_object_get(tracker, "daemon")), "the tracker is no Process");
	for (int i = 1; i <= 2; i++) {
		char name[16];
		const json_t *p;

		snprintf(name, sizeof name, "Process-%d", i);
		p = shown(name);
		cr_assert_eq(ppid_of(p), main_pid, "%s is main's own child", name);
		cr_assert(strstr(helper_str(p, "cmdline"), "forktop --multiprocessing-fork tracker_fd=4 "
				 "pipe_handle=5"), "%s is a fresh program: %s", name,
			  helper_str(p, "cmdline"));
	}
	worker = shown("Process-2");
	cr_assert_eq(ppid_of(shown("Process-2:1")), pid_of(worker));
	cr_assert(strstr(helper_str(shown("Process-2:1"), "cmdline"), "--multiprocessing-fork"));
	cr_assert_null(proc_named(last_frame(), "Process-2:resource_tracker"),
		       "a spawned creator uses the tracker it inherited");
	cr_assert_null(strstr(helper_str(shown("MainProcess"), "cmdline"), "--multiprocessing-fork"),
		       "main keeps forktop's own command line");
}

Test(lab, the_resource_tracker_ignores_sigterm_and_sigint_and_ends_when_its_pipe_closes)
{
	int main_at, code, closed_at, reaped_at;

	use_scenario("[main]\nname = t\nstart_method = spawn\nlifetime = 1.6\n"
		     "[group daemons]\ncount = 1\ndaemon = yes\n"
		     "[group workers]\ncount = 1\ndaemon = no\nlifetime = 0.3\n");
	run_lab("@0.6 terminate resource_tracker; @0.7 interrupt resource_tracker; @2.6 quit",
		"200");
	cr_assert_geq(event_of(-1, "signal_sent", "target=resource_tracker", "signal=15", NULL), 0);
	cr_assert_geq(event_of(-1, "signal_sent", "target=resource_tracker", "signal=2", NULL), 0);
	main_at = exit_event("MainProcess", &code);
	cr_assert_geq(main_at, 0);
	cr_assert_eq(code, 0);
	cr_assert_geq(exit_event("resource_tracker", &code), 0, "the tracker's exit code is known");
	cr_assert_eq(code, 0, "the tracker ended by itself, not by a signal");
	closed_at = event_of(-1, "tracker_exits", NULL);
	cr_assert_geq(event_of(-1, "exit_routine_terminates", "target=Process-1", NULL), 0);
	/* main's exit routine reaps the terminated daemon (in its join, or in the
	 * reap before it when the daemon was quick to die) before main ends; a
	 * refresh between the daemon's death and that reap reads its zombie
	 * first (a slow main, as under memcheck, leaves time for one) */
	reaped_at = exit_event("Process-1", &code);
	cr_assert_geq(reaped_at, 0);
	cr_assert(field_is(reaped_at, "source", "creator") || field_is(reaped_at, "source", "zombie"),
		  "%s", helper_str(lines[reaped_at], "text"));
	cr_assert_eq(code, -15, "the exit routine is the same under spawn");
	cr_assert_gt(closed_at, reaped_at, "the tracker ended only when main, ending, closed its pipe");
}

Test(lab, forkserver_children_hang_under_the_server_which_reaps_them_at_once)
{
	const json_t *server, *nested;
	int main_pid, code, at;

	use_scenario("[main]\nname = t\nstart_method = forkserver\n"
		     "[group quick]\ncount = 1\ndaemon = no\nlifetime = 0.2\nexit_code = 3\n"
		     "[group workers]\ncount = 1\ndaemon = no\n"
		     "[group helpers]\nparent = workers\ncount = 1\ndaemon = no\n");
	run_lab("@1.2 quit", "200");
	main_pid = started_pid("MainProcess");
	server = shown("forkserver");
	cr_assert_eq(ppid_of(server), main_pid);
	cr_assert_str_eq(helper_str(server, "role"), "forkserver");
	cr_assert(strstr(helper_str(server, "cmdline"), "forktop --forkserver request_fd=4"));
	cr_assert_eq(ppid_of(shown("resource_tracker")), main_pid);
	cr_assert_eq(ppid_of(shown("Process-2")), pid_of(server), "the server forked Process-2");
	cr_assert_str_eq(helper_str(shown("Process-2"), "note"), "", "under its server: no orphan");
	nested = shown("Process-2:forkserver");
	cr_assert_eq(ppid_of(nested), pid_of(shown("Process-2")), "a nested creator starts its own");
	cr_assert_eq(ppid_of(shown("Process-2:1")), pid_of(nested));
	cr_assert_null(proc_named(last_frame(), "Process-2:resource_tracker"));
	cr_assert(!frames_show_zombie("Process-1"), "the server reaps at once: no zombie");
	at = exit_event("Process-1", &code);
	cr_assert_geq(at, 0);
	cr_assert_eq(code, 3);
	cr_assert(field_is(at, "source", "fork_server") && field_is(at, "by", "forkserver"), "%s",
		  helper_str(lines[at], "text"));
}

Test(lab, forkserver_children_keep_the_server_when_main_is_killed)
{
	const json_t *server, *tracker;
	int main_pid;

	use_scenario("[main]\nname = t\nstart_method = forkserver\n"
		     "[group daemons]\ncount = 1\ndaemon = yes\n"
		     "[group workers]\ncount = 1\ndaemon = no\n");
	run_lab("@0.6 kill-main; @1.6 quit", "250");
	main_pid = started_pid("MainProcess");
	server = shown("forkserver");
	tracker = shown("resource_tracker");
	for (int i = 1; i <= 2; i++) {
		char name[16];

		snprintf(name, sizeof name, "Process-%d", i);
		cr_assert_eq(ppid_of(shown(name)), pid_of(server), "%s keeps its server", name);
	}
	cr_assert_neq(ppid_of(server), main_pid);
	cr_assert(has_reparent(pid_of(server), main_pid, ppid_of(server)));
	cr_assert(has_reparent(pid_of(tracker), main_pid, ppid_of(tracker)));
	cr_assert(strstr(helper_str(server, "note"), "orphan: was under"));
}

Test(lab, forkserver_join_gets_the_exit_code_from_the_server)
{
	use_scenario("[main]\nname = t\nstart_method = forkserver\n"
		     "[group workers]\ncount = 1\ndaemon = no\nlifetime = 0.6\nexit_code = 4\n");
	run_lab("@0.3 join Process-1; @1.4 quit", "200");
	cr_assert_geq(event_of(-1, "join_began", "name=MainProcess", "target=Process-1", NULL), 0);
	cr_assert_geq(event_of(-1, "join_returned", "name=MainProcess", "target=Process-1", "exit=4", NULL), 0);
}

Test(lab, with_its_fork_server_gone_python_takes_exitcode_255)
{
	const json_t *p;

	use_scenario("[main]\nname = t\nstart_method = forkserver\n"
		     "[group workers]\ncount = 1\ndaemon = no\n");
	run_lab("@0.5 kill forkserver; @0.8 join Process-1; @1.6 quit", "200");
	cr_assert_geq(event_of(-1, "server_gone", "target=Process-1", NULL), 0);
	cr_assert_geq(event_of(-1, "join_returned", "name=MainProcess", "target=Process-1", "exit=255", NULL), 0);
	p = shown("Process-1");
	cr_assert_str_eq(helper_str(p, "state"), "S", "yet Process-1 still runs");
	cr_assert(strstr(helper_str(p, "note"), "orphan: was under"));
}

Test(lab, a_dead_tracker_is_started_again_with_pythons_warning)
{
	use_scenario("[main]\nname = t\nstart_method = spawn\n"
		     "[group workers]\ncount = 1\ndaemon = no\n");
	run_lab("@0.5 kill resource_tracker; @0.8 spawn workers; @1.6 quit", "200");
	cr_assert_geq(event_of(-1, "tracker_relaunched", "name=MainProcess", NULL), 0);
	cr_assert_eq(ppid_of(shown("resource_tracker")), started_pid("MainProcess"));
	cr_assert_str_eq(helper_str(shown("resource_tracker"), "state"), "S");
}

/* ---- what the lab stands on: scenario files and the control channel ------- */

/* "[main]", a comment line of `chars` characters, then one group. */
static int load_with_long_comment(int chars, char *err, size_t errlen)
{
	char text[512];
	struct scenario sc;

	snprintf(text, sizeof text, "[main]\n;%0*d\n[group a]\ncount = 1\n", chars - 1, 0);
	return scenario_load_string(text, "long.conf", &sc, err, errlen);
}

Test(lab, a_scenario_line_too_long_to_read_whole_is_refused_at_its_line)
{
	char err[256] = "";

	cr_assert_eq(load_with_long_comment(198, err, sizeof err), 0, "%s", err);
	cr_assert_eq(load_with_long_comment(199, err, sizeof err), -1);
	cr_assert_str_eq(err, "long.conf:2: line longer than 198 characters");
	cr_assert_eq(load_with_long_comment(300, err, sizeof err), -1);
	cr_assert_str_eq(err, "long.conf:2: line longer than 198 characters");
}

Test(lab, a_scenario_too_large_is_refused_at_the_last_groups_header)
{
	/* The header after a section without keys may be indented with any
	 * white space; an indented "[group b]" after a key continues its value. */
	const char *vertical_tab = "[main]\nname = crowd\n[group a]\ncount = 32\n[main]\n"
				   "\v[group b]\nparent = a\ncount = 9\n";
	const char *continued = "[main]\ndescription = x\n  [group b]\n[group a]\ncount = 32\n"
				"[group b]\n; the first key comes later\n\nparent = a\ncount = 9\n";
	struct scenario sc;
	char err[256];

	cr_assert_eq(scenario_load_string(vertical_tab, "t", &sc, err, sizeof err), -1);
	cr_assert_str_eq(err, "t:6: the scenario starts 320 processes (at most 256)");
	cr_assert_eq(scenario_load_string(continued, "t", &sc, err, sizeof err), -1);
	cr_assert_str_eq(err, "t:6: the scenario starts 320 processes (at most 256)");
}

/* A lab process reports facts about itself, of the kinds it may report:
 * an exit code, a re-parenting or forktop's own answer would be a lie. */
Test(lab, a_report_of_a_kind_no_lab_process_may_send_is_malformed)
{
	struct lab_msg m = lab_msg_report(EV_EXIT_ROUTINE, 42, 0, NULL), out;

	cr_assert(lab_msg_decode(&m, sizeof m, &out));
	cr_assert_eq(out.kind, EV_EXIT_ROUTINE);
	m.kind = EV_EXITED;
	cr_assert_not(lab_msg_decode(&m, sizeof m, &out), "no lab process may claim an exit");
	m.kind = EV_REPARENT;
	cr_assert_not(lab_msg_decode(&m, sizeof m, &out));
	m.kind = EV_KIND_COUNT;
	cr_assert_not(lab_msg_decode(&m, sizeof m, &out));
	m.kind = -1;
	cr_assert_not(lab_msg_decode(&m, sizeof m, &out));
	m = lab_msg_make(LAB_JOIN_BEGIN, 42, "Process-1", NULL);
	m.kind = EV_EXIT_ROUTINE;
	cr_assert_not(lab_msg_decode(&m, sizeof m, &out), "only a report carries a kind");
	m.kind = 0, m.error = -1;
	cr_assert_not(lab_msg_decode(&m, sizeof m, &out));
}

Test(lab, an_empty_record_is_malformed_only_a_hang_up_ends_the_channel)
{
	struct lab_msg sent = lab_msg_make(LAB_JOIN_BEGIN, 42, "Process-1", "hello"), got;
	int sp[2], fd;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), 0);
	cr_assert_eq(send(sp[1], "", 0, 0), 0);
	cr_assert_eq(lab_msg_send(sp[1], &sent, -1), 0);
	cr_assert_eq(lab_msg_recv(sp[0], &got, &fd), -EBADMSG, "an empty record");
	cr_assert_eq(lab_msg_recv(sp[0], &got, &fd), 1, "the record after it");
	cr_assert_eq(fd, -1);
	cr_assert_str_eq(got.text, "hello");
	close(sp[1]);
	cr_assert_eq(lab_msg_recv(sp[0], &got, &fd), 0, "the peer hung up");
	close(sp[0]);
}

/* ---- threads (LAB.md, "Threads") ------------------------------------------ */

/* A shipped scenario, copied to this test's scenario file. */
static void use_shipped_scenario(const char *name)
{
	char path[512], text[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "%s/%s.conf", helper_data_dir(), name);
	f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	use_scenario(text);
}

static double time_of(int i)
{
	return json_real_value(json_object_get(lines[i], "time"));
}

/* The event of this kind about thread (its name) of process name, or -1. */
static int thread_event(const char *kind, const char *name, const char *thread)
{
	char who[80], which[80];

	snprintf(who, sizeof who, "name=%s", name);
	snprintf(which, sizeof which, "thread=%s", thread);
	return event_of(-1, kind, who, which, NULL);
}

/* Whether a frame taken between the events at lines from and to shows the
 * process name running (not a tombstone). */
static bool running_between(int from, int to, const char *name)
{
	for (int i = 0; i < nlines; i++)
		if (is(lines[i], "frame") && time_of(i) > time_of(from) && time_of(i) < time_of(to) &&
		    proc_named(i, name))
			return true;
	return false;
}

/* MainProcess's normal exit: threading._shutdown() (the wait for Thread-1)
 * before atexit's exit routine, the daemonic child alive during the wait;
 * the daemon thread cut off at the very end, its "finished" never said. */
Test(lab, main_waits_for_its_non_daemon_thread_before_the_exit_routine)
{
	int awaited, ended, routine, term, killed, joined, cut, main_exit, code;

	use_shipped_scenario("threads");
	run_lab("@2.8 quit", "200");
	cr_assert_geq(event_of(-1, "thread_started", "name=MainProcess", "thread=Thread-1 (work)",
			       "daemon=false", NULL), 0);
	cr_assert_geq(event_of(-1, "thread_started", "name=MainProcess", "thread=Thread-2 (work)",
			       "daemon=true", NULL), 0);
	awaited = thread_event("thread_awaited", "MainProcess", "Thread-1 (work)");
	ended = thread_event("thread_ended", "MainProcess", "Thread-1 (work)");
	routine = event_of(-1, "exit_routine", "name=MainProcess", NULL);
	term = event_of(-1, "exit_routine_terminates", "name=MainProcess", "target=Process-1", NULL);
	killed = exit_event("Process-1", &code);
	cr_assert_geq(awaited, 0, "main waited for Thread-1");
	cr_assert_gt(ended, awaited, "Thread-1 finished while main waited");
	cr_assert_gt(routine, ended, "the exit routine came after the wait");
	cr_assert_gt(term, routine);
	cr_assert_gt(killed, term);
	cr_assert_eq(code, -15);
	cr_assert(running_between(awaited, ended, "Process-1"),
		  "the daemonic child ran on while main waited for its thread");
	cr_assert_lt(thread_event("thread_awaited", "MainProcess", "Thread-2 (work)"), 0,
		     "nobody waits for a daemon thread");
	joined = event_of(-1, "join_returned", "name=MainProcess", "target=Process-2", NULL);
	cut = thread_event("thread_cut_off", "MainProcess", "Thread-2 (work)");
	main_exit = exit_event("MainProcess", &code);
	cr_assert_gt(joined, killed, "then the non-daemonic child was joined");
	cr_assert_gt(cut, joined, "the daemon thread ran until main's very end");
	cr_assert_gt(main_exit, cut);
	cr_assert_eq(code, 0);
	cr_assert_lt(thread_event("thread_ended", "MainProcess", "Thread-2 (work)"), 0,
		     "a daemon thread cut off never finishes");
}

/* A child's normal exit: _bootstrap() runs the exit routine first (its
 * daemonic child terminated and reaped), then waits for its non-daemon
 * thread, then logs its exit code; its daemon thread is cut off. */
Test(lab, a_child_runs_its_exit_routine_before_it_waits_for_its_threads)
{
	int reaped, awaited, ended, exiting, cut, code;

	use_scenario("[main]\nname = t\n[group workers]\ncount = 1\ndaemon = no\nlifetime = 0.4\n"
		     "[group guard]\nparent = workers\ncount = 1\ndaemon = yes\n"
		     "[threads slow]\ngroup = workers\nlifetime = 1\ntarget = slow\n"
		     "[threads spin]\ngroup = workers\ndaemon = yes\ntarget = spin\n");
	run_lab("@2.2 quit", "200");
	cr_assert_geq(event_of(-1, "thread_started", "name=Process-1", "thread=Thread-2 (spin)",
			       "daemon=true", NULL), 0, "names count per process, with the target");
	reaped = exit_event("Process-1:1", &code);
	cr_assert_geq(reaped, 0);
	cr_assert_eq(code, -15, "the exit routine terminated the daemonic grandchild");
	awaited = thread_event("thread_awaited", "Process-1", "Thread-1 (slow)");
	ended = thread_event("thread_ended", "Process-1", "Thread-1 (slow)");
	exiting = event_of(-1, "exiting", "name=Process-1", "code=0", NULL);
	cut = thread_event("thread_cut_off", "Process-1", "Thread-2 (spin)");
	cr_assert_gt(awaited, reaped, "the exit routine ended before the wait for threads began");
	cr_assert_gt(ended, awaited);
	cr_assert_gt(exiting, ended, "'process exiting with exitcode 0' after the threads");
	cr_assert_gt(cut, exiting, "the daemon thread was cut off at the very end");
	cr_assert_geq(exit_event("Process-1", &code), 0);
	cr_assert_eq(code, 0);
	cr_assert_lt(thread_event("thread_ended", "Process-1", "Thread-2 (spin)"), 0);
}

/* terminate(), kill() and SIGKILL end a process with all its threads:
 * nothing waits for them, nothing is reported cut off. */
Test(lab, terminate_kill_and_sigkill_end_every_thread_at_once)
{
	const char *const names[] = { "MainProcess", "Process-1", "Process-2" };
	int f = -1, code, act;

	use_scenario("[main]\nname = t\n[group w]\ncount = 2\ndaemon = no\n"
		     "[threads main-work]\ncount = 1\n"
		     "[threads work]\ngroup = w\n[threads spin]\ngroup = w\ndaemon = yes\n");
	run_lab("@0.5 terminate Process-1; @0.7 kill Process-2; @0.9 kill-main; @1.5 quit", "200");
	act = event_of(-1, "signal_sent", "target=Process-1", NULL);
	cr_assert_geq(act, 0);
	for (int i = 0; i < nlines; i++)
		if (is(lines[i], "frame") && time_of(i) < time_of(act) && proc_named(i, "Process-2"))
			f = i;
	cr_assert_geq(f, 0, "a frame before terminate() showed the children");
	cr_assert_eq(json_integer_value(json_object_get(proc_named(f, "Process-1"), "threads")), 3,
		     "Process-1 ran its main thread and two threads");
	cr_assert_eq(json_integer_value(json_object_get(proc_named(f, "MainProcess"), "threads")), 2);
	cr_assert_geq(exit_event("Process-1", &code), 0);
	cr_assert_eq(code, -15);
	cr_assert_geq(exit_event("Process-2", &code), 0);
	cr_assert_eq(code, -9);
	cr_assert_geq(exit_event("MainProcess", &code), 0);
	cr_assert_eq(code, -9);
	for (int i = 0; i < 3; i++) {
		char who[64];

		snprintf(who, sizeof who, "name=%s", names[i]);
		cr_assert_lt(event_of(-1, "thread_awaited", who, NULL), 0, "%s waited", names[i]);
		cr_assert_lt(event_of(-1, "thread_ended", who, NULL), 0, "%s's thread ran on", names[i]);
		cr_assert_lt(event_of(-1, "thread_cut_off", who, NULL), 0, "%s ran exit code", names[i]);
	}
}

/* Python's threading._counter is copied by fork: a child forked after its
 * creator started threads goes on counting from there. */
Test(lab, a_forked_child_goes_on_with_its_creators_thread_count)
{
	use_scenario("[main]\nname = t\n[group w]\ncount = 0\ndaemon = no\n"
		     "[threads mine]\ncount = 2\n[threads theirs]\ngroup = w\n");
	run_lab("@0.4 spawn w; @1 quit", "200");
	cr_assert_geq(event_of(-1, "thread_started", "name=MainProcess", "thread=Thread-2 (work)", NULL), 0);
	cr_assert_geq(event_of(-1, "thread_started", "name=Process-1", "thread=Thread-3 (work)", NULL), 0,
		      "Process-1's first thread is Thread-3, as in Python under fork");
}

/* The comm of /proc/PID/task/TID, or "" when there is none. */
static void task_comm(int pid, int tid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/task/%d/comm", pid, tid);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (f && fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	if (f)
		fclose(f);
}

/* The SigBlk mask of /proc/PID/task/TID/status, or 0. */
static unsigned long long task_blocked(int pid, int tid)
{
	char path[64], line[256];
	unsigned long long mask = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/task/%d/status", pid, tid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "SigBlk: %llx", &mask) == 1)
			break;
	if (f)
		fclose(f);
	return mask;
}

/* Reads forktop's NDJSON as it runs until n thread_started events came;
 * their pid, tid and name into the arrays. */
static int read_thread_starts(struct helper_stream *s, int n, int *pid, int *tid, char (*name)[64])
{
	static char line[1 << 16];
	int got = 0;

	for (int lines_read = 0; got < n && lines_read < 100 &&
	     helper_stream_line(s, line, sizeof line, 5000); lines_read++) {
		json_t *o = json_loads(line, 0, NULL);

		if (o && !strcmp(helper_str(o, "event"), "thread_started")) {
			pid[got] = (int)json_integer_value(json_object_get(o, "pid"));
			tid[got] = (int)json_integer_value(json_object_get(o, "tid"));
			snprintf(name[got], sizeof name[got], "%s", helper_str(o, "thread"));
			got++;
		}
		json_decref(o);
	}
	return got;
}

/* Real threads: /proc/PID/task shows each under its process with its name
 * (as much as the 15 bytes of a comm hold), and each blocks every signal, so
 * that the lab's signals reach the main thread. */
Test(lab, threads_are_real_tasks_named_as_python_names_them_deaf_to_signals)
{
	char *argv[] = { (char *)helper_forktop(), "--json", "--delay", "200", "--scenario",
			 scenario_path, NULL };
	struct helper_stream s;
	int pid[2], tid[2];
	char name[2][64], comm[32], want[16];

	use_scenario("[main]\nname = t\n[group w]\ncount = 1\ndaemon = no\n"
		     "[threads a]\ncount = 1\n[threads b]\ngroup = w\ndaemon = yes\n"
		     "target = a_long_target\n");
	helper_stream_start(&s, argv);
	cr_assert_eq(read_thread_starts(&s, 2, pid, tid, name), 2, "both threads started");
	for (int i = 0; i < 2; i++) {
		cr_assert_neq(tid[i], pid[i], "a thread of its own, not the main thread");
		cr_expect(!strcmp(name[i], "Thread-1 (work)") || !strcmp(name[i], "Thread-1 (a_long_target)"),
			  "%s", name[i]);
		snprintf(want, sizeof want, "%.15s", name[i]);
		task_comm(pid[i], tid[i], comm, sizeof comm);
		cr_expect_str_eq(comm, want, "/proc/%d/task/%d/comm", pid[i], tid[i]);
		cr_expect_eq(task_blocked(pid[i], tid[i]) & (1ULL << (SIGTERM - 1)),
			     1ULL << (SIGTERM - 1), "SIGTERM is blocked in thread %d", tid[i]);
		cr_expect_eq(task_blocked(pid[i], tid[i]) & (1ULL << (SIGINT - 1)),
			     1ULL << (SIGINT - 1), "SIGINT is blocked in thread %d", tid[i]);
		cr_expect_eq(task_blocked(pid[i], pid[i]) & (1ULL << (SIGTERM - 1)), 0,
			     "the main thread takes SIGTERM");
	}
	helper_stream_end(&s);
}

/* ---- the lab against real Python ------------------------------------------ */

/* The moments of a normal exit with threads, as line indexes of the
 * NDJSON, each a second or half a second after the one before: main's work
 * ended, Thread-1 finished, the exit routine's terminate() of the daemonic
 * child, the non-daemonic child's "process exiting with exitcode 0"; then
 * main's exit 0 (unordered: a program's exits and its output lines come
 * through different sources); whether the daemonic child ran while main
 * waited, whether the daemon thread ever finished. */
struct exit_story {
	int work_ended, thread_finished, terminate, worker_exiting, main_exit;
	bool daemon_ran_during_wait, daemon_thread_finished;
};

/* The first output line that starts with text, or -1. */
static int output_line(const char *text)
{
	for (int i = 0; i < nlines; i++)
		if (is_event(i, "output") && !strncmp(helper_str(lines[i], "line"), text, strlen(text)))
			return i;
	return -1;
}

/* The exited event of pid, or -1. */
static int exit_of_pid(int pid)
{
	for (int i = 0; i < nlines; i++)
		if (is_event(i, "exited") && json_integer_value(json_object_get(lines[i], "pid")) == pid)
			return i;
	return -1;
}

/* Whether a frame taken between the events at from and to shows pid
 * running (not ended, not a zombie). */
static bool pid_running_between(int from, int to, int pid)
{
	for (int i = 0; i < nlines; i++) {
		const json_t *p;
		size_t k;

		if (!is(lines[i], "frame") || time_of(i) <= time_of(from) || time_of(i) >= time_of(to))
			continue;
		json_array_foreach(json_object_get(lines[i], "processes"), k, p)
			if (pid_of(p) == pid && !is_tombstone(p) && strcmp(helper_str(p, "state"), "Z"))
				return true;
	}
	return false;
}

static struct exit_story python_story(void)
{
	char path[512];
	char *args[] = { "--json", "--batch", "--delay", "200", "--", "/usr/bin/python3", path, NULL };
	struct exit_story st;
	int started, root, daemonic = 0;

	snprintf(path, sizeof path, "%s/../tests/examples/threads.py", helper_data_dir());
	nlines = helper_run_ndjson(args, lines, MAX_LINES, 30000);
	started = event_of(-1, "program_started", NULL);
	cr_assert_geq(started, 0);
	root = pid_of(lines[started]);
	for (int i = 0; i < nlines; i++)
		if (is_event(i, "exited") && field_is(i, "exit", "-15"))
			daemonic = pid_of(lines[i]);
	cr_assert(daemonic, "Python's daemonic child ended with -15");
	st = (struct exit_story){
		.work_ended = output_line("MainProcess: end of work"),
		.thread_finished = output_line("Thread-1 (work) finished"),
		.terminate = output_line("[INFO/MainProcess] calling terminate() for daemon Process-1"),
		.worker_exiting = output_line("[INFO/Process-2] process exiting with exitcode 0"),
		.main_exit = exit_of_pid(root),
		.daemon_thread_finished = output_line("Thread-2 (work) finished") >= 0,
	};
	/* output lines are stamped when forktop reads them, which a busy machine
	 * delays: the wait is known to end only when terminate() is read */
	st.daemon_ran_during_wait = pid_running_between(st.work_ended, st.terminate, daemonic);
	return st;
}

static struct exit_story lab_story(void)
{
	struct exit_story st;

	use_shipped_scenario("threads");
	run_lab("@2.8 quit", "200");
	st = (struct exit_story){
		.work_ended = thread_event("thread_awaited", "MainProcess", "Thread-1 (work)"),
		.thread_finished = thread_event("thread_ended", "MainProcess", "Thread-1 (work)"),
		.terminate = event_of(-1, "exit_routine_terminates", "target=Process-1", NULL),
		.worker_exiting = event_of(-1, "exiting", "name=Process-2", "code=0", NULL),
		.main_exit = event_of(-1, "exited", "name=MainProcess", "exit=0", NULL),
		.daemon_thread_finished = thread_event("thread_ended", "MainProcess",
						       "Thread-2 (work)") >= 0,
	};
	st.daemon_ran_during_wait = running_between(st.work_ended, st.thread_finished, "Process-1");
	return st;
}

static void assert_story(const struct exit_story *st, const char *who)
{
	const int moments[] = { st->work_ended, st->thread_finished, st->terminate,
				st->worker_exiting };

	cr_assert_geq(moments[0], 0, "%s: main's work ended", who);
	for (int i = 1; i < 4; i++)
		cr_assert_gt(moments[i], moments[i - 1], "%s: moment %d came after moment %d", who, i,
			     i - 1);
	cr_assert_geq(st->main_exit, 0, "%s: main's exit code is known", who);
	cr_assert(field_is(st->main_exit, "exit", "0"), "%s: main exited with 0", who);
	cr_assert(st->daemon_ran_during_wait, "%s: the daemonic child ran while main waited", who);
	cr_assert_not(st->daemon_thread_finished, "%s: the daemon thread was cut off", who);
}

/* The threads scenario and tests/examples/threads.py, the same program in
 * CPython: main waits for Thread-1 with its daemonic child alive, only then
 * terminates it, joins the other child and exits; Thread-2 never finishes. */
Test(lab, the_threads_scenario_ends_in_the_order_of_its_python_twin)
{
	struct exit_story python, lab;

	python = python_story();
	assert_story(&python, "python");
	helper_free_lines(lines, &nlines);
	lab = lab_story();
	assert_story(&lab, "lab");
}

/* A thread report names its thread: a TID, a name and a daemon flag of 0
 * or 1; without them it is malformed, as a hostile process may send it. */
Test(lab, a_thread_report_without_its_thread_is_malformed)
{
	struct lab_msg m = lab_msg_report(EV_THREAD_STARTED, 42, 43, "Thread-1 (work)"), out;

	cr_assert(lab_msg_decode(&m, sizeof m, &out));
	cr_assert_eq(out.target, 43);
	m.value = 1;
	cr_assert(lab_msg_decode(&m, sizeof m, &out), "a daemon thread");
	m.value = 2;
	cr_assert_not(lab_msg_decode(&m, sizeof m, &out), "a daemon flag is 0 or 1");
	m.value = -1;
	cr_assert_not(lab_msg_decode(&m, sizeof m, &out));
	m = lab_msg_report(EV_THREAD_CUT_OFF, 42, 0, "Thread-1 (work)");
	cr_assert_not(lab_msg_decode(&m, sizeof m, &out), "no TID");
	m = lab_msg_report(EV_THREAD_ENDED, 42, 43, "");
	cr_assert_not(lab_msg_decode(&m, sizeof m, &out), "no name");
	m = lab_msg_report(EV_THREAD_AWAITED, 42, 43, "Thread-1 (work)");
	memset(m.name, 'x', sizeof m.name);
	cr_assert_not(lab_msg_decode(&m, sizeof m, &out), "a name without its end");
}

/* [threads NAME]: bad values are refused with file and line, as elsewhere. */
Test(lab, bad_threads_sections_are_refused_at_their_line)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "[threads a]\ngroup = nobody\n",
		  "t:5: group 'nobody' is not a group defined above [threads a]" },
		{ "[threads a]\ncount = 33\n", "t:5: count '33' must be from 0 to 32" },
		{ "[threads a]\ndaemon = maybe\n", "t:5: daemon 'maybe' must be yes or no" },
		{ "[threads a]\nlifetime = soon\n",
		  "t:5: lifetime 'soon' must be 'forever' or seconds from 0 to 86400" },
		{ "[threads a]\ntarget = 2fast\n", "t:5: target '2fast' must be a Python name" },
		{ "[threads a]\ntarget = a-b\n", "t:5: target 'a-b' must be a Python name" },
		{ "[threads a]\nexit_code = 3\n", "t:5: unknown key 'exit_code' in [threads a]" },
		{ "[threads a]\ncount = 1\n[main]\nname = x\n[threads a]\ncount = 1\n",
		  "t:9: threads 'a' are defined twice" },
		{ "[threads a]\ncount = 20\ngroup = w\n\n[threads b]\ngroup = w\ncount = 13\n",
		  "t:8: each process of the group would run 33 threads (at most 32)" },
		{ "[thread a]\ncount = 1\n", "t:5: unknown section [thread a] (want [main], [group NAME] "
					     "or [threads NAME])" },
	};
	char text[512], err[256];
	struct scenario sc;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(text, sizeof text, "[main]\n[group w]\ncount = 1\n%s", cases[i].text);
		cr_assert_eq(scenario_load_string(text, "t", &sc, err, sizeof err), -1, "accepted: %s",
			     cases[i].text);
		cr_expect(strstr(err, cases[i].want) == err, "'%s' is not '%s'", err, cases[i].want);
	}
	snprintf(text, sizeof text, "[main]\n[group w]\ncount = 1\n[threads a]\ngroup = w\ncount = 32\n"
		 "[threads b]\ncount = 32\ndaemon = yes\nlifetime = forever\ntarget = _spin2\n");
	cr_assert_eq(scenario_load_string(text, "t", &sc, err, sizeof err), 0, "%s", err);
	cr_assert_eq(sc.nthreads, 2);
	cr_assert_eq(scenario_threads_of(&sc, 0), 32);
	cr_assert_eq(scenario_threads_of(&sc, SCENARIO_TOP_LEVEL), 32, "without group: MainProcess");
	cr_assert_str_eq(sc.threads[0].target, "work", "the target's default");
	cr_assert_str_eq(sc.threads[1].target, "_spin2");
	cr_assert(sc.threads[1].daemon);
}

/* The seq of the first event of kind about pid, or 0. */
static unsigned long long first_seq(const struct track *track, enum event_kind kind, pid_t pid)
{
	for (unsigned long long s = 1; s <= track_last_seq(track); s++) {
		const struct track_event *ev = track_event(track, s);

		if (ev && ev->kind == kind && ev->pid == pid)
			return s;
	}
	return 0;
}

/* Whether pid is a zombie, waited for up to ms. */
static bool becomes_zombie(pid_t pid, int ms)
{
	char path[64], line[512];

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	for (int waited = 0; waited <= ms; waited += 10, usleep(10000)) {
		FILE *f = fopen(path, "r");
		char *end;

		if (!f)
			return false;
		end = fgets(line, sizeof line, f) ? strrchr(line, ')') : NULL;
		fclose(f);
		if (end && end[1] == ' ' && end[2] == 'Z')
			return true;
	}
	return false;
}

/* What a lab process said before it ended is known before its end is
 * judged: a snapshot that shows MainProcess's zombie, taken before the
 * channel was read, does not log its exit ahead of its exit routine. */
Test(lab, a_snapshot_does_not_judge_an_end_before_the_last_words)
{
	struct scenario sc;
	struct track *track;
	struct scan *scan;
	struct scan_snapshot snap = { 0 };
	struct lab lab;
	char err[256];
	pid_t main_pid;
	unsigned long long routine, exited;
	const char *text = "[main]\nname = t\nlifetime = 0.1\n[group w]\ncount = 1\ndaemon = yes\n";

	cr_assert_eq(scenario_load_string(text, "t", &sc, err, sizeof err), 0, "%s", err);
	cr_assert_eq(track_new(&track, 256), 0);
	cr_assert_eq(scan_open(&scan, 0, err, sizeof err), 0, "%s", err);
	cr_assert_eq(lab_start(&lab, &sc, track, err, sizeof err), 0, "%s", err);
	main_pid = lab.members[0].pid;
	cr_assert(becomes_zombie(main_pid, 10000), "MainProcess ended, its channel unread");
	cr_assert_eq(scan_all(scan, &snap), 0);
	cr_assert_not_null(scan_find(&snap, main_pid), "the snapshot shows the zombie");
	lab_observe(&lab, &snap);
	routine = first_seq(track, EV_EXIT_ROUTINE, main_pid);
	exited = first_seq(track, EV_EXITED, main_pid);
	cr_expect_gt(exited, 0, "the snapshot told its end");
	cr_expect_gt(routine, 0, "its exit routine was read first");
	cr_expect_lt(routine, exited, "the exit routine comes before the exit");
	lab_stop(&lab, 2000);
	lab_free(&lab);
	scan_snapshot_free(&snap);
	scan_close(scan);
	track_free(track);
}

/* ---- the lab in its own PID namespace (pid_namespaces(7)) ------------------ */

TestSuite(pidns, .fini = teardown, .timeout = 60);

/* unshare(flags) in a child: whether it worked. */
static bool may_unshare(int flags)
{
	pid_t child = fork();
	int status;

	cr_assert_geq(child, 0);
	if (child == 0)
		_exit(unshare(flags) == 0 ? 0 : 1);
	return waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Skips the test, with why, where this account can make no PID namespace. */
static void need_namespaces(void)
{
	if (!may_unshare(CLONE_NEWPID) && !may_unshare(CLONE_NEWUSER | CLONE_NEWPID))
		cr_skip_test("this account can make no PID namespace here, not even through a user "
			     "namespace");
}

/* The frame's process named name: its NSpid as NDJSON lists it, forktop's
 * PID then the one it has inside (the lab is gone when the frames are read:
 * the numbers inside follow from the order the lab forks in). */
static void assert_nspid(int f, const char *name, int inner)
{
	const json_t *p = proc_named(f, name), *list;

	cr_assert_not_null(p, "%s is in the frame", name);
	list = json_object_get(p, "nspid");
	cr_assert_eq(json_array_size(list), 2, "%s: nspid lists two PIDs", name);
	cr_assert_eq(json_integer_value(json_array_get(list, 0)), pid_of(p));
	cr_assert_eq(json_integer_value(json_array_get(list, 1)), inner, "%s is PID %d inside", name,
		     inner);
}

static const char *python_pid1 =
	"[main]\nname = t\npid_namespace = yes\ninit = none\n"
	"[group daemons]\ncount = 1\ndaemon = yes\n";

/* Whether the event at line i names signal sig in its "caught" list. */
static bool catches(const json_t *p, const char *sig)
{
	const json_t *v;
	size_t k;

	json_array_foreach(json_object_get(p, "caught"), k, v)
		if (!strcmp(json_string_value(v), sig))
			return true;
	return false;
}

Test(pidns, sigterm_to_a_python_pid1_is_dropped_and_it_catches_only_sigint)
{
	int f, made;
	const json_t *main_proc;

	need_namespaces();
	use_scenario(python_pid1);
	run_lab("@0.6 terminate MainProcess; @1.4 quit", "300");
	made = event_of(-1, "namespace_made", "name=MainProcess", NULL);
	cr_assert_geq(made, 0, "MainProcess is PID 1 of a new namespace");
	cr_assert(field_is(made, "userns", may_unshare(CLONE_NEWPID) ? "false" : "true"),
		  "made directly where this account may, else through a user namespace");
	cr_assert_geq(event_of(-1, "init_dropped", "name=MainProcess", "signal=15", NULL), 0,
		      "the kernel drops SIGTERM to a PID 1 without a handler");
	cr_assert_lt(event_of(-1, "exit_routine", NULL), 0, "nothing ran: the signal never came");
	cr_assert_lt(event_of(-1, "exited", "name=MainProcess", NULL), 0, "MainProcess runs on");
	f = last_frame();
	main_proc = proc_named(f, "MainProcess");
	cr_assert_not_null(main_proc);
	cr_assert(catches(main_proc, "SIGINT") && !catches(main_proc, "SIGTERM"),
		  "as Python: a handler for SIGINT, none for SIGTERM");
	assert_nspid(f, "MainProcess", 1);
	assert_nspid(f, "Process-1", 2);
}

/* Sends sig to the PID 1 of the namespace whose PID 1 forktop sees as
 * pid1, from a process inside that namespace (entered through its pidfd,
 * with its user namespace where it has one). Returns what kill() did. */
static int kill_from_inside(pid_t pid1, int sig)
{
	pid_t child = fork();
	int status;

	cr_assert_geq(child, 0);
	if (child == 0) {
		int fd = (int)syscall(SYS_pidfd_open, pid1, 0);
		pid_t inside;

		if (fd < 0 || (setns(fd, CLONE_NEWPID | CLONE_NEWUSER) < 0 && setns(fd, CLONE_NEWPID) < 0))
			_exit(90);
		inside = fork(); /* the first process to enter: setns moves the children */
		if (inside == 0)
			_exit(kill(1, sig) == 0 ? 0 : 91);
		_exit(inside > 0 && waitpid(inside, &status, 0) == inside && WIFEXITED(status)
			      ? WEXITSTATUS(status) : 92);
	}
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

Test(pidns, sigterm_from_inside_the_namespace_is_dropped_too)
{
	struct helper_stream s;
	char line[1 << 15];
	char *args[] = { (char *)helper_forktop(), "--json", "--delay", "200", "--scenario", NULL,
			 "--script", "@3 quit", NULL };
	pid_t pid1 = 0;

	need_namespaces();
	use_scenario(python_pid1);
	args[5] = scenario_path;
	helper_stream_start(&s, args);
	while (!pid1 && helper_stream_line(&s, line, sizeof line, 5000)) {
		json_t *o = json_loads(line, 0, NULL);

		if (o && !strcmp(helper_str(o, "event"), "namespace_made"))
			pid1 = (pid_t)json_integer_value(json_object_get(o, "pid"));
		json_decref(o);
	}
	cr_assert_gt(pid1, 0, "the lab told its PID 1");
	cr_assert_eq(kill_from_inside(pid1, SIGTERM), 0, "kill(1, SIGTERM) inside succeeded");
	usleep(300000);
	cr_expect_neq(helper_state_of(pid1), 'Z', "MainProcess ignored it");
	cr_expect(!helper_not_running(pid1), "MainProcess runs on");
	cr_assert_eq(kill_from_inside(pid1, SIGKILL), 0);
	usleep(300000);
	cr_expect(!helper_not_running(pid1),
		  "even SIGKILL from inside is dropped: only a sender in an ancestor namespace "
		  "always delivers it");
	cr_assert_eq(kill(pid1, SIGKILL), 0);
	cr_assert(helper_wait_for(helper_not_running_p, &pid1, 5000),
		  "SIGKILL from outside (an ancestor namespace) kills it");
	helper_stream_end(&s);
}

Test(pidns, sigint_to_a_python_pid1_runs_the_exit_routine_then_exits_with_130)
{
	int code, routine, ended;

	need_namespaces();
	use_scenario(python_pid1);
	run_lab("@0.6 interrupt MainProcess; @2 quit", "300");
	routine = event_of(-1, "exit_routine", "name=MainProcess", NULL);
	cr_assert_geq(routine, 0, "its handler ran: KeyboardInterrupt, then the exit routine");
	cr_assert_geq(event_of(routine, "exited", "name=Process-1", "exit=-15", NULL), 0,
		      "the exit routine terminated the daemonic child");
	cr_assert_geq(exit_event("MainProcess", &code), 0);
	cr_assert_eq(code, 130, "its own SIGINT, re-raised at PID 1, was dropped: exit(128 + 2)");
	ended = event_of(-1, "namespace_ended", "name=MainProcess", NULL);
	cr_assert_geq(ended, 0, "its end ends the namespace");
	cr_assert(field_is(ended, "killed", "0"), "nothing was left to kill");
}

/* The first frame that shows a live process named name; asserts there is one. */
static int frame_showing(const char *name)
{
	for (int i = 0; i < nlines; i++)
		if (is(lines[i], "frame") && proc_named(i, name))
			return i;
	cr_assert_fail("no frame shows %s", name);
	return -1;
}

/* A worker whose child lives 1.2 s, in a namespace with this PID 1. */
static void use_orphans_scenario(const char *init)
{
	char text[512];

	snprintf(text, sizeof text,
		 "[main]\nname = t\npid_namespace = yes\ninit = %s\n"
		 "[group workers]\ncount = 1\ndaemon = no\n"
		 "[group helpers]\nparent = workers\ncount = 1\ndaemon = no\nlifetime = 1.2\n",
		 init);
	use_scenario(text);
}

Test(pidns, orphans_go_to_a_python_pid1_and_stay_zombies)
{
	int f, main_pid, orphan;
	const json_t *p;

	need_namespaces();
	use_orphans_scenario("none");
	run_lab("@0.6 kill Process-1; @2.6 quit", "250");
	main_pid = started_pid("MainProcess");
	orphan = started_pid("Process-1:1");
	cr_assert(has_reparent(orphan, started_pid("Process-1"), main_pid),
		  "the orphan went to the namespace's PID 1, not to the machine's");
	cr_assert(frames_show_zombie("Process-1:1"), "it ended and nobody reaped it");
	f = last_frame();
	p = proc_named(f, "Process-1:1");
	cr_assert_not_null(p, "still there at the end");
	cr_assert_str_eq(helper_str(p, "state"), "Z", "still a zombie: Python waits for its own "
			 "children only");
	cr_assert_eq(ppid_of(p), main_pid);
	cr_assert_geq(event_of(-1, "exited", "name=Process-1:1", "exit=0", "source=zombie", NULL), 0);
}

Test(pidns, forktops_init_reaps_orphans_and_forwards_sigterm_to_main)
{
	int init_pid, at, code;

	need_namespaces();
	use_orphans_scenario("forktop");
	run_lab("@0.6 kill Process-1; @2.4 terminate init; @3.4 quit", "250");
	at = event_of(-1, "namespace_made", "name=init", NULL);
	cr_assert_geq(at, 0, "forktop's init is PID 1");
	init_pid = (int)json_integer_value(json_object_get(lines[at], "pid"));
	at = frame_showing("MainProcess");
	assert_nspid(at, "init", 1);
	assert_nspid(at, "MainProcess", 2);
	cr_assert(has_reparent(started_pid("Process-1:1"), started_pid("Process-1"), init_pid),
		  "the orphan went to the init");
	cr_assert_geq(event_of(-1, "exited", "name=Process-1:1", "exit=0", "source=init", NULL), 0,
		      "the init reaped it when it ended: no zombie");
	cr_assert(!frames_show_zombie("Process-1:1"));
	cr_assert_lt(event_of(-1, "init_dropped", NULL), 0, "the init has a SIGTERM handler");
	cr_assert_geq(event_of(-1, "signalled", "name=init", "target=MainProcess", "signal=15", NULL),
		      0, "the init forwarded SIGTERM to MainProcess");
	cr_assert_geq(exit_event("MainProcess", &code), 0);
	cr_assert_eq(code, -15, "not PID 1, MainProcess dies of SIGTERM's default action");
	cr_assert_geq(event_of(-1, "exited", "name=init", "exit=143", NULL), 0,
		      "the init exits with 128 + 15, as tini");
	cr_assert_geq(event_of(-1, "namespace_ended", "name=init", NULL), 0);
}

/* Whether some frame shows name ended, with this note. */
static bool tombstone_says(const char *name, const char *note)
{
	for (int i = 0; i < nlines; i++) {
		const json_t *p = is(lines[i], "frame") ? named(i, name, true) : NULL;

		if (p && !strcmp(helper_str(p, "note"), note))
			return true;
	}
	return false;
}

Test(pidns, when_pid1_ends_the_kernel_kills_everything_left)
{
	static const char *const left[] = { "Process-1", "Process-2", "Process-2:1" };
	int ended, code;

	need_namespaces();
	use_scenario("[main]\nname = t\npid_namespace = yes\n"
		     "[group daemons]\ncount = 1\ndaemon = yes\n"
		     "[group workers]\ncount = 1\ndaemon = no\n"
		     "[group helpers]\nparent = workers\ncount = 1\ndaemon = no\n");
	run_lab("@0.6 kill-main; @1.8 quit", "250");
	assert_started_before(event_of(-1, "signal_sent", "target=MainProcess", "signal=9", NULL),
			      "SIGKILL to MainProcess", left, 3);
	for (size_t i = 0; i < 3; i++) {
		char cond[80];

		snprintf(cond, sizeof cond, "name=%s", left[i]);
		if (exit_event(left[i], &code) >= 0) /* its pidfd tells the code (Linux 6.15) */
			cr_assert_eq(code, -9, "%s: SIGKILL, daemonic or not", left[i]);
		else
			cr_assert_geq(event_of(-1, "ended", cond, NULL), 0, "%s ended with the "
				      "namespace (no pidfd exit information here to tell its code)",
				      left[i]);
	}
	cr_assert_lt(event_of(-1, "exit_routine", NULL), 0, "no exit routine ran anywhere");
	cr_assert_lt(event_of(-1, "reparent", NULL), 0, "nothing lived on as an orphan");
	ended = event_of(-1, "namespace_ended", "name=MainProcess", NULL);
	cr_assert_geq(ended, 0);
	cr_assert(field_is(ended, "killed", "3"), "the kernel killed the three left: %s",
		  helper_str(lines[ended], "text"));
	cr_assert(tombstone_says("Process-2:1", "killed by the kernel as its namespace's PID 1 ended"),
		  "its row says why it ended");
}

Test(pidns, a_subreaper_inside_takes_orphans_before_pid1)
{
	int keeper;

	need_namespaces();
	use_scenario("[main]\nname = t\npid_namespace = yes\n"
		     "[group keeper]\ncount = 1\ndaemon = no\nsubreaper = yes\n"
		     "[group middle]\nparent = keeper\ncount = 1\ndaemon = no\n"
		     "[group leaf]\nparent = middle\ncount = 1\ndaemon = no\n");
	run_lab("@0.7 kill Process-1:1; @1.6 quit", "250");
	assert_started_before(event_of(-1, "signal_sent", "target=Process-1:1", NULL),
			      "SIGKILL to Process-1:1", (const char *const[]){ "Process-1:1:1" }, 1);
	keeper = started_pid("Process-1");
	cr_assert(has_reparent(started_pid("Process-1:1:1"), started_pid("Process-1:1"), keeper),
		  "the orphan went to the subreaper above it, not to PID 1");
	cr_assert_str_eq(helper_str(proc_named(frame_showing("Process-1"), "Process-1"), "note"),
			 "child subreaper: orphans below it come to it");
}

Test(pidns, join_and_exit_reach_a_lab_in_its_namespace)
{
	int code, ended;

	need_namespaces();
	use_scenario("[main]\nname = t\npid_namespace = yes\n"
		     "[group workers]\ncount = 1\ndaemon = no\nlifetime = 0.9\n");
	run_lab("@0.4 join Process-1; @1.6 exit-main; @2.6 quit", "250");
	cr_assert_geq(event_of(-1, "join_began", "name=MainProcess", "target=Process-1", NULL), 0,
		      "MainProcess got the join, naming its child by its PID in there");
	cr_assert_geq(event_of(-1, "join_returned", "name=MainProcess", "target=Process-1", NULL), 0);
	cr_assert_geq(event_of(-1, "exit_routine", "name=MainProcess", NULL), 0,
		      "MainProcess got the exit command");
	cr_assert_geq(exit_event("MainProcess", &code), 0);
	cr_assert_eq(code, 0);
	ended = event_of(-1, "namespace_ended", NULL);
	cr_assert_geq(ended, 0);
	cr_assert(field_is(ended, "killed", "0"));
}

/* How many events of kind the track holds. */
static int count_kind(const struct track *track, enum event_kind kind)
{
	int n = 0;

	for (unsigned long long s = 1; s <= track_last_seq(track); s++) {
		const struct track_event *ev = track_event(track, s);

		n += ev && ev->kind == kind;
	}
	return n;
}

/* A lab whose every process has ended and been reaped before forktop read
 * a word of it (children that live no time, behind forktop's init): each
 * record still names its processes by the PIDs forktop sees (the kernel's
 * stamp of each sender; a started child's own hello), so nobody is lost. */
Test(pidns, a_lab_read_after_it_has_ended_keeps_every_process)
{
	struct scenario sc;
	struct track *track;
	struct lab lab;
	char err[256];
	pid_t init_pid;
	const char *text = "[main]\nname = t\nlifetime = 0\ninit = forktop\n"
			   "[group w]\ncount = 2\ndaemon = no\nlifetime = 0\n";

	need_namespaces();
	cr_assert_eq(scenario_load_string(text, "t", &sc, err, sizeof err), 0, "%s", err);
	cr_assert_eq(track_new(&track, 256), 0);
	cr_assert_eq(lab_start(&lab, &sc, track, err, sizeof err), 0, "%s", err);
	init_pid = lab.members[1].pid;
	cr_assert(lab.members[1].init && init_pid > 0);
	cr_assert(becomes_zombie(init_pid, 10000), "the whole lab ended, nothing of it read");
	lab_handle(&lab, NULL, 0);
	cr_expect_eq(count_kind(track, EV_BAD_HELLO), 0, "every hello was believed");
	cr_expect_eq(count_kind(track, EV_LAB_STARTED), 1);
	cr_expect_gt(lab.members[0].pid, 0, "MainProcess's PID is known");
	cr_expect_eq(count_kind(track, EV_STARTED), 2, "both children's starts are told");
	for (size_t i = 2; i < lab.count; i++) {
		cr_expect_gt(lab.members[i].pid, 0, "%s has its PID", lab.members[i].name);
		cr_expect_eq(lab.members[i].nspid, (pid_t)(i + 1), "%s is PID %zu inside",
			     lab.members[i].name, i + 1);
		cr_expect_eq(lab.members[i].exit_source, EXIT_SOURCE_CREATOR,
			     "%s: its creator's reap was taken", lab.members[i].name);
	}
	cr_expect_eq(lab.count, 4);
	lab_stop(&lab, 2000);
	lab_free(&lab);
	track_free(track);
}
