/* recorder: writes a session as a recording (src/recording.h reads it
 * back): a first line saying what wrote it, then frames, events and
 * markers as NDJSON, the same objects --json prints. To a stream (stdout)
 * or a file, gzip when its name ends in ".gz". Written from values (a
 * frame, an event), never from printed text. */
#ifndef FORKTOP_RECORDER_H
#define FORKTOP_RECORDER_H

#include <stdbool.h>
#include <stdio.h>

#include "../src/frame.h"
#include "../src/recording.h"
#include "jsonout.h"

struct recorder {
	FILE *file;         /* a stream, or NULL */
	void *gz;           /* a gzFile, or NULL */
	bool own_file;      /* opened here: closed by recorder_close */
	bool failed;        /* a write failed: nothing more is written */
	struct jsonout json;
	char *sentence;     /* an event's sentence, whole: grown to fit */
	size_t sentence_cap;
};

/* Records to path (created or truncated; gzip for "*.gz"). Returns 0, or
 * -1 with why in err. */
int recorder_open(struct recorder *r, const char *path, char *err, size_t errlen);
/* Records to a stream the caller keeps (stdout). */
void recorder_use(struct recorder *r, FILE *stream);
/* Closes what recorder_open opened; false when a write failed. */
bool recorder_close(struct recorder *r);
bool recorder_flush(struct recorder *r);

struct session;
/* What a session records, for its first line: forktop, the kernel, the
 * refresh interval and what is watched ("lab: default", "program: CMD"). */
void recorder_session_info(struct recording_info *info, const struct session *s);

bool recorder_header(struct recorder *r, const struct recording_info *info);
/* A frame, with the tree as it was (every member under its creator) when
 * ghost is not NULL. */
bool recorder_frame(struct recorder *r, const struct frame *f, const struct frame *ghost);
bool recorder_event(struct recorder *r, const struct track_event *ev);
bool recorder_marker(struct recorder *r, const struct recording_marker *m);

#endif
