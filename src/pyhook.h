/* pyhook: the monitor's side of forktop's Python hook (data/python/). A
 * program forktop starts finds the hook's folder first on PYTHONPATH and an
 * address in FORKTOP_PYHOOK; each of its Python processes, however it was
 * started (fork, spawn, forkserver), connects to that abstract AF_UNIX
 * socket and sends the records a lab process sends on its channel
 * (labmsg.h): one protocol, two senders; a forked child sends on the
 * connection it inherited. A connection is taken only when the kernel says
 * the process that connected runs as forktop's user and is a member of the
 * watched family (or descends from one), and a record only when the
 * credentials the kernel stamped on it say the same of its sender, and the
 * record is about that sender. What is refused is logged (EV_REFUSED) and
 * changes nothing. It never signals anything and never draws. */
#ifndef FORKTOP_PYHOOK_H
#define FORKTOP_PYHOOK_H

#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "family.h"
#include "labmsg.h"
#include "track.h"

#define PYHOOK_ADDRESS_VARIABLE "FORKTOP_PYHOOK"
#define PYHOOK_CONNS_MAX 4096 /* connections held at once: any more are closed at once */

struct pyhook_conn {
	int fd;
	pid_t pid;  /* the process that connected, as the kernel told it at connect()
		       (its forked children send on it too, each record stamped with its
		       sender's credentials) */
};

struct pyhook {
	int listen_fd;                 /* -1 when off */
	char address[48];              /* the abstract name, without its leading NUL */
	char dir[PATH_MAX];            /* the hook's folder */
	struct pyhook_conn *conns;
	size_t nconns, cap;
	struct track *track;
};

/* Listens at a fresh abstract address, with the hook's folder found among
 * forktop's data places. Returns 0, or -1 with the reason in err (h is then
 * off: pyhook_environment sets nothing). */
int pyhook_open(struct pyhook *h, struct track *track, char *err, size_t errlen);
/* h, off: nothing to poll, nothing set. */
void pyhook_off(struct pyhook *h);
void pyhook_close(struct pyhook *h);

/* The environment entries a program started with h on needs
 * ("PYTHONPATH=DIR[:old]", "FORKTOP_PYHOOK=ADDRESS"), written into the two
 * buffers given; out gets pointers to them and a NULL after. Returns how
 * many (0 when h is off). */
size_t pyhook_environment(const struct pyhook *h, char *path_buf, size_t path_len,
			  char *addr_buf, size_t addr_len, char *out[3]);

size_t pyhook_poll_fds(const struct pyhook *h, struct pollfd *fds, size_t cap);
/* Accepts new connections and applies the records that came, to f's
 * members. */
void pyhook_handle(struct pyhook *h, struct family *f, const struct pollfd *fds, size_t n);
/* Applies the records waiting on every connection, ready or not, that a
 * member sent about itself (hellos and reports) or about another member (a
 * join, a reap), up to the first that is neither (a start names a process
 * whose fork the kernel may not have told yet, and a process not yet a
 * member waits for its fork: both are left for pyhook_handle, after the
 * kernel's events). Called before the kernel's exits are read, so that
 * what a process said before it ended is logged before its end, also when
 * a forked child says it behind its creator's join of it. */
void pyhook_read_members(struct pyhook *h, struct family *f);
/* At a member's exit: its connection may not be accepted yet (a spawned
 * child connects, speaks and ends between two polls), so the connections
 * waiting are accepted, then every member's words read. */
void pyhook_read_before_end(struct pyhook *h, struct family *f);

/* Whether a hooked process may send a record of this type: a lab process's
 * types other than commands, the fork server's and the pidfd's hello. */
bool pyhook_type_allowed(enum lab_msg_type type);

/* What one record sent by pid (as the kernel's credentials on it say) does
 * to f (exposed for the fuzz target): false when it is refused (a
 * malformed record, or one about another process). */
bool pyhook_apply(struct pyhook *h, struct family *f, pid_t pid, const void *buf, size_t len);

#endif
