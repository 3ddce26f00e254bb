/* event: one table of kinds (identifier, class, who may report it, the
 * sentence as a template, the fields it carries), and the renderer that
 * fills a template from an event's fields. Templates name their fields
 * ({name}, {target}, {code}), so a translation may put them in its own
 * order. */
#include "event.h"

#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "i18n.h"
#include "scan.h"
#include "scenario.h"
#include "text.h"

/* Fields beyond the ones every event carries (pid, name, old_ppid, new_ppid, exit). */
enum {
	F_TARGET = 1 << 0, /* target_pid, target */
	F_BY = 1 << 1,     /* by_pid, by */
	F_SOURCE = 1 << 2, /* source */
	F_SIGNAL = 1 << 3, /* signal */
	F_ERROR = 1 << 4,  /* errno, error */
	F_CUT = 1 << 5,    /* cut_bytes */
	F_THREAD = 1 << 6, /* tid, thread: a thread of the process, in the target fields */
};

enum value_type { V_NONE, V_INT, V_BOOL, V_METHOD, V_REFUSAL };

struct kind_info {
	const char *name;
	enum event_class cls;
	bool from_lab;       /* a lab process may report it about itself */
	const char *sentence; /* N_(): translated where it is shown, unless as_python */
	unsigned fields;
	const char *value_key; /* the JSON name of value, when the kind has one */
	enum value_type value_type;
	const char *text_key;  /* the JSON name of text, when the kind has one */
	bool as_python;        /* Python's own words (a log line, an exception): shown in English */
};

#define KERNEL(kind, name, cls, s) [kind] = { name, cls, false, s, 0, NULL, V_NONE, NULL, false }
#define FACT(kind, name, s, f) \
	[kind] = { name, EVENT_CLASS_LAB, false, s, f, NULL, V_NONE, NULL, false }
#define LOG(kind, name, s, f) \
	[kind] = { name, EVENT_CLASS_LOG, true, s, f, NULL, V_NONE, NULL, true }
#define THREAD(kind, name, s) \
	[kind] = { name, EVENT_CLASS_LAB, true, s, F_THREAD, "daemon", V_BOOL, NULL, false }
#define RAISED(kind, name, s) \
	[kind] = { name, EVENT_CLASS_ERROR, true, s, 0, NULL, V_NONE, NULL, true }

static const struct kind_info kinds[EV_KIND_COUNT] = {
	KERNEL(EV_NEW, "new", EVENT_CLASS_NEW, N_("new {pid} {name} under {new_ppid}")),
	KERNEL(EV_GONE, "gone", EVENT_CLASS_GONE, N_("gone {pid} {name}")),
	KERNEL(EV_REPARENT, "reparent", EVENT_CLASS_REPARENT,
	       N_("re-parented {pid} {name}: {old_ppid} -> {new_ppid}")),
	KERNEL(EV_ZOMBIE, "zombie", EVENT_CLASS_ZOMBIE,
	       N_("zombie {pid} {name} under {new_ppid}")),
	[EV_LAB_STARTED] = { "lab_started", EVENT_CLASS_LAB, false,
			     N_("started {name} (pid {pid}): scenario {text}, start method "
				"{method}"), 0, "method", V_METHOD, "scenario", false },
	FACT(EV_PROGRAM_STARTED, "program_started", N_("started {name} (pid {pid})"), 0),
	FACT(EV_ATTACHED, "attached", N_("watching PID {pid} and its descendants (they already "
	     "run: forktop's Python hook, loaded as Python starts, is not in them, so Python's "
	     "names and daemon flags stay unknown)"), 0),
	FACT(EV_STARTED, "started", N_("{name} started {target} (pid {target_pid})"),
	     F_TARGET | F_BY),
	[EV_UNIX_DAEMON] = { "unix_daemon", EVENT_CLASS_LAB, false,
			     N_("{name} is a Unix daemon (pid {pid}): its own session, no "
				"terminal"), 0, NULL, V_NONE, NULL, false },
	FACT(EV_JOIN_BEGAN, "join_began", N_("{name} blocked in join({target})"), F_TARGET),
	FACT(EV_JOIN_RETURNED, "join_returned",
	     N_("{name}: join({target}) returned, exitcode {code}"), F_TARGET),
	[EV_JOIN_TIMED_OUT] = { "join_timed_out", EVENT_CLASS_LAB, false,
				N_("{name}: join({target}, timeout) returned after the timeout: "
				   "{target} still runs, unreaped"), F_TARGET, "timeout_ms", V_INT,
				NULL, false },
	[EV_IS_ALIVE] = { "is_alive", EVENT_CLASS_LAB, false,
			  /* TRANSLATORS: {alive} is Python's True or False, kept in English */
			  N_("{name}: {target}.is_alive() -> {alive}"), F_TARGET, "alive", V_BOOL,
			  NULL, false },
	FACT(EV_SIGNAL_SENT, "signal_sent",
	     /* TRANSLATORS: {signal} is a signal's name, such as SIGTERM */
	     N_("forktop sent {signal} to {target} (pid {target_pid})"), F_TARGET | F_SIGNAL),
	FACT(EV_EXIT_ASKED, "exit_asked", N_("forktop asked {name} to exit normally"), 0),
	FACT(EV_EXITED, "exited", N_("{name} (pid {pid}) exitcode {code}"), F_BY | F_SOURCE),
	FACT(EV_EXIT_UNKNOWN, "exit_unknown", N_("{name} (pid {pid}): exit code unknown: reaped by "
	     "{by_pid} before forktop saw it; pidfd exit information (Linux 6.15) or the kernel's "
	     "process events would show it"), F_BY),
	FACT(EV_ENDED, "ended", N_("{name} (pid {pid}) ended"), 0),
	FACT(EV_SUBREAPER_ON, "subreaper_on",
	     N_("forktop is now a child subreaper: new orphans come to it"), 0),
	FACT(EV_SUBREAPER_OFF, "subreaper_off",
	     N_("forktop is no longer a subreaper: new orphans go to PID 1"), 0),
	[EV_LAB_RESTARTED] = { "lab_restarted", EVENT_CLASS_LAB, false,
			       N_("the lab was restarted: scenario {text}"), 0, NULL, V_NONE,
			       "scenario", false },
	[EV_TRACKER_EXITS] = { "tracker_exits", EVENT_CLASS_LAB, true,
			       N_("resource_tracker: its pipe closed (every process that held it "
				  "has ended), so it exits"), 0, NULL, V_NONE, NULL, false },
	[EV_SERVER_GONE] = { "server_gone", EVENT_CLASS_LAB, true,
			     N_("its fork server ended without telling how {target} ended: Python "
				"takes exitcode 255"), F_TARGET, NULL, V_NONE, NULL, false },
	/* LOG, RAISED and the other as_python kinds are CPython's own log lines and
	 * exceptions, which Python prints in English whatever the locale: not translated */
	LOG(EV_EXIT_ROUTINE, "exit_routine", "process shutting down", 0),
	LOG(EV_EXIT_ROUTINE_TERMINATES, "exit_routine_terminates",
	    "calling terminate() for daemon {target}", F_TARGET),
	LOG(EV_EXIT_ROUTINE_JOINS, "exit_routine_joins", "calling join() for process {target}",
	    F_TARGET),
	[EV_EXITING] = { "exiting", EVENT_CLASS_LOG, true, "process exiting with exitcode {value}",
			 0, "code", V_INT, NULL, true },
	LOG(EV_RUN, "run", "child process calling self.run()", 0),
	/* a log line of the lab's Unix daemon, in forktop's own words (CPython
	 * has no such line): translated */
	[EV_DAEMONIZING] = { "daemonizing", EVENT_CLASS_LOG, true,
			     N_("starting a Unix daemon: fork, setsid, fork"), 0, NULL, V_NONE, NULL,
			     false },
	[EV_SIGNALLED] = { "signalled", EVENT_CLASS_LAB, true,
			   N_("{name} sent {signal} to {target} (pid {target_pid})"),
			   F_TARGET | F_SIGNAL, NULL, V_NONE, NULL, false },
	THREAD(EV_THREAD_STARTED, "thread_started",
	       /* TRANSLATORS: {daemon} is "daemon" or "non-daemon", translated on their own */
	       N_("{name}: {thread} started, {daemon}, tid {tid}")),
	THREAD(EV_THREAD_AWAITED, "thread_awaited",
	       N_("{name} waits for its non-daemon thread {thread}, tid {tid}")),
	THREAD(EV_THREAD_ENDED, "thread_ended", N_("{name}: {thread} finished, tid {tid}")),
	THREAD(EV_THREAD_CUT_OFF, "thread_cut_off",
	       N_("{name}: daemon thread {thread} cut off at exit, tid {tid}")),
	RAISED(EV_DAEMONIC_CHILDREN_REFUSED, "daemonic_children_refused",
	       "AssertionError: daemonic processes are not allowed to have children"),
	RAISED(EV_JOIN_REFUSED, "join_refused", "AssertionError: can only join a child process"),
	RAISED(EV_IS_ALIVE_REFUSED, "is_alive_refused",
	       "AssertionError: can only test a child process"),
	RAISED(EV_INTERRUPTED, "keyboard_interrupt", "KeyboardInterrupt"),
	RAISED(EV_TRACKER_RELAUNCHED, "tracker_relaunched",
	       "UserWarning: resource_tracker: process died unexpectedly, relaunching.  Some "
	       "resources might leak."),
	[EV_CHILDREN_LIMIT] = { "children_limit", EVENT_CLASS_ERROR, true,
				N_("cannot start more than {value} children"), 0, "limit", V_INT,
				NULL, false },
	[EV_NAME_TOO_LONG] = { "name_too_long", EVENT_CLASS_ERROR, true,
			       N_("cannot start a child: its name would be longer than {value} "
				  "characters"), 0, "limit", V_INT, NULL, false },
	[EV_OS_ERROR] = { "os_error", EVENT_CLASS_ERROR, true, "OSError: {text}: {strerror}",
			  F_ERROR, NULL, V_NONE, "call", true },
	RAISED(EV_SERVER_EOF, "server_eof", "EOFError: the fork server ended before it answered"),
	[EV_SERVER_UNREACHABLE] = { "server_unreachable", EVENT_CLASS_ERROR, true,
				    "ConnectionError: the fork server: {strerror}", F_ERROR, NULL,
				    V_NONE, NULL, true },
	RAISED(EV_SPAWN_EOF, "spawn_eof", "EOFError: no preparation data on the spawn pipe"),
	[EV_BAD_HELLO] = { "bad_hello", EVENT_CLASS_ERROR, false,
			   N_("a bad hello on the channel of pid {pid}"), 0, NULL, V_NONE, NULL,
			   false },
	[EV_REFUSED] = { "refused", EVENT_CLASS_ERROR, false, "", F_TARGET | F_BY | F_ERROR,
			 "reason", V_REFUSAL, NULL, false }, /* the refusal's sentence */
	[EV_OUTPUT] = { "output", EVENT_CLASS_OUTPUT, false, "{text}", F_CUT, NULL, V_NONE, "line",
			false },
	[EV_POLLING] = { "polling", EVENT_CLASS_LAB, false,
			 /* TRANSLATORS: {text} says why, such as "this kernel has no process
			  * events connector" */
			 N_("no kernel process events ({text}): forktop reads /proc at each "
			    "refresh, and a process that lives between two refreshes goes unseen"),
			 0, NULL, V_NONE, "reason", false },
	[EV_EVENTS_DROPPED] = { "events_dropped", EVENT_CLASS_LAB, false,
				/* TRANSLATORS: --delay is an option's name: keep it */
				N_("{value} events left the log before this frame could write them "
				   "(the log is bounded: a shorter --delay keeps them)"), 0,
				"count", V_INT, NULL, false },
	FACT(EV_EVENTS_LOST, "events_lost",
	     N_("kernel process events were lost (too many at once): every process was read "
		"again"), 0),
	[EV_RUN_RETURNED] = { "run_returned", EVENT_CLASS_LAB, true,
			      N_("{name}: run() returned: exitcode {value}"), 0, "code", V_INT,
			      NULL, false },
	[EV_RUN_EXITED] = { "run_exited", EVENT_CLASS_LAB, true,
			    N_("{name}: run() called sys.exit({text}): exitcode {value}"), 0,
			    "code", V_INT, "argument", false },
	[EV_RUN_RAISED] = { "run_raised", EVENT_CLASS_LAB, true,
			    /* TRANSLATORS: {text} is a Python exception's name, such as
			     * ValueError */
			    N_("{name}: run() raised {text}: exitcode {value}"), 0, "code", V_INT,
			    "exception", false },
	[EV_UNCAUGHT] = { "uncaught", EVENT_CLASS_ERROR, true,
			  N_("{name}: an uncaught {text} ends the program (printed, then the exit "
			     "handlers ran)"), 0, NULL, V_NONE, "exception", false },
	[EV_NAMESPACE_MADE] = { "namespace_made", EVENT_CLASS_LAB, false,
				N_("{name} (pid {pid}) is PID 1 of a new PID namespace"), 0,
				"userns", V_BOOL, NULL, false },
	FACT(EV_INIT_DROPPED, "init_dropped",
	     N_("{signal} to {name} (pid {pid}), PID 1 of its namespace, ignored: no handler"),
	     F_SIGNAL),
	[EV_NAMESPACE_ENDED] = { "namespace_ended", EVENT_CLASS_LAB, false,
				 N_("namespace ended: {value} processes killed (SIGKILL from the "
				    "kernel when its PID 1, {name} (pid {pid}), ended)"), 0,
				 "killed", V_INT, NULL, false },
};

static const char *const class_names[] = {
	[EVENT_CLASS_NEW] = "new", [EVENT_CLASS_GONE] = "gone",
	[EVENT_CLASS_REPARENT] = "reparent", [EVENT_CLASS_ZOMBIE] = "zombie",
	[EVENT_CLASS_LOG] = "log", [EVENT_CLASS_LAB] = "lab", [EVENT_CLASS_ERROR] = "error",
	[EVENT_CLASS_OUTPUT] = "output",
};

struct source_info {
	const char *name;
	const char *how; /* the end of an EV_EXITED sentence: N_(), translated where it is shown */
};

/* Each source's text ends the sentence "{name} (pid {pid}) exitcode {code}": where
 * the code came from. */
static const struct source_info sources[EXIT_SOURCE_COUNT] = {
	[EXIT_SOURCE_UNKNOWN] = { "unknown", "" },
	/* TRANSLATORS: appended to "{name} (pid {pid}) exitcode {code}" */
	[EXIT_SOURCE_CREATOR] = { "creator", N_(" (reaped by its creator {by})") },
	/* TRANSLATORS: appended to "{name} (pid {pid}) exitcode {code}" */
	[EXIT_SOURCE_FORK_SERVER] = { "fork_server", N_(" (reaped by its fork server {by})") },
	/* TRANSLATORS: appended to "{name} (pid {pid}) exitcode {code}" */
	[EXIT_SOURCE_MONITOR] = { "monitor", N_(" (reaped by forktop)") },
	/* TRANSLATORS: appended to "{name} (pid {pid}) exitcode {code}" */
	[EXIT_SOURCE_SUBREAPER] = { "subreaper", N_(" (reaped by forktop, its subreaper)") },
	/* TRANSLATORS: appended to "{name} (pid {pid}) exitcode {code}" */
	[EXIT_SOURCE_ZOMBIE] = { "zombie", N_(" (read from its zombie)") },
	/* TRANSLATORS: appended to "{name} (pid {pid}) exitcode {code}" */
	[EXIT_SOURCE_PIDFD] = { "pidfd", N_(" (from its pidfd: reaped by another process)") },
	/* TRANSLATORS: appended to "{name} (pid {pid}) exitcode {code}" */
	[EXIT_SOURCE_KERNEL] = { "kernel", N_(" (from the kernel's exit event)") },
	/* TRANSLATORS: appended to "{name} (pid {pid}) exitcode {code}" */
	[EXIT_SOURCE_INIT] = { "init", N_(" (reaped by forktop's init, PID 1 of the namespace)") },
};

struct refusal_info {
	const char *name;
	const char *sentence; /* N_(): translated where it is shown */
};

static const struct refusal_info refusals[REFUSAL_COUNT] = {
	[REFUSAL_NO_SUCH_PROCESS] = { "no_such_process", N_("no lab process is named {target}") },
	[REFUSAL_NO_SUCH_GROUP] = { "no_such_group",
				    N_("no group or lab process is named {target}") },
	[REFUSAL_ENDED] = { "ended", N_("{target} (pid {target_pid}) has already ended") },
	[REFUSAL_ENDED_RECYCLED] = { "ended_recycled", N_("{target} (pid {target_pid}) has already "
				     "ended: its PID now belongs to another process, which was not "
				     "signalled") },
	[REFUSAL_NOT_STARTED] = { "not_started", N_("{target} has not started yet") },
	[REFUSAL_NO_STOP_ORPHANED] = { "no_stop_orphaned", N_("no SIGSTOP once MainProcess has "
				       "ended: the lab's process group is orphaned, and a stopped "
				       "process could not see forktop end (its lifeline)") },
	[REFUSAL_SIGNAL_FAILED] = { "signal_failed", N_("cannot signal {target}: {strerror}") },
	[REFUSAL_NOT_LISTENING] = { "not_listening",
				    N_("{target} (pid {target_pid}) no longer listens") },
	[REFUSAL_MAIN_NOT_JOINABLE] = { "main_not_joinable",
					N_("MainProcess has no creator in the lab to join it") },
	[REFUSAL_MAIN_NOT_TESTABLE] = { "main_not_testable",
					N_("MainProcess has no creator in the lab to test it") },
	[REFUSAL_CREATOR_GONE_JOIN] = { "creator_gone", N_("{target}'s creator {by} has ended: "
					"nobody can join {target}") },
	[REFUSAL_CREATOR_GONE_TEST] = { "creator_gone", N_("{target}'s creator {by} has ended: "
					"nobody can test {target}") },
	[REFUSAL_MAIN_IN_NO_GROUP] = { "main_in_no_group",
				       N_("MainProcess is in no group: name a group") },
	[REFUSAL_GROUP_CREATOR_GONE] = { "group_creator_gone", N_("the creator of group {target} "
					 "has ended: nobody can start another") },
	[REFUSAL_REPORT_STRANGER] = { "report_stranger", N_("pid {target_pid} is not of the "
				      "watched family: its reports are not believed") },
	[REFUSAL_REPORT_OTHER_USER] = { "report_other_user", N_("pid {target_pid} runs as another "
					"user: its reports are not believed") },
	[REFUSAL_REPORT_MALFORMED] = { "report_malformed", N_("a malformed report from pid "
				       "{target_pid} was dropped") },
};

static bool valid_kind(enum event_kind kind)
{
	return (unsigned)kind < EV_KIND_COUNT && kinds[kind].name;
}

struct track_event event_make(enum event_kind kind)
{
	return (struct track_event){ .kind = kind, .exit_status = SCAN_NO_STATUS };
}

void event_set_text(struct track_event *ev, const char *s, size_t len)
{
	if (len < sizeof ev->text && !memchr(s, '\0', len)) {
		memcpy(ev->text, s, len);
		ev->text[len] = '\0';
		ev->long_text = NULL;
		ev->long_len = 0;
	} else {
		ev->text[0] = '\0';
		ev->long_text = s;
		ev->long_len = len;
	}
}

const char *event_text(const struct track_event *ev, size_t *len)
{
	if (ev->long_text) {
		*len = ev->long_len;
		return ev->long_text;
	}
	*len = strnlen(ev->text, sizeof ev->text);
	return ev->text;
}

const char *event_kind_name(enum event_kind kind)
{
	return valid_kind(kind) ? kinds[kind].name : "?";
}

bool event_kind_by_name(const char *name, size_t len, enum event_kind *out)
{
	for (int k = 0; k < EV_KIND_COUNT; k++) {
		if (valid_kind((enum event_kind)k) && strlen(kinds[k].name) == len &&
		    !strncmp(kinds[k].name, name, len)) {
			*out = (enum event_kind)k;
			return true;
		}
	}
	return false;
}

enum event_class event_class_of(enum event_kind kind)
{
	return valid_kind(kind) ? kinds[kind].cls : EVENT_CLASS_LAB;
}

const char *event_class_name(enum event_class cls)
{
	return (unsigned)cls < sizeof class_names / sizeof class_names[0] ? class_names[cls] : "?";
}

bool event_kind_from_lab(enum event_kind kind)
{
	return valid_kind(kind) && kinds[kind].from_lab;
}

bool event_kind_names_thread(enum event_kind kind)
{
	return valid_kind(kind) && (kinds[kind].fields & F_THREAD);
}

const char *exit_source_name(enum exit_source source)
{
	return (unsigned)source < EXIT_SOURCE_COUNT ? sources[source].name : "unknown";
}

const char *event_refusal_name(enum event_refusal why)
{
	return (unsigned)why < REFUSAL_COUNT ? refusals[why].name : "?";
}

bool event_exitcode(int wait_status, int *exitcode)
{
	if (wait_status == SCAN_NO_STATUS)
		return false;
	if (WIFSIGNALED(wait_status))
		*exitcode = -WTERMSIG(wait_status);
	else
		*exitcode = WEXITSTATUS(wait_status);
	return true;
}

/* ---- the renderer -------------------------------------------------------- */

struct render {
	const struct track_event *ev;
	unsigned text_flags;
};

static void put_raw(const struct render *r, const char *raw, size_t len, char *buf, size_t cap)
{
	text_escape(buf, cap, raw, len, r->text_flags);
}

static void put_name(const struct render *r, const char *name, size_t max, char *buf, size_t cap)
{
	put_raw(r, name, strnlen(name, max), buf, cap);
}

static void put_text(const struct render *r, char *buf, size_t cap)
{
	size_t len;
	const char *text = event_text(r->ev, &len);

	put_raw(r, text, len, buf, cap);
}

/* The ellipsis of a mark, whole or not at all (a sentence cut short must
 * stay valid UTF-8). */
static void put_more(const struct render *r, char *buf, size_t cap)
{
	const char *more = r->text_flags & TEXT_UTF8 ? "\u2026" : "...";

	put_raw(r, more, strlen(more), buf, cap);
}

static const char *method_name(int method)
{
	return scenario_method_name((enum scenario_method)method);
}

static void put_signal(int sig, char *buf, size_t cap)
{
	const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		snprintf(buf, cap, "SIG%s", abbrev);
	else
		/* TRANSLATORS: a signal with no name, filling {signal} in a sentence */
		snprintf(buf, cap, _("signal %d"), sig);
}

/* {daemon}: a thread's flag, in words. */
static const char *daemon_word(bool daemon)
{
	if (daemon)
		/* TRANSLATORS: {daemon} in "{name}: {thread} started, {daemon}, tid {tid}" */
		return _("daemon");
	/* TRANSLATORS: {daemon} in "{name}: {thread} started, {daemon}, tid {tid}" */
	return _("non-daemon");
}

static bool put_field(const void *ctx, const char *key, size_t len, char *buf, size_t cap)
{
	const struct render *r = ctx;
	const struct track_event *ev = r->ev;
	int code;

#define IS(k) (len == sizeof(k) - 1 && !memcmp(key, k, len))
	if (IS("pid")) snprintf(buf, cap, "%d", (int)ev->pid);
	else if (IS("name")) put_name(r, ev->name, sizeof ev->name, buf, cap);
	else if (IS("old_ppid")) snprintf(buf, cap, "%d", (int)ev->old_ppid);
	else if (IS("new_ppid")) snprintf(buf, cap, "%d", (int)ev->new_ppid);
	else if (IS("target")) put_name(r, ev->target_name, sizeof ev->target_name, buf, cap);
	else if (IS("target_pid")) snprintf(buf, cap, "%d", (int)ev->target);
	else if (IS("thread")) put_name(r, ev->target_name, sizeof ev->target_name, buf, cap);
	else if (IS("tid")) snprintf(buf, cap, "%d", (int)ev->target);
	else if (IS("daemon")) snprintf(buf, cap, "%s", daemon_word(ev->value));
	else if (IS("by")) put_name(r, ev->by_name, sizeof ev->by_name, buf, cap);
	else if (IS("by_pid")) snprintf(buf, cap, "%d", (int)ev->by);
	else if (IS("code") && event_exitcode(ev->exit_status, &code)) snprintf(buf, cap, "%d", code);
	else if (IS("code")) snprintf(buf, cap, "-");
	else if (IS("signal")) put_signal(ev->signal, buf, cap);
	else if (IS("value")) snprintf(buf, cap, "%d", ev->value);
	else if (IS("alive")) snprintf(buf, cap, "%s", ev->value ? "True" : "False"); /* Python's */
	else if (IS("method")) snprintf(buf, cap, "%s", method_name(ev->value));
	else if (IS("strerror")) snprintf(buf, cap, "%s", strerror(ev->error));
	else if (IS("text")) put_text(r, buf, cap);
	else if (IS("cut")) snprintf(buf, cap, "%zu", ev->cut_bytes);
	else if (IS("more")) put_more(r, buf, cap);
	else return false;
#undef IS
	return true;
}

/* A table's text in the user's language ("" stays "": gettext would give
 * the catalog's header for it). */
static const char *shown(const char *text)
{
	return text[0] ? _(text) : text;
}

/* The template of ev's sentence: the kind's, or one its fields choose. */
static void sentence_template(const struct track_event *ev, char *buf, size_t cap)
{
	const struct kind_info *k = valid_kind(ev->kind) ? &kinds[ev->kind] : NULL;
	const char *base = !k ? "?" : k->as_python ? k->sentence : shown(k->sentence);
	const char *tail = "";

	switch (ev->kind) {
	case EV_GONE:
	case EV_ZOMBIE:
		/* TRANSLATORS: appended to "gone {pid} {name}" and to
		 * "zombie {pid} {name} under {new_ppid}" */
		tail = ev->exit_status != SCAN_NO_STATUS ? _(", exit code {code}") : "";
		break;
	case EV_STARTED:
		/* TRANSLATORS: appended to "{name} started {target} (pid {target_pid})":
		 * the process that forked it for {name} (a fork server) */
		tail = ev->by ? _(" through {by} (pid {by_pid})") : "";
		break;
	case EV_EXITED:
		tail = shown(sources[(unsigned)ev->source < EXIT_SOURCE_COUNT ? ev->source : 0].how);
		break;
	case EV_NAMESPACE_MADE:
		/* TRANSLATORS: appended to "{name} (pid {pid}) is PID 1 of a new PID namespace" */
		tail = ev->value ? _(", made through a user namespace") : "";
		break;
	case EV_REFUSED:
		/* TRANSLATORS: a refusal whose reason is unknown, after "forktop refused: " */
		base = (unsigned)ev->value < REFUSAL_COUNT ? shown(refusals[ev->value].sentence)
							   : _("refused");
		break;
	case EV_OUTPUT:
		/* TRANSLATORS: appended to a line a lab process printed, cut short;
		 * {more} is an ellipsis, {cut} a number of bytes */
		tail = ev->cut_bytes ? _(" [{more} {cut} bytes cut]") : "";
		break;
	default:
		break;
	}
	snprintf(buf, cap, "%s%s", base, tail);
}

static size_t fill(const struct track_event *ev, const char *tmpl, char *buf, size_t len,
		   unsigned text_flags)
{
	struct render r = { ev, text_flags };

	return text_fill(buf, len, tmpl, put_field, &r);
}

size_t event_sentence(const struct track_event *ev, char *buf, size_t len, unsigned text_flags)
{
	char tmpl[1024]; /* room for a translated template, longer than the English */
	size_t n = 0;

	if (event_class_of(ev->kind) == EVENT_CLASS_LOG) /* the line as multiprocessing writes it */
		n = fill(ev, "[INFO/{name}] ", buf, len, text_flags);
	sentence_template(ev, tmpl, sizeof tmpl);
	return n + fill(ev, tmpl, buf + n, len - n, text_flags);
}

/* Room for every sentence but its text: three names escaped (4 bytes a
 * byte at most), numbers, the template and the frame. */
#define SENTENCE_ROOM 2048

size_t event_room(const struct track_event *ev)
{
	size_t len;

	event_text(ev, &len);
	if (len > (SIZE_MAX - SENTENCE_ROOM) / 4)
		return SIZE_MAX;
	return SENTENCE_ROOM + 4 * len; /* an escape is 4 bytes a byte at most */
}

size_t event_describe(const struct track_event *ev, char *buf, size_t len, unsigned text_flags)
{
	char frame[160]; /* a translated frame is longer in bytes */
	size_t n;

	switch (event_class_of(ev->kind)) {
	case EVENT_CLASS_ERROR: /* pid 0: forktop's own answer, not a process's error */
		if (ev->pid)
			/* TRANSLATORS: put before the sentence of an error of process {pid} */
			snprintf(frame, sizeof frame, "%s", _("error in {pid} {name}: "));
		else
			/* TRANSLATORS: put before the sentence of an action forktop refused */
			snprintf(frame, sizeof frame, "%s", _("forktop refused: "));
		break;
	case EVENT_CLASS_OUTPUT: snprintf(frame, sizeof frame, "| "); break;
	default: frame[0] = '\0'; break;
	}
	n = fill(ev, frame, buf, len, text_flags);
	return n + event_sentence(ev, buf + n, len - n, text_flags);
}

/* ---- fields -------------------------------------------------------------- */

static struct event_field int_field(const char *key, long n)
{
	return (struct event_field){ .key = key, .type = EVENT_FIELD_INT, .number = n };
}

static struct event_field bytes_field(const char *key, const char *s, size_t len)
{
	return (struct event_field){ .key = key, .type = EVENT_FIELD_STRING, .string = s,
				     .length = len };
}

static struct event_field string_field(const char *key, const char *s)
{
	return bytes_field(key, s, strlen(s));
}

static struct event_field value_field(const struct kind_info *k, int value)
{
	switch (k->value_type) {
	case V_BOOL:
		return (struct event_field){ .key = k->value_key, .type = EVENT_FIELD_BOOL,
					     .number = value != 0 };
	case V_METHOD: return string_field(k->value_key, method_name(value));
	case V_REFUSAL: return string_field(k->value_key, event_refusal_name((enum event_refusal)value));
	default: return int_field(k->value_key, value);
	}
}

size_t event_fields(const struct track_event *ev, struct event_field *out)
{
	const struct kind_info *k = valid_kind(ev->kind) ? &kinds[ev->kind] : &kinds[EV_NEW];
	size_t n = 0;
	int code;

	out[n++] = int_field("pid", ev->pid);
	out[n++] = string_field("name", ev->name);
	out[n++] = int_field("old_ppid", ev->old_ppid);
	out[n++] = int_field("new_ppid", ev->new_ppid);
	out[n++] = event_exitcode(ev->exit_status, &code)
			   ? int_field("exit", code)
			   : (struct event_field){ .key = "exit", .type = EVENT_FIELD_NULL };
	if (k->fields & F_TARGET) {
		out[n++] = int_field("target_pid", ev->target);
		out[n++] = string_field("target", ev->target_name);
	}
	if (k->fields & F_THREAD) {
		out[n++] = int_field("tid", ev->target);
		out[n++] = string_field("thread", ev->target_name);
	}
	if ((k->fields & F_BY) && ev->by) {
		out[n++] = int_field("by_pid", ev->by);
		out[n++] = string_field("by", ev->by_name);
	}
	if (k->fields & F_SOURCE)
		out[n++] = string_field("source", exit_source_name(ev->source));
	if (k->fields & F_SIGNAL)
		out[n++] = int_field("signal", ev->signal);
	if ((k->fields & F_ERROR) && ev->error)
		out[n++] = int_field("errno", ev->error);
	if (k->value_key)
		out[n++] = value_field(k, ev->value);
	if (k->text_key) {
		size_t len;
		const char *text = event_text(ev, &len);

		out[n++] = bytes_field(k->text_key, text, len);
	}
	if (k->fields & F_CUT)
		out[n++] = int_field("cut_bytes", (long)ev->cut_bytes);
	return n;
}

/* ---- the way back: fields read from NDJSON ------------------------------- */

static int set_name(char *dst, size_t cap, const struct event_field *f)
{
	size_t n;

	if (f->type != EVENT_FIELD_STRING)
		return -1;
	n = strnlen(f->string, f->length < cap ? f->length : cap - 1);
	memcpy(dst, f->string, n);
	dst[n] = '\0';
	return 1;
}

static int set_int(int *dst, const struct event_field *f, long min, long max)
{
	if (f->type != EVENT_FIELD_INT || f->number < min || f->number > max)
		return -1;
	*dst = (int)f->number;
	return 1;
}

static int set_pid(pid_t *dst, const struct event_field *f)
{
	int v, rc = set_int(&v, f, 0, INT_MAX);

	if (rc > 0)
		*dst = (pid_t)v;
	return rc;
}

/* "exit": Python's exitcode back to a wait status (-N: killed by N). */
static int set_exit(struct track_event *ev, const struct event_field *f)
{
	int code;

	if (f->type == EVENT_FIELD_NULL) {
		ev->exit_status = SCAN_NO_STATUS;
		return 1;
	}
	if (set_int(&code, f, -64, 255) < 0)
		return -1;
	ev->exit_status = code < 0 ? -code : code << 8;
	return 1;
}

static int set_source(struct track_event *ev, const struct event_field *f)
{
	if (f->type != EVENT_FIELD_STRING)
		return -1;
	for (int i = 0; i < EXIT_SOURCE_COUNT; i++)
		if (strlen(sources[i].name) == f->length &&
		    !memcmp(sources[i].name, f->string, f->length)) {
			ev->source = (enum exit_source)i;
			return 1;
		}
	return -1;
}

static int set_value(struct track_event *ev, const struct kind_info *k, const struct event_field *f)
{
	char word[32];
	enum scenario_method method;

	switch (k->value_type) {
	case V_BOOL:
		if (f->type != EVENT_FIELD_BOOL)
			return -1;
		ev->value = f->number != 0;
		return 1;
	case V_METHOD:
		if (set_name(word, sizeof word, f) < 0 || !scenario_method_parse(word, &method))
			return -1;
		ev->value = (int)method;
		return 1;
	case V_REFUSAL:
		if (set_name(word, sizeof word, f) < 0)
			return -1;
		for (int i = 0; i < REFUSAL_COUNT; i++)
			if (!strcmp(refusals[i].name, word)) {
				ev->value = i;
				return 1;
			}
		return -1;
	default: return set_int(&ev->value, f, INT_MIN, INT_MAX);
	}
}

static bool is_key(const struct event_field *f, const char *key)
{
	return key && !strcmp(f->key, key);
}

/* The fields every kind has, then those of the kind's flags. */
static int set_common(struct track_event *ev, const struct kind_info *k, const struct event_field *f)
{
	if (is_key(f, "pid")) return set_pid(&ev->pid, f);
	if (is_key(f, "name")) return set_name(ev->name, sizeof ev->name, f);
	if (is_key(f, "old_ppid")) return set_pid(&ev->old_ppid, f);
	if (is_key(f, "new_ppid")) return set_pid(&ev->new_ppid, f);
	if (is_key(f, "exit")) return set_exit(ev, f);
	if ((k->fields & F_TARGET) && is_key(f, "target_pid")) return set_pid(&ev->target, f);
	if ((k->fields & F_TARGET) && is_key(f, "target"))
		return set_name(ev->target_name, sizeof ev->target_name, f);
	if ((k->fields & F_THREAD) && is_key(f, "tid")) return set_pid(&ev->target, f);
	if ((k->fields & F_THREAD) && is_key(f, "thread"))
		return set_name(ev->target_name, sizeof ev->target_name, f);
	if ((k->fields & F_BY) && is_key(f, "by_pid")) return set_pid(&ev->by, f);
	if ((k->fields & F_BY) && is_key(f, "by")) return set_name(ev->by_name, sizeof ev->by_name, f);
	return 0;
}

int event_set_field(struct track_event *ev, const struct event_field *f)
{
	const struct kind_info *k = valid_kind(ev->kind) ? &kinds[ev->kind] : &kinds[EV_NEW];
	int rc = set_common(ev, k, f);
	long cut;

	if (rc != 0)
		return rc;
	if ((k->fields & F_SOURCE) && is_key(f, "source")) return set_source(ev, f);
	if ((k->fields & F_SIGNAL) && is_key(f, "signal")) return set_int(&ev->signal, f, 0, 64);
	if ((k->fields & F_ERROR) && is_key(f, "errno")) return set_int(&ev->error, f, 0, 4095);
	if (is_key(f, k->value_key)) return set_value(ev, k, f);
	if (is_key(f, k->text_key)) {
		if (f->type != EVENT_FIELD_STRING)
			return -1;
		event_set_text(ev, f->string, f->length);
		return 1;
	}
	if ((k->fields & F_CUT) && is_key(f, "cut_bytes")) {
		if (f->type != EVENT_FIELD_INT || f->number < 0)
			return -1;
		cut = f->number;
		ev->cut_bytes = (size_t)cut;
		return 1;
	}
	return 0;
}
