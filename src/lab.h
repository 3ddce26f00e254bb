/* lab: the monitor's side of the demo family (shared LAB.md): starting the
 * lab main, the channels to every lab process, the model of who is who
 * (name, daemon flag, creator, exit code and where it came from), and the
 * actions a user can take. It signals lab processes only, and only through
 * their pidfds. It never draws anything. */
#ifndef FORKTOP_LAB_H
#define FORKTOP_LAB_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "labmsg.h"
#include "member.h"
#include "pidns.h"
#include "scan.h"
#include "scenario.h"
#include "track.h"

struct lab {
	struct scenario sc;
	struct track *track;
	struct member *members;
	size_t count, cap;
	pid_t monitor_pid;
	bool started;
	struct timespec now; /* while dispatching: the send time of the message being handled */
	bool dispatching;
	bool exit_asked; /* E: MainProcess was asked to exit normally */
	bool stopping;   /* lab_stop is ending it: no more facts to tell */
	/* a lab in its own PID namespace (scenario pid_namespace) */
	bool in_namespace;
	struct pidns_map ns;      /* the lab's PIDs there to forktop's */
	bool main_unannounced;    /* behind forktop's init: lab_started waits for main's hello */
	bool ns_end_told;         /* EV_NAMESPACE_ENDED was logged */
	int ns_end_waits;         /* refreshes since its PID 1 ended, with members' ends unknown */
};

/* Forks the lab main (its own process group) for scenario sc, in a new PID
 * namespace when sc asks (main, or forktop's init in front of it, is its
 * PID 1). Lab events go to track. Returns 0, or -1 with a reason in err. */
int lab_start(struct lab *lab, const struct scenario *sc, struct track *track, char *err,
	      size_t errlen);
/* Ends every lab process (SIGKILL through pidfds), reaps main, and waits up
 * to wait_ms for all of them to be gone. Safe to call twice. */
void lab_stop(struct lab *lab, int wait_ms);
void lab_free(struct lab *lab);

/* Descriptors to poll: channels and pidfds. Returns how many were written. */
size_t lab_poll_fds(const struct lab *lab, struct pollfd *fds, size_t cap);
/* Handles whatever poll() reported on the descriptors lab_poll_fds gave. */
void lab_handle(struct lab *lab, const struct pollfd *fds, size_t n);
/* Learns exit codes and identities from a snapshot (zombies, pidfd exit
 * information) and drops members that are gone. */
void lab_observe(struct lab *lab, const struct scan_snapshot *snap);

/* PIDs the lab view must scan (members not gone). Returns how many. */
size_t lab_watch_pids(const struct lab *lab, pid_t *out, size_t cap);
/* The member this process is (same PID and start time), or NULL. */
const struct member *lab_member_of(const struct lab *lab, const struct scan_proc *p);
const struct member *lab_find(const struct lab *lab, const char *name);
/* The PID 1 of the lab's namespace (main, or forktop's init), or NULL. */
const struct member *lab_ns_init(const struct lab *lab);

/* Actions. Each returns 0, or -1 with the reason in err (also logged as a
 * EV_REFUSED event). */
int lab_terminate(struct lab *lab, const char *name, char *err, size_t errlen);
int lab_kill(struct lab *lab, const char *name, char *err, size_t errlen);
int lab_signal(struct lab *lab, const char *name, int sig, char *err, size_t errlen);
/* joiner NULL: the target's creator joins it, as Python allows; timeout_ms
 * -1 waits until it ends, else at most that long (it then runs on). */
int lab_join(struct lab *lab, const char *target, const char *joiner, int timeout_ms, char *err,
	     size_t errlen);
/* is_alive(): asker NULL means the creator (anyone else is refused). */
int lab_is_alive(struct lab *lab, const char *target, const char *asker, char *err, size_t errlen);
/* target: a group name, or a process whose creator starts another of its group. */
int lab_spawn(struct lab *lab, const char *target, char *err, size_t errlen);
int lab_exit_main(struct lab *lab, char *err, size_t errlen);

/* What join() of m by its creator does now, from what the lab knows. */
enum lab_join_outlook {
	LAB_JOIN_BLOCKS,         /* m runs: the creator blocks until it ends */
	LAB_JOIN_REAPS,          /* m ended, not reaped: join() returns at once and reaps it */
	LAB_JOIN_RETURNS,        /* m was reaped already: join() returns at once */
};
enum lab_join_outlook lab_join_outlook(const struct member *m);
/* The member main is blocked in join() of while its asked-for exit waits
 * (E came while a join the user asked for was going on), or NULL. */
const struct member *lab_exit_waits_on(const struct lab *lab);
int lab_kill_main(struct lab *lab, char *err, size_t errlen);

/* A short note for a process row: "orphan: was under 4013 MainProcess",
 * "blocked in join(Process-3)", "zombie: not joined", "adopted orphans".
 * Empty when there is nothing to say. Costs O(lab size), not O(machine). */
void lab_note(const struct lab *lab, const struct scan_proc *p, char *buf, size_t len);
/* What a member is in the lab's family: the faces show it by name. */
enum lab_role {
	LAB_ROLE_MAIN,
	LAB_ROLE_CHILD,
	LAB_ROLE_GRANDCHILD,
	LAB_ROLE_UNIX_DAEMON,
	LAB_ROLE_RESOURCE_TRACKER,
	LAB_ROLE_FORKSERVER,
	LAB_ROLE_INIT,
};
enum lab_role lab_member_role(const struct member *m);
/* "main", "child", "grandchild", "unix-daemon", "resource-tracker", "forkserver" or
 * "init". */
const char *lab_role_name(enum lab_role role);

#endif
