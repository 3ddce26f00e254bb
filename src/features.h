/* features: what this kernel and this account give forktop, each probed
 * for real (in a child process where the probe would change forktop
 * itself): pidfds, pidfd exit information, the kernel's process events, a
 * child subreaper, user and PID namespaces; with the reason when not. It
 * never signals anything but its own probe children. */
#ifndef FORKTOP_FEATURES_H
#define FORKTOP_FEATURES_H

#include <stdbool.h>

enum feature {
	FEATURE_PIDFD,          /* pidfd_open, pidfd_send_signal (Linux 5.3) */
	FEATURE_PIDFD_EXIT,     /* a reaped process's exit code from its pidfd (6.15) */
	FEATURE_PROCESS_EVENTS, /* the process events connector, for this account (6.6) */
	FEATURE_SUBREAPER,      /* PR_SET_CHILD_SUBREAPER (3.4) */
	FEATURE_USER_NS,        /* a user namespace of its own */
	FEATURE_PID_NS,         /* a PID namespace (through a user namespace unless root) */
	FEATURE_COUNT,
};

struct feature_state {
	bool yes;
	char why[200]; /* what it gives, or why not */
};

/* The feature's name as --features prints it ("pidfd exit information"). */
const char *feature_name(enum feature f);
/* Probes one feature (may take up to half a second: a silent kernel's
 * process events are waited for). */
void feature_probe(enum feature f, struct feature_state *out);

#endif
