/* cpu: the share of a core that a process or a thread used between two
 * readings of its ticks (/proc/PID/stat's utime + stime), as top and htop
 * show it: 100% is one core kept busy, so four busy threads show 400%.
 * Readings are keyed by (id, start time): a recycled PID starts afresh.
 * Bookkeeping only: it never reads /proc. */
#ifndef FORKTOP_CPU_H
#define FORKTOP_CPU_H

#include <stddef.h>
#include <sys/types.h>

#define CPU_UNKNOWN (-1) /* a first reading: nothing to compare it with yet */

struct cpu_mark {
	pid_t id;
	unsigned long long start_time, ticks;
	long long read_ns; /* CLOCK_MONOTONIC when the ticks were read */
	int share;         /* what was said of it: tenths of a percent, or CPU_UNKNOWN */
};

/* The readings of the previous round and those of the round under way. */
struct cpu_history {
	struct cpu_mark *past, *next;
	size_t npast, nnext, past_cap, next_cap;
	size_t cursor; /* where the last search of the past round ended */
	long hz; /* clock ticks a second */
};

void cpu_history_init(struct cpu_history *h, long hz);
void cpu_history_free(struct cpu_history *h);
/* The share of a core id used since its reading of the previous round, in
 * tenths of a percent (CPU_UNKNOWN at its first reading); a reading made at
 * the same moment as the previous one (a record kept, not read again) keeps
 * the share said then. The reading is kept for the next round, unless it
 * came less than 250 ms after the previous one: then that one stays the
 * base, and its share is said again (ticks are 10 ms: a shorter window
 * would say 190% for one tick). */
int cpu_note(struct cpu_history *h, pid_t id, unsigned long long start_time,
	     unsigned long long ticks, long long read_ns);
/* The round's readings become the ones the next round compares with. */
void cpu_round_end(struct cpu_history *h);

/* "12.5", or "-" when unknown. */
void cpu_format_share(int share, char *buf, size_t len);
/* ticks as top's TIME+: "M:SS.hh" (minutes, seconds, hundredths). */
void cpu_format_time(unsigned long long ticks, long hz, char *buf, size_t len);
/* Nanoseconds on CLOCK_MONOTONIC. */
long long cpu_now_ns(void);

#endif
