/* family: membership by identity, found through PPID links in each snapshot
 * (this works with partial scans: a new process is always read at once).
 * Exit codes come from forktop's own wait (its child, or an orphan it
 * adopted as a subreaper), a zombie's stat, or a pidfd's exit information. */
#include "family.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "grow.h"
#include "i18n.h"
#include "pidref.h"
#include "text.h"

#define DISCOVERY_PASSES 8

/* m's command line, read from /proc now (once its start time is known: the
 * PID might be another's), kept for when /proc no longer has it. It is read
 * at the first refresh that shows m after it joined or exec'd, not at the
 * kernel's event: a fork storm's children, gone before any refresh, cost no
 * read. */
static void read_cmdline(struct member *m)
{
	char buf[MEMBER_CMDLINE_MAX];
	ssize_t n = m->start_time ? scan_read_cmdline(m->pid, m->start_time, buf, sizeof buf) : -1;

	if (n > 0)
		member_keep_cmdline(m, buf, (size_t)n);
}

/* The program's command line, as ps would show it once it runs. */
static void keep_argv(struct member *m, char *const argv[])
{
	char buf[MEMBER_CMDLINE_MAX];
	size_t used = 0;

	for (size_t i = 0; argv[i] && used < sizeof buf - 1; i++)
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", i ? " " : "", argv[i]);
	member_keep_cmdline(m, buf, used < sizeof buf ? used : sizeof buf - 1);
}

static struct member *add_member(struct family *f, pid_t pid, unsigned long long start,
				 pid_t parent, int pidfd)
{
	struct member *m = member_add(&f->members, &f->count, &f->cap);

	if (!m || GROW(f->running.at, f->running.cap, f->running.count + 1) < 0 ||
	    GROW(f->watched.at, f->watched.cap, f->watched.count + 1) < 0 ||
	    pidmap_put(&f->live, pid, f->count - 1) < 0 || pidmap_put(&f->ever, pid, f->count - 1) < 0) {
		if (m) /* no room to find it by: it is not added */
			f->count--;
		pidmap_remove(&f->live, pid);
		if (pidfd >= 0)
			close(pidfd);
		return NULL;
	}
	m->pid = pid;
	m->start_time = start;
	m->pidfd = pidfd;
	m->forker = m->ppid = parent;
	m->cmdline_due = true;
	f->running.at[f->running.count++] = f->count - 1;
	f->watched.at[f->watched.count++] = f->count - 1;
	return m;
}

/* Logs a fact about the program (kind) whose process is pid, named name. */
static void note(struct family *f, enum event_kind kind, pid_t pid, const char *name)
{
	struct track_event ev = event_make(kind);

	ev.pid = pid;
	snprintf(ev.name, sizeof ev.name, "%s", name);
	track_log(f->track, &ev);
}

/* Its stdio: nothing to read, output into the monitor's pipe; its own
 * process group, so the terminal's Ctrl-C reaches only forktop. cannot_run
 * is the message, looked up before the fork (gettext may lock or allocate,
 * which a forked child must not). */
_Noreturn static void exec_program(char *const argv[], char *const env[], int out,
				   const char *cannot_run)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	const char *why;

	setpgid(0, 0);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	dup2(null, 0);
	dup2(out, 1);
	dup2(out, 2);
	for (size_t i = 0; env && env[i]; i++)
		putenv(env[i]);
	execvp(argv[0], argv);
	why = strerror(errno);
	dprintf(2, "forktop: ");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral" /* the catalog's, checked by msgfmt -c */
	dprintf(2, cannot_run, argv[0], why);
#pragma GCC diagnostic pop
	dprintf(2, "\n");
	_exit(127);
}

int family_start(struct family *f, char *const argv[], char *const env[], struct track *track,
		 char *err, size_t errlen)
{
	const char *cannot_run;
	struct member *m;
	int out[2];
	pid_t pid;

	memset(f, 0, sizeof *f);
	f->monitor = getpid();
	f->track = track;
	f->output_fd = -1;
	if (pipe2(out, O_CLOEXEC) < 0) {
		snprintf(err, errlen, _("cannot make a pipe: %s"), strerror(errno));
		return -1;
	}
	/* xgettext:c-format */
	cannot_run = _("cannot run %s: %s");
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		exec_program(argv, env, out[1], cannot_run);
	close(out[1]);
	if (pid < 0) {
		close(out[0]);
		snprintf(err, errlen, _("cannot start %s: %s"), argv[0], strerror(errno));
		return -1;
	}
	setpgid(pid, pid);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	f->output_fd = out[0];
	f->started = f->active = true;
	/* our own unreaped child: its pidfd cannot name another process */
	m = add_member(f, pid, 0, f->monitor, pidfd_open(pid, 0));
	if (!m) {
		snprintf(err, errlen, "%s", _("out of memory"));
		return -1;
	}
	snprintf(m->name, sizeof m->name, "%s", argv[0]);
	keep_argv(m, argv);
	note(f, EV_PROGRAM_STARTED, pid, argv[0]);
	return 0;
}

int family_attach(struct family *f, pid_t pid, struct track *track, char *err, size_t errlen)
{
	struct scan_stat_line st;
	struct member *m;
	int pidfd;

	memset(f, 0, sizeof *f);
	f->monitor = getpid();
	f->track = track;
	f->output_fd = -1;
	if (!scan_read_stat(pid, &st)) {
		snprintf(err, errlen, _("no process with PID %d"), (int)pid);
		return -1;
	}
	pidfd = pidref_open_checked(pid, st.start_time);
	if (pidfd < 0 || !(m = add_member(f, pid, st.start_time, st.ppid, pidfd))) {
		snprintf(err, errlen, _("cannot watch PID %d: %s"), (int)pid, strerror(-pidfd));
		return -1;
	}
	snprintf(m->name, sizeof m->name, "%s", st.comm);
	f->active = true;
	note(f, EV_ATTACHED, pid, st.comm);
	return 0;
}

/* The member with this PID that is still watched, or NULL. */
static struct member *live_member(const struct family *f, pid_t pid)
{
	size_t i;

	return pidmap_get(&f->live, pid, &i) && !f->members[i].gone ? &f->members[i] : NULL;
}

#define ANCESTRY_MAX 64 /* parents climbed from a process claimed for the family */

/* Whether pid, or one of its ancestors up from it, is a member that runs
 * (or forktop itself, for a family it started: its orphans come to it). */
static bool descends(const struct family *f, pid_t pid)
{
	struct scan_stat_line st;

	for (int i = 0; i < ANCESTRY_MAX && pid > 1; i++) {
		const struct member *m = live_member(f, pid);

		if ((m && !m->exited) || (f->started && pid == f->monitor))
			return true;
		if (!scan_read_stat(pid, &st))
			return false;
		pid = st.ppid;
	}
	return false;
}

struct member *family_claim(struct family *f, pid_t pid)
{
	struct member *m = live_member(f, pid);
	struct scan_stat_line st;

	if (m || !f->active || pid <= 1 || !scan_read_stat(pid, &st) || !descends(f, st.ppid))
		return m;
	if (live_member(f, st.ppid))
		live_member(f, st.ppid)->forked_member = true;
	return add_member(f, pid, st.start_time, st.ppid, pidref_open_checked(pid, st.start_time));
}

int family_signal(struct family *f, const struct member *m, int sig)
{
	struct track_event ev = event_make(EV_SIGNAL_SENT);
	int rc;

	if (!f->started)
		return -EPERM;
	if (m->exited || m->gone || m->pidfd < 0)
		return -ESRCH;
	if ((rc = pidref_signal(m->pidfd, sig)) < 0)
		return rc;
	ev.pid = ev.target = m->pid;
	snprintf(ev.name, sizeof ev.name, "%s", m->name);
	snprintf(ev.target_name, sizeof ev.target_name, "%s", m->name);
	ev.signal = sig;
	track_log(f->track, &ev);
	return 0;
}

const struct member *family_member_of(const struct family *f, const struct scan_proc *p)
{
	const struct member *m = live_member(f, p->pid);

	return m && (!m->start_time || m->start_time == p->start_time) ? m : NULL;
}

const struct member *family_newest(const struct family *f, pid_t pid)
{
	size_t i;

	return pidmap_get(&f->ever, pid, &i) ? &f->members[i] : NULL;
}

bool family_is_member(const struct family *f, pid_t pid)
{
	return live_member(f, pid) != NULL;
}

bool family_had_pid(const struct family *f, pid_t pid)
{
	size_t i;

	return pidmap_get(&f->ever, pid, &i);
}

/* m has left /proc for good: it is found by PID no more. */
static void forget_gone(struct family *f, const struct member *m)
{
	size_t i;

	if (m->gone && pidmap_get(&f->live, m->pid, &i) && &f->members[i] == m)
		pidmap_remove(&f->live, m->pid);
}

static void observe_member(struct family *f, struct member *m, const struct scan_snapshot *snap)
{
	const struct scan_proc *p = member_observe(f->track, (struct timespec){ 0 }, m, snap, f->monitor, true);

	if (p && m->cmdline_due && p->state != 'Z') { /* a refresh shows it: read what it runs */
		read_cmdline(m);
		m->cmdline_due = false;
	}
	forget_gone(f, m);
}

static bool is_member_pid(const struct family *f, pid_t pid)
{
	return live_member(f, pid) != NULL;
}

/* A child of forktop that forktop did not start: an orphan of the program it
 * adopted as a subreaper (forktop starts nothing else in this mode), whose
 * parent may have ended before any snapshot showed the link. */
static bool adopted(const struct family *f, const struct scan_proc *p)
{
	return f->started && p->ppid == f->monitor && !family_member_of(f, p);
}

/* p is a member that ended after the snapshot was read (its exit event,
 * read after the scan, had forktop reap it): no new member. A member whose
 * start time was never read is matched only by a dead record. */
static bool ended_since(const struct family *f, const struct scan_proc *p)
{
	const struct member *m;
	size_t i;

	if (!pidmap_get(&f->ever, p->pid, &i))
		return false;
	m = &f->members[i];
	return m->gone && (m->start_time ? m->start_time == p->start_time
					 : p->state == 'Z' || p->state == 'X');
}

/* Adds the children of members found in the snapshot; true if any. The
 * parent's identity is checked only for the few whose PPID is a member's. */
static bool discover(struct family *f, const struct scan_snapshot *snap)
{
	bool found = false;

	for (size_t i = 0; i < snap->count; i++) {
		const struct scan_proc *p = &snap->procs[i], *parent;

		if (ended_since(f, p))
			continue;
		if (adopted(f, p)) {
			found |= add_member(f, p->pid, p->start_time, MEMBER_PARENT_UNSEEN,
					    pidref_open_checked(p->pid, p->start_time)) != NULL;
			continue;
		}
		if (!is_member_pid(f, p->ppid) || family_member_of(f, p))
			continue;
		parent = scan_find(snap, p->ppid);
		if (!parent || !family_member_of(f, parent))
			continue;
		live_member(f, p->ppid)->forked_member = true; /* is_member_pid said it is one */
		if (add_member(f, p->pid, p->start_time, p->ppid,
			       pidref_open_checked(p->pid, p->start_time)))
			found = true;
	}
	return found;
}

/* Keeps in the index only the members still wanted there, in order. */
static void prune(struct family *f, struct family_index *idx, bool keep_exited)
{
	size_t kept = 0;

	for (size_t j = 0; j < idx->count; j++) {
		const struct member *m = &f->members[idx->at[j]];

		if (!m->gone && (keep_exited || !m->exited))
			idx->at[kept++] = idx->at[j];
	}
	idx->count = kept;
}

/* Drops from the indices the members that have ended, and those gone. */
static void advance_cursors(struct family *f)
{
	prune(f, &f->running, false);
	prune(f, &f->watched, true);
}

void family_scan_begins(struct family *f)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	f->scan_began_ns = (unsigned long long)now.tv_sec * 1000000000ULL + (unsigned long long)now.tv_nsec;
	f->scan_count = f->count;
}

/* Forked after the scan began, or told of by the kernel only after it
 * began (an event read after the scan, about a fork before it: a partial
 * scan reads only the members it knew of): missing from it is no sign of
 * its end. */
static bool unseen_by_scan(const struct family *f, const struct member *m)
{
	return m->born_ns &&
	       (m->born_ns > f->scan_began_ns || (size_t)(m - f->members) >= f->scan_count);
}

void family_observe(struct family *f, const struct scan_snapshot *snap)
{
	if (!f->active)
		return;
	for (int pass = 0; pass < DISCOVERY_PASSES && discover(f, snap); pass++)
		;
	for (size_t j = 0; j < f->watched.count; j++) {
		struct member *m = &f->members[f->watched.at[j]];

		if (!m->gone && !unseen_by_scan(f, m))
			observe_member(f, m, snap);
	}
	advance_cursors(f);
}

/* The wall-clock time of a CLOCK_MONOTONIC instant in nanoseconds. */
static struct timespec wall_time_of(unsigned long long mono_ns)
{
	struct timespec mono, wall;
	long long delta;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &wall);
	delta = ((long long)mono.tv_sec * 1000000000LL + mono.tv_nsec) - (long long)mono_ns;
	if (delta < 0)
		delta = 0;
	wall.tv_sec -= delta / 1000000000LL;
	wall.tv_nsec -= delta % 1000000000LL;
	if (wall.tv_nsec < 0) {
		wall.tv_nsec += 1000000000L;
		wall.tv_sec--;
	}
	return wall;
}

/* A member forked: the child joins the family now, named as its parent
 * (a fork copies the name), under it. Its pidfd and start time wait for
 * the end of the next read of the kernel's events (a few milliseconds, see
 * family_kernel_events_done): a short life whose exit comes before costs no
 * pidfd and no read of /proc. */
static void kernel_fork(struct family *f, const struct procev_event *ev)
{
	const struct member *parent = live_member(f, ev->parent_tgid);
	struct track_event note = event_make(EV_NEW);
	char name[MEMBER_NAME_MAX];
	struct member *m;

	if (!parent || live_member(f, ev->pid) ||
	    GROW(f->unheld.at, f->unheld.cap, f->unheld.count + 1) < 0)
		return;
	f->members[parent - f->members].forked_member = true;
	memcpy(name, parent->name, sizeof name); /* add_member may move the array parent is in */
	m = add_member(f, ev->pid, 0, ev->parent_tgid, -1);
	if (!m)
		return;
	f->unheld.at[f->unheld.count++] = (size_t)(m - f->members);
	m->born_ns = ev->timestamp_ns;
	memcpy(m->name, name, sizeof m->name);
	note.when = wall_time_of(ev->timestamp_ns);
	note.pid = m->pid;
	note.new_ppid = note.old_ppid = m->ppid;
	snprintf(note.name, sizeof note.name, "%s", m->name);
	track_log(f->track, &note);
	track_announce_new(f->track, m->pid, m->ppid);
}

/* A member ended: its code from the event, and its children's new parent
 * (the kernel re-parented them before it sent the event). */
static void kernel_exit(struct family *f, const struct procev_event *ev)
{
	struct member *m = live_member(f, ev->pid);

	if (!m || m->ended_ns)
		return;
	m->ended_ns = ev->timestamp_ns;
	m->exited = true;
	member_record_exit(f->track, wall_time_of(ev->timestamp_ns), m, ev->status,
			   EXIT_SOURCE_KERNEL, 0, NULL);
	for (size_t j = 0; m->forked_member && j < f->watched.count; j++) {
		struct member *c = &f->members[f->watched.at[j]];
		struct scan_stat_line st;

		if (!c->gone && c->ppid == m->pid && c != m && scan_read_stat(c->pid, &st) &&
		    (!c->start_time || st.start_time == c->start_time))
			c->ppid = st.ppid;
	}
	if (ev->parent_tgid == f->monitor || ev->parent_tgid == 0) /* else not forktop's to reap */
		member_reap_own(f->track, wall_time_of(ev->timestamp_ns), m, f->monitor);
	forget_gone(f, m);
	prune(f, &f->running, false); /* the watched wait for the next refresh */
}

/* exec or a new comm: the member's name, read now or from the event, unless
 * Python's hook named it (an exec after its hello makes it another program). */
static void kernel_rename(struct family *f, const struct procev_event *ev)
{
	struct member *m = live_member(f, ev->pid);
	struct scan_stat_line st;

	if (!m || m->exited)
		return;
	if (m->python && ev->kind == PROCEV_EXEC && ev->timestamp_ns > m->python_since_ns)
	{
		m->python = m->reports_threads = m->daemon = false; /* another program now */
		m->python_role = PYTHON_ROLE_NONE;
		m->target[0] = '\0';
	}
	if (m->python)
		return; /* Python's name stays */
	if (ev->kind == PROCEV_COMM)
		snprintf(m->name, sizeof m->name, "%s", ev->comm);
	else if (scan_read_stat(m->pid, &st) && (!m->start_time || st.start_time == m->start_time)) {
		snprintf(m->name, sizeof m->name, "%s", st.comm);
		m->cmdline_due = true; /* the new program's arguments */
	}
}

/* The pidfd first, then /proc: a stat that shows the parent the family
 * knows is the very process the pidfd holds (as pidref_open_checked does,
 * with one read of /proc instead of two). No exit event came for it before
 * the events at hand ended, so its PID was not free again then; else (gone
 * since, or its PID another's now) it stays without a pidfd. */
static void hold(struct member *m)
{
	struct scan_stat_line st;
	int pidfd = pidfd_open(m->pid, 0);

	if (pidfd < 0)
		return;
	if (!scan_read_stat(m->pid, &st) || st.ppid != m->ppid) {
		close(pidfd);
		return;
	}
	m->pidfd = pidfd;
	m->start_time = st.start_time;
}

/* Holds the members forked before the events read since the last call
 * (no exit was told for them since: their PIDs are still theirs), or,
 * with all, every member not yet held. */
static void hold_unheld(struct family *f, bool all)
{
	size_t kept = 0;

	for (size_t j = 0; j < f->unheld.count; j++) {
		struct member *m = &f->members[f->unheld.at[j]];

		if (m->exited || m->gone || m->pidfd >= 0)
			continue;
		if (all || j < f->unheld_older)
			hold(m);
		else
			f->unheld.at[kept++] = f->unheld.at[j];
	}
	f->unheld.count = f->unheld_older = kept;
}

void family_kernel_events_done(struct family *f)
{
	hold_unheld(f, false);
}

void family_kernel_event(struct family *f, const struct procev_event *ev)
{
	if (!f->active || ev->pid != ev->tgid)
		return;
	if (ev->kind == PROCEV_FORK)
		kernel_fork(f, ev);
	else if (ev->kind == PROCEV_EXIT)
		kernel_exit(f, ev);
	else if (ev->kind == PROCEV_EXEC || ev->kind == PROCEV_COMM)
		kernel_rename(f, ev);
}

size_t family_poll_fds(const struct family *f, struct pollfd *fds, size_t cap)
{
	size_t n = 0;

	if (!f->active)
		return 0;
	if (f->output_fd >= 0 && n < cap)
		fds[n++] = (struct pollfd){ .fd = f->output_fd, .events = POLLIN };
	for (size_t j = 0; j < f->running.count && n < cap; j++) {
		const struct member *m = &f->members[f->running.at[j]];

		if (m->pidfd >= 0 && !m->exited)
			fds[n++] = (struct pollfd){ .fd = m->pidfd, .events = POLLIN };
	}
	return n;
}

/* Adds n bytes to the line not yet ended. Past EVENT_LINE_MAX (or past
 * the memory there is) bytes are only counted, as cut. */
static void add_to_line(struct family *f, const char *p, size_t n)
{
	size_t room = EVENT_LINE_MAX - f->partial_len, keep = n < room ? n : room;

	if (keep && GROW(f->partial, f->partial_cap, f->partial_len + keep) < 0)
		keep = 0;
	if (keep)
		memcpy(f->partial + f->partial_len, p, keep);
	f->partial_len += keep;
	f->partial_cut += n - keep;
}

/* Logs the line (one event however many reads brought it), and starts the next. */
static void emit_line(struct family *f)
{
	struct track_event ev = event_make(EV_OUTPUT);
	size_t len = f->partial_len;

	if (f->partial_cut) /* cut at the limit, but not inside a character */
		len = text_utf8_boundary(f->partial, len);
	ev.pid = f->members[0].pid;
	event_set_text(&ev, len ? f->partial : "", len);
	ev.cut_bytes = f->partial_cut + (f->partial_len - len);
	track_log(f->track, &ev);
	f->partial_len = 0;
	f->partial_cut = 0;
}

/* The program's output, line by line, into the event log. */
static void read_output(struct family *f)
{
	char buf[4096];
	ssize_t n = read(f->output_fd, buf, sizeof buf);

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			if (f->partial_len || f->partial_cut)
				emit_line(f);
			close(f->output_fd);
			f->output_fd = -1;
		}
		return;
	}
	for (const char *p = buf, *end = buf + n; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		add_to_line(f, p, (size_t)((nl ? nl : end) - p));
		if (!nl)
			break;
		emit_line(f);
		p = nl + 1;
	}
}

void family_handle(struct family *f, const struct pollfd *fds, size_t n)
{
	for (size_t k = 0; k < n && f->active; k++) {
		if (!fds[k].revents)
			continue;
		if (fds[k].fd == f->output_fd) {
			read_output(f);
			continue;
		}
		for (size_t j = 0; j < f->running.count; j++) {
			struct member *m = &f->members[f->running.at[j]];

			if (m->pidfd == fds[k].fd && !m->exited) {
				m->exited = true;
				member_reap_own(f->track, (struct timespec){ 0 }, m, f->monitor);
				forget_gone(f, m);
				break;
			}
		}
	}
}

bool family_running(const struct family *f)
{
	if (f->output_fd >= 0)
		return true;
	for (size_t j = 0; j < f->running.count; j++)
		if (!f->members[f->running.at[j]].exited && !f->members[f->running.at[j]].gone)
			return true;
	return false;
}

/* Signals every live member (through its pidfd) and waits up to wait_ms. */
static void end_members(struct family *f, int sig, int wait_ms)
{
	for (size_t i = 0; i < f->count; i++)
		if (!f->members[i].exited)
			pidref_signal(f->members[i].pidfd, sig);
	member_await_end(f->members, f->count, wait_ms);
	for (size_t i = 0; i < f->count; i++)
		if (f->members[i].exited)
			member_reap_own(f->track, (struct timespec){ 0 }, &f->members[i], f->monitor);
}

void family_close(struct family *f, int wait_ms)
{
	hold_unheld(f, true); /* a member not yet held is ended too */
	if (f->started) {
		end_members(f, SIGTERM, wait_ms);
		end_members(f, SIGKILL, wait_ms);
	}
	for (size_t i = 0; i < f->count; i++) {
		if (f->members[i].pidfd >= 0)
			close(f->members[i].pidfd);
		member_release(&f->members[i]);
	}
	if (f->output_fd >= 0)
		close(f->output_fd);
	pidmap_free(&f->live);
	pidmap_free(&f->ever);
	free(f->running.at);
	free(f->watched.at);
	free(f->unheld.at);
	free(f->partial);
	free(f->members);
	memset(f, 0, sizeof *f);
	f->output_fd = -1;
}
