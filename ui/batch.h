/* batch: the non-interactive face. Prints frames like `top -b` (text) or
 * NDJSON (one JSON object per line) to stdout, and drives the lab with a
 * timed script. Never needs a terminal. */
#ifndef FORKTOP_BATCH_H
#define FORKTOP_BATCH_H

#include <stdbool.h>
#include <sys/types.h>

#include "../src/scenario.h"
#include "../src/script.h"

struct batch_options {
	long delay_ms;      /* between frames */
	long iterations;    /* 0: until interrupted (or the script quits) */
	bool all;           /* every process */
	pid_t family_pid;   /* >0: only this process's ancestors and descendants */
	bool json;
	bool ascii;         /* ASCII glyphs and names even in a UTF-8 locale */
	const struct scenario *scenario; /* the lab to run, or NULL for none */
	const struct script *script;     /* timed actions, or NULL */
};

/* Runs the frames; returns the process exit status (0, or 1 on an error
 * already reported on stderr). */
int batch_run(const struct batch_options *opt);

#endif
