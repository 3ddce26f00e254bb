/* datafile: where forktop's shipped files are (scenarios, lesson texts, the
 * tour) and how a small text file is read whole. The places, in order:
 * $FORKTOP_DATA, data/ beside the binary (a build tree), PKGDATADIR (where
 * make install puts them). It never parses what it reads. */
#ifndef FORKTOP_DATAFILE_H
#define FORKTOP_DATAFILE_H

#include <stdbool.h>
#include <stddef.h>

/* "<the folder of the running binary>/name" into buf; false when unknown. */
bool datafile_beside_binary(const char *name, char *buf, size_t len);

/* The first of those places that holds rel (a file or a folder), written
 * to buf. Returns 0, or -1 with every place it looked in `looked`
 * ("/a/rel, /b/rel or /c/rel"; looked may be NULL). */
int datafile_find(const char *rel, char *buf, size_t len, char *looked, size_t lookedlen);

/* A scenario as the command line names it: an existing file, or anything
 * with a '/', is a path as it is; otherwise a shipped name ("stubborn" ->
 * stubborn.conf in the data places). NULL when it is neither. */
const char *datafile_scenario(const char *arg, char *buf, size_t len);

/* Reads the text file at path (at most max bytes, no NUL byte) into a new
 * NUL-terminated buffer the caller frees. Returns 0, or -1 with "PATH: what"
 * in err ("PATH:1: binary data ..." for a NUL byte). */
int datafile_read(const char *path, size_t max, char **text, char *err, size_t errlen);

/* The first error of an INI parse (inih passes no line to its handler, and
 * later errors follow from the first): only the first message is kept. */
struct datafile_error {
	char msg[512];
	bool failed;
};

/* Keeps msg if it is the first. Returns 0: inih's "stop here". */
__attribute__((format(printf, 2, 3)))
int datafile_fail(struct datafile_error *e, const char *fmt, ...);
/* "LABEL:LINE: " and what is wrong (in the locale's words), into err.
 * Returns -1, for a loader to return. */
__attribute__((format(printf, 5, 6)))
int datafile_parse_error(char *err, size_t errlen, const char *label, int line, const char *fmt,
			 ...);
/* After ini_parse (which returned line): "LABEL:LINE: what" in err for the
 * first error, or for a line that is not INI. Returns -1 then, else 0. */
int datafile_parse_result(const struct datafile_error *e, int line, const char *label, char *err,
			  size_t errlen);

#endif
