/* labproc: the life of one lab process, behaving as CPython's
 * multiprocessing does (see shared LAB.md): its work, the children it
 * starts, joins, and the exit routine at a normal exit. It runs inside the
 * forked lab processes only; the monitor never calls it. It never uses
 * PR_SET_PDEATHSIG, nor setsid but for the true Unix daemon a scenario asks
 * for as a contrast (they would hide what the lab teaches): its only tie to
 * the monitor is its control channel, which is also its lifeline.
 * These entry points are labproc_run.c's, the top of three layers
 * (labproc_private.h draws them). */
#ifndef FORKTOP_LABPROC_H
#define FORKTOP_LABPROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "scenario.h"

/* Becomes the lab's MainProcess in a freshly forked child of the monitor:
 * own process group, /dev/null for stdio, only conn kept open. Never returns. */
_Noreturn void labproc_main(const struct scenario *sc, int conn);

/* The programs the spawn and forkserver start methods exec (forktop itself,
 * as Python execs its own interpreter): argv[1] names the role
 * ("--multiprocessing-fork", "--resource-tracker", "--forkserver"). */
bool labproc_is_role(const char *arg);
/* Runs that role. Returns an exit status (with a message on stderr) only
 * when the program was not started by a lab process. */
int labproc_role_main(int argc, char **argv);

#endif
