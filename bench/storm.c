/* storm: a fork/exit storm for load tests. Forks children that _exit at
 * once, paced to RATE a second for SECONDS, and reaps them as it goes (each
 * is a zombie for a moment, as under a real busy parent). Ends early on
 * SIGTERM or SIGINT. Prints what it achieved:
 *   storm: 60000 forks in 60.00 s: 1000 per second (target 1000), 0 failed
 *
 * usage: storm RATE SECONDS */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TICKS_PER_SECOND 100 /* forks are started in batches, one batch per tick */

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void add_ns(struct timespec *t, long ns)
{
	t->tv_nsec += ns;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

static void reap_finished(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

int main(int argc, char **argv)
{
	long rate = argc == 3 ? atol(argv[1]) : 0, seconds = argc == 3 ? atol(argv[2]) : 0;
	long forked = 0, failed = 0, ticks;
	struct timespec t0, next;
	double elapsed;

	if (rate < 1 || rate > 100000 || seconds < 1 || seconds > 3600) {
		fprintf(stderr, "usage: storm RATE(1..100000) SECONDS(1..3600)\n");
		return 2;
	}
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	prctl(PR_SET_NAME, (unsigned long)"storm", 0, 0, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	next = t0;
	ticks = seconds * TICKS_PER_SECOND;
	for (long tick = 0; tick < ticks && !stop; tick++) {
		/* the forks due by the end of this tick, whatever the earlier ticks managed */
		long due = rate * (tick + 1) / TICKS_PER_SECOND;

		while (forked + failed < due) {
			pid_t pid = fork();

			if (pid == 0)
				_exit(0);
			if (pid < 0)
				failed++;
			else
				forked++;
		}
		reap_finished();
		add_ns(&next, 1000000000L / TICKS_PER_SECOND);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR && !stop)
			;
	}
	elapsed = seconds_since(&t0);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	printf("storm: %ld forks in %.2f s: %.0f per second (target %ld), %ld failed\n", forked,
	       elapsed, (double)forked / elapsed, rate, failed);
	return failed ? 1 : 0;
}
