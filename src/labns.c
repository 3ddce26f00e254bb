/* labns: see labns.h. clone3 is called directly (glibc wraps it for threads
 * only): the child gets a copy of the address space, as with fork(), and
 * forktop is single-threaded, so no lock can be held in the copy. Unlike
 * glibc's fork(), the raw call leaves two things of glibc's as they were in
 * the parent, in the child: the TID cached in its thread descriptor (raise()
 * asks the kernel instead, so it is not used) and the robust-futex list,
 * which the kernel does not copy (no robust mutex is used). The child runs
 * the lab's code only, which needs neither; new code in it must not either. */
#include "labns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "i18n.h"

const char *labns_userns_hint(int error)
{
	if (error == EPERM || error == EACCES)
		/* TRANSLATORS: why no user namespace can be made: alone, or after
		   "a user namespace is "; the settings' names stay as they are. */
		return _("not allowed here (kernel.unprivileged_userns_clone, "
			 "kernel.apparmor_restrict_unprivileged_userns or a container's seccomp)");
	if (error == ENOSPC)
		/* TRANSLATORS: why no user namespace can be made: alone, or after
		   "a user namespace is "; the settings' names stay as they are. */
		return _("user.max_user_namespaces or user.max_pid_namespaces is reached");
	return strerror(error);
}

/* clone3, else clone where clone3 is unknown (a container's seccomp profile
 * answers ENOSYS, since a filter cannot read clone3's flags): both fork-like,
 * the pidfd returned in the parent. clone's third argument is the parent's
 * TID pointer on every architecture forktop builds for (x86-64, arm64),
 * where CLONE_PIDFD puts the pidfd. */
static pid_t clone_into(unsigned long long flags, int *pidfd)
{
	struct clone_args args;
	pid_t pid;

	memset(&args, 0, sizeof args);
	args.flags = flags | CLONE_PIDFD;
	args.pidfd = (uint64_t)(uintptr_t)pidfd;
	args.exit_signal = SIGCHLD;
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
	if (pid >= 0 || errno != ENOSYS)
		return pid;
	return (pid_t)syscall(SYS_clone, (unsigned long)(flags | CLONE_PIDFD | SIGCHLD), 0UL, pidfd,
			      NULL, 0UL);
}

static int write_file(pid_t pid, const char *name, const char *text)
{
	char path[64];
	int fd, rc = 0;
	size_t len = strlen(text);

	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		rc = -errno;
	close(fd);
	return rc;
}

/* The child's user namespace maps this account's user and group to
 * themselves (setgroups denied first, as an unprivileged writer must). */
static int map_ids(pid_t pid)
{
	char uid[64], gid[64];
	int rc;

	snprintf(uid, sizeof uid, "%u %u 1\n", (unsigned)geteuid(), (unsigned)geteuid());
	snprintf(gid, sizeof gid, "%u %u 1\n", (unsigned)getegid(), (unsigned)getegid());
	if ((rc = write_file(pid, "setgroups", "deny")) < 0 && rc != -ENOENT)
		return rc;
	if ((rc = write_file(pid, "uid_map", uid)) < 0)
		return rc;
	return write_file(pid, "gid_map", gid);
}

/* In the child: waits until the parent has written the maps (a byte), or
 * ends when the parent closed the pipe without one. */
static void await_maps(int *sync)
{
	char go = 0;

	close(sync[1]);
	while (read(sync[0], &go, 1) < 0 && errno == EINTR)
		;
	close(sync[0]);
	if (go != 'g')
		_exit(127);
}

static pid_t fork_through_userns(struct labns_child *out, char *err, size_t errlen)
{
	int sync[2], rc;
	pid_t pid;

	if (pipe2(sync, O_CLOEXEC) < 0) {
		snprintf(err, errlen, _("cannot make a PID namespace: pipe: %s"), strerror(errno));
		return -1;
	}
	pid = clone_into(CLONE_NEWUSER | CLONE_NEWPID, &out->pidfd);
	if (pid == 0) {
		await_maps(sync);
		return 0;
	}
	close(sync[0]);
	if (pid < 0) {
		/* TRANSLATORS: %s is why no user namespace can be made ("not allowed
		   here (...)", or the system's error message). */
		snprintf(err, errlen, _("cannot make a PID namespace: this account may not "
					"(CAP_SYS_ADMIN), and a user namespace is %s"),
			 labns_userns_hint(errno));
		close(sync[1]);
		return -1;
	}
	if ((rc = map_ids(pid)) < 0 || write(sync[1], "g", 1) != 1) {
		snprintf(err, errlen,
			 _("cannot map this account into the lab's user namespace: %s"),
			 strerror(rc < 0 ? -rc : errno));
		close(sync[1]);
		close(out->pidfd);
		out->pidfd = -1;
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			; /* it ends on the closed pipe */
		return -1;
	}
	close(sync[1]);
	out->pid = pid;
	out->userns = true;
	return pid;
}

pid_t labns_fork(struct labns_child *out, char *err, size_t errlen)
{
	pid_t pid;

	out->pidfd = -1;
	out->userns = false;
	pid = clone_into(CLONE_NEWPID, &out->pidfd);
	if (pid == 0)
		return 0;
	if (pid > 0) {
		out->pid = pid;
		return pid;
	}
	if (errno != EPERM) {
		snprintf(err, errlen, _("cannot make a PID namespace: %s"),
			 labns_userns_hint(errno));
		return -1;
	}
	return fork_through_userns(out, err, errlen);
}
