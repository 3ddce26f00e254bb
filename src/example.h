/* example: the Python programs forktop ships to be watched
 * (data/examples/NAME.py, run with forktop --example NAME): finding one by
 * its name, and listing them with the first line of each one's docstring.
 * It reads files; it never runs anything and never prints. */
#ifndef FORKTOP_EXAMPLE_H
#define FORKTOP_EXAMPLE_H

#include <stddef.h>

#define EXAMPLE_NAME_MAX 64
#define EXAMPLE_SUMMARY_MAX 256 /* bytes: a translated summary is longer */
#define EXAMPLES_MAX 64

struct example {
	char name[EXAMPLE_NAME_MAX];       /* the file's name without .py */
	char summary[EXAMPLE_SUMMARY_MAX]; /* its docstring's first line, or
					    * examples/LANG/NAME.txt's */
};

/* The path of example name, written to path. Returns 0, or -1 with the
 * reason in err (a name that is no shipped example, or not a name at all). */
int example_find(const char *name, char *path, size_t len, char *err, size_t errlen);

/* Every shipped example, sorted by name, into out (at most max). Returns
 * how many, or -1 with the reason in err. */
int example_list(struct example *out, int max, char *err, size_t errlen);

#endif
