/*
 * slab-policy-model.c - which partial slab a refill takes from, with and
 * without magazines, on the `mixed` workload (bench/workloads.c), without
 * running the allocator.
 *
 * It replays mixed's request sequence (the same xorshift64 seed, 4096
 * slots, 200000 steps, the kernel size table, the 32 kmalloc classes and
 * mm/slab.c's order rule) through a model of the slab layer of mm/slab.c on
 * one hart: per class a magazine (an array stack of `limit` objects,
 * refilled and flushed a batch at a time), a depot of `depot` objects, the
 * slab lists and the free-slab rule (a free slab goes back to the page
 * allocator when a flush leaves more than free_limit free objects in the
 * slabs). Objects are not laid out: the model only tracks which slab each
 * one is in, which is all that decides when a slab empties. What it prints
 * per placement policy and cache setting: the peak of slab pages and its
 * overhead over the peak of live requested bytes (the bench's overhead_pct
 * without the descriptors and magazine arrays, a few KiB), and the slow
 * paths taken (refills, flushes, slabs grown).
 *
 * Placement policies (where a refill takes objects from):
 *   lifo     the partial list's head: the slab that last went from full to
 *            partial (mm/slab.c);
 *   fullest  the partial slab with the most objects in use (address-ordered
 *            and mimalloc-style "fullest first" placement), exactly;
 *   two      two partial lists, dense (at least half in use) before sparse,
 *            each newest first: the O(1) approximation of fullest.
 * Cache settings: none (no magazine, no depot, a free slab goes back at
 * once: placement alone), before (magazines of at most 4 KiB of objects
 * but at least 4, a depot of two batches, free_limit of two batches and a
 * slab) and now (at least 6, one for objects of a page or more, the depot
 * at most 4 KiB of objects as mm/slab.c's default_depot_batches).
 * Build and run on the host:
 *
 *     cc -O2 -o /tmp/slab-policy-model scripts/slab-policy-model.c && /tmp/slab-policy-model
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mixed-requests.h"
#include "slab-order.h"

/* mm/kmalloc.c: kmalloc_sizes. */
static const unsigned int classes[] = {
	16,   32,   48,   64,   80,   96,   112,  128,  160,  192,  224,
	256,  320,  384,  448,  512,  640,  768,  896,  1024, 1280, 1536,
	1792, 2048, 2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192,
};
#define NCLASSES (sizeof(classes) / sizeof(classes[0]))

#define PAGE 4096ul
#define MAX_SLABS 1024 /* per class; mixed needs at most about 60 */

enum policy { LIFO, FULLEST, TWO_LISTS };
enum caches { NONE, BEFORE, NOW };

struct cls {
	unsigned int size, order, per;      /* geometry */
	unsigned int limit, batch, depot;   /* magazine and depot capacities */
	unsigned long free_limit;
	int inuse[MAX_SLABS], list[MAX_SLABS];
	unsigned long stamp[MAX_SLABS];     /* when it last changed list: newest first */
	int mag[512], nmag, dep[512], ndep; /* slab of each cached object */
	unsigned long free_objects;
};

static struct cls cl[NCLASSES];
static enum policy policy;
static unsigned long clock_, pages, refills, flushes, grows;

#include "slab-lists.h"

static struct cls *class_of(unsigned int size)
{
	for (unsigned int i = 0; i < NCLASSES; i++)
		if (size <= classes[i])
			return &cl[i];
	return &cl[NCLASSES - 1];
}

/* mm/slab.c's order rule at 1/8 waste (scripts/slab-order.h). */
static unsigned int slab_order(unsigned int size)
{
	return model_slab_order(size, PAGE, 8);
}

static void setup(enum caches caches)
{
	for (unsigned int i = 0; i < NCLASSES; i++) {
		struct cls *c = &cl[i];
		unsigned int s = classes[i], linux_limit = s > PAGE ? 8 : s > 1024 ? 24 : s > 256 ? 54 : 120;
		unsigned int min = caches == NOW ? (s >= PAGE ? 1 : 6) : 4, by_bytes = 4096 / s;
		unsigned int batches = 2;

		*c = (struct cls){ .size = s, .order = slab_order(s) };
		c->per = (unsigned int)((PAGE << c->order) / s);
		if (caches != NONE) {
			c->limit = by_bytes > min ? by_bytes : min;
			if (c->limit > linux_limit)
				c->limit = linux_limit;
			c->batch = (c->limit + 1) / 2;
			if (caches == NOW) /* mm/slab.c: default_depot_batches */
				batches = s > 4096 ? 0 : 2ul * c->batch * s <= 4096 ? 2 : 1;
			c->depot = batches * c->batch;
			c->free_limit = 2ul * c->batch + c->per; /* one hart */
		}
	}
	clock_ = pages = refills = flushes = grows = 0;
}

/* Is slab a a better place to take from than slab b (both partial)? */
static int better(const struct cls *c, int a, int b)
{
	int dense_a = 2 * c->inuse[a] >= (int)c->per, dense_b = 2 * c->inuse[b] >= (int)c->per;

	switch (policy) {
	case FULLEST:
		if (c->inuse[a] != c->inuse[b])
			return c->inuse[a] > c->inuse[b];
		break;
	case TWO_LISTS:
		if (dense_a != dense_b)
			return dense_a;
		break;
	case LIFO:
		break;
	}
	return c->stamp[a] > c->stamp[b];
}

/* A slab with a free object: partial ones by the policy, then the newest
 * free one; -1 if none. */
static int slab_with_free(const struct cls *c)
{
	int best = -1;

	for (int s = 0; s < MAX_SLABS; s++)
		if (c->list[s] == PARTIAL && (best < 0 || better(c, s, best)))
			best = s;
	if (best >= 0)
		return best;
	for (int s = 0; s < MAX_SLABS; s++)
		if (c->list[s] == FREE && (best < 0 || c->stamp[s] > c->stamp[best]))
			best = s;
	return best;
}

static int grow(struct cls *c)
{
	return new_slab(c, "slab-policy-model");
}

/* Take up to n objects from the slabs (at least one: grows when needed)
 * onto dst; returns how many. */
static int take_from_slabs(struct cls *c, int *dst, int n)
{
	int got = 0;

	while (got < n) {
		int s = slab_with_free(c), k;

		if (s < 0) {
			if (got)
				break;
			s = grow(c);
		}
		k = (int)c->per - c->inuse[s];
		if (k > n - got)
			k = n - got;
		for (int i = 0; i < k; i++)
			dst[got++] = s;
		c->inuse[s] += k;
		c->free_objects -= (unsigned long)k;
		relist(c, s);
	}
	return got;
}

static void to_slab(struct cls *c, int s)
{
	c->inuse[s]--;
	c->free_objects++;
	relist(c, s);
}

static int model_alloc(struct cls *c)
{
	int one;

	if (!c->limit) {
		take_from_slabs(c, &one, 1);
		return one;
	}
	if (!c->nmag) {
		refills++;
		if (c->ndep) {
			refill_from_depot(c);
		} else {
			c->nmag = take_from_slabs(c, c->mag, (int)c->batch);
		}
	}
	return c->mag[--c->nmag];
}

static void model_free(struct cls *c, int s)
{
	if (!c->limit) {
		to_slab(c, s);
		trim_free_slabs(c);
		return;
	}
	if (c->nmag == (int)c->limit) { /* full: its newest batch, depot first */
		int room = (int)c->depot - c->ndep, n = (int)c->batch;

		flushes++;
		c->nmag -= n;
		for (int i = 0; i < n; i++) {
			if (room-- > 0)
				c->dep[c->ndep++] = c->mag[c->nmag + i];
			else
				to_slab(c, c->mag[c->nmag + i]);
		}
		trim_free_slabs(c);
	}
	c->mag[c->nmag++] = s;
}

static void run(enum policy p, enum caches caches, const char *name)
{
	static const char *const pname[] = { "lifo", "fullest", "two lists" };
	static unsigned int table[SLOTS];
	static int where[SLOTS];
	unsigned long live = 0, peak_live = 0, peak_pages = 0;
	uint64_t x = SEED;

	policy = p;
	setup(caches);
	for (unsigned int i = 0; i < SLOTS; i++)
		table[i] = 0;
	for (unsigned int step = 0; step < STEPS; step++) {
		unsigned int slot = (unsigned int)(xorshift64(&x) % SLOTS), size = table[slot];

		if (size) {
			live -= size;
			table[slot] = 0;
			model_free(class_of(size), where[slot]);
		} else {
			size = pick_size(xorshift64(&x));
			table[slot] = size;
			live += size;
			where[slot] = model_alloc(class_of(size));
			if (live > peak_live)
				peak_live = live;
		}
		if (pages > peak_pages)
			peak_pages = pages;
	}
	printf("caches %-6s placement %-9s: live %lu KiB, slab pages at most %lu KiB (%.1f%%); "
	       "refills %lu, flushes %lu, slabs grown %lu\n", name, pname[p], peak_live >> 10,
	       peak_pages * PAGE >> 10,
	       100.0 * (double)(peak_pages * PAGE - peak_live) / (double)peak_live, refills, flushes,
	       grows);
}

int main(void)
{
	static const char *const cname[] = { "none", "before", "now" };

	for (int caches = NONE; caches <= NOW; caches++)
		for (int p = LIFO; p <= TWO_LISTS; p++)
			run((enum policy)p, (enum caches)caches, cname[caches]);
	return 0;
}
