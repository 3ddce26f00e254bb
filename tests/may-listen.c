/* may-listen: asks this kernel, not its version, whether the calling
 * account may listen to the process events connector: binds a netlink
 * connector socket to CN_IDX_PROC. Prints "allowed" (exit 0), "refused"
 * (exit 1: EPERM or EACCES, which Linux before 6.6 gives every account
 * without CAP_NET_ADMIN, and some later kernels still do), or the error
 * (exit 2). The tests compare forktop's answer with this one. */
#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	int err = 0;

	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
		err = errno;
	if (fd >= 0)
		close(fd);
	if (!err) {
		puts("allowed");
		return 0;
	}
	if (err == EPERM || err == EACCES) {
		puts("refused");
		return 1;
	}
	printf("%s\n", strerror(err));
	return 2;
}
