/* pidmap: PID -> index, in constant time on average (open addressing with
 * linear probing, grown at half full, removal by backward shift). For the
 * family's members, which a fork storm makes thousands of: every lookup
 * by PID during a refresh or an event goes through one. It owns only its
 * table. */
#ifndef FORKTOP_PIDMAP_H
#define FORKTOP_PIDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct pidmap {
	struct pidmap_slot {
		pid_t pid;    /* 0: empty */
		size_t index;
	} *slots;
	size_t used, cap; /* cap: 0 or a power of two */
};

/* Sets pid's index (adding pid, or replacing its index). Returns 0, or
 * -ENOMEM or -EINVAL (pid <= 0) with the map as it was. */
int pidmap_put(struct pidmap *m, pid_t pid, size_t index);
/* pid's index in *index; false when pid is not in the map. */
bool pidmap_get(const struct pidmap *m, pid_t pid, size_t *index);
void pidmap_remove(struct pidmap *m, pid_t pid);
void pidmap_free(struct pidmap *m);

#endif
