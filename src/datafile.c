/* datafile: three candidate folders, tried in order; the first that holds
 * the wanted name wins, so a test (FORKTOP_DATA) or a build tree never
 * reads an older installed copy by accident. */
#include "datafile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "text.h"

#define DATAFILE_PLACES 3

bool datafile_beside_binary(const char *name, char *buf, size_t len)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;
	int w;

	if (n <= 0)
		return false;
	exe[n] = '\0';
	if (!(slash = strrchr(exe, '/')))
		return false;
	*slash = '\0';
	w = snprintf(buf, len, "%s/%s", exe, name);
	return w > 0 && (size_t)w < len;
}

/* Candidate folder number i into buf; false when it does not apply. */
static bool place(int i, char *buf, size_t len)
{
	const char *env = getenv("FORKTOP_DATA");
	int w;

	switch (i) {
	case 0:
		if (!env || !*env)
			return false;
		w = snprintf(buf, len, "%s", env);
		break;
	case 1:
		return datafile_beside_binary("data", buf, len);
	default:
		w = snprintf(buf, len, "%s", PKGDATADIR);
		break;
	}
	return w > 0 && (size_t)w < len;
}

/* Appends ", path" (or " or path" for the last place) to the list. */
static void list_place(char *looked, size_t lookedlen, size_t *used, int tried, bool last,
		       const char *path)
{
	int n;

	if (!looked || *used >= lookedlen)
		return;
	n = snprintf(looked + *used, lookedlen - *used, "%s%s",
		     /* TRANSLATORS: joins the last of the places looked in to the
			others: "/a/data, /b/data or /usr/share/forktop". */
		     tried == 0 ? "" : last ? _(" or ") : ", ", path);
	*used += n > 0 ? (size_t)n : 0;
}

int datafile_find(const char *rel, char *buf, size_t len, char *looked, size_t lookedlen)
{
	char dir[4096];
	size_t used = 0;
	int tried = 0;

	if (looked && lookedlen)
		looked[0] = '\0';
	for (int i = 0; i < DATAFILE_PLACES; i++) {
		int n;

		if (!place(i, dir, sizeof dir))
			continue;
		n = snprintf(buf, len, "%s/%s", dir, rel);
		if (n > 0 && (size_t)n < len && access(buf, R_OK) == 0)
			return 0;
		list_place(looked, lookedlen, &used, tried++, i == DATAFILE_PLACES - 1, buf);
	}
	if (len)
		buf[0] = '\0';
	return -1;
}

const char *datafile_scenario(const char *arg, char *buf, size_t len)
{
	char rel[300];
	int n;

	if (access(arg, F_OK) == 0 || strchr(arg, '/'))
		return arg;
	n = snprintf(rel, sizeof rel, "%s.conf", arg);
	if (n < 0 || (size_t)n >= sizeof rel)
		return NULL;
	return datafile_find(rel, buf, len, NULL, 0) == 0 ? buf : NULL;
}

int datafile_read(const char *path, size_t max, char **text, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t len;
	int rc = -1;

	*text = NULL;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(max + 1);
	len = buf ? fread(buf, 1, max, f) : 0;
	if (!buf)
		snprintf(err, errlen, "%s: %s", path, _("out of memory"));
	else if (ferror(f))
		snprintf(err, errlen, "%s: %s", path, _("read error"));
	else if (len == max && fgetc(f) != EOF)
		text_error(err, errlen, path, _("larger than %zu bytes: not a file forktop reads"),
			   max);
	else if (memchr(buf, '\0', len))
		snprintf(err, errlen, "%s:1: %s", path,
			 _("binary data (a NUL byte): not a text file"));
	else
		rc = 0;
	fclose(f);
	if (rc < 0) {
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	*text = buf;
	return 0;
}

int datafile_fail(struct datafile_error *e, const char *fmt, ...)
{
	va_list ap;

	if (!e->failed) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
		e->failed = true;
	}
	return 0;
}

int datafile_parse_result(const struct datafile_error *e, int line, const char *label, char *err,
			  size_t errlen)
{
	if (line == 0 && !e->failed)
		return 0;
	if (e->failed)
		snprintf(err, errlen, "%s:%d: %s", label, line, e->msg);
	else
		snprintf(err, errlen, "%s:%d: %s", label, line,
			 _("not a 'key = value' line or a [section]"));
	return -1;
}

int datafile_parse_error(char *err, size_t errlen, const char *label, int line, const char *fmt,
			 ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%d: %s", label, line, what);
	return -1;
}
