/* tree: a forest built from a snapshot's (pid, ppid) pairs.
 * Owns parent/child links, sibling order and the preorder walk; it never
 * reads /proc and never formats text. Input is hostile: a missing parent
 * makes a root, a PPID cycle is broken, deep chains need no recursion. */
#ifndef FORKTOP_TREE_H
#define FORKTOP_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define TREE_NONE (-1)

struct tree_node {
	pid_t pid;
	int item;          /* index of this process in the caller's array */
	int parent;        /* node index, TREE_NONE for a root */
	int first_child;   /* node index, TREE_NONE for a leaf */
	int next_sibling;  /* node index in PID order, TREE_NONE for the last */
	int depth;         /* 0 for a root */
	int subtree_size;  /* this node and all below it */
};

struct tree {
	struct tree_node *nodes; /* by preorder position: nodes[order] */
	size_t count;
	int *slots;              /* open-addressing hash pid -> node index */
	size_t nslots;
	int first_root;
};

/* Builds the forest from n (pid, ppid) pairs given as parallel accessors:
 * pids[i] and ppids[i]. Nodes come out in preorder, siblings by PID.
 * A duplicate PID keeps its first occurrence. Returns 0 or -ENOMEM. */
int tree_build(struct tree *tree, const pid_t *pids, const pid_t *ppids, size_t n);
void tree_free(struct tree *tree);

/* Node index (a preorder position) of pid, or TREE_NONE. */
int tree_find(const struct tree *tree, pid_t pid);

/* True when node is the last of its siblings (drives the tree glyphs). */
bool tree_is_last_child(const struct tree *tree, int node);

#endif
