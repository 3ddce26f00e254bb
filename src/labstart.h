/* labstart: the start methods of a lab process (labstart.c), as the top
 * layer (labproc_run.c) sees them: starting a child under fork, spawn or
 * forkserver, and the programs those exec (forktop in a role). Nothing here
 * runs a member's work: a new process that is to become one is handed back
 * to the caller. Only labstart.c and labproc_run.c include this header. */
#ifndef FORKTOP_LABSTART_H
#define FORKTOP_LABSTART_H

#include <stdbool.h>
#include <sys/types.h>

#include "labmsg.h"
#include "labproc_private.h"

/* Who a new lab process is to become (the arguments of labproc_run.c's
 * become_child): what an exec'd worker or a fork server's new child is
 * handed back. */
struct labstart_member {
	struct labproc *lp;
	int group;
	char name[LAB_NAME_MAX];
	pid_t creator;
};

/* Starts child c (group g, name set) under the scenario's start method, with
 * conn as the child's end of its channel. Returns its PID (c->pidfd set when
 * known) and the PID of its parent in *parent, or -1 after reporting why.
 * Under fork it returns 0 in the new process, its descriptors in their slots
 * (lp still the creator's): the caller makes it the child. */
pid_t labstart_child(struct labproc *lp, int g, struct child *c, int conn, pid_t *parent);

/* True when arg (argv[1]) names a role: "--multiprocessing-fork",
 * "--resource-tracker" or "--forkserver". */
bool labstart_is_role(const char *arg);
/* Runs the role argv names, in forktop exec'd by a lab process. The resource
 * tracker never returns. Returns 0 with *who filled in a process that is to
 * become a member (a spawned worker, or a child the fork server forked);
 * else an exit status, with a message on stderr, when the program was not
 * started by a lab process or its arguments are bad. */
int labstart_role(int argc, char **argv, struct labstart_member *who);

#endif
