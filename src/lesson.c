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
#include "text.h"

#define LESSON_FILE_MAX 16384
#define LOOK_BACK 512 /* how far from an event a condition may look for its cause */

struct facts {
	const struct track_event *ev;
	const struct lesson_context *ctx;
	const struct lab_member *m;  /* the lab process the event is about, or NULL */
	char target[LAB_NAME_MAX];   /* the process the text names after the rule's marker */
	const struct lab_member *t;  /* that process, or NULL */
	bool has_code;
	int code;                    /* Python's exitcode, when has_code */
};

/* ---- what the lab knows ------------------------------------------------- */

/* The newest member with this PID, gone ones included (events outlive them). */
static const struct lab_member *member_by_pid(const struct lab *lab, pid_t pid)
{
	for (size_t i = lab && pid > 0 ? lab->count : 0; i-- > 0;)
		if (lab->members[i].pid == pid)
			return &lab->members[i];
	return NULL;
}

static const struct lab_member *member_by_name(const struct lab *lab, const char *name)
{
	for (size_t i = lab && *name ? lab->count : 0; i-- > 0;)
		if (!strcmp(lab->members[i].name, name))
			return &lab->members[i];
	return NULL;
}

static bool ignores_sigterm(const struct lab *lab, const struct lab_member *m)
{
	int g = m && m->group[0] ? scenario_group_index(&lab->sc, m->group) : -1;

	return g >= 0 && lab->sc.groups[g].ignore_sigterm;
}

/* A process a start method adds (the resource tracker, a fork server):
 * not one of Python's Process objects. Its flags come with its hello; its
 * name tells it before. */
static bool is_helper(const struct lab_member *m)
{
	static const char *const names[] = { "resource_tracker", "forkserver" };

	if (!m)
		return false;
	if (m->tracker || m->forkserver)
		return true;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		size_t n = strlen(m->name), k = strlen(names[i]);

		if (n >= k && !strcmp(m->name + n - k, names[i]) && (n == k || m->name[n - k - 1] == ':'))
			return true;
	}
	return false;
}

/* The Python children m started and forked itself (its kernel children:
 * they are orphaned when it dies); only_daemonic: those with daemon=True. */
static size_t children_of(const struct lab *lab, const struct lab_member *m, bool only_daemonic,
			  const struct lab_member **out, size_t cap)
{
	size_t n = 0;

	for (size_t i = (size_t)(m - lab->members) + 1; i < lab->count; i++) {
		const struct lab_member *c = &lab->members[i];

		if (c->creator == m->pid && c->forker == m->pid && !c->unix_daemon && !is_helper(c) &&
		    (!only_daemonic || c->daemon)) {
			if (n < cap)
				out[n] = c;
			n++;
		}
	}
	return n;
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == ':';
}

/* The process name that follows marker in the event's text ("" marker: at
 * its start). */
static void find_target(struct facts *f, const char *marker)
{
	const char *p = marker ? strstr(f->ev->text, marker) : NULL;
	size_t n = 0;

	f->target[0] = '\0';
	f->t = NULL;
	if (!p)
		return;
	p += strlen(marker);
	while (name_char(p[n]) && n + 1 < sizeof f->target)
		n++;
	memcpy(f->target, p, n);
	f->target[n] = '\0';
	f->t = member_by_name(f->ctx->lab, f->target);
}

/* Whether an event near this one (of this kind, from pid) holds text (at
 * its end when at_end). Near, not only before: the log orders what the
 * kernel showed (a zombie) and what the lab process said (its last log
 * lines) by when forktop learned them, which can be the other way round. */
static bool nearby(const struct facts *f, enum track_kind kind, pid_t pid, const char *text,
		   bool at_end)
{
	unsigned long long seq = f->ev->seq, last, q;
	size_t tlen = strlen(text);

	if (!f->ctx->track)
		return false;
	last = track_last_seq(f->ctx->track);
	q = seq > LOOK_BACK ? seq - LOOK_BACK : 1;
	for (; q <= last && q <= seq + LOOK_BACK; q++) {
		const struct track_event *e = track_event(f->ctx->track, q);
		size_t len;

		if (!e || e->kind != kind || e->pid != pid)
			continue;
		len = strlen(e->text);
		if (at_end ? len >= tlen && !strcmp(e->text + len - tlen, text) : !!strstr(e->text, text))
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

/* -15 from the exit routine of its creator: "calling terminate() for daemon
 * X" (proof enough that X is daemonic, also when X was terminated before it
 * could say so itself). */
static bool terminated_by_exit_routine(const struct facts *f)
{
	char text[LAB_NAME_MAX + 48];

	if (!f->has_code || f->code != -SIGTERM || !f->m)
		return false;
	snprintf(text, sizeof text, "] calling terminate() for daemon %s", f->m->name);
	return nearby(f, TRACK_LAB_LOG, f->m->creator, text, true);
}

static bool interrupted(const struct facts *f)
{
	return f->has_code && f->code == -SIGINT;
}

static bool killed(const struct facts *f)
{
	return f->has_code && f->code < 0;
}

static bool killed_with_children(const struct facts *f)
{
	return killed(f) && f->m && children_of(f->ctx->lab, f->m, false, NULL, 0) > 0;
}

static bool failed_after_refusal(const struct facts *f)
{
	return f->has_code && f->code == 1 && f->m &&
	       nearby(f, TRACK_LAB_ERROR, f->m->pid, "not allowed to have children", false);
}

static bool failed_after_interrupt(const struct facts *f)
{
	return f->has_code && f->code == 1 && f->m &&
	       nearby(f, TRACK_LAB_ERROR, f->m->pid, "KeyboardInterrupt", false);
}

/* A lab process's exit code read from its zombie: it still waits for its parent. */
static bool lab_zombie(const struct facts *f)
{
	return f->has_code && f->m && strstr(f->ev->text, "(read from its zombie)");
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
	return !strstr(f->ev->text, " through ");
}

static bool started_daemonic_by_fork(const struct facts *f)
{
	return started_by_fork(f) && f->t && f->t->daemon;
}

/* "started MainProcess ...: scenario NAME, start method METHOD" */
static bool started_main_with(const struct facts *f, const char *method)
{
	char tail[48];
	size_t n = strlen(f->ev->text), len;

	len = (size_t)snprintf(tail, sizeof tail, ", start method %s", method);
	return n >= len && !strcmp(f->ev->text + n - len, tail);
}

static bool fork_method(const struct facts *f)
{
	return started_main_with(f, "fork");
}

static bool started_main_with_spawn(const struct facts *f)
{
	return started_main_with(f, "spawn");
}

static bool started_main_with_forkserver(const struct facts *f)
{
	return started_main_with(f, "forkserver");
}

/* The lab runs under spawn (a "started" event does not say it). */
static bool spawn_method(const struct facts *f)
{
	return f->ctx->lab && f->ctx->lab->sc.start_method == SCENARIO_SPAWN;
}

/* "... started resource_tracker (pid N)", or a nested creator's tracker. */
static bool starts_tracker(const struct facts *f)
{
	return strstr(f->ev->text, "resource_tracker (pid ") != NULL;
}

static bool starts_server(const struct facts *f)
{
	return strstr(f->ev->text, "forkserver (pid ") && !strstr(f->ev->text, " through ");
}

static bool helper_to_pid1(const struct facts *f)
{
	return is_helper(f->m) && to_pid1(f);
}

static bool target_ignores_sigterm(const struct facts *f)
{
	return f->t && ignores_sigterm(f->ctx->lab, f->t);
}

/* ---- the rules ----------------------------------------------------------- */

struct rule {
	enum track_kind kind;
	const char *has;    /* the event's text holds this; NULL: any text */
	const char *target; /* {target}: the name after this in the text ("": at its
			       start); NULL: none */
	bool (*when)(const struct facts *f); /* NULL: always */
	const char *lesson;
	bool helpers;       /* it may explain an event about a start method's helper
			       processes (resource tracker, fork server) */
};

#define EXITED " exitcode " /* the text of an exit code event (with a wait status) */
/* A row about Python's Process objects; HELPER_RULE: one that may also
 * explain an event about a resource tracker or a fork server. */
#define RULE(kind, has, target, when, lesson) { kind, has, target, when, lesson, false }
#define HELPER_RULE(kind, has, target, when, lesson) { kind, has, target, when, lesson, true }

static const struct rule rules[] = {
	/* what the kernel did */
	RULE(TRACK_REPARENT, NULL, NULL, is_unix_daemon, "unix-daemon"),
	HELPER_RULE(TRACK_REPARENT, NULL, NULL, helper_to_pid1, "helper-orphaned"),
	RULE(TRACK_REPARENT, NULL, NULL, to_pid1, "orphan-pid1"),
	HELPER_RULE(TRACK_REPARENT, NULL, NULL, to_monitor, "orphan-subreaper"),
	HELPER_RULE(TRACK_REPARENT, NULL, NULL, to_another_ancestor, "orphan-ancestor"),
	RULE(TRACK_ZOMBIE, NULL, NULL, under_adopter, "zombie-adopted"),
	RULE(TRACK_ZOMBIE, NULL, NULL, NULL, "zombie"),
	/* exit codes: the cause first, then who collected the code */
	RULE(TRACK_LAB, EXITED, NULL, terminated_by_exit_routine, "daemon-terminated"),
	RULE(TRACK_LAB, EXITED, NULL, interrupted, "sigint"),
	RULE(TRACK_LAB, EXITED, NULL, killed_with_children, "killed-no-exit-routine"),
	RULE(TRACK_LAB, EXITED, NULL, killed, "killed"),
	RULE(TRACK_LAB, EXITED, NULL, failed_after_refusal, "daemonic-children-refused"),
	RULE(TRACK_LAB, EXITED, NULL, failed_after_interrupt, "sigint-child"),
	RULE(TRACK_LAB, EXITED, NULL, main_exited, "main-exited"),
	RULE(TRACK_LAB, EXITED, NULL, lab_zombie_adopted, "zombie-adopted"),
	RULE(TRACK_LAB, EXITED, NULL, lab_zombie, "zombie"),
	RULE(TRACK_LAB, "(reaped by its creator ", NULL, has_code, "reaped-by-creator"),
	RULE(TRACK_LAB, "(reaped by its fork server ", NULL, has_code, "reaped-by-server"),
	HELPER_RULE(TRACK_LAB, "(reaped by forktop, its subreaper)", NULL, has_code,
		    "reaped-by-subreaper"),
	HELPER_RULE(TRACK_LAB, "(from its pidfd", NULL, has_code, "reaped-by-adopter"),
	HELPER_RULE(TRACK_LAB, EXITED, NULL, has_code, "exit-code"),
	HELPER_RULE(TRACK_LAB, "this kernel does not show its exit code", NULL, NULL,
		    "exit-unknown"),
	/* join() and is_alive() */
	RULE(TRACK_LAB, " blocked in join(", "join(", stubborn_join, "stubborn-daemon"),
	RULE(TRACK_LAB, " blocked in join(", "join(", in_exit_routine, "exit-routine-join"),
	RULE(TRACK_LAB, " blocked in join(", "join(", NULL, "join"),
	RULE(TRACK_LAB, "returned after the timeout", "join(", NULL, "join-timeout"),
	RULE(TRACK_LAB, ") returned, exitcode ", "join(", NULL, "join-returned"),
	RULE(TRACK_LAB, ".is_alive() -> ", ": ", NULL, "is-alive"),
	/* the lab's life */
	RULE(TRACK_LAB, "started MainProcess (pid ", NULL, fork_method, "main-started"),
	RULE(TRACK_LAB, "started MainProcess (pid ", NULL, started_main_with_spawn,
	     "main-started-spawn"),
	RULE(TRACK_LAB, "started MainProcess (pid ", NULL, started_main_with_forkserver,
	     "main-started-forkserver"),
	HELPER_RULE(TRACK_LAB, " started ", " started ", starts_tracker, "tracker-started"),
	HELPER_RULE(TRACK_LAB, " started ", " started ", starts_server, "forkserver-started"),
	RULE(TRACK_LAB, " through ", " started ", NULL, "started-through-server"),
	RULE(TRACK_LAB, " started ", " started ", spawn_method, "started-spawn"),
	RULE(TRACK_LAB, " is a Unix daemon (pid ", NULL, NULL, "unix-daemon"),
	RULE(TRACK_LAB, " started ", " started ", started_daemonic_by_fork, "started-daemonic"),
	RULE(TRACK_LAB, " started ", " started ", started_by_fork, "started"),
	RULE(TRACK_LAB, "asked MainProcess to exit normally", NULL, NULL, "exit-routine"),
	RULE(TRACK_LAB_LOG, "] process shutting down", NULL, NULL, "exit-routine"),
	RULE(TRACK_LAB, "forktop sent SIGTERM to ", "SIGTERM to ", target_ignores_sigterm,
	     "sigterm-ignored"),
	RULE(TRACK_LAB, "subreaper: new orphans", NULL, NULL, "subreaper"),
	HELPER_RULE(TRACK_LAB, "resource_tracker: its pipe closed", NULL, NULL, "tracker-exits"),
	RULE(TRACK_LAB, "ended without telling how", NULL, NULL, "server-gone"),
	/* what Python raises, or forktop refuses */
	RULE(TRACK_LAB_ERROR, "daemonic processes are not allowed to have children", NULL, NULL,
	     "daemonic-children-refused"),
	RULE(TRACK_LAB_ERROR, "can only join a child process", NULL, NULL, "only-creator-joins"),
	RULE(TRACK_LAB_ERROR, "can only test a child process", NULL, NULL, "only-creator-joins"),
	RULE(TRACK_LAB_ERROR, "KeyboardInterrupt", NULL, NULL, "sigint-child"),
	RULE(TRACK_LAB_ERROR, "resource_tracker: process died unexpectedly", NULL, NULL,
	     "tracker-relaunched"),
	RULE(TRACK_LAB_ERROR, " has ended: nobody can ", "", NULL, "creator-gone"),
};
#define NRULES (sizeof rules / sizeof rules[0])

static void learn_facts(struct facts *f, const struct track_event *ev,
			const struct lesson_context *ctx)
{
	memset(f, 0, sizeof *f);
	f->ev = ev;
	f->ctx = ctx;
	f->m = member_by_pid(ctx->lab, ev->pid);
	f->has_code = track_exitcode(ev->exit_status, &f->code);
}

static const struct rule *pick(struct facts *f)
{
	for (size_t i = 0; i < NRULES; i++) {
		const struct rule *r = &rules[i];

		if (r->kind != f->ev->kind || (r->has && !strstr(f->ev->text, r->has)))
			continue;
		if (!r->helpers && is_helper(f->m))
			continue;
		find_target(f, r->target);
		if (!r->helpers && is_helper(f->t))
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
	PH_DAEMONS, PH_COUNT,
};

static const char *const placeholder_names[PH_COUNT] = {
	"pid", "name", "ppid", "old_ppid", "code", "signal", "creator", "creator_pid",
	"forker", "forker_pid", "target", "target_pid", "monitor", "scenario", "children", "daemons",
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

static void put_name(const struct facts *f, const char *raw, char *buf, size_t cap)
{
	text_escape(buf, cap, raw, strlen(raw), f->ctx->text_flags);
}

/* "A", "A and B", "A, B and C", or "none". */
static void put_list(const struct facts *f, bool only_daemonic, char *buf, size_t cap)
{
	const struct lab_member *c[32];
	size_t n = f->m ? children_of(f->ctx->lab, f->m, only_daemonic, c, 32) : 0, used = 0;

	snprintf(buf, cap, "none");
	for (size_t i = 0; i < n && i < 32 && used < cap; i++) {
		char name[4 * LAB_NAME_MAX];
		const char *sep = i == 0 ? "" : i + 1 == n ? " and " : ", ";
		int w;

		put_name(f, c[i]->name, name, sizeof name);
		w = snprintf(buf + used, cap - used, "%s%s", sep, name);
		used += w > 0 ? (size_t)w : 0;
	}
}

static void put_pid(pid_t pid, bool known, char *buf, size_t cap)
{
	if (known)
		snprintf(buf, cap, "%d", (int)pid);
	else
		snprintf(buf, cap, "?");
}

static void put_value(const struct facts *f, enum placeholder p, char *buf, size_t cap)
{
	const struct track_event *ev = f->ev;
	const struct lab_member *m = f->m;
	bool kernel = ev->kind == TRACK_REPARENT || ev->kind == TRACK_ZOMBIE ||
		      ev->kind == TRACK_NEW || ev->kind == TRACK_GONE;

	switch (p) {
	case PH_PID: put_pid(ev->pid, true, buf, cap); return;
	case PH_NAME: put_name(f, m ? m->name : ev->name, buf, cap); return;
	case PH_PPID: put_pid(kernel ? ev->new_ppid : m ? m->ppid : 0, kernel || m, buf, cap); return;
	case PH_OLD_PPID: put_pid(ev->old_ppid, true, buf, cap); return;
	case PH_CODE:
		if (f->has_code)
			snprintf(buf, cap, "%d", f->code);
		else
			snprintf(buf, cap, "unknown");
		return;
	case PH_SIGNAL:
		if (ev->exit_status != SCAN_NO_STATUS && WIFSIGNALED(ev->exit_status))
			snprintf(buf, cap, "SIG%s", sigabbrev_np(WTERMSIG(ev->exit_status)));
		else
			snprintf(buf, cap, "no signal");
		return;
	case PH_CREATOR: put_name(f, m ? m->creator_name : "its parent", buf, cap); return;
	case PH_CREATOR_PID: put_pid(m ? m->creator : 0, m, buf, cap); return;
	case PH_FORKER: put_name(f, m ? m->forker_name : "its parent", buf, cap); return;
	case PH_FORKER_PID: put_pid(m ? m->forker : 0, m, buf, cap); return;
	case PH_TARGET: put_name(f, f->target[0] ? f->target : "?", buf, cap); return;
	case PH_TARGET_PID: put_pid(f->t ? f->t->pid : 0, f->t, buf, cap); return;
	case PH_MONITOR: put_pid(f->ctx->monitor_pid, true, buf, cap); return;
	case PH_SCENARIO: put_name(f, f->ctx->lab ? f->ctx->lab->sc.name : "?", buf, cap); return;
	case PH_CHILDREN: put_list(f, false, buf, cap); return;
	case PH_DAEMONS: put_list(f, true, buf, cap); return;
	default: snprintf(buf, cap, "?"); return;
	}
}

/* Copies body into out with every {placeholder} replaced. */
static void fill(const struct facts *f, const char *body, char *out, size_t cap)
{
	size_t used = 0;

	for (const char *p = body; *p && used + 1 < cap;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		int idx = close ? placeholder_index(p + 1, (size_t)(close - p - 1)) : -1;
		char value[512];
		size_t n;

		if (idx < 0) {
			out[used++] = *p++;
			continue;
		}
		put_value(f, (enum placeholder)idx, value, sizeof value);
		n = strlen(value);
		if (n > cap - 1 - used)
			n = cap - 1 - used;
		memcpy(out + used, value, n);
		used += n;
		p = close + 1;
	}
	out[used] = '\0';
}

bool lesson_explain(const struct lesson_book *book, const struct track_event *ev,
		    const struct lesson_context *ctx, struct lesson_text *out)
{
	struct facts f;
	const struct rule *r;
	const struct lesson *l;

	learn_facts(&f, ev, ctx);
	if (!(r = pick(&f)))
		return false;
	memset(out, 0, sizeof *out);
	out->name = r->lesson;
	l = lesson_book_find(book, r->lesson);
	if (!l || l->error[0]) {
		out->error = true;
		snprintf(out->title, sizeof out->title, "%s", r->lesson);
		snprintf(out->body, sizeof out->body, "%s", l ? l->error : "no such lesson was read");
		return true;
	}
	snprintf(out->title, sizeof out->title, "%s", l->title);
	fill(&f, l->body, out->body, sizeof out->body);
	return true;
}

/* ---- lesson files -------------------------------------------------------- */

__attribute__((format(printf, 5, 6)))
static int parse_error(char *err, size_t errlen, const char *label, int line, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%d: %s", label, line, what);
	return -1;
}

/* Every '{' opens a known placeholder closed on the same line. */
static int check_placeholders(const char *s, size_t len, const char *label, int line, char *err,
			      size_t errlen)
{
	for (size_t i = 0; i < len; i++) {
		const char *close;

		if (s[i] == '}')
			return parse_error(err, errlen, label, line, "a '}' without its '{'");
		if (s[i] != '{')
			continue;
		close = memchr(s + i, '}', len - i);
		if (!close)
			return parse_error(err, errlen, label, line, "a '{' without its '}'");
		if (!lesson_placeholder_known(s + i + 1, (size_t)(close - s - i - 1))) {
			char known[256] = "";

			for (int p = 0; p < PH_COUNT; p++)
				snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
					 p ? ", " : "", placeholder_names[p]);
			return parse_error(err, errlen, label, line,
					   "unknown placeholder {%.*s} (known: %s)",
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
		return parse_error(ps->err, ps->errlen, ps->label, line, "%s: not lesson text", bad);
	if (len && *s == '#')
		return 0;
	if (!len) {
		ps->paragraph = ps->used > 0;
		return 0;
	}
	if (!ps->out->title[0]) {
		if (len >= sizeof ps->out->title)
			return parse_error(ps->err, ps->errlen, ps->label, line,
					   "the title is longer than %zu bytes", sizeof ps->out->title - 1);
		if (memchr(s, '{', len) || memchr(s, '}', len))
			return parse_error(ps->err, ps->errlen, ps->label, line,
					   "the title is plain text: placeholders go in the text below it");
		memcpy(ps->out->title, s, len);
		return 0;
	}
	if (check_placeholders(s, len, ps->label, line, ps->err, ps->errlen) < 0)
		return -1;
	if (!append(ps->out, &ps->used, s, len, ps->paragraph))
		return parse_error(ps->err, ps->errlen, ps->label, line,
				   "the text is longer than %zu bytes: a lesson is two or three "
				   "sentences", sizeof ps->out->body - 1);
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
		return parse_error(err, errlen, label, line ? line : 1,
				   "no title: a lesson is a title line, then its text");
	if (!ps.used)
		return parse_error(err, errlen, label, line, "no text after the title");
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

static void load_one(const struct lesson_book *book, struct lesson *l)
{
	char path[sizeof book->dir + LESSON_NAME_MAX + 8], err[LESSON_ERROR_MAX];

	snprintf(path, sizeof path, "%s/%s.txt", book->dir, l->name);
	if (access(path, F_OK) != 0) {
		set_error(l, "no lesson file %s", path);
		return;
	}
	if (lesson_load_file(path, l, err, sizeof err) < 0)
		set_error(l, "%s", err);
}

int lesson_book_open(struct lesson_book *book, const char *dir)
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
			set_error(&book->lessons[i], "no lesson texts: looked in %s", book->looked);
		return (int)n;
	}
	for (size_t i = 0; i < n; i++) {
		load_one(book, &book->lessons[i]);
		failed += book->lessons[i].error[0] != '\0';
	}
	return failed;
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
