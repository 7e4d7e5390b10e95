/*
 * alloc_fuzz.c - libFuzzer target: sequences of allocator operations over
 * fake RAM, checked against a shadow model and every consistency checker.
 *
 * Each input builds a fresh node over fake RAM (tests/host/fakeram.h) and a
 * fresh kmalloc (kmalloc_init), runs the operations its bytes describe and
 * finally frees everything, destroys every cache and heap, and requires the
 * page allocator's free page count (and its free lists, block for block)
 * back exactly as they were.
 *
 * Input: one configuration byte, then operations (an opcode byte and up to
 * five argument bytes; a missing byte reads as 0):
 *   config bits 0-1  RAM layout (one bank / DMA+DMA32+Normal / two banks
 *                    with a hole and a reserved range / DMA32+Normal)
 *          bit 2     kmalloc's SLOB heap is classic (else segfit); a second
 *                    heap, used through slob_alloc/slob_free and
 *                    heap_kmalloc, gets the other mode
 *          bit 3     kmalloc starts on SLOB (else the slab caches), and
 *                    its heap keeps freed bigblocks (the second heap
 *                    always does: big_keep_max 32)
 *          bits 4-5  slab_debug flags for the kmalloc-N caches: none, F, ZP, FZPU
 *          bits 6-7  simulated harts: 1 to 4 (host_set_cpu)
 *   operations: alloc_pages / __free_pages / free_pages / put_page /
 *   get_page of orders 0..10 with any gfp (zone bits, __GFP_HIGH, __GFP_ZERO,
 *   __GFP_NOWARN); runs of pages (alloc_contig_pages, alloc_pages_exact,
 *   alloc_pages_fit; free_contig_range, free_pages_exact), with the host
 *   port keeping big free blocks or not; kmalloc (variable and constant sizes), kzalloc, kcalloc,
 *   krealloc, kfree, ksize; switching kmalloc_backend between KMALLOC_SLAB
 *   and KMALLOC_SLOB, and kmalloc=slab's heap classes (none, the on or
 *   compact set, any mask); kmem_cache_create (sizes 1..33000, any alignment, debug
 *   flags F/Z/P/U, SLAB_HWCACHE_ALIGN, constructors and destructors; the
 *   slab model or the SLOB one, by SLAB_SLOB or by slab=slob, and
 *   SLAB_NOSLOB under slab=slob; SLOB-model caches also in ZONE_DMA32 or
 *   ZONE_DMA),
 *   kmem_cache_alloc / zalloc / free (or kfree, slab caches) / shrink /
 *   destroy, and
 *   destroy with objects still out (they must stay safe to free); bursts of
 *   up to 32 allocations; slob_alloc with alignments and slob_free on the
 *   second heap; changing hart; draining the per-hart lists; and misuse the
 *   allocators promise to detect and survive (double frees, wrong orders,
 *   tail and reserved pages, interior and foreign pointers, red-zone writes
 *   on debug caches). The table is in docs/reliability.md; FUZZ_TRACE=1
 *   prints each operation as it runs.
 *
 * The shadow model holds every live object: its range must not overlap any
 * other (the usable size, ksize, counts for kmalloc), its pattern must
 * survive until it is freed, alignment, zone and page type must be what was
 * asked for, constructed objects must come out constructed and reach their
 * destructor still constructed. After every operation: node_check, slob_check
 * on the three SLOB heaps (kmalloc's, the second one, the slab metadata
 * heap), kmem_cache_check on every live cache, no error report except the
 * one a misuse operation provokes, and conservation: free pages plus every
 * page held (ours, slabs, SLOB pages, bigblocks, slab metadata) equal the
 * managed pages. Work per input is bounded: at most MAX_OPS operations and
 * MAX_OBJS live objects; big blocks are filled and checked on samples.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/kstring.h>
#include <mm/kmalloc.h>
#include <mm/memblock.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include "../../mm/internal.h" /* block_head */
#include "../host/fakeram.h"
#include "../host/host.h"
#include "fuzz.h"

#define MAX_OPS 400
#define MAX_OBJS 256
#define MAX_CACHES 6
#define PATTERN_EVERY 16 /* full pattern sweep every this many operations */
#define FULL_LIMIT 16384 /* blocks up to this size are filled entirely */

#define MiB (1ull << 20)
#define PFN(pa) ((unsigned long)((pa) >> PAGE_SHIFT))

/* ---- RAM layouts ---------------------------------------------------------- */

struct layout {
	u64 base, span;
	u64 ram[2][2]; /* base, size; size 0: none */
	u64 resv[2];   /* base, size; size 0: none */
	struct zone_limits lim;
};

static const struct layout layouts[4] = {
	/* 16 MiB, all DMA32 */
	{ 0x80000000, 16 * MiB, { { 0x80000000, 16 * MiB } }, { 0, 0 }, { 0, PFN(1ull << 32), false } },
	/* 16 MiB across 4 GiB: DMA 4 MiB, DMA32 4 MiB, Normal 8 MiB */
	{ 0xff800000, 16 * MiB, { { 0xff800000, 16 * MiB } }, { 0, 0 },
	  { PFN(0xffc00000), PFN(1ull << 32), false } },
	/* two 8 MiB banks with an 8 MiB hole, an unaligned reservation; DMA 4 MiB */
	{ 0x80000000, 24 * MiB, { { 0x80000000, 8 * MiB }, { 0x81000000, 8 * MiB } },
	  { 0x80101800, 0x3000 }, { PFN(0x80400000), PFN(1ull << 32), false } },
	/* 16 MiB: DMA32 8 MiB (a low limit), Normal 8 MiB */
	{ 0x80000000, 16 * MiB, { { 0x80000000, 16 * MiB } }, { 0, 0 },
	  { 0, PFN(0x80800000), false } },
};

/* ---- the shadow model ----------------------------------------------------- */

/* K_RUN: a run of pages (order: how it was taken, RUN_*) */
enum kind { K_PAGES, K_KMALLOC, K_SLOB, K_CACHE, K_RUN };
enum { RUN_CONTIG, RUN_EXACT, RUN_FIT };

struct obj {
	u8 *p;
	size_t size; /* bytes filled with the pattern and checked */
	size_t span; /* bytes the allocator gave (overlap check) */
	u64 seed;
	enum kind kind;
	unsigned int order; /* K_PAGES */
	int cache;          /* K_CACHE: index in caches[] */
	struct page *page;  /* K_PAGES */
};

struct cslot {
	struct kmem_cache *c;
	size_t size;
	int ctor; /* 0 none, 1 counted ctor + dtor, 2 ctor, 3 dtor */
	int nobjs;
	bool orphan; /* destroyed with objects out: only frees are legal */
	bool slob;   /* the SLOB model (SLAB_SLOB or slab=slob): mm/slab_slob.c */
};

/* The last object freed, for double-free misuse: only by the operation right
 * after the one that freed it (any other may have allocated the memory again,
 * the allocators' own metadata included). */
struct last_free {
	u8 *p;
	enum kind kind;
	unsigned int order;
	struct page *page;
	struct kmem_cache *c;
	bool detectable; /* kfree / kmem_cache_free reports a second free */
	int op;          /* the operation that freed it */
	bool valid;
};

static struct {
	struct fakeram *fr;
	const struct layout *lay;
	struct obj objs[MAX_OBJS];
	int nobjs;
	struct cslot caches[MAX_CACHES];
	unsigned int ncpu;
	unsigned long managed, free0;
	fuzz_free_blocks_t nr_free0;
	unsigned long our_pages;
	u64 seq;
	struct last_free last;
	int ops;
} S;

static struct slob_heap aux;           /* the second SLOB heap */
static struct slob_heap *meta;         /* the slab metadata heap (setup finds it) */
static unsigned long ctor_calls, dtor_calls;
/* The cache being allocated from or freed to: a SLOB-model cache's objects
 * are SLOB blocks, which do not name their cache (virt_to_cache is NULL). */
static struct kmem_cache *cur_cache;

/* ---- patterns ------------------------------------------------------------- */

static inline u64 mix(u64 x)
{
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 32;
	return x;
}

/* Fill or compare bytes [off, off + len) of the pattern of @seed. Returns
 * the first offset that differs, or -1. */
static long pat_seg(u8 *p, size_t off, size_t len, u64 seed, bool write)
{
	size_t end = off + len;

	while (off < end) {
		size_t w = off >> 3, wend = MIN((w + 1) << 3, end);
		u64 v = mix(seed + w * 0x9e3779b97f4a7c15ull);

		if ((off & 7) == 0 && wend - off == 8) {
			u64 have;

			if (write) {
				memcpy(p + off, &v, 8);
			} else {
				memcpy(&have, p + off, 8); /* a load, not a call */
				if (have != v)
					return (long)off;
			}
			off = wend;
			continue;
		}
		for (; off < wend; off++) {
			u8 b = (u8)(v >> ((off & 7) * 8));

			if (write)
				p[off] = b;
			else if (p[off] != b)
				return (long)off;
		}
	}
	return -1;
}

/* The pattern over n bytes: all of them up to FULL_LIMIT, else the first and
 * last 2 KiB and 16 bytes at each page boundary. */
static long pattern(u8 *p, size_t n, u64 seed, bool write)
{
	long bad;

	if (n <= FULL_LIMIT)
		return pat_seg(p, 0, n, seed, write);
	if ((bad = pat_seg(p, 0, 2048, seed, write)) >= 0 ||
	    (bad = pat_seg(p, n - 2048, 2048, seed, write)) >= 0)
		return bad;
	for (size_t off = PAGE_SIZE; off + 16 <= n - 2048; off += PAGE_SIZE)
		if ((bad = pat_seg(p, off, 16, seed, write)) >= 0)
			return bad;
	return -1;
}

/* Verify what pattern(@p, @n, @seed, true) wrote below @keep <= @n: the
 * first @keep bytes of a block moved to a smaller one. */
static long pattern_kept(u8 *p, size_t n, size_t keep, u64 seed)
{
	long bad;

	if (n <= FULL_LIMIT)
		return pat_seg(p, 0, keep, seed, false);
	if ((bad = pat_seg(p, 0, MIN(keep, 2048), seed, false)) >= 0)
		return bad;
	if (keep > n - 2048 && (bad = pat_seg(p, n - 2048, keep - (n - 2048), seed, false)) >= 0)
		return bad;
	for (size_t off = PAGE_SIZE; off + 16 <= n - 2048 && off + 16 <= keep; off += PAGE_SIZE)
		if ((bad = pat_seg(p, off, 16, seed, false)) >= 0)
			return bad;
	return -1;
}

static bool all_zero(const u8 *p, size_t n)
{
	if (n > FULL_LIMIT) /* samples, as pattern() */
		return all_zero(p, 2048) && all_zero(p + n - 2048, 2048) &&
		       all_zero(p + n / 2, 64);
	return !memchr_inv(p, 0, n);
}

static const char *const kind_names[] = { "pages", "kmalloc", "slob", "cache" };

static void check_obj(const struct obj *o)
{
	long bad = pattern(o->p, o->size, o->seed, false);

	FUZZ_CHECK(bad < 0, "%s object %p (size %zu) lost its pattern at offset %ld",
		   kind_names[o->kind], (void *)o->p, o->size, bad);
}

/* ---- constructors --------------------------------------------------------- */

static void construct(void *obj, size_t n)
{
	u8 *b = obj;

	for (size_t i = 0; i < n; i++)
		b[i] = (u8)(0xc3 + i * 13);
	if (n >= 8) {
		u64 tag = (uintptr_t)obj ^ 0x5a5a5a5a5a5a5a5aull;

		memcpy(b, &tag, 8);
	}
}

static bool constructed(const void *obj, size_t n)
{
	const u8 *b = obj;

	for (size_t i = n >= 8 ? 8 : 0; i < n; i++)
		if (b[i] != (u8)(0xc3 + i * 13))
			return false;
	if (n >= 8) {
		u64 tag;

		memcpy(&tag, b, 8);
		if (tag != ((uintptr_t)obj ^ 0x5a5a5a5a5a5a5a5aull))
			return false;
	}
	return true;
}

/* The object size of obj's cache. A slab object names its cache; a
 * SLOB-model object belongs to the cache being used (cur_cache), and the
 * constructor gets it live, in the cache's SLOB memory (@ctor; the
 * destructor gets it with its red zones already made inactive). */
static size_t cache_objsize(void *obj, bool ctor)
{
	struct kmem_cache *c = virt_to_cache(obj);

	if (!c && cur_cache && (cur_cache->flags & SLAB_SLOB)) {
		c = cur_cache;
		FUZZ_CHECK(!ctor || slob_cache_valid_object(c, obj),
			   "constructor of SLOB-model cache %s called on %p, not its live object",
			   c->name, obj);
	}
	FUZZ_CHECK(c != NULL, "%s called on %p, not a slab object", ctor ? "constructor" : "destructor",
		   obj);
	return c->object_size;
}

static void ctor_counted(void *obj)
{
	construct(obj, cache_objsize(obj, true));
	ctor_calls++;
}

static void dtor_counted(void *obj)
{
	FUZZ_CHECK(constructed(obj, cache_objsize(obj, false)),
		   "destructor got %p not in its constructed state", obj);
	dtor_calls++;
}

static void ctor_plain(void *obj)
{
	construct(obj, cache_objsize(obj, true));
}

static void dtor_plain(void *obj)
{
	(void)cache_objsize(obj, false);
}

/* ---- input ---------------------------------------------------------------- */

struct input {
	const u8 *p;
	size_t n;
};

static u8 in8(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static unsigned int in16(struct input *in)
{
	unsigned int hi = in8(in);

	return hi << 8 | in8(in);
}

static gfp_t pick_gfp(u8 b)
{
	static const gfp_t zones[4] = { 0, __GFP_DMA, __GFP_DMA32, __GFP_DMA | __GFP_DMA32 };
	gfp_t g = zones[b & 3];

	if (b & 4)
		g |= __GFP_HIGH;
	if (b & 8)
		g |= __GFP_ZERO;
	if (b & 16)
		g |= __GFP_NOWARN;
	return g;
}

/* A size for kmalloc from 16 bits: mostly small, some around the class and
 * backend limits, some bigblocks, a few special values. */
static size_t pick_size(unsigned int v)
{
	static const size_t special[16] = {
		0, 1, 8, 96, 192, 1024, 2048, 4076, 4077, 4080, 4081, 8192, 8193,
		KMALLOC_MAX_SIZE, KMALLOC_MAX_SIZE + 1, 4097,
	};
	unsigned int r = v & 0x3fff;

	switch (v >> 14) {
	case 0: return 1 + r % 256;
	case 1: return 1 + r % 4200;
	case 2: return 1 + r % 9000;
	default: return r < 64 ? special[r & 15] : 8193 + (size_t)r * 307 % (5 * MiB);
	}
}

/* ---- bookkeeping ---------------------------------------------------------- */

static void check_no_overlap(const u8 *p, size_t span, int skip)
{
	for (int i = 0; i < S.nobjs; i++) {
		const struct obj *o = &S.objs[i];

		if (i == skip)
			continue;
		FUZZ_CHECK(!(p < o->p + o->span && o->p < p + span),
			   "new block [%p, +%zu) overlaps live %s object [%p, +%zu)", (void *)p, span,
			   kind_names[o->kind], (void *)o->p, o->span);
	}
}

static struct obj *add_obj(enum kind kind, void *p, size_t size, size_t span)
{
	struct obj *o;

	check_no_overlap(p, span, -1);
	o = &S.objs[S.nobjs++];
	memset(o, 0, sizeof(*o));
	o->p = p;
	o->size = size;
	o->span = span;
	o->kind = kind;
	o->seed = mix(++S.seq ^ 0x243f6a8885a308d3ull);
	o->cache = -1;
	pattern(o->p, o->size, o->seed, true);
	return o;
}

static void del_obj(int i)
{
	S.objs[i] = S.objs[--S.nobjs];
}

/* An object of a kind in @mask, starting the search at b. -1 if none. */
static int pick_obj(unsigned int b, unsigned int mask)
{
	if (!S.nobjs)
		return -1;
	for (int k = 0; k < S.nobjs; k++) {
		int i = (int)((b + (unsigned int)k) % (unsigned int)S.nobjs);

		if (mask & (1u << S.objs[i].kind))
			return i;
	}
	return -1;
}

static unsigned int zone_of(unsigned long pfn)
{
	if (pfn < S.lay->lim.dma_end_pfn)
		return ZONE_DMA;
	if (pfn < S.lay->lim.dma32_end_pfn)
		return ZONE_DMA32;
	return ZONE_NORMAL;
}

/* A block of pages from the buddy allocator is where gfp allows. */
/* The @nr pages from @page are in one zone that @gfp allows. */
static void check_zone(struct page *page, unsigned long nr, gfp_t gfp)
{
	unsigned long pfn = page_to_pfn(page);
	unsigned int z = page_zonenum(page), highest = ZONE_NORMAL;

	FUZZ_CHECK(z == zone_of(pfn) && z == zone_of(pfn + nr - 1), "pfn 0x%lx, %lu pages, in zone %u", pfn,
		   nr, z);
	if (gfp & __GFP_DMA)
		highest = populated_zone(&mem_node->zones[ZONE_DMA]) ? ZONE_DMA : ZONE_DMA32;
	else if (gfp & __GFP_DMA32)
		highest = ZONE_DMA32;
	FUZZ_CHECK(z <= highest, "gfp 0x%x got zone %u", gfp, z);
}

/* ---- checks after every operation ------------------------------------------ */

struct counters {
	unsigned long kfree, slab, bad_pages, heap, aux, meta;
};

static void snap(struct counters *c)
{
	c->kfree = kfree_errors;
	c->slab = slab_errors;
	c->bad_pages = mem_node->nr_bad_pages;
	c->heap = kmalloc_heap.nr_bad_frees;
	c->aux = aux.nr_bad_frees;
	c->meta = meta->nr_bad_frees;
}

/* What a misuse operation must provoke. */
enum expect {
	EXPECT_NONE,   /* no report at all */
	EXPECT_REPORT, /* one kfree, slab or bad-page report (a SLOB heap may count it too) */
	EXPECT_AUX,    /* one report of the second heap only (slob_free) */
};

static void check_reports(const struct counters *b, enum expect expected)
{
	unsigned long want = expected == EXPECT_REPORT, events;
	struct counters a;

	snap(&a);
	events = (a.kfree - b->kfree) + (a.slab - b->slab) + (a.bad_pages - b->bad_pages);
	FUZZ_CHECK(events == want, "%lu error reports (kfree %lu, slab %lu, bad page %lu), expected %lu",
		   events, a.kfree - b->kfree, a.slab - b->slab, a.bad_pages - b->bad_pages, want);
	if (expected == EXPECT_AUX)
		FUZZ_CHECK(a.aux - b->aux == 1 && a.heap == b->heap,
			   "second heap: %lu reports, expected 1", a.aux - b->aux);
	else
		FUZZ_CHECK(a.heap - b->heap <= want && a.aux - b->aux <= want,
			   "unexpected SLOB heap error reports");
	FUZZ_CHECK(a.meta == b->meta, "slab metadata heap error reports");
}

static unsigned long meta_pages(void)
{
	return slab_held_pages() - slab_pages;
}

static void check_all(bool patterns)
{
	unsigned long held, zone_heaps = 0;

	FUZZ_CHECK(node_check(mem_node) == 0, "node_check");
	FUZZ_CHECK(slob_check(&kmalloc_heap) == 0, "slob_check kmalloc heap");
	FUZZ_CHECK(slob_check(&aux) == 0, "slob_check second heap");
	FUZZ_CHECK(slob_check(meta) == 0, "slob_check slab metadata heap");
	for (int i = 0; i < MAX_CACHES; i++) {
		if (!S.caches[i].c)
			continue;
		FUZZ_CHECK(kmem_cache_check(S.caches[i].c) == 0, "kmem_cache_check %s",
			   S.caches[i].c->name);
		/* A SLOB-model cache counts exactly the objects out (no magazines). */
		if (S.caches[i].slob)
			FUZZ_CHECK(kmem_cache_objects_out(S.caches[i].c) == (unsigned long)S.caches[i].nobjs,
				   "SLOB-model cache %s: %lu objects out, %d live", S.caches[i].c->name,
				   kmem_cache_objects_out(S.caches[i].c), S.caches[i].nobjs);
	}
	for (int i = 0; i < KMALLOC_NR_CACHES; i++)
		if (kmalloc_caches[i])
			FUZZ_CHECK(kmem_cache_check(kmalloc_caches[i]) == 0, "kmem_cache_check %s",
				   kmalloc_caches[i]->name);
	for (int zt = 0; zt < KMALLOC_NR_ZONE_TYPES; zt++) {
		struct slob_heap *zh = kmalloc_zone_heap_of(zt);

		if (zh) {
			FUZZ_CHECK(slob_check(zh) == 0, "slob_check %s", zh->name);
			zone_heaps += slob_heap_pages(zh);
		}
		for (int i = 0; i < KMALLOC_NR_CACHES; i++)
			if (kmalloc_zone_caches[zt][i])
				FUZZ_CHECK(kmem_cache_check(kmalloc_zone_caches[zt][i]) == 0,
					   "kmem_cache_check %s", kmalloc_zone_caches[zt][i]->name);
	}
	held = S.our_pages + slab_pages + meta_pages() + slob_heap_pages(&kmalloc_heap) +
	       slob_heap_pages(&aux) + zone_heaps;
	FUZZ_CHECK(nr_free_pages() + held == S.managed,
		   "free %lu + held %lu (ours %lu, slab %lu, meta %lu, kmalloc heap %lu+%lu, "
		   "second heap %lu+%lu, zone heaps %lu) != managed %lu",
		   nr_free_pages(), held, S.our_pages, slab_pages, meta_pages(), kmalloc_heap.nr_pages,
		   kmalloc_heap.big_pages, aux.nr_pages, aux.big_pages, zone_heaps, S.managed);
	if (patterns)
		for (int i = 0; i < S.nobjs; i++)
			check_obj(&S.objs[i]);
}

/* ---- freeing -------------------------------------------------------------- */

static void note_free(const struct obj *o, bool detectable, struct kmem_cache *c)
{
	S.last = (struct last_free){ o->p, o->kind, o->order, o->page, c, detectable, S.ops, true };
}

/* Is a second kfree of this kmalloc block reported? (Not for an ordinary
 * slab object: its fast path trusts the caller, as Linux's does.) */
static void free_obj(int i, unsigned int how)
{
	struct obj *o = &S.objs[i];

	check_obj(o);
	switch (o->kind) {
	case K_PAGES:
		FUZZ_CHECK(page_count(o->page) == 1, "page count %d", page_count(o->page));
		switch (how % 3) {
		case 0: __free_pages(o->page, o->order); break;
		case 1: free_pages((unsigned long)o->p, o->order); break;
		default: put_page(o->page); break;
		}
		S.our_pages -= 1ul << o->order;
		note_free(o, true, NULL);
		break;
	case K_RUN:
		if (o->order == RUN_CONTIG)
			free_contig_range(page_to_pfn(o->page), o->span >> PAGE_SHIFT);
		else
			free_pages_exact(o->p, o->size);
		S.our_pages -= o->span >> PAGE_SHIFT;
		note_free(o, false, NULL);
		break;
	case K_KMALLOC:
		/* A second kfree right after is always reported: SLOB and
		 * bigblocks check every free, a slab object is the last one
		 * its magazine took (or a debug cache checks it). */
		kfree(o->p);
		note_free(o, true, NULL);
		break;
	case K_SLOB:
		slob_free(&aux, o->p, o->size);
		note_free(o, aux.mode == SLOB_SEGFIT, NULL);
		S.last.order = (unsigned int)o->size; /* slob_free's size */
		break;
	case K_CACHE: {
		struct cslot *cs = &S.caches[o->cache];
		bool det = true; /* as for kmalloc above */

		if (cs->c->ctor)
			construct(o->p, cs->size);
		cur_cache = cs->c;
		if (cs->slob) {
			/* kfree does not take a SLOB-model object (2.6.20). A
			 * second free right after is caught when the object is
			 * held (P), its bigblock is gone, or segfit's header
			 * says the block is free; classic blocks have none. */
			struct slob_cache *sc = cs->c->slob;

			det = (cs->c->flags & SLAB_POISON) || sc->big || sc->heap->mode == SLOB_SEGFIT;
			kmem_cache_free(cs->c, o->p);
		} else if (how & 1) {
			kfree(o->p); /* kfree takes any slab object */
		} else {
			kmem_cache_free(cs->c, o->p);
		}
		cur_cache = NULL;
		cs->nobjs--;
		note_free(o, det, cs->c);
		break;
	}
	}
	del_obj(i);
}

/* ---- operations ----------------------------------------------------------- */

/* A run of pages beyond a block's rounding (@b 240..254; one more byte):
 * alloc_contig_pages of 1 to 3 max-order blocks (whole or short of the
 * last, aligned to one block or two), alloc_pages_exact of up to 1024
 * pages or alloc_pages_fit of up to 1024, or (a quarter of them) 1025 to
 * 2048: beyond the largest block; inside RAM, in its zone, cleared on
 * __GFP_ZERO, each page a part of an allocated block. */
static void op_alloc_run(struct input *in, u8 b, gfp_t gfp)
{
	u8 c = in8(in);
	unsigned int how = b % 3;
	unsigned long nr = 1 + (unsigned long)c * 4 % MAX_ORDER_NR_PAGES, size = nr * PAGE_SIZE - (c % 5) * 512;
	struct page *page;
	u8 *p;

	gfp &= ~__GFP_HIGH; /* (runs take no reserve) */
	if (how == RUN_FIT && (c & 0x40) && !(c & 0x80)) {
		nr += MAX_ORDER_NR_PAGES;
		size += MAX_ORDER_NR_PAGES * PAGE_SIZE;
	}
	if (how == RUN_CONTIG) {
		nr = (1 + c % 3) * MAX_ORDER_NR_PAGES - (c & 0x10 ? c % 700 : 0);
		size = nr * PAGE_SIZE;
		page = alloc_contig_pages(nr, gfp, c & 0x20 ? 2 * MAX_ORDER_NR_PAGES : 0);
		if (page)
			FUZZ_CHECK(IS_ALIGNED(page_to_pfn(page), c & 0x20 ? 2 * MAX_ORDER_NR_PAGES : MAX_ORDER_NR_PAGES),
				   "run at pfn 0x%lx not aligned", page_to_pfn(page));
		p = page ? page_address(page) : NULL;
	} else {
		p = how == RUN_EXACT ? alloc_pages_exact(size, gfp) : alloc_pages_fit(size, gfp);
		page = p ? virt_to_page(p) : NULL;
	}
	if (!p)
		return;
	FUZZ_CHECK(fakeram_covers(S.fr, virt_to_phys(p), nr * PAGE_SIZE), "run outside fake RAM");
	check_zone(page, nr, gfp);
	for (unsigned long i = 0; i < nr; i++) {
		unsigned long head = block_head(mem_node, page_to_pfn(page) + i);
		const struct page *h = head ? pfn_to_page(head) : NULL;

		FUZZ_CHECK(h && PageHead(h) && page_count(h) == 1 && head >= page_to_pfn(page) &&
				   head + (1ul << page_order(h)) <= page_to_pfn(page) + nr,
			   "page %lu of a run of %lu is not in one of its allocated blocks", i, nr);
	}
	if (gfp & __GFP_ZERO)
		FUZZ_CHECK(all_zero(p, nr * PAGE_SIZE), "__GFP_ZERO run not zero");
	add_obj(K_RUN, p, size, nr * PAGE_SIZE)->page = page;
	S.objs[S.nobjs - 1].order = how;
	S.our_pages += nr;
}

static void op_alloc_pages(struct input *in)
{
	u8 b = in8(in);
	gfp_t gfp = pick_gfp(in8(in));
	/* mostly small orders; 255: one above the largest */
	unsigned int order = b < 128 ? 0 : b < 192 ? 1 + b % 3 : b == 255 ? MAX_ORDER : b % 11;
	struct page *page;
	u8 *p;

	if (S.nobjs >= MAX_OBJS)
		return;
	if (b >= 240 && b < 255) {
		op_alloc_run(in, b, gfp);
		return;
	}
	page = alloc_pages(gfp, order);
	if (order >= MAX_ORDER)
		FUZZ_CHECK(page == NULL, "alloc_pages of order %u", order);
	if (!page)
		return;
	p = page_address(page);
	FUZZ_CHECK(fakeram_covers(S.fr, virt_to_phys(p), PAGE_SIZE << order),
		   "block outside fake RAM");
	FUZZ_CHECK(IS_ALIGNED(page_to_pfn(page), 1ul << order), "pfn 0x%lx not aligned to order %u",
		   page_to_pfn(page), order);
	FUZZ_CHECK(PageHead(page) && page_order(page) == order && page_count(page) == 1 &&
			   page_type(page) == PGTY_NONE && !PageReserved(page) && !PageBuddy(page),
		   "new block's head: flags 0x%x refcount %d", page->flags, page->refcount);
	FUZZ_CHECK(virt_to_page(p) == page, "virt_to_page");
	check_zone(page, 1ul << order, gfp);
	if (gfp & __GFP_ZERO)
		FUZZ_CHECK(all_zero(p, PAGE_SIZE << order), "__GFP_ZERO block not zero");
	add_obj(K_PAGES, p, PAGE_SIZE << order, PAGE_SIZE << order)->page = page;
	S.objs[S.nobjs - 1].order = order;
	S.our_pages += 1ul << order;
}

static void op_free(struct input *in, unsigned int mask)
{
	u8 b = in8(in), how = in8(in);
	int i = pick_obj(b, mask);

	if (i >= 0)
		free_obj(i, how);
}

static void op_page_ref(struct input *in)
{
	int i = pick_obj(in8(in), 1u << K_PAGES);
	struct page *page;

	if (i < 0)
		return;
	page = S.objs[i].page;
	get_page(page);
	FUZZ_CHECK(page_count(page) == 2, "get_page: count %d", page_count(page));
	put_page(page);
	FUZZ_CHECK(page_count(page) == 1 && PageHead(page), "put_page of a shared block freed it");
}

/* Does kmalloc serve @size from a kmalloc-N slab cache now (kmalloc=slab,
 * and its class not a heap class)? */
static bool slab_serves(size_t size)
{
	return kmalloc_backend == KMALLOC_SLAB && size - 1 < KMALLOC_SLAB_MAX &&
	       !(kmalloc_heap_classes >> kmalloc_size_index(size) & 1);
}

/* What a new kmalloc block must look like. @h: the SLOB heap that serves it
 * when it is not a slab object. */
static void check_kmalloc_block(void *p, size_t size, bool zero, struct slob_heap *h, bool slab,
				gfp_t gfp)
{
	struct page *page = virt_to_page(p);
	size_t ks = ksize(p);
	enum page_type want;

	FUZZ_CHECK(page != NULL, "kmalloc returned %p, not RAM", p);
	FUZZ_CHECK(IS_ALIGNED((uintptr_t)p, ARCH_KMALLOC_MINALIGN), "kmalloc returned %p", p);
	FUZZ_CHECK(ks >= size, "ksize %zu < %zu", ks, size);
	/* Every backend: a power of two up to a page is aligned to itself. */
	if ((size & (size - 1)) == 0 && size <= PAGE_SIZE)
		FUZZ_CHECK(IS_ALIGNED((uintptr_t)p, size), "kmalloc(%zu) = %p not aligned", size, p);
	if (slab && size <= KMALLOC_SLAB_MAX)
		want = PGTY_SLAB;
	else if (size <= slob_kmalloc_max(h))
		want = PGTY_SLOB; /* segfit's kmalloc(2048): half a size page */
	else
		want = PGTY_BIGBLOCK;
	FUZZ_CHECK(page_type(page) == want, "kmalloc(%zu) on %s: page type %d, expected %d", size,
		   slab ? "slab" : h->mode == SLOB_SEGFIT ? "segfit" : "classic", page_type(page), want);
	switch (want) {
	case PGTY_SLAB:
		if ((size & (size - 1)) == 0 && size <= PAGE_SIZE)
			FUZZ_CHECK(IS_ALIGNED((uintptr_t)p, size), "kmalloc(%zu) = %p not aligned", size,
				   p);
		break;
	case PGTY_SLOB:
		FUZZ_CHECK(page->priv == (unsigned long)h, "SLOB block of another heap");
		if (h->mode == SLOB_CLASSIC)
			FUZZ_CHECK(IS_ALIGNED((uintptr_t)p, 16), "classic kmalloc = %p", p);
		break;
	default:
		/* Exact pages (the fewest that hold the size), counted in the
		 * head page; a size that is a power of two aligned to itself (the
		 * contract: a block krealloc grew in place to a power of two of
		 * pages for a size that is not one keeps its place). */
		FUZZ_CHECK(p == page_address(page) && PageHead(page) &&
				   ks == page->bigblock_pages << PAGE_SHIFT && ks >= size &&
				   ks - size < PAGE_SIZE &&
				   ((size & (size - 1)) || IS_ALIGNED(page_to_pfn(page), 1ul << get_order(size))),
			   "bigblock %p ksize %zu for %zu bytes (pfn 0x%lx)", p, ks, size, page_to_pfn(page));
		check_zone(page, ks >> PAGE_SHIFT, gfp);
		break;
	}
	if (zero)
		FUZZ_CHECK(all_zero(p, size), "kzalloc(%zu) not zero", size);
}

static void op_kmalloc(struct input *in)
{
	size_t size = pick_size(in16(in));
	u8 v = in8(in);
	gfp_t gfp = pick_gfp(in8(in));
	bool slab = false, zero = gfp & __GFP_ZERO;
	struct slob_heap *h = &kmalloc_heap;
	void *p;

	if (S.nobjs >= MAX_OBJS)
		return;
	switch (v % 8) {
	case 3:
		p = kzalloc(size, gfp);
		zero = true;
		break;
	case 4: {
		size_t n = 1 + v / 8 % 7;

		FUZZ_CHECK(kcalloc(SIZE_MAX / 2, 3, gfp) == NULL, "kcalloc overflow");
		size = size / n;
		p = kcalloc(n, size, gfp);
		size *= n;
		zero = true;
		break;
	}
	case 5: /* constant sizes: the inline path */
		gfp = GFP_KERNEL;
		zero = false;
		switch (v / 8 % 6) {
		case 0: size = 8; p = kmalloc(8, GFP_KERNEL); break;
		case 1: size = 64; p = kmalloc(64, GFP_KERNEL); break;
		case 2: size = 100; p = kmalloc(100, GFP_KERNEL); break;
		case 3: size = 4096; p = kmalloc(4096, GFP_KERNEL); break;
		case 4: size = 8192; p = kmalloc(8192, GFP_KERNEL); break;
		default: size = 8193; p = kmalloc(8193, GFP_KERNEL); break;
		}
		break;
	case 6:
		p = krealloc(NULL, size, gfp);
		break;
	case 7:
		h = &aux;
		p = heap_kmalloc(&aux, size, gfp);
		break;
	default:
		p = kmalloc(size, gfp);
		break;
	}
	if (size == 0) {
		FUZZ_CHECK(p == ZERO_SIZE_PTR, "kmalloc(0) = %p", p);
		FUZZ_CHECK(ksize(p) == 0, "ksize(ZERO_SIZE_PTR)");
		kfree(p);
		return;
	}
	if (size > KMALLOC_MAX_SIZE) {
		FUZZ_CHECK(p == NULL, "kmalloc(%zu) = %p", size, p);
		return;
	}
	if (!p)
		return;
	if (h == &kmalloc_heap)
		slab = slab_serves(size);
	if (h == &kmalloc_heap && (gfp & GFP_ZONEMASK)) /* a zone's own SLOB heap */
		h = kmalloc_zone_heap_of(gfp & __GFP_DMA ? KMALLOC_ZONE_DMA : KMALLOC_ZONE_DMA32);
	check_kmalloc_block(p, size, zero, h, slab, gfp);
	add_obj(K_KMALLOC, p, ksize(p), ksize(p));
}

static void op_krealloc(struct input *in)
{
	int i = pick_obj(in8(in), 1u << K_KMALLOC);
	size_t size = pick_size(in16(in));
	gfp_t gfp = pick_gfp(in8(in)) & ~__GFP_ZERO;
	struct page *page;
	struct slob_heap *h;
	bool slab, kernel, in_zone;
	struct obj *o;
	void *q;

	if (i < 0)
		return;
	o = &S.objs[i];
	check_obj(o);
	page = virt_to_page(o->p);
	slab = page_type(page) == PGTY_SLAB;
	h = slab ? &kmalloc_heap : (struct slob_heap *)page->priv;
	kernel = h == &kmalloc_heap || h == kmalloc_zone_heap_of(KMALLOC_ZONE_DMA32) ||
		 h == kmalloc_zone_heap_of(KMALLOC_ZONE_DMA);
	/* A block stays in place only when what it came from serves @gfp's
	 * zone; else it moves there, even to shrink. */
	in_zone = gfp_zone_satisfies(slab ? page->slab_cache->allocflags : h->zone_gfp, gfp);
	q = krealloc(o->p, size, gfp);
	/* A slab object, or one of kmalloc's SLOB blocks asked into a zone,
	 * moves to whatever kmalloc serves now; another SLOB block stays in its
	 * heap, and so does a bigblock of the zone that grew in place (q == the
	 * block: it is still its heap's). */
	if (q != o->p && (slab || (kernel && (gfp & GFP_ZONEMASK)))) {
		slab = slab_serves(size);
		h = !(gfp & GFP_ZONEMASK) ? &kmalloc_heap
		    : kmalloc_zone_heap_of(gfp & __GFP_DMA ? KMALLOC_ZONE_DMA : KMALLOC_ZONE_DMA32);
	}
	if (size == 0) {
		FUZZ_CHECK(q == ZERO_SIZE_PTR, "krealloc to 0 = %p", q);
		del_obj(i);
		S.last.valid = false;
		return;
	}
	if (!q) {
		FUZZ_CHECK(size > o->span || !in_zone, "krealloc(%zu) of a %zu-byte block failed", size,
			   o->span);
		check_obj(o);
		return;
	}
	if (size <= o->span && in_zone) {
		FUZZ_CHECK(q == o->p, "shrinking krealloc moved the block");
		check_obj(o);
		return;
	}
	FUZZ_CHECK(q != o->p || in_zone, "krealloc grew a block of another zone in place");
	{
		struct obj old = *o;
		long bad;

		o->p = q;
		bad = pattern_kept(q, old.size, MIN(old.size, size), old.seed);
		FUZZ_CHECK(bad < 0, "krealloc lost the contents at offset %ld", bad);
		check_kmalloc_block(q, size, false, h, slab, gfp);
		o->size = o->span = ksize(q);
		check_no_overlap(q, o->span, i);
		pattern(q, o->size, o->seed, true);
		S.last.valid = false;
	}
}

/* kmalloc's backend, and under kmalloc=slab its heap classes: unchanged,
 * none, kmalloc_heap=on or =compact's set, or any mask of the classes. */
static void op_backend(struct input *in)
{
	u8 v = in8(in);
	u64 mask;

	kmalloc_set_backend(v & 1 ? KMALLOC_SLAB : KMALLOC_SLOB);
	switch (v >> 1 & 3) {
	case 1:
		kmalloc_set_heap_classes(0);
		break;
	case 2:
		kmalloc_set_heap_classes(v & 8 ? kmalloc_compact_heap_classes()
					       : kmalloc_default_heap_classes());
		break;
	case 3:
		mask = (u64)in16(in) << 24 | (u64)in16(in) << 8 | in8(in);
		kmalloc_set_heap_classes(mask & ((1ull << KMALLOC_NR_CACHES) - 1));
		break;
	}
}

static void reclaim_orphan(int slot);

static void op_cache_create(struct input *in)
{
	static void (*const ctors[4])(void *) = { NULL, ctor_counted, ctor_plain, NULL };
	static void (*const dtors[4])(void *) = { NULL, dtor_counted, NULL, dtor_plain };
	unsigned int v = in16(in), r = v & 0x3fff;
	u8 a = in8(in), fl = in8(in), ckz = in8(in), ck = ckz % 4;
	size_t size, align;
	unsigned long flags = 0;
	bool valid, slob;
	struct kmem_cache *c;
	char name[SLAB_NAME_LEN];
	int slot = -1;

	for (int i = 0; i < MAX_CACHES; i++)
		if (!S.caches[i].c)
			slot = i;
	for (int i = 0; i < MAX_CACHES && slot < 0; i++)
		if (S.caches[i].orphan && S.caches[i].nobjs == 0) {
			reclaim_orphan(i);
			slot = i;
		}
	if (slot < 0)
		return;
	switch (v >> 14) {
	case 0: size = 1 + r % 64; break;
	case 1: size = 1 + r % 512; break;
	case 2: size = 1 + r % 4096; break;
	default: size = 4097 + r * 3 % 29000; break; /* to 33096: above 32 KiB is refused */
	}
	a %= 16;
	align = a == 0 ? 0 : a <= 13 ? 1ul << (a - 1) : a == 14 ? 8192 : 24;
	if (fl & 1) flags |= SLAB_CONSISTENCY_CHECKS;
	if (fl & 2) flags |= SLAB_RED_ZONE;
	if (fl & 4) flags |= SLAB_POISON;
	if (fl & 8) flags |= SLAB_STORE_USER;
	if (fl & 16) flags |= SLAB_HWCACHE_ALIGN;
	if (fl & 32) flags |= SLAB_RECLAIM_ACCOUNT;
	/* The model (bits 6-7): slab; SLAB_SLOB; slab=slob; slab=slob with
	 * SLAB_NOSLOB (a slab cache). */
	if ((fl >> 6) == 1) flags |= SLAB_SLOB;
	if ((fl >> 6) == 3) flags |= SLAB_NOSLOB;
	slob = (fl >> 6) == 1 || (fl >> 6) == 2;
	/* A SLOB-model cache's zone (bits 2-3 of the constructor byte): its
	 * objects come from kmalloc's heap of that zone. */
	if (slob && (ckz >> 2) % 4 == 1) flags |= SLAB_CACHE_DMA32;
	if (slob && (ckz >> 2) % 4 == 2) flags |= SLAB_CACHE_DMA;
	valid = size <= (PAGE_SIZE << SLAB_MAX_ORDER) && (align & (align - 1)) == 0 &&
		align <= PAGE_SIZE;
	ksnprintf(name, sizeof(name), "fuzz%d-%zu", slot, size);
	slab_slob_default = (fl >> 6) >= 2;
	c = kmem_cache_create_dtor(name, size, align, flags, ctors[ck], dtors[ck]);
	slab_slob_default = false;
	if (!valid) {
		FUZZ_CHECK(c == NULL, "kmem_cache_create(%zu, align %zu) accepted", size, align);
		return;
	}
	if (!c)
		return;
	FUZZ_CHECK(kmem_cache_size(c) == size && c->align >= MAX(align, 8u) &&
			   (c->align & (c->align - 1)) == 0,
		   "cache %s: size %u align %u", c->name, kmem_cache_size(c), c->align);
	FUZZ_CHECK(virt_to_page(c) && virt_to_page(c)->priv == (unsigned long)meta,
		   "cache descriptor outside the slab metadata heap");
	FUZZ_CHECK(!!(c->flags & SLAB_SLOB) == slob && !(c->flags & SLAB_NOSLOB) &&
			   (c->slob != NULL) == slob,
		   "cache %s: model flags 0x%lx, expected the %s model", c->name, c->flags,
		   slob ? "SLOB" : "slab");
	if (slob)
		/* A SLOB block holds at most slob_kmalloc_max bytes: an object
		 * of a page or more is a bigblock. */
		FUZZ_CHECK(c->slob->heap == (!c->allocflags ? &kmalloc_heap
					     : kmalloc_zone_heap_of(c->allocflags & __GFP_DMA ? KMALLOC_ZONE_DMA
											    : KMALLOC_ZONE_DMA32)) &&
				   (size < PAGE_SIZE || c->slob->big) &&
				   c->nr_slabs == 0 && c->limit == 0,
			   "SLOB-model cache %s: heap %s, big %d", c->name, c->slob->heap->name,
			   c->slob->big);
	S.caches[slot] = (struct cslot){ c, size, ck, 0, false, slob };
}

/* A new object of a SLOB-model cache: a live object in the cache's SLOB
 * memory (a block of its heap, or the head of a bigblock of exactly the
 * pages the object's layout needs, from the buddy allocator's zones). */
static void check_slob_cache_object(struct kmem_cache *c, u8 *p)
{
	struct slob_cache *s = c->slob;
	u8 *blk = p - c->red_left;
	struct page *page = virt_to_page(blk);

	FUZZ_CHECK(slob_cache_valid_object(c, p), "SLOB-model cache %s returned %p, not its object",
		   c->name, (void *)p);
	FUZZ_CHECK(page && page->priv == (unsigned long)s->heap, "object %p not in heap %s",
		   (void *)p, s->heap->name);
	if (s->big) {
		FUZZ_CHECK(page_type(page) == PGTY_BIGBLOCK && blk == page_address(page) &&
				   page->bigblock_pages == (c->size + PAGE_SIZE - 1) >> PAGE_SHIFT,
			   "SLOB-model cache %s: bigblock object %p, %lu pages", c->name, (void *)p,
			   page->bigblock_pages);
		check_zone(page, page->bigblock_pages, c->allocflags);
	} else {
		check_zone(page, 1, c->allocflags);
		FUZZ_CHECK(page_type(page) == PGTY_SLOB &&
				   ((uintptr_t)blk & (PAGE_SIZE - 1)) + c->size <= PAGE_SIZE,
			   "SLOB-model cache %s: object %p (block of %u bytes) not in one SLOB page",
			   c->name, (void *)p, c->size);
		if (s->heap->mode == SLOB_SEGFIT)
			FUZZ_CHECK(slob_ksize(s->heap, blk) >= c->size, "segfit block %p too small",
				   (void *)blk);
	}
}

static void op_cache_alloc(struct input *in)
{
	u8 b = in8(in), v = in8(in);
	gfp_t gfp = pick_gfp(v) & ~__GFP_ZERO;
	struct cslot *cs = NULL;
	bool zero = v & 0x80;
	struct page *page;
	struct obj *o;
	void *p;

	for (int k = 0; k < MAX_CACHES && !cs; k++)
		if (S.caches[(b + k) % MAX_CACHES].c && !S.caches[(b + k) % MAX_CACHES].orphan)
			cs = &S.caches[(b + k) % MAX_CACHES];
	if (!cs || S.nobjs >= MAX_OBJS)
		return;
	cur_cache = cs->c;
	p = zero ? kmem_cache_zalloc(cs->c, gfp) : (v & 0x40) ? kmem_cache_alloc(cs->c, gfp | __GFP_ZERO)
								: kmem_cache_alloc(cs->c, gfp);
	cur_cache = NULL;
	if (!p)
		return;
	zero = zero || (v & 0x40);
	if (cs->slob)
		check_slob_cache_object(cs->c, p);
	else {
		page = virt_to_page(p);
		FUZZ_CHECK(page && page_type(page) == PGTY_SLAB && virt_to_cache(p) == cs->c,
			   "cache %s returned %p, not its object", cs->c->name, p);
	}
	FUZZ_CHECK(IS_ALIGNED((uintptr_t)p, cs->c->align), "cache %s object %p not aligned to %u",
		   cs->c->name, p, cs->c->align);
	if (zero)
		FUZZ_CHECK(all_zero(p, cs->size), "cache %s zalloc not zero", cs->c->name);
	else if (cs->c->ctor)
		FUZZ_CHECK(constructed(p, cs->size), "cache %s object %p not constructed", cs->c->name,
			   p);
	o = add_obj(K_CACHE, p, cs->size, cs->size);
	o->cache = (int)(cs - S.caches);
	cs->nobjs++;
}

static void free_cache_objs(int slot)
{
	for (int i = S.nobjs - 1; i >= 0; i--)
		if (S.objs[i].kind == K_CACHE && S.objs[i].cache == slot)
			free_obj(i, 0);
}

static void destroy_cache(int slot)
{
	struct cslot *cs = &S.caches[slot];

	free_cache_objs(slot);
	FUZZ_CHECK(cs->nobjs == 0, "cache objects miscounted");
	FUZZ_CHECK(kmem_cache_check(cs->c) == 0, "kmem_cache_check %s", cs->c->name);
	kmem_cache_destroy(cs->c);
	if (S.last.c == cs->c)
		S.last.valid = false;
	memset(cs, 0, sizeof(*cs));
}

/*
 * A cache destroyed with objects out keeps their slabs and its descriptor
 * (docs/kmalloc.md), so that freeing them later stays safe. Once they are
 * freed, the harness takes back what the cache keeps for good (its last free
 * slab, the descriptor) so that the final page count can be exact.
 */
static void reclaim_orphan(int slot)
{
	struct cslot *cs = &S.caches[slot];
	size_t desc_size = sizeof(*cs->c) + (cs->slob ? sizeof(struct slob_cache) : 0);

	free_cache_objs(slot);
	FUZZ_CHECK(cs->nobjs == 0, "orphan cache objects miscounted");
	FUZZ_CHECK(kmem_cache_check(cs->c) == 0, "kmem_cache_check %s (destroyed)", cs->c->name);
	(void)kmem_cache_shrink(cs->c);
	FUZZ_CHECK(cs->c->nr_slabs == 0 && cs->c->free_objects == 0,
		   "destroyed cache %s keeps %lu slabs after its objects were freed", cs->c->name,
		   cs->c->nr_slabs);
	FUZZ_CHECK(!cs->slob || (cs->c->slob->live == 0 && cs->c->slob->hold_count == 0),
		   "destroyed SLOB-model cache %s keeps objects after its objects were freed and a shrink",
		   cs->c->name);
	/* (A SLOB-model cache's state follows its descriptor.) */
	slob_free(meta, cs->c, desc_size);
	slab_meta_bytes -= desc_size;
	if (S.last.c == cs->c)
		S.last.valid = false;
	memset(cs, 0, sizeof(*cs));
}

/* Shrink, destroy, or destroy with the objects still out (orphan). */
static void op_cache_other(struct input *in, u8 op)
{
	u8 b = in8(in);

	for (int k = 0; k < MAX_CACHES; k++) {
		int slot = (b + k) % MAX_CACHES;
		struct cslot *cs = &S.caches[slot];

		if (!cs->c || cs->orphan)
			continue;
		if (!(op & 0x80) && (op & 0x40) && cs->slob) {
			/* A SLOB-model cache has no magazines to tune. */
			FUZZ_CHECK(kmem_cache_tune(cs->c, 1 + b % 130, 1) == -EINVAL &&
					   cs->c->limit == 0,
				   "kmem_cache_tune of SLOB-model cache %s accepted", cs->c->name);
		} else if (!(op & 0x80) && (op & 0x40)) {
			/* Tune: a valid limit and batch (or none); a debug
			 * or failslab cache keeps no magazine whatever. */
			unsigned int limit = b % 4 == 0 ? 0 : 1 + b % 130, batch = limit ? 1 + b % limit : 0;

			FUZZ_CHECK(kmem_cache_tune(cs->c, limit, batch) == 0, "kmem_cache_tune(%u, %u)",
				   limit, batch);
			FUZZ_CHECK(cs->c->limit == ((cs->c->flags & (SLAB_DEBUG_FLAGS | SLAB_FAILSLAB)) ? 0 : limit),
				   "tuned limit %u, cache has %u", limit, cs->c->limit);
			FUZZ_CHECK(kmem_cache_tune(cs->c, limit + 1, limit + 2) == -EINVAL, "bad batch accepted");
		} else if (!(op & 0x80)) {
			(void)kmem_cache_shrink(cs->c);
		} else if ((op & 0x40) && cs->nobjs) {
			kmem_cache_destroy(cs->c);
			cs->orphan = true;
			S.last.valid = false;
		} else {
			destroy_cache(slot);
		}
		return;
	}
}

static void op_slob_alloc(struct input *in)
{
	unsigned int v = in16(in);
	u8 a = in8(in) % 16;
	gfp_t gfp = pick_gfp(in8(in));
	size_t size = v >> 15 ? (v & 0x7fff) % 4200 : 1 + (v & 0x7fff) % 300;
	size_t align = a == 0 ? 0 : a <= 13 ? 1ul << (a - 1) : a == 14 ? 8192 : 48;
	size_t natural = ARCH_KMALLOC_MINALIGN; /* both modes */
	struct page *page;
	void *p;

	if (S.nobjs >= MAX_OBJS)
		return;
	p = slob_alloc(&aux, size, gfp, align);
	if (size == 0 || size > slob_kmalloc_max(&aux) || (align & (align - 1)) || align > PAGE_SIZE) {
		FUZZ_CHECK(p == NULL, "slob_alloc(%zu, align %zu) = %p", size, align, p);
		return;
	}
	if (!p)
		return;
	page = virt_to_page(p);
	FUZZ_CHECK(page && page_type(page) == PGTY_SLOB && page->priv == (unsigned long)&aux,
		   "slob_alloc block %p not in the heap's page", p);
	FUZZ_CHECK(IS_ALIGNED((uintptr_t)p, MAX(align, natural)), "slob_alloc(%zu, align %zu) = %p",
		   size, align, p);
	FUZZ_CHECK(((uintptr_t)p & (PAGE_SIZE - 1)) + size <= PAGE_SIZE, "SLOB block crosses a page");
	if (gfp & __GFP_ZERO)
		FUZZ_CHECK(all_zero(p, size), "slob_alloc __GFP_ZERO not zero");
	add_obj(K_SLOB, p, size, size);
}

/* Change hart; with bit 7 also the host port's keep of big free blocks
 * (bit 6: 8 MiB, else none: each released as it forms) and its fit rule
 * (bit 5: port_fit_lowest, the malloc library's, else the kernel's). */
static void op_cpu(struct input *in)
{
	u8 b = in8(in);

	host_set_cpu(b % S.ncpu);
	if (b & 0x80) {
		port_release_keep = b & 0x40 ? 8 * MiB : 0;
		port_fit_lowest = b & 0x20;
	}
}

static void op_ksize(struct input *in)
{
	int i = pick_obj(in8(in), 1u << K_KMALLOC | 1u << K_CACHE);

	if (i < 0)
		return;
	check_obj(&S.objs[i]);
	if (S.objs[i].kind == K_CACHE && S.caches[S.objs[i].cache].slob)
		return; /* ksize is kmalloc's: not defined for a SLOB-model object */
	if (S.objs[i].kind == K_KMALLOC)
		FUZZ_CHECK(ksize(S.objs[i].p) == S.objs[i].span, "ksize changed");
	else
		FUZZ_CHECK(ksize(S.objs[i].p) == S.objs[i].size, "ksize of a cache object");
	FUZZ_CHECK(ksize(NULL) == 0 && ksize(ZERO_SIZE_PTR) == 0, "ksize(NULL)");
	kfree(NULL);
	kfree(ZERO_SIZE_PTR);
}

/* @op @n times with the same argument bytes (n from the first byte). */
static void burst(struct input *in, void (*op)(struct input *))
{
	unsigned int n = 1 + in8(in) % 32;
	struct input args = *in;

	for (unsigned int k = 0; k < n && S.nobjs < MAX_OBJS; k++) {
		*in = args;
		op(in);
	}
}

static void op_free_many(struct input *in)
{
	unsigned int n = in8(in) % 64, how = in8(in);

	for (unsigned int k = 0; k < n && S.nobjs; k++)
		free_obj((int)((how + k * 7) % (unsigned int)S.nobjs), how + k);
}

static int dummy_global[4];

/* Misuse the allocators promise to report and survive. Returns the report
 * expected (none when the chosen misuse does not apply now). */
static enum expect op_bad(struct input *in)
{
	u8 what = in8(in) % 15, b = in8(in);
	int i;

	switch (what) {
	case 0: /* kfree of a block from alloc_pages */
		if ((i = pick_obj(b, 1u << K_PAGES)) < 0)
			return EXPECT_NONE;
		kfree(S.objs[i].p + (b & 8));
		return EXPECT_REPORT;
	case 1: /* kfree of memory that is not RAM */
		kfree(&dummy_global[1]);
		return EXPECT_REPORT;
	case 2: /* kfree twice */
		if (!S.last.valid || S.last.op != S.ops - 1 || S.last.kind != K_KMALLOC ||
		    !S.last.detectable)
			return EXPECT_NONE;
		kfree(S.last.p);
		return EXPECT_REPORT;
	case 3: /* pages freed twice */
		if (!S.last.valid || S.last.op != S.ops - 1 || S.last.kind != K_PAGES)
			return EXPECT_NONE;
		__free_pages(S.last.page, S.last.order);
		return EXPECT_REPORT;
	case 4: { /* pages freed with another order */
		unsigned int order;

		if ((i = pick_obj(b, 1u << K_PAGES)) < 0)
			return EXPECT_NONE;
		order = (S.objs[i].order + 1 + b % 10) % MAX_ORDER;
		__free_pages(S.objs[i].page, order);
		FUZZ_CHECK(page_count(S.objs[i].page) == 1, "a bad free changed the block");
		return EXPECT_REPORT;
	}
	case 5: /* free_pages of an address that is not a page */
		if ((i = pick_obj(b, 1u << K_PAGES)) < 0 || (b & 1)) {
			free_pages((unsigned long)&dummy_global[0], 0);
			return EXPECT_REPORT;
		}
		free_pages((unsigned long)S.objs[i].p + 8, S.objs[i].order);
		return EXPECT_REPORT;
	case 6: /* kmem_cache_free of a pointer inside a debug cache's object */
		if ((i = pick_obj(b, 1u << K_CACHE)) < 0 ||
		    !((S.caches[S.objs[i].cache].c->flags & SLAB_DEBUG_FLAGS) ||
		      S.caches[S.objs[i].cache].orphan || S.caches[S.objs[i].cache].slob))
			return EXPECT_NONE;
		/* (A SLOB-model cache checks every free: off its alignment.) */
		kmem_cache_free(S.caches[S.objs[i].cache].c, S.objs[i].p + 1);
		return EXPECT_REPORT;
	case 7: { /* a write into a red zone, then the free */
		struct cslot *cs;
		u8 *p;

		if ((i = pick_obj(b, 1u << K_CACHE)) < 0)
			return EXPECT_NONE;
		cs = &S.caches[S.objs[i].cache];
		if (!(cs->c->flags & SLAB_RED_ZONE))
			return EXPECT_NONE;
		p = S.objs[i].p;
		if (b & 1)
			p[-1] ^= 0x5a;
		else
			p[cs->size] ^= 0x5a;
		free_obj(i, 0);
		return EXPECT_REPORT;
	}
	case 8: /* kmem_cache_free twice in a row (any cache) */
		if (!S.last.valid || S.last.op != S.ops - 1 || S.last.kind != K_CACHE ||
		    !S.last.detectable)
			return EXPECT_NONE;
		kmem_cache_free(S.last.c, S.last.p);
		return EXPECT_REPORT;
	case 9: /* kfree inside a bigblock */
		for (int k = 0; k < S.nobjs; k++) {
			i = (b + k) % S.nobjs;
			if (S.objs[i].kind == K_KMALLOC &&
			    page_type(virt_to_page(S.objs[i].p)) == PGTY_BIGBLOCK) {
				kfree(S.objs[i].p + 8 * (1 + b % 64));
				return EXPECT_REPORT;
			}
		}
		return EXPECT_NONE;
	case 11: /* krealloc and ksize of a block from alloc_pages */
		if ((i = pick_obj(b, 1u << K_PAGES)) < 0)
			return EXPECT_NONE;
		FUZZ_CHECK(ksize(S.objs[i].p) == 0, "ksize of a block from alloc_pages");
		FUZZ_CHECK(krealloc(S.objs[i].p, 64, GFP_KERNEL) == NULL,
			   "krealloc of a block from alloc_pages");
		return EXPECT_REPORT;
	case 12: { /* __free_pages of a tail page */
		struct obj *o;

		for (int k = 0; k < S.nobjs; k++) {
			o = &S.objs[(b + k) % S.nobjs];
			if (o->kind == K_PAGES && o->order > 0) {
				__free_pages(o->page + 1 + b % ((1u << o->order) - 1), 0);
				return EXPECT_REPORT;
			}
		}
		return EXPECT_NONE;
	}
	case 13: /* __free_pages of a reserved page (the struct pages at the top of RAM) */
		for (unsigned long pfn = mem_node->node_end_pfn; pfn-- > mem_node->node_start_pfn;) {
			if (pfn_valid(pfn) && PageReserved(pfn_to_page(pfn))) {
				__free_pages(pfn_to_page(pfn), 0);
				return EXPECT_REPORT;
			}
		}
		FUZZ_CHECK(false, "no reserved page at the top of RAM");
		return EXPECT_NONE;
	case 14: /* slob_free twice (segfit: its header says the block is free) */
		if (!S.last.valid || S.last.op != S.ops - 1 || S.last.kind != K_SLOB ||
		    aux.mode != SLOB_SEGFIT)
			return EXPECT_NONE;
		slob_free(&aux, S.last.p, S.last.order);
		return EXPECT_AUX;
	default: /* kfree inside a classic SLOB block (segfit's 11-bit cookie
		  * could match by chance: not tried there) */
		for (int k = 0; k < S.nobjs; k++) {
			struct page *page;

			i = (b + k) % S.nobjs;
			if (S.objs[i].kind != K_KMALLOC || S.objs[i].span < 32)
				continue;
			page = virt_to_page(S.objs[i].p);
			if (page_type(page) == PGTY_SLOB &&
			    ((struct slob_heap *)page->priv)->mode == SLOB_CLASSIC) {
				kfree(S.objs[i].p + 16);
				return EXPECT_REPORT;
			}
		}
		return EXPECT_NONE;
	}
}

/* ---- one input ------------------------------------------------------------ */

static void setup(u8 config)
{
	static const unsigned long debug[4] = {
		0, SLAB_CONSISTENCY_CHECKS, SLAB_RED_ZONE | SLAB_POISON, SLAB_DEBUG_FLAGS,
	};
	const struct layout *lay = &layouts[config & 3];
	struct fakeram *fr;
	int err;

	memset(&S, 0, sizeof(S));
	port_release_keep = 0;
	port_fit_lowest = false;
	S.lay = lay;
	S.ncpu = 1 + (config >> 6);
	fr = fakeram_new(lay->base, lay->span);
	FUZZ_CHECK(fr != NULL, "no fake RAM");
	for (int i = 0; i < 2; i++)
		if (lay->ram[i][1])
			FUZZ_CHECK(memblock_add(&fr->mb, lay->ram[i][0], lay->ram[i][1]) == 0, "memblock_add");
	if (lay->resv[1])
		FUZZ_CHECK(memblock_reserve(&fr->mb, lay->resv[0], lay->resv[1]) == 0, "memblock_reserve");
	err = fakeram_node_init(fr, &lay->lim);
	FUZZ_CHECK(err == 0, "node_init: %d", err);
	S.fr = fr;

	FUZZ_CHECK(slab_pages == 0 && slab_meta_bytes == 0, "slab memory left from an earlier input");
	memset(kmalloc_caches, 0, sizeof(kmalloc_caches));
	slab_debug_flags = debug[config >> 4 & 3];
	slab_debug_cache[0] = '\0';
	kmalloc_set_backend(config & 8 ? KMALLOC_SLOB : KMALLOC_SLAB);
	kmalloc_init();
	if (config & 4)
		slob_heap_init(&kmalloc_heap, "kmalloc", SLOB_CLASSIC);
	slob_heap_init(&aux, "fuzz-aux", config & 4 ? SLOB_SEGFIT : SLOB_CLASSIC);
	/* Kept bigblocks (mm/slob.c): always on the second heap, on kmalloc's
	 * when it starts on SLOB (the malloc library's setting). */
	aux.big_keep_max = 32;
	kmalloc_heap.big_keep_max = config & 8 ? 32 : 0;

	S.managed = fuzz_free_blocks(S.nr_free0);
	S.free0 = S.managed;

	/* The slab metadata heap is static in mm/slab.c: find it through a
	 * cache descriptor's page (teardown empties it). */
	{
		struct kmem_cache *probe = kmem_cache_create("fuzz-probe", 8, 0, 0, NULL);
		struct page *page;

		FUZZ_CHECK(probe != NULL, "kmem_cache_create on an empty node");
		page = virt_to_page(probe);
		FUZZ_CHECK(page && page_type(page) == PGTY_SLOB, "cache descriptor not in a SLOB page");
		meta = (struct slob_heap *)page->priv;
		kmem_cache_destroy(probe);
	}
	check_all(false);
}

/* Free everything; the page allocator must be back where it started. */
static void teardown(void)
{
	struct counters before;

	snap(&before);
	host_set_cpu(0);
	check_all(true);
	while (S.nobjs)
		free_obj(S.nobjs - 1, (unsigned int)S.nobjs);
	for (int i = 0; i < MAX_CACHES; i++)
		if (S.caches[i].orphan)
			reclaim_orphan(i);
		else if (S.caches[i].c)
			destroy_cache(i);
	for (int i = 0; i < KMALLOC_NR_CACHES; i++) {
		if (kmalloc_caches[i]) {
			FUZZ_CHECK(kmem_cache_check(kmalloc_caches[i]) == 0, "kmem_cache_check %s",
				   kmalloc_caches[i]->name);
			kmalloc_destroy_cache(i);
		}
	}
	check_reports(&before, EXPECT_NONE);
	FUZZ_CHECK(slab_pages == 0 && slab_meta_bytes == 0,
		   "slab memory left after every cache was destroyed: %lu pages, %lu bytes", slab_pages,
		   slab_meta_bytes);
	FUZZ_CHECK(slob_check(&kmalloc_heap) == 0 && slob_check(&aux) == 0, "slob_check");
	FUZZ_CHECK(slob_heap_destroy(&kmalloc_heap) == 0, "kmalloc heap pages still busy");
	FUZZ_CHECK(slob_heap_destroy(&aux) == 0, "second heap pages still busy");
	for (int zt = 0; zt < KMALLOC_NR_ZONE_TYPES; zt++) {
		struct slob_heap *zh = kmalloc_zone_heap_of(zt);

		FUZZ_CHECK(!zh || (slob_check(zh) == 0 && slob_heap_destroy(zh) == 0 &&
				   zh->nr_pages == 0 && zh->big_pages == 0),
			   "zone heap %s busy at the end", zh->name);
	}
	FUZZ_CHECK(kmalloc_heap.nr_pages == 0 && kmalloc_heap.big_pages == 0 && aux.nr_pages == 0 &&
			   aux.big_pages == 0,
		   "SLOB heaps hold pages after destroy");
	FUZZ_CHECK(slob_check(meta) == 0, "slob_check slab metadata heap");
	FUZZ_CHECK(slob_heap_destroy(meta) == 0, "slab metadata heap busy with no cache left");
	FUZZ_CHECK(meta_pages() == 0, "slab metadata heap holds %lu pages", meta_pages());
	fuzz_check_node_restored(S.free0, S.nr_free0);
	fakeram_done(S.fr);
	S.fr = NULL;
}

static const char *const op_names[20] = {
	"alloc_pages", "alloc_pages x n", "free pages", "get_page/put_page", "kmalloc", "kmalloc x n",
	"kfree", "krealloc", "kmalloc_backend", "kmem_cache_create", "kmem_cache_alloc",
	"kmem_cache_alloc x n", "kmem_cache_free", "kmem_cache_shrink/destroy", "hart",
	"slob_alloc", "slob_free", "ksize/drain", "free several", "misuse",
};

/* FUZZ_TRACE=1: each operation, its bytes and the state after it, on stderr. */
static void trace(u8 op, const u8 *from, const struct input *in, int expected)
{
	static int on = -1;

	if (on < 0) {
		const char *v = getenv("FUZZ_TRACE");

		on = v && *v && strcmp(v, "0") != 0;
	}
	if (!on)
		return;
	fprintf(stderr, "op %3d: %-26s", S.ops, op_names[op % 20]);
	for (const u8 *p = from; p < in->p; p++)
		fprintf(stderr, " %02x", *p);
	fprintf(stderr, "%*s-> %d objects, %lu pages free, cpu %u%s\n",
		(int)(3 * (6 - (in->p - from))), "", S.nobjs, nr_free_pages(), this_cpu(),
		expected ? ", 1 report expected" : "");
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct input in = { data, size };
	unsigned long ctor0 = ctor_calls, dtor0 = dtor_calls;

	fuzz_quiet();
	fuzz_log_reset();
	setup(in8(&in));
	while (in.n && S.ops < MAX_OPS) {
		const u8 *from = in.p;
		struct counters before;
		enum expect expected = EXPECT_NONE;
		u8 op = in8(&in);

		snap(&before);
		S.ops++;
		switch (op % 20) {
		case 0: op_alloc_pages(&in); break;
		case 1: burst(&in, op_alloc_pages); break;
		case 2: op_free(&in, 1u << K_PAGES | 1u << K_RUN); break;
		case 3: op_page_ref(&in); break;
		case 4: op_kmalloc(&in); break;
		case 5: burst(&in, op_kmalloc); break;
		case 6: op_free(&in, 1u << K_KMALLOC); break;
		case 7: op_krealloc(&in); break;
		case 8: op_backend(&in); break;
		case 9: op_cache_create(&in); break;
		case 10: op_cache_alloc(&in); break;
		case 11: burst(&in, op_cache_alloc); break;
		case 12: op_free(&in, 1u << K_CACHE); break;
		case 13: op_cache_other(&in, op); break; /* shrink or destroy */
		case 14: op_cpu(&in); break;
		case 15: op_slob_alloc(&in); break;
		case 16: op_free(&in, 1u << K_SLOB); break;
		case 17:
			if (op & 0x80)
				node_drain_pages(mem_node);
			else if (op & 0x40)
				(void)run_shrinkers(GFP_KERNEL);
			else
				op_ksize(&in);
			break;
		case 18: op_free_many(&in); break;
		default: expected = op_bad(&in); break;
		}
		trace(op, from, &in, expected);
		check_reports(&before, expected);
		check_all(S.ops % PATTERN_EVERY == 0);
	}
	teardown();
	FUZZ_CHECK(ctor_calls - ctor0 == dtor_calls - dtor0,
		   "%lu constructor calls, %lu destructor calls", ctor_calls - ctor0,
		   dtor_calls - dtor0);
	return 0;
}
