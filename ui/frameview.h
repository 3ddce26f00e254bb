/* frameview: a frame (src/frame.h) as display rows and their tree, so that
 * a face shows a recorded or past moment with the same row code it shows
 * the live one with. The rows point into the frame: rebuild them when the
 * frame changes. */
#ifndef FORKTOP_FRAMEVIEW_H
#define FORKTOP_FRAMEVIEW_H

#include "../src/frame.h"
#include "../src/tree.h"
#include "rows.h"

struct frame_view {
	const struct frame *frame;
	struct tree tree;
	struct row *rows;       /* one a process, in the tree's preorder */
	size_t nrows, rows_cap;
	struct row *threads;    /* the thread lines: rows[i].first_thread... */
	size_t nthreads, threads_cap;
	pid_t *pids, *ppids;
	size_t pids_cap, ppids_cap;
};

/* v's rows become f's. Returns 0 or -ENOMEM. */
int frame_view_build(struct frame_view *v, const struct frame *f);
void frame_view_free(struct frame_view *v);

/* The frame's process of row r (a process's line or a thread's). */
const struct frame_proc *frame_view_proc(const struct frame_view *v, const struct row *r);
/* The name shown for r: the lab's (or the hook's) name, else NULL (its comm). */
const char *frame_view_label(const struct frame_view *v, const struct row *r);
/* The line of row r's thread k (k < r->nthreads). */
const struct row *frame_view_thread(const struct frame_view *v, const struct row *r, size_t k);

#endif
