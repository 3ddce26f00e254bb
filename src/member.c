/* member: see member.h. Where an exit code can come from, in the order
 * forktop may learn it: the reaper's own report (a lab creator or fork
 * server), the monitor's wait, the zombie's stat, the pidfd's exit
 * information after another process reaped it. The first source wins. */
#include "member.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "grow.h"
#include "pidref.h"

struct member *member_add(struct member **members, size_t *count, size_t *cap)
{
	struct member *m;

	if (GROW(*members, *cap, *count + 1) < 0)
		return NULL;
	m = &(*members)[(*count)++];
	*m = (struct member){ .conn = -1, .pidfd = -1, .exit_status = SCAN_NO_STATUS };
	return m;
}

struct member *member_by_pid(const struct member *members, size_t count, pid_t pid,
			     bool gone_too)
{
	for (size_t i = pid > 0 ? count : 0; i-- > 0;)
		if (members[i].pid == pid && (gone_too || !members[i].gone))
			return (struct member *)&members[i];
	return NULL;
}

static bool same_process(const struct member *m, const struct scan_proc *p)
{
	return m->pid == p->pid && m->pid > 0 && (!m->start_time || m->start_time == p->start_time);
}

const struct member *member_of(const struct member *members, size_t count,
			       const struct scan_proc *p)
{
	for (size_t i = count; i-- > 0;)
		if (!members[i].gone && same_process(&members[i], p))
			return &members[i];
	return NULL;
}

bool member_record_exit(struct track *track, struct timespec when, struct member *m, int status,
			enum exit_source source, pid_t by, const char *by_name)
{
	struct track_event ev = event_make(EV_EXITED);

	if (m->exit_source != EXIT_SOURCE_UNKNOWN || status == SCAN_NO_STATUS)
		return false;
	m->exit_status = status;
	m->exit_source = source;
	ev.when = when;
	ev.pid = m->pid;
	memcpy(ev.name, m->name, sizeof ev.name);
	ev.exit_status = status;
	ev.source = source;
	ev.by = by;
	snprintf(ev.by_name, sizeof ev.by_name, "%s", by_name ? by_name : "");
	track_log(track, &ev);
	return true;
}

long long member_lifetime_us(const struct member *m)
{
	if (!m->born_ns || m->ended_ns < m->born_ns)
		return -1;
	return (long long)((m->ended_ns - m->born_ns) / 1000ULL);
}

static struct member_thread *thread_of(const struct member *m, pid_t tid)
{
	for (size_t i = m->nthreads; i-- > 0;)
		if (m->threads[i].tid == tid)
			return &m->threads[i];
	return NULL;
}

int member_thread_daemon(const struct member *m, pid_t tid)
{
	const struct member_thread *t = thread_of(m, tid);

	if (t)
		return t->daemon;
	return m->reports_threads && tid == m->pid ? 0 : -1;
}

const char *member_thread_name(const struct member *m, pid_t tid)
{
	const struct member_thread *t = thread_of(m, tid);

	if (t)
		return t->name;
	return m->reports_threads && tid == m->pid ? "MainThread" : NULL;
}

bool member_thread_started(struct member *m, pid_t tid, const char *name, bool daemon)
{
	struct member_thread *t = thread_of(m, tid);

	if (!t) {
		if (m->nthreads == MEMBER_THREADS_MAX ||
		    GROW(m->threads, m->threads_cap, m->nthreads + 1) < 0)
			return false;
		t = &m->threads[m->nthreads++];
	}
	*t = (struct member_thread){ .tid = tid, .daemon = daemon };
	snprintf(t->name, sizeof t->name, "%s", name);
	return true;
}

void member_thread_ended(struct member *m, pid_t tid)
{
	struct member_thread *t = thread_of(m, tid);

	if (t)
		t->ended = true;
}

void member_keep_cmdline(struct member *m, const char *text, size_t len)
{
	char *copy;

	if (len > MEMBER_CMDLINE_MAX - 1)
		len = MEMBER_CMDLINE_MAX - 1;
	if (!(copy = malloc(len + 1)))
		return;
	memcpy(copy, text, len);
	copy[len] = '\0';
	free(m->cmdline);
	m->cmdline = copy;
}

void member_release(struct member *m)
{
	free(m->cmdline);
	m->cmdline = NULL;
	free(m->threads);
	m->threads = NULL;
	m->nthreads = m->threads_cap = 0;
}

/* Its threads ended with it. */
static void end_threads(struct member *m)
{
	for (size_t i = 0; i < m->nthreads; i++)
		m->threads[i].ended = true;
}

void member_mark_gone(struct member *m)
{
	end_threads(m);
	m->gone = true;
	m->exited = true;
	if (m->pidfd >= 0) {
		close(m->pidfd);
		m->pidfd = -1;
	}
}

bool member_reap_own(struct track *track, struct timespec when, struct member *m, pid_t monitor)
{
	int status;

	/* waitpid() reaches only the monitor's own children, whose PIDs cannot
	 * have been recycled before this wait */
	if (m->gone || m->pid <= 0 || waitpid(m->pid, &status, WNOHANG) != m->pid)
		return false;
	member_record_exit(track, when, m, status,
			   m->forker == monitor ? EXIT_SOURCE_MONITOR : EXIT_SOURCE_SUBREAPER, 0, NULL);
	member_mark_gone(m);
	m->joining = 0;
	return true;
}

/* Marks the members whose pidfd says they ended; true when none is left. */
static bool all_ended(struct member *members, size_t count)
{
	bool all = true;

	for (size_t i = 0; i < count; i++) {
		struct member *m = &members[i];
		struct pollfd p = { .fd = m->pidfd, .events = POLLIN };

		if (m->pidfd >= 0 && !m->exited && poll(&p, 1, 0) == 1)
			m->exited = true;
		all = all && (m->exited || m->pidfd < 0);
	}
	return all;
}

bool member_await_end(struct member *members, size_t count, long wait_ms)
{
	struct timespec start = clock_now();

	while (!all_ended(members, count)) {
		if (clock_ms_since(&start) >= wait_ms)
			return false;
		nanosleep(&(struct timespec){ 0, 5 * 1000000L }, NULL);
	}
	return true;
}

/* An ended member whose exit code is still unknown: ask its pidfd. Returns
 * what the pidfd answered (0: the code is known now; -EOPNOTSUPP: this
 * kernel keeps none), or -EBADF when there was nothing to ask. */
static int ask_pidfd(struct track *track, struct timespec when, struct member *m)
{
	int status, rc;

	if (m->exit_source != EXIT_SOURCE_UNKNOWN || m->pidfd < 0)
		return -EBADF;
	rc = pidref_exit_status(m->pidfd, &status);
	if (rc == 0)
		member_record_exit(track, when, m, status, EXIT_SOURCE_PIDFD, 0, NULL);
	return rc;
}

/* m is gone with no source able to tell its code: the log says so, and
 * who reaped it (its parent at the last sight), never a bare "gone". */
static void say_exit_unknown(struct track *track, struct timespec when, const struct member *m)
{
	struct track_event ev = event_make(EV_EXIT_UNKNOWN);

	ev.when = when;
	ev.pid = m->pid;
	ev.by = m->ppid;
	memcpy(ev.name, m->name, sizeof ev.name);
	track_log(track, &ev);
}

const struct scan_proc *member_observe(struct track *track, struct timespec when,
				       struct member *m, const struct scan_snapshot *snap,
				       pid_t monitor, bool program)
{
	const struct scan_proc *p;
	int asked = -EBADF;

	if (m->gone || m->pid <= 0)
		return NULL;
	p = scan_find(snap, m->pid);
	if (p && !m->start_time)
		m->start_time = p->start_time;
	if (p && !same_process(m, p))
		p = NULL; /* its PID now belongs to another process */
	if (p) {
		m->ppid = p->ppid;
		m->sid = p->sid;
		if (program && !m->python)
			snprintf(m->name, sizeof m->name, "%s", p->comm);
	}
	/* a zombie of the monitor's own (or one that came to it as a subreaper):
	 * the monitor reaps it, and its wait gives the code */
	if (p && p->state == 'Z' && p->ppid == monitor && member_reap_own(track, when, m, monitor))
		return p;
	if (p && p->state == 'Z' && p->exit_status != SCAN_NO_STATUS)
		member_record_exit(track, when, m, p->exit_status, EXIT_SOURCE_ZOMBIE, 0, NULL);
	/* a lab member's end comes with its creator's report or its pidfd; only
	 * then is the pidfd asked (else a refresh between the creator's reap and
	 * its report would take the code from the wrong source) */
	if (m->exited || (program && !p))
		asked = ask_pidfd(track, when, m);
	if (p || !(m->exited || (program && m->pidfd < 0)))
		return p;
	/* a lab member's code may still come from its creator's report, unless
	 * its pidfd could have told and this kernel keeps nothing */
	if (m->exit_source == EXIT_SOURCE_UNKNOWN &&
	    (program || asked == -EBADF || asked == -EOPNOTSUPP))
		say_exit_unknown(track, when, m);
	member_mark_gone(m);
	return p;
}

const char *member_helper_role(const struct member *m)
{
	static const char *const python_roles[] = {
		[PYTHON_ROLE_POOL_WORKER] = "pool-worker",
		[PYTHON_ROLE_MANAGER] = "manager",
		[PYTHON_ROLE_EXECUTOR_WORKER] = "executor-worker",
	};

	if (m->tracker)
		return "resource-tracker";
	if (m->forkserver)
		return "forkserver";
	if (m->python_role > PYTHON_ROLE_NONE && m->python_role <= PYTHON_ROLE_EXECUTOR_WORKER)
		return python_roles[m->python_role];
	return NULL;
}
