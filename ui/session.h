/* session: what every face shares. One monitor session owns the scanner,
 * the tracker, the lab and its script, the view shown and the loop that
 * waits, and turns each refresh into display rows (a view model with no
 * curses types). The faces (batch, tui) only present rows and events and
 * pass on the user's actions through these functions: a face never
 * writes a session field. */
#ifndef FORKTOP_SESSION_H
#define FORKTOP_SESSION_H

#include <poll.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "../src/clock.h"
#include "../src/family.h"
#include "../src/lab.h"
#include "../src/procev.h"
#include "../src/pyhook.h"
#include "../src/scan.h"
#include "../src/scenario.h"
#include "../src/script.h"
#include "../src/tour.h"
#include "../src/track.h"
#include "../src/tree.h"
#include "ghost.h"
#include "rows.h"
#include "threads.h"
#include "view.h"

#define SESSION_TOMBSTONE_MS 5000 /* an ended lab process stays shown this long */
#define SESSION_FLASH_MS 1500     /* a changed row is marked this long */
#define SESSION_ROTATION 4        /* partial scans: each process read at least every 4 refreshes */

/* Where a watched program's forks and exits come from. */
enum session_events {
	SESSION_EVENTS_AUTO,    /* the kernel's where it answers, else polling */
	SESSION_EVENTS_KERNEL,  /* the kernel's process events, or an error */
	SESSION_EVENTS_POLLING, /* /proc at each refresh only */
};
/* "auto", "kernel", "polling" to the enum; false for anything else. */
bool session_events_by_name(const char *name, enum session_events *out);

/* What the session needs to know; each face keeps its own options beside
 * these (struct batch_options, struct tui_options). */
struct session_options {
	long delay_ms;      /* between refreshes */
	long iterations;    /* 0: until interrupted (or the script quits) */
	bool all;           /* every process */
	pid_t family_pid;   /* >0: only this process's ancestors and descendants */
	bool cmdlines;      /* every snapshot reads command lines (for NDJSON) */
	bool ascii;         /* ASCII glyphs and names even in a UTF-8 locale */
	bool tombstones;    /* keep ended lab processes shown for a while (TUI) */
	bool partial_scans; /* the all-processes view reads only what changed or shows,
			       and a rotating share of the rest (TUI); else every process */
	bool subreaper;     /* the monitor starts as a child subreaper */
	bool threads;       /* each process's threads under it (--threads; H toggles it) */
	unsigned columns;   /* enum rows_column: columns asked for beyond the default ones */
	char *const *command; /* forktop -- CMD ARGS: watch this program's family (no lab) */
	pid_t attach_pid;   /* --attach PID: watch this process's family (no lab) */
	bool no_python_hook; /* the program's Python processes load no hook (--no-python-hook) */
	const char *command_label; /* the header's name for the program ("example daemon"), or
				      NULL for its command's first word */
	enum session_events events; /* for a program's family (command or attach_pid) */
	int events_buffer;  /* the kernel events' receive buffer in bytes (0: the default) */
	const struct scenario *scenario; /* the lab to run, or NULL for none */
	const struct script *script;     /* timed actions, or NULL */
};

struct session_mark {
	pid_t pid;
	unsigned long long start_time;
	struct timespec until; /* CLOCK_MONOTONIC */
};

struct session_tomb {
	struct scan_proc proc;     /* as last seen, state 'X' once ended */
	struct timespec died;      /* CLOCK_MONOTONIC; zero while alive */
	bool seen;
};

/* What a session shows: the lab's processes, a program's family, one
 * process's ancestors and descendants (--pid), or every process. */
enum session_view_kind {
	SESSION_VIEW_LAB,
	SESSION_VIEW_PROGRAM,
	SESSION_VIEW_FAMILY,
	SESSION_VIEW_ALL,
};

struct session {
	const struct session_options *opt;
	pid_t self;                /* forktop's own PID: asked once, not once a row */
	struct scenario scenario;  /* the lab's (valid when opt->scenario is set) */
	struct rows_style style;
	enum session_view_kind home; /* the view it starts from and goes back to */
	enum session_view_kind chosen; /* home, or every process */
	bool scanned_all;          /* the scope of the previous snapshot */
	bool subreaper;            /* orphans come to the monitor instead of PID 1 */
	struct scan *scan;
	struct track *track;
	struct scan_snapshot snap;
	struct session_view view;
	struct tree tree;
	struct row *rows;
	size_t nrows, rows_cap;
	pid_t *shown_before;       /* sorted PIDs of the previous refresh (family view) */
	size_t nshown_before, shown_before_cap;
	unsigned long long events_seen; /* newest event of the previous refresh */
	long refreshes;
	struct lab lab;
	bool lab_on;
	struct family fam;         /* a program's family (forktop -- CMD, --attach) */
	struct pyhook hook;        /* what its Python processes tell (forktop -- CMD) */
	pid_t *watch;              /* PIDs the lab view selects */
	size_t watch_cap;
	pid_t *wanted;             /* partial scans: PIDs read at every refresh (on screen) */
	size_t nwanted, wanted_cap;
	struct session_tomb *tombs; /* by lab member index */
	size_t ntombs, tombs_cap;
	struct session_tomb *fam_tombs; /* by family member index */
	size_t nfam_tombs, fam_tombs_cap;
	struct procev *kernel;     /* the kernel's process events, or NULL: polling */
	bool kernel_lost;          /* some were lost: the next refresh reads everything */
	struct timespec kernel_quiet_until; /* its socket is not polled before (see KERNEL_GATHER_MS) */
	struct timespec kernel_last_read;   /* when a read last brought events */
	bool kernel_read_any;               /* one has */
	bool snap_whole;           /* s->snap holds every process (not the lab's alone) */
	pid_t *dirty;              /* what the kernel said changed since the last refresh */
	size_t ndirty, dirty_cap;
	pid_t *ended;              /* of those, the ones that ended (their children moved) */
	size_t nended, ended_cap;
	struct session_ghost ghost; /* the tree as it was, rebuilt with the rows when wanted */
	struct session_threads threads; /* threads' lines, rebuilt with the rows when wanted */
	bool ghost_wanted;
	struct pollfd *pfds;       /* see session_poll_fds */
	size_t pfds_cap;
	struct session_mark *marks; /* rows that changed recently */
	size_t nmarks, marks_cap;
	size_t next_step;          /* the script's next step */
	struct timespec t0;        /* CLOCK_MONOTONIC when the lab started */
};

/* SIGINT, SIGTERM and SIGHUP set a flag the loops check (the lab is in its
 * own process group: the terminal's Ctrl-C reaches only the monitor). They
 * and SIGWINCH are let through only while the session waits, so that each
 * ends the wait it arrives in. */
void session_catch_stop_signals(void);
/* Gives back the signal mask the process had (the loop is over): the rest of
 * the way out, a pending stop signal is delivered as usual. */
void session_release_stop_signals(void);
bool session_stop_requested(void);
/* poll() for the loop (and tests): the stop signals, blocked everywhere
 * else, get through only while waiting here, so one that comes between a
 * loop's check and its wait ends the wait at once instead of after the
 * timeout. */
int session_poll(struct pollfd *fds, size_t n, int timeout_ms);

int session_open(struct session *s, const struct session_options *opt, char *err, size_t errlen);
/* Ends the lab (nothing is left running) and frees everything. */
void session_close(struct session *s);
/* Makes the monitor a child subreaper (orphans of the lab come to it, and it
 * reaps them), or stops it. Returns 0 or a negative errno. */
int session_set_subreaper(struct session *s, bool on);
/* The command line kept for row r's process when it joined the program's
 * family (for a zombie or an ended one, which /proc no longer tells), or NULL. */
const char *session_kept_cmdline(const struct session *s, const struct row *r);
/* Why there is no lab, from what the user asked for (a program, --attach,
 * --pid, --no-lab). */
const char *session_no_lab_reason(const struct session *s);
/* The start method in force: the lab's, or the one a program's Python last
 * started a child with (its hook tells); NULL while unknown. */
const char *session_start_method(const struct session *s);
/* The top process of the program forktop started (-- CMD), or NULL. */
const struct member *session_program_top(const struct session *s);
/* Sends sig to it through its pidfd (logged). Returns 0, or -1 with why in
 * err: no program forktop started, or it has ended. */
int session_signal_program_top(struct session *s, int sig, char *err, size_t errlen);
/* Starts the lab again from its scenario (the old one is ended first); or
 * a program forktop started: its family ended as on quit (SIGTERM, then
 * SIGKILL, through pidfds), then its command again. */
int session_restart_lab(struct session *s, char *err, size_t errlen);
/* The same with another scenario (or the same one with another start
 * method), which later restarts keep. */
int session_use_scenario(struct session *s, const struct scenario *sc, char *err, size_t errlen);

/* The processes a partial scan must read at every refresh (what the face
 * shows); lab processes are always added. */
void session_want(struct session *s, const pid_t *pids, size_t n);
/* A new snapshot into s->rows[0..nrows), and s->ghost when it is wanted.
 * Returns 0 or a negative errno. */
int session_refresh(struct session *s);
/* The facts of one row from the lab and the program's family: role,
 * daemon flag, exit code, orphan, tombstone, a recent change. The one place
 * a row gets them, for the live tree and the tree as it was. */
void session_annotate_row(const struct session *s, struct row *r);
/* The facts of member m (the lab's or the program's) on its row r: for a
 * process that is gone, whose record the lookup by snapshot no longer finds. */
void session_annotate_member(const struct session *s, struct row *r, const struct member *m);
/* How long an ended process lived, in microseconds, when the kernel told
 * both its fork and its exit; -1 otherwise. */
long long session_row_lifetime_us(const struct session *s, const struct row *r);
/* The note shown after a row's name ("orphan: was under ...", "ended"), or "". */
/* A row's note, in the locale's words, cut at a whole character. */
#define SESSION_NOTE_MAX 384 /* bytes: room for a translated note */
void session_row_note(const struct session *s, const struct row *r, char *buf, size_t len);
/* A lab process's name in the lab ("Process-3:resource_tracker": its comm
 * holds at most 15 bytes of it), or NULL for other rows. Valid until the
 * lab next changes (the next lab_handle). */
const char *session_row_label(const struct session *s, const struct row *r);
/* What a hooked Python process's run() calls, as its hello told it, or NULL. */
const char *session_row_target(const struct session *s, const struct row *r);
/* Whether each process's threads are read with every refresh (row
 * first_thread and nthreads); on reads them at once. Returns 0 or a
 * negative errno. */
int session_show_threads(struct session *s, bool on);
/* The line of row r's thread k (k < r->nthreads). */
const struct row *session_thread_line(const struct session *s, const struct row *r, size_t k);
/* Python's daemon flag of thread tid of the process proc_row shows, where
 * the lab knows it; else unknown. */
enum row_daemon session_thread_daemon(const struct session *s, const struct row *proc_row,
				      pid_t tid);
/* Whether s->ghost (the tree as it was) is built with every refresh; on
 * builds it from the latest one at once. Returns 0 or a negative errno. */
int session_show_ghost(struct session *s, bool on);
/* The view shown: the chosen one, or every process while the lab view has
 * no lab running. */
enum session_view_kind session_view_kind(const struct session *s);
/* Every process, or back to the view it started with (a family view
 * stays). */
void session_toggle_all(struct session *s);
/* Whether an event concerns what this session shows. */
bool session_event_in_view(const struct session *s, const struct track_event *ev);
/* The extra columns rows show: those asked for, and NSPID while the lab runs
 * in its own PID namespace. */
unsigned session_columns(const struct session *s);
const char *session_view_name(const struct session *s);
/* "kernel" or "polling": where the family's forks and exits come from. */
const char *session_events_name(const struct session *s);
/* Counts for a header: lab processes running, zombies, orphans. */
void session_lab_counts(const struct session *s, int *running, int *zombies, int *orphans);

/* The descriptors to poll, in an array the session owns and sizes: `extra`
 * leading slots for the face (its keyboard), then the lab's channels and
 * pidfds and the program's. Returns the number of the session's own, at
 * (*fds)[extra...]. */
size_t session_poll_fds(struct session *s, size_t extra, struct pollfd **fds);
/* Handles what poll() reported on the session's own descriptors. */
void session_handle(struct session *s, const struct pollfd *fds, size_t n);
/* An action on the lab, a key's or a script step's: the one way a face acts
 * on lab processes. Returns 1 for quit, 0 when done, -1 when refused (why
 * in err, and in the event log when the lab refused it). */
int session_act(struct session *s, const struct script_step *action, char *err, size_t errlen);
/* Runs the script steps that are due; false when one was quit. */
bool session_run_due_steps(struct session *s);
/* Milliseconds until the next script step, or -1 when none is left. */
long session_ms_to_next_step(const struct session *s);

/* What a face hooks into the one loop both faces run (session_run). */
struct session_loop {
	/* A refresh is due: a new snapshot (session_refresh) and its showing.
	 * A negative errno ends the loop with it. */
	int (*refresh)(void *face);
	/* Before each wait (the TUI draws); false ends the loop. May be NULL. */
	bool (*before_wait)(void *face);
	/* After each wait, with what poll() said of input_fd (0 when it said
	 * nothing: ncurses learns of a resize by a signal that only ends the
	 * wait); false ends the loop. May be NULL. */
	bool (*after_wait)(void *face, short input_revents);
	int input_fd;             /* -1: none; else polled with the session's own */
	bool refresh_on_activity; /* a report of the lab or the program refreshes at once */
	bool end_with_program;    /* a last refresh, then the end, once a started program's
				     family has ended */
};

/* Refreshes every opt->delay_ms (at most opt->iterations times, 0: no
 * limit), runs the script's steps when they are due and handles the lab's
 * and the program's reports while it waits, until a stop signal, a quit
 * step or the face ends it. Returns 0 or the negative errno a refresh
 * returned. */
int session_run(struct session *s, const struct session_loop *loop, void *face);


#endif
