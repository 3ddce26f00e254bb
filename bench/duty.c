/* duty: processes with known CPU loads, for benchmarks of the CPU column.
 * One child per PERCENT uses that share of one core, in 10 ms periods: it
 * spins until its own CPU clock has advanced PERCENT% of a period, then
 * sleeps the rest of the period (0: it only sleeps). The children end when
 * this builder's stdin (their lifeline too) reads EOF, or with the builder
 * (PR_SET_PDEATHSIG). The builder prints "ready PID..." (the children's
 * PIDs, in the order of the arguments), then waits for EOF and reaps them.
 *
 * usage: duty PERCENT... */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PERIOD_NS 10000000LL

static long long now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

_Noreturn static void load(int percent)
{
	struct pollfd lifeline = { .fd = 0, .events = POLLIN };
	long long busy = PERIOD_NS * percent / 100;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() == 1)
		_exit(1);
	prctl(PR_SET_NAME, (unsigned long)"duty", 0, 0, 0);
	for (;;) {
		long long w0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_THREAD_CPUTIME_ID), rest;
		struct timespec ts;

		while (busy && now_ns(CLOCK_THREAD_CPUTIME_ID) - c0 < busy)
			;
		rest = PERIOD_NS - (now_ns(CLOCK_MONOTONIC) - w0);
		if (rest < 0)
			rest = 0;
		ts.tv_sec = rest / 1000000000LL;
		ts.tv_nsec = rest % 1000000000LL;
		if (ppoll(&lifeline, 1, percent ? &ts : NULL, NULL) > 0)
			_exit(0); /* EOF (or anything) on the lifeline */
	}
}

int main(int argc, char **argv)
{
	pid_t pids[16];
	int n = argc - 1;
	char buf[64];

	if (n < 1 || n > 16) {
		fprintf(stderr, "usage: duty PERCENT(0..100)... (at most 16)\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		int p = atoi(argv[i + 1]);

		if (p < 0 || p > 100) {
			fprintf(stderr, "duty: %s is not a percent\n", argv[i + 1]);
			return 2;
		}
	}
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			load(atoi(argv[i + 1]));
		if (pids[i] < 0)
			return 1;
	}
	printf("ready");
	for (int i = 0; i < n; i++)
		printf(" %d", (int)pids[i]);
	printf("\n");
	fflush(stdout);
	while (read(0, buf, sizeof buf) > 0 || errno == EINTR)
		;
	for (int i = 0; i < n; i++)
		kill(pids[i], SIGKILL); /* stdin was not a lifeline (a terminal) */
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	return 0;
}
