/*
 * avl_test.c - lib/avl.c (suite "avl") against a model: a flag per item
 * saying whether it is in the tree. Random inserts and removes (and refused
 * duplicate inserts, removes of absent keys), and after every step the
 * whole tree is checked from scratch: every stored height right, every
 * balance within one, keys in order within their subtree's bounds, exactly
 * the model's items present, the in-order walk giving them in key order,
 * find, floor, first and last agreeing with a search of the model, and the
 * height no more than an AVL tree of that many nodes can have. Sorted
 * insertion and removal orders (the rotation-heavy cases) as well.
 */
#include <lib/avl.h>
#include <tests/ktest.h>

#define NR_ITEMS 300
#define KEY_STEP 4 /* keys 1, 5, 9, ...: gaps for floor queries */

struct item {
	u64 key;
	int in; /* the model */
	struct avl_node node;
};

struct model {
	struct avl_tree tree;
	struct item items[NR_ITEMS];
	struct item spare; /* a second node with a key already present */
	int count;
	u64 rng;
};

static u64 next_rand(struct model *m)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return m->rng;
}

static void model_init(struct model *m, u64 seed)
{
	struct avl_tree t = AVL_TREE_INIT(struct item, node, key);

	m->tree = t;
	for (int i = 0; i < NR_ITEMS; i++) {
		m->items[i].key = (u64)i * KEY_STEP + 1;
		m->items[i].in = 0;
	}
	m->count = 0;
	m->rng = seed;
}

static struct item *item_of(struct avl_node *n)
{
	return n ? avl_entry(n, struct item, node) : NULL;
}

struct verdict {
	int nodes;
	const char *bad; /* the first broken invariant, or NULL */
};

/* Heights, balance and order of subtree n, whose keys must lie in
 * [lo, hi]; returns its real height. */
static int check_subtree(struct avl_node *n, u64 lo, u64 hi, struct verdict *v, int depth)
{
	int hl, hr;
	u64 k;

	if (!n)
		return 0;
	if (depth > 64) {
		v->bad = "deeper than any balanced tree of these items (a cycle?)";
		return 0;
	}
	v->nodes++;
	k = item_of(n)->key;
	if (k < lo || k > hi)
		v->bad = "key outside the bounds of its subtree";
	hl = check_subtree(n->left, lo, k - 1, v, depth + 1);
	hr = check_subtree(n->right, k + 1, hi, v, depth + 1);
	if (n->height != 1 + MAX(hl, hr))
		v->bad = "stored height differs from the real one";
	if (hl - hr > 1 || hr - hl > 1)
		v->bad = "balance broken";
	return 1 + MAX(hl, hr);
}

struct walk_state {
	struct model *m;
	int next; /* the item index the walk must reach next */
	int seen;
	int stop_at; /* return 7 at this visit (-1: never) */
	const char *bad;
};

static int visit(struct avl_node *n, void *arg)
{
	struct walk_state *w = arg;
	struct item *it = item_of(n);

	while (w->next < NR_ITEMS && !w->m->items[w->next].in)
		w->next++;
	if (w->next >= NR_ITEMS || it != &w->m->items[w->next])
		w->bad = "walk order differs from the model's key order";
	w->next++;
	return ++w->seen == w->stop_at ? 7 : 0;
}

/* The model's answer to floor(key): the present item with the greatest
 * key <= key. */
static struct item *model_floor(struct model *m, u64 key)
{
	struct item *best = NULL;

	for (int i = 0; i < NR_ITEMS; i++)
		if (m->items[i].in && m->items[i].key <= key)
			best = &m->items[i];
	return best;
}

static struct item *model_first(struct model *m)
{
	for (int i = 0; i < NR_ITEMS; i++)
		if (m->items[i].in)
			return &m->items[i];
	return NULL;
}

static struct item *model_last(struct model *m)
{
	for (int i = NR_ITEMS - 1; i >= 0; i--)
		if (m->items[i].in)
			return &m->items[i];
	return NULL;
}

/* The fewest nodes an AVL tree of height h can have: N(h) = N(h - 1) +
 * N(h - 2) + 1 (a Fibonacci tree), which is what bounds the height. */
static int min_nodes(int h)
{
	int a = 0, b = 1; /* N(0), N(1) */

	if (h == 0)
		return 0;
	for (int i = 1; i < h; i++) {
		int c = a + b + 1;

		a = b;
		b = c;
	}
	return b;
}

/* Everything the tree promises, against the model; false on the first
 * failure (reported). */
static bool check_all(struct ktest *t, struct model *m, int step)
{
	struct verdict v = { 0, NULL };
	struct walk_state w = { m, 0, 0, -1, NULL };
	int height = check_subtree(m->tree.root, 0, ~0ull, &v, 0);

	if (v.bad) {
		ktest_fail(t, __FILE__, __LINE__, "step %d: %s", step, v.bad);
		return false;
	}
	if (v.nodes != m->count) {
		ktest_fail(t, __FILE__, __LINE__, "step %d: %d nodes in the tree, %d in the model", step,
			   v.nodes, m->count);
		return false;
	}
	if (m->count < min_nodes(height)) {
		ktest_fail(t, __FILE__, __LINE__, "step %d: height %d for %d nodes", step, height,
			   m->count);
		return false;
	}
	if (avl_walk(&m->tree, visit, &w) != 0 || w.bad || w.seen != m->count) {
		ktest_fail(t, __FILE__, __LINE__, "step %d: walk: %s (%d visited)", step,
			   w.bad ? w.bad : "wrong count or return", w.seen);
		return false;
	}
	if (item_of(avl_first(&m->tree)) != model_first(m) ||
	    item_of(avl_last(&m->tree)) != model_last(m) || avl_empty(&m->tree) != !m->count) {
		ktest_fail(t, __FILE__, __LINE__, "step %d: first, last or empty differ", step);
		return false;
	}
	for (int q = 0; q < 4; q++) {
		u64 key = next_rand(m) % ((u64)NR_ITEMS * KEY_STEP + 8);
		struct item *want = model_floor(m, key), *exact = want && want->key == key ? want : NULL;

		if (item_of(avl_floor(&m->tree, key)) != want || item_of(avl_find(&m->tree, key)) != exact) {
			ktest_fail(t, __FILE__, __LINE__, "step %d: floor or find of %llu wrong", step,
				   (unsigned long long)key);
			return false;
		}
	}
	return true;
}

static bool insert_item(struct ktest *t, struct model *m, int i)
{
	struct avl_node *dup = avl_insert(&m->tree, &m->items[i].node);

	if (dup) {
		ktest_fail(t, __FILE__, __LINE__, "insert of absent key %llu refused",
			   (unsigned long long)m->items[i].key);
		return false;
	}
	m->items[i].in = 1;
	m->count++;
	return true;
}

static bool remove_item(struct ktest *t, struct model *m, int i)
{
	struct avl_node *out = avl_remove(&m->tree, m->items[i].key);

	if (out != &m->items[i].node) {
		ktest_fail(t, __FILE__, __LINE__, "remove of key %llu returned %p, not its node",
			   (unsigned long long)m->items[i].key, (void *)out);
		return false;
	}
	m->items[i].in = 0;
	m->count--;
	return true;
}

static void random_steps_match_the_model(struct ktest *t)
{
	static struct model m;

	model_init(&m, 0x9e3779b97f4a7c15ull);
	ASSERT(check_all(t, &m, 0));
	for (int step = 1; step <= 20000; step++) {
		u64 r = next_rand(&m);
		int i = (int)(r % NR_ITEMS);

		/* Lean towards inserting early and removing late, so the
		 * tree both grows full and drains. */
		if (step % 5000 == 0) {
			for (int j = 0; j < NR_ITEMS; j++)
				if (m.items[j].in)
					ASSERT(remove_item(t, &m, j));
		} else if (m.items[i].in) {
			if ((r >> 32) % 8 == 0) {
				/* A second node with an equal key is refused. */
				m.spare.key = m.items[i].key;
				ASSERT(avl_insert(&m.tree, &m.spare.node) == &m.items[i].node);
			} else {
				ASSERT(remove_item(t, &m, i));
			}
		} else {
			if ((r >> 32) % 8 == 0)
				ASSERT(avl_remove(&m.tree, m.items[i].key) == NULL);
			else
				ASSERT(insert_item(t, &m, i));
		}
		ASSERT(check_all(t, &m, step));
	}
}

/* Sorted orders make a plain binary tree a list: every insert rotates. */
static void sorted_orders_stay_balanced(struct ktest *t)
{
	static struct model m;

	model_init(&m, 1);
	for (int i = 0; i < NR_ITEMS; i++) {
		ASSERT(insert_item(t, &m, i));
		ASSERT(check_all(t, &m, i));
	}
	for (int i = 0; i < NR_ITEMS; i++) { /* lowest first: the left side empties */
		ASSERT(remove_item(t, &m, i));
		ASSERT(check_all(t, &m, i));
	}
	ASSERT(avl_empty(&m.tree));
	for (int i = NR_ITEMS - 1; i >= 0; i--) {
		ASSERT(insert_item(t, &m, i));
		ASSERT(check_all(t, &m, i));
	}
	for (int i = NR_ITEMS / 2; i < NR_ITEMS; i++) { /* from the middle up */
		ASSERT(remove_item(t, &m, i));
		ASSERT(check_all(t, &m, i));
	}
}

static void walk_stops_at_the_first_nonzero(struct ktest *t)
{
	static struct model m;
	struct walk_state w;

	model_init(&m, 2);
	for (int i = 0; i < 50; i++)
		ASSERT(insert_item(t, &m, (i * 37) % NR_ITEMS));
	w = (struct walk_state){ &m, 0, 0, 10, NULL };
	EXPECT_EQ(avl_walk(&m.tree, visit, &w), 7);
	EXPECT_EQ(w.seen, 10);
	EXPECT(w.bad == NULL);
	model_init(&m, 3);
	w = (struct walk_state){ &m, 0, 0, 1, NULL };
	EXPECT_EQ(avl_walk(&m.tree, visit, &w), 0); /* empty: nothing visited */
	EXPECT_EQ(w.seen, 0);
	EXPECT(avl_first(&m.tree) == NULL && avl_last(&m.tree) == NULL);
	EXPECT(avl_floor(&m.tree, ~0ull) == NULL && avl_remove(&m.tree, 1) == NULL);
}

KTEST_SUITE(avl, KTEST_CASE(random_steps_match_the_model), KTEST_CASE(sorted_orders_stay_balanced),
	    KTEST_CASE(walk_stops_at_the_first_nonzero));
