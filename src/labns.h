/* labns: a new PID namespace for the lab (pid_namespaces(7)). Its first
 * process, the namespace's PID 1, is forktop's own child: made directly
 * where this account may (CAP_SYS_ADMIN), else through a new user namespace
 * that maps the account's own user and group to themselves. It makes no
 * mount or network namespace, and mounts nothing: the lab reads the /proc
 * it inherited, and forktop reads its own. */
#ifndef FORKTOP_LABNS_H
#define FORKTOP_LABNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct labns_child {
	pid_t pid;    /* as forktop sees it */
	int pidfd;
	bool userns;  /* made through a new user namespace */
};

/* Like fork(), into a new PID namespace: returns 0 in the child (PID 1
 * there), the child's PID in the parent (out filled), or -1 with a reason in
 * err that says what to do about it. */
pid_t labns_fork(struct labns_child *out, char *err, size_t errlen);

/* Why user namespaces cannot be made, for an errno of clone or unshare. */
const char *labns_userns_hint(int error);

#endif
