/* The kernel's process events connector: the parser on messages built by
 * hand, then the real kernel (forks, exit codes, a burst, an overflow, a
 * PID namespace where it stays silent). */
#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/clock.h"
#include "../src/procev.h"
#include "helpers.h"

static void teardown(void)
{
	helper_cleanup();
}

TestSuite(procev, .fini = teardown);

/* ---- messages built by hand --------------------------------------------- */

struct msg {
	unsigned char b[1024];
	size_t len;
};

/* Appends one netlink message holding a proc_event of kind what (data: its
 * event_data of n bytes); idx/val name the connector. */
static void add(struct msg *m, uint32_t idx, uint32_t what, uint32_t cpu, uint32_t seq,
		const void *data, uint16_t n)
{
	uint32_t nl[4] = { 16 + 20 + 16 + n, 3 /* NLMSG_DONE */, 1, 0 };
	uint32_t cn[4] = { idx, 1, seq, 0 };
	uint16_t cnlen[2] = { (uint16_t)(16 + n), 0 };
	uint32_t head[2] = { what, cpu };
	uint64_t ts = 1000000;
	size_t at = m->len;

	nl[0] = (uint32_t)(16 + 20 + 16 + n);
	memcpy(m->b + at, nl, 16);
	memcpy(m->b + at + 16, cn, 16);
	memcpy(m->b + at + 32, cnlen, 4);
	memcpy(m->b + at + 36, head, 8);
	memcpy(m->b + at + 44, &ts, 8);
	memcpy(m->b + at + 52, data, n);
	m->len = at + ((nl[0] + 3) & ~3u);
}

Test(procev, parses_fork_exit_exec_and_comm)
{
	struct msg m = { .len = 0 };
	int32_t fork[4] = { 10, 10, 20, 20 }, exec[2] = { 20, 20 };
	uint32_t exit[6] = { 20, 20, 3 << 8, 17, 1, 1 };
	unsigned char comm[24] = { 20, 0, 0, 0, 20, 0, 0, 0, 'w', 'o', 'r', 'k', 'e', 'r' };
	struct procev_event ev[8];
	size_t n;

	add(&m, 1, 0x1, 0, 5, fork, sizeof fork);
	add(&m, 1, 0x2, 0, 6, exec, sizeof exec);
	add(&m, 1, 0x200, 1, 9, comm, sizeof comm);
	add(&m, 1, 0x80000000, 1, 10, exit, sizeof exit);
	cr_assert_eq(procev_parse(m.b, m.len, ev, 8, &n), 0);
	cr_assert_eq(n, 4);
	cr_assert(ev[0].kind == PROCEV_FORK && ev[0].parent_tgid == 10 && ev[0].pid == 20 &&
		  ev[0].tgid == 20 && ev[0].seq == 5 && ev[0].timestamp_ns == 1000000);
	cr_assert(ev[1].kind == PROCEV_EXEC && ev[1].tgid == 20);
	cr_assert(ev[2].kind == PROCEV_COMM && ev[2].cpu == 1 && !strcmp(ev[2].comm, "worker"));
	cr_assert(ev[3].kind == PROCEV_EXIT && ev[3].status == 3 << 8 && ev[3].parent_tgid == 1);
}

Test(procev, refuses_what_does_not_add_up)
{
	struct msg m = { .len = 0 };
	int32_t fork[4] = { 10, 10, 20, 20 };
	struct procev_event ev[2];
	size_t n;

	add(&m, 1, 0x1, 0, 5, fork, 12); /* a fork's data cut short */
	cr_assert_eq(procev_parse(m.b, m.len, ev, 2, &n), -EBADMSG);
	m.len = 0;
	add(&m, 1, 0x1, 0, 5, fork, sizeof fork);
	cr_assert_eq(procev_parse(m.b, m.len - 8, ev, 2, &n), -EBADMSG, "a message longer than the datagram");
	cr_assert_eq(procev_parse(m.b, 7, ev, 2, &n), -EBADMSG, "less than a header");
	m.b[32] = 200; /* the connector's length past the message */
	cr_assert_eq(procev_parse(m.b, m.len, ev, 2, &n), -EBADMSG);
	m.len = 0;
	add(&m, 7, 0x1, 0, 5, fork, sizeof fork); /* another connector's message */
	add(&m, 1, 0x1, 0, 6, fork, sizeof fork);
	add(&m, 1, 0x1, 0, 7, fork, sizeof fork);
	cr_assert_eq(procev_parse(m.b, m.len, ev, 1, &n), -ENOSPC);
	cr_assert_eq(n, 1);
	cr_assert_eq(ev[0].seq, 6, "the other connector's message is skipped");
}

/* ---- the real kernel ---------------------------------------------------- */

static struct procev *open_or_skip(int rcvbuf)
{
	struct procev *pe;
	char err[256];
	int rc = procev_open(&pe, rcvbuf, err, sizeof err);

	if (rc == -EPERM || rc == -ENOTSUP || rc == -EPROTONOSUPPORT)
		cr_skip_test("%s", err);
	cr_assert_eq(rc, 0, "%s", err);
	return pe;
}

struct seen {
	pid_t parent;
	pid_t kids[256];
	int nkids, forks, exits, statuses[256];
};

static int kid_index(const struct seen *s, pid_t pid)
{
	for (int i = 0; i < s->nkids; i++)
		if (s->kids[i] == pid)
			return i;
	return -1;
}

static void on_event(void *ctx, const struct procev_event *ev)
{
	struct seen *s = ctx;
	int i = kid_index(s, ev->pid);

	/* a kid's PID may be another process's by the time its events are read
	 * (other suites fork thousands, and PIDs wrap at 32768): only events
	 * whose parent is this test are its kids' */
	if (i < 0 || ev->pid != ev->tgid || ev->parent_tgid != s->parent)
		return;
	if (ev->kind == PROCEV_FORK)
		s->forks++;
	if (ev->kind == PROCEV_EXIT) {
		s->statuses[i] = ev->status;
		s->exits++;
	}
}

/* Drains until every kid's fork and exit were seen, for at most 5 s. */
static bool drain_all(struct procev *pe, struct seen *s, bool *lost_any)
{
	struct timespec start = clock_now();

	while (clock_ms_since(&start) < 5000) {
		bool lost;

		cr_assert_geq(procev_drain(pe, on_event, s, &lost), 0);
		*lost_any |= lost;
		if (s->forks == s->nkids && s->exits == s->nkids)
			return true;
		usleep(2000);
	}
	return false;
}

/* Forks n children that exit at once with code (or die by sig), reaped. */
static void short_lives(struct seen *s, int n, int code, int sig)
{
	s->parent = getpid();
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		cr_assert_geq(pid, 0);
		if (pid == 0) {
			if (sig)
				raise(sig);
			_exit(code);
		}
		s->kids[s->nkids++] = pid;
	}
	for (int i = 0; i < n; i++)
		waitpid(s->kids[s->nkids - n + i], NULL, 0);
}

Test(procev, every_exit_code_of_a_burst_of_200_short_lives)
{
	struct procev *pe = open_or_skip(0);
	struct seen s = { .nkids = 0 };
	bool lost = false;

	short_lives(&s, 200, 3, 0);
	cr_assert(drain_all(pe, &s, &lost), "%d forks and %d exits of 200 seen", s.forks, s.exits);
	cr_assert_not(lost, "nothing lost with the default receive buffer");
	for (int i = 0; i < 200; i++)
		cr_assert(WIFEXITED(s.statuses[i]) && WEXITSTATUS(s.statuses[i]) == 3,
			  "child %d: status %#x", i, s.statuses[i]);
	procev_close(pe);
}

Test(procev, exit_codes_0_3_and_signals)
{
	struct procev *pe = open_or_skip(0);
	struct seen s = { .nkids = 0 };
	bool lost = false;

	short_lives(&s, 1, 0, 0);
	short_lives(&s, 1, 3, 0);
	short_lives(&s, 1, 0, SIGKILL);
	short_lives(&s, 1, 0, SIGTERM);
	cr_assert(drain_all(pe, &s, &lost));
	cr_assert(WIFEXITED(s.statuses[0]) && WEXITSTATUS(s.statuses[0]) == 0);
	cr_assert(WIFEXITED(s.statuses[1]) && WEXITSTATUS(s.statuses[1]) == 3);
	cr_assert(WIFSIGNALED(s.statuses[2]) && WTERMSIG(s.statuses[2]) == SIGKILL);
	cr_assert(WIFSIGNALED(s.statuses[3]) && WTERMSIG(s.statuses[3]) == SIGTERM);
	procev_close(pe);
}

static void count_only(void *ctx, const struct procev_event *ev)
{
	(void)ev;
	(*(long *)ctx)++;
}

Test(procev, a_tiny_receive_buffer_overflows_and_says_so)
{
	struct procev *pe = open_or_skip(1); /* the kernel's smallest */
	struct seen s = { .nkids = 0 };
	long count = 0;
	bool lost;

	short_lives(&s, 200, 0, 0); /* 400 events, nobody reading */
	cr_assert_geq(procev_drain(pe, count_only, &count, &lost), 0);
	cr_assert(lost, "the overflow is reported (%ld events read)", count);
	cr_assert_lt(count, 400);
	procev_close(pe);
}

/* In a new user and PID namespace the kernel does not answer: -ENOTSUP; or,
 * where it lets no account without CAP_NET_ADMIN listen, refuses: -EPERM. */
Test(procev, silent_in_a_new_pid_namespace)
{
	int pipefd[2], rc = 0, want;
	pid_t outer;

	cr_assert_eq(pipe(pipefd), 0);
	outer = fork();
	cr_assert_geq(outer, 0);
	if (outer == 0) {
		int answer = 1000;
		pid_t inner;

		if (unshare(CLONE_NEWUSER | CLONE_NEWPID) == 0 && (inner = fork()) >= 0) {
			if (inner == 0) {
				struct procev *pe;
				char err[256];

				answer = procev_open(&pe, 0, err, sizeof err);
				(void)!write(pipefd[1], &answer, sizeof answer);
				_exit(0);
			}
			waitpid(inner, NULL, 0);
			_exit(0);
		}
		(void)!write(pipefd[1], &answer, sizeof answer);
		_exit(0);
	}
	close(pipefd[1]);
	cr_assert_eq(read(pipefd[0], &rc, sizeof rc), (ssize_t)sizeof rc);
	waitpid(outer, NULL, 0);
	close(pipefd[0]);
	if (rc == 1000)
		cr_skip_test("no unprivileged user and PID namespace here");
	want = helper_unprivileged_may_listen() ? -ENOTSUP : -EPERM;
	cr_assert_eq(rc, want, "procev_open in a new PID namespace gave %d, not %d", rc, want);
}
