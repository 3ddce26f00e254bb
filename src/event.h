/* event: the facts forktop learns, as data. An event is a kind plus fields
 * (who, the other process of the fact, a wait status and where it came from,
 * a signal, a number, a line of text); the sentence a face shows is rendered
 * from the fields here and nowhere else. Every source (the /proc scan, the
 * lab's channels, pidfds, the program's output) logs events of these kinds,
 * and every reader (lessons, the tour, the lab's own state, the faces, the
 * tests) matches on kinds and fields, never on the rendered text. It never
 * reads /proc, never signals and never draws. */
#ifndef FORKTOP_EVENT_H
#define FORKTOP_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define EVENT_NAME_MAX 64  /* a lab name fits (LAB_NAME_MAX), a comm too */
#define EVENT_TEXT_MAX 224 /* a text kept in the event itself: a scenario name, an
			      error's detail, a short output line */
/* The longest line of a watched program's output kept whole: 64 KiB. A
 * longer line keeps its first EVENT_LINE_MAX bytes (fewer when that would
 * split a UTF-8 character), and the event says how many bytes were cut
 * (cut_bytes): its sentence ends with the mark " [... N bytes cut]". */
#define EVENT_LINE_MAX (64 * 1024)

/* The old, coarse grouping of kinds: the JSON field "kind" keeps these
 * names for scripts written before the kinds were typed. */
enum event_class {
	EVENT_CLASS_NEW, EVENT_CLASS_GONE, EVENT_CLASS_REPARENT, EVENT_CLASS_ZOMBIE,
	EVENT_CLASS_LOG,    /* a line of multiprocessing's log (log_to_stderr()) */
	EVENT_CLASS_LAB,    /* a fact of the lab or the program: an action, a join, an exit */
	EVENT_CLASS_ERROR,  /* what a lab process raised, or an action forktop refused */
	EVENT_CLASS_OUTPUT, /* a line the watched program wrote */
};

enum event_kind {
	/* seen by comparing two scans of /proc (pid, name = comm) */
	EV_NEW,              /* appeared under new_ppid */
	EV_GONE,             /* left /proc (exit_status when it was seen as a zombie) */
	EV_REPARENT,         /* its parent changed: old_ppid -> new_ppid */
	EV_ZOMBIE,           /* ended, waits under new_ppid to be reaped (exit_status) */
	/* the lab and the watched program */
	EV_LAB_STARTED,      /* MainProcess started: text = scenario, value = start method */
	EV_PROGRAM_STARTED,  /* forktop started the program (name = argv[0]) */
	EV_ATTACHED,         /* forktop watches pid and its descendants */
	EV_STARTED,          /* pid started target; by = its fork server when not pid itself */
	EV_UNIX_DAEMON,      /* pid is a true Unix daemon: its own session, no terminal */
	EV_JOIN_BEGAN,       /* pid blocked in join(target) */
	EV_JOIN_RETURNED,    /* join(target) returned to pid: exit_status */
	EV_JOIN_TIMED_OUT,   /* join(target, timeout) returned, target runs on: value = ms */
	EV_IS_ALIVE,         /* pid asked target.is_alive(): value = the answer (0 or 1) */
	EV_SIGNAL_SENT,      /* forktop sent signal to pid */
	EV_EXIT_ASKED,       /* forktop asked pid (MainProcess) to exit normally */
	EV_EXITED,           /* pid's exit_status, from source; by = the reaper it names */
	EV_EXIT_UNKNOWN,     /* pid was reaped by another process; no source can tell its code */
	EV_ENDED,            /* pid ended; its code comes later (from whoever reaps it) */
	EV_SUBREAPER_ON,     /* forktop became a child subreaper */
	EV_SUBREAPER_OFF,    /* forktop stopped being one */
	EV_LAB_RESTARTED,    /* the lab was started again: text = scenario */
	EV_TRACKER_EXITS,    /* the resource tracker's pipe closed, so it exits */
	EV_SERVER_GONE,      /* pid's fork server ended without saying how target ended */
	/* multiprocessing's log lines, as log_to_stderr() shows them */
	EV_EXIT_ROUTINE,     /* "process shutting down": pid's exit routine began */
	EV_EXIT_ROUTINE_TERMINATES, /* the exit routine calls terminate() for daemonic target */
	EV_EXIT_ROUTINE_JOINS,      /* the exit routine calls join() for target */
	EV_EXITING,          /* "process exiting with exitcode value" */
	EV_RUN,              /* "child process calling self.run()" */
	EV_DAEMONIZING,      /* "starting a Unix daemon: fork, setsid, fork" */
	EV_SIGNALLED,        /* pid sent signal to its child target (terminate(), kill()) */
	/* a lab process's threads (threading.Thread): target = the thread's TID,
	   target_name = its name ("Thread-1 (work)"), value = its daemon flag */
	EV_THREAD_STARTED,   /* Thread.start() returned: the thread runs */
	EV_THREAD_AWAITED,   /* at the exit, the process waits for this non-daemon thread */
	EV_THREAD_ENDED,     /* the thread's target returned */
	EV_THREAD_CUT_OFF,   /* a daemon thread still running when its process exited */
	/* what a lab process raises */
	EV_DAEMONIC_CHILDREN_REFUSED, /* AssertionError: a daemonic process may have no children */
	EV_JOIN_REFUSED,     /* AssertionError: can only join a child process */
	EV_IS_ALIVE_REFUSED, /* AssertionError: can only test a child process */
	EV_INTERRUPTED,      /* KeyboardInterrupt */
	EV_TRACKER_RELAUNCHED, /* UserWarning: the resource tracker died; relaunching it */
	EV_CHILDREN_LIMIT,   /* cannot start more than value children */
	EV_NAME_TOO_LONG,    /* a child's name would be longer than value characters */
	EV_OS_ERROR,         /* OSError: text = the call, error = errno */
	EV_SERVER_EOF,       /* EOFError: the fork server ended before it answered */
	EV_SERVER_UNREACHABLE, /* ConnectionError: the fork server: error = errno */
	EV_SPAWN_EOF,        /* EOFError: no preparation data on the spawn pipe */
	EV_BAD_HELLO,        /* a lab process's first message did not prove who it is */
	/* forktop's own answer to an action */
	EV_REFUSED,          /* value = enum event_refusal; target = what was named */
	/* the watched program's output */
	EV_OUTPUT,           /* text = one line (up to EVENT_LINE_MAX bytes); cut_bytes */
	/* where process facts come from */
	EV_POLLING,          /* no kernel process events (text = why): /proc is polled */
	EV_EVENTS_LOST,      /* the kernel dropped process events: everything was read again */
	EV_EVENTS_DROPPED,   /* value events left the bounded log before a face wrote them */
	/* how a child's run() ended, which made the exitcode it computed (value) */
	EV_RUN_RETURNED,     /* run() returned: exitcode 0 */
	EV_RUN_EXITED,       /* run() raised SystemExit: text = its argument as Python writes it */
	EV_RUN_RAISED,       /* run() raised another exception: text = its type */
	EV_UNCAUGHT,         /* MainProcess's program ended by an exception: text = its type */
	/* the lab's own PID namespace (pid_namespaces(7)) */
	EV_NAMESPACE_MADE,   /* pid is the PID 1 of a new PID namespace: value = 1 through a
				user namespace, else 0 */
	EV_INIT_DROPPED,     /* signal sent to pid, a namespace's PID 1 with no handler for it:
				the kernel dropped it */
	EV_NAMESPACE_ENDED,  /* pid, the namespace's PID 1, ended: the kernel killed value
				processes left in it (SIGKILL) */
	EV_KIND_COUNT,
};

/* Where an exit code came from: the very thing forktop teaches. */
enum exit_source {
	EXIT_SOURCE_UNKNOWN,
	EXIT_SOURCE_CREATOR,     /* its creator's wait (join(), the exit routine, start()) */
	EXIT_SOURCE_FORK_SERVER, /* the wait of the fork server that forked it */
	EXIT_SOURCE_MONITOR,     /* forktop's wait: its own child */
	EXIT_SOURCE_SUBREAPER,   /* forktop's wait: an orphan that came to it as a subreaper */
	EXIT_SOURCE_ZOMBIE,      /* /proc/PID/stat of the zombie */
	EXIT_SOURCE_PIDFD,       /* the pidfd's exit information, after another process reaped it */
	EXIT_SOURCE_KERNEL,      /* the kernel's exit event (the process events connector) */
	EXIT_SOURCE_INIT,        /* the wait of forktop's init, PID 1 of the lab's namespace */
	EXIT_SOURCE_COUNT,
};

/* Why forktop refused an action (EV_REFUSED). */
enum event_refusal {
	REFUSAL_NO_SUCH_PROCESS,   /* target: no lab process has that name */
	REFUSAL_NO_SUCH_GROUP,     /* target: neither a group nor a lab process */
	REFUSAL_ENDED,             /* target (target_pid) has already ended */
	REFUSAL_ENDED_RECYCLED,    /* the same, and its PID names another process now */
	REFUSAL_NOT_STARTED,       /* target has not said hello yet */
	REFUSAL_NO_STOP_ORPHANED,  /* no SIGSTOP once MainProcess has ended */
	REFUSAL_SIGNAL_FAILED,     /* signalling target failed: error = errno */
	REFUSAL_NOT_LISTENING,     /* target (target_pid) no longer reads its channel */
	REFUSAL_MAIN_NOT_JOINABLE, /* MainProcess has no creator in the lab to join it */
	REFUSAL_MAIN_NOT_TESTABLE, /* ... or to call its is_alive() */
	REFUSAL_CREATOR_GONE_JOIN, /* target's creator (by) has ended: nobody can join it */
	REFUSAL_CREATOR_GONE_TEST, /* ... nobody can call its is_alive() */
	REFUSAL_MAIN_IN_NO_GROUP,  /* MainProcess is in no group: a group must be named */
	REFUSAL_GROUP_CREATOR_GONE, /* the creator of group target has ended */
	REFUSAL_REPORT_STRANGER,   /* a Python report from target_pid, not of the watched family */
	REFUSAL_REPORT_OTHER_USER, /* ... from a process of another user */
	REFUSAL_REPORT_MALFORMED,  /* ... that was not a well-formed record about its sender */
	REFUSAL_COUNT,
};

struct track_event {
	unsigned long long seq;  /* 1, 2, ...: never reused */
	struct timespec when;    /* CLOCK_REALTIME: the snapshot that showed it, or the send time */
	enum event_kind kind;
	pid_t pid;               /* whom it is about (0: forktop itself) */
	char name[EVENT_NAME_MAX]; /* raw: a comm or a lab name; escape before showing */
	pid_t old_ppid, new_ppid;
	pid_t target;            /* the other process of the fact: started, joined, asked about */
	char target_name[EVENT_NAME_MAX];
	pid_t by;                /* a third one: the reaper, the fork server it went through */
	char by_name[EVENT_NAME_MAX];
	int exit_status;         /* a wait status, or SCAN_NO_STATUS */
	enum exit_source source; /* where exit_status came from (EV_EXITED) */
	int signal;              /* EV_SIGNAL_SENT, EV_SIGNALLED */
	int value;               /* the kind's number (see the kinds); 0 when it has none */
	int error;               /* an errno (EV_OS_ERROR, REFUSAL_SIGNAL_FAILED), else 0 */
	char text[EVENT_TEXT_MAX]; /* raw: a scenario, a call that failed, a short output line */
	/* A text the event cannot hold itself (an output line longer than text
	 * holds, or with a NUL in it): long_len raw bytes, not always followed
	 * by a NUL. Borrowed from whoever makes the event until track_log, which
	 * keeps a copy of its own in the log. NULL when text holds the whole
	 * text. Set both with event_set_text and read them with event_text. */
	const char *long_text;
	size_t long_len;
	size_t cut_bytes;        /* EV_OUTPUT: how many bytes of the line were cut, else 0 */
};

/* An event of kind with no fields set (no exit status, no PIDs). */
struct track_event event_make(enum event_kind kind);

/* Sets ev's text to the len raw bytes at s: a copy in ev->text when they
 * fit there, else s itself as ev->long_text (borrowed: s must outlive ev,
 * or ev be logged by track_log, which copies it). */
void event_set_text(struct track_event *ev, const char *s, size_t len);
/* ev's text and its length in *len (raw bytes, which may hold NULs): every
 * reader of an event's text reads it here, wherever the event keeps it. */
const char *event_text(const struct track_event *ev, size_t *len);

/* The kind's identifier ("join_returned"), and back (false for an unknown name). */
const char *event_kind_name(enum event_kind kind);
bool event_kind_by_name(const char *name, size_t len, enum event_kind *out);
enum event_class event_class_of(enum event_kind kind);
const char *event_class_name(enum event_class cls);
/* Whether a lab process may report this kind about itself (on its channel). */
bool event_kind_from_lab(enum event_kind kind);
/* Whether the kind is about a thread of the process (EV_THREAD_*): its
 * target fields are the thread's TID and name, its value the daemon flag. */
bool event_kind_names_thread(enum event_kind kind);
const char *exit_source_name(enum exit_source source);   /* "creator", "pidfd", ... */
const char *event_refusal_name(enum event_refusal why);  /* "no_such_process", ... */

/* Python's exitcode from a wait status: WEXITSTATUS for a normal exit,
 * -N when killed by signal N. False when status is SCAN_NO_STATUS. */
bool event_exitcode(int wait_status, int *exitcode);

/* The one renderer. event_sentence: the fact alone ("MainProcess blocked in
 * join(Process-1)"; a log line as multiprocessing writes it, "[INFO/Process-1]
 * process shutting down"); event_describe: as the event log shows it, with
 * the class's frame ("error in 4100 Process-1: ...", "| line").
 * Raw names and text are escaped with text_flags. Return the length written
 * (cut to fit len, always NUL-terminated when len > 0): event_room bytes
 * hold the whole of either. */
size_t event_sentence(const struct track_event *ev, char *buf, size_t len, unsigned text_flags);
size_t event_describe(const struct track_event *ev, char *buf, size_t len, unsigned text_flags);
size_t event_room(const struct track_event *ev);

/* The fields an event of its kind carries, for faces that write them out
 * (NDJSON): a name and a number, a string (raw: escape it) or a truth. */
enum event_field_type { EVENT_FIELD_INT, EVENT_FIELD_STRING, EVENT_FIELD_BOOL, EVENT_FIELD_NULL };

struct event_field {
	const char *key;
	enum event_field_type type;
	long number;        /* INT, BOOL */
	const char *string; /* STRING: length raw bytes: read length bytes, not up to a */
	size_t length;      /* NUL (an output line may hold NULs, or not end in one) */
};

#define EVENT_FIELDS_MAX 16
/* Writes the fields of ev beyond seq, time, kind and text (pid and name
 * first). Returns how many. */
size_t event_fields(const struct track_event *ev, struct event_field *out);

/* The way back, for a reader of NDJSON (a recording): sets the member of
 * ev (whose kind is set) that field f names, as event_fields writes it.
 * Returns 1 when set, 0 for a key the kind does not have (ignored: a newer
 * writer's), -1 for a value of the wrong type or out of range. A string is
 * copied into ev's own arrays, cut to fit; the text field is borrowed as
 * event_set_text borrows it. */
int event_set_field(struct track_event *ev, const struct event_field *f);

#endif
