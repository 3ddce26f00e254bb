/* history: the moments kept for time travel, their unchanged rows shared;
 * see history.h. */
#include "history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../src/grow.h"

void history_init(struct history *h, size_t limit)
{
	*h = (struct history){ .limit = limit, .next_id = 1 };
}

static void unref_rows(struct history *h, struct history_rows *rows)
{
	for (size_t i = 0; i < rows->n; i++) {
		struct history_row *r = rows->rows[i];

		if (--r->refs)
			continue;
		h->bytes -= r->bytes;
		frame_proc_free(&r->p);
		free(r);
	}
	free(rows->rows);
	*rows = (struct history_rows){ 0 };
}

static void drop_moment(struct history *h, struct history_moment *m)
{
	unref_rows(h, &m->rows);
	unref_rows(h, &m->ghost);
	h->bytes -= m->bytes;
}

void history_free(struct history *h)
{
	for (size_t i = 0; i < h->count; i++)
		drop_moment(h, &h->moments[i]);
	free(h->moments);
	free(h->markers);
	*h = (struct history){ 0 };
}

#define ROW_NEAR 8 /* how far a row is looked for around its place before */

/* The row of the frame before for row i (of PID pid): rows keep their
 * places from one refresh to the next, or move by a few (a process came or
 * went above them), so it is looked for where the rows above were found
 * (*shift), then nearby. NULL when it is not near: the row is kept anew. */
static struct history_row *row_before(const struct history_rows *before, size_t i, pid_t pid,
				      long *shift)
{
	for (long d = 0; d <= ROW_NEAR; d++) {
		for (int side = 0; side < (d ? 2 : 1); side++) {
			long k = (long)i + *shift + (side ? -d : d);

			if (k >= 0 && (size_t)k < before->n && before->rows[k]->p.proc.pid == pid) {
				*shift = k - (long)i;
				return before->rows[k];
			}
		}
	}
	return NULL;
}

/* f's row p as the moment's: the same row as before, shared, or a new one
 * that takes p's strings and threads. NULL without memory. */
static struct history_row *keep_row(struct history *h, const struct history_rows *before, size_t i,
				    struct frame_proc *p, long *shift)
{
	struct history_row *r = row_before(before, i, p->proc.pid, shift);

	if (r && frame_proc_same(&r->p, p)) {
		r->refs++;
		return r;
	}
	if (!(r = malloc(sizeof *r)))
		return NULL;
	r->refs = 1;
	r->p = *p;
	*p = (struct frame_proc){ 0 }; /* its strings and threads are the row's now */
	r->bytes = sizeof *r + frame_proc_bytes(&r->p);
	h->bytes += r->bytes;
	h->rows_made++;
	return r;
}

static int keep_rows(struct history *h, const struct history_rows *before, struct frame *f,
		     struct history_rows *out)
{
	long shift = 0;

	if (!f->nprocs)
		return 0;
	if (!(out->rows = calloc(f->nprocs, sizeof *out->rows)))
		return -ENOMEM;
	for (size_t i = 0; i < f->nprocs; i++) {
		if (!(out->rows[i] = keep_row(h, before, i, &f->procs[i], &shift)))
			return -ENOMEM;
		out->n++;
	}
	return 0;
}

/* The markers of moments no longer kept go with them. */
static void drop_markers_before(struct history *h, unsigned long long id)
{
	size_t keep = 0;

	for (size_t i = 0; i < h->nmarkers; i++)
		if (h->markers[i].moment >= id)
			h->markers[keep++] = h->markers[i];
	h->nmarkers = keep;
}

/* The oldest moments while the history holds more than its limit. */
static void drop_oldest(struct history *h)
{
	size_t drop = 0;

	while (h->bytes > h->limit && drop < h->count - 1)
		drop_moment(h, &h->moments[drop++]);
	if (!drop)
		return;
	memmove(h->moments, h->moments + drop, (h->count - drop) * sizeof *h->moments);
	h->count -= drop;
	drop_markers_before(h, h->moments[0].id);
}

const struct history_moment *history_keep(struct history *h, struct frame *f, struct frame *ghost,
					  unsigned long long last_seq, struct timespec mono)
{
	static const struct history_rows none;
	const struct history_moment *before;
	struct history_moment *m;

	if (GROW(h->moments, h->cap, h->count + 1) < 0)
		return NULL;
	before = history_newest(h); /* after the array may have moved */
	m = &h->moments[h->count];
	*m = (struct history_moment){ .id = h->next_id, .head = *f, .last_seq = last_seq,
				      .mono = mono, .has_ghost = ghost != NULL };
	m->head.procs = NULL;
	m->head.nprocs = m->head.procs_cap = 0;
	if (keep_rows(h, before ? &before->rows : &none, f, &m->rows) < 0 ||
	    (ghost && keep_rows(h, before ? &before->ghost : &none, ghost, &m->ghost) < 0)) {
		unref_rows(h, &m->rows);
		unref_rows(h, &m->ghost);
		return NULL;
	}
	m->bytes = sizeof *m + (m->rows.n + m->ghost.n) * sizeof(struct history_row *);
	h->bytes += m->bytes;
	h->count++;
	h->next_id++;
	frame_clear(f); /* what is left of its rows: nothing they own */
	if (ghost)
		frame_clear(ghost);
	drop_oldest(h);
	return history_newest(h);
}

static int hold_rows(const struct history_rows *from, struct history_rows *to)
{
	*to = (struct history_rows){ 0 };
	if (!from->n)
		return 0;
	if (!(to->rows = malloc(from->n * sizeof *to->rows)))
		return -ENOMEM;
	for (size_t i = 0; i < from->n; i++)
		(to->rows[i] = from->rows[i])->refs++;
	to->n = from->n;
	return 0;
}

int history_hold(struct history *h, const struct history_moment *m, struct history_hold *held)
{
	struct history_moment copy = *m;

	history_release(h, held);
	if (hold_rows(&m->rows, &copy.rows) < 0)
		return -ENOMEM;
	if (hold_rows(&m->ghost, &copy.ghost) < 0) {
		unref_rows(h, &copy.rows);
		return -ENOMEM;
	}
	copy.bytes = 0; /* the moment's own bytes stay the history's */
	held->moment = copy;
	held->held = true;
	return 0;
}

void history_release(struct history *h, struct history_hold *held)
{
	if (!held->held)
		return;
	unref_rows(h, &held->moment.rows);
	unref_rows(h, &held->moment.ghost);
	*held = (struct history_hold){ 0 };
}

void history_extend_newest(struct history *h, unsigned long long last_seq)
{
	if (h->count && h->moments[h->count - 1].last_seq < last_seq)
		h->moments[h->count - 1].last_seq = last_seq;
}

int history_frame_of(const struct history_moment *m, bool ghost, struct frame *out)
{
	const struct history_rows *rows = ghost ? &m->ghost : &m->rows;
	struct frame_proc *procs = out->procs;
	size_t cap = out->procs_cap;

	frame_clear(out);
	*out = m->head;
	out->procs = procs;
	out->procs_cap = cap;
	out->nprocs = 0;
	out->borrowed = true;
	if (GROW(out->procs, out->procs_cap, rows->n) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < rows->n; i++)
		out->procs[out->nprocs++] = rows->rows[i]->p;
	return 0;
}

const struct history_moment *history_find(const struct history *h, unsigned long long id)
{
	if (!h->count || id < h->moments[0].id || id > h->moments[h->count - 1].id)
		return NULL;
	return &h->moments[id - h->moments[0].id];
}

const struct history_moment *history_newest(const struct history *h)
{
	return h->count ? &h->moments[h->count - 1] : NULL;
}

const struct history_moment *history_oldest(const struct history *h)
{
	return h->count ? &h->moments[0] : NULL;
}

static bool not_after(struct timespec a, struct timespec b)
{
	return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec);
}

const struct history_moment *history_at_time(const struct history *h, struct timespec mono)
{
	size_t lo = 0, hi = h->count; /* the first moment after mono, by bisection */

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (not_after(h->moments[mid].mono, mono))
			lo = mid + 1;
		else
			hi = mid;
	}
	return h->count ? &h->moments[lo ? lo - 1 : 0] : NULL;
}

const struct history_moment *history_after_event(const struct history *h, unsigned long long seq)
{
	size_t lo = 0, hi = h->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h->moments[mid].last_seq >= seq)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < h->count ? &h->moments[lo] : NULL;
}

bool history_mark(struct history *h, unsigned long long id, const struct recording_marker *m)
{
	size_t at = h->nmarkers;

	if (GROW(h->markers, h->markers_cap, h->nmarkers + 1) < 0)
		return false;
	while (at > 0 && h->markers[at - 1].moment > id) /* kept in the order of their moments */
		at--;
	memmove(h->markers + at + 1, h->markers + at, (h->nmarkers - at) * sizeof *h->markers);
	h->markers[at] = (struct history_marker){ .moment = id, .m = *m };
	h->nmarkers++;
	return true;
}

const struct history_marker *history_marker_near(const struct history *h, unsigned long long id,
						 bool forward)
{
	if (forward) {
		for (size_t i = 0; i < h->nmarkers; i++)
			if (h->markers[i].moment > id)
				return &h->markers[i];
		return NULL;
	}
	for (size_t i = h->nmarkers; i > 0; i--)
		if (h->markers[i - 1].moment < id)
			return &h->markers[i - 1];
	return NULL;
}

double history_span(const struct history *h)
{
	const struct history_moment *a = history_oldest(h), *b = history_newest(h);

	if (!a)
		return 0;
	return (double)(b->mono.tv_sec - a->mono.tv_sec) +
	       (double)(b->mono.tv_nsec - a->mono.tv_nsec) / 1e9;
}
