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

static void free_proc(struct frame_proc *p)
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

	for (size_t i = 0; i < f->nprocs; i++)
		free_proc(&procs[i]);
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

size_t frame_bytes(const struct frame *f)
{
	size_t n = sizeof *f + f->procs_cap * sizeof *f->procs;

	for (size_t i = 0; i < f->nprocs; i++) {
		const struct frame_proc *p = &f->procs[i];

		n += string_bytes(p->label) + string_bytes(p->target) + string_bytes(p->cmdline) +
		     string_bytes(p->role) + string_bytes(p->note) + p->tasks_cap * sizeof *p->tasks;
		for (size_t k = 0; k < p->ntasks; k++)
			n += string_bytes(p->tasks[k].label);
	}
	return n;
}
