/* ghost: the tree as it was before any re-parenting, built from a session's
 * latest refresh. Its rows point into that refresh (the snapshot and the
 * tombstones): they are dropped with it, never drawn after it. */
#ifndef FORKTOP_GHOST_H
#define FORKTOP_GHOST_H

#include <stddef.h>

#include "../src/scan.h"
#include "../src/tree.h"
#include "rows.h"
#include "view.h"

struct session;

/* Every lab or program member under the process that created it, with a
 * ghost row (state 'X') for a creator that is gone. */
struct session_ghost {
	struct scan_proc *extra;   /* ghost rows of gone creators */
	size_t nextra, extra_cap;
	struct session_view view;
	struct tree tree;
	struct row *rows;
	size_t nrows, rows_cap;
};

/* Builds g from s's latest refresh. Returns 0 or a negative errno (then g
 * has no rows). */
int ghost_build(struct session_ghost *g, const struct session *s);
/* No rows any more (what they point into is going away). */
void ghost_drop(struct session_ghost *g);
void ghost_free(struct session_ghost *g);

#endif
