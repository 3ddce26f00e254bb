/* scenario: INI through inih. inih gives no line number to the handler but
 * returns the line of the first error, so the handler only keeps the first
 * message; the text reaches inih through a reader that counts lines, so
 * checks that span sections can point at the group's header line. inih
 * reads through a fixed buffer and would read the rest of a longer line as
 * a line of its own, so lines are handed to it whole, or refused. */
#include "scenario.h"

#include "datafile.h"
#include "i18n.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char scenario_default_text[] =
	"; The default lab: two daemonic and two non-daemonic children of main;\n"
	"; one non-daemonic child starts a grandchild.\n"
	"[main]\n"
	"name = default\n"
	"description = 2 daemonic + 2 non-daemonic children, one with a grandchild\n"
	"start_method = fork\n"
	"lifetime = forever\n"
	"[group daemons]\n"
	"count = 2\n"
	"daemon = yes\n"
	"lifetime = forever\n"
	"[group workers]\n"
	"count = 1\n"
	"daemon = no\n"
	"lifetime = 60\n"
	"[group helpers]\n"
	"parent = workers\n"
	"count = 1\n"
	"daemon = no\n"
	"lifetime = 50\n"
	"[group loners]\n"
	"count = 1\n"
	"daemon = no\n"
	"lifetime = 45\n";

/* The text as inih reads it: one whole line per call. It counts the lines,
 * so it also knows the line of each section header. */
struct line_reader {
	const char *next; /* the rest of the text */
	int line;         /* lines handed over */
	int header;       /* the last line handed over that starts with '[' */
	int too_long;     /* the line that did not fit inih's buffer, or 0 */
	int longest;      /* characters that fit in a line, without its newline */
};

/* Whether the line starts with '[' as inih sees it: after a UTF-8 byte
 * order mark on the first line and leading white space. Not every such
 * line is a header (an indented one after a key continues its value). */
static bool starts_section(const char *line, bool first)
{
	if (first && !strncmp(line, "\xef\xbb\xbf", 3))
		line += 3;
	while (isspace((unsigned char)*line))
		line++;
	return *line == '[';
}

static char *read_whole_line(char *buf, int size, void *stream)
{
	struct line_reader *r = stream;
	const char *newline;
	size_t chars, take;

	if (!*r->next)
		return NULL;
	newline = strchr(r->next, '\n');
	chars = newline ? (size_t)(newline - r->next) : strlen(r->next);
	take = newline ? chars + 1 : chars;
	if (size < 2 || chars > (size_t)size - 2) {
		r->too_long = r->line + 1;
		r->longest = size < 2 ? 0 : size - 2;
		return NULL; /* ends the parse here */
	}
	memcpy(buf, r->next, take);
	buf[take] = '\0';
	r->next += take;
	r->line++;
	if (starts_section(buf, r->line == 1))
		r->header = r->line;
	return buf;
}

struct parse_state {
	struct scenario *sc;
	const struct line_reader *reader;
	int header_line[SCENARIO_GROUPS_MAX]; /* of each group's [group NAME] */
	int threads_line[SCENARIO_THREAD_SETS_MAX]; /* of each [threads NAME] */
	int group;      /* current [group] index, -1 in [main], -2 before any section */
	int threads;    /* current [threads] index, -1 outside one */
	struct datafile_error error; /* the first one */
};

#define fail(ps, ...) datafile_fail(&(ps)->error, __VA_ARGS__)

static bool parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
		return *out = true, true;
	if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
		return *out = false, true;
	return false;
}

static bool parse_int(const char *v, int min, int max, int *out)
{
	long n;

	if (!text_parse_long(v, min, max, &n))
		return false;
	*out = (int)n;
	return true;
}

/* "forever" or seconds in [0, 86400]. */
static bool parse_lifetime(const char *v, double *out)
{
	char *end;
	double d;

	if (!strcmp(v, "forever"))
		return *out = SCENARIO_FOREVER, true;
	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(d) || d < 0 || d > 86400)
		return false;
	*out = d;
	return true;
}

bool scenario_valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= SCENARIO_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-'))
			return false;
	return true;
}

/* A yes-or-no key: 1 when handled, 0 on a bad value (the error is kept). */
static int yes_no_key(struct parse_state *ps, const char *key, const char *v, bool *out)
{
	if (!parse_bool(v, out))
		/* TRANSLATORS: the first %s is a key of the scenario file (daemon,
		   subreaper, ...); keys, section names and the values they take stay
		   as they are in these messages. */
		return fail(ps, _("%s '%s' must be yes or no"), key, v);
	return 1;
}

static int lifetime_key(struct parse_state *ps, const char *v, double *lifetime)
{
	if (!parse_lifetime(v, lifetime))
		/* TRANSLATORS: lifetime is a key, forever a value: keep them. */
		return fail(ps, _("lifetime '%s' must be 'forever' or seconds from 0 to 86400"), v);
	return 1;
}

/* Keys [main] and [group] share: 1 when handled, 0 on a bad value (the
 * error is kept), -1 when key is not one of them. */
static int work_key(struct parse_state *ps, const char *key, const char *v, double *lifetime,
		    int *exit_code)
{
	if (!strcmp(key, "lifetime"))
		return lifetime_key(ps, v, lifetime);
	if (!strcmp(key, "exit_code")) {
		if (!parse_int(v, 0, 255, exit_code))
			return fail(ps, _("exit_code '%s' must be from 0 to 255"), v);
		return 1;
	}
	return -1;
}

static int main_key(struct parse_state *ps, const char *key, const char *v)
{
	struct scenario *sc = ps->sc;
	int rc = work_key(ps, key, v, &sc->main_lifetime, &sc->main_exit_code);

	if (rc >= 0)
		return rc;
	if (!strcmp(key, "name")) {
		if (!scenario_valid_name(v))
			return fail(ps, _("name '%s' must be 1-31 letters, digits, '-' or '_'"), v);
		snprintf(sc->name, sizeof sc->name, "%s", v);
	} else if (!strcmp(key, "description")) {
		snprintf(sc->description, sizeof sc->description, "%s", v);
	} else if (!strcmp(key, "start_method")) {
		if (!scenario_method_parse(v, &sc->start_method))
			return fail(ps, _("start_method '%s' is not one of fork, spawn, forkserver"),
				    v);
	} else if (!strcmp(key, "pid_namespace")) {
		return yes_no_key(ps, "pid_namespace", v, &sc->pid_namespace);
	} else if (!strcmp(key, "init")) {
		if (!scenario_init_parse(v, &sc->init))
			return fail(ps, _("init '%s' is not one of none, forktop"), v);
		sc->pid_namespace = true; /* an init is the PID 1 of a namespace */
	} else {
		return fail(ps, _("unknown key '%s' in [main]"), key);
	}
	return 1;
}

static int group_key(struct parse_state *ps, const char *key, const char *v)
{
	struct scenario_group *g = &ps->sc->groups[ps->group];
	int rc = work_key(ps, key, v, &g->lifetime, &g->exit_code);

	if (rc >= 0)
		return rc;
	if (!strcmp(key, "count")) {
		if (!parse_int(v, 0, SCENARIO_COUNT_MAX, &g->count))
			return fail(ps, _("count '%s' must be from 0 to 32"), v);
	} else if (!strcmp(key, "daemon")) {
		return yes_no_key(ps, "daemon", v, &g->daemon);
	} else if (!strcmp(key, "unix_daemon")) {
		return yes_no_key(ps, "unix_daemon", v, &g->unix_daemon);
	} else if (!strcmp(key, "subreaper")) {
		return yes_no_key(ps, "subreaper", v, &g->subreaper);
	} else if (!strcmp(key, "on_sigterm")) {
		if (strcmp(v, "die") && strcmp(v, "ignore"))
			return fail(ps, _("on_sigterm '%s' must be die or ignore"), v);
		g->ignore_sigterm = !strcmp(v, "ignore");
	} else if (!strcmp(key, "parent")) {
		int p = scenario_group_index(ps->sc, v);

		if (p < 0 || p == ps->group)
			return fail(ps, _("parent '%s' is not a group defined above [group %s]"),
				    v, g->name);
		g->parent = p;
	} else {
		return fail(ps, _("unknown key '%s' in [group %s]"), key, g->name);
	}
	return 1;
}

bool scenario_valid_target(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= SCENARIO_NAME_MAX || isdigit((unsigned char)s[0]))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static int threads_key(struct parse_state *ps, const char *key, const char *v)
{
	struct scenario_threads *t = &ps->sc->threads[ps->threads];

	if (!strcmp(key, "lifetime")) {
		return lifetime_key(ps, v, &t->lifetime);
	} else if (!strcmp(key, "count")) {
		if (!parse_int(v, 0, SCENARIO_THREADS_MAX, &t->count))
			return fail(ps, _("count '%s' must be from 0 to %d"),
				    v, SCENARIO_THREADS_MAX);
	} else if (!strcmp(key, "daemon")) {
		return yes_no_key(ps, "daemon", v, &t->daemon);
	} else if (!strcmp(key, "target")) {
		if (!scenario_valid_target(v))
			return fail(ps, _("target '%s' must be a Python name: 1-31 letters, digits "
					  "or '_', not starting with a digit"), v);
		snprintf(t->target, sizeof t->target, "%s", v);
	} else if (!strcmp(key, "group")) {
		int g = scenario_group_index(ps->sc, v);

		if (g < 0)
			return fail(ps, _("group '%s' is not a group defined above [threads %s]"),
				    v, t->name);
		t->group = g;
	} else {
		return fail(ps, _("unknown key '%s' in [threads %s]"), key, t->name);
	}
	return 1;
}

static int open_threads(struct parse_state *ps, const char *section)
{
	struct scenario *sc = ps->sc;
	const char *name = section + strlen("threads ");
	struct scenario_threads *t;

	if (!scenario_valid_name(name))
		return fail(ps, _("threads name '%s' must be 1-31 letters, digits, '-' or '_'"),
			    name);
	for (int i = 0; i < sc->nthreads; i++)
		if (!strcmp(sc->threads[i].name, name))
			return fail(ps, _("threads '%s' are defined twice"), name);
	if (sc->nthreads == SCENARIO_THREAD_SETS_MAX)
		return fail(ps, _("too many [threads] sections (at most %d) at '%s'"),
			    SCENARIO_THREAD_SETS_MAX, name);
	ps->threads = sc->nthreads++;
	ps->threads_line[ps->threads] = ps->reader->header;
	t = &sc->threads[ps->threads];
	*t = (struct scenario_threads){ .group = SCENARIO_TOP_LEVEL, .count = 1,
					.lifetime = SCENARIO_FOREVER, .target = "work" };
	snprintf(t->name, sizeof t->name, "%s", name);
	return 1;
}

static int open_group(struct parse_state *ps, const char *section)
{
	struct scenario *sc = ps->sc;
	const char *name = section + strlen("group ");
	struct scenario_group *g;

	if (!scenario_valid_name(name))
		return fail(ps, _("group name '%s' must be 1-31 letters, digits, '-' or '_'"),
			    name);
	if (scenario_group_index(sc, name) >= 0)
		return fail(ps, _("group '%s' is defined twice"), name);
	if (sc->ngroups == SCENARIO_GROUPS_MAX)
		return fail(ps, _("too many groups (at most 16) at '%s'"), name);
	ps->group = sc->ngroups++;
	/* A group opens on its first key; between its header and that key inih
	 * allows only comments and blank lines, so the last '[' line is the header. */
	ps->header_line[ps->group] = ps->reader->header;
	g = &sc->groups[ps->group];
	*g = (struct scenario_group){ .parent = SCENARIO_TOP_LEVEL, .count = 1,
				      .lifetime = SCENARIO_FOREVER };
	snprintf(g->name, sizeof g->name, "%s", name);
	return 1;
}

static int in_threads(struct parse_state *ps, const char *section, const char *key,
		      const char *value)
{
	ps->group = -1;
	if (ps->threads < 0 || strcmp(ps->sc->threads[ps->threads].name, section + 8) != 0)
		if (!open_threads(ps, section))
			return 0;
	return threads_key(ps, key, value);
}

/* inih calls this with an empty name at each new section (INI_CALL_HANDLER_ON_NEW_SECTION
 * is off in Debian's build), so sections are recognised on their first key. */
static int handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse_state *ps = user;
	bool in_main = !strcmp(section, "main");

	if (ps->error.failed)
		return 0;
	if (!strncmp(section, "threads ", 8))
		return in_threads(ps, section, key, value);
	ps->threads = -1;
	if (!in_main && strncmp(section, "group ", 6) != 0)
		return fail(ps, _("unknown section [%s] (want [main], [group NAME] or [threads NAME])"),
			    section);
	if (in_main) {
		ps->group = -1;
		return main_key(ps, key, value);
	}
	if (ps->group < 0 || strcmp(ps->sc->groups[ps->group].name, section + 6) != 0)
		if (!open_group(ps, section))
			return 0;
	return group_key(ps, key, value);
}

static void defaults(struct scenario *sc)
{
	memset(sc, 0, sizeof *sc);
	snprintf(sc->name, sizeof sc->name, "unnamed");
	sc->start_method = SCENARIO_FORK;
	sc->main_lifetime = SCENARIO_FOREVER;
}

/* No process runs more than SCENARIO_THREADS_MAX threads: the error names
 * the header of the section that goes over. */
static int check_threads(const struct parse_state *ps, const char *label, char *err,
			 size_t errlen)
{
	const struct scenario *sc = ps->sc;

	for (int i = 0; i < sc->nthreads; i++) {
		int total = 0, owner = sc->threads[i].group;

		for (int k = 0; k <= i; k++)
			total += sc->threads[k].group == owner ? sc->threads[k].count : 0;
		if (total > SCENARIO_THREADS_MAX)
			return datafile_parse_error(err, errlen, label, ps->threads_line[i],
					   owner == SCENARIO_TOP_LEVEL
					   /* TRANSLATORS: MainProcess is Python's name for the
					      lab's main process. */
					   ? _("MainProcess would run %d threads (at most %d)")
					   : _("each process of the group would run %d threads "
					       "(at most %d)"),
					   total, SCENARIO_THREADS_MAX);
	}
	return 0;
}

static int check_whole(const struct parse_state *ps, const char *label, char *err,
		       size_t errlen)
{
	const struct scenario *sc = ps->sc;
	int total = scenario_process_count(sc);

	if (sc->ngroups == 0)
		return datafile_parse_error(err, errlen, label, 1, "%s",
				   _("no [group NAME] section: the lab needs children"));
	if (total > 256)
		return datafile_parse_error(err, errlen, label, ps->header_line[sc->ngroups - 1],
				   _("the scenario starts %d processes (at most 256)"), total);
	return check_threads(ps, label, err, errlen);
}

int scenario_load_string(const char *text, const char *label, struct scenario *out,
			 char *err, size_t errlen)
{
	struct line_reader reader = { .next = text };
	struct parse_state ps = { .sc = out, .reader = &reader, .group = -2, .threads = -1 };
	int line;

	defaults(out);
	line = ini_parse_stream(read_whole_line, &reader, handler, &ps);
	if (datafile_parse_result(&ps.error, line, label, err, errlen) < 0)
		return -1;
	if (reader.too_long)
		return datafile_parse_error(err, errlen, label, reader.too_long,
				   _("line longer than %d characters"), reader.longest);
	return check_whole(&ps, label, err, errlen);
}

int scenario_load_file(const char *path, struct scenario *out, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r");
	int rc;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	text = malloc(65537);
	if (text)
		len = fread(text, 1, 65536, f);
	if (text && len == 65536 && fgetc(f) != EOF) {
		snprintf(err, errlen, "%s: %s", path, _("larger than 64 KiB: not a scenario file"));
		rc = -1;
	} else if (!text || ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, text ? _("read error") : _("out of memory"));
		rc = -1;
	} else if (memchr(text, '\0', len)) {
		rc = datafile_parse_error(err, errlen, path, 1, "%s",
				 _("binary data (a NUL byte): not a scenario file"));
	} else {
		text[len] = '\0';
		rc = scenario_load_string(text, path, out, err, errlen);
	}
	free(text);
	fclose(f);
	return rc;
}

void scenario_default(struct scenario *out)
{
	char err[256];

	if (scenario_load_string(scenario_default_text, "built-in default", out, err, sizeof err) != 0)
		abort(); /* the built-in text is checked by the tests */
}

int scenario_group_index(const struct scenario *sc, const char *name)
{
	for (int i = 0; i < sc->ngroups; i++)
		if (!strcmp(sc->groups[i].name, name))
			return i;
	return -1;
}

/* Members of group g in the whole family: count times the members of its
 * parent group (daemonic parents refuse, but each still tries once). */
static int members_of(const struct scenario *sc, int g)
{
	const struct scenario_group *grp = &sc->groups[g];

	if (grp->parent == SCENARIO_TOP_LEVEL)
		return grp->count;
	if (sc->groups[grp->parent].daemon)
		return 0;
	long n = (long)grp->count * members_of(sc, grp->parent);
	return n > 1000 ? 1000 : (int)n; /* enough to be refused, never to overflow */
}

int scenario_threads_of(const struct scenario *sc, int g)
{
	int total = 0;

	for (int i = 0; i < sc->nthreads; i++)
		if (sc->threads[i].group == g)
			total += sc->threads[i].count;
	return total;
}

int scenario_process_count(const struct scenario *sc)
{
	int total = 0;

	for (int i = 0; i < sc->ngroups; i++)
		total += members_of(sc, i);
	return total;
}

static const char *const method_names[SCENARIO_METHODS] = {
	[SCENARIO_FORK] = "fork", [SCENARIO_SPAWN] = "spawn", [SCENARIO_FORKSERVER] = "forkserver",
};

const char *scenario_method_name(enum scenario_method method)
{
	return (unsigned)method < SCENARIO_METHODS ? method_names[method] : "?";
}

static const char *const init_names[] = { [SCENARIO_INIT_NONE] = "none",
					   [SCENARIO_INIT_FORKTOP] = "forktop" };

bool scenario_init_parse(const char *name, enum scenario_init *out)
{
	for (unsigned i = 0; i <= SCENARIO_INIT_FORKTOP; i++) {
		if (!strcmp(name, init_names[i])) {
			*out = (enum scenario_init)i;
			return true;
		}
	}
	return false;
}

bool scenario_method_parse(const char *name, enum scenario_method *out)
{
	for (int m = 0; m < SCENARIO_METHODS; m++) {
		if (!strcmp(name, method_names[m])) {
			*out = (enum scenario_method)m;
			return true;
		}
	}
	return false;
}
