/*
 * slab_test.c - the slab allocator on the running kernel (suite "slab").
 *
 * all_harts: every hart allocates and frees from the same caches at once
 * (mixed sizes, a constructor cache, a debug cache), each object filled
 * with a pattern derived from its hart and address and checked before it
 * is freed: an object handed to two harts, or overlapping another, shows up
 * as a foreign pattern. In a second round every hart frees what its
 * neighbour allocated (objects change harts, so magazines fill with
 * objects of other harts' slabs). Then every hart shrinks every cache: all
 * slabs go back, the caches' counters and kmem_cache_check agree, and after
 * destroy the page allocator has exactly the pages it had.
 *
 * slabinfo_and_meminfo: the console reports (captured) against the caches'
 * counters: the row of each cache in /proc/slabinfo 2.1 format, and the
 * Slab, SReclaimable and SUnreclaim lines moving by exactly the pages the
 * case's caches took.
 *
 * depot_across_harts: see below.
 *
 * all_harts_slob and slobinfo_slob: the same on SLOB-model caches
 * (SLAB_SLOB, mm/slab_slob.c): every object checked to lie in the cache's
 * SLOB memory, the constructor run at each allocation and the destructor at
 * each free, no slab page taken; the slabinfo row and slobinfo line of such
 * a cache against its counters. The slab cases pass SLAB_NOSLOB, so they
 * test slab caches under slab=slob too.
 *
 * All run under any slab_debug= setting (debug caches have no magazines)
 * and either kmalloc backend.
 */
#include <drivers/console.h>
#include <boot/hart.h>
#include <mm/kmalloc.h>
#include <lib/cmdline.h>
#include <lib/kstring.h>
#include <tests/ktest.h>
#include "../common/meminfo_text.h"
#include "ram_floor.h"
#include <mm/mm_report.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include <mm/vmalloc.h>

static char out[32768]; /* slabinfo lists every cache: kmalloc's zone caches, made on first use, too */

/* Pages of kmalloc's SLOB heap (SLOB pages and bigblocks). */
static unsigned long kheap_pages(void)
{
	return slob_heap_pages(&kmalloc_heap);
}

/* Free pages, counting the slab metadata heap's pages (descriptors,
 * magazines) as free: what is missing is exactly the slab pages. */
static unsigned long free_now(void)
{
	node_drain_pages(mem_node);
	return nr_free_pages() + (slab_held_pages() - slab_pages);
}

/* ---- all harts at once ------------------------------------------------------ */

#define HC_MAGIC 0xc0ffee00c0ffee00ull

struct hcfg {
	const char *name;
	size_t size, align;
	unsigned long flags;
	bool ctor;
};

static const struct hcfg hcfgs[] = {
	{ "harts-16", 16, 0, 0, false },
	{ "harts-64", 64, 0, 0, false },
	{ "harts-200-ctor", 200, 0, 0, true },
	{ "harts-96-debug", 96, 0, SLAB_RED_ZONE | SLAB_POISON | SLAB_CONSISTENCY_CHECKS, false },
	{ "harts-1000", 1000, 0, SLAB_HWCACHE_ALIGN, false },
	{ "harts-3000", 3000, 64, 0, false },
};
#define NHC ARRAY_SIZE(hcfgs)

static struct kmem_cache *hcaches[NHC];
static unsigned long hc_ctors[NHC], hc_dtors[NHC], hc_bad_dtors;

#define HSLOTS 96
#define HROUNDS 20000

struct hslot {
	u8 *p;
	unsigned int ci;
	unsigned int owner; /* the cpu whose pattern it holds */
};

struct hart_run {
	struct hslot keep[HSLOTS]; /* round 1's objects, freed by the neighbour */
	unsigned long allocs, frees, fails, bad, shrunk;
	const char *why;
	const void *where;
} __aligned(64);

static struct hart_run hruns[MAX_HARTS];

static int hc_index(const void *obj)
{
	struct kmem_cache *c = virt_to_cache(obj);

	for (unsigned int i = 0; i < NHC; i++)
		if (hcaches[i] == c || (!c && hcfgs[i].ctor)) /* (SLOB: the one ctor cache) */
			return (int)i;
	return -1;
}

/* Is p a live object of cache ci, by its model's evidence? */
static bool hc_owns(unsigned int ci, const void *p)
{
	struct kmem_cache *c = hcaches[ci];

	if (c->flags & SLAB_SLOB)
		return !virt_to_cache(p) && slob_cache_valid_object(c, p);
	return virt_to_cache(p) == c;
}

/* The constructed part of a constructor cache's object: 16 bytes. */
static void hc_ctor(void *obj)
{
	int i = hc_index(obj);

	((u64 *)obj)[0] = HC_MAGIC;
	((u64 *)obj)[1] = (u64)(uintptr_t)obj;
	if (i >= 0)
		__atomic_add_fetch(&hc_ctors[i], 1, __ATOMIC_RELAXED);
}

static void hc_dtor(void *obj)
{
	int i = hc_index(obj);

	if (((u64 *)obj)[0] != HC_MAGIC || ((u64 *)obj)[1] != (u64)(uintptr_t)obj)
		__atomic_add_fetch(&hc_bad_dtors, 1, __ATOMIC_RELAXED);
	((u64 *)obj)[0] = 0;
	if (i >= 0)
		__atomic_add_fetch(&hc_dtors[i], 1, __ATOMIC_RELAXED);
}

static inline u64 hart_word(unsigned int cpu, const void *w)
{
	u64 x = (u64)(uintptr_t)w * 0x9e3779b97f4a7c15ull ^ ((u64)cpu << 56 | 0x51ab);

	return x ^ x >> 29;
}

/* Objects of a constructor cache keep their first 16 bytes. */
static size_t first_user_word(unsigned int ci)
{
	return hcfgs[ci].ctor ? 2 : 0;
}

static void hart_fill(unsigned int cpu, unsigned int ci, u8 *p)
{
	u64 *w = (u64 *)p;
	size_t n = hcfgs[ci].size;

	for (size_t i = first_user_word(ci); i < n / 8; i++)
		w[i] = hart_word(cpu, &w[i]);
	for (size_t i = n & ~7ul; i < n; i++)
		p[i] = (u8)(cpu + i);
}

static const char *hart_problem(unsigned int cpu, unsigned int ci, const u8 *p)
{
	const u64 *w = (const u64 *)p;
	size_t n = hcfgs[ci].size;

	if (!hc_owns(ci, p))
		return "not an object of its cache";
	if (hcfgs[ci].ctor && (w[0] != HC_MAGIC || w[1] != (u64)(uintptr_t)p))
		return "constructed part overwritten";
	for (size_t i = first_user_word(ci); i < n / 8; i++)
		if (w[i] != hart_word(cpu, &w[i]))
			return "pattern overwritten";
	for (size_t i = n & ~7ul; i < n; i++)
		if (p[i] != (u8)(cpu + i))
			return "tail overwritten";
	return NULL;
}

static void hart_check_free(struct hart_run *r, struct hslot *s)
{
	const char *why = hart_problem(s->owner, s->ci, s->p);

	if (why && r->bad++ == 0) {
		r->why = why;
		r->where = s->p;
	}
	kmem_cache_free(hcaches[s->ci], s->p);
	s->p = NULL;
	r->frees++;
}

static bool hart_alloc(struct hart_run *r, struct hslot *s, unsigned int cpu, unsigned int ci)
{
	u8 *p = kmem_cache_alloc(hcaches[ci], GFP_KERNEL);

	if (!p) {
		r->fails++;
		return false;
	}
	if (hcfgs[ci].ctor && (((u64 *)p)[0] != HC_MAGIC || ((u64 *)p)[1] != (u64)(uintptr_t)p) &&
	    r->bad++ == 0) {
		r->why = "not in constructed state";
		r->where = p;
	}
	if (((uintptr_t)p & (MAX(hcfgs[ci].align, (size_t)8) - 1)) && r->bad++ == 0) {
		r->why = "misaligned";
		r->where = p;
	}
	hart_fill(cpu, ci, p);
	s->p = p;
	s->ci = ci;
	s->owner = cpu;
	r->allocs++;
	return true;
}

/* Random alloc/free on slots; what is live at the end stays in them. */
static void hart_churn(struct hart_run *r, struct hslot *slots, unsigned int cpu, u64 rng)
{
	for (int round = 0; round < HROUNDS; round++) {
		struct hslot *s;

		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		s = &slots[(rng >> 33) % HSLOTS];
		if (s->p)
			hart_check_free(r, s);
		else
			hart_alloc(r, s, cpu, (unsigned int)((rng >> 45) % NHC));
	}
}

static void hart_round1(void *arg)
{
	unsigned int cpu = this_cpu();
	struct hart_run *r = &hruns[cpu];

	(void)arg;
	hart_churn(r, r->keep, cpu, 0x9e3779b97f4a7c15ull * (cpu + 1));
	/* Leave every slot full for the neighbour. */
	for (unsigned int i = 0; i < HSLOTS; i++)
		if (!r->keep[i].p)
			hart_alloc(r, &r->keep[i], cpu, i % NHC);
}

static void hart_round2(void *arg)
{
	unsigned int cpu = this_cpu();
	struct hart_run *r = &hruns[cpu];
	struct hart_run *peer = &hruns[(cpu + 1) % nr_harts];
	struct hslot mine[HSLOTS];

	(void)arg;
	memset(mine, 0, sizeof(mine));
	/* Free the neighbour's objects, interleaved with a churn of our own. */
	for (unsigned int i = 0; i < HSLOTS; i++) {
		if (peer->keep[i].p)
			hart_check_free(r, &peer->keep[i]);
		hart_alloc(r, &mine[i], cpu, (i * 7 + cpu) % NHC);
	}
	hart_churn(r, mine, cpu, 0x2545f4914f6cdd1dull * (cpu + 7));
	for (unsigned int i = 0; i < HSLOTS; i++)
		if (mine[i].p)
			hart_check_free(r, &mine[i]);
}

static void hart_shrink(void *arg)
{
	struct hart_run *r = &hruns[this_cpu()];

	(void)arg;
	for (unsigned int i = 0; i < NHC; i++)
		r->shrunk += kmem_cache_shrink(hcaches[i]);
}

static void all_harts_model(struct ktest *t, unsigned long model)
{
	unsigned long free0 = free_now(), pages0 = slab_pages, err0 = slab_errors;
	unsigned long allocs = 0, frees = 0, grows = 0, held, shrunk = 0, kheap0 = kheap_pages();
	bool slob = model == SLAB_SLOB;

	memset(hruns, 0, sizeof(hruns));
	memset(hc_ctors, 0, sizeof(hc_ctors));
	memset(hc_dtors, 0, sizeof(hc_dtors));
	hc_bad_dtors = 0;
	for (unsigned int i = 0; i < NHC; i++) {
		hcaches[i] = kmem_cache_create_dtor(hcfgs[i].name, hcfgs[i].size, hcfgs[i].align,
						    hcfgs[i].flags | model, hcfgs[i].ctor ? hc_ctor : NULL,
						    hcfgs[i].ctor ? hc_dtor : NULL);
		ASSERT(hcaches[i]);
		EXPECT_EQ(!!(hcaches[i]->flags & SLAB_SLOB), slob);
	}
	on_each_hart(hart_round1, NULL);
	for (unsigned int i = 0; i < NHC; i++) {
		unsigned long live = 0;

		for (unsigned int cpu = 0; cpu < nr_harts; cpu++)
			for (unsigned int k = 0; k < HSLOTS; k++)
				live += hruns[cpu].keep[k].p && hruns[cpu].keep[k].ci == i;
		EXPECT_EQ(kmem_cache_objects_out(hcaches[i]), live + kmem_cache_in_magazines(hcaches[i]));
		EXPECT_EQ(kmem_cache_check(hcaches[i]), 0);
	}
	on_each_hart(hart_round2, NULL);
	for (unsigned int cpu = 0; cpu < nr_harts; cpu++) {
		struct hart_run *r = &hruns[cpu];

		for (unsigned int k = 0; k < HSLOTS; k++)
			EXPECT(r->keep[k].p == NULL);
		allocs += r->allocs;
		frees += r->frees;
		EXPECT(r->allocs > HROUNDS / 2);
		EXPECT_EQ(r->fails, 0);
		if (r->bad)
			ktest_fail(t, __FILE__, __LINE__, "cpu %u: %lu bad objects, first %p: %s", cpu,
				   r->bad, r->where, r->why);
	}
	EXPECT_EQ(frees, allocs);
	for (unsigned int i = 0; i < NHC; i++) {
		EXPECT_EQ(kmem_cache_objects_out(hcaches[i]), kmem_cache_in_magazines(hcaches[i]));
		EXPECT_EQ(kmem_cache_check(hcaches[i]), 0);
	}
	/* Every hart empties its magazines: nothing is left in the slabs, and
	 * the shrinks report every page the caches held (SLOB: none, its
	 * pages are the heap's). */
	held = slab_pages - pages0;
	EXPECT(slob ? held == 0 : held > 0);
	on_each_hart(hart_shrink, NULL);
	for (unsigned int cpu = 0; cpu < nr_harts; cpu++)
		shrunk += hruns[cpu].shrunk;
	EXPECT_EQ(shrunk, held);
	for (unsigned int i = 0; i < NHC; i++) {
		struct kmem_cache *c = hcaches[i];

		EXPECT_EQ(kmem_cache_in_magazines(c), 0);
		EXPECT_EQ(c->nr_slabs, 0);
		EXPECT_EQ(c->free_objects, 0);
		EXPECT_EQ(kmem_cache_check(c), 0);
		grows += c->nr_grows;
		if (hcfgs[i].ctor) {
			EXPECT(hc_ctors[i] > 0);
			/* slab: per object of each slab made; SLOB: per allocation */
			EXPECT_EQ(hc_ctors[i], slob ? c->slob->nr_allocs : c->nr_grows * c->objs_per_slab);
			EXPECT_EQ(hc_dtors[i], hc_ctors[i]);
		}
	}
	EXPECT_EQ(hc_bad_dtors, 0);
	EXPECT_EQ(slab_errors, err0);
	EXPECT_EQ(slab_pages, pages0);
	kprintf("# %s.%s: %u harts, %lu allocations, %lu slabs made\n", t->suite, t->name, nr_harts,
		allocs, grows);
	for (unsigned int i = 0; i < NHC; i++) {
		kmem_cache_destroy(hcaches[i]);
		hcaches[i] = NULL;
	}
	if (slob)
		EXPECT_EQ(slob_check(&kmalloc_heap), 0);
	/* (kmalloc's heap keeps what it keeps: one empty page, and any page
	 * still holding another user's block) */
	EXPECT_EQ(free_now() + kheap_pages(), free0 + kheap0);
	EXPECT_EQ(node_check(mem_node), 0);
}

static void all_harts(struct ktest *t)
{
	all_harts_model(t, SLAB_NOSLOB);
}

static void all_harts_slob(struct ktest *t)
{
	all_harts_model(t, SLAB_SLOB);
}

/* ---- slabinfo and meminfo ---------------------------------------------------- */

/* The line of @out that starts with @prefix, copied into @line; false if none. */
static bool find_line(const char *text, const char *prefix, char *line, size_t size)
{
	size_t n = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, prefix, n) == 0) {
			size_t len = 0;

			while (p[len] && p[len] != '\n' && len + 1 < size)
				len++;
			memcpy(line, p, len);
			line[len] = '\0';
			return true;
		}
	}
	return false;
}

/* The unsigned numbers of @s, in order; returns how many (up to max). */
static int numbers(const char *s, unsigned long *v, int max)
{
	int n = 0;

	while (*s && n < max) {
		if (*s >= '0' && *s <= '9') {
			unsigned long x = 0;

			while (*s >= '0' && *s <= '9')
				x = x * 10 + (unsigned long)(*s++ - '0');
			v[n++] = x;
		} else {
			s++;
		}
	}
	return n;
}

/* Check the cache's slabinfo row against its counters. */
static void expect_row(struct ktest *t, const char *text, struct kmem_cache *c)
{
	char prefix[SLAB_NAME_LEN + 2], line[200];
	unsigned long v[16];

	ksnprintf(prefix, sizeof(prefix), "%s ", c->name);
	if (!find_line(text, prefix, line, sizeof(line))) {
		ktest_fail(t, __FILE__, __LINE__, "no slabinfo row for %s", c->name);
		return;
	}
	EXPECT(strstr(line, " : tunables ") != NULL);
	EXPECT(strstr(line, " : slabdata ") != NULL);
	if (numbers(line + strlen(prefix), v, 16) != 11) {
		ktest_fail(t, __FILE__, __LINE__, "slabinfo row \"%s\"", line);
		return;
	}
	EXPECT_EQ(v[0], kmem_cache_objects_out(c));                    /* active_objs */
	EXPECT_EQ(v[1], c->nr_slabs * c->objs_per_slab);    /* num_objs */
	EXPECT_EQ(v[2], c->size);                           /* objsize */
	EXPECT_EQ(v[3], c->objs_per_slab);                  /* objperslab */
	EXPECT_EQ(v[4], 1ul << c->order);                   /* pagesperslab */
	EXPECT_EQ(v[5], c->limit);                          /* limit */
	EXPECT_EQ(v[6], c->batch);                          /* batchcount */
	EXPECT_EQ(v[7], c->batch ? c->depot_limit / c->batch : 0); /* sharedfactor */
	EXPECT_EQ(v[8], c->full.count + c->partial.count);  /* active_slabs */
	EXPECT_EQ(v[9], c->nr_slabs);                       /* num_slabs */
	EXPECT_EQ(v[10], c->depot_avail);                   /* sharedavail */
}

static const char slabinfo_head[] =
	"slabinfo - version: 2.1\n"
	"# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
	" : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs>"
	" <sharedavail>\n";

static void slabinfo_and_meminfo(struct ktest *t)
{
	unsigned long free0 = free_now(), pages0 = slab_pages, kheap0 = kmalloc_heap.nr_pages;
	struct kmem_cache *rec, *unrec;
	void *r[50], *u[12], *k64;
	long slab0, rec0, unrec0;
	size_t n;

	/* kmalloc-64 exists and shows in slabinfo once a kmalloc(64) happened
	 * (with kmalloc=slab; with kmalloc=slob it goes to the SLOB heap). */
	k64 = kmalloc(64, GFP_KERNEL);
	ASSERT(k64);
	rec = kmem_cache_create("slabinfo-rec", 700, 0, SLAB_RECLAIM_ACCOUNT | SLAB_NOSLOB, NULL);
	unrec = kmem_cache_create("slabinfo-unrec", 3000, 0, SLAB_NOSLOB, NULL);
	ASSERT(rec && unrec);
	console_capture_begin(out, sizeof(out));
	show_meminfo(mem_node);
	console_capture_end();
	slab0 = meminfo_kb(out, "Slab");
	rec0 = meminfo_kb(out, "SReclaimable");
	unrec0 = meminfo_kb(out, "SUnreclaim");
	EXPECT(slab0 >= 0 && rec0 >= 0 && unrec0 >= 0);
	EXPECT_EQ(slab0, rec0 + unrec0);

	for (int i = 0; i < 50; i++) {
		r[i] = kmem_cache_alloc(rec, GFP_KERNEL);
		ASSERT(r[i]);
	}
	for (int i = 0; i < 12; i++) {
		u[i] = kmem_cache_alloc(unrec, GFP_KERNEL);
		ASSERT(u[i]);
	}
	console_capture_begin(out, sizeof(out));
	show_slabinfo();
	n = console_capture_end();
	EXPECT(n + 1 < sizeof(out));
	EXPECT(strncmp(out, slabinfo_head, strlen(slabinfo_head)) == 0);
	expect_row(t, out, rec);
	expect_row(t, out, unrec);
	/* What the case holds is active, with what the magazines hold. */
	EXPECT_EQ(kmem_cache_objects_out(rec), 50 + kmem_cache_in_magazines(rec));
	EXPECT_EQ(kmem_cache_objects_out(unrec), 12 + kmem_cache_in_magazines(unrec));
	if (page_type(virt_to_page(k64)) == PGTY_SLAB) /* (not a heap class's block) */
		expect_row(t, out, virt_to_cache(k64));

	console_capture_begin(out, sizeof(out));
	show_meminfo(mem_node);
	console_capture_end();
	EXPECT_EQ(meminfo_kb(out, "SReclaimable") - rec0, (long)((rec->nr_slabs << rec->order) * 4));
	EXPECT_EQ(meminfo_kb(out, "SUnreclaim") - unrec0, (long)((unrec->nr_slabs << unrec->order) * 4));
	EXPECT_EQ(meminfo_kb(out, "Slab"), meminfo_kb(out, "SReclaimable") + meminfo_kb(out, "SUnreclaim"));
	EXPECT(rec->nr_slabs >= (50 + rec->objs_per_slab - 1) / rec->objs_per_slab);
	EXPECT(unrec->nr_slabs >= (12 + unrec->objs_per_slab - 1) / unrec->objs_per_slab);
	EXPECT(unrec->order > 0); /* slabs of several pages */
	EXPECT(rec->nr_slabs > 0 && unrec->nr_slabs > 0);

	for (int i = 0; i < 50; i++)
		kmem_cache_free(rec, r[i]);
	for (int i = 0; i < 12; i++)
		kmem_cache_free(unrec, u[i]);
	kmem_cache_shrink(rec);
	kmem_cache_shrink(unrec);
	console_capture_begin(out, sizeof(out));
	show_meminfo(mem_node);
	show_slabinfo();
	console_capture_end();
	EXPECT_EQ(meminfo_kb(out, "SReclaimable"), rec0);
	EXPECT_EQ(meminfo_kb(out, "SUnreclaim"), unrec0);
	expect_row(t, out, rec);
	EXPECT_EQ(rec->nr_slabs, 0);
	kmem_cache_destroy(rec);
	kmem_cache_destroy(unrec);
	kfree(k64);
	/* kmalloc-64 (or kmalloc's SLOB heap) may keep what it grew by. */
	EXPECT_EQ(free_now() + slab_pages + kmalloc_heap.nr_pages, free0 + pages0 + kheap0);
}

/*
 * depot_across_harts: objects allocated on this hart and freed on another
 * reach this hart again through the depot: the other hart's full magazine
 * hands batches to the depot, and this hart's empty magazine refills from
 * it without a new slab and without taking objects from a slab. Needs two
 * harts (passes trivially on one, saying so).
 */
#define DX_OBJS 200
static void *dx_objs[DX_OBJS];
static struct kmem_cache *dx_cache;

static void dx_free_all(void *arg)
{
	(void)arg;
	for (int i = 0; i < DX_OBJS; i++)
		kmem_cache_free(dx_cache, dx_objs[i]);
}

static void dx_shrink(void *arg)
{
	(void)arg;
	kmem_cache_shrink(dx_cache);
}

static void depot_across_harts(struct ktest *t)
{
	unsigned int other = this_cpu() == 0 ? 1 : 0;
	unsigned long free0 = free_now(), grows, slab_free, gets;
	long m;

	if (nr_harts < 2) {
		kprintf("ktest: depot_across_harts needs two harts: nothing to check\n");
		return;
	}
	dx_cache = kmem_cache_create("depot-x", 64, 0, SLAB_NOSLOB, NULL);
	ASSERT(dx_cache);
	if (!dx_cache->limit) { /* slab_debug= on this cache: no magazines, no depot */
		kmem_cache_destroy(dx_cache);
		return;
	}
	for (int i = 0; i < DX_OBJS; i++)
		ASSERT((dx_objs[i] = kmem_cache_alloc(dx_cache, GFP_KERNEL)) != NULL);
	ASSERT_EQ(on_hart(other, dx_free_all, NULL), 0);
	EXPECT_EQ(dx_cache->depot_avail, dx_cache->depot_limit); /* the other hart's flushes */
	EXPECT_EQ(kmem_cache_check(dx_cache), 0);
	/* Empty this hart's magazine, then one more: a refill, from the depot. */
	m = kmem_cache_magazine_count(dx_cache, this_cpu());
	for (long i = 0; i < m; i++)
		ASSERT((dx_objs[i] = kmem_cache_alloc(dx_cache, GFP_KERNEL)) != NULL);
	grows = dx_cache->nr_grows;
	slab_free = dx_cache->free_objects;
	gets = dx_cache->nr_depot_gets;
	ASSERT((dx_objs[m] = kmem_cache_alloc(dx_cache, GFP_KERNEL)) != NULL);
	EXPECT_EQ(dx_cache->nr_depot_gets, gets + 1);
	EXPECT_EQ(dx_cache->depot_avail, dx_cache->depot_limit - dx_cache->batch);
	EXPECT_EQ(dx_cache->nr_grows, grows);
	EXPECT_EQ(dx_cache->free_objects, slab_free);
	EXPECT_EQ(kmem_cache_check(dx_cache), 0);
	for (long i = 0; i <= m; i++)
		kmem_cache_free(dx_cache, dx_objs[i]);
	ASSERT_EQ(on_hart(other, dx_shrink, NULL), 0);
	kmem_cache_shrink(dx_cache);
	EXPECT_EQ(dx_cache->nr_slabs, 0);
	EXPECT_EQ(dx_cache->depot_avail, 0);
	kmem_cache_destroy(dx_cache);
	EXPECT_EQ(free_now(), free0);
}

/*
 * borrow_across_harts: a cache with a lender (mm/slab.c, "Borrowing"), its
 * first slab handed out, takes a free object of the lender's partial slab
 * instead of growing a second slab; freed on another hart, the object goes
 * to the lender's magazine there (its slab names the lender). Both caches
 * check out and every page comes back. Without magazines (slab_debug= on
 * either cache) there is no borrowing: nothing to check. The cross-hart
 * part needs two harts (skipped on one, saying so).
 */
static struct kmem_cache *bx_lender;
static void *bx_obj;

static void bx_free(void *arg)
{
	(void)arg;
	kfree(bx_obj);
}

static void bx_shrink(void *arg)
{
	(void)arg;
	kmem_cache_shrink(bx_lender);
}

static void borrow_across_harts(struct ktest *t)
{
	static struct kmem_cache *table[1];
	static void *mine[64];
	struct kmem_cache *a = kmem_cache_create("borrow-x", 96, 0, SLAB_NOSLOB, NULL);
	unsigned int other = this_cpu() == 0 ? 1 : 0, n = 0;
	unsigned long free0, pages;
	void *held;
	long mag;

	bx_lender = kmem_cache_create("lend-x", 112, 0, SLAB_NOSLOB, NULL);
	ASSERT(a && bx_lender);
	free0 = free_now();
	if (!a->limit || !bx_lender->limit) { /* slab_debug=: no magazines, no borrowing */
		kmem_cache_destroy(a);
		kmem_cache_destroy(bx_lender);
		return;
	}
	table[0] = bx_lender;
	kmem_cache_set_lenders(a, table, 0, 1);
	ASSERT((held = kmem_cache_alloc(bx_lender, GFP_KERNEL)) != NULL);
	ASSERT_EQ(bx_lender->partial.count, 1);
	ASSERT(a->objs_per_slab <= 64);
	while (n < a->objs_per_slab)
		ASSERT((mine[n++] = kmem_cache_alloc(a, GFP_KERNEL)) != NULL);
	ASSERT_EQ(a->free_objects, 0);
	pages = slab_pages;
	ASSERT((bx_obj = kmem_cache_alloc(a, GFP_KERNEL)) != NULL);
	EXPECT(virt_to_cache(bx_obj) == bx_lender);
	EXPECT_EQ(a->nr_slabs, 1);
	EXPECT_EQ(a->nr_borrowed, 1);
	EXPECT_EQ(bx_lender->nr_lent, 1);
	EXPECT_EQ(slab_pages, pages);
	EXPECT_EQ(ksize(bx_obj), 112);
	memset(bx_obj, 0x5c, 112);
	if (nr_harts < 2) {
		kprintf("ktest: borrow_across_harts needs two harts for its cross-hart free\n");
		kfree(bx_obj);
	} else {
		mag = kmem_cache_magazine_count(bx_lender, other);
		ASSERT_EQ(on_hart(other, bx_free, NULL), 0);
		EXPECT_EQ(kmem_cache_magazine_count(bx_lender, other), mag + 1);
	}
	EXPECT_EQ(kmem_cache_magazine_count(a, this_cpu()), 0);
	EXPECT_EQ(kmem_cache_check(a), 0);
	EXPECT_EQ(kmem_cache_check(bx_lender), 0);
	while (n)
		kmem_cache_free(a, mine[--n]);
	kmem_cache_free(bx_lender, held);
	if (nr_harts >= 2)
		ASSERT_EQ(on_hart(other, bx_shrink, NULL), 0);
	kmem_cache_shrink(a);
	kmem_cache_shrink(bx_lender);
	EXPECT_EQ(a->nr_slabs, 0);
	EXPECT_EQ(bx_lender->nr_slabs, 0);
	kmem_cache_destroy(a);
	kmem_cache_destroy(bx_lender);
	EXPECT_EQ(free_now(), free0);
}

/*
 * kmalloc above KMALLOC_MAX_SIZE fails with a line that names kvmalloc,
 * and kvmalloc serves the same request (from vmalloc), quietly.
 */
static void kmalloc_too_big_kvmalloc(struct ktest *t)
{
	const size_t size = KMALLOC_MAX_SIZE + PAGE_SIZE + 1;
	unsigned long n0 = kmalloc_too_big_count;
	u8 *p;

	console_capture_begin(out, sizeof(out));
	p = kmalloc(size, GFP_KERNEL);
	console_capture_end();
	EXPECT(p == NULL);
	EXPECT_EQ(kmalloc_too_big_count, n0 + 1);
	EXPECT_STREQ(out, "kmalloc: 4198401 bytes is above KMALLOC_MAX_SIZE (4096 KiB): refused; "
			  "use kvmalloc (vmalloc beyond it) for a buffer this big\n");
	KTEST_NEEDS_RAM(5); /* the kvmalloc: 4 MiB and a page, its page tables */
	console_capture_begin(out, sizeof(out));
	p = kvmalloc(size, GFP_KERNEL);
	console_capture_end();
	EXPECT_STREQ(out, "");
	ASSERT(p);
	EXPECT(is_vmalloc_addr(p));
	p[0] = 1;
	p[size - 1] = 2;
	EXPECT(p[0] == 1 && p[size - 1] == 2);
	kvfree(p);
}

/*
 * A SLOB-model cache in the reports: its slabinfo row (active and total
 * objects, the bytes it asks of SLOB per object, objects a page holds, no
 * tunables, the estimated pages as slabdata) and its slobinfo line (objects,
 * held, bytes, peak, heap) against its counters, with a poisoning cache
 * whose held objects count in the total; meminfo's Slab lines do not move
 * (its memory is kmalloc's SLOB heap's).
 */
static void slobinfo_slob(struct ktest *t)
{
	unsigned long free0 = free_now(), kheap0 = kheap_pages(), debug = slab_debug_flags;
	struct kmem_cache *a, *p;
	void *oa[30], *op[20];
	char line[200], want[160];
	unsigned long v[16];
	long slab0;

	slab_debug_flags = 0; /* (exactly these flags, whatever slab_debug= says) */
	a = kmem_cache_create("slobinfo-a", 300, 0, SLAB_SLOB, NULL);
	p = kmem_cache_create("slobinfo-p", 5000, 0, SLAB_SLOB | SLAB_POISON, NULL);
	slab_debug_flags = debug;
	ASSERT(a && p);
	console_capture_begin(out, sizeof(out));
	show_meminfo(mem_node);
	console_capture_end();
	slab0 = meminfo_kb(out, "Slab");
	for (int i = 0; i < 30; i++)
		ASSERT((oa[i] = kmem_cache_alloc(a, GFP_KERNEL)) != NULL);
	for (int i = 0; i < 20; i++)
		ASSERT((op[i] = kmem_cache_alloc(p, GFP_KERNEL)) != NULL);
	for (int i = 0; i < 5; i++)
		kmem_cache_free(p, op[i]); /* held, poisoned */
	console_capture_begin(out, sizeof(out));
	show_slabinfo();
	show_slob_caches();
	show_meminfo(mem_node);
	ASSERT(console_capture_end() < sizeof(out) - 1); /* all of it: nothing cut */
	EXPECT_EQ(meminfo_kb(out, "Slab"), slab0);
	ASSERT(find_line(out, "slobinfo-a ", line, sizeof(line)));
	ASSERT_EQ(numbers(line + strlen("slobinfo-a "), v, 16), 11);
	EXPECT(v[0] == 30 && v[1] == 30 && v[2] == 300 && v[3] == PAGE_SIZE / 300 && v[4] == 1);
	EXPECT(v[5] == 0 && v[6] == 0 && v[7] == 0 && v[10] == 0);
	EXPECT(v[8] == (30 * 300 + PAGE_SIZE - 1) / PAGE_SIZE && v[9] == v[8]);
	ASSERT(find_line(out, "slobinfo-p ", line, sizeof(line)));
	ASSERT_EQ(numbers(line + strlen("slobinfo-p "), v, 16), 11);
	/* bigblocks of two pages: a "slab" per object */
	EXPECT(v[0] == 15 && v[1] == 20 && v[2] == 5000 && v[3] == 1 && v[4] == 2);
	EXPECT(v[8] == 15 && v[9] == 20);
	EXPECT(strstr(out, "slobinfo: kmem_caches on SLOB\n") != NULL);
	ksnprintf(want, sizeof(want), "  slobinfo-a             30      0      300       9000    30  kmalloc\n");
	EXPECT(strstr(out, want) != NULL);
	ksnprintf(want, sizeof(want),
		  "  slobinfo-p             15      5     5000     163840    20  kmalloc (bigblocks)\n");
	EXPECT(strstr(out, want) != NULL);
	for (int i = 0; i < 30; i++)
		kmem_cache_free(a, oa[i]);
	for (int i = 5; i < 20; i++)
		kmem_cache_free(p, op[i]);
	EXPECT_EQ(kmem_cache_check(a), 0);
	EXPECT_EQ(kmem_cache_check(p), 0);
	kmem_cache_destroy(a);
	kmem_cache_destroy(p);
	EXPECT_EQ(slob_check(&kmalloc_heap), 0);
	EXPECT_EQ(free_now() + kheap_pages(), free0 + kheap0);
}

/*
 * The boot's model: with slab=slob on the command line a cache made without
 * SLAB_SLOB or SLAB_NOSLOB is a SLOB-model cache (its objects in kmalloc's
 * SLOB heap, no slab page); without it, a slab cache. The kmalloc-N caches
 * stay slab caches either way.
 */
static void boot_model(struct ktest *t)
{
	bool slob = strstr(cmdline_get(), "slab=slob") != NULL;
	struct kmem_cache *c = kmem_cache_create("boot-model", 128, 0, 0, NULL);
	unsigned long pages0 = slab_pages;
	void *o[8], *k;

	ASSERT(c);
	EXPECT_EQ(slab_slob_default, slob);
	EXPECT_EQ(!!(c->flags & SLAB_SLOB), slob);
	for (int i = 0; i < 8; i++) {
		ASSERT((o[i] = kmem_cache_alloc(c, GFP_KERNEL)) != NULL);
		EXPECT_EQ(page_type(virt_to_page(o[i])), slob ? PGTY_SLOB : PGTY_SLAB);
	}
	if (slob)
		EXPECT_EQ(slab_pages, pages0);
	for (int i = 0; i < 8; i++)
		kmem_cache_free(c, o[i]);
	EXPECT_EQ(kmem_cache_check(c), 0);
	kmem_cache_destroy(c);
	/* (kmalloc_heap=0xMASK may make kmalloc-112 a heap class) */
	if (kmalloc_backend == KMALLOC_SLAB && !(kmalloc_heap_classes >> kmalloc_size_index(100) & 1)) {
		k = kmalloc(100, GFP_KERNEL);
		ASSERT(k);
		EXPECT_EQ(page_type(virt_to_page(k)), PGTY_SLAB);
		EXPECT(!(virt_to_cache(k)->flags & SLAB_SLOB));
		kfree(k);
	}
	kprintf("# %s.%s: caches are %s caches\n", t->suite, t->name, slob ? "SLOB-model" : "slab");
}

/*
 * heap_classes (kmalloc_heap=on, docs/kmalloc.md): with the heap classes
 * on, kmalloc-1792 and kmalloc-1536 are blocks of kmalloc's SLOB heap, and
 * objects allocated on this hart and freed on another give their memory to
 * the other class: half of HC_N blocks of 1700 bytes freed (on the other
 * hart when there is one), HC_N / 2 blocks of 1500 take no page.
 */
#define HC_N 40
static u8 *hc_objs[HC_N];

static void hc_free_even(void *arg)
{
	(void)arg;
	for (int i = 0; i < HC_N; i += 2)
		kfree(hc_objs[i]);
}

static void heap_classes(struct ktest *t)
{
	u64 saved = kmalloc_heap_classes;
	unsigned int other = this_cpu() == 0 ? 1 : 0;
	unsigned long pages, free0;
	u8 *b[HC_N / 2];

	if (kmalloc_backend != KMALLOC_SLAB || kfence_enabled) {
		kprintf("ktest: heap_classes needs kmalloc=slab without KFENCE: nothing to check\n");
		return;
	}
	kmalloc_set_heap_classes(kmalloc_default_heap_classes());
	for (int i = 0; i < HC_N; i++) {
		hc_objs[i] = kmalloc(1700, GFP_KERNEL);
		ASSERT(hc_objs[i]);
		EXPECT_EQ(page_type(virt_to_page(hc_objs[i])), PGTY_SLOB);
		EXPECT(ksize(hc_objs[i]) >= 1700 && ((uintptr_t)hc_objs[i] & 15) == 0);
		memset(hc_objs[i], i, 1700);
	}
	if (nr_harts > 1)
		ASSERT_EQ(on_hart(other, hc_free_even, NULL), 0);
	else
		hc_free_even(NULL);
	pages = kmalloc_heap.nr_pages;
	free0 = free_now();
	for (int i = 0; i < HC_N / 2; i++) {
		b[i] = kmalloc(1500, GFP_KERNEL);
		ASSERT(b[i]);
		memset(b[i], 0xb0, 1500);
	}
	EXPECT_EQ(kmalloc_heap.nr_pages, pages);
	EXPECT_EQ(free_now(), free0);
	EXPECT_EQ(slob_check(&kmalloc_heap), 0);
	for (int i = 1; i < HC_N; i += 2) {
		EXPECT(hc_objs[i][0] == (u8)i && hc_objs[i][1699] == (u8)i);
		kfree(hc_objs[i]);
	}
	for (int i = 0; i < HC_N / 2; i++)
		kfree(b[i]);
	kmalloc_set_heap_classes(saved);
}

KTEST_SUITE(slab,
	KTEST_CASE(boot_model),
	KTEST_CASE(all_harts),
	KTEST_CASE(all_harts_slob),
	KTEST_CASE(slobinfo_slob),
	KTEST_CASE(kmalloc_too_big_kvmalloc),
	KTEST_CASE(depot_across_harts),
	KTEST_CASE(borrow_across_harts),
	KTEST_CASE(heap_classes),
	KTEST_CASE(slabinfo_and_meminfo));
