/* cpu: shares of a core from two readings of a process's or thread's
 * ticks. The past round is kept sorted by id, so each reading finds its
 * predecessor by binary search; a round is noted in any order. */
#include "cpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "grow.h"

void cpu_history_init(struct cpu_history *h, long hz)
{
	*h = (struct cpu_history){ .hz = hz > 0 ? hz : 100 };
}

void cpu_history_free(struct cpu_history *h)
{
	free(h->past);
	free(h->next);
	cpu_history_init(h, h->hz);
}

/* The previous reading of id. A round usually notes ids in ascending
 * order, as snapshots hold them: the search goes on from where the last one
 * ended, and falls back to a binary search for an id out of that order. */
static const struct cpu_mark *past_mark(struct cpu_history *h, pid_t id)
{
	size_t lo = 0, hi = h->npast;

	while (h->cursor < h->npast && h->past[h->cursor].id < id)
		h->cursor++;
	if (h->cursor < h->npast && h->past[h->cursor].id == id)
		return &h->past[h->cursor];
	if (h->cursor == 0 || h->past[h->cursor - 1].id < id)
		return NULL; /* in order, and not there */
	while (lo < hi) { /* out of order: it may be before the cursor */
		size_t mid = lo + (hi - lo) / 2;

		if (h->past[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < h->npast && h->past[lo].id == id ? &h->past[lo] : NULL;
}

/* Tenths of a percent of one core: ticks used over the time between. */
static int share_between(const struct cpu_mark *was, unsigned long long ticks, long long read_ns,
			 long hz)
{
	double used_s, spent_s;

	if (ticks < was->ticks || read_ns <= was->read_ns)
		return CPU_UNKNOWN;
	used_s = (double)(ticks - was->ticks) / (double)hz;
	spent_s = (double)(read_ns - was->read_ns) / 1e9;
	return (int)(used_s / spent_s * 1000.0 + 0.5);
}

/* A share is measured over at least this long. A refresh that the
 * kernel's events bring a few milliseconds after the last one would divide
 * one tick (10 ms) by those few: 190% for a process that sleeps. A shorter
 * window keeps the earlier reading as the base for a later round, and the
 * share said then. */
#define CPU_WINDOW_MIN_NS 250000000LL

int cpu_note(struct cpu_history *h, pid_t id, unsigned long long start_time,
	     unsigned long long ticks, long long read_ns)
{
	const struct cpu_mark *was = past_mark(h, id);
	struct cpu_mark mark = { id, start_time, ticks, read_ns, CPU_UNKNOWN };

	if (was && was->start_time == start_time) {
		if (was->read_ns == read_ns)
			mark.share = was->share;
		else if (read_ns > was->read_ns && read_ns - was->read_ns < CPU_WINDOW_MIN_NS)
			mark = *was;
		else
			mark.share = share_between(was, ticks, read_ns, h->hz);
	}
	if (GROW(h->next, h->next_cap, h->nnext + 1) == 0)
		h->next[h->nnext++] = mark;
	return mark.share;
}

static int by_id(const void *a, const void *b)
{
	pid_t x = ((const struct cpu_mark *)a)->id, y = ((const struct cpu_mark *)b)->id;

	return (x > y) - (x < y);
}

void cpu_round_end(struct cpu_history *h)
{
	struct cpu_mark *swap = h->past;
	size_t cap = h->past_cap;

	for (size_t i = 1; i < h->nnext; i++)
		if (h->next[i - 1].id > h->next[i].id) {
			qsort(h->next, h->nnext, sizeof *h->next, by_id);
			break;
		}
	h->past = h->next;
	h->npast = h->nnext;
	h->past_cap = h->next_cap;
	h->next = swap;
	h->next_cap = cap;
	h->nnext = 0;
	h->cursor = 0;
}

void cpu_format_share(int share, char *buf, size_t len)
{
	if (share < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%d.%d", share / 10, share % 10);
}

void cpu_format_time(unsigned long long ticks, long hz, char *buf, size_t len)
{
	unsigned long long hundredths = ticks * 100 / (unsigned long long)(hz > 0 ? hz : 100);

	snprintf(buf, len, "%llu:%02llu.%02llu", hundredths / 6000, hundredths / 100 % 60,
		 hundredths % 100);
}

long long cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
