/*
 * vmalloc.c - virtually contiguous allocations built from single pages.
 *
 * vmalloc(size) takes ceil(size / 4 KiB) order-0 pages from the page
 * allocator (wherever they are: no contiguous run is needed), finds a free
 * range of virtual addresses in [VMALLOC_START, VMALLOC_END) one page
 * longer than the area, and maps the pages there in the kernel page table;
 * the extra page stays unmapped as a guard, so running off the end faults.
 * vmap() maps pages the caller owns. vunmap unmaps and flushes the range
 * from every hart's TLB (SBI RFENCE) before it returns.
 *
 * Lazy vfree. With more than one hart online, flushing the other harts is
 * the cost of a vfree: one SBI RFENCE, which waits until each of them has
 * taken the interrupt and flushed (on QEMU's virt with 4 harts, about 630
 * thousand instructions for a one-page vfree against 1150 on one hart). So
 * vfree unmaps the area and flushes only its own hart; the area stays in
 * the tree, marked VM_LAZY and holding its pages, so that neither its
 * addresses nor its pages can be used again while another hart may still
 * hold a translation of them. When LAZY_MAX_AREAS areas or LAZY_MAX_PAGES
 * pages wait (or a vmalloc finds no room, or reclaim asks: the shrinker),
 * one flush of the range they span on every hart purges them all: out of
 * the tree, pages freed (their records too, but not in reclaim:
 * waiting_records). A use after vfree therefore faults on the freeing hart
 * at once and, on another, finds either a stale translation of pages
 * nobody else has yet, or the fault; it never reaches memory given to
 * someone else. On one hart vfree flushes and frees at once, and so it
 * does everywhere with vmalloc_lazy=off (every use after vfree then
 * faults at once on every hart).
 *
 * Areas are kept in an AVL tree (lib/avl.c) ordered by address: finding the
 * area of an address (vfree, vmalloc_to_page's checks, fault reports) and
 * removing it are O(log n). A new area goes after the highest one when the
 * space there suffices (O(log n)); otherwise the gaps are searched in
 * address order (an in-order walk that stops at the first gap that fits).
 * One lock (vmap_lock) covers the tree and the vmalloc part of the page
 * table; pages are allocated and freed outside it.
 *
 * New mappings are made visible on the allocating hart with sfence.vma;
 * another hart that cached the old "unmapped" state faults once, finds the
 * address mapped (vmalloc_fault), flushes its TLB and retries.
 */
#include <lib/avl.h>
#include <lib/cmdline.h>
#include <mm/kmalloc.h>
#include <lib/kstring.h>
#include <mm/mm.h>
#include <mm/mm_report.h>
#include <mm/port.h>
#include <lib/riscv.h>
#include <lib/spinlock.h>
#include <mm/vmalloc.h>
#include "internal.h"

#define VM_ALLOC 0x1 /* vmalloc: the area owns its pages */
#define VM_MAP 0x2   /* vmap: the caller owns them */
#define VM_LAZY 0x4  /* (with VM_ALLOC) vfree'd, unmapped, awaiting the purge */

/* A purge when this many areas, or pages, wait (Linux's lazy_max_pages is
 * 32 MiB times log2 of the cpus; a board has less memory to leave waiting). */
#define LAZY_MAX_AREAS 32u
#define LAZY_MAX_PAGES 1024u

struct vm_area {
	u64 addr;               /* first byte */
	u64 size;               /* mapped bytes; the guard page follows */
	unsigned int nr_pages;
	unsigned int flags;
	struct page **pages;    /* VM_ALLOC: the pages, in order (kmalloc'ed, or
				 * vmalloc'ed when above a page) */
	unsigned long caller;
	union {
		struct avl_node node;        /* in the tree of areas, keyed by addr */
		struct vm_area *purged_next; /* purged, out of the tree: the next to free */
	};
};

static spinlock_t vmap_lock = SPINLOCK_INIT;
/* nr_areas: live areas (the tree also holds the lazy ones) */
static unsigned long nr_areas, nr_vmalloc_pages, nr_vmap_pages;
/* The VM_LAZY areas (a purge comes at LAZY_MAX_AREAS: the record keeps its
 * 64 bytes, kmalloc-64's, with no link of its own) */
static struct vm_area *lazy_areas[LAZY_MAX_AREAS];
static unsigned long nr_lazy_areas, nr_lazy_pages, nr_purges;

/* vmalloc_lazy=on|off (default on) */
static bool lazy_vfree = true;

static int lazy_param(const char *value)
{
	return parse_bool(value, &lazy_vfree);
}
KPARAM("vmalloc_lazy", lazy_param,
       "vmalloc_lazy=on|off  with more than one hart, vfree defers the other harts' TLB flush and "
       "its pages' free to one purge per 32 areas or 1024 pages (default on; off: every vfree "
       "flushes every hart)");

bool vmalloc_set_lazy(bool on)
{
	bool was = lazy_vfree;

	lazy_vfree = on;
	if (!on)
		vmalloc_purge();
	return was;
}

/* ========================= the tree of areas ============================= */

static struct avl_tree areas = AVL_TREE_INIT(struct vm_area, node, addr);

static struct vm_area *area_of(struct avl_node *n)
{
	return n ? avl_entry(n, struct vm_area, node) : NULL;
}

/* The area with the highest start <= addr, or NULL. */
static struct vm_area *tree_floor(u64 addr)
{
	return area_of(avl_floor(&areas, addr));
}

static u64 area_end(const struct vm_area *a)
{
	return a->addr + a->size + PAGE_SIZE; /* the guard page included */
}

struct gap_search {
	u64 prev_end; /* end of the area before, its guard included */
	u64 need;
};

/* avl_walk, in address order: stop at the first area with @need bytes free
 * before it (vmap_lock held). */
static int gap_before(struct avl_node *n, void *arg)
{
	struct gap_search *g = arg;
	const struct vm_area *a = area_of(n);

	if (a->addr - g->prev_end >= g->need)
		return 1;
	g->prev_end = area_end(a);
	return 0;
}

/*
 * Where a new area of @need bytes goes: after the highest area while the
 * used part of the space stays within VMALLOC_COMPACT (O(log n)); beyond
 * that, the lowest gap that fits first, so that addresses, and the page
 * tables behind them, do not creep up to VMALLOC_END under churn.
 */
#define VMALLOC_COMPACT (1ull << 30)

static u64 find_range(u64 need)
{
	struct vm_area *last = area_of(avl_last(&areas));
	u64 start = last ? area_end(last) : VMALLOC_START;
	struct gap_search g = { .prev_end = VMALLOC_START, .need = need };

	if (start - VMALLOC_START <= VMALLOC_COMPACT && VMALLOC_END - start >= need)
		return start;
	if (avl_walk(&areas, gap_before, &g))
		return g.prev_end;
	return VMALLOC_END - g.prev_end >= need ? g.prev_end : 0;
}

/* ============================== areas ==================================== */

static int map_area(struct vm_area *a, struct page **pages)
{
	for (unsigned int i = 0; i < a->nr_pages; i++) {
		int rc = pgtable_map(port_kernel_pgtable(), a->addr + (u64)i * PAGE_SIZE,
				     virt_to_phys(page_address(pages[i])), PAGE_SIZE, PAGE_KERNEL, 0);

		if (rc) {
			pgtable_unmap(port_kernel_pgtable(), a->addr, (u64)i * PAGE_SIZE);
			return rc;
		}
	}
	return 0;
}

static unsigned long purge_lazy(void);

/* Reserve a range and map @pages there; returns the address or NULL. */
static void *place_area(struct vm_area *a, struct page **pages)
{
	unsigned long flags = spin_lock_irqsave(&vmap_lock);
	u64 addr = find_range(a->size + PAGE_SIZE);

	if (!addr && nr_lazy_areas) { /* the lazy areas' ranges, given back */
		spin_unlock_irqrestore(&vmap_lock, flags);
		purge_lazy();
		flags = spin_lock_irqsave(&vmap_lock);
		addr = find_range(a->size + PAGE_SIZE);
	}
	a->addr = addr;
	if (!addr || map_area(a, pages)) {
		spin_unlock_irqrestore(&vmap_lock, flags);
		return NULL;
	}
	avl_insert(&areas, &a->node);
	nr_areas++;
	if (a->flags & VM_ALLOC)
		nr_vmalloc_pages += a->nr_pages;
	else
		nr_vmap_pages += a->nr_pages;
	spin_unlock_irqrestore(&vmap_lock, flags);
	port_flush_tlb_local(a->addr, a->size);
	return (void *)(uintptr_t)addr;
}

/* The lazy areas taken out of the tree after one flush, on every hart,
 * of the range they span (vmap_lock held): the list of them, for
 * free_purged once the lock is dropped. */
static struct vm_area *detach_lazy(void)
{
	struct vm_area *list = NULL;
	u64 lo = ~0ull, hi = 0;

	if (!nr_lazy_areas)
		return NULL;
	for (unsigned long i = 0; i < nr_lazy_areas; i++) {
		lo = MIN(lo, lazy_areas[i]->addr);
		hi = MAX(hi, lazy_areas[i]->addr + lazy_areas[i]->size);
	}
	port_flush_tlb_all(lo, hi - lo);
	for (unsigned long i = 0; i < nr_lazy_areas; i++) {
		struct vm_area *a = lazy_areas[i];

		avl_remove(&areas, a->addr);
		a->purged_next = list; /* (its tree node is free now) */
		list = a;
	}
	nr_lazy_areas = nr_lazy_pages = 0;
	nr_purges++;
	return list;
}

static void free_area_frames(struct vm_area *a, unsigned int n);

/* Purged areas whose records and page arrays wait to be freed: reclaim
 * (the shrinker) frees only pages, since it may run under a lock kfree
 * would take (a cache's, the SLOB heap's: it hung the harts of a slab=slob
 * machine at 95% full). Pushed without a lock; taken whole by
 * free_waiting_records. */
static struct vm_area *waiting_records;
/* Reclaim's purges under way (from detaching to pushing their records):
 * vmalloc_purge waits for them, so that what it leaves is settled. */
static int reclaim_purges;

static void free_waiting_records(void)
{
	struct vm_area *list = __atomic_exchange_n(&waiting_records, NULL, __ATOMIC_ACQUIRE);

	while (list) {
		struct vm_area *a = list;

		list = a->purged_next;
		kvfree(a->pages);
		kfree(a);
	}
}

/* Free the pages of the areas detach_lazy returned, and their records
 * unless @in_reclaim (then they wait for the next vfree or purge); the
 * pages freed. */
static unsigned long free_purged(struct vm_area *list, bool in_reclaim)
{
	unsigned long pages = 0;

	while (list) {
		struct vm_area *a = list;

		list = a->purged_next;
		pages += a->nr_pages;
		free_area_frames(a, a->nr_pages);
		a->purged_next = __atomic_load_n(&waiting_records, __ATOMIC_RELAXED);
		while (!__atomic_compare_exchange_n(&waiting_records, &a->purged_next, a, true,
						    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
			;
	}
	if (!in_reclaim)
		free_waiting_records();
	return pages;
}

/* Purge every lazy area now; the pages it freed. */
static unsigned long purge_lazy(void)
{
	unsigned long flags = spin_lock_irqsave(&vmap_lock);
	struct vm_area *list = detach_lazy();

	spin_unlock_irqrestore(&vmap_lock, flags);
	return free_purged(list, false);
}

unsigned long vmalloc_purge(void)
{
	unsigned long pages = purge_lazy();

	/* (another hart's reclaim may be between its detach and its push) */
	while (__atomic_load_n(&reclaim_purges, __ATOMIC_ACQUIRE))
		;
	free_waiting_records();
	return pages;
}

/* The shrinker: reclaim may run with vmap_lock held on this hart (a
 * page-table page for a new area), so it never waits for the lock. */
static unsigned long lazy_shrink_scan(gfp_t gfp)
{
	unsigned long flags = irq_save(), pages;
	struct vm_area *list = NULL;

	(void)gfp;
	if (spin_trylock(&vmap_lock)) {
		list = detach_lazy();
		if (list)
			__atomic_add_fetch(&reclaim_purges, 1, __ATOMIC_RELAXED);
		spin_unlock(&vmap_lock);
	}
	irq_restore(flags);
	pages = free_purged(list, true);
	if (list)
		__atomic_sub_fetch(&reclaim_purges, 1, __ATOMIC_RELEASE);
	return pages;
}

static struct shrinker lazy_shrinker = { .name = "vmalloc-lazy", .scan = lazy_shrink_scan };

/* Registered with the first lazy area (and again after the tests start
 * the memory manager over: registering twice would loop the list). */
static void lazy_shrinker_on(void)
{
	static int on;

	if (!__atomic_exchange_n(&on, 1, __ATOMIC_RELAXED)) {
		unregister_shrinker(&lazy_shrinker);
		register_shrinker(&lazy_shrinker);
	}
}

/*
 * Take the area starting exactly at @addr out of use: unmapped, counted
 * out (a vmalloc area's free noted for KASAN's reports). False (and nothing changed) when there is none
 * live there. A vmap area, and any area with no other hart online, leaves
 * the tree flushed from every hart: *@gone, for the caller to free. A
 * vfree'd area with other harts online stays in the tree, lazy (flushed
 * here only), and is the purge's from the moment the lock is dropped:
 * *@gone is NULL. *@purged: the lazy areas a full batch purged, for
 * free_purged.
 */
static bool remove_area(const void *addr, unsigned int want_flags, struct vm_area **gone,
			struct vm_area **purged)
{
	unsigned long flags = spin_lock_irqsave(&vmap_lock);
	struct vm_area *a = tree_floor((u64)(uintptr_t)addr);
	bool lazy = (want_flags & VM_ALLOC) && lazy_vfree && nr_online_cpus() > 1;

	*purged = *gone = NULL;
	if (!a || a->addr != (u64)(uintptr_t)addr || !(a->flags & want_flags) || (a->flags & VM_LAZY)) {
		spin_unlock_irqrestore(&vmap_lock, flags);
		return false;
	}
	if (a->flags & VM_ALLOC)
		kasan_vfree(addr, a->size); /* (under the lock: before a purge can reuse the range) */
	nr_areas--;
	if (a->flags & VM_ALLOC)
		nr_vmalloc_pages -= a->nr_pages;
	else
		nr_vmap_pages -= a->nr_pages;
	pgtable_unmap(port_kernel_pgtable(), a->addr, a->size);
	if (lazy) {
		port_flush_tlb_local(a->addr, a->size);
		a->flags |= VM_LAZY;
		lazy_areas[nr_lazy_areas++] = a;
		nr_lazy_pages += a->nr_pages;
		if (nr_lazy_areas >= LAZY_MAX_AREAS || nr_lazy_pages >= LAZY_MAX_PAGES)
			*purged = detach_lazy();
		spin_unlock_irqrestore(&vmap_lock, flags);
		lazy_shrinker_on();
		return true;
	}
	avl_remove(&areas, a->addr);
	/* Flushed before the lock is dropped: once it is, another hart may
	 * place a new area here, and no hart may still see these pages then. */
	port_flush_tlb_all(a->addr, a->size);
	spin_unlock_irqrestore(&vmap_lock, flags);
	*gone = a;
	return true;
}

static void *vmalloc_caller(unsigned long size, gfp_t gfp, unsigned long caller);

/* The array of an area's pages. Above a page it is vmalloc'ed itself (as
 * Linux does), so that no allocation of a vmalloc needs contiguous pages. */
static struct page **alloc_page_array(unsigned int n, unsigned long caller)
{
	unsigned long bytes = (unsigned long)n * sizeof(struct page *);

	if (bytes <= PAGE_SIZE)
		return kmalloc(bytes, GFP_KERNEL);
	return vmalloc_caller(bytes, GFP_KERNEL, caller);
}

static void free_area_frames(struct vm_area *a, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		set_page_type(a->pages[i], PGTY_NONE);
		__free_pages(a->pages[i], 0);
	}
}

static void free_area_pages(struct vm_area *a, unsigned int n)
{
	free_area_frames(a, n);
	kvfree(a->pages);
}

/* vmalloc's failure line (unless __GFP_NOWARN): the request and @why.
 * Its pages are taken quietly, one at a time, so the page allocator's
 * warning would name an order-0 request, not this one, or nothing at all
 * (it warns once per order). */
static void vmalloc_failed(unsigned long size, gfp_t gfp, const char *why, unsigned int got,
			   unsigned int of)
{
	if (gfp & __GFP_NOWARN)
		return;
	kprintf("vmalloc: %lu bytes (gfp 0x%x) failed: %s", size, gfp, why);
	if (of)
		kprintf(" (%u of %u pages from %s taken)", got, of, gfp_zone_text(gfp));
	kprintf("\n");
}

static void *vmalloc_caller(unsigned long size, gfp_t gfp, unsigned long caller)
{
	/* (size + PAGE_SIZE - 1) would wrap for a size near ULONG_MAX. */
	unsigned long n = (size >> PAGE_SHIFT) + !!(size & (PAGE_SIZE - 1));
	struct vm_area *a;
	void *addr;
	unsigned int i;

	if (unlikely(!slab_up))
		mm_called_before_init("vmalloc");
	if (size && !port_kernel_pgtable()) {
		/* (kvmalloc's caller is told why its big request failed) */
		if (!(gfp & __GFP_NOWARN))
			kprintf("vmalloc: %lu bytes refused: no page table to map them "
				"(port_kernel_pgtable() is NULL)\n", size);
		return NULL;
	}
	/* vmalloc(0) is NULL, quietly; a size no vmalloc can serve is refused
	 * with its reason before any memory is looked at (ktest
	 * vmalloc.sizes_zero_huge_and_tiny). */
	if (!size)
		return NULL;
	if (n > (VMALLOC_END - VMALLOC_START) / PAGE_SIZE / 2) {
		if (!(gfp & __GFP_NOWARN))
			kprintf("vmalloc: %lu bytes (gfp 0x%x) refused: one area holds at most "
				"half the vmalloc range, %lu MiB\n", size, gfp,
				(unsigned long)((VMALLOC_END - VMALLOC_START) / 2 >> 20));
		return NULL;
	}
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a) {
		vmalloc_failed(size, gfp, "no memory for its area record", 0, 0);
		return NULL;
	}
	a->nr_pages = (unsigned int)n;
	a->size = n << PAGE_SHIFT;
	a->flags = VM_ALLOC;
	a->caller = caller;
	a->pages = alloc_page_array(a->nr_pages, caller);
	if (!a->pages) {
		vmalloc_failed(size, gfp, "no memory for its page array", 0, 0);
		goto no_array;
	}
	for (i = 0; i < a->nr_pages; i++) {
		a->pages[i] = alloc_page(gfp | __GFP_NOWARN);
		if (!a->pages[i]) {
			vmalloc_failed(size, gfp, "out of pages", i, a->nr_pages);
			goto no_pages;
		}
		set_page_type(a->pages[i], PGTY_VMALLOC);
	}
	addr = place_area(a, a->pages);
	if (addr)
		return kasan_vmalloc(addr, size);
	vmalloc_failed(size, gfp, "no room to map it (vmalloc range or page-table pages)", 0, 0);
no_pages:
	free_area_pages(a, i);
no_array:
	kfree(a);
	return NULL;
}

void *vmalloc(unsigned long size)
{
	return vmalloc_caller(size, GFP_KERNEL, (unsigned long)__builtin_return_address(0));
}

void *__vmalloc(unsigned long size, gfp_t gfp)
{
	return vmalloc_caller(size, gfp, (unsigned long)__builtin_return_address(0));
}

void *vzalloc(unsigned long size)
{
	return vmalloc_caller(size, GFP_KERNEL | __GFP_ZERO,
			      (unsigned long)__builtin_return_address(0));
}

void *vmalloc_32(unsigned long size)
{
	return vmalloc_caller(size, GFP_KERNEL | __GFP_DMA32, RET_IP);
}

void *vcalloc(size_t n, size_t size)
{
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes))
		return NULL;
	return vmalloc_caller(bytes, GFP_KERNEL | __GFP_ZERO, RET_IP);
}

void vfree(const void *addr)
{
	struct vm_area *a, *purged;

	if (!addr)
		return;
	if (!remove_area(addr, VM_ALLOC, &a, &purged)) {
		kprintf("vfree: %p: not the start of a vmalloc area (never allocated, or freed twice)\n",
			addr);
		return;
	}
	if (a) { /* (NULL: lazy, the purge's now) */
		free_area_pages(a, a->nr_pages);
		kfree(a);
	}
	if (unlikely(purged))
		free_purged(purged, false);
	else if (unlikely(__atomic_load_n(&waiting_records, __ATOMIC_RELAXED)))
		free_waiting_records();
}

void *vmap(struct page **pages, unsigned int count)
{
	struct vm_area *a;
	void *addr;

	if (!count || !port_kernel_pgtable())
		return NULL;
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return NULL;
	a->nr_pages = count;
	a->size = (u64)count << PAGE_SHIFT;
	a->flags = VM_MAP;
	a->caller = (unsigned long)__builtin_return_address(0);
	addr = place_area(a, pages);
	if (!addr)
		kfree(a);
	return addr;
}

void vunmap(const void *addr)
{
	struct vm_area *a, *purged;

	if (!addr)
		return;
	if (!remove_area(addr, VM_MAP, &a, &purged)) {
		kprintf("vunmap: %p: not the start of a vmap area\n", addr);
		return;
	}
	kfree(a); /* (a vmap area is never lazy: its pages are the caller's once this returns) */
}

struct page *vmalloc_to_page(const void *addr)
{
	u64 pa;

	if (!is_vmalloc_addr(addr) || !port_kernel_pgtable())
		return NULL;
	pa = pgtable_translate(port_kernel_pgtable(), (u64)(uintptr_t)addr);
	return pa == ~0ull ? NULL : pfn_to_page(PHYS_PFN(pa));
}

/* kvmalloc's failure line when kmalloc failed and there is no page table
 * for vmalloc: kmalloc's cause first (its own line was kept quiet), then
 * why vmalloc could not take over. */
static void kvmalloc_failed(unsigned long size, gfp_t gfp)
{
	char why[192];

	if (gfp & __GFP_NOWARN)
		return;
	if (size > KMALLOC_MAX_SIZE)
		ksnprintf(why, sizeof(why), "it is above KMALLOC_MAX_SIZE (%lu KiB)",
			  (unsigned long)KMALLOC_MAX_SIZE >> 10);
	else
		page_run_shortfall((size + PAGE_SIZE - 1) >> PAGE_SHIFT, gfp, why, sizeof(why));
	kprintf("kvmalloc: %lu bytes (gfp 0x%x) failed: kmalloc could not give them (%s), and vmalloc "
		"has no page table to map pages in (port_kernel_pgtable() is NULL)\n", size, gfp, why);
}

static void *kvmalloc_caller(unsigned long size, gfp_t gfp, unsigned long caller)
{
	void *p;

	if (size <= PAGE_SIZE)
		return kmalloc_track_caller(size, gfp, caller);
	p = kmalloc_track_caller(size, gfp | __GFP_NOWARN, caller);
	if (p)
		return p;
	if (size && !port_kernel_pgtable()) {
		kvmalloc_failed(size, gfp);
		return NULL;
	}
	return vmalloc_caller(size, gfp, caller);
}

void *kvmalloc(unsigned long size, gfp_t gfp)
{
	return kvmalloc_caller(size, gfp, RET_IP);
}

void *kvzalloc(unsigned long size, gfp_t gfp)
{
	return kvmalloc_caller(size, gfp | __GFP_ZERO, RET_IP);
}

/* @n objects of @size for @caller; NULL when n * size overflows. */
static void *kvmalloc_array_caller(size_t n, size_t size, gfp_t gfp, unsigned long caller)
{
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes))
		return NULL;
	return kvmalloc_caller(bytes, gfp, caller);
}

void *kvmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	return kvmalloc_array_caller(n, size, gfp, RET_IP);
}

void *kvcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kvmalloc_array_caller(n, size, gfp | __GFP_ZERO, RET_IP);
}

void *kvrealloc(const void *p, size_t old_size, size_t new_size, gfp_t gfp)
{
	void *q;

	if (old_size >= new_size)
		return (void *)p;
	q = kvmalloc_caller(new_size, gfp, RET_IP);
	if (!q)
		return NULL;
	if (!ZERO_OR_NULL_PTR(p))
		memcpy(q, p, old_size);
	kvfree(p);
	return q;
}

void kvfree(const void *addr)
{
	if (is_vmalloc_addr(addr))
		vfree(addr);
	else
		kfree(addr);
}

/* ========================= faults and reports ============================ */

/* The area at or just below addr, described (vmap_lock held or not needed). */
void vmalloc_describe(u64 addr, char *buf, size_t size)
{
	struct vm_area *a = tree_floor(addr);
	int n;

	if (!a) {
		ksnprintf(buf, size, "vmalloc out-of-bounds at 0x%llx (no area below it)",
			  (unsigned long long)addr);
		return;
	}
	n = ksnprintf(buf, size, "vmalloc %s at 0x%llx (area 0x%llx+0x%llx, %sallocated by ",
		      (a->flags & VM_LAZY) && addr < a->addr + a->size ? "use after vfree" : "out-of-bounds",
		      (unsigned long long)addr, (unsigned long long)a->addr, (unsigned long long)a->size,
		      a->flags & VM_LAZY ? "vfree'd, " : "");
	if (n > 0 && (size_t)n < size)
		n += mm_describe_caller(buf + n, size - (size_t)n, a->caller);
	if (n > 0 && (size_t)n < size)
		ksnprintf(buf + n, size - (size_t)n, ")");
}

bool vmalloc_fault(u64 addr, unsigned long scause)
{
	u64 need = scause == EXC_INST_PAGE_FAULT ? PTE_X :
		   scause == EXC_STORE_PAGE_FAULT ? PTE_W : PTE_R;
	char msg[160];
	int level;
	pte_t pte;

	if (addr < VMALLOC_START || addr >= VMALLOC_END || !port_kernel_pgtable())
		return false;
	pte = pgtable_walk(port_kernel_pgtable(), addr, &level);
	if (level >= 0) {
		/* Mapped, but not for this access (say, a jump into vmalloc
		 * memory): a real fault, which retrying would only repeat. */
		if (!(pte & need))
			return false;
		/* Mapped: this hart held a stale "unmapped" translation. */
		port_flush_tlb_local(ALIGN_DOWN(addr, PAGE_SIZE), PAGE_SIZE);
		return true;
	}
	/* Read the tree under the lock if it can be had soon; a fault inside
	 * vmalloc itself (the lock held on this hart, which is now stopped in
	 * the middle of a change) or a stuck lock still gets its report, read
	 * without it. */
	{
		unsigned long flags = irq_save();
		bool locked = false;

		for (int tries = 0; tries < 100000 && !locked; tries++)
			locked = spin_trylock(&vmap_lock);
		vmalloc_describe(addr, msg, sizeof(msg));
		if (locked)
			spin_unlock(&vmap_lock);
		irq_restore(flags);
		kprintf("%s%s\n", msg, locked ? "" : " [area tree read without its lock]");
	}
	return false;
}

/* ============================ consistency ================================= */

struct vcheck {
	u64 prev_end; /* end of the previous area, guard included */
	unsigned long areas, vmalloc_pages, vmap_pages, lazy_areas, lazy_pages;
	int problems;
};

static void vcheck_fail(struct vcheck *c, const struct vm_area *a, const char *what, u64 detail)
{
	if (c->problems++ < 8)
		kprintf("vmalloc_check: area 0x%llx+0x%llx: %s (0x%llx)\n",
			(unsigned long long)a->addr, (unsigned long long)a->size, what,
			(unsigned long long)detail);
}

/* A lazy area: its pages unmapped, still its own. */
static void vcheck_lazy(const struct vm_area *a, struct vcheck *c)
{
	c->lazy_areas++;
	c->lazy_pages += a->nr_pages;
	for (unsigned int i = 0; i < a->nr_pages; i++) {
		u64 va = a->addr + (u64)i * PAGE_SIZE;

		if (pgtable_translate(port_kernel_pgtable(), va) != ~0ull)
			vcheck_fail(c, a, "a vfree'd area awaiting its purge has a page mapped", va);
		if (page_type(a->pages[i]) != PGTY_VMALLOC || page_count(a->pages[i]) != 1)
			vcheck_fail(c, a, "a vfree'd area awaiting its purge lost a page", va);
	}
}

static void vcheck_area(const struct vm_area *a, struct vcheck *c)
{
	int level;

	if (a->flags == (VM_ALLOC | VM_LAZY) && a->pages) {
		vcheck_lazy(a, c);
		c->prev_end = area_end(a);
		return;
	}
	c->areas++;
	if (a->addr < c->prev_end)
		vcheck_fail(c, a, "overlaps the previous area or its guard, or out of order",
			    c->prev_end);
	if (!IS_ALIGNED(a->addr, PAGE_SIZE) || a->addr < VMALLOC_START ||
	    area_end(a) > VMALLOC_END || area_end(a) <= a->addr)
		vcheck_fail(c, a, "outside the vmalloc range or misaligned", area_end(a));
	if (!a->nr_pages || a->size != (u64)a->nr_pages << PAGE_SHIFT)
		vcheck_fail(c, a, "size is not its number of pages", a->nr_pages);
	if (a->flags != VM_ALLOC && a->flags != VM_MAP)
		vcheck_fail(c, a, "bad flags", a->flags);
	if ((a->flags == VM_ALLOC) != (a->pages != NULL))
		vcheck_fail(c, a, "page array present on a vmap area or missing", a->flags);
	if (a->flags == VM_ALLOC)
		c->vmalloc_pages += a->nr_pages;
	else
		c->vmap_pages += a->nr_pages;
	for (unsigned int i = 0; i < a->nr_pages; i++) {
		u64 va = a->addr + (u64)i * PAGE_SIZE;
		pte_t pte = pgtable_walk(port_kernel_pgtable(), va, &level);

		if (level != 0 || (pte & ~(~0ull << PTE_PPN_SHIFT)) != PAGE_KERNEL ||
		    (pte & PTE_TYPE_MASK) != pte_type_memory) {
			vcheck_fail(c, a, "a page is unmapped or not a 4 KiB rw- memory mapping", va);
			continue;
		}
		if (a->pages) {
			struct page *p = a->pages[i];

			if (pte_pa(pte) != virt_to_phys(page_address(p)))
				vcheck_fail(c, a, "a page maps to another frame than its array says", va);
			else if (page_type(p) != PGTY_VMALLOC || page_count(p) != 1)
				vcheck_fail(c, a, "a page is not an allocated PGTY_VMALLOC page", va);
		}
	}
	if (pgtable_translate(port_kernel_pgtable(), a->addr + a->size) != ~0ull)
		vcheck_fail(c, a, "the guard page is mapped", a->addr + a->size);
	c->prev_end = area_end(a);
}

/* Visit in address order; returns the subtree's height. */
static int vcheck_tree(struct avl_node *n, struct vcheck *c, int depth)
{
	const struct vm_area *t = area_of(n);
	int hl, hr;

	if (!t)
		return 0;
	if (depth > 64) { /* an AVL tree of 2^32 areas is 46 high: a cycle */
		vcheck_fail(c, t, "the tree is too deep (a cycle?)", (u64)depth);
		return 0;
	}
	hl = vcheck_tree(n->left, c, depth + 1);
	vcheck_area(t, c);
	hr = vcheck_tree(n->right, c, depth + 1);
	if (n->height != 1 + MAX(hl, hr))
		vcheck_fail(c, t, "stored height differs from the real one", (u64)n->height);
	if (hl - hr > 1 || hr - hl > 1)
		vcheck_fail(c, t, "AVL balance broken", (u64)(hl - hr));
	return 1 + MAX(hl, hr);
}

int vmalloc_check(void)
{
	struct vcheck c = { .prev_end = VMALLOC_START };
	unsigned long flags = spin_lock_irqsave(&vmap_lock), listed_pages = 0;

	vcheck_tree(areas.root, &c, 0);
	for (unsigned long i = 0; i < nr_lazy_areas && i < LAZY_MAX_AREAS; i++) {
		const struct vm_area *a = lazy_areas[i];

		listed_pages += a->nr_pages;
		if (!(a->flags & VM_LAZY) && c.problems++ < 8)
			kprintf("vmalloc_check: area 0x%llx among the lazy ones is not vfree'd\n",
				(unsigned long long)a->addr);
	}
	if (c.areas != nr_areas || c.vmalloc_pages != nr_vmalloc_pages ||
	    c.vmap_pages != nr_vmap_pages || c.lazy_areas != nr_lazy_areas ||
	    c.lazy_pages != nr_lazy_pages || nr_lazy_areas > LAZY_MAX_AREAS || listed_pages != nr_lazy_pages) {
		if (c.problems++ < 8)
			kprintf("vmalloc_check: counts: %lu areas, %lu + %lu pages, %lu lazy of %lu pages in "
				"the tree, %lu pages listed lazy; %lu, %lu + %lu, %lu of %lu "
				"counted\n", c.areas, c.vmalloc_pages, c.vmap_pages, c.lazy_areas,
				c.lazy_pages, listed_pages, nr_areas, nr_vmalloc_pages,
				nr_vmap_pages, nr_lazy_areas, nr_lazy_pages);
	}
	spin_unlock_irqrestore(&vmap_lock, flags);
	return c.problems;
}

void vmalloc_get_stats(struct vmalloc_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&vmap_lock);

	st->areas = nr_areas;
	st->pages = nr_vmalloc_pages;
	st->vmap_pages = nr_vmap_pages;
	st->lazy_areas = nr_lazy_areas;
	st->lazy_pages = nr_lazy_pages;
	st->purges = nr_purges;
	spin_unlock_irqrestore(&vmap_lock, flags);
}

/* avl_walk: one line of /proc/vmallocinfo. */
static int show_area(struct avl_node *n, void *arg)
{
	const struct vm_area *a = area_of(n);
	char caller[64];

	(void)arg;
	if (a->flags & VM_LAZY) { /* (Linux's line for an area awaiting its purge) */
		kprintf("0x%016llx-0x%016llx %7llu unpurged vm_area\n", (unsigned long long)a->addr,
			(unsigned long long)area_end(a), (unsigned long long)(a->size + PAGE_SIZE));
		return 0;
	}
	mm_describe_caller(caller, sizeof(caller), a->caller);
	kprintf("0x%016llx-0x%016llx %7llu %s pages=%u %s\n", (unsigned long long)a->addr,
		(unsigned long long)area_end(a), (unsigned long long)(a->size + PAGE_SIZE), caller,
		a->nr_pages, a->flags & VM_ALLOC ? "vmalloc" : "vmap");
	return 0;
}

void show_vmallocinfo(void)
{
	unsigned long flags = spin_lock_irqsave(&vmap_lock);

	avl_walk(&areas, show_area, NULL);
	spin_unlock_irqrestore(&vmap_lock, flags);
}

/*
 * meminfo's vmalloc lines, as Linux's: VmallocTotal the size of the vmalloc
 * range, VmallocUsed the pages vmalloc areas own (vmap's pages belong to
 * their callers and are not counted, as in Linux's vmalloc_nr_pages()),
 * VmallocChunk 0, which Linux has printed since 5.3 instead of the largest
 * free range.
 */
void vmalloc_meminfo(void)
{
	meminfo_line("VmallocTotal", (unsigned long)((VMALLOC_END - VMALLOC_START) >> 10));
	meminfo_line("VmallocUsed",
		     __atomic_load_n(&nr_vmalloc_pages, __ATOMIC_RELAXED) << (PAGE_SHIFT - 10));
	meminfo_line("VmallocChunk", 0);
}

/* whatis (mm/mm_whatis.c): the area @addr lies in, its guard page
 * included, or false when none holds it. */
bool vmalloc_whatis(u64 addr)
{
	unsigned long flags = spin_lock_irqsave(&vmap_lock);
	const struct vm_area *a = tree_floor(addr);
	char caller[64];
	u64 off;

	if (!a || addr >= area_end(a)) {
		spin_unlock_irqrestore(&vmap_lock, flags);
		return false;
	}
	off = addr - a->addr;
	mm_describe_caller(caller, sizeof(caller), a->caller);
	kprintf("whatis: 0x%llx: %s area 0x%llx-0x%llx (%llu bytes, %u pages), allocated by %s\n",
		(unsigned long long)addr,
		a->flags & VM_LAZY ? "vfree'd vmalloc (awaiting its TLB purge; its pages still its own)"
		: a->flags & VM_ALLOC ? "vmalloc" : "vmap",
		(unsigned long long)a->addr, (unsigned long long)(a->addr + a->size - 1),
		(unsigned long long)a->size, a->nr_pages, caller);
	if (off >= a->size)
		kprintf("whatis: in its guard page (never mapped: an access faults)\n");
	else
		kprintf("whatis: byte %llu of the area, in its page %llu\n", (unsigned long long)off,
			(unsigned long long)(off >> PAGE_SHIFT));
	spin_unlock_irqrestore(&vmap_lock, flags);
	return true;
}
