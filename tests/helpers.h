/* helpers: real processes for tests, and bounded waits.
 * Every process a test starts blocks on a lifeline pipe whose write end only
 * the test worker holds: when the worker ends (pass, fail or crash), every
 * such process, orphans included, reads EOF and exits. */
#ifndef FORKTOP_TEST_HELPERS_H
#define FORKTOP_TEST_HELPERS_H

#include <stdbool.h>
#include <sys/types.h>

/* Forks a child that runs body(arg) (if body is not NULL) and then blocks on
 * the lifeline until the test ends. Aborts the test if fork fails. */
pid_t helper_fork(void (*body)(void *), void *arg);
/* In a helper child: blocks until the lifeline breaks, then _exit(0). */
_Noreturn void helper_block(void);
/* Forks a child that starts a grandchild of its own and then blocks on the
 * lifeline; returns the child, the grandchild in *grandchild. */
pid_t helper_fork_family(pid_t *grandchild);
/* Forks a child that exits at once with the given status (or dies by the
 * given signal when sig > 0): a zombie until reaped. */
pid_t helper_fork_exit(int status, int sig);

/* Polls cond every 10 ms for at most timeout_ms; true once it holds. */
bool helper_wait_for(bool (*cond)(void *), void *arg, int timeout_ms);

/* The PPID /proc reports for pid, or -1. */
pid_t helper_ppid_of(pid_t pid);
/* The state letter /proc reports for pid, or 0. */
char helper_state_of(pid_t pid);
/* Polls pid's state every 10 ms for at most timeout_ms; true once it is
 * state (0: gone from /proc). */
bool helper_wait_state(pid_t pid, char state, int timeout_ms);

/* Makes this test a child subreaper that reaps every child the moment it
 * ends (but the program helper_run runs): orphans of that program come here
 * and never stay zombies, as under an init that reaps at once. Stopped by
 * helper_cleanup. */
void helper_reap_orphans_at_once(void);

/* Breaks the lifeline and reaps (or kills and reaps) every direct child. */
void helper_cleanup(void);

/* The forktop binary under test ($FORKTOP, else ./forktop). */
const char *helper_forktop(void);
/* Whether an account without CAP_NET_ADMIN may listen to the kernel's
 * process events here, as tests/may-listen finds (run as nobody when this
 * test is root): the kernel's own answer, whatever its version says. */
bool helper_unprivileged_may_listen(void);
/* Runs argv with stdout and stderr captured (each up to cap bytes) and returns
 * the wait status; the child is killed if it runs longer than timeout_ms. */
int helper_run(char *const argv[], char *out, size_t outcap, char *err, size_t errcap,
	       int timeout_ms);

/* A program whose stdout the test reads line by line while it runs. */
struct helper_stream {
	pid_t pid;
	int fd;
	char buf[1 << 16];
	size_t len;
};
void helper_stream_start(struct helper_stream *s, char *const argv[]);
/* The next line (without '\n') within timeout_ms; false on timeout or EOF. */
bool helper_stream_line(struct helper_stream *s, char *line, size_t cap, int timeout_ms);
/* Kills (SIGKILL) and reaps the program if it still runs; returns its wait status. */
int helper_stream_end(struct helper_stream *s);

/* True when pid is absent from /proc or a zombie (its program no longer runs). */
bool helper_not_running(pid_t pid);
/* The same for helper_wait_for: arg points to the pid_t. */
bool helper_not_running_p(void *arg);

/* The directory of the shipped scenarios ($FORKTOP_DATA, else ./data). */
const char *helper_data_dir(void);
/* Writes text to a fresh file under /tmp and returns its path (static buffer). */
const char *helper_temp_file(const char *text);

#include <jansson.h>

/* Runs forktop with these arguments (NULL-terminated, after the binary's own
 * path), asserts it exits 0 within timeout_ms, and parses every line of its
 * NDJSON into lines (at most cap). Returns how many. */
int helper_run_ndjson(char *const args[], json_t **lines, int cap, int timeout_ms);
/* Frees what helper_run_ndjson parsed and sets *n to 0. */
void helper_free_lines(json_t **lines, int *n);
/* A string field of a JSON object, "" when absent. */
const char *helper_str(const json_t *o, const char *key);

#endif
