/* ghost: the tree as it was before any re-parenting (the TUI's g view):
 * every lab or program member under the process that created it, with a
 * ghost row (state 'X') for a creator that is gone. Owns its rows and the
 * ghost processes; reads the session's view, lab and family, and must
 * never change them. */
#include "ghost.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "../src/grow.h"
#include "session.h"

/* p's parent before any re-parenting (the process that forked it: its
 * creator, or its fork server), as the lab or the program's family knows
 * it; 0 if nobody known. *name gets that parent's name when the lab knows it. */
static pid_t first_parent_of(const struct session *s, const struct scan_proc *p,
			     const char **name)
{
	const struct member *m = s->lab_on ? lab_member_of(&s->lab, p) : NULL;
	const struct member *f;

	*name = NULL;
	if (m) {
		*name = m->forker_name;
		return m->forker;
	}
	f = family_member_of(&s->fam, p);
	return f && f->forker != MEMBER_PARENT_UNSEEN ? f->forker : 0;
}

/* The newest record of pid among the lab's members, then the program's,
 * gone ones included (a ghost's process has ended), or NULL. */
static const struct member *record_of(const struct session *s, pid_t pid)
{
	for (size_t i = s->lab_on ? s->lab.count : 0; i-- > 0;)
		if (s->lab.members[i].pid == pid)
			return &s->lab.members[i];
	for (size_t i = s->fam.active ? s->fam.count : 0; i-- > 0;)
		if (s->fam.members[i].pid == pid)
			return &s->fam.members[i];
	return NULL;
}

/* A ghost row for a first parent that is no longer shown (once per PID):
 * its name, its own first parent and its exit code from its member's
 * record when there is one. */
static int add_ghost(struct session_ghost *g, const struct session *s, pid_t pid,
		     const char *name)
{
	const struct member *m = record_of(s, pid);
	struct scan_proc *p;

	for (size_t i = 0; i < g->nextra; i++)
		if (g->extra[i].pid == pid)
			return 0;
	if (GROW(g->extra, g->extra_cap, g->nextra + 1) < 0)
		return -ENOMEM;
	p = &g->extra[g->nextra++];
	*p = (struct scan_proc){ .pid = pid, .state = 'X', .exit_status = SCAN_NO_STATUS,
				 .cmdline_off = SCAN_NO_CMDLINE };
	snprintf(p->comm, sizeof p->comm, "%s", m ? m->name : name ? name : "?");
	if (m) { /* hangs under its own first parent */
		p->ppid = m->forker;
		p->start_time = m->start_time;
		p->exit_status = m->exit_status;
	}
	return 0;
}

/* Whether r shows one of the ghost rows. */
static bool is_ghost_row(const struct session_ghost *g, const struct row *r)
{
	return g->nextra && r->proc >= g->extra && r->proc < g->extra + g->nextra;
}

/* Every process of the view, then the ghost rows, each under its first parent. */
static int build_view_as_it_was(struct session_ghost *g, const struct session *s)
{
	const char *name;
	int rc;

	g->nextra = 0;
	for (size_t i = 0; i < s->view.count; i++) {
		pid_t c = first_parent_of(s, s->view.procs[i], &name);

		if (c > 0 && !view_has(&s->view, c) && (rc = add_ghost(g, s, c, name)) < 0)
			return rc;
	}
	g->view.count = 0;
	if ((rc = view_reserve(&g->view, s->view.count + g->nextra)) < 0)
		return rc;
	for (size_t i = 0; i < s->view.count; i++) {
		pid_t c = first_parent_of(s, s->view.procs[i], &name);

		view_add(&g->view, s->view.procs[i]);
		if (c > 0)
			g->view.ppids[g->view.count - 1] = c; /* as it was */
	}
	for (size_t i = 0; i < g->nextra; i++)
		view_add(&g->view, &g->extra[i]);
	return 0;
}

int ghost_build(struct session_ghost *g, const struct session *s)
{
	const struct member *m;
	int rc;

	ghost_drop(g); /* a failure below leaves no row pointing anywhere */
	if ((rc = build_view_as_it_was(g, s)) < 0)
		return rc;
	tree_free(&g->tree);
	if ((rc = tree_build(&g->tree, g->view.pids, g->view.ppids, g->view.count)) < 0)
		return rc;
	if (GROW(g->rows, g->rows_cap, g->tree.count) < 0)
		return -ENOMEM;
	g->nrows = rows_build(g->rows, g->rows_cap, &g->tree, g->view.procs, &s->style);
	for (size_t i = 0; i < g->nrows; i++) {
		struct row *r = &g->rows[i];

		if (g->tree.nodes[i].parent != TREE_NONE) /* the parent as it was */
			r->ppid = g->tree.nodes[g->tree.nodes[i].parent].pid;
		session_annotate_row(s, r); /* the facts of a row, as the live tree has them */
		if (is_ghost_row(g, r) && (m = record_of(s, r->pid)))
			session_annotate_member(s, r, m); /* gone: its record has them */
	}
	return 0;
}

void ghost_drop(struct session_ghost *g)
{
	g->nrows = 0;
	g->view.count = 0;
}

void ghost_free(struct session_ghost *g)
{
	free(g->extra);
	view_free(&g->view);
	tree_free(&g->tree);
	free(g->rows);
	*g = (struct session_ghost){ 0 };
}
