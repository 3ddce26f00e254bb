/* tree on synthetic forests: hostile shapes must neither hang nor recurse. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "../src/tree.h"

static struct tree tree;

static void teardown(void)
{
	tree_free(&tree);
}

TestSuite(tree, .fini = teardown, .timeout = 20);

#define BUILD(pids, ppids) \
	cr_assert_eq(tree_build(&tree, pids, ppids, sizeof(pids) / sizeof(pids[0])), 0)

Test(tree, siblings_in_pid_order_and_preorder)
{
	pid_t pids[] = { 30, 1, 20, 10, 21 };
	pid_t ppids[] = { 1, 0, 1, 1, 20 };

	BUILD(pids, ppids);
	cr_assert_eq(tree.count, 5);
	pid_t want[] = { 1, 10, 20, 21, 30 };
	int depth[] = { 0, 1, 1, 2, 1 };
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(tree.nodes[i].pid, want[i], "node %d", i);
		cr_assert_eq(tree.nodes[i].depth, depth[i], "node %d", i);
		cr_assert_eq(pids[tree.nodes[i].item], want[i]);
	}
	cr_assert_eq(tree.nodes[0].subtree_size, 5);
	cr_assert_eq(tree.nodes[2].subtree_size, 2);
	cr_assert(tree_is_last_child(&tree, 4));
	cr_assert_not(tree_is_last_child(&tree, 2));
	cr_assert_eq(tree_find(&tree, 21), 3);
	cr_assert_eq(tree_find(&tree, 99), TREE_NONE);
}

Test(tree, missing_parent_makes_a_root)
{
	pid_t pids[] = { 5, 7, 9 };
	pid_t ppids[] = { 1, 5, 42 }; /* 1 and 42 are hidden (hidepid) */

	BUILD(pids, ppids);
	cr_assert_eq(tree.nodes[0].pid, 5);
	cr_assert_eq(tree.nodes[0].parent, TREE_NONE);
	cr_assert_eq(tree.nodes[1].pid, 7);
	cr_assert_eq(tree.nodes[1].parent, 0);
	cr_assert_eq(tree.nodes[2].pid, 9);
	cr_assert_eq(tree.nodes[2].parent, TREE_NONE);
	cr_assert_eq(tree.nodes[0].next_sibling, 2);
}

Test(tree, ppid_cycle_is_broken_not_looped)
{
	pid_t pids[] = { 1, 10, 11, 12, 13, 14 };
	pid_t ppids[] = { 0, 12, 10, 11, 11, 14 }; /* 10 -> 12 -> 11 -> 10, 13 hangs on it, 14 is its own parent */

	BUILD(pids, ppids);
	cr_assert_eq(tree.count, 6);
	int roots = 0;
	for (size_t i = 0; i < tree.count; i++)
		roots += tree.nodes[i].parent == TREE_NONE;
	cr_assert_eq(roots, 3); /* 1, the broken cycle at 10, and 14 */
	cr_assert_eq(tree.nodes[tree_find(&tree, 10)].parent, TREE_NONE);
	cr_assert_eq(tree.nodes[tree_find(&tree, 10)].subtree_size, 4);
}

Test(tree, duplicate_pid_keeps_one)
{
	pid_t pids[] = { 1, 2, 2 };
	pid_t ppids[] = { 0, 1, 1 };

	BUILD(pids, ppids);
	cr_assert_eq(tree.count, 2);
}

static void build_big(int n, bool chain)
{
	pid_t *pids = malloc(n * sizeof *pids), *ppids = malloc(n * sizeof *ppids);

	for (int i = 0; i < n; i++) {
		pids[i] = n - i; /* reverse order: the sort must do the work */
		ppids[i] = chain ? n - i - 1 : (n - i == 1 ? 0 : 1);
	}
	cr_assert_eq(tree_build(&tree, pids, ppids, (size_t)n), 0);
	free(pids);
	free(ppids);
}

Test(tree, chain_of_10000_needs_no_recursion)
{
	build_big(10000, true);
	cr_assert_eq(tree.count, 10000);
	cr_assert_eq(tree.nodes[9999].depth, 9999);
	cr_assert_eq(tree.nodes[9999].pid, 10000);
	cr_assert_eq(tree.nodes[0].subtree_size, 10000);
}

Test(tree, star_of_10000)
{
	build_big(10000, false);
	cr_assert_eq(tree.count, 10000);
	cr_assert_eq(tree.nodes[0].pid, 1);
	for (int i = 1; i < 10000; i++) {
		cr_assert_eq(tree.nodes[i].depth, 1);
		cr_assert_eq(tree.nodes[i].pid, i + 1);
	}
	cr_assert(tree_is_last_child(&tree, 9999));
}

Test(tree, empty_input)
{
	cr_assert_eq(tree_build(&tree, NULL, NULL, 0), 0);
	cr_assert_eq(tree.count, 0);
	cr_assert_eq(tree.first_root, TREE_NONE);
	cr_assert_eq(tree_find(&tree, 1), TREE_NONE);
}
