/*
 * avl.h - an intrusive AVL tree keyed by a u64 (lib/avl.c).
 *
 * The user embeds a struct avl_node in its own struct, next to a u64 key
 * field; the tree knows the distance from the node to the key
 * (AVL_TREE_INIT), so it compares keys itself, with no call per level, and
 * avl_entry() gets back from a node to the struct around it. The tree
 * allocates nothing and takes no lock: the caller owns the memory of every
 * node and serialises every call on one tree (readers included, unless no
 * writer can run).
 *
 * Contract: keys are unique (avl_insert refuses an equal one) and a node's
 * key does not change while it is in the tree. Under it the tree keeps,
 * after every call: an in-order walk visits the nodes in increasing key
 * order, and every node's height is 1 + the larger of its children's (0
 * for none), which differ by at most one. The height of n nodes is then
 * below 1.45 log2(n + 2), the bound on every operation's steps (O(log n))
 * and on the recursion depth of insert, remove and walk.
 */
#ifndef RVMM_AVL_H
#define RVMM_AVL_H

#ifdef __cplusplus
extern "C" {
#endif

#include <lib/kernel.h>

struct avl_node {
	struct avl_node *left, *right;
	int height; /* of the subtree rooted here: 1 for a leaf */
};

struct avl_tree {
	struct avl_node *root;
	long key_off; /* from a node to its u64 key, in bytes */
};

/* A tree of TYPEs linked through their NODE member and keyed by their u64
 * KEY member. */
#define AVL_TREE_INIT(type, node, key)                                          \
	{ NULL, (long)__builtin_offsetof(type, key) - (long)__builtin_offsetof(type, node) }
#define avl_entry(ptr, type, member) container_of(ptr, type, member)

static inline u64 avl_key(const struct avl_tree *t, const struct avl_node *n)
{
	return *(const u64 *)((const char *)n + t->key_off);
}

static inline bool avl_empty(const struct avl_tree *t)
{
	return !t->root;
}

/* A subtree's height (0 for NULL). */
static inline int avl_height(const struct avl_node *n)
{
	return n ? n->height : 0;
}

/* Insert @n (its key set). Returns NULL, or the node already in the tree
 * with an equal key (then the tree and n are left as they were). */
struct avl_node *avl_insert(struct avl_tree *t, struct avl_node *n);
/* Take the node with this key out of the tree and return it; NULL if none. */
struct avl_node *avl_remove(struct avl_tree *t, u64 key);

/* The lookups are short loops down one path: inline. */

/* The node with this key, or NULL. */
static inline struct avl_node *avl_find(const struct avl_tree *t, u64 key)
{
	struct avl_node *n = t->root;

	while (n) {
		u64 nk = avl_key(t, n);

		if (key == nk)
			return n;
		n = key < nk ? n->left : n->right;
	}
	return NULL;
}

/* The node with the greatest key <= @key, or NULL. */
static inline struct avl_node *avl_floor(const struct avl_tree *t, u64 key)
{
	struct avl_node *n = t->root, *best = NULL;

	while (n) {
		if (avl_key(t, n) <= key) {
			best = n;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return best;
}

/* The nodes with the least and the greatest key, or NULL for an empty tree. */
static inline struct avl_node *avl_first(const struct avl_tree *t)
{
	struct avl_node *n = t->root;

	while (n && n->left)
		n = n->left;
	return n;
}

static inline struct avl_node *avl_last(const struct avl_tree *t)
{
	struct avl_node *n = t->root;

	while (n && n->right)
		n = n->right;
	return n;
}

/* Call fn on every node in increasing key order until it returns non-zero;
 * returns that value, or 0 when every node was visited. fn must not change
 * the tree. */
typedef int (*avl_visit_fn)(struct avl_node *node, void *arg);
int avl_walk(const struct avl_tree *t, avl_visit_fn fn, void *arg);

#ifdef __cplusplus
}
#endif

#endif
