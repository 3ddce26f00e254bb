/* threaded: PROCS sleeping processes of THREADS threads each, for benchmarks
 * of the thread lines (H). They are children of this builder, so that in a
 * tree they are siblings, one under the other. Every thread blocks; each
 * process's main thread blocks on this builder's stdin (the lifeline, like
 * bench/forest's): when its write end closes, however the writer ends, every
 * process reads EOF and exits, and the builder reaps them. Children also die
 * with the builder (PR_SET_PDEATHSIG). The builder prints "ready PID..." (the
 * children's PIDs) once every child has all its threads.
 *
 * usage: threaded PROCS THREADS */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void *block(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

_Noreturn static void child(int threads, int ready_wr)
{
	char c, name[16];

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() == 1)
		_exit(1);
	prctl(PR_SET_NAME, (unsigned long)"threaded", 0, 0, 0);
	for (int i = 1; i < threads; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, block, NULL) != 0)
			_exit(1);
		snprintf(name, sizeof name, "worker-%d", i);
		pthread_setname_np(t, name);
	}
	if (write(ready_wr, "x", 1) != 1)
		_exit(1);
	while (read(0, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0); /* every thread ends with the process */
}

int main(int argc, char **argv)
{
	int procs = argc > 2 ? atoi(argv[1]) : 0, threads = argc > 2 ? atoi(argv[2]) : 0, ready[2];
	pid_t pids[64];
	int got = 0;
	char buf[64];

	if (procs < 1 || procs > 64 || threads < 1 || threads > 256) {
		fprintf(stderr, "usage: threaded PROCS(1..64) THREADS(1..256)\n");
		return 2;
	}
	if (pipe(ready))
		return 1;
	for (int i = 0; i < procs; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			close(ready[0]);
			child(threads, ready[1]);
		}
		if (pids[i] < 0)
			return 1; /* the children made so far read EOF with the rest */
	}
	close(ready[1]);
	while (got < procs) {
		ssize_t r = read(ready[0], buf, sizeof buf);

		if (r <= 0)
			break;
		got += (int)r;
	}
	printf("ready");
	for (int i = 0; i < procs; i++)
		printf(" %d", (int)pids[i]);
	printf("\n");
	fflush(stdout);
	while (read(0, buf, sizeof buf) > 0 || errno == EINTR)
		;
	for (int i = 0; i < procs; i++)
		kill(pids[i], SIGKILL); /* stdin was not a lifeline (a terminal) */
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	return got == procs ? 0 : 1;
}
