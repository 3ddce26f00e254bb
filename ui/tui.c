/* tui: layout (header, tree, event pane, status line, key bar), the key
 * table, mouse, resize and colours. Rows come from the session already
 * escaped; this file only measures and cuts them by display width, so a
 * hostile name can neither reach the terminal raw nor break the columns.
 * It changes the session only through the session's functions. */
#include "tui.h"

#include <ctype.h>
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/example.h"
#include "../src/grow.h"
#include "../src/i18n.h"
#include "../src/pidref.h"
#include "../src/text.h"
#include "capture.h"
#include "frameview.h"
#include "guide.h"
#include "history.h"
#include "recorder.h"

enum colour { C_DAEMON = 1, C_WORKER, C_ZOMBIE, C_ORPHAN, C_MONITOR, C_MAIN, C_BAR, C_ERROR };

enum focus { FOCUS_TREE, FOCUS_LOG };
enum mode { MODE_NORMAL, MODE_HELP, MODE_SEARCH, MODE_CONFIRM, MODE_SIGNALS, MODE_TIME, MODE_MARK };

struct identity {
	pid_t pid;
	unsigned long long start_time;
};

/* A line of the tree: a process's row, or one of its threads (H). */
struct line {
	int row;
	int thread; /* -1: the process's own line */
};

struct tui {
	struct session s;
	enum mode mode;
	enum focus focus;
	bool colour, quit;
	bool commands;              /* c: command lines instead of names */
	bool lessons;               /* l: the lessons pane (always open in a tour) */
	struct guide guide;         /* what the lessons pane shows, the tour's progress */
	int lesson_scroll;          /* [ ]: the lessons pane's first line shown */
	bool lesson_grown;          /* L: the pane takes what the tree does not need */
	int lines, cols;
	struct line *visible;       /* the lines shown after collapsing: rows and threads */
	int nvisible;
	size_t visible_cap;
	int selected, top;          /* in visible */
	int was_top;                /* g: the first row shown of the tree as it was */
	struct identity sel;        /* the selected process, kept across refreshes */
	pid_t sel_tid;              /* the selected thread's line of it, or 0 */
	struct identity *collapsed;
	int ncollapsed;
	size_t collapsed_cap;
	int log_scroll;             /* lines up from the newest; 0: it follows the newest */
	int log_new;                /* lines logged below since it was scrolled up */
	unsigned long long log_seen; /* the newest event the log has counted */
	bool lesson_of_chosen_shown; /* the lessons pane shows the chosen event's lesson */
	int help_top, help_lines;   /* the help's first line shown, and how many it has */
	unsigned columns, columns_was; /* what the tree (and the tree as it was) show */
	unsigned columns_asked;     /* extra columns the user asked for (--columns, C) */
	bool columns_to_say;        /* the user just asked for columns: say what the width leaves out */
	struct identity said_for;   /* the selection when the status line was last said */
	char sel_note[SESSION_NOTE_MAX];         /* the selected row's note, when the tree cut it */
	char status[1024];          /* bytes: a translated message is longer */
	bool status_error;
	char query[64];
	int signal_choice;
	int pending_signal;         /* MODE_CONFIRM: the signal waiting for y */
	struct identity pending;    /* MODE_CONFIRM: its target */
	char pending_name[80];
	/* time travel: the moments kept, and the one shown while in the past */
	struct history history;
	unsigned long long past;    /* the moment shown (its id); 0: live */
	unsigned long long marked;  /* the event of the moment: the log marks it; 0: its newest */
	struct frame_view pv, pghost; /* the moment's rows, and the tree as it was then */
	struct frame pframe, pghost_frame; /* their frames, borrowed from the history */
	struct frame capture, capture_ghost; /* a refresh being kept */
	struct history_hold hold;   /* the moment shown, held while it is */
	bool said_left;             /* that it left the history was said */
	char prompt[64];            /* MODE_TIME, MODE_MARK: what is typed */
	struct recorder record;     /* --record FILE */
	bool recording;
	unsigned long long recorded; /* the newest event recorded */
	/* --replay FILE: the moments come from a recording; nothing is live */
	bool replay;
	bool following;             /* a replay shows each new moment as it comes */
	bool replay_ended;          /* no more lines will come */
	struct recording_reader reader;
	struct recording_line line;
	struct frame rframe, rghost; /* the line being read */
	char replay_what[200];      /* the header's name for what was recorded */
	int keyboard_fd;
};

/* A set of rows and their tree: the tree as it was, live or past. */
struct rows_set {
	const struct row *rows;
	size_t nrows;
	const struct tree *tree;
};

static const struct {
	int sig;
	const char *name, *what;
} signal_menu[] = {
	/* TRANSLATORS: the signal menu (F9): what each signal does, after its name */
	{ SIGTERM, "SIGTERM", N_("terminate(): Python keeps the default action, no exit routine") },
	{ SIGKILL, "SIGKILL", N_("kill(): cannot be caught, no exit routine") },
	{ SIGINT, "SIGINT",
	  N_("Ctrl-C: the exit routine runs; then main dies by SIGINT, a child exits 1") },
	{ SIGHUP, "SIGHUP", N_("hang-up: default action ends the process") },
	{ SIGQUIT, "SIGQUIT", N_("quit: default action ends the process (core)") },
	{ SIGSTOP, "SIGSTOP", N_("stop it (state T) until SIGCONT") },
	{ SIGCONT, "SIGCONT", N_("continue a stopped process") },
	{ SIGUSR1, "SIGUSR1", N_("default action ends the process") },
};
#define SIGNAL_MENU_SIZE ((int)(sizeof signal_menu / sizeof signal_menu[0]))

/* ---- text by display width ---------------------------------------------- */

/* Draws text from (y, x) in at most width columns; returns the columns used.
 * Characters with no width of their own (unprintable to this terminal) are
 * drawn as '?'. */
static int draw_text(int y, int x, const char *text, int width)
{
	size_t len = strlen(text);
	int used = 0;

	move(y, x);
	for (size_t i = 0; i < len && used < width;) {
		size_t n;
		int w = text_char_width(text + i, len - i, &n);

		if (w < 0) {
			addch('?');
			used++;
		} else if (used + w > width) {
			break;
		} else {
			addnstr(text + i, (int)n);
			used += w;
		}
		i += n;
	}
	return used;
}

static void fill_line(int y, int from)
{
	move(y, from);
	clrtoeol();
}

/* ---- colours ------------------------------------------------------------ */

static void setup_colours(struct tui *t)
{
	const char *no_colour = getenv("NO_COLOR");

	t->colour = has_colors() && !(no_colour && *no_colour);
	if (!t->colour)
		return;
	start_color();
	use_default_colors();
	init_pair(C_DAEMON, COLOR_CYAN, -1);
	init_pair(C_WORKER, COLOR_GREEN, -1);
	init_pair(C_ZOMBIE, COLOR_RED, -1);
	init_pair(C_ORPHAN, COLOR_YELLOW, -1);
	init_pair(C_MONITOR, COLOR_BLUE, -1);
	init_pair(C_MAIN, COLOR_MAGENTA, -1);
	init_pair(C_BAR, COLOR_BLACK, COLOR_CYAN);
	init_pair(C_ERROR, COLOR_RED, -1);
}

/* Attributes for a row: by role and state, and without colours by
 * attributes alone (bold main, dim ended, underlined orphans). */
static attr_t row_attr(const struct tui *t, const struct row *r)
{
	attr_t a = A_NORMAL;
	int pair = 0;

	if (r->tombstone)
		a |= A_DIM;
	if (r->state == 'Z')
		pair = C_ZOMBIE, a |= t->colour ? 0 : A_BOLD;
	else if (r->orphan)
		pair = C_ORPHAN, a |= t->colour ? 0 : A_UNDERLINE;
	else if (r->role == ROW_ROLE_MONITOR)
		pair = C_MONITOR;
	else if (rows_is_lab(r) && r->lab_role == LAB_ROLE_MAIN)
		pair = C_MAIN, a |= A_BOLD;
	else if (rows_is_lab(r))
		pair = r->daemon == ROW_DAEMON_YES ? C_DAEMON : C_WORKER;
	if (r->flash)
		a |= A_BOLD | A_STANDOUT;
	if (t->colour && pair)
		a |= (attr_t)COLOR_PAIR(pair);
	return a;
}

static void bar_on(const struct tui *t)
{
	attrset(t->colour ? COLOR_PAIR(C_BAR) : A_REVERSE);
}

/* ---- status line -------------------------------------------------------- */

__attribute__((format(printf, 3, 4)))
static void say(struct tui *t, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->status, sizeof t->status, fmt, ap);
	va_end(ap);
	t->status_error = error;
	t->said_for = t->sel;
	t->columns_to_say = false; /* a newer answer is not covered by an older question's */
}

/* ---- visible rows, selection, collapse ---------------------------------- */

/* ---- what is shown: the live refresh, or a moment of the history -------- */

static bool in_past(const struct tui *t)
{
	return t->past != 0;
}

static void past_label(const struct tui *t, char *buf, size_t len);
static unsigned long long current_event(const struct tui *t);

static const struct row *shown_rows(const struct tui *t, size_t *n)
{
	*n = in_past(t) ? t->pv.nrows : t->s.nrows;
	return in_past(t) ? t->pv.rows : t->s.rows;
}

static const struct tree *shown_tree(const struct tui *t)
{
	return in_past(t) ? &t->pv.tree : &t->s.tree;
}

static const struct row *shown_thread(const struct tui *t, const struct row *r, size_t k)
{
	return in_past(t) ? frame_view_thread(&t->pv, r, k) : session_thread_line(&t->s, r, k);
}

static struct rows_set ghost_of(const struct tui *t)
{
	if (in_past(t))
		return (struct rows_set){ t->pghost.rows, t->pghost.nrows, &t->pghost.tree };
	return (struct rows_set){ t->s.ghost.rows, t->s.ghost.nrows, &t->s.ghost.tree };
}

/* The past view a row of the moment belongs to: the tree, or the tree as it was. */
static const struct frame_view *view_of(const struct tui *t, const struct row *r)
{
	const struct frame_view *g = &t->pghost;

	if ((r >= g->rows && r < g->rows + g->nrows) || (r >= g->threads && r < g->threads + g->nthreads))
		return g;
	return &t->pv;
}

static const char *shown_label(const struct tui *t, const struct row *r)
{
	return in_past(t) ? frame_view_label(view_of(t, r), r) : session_row_label(&t->s, r);
}

/* How rows are drawn: the session's style, at the moment's time in the
 * past (its ELAPSED) and with a recording's clock ticks. */
static const struct rows_style *shown_style(const struct tui *t)
{
	static struct rows_style past;

	if (!in_past(t))
		return &t->s.style;
	past = t->s.style;
	past.uptime_ticks = t->pframe.uptime_ticks;
	if (t->pframe.hz > 0)
		past.hz = t->pframe.hz;
	return &past;
}

static void shown_note(const struct tui *t, const struct row *r, char *buf, size_t len)
{
	const char *note;

	if (!in_past(t)) {
		session_row_note(&t->s, r, buf, len);
		return;
	}
	note = r->task ? NULL : frame_view_proc(view_of(t, r), r)->note;
	snprintf(buf, len, "%s", note ? note : "");
}

static bool is_collapsed(const struct tui *t, const struct row *r)
{
	for (int i = 0; i < t->ncollapsed; i++)
		if (t->collapsed[i].pid == r->pid && t->collapsed[i].start_time == r->proc->start_time)
			return true;
	return false;
}

/* A process's thread lines are shown when it has more than one thread. */
static size_t thread_lines(const struct row *r)
{
	return r->nthreads > 1 ? r->nthreads : 0;
}

/* Rows in preorder, each followed by its threads' lines, skipping the
 * subtrees (and threads) of collapsed rows. */
static void compute_visible(struct tui *t)
{
	size_t nrows, threads = in_past(t) ? t->pv.nthreads : t->s.threads.ntasks;
	const struct row *rows = shown_rows(t, &nrows);
	const struct tree *tree = shown_tree(t);

	t->nvisible = 0;
	if (GROW(t->visible, t->visible_cap, nrows + threads) < 0)
		return; /* nothing is shown rather than rows that are not there */
	for (size_t i = 0; i < nrows;) {
		bool collapsed = is_collapsed(t, &rows[i]);

		t->visible[t->nvisible++] = (struct line){ (int)i, -1 };
		for (size_t k = 0; !collapsed && k < thread_lines(&rows[i]); k++)
			t->visible[t->nvisible++] = (struct line){ (int)i, (int)k };
		i += collapsed ? (size_t)tree->nodes[i].subtree_size : 1;
	}
}

/* The process row of visible line v. */
static const struct row *row_of_line(const struct tui *t, int v)
{
	size_t n;

	return &shown_rows(t, &n)[t->visible[v].row];
}

/* What line v shows: a process's row or a thread's line. */
static const struct row *line_row(const struct tui *t, int v)
{
	const struct row *r = row_of_line(t, v);

	return t->visible[v].thread < 0 ? r : shown_thread(t, r, (size_t)t->visible[v].thread);
}

/* The selected process (a thread's line selects its process: what a key
 * does to a thread, a signal, it does to the whole process). */
static const struct row *selected_row(const struct tui *t)
{
	if (t->selected < 0 || t->selected >= t->nvisible)
		return NULL;
	return row_of_line(t, t->selected);
}

static void remember_selection(struct tui *t)
{
	const struct row *r = selected_row(t);

	if (!r)
		return;
	t->sel = (struct identity){ r->pid, r->proc->start_time };
	t->sel_tid = t->visible[t->selected].thread < 0 ? 0 : line_row(t, t->selected)->pid;
}

/* Keeps the selection on a row (the first when there is none) and remembers it. */
static void clamp_selection(struct tui *t)
{
	if (t->selected >= t->nvisible)
		t->selected = t->nvisible - 1;
	if (t->selected < 0)
		t->selected = 0;
	remember_selection(t);
}

/* After a refresh: the same process stays selected wherever its row went. */
static void follow_selection(struct tui *t)
{
	int process = -1;

	for (int i = 0; i < t->nvisible; i++) {
		const struct row *r = row_of_line(t, i);

		if (r->pid != t->sel.pid || r->proc->start_time != t->sel.start_time)
			continue;
		if (process < 0)
			process = i;
		if (!t->sel_tid || (t->visible[i].thread >= 0 && line_row(t, i)->pid == t->sel_tid)) {
			t->selected = i;
			return;
		}
	}
	if (process >= 0) /* its thread ended, or threads are no longer shown */
		t->selected = process;
	clamp_selection(t);
}

/* After the session's rows were made again (a refresh, a restart, a tour
 * step): what is visible, and the selection on the same process. The
 * rows may be new: nothing may point into an old lab. */
static void rows_changed(struct tui *t)
{
	compute_visible(t);
	follow_selection(t);
}

static void toggle_collapse(struct tui *t, int collapse)
{
	const struct row *r = selected_row(t);
	struct identity id;

	if (!r)
		return;
	id = (struct identity){ r->pid, r->proc->start_time };
	for (int i = 0; i < t->ncollapsed; i++)
		if (t->collapsed[i].pid == id.pid && t->collapsed[i].start_time == id.start_time) {
			if (!collapse)
				t->collapsed[i] = t->collapsed[--t->ncollapsed];
			return;
		}
	if (!collapse)
		return;
	if (GROW(t->collapsed, t->collapsed_cap, (size_t)t->ncollapsed + 1) < 0)
		return;
	t->collapsed[t->ncollapsed++] = id;
}

/* ---- layout ------------------------------------------------------------- */

/* From the top: header, column header, tree, the lessons pane (when open:
 * a title line and lesson_height lines), the event log (a title line and
 * log_height lines; none when a small screen shows lessons), status, keys. */
struct layout {
	int head; /* the header's lines (the column header is the next one) */
	int tree_top, tree_height, lesson_top, lesson_height, log_top, log_height, status, keybar;
	int was_top, was_height; /* g, one above the other: the tree as it was; else 0 */
};

static bool ghost_stacked(const struct tui *t);
static int header_rows(const struct tui *t);

#define GROWN_LOG_LINES 2 /* the event log's lines beside a larger lessons pane */

/* With L, the event log's lines (and its title): a few, where the screen
 * has room for them beside the tree and the pane. */
static int grown_log_size(int body)
{
	return body >= 4 * (GROWN_LOG_LINES + 1) ? GROWN_LOG_LINES + 1 : 0;
}

/* The lessons pane's lines with its title: more during a tour (the step and
 * the lesson), at least a title and two lines, and never all of the tree.
 * L gives it what the tree does not need while the tree takes at most half
 * the rows, else all but a third (the tree scrolls), and leaves the log a
 * few lines; never more than its text needs (built before the layout). */
static int lesson_pane_size(const struct tui *t, int body)
{
	int pane = t->guide.tour ? body * 2 / 5 : body / 4;
	int tree = t->nvisible > 3 ? t->nvisible : 3;
	int room = body - grown_log_size(body);

	if (tree > room / 2)
		tree = room / 3 > 3 ? room / 3 : 3;
	if (t->lesson_grown && room - tree > pane)
		pane = room - tree;
	if (t->lesson_grown && pane > (int)t->guide.nlines + 1)
		pane = (int)t->guide.nlines + 1 > body / 4 ? (int)t->guide.nlines + 1 : body / 4;

	if (pane < 3)
		pane = 3;
	return pane > body - 2 ? body - 2 : pane;
}

static struct layout layout_of(const struct tui *t)
{
	struct layout l;
	int head = header_rows(t);
	int body = t->lines - head - 3; /* header, column header, status, key bar */
	int pane = t->lessons ? lesson_pane_size(t, body) : 0;

	l.log_height = (body - pane) / (t->lessons ? 4 : 3);
	if (t->lessons && t->lesson_grown)
		l.log_height = grown_log_size(body) ? GROWN_LOG_LINES : 0;
	if (l.log_height < 1 && !(t->lessons && t->lesson_grown))
		l.log_height = t->lessons ? 0 : 1;
	l.head = head;
	l.tree_top = head + 1;
	l.tree_height = body - pane - l.log_height - (l.log_height ? 1 : 0); /* a title per pane */
	l.lesson_top = l.tree_top + l.tree_height + 1;
	l.lesson_height = pane ? pane - 1 : 0;
	l.log_top = l.tree_top + l.tree_height + pane + 1;
	l.status = t->lines - 2;
	l.keybar = t->lines - 1;
	l.was_top = l.was_height = 0;
	if (ghost_stacked(t)) { /* the tree as it was above, a column header, now below */
		l.was_top = l.tree_top;
		l.was_height = (l.tree_height - 1) / 2;
		l.tree_top += l.was_height + 1;
		l.tree_height -= l.was_height + 1;
	}
	return l;
}

/* g: where the selected process stands in the tree as it was; -1 when
 * it is not there (not a member). */
static int was_row_of_selection(const struct tui *t)
{
	struct rows_set g = ghost_of(t);
	const struct row *r = selected_row(t);

	for (size_t i = 0; r && i < g.nrows; i++)
		if (g.rows[i].pid == r->pid)
			return (int)i;
	return -1;
}

static int was_rows_shown(const struct layout *l)
{
	return l->was_height ? l->was_height : l->tree_height;
}

/* g: the tree as it was scrolls with the selection, so that the selected
 * process shows in both trees; the rest of the time it stays put. */
static void scroll_was(struct tui *t, const struct layout *l)
{
	int height = was_rows_shown(l), at = was_row_of_selection(t);
	int last = (int)ghost_of(t).nrows - height;

	if (at >= 0 && at < t->was_top)
		t->was_top = at;
	if (at >= 0 && at >= t->was_top + height)
		t->was_top = at - height + 1;
	if (t->was_top > last)
		t->was_top = last;
	if (t->was_top < 0)
		t->was_top = 0;
}

/* The extra columns asked for that the width left out: " PGID SID", or "". */
static const char *columns_left_out(const struct tui *t, char *buf, size_t len)
{
	unsigned left = t->columns_asked & (ROWS_COLS_EXTRA | ROWS_COL_NSPID) & ~t->columns;

	snprintf(buf, len, "%s%s%s%s%s", left & ROWS_COL_PGID ? " PGID" : "",
		 left & ROWS_COL_SID ? " SID" : "", left & ROWS_COL_TTY ? " TTY" : "",
		 left & ROWS_COL_ELAPSED ? " ELAPSED" : "", left & ROWS_COL_NSPID ? " NSPID" : "");
	return buf;
}


/* The column header of the tree now, beside or below the tree as it was. */
static const char *now_title(const struct tui *t, char *buf, size_t len)
{
	char cols[128];

	rows_header(t->columns, cols, sizeof cols);
	/* TRANSLATORS: the column header of the tree now, beside the tree as it
	 * was (g); %s is the column names (PID PPID ...) */
	snprintf(buf, len, _("%s  (now)"), cols);
	return buf;
}

/* The column header of the tree as it was: where it is, when it does not
 * show whole. */
static void was_title(const struct tui *t, const struct layout *l, char *title, size_t len)
{
	int height = was_rows_shown(l), n = (int)ghost_of(t).nrows;
	char cols[64];

	rows_header(t->columns_was, cols, sizeof cols);

	if (n <= height) /* TRANSLATORS: the column header of the tree as it was (g); %s is
			  * the column names (PID PPID ...) */
		snprintf(title, len, _("%s  (as it was)"), cols);
	else /* TRANSLATORS: the same, with the rows shown: "(as it was: 1-10 of 14)" */
		snprintf(title, len, _("%s  (as it was: %d-%d of %d)"), cols, t->was_top + 1,
			 t->was_top + height < n ? t->was_top + height : n, n);
}

/* The header's facts, in the order shown, each in a full and a brief form
 * (empty: left out). */
enum header_part { H_NAME, H_WHAT, H_EVERY, H_COUNTS, H_ORPHANS, H_EVENTS, H_VIEW, H_STATE, H_PARTS };

struct header {
	char full[H_PARTS][384], brief[H_PARTS][192];
	const char *shown[H_PARTS];
};

/* What a short line gives up first: a part takes its brief form, or goes. */
static const struct {
	enum header_part part;
	bool drop;
} header_cuts[] = {
	{ H_STATE, false }, { H_NAME, false }, { H_EVERY, false }, { H_VIEW, true }, { H_EVENTS, false },
	{ H_EVERY, true }, { H_WHAT, false }, { H_ORPHANS, false }, { H_COUNTS, false },
	{ H_WHAT, true }, { H_ORPHANS, true },
};

/* What the header says of the moment shown: the session's now, or the
 * frame's of the past. */
struct header_moment {
	bool in_namespace, subreaper;
	const char *view, *events, *method; /* method NULL: not known */
	int running, zombies, orphans;
};

static void header_moment(const struct tui *t, struct header_moment *hm)
{
	const struct session *s = &t->s;
	size_t n;
	const struct row *rows = shown_rows(t, &n);

	rows_member_counts(rows, n, &hm->running, &hm->zombies, &hm->orphans);
	if (in_past(t)) {
		hm->in_namespace = t->pv.frame->pid_namespace;
		hm->subreaper = t->pv.frame->subreaper;
		hm->view = t->pv.frame->view;
		hm->events = t->pv.frame->events;
		hm->method = t->pv.frame->start_method[0] ? t->pv.frame->start_method : NULL;
		return;
	}
	hm->in_namespace = s->lab_on && s->lab.in_namespace;
	hm->subreaper = s->subreaper;
	hm->view = session_view_name(s);
	hm->events = session_events_name(s);
	hm->method = session_start_method(s);
}

/* Seconds between refreshes: the session's, or the recording's. */
static double every_s(const struct tui *t)
{
	return (double)(t->replay ? t->reader.info.interval_ms : t->s.opt->delay_ms) / 1000.0;
}

static void header_facts(const struct tui *t, struct header *h)
{
	const struct session *s = &t->s;
	const struct scenario *sc = s->opt->scenario ? &s->scenario : NULL;
	const char *program = s->opt->command_label ? s->opt->command_label
			      : s->opt->command ? s->opt->command[0] : "";
	const char *what = t->replay ? t->replay_what : sc ? sc->name : program;
	struct header_moment hm;
	char name[128], method[24] = "";

	header_moment(t, &hm);
	text_escape(name, sizeof name, what, strlen(what), s->style.utf8 ? TEXT_UTF8 : 0);
	if (hm.method)
		snprintf(method, sizeof method, " (%s)", hm.method);
	memset(h, 0, sizeof *h);
	snprintf(h->full[H_NAME], sizeof h->full[0], "forktop %s", PACKAGE_VERSION);
	snprintf(h->brief[H_NAME], sizeof h->brief[0], "forktop");
	if (t->replay) /* TRANSLATORS: the header; %s%s: the file recorded, then the start
			* method in parentheses, e.g. " (fork)", or nothing */
		snprintf(h->full[H_WHAT], sizeof h->full[0], _("replay of %s%s"), name, method);
	else if (sc) /* TRANSLATORS: the header; %s%s: the scenario's name, then its start
		      * method in parentheses, e.g. " (fork)" */
		snprintf(h->full[H_WHAT], sizeof h->full[0], _("scenario %s%s"), name, method);
	else if (s->opt->command) /* TRANSLATORS: the header; %s%s: the program's name, then
				   * its start method in parentheses, e.g. " (fork)", or nothing */
		snprintf(h->full[H_WHAT], sizeof h->full[0], _("program %s%s"), name, method);
	else /* TRANSLATORS: the header, with no lab and no program (--attach, --pid); brief
	      * form too: keep it short */
		snprintf(h->full[H_WHAT], sizeof h->full[0], "%s%s%s", _("no lab"), name, method);
	snprintf(h->brief[H_WHAT], sizeof h->brief[0], "%s%s",
		 t->replay || sc || s->opt->command ? name : _("no lab"), method);
	/* TRANSLATORS: the header: seconds between refreshes */
	snprintf(h->full[H_EVERY], sizeof h->full[0], _("every %.1fs"), every_s(t));
	/* TRANSLATORS: the header's brief form of "every %.1fs" (seconds between
	 * refreshes): keep it short, at most 6 columns */
	snprintf(h->brief[H_EVERY], sizeof h->brief[0], _("%.1fs"), every_s(t));
	/* TRANSLATORS: the header's process counts; also its brief form: keep it short */
	snprintf(h->brief[H_COUNTS], sizeof h->brief[0], _("%d running, %d zombie, %d orphaned"),
		 hm.running, hm.zombies, hm.orphans);
	snprintf(h->full[H_COUNTS], sizeof h->full[0],
		 (t->replay ? !strcmp(hm.view, "lab") : sc != NULL)
		 /* TRANSLATORS: the header: the counts of the lab's processes, or of the
		  * family of the program watched; %.140s is "3 running, 0 zombie, 1 orphaned" */
		 ? _("lab: %.140s") : _("family: %.140s"),
		 h->brief[H_COUNTS]);
	snprintf(h->full[H_ORPHANS], sizeof h->full[0], "%s",
		 /* TRANSLATORS: the header: where orphans go (which process adopts them) */
		 hm.in_namespace ? _("orphans -> its namespace's PID 1")
		 : hm.subreaper  ? _("orphans -> forktop (subreaper)")
				 : _("orphans -> PID 1"));
	snprintf(h->brief[H_ORPHANS], sizeof h->brief[0], "%s",
		 /* TRANSLATORS: the header's brief forms of "orphans -> its namespace's
		  * PID 1" and "orphans -> forktop (subreaper)": keep them short, at most
		  * 12 columns */
		 hm.in_namespace ? _("-> ns PID 1") : hm.subreaper ? _("-> subreaper") : "-> PID 1");
	if (strcmp(hm.view, "lab")) { /* where forks and exits come from */
		/* TRANSLATORS: the header: where forks and exits are learnt from; %s is
		 * "kernel" or "polling", as given to --events */
		snprintf(h->full[H_EVENTS], sizeof h->full[0], _("events: %s"), hm.events);
		snprintf(h->brief[H_EVENTS], sizeof h->brief[0], "%s", hm.events);
	}
	/* TRANSLATORS: the view shown; %s is lab, program, family or all, as
	 * written to --json */
	snprintf(h->full[H_VIEW], sizeof h->full[0], _("view: %s"), hm.view);
	if (in_past(t)) {
		char when[32];

		past_label(t, when, sizeof when);
		snprintf(h->full[H_STATE], sizeof h->full[0], "[%s]", when);
		snprintf(h->brief[H_STATE], sizeof h->brief[0], "[%s]", when);
	} else {
		/* TRANSLATORS: the header, in brackets: the screen shows now, not the
		 * past; keep it short */
		snprintf(h->full[H_STATE], sizeof h->full[0], "[%s]", _("LIVE"));
	}
	for (int i = 0; i < H_PARTS; i++)
		h->shown[i] = h->full[i];
}

#define HEADER_LINE_MAX 512

/* The parts shown, two spaces apart, whole, on at most n lines of cols
 * columns; false when they do not fit. On two lines, the second starts
 * with the counts: what is watched first, then how it is doing (as top
 * puts its task counts under its uptime). */
static bool header_lay(const struct header *h, int cols, int n, char lines[][HEADER_LINE_MAX])
{
	int row = 0, used = 0;

	for (int i = 0; i < n; i++)
		lines[i][0] = '\0';
	for (int i = 0; i < H_PARTS; i++) {
		int w = text_width(h->shown[i]);
		size_t at = strlen(lines[row]);

		if (!h->shown[i][0])
			continue;
		if (used && (used + 2 + w > cols || (n == 2 && row == 0 && i == H_COUNTS))) {
			if (++row == n)
				return false;
			used = 0;
			at = 0;
		}
		if (used + w > cols)
			return false;
		snprintf(lines[row] + at, HEADER_LINE_MAX - at, "%s%s", used ? "  " : "", h->shown[i]);
		used += (used ? 2 : 0) + w;
	}
	return true;
}

#define HEADER_SECOND_LINE_MIN 30 /* lines a screen needs before the header takes two */

/* One line, or two when the facts do not fit whole in one and the screen
 * has the rows to spare (at 24 lines a second one would cost the tree a
 * row: the facts are shortened instead). */
static int header_rows(const struct tui *t)
{
	struct header h;
	char lines[1][HEADER_LINE_MAX];

	if (t->lines < HEADER_SECOND_LINE_MIN)
		return 1;
	header_facts(t, &h);
	return header_lay(&h, t->cols, 1, lines) ? 1 : 2;
}

/* The header: every fact in full when it fits, else the least needed ones
 * shortened, then left out, so that no fact is cut in the middle. */
static void draw_header(struct tui *t, const struct layout *l)
{
	struct header h;
	char lines[2][HEADER_LINE_MAX];

	header_facts(t, &h);
	for (size_t i = 0; !header_lay(&h, t->cols, l->head, lines) &&
			   i < sizeof header_cuts / sizeof *header_cuts; i++)
		h.shown[header_cuts[i].part] = header_cuts[i].drop ? "" : h.brief[header_cuts[i].part];
	for (int i = H_PARTS - 1; i > H_NAME && !header_lay(&h, t->cols, l->head, lines); i--)
		h.shown[i] = ""; /* the narrowest screens: the facts that come last */
	attrset(A_BOLD);
	for (int y = 0; y < l->head; y++) {
		fill_line(y, 0);
		draw_text(y, 0, lines[y], t->cols);
	}
	attrset(A_NORMAL);
}

/* The column header; with g, the tree as it was has its own. */
static void draw_column_header(struct tui *t, const struct layout *l)
{
	char was[384], now[512];
	int y = l->head;

	bar_on(t);
	fill_line(y, 0);
	mvhline(y, 0, ' ', t->cols);
	if (t->s.ghost_wanted)
		was_title(t, l, was, sizeof was);
	if (t->s.ghost_wanted && l->was_height) {
		draw_text(y, 0, was, t->cols);
	} else if (t->s.ghost_wanted) {
		draw_text(y, 0, was, t->cols / 2 - 1);
		draw_text(y, t->cols / 2 + 1, now_title(t, now, sizeof now), t->cols - t->cols / 2 - 1);
	} else {
		rows_header(t->columns, now, sizeof now);
		draw_text(y, 0, now, t->cols);
	}
	attrset(A_NORMAL);
}

/* c: the name, then the command line, read for the rows on screen only
 * (escaped, as ps shows it): five "forktop --multiprocessing-fork" lines
 * would not say which is which. A zombie or an ended process of the
 * program's family shows the one kept when it joined; a moment of the
 * past the one it recorded; any other process without one (a kernel
 * thread, a zombie) keeps its name in brackets. */
static void command_text(const struct tui *t, const struct row *r, char *name, size_t len)
{
	char raw[512], bracketed[ROWS_LABEL_MAX * 4 + 1];
	const char *recorded = in_past(t) ? frame_view_proc(view_of(t, r), r)->cmdline : NULL;
	ssize_t n = r->tombstone || recorded ? -1
					     : scan_read_cmdline(r->pid, r->proc->start_time, raw, sizeof raw);
	const char *kept = recorded ? recorded : n > 0 ? NULL : session_kept_cmdline(&t->s, r);
	size_t used = strlen(name);

	if (kept && *kept) {
		snprintf(raw, sizeof raw, "%s", kept);
		n = (ssize_t)strlen(raw);
	}
	if (n > 0 && used + 3 < len) {
		used += (size_t)snprintf(name + used, len - used, ": ");
		text_escape(name + used, len - used, raw, (size_t)n, t->s.style.utf8 ? TEXT_UTF8 : 0);
		return;
	}
	snprintf(bracketed, sizeof bracketed, "[%.*s]", (int)sizeof bracketed - 3, name);
	snprintf(name, len, "%s", bracketed);
}

/* A row's tree glyphs and name as shown (its command line after c). */
static void row_name(const struct tui *t, const struct tree *tree, const struct row *r,
		     struct row_text *text)
{
	rows_text(tree, r, shown_style(t), shown_label(t, r), text);
	if (t->commands)
		command_text(t, r, text->name, sizeof text->name);
}

/* The columns a pane width columns wide shows: PPID when the widest name
 * it shows (name: its columns with its glyphs) fits whole with it; CPU%,
 * then TIME+, when the widest line (line: a name and the start of its
 * note) fits with them too; then each extra column asked for that fits
 * as well. */
static unsigned choose_columns(int name, int line, int width, unsigned asked)
{
	static const enum rows_column extras[] = { ROWS_COL_PGID, ROWS_COL_SID, ROWS_COL_TTY,
						   ROWS_COL_ELAPSED };
	unsigned columns = (asked & ROWS_COL_NSPID) &&
				   rows_columns_width(ROWS_COL_NSPID) + name <= width ? ROWS_COL_NSPID : 0;

	if (rows_columns_width(columns | ROWS_COL_PPID) + name <= width)
		columns |= ROWS_COL_PPID;

	if (rows_columns_width(columns | ROWS_COL_CPU) + line <= width) {
		columns |= ROWS_COL_CPU;
		if (rows_columns_width(columns | ROWS_COL_TIME) + line <= width)
			columns |= ROWS_COL_TIME;
	}
	for (size_t i = 0; i < sizeof extras / sizeof *extras; i++)
		if ((asked & extras[i]) && rows_columns_width(columns | extras[i]) + name <= width)
			columns |= extras[i];
	return columns;
}

/* When the user asked for columns (C, --columns at the start), the status
 * line says which of them the width left out. Not at every redraw: which
 * fit moves with the names on screen, and would cover every other answer;
 * a newer answer clears it. */
static void say_columns_left_out(struct tui *t)
{
	char left[48];

	if (!t->columns_to_say || t->nvisible == 0)
		return;
	t->columns_to_say = false;
	if (columns_left_out(t, left, sizeof left)[0])
		/* TRANSLATORS: %s is column names, each after a space: " PGID SID" */
		say(t, false, _("too narrow for every column asked for: left out%s"), left);
}


static int name_cols(const struct tui *t, const struct tree *tree, const struct row *r)
{
	struct row_text text;

	row_name(t, tree, r, &text);
	return text_width(text.prefix) + text_width(text.name);
}

#define GHOST_NAME_MIN 12 /* columns a name keeps, when cut, in the trees side by side */

/* g: side by side only when every name of the tree as it was (the deeper
 * one: every process under its creator) stays whole or keeps
 * GHOST_NAME_MIN columns in half the screen, without PPID. */
static bool ghost_stacked(const struct tui *t)
{
	struct rows_set g = ghost_of(t);
	int room = t->cols / 2 - 1 - rows_columns_width(0);

	for (size_t i = 0; t->s.ghost_wanted && i < g.nrows; i++) {
		struct row_text text;
		int name_room;

		row_name(t, g.tree, &g.rows[i], &text);
		name_room = room - text_width(text.prefix);
		if (text_width(text.name) > name_room && name_room < GHOST_NAME_MIN)
			return true;
	}
	return false;
}

/* text in width columns: whole when it fits, else cut after a word and
 * marked with an ellipsis; nothing when not even a word fits. Returns
 * the columns used. */
static int draw_cut(const struct tui *t, int y, int x, const char *text, int width)
{
	const char *more = t->s.style.utf8 ? "\u2026" : "...";
	char cut[512];
	size_t next, n;

	if (text_width(text) <= width)
		return draw_text(y, x, text, width);
	n = guide_wrap(text, width - text_width(more), &next);
	if (text[n] != ' ')
		return 0; /* the first word does not fit */
	snprintf(cut, sizeof cut, "%.*s%s", (int)n, text, more);
	return draw_text(y, x, cut, width);
}

/* One row from column x0 on, at most width columns, with PPID or not; its
 * note when with_note, cut at a word (the status line shows the selected
 * row's note whole). */
static void draw_row_at(struct tui *t, int y, int x0, int width, const struct tree *tree,
			const struct row *r, bool selected, bool with_note, unsigned columns)
{
	struct row_text text;
	char cols[160], note[SESSION_NOTE_MAX] = "";
	int x;

	row_name(t, tree, r, &text);
	if (with_note)
		shown_note(t, r, note, sizeof note);
	attrset(selected ? A_REVERSE : row_attr(t, r));
	mvhline(y, x0, ' ', width);
	rows_columns_of(r, shown_style(t), columns, cols, sizeof cols);
	x = draw_text(y, x0, cols, width);
	x += draw_text(y, x0 + x, text.prefix, width - x);
	x += draw_text(y, x0 + x, text.name, width - x);
	if (note[0] && x + 3 < width) {
		attron(A_DIM);
		x += draw_text(y, x0 + x, "  ", width - x);
		draw_cut(t, y, x0 + x, note, width - x);
	}
	if (selected && note[0] && text_width(note) > width - x)
		snprintf(t->sel_note, sizeof t->sel_note, "%s", note);
	attrset(A_NORMAL);
}

static void draw_row(struct tui *t, int y, const struct row *r, bool selected)
{
	draw_row_at(t, y, 0, t->cols, shown_tree(t), r, selected, true, t->columns);
}

/* g: left, the tree as it was (every member under its creator); right, now. */
static void draw_ghost(struct tui *t, const struct layout *l)
{
	struct rows_set g = ghost_of(t);
	int half = t->cols / 2, right = half + 1, at = was_row_of_selection(t);

	for (int i = 0; i < l->tree_height; i++) {
		int v = t->top + i, y = l->tree_top + i, w = t->was_top + i;

		fill_line(y, 0);
		if ((size_t)w < g.nrows)
			draw_row_at(t, y, 0, half - 1, g.tree, &g.rows[w],
				    w == at && t->focus == FOCUS_TREE, false, t->columns_was);
		mvaddch(y, half - 1, ACS_VLINE);
		if (v < t->nvisible)
			draw_row_at(t, y, right, t->cols - right, shown_tree(t), line_row(t, v),
				    v == t->selected && t->focus == FOCUS_TREE, true, t->columns);
	}
}

/* The tree's first row shown: the selection stays in view. */
static void scroll_tree(struct tui *t, const struct layout *l)
{
	if (t->selected < t->top)
		t->top = t->selected;
	if (t->selected >= t->top + l->tree_height)
		t->top = t->selected - l->tree_height + 1;
	if (t->top < 0)
		t->top = 0;
}

#define NOTE_MIN 28 /* columns a row's note keeps before a column is left out */

/* The columns line v needs after the fixed ones: its glyphs and name (w
 * of them), and its note's first words. */
static int line_cols(struct tui *t, int v, int w)
{
	const struct row *r = line_row(t, v);
	char note[SESSION_NOTE_MAX];
	int n;

	shown_note(t, r, note, sizeof note);
	if (!note[0])
		return w;
	n = text_width(note);
	return w + 2 + (n < NOTE_MIN ? n : NOTE_MIN);
}

/* PID first, then names, then the start of notes: see choose_columns.
 * The tree as it was shows no CPU: it is about who created whom. */
static void plan_columns(struct tui *t, const struct layout *l)
{
	struct rows_set g = ghost_of(t);
	bool beside = t->s.ghost_wanted && !l->was_height;
	int width = beside ? t->cols - t->cols / 2 - 1 : t->cols, widest = 0, longest = 0, was = 0;
	int was_rows = beside ? l->tree_height : l->was_height;

	for (int v = t->top; v < t->nvisible && v < t->top + l->tree_height; v++) {
		int w = name_cols(t, shown_tree(t), line_row(t, v)), n = line_cols(t, v, w);

		widest = w > widest ? w : widest;
		longest = n > longest ? n : longest;
	}
	for (int i = t->was_top; t->s.ghost_wanted && (size_t)i < g.nrows && i < t->was_top + was_rows;
	     i++) {
		int w = name_cols(t, g.tree, &g.rows[i]);

		was = w > was ? w : was;
	}
	t->columns = choose_columns(widest, longest, width,
				    t->columns_asked | (session_columns(&t->s) & ROWS_COL_NSPID));
	say_columns_left_out(t);
	was += rows_columns_width(ROWS_COL_PPID);
	t->columns_was = was <= (beside ? t->cols / 2 - 1 : t->cols) ? ROWS_COL_PPID : 0;
}

/* g, one above the other: the tree as it was, then the column header of now. */
static void draw_was(struct tui *t, const struct layout *l)
{
	struct rows_set g = ghost_of(t);
	int at = was_row_of_selection(t);
	char now[512];

	for (int i = 0; i < l->was_height; i++) {
		int w = t->was_top + i;

		fill_line(l->was_top + i, 0);
		if ((size_t)w < g.nrows)
			draw_row_at(t, l->was_top + i, 0, t->cols, g.tree, &g.rows[w],
				    w == at && t->focus == FOCUS_TREE, false, t->columns_was);
	}
	bar_on(t);
	mvhline(l->tree_top - 1, 0, ' ', t->cols);
	draw_text(l->tree_top - 1, 0, now_title(t, now, sizeof now), t->cols);
	attrset(A_NORMAL);
}

static void draw_tree(struct tui *t, const struct layout *l)
{
	t->sel_note[0] = '\0';
	if (t->s.ghost_wanted && !l->was_height) {
		draw_ghost(t, l);
		return;
	}
	if (l->was_height)
		draw_was(t, l);
	for (int i = 0; i < l->tree_height; i++) {
		int v = t->top + i;

		if (v < t->nvisible)
			draw_row(t, l->tree_top + i, line_row(t, v),
				 v == t->selected && t->focus == FOCUS_TREE);
		else
			fill_line(l->tree_top + i, 0);
	}
}

/* The event at the bottom of the log pane: with the log focused, the one
 * Up and Down choose (the lessons pane explains it). 0 when none. */
static unsigned long long log_newest(const struct tui *t);

static unsigned long long chosen_event(const struct tui *t)
{
	const struct session *s = &t->s;
	int skip = t->log_scroll;

	for (unsigned long long q = log_newest(t); q > 0; q--) {
		const struct track_event *ev = track_event(s->track, q);

		if (!ev)
			break;
		if (session_event_in_view(s, ev) && skip-- == 0)
			return q;
	}
	return 0;
}

/* New lines in the log: a log scrolled up stays where it is (its lines
 * move up with it) and counts them; one at the bottom follows the newest. */
static void log_follow(struct tui *t)
{
	const struct session *s = &t->s;
	unsigned long long last = track_last_seq(s->track);
	int arrived = 0;

	if (in_past(t)) { /* the log of the past stays where it is */
		t->log_seen = last;
		return;
	}
	for (unsigned long long q = last; q > t->log_seen; q--) {
		const struct track_event *ev = track_event(s->track, q);

		if (!ev)
			break;
		arrived += session_event_in_view(s, ev);
	}
	t->log_seen = last;
	if (t->log_scroll == 0) {
		t->log_new = 0;
		return;
	}
	t->log_scroll += arrived;
	t->log_new += arrived;
}

/* The log's title: what waits below a log scrolled up, and with the log
 * focused, whether the lessons pane shows the highlighted event's lesson. */
static void log_title(const struct tui *t, char *buf, size_t len)
{
	char below[64] = "", notes[512];

	if (in_past(t)) {
		char when[32];

		past_label(t, when, sizeof when);
		snprintf(buf, len, t->focus == FOCUS_LOG
			 /* TRANSLATORS: the event log's title in the past; %s is "PAST -12.4s"
			  * (or "REC 12:00:01.5"); keep the space at each end */
			 ? _(" Events up to %s (marked: its own; Tab: the tree) ")
			 : _(" Events up to %s (marked: its own; { } before, after) "), when);
		return;
	}
	if (t->log_new) /* TRANSLATORS: in the event log's title: events below a log scrolled up */
		snprintf(below, sizeof below, _("%d new below"), t->log_new);
	else if (t->log_scroll) /* TRANSLATORS: the same, none of them new */
		snprintf(below, sizeof below, _("%d below"), t->log_scroll);
	/* the title's notes, "; " between them */
	if (t->focus == FOCUS_LOG)
		snprintf(notes, sizeof notes, "%s%s%s%s%s", below, below[0] ? "; " : "",
			 /* TRANSLATORS: a note in the event log's title (Tab focused it) */
			 t->lesson_of_chosen_shown ? _("the highlighted one is explained above") : "",
			 t->lesson_of_chosen_shown ? "; " : "",
			 /* TRANSLATORS: the last note in the event log's title (Tab focused it) */
			 _("Tab: back to the tree"));
	else
		snprintf(notes, sizeof notes, "%s", below);
	if (notes[0]) /* TRANSLATORS: the event log's title; %s is its notes, "; " between
		       * them; keep the space at each end */
		snprintf(buf, len, _(" Events (%s) "), notes);
	else /* TRANSLATORS: the event log's title; keep the space at each end */
		snprintf(buf, len, "%s", _(" Events "));
}

/* The event log, newest last, scrolled up by log_scroll lines. */
static void draw_log(struct tui *t, const struct layout *l)
{
	const struct session *s = &t->s;
	unsigned flags = s->style.utf8 ? TEXT_UTF8 : 0;
	int y = l->log_top + l->log_height - 1, skip = t->log_scroll;
	char title[512 + 64]; /* log_title's notes and its frame */

	if (!l->log_height)
		return;
	log_title(t, title, sizeof title);
	attrset(A_BOLD);
	mvhline(l->log_top - 1, 0, ACS_HLINE, t->cols);
	draw_text(l->log_top - 1, 2, title, t->cols - 2);
	attrset(A_NORMAL);
	unsigned long long marked = in_past(t) ? current_event(t) : 0;

	for (unsigned long long q = log_newest(t); q > 0 && y >= l->log_top; q--) {
		const struct track_event *ev = track_event(s->track, q);
		char text[1024], when[16];
		struct tm tm;

		if (!ev)
			break;
		if (!session_event_in_view(s, ev) || skip-- > 0)
			continue;
		localtime_r(&ev->when.tv_sec, &tm);
		strftime(when, sizeof when, "%H:%M:%S ", &tm);
		event_describe(ev, text, sizeof text, flags);
		attrset(event_class_of(ev->kind) == EVENT_CLASS_ERROR && t->colour ? COLOR_PAIR(C_ERROR)
									  : A_NORMAL);
		if ((t->focus == FOCUS_LOG && y == l->log_top + l->log_height - 1) || q == marked)
			attron(A_REVERSE); /* the chosen event, or the moment's */
		fill_line(y, 0);
		draw_text(y, draw_text(y, 0, when, t->cols), text, t->cols - 9);
		y--;
	}
	attrset(A_NORMAL);
	for (; y >= l->log_top; y--)
		fill_line(y, 0);
}

static attr_t guide_attr(const struct tui *t, enum guide_role role)
{
	switch (role) {
	case GUIDE_HEADING: return A_BOLD;
	case GUIDE_KEYS: return A_BOLD | (t->colour ? COLOR_PAIR(C_MAIN) : A_UNDERLINE);
	case GUIDE_DONE: return A_BOLD | (t->colour ? COLOR_PAIR(C_WORKER) : A_NORMAL);
	case GUIDE_NOTE: return A_DIM;
	case GUIDE_ERROR: return A_BOLD | (t->colour ? COLOR_PAIR(C_ERROR) : A_NORMAL);
	default: return A_NORMAL;
	}
}

/* Which of the pane's lines are shown, into shown[] (height at most):
 * from lesson_scroll on, with the tour's "Do:" lines kept in view, after
 * the lines above them or before the lines below. Returns the count. */
static int lesson_rows(struct tui *t, int height, int *shown)
{
	const struct guide *g = &t->guide;
	int n = (int)g->nlines, first = 0, ndo = 0, from, count = 0;

	for (int i = 0; i < n; i++)
		if (g->lines[i].role == GUIDE_DO && ndo++ == 0)
			first = i;
	if (ndo >= height)
		ndo = 0; /* too small a pane to keep them: they scroll too */
	if (t->lesson_scroll > n - height)
		t->lesson_scroll = n - height;
	if (t->lesson_scroll < 0)
		t->lesson_scroll = 0;
	from = t->lesson_scroll;
	if (ndo && first >= from && first + ndo <= from + height)
		ndo = 0; /* in view already */
	if (ndo && first < from) { /* scrolled past: they stay on top, the rest scrolls under */
		for (int i = first; i < first + ndo; i++)
			shown[count++] = i;
		from += ndo;
	}
	for (int i = from; i < n && count < height - (ndo && first > from ? ndo : 0); i++)
		shown[count++] = i;
	for (int i = first; ndo && first > from && i < first + ndo; i++)
		shown[count++] = i; /* below the lines shown: they come last */
	return count;
}

/* The lessons pane: the tour's step, then the lesson for the newest event a
 * lesson explains (or the event chosen in the log); ( ) scroll it. */
static void draw_lessons(struct tui *t, const struct layout *l)
{
	struct guide *g = &t->guide;
	int shown[256], count, height = l->lesson_height < 256 ? l->lesson_height : 256;
	char title[sizeof ((struct guide *)0)->title + 256];

	t->lesson_of_chosen_shown = false;
	if (!l->lesson_height)
		return;
	count = lesson_rows(t, height, shown);
	for (int i = 0; i < count; i++)
		t->lesson_of_chosen_shown |= (size_t)shown[i] == g->chosen_at;
	if (g->nlines > (size_t)height)
		/* TRANSLATORS: the lessons pane's title; %s is the lesson's title;
		 * keep the space at each end, and the keys ( ) and L */
		snprintf(title, sizeof title, _(" %s (%d of %zu lines: ( ) scroll, L larger) "),
			 g->title, count, g->nlines);
	else
		snprintf(title, sizeof title, " %s ", g->title);
	attrset(A_BOLD);
	mvhline(l->lesson_top - 1, 0, ACS_HLINE, t->cols);
	draw_cut(t, l->lesson_top - 1, 2, title, t->cols - 4);
	for (int i = 0; i < l->lesson_height; i++) {
		int y = l->lesson_top + i;

		attrset(A_NORMAL);
		fill_line(y, 0);
		if (i < count) {
			attrset(guide_attr(t, g->lines[shown[i]].role));
			draw_text(y, 1, g->lines[shown[i]].text, t->cols - 2);
		}
	}
	attrset(A_NORMAL);
}

static void draw_keybar(struct tui *t, int y);
static void draw_help(struct tui *t);

static void draw_bottom(struct tui *t, const struct layout *l)
{
	attrset(t->status_error ? (t->colour ? COLOR_PAIR(C_ERROR) | A_BOLD : A_BOLD) : A_NORMAL);
	fill_line(l->status, 0);
	if (t->mode == MODE_SEARCH) {
		char prompt[512];

		/* TRANSLATORS: the prompt of / (find a name); %s_ is what is typed and
		 * the cursor */
		snprintf(prompt, sizeof prompt, _("Find: %s_  (Enter: go, Esc: cancel)"), t->query);
		draw_text(l->status, 0, prompt, t->cols);
	} else if (t->mode == MODE_TIME || t->mode == MODE_MARK) {
		char prompt[512];

		snprintf(prompt, sizeof prompt, t->mode == MODE_TIME
			 /* TRANSLATORS: the prompts of T (a time) and M (a marker); %s_ is
			  * what is typed and the cursor */
			 ? _("Seconds ago: %s_  (Enter: go there, Esc: cancel)")
			 : _("Marker's note: %s_  (Enter: drop it, Esc: cancel)"), t->prompt);
		draw_text(l->status, 0, prompt, t->cols);
	} else if (t->sel_note[0] && (t->sel.pid != t->said_for.pid ||
					t->sel.start_time != t->said_for.start_time)) {
		char note[SESSION_NOTE_MAX + 32];

		snprintf(note, sizeof note, "PID %d: %s", t->sel.pid, t->sel_note);
		draw_cut(t, l->status, 0, note, t->cols);
	} else {
		draw_text(l->status, 0, t->status, t->cols);
	}
	draw_keybar(t, l->keybar);
}

static const struct member *selected_member(struct tui *t, const struct row **out);

/* F9's title names its target: the lab's name for it, else its command. */
static void signal_menu_title(struct tui *t, char *buf, size_t len)
{
	const struct row *r;
	const struct member *m = selected_member(t, &r);
	char comm[64] = "";

	if (!m && r)
		text_escape(comm, sizeof comm, r->proc->comm, strlen(r->proc->comm),
			    t->s.style.utf8 ? TEXT_UTF8 : 0);
	/* TRANSLATORS: the signal menu's title (F9); %s is a process's name */
	snprintf(buf, len, _("Send a signal to %s (pid %d)? (Enter: send, Esc: cancel)"),
		 m ? m->name : comm, r ? r->pid : 0);
}

static void draw_signals(struct tui *t, const struct layout *l)
{
	int h = SIGNAL_MENU_SIZE + 2, w = t->cols - 4, y0 = l->tree_top;
	char title[512];

	if (h > l->tree_height + l->log_height)
		h = l->tree_height + l->log_height;
	for (int i = 0; i < h; i++) {
		attrset(A_REVERSE);
		mvhline(y0 + i, 2, ' ', w);
	}
	signal_menu_title(t, title, sizeof title);
	draw_text(y0, 3, title, w - 2);
	for (int i = 0; i < SIGNAL_MENU_SIZE && i + 1 < h; i++) {
		char line[512];

		attrset(i == t->signal_choice ? A_NORMAL : A_REVERSE);
		snprintf(line, sizeof line, " %-8s %s", signal_menu[i].name, _(signal_menu[i].what));
		mvhline(y0 + 1 + i, 3, ' ', w - 2);
		draw_text(y0 + 1 + i, 3, line, w - 2);
	}
	attrset(A_NORMAL);
}

static void draw_too_small(struct tui *t)
{
	char msg[256];

	erase();
	/* TRANSLATORS: the screen is too small for forktop: after "forktop: " */
	snprintf(msg, sizeof msg, "forktop: %s", _("too small"));
	draw_text(0, 0, msg, t->cols);
	/* TRANSLATORS: columns x lines: the screen's, then what forktop needs */
	snprintf(msg, sizeof msg, _("%dx%d, needs %dx%d"), t->cols, t->lines, TUI_MIN_COLS,
		 TUI_MIN_LINES);
	if (t->lines > 1)
		draw_text(1, 0, msg, t->cols);
}

/* The lessons pane's text: the event chosen in the log, else the newest a
 * lesson explains (up to the moment shown, in the past). */
static void build_lessons(struct tui *t)
{
	unsigned long long seq = t->focus == FOCUS_LOG ? chosen_event(t) : 0;

	if (!seq && in_past(t))
		seq = guide_newest_until(&t->s, current_event(t)) ?: current_event(t);
	guide_build(&t->guide, &t->s, seq, t->focus == FOCUS_LOG, t->cols - 2);
}

static void draw(struct tui *t)
{
	struct layout l;
	int lines, cols;

	getmaxyx(stdscr, lines, cols);
	if (lines != t->lines || cols != t->cols)
		clearok(curscr, TRUE); /* a terminal may have re-wrapped what curses thinks is there */
	t->lines = lines;
	t->cols = cols;
	if (t->cols < TUI_MIN_COLS || t->lines < TUI_MIN_LINES) {
		draw_too_small(t);
	} else if (t->mode == MODE_HELP) {
		draw_help(t);
	} else {
		if (t->lessons)
			build_lessons(t);
		l = layout_of(t);
		scroll_tree(t, &l);
		scroll_was(t, &l);
		plan_columns(t, &l);
		draw_header(t, &l);
		draw_column_header(t, &l);
		draw_tree(t, &l);
		draw_lessons(t, &l);
		draw_log(t, &l);
		draw_bottom(t, &l);
		if (t->mode == MODE_SIGNALS)
			draw_signals(t, &l);
	}
	refresh();
}

/* ---- actions ------------------------------------------------------------ */

static const struct member *selected_member(struct tui *t, const struct row **out)
{
	const struct row *r = selected_row(t);

	*out = r;
	if (!r || !t->s.lab_on || r->tombstone)
		return NULL;
	return lab_member_of(&t->s.lab, r->proc);
}

/* A process outside the lab: ask first, then signal it through a pidfd
 * checked against the start time on screen. */
static void ask_outside(struct tui *t, const struct row *r, int sig)
{
	t->mode = MODE_CONFIRM;
	t->pending_signal = sig;
	t->pending = (struct identity){ r->pid, r->proc->start_time };
	text_escape(t->pending_name, sizeof t->pending_name, r->proc->comm, strlen(r->proc->comm),
		    t->s.style.utf8 ? TEXT_UTF8 : 0);
	/* TRANSLATORS: a question: SIG%s is a signal's name (SIGTERM); y is the
	 * key that sends it (any other key does not): keep "y/N" */
	say(t, false, t->s.lab_on ? _("PID %d (%s) is not part of the lab. Send SIG%s? (y/N)")
		      : _("PID %d (%s) is not a process forktop started. Send SIG%s? (y/N)"),
	    r->pid, t->pending_name, sigabbrev_np(sig));
}

static void signal_outside(struct tui *t)
{
	int fd = pidref_open_checked(t->pending.pid, t->pending.start_time), rc;

	if (fd < 0) {
		say(t, true, _("PID %d (%s) is gone: nothing was sent"), t->pending.pid,
		    t->pending_name);
		return;
	}
	rc = pidref_signal(fd, t->pending_signal);
	close(fd);
	if (rc < 0)
		say(t, true, _("SIG%s to PID %d failed: %s"), sigabbrev_np(t->pending_signal),
		    t->pending.pid, strerror(-rc));
	else
		say(t, false, _("sent SIG%s to PID %d (%s)"), sigabbrev_np(t->pending_signal),
		    t->pending.pid, t->pending_name);
}

/* A process of the program forktop started: signalled at once, through its
 * pidfd, with no question. False when r is not one. */
static bool signal_family(struct tui *t, const struct row *r, int sig)
{
	const struct member *m = t->s.fam.started ? family_member_of(&t->s.fam, r->proc) : NULL;
	char name[sizeof t->pending_name];
	int rc;

	if (!m)
		return false;
	text_escape(name, sizeof name, m->name, strlen(m->name), t->s.style.utf8 ? TEXT_UTF8 : 0);
	if ((rc = family_signal(&t->s.fam, m, sig)) < 0)
		say(t, true, _("SIG%s to %s (pid %d) failed: %s"), sigabbrev_np(sig), name, m->pid,
		    strerror(-rc));
	else
		say(t, false, _("sent SIG%s to %s (pid %d)"), sigabbrev_np(sig), name, m->pid);
	return true;
}

static void report(struct tui *t, int rc, const char *err, const char *done)
{
	if (rc < 0)
		say(t, true, "%s", err);
	else
		say(t, false, "%s", done);
}

/* The action a key takes on lab process m (NULL: on MainProcess). */
static struct script_step action_on(const struct member *m, enum script_action action)
{
	struct script_step step = { .action = action, .timeout = -1 };

	if (m)
		snprintf(step.target, sizeof step.target, "%s", m->name);
	return step;
}

static void act_signal(struct tui *t, int sig)
{
	const struct row *r;
	const struct member *m = selected_member(t, &r);
	struct script_step step = action_on(m, SCRIPT_SIGNAL);
	char err[256], done[512];

	step.signal = sig;
	if (!r)
		return;
	if (r->tombstone) {
		say(t, true, _("PID %d has already ended"), r->pid);
		return;
	}
	if (!m) {
		if (!signal_family(t, r, sig))
			ask_outside(t, r, sig);
		return;
	}
	snprintf(done, sizeof done, _("sent SIG%s to %s (pid %d)"), sigabbrev_np(sig), m->name,
		 m->pid);
	report(t, session_act(&t->s, &step, err, sizeof err), err, done);
}

/* The lab member a row shows, an ended one (a tombstone) too. */
static const struct member *member_of_row(const struct tui *t, const struct row *r)
{
	if (!r || !t->s.lab_on)
		return NULL;
	if (r->tombstone)
		return member_by_pid(t->s.lab.members, t->s.lab.count, r->pid, true);
	return lab_member_of(&t->s.lab, r->proc);
}

/* What J does, said from the state of the process joined. */
static void join_outlook_text(const struct member *m, char *buf, size_t len)
{
	switch (lab_join_outlook(m)) {
	case LAB_JOIN_REAPS:
		/* TRANSLATORS: J: the creator's name joins the process's name */
		snprintf(buf, len, _("%s joins %s: it has ended, so join() returns at once and "
				     "reaps it"), m->creator_name, m->name);
		return;
	case LAB_JOIN_RETURNS:
		snprintf(buf, len, _("%s joins %s: it was reaped already, so join() returns at "
				     "once"), m->creator_name, m->name);
		return;
	case LAB_JOIN_BLOCKS:
		/* TRANSLATORS: J: the creator's name, the process's name twice */
		snprintf(buf, len, _("%s joins %s (it stays blocked until %s ends)"),
			 m->creator_name, m->name, m->name);
		return;
	}
}

static void act_join(struct tui *t)
{
	const struct row *r = selected_row(t);
	const struct member *m = member_of_row(t, r);
	struct script_step step;
	char err[256], done[768];

	if (!m) {
		say(t, true, _("only lab processes can be joined: join() is a Python creator's "
			       "call"));
		return;
	}
	join_outlook_text(m, done, sizeof done);
	step = action_on(m, SCRIPT_JOIN);
	report(t, session_act(&t->s, &step, err, sizeof err), err, done);
}

static void act_spawn(struct tui *t)
{
	const struct row *r;
	const struct member *m = selected_member(t, &r);
	struct script_step step;
	char err[256], done[768];

	if (!m || !m->group[0]) {
		say(t, true, _("select a child of the lab: another one of its group will be "
			       "started"));
		return;
	}
	/* TRANSLATORS: s: a creator's name, then the name of a group of children */
	snprintf(done, sizeof done, _("%s starts another child of group %s"), m->creator_name,
		 m->group);
	step = action_on(m, SCRIPT_SPAWN);
	report(t, session_act(&t->s, &step, err, sizeof err), err, done);
}

/* X and E for a program forktop started: its top process. */
static void act_program_top(struct tui *t, int sig)
{
	char err[256], done[512];
	const struct member *top = session_program_top(&t->s);

	snprintf(done, sizeof done, sig == SIGKILL
		 ? _("SIGKILL to %s (pid %d): no exit routine runs, its children become orphans")
		 : _("SIGINT to %s (pid %d): Python raises KeyboardInterrupt, then runs its exit "
		     "routine"),
		 top ? top->name : "?", top ? top->pid : 0);
	report(t, session_signal_program_top(&t->s, sig, err, sizeof err), err, done);
}

static void act_main(struct tui *t, int kill_it)
{
	struct script_step step = action_on(NULL, kill_it ? SCRIPT_KILL_MAIN : SCRIPT_EXIT_MAIN);
	char err[256];
	const struct member *joined;

	if (!t->s.lab_on) {
		act_program_top(t, kill_it ? SIGKILL : SIGINT);
		return;
	}
	report(t, session_act(&t->s, &step, err, sizeof err), err,
	       kill_it ? _("SIGKILL to MainProcess: no exit routine runs, its children become "
			   "orphans")
		       : _("MainProcess exits normally: it terminates daemonic children, then "
			   "joins all"));
	if (!kill_it && t->s.lab_on && (joined = lab_exit_waits_on(&t->s.lab)) != NULL)
		say(t, false, _("exit waits: MainProcess is blocked in join(%s); its exit routine runs "
				"when that join returns"), joined->name);
}

static void act_subreaper(struct tui *t)
{
	bool on = !t->s.subreaper;
	int rc = session_set_subreaper(&t->s, on);

	if (rc < 0)
		say(t, true, _("cannot change the subreaper: %s"), strerror(-rc));
	else
		say(t, false, "%s", on ? _("forktop is a subreaper: new orphans come to it, not to "
					   "PID 1")
				       : _("orphans go to PID 1 again"));
}

/* Starts the lab again with sc; false, having said why, when it cannot. */
static bool restart_lab_with(struct tui *t, const struct scenario *sc)
{
	char err[256];
	int rc = session_use_scenario(&t->s, sc, err, sizeof err);

	rows_changed(t);
	if (rc < 0)
		say(t, true, "%s", err);
	return rc == 0;
}

/* m: the next start method (fork, spawn, forkserver), in a new lab. */
static void act_start_method(struct tui *t)
{
	struct scenario sc = t->s.scenario;

	if (!t->s.opt->scenario) {
		say(t, true, _("there is no lab here: start methods are the lab's"));
		return;
	}
	sc.start_method = (sc.start_method + 1) % SCENARIO_METHODS;
	if (restart_lab_with(t, &sc))
		/* TRANSLATORS: %s is fork, spawn or forkserver */
		say(t, false, _("the lab was restarted with start method %s"),
		    scenario_method_name(sc.start_method));
}

/* p: the next PID 1 for the lab: none (no namespace of its own), then
 * MainProcess itself, then forktop's init in front of it; in a new lab. */
static void act_pid_namespace(struct tui *t)
{
	struct scenario sc = t->s.scenario;

	if (!sc.pid_namespace) {
		sc.pid_namespace = true;
		sc.init = SCENARIO_INIT_NONE;
	} else if (sc.init == SCENARIO_INIT_NONE) {
		sc.init = SCENARIO_INIT_FORKTOP;
	} else {
		sc.pid_namespace = false;
	}
	if (!restart_lab_with(t, &sc))
		return;
	if (!sc.pid_namespace)
		say(t, false, _("the lab was restarted in forktop's own PID namespace"));
	else
		say(t, false, "%s", sc.init == SCENARIO_INIT_FORKTOP
		    ? _("the lab was restarted in a PID namespace of its own, with forktop's init as "
			"its PID 1")
		    : _("the lab was restarted in a PID namespace of its own, with MainProcess as its "
			"PID 1"));
}

static void act_restart(struct tui *t)
{
	char err[256];

	int rc = session_restart_lab(&t->s, err, sizeof err);

	rows_changed(t);
	if (rc < 0)
		say(t, true, "%s", err);
	else
		say(t, false, "%s", t->s.opt->command ? _("the program was started again")
						    : _("the lab was restarted"));
}

static bool tour_running(const struct tui *t)
{
	return t->guide.tour && t->guide.step < t->guide.tour->count;
}

static void toggle_lessons(struct tui *t)
{
	if (tour_running(t)) {
		say(t, true, _("the lessons pane stays open during the tour: it shows the steps"));
		return;
	}
	t->lessons = !t->lessons;
	say(t, false, "%s", t->lessons ? _("lessons: why the newest event happened (Tab, then Up and "
					   "Down: choose another event)")
				       : _("lessons closed"));
}

static void say_step(struct tui *t)
{
	if (tour_running(t))
		say(t, false, t->guide.step_done ? _("tour: step %d of %d is done: N for the next one")
						 : _("tour: step %d of %d"),
		    t->guide.step + 1, t->guide.tour->count);
	else
		say(t, false, _("the tour is over"));
}

/* N and P: a step may restart the lab with its scenario. */
static void act_tour(struct tui *t, int forward)
{
	char err[256];
	int rc = guide_move(&t->guide, &t->s, forward, err, sizeof err);

	rows_changed(t);
	if (rc < 0) {
		say(t, true, "%s", err);
		return;
	}
	t->lessons = true;
	t->lesson_scroll = 0;
	say_step(t);
}

static void find_next(struct tui *t, int from_next)
{
	for (int k = 0; k < t->nvisible && t->query[0]; k++) {
		int v = (t->selected + k + (from_next ? 1 : 0)) % t->nvisible;

		const struct row *r = line_row(t, v);
		struct row_text text;

		rows_text(shown_tree(t), r, shown_style(t), shown_label(t, r), &text);
		if (strcasestr(text.name, t->query)) {
			t->selected = v;
			remember_selection(t);
			say(t, false, _("found '%s'"), t->query);
			return;
		}
	}
	if (t->query[0])
		say(t, true, _("no name contains '%s'"), t->query);
}

/* ---- keys --------------------------------------------------------------- */

/* How many events the log can show (those the ring still holds, in view). */
static int log_events(const struct tui *t)
{
	const struct session *s = &t->s;
	int n = 0;

	for (unsigned long long q = track_last_seq(s->track); q > 0; q--) {
		const struct track_event *ev = track_event(s->track, q);

		if (!ev)
			break;
		n += session_event_in_view(s, ev);
	}
	return n;
}

static void move_selection(struct tui *t, int by)
{
	if (t->focus == FOCUS_LOG) {
		int oldest = log_events(t) - 1;

		t->log_scroll -= by;
		if (t->log_scroll > oldest)
			t->log_scroll = oldest;
		if (t->log_scroll < 0)
			t->log_scroll = 0;
		return;
	}
	t->selected += by;
	clamp_selection(t);
}

static void key_search(struct tui *t, int c)
{
	size_t n = strlen(t->query);

	if (c == 27) {
		t->mode = MODE_NORMAL;
	} else if (c == '\n' || c == KEY_ENTER || c == '\r') {
		t->mode = MODE_NORMAL;
		find_next(t, false);
	} else if ((c == KEY_BACKSPACE || c == 127 || c == 8) && n > 0) {
		t->query[n - 1] = '\0';
	} else if (c >= 0x20 && c < 0x7f && n + 1 < sizeof t->query) {
		t->query[n] = (char)c;
		t->query[n + 1] = '\0';
	}
}

static void key_signals(struct tui *t, int c)
{
	if (c == KEY_UP && t->signal_choice > 0)
		t->signal_choice--;
	else if (c == KEY_DOWN && t->signal_choice < SIGNAL_MENU_SIZE - 1)
		t->signal_choice++;
	else if (c == '\n' || c == KEY_ENTER || c == '\r') {
		t->mode = MODE_NORMAL;
		act_signal(t, signal_menu[t->signal_choice].sig);
	} else if (c == 27 || c == 'q' || c == KEY_F(9))
		t->mode = MODE_NORMAL;
}

static void key_confirm(struct tui *t, int c)
{
	t->mode = MODE_NORMAL;
	if (c == 'y' || c == 'Y')
		signal_outside(t);
	else
		say(t, false, _("nothing was sent"));
}

static void key_mouse(struct tui *t)
{
	MEVENT ev;
	struct layout l = layout_of(t);

	if (getmouse(&ev) != OK || !(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
		return;
	if (ev.y >= l.tree_top && ev.y < l.tree_top + l.tree_height &&
	    t->top + ev.y - l.tree_top < t->nvisible) {
		t->focus = FOCUS_TREE;
		t->selected = t->top + ev.y - l.tree_top;
		remember_selection(t);
	}
}

static void move_page(struct tui *t, int pages)
{
	int page = layout_of(t).tree_height - 1;

	move_selection(t, pages * (page > 1 ? page : 1));
}

static void switch_focus(struct tui *t)
{
	t->focus = t->focus == FOCUS_TREE ? FOCUS_LOG : FOCUS_TREE;
}

static void quit(struct tui *t)
{
	t->quit = true;
}

static void scroll_lessons(struct tui *t, int by)
{
	if (!t->lessons)
		say(t, true, _("( and ) scroll the lessons pane: l opens it"));
	t->lesson_scroll += by; /* kept in range when it is drawn */
}

static void grow_lessons(struct tui *t)
{
	if (!t->lessons) {
		say(t, true, _("L makes the lessons pane larger: l opens it"));
		return;
	}
	t->lesson_grown = !t->lesson_grown;
	say(t, false, "%s", t->lesson_grown ? _("a larger lessons pane: the tree keeps the rows it "
						"needs, or a third when long (L: back)")
					    : _("the lessons pane as it was"));
}

static void show_help(struct tui *t)
{
	t->mode = MODE_HELP;
	t->help_top = 0;
}

static void toggle_commands(struct tui *t)
{
	t->commands = !t->commands;
	say(t, false, "%s", t->commands ? _("command lines (as ps shows them)") : _("process names"));
}

static void toggle_more_columns(struct tui *t)
{
	t->columns_asked = t->columns_asked & ROWS_COLS_EXTRA ? 0 : ROWS_COLS_EXTRA;
	/* TRANSLATORS: PGID, SID, TTY and ELAPSED are column names: keep them */
	say(t, false, "%s", t->columns_asked ? _("PGID, SID, TTY and ELAPSED columns, where they fit")
					     : _("the usual columns"));
	/* said now, for the screen as it is: a later redraw would cover newer answers */
	t->columns_to_say = t->cols >= TUI_MIN_COLS && t->lines >= TUI_MIN_LINES && t->mode != MODE_HELP;
	if (t->columns_to_say) {
		struct layout l = layout_of(t);

		plan_columns(t, &l);
	}
}

static void toggle_ghost(struct tui *t)
{
	session_show_ghost(&t->s, !t->s.ghost_wanted);
	if (!t->s.ghost_wanted)
		say(t, false, _("the tree as it is"));
	else
		say(t, false, "%s", ghost_stacked(t)
		    ? _("above: the tree as it was, every process under its creator; below: now")
		    : _("left: the tree as it was, every process under its creator; right: now"));
}

static void toggle_threads(struct tui *t)
{
	if (session_show_threads(&t->s, !t->s.threads.wanted) < 0)
		say(t, true, _("threads: out of memory"));
	else if (t->s.threads.wanted) /* TRANSLATORS: {name} is how a thread's line shows */
		say(t, false, _("threads under each process that has more than one: {name}"));
	else
		say(t, false, _("processes only"));
	rows_changed(t);
}

static void open_signal_menu(struct tui *t)
{
	if (!selected_row(t))
		return;
	t->mode = MODE_SIGNALS;
	t->signal_choice = 0; /* SIGTERM: each time, whatever was sent last */
}

/* ---- time travel -------------------------------------------------------- */

/* The present: now, or a replay's newest moment (its moments' times are
 * the recorded ones). */
static struct timespec present(const struct tui *t)
{
	const struct history_moment *newest = history_newest(&t->history);
	struct timespec now;

	if (t->replay)
		return newest ? newest->mono : (struct timespec){ 0 };
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now;
}

/* Seconds from moment m to the present. */
static double moment_age(const struct tui *t, const struct history_moment *m)
{
	struct timespec now = present(t);

	return (double)(now.tv_sec - m->mono.tv_sec) + (double)(now.tv_nsec - m->mono.tv_nsec) / 1e9;
}

/* The moment shown's rows, made again (the history moves its moments as
 * it grows). False, and back to live, when that failed. */
static bool cannot_show(struct tui *t)
{
	t->past = 0;
	t->following = false;
	history_release(&t->history, &t->hold);
	rows_changed(t); /* the visible lines are the live rows' again */
	say(t, true, _("no memory to show that moment: live again"));
	return false;
}

static bool show_moment(struct tui *t)
{
	const struct history_moment *m = history_find(&t->history, t->past);

	if (m && history_hold(&t->history, m, &t->hold) < 0)
		return cannot_show(t);
	if (!t->hold.held || t->hold.moment.id != t->past)
		return cannot_show(t);
	m = &t->hold.moment;
	frame_clear(&t->pghost_frame);
	if (history_frame_of(m, false, &t->pframe) < 0 ||
	    (m->has_ghost && history_frame_of(m, true, &t->pghost_frame) < 0) ||
	    frame_view_build(&t->pv, &t->pframe) < 0 ||
	    frame_view_build(&t->pghost, &t->pghost_frame) < 0)
		return cannot_show(t);
	rows_changed(t);
	return true;
}

/* The moment shown (held), or NULL while live. */
static const struct history_moment *shown_moment(const struct tui *t)
{
	return in_past(t) && t->hold.held ? &t->hold.moment : NULL;
}

static void go_to(struct tui *t, const struct history_moment *m, unsigned long long event);

static void go_live(struct tui *t)
{
	const struct history_moment *newest = history_newest(&t->history);

	if (t->replay) { /* a replay's newest moment, and the ones that come after it */
		if (newest)
			go_to(t, newest, 0);
		t->following = true;
		say(t, false, "%s", t->replay_ended ? _("the newest moment of the recording (its end)")
		    : _("the newest moment of the recording: each new one shows as it comes"));
		return;
	}
	t->past = t->marked = 0;
	history_release(&t->history, &t->hold);
	rows_changed(t);
	/* TRANSLATORS: the status line: the screen shows now again (Space) */
	say(t, false, _("live"));
}

/* Shows moment m (with the event it is for, or 0: its newest). */
static void go_to(struct tui *t, const struct history_moment *m, unsigned long long event)
{
	t->past = m->id;
	t->marked = event;
	t->following = false;
	t->said_left = false;
	show_moment(t);
}

/* After new moments came (a refresh, a replay's lines): a view that
 * follows moves to the newest; the moment shown stays, held, even once the
 * bounded history dropped it, and says so once. */
static void keep_moment(struct tui *t)
{
	const struct history_moment *newest = history_newest(&t->history);

	if (t->following && newest)
		t->past = newest->id;
	if (!in_past(t))
		return;
	if (!t->hold.held || t->hold.moment.id != t->past) {
		show_moment(t);
		return;
	}
	if (!history_find(&t->history, t->past) && !t->said_left) {
		t->said_left = true;
		/* TRANSLATORS: ] is the key that goes to the oldest moment kept */
		say(t, false, _("this moment left the history (%zu MiB): still shown; ] the oldest "
				"kept"), t->history.limit >> 20);
	}
}

/* "PAST -12.4s", as the header says it. */
static void past_label(const struct tui *t, char *buf, size_t len)
{
	const struct history_moment *m = shown_moment(t);

	struct tm tm;

	if (t->replay && m) { /* the recorded time */
		localtime_r(&m->head.taken.tv_sec, &tm);
		/* TRANSLATORS: the header, in brackets: a replay shows the moment
		 * recorded at this time of day (hours:minutes:seconds.tenths); keep
		 * it short, at most 16 columns */
		snprintf(buf, len, _("REC %02d:%02d:%02d.%ld"), tm.tm_hour, tm.tm_min, tm.tm_sec,
			 m->head.taken.tv_nsec / 100000000);
		return;
	}
	/* TRANSLATORS: the header, in brackets: the screen shows the past, this
	 * many seconds ago; keep it short, at most 16 columns */
	snprintf(buf, len, _("PAST -%.1fs"), m ? moment_age(t, m) : 0.0);
}

static void refuse_in_past(struct tui *t)
{
	char when[32];

	past_label(t, when, sizeof when);
	if (t->replay)
		/* TRANSLATORS: %s is "REC 12:00:01.5" */
		say(t, true, _("a replay is read-only (%s): no process here to act on"), when);
	else /* TRANSLATORS: %s is "PAST -12.4s" */
		say(t, true, _("this is the past (%s): keys that act wait for live (Space)"), when);
}

static void say_moment(struct tui *t, const char *what)
{
	const struct history_moment *m = shown_moment(t);

	if (m && t->replay)
		/* TRANSLATORS: the moment shown in a replay; %s is what moved there:
		 * "paused", "back", "forward", "at an event", "jumped"... */
		say(t, false, _("%s: %.1fs before the newest, refresh %lld; Space: the newest"), what,
		    moment_age(t, m), m->head.number);
	else if (m) /* TRANSLATORS: the moment shown; %s is what moved there: "paused",
		     * "back", "forward", "at an event", "jumped"... */
		say(t, false, _("%s: %.1fs ago, refresh %lld; [ ] { } move, Space: live"), what,
		    moment_age(t, m), m->head.number);
}

static void keep_refresh(struct tui *t, bool record);

/* Space: the moment shown stays, the lab runs on; Space again: live. What
 * is on screen is kept as it is now (a key may have changed its header
 * since the last refresh, as R does). */
static void toggle_pause(struct tui *t)
{
	const struct history_moment *m;

	if (in_past(t) && !t->following) {
		go_live(t);
		return;
	}
	if (!t->replay)
		keep_refresh(t, false); /* the screen as it is now; recorded with its refresh */
	if (!(m = history_newest(&t->history)))
		return;
	go_to(t, m, 0);
	/* TRANSLATORS: what moved to the moment shown, before ": 1.2s ago, refresh 5; ..." */
	say_moment(t, _("paused"));
}

/* [ and ]: one refresh back or forward ([ while live pauses first). */
static void step_moment(struct tui *t, int by)
{
	const struct history_moment *newest = history_newest(&t->history), *to;
	unsigned long long from = in_past(t) ? t->past : newest ? newest->id : 0;

	if (!newest)
		return;
	if (!in_past(t) && by > 0) {
		say(t, false, _("live: nothing newer to step to"));
		return;
	}
	to = by < 0 && from <= 1 ? NULL : history_find(&t->history, by < 0 ? from - 1 : from + 1);
	if (!to && by > 0 && from < history_oldest(&t->history)->id)
		to = history_oldest(&t->history); /* the moment shown left the history */
	if (!to) {
		if (!in_past(t))
			go_to(t, newest, 0);
		say(t, false, by < 0 ? _("the oldest moment kept (the history holds %.0fs)")
				     : _("the newest moment: Space for live (the history holds %.0fs)"),
		    history_span(&t->history));
		return;
	}
	go_to(t, to, 0);
	/* TRANSLATORS: what moved to the moment shown ([ or ]), before ": 1.2s ago, ..." */
	say_moment(t, by < 0 ? _("back") : _("forward"));
}

/* The event the moment shown is at: the one jumped to, else its newest in view. */
static unsigned long long current_event(const struct tui *t)
{
	const struct history_moment *m = shown_moment(t);
	unsigned long long last = m ? m->last_seq : track_last_seq(t->s.track);

	if (t->marked)
		return t->marked;
	for (unsigned long long q = last; q > 0; q--) {
		const struct track_event *ev = track_event(t->s.track, q);

		if (!ev)
			break;
		if (session_event_in_view(&t->s, ev))
			return q;
	}
	return 0;
}

/* The newest event the log shows: the moment's newest in the past. */
static unsigned long long log_newest(const struct tui *t)
{
	const struct history_moment *m = in_past(t) ? shown_moment(t) : NULL;

	return m ? m->last_seq : track_last_seq(t->s.track);
}

/* { and }: the events of the selected process (with the tree focused),
 * or any event (with the log focused). */
static bool event_counts(const struct tui *t, const struct track_event *ev, pid_t pid)
{
	if (!session_event_in_view(&t->s, ev))
		return false;
	return !pid || ev->pid == pid || ev->target == pid || ev->by == pid ||
	       ev->old_ppid == pid || ev->new_ppid == pid;
}

static void jump_event(struct tui *t, int dir)
{
	const struct row *r = t->focus == FOCUS_TREE ? selected_row(t) : NULL;
	pid_t pid = r ? r->pid : 0;
	unsigned long long from = in_past(t) ? current_event(t) : track_last_seq(t->s.track) + 1;
	unsigned long long last = track_last_seq(t->s.track);
	const struct history_moment *m;

	for (unsigned long long q = dir < 0 ? from - 1 : from + 1; q > 0 && q <= last; q += dir) {
		const struct track_event *ev = track_event(t->s.track, q);

		if (!ev && dir < 0)
			break; /* older ones left the log */
		if (!ev || !event_counts(t, ev, pid))
			continue;
		m = history_after_event(&t->history, q);
		if (!m) /* after the newest moment: it shows next */
			m = history_newest(&t->history);
		if (!m)
			break;
		go_to(t, m, q);
		/* TRANSLATORS: what moved to the moment shown ({ or }), before ": 1.2s ago, ..." */
		say_moment(t, _("at an event"));
		return;
	}
	if (pid)
		say(t, false, dir < 0 ? _("no earlier event of PID %d kept (Tab, then { }: every "
					  "process's)")
				      : _("no later event of PID %d kept (Tab, then { }: every "
					  "process's)"), (int)pid);
	else
		say(t, false, "%s", dir < 0 ? _("no earlier event kept") : _("no later event kept"));
}

/* T: a time typed as seconds ago; M: a marker with a note. */
static void start_prompt(struct tui *t, enum mode mode)
{
	t->mode = mode;
	t->prompt[0] = '\0';
}

static void jump_to_seconds(struct tui *t, const char *typed)
{
	char *end;
	double secs = strtod(typed, &end);
	struct timespec now, at;
	const struct history_moment *m;

	if (end == typed || *end || secs < 0 || secs > 1e7) {
		say(t, true, _("'%s' is not a number of seconds"), typed);
		return;
	}
	now = present(t);
	at = now;
	at.tv_sec -= (time_t)secs;
	at.tv_nsec -= (long)((secs - (double)(time_t)secs) * 1e9);
	if (at.tv_nsec < 0)
		at.tv_sec--, at.tv_nsec += 1000000000L;
	if (!(m = history_at_time(&t->history, at)))
		return;
	go_to(t, m, 0);
	/* TRANSLATORS: what moved to the moment shown (T), before ": 1.2s ago, ..." */
	say_moment(t, m == history_oldest(&t->history) && moment_age(t, m) + 0.05 < secs
			      ? _("not kept that long ago: the oldest moment kept")
			      : _("jumped"));
}

static void drop_marker(struct tui *t, const char *note)
{
	const struct history_moment *m = in_past(t) ? shown_moment(t)
						    : history_newest(&t->history);
	struct recording_marker mk = { 0 };

	if (!m)
		return;
	mk.when = m->head.taken;
	snprintf(mk.note, sizeof mk.note, "%s", note);
	if (!history_mark(&t->history, m->id, &mk)) {
		say(t, true, _("no memory for a marker"));
		return;
	}
	if (t->recording)
		recorder_marker(&t->record, &mk);
	say(t, false, t->recording ? _("marker %zu dropped at refresh %lld (and recorded)")
				   : _("marker %zu dropped at refresh %lld"),
	    t->history.nmarkers, m->head.number);
}

/* < and >: the marker before or after the moment shown. */
static void jump_marker(struct tui *t, int dir)
{
	unsigned long long at = in_past(t) ? t->past : history_newest(&t->history)
							     ? history_newest(&t->history)->id + 1
							     : 0;
	const struct history_marker *mk = history_marker_near(&t->history, at, dir > 0);
	const struct history_moment *m = mk ? history_find(&t->history, mk->moment) : NULL;
	char note[4 * RECORDING_NOTE_MAX + 1];

	if (!m) {
		say(t, false, "%s", dir < 0 ? _("no marker before (M drops one)")
					    : _("no marker after (M drops one)"));
		return;
	}
	go_to(t, m, 0);
	text_escape(note, sizeof note, mk->m.note, strlen(mk->m.note), t->s.style.utf8 ? TEXT_UTF8 : 0);
	/* TRANSLATORS: %s is the marker's note, as typed */
	say(t, false, _("marker: %s (%.1fs ago)"), note, moment_age(t, m));
}

static void key_prompt(struct tui *t, int c)
{
	size_t n = strlen(t->prompt);
	enum mode mode = t->mode;

	if (c == 27) {
		t->mode = MODE_NORMAL;
	} else if (c == '\n' || c == KEY_ENTER || c == '\r') {
		t->mode = MODE_NORMAL;
		if (mode == MODE_TIME)
			jump_to_seconds(t, t->prompt);
		else
			drop_marker(t, t->prompt);
	} else if ((c == KEY_BACKSPACE || c == 127 || c == 8) && n > 0) {
		t->prompt[n - 1] = '\0';
	} else if (c >= 0x20 && c < 0x7f && n + 1 < sizeof t->prompt &&
		   (mode == MODE_MARK || isdigit(c) || c == '.')) {
		t->prompt[n] = (char)c;
		t->prompt[n + 1] = '\0';
	}
}

static void ask_time(struct tui *t)
{
	start_prompt(t, MODE_TIME);
}

static void ask_marker(struct tui *t)
{
	start_prompt(t, MODE_MARK);
}


static void toggle_all_view(struct tui *t)
{
	session_toggle_all(&t->s);
	/* TRANSLATORS: the view shown; %s is lab, program, family or all, as
	 * written to --json */
	say(t, false, _("view: %s"), session_view_name(&t->s));
}

static void start_search(struct tui *t)
{
	t->mode = MODE_SEARCH;
	t->query[0] = '\0';
}

/* ---- the key table -------------------------------------------------------- */

/* A binding and its notes together (as tmux's bind -N): the keys, what
 * they do, how the help lists them and what the key bar says. The key
 * dispatch, the key bar and the help screen are all made from it. */
struct key_binding {
	int keys[3];                         /* 0 ends the list */
	void (*act)(struct tui *t);          /* or: */
	void (*act_with)(struct tui *t, int arg);
	int arg;
	const char *help_keys;               /* NULL: listed with the binding before */
	const char *help;                    /* '\n' goes on, indented, on a new line */
	bool help_same_line;                 /* listed at the end of the line before */
	const char *bar;                     /* on the key bar, or NULL */
	const char *bar_cut;                 /* on the key bar instead, when keys are left out */
	int bar_place;                       /* its place there, from 1 */
	int bar_rank;                        /* what stays on a short bar: 1 first */
	bool tour_only;                      /* on the key bar only during a tour */
	const char *lab_only;                /* what it does to the lab: with no lab, it is
					      * on neither the key bar nor the help */
	const char *program_help;            /* a lab key that also acts on a program forktop
					      * started (-- CMD): its help there */
	bool acts;                           /* it acts on processes or on what is read: not
					      * in the past */
};

#define HOME_OR_END 1000000

static const struct key_binding key_table[] = {
	{ { KEY_UP }, .act_with = move_selection, .arg = -1, .help_keys = "Up Down PgUp PgDn Home End  ",
	  .help = N_("move (in the tree, or in the events after Tab)") },
	{ { KEY_DOWN }, .act_with = move_selection, .arg = 1 },
	{ { KEY_PPAGE }, .act_with = move_page, .arg = -1 },
	{ { KEY_NPAGE }, .act_with = move_page, .arg = 1 },
	{ { KEY_HOME }, .act_with = move_selection, .arg = -HOME_OR_END },
	{ { KEY_END }, .act_with = move_selection, .arg = HOME_OR_END },
	{ { '\t' }, .act = switch_focus, .help_keys = "Tab",
	  .help = N_("switch between the tree and the event log") },
	{ { KEY_MOUSE }, .act = key_mouse },
	{ { 'l' }, .act = toggle_lessons, .help_keys = "l",
	  .help = N_("lessons: why the newest event happened (or the one chosen after Tab)"),
	  /* TRANSLATORS: key bar label: the key, a space, a one-word name; keep it short */
	  .bar = N_("l Lesson"), .bar_place = 4, .bar_rank = 9 },
	{ { '(' }, .act_with = scroll_lessons, .arg = -1, .help_keys = "( )",
	  .help = N_("scroll the lessons pane (the tour's Do: line stays in view)") },
	{ { ')' }, .act_with = scroll_lessons, .arg = 1 },
	{ { 'L' }, .act = grow_lessons, .help_keys = "L",
	  .help = N_("a larger lessons pane: the tree keeps the rows it needs up to half the screen, "
		     "else a third; the event log keeps two lines; L again: back") },
	{ { 'N' }, .act_with = act_tour, .arg = 1, .acts = true, .help_keys = "N P",
	  .help = N_("the guided tour's next and previous step (forktop --tour)"),
	  /* TRANSLATORS: key bar label: the key, a space, a one-word name; keep it short */
	  .bar = N_("N Next"), .bar_place = 1, .bar_rank = 3, .tour_only = true },
	{ { 'P' }, .act_with = act_tour, .arg = 0, .acts = true,
	  /* TRANSLATORS: key bar label: the key, a space, a one-word name; keep it short */
	  .bar = N_("P Back"), .bar_place = 2, .bar_rank = 4, .tour_only = true },
	{ { 't' }, .act_with = act_signal, .acts = true, .arg = SIGTERM, .help_keys = "t",
	  .help = N_("terminate(): SIGTERM to the selected process"),
	  /* TRANSLATORS: key bar label: the key, a space, a one-word name; keep it short */
	  .bar = N_("t Term"), .bar_place = 5, .bar_rank = 7 },
	{ { 'k' }, .act_with = act_signal, .acts = true, .arg = SIGKILL, .help_keys = "k",
	  .help = N_("kill(): SIGKILL to the selected process"),
	  /* TRANSLATORS: key bar label: the key, a space, a one-word name; keep it short */
	  .bar = N_("k Kill"), .bar_place = 6, .bar_rank = 6 },
	{ { 'J' }, .act = act_join, .acts = true, .help_keys = "J",
	  .help = N_("join(): its creator waits until it ends (at once when it has ended: a zombie "
		     "is reaped)"),
	  /* TRANSLATORS: key bar label: the key, a space, a one-word name; keep it short */
	  .bar = N_("J Join"), .bar_place = 7, .bar_rank = 11,
	  /* TRANSLATORS: a refusal where there is no lab; the reason follows in parentheses */
	  .lab_only = N_("J joins a lab process") },
	{ { 'X' }, .act_with = act_main, .arg = 1, .acts = true, .help_keys = "X",
	  .help = N_("kill the lab's MainProcess abruptly (SIGKILL): watch the orphans"),
	  /* TRANSLATORS: key bar label: the key, a space, a one-word name; keep it short */
	  .bar = N_("X KillMain"), .bar_place = 8, .bar_rank = 5,
	  .lab_only = N_("X acts on the lab's MainProcess"),
	  .program_help = N_("kill the program's top process abruptly (SIGKILL): no exit routine "
			     "runs, watch its children become orphans") },
	{ { 'E' }, .act_with = act_main, .arg = 0, .acts = true, .help_keys = "E",
	  .help = N_("let MainProcess exit normally: daemonic children are terminated,\n"
		     "then every child is joined, daemonic ones too"),
	  /* TRANSLATORS: key bar label: the key, a space, a one-word name; keep it short */
	  .bar = N_("E Exit"), .bar_place = 9, .bar_rank = 10,
	  .lab_only = N_("E acts on the lab's MainProcess"),
	  .program_help = N_("interrupt the program's top process (SIGINT, as Ctrl-C would): in "
			     "Python, KeyboardInterrupt, then the exit routine terminates daemonic "
			     "children and joins all") },
	{ { 's' }, .act = act_spawn, .acts = true, .help_keys = "s",
	  .help = N_("start another child in the selected process's group"),
	  .lab_only = N_("s starts a child in a lab group") },
	{ { 'r' }, .act = act_restart, .acts = true, .help_keys = "r",
	  .help = N_("restart the lab, or run the program again (forktop -- CMD)") },
	{ { 'm' }, .act = act_start_method, .acts = true, .help_keys = "m",
	  .help = N_("restart the lab with the next start method: fork, spawn, forkserver"),
	  /* TRANSLATORS: key bar label: the key, a space, a one-word name; keep it short */
	  .bar = N_("m Method"), .bar_place = 10, .bar_rank = 13,
	  .lab_only = N_("m restarts the lab with another start method") },
	{ { 'p' }, .act = act_pid_namespace, .acts = true, .help_keys = "p",
	  .help = N_("restart the lab in a PID namespace of its own, as in a container: with\n"
		     "MainProcess as its PID 1, then forktop's init in front of it, then back"),
	  .lab_only = N_("p restarts the lab in a PID namespace") },
	{ { 'c' }, .act = toggle_commands, .help_keys = "c",
	  .help = N_("command lines instead of names (see each start method's programs)") },
	{ { 'C' }, .act = toggle_more_columns, .help_keys = "C",
	  .help = N_("more columns: PGID, SID, TTY and ELAPSED (the time since it started), "
		     "or back (--columns)") },
	{ { 'R' }, .act = act_subreaper, .acts = true, .help_keys = "R",
	  .help = N_("make forktop a child subreaper (orphans come to it), or stop"),
	  /* TRANSLATORS: key bar label: the key, a space, a one-word name; keep it short */
	  .bar = N_("R Reaper"), .bar_place = 11, .bar_rank = 12 },
	{ { 'g' }, .act = toggle_ghost, .help_keys = "g",
	  .help = N_("the tree as it was (every process under its creator) beside now"),
	  /* TRANSLATORS: key bar label: the key, a space, a one-word name; keep it short */
	  .bar = N_("g Ghost"), .bar_place = 12, .bar_rank = 8 },
	{ { KEY_F(9) }, .act = open_signal_menu, .acts = true, .help_keys = "F9",
	  .help = N_("send any signal to the selected process") },
	{ { ' ' }, .act = toggle_pause, .help_keys = "Space",
	  .help = N_("pause: the moment shown stays while the lab runs on and is kept; Space again: "
		     "live") },
	{ { '[' }, .act_with = step_moment, .arg = -1, .help_keys = "[ ]",
	  .help = N_("one refresh back or forward in time ([ while live pauses first)") },
	{ { ']' }, .act_with = step_moment, .arg = 1 },
	{ { '{' }, .act_with = jump_event, .arg = -1, .help_keys = "{ }",
	  .help = N_("the previous or next event of the selected process (after Tab: any event)") },
	{ { '}' }, .act_with = jump_event, .arg = 1 },
	{ { 'T' }, .act = ask_time, .help_keys = "T",
	  .help = N_("go back to a time typed as seconds ago") },
	{ { 'M' }, .act = ask_marker, .help_keys = "M < >",
	  .help = N_("drop a marker with a note (recorded with --record); < > go to the marker "
		     "before or after") },
	{ { '<' }, .act_with = jump_marker, .arg = -1 },
	{ { '>' }, .act_with = jump_marker, .arg = 1 },
	{ { 'H' }, .act = toggle_threads, .acts = true, .help_keys = "H",
	  .help = N_("each process's threads under it, as {name}: TID, state, CPU% "
		     "(a key on a thread acts on its process)") },
	{ { 'a' }, .act = toggle_all_view, .acts = true, .help_keys = "a",
	  .help = N_("every process on the machine, or back to the lab") },
	{ { '+' }, .act_with = toggle_collapse, .arg = 0, .help_keys = "+ -",
	  .help = N_("expand or collapse the selected subtree") },
	{ { '-' }, .act_with = toggle_collapse, .arg = 1 },
	{ { '/', KEY_F(3) }, .act = start_search, .help_keys = "/ n",
	  .help = N_("find a name; n finds the next one") },
	{ { 'n' }, .act_with = find_next, .arg = 1 },
	{ { '?', 'h', KEY_F(1) }, .act = show_help, .help_keys = "? F1",
	  /* TRANSLATORS: the help's line for ? F1; the keys q F10 and what they do follow */
	  .help = N_("this help;"),
	  /* TRANSLATORS: key bar label: the key, a space, a one-word name; keep it short */
	  .bar = N_("F1 Help"),
	  /* TRANSLATORS: key bar label when keys are left out of it: the key first, keep it short */
	  .bar_cut = N_("F1 Help: every key"), .bar_place = 3, .bar_rank = 1 },
	{ { 'q', KEY_F(10) }, .act = quit, .help_keys = "q F10",
	  .help = N_("quit (the lab, or a program forktop started, ends with forktop)"),
	  .help_same_line = true,
	  /* TRANSLATORS: key bar label: the key, a space, a one-word name; keep it short */
	  .bar = N_("q Quit"), .bar_place = 13, .bar_rank = 2 },
};
#define KEY_TABLE_SIZE (sizeof key_table / sizeof key_table[0])

static const struct key_binding *binding_of(int c)
{
	for (size_t i = 0; i < KEY_TABLE_SIZE; i++)
		for (size_t k = 0; k < 3 && key_table[i].keys[k]; k++)
			if (key_table[i].keys[k] == c)
				return &key_table[i];
	return NULL;
}

/* Whether binding b applies here: a lab key needs a lab (or, for some, a
 * program forktop started). */
static bool applies(const struct tui *t, const struct key_binding *b)
{
	return !b->lab_only || t->s.opt->scenario || (b->program_help && t->s.opt->command);
}

static void key_normal(struct tui *t, int c)
{
	const struct key_binding *b = binding_of(c);

	if (!b)
		say(t, true, _("no action on this key: press ? for help"));
	else if (b->acts && (in_past(t) || t->replay))
		refuse_in_past(t);
	else if (!applies(t, b))
		say(t, true, "%s (%s)", _(b->lab_only), session_no_lab_reason(&t->s));
	else if (b->act)
		b->act(t);
	else
		b->act_with(t, b->arg);
}

static bool on_bar(const struct tui *t, const struct key_binding *b)
{
	return b->bar && (!b->tour_only || t->guide.tour) && applies(t, b) && !(t->replay && b->acts);
}

static const char *bar_label(const struct key_binding *b, bool cut)
{
	return cut && b->bar_cut ? _(b->bar_cut) : _(b->bar);
}

/* The bindings the key bar has room for, whole: by rank, until one does
 * not fit. Returns whether some were left out (the help lists them). */
static bool keybar_choose(const struct tui *t, bool shown[KEY_TABLE_SIZE], bool cut)
{
	int used = -2; /* two spaces between items */

	memset(shown, 0, KEY_TABLE_SIZE * sizeof *shown);
	for (int rank = 1; rank <= (int)KEY_TABLE_SIZE; rank++)
		for (size_t i = 0; i < KEY_TABLE_SIZE; i++) {
			const struct key_binding *b = &key_table[i];

			if (b->bar_rank != rank || !on_bar(t, b))
				continue;
			used += 2 + text_width(bar_label(b, cut));
			if (used > t->cols)
				return true;
			shown[i] = true;
		}
	return false;
}

/* The key bar: what fits of the bindings that have a place on it, in that
 * order; when some are left out, the help's item says it lists them. */
static void keybar_text(const struct tui *t, char *buf, size_t len)
{
	bool shown[KEY_TABLE_SIZE];
	bool cut = keybar_choose(t, shown, false) && keybar_choose(t, shown, true);
	size_t used = 0;

	buf[0] = '\0';
	for (int place = 1; place <= (int)KEY_TABLE_SIZE; place++)
		for (size_t i = 0; i < KEY_TABLE_SIZE; i++)
			if (shown[i] && key_table[i].bar_place == place && used < len)
				used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "  " : "",
							 bar_label(&key_table[i], cut));
}

static void draw_keybar(struct tui *t, int y)
{
	char bar[512];

	keybar_text(t, bar, sizeof bar);
	bar_on(t);
	fill_line(y, 0);
	mvhline(y, 0, ' ', t->cols);
	draw_text(y, 0, bar, t->cols);
	attrset(A_NORMAL);
}

#define HELP_LINES_MAX 240
#define HELP_LINE_LEN 1024 /* bytes: Hangul takes three a syllable */
#define HELP_INDENT 13 /* the keys' column: a description starts after it */

/* The help's last lines ("": a blank line, not translated) */
static const char *const help_after[] = {
	"",
	/* TRANSLATORS: the help: the column names (PID PPID S DAEMON EXIT CPU% TIME+
	 * NAME) are the tree's headings: keep them as they are; so are the values
	 * yes and no of DAEMON */
	/* xgettext:no-c-format */
	N_("Columns: PID the process's ID; PPID its parent's; S its state; DAEMON Python's "
	   "daemon flag (yes, no; - for what is no Python Process object); EXIT Python's "
	   "exitcode; CPU% the share of one core since the previous refresh; TIME+ the CPU "
	   "time it used; NAME its name (c: with its command line). PID 1 is this system's init."),
	/* TRANSLATORS: the help: the state letters R S D Z T X are as the kernel
	 * shows them: keep them */
	N_("States (S): R running or ready to run, S sleeping (waiting for something), "
	   "D in uninterruptible sleep (disk), Z zombie (ended, not reaped yet), T stopped, "
	   "X ended (shown a moment, or a ghost in the tree as it was)."),
	/* TRANSLATORS: the help: EXIT is a column name: keep it */
	N_("EXIT: N it called exit(N) (0: success); -N a signal N killed it (-15 SIGTERM, "
	   "-9 SIGKILL); - still running, or not known."),
	"",
	N_("Colours: cyan daemonic, green non-daemonic, magenta MainProcess, red zombie, "
	   "yellow orphan, dim: ended (shown for a few seconds with its exit code)."),
	N_("Processes forktop did not start (outside the lab, or the program's family after "
	   "--attach) are signalled only after you confirm."),
	N_("The key bar shows the keys that fit, the most used first: this help lists every key."),
};

struct help_text {
	char lines[HELP_LINES_MAX][HELP_LINE_LEN];
	int count, width; /* built for width columns */
	bool lab;         /* with the lab's keys */
	bool program;     /* with no lab, for a program forktop started */
	char history[512]; /* what the history holds, when it was built */
};

/* text wrapped at words to width columns: the first line after lead, the
 * others indented as far as the keys' column ('\n' starts a new line). */
static void help_add(struct help_text *h, const char *lead, int indent, const char *text)
{
	size_t at = 0, len = strlen(text);
	int first = (int)strlen(lead); /* the keys are ASCII: bytes are columns */

	do {
		int skip = at ? indent : first;
		size_t next, n = guide_wrap(text + at, h->width - skip, &next);

		if (h->count == HELP_LINES_MAX)
			return;
		snprintf(h->lines[h->count++], HELP_LINE_LEN, "%-*s%.*s", skip, at ? "" : lead,
			 (int)n, text + at);
		at += next ? next : 1;
	} while (at < len);
}

/* A binding's keys and note, with the note of the binding listed on the same line. */
static void help_binding(struct help_text *h, size_t i)
{
	const struct key_binding *b = &key_table[i], *after = i + 1 < KEY_TABLE_SIZE ? b + 1 : NULL;
	const char *help = _(!h->lab && b->program_help ? b->program_help : b->help);
	char lead[64], note[HELP_LINE_LEN];

	snprintf(lead, sizeof lead, "  %-10s ", b->help_keys);
	if (after && after->help && after->help_same_line)
		snprintf(note, sizeof note, "%s   %s  %s", help, after->help_keys, _(after->help));
	else
		snprintf(note, sizeof note, "%s", help);
	help_add(h, lead, HELP_INDENT, note);
}

/* The Python examples forktop ships, each with what it shows. */
static void help_examples(struct help_text *h)
{
	struct example all[EXAMPLES_MAX];
	char err[1200], lead[EXAMPLE_NAME_MAX + 8];
	int n = example_list(all, EXAMPLES_MAX, err, sizeof err);

	if (n <= 0)
		return;
	help_add(h, "", 0, "");
	/* TRANSLATORS: the help; NAME stands for an example's name, as typed */
	help_add(h, "", 0, _("Python examples to watch: forktop --example NAME (quit, then run it):"));
	/* help_after starts with its own blank line */
	for (int i = 0; i < n; i++) {
		snprintf(lead, sizeof lead, "  %-20.63s ", all[i].name);
		help_add(h, lead, 23, all[i].summary);
	}
}

/* The keys and notes, wrapped to width columns (the lab's keys only with a
 * lab, or those that act on a program too, for a program). */
static void help_build(struct help_text *h, int width, bool lab, bool program,
		       const char *history)
{
	h->count = 0;
	snprintf(h->history, sizeof h->history, "%s", history);
	h->width = width < HELP_INDENT + 8 ? HELP_INDENT + 8 : width;
	h->lab = lab;
	h->program = program;
	for (size_t i = 0; i < KEY_TABLE_SIZE; i++) {
		const struct key_binding *b = &key_table[i];

		if (b->help && !b->help_same_line &&
		    (lab || !b->lab_only || (program && b->program_help)))
			help_binding(h, i);
	}
	help_add(h, "", 0, "");
	help_add(h, "", 0, history);
	help_examples(h);
	for (size_t i = 0; i < sizeof help_after / sizeof *help_after; i++)
		help_add(h, "", 0, help_after[i][0] ? _(help_after[i]) : "");
}

/* The help's lines below its title and above the line that says where it is. */
static int help_body(const struct tui *t)
{
	return t->lines - 2;
}

static void draw_help(struct tui *t)
{
	static struct help_text help; /* rebuilt when the width or the keys change */
	int body = help_body(t), last, x;
	char where[384], facts[384];
	bool lab = t->s.opt->scenario != NULL, program = !lab && t->s.opt->command;

	char history[512];

	/* TRANSLATORS: the help: the moments kept (Space, [ ], T) */
	snprintf(history, sizeof history, _("Time travel: the screen keeps up to %zu MiB of moments "
					    "(--history); now %zu refreshes over %.0fs (%.1f MiB)."),
		 t->history.limit >> 20,
		 t->history.count, history_span(&t->history), (double)t->history.bytes / (1 << 20));
	if (help.width != t->cols - 2 || !help.count || help.lab != lab || help.program != program ||
	    strcmp(help.history, history))
		help_build(&help, t->cols - 2, lab, program, history);
	t->help_lines = help.count;
	if (t->help_top > help.count - body)
		t->help_top = help.count - body;
	if (t->help_top < 0)
		t->help_top = 0;
	last = t->help_top + body < help.count ? t->help_top + body : help.count;
	erase();
	attrset(A_BOLD);
	/* TRANSLATORS: the help's title, after "forktop: " */
	snprintf(where, sizeof where, "forktop: %s", _("keys"));
	x = draw_text(0, 1, where, t->cols - 1);
	attrset(A_NORMAL); /* and what a short header leaves out */
	/* TRANSLATORS: the help's title, after "forktop: keys"; %s is lab,
	 * program, family or all, as written to --json; keep the two spaces */
	snprintf(facts, sizeof facts, _("  (version %s, every %.1fs, view: %s)"), PACKAGE_VERSION,
		 (double)t->s.opt->delay_ms / 1000.0, session_view_name(&t->s));
	draw_cut(t, 0, 1 + x, facts, t->cols - 1 - x);
	attrset(A_NORMAL);
	for (int i = t->help_top; i < last; i++)
		draw_text(1 + i - t->help_top, 1, help.lines[i], t->cols - 1);
	/* TRANSLATORS: the help's last line; %s is the arrow keys (Up Down);
	 * PgUp PgDn Home End are keys: keep them */
	snprintf(where, sizeof where, _("lines %d-%d of %d, %s PgUp PgDn Home End: scroll, "
					"other keys: back"), t->help_top + 1, last, help.count,
		 t->s.style.utf8 ? "\u2191\u2193" : "Up Down");
	if (text_width(where) > t->cols) /* TRANSLATORS: the same, short: the position and the
					 * keys that scroll */
		snprintf(where, sizeof where, _("lines %d-%d of %d, %s PgUp PgDn"), t->help_top + 1,
			 last, help.count, t->s.style.utf8 ? "\u2191\u2193" : "Up Down");
	bar_on(t);
	mvhline(t->lines - 1, 0, ' ', t->cols);
	draw_text(t->lines - 1, 0, where, t->cols);
	attrset(A_NORMAL);
}

/* The help: the moving keys scroll it, any other key closes it. */
static void key_help(struct tui *t, int c)
{
	int page = help_body(t) - 1;

	switch (c) {
	case KEY_UP: t->help_top--; break;
	case KEY_DOWN: t->help_top++; break;
	case KEY_PPAGE: t->help_top -= page; break;
	case KEY_NPAGE: t->help_top += page; break;
	case KEY_HOME: t->help_top = 0; break;
	case KEY_END: t->help_top = t->help_lines; break;
	default: t->mode = MODE_NORMAL; return;
	}
	if (t->help_top > t->help_lines - help_body(t))
		t->help_top = t->help_lines - help_body(t);
	if (t->help_top < 0)
		t->help_top = 0;
}

static void key(struct tui *t, int c)
{
	if (c == KEY_RESIZE)
		return; /* not a key: draw() takes the new size; the help or a question stays */
	switch (t->mode) {
	case MODE_HELP: key_help(t, c); break;
	case MODE_SEARCH: key_search(t, c); break;
	case MODE_CONFIRM: key_confirm(t, c); break;
	case MODE_SIGNALS: key_signals(t, c); break;
	case MODE_TIME:
	case MODE_MARK: key_prompt(t, c); break;
	default: key_normal(t, c); break;
	}
}

/* ---- the loop ----------------------------------------------------------- */

/* The processes on screen: a partial scan reads them at every refresh (in
 * the past, none is live on screen). */
static void want_visible(struct tui *t)
{
	pid_t pids[512];
	size_t n = 0;

	/* a thread's line wants its process, even one whose own line is above
	 * the screen: else its threads would not be read, and the lines of the
	 * screen would change from one refresh to the next */
	for (int v = t->top; !in_past(t) && v < t->nvisible && n < 512 && v < t->top + t->lines; v++) {
		pid_t pid = row_of_line(t, v)->pid;

		if (!n || pids[n - 1] != pid)
			pids[n++] = pid;
	}
	session_want(&t->s, pids, n);
}

/* The refresh as a moment of the history (and of the recording). */
static void keep_refresh(struct tui *t, bool record)
{
	bool ghost = t->s.ghost_wanted;
	struct timespec now;

	if (capture_frame(&t->s, &t->capture) < 0)
		return; /* no memory: this moment is not kept */
	frame_clear(&t->capture_ghost);
	if (ghost && capture_rows(&t->s, t->s.ghost.rows, t->s.ghost.nrows, &t->s.ghost.tree,
				  &t->capture_ghost) < 0)
		ghost = false;
	if (t->recording && record)
		recorder_frame(&t->record, &t->capture, ghost ? &t->capture_ghost : NULL);
	clock_gettime(CLOCK_MONOTONIC, &now);
	history_keep(&t->history, &t->capture, ghost ? &t->capture_ghost : NULL,
		     track_last_seq(t->s.track), now);
}

/* ---- a replay: the moments read from a recording ------------------------ */

/* A frame read becomes the newest moment, at its recorded time. */
static void replay_frame(struct tui *t)
{
	const struct history_moment *m =
		history_keep(&t->history, &t->rframe, t->line.has_ghost ? &t->rghost : NULL,
			     track_last_seq(t->s.track), t->rframe.taken);

	if (m && (!t->past || t->following))
		t->past = m->id;
}

/* An event read: logged; the newest moment's when it is not later than it
 * (a frame's own events come after it in the recording). */
static void replay_event(struct tui *t)
{
	const struct history_moment *newest = history_newest(&t->history);
	const struct timespec *when = &t->line.event.when;

	track_log(t->s.track, &t->line.event);
	if (newest && (when->tv_sec < newest->head.taken.tv_sec ||
		       (when->tv_sec == newest->head.taken.tv_sec &&
			when->tv_nsec <= newest->head.taken.tv_nsec)))
		history_extend_newest(&t->history, track_last_seq(t->s.track));
}

static void replay_line(struct tui *t)
{
	const struct history_moment *m;

	switch (t->line.kind) {
	case RECORDING_HEADER:
		snprintf(t->replay_what, sizeof t->replay_what, "%.190s", t->reader.info.source);
		break;
	case RECORDING_FRAME: replay_frame(t); break;
	case RECORDING_EVENT: replay_event(t); break;
	case RECORDING_MARKER:
		if ((m = history_at_time(&t->history, t->line.marker.when)))
			history_mark(&t->history, m->id, &t->line.marker);
		break;
	default: break;
	}
}

/* What has come of the recording, at most a while's worth at a time (a
 * stream goes on; a file is read whole at the start). */
static void read_replay(struct tui *t)
{
	char err[512];
	enum recording_status st = RECORDING_AGAIN;

	for (long n = 0; !t->replay_ended && n < 1000000; n++) {
		st = recording_next(&t->reader, &t->line, err, sizeof err);
		if (st != RECORDING_OK)
			break;
		replay_line(t);
	}
	if (st == RECORDING_END || st < RECORDING_END) {
		t->replay_ended = true;
		if (st < RECORDING_END)
			say(t, true, "%s", err);
		else if (t->reader.note[0])
			say(t, false, "%s", t->reader.note);
		else if (t->reader.fd >= 0) /* a stream's end is news; a file's is known at once */
			/* TRANSLATORS: [ { < are keys that go back in the recording */
			say(t, false, _("the recording ended: %zu refreshes over %.0fs; [ { < go "
					"back"),
			    t->history.count, history_span(&t->history));
	}
	keep_moment(t);
}

static int refresh_view(struct tui *t)
{
	int rc;

	if (t->replay) {
		read_replay(t);
		return 0;
	}
	want_visible(t);
	if ((rc = session_refresh(&t->s)) < 0)
		return rc;
	keep_refresh(t, true);
	if (in_past(t))
		keep_moment(t); /* the lab runs on; the moment shown stays */
	else
		rows_changed(t);
	return 0;
}

/* Before each wait: the events logged since the last, to the recording. */
static void record_events(struct tui *t)
{
	unsigned long long last = track_last_seq(t->s.track);

	for (unsigned long long q = t->recorded + 1; t->recording && q <= last; q++) {
		const struct track_event *ev = track_event(t->s.track, q);

		if (ev && session_event_in_view(&t->s, ev))
			recorder_event(&t->record, ev);
	}
	t->recorded = last;
	if (t->recording && !recorder_flush(&t->record)) {
		t->recording = false;
		say(t, true, _("--record: writing failed (a full disk?): recording stopped"));
	}
}

/* The keys typed since the last round, at most a screenful of them: a
 * terminal that went away can keep getch() from ever returning ERR. */
static void read_keys(struct tui *t)
{
	int c;

	for (int budget = 256; budget > 0 && !t->quit && (c = getch()) != ERR; budget--) {
		key(t, c);
		if (c != KEY_RESIZE && c != ERR && t->mode == MODE_NORMAL)
			compute_visible(t);
	}
}

static int refresh_face(void *face)
{
	return refresh_view(face);
}

static bool draw_face(void *face)
{
	struct tui *t = face;

	log_follow(t);
	record_events(t);
	if (guide_update(&t->guide, &t->s)) {
		t->lesson_scroll = 0; /* the step's "Done:" line is its first */
		say_step(t);
	}
	draw(t);
	return true;
}

/* The keys typed meanwhile; a resize comes as a key after a signal ended
 * the wait, so the keys are read whatever poll() said. */
static bool keys_face(void *face, short input_revents)
{
	struct tui *t = face;

	if (input_revents & (POLLHUP | POLLERR | POLLNVAL))
		t->quit = true; /* the terminal is gone (its SIGHUP may be on its way) */
	read_keys(t);
	return !t->quit;
}

/* A lab's report is worth a refresh at once: the screen shows it. */
static const struct session_loop tui_loop = {
	.refresh = refresh_face,
	.before_wait = draw_face,
	.after_wait = keys_face,
	.input_fd = STDIN_FILENO,
	.refresh_on_activity = true,
};

/* The keyboard, opened again without blocking: ncurses reads the rest of a
 * mouse report byte by byte, and junk that starts like one ("ESC [ <" and
 * no end) would hold it in read() until more keys came, the screen and
 * the refreshes stopped. A read of its own leaves the flags of the shell's
 * descriptor alone. stdin itself when the terminal cannot be opened. */
/* --replay FILE: a recording, checked before the screen opens (its first
 * line must be one of a recording). Returns 0, or the exit status with
 * the reason on stderr. */
static int open_replay(struct tui *t, const char *path)
{
	char err[512];
	enum recording_status st;

	t->line = (struct recording_line){ .frame = &t->rframe, .ghost = &t->rghost };
	if (recording_open(&t->reader, path, err, sizeof err) < 0) {
		fprintf(stderr, "forktop: --replay %s\n", err);
		return 2;
	}
	st = recording_next(&t->reader, &t->line, err, sizeof err);
	if (st != RECORDING_OK) {
		fprintf(stderr, "forktop: %s\n",
			st == RECORDING_END ? _("the recording is empty") : err);
		return st == RECORDING_NOT_ONE || st == RECORDING_END ? 2 : 1;
	}
	t->replay = true;
	snprintf(t->replay_what, sizeof t->replay_what, "%s", path);
	return 0;
}

/* The first line read, once the session (its event log) is there; a file
 * starts at its first moment, a stream follows its newest. */
static void start_replay(struct tui *t)
{
	const struct history_moment *m;

	replay_line(t);
	t->following = recording_nonblocking(&t->reader) >= 0; /* a stream, not a file */
	read_replay(t);
	if (!t->following && (m = history_oldest(&t->history))) {
		go_to(t, m, 0);
		/* TRANSLATORS: ] [ } { > < and Space are keys */
		say(t, false, _("a recording of %zu refreshes over %.0fs: ] [ } { > < move, Space: "
				"its end"),
		    t->history.count, history_span(&t->history));
	}
}

/* --record FILE: its first line now, then each refresh and event. */
static int start_recording(struct tui *t, const char *path, char *err, size_t errlen)
{
	struct recording_info info;

	if (recorder_open(&t->record, path, err, errlen) < 0)
		return -1;
	recorder_session_info(&info, &t->s);
	if (!recorder_header(&t->record, &info) || !recorder_flush(&t->record)) {
		snprintf(err, errlen, _("--record %s: writing failed"), path);
		return -1;
	}
	t->recording = true;
	return 0;
}

static FILE *keyboard(void)
{
	const char *name = isatty(STDIN_FILENO) ? ttyname(STDIN_FILENO) : "/dev/tty";
	int fd = name ? open(name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY) : -1;
	FILE *in = fd >= 0 ? fdopen(fd, "r") : NULL;

	if (!in && fd >= 0)
		close(fd);
	return in ? in : stdin;
}

/* The terminal must be a terminal ncurses knows before anything starts. */
static int open_terminal(bool replay_from_stdin, int *keys_fd)
{
	const char *term = getenv("TERM");
	SCREEN *screen;
	FILE *keys;
	char msg[PATH_MAX + 256];

	if ((!isatty(STDIN_FILENO) && !replay_from_stdin) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "forktop: %s\n",
			_("not a terminal: use --batch for text or --json frames"));
		return 2;
	}
	keys = keyboard();
	if (!keys || (!isatty(fileno(keys)))) {
		fprintf(stderr, "forktop: %s\n", _("no terminal to read keys from: use --batch"));
		return 2;
	}
	*keys_fd = fileno(keys);
	screen = newterm(NULL, stdout, keys);
	if (!screen) {
		/* TRANSLATORS: %s is the value of TERM */
		snprintf(msg, sizeof msg, _("terminal type '%s' is unknown: set TERM, or use --batch"),
			 term ? term : "");
		fprintf(stderr, "forktop: %s\n", msg);
		return 2;
	}
	set_term(screen);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
	mouseinterval(0);
	set_escdelay(25);
	return 0;
}

int tui_run(const struct tui_options *opt)
{
	static struct tui t; /* large; one per process */
	struct session_options session = opt->session;
	struct session_loop loop;
	char err[256], msg[PATH_MAX + 256];
	int rc;

	session_catch_stop_signals();
	if (opt->replay && (rc = open_replay(&t, opt->replay)) != 0)
		return rc;
	if ((rc = open_terminal(opt->replay && !strcmp(opt->replay, "-"), &t.keyboard_fd)) != 0) {
		recording_close(&t.reader);
		return rc;
	}
	setup_colours(&t);
	session.tombstones = session.partial_scans = true; /* a screen shows what just ended,
							       and reads only what it shows */
	session.cmdlines = opt->record != NULL; /* a recording has them, as --json's frames */
	if (t.replay) { /* nothing is read but the recording, ten times a second */
		session.partial_scans = false;
		session.delay_ms = 100;
	}
	t.columns_asked = session.columns;
	history_init(&t.history, (size_t)opt->history_mib << 20);

	rc = session_open(&t.s, &session, err, sizeof err);
	if (rc == 0 && guide_open(&t.guide, opt->tour, NULL) < 0) {
		snprintf(err, sizeof err, "%s", _("out of memory"));
		rc = -1;
	}
	if (rc == 0 && opt->record && start_recording(&t, opt->record, err, sizeof err) < 0)
		rc = -1;
	if (rc < 0) {
		endwin();
		fprintf(stderr, "forktop: %s\n", err);
		session_close(&t.s);
		return 1;
	}
	t.lessons = opt->tour != NULL;
	if (opt->tour)
		say(&t, false, _("the tour: follow the steps in the pane (N: next step, P: back)"));
	else
		say(&t, false, _("press ? for help"));
	if (t.replay)
		start_replay(&t);
	t.columns_to_say = (t.columns_asked & ROWS_COLS_EXTRA) != 0; /* --columns: said at once */
	loop = tui_loop;
	loop.input_fd = t.keyboard_fd;
	rc = session_run(&t.s, &loop, &t);
	endwin();
	record_events(&t);
	guide_close(&t.guide);
	session_close(&t.s);
	session_release_stop_signals();
	free(t.visible);
	free(t.collapsed);
	history_release(&t.history, &t.hold);
	frame_view_free(&t.pv);
	frame_view_free(&t.pghost);
	frame_free(&t.pframe);
	frame_free(&t.pghost_frame);
	frame_free(&t.capture);
	frame_free(&t.capture_ghost);
	history_free(&t.history);
	recording_line_free(&t.line);
	recording_close(&t.reader);
	frame_free(&t.rframe);
	frame_free(&t.rghost);
	if (opt->record && !recorder_close(&t.record)) {
		snprintf(msg, sizeof msg, _("--record %s: writing failed (a full disk?): the recording "
					    "is cut short"), opt->record);
		fprintf(stderr, "forktop: %s\n", msg);
		return 1;
	}
	if (rc < 0) {
		snprintf(msg, sizeof msg, _("reading processes failed: %s"), strerror(-rc));
		fprintf(stderr, "forktop: %s\n", msg);
		return 1;
	}
	return 0;
}
