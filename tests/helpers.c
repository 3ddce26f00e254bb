/* helpers: see helpers.h. Used only by the test suites. */
#include "helpers.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../src/scan.h"

#define MAX_CHILDREN 256

static int lifeline[2] = { -1, -1 };
static pid_t children[MAX_CHILDREN];
static int nchildren;

static void ensure_lifeline(void)
{
	if (lifeline[0] >= 0)
		return;
	cr_assert(pipe2(lifeline, O_CLOEXEC) == 0, "pipe2: %s", strerror(errno));
}

_Noreturn void helper_block(void)
{
	char c;

	while (read(lifeline[0], &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static void stop_reaper(void);

static void remember(pid_t pid)
{
	if (nchildren < MAX_CHILDREN)
		children[nchildren++] = pid;
}

pid_t helper_fork(void (*body)(void *), void *arg)
{
	pid_t pid;

	ensure_lifeline();
	pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(lifeline[1]);
		if (body)
			body(arg);
		helper_block();
	}
	remember(pid);
	return pid;
}

static int family_pipe = -1;

static void start_grandchild(void *arg)
{
	pid_t g = helper_fork(NULL, NULL);

	(void)arg;
	if (write(family_pipe, &g, sizeof g) != sizeof g)
		_exit(1);
}

pid_t helper_fork_family(pid_t *grandchild)
{
	int fds[2];
	pid_t child;

	cr_assert_eq(pipe(fds), 0);
	family_pipe = fds[1];
	child = helper_fork(start_grandchild, NULL);
	cr_assert_eq(read(fds[0], grandchild, sizeof *grandchild), (ssize_t)sizeof *grandchild);
	close(fds[0]);
	close(fds[1]);
	return child;
}

pid_t helper_fork_exit(int status, int sig)
{
	pid_t pid = fork();

	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		if (sig > 0) {
			signal(sig, SIG_DFL);
			raise(sig);
		}
		_exit(status);
	}
	remember(pid);
	return pid;
}

bool helper_wait_for(bool (*cond)(void *), void *arg, int timeout_ms)
{
	struct timespec tick = { 0, 10 * 1000000L };

	for (int waited = 0; waited <= timeout_ms; waited += 10) {
		if (cond(arg))
			return true;
		nanosleep(&tick, NULL);
	}
	return cond(arg);
}

bool helper_wait_state(pid_t pid, char state, int timeout_ms)
{
	struct timespec tick = { 0, 10 * 1000000L };

	for (int waited = 0; waited < timeout_ms && helper_state_of(pid) != state; waited += 10)
		nanosleep(&tick, NULL);
	return helper_state_of(pid) == state;
}

pid_t helper_ppid_of(pid_t pid)
{
	struct scan_stat_line st;

	return scan_read_stat(pid, &st) ? st.ppid : -1;
}

char helper_state_of(pid_t pid)
{
	struct scan_stat_line st;

	return scan_read_stat(pid, &st) ? st.state : 0;
}

void helper_cleanup(void)
{
	stop_reaper();
	if (lifeline[1] >= 0)
		close(lifeline[1]);
	if (lifeline[0] >= 0)
		close(lifeline[0]);
	lifeline[0] = lifeline[1] = -1;
	for (int i = 0; i < nchildren; i++) {
		int fd = (int)syscall(SYS_pidfd_open, children[i], 0);

		/* Reap what ended; a child still running after 2 s is killed.
		 * A pidfd keeps the kill on the right process. A child a
		 * failed test left stopped is woken to read its lifeline. */
		if (fd >= 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };

			syscall(SYS_pidfd_send_signal, fd, SIGCONT, NULL, 0);
			if (poll(&pfd, 1, 2000) == 0)
				syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
			close(fd);
		}
		waitpid(children[i], NULL, 0);
	}
	nchildren = 0;
	/* Orphans this test adopted as a subreaper: reap them, bounded. */
	for (int tries = 0; tries < 200 && waitpid(-1, NULL, WNOHANG) >= 0; tries++)
		usleep(10 * 1000);
}

const char *helper_forktop(void)
{
	const char *path = getenv("FORKTOP");

	return path && *path ? path : "./forktop";
}

bool helper_unprivileged_may_listen(void)
{
	const char *probe = getenv("FORKTOP_MAY_LISTEN");
	char *as_nobody[] = { "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
			      (char *)probe, NULL };
	char out[256], err[256];
	int status;

	cr_assert(probe && *probe, "FORKTOP_MAY_LISTEN names tests/may-listen");
	status = helper_run(geteuid() == 0 ? as_nobody : as_nobody + 4, out, sizeof out, err, sizeof err,
			    10000);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) <= 1, "may-listen: status %#x: %s%s", status,
		  out, err);
	return WEXITSTATUS(status) == 0;
}

/* Reads what is available from fd into buf (bounded); false at EOF. */
static bool drain(int fd, char *buf, size_t cap, size_t *len)
{
	char scratch[4096];
	ssize_t n = read(fd, scratch, sizeof scratch);

	if (n <= 0)
		return n < 0 && errno == EINTR;
	for (ssize_t i = 0; i < n && *len + 1 < cap; i++)
		buf[(*len)++] = scratch[i];
	buf[*len] = '\0';
	return true;
}

/* The program helper_run runs now: the reaper leaves it to helper_run. */
static volatile pid_t running;
static pthread_t reaper;
static bool reaper_on;

/* Reaps every child but the running program the moment it ends: orphans
 * that came to this subreaper never stay zombies. Runs until cancelled. */
static void *reap_adopted(void *unused)
{
	(void)unused;
	for (;;) {
		siginfo_t si = { 0 };

		if (waitid(P_ALL, 0, &si, WEXITED | WNOWAIT) < 0 && errno != EINTR && errno != ECHILD)
			break;
		if (si.si_pid > 0 && si.si_pid != running)
			waitpid(si.si_pid, NULL, 0);
		else
			usleep(5 * 1000); /* nothing ended, or only the program: helper_run's */
	}
	return NULL;
}

void helper_reap_orphans_at_once(void)
{
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	cr_assert_eq(pthread_create(&reaper, NULL, reap_adopted, NULL), 0);
	reaper_on = true;
}

/* The reaper may block in waitid (a cancellation point) while children
 * run: it is cancelled, not asked. */
static void stop_reaper(void)
{
	if (!reaper_on)
		return;
	pthread_cancel(reaper);
	pthread_join(reaper, NULL);
	reaper_on = false;
}

int helper_run(char *const argv[], char *out, size_t outcap, char *err, size_t errcap,
	       int timeout_ms)
{
	int po[2], pe[2], status = -1;
	size_t outlen = 0, errlen = 0;
	struct timespec start, now;
	pid_t pid;

	cr_assert(pipe2(po, O_CLOEXEC) == 0 && pipe2(pe, O_CLOEXEC) == 0);
	out[0] = err[0] = '\0';
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	running = pid;
	close(po[1]);
	close(pe[1]);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (bool open_o = true, open_e = true; open_o || open_e;) {
		struct pollfd pfd[2] = { { po[0], open_o ? POLLIN : 0, 0 },
					 { pe[0], open_e ? POLLIN : 0, 0 } };
		long elapsed;

		clock_gettime(CLOCK_MONOTONIC, &now);
		elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (elapsed > timeout_ms) {
			kill(pid, SIGKILL); /* our own unreaped child: the PID cannot be recycled */
			break;
		}
		if (poll(pfd, 2, 100) <= 0)
			continue;
		if (pfd[0].revents)
			open_o = drain(po[0], out, outcap, &outlen);
		if (pfd[1].revents)
			open_e = drain(pe[0], err, errcap, &errlen);
	}
	close(po[0]);
	close(pe[0]);
	waitpid(pid, &status, 0);
	return status;
}

void helper_stream_start(struct helper_stream *s, char *const argv[])
{
	int p[2];

	cr_assert(pipe2(p, O_CLOEXEC) == 0);
	s->len = 0;
	s->pid = fork();
	cr_assert(s->pid >= 0);
	if (s->pid == 0) {
		dup2(p[1], 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	s->fd = p[0];
	remember(s->pid);
}

bool helper_stream_line(struct helper_stream *s, char *line, size_t cap, int timeout_ms)
{
	for (int waited = 0;; waited += 50) {
		char *nl = memchr(s->buf, '\n', s->len);
		struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
		ssize_t n;

		if (nl) {
			size_t l = (size_t)(nl - s->buf);

			snprintf(line, cap, "%.*s", (int)l, s->buf);
			memmove(s->buf, nl + 1, s->len - l - 1);
			s->len -= l + 1;
			return true;
		}
		if (waited >= timeout_ms || s->len == sizeof s->buf)
			return false;
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		n = read(s->fd, s->buf + s->len, sizeof s->buf - s->len);
		if (n <= 0)
			return false;
		s->len += (size_t)n;
	}
}

int helper_stream_end(struct helper_stream *s)
{
	int status = -1;

	if (waitpid(s->pid, &status, WNOHANG) == 0) {
		kill(s->pid, SIGKILL); /* our unreaped child: the PID is still its own */
		waitpid(s->pid, &status, 0);
	}
	close(s->fd);
	return status;
}

bool helper_not_running(pid_t pid)
{
	char state = helper_state_of(pid);

	return state == 0 || state == 'Z' || state == 'X';
}

bool helper_not_running_p(void *arg)
{
	return helper_not_running(*(pid_t *)arg);
}

const char *helper_data_dir(void)
{
	const char *dir = getenv("FORKTOP_DATA");

	return dir && *dir ? dir : "./data";
}

const char *helper_temp_file(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof path, "/tmp/forktop-test-XXXXXX");
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	return path;
}

#define NDJSON_OUT_CAP (8 << 20)

int helper_run_ndjson(char *const args[], json_t **lines, int cap, int timeout_ms)
{
	char *argv[40] = { (char *)helper_forktop() }, err[8192], *out = malloc(NDJSON_OUT_CAP);
	int argc = 1, n = 0, status;

	cr_assert_not_null(out);
	for (int i = 0; args[i] && argc < 39; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	status = helper_run(argv, out, NDJSON_OUT_CAP, err, sizeof err, timeout_ms);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(out);
		cr_assert_fail("forktop failed (status %#x): %s", status, err);
	}
	for (char *save = NULL, *l = strtok_r(out, "\n", &save); l && n < cap;
	     l = strtok_r(NULL, "\n", &save)) {
		lines[n] = json_loads(l, 0, NULL);
		if (!lines[n]) {
			free(out);
			cr_assert_fail("forktop wrote a line that is not JSON");
		}
		n++;
	}
	free(out);
	return n;
}

void helper_free_lines(json_t **lines, int *n)
{
	for (int i = 0; i < *n; i++)
		json_decref(lines[i]);
	*n = 0;
}

const char *helper_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}
