/*
 * kasan_test.c - the planted-bug suite of the KASAN kernel (ktest=kasan;
 * make kasan; docs/reliability.md), after the list of Linux's
 * mm/kasan/kasan_test.c. Each case makes one or more real bugs (the
 * accesses are instrumented: this file is built with
 * -fsanitize=kernel-address) and requires each to be reported once, with
 * the right kind, access address, size and direction. The last case
 * prints "kasan: N of N planted bugs caught" (make test requires all).
 * The ubsan cases plant undefined behaviour and require lib/ubsan.c's
 * report with this file's name and the line.
 *
 * Not part of ktest=all (the reports are on purpose): KTEST_SUITE_EXPLICIT.
 */
#ifdef CONFIG_KASAN

#include <boot/boot.h>
#include <boot/hart.h>
#include <boot/trap.h>
#include <lib/kstring.h>
#include <lib/ubsan.h>
#include <mm/kasan.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/slab.h>
#include <mm/vmalloc.h>
#include <tests/ktest.h>

static unsigned int planted, caught;

/* Did exactly one report since @before say @bug at @addr, @size bytes,
 * @write? Counts the planted bug and the catch. */
static bool expect_report(struct ktest *t, unsigned long before, enum kasan_bug bug, const void *addr,
			  size_t size, bool write, int line)
{
	const struct kasan_report_info *r = &kasan_last_report;
	bool ok = kasan_nr_reports == before + 1 && r->bug == bug && r->addr == (unsigned long)addr &&
		  r->size == size && r->is_write == write;

	planted++;
	if (ok) {
		caught++;
		return true;
	}
	ktest_fail(t, __FILE__, line,
		   "planted %s %s of %zu at %p: %lu reports, last %s %s of %zu at %#lx", kasan_bug_name(bug),
		   write ? "write" : "read", size, addr, kasan_nr_reports - before, kasan_bug_name(r->bug),
		   r->is_write ? "write" : "read", r->size, r->addr);
	return false;
}

/* Run @stmt (one bad access) and require its report. */
#define PLANT(bug, addr, size, write, stmt)                                                \
	do {                                                                               \
		unsigned long before_ = kasan_nr_reports;                                  \
		stmt;                                                                      \
		expect_report(t, before_, bug, (const void *)(addr), size, write, __LINE__); \
	} while (0)

static volatile u64 sink;

static void read1(const void *p)
{
	sink = *(const volatile u8 *)p;
}

static void write1(void *p)
{
	*(volatile u8 *)p = 0x5a;
}

static void read8(const void *p)
{
	sink = *(const volatile u64 *)p;
}

static void write8(void *p)
{
	*(volatile u64 *)p = 0x5a5a;
}

/* ---- out of bounds past kmalloc objects, both backends ---- */

/* 1-byte read and write at p[size], 8-byte read (and on slab write) at
 * p[size] for sizes that keep it aligned, for kmalloc sizes that leave
 * room in their class (as Linux's cases do: the access lands in the
 * object's slack, which is red zone; KASAN reports before the access but
 * does not stop it, so a write must not reach the next block). A segfit
 * SLOB block's payload ends 4 bytes before the next block's header, so on
 * SLOB the 8-byte overrun is only read. */
static void oob_right_sizes(struct ktest *t, bool write8_ok)
{
	static const size_t sizes1[] = { 13, 101, 1001, 3001 };
	static const size_t sizes8[] = { 24, 120, 1000, 4000 };

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes1); i++) {
		size_t n = sizes1[i];
		u8 *p = kmalloc(n, GFP_KERNEL);

		ASSERT(p != NULL);
		PLANT(KASAN_BUG_SLAB_OOB, p + n, 1, false, read1(p + n));
		PLANT(KASAN_BUG_SLAB_OOB, p + n, 1, true, write1(p + n));
		kfree(p);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes8); i++) {
		size_t n = sizes8[i];
		u8 *p = kmalloc(n, GFP_KERNEL);

		ASSERT(p != NULL);
		PLANT(KASAN_BUG_SLAB_OOB, p + n, 8, false, read8(p + n));
		if (write8_ok)
			PLANT(KASAN_BUG_SLAB_OOB, p + n, 8, true, write8(p + n));
		kfree(p);
	}
}

static void kmalloc_oob_right_slab(struct ktest *t)
{
	enum kmalloc_backend saved = kmalloc_backend;

	kmalloc_set_backend(KMALLOC_SLAB);
	oob_right_sizes(t, true);
	kmalloc_set_backend(saved);
}

static void kmalloc_oob_right_slob(struct ktest *t)
{
	enum kmalloc_backend saved = kmalloc_backend;

	kmalloc_set_backend(KMALLOC_SLOB);
	oob_right_sizes(t, false);
	kmalloc_set_backend(saved);
}

/* A bigblock (above the largest kmalloc cache): its pages' tail. */
static void kmalloc_bigblock_oob_right(struct ktest *t)
{
	size_t n = 3 * PAGE_SIZE + 100;
	u8 *p = kmalloc(n, GFP_KERNEL);

	ASSERT(p != NULL);
	PLANT(KASAN_BUG_SLAB_OOB, p + n, 1, false, read1(p + n));
	PLANT(KASAN_BUG_SLAB_OOB, p + n + 4, 8, true, write8(p + n + 4));
	kfree(p);
}

/* krealloc to a smaller size: the part past the new size is red zone. */
static void krealloc_less_oob(struct ktest *t)
{
	u8 *p = kmalloc(200, GFP_KERNEL), *q;

	ASSERT(p != NULL);
	q = krealloc(p, 150, GFP_KERNEL);
	ASSERT(q == p);
	PLANT(KASAN_BUG_SLAB_OOB, q + 150, 1, true, write1(q + 150));
	PLANT(KASAN_BUG_SLAB_OOB, q + 190, 1, false, read1(q + 190));
	kfree(q);
}

/* ---- kmem_cache objects ---- */

static void kmem_cache_oob(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("kasan-test", 190, 8, 0, NULL);
	u8 *p;

	ASSERT(c != NULL);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT(p != NULL);
	PLANT(KASAN_BUG_SLAB_OOB, p + 190, 1, false, read1(p + 190));
	PLANT(KASAN_BUG_SLAB_OOB, p + 190, 1, true, write1(p + 190));
	kmem_cache_free(c, p);
	kmem_cache_destroy(c);
}

static void kmem_cache_uaf_and_double_free(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("kasan-test", 64, 8, 0, NULL);
	u8 *p;

	ASSERT(c != NULL);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT(p != NULL);
	kmem_cache_free(c, p);
	PLANT(KASAN_BUG_SLAB_UAF, p + 8, 8, false, read8(p + 8));
	PLANT(KASAN_BUG_SLAB_UAF, p, 1, true, write1(p));
	PLANT(KASAN_BUG_DOUBLE_FREE, p, 0, true, kmem_cache_free(c, p));
	p = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT(p != NULL);
	PLANT(KASAN_BUG_INVALID_FREE, p + 8, 0, true, kmem_cache_free(c, p + 8));
	kmem_cache_free(c, p);
	kmem_cache_destroy(c);
}

/* ---- use after kfree, double and invalid kfree, both backends ---- */

static void kfree_bugs(struct ktest *t)
{
	u8 *p = kmalloc(100, GFP_KERNEL);

	ASSERT(p != NULL);
	kfree(p);
	PLANT(KASAN_BUG_SLAB_UAF, p, 1, false, read1(p));
	PLANT(KASAN_BUG_SLAB_UAF, p + 64, 8, true, write8(p + 64));
	PLANT(KASAN_BUG_DOUBLE_FREE, p, 0, true, kfree(p));
}

static void kfree_uaf_double_free_slab(struct ktest *t)
{
	enum kmalloc_backend saved = kmalloc_backend;
	u8 *p;

	kmalloc_set_backend(KMALLOC_SLAB);
	kfree_bugs(t);
	p = kmalloc(64, GFP_KERNEL);
	ASSERT(p != NULL);
	PLANT(KASAN_BUG_INVALID_FREE, p + 1, 0, true, kfree(p + 1));
	kfree(p);
	kmalloc_set_backend(saved);
}

static void kfree_uaf_double_free_slob(struct ktest *t)
{
	enum kmalloc_backend saved = kmalloc_backend;

	kmalloc_set_backend(KMALLOC_SLOB);
	kfree_bugs(t);
	kmalloc_set_backend(saved);
}

/* ---- pages ---- */

static void page_uaf(struct ktest *t)
{
	struct page *pg = alloc_pages(GFP_KERNEL, 1);
	u8 *p;

	ASSERT(pg != NULL);
	p = page_address(pg);
	p[0] = 1;
	p[2 * PAGE_SIZE - 1] = 1;
	__free_pages(pg, 1);
	PLANT(KASAN_BUG_UAF, p, 1, false, read1(p));
	PLANT(KASAN_BUG_UAF, p + PAGE_SIZE + 8, 8, true, write8(p + PAGE_SIZE + 8));
}

/* A run grown in place (extend_pages_exact, as a bigblock grows): the
 * pages it takes were freed (alloc_pages_exact gave back the 3 pages past
 * its 5) and are accessible once taken; freed with the new count, all are
 * freed memory again. */
static void grown_run_accessible(struct ktest *t)
{
	unsigned long before;
	u8 *p = alloc_pages_exact(5 * PAGE_SIZE, GFP_KERNEL);

	ASSERT(p != NULL);
	PLANT(KASAN_BUG_UAF, p + 6 * PAGE_SIZE, 1, false, read1(p + 6 * PAGE_SIZE));
	before = kasan_nr_reports;
	ASSERT(extend_pages_exact(p, 5, 8, GFP_KERNEL));
	memset(p, 4, 8 * PAGE_SIZE);
	EXPECT_EQ(kasan_nr_reports, before);
	free_pages_exact(p, 8 * PAGE_SIZE);
	PLANT(KASAN_BUG_UAF, p + 7 * PAGE_SIZE + 8, 8, true, write8(p + 7 * PAGE_SIZE + 8));
}

/* ---- vmalloc: the tail of the last page, the guard page, after vfree ---- */

struct vaccess {
	u8 *p;
};

static void vread8(void *arg)
{
	read8(((struct vaccess *)arg)->p);
}

static void vmalloc_tail_oob(struct ktest *t)
{
	size_t n = PAGE_SIZE + 1000;
	u8 *p = vmalloc(n);

	ASSERT(p != NULL);
	p[n - 1] = 1;
	PLANT(KASAN_BUG_VMALLOC_OOB, p + n, 1, false, read1(p + n));
	PLANT(KASAN_BUG_VMALLOC_OOB, p + 2 * PAGE_SIZE - 8, 8, true, write8(p + 2 * PAGE_SIZE - 8));
	vfree(p);
}

/* The guard page and a freed area map nothing: the check reports before
 * the access, which then faults (caught and skipped by trap_catch). */
static void vmalloc_guard_and_vfree_uaf(struct ktest *t)
{
	struct trap_expect e;
	struct vaccess a;
	u8 *p = vmalloc(PAGE_SIZE);

	ASSERT(p != NULL);
	a.p = p + PAGE_SIZE;
	PLANT(KASAN_BUG_VMALLOC_OOB, a.p, 8, false, trap_catch(vread8, &a, &e));
	EXPECT(e.hit);
	vfree(p);
	a.p = p + 16;
	PLANT(KASAN_BUG_UAF, a.p, 8, false, trap_catch(vread8, &a, &e));
	EXPECT(e.hit);
}

/* ---- the string functions ---- */

static void memset_memcpy_overruns(struct ktest *t)
{
	u8 *a = kmalloc(100, GFP_KERNEL), *b = kmalloc(100, GFP_KERNEL);
	volatile size_t n = 101; /* (not a constant the compiler would check) */

	ASSERT(a != NULL && b != NULL);
	PLANT(KASAN_BUG_SLAB_OOB, a, 101, true, memset(a, 0, n));
	PLANT(KASAN_BUG_SLAB_OOB, b + 50, 51, true, memcpy(b + 50, a, n - 50));
	PLANT(KASAN_BUG_SLAB_OOB, a + 60, 41, false, memcpy(b, a + 60, n - 60));
	PLANT(KASAN_BUG_SLAB_OOB, a + 1, 100, true, memmove(a + 1, a, n - 1));
	kfree(a);
	kfree(b);
}

/* ---- nothing reported for correct code ---- */

static void no_report_for_correct_accesses(struct ktest *t)
{
	unsigned long before = kasan_nr_reports;
	u8 *p = kmalloc(100, GFP_KERNEL);
	u8 *v = vmalloc(PAGE_SIZE + 100);

	ASSERT(p != NULL && v != NULL);
	memset(p, 1, 100);
	memset(v, 2, PAGE_SIZE + 100);
	p = krealloc(p, 300, GFP_KERNEL);
	ASSERT(p != NULL);
	memset(p + 100, 3, 200);
	EXPECT_EQ(p[99], 1);
	kfree(p);
	vfree(v);
	EXPECT_EQ(kasan_nr_reports, before);
}

/* ---- UBSan (lib/ubsan.c) ---- */

static volatile int ub_int = 40, ub_max = 0x7fffffff, ub_zero;
static int ub_array[4];
static volatile int ub_index = 4;

/* (The counter is read as volatile: gcc may move the handlers' calls
 * across plain loads of it.) */
#define UBSAN_REPORTS (*(volatile unsigned long *)&ubsan_nr_reports)
#define PLANT_UB(kind_, stmt)                                                                  \
	do {                                                                                   \
		unsigned long before_ = UBSAN_REPORTS;                                         \
		int line_ = __LINE__;                                                          \
		stmt;                                                                          \
		planted++;                                                                     \
		if (UBSAN_REPORTS == before_ + 1 && !strcmp(ubsan_last_report.kind, kind_) && \
		    ubsan_last_report.line == (unsigned int)line_ &&                           \
		    !strcmp(ubsan_last_report.file, __FILE__))                                 \
			caught++;                                                              \
		else                                                                           \
			ktest_fail(t, __FILE__, line_, "planted %s: %lu reports, last %s at %s:%u", \
				   kind_, ubsan_nr_reports - before_, ubsan_last_report.kind,  \
				   ubsan_last_report.file, ubsan_last_report.line);            \
	} while (0)

static void ubsan_reports_file_and_line(struct ktest *t)
{
	PLANT_UB("shift-out-of-bounds", sink = (u64)(1 << ub_int));
	PLANT_UB("signed-integer-overflow", sink = (u64)(ub_max + 1));
	PLANT_UB("array-index-out-of-bounds", sink = (u64)ub_array[ub_index]);
	PLANT_UB("division-overflow", sink = (u64)(ub_int / ub_zero));
}

static void all_planted_bugs_caught(struct ktest *t)
{
	ktest_all_planted_caught(t, "kasan", caught, planted);
}

KTEST_SUITE_EXPLICIT(kasan, KTEST_CASE(kmalloc_oob_right_slab), KTEST_CASE(kmalloc_oob_right_slob),
		     KTEST_CASE(kmalloc_bigblock_oob_right), KTEST_CASE(krealloc_less_oob),
		     KTEST_CASE(kmem_cache_oob), KTEST_CASE(kmem_cache_uaf_and_double_free),
		     KTEST_CASE(kfree_uaf_double_free_slab), KTEST_CASE(kfree_uaf_double_free_slob),
		     KTEST_CASE(page_uaf), KTEST_CASE(grown_run_accessible), KTEST_CASE(vmalloc_tail_oob),
		     KTEST_CASE(vmalloc_guard_and_vfree_uaf), KTEST_CASE(memset_memcpy_overruns),
		     KTEST_CASE(no_report_for_correct_accesses), KTEST_CASE(ubsan_reports_file_and_line),
		     KTEST_CASE(all_planted_bugs_caught));

#endif /* CONFIG_KASAN */
