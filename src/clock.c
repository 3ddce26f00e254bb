/* clock: see clock.h. */
#include "clock.h"

#define NS_PER_MS 1000000L
#define NS_PER_S 1000000000L

struct timespec clock_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now;
}

void clock_add_ms(struct timespec *t, long ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * NS_PER_MS;
	if (t->tv_nsec >= NS_PER_S) {
		t->tv_sec++;
		t->tv_nsec -= NS_PER_S;
	}
}

static long ms_between(const struct timespec *from, const struct timespec *to)
{
	return (to->tv_sec - from->tv_sec) * 1000 + (to->tv_nsec - from->tv_nsec) / NS_PER_MS;
}

long clock_ms_until(const struct timespec *t)
{
	struct timespec now = clock_now();

	return ms_between(&now, t);
}

long clock_ms_since(const struct timespec *start)
{
	struct timespec now = clock_now();

	return ms_between(start, &now);
}
