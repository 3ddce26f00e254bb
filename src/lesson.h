/* lesson: short explanations of what just happened, kept as text files in
 * data/lessons/NAME.txt. Owns reading and checking those files, choosing
 * the lesson for an event (a rule table: the event's kind, its text, and a
 * condition on what the lab knows) and filling a lesson's placeholders
 * ({pid}, {name}, ...) with the event's facts, names escaped. It never
 * draws anything and never changes the lab. */
#ifndef FORKTOP_LESSON_H
#define FORKTOP_LESSON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "i18n.h"
#include "lab.h"
#include "track.h"

#define LESSON_NAME_MAX 48
#define LESSON_TITLE_MAX 192 /* bytes: Hangul takes three a syllable */
#define LESSON_BODY_MAX 2048  /* a lesson file's text, placeholders unfilled */
#define LESSON_TEXT_MAX 4096  /* filled */
#define LESSON_ERROR_MAX 512
#define LESSON_DIR "lessons"  /* under the data folder (see datadir.h) */

struct lesson {
	char name[LESSON_NAME_MAX];   /* the file's name without .txt */
	char title[LESSON_TITLE_MAX];
	char body[LESSON_BODY_MAX];   /* paragraphs separated by '\n' */
	char error[LESSON_ERROR_MAX]; /* not empty: the file is missing or broken */
	char lang[I18N_LANG_MAX];     /* the language of the file read; "" English */
};

/* Every lesson the rules name, read from one folder. */
struct lesson_book {
	char dir[4096];               /* where they were read; "" when none was found */
	char looked[LESSON_ERROR_MAX]; /* where it looked when none was found */
	struct lesson *lessons;
	size_t count;
};

/* What a lesson may say about an event besides the event itself. */
struct lesson_context {
	const struct track *track; /* the events before this one, or NULL */
	const struct lab *lab;     /* the lab, or NULL when none runs */
	pid_t monitor_pid;         /* forktop */
	unsigned text_flags;       /* how names are escaped (TEXT_UTF8) */
};

/* A lesson filled in for one event. */
struct lesson_text {
	const char *name;               /* the lesson's name */
	char title[LESSON_TITLE_MAX];
	char body[LESSON_TEXT_MAX];     /* or, when error is set, what went wrong */
	bool error;
};

/* Parses a lesson: '#' lines are comments, the first other line is the
 * title, the rest the text (a blank line starts a paragraph). label names
 * it in errors. Returns 0, or -1 with "LABEL:LINE: what" in err. */
int lesson_parse(const char *text, const char *label, struct lesson *out, char *err,
		 size_t errlen);
int lesson_load_file(const char *path, struct lesson *out, char *err, size_t errlen);

/* Reads every lesson the rules name from dir (NULL: the data folder's
 * lessons/). Never fails as a whole: a missing folder leaves book->dir
 * empty and says in book->looked where it looked; a missing or broken file
 * sets that lesson's error. Returns the number of lessons that failed, or
 * -ENOMEM. */
int lesson_book_open(struct lesson_book *book, const char *dir);
/* The same in the languages given, best first: each lesson is read from
 * dir/LANG/NAME.txt for the first LANG that has it, else from dir/NAME.txt
 * (English). lesson_book_open uses the user's (i18n_user_languages). */
int lesson_book_open_in(struct lesson_book *book, const char *dir,
			const char (*langs)[I18N_LANG_MAX], size_t nlangs);
void lesson_book_close(struct lesson_book *book);
const struct lesson *lesson_book_find(const struct lesson_book *book, const char *name);

/* The name of the lesson that explains ev, or NULL when none does. */
const char *lesson_pick(const struct track_event *ev, const struct lesson_context *ctx);
/* ev's lesson, filled in. False when no lesson explains ev; true with
 * out->error set when its text could not be read. */
bool lesson_explain(const struct lesson_book *book, const struct track_event *ev,
		    const struct lesson_context *ctx, struct lesson_text *out);

/* The lessons the rules name, each once: how many, and the i-th. */
size_t lesson_rule_lessons(void);
const char *lesson_rule_lesson(size_t i);
/* Whether {name} is a placeholder lessons may use. */
bool lesson_placeholder_known(const char *name, size_t len);

#endif
