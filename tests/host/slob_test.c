/*
 * slob_test.c - host tests of SLOB and kmalloc (mm/slob.c, mm/kmalloc.c)
 * over fake RAM (suite "slob").
 *
 * Every case runs once per mode (name_segfit, name_classic) on a fixture:
 * 32 MiB of fake RAM whose free pages are filled with 0xa5 before the page
 * allocator takes them (so memory that is not explicitly zeroed is dirty),
 * a private heap f->h of the mode, and kmalloc_heap re-initialised in the
 * same mode (kmalloc/kzalloc/krealloc(NULL) use it). After each case the
 * fixture proves the case left nothing behind: both heaps give back every
 * page (slob_heap_destroy finds no busy page), hold no bigblock, report no
 * bad free the case did not expect, pass slob_check, and the page
 * allocator's free count is exactly what it was before the heaps existed.
 *
 * The model cases run long random sequences of heap_kmalloc / kfree /
 * krealloc / slob_alloc / slob_free against a shadow of the live blocks:
 * extents (headers included) never overlap, pointers are aligned, usable
 * sizes cover the request, every byte keeps its per-object pattern, the
 * heap's used/free/page counts match the shadow exactly, and slob_check
 * passes after every step.
 */
#include <stdlib.h>
#include <string.h>

#include <mm/kmalloc.h>
#include <lib/kstring.h>
#include <tests/ktest.h>
#include <mm/memblock.h>
#include <mm/mmzone.h>
#include <mm/slob.h>
#include "../../bench/churn.h"
#include "../common/pattern.h"
#include "fakeram.h"
#include "host.h"

#define RAM 0x80000000ull
#define RAM_SIZE (32ull << 20)
#define DIRT 0xa5

/* What the header promises, written down independently of mm/slob.c. */
#define SEG_PAGE_BYTES 4080ul  /* a segfit page's blocks, headers included */
#define SEG_HDR_BYTES 4ul
#define CLASSIC_HDR_BYTES 16ul /* classic kmalloc's one-unit header */

struct fx {
	struct fakeram *fr;
	struct slob_heap h;
	enum slob_mode mode;
	unsigned long free0; /* nr_free_pages() before the heaps */
	unsigned long kerr0; /* kfree_errors at the start */
	unsigned long expected_kfree_errors; /* set by cases that provoke them */
	unsigned long expected_bad_frees;    /* in f->h */
	char out[4096];
};

/* slob_check of the fixture's heap, its reports captured in f->out; the
 * number of problems. */
static int check_captured(struct fx *f)
{
	struct fr_capture cap;
	int errors;

	fr_capture_start(&cap);
	errors = slob_check(&f->h);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	return errors;
}

static struct fx fx; /* one at a time */
static struct slob_heap saved_kmalloc_heap;
static enum kmalloc_backend saved_backend;

static size_t natural_align(enum slob_mode m)
{
	(void)m;
	return ARCH_KMALLOC_MINALIGN; /* both modes */
}

/* kmalloc's alignment for @size: a power of two up to a page is aligned
 * to itself, everything else to ARCH_KMALLOC_MINALIGN. */
static size_t kmalloc_want_align(size_t size)
{
	return size <= PAGE_SIZE && !(size & (size - 1)) ? MAX(size, (size_t)ARCH_KMALLOC_MINALIGN)
							  : ARCH_KMALLOC_MINALIGN;
}

/* The largest kmalloc served from a SLOB page. */
static size_t small_max(enum slob_mode m)
{
	return m == SLOB_SEGFIT ? 4076 : 4080;
}

/* Bytes of a kmalloc'ed small block in front of its pointer, given its
 * ksize: none for an object of a segfit size page (a power of two up to
 * 2048: a segfit block's ksize is 16n - 4, never one). */
static size_t kmalloc_hdr(enum slob_mode m, size_t ks)
{
	if (m == SLOB_SEGFIT && ks <= 2048 && !(ks & (ks - 1)))
		return 0;
	return m == SLOB_SEGFIT ? SEG_HDR_BYTES : CLASSIC_HDR_BYTES;
}

static bool fx_setup(struct ktest *t, enum slob_mode mode)
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
	f->mode = mode;
	/* A fresh start over the new RAM, as the other suites' fixtures make
	 * (the per-hart pair every kmalloc class without a cache points at is
	 * set up there: run alone, the suite's first kmalloc read a NULL one). */
	kmalloc_init();
	saved_kmalloc_heap = kmalloc_heap;
	saved_backend = kmalloc_backend;
	kmalloc_set_backend(KMALLOC_SLOB); /* kmalloc() is kmalloc_heap's */
	slob_heap_init(&kmalloc_heap, "kmalloc", mode);
	slob_heap_init(&f->h, "test", mode);
	f->free0 = nr_free_pages();
	f->kerr0 = kfree_errors;
	return true;
}

/* The case left nothing behind. */
static void fx_teardown(struct ktest *t)
{
	struct fx *f = &fx;

	if (t->failures)
		goto out; /* the heaps may be damaged: only undo the fixture */
	EXPECT_EQ(slob_check(&f->h), 0);
	EXPECT_EQ(slob_check(&kmalloc_heap), 0);
	EXPECT_EQ(kfree_errors - f->kerr0, f->expected_kfree_errors);
	EXPECT_EQ(f->h.nr_bad_frees, f->expected_bad_frees);
	EXPECT_EQ(kmalloc_heap.nr_bad_frees, 0);
	EXPECT_EQ(slob_heap_destroy(&f->h), 0);
	EXPECT_EQ(slob_heap_destroy(&kmalloc_heap), 0);
	EXPECT_EQ(f->h.nr_pages, 0);
	EXPECT_EQ(f->h.big_pages, 0);
	EXPECT_EQ(f->h.big_blocks, 0);
	EXPECT_EQ(kmalloc_heap.nr_pages, 0);
	EXPECT_EQ(kmalloc_heap.big_pages, 0);
	node_drain_pages(mem_node);
	EXPECT_EQ(nr_free_pages(), f->free0);
	EXPECT_EQ(node_check(mem_node), 0);
out:
	kmalloc_heap = saved_kmalloc_heap;
	kmalloc_set_backend(saved_backend);
	fakeram_done(f->fr);
	f->fr = NULL;
}

/* fn_SUFFIX runs fn(t, f) on a fresh fixture of heap mode MODE. */
#define MODE_CASE(fn, suffix, mode)                     \
	static void fn##_##suffix(struct ktest *t)      \
	{                                               \
		if (fx_setup(t, mode)) {                \
			fn(t, &fx);                     \
			fx_teardown(t);                 \
		}                                       \
	}
/* name_segfit and name_classic run name(t, f) on a fresh fixture. */
#define BOTH_MODES(fn) MODE_CASE(fn, segfit, SLOB_SEGFIT) MODE_CASE(fn, classic, SLOB_CLASSIC)
/* name_segfit only, for what the classic mode does not have. */
#define SEGFIT_CASE(fn) MODE_CASE(fn, segfit, SLOB_SEGFIT)
#define BOTH_CASES(fn) KTEST_CASE(fn##_segfit), KTEST_CASE(fn##_classic)

/* ---- patterns ------------------------------------------------------------ */

static bool page_aligned(const void *p)
{
	return ((uintptr_t)p & (PAGE_SIZE - 1)) == 0;
}

static bool aligned(const void *p, size_t a)
{
	return ((uintptr_t)p & (a - 1)) == 0;
}

/* Free-space identity of a heap: every byte of its SLOB pages is free or
 * used (segfit: free blocks' headers aside). */
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

static bool stats_eq(const struct slob_stats *a, const struct slob_stats *b)
{
	return a->pages == b->pages && a->free_bytes == b->free_bytes &&
	       a->free_blocks == b->free_blocks && a->largest_free == b->largest_free &&
	       a->big_blocks == b->big_blocks && a->big_pages == b->big_pages &&
	       a->peak_pages == b->peak_pages && a->used_bytes == b->used_bytes &&
	       a->fragmentation_pct == b->fragmentation_pct;
}

/* ---- the model --------------------------------------------------------------- */

#define MODEL_SLOTS 160
#define MODEL_STEPS 100000

enum { O_NONE, O_KMALLOC, O_SLOB };

struct mobj {
	u8 *p;
	size_t size;  /* requested */
	size_t align; /* slob_alloc's */
	u32 seed;
	int kind;
	bool big; /* a bigblock (stays one when krealloc shrinks it in place) */
};

static struct mobj objs[MODEL_SLOTS];

static size_t pick_size(u64 *rng)
{
	static const size_t special[] = { 1, 8, 16, 24, 32, 64, 128, 256, 512, 1024, 2048,
					  4076, 4077, 4080, 4081, 4084, 4085, 4088, 4096, 4097,
					  8192, 8193 };
	u64 x = fr_rand(rng);
	unsigned int r = (unsigned int)(x % 100);

	x >>= 8;
	if (r < 45)
		return 1 + x % 64;
	if (r < 70)
		return 65 + x % 448;
	if (r < 85)
		return 513 + x % (4096 - 512);
	if (r < 93)
		return 4097 + x % (9000 - 4096);
	return special[x % ARRAY_SIZE(special)];
}

/* A kmalloc of @size is a bigblock: above a SLOB block (segfit's 2048 is
 * half a size page). */
static bool is_big_size(const struct fx *f, size_t size)
{
	return size > small_max(f->mode);
}

static bool is_big(const struct fx *f, const struct mobj *o)
{
	(void)f;
	return o->kind == O_KMALLOC && o->big;
}

/* [start, end) of the block (its header included) for the overlap check. */
static void extent(const struct fx *f, const struct mobj *o, uintptr_t *s, uintptr_t *e)
{
	uintptr_t p = (uintptr_t)o->p;

	if (is_big(f, o)) {
		*s = p;
		*e = p + ksize(o->p);
	} else if (o->kind == O_KMALLOC) {
		*s = p - kmalloc_hdr(f->mode, ksize(o->p));
		*e = p + ksize(o->p);
	} else if (f->mode == SLOB_SEGFIT) {
		*s = p - SEG_HDR_BYTES;
		*e = p + slob_ksize((struct slob_heap *)&f->h, o->p);
	} else {
		*s = p;
		*e = p + ALIGN_UP(o->size, (size_t)SLOB_UNIT);
	}
}

/* The bytes a live small object accounts for in used_bytes. */
static unsigned long used_by(struct fx *f, const struct mobj *o)
{
	if (o->kind == O_KMALLOC)
		return ksize(o->p) + kmalloc_hdr(f->mode, ksize(o->p));
	if (f->mode == SLOB_SEGFIT)
		return slob_ksize(&f->h, o->p) + SEG_HDR_BYTES;
	return ALIGN_UP(o->size, (size_t)SLOB_UNIT);
}

/* Check a block just handed out against its request and every live block. */
static bool model_check_new(struct ktest *t, struct fx *f, int slot, long step, bool fresh)
{
	struct mobj *o = &objs[slot];
	uintptr_t s, e;
	size_t want_align;

	if (o->kind == O_SLOB)
		want_align = MAX(o->align, natural_align(f->mode));
	else
		/* krealloc shrinking in place keeps the old block's alignment */
		want_align = is_big(f, o) ? PAGE_SIZE
			     : fresh      ? MAX(natural_align(f->mode), kmalloc_want_align(o->size))
					  : natural_align(f->mode);
	if (!aligned(o->p, want_align)) {
		ktest_fail(t, __FILE__, __LINE__, "step %ld: %p (size %zu) not aligned to %zu", step,
			   o->p, o->size, want_align);
		return false;
	}
	if (o->kind == O_KMALLOC) {
		size_t ks = ksize(o->p);

		/* A bigblock holds the pages its head page counts; a fresh one
		 * exactly the pages its size needs. */
		if (ks < o->size ||
		    (is_big(f, o) && ks != virt_to_page(o->p)->bigblock_pages << PAGE_SHIFT) ||
		    (is_big(f, o) && fresh && ks != ALIGN_UP(o->size, PAGE_SIZE))) {
			ktest_fail(t, __FILE__, __LINE__, "step %ld: ksize %zu for %zu bytes", step,
				   ks, o->size);
			return false;
		}
	}
	extent(f, o, &s, &e);
	/* Owned by the heap: a bigblock's head page, or one SLOB page that
	 * holds the whole block. */
	{
		struct page *pg = virt_to_page(o->p);
		bool big = is_big(f, o);

		if (!pg || pg->priv != (unsigned long)&f->h ||
		    page_type(pg) != (big ? PGTY_BIGBLOCK : PGTY_SLOB) ||
		    (!big && (s & PAGE_MASK) != ((e - 1) & PAGE_MASK))) {
			ktest_fail(t, __FILE__, __LINE__, "step %ld: [%p, %p) not in one of the heap's %s",
				   step, (void *)s, (void *)e, big ? "bigblocks" : "SLOB pages");
			return false;
		}
		/* slob_ksize_in (the page at hand) answers as slob_ksize does */
		if (!big && slob_ksize_in(&f->h, pg, o->p) != slob_ksize(&f->h, o->p)) {
			ktest_fail(t, __FILE__, __LINE__, "step %ld: %p: slob_ksize_in %zu, slob_ksize %zu",
				   step, o->p, slob_ksize_in(&f->h, pg, o->p), slob_ksize(&f->h, o->p));
			return false;
		}
	}
	for (int i = 0; i < MODEL_SLOTS; i++) {
		uintptr_t s2, e2;

		if (i == slot || objs[i].kind == O_NONE)
			continue;
		extent(f, &objs[i], &s2, &e2);
		if (s < e2 && s2 < e) {
			ktest_fail(t, __FILE__, __LINE__,
				   "step %ld: [%p, %p) overlaps live [%p, %p)", step, (void *)s,
				   (void *)e, (void *)s2, (void *)e2);
			return false;
		}
	}
	return true;
}

static bool model_verify(struct ktest *t, const struct mobj *o, size_t n, long step)
{
	long bad = pattern_first_bad(o->p, o->seed, n);

	if (bad >= 0) {
		ktest_fail(t, __FILE__, __LINE__, "step %ld: %p (size %zu) byte %ld overwritten",
			   step, o->p, o->size, bad);
		return false;
	}
	return true;
}

/* The heap's counts against the shadow. */
static bool model_counts(struct ktest *t, struct fx *f, long step, bool stats)
{
	unsigned long used = 0, big_pages = 0, big_blocks = 0, small = 0;
	struct slob_heap *h = &f->h;

	for (int i = 0; i < MODEL_SLOTS; i++) {
		const struct mobj *o = &objs[i];

		if (o->kind == O_NONE)
			continue;
		if (is_big(f, o)) {
			big_pages += ksize(o->p) / PAGE_SIZE;
			big_blocks++;
		} else {
			used += used_by(f, o);
			small++;
		}
	}
	if (h->used_bytes != used || h->big_pages != big_pages || h->big_blocks != big_blocks) {
		ktest_fail(t, __FILE__, __LINE__,
			   "step %ld: used %lu big %lu/%lu, shadow says %lu big %lu/%lu", step,
			   h->used_bytes, h->big_blocks, h->big_pages, used, big_blocks, big_pages);
		return false;
	}
	/* Every page the heap holds came from the page allocator, and only those. */
	if (nr_free_pages() != f->free0 - h->nr_pages - h->big_pages) {
		ktest_fail(t, __FILE__, __LINE__, "step %ld: %lu free pages, expected %lu - %lu - %lu",
			   step, nr_free_pages(), f->free0, h->nr_pages, h->big_pages);
		return false;
	}
	if (!small && h->nr_pages > (f->mode == SLOB_SEGFIT ? 2u : 0u)) {
		ktest_fail(t, __FILE__, __LINE__, "step %ld: no small object, %lu pages held", step,
			   h->nr_pages);
		return false;
	}
	if (h->peak_pages < slob_heap_pages(h)) {
		ktest_fail(t, __FILE__, __LINE__, "step %ld: peak %lu below %lu", step,
			   h->peak_pages, slob_heap_pages(h));
		return false;
	}
	if (stats) {
		struct slob_stats st;

		slob_get_stats(h, &st);
		if (accounted_bytes(f->mode, &st) != page_bytes(f->mode, &st) ||
		    st.pages != h->nr_pages || st.used_bytes != used) {
			ktest_fail(t, __FILE__, __LINE__,
				   "step %ld: free %lu in %lu blocks + used %lu != %lu pages", step,
				   st.free_bytes, st.free_blocks, st.used_bytes, st.pages);
			return false;
		}
	}
	return true;
}

static void model_free(struct fx *f, struct mobj *o)
{
	if (o->kind == O_KMALLOC)
		kfree(o->p);
	else
		slob_free(&f->h, o->p, o->size);
	o->kind = O_NONE;
	o->p = NULL;
}

static void model_run(struct ktest *t, struct fx *f)
{
	static const size_t aligns[] = { 0, 8, 16, 32, 64, 256, 1024 };
	u64 rng = 0x5eed0000 + (u64)f->mode;
	unsigned long max_seen = 0, kerr = kfree_errors, ops[4] = { 0 }; /* alloc, slob, realloc, free */
	unsigned int alloc_pct = 90;
	u32 seed = 1;
	long step;

	memset(objs, 0, sizeof(objs));
	for (step = 0; step < MODEL_STEPS; step++) {
		u64 x = fr_rand(&rng);
		int slot = (int)(x % MODEL_SLOTS);
		struct mobj *o = &objs[slot];
		unsigned int r = (unsigned int)((x >> 16) % 100);

		if (step % 1500 == 0)
			alloc_pct = alloc_pct == 90 ? 25 : 90;
		if (o->kind == O_NONE) {
			if (r >= alloc_pct)
				continue;
			o->seed = seed++;
			if (r % 6 == 0) { /* slob_alloc, aligned or not */
				o->kind = O_SLOB;
				o->align = aligns[(x >> 32) % ARRAY_SIZE(aligns)];
				o->size = 1 + (x >> 40) % 2900;
				o->p = slob_alloc(&f->h, o->size, GFP_KERNEL, o->align);
			} else {
				o->kind = O_KMALLOC;
				o->size = pick_size(&rng);
				o->big = is_big_size(f, o->size);
				o->p = heap_kmalloc(&f->h, o->size, GFP_KERNEL);
			}
			if (!o->p) {
				ktest_fail(t, __FILE__, __LINE__, "step %ld: %s of %zu (align %zu) failed",
					   step, o->kind == O_SLOB ? "slob_alloc" : "kmalloc", o->size,
					   o->align);
				o->kind = O_NONE;
				break;
			}
			if (!model_check_new(t, f, slot, step, true))
				break;
			pattern_fill(o->p, o->seed, 0, o->size);
			ops[o->kind == O_SLOB]++;
		} else if (o->kind == O_SLOB || r < 55) {
			if (!model_verify(t, o, o->size, step))
				break;
			model_free(f, o);
			ops[3]++;
		} else { /* krealloc */
			size_t n = r < 62 ? 0 : r < 80 ? 1 + (x >> 32) % (o->size + 1) : pick_size(&rng);
			size_t old_ks = ksize(o->p);
			u8 *q;

			if (!model_verify(t, o, o->size, step))
				break;
			q = krealloc(o->p, n, GFP_KERNEL);
			ops[2]++;
			if (n == 0) {
				if (q != ZERO_SIZE_PTR) {
					ktest_fail(t, __FILE__, __LINE__, "step %ld: krealloc(p, 0) = %p",
						   step, q);
					break;
				}
				o->kind = O_NONE;
				o->p = NULL;
			} else if (!q || (n <= old_ks && q != o->p) ||
				   (n > old_ks && q == o->p && !(is_big(f, o) && ksize(q) >= n))) {
				/* (a bigblock may grow in place: slob_big_grow) */
				ktest_fail(t, __FILE__, __LINE__,
					   "step %ld: krealloc(%p, %zu) = %p (ksize was %zu)", step, o->p,
					   n, q, old_ks);
				break;
			} else {
				size_t keep = MIN(o->size, n);
				bool moved = q != o->p;

				o->p = q;
				o->size = n;
				if (moved) /* in place, a bigblock stays one */
					o->big = is_big_size(f, n);
				if (!model_verify(t, o, keep, step) ||
				    !model_check_new(t, f, slot, step, moved))
					break;
				pattern_fill(o->p, o->seed, keep, n);
			}
		}
		if (kfree_errors != kerr || f->h.nr_bad_frees) {
			ktest_fail(t, __FILE__, __LINE__, "step %ld: a kfree error was reported", step);
			break;
		}
		if (!model_counts(t, f, step, step % 16 == 0))
			break;
		if (slob_check(&f->h)) {
			ktest_fail(t, __FILE__, __LINE__, "step %ld: slob_check failed", step);
			break;
		}
		max_seen = MAX(max_seen, slob_heap_pages(&f->h));
	}
	if (step < MODEL_STEPS)
		return; /* the heap may be damaged: leave it */
	kprintf("# %s.%s: %lu kmalloc, %lu slob_alloc, %lu krealloc, %lu frees, up to %lu pages\n",
		t->suite, t->name, ops[0], ops[1], ops[2], ops[3], max_seen);
	EXPECT(max_seen > 20); /* the sequence really grew the heap */
	EXPECT(f->h.peak_pages >= max_seen);
	for (int i = 0; i < MODEL_SLOTS; i++) {
		if (objs[i].kind == O_NONE)
			continue;
		model_verify(t, &objs[i], objs[i].size, step);
		model_free(f, &objs[i]);
	}
	/* segfit keeps a wholly free page and an empty size page */
	EXPECT(f->mode == SLOB_SEGFIT ? f->h.nr_pages <= 2 : f->h.nr_pages == 0);
	EXPECT_EQ(f->h.used_bytes, 0);
	/* The fixture checks destroy, the free pages and node_check. */
}
BOTH_MODES(model_run)

/* ---- edge cases ---------------------------------------------------------------- */

static void zero_size_and_null(struct ktest *t, struct fx *f)
{
	struct fr_capture cap;

	EXPECT(heap_kmalloc(&f->h, 0, GFP_KERNEL) == ZERO_SIZE_PTR);
	EXPECT(kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);
	EXPECT(kzalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);
	EXPECT_EQ(f->h.nr_pages + kmalloc_heap.nr_pages, 0);
	fr_capture_start(&cap);
	kfree(NULL);
	kfree(ZERO_SIZE_PTR);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT_STREQ(f->out, "");
	EXPECT_EQ(kfree_errors, f->kerr0);
	EXPECT_EQ(ksize(NULL), 0);
	EXPECT_EQ(ksize(ZERO_SIZE_PTR), 0);

	/* kcalloc: n * size overflows. */
	EXPECT(kcalloc(SIZE_MAX / 2 + 1, 2, GFP_KERNEL) == NULL);
	EXPECT(kcalloc(2, SIZE_MAX / 2 + 1, GFP_KERNEL) == NULL);
	EXPECT(kcalloc(SIZE_MAX, SIZE_MAX, GFP_KERNEL) == NULL);
	EXPECT(kcalloc(0, 100, GFP_KERNEL) == ZERO_SIZE_PTR);
	EXPECT(kcalloc(SIZE_MAX, 0, GFP_KERNEL) == ZERO_SIZE_PTR);

	/* Above KMALLOC_MAX_SIZE: NULL, nothing taken; at it: a bigblock. */
	EXPECT(heap_kmalloc(&f->h, KMALLOC_MAX_SIZE + 1, GFP_KERNEL) == NULL);
	EXPECT(heap_kmalloc(&f->h, SIZE_MAX, GFP_KERNEL) == NULL);
	EXPECT(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL) == NULL);
	EXPECT_EQ(f->h.big_pages + f->h.big_blocks + f->h.nr_pages, 0);
	EXPECT_EQ(nr_free_pages(), f->free0);
	{
		void *p = heap_kmalloc(&f->h, KMALLOC_MAX_SIZE, GFP_KERNEL);

		ASSERT(p != NULL);
		EXPECT(page_aligned(p));
		EXPECT_EQ(ksize(p), KMALLOC_MAX_SIZE);
		EXPECT_EQ(f->h.big_pages, KMALLOC_MAX_SIZE / PAGE_SIZE);
		EXPECT_EQ(nr_free_pages(), f->free0 - KMALLOC_MAX_SIZE / PAGE_SIZE);
		kfree(p);
	}
	EXPECT_EQ(f->h.big_pages, 0);
	EXPECT_EQ(nr_free_pages(), f->free0);
	EXPECT_EQ(kfree_errors, f->kerr0);
}
BOTH_MODES(zero_size_and_null)

/* kzalloc, kcalloc and __GFP_ZERO clear memory that was dirty. */
static void zeroed_allocations(struct ktest *t, struct fx *f)
{
	static const size_t sizes[] = { 1, 8, 24, 100, 1000, 4000, 4080, 4085, 4096, 5000, 9000 };

	/* The fixture's RAM is dirty: a plain kmalloc shows it (past the
	 * first 16 bytes, where a free block keeps its links). */
	{
		u8 *p = kmalloc(64, GFP_KERNEL);

		ASSERT(p != NULL);
		EXPECT(bytes_all(p + 16, DIRT, 48));
		kfree(p);
	}
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t n = sizes[i];
		u8 *p = kmalloc(n, GFP_KERNEL), *q, *c, *s;

		ASSERT(p != NULL);
		memset(p, 0x5c, ksize(p));
		kfree(p);
		q = kzalloc(n, GFP_KERNEL);
		ASSERT(q != NULL);
		if (!bytes_all(q, 0, n))
			ktest_fail(t, __FILE__, __LINE__, "kzalloc(%zu) not zeroed", n);
		c = kcalloc(n, 1, GFP_KERNEL);
		ASSERT(c != NULL);
		if (!bytes_all(c, 0, n))
			ktest_fail(t, __FILE__, __LINE__, "kcalloc(%zu, 1) not zeroed", n);
		memset(q, 0x5c, n);
		kfree(q);
		q = heap_kmalloc(&f->h, n, GFP_KERNEL | __GFP_ZERO);
		ASSERT(q != NULL);
		if (!bytes_all(q, 0, n))
			ktest_fail(t, __FILE__, __LINE__, "__GFP_ZERO kmalloc(%zu) not zeroed", n);
		/* Everything goes back dirty: no zero byte is left over for a
		 * later allocation to find by chance. */
		memset(q, 0x5c, n);
		memset(c, 0x5c, n);
		kfree(q);
		kfree(c);
		if (n <= 3000) {
			s = slob_alloc(&f->h, n, GFP_KERNEL | __GFP_ZERO, 64);
			ASSERT(s != NULL);
			if (!bytes_all(s, 0, n))
				ktest_fail(t, __FILE__, __LINE__, "__GFP_ZERO slob_alloc(%zu) not zeroed",
					   n);
			memset(s, 0x5c, n);
			slob_free(&f->h, s, n);
		}
	}
	/* kcalloc(n, size) with n * size > one page. */
	{
		u32 *a = kcalloc(3000, sizeof(u32), GFP_KERNEL);

		ASSERT(a != NULL);
		EXPECT_EQ(ksize(a), 12288); /* exact pages: 3, not 4 */
		EXPECT(bytes_all(a, 0, 3000 * sizeof(u32)));
		kfree(a);
	}
}
BOTH_MODES(zeroed_allocations)

static void krealloc_semantics(struct ktest *t, struct fx *f)
{
	u8 *p, *q, *r;
	struct slob_stats st;

	/* krealloc(NULL / ZERO_SIZE_PTR, n) allocates (from kmalloc_heap). */
	p = krealloc(NULL, 100, GFP_KERNEL);
	ASSERT(p != NULL && p != ZERO_SIZE_PTR);
	EXPECT(ksize(p) >= 100);
	EXPECT(virt_to_page(p)->priv == (unsigned long)&kmalloc_heap);
	kfree(p);
	p = krealloc(ZERO_SIZE_PTR, 10, GFP_KERNEL);
	ASSERT(p != NULL && p != ZERO_SIZE_PTR);
	kfree(p);

	p = heap_kmalloc(&f->h, 100, GFP_KERNEL);
	ASSERT(p != NULL);
	pattern_fill(p, 7, 0, 100);
	/* Shrinking, or growing within ksize, stays in place. */
	EXPECT(krealloc(p, 50, GFP_KERNEL) == p);
	EXPECT(krealloc(p, ksize(p), GFP_KERNEL) == p);
	EXPECT_EQ(pattern_first_bad(p, 7, 100), -1);
	EXPECT_EQ(f->h.used_bytes, ksize(p) + kmalloc_hdr(f->mode, ksize(p)));

	/* Growing moves to a new block of the same heap, data kept, old freed. */
	q = krealloc(p, 1000, GFP_KERNEL);
	ASSERT(q != NULL);
	EXPECT(q != p);
	EXPECT(ksize(q) >= 1000);
	EXPECT(virt_to_page(q)->priv == (unsigned long)&f->h);
	EXPECT_EQ(pattern_first_bad(q, 7, 100), -1);
	EXPECT_EQ(f->h.used_bytes, ksize(q) + kmalloc_hdr(f->mode, ksize(q)));
	pattern_fill(q, 7, 100, 1000);

	/* Too big: NULL, and the block stays valid and untouched. */
	EXPECT(krealloc(q, KMALLOC_MAX_SIZE + 1, GFP_KERNEL) == NULL);
	EXPECT_EQ(pattern_first_bad(q, 7, 1000), -1);
	EXPECT(ksize(q) >= 1000);

	/* Into a bigblock, and bigblocks grow and shrink. */
	r = krealloc(q, 6000, GFP_KERNEL);
	ASSERT(r != NULL);
	EXPECT(page_aligned(r));
	EXPECT_EQ(ksize(r), 8192);
	EXPECT_EQ(pattern_first_bad(r, 7, 1000), -1);
	EXPECT_EQ(f->h.used_bytes, 0);
	EXPECT_EQ(f->h.big_pages, 2);
	pattern_fill(r, 7, 1000, 6000);
	EXPECT(krealloc(r, 5000, GFP_KERNEL) == r);
	EXPECT(krealloc(r, 8192, GFP_KERNEL) == r);
	EXPECT(krealloc(r, 10, GFP_KERNEL) == r); /* shrinks in place, stays a bigblock */
	EXPECT_EQ(f->h.big_pages, 2);
	q = krealloc(r, 20000, GFP_KERNEL);
	ASSERT(q != NULL);
	EXPECT(page_aligned(q));
	EXPECT_EQ(ksize(q), 20480); /* exact pages: 5, not 8 */
	EXPECT_EQ(pattern_first_bad(q, 7, 6000), -1);
	EXPECT_EQ(f->h.big_pages, 5);
	EXPECT_EQ(f->h.big_blocks, 1);

	/* krealloc(p, 0) frees and returns ZERO_SIZE_PTR. */
	EXPECT(krealloc(q, 0, GFP_KERNEL) == ZERO_SIZE_PTR);
	EXPECT_EQ(f->h.big_pages, 0);
	EXPECT_EQ(f->h.big_blocks, 0);
	p = heap_kmalloc(&f->h, 300, GFP_KERNEL);
	ASSERT(p != NULL);
	EXPECT(krealloc(p, 0, GFP_KERNEL) == ZERO_SIZE_PTR);
	EXPECT_EQ(f->h.used_bytes, 0);
	slob_get_stats(&f->h, &st);
	EXPECT_EQ(st.pages, f->mode == SLOB_SEGFIT ? 1 : 0);
	EXPECT_EQ(kfree_errors, f->kerr0);
}
BOTH_MODES(krealloc_semantics)

/* The small/bigblock boundary, bigblocks of exact pages aligned to the
 * order that holds them, page counts. */
static void size_limits_and_bigblocks(struct ktest *t, struct fx *f)
{
	static const struct {
		size_t size;
		unsigned long pages;
	} big[] = { { 4096, 1 }, { 4097, 2 }, { 8192, 2 }, { 8193, 3 }, { 9000, 3 },
		    { 65536, 16 }, { 65537, 17 } };
	size_t max = small_max(f->mode);
	void *held[ARRAY_SIZE(big)];
	unsigned long pages = 0;
	u8 *p;

	EXPECT_EQ(slob_kmalloc_max(&f->h), max);
	p = heap_kmalloc(&f->h, max, GFP_KERNEL);
	ASSERT(p != NULL);
	EXPECT(!page_aligned(p));
	EXPECT_EQ(ksize(p), max);
	EXPECT_EQ(page_type(virt_to_page(p)), PGTY_SLOB);
	EXPECT_EQ(f->h.nr_pages, 1);
	EXPECT_EQ(f->h.big_blocks, 0);
	memset(p, 1, max);
	kfree(p);

	p = heap_kmalloc(&f->h, max + 1, GFP_KERNEL);
	ASSERT(p != NULL);
	EXPECT(page_aligned(p));
	EXPECT_EQ(ksize(p), PAGE_SIZE);
	EXPECT_EQ(f->h.big_blocks, 1);
	EXPECT_EQ(f->h.big_pages, 1);
	kfree(p);
	EXPECT_EQ(f->h.big_blocks, 0);

	node_drain_pages(mem_node);
	for (size_t i = 0; i < ARRAY_SIZE(big); i++) {
		struct page *pg;

		p = heap_kmalloc(&f->h, big[i].size, GFP_KERNEL);
		held[i] = p;
		ASSERT(p != NULL);
		pages += big[i].pages;
		EXPECT(page_aligned(p));
		EXPECT_EQ(ksize(p), PAGE_SIZE * big[i].pages);
		pg = virt_to_page(p);
		if ((big[i].pages & (big[i].pages - 1)) == 0) /* one block: aligned to its size */
			EXPECT((page_to_pfn(pg) & (big[i].pages - 1)) == 0);
		EXPECT_EQ(page_type(pg), PGTY_BIGBLOCK);
		EXPECT(PageHead(pg) && pg->bigblock_pages == big[i].pages);
		EXPECT(pg->priv == (unsigned long)&f->h);
		EXPECT_EQ(f->h.big_pages, pages);
		EXPECT_EQ(f->h.big_blocks, i + 1);
		EXPECT_EQ(nr_free_pages(), f->free0 - pages - f->h.nr_pages);
		memset(p, (int)i, ksize(p));
	}
	for (size_t i = 0; i < ARRAY_SIZE(big); i++) {
		EXPECT(bytes_all(held[i], (int)i, PAGE_SIZE * big[i].pages));
		kfree(held[i]);
		pages -= big[i].pages;
		EXPECT_EQ(f->h.big_pages, pages);
		EXPECT_EQ(nr_free_pages(), f->free0 - pages - f->h.nr_pages);
	}
	EXPECT_EQ(f->h.big_blocks, 0);
	/* The SLOB page (kept by segfit) and all the bigblocks at once. */
	EXPECT_EQ(f->h.peak_pages, f->h.nr_pages + 1 + 2 + 2 + 3 + 3 + 16 + 17);
}
BOTH_MODES(size_limits_and_bigblocks)

/* The heap's bigblock and the buddy allocator agree about it: its pages
 * are the heap's big_pages, its head says how many, and both checkers pass. */
static void expect_bigblock(struct ktest *t, struct fx *f, const void *p, unsigned long n,
			    unsigned long all_big)
{
	struct page *pg = virt_to_page(p);

	EXPECT_EQ(page_type(pg), PGTY_BIGBLOCK);
	EXPECT(PageHead(pg) && pg->priv == (unsigned long)&f->h);
	EXPECT_EQ(pg->bigblock_pages, n);
	EXPECT_EQ(ksize(p), n * PAGE_SIZE);
	EXPECT_EQ(f->h.big_pages, all_big);
	EXPECT_EQ(f->h.big_blocks, 2);
	EXPECT_EQ(nr_free_pages(), f->free0 - all_big - f->h.nr_pages);
	EXPECT_EQ(node_check(mem_node), 0);
	EXPECT_EQ(slob_check(&f->h), 0);
}

/* slob_big_grow, and krealloc through it: a bigblock takes the free pages
 * right after it in place (tiled again for its new count, so kfree gives
 * every page back), and refuses, changing nothing, when the pages after it
 * are another block's or the heap's limit would be passed. krealloc to a
 * power of two the block is not aligned to moves it (kmalloc's alignment). */
static void bigblock_grows_in_place(struct ktest *t, struct fx *f)
{
	u8 *blk[8], *lo = NULL, *hi = NULL, *q;
	unsigned long limit;

	/* Two order-2 blocks side by side (fresh RAM splits a block among a
	 * few such requests), the lowest such pair, the others given back:
	 * the pages after the pair are free. */
	node_drain_pages(mem_node);
	for (int i = 0; i < 8; i++) {
		blk[i] = heap_kmalloc(&f->h, 4 * PAGE_SIZE, GFP_KERNEL);
		ASSERT(blk[i] != NULL);
	}
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 8; j++)
			if (blk[j] == blk[i] + 4 * PAGE_SIZE && (!lo || blk[i] < lo)) {
				lo = blk[i];
				hi = blk[j];
			}
	ASSERT(lo != NULL);
	for (int i = 0; i < 8; i++)
		if (blk[i] != lo && blk[i] != hi)
			kfree(blk[i]);
	node_drain_pages(mem_node);
	ASSERT(free_pages_at(page_to_pfn(virt_to_page(hi)) + 4, 64) >= 16);
	pattern_fill(lo, 1, 0, 4 * PAGE_SIZE);
	pattern_fill(hi, 2, 0, 4 * PAGE_SIZE);
	expect_bigblock(t, f, lo, 4, 8);

	/* The pages after lo are hi's: refused, nothing changed. */
	EXPECT(!slob_big_grow(&f->h, virt_to_page(lo), 5 * PAGE_SIZE, GFP_KERNEL));
	expect_bigblock(t, f, lo, 4, 8);
	EXPECT(slob_big_grow(&f->h, virt_to_page(lo), 4 * PAGE_SIZE, GFP_KERNEL)); /* holds it */

	/* hi grows into the free pages after it, a page and then more. */
	q = krealloc(hi, 5 * PAGE_SIZE - 10, GFP_KERNEL);
	EXPECT(q == hi);
	expect_bigblock(t, f, hi, 5, 9);
	EXPECT(slob_big_grow(&f->h, virt_to_page(hi), 11 * PAGE_SIZE + 1, GFP_KERNEL));
	expect_bigblock(t, f, hi, 12, 16);
	EXPECT_EQ(pattern_first_bad(hi, 2, 4 * PAGE_SIZE), -1);
	EXPECT_EQ(pattern_first_bad(lo, 1, 4 * PAGE_SIZE), -1);
	memset(hi, 3, 12 * PAGE_SIZE); /* every new page is the block's */

	/* The heap's limit: refused at one page short, nothing changed. */
	limit = slob_heap_pages(&f->h) + 1;
	f->h.max_pages = limit;
	EXPECT(!slob_big_grow(&f->h, virt_to_page(hi), 14 * PAGE_SIZE, GFP_KERNEL));
	expect_bigblock(t, f, hi, 12, 16);
	EXPECT(slob_big_grow(&f->h, virt_to_page(hi), 13 * PAGE_SIZE, GFP_KERNEL));
	expect_bigblock(t, f, hi, 13, 17);
	f->h.max_pages = 0;

	/* 16 pages: in place only when hi is aligned to them. */
	q = krealloc(hi, 16 * PAGE_SIZE, GFP_KERNEL);
	ASSERT(q != NULL);
	EXPECT((q == hi) == aligned(hi, 16 * PAGE_SIZE));
	EXPECT(aligned(q, 16 * PAGE_SIZE));
	EXPECT(bytes_all(q, 3, 12 * PAGE_SIZE));
	expect_bigblock(t, f, q, 16, 20);

	/* Freed with the new count: every page comes back (the fixture
	 * checks the count and node_check once lo is gone too). */
	kfree(q);
	EXPECT_EQ(f->h.big_pages, 4);
	EXPECT_EQ(nr_free_pages(), f->free0 - 4 - f->h.nr_pages);
	EXPECT_EQ(node_check(mem_node), 0);
	kfree(lo);
}
BOTH_MODES(bigblock_grows_in_place)

/* The heap's page limit: NULL when a page would be needed, and a later
 * allocation still works; then the page allocator itself running out. */
static void out_of_memory_recovers(struct ktest *t, struct fx *f)
{
	struct slob_heap *h = &f->h;
	void *p[8], *b[4], *x;
	int n = 0;

	h->max_pages = 3;
	/* 2000-byte blocks: two per page in either mode. */
	while (n < 8 && (p[n] = heap_kmalloc(h, 2000, GFP_KERNEL)) != NULL)
		n++;
	EXPECT_EQ(n, 6);
	EXPECT_EQ(h->nr_pages, 3);
	EXPECT(heap_kmalloc(h, 5000, GFP_KERNEL) == NULL); /* a bigblock is over it too */
	EXPECT(slob_alloc(h, 2000, GFP_KERNEL, 0) == NULL);
	EXPECT_EQ(h->big_pages, 0);
	EXPECT_EQ(h->big_blocks, 0);
	EXPECT_EQ(slob_check(h), 0);
	EXPECT_EQ(nr_free_pages(), f->free0 - 3);
	kfree(p[2]);
	p[2] = heap_kmalloc(h, 2000, GFP_KERNEL);
	EXPECT(p[2] != NULL);
	EXPECT_EQ(h->nr_pages, 3);
	for (int i = 0; i < n; i++)
		kfree(p[i]);
	EXPECT_EQ(h->nr_pages, f->mode == SLOB_SEGFIT ? 1 : 0);

	/* Bigblocks against the limit. */
	h->max_pages = 4 + h->nr_pages;
	b[0] = heap_kmalloc(h, 8192, GFP_KERNEL);
	b[1] = heap_kmalloc(h, 8000, GFP_KERNEL);
	b[2] = heap_kmalloc(h, 100, GFP_KERNEL); /* fits the kept page (segfit) or is over */
	EXPECT(b[0] && b[1]);
	EXPECT(f->mode == SLOB_SEGFIT ? b[2] != NULL : b[2] == NULL);
	EXPECT(heap_kmalloc(h, 4096, GFP_KERNEL) == NULL);
	EXPECT_EQ(h->big_pages, 4);
	kfree(b[1]);
	b[1] = heap_kmalloc(h, 4096, GFP_KERNEL);
	b[3] = heap_kmalloc(h, 4096, GFP_KERNEL);
	EXPECT(b[1] && b[3]);
	EXPECT_EQ(h->big_pages, 4);
	for (int i = 0; i < 4; i++)
		kfree(b[i]);
	h->max_pages = 0;

	/* No limit: 4 MiB bigblocks until the page allocator has none. The
	 * failed attempt leaves the counts as they were. */
	{
		void *big[16];
		int nb = 0;

		while (nb < 16 && (big[nb] = heap_kmalloc(h, KMALLOC_MAX_SIZE,
							   GFP_KERNEL | __GFP_NOWARN)) != NULL)
			nb++;
		EXPECT(nb >= 3 && nb < 8);
		EXPECT_EQ(h->big_blocks, nb);
		EXPECT_EQ(h->big_pages, (unsigned long)nb * (KMALLOC_MAX_SIZE / PAGE_SIZE));
		x = heap_kmalloc(h, 100, GFP_KERNEL);
		EXPECT(x != NULL);
		kfree(x);
		while (nb)
			kfree(big[--nb]);
		EXPECT_EQ(h->big_pages, 0);
		EXPECT(h->peak_pages >= 1024ul * 3);
	}
}
BOTH_MODES(out_of_memory_recovers)

/* ---- bad frees ---------------------------------------------------------------- */

struct bad_snap {
	struct slob_stats st;
	unsigned long kerr, bad, free;
};

static void bad_snap(struct fx *f, struct bad_snap *s)
{
	slob_get_stats(&f->h, &s->st);
	s->kerr = kfree_errors;
	s->bad = f->h.nr_bad_frees;
	s->free = nr_free_pages();
}

/*
 * kfree(p) must be reported once, with p's address on the console, and
 * change nothing: the heap's statistics, the free pages and slob_check.
 * @in_heap: p lies in one of f->h's SLOB pages (the heap counts it too).
 */
static bool expect_bad_kfree(struct ktest *t, struct fx *f, const void *p, bool in_heap, int line)
{
	struct bad_snap a, b;
	struct fr_capture cap;
	char addr[32];

	bad_snap(f, &a);
	fr_capture_start(&cap);
	kfree(p);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	if (kfree_errors != a.kerr + 1 || f->h.nr_bad_frees != a.bad + in_heap) {
		/* Taken as a real free: the heap may be damaged, stop here. */
		ktest_fail(t, __FILE__, line, "kfree(%p): kfree_errors +%lu, nr_bad_frees +%lu", p,
			   kfree_errors - a.kerr, f->h.nr_bad_frees - a.bad);
		return false;
	}
	bad_snap(f, &b);
	ksnprintf(addr, sizeof(addr), "%p: ", p);
	if (fr_count_substr(f->out, addr) != 1)
		ktest_fail(t, __FILE__, line, "kfree(%p): console \"%.80s\"", p, f->out);
	if (!stats_eq(&a.st, &b.st) || a.free != b.free)
		ktest_fail(t, __FILE__, line, "kfree(%p) changed the heap", p);
	if (slob_check(&f->h))
		ktest_fail(t, __FILE__, line, "kfree(%p): slob_check fails", p);
	if (kfree_last_error == NULL)
		ktest_fail(t, __FILE__, line, "kfree(%p): no last error", p);
	f->expected_kfree_errors++;
	f->expected_bad_frees += in_heap;
	return true;
}
/* Ends the case when the bad free was taken for a good one. */
#define EXPECT_BAD_KFREE(p, in_heap)                                    \
	do {                                                            \
		if (!expect_bad_kfree(t, f, p, in_heap, __LINE__))      \
			return;                                         \
	} while (0)

/* A small block freed twice, alone and after merging with a free
 * neighbour (before and after it). */
static void bad_free_double_small(struct ktest *t, struct fx *f)
{
	u8 *o[6];

	for (int i = 0; i < 6; i++) {
		o[i] = heap_kmalloc(&f->h, 40, GFP_KERNEL);
		ASSERT(o[i] != NULL);
		pattern_fill(o[i], 100 + (u32)i, 0, 40);
	}
	/* Neighbours in use. */
	kfree(o[1]);
	EXPECT_EQ(kfree_errors, f->kerr0);
	EXPECT_BAD_KFREE(o[1], true);
	EXPECT_EQ(ksize(o[1]), 0);
	/* o[2] merges into the free o[1] before it; o[1] and o[2] again. */
	kfree(o[2]);
	EXPECT_BAD_KFREE(o[2], true);
	EXPECT_BAD_KFREE(o[1], true);
	EXPECT_EQ(ksize(o[2]), 0);
	/* o[4] then o[3]: o[3] absorbs the free o[4] after it. */
	kfree(o[4]);
	kfree(o[3]);
	EXPECT_BAD_KFREE(o[4], true);
	EXPECT_BAD_KFREE(o[3], true);
	EXPECT_EQ(ksize(o[3]), 0);
	EXPECT_EQ(ksize(o[4]), 0);
	EXPECT_EQ(pattern_first_bad(o[0], 100, 40), -1);
	EXPECT_EQ(pattern_first_bad(o[5], 105, 40), -1);
	EXPECT_EQ(f->h.used_bytes, 2 * (ksize(o[0]) + kmalloc_hdr(f->mode, ksize(o[0]))));
	kfree(o[0]);
	kfree(o[5]);
	/* slob_free of a block twice, and of memory no heap page holds, on
	 * both modes (classic used to link them into its free list: the second
	 * free's insertion walk then went round the list for ever). */
	{
		u8 *a = slob_alloc(&f->h, 64, GFP_KERNEL, 0), *b = slob_alloc(&f->h, 64, GFP_KERNEL, 0);
		static u64 foreign[8];
		unsigned long bad;

		struct fr_capture cap;
		char addr[32];

		ASSERT(a && b);
		slob_free(&f->h, a, 64);
		bad = f->h.nr_bad_frees;
		fr_capture_start(&cap);
		slob_free(&f->h, a, 64);
		slob_free(&f->h, foreign, sizeof(foreign));
		fr_capture_end(&cap, f->out, sizeof(f->out));
		ksnprintf(addr, sizeof(addr), "%p: ", (void *)a);
		EXPECT_EQ(fr_count_substr(f->out, addr), 1);
		ksnprintf(addr, sizeof(addr), "%p: ", (void *)foreign);
		EXPECT_EQ(fr_count_substr(f->out, addr), 1);
		EXPECT_EQ(f->h.nr_bad_frees, bad + 2);
		EXPECT_STREQ(f->h.last_error, "slob_free of a block that is not allocated");
		f->expected_bad_frees += 2;
		EXPECT_EQ(slob_check(&f->h), 0);
		slob_free(&f->h, b, 64);
		EXPECT_EQ(slob_check(&f->h), 0);
	}
}
BOTH_MODES(bad_free_double_small)

static void bad_free_double_bigblock(struct ktest *t, struct fx *f)
{
	u8 *keep = heap_kmalloc(&f->h, 5000, GFP_KERNEL);
	u8 *p0 = heap_kmalloc(&f->h, 4096, GFP_KERNEL);
	u8 *p2 = heap_kmalloc(&f->h, 12000, GFP_KERNEL);

	ASSERT(keep && p0 && p2);
	pattern_fill(keep, 9, 0, 5000);
	kfree(p0);
	kfree(p2);
	EXPECT_EQ(f->h.big_pages, 2);
	EXPECT_BAD_KFREE(p0, false);
	EXPECT_BAD_KFREE(p2, false);
	EXPECT_EQ(f->h.big_pages, 2);
	EXPECT_EQ(f->h.big_blocks, 1);
	EXPECT_EQ(ksize(p0), 0);
	EXPECT_EQ(ksize(p2), 0);
	EXPECT_EQ(pattern_first_bad(keep, 9, 5000), -1);
	kfree(keep);
}
BOTH_MODES(bad_free_double_bigblock)

/* @h's statistics (its big_pages and big_blocks: the live bigblocks, not
 * the kept ones). */
static struct slob_stats stats_of(struct slob_heap *h)
{
	struct slob_stats st;

	slob_get_stats(h, &st);
	return st;
}

/* Kept bigblocks (big_keep_max; the malloc library's kmalloc heap): a freed
 * bigblock small enough is kept by the freeing hart, not given back, and
 * that hart's next bigblock of its number of pages, or of up to a quarter
 * fewer, is that block (zeroed when asked; ksize tells its own pages); a
 * second kfree of it is reported and it is handed out once; another hart
 * gets it only when it keeps none itself; blocks above a quarter of
 * big_keep_max, or past it on one hart, go back; max_pages,
 * slob_heap_shrink and the heap's destruction give every hart's kept ones
 * back; slob_check follows. */
static void kept_bigblocks(struct ktest *t, struct fx *f)
{
	const size_t nine = 9 * PAGE_SIZE - 100;
	unsigned long free_out;
	u8 *p, *q, *r, *s, *ten;

	f->h.big_keep_max = 36; /* blocks of up to 9 pages, 36 a hart */
	p = heap_kmalloc(&f->h, nine, GFP_KERNEL);
	ASSERT(p);
	free_out = nr_free_pages();
	kfree(p);
	EXPECT_EQ(slob_big_kept_pages(&f->h), 9);
	EXPECT_EQ(stats_of(&f->h).big_pages, 0);
	EXPECT_EQ(stats_of(&f->h).big_blocks, 0);
	EXPECT_EQ(f->h.big_pages, 9); /* (held: kept ones included) */
	EXPECT_EQ(nr_free_pages(), free_out); /* nothing went back */
	EXPECT_EQ(ksize(p), 0);
	EXPECT_EQ(slob_check(&f->h), 0);
	memset(p, 0x5a, nine);
	q = heap_kmalloc(&f->h, nine - 1000, GFP_KERNEL | __GFP_ZERO); /* 9 pages too */
	EXPECT(q == p);
	ASSERT(q);
	EXPECT(bytes_all(q, 0, 9 * PAGE_SIZE));
	EXPECT_EQ(slob_big_kept_pages(&f->h), 0);
	EXPECT_EQ(stats_of(&f->h).big_pages, 9);
	EXPECT_EQ(stats_of(&f->h).big_blocks, 1);
	EXPECT_EQ(ksize(q), 9 * PAGE_SIZE);
	kfree(q);
	EXPECT_BAD_KFREE(q, false); /* kept: freed already */
	EXPECT_EQ(slob_big_kept_pages(&f->h), 9);
	/* another hart that keeps a block of its own does not take it */
	host_set_cpu(1);
	s = heap_kmalloc(&f->h, 2 * PAGE_SIZE, GFP_KERNEL);
	ASSERT(s);
	kfree(s); /* kept by cpu 1 */
	r = heap_kmalloc(&f->h, nine, GFP_KERNEL);
	ASSERT(r);
	EXPECT(r != q);
	kfree(r); /* kept by cpu 1 */
	EXPECT_EQ(slob_big_kept_pages(&f->h), 20);
	EXPECT_EQ(slob_check(&f->h), 0);
	/* one that keeps none takes another hart's (a producer whose blocks
	 * another thread frees) */
	host_set_cpu(2);
	p = heap_kmalloc(&f->h, nine, GFP_KERNEL);
	EXPECT(p == q || p == r);
	EXPECT_EQ(slob_big_kept_pages(&f->h), 11);
	kfree(p); /* kept by cpu 2 now */
	EXPECT_EQ(slob_big_kept_pages(&f->h), 20);
	EXPECT_EQ(slob_check(&f->h), 0);
	EXPECT_EQ(slob_heap_shrink(&f->h), 20); /* every hart's */
	host_set_cpu(0);
	r = heap_kmalloc(&f->h, nine, GFP_KERNEL);
	ASSERT(r);
	kfree(r);
	r = heap_kmalloc(&f->h, nine, GFP_KERNEL);
	s = heap_kmalloc(&f->h, nine, GFP_KERNEL);
	ASSERT(r && s);
	EXPECT(s != r); /* handed out once */
	ten = heap_kmalloc(&f->h, 10 * PAGE_SIZE, GFP_KERNEL);
	ASSERT(ten);
	free_out = nr_free_pages();
	kfree(ten); /* more than a quarter of big_keep_max: goes back */
	EXPECT_EQ(slob_big_kept_pages(&f->h), 0);
	EXPECT_EQ(nr_free_pages(), free_out + 10);
	kfree(r);
	kfree(s);
	EXPECT_EQ(slob_big_kept_pages(&f->h), 18);
	EXPECT_EQ(slob_check(&f->h), 0);
	/* 8 pages take a kept 9 (at most a quarter more), 7 do not */
	p = heap_kmalloc(&f->h, 8 * PAGE_SIZE, GFP_KERNEL);
	ASSERT(p);
	EXPECT(p == r || p == s);
	EXPECT_EQ(ksize(p), 9 * PAGE_SIZE);
	EXPECT_EQ(slob_big_kept_pages(&f->h), 9);
	kfree(p);
	/* 32 + 7 > 36: the oldest kept block (9 pages) goes back for the new one */
	p = heap_kmalloc(&f->h, 7 * PAGE_SIZE, GFP_KERNEL);
	q = heap_kmalloc(&f->h, 7 * PAGE_SIZE, GFP_KERNEL);
	r = heap_kmalloc(&f->h, 7 * PAGE_SIZE, GFP_KERNEL);
	ASSERT(p && q && r);
	EXPECT_EQ(slob_big_kept_pages(&f->h), 18); /* (a miss keeps them) */
	kfree(p);
	kfree(q);
	EXPECT_EQ(slob_big_kept_pages(&f->h), 32);
	free_out = nr_free_pages();
	kfree(r);
	EXPECT_EQ(slob_big_kept_pages(&f->h), 30);
	EXPECT_EQ(nr_free_pages(), free_out + 9);
	EXPECT_EQ(slob_check(&f->h), 0);
	EXPECT_EQ(slob_heap_shrink(&f->h), 30);
	/* the slots full (SLOB_BIG_KEEP): the oldest goes back */
	{
		void *one[SLOB_BIG_KEEP + 1];

		for (int i = 0; i <= SLOB_BIG_KEEP; i++) {
			one[i] = heap_kmalloc(&f->h, PAGE_SIZE, GFP_KERNEL);
			ASSERT(one[i]);
		}
		for (int i = 0; i <= SLOB_BIG_KEEP; i++)
			kfree(one[i]);
		EXPECT_EQ(slob_big_kept_pages(&f->h), SLOB_BIG_KEEP);
		EXPECT_EQ(ksize(one[0]), 0);
		EXPECT_EQ(virt_to_page(one[0])->flags & PG_head, 0); /* given back: no block head */
		EXPECT_EQ(slob_check(&f->h), 0);
		EXPECT_EQ(slob_heap_shrink(&f->h), SLOB_BIG_KEEP);
	}
	/* a request max_pages refuses gives every hart's kept ones back first */
	p = heap_kmalloc(&f->h, nine, GFP_KERNEL);
	ASSERT(p);
	kfree(p);
	host_set_cpu(2);
	p = heap_kmalloc(&f->h, 2 * PAGE_SIZE, GFP_KERNEL); /* (cpu 0's 9 pages do not fit) */
	ASSERT(p);
	kfree(p);
	EXPECT_EQ(slob_big_kept_pages(&f->h), 11);
	f->h.max_pages = 20;
	p = heap_kmalloc(&f->h, 20 * PAGE_SIZE, GFP_KERNEL);
	EXPECT(p != NULL);
	EXPECT_EQ(slob_big_kept_pages(&f->h), 0);
	kfree(p);
	f->h.max_pages = 0;
	host_set_cpu(0);
	/* shrinking gives them back */
	p = heap_kmalloc(&f->h, nine, GFP_KERNEL);
	ASSERT(p);
	kfree(p);
	EXPECT_EQ(slob_big_kept_pages(&f->h), 9);
	EXPECT_EQ(slob_heap_shrink(&f->h), 9);
	EXPECT_EQ(slob_big_kept_pages(&f->h), 0);
	/* a kept block serves only requests its zone satisfies: the fake
	 * RAM is all DMA32, ZONE_DMA empty, so GFP_DMA never gets it */
	p = heap_kmalloc(&f->h, nine, GFP_KERNEL);
	ASSERT(p);
	ASSERT_EQ(page_zonenum(virt_to_page(p)), ZONE_DMA32);
	kfree(p);
	q = heap_kmalloc(&f->h, nine, GFP_DMA | __GFP_NOWARN);
	EXPECT(q != p);
	kfree(q);
	/* and the heap's destruction (the fixture's teardown counts the pages),
	 * with a block kept on another hart */
	host_set_cpu(3);
	p = heap_kmalloc(&f->h, PAGE_SIZE, GFP_KERNEL);
	ASSERT(p);
	kfree(p);
	host_set_cpu(0);
	EXPECT_EQ(slob_big_kept_pages(&f->h), 10);
	EXPECT_EQ(slob_check(&f->h), 0);
}
BOTH_MODES(kept_bigblocks)

/* Pointers into the middle of a small block. */
static void bad_free_inside_block(struct ktest *t, struct fx *f)
{
	u8 *p = heap_kmalloc(&f->h, 200, GFP_KERNEL), *z = kzalloc(200, GFP_KERNEL);
	static const size_t offs[] = { 1, 4, 8, 16, 32, 96, 192 };

	ASSERT(p && z);
	/* 0x5a in every byte: whatever word a wrong pointer finds in front of
	 * it is no valid header (segfit: the free bit is set; classic: no
	 * magic), whatever the heap's secret. */
	memset(p, 0x5a, 200);
	for (size_t i = 0; i < ARRAY_SIZE(offs); i++) {
		EXPECT_EQ(ksize(p + offs[i]), 0);
		EXPECT_BAD_KFREE(p + offs[i], true);
		EXPECT_EQ(ksize(z + offs[i]), 0);
	}
	if (f->mode == SLOB_SEGFIT) {
		/* A copy of p's header 8 bytes on: its cookie is for another
		 * address. */
		memcpy(p + 4, p - 4, 4);
		EXPECT_EQ(ksize(p + 8), 0);
		EXPECT_BAD_KFREE(p + 8, true);
		memset(p + 4, 0x5a, 4);
	}
	EXPECT(bytes_all(p, 0x5a, 200));
	EXPECT(bytes_all(z, 0, 200));
	EXPECT(ksize(p) >= 200);
	kfree(p);
	kfree(z);
}
BOTH_MODES(bad_free_inside_block)

static void bad_free_inside_bigblock(struct ktest *t, struct fx *f)
{
	u8 *p = heap_kmalloc(&f->h, 3 * PAGE_SIZE, GFP_KERNEL);

	ASSERT(p != NULL);
	pattern_fill(p, 5, 0, 3 * PAGE_SIZE);
	EXPECT_BAD_KFREE(p + 8, false);
	EXPECT_STREQ(kfree_last_error, "points inside a bigblock, not at its start");
	EXPECT_BAD_KFREE(p + PAGE_SIZE, false);  /* a tail page */
	EXPECT_BAD_KFREE(p + 2 * PAGE_SIZE, false); /* the exact run's second block */
	EXPECT_BAD_KFREE(p + 3 * PAGE_SIZE + 16, false);
	EXPECT_EQ(ksize(p + 8), 0);
	EXPECT_EQ(ksize(p + PAGE_SIZE), 0);
	EXPECT_EQ(ksize(p + 2 * PAGE_SIZE), 0);
	EXPECT_EQ(f->h.big_pages, 3);
	EXPECT_EQ(pattern_first_bad(p, 5, 3 * PAGE_SIZE), -1);
	{
		struct fr_capture cap;

		fr_capture_start(&cap);
		EXPECT(krealloc(p + 8, 100000, GFP_KERNEL) == NULL);
		fr_capture_end(&cap, f->out, sizeof(f->out));
		EXPECT(strstr(f->out, "points inside a bigblock") != NULL);
		f->expected_kfree_errors++;
	}
	EXPECT_EQ(f->h.big_pages, 3);
	kfree(p);
	EXPECT_EQ(f->h.big_pages, 0);
}
BOTH_MODES(bad_free_inside_bigblock)

static int a_global[4];

/* Memory kmalloc never handed out: the stack, a global, a page from
 * alloc_pages, a struct page, a SLOB page's free space. */
static void bad_free_foreign_memory(struct ktest *t, struct fx *f)
{
	int local[4] = { 1, 2, 3, 4 };
	struct page *pg = alloc_pages(GFP_KERNEL, 1);
	u8 *keep = heap_kmalloc(&f->h, 100, GFP_KERNEL);
	u8 *va;

	ASSERT(pg && keep);
	va = page_address(pg);
	pattern_fill(va, 11, 0, 2 * PAGE_SIZE);
	pattern_fill(keep, 12, 0, 100);
	EXPECT_BAD_KFREE(local, false);
	EXPECT_BAD_KFREE(a_global, false);
	EXPECT_BAD_KFREE(va, false);
	EXPECT_BAD_KFREE(va + PAGE_SIZE, false);
	EXPECT_BAD_KFREE(pg, false);
	EXPECT_BAD_KFREE(keep + 1024, true); /* free space of keep's page */
	EXPECT_BAD_KFREE((void *)(uintptr_t)0x1000, false);
	EXPECT_EQ(ksize(local), 0);
	EXPECT_EQ(ksize(va), 0);
	EXPECT_EQ(local[0] + local[3], 5);
	EXPECT_EQ(page_count(pg), 1);
	EXPECT_EQ(page_type(pg), PGTY_NONE);
	EXPECT_EQ(pattern_first_bad(va, 11, 2 * PAGE_SIZE), -1);
	EXPECT_EQ(pattern_first_bad(keep, 12, 100), -1);
	__free_pages(pg, 1);
	kfree(keep);
}
BOTH_MODES(bad_free_foreign_memory)

/* ---- slob_alloc with alignment ------------------------------------------------ */

/*
 * On a heap holding one page with one 16-byte block at its start, an
 * aligned block of 100 bytes leaves the bytes it skipped as a free block:
 * free space, blocks and largest known exactly. Freeing it restores the
 * page exactly as it was.
 */
static void aligned_alloc_exact(struct ktest *t, struct fx *f)
{
	static const size_t aligns[] = { 16, 64, 256, 1024 };
	struct slob_heap *h = &f->h;

	for (size_t i = 0; i < ARRAY_SIZE(aligns); i++) {
		size_t a = aligns[i];
		struct slob_stats before, st;
		uintptr_t page;
		unsigned long gap, block, rest, slack = 0;
		u8 *first, *p;

		first = slob_alloc(h, 16, GFP_KERNEL, 0);
		ASSERT(first != NULL);
		page = (uintptr_t)first & PAGE_MASK;
		slob_get_stats(h, &before);
		p = slob_alloc(h, 100, GFP_KERNEL, a);
		ASSERT(p != NULL);
		EXPECT(aligned(p, a));
		EXPECT_EQ((uintptr_t)p & PAGE_MASK, page);
		pattern_fill(p, 21, 0, 100);
		EXPECT_EQ(pattern_first_bad(p, 21, 100), -1);
		EXPECT_EQ(slob_check(h), 0);
		slob_get_stats(h, &st);
		if (f->mode == SLOB_SEGFIT) {
			/* first: header at 12, block 32 bytes; the free block
			 * after it has its payload at 48; p's header is 4 before
			 * p. A gap under 32 bytes (16: a = 64) cannot be a free
			 * block and becomes slack at the end of first. */
			gap = (uintptr_t)p - 4 - (page + 44);
			block = 112;
			slack = gap < 32 ? gap : 0;
			EXPECT_EQ(gap, a == 16 ? 0 : a - 48);
			rest = SEG_PAGE_BYTES - 32 - gap - block;
			EXPECT_EQ(st.used_bytes, 32 + slack + block);
			EXPECT_EQ(st.free_blocks, 1 + (gap >= 32));
			EXPECT_EQ(st.free_bytes, rest - 4 + (gap >= 32 ? gap - 4 : 0));
			EXPECT_EQ(st.largest_free, MAX(rest, gap >= 32 ? gap : 0) - 4);
			EXPECT_EQ(slob_ksize(h, first), 28 + slack);
		} else {
			/* first: 16 bytes at 0; the rest of the page free from 16. */
			gap = (uintptr_t)p - (page + 16);
			block = 112;
			EXPECT_EQ(gap, a - 16);
			rest = PAGE_SIZE - 16 - gap - block;
			EXPECT_EQ(st.used_bytes, 16 + block);
			EXPECT_EQ(st.free_blocks, 1 + (gap != 0));
			EXPECT_EQ(st.free_bytes, rest + gap);
			EXPECT_EQ(st.largest_free, MAX(rest, gap));
		}
		EXPECT_EQ(st.pages, 1);
		if (f->mode == SLOB_SEGFIT && a >= 64)
			EXPECT(gap >= 16); /* something was skipped */
		slob_free(h, p, 100);
		EXPECT_EQ(slob_check(h), 0);
		slob_get_stats(h, &st);
		if (slack) { /* first keeps its slack until it is freed */
			before.used_bytes += slack;
			before.free_bytes -= slack;
			before.largest_free -= slack;
			before.fragmentation_pct = st.fragmentation_pct;
		}
		EXPECT(stats_eq(&st, &before));
		slob_free(h, first, 16);
		EXPECT_EQ(h->nr_pages, f->mode == SLOB_SEGFIT ? 1 : 0);
		EXPECT_EQ(h->used_bytes, 0);
	}
}
BOTH_MODES(aligned_alloc_exact)

/*
 * Every size for each alignment, behind blocks of a few sizes so the free
 * block it comes from starts at different offsets: aligned, usable, the
 * page's bytes all accounted for, slob_check passes; freed, the heap is back
 * to what it was.
 */
static void aligned_alloc_sweep(struct ktest *t, struct fx *f)
{
	static const size_t aligns[] = { 16, 64, 256, 1024 };
	static const size_t pre_sizes[] = { 0, 8, 40, 100 };
	struct slob_heap *h = &f->h;
	int failures = 0;

	for (size_t pi = 0; pi < ARRAY_SIZE(pre_sizes); pi++) {
		u8 *pre = pre_sizes[pi] ? slob_alloc(h, pre_sizes[pi], GFP_KERNEL, 0) : NULL;

		for (size_t ai = 0; ai < ARRAY_SIZE(aligns); ai++) {
			size_t a = aligns[ai];

			for (size_t n = 1; n <= 4096 && failures < 5; n += n < 3800 ? 5 : 1) {
				struct slob_stats before, st;
				u8 *p;

				slob_get_stats(h, &before);
				p = slob_alloc(h, n, GFP_KERNEL, a);
				if (!p) {
					/* Only a size that cannot fit with the alignment. */
					if (n + a + 64 <= SEG_PAGE_BYTES - pre_sizes[pi]) {
						ktest_fail(t, __FILE__, __LINE__,
							   "slob_alloc(%zu, align %zu) failed", n, a);
						failures++;
					}
					continue;
				}
				p[0] = 1;
				p[n - 1] = 2;
				slob_get_stats(h, &st);
				if (!aligned(p, a) || slob_check(h) ||
				    accounted_bytes(f->mode, &st) != page_bytes(f->mode, &st)) {
					ktest_fail(t, __FILE__, __LINE__,
						   "slob_alloc(%zu, align %zu) behind %zu: %p, check or count wrong",
						   n, a, pre_sizes[pi], p);
					failures++;
				}
				slob_free(h, p, n);
				slob_get_stats(h, &st);
				/* The peak may rise; segfit may keep the page it took
				 * (wholly free, one more free block). */
				before.peak_pages = st.peak_pages;
				if (f->mode == SLOB_SEGFIT && st.pages == before.pages + 1 &&
				    st.free_blocks == before.free_blocks + 1 &&
				    st.free_bytes == before.free_bytes + SEG_PAGE_BYTES - SEG_HDR_BYTES &&
				    st.used_bytes == before.used_bytes && f->h.nr_empty == 1)
					before = st;
				if (slob_check(h) || !stats_eq(&st, &before)) {
					ktest_fail(t, __FILE__, __LINE__,
						   "slob_free(%zu, align %zu) behind %zu: heap not restored",
						   n, a, pre_sizes[pi]);
					failures++;
				}
			}
		}
		if (pre)
			slob_free(h, pre, pre_sizes[pi]);
	}
	/* Alignments that are no power of two, or above a page (a block
	 * never crosses one), are refused without taking a page. */
	EXPECT(slob_alloc(h, 10, GFP_KERNEL, 24) == NULL);
	EXPECT(slob_alloc(h, 0, GFP_KERNEL, 0) == NULL);
	slob_heap_destroy(h);
	for (int i = 0; i < 4; i++) {
		struct page *odd = alloc_pages(GFP_KERNEL, 0); /* shift the next pages */

		EXPECT(slob_alloc(h, 100, GFP_KERNEL, 2 * PAGE_SIZE) == NULL);
		EXPECT(slob_alloc(h, 100, GFP_KERNEL, 64 * PAGE_SIZE) == NULL);
		EXPECT_EQ(h->nr_pages, 0);
		EXPECT_EQ(slob_check(h), 0);
		if (odd)
			__free_pages(odd, 0);
	}
	/* A page's alignment: classic can give a page's first unit. */
	{
		u8 *p = slob_alloc(h, 100, GFP_KERNEL, PAGE_SIZE);

		EXPECT(f->mode == SLOB_SEGFIT ? p == NULL : p != NULL && aligned(p, PAGE_SIZE));
		if (p)
			slob_free(h, p, 100);
		EXPECT_EQ(slob_check(h), 0);
	}
	EXPECT_EQ(h->used_bytes, 0);
}
BOTH_MODES(aligned_alloc_sweep)

/* ---- pages go back ------------------------------------------------------------ */

static void page_return(struct ktest *t, struct fx *f)
{
	struct slob_heap *h = &f->h;
	bool seg = f->mode == SLOB_SEGFIT;
	size_t max = small_max(f->mode);
	u8 *big[3], *o[200];
	uintptr_t pages[3] = { 0 };
	int n = 0, npages = 0;

	/* Whole-page objects: segfit keeps the first page that empties. */
	for (int i = 0; i < 3; i++) {
		big[i] = heap_kmalloc(h, max, GFP_KERNEL);
		ASSERT(big[i] != NULL);
	}
	EXPECT_EQ(h->nr_pages, 3);
	EXPECT_EQ(nr_free_pages(), f->free0 - 3);
	kfree(big[0]);
	EXPECT_EQ(h->nr_pages, seg ? 3 : 2);
	kfree(big[1]);
	EXPECT_EQ(h->nr_pages, seg ? 2 : 1);
	kfree(big[2]);
	EXPECT_EQ(h->nr_pages, seg ? 1 : 0);
	EXPECT_EQ(nr_free_pages(), f->free0 - h->nr_pages);
	EXPECT_EQ(slob_heap_destroy(h), 0);
	EXPECT_EQ(h->nr_pages, 0);
	EXPECT_EQ(nr_free_pages(), f->free0);

	/* 100-byte objects filling three pages: as many as the first holds. */
	for (int per_page = 0; n < (int)ARRAY_SIZE(o) && (!per_page || n < 3 * per_page); n++) {
		uintptr_t pg;

		o[n] = heap_kmalloc(h, 100, GFP_KERNEL);
		ASSERT(o[n] != NULL);
		pg = (uintptr_t)o[n] & PAGE_MASK;
		if (!npages || pages[npages - 1] != pg) {
			ASSERT(npages < 3);
			if (npages == 1)
				per_page = n;
			pages[npages++] = pg;
		}
	}
	ASSERT_EQ(npages, 3);
	EXPECT_EQ(n, seg ? 3 * 36 : 3 * 32);
	EXPECT_EQ(h->nr_pages, 3);
	EXPECT_EQ(slob_heap_destroy(h), 3); /* all busy: nothing given back */
	EXPECT_EQ(h->nr_pages, 3);
	/* Empty page 0, from its last object back: kept by segfit only. */
	for (int i = n - 1; i >= 0; i--)
		if (((uintptr_t)o[i] & PAGE_MASK) == pages[0])
			kfree(o[i]);
	EXPECT_EQ(h->nr_pages, seg ? 3 : 2);
	EXPECT_EQ(page_type(virt_to_page((void *)pages[0])), seg ? PGTY_SLOB : PGTY_NONE);
	/* Empty page 1, odd objects first: given back in both modes. */
	for (int pass = 0; pass < 2; pass++)
		for (int i = pass; i < n; i += 2)
			if (((uintptr_t)o[i] & PAGE_MASK) == pages[1])
				kfree(o[i]);
	EXPECT_EQ(h->nr_pages, seg ? 2 : 1);
	EXPECT_EQ(page_type(virt_to_page((void *)pages[1])), PGTY_NONE);
	EXPECT_EQ(nr_free_pages(), f->free0 - h->nr_pages);
	EXPECT_EQ(slob_check(h), 0);
	/* destroy gives back the kept page, not the busy one. */
	EXPECT_EQ(slob_heap_destroy(h), 1);
	EXPECT_EQ(h->nr_pages, 1);
	EXPECT_EQ(nr_free_pages(), f->free0 - 1);
	EXPECT_EQ(slob_check(h), 0);
	for (int i = 0; i < n; i++)
		if (((uintptr_t)o[i] & PAGE_MASK) == pages[2])
			kfree(o[i]);
	EXPECT_EQ(h->nr_pages, seg ? 1 : 0);
	EXPECT_EQ(h->used_bytes, 0);
}
BOTH_MODES(page_return)

/* ---- statistics ------------------------------------------------------------------ */

static void stats_known_state(struct ktest *t, struct fx *f)
{
	struct slob_heap *h = &f->h;
	bool seg = f->mode == SLOB_SEGFIT;
	struct slob_stats st;
	u8 *a, *b, *c, *x, *y;

	slob_get_stats(h, &st);
	EXPECT_EQ(st.pages + st.free_bytes + st.free_blocks + st.largest_free + st.big_blocks +
			  st.big_pages + st.peak_pages + st.used_bytes + st.fragmentation_pct,
		  0);
	a = heap_kmalloc(h, 100, GFP_KERNEL);
	b = heap_kmalloc(h, 200, GFP_KERNEL);
	c = heap_kmalloc(h, 300, GFP_KERNEL);
	ASSERT(a && b && c);
	EXPECT(a < b && b < c);
	kfree(b);
	slob_get_stats(h, &st);
	EXPECT_EQ(st.pages, 1);
	if (seg) {
		/* Blocks 112, 208 (free), 304, then 3456 free: payloads 204 + 3452. */
		EXPECT_EQ(st.used_bytes, 416);
		EXPECT_EQ(st.free_bytes, 3656);
		EXPECT_EQ(st.largest_free, 3452);
		EXPECT_EQ(st.fragmentation_pct, 6); /* 100 - 345200 / 3656 */
	} else {
		/* Units of 16: 8, 14 (free), 20, then 214 free. */
		EXPECT_EQ(st.used_bytes, 448);
		EXPECT_EQ(st.free_bytes, 3648);
		EXPECT_EQ(st.largest_free, 3424);
		EXPECT_EQ(st.fragmentation_pct, 7); /* 100 - 342400 / 3648 */
	}
	EXPECT_EQ(st.free_blocks, 2);
	EXPECT_EQ(st.big_blocks, 0);
	EXPECT_EQ(st.peak_pages, 1);

	x = heap_kmalloc(h, 8192, GFP_KERNEL);
	y = heap_kmalloc(h, 3 * PAGE_SIZE, GFP_KERNEL);
	ASSERT(x && y);
	slob_get_stats(h, &st);
	EXPECT_EQ(st.big_blocks, 2);
	EXPECT_EQ(st.big_pages, 5); /* 2 + 3 exact pages */
	EXPECT_EQ(st.peak_pages, 6);
	kfree(x);
	kfree(y);
	kfree(a);
	kfree(c);
	slob_get_stats(h, &st);
	EXPECT_EQ(st.big_blocks, 0);
	EXPECT_EQ(st.big_pages, 0);
	EXPECT_EQ(st.peak_pages, 6); /* a peak stays */
	EXPECT_EQ(st.used_bytes, 0);
	EXPECT_EQ(st.pages, seg ? 1 : 0);
	EXPECT_EQ(st.fragmentation_pct, 0);
	EXPECT_EQ(st.free_blocks, seg ? 1 : 0);
	EXPECT_EQ(st.free_bytes, seg ? 4076 : 0);
	EXPECT_EQ(st.largest_free, seg ? 4076 : 0);
	if (seg) {
		/* a, b and c wait parked on the idle page (blocks of 112, 208
		 * and 304 bytes before the 3456 free), counted as the one free
		 * block they merge into at the next search */
		EXPECT(h->seg_parked[SEG_PARK_SLOT(112)] == (u32 *)a - 1);
		EXPECT(h->seg_parked[SEG_PARK_SLOT(208)] == (u32 *)b - 1);
		EXPECT(h->seg_parked[SEG_PARK_SLOT(304)] == (u32 *)c - 1);
		EXPECT_EQ(st.parked_blocks, 3);
		EXPECT_EQ(st.parked_bytes, 108 + 204 + 300);
	}

	/* A full page: no free byte, no fragmentation. */
	a = heap_kmalloc(h, small_max(f->mode), GFP_KERNEL);
	ASSERT(a != NULL);
	slob_get_stats(h, &st);
	EXPECT_EQ(st.free_bytes, 0);
	EXPECT_EQ(st.free_blocks, 0);
	EXPECT_EQ(st.fragmentation_pct, 0);
	EXPECT_EQ(st.used_bytes, seg ? 4080 : 4096);
	/* Holes between blocks in use. */
	kfree(a);
	{
		u8 *o[8];

		for (int i = 0; i < 8; i++) {
			o[i] = heap_kmalloc(h, 500, GFP_KERNEL);
			ASSERT(o[i] != NULL);
		}
		for (int i = 0; i < 8; i += 2)
			kfree(o[i]);
		slob_get_stats(h, &st);
		EXPECT_EQ(st.used_bytes, 4 * (ksize(o[1]) + kmalloc_hdr(f->mode, ksize(o[1]))));
		if (seg) {
			/* Blocks of 512: 7 in the first page (496 bytes left,
			 * which the hole of the 7th joins), the 8th at the start
			 * of a second page; free payloads: three holes of 508,
			 * 1004, and the second page's 3564: 100 - 356400 / 6092. */
			EXPECT_EQ(st.pages, 2);
			EXPECT_EQ(st.free_blocks, 5);
			EXPECT_EQ(st.free_bytes, 3 * 508 + 1004 + 3564);
			EXPECT_EQ(st.largest_free, 3564);
			EXPECT_EQ(st.fragmentation_pct, 42);
		} else {
			/* Blocks of 33 units (528): 7 in the first page (400
			 * bytes left, which the hole of 6 joins), the 8th at the
			 * start of a second page; free: three holes of 528, 928,
			 * and the second page's 3568. */
			EXPECT_EQ(st.pages, 2);
			EXPECT_EQ(st.free_blocks, 5);
			EXPECT_EQ(st.free_bytes, 2 * PAGE_SIZE - 4 * 528);
			EXPECT_EQ(st.largest_free, PAGE_SIZE - 528);
			EXPECT_EQ(st.fragmentation_pct, 100 - (PAGE_SIZE - 528) * 100 / (2 * PAGE_SIZE - 4 * 528));
		}
		for (int i = 1; i < 8; i += 2)
			kfree(o[i]);
	}
}
BOTH_MODES(stats_known_state)

/* ---- the checker itself ---------------------------------------------------------- */

static void slob_check_finds_damage(struct ktest *t, struct fx *f)
{
	struct slob_heap *h = &f->h;
	struct fr_capture cap;
	u8 *a = heap_kmalloc(h, 40, GFP_KERNEL), *b = heap_kmalloc(h, 40, GFP_KERNEL);
	u8 *c = heap_kmalloc(h, 40, GFP_KERNEL);
	int errors;

	ASSERT(a && b && c);
	kfree(b);
	EXPECT_EQ(slob_check(h), 0);
	if (f->mode == SLOB_SEGFIT) {
		u32 *hc = (u32 *)(c - 4), saved = *hc;

		*hc ^= 1u << 10; /* c's previous-size field */
		fr_capture_start(&cap);
		errors = slob_check(h);
		fr_capture_end(&cap, f->out, sizeof(f->out));
		*hc = saved;
	} else {
		struct slob_block *fb = (struct slob_block *)(b - 16); /* the free block */
		long saved = fb->units;

		fb->units += 1;
		fr_capture_start(&cap);
		errors = slob_check(h);
		fr_capture_end(&cap, f->out, sizeof(f->out));
		fb->units = saved;
	}
	EXPECT(errors > 0);
	EXPECT(strstr(f->out, "slob_check: test: ") != NULL);
	h->used_bytes += 8;
	fr_capture_start(&cap);
	errors = slob_check(h);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	h->used_bytes -= 8;
	EXPECT(errors > 0);
	EXPECT_EQ(slob_check(h), 0);
	kfree(a);
	kfree(c);
}
BOTH_MODES(slob_check_finds_damage)

/* ---- segfit's size pages ---------------------------------------------------------- */

/* Objects per quarter of @size bytes (a 2048 unit: one). */
static unsigned long per_quarter(size_t size)
{
	return size == 2048 ? 1 : 1024 / size;
}

/* Size pages N objects of @size take: their quarters four to a page (a
 * 2048 object's page holds two). */
static unsigned long pages_for(size_t size, unsigned long n)
{
	unsigned long quarters = (n + per_quarter(size) - 1) / per_quarter(size);

	return size == 2048 ? (n + 1) / 2 : (quarters + 3) / 4;
}

/* kmalloc of a power of two 16..2048 (and of 1..16) takes headerless
 * objects of size pages, aligned to their size, packed: N objects take
 * ceil(N / per quarter) quarters, four to a page, and exactly N * size
 * used bytes. Each size on a heap of its own. */
static void size_pages_pack(struct ktest *t, struct fx *f)
{
	static const size_t sizes[] = { 1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048 };
	static void *o[520];

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t obj = MAX(sizes[i], (size_t)16);
		unsigned long n = 2 * (PAGE_SIZE / obj) + 1, pages;

		ASSERT(n <= ARRAY_SIZE(o));
		for (unsigned long k = 0; k < n; k++) {
			o[k] = heap_kmalloc(&f->h, sizes[i], GFP_KERNEL);
			ASSERT(o[k]);
			EXPECT(aligned(o[k], obj));
			EXPECT_EQ(ksize(o[k]), obj);
			pattern_fill(o[k], (u32)k, 0, obj);
		}
		pages = pages_for(obj, n);
		EXPECT_EQ(f->h.nr_pages, pages);
		EXPECT_EQ(f->h.sp_pages, pages);
		/* Each full page has objects at its first and last bytes: no
		 * header (n fills pages - 1 pages). */
		for (unsigned long k = 0, first = 0, last = 0; k <= n; k++) {
			if (k == n) {
				EXPECT(first >= pages - 1 && last >= pages - 1);
				break;
			}
			first += ((uintptr_t)o[k] & (PAGE_SIZE - 1)) == 0;
			last += ((uintptr_t)o[k] & (PAGE_SIZE - 1)) == PAGE_SIZE - obj;
		}
		EXPECT_EQ(f->h.used_bytes, n * obj);
		EXPECT_EQ(slob_check(&f->h), 0);
		for (unsigned long k = 0; k < n; k++) {
			EXPECT(pattern_first_bad(o[k], (u32)k, obj) < 0);
			kfree(o[k]);
		}
		/* One empty size page kept and, below 2048, the page of the
		 * size's idle quarter: the others went back. */
		EXPECT_EQ(f->h.nr_pages, obj == 2048 ? 1 : 2);
		EXPECT_EQ(slob_reuse_pages(&f->h), f->h.nr_pages);
		EXPECT_EQ(f->h.used_bytes, 0);
		EXPECT_EQ(slob_check(&f->h), 0);
		EXPECT_EQ(slob_heap_destroy(&f->h), 0);
		EXPECT_EQ(f->h.nr_pages, 0);
		slob_heap_init(&f->h, "test", SLOB_SEGFIT);
	}
}

static void size_pages_pack_segfit(struct ktest *t)
{
	if (fx_setup(t, SLOB_SEGFIT)) {
		size_pages_pack(t, &fx);
		fx_teardown(t);
	}
}

/* A second kfree of a size page object, and a kfree inside one, are
 * reported and change nothing: the object is not handed out twice. Both
 * a quarter's first free object (its head, which carries the list links
 * instead of a marker) and one behind it. */
static void size_page_bad_frees(struct ktest *t, struct fx *f)
{
	u8 *a = heap_kmalloc(&f->h, 64, GFP_KERNEL), *b = heap_kmalloc(&f->h, 64, GFP_KERNEL);
	u8 *e = heap_kmalloc(&f->h, 64, GFP_KERNEL), *c, *d;

	ASSERT(a && b && e);
	kfree(a);
	kfree(e); /* e heads the quarter's free list now, a is behind it */
	EXPECT_BAD_KFREE(e, true);
	EXPECT_BAD_KFREE(a, true);
	EXPECT_BAD_KFREE(b + 16, true);
	EXPECT_EQ(ksize(a), 0);
	EXPECT_EQ(ksize(e), 0);
	EXPECT_EQ(ksize(b + 16), 0);
	EXPECT_EQ(ksize(b), 64);
	EXPECT_EQ(slob_check(&f->h), 0);
	c = heap_kmalloc(&f->h, 64, GFP_KERNEL);
	d = heap_kmalloc(&f->h, 64, GFP_KERNEL);
	ASSERT(c && d);
	EXPECT(c == e && d == a); /* LIFO, each once */
	EXPECT(c != d && c != b && d != b);
	EXPECT_EQ(slob_check(&f->h), 0);
	kfree(b);
	kfree(c);
	kfree(d);
}

static void size_page_bad_frees_segfit(struct ktest *t)
{
	if (fx_setup(t, SLOB_SEGFIT)) {
		size_page_bad_frees(t, &fx);
		fx_teardown(t);
	}
}

/* slob_check sees a write into a freed size page object (its marker), a
 * free list that leaves its quarter, and a damaged list link in a
 * quarter's head object. */
static void size_page_check_finds_damage(struct ktest *t, struct fx *f)
{
	u8 *a = heap_kmalloc(&f->h, 128, GFP_KERNEL), *b = heap_kmalloc(&f->h, 128, GFP_KERNEL);
	u8 *c = heap_kmalloc(&f->h, 128, GFP_KERNEL);
	u64 saved;
	u16 link;
	int errors;

	ASSERT(a && b && c);
	kfree(a);
	kfree(c); /* c heads the free list, a behind it */
	EXPECT_EQ(slob_check(&f->h), 0);
	saved = *(u64 *)(a + 8);
	a[9] ^= 0x40; /* a use after free */
	errors = check_captured(f);
	*(u64 *)(a + 8) = saved;
	EXPECT(errors > 0);
	EXPECT(strstr(f->out, "lost its marker") != NULL);
	link = *(u16 *)a;
	*(u16 *)a = 0x0303; /* not an object boundary */
	errors = check_captured(f);
	*(u16 *)a = link;
	EXPECT(errors > 0);
	EXPECT(strstr(f->out, "free list leaves its quarter") != NULL);
	saved = *(u64 *)(c + 8); /* the head's links: (prev, next) */
	*(u32 *)(c + 12) = 0x12345;
	errors = check_captured(f);
	*(u64 *)(c + 8) = saved;
	EXPECT(errors > 0);
	EXPECT(strstr(f->out, "listed quarter is not one of this heap") != NULL ||
	       strstr(f->out, "size list") != NULL);
	EXPECT_EQ(slob_check(&f->h), 0);
	kfree(b);
}

SEGFIT_CASE(size_page_check_finds_damage)

static bool same_quarter_ptr(const void *a, const void *b, size_t size)
{
	unsigned int shift = size == 2048 ? 11 : 10;

	return ((uintptr_t)a >> shift) == ((uintptr_t)b >> shift);
}

static unsigned int size_index(size_t size)
{
	unsigned int idx = 0;

	while ((16ul << idx) < size)
		idx++;
	return idx;
}

/* What a quarter's header in its struct page says, against what the test
 * knows: the page is a PGTY_SLOB size page of the heap, the quarter's
 * info names the size and @out objects of it are out; false (reported)
 * otherwise. */
static bool sq_fields_match(struct ktest *t, struct fx *f, const void *obj, size_t size,
			    unsigned long out)
{
	struct page *pg = virt_to_page(obj);
	const struct sp_quarter *s;
	unsigned int idx = size_index(size);

	if (!pg) {
		EXPECT(pg != NULL);
		return false;
	}
	s = &pg->sq[((uintptr_t)obj >> 10) & 3];
	EXPECT_EQ(page_type(pg), PGTY_SLOB);
	EXPECT_EQ(pg->priv, (unsigned long)&f->h);
	EXPECT(pg->sq[0].info & 1);
	EXPECT_EQ(s->info, (idx << 1) | 1);
	EXPECT_EQ(s->inuse, out);
	return page_type(pg) == PGTY_SLOB && s->info == ((idx << 1) | 1) && s->inuse == out;
}

/* Random kmalloc and kfree of the size-page sizes: after every step
 * slob_check passes and the header of every object's quarter counts
 * exactly the objects the test holds in it; each list head's address is
 * its quarter's; a page given back is an untyped free page again. */
static void size_page_struct_page_fields(struct ktest *t, struct fx *f)
{
	static const size_t sizes[] = { 16, 32, 64, 128, 256, 512, 1024, 2048 };
	enum { SLOTS = 600, STEPS = 4000 };
	static struct { u8 *p; size_t size; } slot[SLOTS];
	u64 x = 0x9e3779b97f4a7c15ull;
	bool ok = true, shared = false;

	memset(slot, 0, sizeof(slot));
	for (int step = 0; step < STEPS && ok; step++) {
		unsigned int i;
		size_t size;
		struct page *pg;

		x = x * 6364136223846793005ull + 1442695040888963407ull;
		i = (unsigned int)(x >> 33) % SLOTS;
		size = sizes[(x >> 20) % ARRAY_SIZE(sizes)];

		if (slot[i].p) {
			pg = virt_to_page(slot[i].p);
			kfree(slot[i].p);
			slot[i].p = NULL;
			/* the page went back: untyped, no longer the heap's */
			if (page_type(pg) != PGTY_SLOB)
				EXPECT_EQ(pg->priv, 0);
		} else {
			slot[i].p = heap_kmalloc(&f->h, size, GFP_KERNEL);
			slot[i].size = size;
			ASSERT(slot[i].p);
			EXPECT(aligned(slot[i].p, size));
		}
		ok = slob_check(&f->h) == 0;
		EXPECT(ok);
		/* every quarter that holds one of ours: its count and its size */
		for (unsigned int j = 0; j < SLOTS && ok; j++) {
			unsigned long out = 0;

			if (!slot[j].p)
				continue;
			for (unsigned int k = 0; k < SLOTS; k++) {
				if (!slot[k].p || ((uintptr_t)slot[k].p >> PAGE_SHIFT) !=
							  ((uintptr_t)slot[j].p >> PAGE_SHIFT))
					continue;
				if (same_quarter_ptr(slot[k].p, slot[j].p, slot[j].size))
					out++;
				else if (slot[k].size != slot[j].size)
					shared = true; /* two sizes in one page */
			}
			ok = sq_fields_match(t, f, slot[j].p, slot[j].size, out);
		}
		for (unsigned int idx = 0; idx < SP_NR_SIZES && ok; idx++) {
			struct sp_quarter *head = f->h.sp_head[idx];
			char *base = f->h.sp_base[idx];

			ok = head ? base && !((uintptr_t)base & 1023) &&
					    &virt_to_page(base)->sq[((uintptr_t)base >> 10) & 3] == head &&
					    head->free < 1024
				  : base == NULL;
			EXPECT(ok);
		}
	}
	EXPECT(shared);
	for (unsigned int i = 0; i < SLOTS; i++)
		kfree(slot[i].p);
	EXPECT_EQ(f->h.used_bytes, 0);
	EXPECT_EQ(slob_reuse_pages(&f->h), f->h.sp_pages); /* the kept one, idle quarters' */
	EXPECT_EQ(slob_check(&f->h), 0);
}

/* slob_check sees a quarter's header that lies: an in-use count off by
 * one, an object size that is not its list's, an empty quarter with a
 * count, and a size page the count of size pages does not know. */
static void size_page_check_finds_bad_struct_page(struct ktest *t, struct fx *f)
{
	u8 *a = heap_kmalloc(&f->h, 256, GFP_KERNEL), *b = heap_kmalloc(&f->h, 256, GFP_KERNEL);
	struct page *pg;
	struct sp_quarter *s;
	int errors;

	ASSERT(a && b);
	pg = virt_to_page(a);
	s = &pg->sq[((uintptr_t)a >> 10) & 3];
	EXPECT_EQ(s->inuse, 2);
	EXPECT_EQ(slob_check(&f->h), 0);
	s->inuse++;
	errors = check_captured(f);
	s->inuse--;
	EXPECT(errors > 0);
	EXPECT(strstr(f->out, "in-use count differs") != NULL);
	s->info = (3 << 1) | 1; /* 128, on the list of 256 */
	errors = check_captured(f);
	s->info = (4 << 1) | 1;
	EXPECT(errors > 0);
	EXPECT(strstr(f->out, "listed quarter is not one of this heap and size") != NULL);
	s->info = (10 << 1) | 1; /* beyond every size, empty and covered */
	errors = check_captured(f);
	s->info = (4 << 1) | 1;
	EXPECT(errors > 0);
	EXPECT(strstr(f->out, "impossible object size") != NULL);
	pg->sq[3].inuse = 1; /* an empty quarter that counts an object */
	errors = check_captured(f);
	pg->sq[3].inuse = 0;
	EXPECT(errors > 0);
	EXPECT(strstr(f->out, "empty quarter's header is not empty") != NULL);
	f->h.sp_pages++;
	errors = check_captured(f);
	f->h.sp_pages--;
	EXPECT(errors > 0);
	EXPECT(strstr(f->out, "size page count differs") != NULL);
	EXPECT_EQ(slob_check(&f->h), 0);
	kfree(a);
	kfree(b);
	EXPECT_EQ(slob_check(&f->h), 0);
}

/* slob_check with size pages spread wider than it scans (as on a big
 * machine whose free pages lie all over): the pages the lists reach are
 * checked, the others counted full, and damage to either is still
 * reported. */
static void size_page_check_without_scan(struct ktest *t, struct fx *f)
{
	u8 *o[9];
	unsigned long lo;
	struct page *pg;
	int errors;

	/* 1024-byte objects, one a quarter: one page full, one with one */
	for (int i = 0; i < 5; i++) {
		o[i] = heap_kmalloc(&f->h, 1024, GFP_KERNEL);
		ASSERT(o[i]);
	}
	/* and 512-byte ones: a quarter with a free object, listed */
	for (int i = 5; i < 9; i++) {
		o[i] = heap_kmalloc(&f->h, 512, GFP_KERNEL);
		ASSERT(o[i]);
	}
	kfree(o[8]);
	o[8] = NULL;
	ASSERT(f->h.sp_pages == 2 && f->h.sp_head[5] && f->h.sp_head[6] == NULL);
	lo = f->h.sp_lo_pfn;
	f->h.sp_lo_pfn = 0; /* a range far wider than 64 pfns per size page */
	ASSERT(f->h.sp_hi_pfn > 64 * 3);
	EXPECT_EQ(slob_check(&f->h), 0);
	/* the full page's bytes are counted: one size page more does not add up */
	f->h.sp_pages++;
	f->h.nr_pages++;
	errors = check_captured(f);
	f->h.sp_pages--;
	f->h.nr_pages--;
	EXPECT(errors > 0);
	EXPECT(strstr(f->out, "used bytes differ") != NULL);
	/* a listed quarter's objects are still walked */
	pg = virt_to_page(o[7]);
	pg->sq[((uintptr_t)o[7] >> 10) & 3].inuse++;
	errors = check_captured(f);
	pg->sq[((uintptr_t)o[7] >> 10) & 3].inuse--;
	EXPECT(errors > 0);
	EXPECT(strstr(f->out, "in-use count differs") != NULL);
	EXPECT_EQ(slob_check(&f->h), 0);
	/* the full page's first 1024-byte object back: its quarter is the
	 * size's idle one, on no list, and its page on none either: still
	 * reached, its bytes counted right */
	kfree(o[0]);
	o[0] = NULL;
	EXPECT(f->h.sp_idle[6] != NULL && f->h.sp_head[6] == NULL);
	EXPECT_EQ(slob_check(&f->h), 0);
	f->h.sp_lo_pfn = lo;
	for (int i = 0; i < 9; i++)
		kfree(o[i]);
	EXPECT_EQ(slob_check(&f->h), 0);
}

/* A full quarter is on no list and comes back on one when an object of
 * it is freed; the links in the quarters' head objects stay consistent
 * when quarters in the middle of a list empty and go. */
static void size_page_lists_through_objects(struct ktest *t, struct fx *f)
{
	enum { QUARTERS = 8, PER = 4 }; /* 256-byte objects: four per quarter */
	u8 *o[QUARTERS * PER];
	struct sp_quarter *s;

	for (int i = 0; i < QUARTERS * PER; i++) {
		o[i] = heap_kmalloc(&f->h, 256, GFP_KERNEL);
		ASSERT(o[i]);
	}
	EXPECT_EQ(f->h.sp_pages, QUARTERS / 4);
	EXPECT(f->h.sp_head[4] == NULL); /* all full */
	EXPECT_EQ(slob_check(&f->h), 0);
	/* one object of every quarter back: each listed, the last freed first */
	for (int q = 0; q < QUARTERS; q++)
		kfree(o[q * PER]);
	s = f->h.sp_head[4];
	EXPECT(s == &virt_to_page(o[(QUARTERS - 1) * PER])->sq[3]);
	EXPECT(f->h.sp_base[4] == (char *)o[(QUARTERS - 1) * PER]);
	EXPECT_EQ(s->free, 0); /* the object freed heads its quarter */
	EXPECT_EQ(slob_check(&f->h), 0);
	/* quarters 2 and 5 (inside the list) empty: the first stays as the
	 * size's idle quarter, the second is emptied */
	for (int i = 1; i < PER; i++) {
		kfree(o[2 * PER + i]);
		kfree(o[5 * PER + i]);
		EXPECT_EQ(slob_check(&f->h), 0);
	}
	EXPECT(f->h.sp_idle[4] == (char *)o[2 * PER]);
	EXPECT_EQ(virt_to_page(o[5 * PER])->sq[1].info, (8 << 1) | 1); /* empty */
	EXPECT_EQ(f->h.sp_pages, QUARTERS / 4);
	/* a size that needs a quarter cuts the empty one (a page in use) */
	{
		u8 *x = heap_kmalloc(&f->h, 32, GFP_KERNEL);

		ASSERT(x);
		EXPECT(((uintptr_t)x & ~1023ul) == ((uintptr_t)o[5 * PER] & ~1023ul));
		EXPECT_EQ(slob_check(&f->h), 0);
		kfree(x);
	}
	for (int q = 0; q < QUARTERS; q++)
		if (q != 2 && q != 5)
			for (int i = 1; i < PER; i++)
				kfree(o[q * PER + i]);
	EXPECT_EQ(f->h.used_bytes, 0);
	EXPECT_EQ(slob_reuse_pages(&f->h), f->h.sp_pages);
	EXPECT_EQ(slob_check(&f->h), 0);
}

/* Sizes share pages below a page: objects of two sizes in the quarters of
 * one page; an emptied quarter is cut again for another size (the idle
 * quarter of a size first goes when a size needs a quarter and no page has
 * an empty one); a 2048-byte object's page is two units. */
static void size_page_quarters_shared(struct ktest *t, struct fx *f)
{
	u8 *a[4], *b, *c, *big[2];
	struct page *pg;

	a[0] = heap_kmalloc(&f->h, 64, GFP_KERNEL);
	b = heap_kmalloc(&f->h, 512, GFP_KERNEL);
	ASSERT(a[0] && b);
	EXPECT_EQ(f->h.sp_pages, 1);
	EXPECT(((uintptr_t)a[0] ^ (uintptr_t)b) < PAGE_SIZE); /* one page */
	EXPECT(((uintptr_t)a[0] ^ (uintptr_t)b) >= 1024);     /* two quarters */
	pg = virt_to_page(b);
	EXPECT_EQ(pg->sq[0].info, (2 << 1) | 1);
	EXPECT_EQ(pg->sq[1].info, (5 << 1) | 1);
	EXPECT_EQ(pg->sq[2].info, (8 << 1) | 1);
	EXPECT_EQ(slob_check(&f->h), 0);
	/* the 512-byte quarter empties: idle, still the size's */
	kfree(b);
	EXPECT(f->h.sp_idle[5] == (char *)page_address(pg) + 1024);
	EXPECT_EQ(pg->sq[1].info, (5 << 1) | 1);
	/* two more sizes fill the page's empty quarters */
	a[1] = heap_kmalloc(&f->h, 128, GFP_KERNEL);
	a[2] = heap_kmalloc(&f->h, 256, GFP_KERNEL);
	ASSERT(a[1] && a[2]);
	EXPECT_EQ(f->h.sp_pages, 1);
	EXPECT_EQ(pg->sq[2].info, (3 << 1) | 1);
	EXPECT_EQ(pg->sq[3].info, (4 << 1) | 1);
	/* a fourth size: no page has an empty quarter, so the idle 512-byte
	 * quarter is emptied and cut for it, before a new page */
	c = heap_kmalloc(&f->h, 16, GFP_KERNEL);
	ASSERT(c);
	EXPECT_EQ(f->h.sp_pages, 1);
	EXPECT(f->h.sp_idle[5] == NULL);
	EXPECT_EQ(pg->sq[1].info, (0 << 1) | 1);
	EXPECT(((uintptr_t)c & ~1023ul) == (uintptr_t)page_address(pg) + 1024);
	EXPECT_EQ(slob_check(&f->h), 0);
	/* 2048: a page of its own, two units */
	big[0] = heap_kmalloc(&f->h, 2048, GFP_KERNEL);
	big[1] = heap_kmalloc(&f->h, 2048, GFP_KERNEL);
	ASSERT(big[0] && big[1]);
	EXPECT_EQ(f->h.sp_pages, 2);
	EXPECT(((uintptr_t)big[0] ^ (uintptr_t)big[1]) == 2048);
	pg = virt_to_page(big[0]);
	EXPECT_EQ(pg->sq[0].info, (7 << 1) | 1);
	EXPECT_EQ(pg->sq[1].info, (9 << 1) | 1); /* covered */
	EXPECT_EQ(ksize(big[0]), 2048);
	EXPECT_BAD_KFREE(big[0] + 1024, true); /* inside, where a covered quarter lies */
	EXPECT_EQ(slob_check(&f->h), 0);
	kfree(big[0]);
	kfree(big[1]); /* the page empties: kept */
	EXPECT(f->h.sp_kept == pg);
	kfree(a[0]);
	kfree(a[1]);
	kfree(a[2]);
	kfree(c);
	EXPECT_EQ(f->h.used_bytes, 0);
	EXPECT_EQ(slob_check(&f->h), 0);
}

SEGFIT_CASE(size_page_struct_page_fields)
SEGFIT_CASE(size_page_check_finds_bad_struct_page)
SEGFIT_CASE(size_page_check_without_scan)
SEGFIT_CASE(size_page_lists_through_objects)
SEGFIT_CASE(size_page_quarters_shared)

/* ---- segfit's parked blocks ------------------------------------------------------ */

/* The segfit block of a kmalloc of @size bytes: header and payload, in
 * 16-byte steps (sizes above 16 that are not powers of two). */
static unsigned long seg_block(size_t size)
{
	return ALIGN_UP(size + SEG_HDR_BYTES, 16ul);
}

/* A kfree'd block above 512 bytes is parked: not merged, not handed out,
 * counted free (used_bytes, the statistics, ksize 0); the next kmalloc of
 * its size (same 128-byte range, not bigger) takes it back as it is. */
static void parked_block_reused(struct ktest *t, struct fx *f)
{
	struct slob_heap *h = &f->h;
	struct slob_stats before, after;
	u8 *a = heap_kmalloc(h, 3000, GFP_KERNEL), *b = heap_kmalloc(h, 100, GFP_KERNEL), *c, *d;

	ASSERT(a && b);
	EXPECT_EQ((uintptr_t)a & PAGE_MASK, (uintptr_t)b & PAGE_MASK);
	slob_get_stats(h, &before);
	kfree(a);
	EXPECT(h->seg_parked[SEG_PARK_SLOT(seg_block(3000))] == (u32 *)a - 1); /* parked, not merged */
	slob_get_stats(h, &after);
	EXPECT_EQ(h->used_bytes, seg_block(100));
	EXPECT_EQ(after.free_blocks, before.free_blocks + 1);
	EXPECT_EQ(after.free_bytes, before.free_bytes + seg_block(3000) - SEG_HDR_BYTES);
	EXPECT_EQ(ksize(a), 0);
	EXPECT_EQ(h->nr_pages, 1);
	EXPECT_EQ(slob_check(h), 0);
	/* 3040 bytes is a bigger block of the same range: not the parked one */
	d = heap_kmalloc(h, 3040, GFP_KERNEL);
	ASSERT(d);
	EXPECT(d != a);
	c = heap_kmalloc(h, 2990, GFP_KERNEL); /* the same block size as 3000 */
	EXPECT(c == a);
	EXPECT_EQ(ksize(c), seg_block(3000) - SEG_HDR_BYTES);
	EXPECT_EQ(h->used_bytes, seg_block(100) + seg_block(3000) + seg_block(3040));
	EXPECT_EQ(slob_check(h), 0);
	kfree(c);
	kfree(d);
	kfree(b);
	EXPECT_EQ(h->used_bytes, 0);
	EXPECT_EQ(slob_check(h), 0);
}

/* Blocks up to 512 bytes park in a slot of their exact size: a kmalloc of
 * that block size takes the parked block back (no split, no merge), any
 * other size leaves it; a second kfree of it is reported; slob_check
 * finds one moved to another size's slot. */
static void parked_exact_sizes(struct ktest *t, struct fx *f)
{
	struct slob_heap *h = &f->h;
	struct fr_capture cap;
	u8 *a = heap_kmalloc(h, 100, GFP_KERNEL), *keep = heap_kmalloc(h, 300, GFP_KERNEL), *b, *c;
	unsigned int slot = (unsigned int)SEG_PARK_SLOT(seg_block(100));
	int errors;

	ASSERT(a && keep);
	EXPECT_EQ(slot, seg_block(100) / 16);
	kfree(a);
	EXPECT(h->seg_parked[slot] == (u32 *)a - 1); /* parked, not merged */
	EXPECT_EQ(h->used_bytes, seg_block(300));
	EXPECT_EQ(ksize(a), 0);
	EXPECT_EQ(slob_check(h), 0);
	EXPECT_BAD_KFREE(a, true); /* a second kfree of the parked block */
	EXPECT(h->seg_parked[slot] == (u32 *)a - 1);
	/* 80 and 120 bytes are blocks of 96 and 128: other slots, new blocks */
	b = heap_kmalloc(h, 80, GFP_KERNEL);
	c = heap_kmalloc(h, 120, GFP_KERNEL);
	ASSERT(b && c);
	EXPECT(b != a && c != a);
	EXPECT(h->seg_parked[slot] == (u32 *)a - 1);
	EXPECT(heap_kmalloc(h, 98, GFP_KERNEL) == a); /* the same block size as 100 */
	EXPECT(h->seg_parked[slot] == NULL);
	EXPECT_EQ(ksize(a), seg_block(100) - SEG_HDR_BYTES);
	EXPECT_EQ(slob_check(h), 0);
	kfree(a);
	h->seg_parked[slot] = NULL; /* damage: the block in the 128-byte slot */
	h->seg_parked[slot + 1] = (u32 *)a - 1;
	fr_capture_start(&cap);
	errors = slob_check(h);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT(errors > 0);
	EXPECT(strstr(f->out, "parked block in the slot of another size") != NULL);
	h->seg_parked[slot + 1] = NULL;
	h->seg_parked[slot] = (u32 *)a - 1;
	EXPECT_EQ(slob_check(h), 0);
	kfree(b);
	kfree(c);
	kfree(keep);
	EXPECT_EQ(slob_heap_destroy(h), 0); /* the parked blocks merged, the page back */
}

/* A page left holding only parked blocks is idle: it counts as the one
 * wholly free page the heap keeps, so the next page that empties goes back
 * to the page allocator, and a block whose parking would idle a second
 * page is merged instead (its page goes back). */
static void parked_page_is_the_kept_page(struct ktest *t, struct fx *f)
{
	struct slob_heap *h = &f->h;
	u8 *a = heap_kmalloc(h, 3000, GFP_KERNEL), *b = heap_kmalloc(h, 3000, GFP_KERNEL);
	u8 *c = heap_kmalloc(h, 2000, GFP_KERNEL);

	ASSERT(a && b && c);
	EXPECT_EQ(h->nr_pages, 3);
	kfree(a); /* parked; its page idle: the kept one */
	EXPECT(h->seg_parked[SEG_PARK_SLOT(seg_block(3000))] == (u32 *)a - 1);
	EXPECT_EQ(h->nr_pages, 3);
	EXPECT_EQ(h->nr_empty, 1);
	EXPECT_EQ(ksize(a), 0);
	EXPECT_EQ(slob_check(h), 0);
	kfree(b); /* its slot is taken: merged, and the page goes back */
	EXPECT_EQ(h->nr_pages, 2);
	EXPECT_EQ(page_type(virt_to_page(b)), PGTY_NONE);
	kfree(c); /* a free slot, but parking it would idle a second page */
	EXPECT_EQ(h->nr_pages, 1);
	EXPECT_EQ(h->nr_empty, 1);
	EXPECT_EQ(nr_free_pages(), f->free0 - 1);
	EXPECT_EQ(slob_check(h), 0);
	/* Taken back, the page is busy again. */
	b = heap_kmalloc(h, 3000, GFP_KERNEL);
	EXPECT(b == a);
	EXPECT_EQ(h->nr_empty, 0);
	EXPECT_EQ(slob_check(h), 0);
	kfree(b);
	EXPECT_EQ(h->nr_empty, 1);
}

/* A bigblock's allocation first gives back the pages the heap keeps idle
 * for reuse: segfit's idle page (here holding only a parked block, merged
 * first) and the kept empty size page. So the peak counts the bigblock's
 * pages, not those beside them. A busy page stays. */
static void bigblock_gives_back_idle_pages(struct ktest *t, struct fx *f)
{
	struct slob_heap *h = &f->h;
	u8 *a = heap_kmalloc(h, 3000, GFP_KERNEL), *s = heap_kmalloc(h, 64, GFP_KERNEL);
	u8 *keep = heap_kmalloc(h, 2000, GFP_KERNEL), *big, *again;

	ASSERT(a && s && keep);
	EXPECT_EQ(h->nr_pages, 3); /* a's page, a size page, keep's page (a's has no room) */
	kfree(a);                  /* parked; its page idle: the kept one */
	kfree(s);                  /* its quarter empties: the size's idle one, alone in its page */
	EXPECT(h->seg_parked[SEG_PARK_SLOT(seg_block(3000))] == (u32 *)a - 1);
	EXPECT_EQ(h->nr_empty, 1);
	EXPECT(h->sp_idle[2] == (char *)s);
	EXPECT_EQ(slob_reuse_pages(h), 2);
	EXPECT_EQ(h->nr_pages, 3);
	EXPECT_EQ(h->peak_pages, 3);
	big = heap_kmalloc(h, 8192, GFP_KERNEL);
	ASSERT(big);
	EXPECT_EQ(h->nr_pages, 1);
	EXPECT_EQ(h->big_pages, 2);
	EXPECT_EQ(h->peak_pages, 3); /* not 5 */
	EXPECT_EQ(h->nr_empty, 0);
	EXPECT(h->sp_kept == NULL);
	EXPECT(h->sp_idle[2] == NULL);
	EXPECT_EQ(slob_reuse_pages(h), 0);
	EXPECT(h->seg_parked[SEG_PARK_SLOT(seg_block(3000))] == NULL);
	EXPECT_EQ(page_type(virt_to_page(a)), PGTY_NONE);
	EXPECT_EQ(page_type(virt_to_page(s)), PGTY_NONE);
	EXPECT_EQ(h->used_bytes, seg_block(2000));
	EXPECT_EQ(nr_free_pages(), f->free0 - 3);
	EXPECT_EQ(slob_check(h), 0);
	/* A bigblock with nothing kept changes no SLOB page. */
	again = heap_kmalloc(h, 5000, GFP_KERNEL);
	ASSERT(again);
	EXPECT_EQ(h->nr_pages, 1);
	EXPECT_EQ(h->big_pages, 4);
	EXPECT_EQ(slob_check(h), 0);
	kfree(again);
	kfree(big);
	/* The heap works on: a 3000-byte block takes a new page. */
	a = heap_kmalloc(h, 3000, GFP_KERNEL);
	ASSERT(a);
	EXPECT_EQ(h->nr_pages, 2);
	kfree(a);
	kfree(keep);
	EXPECT_EQ(slob_check(h), 0);
}

/* slob_census reports each page as it is: a size page's size, objects and
 * objects out; a segfit page's bytes in use, parked and free, its largest
 * blocks and its live count. */
struct census_seen {
	int n;
	struct slob_page_info pi[4];
};

static void census_note(const struct slob_page_info *pi, void *arg)
{
	struct census_seen *c = arg;

	if (c->n < 4)
		c->pi[c->n] = *pi;
	c->n++;
}

static void census_reports_pages(struct ktest *t, struct fx *f)
{
	struct slob_heap *h = &f->h;
	struct census_seen c = { 0 };
	u8 *s[3], *a, *b;

	for (int i = 0; i < 3; i++)
		s[i] = heap_kmalloc(h, 64, GFP_KERNEL);
	a = heap_kmalloc(h, 3000, GFP_KERNEL);
	b = heap_kmalloc(h, 100, GFP_KERNEL);
	ASSERT(s[0] && s[1] && s[2] && a && b);
	slob_census(h, census_note, &c);
	ASSERT_EQ(c.n, 2); /* the size page's one quarter of objects first */
	EXPECT(c.pi[0].size_page);
	EXPECT(c.pi[0].addr == (void *)((uintptr_t)s[0] & ~1023ul));
	EXPECT_EQ(c.pi[0].obj_size, 64);
	EXPECT_EQ(c.pi[0].objs, 16);
	EXPECT_EQ(c.pi[0].inuse, 3);
	EXPECT(!c.pi[1].size_page);
	EXPECT(c.pi[1].addr == (void *)((uintptr_t)a & PAGE_MASK));
	EXPECT_EQ(c.pi[1].used, seg_block(3000) + seg_block(100));
	EXPECT_EQ(c.pi[1].parked, 0);
	EXPECT_EQ(c.pi[1].free, SEG_PAGE_BYTES - seg_block(3000) - seg_block(100));
	EXPECT_EQ(c.pi[1].largest_free, c.pi[1].free);
	EXPECT_EQ(c.pi[1].largest_used, seg_block(3000));
	EXPECT_EQ(c.pi[1].live, 2);
	kfree(a); /* parked: its page keeps b */
	c.n = 0;
	slob_census(h, census_note, &c);
	ASSERT_EQ(c.n, 2);
	EXPECT_EQ(c.pi[1].used, seg_block(100));
	EXPECT_EQ(c.pi[1].parked, seg_block(3000));
	EXPECT_EQ(c.pi[1].largest_used, seg_block(3000));
	EXPECT_EQ(c.pi[1].live, 1);
	kfree(b);
	for (int i = 0; i < 3; i++)
		kfree(s[i]);
	c.n = 0;
	slob_census(h, census_note, &c); /* the idle quarter and the idle segfit page */
	ASSERT_EQ(c.n, 2);
	EXPECT_EQ(c.pi[0].inuse, 0);
	EXPECT_EQ(c.pi[1].live, 0);
	EXPECT_EQ(c.pi[1].used, 0);
}

/* The churn benchmark's requests (bench/churn.c: the very sequence make
 * bench runs on the target) on a segfit heap: every block intact, none
 * refused, the heap sound and empty afterwards, and its peak at most
 * CHURN_PEAK_PAGES pages (make bench prints peak_kb = 4 x the pages; 248
 * before size pages were cut in quarters, 250 before bigblocks gave back
 * the heap's idle pages). */
#define CHURN_PEAK_PAGES 245

static struct slob_heap *churn_heap;

static void *churn_heap_alloc(size_t size)
{
	return heap_kmalloc(churn_heap, size, GFP_KERNEL);
}

static void churn_heap_free(void *p)
{
	kfree(p);
}

static void churn_peak(struct ktest *t, struct fx *f)
{
	static const struct churn_ops ops = { churn_heap_alloc, churn_heap_free };
	struct churn_result r;

	churn_heap = &f->h;
	churn_run(&ops, &r);
	EXPECT_EQ(r.corrupt, 0);
	EXPECT_EQ(r.failed_allocs, 0);
	EXPECT_EQ(r.allocs + r.frees, CHURN_STEPS);
	EXPECT(f->h.peak_pages <= CHURN_PEAK_PAGES);
	EXPECT(f->h.peak_pages > CHURN_PEAK_PAGES - 10); /* the run took memory */
	EXPECT_EQ(f->h.used_bytes, 0);
	EXPECT_EQ(f->h.big_pages, 0);
	EXPECT_EQ(slob_check(&f->h), 0);
}

/* Parked blocks are merged before the heap grows: a request that no free
 * block holds is served from the merged space without a new page, and
 * destroy gives their pages back. */
static void parked_flushed_before_grow(struct ktest *t, struct fx *f)
{
	struct slob_heap *h = &f->h;
	u8 *a = heap_kmalloc(h, 3000, GFP_KERNEL), *b = heap_kmalloc(h, 600, GFP_KERNEL), *c;
	u8 *keep = heap_kmalloc(h, 100, GFP_KERNEL);

	ASSERT(a && b && keep);
	EXPECT_EQ(h->nr_pages, 1);
	kfree(a);
	kfree(b);
	EXPECT(h->seg_parked[SEG_PARK_SLOT(seg_block(3000))] == (u32 *)a - 1);
	EXPECT(h->seg_parked[SEG_PARK_SLOT(seg_block(600))] == (u32 *)b - 1);
	EXPECT_EQ(h->used_bytes, seg_block(100));
	EXPECT_EQ(slob_check(h), 0);
	/* 3700 bytes: only a and b merged with the free tail hold it */
	c = heap_kmalloc(h, 3600, GFP_KERNEL);
	ASSERT(c);
	EXPECT_EQ(h->nr_pages, 1);
	EXPECT_EQ((uintptr_t)c & PAGE_MASK, (uintptr_t)keep & PAGE_MASK);
	EXPECT_EQ(h->peak_pages, 1);
	EXPECT_EQ(slob_check(h), 0);
	kfree(c);
	kfree(keep);
	/* everything parked or free: destroy merges and gives the page back */
	EXPECT_EQ(slob_heap_destroy(h), 0);
	EXPECT_EQ(h->nr_pages, 0);
}

/* A second kfree (or slob_free) of a parked block is reported and changes
 * nothing; so is one of a block merged when it was flushed. */
static void parked_double_free(struct ktest *t, struct fx *f)
{
	struct slob_heap *h = &f->h;
	u8 *a = heap_kmalloc(h, 1000, GFP_KERNEL), *keep = heap_kmalloc(h, 100, GFP_KERNEL);
	unsigned long bad;

	ASSERT(a && keep);
	kfree(a);
	EXPECT_BAD_KFREE(a, true);
	bad = h->nr_bad_frees;
	slob_free(h, a, 1000);
	EXPECT_EQ(h->nr_bad_frees, bad + 1);
	f->expected_bad_frees++;
	EXPECT_EQ(slob_check(h), 0);
	EXPECT(heap_kmalloc(h, 1000, GFP_KERNEL) == a); /* handed out once */
	kfree(a);
	EXPECT_EQ(slob_heap_destroy(h), 1); /* merged: keep's page stays */
	EXPECT_BAD_KFREE(a, true);
	kfree(keep);
}

/* An aligned block right after a parked one: the gap in front becomes a
 * free block (a parked block takes no slack: it is counted free), and the
 * parked block comes back unchanged. */
static void parked_then_aligned(struct ktest *t, struct fx *f)
{
	struct slob_heap *h = &f->h;
	u8 *a = heap_kmalloc(h, 600, GFP_KERNEL), *keep = heap_kmalloc(h, 100, GFP_KERNEL), *p, *c;

	ASSERT(a && keep);
	kfree(keep); /* merged: the rest of the page follows a */
	keep = heap_kmalloc(h, 2000, GFP_KERNEL); /* the page stays busy */
	ASSERT(keep);
	kfree(a);
	/* a's payload ends 16 short of a multiple of 64 (12 + 608 + 4 = 624) */
	EXPECT_EQ(((uintptr_t)a + seg_block(600) - SEG_HDR_BYTES + SEG_HDR_BYTES) % 64, 48);
	p = slob_alloc(h, 64, GFP_KERNEL, 64);
	ASSERT(p);
	EXPECT(aligned(p, 64));
	EXPECT_EQ(slob_check(h), 0);
	c = heap_kmalloc(h, 600, GFP_KERNEL);
	EXPECT(c == a);
	EXPECT_EQ(ksize(c), seg_block(600) - SEG_HDR_BYTES);
	EXPECT_EQ(slob_check(h), 0);
	slob_free(h, p, 64);
	kfree(c);
	kfree(keep);
}

/* slob_check finds a parked block in the wrong slot, a slot pointing at no
 * block, and a page whose live-block count is wrong. */
static void parked_check_finds_damage(struct ktest *t, struct fx *f)
{
	struct slob_heap *h = &f->h;
	struct fr_capture cap;
	u8 *a = heap_kmalloc(h, 3000, GFP_KERNEL), *keep = heap_kmalloc(h, 100, GFP_KERNEL);
	unsigned int slot = (unsigned int)SEG_PARK_SLOT(seg_block(3000));
	u32 *live;
	int errors;

	ASSERT(a && keep);
	kfree(a);
	ASSERT(h->seg_parked[slot] == (u32 *)a - 1);
	h->seg_parked[slot] = NULL;
	h->seg_parked[slot - 1] = (u32 *)a - 1;
	fr_capture_start(&cap);
	errors = slob_check(h);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT(errors > 0);
	EXPECT(strstr(f->out, "parked block in the slot of another size") != NULL);
	h->seg_parked[slot - 1] = (u32 *)(a + 16) - 1;
	fr_capture_start(&cap);
	errors = slob_check(h);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	EXPECT(errors > 0);
	EXPECT(strstr(f->out, "parked block is not a block in use of its page") != NULL);
	h->seg_parked[slot - 1] = NULL;
	h->seg_parked[slot] = (u32 *)a - 1;
	EXPECT_EQ(slob_check(h), 0);
	live = (u32 *)((uintptr_t)a & PAGE_MASK) + 1;
	EXPECT_EQ(*live, 1);
	*live = 2;
	fr_capture_start(&cap);
	errors = slob_check(h);
	fr_capture_end(&cap, f->out, sizeof(f->out));
	*live = 1;
	EXPECT(errors > 0);
	EXPECT(strstr(f->out, "live-block count differs") != NULL);
	EXPECT_EQ(slob_check(h), 0);
	kfree(keep);
}

SEGFIT_CASE(parked_block_reused)
SEGFIT_CASE(parked_exact_sizes)
SEGFIT_CASE(parked_page_is_the_kept_page)
SEGFIT_CASE(bigblock_gives_back_idle_pages)
SEGFIT_CASE(churn_peak)
SEGFIT_CASE(census_reports_pages)
SEGFIT_CASE(parked_flushed_before_grow)
SEGFIT_CASE(parked_double_free)
SEGFIT_CASE(parked_then_aligned)
SEGFIT_CASE(parked_check_finds_damage)

KTEST_SUITE(slob,
	BOTH_CASES(model_run),
	BOTH_CASES(zero_size_and_null),
	BOTH_CASES(zeroed_allocations),
	BOTH_CASES(krealloc_semantics),
	BOTH_CASES(size_limits_and_bigblocks),
	BOTH_CASES(out_of_memory_recovers),
	BOTH_CASES(bad_free_double_small),
	BOTH_CASES(bad_free_double_bigblock),
	BOTH_CASES(kept_bigblocks),
	BOTH_CASES(bad_free_inside_block),
	BOTH_CASES(bad_free_inside_bigblock),
	BOTH_CASES(bad_free_foreign_memory),
	BOTH_CASES(aligned_alloc_exact),
	BOTH_CASES(aligned_alloc_sweep),
	BOTH_CASES(page_return),
	BOTH_CASES(stats_known_state),
	BOTH_CASES(slob_check_finds_damage),
	BOTH_CASES(bigblock_grows_in_place),
	KTEST_CASE(size_pages_pack_segfit),
	KTEST_CASE(size_page_bad_frees_segfit),
	KTEST_CASE(size_page_check_finds_damage_segfit),
	KTEST_CASE(size_page_struct_page_fields_segfit),
	KTEST_CASE(size_page_check_finds_bad_struct_page_segfit),
	KTEST_CASE(size_page_check_without_scan_segfit),
	KTEST_CASE(size_page_lists_through_objects_segfit),
	KTEST_CASE(size_page_quarters_shared_segfit),
	KTEST_CASE(parked_block_reused_segfit),
	KTEST_CASE(parked_exact_sizes_segfit),
	KTEST_CASE(parked_page_is_the_kept_page_segfit),
	KTEST_CASE(bigblock_gives_back_idle_pages_segfit),
	KTEST_CASE(churn_peak_segfit),
	KTEST_CASE(census_reports_pages_segfit),
	KTEST_CASE(parked_flushed_before_grow_segfit),
	KTEST_CASE(parked_double_free_segfit),
	KTEST_CASE(parked_then_aligned_segfit),
	KTEST_CASE(parked_check_finds_damage_segfit));
