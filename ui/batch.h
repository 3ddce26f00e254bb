/* batch: the non-interactive face. Prints frames like `top -b` (text) or
 * NDJSON (one JSON object per line) to stdout. Never needs a terminal. */
#ifndef FORKTOP_BATCH_H
#define FORKTOP_BATCH_H

#include "frameview.h"
#include "session.h"

struct batch_options {
	struct session_options session;
	bool json; /* NDJSON frames and events instead of text */
	const char *record; /* --record FILE, or NULL */
};

/* Runs the frames; returns the process exit status (0, or 1 on an error
 * already reported on stderr). */
int batch_run(const struct batch_options *opt);

/* What a text frame prints: its header's values and its rows, with where
 * their names, notes and thread lines come from (the live session's, or a
 * recorded frame's: the same lines either way). */
struct text_frame {
	struct timespec taken;
	struct scan_counts counts;
	const char *view, *events;
	bool pid_namespace, subreaper;
	unsigned columns;
	const struct row *rows;
	size_t nrows;
	const struct tree *tree;
	const struct rows_style *style;
	const char *(*label)(const void *src, const struct row *r);
	void (*note)(const void *src, const struct row *r, char *buf, size_t len);
	const struct row *(*thread)(const void *src, const struct row *r, size_t k);
	const void *src;
};
/* A recorded frame's rows (v) as a text frame. */
void batch_text_of_view(const struct frame_view *v, const struct rows_style *style,
			struct text_frame *tf);

/* A frame as text, as top -b prints one (a blank line before all but the
 * first), with its events after it under "events:" (header: whether that
 * line was printed for this frame yet). For the live frames and a replay. */
void batch_text_frame(const struct text_frame *tf, bool first);
void batch_text_event(const struct track_event *ev, bool utf8, bool *header);

#endif
