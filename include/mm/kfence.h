/*
 * mm/kfence.h - KFENCE, the sampling memory-error detector of the ordinary
 * kernel (mm/kfence.c, docs/reliability.md), after Linux's mm/kfence.
 *
 * With kfence.sample_interval=MS (0, the default: off) the first eligible
 * allocation after every MS milliseconds is not served by its cache or heap
 * but from the KFENCE pool: a fixed range of the Sv39 upper half,
 * [KFENCE_POOL_START, +KFENCE_POOL_SIZE), where object pages alternate with
 * unmapped guard pages. The object sits at the right or the left edge of its
 * page, the rest of the page holds a canary pattern, and a freed object's
 * page is unmapped. An access to a guard page (out of bounds) or to a freed
 * object (use after free) faults; the trap handler calls
 * kfence_handle_fault, which prints the report, maps the page and lets the
 * access go on. A broken canary is reported at the free, a free of anything
 * but a live object's start at once.
 *
 * The contract of each hook:
 *   kfence_enabled           true while sampling; read only on slow paths.
 *   kfence_alloc_kmalloc(size, gfp, caller)  a sampled kmalloc object, or NULL
 *                            (not due, not eligible, pool full): the
 *                            caller then allocates as usual. Called only
 *                            while kfence_enabled, from kmalloc's slow
 *                            paths (kmalloc=slab routes every kmalloc
 *                            there while it is on, kmalloc=slob every
 *                            kmalloc of kmalloc_heap).
 *   kfence_alloc_cache(c, gfp, caller)  the same for an object of cache c, from
 *                            kmem_cache_alloc_slow (a magazine miss).
 *   kfence_object(p)         might p be a pool object: a single compare
 *                            (any upper-half address); false on the host.
 *   is_kfence_address(p)     p lies in the pool's range.
 *   kfence_free(p)           true: p is in the pool and was dealt with
 *                            (freed, or reported and dropped); false: not
 *                            a pool address, the caller goes on.
 *   kfence_ksize(p)          the object's size, 0 if p is not a live
 *                            pool object's start.
 *   kfence_krealloc(p, n, gfp)  krealloc of a pool object.
 *   kfence_handle_fault(addr, write, pc)  the trap handler's call for a page
 *                            fault: true if addr is in the pool (reported
 *                            unless it was a stale translation; the page
 *                            is mapped now: retry the access).
 */
#ifndef RVMM_MM_KFENCE_H
#define RVMM_MM_KFENCE_H

#ifdef __cplusplus
extern "C" {
#endif

#include <config.h>
#include <lib/kernel.h>
#include <mm/gfp.h>

struct kmem_cache;

#define KFENCE_NUM_OBJECTS 255
/* Guard, object, guard, ..., object, guard. */
#define KFENCE_POOL_PAGES (2 * KFENCE_NUM_OBJECTS + 1)
/* Right above the vmalloc range (include/mm/pgtable.h), in the root entry
 * after it: 1 GiB of its own, mapped with 4 KiB pages. */
#define KFENCE_POOL_START 0xffffffd000000000ull
#define KFENCE_POOL_SIZE ((u64)KFENCE_POOL_PAGES * PAGE_SIZE)
#define KFENCE_STACK_DEPTH 8

extern bool kfence_enabled;

static inline bool is_kfence_address(const void *p)
{
	return (u64)(uintptr_t)p - KFENCE_POOL_START < KFENCE_POOL_SIZE;
}

/* The free fast path's test: the direct map is the lower half, the pool the
 * upper, so one sign test (one branch) tells them apart. */
static inline bool kfence_object(const void *p)
{
#ifdef HOST
	(void)p;
	return false;
#else
	return (long)p < 0;
#endif
}

/* kmem_cache_free's fast-path test: a pool object, or NULL, which no
 * magazine may take (magazine_pop reads a NULL as "empty": one pushed would
 * hide every object below it, and the hart's allocations from the cache
 * would all fail). On the target the same single compare as kfence_object,
 * (long)p <= 0 in place of < 0; on the host (no pool) the NULL test. Both
 * go to kfence_cache_free, which drops a NULL. */
static inline bool kfence_object_or_null(const void *p)
{
#ifdef HOST
	return !p;
#else
	return (long)p <= 0;
#endif
}

/* @caller: the allocator's return address (its caller, when the fast
 * path tail-called it), shown first in the allocation stack: the fast
 * paths keep no frame pointer, so the frame walk misses their callers. */
void *__kfence_alloc_kmalloc(size_t size, gfp_t gfp, unsigned long caller);
/* kmalloc's gate reads the clock every KFENCE_CHECK_EVERY calls: a plain
 * countdown (harts may lose a decrement: that only delays a check). */
#define KFENCE_CHECK_EVERY 16
extern long kfence_countdown;
static inline bool kfence_kmalloc_due(void)
{
	long n = __atomic_load_n(&kfence_countdown, __ATOMIC_RELAXED) - 1;

	__atomic_store_n(&kfence_countdown, n, __ATOMIC_RELAXED);
	return unlikely(n <= 0);
}

static inline void *kfence_alloc_kmalloc(size_t size, gfp_t gfp, unsigned long caller)
{
	if (likely(!kfence_kmalloc_due()))
		return NULL;
	return __kfence_alloc_kmalloc(size, gfp, caller);
}
void *kfence_alloc_cache(struct kmem_cache *c, gfp_t gfp, unsigned long caller);
bool kfence_free(const void *p);
/* kmem_cache_free of an upper-half address: kfence_free, or (not a pool
 * address) kmem_cache_free_slow as before; of NULL: nothing, as kfree(NULL). */
void kfence_cache_free(struct kmem_cache *c, void *obj);
/* kfence_free for a caller that knows who freed (kfree's slow path). */
bool __kfence_free(const void *p, unsigned long caller);
/* The hooks' @caller: the return address of the function they sit in. */
#define KFENCE_CALLER() ((unsigned long)__builtin_return_address(0))
size_t kfence_ksize(const void *p);
void *kfence_krealloc(const void *p, size_t new_size, gfp_t gfp);
bool kfence_handle_fault(unsigned long addr, bool is_write, unsigned long pc);
/* The cache of the live pool object holding p (virt_to_cache); NULL when p
 * is not in one, or it is a SLOB kmalloc block. */
struct kmem_cache *kfence_cache(const void *p);
/* kmem_cache_destroy(c): c's live pool objects are leaks, reported as
 * Linux's "objects remaining" are, and forget c (they keep its name). */
void kfence_forget_cache(struct kmem_cache *c);

/* Boot: start sampling at the interval kfence.sample_interval= gave (after
 * paging and the harts are up). */
void kfence_boot_start(void);
/* The longest sample interval taken, 10^9 ms (11.6 days), by
 * kfence.sample_interval= and the kfence command alike: kfence_set_interval
 * counts it in microseconds on a 64-bit clock. */
#define KFENCE_MAX_INTERVAL_MS 1000000000ul
/* Sample every @ms milliseconds (0: stop; the pool stays, its objects are
 * freed as they come). The pool is set up on the first start. 0, -EINVAL
 * (@ms above KFENCE_MAX_INTERVAL_MS: nothing changes), -ENODEV (no paging),
 * -ENOMEM, -EOPNOTSUPP (the KASAN kernel). Only while no other hart
 * allocates (the console, tests). */
int kfence_set_interval(unsigned long ms);
unsigned long kfence_get_interval(void);
/* Make the next eligible allocation a sampled one (tests; Linux's test
 * loops until it gets one, this makes the loop short). */
void kfence_sample_next(void);

/* ---- reports, statistics (tests, the console) ---- */
enum kfence_bug {
	KFENCE_BUG_NONE,
	KFENCE_BUG_OOB,          /* out-of-bounds (a guard page) */
	KFENCE_BUG_UAF,          /* use-after-free (a freed object's page) */
	KFENCE_BUG_CORRUPTION,   /* memory corruption (the canary, at free) */
	KFENCE_BUG_INVALID,      /* an access to the pool near no object */
	KFENCE_BUG_INVALID_FREE, /* invalid free: not an object's start, or freed twice */
};

struct kfence_report_info {
	enum kfence_bug bug;
	unsigned long addr; /* the access's, the first corrupted byte's, the free's */
	bool is_write;
	int object;         /* kfence-#N, -1 for none */
	unsigned long pc;
};

extern unsigned long kfence_nr_reports;
extern struct kfence_report_info kfence_last_report;
const char *kfence_bug_name(enum kfence_bug bug);

struct kfence_stats {
	unsigned long allocated;         /* live objects */
	unsigned long allocs, frees;     /* since boot */
	unsigned long bugs;              /* reports */
	unsigned long skipped_incompat;  /* due, but too big, zone bits, a zone cache */
	unsigned long skipped_capacity;  /* due, but every slot in use */
};
void kfence_get_stats(struct kfence_stats *st);
/* Linux's /sys/kernel/debug/kfence/stats lines. */
void kfence_show_stats(void);
/* The whatis command's KFENCE part: prints where @addr lies in the pool and
 * its slot's object, true; false when @addr is outside the pool. */
bool kfence_whatis(u64 addr);

/* Pool geometry (host tests, the fault handler): the address of a sampled
 * object of @size aligned to @align at the right (or left) edge of the page
 * at @page; the canary byte of address @a. */
unsigned long kfence_place(unsigned long page, size_t size, size_t align, bool right);
static inline u8 kfence_canary(unsigned long a)
{
	return (u8)(0xa5 ^ (a & 0x0f));
}
/* The first byte of [start, end) that is not its canary, or 0. */
unsigned long kfence_check_canary(unsigned long start, unsigned long end);

#ifdef __cplusplus
}
#endif

#endif
