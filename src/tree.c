/* tree: forest building in O(n log n) (one sort by PID, one hash, one walk).
 * The walk is iterative so a 10,000-deep chain cannot overflow the stack. */
#include "tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Working links in input order before the preorder renumbering. */
struct link {
	pid_t pid, ppid;
	int item, parent, first_child, last_child, next_sibling;
	bool is_root;
};

static size_t hash_pid(pid_t pid, size_t nslots)
{
	return ((size_t)(unsigned)pid * 2654435761u) & (nslots - 1);
}

static int hash_init(struct tree *tree, size_t n)
{
	size_t nslots = 16;

	while (nslots < n * 2)
		nslots *= 2;
	tree->slots = malloc(nslots * sizeof *tree->slots);
	if (!tree->slots)
		return -ENOMEM;
	memset(tree->slots, 0xff, nslots * sizeof *tree->slots); /* all TREE_NONE */
	tree->nslots = nslots;
	return 0;
}

/* Finds pid's slot: either holding it or the empty one where it belongs. */
static size_t hash_slot(const struct tree *tree, const struct link *links, pid_t pid)
{
	size_t i = hash_pid(pid, tree->nslots);

	while (tree->slots[i] != TREE_NONE && links[tree->slots[i]].pid != pid)
		i = (i + 1) & (tree->nslots - 1);
	return i;
}

static int pid_order_of_items(const void *a, const void *b, void *pids_arg)
{
	const pid_t *pids = pids_arg;
	pid_t pa = pids[*(const int *)a], pb = pids[*(const int *)b];

	return (pa > pb) - (pa < pb);
}

static void append_child(struct link *links, int parent, int child)
{
	links[child].parent = parent;
	if (links[parent].last_child == TREE_NONE)
		links[parent].first_child = child;
	else
		links[links[parent].last_child].next_sibling = child;
	links[parent].last_child = child;
}

/* Links every kept node to its parent, in PID order so siblings are sorted. */
static size_t link_all(struct tree *tree, struct link *links, const int *by_pid_order,
		       size_t n)
{
	size_t kept = 0;

	for (size_t k = 0; k < n; k++) {
		int i = by_pid_order[k];
		size_t slot = hash_slot(tree, links, links[i].pid);

		if (tree->slots[slot] != TREE_NONE)
			continue; /* duplicate PID (racy input): keep the first */
		tree->slots[slot] = i;
		kept++;
	}
	for (size_t k = 0; k < n; k++) {
		int i = by_pid_order[k];
		int p = tree->slots[hash_slot(tree, links, links[i].ppid)];

		if (tree->slots[hash_slot(tree, links, links[i].pid)] != i)
			continue;
		if (p == TREE_NONE || p == i || links[i].ppid <= 0)
			links[i].is_root = true;
		else
			append_child(links, p, i);
	}
	return kept;
}

/* Visits the subtree under root in preorder without recursion, writing nodes
 * at tree->nodes[*pos...]. Links are acyclic below root by construction. */
static void walk(struct tree *tree, struct link *links, int root, int *pos_of, size_t *pos)
{
	int cur = root, depth = 0;

	for (;;) {
		struct tree_node *node = &tree->nodes[*pos];

		pos_of[cur] = (int)*pos;
		node->pid = links[cur].pid;
		node->item = links[cur].item;
		node->depth = depth;
		node->parent = cur == root ? TREE_NONE : pos_of[links[cur].parent];
		(*pos)++;
		if (links[cur].first_child != TREE_NONE) {
			cur = links[cur].first_child;
			depth++;
			continue;
		}
		while (cur != root && links[cur].next_sibling == TREE_NONE) {
			cur = links[cur].parent;
			depth--;
		}
		if (cur == root)
			return;
		cur = links[cur].next_sibling;
	}
}

/* Removes child from its parent's list so that it can become a root. */
static void unlink_child(struct link *links, int child)
{
	int p = links[child].parent, prev = TREE_NONE;

	for (int c = links[p].first_child; c != child; c = links[c].next_sibling)
		prev = c;
	if (prev == TREE_NONE)
		links[p].first_child = links[child].next_sibling;
	else
		links[prev].next_sibling = links[child].next_sibling;
	if (links[p].last_child == child)
		links[p].last_child = prev;
	links[child].next_sibling = TREE_NONE;
	links[child].parent = TREE_NONE;
	links[child].is_root = true;
}

/* In preorder a node's subtree is the run of subtree_size nodes after it, so
 * the first child is the next node and the next sibling follows the subtree. */
static void finish_nodes(struct tree *tree)
{
	size_t n = tree->count;

	for (size_t i = 0; i < n; i++)
		tree->nodes[i].subtree_size = 1;
	for (size_t i = n; i-- > 0;) {
		int p = tree->nodes[i].parent;

		if (p != TREE_NONE)
			tree->nodes[p].subtree_size += tree->nodes[i].subtree_size;
	}
	for (size_t i = 0; i < n; i++) {
		struct tree_node *node = &tree->nodes[i];
		size_t after = i + (size_t)node->subtree_size;

		node->first_child = node->subtree_size > 1 ? (int)i + 1 : TREE_NONE;
		node->next_sibling = after < n && tree->nodes[after].parent == node->parent
					     ? (int)after : TREE_NONE;
	}
	tree->first_root = n ? 0 : TREE_NONE;
}

static int order_and_walk(struct tree *tree, struct link *links, const int *order, size_t n)
{
	int *pos_of = malloc((n ? n : 1) * sizeof *pos_of);
	size_t pos = 0;

	if (!pos_of)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		pos_of[i] = TREE_NONE;
	for (size_t k = 0; k < n; k++) {
		int i = order[k];

		if (links[i].is_root && pos_of[i] == TREE_NONE &&
		    tree->slots[hash_slot(tree, links, links[i].pid)] == i)
			walk(tree, links, i, pos_of, &pos);
	}
	/* Whatever is left hangs in a PPID cycle: break each at its lowest PID. */
	for (size_t k = 0; k < n && pos < tree->count; k++) {
		int i = order[k];

		if (pos_of[i] != TREE_NONE || tree->slots[hash_slot(tree, links, links[i].pid)] != i)
			continue;
		unlink_child(links, i);
		walk(tree, links, i, pos_of, &pos);
	}
	free(pos_of);
	finish_nodes(tree);
	return 0;
}

/* After the walk, the hash maps each PID to its preorder node. */
static void rehash_by_node(struct tree *tree)
{
	memset(tree->slots, 0xff, tree->nslots * sizeof *tree->slots);
	for (size_t i = 0; i < tree->count; i++) {
		size_t s = hash_pid(tree->nodes[i].pid, tree->nslots);

		while (tree->slots[s] != TREE_NONE)
			s = (s + 1) & (tree->nslots - 1);
		tree->slots[s] = (int)i;
	}
}

int tree_build(struct tree *tree, const pid_t *pids, const pid_t *ppids, size_t n)
{
	struct link *links = calloc(n ? n : 1, sizeof *links);
	int *order = malloc((n ? n : 1) * sizeof *order);
	int rc = -ENOMEM;

	memset(tree, 0, sizeof *tree);
	tree->first_root = TREE_NONE;
	if (!links || !order || hash_init(tree, n) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		links[i] = (struct link){ .pid = pids[i], .ppid = ppids[i], .item = (int)i,
					  .parent = TREE_NONE, .first_child = TREE_NONE,
					  .last_child = TREE_NONE, .next_sibling = TREE_NONE };
		order[i] = (int)i;
	}
	qsort_r(order, n, sizeof *order, pid_order_of_items, (void *)pids);
	tree->count = link_all(tree, links, order, n);
	tree->nodes = calloc(tree->count ? tree->count : 1, sizeof *tree->nodes);
	if (!tree->nodes)
		goto out;
	rc = order_and_walk(tree, links, order, n);
	if (rc == 0)
		rehash_by_node(tree);
out:
	free(links);
	free(order);
	if (rc < 0)
		tree_free(tree);
	return rc;
}

void tree_free(struct tree *tree)
{
	free(tree->nodes);
	free(tree->slots);
	memset(tree, 0, sizeof *tree);
	tree->first_root = TREE_NONE;
}

int tree_find(const struct tree *tree, pid_t pid)
{
	size_t s;

	if (!tree->nslots)
		return TREE_NONE;
	for (s = hash_pid(pid, tree->nslots); tree->slots[s] != TREE_NONE;
	     s = (s + 1) & (tree->nslots - 1))
		if (tree->nodes[tree->slots[s]].pid == pid)
			return tree->slots[s];
	return TREE_NONE;
}

bool tree_is_last_child(const struct tree *tree, int node)
{
	return tree->nodes[node].next_sibling == TREE_NONE;
}
