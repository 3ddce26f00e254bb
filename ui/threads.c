/* threads: the thread lines of a refresh. A process with one thread gets
 * that thread from its own record (TID = PID, the same state, ticks and
 * comm), which costs nothing; one with more has its task directory read. */
#include "threads.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../src/grow.h"
#include "session.h"

/* Its one thread, from the process's own record. */
static int own_thread(struct session_threads *th, const struct scan_proc *p)
{
	if (GROW(th->tasks, th->tasks_cap, th->ntasks + 1) < 0)
		return -ENOMEM;
	th->tasks[th->ntasks] = (struct scan_task){ .tid = p->pid, .state = p->state,
						    .start_time = p->start_time,
						    .ticks = p->ticks, .cpu = p->cpu };
	memcpy(th->tasks[th->ntasks].comm, p->comm, sizeof p->comm);
	th->ntasks++;
	return 0;
}

/* The tasks of row r, at the end of th->tasks; r keeps their range. */
static int read_row(struct session_threads *th, struct session *s, struct row *r)
{
	const struct scan_proc *p = r->proc;
	long n;

	r->first_thread = th->ntasks;
	r->nthreads = 0;
	if (r->tombstone || p->state == 'Z' || p->state == 'X')
		return 0; /* an ended process has no threads left */
	if (p->threads <= 1) {
		if (own_thread(th, p) < 0)
			return -ENOMEM;
		r->nthreads = 1;
		return 0;
	}
	n = scan_tasks(s->scan, p->pid, p->start_time, &th->tasks, &th->ntasks, &th->tasks_cap);
	if (n < 0)
		return (int)n;
	r->nthreads = (size_t)n;
	return 0;
}

/* Whether a row's threads are shown: in the lab's and a program's views,
 * only their own processes' (not PID 1's or the monitor's: the ancestors
 * are there to place the family, and PID 1 alone may have dozens). */
static bool threads_shown_for(const struct session *s, const struct row *r)
{
	switch (session_view_kind(s)) {
	case SESSION_VIEW_LAB: return r->role == ROW_ROLE_LAB;
	case SESSION_VIEW_PROGRAM: return r->role == ROW_ROLE_PROGRAM || r->role == ROW_ROLE_DESCENDANT;
	default: return true;
	}
}

/* The rows whose threads are read: every row the view shows threads for,
 * but only those on screen in the interactive all-processes view. */
static int read_rows(struct session_threads *th, struct session *s)
{
	int rc = 0;

	if (session_view_kind(s) != SESSION_VIEW_ALL || !s->opt->partial_scans) {
		for (size_t i = 0; i < s->nrows && rc == 0; i++)
			if (threads_shown_for(s, &s->rows[i]))
				rc = read_row(th, s, &s->rows[i]);
		return rc;
	}
	for (size_t i = 0; i < s->nwanted && rc == 0; i++) {
		int node = tree_find(&s->tree, s->wanted[i]);

		if (node != TREE_NONE && (size_t)node < s->nrows && !s->rows[node].nthreads)
			rc = read_row(th, s, &s->rows[node]);
	}
	return rc;
}

static void clear_rows(struct session *s)
{
	for (size_t i = 0; i < s->nrows; i++)
		s->rows[i].first_thread = s->rows[i].nthreads = 0;
}

/* One line per task read, in the same order (the tasks no longer move). */
static int make_lines(struct session_threads *th, struct session *s)
{
	if (GROW(th->lines, th->lines_cap, th->ntasks + 1) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < s->nrows; i++) {
		const struct row *r = &s->rows[i];

		for (size_t k = r->first_thread; k < r->first_thread + r->nthreads; k++)
			rows_set_thread(&th->lines[k], r, &th->tasks[k],
					session_thread_daemon(s, r, th->tasks[k].tid));
	}
	return 0;
}

int threads_build(struct session_threads *th, struct session *s)
{
	int rc;

	th->ntasks = 0;
	clear_rows(s);
	if (!th->wanted)
		return 0;
	rc = read_rows(th, s);
	scan_tasks_done(s->scan);
	if (rc == 0)
		rc = make_lines(th, s);
	if (rc < 0) {
		clear_rows(s);
		th->ntasks = 0;
	}
	return rc;
}

void threads_free(struct session_threads *th)
{
	free(th->tasks);
	free(th->lines);
	memset(th, 0, sizeof *th);
}
