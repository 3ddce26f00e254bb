/* guide: follows the event log by sequence number (each event is looked at
 * once), and lays the pane out as plain lines; the TUI only styles and
 * draws them. Widths are display columns, as the rest of the screen's. */
#include "guide.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/grow.h"
#include "../src/i18n.h"
#include "../src/text.h"

int guide_open(struct guide *g, const struct tour *tour, const char *lessons_dir)
{
	int rc;

	memset(g, 0, sizeof *g);
	g->tour = tour;
	rc = lesson_book_open(&g->book, lessons_dir);
	return rc < 0 ? rc : 0;
}

void guide_close(struct guide *g)
{
	lesson_book_close(&g->book);
	free(g->lines);
	memset(g, 0, sizeof *g);
}

static struct lesson_context context_of(const struct session *s)
{
	return (struct lesson_context){ .track = s->track, .lab = s->lab_on ? &s->lab : NULL,
					.monitor_pid = getpid(),
					.text_flags = s->style.utf8 ? TEXT_UTF8 : 0 };
}

/* ---- following the events ------------------------------------------------ */

/* Whether ev is about the lab: forktop's own notes, or a lab process. */
static bool about_the_lab(const struct session *s, const struct track_event *ev)
{
	if (!s->lab_on)
		return false;
	if (ev->pid == 0)
		return true;
	for (size_t i = 0; i < s->lab.count; i++)
		if (s->lab.members[i].pid == ev->pid)
			return true;
	return false;
}

static bool in_tour(const struct guide *g)
{
	return g->tour && g->step < g->tour->count;
}

static void begin_step(struct guide *g, int step, unsigned long long since)
{
	g->step = step;
	g->step_done = false;
	g->step_since = since;
}

/* The step on screen sees ev: the one event that completes it marks it
 * done, and it stays on screen until N. Only the step shown can be done:
 * the next one watches the events logged after N showed it. */
static void follow_tour(struct guide *g, const struct session *s, const struct track_event *ev)
{
	const struct tour_step *st;

	if (!in_tour(g) || g->step_done || ev->seq <= g->step_since)
		return;
	st = &g->tour->steps[g->step];
	if (!about_the_lab(s, ev) || !tour_step_done_by(st, ev))
		return;
	g->step_done = true;
	g->done_by = ev->seq;
}

/* Whether the pane may explain ev: in the lab or program view, only events
 * about the lab or the program's family (the scan there can still report
 * other processes, such as a subreaper's); in the all view, any. */
static bool explains_in_view(const struct session *s, const struct track_event *ev)
{
	if (!session_event_in_view(s, ev))
		return false;
	if (session_view_kind(s) == SESSION_VIEW_ALL)
		return true;
	if (s->lab_on)
		return about_the_lab(s, ev);
	if (!s->fam.active)
		return true;
	for (size_t i = 0; i < s->fam.count; i++)
		if (s->fam.members[i].pid == ev->pid)
			return true;
	return false;
}

bool guide_update(struct guide *g, const struct session *s)
{
	struct lesson_context ctx = context_of(s);
	unsigned long long last = track_last_seq(s->track);
	bool was_done = g->step_done;

	for (unsigned long long q = g->scanned + 1; q <= last; q++) {
		const struct track_event *ev = track_event(s->track, q);

		if (!ev)
			continue;
		if (explains_in_view(s, ev) && lesson_pick(ev, &ctx))
			g->newest = q;
		follow_tour(g, s, ev);
	}
	g->scanned = last;
	return g->step_done && !was_done;
}

int guide_move(struct guide *g, struct session *s, bool forward, char *err, size_t errlen)
{
	int to = g->step + (forward ? 1 : -1);
	const struct scenario *sc;

	if (!g->tour) {
		snprintf(err, errlen, "%s", _("there is no tour: start forktop --tour"));
		return -1;
	}
	if (to < 0 || to > g->tour->count) {
		if (forward)
			/* TRANSLATORS: N after the tour's last step; P is the key that goes back */
			snprintf(err, errlen, "%s", _("the tour is over: P goes back"));
		else
			/* TRANSLATORS: P (the key that goes back) on the tour's first step */
			snprintf(err, errlen, "%s", _("this is the first step"));
		return -1;
	}
	sc = to < g->tour->count && (!forward || g->tour->steps[to].loads)
		     ? tour_scenario_of(g->tour, to) : NULL;
	if (sc && session_use_scenario(s, sc, err, errlen) < 0)
		return -1;
	begin_step(g, to, track_last_seq(s->track));
	return 0;
}

/* ---- lines --------------------------------------------------------------- */

size_t guide_wrap(const char *text, int width, size_t *next)
{
	size_t len = strlen(text), space = 0, i = 0;
	int cols = 0;

	while (i < len && text[i] != '\n') {
		size_t n;
		int w = text_char_width(text + i, len - i, &n);

		if (w < 0)
			w = 1; /* drawn as one '?' */

		if (cols + w > width && i > 0) {
			size_t end = space ? space : i;

			*next = end + strspn(text + end, " ");
			return end;
		}
		if (text[i] == ' ')
			space = i;
		cols += w;
		i += n;
	}
	*next = i + (i < len); /* past the '\n' */
	return i;
}

static void add_line(struct guide *g, enum guide_role role, const char *text, size_t len)
{
	if (GROW(g->lines, g->cap, g->nlines + 1) < 0)
		return;
	if (len >= GUIDE_LINE_MAX) /* cut at a whole character: Hangul is 3 bytes */
		len = text_utf8_boundary(text, GUIDE_LINE_MAX - 1);
	g->lines[g->nlines].role = role;
	memcpy(g->lines[g->nlines].text, text, len);
	g->lines[g->nlines].text[len] = '\0';
	g->nlines++;
}

/* text wrapped to width, each paragraph ('\n') on new lines. */
static void add_text(struct guide *g, enum guide_role role, const char *text, int width)
{
	for (size_t at = 0, len = strlen(text); at < len;) {
		size_t next, n = guide_wrap(text + at, width, &next);

		add_line(g, role, text + at, n);
		at += next ? next : 1;
	}
}

__attribute__((format(printf, 4, 5)))
static void add_textf(struct guide *g, enum guide_role role, int width, const char *fmt, ...)
{
	char text[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	add_text(g, role, text, width);
}

/* A done step says so first, with the event that did it (the line of the
 * log it was, which may have scrolled away since) and where N leads. */
static void add_step_done(struct guide *g, const struct session *s, int width)
{
	const struct tour *t = g->tour;
	const struct tour_step *next = g->step + 1 < t->count ? &t->steps[g->step + 1] : NULL;
	const struct track_event *ev = track_event(s->track, g->done_by);
	char what[1024] = "", done[sizeof what + 64], then[512];

	if (ev)
		event_describe(ev, what, sizeof what, s->style.utf8 ? TEXT_UTF8 : 0);
	if (what[0])
		/* TRANSLATORS: a tour step done; %s is the event that did it */
		snprintf(done, sizeof done, _("Done: %s."), what);
	else
		/* TRANSLATORS: a tour step done */
		snprintf(done, sizeof done, "%s", _("Done."));
	if (!next)
		/* TRANSLATORS: after "Done: ..." on the tour's last step */
		snprintf(then, sizeof then, "%s", _("That was the last step: N ends the tour."));
	else if (next->loads)
		/* TRANSLATORS: after "Done: ..."; the first %s is the next step's title, the
		 * second the name of the scenario it loads (a word such as "nested") */
		snprintf(then, sizeof then, _("Press N for the next step, %s (the lab restarts with "
					      "scenario %s)."), next->title, next->scenario_name);
	else
		/* TRANSLATORS: after "Done: ..."; %s is the next step's title */
		snprintf(then, sizeof then, _("Press N for the next step, %s."), next->title);
	add_textf(g, GUIDE_DONE, width, "%s %s", done, then);
}

static void add_step(struct guide *g, const struct session *s, int width)
{
	const struct tour *t = g->tour;
	const struct tour_step *st = &t->steps[g->step];

	if (g->step_done)
		/* TRANSLATORS: the lessons pane's title: the tour's step %d of %d, done, and
		 * the step's title */
		snprintf(g->title, sizeof g->title, _("Tour %d/%d, done: %s"), g->step + 1,
			 t->count, st->title);
	else
		/* TRANSLATORS: the lessons pane's title: the tour's step %d of %d, and the
		 * step's title */
		snprintf(g->title, sizeof g->title, _("Tour %d/%d: %s"), g->step + 1, t->count,
			 st->title);
	if (g->step_done)
		add_step_done(g, s, width);
	if (st->look[0])
		/* TRANSLATORS: a tour step: what to look at on the screen */
		add_textf(g, GUIDE_TEXT, width, _("Look: %s"), st->look);
	/* TRANSLATORS: a tour step: what to do */
	add_textf(g, GUIDE_DO, width, _("Do: %s"), st->task);
	if (st->keys[0])
		/* TRANSLATORS: a tour step: the keys it uses */
		add_textf(g, GUIDE_KEYS, width, _("Keys: %s"), st->keys);
	if (g->step_done)
		return;
	if (st->has_until)
		/* TRANSLATORS: N and P are keys */
		add_text(g, GUIDE_NOTE, _("This step is done when it happens; then N goes on. N "
					  "skips it, P goes back one."), width);
	else
		/* TRANSLATORS: N and P are keys */
		add_text(g, GUIDE_NOTE, _("N: the next step when you are ready. P goes back one."),
			 width);
}

static void add_tour_end(struct guide *g, int width)
{
	/* TRANSLATORS: the lessons pane's title after the tour's last step */
	snprintf(g->title, sizeof g->title, "%s", _("Tour: the end"));
	/* TRANSLATORS: the scenarios' names and ?, P and l (keys) stay as they are */
	add_text(g, GUIDE_TEXT, _("That was the tour. The lab goes on: try the keys on the other "
		 "scenarios (forktop --scenario nested, stubborn, zombies, unixdaemon, threads, spawn); "
		 "? lists every key. P goes back a step; l closes this pane."), width);
}

/* The lesson for event seq, under a heading (with a tour) or as the title. */
static void add_lesson(struct guide *g, const struct session *s, unsigned long long seq,
		       bool chosen, int width)
{
	const struct track_event *ev = seq ? track_event(s->track, seq) : NULL;
	struct lesson_context ctx = context_of(s);
	unsigned flags = s->style.utf8 ? TEXT_UTF8 : 0;
	struct lesson_text lt;
	char what[1024];

	if (!ev) {
		if (!g->title[0])
			/* TRANSLATORS: the lessons pane's title */
			snprintf(g->title, sizeof g->title, "%s", _("Lessons"));
		if (s->lab_on)
			/* TRANSLATORS: X, E, t, k, J and s are keys */
			add_text(g, GUIDE_NOTE, _("No lesson yet: act on the lab (X, E, t, k, J, s) "
				 "and this pane explains what happened."), width);
		else
			add_text(g, GUIDE_NOTE, _("No lesson yet: this pane explains the events of "
				 "the log (orphans, zombies, exit codes) as they happen."), width);
		return;
	}
	event_describe(ev, what, sizeof what, flags);
	if (!lesson_explain(&g->book, ev, &ctx, &lt)) {
		if (!g->title[0])
			/* TRANSLATORS: the lessons pane's title */
			snprintf(g->title, sizeof g->title, "%s", _("Lessons"));
		/* TRANSLATORS: %s is the event's sentence */
		add_textf(g, GUIDE_NOTE, width, _("No lesson explains this event: %s"), what);
		return;
	}
	if (g->title[0])
		/* TRANSLATORS: a heading: the lesson's title, under the tour's step */
		add_textf(g, GUIDE_HEADING, width, _("Why: %s"), lt.title);
	else
		/* TRANSLATORS: the lessons pane's title: a lesson's title */
		snprintf(g->title, sizeof g->title, _("Lesson: %s"), lt.title);
	if (chosen) {
		g->chosen_at = g->nlines;
		/* TRANSLATORS: %s is the sentence of the event chosen in the log */
		add_textf(g, GUIDE_NOTE, width, _("The chosen event: %s"), what);
	} else {
		/* TRANSLATORS: %s is the sentence of the event the lesson explains */
		add_textf(g, GUIDE_NOTE, width, _("After: %s"), what);
	}
	add_text(g, lt.error ? GUIDE_ERROR : GUIDE_TEXT, lt.body, width);
}

unsigned long long guide_newest_until(const struct session *s, unsigned long long last)
{
	struct lesson_context ctx = context_of(s);

	for (unsigned long long q = last; q > 0; q--) {
		const struct track_event *ev = track_event(s->track, q);

		if (!ev)
			break;
		if (explains_in_view(s, ev) && lesson_pick(ev, &ctx))
			return q;
	}
	return 0;
}

void guide_build(struct guide *g, const struct session *s, unsigned long long seq, bool chosen,
		 int width)
{
	g->nlines = 0;
	g->chosen_at = SIZE_MAX;
	g->title[0] = '\0';
	if (width < 8)
		width = 8;
	if (in_tour(g))
		add_step(g, s, width);
	else if (g->tour)
		add_tour_end(g, width);
	if (!seq && in_tour(g) && g->step_done)
		add_lesson(g, s, g->done_by, false, width); /* what the step was for */
	else
		add_lesson(g, s, seq ? seq : g->newest, seq != 0 && chosen, width);
}
