/* history: the moments kept for time travel; see history.h. */
#include "history.h"

#include <stdlib.h>
#include <string.h>

#include "../src/grow.h"

void history_init(struct history *h, size_t limit)
{
	*h = (struct history){ .limit = limit, .next_id = 1 };
}

static void free_moment(struct history_moment *m)
{
	frame_free(&m->frame);
	frame_free(&m->ghost);
}

void history_free(struct history *h)
{
	for (size_t i = 0; i < h->count; i++)
		free_moment(&h->moments[i]);
	free(h->moments);
	free(h->markers);
	*h = (struct history){ 0 };
}

struct history_moment *history_add(struct history *h)
{
	struct history_moment *m;

	if (GROW(h->moments, h->cap, h->count + 1) < 0)
		return NULL;
	m = &h->moments[h->count++];
	*m = (struct history_moment){ .id = h->next_id++ };
	clock_gettime(CLOCK_MONOTONIC, &m->mono);
	return m;
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

void history_added(struct history *h)
{
	struct history_moment *m = &h->moments[h->count - 1];
	size_t drop = 0;

	m->bytes = sizeof *m + frame_bytes(&m->frame) + frame_bytes(&m->ghost);
	h->bytes += m->bytes;
	while (h->bytes > h->limit && drop < h->count - 1) {
		h->bytes -= h->moments[drop].bytes;
		free_moment(&h->moments[drop++]);
	}
	if (!drop)
		return;
	memmove(h->moments, h->moments + drop, (h->count - drop) * sizeof *h->moments);
	h->count -= drop;
	drop_markers_before(h, h->moments[0].id);
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
