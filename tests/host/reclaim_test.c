/*
 * reclaim_test.c - host tests of mm/reclaim.c and slab_cache_reap (suite
 * "reclaim"): cache_reap's drain_array arithmetic, cache_reap from the
 * tick, background reclaim woken by the low watermark and ended above high,
 * drains posted to other harts, and the gfp reclaim modifiers.
 *
 * Each case runs on 64 MiB of fake RAM (one zone, DMA32) with a fresh
 * kmalloc (slab backend, no cache yet). Harts are simulated with
 * host_set_cpu(): each cpu number has its own magazines, and a hart "ticks"
 * when the case calls mm_tick() as that cpu (the host port has no idle loop
 * and port_kick_cpu does nothing, so posted work waits for that call).
 *
 * The expected numbers come from the rules (reclaim.h, gfp.h), not from
 * running the code: drain_array gives back (limit + 4) / 5 objects, or half
 * of what is left (rounded up) when that is fewer.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/mm_report.h>
#include <mm/mmzone.h>
#include <mm/reclaim.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include <tests/ktest.h>
#include "fakeram.h"
#include "host.h"

#define RAM 0x80000000ull
#define RAM_SIZE (64ull << 20)

static const struct zone_limits lim_4g = { 0, (1ull << 32) >> PAGE_SHIFT, false };

struct fx {
	struct fakeram *fr;
	struct zone *z;
	struct slob_heap saved_heap;
	enum kmalloc_backend saved_backend;
	struct kmem_cache *saved_caches[KMALLOC_NR_CACHES];
	unsigned long saved_reap_ms;
	bool saved_background;
};

static struct fx fx;

static bool fx_setup(struct ktest *t)
{
	struct fx *f = &fx;

	memset(f, 0, sizeof(*f));
	f->fr = fakeram_simple(RAM, RAM_SIZE, &lim_4g);
	if (!f->fr) {
		ktest_fail(t, __FILE__, __LINE__, "no fake RAM or node_init failed");
		return false;
	}
	f->z = &mem_node->zones[ZONE_DMA32];
	f->saved_heap = kmalloc_heap;
	f->saved_backend = kmalloc_backend;
	memcpy(f->saved_caches, kmalloc_caches, sizeof(f->saved_caches));
	memset(kmalloc_caches, 0, sizeof(kmalloc_caches));
	kmalloc_set_backend(KMALLOC_SLAB);
	kmalloc_init();
	f->saved_background = mm_background_set(true);
	f->saved_reap_ms = slab_reap_set_interval_ms(SLAB_REAP_DEFAULT_MS);
	/* Whatever earlier suites woke on their nodes: this node is balanced. */
	kswapd_run(mem_node);
	/* Drains earlier suites posted for cpus that never ticked. */
	for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++) {
		host_set_cpu(cpu);
		mm_tick(0);
	}
	host_set_cpu(0);
	slab_reap_set_interval_ms(SLAB_REAP_DEFAULT_MS);
	return true;
}

static void fx_teardown(struct ktest *t)
{
	struct fx *f = &fx;

	(void)t;
	host_set_cpu(0);
	slab_reap_set_interval_ms(f->saved_reap_ms);
	mm_background_set(f->saved_background);
	kmalloc_heap = f->saved_heap;
	memcpy(kmalloc_caches, f->saved_caches, sizeof(f->saved_caches));
	kmalloc_set_backend(f->saved_backend);
	fakeram_done(f->fr);
	f->fr = NULL;
}

#define FX_CASE(fn)                             \
	static void fn(struct ktest *t)         \
	{                                       \
		if (fx_setup(t)) {              \
			fn##_body(t, &fx);      \
			fx_teardown(t);         \
		}                               \
	}

static long mag_count(struct kmem_cache *c, unsigned int cpu)
{
	long n;

	kmem_cache_magazine(c, cpu, &n);
	return n;
}

/* Allocate @n objects on @cpu and free them again. From an empty magazine
 * a refill brings up to a batch, so the magazine then holds n rounded up to
 * a multiple of the batch (capped by the limit). */
static void fill_magazine(struct kmem_cache *c, unsigned int cpu, void **objs, unsigned int n)
{
	host_set_cpu(cpu);
	for (unsigned int i = 0; i < n; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	for (unsigned int i = 0; i < n; i++)
		kmem_cache_free(c, objs[i]);
	host_set_cpu(0);
}

/* 2.6.20's drain_array on a 64-byte cache tuned to limit 120, batch 60
 * and no depot: each reap gives back a fifth of the limit (24), or half
 * of the rest rounded up when fewer are left, so a magazine of m goes
 * m -> m-24 -> ... -> 1 -> 0. Free slabs beyond the free-slab rule go
 * back with it. Another hart's magazine is not touched; a posted drain
 * (all) empties it and gives back every free slab. */
static void drain_array_sequence_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c = kmem_cache_create("reap-64", 64, 0, 0, NULL);
	void *objs[60];
	long m, other;
	int steps = 0;

	(void)f;
	ASSERT(c);
	ASSERT_EQ(kmem_cache_tune_shared(c, 120, 60, 0), 0);
	ASSERT_EQ(c->limit, 120);
	ASSERT_EQ(c->batch, 60);
	fill_magazine(c, 1, objs, 60);
	fill_magazine(c, 2, objs, 7);
	m = mag_count(c, 1);
	other = mag_count(c, 2);
	ASSERT(m >= 60 && other >= 7);
	EXPECT_EQ(c->depot_avail, 0);
	host_set_cpu(1);
	while (m > 0 && steps++ < 20) {
		struct slab_reap_stats r = { 0, 0, 0 };
		long want = m > 24 ? m - 24 : m / 2;

		slab_cache_reap(false, &r);
		EXPECT_EQ(mag_count(c, 1), want);
		EXPECT_EQ(r.objects, (unsigned long)(m - want));
		EXPECT_EQ(r.skipped, 0);
		EXPECT(c->free_objects <= c->free_limit); /* the rule, after every reap */
		m = want;
	}
	EXPECT_EQ(m, 0);
	EXPECT_EQ(mag_count(c, 2), other);
	host_set_cpu(2);
	{
		struct slab_reap_stats r = { 0, 0, 0 };
		unsigned long slabs = c->nr_slabs;

		slab_cache_reap(true, &r); /* a posted drain: everything */
		EXPECT_EQ(r.objects, (unsigned long)other);
		EXPECT_EQ(r.pages, slabs << c->order); /* every object is back: no slab stays */
	}
	EXPECT_EQ(mag_count(c, 2), 0);
	EXPECT_EQ(c->nr_slabs, 0);
	EXPECT_EQ(kmem_cache_check(c), 0);
	host_set_cpu(0);
	kmem_cache_destroy(c);
}
FX_CASE(drain_array_sequence)

/* cache_reap from the tick: a magazine of 4 (limit 10: a fifth is 2)
 * empties in exactly two reaps, one per interval; a tick before the
 * interval is up does nothing; a busy lock is skipped, not waited for. */
static void reap_from_tick_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c = kmem_cache_create("reap-tick", 128, 0, 0, NULL);
	void *objs[5];
	unsigned long runs0, ev0 = vm_events[SLAB_REAP_RUNS];

	(void)f;
	ASSERT(c);
	ASSERT_EQ(kmem_cache_tune(c, 10, 5), 0);
	/* Five out (one refill of 5), four back: the magazine holds 4. */
	host_set_cpu(1);
	for (int i = 0; i < 5; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	for (int i = 0; i < 4; i++)
		kmem_cache_free(c, objs[i]);
	ASSERT_EQ(mag_count(c, 1), 4);
	slab_reap_set_interval_ms(10);
	runs0 = slab_reap_runs_on(1);
	mm_tick(1000000); /* first tick: due at once */
	EXPECT_EQ(mag_count(c, 1), 2);
	mm_tick(1005000); /* 5 ms later: not due */
	EXPECT_EQ(mag_count(c, 1), 2);
	EXPECT_EQ(slab_reap_runs_on(1), runs0 + 1);
	spin_lock(&c->lock); /* another hart holds the cache */
	mm_tick(1010000);
	spin_unlock(&c->lock);
	EXPECT_EQ(mag_count(c, 1), 2);
	EXPECT_EQ(slab_reap_runs_on(1), runs0 + 2);
	mm_tick(1020000);
	EXPECT_EQ(mag_count(c, 1), 0);
	EXPECT_EQ(slab_reap_runs_on(1), runs0 + 3);
	EXPECT_EQ(vm_events[SLAB_REAP_RUNS], ev0 + 3);
	/* Off: no more runs. */
	slab_reap_set_interval_ms(0);
	EXPECT_EQ(mm_tick_interval_us(), 0);
	mm_tick(2000000);
	EXPECT_EQ(slab_reap_runs_on(1), runs0 + 3);
	kmem_cache_free(c, objs[4]);
	host_set_cpu(0);
	kmem_cache_destroy(c);
}
FX_CASE(reap_from_tick)

/* Pages until the zone is below @mark (buddy pages), held in @held. */
static unsigned int take_below(struct zone *z, unsigned long mark, struct page **held, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && z->free_pages >= mark) {
		struct page *p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0);

		if (!p)
			break;
		held[n++] = p;
	}
	return n;
}

/*
 * Background reclaim. cpu 1's magazine holds 300 pages (a 4 KiB cache,
 * limit 300); cpu 0 takes pages until the zone is below low: that wakes
 * kswapd exactly once however many refills follow. cpu 0's tick runs it:
 * its own shrinkers find nothing, so it asks the other harts to drain
 * (cpu 1 among them) and stays woken. cpu 1's tick carries out the drain
 * and runs kswapd again, which ends with the zone above high.
 */
static void kswapd_wakes_below_low_ends_above_high_body(struct ktest *t, struct fx *f)
{
	enum { MAX_HELD = 20000, MAG = 300 };
	struct kmem_cache *c = kmem_cache_create("reclaim-4k", PAGE_SIZE, 0, 0, NULL);
	struct page **held = calloc(MAX_HELD, sizeof(*held));
	void **objs = calloc(MAG, sizeof(*objs));
	struct zone *z = f->z;
	unsigned long wake0 = vm_events[KSWAPD_WAKEUP], bal0 = vm_events[KSWAPD_BALANCED];
	unsigned long sent0 = vm_events[DRAIN_IPI_SENT], done0 = vm_events[DRAIN_IPI_DONE];
	unsigned int n;

	ASSERT(c && held && objs);
	/* What cpu 1 holds lifts the zone from below low (less 50 pages and a
	 * refill batch) above high. */
	ASSERT(z->watermark[WMARK_HIGH] - z->watermark[WMARK_LOW] + 50 + 2 * z->pcp[0].batch < MAG);
	ASSERT_EQ(kmem_cache_tune(c, MAG, MAG), 0);
	fill_magazine(c, 1, objs, MAG);
	ASSERT_EQ(mag_count(c, 1), MAG);
	slab_reap_set_interval_ms(0); /* only reclaim moves the magazine */
	node_drain_pages(mem_node);
	n = take_below(z, z->watermark[WMARK_LOW], held, MAX_HELD);
	ASSERT(z->free_pages < z->watermark[WMARK_LOW]);
	EXPECT_EQ(vm_events[KSWAPD_WAKEUP], wake0 + 1);
	/* More refills below low: still one wakeup. */
	for (int i = 0; i < 50 && n < MAX_HELD; i++)
		held[n++] = alloc_pages(GFP_KERNEL, 0);
	EXPECT_EQ(vm_events[KSWAPD_WAKEUP], wake0 + 1);
	/* cpu 0's tick: nothing of its own to give; asks the others. */
	mm_tick(0);
	EXPECT(z->free_pages <= z->watermark[WMARK_HIGH]);
	EXPECT_EQ(vm_events[KSWAPD_BALANCED], bal0);
	EXPECT_EQ(vm_events[DRAIN_IPI_SENT], sent0 + MAX_HARTS - 1);
	EXPECT(mm_cpu_work_pending(1));
	EXPECT_EQ(mag_count(c, 1), MAG);
	/* cpu 1's tick: drains, then balances. */
	host_set_cpu(1);
	mm_tick(0);
	host_set_cpu(0);
	EXPECT(!mm_cpu_work_pending(1));
	EXPECT_EQ(mag_count(c, 1), 0);
	EXPECT_EQ(vm_events[DRAIN_IPI_DONE], done0 + 1);
	EXPECT_EQ(vm_events[KSWAPD_BALANCED], bal0 + 1);
	EXPECT(z->free_pages > z->watermark[WMARK_HIGH]);
	EXPECT_EQ(c->nr_slabs, 0);
	for (unsigned int i = 0; i < n; i++)
		__free_pages(held[i], 0);
	/* The others' posted drains (no one else ticks here). */
	for (unsigned int cpu = 2; cpu < MAX_HARTS; cpu++) {
		host_set_cpu(cpu);
		mm_tick(0);
	}
	host_set_cpu(0);
	EXPECT_EQ(vm_events[DRAIN_IPI_DONE], done0 + MAX_HARTS - 1);
	kmem_cache_destroy(c);
	EXPECT_EQ(node_check(mem_node), 0);
	free(objs);
	free(held);
}
FX_CASE(kswapd_wakes_below_low_ends_above_high)

/*
 * A run taken by alloc_pages_fit that leaves the zone below low wakes
 * kswapd, as an allocation through the buddy lists does. The zone is first
 * brought to just above low by single pages (no wakeup yet), which splits
 * big blocks and leaves blocks of every small order for the fit to use.
 */
static void fit_below_low_wakes_kswapd_body(struct ktest *t, struct fx *f)
{
	enum { MAX_HELD = 20000 };
	struct page **held = calloc(MAX_HELD, sizeof(*held));
	struct zone *z = f->z;
	unsigned long wake0 = vm_events[KSWAPD_WAKEUP], low = z->watermark[WMARK_LOW];
	unsigned long nr = z->pcp[0].batch + 20, before;
	unsigned int n;
	void *p;

	ASSERT(held);
	ASSERT(low - z->watermark[WMARK_MIN] > nr); /* the fit passes the min watermark */
	node_drain_pages(mem_node);
	n = take_below(z, low + z->pcp[0].batch + 10, held, MAX_HELD);
	ASSERT(z->free_pages >= low + 10 && z->free_pages < low + nr);
	EXPECT_EQ(vm_events[KSWAPD_WAKEUP], wake0);
	before = z->free_pages;
	p = alloc_pages_fit(nr * PAGE_SIZE, GFP_KERNEL);
	ASSERT(p);
	EXPECT_EQ(z->free_pages, before - nr); /* taken by the fit, not a block cut */
	EXPECT(z->free_pages < low);
	EXPECT_EQ(vm_events[KSWAPD_WAKEUP], wake0 + 1);
	free_pages_exact(p, nr * PAGE_SIZE);
	for (unsigned int i = 0; i < n; i++)
		__free_pages(held[i], 0);
	kswapd_run(mem_node);
	EXPECT_EQ(node_check(mem_node), 0);
	free(held);
}
FX_CASE(fit_below_low_wakes_kswapd)

/* cpu 1 as a thread: it ticks until told to stop. */
static int ticker_stop;

static void *ticker(void *arg)
{
	(void)arg;
	host_set_cpu(1);
	while (!__atomic_load_n(&ticker_stop, __ATOMIC_ACQUIRE))
		mm_tick(0);
	return NULL;
}

/* Take every page GFP_KERNEL can get; returns how many. */
static unsigned int exhaust(struct page **held, unsigned int max)
{
	unsigned int n = 0;
	struct page *p;

	while (n < max && (p = alloc_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY, 0)) != NULL)
		held[n++] = p;
	return n;
}

/*
 * The reclaim modifiers, with the only free memory in a magazine: 40 pages
 * in cpu 0's magazine of a 4 KiB cache. GFP_NOWAIT does not reclaim, so it
 * fails; GFP_KERNEL's direct reclaim flushes the magazine and succeeds,
 * and so does __GFP_NOFAIL. With the pages in cpu 1's magazine instead,
 * __GFP_NORETRY fails after one round and asks cpu 1 for nothing; a
 * __GFP_NOFAIL request asks cpu 1 to drain and retries until it has: cpu 1
 * is a thread that ticks meanwhile.
 */
static void gfp_reclaim_modifiers_body(struct ktest *t, struct fx *f)
{
	enum { MAX_HELD = 20000, MAG = 40 };
	struct kmem_cache *c = kmem_cache_create("reclaim-gfp", PAGE_SIZE, 0, 0, NULL);
	struct page **held = calloc(MAX_HELD, sizeof(*held));
	void *objs[MAG];
	struct page *p, *q;
	unsigned long stall0, steal0, fail0;
	unsigned int n;

	(void)f;
	ASSERT(c && held);
	ASSERT_EQ(kmem_cache_tune(c, MAG, MAG), 0);
	slab_reap_set_interval_ms(0);
	mm_background_set(false);
	n = exhaust(held, MAX_HELD);
	ASSERT(n > 0);
	/* Every slab now comes from a page GFP_KERNEL can take only after a
	 * page is freed: give back MAG of the held ones for the slabs. */
	for (unsigned int i = 0; i < MAG; i++)
		__free_pages(held[--n], 0);
	fill_magazine(c, 0, objs, MAG);
	ASSERT_EQ(mag_count(c, 0), MAG);
	node_drain_pages(mem_node);
	stall0 = vm_events[ALLOCSTALL_NORMAL];
	steal0 = vm_events[PGSTEAL_DIRECT];
	fail0 = vm_events[ALLOCFAIL_DMA32];
	EXPECT(alloc_pages(GFP_NOWAIT | __GFP_NOWARN, 0) == NULL);
	EXPECT_EQ(vm_events[ALLOCSTALL_NORMAL], stall0);
	EXPECT_EQ(vm_events[ALLOCFAIL_DMA32], fail0 + 1);
	EXPECT_EQ(mag_count(c, 0), MAG);
	p = alloc_pages(GFP_KERNEL, 0);
	EXPECT(p != NULL);
	EXPECT_EQ(vm_events[ALLOCSTALL_NORMAL], stall0 + 1);
	EXPECT_EQ(vm_events[PGSTEAL_DIRECT], steal0 + MAG);
	EXPECT_EQ(mag_count(c, 0), 0);
	q = alloc_pages(GFP_KERNEL | __GFP_NOFAIL, 0);
	EXPECT(q != NULL);
	if (p)
		__free_pages(p, 0);
	if (q)
		__free_pages(q, 0);
	/* Now the pages sit in cpu 1's magazine. */
	fill_magazine(c, 1, objs, MAG);
	ASSERT_EQ(mag_count(c, 1), MAG);
	n += exhaust(held + n, MAX_HELD - n);
	EXPECT(alloc_pages(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, 0) == NULL);
	EXPECT(!mm_cpu_work_pending(1));
	EXPECT_EQ(mag_count(c, 1), MAG);
	{
		pthread_t cpu1;
		unsigned long sent0 = vm_events[DRAIN_IPI_SENT], done0 = vm_events[DRAIN_IPI_DONE];

		ticker_stop = 0;
		ASSERT_EQ(pthread_create(&cpu1, NULL, ticker, NULL), 0);
		p = alloc_pages(GFP_KERNEL | __GFP_NOFAIL, 0);
		__atomic_store_n(&ticker_stop, 1, __ATOMIC_RELEASE);
		pthread_join(cpu1, NULL);
		EXPECT(p != NULL);
		EXPECT(vm_events[DRAIN_IPI_SENT] > sent0);
		EXPECT(vm_events[DRAIN_IPI_DONE] > done0);
		EXPECT_EQ(mag_count(c, 1), 0);
		if (p)
			__free_pages(p, 0);
	}
	for (unsigned int i = 0; i < n; i++)
		__free_pages(held[i], 0);
	for (unsigned int cpu = 2; cpu < MAX_HARTS; cpu++) {
		host_set_cpu(cpu);
		mm_tick(0);
	}
	host_set_cpu(0);
	kmem_cache_destroy(c);
	EXPECT_EQ(node_check(mem_node), 0);
	free(held);
}
FX_CASE(gfp_reclaim_modifiers)

/* GFP_ATOMIC below min where GFP_KERNEL fails, down to exactly its floor
 * (3/8 of min: ALLOC_HIGH then ALLOC_HARDER); GFP_NOFAIL's WARN above
 * order 1 is Linux's. */
static void atomic_below_min_body(struct ktest *t, struct fx *f)
{
	enum { MAX_HELD = 20000 };
	struct page **held = calloc(MAX_HELD, sizeof(*held));
	struct zone *z = f->z;
	unsigned long min = z->watermark[WMARK_MIN];
	unsigned int n, atomic = 0;
	struct page *p;

	ASSERT(held);
	mm_background_set(false);
	n = exhaust(held, MAX_HELD);
	node_drain_pages(mem_node);
	EXPECT_EQ(z->free_pages, min);
	EXPECT(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0) == NULL);
	while (n < MAX_HELD && (p = alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 0)) != NULL) {
		held[n++] = p;
		atomic++;
	}
	node_drain_pages(mem_node);
	EXPECT_EQ(z->free_pages, (min - min / 2) - (min - min / 2) / 4);
	EXPECT_EQ(atomic, min - ((min - min / 2) - (min - min / 2) / 4));
	EXPECT(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0) == NULL);
	EXPECT(alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 0) == NULL);
	for (unsigned int i = 0; i < n; i++)
		__free_pages(held[i], 0);
	EXPECT_EQ(node_check(mem_node), 0);
	free(held);
}
FX_CASE(atomic_below_min)

/* /proc/vmstat's format: "name value" lines, every counter once, every value
 * a decimal number (tools parse them as such: "0x0" breaks Python's int()
 * and Go's ParseFloat), and the swap and paging lines psutil and vmstat read
 * present as 0. */
static void vmstat_format_body(struct ktest *t, struct fx *f)
{
	static char out[8192];
	struct fr_capture cap;
	char want[64];

	(void)f;
	fr_capture_start(&cap);
	show_vmstat(mem_node);
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(strncmp(out, "nr_free_pages ", 14) == 0);
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++) {
		snprintf(want, sizeof(want), "\n%s %lu\n", vm_event_names[i], vm_events[i]);
		EXPECT(strstr(out, want) != NULL);
	}
	for (const char *s = out, *nl; *s; s = nl + 1) {
		const char *sp = strchr(s, ' ');

		nl = strchr(s, '\n');
		ASSERT(nl && sp && sp < nl && sp > s);
		for (const char *c = sp + 1; c < nl; c++)
			if (*c < '0' || *c > '9') {
				ktest_fail(t, __FILE__, __LINE__, "vmstat value not decimal: \"%.*s\"",
					   (int)(nl - s), s);
				break;
			}
	}
	EXPECT(strstr(out, "\npgpgin 0\npgpgout 0\npswpin 0\npswpout 0\n") != NULL);
}
FX_CASE(vmstat_format)

/* True when every line of a meminfo report is Linux's "%-16s%8lu kB": the
 * name and colon padded to 16 columns, the value right-aligned in 8. */
static bool meminfo_layout(const char *s)
{
	while (*s) {
		const char *colon = strchr(s, ':'), *nl = strchr(s, '\n');
		size_t i;

		if (!colon || !nl || colon > nl || colon - s >= 16 || nl - s < 27)
			return false;
		for (i = (size_t)(colon - s) + 1; i < 16; i++)
			if (s[i] != ' ')
				return false;
		for (i = 16; i < 23 && s[i] == ' '; i++)
			;
		for (; s + i < nl - 3; i++)
			if (s[i] < '0' || s[i] > '9')
				return false;
		if (strncmp(nl - 3, " kB", 3) != 0)
			return false;
		s = nl + 1;
	}
	return true;
}

/* Every line of meminfo, in order: Linux's, then rvmm's own. */
static const char *const meminfo_names[] = {
	"MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached", "Active", "Inactive",
	"SwapTotal", "SwapFree", "Shmem", "Slab", "SReclaimable", "SUnreclaim", "KmallocSlob",
	"KmallocSlobFree", "KmallocBig", "VmallocTotal", "VmallocUsed", "VmallocChunk", "CmaTotal", "CmaFree",
};

/* Do @s's lines name exactly @names, in that order? */
static bool meminfo_names_are(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]);

		if (strncmp(s, names[i], len) != 0 || s[len] != ':')
			return false;
		s = strchr(s, '\n');
		if (!s)
			return false;
		s++;
	}
	return *s == '\0';
}

/* meminfo has the lines free, vmstat -s, top and psutil read, in Linux's
 * order and layout; what rvmm lacks (page cache, LRU lists, swap, shmem) is
 * 0, as Linux prints it (psutil without SwapTotal reads the host's swap). */
static void meminfo_has_the_lines_tools_read_body(struct ktest *t, struct fx *f)
{
	static char out[4096];
	char want[1024];
	struct fr_capture cap;
	unsigned long managed = 0, free;

	(void)f;
	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		managed += mem_node->zones[zi].managed_pages;
	fr_capture_start(&cap);
	show_meminfo(mem_node);
	fr_capture_end(&cap, out, sizeof(out));
	free = node_nr_free_pages(mem_node);
	snprintf(want, sizeof(want),
		 "MemTotal:       %8lu kB\n"
		 "MemFree:        %8lu kB\n"
		 "MemAvailable:   %8lu kB\n"
		 "Buffers:               0 kB\n"
		 "Cached:                0 kB\n"
		 "SwapCached:            0 kB\n"
		 "Active:                0 kB\n"
		 "Inactive:              0 kB\n"
		 "SwapTotal:             0 kB\n"
		 "SwapFree:              0 kB\n"
		 "Shmem:                 0 kB\n",
		 managed * 4, free * 4,
		 (free > mem_node->totalreserve_pages ? free - mem_node->totalreserve_pages : 0) * 4);
	if (strncmp(out, want, strlen(want)) != 0)
		ktest_fail(t, __FILE__, __LINE__, "meminfo begins:\n%.*s\nwanted:\n%s",
			   (int)strlen(want), out, want);
	EXPECT(meminfo_layout(out));
	EXPECT(meminfo_names_are(out, meminfo_names, ARRAY_SIZE(meminfo_names)));
}
FX_CASE(meminfo_has_the_lines_tools_read)

KTEST_SUITE(reclaim, KTEST_CASE(drain_array_sequence), KTEST_CASE(reap_from_tick),
	    KTEST_CASE(kswapd_wakes_below_low_ends_above_high), KTEST_CASE(fit_below_low_wakes_kswapd),
	    KTEST_CASE(gfp_reclaim_modifiers),
	    KTEST_CASE(atomic_below_min), KTEST_CASE(vmstat_format),
	    KTEST_CASE(meminfo_has_the_lines_tools_read));
