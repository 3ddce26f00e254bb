/* tui: the interactive ncurses face: the live tree, the event log, keys to
 * act on the lab. Owns the terminal while it runs and always gives it back. */
#ifndef FORKTOP_TUI_H
#define FORKTOP_TUI_H

#include "session.h"

#define TUI_MIN_COLS 40
#define TUI_MIN_LINES 10

struct tui_options {
	struct session_options session;
	const struct tour *tour; /* the guided tour, or NULL */
	const char *record;      /* --record FILE, or NULL */
	const char *replay;      /* --replay FILE: a recording shown instead of processes */
	long history_mib;        /* --history: the moments kept for time travel, at most */
};

/* Runs the interactive monitor. Returns the exit status: 0, 1 on a runtime
 * error, 2 when stdin/stdout is not a terminal or TERM is unknown (one line
 * on stderr names --batch; nothing was started). */
int tui_run(const struct tui_options *opt);

#endif
