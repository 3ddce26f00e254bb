/* capture: a live session's rows as a frame (src/frame.h): the one place
 * the monitor's knowledge of a moment (labels, notes, exit codes, the
 * signals a namespace's PID 1 catches) is copied into values that outlive
 * the session's next refresh, for NDJSON, a recording and the history. */
#ifndef FORKTOP_CAPTURE_H
#define FORKTOP_CAPTURE_H

#include "../src/frame.h"
#include "session.h"

/* f (cleared first) becomes the session's latest refresh. Returns 0 or
 * -ENOMEM (f then holds part of it). */
int capture_frame(const struct session *s, struct frame *f);

/* Rows of the session (the tree as it was, say) appended to f's. */
int capture_rows(const struct session *s, const struct row *rows, size_t n,
		 const struct tree *tree, struct frame *f);

/* What a frame's daemon flag is as a row's, and back. */
enum row_daemon capture_row_daemon(enum frame_daemon d);
enum frame_daemon capture_frame_daemon(enum row_daemon d);

#endif
