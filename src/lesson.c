/* lesson: one rule table, tried in order, the first match wins. A rule's
 * condition reads the facts of the event (the lab process it is about, its
 * creator, a process its text names, its exit code) and, where the cause is
 * another event (the exit routine's terminate(), a KeyboardInterrupt), the
 * events around it. Adding a lesson is a text file and one row; a row for
 * the start methods' helper processes (resource tracker, fork server) says
 * so (.helpers), as the others speak of Python's Process objects only. */
#include "lesson.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "datafile.h"
#include "i18n.h"
#include "text.h"

#define LESSON_FILE_MAX 16384
#define LOOK_BACK 512 /* how far from an event a condition may look for its cause */

struct facts {
	const struct track_event *ev;
	const struct lesson_context *ctx;
	const struct member *m;      /* the lab process the event is about, or NULL */
	const struct member *t;      /* the other process it names (its target), or NULL */
	bool has_code;
	int code;                    /* Python's exitcode, when has_code */
};

/* ---- what the lab knows ------------------------------------------------- */

/* The newest member with this PID, gone ones included (events outlive them). */
static const struct member *lab_member(const struct lab *lab, pid_t pid)
{
	return lab ? member_by_pid(lab->members, lab->count, pid, true) : NULL;
}

static bool ignores_sigterm(const struct lab *lab, const struct member *m)
{
	int g = m && m->group[0] ? scenario_group_index(&lab->sc, m->group) : -1;

	return g >= 0 && lab->sc.groups[g].ignore_sigterm;
}

/* A process a start method adds (the resource tracker, a fork server):
 * not one of Python's Process objects. Its flags come with its hello; its
 * name tells it before. */
static bool helper_named(const char *name, const char *helper)
{
	size_t n = strlen(name), k = strlen(helper);

	return n >= k && !strcmp(name + n - k, helper) && (n == k || name[n - k - 1] == ':');
}

static bool is_helper(const struct member *m)
{
	return m && (m->tracker || m->forkserver || helper_named(m->name, "resource_tracker") ||
		     helper_named(m->name, "forkserver"));
}

/* The Python children m started and forked itself (its kernel children:
 * they are orphaned when it dies); only_daemonic: those with daemon=True. */
static size_t children_of(const struct lab *lab, const struct member *m, bool only_daemonic,
			  const struct member **out, size_t cap)
{
	size_t n = 0;

	for (size_t i = (size_t)(m - lab->members) + 1; i < lab->count; i++) {
		const struct member *c = &lab->members[i];

		if (c->creator == m->pid && c->forker == m->pid && !c->unix_daemon && !is_helper(c) &&
		    (!only_daemonic || c->daemon)) {
			if (n < cap)
				out[n] = c;
			n++;
		}
	}
	return n;
}

/* Whether an event near this one (of this kind, from pid, about target
 * when target > 0) is in the log. Near, not only before: the log orders what
 * the kernel showed (a zombie) and what the lab process said (its last log
 * lines) by when forktop learned them, which can be the other way round. */
static bool nearby(const struct facts *f, enum event_kind kind, pid_t pid, pid_t target)
{
	unsigned long long seq = f->ev->seq, last, q;

	if (!f->ctx->track)
		return false;
	last = track_last_seq(f->ctx->track);
	q = seq > LOOK_BACK ? seq - LOOK_BACK : 1;
	for (; q <= last && q <= seq + LOOK_BACK; q++) {
		const struct track_event *e = track_event(f->ctx->track, q);

		if (e && e->kind == kind && e->pid == pid && (target <= 0 || e->target == target))
			return true;
	}
	return false;
}

/* ---- conditions ---------------------------------------------------------- */

static bool is_unix_daemon(const struct facts *f)
{
	return f->m && f->m->unix_daemon;
}

static bool to_pid1(const struct facts *f)
{
	return f->ev->new_ppid == 1;
}

static bool to_monitor(const struct facts *f)
{
	return f->ev->new_ppid == f->ctx->monitor_pid;
}

static bool to_another_ancestor(const struct facts *f)
{
	return !to_pid1(f) && !to_monitor(f);
}

static bool under_adopter(const struct facts *f)
{
	return f->m && f->ev->new_ppid != f->m->forker;
}

static bool has_code(const struct facts *f)
{
	return f->has_code;
}

/* -15 from the exit routine of its creator, which called terminate() for
 * it (proof enough that it is daemonic, also when it was terminated before
 * it could say so itself). */
static bool terminated_by_exit_routine(const struct facts *f)
{
	if (!f->has_code || f->code != -SIGTERM || !f->m)
		return false;
	return nearby(f, EV_EXIT_ROUTINE_TERMINATES, f->m->creator, f->m->pid);
}

static bool interrupted(const struct facts *f)
{
	return f->has_code && f->code == -SIGINT;
}

static bool killed(const struct facts *f)
{
	return f->has_code && f->code < 0;
}

/* The signals Python's own lessons speak of: terminate() and kill(). */
static bool term_or_kill(int sig)
{
	return sig == SIGTERM || sig == SIGKILL;
}

static bool killed_by_term_or_kill(const struct facts *f)
{
	return killed(f) && term_or_kill(-f->code);
}

/* m forked children of its own (under forkserver the server forks them). */
static bool has_forked_children(const struct facts *f)
{
	return f->m && children_of(f->ctx->lab, f->m, false, NULL, 0) > 0;
}

static bool killed_with_children(const struct facts *f)
{
	return killed(f) && has_forked_children(f);
}

static bool failed_after_refusal(const struct facts *f)
{
	return f->has_code && f->code == 1 && f->m &&
	       nearby(f, EV_DAEMONIC_CHILDREN_REFUSED, f->m->pid, 0);
}

static bool failed_after_interrupt(const struct facts *f)
{
	return f->has_code && f->code == 1 && f->m && nearby(f, EV_INTERRUPTED, f->m->pid, 0);
}

/* A lab process's exit code read from its zombie: it still waits for its parent. */
static bool lab_zombie(const struct facts *f)
{
	return f->has_code && f->m && f->ev->source == EXIT_SOURCE_ZOMBIE;
}

static bool lab_zombie_adopted(const struct facts *f)
{
	return lab_zombie(f) && f->m->ppid != f->m->forker;
}

static bool main_exited(const struct facts *f)
{
	return f->has_code && f->m && f->m->depth == 0;
}

static bool in_exit_routine(const struct facts *f)
{
	return f->m && f->m->in_exit_routine;
}

/* The exit routine joins a daemonic child that ignored its SIGTERM. */
static bool stubborn_join(const struct facts *f)
{
	return in_exit_routine(f) && f->t && f->t->daemon && ignores_sigterm(f->ctx->lab, f->t);
}

/* start() forked the child in the creator itself (not through a fork server). */
static bool started_by_fork(const struct facts *f)
{
	return f->ev->by == 0;
}

static bool started_daemonic_by_fork(const struct facts *f)
{
	return started_by_fork(f) && f->t && f->t->daemon;
}

static bool started_main_with(const struct facts *f, enum scenario_method method)
{
	return f->ev->value == (int)method;
}

static bool fork_method(const struct facts *f)
{
	return started_main_with(f, SCENARIO_FORK);
}

static bool started_main_with_spawn(const struct facts *f)
{
	return started_main_with(f, SCENARIO_SPAWN);
}

static bool started_main_with_forkserver(const struct facts *f)
{
	return started_main_with(f, SCENARIO_FORKSERVER);
}

/* The lab runs under spawn (a "started" event does not say it). */
static bool spawn_method(const struct facts *f)
{
	return f->ctx->lab && f->ctx->lab->sc.start_method == SCENARIO_SPAWN;
}

/* It starts a resource tracker (main's, or a nested creator's). */
static bool starts_tracker(const struct facts *f)
{
	return helper_named(f->ev->target_name, "resource_tracker");
}

static bool starts_server(const struct facts *f)
{
	return helper_named(f->ev->target_name, "forkserver") && started_by_fork(f);
}

static bool helper_to_pid1(const struct facts *f)
{
	return is_helper(f->m) && to_pid1(f);
}

/* forktop sent SIGTERM to a process that ignores it. */
static bool sigterm_ignored(const struct facts *f)
{
	return f->ev->signal == SIGTERM && ignores_sigterm(f->ctx->lab, f->m);
}

/* terminate() or kill() of a process that forked children: they outlive it. */
static bool ends_a_parent(const struct facts *f)
{
	return term_or_kill(f->ev->signal) && has_forked_children(f);
}

static bool through_server(const struct facts *f)
{
	return !started_by_fork(f);
}

static bool about_main(const struct facts *f)
{
	return f->m && f->m->depth == 0;
}

static bool about_a_child(const struct facts *f)
{
	return f->m && f->m->depth > 0;
}

/* ---- the rules ----------------------------------------------------------- */

struct rule {
	enum event_kind kind;
	bool (*when)(const struct facts *f); /* NULL: always */
	const char *lesson;
	bool helpers;       /* it may explain an event about a start method's helper
			       processes (resource tracker, fork server) */
};

/* A row about Python's Process objects; HELPER_RULE: one that may also
 * explain an event about a resource tracker or a fork server. */
#define RULE(kind, when, lesson) { kind, when, lesson, false }
#define HELPER_RULE(kind, when, lesson) { kind, when, lesson, true }

static bool reaped_by_creator(const struct facts *f)
{
	return f->ev->source == EXIT_SOURCE_CREATOR;
}

static bool reaped_by_server(const struct facts *f)
{
	return f->ev->source == EXIT_SOURCE_FORK_SERVER;
}

static bool reaped_by_subreaper(const struct facts *f)
{
	return f->ev->source == EXIT_SOURCE_SUBREAPER;
}

static bool read_from_pidfd(const struct facts *f)
{
	return f->ev->source == EXIT_SOURCE_PIDFD;
}

/* ---- the lab's own PID namespace ----------------------------------------- */

static const struct member *ns_init_of(const struct facts *f)
{
	return f->ctx->lab ? lab_ns_init(f->ctx->lab) : NULL;
}

static bool to_ns_init(const struct facts *f)
{
	const struct member *init = ns_init_of(f);

	return init && f->ev->new_ppid == init->pid;
}

static bool to_ns_subreaper(const struct facts *f)
{
	const struct member *p = lab_member(f->ctx->lab, f->ev->new_ppid);

	return ns_init_of(f) && p && p->subreaper;
}

/* The PID of the namespace's PID 1 when it is MainProcess itself, a
 * Python program, which waits for its own children only; else 0. */
static pid_t python_init(const struct facts *f)
{
	const struct member *init = ns_init_of(f);

	return init && !init->init ? init->pid : 0;
}

/* A zombie an adopting Python PID 1 will never reap. */
static bool zombie_under_python_init(const struct facts *f)
{
	pid_t init = python_init(f);

	return init && f->ev->new_ppid == init && under_adopter(f);
}

/* The same told by the zombie's exit code (read from its /proc/PID/stat). */
static bool zombie_code_under_python_init(const struct facts *f)
{
	pid_t init = python_init(f);

	return init && lab_zombie_adopted(f) && f->m->ppid == init;
}

static bool reaped_by_init(const struct facts *f)
{
	return f->ev->source == EXIT_SOURCE_INIT;
}

static bool killed_by_namespace_end(const struct facts *f)
{
	return f->m && f->m->killed_by_ns_end;
}

/* MainProcess as PID 1 after a KeyboardInterrupt: its re-raised SIGINT was
 * dropped, so it exits with 128 + SIGINT. */
static bool python_init_interrupted(const struct facts *f)
{
	return f->m && f->m->nspid == 1 && !f->m->init && f->has_code && f->code == 128 + SIGINT;
}

static bool made_with_init(const struct facts *f)
{
	return f->m && f->m->init;
}

static bool creator_gone(const struct facts *f)
{
	return f->ev->value == REFUSAL_CREATOR_GONE_JOIN || f->ev->value == REFUSAL_CREATOR_GONE_TEST;
}

static const struct rule rules[] = {
	/* what the kernel did */
	RULE(EV_REPARENT, is_unix_daemon, "unix-daemon"),
	HELPER_RULE(EV_REPARENT, helper_to_pid1, "helper-orphaned"),
	RULE(EV_REPARENT, to_pid1, "orphan-pid1"),
	HELPER_RULE(EV_REPARENT, to_monitor, "orphan-subreaper"),
	HELPER_RULE(EV_REPARENT, to_ns_init, "orphan-ns-init"),
	HELPER_RULE(EV_REPARENT, to_ns_subreaper, "orphan-ns-subreaper"),
	HELPER_RULE(EV_REPARENT, to_another_ancestor, "orphan-ancestor"),
	RULE(EV_ZOMBIE, zombie_under_python_init, "init-zombies"),
	RULE(EV_ZOMBIE, under_adopter, "zombie-adopted"),
	RULE(EV_ZOMBIE, NULL, "zombie"),
	/* exit codes: the cause first, then who collected the code */
	HELPER_RULE(EV_EXITED, killed_by_namespace_end, "namespace-ended"),
	RULE(EV_EXITED, terminated_by_exit_routine, "daemon-terminated"),
	RULE(EV_EXITED, interrupted, "sigint"),
	RULE(EV_EXITED, killed_with_children, "killed-no-exit-routine"),
	RULE(EV_EXITED, killed_by_term_or_kill, "killed"),
	RULE(EV_EXITED, killed, "killed-by-signal"),
	RULE(EV_EXITED, failed_after_refusal, "daemonic-children-refused"),
	RULE(EV_EXITED, failed_after_interrupt, "sigint-child"),
	RULE(EV_EXITED, python_init_interrupted, "init-sigint"),
	RULE(EV_EXITED, main_exited, "main-exited"),
	RULE(EV_EXITED, zombie_code_under_python_init, "init-zombies"),
	RULE(EV_EXITED, lab_zombie_adopted, "zombie-adopted"),
	RULE(EV_EXITED, lab_zombie, "zombie"),
	RULE(EV_EXITED, reaped_by_creator, "reaped-by-creator"),
	RULE(EV_EXITED, reaped_by_server, "reaped-by-server"),
	HELPER_RULE(EV_EXITED, reaped_by_subreaper, "reaped-by-subreaper"),
	HELPER_RULE(EV_EXITED, reaped_by_init, "reaped-by-init"),
	HELPER_RULE(EV_EXITED, read_from_pidfd, "reaped-by-adopter"),
	HELPER_RULE(EV_EXITED, has_code, "exit-code"),
	HELPER_RULE(EV_EXIT_UNKNOWN, NULL, "exit-unknown"),
	/* join() and is_alive() */
	RULE(EV_JOIN_BEGAN, stubborn_join, "stubborn-daemon"),
	RULE(EV_JOIN_BEGAN, in_exit_routine, "exit-routine-join"),
	RULE(EV_JOIN_BEGAN, NULL, "join"),
	RULE(EV_JOIN_TIMED_OUT, NULL, "join-timeout"),
	RULE(EV_JOIN_RETURNED, NULL, "join-returned"),
	RULE(EV_IS_ALIVE, NULL, "is-alive"),
	/* the lab's life */
	RULE(EV_LAB_STARTED, fork_method, "main-started"),
	RULE(EV_LAB_STARTED, started_main_with_spawn, "main-started-spawn"),
	RULE(EV_LAB_STARTED, started_main_with_forkserver, "main-started-forkserver"),
	HELPER_RULE(EV_STARTED, starts_tracker, "tracker-started"),
	HELPER_RULE(EV_STARTED, starts_server, "forkserver-started"),
	RULE(EV_STARTED, through_server, "started-through-server"),
	RULE(EV_STARTED, spawn_method, "started-spawn"),
	RULE(EV_UNIX_DAEMON, NULL, "unix-daemon"),
	RULE(EV_STARTED, started_daemonic_by_fork, "started-daemonic"),
	RULE(EV_STARTED, started_by_fork, "started"),
	RULE(EV_EXIT_ASKED, NULL, "exit-routine"),
	RULE(EV_EXIT_ROUTINE, NULL, "exit-routine"),
	RULE(EV_SIGNAL_SENT, sigterm_ignored, "sigterm-ignored"),
	RULE(EV_SIGNAL_SENT, ends_a_parent, "terminate-orphans"),
	RULE(EV_NAMESPACE_MADE, made_with_init, "namespace-init"),
	RULE(EV_NAMESPACE_MADE, NULL, "namespace-pid1"),
	RULE(EV_INIT_DROPPED, NULL, "init-signal-dropped"),
	RULE(EV_NAMESPACE_ENDED, NULL, "namespace-ended"),
	RULE(EV_SUBREAPER_ON, NULL, "subreaper"),
	RULE(EV_SUBREAPER_OFF, NULL, "subreaper"),
	HELPER_RULE(EV_TRACKER_EXITS, NULL, "tracker-exits"),
	RULE(EV_SERVER_GONE, NULL, "server-gone"),
	/* threads */
	RULE(EV_THREAD_STARTED, NULL, "thread-not-a-process"),
	RULE(EV_THREAD_AWAITED, about_main, "main-waits-for-threads"),
	RULE(EV_THREAD_AWAITED, about_a_child, "child-waits-for-threads"),
	RULE(EV_THREAD_CUT_OFF, NULL, "thread-cut-off"),
	/* what Python raises, or forktop refuses */
	RULE(EV_DAEMONIC_CHILDREN_REFUSED, NULL, "daemonic-children-refused"),
	RULE(EV_JOIN_REFUSED, NULL, "only-creator-joins"),
	RULE(EV_IS_ALIVE_REFUSED, NULL, "only-creator-joins"),
	RULE(EV_INTERRUPTED, NULL, "sigint-child"),
	RULE(EV_TRACKER_RELAUNCHED, NULL, "tracker-relaunched"),
	RULE(EV_REFUSED, creator_gone, "creator-gone"),
};
#define NRULES (sizeof rules / sizeof rules[0])

static void learn_facts(struct facts *f, const struct track_event *ev,
			const struct lesson_context *ctx)
{
	memset(f, 0, sizeof *f);
	f->ev = ev;
	f->ctx = ctx;
	f->m = lab_member(ctx->lab, ev->pid);
	f->t = lab_member(ctx->lab, ev->target);
	f->has_code = event_exitcode(ev->exit_status, &f->code);
}

static const struct rule *pick(struct facts *f)
{
	for (size_t i = 0; i < NRULES; i++) {
		const struct rule *r = &rules[i];

		if (r->kind != f->ev->kind)
			continue;
		if (!r->helpers && (is_helper(f->m) || is_helper(f->t)))
			continue;
		if (!r->when || r->when(f))
			return r;
	}
	return NULL;
}

const char *lesson_pick(const struct track_event *ev, const struct lesson_context *ctx)
{
	struct facts f;
	const struct rule *r;

	learn_facts(&f, ev, ctx);
	r = pick(&f);
	return r ? r->lesson : NULL;
}

/* Whether rule r is the first to name its lesson. */
static bool first_of_its_lesson(size_t r)
{
	for (size_t k = 0; k < r; k++)
		if (!strcmp(rules[k].lesson, rules[r].lesson))
			return false;
	return true;
}

size_t lesson_rule_lessons(void)
{
	size_t n = 0;

	for (size_t r = 0; r < NRULES; r++)
		n += first_of_its_lesson(r);
	return n;
}

const char *lesson_rule_lesson(size_t i)
{
	size_t seen = 0;

	for (size_t r = 0; r < NRULES; r++)
		if (first_of_its_lesson(r) && seen++ == i)
			return rules[r].lesson;
	return NULL;
}

/* ---- placeholders -------------------------------------------------------- */

enum placeholder {
	PH_PID, PH_NAME, PH_PPID, PH_OLD_PPID, PH_CODE, PH_SIGNAL, PH_CREATOR, PH_CREATOR_PID,
	PH_FORKER, PH_FORKER_PID, PH_TARGET, PH_TARGET_PID, PH_MONITOR, PH_SCENARIO, PH_CHILDREN,
	PH_DAEMONS, PH_THREAD, PH_TID, PH_COUNT,
};

static const char *const placeholder_names[PH_COUNT] = {
	"pid", "name", "ppid", "old_ppid", "code", "signal", "creator", "creator_pid",
	"forker", "forker_pid", "target", "target_pid", "monitor", "scenario", "children", "daemons",
	"thread", "tid",
};

static int placeholder_index(const char *name, size_t len)
{
	for (int i = 0; i < PH_COUNT; i++)
		if (strlen(placeholder_names[i]) == len && !strncmp(placeholder_names[i], name, len))
			return i;
	return -1;
}

bool lesson_placeholder_known(const char *name, size_t len)
{
	return placeholder_index(name, len) >= 0;
}

/* The put_ functions say false when they have no value to put: an empty
 * name, an unknown PID. */
static bool put_name(const struct facts *f, const char *raw, char *buf, size_t cap)
{
	if (!raw[0])
		return false;
	text_escape(buf, cap, raw, strlen(raw), f->ctx->text_flags);
	return true;
}

/* "A", "A and B", "A, B and C", or "none". */
static void put_list(const struct facts *f, bool only_daemonic, char *buf, size_t cap)
{
	const struct member *c[32];
	size_t n = f->m ? children_of(f->ctx->lab, f->m, only_daemonic, c, 32) : 0, used = 0;

	/* TRANSLATORS: the value of {children} or {daemons} in a lesson's text
	   when the process has none. */
	snprintf(buf, cap, "%s", _("none"));
	for (size_t i = 0; i < n && i < 32 && used < cap; i++) {
		char name[4 * LAB_NAME_MAX];
		/* TRANSLATORS: joins the last two names of a list in a lesson's text:
		   "Process-1, Process-2 and Process-3". */
		const char *sep = i == 0 ? "" : i + 1 == n ? _(" and ") : ", ";
		int w;

		put_name(f, c[i]->name, name, sizeof name);
		w = snprintf(buf + used, cap - used, "%s%s", sep, name);
		used += w > 0 ? (size_t)w : 0;
	}
}

static bool put_pid(pid_t pid, bool known, char *buf, size_t cap)
{
	if (!known || pid <= 0)
		return false;
	snprintf(buf, cap, "%d", (int)pid);
	return true;
}

/* The signal the event names (a signal sent, or dropped), else the one its
 * exit status says killed the process. */
static bool put_signal(const struct track_event *ev, char *buf, size_t cap)
{
	int sig = ev->signal > 0 ? ev->signal
		  : ev->exit_status != SCAN_NO_STATUS && WIFSIGNALED(ev->exit_status)
		  ? WTERMSIG(ev->exit_status) : 0;

	if (sig > 0 && sigabbrev_np(sig))
		snprintf(buf, cap, "SIG%s", sigabbrev_np(sig));
	else
		/* TRANSLATORS: the value of {signal} in a lesson's text when no signal
		   ended the process. */
		snprintf(buf, cap, "%s", _("no signal"));
	return true;
}

static bool put_value(const struct facts *f, enum placeholder p, char *buf, size_t cap)
{
	const struct track_event *ev = f->ev;
	const struct member *m = f->m;
	enum event_class cls = event_class_of(ev->kind);
	bool kernel = cls == EVENT_CLASS_REPARENT || cls == EVENT_CLASS_ZOMBIE ||
		      cls == EVENT_CLASS_NEW || cls == EVENT_CLASS_GONE;

	switch (p) {
	case PH_PID: return put_pid(ev->pid, true, buf, cap);
	case PH_NAME: return put_name(f, m ? m->name : ev->name, buf, cap);
	case PH_PPID: return put_pid(kernel ? ev->new_ppid : m ? m->ppid : 0, kernel || m, buf, cap);
	case PH_OLD_PPID: return put_pid(ev->old_ppid, true, buf, cap);
	case PH_CODE:
		if (f->has_code)
			snprintf(buf, cap, "%d", f->code);
		else
			/* TRANSLATORS: the value of {code} in a lesson's text when the exit
			   code is not known. */
			snprintf(buf, cap, "%s", _("unknown"));
		return true;
	case PH_SIGNAL: return put_signal(ev, buf, cap);
	/* TRANSLATORS: the value of {creator} or {forker} in a lesson's text when
	   that process is not known by name. */
	case PH_CREATOR: return put_name(f, m ? m->creator_name : _("its parent"), buf, cap);
	case PH_CREATOR_PID: return put_pid(m ? m->creator : 0, m, buf, cap);
	case PH_FORKER: return put_name(f, m ? m->forker_name : _("its parent"), buf, cap);
	case PH_FORKER_PID: return put_pid(m ? m->forker : 0, m, buf, cap);
	case PH_TARGET: return put_name(f, ev->target_name, buf, cap);
	case PH_TARGET_PID: return put_pid(f->t ? f->t->pid : 0, f->t, buf, cap);
	case PH_MONITOR: return put_pid(f->ctx->monitor_pid, true, buf, cap);
	case PH_SCENARIO: return put_name(f, f->ctx->lab ? f->ctx->lab->sc.name : "", buf, cap);
	case PH_CHILDREN: put_list(f, false, buf, cap); return true;
	case PH_DAEMONS: put_list(f, true, buf, cap); return true;
	case PH_THREAD:
		return put_name(f, event_kind_names_thread(ev->kind) ? ev->target_name : "", buf, cap);
	case PH_TID: return put_pid(ev->target, event_kind_names_thread(ev->kind), buf, cap);
	default: return false;
	}
}

/* What text_fill fills from: the facts, and whether a placeholder had no value. */
struct filling {
	const struct facts *f;
	bool *missing;
};

/* A placeholder's value, for text_fill. */
static bool put_placeholder(const void *ctx, const char *name, size_t len, char *buf, size_t cap)
{
	const struct filling *fl = ctx;
	int idx = placeholder_index(name, len);

	if (idx < 0)
		return false;
	if (!put_value(fl->f, (enum placeholder)idx, buf, cap)) {
		*fl->missing = true;
		snprintf(buf, cap, "?");
	}
	return true;
}

bool lesson_explain(const struct lesson_book *book, const struct track_event *ev,
		    const struct lesson_context *ctx, struct lesson_text *out)
{
	struct facts f;
	const struct rule *r;
	const struct lesson *l;
	bool missing = false;

	learn_facts(&f, ev, ctx);
	if (!(r = pick(&f)))
		return false;
	memset(out, 0, sizeof *out);
	out->name = r->lesson;
	l = lesson_book_find(book, r->lesson);
	if (!l || l->error[0]) {
		out->error = true;
		snprintf(out->title, sizeof out->title, "%s", r->lesson);
		snprintf(out->body, sizeof out->body, "%s",
			 l ? l->error : _("no such lesson was read"));
		return true;
	}
	snprintf(out->title, sizeof out->title, "%s", l->title);
	text_fill(out->body, sizeof out->body, l->body, put_placeholder,
		  &(struct filling){ &f, &missing });
	/* a lesson that would say "(pid ?)" or name nobody is not shown */
	return !missing;
}

/* ---- lesson files -------------------------------------------------------- */

/* Every '{' opens a known placeholder closed on the same line. */
static int check_placeholders(const char *s, size_t len, const char *label, int line, char *err,
			      size_t errlen)
{
	for (size_t i = 0; i < len; i++) {
		const char *close;

		if (s[i] == '}')
			return datafile_parse_error(err, errlen, label, line, "%s",
					   _("a '}' without its '{'"));
		if (s[i] != '{')
			continue;
		close = memchr(s + i, '}', len - i);
		if (!close)
			return datafile_parse_error(err, errlen, label, line, "%s",
					   _("a '{' without its '}'"));
		if (!lesson_placeholder_known(s + i + 1, (size_t)(close - s - i - 1))) {
			char known[256] = "";

			for (int p = 0; p < PH_COUNT; p++)
				snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
					 p ? ", " : "", placeholder_names[p]);
			return datafile_parse_error(err, errlen, label, line,
					   _("unknown placeholder {%.*s} (known: %s)"),
					   (int)(close - s - i - 1), s + i + 1, known);
		}
		i = (size_t)(close - s);
	}
	return 0;
}

/* Appends one line of text: a space joins lines, '\n' starts a paragraph. */
static bool append(struct lesson *out, size_t *used, const char *s, size_t len, bool paragraph)
{
	size_t need = len + (*used ? 1 : 0);

	if (*used + need + 1 > sizeof out->body)
		return false;
	if (*used)
		out->body[(*used)++] = paragraph ? '\n' : ' ';
	memcpy(out->body + *used, s, len);
	*used += len;
	out->body[*used] = '\0';
	return true;
}

struct parse {
	const char *label;
	struct lesson *out;
	size_t used;
	bool paragraph; /* a blank line came after text */
	char *err;
	size_t errlen;
};

static int parse_line(struct parse *ps, const char *s, size_t len, int line)
{
	const char *bad = text_unprintable(s, len);

	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	if (bad)
		/* TRANSLATORS: %s is what is wrong with the line ("a control character"). */
		return datafile_parse_error(ps->err, ps->errlen, ps->label, line, _("%s: not lesson text"),
				   bad);
	if (len && *s == '#')
		return 0;
	if (!len) {
		ps->paragraph = ps->used > 0;
		return 0;
	}
	if (!ps->out->title[0]) {
		if (len >= sizeof ps->out->title)
			return datafile_parse_error(ps->err, ps->errlen, ps->label, line,
					   _("the title is longer than %zu bytes"),
					   sizeof ps->out->title - 1);
		if (memchr(s, '{', len) || memchr(s, '}', len))
			return datafile_parse_error(ps->err, ps->errlen, ps->label, line,
					   "%s",
					   _("the title is plain text: placeholders go in the text "
					     "below it"));
		memcpy(ps->out->title, s, len);
		return 0;
	}
	if (check_placeholders(s, len, ps->label, line, ps->err, ps->errlen) < 0)
		return -1;
	if (!append(ps->out, &ps->used, s, len, ps->paragraph))
		return datafile_parse_error(ps->err, ps->errlen, ps->label, line,
				   _("the text is longer than %zu bytes: a lesson is two or three "
				     "sentences"), sizeof ps->out->body - 1);
	ps->paragraph = false;
	return 0;
}

int lesson_parse(const char *text, const char *label, struct lesson *out, char *err,
		 size_t errlen)
{
	struct parse ps = { .label = label, .out = out, .err = err, .errlen = errlen };
	int line = 0;

	out->title[0] = out->body[0] = out->error[0] = '\0';
	for (const char *p = text; *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len && p[len - 1] == '\r')
			len--;
		if (parse_line(&ps, p, len, ++line) < 0)
			return -1;
		p = eol ? eol + 1 : p + len;
	}
	if (!out->title[0])
		return datafile_parse_error(err, errlen, label, line ? line : 1,
				   "%s", _("no title: a lesson is a title line, then its text"));
	if (!ps.used)
		return datafile_parse_error(err, errlen, label, line, "%s", _("no text after the title"));
	return 0;
}

int lesson_load_file(const char *path, struct lesson *out, char *err, size_t errlen)
{
	char *text;
	int rc;

	if (datafile_read(path, LESSON_FILE_MAX, &text, err, errlen) < 0)
		return -1;
	rc = lesson_parse(text, path, out, err, errlen);
	free(text);
	return rc;
}

/* ---- the book ------------------------------------------------------------ */

/* Why lesson l cannot be shown (paths may be long: the message is cut). */
__attribute__((format(printf, 2, 3)))
static void set_error(struct lesson *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->error, sizeof l->error, fmt, ap);
	va_end(ap);
}

static void load_one(const struct lesson_book *book, struct lesson *l,
		     const char (*langs)[I18N_LANG_MAX], size_t nlangs)
{
	char path[sizeof book->dir + I18N_LANG_MAX + LESSON_NAME_MAX + 8], err[LESSON_ERROR_MAX];
	char file[LESSON_NAME_MAX + 8];

	snprintf(file, sizeof file, "%s.txt", l->name);
	i18n_file(book->dir, file, langs, nlangs, path, sizeof path, l->lang);
	if (access(path, F_OK) != 0) {
		set_error(l, _("no lesson file %s"), path);
		return;
	}
	if (lesson_load_file(path, l, err, sizeof err) < 0)
		set_error(l, "%s", err);
}

int lesson_book_open_in(struct lesson_book *book, const char *dir,
			const char (*langs)[I18N_LANG_MAX], size_t nlangs)
{
	size_t n = lesson_rule_lessons();
	int failed = 0;

	memset(book, 0, sizeof *book);
	book->lessons = calloc(n, sizeof *book->lessons);
	if (!book->lessons)
		return -ENOMEM;
	book->count = n;
	for (size_t i = 0; i < n; i++)
		snprintf(book->lessons[i].name, sizeof book->lessons[i].name, "%s", lesson_rule_lesson(i));
	if (dir)
		snprintf(book->dir, sizeof book->dir, "%s", dir);
	else if (datafile_find(LESSON_DIR, book->dir, sizeof book->dir, book->looked,
			       sizeof book->looked) < 0) {
		for (size_t i = 0; i < n; i++)
			set_error(&book->lessons[i], _("no lesson texts: looked in %s"),
				  book->looked);
		return (int)n;
	}
	for (size_t i = 0; i < n; i++) {
		load_one(book, &book->lessons[i], langs, nlangs);
		failed += book->lessons[i].error[0] != '\0';
	}
	return failed;
}

int lesson_book_open(struct lesson_book *book, const char *dir)
{
	char langs[I18N_LANGS_MAX][I18N_LANG_MAX];
	size_t n = i18n_user_languages(langs, I18N_LANGS_MAX);

	return lesson_book_open_in(book, dir, (const char (*)[I18N_LANG_MAX])langs, n);
}

void lesson_book_close(struct lesson_book *book)
{
	free(book->lessons);
	memset(book, 0, sizeof *book);
}

const struct lesson *lesson_book_find(const struct lesson_book *book, const char *name)
{
	for (size_t i = 0; i < book->count; i++)
		if (!strcmp(book->lessons[i].name, name))
			return &book->lessons[i];
	return NULL;
}
