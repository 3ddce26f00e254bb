/* batch: the frame loop of batch mode and its text and NDJSON writers.
 * SIGINT/SIGTERM end the loop after the current frame; a closed pipe
 * (`forktop --batch | head`) ends it quietly. */
#include "batch.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/lab.h"
#include "../src/scan.h"
#include "../src/script.h"
#include "../src/text.h"
#include "../src/track.h"
#include "../src/tree.h"
#include "rows.h"

#define EVENT_LOG_CAPACITY 4096
#define LAB_STOP_WAIT_MS 2000

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* The processes one frame shows, as pointers into the snapshot. */
struct view {
	const struct scan_proc **procs;
	pid_t *pids, *ppids;
	size_t count, cap;
};

struct frame_state {
	const struct batch_options *opt;
	struct rows_style style;
	struct scan *scan;
	struct track *track;
	struct scan_snapshot snap;
	struct view view;
	struct tree tree;
	pid_t *shown_before; /* sorted PIDs of the previous frame (family view) */
	size_t nshown_before;
	struct row *rows;
	size_t rows_cap;
	unsigned long long events_shown; /* last event sequence already written */
	long frame;
	struct lab lab;
	bool lab_on;
	pid_t *watch;        /* PIDs the lab view selects */
	size_t watch_cap;
	size_t next_step;    /* the script's next step */
	struct timespec t0;  /* CLOCK_MONOTONIC when the lab started */
};

static int view_reserve(struct view *v, size_t n)
{
	if (n <= v->cap)
		return 0;
	v->cap = n + n / 2 + 16;
	v->procs = realloc(v->procs, v->cap * sizeof *v->procs);
	v->pids = realloc(v->pids, v->cap * sizeof *v->pids);
	v->ppids = realloc(v->ppids, v->cap * sizeof *v->ppids);
	return v->procs && v->pids && v->ppids ? 0 : -ENOMEM;
}

static void view_add(struct view *v, const struct scan_proc *p)
{
	v->procs[v->count] = p;
	v->pids[v->count] = p->pid;
	v->ppids[v->count] = p->ppid;
	v->count++;
}

static void view_free(struct view *v)
{
	free(v->procs);
	free(v->pids);
	free(v->ppids);
}

/* pid's ancestors and descendants, found in a tree of the whole view. */
static int narrow_to_family(struct frame_state *fs)
{
	struct view *v = &fs->view;
	const struct scan_proc **all = malloc((v->count + 1) * sizeof *all);
	int node;

	if (!all)
		return -ENOMEM;
	memcpy(all, v->procs, v->count * sizeof *all);
	node = tree_find(&fs->tree, fs->opt->family_pid);
	v->count = 0;
	for (int a = node == TREE_NONE ? TREE_NONE : fs->tree.nodes[node].parent;
	     a != TREE_NONE; a = fs->tree.nodes[a].parent)
		view_add(v, all[fs->tree.nodes[a].item]);
	for (int i = node; node != TREE_NONE && i < node + fs->tree.nodes[node].subtree_size; i++)
		view_add(v, all[fs->tree.nodes[i].item]);
	free(all);
	tree_free(&fs->tree);
	return tree_build(&fs->tree, v->pids, v->ppids, v->count);
}

static bool watched(const pid_t *pids, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* PID 1, the monitor, every lab process not yet gone, and their current
 * parents (a subreaper that adopted an orphan). */
static size_t lab_view_pids(struct frame_state *fs)
{
	size_t need = fs->lab.count * 2 + 2, n = 0;

	if (need > fs->watch_cap) {
		pid_t *p = realloc(fs->watch, need * sizeof *p);

		if (!p)
			return 0;
		fs->watch = p;
		fs->watch_cap = need;
	}
	fs->watch[n++] = 1;
	fs->watch[n++] = getpid();
	n += lab_watch_pids(&fs->lab, fs->watch + n, fs->watch_cap - n);
	for (size_t i = 0; i < fs->lab.count; i++) {
		pid_t pp = fs->lab.members[i].ppid;

		if (!fs->lab.members[i].gone && pp > 0 && !watched(fs->watch, n, pp))
			fs->watch[n++] = pp;
	}
	return n;
}

/* Selects the lab view; a second pass picks up parents first seen now. */
static int scan_lab_view(struct frame_state *fs)
{
	for (int pass = 0; pass < 2; pass++) {
		size_t n = lab_view_pids(fs);
		bool missing = false;
		int rc = scan_select(fs->scan, fs->watch, n, &fs->snap);

		if (rc < 0)
			return rc;
		for (size_t i = 0; i < fs->snap.count; i++) {
			const struct lab_member *m = lab_member_of(&fs->lab, &fs->snap.procs[i]);

			if (m && !watched(fs->watch, n, fs->snap.procs[i].ppid)) {
				fs->lab.members[m - fs->lab.members].ppid = fs->snap.procs[i].ppid;
				missing = true;
			}
		}
		if (!missing)
			break;
	}
	return 0;
}

static int take_snapshot(struct frame_state *fs)
{
	int rc;

	if (fs->lab_on && !fs->opt->all)
		rc = scan_lab_view(fs);
	else
		rc = scan_all(fs->scan, &fs->snap);
	if (rc < 0 || (rc = track_update(fs->track, &fs->snap)) < 0)
		return rc;
	if (fs->lab_on)
		lab_observe(&fs->lab, &fs->snap);
	return 0;
}

static int build_view(struct frame_state *fs)
{
	int rc;

	tree_free(&fs->tree);
	fs->view.count = 0;
	if ((rc = view_reserve(&fs->view, fs->snap.count)) < 0)
		return rc;
	for (size_t i = 0; i < fs->snap.count; i++)
		view_add(&fs->view, &fs->snap.procs[i]);
	if ((rc = tree_build(&fs->tree, fs->view.pids, fs->view.ppids, fs->view.count)) < 0)
		return rc;
	return fs->opt->family_pid > 0 ? narrow_to_family(fs) : 0;
}

static bool was_shown(const struct frame_state *fs, pid_t pid)
{
	size_t lo = 0, hi = fs->nshown_before;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (fs->shown_before[mid] == pid)
			return true;
		if (fs->shown_before[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* In the family view, only events about processes it shows or showed; with
 * the lab, its own "started" event already announces a new lab process. */
static bool event_in_view(const struct frame_state *fs, const struct track_event *ev)
{
	if (fs->lab_on && ev->kind == TRACK_NEW) {
		for (size_t i = 0; i < fs->lab.count; i++)
			if (fs->lab.members[i].pid == ev->pid)
				return false;
	}
	if (fs->opt->family_pid <= 0)
		return true;
	return tree_find(&fs->tree, ev->pid) != TREE_NONE || was_shown(fs, ev->pid);
}

static int by_pid(const void *a, const void *b)
{
	pid_t pa = *(const pid_t *)a, pb = *(const pid_t *)b;

	return (pa > pb) - (pa < pb);
}

static int remember_shown(struct frame_state *fs)
{
	pid_t *p = realloc(fs->shown_before, (fs->view.count + 1) * sizeof *p);

	if (!p)
		return -ENOMEM;
	memcpy(p, fs->view.pids, fs->view.count * sizeof *p);
	qsort(p, fs->view.count, sizeof *p, by_pid);
	fs->shown_before = p;
	fs->nshown_before = fs->view.count;
	return 0;
}

static double seconds(struct timespec ts)
{
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void clock_text(struct timespec ts, char *buf, size_t len, bool millis)
{
	struct tm tm;
	size_t n;

	localtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%H:%M:%S", &tm);
	if (millis && n < len)
		snprintf(buf + n, len - n, ".%03ld", ts.tv_nsec / 1000000);
}

static const char *view_name(const struct frame_state *fs)
{
	if (fs->opt->family_pid > 0)
		return "family";
	return fs->lab_on && !fs->opt->all ? "lab" : "all";
}

static void write_text_frame(struct frame_state *fs, size_t nrows)
{
	const struct scan_counts *c = &fs->snap.counts;
	char when[32];

	clock_text(fs->snap.taken, when, sizeof when, false);
	if (fs->frame > 1)
		putchar('\n');
	printf("forktop %s - %s - %d processes: %d running, %d sleeping, %d stopped, %d zombie"
	       " - view: %s, %zu shown\n",
	       PACKAGE_VERSION, when, c->total, c->running, c->sleeping, c->stopped, c->zombie,
	       view_name(fs), nrows);
	printf("%7s %7s S %-6s %4s NAME\n", "PID", "PPID", "DAEMON", "EXIT");
	for (size_t i = 0; i < nrows; i++) {
		const struct row *r = &fs->rows[i];

		printf("%7d %7d %c %-6s %4s %s%s%s%s%s\n", r->pid, r->ppid, r->state, r->daemon,
		       r->exit, r->prefix, r->name, r->note[0] ? "  (" : "", r->note,
		       r->note[0] ? ")" : "");
	}
}

static void write_text_events(struct frame_state *fs)
{
	unsigned flags = fs->style.utf8 ? TEXT_UTF8 : 0;
	bool header = false;

	for (unsigned long long s = fs->events_shown + 1; s <= track_last_seq(fs->track); s++) {
		const struct track_event *ev = track_event(fs->track, s);
		char when[32], text[512];

		if (!ev || !event_in_view(fs, ev))
			continue;
		if (!header)
			printf("events:\n");
		header = true;
		clock_text(ev->when, when, sizeof when, true);
		track_describe(ev, text, sizeof text, flags);
		printf("  %s %s\n", when, text);
	}
}

/* JSON strings must be valid UTF-8: names go through the escaper first. */
static json_t *json_name(const char *raw, size_t len)
{
	char buf[4 * SCAN_CMDLINE_MAX + 1];
	size_t n = text_escape(buf, sizeof buf, raw, len, TEXT_UTF8);

	return json_stringn(buf, n);
}

static json_t *json_exit(int wait_status)
{
	int code;

	return track_exitcode(wait_status, &code) ? json_integer(code) : json_null();
}

static json_t *json_daemon(const struct row *r)
{
	return strcmp(r->daemon, "-") ? json_boolean(!strcmp(r->daemon, "yes")) : json_null();
}

static json_t *json_exit_text(const char *text)
{
	return strcmp(text, "-") ? json_integer(strtol(text, NULL, 10)) : json_null();
}

static json_t *json_proc(const struct frame_state *fs, const struct row *r, int depth)
{
	const struct scan_proc *p = r->proc;
	const char *cmdline = scan_cmdline(&fs->snap, p);
	char state[2] = { p->state, '\0' };

	return json_pack("{s:i, s:i, s:s, s:o, s:o, s:o, s:o, s:s?, s:s?, s:i, s:i, s:i, s:i, s:I, s:i}",
			 "pid", p->pid, "ppid", p->ppid, "state", state,
			 "daemon", json_daemon(r), "exit", json_exit_text(r->exit),
			 "name", json_name(p->comm, strlen(p->comm)),
			 "cmdline", cmdline ? json_name(cmdline, strlen(cmdline)) : json_null(),
			 "role", r->role, "note", r->note[0] ? r->note : NULL, "pgid", p->pgid, "sid", p->sid, "tty", p->tty_nr, "threads", p->threads,
			 "start_time", (json_int_t)p->start_time, "depth", depth);
}

static void write_json_line(json_t *obj)
{
	if (obj) {
		json_dumpf(obj, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
		putchar('\n');
	}
	json_decref(obj);
}

static void write_json_frame(struct frame_state *fs, size_t nrows)
{
	const struct scan_counts *c = &fs->snap.counts;
	json_t *procs = json_array();

	for (size_t i = 0; i < nrows; i++)
		json_array_append_new(procs, json_proc(fs, &fs->rows[i], fs->tree.nodes[i].depth));
	write_json_line(json_pack(
		"{s:s, s:I, s:f, s:s, s:{s:i, s:i, s:i, s:i, s:i}, s:o}", "type", "frame",
		"frame", (json_int_t)fs->frame, "time", seconds(fs->snap.taken), "view",
		view_name(fs), "counts", "total", c->total, "running",
		c->running, "sleeping", c->sleeping, "stopped", c->stopped, "zombie", c->zombie,
		"processes", procs));
}

static void write_json_events(struct frame_state *fs)
{
	for (unsigned long long s = fs->events_shown + 1; s <= track_last_seq(fs->track); s++) {
		const struct track_event *ev = track_event(fs->track, s);

		if (!ev || !event_in_view(fs, ev))
			continue;
		write_json_line(json_pack("{s:s, s:I, s:f, s:s, s:i, s:i, s:i, s:o, s:o, s:o}",
					  "type", "event", "seq", (json_int_t)ev->seq, "time",
					  seconds(ev->when), "kind", track_kind_name(ev->kind),
					  "pid", ev->pid, "old_ppid", ev->old_ppid, "new_ppid",
					  ev->new_ppid, "exit", json_exit(ev->exit_status), "name",
					  json_name(ev->name, strlen(ev->name)), "text",
					  ev->text[0] ? json_name(ev->text, strlen(ev->text))
						      : json_null()));
	}
}

static int rows_reserve(struct frame_state *fs)
{
	if (fs->tree.count <= fs->rows_cap)
		return 0;
	free(fs->rows);
	fs->rows_cap = fs->tree.count + fs->tree.count / 2 + 16;
	fs->rows = malloc(fs->rows_cap * sizeof *fs->rows);
	return fs->rows ? 0 : -ENOMEM;
}

/* What the lab knows and /proc does not: daemon flag, exit codes reaped by
 * a creator, notes and roles. */
static void annotate_rows(struct frame_state *fs, size_t nrows)
{
	for (size_t i = 0; i < nrows && fs->lab_on; i++) {
		struct row *r = &fs->rows[i];
		const struct lab_member *m = lab_member_of(&fs->lab, r->proc);

		r->role = lab_role(&fs->lab, r->proc);
		lab_note(&fs->lab, r->proc, r->note, sizeof r->note);
		if (!m)
			continue;
		snprintf(r->daemon, sizeof r->daemon, "%s", m->daemon ? "yes" : "no");
		if (m->exit_source != LAB_EXIT_UNKNOWN)
			lab_exit_text(m, r->exit, sizeof r->exit);
	}
}

static int one_frame(struct frame_state *fs)
{
	size_t nrows;
	int rc;

	if ((rc = take_snapshot(fs)) < 0 || (rc = build_view(fs)) < 0 || (rc = rows_reserve(fs)) < 0)
		return rc;
	fs->frame++;
	nrows = rows_build(fs->rows, fs->rows_cap, &fs->tree, fs->view.procs, &fs->style);
	annotate_rows(fs, nrows);
	if (fs->opt->json) {
		write_json_frame(fs, nrows);
		write_json_events(fs);
	} else {
		write_text_frame(fs, nrows);
		write_text_events(fs);
	}
	fs->events_shown = track_last_seq(fs->track);
	if (fflush(stdout) != 0 || ferror(stdout))
		return -EPIPE;
	return remember_shown(fs);
}

static void install_stop_handlers(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void add_ms(struct timespec *t, long ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static long ms_until(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (t->tv_sec - now.tv_sec) * 1000 + (t->tv_nsec - now.tv_nsec) / 1000000;
}

/* When the script's next step is due, or NULL when there is none. */
static const struct script_step *next_step(const struct frame_state *fs, struct timespec *due)
{
	const struct script *sc = fs->opt->script;

	if (!sc || fs->next_step >= sc->count)
		return NULL;
	*due = fs->t0;
	add_ms(due, (long)(sc->steps[fs->next_step].at * 1000.0));
	return &sc->steps[fs->next_step];
}

/* Waits for lab activity until the deadline (or a stop signal). */
static void wait_for_lab(struct frame_state *fs, long timeout_ms)
{
	struct pollfd fds[1024];
	size_t n = fs->lab_on ? lab_poll_fds(&fs->lab, fds, 1024) : 0;

	if (timeout_ms < 0)
		timeout_ms = 0;
	if (poll(fds, n, (int)(timeout_ms > 60000 ? 60000 : timeout_ms)) > 0)
		lab_handle(&fs->lab, fds, n);
}

/* Runs due script steps; false when one of them was quit. */
static bool run_due_steps(struct frame_state *fs)
{
	struct timespec due;
	const struct script_step *step;

	while ((step = next_step(fs, &due)) && ms_until(&due) <= 0) {
		char err[256];

		fs->next_step++;
		if (script_run(step, &fs->lab, err, sizeof err) == 1)
			return false;
	}
	return true;
}

static int run_loop(struct frame_state *fs)
{
	struct timespec next_frame = fs->t0, due;
	int rc = 0;

	while (!stop_requested) {
		long wait;

		if (!run_due_steps(fs))
			break;
		if (ms_until(&next_frame) <= 0) {
			if ((rc = one_frame(fs)) < 0)
				break;
			if (fs->opt->iterations && fs->frame >= fs->opt->iterations)
				break;
			add_ms(&next_frame, fs->opt->delay_ms);
		}
		wait = ms_until(&next_frame);
		if (next_step(fs, &due) && ms_until(&due) < wait)
			wait = ms_until(&due);
		wait_for_lab(fs, wait);
	}
	return rc;
}

static void frame_state_free(struct frame_state *fs)
{
	if (fs->lab_on) {
		lab_stop(&fs->lab, LAB_STOP_WAIT_MS);
		lab_free(&fs->lab);
	}
	free(fs->watch);
	scan_close(fs->scan);
	track_free(fs->track);
	scan_snapshot_free(&fs->snap);
	view_free(&fs->view);
	tree_free(&fs->tree);
	free(fs->shown_before);
	free(fs->rows);
}

static bool locale_is_utf8(void)
{
	return strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

int batch_run(const struct batch_options *opt)
{
	struct frame_state fs = { .opt = opt };
	char err[256];
	int rc;

	fs.style.utf8 = !opt->ascii && locale_is_utf8();
	if (scan_open(&fs.scan, opt->json ? SCAN_CMDLINE : 0, err, sizeof err) < 0) {
		fprintf(stderr, "forktop: %s\n", err);
		return 1;
	}
	if (track_new(&fs.track, EVENT_LOG_CAPACITY) < 0) {
		fprintf(stderr, "forktop: out of memory\n");
		frame_state_free(&fs);
		return 1;
	}
	install_stop_handlers();
	if (opt->scenario) {
		if (lab_start(&fs.lab, opt->scenario, fs.track, err, sizeof err) < 0) {
			fprintf(stderr, "forktop: %s\n", err);
			frame_state_free(&fs);
			return 1;
		}
		fs.lab_on = true;
	}
	clock_gettime(CLOCK_MONOTONIC, &fs.t0);
	rc = run_loop(&fs);
	frame_state_free(&fs);
	if (rc < 0 && rc != -EPIPE) {
		fprintf(stderr, "forktop: reading processes failed: %s\n", strerror(-rc));
		return 1;
	}
	return 0;
}
