/* replay: a recording (src/recording.h) shown again. In batch mode its
 * frames are printed as text, like the live --batch, or as NDJSON, the
 * same lines again; events and markers follow in their order. */
#ifndef FORKTOP_REPLAY_H
#define FORKTOP_REPLAY_H

#include <stdbool.h>

struct replay_options {
	const char *path; /* "-": standard input, followed as it grows */
	bool json;        /* NDJSON instead of text */
	bool ascii;       /* ASCII glyphs and names even in a UTF-8 locale */
	long iterations;  /* 0: every frame; else at most this many */
};

/* Returns the exit status: 0; 1 when the recording is damaged in the
 * middle (what came before it was printed) or reading failed; 2 when it is
 * no recording, or one of a newer format. Each said on stderr. */
int replay_run_batch(const struct replay_options *opt);

#endif
