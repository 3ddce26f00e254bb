/* Any program: forktop -- CMD and --attach PID, with real programs (a real
 * Python multiprocessing program among them) and real orphans. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#define MAX_LINES 5000

static json_t *lines[MAX_LINES];
static int nlines;

static void teardown(void)
{
	helper_free_lines(lines, &nlines);
	helper_cleanup();
}

TestSuite(family, .fini = teardown, .timeout = 60);

/* forktop --json --delay 200 ARGS..., every output line parsed. */
static void run(char *const args[])
{
	char *all[32] = { "--json", "--delay", "200" };
	int n = 3;

	for (int i = 0; args[i] && n < 31; i++)
		all[n++] = args[i];
	all[n] = NULL;
	nlines = helper_run_ndjson(all, lines, MAX_LINES, 30000);
}

static int find_event(const char *kind, const char *needle)
{
	for (int i = 0; i < nlines; i++)
		if (!strcmp(helper_str(lines[i], "type"), "event") && !strcmp(helper_str(lines[i], "kind"), kind) &&
		    strstr(helper_str(lines[i], "text"), needle))
			return i;
	return -1;
}

static int exit_of(int event)
{
	return (int)json_integer_value(json_object_get(lines[event], "exit"));
}

/* The exit event of the program forktop started (its PID comes from the
 * "started CMD (pid N)" event); -1 when there is none. */
static int root_exit_event(void)
{
	int started = find_event("lab", "started "), pid;
	char needle[32];

	if (started < 0)
		return -1;
	pid = (int)json_integer_value(json_object_get(lines[started], "pid"));
	snprintf(needle, sizeof needle, "pid %d exitcode", pid);
	return find_event("lab", needle);
}

static char example[512];

static const char *python_example(void)
{
	snprintf(example, sizeof example, "%s/../tests/examples/daemons.py", helper_data_dir());
	return example;
}

Test(family, a_python_program_shows_its_daemon_terminated_at_exit)
{
	int at, daemon_at = -1, worker_at = -1;

	run((char *[]){ "--batch", "--", "python3", (char *)python_example(), NULL });
	cr_assert_geq(find_event("output", "[INFO/MainProcess] calling terminate() for daemon Process-1"),
		      0, "the program's own log lines are in the event log");
	at = root_exit_event();
	cr_assert_geq(at, 0, "the program's own exit code is known");
	cr_assert_eq(exit_of(at), 0);
	for (int i = 0; i < nlines; i++) {
		if (!strcmp(helper_str(lines[i], "type"), "event") && strstr(helper_str(lines[i], "text"), "exitcode")) {
			if (exit_of(i) == -15)
				daemon_at = i;
			else if (exit_of(i) == 0 && i != at)
				worker_at = i;
		}
	}
	cr_assert_geq(daemon_at, 0, "the daemonic child ended by SIGTERM (-15)");
	cr_assert_geq(worker_at, 0, "the non-daemonic child ended with 0");
}

Test(family, an_orphan_comes_to_forktop_as_subreaper)
{
	int root_exit, orphan_exit;

	run((char *[]){ "--batch", "--subreaper", "--", "sh", "-c", "sleep 0.7 & exit 3", NULL });
	root_exit = root_exit_event();
	cr_assert_geq(root_exit, 0, "the shell's exit code is known");
	cr_assert_eq(exit_of(root_exit), 3);
	orphan_exit = -1;
	for (int i = 0; i < nlines && orphan_exit < 0; i++)
		if (!strcmp(helper_str(lines[i], "kind"), "lab") && !strcmp(helper_str(lines[i], "name"), "sleep") &&
		    strstr(helper_str(lines[i], "text"), "exitcode"))
			orphan_exit = i;
	cr_assert_geq(orphan_exit, 0, "the orphaned sleep's exit code is known (forktop adopted it)");
	cr_assert_eq(exit_of(orphan_exit), 0);
	bool orphan_seen = false;
	for (int i = 0; i < nlines; i++) {
		const json_t *p;
		size_t k;

		json_array_foreach(json_object_get(lines[i], "processes"), k, p)
			if (!strcmp(helper_str(p, "name"), "sleep") && strstr(helper_str(p, "note"), "orphan:"))
				orphan_seen = true;
	}
	cr_assert(orphan_seen, "a frame showed the sleep as an orphan");
}

Test(family, attach_watches_and_never_signals)
{
	pid_t child = helper_fork(NULL, NULL);
	char pidtext[16];
	const json_t *p;
	size_t k;
	bool seen = false;

	snprintf(pidtext, sizeof pidtext, "%d", child);
	run((char *[]){ "--batch", "--attach", pidtext, "--iterations", "2", NULL });
	int f = nlines - 1;

	while (f > 0 && strcmp(helper_str(lines[f], "type"), "frame"))
		f--;
	json_array_foreach(json_object_get(lines[f], "processes"), k, p)
		if (json_integer_value(json_object_get(p, "pid")) == child)
			seen = !strcmp(helper_str(p, "role"), "program");
	cr_assert(seen, "the attached process is shown as the program");
	cr_assert_eq(kill(child, 0), 0, "forktop left the attached process alone");
	cr_assert_neq(helper_state_of(child), 'Z');
}

Test(family, a_command_that_cannot_run_says_why)
{
	int at;

	run((char *[]){ "--batch", "--", "/nonexistent/program", NULL });
	cr_assert_geq(find_event("output", "forktop: cannot run /nonexistent/program: No such file"), 0);
	at = find_event("lab", "exitcode 127");
	cr_assert_geq(at, 0);
}
