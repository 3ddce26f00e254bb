/* scan against the real /proc: processes this test starts must be found with
 * the right parent, state, hostile comm and exit status. */
#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/scan.h"
#include "../src/track.h"
#include "helpers.h"

static struct scan *scan;
static struct scan_snapshot snap;

/* Without SCAN_CMDLINE, as the interactive all-processes view opens it:
 * with that flag, scan_partial is a full scan. */
static void setup(void)
{
	char err[256];

	cr_assert(scan_open(&scan, 0, err, sizeof err) == 0, "%s", err);
}

static void teardown(void)
{
	helper_cleanup();
	scan_snapshot_free(&snap);
	scan_close(scan);
}

TestSuite(scan, .init = setup, .fini = teardown, .timeout = 30);

static const struct scan_proc *find(pid_t pid)
{
	for (size_t i = 0; i < snap.count; i++)
		if (snap.procs[i].pid == pid)
			return &snap.procs[i];
	return NULL;
}

Test(scan, finds_a_forked_child_with_parent_and_state)
{
	pid_t child = helper_fork(NULL, NULL);
	const struct scan_proc *p;

	cr_assert(helper_wait_state(child, 'S', 2000));
	cr_assert_eq(scan_all(scan, &snap), 0);
	p = find(child);
	cr_assert_not_null(p, "child %d not in a snapshot of %zu processes", child, snap.count);
	cr_assert_eq(p->ppid, getpid());
	cr_assert_eq(p->state, 'S');
	cr_assert_eq(p->pgid, getpgrp());
	cr_assert_gt(p->start_time, 0);
	cr_assert_eq(p->threads, 1);
	cr_assert_not_null(find(getpid()));
	cr_assert_gt(snap.counts.total, 2);
}

static void name_hostile(void *arg)
{
	prctl(PR_SET_NAME, (unsigned long)arg, 0, 0, 0);
}

Test(scan, comm_with_parens_and_spaces_parses)
{
	const char *name = "a) b (c) 1 2";
	pid_t child = helper_fork(name_hostile, (void *)name);
	const struct scan_proc *p;

	cr_assert(helper_wait_state(child, 'S', 2000));
	cr_assert_eq(scan_all(scan, &snap), 0);
	p = find(child);
	cr_assert_not_null(p);
	cr_assert_str_eq(p->comm, name);
	cr_assert_eq(p->ppid, getpid());
	cr_assert_eq(p->state, 'S');
}

Test(scan, stat_parser_takes_the_last_paren)
{
	const char *line = "4242 (a) b (c) 1 2) Z 17 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 "
			   "123456 0 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 768\n";
	struct scan_stat_line st;

	cr_assert(scan_parse_stat(line, strlen(line), &st));
	cr_assert_eq(st.pid, 4242);
	cr_assert_str_eq(st.comm, "a) b (c) 1 2");
	cr_assert_eq(st.state, 'Z');
	cr_assert_eq(st.ppid, 17);
	cr_assert_eq(st.start_time, 123456ULL);
	cr_assert_eq(st.exit_status, 768);
	cr_assert_eq(st.pgid, 4242);
	cr_assert_eq(st.sid, 4242);
	cr_assert_eq(st.tty_nr, 0);
	cr_assert_eq(st.threads, 1);
	cr_assert_not(scan_parse_stat("12 no parens", 12, &st));
}

Test(scan, zombie_exit_codes_are_read_from_stat)
{
	pid_t exited = helper_fork_exit(3, 0), killed = helper_fork_exit(0, SIGKILL);
	const struct scan_proc *p;
	int code;

	cr_assert(helper_wait_state(exited, 'Z', 2000));
	cr_assert(helper_wait_state(killed, 'Z', 2000));
	cr_assert_eq(scan_all(scan, &snap), 0);
	p = find(exited);
	cr_assert_not_null(p);
	cr_assert_eq(p->state, 'Z');
	cr_assert(event_exitcode(p->exit_status, &code));
	cr_assert_eq(code, 3);
	p = find(killed);
	cr_assert_not_null(p);
	cr_assert(event_exitcode(p->exit_status, &code));
	cr_assert_eq(code, -9);
	cr_assert_geq(snap.counts.zombie, 2);
}

Test(scan, select_takes_only_the_given_pids_in_chunks)
{
	pid_t a = helper_fork(NULL, NULL), b = helper_fork(NULL, NULL);
	pid_t list[300];
	size_t n = 0;
	char err[256];

	cr_assert(helper_wait_state(a, 'S', 2000));
	list[n++] = a;
	/* Past the library's per-call limit, with PIDs that do not exist. */
	for (int i = 0; i < 297; i++)
		list[n++] = 4000000 + i;
	list[n++] = b;
	list[n++] = getpid();
	scan_close(scan);
	cr_assert(scan_open(&scan, SCAN_CMDLINE, err, sizeof err) == 0, "%s", err);
	cr_assert_eq(scan_select(scan, list, n, &snap), 0);
	cr_assert_eq(snap.count, 3);
	cr_assert_not_null(find(a));
	cr_assert_not_null(find(b));
	cr_assert_not_null(find(getpid()));
	cr_assert_not_null(scan_cmdline(&snap, find(getpid())));
}

Test(scan, missing_proc_is_a_clear_error)
{
	pid_t pid = fork();
	int status;

	cr_assert(pid >= 0);
	if (pid == 0) {
		struct scan *s = NULL;
		char err[256] = "";

		/* The kernel ignores source and type for a propagation change;
		 * memcheck reads them as strings all the same. */
		if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 ||
		    umount2("/proc", MNT_DETACH) != 0)
			_exit(77);
		_exit(scan_open(&s, 0, err, sizeof err) == -ENOENT && strstr(err, "/proc") ? 0 : 1);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status), "the scanner without /proc crashed (status %#x)", status);
	if (WEXITSTATUS(status) == 77)
		cr_skip_test("needs a private mount namespace (root)");
	cr_assert_eq(WEXITSTATUS(status), 0, "scan_open without /proc: no -ENOENT naming /proc");
}

/* A rotation under which (pid + turn) % rotation is never 0 for any PID and
 * the few turns of a test: only new, wanted and re-parented processes are
 * read again, so what a test sees cannot come from the rotation's luck. */
#define NO_ROTATION 0x40000000u

static const struct scan_proc *partial(const pid_t *want, size_t nwant, unsigned rotation,
				       pid_t find_pid)
{
	cr_assert_eq(scan_partial(scan, &snap, want, nwant, rotation), 0);
	return find(find_pid);
}

static char state_in_snapshot(pid_t pid)
{
	const struct scan_proc *p = find(pid);

	return p ? p->state : 0;
}

Test(scan, partial_reads_a_new_process_at_once)
{
	pid_t a;
	const struct scan_proc *p;

	cr_assert_eq(scan_all(scan, &snap), 0);
	a = helper_fork(NULL, NULL);
	cr_assert(helper_wait_state(a, 'S', 2000));
	p = partial(NULL, 0, NO_ROTATION, a);
	cr_assert_not_null(p, "a new process is read at once");
	cr_assert_eq(p->ppid, getpid());
	cr_assert_eq(p->state, 'S');
}

Test(scan, partial_reads_wanted_processes_and_keeps_the_rest)
{
	pid_t a = helper_fork(NULL, NULL), b = helper_fork(NULL, NULL);

	cr_assert(helper_wait_state(a, 'S', 2000) && helper_wait_state(b, 'S', 2000));
	cr_assert_eq(scan_all(scan, &snap), 0);
	kill(a, SIGSTOP);
	kill(b, SIGSTOP);
	cr_assert(helper_wait_state(a, 'T', 2000) && helper_wait_state(b, 'T', 2000));
	cr_assert_eq(partial(&a, 1, NO_ROTATION, a)->state, 'T', "a wanted process is read");
	cr_assert_eq(state_in_snapshot(b), 'S', "the rest keeps its previous record: "
		     "this was a partial scan, not a full one");
	for (int round = 0; round < 3; round++) {
		kill(a, SIGCONT);
		cr_assert(helper_wait_state(a, 'S', 2000));
		cr_assert_eq(partial(&a, 1, NO_ROTATION, a)->state, 'S');
		kill(a, SIGSTOP);
		cr_assert(helper_wait_state(a, 'T', 2000));
		cr_assert_eq(partial(&a, 1, NO_ROTATION, a)->state, 'T');
	}
	kill(a, SIGCONT);
	kill(b, SIGCONT);
}

#define ROTATED 8

Test(scan, partial_reads_every_process_within_rotation_refreshes)
{
	pid_t kids[ROTATED];
	int fresh;

	for (int i = 0; i < ROTATED; i++)
		kids[i] = helper_fork(NULL, NULL);
	for (int i = 0; i < ROTATED; i++)
		cr_assert(helper_wait_state(kids[i], 'S', 2000));
	cr_assert_eq(scan_all(scan, &snap), 0);
	for (int i = 0; i < ROTATED; i++)
		kill(kids[i], SIGSTOP);
	for (int i = 0; i < ROTATED; i++)
		cr_assert(helper_wait_state(kids[i], 'T', 2000));
	for (int scans = 1; scans <= 4; scans++) {
		partial(NULL, 0, 4, getpid());
		fresh = 0;
		for (int i = 0; i < ROTATED; i++)
			fresh += state_in_snapshot(kids[i]) == 'T';
		if (scans == 1)
			cr_assert_lt(fresh, ROTATED, "one refresh reads only its share of the rest");
	}
	cr_assert_eq(fresh, ROTATED, "every process is read again within 4 refreshes (%d of %d were)",
		     fresh, ROTATED);
	for (int i = 0; i < ROTATED; i++)
		kill(kids[i], SIGCONT);
}

Test(scan, partial_records_equal_full_ones)
{
	pid_t self = getpid();
	struct scan_proc full;

	cr_assert_eq(scan_all(scan, &snap), 0);
	full = *find(self);
	const struct scan_proc *p = partial(&self, 1, NO_ROTATION, self); /* wanted: read directly */
	cr_assert_not_null(p);
	cr_assert_eq(p->ppid, full.ppid);
	cr_assert_eq(p->pgid, full.pgid);
	cr_assert_eq(p->sid, full.sid);
	cr_assert_eq(p->tty_nr, full.tty_nr);
	cr_assert_eq(p->threads, full.threads);
	cr_assert_eq(p->start_time, full.start_time);
	cr_assert_str_eq(p->comm, full.comm);
	cr_assert_eq(snap.counts.total, (int)snap.count);
}

Test(scan, partial_rereads_the_children_of_a_process_that_left)
{
	pid_t grandchild = 0, middle = helper_fork_family(&grandchild);

	cr_assert(helper_wait_state(grandchild, 'S', 2000));
	cr_assert_eq(scan_all(scan, &snap), 0);
	cr_assert_eq(find(grandchild)->ppid, middle);
	kill(middle, SIGKILL);
	waitpid(middle, NULL, 0); /* the parent leaves /proc */
	cr_assert(helper_wait_state(middle, 0, 2000));
	cr_assert_null(partial(NULL, 0, NO_ROTATION, middle), "the reaped parent is gone");
	cr_assert_not_null(find(grandchild));
	cr_assert_neq(find(grandchild)->ppid, middle, "its orphan was read again at once");
	cr_assert_eq(find(grandchild)->ppid, helper_ppid_of(grandchild));
}
