/* batch: the non-interactive face. Prints frames like `top -b` (text) or
 * NDJSON (one JSON object per line) to stdout. Never needs a terminal. */
#ifndef FORKTOP_BATCH_H
#define FORKTOP_BATCH_H

#include "session.h"

struct batch_options {
	struct session_options session;
	bool json; /* NDJSON frames and events instead of text */
};

/* Runs the frames; returns the process exit status (0, or 1 on an error
 * already reported on stderr). */
int batch_run(const struct batch_options *opt);

#endif
