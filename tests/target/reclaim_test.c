/*
 * reclaim_test.c - watermarks, background reclaim, cache_reap and the gfp
 * reclaim rules on the target (suites "reclaim" and "reclaim_pressure";
 * mm/reclaim.c, include/mm/reclaim.h, docs/memory.md).
 *
 * ktests run with background reclaim and cache_reap off (boot/selftest.c);
 * each case here turns on what it tests and restores the setting.
 *
 * reclaim:
 *   kswapd_wakes_and_ends_above_high  a hart's magazines (one cache's, or
 *       several where the zone's gap from low to high is wider than a
 *       magazine holds: ZONE_NORMAL from about 32 GiB) hold enough slab
 *       pages to lift the zone from below low to above high; the boot hart
 *       takes the zone across low once: exactly one wakeup, and background
 *       reclaim (on the other harts' ticks, or the console loop's tick on
 *       one hart) ends with the zone above high and the magazines empty.
 *   atomic_below_min  after GFP_KERNEL has taken everything it may, GFP_KERNEL
 *       fails and GFP_ATOMIC succeeds, down to exactly 3/8 of min in each
 *       zone (plus lowmem_reserve); with a Normal zone, GFP_DMA32 still gets
 *       the DMA32 pages lowmem_reserve kept from GFP_KERNEL.
 *   reap_empties_idle_hart_in_two_ticks  an idle hart's magazine of 4
 *       (limit 10: a fifth is 2) is empty after exactly two of its reaps
 *       that took from it, and holds 2 after one (a reap that found the
 *       cache list locked by another hart's takes nothing: it was seen
 *       under make test's load).
 * reclaim_pressure:
 *   every_hart_at_95_percent  95% of memory held, then the stress run on
 *       every hart at once with background reclaim and cache_reap on: no
 *       deadlock (the run ends), no error, no leak, and the low watermark
 *       woke background reclaim. tests/qemu/reliability-checks.sh runs it
 *       under fail_page_alloc= too.
 */
#include <boot/hart.h>
#include <boot/ktime.h>
#include <lib/list.h>
#include <mm/fault_inject.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <mm/reclaim.h>
#include <mm/slab.h>
#include <tests/ktest.h>
#include <tests/stress.h>

#define WAIT_POLL_US 1000
#define WAIT_LIMIT_US 10000000

static struct list_head held = LIST_HEAD_INIT(held);

static void hold(struct page *page, unsigned int order)
{
	page->priv = order;
	list_add(&page->lru, &held);
}

static void release_all(void)
{
	while (!list_empty(&held)) {
		struct page *page = list_first_entry(&held, struct page, lru);

		list_del(&page->lru);
		__free_pages(page, (unsigned int)page->priv);
		page->priv = 0;
	}
}

static void shrink_here(void *arg)
{
	(void)arg;
	kmem_cache_shrink_all();
}

/* Every hart's magazines and free slabs back, every page list drained. */
static void settle(void)
{
	on_each_hart(shrink_here, NULL);
	node_drain_pages(mem_node);
}

/* The zone GFP_KERNEL tries first. */
static struct zone *kernel_zone(void)
{
	return mem_node->fast_zone[0];
}

/* Hold blocks of @z's, largest first, while it keeps more than @floor
 * buddy pages after the block. GFP_NOWAIT: no direct reclaim may empty the
 * magazines the case filled; a block of another zone (@z has none of that
 * order left) ends that order. */
static void hog_zone_to(struct zone *z, unsigned long floor)
{
	for (int o = MAX_ORDER - 2; o >= 0; o--) {
		unsigned long size = 1ul << o;

		while (z->free_pages > floor + size + (unsigned long)z->pcp[0].batch) {
			struct page *p = alloc_pages(GFP_NOWAIT | __GFP_NOWARN, (unsigned int)o);

			if (!p)
				break;
			hold(p, (unsigned int)o);
			if (page_zonenum(p) != z->id)
				break;
		}
	}
}

static long mag_count(struct kmem_cache *c, unsigned int cpu)
{
	long n;

	kmem_cache_magazine(c, cpu, &n);
	return n;
}

struct fill {
	struct kmem_cache *c;
	unsigned int allocs, frees;
	void **objs;
};

/* On the hart it runs on: @allocs objects out, the first @frees back. */
static void fill_here(void *arg)
{
	struct fill *f = arg;

	for (unsigned int i = 0; i < f->allocs; i++)
		f->objs[i] = kmem_cache_alloc(f->c, GFP_KERNEL);
	for (unsigned int i = 0; i < f->frees; i++)
		if (f->objs[i])
			kmem_cache_free(f->c, f->objs[i]);
}

static void free_rest_here(void *arg)
{
	struct fill *f = arg;

	for (unsigned int i = f->frees; i < f->allocs; i++)
		if (f->objs[i])
			kmem_cache_free(f->c, f->objs[i]);
}

/* slab_debug= on the case's cache makes it a debug cache: no magazines to
 * fill (and no room for a 32 KiB object's red zones and tracks). */
static bool skip_debug_cache(struct ktest *t, const char *name)
{
	if (!slab_debug_flags_for(name))
		return false;
	ktest_skip(t, "slab_debug= makes %s a debug cache, which has no magazines", name);
	return true;
}

static bool skip_under_fault_injection(void)
{
	if (!fail_page_alloc.active && !failslab.active)
		return false;
	kprintf("    # exact counts: not under fault injection\n");
	return true;
}

/* ---- background reclaim -------------------------------------------------- */

#define BIG_OBJ (PAGE_SIZE << 3) /* order-3 slabs of one object: 8 pages each */
/* A magazine holds at most SLAB_MAX_LIMIT objects: a zone whose gap from
 * low to high is wider (Normal from about 32 GiB: the gap is 0.1% of the
 * zone) needs the magazines of several caches. */
#define BIG_CACHES 8
static void *big_objs[BIG_CACHES][SLAB_MAX_LIMIT];

static void destroy_caches(struct kmem_cache **c, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (c[i])
			kmem_cache_destroy(c[i]);
}

static void kswapd_wakes_and_ends_above_high(struct ktest *t)
{
	unsigned int src = nr_harts > 1 ? 1 : 0;
	struct zone *z = kernel_zone();
	unsigned long need, mag, ncaches, wake0, bal0, steal0, waited = 0;
	bool bg = mm_background_set(false);
	unsigned long reap = slab_reap_set_interval_ms(0);
	struct kmem_cache *c[BIG_CACHES] = { NULL };
	struct fill f;

	if (skip_under_fault_injection() || skip_debug_cache(t, "reclaim-32k"))
		goto out;
	/* Pages the magazines must give back: from below low (less what the
	 * last refill takes) to above high, with a margin. */
	need = z->watermark[WMARK_HIGH] - z->watermark[WMARK_LOW] + 4ul * (unsigned long)z->pcp[0].batch + 64;
	ncaches = DIV_ROUND_UP(need / 8 + 1, SLAB_MAX_LIMIT);
	mag = DIV_ROUND_UP(need / 8 + 1, ncaches);
	if (ncaches > BIG_CACHES) {
		ktest_skip(t, "%lu pages from low to high need more than %u magazines", need, BIG_CACHES);
		goto out;
	}
	for (unsigned long i = 0; i < ncaches; i++) {
		c[i] = kmem_cache_create("reclaim-32k", BIG_OBJ, 0, SLAB_NOSLOB, NULL); /* (magazines) */
		EXPECT(c[i] != NULL);
		if (!c[i])
			goto out;
		EXPECT_EQ(kmem_cache_tune(c[i], (unsigned int)mag, (unsigned int)mag), 0);
	}
	settle();
	for (unsigned long i = 0; i < ncaches; i++) {
		f = (struct fill){ c[i], (unsigned int)mag, (unsigned int)mag, big_objs[i] };
		on_hart(src, fill_here, &f);
		EXPECT_EQ(mag_count(c[i], src), (long)mag);
	}
	/* Down to just above low with reclaim off: no wakeup yet. */
	hog_zone_to(z, z->watermark[WMARK_LOW] + 2ul * (unsigned long)z->pcp[0].batch);
	node_drain_pages(mem_node);
	EXPECT(z->free_pages >= z->watermark[WMARK_LOW]);
	wake0 = vm_events[KSWAPD_WAKEUP];
	bal0 = vm_events[KSWAPD_BALANCED];
	steal0 = vm_events[PGSTEAL_KSWAPD] + vm_events[DRAIN_PAGES];
	mm_background_set(true);
	/* Across low, page by page, until it wakes (once). */
	while (vm_events[KSWAPD_WAKEUP] == wake0) {
		struct page *p = alloc_pages(GFP_NOWAIT | __GFP_NOWARN, 0);

		EXPECT(p != NULL);
		if (!p)
			break;
		hold(p, 0);
	}
	/* Background reclaim runs on the other harts' ticks (they were
	 * kicked); with one hart, on the console loop's tick. */
	while (vm_events[KSWAPD_BALANCED] == bal0 && waited < WAIT_LIMIT_US) {
		if (nr_harts == 1)
			idle_tick(WAIT_POLL_US);
		else
			sleep_us(WAIT_POLL_US);
		waited += WAIT_POLL_US;
	}
	EXPECT_EQ(vm_events[KSWAPD_WAKEUP], wake0 + 1);
	EXPECT_EQ(vm_events[KSWAPD_BALANCED], bal0 + 1);
	EXPECT(z->free_pages > z->watermark[WMARK_HIGH]);
	for (unsigned long i = 0; i < ncaches; i++)
		EXPECT_EQ(mag_count(c[i], src), 0);
	/* The pages came back through the shrinkers in background reclaim
	 * or through the drain it asked of the magazines' hart. */
	EXPECT(vm_events[PGSTEAL_KSWAPD] + vm_events[DRAIN_PAGES] - steal0 >= ncaches * mag * 8);
out:
	mm_background_set(false);
	release_all();
	destroy_caches(c, BIG_CACHES);
	settle();
	EXPECT_EQ(node_check(mem_node), 0);
	slab_reap_set_interval_ms(reap);
	mm_background_set(bg);
}

/* ---- GFP_ATOMIC below min, lowmem_reserve --------------------------------- */

static void take_all(gfp_t gfp)
{
	for (int o = MAX_ORDER - 1; o >= 0; o--) {
		struct page *p;

		while ((p = alloc_pages(gfp | __GFP_NOWARN | __GFP_NORETRY, (unsigned int)o)) != NULL)
			hold(p, (unsigned int)o);
	}
}

static void atomic_below_min(struct ktest *t)
{
	bool bg = mm_background_set(false);
	bool has_normal = populated_zone(&mem_node->zones[ZONE_NORMAL]);
	unsigned long free_before[MAX_NR_ZONES];
	struct page *p;

	if (skip_under_fault_injection())
		goto out;
	settle();
	take_all(GFP_KERNEL);
	node_drain_pages(mem_node);
	EXPECT(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0) == NULL);
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &mem_node->zones[zi];

		if (populated_zone(z))
			EXPECT(z->free_pages <= z->watermark[WMARK_MIN] + z->lowmem_reserve[ZONE_NORMAL]);
	}
	if (has_normal) {
		/* lowmem_reserve kept DMA32 for requests that need it. */
		p = alloc_pages(GFP_DMA32 | __GFP_NOWARN, 0);
		EXPECT(p != NULL);
		if (p)
			__free_pages(p, 0);
	}
	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		free_before[zi] = mem_node->zones[zi].free_pages;
	p = alloc_pages(GFP_ATOMIC, 0);
	EXPECT(p != NULL);
	if (p)
		hold(p, 0);
	take_all(GFP_ATOMIC);
	node_drain_pages(mem_node);
	EXPECT(alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 0) == NULL);
	EXPECT(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0) == NULL);
	/* Each zone down to exactly its GFP_ATOMIC floor: min less half,
	 * less a quarter of the rest, plus what it keeps from requests that
	 * could have used a higher zone; a zone that had no more than that
	 * (a small ZONE_DMA under the reserve of a big DMA32) gave nothing. */
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &mem_node->zones[zi];
		unsigned long floor = (unsigned long)gfp_watermark(z->watermark[WMARK_MIN], GFP_ATOMIC) +
				      z->lowmem_reserve[ZONE_NORMAL];

		if (populated_zone(z))
			EXPECT_EQ(z->free_pages, MIN(floor, free_before[zi]));
	}
	release_all();
	settle();
	EXPECT_EQ(node_check(mem_node), 0);
out:
	mm_background_set(bg);
}

/* ---- cache_reap ------------------------------------------------------------- */

#define REAP_MS 20
static void *small_objs[5];

/* The magazine count and completed reap runs of @cpu, read between two
 * runs (the reap's seqcount: not while one is changing the magazine). */
static void reap_state(struct kmem_cache *c, unsigned int cpu, unsigned long *runs, long *count)
{
	unsigned long seq;

	do {
		seq = slab_reap_seq_on(cpu);
		*count = mag_count(c, cpu);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) || slab_reap_seq_on(cpu) != seq);
	*runs = seq / 2;
}

static void reap_empties_idle_hart_in_two_ticks(struct ktest *t)
{
	unsigned int src = nr_harts > 1 ? 1 : 0;
	bool bg = mm_background_set(true);
	unsigned long reap = slab_reap_set_interval_ms(REAP_MS), runs0, runs, waited = 0, last_runs;
	struct kmem_cache *c = NULL;
	struct fill f;
	long count0, count = -1, last;
	unsigned int takes = 0;

	if (skip_debug_cache(t, "reclaim-reap"))
		goto out;
	c = kmem_cache_create("reclaim-reap", 128, 0, SLAB_NOSLOB, NULL);
	f = (struct fill){ c, 5, 4, small_objs };
	EXPECT(c != NULL);
	if (!c)
		goto out;
	EXPECT_EQ(kmem_cache_tune(c, 10, 5), 0);
	/* Five out (one refill of five), four back: a magazine of 4. */
	on_hart(src, fill_here, &f);
	reap_state(c, src, &runs0, &count0);
	if (count0 != 4) /* its reap came first (a slow host): go again */
		kprintf("    # magazine at %ld after the fill\n", count0);
	EXPECT(count0 >= 1 && count0 <= 4);
	/* Each reap that takes this cache's lock takes its share; one that
	 * finds the chain or the cache locked (another hart's reap, on a
	 * loaded host) leaves it for the next: only the reaps that took
	 * something count. */
	for (last = count0, last_runs = runs0;;) {
		if (src == 0) {
			sleep_us(REAP_MS * 1000);
			idle_tick(REAP_MS * 1000); /* the console loop's tick */
		} else {
			sleep_us(WAIT_POLL_US);
			if (!time_timer_works())
				idle_tick(WAIT_POLL_US); /* kicks the others when due */
		}
		waited += src == 0 ? REAP_MS * 1000 : WAIT_POLL_US;
		reap_state(c, src, &runs, &count);
		if (count != last) {
			/* A fifth of 10 is 2: 4 -> 2 -> 0; 1 or 2 -> 0. On a
			 * loaded host two reaps may run between two looks
			 * (4 -> 0): each that took took 2, and no more took
			 * than ran. */
			long k = (last - count + 1) / 2;

			EXPECT_EQ(count, last > 2 * k ? last - 2 * k : 0);
			EXPECT(k >= 1 && (unsigned long)k <= runs - last_runs);
			last = count;
			takes += (unsigned int)k;
		}
		last_runs = runs;
		if (count == 0 || waited >= WAIT_LIMIT_US)
			break;
	}
	EXPECT_EQ(count, 0);
	EXPECT(takes <= 2);
	if (runs - runs0 > takes)
		kprintf("    # %lu reaps ran, %u took from the magazine\n", runs - runs0, takes);
	on_hart(src, free_rest_here, &f);
	kmem_cache_destroy(c);
out:
	slab_reap_set_interval_ms(reap);
	mm_background_set(bg);
}

KTEST_SUITE(reclaim, KTEST_CASE(kswapd_wakes_and_ends_above_high), KTEST_CASE(atomic_below_min),
	    KTEST_CASE(reap_empties_idle_hart_in_two_ticks));

/* ---- every hart under pressure --------------------------------------------- */

#define PRESSURE_OPS 100000

/* Is a zone at or below its low mark (background reclaim woken for it)? */
static bool a_zone_below_low(void)
{
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &mem_node->zones[zi];

		if (populated_zone(z) && z->free_pages + zone_pcp_count(z) <= z->watermark[WMARK_LOW])
			return true;
	}
	return false;
}

static void every_hart_at_95_percent(struct ktest *t)
{
	bool bg = mm_background_set(true);
	unsigned long reap = slab_reap_set_interval_ms(50), managed = 0, low = 0, min = 0, wake0, wake_fill;
	unsigned long fill_to;
	struct stress_result r;

	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		managed += mem_node->zones[zi].managed_pages;
		low += mem_node->zones[zi].watermark[WMARK_LOW];
		min += mem_node->zones[zi].watermark[WMARK_MIN];
	}
	/* 5% free, or the min marks where they are higher (below 8 MiB of RAM:
	 * a GFP_KERNEL request never takes a zone below its min mark). */
	fill_to = managed / 20 > min ? managed / 20 : min;
	settle();
	wake_fill = vm_events[KSWAPD_WAKEUP];
	for (int o = MAX_ORDER - 2; o >= 0; o--) {
		unsigned int injected = 0;

		while (nr_free_pages() > fill_to + (1ul << o)) {
			struct page *p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, (unsigned int)o);

			/* (fail_page_alloc= fails some of these: go on) */
			if (!p && fail_page_alloc.active && ++injected < 1000)
				continue;
			if (!p)
				break;
			hold(p, (unsigned int)o);
		}
	}
	EXPECT(nr_free_pages() <= fill_to + 1);
	/* The blocks of orders 1 to 3 the fill's refills left on this hart's
	 * lists back to the zones, where the low marks count them. */
	node_drain_pages(mem_node);
	/* On a small machine the run starts 32 pages above the low marks, so
	 * that the harts' first refills cross them whatever their magazines
	 * hold (the wakeup is asserted below). */
	if (managed <= (256ul << 20) / PAGE_SIZE) {
		unsigned int injected = 0;

		while (nr_free_pages() > low + 32) {
			struct page *p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0);

			/* (fail_page_alloc= fails some of these: go on, as above) */
			if (!p && fail_page_alloc.active && ++injected < 1000)
				continue;
			if (!p)
				break;
			hold(p, 0);
		}
	}
	kprintf("    # %lu of %lu pages free before the run\n", nr_free_pages(), managed);
	/* A machine so small that 5% free is already below the low marks
	 * (8 MiB) crossed them while filling, and so did a zone GFP_KERNEL
	 * takes below its low mark while a lower zone keeps its lowmem
	 * reserve (a ZONE_DMA): count the wakeups from there. */
	wake0 = nr_free_pages() <= low || a_zone_below_low() ? wake_fill : vm_events[KSWAPD_WAKEUP];
	EXPECT_EQ(stress_run(PRESSURE_OPS, 11, NULL, &r), 0);
	stress_print(&r);
	EXPECT_EQ(r.ops, PRESSURE_OPS);
	EXPECT_EQ(r.errors, 0);
	EXPECT_EQ(r.leaked_pages, 0);
	EXPECT_EQ(r.harts, nr_harts);
	EXPECT(r.allocs > 0);
	/* The harts' live objects take the zone below low (a big machine's
	 * run starts at 5% free, which one run's objects may not cross). */
	if (managed <= (256ul << 20) / PAGE_SIZE)
		EXPECT(vm_events[KSWAPD_WAKEUP] > wake0);
	mm_background_set(false);
	release_all();
	settle();
	EXPECT_EQ(node_check(mem_node), 0);
	slab_reap_set_interval_ms(reap);
	mm_background_set(bg);
}

KTEST_SUITE(reclaim_pressure, KTEST_CASE(every_hart_at_95_percent));
