/* guide: the lessons pane and the guided tour, without curses. Owns which
 * event the pane explains (the newest one a lesson explains, or the one
 * chosen in the event log), the tour's progress (its step, whether the
 * step's event has happened), and both as lines of text wrapped to the
 * pane's width, each with a role the face styles. */
#ifndef FORKTOP_GUIDE_H
#define FORKTOP_GUIDE_H

#include <stdbool.h>
#include <stddef.h>

#include "../src/lesson.h"
#include "../src/tour.h"
#include "session.h"

enum guide_role {
	GUIDE_HEADING, /* a lesson's title */
	GUIDE_TEXT,
	GUIDE_DO,      /* what a tour step asks for: the face keeps it in view */
	GUIDE_KEYS,    /* the keys a tour step asks for */
	GUIDE_DONE,    /* the tour step's event happened */
	GUIDE_NOTE,    /* what the pane is about, how to go on */
	GUIDE_ERROR,   /* a lesson file is missing or broken */
};

#define GUIDE_LINE_MAX 512

struct guide_line {
	enum guide_role role;
	char text[GUIDE_LINE_MAX];
};

struct guide {
	struct lesson_book book;
	const struct tour *tour;       /* NULL: no tour */
	int step;                      /* the tour's step; tour->count once it is over */
	bool step_done;                /* the step's event happened */
	unsigned long long done_by;    /* that event: the pane explains it while the step waits */
	unsigned long long step_since; /* events after this one count for the step */
	unsigned long long scanned;    /* events up to this one were looked at */
	unsigned long long newest;     /* the newest event a lesson explains; 0: none yet */
	struct guide_line *lines;      /* built by guide_build */
	size_t nlines, cap;
	size_t chosen_at;              /* the line that begins the chosen event's lesson;
					  SIZE_MAX: no lesson of a chosen event */
	char title[LESSON_TITLE_MAX + 64]; /* the pane's title, built by guide_build */
};

/* Reads the lesson texts (lessons_dir NULL: from the data folder). A
 * missing or broken text is shown in the pane, never fatal. Returns 0 or
 * -ENOMEM. */
int guide_open(struct guide *g, const struct tour *tour, const char *lessons_dir);
void guide_close(struct guide *g);

/* Looks at the events logged since the last call: the newest one a lesson
 * explains, and whether the tour's step is done. A done step stays on
 * screen, marked done, until guide_move: the tour never moves by itself,
 * and an event completes only the step shown when it happened. Returns
 * true when this call marked the step done. */
bool guide_update(struct guide *g, const struct session *s);

/* The tour's next (forward) or previous step. The lab restarts with the
 * step's scenario when the step names one, and whenever going back.
 * Returns 0, or -1 with the reason in err. */
int guide_move(struct guide *g, struct session *s, bool forward, char *err, size_t errlen);

/* Builds g->lines and g->title for a pane width columns wide: the tour's
 * step first (with a tour), then the lesson for event seq (0: the newest
 * one a lesson explains), said to be the chosen one when chosen. */
void guide_build(struct guide *g, const struct session *s, unsigned long long seq, bool chosen,
		 int width);
/* The newest event up to last that a lesson explains (a moment of the
 * past's lesson), or 0. */
unsigned long long guide_newest_until(const struct session *s, unsigned long long last);

/* The first line of text that fits in width display columns, broken after
 * a space where there is one; stops at '\n'. Returns its length in bytes
 * and sets *next to where the next line starts. */
size_t guide_wrap(const char *text, int width, size_t *next);

#endif
