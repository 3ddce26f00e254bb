/* scenario: the lab's groups of processes, read from INI files with inih.
 * Owns parsing and validating scenarios into plain structs; every error
 * names the file and the line. It never starts a process. */
#ifndef FORKTOP_SCENARIO_H
#define FORKTOP_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>

#define SCENARIO_NAME_MAX 32
#define SCENARIO_GROUPS_MAX 16
#define SCENARIO_COUNT_MAX 32
#define SCENARIO_FOREVER (-1.0)
#define SCENARIO_TOP_LEVEL (-1)
#define SCENARIO_THREAD_SETS_MAX 16
#define SCENARIO_THREADS_MAX 32 /* threads one process runs, all its sets together */

struct scenario_group {
	char name[SCENARIO_NAME_MAX];
	int parent;          /* group whose members start this one, or SCENARIO_TOP_LEVEL (main) */
	int count;           /* members started by each creator */
	bool daemon;         /* Process(daemon=True) */
	double lifetime;     /* seconds of work, or SCENARIO_FOREVER */
	int exit_code;       /* sys.exit() value at the end of the work, 0..255 */
	bool ignore_sigterm; /* signal.signal(SIGTERM, SIG_IGN) in run() */
	bool unix_daemon;    /* run() starts a true Unix daemon (fork, setsid, fork) and returns */
	bool subreaper;      /* prctl(PR_SET_CHILD_SUBREAPER) first: orphans below come to it */
};

/* [threads NAME]: threading.Thread(target=TARGET, daemon=...) started count
 * times by MainProcess, or by each member of a group, after its children. */
struct scenario_threads {
	char name[SCENARIO_NAME_MAX];
	int group;           /* whose members run them, or SCENARIO_TOP_LEVEL (main) */
	int count;
	bool daemon;         /* Thread(daemon=True): cut off at its process's exit */
	double lifetime;     /* seconds of the target's work, or SCENARIO_FOREVER */
	char target[SCENARIO_NAME_MAX]; /* the target function: "Thread-N (target)" */
};

/* How a creator starts a child, as multiprocessing.set_start_method(). */
enum scenario_method {
	SCENARIO_FORK,       /* fork(): the child is a copy of its creator */
	SCENARIO_SPAWN,      /* fork+exec of forktop in a worker role, plus a resource tracker */
	SCENARIO_FORKSERVER, /* a fork server (and a tracker) forks the children */
	SCENARIO_METHODS,
};

/* The PID 1 of the lab's own PID namespace (pid_namespaces(7)). */
enum scenario_init {
	SCENARIO_INIT_NONE,    /* MainProcess itself: a Python program as a container's entry point */
	SCENARIO_INIT_FORKTOP, /* forktop's init in front of it, as tini is */
};

struct scenario {
	char name[SCENARIO_NAME_MAX];
	char description[256];
	enum scenario_method start_method;
	bool pid_namespace;    /* the lab runs in a new PID namespace */
	enum scenario_init init;
	double main_lifetime;  /* main's own work, or SCENARIO_FOREVER */
	int main_exit_code;
	struct scenario_group groups[SCENARIO_GROUPS_MAX];
	int ngroups;
	struct scenario_threads threads[SCENARIO_THREAD_SETS_MAX];
	int nthreads;          /* sets of threads */
};

/* Reads a scenario file. Returns 0, or -1 with "FILE:LINE: what" in err. */
int scenario_load_file(const char *path, struct scenario *out, char *err, size_t errlen);
/* Parses scenario text; label names it in errors. Returns 0 or -1. */
int scenario_load_string(const char *text, const char *label, struct scenario *out,
			 char *err, size_t errlen);
/* The built-in default scenario (the text of data/default.conf). */
void scenario_default(struct scenario *out);
extern const char scenario_default_text[];

/* "fork", "spawn", "forkserver". */
const char *scenario_method_name(enum scenario_method method);
/* A name fit for a scenario, a group or a tour step: 1 to SCENARIO_NAME_MAX - 1
 * letters, digits, '-' or '_'. */
bool scenario_valid_name(const char *s);
/* The init named "none" or "forktop" (false for any other name). */
bool scenario_init_parse(const char *name, enum scenario_init *out);
/* The method with that name; false when there is none. */
bool scenario_method_parse(const char *name, enum scenario_method *out);

/* Index of the group with that name, or -1. */
int scenario_group_index(const struct scenario *sc, const char *name);
/* Threads each process of group g runs (SCENARIO_TOP_LEVEL: main's). */
int scenario_threads_of(const struct scenario *sc, int g);
/* A Python identifier (a thread's target), shorter than SCENARIO_NAME_MAX. */
bool scenario_valid_target(const char *s);
/* Processes the scenario starts at once (main excluded, refusals included). */
int scenario_process_count(const struct scenario *sc);

#endif
