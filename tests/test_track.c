/* track with real processes: re-parenting, zombies, reaping, recycled PIDs. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/scan.h"
#include "../src/track.h"
#include "helpers.h"

static struct scan *scan;
static struct track *track;
static struct scan_snapshot snap;

static void setup(void)
{
	char err[256];

	cr_assert(scan_open(&scan, 0, err, sizeof err) == 0, "%s", err);
	cr_assert(track_new(&track, 256) == 0);
}

static void teardown(void)
{
	helper_cleanup();
	scan_snapshot_free(&snap);
	scan_close(scan);
	track_free(track);
}

TestSuite(track, .init = setup, .fini = teardown, .timeout = 30);

static void tick(pid_t *pids, size_t n)
{
	cr_assert_eq(scan_select(scan, pids, n, &snap), 0);
	cr_assert_eq(track_update(track, &snap), 0);
}

/* The newest event of this kind about pid since seq, or NULL. */
static const struct track_event *find_event(unsigned long long since, enum event_kind kind,
					    pid_t pid)
{
	const struct track_event *found = NULL;

	for (unsigned long long s = since + 1; s <= track_last_seq(track); s++) {
		const struct track_event *ev = track_event(track, s);

		if (ev && ev->kind == kind && ev->pid == pid)
			found = ev;
	}
	return found;
}

static bool is_not_child_of(void *arg)
{
	pid_t *pair = arg; /* pair[0]: grandchild, pair[1]: its old parent */

	return helper_ppid_of(pair[0]) != pair[1];
}

/* Whether pid is this test's process or one of its ancestors: the only
 * places, besides init, that an orphan of this test's child can go to. */
static bool is_ancestor_of_this_test(pid_t pid)
{
	for (pid_t p = getpid(); p > 1; p = helper_ppid_of(p))
		if (p == pid)
			return true;
	return false;
}

static void reparent_case(bool subreaper)
{
	pid_t middle, grandchild = 0, pair[2], list[2];
	unsigned long long before;
	const struct track_event *ev;

	if (subreaper)
		cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	middle = helper_fork_family(&grandchild); /* the test ends middle with SIGKILL */
	list[0] = middle, list[1] = grandchild;
	tick(list, 2);
	before = track_last_seq(track);
	cr_assert_eq(helper_ppid_of(grandchild), middle);

	kill(middle, SIGKILL); /* our unreaped child: its PID cannot be recycled yet */
	pair[0] = grandchild, pair[1] = middle;
	cr_assert(helper_wait_for(is_not_child_of, pair, 3000));
	tick(list, 2); /* one tick after the parent's death */

	ev = find_event(before, EV_REPARENT, grandchild);
	cr_assert_not_null(ev, "no re-parent event for %d", grandchild);
	cr_assert_eq(ev->old_ppid, middle);
	cr_assert_eq(ev->new_ppid, helper_ppid_of(grandchild));
	if (subreaper)
		cr_assert_eq(ev->new_ppid, getpid(), "the subreaper (this test) adopts the orphan");
	else
		cr_assert(ev->new_ppid == 1 || is_ancestor_of_this_test(ev->new_ppid),
			  "the orphan went to %d: neither init nor a subreaper above this test",
			  ev->new_ppid);
	cr_assert_not_null(find_event(before, EV_ZOMBIE, middle), "the killed parent is a zombie");
}

Test(track, orphan_is_reported_reparented_to_subreaper)
{
	reparent_case(true);
}

Test(track, orphan_is_reported_reparented_to_init_or_ancestor)
{
	reparent_case(false);
}

/* A child and a grandchild a report or the kernel's fork event announced
 * (forktop logged their starts), the child killed before any snapshot
 * showed them: the first one shows the grandchild under this test, a
 * subreaper, and that is a re-parenting from the child, not a new process. */
Test(track, an_announced_orphan_first_seen_under_its_adopter_was_reparented)
{
	pid_t me = getpid(), middle, grandchild = 0, pair[2], list[2];
	unsigned long long before;
	const struct track_event *ev;

	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	tick(&me, 1);
	middle = helper_fork_family(&grandchild); /* the test ends middle with SIGKILL */
	track_announce_new(track, middle, me);
	track_announce_new(track, grandchild, middle);
	kill(middle, SIGKILL);
	pair[0] = grandchild, pair[1] = middle;
	cr_assert(helper_wait_for(is_not_child_of, pair, 3000));
	cr_assert_eq(helper_ppid_of(grandchild), me, "the subreaper (this test) adopts the orphan");
	before = track_last_seq(track);
	list[0] = middle, list[1] = grandchild;
	tick(list, 2); /* the first sight of both */

	ev = find_event(before, EV_REPARENT, grandchild);
	cr_assert_not_null(ev, "no re-parent event for %d, first seen under its adopter", grandchild);
	cr_assert_eq(ev->old_ppid, middle);
	cr_assert_eq(ev->new_ppid, me);
	cr_assert_null(find_event(before, EV_NEW, grandchild), "an announced process is not new again");
	cr_assert_null(find_event(before, EV_REPARENT, middle), "middle is under the parent it was born under");
	cr_assert_not_null(find_event(before, EV_ZOMBIE, middle), "the killed parent is a zombie");
}

static bool is_zombie(void *arg)
{
	return helper_state_of(*(pid_t *)arg) == 'Z';
}

/* A child that exits with status (or dies by sig) and the zombie event one
 * tick reports for it, with its exit code in *code; list holds this test's
 * PID and the child's, for the later ticks. */
static const struct track_event *zombie_event(int status, int sig, pid_t list[2], int *code)
{
	const struct track_event *ev;
	unsigned long long before;

	list[0] = getpid();
	tick(list, 1);
	list[1] = helper_fork_exit(status, sig);
	cr_assert(helper_wait_for(is_zombie, &list[1], 2000));
	before = track_last_seq(track);
	tick(list, 2);
	ev = find_event(before, EV_ZOMBIE, list[1]);
	cr_assert_not_null(ev, "no zombie event for %d", list[1]);
	cr_assert(event_exitcode(ev->exit_status, code));
	return ev;
}

Test(track, zombie_then_reaped_keeps_its_exit_code)
{
	pid_t list[2];
	unsigned long long before;
	const struct track_event *ev;
	int code;

	ev = zombie_event(7, 0, list, &code);
	cr_assert_eq(code, 7);
	cr_assert_eq(ev->new_ppid, getpid());

	cr_assert_eq(waitpid(list[1], NULL, 0), list[1]);
	before = track_last_seq(track);
	tick(list, 2);
	ev = find_event(before, EV_GONE, list[1]);
	cr_assert_not_null(ev, "reaping is reported as gone");
	cr_assert(event_exitcode(ev->exit_status, &code));
	cr_assert_eq(code, 7);
}

Test(track, a_killed_zombies_exit_code_is_minus_its_signal)
{
	pid_t list[2];
	int code;

	zombie_event(0, SIGKILL, list, &code);
	cr_assert_eq(code, -9, "a process killed by SIGKILL has Python's exitcode -9, not %d", code);
}

Test(track, exit_codes_follow_pythons_exitcode)
{
	int code = 12345;

	cr_assert(event_exitcode(3 << 8, &code));
	cr_assert_eq(code, 3);
	cr_assert(event_exitcode(SIGTERM, &code));
	cr_assert_eq(code, -15);
	cr_assert(event_exitcode(SIGSEGV | 0x80, &code), "a core dump is still a signal");
	cr_assert_eq(code, -11);
	code = 12345;
	cr_assert_not(event_exitcode(SCAN_NO_STATUS, &code));
	cr_assert_eq(code, 12345, "an unknown status leaves the code alone");
}

Test(track, new_process_and_first_snapshot_is_quiet)
{
	pid_t self = getpid(), list[2] = { self, 0 };

	tick(list, 1);
	cr_assert_eq(track_last_seq(track), 0, "the first snapshot is not news");
	list[1] = helper_fork(NULL, NULL);
	tick(list, 2);
	cr_assert_not_null(find_event(0, EV_NEW, list[1]));
}

/* Synthetic snapshots: the same PID with a new start time is a new process. */
Test(track, recycled_pid_is_gone_then_new)
{
	struct scan_proc p = { .pid = 500, .ppid = 1, .state = 'S', .start_time = 100,
			       .exit_status = SCAN_NO_STATUS, .comm = "old" };
	struct scan_snapshot s = { .procs = &p, .count = 1 };
	const struct track_event *gone, *born;

	cr_assert_eq(track_update(track, &s), 0);
	p.start_time = 200;
	strcpy(p.comm, "new");
	cr_assert_eq(track_update(track, &s), 0);
	gone = find_event(0, EV_GONE, 500);
	born = find_event(0, EV_NEW, 500);
	cr_assert_not_null(gone);
	cr_assert_not_null(born);
	cr_assert_str_eq(gone->name, "old");
	cr_assert_str_eq(born->name, "new");
	cr_assert_lt(gone->seq, born->seq);
}

Test(track, log_is_bounded)
{
	struct scan_proc p = { .pid = 1, .state = 'S', .exit_status = SCAN_NO_STATUS };
	struct scan_snapshot s = { .procs = &p, .count = 1 };

	for (int i = 0; i < 1000; i++) {
		p.ppid = i % 2;
		cr_assert_eq(track_update(track, &s), 0);
	}
	cr_assert_eq(track_last_seq(track), 999);
	cr_assert_null(track_event(track, 1), "dropped from a 256-event log");
	cr_assert_not_null(track_event(track, 999));
	cr_assert_not_null(track_event(track, 999 - 255));
	cr_assert_null(track_event(track, 1000));
}

Test(track, describe_escapes_names)
{
	struct track_event ev = { .kind = EV_REPARENT, .pid = 9, .old_ppid = 4, .new_ppid = 1,
				  .exit_status = SCAN_NO_STATUS, .name = "evil\x1b]0;x\x07" };
	char buf[256];

	event_describe(&ev, buf, sizeof buf, 0);
	cr_assert_str_eq(buf, "re-parented 9 evil\\x1b]0;x\\x07: 4 -> 1");
}

/* An output line of len bytes, all c, logged from a buffer the caller frees. */
static unsigned long long log_line(struct track *t, char c, size_t len)
{
	struct track_event ev = event_make(EV_OUTPUT);
	char *line = malloc(len);

	cr_assert_not_null(line);
	memset(line, c, len);
	event_set_text(&ev, line, len);
	track_log(t, &ev);
	memset(line, '?', len); /* the caller's buffer is its own again at once */
	free(line);
	return track_last_seq(t);
}

static void assert_line(const struct track_event *ev, char c, size_t len)
{
	size_t got, i = 0;
	const char *text;

	cr_assert_not_null(ev);
	text = event_text(ev, &got);
	cr_assert_eq(got, len, "a line of %zu bytes came back with %zu", len, got);
	while (i < len && text[i] == c)
		i++;
	cr_assert_eq(i, len, "byte %zu of the line changed", i);
}

Test(track, a_long_text_is_the_logs_own)
{
	unsigned long long seq = log_line(track, 'a', 5000);

	assert_line(track_event(track, seq), 'a', 5000);
	cr_assert_eq(track_event(track, seq)->cut_bytes, 0);
	seq = log_line(track, 'b', 10);
	assert_line(track_event(track, seq), 'b', 10);
	cr_assert_null(track_event(track, seq)->long_text, "a short line stays in the event");
}

Test(track, the_ring_frees_long_texts_as_it_wraps)
{
	struct track *small;
	struct scan_proc p = { .pid = 1, .state = 'S', .exit_status = SCAN_NO_STATUS };
	struct scan_snapshot s = { .procs = &p, .count = 1 };
	unsigned long long seq = 0;

	cr_assert_eq(track_new(&small, 4), 0);
	for (int i = 0; i < 40; i++)
		seq = log_line(small, (char)('a' + i % 26), 1000 + (size_t)i * 997);
	for (int i = 36; i < 40; i++)
		assert_line(track_event(small, seq - 39 + (unsigned long long)i), (char)('a' + i % 26),
			    1000 + (size_t)i * 997);
	cr_assert_null(track_event(small, seq - 4), "dropped from a 4-event log");
	/* changes a snapshot shows take slots that held long texts */
	cr_assert_eq(track_update(small, &s), 0);
	for (int i = 0; i < 6; i++) {
		p.ppid = i % 2 + 1;
		cr_assert_eq(track_update(small, &s), 0);
	}
	for (unsigned long long q = track_last_seq(small) - 3; q <= track_last_seq(small); q++)
		cr_assert_null(track_event(small, q)->long_text);
	seq = log_line(small, 'z', 70000);
	/* the last slot is freed with the track: memcheck and LeakSanitizer see any leak */
	assert_line(track_event(small, seq), 'z', 70000);
	track_free(small);
}

/* The log's long texts have a byte budget (16 MiB): 400 lines of 64 KiB
 * (25 MiB) keep the newest whole; the oldest give back their room and keep
 * their first bytes, with the rest counted as cut. */
Test(track, long_texts_keep_within_a_budget)
{
	struct track *big;
	unsigned long long first = 0, seq = 0;
	size_t whole = 0, kept = 0;

	cr_assert_eq(track_new(&big, 1024), 0);
	for (int i = 0; i < 400; i++) {
		seq = log_line(big, (char)('a' + i % 26), EVENT_LINE_MAX);
		first = first ? first : seq;
	}
	assert_line(track_event(big, seq), (char)('a' + 399 % 26), EVENT_LINE_MAX);
	for (unsigned long long q = first; q <= seq; q++) {
		const struct track_event *ev = track_event(big, q);

		if (ev->long_text) {
			whole++;
			kept += ev->long_len;
			continue;
		}
		cr_assert_eq(ev->cut_bytes + strlen(ev->text), EVENT_LINE_MAX,
			     "a shortened line counts what it lost");
		cr_assert_gt(strlen(ev->text), 0);
	}
	cr_assert_leq(kept, 16u << 20, "%zu bytes of long texts kept", kept);
	cr_assert_geq(whole, 200, "the newest lines stay whole (%zu did)", whole);
	cr_assert_lt(whole, 400, "the oldest gave back their room");
	track_free(big);
}
