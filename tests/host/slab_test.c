/*
 * slab_test.c - host tests of the slab allocator (mm/slab.c) and kmalloc's
 * slab backend (mm/kmalloc.c) over fake RAM (suite "slab").
 *
 * Every case runs on a fixture: 64 MiB of fake RAM whose free pages are
 * dirty (0x5a) before the page allocator takes them, kmalloc_init() (a
 * fresh kmalloc heap and slab metadata heap), kmalloc=slab with no
 * kmalloc-N cache yet, no slab_debug flags. After each case the fixture
 * proves the case left nothing behind: the kmalloc-N caches it created are
 * destroyed, no slab page is held, no slab or kfree error was reported that
 * the case did not expect, and after node_drain_pages the page allocator's
 * free count plus what the slab metadata heap still holds (one kept empty
 * page at most) is exactly its value before.
 *
 * "Harts" are simulated with host_set_cpu(): one thread switching cpu
 * numbers uses a different magazine per number.
 *
 * Cases that test what a cache promises whatever serves it (FX_CASE2) run
 * twice: on slab-model caches (SLAB_NOSLOB) and, as CASE_slob, on
 * SLOB-model caches (SLAB_SLOB, mm/slab_slob.c); f->model is the flag the
 * case ORs into every kmem_cache_create, and where the models differ (who
 * runs constructors when, what holds the memory) the case checks each
 * model's own rule. The others test the slab model's machinery (slabs,
 * magazines, depot, geometry) and run once.
 *
 * The expectations are written down from the design (mm/slab.c's opening
 * comment), not read back from the code: object layout and the order rule
 * are computed here by hand.
 */
#include <stdlib.h>
#include <string.h>

#include <lib/cmdline.h>
#include <mm/fault_inject.h>
#include <mm/kmalloc.h>
#include <lib/kstring.h>
#include <tests/ktest.h>
#include <mm/memblock.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include <mm/vmalloc.h>
#include "../common/pattern.h"
#include "../../mm/slab_internal.h"
#include "fakeram.h"
#include "host.h"

#define RAM 0x80000000ull
#define RAM_SIZE (64ull << 20)
#define DIRT 0x5a
#define NCPU 4 /* simulated harts */

struct fx {
	struct fakeram *fr;
	unsigned long free0;   /* nr_free_pages() after kmalloc_init */
	unsigned long pages0;  /* slab_pages at the start */
	unsigned long err0;    /* slab_errors at the start */
	unsigned long kerr0;   /* kfree_errors at the start */
	unsigned long slots0;  /* per-hart slots in use at the start */
	unsigned long expected_errors; /* slab errors the case provokes */
	unsigned long model;   /* SLAB_NOSLOB or SLAB_SLOB: the model under test */
	char out[16384];
};

static struct fx fx;
static struct slob_heap saved_kmalloc_heap;
static enum kmalloc_backend saved_backend;
static struct kmem_cache *saved_caches[KMALLOC_NR_CACHES];
static unsigned long saved_debug_flags;
static char saved_debug_cache[SLAB_DEBUG_LIST_LEN];

static bool fx_setup(struct ktest *t)
{
	struct fx *f = &fx;
	struct fakeram *fr;

	memset(f, 0, sizeof(*f));
	fr = fakeram_dirty(RAM, RAM_SIZE, &(struct zone_limits){ 0, 0x100000, false }, DIRT);
	if (!fr) {
		ktest_fail(t, __FILE__, __LINE__, "no fake RAM or node_init failed");
		return false;
	}
	f->fr = fr;
	saved_kmalloc_heap = kmalloc_heap;
	saved_backend = kmalloc_backend;
	memcpy(saved_caches, kmalloc_caches, sizeof(saved_caches));
	saved_debug_flags = slab_debug_flags;
	memcpy(saved_debug_cache, slab_debug_cache, sizeof(saved_debug_cache));
	memset(kmalloc_caches, 0, sizeof(kmalloc_caches));
	slab_debug_flags = 0;
	slab_debug_cache[0] = '\0';
	kmalloc_set_backend(KMALLOC_SLAB);
	kmalloc_init();
	node_drain_pages(mem_node);
	f->free0 = nr_free_pages();
	f->pages0 = slab_pages;
	f->err0 = slab_errors;
	f->kerr0 = kfree_errors;
	f->slots0 = percpu_slots_used();
	return true;
}

/* The case left nothing behind. */
static void fx_teardown(struct ktest *t)
{
	struct fx *f = &fx;
	unsigned long meta_pages;

	host_set_cpu(0);
	if (t->failures)
		goto out; /* the caches may be damaged: only undo the fixture */
	for (int i = 0; i < KMALLOC_NR_CACHES; i++) {
		if (kmalloc_caches[i]) {
			EXPECT_EQ(kmem_cache_check(kmalloc_caches[i]), 0);
			kmalloc_destroy_cache(i);
		}
	}
	EXPECT_EQ(slab_errors - f->err0, f->expected_errors);
	EXPECT_EQ(kfree_errors - f->kerr0, 0);
	EXPECT_EQ(slab_pages, f->pages0);
	EXPECT_EQ(percpu_slots_used(), f->slots0); /* every destroyed cache gave its slot back */
	EXPECT_EQ(slob_check(&kmalloc_heap), 0);
	EXPECT_EQ(slob_heap_destroy(&kmalloc_heap), 0);
	node_drain_pages(mem_node);
	meta_pages = slab_held_pages() - slab_pages;
	EXPECT(meta_pages <= 1); /* the metadata heap keeps one empty page */
	EXPECT_EQ(nr_free_pages() + meta_pages, f->free0);
	EXPECT_EQ(node_check(mem_node), 0);
out:
	kmalloc_heap = saved_kmalloc_heap;
	memcpy(kmalloc_caches, saved_caches, sizeof(saved_caches));
	kmalloc_set_backend(saved_backend); /* after the caches: it republishes them */
	slab_debug_flags = saved_debug_flags;
	memcpy(slab_debug_cache, saved_debug_cache, sizeof(saved_debug_cache));
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

/* A case of both models: fn on slab caches, fn_slob on SLOB-model ones. */
#define FX_CASE_MODEL(name, fn, m)              \
	static void name(struct ktest *t)       \
	{                                       \
		if (fx_setup(t)) {              \
			fx.model = (m);         \
			fn##_body(t, &fx);      \
			fx_teardown(t);         \
		}                               \
	}
#define FX_CASE2(fn) FX_CASE_MODEL(fn, fn, SLAB_NOSLOB) FX_CASE_MODEL(fn##_slob, fn, SLAB_SLOB)

static bool slob_model(const struct fx *f)
{
	return f->model == SLAB_SLOB;
}

/* Pages kmalloc's SLOB heaps hold (SLOB pages and bigblocks). */
static unsigned long kmalloc_slob_pages(void)
{
	unsigned long n = slob_heap_pages(&kmalloc_heap);

	for (unsigned int zt = 0; zt < KMALLOC_NR_ZONE_TYPES; zt++) {
		struct slob_heap *h = kmalloc_zone_heap_of(zt);

		if (h)
			n += slob_heap_pages(h);
	}
	return n;
}

/* Is obj a live object of c, by its model's own evidence: in one of c's
 * slabs on an object boundary, or (SLOB model) in the cache's SLOB memory
 * at its alignment (slob_cache_valid_object). */
static bool cache_owns(struct kmem_cache *c, const void *obj)
{
	if (c->flags & SLAB_SLOB)
		return virt_to_cache(obj) == NULL && slob_cache_valid_object(c, obj);
	return virt_to_cache(obj) == c;
}

/* ---- helpers ------------------------------------------------------------- */

static u64 mix(u64 x)
{
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	return x;
}

static u64 word_at(u64 seed, size_t i)
{
	return mix(seed + i * 0x9e3779b97f4a7c15ull);
}

/* Fill n bytes with a pattern of seed (objects are 8-byte aligned). */
static void fill(void *p, size_t n, u64 seed)
{
	u64 *w = p;
	u8 *b = p;

	for (size_t i = 0; i < n / 8; i++)
		w[i] = word_at(seed, i);
	for (size_t i = n & ~7ul; i < n; i++)
		b[i] = (u8)word_at(seed, i);
}

/* Index of the first byte that lost the pattern, or -1. */
static long first_bad(const void *p, size_t n, u64 seed)
{
	const u64 *w = p;
	const u8 *b = p;

	for (size_t i = 0; i < n / 8; i++)
		if (w[i] != word_at(seed, i))
			return (long)i * 8;
	for (size_t i = n & ~7ul; i < n; i++)
		if (b[i] != (u8)word_at(seed, i))
			return (long)i;
	return -1;
}

static bool aligned(const void *p, size_t a)
{
	return ((uintptr_t)p & (a - 1)) == 0;
}

/* Free pages, counting those of the slab metadata heap (descriptors and
 * magazines) as free: what is left is exactly the slab pages. */
static unsigned long free_now(void)
{
	node_drain_pages(mem_node);
	return nr_free_pages() + (slab_held_pages() - slab_pages);
}

/* The alignment the design promises: at least 8, the caller's, and with
 * SLAB_HWCACHE_ALIGN the cache line, halved while the object fits in half. */
static size_t promised_align(size_t size, size_t align, unsigned long flags)
{
	size_t a = align ? align : 8;

	if (flags & SLAB_HWCACHE_ALIGN) {
		size_t line = 64;

		while (size <= line / 2)
			line /= 2;
		a = MAX(a, line);
	}
	return MAX(a, (size_t)8);
}

/* ---- 1. the model -------------------------------------------------------- */

struct mcfg {
	const char *name;
	size_t size, align;
	unsigned long flags;
	bool ctor;
};

static const struct mcfg mcfgs[] = {
	{ "m-8", 8, 0, 0, false },
	{ "m-24-hw", 24, 0, SLAB_HWCACHE_ALIGN, false },
	{ "m-24-ctor", 24, 8, 0, true },
	{ "m-77-zu", 77, 256, SLAB_RED_ZONE | SLAB_STORE_USER, false },
	{ "m-100", 100, 0, 0, false },
	{ "m-100-hw-ctor", 100, 0, SLAB_HWCACHE_ALIGN, true },
	{ "m-128-f", 128, 0, SLAB_CONSISTENCY_CHECKS, false },
	{ "m-200-z", 200, 64, SLAB_RED_ZONE, false },
	{ "m-256-p", 256, 256, SLAB_POISON, false },
	{ "m-500-u-ctor", 500, 0, SLAB_STORE_USER, true },
	{ "m-1000-all", 1000, 8, SLAB_DEBUG_FLAGS, false },
	{ "m-3000", 3000, 0, 0, false },
	{ "m-3000-zp-ctor", 3000, 64, SLAB_RED_ZONE | SLAB_POISON, true },
	{ "m-4096-a", 4096, 4096, 0, false },
	{ "m-5000-fp", 5000, 0, SLAB_CONSISTENCY_CHECKS | SLAB_POISON, false },
	{ "m-9000-hw", 9000, 0, SLAB_HWCACHE_ALIGN, false },
	{ "m-16384-ctor", 16384, 4096, 0, true },
	{ "m-32704-all", 32704, 0, SLAB_DEBUG_FLAGS, false },
	{ "m-32768", 32768, 0, 0, false },
};
#define NCFG ARRAY_SIZE(mcfgs)
#define MODEL_STEPS 200000
#define MODEL_MAX_SLOTS 600

struct mslot {
	u8 *p;
	u64 seed;
};

struct mcache {
	struct kmem_cache *c;
	struct mslot *slots;
	unsigned int nslots, live;
	unsigned long ctor_calls, dtor_calls, bad_dtor;
};

static struct mcache mcaches[NCFG];
static u64 *owned; /* one bit per byte of fake RAM: inside a live object */
/* The cache the model test is calling (a SLOB-model cache's objects do not
 * name their cache: its constructor and destructor learn it here). */
static struct mcache *m_calling;

static struct mcache *mcache_of(const void *obj)
{
	struct kmem_cache *c = virt_to_cache(obj);

	if (!c)
		return m_calling;
	for (size_t i = 0; i < NCFG; i++)
		if (mcaches[i].c == c)
			return &mcaches[i];
	return NULL;
}

static u64 ctor_seed(const void *obj)
{
	return (u64)(uintptr_t)obj ^ 0xc0c0c0c0feedull;
}

static void model_ctor(void *obj)
{
	struct mcache *m = mcache_of(obj);

	fill(obj, m->c->object_size, ctor_seed(obj));
	m->ctor_calls++;
}

static void model_dtor(void *obj)
{
	struct mcache *m = mcache_of(obj);

	if (!m)
		return;
	m->dtor_calls++;
	if (first_bad(obj, m->c->object_size, ctor_seed(obj)) >= 0)
		m->bad_dtor++; /* not in constructed state, or destroyed twice */
	fill(obj, m->c->object_size, ~ctor_seed(obj));
}

/* Mark [p, p+n) owned (set) or free (clear); returns false if any byte of
 * it was already in the state it is put in (an overlap, or a lost mark). */
static bool mark(const void *p, size_t n, bool set)
{
	u64 off = virt_to_phys(p) - RAM;
	bool ok = true;

	for (u64 i = off; i < off + n;) {
		u64 *w = &owned[i / 64];
		unsigned int bit = (unsigned int)(i % 64);
		u64 bits = (bit == 0 && i + 64 <= off + n) ? ~0ull
			   : (((i + 64 - bit <= off + n) ? ~0ull : ((1ull << (off + n - i)) - 1)) << bit);
		unsigned int take = (unsigned int)__builtin_popcountll(bits);

		if (set ? (*w & bits) : ((*w & bits) != bits))
			ok = false;
		*w = set ? *w | bits : *w & ~bits;
		i += take;
	}
	return ok;
}

static void model_body(struct ktest *t, struct fx *f)
{
	u64 rng = 0x5eed5eedull;
	unsigned long step, ops = 0, peak_pages = 0;

	(void)f;
	owned = calloc(RAM_SIZE / 64, sizeof(u64));
	ASSERT(owned);
	memset(mcaches, 0, sizeof(mcaches));
	for (size_t i = 0; i < NCFG; i++) {
		const struct mcfg *g = &mcfgs[i];
		struct mcache *m = &mcaches[i];

		m->c = kmem_cache_create_dtor(g->name, g->size, g->align, g->flags | f->model,
					      g->ctor ? model_ctor : NULL, g->ctor ? model_dtor : NULL);
		if (!m->c) {
			ktest_fail(t, __FILE__, __LINE__, "kmem_cache_create(%s) failed", g->name);
			goto out;
		}
		EXPECT_EQ(kmem_cache_size(m->c), g->size);
		EXPECT_STREQ(m->c->name, g->name);
		EXPECT_EQ(!!(m->c->flags & SLAB_SLOB), slob_model(f));
		m->nslots = (unsigned int)MIN((size_t)MODEL_MAX_SLOTS, MAX((size_t)6, (1536u << 10) / g->size));
		m->slots = calloc(m->nslots, sizeof(*m->slots));
		if (!m->slots) {
			ktest_fail(t, __FILE__, __LINE__, "calloc");
			goto out;
		}
	}
	EXPECT_EQ(slab_errors, f->err0);
	for (step = 0; step < MODEL_STEPS; step++) {
		u64 x = fr_rand(&rng);
		size_t ci = (size_t)(x % NCFG);
		const struct mcfg *g = &mcfgs[ci];
		struct mcache *m = &mcaches[ci];
		struct mslot *s = &m->slots[(x >> 8) % m->nslots];
		unsigned int cpu = (unsigned int)((x >> 24) % NCPU);
		/* Waves: mostly allocating, then mostly freeing. */
		unsigned int pct = (unsigned int)((x >> 32) % 100);
		bool grow = (step / 10000) % 2 == 0;

		host_set_cpu(cpu);
		m_calling = m;
		if (!s->p && pct < (grow ? 85u : 30u)) {
			s->p = kmem_cache_alloc(m->c, GFP_KERNEL);
			if (!s->p) {
				ktest_fail(t, __FILE__, __LINE__, "step %lu: %s: allocation failed",
					   step, g->name);
				break;
			}
			if (!aligned(s->p, promised_align(g->size, g->align, g->flags)) ||
			    !cache_owns(m->c, s->p)) {
				ktest_fail(t, __FILE__, __LINE__, "step %lu: %s: %p misaligned or foreign",
					   step, g->name, s->p);
				break;
			}
			if (!mark(s->p, g->size, true)) {
				ktest_fail(t, __FILE__, __LINE__, "step %lu: %s: %p overlaps a live object",
					   step, g->name, s->p);
				break;
			}
			if (g->ctor && first_bad(s->p, g->size, ctor_seed(s->p)) >= 0) {
				ktest_fail(t, __FILE__, __LINE__, "step %lu: %s: %p not in constructed state",
					   step, g->name, s->p);
				break;
			}
			s->seed = x;
			fill(s->p, g->size, s->seed);
			m->live++;
			ops++;
		} else if (s->p && pct >= (grow ? 85u : 30u)) {
			long bad = first_bad(s->p, g->size, s->seed);

			if (bad >= 0) {
				ktest_fail(t, __FILE__, __LINE__, "step %lu: %s: %p byte %ld overwritten",
					   step, g->name, s->p, bad);
				break;
			}
			if (g->ctor)
				fill(s->p, g->size, ctor_seed(s->p)); /* freed constructed */
			mark(s->p, g->size, false);
			kmem_cache_free(m->c, s->p);
			s->p = NULL;
			m->live--;
			ops++;
		}
		/* Every object out of the slabs is live or in a magazine. */
		if (kmem_cache_objects_out(m->c) != m->live + kmem_cache_in_magazines(m->c)) {
			ktest_fail(t, __FILE__, __LINE__, "step %lu: %s: %lu out, %u live + %lu in magazines",
				   step, g->name, kmem_cache_objects_out(m->c), m->live, kmem_cache_in_magazines(m->c));
			break;
		}
		if (step % 4 == 0 && kmem_cache_check(m->c) != 0) {
			ktest_fail(t, __FILE__, __LINE__, "step %lu: %s: kmem_cache_check failed", step, g->name);
			break;
		}
		/* The heap every SLOB-model cache shares, now and then. */
		if (slob_model(f) && step % 2000 == 0 && slob_check(&kmalloc_heap) != 0) {
			ktest_fail(t, __FILE__, __LINE__, "step %lu: slob_check failed", step);
			break;
		}
		if (slab_pages - f->pages0 + kmalloc_slob_pages() > peak_pages)
			peak_pages = slab_pages - f->pages0 + kmalloc_slob_pages();
	}
	EXPECT_EQ(slab_errors, f->err0);
	if (t->failures)
		goto out;
	/* Free what is left, then give everything back. */
	for (size_t i = 0; i < NCFG; i++) {
		struct mcache *m = &mcaches[i];

		for (unsigned int k = 0; k < m->nslots; k++) {
			struct mslot *s = &m->slots[k];

			if (!s->p)
				continue;
			host_set_cpu(k % NCPU);
			m_calling = m;
			EXPECT(cache_owns(m->c, s->p));
			EXPECT_EQ(first_bad(s->p, mcfgs[i].size, s->seed), -1);
			if (mcfgs[i].ctor)
				fill(s->p, mcfgs[i].size, ctor_seed(s->p));
			mark(s->p, mcfgs[i].size, false);
			kmem_cache_free(m->c, s->p);
			s->p = NULL;
			m->live--;
		}
		EXPECT_EQ(kmem_cache_check(m->c), 0);
		EXPECT_EQ(kmem_cache_objects_out(m->c), kmem_cache_in_magazines(m->c));
		for (unsigned int cpu = 0; cpu < NCPU; cpu++) {
			host_set_cpu(cpu);
			kmem_cache_shrink(m->c);
		}
		host_set_cpu(0);
		EXPECT_EQ(kmem_cache_in_magazines(m->c), 0);
		EXPECT_EQ(m->c->nr_slabs, 0);
		EXPECT_EQ(m->c->free_objects, 0);
		EXPECT_EQ(m->c->full.count + m->c->partial.count + m->c->free.count, 0);
		EXPECT_EQ(kmem_cache_check(m->c), 0);
		if (mcfgs[i].ctor) {
			EXPECT(m->ctor_calls > 0);
			/* slab: once per object of each slab made; SLOB: at every
			 * allocation (and the destructor at every free) */
			EXPECT_EQ(m->ctor_calls, slob_model(f) ? m->c->slob->nr_allocs
							      : m->c->nr_grows * m->c->objs_per_slab);
			EXPECT_EQ(m->dtor_calls, m->ctor_calls);
			EXPECT_EQ(m->bad_dtor, 0);
		}
	}
	EXPECT_EQ(slab_pages, f->pages0);
	if (slob_model(f)) {
		EXPECT_EQ(slob_check(&kmalloc_heap), 0);
		/* only the pages the heap keeps for reuse (an idle segfit
		 * page, the kept empty size page, idle quarters' pages) */
		EXPECT(kmalloc_heap.nr_empty <= kmalloc_heap.keep_empty);
		EXPECT_EQ(kmalloc_heap.nr_pages, slob_reuse_pages(&kmalloc_heap));
		EXPECT_EQ(kmalloc_heap.big_pages, 0);
	}
	EXPECT(peak_pages > 500); /* the model really used memory */
	kprintf("# slab.model%s: %lu operations, up to %lu %s pages\n", slob_model(f) ? "_slob" : "",
		ops, peak_pages, slob_model(f) ? "SLOB" : "slab");
out:
	host_set_cpu(0);
	m_calling = NULL;
	for (size_t i = 0; i < NCFG; i++) {
		if (mcaches[i].c && !t->failures) {
			m_calling = &mcaches[i];
			kmem_cache_destroy(mcaches[i].c);
		}
		free(mcaches[i].slots);
	}
	memset(mcaches, 0, sizeof(mcaches));
	free(owned);
	owned = NULL;
}
FX_CASE2(model)

/* ---- 2. geometry ----------------------------------------------------------- */

struct geo {
	size_t size, align;
	unsigned long flags;
	bool ctor;
	unsigned int stride, order, objs, colour_off, colours;
};

static void nop_ctor(void *obj)
{
	(void)obj;
}

/*
 * Worked by hand. stride: the object rounded up to the alignment (8 at
 * least), plus the free link after the object when a constructor, poison or
 * red zones need the contents kept, plus red zones (8 bytes after, max(8,
 * align) before). order: the smallest order <= 3 whose slab wastes at most
 * 1/16, else the one wasting the least. colours: slack / colour_off + 1,
 * colour_off = max(64, align).
 */
static const struct geo geos[] = {
	/* size align flags ctor: stride order objs colour_off colours */
	{ 128, 0, 0, false, 128, 0, 32, 64, 1 },
	{ 8, 0, 0, false, 8, 0, 512, 64, 1 },
	{ 24, 0, 0, false, 24, 0, 170, 64, 1 },	/* slack 16 */
	{ 24, 0, SLAB_HWCACHE_ALIGN, false, 32, 0, 128, 64, 1 },
	{ 100, 0, 0, false, 104, 0, 39, 64, 1 },	/* slack 40 */
	{ 100, 0, SLAB_HWCACHE_ALIGN, false, 128, 0, 32, 64, 1 },
	{ 100, 0, SLAB_RED_ZONE, false, 128, 0, 32, 64, 1 }, /* 8 + 104 + 8 + 8 */
	{ 200, 0, 0, true, 208, 0, 19, 64, 3 },	/* link after: 3952, slack 144 */
	{ 700, 0, 0, false, 704, 1, 11, 64, 8 },	/* o0: 5 objs waste 576 > 256; o1: 11, slack 448 */
	{ 1000, 0, 0, false, 1000, 0, 4, 64, 2 },	/* slack 96 */
	{ 1500, 0, 0, false, 1504, 3, 21, 64, 19 },	/* o1 slack 672 > 512, o2 1344 > 1024; o3 1184 */
	{ 2100, 0, 0, false, 2104, 3, 15, 64, 19 },	/* o2 slack 1656 > 1024; o3 1208 */
	{ 3000, 0, 0, false, 3000, 2, 5, 64, 22 },	/* slack 1384 */
	{ 3000, 256, 0, false, 3072, 2, 5, 256, 5 },	/* slack 1024 */
	{ 4096, 4096, 0, false, 4096, 0, 1, 4096, 1 },
	{ 5000, 0, 0, false, 5000, 2, 3, 64, 22 },	/* o1: 1 obj waste 3192; o2 slack 1384 */
	{ 9000, 0, 0, false, 9000, 3, 3, 64, 91 },	/* never <= 1/16: o3 wastes least (5768) */
	{ 20000, 0, 0, false, 20000, 3, 1, 64, 200 },	/* slack 12768 */
	{ 32768, 0, 0, false, 32768, 3, 1, 64, 1 },
	{ 32704, 0, SLAB_DEBUG_FLAGS, false, 32760, 3, 1, 64, 1 }, /* 8+32704+8+8+32, slack 8 */
};

static void geometry_order_rule_body(struct ktest *t, struct fx *f)
{
	(void)f;
	for (size_t i = 0; i < ARRAY_SIZE(geos); i++) {
		const struct geo *g = &geos[i];
		struct kmem_cache *c = kmem_cache_create("geo", g->size, g->align, g->flags,
							 g->ctor ? nop_ctor : NULL);
		void *p;

		if (!c) {
			ktest_fail(t, __FILE__, __LINE__, "size %zu align %zu: create failed", g->size, g->align);
			continue;
		}
		if (c->size != g->stride || c->order != g->order || c->objs_per_slab != g->objs ||
		    c->colour_off != g->colour_off || c->colours != g->colours)
			ktest_fail(t, __FILE__, __LINE__,
				   "size %zu align %zu flags %#lx: stride %u order %u objs %u colour %u x %u, "
				   "want %u %u %u %u x %u", g->size, g->align, g->flags, c->size, c->order,
				   c->objs_per_slab, c->colour_off, c->colours, g->stride, g->order, g->objs,
				   g->colour_off, g->colours);
		/* A slab really is 1 << order pages. */
		p = kmem_cache_alloc(c, GFP_KERNEL);
		EXPECT(p != NULL);
		if (p) {
			struct page *page = virt_to_page(p);

			while (!PageHead(page))
				page--;
			EXPECT_EQ(page_order(page), g->order);
			EXPECT_EQ(page_type(page), PGTY_SLAB);
			kmem_cache_free(c, p);
		}
		kmem_cache_shrink(c);
		kmem_cache_destroy(c);
	}
	/* Magazine capacity: Linux SLAB's (120 objects up to 256 bytes, 54
	 * up to 1 KiB, 24 up to a page, 8 beyond) capped at 4 KiB of objects
	 * but at least 6, and one for objects of a page or more; batch is half
	 * (rounded up); the depot holds two batches, or one where two are
	 * above 4 KiB of objects, none for objects above 4 KiB; a debug cache
	 * has none of either. */
	{
		static const struct {
			size_t size;
			unsigned long flags;
			unsigned int limit, batch, depot;
		} mz[] = {
			{ 8, 0, 120, 60, 120 }, { 32, 0, 120, 60, 120 }, { 64, 0, 64, 32, 64 },
			{ 256, 0, 16, 8, 16 }, { 257, 0, 15, 8, 8 }, { 680, 0, 6, 3, 6 },
			{ 1024, 0, 6, 3, 3 }, { 1025, 0, 6, 3, 3 }, { 4000, 0, 6, 3, 3 },
			{ 4096, 0, 1, 1, 1 }, { 4097, 0, 1, 1, 0 }, { 32768, 0, 1, 1, 0 },
			{ 64, SLAB_POISON, 0, 0, 0 }, { 64, SLAB_STORE_USER, 0, 0, 0 },
			{ 64, SLAB_HWCACHE_ALIGN, 64, 32, 64 },
		};

		for (size_t i = 0; i < ARRAY_SIZE(mz); i++) {
			struct kmem_cache *c = kmem_cache_create("mag", mz[i].size, 0, mz[i].flags, NULL);

			ASSERT(c);
			if (c->limit != mz[i].limit || c->batch != mz[i].batch ||
			    c->depot_limit != mz[i].depot || !c->depot != !mz[i].depot)
				ktest_fail(t, __FILE__, __LINE__, "size %zu flags %#lx: limit %u batch %u depot %u",
					   mz[i].size, mz[i].flags, c->limit, c->batch, c->depot_limit);
			kmem_cache_destroy(c);
		}
	}
	/* Bad parameters: NULL, and a line naming the cause. */
	{
		static const char *const why[] = {
			"kmem_cache_create(bad, size 0, align 0): size 0\n",
			"kmem_cache_create(bad, size 32769, align 0): size above the largest slab (32 KiB)\n",
			"kmem_cache_create(bad, size 64, align 24): alignment not a power of two\n",
			"kmem_cache_create(bad, size 64, align 8192): alignment above a page\n",
			"kmem_cache_create(NULL, size 64, align 0): no name\n",
			"kmem_cache_create(bad, size 32768, align 0): with its debug layout an object does "
			"not fit a slab of at most 32 KiB\n",
			"kmem_cache_create(a-name-of-thirty-two-characters!, size 64, align 0): name longer "
			"than 31 characters\n",
		};
		struct fr_capture cap;
		struct kmem_cache *longest;

		fr_capture_start(&cap);
		EXPECT(kmem_cache_create("bad", 0, 0, 0, NULL) == NULL);
		EXPECT(kmem_cache_create("bad", 32769, 0, 0, NULL) == NULL);
		EXPECT(kmem_cache_create("bad", 64, 24, 0, NULL) == NULL);
		EXPECT(kmem_cache_create("bad", 64, 8192, 0, NULL) == NULL);
		EXPECT(kmem_cache_create(NULL, 64, 0, 0, NULL) == NULL);
		EXPECT(kmem_cache_create("bad", 32768, 0, SLAB_RED_ZONE, NULL) == NULL);
		/* A name is kept whole or refused, never cut: a cut one would not
		 * find its cache. */
		EXPECT(kmem_cache_create("a-name-of-thirty-two-characters!", 64, 0, 0, NULL) == NULL);
		longest = kmem_cache_create("a-name-of-thirty-one-characters", 64, 0, 0, NULL);
		fr_capture_end(&cap, f->out, sizeof(f->out));
		ASSERT(longest);
		EXPECT_STREQ(longest->name, "a-name-of-thirty-one-characters");
		EXPECT(kmem_cache_find("a-name-of-thirty-one-characters") == longest);
		EXPECT(kmem_cache_find("a-name-of-thirty-one-character") == NULL);
		kmem_cache_destroy(longest);
		for (unsigned int i = 0; i < ARRAY_SIZE(why); i++)
			if (!strstr(f->out, why[i]))
				ktest_fail(t, __FILE__, __LINE__, "no line: %s", why[i]);
	}
}
FX_CASE(geometry_order_rule)

/* 32 objects of 128 bytes fill one 4 KiB page, and the 33rd starts a new one. */
static void geometry_128_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c = kmem_cache_create("geo-128", 128, 0, SLAB_CONSISTENCY_CHECKS, NULL);
	void *o[33];
	unsigned long free0;

	(void)f;
	ASSERT(c);
	EXPECT_EQ(c->objs_per_slab, 32);
	EXPECT_EQ(c->order, 0);
	free0 = free_now();
	for (int i = 0; i < 33; i++) {
		o[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT(o[i]);
	}
	for (int i = 1; i < 32; i++)
		EXPECT(virt_to_page(o[i]) == virt_to_page(o[0]));
	EXPECT(virt_to_page(o[32]) != virt_to_page(o[0]));
	EXPECT_EQ(free0 - free_now(), 2);
	for (int i = 0; i < 33; i++)
		kmem_cache_free(c, o[i]);
	kmem_cache_shrink(c);
	EXPECT_EQ(free_now(), free0);
	kmem_cache_destroy(c);
}
FX_CASE(geometry_128)

/* Is every byte of [p, p + n) the fake RAM's dirt (never written)? */
static bool untouched(const u8 *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != DIRT)
			return false;
	return true;
}

/* A plain cache's new slab is all fresh: nothing is written into it (its
 * objects keep the fake RAM's dirt until handed out), objects are handed
 * out in address order (ascending, as the magazine pops them: a program
 * that walks its objects in the order it made them reads memory forward,
 * as the hardware's prefetchers expect), and the checker counts the fresh
 * ones as free.
 * When every object the slab handed out comes back, the slab is all fresh
 * again (no link written by the run that completes it). A cache with a
 * constructor or debug flags links its new slabs. */
static void fresh_slabs_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c = kmem_cache_create("fresh-128", 128, 0, 0, NULL), *d;
	struct page *head;
	u8 *o[32], *first;

	(void)f;
	ASSERT(c);
	ASSERT_EQ(c->objs_per_slab, 32);
	ASSERT_EQ(c->limit, 32);
	o[0] = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT(o[0]);
	head = slab_head(o[0]);
	ASSERT(head);
	first = (u8 *)first_object(c, head);
	EXPECT_EQ(head->slab_free, 0);
	EXPECT_EQ(head->slab_fresh, 32 - c->batch);
	EXPECT_EQ(head->slab_inuse, c->batch);
	EXPECT(o[0] == first); /* the batch is popped in address order */
	for (unsigned int i = c->batch; i < 32; i++)
		if (!untouched(first + i * c->size, c->size))
			ktest_fail(t, __FILE__, __LINE__, "fresh object %u was written", i);
	EXPECT_EQ(kmem_cache_check(c), 0);
	for (int i = 1; i < 32; i++) {
		o[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT(o[i]);
		EXPECT(o[i] == first + i * c->size); /* ascending, batch after batch */
	}
	EXPECT_EQ(head->slab_fresh, 0);
	EXPECT_EQ(head->slab_inuse, 32);
	EXPECT_EQ(c->nr_grows, 1);
	for (int i = 0; i < 32; i++)
		kmem_cache_free(c, o[i]);
	EXPECT_EQ(kmem_cache_magazine_count(c, 0), 32);
	/* A fifth of the magazine at a time back to the slab: linked while
	 * objects are still out, all fresh once the last run comes back. */
	kmem_cache_drain_hart(c);
	EXPECT(head->slab_free != 0 && head->slab_fresh == 0);
	EXPECT_EQ(kmem_cache_check(c), 0);
	while (kmem_cache_magazine_count(c, 0))
		kmem_cache_drain_hart(c);
	EXPECT_EQ(c->nr_slabs, 1); /* kept by the free-slab rule */
	EXPECT_EQ(head->slab_inuse, 0);
	EXPECT_EQ(head->slab_free, 0);
	EXPECT_EQ(head->slab_fresh, 32);
	EXPECT_EQ(kmem_cache_check(c), 0);
	/* Handed out again in address order. */
	o[0] = kmem_cache_alloc(c, GFP_KERNEL);
	EXPECT(o[0] == first);
	kmem_cache_free(c, o[0]);
	kmem_cache_shrink(c);
	EXPECT_EQ(c->nr_slabs, 0);
	kmem_cache_destroy(c);

	d = kmem_cache_create("fresh-poison", 128, 0, SLAB_POISON, NULL);
	ASSERT(d);
	o[0] = kmem_cache_alloc(d, GFP_KERNEL);
	ASSERT(o[0]);
	EXPECT_EQ(slab_head(o[0])->slab_fresh, 0);
	EXPECT(slab_head(o[0])->slab_free != 0);
	kmem_cache_free(d, o[0]);
	EXPECT_EQ(kmem_cache_check(d), 0);
	kmem_cache_destroy(d);
}
FX_CASE(fresh_slabs)

/* A refill that grows a slab and empties it grows more, without reclaim,
 * until its batch is full (a cache taking objects faster than any come
 * back: one slow path per batch, not per slab); a refill that took objects
 * of a partial slab first does not grow to fill its batch (Linux's rule
 * for a magazine that is not empty). 2048-byte objects: 2 a slab, batch 3. */
static void refill_grows_to_batch_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c = kmem_cache_create("grow-2048", 2048, 0, 0, NULL);
	void *p[5];

	(void)f;
	ASSERT(c);
	ASSERT_EQ(c->objs_per_slab, 2);
	ASSERT_EQ(c->batch, 3);
	p[0] = kmem_cache_alloc(c, GFP_KERNEL); /* empty: grows 2 slabs for 3 objects */
	ASSERT(p[0]);
	EXPECT_EQ(c->nr_refills, 1);
	EXPECT_EQ(c->nr_grows, 2);
	EXPECT_EQ(kmem_cache_magazine_count(c, 0), 2);
	EXPECT_EQ(c->partial.count, 1);
	EXPECT_EQ(kmem_cache_check(c), 0);
	p[1] = kmem_cache_alloc(c, GFP_KERNEL);
	p[2] = kmem_cache_alloc(c, GFP_KERNEL);
	p[3] = kmem_cache_alloc(c, GFP_KERNEL); /* the partial slab's last object, no grow */
	ASSERT(p[1] && p[2] && p[3]);
	EXPECT_EQ(c->nr_refills, 2);
	EXPECT_EQ(c->nr_grows, 2);
	EXPECT_EQ(kmem_cache_magazine_count(c, 0), 0);
	p[4] = kmem_cache_alloc(c, GFP_KERNEL); /* empty again: 2 more */
	ASSERT(p[4]);
	EXPECT_EQ(c->nr_refills, 3);
	EXPECT_EQ(c->nr_grows, 4);
	EXPECT_EQ(kmem_cache_magazine_count(c, 0), 2);
	EXPECT_EQ(kmem_cache_check(c), 0);
	for (int i = 0; i < 5; i++)
		kmem_cache_free(c, p[i]);
	EXPECT_EQ(kmem_cache_check(c), 0);
	kmem_cache_shrink(c);
	EXPECT_EQ(c->nr_slabs, 0);
	kmem_cache_destroy(c);
}
FX_CASE(refill_grows_to_batch)

/* Each hart's magazine array has cache lines of its own (mm/slab.c,
 * magazine_bytes): a class above a page has 2-pointer arrays, and four
 * harts' used to share one line, which every push wrote. */
static void magazines_own_their_lines_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c = kmem_cache_create("lines-8192", 8192, 0, 0, NULL);
	uintptr_t at[4];

	(void)f;
	ASSERT(c);
	for (unsigned int cpu = 0; cpu < 4; cpu++) {
		long n;
		void *p;

		host_set_cpu(cpu);
		p = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT(p);
		kmem_cache_free(c, p);
		at[cpu] = (uintptr_t)kmem_cache_magazine(c, cpu, &n);
		ASSERT(at[cpu]);
		at[cpu] -= sizeof(void *); /* (the array starts with its NULL sentinel) */
		EXPECT_EQ(at[cpu] % SLAB_CACHE_LINE, 0);
		for (unsigned int o = 0; o < cpu; o++)
			EXPECT(at[o] / SLAB_CACHE_LINE != at[cpu] / SLAB_CACHE_LINE &&
			       (at[o] + (c->limit + 1) * sizeof(void *) - 1) / SLAB_CACHE_LINE !=
				       at[cpu] / SLAB_CACHE_LINE &&
			       at[o] / SLAB_CACHE_LINE !=
				       (at[cpu] + (c->limit + 1) * sizeof(void *) - 1) / SLAB_CACHE_LINE);
	}
	host_set_cpu(0);
	EXPECT_EQ(kmem_cache_check(c), 0);
	kmem_cache_destroy(c);
}
FX_CASE(magazines_own_their_lines)

/* The end of a case: every slab of @c goes back on shrinking, the checker
 * passes, and @c is destroyed. */
static void shrink_check_destroy(struct ktest *t, struct kmem_cache *c)
{
	kmem_cache_shrink(c);
	EXPECT_EQ(c->nr_slabs, 0);
	EXPECT_EQ(kmem_cache_check(c), 0);
	kmem_cache_destroy(c);
}

/* Runs given back to two slabs: 64 objects of two full slabs (A and B, 32
 * each) freed into the magazine in order and shuffled across both, then
 * returned a fifth of the magazine at a time (kmem_cache_drain_hart), so
 * the runs are 7, 5, 4, 4, 3, 2, ... objects, one slab's or split between
 * the two. After each step every slab's inuse is the number of its objects
 * still in the magazine, kmem_cache_check passes (links decode, linked +
 * fresh + inuse = objs_per_slab), a slab with objects out has no fresh
 * ones, and a slab whose last object came back is all fresh. */
static void slab_runs_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c = kmem_cache_create("runs-128", 128, 0, 0, NULL);
	struct page *slabs[2];
	void *o[64], *order[64];
	unsigned int seed = 12345;

	(void)f;
	ASSERT(c);
	ASSERT_EQ(c->objs_per_slab, 32);
	ASSERT_EQ(kmem_cache_tune_shared(c, 64, 32, 0), 0); /* no depot */
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 64; i++) {
			o[i] = kmem_cache_alloc(c, GFP_KERNEL);
			ASSERT(o[i]);
		}
		slabs[0] = slab_head(o[0]);
		slabs[1] = slab_head(o[32]);
		ASSERT(slabs[0] != slabs[1]);
		for (int i = 0; i < 64; i++)
			ASSERT(slab_head(o[i]) == slabs[i / 32]);
		EXPECT_EQ(slabs[0]->slab_inuse, 32);
		EXPECT_EQ(slabs[1]->slab_inuse, 32);
		for (int i = 0; i < 64; i++)
			order[i] = o[i];
		if (round == 1) /* newest first */
			for (int i = 0; i < 64; i++)
				order[i] = o[63 - i];
		if (round == 2) /* shuffled across both slabs */
			for (int i = 63; i > 0; i--) {
				int j;
				void *x;

				seed = seed * 1103515245u + 12345u;
				j = (int)((seed >> 8) % (unsigned int)(i + 1));
				x = order[i];
				order[i] = order[j];
				order[j] = x;
			}
		for (int i = 0; i < 64; i++)
			kmem_cache_free(c, order[i]);
		ASSERT_EQ(kmem_cache_magazine_count(c, 0), 64);
		while (kmem_cache_magazine_count(c, 0)) {
			long have;
			void **mag;
			unsigned int left[2] = { 0, 0 };

			kmem_cache_drain_hart(c);
			mag = kmem_cache_magazine(c, 0, &have);
			for (long i = 0; i < have; i++)
				left[slab_head(mag[i]) == slabs[1]]++;
			EXPECT_EQ(kmem_cache_check(c), 0);
			for (int s = 0; s < 2; s++) {
				struct page *h = slabs[s];

				EXPECT_EQ(h->slab_inuse, left[s]);
				EXPECT_EQ(h->slab_fresh, left[s] ? 0 : 32);
				/* linked: what came back, unless all did */
				EXPECT_EQ(h->slab_free != 0, left[s] != 0 && left[s] != 32);
			}
			if (t->failures)
				goto out;
		}
		EXPECT_EQ(c->nr_slabs, 2); /* both kept by the free-slab rule */
		EXPECT_EQ(c->free_objects, 64);
	}
out:
	shrink_check_destroy(t, c);
}
FX_CASE(slab_runs)

/* A flush whose first run may be every object a slab handed out but is one
 * short (one object of the slab is still out): it is linked, not made
 * fresh; and a run of the slab's last object out makes it all fresh
 * again, its linked objects dropped. (No depot; limit 64, batch 32.) */
static void slab_run_short_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c = kmem_cache_create("runs-short", 128, 0, 0, NULL);
	struct page *a, *b;
	void *o[65];

	(void)f;
	ASSERT(c);
	ASSERT_EQ(kmem_cache_tune_shared(c, 64, 32, 0), 0);
	for (int i = 0; i < 65; i++)
		ASSERT((o[i] = kmem_cache_alloc(c, GFP_KERNEL)) != NULL);
	a = slab_head(o[0]);
	b = slab_head(o[32]);
	ASSERT_EQ(kmem_cache_magazine_count(c, 0), 31); /* the third slab's rest */
	ASSERT(a != b && slab_head(o[31]) == a && slab_head(o[63]) == b);
	kmem_cache_free(c, o[32]);
	for (int i = 31; i >= 1; i--) /* all of a's but o[0], newest first */
		kmem_cache_free(c, o[i]);
	kmem_cache_free(c, o[33]);
	ASSERT_EQ(kmem_cache_magazine_count(c, 0), 64);
	/* Full: this free flushes the newest 32, a's 31 then o[33]. */
	kmem_cache_free(c, o[64]);
	EXPECT_EQ(a->slab_inuse, 1);
	EXPECT_EQ(a->slab_fresh, 0);
	EXPECT(a->slab_free != 0);
	EXPECT_EQ(b->slab_inuse, 31);
	EXPECT_EQ(kmem_cache_check(c), 0);
	/* o[0] alone back: a is all fresh, its 31 links dropped. */
	kmem_cache_free(c, o[0]);
	kmem_cache_drain_hart(c);
	EXPECT_EQ(a->slab_inuse, 0);
	EXPECT_EQ(a->slab_fresh, 32);
	EXPECT_EQ(a->slab_free, 0);
	EXPECT_EQ(kmem_cache_check(c), 0);
	for (int i = 34; i < 64; i++)
		kmem_cache_free(c, o[i]);
	shrink_check_destroy(t, c);
}
FX_CASE(slab_run_short)

/* Successive slabs start their first object colour_off further, within
 * the slack, and wrap after `colours` slabs. */
static void colouring_body(struct ktest *t, struct fx *f)
{
	static const struct { size_t size, align; unsigned int off, colours; } cs[] = {
		{ 360, 0, 64, 3 },    /* 11 objects, slack 136 */
		{ 3000, 256, 256, 5 }, /* order 2, 5 objects of 3072, slack 1024 */
	};

	(void)f;
	for (size_t k = 0; k < ARRAY_SIZE(cs); k++) {
		/* A debug cache has no magazines: objects come in slab order. */
		struct kmem_cache *c = kmem_cache_create("colour", cs[k].size, cs[k].align,
							 SLAB_CONSISTENCY_CHECKS, NULL);
		void *objs[128];
		unsigned int n = 0, slabs = 0;

		ASSERT(c);
		EXPECT_EQ(c->colour_off, cs[k].off);
		EXPECT_EQ(c->colours, cs[k].colours);
		for (unsigned int s = 0; s < 2 * cs[k].colours + 1; s++) {
			for (unsigned int i = 0; i < c->objs_per_slab && n < ARRAY_SIZE(objs); i++) {
				u8 *p = kmem_cache_alloc(c, GFP_KERNEL);
				u8 *base = (u8 *)((uintptr_t)p & ~((PAGE_SIZE << c->order) - 1));

				ASSERT(p);
				objs[n++] = p;
				if (i == 0) {
					/* The first object of a new slab. */
					EXPECT_EQ(c->nr_slabs, s + 1);
					EXPECT_EQ(p - base, (long)((s % cs[k].colours) * cs[k].off));
					slabs++;
				}
				/* Every object stays inside its slab. */
				EXPECT(p + c->object_size <= base + (PAGE_SIZE << c->order));
			}
		}
		EXPECT_EQ(slabs, 2 * cs[k].colours + 1);
		EXPECT_EQ(kmem_cache_check(c), 0);
		for (unsigned int i = 0; i < n; i++)
			kmem_cache_free(c, objs[i]);
		kmem_cache_destroy(c);
	}
}
FX_CASE(colouring)

/* ---- 3. lists --------------------------------------------------------------- */

static void lists_debug_body(struct ktest *t, struct fx *f)
{
	/* No magazine: each call moves the slab lists at once. */
	struct kmem_cache *c = kmem_cache_create("lists", 128, 0, SLAB_CONSISTENCY_CHECKS, NULL);
	void *a[33];
	unsigned long free0, before;

	(void)f;
	ASSERT(c);
	EXPECT_EQ(c->limit, 0);
	free0 = free_now();
	a[0] = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT(a[0]);
	EXPECT_EQ(c->partial.count, 1);
	EXPECT_EQ(c->full.count + c->free.count, 0);
	for (int i = 1; i < 32; i++) {
		a[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT(a[i]);
		EXPECT_EQ(c->partial.count, i < 31 ? 1u : 0u);
	}
	EXPECT_EQ(c->full.count, 1);
	EXPECT_EQ(c->nr_slabs, 1);
	a[32] = kmem_cache_alloc(c, GFP_KERNEL); /* a second slab */
	ASSERT(a[32]);
	EXPECT_EQ(c->full.count, 1);
	EXPECT_EQ(c->partial.count, 1);
	EXPECT_EQ(c->nr_slabs, 2);
	EXPECT_EQ(free0 - free_now(), 2);
	/* The free-slab rule of a cache without magazines: free objects in
	 * slabs up to one slab's worth (free_limit 32). */
	EXPECT_EQ(c->free_limit, 32);
	kmem_cache_free(c, a[32]); /* its slab is free: kept (32 free objects) */
	EXPECT_EQ(c->free.count, 1);
	EXPECT_EQ(c->partial.count, 0);
	EXPECT_EQ(c->nr_slabs, 2);
	EXPECT_EQ(free0 - free_now(), 2);
	before = free_now();
	kmem_cache_free(c, a[0]); /* full -> partial: 33 free, the free slab goes back */
	EXPECT_EQ(c->full.count, 0);
	EXPECT_EQ(c->partial.count, 1);
	EXPECT_EQ(c->free.count, 0);
	EXPECT_EQ(c->nr_slabs, 1);
	EXPECT_EQ(c->nr_reaps, 1);
	EXPECT_EQ(free_now() - before, 1);
	for (int i = 1; i < 31; i++)
		kmem_cache_free(c, a[i]);
	EXPECT_EQ(c->partial.count, 1);
	EXPECT_EQ(kmem_cache_check(c), 0);
	kmem_cache_free(c, a[31]); /* its slab is free: within the rule, kept */
	EXPECT_EQ(c->free.count, 1);
	EXPECT_EQ(c->partial.count + c->full.count, 0);
	EXPECT_EQ(c->nr_slabs, 1);
	EXPECT_EQ(c->nr_reaps, 1);
	EXPECT_EQ(c->free_objects, 32);
	EXPECT_EQ(kmem_cache_check(c), 0);
	EXPECT_EQ(kmem_cache_shrink(c), 1);
	EXPECT_EQ(c->nr_slabs, 0);
	EXPECT_EQ(free_now(), free0);
	kmem_cache_destroy(c);
}
FX_CASE(lists_debug)

static void lists_magazine_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c = kmem_cache_create("lists-mag", 128, 0, 0, NULL);
	void **o = calloc(400, sizeof(void *));
	unsigned long free0;
	void *p;

	(void)f;
	ASSERT(c && o);
	/* 4 KiB of 128-byte objects, batch half of it, a depot of two
	 * batches; free objects kept in slabs: (1 + harts) batches and a slab. */
	EXPECT_EQ(c->limit, 32);
	EXPECT_EQ(c->batch, 16);
	EXPECT_EQ(c->depot_limit, 32);
	EXPECT_EQ(c->free_limit, (1 + nr_online_cpus()) * 16ul + 32);
	free0 = free_now();
	/* A refill takes up to a batch from the slabs and grows by one slab
	 * only when it got nothing (Linux's rule): 16 of a new slab's 32. */
	p = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT(p);
	EXPECT_EQ(c->nr_slabs, 1);
	EXPECT_EQ(c->full.count, 0);
	EXPECT_EQ(c->partial.count, 1);
	EXPECT_EQ(c->free.count, 0);
	EXPECT_EQ(c->free_objects, 16);
	EXPECT_EQ(kmem_cache_in_magazines(c), 15);
	EXPECT_EQ(free0 - free_now(), 1);
	kmem_cache_free(c, p);
	EXPECT_EQ(kmem_cache_in_magazines(c), 16);
	EXPECT_EQ(c->nr_slabs, 1); /* still in the magazine */
	EXPECT_EQ(kmem_cache_shrink(c), 1);
	EXPECT_EQ(kmem_cache_in_magazines(c), 0);
	EXPECT_EQ(c->nr_slabs, 0);
	EXPECT_EQ(free_now(), free0);

	/* Many objects out and back: a full magazine hands a batch to the
	 * depot, or to the slabs when the depot is full; free slabs are kept
	 * only while the rule allows. */
	for (int i = 0; i < 400; i++) {
		o[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT(o[i]);
		EXPECT(kmem_cache_magazine_count(c, 0) <= 32);
	}
	EXPECT(c->nr_slabs >= 13);
	EXPECT_EQ(c->nr_slabs, free0 - free_now());
	for (int i = 0; i < 400; i++) {
		kmem_cache_free(c, o[i]);
		if (c->free.count && c->free_objects > c->free_limit) {
			ktest_fail(t, __FILE__, __LINE__, "free %d: %lu free objects in slabs kept",
				   i, c->free_objects);
			break;
		}
	}
	/* The magazine is full after the last flush and 8 more frees... */
	EXPECT(kmem_cache_magazine_count(c, 0) > 16 && kmem_cache_magazine_count(c, 0) <= 32);
	EXPECT_EQ(c->depot_avail, 32); /* ...and the depot full */
	/* the rest sits in slabs, the free ones beyond the rule given back */
	EXPECT_EQ(kmem_cache_objects_out(c), kmem_cache_in_magazines(c));
	EXPECT(c->nr_reaps > 0);
	EXPECT(c->free_objects + 32 > c->free_limit); /* no more given back than the rule asks */
	EXPECT_EQ(c->nr_slabs, free0 - free_now()); /* the rest went back */
	EXPECT_EQ(kmem_cache_check(c), 0);
	kmem_cache_shrink(c);
	EXPECT_EQ(c->nr_slabs, 0);
	EXPECT_EQ(c->depot_avail, 0);
	EXPECT_EQ(free_now(), free0);

	/* Objects allocated on one hart and freed on another go to the other
	 * hart's magazine; shrinking one hart leaves the other's alone. */
	host_set_cpu(1);
	for (int i = 0; i < 10; i++)
		o[i] = kmem_cache_alloc(c, GFP_KERNEL);
	host_set_cpu(2);
	for (int i = 0; i < 10; i++)
		kmem_cache_free(c, o[i]);
	EXPECT_EQ(kmem_cache_magazine_count(c, 1), 6); /* a batch of 16, less 10 */
	EXPECT_EQ(kmem_cache_magazine_count(c, 2), 10);
	kmem_cache_shrink(c);
	EXPECT_EQ(kmem_cache_magazine_count(c, 2), 0);
	EXPECT_EQ(kmem_cache_magazine_count(c, 1), 6);
	EXPECT_EQ(kmem_cache_objects_out(c), 6);
	host_set_cpu(1);
	kmem_cache_shrink(c);
	EXPECT_EQ(c->nr_slabs, 0);
	host_set_cpu(0);
	EXPECT_EQ(kmem_cache_check(c), 0);
	EXPECT_EQ(free_now(), free0);
	kmem_cache_destroy(c);
	free(o);
}
FX_CASE(lists_magazine)

/* ---- 4. constructors and destructors ------------------------------------------ */

#define CD_LIVE 0x11fe11fe11fe11feull
#define CD_DEAD 0xdeaddeaddeaddeadull

struct cd_obj {
	u64 state;
	const void *self;
	u64 payload[23];
};

static unsigned long cd_ctors, cd_dtors, cd_bad;

static void cd_ctor(void *p)
{
	struct cd_obj *o = p;

	o->state = CD_LIVE;
	o->self = p;
	cd_ctors++;
}

static void cd_dtor(void *p)
{
	struct cd_obj *o = p;

	if (o->state != CD_LIVE || o->self != p)
		cd_bad++; /* not constructed, or destroyed twice */
	o->state = CD_DEAD;
	cd_dtors++;
}

static void ctor_dtor_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c;
	struct cd_obj *o[200];
	unsigned long free0;

	(void)f;
	cd_ctors = cd_dtors = cd_bad = 0;
	c = kmem_cache_create_dtor("ctor-dtor", sizeof(struct cd_obj), 0, 0, cd_ctor, cd_dtor);
	ASSERT(c);
	free0 = free_now();
	EXPECT_EQ(cd_ctors, 0); /* nothing is built before a slab is */
	o[0] = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT(o[0]);
	EXPECT(c->nr_grows >= 1);
	EXPECT_EQ(cd_ctors, c->nr_grows * c->objs_per_slab);
	/* Recycled objects are not built again. */
	for (int r = 0; r < 2000; r++) {
		struct cd_obj *p = kmem_cache_alloc(c, GFP_KERNEL);

		ASSERT(p);
		if (p->state != CD_LIVE || p->self != p) {
			ktest_fail(t, __FILE__, __LINE__, "round %d: %p not constructed", r, (void *)p);
			break;
		}
		p->payload[r % 23] = (u64)r; /* use it; the constructed part stays */
		host_set_cpu((unsigned int)r % NCPU);
		kmem_cache_free(c, p);
	}
	host_set_cpu(0);
	EXPECT_EQ(cd_ctors, c->nr_grows * c->objs_per_slab);
	EXPECT_EQ(cd_dtors, 0);
	for (int i = 1; i < 200; i++) {
		o[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT(o[i]);
		EXPECT(o[i]->state == CD_LIVE && o[i]->self == o[i]);
	}
	EXPECT_EQ(cd_ctors, c->nr_grows * c->objs_per_slab);
	/* Destructors run when slabs go back, once per object. */
	for (int i = 0; i < 200; i++)
		kmem_cache_free(c, o[i]);
	for (unsigned int cpu = 0; cpu < NCPU; cpu++) {
		host_set_cpu(cpu);
		kmem_cache_shrink(c);
	}
	host_set_cpu(0);
	EXPECT_EQ(c->nr_slabs, 0);
	EXPECT_EQ(cd_dtors, c->nr_reaps * c->objs_per_slab);
	EXPECT_EQ(cd_dtors, cd_ctors);
	EXPECT_EQ(cd_bad, 0);
	EXPECT_EQ(free_now(), free0);
	kmem_cache_destroy(c);

	/* A debug cache (no magazine): a second free slab goes back at once,
	 * its destructors with it; destroy runs those of the kept one. */
	cd_ctors = cd_dtors = cd_bad = 0;
	c = kmem_cache_create_dtor("ctor-dtor-dbg", sizeof(struct cd_obj), 0,
				   SLAB_RED_ZONE | SLAB_POISON, cd_ctor, cd_dtor);
	ASSERT(c);
	for (unsigned int i = 0; i < 2 * c->objs_per_slab; i++) {
		o[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT(o[i]);
		EXPECT(o[i]->state == CD_LIVE); /* poisoning spares constructed objects */
	}
	EXPECT_EQ(cd_ctors, 2 * c->objs_per_slab);
	for (unsigned int i = 0; i < 2 * c->objs_per_slab; i++)
		kmem_cache_free(c, o[i]);
	EXPECT_EQ(cd_dtors, c->objs_per_slab);
	EXPECT_EQ(c->nr_slabs, 1);
	EXPECT_EQ(kmem_cache_check(c), 0);
	kmem_cache_destroy(c);
	EXPECT_EQ(cd_dtors, cd_ctors);
	EXPECT_EQ(cd_bad, 0);
	EXPECT_EQ(free_now(), free0);

	/* Destroy alone (objects parked in magazines) runs every destructor. */
	cd_ctors = cd_dtors = 0;
	c = kmem_cache_create_dtor("ctor-dtor-2", sizeof(struct cd_obj), 0, 0, cd_ctor, cd_dtor);
	ASSERT(c);
	for (unsigned int cpu = 0; cpu < NCPU; cpu++) {
		host_set_cpu(cpu);
		o[cpu] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT(o[cpu]);
	}
	for (unsigned int cpu = 0; cpu < NCPU; cpu++)
		kmem_cache_free(c, o[cpu]);
	host_set_cpu(0);
	EXPECT(cd_ctors > 0);
	kmem_cache_destroy(c);
	EXPECT_EQ(cd_dtors, cd_ctors);
	EXPECT_EQ(cd_bad, 0);
	EXPECT_EQ(free_now(), free0);
}
FX_CASE(ctor_dtor)

/*
 * The SLOB model runs constructors and destructors as 2.6.20's SLOB did:
 * the constructor at every allocation, the destructor at every free, on a
 * plain and on a debug cache (whose freed objects are poisoned after their
 * destructor and held); nothing is built ahead, and when every object is
 * back the heap holds at most its one kept empty page.
 */
static void ctor_dtor_slob_body(struct ktest *t, struct fx *f)
{
	static const unsigned long flags[] = { 0, SLAB_RED_ZONE | SLAB_POISON };
	struct cd_obj *o[200];

	for (size_t k = 0; k < ARRAY_SIZE(flags); k++) {
		struct kmem_cache *c = kmem_cache_create_dtor("ctor-dtor", sizeof(struct cd_obj), 0,
							      flags[k] | f->model, cd_ctor, cd_dtor);

		ASSERT(c && (c->flags & SLAB_SLOB));
		cd_ctors = cd_dtors = cd_bad = 0;
		for (int r = 0; r < 2000; r++) {
			struct cd_obj *p = kmem_cache_alloc(c, GFP_KERNEL);

			ASSERT(p);
			if (p->state != CD_LIVE || p->self != p || cd_ctors != (unsigned long)r + 1) {
				ktest_fail(t, __FILE__, __LINE__, "round %d: %p not constructed now", r,
					   (void *)p);
				break;
			}
			p->payload[r % 23] = (u64)r;
			host_set_cpu((unsigned int)r % NCPU);
			kmem_cache_free(c, p);
			EXPECT_EQ(cd_dtors, (unsigned long)r + 1);
		}
		host_set_cpu(0);
		for (int i = 0; i < 200; i++) {
			o[i] = kmem_cache_alloc(c, GFP_KERNEL);
			ASSERT(o[i]);
			EXPECT(o[i]->state == CD_LIVE && o[i]->self == o[i]);
			EXPECT(cache_owns(c, o[i]));
		}
		EXPECT_EQ(cd_ctors, 2200);
		EXPECT_EQ(kmem_cache_objects_out(c), 200);
		for (int i = 0; i < 200; i++)
			kmem_cache_free(c, o[i]);
		EXPECT_EQ(cd_dtors, 2200);
		EXPECT_EQ(cd_bad, 0);
		EXPECT_EQ(c->slob->hold_count, flags[k] & SLAB_POISON ? SLOB_CACHE_HOLD : 0u);
		EXPECT_EQ(kmem_cache_check(c), 0);
		EXPECT_EQ(kmem_cache_shrink(c), 0);
		EXPECT_EQ(c->slob->hold_count, 0);
		EXPECT_EQ(c->nr_errors, 0);
		kmem_cache_destroy(c);
		EXPECT_EQ(cd_dtors, cd_ctors); /* destroy runs none: none were out */
		EXPECT(kmalloc_heap.nr_pages <= 1);
		EXPECT_EQ(slob_check(&kmalloc_heap), 0);
	}
	EXPECT_EQ(slab_pages, f->pages0); /* not a slab page anywhere */
}
FX_CASE_MODEL(ctor_dtor_slob, ctor_dtor_slob, SLAB_SLOB)

/* ---- 5. destroy with objects left ----------------------------------------------- */

static void destroy_busy_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c = kmem_cache_create("leaky", 256, 0, 0, NULL);
	struct fr_capture cap;
	void *o[5], *big[64];
	unsigned long free0, pages, busy;
	char want[96];

	ASSERT(c);
	free0 = free_now();
	/* Four slabs' objects parked in hart 0's magazine first. */
	for (int i = 0; i < 64; i++)
		ASSERT((big[i] = kmem_cache_alloc(c, GFP_KERNEL)) != NULL);
	for (int i = 0; i < 64; i++)
		kmem_cache_free(c, big[i]);
	for (int i = 0; i < 5; i++) {
		host_set_cpu((unsigned int)i % 2);
		o[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT(o[i]);
	}
	host_set_cpu(1);
	kmem_cache_free(c, o[0]); /* two freed, into a magazine each */
	host_set_cpu(0);
	kmem_cache_free(c, o[1]);
	pages = free0 - free_now();
	fr_capture_start(&cap);
	kmem_cache_destroy(c);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	ksnprintf(want, sizeof(want), "cache leaky: %d objects still allocated", 3);
	EXPECT(strstr(f->out, want) != NULL);
	EXPECT_EQ(fr_count_substr(f->out, "kmem_cache_destroy"), 1);
	/* Their slabs stay the cache's; every other slab went back. */
	for (int i = 2; i < 5; i++) {
		EXPECT_EQ(page_type(virt_to_page(o[i])), PGTY_SLAB);
		EXPECT(virt_to_cache(o[i]) == c);
	}
	EXPECT(pages > 3);
	busy = 1 + (virt_to_page(o[3]) != virt_to_page(o[2])) +
	       (virt_to_page(o[4]) != virt_to_page(o[2]) && virt_to_page(o[4]) != virt_to_page(o[3]));
	EXPECT_EQ(c->nr_slabs, busy);
	EXPECT_EQ(free0 - free_now(), busy);
	/* The destroyed cache is off the chain (slabinfo does not show it). */
	fr_capture_start(&cap);
	show_slabinfo();
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT(strstr(f->out, "leaky") == NULL);
	/* Its per-hart slot went back and the next cache gets it; the late
	 * frees below must not land in that cache's magazines. */
	EXPECT_EQ(c->pcpu_off, PERCPU_RESERVED_OFF);
	struct kmem_cache *next = kmem_cache_create("next", 256, 0, 0, NULL);
	ASSERT(next);
	void *n0 = kmem_cache_alloc(next, GFP_KERNEL);
	ASSERT(n0);
	kmem_cache_free(next, n0);
	long held0 = kmem_cache_magazine_count(next, 0), held1 = kmem_cache_magazine_count(next, 1);
	/* Freeing them later still works, by kfree and kmem_cache_free. */
	kfree(o[2]);
	kmem_cache_free(c, o[3]);
	host_set_cpu(1);
	kfree(o[4]);
	host_set_cpu(0);
	EXPECT_EQ(kmem_cache_magazine_count(next, 0), held0);
	EXPECT_EQ(kmem_cache_magazine_count(next, 1), held1);
	EXPECT_EQ(kmem_cache_check(next), 0);
	kmem_cache_destroy(next);
	EXPECT_EQ(slab_errors, f->err0);
	EXPECT_EQ(kfree_errors, f->kerr0);
	EXPECT_EQ(kmem_cache_objects_out(c), 0);
	EXPECT_EQ(kmem_cache_check(c), 0);
	/* The descriptor is leaked on purpose; give its slabs back here so
	 * the fixture can count pages exactly. */
	kmem_cache_shrink(c);
	EXPECT_EQ(free_now(), free0);
}
FX_CASE(destroy_busy)

/* The SLOB model: destroy with objects out reports them as the slab model
 * does; they stay allocated in the SLOB heap, and the kept descriptor lets
 * their late kmem_cache_free work. */
static void destroy_busy_slob_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c = kmem_cache_create("leaky", 256, 0, f->model, NULL);
	struct fr_capture cap;
	void *o[5];
	char want[96];

	ASSERT(c);
	for (int i = 0; i < 5; i++)
		ASSERT((o[i] = kmem_cache_alloc(c, GFP_KERNEL)) != NULL);
	kmem_cache_free(c, o[0]);
	kmem_cache_free(c, o[1]);
	fr_capture_start(&cap);
	kmem_cache_destroy(c);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	ksnprintf(want, sizeof(want), "cache leaky: %d objects still allocated", 3);
	EXPECT(strstr(f->out, want) != NULL);
	EXPECT(strstr(f->out, "SLOB heap kmalloc") != NULL);
	EXPECT_EQ(fr_count_substr(f->out, "kmem_cache_destroy"), 1);
	for (int i = 2; i < 5; i++) {
		EXPECT_EQ(page_type(virt_to_page(o[i])), PGTY_SLOB);
		EXPECT(slob_ksize(&kmalloc_heap, o[i]) >= 256); /* live blocks */
	}
	fr_capture_start(&cap);
	show_slabinfo();
	show_slob_caches();
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT(strstr(f->out, "leaky") == NULL);
	for (int i = 2; i < 5; i++)
		kmem_cache_free(c, o[i]);
	EXPECT_EQ(slab_errors, f->err0);
	EXPECT_EQ(kmem_cache_objects_out(c), 0);
	EXPECT_EQ(kmem_cache_check(c), 0);
	EXPECT_EQ(slab_pages, f->pages0);
}
FX_CASE_MODEL(destroy_busy_slob, destroy_busy_slob, SLAB_SLOB)

/*
 * Per-hart slots (mm/percpu.c): distinct, aligned, inside the area, zeroed
 * on every hart when handed out; the lowest free one is reused; bad frees
 * are refused. A cache made when none is left works without magazines.
 */
static void percpu_slots_body(struct ktest *t, struct fx *f)
{
	enum { MAX = PERCPU_AREA_SIZE / PERCPU_SLOT };
	static long off[MAX];
	unsigned long used0 = percpu_slots_used();
	struct fr_capture cap;
	int n = 0;

	for (long o; (o = percpu_alloc()) >= 0; n++) {
		ASSERT(n < MAX);
		off[n] = o;
		EXPECT(o >= (long)(PERCPU_BASE_OFFSET + PERCPU_SLOT));
		EXPECT(o + PERCPU_SLOT <= (long)(PERCPU_BASE_OFFSET + PERCPU_AREA_SIZE));
		EXPECT_EQ((o - (long)PERCPU_BASE_OFFSET) % PERCPU_SLOT, 0);
		for (int i = 0; i < n; i++)
			EXPECT(off[i] != o);
		for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++) {
			u8 *p = cpu_percpu_base(cpu) + o;

			for (int b = 0; b < PERCPU_SLOT; b++)
				EXPECT_EQ(p[b], 0);
			memset(p, 0x5a, PERCPU_SLOT); /* dirty: the next owner must not see it */
		}
	}
	EXPECT_EQ(n, MAX - (long)used0);
	EXPECT_EQ(percpu_slots_used(), (unsigned long)MAX);
	EXPECT_EQ(percpu_alloc(), -ENOMEM);

	/* No slot left: a cache without magazines, every operation checked
	 * on the slow path, still exact. */
	{
		struct kmem_cache *c;
		void *o[200];

		fr_capture_start(&cap);
		c = kmem_cache_create("noslot", 64, 0, 0, NULL);
		fr_capture_end(&cap, f->out, sizeof(f->out));
		ASSERT(c);
		EXPECT(strstr(f->out, "slab: cache noslot: every per-hart slot is taken: no magazines") != NULL);
		EXPECT_EQ(c->pcpu_off, PERCPU_RESERVED_OFF);
		EXPECT_EQ(c->limit, 0);
		for (int i = 0; i < 200; i++) {
			o[i] = kmem_cache_alloc(c, GFP_KERNEL);
			ASSERT(o[i]);
		}
		for (int i = 0; i < 200; i += 2)
			kfree(o[i]);
		for (int i = 1; i < 200; i += 2)
			kmem_cache_free(c, o[i]);
		EXPECT_EQ(kmem_cache_objects_out(c), 0);
		EXPECT_EQ(kmem_cache_magazine_count(c, 0), 0);
		EXPECT_EQ(kmem_cache_check(c), 0);
		kmem_cache_set_failslab(c, true);
		kmem_cache_set_failslab(c, false);
		EXPECT_EQ(c->limit, 0); /* failslab off does not give it magazines */
		kmem_cache_destroy(c);
	}

	/* The lowest free slot comes back first, clean. */
	percpu_free((unsigned long)off[5]);
	percpu_free((unsigned long)off[2]);
	EXPECT_EQ(percpu_alloc(), off[2]);
	EXPECT_EQ(percpu_alloc(), off[5]);
	for (int b = 0; b < PERCPU_SLOT; b++)
		EXPECT_EQ((cpu_percpu_base(1) + off[5])[b], 0);

	/* Bad frees: reported, nothing changes. */
	percpu_free((unsigned long)off[0]);
	fr_capture_start(&cap);
	percpu_free((unsigned long)off[0]);               /* twice */
	percpu_free(PERCPU_RESERVED_OFF);                  /* the reserved slot */
	percpu_free((unsigned long)off[1] + 4);           /* not a slot boundary */
	percpu_free(PERCPU_BASE_OFFSET + PERCPU_AREA_SIZE); /* past the end */
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT_EQ(fr_count_substr(f->out, "percpu_free: "), 4);
	EXPECT_EQ(percpu_slots_used(), (unsigned long)MAX - 1);
	for (int i = 1; i < n; i++)
		percpu_free((unsigned long)off[i]);
	EXPECT_EQ(percpu_slots_used(), used0);
}
FX_CASE(percpu_slots)

/*
 * The slab shrinker: when the page allocator runs dry, every cache it can
 * lock gives back its free slabs and this hart's magazine; a cache whose
 * lock is held is skipped (no deadlock), and another hart's magazine stays.
 */
static void shrinker_body(struct ktest *t, struct fx *f)
{
	enum { N = 600 };
	static void *o[N];
	struct kmem_cache *c = kmem_cache_create("shrink-me", 256, 0, 0, NULL);
	struct kmem_cache *locked = kmem_cache_create("locked", 512, 0, 0, NULL);
	struct list_head held = LIST_HEAD_INIT(held);
	unsigned long scans0 = slab_shrinker.nr_scans, freed0 = slab_shrinker.nr_freed;
	unsigned long c_pages, locked_slabs, other_slabs;
	struct page *p;

	(void)f;
	ASSERT(c && locked);
	EXPECT_EQ(c->order, 0);
	for (int i = 0; i < N; i++)
		ASSERT((o[i] = kmem_cache_alloc(c, GFP_KERNEL)) != NULL);
	for (int i = 0; i < N; i++)
		kmem_cache_free(c, o[i]);
	for (int i = 0; i < 100; i++)
		ASSERT((o[i] = kmem_cache_alloc(locked, GFP_KERNEL)) != NULL);
	for (int i = 0; i < 100; i++)
		kmem_cache_free(locked, o[i]);
	/* Hart 1 holds some of c's objects in its magazine. */
	host_set_cpu(1);
	for (int i = 0; i < 10; i++)
		ASSERT((o[i] = kmem_cache_alloc(c, GFP_KERNEL)) != NULL);
	for (int i = 0; i < 10; i++)
		kmem_cache_free(c, o[i]);
	host_set_cpu(0);
	long m1 = kmem_cache_magazine_count(c, 1); /* a refill's batch */
	EXPECT(kmem_cache_magazine_count(c, 0) > 0 && m1 >= 10);
	c_pages = c->nr_slabs;
	locked_slabs = locked->nr_slabs;
	EXPECT(c_pages > 1 && locked_slabs > 0);

	spin_lock(&locked->lock); /* as if it were growing on another hart */
	while ((p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0)) != NULL)
		list_add(&p->lru, &held);
	spin_unlock(&locked->lock);

	EXPECT(slab_shrinker.nr_scans > scans0);
	EXPECT_EQ(kmem_cache_magazine_count(c, 0), 0);
	EXPECT_EQ(kmem_cache_magazine_count(c, 1), m1);
	/* What is left of c: the slabs of hart 1's objects. */
	other_slabs = c->nr_slabs;
	EXPECT(other_slabs >= 1 && other_slabs <= (unsigned long)m1);
	EXPECT_EQ(c->free.count, 0);
	EXPECT_EQ(slab_shrinker.nr_freed - freed0, c_pages - other_slabs);
	EXPECT_EQ(locked->nr_slabs, locked_slabs);
	EXPECT_EQ(kmem_cache_check(c), 0);
	EXPECT_EQ(kmem_cache_check(locked), 0);
	while (!list_empty(&held)) {
		p = list_first_entry(&held, struct page, lru);
		list_del(&p->lru);
		__free_pages(p, 0);
	}
	host_set_cpu(1);
	kmem_cache_shrink(c);
	host_set_cpu(0);
	kmem_cache_destroy(c);
	kmem_cache_destroy(locked);
}
FX_CASE(shrinker)

/* kmem_cache_tune (the slabinfo write): magazines resized at once, the
 * new bounds obeyed, bad values refused with nothing changed, the setting
 * kept across failslab on and off; a debug cache keeps none. */
static void tune_body(struct ktest *t, struct fx *f)
{
	enum { N = 200 };
	static void *o[N];
	struct kmem_cache *c = kmem_cache_create("tune-me", 64, 0, 0, NULL);
	struct kmem_cache *dbg = kmem_cache_create("tune-dbg", 64, 0, SLAB_POISON, NULL);
	static const unsigned int bad[][2] = { { 10, 0 }, { 10, 11 }, { SLAB_MAX_LIMIT + 1, 1 }, { 0, 5 } };

	(void)f;
	ASSERT(c && dbg);
	EXPECT(kmem_cache_find("tune-me") == c);
	EXPECT(kmem_cache_find("tune-dbg") == dbg);
	EXPECT(kmem_cache_find("no-such-cache") == NULL);
	EXPECT_EQ(c->limit, 64);
	for (int i = 0; i < N; i++)
		ASSERT((o[i] = kmem_cache_alloc(c, GFP_KERNEL)) != NULL);
	for (int i = 0; i < N; i++)
		kmem_cache_free(c, o[i]);
	EXPECT(kmem_cache_magazine_count(c, 0) > 16);

	/* The depot's size (the write's sharedfactor): 0 is none, too big
	 * is refused with nothing changed, and kmem_cache_tune restores the
	 * default of two batches. */
	EXPECT_EQ(kmem_cache_tune_shared(c, 32, 16, 0), 0);
	EXPECT_EQ(c->depot_limit, 0);
	EXPECT(c->depot == NULL);
	for (int i = 0; i < N; i++)
		ASSERT((o[i] = kmem_cache_alloc(c, GFP_KERNEL)) != NULL);
	for (int i = 0; i < N; i++)
		kmem_cache_free(c, o[i]);
	EXPECT_EQ(c->depot_avail, 0);
	EXPECT_EQ(kmem_cache_check(c), 0);
	EXPECT_EQ(kmem_cache_tune_shared(c, 32, 16, 4), 0);
	EXPECT_EQ(c->depot_limit, 64);
	EXPECT_EQ(kmem_cache_tune_shared(c, 32, 16, 32), -EINVAL); /* 512 > SLAB_MAX_LIMIT */
	EXPECT_EQ(c->depot_limit, 64);
	EXPECT_EQ(kmem_cache_check(c), 0);
	EXPECT_EQ(kmem_cache_tune(c, 16, 8), 0);
	EXPECT_EQ(c->limit, 16);
	EXPECT_EQ(c->batch, 8);
	EXPECT_EQ(c->depot_limit, 16);
	EXPECT_EQ(kmem_cache_magazine_count(c, 0), 0); /* flushed at once */
	EXPECT_EQ(kmem_cache_objects_out(c), 0);
	EXPECT_EQ(kmem_cache_check(c), 0);
	for (int i = 0; i < N; i++) {
		ASSERT((o[i] = kmem_cache_alloc(c, GFP_KERNEL)) != NULL);
		EXPECT(kmem_cache_magazine_count(c, 0) <= 8); /* a refill takes a batch at most */
	}
	for (int i = 0; i < N; i++) {
		kmem_cache_free(c, o[i]);
		if (kmem_cache_magazine_count(c, 0) > 16) {
			ktest_fail(t, __FILE__, __LINE__, "magazine above its tuned limit");
			break;
		}
	}
	EXPECT_EQ(kmem_cache_check(c), 0);

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(kmem_cache_tune(c, bad[i][0], bad[i][1]), -EINVAL);
		EXPECT_EQ(c->limit, 16);
		EXPECT_EQ(c->batch, 8);
	}

	kmem_cache_set_failslab(c, true);
	EXPECT_EQ(c->limit, 0);
	kmem_cache_set_failslab(c, false);
	EXPECT_EQ(c->limit, 16); /* the tuned value, not Linux's 120 */

	EXPECT_EQ(kmem_cache_tune(c, 0, 0), 0); /* no magazines */
	EXPECT_EQ(c->limit, 0);
	for (int i = 0; i < 50; i++)
		ASSERT((o[i] = kmem_cache_alloc(c, GFP_KERNEL)) != NULL);
	for (int i = 0; i < 50; i++)
		kfree(o[i]);
	EXPECT(kmem_cache_magazine(c, 0, &(long){ 0 }) == NULL);
	EXPECT_EQ(kmem_cache_objects_out(c), 0);
	EXPECT_EQ(kmem_cache_check(c), 0);

	EXPECT_EQ(kmem_cache_tune(dbg, 32, 16), 0);
	EXPECT_EQ(dbg->limit, 0); /* debug caches check every operation */

	kmem_cache_destroy(c);
	kmem_cache_destroy(dbg);
}
FX_CASE(tune)

/* Each cache's free-pointer secret comes from the random generator: two
 * caches made one after the other do not share it, and it is not zero. */
static void secrets_differ_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *a = kmem_cache_create("secret-a", 64, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("secret-b", 64, 0, 0, NULL);

	(void)f;
	ASSERT(a && b);
	EXPECT(a->random != 0 && b->random != 0);
	EXPECT(a->random != b->random);
	EXPECT(__builtin_popcountll(a->random ^ b->random) >= 8);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
}
FX_CASE(secrets_differ)

/* A double free in a row is caught on every cache, debug or not: reported
 * with the cache and object, dropped (the object is not in the magazine
 * twice); by kmem_cache_free and by kfree. A full magazine flushes and
 * still catches it. */
static void double_free_in_a_row_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c = kmem_cache_create("twice", 64, 0, 0, NULL);
	struct fr_capture cap;
	char want[96];
	void *a, *b, *k;
	long held;

	ASSERT(c);
	a = kmem_cache_alloc(c, GFP_KERNEL);
	b = kmem_cache_alloc(c, GFP_KERNEL);
	k = kmalloc(64, GFP_KERNEL);
	ASSERT(a && b && k);
	kmem_cache_free(c, a);
	held = kmem_cache_magazine_count(c, 0);
	fr_capture_start(&cap);
	kmem_cache_free(c, a);
	kfree(k);
	kfree(k);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT_EQ(kmem_cache_magazine_count(c, 0), held);
	ksnprintf(want, sizeof(want), "slab error: cache twice: object %p: double free (freed twice in a row)",
		  a);
	EXPECT(strstr(f->out, want) != NULL);
	ksnprintf(want, sizeof(want), "slab error: cache kmalloc-64: object %p: double free", k);
	EXPECT(strstr(f->out, want) != NULL);
	EXPECT_EQ(fr_count_substr(f->out, "slab error:"), 2);
	EXPECT_STREQ(c->last_error, "double free (freed twice in a row)");
	/* Not in a row: the fast path cannot tell (slab_debug can). */
	kmem_cache_free(c, b);
	EXPECT_EQ(kmem_cache_magazine_count(c, 0), held + 1);
	/* With the magazine full, the slow path flushes and still checks. */
	ASSERT_EQ(kmem_cache_tune(c, 2, 1), 0);
	a = kmem_cache_alloc(c, GFP_KERNEL);
	b = kmem_cache_alloc(c, GFP_KERNEL);
	k = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	EXPECT_EQ(kmem_cache_magazine_count(c, 0), 2);
	fr_capture_start(&cap);
	kmem_cache_free(c, b);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT_EQ(fr_count_substr(f->out, "double free"), 1);
	kmem_cache_free(c, k);
	EXPECT_EQ(kmem_cache_check(c), 0);
	EXPECT_EQ(kmem_cache_objects_out(c), kmem_cache_in_magazines(c));
	f->expected_errors = 3;
	kmem_cache_destroy(c);
}
FX_CASE(double_free_in_a_row)

/* kmem_cache_destroy of a cache destroyed already, or of what was never a
 * cache: reported, counted in slab_errors, and nothing else happens (it
 * used to unlink the freed descriptor from the chain a second time: a
 * crash, or a chain damaged). The caches made afterwards work. */
static void destroy_twice_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c = kmem_cache_create("twice-gone", 64, 0, f->model, NULL), *d;
	struct kmem_cache not_a_cache;
	struct fr_capture cap;
	char want[96];
	void *obj;

	ASSERT(c);
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	EXPECT(obj != NULL);
	kmem_cache_free(c, obj);
	kmem_cache_destroy(c);
	memset(&not_a_cache, 0, sizeof(not_a_cache));
	fr_capture_start(&cap);
	kmem_cache_destroy(c);
	kmem_cache_destroy(&not_a_cache);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	ksnprintf(want, sizeof(want), "slab error: kmem_cache_destroy(%p): not a cache", (void *)c);
	EXPECT(strstr(f->out, want) != NULL);
	ksnprintf(want, sizeof(want), "slab error: kmem_cache_destroy(%p): not a cache", (void *)&not_a_cache);
	EXPECT(strstr(f->out, want) != NULL);
	f->expected_errors = 2;
	d = kmem_cache_create("after-twice", 64, 0, f->model, NULL);
	ASSERT(d);
	obj = kmem_cache_alloc(d, GFP_KERNEL);
	EXPECT(obj != NULL);
	if (obj)
		kmem_cache_free(d, obj);
	EXPECT_EQ(kmem_cache_check(d), 0);
	EXPECT(kmem_cache_find("twice-gone") == NULL);
	kmem_cache_destroy(d);
}
FX_CASE2(destroy_twice)

/* kmem_cache_free(c, NULL) does nothing, as kfree(NULL): no report, and
 * the cache serves as before, whether this hart's magazine holds objects
 * (where a NULL pushed would read as its bottom: every later allocation
 * from it NULL) or is empty (where it matched the bottom's NULL and was
 * reported as a double free), and on a debug cache (no magazines). */
static void free_null_body(struct ktest *t, struct fx *f)
{
	static const unsigned long flags[] = { 0, SLAB_DEBUG_FLAGS };
	struct fr_capture cap;

	for (unsigned int k = 0; k < ARRAY_SIZE(flags); k++) {
		struct kmem_cache *c = kmem_cache_create("nullfree", 64, 0, flags[k] | f->model, NULL);
		void *obj[8];

		ASSERT(c);
		fr_capture_start(&cap);
		kmem_cache_free(c, NULL); /* this hart's magazine not made yet, or empty */
		for (int i = 0; i < 8; i++)
			obj[i] = kmem_cache_alloc(c, GFP_KERNEL);
		for (int i = 0; i < 4; i++)
			kmem_cache_free(c, obj[i]);
		kmem_cache_free(c, NULL); /* the magazine (if any) holds four */
		for (int i = 0; i < 4; i++)
			obj[i] = kmem_cache_alloc(c, GFP_KERNEL);
		fr_capture_end(&cap, f->out, sizeof(f->out));
		EXPECT_EQ(fr_count_substr(f->out, "slab error"), 0);
		for (int i = 0; i < 8; i++) {
			EXPECT(obj[i] != NULL);
			for (int j = 0; j < i; j++)
				EXPECT(obj[i] != obj[j]);
		}
		EXPECT_EQ(kmem_cache_check(c), 0);
		for (int i = 0; i < 8; i++)
			if (obj[i])
				kmem_cache_free(c, obj[i]);
		EXPECT_EQ(kmem_cache_check(c), 0);
		kmem_cache_destroy(c);
	}
}
FX_CASE2(free_null)

/* A free of a pointer inside a live object is caught on every cache, debug
 * or not, before the magazine takes it: reported with the cache and the
 * pointer, dropped (the object stays its owner's, and no allocation hands
 * out the inner address); by kmem_cache_free and by kfree. A class whose
 * objects lie on a 16-byte grid (kmalloc-48) is caught off the grid. */
static void interior_free_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c = kmem_cache_create("inner", 64, 0, 0, NULL);
	struct fr_capture cap;
	char want[112];
	char *a, *k, *k48, *x[8];
	long held;

	ASSERT(c);
	a = kmem_cache_alloc(c, GFP_KERNEL);
	k = kmalloc(24, GFP_KERNEL);
	k48 = kmalloc(48, GFP_KERNEL);
	ASSERT(a && k && k48);
	/* The grids docs/kmalloc.md lists: a power of two's size, 16 for 48. */
	EXPECT_EQ(c->obj_mask, 63);
	EXPECT_EQ(virt_to_cache(k)->obj_mask, 31);
	EXPECT_EQ(virt_to_cache(k48)->obj_mask, 15);
	held = kmem_cache_magazine_count(c, 0);
	fr_capture_start(&cap);
	kmem_cache_free(c, a + 16);
	kfree(k + 16);
	kfree(k48 + 8);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT_EQ(kmem_cache_magazine_count(c, 0), held);
	ksnprintf(want, sizeof(want),
		  "slab error: cache inner: object %p: free of a pointer inside an object, not its start",
		  a + 16);
	EXPECT(strstr(f->out, want) != NULL);
	ksnprintf(want, sizeof(want), "slab error: cache kmalloc-32: object %p: free of a pointer inside",
		  k + 16);
	EXPECT(strstr(f->out, want) != NULL);
	ksnprintf(want, sizeof(want), "slab error: cache kmalloc-48: object %p: free of a pointer inside",
		  k48 + 8);
	EXPECT(strstr(f->out, want) != NULL);
	EXPECT_EQ(fr_count_substr(f->out, "slab error:"), 3);
	EXPECT_STREQ(c->last_error, "free of a pointer inside an object, not its start");
	for (int i = 0; i < 8; i++) {
		x[i] = kmem_cache_alloc(c, GFP_KERNEL);
		EXPECT(x[i] != a + 16);
	}
	for (int i = 0; i < 8; i++) {
		char *y = kmalloc(24, GFP_KERNEL);

		EXPECT(y != k + 16);
		kfree(y);
	}
	for (int i = 0; i < 8; i++)
		kmem_cache_free(c, x[i]);
	kmem_cache_free(c, a);
	kfree(k);
	kfree(k48);
	EXPECT_EQ(kmem_cache_check(c), 0);
	EXPECT_EQ(kmem_cache_objects_out(c), kmem_cache_in_magazines(c));
	f->expected_errors = 3;
	kmem_cache_destroy(c);
}
FX_CASE(interior_free)

/* kfree_keyed (the malloc library's free): an on-grid pointer inside an
 * object and a double free with another free between are reported and
 * dropped, so no allocation hands out the same object twice. */
static void keyed_free_body(struct ktest *t, struct fx *f)
{
	const uintptr_t secret = 0x5a5a1234abcd0000ul;
	struct fr_capture cap;
	char want[112];
	char *a, *b, *x, *y, *z;

	a = kmalloc(48, GFP_KERNEL);
	b = kmalloc(48, GFP_KERNEL);
	ASSERT(a && b);
	((uintptr_t *)a)[1] = ((uintptr_t *)b)[1] = 0; /* (what the library does on allocation) */
	fr_capture_start(&cap);
	kfree_keyed(a + 16, secret); /* on kmalloc-48's grid: kfree would file it */
	kfree_keyed(a, secret);
	kfree_keyed(b, secret);
	kfree_keyed(a, secret); /* not in a row */
	fr_capture_end(&cap, f->out, sizeof(f->out));
	ksnprintf(want, sizeof(want),
		  "slab error: cache kmalloc-48: object %p: free of a pointer inside an object, not its start",
		  a + 16);
	EXPECT(strstr(f->out, want) != NULL);
	ksnprintf(want, sizeof(want), "slab error: cache kmalloc-48: object %p: double free", a);
	EXPECT(strstr(f->out, want) != NULL);
	EXPECT_EQ(fr_count_substr(f->out, "slab error:"), 2);
	x = kmalloc(48, GFP_KERNEL);
	y = kmalloc(48, GFP_KERNEL);
	z = kmalloc(48, GFP_KERNEL);
	EXPECT(x != y && y != z && x != z);
	EXPECT(x != a + 16 && y != a + 16 && z != a + 16);
	kfree(x);
	kfree(y);
	kfree(z);
	f->expected_errors = 2;
}
FX_CASE(keyed_free)

/* The SLOB model on segfit: a double free, in a row or not, finds no live
 * block and is reported and dropped (unless the block went out again):
 * objects of 64 bytes (a size page's) and of 100 (segfit blocks, parked by
 * their free: the check must see a parked block as not live). */
static void double_free_slob_size(struct ktest *t, struct fx *f, unsigned int size)
{
	struct kmem_cache *c = kmem_cache_create("twice", size, 0, f->model, NULL);
	struct fr_capture cap;
	char want[128];
	void *a, *b;

	ASSERT(c);
	a = kmem_cache_alloc(c, GFP_KERNEL);
	b = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT(a && b);
	kmem_cache_free(c, a);
	fr_capture_start(&cap);
	kmem_cache_free(c, a);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	ksnprintf(want, sizeof(want),
		  "slab error: cache twice: object %p: free of a pointer that is not an object of this cache", a);
	EXPECT(strstr(f->out, want) != NULL);
	kmem_cache_free(c, b);
	fr_capture_start(&cap);
	kmem_cache_free(c, a); /* not in a row */
	kmem_cache_free(c, (char *)b + 16); /* inside an object */
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT_EQ(fr_count_substr(f->out, "slab error: cache twice"), 2);
	EXPECT_EQ(fr_count_substr(f->out, "slob:"), 0); /* caught before SLOB saw it */
	EXPECT_EQ(kmalloc_heap.nr_bad_frees, 0);
	EXPECT_EQ(kmem_cache_objects_out(c), 0);
	EXPECT_EQ(c->slob->nr_frees, 2);
	EXPECT_EQ(kmem_cache_check(c), 0);
	f->expected_errors += 3;
	kmem_cache_destroy(c);
}

static void double_free_slob_body(struct ktest *t, struct fx *f)
{
	double_free_slob_size(t, f, 64);
	double_free_slob_size(t, f, 100);
}
FX_CASE_MODEL(double_free_slob, double_free_slob, SLAB_SLOB)

/* slabinfo -s: the slow-path counters and each hart's magazine, exactly. */
static void slabstats_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c = kmem_cache_create("stats-me", 64, 0, 0, NULL);
	struct fr_capture cap;
	void *a, *b;

	ASSERT(c);
	a = kmem_cache_alloc(c, GFP_KERNEL); /* refill: grow a slab of 64, take a batch of 32 */
	ASSERT(a);
	kmem_cache_free(c, a);
	host_set_cpu(1);
	b = kmem_cache_alloc(c, GFP_KERNEL); /* refill: the slab's last 32, no growing */
	ASSERT(b);
	host_set_cpu(0);
	fr_capture_start(&cap);
	show_slabstats();
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT(strstr(f->out, "# name             refills  flushes  grows  reaps errors limit batch"
			      " magazines (cpu:objects) depot objects/capacity borrowed lent\n") == f->out);
	EXPECT(strstr(f->out, "\nstats-me                 2        0      1      0      0    64    32"
			      " 0:32 1:31 depot 0/64 borrowed 0 lent 0\n") != NULL);
	EXPECT(strstr(f->out, "\nshrinker slab: scans ") != NULL);
	kmem_cache_free(c, b);
	host_set_cpu(1);
	kmem_cache_shrink(c);
	host_set_cpu(0);
	ASSERT_EQ(kmem_cache_tune(c, 0, 0), 0);
	fr_capture_start(&cap);
	show_slabstats();
	fr_capture_end(&cap, f->out, sizeof(f->out));
	/* Flushes: hart 1's shrink, then both magazines given back by the
	 * tune; the one free slab is within the rule (64 free objects for a
	 * cache without magazines), so nothing was reaped. */
	EXPECT(strstr(f->out, "\nstats-me                 2        3      1      0      0     0     0 -"
			      " depot 0/0 borrowed 0 lent 0\n") != NULL);
	kmem_cache_destroy(c);
}
FX_CASE(slabstats)

/* kmem_cache_shrink_all: this hart's magazines of every cache emptied, all
 * free slabs back, the pages counted; another hart's magazine stays. */
static void shrink_all_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *a = kmem_cache_create("all-a", 64, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("all-b", 512, 0, 0, NULL);
	unsigned long free0 = free_now(), held;
	void *o;

	(void)f;
	ASSERT(a && b);
	kmem_cache_free(a, kmem_cache_alloc(a, GFP_KERNEL));
	kmem_cache_free(b, kmem_cache_alloc(b, GFP_KERNEL));
	host_set_cpu(1);
	o = kmem_cache_alloc(a, GFP_KERNEL);
	ASSERT(o);
	kmem_cache_free(a, o);
	host_set_cpu(0);
	held = free0 - free_now();
	EXPECT_EQ(held, 2); /* a: one slab shared by both harts; b: one */
	EXPECT(kmem_cache_magazine_count(a, 0) > 0 && kmem_cache_magazine_count(b, 0) > 0);
	EXPECT_EQ(kmem_cache_shrink_all(), held - a->nr_slabs);
	EXPECT_EQ(kmem_cache_magazine_count(a, 0), 0);
	EXPECT_EQ(kmem_cache_magazine_count(b, 0), 0);
	EXPECT(kmem_cache_magazine_count(a, 1) > 0); /* hart 1's own to empty */
	EXPECT_EQ(b->nr_slabs, 0);
	EXPECT(a->nr_slabs >= 1);
	host_set_cpu(1);
	kmem_cache_shrink_all();
	host_set_cpu(0);
	EXPECT_EQ(a->nr_slabs, 0);
	EXPECT_EQ(free_now(), free0);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
}
FX_CASE(shrink_all)

/* ---- 6. kmalloc with the slab backend ------------------------------------------- */

/* docs/kmalloc.md's table: multiples of 16, 16 apart up to 128, then four
 * per power of two, with a power of two plus a header (1088, 4608) after
 * 1 KiB and 4 KiB; between 256 and 512 the classes that fill a page best
 * (288, 336, 400 and 448: 14, 12, 10 and 9 to a page, each the largest
 * multiple of 16 that many fit). */
static const unsigned int classes[] = {
	16,   32,   48,   64,   80,   96,   112,  128,  160,  192,  224,  256,
	288,  336,  400,  448,  512,  640,  768,  896,  1024, 1088, 1280, 1536,
	1792, 2048, 2560, 3072, 3584, 4096, 4608, 5120, 6144, 7168, 8192,
};
_Static_assert(ARRAY_SIZE(classes) == KMALLOC_NR_CACHES, "one class per kmalloc-N cache");

static unsigned int class_of(size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(classes); i++)
		if (n <= classes[i])
			return classes[i];
	return 0;
}

static bool pow2(size_t n)
{
	return (n & (n - 1)) == 0;
}

static void kmalloc_classes_body(struct ktest *t, struct fx *f)
{
	char name[24];
	u8 *p;

	(void)f;
	for (int i = 0; i < KMALLOC_NR_CACHES; i++)
		EXPECT(kmalloc_caches[i] == NULL);
	/* The table kmalloc uses is the documented one; every class a
	 * multiple of 16, each at most 25% above the one before it (from 32),
	 * and the index (run time and compile time) the smallest that holds
	 * the size. */
	for (int i = 0; i < KMALLOC_NR_CACHES; i++) {
		EXPECT_EQ(kmalloc_sizes[i], classes[i]);
		EXPECT_EQ(classes[i] % ARCH_KMALLOC_MINALIGN, 0);
		if (i && classes[i - 1] >= 128)
			EXPECT(classes[i] * 4 <= classes[i - 1] * 5);
	}
	for (size_t n = 1; n <= KMALLOC_SLAB_MAX; n++) {
		unsigned int idx = kmalloc_size_index(n);

		if (idx >= KMALLOC_NR_CACHES || classes[idx] < n || (idx && classes[idx - 1] >= n)) {
			ktest_fail(t, __FILE__, __LINE__, "kmalloc_size_index(%zu) = %u", n, idx);
			break;
		}
	}
	EXPECT_EQ(KMALLOC_CONST_INDEX(1), 0);
	EXPECT_EQ(KMALLOC_CONST_INDEX(8), 0);
	EXPECT_EQ(KMALLOC_CONST_INDEX(17), 1);
	EXPECT_EQ(KMALLOC_CONST_INDEX(100), 6);
	EXPECT_EQ(KMALLOC_CONST_INDEX(1025), 21);
	EXPECT_EQ(KMALLOC_CONST_INDEX(1089), 22);
	EXPECT_EQ(KMALLOC_CONST_INDEX(4097), 30);
	EXPECT_EQ(KMALLOC_CONST_INDEX(4609), 31);
	EXPECT_EQ(KMALLOC_CONST_INDEX(8192), KMALLOC_NR_CACHES - 1);
	/* The first kmalloc(100) makes kmalloc-112 and nothing else. */
	p = kmalloc(100, GFP_KERNEL);
	ASSERT(p);
	for (int i = 0; i < KMALLOC_NR_CACHES; i++)
		EXPECT((kmalloc_caches[i] != NULL) == (kmalloc_sizes[i] == 112));
	EXPECT(virt_to_cache(p) != NULL);
	EXPECT_STREQ(virt_to_cache(p)->name, "kmalloc-112");
	kfree(p);

	for (size_t n = 1; n <= KMALLOC_SLAB_MAX; n++) {
		unsigned int cls = class_of(n);
		struct kmem_cache *c;

		p = kmalloc(n, GFP_KERNEL);
		if (!p) {
			ktest_fail(t, __FILE__, __LINE__, "kmalloc(%zu) failed", n);
			break;
		}
		c = virt_to_cache(p);
		ksnprintf(name, sizeof(name), "kmalloc-%u", cls);
		if (ksize(p) != cls || !c || strcmp(c->name, name) != 0 ||
		    page_type(virt_to_page(p)) != PGTY_SLAB ||
		    (pow2(cls) && cls <= PAGE_SIZE && !aligned(p, cls)) ||
		    !aligned(p, ARCH_KMALLOC_MINALIGN)) {
			ktest_fail(t, __FILE__, __LINE__, "kmalloc(%zu) = %p: ksize %zu cache %s, want %s",
				   n, (void *)p, ksize(p), c ? c->name : "-", name);
			kfree(p);
			break;
		}
		p[0] = 1;
		p[n - 1] = 2;
		kfree(p);
	}
	/* Every class exists now, once on the chain each. */
	for (int i = 0; i < KMALLOC_NR_CACHES; i++) {
		ASSERT(kmalloc_caches[i]);
		EXPECT_EQ(kmalloc_caches[i]->object_size, classes[i]);
	}
	/* Between 256 and 512 each class fills its one-page slab as the
	 * largest multiple of 16 that many fit: one more byte fits one fewer. */
	for (int i = 0; i < KMALLOC_NR_CACHES; i++) {
		const struct kmem_cache *c = kmalloc_caches[i];

		if (classes[i] <= 256 || classes[i] >= 512)
			continue;
		EXPECT_EQ(c->order, 0);
		EXPECT_EQ(c->objs_per_slab, PAGE_SIZE / classes[i]);
		EXPECT(PAGE_SIZE / (classes[i] + 16) < c->objs_per_slab);
	}
	{
		struct fr_capture cap;

		fr_capture_start(&cap);
		show_slabinfo();
		fr_capture_end(&cap, f->out, sizeof(f->out));
	}
	for (int i = 0; i < KMALLOC_NR_CACHES; i++) {
		ksnprintf(name, sizeof(name), "\nkmalloc-%u ", classes[i]);
		EXPECT_EQ(fr_count_substr(f->out, name), 1);
	}
	/* Powers of two stay aligned to their size when the caches carry red
	 * zones (slab_debug=ZP), whose layout no longer aligns by accident. */
	for (int i = 0; i < KMALLOC_NR_CACHES; i++) {
		kmalloc_destroy_cache(i);
	}
	slab_debug_flags = SLAB_RED_ZONE | SLAB_POISON;
	for (size_t n = 16; n <= KMALLOC_SLAB_MAX; n *= 2) {
		u8 *q[3];

		for (int k = 0; k < 3; k++) {
			q[k] = kmalloc(n, GFP_KERNEL);
			ASSERT(q[k]);
			EXPECT_EQ(ksize(q[k]), n);
			if (n <= PAGE_SIZE && !aligned(q[k], n))
				ktest_fail(t, __FILE__, __LINE__, "debug kmalloc(%zu) = %p", n, (void *)q[k]);
			memset(q[k], 0x11, n);
		}
		for (int k = 0; k < 3; k++)
			kfree(q[k]);
		EXPECT(virt_to_cache(q[0])->flags & SLAB_RED_ZONE);
		EXPECT_EQ(kmem_cache_check(virt_to_cache(q[0])), 0);
	}
	slab_debug_flags = 0;
	EXPECT_EQ(slab_errors, f->err0);

	/* Zero, 8193 and up. */
	EXPECT(kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);
	p = kmalloc(KMALLOC_SLAB_MAX + 1, GFP_KERNEL);
	ASSERT(p);
	EXPECT_EQ(page_type(virt_to_page(p)), PGTY_BIGBLOCK);
	EXPECT_EQ(ksize(p), 3 * PAGE_SIZE); /* 8193 bytes: a bigblock of exact pages, 3 not 4 */
	kfree(p);
}
FX_CASE(kmalloc_classes)

/*
 * Heap classes (kmalloc_heap=on, docs/kmalloc.md): the classes above 512
 * bytes that are not powers of two take blocks of their own size from
 * kmalloc's SLOB heap, so memory freed by one class serves another. Half
 * of 40 objects of 1700 bytes (kmalloc-1792) freed, then 20 of 1500
 * (kmalloc-1536): on the heap they fit the holes, no page is taken; as
 * slab classes kmalloc-1536 needs slabs of its own. Then what kmalloc
 * promises for such a class: zones, __GFP_ZERO, ksize, krealloc across
 * heap and slab classes, 16-byte alignment, the checker.
 */
#define HC_N 40
static void heap_classes_body(struct ktest *t, struct fx *f)
{
	const unsigned int i1536 = kmalloc_size_index(1536), i1792 = kmalloc_size_index(1792);
	u8 *a[HC_N], *b[HC_N / 2], *p, *q;
	unsigned long heap_pages, free0, slabs0;
	u64 mask = kmalloc_default_heap_classes();

	(void)f;
	/* The default set: above 512, up to a SLOB block, not a power of two. */
	for (unsigned int i = 0; i < KMALLOC_NR_CACHES; i++) {
		unsigned int n = kmalloc_sizes[i];

		EXPECT_EQ(mask >> i & 1, n > 512 && !pow2(n) && n <= SLOB_SEG_KMALLOC_MAX);
	}
	EXPECT_EQ(kmalloc_heap_classes, 0); /* off unless kmalloc_heap=on */

	for (int on = 1; on >= 0; on--) {
		kmalloc_set_heap_classes(on ? mask : 0);
		for (int i = 0; i < HC_N; i++) {
			a[i] = kmalloc(1700, GFP_KERNEL);
			ASSERT(a[i]);
			EXPECT(aligned(a[i], ARCH_KMALLOC_MINALIGN));
			EXPECT_EQ(page_type(virt_to_page(a[i])), on ? PGTY_SLOB : PGTY_SLAB);
			EXPECT(ksize(a[i]) >= 1700 && ksize(a[i]) <= (on ? 1700 + 15 : 1792));
			memset(a[i], i, 1700);
		}
		for (int i = 0; i < HC_N; i += 2) {
			kfree(a[i]);
			a[i] = NULL;
		}
		heap_pages = kmalloc_slob_pages();
		free0 = free_now();
		slabs0 = slab_pages;
		for (int i = 0; i < HC_N / 2; i++) {
			b[i] = kmalloc(1500, GFP_KERNEL);
			ASSERT(b[i]);
			memset(b[i], 0xb0, 1500);
		}
		if (on) { /* the 1.7 KiB holes serve the 1.5 KiB requests */
			EXPECT_EQ(kmalloc_slob_pages(), heap_pages);
			EXPECT_EQ(free_now(), free0);
			EXPECT(kmalloc_caches[i1536] == NULL && kmalloc_caches[i1792] == NULL);
			EXPECT_EQ(slob_check(&kmalloc_heap), 0);
		} else { /* kmalloc-1536 takes slabs of its own */
			EXPECT(slab_pages > slabs0);
			EXPECT(free_now() < free0);
		}
		for (int i = 1; i < HC_N; i += 2) {
			EXPECT(bytes_all(a[i], (u8)i, 1700));
			kfree(a[i]);
		}
		for (int i = 0; i < HC_N / 2; i++)
			kfree(b[i]);
	}

	kmalloc_set_heap_classes(mask);
	/* __GFP_ZERO, and krealloc: a block of kmalloc's heap stays in the
	 * heap (a bigblock beyond a SLOB block), the data kept. */
	p = kmalloc(700, GFP_KERNEL | __GFP_ZERO);
	ASSERT(p);
	EXPECT(bytes_all(p, 0, 700));
	EXPECT_EQ(page_type(virt_to_page(p)), PGTY_SLOB);
	memset(p, 0x17, 700);
	p = krealloc(p, 3000, GFP_KERNEL);
	ASSERT(p);
	EXPECT_EQ(page_type(virt_to_page(p)), PGTY_SLOB);
	EXPECT(ksize(p) >= 3000 && bytes_all(p, 0x17, 700));
	p = krealloc(p, 5000, GFP_KERNEL);
	ASSERT(p);
	EXPECT_EQ(page_type(virt_to_page(p)), PGTY_BIGBLOCK);
	EXPECT(bytes_all(p, 0x17, 700));
	kfree(p);
	/* Powers of two keep their slab classes and alignment. */
	p = kmalloc(1024, GFP_KERNEL);
	ASSERT(p);
	EXPECT_EQ(page_type(virt_to_page(p)), PGTY_SLAB);
	EXPECT(aligned(p, 1024));
	kfree(p);
	/* A zone request takes the zone's heap. */
	q = kmalloc(1700, GFP_KERNEL | __GFP_DMA32);
	ASSERT(q);
	EXPECT_EQ(page_type(virt_to_page(q)), PGTY_SLOB);
	EXPECT(virt_to_page(q)->priv == (unsigned long)kmalloc_zone_heap_of(KMALLOC_ZONE_DMA32));
	EXPECT(page_zonenum(virt_to_page(q)) <= ZONE_DMA32);
	kfree(q);
	EXPECT_EQ(slob_heap_destroy(kmalloc_zone_heap_of(KMALLOC_ZONE_DMA32)), 0);
	kmalloc_set_heap_classes(0);
	p = kmalloc(1700, GFP_KERNEL);
	ASSERT(p);
	EXPECT_EQ(page_type(virt_to_page(p)), PGTY_SLAB); /* off again: the slab class */
	kfree(p);
}
FX_CASE(heap_classes)

/*
 * kmalloc_heap=compact: every class above 256 bytes up to a SLOB block's
 * largest, powers of two too, is a heap class. A request of a power of two
 * keeps its natural alignment (SLOB's kmalloc aligns it), others get
 * ARCH_KMALLOC_MINALIGN; memory freed by one class serves another (freed
 * 448-byte blocks serve 370-byte requests, which the slab classes would
 * have put in kmalloc-400's own slabs); the classes up to 256 and from 4096
 * up keep their slabs.
 */
static void heap_classes_compact_body(struct ktest *t, struct fx *f)
{
	u64 mask = kmalloc_compact_heap_classes();
	u8 *a[HC_N], *p;
	unsigned long heap_pages, free0;

	(void)f;
	for (unsigned int i = 0; i < KMALLOC_NR_CACHES; i++) {
		unsigned int n = kmalloc_sizes[i];

		EXPECT_EQ(mask >> i & 1, n > 256 && n <= SLOB_SEG_KMALLOC_MAX);
	}
	EXPECT(mask & 1ull << kmalloc_size_index(512));
	EXPECT(mask & 1ull << kmalloc_size_index(2048));
	EXPECT((mask & kmalloc_default_heap_classes()) == kmalloc_default_heap_classes());
	kmalloc_set_heap_classes(mask);
	for (size_t n = 512; n <= 2048; n *= 2) {
		p = kmalloc(n, GFP_KERNEL);
		ASSERT(p);
		EXPECT_EQ(page_type(virt_to_page(p)), PGTY_SLOB);
		EXPECT(aligned(p, n));
		EXPECT(ksize(p) >= n);
		memset(p, 0x5a, n);
		kfree(p);
	}
	p = kmalloc(300, GFP_KERNEL); /* kmalloc-336 */
	ASSERT(p);
	EXPECT_EQ(page_type(virt_to_page(p)), PGTY_SLOB);
	EXPECT(aligned(p, ARCH_KMALLOC_MINALIGN) && ksize(p) >= 300 && ksize(p) < 336);
	kfree(p);
	p = kmalloc(256, GFP_KERNEL); /* 256: a slab class */
	ASSERT(p);
	EXPECT_EQ(page_type(virt_to_page(p)), PGTY_SLAB);
	kfree(p);
	p = kmalloc(4096, GFP_KERNEL); /* a page: a slab class too */
	ASSERT(p);
	EXPECT_EQ(page_type(virt_to_page(p)), PGTY_SLAB);
	EXPECT(aligned(p, 4096));
	kfree(p);

	for (int i = 0; i < HC_N; i++) {
		a[i] = kmalloc(440, GFP_KERNEL);
		ASSERT(a[i]);
		memset(a[i], i, 440);
	}
	for (int i = 0; i < HC_N; i += 2) {
		kfree(a[i]);
		a[i] = NULL;
	}
	heap_pages = kmalloc_slob_pages();
	free0 = free_now();
	for (int i = 0; i < HC_N; i += 2) {
		a[i] = kmalloc(370, GFP_KERNEL);
		ASSERT(a[i]);
		memset(a[i], 0xc4, 370);
	}
	EXPECT_EQ(kmalloc_slob_pages(), heap_pages);
	EXPECT_EQ(free_now(), free0);
	EXPECT(kmalloc_caches[kmalloc_size_index(448)] == NULL);
	EXPECT(kmalloc_caches[kmalloc_size_index(370)] == NULL);
	EXPECT_EQ(slob_check(&kmalloc_heap), 0);
	for (int i = 0; i < HC_N; i++) {
		EXPECT(bytes_all(a[i], i & 1 ? (u8)i : 0xc4, i & 1 ? 440 : 370));
		kfree(a[i]);
	}
	kmalloc_set_heap_classes(0);
}
FX_CASE(heap_classes_compact)

static void kzalloc_zeroes_body(struct ktest *t, struct fx *f)
{
	static const size_t sizes[] = { 1, 7, 8, 24, 64, 95, 100, 192, 200, 1000, 4096, 5000, 8192 };

	(void)f;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t n = sizes[i];
		u8 *p = kmalloc(n, GFP_KERNEL), *z;

		ASSERT(p);
		memset(p, 0xee, n);
		kfree(p);
		z = kzalloc(n, GFP_KERNEL); /* the same object, from the magazine */
		ASSERT(z);
		EXPECT(z == p);
		EXPECT(bytes_all(z, 0, n));
		memset(z, 0xee, n);
		kfree(z);
		z = kmalloc(n, GFP_KERNEL | __GFP_ZERO);
		ASSERT(z);
		EXPECT(bytes_all(z, 0, n));
		kfree(z);
		z = kcalloc(n, 3, GFP_KERNEL);
		ASSERT(z);
		EXPECT(bytes_all(z, 0, 3 * n));
		kfree(z);
	}
}
FX_CASE(kzalloc_zeroes)

/* kfree sends each pointer to its owner, whatever the backend is now. */
static void kfree_owners_body(struct ktest *t, struct fx *f)
{
	u8 *slab1, *slab2, *slob1, *slob2, *big1, *big2;
	struct kmem_cache *c;
	unsigned long out0, slob_used, free0;

	(void)f;
	free0 = free_now();
	slab1 = kmalloc(100, GFP_KERNEL);
	big1 = kmalloc(10000, GFP_KERNEL);
	ASSERT(slab1 && big1);
	c = virt_to_cache(slab1);
	ASSERT(c);
	EXPECT_EQ(page_type(virt_to_page(big1)), PGTY_BIGBLOCK);
	EXPECT_EQ(kmalloc_heap.big_blocks, 1);

	kmalloc_set_backend(KMALLOC_SLOB);
	slob1 = kmalloc(100, GFP_KERNEL);
	big2 = kmalloc(10000, GFP_KERNEL);
	ASSERT(slob1 && big2);
	EXPECT_EQ(page_type(virt_to_page(slob1)), PGTY_SLOB);
	EXPECT(virt_to_cache(slob1) == NULL);
	slob_used = kmalloc_heap.used_bytes;
	EXPECT(slob_used > 0);
	/* A slab object freed while the backend is SLOB. */
	out0 = kmem_cache_objects_out(c) - kmem_cache_in_magazines(c);
	kfree(slab1);
	EXPECT_EQ(kmem_cache_objects_out(c) - kmem_cache_in_magazines(c), out0 - 1);
	EXPECT_EQ(kmalloc_heap.used_bytes, slob_used);
	kfree(big1);
	EXPECT_EQ(kmalloc_heap.big_blocks, 1);

	kmalloc_set_backend(KMALLOC_SLAB);
	slab2 = kmalloc(100, GFP_KERNEL);
	ASSERT(slab2);
	EXPECT(slab2 == slab1); /* back from the magazine */
	slob2 = krealloc(slob1, 120, GFP_KERNEL); /* stays in its SLOB block or moves within SLOB */
	ASSERT(slob2);
	EXPECT_EQ(page_type(virt_to_page(slob2)), PGTY_SLOB);
	/* A SLOB block freed while the backend is slab. */
	out0 = kmem_cache_objects_out(c) - kmem_cache_in_magazines(c);
	kfree(slob2);
	EXPECT_EQ(kmalloc_heap.used_bytes, 0);
	EXPECT_EQ(kmem_cache_objects_out(c) - kmem_cache_in_magazines(c), out0);
	kfree(big2);
	EXPECT_EQ(kmalloc_heap.big_blocks, 0);
	EXPECT_EQ(kmalloc_heap.big_pages, 0);
	/* krealloc from a slab class to a bigger one and to a bigblock. */
	slab2 = krealloc(slab2, 1000, GFP_KERNEL);
	ASSERT(slab2);
	EXPECT_EQ(ksize(slab2), 1024);
	slab2 = krealloc(slab2, 9000, GFP_KERNEL);
	ASSERT(slab2);
	EXPECT_EQ(page_type(virt_to_page(slab2)), PGTY_BIGBLOCK);
	kfree(slab2);
	EXPECT_EQ(kmalloc_heap.big_blocks, 0);
	EXPECT_EQ(kmalloc_heap.nr_bad_frees, 0);
	for (int i = 0; i < KMALLOC_NR_CACHES; i++)
		if (kmalloc_caches[i])
			kmem_cache_shrink(kmalloc_caches[i]);
	EXPECT_EQ(slab_pages, f->pages0);
	/* kmalloc's heap keeps one empty page; the fixture counts the rest. */
	EXPECT(kmalloc_heap.nr_pages <= 1);
	EXPECT_EQ(free_now() + kmalloc_heap.nr_pages, free0);
}
FX_CASE(kfree_owners)

/*
 * kfree's two lookups agree: the window over a flat memmap (this fixture's
 * one bank) and, with the window closed as for a sectioned memmap, the
 * section table. Pointers beside RAM are reported either way.
 */
static void kfree_window_body(struct ktest *t, struct fx *f)
{
	enum { N = 300 };
	unsigned long saved_size = memmap_win_size;
	static void *o[N];
	struct kmem_cache *c;

	(void)f;
	EXPECT_EQ(memmap_win_size, RAM_SIZE);
	for (int pass = 0; pass < 2; pass++) {
		unsigned long out0;

		for (int i = 0; i < N; i++) {
			o[i] = kmalloc(64, GFP_KERNEL);
			ASSERT(o[i]);
		}
		c = virt_to_cache(o[0]);
		ASSERT(c);
		out0 = kmem_cache_objects_out(c) - kmem_cache_in_magazines(c);
		if (pass == 1)
			memmap_win_size = 0; /* what a sectioned memmap has */
		for (int i = 0; i < N; i++)
			kfree(o[i]);
		memmap_win_size = saved_size;
		EXPECT_EQ(kmem_cache_objects_out(c) - kmem_cache_in_magazines(c), out0 - N);
		EXPECT_EQ(kmem_cache_check(c), 0);
		EXPECT_EQ(kfree_errors - f->kerr0, 0);
	}
	for (int pass = 0; pass < 2; pass++) {
		unsigned long err0 = kfree_errors, free0 = free_now();

		if (pass == 1)
			memmap_win_size = 0;
		kfree(NULL);
		kfree(ZERO_SIZE_PTR);
		EXPECT_EQ(kfree_errors, err0);
		kfree(phys_to_virt(RAM - 8));
		kfree(phys_to_virt(RAM + RAM_SIZE));
		kfree(phys_to_virt(RAM + RAM_SIZE - 8)); /* a free page's last bytes */
		memmap_win_size = saved_size;
		EXPECT_EQ(kfree_errors, err0 + 3);
		EXPECT_EQ(free_now(), free0);
	}
	f->kerr0 = kfree_errors;
}
FX_CASE(kfree_window)

/* ---- 7. hardened free pointers ------------------------------------------------- */

static void hardened_freeptr_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c = kmem_cache_create("fp-test", 128, 0, 0, NULL);
	struct fr_capture cap;
	void *keep, *o[40], *x;
	u8 *base, *first;
	struct page *head;
	uintptr_t stored, forged;
	unsigned long err0, nobj;
	char want[128];
	int n = 0;

	ASSERT(c);
	/* One object kept: after a shrink its slab holds it and 31 free
	 * objects on its free list, and the magazine is empty. */
	for (int i = 0; i < 40; i++) {
		o[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT(o[i]);
	}
	keep = o[5];
	for (int i = 0; i < 40; i++)
		if (o[i] != keep)
			kmem_cache_free(c, o[i]);
	kmem_cache_shrink(c);
	ASSERT_EQ(c->nr_slabs, 1);
	ASSERT_EQ(kmem_cache_in_magazines(c), 0);
	head = virt_to_page(keep);
	base = (u8 *)page_address(head) + head->slab_colour * c->colour_off;
	ASSERT(head->slab_free != 0);
	EXPECT_EQ(c->fp_offset, 0);

	/* Every free link is stored mangled: none is a plain pointer into
	 * the slab, nor NULL (the last one's link is NULL). */
	nobj = c->objs_per_slab;
	for (unsigned long i = 0; i < nobj; i++) {
		u8 *obj = base + i * c->size;

		if (obj == keep)
			continue;
		stored = *(uintptr_t *)(obj + c->fp_offset);
		if (stored == 0 || (stored >= (uintptr_t)base && stored < (uintptr_t)base + PAGE_SIZE)) {
			ktest_fail(t, __FILE__, __LINE__, "object %lu: link %#lx stored in the clear",
				   i, (unsigned long)stored);
			break;
		}
		n++;
	}
	EXPECT_EQ(n, 31);

	/* Forge the first free object's link as a plain pointer to another
	 * object: the checker sees it, and the allocation that follows it
	 * reports it once and hands out nothing bad. */
	first = (u8 *)page_address(head) + head->slab_free - 1;
	forged = (uintptr_t)base;
	while ((void *)forged == first || (void *)forged == keep)
		forged += c->size;
	*(uintptr_t *)(first + c->fp_offset) = forged;
	fr_capture_start(&cap);
	EXPECT(kmem_cache_check(c) > 0);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT(strstr(f->out, "kmem_cache_check: fp-test: ") != NULL);
	err0 = c->nr_errors;
	fr_capture_start(&cap);
	x = kmem_cache_alloc(c, GFP_KERNEL);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	ASSERT(x);
	f->expected_errors = 1;
	EXPECT_EQ(c->nr_errors - err0, 1);
	EXPECT_EQ(slab_errors - f->err0, 1);
	EXPECT_STREQ(c->last_error, "corrupted free pointer");
	ksnprintf(want, sizeof(want), "slab error: cache fp-test: object %p: corrupted free pointer",
		  (void *)first);
	EXPECT(strstr(f->out, want) != NULL);
	ksnprintf(want, sizeof(want), "bytes at object offset 0: %02x %02x %02x %02x",
		  (unsigned int)(forged & 0xff), (unsigned int)(forged >> 8 & 0xff),
		  (unsigned int)(forged >> 16 & 0xff), (unsigned int)(forged >> 24 & 0xff));
	EXPECT(strstr(f->out, want) != NULL);
	EXPECT_EQ(fr_count_substr(f->out, "slab error:"), 1);
	/* The forged target never came out of the allocator. */
	{
		long held;
		void **objs = kmem_cache_magazine(c, 0, &held);

		for (long i = 0; i < held; i++)
			EXPECT(objs[i] != (void *)forged);
	}
	EXPECT(x != (void *)forged);
	EXPECT(x != keep);
	/* The rest of that slab's list is given up: the checker agrees with
	 * the counters. Give the lost objects back by hand and all is well. */
	EXPECT_EQ(kmem_cache_check(c), 0);
	for (unsigned long i = 0; i < nobj; i++) {
		u8 *obj = base + i * c->size;

		if (obj != keep && obj != first)
			kmem_cache_free(c, obj);
	}
	kmem_cache_free(c, x);
	kmem_cache_free(c, keep);
	EXPECT_EQ(kmem_cache_check(c), 0);
	kmem_cache_shrink(c);
	EXPECT_EQ(c->nr_slabs, 0);
	/* And it works. */
	x = kmem_cache_alloc(c, GFP_KERNEL);
	EXPECT(x != NULL);
	kmem_cache_free(c, x);
	EXPECT_EQ(c->nr_errors - err0, 1);
	kmem_cache_destroy(c);
}
FX_CASE(hardened_freeptr)

/* ---- debug checks --------------------------------------------------------------- */

/* Each clobber is reported once, with its reason, cache and object; the
 * cache stays consistent. (The on-target suite slab_debug goes further.) */
static void debug_checks_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c = kmem_cache_create("dbg", 100, 0, SLAB_DEBUG_FLAGS | f->model, NULL);
	struct kmem_cache *other =
		kmem_cache_create("dbg-other", 100, 0, SLAB_CONSISTENCY_CHECKS | f->model, NULL);
	struct fr_capture cap;
	u8 *a, *b, *o;
	char want[160];
	unsigned long e0;

	ASSERT(c && other);
	EXPECT_EQ(c->limit, 0);
	e0 = c->nr_errors;
	host_set_cpu(3);
	a = kmem_cache_alloc(c, GFP_KERNEL);
	b = kmem_cache_alloc(c, GFP_KERNEL);
	o = kmem_cache_alloc(other, GFP_KERNEL);
	ASSERT(a && b && o);
	f->expected_errors = 7;
#define CLOBBER(stmt, reason, bytes)                                                           \
	do {                                                                                   \
		unsigned long n0 = c->nr_errors;                                               \
		fr_capture_start(&cap);                                                        \
		stmt;                                                                          \
		fr_capture_end(&cap, f->out, sizeof(f->out));                                  \
		EXPECT_EQ(c->nr_errors - n0, 1);                                               \
		EXPECT_STREQ(c->last_error, reason);                                           \
		EXPECT_EQ(fr_count_substr(f->out, "slab error: cache dbg: object 0x"), 1);      \
		if (*(bytes))                                                                  \
			EXPECT(strstr(f->out, bytes) != NULL);                                 \
		else                                                                           \
			EXPECT(strstr(f->out, "bytes at object offset") == NULL);              \
	} while (0)

	a[100] = 0x11;
	CLOBBER(kmem_cache_free(c, a), "write past the object (red zone overwritten)",
		"bytes at object offset 100: 11 cc cc cc cc cc cc cc\n");
	ksnprintf(want, sizeof(want), "slab error: cache dbg: object %p: write past", (void *)a);
	EXPECT(strstr(f->out, want) != NULL);
	EXPECT(strstr(f->out, "\n  last allocated by [<") != NULL); /* no symbols on the host */
	EXPECT(strstr(f->out, "] on cpu 3\n") != NULL);
	EXPECT(strstr(f->out, "last freed") == NULL); /* never freed before */
	a[60] = 0x22; /* a's poison, after it was freed */
	CLOBBER(EXPECT(kmem_cache_alloc(c, GFP_KERNEL) == a),
		"use after free: a free object was written to",
		"bytes at object offset 60: 22 6b 6b 6b 6b 6b 6b 6b\n");
	a[-2] = 0x33;
	CLOBBER(kmem_cache_free(c, a), "write before the object (red zone overwritten)",
		"bytes at object offset -2: 33 cc ");
	host_set_cpu(2);
	CLOBBER(kmem_cache_free(c, a), "double free", "");
	EXPECT(strstr(f->out, "] on cpu 3\n  last freed by [<") != NULL); /* the first free, on cpu 3 */
	host_set_cpu(3);
	CLOBBER(kmem_cache_free(c, b + 1), "free of a pointer that is not an object of this cache", "");
	CLOBBER(kmem_cache_free(c, o), "free of a pointer that is not an object of this cache", "");
	EXPECT_EQ(other->nr_errors, 0);
	a = kmem_cache_alloc(c, GFP_KERNEL);
	a[111] = 0x44; /* the zone after it is 100..111, the free link follows */
	CLOBBER(kmem_cache_free(c, a), "write past the object (red zone overwritten)",
		"bytes at object offset 111: 44 ");
#undef CLOBBER
	EXPECT_EQ(c->nr_errors - e0, 7);
	EXPECT_EQ(slab_errors - f->err0, 7);
	EXPECT_EQ(kmem_cache_check(c), 0);
	kmem_cache_free(c, b);
	kmem_cache_free(other, o);
	EXPECT_EQ(kmem_cache_check(c), 0);
	EXPECT_EQ(kmem_cache_check(other), 0);
	host_set_cpu(0);
	kmem_cache_destroy(c);
	kmem_cache_destroy(other);
}
FX_CASE2(debug_checks)

/* ---- out of slabs --------------------------------------------------------------- */

/* With max_slabs reached an allocation fails cleanly (NULL, nothing
 * reported, the cache consistent), and works again once objects come back. */
static void out_of_slabs_body(struct ktest *t, struct fx *f)
{
	static const unsigned long flags[] = { 0, SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE };

	for (size_t k = 0; k < ARRAY_SIZE(flags); k++) {
		struct kmem_cache *c = kmem_cache_create("oom", 128, 0, flags[k], NULL);
		unsigned long cap;
		u8 *o[200], *z;
		unsigned int n = 0;

		ASSERT(c);
		c->max_slabs = 2;
		cap = 2ul * c->objs_per_slab;
		while (n < ARRAY_SIZE(o) && (o[n] = kmem_cache_alloc(c, GFP_KERNEL)) != NULL)
			n++;
		EXPECT_EQ(n, cap);
		EXPECT_EQ(c->nr_slabs, 2);
		EXPECT(kmem_cache_alloc(c, GFP_KERNEL) == NULL);
		EXPECT_EQ(kmem_cache_check(c), 0);
		EXPECT_EQ(slab_errors, f->err0);
		kmem_cache_free(c, o[3]);
		z = kmem_cache_zalloc(c, GFP_KERNEL);
		EXPECT(z == o[3]);
		EXPECT(z && bytes_all(z, 0, 128));
		for (unsigned int i = 0; i < n; i++)
			kmem_cache_free(c, o[i]);
		EXPECT_EQ(kmem_cache_check(c), 0);
		kmem_cache_shrink(c);
		EXPECT_EQ(c->nr_slabs, 0);
		o[0] = kmem_cache_alloc(c, GFP_KERNEL);
		EXPECT(o[0] != NULL);
		kmem_cache_free(c, o[0]);
		kmem_cache_destroy(c);
	}
}
FX_CASE(out_of_slabs)

/* The SLOB model: with kmalloc's heap at its page limit an allocation fails
 * cleanly (NULL, nothing reported, the cache and heap consistent), and works
 * again once an object comes back (the freed block is the only one left). */
static void out_of_memory_slob_body(struct ktest *t, struct fx *f)
{
	static const unsigned long flags[] = { 0, SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE };

	for (size_t k = 0; k < ARRAY_SIZE(flags); k++) {
		struct kmem_cache *c = kmem_cache_create("oom", 128, 0, flags[k] | f->model, NULL);
		u8 *o[200], *z;
		unsigned int n = 0;

		ASSERT(c);
		kmalloc_heap.max_pages = 2;
		while (n < ARRAY_SIZE(o) && (o[n] = kmem_cache_alloc(c, GFP_KERNEL)) != NULL)
			n++;
		EXPECT(n > 40 && n < ARRAY_SIZE(o)); /* two pages' worth */
		EXPECT_EQ(kmalloc_heap.nr_pages, 2);
		EXPECT(kmem_cache_alloc(c, GFP_KERNEL) == NULL);
		EXPECT_EQ(kmem_cache_objects_out(c), n);
		EXPECT_EQ(kmem_cache_check(c), 0);
		EXPECT_EQ(slob_check(&kmalloc_heap), 0);
		EXPECT_EQ(slab_errors, f->err0);
		memset(o[3], 0x5a, 128);
		kmem_cache_free(c, o[3]);
		z = kmem_cache_zalloc(c, GFP_KERNEL);
		EXPECT(z == o[3]);
		EXPECT(z && bytes_all(z, 0, 128));
		for (unsigned int i = 0; i < n; i++)
			kmem_cache_free(c, o[i]);
		kmalloc_heap.max_pages = 0;
		EXPECT_EQ(kmem_cache_objects_out(c), 0);
		EXPECT_EQ(kmem_cache_check(c), 0);
		o[0] = kmem_cache_alloc(c, GFP_KERNEL);
		EXPECT(o[0] != NULL);
		kmem_cache_free(c, o[0]);
		kmem_cache_destroy(c);
	}
}
FX_CASE_MODEL(out_of_memory_slob, out_of_memory_slob, SLAB_SLOB)

/* ---- slab_debug= ---------------------------------------------------------------- */

static void debug_param_body(struct ktest *t, struct fx *f)
{
	char l1[] = "slab_debug=ZP,dbg-one", l2[] = "slab_debug", l3[] = "slab_debug=Q",
	     l4[] = "slab_debug=fu";
	struct kmem_cache *a, *b;

	EXPECT_EQ(cmdline_parse(l1), 0);
	EXPECT_EQ(slab_debug_flags, SLAB_RED_ZONE | SLAB_POISON);
	EXPECT_STREQ(slab_debug_cache, "dbg-one");
	a = kmem_cache_create("dbg-one", 64, 0, f->model, NULL);
	b = kmem_cache_create("dbg-two", 64, 0, f->model, NULL);
	ASSERT(a && b);
	EXPECT_EQ(a->flags & SLAB_DEBUG_FLAGS, SLAB_RED_ZONE | SLAB_POISON);
	EXPECT_EQ(a->limit, 0);
	EXPECT_EQ(b->flags & SLAB_DEBUG_FLAGS, 0);
	EXPECT_EQ(b->limit, slob_model(f) ? 0 : 64); /* SLOB: no magazines at all */
	EXPECT_EQ(a->size, slob_model(f) ? 8 + 64 + 8 : a->size); /* red zones around it */
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);

	EXPECT_EQ(cmdline_parse(l2), 0);
	EXPECT_EQ(slab_debug_flags, SLAB_DEBUG_FLAGS);
	EXPECT_STREQ(slab_debug_cache, "");
	a = kmem_cache_create("any", 64, 0, f->model, NULL);
	ASSERT(a);
	EXPECT_EQ(a->flags & SLAB_DEBUG_FLAGS, SLAB_DEBUG_FLAGS);
	kmem_cache_destroy(a);

	/* A bad letter is refused and changes nothing. */
	EXPECT_EQ(cmdline_parse(l3), 1);
	EXPECT_EQ(slab_debug_flags, SLAB_DEBUG_FLAGS);
	EXPECT_EQ(cmdline_parse(l4), 0);
	EXPECT_EQ(slab_debug_flags, SLAB_CONSISTENCY_CHECKS | SLAB_STORE_USER);

	/* Several caches, as Linux takes them (slub_debug=, its older name,
	 * too): exactly the ones named, not a name that only starts or ends
	 * like one of them. */
	char l5[] = "slub_debug=Z,dbg-one,dbg-three";
	struct kmem_cache *c, *d;

	EXPECT_EQ(cmdline_parse(l5), 0);
	EXPECT_EQ(slab_debug_flags, SLAB_RED_ZONE);
	a = kmem_cache_create("dbg-one", 64, 0, f->model, NULL);
	b = kmem_cache_create("dbg-two", 64, 0, f->model, NULL);
	c = kmem_cache_create("dbg-three", 64, 0, f->model, NULL);
	d = kmem_cache_create("dbg-thre", 64, 0, f->model, NULL);
	ASSERT(a && b && c && d);
	EXPECT_EQ(a->flags & SLAB_DEBUG_FLAGS, SLAB_RED_ZONE);
	EXPECT_EQ(b->flags & SLAB_DEBUG_FLAGS, 0);
	EXPECT_EQ(c->flags & SLAB_DEBUG_FLAGS, SLAB_RED_ZONE);
	EXPECT_EQ(d->flags & SLAB_DEBUG_FLAGS, 0);
	EXPECT_EQ(slab_debug_flags_for("dbg-one,dbg-three"), 0);
	EXPECT_EQ(slab_debug_flags_for("one"), 0);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	kmem_cache_destroy(c);
	kmem_cache_destroy(d);

	/* An empty name, one too long for any cache, Linux's ';' blocks and a
	 * list too long for the table are refused and change nothing. */
	char bad[][200] = { "slab_debug=Z,", "slab_debug=Z,a,,b", "slab_debug=Z,a,",
			    "slab_debug=Z,this-name-is-longer-than-31-chars", "slab_debug=Z;P,a",
			    "slab_debug=Z,a;b", "slab_debug=Z," };
	memset(bad[6] + 13, 'x', 150); /* 10 names of 15, with commas */
	for (int i = 0; i < 10; i++)
		bad[6][13 + i * 15 + 14] = ',';
	bad[6][13 + 149] = 'x';
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(cmdline_parse(bad[i]), 1);
		EXPECT_EQ(slab_debug_flags, SLAB_RED_ZONE);
		EXPECT_STREQ(slab_debug_cache, "dbg-one,dbg-three");
	}
	slab_debug_flags = 0;
	slab_debug_cache[0] = '\0';
}
FX_CASE2(debug_param)

/* ---- bulk calls ------------------------------------------------------------------ */

/* kmem_cache_alloc_bulk hands out @nr distinct objects or none at all (an
 * injected failure midway gives back the ones taken); kmem_cache_free_bulk
 * returns them, of a cache or (NULL) of kmalloc. */
/* Objects handed out (not free on a slab, in a magazine or the depot). */
static unsigned long in_use(const struct kmem_cache *c)
{
	return kmem_cache_objects_out(c) - (c->flags & SLAB_SLOB ? 0 : kmem_cache_in_magazines(c));
}

static void bulk_body(struct ktest *t, struct fx *f)
{
	static void *o[300];
	struct kmem_cache *c;
	int failed_runs = 0;

	c = kmem_cache_create("bulk", 200, 0, f->model, NULL);
	ASSERT(c);
	ASSERT_EQ(kmem_cache_alloc_bulk(c, GFP_KERNEL, 300, o), 300);
	for (int i = 0; i < 300; i++) {
		ASSERT(o[i] != NULL);
		memset(o[i], i & 0xff, 200);
	}
	for (int i = 0; i < 300; i++)
		for (int j = 0; j < 200; j++)
			if (((u8 *)o[i])[j] != (i & 0xff)) {
				ktest_fail(t, __FILE__, __LINE__, "object %d overlaps another", i);
				return;
			}
	EXPECT_EQ(in_use(c), 300);
	EXPECT_EQ(kmem_cache_check(c), 0);
	kmem_cache_free_bulk(c, 300, o);
	EXPECT_EQ(in_use(c), 0);
	EXPECT_EQ(kmem_cache_alloc_bulk(c, GFP_KERNEL, 0, o), 0);

	/* All or none: a third of the allocations fail. */
	ASSERT_EQ(fault_inject_set(&failslab, "33%,cache=bulk,verbose=0,seed=7"), 0);
	kmem_cache_set_failslab(c, true);
	for (int run = 0; run < 20; run++) {
		int got = kmem_cache_alloc_bulk(c, GFP_KERNEL, 40, o);

		EXPECT(got == 0 || got == 40);
		if (got == 0) {
			failed_runs++;
			EXPECT_EQ(in_use(c), 0);
		} else {
			kmem_cache_free_bulk(c, 40, o);
		}
	}
	fault_inject_clear(&failslab);
	kmem_cache_set_failslab(c, false);
	EXPECT(failed_runs > 0);
	EXPECT_EQ(in_use(c), 0);
	EXPECT_EQ(kmem_cache_check(c), 0);
	kmem_cache_destroy(c);

	/* kmalloc's blocks: free_bulk with no cache. */
	for (int i = 0; i < 100; i++)
		ASSERT((o[i] = kmalloc(16 + i * 40, GFP_KERNEL)) != NULL);
	kmem_cache_free_bulk(NULL, 100, o);
}
FX_CASE2(bulk)

/* ---- Linux's kmalloc helpers on the host (the library's API) ------------------------ */

/* kmalloc_array, krealloc_array, kmemdup, kstrdup, kstrndup and
 * kfree_sensitive as the embedding library gives them: overflow refused,
 * copies equal, a sensitive block cleared before it is freed (the same
 * object comes back from its cache's magazine here), and a pointer inside
 * an object (to kfree_sensitive or krealloc) or a second kfree_sensitive
 * reported without a byte written or moved. */
static void helpers_body(struct ktest *t, struct fx *f)
{
	static const char text[] = "host helpers";
	struct kmem_cache *c;
	u8 *p, *q, *spare;
	char *s;

	EXPECT(kmalloc_array(SIZE_MAX / 4 + 1, 4, GFP_KERNEL) == NULL);
	p = kmalloc_array(10, 30, GFP_KERNEL);
	ASSERT(p != NULL);
	memset(p, 3, 300);
	EXPECT(krealloc_array(p, SIZE_MAX / 2 + 1, 2, GFP_KERNEL) == NULL);
	q = krealloc_array(p, 40, 30, GFP_KERNEL);
	ASSERT(q != NULL);
	for (int i = 0; i < 300; i++)
		if (q[i] != 3) {
			ktest_fail(t, __FILE__, __LINE__, "byte %d lost by krealloc_array", i);
			break;
		}
	p = kmemdup(q, 1200, GFP_KERNEL);
	ASSERT(p != NULL);
	EXPECT(memcmp(p, q, 1200) == 0);
	kfree(q);
	kfree(p);
	s = kstrdup(text, GFP_KERNEL);
	ASSERT(s != NULL);
	EXPECT_STREQ(s, text);
	kfree(s);
	s = kstrndup(text, 4, GFP_KERNEL);
	ASSERT(s != NULL);
	EXPECT_STREQ(s, "host");
	kfree(s);

	p = kmalloc(96, GFP_KERNEL);
	ASSERT(p != NULL);
	c = virt_to_cache(p);
	ASSERT(c != NULL);
	spare = kmem_cache_alloc(c, GFP_KERNEL); /* (room in the magazine) */
	ASSERT(spare != NULL);
	memset(p, 0xee, 96);
	kfree_sensitive(p);
	q = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT(q == p);
	for (int i = 0; i < 96; i++)
		if (q[i]) {
			ktest_fail(t, __FILE__, __LINE__, "byte %d is 0x%x after kfree_sensitive", i, q[i]);
			break;
		}
	memset(q, 0x5a, 96);
	kfree_sensitive(q + 32); /* on kmalloc-96's grid: kfree's fast path would file it */
	for (int i = 0; i < 96; i++)
		if (q[i] != 0x5a) {
			ktest_fail(t, __FILE__, __LINE__, "byte %d written through a pointer inside", i);
			break;
		}
	p = krealloc(q + 32, 200, GFP_KERNEL); /* refused: nothing copied, moved or freed */
	EXPECT(p == NULL);
	EXPECT_STREQ(kfree_last_error, "krealloc of a pointer inside a slab object, not its start");
	EXPECT(slab_object_in_use(q));
	EXPECT_EQ(q[95], 0x5a);
	kfree(q);
	kfree_sensitive(q); /* freed already: reported, not written */
	EXPECT_EQ(kfree_errors - f->kerr0, 3);
	f->kerr0 = kfree_errors; /* (the three reports are this case's) */
	EXPECT_EQ(kmem_cache_check(c), 0);
	kmem_cache_free(c, spare);
	kfree_sensitive(NULL);
}
FX_CASE(helpers)

/* ---- 9. depot, free-slab rule, division-free layout maths ------------------- */

/*
 * The depot: a full magazine hands a batch to the depot without touching a
 * slab, and an empty one takes a batch back from it, again without a slab;
 * the depot's capacity is two batches, beyond which flushes reach the
 * slabs; shrink drains it; kmem_cache_check rejects a foreign pointer in it.
 */
static void depot_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c = kmem_cache_create("depot-me", 128, 0, 0, NULL);
	static void *o[96], *p[18];
	unsigned long grows, slab_free, puts, gets, free0 = free_now();
	void *saved;

	(void)f;
	ASSERT(c);
	ASSERT_EQ(c->batch, 16);
	ASSERT_EQ(c->depot_limit, 32);
	for (int i = 0; i < 96; i++) /* six refills from three new slabs */
		ASSERT((o[i] = kmem_cache_alloc(c, GFP_KERNEL)) != NULL);
	EXPECT_EQ(kmem_cache_magazine_count(c, 0), 0);
	EXPECT_EQ(c->free_objects, 0);
	for (int i = 0; i < 32; i++) /* the magazine fills */
		kmem_cache_free(c, o[i]);
	EXPECT_EQ(kmem_cache_magazine_count(c, 0), 32);
	EXPECT_EQ(c->depot_avail, 0);
	puts = c->nr_depot_puts;
	kmem_cache_free(c, o[32]); /* full: a batch to the depot */
	EXPECT_EQ(c->depot_avail, 16);
	EXPECT_EQ(c->nr_depot_puts, puts + 1);
	EXPECT_EQ(c->free_objects, 0); /* no slab touched */
	EXPECT_EQ(kmem_cache_magazine_count(c, 0), 17);
	for (int i = 33; i < 49; i++) /* full again: the depot's second batch */
		kmem_cache_free(c, o[i]);
	EXPECT_EQ(c->depot_avail, 32);
	EXPECT_EQ(c->nr_depot_puts, puts + 2);
	EXPECT_EQ(c->free_objects, 0);
	for (int i = 49; i < 65; i++) /* the depot is full: this batch goes to the slabs */
		kmem_cache_free(c, o[i]);
	EXPECT_EQ(c->depot_avail, 32);
	EXPECT_EQ(c->nr_depot_puts, puts + 2);
	EXPECT_EQ(c->free_objects, 16);
	EXPECT_EQ(kmem_cache_magazine_count(c, 0), 17);
	EXPECT_EQ(kmem_cache_check(c), 0);
	/* Empty the magazine, then refill: from the depot, not the slabs. */
	for (int i = 0; i < 17; i++)
		ASSERT((p[i] = kmem_cache_alloc(c, GFP_KERNEL)) != NULL);
	EXPECT_EQ(kmem_cache_magazine_count(c, 0), 0);
	grows = c->nr_grows;
	gets = c->nr_depot_gets;
	slab_free = c->free_objects;
	ASSERT((p[17] = kmem_cache_alloc(c, GFP_KERNEL)) != NULL);
	EXPECT_EQ(c->nr_depot_gets, gets + 1);
	EXPECT_EQ(c->depot_avail, 16);
	EXPECT_EQ(kmem_cache_magazine_count(c, 0), 15);
	EXPECT_EQ(c->free_objects, slab_free);
	EXPECT_EQ(c->nr_grows, grows);
	/* The checker sees what the depot holds. */
	saved = c->depot[3];
	c->depot[3] = (char *)saved + 8;
	EXPECT_EQ(kmem_cache_check(c), 1);
	c->depot[3] = &saved;
	EXPECT_EQ(kmem_cache_check(c), 1);
	c->depot[3] = saved;
	EXPECT_EQ(kmem_cache_check(c), 0);
	for (int i = 65; i < 96; i++)
		kmem_cache_free(c, o[i]);
	for (int i = 0; i < 18; i++)
		kmem_cache_free(c, p[i]);
	EXPECT_EQ(kmem_cache_objects_out(c), kmem_cache_in_magazines(c));
	/* Shrink drains the depot and gives every free slab back. */
	kmem_cache_shrink(c);
	EXPECT_EQ(c->depot_avail, 0);
	EXPECT_EQ(c->nr_slabs, 0);
	EXPECT_EQ(free_now(), free0);
	kmem_cache_destroy(c);
}
FX_CASE(depot)

/*
 * Objects of a page or more pin the most memory per cached object: their
 * magazine holds one and, above 4 KiB, there is no depot, so a hart keeps
 * at most one such object idle and every other free reaches its slab (a
 * 5000-byte cache: 3 objects per order-2 slab). An alloc + free pair still
 * stays on the fast path. A 4096-byte cache's depot holds one object.
 */
static void big_object_caches_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c = kmem_cache_create("big-me", 5000, 0, 0, NULL);
	struct kmem_cache *page_sized = kmem_cache_create("page-me", 4096, 0, 0, NULL);
	unsigned long refills, free0 = free_now();
	void *o[3], *p;

	(void)f;
	ASSERT(c && page_sized);
	ASSERT_EQ(c->objs_per_slab, 3);
	EXPECT_EQ(c->limit, 1);
	EXPECT_EQ(c->depot_limit, 0);
	EXPECT(c->depot == NULL);
	EXPECT_EQ(page_sized->limit, 1);
	EXPECT_EQ(page_sized->depot_limit, 1);
	for (int i = 0; i < 3; i++)
		ASSERT((o[i] = kmem_cache_alloc(c, GFP_KERNEL)) != NULL);
	EXPECT_EQ(c->nr_slabs, 1);
	EXPECT_EQ(c->free_objects, 0);
	for (int i = 0; i < 3; i++) { /* the magazine keeps the newest, the rest go back */
		kmem_cache_free(c, o[i]);
		EXPECT_EQ(kmem_cache_in_magazines(c), 1);
		EXPECT_EQ(c->free_objects, (unsigned long)i);
	}
	refills = c->nr_refills;
	p = kmem_cache_alloc(c, GFP_KERNEL); /* the magazine's object, no refill */
	EXPECT(p == o[2]);
	kmem_cache_free(c, p);
	EXPECT_EQ(c->nr_refills, refills);
	EXPECT_EQ(kmem_cache_check(c), 0);
	kmem_cache_shrink(c);
	EXPECT_EQ(c->nr_slabs, 0);
	EXPECT_EQ(free_now(), free0);
	kmem_cache_destroy(c);
	kmem_cache_destroy(page_sized);
}
FX_CASE(big_object_caches)

/*
 * The free-slab rule: after everything is freed, free objects are kept in
 * slabs up to free_limit ((1 + harts) * batch + objs_per_slab), not one
 * slab and not all of them; kmem_cache_free_beyond_rule gives back what a
 * lowered limit no longer allows, kmem_cache_drain_hart a fifth of this
 * hart's magazine and of the depot; the shrinker takes every free slab.
 */
static void free_rule_body(struct ktest *t, struct fx *f)
{
	enum { N = 2000 };
	static void *o[N];
	struct kmem_cache *c = kmem_cache_create("rule-me", 64, 0, 0, NULL);
	unsigned long free0 = free_now(), pages, kept;
	long m;

	(void)f;
	ASSERT(c);
	EXPECT_EQ(c->free_limit, (1 + nr_online_cpus()) * (unsigned long)c->batch + c->objs_per_slab);
	for (int i = 0; i < N; i++)
		ASSERT((o[i] = kmem_cache_alloc(c, GFP_KERNEL)) != NULL);
	for (int i = 0; i < N; i++)
		kmem_cache_free(c, o[i]);
	EXPECT(c->nr_reaps > 0);
	EXPECT(c->free_objects <= c->free_limit);
	EXPECT(c->free_objects + c->objs_per_slab > c->free_limit);
	EXPECT(c->free.count > 1); /* more than the one slab a rule-less cache keeps */
	EXPECT_EQ(kmem_cache_check(c), 0);
	kept = c->free.count;
	/* A lower limit, as a reclaim pass may set: the surplus goes back. */
	c->free_limit = c->objs_per_slab;
	pages = kmem_cache_free_beyond_rule(c);
	EXPECT_EQ(pages, kept - (c->free.count));
	EXPECT(c->free_objects <= c->free_limit || c->free.count == 0);
	EXPECT(pages > 0);
	EXPECT_EQ(kmem_cache_free_beyond_rule(c), 0); /* nothing more */
	EXPECT_EQ(kmem_cache_check(c), 0);
	/* drain_hart: a fifth of the magazine (rounded up) and of the depot. */
	m = kmem_cache_magazine_count(c, 0);
	{
		unsigned int d = c->depot_avail;

		kmem_cache_drain_hart(c);
		EXPECT_EQ(kmem_cache_magazine_count(c, 0), m - (m + 4) / 5);
		EXPECT_EQ(c->depot_avail, d - (d + 4) / 5);
	}
	EXPECT_EQ(kmem_cache_check(c), 0);
	/* Memory pressure: the shrinker gives back every free slab, this
	 * hart's magazine and the depot included. */
	c->free_limit = (1 + nr_online_cpus()) * (unsigned long)c->batch + c->objs_per_slab;
	EXPECT(run_shrinkers(GFP_KERNEL) > 0);
	EXPECT_EQ(c->free.count, 0);
	EXPECT_EQ(c->depot_avail, 0);
	EXPECT_EQ(kmem_cache_magazine_count(c, 0), 0);
	EXPECT_EQ(c->nr_slabs, 0);
	EXPECT_EQ(free_now(), free0);
	kmem_cache_destroy(c);
}
FX_CASE(free_rule)

/*
 * obj_index's multiply by the reciprocal is the exact quotient for every
 * stride a slab can have (multiples of 8 up to 32 KiB) at every offset
 * class a slab can hold (each object's start and its neighbours, and a
 * stride-7 sweep); is_object agrees with the division-based definition.
 */
static void reciprocal_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache k = { 0 };
	unsigned long bad = 0;

	(void)f;
	for (unsigned int size = 8; size <= 32768; size += 8) {
		k.size = size;
		k.reciprocal = slab_reciprocal(size);
		for (unsigned long off = 0; off < 32768 && !bad; off += 7)
			bad += obj_index(&k, off) != off / size;
		for (unsigned long i = 0; (i + 1) * size <= 32768 && !bad; i++)
			for (long d = -1; d <= 1; d++) {
				unsigned long off = i * size + (unsigned long)d;

				if (off < 32768)
					bad += obj_index(&k, off) != off / size;
			}
		if (bad) {
			ktest_fail(t, __FILE__, __LINE__, "obj_index wrong for size %u", size);
			break;
		}
	}
	{
		struct kmem_cache *c = kmem_cache_create("recip-me", 200, 0, 0, NULL);
		struct page *head;
		char *obj, *first;

		ASSERT(c);
		obj = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT(obj);
		head = virt_to_page(obj);
		while (!PageHead(head))
			head--;
		first = (char *)page_address(head) + head->slab_colour * c->colour_off;
		for (long off = -8; off < (long)slab_bytes(c) + 8; off++) {
			bool want = off >= 0 && off % c->size == 0 && off / c->size < c->objs_per_slab;

			if (is_object(c, head, first + off) != want) {
				ktest_fail(t, __FILE__, __LINE__, "is_object(offset %ld) != %d", off, want);
				break;
			}
		}
		kmem_cache_free(c, obj);
		kmem_cache_shrink(c);
		kmem_cache_destroy(c);
	}
}
FX_CASE(reciprocal)

/* page_address inline over the flat memmap agrees with the section table
 * for every page, and with the window closed (a sectioned memmap) too. */
static void page_address_inline_body(struct ktest *t, struct fx *f)
{
	unsigned long saved = memmap_win_size;

	(void)f;
	EXPECT(memmap_win_size != 0);
	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			memmap_win_size = 0;
		for (unsigned long pfn = PHYS_PFN(RAM); pfn < PHYS_PFN(RAM + RAM_SIZE); pfn++) {
			struct page *pg = pfn_to_page(pfn);

			if (page_address(pg) != phys_to_virt(PFN_PHYS(pfn)) ||
			    page_address(pg) != page_address_sectioned(pg) ||
			    virt_to_page(page_address(pg)) != pg) {
				ktest_fail(t, __FILE__, __LINE__, "pass %d pfn %#lx", pass, pfn);
				break;
			}
		}
	}
	memmap_win_size = saved;
}
FX_CASE(page_address_inline)

/* kmalloc above KMALLOC_MAX_SIZE: NULL and a line that names kvmalloc;
 * quiet with __GFP_NOWARN; counted either way. */
static void kmalloc_too_big_body(struct ktest *t, struct fx *f)
{
	unsigned long n0 = kmalloc_too_big_count;
	struct fr_capture cap;

	fr_capture_start(&cap);
	EXPECT(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL) == NULL);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT_STREQ(f->out, "kmalloc: 4194305 bytes is above KMALLOC_MAX_SIZE (4096 KiB): refused; "
			     "use kvmalloc (vmalloc beyond it) for a buffer this big\n");
	fr_capture_start(&cap);
	EXPECT(kmalloc(8ul << 20, GFP_KERNEL | __GFP_NOWARN) == NULL);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT_STREQ(f->out, "");
	EXPECT_EQ(kmalloc_too_big_count, n0 + 2);
}
FX_CASE(kmalloc_too_big)

/*
 * kmalloc_track_caller and kfree_track_caller: a cache that records its
 * users (slab_debug=U,kmalloc-64) keeps the caller they were given as the
 * block's allocator and freer, and kzalloc, kcalloc and krealloc give
 * their own caller's address (here, inside this function), not their own.
 * On a cache without records they are kmalloc and kfree: the freed block
 * is the next one handed out (the magazine's newest).
 */
static __attribute__((noinline)) void track_caller_body(struct ktest *t, struct fx *f)
{
	const unsigned long here = (unsigned long)track_caller_body;
	const struct slab_track *tr;
	struct kmem_cache *c;
	void *p, *q;

	(void)f;
	kstrlcpy(slab_debug_cache, "kmalloc-64", sizeof(slab_debug_cache));
	slab_debug_flags = SLAB_STORE_USER;
	p = kmalloc_track_caller(50, GFP_KERNEL, 0x1234);
	ASSERT(p);
	c = virt_to_page(p)->slab_cache;
	EXPECT_STREQ(c->name, "kmalloc-64");
	EXPECT(c->flags & SLAB_STORE_USER);
	tr = (const struct slab_track *)((const char *)p + c->track_offset);
	EXPECT_EQ(tr[0].caller, 0x1234);
	kfree_track_caller(p, 0x5678);
	EXPECT_EQ(tr[1].caller, 0x5678);
	/* The wrappers name their caller: an address in this function. */
	p = kzalloc(64, GFP_KERNEL);
	q = kcalloc(4, 16, GFP_KERNEL);
	ASSERT(p && q);
	EXPECT_EQ(virt_to_page(p)->slab_cache, c);
	tr = (const struct slab_track *)((const char *)p + c->track_offset);
	EXPECT(tr[0].caller > here && tr[0].caller < here + 4096);
	tr = (const struct slab_track *)((const char *)q + c->track_offset);
	EXPECT(tr[0].caller > here && tr[0].caller < here + 4096);
	kfree(q);
	q = krealloc(p, 60, GFP_KERNEL); /* (in place: same block, same record) */
	EXPECT(q == p);
	q = krealloc(kmalloc(16, GFP_KERNEL), 64, GFP_KERNEL); /* moves into kmalloc-64 */
	ASSERT(q);
	tr = (const struct slab_track *)((const char *)q + c->track_offset);
	EXPECT_EQ(virt_to_page(q)->slab_cache, c);
	EXPECT(tr[0].caller > here && tr[0].caller < here + 4096);
	kfree(p);
	kfree(q);
	slab_debug_flags = 0;
	slab_debug_cache[0] = '\0';
	/* No records: the same as kmalloc and kfree. */
	p = kmalloc_track_caller(200, GFP_KERNEL, 0x1234);
	ASSERT(p);
	EXPECT(!(virt_to_page(p)->slab_cache->flags & SLAB_STORE_USER));
	kfree_track_caller(p, 0x5678);
	q = kmalloc(200, GFP_KERNEL);
	EXPECT(q == p);
	kfree(q);
	kfree_track_caller(NULL, 0x5678); /* (nothing, as kfree(NULL)) */
	p = kmalloc_track_caller(20000, GFP_KERNEL, 0x1234); /* a bigblock */
	EXPECT(p && ksize(p) >= 20000);
	kfree_track_caller(p, 0x5678);
}
FX_CASE(track_caller)

/* The host has no page table (port_kernel_pgtable() is NULL): vmalloc fails
 * with a line that says so (quiet with __GFP_NOWARN), and kvmalloc serves
 * what kmalloc can and fails a bigger request with a line that names
 * kmalloc's cause first (here the size), not silently. */
static void kvmalloc_without_paging_body(struct ktest *t, struct fx *f)
{
	static const char refused[] = "vmalloc: 5242880 bytes refused: no page table to map them "
				      "(port_kernel_pgtable() is NULL)\n";
	static const char too_big[] = "kvmalloc: 5242880 bytes (gfp 0x0) failed: kmalloc could not give "
				      "them (it is above KMALLOC_MAX_SIZE (4096 KiB)), and vmalloc has no "
				      "page table to map pages in (port_kernel_pgtable() is NULL)\n";
	struct fr_capture cap;
	void *p;

	fr_capture_start(&cap);
	p = kvmalloc(1ul << 20, GFP_KERNEL);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT(p && !is_vmalloc_addr(p) && ksize(p) == 1ul << 20);
	EXPECT_STREQ(f->out, "");
	kvfree(p);
	fr_capture_start(&cap);
	EXPECT(kvmalloc(5ul << 20, GFP_KERNEL) == NULL);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT_STREQ(f->out, too_big);
	fr_capture_start(&cap);
	EXPECT(vmalloc(5ul << 20) == NULL);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT_STREQ(f->out, refused);
	fr_capture_start(&cap);
	EXPECT(kvmalloc(5ul << 20, GFP_KERNEL | __GFP_NOWARN) == NULL);
	EXPECT(__vmalloc(PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN) == NULL);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT_STREQ(f->out, "");
}
FX_CASE(kvmalloc_without_paging)

/* Every page kvmalloc_causes took, order 0, and how many. */
static struct page *kv_taken[RAM_SIZE / PAGE_SIZE];
static unsigned long kv_nr_taken;

/* kvmalloc(@size) with no page table, where kmalloc cannot serve it: NULL
 * and one line, "kvmalloc: SIZE bytes (gfp 0x0) failed: kmalloc could not
 * give them (@cause...), and vmalloc has no page table ...", whose cause
 * starts with @cause; what follows @cause (up to the closing parenthesis)
 * goes to @rest. */
static void kv_expect_cause(struct ktest *t, struct fx *f, unsigned long size, const char *cause,
			    char *rest, size_t rest_size)
{
	static const char tail[] = "), and vmalloc has no page table to map pages in "
				   "(port_kernel_pgtable() is NULL)\n";
	char head[160];
	struct fr_capture cap;
	size_t n, len;

	fr_capture_start(&cap);
	EXPECT(kvmalloc(size, GFP_KERNEL) == NULL);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	ksnprintf(head, sizeof(head), "kvmalloc: %lu bytes (gfp 0x0) failed: kmalloc could not give them (%s",
		  size, cause);
	n = strlen(head);
	len = strlen(f->out);
	if (strncmp(f->out, head, n) || len < n + strlen(tail) || strcmp(f->out + len - strlen(tail), tail)) {
		ktest_fail(t, __FILE__, __LINE__, "wanted '%s...%s', got '%s'", head, tail, f->out);
		rest[0] = '\0';
		return;
	}
	len -= n + strlen(tail);
	if (len >= rest_size)
		len = rest_size - 1;
	memcpy(rest, f->out + n, len);
	rest[len] = '\0';
}

/*
 * kvmalloc's line names kmalloc's real cause when there is no page table:
 * out of memory (fewer free pages than the request), low on memory (enough
 * free pages, but not beyond the zones' min watermarks), fragmentation
 * (enough free pages, none of the free blocks holds the request) and fault
 * injection. It used to blame the missing page table alone ("vmalloc: N
 * bytes refused: no page table to map them").
 */
static void kvmalloc_causes_body(struct ktest *t, struct fx *f)
{
	unsigned long min = 0, nr, free;
	struct page *page;
	char rest[200], want[200];

	for (unsigned int z = 0; z < MAX_NR_ZONES; z++)
		min += mem_node->zones[z].watermark[WMARK_MIN];
	/* Every page GFP_KERNEL gets, one at a time: what is left is at most
	 * the reserve, in blocks smaller than min + 1 pages. */
	kv_nr_taken = 0;
	while (kv_nr_taken < ARRAY_SIZE(kv_taken) &&
	       (page = alloc_page(GFP_KERNEL | __GFP_NOWARN)) != NULL)
		kv_taken[kv_nr_taken++] = page;
	node_drain_pages(mem_node);
	free = nr_free_pages();
	ASSERT(free <= min && min + 1 < KMALLOC_MAX_SIZE / PAGE_SIZE);

	/* Out of memory: 4 MiB, more pages than are free. */
	kv_expect_cause(t, f, KMALLOC_MAX_SIZE, "out of memory: ", rest, sizeof(rest));
	ksnprintf(want, sizeof(want), "%lu pages free in any zone, %lu needed", nr_free_pages(),
		  KMALLOC_MAX_SIZE / PAGE_SIZE);
	EXPECT_STREQ(rest, want);

	/* Low on memory: free pages enough for 8 pages, but taking them would
	 * go below the reserve. */
	nr = 8;
	while (nr_free_pages() < nr + min / 2 && kv_nr_taken)
		__free_pages(kv_taken[--kv_nr_taken], 0);
	node_drain_pages(mem_node);
	free = nr_free_pages();
	ASSERT(free >= nr && free - nr < min);
	kv_expect_cause(t, f, nr * PAGE_SIZE, "low on memory: ", rest, sizeof(rest));
	ksnprintf(want, sizeof(want), "%lu pages free in any zone, and taking %lu would go below the %lu "
		  "the zones keep in reserve (min watermarks)", nr_free_pages(), nr, min);
	EXPECT_STREQ(rest, want);

	/* Fragmentation: every second page taken goes back (its buddy stays
	 * taken: no two merge), so there are many free pages and no free
	 * block of min + 1 pages. */
	for (unsigned long i = 0; i < kv_nr_taken; i += 2) {
		__free_pages(kv_taken[i], 0);
		kv_taken[i] = NULL;
	}
	node_drain_pages(mem_node);
	nr = min + 1;
	ASSERT(nr_free_pages() > nr + min);
	kv_expect_cause(t, f, nr * PAGE_SIZE, "fragmentation: ", rest, sizeof(rest));
	ksnprintf(want, sizeof(want), "%lu pages free in any zone, but no %lu of them in one free block (the "
		  "largest is order ", nr_free_pages(), nr);
	EXPECT(strncmp(rest, want, strlen(want)) == 0);

	/* Fault injection: everything back, every page allocation failed. */
	for (unsigned long i = 0; i < kv_nr_taken; i++)
		if (kv_taken[i])
			__free_pages(kv_taken[i], 0);
	kv_nr_taken = 0;
	ASSERT_EQ(fault_inject_set(&fail_page_alloc, "100%,verbose=0"), 0);
	kv_expect_cause(t, f, 64ul << 10, "fault injection (fail_page_alloc= or failslab=) failed it: ", rest,
			sizeof(rest));
	fault_inject_clear(&fail_page_alloc);
}
FX_CASE(kvmalloc_causes)

/* ---- 10. the SLOB model's own rules ------------------------------------------ */

/*
 * Where a SLOB-model cache's objects live: blocks of kmalloc's heap (PGTY_SLOB
 * pages, private the heap) at the cache's alignment (explicit, or the
 * cache line with SLAB_HWCACHE_ALIGN), or, when the object and its
 * alignment do not fit a block, bigblocks of get_order(size) pages; no
 * slab page and no per-hart slot is used. Objects whose alignment kmalloc
 * gives are kmalloc's own blocks (kmalloc_path): a power of two is an
 * object of a size page, anything else a segfit block; so are objects
 * with a larger alignment whose power of two covering size and alignment
 * is no bigger than their aligned block (size + 4 rounded up to the
 * alignment), as that power of two (block: what each object asks of
 * SLOB). slabinfo and slobinfo show them with the counts and estimates the
 * design gives.
 */
static void slob_layout_body(struct ktest *t, struct fx *f)
{
	static const struct {
		size_t size, align;
		unsigned long flags;
		bool big;
		unsigned int order;
		bool kmalloc_path;
		size_t block;
	} cfg[] = {
		{ 24, 0, 0, false, 0, true, 24 },
		{ 100, 0, SLAB_HWCACHE_ALIGN, false, 0, true, 128 }, /* 104 at 64: 128 */
		{ 200, 256, 0, false, 0, true, 256 },
		{ 1000, 1024, 0, false, 0, true, 1024 },
		{ 3000, 0, 0, false, 0, true, 3000 },
		{ 3000, 2048, 0, true, 0, false, 3000 },
		{ 4076, 0, 0, false, 0, true, 4076 },
		{ 4077, 0, 0, true, 0, false, 4077 },
		{ 5000, 0, 0, true, 1, false, 5000 },
		{ 20000, 4096, 0, true, 3, false, 20000 },
		{ 64, 0, SLAB_HWCACHE_ALIGN, false, 0, true, 64 },
		{ 256, 256, 0, false, 0, true, 256 },
		{ 8, 16, 0, false, 0, true, 8 },
		{ 48, 32, 0, false, 0, true, 64 },    /* 52 at 32: 64 */
		{ 192, 0, SLAB_HWCACHE_ALIGN, false, 0, true, 256 }, /* 196 at 64: 256 */
		{ 600, 0, SLAB_HWCACHE_ALIGN, false, 0, false, 600 }, /* 640 packed, not 1024 */
		{ 300, 64, 0, false, 0, false, 300 },                 /* 320, not 512 */
	};
	struct fr_capture cap;
	void *o[40];
	char want[160];

	for (size_t k = 0; k < ARRAY_SIZE(cfg); k++) {
		struct kmem_cache *c = kmem_cache_create("layout", cfg[k].size, cfg[k].align,
							 cfg[k].flags | f->model, NULL);
		size_t a = promised_align(cfg[k].size, cfg[k].align, cfg[k].flags);
		/* A bigblock holds exactly the pages its bytes need. */
		unsigned long bp = cfg[k].big ? (cfg[k].size + PAGE_SIZE - 1) / PAGE_SIZE : 1;
		unsigned long slots = percpu_slots_used();

		ASSERT(c);
		EXPECT_EQ(c->slob->big, cfg[k].big);
		EXPECT_EQ(c->slob->big_order, cfg[k].order);
		EXPECT_EQ(c->slob->kmalloc_path, cfg[k].kmalloc_path);
		EXPECT_EQ(c->pcpu_off, PERCPU_RESERVED_OFF);
		for (int i = 0; i < 40; i++) {
			struct page *pg;

			o[i] = kmem_cache_alloc(c, GFP_KERNEL);
			ASSERT(o[i]);
			pg = virt_to_page(o[i]);
			EXPECT(aligned(o[i], a));
			EXPECT_EQ(pg->priv, (unsigned long)&kmalloc_heap);
			if (cfg[k].big) {
				EXPECT(page_type(pg) == PGTY_BIGBLOCK && PageHead(pg) &&
				       page_address(pg) == o[i] && pg->bigblock_pages == bp);
			} else {
				EXPECT_EQ(page_type(pg), PGTY_SLOB);
				EXPECT(slob_ksize(&kmalloc_heap, o[i]) >= cfg[k].size);
				/* a size page's object: kmalloc of a power of two or
				 * of at most 16 bytes */
				EXPECT_EQ((bool)(pg->sq[0].info & 1), /* a size page (mm.h) */
					  cfg[k].kmalloc_path &&
								 (cfg[k].block <= 16 ||
								  !(cfg[k].block & (cfg[k].block - 1))));
			}
			EXPECT(cache_owns(c, o[i]));
			memset(o[i], 0x77, cfg[k].size);
		}
		EXPECT_EQ(kmem_cache_objects_out(c), 40);
		EXPECT_EQ(c->size, cfg[k].block);
		EXPECT_EQ(slob_cache_bytes(c), cfg[k].big ? 40ul * bp * PAGE_SIZE
							    : 40ul * cfg[k].block);
		EXPECT_EQ(slab_pages, f->pages0);
		EXPECT_EQ(percpu_slots_used(), slots);
		EXPECT_EQ(kmalloc_heap.big_blocks, cfg[k].big ? 40u : 0u);
		EXPECT_EQ(slob_check(&kmalloc_heap), 0);
		/* slabinfo: active, total, objsize, objects per page (1 for
		 * bigblocks), pages per "slab", no tunables, estimated pages. */
		fr_capture_start(&cap);
		show_slabinfo();
		show_slob_caches();
		fr_capture_end(&cap, f->out, sizeof(f->out));
		unsigned long pages = cfg[k].big ? 40 : (40 * cfg[k].block + PAGE_SIZE - 1) / PAGE_SIZE;
		ksnprintf(want, sizeof(want),
			  "layout                40     40 %6zu %4lu %4d : tunables    0    0    0 : "
			  "slabdata %6lu %6lu      0\n",
			  cfg[k].block, cfg[k].big ? 1 : PAGE_SIZE / cfg[k].block, (int)bp, pages,
			  pages);
		EXPECT(strstr(f->out, want) != NULL);
		ksnprintf(want, sizeof(want), "  layout                 40      0 %8zu %10lu    40  kmalloc%s\n",
			  cfg[k].block, slob_cache_bytes(c), cfg[k].big ? " (bigblocks)" : "");
		EXPECT(strstr(f->out, "slobinfo: kmem_caches on SLOB\n") != NULL);
		EXPECT(strstr(f->out, want) != NULL);
		for (int i = 0; i < 40; i++)
			kmem_cache_free(c, o[i]);
		EXPECT_EQ(kmem_cache_objects_out(c), 0);
		EXPECT_EQ(kmalloc_heap.big_blocks, 0);
		EXPECT_EQ(kmem_cache_check(c), 0);
		kmem_cache_destroy(c);
		/* only the pages the heap keeps for reuse (an idle segfit
		 * page, the kept empty size page, idle quarters' pages) */
		EXPECT_EQ(kmalloc_heap.nr_pages, slob_reuse_pages(&kmalloc_heap));
	}
	/* No SLOB-model cache left: slobinfo adds nothing. */
	fr_capture_start(&cap);
	show_slob_caches();
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT_STREQ(f->out, "");
	/* A SLOB-model cache has no magazines to tune. */
	struct kmem_cache *c = kmem_cache_create("untunable", 64, 0, f->model, NULL);
	ASSERT(c);
	EXPECT_EQ(kmem_cache_tune(c, 16, 8), -EINVAL);
	kmem_cache_destroy(c);
}
FX_CASE_MODEL(slob_layout, slob_layout, SLAB_SLOB)

/*
 * kmem_cache_destroy gives back exactly the metadata bytes kmem_cache_create
 * accounted (the descriptor, and a SLOB-model cache's state after it), for
 * caches of every debug layout; SLOB reuses the freed descriptor's bytes for
 * its own links, so the count must not be read back from it.
 */
static void destroy_accounting_body(struct ktest *t, struct fx *f)
{
	static const unsigned long flags[] = {
		0, SLAB_RED_ZONE, SLAB_POISON, SLAB_STORE_USER, SLAB_HWCACHE_ALIGN, SLAB_DEBUG_FLAGS,
	};
	size_t desc = sizeof(struct kmem_cache) + (slob_model(f) ? sizeof(struct slob_cache) : 0);

	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		unsigned long before = slab_meta_bytes;
		struct kmem_cache *c = kmem_cache_create("accounting", 24 + 40 * i, 0,
							 flags[i] | f->model, NULL);
		void *obj;

		ASSERT(c);
		EXPECT_EQ(!!(c->flags & SLAB_SLOB), slob_model(f));
		if (slob_model(f))
			EXPECT_EQ(slab_meta_bytes, before + desc);
		obj = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT(obj);
		kmem_cache_free(c, obj);
		kmem_cache_destroy(c);
		EXPECT_EQ(slab_meta_bytes, before);
	}
}
FX_CASE2(destroy_accounting)

/*
 * slab=slob: every cache made afterwards without SLAB_NOSLOB is a SLOB-model
 * cache; the kmalloc-N caches (SLAB_NOSLOB) stay slab caches, so kmalloc and
 * kfree work as before; asking for both models is refused; slab=slab and a
 * bad value as the parser says.
 */
static void slab_param_body(struct ktest *t, struct fx *f)
{
	char l1[] = "slab=slob", l2[] = "slab=slab", l3[] = "slab=magic";
	struct kmem_cache *a, *b;
	void *k, *o;

	(void)f;
	EXPECT(!slab_slob_default);
	EXPECT_EQ(cmdline_parse(l1), 0);
	EXPECT(slab_slob_default);
	a = kmem_cache_create("param-a", 64, 0, 0, NULL);
	b = kmem_cache_create("param-b", 64, 0, SLAB_NOSLOB, NULL);
	ASSERT(a && b);
	EXPECT(a->flags & SLAB_SLOB);
	EXPECT(!(b->flags & (SLAB_SLOB | SLAB_NOSLOB)));
	EXPECT(kmem_cache_create("param-both", 64, 0, SLAB_SLOB | SLAB_NOSLOB, NULL) == NULL);
	k = kmalloc(64, GFP_KERNEL);
	o = kmem_cache_alloc(a, GFP_KERNEL);
	ASSERT(k && o);
	EXPECT_EQ(page_type(virt_to_page(k)), PGTY_SLAB);
	EXPECT(!(virt_to_cache(k)->flags & SLAB_SLOB));
	EXPECT_EQ(page_type(virt_to_page(o)), PGTY_SLOB);
	kfree(k);
	kmem_cache_free(a, o);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	EXPECT_EQ(cmdline_parse(l3), 1);
	EXPECT(slab_slob_default);
	EXPECT_EQ(cmdline_parse(l2), 0);
	EXPECT(!slab_slob_default);
	a = kmem_cache_create("param-c", 64, 0, 0, NULL);
	ASSERT(a);
	EXPECT(!(a->flags & SLAB_SLOB));
	kmem_cache_destroy(a);
	slab_slob_default = false;
}
FX_CASE(slab_param)

/* SLOB-model caches on a classic kmalloc heap (slob=classic: 2.6.20's own
 * first-fit list, blocks without headers): alignment, constructor at every
 * allocation, the heap consistent, every page back. */
static unsigned long classic_ctors;

static void classic_ctor(void *p)
{
	memset(p, 0xc1, 48);
	classic_ctors++;
}

static void slob_classic_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *c, *d;
	static void *o[300];
	u64 rng = 0xc1a551cull;

	slob_heap_init(&kmalloc_heap, "kmalloc", SLOB_CLASSIC);
	classic_ctors = 0;
	c = kmem_cache_create("classic-48", 48, 64, f->model, classic_ctor);
	d = kmem_cache_create("classic-red", 100, 0, SLAB_RED_ZONE | SLAB_POISON | f->model, NULL);
	ASSERT(c && d);
	for (int i = 0; i < 300; i++) {
		o[i] = kmem_cache_alloc(i % 2 ? d : c, GFP_KERNEL);
		ASSERT(o[i]);
		EXPECT(aligned(o[i], i % 2 ? 8 : 64));
		EXPECT(cache_owns(i % 2 ? d : c, o[i]));
		if (i % 2 == 0)
			EXPECT(bytes_all(o[i], 0xc1, 48));
		else
			memset(o[i], 0x5e, 100);
	}
	EXPECT_EQ(classic_ctors, 150);
	for (int r = 0; r < 3000; r++) { /* free and reallocate at random */
		int i = (int)(fr_rand(&rng) % 300);

		kmem_cache_free(i % 2 ? d : c, o[i]);
		o[i] = kmem_cache_alloc(i % 2 ? d : c, GFP_KERNEL);
		ASSERT(o[i]);
		EXPECT(aligned(o[i], i % 2 ? 8 : 64));
	}
	EXPECT_EQ(slob_check(&kmalloc_heap), 0);
	for (int i = 0; i < 300; i++)
		kmem_cache_free(i % 2 ? d : c, o[i]);
	EXPECT_EQ(kmem_cache_check(c), 0);
	EXPECT_EQ(kmem_cache_check(d), 0);
	EXPECT_EQ(c->nr_errors + d->nr_errors, 0);
	kmem_cache_destroy(c);
	kmem_cache_destroy(d);
	EXPECT_EQ(kmalloc_heap.nr_pages, 0); /* classic gives empty pages back at once */
	EXPECT_EQ(slob_check(&kmalloc_heap), 0);
}
FX_CASE_MODEL(slob_classic, slob_classic, SLAB_SLOB)

/*
 * Borrowing (mm/slab.c) from a fresh cache: its first slab all handed out
 * (the first refill grew it, the second took its last objects), so the
 * magazine, the depot and the slabs are empty. The objects are kept in
 * @o (at least objs_per_slab of room); returns how many.
 */
static unsigned int take_first_slab(struct ktest *t, struct kmem_cache *c, void **o)
{
	unsigned int n = 0;

	while (n < c->objs_per_slab && (o[n] = kmem_cache_alloc(c, GFP_KERNEL)) != NULL)
		n++;
	EXPECT_EQ(n, c->objs_per_slab);
	EXPECT_EQ(c->nr_slabs, 1);
	EXPECT_EQ(c->free_objects, 0);
	EXPECT_EQ(kmem_cache_in_magazines(c), 0);
	return n;
}

static void free_all(struct kmem_cache *c, void **o, unsigned int n)
{
	while (n)
		kmem_cache_free(c, o[--n]);
}

/*
 * A cache with lenders whose magazine, depot and slabs are empty takes one
 * free object of a lender's partial slab instead of growing. The object
 * stays the lender's: its slab names the lender, kfree sends it to the
 * lender's magazine, and so does kmem_cache_free to the borrower; ksize is
 * the lender's size, and the borrower's magazine never holds it. With no partial slab left in the lender, the
 * borrower grows; a borrower destroyed while a borrowed object is out
 * leaves it valid.
 */
static void borrow_private_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *a = kmem_cache_create("borrower", 96, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("lender", 112, 0, 0, NULL);
	struct kmem_cache *table[3] = { a, b, NULL };
	unsigned long free0 = free_now(), pages, lender_free;
	void *held, *x, *y, *own, *mine[64], *o[64];
	struct fr_capture cap;
	char stats[4096];
	unsigned int nmine;
	long mag_b;
	int n = 0;

	(void)f;
	ASSERT(a && b);
	kmem_cache_set_lenders(a, table, 1, 3);
	/* The lender: one slab of 36, a batch of 18 in its magazine, 18 free
	 * in the slab (partial). */
	ASSERT((held = kmem_cache_alloc(b, GFP_KERNEL)) != NULL);
	ASSERT_EQ(b->objs_per_slab, 36);
	ASSERT_EQ(b->partial.count, 1);
	lender_free = b->free_objects;
	ASSERT_EQ(lender_free, 18);
	/* A new cache grows its first slab (it has no credit before). */
	ASSERT_EQ(a->objs_per_slab, 42);
	nmine = take_first_slab(t, a, mine);
	EXPECT_EQ(a->nr_borrowed, 0);
	EXPECT_EQ(a->borrow_credit, 4 * 42);
	pages = slab_pages;
	ASSERT((x = kmem_cache_alloc(a, GFP_KERNEL)) != NULL);
	EXPECT(virt_to_cache(x) == b);
	EXPECT_EQ(a->nr_slabs, 1);
	EXPECT_EQ(a->nr_grows, 1);
	EXPECT_EQ(slab_pages, pages); /* no page of its own */
	EXPECT_EQ(a->nr_borrowed, 1);
	EXPECT_EQ(b->nr_lent, 1);
	EXPECT_EQ(b->free_objects, lender_free - 1);
	EXPECT_EQ(kmem_cache_magazine_count(a, 0), 0); /* straight to the caller */
	EXPECT_EQ(ksize(x), 112);
	pattern_fill(x, 1, 0, 96);
	ASSERT((y = kmem_cache_alloc(a, GFP_KERNEL)) != NULL); /* the slow path again */
	EXPECT(virt_to_cache(y) == b);
	EXPECT(y != x);
	EXPECT_EQ(a->nr_borrowed, 2);
	EXPECT_EQ(pattern_first_bad(x, 1, 96), -1);
	EXPECT_EQ(kmem_cache_check(a), 0);
	EXPECT_EQ(kmem_cache_check(b), 0);
	fr_capture_start(&cap); /* slabinfo -s shows both sides */
	show_slabstats();
	fr_capture_end(&cap, stats, sizeof(stats));
	EXPECT(strstr(stats, "\nborrower ") && strstr(strstr(stats, "\nborrower "), " borrowed 2 lent 0\n"));
	EXPECT(strstr(stats, "\nlender ") && strstr(strstr(stats, "\nlender "), " borrowed 0 lent 2\n"));
	/* kfree: to the lender's magazine, never the borrower's. */
	mag_b = kmem_cache_magazine_count(b, 0);
	kfree(x);
	EXPECT_EQ(kmem_cache_magazine_count(b, 0), mag_b + 1);
	EXPECT_EQ(kmem_cache_magazine_count(a, 0), 0);
	EXPECT_EQ(kmem_cache_objects_out(a), 42);
	/* kmem_cache_free to the borrower, as its kmem_cache_alloc gave it:
	 * the lender's magazine too. */
	ASSERT((x = kmem_cache_alloc(a, GFP_KERNEL)) != NULL);
	EXPECT(virt_to_cache(x) == b);
	EXPECT_EQ(a->nr_borrowed, 3);
	kmem_cache_free(a, x);
	EXPECT_EQ(kmem_cache_magazine_count(b, 0), mag_b + 2);
	EXPECT_EQ(kmem_cache_magazine_count(a, 0), 0);
	EXPECT_EQ(kmem_cache_check(a), 0);
	EXPECT_EQ(kmem_cache_check(b), 0);
	/* The lender's partial slab used up: the borrower grows. */
	while (b->partial.count && n < 64)
		ASSERT((o[n++] = kmem_cache_alloc(b, GFP_KERNEL)) != NULL);
	ASSERT_EQ(b->partial.count, 0);
	ASSERT((own = kmem_cache_alloc(a, GFP_KERNEL)) != NULL);
	EXPECT(virt_to_cache(own) == a);
	EXPECT_EQ(a->nr_slabs, 2);
	EXPECT_EQ(a->nr_borrowed, 3);
	EXPECT_EQ(kmem_cache_check(a), 0);
	EXPECT_EQ(kmem_cache_check(b), 0);
	kmem_cache_free(a, own);
	free_all(a, mine, nmine);
	/* The borrower destroyed while y is out: y stays the lender's. */
	kmem_cache_shrink(a);
	EXPECT_EQ(a->nr_slabs, 0);
	kmem_cache_destroy(a);
	pattern_fill(y, 2, 0, 112);
	kfree(y);
	kmem_cache_free(b, held);
	free_all(b, o, (unsigned int)n);
	EXPECT_EQ(kmem_cache_check(b), 0);
	kmem_cache_shrink(b);
	EXPECT_EQ(b->nr_slabs, 0);
	kmem_cache_destroy(b);
	EXPECT_EQ(free_now(), free0);
}
FX_CASE(borrow_private)

/*
 * A borrower that keeps borrowing (an alloc + free loop whose objects all
 * go back to the lender, here one without magazines whose partial slab
 * never runs out) borrows at most SLAB_BORROW_SLABS (4) slabs' worth of
 * objects after its last grow, then grows, and from then on the pair stays
 * on its own magazine.
 */
static void borrow_credit_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *a = kmem_cache_create("borrower", 96, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("lender", 112, 0, 0, NULL);
	struct kmem_cache *table[1] = { b };
	void *held, *mine[64], *x, *last = NULL;
	unsigned int nmine, borrowed = 0;

	(void)f;
	ASSERT(a && b);
	ASSERT_EQ(kmem_cache_tune(b, 0, 0), 0); /* frees go straight to its slab */
	kmem_cache_set_lenders(a, table, 0, 1);
	ASSERT((held = kmem_cache_alloc(b, GFP_KERNEL)) != NULL);
	ASSERT_EQ(b->partial.count, 1);
	nmine = take_first_slab(t, a, mine);
	for (int i = 0; i < 300; i++) {
		ASSERT((x = kmem_cache_alloc(a, GFP_KERNEL)) != NULL);
		if (virt_to_cache(x) == b) {
			borrowed++;
		} else {
			EXPECT(virt_to_cache(x) == a);
			EXPECT(!last || x == last); /* its own magazine's object */
			last = x;
		}
		kfree(x);
	}
	EXPECT_EQ(borrowed, 4 * 42);
	EXPECT_EQ(a->nr_borrowed, 4 * 42);
	EXPECT_EQ(a->nr_grows, 2);
	EXPECT_EQ(b->partial.count, 1);
	EXPECT_EQ(kmem_cache_check(a), 0);
	EXPECT_EQ(kmem_cache_check(b), 0);
	free_all(a, mine, nmine);
	kmem_cache_free(b, held);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
}
FX_CASE(borrow_credit)

static void borrow_ctor(void *p)
{
	memset(p, 0xc7, 8);
}

/*
 * Who may not lend to whom: a borrower (or a lender) with a constructor, a
 * lender of another zone, of a weaker alignment (a power of two keeps its
 * natural alignment: 64 skips 80 and borrows from 128), of objects more
 * than twice as large, or of the same size. Each borrower, its first slab
 * handed out, grows a second one (or borrows where it may) whatever the
 * lenders' partial slabs; a DMA32 borrower does borrow from a DMA32 lender.
 */
static void borrow_rules_body(struct ktest *t, struct fx *f)
{
	struct kmem_cache *l112 = kmem_cache_create("l112", 112, 0, 0, NULL);
	struct kmem_cache *l112c = kmem_cache_create("l112-ctor", 112, 0, 0, borrow_ctor);
	struct kmem_cache *l112d = kmem_cache_create("l112-dma32", 112, 0, SLAB_CACHE_DMA32, NULL);
	struct kmem_cache *l80 = kmem_cache_create("l80", 80, 16, 0, NULL);
	struct kmem_cache *l128 = kmem_cache_create("l128", 128, 128, 0, NULL);
	struct kmem_cache *ctor_b = kmem_cache_create("b96-ctor", 96, 0, 0, borrow_ctor);
	struct kmem_cache *plain = kmem_cache_create("b96", 96, 0, 0, NULL);
	struct kmem_cache *dma = kmem_cache_create("b96-dma32", 96, 0, SLAB_CACHE_DMA32, NULL);
	struct kmem_cache *pow2 = kmem_cache_create("b64", 64, 64, 0, NULL);
	struct kmem_cache *small = kmem_cache_create("b48", 48, 16, 0, NULL);
	struct kmem_cache *same = kmem_cache_create("b112", 112, 0, 0, NULL);
	struct kmem_cache *dma2 = kmem_cache_create("b96-dma32-2", 96, 0, SLAB_CACHE_DMA32, NULL);
	struct kmem_cache *const lenders[] = { l112, l112c, l112d, l80, l128 };
	struct kmem_cache *const plain_lenders[] = { l112c, l112d }; /* neither may lend to b96 */
	struct kmem_cache *const dma_lenders[] = { l112 };           /* Normal to DMA32: no */
	struct kmem_cache *const pow2_lenders[] = { l80, l128 };     /* 80 is 16-aligned */
	struct kmem_cache *const small_lenders[] = { l128 };         /* 128 > 2 x 48 */
	struct kmem_cache *const same_lenders[] = { l112 };          /* not larger */
	struct kmem_cache *const dma_ok[] = { l112d };               /* DMA32 to DMA32: yes */
	struct kmem_cache *borrowers[] = { ctor_b, plain, dma, pow2, small, same, dma2 };
	static void *own[7][128];
	unsigned int nown[7];
	void *held[5], *p[7];
	unsigned long free0 = free_now();

	(void)f;
	for (unsigned int i = 0; i < 5; i++)
		ASSERT(lenders[i]);
	for (unsigned int i = 0; i < 7; i++)
		ASSERT(borrowers[i]);
	kmem_cache_set_lenders(ctor_b, lenders, 0, 1);
	kmem_cache_set_lenders(plain, plain_lenders, 0, 2);
	kmem_cache_set_lenders(dma, dma_lenders, 0, 1);
	kmem_cache_set_lenders(pow2, pow2_lenders, 0, 2);
	kmem_cache_set_lenders(small, small_lenders, 0, 1);
	kmem_cache_set_lenders(same, same_lenders, 0, 1);
	kmem_cache_set_lenders(dma2, dma_ok, 0, 1);
	for (unsigned int i = 0; i < 5; i++) { /* every lender with a partial slab */
		ASSERT((held[i] = kmem_cache_alloc(lenders[i], GFP_KERNEL)) != NULL);
		ASSERT_EQ(lenders[i]->partial.count, 1);
	}
	for (unsigned int i = 0; i < 7; i++) {
		ASSERT(borrowers[i]->objs_per_slab <= 128);
		nown[i] = take_first_slab(t, borrowers[i], own[i]);
		ASSERT((p[i] = kmem_cache_alloc(borrowers[i], GFP_KERNEL)) != NULL);
	}
	EXPECT(virt_to_cache(p[0]) == ctor_b); /* a constructor cache never borrows */
	EXPECT(virt_to_cache(p[1]) == plain);  /* nor takes from one, or from DMA32 */
	EXPECT(virt_to_cache(p[2]) == dma);    /* DMA32 never from Normal */
	EXPECT(virt_to_cache(p[3]) == l128);   /* 80's alignment is too weak */
	EXPECT_EQ((uintptr_t)p[3] % 64, 0);
	EXPECT(virt_to_cache(p[4]) == small);
	EXPECT(virt_to_cache(p[5]) == same);
	EXPECT(virt_to_cache(p[6]) == l112d);  /* DMA32 from DMA32 */
	for (unsigned int i = 0; i < 7; i++) {
		EXPECT_EQ(borrowers[i]->nr_borrowed, i == 3 || i == 6 ? 1ul : 0ul);
		EXPECT_EQ(borrowers[i]->nr_slabs, i == 3 || i == 6 ? 1ul : 2ul);
	}
	EXPECT_EQ(l112c->nr_lent + l112->nr_lent + l80->nr_lent, 0);
	for (unsigned int i = 0; i < 7; i++) {
		kfree(p[i]);
		free_all(borrowers[i], own[i], nown[i]);
		EXPECT_EQ(kmem_cache_check(borrowers[i]), 0);
		kmem_cache_destroy(borrowers[i]);
	}
	for (unsigned int i = 0; i < 5; i++) {
		kfree(held[i]);
		EXPECT_EQ(kmem_cache_check(lenders[i]), 0);
		kmem_cache_destroy(lenders[i]);
	}
	EXPECT_EQ(free_now(), free0);
}
FX_CASE(borrow_rules)

/* kmalloc(@size) @n times into @o; how many it got. */
static unsigned int kmalloc_n(size_t size, gfp_t gfp, void **o, unsigned int n)
{
	unsigned int i = 0;

	while (i < n && (o[i] = kmalloc(size, gfp)) != NULL)
		i++;
	return i;
}

static void kfree_n(void **o, unsigned int n)
{
	while (n)
		kfree(o[--n]);
}

/*
 * kmalloc's classes borrow (mm/kmalloc.c): kmalloc-192, its first slab
 * handed out, takes a free object of kmalloc-256's partial slab (224 has
 * no cache); ksize says 256 and kfree returns it to kmalloc-256's
 * magazine. A class below 128 bytes does not borrow (kmalloc-112 grows a
 * second slab while kmalloc-128 has free objects), and a zone cache
 * borrows only within its zone (kmalloc-dma32-192 grows a second slab).
 */
static void borrow_kmalloc_body(struct ktest *t, struct fx *f)
{
	const unsigned int i112 = kmalloc_size_index(112), i128 = kmalloc_size_index(128);
	const unsigned int i192 = kmalloc_size_index(192), i256 = kmalloc_size_index(256);
	static void *o192[21], *o112[36], *od[21];
	void *big, *p, *s128, *small, *d;
	struct kmem_cache *c192, *c256, *cd;
	long mag;

	(void)f;
	ASSERT((big = kmalloc(250, GFP_KERNEL)) != NULL);
	ASSERT((c256 = kmalloc_caches[i256]) != NULL);
	ASSERT_EQ(c256->partial.count, 1);
	ASSERT_EQ(kmalloc_n(184, GFP_KERNEL, o192, 21), 21);
	ASSERT((c192 = kmalloc_caches[i192]) != NULL);
	ASSERT_EQ(c192->objs_per_slab, 21);
	ASSERT_EQ(c192->free_objects, 0);
	ASSERT((p = kmalloc(184, GFP_KERNEL)) != NULL);
	EXPECT(virt_to_cache(p) == c256);
	EXPECT_EQ(ksize(p), 256);
	EXPECT_EQ(c192->nr_slabs, 1);
	EXPECT_EQ(c192->nr_borrowed, 1);
	EXPECT_EQ(c256->nr_lent, 1);
	mag = kmem_cache_magazine_count(c256, 0);
	kfree(p);
	EXPECT_EQ(kmem_cache_magazine_count(c256, 0), mag + 1);
	EXPECT_EQ(kmem_cache_magazine_count(c192, 0), 0);
	ASSERT((s128 = kmalloc(128, GFP_KERNEL)) != NULL);
	ASSERT_EQ(kmalloc_caches[i128]->partial.count, 1);
	ASSERT_EQ(kmalloc_n(100, GFP_KERNEL, o112, 36), 36);
	ASSERT_EQ(kmalloc_caches[i112]->free_objects, 0);
	ASSERT((small = kmalloc(100, GFP_KERNEL)) != NULL);
	EXPECT(virt_to_cache(small) == kmalloc_caches[i112]);
	EXPECT_EQ(ksize(small), 112);
	EXPECT_EQ(kmalloc_caches[i112]->nr_borrowed, 0);
	EXPECT_EQ(kmalloc_caches[i112]->nr_slabs, 2);
	ASSERT_EQ(kmalloc_n(184, GFP_KERNEL | __GFP_DMA32, od, 21), 21);
	ASSERT((d = kmalloc(184, GFP_KERNEL | __GFP_DMA32)) != NULL);
	ASSERT((cd = virt_to_cache(d)) != NULL);
	EXPECT_EQ(strcmp(cd->name, "kmalloc-dma32-192"), 0);
	EXPECT_EQ(cd->nr_borrowed, 0);
	EXPECT_EQ(cd->nr_slabs, 2);
	kfree(d);
	kfree_n(od, 21);
	kfree(small);
	kfree_n(o112, 36);
	kfree(s128);
	kfree_n(o192, 21);
	kfree(big);
}
FX_CASE(borrow_kmalloc)

KTEST_SUITE(slab,
	    KTEST_CASE(model),
	    KTEST_CASE(model_slob),
	    KTEST_CASE(destroy_accounting),
	    KTEST_CASE(destroy_accounting_slob),
	    KTEST_CASE(geometry_order_rule),
	    KTEST_CASE(geometry_128),
	    KTEST_CASE(fresh_slabs),
	    KTEST_CASE(slab_runs),
	    KTEST_CASE(slab_run_short),
	    KTEST_CASE(colouring),
	    KTEST_CASE(lists_debug),
	    KTEST_CASE(lists_magazine),
	    KTEST_CASE(ctor_dtor),
	    KTEST_CASE(ctor_dtor_slob),
	    KTEST_CASE(destroy_busy),
	    KTEST_CASE(destroy_busy_slob),
	    KTEST_CASE(kmalloc_classes),
	    KTEST_CASE(kzalloc_zeroes),
	    KTEST_CASE(kfree_owners),
	    KTEST_CASE(kfree_window),
	    KTEST_CASE(percpu_slots),
	    KTEST_CASE(shrinker),
	    KTEST_CASE(tune),
	    KTEST_CASE(secrets_differ),
	    KTEST_CASE(double_free_in_a_row),
	    KTEST_CASE(free_null),
	    KTEST_CASE(free_null_slob),
	    KTEST_CASE(destroy_twice),
	    KTEST_CASE(destroy_twice_slob),
	    KTEST_CASE(interior_free),
	    KTEST_CASE(keyed_free),
	    KTEST_CASE(double_free_slob),
	    KTEST_CASE(slabstats),
	    KTEST_CASE(shrink_all),
	    KTEST_CASE(hardened_freeptr),
	    KTEST_CASE(debug_checks),
	    KTEST_CASE(debug_checks_slob),
	    KTEST_CASE(out_of_slabs),
	    KTEST_CASE(out_of_memory_slob),
	    KTEST_CASE(debug_param),
	    KTEST_CASE(debug_param_slob),
	    KTEST_CASE(bulk),
	    KTEST_CASE(bulk_slob),
	    KTEST_CASE(helpers),
	    KTEST_CASE(depot),
	    KTEST_CASE(big_object_caches),
	    KTEST_CASE(free_rule),
	    KTEST_CASE(reciprocal),
	    KTEST_CASE(page_address_inline),
	    KTEST_CASE(kmalloc_too_big),
	    KTEST_CASE(track_caller),
	    KTEST_CASE(kvmalloc_without_paging),
	    KTEST_CASE(kvmalloc_causes),
	    KTEST_CASE(slob_layout),
	    KTEST_CASE(slab_param),
	    KTEST_CASE(slob_classic),
	    KTEST_CASE(heap_classes),
	    KTEST_CASE(heap_classes_compact),
	    KTEST_CASE(borrow_private),
	    KTEST_CASE(borrow_credit),
	    KTEST_CASE(borrow_rules),
	    KTEST_CASE(borrow_kmalloc), KTEST_CASE(refill_grows_to_batch), KTEST_CASE(magazines_own_their_lines));
