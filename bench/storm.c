/* storm: a fork/exit storm for load tests and benchmarks. Forks children
 * that _exit at once (with CODE, default 0), paced to RATE a second for
 * SECONDS, and reaps them as it goes (each is a zombie for a moment, as under
 * a real busy parent). Ends early on SIGTERM or SIGINT, and when its parent
 * ends (a monitor that crashed leaves no storm behind). Prints what it
 * achieved, and writes the same line to FILE once every child is reaped:
 *   storm: 60000 forks in 60.00 s: 1000 per second (target 1000), 0 failed
 * then waits LINGER seconds before it exits, so that a monitor watching it is
 * still there to be measured once the storm is over. With -p, the children's
 * PIDs go to PIDS, one a line in the order of their forks (written at the end:
 * no file I/O during the storm).
 *
 * usage: storm [-x CODE] [-o FILE] [-p PIDS] [-l LINGER] RATE SECONDS */
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

static pid_t *children;
static size_t nchildren, capchildren;

static void remember(pid_t pid)
{
	if (nchildren == capchildren) {
		size_t cap = capchildren ? capchildren * 2 : 65536;
		pid_t *more = realloc(children, cap * sizeof *children);

		if (!more)
			return;
		children = more;
		capchildren = cap;
	}
	children[nchildren++] = pid;
}

static void write_pids(const char *path)
{
	FILE *f = fopen(path, "w");

	for (size_t i = 0; f && i < nchildren; i++)
		fprintf(f, "%d\n", (int)children[i]);
	if (!f || fclose(f) != 0)
		perror(path);
}

static void reap_finished(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* The summary, written whole to a new file: a reader polling for it never
 * sees half a line. */
static void write_report(const char *path, const char *line)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (!(f = fopen(tmp, "w")) || fputs(line, f) == EOF || fclose(f) != 0 ||
	    rename(tmp, path) != 0)
		perror(path);
}

int main(int argc, char **argv)
{
	long rate, seconds, code = 0, linger = 0;
	long forked = 0, failed = 0, ticks;
	const char *report = NULL, *pids = NULL;
	pid_t parent = getppid();
	struct timespec t0, next;
	double elapsed;
	char line[256];
	int opt;

	while ((opt = getopt(argc, argv, "x:o:p:l:")) != -1) {
		if (opt == 'x')
			code = atol(optarg);
		else if (opt == 'o')
			report = optarg;
		else if (opt == 'p')
			pids = optarg;
		else if (opt == 'l')
			linger = atol(optarg);
		else
			code = -1;
	}
	rate = argc - optind == 2 ? atol(argv[optind]) : 0;
	seconds = argc - optind == 2 ? atol(argv[optind + 1]) : 0;
	if (rate < 1 || rate > 100000 || seconds < 1 || seconds > 3600 || code < 0 || code > 255 ||
	    linger < 0 || linger > 3600) {
		fprintf(stderr, "usage: storm [-x CODE(0..255)] [-o FILE] [-p PIDS] [-l LINGER(0..3600)] "
				"RATE(1..100000) SECONDS(1..3600)\n");
		return 2;
	}
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	if (getppid() != parent)
		stop = 1; /* the parent ended before the line above */
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
				_exit((int)code);
			if (pid < 0) {
				failed++;
			} else {
				forked++;
				if (pids)
					remember(pid);
			}
		}
		reap_finished();
		add_ns(&next, 1000000000L / TICKS_PER_SECOND);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR && !stop)
			;
	}
	elapsed = seconds_since(&t0);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	snprintf(line, sizeof line, "storm: %ld forks in %.2f s: %.0f per second (target %ld), %ld failed\n",
		 forked, elapsed, (double)forked / elapsed, rate, failed);
	if (pids)
		write_pids(pids);
	if (report)
		write_report(report, line);
	signal(SIGPIPE, SIG_IGN); /* a reader that is gone (a monitor that crashed) ends nothing now */
	fputs(line, stdout);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &next);
	next.tv_sec += linger;
	while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
		;
	return failed ? 1 : 0;
}
