/* forktop -- CMD with the kernel's process events, end to end with real
 * programs: short lives seen as tombstones with their codes, a burst of
 * 200, codes 0, 3, -9 and -15, an orphan whose parent ended between two
 * refreshes, an unprivileged run, a run in a new PID namespace (polling,
 * said so) and an overflow (rescanned, said so). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#define MAX_LINES 8000

static json_t *lines[MAX_LINES];
static int nlines;

static void teardown(void)
{
	helper_free_lines(lines, &nlines);
	helper_cleanup();
}

TestSuite(kernel, .fini = teardown, .timeout = 60);

/* forktop --json --delay 200 ARGS..., every line parsed. */
static void run(char *const args[])
{
	char *all[40] = { "--json", "--delay", "200" };
	int n = 3;

	for (int i = 0; args[i] && n < 39; i++)
		all[n++] = args[i];
	all[n] = NULL;
	nlines = helper_run_ndjson(all, lines, MAX_LINES, 30000);
	cr_assert_gt(nlines, 0, "forktop wrote frames");
}

static bool is_type(int i, const char *type)
{
	return !strcmp(helper_str(lines[i], "type"), type);
}

static bool is_event(int i, const char *kind)
{
	return is_type(i, "event") && !strcmp(helper_str(lines[i], "event"), kind);
}

static long num(const json_t *o, const char *key)
{
	return (long)json_integer_value(json_object_get(o, key));
}

/* The first frame's event source; skips the test when it is not the kernel. */
static void need_kernel_source(void)
{
	for (int i = 0; i < nlines; i++)
		if (is_type(i, "frame")) {
			if (strcmp(helper_str(lines[i], "events"), "kernel"))
				cr_skip_test("no kernel process events here: %s",
					     helper_str(lines[i], "events"));
			return;
		}
	cr_assert_fail("no frame");
}

/* Exit events from the kernel's source with this code; the PIDs in pids. */
static int kernel_exits(int code, int *pids, int cap)
{
	int n = 0;

	for (int i = 0; i < nlines; i++)
		if (is_event(i, "exited") && !strcmp(helper_str(lines[i], "source"), "kernel") &&
		    json_is_integer(json_object_get(lines[i], "exit")) && num(lines[i], "exit") == code) {
			if (n < cap)
				pids[n] = (int)num(lines[i], "pid");
			n++;
		}
	return n;
}

/* pid as a frame shows it (the first frame that shows it ended, when
 * ended), or NULL. */
static const json_t *shown(int pid, bool ended)
{
	const json_t *p;
	size_t k;

	for (int i = 0; i < nlines; i++)
		if (is_type(i, "frame"))
			json_array_foreach(json_object_get(lines[i], "processes"), k, p)
				if (num(p, "pid") == pid &&
				    (!ended || json_is_true(json_object_get(p, "tombstone"))))
					return p;
	return NULL;
}

static int new_under(int ppid, int *pids, int cap)
{
	int n = 0;

	for (int i = 0; i < nlines; i++)
		if (is_event(i, "new") && num(lines[i], "new_ppid") == ppid && n < cap)
			pids[n++] = (int)num(lines[i], "pid");
	return n;
}

static int root_pid(void)
{
	for (int i = 0; i < nlines; i++)
		if (is_event(i, "program_started"))
			return (int)num(lines[i], "pid");
	cr_assert_fail("no program_started event");
	return -1;
}

Test(kernel, short_lives_show_as_tombstones_with_their_codes)
{
	int zero[4], three[4], kids[8], root, n;
	const json_t *p;

	/* two children of a few milliseconds each, between two refreshes */
	run((char *[]){ "--batch", "--", "sh", "-c", "(exit 0) & (exit 3) & wait; sleep 0.5", NULL });
	need_kernel_source();
	root = root_pid();
	n = new_under(root, kids, 8);
	cr_assert_geq(n, 2, "the log has both forks (and the sleep's)");
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			cr_assert_neq(kids[i], kids[j], "one new event per process, not one per source");
	cr_assert_geq(kernel_exits(0, zero, 4), 1);
	cr_assert_eq(kernel_exits(3, three, 4), 1, "the log has the exit with 3, from the kernel");
	p = shown(three[0], true);
	cr_assert_not_null(p, "a frame shows the child that exited with 3 as a tombstone");
	cr_assert_eq(num(p, "exit"), 3);
	cr_assert_eq(num(p, "ppid"), root);
	cr_assert(json_is_real(json_object_get(p, "lifetime_ms")), "its lifetime is known");
	cr_assert_lt(json_real_value(json_object_get(p, "lifetime_ms")), 1000.0);
}

Test(kernel, every_code_of_a_burst_of_200)
{
	int pids[256];

	run((char *[]){ "--batch", "--", "sh", "-c",
			"i=0; while [ $i -lt 200 ]; do (exit 3) & i=$((i+1)); done; wait; sleep 0.3",
			NULL });
	need_kernel_source();
	cr_assert_eq(kernel_exits(3, pids, 256), 200, "all 200 exit codes, from the kernel");
	for (int i = 0; i < nlines; i++)
		cr_assert_not(is_event(i, "events_lost"), "nothing lost with the default buffer");
}

/* Members enough that the family's array moves many times while a fork
 * event is handled (a parent read after the move crashed forktop). */
Test(kernel, a_family_of_2000_short_lives)
{
	int pids[8];

	/* frames 2 s apart: each shows every tombstone of the last 5 s */
	run((char *[]){ "--batch", "--delay", "2000", "--", "sh", "-c",
			"i=0; while [ $i -lt 2000 ]; do (exit 3) & i=$((i+1)); done; wait", NULL });
	need_kernel_source();
	cr_assert_eq(kernel_exits(3, pids, 8), 2000, "all 2000 exit codes, from the kernel");
}

/* More events at once than the log holds: the next line says how many it
 * could not write, and every exit is written or counted. The program stops
 * forktop (its parent) for its burst, so the kernel's events of all 3,000
 * children wait for one read (in a receive buffer large enough to hold
 * them: the kernel drops none). */
Test(kernel, a_frame_says_how_many_events_left_the_log_unwritten)
{
	int pids[8];
	long dropped = 0;

	run((char *[]){ "--batch", "--events-buffer", "33554432", "--", "sh", "-c",
			"kill -STOP $PPID; i=0; while [ $i -lt 3000 ]; do (exit 3) & i=$((i+1)); done; "
			"wait; kill -CONT $PPID", NULL });
	need_kernel_source();
	for (int i = 0; i < nlines; i++)
		cr_assert_not(is_event(i, "events_lost"), "the receive buffer held the whole burst");
	for (int i = 0; i < nlines; i++)
		if (is_event(i, "events_dropped"))
			dropped += num(lines[i], "count");
	cr_assert_gt(dropped, 0, "a frame says events left the log unwritten");
	cr_assert_geq(kernel_exits(3, pids, 8) + dropped, 3000,
		      "every exit is written or counted (%d written, %ld dropped)",
		      kernel_exits(3, pids, 8), dropped);
}

Test(kernel, codes_0_3_minus_9_and_minus_15)
{
	int pids[8];

	run((char *[]){ "--batch", "--", "sh", "-c",
			"(exit 0) & (exit 3) & sh -c 'kill -9 $$' & sh -c 'kill -15 $$' & wait; "
			"sleep 0.3", NULL });
	need_kernel_source();
	cr_assert_geq(kernel_exits(0, pids, 8), 2, "the (exit 0) child and the program itself");
	cr_assert_eq(kernel_exits(3, pids, 8), 1);
	cr_assert_eq(kernel_exits(-9, pids, 8), 1);
	cr_assert_eq(kernel_exits(-15, pids, 8), 1);
	cr_assert_not_null(shown(pids[0], true), "the one killed by SIGTERM shows as a tombstone");
	cr_assert_eq(num(shown(pids[0], true), "exit"), -15);
}

/* The first frame's live pid whose parent is no longer ppid, or NULL. */
static const json_t *shown_away_from(int pid, int ppid)
{
	const json_t *p;
	size_t k;

	for (int i = 0; i < nlines; i++)
		if (is_type(i, "frame"))
			json_array_foreach(json_object_get(lines[i], "processes"), k, p)
				if (num(p, "pid") == pid && num(p, "ppid") != ppid &&
				    !json_is_true(json_object_get(p, "tombstone")))
					return p;
	return NULL;
}

/* Whether a frame shows pid with this exit code. */
static bool exit_known_in_a_frame(int pid, int code)
{
	const json_t *p;
	size_t k;

	for (int i = 0; i < nlines; i++)
		if (is_type(i, "frame"))
			json_array_foreach(json_object_get(lines[i], "processes"), k, p)
				if (num(p, "pid") == pid && json_is_integer(json_object_get(p, "exit")) &&
				    num(p, "exit") == code)
					return true;
	return false;
}

/* The inner shell starts a sleep and is killed at once, long before a refresh:
 * without a subreaper the sleep goes to PID 1, and the fork event keeps it
 * in the family. */
Test(kernel, an_orphan_whose_parent_ended_between_refreshes)
{
	int inner[4], sleeper[4], root, n;
	const json_t *p;
	char note[64];

	run((char *[]){ "--batch", "--", "sh", "-c", "sh -c 'sleep 0.8 & kill -9 $$'; sleep 1.2",
			NULL });
	need_kernel_source();
	root = root_pid();
	n = new_under(root, inner, 4);
	cr_assert_geq(n, 1, "the inner shell's fork is in the log");
	cr_assert_eq(new_under(inner[0], sleeper, 4), 1, "the sleep's fork is in the log");
	p = shown_away_from(sleeper[0], inner[0]);
	cr_assert_not_null(p, "a frame shows the sleep re-parented, still in the family");
	snprintf(note, sizeof note, "orphan: was under %d", inner[0]);
	cr_assert_str_eq(helper_str(p, "note"), note);
	cr_assert(exit_known_in_a_frame(sleeper[0], 0),
		  "a frame shows its exit code (a zombie under its adopter, or a tombstone)");
	cr_assert(exit_known_in_a_frame(inner[0], -9), "and the killed parent's, -9");
}

/* As nobody: the kernel's events where this kernel lets any user listen
 * (Linux 6.6 opened them; some kernels still refuse), else polling, said
 * so, and --events kernel refused with the reason. */
static int run_as_nobody(const char *events, char *out, size_t outcap, char *err, size_t errcap)
{
	int status = helper_run((char *[]){ "/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
					    "--clear-groups", (char *)helper_forktop(), "--json", "-d", "100",
					    "--events", (char *)events, "--", "true", NULL },
				out, outcap, err, errcap, 20000);

	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		cr_skip_test("no setpriv here");
	return status;
}

Test(kernel, an_unprivileged_user_subscribes_where_the_kernel_lets_it)
{
	char out[1 << 16], err[4096];
	bool allowed;
	int status;

	if (geteuid() != 0)
		cr_skip_test("already unprivileged: the other tests are that run");
	allowed = helper_unprivileged_may_listen();
	status = run_as_nobody("kernel", out, sizeof out, err, sizeof err);
	if (allowed) {
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x: %s", status, err);
		cr_assert(strstr(out, "\"events\":\"kernel\""), "%.600s", out);
		return;
	}
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0, "this kernel refuses nobody: %.600s", out);
	cr_assert(strstr(err, "kernel process events: not allowed to listen"), "%s", err);
	status = run_as_nobody("auto", out, sizeof out, err, sizeof err);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x: %s", status, err);
	cr_assert(strstr(out, "\"events\":\"polling\""), "%.600s", out);
	cr_assert(strstr(out, "\"event\":\"polling\"") && strstr(out, "not allowed to listen"),
		  "the log says why it polls: %.2000s", out);
}

/* unshare: a new user and PID namespace, where the kernel stays silent (or,
 * where it lets no unprivileged account listen, refuses at once). */
Test(kernel, a_new_pid_namespace_falls_back_to_polling_and_says_why)
{
	char out[1 << 16], err[4096];
	bool silent = helper_unprivileged_may_listen();
	const char *why = silent ? "initial PID and user namespaces" : "not allowed to listen";
	const char *refusal = silent ? "kernel process events: the kernel did not answer"
				     : "kernel process events: not allowed to listen";
	int status = helper_run((char *[]){ "/usr/bin/unshare", "--user", "--map-root-user", "--pid", "--fork",
					    "--mount-proc", (char *)helper_forktop(), "--json", "-d",
					    "100", "-n", "3", "--", "sleep", "1", NULL },
				out, sizeof out, err, sizeof err, 20000);

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (strstr(err, "unshare"))
			cr_skip_test("no user and PID namespace here: %s", err);
		cr_assert_fail("status %#x: %s", status, err);
	}
	cr_assert(strstr(out, "\"events\":\"polling\""), "the frames say polling: %.300s", out);
	cr_assert(strstr(out, "\"event\":\"polling\""), "the log says why");
	cr_assert(strstr(out, why), "the log says %s: %.2000s", why, out);
	status = helper_run((char *[]){ "/usr/bin/unshare", "--user", "--map-root-user", "--pid", "--fork",
					"--mount-proc", (char *)helper_forktop(), "--json",
					"--events", "kernel", "--", "true", NULL },
			    out, sizeof out, err, sizeof err, 20000);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0, "--events kernel cannot be had");
	cr_assert(strstr(err, refusal), "%s", err);
}

/* Whether frame shows a running sleep under root. */
static bool sleep_runs_in(const json_t *frame, int root)
{
	const json_t *p;
	size_t k;

	json_array_foreach(json_object_get(frame, "processes"), k, p)
		if (!json_is_true(json_object_get(p, "tombstone")) && num(p, "ppid") == root &&
		    !strcmp(helper_str(p, "name"), "sleep") && strcmp(helper_str(p, "state"), "Z"))
			return true;
	return false;
}

/* A receive buffer too small for the burst: the loss is said, everything is
 * read again, and the tree after it is right: once the burst is over (the
 * last frame that shows the long sleep), the sleep is all that runs under
 * the program, nothing ended still shown as running. */
Test(kernel, an_overflow_is_said_and_rescanned)
{
	const json_t *p, *last = NULL;
	int root, lost = -1;
	size_t k;

	run((char *[]){ "--batch", "--events-buffer", "1", "--", "sh", "-c",
			"sleep 3 & i=0; while [ $i -lt 300 ]; do (exit 3) & i=$((i+1)); done; wait",
			NULL });
	need_kernel_source();
	root = root_pid();
	for (int i = 0; i < nlines; i++) {
		if (is_event(i, "events_lost") && lost < 0)
			lost = i;
		if (is_type(i, "frame") && lost >= 0 && i > lost && sleep_runs_in(lines[i], root))
			last = lines[i];
	}
	cr_assert_geq(lost, 0, "the loss is in the log");
	cr_assert_not_null(last, "a frame after the loss shows the sleep");
	json_array_foreach(json_object_get(last, "processes"), k, p)
		if (!json_is_true(json_object_get(p, "tombstone")) && num(p, "ppid") == root)
			cr_assert_str_eq(helper_str(p, "name"), "sleep",
					 "only the sleep still runs under the program (pid %ld: %s %s)",
					 num(p, "pid"), helper_str(p, "state"), helper_str(p, "name"));
}

/* NDJSON writes an event as it comes, not with the next frame: with frames
 * a minute apart, a child's exit (half a second after the first frame, so
 * that no frame's own events carry it) reaches the reader while its program
 * still sleeps, a few milliseconds after the kernel told of it. */
Test(kernel, an_exit_reaches_the_reader_before_the_next_frame)
{
	struct helper_stream s;
	char line[1 << 16];
	int frames = 0;
	json_t *exited = NULL;

	helper_stream_start(&s, (char *[]){ (char *)helper_forktop(), "--json", "--delay", "60000", "--",
					    "sh", "-c", "sleep 0.5; (exit 7); sleep 20", NULL });
	while (!exited && helper_stream_line(&s, line, sizeof line, 5000)) {
		json_t *o = json_loads(line, 0, NULL);

		cr_assert_not_null(o, "a line of JSON: %s", line);
		if (!strcmp(helper_str(o, "type"), "frame")) {
			if (strcmp(helper_str(o, "events"), "kernel")) {
				json_decref(o);
				kill(s.pid, SIGTERM);
				while (helper_stream_line(&s, line, sizeof line, 5000))
					;
				helper_stream_end(&s);
				cr_skip_test("no kernel process events here");
			}
			frames++;
		}
		if (!strcmp(helper_str(o, "type"), "event") && !strcmp(helper_str(o, "event"), "exited") &&
		    json_integer_value(json_object_get(o, "exit")) == 7)
			exited = o;
		else
			json_decref(o);
	}
	kill(s.pid, SIGTERM); /* forktop ends the program it started as it quits */
	while (helper_stream_line(&s, line, sizeof line, 5000))
		;
	helper_stream_end(&s);
	cr_assert_not_null(exited, "the exit with code 7 was written while the program slept");
	cr_assert_eq(frames, 1, "before any frame but the first");
	cr_assert_str_eq(helper_str(exited, "source"), "kernel");
	json_decref(exited);
}

/* A child the kernel told of is ended with its program when forktop quits
 * (forktop holds it by a pidfd from the moment its fork was read). */
Test(kernel, quitting_ends_a_child_the_kernel_told_of)
{
	const json_t *p;
	int root, sleeper = 0;
	bool ended;
	size_t k;

	run((char *[]){ "--batch", "--iterations", "3", "--", "sh", "-c", "sleep 30 & wait", NULL });
	need_kernel_source();
	root = root_pid();
	for (int i = 0; i < nlines && !sleeper; i++)
		if (is_type(i, "frame"))
			json_array_foreach(json_object_get(lines[i], "processes"), k, p)
				if (num(p, "ppid") == root && !strcmp(helper_str(p, "name"), "sleep"))
					sleeper = (int)num(p, "pid");
	cr_assert_gt(sleeper, 0, "a frame showed the sleep under the program");
	ended = helper_wait_state(sleeper, 0, 5000);
	if (!ended && helper_state_of(sleeper) != 'Z')
		kill(sleeper, SIGKILL); /* left behind: this test's own, a moment ago */
	cr_assert(ended, "the sleep (pid %d) ended with forktop", sleeper);
}
