/* frameview: a frame's rows and tree; see frameview.h. */
#include "frameview.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../src/grow.h"
#include "capture.h"

/* The role a row had, from the name the frame keeps (rows_role_name's). */
static void set_role(struct row *r, const struct frame_proc *p)
{
	r->role = ROW_ROLE_NONE;
	if (!p->role)
		return;
	if (!strcmp(p->role, "monitor")) {
		r->role = ROW_ROLE_MONITOR;
	} else if (!strcmp(p->role, "program")) {
		r->role = ROW_ROLE_PROGRAM;
	} else if (p->lab) {
		r->role = ROW_ROLE_LAB;
		for (int k = LAB_ROLE_MAIN; k <= LAB_ROLE_INIT; k++)
			if (!strcmp(p->role, lab_role_name((enum lab_role)k)))
				r->lab_role = (enum lab_role)k;
	} else {
		r->role = ROW_ROLE_DESCENDANT;
		r->helper_role = strcmp(p->role, "descendant") ? p->role : NULL;
	}
}

static void set_row(struct row *r, const struct frame_proc *p, int node)
{
	*r = (struct row){ .pid = p->proc.pid, .ppid = p->proc.ppid, .state = p->proc.state,
			   .proc = &p->proc, .node = node,
			   .daemon = capture_row_daemon(p->daemon), .exit_known = p->exit_known,
			   .exit_code = p->exit_code, .nspid = p->nspid, .orphan = p->orphan,
			   .tombstone = p->tombstone };
	set_role(r, p);
	if (p->lab && r->role == ROW_ROLE_NONE)
		r->role = ROW_ROLE_LAB;
}

static int add_threads(struct frame_view *v, struct row *r, const struct frame_proc *p)
{
	if (!p->tasks_known || p->ntasks == 0)
		return 0;
	if (GROW(v->threads, v->threads_cap, v->nthreads + p->ntasks) < 0)
		return -ENOMEM;
	r->first_thread = v->nthreads;
	r->nthreads = p->ntasks;
	for (size_t k = 0; k < p->ntasks; k++) {
		const struct frame_task *t = &p->tasks[k];

		rows_set_thread(&v->threads[v->nthreads++], r, &t->task, capture_row_daemon(t->daemon));
	}
	return 0;
}

int frame_view_build(struct frame_view *v, const struct frame *f)
{
	int rc;

	v->frame = f;
	v->nrows = v->nthreads = 0;
	if (GROW(v->pids, v->pids_cap, f->nprocs) < 0 || GROW(v->ppids, v->ppids_cap, f->nprocs) < 0 ||
	    GROW(v->rows, v->rows_cap, f->nprocs) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < f->nprocs; i++) {
		v->pids[i] = f->procs[i].proc.pid;
		v->ppids[i] = f->procs[i].proc.ppid;
	}
	tree_free(&v->tree);
	if ((rc = tree_build(&v->tree, v->pids, v->ppids, f->nprocs)) < 0)
		return rc;
	for (size_t k = 0; k < v->tree.count; k++) {
		const struct frame_proc *p = &f->procs[v->tree.nodes[k].item];

		set_row(&v->rows[v->nrows], p, (int)k);
		if ((rc = add_threads(v, &v->rows[v->nrows], p)) < 0)
			return rc;
		v->nrows++;
	}
	return 0;
}

void frame_view_free(struct frame_view *v)
{
	tree_free(&v->tree);
	free(v->rows);
	free(v->threads);
	free(v->pids);
	free(v->ppids);
	*v = (struct frame_view){ 0 };
}

const struct frame_proc *frame_view_proc(const struct frame_view *v, const struct row *r)
{
	return &v->frame->procs[v->tree.nodes[r->node].item];
}

const char *frame_view_label(const struct frame_view *v, const struct row *r)
{
	if (r->task) /* a thread's line: its frame_task holds the task */
		return ((const struct frame_task *)(const void *)((const char *)r->task -
								  offsetof(struct frame_task, task)))
			->label;
	return frame_view_proc(v, r)->label;
}

const struct row *frame_view_thread(const struct frame_view *v, const struct row *r, size_t k)
{
	return &v->threads[r->first_thread + k];
}
