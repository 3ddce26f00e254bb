/* frame: one moment's rows as values; see frame.h. */
#include "frame.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

struct frame_proc *frame_add_proc(struct frame *f)
{
	struct frame_proc *p;

	if (GROW(f->procs, f->procs_cap, f->nprocs + 1) < 0)
		return NULL;
	p = &f->procs[f->nprocs++];
	*p = (struct frame_proc){ .lifetime_us = -1, .elapsed = -1 };
	p->proc.cmdline_off = SCAN_NO_CMDLINE;
	p->proc.exit_status = SCAN_NO_STATUS;
	return p;
}

struct frame_task *frame_add_task(struct frame_proc *p)
{
	struct frame_task *t;

	if (GROW(p->tasks, p->tasks_cap, p->ntasks + 1) < 0)
		return NULL;
	t = &p->tasks[p->ntasks++];
	*t = (struct frame_task){ 0 };
	return t;
}

bool frame_set_string(char **dst, const char *s, size_t len)
{
	char *copy = NULL;

	if (s) {
		len = strnlen(s, len);
		if (!(copy = malloc(len + 1)))
			return false;
		memcpy(copy, s, len);
		copy[len] = '\0';
	}
	free(*dst);
	*dst = copy;
	return true;
}

void frame_proc_free(struct frame_proc *p)
{
	for (size_t k = 0; k < p->ntasks; k++)
		free(p->tasks[k].label);
	free(p->tasks);
	free(p->label);
	free(p->target);
	free(p->cmdline);
	free(p->role);
	free(p->note);
}

void frame_clear(struct frame *f)
{
	struct frame_proc *procs = f->procs;
	size_t cap = f->procs_cap;

	for (size_t i = 0; i < f->nprocs && !f->borrowed; i++)
		frame_proc_free(&procs[i]);
	*f = (struct frame){ .procs = procs, .procs_cap = cap };
}

void frame_free(struct frame *f)
{
	frame_clear(f);
	free(f->procs);
	*f = (struct frame){ 0 };
}

static size_t string_bytes(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

size_t frame_proc_bytes(const struct frame_proc *p)
{
	size_t n = string_bytes(p->label) + string_bytes(p->target) + string_bytes(p->cmdline) +
		   string_bytes(p->role) + string_bytes(p->note) + p->tasks_cap * sizeof *p->tasks;

	for (size_t k = 0; k < p->ntasks; k++)
		n += string_bytes(p->tasks[k].label);
	return n;
}

size_t frame_bytes(const struct frame *f)
{
	size_t n = sizeof *f + f->procs_cap * sizeof *f->procs;

	for (size_t i = 0; i < f->nprocs; i++)
		n += frame_proc_bytes(&f->procs[i]);
	return n;
}

static bool same_string(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* (elapsed is left out: it grows with every second, and says nothing the
 * frame's uptime and the start time do not.) The values of a process as
 * read, field by field (a record's padding and
 * the bytes after its name's end say nothing). */
static bool same_scan(const struct scan_proc *a, const struct scan_proc *b)
{
	return a->pid == b->pid && a->ppid == b->ppid && a->pgid == b->pgid && a->sid == b->sid &&
	       a->tty_nr == b->tty_nr && a->threads == b->threads && a->state == b->state &&
	       a->start_time == b->start_time && a->exit_status == b->exit_status &&
	       a->ticks == b->ticks && a->cpu == b->cpu && !strcmp(a->comm, b->comm);
}

static bool same_task(const struct frame_task *a, const struct frame_task *b)
{
	return a->task.tid == b->task.tid && a->task.state == b->task.state &&
	       a->task.start_time == b->task.start_time && a->task.ticks == b->task.ticks &&
	       a->task.cpu == b->task.cpu && !strcmp(a->task.comm, b->task.comm) &&
	       a->daemon == b->daemon && same_string(a->label, b->label);
}

bool frame_proc_same(const struct frame_proc *a, const struct frame_proc *b)
{
	if (!same_scan(&a->proc, &b->proc) || a->daemon != b->daemon || a->exit_known != b->exit_known ||
	    a->exit_code != b->exit_code || a->nspid != b->nspid || a->lab != b->lab ||
	    a->tombstone != b->tombstone || a->orphan != b->orphan ||
	    a->caught_known != b->caught_known || a->caught != b->caught || a->depth != b->depth ||
	    a->lifetime_us != b->lifetime_us || a->tasks_known != b->tasks_known || a->ntasks != b->ntasks)
		return false;
	if (!same_string(a->label, b->label) || !same_string(a->target, b->target) ||
	    !same_string(a->cmdline, b->cmdline) || !same_string(a->role, b->role) ||
	    !same_string(a->note, b->note))
		return false;
	for (size_t k = 0; k < a->ntasks; k++)
		if (!same_task(&a->tasks[k], &b->tasks[k]))
			return false;
	return true;
}
