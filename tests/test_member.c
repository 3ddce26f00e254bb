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
