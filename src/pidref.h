/* pidref: process handles that cannot hit a recycled PID (pidfds).
 * Owns sending signals and reading exit information through pidfds; there
 * is no function here that takes a bare PID to signal. */
#ifndef FORKTOP_PIDREF_H
#define FORKTOP_PIDREF_H

#include <sys/types.h>

/* Sends sig through the pidfd. Returns 0, -ESRCH when the process has
 * ended (whatever now holds its PID is untouched), or another -errno. */
int pidref_signal(int pidfd, int sig);

/* The wait status of the process behind pidfd once it has been reaped by
 * anyone (Linux 6.15+ PIDFD_INFO_EXIT). Returns 0, -EAGAIN while it has not
 * been reaped yet, or -EOPNOTSUPP when this kernel cannot tell. */
int pidref_exit_status(int pidfd, int *wait_status);

/* A pidfd for the process (pid, start_time) as it was seen: the pidfd is
 * opened first, then /proc is checked, so a recycled PID gives -ESRCH and
 * never a handle to the wrong process. Start times count clock ticks
 * (1/100 s): only a PID that came back within the tick its first holder
 * started in would pass, which takes a wrap of the whole PID space in that
 * tick. Returns the pidfd or a -errno. */
int pidref_open_checked(pid_t pid, unsigned long long start_time);

#define PIDREF_REAPED (-1)    /* pidref_pid: the process has been reaped */
#define PIDREF_NOT_PIDFD (-2) /* pidref_pid: not a pidfd (or unreadable) */

/* The PID a pidfd refers to (from /proc/self/fdinfo), PIDREF_REAPED once
 * the process has been reaped, or PIDREF_NOT_PIDFD. */
pid_t pidref_pid(int pidfd);

#endif
