/* session: the view model shared by the faces, without a terminal: its
 * arrays after a failed allocation, the rows the lab's helpers get in the
 * live tree and in the tree as it was, and what partial scans read. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../src/labproc.h"
#include "../src/scenario.h"
#include "../ui/session.h"
#include "helpers.h"

/* The spawn lab execs this very program in a role (as Python execs its
 * interpreter), so the test program is forktop for those. */
int main(int argc, char *argv[])
{
	struct criterion_test_set *tests;
	int result = 0;

	if (argc > 1 && labproc_is_role(argv[1]))
		return labproc_role_main(argc, argv);
	tests = criterion_initialize();
	if (criterion_handle_args(argc, argv, true))
		result = !criterion_run_all_tests(tests);
	criterion_finalize(tests);
	return result;
}

/* Under AddressSanitizer a refused allocation must come back as NULL, as it
 * does from glibc, instead of ending the test. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

static struct session_view view;

static void free_view(void)
{
	free(view.procs);
	free(view.pids);
	free(view.ppids);
	view = (struct session_view){ 0 };
}

TestSuite(view, .fini = free_view);

Test(view, a_failed_reservation_leaves_the_view_usable)
{
	static const struct scan_proc p = { .pid = 42, .ppid = 1 };
	size_t cap;

	cr_assert_eq(view_reserve(&view, 4), 0);
	view.procs[0] = &p;
	view.pids[0] = p.pid;
	view.ppids[0] = p.ppid;
	view.count = 1;
	cap = view.cap;
	cr_assert_eq(view_reserve(&view, SIZE_MAX / 16), -ENOMEM);
	cr_assert_eq(view.cap, cap, "the capacity must not claim room that is not there");
	cr_assert_not_null(view.procs);
	cr_assert_not_null(view.pids);
	cr_assert_not_null(view.ppids);
	cr_assert_eq(view.pids[0], 42);
	cr_assert_eq(view_reserve(&view, cap + 100), 0, "the next reservation works");
	for (size_t i = 0; i < cap + 100; i++) {
		view.procs[i] = &p;
		view.pids[i] = p.pid;
		view.ppids[i] = p.ppid;
	}
	cr_assert_eq(view.procs[0], &p);
}

/* ---- sessions with real processes ------------------------------------------ */

static struct session sess;
static bool sess_open;

static void close_session(void)
{
	for (size_t i = 1; sess_open && sess.fam.active && i < sess.fam.count; i++)
		if (!sess.fam.members[i].gone) /* an orphan of a killed program */
			kill(sess.fam.members[i].pid, SIGKILL);
	if (sess_open)
		session_close(&sess);
	sess_open = false;
	helper_cleanup();
}

TestSuite(ghost, .fini = close_session, .timeout = 60);

/* ---- the live tree and the tree as it was show the same values ----------- */

static const struct row *tracker_row(const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rows_is_lab(&rows[i]) && rows[i].lab_role == LAB_ROLE_RESOURCE_TRACKER)
			return &rows[i];
	return NULL;
}

/* Refreshes, handling reports, until done() holds; at most 5 s. */
static bool refresh_until(bool (*done)(void))
{
	for (int i = 0; i < 100; i++) {
		struct pollfd *fds;
		size_t n = session_poll_fds(&sess, 0, &fds);

		if (session_poll(fds, n, 50) > 0)
			session_handle(&sess, fds, n);
		cr_assert_geq(session_refresh(&sess), 0);
		if (done())
			return true;
	}
	return false;
}

static bool tracker_shown(void)
{
	return tracker_row(sess.rows, sess.nrows) != NULL;
}

/* Refreshes (handling the lab's reports) until the tracker has a row; at most 5 s. */
static const struct row *refresh_until_tracker(void)
{
	return refresh_until(tracker_shown) ? tracker_row(sess.rows, sess.nrows) : NULL;
}

/* The session opened on the default lab under start method method. */
static void open_default_lab(enum scenario_method method)
{
	static struct session_options opt;
	static struct scenario sc;
	char msg[256];

	unsetenv("BXFI_MAP"); /* the lab's exec'd programs are no test workers */
	scenario_default(&sc);
	sc.start_method = method;
	opt = (struct session_options){ .delay_ms = 100, .scenario = &sc };
	cr_assert_eq(session_open(&sess, &opt, msg, sizeof msg), 0, "%s", msg);
	sess_open = true;
}

Test(ghost, a_resource_tracker_has_no_daemon_flag_in_either_tree)
{
	const struct row *live, *was;

	open_default_lab(SCENARIO_SPAWN);
	live = refresh_until_tracker();
	cr_assert_not_null(live, "the spawn lab's resource tracker never showed");
	cr_assert_eq(live->daemon, ROW_DAEMON_UNKNOWN, "live: a tracker is no Process object");
	cr_assert_eq(session_show_ghost(&sess, true), 0);
	was = tracker_row(sess.ghost.rows, sess.ghost.nrows);
	cr_assert_not_null(was, "the tracker is in the tree as it was");
	cr_assert_eq(was->daemon, live->daemon, "the tree as it was shows the same DAEMON value");
}

static const struct row *row_of(const struct row *rows, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].pid == pid)
			return &rows[i];
	return NULL;
}

/* A program's rows carry its roles in both trees: they are annotated in one place. */
Test(ghost, a_programs_rows_have_the_same_facts_in_either_tree)
{
	static struct session_options opt;
	pid_t child = helper_fork(NULL, NULL);
	const struct row *live, *was;
	char msg[256];

	cr_assert(helper_wait_state(child, 'S', 2000));
	opt = (struct session_options){ .delay_ms = 100, .attach_pid = child };
	cr_assert_eq(session_open(&sess, &opt, msg, sizeof msg), 0, "%s", msg);
	sess_open = true;
	cr_assert_geq(session_refresh(&sess), 0);
	live = row_of(sess.rows, sess.nrows, child);
	cr_assert_not_null(live, "the attached process has a row");
	cr_assert_eq(live->role, ROW_ROLE_PROGRAM);
	cr_assert_eq(session_show_ghost(&sess, true), 0);
	was = row_of(sess.ghost.rows, sess.ghost.nrows, child);
	cr_assert_not_null(was, "the attached process is in the tree as it was");
	cr_assert_eq(was->role, ROW_ROLE_PROGRAM, "the tree as it was names the program too");
}


static pid_t first_pid;
static size_t children_wanted;

static bool program_has_children(void)
{
	return sess.fam.count > children_wanted;
}

static bool refresh_until_children(size_t n)
{
	children_wanted = n;
	return refresh_until(program_has_children);
}

/* The first member (main, or the program) has its exit code and is no
 * longer in the live tree. */
static bool first_ended_and_gone(void)
{
	const struct member *m = sess.lab_on ? &sess.lab.members[0] : &sess.fam.members[0];

	return m->exit_source != EXIT_SOURCE_UNKNOWN && !row_of(sess.rows, sess.nrows, first_pid);
}

static bool main_has_children(void)
{
	for (size_t i = 0; i < sess.nrows; i++)
		if (sess.rows[i].ppid == first_pid)
			return true;
	return false;
}

/* The ghost row of the first member, gone, with its record's facts. */
static const struct row *ghost_of_first(void)
{
	const struct row *was;

	cr_assert(refresh_until(first_ended_and_gone), "the first member never ended");
	cr_assert_eq(session_show_ghost(&sess, true), 0);
	was = row_of(sess.ghost.rows, sess.ghost.nrows, first_pid);
	cr_assert_not_null(was, "the gone process is in the tree as it was");
	cr_assert_eq(was->ppid, getpid(), "it hangs under forktop, its parent");
	cr_assert(was->exit_known, "its exit code is known from its record");
	cr_assert_eq(was->exit_code, -9);
	return was;
}

Test(ghost, a_killed_main_is_named_with_its_parent_and_code_in_the_tree_as_it_was)
{
	static struct session_options opt;
	static struct scenario sc;
	const struct row *was;
	char msg[256];

	scenario_default(&sc);
	opt = (struct session_options){ .delay_ms = 100, .scenario = &sc };
	cr_assert_eq(session_open(&sess, &opt, msg, sizeof msg), 0, "%s", msg);
	sess_open = true;
	first_pid = sess.lab.members[0].pid;
	cr_assert(refresh_until(main_has_children), "main's children never showed");
	cr_assert_eq(session_act(&sess, &(struct script_step){ .action = SCRIPT_KILL_MAIN }, msg,
				 sizeof msg), 0, "%s", msg);
	was = ghost_of_first();
	cr_assert_str_eq(session_row_label(&sess, was), "MainProcess");
	cr_assert_eq(was->daemon, ROW_DAEMON_NO, "MainProcess's DAEMON as in the live tree");
	cr_assert_eq(was->lab_role, LAB_ROLE_MAIN);
}

Test(ghost, a_killed_programs_main_is_named_with_its_parent_and_code_in_the_tree_as_it_was)
{
	static char *const cmd[] = { "sh", "-c", "sleep 30 & wait", NULL };
	static struct session_options opt;
	const struct row *was;
	char msg[256];

	opt = (struct session_options){ .delay_ms = 100, .command = cmd };
	cr_assert_eq(session_open(&sess, &opt, msg, sizeof msg), 0, "%s", msg);
	sess_open = true;
	first_pid = sess.fam.members[0].pid;
	cr_assert(refresh_until_children(1), "the program's child never showed");
	cr_assert_eq(kill(first_pid, SIGKILL), 0);
	was = ghost_of_first();
	cr_assert_str_eq(was->proc->comm, "sh");
	cr_assert_eq(was->role, ROW_ROLE_PROGRAM);
}

/* ---- the event log names a lab member by its whole name ------------------ */

static const struct member *nested_server(void)
{
	for (size_t i = 0; i < sess.lab.count; i++)
		if (!strcmp(sess.lab.members[i].name, "Process-3:forkserver") && sess.lab.members[i].pid)
			return &sess.lab.members[i];
	return NULL;
}

/* Whether the log has an event (a snapshot's) about pid, with its name. */
static bool logged_as(pid_t pid, const char *name)
{
	for (unsigned long long q = track_last_seq(sess.track); q > 0; q--) {
		const struct track_event *ev = track_event(sess.track, q);

		if (!ev)
			break;
		if (ev->pid == pid && ev->kind == EV_REPARENT)
			return !strcmp(ev->name, name);
	}
	return false;
}

static bool nested_server_shown(void)
{
	return nested_server() && row_of(sess.rows, sess.nrows, nested_server()->pid);
}

static bool server_reparented(void)
{
	return logged_as(nested_server()->pid, nested_server()->name) ||
	       logged_as(nested_server()->pid, "Process-3:forks");
}

Test(session, the_log_names_a_lab_member_by_its_whole_name_not_its_comm)
{
	char msg[256];

	open_default_lab(SCENARIO_FORKSERVER);
	cr_assert(refresh_until(nested_server_shown), "Process-3's fork server never showed");
	cr_assert_eq(session_act(&sess, &(struct script_step){ .action = SCRIPT_KILL, .target = "Process-3" },
				 msg, sizeof msg), 0, "%s", msg);
	cr_assert(refresh_until(server_reparented), "the server's re-parenting was not logged");
	cr_assert(logged_as(nested_server()->pid, "Process-3:forkserver"),
		  "the log names it as the lab does, not by its 15-byte comm");
}

Test(session, pid_1s_row_says_it_is_this_systems_init)
{
	static struct session_options opt;
	static struct scenario sc;
	const struct row *init;
	char msg[256], note[128];

	scenario_default(&sc);
	opt = (struct session_options){ .delay_ms = 100, .scenario = &sc };
	cr_assert_eq(session_open(&sess, &opt, msg, sizeof msg), 0, "%s", msg);
	sess_open = true;
	cr_assert_geq(session_refresh(&sess), 0);
	init = row_of(sess.rows, sess.nrows, 1);
	cr_assert_not_null(init, "the lab view shows PID 1");
	session_row_note(&sess, init, note, sizeof note);
	cr_assert_not_null(strstr(note, "this system's init"), "PID 1's note: '%s'", note);
}

/* ---- the interactive all-processes view's partial scans -------------------- */

TestSuite(session, .fini = close_session, .timeout = 60);

static char state_seen(pid_t pid)
{
	for (size_t i = 0; i < sess.snap.count; i++)
		if (sess.snap.procs[i].pid == pid)
			return sess.snap.procs[i].state;
	return 0;
}

/* Each stop and continue of pid is seen at the very next refresh: pid is
 * read at every one, not in its turn of the rotation (1 in 4). */
static void assert_read_at_every_refresh(pid_t pid)
{
	for (int round = 0; round < 3; round++) {
		kill(pid, SIGSTOP);
		cr_assert(helper_wait_state(pid, 'T', 2000));
		cr_assert_geq(session_refresh(&sess), 0);
		cr_assert_eq(state_seen(pid), 'T', "round %d: the stop of %d was not read", round, pid);
		kill(pid, SIGCONT);
		cr_assert(helper_wait_state(pid, 'S', 2000));
		cr_assert_geq(session_refresh(&sess), 0);
		cr_assert_eq(state_seen(pid), 'S', "round %d: the continue of %d was not read", round, pid);
	}
}

Test(session, partial_scans_read_the_programs_family_at_every_refresh)
{
	static struct session_options opt;
	pid_t child = helper_fork(NULL, NULL);
	char msg[256];

	cr_assert(helper_wait_state(child, 'S', 2000));
	opt = (struct session_options){ .delay_ms = 100, .all = true, .partial_scans = true,
					.attach_pid = child };
	cr_assert_eq(session_open(&sess, &opt, msg, sizeof msg), 0, "%s", msg);
	sess_open = true;
	cr_assert_geq(session_refresh(&sess), 0);
	cr_assert_eq(state_seen(child), 'S');
	assert_read_at_every_refresh(child);
}

Test(session, partial_scans_read_the_lab_at_every_refresh)
{
	static struct session_options opt;
	static struct scenario sc;
	char msg[256];
	pid_t main_pid;

	scenario_default(&sc);
	opt = (struct session_options){ .delay_ms = 100, .all = true, .partial_scans = true,
					.scenario = &sc };
	cr_assert_eq(session_open(&sess, &opt, msg, sizeof msg), 0, "%s", msg);
	sess_open = true;
	main_pid = sess.lab.members[0].pid;
	cr_assert_gt(main_pid, 0);
	cr_assert(helper_wait_state(main_pid, 'S', 2000));
	cr_assert_geq(session_refresh(&sess), 0);
	assert_read_at_every_refresh(main_pid);
}

/* With the kernel's events, the all-processes view reads what they said
 * changed and what is on screen, and nothing else: a new process is read at
 * once, its stop (no event) only once it is on screen, its death at once,
 * and its reap (no event either: a zombie is read until it is gone). */
Test(session, kernel_events_say_what_the_all_view_reads)
{
	static struct session_options opt;
	char msg[256];
	pid_t off;
	int status;

	opt = (struct session_options){ .delay_ms = 100, .all = true, .partial_scans = true };
	cr_assert_eq(session_open(&sess, &opt, msg, sizeof msg), 0, "%s", msg);
	sess_open = true;
	if (!sess.kernel)
		cr_skip_test("no kernel process events here");
	cr_assert_geq(session_refresh(&sess), 0);
	off = helper_fork(NULL, NULL);
	cr_assert(helper_wait_state(off, 'S', 2000));
	cr_assert_geq(session_refresh(&sess), 0);
	cr_assert_eq(state_seen(off), 'S', "a new process is read at the next refresh");
	kill(off, SIGSTOP);
	cr_assert(helper_wait_state(off, 'T', 2000));
	for (int i = 0; i < 2 * SESSION_ROTATION; i++)
		cr_assert_geq(session_refresh(&sess), 0);
	cr_assert_eq(state_seen(off), 'S', "off screen and with no event, it is not read again");
	session_want(&sess, &off, 1);
	cr_assert_geq(session_refresh(&sess), 0);
	cr_assert_eq(state_seen(off), 'T', "on screen, it is read");
	session_want(&sess, &off, 0);
	kill(off, SIGKILL);
	cr_assert(helper_wait_state(off, 'Z', 2000));
	cr_assert_geq(session_refresh(&sess), 0);
	cr_assert_eq(state_seen(off), 'Z', "its exit event has it read again");
	cr_assert_eq(waitpid(off, &status, 0), off);
	cr_assert_geq(session_refresh(&sess), 0);
	cr_assert_eq(state_seen(off), 0, "its reap is seen: a zombie is read until it is gone");
}
