/* pidns: the PIDs of a process in the PID namespaces it belongs to, as the
 * kernel's NSpid lists them (outermost, forktop's own, first), the signals a
 * process catches (SigCgt), and a map from the PIDs one namespace below
 * forktop's (the lab's, pid_namespaces(7)) to forktop's own. It reads /proc
 * and never signals anything. */
#ifndef FORKTOP_PIDNS_H
#define FORKTOP_PIDNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PIDNS_LEVELS_MAX 8 /* NSpid entries kept (the kernel nests at most 32) */
#define PIDNS_MISSED_MAX 16

/* The NSpid line of a /proc/PID/status text: its PIDs, outermost
 * first, in levels (at most max; more are left out). Returns how many, or 0
 * when text has no well-formed NSpid line. */
int pidns_parse_nspid(const char *text, pid_t *levels, int max);

/* The signals a process catches (SigCgt of a /proc/PID/status text, or of
 * the process's): bit N-1 for signal N. False when there is no such line. */
bool pidns_parse_caught(const char *text, uint64_t *caught);
bool pidns_read_caught(pid_t pid, uint64_t *caught);
/* "SIGINT", or the number of a signal with no name ("34"). */
void pidns_signal_name(int sig, char *buf, size_t len);
/* Whether the kernel drops sig sent to the PID 1 of a namespace that
 * catches these, from inside it or from an ancestor (pid_namespaces(7)): every
 * signal it has no handler for, but SIGKILL and SIGSTOP (which an ancestor's
 * sender always delivers) and SIGCONT (which resumes it all the same). A
 * blocked one waits, and is dropped when it is taken unless a handler is
 * there by then: blocking does not count. */
bool pidns_init_drops(uint64_t caught, int sig);

/* Inner PIDs (the namespace's own) and the PIDs forktop sees, pairwise. */
struct pidns_pair {
	pid_t inner, outer;
};
struct pidns_map {
	unsigned long long ns; /* the namespace's inode (its /proc/PID/ns/pid) */
	struct pidns_pair *pairs;
	size_t count, cap;
	pid_t missed[PIDNS_MISSED_MAX]; /* the latest inner PIDs a listing of /proc did not
					   find (0: none): not looked for again */
	unsigned next_missed;
};

/* The map of the namespace whose PID 1 forktop sees as init_outer (1 is
 * known at once). When its namespace cannot be read, no PID the map lacks
 * is looked for in /proc. */
void pidns_map_open(struct pidns_map *map, pid_t init_outer);
void pidns_map_free(struct pidns_map *map);
void pidns_learn(struct pidns_map *map, pid_t inner, pid_t outer);
/* The PID forktop sees for inner, from the map alone; 0 when it has none. */
pid_t pidns_known(const struct pidns_map *map, pid_t inner);
/* The PID forktop sees for inner (0 for 0): from the map, else by listing
 * /proc for the namespace's processes once. 0 when it is not found (it has
 * already been reaped). */
pid_t pidns_outer(struct pidns_map *map, pid_t inner);
/* The namespace's PID of outer, or 0 when the map has none. */
pid_t pidns_inner(const struct pidns_map *map, pid_t outer);

#endif
