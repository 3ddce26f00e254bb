/* session: the view model shared by the faces, without a terminal: its
 * arrays after a failed allocation, and the rows the lab's helpers get. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "../ui/session.h"
#include "helpers.h"

/* Under AddressSanitizer a refused allocation must come back as NULL, as it
 * does from glibc, instead of ending the test. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

static struct session_view view;

static void free_view(void)
{
	free(view.procs);
	free(view.pids);
	free(view.ppids);
	view = (struct session_view){ 0 };
}

TestSuite(view, .fini = free_view, .timeout = 30);

Test(view, a_failed_reservation_leaves_the_view_usable)
{
	static const struct scan_proc p = { .pid = 42, .ppid = 1 };
	size_t cap;

	cr_assert_eq(session_view_reserve(&view, 4), 0);
	view.procs[0] = &p;
	view.pids[0] = p.pid;
	view.ppids[0] = p.ppid;
	view.count = 1;
	cap = view.cap;
	cr_assert_eq(session_view_reserve(&view, SIZE_MAX / 16), -ENOMEM);
	cr_assert_eq(view.cap, cap, "the capacity must not claim room that is not there");
	cr_assert_not_null(view.procs);
	cr_assert_not_null(view.pids);
	cr_assert_not_null(view.ppids);
	cr_assert_eq(view.pids[0], 42);
	cr_assert_eq(session_view_reserve(&view, cap + 100), 0, "the next reservation works");
	for (size_t i = 0; i < cap + 100; i++) {
		view.procs[i] = &p;
		view.pids[i] = p.pid;
		view.ppids[i] = p.ppid;
	}
	cr_assert_eq(view.procs[0], &p);
}
