/*
 * kfence_test.c - KFENCE's planted bugs (ktest=kfence; mm/kfence.c,
 * docs/reliability.md), after Linux's mm/kfence/kfence_test.c: out-of-bounds
 * reads and writes left and right of sampled kmalloc objects on both
 * backends and of kmem_cache objects, use after free, double and invalid
 * free, a broken canary; each must be reported once with the right kind,
 * address, direction and object. Correct use of sampled objects (ksize,
 * krealloc, kzalloc, every byte) must report nothing, and while KFENCE is off
 * nothing is sampled and kmalloc's fast table is back. The last case prints
 * "kfence: N of N planted bugs caught" (make test requires all).
 *
 * A sampled object is got as Linux's test gets it: allocate until one comes
 * from the pool; kfence_sample_next makes the next eligible allocation due,
 * so the loop is short. Without kfence.sample_interval= the suite samples
 * with a 100 s interval (only what it makes due). Not in ktest=all (the
 * reports are on purpose), and not in the KASAN kernel (no KFENCE there).
 */
#ifndef CONFIG_KASAN

#include <lib/kstring.h>
#include <mm/kfence.h>
#include <mm/kmalloc.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include <tests/ktest.h>

static unsigned int planted, caught;

/* Read fresh after each planted access (the accesses are not calls the
 * compiler must assume write it). */
#define REPORTS (*(volatile unsigned long *)&kfence_nr_reports)

static int slot_of(const void *p)
{
	return (int)(((unsigned long)p - KFENCE_POOL_START) >> PAGE_SHIFT) / 2;
}

/* Exactly one report since @before: @bug at @addr, @write, on the object
 * holding @obj (NULL: none expected). */
static bool expect_report(struct ktest *t, unsigned long before, enum kfence_bug bug, const void *addr,
			  bool write, const void *obj, int line)
{
	const struct kfence_report_info *r = &kfence_last_report;
	int want = obj ? slot_of(obj) : -1;
	bool ok = REPORTS == before + 1 && r->bug == bug && r->addr == (unsigned long)addr &&
		  r->is_write == write && r->object == want;

	planted++;
	if (ok) {
		caught++;
		return true;
	}
	ktest_fail(t, __FILE__, line,
		   "planted %s %s at %p (kfence-#%d): %lu reports, last %s %s at %#lx (kfence-#%d)",
		   kfence_bug_name(bug), write ? "write" : "read", addr, want, kfence_nr_reports - before,
		   kfence_bug_name(r->bug), r->is_write ? "write" : "read", r->addr, r->object);
	return false;
}

#define PLANT(bug, addr, write, obj, stmt)                                                   \
	do {                                                                                 \
		unsigned long before_ = REPORTS;                                             \
		stmt;                                                                        \
		expect_report(t, before_, bug, (const void *)(addr), write, obj, __LINE__); \
	} while (0)

#define NO_REPORT(stmt)                                                                     \
	do {                                                                                \
		unsigned long before_ = REPORTS;                                            \
		stmt;                                                                       \
		if (REPORTS != before_)                                                     \
			ktest_fail(t, __FILE__, __LINE__, "%lu unexpected KFENCE reports", \
				   kfence_nr_reports - before_);                            \
	} while (0)

static volatile u64 sink;

static __attribute__((noinline)) void read1(const void *p)
{
	sink = *(const volatile u8 *)p;
}

static __attribute__((noinline)) void write1(void *p)
{
	*(volatile u8 *)p = 0x5a;
}

static __attribute__((noinline)) void read8(const void *p)
{
	sink = *(const volatile u64 *)p;
}

static __attribute__((noinline)) void write8(void *p)
{
	*(volatile u64 *)p = 0x5a5a;
}

static bool is_right(const void *p, size_t size, size_t align)
{
	unsigned long a = (unsigned long)p;

	return a == ALIGN_DOWN(ALIGN_DOWN(a, PAGE_SIZE) + PAGE_SIZE - size, align) && (a & (PAGE_SIZE - 1));
}

static bool is_left(const void *p)
{
	return ((unsigned long)p & (PAGE_SIZE - 1)) == 0;
}

/* A sampled kmalloc object of @size placed at the @right edge. */
static u8 *kmalloc_sampled(size_t size, gfp_t gfp, bool right)
{
	for (int i = 0; i < 200; i++) {
		u8 *p;

		kfence_sample_next();
		p = kmalloc(size, gfp);
		if (p && is_kfence_address(p) &&
		    (right ? is_right(p, size, ARCH_KMALLOC_MINALIGN) : is_left(p)))
			return p;
		kfree(p);
	}
	return NULL;
}

/* A sampled object of cache @c at the @right edge; the others it took
 * first are freed. */
static u8 *cache_sampled(struct kmem_cache *c, bool right)
{
	static void *held[1024];
	unsigned int n = 0;
	u8 *p = NULL;

	while (n < ARRAY_SIZE(held)) {
		kfence_sample_next();
		p = kmem_cache_alloc(c, GFP_KERNEL);
		if (!p)
			break;
		if (is_kfence_address(p) && (right ? is_right(p, c->object_size, c->align) : is_left(p)))
			break;
		held[n++] = p;
		p = NULL;
	}
	while (n)
		kmem_cache_free(c, held[--n]);
	return p;
}

static unsigned long saved_interval;

static void suite_begin(struct ktest *t)
{
	saved_interval = kfence_get_interval();
	if (!saved_interval)
		EXPECT_EQ(kfence_set_interval(100000), 0);
	EXPECT(kfence_enabled);
}

static void suite_end(struct ktest *t)
{
	if (!saved_interval)
		EXPECT_EQ(kfence_set_interval(0), 0);
}

/* ---- kmalloc, both backends ---- */

static void kmalloc_bugs(struct ktest *t)
{
	u8 *p;

	/* right edge: the byte after the object is the guard page */
	p = kmalloc_sampled(32, GFP_KERNEL, true);
	ASSERT(p != NULL);
	EXPECT_EQ(ksize(p), 32);
	PLANT(KFENCE_BUG_OOB, p + 32, false, p, read1(p + 32));
	NO_REPORT(kfree(p));
	p = kmalloc_sampled(32, GFP_KERNEL, true);
	ASSERT(p != NULL);
	PLANT(KFENCE_BUG_OOB, p + 40, true, p, write8(p + 40));
	NO_REPORT(kfree(p));
	/* left edge: the byte before it */
	p = kmalloc_sampled(64, GFP_KERNEL, false);
	ASSERT(p != NULL);
	PLANT(KFENCE_BUG_OOB, p - 1, false, p, read1(p - 1));
	NO_REPORT(kfree(p));
	p = kmalloc_sampled(64, GFP_KERNEL, false);
	ASSERT(p != NULL);
	PLANT(KFENCE_BUG_OOB, p - 8, true, p, write8(p - 8));
	NO_REPORT(kfree(p));
	/* use after free, then a double free and a free inside */
	p = kmalloc_sampled(100, GFP_KERNEL, true);
	ASSERT(p != NULL);
	NO_REPORT(kfree(p));
	PLANT(KFENCE_BUG_UAF, p + 8, false, p, read8(p + 8));
	PLANT(KFENCE_BUG_INVALID_FREE, p, true, p, kfree(p));
	p = kmalloc_sampled(48, GFP_KERNEL, false);
	ASSERT(p != NULL);
	PLANT(KFENCE_BUG_INVALID_FREE, p + 16, true, p, kfree(p + 16));
	NO_REPORT(kfree(p));
	PLANT(KFENCE_BUG_UAF, p, true, p, write1(p));
	/* a write into the page's canary: reported at the free */
	p = kmalloc_sampled(13, GFP_KERNEL, true);
	ASSERT(p != NULL);
	NO_REPORT(p[13] = 0x77);
	PLANT(KFENCE_BUG_CORRUPTION, p + 13, true, p, kfree(p));
	p = kmalloc_sampled(40, GFP_KERNEL, false);
	ASSERT(p != NULL);
	NO_REPORT(p[45] = 0x11);
	PLANT(KFENCE_BUG_CORRUPTION, p + 45, true, p, kfree(p));
}

static void with_backend(struct ktest *t, enum kmalloc_backend b, void (*fn)(struct ktest *))
{
	enum kmalloc_backend saved = kmalloc_backend;

	kmalloc_set_backend(b);
	suite_begin(t);
	fn(t);
	suite_end(t);
	kmalloc_set_backend(saved);
}

static void kmalloc_slab_bugs(struct ktest *t)
{
	with_backend(t, KMALLOC_SLAB, kmalloc_bugs);
}

static void kmalloc_slob_bugs(struct ktest *t)
{
	with_backend(t, KMALLOC_SLOB, kmalloc_bugs);
}

/* ---- kmem_cache objects ---- */

static void kmem_cache_bugs(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("kfence-test", 192, 64, 0, NULL);
	u8 *p;

	ASSERT(c != NULL);
	suite_begin(t);
	p = cache_sampled(c, true);
	ASSERT(p != NULL);
	EXPECT_EQ((unsigned long)p & 63, 0);
	PLANT(KFENCE_BUG_OOB, p + 192, false, p, read8(p + 192));
	NO_REPORT(kmem_cache_free(c, p));
	PLANT(KFENCE_BUG_UAF, p + 100, true, p, write1(p + 100));
	PLANT(KFENCE_BUG_INVALID_FREE, p, true, p, kmem_cache_free(c, p));
	p = cache_sampled(c, false);
	ASSERT(p != NULL);
	PLANT(KFENCE_BUG_OOB, p - 3, true, p, write1(p - 3));
	PLANT(KFENCE_BUG_INVALID_FREE, p + 8, true, p, kmem_cache_free(c, p + 8));
	NO_REPORT(p[200] = 1);
	PLANT(KFENCE_BUG_CORRUPTION, p + 200, true, p, kmem_cache_free(c, p));
	EXPECT_EQ(kmem_cache_check(c), 0);
	suite_end(t);
	kmem_cache_destroy(c);
}

/* A constructor runs on a sampled object too. */
static void ctor_fill(void *p)
{
	memset(p, 0x3c, 24);
}

static void kmem_cache_ctor(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("kfence-ctor", 24, 8, 0, ctor_fill);
	u8 *p;

	ASSERT(c != NULL);
	suite_begin(t);
	p = cache_sampled(c, false);
	ASSERT(p != NULL);
	for (int i = 0; i < 24; i++)
		EXPECT_EQ(p[i], 0x3c);
	NO_REPORT(kmem_cache_free(c, p));
	suite_end(t);
	kmem_cache_destroy(c);
}

/* A SLOB-model cache is sampled too; its sampled object is a valid object
 * of the cache (slob_cache_valid_object, which stress checks every object
 * with, said no: SLOB has no page of it) and of no other cache. */
static void slob_cache_sampled_valid(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("kfence-slob", 24, 8, SLAB_SLOB, ctor_fill);
	struct kmem_cache *other = kmem_cache_create("kfence-slob2", 24, 8, SLAB_SLOB, NULL);
	u8 *p;

	ASSERT(c != NULL && other != NULL);
	ASSERT(c->flags & SLAB_SLOB);
	suite_begin(t);
	p = cache_sampled(c, false);
	ASSERT(p != NULL);
	EXPECT(slob_cache_valid_object(c, p));
	EXPECT(!slob_cache_valid_object(other, p));
	EXPECT(virt_to_cache(p) == c);
	for (int i = 0; i < 24; i++)
		EXPECT_EQ(p[i], 0x3c);
	NO_REPORT(kmem_cache_free(c, p));
	EXPECT(!slob_cache_valid_object(c, p));
	EXPECT_EQ(kmem_cache_check(c), 0);
	suite_end(t);
	kmem_cache_destroy(other);
	kmem_cache_destroy(c);
}

/* ---- correct use reports nothing ---- */

static void correct_use_no_report(struct ktest *t)
{
	struct kfence_stats before, after;
	u8 *p, *q;

	suite_begin(t);
	kfence_get_stats(&before);
	p = kmalloc_sampled(300, GFP_KERNEL, true);
	ASSERT(p != NULL);
	NO_REPORT(memset(p, 0xee, 300));
	for (int i = 0; i < 300; i++)
		EXPECT_EQ(p[i], 0xee);
	NO_REPORT(q = krealloc(p, 200, GFP_KERNEL));
	EXPECT(q == p);
	NO_REPORT(q = krealloc(p, 5000, GFP_KERNEL));
	ASSERT(q != NULL);
	EXPECT(!is_kfence_address(q));
	EXPECT_EQ(q[299], 0xee);
	NO_REPORT(kfree(q));
	p = kmalloc_sampled(256, GFP_KERNEL | __GFP_ZERO, false);
	ASSERT(p != NULL);
	EXPECT_EQ((unsigned long)p & 255, 0); /* a power of two: aligned to itself */
	for (int i = 0; i < 256; i++)
		EXPECT_EQ(p[i], 0);
	NO_REPORT(kfree(p));
	/* zone bits and sizes above a page are not sampled */
	kfence_sample_next();
	p = kmalloc(5000, GFP_KERNEL);
	EXPECT(p && !is_kfence_address(p));
	kfree(p);
	kfence_get_stats(&after);
	EXPECT(after.allocs >= before.allocs + 2);
	EXPECT_EQ(after.allocated, before.allocated);
	suite_end(t);
}

/* ---- off: nothing sampled, the fast table back ---- */

static void off_samples_nothing(struct ktest *t)
{
	unsigned long saved = kfence_get_interval();
	enum kmalloc_backend backend = kmalloc_backend;
	struct kfence_stats before, after;
	unsigned int i64 = KMALLOC_CONST_INDEX(64);

	kmalloc_set_backend(KMALLOC_SLAB);
	EXPECT_EQ(kfence_set_interval(saved ? saved : 100000), 0);
	kfree(kmalloc(64, GFP_KERNEL)); /* kmalloc-64 exists */
	EXPECT(kmalloc_fast_caches[i64] == NULL);
	EXPECT(kmalloc_heap.kfence);
	EXPECT_EQ(kfence_set_interval(0), 0);
	EXPECT(!kfence_enabled);
	EXPECT(kmalloc_fast_caches[i64] != NULL && kmalloc_fast_caches[i64] == kmalloc_caches[i64]);
	EXPECT(!kmalloc_heap.kfence);
	kfence_get_stats(&before);
	for (int i = 0; i < 500; i++) {
		void *p;

		kfence_sample_next();
		p = kmalloc(64, GFP_KERNEL);
		EXPECT(p && !is_kfence_address(p));
		kfree(p);
	}
	kfence_get_stats(&after);
	EXPECT_EQ(after.allocs, before.allocs);
	EXPECT_EQ(kfence_set_interval(saved), 0);
	kmalloc_set_backend(backend);
}

static void all_planted_bugs_caught(struct ktest *t)
{
	ktest_all_planted_caught(t, "kfence", caught, planted);
}

KTEST_SUITE_EXPLICIT(kfence, KTEST_CASE(kmalloc_slab_bugs), KTEST_CASE(kmalloc_slob_bugs),
		     KTEST_CASE(kmem_cache_bugs), KTEST_CASE(kmem_cache_ctor), KTEST_CASE(slob_cache_sampled_valid),
		     KTEST_CASE(correct_use_no_report), KTEST_CASE(off_samples_nothing),
		     KTEST_CASE(all_planted_bugs_caught));

#endif /* !CONFIG_KASAN */
