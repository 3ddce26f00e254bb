/* history: the moments the screen showed (or a replay read), kept so that
 * it can step back through them (time travel): each refresh's frame, the
 * tree as it was when it was built, and the newest event by then; markers
 * with a note. A row that did not change from one moment to the next is
 * kept once and shared (a sleeping process is the same row for hours), so
 * a moment costs what changed in it. Bounded by the bytes it holds: the
 * oldest moments go first. It never reads /proc and never draws. */
#ifndef FORKTOP_HISTORY_H
#define FORKTOP_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "../src/frame.h"
#include "../src/recording.h"

#define HISTORY_DEFAULT_MIB 64 /* the bytes kept, at most, unless --history says */

/* One row as it was, shared by every moment it did not change in. */
struct history_row {
	unsigned refs;
	size_t bytes;
	struct frame_proc p;
};

struct history_rows {
	struct history_row **rows;
	size_t n;
};

struct history_moment {
	unsigned long long id;       /* 1, 2, ...: never reused */
	struct frame head;           /* the frame's own facts (its rows are in rows) */
	struct history_rows rows;
	struct history_rows ghost;   /* the tree as it was, when has_ghost */
	bool has_ghost;
	unsigned long long last_seq; /* the newest event logged by then */
	struct timespec mono;        /* when it was the present (a replay: the recorded time) */
	size_t bytes;                /* its own: the row pointers (rows count as they are made) */
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
	size_t rows_made;           /* rows kept anew (the others were shared) */
	struct history_marker *markers;
	size_t nmarkers, markers_cap;
};

/* An empty history keeping at most limit bytes. */
void history_init(struct history *h, size_t limit);
void history_free(struct history *h);

/* Keeps frame f (and ghost, the tree as it was, when not NULL) as the newest
 * moment, taken at mono, with the newest event last_seq: their rows are
 * taken (f and ghost are left without rows; the rows unchanged since the
 * moment before are shared with it), and the oldest moments past the limit
 * are dropped (never the newest). Returns the moment, or NULL without
 * memory (nothing kept). */
const struct history_moment *history_keep(struct history *h, struct frame *f, struct frame *ghost,
					  unsigned long long last_seq, struct timespec mono);

/* The moment's frame (or its tree as it was) whole, into out (cleared
 * first): its strings and threads borrowed from the history, valid while
 * the moment is kept (or held). Returns 0 or -ENOMEM. */
int history_frame_of(const struct history_moment *m, bool ghost, struct frame *out);

/* The moment a face shows, held: its rows stay while it is held, even once
 * the history has dropped it for newer ones (their bytes still count).
 * held->moment is a copy of the moment with rows of its own. Returns 0 or
 * -ENOMEM (nothing held). */
struct history_hold {
	struct history_moment moment;
	bool held;
};
int history_hold(struct history *h, const struct history_moment *m, struct history_hold *held);
void history_release(struct history *h, struct history_hold *held);
/* The newest moment's events grow to last_seq (a replay reads the events of
 * a frame after the frame). */
void history_extend_newest(struct history *h, unsigned long long last_seq);

/* The moment with that id, or NULL when it was dropped (or never was). */
const struct history_moment *history_find(const struct history *h, unsigned long long id);
const struct history_moment *history_newest(const struct history *h);
const struct history_moment *history_oldest(const struct history *h);
/* The last moment taken at or before mono, else the oldest. */
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
