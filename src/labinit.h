/* labinit: forktop's own init, the PID 1 of the lab's namespace when the
 * scenario asks for one (init = forktop), as tini is in a container: it
 * starts MainProcess, reaps every process that ends under it (its child and
 * every orphan the kernel gives it), forwards SIGTERM and SIGINT to
 * MainProcess, and exits when MainProcess has ended, with its code (128 + N
 * for a signal N), after which the kernel ends the namespace. It reports
 * what it does on its own channel, which is its lifeline too. */
#ifndef FORKTOP_LABINIT_H
#define FORKTOP_LABINIT_H

#include "scenario.h"

/* conn: init's channel; main_conn: the one MainProcess gets. */
_Noreturn void labinit_main(const struct scenario *sc, int conn, int main_conn);

#endif
