/* pidmap: see pidmap.h. */
#include "pidmap.h"

#include <errno.h>
#include <stdlib.h>

static size_t home(const struct pidmap *m, pid_t pid)
{
	return ((size_t)(unsigned)pid * 2654435761u) & (m->cap - 1);
}

/* The slot holding pid, or the empty one where it would go. */
static size_t probe(const struct pidmap *m, pid_t pid)
{
	size_t i = home(m, pid);

	while (m->slots[i].pid && m->slots[i].pid != pid)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int grow(struct pidmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct pidmap old = *m;

	m->slots = calloc(cap, sizeof *m->slots);
	if (!m->slots) {
		*m = old;
		return -ENOMEM;
	}
	m->cap = cap;
	m->used = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].pid)
			m->slots[probe(m, old.slots[i].pid)] = old.slots[i], m->used++;
	free(old.slots);
	return 0;
}

int pidmap_put(struct pidmap *m, pid_t pid, size_t index)
{
	size_t i;

	if (pid <= 0)
		return -EINVAL;
	if ((m->used + 1) * 2 > m->cap && grow(m) < 0)
		return -ENOMEM;
	i = probe(m, pid);
	if (!m->slots[i].pid)
		m->used++;
	m->slots[i] = (struct pidmap_slot){ pid, index };
	return 0;
}

bool pidmap_get(const struct pidmap *m, pid_t pid, size_t *index)
{
	size_t i;

	if (!m->cap || pid <= 0)
		return false;
	i = probe(m, pid);
	if (!m->slots[i].pid)
		return false;
	*index = m->slots[i].index;
	return true;
}

/* Whether the entry at slot j may move to the hole at i: its home is not
 * between i (exclusive) and j (inclusive), going round. */
static bool may_fill(const struct pidmap *m, size_t i, size_t j)
{
	size_t h = home(m, m->slots[j].pid);

	return i <= j ? (h <= i || h > j) : (h <= i && h > j);
}

void pidmap_remove(struct pidmap *m, pid_t pid)
{
	size_t i, j;

	if (!m->cap || pid <= 0)
		return;
	i = probe(m, pid);
	if (!m->slots[i].pid)
		return;
	m->slots[i].pid = 0;
	m->used--;
	for (j = (i + 1) & (m->cap - 1); m->slots[j].pid; j = (j + 1) & (m->cap - 1))
		if (may_fill(m, i, j)) {
			m->slots[i] = m->slots[j];
			m->slots[j].pid = 0;
			i = j;
		}
}

void pidmap_free(struct pidmap *m)
{
	free(m->slots);
	*m = (struct pidmap){ 0 };
}
