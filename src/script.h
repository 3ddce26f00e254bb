/* script: the timed action script of batch mode (and of TUI demos).
 * Owns parsing "@SECONDS ACTION [TARGET] [by JOINER] [timeout S]; ..." against a
 * scenario, so that a bad step is refused before anything starts, and
 * running one step against the lab. */
#ifndef FORKTOP_SCRIPT_H
#define FORKTOP_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "lab.h"
#include "scenario.h"

enum script_action {
	SCRIPT_TERMINATE, SCRIPT_KILL, SCRIPT_INTERRUPT, SCRIPT_JOIN, SCRIPT_POLL, SCRIPT_SPAWN,
	SCRIPT_KILL_MAIN, SCRIPT_EXIT_MAIN, SCRIPT_QUIT,
	SCRIPT_SIGNAL, /* any signal (the TUI's signal menu); a script names its signals by action */
};

struct script_step {
	double at; /* seconds after the lab started */
	enum script_action action;
	char target[LAB_NAME_MAX];
	char joiner[LAB_NAME_MAX]; /* join/poll ... by JOINER; "" for the creator */
	double timeout;            /* join ... timeout SECONDS; < 0 for none */
	int signal;                /* SCRIPT_SIGNAL: which */
};

struct script {
	struct script_step *steps; /* sorted by time, stable */
	size_t count;
};

/* Returns 0, or -1 with "step N ('TEXT'): what is wrong" in err. */
int script_parse(const char *text, const struct scenario *sc, struct script *out, char *err,
		 size_t errlen);
void script_free(struct script *script);

/* Runs one step. Returns 1 for quit, 0 when done, -1 when the lab refused
 * (the reason is in err and in the event log). */
int script_run(const struct script_step *step, struct lab *lab, char *err, size_t errlen);

#endif
