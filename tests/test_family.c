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

#include "../src/event.h"
#include "../src/family.h"
#include "../src/procev.h"
#include "../src/scan.h"
#include "../src/track.h"
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

static bool is_event(int i, const char *kind)
{
	return !strcmp(helper_str(lines[i], "type"), "event") &&
	       !strcmp(helper_str(lines[i], "event"), kind);
}

/* The first event of this kind about pid (any pid when 0), or -1. */
static int find_event(const char *kind, pid_t pid)
{
	for (int i = 0; i < nlines; i++)
		if (is_event(i, kind) &&
		    (!pid || json_integer_value(json_object_get(lines[i], "pid")) == pid))
			return i;
	return -1;
}

/* The first line of the program's output that holds needle, or -1. */
static int find_output(const char *needle)
{
	for (int i = 0; i < nlines; i++)
		if (is_event(i, "output") && strstr(helper_str(lines[i], "line"), needle))
			return i;
	return -1;
}

static int exit_of(int event)
{
	return (int)json_integer_value(json_object_get(lines[event], "exit"));
}

/* The exit event of the program forktop started (its PID comes from the
 * program_started event); -1 when there is none. */
static int root_exit_event(void)
{
	int started = find_event("program_started", 0);

	if (started < 0)
		return -1;
	return find_event("exited", (pid_t)json_integer_value(json_object_get(lines[started], "pid")));
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
	cr_assert_geq(find_output("[INFO/MainProcess] calling terminate() for daemon Process-1"),
		      0, "the program's own log lines are in the event log");
	at = root_exit_event();
	cr_assert_geq(at, 0, "the program's own exit code is known");
	cr_assert_eq(exit_of(at), 0);
	for (int i = 0; i < nlines; i++) {
		if (is_event(i, "exited")) {
			if (exit_of(i) == -15)
				daemon_at = i;
			else if (exit_of(i) == 0 && i != at)
				worker_at = i;
		}
	}
	cr_assert_geq(daemon_at, 0, "the daemonic child ended by SIGTERM (-15)");
	cr_assert_geq(worker_at, 0, "the non-daemonic child ended with 0");
}

/* The processes of the frame at line i whose command line holds needle. */
static int procs_with_cmdline(int i, const char *needle, const json_t **found, int cap)
{
	const json_t *p;
	size_t k;
	int n = 0;

	json_array_foreach(json_object_get(lines[i], "processes"), k, p)
		if (strstr(helper_str(p, "cmdline"), needle) && n < cap)
			found[n++] = p;
	return n;
}

static int ppid_in(const json_t *p)
{
	return (int)json_integer_value(json_object_get(p, "ppid"));
}

static int pid_in(const json_t *p)
{
	return (int)json_integer_value(json_object_get(p, "pid"));
}

/* How many live processes of the frame at line i have ppid as their parent
 * (a tombstone is an ended one, shown for a moment). */
static int children_in(int i, int ppid)
{
	const json_t *p;
	size_t k;
	int n = 0;

	json_array_foreach(json_object_get(lines[i], "processes"), k, p)
		n += ppid_in(p) == ppid && !json_is_true(json_object_get(p, "tombstone"));
	return n;
}

/* The PID of the program forktop started (its program_started event). */
static int root_pid(void)
{
	int started = find_event("program_started", 0);

	cr_assert_geq(started, 0, "forktop said it started the program");
	return (int)json_integer_value(json_object_get(lines[started], "pid"));
}

static const char *methods_example(void)
{
	snprintf(example, sizeof example, "%s/../tests/examples/methods.py", helper_data_dir());
	return example;
}

Test(family, python_forkserver_has_the_shape_of_the_labs)
{
	const json_t *found[16], *server = NULL;
	int root, f = -1;

	run((char *[]){ "--batch", "--", "python3", (char *)methods_example(), "forkserver", NULL });
	root = root_pid();
	for (int i = 0; i < nlines && f < 0; i++) {
		int n = procs_with_cmdline(i, "multiprocessing.forkserver import main", found, 16);

		for (int k = 0; k < n && f < 0; k++)
			if (ppid_in(found[k]) == root && children_in(i, pid_in(found[k])) == 2)
				f = i, server = found[k];
	}
	cr_assert_geq(f, 0, "a frame shows main's fork server with both children under it");
	cr_assert_eq(children_in(f, root), 2, "main's children are the tracker and the server");
	cr_assert_eq(procs_with_cmdline(f, "multiprocessing.resource_tracker import main", found, 16),
		     1, "one resource tracker");
	cr_assert_eq(ppid_in(found[0]), root, "main started the tracker");
	cr_assert_neq(pid_in(server), root);
	cr_assert_geq(root_exit_event(), 0, "the program's exit code is known");
	cr_assert_eq(exit_of(root_exit_event()), 0);
}

Test(family, python_spawn_has_the_shape_of_the_labs)
{
	const json_t *kids[8];
	int root, f = -1, under_main = 0;

	run((char *[]){ "--batch", "--", "python3", (char *)methods_example(), "spawn", NULL });
	root = root_pid();
	for (int i = 0; i < nlines && f < 0; i++)
		if (procs_with_cmdline(i, "spawn_main(tracker_fd=", kids, 8) == 3)
			f = i;
	cr_assert_geq(f, 0, "a frame shows the two children and the grandchild as fresh programs");
	for (int k = 0; k < 3; k++)
		under_main += ppid_in(kids[k]) == root;
	cr_assert_eq(under_main, 2, "the children are main's own");
	cr_assert_eq(children_in(f, root), 3, "main's children: the tracker and two fresh programs");
	cr_assert_eq(procs_with_cmdline(f, "multiprocessing.resource_tracker import main", kids, 8),
		     1, "one resource tracker, shared by the grandchild's creator");
	cr_assert_eq(ppid_in(kids[0]), root);
}

/* The process pid in the frame at line i, or NULL. */
static const json_t *in_frame(int i, int pid)
{
	const json_t *p;
	size_t k;

	json_array_foreach(json_object_get(lines[i], "processes"), k, p)
		if (pid_in(p) == pid)
			return p;
	return NULL;
}

/* The line of the first event of this kind about a child of ppid, or -1. */
static int event_of_child(const char *kind, int ppid)
{
	for (int i = 0; i < nlines; i++)
		if (!strcmp(helper_str(lines[i], "kind"), kind) &&
		    json_integer_value(json_object_get(lines[i], "old_ppid")) == ppid)
			return i;
	return -1;
}

/* The event that gives the exit code of pid, or -1. */
static int exit_event_of(int pid)
{
	int at = find_event("exited", pid);

	return at >= 0 && json_is_integer(json_object_get(lines[at], "exit")) ? at : -1;
}

Test(family, an_orphan_comes_to_forktop_as_subreaper)
{
	const json_t *p, *orphaned = NULL;
	bool under_shell = false;
	int root, at, orphan;
	char note[64];

	/* The shell lives for a few refreshes, so that they show the sleep under it.
	 * Polling: the code must come from forktop's own wait, not the kernel. */
	run((char *[]){ "--batch", "--subreaper", "--events", "polling", "--", "sh", "-c",
			"sleep 1.2 & sleep 0.6; exit 3", NULL });
	root = root_pid();
	at = root_exit_event();
	cr_assert_geq(at, 0, "the shell's exit code is known");
	cr_assert_eq(exit_of(at), 3);
	at = event_of_child("reparent", root);
	cr_assert_geq(at, 0, "a child of the shell %d was re-parented", root);
	orphan = (int)json_integer_value(json_object_get(lines[at], "pid"));
	for (int i = 0; i < nlines; i++)
		if ((p = in_frame(i, orphan)) && ppid_in(p) == root)
			under_shell = true;
		else if (p && !orphaned)
			orphaned = p;
	cr_assert(under_shell, "a frame showed the sleep %d under the shell %d", orphan, root);
	cr_assert_not_null(orphaned, "a frame showed the sleep %d after the shell ended", orphan);
	snprintf(note, sizeof note, "orphan: was under %d", root);
	cr_assert_str_eq(helper_str(orphaned, "note"), note, "the orphan names the parent it had");
	at = exit_event_of(orphan);
	cr_assert_geq(at, 0, "the orphaned sleep's exit code is known (forktop adopted it)");
	cr_assert_eq(exit_of(at), 0);
	cr_assert_str_eq(helper_str(lines[at], "source"), "subreaper", "%s",
			 helper_str(lines[at], "text"));
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
	cr_assert_geq(find_output("forktop: cannot run /nonexistent/program: No such file"), 0);
	at = root_exit_event();
	cr_assert_geq(at, 0);
	cr_assert_eq(exit_of(at), 127);
}

/* The program's output events, in order, into found (at most cap); how many. */
static int output_events(int *found, int cap)
{
	int n = 0;

	for (int i = 0; i < nlines; i++)
		if (is_event(i, "output") && n < cap)
			found[n++] = i;
	return n;
}

static long cut_of(int event)
{
	json_t *cut = json_object_get(lines[event], "cut_bytes");

	cr_assert(json_is_integer(cut), "an output event says how much was cut");
	return (long)json_integer_value(cut);
}

/* A line of 5,000 bytes, then one of 100,000: "x", 49,999 e-acutes (two
 * bytes each) and "y", so that the 64 KiB limit falls inside a character. */
#define LONG_LINES "import sys\n" \
	"sys.stdout.write('A' * 4999 + 'Z\\n')\n" \
	"sys.stdout.write('x' + '\\u00e9' * 49999 + 'y\\n')\n" \
	"sys.stdout.write('end\\n')\n"

Test(family, a_long_line_is_kept_whole_and_a_longer_one_cut_with_a_mark)
{
	static char want[EVENT_LINE_MAX + 64]; /* the line and its mark */
	int out[8], n;
	size_t used = 0;

	run((char *[]){ "--batch", "--", "python3", "-c", LONG_LINES, NULL });
	n = output_events(out, 8);
	cr_assert_eq(n, 3, "three lines, three events (not %d)", n);

	memset(want, 'A', 4999);
	strcpy(want + 4999, "Z");
	cr_assert_str_eq(helper_str(lines[out[0]], "line"), want, "5,000 bytes, whole");
	cr_assert_str_eq(helper_str(lines[out[0]], "text"), want);
	cr_assert_eq(cut_of(out[0]), 0);

	want[used++] = 'x';
	while (used + 2 <= EVENT_LINE_MAX) { /* as many whole characters as fit */
		want[used++] = '\xc3';
		want[used++] = '\xa9';
	}
	want[used] = '\0';
	cr_assert_eq(used, EVENT_LINE_MAX - 1, "the character across the limit goes whole");
	cr_assert_eq(strlen(helper_str(lines[out[1]], "line")), used);
	cr_assert_str_eq(helper_str(lines[out[1]], "line"), want, "cut at the limit, no mark in it");
	cr_assert_eq(cut_of(out[1]), 100000 - (long)used);
	strcpy(want + used, " [\u2026 34465 bytes cut]");
	cr_assert_str_eq(helper_str(lines[out[1]], "text"), want, "the sentence marks the cut");

	cr_assert_str_eq(helper_str(lines[out[2]], "line"), "end", "the line after it is its own");
	cr_assert_eq(cut_of(out[2]), 0);
}

Test(family, a_line_written_in_pieces_is_one_event)
{
	int out[8], n;

	run((char *[]){ "--batch", "--", "sh", "-c",
			"printf 'one '; sleep 0.3; printf 'two '; sleep 0.3; printf three; "
			"sleep 0.3; echo ' four'; printf 'no newline at the end'", NULL });
	n = output_events(out, 8);
	cr_assert_eq(n, 2, "a line and the unended last one (not %d events)", n);
	cr_assert_str_eq(helper_str(lines[out[0]], "line"), "one two three four");
	cr_assert_str_eq(helper_str(lines[out[1]], "line"), "no newline at the end");
}

/* A snapshot read while the program was a zombie, then the kernel's exit
 * event read after it (forktop reaps the program then): the snapshot's
 * zombie is the program that ended, not a new orphan for forktop to
 * adopt, and the family keeps one member. */
/* The first child of pid, as /proc lists it, or 0. */
static pid_t first_child(pid_t pid)
{
	char path[64];
	FILE *f;
	int child = 0;

	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%d", &child) != 1)
			child = 0;
		fclose(f);
	}
	return child;
}

/* A fork before a partial scan began, told by the kernel only after the
 * scan: the scan did not look for the child (its snapshot is from before
 * the fork), which is no sign of its end. */
Test(family, a_fork_told_after_a_partial_scan_is_not_judged_by_it)
{
	static char *const argv[] = { "sh", "-c", "sleep 0.3; sleep 5 & wait", NULL };
	struct family f;
	struct track *track;
	struct scan *scan;
	struct scan_snapshot snap = { 0 };
	struct procev_event fork_event = { .kind = PROCEV_FORK };
	char err[256];
	pid_t pid, child = 0;

	cr_assert_eq(track_new(&track, 64), 0);
	cr_assert_eq(scan_open(&scan, 0, err, sizeof err), 0, "%s", err);
	cr_assert_eq(family_start(&f, argv, NULL, track, err, sizeof err), 0, "%s", err);
	pid = f.members[0].pid;
	cr_assert_eq(scan_all(scan, &snap), 0, "the snapshot before the fork");
	usleep(600000); /* the short sleep has ended, the long one runs */
	for (int i = 0; i < 100 && !child; i++, usleep(20000))
		child = first_child(pid);
	cr_assert_gt(child, 0, "the program forked its sleep");
	cr_assert_null(scan_find(&snap, child), "the first snapshot is from before the fork");
	family_scan_begins(&f);
	cr_assert_eq(scan_known(scan, &snap, &pid, 1), 0, "a partial scan of what it knew of");
	cr_assert_null(scan_find(&snap, child), "the partial scan did not look for the child");
	fork_event.pid = fork_event.tgid = child;
	fork_event.parent_pid = fork_event.parent_tgid = pid;
	fork_event.timestamp_ns = f.scan_began_ns - 1; /* forked before the scan began */
	family_kernel_event(&f, &fork_event);
	cr_assert_eq(f.count, 2, "the kernel's fork made the child a member");
	family_observe(&f, &snap);
	cr_expect_not(f.members[1].gone, "the child is not judged ended by a scan that did not look for it");
	cr_expect_eq(f.members[1].exit_source, EXIT_SOURCE_UNKNOWN, "no exit was recorded");
	family_close(&f, 1000);
	scan_snapshot_free(&snap);
	scan_close(scan);
	track_free(track);
}

Test(family, a_member_reaped_after_the_scan_is_not_adopted_from_it)
{
	static char *const argv[] = { "sh", "-c", "exit 3", NULL };
	struct family f;
	struct track *track;
	struct scan *scan;
	struct scan_snapshot snap = { 0 };
	struct procev_event exit_event = { .kind = PROCEV_EXIT };
	char err[256];
	pid_t pid;

	cr_assert_eq(track_new(&track, 64), 0);
	cr_assert_eq(scan_open(&scan, 0, err, sizeof err), 0, "%s", err);
	cr_assert_eq(family_start(&f, argv, NULL, track, err, sizeof err), 0, "%s", err);
	pid = f.members[0].pid;
	cr_assert(helper_wait_state(pid, 'Z', 5000), "the program became a zombie");
	family_scan_begins(&f);
	cr_assert_eq(scan_all(scan, &snap), 0);
	cr_assert_not_null(scan_find(&snap, pid), "the scan shows the zombie");
	exit_event.pid = exit_event.tgid = pid;
	exit_event.parent_pid = exit_event.parent_tgid = getpid();
	exit_event.status = 3 << 8;
	family_kernel_event(&f, &exit_event);
	family_kernel_events_done(&f);
	cr_assert(f.members[0].gone, "the exit event had forktop reap it");
	family_observe(&f, &snap);
	cr_assert_eq(f.count, 1, "the scan's zombie is no new member (%zu members)", f.count);
	family_close(&f, 100);
	scan_snapshot_free(&snap);
	scan_close(scan);
	track_free(track);
}
