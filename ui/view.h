/* view: the processes one refresh shows, as three parallel arrays (the
 * process, its PID, its parent's PID) that share one capacity. Owns only
 * the arrays, never the processes they point to. */
#ifndef FORKTOP_VIEW_H
#define FORKTOP_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../src/scan.h"

struct session_view {
	const struct scan_proc **procs; /* into a snapshot (or the tombstones) */
	pid_t *pids, *ppids;
	size_t count, cap;
};

/* Room for n processes. Returns 0, or -ENOMEM with the view as it was (and
 * still usable). */
int view_reserve(struct session_view *v, size_t n);
/* Appends p; the room must be reserved. */
void view_add(struct session_view *v, const struct scan_proc *p);
bool view_has(const struct session_view *v, pid_t pid);
void view_free(struct session_view *v);

#endif
