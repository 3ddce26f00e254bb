/* recording: reads what forktop recorded (--record FILE, or --batch --json
 * on a pipe): NDJSON lines, plain or gzip, one object each. The first line
 * says what wrote it (format, forktop's version, the kernel, the refresh
 * interval, what was watched); then frames (frame.h), events (event.h) and
 * markers, the same objects --json writes. Every line is hostile: a value
 * of the wrong type damages its line; unknown fields and unknown kinds of
 * line (a newer forktop's, of the same format) are ignored. It never
 * draws and never formats a sentence. */
#ifndef FORKTOP_RECORDING_H
#define FORKTOP_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "event.h"
#include "frame.h"

#define RECORDING_FORMAT 1          /* the format this forktop writes and reads */
#define RECORDING_LINE_MAX (64u << 20) /* a longer line is damage */
#define RECORDING_NOTE_MAX 128      /* a marker's note, in bytes */

/* The first line. */
struct recording_info {
	int format;
	char forktop[32];   /* the version that wrote it */
	char kernel[128];   /* uname's release */
	long interval_ms;   /* between refreshes */
	long hz;            /* clock ticks a second, for CPU times */
	char source[256];   /* "lab: default", "program: python3 app.py", "all processes" */
	bool known;         /* a first line said so (a stream may start with a frame) */
};

struct recording_marker {
	struct timespec when; /* CLOCK_REALTIME */
	char note[RECORDING_NOTE_MAX]; /* raw: escape before showing */
};

enum recording_kind {
	RECORDING_HEADER,
	RECORDING_FRAME,
	RECORDING_EVENT,
	RECORDING_MARKER,
	RECORDING_IGNORED, /* a kind of line or event this forktop does not know */
};

/* One line read: what it was, and its values (the frame is the caller's,
 * cleared and filled; the event's long text is held by the line until the
 * next one is read). */
struct recording_line {
	enum recording_kind kind;
	struct frame *frame;
	struct frame *ghost;  /* the frame's tree as it was, when not NULL */
	bool has_ghost;       /* the line gave one */
	struct track_event event;
	struct recording_marker marker;
	char *text;         /* the event's text, when longer than it holds */
};

/* Parses one line (len bytes, no newline) into out, with the hz of the
 * recording's first line. Returns 0, or -1 with why in err ("not JSON:
 * ...", "\"processes\" is not an array", "format 3 is newer than 1"). */
int recording_parse(const char *line, size_t len, const struct recording_info *info,
		    struct recording_line *out, char *err, size_t errlen);
void recording_line_free(struct recording_line *line);

/* A recording being read: a file (plain or gzip, told by its bytes) or a
 * stream. */
struct recording_reader {
	void *gz;           /* gzFile: a file, gzip or plain */
	int fd;             /* a stream (a pipe, a terminal), read as it comes; else -1 */
	bool nonblocking;   /* recording_nonblocking: never wait for it */
	char name[256];     /* as the user named it, for messages */
	char *buf;
	size_t len, cap, start;
	bool eof;
	long line;          /* the number of the last line read */
	struct recording_info info;
	bool saw_any;       /* a line was read well */
	char note[384];     /* a cut-off last line that was skipped, or "" */
};

/* What recording_next returns. */
enum recording_status {
	RECORDING_AGAIN = 2,     /* a stream opened to wait without blocking has no whole line now */
	RECORDING_OK = 1,        /* a line in *out */
	RECORDING_END = 0,       /* no more (reader->note may say a cut-off last line was skipped) */
	RECORDING_DAMAGED = -1,  /* a line in the middle: err names it; what came before is good */
	RECORDING_NOT_ONE = -2,  /* not a recording (or a newer format): err says so */
	RECORDING_FAILED = -3,   /* reading failed (errno's reason in err) */
};

/* Opens path ("-": standard input). Returns 0, or -1 with why in err. */
int recording_open(struct recording_reader *r, const char *path, char *err, size_t errlen);
/* A stream is read without blocking from now on: recording_next says
 * RECORDING_AGAIN when no whole line has come yet. Its descriptor, to poll
 * (-1 for a file, which is never waited for). */
int recording_nonblocking(struct recording_reader *r);
/* The next line, blocking until it comes on a stream. */
enum recording_status recording_next(struct recording_reader *r, struct recording_line *out,
				     char *err, size_t errlen);
void recording_close(struct recording_reader *r);

#endif
