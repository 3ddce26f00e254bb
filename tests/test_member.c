/* One member lifecycle: where an exit code comes from, with real processes
 * and real pidfds. */
#include <criterion/criterion.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/member.h"
#include "../src/pidref.h"
#include "helpers.h"

static struct track *track;

static void setup(void)
{
	cr_assert_eq(track_new(&track, 64), 0);
}

static void teardown(void)
{
	track_free(track);
	helper_cleanup();
}

TestSuite(member, .init = setup, .fini = teardown);

/* A child that exited with 3 and that this test (its creator) reaped: a
 * member of it, holding its pidfd, as a watcher would. */
static struct member reaped_member(void)
{
	pid_t pid = helper_fork_exit(3, 0);
	struct member m = { .pid = pid, .conn = -1, .exit_status = SCAN_NO_STATUS };
	int status;

	m.pidfd = pidfd_open(pid, 0);
	cr_assert_geq(m.pidfd, 0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 3);
	return m;
}

static bool pidfd_has_exit_info(int pidfd)
{
	int status;

	return pidref_exit_status(pidfd, &status) == 0;
}

/* A lab member that has left /proc, before its pidfd or its creator's report
 * said it ended: its code must wait for them (the creator's report says who
 * reaped it), not come from the pidfd a refresh happens to ask first. */
Test(member, a_lab_members_code_waits_for_its_end_to_be_told)
{
	struct member m = reaped_member();
	struct scan_snapshot empty = { 0 };

	if (!pidfd_has_exit_info(m.pidfd))
		cr_skip_test("this kernel keeps no exit information in pidfds");
	cr_assert_null(member_observe(track, (struct timespec){ 0 }, &m, &empty, getpid(), false));
	cr_assert_eq(m.exit_source, EXIT_SOURCE_UNKNOWN, "not yet: nobody said it ended");
	cr_assert_not(m.gone);
	m.exited = true; /* its pidfd said so */
	member_observe(track, (struct timespec){ 0 }, &m, &empty, getpid(), false);
	cr_assert_eq(m.exit_source, EXIT_SOURCE_PIDFD);
	cr_assert_eq(m.exit_status, 3 << 8);
	cr_assert(m.gone);
	cr_assert_eq(m.pidfd, -1, "a gone member's pidfd is closed");
}

/* A program's member has no reports to wait for: gone from /proc, its code
 * comes from its pidfd at once. */
Test(member, a_programs_member_takes_its_code_from_the_pidfd_once_gone)
{
	struct member m = reaped_member();
	struct scan_snapshot empty = { 0 };
	const struct track_event *ev;

	if (!pidfd_has_exit_info(m.pidfd))
		cr_skip_test("this kernel keeps no exit information in pidfds");
	member_observe(track, (struct timespec){ 0 }, &m, &empty, getpid(), true);
	cr_assert_eq(m.exit_source, EXIT_SOURCE_PIDFD);
	close(m.pidfd);
	ev = track_event(track, track_last_seq(track));
	cr_assert_not_null(ev);
	cr_assert_eq(ev->kind, EV_EXITED);
	cr_assert_eq(ev->source, EXIT_SOURCE_PIDFD);
	cr_assert_eq(ev->pid, m.pid);
}

/* The first source wins: a later one changes nothing and logs nothing. */
Test(member, an_exit_is_recorded_once)
{
	struct member m = { .pid = 4242, .pidfd = -1, .exit_status = SCAN_NO_STATUS };

	cr_assert(member_record_exit(track, (struct timespec){ 0 }, &m, 3 << 8, EXIT_SOURCE_CREATOR,
				     4241, "MainProcess"));
	cr_assert_not(member_record_exit(track, (struct timespec){ 0 }, &m, SIGKILL,
					 EXIT_SOURCE_ZOMBIE, 0, NULL));
	cr_assert_eq(m.exit_status, 3 << 8);
	cr_assert_eq(m.exit_source, EXIT_SOURCE_CREATOR);
	cr_assert_eq(track_last_seq(track), 1, "one exited event");
	cr_assert_str_eq(track_event(track, 1)->by_name, "MainProcess");
}

/* A gone member's PID may name another child of the monitor by now: it is
 * never waited for again. */
Test(member, a_gone_member_is_never_reaped_again)
{
	pid_t other = helper_fork_exit(0, 0);
	struct member m = { .pid = other, .pidfd = -1, .gone = true, .exited = true,
			    .exit_status = SCAN_NO_STATUS };

	cr_assert(helper_wait_state(other, 'Z', 2000));
	cr_assert_not(member_reap_own(track, (struct timespec){ 0 }, &m, getpid()));
	cr_assert_eq(helper_state_of(other), 'Z', "the other child was left for its own reaper");
	waitpid(other, NULL, 0);
}

/* What the reports told of a member's threads: Python's flag and name by
 * TID, MainThread for the main thread of a member whose reports tell them,
 * nothing for a thread never told of. */
Test(member, threads_are_known_by_tid_as_the_reports_told_them)
{
	struct member m = { .pid = 4100, .conn = -1, .pidfd = -1, .exit_status = SCAN_NO_STATUS };

	cr_assert_eq(member_thread_daemon(&m, 4100), -1, "a program's main thread: unknown");
	cr_assert_null(member_thread_name(&m, 4100));
	m.reports_threads = true;
	cr_assert_eq(member_thread_daemon(&m, 4100), 0, "MainThread is not a daemon");
	cr_assert_str_eq(member_thread_name(&m, 4100), "MainThread");
	cr_assert(member_thread_started(&m, 4101, "Thread-1 (work)", false));
	cr_assert(member_thread_started(&m, 4102, "Thread-2 (work)", true));
	cr_assert_eq(member_thread_daemon(&m, 4101), 0);
	cr_assert_eq(member_thread_daemon(&m, 4102), 1);
	cr_assert_str_eq(member_thread_name(&m, 4102), "Thread-2 (work)");
	cr_assert_eq(member_thread_daemon(&m, 4103), -1, "a thread never told of");
	cr_assert_null(member_thread_name(&m, 4103));
	member_thread_ended(&m, 4101);
	cr_assert(m.threads[0].ended);
	cr_assert_not(m.threads[1].ended);
	cr_assert(member_thread_started(&m, 4101, "Thread-3 (work)", true), "a TID used again");
	cr_assert_eq(m.nthreads, 2, "the entry of the ended thread is the new one's");
	cr_assert_eq(member_thread_daemon(&m, 4101), 1);
	cr_assert_not(m.threads[0].ended);
	member_mark_gone(&m);
	cr_assert(m.threads[0].ended && m.threads[1].ended, "they ended with their process");
	member_release(&m);
	cr_assert_null(m.threads);
	cr_assert_eq(m.nthreads, 0);
}

Test(member, a_command_line_is_kept_bounded_and_freed_with_the_member)
{
	struct member m = { .pid = 42, .pidfd = -1, .conn = -1 };
	static char longer[MEMBER_CMDLINE_MAX * 2];

	member_keep_cmdline(&m, "python3 app.py --flag", 21);
	cr_assert_str_eq(m.cmdline, "python3 app.py --flag");
	member_keep_cmdline(&m, "sleep 1", 7); /* after an exec: the new one */
	cr_assert_str_eq(m.cmdline, "sleep 1");
	memset(longer, 'x', sizeof longer);
	member_keep_cmdline(&m, longer, sizeof longer);
	cr_assert_eq(strlen(m.cmdline), MEMBER_CMDLINE_MAX - 1, "cut at the bound");
	member_release(&m);
	cr_assert_null(m.cmdline);
}
