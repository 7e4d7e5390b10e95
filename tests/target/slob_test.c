/*
 * slob_test.c - kmalloc and SLOB on the running kernel (suite "kmalloc").
 *
 * Cases use the kernel's kmalloc_heap (in whatever mode slob= chose) and
 * private heaps of both modes. A private heap starts empty, so its numbers
 * can be written down by hand; every case that builds one ends by proving
 * it gave every page back (slob_heap_destroy finds no busy page) and the
 * page allocator's free count is exactly what it was. The kernel heap may
 * hold objects and one kept empty page from before a case; its cases check
 * that what they allocated went back (pages held by the heap plus free
 * pages unchanged, the same number of non-empty pages).
 *
 * The all-harts case runs random kmalloc/kfree of mixed sizes on every hart
 * at once, each block filled with a pattern derived from its hart and
 * address and checked before it is freed: a block handed to two harts, or
 * overlapping another, shows up as a foreign pattern.
 *
 * Bad frees are checked through kfree_errors, the heap's nr_bad_frees and
 * the console (captured): each must be reported once with its address and
 * change nothing.
 */
#include <boot/boot.h>
#include <drivers/console.h>
#include <boot/hart.h>
#include <mm/kmalloc.h>
#include <mm/meminit.h>
#include <lib/kstring.h>
#include <tests/ktest.h>
#include "../common/meminfo_text.h"
#include "ram_floor.h"
#include <mm/mm_report.h>
#include <mm/mmzone.h>
#include <mm/page_owner.h>
#include <shell/shell.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include "../common/pattern.h"

#define SEG_PAGE_BYTES 4080ul /* a segfit page's blocks, headers included */
#define SEG_HDR_BYTES 4ul

static char out[4096], out2[4096];
static struct slob_heap ph; /* private heap of a case */
static const enum slob_mode modes[] = { SLOB_SEGFIT, SLOB_CLASSIC };

static const char *mode_name(enum slob_mode m)
{
	return m == SLOB_SEGFIT ? "segfit" : "classic";
}

static size_t natural_align(enum slob_mode m)
{
	(void)m;
	return ARCH_KMALLOC_MINALIGN; /* both modes */
}

static size_t small_max(enum slob_mode m)
{
	return m == SLOB_SEGFIT ? 4076 : 4080;
}

/* A kmalloc of @size on a heap of @m is a bigblock: above a SLOB block
 * (segfit's 2048 is half a size page). */
static bool is_big_size(enum slob_mode m, size_t size)
{
	return size > small_max(m);
}

/* Bytes in front of a kmalloc'ed small block, given its ksize: none for
 * an object of a segfit size page (a power of two up to 2048: a segfit
 * block's ksize is 16n - 4, never one). */
static size_t kmalloc_hdr(enum slob_mode m, size_t ks)
{
	if (m == SLOB_SEGFIT && ks <= 2048 && !(ks & (ks - 1)))
		return 0;
	return m == SLOB_SEGFIT ? 4 : 16;
}

/* kmalloc on the kernel heap (kmalloc() itself unless kmalloc=slab). */
static void *kheap_alloc(size_t n, gfp_t gfp)
{
	return kmalloc_backend == KMALLOC_SLOB ? kmalloc(n, gfp) : heap_kmalloc(&kmalloc_heap, n, gfp);
}

static bool aligned(const void *p, size_t a)
{
	return ((uintptr_t)p & (a - 1)) == 0;
}

static unsigned long free_pages_drained(void)
{
	node_drain_pages(mem_node);
	return nr_free_pages();
}

static bool stats_eq(const struct slob_stats *a, const struct slob_stats *b)
{
	return a->pages == b->pages && a->free_bytes == b->free_bytes &&
	       a->free_blocks == b->free_blocks && a->largest_free == b->largest_free &&
	       a->big_blocks == b->big_blocks && a->big_pages == b->big_pages &&
	       a->peak_pages == b->peak_pages && a->used_bytes == b->used_bytes &&
	       a->fragmentation_pct == b->fragmentation_pct;
}

static unsigned long accounted_bytes(enum slob_mode m, const struct slob_stats *st)
{
	/* a segfit block has a header; a size page's object has none */
	return m == SLOB_SEGFIT ? st->free_bytes + SEG_HDR_BYTES * (st->free_blocks - st->size_free_blocks) +
					  st->used_bytes
				: st->free_bytes + st->used_bytes;
}

/* What the heap's pages hold: a segfit page SEG_PAGE_BYTES of blocks, a size
 * page its objects. */
static unsigned long page_bytes(enum slob_mode m, const struct slob_stats *st)
{
	return m == SLOB_SEGFIT ? (st->pages - st->size_pages) * SEG_PAGE_BYTES + st->size_page_bytes
				: st->pages * PAGE_SIZE;
}

/* ---- private heaps --------------------------------------------------------- */

struct heap_case {
	unsigned long free0, kerr0, bad_expected, kerr_expected;
};

static void heap_begin(struct heap_case *c, enum slob_mode mode)
{
	slob_heap_init(&ph, mode_name(mode), mode);
	c->free0 = free_pages_drained();
	c->kerr0 = kfree_errors;
	c->bad_expected = c->kerr_expected = 0;
}

/* The private heap holds nothing and gave every page back. */
static void heap_end(struct ktest *t, struct heap_case *c)
{
	EXPECT_EQ(slob_check(&ph), 0);
	EXPECT_EQ(ph.nr_bad_frees, c->bad_expected);
	EXPECT_EQ(kfree_errors - c->kerr0, c->kerr_expected);
	EXPECT_EQ(ph.used_bytes, 0);
	EXPECT_EQ(slob_heap_destroy(&ph), 0);
	EXPECT_EQ(ph.nr_pages, 0);
	EXPECT_EQ(ph.big_pages, 0);
	EXPECT_EQ(ph.big_blocks, 0);
	EXPECT_EQ(free_pages_drained(), c->free0);
}

/* ---- the kernel heap: what a case took went back ------------------------------- */

struct kheap_snap {
	unsigned long free, pages, nonempty, big_pages, big_blocks, used, kerr, bad;
};

static void kheap_snap(struct kheap_snap *s)
{
	/* Pages the slab caches took (kmalloc=slab routes kzalloc there)
	 * count as free here: this suite follows the SLOB heap. */
	s->free = free_pages_drained() + slab_held_pages();
	s->pages = kmalloc_heap.nr_pages;
	/* the kept wholly free segfit page, the kept empty size page and the
	 * size pages only idle quarters hold */
	s->nonempty = kmalloc_heap.nr_pages - slob_reuse_pages(&kmalloc_heap);
	s->big_pages = kmalloc_heap.big_pages;
	s->big_blocks = kmalloc_heap.big_blocks;
	s->used = kmalloc_heap.used_bytes;
	s->kerr = kfree_errors;
	s->bad = kmalloc_heap.nr_bad_frees;
}

static void expect_kheap_restored(struct ktest *t, const struct kheap_snap *a,
				  unsigned long kerr_expected, unsigned long bad_expected)
{
	struct kheap_snap b;

	kheap_snap(&b);
	EXPECT_EQ(slob_check(&kmalloc_heap), 0);
	EXPECT_EQ(b.used, a->used);
	EXPECT_EQ(b.big_pages, a->big_pages);
	EXPECT_EQ(b.big_blocks, a->big_blocks);
	EXPECT_EQ(b.nonempty, a->nonempty);
	EXPECT(kmalloc_heap.nr_empty <= kmalloc_heap.keep_empty);
	/* Every page is either free or still the heap's (a kept empty one). */
	EXPECT_EQ(b.free + b.pages + b.big_pages, a->free + a->pages + a->big_pages);
	EXPECT_EQ(b.kerr - a->kerr, kerr_expected);
	EXPECT_EQ(b.bad - a->bad, bad_expected);
	EXPECT_EQ(node_check(mem_node), 0);
}

/* ---- edge cases ---------------------------------------------------------------- */

static void zero_size_null_and_limits(struct ktest *t)
{
	struct kheap_snap s;
	unsigned long kerr = kfree_errors;
	size_t n;
	void *p;

	kheap_snap(&s);
	EXPECT(kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);
	EXPECT(kzalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);
	EXPECT(heap_kmalloc(&kmalloc_heap, 0, GFP_KERNEL) == ZERO_SIZE_PTR);
	console_capture_begin(out, sizeof(out));
	kfree(NULL);
	kfree(ZERO_SIZE_PTR);
	n = console_capture_end();
	EXPECT_EQ(n, 0);
	EXPECT_EQ(kfree_errors, kerr);
	EXPECT_EQ(ksize(NULL), 0);
	EXPECT_EQ(ksize(ZERO_SIZE_PTR), 0);
	EXPECT(kcalloc(SIZE_MAX / 2 + 1, 2, GFP_KERNEL) == NULL);
	EXPECT(kcalloc(2, SIZE_MAX / 2 + 1, GFP_KERNEL) == NULL);
	EXPECT(kcalloc(0, 8, GFP_KERNEL) == ZERO_SIZE_PTR);
	EXPECT(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL) == NULL);
	EXPECT(kmalloc(SIZE_MAX, GFP_KERNEL) == NULL);
	EXPECT(krealloc(NULL, KMALLOC_MAX_SIZE + 1, GFP_KERNEL) == NULL);
	EXPECT_EQ(kmalloc_heap.big_pages, s.big_pages);

	p = kmalloc(KMALLOC_MAX_SIZE, GFP_KERNEL | __GFP_NOWARN);
	if (p) { /* 4 MiB in one block: there is one at boot from 24 MiB of RAM up */
		EXPECT(aligned(p, PAGE_SIZE));
		EXPECT_EQ(ksize(p), KMALLOC_MAX_SIZE);
		EXPECT_EQ(kmalloc_heap.big_pages, s.big_pages + KMALLOC_MAX_SIZE / PAGE_SIZE);
		/* The heap gave back the pages it kept idle first (mm/slob.c). */
		EXPECT_EQ(kmalloc_heap.nr_empty, 0);
		EXPECT(kmalloc_heap.sp_kept == NULL);
		EXPECT_EQ(slob_reuse_pages(&kmalloc_heap), 0);
		EXPECT_EQ(kmalloc_heap.nr_pages, s.nonempty);
		EXPECT_EQ(free_pages_drained() + slab_held_pages(),
			  s.free - KMALLOC_MAX_SIZE / PAGE_SIZE + (s.pages - kmalloc_heap.nr_pages));
		kfree(p);
	} else if (ktest_managed_mib() >= 24) { /* (smaller boards may have no 4 MiB block) */
		ktest_fail(t, __FILE__, __LINE__, "kmalloc(KMALLOC_MAX_SIZE) failed");
	}
	/* The SLOB/bigblock boundary on the kernel heap. */
	n = small_max(kmalloc_heap.mode);
	EXPECT_EQ(slob_kmalloc_max(&kmalloc_heap), n);
	p = heap_kmalloc(&kmalloc_heap, n, GFP_KERNEL);
	ASSERT(p != NULL);
	EXPECT(!aligned(p, PAGE_SIZE) && aligned(p, natural_align(kmalloc_heap.mode)));
	EXPECT_EQ(ksize(p), n);
	kfree(p);
	p = heap_kmalloc(&kmalloc_heap, n + 1, GFP_KERNEL);
	ASSERT(p != NULL);
	EXPECT(aligned(p, PAGE_SIZE));
	EXPECT_EQ(ksize(p), PAGE_SIZE);
	kfree(p);
	n = free_pages_drained();
	p = heap_kmalloc(&kmalloc_heap, 8193, GFP_KERNEL);
	ASSERT(p != NULL);
	EXPECT(aligned(p, PAGE_SIZE));
	EXPECT_EQ(ksize(p), 3 * PAGE_SIZE); /* exact pages: 3, not 4 */
	EXPECT_EQ(kmalloc_heap.big_pages, s.big_pages + 3);
	EXPECT_EQ(free_pages_drained(), n - 3);
	kfree(p);
	expect_kheap_restored(t, &s, 0, 0);
}

/* kzalloc, kcalloc and __GFP_ZERO clear memory that was dirty. */
static void zeroed_memory(struct ktest *t)
{
	static const size_t sizes[] = { 1, 24, 100, 1000, 4000, 4096, 9000, 16384 };
	struct kheap_snap s;
	int reused = 0;

	kheap_snap(&s);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t n = sizes[i];
		u8 *p = kheap_alloc(n, GFP_KERNEL), *q, *c;

		ASSERT(p != NULL);
		memset(p, 0xa5, ksize(p));
		kfree(p);
		q = kzalloc(n, GFP_KERNEL);
		ASSERT(q != NULL);
		reused += q == p;
		if (!bytes_all(q, 0, n))
			ktest_fail(t, __FILE__, __LINE__, "kzalloc(%zu) not zeroed", (size_t)n);
		memset(q, 0xa5, n);
		kfree(q);
		c = kcalloc(1, n, GFP_KERNEL);
		ASSERT(c != NULL);
		reused += c == q;
		if (!bytes_all(c, 0, n))
			ktest_fail(t, __FILE__, __LINE__, "kcalloc(1, %zu) not zeroed", (size_t)n);
		kfree(c);
	}
	/* The test saw dirty memory come back (most sizes reuse the block; not
	 * the bigblock of 9000 bytes, whose 3 exact pages go back as an order-1
	 * block and a page, so a new one is cut elsewhere). */
	EXPECT(reused >= (int)ARRAY_SIZE(sizes) - 1);

	/* Private heaps: the same block comes back, zeroed. */
	for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
		struct heap_case hc;

		heap_begin(&hc, modes[m]);
		for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
			size_t n = sizes[i];
			u8 *p = heap_kmalloc(&ph, n, GFP_KERNEL), *q;

			ASSERT(p != NULL);
			memset(p, 0x5a, ksize(p));
			kfree(p);
			q = heap_kmalloc(&ph, n, GFP_KERNEL | __GFP_ZERO);
			ASSERT(q != NULL);
			EXPECT(q == p || n > PAGE_SIZE); /* the dirty block itself */
			if (!bytes_all(q, 0, n))
				ktest_fail(t, __FILE__, __LINE__, "%s: __GFP_ZERO %zu not zeroed",
					   mode_name(modes[m]), (size_t)n);
			kfree(q);
			if (n <= 1000) {
				p = slob_alloc(&ph, n, GFP_KERNEL, 64);
				ASSERT(p != NULL);
				memset(p, 0x5a, n);
				slob_free(&ph, p, n);
				q = slob_alloc(&ph, n, GFP_KERNEL | __GFP_ZERO, 64);
				ASSERT(q != NULL);
				EXPECT(q == p && bytes_all(q, 0, n));
				slob_free(&ph, q, n);
			}
		}
		heap_end(t, &hc);
	}
	expect_kheap_restored(t, &s, 0, 0);
}

/*
 * Linux's helpers: kmalloc_array, krealloc_array, kmemdup, kstrdup,
 * kstrndup and kfree_sensitive, on whatever backend the boot chose. An
 * overflowing count is NULL and leaves a reallocated block as it was;
 * kfree_sensitive clears a block it is given (seen when the same block
 * comes back at once, on plain slab caches), and never writes through a
 * pointer that is no block handed out: inside a block, or freed already,
 * kfree gets it untouched and reports it.
 */
static void linux_helpers(struct ktest *t)
{
	static char text[] = "a kernel string";
	unsigned long kerr = kfree_errors, serr = slab_errors;
	u8 *p, *q;
	char *s;

	EXPECT(kmalloc_array(SIZE_MAX / 2 + 1, 2, GFP_KERNEL) == NULL);
	p = kmalloc_array(3, 100, GFP_KERNEL);
	ASSERT(p != NULL);
	EXPECT(ksize(p) >= 300);
	pattern_fill(p, 7, 0, 300);
	EXPECT(krealloc_array(p, SIZE_MAX / 4 + 1, 8, GFP_KERNEL) == NULL);
	EXPECT_EQ(pattern_first_bad(p, 7, 300), -1);
	q = krealloc_array(p, 30, 100, GFP_KERNEL);
	ASSERT(q != NULL);
	EXPECT(ksize(q) >= 3000);
	EXPECT_EQ(pattern_first_bad(q, 7, 300), -1);

	p = kmemdup(q, 3000, GFP_KERNEL);
	ASSERT(p != NULL);
	EXPECT(p != q && memcmp(p, q, 3000) == 0);
	kfree(q);
	kfree(p);
	EXPECT(kmemdup(text, 0, GFP_KERNEL) == ZERO_SIZE_PTR);

	s = kstrdup(text, GFP_KERNEL);
	ASSERT(s != NULL);
	EXPECT_STREQ(s, text);
	EXPECT(s != text);
	kfree(s);
	EXPECT(kstrdup(NULL, GFP_KERNEL) == NULL);
	s = kstrndup(text, 8, GFP_KERNEL);
	ASSERT(s != NULL);
	EXPECT_STREQ(s, "a kernel");
	kfree(s);
	s = kstrndup(text, 100, GFP_KERNEL);
	ASSERT(s != NULL);
	EXPECT_STREQ(s, text);
	kfree(s);
	EXPECT(kstrndup(NULL, 4, GFP_KERNEL) == NULL);
	/* A zone in the gfp holds (on 8 GiB the default zone is above 4 GiB). */
	p = kmemdup(text, sizeof(text), GFP_KERNEL | GFP_DMA32);
	s = kstrdup(text, GFP_KERNEL | GFP_DMA32);
	ASSERT(p != NULL && s != NULL);
	EXPECT(virt_to_phys(p) + sizeof(text) <= 1ull << 32);
	EXPECT(virt_to_phys(s) + sizeof(text) <= 1ull << 32);
	EXPECT_STREQ(s, text);
	kfree(p);
	kfree(s);

	/* Cleared: on plain slab caches (no debug poison, no KASAN
	 * quarantine, no KFENCE sample) the block is the next one its cache
	 * (the one it came from: kmalloc-192 may have borrowed it) hands out
	 * on this hart, once an object taken first leaves its magazine room. */
	p = kmalloc(192, GFP_KERNEL);
	ASSERT(p != NULL);
	memset(p, 0xaa, 192);
	if (page_type(virt_to_page(p)) == PGTY_SLAB && !KASAN_KERNEL && !kfence_enabled &&
	    !slab_debug_flags) {
		struct kmem_cache *c = virt_to_cache(p);
		unsigned long flags = irq_save();
		u8 *spare;

		ASSERT(c != NULL);
		spare = kmem_cache_alloc(c, GFP_KERNEL);
		kfree_sensitive(p);
		q = kmem_cache_alloc(c, GFP_KERNEL);
		irq_restore(flags);
		ASSERT(spare != NULL && q == p);
		for (size_t i = 0; i < 192; i++)
			if (q[i]) {
				ktest_fail(t, __FILE__, __LINE__, "byte %zu of the block is 0x%x after kfree_sensitive",
					   i, q[i]);
				break;
			}
		kmem_cache_free(c, spare);
	} else {
		kfree_sensitive(p);
		q = kmalloc(192, GFP_KERNEL);
		ASSERT(q != NULL);
	}
	/* Inside a block (on its cache's grid, which kfree's fast path does
	 * not check, docs/kmalloc.md): not written, reported. */
	memset(q, 0x5c, 192);
	console_capture_begin(out, sizeof(out));
	kfree_sensitive(q + 64);
	console_capture_end();
	EXPECT(out[0] != '\0');
	for (size_t i = 0; i < 192; i++)
		if (q[i] != 0x5c) {
			ktest_fail(t, __FILE__, __LINE__, "byte %zu written by kfree_sensitive of a pointer inside",
				   i);
			break;
		}
	kfree(q);
	/* Twice: the second is reported and frees nothing. */
	p = kmalloc(100, GFP_KERNEL);
	ASSERT(p != NULL);
	kfree_sensitive(p);
	console_capture_begin(out, sizeof(out));
	kfree_sensitive(p);
	console_capture_end();
	EXPECT(out[0] != '\0');
	kerr = kfree_errors - kerr;
	serr = slab_errors - serr;
	EXPECT_EQ(kerr + serr, 2);
	kfree_sensitive(NULL);
	kfree_sensitive(ZERO_SIZE_PTR);
}

static void krealloc_semantics(struct ktest *t)
{
	struct kheap_snap s;

	kheap_snap(&s);
	{
		u8 *p = krealloc(NULL, 100, GFP_KERNEL), *q;

		ASSERT(p != NULL && p != ZERO_SIZE_PTR);
		EXPECT(ksize(p) >= 100);
		pattern_fill(p, 1, 0, 100);
		EXPECT(krealloc(p, 60, GFP_KERNEL) == p);
		q = krealloc(p, 3000, GFP_KERNEL);
		ASSERT(q != NULL);
		EXPECT(q != p && ksize(q) >= 3000);
		EXPECT_EQ(pattern_first_bad(q, 1, 100), -1);
		pattern_fill(q, 1, 100, 3000);
		p = krealloc(q, 10000, GFP_KERNEL);
		ASSERT(p != NULL);
		EXPECT(aligned(p, PAGE_SIZE) && ksize(p) == 3 * PAGE_SIZE);
		EXPECT_EQ(pattern_first_bad(p, 1, 3000), -1);
		EXPECT(krealloc(p, 200, GFP_KERNEL) == p);
		EXPECT(krealloc(p, KMALLOC_MAX_SIZE + 1, GFP_KERNEL) == NULL);
		EXPECT_EQ(pattern_first_bad(p, 1, 3000), -1);
		EXPECT(krealloc(p, 0, GFP_KERNEL) == ZERO_SIZE_PTR);
	}
	for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
		struct heap_case hc;
		u8 *p, *q;

		heap_begin(&hc, modes[m]);
		p = heap_kmalloc(&ph, 40, GFP_KERNEL);
		ASSERT(p != NULL);
		pattern_fill(p, 2, 0, 40);
		EXPECT(krealloc(p, ksize(p), GFP_KERNEL) == p);
		q = krealloc(p, 500, GFP_KERNEL);
		ASSERT(q != NULL && q != p);
		EXPECT(virt_to_page(q)->priv == (unsigned long)&ph); /* same heap */
		EXPECT_EQ(pattern_first_bad(q, 2, 40), -1);
		EXPECT_EQ(ph.used_bytes, ksize(q) + kmalloc_hdr(modes[m], ksize(q)));
		EXPECT(krealloc(q, 0, GFP_KERNEL) == ZERO_SIZE_PTR);
		EXPECT_EQ(ph.used_bytes, 0);
		heap_end(t, &hc);
	}
	expect_kheap_restored(t, &s, 0, 0);
}

/* ---- bad frees ----------------------------------------------------------------- */

/*
 * kfree(p) is reported once with p's address, counted in kfree_errors and,
 * when p lies in one of @h's pages, in h->nr_bad_frees; nothing changes.
 */
static bool expect_bad_kfree(struct ktest *t, struct slob_heap *h, const void *p, bool in_heap,
			     int line)
{
	unsigned long kerr = kfree_errors, bad = h->nr_bad_frees, free = free_pages_drained();
	struct slob_stats a, b;
	char addr[32];

	slob_get_stats(h, &a);
	console_capture_begin(out, sizeof(out));
	kfree(p);
	console_capture_end();
	if (kfree_errors != kerr + 1 || h->nr_bad_frees != bad + in_heap) {
		ktest_fail(t, __FILE__, line, "kfree(%p): kfree_errors +%lu, nr_bad_frees +%lu", p,
			   kfree_errors - kerr, h->nr_bad_frees - bad);
		return false; /* taken as a real free: stop before using the heap */
	}
	slob_get_stats(h, &b);
	ksnprintf(addr, sizeof(addr), "%p: ", p);
	if (!strstr(out, addr) || strstr(strstr(out, addr) + 1, addr))
		ktest_fail(t, __FILE__, line, "kfree(%p): console \"%.60s\"", p, out);
	if (!stats_eq(&a, &b) || free_pages_drained() != free)
		ktest_fail(t, __FILE__, line, "kfree(%p) changed the heap", p);
	if (slob_check(h))
		ktest_fail(t, __FILE__, line, "kfree(%p): slob_check fails", p);
	return true;
}
#define EXPECT_BAD_KFREE(h, p, in_heap)                                      \
	do {                                                                 \
		if (!expect_bad_kfree(t, h, p, in_heap, __LINE__))           \
			return;                                              \
		nbad += in_heap;                                             \
		nkerr++;                                                     \
	} while (0)

static int a_global[4];

/* On heap h (private or the kernel's): double frees, with and without
 * merges, inside blocks and bigblocks, foreign memory. */
static void bad_frees_on(struct ktest *t, struct slob_heap *h, unsigned long *kerr_out,
			 unsigned long *bad_out)
{
	unsigned long nbad = 0, nkerr = 0;
	int local[2] = { 7, 8 };
	u8 *o[6], *big, *z;
	struct page *pg;

	*kerr_out = *bad_out = 0;
	for (int i = 0; i < 6; i++) {
		o[i] = heap_kmalloc(h, 40, GFP_KERNEL);
		ASSERT(o[i] != NULL);
		pattern_fill(o[i], 50 + (u32)i, 0, 40);
	}
	kfree(o[1]);
	EXPECT_BAD_KFREE(h, o[1], true);
	kfree(o[2]); /* merges into the free o[1] */
	EXPECT_BAD_KFREE(h, o[2], true);
	EXPECT_BAD_KFREE(h, o[1], true);
	kfree(o[4]);
	kfree(o[3]); /* absorbs o[4] and merges into o[1] */
	EXPECT_BAD_KFREE(h, o[3], true);
	EXPECT_BAD_KFREE(h, o[4], true);
	EXPECT_EQ(ksize(o[2]), 0);
	EXPECT_EQ(ksize(o[3]), 0);

	/* Inside a live block (0x5a everywhere: no header can be read there). */
	memset(o[0], 0x5a, 40);
	EXPECT_BAD_KFREE(h, o[0] + 8, true);
	EXPECT_BAD_KFREE(h, o[0] + 16, true);
	EXPECT_BAD_KFREE(h, o[0] + 3, true);
	EXPECT_EQ(ksize(o[0] + 16), 0);
	EXPECT(bytes_all(o[0], 0x5a, 40));
	EXPECT_EQ(pattern_first_bad(o[5], 55, 40), -1);

	/* Bigblocks: twice, inside, a tail page. */
	big = heap_kmalloc(h, 3 * PAGE_SIZE, GFP_KERNEL);
	z = heap_kmalloc(h, PAGE_SIZE, GFP_KERNEL);
	ASSERT(big && z);
	kfree(z);
	EXPECT_BAD_KFREE(h, z, false);
	EXPECT_BAD_KFREE(h, big + 64, false);
	EXPECT_STREQ(kfree_last_error, "points inside a bigblock, not at its start");
	EXPECT_BAD_KFREE(h, big + 2 * PAGE_SIZE, false);
	EXPECT_EQ(ksize(big + 64), 0);
	kfree(big);
	EXPECT_BAD_KFREE(h, big, false);

	/* Memory kmalloc never returned. */
	pg = alloc_pages(GFP_KERNEL, 0);
	ASSERT(pg != NULL);
	EXPECT_BAD_KFREE(h, local, false);
	EXPECT_BAD_KFREE(h, a_global, false);
	EXPECT_BAD_KFREE(h, _start + 256, false);
	EXPECT_BAD_KFREE(h, page_address(pg), false);
	EXPECT_BAD_KFREE(h, pg, false);
	EXPECT_EQ(page_count(pg), 1);
	EXPECT_EQ(local[0] + local[1], 15);
	__free_pages(pg, 0);

	kfree(o[0]);
	kfree(o[5]);
	*kerr_out = nkerr;
	*bad_out = nbad;
}

static void bad_frees_reported(struct ktest *t)
{
	unsigned long kerr, bad;
	struct kheap_snap s;

	for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
		struct heap_case hc;

		heap_begin(&hc, modes[m]);
		bad_frees_on(t, &ph, &kerr, &bad);
		if (t->failures)
			return; /* the heap may be damaged */
		EXPECT_EQ(bad, 8);
		hc.kerr_expected = kerr;
		hc.bad_expected = bad;
		if (modes[m] == SLOB_SEGFIT) { /* slob_free checks too */
			u8 *a = slob_alloc(&ph, 64, GFP_KERNEL, 0), *b = slob_alloc(&ph, 64, GFP_KERNEL, 0);

			ASSERT(a && b);
			slob_free(&ph, a, 64);
			console_capture_begin(out, sizeof(out));
			slob_free(&ph, a, 64);
			console_capture_end();
			hc.bad_expected++;
			ksnprintf(out2, sizeof(out2), "slob: segfit: %p: ", (void *)a);
			EXPECT(strstr(out, out2) == out);
			slob_free(&ph, b, 64);
		}
		heap_end(t, &hc);
	}
	kheap_snap(&s);
	bad_frees_on(t, &kmalloc_heap, &kerr, &bad);
	if (!t->failures)
		expect_kheap_restored(t, &s, kerr, bad);
}

/* ---- slob_alloc with alignment ----------------------------------------------- */

/*
 * kmalloc's alignment on every backend: kmalloc=slab and kmalloc=slob
 * (the kernel heap, in whatever mode slob= chose) through kmalloc, and
 * private heaps of both SLOB modes through heap_kmalloc. Every size from 1
 * to 512, then every 8th to PAGE_SIZE, twice: ARCH_KMALLOC_MINALIGN always,
 * the size itself for a power of two. Each block replaces the one held
 * ALIGN_HELD allocations before it, and spacers of odd sizes come and go
 * in between, so later blocks come from fragmented free lists and reused
 * blocks (and merged ones) are checked as well as fresh ones.
 */
#define ALIGN_HELD 48
#define ALIGN_SPACERS 16

static void *align_alloc(struct slob_heap *h, size_t n)
{
	return h ? heap_kmalloc(h, n, GFP_KERNEL) : kmalloc(n, GFP_KERNEL);
}

static bool kmalloc_aligned_ok(const void *p, size_t n)
{
	return p && aligned(p, ARCH_KMALLOC_MINALIGN) &&
	       ((n & (n - 1)) || n > PAGE_SIZE || aligned(p, n));
}

/* The sweep on one backend (h NULL: kmalloc); the number of bad blocks. */
static int align_sweep(struct ktest *t, struct slob_heap *h, const char *what)
{
	u8 *held[ALIGN_HELD] = { 0 }, *spacer[ALIGN_SPACERS] = { 0 };
	unsigned int k = 0;
	int bad = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t n = 1; n <= PAGE_SIZE; n += n < 512 ? 1 : 8, k++) {
			u8 *p = align_alloc(h, n);

			if (!kmalloc_aligned_ok(p, n)) {
				if (bad++ < 5)
					ktest_fail(t, __FILE__, __LINE__, "%s: kmalloc(%zu) = %p", what,
						   n, (void *)p);
				if (!p)
					break;
			}
			p[0] = 1;
			p[n - 1] = 2;
			kfree(held[k % ALIGN_HELD]);
			held[k % ALIGN_HELD] = p;
			if (k % 3 == 0) {
				size_t sn = 1 + (k * 37) % 200;

				kfree(spacer[k % ALIGN_SPACERS]);
				spacer[k % ALIGN_SPACERS] = align_alloc(h, sn);
				if (!kmalloc_aligned_ok(spacer[k % ALIGN_SPACERS], sn) && bad++ < 5)
					ktest_fail(t, __FILE__, __LINE__, "%s: spacer kmalloc(%zu)", what,
						   sn);
			}
		}
	}
	for (int i = 0; i < ALIGN_HELD; i++)
		kfree(held[i]);
	for (int i = 0; i < ALIGN_SPACERS; i++)
		kfree(spacer[i]);
	return bad;
}

static void kmalloc_alignment(struct ktest *t)
{
	enum kmalloc_backend saved = kmalloc_backend;
	void *c[5];

	kmalloc_set_backend(KMALLOC_SLAB);
	EXPECT_EQ(align_sweep(t, NULL, "kmalloc=slab"), 0);
	kmalloc_set_backend(KMALLOC_SLOB);
	EXPECT_EQ(align_sweep(t, NULL, "kmalloc=slob"), 0);
	EXPECT_EQ(slob_check(&kmalloc_heap), 0);
	u64 heap = kmalloc_heap_classes;

	/* (kmalloc_heap= may have put kmalloc-16 on the heap: then c[1] has
	 * no cache to name) */
	kmalloc_set_heap_classes(0);
	for (int b = 0; b < 2; b++) {
		/* Sizes known at compile time take kmalloc's inline path. */
		kmalloc_set_backend(b ? KMALLOC_SLOB : KMALLOC_SLAB);
		c[0] = kmalloc(1, GFP_KERNEL);
		c[1] = kmalloc(8, GFP_KERNEL);
		c[2] = kmalloc(64, GFP_KERNEL);
		c[3] = kmalloc(96, GFP_KERNEL);
		c[4] = kmalloc(sizeof(struct { u64 w[32]; }), GFP_KERNEL);
		EXPECT(kmalloc_aligned_ok(c[0], 1) && kmalloc_aligned_ok(c[1], 8) &&
		       kmalloc_aligned_ok(c[2], 64) && kmalloc_aligned_ok(c[3], 96) &&
		       kmalloc_aligned_ok(c[4], 256));
		EXPECT(c[1] != NULL); /* (an injected failure: no cache to name) */
		if (b == 0 && c[1])
			EXPECT_STREQ(virt_to_cache(c[1])->name, "kmalloc-16");
		for (int i = 0; i < 5; i++)
			kfree(c[i]);
	}
	kmalloc_set_heap_classes(heap);
	kmalloc_set_backend(saved);
	for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
		struct heap_case hc;

		heap_begin(&hc, modes[m]);
		EXPECT_EQ(align_sweep(t, &ph, mode_name(modes[m])), 0);
		heap_end(t, &hc);
	}
}

static void aligned_slob_alloc(struct ktest *t)
{
	static const size_t aligns[] = { 16, 64, 256, 1024 };

	for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
		enum slob_mode mode = modes[m];
		struct heap_case hc;
		u8 *first;

		heap_begin(&hc, mode);
		first = slob_alloc(&ph, 16, GFP_KERNEL, 0);
		ASSERT(first != NULL);
		for (size_t i = 0; i < ARRAY_SIZE(aligns); i++) {
			size_t a = aligns[i];
			uintptr_t page = (uintptr_t)first & PAGE_MASK;
			struct slob_stats before, st;
			unsigned long gap, fb, slack = 0;
			u8 *p;

			slob_get_stats(&ph, &before);
			p = slob_alloc(&ph, 100, GFP_KERNEL, a);
			ASSERT(p != NULL);
			EXPECT(aligned(p, a));
			EXPECT_EQ((uintptr_t)p & PAGE_MASK, page);
			pattern_fill(p, 9, 0, 100);
			EXPECT_EQ(pattern_first_bad(p, 9, 100), -1);
			EXPECT_EQ(slob_check(&ph), 0);
			slob_get_stats(&ph, &st);
			/* The skipped bytes are a free block of their own; on
			 * segfit a gap under 32 bytes is slack at the end of
			 * first instead (first's block: header at 12, fb bytes). */
			if (mode == SLOB_SEGFIT) {
				fb = slob_ksize(&ph, first) + 4;
				slack = fb - before.used_bytes;
				gap = (uintptr_t)p - 4 - (page + 12 + fb);
				EXPECT(gap == 0 || gap >= 32);
				EXPECT(slack < 32);
				EXPECT_EQ(st.used_bytes, fb + 112);
				EXPECT_EQ(st.free_bytes, SEG_PAGE_BYTES - fb - 112 - 4 - (gap ? 4 : 0));
			} else {
				gap = (uintptr_t)p - (page + 16);
				EXPECT_EQ(gap, a - 16);
				EXPECT_EQ(st.used_bytes, 16 + 112);
				EXPECT_EQ(st.free_bytes, PAGE_SIZE - 16 - 112);
			}
			EXPECT_EQ(st.free_blocks, 1 + (gap != 0));
			slob_free(&ph, p, 100);
			slob_get_stats(&ph, &st);
			if (slack) { /* first keeps its slack until it is freed */
				before.used_bytes += slack;
				before.free_bytes -= slack;
				before.largest_free -= slack;
				before.fragmentation_pct = st.fragmentation_pct;
			}
			EXPECT(stats_eq(&st, &before));
		}
		/* Every size at 16 and 1024: aligned, accounted, freed back. */
		for (size_t ai = 0; ai < 2; ai++) {
			size_t a = ai ? 1024 : 16;

			for (size_t n = 1; n + a + 64 <= SEG_PAGE_BYTES + 64; n += n < 2900 ? 13 : 1) {
				struct slob_stats before, st;
				u8 *p;

				slob_get_stats(&ph, &before);
				p = slob_alloc(&ph, n, GFP_KERNEL, a);
				if (!p) {
					if (n + a + 64 <= SEG_PAGE_BYTES - 16)
						ktest_fail(t, __FILE__, __LINE__, "%s: slob_alloc(%zu, %zu) failed",
							   mode_name(mode), (size_t)n, (size_t)a);
					continue;
				}
				p[0] = p[n - 1] = 1;
				slob_get_stats(&ph, &st);
				if (!aligned(p, a) || slob_check(&ph) ||
				    accounted_bytes(mode, &st) != page_bytes(mode, &st)) {
					ktest_fail(t, __FILE__, __LINE__, "%s: slob_alloc(%zu, %zu) = %p wrong",
						   mode_name(mode), (size_t)n, (size_t)a, p);
					break;
				}
				slob_free(&ph, p, n);
				slob_get_stats(&ph, &st);
				before.peak_pages = st.peak_pages;
				if (mode == SLOB_SEGFIT && st.pages == before.pages + 1 && ph.nr_empty == 1 &&
				    st.free_bytes == before.free_bytes + SEG_PAGE_BYTES - SEG_HDR_BYTES)
					before = st; /* the page it took is kept */
				if (slob_check(&ph) || !stats_eq(&st, &before)) {
					ktest_fail(t, __FILE__, __LINE__, "%s: slob_free(%zu, %zu) left a change",
						   mode_name(mode), (size_t)n, (size_t)a);
					break;
				}
			}
		}
		slob_free(&ph, first, 16);
		heap_end(t, &hc);
	}
}

/* ---- page return ---------------------------------------------------------------- */

static void pages_go_back(struct ktest *t)
{
	for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
		bool seg = modes[m] == SLOB_SEGFIT;
		size_t max = small_max(modes[m]);
		struct heap_case hc;
		u8 *o[128];
		uintptr_t pg[2] = { 0, 0 };
		int n = 0, per = 0;

		heap_begin(&hc, modes[m]);
		for (int i = 0; i < 3; i++) {
			o[i] = heap_kmalloc(&ph, max, GFP_KERNEL);
			ASSERT(o[i] != NULL);
		}
		EXPECT_EQ(ph.nr_pages, 3);
		EXPECT_EQ(free_pages_drained(), hc.free0 - 3);
		for (int i = 0; i < 3; i++) {
			kfree(o[i]);
			/* segfit keeps one wholly free page, classic none */
			EXPECT_EQ(ph.nr_pages, seg ? (i == 0 ? 3u : 3u - i) : 2u - i);
			EXPECT_EQ(free_pages_drained(), hc.free0 - ph.nr_pages);
		}
		EXPECT_EQ(slob_heap_destroy(&ph), 0);
		EXPECT_EQ(free_pages_drained(), hc.free0);

		/* Two pages of 200-byte objects; empty the first: kept by
		 * segfit, returned by classic; then the second: returned. */
		while (n < 128) {
			o[n] = heap_kmalloc(&ph, 200, GFP_KERNEL);
			ASSERT(o[n] != NULL);
			if (n == 0)
				pg[0] = (uintptr_t)o[n] & PAGE_MASK;
			if (!per && ((uintptr_t)o[n] & PAGE_MASK) != pg[0]) {
				per = n;
				pg[1] = (uintptr_t)o[n] & PAGE_MASK;
			}
			n++;
			if (per && n == 2 * per)
				break;
		}
		ASSERT(per > 0 && n == 2 * per);
		EXPECT_EQ(ph.nr_pages, 2);
		for (int i = per - 1; i >= 0; i -= 2)
			kfree(o[i]);
		for (int i = per - 2; i >= 0; i -= 2)
			kfree(o[i]);
		EXPECT_EQ(ph.nr_pages, seg ? 2 : 1);
		EXPECT_EQ(page_type(virt_to_page((void *)pg[0])), seg ? PGTY_SLOB : PGTY_NONE);
		for (int i = per; i < n; i++)
			kfree(o[i]);
		EXPECT_EQ(ph.nr_pages, seg ? 1 : 0);
		EXPECT_EQ(page_type(virt_to_page((void *)pg[1])), PGTY_NONE);
		EXPECT_EQ(free_pages_drained(), hc.free0 - ph.nr_pages);
		heap_end(t, &hc);
	}
}

/* ---- statistics and slobinfo ---------------------------------------------------- */

static void stats_and_slobinfo(struct ktest *t)
{
	for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
		bool seg = modes[m] == SLOB_SEGFIT;
		struct heap_case hc;
		struct slob_stats st;
		u8 *a, *b, *c, *x;

		heap_begin(&hc, modes[m]);
		a = heap_kmalloc(&ph, 100, GFP_KERNEL);
		b = heap_kmalloc(&ph, 200, GFP_KERNEL);
		c = heap_kmalloc(&ph, 300, GFP_KERNEL);
		x = heap_kmalloc(&ph, 8192, GFP_KERNEL);
		ASSERT(a && b && c && x);
		kfree(b);
		console_capture_begin(out, sizeof(out));
		kfree(b); /* one bad free, for the report */
		console_capture_end();
		hc.bad_expected = hc.kerr_expected = 1;
		slob_get_stats(&ph, &st);
		EXPECT_EQ(st.pages, 1);
		EXPECT_EQ(st.free_blocks, 2);
		EXPECT_EQ(st.big_blocks, 1);
		EXPECT_EQ(st.big_pages, 2);
		EXPECT_EQ(st.peak_pages, 3);
		/* segfit: blocks 112, 208 (free), 304, 3456 free; payloads
		 * 204 + 3452. classic: units 8, 14 (free), 20, 214 free. */
		EXPECT_EQ(st.used_bytes, seg ? 416 : 448);
		EXPECT_EQ(st.free_bytes, seg ? 3656 : 3648);
		EXPECT_EQ(st.largest_free, seg ? 3452 : 3424);
		EXPECT_EQ(st.fragmentation_pct, seg ? 6 : 7);

		console_capture_begin(out, sizeof(out));
		show_slobinfo(&ph);
		console_capture_end();
		ksnprintf(out2, sizeof(out2),
			  "slobinfo: heap %s (%s)\n"
			  "  pages in use        1 (4 kB)\n"
			  "  bytes allocated     %u (headers included)\n"
			  "  free bytes          %u in 2 blocks, largest %u\n"
			  "%s"
			  "  bigblocks           1 using 2 pages (8 kB)\n"
			  "  peak pages          3 (SLOB pages and bigblocks)\n"
			  "  fragmentation       %u%% (1 - largest free block / free bytes)\n"
			  "  bad frees           1\n",
			  mode_name(modes[m]), mode_name(modes[m]), seg ? 416u : 448u,
			  seg ? 3656u : 3648u, seg ? 3452u : 3424u,
			  seg ? "  parked blocks       1 (204 bytes, merged at the next search)\n" : "",
			  seg ? 6u : 7u);
		EXPECT_STREQ(out, out2);
		kfree(a);
		kfree(c);
		kfree(x);
		slob_get_stats(&ph, &st);
		EXPECT_EQ(st.peak_pages, 3);
		EXPECT_EQ(st.big_pages, 0);
		/* segfit: a, b and c wait parked on the idle page; counted as
		 * the one free block they merge into */
		EXPECT_EQ(st.free_bytes, seg ? 4076 : 0);
		EXPECT_EQ(st.free_blocks, seg ? 1 : 0);
		EXPECT_EQ(st.fragmentation_pct, 0);
		EXPECT_EQ(st.parked_blocks, seg ? 3 : 0);
		EXPECT_EQ(st.parked_bytes, seg ? 108u + 204 + 300 : 0);
		heap_end(t, &hc);
	}
}

/* The shell's slobinfo and meminfo print the kernel heap's real numbers. */
static void slobinfo_and_meminfo_kernel_heap(struct ktest *t)
{
	struct kheap_snap s;
	struct slob_stats st;
	unsigned long big0;
	u8 *o[5], *big;
	char parked[96];

	kheap_snap(&s);
	for (int i = 0; i < 5; i++) {
		o[i] = heap_kmalloc(&kmalloc_heap, 300 + 700 * (size_t)i, GFP_KERNEL);
		ASSERT(o[i] != NULL);
	}
	kfree(o[1]);
	kfree(o[3]);

	/* slobinfo: the shell command against the heap's statistics. */
	console_capture_begin(out, sizeof(out));
	EXPECT_EQ(shell_exec("slobinfo"), 0);
	console_capture_end();
	slob_get_stats(&kmalloc_heap, &st);
	ksnprintf(parked, sizeof(parked),
		  "  parked blocks       %lu (%lu bytes, merged at the next search)\n", st.parked_blocks,
		  st.parked_bytes);
	ksnprintf(out2, sizeof(out2),
		  "slobinfo: heap kmalloc (%s)\n"
		  "  pages in use        %lu (%lu kB)\n"
		  "  bytes allocated     %lu (headers included)\n"
		  "  free bytes          %lu in %lu blocks, largest %lu\n"
		  "%s"
		  "  bigblocks           %lu using %lu pages (%lu kB)\n"
		  "  peak pages          %lu (SLOB pages and bigblocks)\n"
		  "  fragmentation       %u%% (1 - largest free block / free bytes)\n"
		  "  bad frees           %lu\n",
		  mode_name(kmalloc_heap.mode), st.pages, st.pages * 4, st.used_bytes, st.free_bytes,
		  st.free_blocks, st.largest_free, kmalloc_heap.mode == SLOB_SEGFIT ? parked : "",
		  st.big_blocks, st.big_pages, st.big_pages * 4, st.peak_pages, st.fragmentation_pct,
		  kmalloc_heap.nr_bad_frees);
	/* kmalloc's heap first; the zone heaps (kmalloc-dma32, kmalloc-dma)
	 * follow once a zone request has set them up (the zones suite does). */
	{
		size_t n = strlen(out2);
		const char *rest = out + n;

		EXPECT(strncmp(out, out2, n) == 0);
		if (strncmp(out, out2, n) == 0 && *rest)
			EXPECT(strncmp(rest, "slobinfo: heap kmalloc-", 23) == 0);
		if (strncmp(out, out2, n) != 0)
			EXPECT_STREQ(out, out2); /* (prints both) */
	}
	/* The numbers are the heap's: pages held, bytes in use. */
	EXPECT_EQ(st.pages, kmalloc_heap.nr_pages);
	EXPECT(st.pages >= 1);
	EXPECT(st.used_bytes >= ksize(o[0]) + ksize(o[2]) + ksize(o[4]));
	EXPECT_EQ(accounted_bytes(kmalloc_heap.mode, &st), page_bytes(kmalloc_heap.mode, &st));

	/* meminfo's lines, and KmallocBig following a bigblock. */
	node_drain_pages(mem_node);
	console_capture_begin(out + 1, sizeof(out) - 1);
	EXPECT_EQ(shell_exec("meminfo"), 0);
	console_capture_end();
	out[0] = '\n';
	EXPECT_EQ(meminfo_kb(out, "KmallocSlob"), st.pages * 4);
	EXPECT_EQ(meminfo_kb(out, "KmallocSlobFree"), st.free_bytes >> 10);
	big0 = meminfo_kb(out, "KmallocBig");
	EXPECT_EQ(big0, st.big_pages * 4);
	big = heap_kmalloc(&kmalloc_heap, 5 * PAGE_SIZE, GFP_KERNEL); /* 5 exact pages */
	ASSERT(big != NULL);
	console_capture_begin(out + 1, sizeof(out) - 1);
	show_meminfo(mem_node);
	console_capture_end();
	EXPECT_EQ(meminfo_kb(out, "KmallocBig"), big0 + 20);
	EXPECT_EQ(meminfo_kb(out, "KmallocSlob"), kmalloc_heap.nr_pages * 4);
	kfree(big);
	kfree(o[0]);
	kfree(o[2]);
	kfree(o[4]);
	expect_kheap_restored(t, &s, 0, 0);
}

/* ---- limits ---------------------------------------------------------------------- */

static void out_of_memory_recovers(struct ktest *t)
{
	for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
		struct heap_case hc;
		void *p[8], *b;
		int n = 0;

		heap_begin(&hc, modes[m]);
		ph.max_pages = 3;
		while (n < 8 && (p[n] = heap_kmalloc(&ph, 2000, GFP_KERNEL)) != NULL)
			n++;
		EXPECT_EQ(n, 6); /* two per page in either mode */
		EXPECT_EQ(ph.nr_pages, 3);
		EXPECT(heap_kmalloc(&ph, 6000, GFP_KERNEL) == NULL);
		EXPECT_EQ(ph.big_pages, 0);
		EXPECT_EQ(slob_check(&ph), 0);
		EXPECT_EQ(free_pages_drained(), hc.free0 - 3);
		kfree(p[4]);
		p[4] = heap_kmalloc(&ph, 2000, GFP_KERNEL);
		EXPECT(p[4] != NULL);
		for (int i = 0; i < n; i++)
			kfree(p[i]);
		ph.max_pages = ph.nr_pages + 2;
		b = heap_kmalloc(&ph, 8000, GFP_KERNEL);
		EXPECT(b != NULL);
		EXPECT_EQ(ph.nr_pages, 0); /* the page segfit kept idle went back first */
		ph.max_pages = ph.big_pages;
		EXPECT(heap_kmalloc(&ph, 4096, GFP_KERNEL) == NULL);
		kfree(b);
		b = heap_kmalloc(&ph, 4096, GFP_KERNEL);
		EXPECT(b != NULL);
		kfree(b);
		ph.max_pages = 0;
		heap_end(t, &hc);
	}
}

/* ---- a random model on private heaps --------------------------------------------- */

#define MODEL_SLOTS 48
#define MODEL_STEPS 6000

struct mobj {
	u8 *p;
	size_t size, align;
	u32 seed;
	bool live, slob, big;
};
static struct mobj mobjs[MODEL_SLOTS];

static size_t model_size(u64 *rng)
{
	static const size_t special[] = { 1, 32, 1024, 2048, 4076, 4077, 4080, 4081, 4084, 4085,
					  4096, 8192 };
	u64 x = *rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
	unsigned int r = (unsigned int)(x >> 58); /* 0..63 */

	x >>= 20;
	if (r < 32)
		return 1 + x % 64;
	if (r < 48)
		return 65 + x % 448;
	if (r < 58)
		return 513 + x % 3583;
	if (r < 61)
		return 4097 + x % 4904;
	return special[x % ARRAY_SIZE(special)];
}

static void extent_of(enum slob_mode mode, const struct mobj *o, uintptr_t *s, uintptr_t *e)
{
	uintptr_t p = (uintptr_t)o->p;

	if (o->big) {
		*s = p;
		*e = p + ksize(o->p);
	} else if (!o->slob) {
		*s = p - kmalloc_hdr(mode, ksize(o->p));
		*e = p + ksize(o->p);
	} else if (mode == SLOB_SEGFIT) {
		*s = p - 4;
		*e = p + slob_ksize(&ph, o->p);
	} else {
		*s = p;
		*e = p + ALIGN_UP(o->size, 16);
	}
}

static bool model_step_ok(struct ktest *t, enum slob_mode mode, int slot, long step)
{
	const struct mobj *o = &mobjs[slot];
	size_t want = o->slob ? MAX(o->align, natural_align(mode)) : o->big ? PAGE_SIZE : natural_align(mode);
	unsigned long used = 0, big = 0;
	uintptr_t s = 0, e = 0;

	if (o->live) {
		if (!aligned(o->p, want) || (!o->slob && ksize(o->p) < o->size)) {
			ktest_fail(t, __FILE__, __LINE__, "%s step %ld: %p size %zu misaligned or short",
				   mode_name(mode), step, o->p, o->size);
			return false;
		}
		extent_of(mode, o, &s, &e);
	}
	for (int i = 0; i < MODEL_SLOTS; i++) {
		const struct mobj *q = &mobjs[i];
		uintptr_t s2, e2;

		if (!q->live)
			continue;
		if (q->big)
			big += ksize(q->p) / PAGE_SIZE;
		else
			used += q->slob ? (mode == SLOB_SEGFIT ? slob_ksize(&ph, q->p) + 4 : ALIGN_UP(q->size, 16))
					: ksize(q->p) + kmalloc_hdr(mode, ksize(q->p));
		if (!o->live || i == slot)
			continue;
		extent_of(mode, q, &s2, &e2);
		if (s < e2 && s2 < e) {
			ktest_fail(t, __FILE__, __LINE__, "%s step %ld: %p overlaps %p", mode_name(mode),
				   step, o->p, q->p);
			return false;
		}
	}
	if (used != ph.used_bytes || big != ph.big_pages || slob_check(&ph)) {
		ktest_fail(t, __FILE__, __LINE__, "%s step %ld: used %lu/%lu big %lu/%lu or check",
			   mode_name(mode), step, ph.used_bytes, used, ph.big_pages, big);
		return false;
	}
	return true;
}

static void model_private_heaps(struct ktest *t)
{
	static const size_t aligns[] = { 0, 16, 64, 256, 1024 };

	for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
		enum slob_mode mode = modes[m];
		u64 rng = 0x1234567 + m;
		struct heap_case hc;
		u32 seed = 1;
		long step;

		heap_begin(&hc, mode);
		memset(mobjs, 0, sizeof(mobjs));
		for (step = 0; step < MODEL_STEPS; step++) {
			u64 x = rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			int slot = (int)((x >> 33) % MODEL_SLOTS);
			unsigned int r = (unsigned int)((x >> 20) % 100);
			struct mobj *o = &mobjs[slot];

			if (!o->live) {
				o->seed = seed++;
				o->slob = r < 15;
				if (o->slob) {
					o->align = aligns[(x >> 8) % ARRAY_SIZE(aligns)];
					o->size = 1 + (x >> 40) % 2900;
					o->big = false;
					o->p = slob_alloc(&ph, o->size, GFP_KERNEL, o->align);
				} else {
					o->size = model_size(&rng);
					o->big = is_big_size(mode, o->size);
					o->p = heap_kmalloc(&ph, o->size, GFP_KERNEL);
				}
				if (!o->p) {
					ktest_fail(t, __FILE__, __LINE__, "%s step %ld: allocation failed",
						   mode_name(mode), step);
					break;
				}
				o->live = true;
				pattern_fill(o->p, o->seed, 0, o->size);
			} else if (pattern_first_bad(o->p, o->seed, o->size) >= 0) {
				ktest_fail(t, __FILE__, __LINE__, "%s step %ld: %p overwritten",
					   mode_name(mode), step, o->p);
				break;
			} else if (o->slob || r < 60) {
				if (o->slob)
					slob_free(&ph, o->p, o->size);
				else
					kfree(o->p);
				o->live = false;
			} else {
				size_t n = r < 75 ? 1 + (x >> 8) % o->size : model_size(&rng);
				size_t ks = ksize(o->p);
				u8 *q = krealloc(o->p, n, GFP_KERNEL);
				/* In place when it fits; beyond that only a bigblock
				 * that grew over the free pages after it. */
				bool grown = q == o->p && n > ks;

				if (!q || (n <= ks && q != o->p) || (grown && !(o->big && ksize(q) >= n)) ||
				    pattern_first_bad(q, o->seed, MIN(n, o->size)) >= 0) {
					ktest_fail(t, __FILE__, __LINE__, "%s step %ld: krealloc(%p, %zu) = %p",
						   mode_name(mode), step, o->p, (size_t)n, q);
					break;
				}
				if (q != o->p)
					o->big = is_big_size(mode, n);
				pattern_fill(q, o->seed, MIN(n, o->size), n);
				o->p = q;
				o->size = n;
			}
			if (!model_step_ok(t, mode, slot, step))
				break;
		}
		if (step < MODEL_STEPS)
			return; /* the heap may be damaged */
		for (int i = 0; i < MODEL_SLOTS; i++) {
			struct mobj *o = &mobjs[i];

			if (!o->live)
				continue;
			EXPECT_EQ(pattern_first_bad(o->p, o->seed, o->size), -1);
			if (o->slob)
				slob_free(&ph, o->p, o->size);
			else
				kfree(o->p);
		}
		EXPECT(ph.peak_pages > 10);
		heap_end(t, &hc);
	}
}

/* ---- all harts at once ------------------------------------------------------------ */

#define HART_SLOTS 48
#define HART_ROUNDS 20000

struct hart_run {
	unsigned long allocs, frees, fails, bad;
	const char *why;
	const void *where;
} __aligned(64);

static struct hart_run hart_runs[MAX_HARTS];

static inline u64 hart_word(unsigned int cpu, const void *w)
{
	u64 x = (u64)(uintptr_t)w * 0x9e3779b97f4a7c15ull ^ ((u64)cpu << 56 | 0x5100b);

	return x ^ x >> 29;
}

static void hart_fill(unsigned int cpu, u8 *p, size_t n)
{
	u64 *w = (u64 *)p;

	for (size_t i = 0; i < n / 8; i++)
		w[i] = hart_word(cpu, &w[i]);
	for (size_t i = n & ~7ul; i < n; i++)
		p[i] = (u8)(cpu + i);
}

static const char *hart_problem(unsigned int cpu, const u8 *p, size_t n)
{
	const u64 *w = (const u64 *)p;

	if (!aligned(p, natural_align(kmalloc_heap.mode)) || ksize(p) < n)
		return "misaligned or short";
	for (size_t i = 0; i < n / 8; i++)
		if (w[i] != hart_word(cpu, &w[i]))
			return "pattern overwritten";
	for (size_t i = n & ~7ul; i < n; i++)
		if (p[i] != (u8)(cpu + i))
			return "tail overwritten";
	return NULL;
}

static void hart_kmalloc_stress(void *arg)
{
	unsigned int cpu = this_cpu();
	struct hart_run *r = &hart_runs[cpu];
	u8 *slot[HART_SLOTS] = { 0 };
	size_t size[HART_SLOTS];
	u64 rng = 0x9e3779b97f4a7c15ull * (cpu + 3);

	(void)arg;
	for (int round = 0; round < HART_ROUNDS + HART_SLOTS; round++) {
		int s = round < HART_ROUNDS ? (int)((rng >> 33) % HART_SLOTS) : round - HART_ROUNDS;

		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		if (slot[s]) {
			const char *why = hart_problem(cpu, slot[s], size[s]);

			if (why && r->bad++ == 0) {
				r->why = why;
				r->where = slot[s];
			}
			kfree(slot[s]);
			slot[s] = NULL;
			r->frees++;
		} else if (round < HART_ROUNDS) {
			size[s] = model_size(&rng);
			slot[s] = kheap_alloc(size[s], GFP_KERNEL | __GFP_NOWARN);
			if (!slot[s]) {
				r->fails++;
				continue;
			}
			r->allocs++;
			hart_fill(cpu, slot[s], size[s]);
		}
	}
}

static void all_harts_kmalloc(struct ktest *t)
{
	struct kheap_snap s;
	unsigned long allocs = 0;

	kheap_snap(&s);
	memset(hart_runs, 0, sizeof(hart_runs));
	on_each_hart(hart_kmalloc_stress, NULL);
	for (unsigned int cpu = 0; cpu < nr_harts; cpu++) {
		struct hart_run *r = &hart_runs[cpu];

		allocs += r->allocs;
		EXPECT(r->allocs > HART_ROUNDS / 4);
		EXPECT_EQ(r->frees, r->allocs);
		EXPECT_EQ(r->fails, 0);
		if (r->bad)
			ktest_fail(t, __FILE__, __LINE__, "cpu %u: %lu bad blocks, first %p: %s", cpu,
				   r->bad, r->where, r->why);
	}
	EXPECT(allocs > 0);
	EXPECT(kmalloc_heap.peak_pages > s.pages);
	kprintf("# %s.%s: %u harts, %lu allocations, peak %lu pages\n", t->suite, t->name, nr_harts,
		allocs, kmalloc_heap.peak_pages);
	expect_kheap_restored(t, &s, 0, 0);
}

/*
 * Kept bigblocks (mm/slob.c) on the target, on kmalloc's own heap, whose
 * big_keep_max (0 in the kernel: the malloc library's setting) the case
 * sets for itself and puts back: a freed 20000-byte bigblock (5 pages) is
 * kept, ksize and a second kfree of it see a freed block, the next kmalloc
 * of 5 pages is that block. With page_owner on, or in the KASAN kernel,
 * nothing is kept, and the case checks that. No shrink: the heap's idle
 * pages stay (a bigblock's allocation gives them back, so the suite's
 * last case is another, and the reports after the suite find one).
 */
static void kmalloc_keeps_bigblocks(struct ktest *t)
{
	unsigned long saved = kmalloc_heap.big_keep_max, errs = kfree_errors;
	bool keeps = !page_owner_on && !meminit_routed(); /* (init_on_alloc=, init_on_free=) */
	void *p, *q;

#ifdef CONFIG_KASAN
	keeps = false;
#endif
	EXPECT_EQ(slob_big_kept_pages(&kmalloc_heap), 0);
	kmalloc_heap.big_keep_max = 20;
	p = kmalloc(20000, GFP_KERNEL);
	ASSERT(p != NULL);
	kfree(p);
	EXPECT_EQ(slob_big_kept_pages(&kmalloc_heap), keeps ? 5u : 0u);
	if (keeps) {
		EXPECT_EQ(ksize(p), 0);
		kfree(p); /* reported: freed already */
		EXPECT_EQ(kfree_errors, errs + 1);
	}
	q = kmalloc(20000, GFP_KERNEL);
	ASSERT(q != NULL);
	if (keeps)
		EXPECT(q == p);
	EXPECT_EQ(slob_big_kept_pages(&kmalloc_heap), 0);
	EXPECT_EQ(slob_check(&kmalloc_heap), 0);
	/* put back first: the block then goes back, as every kernel's does,
	 * and the heap is as the case found it (its idle pages too) */
	kmalloc_heap.big_keep_max = saved;
	kfree(q);
	EXPECT_EQ(slob_big_kept_pages(&kmalloc_heap), 0);
}

KTEST_SUITE(kmalloc,
	KTEST_CASE(zero_size_null_and_limits),
	KTEST_CASE(zeroed_memory),
	KTEST_CASE(krealloc_semantics),
	KTEST_CASE(linux_helpers),
	KTEST_CASE(bad_frees_reported),
	KTEST_CASE(aligned_slob_alloc),
	KTEST_CASE(kmalloc_alignment),
	KTEST_CASE(pages_go_back),
	KTEST_CASE(kmalloc_keeps_bigblocks), /* (not last: a bigblock gives back the heap's idle page) */
	KTEST_CASE(stats_and_slobinfo),
	KTEST_CASE(slobinfo_and_meminfo_kernel_heap),
	KTEST_CASE(out_of_memory_recovers),
	KTEST_CASE(model_private_heaps),
	KTEST_CASE(all_harts_kmalloc));
