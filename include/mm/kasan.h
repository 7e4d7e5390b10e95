/*
 * mm/kasan.h - the allocators' hooks into KASAN (mm/kasan.c), the kernel
 * address sanitizer of the KASAN kernel (make kasan, docs/reliability.md).
 *
 * Every hook is one call at one place in the allocators. Without
 * CONFIG_KASAN (the ordinary kernel, the host builds) each is an empty
 * static inline that returns its argument, so the allocators' code and
 * their benchmark counts are exactly what they are without the hooks.
 *
 * The contract of each hook (CONFIG_KASAN):
 *   kasan_init(mb)              carve the shadow and the object records
 *                               from memblock; called once, before the
 *                               page allocator exists.
 *   kasan_alloc_pages(p, o)     p (NULL allowed) was just allocated with
 *                               order o: its pages become accessible.
 *   kasan_free_pages(p, o)      p is being freed by __free_pages: when this
 *                               frees it (refcount 1), its pages become
 *                               "freed page".
 *   kasan_slab_new(c, head)     a new slab: every byte not yet an
 *                               allocated object is a red zone.
 *   kasan_slab_release(c, head)  a slab about to be given back: all of it
 *                               accessible (to the cache's destructor).
 *   kasan_slab_alloc(c, obj)    obj (NULL allowed) leaves the cache:
 *                               object_size bytes accessible, the rest of
 *                               the stride a red zone (for an object c
 *                               borrowed from a larger cache, mm/slab.c,
 *                               the owner's: ksize's bytes are the
 *                               caller's); allocation recorded.
 *   kasan_slab_free(c, obj)     true: KASAN took obj (into the quarantine,
 *                               or dropped it as a double or invalid free,
 *                               reported); the caller must not free it.
 *                               (A SLOB-model cache's object: false, left
 *                               accessible; slab_slob.c unpoisons its
 *                               objects with kasan_slab_alloc before their
 *                               constructor, which runs at each allocation.)
 *   kasan_kmalloc(p, size)      a kmalloc result: size bytes accessible,
 *                               the rest of the block a red zone.
 *   kasan_krealloc(p, size)     krealloc kept p for the new size.
 *   kasan_kfree_slob(p)         as kasan_slab_free, for a SLOB block.
 *   kasan_vmalloc(addr, size)   a new vmalloc area: the tail of its last
 *                               page past size is a red zone.
 *   kasan_vfree(addr, size)     an area being freed (remembered, so that a
 *                               later access is reported as use-after-free).
 *   kasan_cache_drain(c)        the quarantine gives back c's objects (c
 *                               NULL: everything), before c is shrunk or
 *                               destroyed.
 */
#ifndef RVMM_MM_KASAN_H
#define RVMM_MM_KASAN_H

#ifdef __cplusplus
extern "C" {
#endif

#include <lib/kernel.h>

struct memblock;
struct page;
struct kmem_cache;

#ifdef CONFIG_KASAN
#define KASAN_KERNEL 1

/* One shadow byte per 8 bytes (docs/reliability.md: the shadow's layout). */
#define KASAN_SHADOW_SCALE_SHIFT 3
#define KASAN_GRANULE_SIZE (1ul << KASAN_SHADOW_SCALE_SHIFT)

/* Shadow values: 0 all 8 bytes accessible, 1..7 that many leading bytes,
 * and these (Linux's values) for none. */
#define KASAN_PAGE_FREE 0xff
#define KASAN_PAGE_REDZONE 0xfe
#define KASAN_SLAB_REDZONE 0xfc
#define KASAN_SLAB_FREE 0xfb
#define KASAN_VMALLOC_INVALID 0xf8

void kasan_init(struct memblock *mb);
struct page *kasan_alloc_pages(struct page *page, unsigned int order);
void kasan_free_pages(struct page *page, unsigned int order);
void kasan_slab_new(struct kmem_cache *c, struct page *head);
void kasan_slab_release(struct kmem_cache *c, struct page *head);
void *kasan_slab_alloc(struct kmem_cache *c, void *obj);
bool kasan_slab_free(struct kmem_cache *c, void *obj);
void *kasan_kmalloc(void *p, size_t size);
void *kasan_krealloc(const void *p, size_t size);
bool kasan_kfree_slob(const void *p);
void *kasan_vmalloc(void *addr, unsigned long size);
void kasan_vfree(const void *addr, unsigned long size);
void kasan_cache_drain(struct kmem_cache *c);

/* ---- for the planted-bug suite and the shell ---- */
enum kasan_bug {
	KASAN_BUG_NONE,
	KASAN_BUG_SLAB_OOB,       /* slab-out-of-bounds */
	KASAN_BUG_SLAB_UAF,       /* slab-use-after-free */
	KASAN_BUG_UAF,            /* use-after-free (pages, vmalloc) */
	KASAN_BUG_VMALLOC_OOB,    /* vmalloc-out-of-bounds */
	KASAN_BUG_DOUBLE_FREE,    /* double-free */
	KASAN_BUG_INVALID_FREE,   /* invalid-free */
	KASAN_BUG_WILD,           /* wild-memory-access (no shadow) */
};

struct kasan_report_info {
	enum kasan_bug bug;
	unsigned long addr;  /* the access's (or the free's) address */
	size_t size;
	bool is_write;
	unsigned long pc;    /* the instruction's (the caller of the check) */
};

/* Reports since boot, and the last one. */
extern unsigned long kasan_nr_reports;
extern struct kasan_report_info kasan_last_report;
const char *kasan_bug_name(enum kasan_bug bug);
/* Is the address's shadow poisoned? (-1: no shadow there) */
int kasan_shadow_byte(const void *addr);
/* Objects and bytes in the quarantine now. */
void kasan_quarantine_counts(unsigned long *objects, unsigned long *bytes);
/* Is @obj (a freed object or block) waiting in the quarantine? (whatis) */
bool kasan_in_quarantine(const void *obj);
/* For suites that test the allocators' own bookkeeping and bug checks
 * (tests/ktest.c): the quarantine off (frees go straight back; it is
 * drained first), and the checks and reports off (the shadow is still
 * kept). Both are on at boot. Only while no other hart allocates. */
void kasan_set_quarantine(bool on);
void kasan_set_checks(bool on);

#else /* !CONFIG_KASAN: nothing, at no cost */

static inline void kasan_init(struct memblock *mb)
{
	(void)mb;
}
static inline struct page *kasan_alloc_pages(struct page *page, unsigned int order)
{
	(void)order;
	return page;
}
static inline void kasan_free_pages(struct page *page, unsigned int order)
{
	(void)page;
	(void)order;
}
static inline void kasan_slab_new(struct kmem_cache *c, struct page *head)
{
	(void)c;
	(void)head;
}
static inline void kasan_slab_release(struct kmem_cache *c, struct page *head)
{
	(void)c;
	(void)head;
}
static inline void *kasan_slab_alloc(struct kmem_cache *c, void *obj)
{
	(void)c;
	return obj;
}
static inline bool kasan_slab_free(struct kmem_cache *c, void *obj)
{
	(void)c;
	(void)obj;
	return false;
}
static inline void *kasan_kmalloc(void *p, size_t size)
{
	(void)size;
	return p;
}
static inline void *kasan_krealloc(const void *p, size_t size)
{
	(void)size;
	return (void *)p;
}
static inline bool kasan_kfree_slob(const void *p)
{
	(void)p;
	return false;
}
static inline void *kasan_vmalloc(void *addr, unsigned long size)
{
	(void)size;
	return addr;
}
static inline void kasan_vfree(const void *addr, unsigned long size)
{
	(void)addr;
	(void)size;
}
static inline void kasan_cache_drain(struct kmem_cache *c)
{
	(void)c;
}

static inline bool kasan_in_quarantine(const void *obj)
{
	(void)obj;
	return false;
}

#define KASAN_KERNEL 0
#endif /* CONFIG_KASAN */
#ifdef __cplusplus
}
#endif

#endif
