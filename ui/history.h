/* history: the moments the live screen showed, kept so that it can step
 * back through them (time travel): each refresh's frame, the tree as it
 * was when it was built, and the newest event logged by then; markers with
 * a note. Bounded by the bytes its frames hold: the oldest moments go
 * first. It never reads /proc and never draws. */
#ifndef FORKTOP_HISTORY_H
#define FORKTOP_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "../src/frame.h"
#include "../src/recording.h"

#define HISTORY_LIMIT_BYTES (64u << 20) /* the frames' bytes kept, at most */

struct history_moment {
	unsigned long long id;       /* 1, 2, ...: never reused */
	struct frame frame;
	struct frame ghost;          /* the tree as it was; nprocs 0 when it was not built */
	bool has_ghost;
	unsigned long long last_seq; /* the newest event logged by then */
	struct timespec mono;        /* CLOCK_MONOTONIC when it was the present */
	size_t bytes;
};

struct history_marker {
	unsigned long long moment;   /* the moment it marks (its id) */
	struct recording_marker m;   /* its time and note */
};

struct history {
	struct history_moment *moments; /* oldest first */
	size_t count, cap;
	unsigned long long next_id;
	size_t bytes, limit;
	struct history_marker *markers;
	size_t nmarkers, markers_cap;
};

/* An empty history keeping at most limit bytes of frames. */
void history_init(struct history *h, size_t limit);
void history_free(struct history *h);

/* A new moment at the end for the caller to fill (its frames empty, id
 * set), or NULL without memory; history_added then counts its bytes and
 * drops the oldest moments past the limit (never the newest). */
struct history_moment *history_add(struct history *h);
void history_added(struct history *h);

/* The moment with that id, or NULL when it was dropped (or never was). */
const struct history_moment *history_find(const struct history *h, unsigned long long id);
const struct history_moment *history_newest(const struct history *h);
const struct history_moment *history_oldest(const struct history *h);
/* The last moment taken at or before mono (CLOCK_MONOTONIC), else the oldest. */
const struct history_moment *history_at_time(const struct history *h, struct timespec mono);
/* The first moment whose events include seq (last_seq >= seq), or NULL. */
const struct history_moment *history_after_event(const struct history *h, unsigned long long seq);

/* Keeps a marker of moment id; false without memory. */
bool history_mark(struct history *h, unsigned long long id, const struct recording_marker *m);
/* The marker before (forward false) or after moment id, or NULL. */
const struct history_marker *history_marker_near(const struct history *h, unsigned long long id,
						 bool forward);

/* The seconds between the oldest and the newest moment kept. */
double history_span(const struct history *h);

#endif
