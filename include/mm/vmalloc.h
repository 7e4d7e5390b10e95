/*
 * vmalloc.h - virtually contiguous memory from scattered pages (mm/vmalloc.c).
 *
 * Areas live in [VMALLOC_START, VMALLOC_END) (include/mm/pgtable.h), each
 * followed by an unmapped guard page. A touch of the guard page or of any
 * unmapped vmalloc address is reported as
 *   vmalloc out-of-bounds at ADDR (area START+SIZE, allocated by CALLER)
 * before the trap report.
 *
 * Without paging (port_kernel_pgtable() NULL: the host port, a bare-metal
 * program that keeps satp off) every vmalloc fails: NULL and, unless
 * __GFP_NOWARN,
 *   vmalloc: N bytes refused: no page table to map them (port_kernel_pgtable() is NULL)
 * kvmalloc then serves what kmalloc can (up to KMALLOC_MAX_SIZE) and fails
 * the rest with a line that names kmalloc's cause, then the page table:
 *   kvmalloc: N bytes (gfp 0x0) failed: kmalloc could not give them (CAUSE), and vmalloc has no page table to map pages in (port_kernel_pgtable() is NULL)
 * CAUSE: "it is above KMALLOC_MAX_SIZE (4096 KiB)", "out of memory: ...",
 * "low on memory: ..." (the min watermarks), "fragmentation: ..." (no free
 * block holds it), "fault injection ..." (mm/page_alloc.c:
 * page_run_shortfall).
 */
#ifndef RVMM_VMALLOC_H
#define RVMM_VMALLOC_H

#ifdef __cplusplus
extern "C" {
#endif

#include <mm/gfp.h>
#include <lib/kernel.h>
#include <mm/pgtable.h>

struct page;

void *vmalloc(unsigned long size);
void *vzalloc(unsigned long size);
/* vmalloc whose pages are allocated with @gfp: zone bits put every page in
 * that zone (plain vmalloc's pages come from any zone). */
void *__vmalloc(unsigned long size, gfp_t gfp);
void vfree(const void *addr);
/* Map @count existing pages contiguously (the caller keeps owning them). */
void *vmap(struct page **pages, unsigned int count);
void vunmap(const void *addr);
/* The page behind a vmalloc or vmap address, or NULL. */
struct page *vmalloc_to_page(const void *addr);

static inline bool is_vmalloc_addr(const void *p)
{
	return (u64)(uintptr_t)p >= VMALLOC_START && (u64)(uintptr_t)p < VMALLOC_END;
}

/* kmalloc first (quietly); vmalloc when the size is large or contiguous
 * pages are short. Zone bits in @gfp hold for either (kmalloc's zone
 * caches, or the vmalloc pages). kvfree frees either. */
void *kvmalloc(unsigned long size, gfp_t gfp);
void kvfree(const void *addr);
/*
 * Linux's helpers around them: kvzalloc zeroed; kvmalloc_array and kvcalloc
 * (zeroed) NULL when n * size overflows; kvrealloc (Linux 6.1's) keeps @p
 * when @old_size already holds @new_size, else moves its first @old_size
 * bytes to a new block and frees @p (NULL, @p untouched, when none can be
 * had); vmalloc_32 takes every page from ZONE_DMA32 (or below) for a
 * device that reaches only 32-bit addresses; vcalloc a zeroed vmalloc of
 * n * size, NULL when that overflows. Each records its own caller, as
 * vmalloc does.
 */
void *kvzalloc(unsigned long size, gfp_t gfp);
void *kvmalloc_array(size_t n, size_t size, gfp_t gfp);
void *kvcalloc(size_t n, size_t size, gfp_t gfp);
void *kvrealloc(const void *p, size_t old_size, size_t new_size, gfp_t gfp);
void *vmalloc_32(unsigned long size);
void *vcalloc(size_t n, size_t size);

/*
 * A page fault (@scause: EXC_*_PAGE_FAULT) at @addr: true if it was a stale
 * translation of a mapped vmalloc address that allows the access (this
 * hart's TLB is flushed; retry the access). For an unmapped vmalloc address
 * the out-of-bounds report is printed and false returned. A mapped address
 * the access is not allowed on (an instruction fetch: vmalloc memory is not
 * executable), or not a vmalloc address: false, nothing printed.
 */
bool vmalloc_fault(u64 addr, unsigned long scause);
/* The out-of-bounds report for @addr into @buf (also for tests). */
void vmalloc_describe(u64 addr, char *buf, size_t size);

/* Statistics: live areas and their pages; vfree'd areas awaiting their
 * purge (mm/vmalloc.c, "Lazy vfree": only with more than one hart online)
 * and their pages, and the purges so far. */
struct vmalloc_stats {
	unsigned long areas, pages, vmap_pages;
	unsigned long lazy_areas, lazy_pages, purges;
};
void vmalloc_get_stats(struct vmalloc_stats *st);
/* Purge the vfree'd areas now (one TLB flush on every hart, their pages
 * freed); the pages freed. Reclaim does it too (a shrinker). */
unsigned long vmalloc_purge(void);
/* vmalloc_lazy= at run time (off purges what waits); the setting before. */
bool vmalloc_set_lazy(bool on);
/* /proc/vmallocinfo */
void show_vmallocinfo(void);
/*
 * Check the areas: the AVL tree (order, heights, balance), no two areas
 * (guard pages included) overlapping, all inside the vmalloc range, the
 * counts, every page mapped 4 KiB rw- (a vmalloc area's to the pages of its
 * array, allocated and PGTY_VMALLOC) and every guard page unmapped. Prints
 * the first problems ("vmalloc_check: ...") and returns their number.
 */
int vmalloc_check(void);
/* The whatis command's vmalloc part: prints the area holding @addr (its guard
 * page included) and returns true, or false when no area holds it. */
bool vmalloc_whatis(u64 addr);

#ifdef __cplusplus
}
#endif

#endif
