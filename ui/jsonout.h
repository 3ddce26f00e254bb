/* jsonout: one line of compact JSON at a time, written straight from
 * values into a buffer kept from line to line (no tree of objects, no
 * allocation per value), then handed to a FILE with a single write. Keys
 * keep the order they are written in. Strings are raw bytes, made valid
 * UTF-8 by text_escape (hostile names stay readable) and then written as
 * ASCII JSON (\uXXXX beyond it), as jansson's JSON_ENSURE_ASCII writes
 * them; reals as jansson writes them (17 significant digits, ".0" when
 * whole). When memory runs out the line is dropped, never cut. */
#ifndef FORKTOP_JSONOUT_H
#define FORKTOP_JSONOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define JSONOUT_DEPTH_MAX 8

struct jsonout {
	char *buf;
	size_t len, cap;
	char *scratch; /* a string made valid UTF-8, before its JSON escapes */
	size_t scratch_cap;
	bool failed;   /* memory ran out: the line is dropped */
	int depth;
	bool first[JSONOUT_DEPTH_MAX]; /* nothing written yet at this depth */
};

/* Starts a line: the object that is the whole line. */
void jsonout_begin(struct jsonout *o);
/* Ends it and writes it with a newline to out; false when it was dropped
 * (no memory) or the write failed. */
bool jsonout_end(struct jsonout *o, FILE *out);
/* Ends it with its newline, left in buf[0..len) for the caller to write;
 * false when it was dropped (no memory). */
bool jsonout_finish(struct jsonout *o);
void jsonout_free(struct jsonout *o);

/* Members of the object or array open now; key is NULL inside an array. */
void jsonout_int(struct jsonout *o, const char *key, long long v);
void jsonout_real(struct jsonout *o, const char *key, double v);
void jsonout_bool(struct jsonout *o, const char *key, bool v);
void jsonout_null(struct jsonout *o, const char *key);
/* Untrusted bytes (a name, a command line), escaped by text_escape first;
 * s may be NULL: null. */
void jsonout_string(struct jsonout *o, const char *key, const char *s, size_t len);
void jsonout_cstring(struct jsonout *o, const char *key, const char *s);
/* forktop's own text, already fit to show (a sentence it rendered, a kind's
 * name): only JSON's escapes. s may be NULL: null. */
void jsonout_text_value(struct jsonout *o, const char *key, const char *s);
void jsonout_open_object(struct jsonout *o, const char *key);
void jsonout_open_array(struct jsonout *o, const char *key);
void jsonout_close_object(struct jsonout *o);
void jsonout_close_array(struct jsonout *o);

#endif
