/* forest: N sleeping processes in a tree of a given fan-out, for benchmarks.
 * Every process blocks on one lifeline pipe whose write end only the builder
 * holds: when the builder ends, however it ends (even SIGKILL), the whole
 * forest reads EOF and exits. The builder prints "ready N" once all exist,
 * then waits until its stdin closes (or SIGTERM/SIGINT). As a child
 * subreaper it reaps the whole forest before it exits: no zombie is left
 * to skew the next measurement.
 *
 * usage: forest N FANOUT */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int lifeline_rd, ready_wr;

/* Blocks until the lifeline breaks, then exits. */
_Noreturn static void sleep_on_lifeline(void)
{
	char c;

	while (read(lifeline_rd, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/* This process is one node; it starts the nodes of its subtree [first, last)
 * spread over fanout children (each child then does the same for its part),
 * reports itself, and sleeps. */
_Noreturn static void grow(long first, long last, int fanout)
{
	prctl(PR_SET_NAME, (unsigned long)"forest-node", 0, 0, 0);
again:
	for (long per = (last - first + fanout - 1) / fanout, start = first; start < last;
	     start += per) {
		long end = start + per < last ? start + per : last;
		pid_t pid = fork();

		if (pid == 0) { /* the child is the node for [start, end) */
			first = start + 1;
			last = end;
			goto again;
		}
		if (pid < 0)
			break; /* fewer nodes: the builder sees the count fall short */
	}
	if (write(ready_wr, "x", 1) != 1)
		_exit(1);
	signal(SIGCHLD, SIG_IGN); /* nobody here waits: let the kernel reap */
	sleep_on_lifeline();
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[1]) : 0, got = 0;
	int fanout = argc > 2 ? atoi(argv[2]) : 0, lifeline[2], ready[2];
	char buf[4096];
	pid_t root;

	if (n < 1 || n > 30000 || fanout < 1) {
		fprintf(stderr, "usage: forest N(1..30000) FANOUT(>=1)\n");
		return 2;
	}
	if (pipe(lifeline) || pipe(ready))
		return 1;
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	lifeline_rd = lifeline[0];
	ready_wr = ready[1];
	root = fork();
	if (root == 0) {
		close(lifeline[1]);
		close(ready[0]);
		grow(1, n, fanout);
	}
	close(ready[1]);
	close(lifeline[0]);
	while (got < n) {
		ssize_t r = read(ready[0], buf, sizeof buf);

		if (r <= 0)
			break;
		got += r;
	}
	printf("ready %ld\n", got);
	fflush(stdout);
	for (;;) {
		ssize_t r = read(0, buf, sizeof buf);

		if (r == 0 || (r < 0 && errno != EINTR))
			break;
	}
	close(lifeline[1]); /* the forest ends */
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	return got == n ? 0 : 1;
}
