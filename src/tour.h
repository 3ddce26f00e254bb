/* tour: the guided tour of forktop --tour, read from an INI file with inih
 * (data/lessons/tour.conf unless another is named). Owns parsing and
 * checking the steps, loading the scenario each step names (so a broken
 * one stops forktop before anything starts), and deciding whether an event
 * is the one that completes a step. Every error names the file and the
 * line. It never starts a process and never draws anything. */
#ifndef FORKTOP_TOUR_H
#define FORKTOP_TOUR_H

#include <stdbool.h>
#include <stddef.h>

#include "scenario.h"
#include "track.h"

#define TOUR_STEPS_MAX 32
#define TOUR_FILE "lessons/tour.conf" /* in the data folder (see datafile.h) */
#define TOUR_NAME "tour.conf"         /* translated: lessons/LANG/tour.conf */

#define TOUR_CONDITIONS_MAX 4

/* FIELD=VALUE of `until`: a field of the event (as NDJSON names it) and
 * the value it must have; '*' in the value matches any run. */
struct tour_condition {
	char field[16];
	char value[64];
};

struct tour_step {
	char name[SCENARIO_NAME_MAX];
	char title[192];     /* bytes: Hangul takes three a syllable */
	char look[1536];     /* what to look at */
	char task[1536];     /* what to do (the file's `do`) */
	char keys[48];       /* the keys to press, as the key bar names them */
	bool has_until;      /* else the step ends when the learner moves on (N) */
	enum event_kind until_kind;
	struct tour_condition until[TOUR_CONDITIONS_MAX]; /* all must hold */
	int nuntil;
	bool loads;          /* it names a scenario: the lab restarts with it */
	char scenario_name[256];
	struct scenario scenario;
};

struct tour {
	char title[192];
	struct tour_step steps[TOUR_STEPS_MAX];
	int count;
};

/* Reads a tour file; a step's scenario that is a path is read relative to
 * the tour file's folder. Returns 0, or -1 with "FILE:LINE: what" in err. */
int tour_load_file(const char *path, struct tour *out, char *err, size_t errlen);
/* The same from text; label names it in errors, base_dir anchors paths. */
int tour_load_string(const char *text, const char *label, const char *base_dir,
		     struct tour *out, char *err, size_t errlen);

/* Whether ev is the event that completes step (always false without `until`). */
bool tour_step_done_by(const struct tour_step *step, const struct track_event *ev);
/* The scenario step i runs with: its own, or that of the nearest earlier
 * step that loads one. */
const struct scenario *tour_scenario_of(const struct tour *t, int i);

#endif
