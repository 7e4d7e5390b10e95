/*
 * avl.c - the intrusive AVL tree of include/lib/avl.h.
 *
 * Nodes carry no parent link: insert and remove recurse down the search
 * path and rebalance each node on the way back up, so every node whose
 * subtree changed gets its height recomputed and, where its children's
 * heights came to differ by two, one single or double rotation. After an
 * insert at most one rotation happens, after a remove one per level at
 * most; either way the invariants of avl.h hold again when the call
 * returns (nodes off the search path keep their subtrees and heights).
 *
 * A remove of a node with two children puts the least node of its right
 * subtree in its place, so the removed node itself is what leaves the tree
 * and the caller may free it at once; no other node moves in memory.
 *
 * Nothing here depends on the rest of the system: no allocation, no lock,
 * no output; the recursion depth is the tree's height.
 */
#include <lib/avl.h>

static void update(struct avl_node *n)
{
	n->height = 1 + MAX(avl_height(n->left), avl_height(n->right));
}

static struct avl_node *rotate_right(struct avl_node *n)
{
	struct avl_node *l = n->left;

	n->left = l->right;
	l->right = n;
	update(n);
	update(l);
	return l;
}

static struct avl_node *rotate_left(struct avl_node *n)
{
	struct avl_node *r = n->right;

	n->right = r->left;
	r->left = n;
	update(n);
	update(r);
	return r;
}

/* n with its height recomputed, rotated if its children's heights differ
 * by two; returns the subtree's new root. */
static struct avl_node *rebalance(struct avl_node *n)
{
	int bal;

	update(n);
	bal = avl_height(n->left) - avl_height(n->right);
	if (bal > 1) {
		if (avl_height(n->left->left) < avl_height(n->left->right))
			n->left = rotate_left(n->left);
		return rotate_right(n);
	}
	if (bal < -1) {
		if (avl_height(n->right->right) < avl_height(n->right->left))
			n->right = rotate_right(n->right);
		return rotate_left(n);
	}
	return n;
}

static struct avl_node *insert_node(const struct avl_tree *tree, struct avl_node *t,
				    struct avl_node *n, u64 key, struct avl_node **dup)
{
	u64 tk;

	if (!t) {
		n->left = n->right = NULL;
		n->height = 1;
		return n;
	}
	tk = avl_key(tree, t);
	if (key < tk) {
		t->left = insert_node(tree, t->left, n, key, dup);
	} else if (key > tk) {
		t->right = insert_node(tree, t->right, n, key, dup);
	} else {
		*dup = t;
		return t;
	}
	return rebalance(t);
}

struct avl_node *avl_insert(struct avl_tree *t, struct avl_node *n)
{
	struct avl_node *dup = NULL;

	t->root = insert_node(t, t->root, n, avl_key(t, n), &dup);
	return dup;
}

/* Unlink the least node of subtree t into *min; returns the new subtree. */
static struct avl_node *remove_min(struct avl_node *t, struct avl_node **min)
{
	if (!t->left) {
		*min = t;
		return t->right;
	}
	t->left = remove_min(t->left, min);
	return rebalance(t);
}

static struct avl_node *remove_key(const struct avl_tree *tree, struct avl_node *t, u64 key,
				   struct avl_node **out)
{
	struct avl_node *min;
	u64 tk;

	if (!t)
		return NULL;
	tk = avl_key(tree, t);
	if (key < tk) {
		t->left = remove_key(tree, t->left, key, out);
	} else if (key > tk) {
		t->right = remove_key(tree, t->right, key, out);
	} else {
		*out = t;
		if (!t->right)
			return t->left;
		t->right = remove_min(t->right, &min);
		min->left = t->left;
		min->right = t->right;
		return rebalance(min);
	}
	return rebalance(t);
}

struct avl_node *avl_remove(struct avl_tree *t, u64 key)
{
	struct avl_node *out = NULL;

	t->root = remove_key(t, t->root, key, &out);
	return out;
}

static int walk(struct avl_node *n, avl_visit_fn fn, void *arg)
{
	int rc;

	if (!n)
		return 0;
	if ((rc = walk(n->left, fn, arg)) != 0)
		return rc;
	if ((rc = fn(n, arg)) != 0)
		return rc;
	return walk(n->right, fn, arg);
}

int avl_walk(const struct avl_tree *t, avl_visit_fn fn, void *arg)
{
	return walk(t->root, fn, arg);
}
