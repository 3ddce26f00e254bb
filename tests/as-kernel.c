/* as-kernel: runs a command as an older kernel would answer it, for the
 * tests: `as-kernel LEVEL CMD [ARG]...` installs a seccomp filter
 * (libseccomp) and execs CMD, which keeps it, as do its children. forktop
 * itself has no test-only path: it meets the same errors a real kernel of
 * that level gives.
 *
 * LEVEL:
 *   6.14  PIDFD_GET_INFO exists, but not its exit information
 *         (PIDFD_INFO_EXIT came in 6.15): a reaped process's pidfd gives
 *         ESRCH.
 *   6.1   no PIDFD_GET_INFO (6.13): the ioctl gives ENOTTY. Without
 *         CAP_NET_ADMIN no process events (6.6 opened them to every user):
 *         the kernel refuses the netlink connector's bind with EPERM; the
 *         filter cannot read bind's address, so it refuses the connector
 *         socket itself with the same EPERM, one call earlier.
 *   5.15  as 6.1: every other call forktop makes (pidfd_open 5.3,
 *         pidfd_send_signal 5.1, close_range 5.9, PR_SET_CHILD_SUBREAPER
 *         3.4, signalfd, timerfd, SOCK_SEQPACKET) is older than 5.15.
 *   container  this kernel inside a container with Docker's default seccomp
 *         profile: clone3 gives ENOSYS (a filter cannot read its flags), and
 *         clone or unshare with a namespace flag gives EPERM, for root too. */
#include <errno.h>
#include <linux/netlink.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* The kernel's PIDFD_GET_INFO: _IOWR(0xFF, 11, struct pidfd_info), 64 bytes. */
#define PIDFD_GET_INFO_V0 _IOWR(0xFF, 11, char[64])

static int refuse_get_info(scmp_filter_ctx ctx, int err)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t)err), SCMP_SYS(ioctl), 1,
				SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)PIDFD_GET_INFO_V0));
}

static int refuse_events_unprivileged(scmp_filter_ctx ctx)
{
	if (geteuid() == 0)
		return 0; /* root holds CAP_NET_ADMIN: the kernel lets it listen */
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 2,
				SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
				SCMP_A2(SCMP_CMP_EQ, NETLINK_CONNECTOR));
}

/* Docker's default profile, for a process without CAP_SYS_ADMIN in the
 * host: clone3 unknown, and no namespace flag to clone(2) or unshare(2)
 * (one rule a flag: a filter matches a masked value, not "any of"). */
static int refuse_namespaces(scmp_filter_ctx ctx)
{
	static const scmp_datum_t flags[] = { CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC,
					      CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
					      CLONE_NEWCGROUP };
	int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);

	for (size_t i = 0; !rc && i < sizeof flags / sizeof *flags; i++) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
				      SCMP_A0(SCMP_CMP_MASKED_EQ, flags[i], flags[i]));
		if (!rc)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
					      SCMP_A0(SCMP_CMP_MASKED_EQ, flags[i], flags[i]));
	}
	return rc;
}

static int rules_for(scmp_filter_ctx ctx, const char *level)
{
	if (!strcmp(level, "container"))
		return refuse_namespaces(ctx);
	if (!strcmp(level, "6.14"))
		return refuse_get_info(ctx, ESRCH);
	if (!strcmp(level, "6.1") || !strcmp(level, "5.15")) {
		int rc = refuse_get_info(ctx, ENOTTY);

		return rc ? rc : refuse_events_unprivileged(ctx);
	}
	return -EINVAL;
}

int main(int argc, char *argv[])
{
	scmp_filter_ctx ctx;
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: as-kernel 6.14|6.1|5.15|container CMD [ARG]...\n");
		return 2;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		fprintf(stderr, "as-kernel: seccomp_init failed\n");
		return 1;
	}
	rc = rules_for(ctx, argv[1]);
	if (rc == -EINVAL) {
		fprintf(stderr, "as-kernel: no level '%s' (6.14, 6.1, 5.15 or container)\n", argv[1]);
		return 2;
	}
	if (rc || (rc = seccomp_load(ctx))) {
		fprintf(stderr, "as-kernel: cannot load the filter: %s\n", strerror(-rc));
		return 1;
	}
	seccomp_release(ctx);
	execvp(argv[2], argv + 2);
	fprintf(stderr, "as-kernel: cannot run %s: %s\n", argv[2], strerror(errno));
	return 127;
}
