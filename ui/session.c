/* session: the refresh pipeline shared by the faces: snapshot (the lab's
 * PIDs, or every process), track, lab observations, view, tree, rows, the
 * tree as it was; and the one loop both faces run. Owns every fact a face
 * shows; it must never draw or print, nor know which face runs it. */
#include "session.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "../src/grow.h"
#include "../src/i18n.h"
#include "../src/text.h"

#define EVENT_LOG_CAPACITY 4096
#define LAB_STOP_WAIT_MS 2000

static volatile sig_atomic_t stop_requested;
static sigset_t wait_mask; /* the mask while waiting: stop signals and SIGWINCH let through */
static sigset_t saved_mask; /* the mask before session_catch_stop_signals */

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

void session_catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigset_t stops;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	/* a resize arrives only while waiting, so that it always ends the wait
	 * (ncurses' handler then has the screen read the new size at once) */
	sigaddset(&stops, SIGWINCH);
	sigprocmask(SIG_BLOCK, &stops, &saved_mask);
	wait_mask = saved_mask;
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);
	sigdelset(&wait_mask, SIGHUP);
	sigdelset(&wait_mask, SIGWINCH);
}

void session_release_stop_signals(void)
{
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
}

int session_poll(struct pollfd *fds, size_t n, int timeout_ms)
{
	struct timespec timeout = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };

	if (stop_requested)
		return 0;
	return ppoll(fds, n, timeout_ms < 0 ? NULL : &timeout, &wait_mask);
}

bool session_stop_requested(void)
{
	return stop_requested != 0;
}


/* ---- the view ---------------------------------------------------------- */

/* pid's ancestors and descendants, found in a tree of the whole view. */
static int narrow_to_family(struct session *s)
{
	struct session_view *v = &s->view;
	const struct scan_proc **all = malloc((v->count + 1) * sizeof *all);
	int node;

	if (!all)
		return -ENOMEM;
	memcpy(all, v->procs, v->count * sizeof *all);
	node = tree_find(&s->tree, s->opt->family_pid);
	v->count = 0;
	for (int a = node == TREE_NONE ? TREE_NONE : s->tree.nodes[node].parent;
	     a != TREE_NONE; a = s->tree.nodes[a].parent)
		view_add(v, all[s->tree.nodes[a].item]);
	for (int i = node; node != TREE_NONE && i < node + s->tree.nodes[node].subtree_size; i++)
		view_add(v, all[s->tree.nodes[i].item]);
	free(all);
	tree_free(&s->tree);
	return tree_build(&s->tree, v->pids, v->ppids, v->count);
}

static bool in_list(const pid_t *pids, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

static bool tomb_shown(const struct session_tomb *t)
{
	return t->died.tv_sec && clock_ms_until(&t->died) > -SESSION_TOMBSTONE_MS;
}

/* Adds the tombs shown to the view, unless their PID is in it already (a
 * new process took it); shown holds the view's PIDs. */
static void add_tombs_of(struct session *s, const struct session_tomb *tombs, size_t n,
			 struct pidmap *shown)
{
	size_t at;

	for (size_t i = 0; i < n; i++) {
		const struct session_tomb *t = &tombs[i];

		if (tomb_shown(t) && !pidmap_get(shown, t->proc.pid, &at) &&
		    view_reserve(&s->view, s->view.count + 1) == 0 &&
		    pidmap_put(shown, t->proc.pid, s->view.count) == 0)
			view_add(&s->view, &t->proc);
	}
}

/* Ended lab and family processes stay in the view for a moment, under their
 * last parent. */
static void add_tombstones(struct session *s)
{
	struct pidmap shown = { 0 };

	if (!s->opt->tombstones)
		return;
	for (size_t i = 0; i < s->view.count; i++)
		if (pidmap_put(&shown, s->view.pids[i], i) < 0)
			goto out; /* no room to tell repeats: no tombstones this refresh */
	add_tombs_of(s, s->tombs, s->ntombs, &shown);
	if (session_view_kind(s) == SESSION_VIEW_PROGRAM)
		add_tombs_of(s, s->fam_tombs, s->nfam_tombs, &shown);
out:
	pidmap_free(&shown);
}

/* The program view: PID 1, forktop, every member of the family wherever it
 * hangs, and the members' current parents (an adopter). */
static bool in_program_view(const struct session *s, const struct scan_proc *p)
{
	if (p->pid == 1 || p->pid == s->self || family_member_of(&s->fam, p))
		return true;
	for (size_t j = 0; j < s->fam.watched.count; j++) {
		const struct member *m = &s->fam.members[s->fam.watched.at[j]];

		if (!m->gone && m->ppid == p->pid)
			return true;
	}
	return false;
}

static int build_view(struct session *s)
{
	bool program_view = session_view_kind(s) == SESSION_VIEW_PROGRAM;
	int rc;

	tree_free(&s->tree);
	s->view.count = 0;
	if ((rc = view_reserve(&s->view, s->snap.count)) < 0)
		return rc;
	for (size_t i = 0; i < s->snap.count; i++)
		if (!program_view || in_program_view(s, &s->snap.procs[i]))
			view_add(&s->view, &s->snap.procs[i]);
	add_tombstones(s);
	if ((rc = tree_build(&s->tree, s->view.pids, s->view.ppids, s->view.count)) < 0)
		return rc;
	return session_view_kind(s) == SESSION_VIEW_FAMILY ? narrow_to_family(s) : 0;
}

/* ---- snapshots ---------------------------------------------------------- */

/* PID 1, the monitor, every lab process not yet gone, and their current
 * parents (a subreaper that adopted an orphan). */
static size_t lab_view_pids(struct session *s)
{
	size_t need = s->lab.count * 2 + 2, n = 0;

	if (GROW(s->watch, s->watch_cap, need) < 0)
		return 0;
	s->watch[n++] = 1;
	s->watch[n++] = s->self;
	n += lab_watch_pids(&s->lab, s->watch + n, s->watch_cap - n);
	for (size_t i = 0; i < s->lab.count; i++) {
		pid_t pp = s->lab.members[i].ppid;

		if (!s->lab.members[i].gone && pp > 0 && !in_list(s->watch, n, pp))
			s->watch[n++] = pp;
	}
	return n;
}

/* Selects the lab view; a second pass picks up parents first seen now. */
static int scan_lab_view(struct session *s)
{
	for (int pass = 0; pass < 2; pass++) {
		size_t n = lab_view_pids(s);
		bool missing = false;
		int rc = scan_select(s->scan, s->watch, n, &s->snap);

		if (rc < 0)
			return rc;
		for (size_t i = 0; i < s->snap.count; i++) {
			const struct member *m = lab_member_of(&s->lab, &s->snap.procs[i]);

			if (m && !in_list(s->watch, n, s->snap.procs[i].ppid)) {
				s->lab.members[m - s->lab.members].ppid = s->snap.procs[i].ppid;
				missing = true;
			}
		}
		if (!missing)
			break;
	}
	return 0;
}

/* What a tombstone shows of a member no snapshot showed (it lived between
 * two refreshes: the kernel's events told of it). */
static struct scan_proc unseen_proc(const struct member *m)
{
	struct scan_proc p = { .pid = m->pid, .ppid = m->ppid, .start_time = m->start_time,
			       .cmdline_off = SCAN_NO_CMDLINE };

	snprintf(p.comm, sizeof p.comm, "%s", m->name);
	return p;
}

/* Keeps each member's last sight (tombs[i] for members[i]), and the moment
 * it was gone. */
typedef const struct member *member_lookup(const void *owner, const struct scan_proc *p);

static const struct member *lab_lookup(const void *lab, const struct scan_proc *p)
{
	return lab_member_of(lab, p);
}

static const struct member *family_lookup(const void *fam, const struct scan_proc *p)
{
	return family_member_of(fam, p);
}

static int update_tombs_of(struct session_tomb **tombs, size_t *ntombs, size_t *cap,
			   const struct member *members, size_t count, const struct scan_snapshot *snap,
			   member_lookup *of, const void *owner)
{
	struct timespec now = clock_now();

	if (count > *ntombs) {
		if (GROW(*tombs, *cap, count) < 0)
			return -ENOMEM;
		memset(*tombs + *ntombs, 0, (count - *ntombs) * sizeof **tombs);
		*ntombs = count;
	}
	for (size_t i = 0; i < snap->count; i++) {
		const struct member *m = of(owner, &snap->procs[i]);

		if (m) {
			(*tombs)[m - members].proc = snap->procs[i];
			(*tombs)[m - members].seen = true;
		}
	}
	for (size_t i = 0; i < count; i++) {
		struct session_tomb *t = &(*tombs)[i];

		if (!members[i].gone || t->died.tv_sec)
			continue;
		if (!t->seen && !members[i].born_ns)
			continue; /* never seen, and no kernel event told of it */
		if (!t->seen)
			t->proc = unseen_proc(&members[i]);
		t->seen = true;
		t->died = now;
		t->proc.state = 'X';
		t->proc.exit_status = members[i].exit_status;
	}
	return 0;
}

static int update_tombs(struct session *s)
{
	int rc = 0;

	if (s->lab_on)
		rc = update_tombs_of(&s->tombs, &s->ntombs, &s->tombs_cap, s->lab.members,
				     s->lab.count, &s->snap, lab_lookup, &s->lab);
	if (!rc && s->fam.active)
		rc = update_tombs_of(&s->fam_tombs, &s->nfam_tombs, &s->fam_tombs_cap,
				     s->fam.members, s->fam.count, &s->snap, family_lookup, &s->fam);
	return rc;
}

/* Room for n wanted PIDs and every lab process's. */
static bool reserve_wanted(struct session *s, size_t n)
{
	return GROW(s->wanted, s->wanted_cap, n + s->lab.count + 1) == 0;
}

void session_want(struct session *s, const pid_t *pids, size_t n)
{
	if (!reserve_wanted(s, n))
		return;
	memcpy(s->wanted, pids, n * sizeof *pids);
	s->nwanted = n;
}

/* Adds to the wanted PIDs (from n on) the children, in the last snapshot, of
 * the processes that ended since: the kernel re-parented them. One pass
 * over the snapshot a refresh, however many ended. Returns the new count. */
static size_t add_orphans_of_ended(struct session *s, size_t n)
{
	if (!s->nended)
		return n;
	qsort(s->ended, s->nended, sizeof *s->ended, scan_pid_order);
	for (size_t i = 0; i < s->snap.count; i++)
		if (bsearch(&s->snap.procs[i].ppid, s->ended, s->nended, sizeof *s->ended,
			    scan_pid_order))
			s->wanted[n++] = s->snap.procs[i].pid;
	return n;
}

/* Every process: read whole, or (interactive) partly, with what is on screen
 * and every lab process read at each refresh. With the kernel's events and
 * a whole snapshot to start from, only what they said changed is read
 * (and what is on screen): no listing of /proc, no rotation. */
static int scan_everything(struct session *s)
{
	size_t n = s->nwanted;
	int rc;

	if (!s->opt->partial_scans || s->kernel_lost || !s->snap_whole) {
		s->kernel_lost = false; /* a new scope, or a loss: everything is read */
		s->ndirty = s->nended = 0;
		return scan_all(s->scan, &s->snap);
	}
	if (!reserve_wanted(s, n + s->fam.watched.count + s->ndirty + s->snap.count))
		return scan_all(s->scan, &s->snap);
	if (s->lab_on)
		n += lab_watch_pids(&s->lab, s->wanted + n, s->wanted_cap - n);
	for (size_t j = 0; j < s->fam.watched.count; j++)
		if (!s->fam.members[s->fam.watched.at[j]].gone)
			s->wanted[n++] = s->fam.members[s->fam.watched.at[j]].pid;
	if (!s->kernel)
		return scan_partial(s->scan, &s->snap, s->wanted, n, SESSION_ROTATION);
	if (s->ndirty) /* dirty is NULL until the first event */
		memcpy(s->wanted + n, s->dirty, s->ndirty * sizeof *s->dirty);
	n += s->ndirty;
	n = add_orphans_of_ended(s, n);
	rc = scan_known(s->scan, &s->snap, s->wanted, n);
	s->ndirty = s->nended = 0;
	return rc;
}

static void drain_kernel(struct session *s);

static int take_snapshot(struct session *s)
{
	bool scope = s->chosen == SESSION_VIEW_ALL;
	int rc;

	if (s->kernel)
		drain_kernel(s); /* what the kernel said since the last wait counts for this one */
	if (scope != s->scanned_all) { /* a new scope is not news: learn it quietly */
		track_reprime(s->track);
		s->scanned_all = scope;
	}
	family_scan_begins(&s->fam);
	if (session_view_kind(s) == SESSION_VIEW_LAB) {
		rc = scan_lab_view(s);
		s->snap_whole = false;
	} else {
		rc = scan_everything(s);
		s->snap_whole = rc == 0;
	}
	if (rc < 0)
		return rc;
	/* a process the scan missed had sent its exit event before it could be
	 * reaped: read it now, or its code would be taken from its pidfd */
	if (s->kernel)
		drain_kernel(s);
	if ((rc = track_update(s->track, &s->snap)) < 0)
		return rc;
	if (!s->kernel) /* drain_kernel, just above, did it */
		pyhook_read_members(&s->hook, &s->fam);
	family_observe(&s->fam, &s->snap);
	if (s->lab_on)
		lab_observe(&s->lab, &s->snap);
	return update_tombs(s);
}

/* ---- marks: rows that changed a moment ago ------------------------------ */

static void mark(struct session *s, pid_t pid)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	clock_add_ms(&until, SESSION_FLASH_MS);
	for (size_t i = 0; i < s->nmarks; i++)
		if (s->marks[i].pid == pid) {
			s->marks[i].until = until;
			return;
		}
	if (GROW(s->marks, s->marks_cap, s->nmarks + 1) < 0)
		return;
	s->marks[s->nmarks++] = (struct session_mark){ .pid = pid, .until = until };
}

/* Marks the processes of this refresh's events; drops expired marks. */
static void update_marks(struct session *s)
{
	size_t kept = 0;

	for (unsigned long long q = s->events_seen + 1; q <= track_last_seq(s->track); q++) {
		const struct track_event *ev = track_event(s->track, q);

		if (ev && ev->pid > 0 && event_class_of(ev->kind) != EVENT_CLASS_LOG)
			mark(s, ev->pid);
	}
	for (size_t i = 0; i < s->nmarks; i++)
		if (clock_ms_until(&s->marks[i].until) > 0)
			s->marks[kept++] = s->marks[i];
	s->nmarks = kept;
}

static bool marked(const struct session *s, pid_t pid)
{
	for (size_t i = 0; i < s->nmarks; i++)
		if (s->marks[i].pid == pid)
			return true;
	return false;
}

/* ---- rows --------------------------------------------------------------- */

static int rows_reserve(struct session *s)
{
	return GROW(s->rows, s->rows_cap, s->tree.count);
}

static bool is_lab_member(const struct session *s, const struct member *m)
{
	return s->lab.count && m >= s->lab.members && m < s->lab.members + s->lab.count;
}

/* The member a tombstone row shows, or NULL: tombstones are known by where
 * their record lives, never by their state (a real process can show 'X'
 * too). */
/* Whether p is the record of one of the n tombs (its index in *i), found
 * by address in constant time. */
static bool tomb_index(const struct session_tomb *tombs, size_t n, const struct scan_proc *p,
		       size_t *i)
{
	uintptr_t at = (uintptr_t)p, first;

	if (!n)
		return false;
	first = (uintptr_t)&tombs[0].proc;
	if (at < first || (at - first) % sizeof *tombs || (at - first) / sizeof *tombs >= n)
		return false;
	*i = (at - first) / sizeof *tombs;
	return true;
}

static const struct member *tomb_member(const struct session *s, const struct scan_proc *p)
{
	size_t i;

	if (s->lab_on && tomb_index(s->tombs, s->ntombs, p, &i))
		return &s->lab.members[i];
	if (s->fam.active && tomb_index(s->fam_tombs, s->nfam_tombs, p, &i))
		return &s->fam.members[i];
	return NULL;
}

const char *session_kept_cmdline(const struct session *s, const struct row *r)
{
	const struct member *m = r->tombstone ? tomb_member(s, r->proc) : NULL;

	if (!m && !r->tombstone && s->fam.active)
		m = family_member_of(&s->fam, r->proc);
	return m ? m->cmdline : NULL;
}

/* A program's member: its role, whether it is an orphan, its exit code. */
static void set_family_member(const struct session *s, struct row *r, const struct member *m)
{
	int code;

	r->role = m == &s->fam.members[0] ? ROW_ROLE_PROGRAM : ROW_ROLE_DESCENDANT;
	r->helper_role = member_helper_role(m);
	r->orphan = m != &s->fam.members[0] && r->ppid != m->forker;
	if (m->python)
		r->daemon = rows_member_daemon(m);
	if (m->exit_source != EXIT_SOURCE_UNKNOWN && event_exitcode(m->exit_status, &code)) {
		r->exit_known = true;
		r->exit_code = code;
	}
}

void session_annotate_member(const struct session *s, struct row *r, const struct member *m)
{
	if (is_lab_member(s, m))
		rows_set_member(r, m);
	else
		set_family_member(s, r, m);
}

/* A tombstone row keeps what the lab or the family knew of the process. */
static void annotate_tomb(const struct session *s, struct row *r, const struct member *m)
{
	r->tombstone = true;
	session_annotate_member(s, r, m);
}

long long session_row_lifetime_us(const struct session *s, const struct row *r)
{
	const struct member *m = r->tombstone ? tomb_member(s, r->proc) : NULL;

	return m ? member_lifetime_us(m) : -1;
}

/* "ended", with its exit code's absence and (when the kernel told both
 * ends) how long it lived. */
static void tomb_note(const struct session *s, const struct row *r, char *buf, size_t len)
{
	const struct member *m = tomb_member(s, r->proc);
	long long lived = m ? member_lifetime_us(m) : -1;
	int code;
	bool known = event_exitcode(r->proc->exit_status, &code);

	if (m && m->killed_by_ns_end && known)
		/* TRANSLATORS: the note of an ended process's row (a tombstone) */
		snprintf(buf, len, "%s", _("killed by the kernel as its namespace's PID 1 ended"));
	else if (m && m->killed_by_ns_end)
		snprintf(buf, len, "%s", _("killed by the kernel as its namespace's PID 1 ended "
					   "(exit code unknown)"));
	else if (lived >= 0 && lived < 10000)
		/* TRANSLATORS: the note of an ended process's row: how long it lived */
		snprintf(buf, len, known ? _("ended after %.1f ms")
			 : _("ended, exit code unknown, after %.1f ms"), (double)lived / 1000.0);
	else if (lived >= 0)
		snprintf(buf, len, known ? _("ended after %lld ms")
			 : _("ended, exit code unknown, after %lld ms"), lived / 1000);
	else
		/* TRANSLATORS: the note of an ended process's row (a tombstone) */
		snprintf(buf, len, "%s", known ? _("ended") : _("ended, exit code unknown"));
}

/* Notes in the program view: orphans, zombies, adopters, the monitor. */
#define PYTHON_HELLO_WAIT_S 1 /* a Python process that said nothing in this long has no hook */

/* Whether a command line runs a Python interpreter (python, python3.12). */
static bool runs_python(const char *cmdline)
{
	size_t end = cmdline ? strcspn(cmdline, " ") : 0, start = end;

	while (start > 0 && cmdline[start - 1] != '/')
		start--;
	if (end - start < 6 || strncmp(cmdline + start, "python", 6) != 0)
		return false;
	for (size_t i = start + 6; i < end; i++)
		if (!strchr("0123456789.", cmdline[i]))
			return false;
	return true;
}

/* A Python process of the family that never spoke through the hook (run
 * with -I, -E or -S, or with the hook off, or attached to), once it has
 * had the time to: its names and flags are not guessed at. */
static bool python_uninstrumented(const struct session *s, const struct row *r,
				  const struct member *m)
{
	unsigned long long age = s->style.uptime_ticks - r->proc->start_time;

	return !m->python && r->proc->start_time <= s->style.uptime_ticks &&
	       age >= (unsigned long long)s->style.hz * PYTHON_HELLO_WAIT_S &&
	       runs_python(m->cmdline);
}

/* The name of the member the program's m is blocked in join() of. */
static const char *joined_name(const struct session *s, const struct member *m)
{
	const struct member *j = family_newest(&s->fam, m->joining);

	return j ? j->name : "?";
}

/* What a Python helper was started for, where its name may not say it
 * (ProcessPoolExecutor's workers are named like any Process). */
static void python_role_note(enum python_role role, char *buf, size_t len)
{
	static const char *const notes[] = { /* N_(): translated where they are shown */
		/* TRANSLATORS: a row's note: a process multiprocessing.Pool started */
		[PYTHON_ROLE_POOL_WORKER] = N_("Pool worker"),
		/* TRANSLATORS: a row's note: the server process of a multiprocessing Manager */
		[PYTHON_ROLE_MANAGER] = N_("Manager's server"),
		/* TRANSLATORS: a row's note: a worker of concurrent.futures' ProcessPoolExecutor */
		[PYTHON_ROLE_EXECUTOR_WORKER] = N_("ProcessPoolExecutor worker"),
	};

	if (role > PYTHON_ROLE_NONE && role <= PYTHON_ROLE_EXECUTOR_WORKER)
		snprintf(buf, len, "%s", _(notes[role]));
}

static void family_note(const struct session *s, const struct row *r, char *buf, size_t len)
{
	const struct member *m = family_member_of(&s->fam, r->proc);

	if (m && r->state == 'Z')
		/* TRANSLATORS: the notes after a process's row in the program view */
		snprintf(buf, len, "%s", _("zombie: its parent has not reaped it"));
	else if (m && r->orphan && m->forker == MEMBER_PARENT_UNSEEN)
		snprintf(buf, len, "%s", _("orphan: its parent ended before a refresh showed it"));
	else if (m && r->orphan)
		/* TRANSLATORS: %d is the PID of the parent it had */
		snprintf(buf, len, _("orphan: was under %d"), m->forker);
	else if (m && m->python && m->joining)
		/* TRANSLATORS: %s is the name of the process it waits for, as "Process-3" */
		snprintf(buf, len, _("blocked in join(%s)"), joined_name(s, m));
	else if (m && python_uninstrumented(s, r, m))
		/* TRANSLATORS: a Python process forktop's hook is not in: its names are unknown */
		snprintf(buf, len, "%s", _("Python, not instrumented"));
	else if (m && m->python_role != PYTHON_ROLE_NONE)
		python_role_note(m->python_role, buf, len);
	else if (r->pid == s->self)
		/* TRANSLATORS: the note of forktop's own row: it watches the others */
		snprintf(buf, len, "%s", _("monitor"));
	else
		for (size_t j = 0; j < s->fam.watched.count; j++) {
			const struct member *c = &s->fam.members[s->fam.watched.at[j]];

			if (!c->gone && c->ppid == r->pid && c->forker != r->pid && c != &s->fam.members[0]) {
				/* TRANSLATORS: the note of a process orphans were re-parented to */
				snprintf(buf, len, "%s", _("adopted orphans"));
				break;
			}
		}
}

/* PID 1 is the init of this system (or PID namespace), whatever its name
 * ("process_api", "systemd", "tini"): said after its other notes. */
static void init_note(const struct row *r, char *buf, size_t len)
{
	size_t used = strlen(buf);

	if (r->pid == 1 && !r->tombstone && used < len)
		/* TRANSLATORS: the note of PID 1's row, after its other notes when it
		 * has some (as "adopted orphans; this system's init") */
		snprintf(buf + used, len - used, "%s%s", used ? "; " : "", _("this system's init"));
}

void session_row_note(const struct session *s, const struct row *r, char *buf, size_t len)
{
	buf[0] = '\0';
	if (r->task)
		return; /* a thread's line has no note of its own */
	if (r->tombstone)
		tomb_note(s, r, buf, len);
	else if (s->fam.active)
		family_note(s, r, buf, len);
	else if (s->lab_on)
		lab_note(&s->lab, r->proc, buf, len);
	init_note(r, buf, len);
	buf[text_utf8_boundary(buf, strlen(buf))] = '\0'; /* a cut never splits a character */
}

/* The member whose reports named the row's process (a thread's line: its
 * process's): a lab member, or a program's that Python's hook told of. */
static const struct member *row_told_member(const struct session *s, const struct row *r)
{
	const struct member *told = r->tombstone ? tomb_member(s, r->proc)
				    : s->fam.active ? family_member_of(&s->fam, r->proc) : NULL;

	if (told && (told->python || is_lab_member(s, told)))
		return told;
	if (!rows_is_lab(r) || !s->lab_on)
		return NULL;
	for (size_t i = s->lab.count; i-- > 0;) {
		const struct member *m = &s->lab.members[i];

		if (m->pid == r->proc->pid && m->start_time == r->proc->start_time)
			return m;
	}
	return NULL;
}

const char *session_row_label(const struct session *s, const struct row *r)
{
	const struct member *m = row_told_member(s, r);

	if (!m || !r->task)
		return m ? m->name : NULL;
	return member_thread_name(m, r->task->tid);
}

const char *session_row_target(const struct session *s, const struct row *r)
{
	const struct member *m = row_told_member(s, r);

	return m && !r->task && m->target[0] ? m->target : NULL;
}

enum row_daemon session_thread_daemon(const struct session *s, const struct row *proc_row,
				      pid_t tid)
{
	const struct member *m = row_told_member(s, proc_row);

	switch (m ? member_thread_daemon(m, tid) : -1) {
	case 1: return ROW_DAEMON_YES;
	case 0: return ROW_DAEMON_NO;
	default: return ROW_DAEMON_UNKNOWN;
	}
}

int session_show_threads(struct session *s, bool on)
{
	s->threads.wanted = on;
	return threads_build(&s->threads, s);
}

const struct row *session_thread_line(const struct session *s, const struct row *r, size_t k)
{
	return &s->threads.lines[r->first_thread + k];
}

/* What the lab and the family know and /proc does not: daemon flag, exit
 * codes reaped by a creator, roles, tombstones; and the marks of recent
 * changes. */
void session_annotate_row(const struct session *s, struct row *r)
{
	const struct member *m;

	r->flash = marked(s, r->pid);
	if (s->opt->tombstones && (m = tomb_member(s, r->proc))) {
		annotate_tomb(s, r, m);
		return;
	}
	if (r->pid == s->self)
		r->role = ROW_ROLE_MONITOR;
	if (s->fam.active && (m = family_member_of(&s->fam, r->proc)))
		set_family_member(s, r, m);
	if (!s->lab_on)
		return;
	m = lab_member_of(&s->lab, r->proc);
	r->role = r->pid == s->lab.monitor_pid ? ROW_ROLE_MONITOR : ROW_ROLE_NONE;
	if (!m)
		return;
	rows_set_member(r, m);
	r->orphan = r->ppid != m->forker && !m->unix_daemon;
}

static void annotate_rows(struct session *s)
{
	for (size_t i = 0; i < s->nrows; i++)
		session_annotate_row(s, &s->rows[i]);
}

/* The family view keeps the PIDs it showed, for the events of processes
 * that left it; no other view needs them (a sort of every row per refresh). */
static int remember_shown(struct session *s)
{
	if (session_view_kind(s) != SESSION_VIEW_FAMILY)
		return 0;
	if (GROW(s->shown_before, s->shown_before_cap, s->view.count + 1) < 0)
		return -ENOMEM;
	if (s->view.count) /* the first refresh has no view yet (and no array) */
		memcpy(s->shown_before, s->view.pids, s->view.count * sizeof *s->shown_before);
	qsort(s->shown_before, s->view.count, sizeof *s->shown_before, scan_pid_order);
	s->nshown_before = s->view.count;
	return 0;
}

/* The one place the rows (and the tree as it was, when wanted) are made:
 * every change of the lab, the view or the snapshot comes through here. */
/* Now, in clock ticks since boot (the clock /proc's start times count on). */
static unsigned long long uptime_ticks(long hz)
{
	struct timespec now;

	clock_gettime(CLOCK_BOOTTIME, &now);
	return (unsigned long long)now.tv_sec * (unsigned long long)hz +
	       (unsigned long long)now.tv_nsec * (unsigned long long)hz / 1000000000ull;
}

int session_refresh(struct session *s)
{
	int rc;

	ghost_drop(&s->ghost);
	if ((rc = remember_shown(s)) < 0 || (rc = take_snapshot(s)) < 0 ||
	    (rc = build_view(s)) < 0 || (rc = rows_reserve(s)) < 0)
		return rc;
	s->refreshes++;
	s->style.uptime_ticks = uptime_ticks(s->style.hz);
	s->nrows = rows_build(s->rows, s->rows_cap, &s->tree, s->view.procs, &s->style);
	update_marks(s);
	annotate_rows(s);
	s->events_seen = track_last_seq(s->track);
	if ((rc = threads_build(&s->threads, s)) < 0)
		return rc;
	return s->ghost_wanted ? ghost_build(&s->ghost, s) : 0;
}

int session_show_ghost(struct session *s, bool on)
{
	s->ghost_wanted = on;
	if (on)
		return ghost_build(&s->ghost, s);
	ghost_drop(&s->ghost);
	return 0;
}

static bool was_shown(const struct session *s, pid_t pid)
{
	return bsearch(&pid, s->shown_before, s->nshown_before, sizeof pid, scan_pid_order) != NULL;
}

bool session_event_in_view(const struct session *s, const struct track_event *ev)
{
	if (s->lab_on && ev->kind == EV_NEW) {
		/* the lab's own "started" event already announces a lab process */
		for (size_t i = 0; i < s->lab.count; i++)
			if (s->lab.members[i].pid == ev->pid)
				return false;
	}
	if (session_view_kind(s) == SESSION_VIEW_PROGRAM)
		/* the family's, whatever became of the members: the machine's other
		 * processes come and go unseen */
		return event_class_of(ev->kind) >= EVENT_CLASS_LOG || family_had_pid(&s->fam, ev->pid);
	if (session_view_kind(s) != SESSION_VIEW_FAMILY)
		return true;
	return tree_find(&s->tree, ev->pid) != TREE_NONE || was_shown(s, ev->pid);
}

enum session_view_kind session_view_kind(const struct session *s)
{
	if ((s->chosen == SESSION_VIEW_LAB && !s->lab_on) ||
	    (s->chosen == SESSION_VIEW_PROGRAM && !s->fam.active))
		return SESSION_VIEW_ALL; /* nothing of its own to show */
	return s->chosen;
}

unsigned session_columns(const struct session *s)
{
	return s->opt->columns | (s->lab_on && s->lab.in_namespace ? ROWS_COL_NSPID : 0);
}

const char *session_view_name(const struct session *s)
{
	static const char *const names[] = {
		[SESSION_VIEW_LAB] = "lab",
		[SESSION_VIEW_PROGRAM] = "program",
		[SESSION_VIEW_FAMILY] = "family",
		[SESSION_VIEW_ALL] = "all",
	};

	return names[session_view_kind(s)];
}

static const char *const events_names[] = {
	[SESSION_EVENTS_AUTO] = "auto",
	[SESSION_EVENTS_KERNEL] = "kernel",
	[SESSION_EVENTS_POLLING] = "polling",
};

bool session_events_by_name(const char *name, enum session_events *out)
{
	for (size_t i = 0; i < sizeof events_names / sizeof *events_names; i++)
		if (!strcmp(name, events_names[i])) {
			*out = (enum session_events)i;
			return true;
		}
	return false;
}

const char *session_events_name(const struct session *s)
{
	return s->kernel ? "kernel" : "polling";
}

void session_toggle_all(struct session *s)
{
	if (s->home != SESSION_VIEW_FAMILY)
		s->chosen = s->chosen == SESSION_VIEW_ALL ? s->home : SESSION_VIEW_ALL;
}

static enum session_view_kind home_view(const struct session_options *opt)
{
	if (opt->family_pid > 0)
		return SESSION_VIEW_FAMILY;
	if (opt->command || opt->attach_pid > 0)
		return SESSION_VIEW_PROGRAM;
	return opt->scenario ? SESSION_VIEW_LAB : SESSION_VIEW_ALL;
}

void session_lab_counts(const struct session *s, int *running, int *zombies, int *orphans)
{
	rows_member_counts(s->rows, s->nrows, running, zombies, orphans);
}

/* ---- lab, script, lifetime --------------------------------------------- */

size_t session_poll_fds(struct session *s, size_t extra, struct pollfd **fds)
{
	size_t need = extra + 2 * s->lab.count + s->fam.count + s->hook.nconns + 4, n;

	*fds = s->pfds;
	if (GROW(s->pfds, s->pfds_cap, need) < 0)
		return 0;
	*fds = s->pfds;
	n = s->lab_on ? lab_poll_fds(&s->lab, s->pfds + extra, need - extra) : 0;
	n += family_poll_fds(&s->fam, s->pfds + extra + n, need - extra - n);
	n += pyhook_poll_fds(&s->hook, s->pfds + extra + n, need - extra - n);
	if (s->kernel && clock_ms_until(&s->kernel_quiet_until) <= 0)
		s->pfds[extra + n++] = (struct pollfd){ .fd = procev_fd(s->kernel), .events = POLLIN };
	return n;
}

static void note_forktop(struct session *s, enum event_kind kind, const char *text);

/* pid must be read again at the next refresh; false when memory ran out
 * (then the next refresh reads everything). */
#define DIRTY_MAX 65536 /* more, and reading everything is cheaper (a paused screen) */

/* Appends pid to a list of what the next refresh reads; false when the list
 * is full or memory ran out (then the next refresh reads everything). */
static bool note_pid(pid_t **pids, size_t *n, size_t *cap, pid_t pid)
{
	if (*n >= DIRTY_MAX || GROW(*pids, *cap, *n + 1) < 0)
		return false;
	(*pids)[(*n)++] = pid;
	return true;
}

/* What an event changes in a snapshot of every process: a new process, an
 * ended one and the children it left (re-parented before the event), a new
 * name. Threads change nothing the tree shows. */
static void note_changed(struct session *s, const struct procev_event *ev)
{
	bool ok;

	if (!s->snap_whole || s->kernel_lost || ev->pid != ev->tgid)
		return;
	ok = note_pid(&s->dirty, &s->ndirty, &s->dirty_cap, ev->pid);
	if (ok && ev->kind == PROCEV_EXIT)
		ok = note_pid(&s->ended, &s->nended, &s->ended_cap, ev->pid);
	if (!ok) {
		s->kernel_lost = true;
		s->ndirty = s->nended = 0;
	}
}

static void on_kernel_event(void *ctx, const struct procev_event *ev)
{
	struct session *s = ctx;
	const struct member *m;

	/* A member's last words were sent before it ended, maybe after
	 * drain_kernel read the hook, maybe on a connection not accepted yet:
	 * they are read before its end. */
	if (ev->kind == PROCEV_EXIT && ev->pid == ev->tgid &&
	    (m = family_newest(&s->fam, ev->pid)) && !m->gone)
		pyhook_read_before_end(&s->hook, &s->fam);
	family_kernel_event(&s->fam, ev);
	if (s->opt->partial_scans)
		note_changed(s, ev);
}

/* While the kernel's events come fast (the last read was less than two of
 * these ago), its socket is left unpolled this long after each read: a
 * storm's events are taken many at a time, not woken for one by one. An
 * exit is then read at most this much later; at a calmer pace, at once. */
#define KERNEL_GATHER_MS 3

/* Hands what the kernel sent to the family; after a loss, the next refresh
 * reads every process again (and the log says so). What a hooked process
 * said before it ended is read first, so that it comes before its end. */
static void drain_kernel(struct session *s)
{
	bool lost;
	long got;

	pyhook_read_members(&s->hook, &s->fam);
	got = procev_drain(s->kernel, on_kernel_event, s, &lost);

	family_kernel_events_done(&s->fam);
	if (got > 0) { /* else nothing is coming: its socket is polled at once */
		bool busy = s->kernel_read_any && clock_ms_since(&s->kernel_last_read) < 2 * KERNEL_GATHER_MS;

		s->kernel_last_read = s->kernel_quiet_until = clock_now();
		s->kernel_read_any = true;
		if (busy)
			clock_add_ms(&s->kernel_quiet_until, KERNEL_GATHER_MS);
	}
	if (got < 0 || !lost)
		return;
	if (!s->kernel_lost)
		note_forktop(s, EV_EVENTS_LOST, NULL);
	s->kernel_lost = true;
}

void session_handle(struct session *s, const struct pollfd *fds, size_t n)
{
	/* the kernel first: its exit events carry the codes a pidfd would only
	 * give once the process is reaped */
	if (s->kernel)
		drain_kernel(s); /* even unready at poll: a pidfd ready now had its event queued first */
	else
		pyhook_read_members(&s->hook, &s->fam); /* before a pidfd's end (drain_kernel does it) */
	if (s->lab_on)
		lab_handle(&s->lab, fds, n);
	pyhook_handle(&s->hook, &s->fam, fds, n); /* after the kernel's forks: members known */
	family_handle(&s->fam, fds, n);
}

static bool is_kernel_fd(const struct session *s, int fd)
{
	return s->kernel && fd == procev_fd(s->kernel);
}

static const struct script_step *next_step(const struct session *s, struct timespec *due)
{
	const struct script *sc = s->opt->script;

	if (!sc || s->next_step >= sc->count)
		return NULL;
	*due = s->t0;
	clock_add_ms(due, (long)(sc->steps[s->next_step].at * 1000.0));
	return &sc->steps[s->next_step];
}

const char *session_no_lab_reason(const struct session *s)
{
	if (s->opt->command)
		return _("no lab: this screen watches a program");
	if (s->opt->attach_pid > 0)
		return _("no lab: this screen watches an attached process's family");
	if (s->opt->family_pid > 0)
		return _("no lab: this screen watches one process's family");
	return _("no lab: this screen watches every process");
}

const char *session_start_method(const struct session *s)
{
	if (s->opt->scenario)
		return scenario_method_name(s->scenario.start_method);
	return s->fam.active && s->fam.start_method[0] ? s->fam.start_method : NULL;
}

const struct member *session_program_top(const struct session *s)
{
	return s->fam.started && s->fam.count ? &s->fam.members[0] : NULL;
}

int session_signal_program_top(struct session *s, int sig, char *err, size_t errlen)
{
	const struct member *top = session_program_top(s);
	int rc;

	if (!top) {
		snprintf(err, errlen, "%s", s->fam.active ? _("forktop did not start this program "
			 "(--attach): it signals none of it") : session_no_lab_reason(s));
		return -1;
	}
	if ((rc = family_signal(&s->fam, top, sig)) == -ESRCH) {
		snprintf(err, errlen, _("%s (pid %d) has already ended"), top->name, top->pid);
		return -1;
	}
	if (rc < 0) {
		snprintf(err, errlen, _("cannot signal %s (pid %d): %s"), top->name, top->pid,
			 strerror(-rc));
		return -1;
	}
	return 0;
}

int session_act(struct session *s, const struct script_step *action, char *err, size_t errlen)
{
	if (!s->lab_on) {
		snprintf(err, errlen, "%s", session_no_lab_reason(s));
		return -1;
	}
	return script_run(action, &s->lab, err, errlen);
}

bool session_run_due_steps(struct session *s)
{
	struct timespec due;
	const struct script_step *step;

	while (s->lab_on && (step = next_step(s, &due)) && clock_ms_until(&due) <= 0) {
		char err[256];

		s->next_step++;
		if (session_act(s, step, err, sizeof err) == 1)
			return false;
	}
	return true;
}

long session_ms_to_next_step(const struct session *s)
{
	struct timespec due;
	long ms;

	if (!s->lab_on || !next_step(s, &due))
		return -1;
	ms = clock_ms_until(&due);
	return ms < 0 ? 0 : ms;
}

/* ---- the loop both faces run ------------------------------------------- */

#define WAIT_MAX_MS 60000

/* One poll() and what it reported: POLL_NEWS when the lab or the program
 * has news (or the kernel told of the family), POLL_INPUT when only the
 * face's descriptor is ready, POLL_KERNEL_ONLY when only the kernel spoke,
 * of other processes, POLL_NOTHING when the wait ended with nothing. */
enum poll_result { POLL_NOTHING, POLL_KERNEL_ONLY, POLL_INPUT, POLL_NEWS };

static enum poll_result poll_once(struct session *s, const struct session_loop *loop, long timeout,
				  short *input_revents)
{
	size_t extra = loop->input_fd >= 0, n;
	struct pollfd *fds;
	bool activity = false, gathering = s->kernel && clock_ms_until(&s->kernel_quiet_until) > 0;
	unsigned long long seen = track_last_seq(s->track);
	int ready;

	n = session_poll_fds(s, extra, &fds);
	if (extra)
		fds[0] = (struct pollfd){ .fd = loop->input_fd, .events = POLLIN };
	if (s->kernel && clock_ms_until(&s->kernel_quiet_until) > 0 &&
	    clock_ms_until(&s->kernel_quiet_until) < timeout)
		timeout = clock_ms_until(&s->kernel_quiet_until); /* then its socket is polled again */
	if (timeout < 0)
		timeout = 0;
	ready = session_poll(fds, n + extra, (int)(timeout > WAIT_MAX_MS ? WAIT_MAX_MS : timeout));
	if (ready == 0 && gathering && clock_ms_until(&s->kernel_quiet_until) <= 0) {
		drain_kernel(s); /* what the gathering brought, without one more wait to learn of it */
		return track_last_seq(s->track) != seen ? POLL_NEWS : POLL_KERNEL_ONLY;
	}
	if (ready <= 0)
		return POLL_NOTHING;
	if (extra)
		*input_revents = fds[0].revents;
	for (size_t i = extra; i < n + extra; i++)
		activity |= fds[i].revents != 0 && !is_kernel_fd(s, fds[i].fd);
	session_handle(s, fds + extra, n);
	if (activity || track_last_seq(s->track) != seen)
		return POLL_NEWS;
	return *input_revents ? POLL_INPUT : POLL_KERNEL_ONLY;
}

/* Waits for input, a report, the next refresh or script step. Returns
 * whether the lab or the program reported something; *input_revents gets
 * what poll() said of the face's descriptor. The kernel's events of other
 * processes are taken in without ending the wait (they change what the
 * next refresh reads, not the screen now), and so is news while a refresh
 * for earlier news is already due (news_ends_wait false). */
static bool wait_once(struct session *s, const struct session_loop *loop, long timeout,
		      bool news_ends_wait, short *input_revents)
{
	long step = session_ms_to_next_step(s);
	struct timespec start = clock_now();
	enum poll_result got;
	bool news = false;

	if (step >= 0 && step < timeout)
		timeout = step;
	if (timeout < 0)
		timeout = 0;
	*input_revents = 0;
	for (;;) {
		got = poll_once(s, loop, timeout - clock_ms_since(&start), input_revents);
		news |= got == POLL_NEWS;
		if (got == POLL_NOTHING || got == POLL_INPUT || (got == POLL_NEWS && news_ends_wait) ||
		    clock_ms_since(&start) >= timeout || session_stop_requested())
			return news;
	}
}

static bool program_ended(const struct session *s)
{
	return s->fam.started && !family_running(&s->fam);
}

#define ACTIVITY_REFRESH_MS 4 /* news refreshes at once, then at most this often */
#define ACTIVITY_COST_SHARE 10 /* and with a refresh's cost times this between two */

/* The face's refresh, timed: *cost_ms gets how long it took. */
static int timed_refresh(const struct session_loop *loop, void *face, long *cost_ms)
{
	struct timespec start = clock_now();
	int rc = loop->refresh(face);

	*cost_ms = clock_ms_since(&start);
	return rc;
}

int session_run(struct session *s, const struct session_loop *loop, void *face)
{
	struct timespec next_refresh = s->t0, last_activity = s->t0;
	bool pending = false; /* news that waits for its refresh */
	long cost = 0, gap;   /* the last refresh's cost, and the least time between two on news */
	int rc = 0;

	while (!session_stop_requested() && session_run_due_steps(s)) {
		short input_revents;
		long timeout;

		if (clock_ms_until(&next_refresh) <= 0) {
			clock_add_ms(&next_refresh, s->opt->delay_ms);
			if ((rc = timed_refresh(loop, face, &cost)) < 0)
				break;
			if (s->opt->iterations && s->refreshes >= s->opt->iterations)
				break;
		}
		if (loop->before_wait && !loop->before_wait(face))
			break;
		/* a storm of news costs at most about 1/ACTIVITY_COST_SHARE of a core */
		gap = cost * ACTIVITY_COST_SHARE > ACTIVITY_REFRESH_MS ? cost * ACTIVITY_COST_SHARE
								     : ACTIVITY_REFRESH_MS;
		timeout = clock_ms_until(&next_refresh);
		if (pending && gap - clock_ms_since(&last_activity) < timeout)
			timeout = gap - clock_ms_since(&last_activity);
		pending |= wait_once(s, loop, timeout, !pending, &input_revents) &&
			   loop->refresh_on_activity;
		if (pending && clock_ms_since(&last_activity) >= gap) {
			pending = false;
			last_activity = clock_now();
			if ((rc = timed_refresh(loop, face, &cost)) < 0)
				break;
		}
		if (loop->after_wait && !loop->after_wait(face, input_revents))
			break;
		if (loop->end_with_program && program_ended(s)) {
			rc = loop->refresh(face); /* the program's family has ended: the last frame */
			break;
		}
	}
	return rc;
}

static bool locale_is_utf8(void)
{
	return strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

static int start_lab(struct session *s, char *err, size_t errlen)
{
	if (lab_start(&s->lab, &s->scenario, s->track, err, errlen) < 0)
		return -1;
	s->lab_on = true;
	s->next_step = 0;
	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	return 0;
}

/* A program's family learns its forks and exits from the kernel where it
 * can (subscribed before the program starts, so that none is missed);
 * else the log says why it polls. -1 only when the kernel was asked for. */
static int open_kernel_events(struct session *s, char *err, size_t errlen)
{
	char why[256];

	if (s->opt->events == SESSION_EVENTS_POLLING)
		return 0;
	if (procev_open(&s->kernel, s->opt->events_buffer, why, sizeof why) == 0)
		return 0;
	if (s->opt->events == SESSION_EVENTS_KERNEL) {
		snprintf(err, errlen, _("kernel process events: %s"), why);
		return -1;
	}
	note_forktop(s, EV_POLLING, why);
	return 0;
}

/* A lab member's whole name for the log, or the Python name of a program's
 * member (gone ones too: their last changes are logged after they ended); a
 * member not seen yet has no start time, and its PID is its own. */
static const char *lab_name_of(void *ctx, pid_t pid, unsigned long long start_time)
{
	const struct session *s = ctx;
	const struct member *told = s->fam.active ? family_newest(&s->fam, pid) : NULL;

	if (told && told->python && (!told->start_time || told->start_time == start_time))
		return told->name;

	for (size_t i = s->lab_on ? s->lab.count : 0; i-- > 0;) {
		const struct member *m = &s->lab.members[i];

		if (m->pid == pid && (!m->start_time || m->start_time == start_time))
			return m->name;
	}
	return NULL;
}

/* Starts the program, its Python processes told where the hook is (it
 * listens from the first start on, across restarts). */
static int start_program(struct session *s, char *err, size_t errlen)
{
	char path[PATH_MAX + 16], address[sizeof s->hook.address + 32], *env[3];

	if (!s->opt->no_python_hook && s->hook.listen_fd < 0 &&
	    pyhook_open(&s->hook, s->track, err, errlen) < 0)
		return -1;
	pyhook_environment(&s->hook, path, sizeof path, address, sizeof address, env);
	return family_start(&s->fam, s->opt->command, env, s->track, err, errlen);
}

int session_open(struct session *s, const struct session_options *opt, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	pyhook_off(&s->hook);
	s->opt = opt;
	s->self = getpid();
	s->home = home_view(opt);
	s->chosen = opt->all ? SESSION_VIEW_ALL : s->home;
	s->style.utf8 = !opt->ascii && locale_is_utf8();
	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	if (scan_open(&s->scan, opt->cmdlines ? SCAN_CMDLINE : 0, err, errlen) < 0)
		return -1;
	s->style.hz = scan_hz(s->scan);
	s->threads.wanted = opt->threads;
	if (track_new(&s->track, EVENT_LOG_CAPACITY) < 0) {
		snprintf(err, errlen, "%s", _("out of memory"));
		return -1;
	}
	track_set_names(s->track, lab_name_of, s);
	if (opt->subreaper && session_set_subreaper(s, true) < 0) {
		snprintf(err, errlen, _("cannot become a child subreaper: %s"), strerror(errno));
		return -1;
	}
	if ((opt->command || opt->attach_pid > 0 || opt->partial_scans) &&
	    open_kernel_events(s, err, errlen) < 0)
		return -1;
	if (opt->command)
		return start_program(s, err, errlen);
	if (opt->attach_pid > 0)
		return family_attach(&s->fam, opt->attach_pid, s->track, err, errlen);
	if (!opt->scenario)
		return 0;
	s->scenario = *opt->scenario;
	return start_lab(s, err, errlen);
}

static void end_lab(struct session *s)
{
	if (!s->lab_on)
		return;
	s->nrows = 0; /* rows and the view may point into the tombstones */
	s->view.count = 0;
	ghost_drop(&s->ghost);
	lab_stop(&s->lab, LAB_STOP_WAIT_MS);
	lab_free(&s->lab);
	free(s->tombs);
	s->tombs = NULL;
	s->ntombs = 0;
	s->tombs_cap = 0;
	s->lab_on = false;
}

/* Logs a fact of forktop's own (text: its scenario, or NULL). */
static void note_forktop(struct session *s, enum event_kind kind, const char *text)
{
	struct track_event ev = event_make(kind);

	snprintf(ev.name, sizeof ev.name, "forktop");
	snprintf(ev.text, sizeof ev.text, "%s", text ? text : "");
	track_log(s->track, &ev);
}

int session_set_subreaper(struct session *s, bool on)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0, 0, 0) != 0)
		return -errno;
	s->subreaper = on;
	note_forktop(s, on ? EV_SUBREAPER_ON : EV_SUBREAPER_OFF, NULL);
	return 0;
}

/* Ends the program's family as quitting does and starts its command again. */
static int restart_program(struct session *s, char *err, size_t errlen)
{
	int rc;

	if (!s->fam.started) {
		snprintf(err, errlen, "%s", _("forktop did not start this program (--attach): it "
			 "cannot start it again"));
		return -1;
	}
	s->nrows = 0; /* rows, the view and the ghost may point into the old family */
	s->view.count = 0;
	ghost_drop(&s->ghost);
	s->nfam_tombs = 0;
	family_close(&s->fam, 1000);
	if (start_program(s, err, errlen) < 0)
		return -1;
	if ((rc = session_refresh(s)) < 0) {
		snprintf(err, errlen, _("reading processes failed: %s"), strerror(-rc));
		return -1;
	}
	return 0;
}

int session_restart_lab(struct session *s, char *err, size_t errlen)
{
	struct scenario same = s->scenario;

	if (s->opt->command || s->opt->attach_pid > 0)
		return restart_program(s, err, errlen);
	return session_use_scenario(s, &same, err, errlen);
}

int session_use_scenario(struct session *s, const struct scenario *sc, char *err, size_t errlen)
{
	int rc;

	if (!s->opt->scenario) {
		snprintf(err, errlen, "%s", session_no_lab_reason(s));
		return -1;
	}
	end_lab(s);
	s->scenario = *sc;
	note_forktop(s, EV_LAB_RESTARTED, sc->name);
	if (start_lab(s, err, errlen) < 0)
		return -1;
	if ((rc = session_refresh(s)) < 0) { /* no row may point into the old lab */
		snprintf(err, errlen, _("reading processes failed: %s"), strerror(-rc));
		return -1;
	}
	return 0;
}

void session_close(struct session *s)
{
	end_lab(s);
	family_close(&s->fam, 1000);
	pyhook_close(&s->hook);
	procev_close(s->kernel);
	free(s->fam_tombs);
	free(s->dirty);
	free(s->ended);
	scan_close(s->scan);
	track_free(s->track);
	scan_snapshot_free(&s->snap);
	view_free(&s->view);
	tree_free(&s->tree);
	free(s->shown_before);
	free(s->rows);
	free(s->watch);
	free(s->wanted);
	free(s->pfds);
	ghost_free(&s->ghost);
	threads_free(&s->threads);
	free(s->marks);
	memset(s, 0, sizeof *s);
	pyhook_off(&s->hook); /* closing again closes nothing */
}
