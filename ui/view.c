/* view: see view.h. Grows its arrays through GROW only, and never frees
 * what they point to. */
#include "view.h"

#include <errno.h>
#include <stdlib.h>

#include "../src/grow.h"

/* The three arrays share one capacity: it moves only once all of them have
 * the room (one that grew before another failed just has room to spare). */
int view_reserve(struct session_view *v, size_t n)
{
	size_t procs_cap = v->cap, pids_cap = v->cap, ppids_cap = v->cap;

	if (GROW(v->procs, procs_cap, n) < 0 || GROW(v->pids, pids_cap, n) < 0 ||
	    GROW(v->ppids, ppids_cap, n) < 0)
		return -ENOMEM;
	v->cap = procs_cap < pids_cap ? procs_cap : pids_cap;
	v->cap = v->cap < ppids_cap ? v->cap : ppids_cap;
	return 0;
}

void view_add(struct session_view *v, const struct scan_proc *p)
{
	v->procs[v->count] = p;
	v->pids[v->count] = p->pid;
	v->ppids[v->count] = p->ppid;
	v->count++;
}

void view_free(struct session_view *v)
{
	free(v->procs);
	free(v->pids);
	free(v->ppids);
}

bool view_has(const struct session_view *v, pid_t pid)
{
	for (size_t i = 0; i < v->count; i++)
		if (v->pids[i] == pid)
			return true;
	return false;
}
