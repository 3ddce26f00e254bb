/* pidref: pidfd_send_signal and PIDFD_GET_INFO. The ioctl is defined here
 * because Debian 12's kernel headers predate it (Linux 6.13/6.15). */
#include "pidref.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "scan.h"

/* The kernel's struct pidfd_info, version 0 (64 bytes). */
struct pidfd_info_v0 {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
};

#define PIDREF_IOCTL_MAGIC 0xFF
#define PIDREF_GET_INFO _IOWR(PIDREF_IOCTL_MAGIC, 11, struct pidfd_info_v0)
#define PIDREF_INFO_EXIT (1ULL << 3)

int pidref_signal(int pidfd, int sig)
{
	if (pidfd < 0)
		return -EBADF;
	return pidfd_send_signal(pidfd, sig, NULL, 0) == 0 ? 0 : -errno;
}

int pidref_exit_status(int pidfd, int *wait_status)
{
	struct pidfd_info_v0 info;

	memset(&info, 0, sizeof info);
	info.mask = PIDREF_INFO_EXIT;
	if (ioctl(pidfd, PIDREF_GET_INFO, &info) != 0) {
		if (errno == ESRCH)
			return -EAGAIN; /* older 6.1x kernels: ended, no exit info */
		return errno == ENOTTY || errno == EINVAL ? -EOPNOTSUPP : -errno;
	}
	if (!(info.mask & PIDREF_INFO_EXIT))
		return -EAGAIN;
	*wait_status = info.exit_code;
	return 0;
}

pid_t pidref_pid(int pidfd)
{
	char path[64], buf[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", pidfd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return PIDREF_NOT_PIDFD;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return PIDREF_NOT_PIDFD;
	buf[n] = '\0';
	const char *line = strstr(buf, "\nPid:");
	return line ? (pid_t)strtol(line + 5, NULL, 10) : PIDREF_NOT_PIDFD;
}

int pidref_open_checked(pid_t pid, unsigned long long start_time)
{
	struct scan_stat_line st;
	int pidfd = pidfd_open(pid, 0);

	if (pidfd < 0)
		return -errno;
	if (!scan_read_stat(pid, &st) || st.start_time != start_time) {
		close(pidfd);
		return -ESRCH;
	}
	return pidfd;
}
