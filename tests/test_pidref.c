/* pidref against a recycled PID: a pidfd (or a checked pid and start time)
 * of a process that ended and was reaped must not reach the process the
 * kernel gave its PID to. The PID is handed out on purpose in a PID
 * namespace of the test's own (root only): when its first process ends, the
 * kernel kills everything in it. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/pidref.h"
#include "../src/scan.h"

/* What went wrong inside the namespace, as the exit code of its PID 1. */
enum outcome {
	OK, NO_PROC, NO_LAST_PID, NO_VICTIM, NO_RECYCLE, SIGNAL_REACHED, OPEN_REACHED, HIT,
};

static const char *outcome_text[] = {
	[NO_PROC] = "could not mount the namespace's /proc",
	[NO_LAST_PID] = "/proc/sys/kernel/ns_last_pid cannot be written here",
	[NO_VICTIM] = "could not start and watch the first process",
	[NO_RECYCLE] = "the kernel did not hand the PID out again",
	[SIGNAL_REACHED] = "pidref_signal on the old pidfd did not say ESRCH",
	[OPEN_REACHED] = "pidref_open_checked with the old start time did not say ESRCH",
	[HIT] = "the process that now holds the PID was signalled",
};

static pid_t start_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

/* Makes pid the next PID the kernel hands out in this namespace. */
static bool set_next_pid(pid_t pid)
{
	int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	bool ok = fd >= 0 && dprintf(fd, "%d", pid - 1) > 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

/* Starts a sleeper under pid (0 when ns_last_pid cannot be written, -1
 * when the kernel gave it another PID). */
static pid_t start_sleeper_at(pid_t pid)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		pid_t got;

		if (!set_next_pid(pid))
			return 0;
		got = start_sleeper();
		if (got == pid || got < 0)
			return got;
		kill(got, SIGKILL);
		waitpid(got, NULL, 0);
	}
	return -1;
}

/* PID 1 of the namespace: the whole story, told by its exit code. */
static enum outcome in_namespace(void)
{
	struct scan_stat_line st;
	pid_t old, other;
	int pidfd, status;

	if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
		return NO_PROC;
	old = start_sleeper();
	pidfd = pidfd_open(old, 0);
	if (old < 0 || pidfd < 0 || !scan_read_stat(old, &st))
		return NO_VICTIM;
	kill(old, SIGKILL);
	waitpid(old, NULL, 0); /* reaped: the PID is free */
	/* Start times count clock ticks: the new process must start in a later
	 * one to be told apart (a real PID takes a whole wrap to come back). */
	nanosleep(&(struct timespec){ 0, 3 * 1000000000L / sysconf(_SC_CLK_TCK) }, NULL);
	other = start_sleeper_at(old);
	if (other == 0)
		return NO_LAST_PID;
	if (other != old)
		return NO_RECYCLE;
	if (pidref_signal(pidfd, SIGKILL) != -ESRCH)
		return SIGNAL_REACHED;
	int fd = pidref_open_checked(old, st.start_time);
	if (fd != -ESRCH)
		return OPEN_REACHED;
	if (waitpid(other, &status, WNOHANG) != 0)
		return HIT;
	return OK;
}

Test(pidref, a_recycled_pid_is_never_signalled)
{
	pid_t init;
	int status;

	if (geteuid() != 0)
		cr_skip_test("needs root: a PID namespace, and writing ns_last_pid");
	if (unshare(CLONE_NEWPID) != 0)
		cr_skip_test("no PID namespace here: %s", strerror(errno));
	init = fork(); /* PID 1 of the new namespace */
	cr_assert_geq(init, 0, "fork: %s", strerror(errno));
	if (init == 0)
		_exit(in_namespace());
	cr_assert_eq(waitpid(init, &status, 0), init);
	cr_assert(WIFEXITED(status), "the namespace's PID 1 died (status %#x)", status);
	if (WEXITSTATUS(status) == NO_PROC || WEXITSTATUS(status) == NO_LAST_PID)
		cr_skip_test("%s", outcome_text[WEXITSTATUS(status)]);
	cr_assert_eq(WEXITSTATUS(status), OK, "%s",
		     WEXITSTATUS(status) < HIT + 1 ? outcome_text[WEXITSTATUS(status)] : "?");
}
