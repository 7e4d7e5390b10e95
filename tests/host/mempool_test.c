/*
 * mempool_test.c - host tests (suite "mempool"): memory pools
 * (include/mm/mempool.h).
 *
 * Most cases run a pool over a scripted allocator (malloc underneath; it
 * fails on demand and records the gfp of each call), so the pool's rules
 * show exactly: the allocator first and quietly, the reserve when it
 * fails, the caller's gfp last; frees refill the reserve before the
 * allocator gets anything back; resize and a failed create give back all
 * they took. The last case runs Linux's three ready-made pools (slab
 * cache, kmalloc, pages) on fake RAM with the page allocator made to fail.
 */
#include <stdlib.h>
#include <string.h>

#include <mm/fault_inject.h>
#include <mm/kmalloc.h>
#include <mm/mempool.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <tests/ktest.h>
#include "fakeram.h"
#include "host.h"

struct script {
	int allocs, frees, live;
	int fail_after;         /* the allocator fails once this many succeeded; -1: never */
	bool failing;           /* fails now, whatever fail_after says */
	gfp_t gfps[64];
	int ncalls;
};

static void *script_alloc(gfp_t gfp, void *data)
{
	struct script *s = data;

	if (s->ncalls < 64)
		s->gfps[s->ncalls] = gfp;
	s->ncalls++;
	if (s->failing || (s->fail_after >= 0 && s->allocs >= s->fail_after))
		return NULL;
	s->allocs++;
	s->live++;
	return malloc(32);
}

static struct fakeram_kmalloc saved;

/* The pool's own memory (its descriptor, the reserve's array) comes from
 * kmalloc: fake RAM and kmalloc under it. */
static struct fakeram *ram_up(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(0x80000000ull, 16ull << 20,
					    &(struct zone_limits){ 0, 0x100000, false });

	if (!fr)
		ktest_fail(t, __FILE__, __LINE__, "no fake RAM");
	else
		fakeram_kmalloc_up(&saved, KMALLOC_SLAB);
	return fr;
}

static void ram_down(struct ktest *t, struct fakeram *fr)
{
	EXPECT_EQ(fakeram_kmalloc_down(&saved), 0);
	node_drain_pages(mem_node);
	EXPECT_EQ(node_check(mem_node), 0);
	fakeram_done(fr);
}

static void script_free(void *e, void *data)
{
	struct script *s = data;

	s->frees++;
	s->live--;
	free(e);
}

/* While the allocator serves, the reserve stays whole and each allocation
 * asks it without reclaim and quietly; when it fails the reserve serves
 * min_nr allocations, then the allocator is asked with the caller's gfp,
 * then NULL. */
static void reserve_serves_when_allocator_fails(struct ktest *t)
{
	struct fakeram *fr = ram_up(t);
	struct script s = { .fail_after = -1 };
	mempool_t *pool;
	void *e[8];

	ASSERT(fr != NULL);
	pool = mempool_create(4, script_alloc, script_free, &s);
	ASSERT(pool != NULL);
	EXPECT_EQ(s.allocs, 4);
	EXPECT_EQ(s.gfps[0], GFP_KERNEL);
	s.ncalls = 0;
	e[0] = mempool_alloc(pool, GFP_KERNEL);
	ASSERT(e[0] != NULL);
	EXPECT_EQ(pool->curr_nr, 4);
	EXPECT_EQ(s.gfps[0], (gfp_t)(GFP_KERNEL | __GFP_NO_DIRECT_RECLAIM | __GFP_NORETRY | __GFP_NOWARN));
	s.failing = true;
	for (int i = 1; i <= 4; i++) {
		e[i] = mempool_alloc(pool, GFP_ATOMIC);
		ASSERT(e[i] != NULL);
		EXPECT_EQ(pool->curr_nr, 4 - i);
	}
	s.ncalls = 0;
	EXPECT(mempool_alloc(pool, GFP_ATOMIC) == NULL);
	EXPECT_EQ(s.ncalls, 2); /* quiet, then the caller's gfp */
	EXPECT_EQ(s.gfps[1], (gfp_t)GFP_ATOMIC);
	EXPECT_EQ(pool->nr_alloc_reserve, 4ul);
	EXPECT_EQ(pool->nr_alloc_failed, 1ul);
	EXPECT_EQ(mempool_check(pool), 0);
	/* frees refill the reserve first, then go to the allocator */
	for (int i = 0; i <= 4; i++) {
		mempool_free(e[i], pool);
		EXPECT_EQ(pool->curr_nr, MIN(i + 1, 4));
		EXPECT_EQ(s.frees, i < 4 ? 0 : 1);
	}
	EXPECT_EQ(mempool_check(pool), 0);
	mempool_free(NULL, pool);
	mempool_destroy(pool);
	EXPECT_EQ(s.live, 0);
	ram_down(t, fr);
}

/* A double free into the reserve is refused and named; NULL pools and bad
 * counts are refused. */
static void refused_calls(struct ktest *t)
{
	struct fakeram *fr = ram_up(t);
	struct script s = { .fail_after = -1 };
	mempool_t *pool;
	struct fr_capture cap;
	char out[1024];
	void *e;

	ASSERT(fr != NULL);
	pool = mempool_create(3, script_alloc, script_free, &s);
	ASSERT(pool != NULL);
	s.failing = true;
	e = mempool_alloc(pool, GFP_KERNEL);
	ASSERT(e != NULL);
	mempool_free(e, pool);
	fr_capture_start(&cap);
	mempool_free(e, pool);
	mempool_free(e, NULL);
	EXPECT(mempool_alloc(NULL, GFP_KERNEL) == NULL);
	EXPECT_EQ(mempool_resize(pool, 0), -EINVAL);
	EXPECT(mempool_create(0, script_alloc, script_free, &s) == NULL);
	EXPECT(mempool_create(2, NULL, script_free, &s) == NULL);
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(strstr(out, "already in the pool's reserve (a double free); nothing changed") != NULL);
	EXPECT_EQ(fr_count_substr(out, "no pool"), 2);
	EXPECT(strstr(out, "min_nr below 1") != NULL);
	EXPECT(strstr(out, "no allocator given") != NULL);
	EXPECT_EQ(pool->curr_nr, 3);
	EXPECT_EQ(pool->min_nr, 3);
	EXPECT_EQ(mempool_check(pool), 0);
	mempool_destroy(pool);
	EXPECT_EQ(s.live, 0);
	ram_down(t, fr);
}

/* A create whose allocator runs dry gives back what it took. */
static void create_fails_cleanly(struct ktest *t)
{
	struct fakeram *fr = ram_up(t);
	struct script s = { .fail_after = 3 };

	ASSERT(fr != NULL);
	EXPECT(mempool_create(5, script_alloc, script_free, &s) == NULL);
	EXPECT_EQ(s.allocs, 3);
	EXPECT_EQ(s.frees, 3);
	EXPECT_EQ(s.live, 0);
	ram_down(t, fr);
}

/* Resize: growing fills the reserve now (or changes nothing when the
 * allocator fails), shrinking gives the extra elements back; elements out
 * at the time come back into the resized reserve. */
static void resize(struct ktest *t)
{
	struct fakeram *fr = ram_up(t);
	struct script s = { .fail_after = -1 };
	mempool_t *pool;
	void *out[3];

	ASSERT(fr != NULL);
	pool = mempool_create(4, script_alloc, script_free, &s);
	ASSERT(pool != NULL);
	s.failing = true;
	for (int i = 0; i < 3; i++)
		out[i] = mempool_alloc(pool, GFP_KERNEL);
	EXPECT_EQ(pool->curr_nr, 1);
	EXPECT_EQ(mempool_resize(pool, 10), -ENOMEM);
	EXPECT_EQ(pool->min_nr, 4);
	EXPECT_EQ(pool->curr_nr, 1);
	s.failing = false;
	EXPECT_EQ(mempool_resize(pool, 10), 0);
	EXPECT_EQ(pool->min_nr, 10);
	EXPECT_EQ(pool->curr_nr, 10);
	EXPECT_EQ(s.live, 13);
	EXPECT_EQ(mempool_check(pool), 0);
	EXPECT_EQ(mempool_resize(pool, 2), 0);
	EXPECT_EQ(pool->curr_nr, 2);
	EXPECT_EQ(s.live, 5);
	for (int i = 0; i < 3; i++)
		mempool_free(out[i], pool); /* the reserve is full: to the allocator */
	EXPECT_EQ(s.live, 2);
	EXPECT_EQ(mempool_check(pool), 0);
	mempool_destroy(pool);
	EXPECT_EQ(s.live, 0);
	ram_down(t, fr);
}

/* Linux's ready-made pools over rvmm's allocators, with the allocators
 * made to fail: each still hands out its reserve, and the elements are
 * real ones (their allocator takes them back at destroy). */
static void ready_made_pools(struct ktest *t)
{
	struct fakeram *fr = ram_up(t);
	struct kmem_cache *c;
	mempool_t *ps, *pk, *pp;
	void *so[3], *ko[3];
	struct page *pg[3];

	ASSERT(fr != NULL);
	c = kmem_cache_create("mempool-test", 96, 0, 0, NULL);
	ASSERT(c != NULL);
	ps = mempool_create_slab_pool(2, c);
	pk = mempool_create_kmalloc_pool(2, 300);
	pp = mempool_create_page_pool(2, 1);
	ASSERT(ps && pk && pp);
	EXPECT_EQ(fault_inject_set(&failslab, "1,verbose=0"), 0);
	EXPECT_EQ(fault_inject_set(&fail_page_alloc, "1,verbose=0"), 0);
	for (int i = 0; i < 3; i++) {
		so[i] = mempool_alloc(ps, GFP_KERNEL);
		ko[i] = mempool_alloc(pk, GFP_KERNEL);
		pg[i] = mempool_alloc(pp, GFP_KERNEL);
	}
	fault_inject_clear(&failslab);
	fault_inject_clear(&fail_page_alloc);
	EXPECT(so[0] && so[1] && !so[2]);
	EXPECT(ko[0] && ko[1] && !ko[2]);
	EXPECT(pg[0] && pg[1] && !pg[2]);
	EXPECT_EQ(page_order(pg[0]), 1u);
	EXPECT(ksize(ko[0]) >= 300);
	for (int i = 0; i < 2; i++) {
		mempool_free(so[i], ps);
		mempool_free(ko[i], pk);
		mempool_free(pg[i], pp);
	}
	EXPECT_EQ(ps->curr_nr + pk->curr_nr + pp->curr_nr, 6);
	mempool_destroy(ps);
	mempool_destroy(pk);
	mempool_destroy(pp);
	EXPECT_EQ(kmem_cache_check(c), 0);
	kmem_cache_destroy(c);
	ram_down(t, fr);
}

KTEST_SUITE(mempool, KTEST_CASE(reserve_serves_when_allocator_fails), KTEST_CASE(refused_calls),
	    KTEST_CASE(create_fails_cleanly), KTEST_CASE(resize), KTEST_CASE(ready_made_pools));
