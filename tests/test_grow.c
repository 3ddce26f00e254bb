/* The growing-array helper: growth keeps what is there, and a failure
 * changes nothing, so the array stays usable. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "../src/grow.h"

/* Under AddressSanitizer a refused allocation must come back as NULL, as it
 * does from glibc, instead of ending the test. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

Test(grow, keeps_items_and_reaches_what_is_needed)
{
	int *a = NULL;
	size_t cap = 0;

	for (int i = 0; i < 1000; i++) {
		cr_assert_eq(GROW(a, cap, (size_t)i + 1), 0);
		cr_assert_geq(cap, (size_t)i + 1);
		a[i] = i;
	}
	for (int i = 0; i < 1000; i++)
		cr_assert_eq(a[i], i);
	free(a);
}

Test(grow, room_enough_is_left_alone)
{
	int *a = malloc(4 * sizeof *a), *before = a;
	size_t cap = 4;

	cr_assert_eq(GROW(a, cap, 3), 0);
	cr_assert_eq(a, before);
	cr_assert_eq(cap, 4);
	free(a);
}

Test(grow, an_overflowing_size_changes_nothing)
{
	long *a = malloc(8 * sizeof *a), *before = a;
	size_t cap = 8;

	a[7] = 42;
	cr_assert_eq(GROW(a, cap, SIZE_MAX / 4), -ENOMEM);
	cr_assert_eq(a, before, "the array must not be lost");
	cr_assert_eq(cap, 8, "the capacity must not claim room that is not there");
	cr_assert_eq(a[7], 42);
	free(a);
}

Test(grow, a_failed_allocation_changes_nothing)
{
	char *a = malloc(16), *before = a;
	size_t cap = 16;

	a[15] = 'x';
	/* not an overflow of size_t, but more than any allocator gives */
	cr_assert_eq(GROW(a, cap, SIZE_MAX / 2), -ENOMEM);
	cr_assert_eq(a, before);
	cr_assert_eq(cap, 16);
	cr_assert_eq(a[15], 'x');
	free(a);
}

/* ---- pidmap: PID -> index, checked against a plain array ---------------- */

#include "../src/pidmap.h"

Test(pidmap, agrees_with_a_plain_array_through_puts_and_removals)
{
	enum { N = 5000 };
	static long want[N + 1]; /* want[pid]: its index, or -1 */
	struct pidmap m = { 0 };
	unsigned seed = 12345;
	size_t got;

	for (int pid = 0; pid <= N; pid++)
		want[pid] = -1;
	for (int step = 0; step < 200000; step++) {
		pid_t pid = (pid_t)((seed = seed * 1103515245u + 12345u) >> 8) % N + 1;

		if ((seed >> 4) % 3) {
			cr_assert_eq(pidmap_put(&m, pid, (size_t)step), 0);
			want[pid] = step;
		} else {
			pidmap_remove(&m, pid);
			want[pid] = -1;
		}
	}
	for (pid_t pid = 1; pid <= N; pid++) {
		bool in = pidmap_get(&m, pid, &got);

		cr_assert_eq(in, want[pid] >= 0, "pid %d", pid);
		if (in)
			cr_assert_eq((long)got, want[pid], "pid %d", pid);
	}
	cr_assert_not(pidmap_get(&m, 0, &got));
	cr_assert_not(pidmap_get(&m, N + 7, &got));
	pidmap_free(&m);
	cr_assert_not(pidmap_get(&m, 1, &got), "a freed map is empty");
}
