/* clock: millisecond arithmetic on CLOCK_MONOTONIC, in one place: deadlines
 * and elapsed times for the waits of the monitor and of lab processes. It
 * never sleeps and never reads the wall clock. */
#ifndef FORKTOP_CLOCK_H
#define FORKTOP_CLOCK_H

#include <time.h>

/* CLOCK_MONOTONIC now. */
struct timespec clock_now(void);
/* Moves t later by ms milliseconds (ms >= 0). */
void clock_add_ms(struct timespec *t, long ms);
/* Milliseconds from now until t (negative once t has passed). */
long clock_ms_until(const struct timespec *t);
/* Milliseconds since start. */
long clock_ms_since(const struct timespec *start);

#endif
