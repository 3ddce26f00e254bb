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

/* A frame as text, as top -b prints one (a blank line before all but the
 * first), with its events after it under "events:" (header: whether that
 * line was printed for this frame yet). For the live frames and a replay. */
void batch_text_frame(const struct frame_view *v, const struct rows_style *style, bool first);
void batch_text_event(const struct track_event *ev, bool utf8, bool *header);

#endif
