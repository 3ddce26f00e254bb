/* tour: INI through inih, as the scenarios are. inih passes no line number
 * to the handler but returns the line of the first error, so the handler
 * keeps only the first message; checks that span a section point at its
 * header line. A value too long for one line continues on indented lines
 * (inih hands each one to the handler under the same key: it is appended). */
#include "tour.h"

#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datafile.h"
#include "i18n.h"
#include "text.h"

#define TOUR_FILE_MAX 65536
#define TOUR_LINE_MAX (INI_MAX_LINE - 2) /* inih cuts longer lines */
#define UNTIL_STARS_MAX 4

struct parse_state {
	struct tour *tour;
	const char *base_dir;
	struct tour_step *step; /* the current [step], NULL in [tour] */
	char key[16];           /* the key of the previous line, for continuations */
	struct datafile_error error; /* the first one */
};

#define fail(ps, ...) datafile_fail(&(ps)->error, __VA_ARGS__)

/* Sets a text field, or appends a continuation line to it. */
static int set_text(struct parse_state *ps, char *field, size_t cap, const char *key,
		    const char *v)
{
	size_t used = strlen(field);

	if (used && strcmp(ps->key, key) != 0)
		return fail(ps, _("'%s' is given twice"), key);
	if (used + (used ? 1 : 0) + strlen(v) >= cap)
		return fail(ps, _("'%s' is longer than %zu characters"), key, cap - 1);
	snprintf(field + used, cap - used, "%s%s", used ? " " : "", v);
	return 1;
}

/* Whether an event of kind carries a field of this name. */
static bool kind_has_field(enum event_kind kind, const char *field)
{
	struct track_event ev = event_make(kind);
	struct event_field fields[EVENT_FIELDS_MAX];
	size_t n;

	ev.by = 1; /* by is a field only when it is set */
	ev.error = 1; /* errno too */
	n = event_fields(&ev, fields);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(fields[i].key, field))
			return true;
	return false;
}

/* One FIELD=VALUE condition (len bytes at c). */
static int add_condition(struct parse_state *ps, const char *v, const char *c, size_t len)
{
	struct tour_step *st = ps->step;
	const char *eq = memchr(c, '=', len);
	struct tour_condition *cond;
	int stars = 0;

	if (st->nuntil == TOUR_CONDITIONS_MAX)
		return fail(ps, _("until '%s': at most %d conditions"), v, TOUR_CONDITIONS_MAX);
	cond = &st->until[st->nuntil];
	if (!eq || eq == c || (size_t)(eq - c) >= sizeof cond->field)
		return fail(ps, _("until '%s': '%.*s' is not FIELD=VALUE"), v, (int)len, c);
	snprintf(cond->field, sizeof cond->field, "%.*s", (int)(eq - c), c);
	if (!kind_has_field(st->until_kind, cond->field))
		return fail(ps, _("until '%s': an event of kind %s has no field '%s'"), v,
			    event_kind_name(st->until_kind), cond->field);
	if (len - (size_t)(eq - c) - 1 >= sizeof cond->value)
		return fail(ps, _("until '%s': the value of %s is longer than %zu characters"),
			    v, cond->field, sizeof cond->value - 1);
	snprintf(cond->value, sizeof cond->value, "%.*s", (int)(len - (size_t)(eq - c) - 1), eq + 1);
	for (const char *p = cond->value; *p; p++)
		stars += *p == '*';
	if (stars > UNTIL_STARS_MAX)
		return fail(ps, _("until '%s': at most %d '*' in a value"), v, UNTIL_STARS_MAX);
	st->nuntil++;
	return 1;
}

/* "KIND [FIELD=VALUE ...]": the kind of event, and what its fields must hold. */
static int set_until(struct parse_state *ps, const char *v)
{
	struct tour_step *st = ps->step;
	size_t len = strcspn(v, " \t");

	if (st->has_until)
		return fail(ps, _("'until' is given twice"));
	if (!event_kind_by_name(v, len, &st->until_kind))
		/* TRANSLATORS: until is a key of the tour file; the event kinds
		   (reparent, zombie, ...) are names: keep them. */
		return fail(ps, _("until '%s': '%.*s' is not an event kind (the \"event\" of "
				  "--batch --json: reparent, zombie, exited, join_returned, ...)"),
			    v, (int)len, v);
	for (const char *c = v + len; *c;) {
		c += strspn(c, " \t");
		len = strcspn(c, " \t");
		if (len && !add_condition(ps, v, c, len))
			return 0;
		c += len;
	}
	st->has_until = true;
	return 1;
}

/* A file: a name with a '/' or ending in .conf. */
static bool is_file_name(const char *v)
{
	size_t n = strlen(v);

	return strchr(v, '/') || (n > 5 && !strcmp(v + n - 5, ".conf"));
}

/* A shipped name, or a file (relative to the tour file's folder). */
static int set_scenario(struct parse_state *ps, const char *v)
{
	struct tour_step *st = ps->step;
	char path[4096 + 256], err[512];
	const char *file = path;

	if (st->loads)
		return fail(ps, _("'scenario' is given twice"));
	if (!is_file_name(v))
		file = datafile_scenario(v, path, sizeof path);
	else if (v[0] == '/')
		snprintf(path, sizeof path, "%s", v);
	else
		snprintf(path, sizeof path, "%s/%s", ps->base_dir, v);
	if (!file)
		return fail(ps, _("scenario '%s': no file and no shipped scenario has this name"),
			    v);
	if (scenario_load_file(file, &st->scenario, err, sizeof err) < 0)
		/* TRANSLATORS: scenario is a key of the tour file; %s after it is what
		   is wrong with the scenario file. */
		return fail(ps, _("scenario '%s': %s"), v, err);
	snprintf(st->scenario_name, sizeof st->scenario_name, "%s", v);
	st->loads = true;
	return 1;
}

static int step_key(struct parse_state *ps, const char *key, const char *v)
{
	struct tour_step *st = ps->step;

	if (!strcmp(key, "title"))
		return set_text(ps, st->title, sizeof st->title, key, v);
	if (!strcmp(key, "look"))
		return set_text(ps, st->look, sizeof st->look, key, v);
	if (!strcmp(key, "do"))
		return set_text(ps, st->task, sizeof st->task, key, v);
	if (!strcmp(key, "keys"))
		return set_text(ps, st->keys, sizeof st->keys, key, v);
	if (!strcmp(key, "until"))
		return set_until(ps, v);
	if (!strcmp(key, "scenario"))
		return set_scenario(ps, v);
	/* TRANSLATORS: the words in parentheses are the keys a step may have: keep them. */
	return fail(ps, _("unknown key '%s' in [step %s] (title, scenario, look, do, keys, until)"),
		    key, st->name);
}

static int open_step(struct parse_state *ps, const char *name)
{
	struct tour *t = ps->tour;

	if (!scenario_valid_name(name))
		return fail(ps, _("step name '%s' must be 1-31 letters, digits, '-' or '_'"), name);
	for (int i = 0; i < t->count; i++)
		if (!strcmp(t->steps[i].name, name))
			return fail(ps, _("step '%s' is defined twice"), name);
	if (t->count == TOUR_STEPS_MAX)
		return fail(ps, _("too many steps (at most %d) at '%s'"), TOUR_STEPS_MAX, name);
	ps->step = &t->steps[t->count++];
	memset(ps->step, 0, sizeof *ps->step);
	snprintf(ps->step->name, sizeof ps->step->name, "%s", name);
	ps->key[0] = '\0';
	return 1;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse_state *ps = user;
	const char *bad;
	int rc;

	if (ps->error.failed)
		return 0;
	if ((bad = text_unprintable(value, strlen(value))) != NULL)
		/* TRANSLATORS: the first %s is what is wrong ("a control character"),
		   the second the key. */
		return fail(ps, _("%s in the value of '%s'"), bad, key);
	if (!strcmp(section, "tour")) {
		ps->step = NULL;
		if (strcmp(key, "title") != 0)
			return fail(ps, _("unknown key '%s' in [tour] (title)"), key);
		rc = set_text(ps, ps->tour->title, sizeof ps->tour->title, key, value);
	} else if (!strncmp(section, "step ", 5)) {
		if ((!ps->step || strcmp(ps->step->name, section + 5) != 0) &&
		    !open_step(ps, section + 5))
			return 0;
		rc = step_key(ps, key, value);
	} else {
		return fail(ps, _("unknown section [%s] (want [tour] or [step NAME])"), section);
	}
	snprintf(ps->key, sizeof ps->key, "%s", key);
	return rc;
}

/* 1-based line of the nth (from 1) "[step NAME]" in text, or 0. */
static int section_line_nth(const char *text, const char *name, int nth)
{
	char header[SCENARIO_NAME_MAX + 16];
	int line = 1;

	snprintf(header, sizeof header, "[step %s]", name);
	for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL, line++)
		if (!strncmp(p + strspn(p, " \t"), header, strlen(header)) && --nth == 0)
			return line;
	return 0;
}

static int section_line(const char *text, const char *name)
{
	int line = section_line_nth(text, name, 1);

	return line ? line : 1;
}

/* The first line too long for inih (which would cut it silently), or 0. */
static int long_line(const char *text)
{
	int line = 1;

	for (const char *p = text; *p; line++) {
		size_t len = strcspn(p, "\n");

		if (len > TOUR_LINE_MAX)
			return line;
		p += len + (p[len] == '\n');
	}
	return 0;
}

/* inih cannot tell a second [step NAME] from the first one going on: the
 * line of the first such header (and its name in *which), or 0. */
static int repeated_step(const struct tour *t, const char *text, const char **which)
{
	int first = 0;

	for (int i = 0; i < t->count; i++) {
		int again = section_line_nth(text, t->steps[i].name, 2);

		if (again && (!first || again < first)) {
			first = again;
			*which = t->steps[i].name;
		}
	}
	return first;
}

static int check_steps(const struct tour *t, const char *text, const char *label, char *err,
		       size_t errlen)
{
	if (t->count == 0)
		return datafile_parse_error(err, errlen, label, 1, "%s",
				   _("no [step NAME] section: a tour needs steps"));
	if (!t->steps[0].loads)
		return datafile_parse_error(err, errlen, label, section_line(text, t->steps[0].name), "%s",
				   _("the first step must name a scenario"));
	for (int i = 0; i < t->count; i++) {
		const struct tour_step *st = &t->steps[i];
		const char *missing = !st->title[0] ? "title" : !st->task[0] ? "do" : NULL;

		if (missing)
			/* TRANSLATORS: the last %s is the key missing: title or do. */
			return datafile_parse_error(err, errlen, label, section_line(text, st->name),
					   _("[step %s] has no '%s'"), st->name, missing);
	}
	return 0;
}

int tour_load_string(const char *text, const char *label, const char *base_dir,
		     struct tour *out, char *err, size_t errlen)
{
	struct parse_state ps = { .tour = out, .base_dir = base_dir ? base_dir : "." };
	const char *which = "";
	int line, again;

	memset(out, 0, sizeof *out);
	if ((line = long_line(text)) != 0)
		return datafile_parse_error(err, errlen, label, line,
				   _("longer than %d characters: continue the value on the next "
				     "line, indented"), TOUR_LINE_MAX);
	line = ini_parse_string(text, handler, &ps);
	again = repeated_step(out, text, &which);
	if (again && (line == 0 || again < line))
		return datafile_parse_error(err, errlen, label, again, _("step '%s' is defined twice"),
				   which);
	if (datafile_parse_result(&ps.error, line, label, err, errlen) < 0)
		return -1;
	if (!out->title[0])
		/* TRANSLATORS: the title of a tour whose file gives none. */
		snprintf(out->title, sizeof out->title, "%s", _("forktop tour"));
	return check_steps(out, text, label, err, errlen);
}

int tour_load_file(const char *path, struct tour *out, char *err, size_t errlen)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	char *text;
	int rc;

	if (datafile_read(path, TOUR_FILE_MAX, &text, err, errlen) < 0)
		return -1;
	if (slash)
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, sizeof dir, ".");
	rc = tour_load_string(text, path, slash == path ? "/" : dir, out, err, errlen);
	free(text);
	return rc;
}

/* pattern matches the whole of text; '*' matches any run (the stars are
 * bounded when the tour is read, so the backtracking is too). */
static bool glob_match(const char *p, const char *s)
{
	for (; *p; p++, s++) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			for (;; s++) {
				if (glob_match(p, s))
					return true;
				if (!*s)
					return false;
			}
		}
		if (*s != *p)
			return false;
	}
	return *s == '\0';
}

/* The field of ev as text ("" when ev has none by that name). */
static void field_text(const struct track_event *ev, const char *key, char *buf, size_t cap)
{
	struct event_field fields[EVENT_FIELDS_MAX];
	size_t n = event_fields(ev, fields);

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (strcmp(fields[i].key, key))
			continue;
		switch (fields[i].type) {
		case EVENT_FIELD_INT: snprintf(buf, cap, "%ld", fields[i].number); break;
		case EVENT_FIELD_STRING:
			snprintf(buf, cap, "%.*s", (int)(fields[i].length < cap ? fields[i].length : cap),
				 fields[i].string);
			break;
		case EVENT_FIELD_BOOL: snprintf(buf, cap, "%s", fields[i].number ? "true" : "false"); break;
		case EVENT_FIELD_NULL: snprintf(buf, cap, "null"); break;
		}
		return;
	}
}

bool tour_step_done_by(const struct tour_step *step, const struct track_event *ev)
{
	char value[EVENT_TEXT_MAX];

	if (!step->has_until || ev->kind != step->until_kind)
		return false;
	for (int i = 0; i < step->nuntil; i++) {
		field_text(ev, step->until[i].field, value, sizeof value);
		if (!glob_match(step->until[i].value, value))
			return false;
	}
	return true;
}

const struct scenario *tour_scenario_of(const struct tour *t, int i)
{
	for (; i >= 0; i--)
		if (i < t->count && t->steps[i].loads)
			return &t->steps[i].scenario;
	return NULL;
}
