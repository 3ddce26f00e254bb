/* example: the examples folder among forktop's data places (datafile.h). */
#include "example.h"

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datafile.h"
#include "i18n.h"
#include "text.h"

#define EXAMPLE_FILE_MAX (64 * 1024)

/* A name is what a file of the folder may be called: a-z, 0-9 and '_'. */
static int valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= EXAMPLE_NAME_MAX)
		return 0;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

int example_find(const char *name, char *path, size_t len, char *err, size_t errlen)
{
	char rel[EXAMPLE_NAME_MAX + 16];

	if (valid_name(name)) {
		snprintf(rel, sizeof rel, "examples/%s.py", name);
		if (datafile_find(rel, path, len, NULL, 0) == 0)
			return 0;
	}
	snprintf(err, errlen, _("no example is named '%s' (forktop --example list lists them)"),
		 name);
	return -1;
}

/* The first line of text's docstring (after its opening quotes). */
static void first_docstring_line(const char *text, char *out, size_t len)
{
	const char *start = strstr(text, "\"\"\"");
	size_t n;

	out[0] = '\0';
	if (!start)
		return;
	start += 3;
	n = strcspn(start, "\n");
	snprintf(out, len, "%.*s", (int)n, start);
}

/* The summary in the user's language: examples/LANG/NAME.txt, one line. */
static bool translated_summary(const char *dir, struct example *e)
{
	char lang[I18N_LANG_MAX], file[EXAMPLE_NAME_MAX + 8], err[256], *text = NULL;
	char path[PATH_MAX + I18N_LANG_MAX + EXAMPLE_NAME_MAX + 8];

	snprintf(file, sizeof file, "%s.txt", e->name);
	i18n_user_file(dir, file, path, sizeof path, lang);
	if (!lang[0] || datafile_read(path, EXAMPLE_FILE_MAX, &text, err, sizeof err) < 0)
		return false;
	snprintf(e->summary, sizeof e->summary, "%.*s", (int)strcspn(text, "\n"), text);
	e->summary[text_utf8_boundary(e->summary, strlen(e->summary))] = '\0';
	free(text);
	return e->summary[0] != '\0';
}

static void summarize(const char *dir, struct example *e)
{
	char path[PATH_MAX + EXAMPLE_NAME_MAX + 8], err[256], *text = NULL;

	if (translated_summary(dir, e))
		return;
	snprintf(path, sizeof path, "%s/%s.py", dir, e->name);
	if (datafile_read(path, EXAMPLE_FILE_MAX, &text, err, sizeof err) == 0)
		first_docstring_line(text, e->summary, sizeof e->summary);
	free(text);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct example *)a)->name, ((const struct example *)b)->name);
}

int example_list(struct example *out, int max, char *err, size_t errlen)
{
	char dir[PATH_MAX], looked[1024];
	struct dirent *d;
	DIR *folder;
	int n = 0;

	if (datafile_find("examples", dir, sizeof dir, looked, sizeof looked) < 0) {
		snprintf(err, errlen, _("no examples: looked in %s"), looked);
		return -1;
	}
	if (!(folder = opendir(dir))) {
		snprintf(err, errlen, _("cannot read the examples in %s"), dir);
		return -1;
	}
	while ((d = readdir(folder)) && n < max) {
		size_t len = strlen(d->d_name);

		if (len < 4 || strcmp(d->d_name + len - 3, ".py") != 0)
			continue;
		snprintf(out[n].name, sizeof out[n].name, "%.*s", (int)(len - 3), d->d_name);
		if (!valid_name(out[n].name))
			continue;
		summarize(dir, &out[n]);
		n++;
	}
	closedir(folder);
	qsort(out, (size_t)n, sizeof *out, by_name);
	return n;
}
