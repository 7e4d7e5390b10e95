/*
 * internal.h - declarations shared between mm/'s own files and used by no
 * one else: how the parts of the memory manager call each other below the
 * public API in include/mm/. Nothing outside mm/ includes it.
 */
#ifndef RVMM_MM_INTERNAL_H
#define RVMM_MM_INTERNAL_H

#include <mm/fault_inject.h>
#include <mm/kmalloc.h>
#include <mm/mm_report.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/slob.h>

/* ---- kmalloc's peak (kmalloc.c's kmalloc_peak_bytes) ---- */
/* Raise kmalloc_peak_bytes to what is held now: slab pages, descriptors
 * and magazines, kmalloc's SLOB heap. Called whenever pages or
 * descriptors are taken (a new slab, a new heap page); inline, since the
 * slab slow path takes it once per new slab. */
static inline void kmalloc_note_held(void)
{
	unsigned long heap = slob_heap_pages(&kmalloc_heap) * PAGE_SIZE;
	unsigned long now = slab_pages * PAGE_SIZE + slab_meta_bytes + heap;

	if (now > kmalloc_peak_bytes) {
		kmalloc_peak_bytes = now;
		kmalloc_peak_heap_bytes = heap;
	}
}

/* ---- the buddy allocator and the memmap (page_alloc.c, memmap.c) ---- */
/* Give one block of boot memory to the buddy allocator (node_init). */
void zone_free_boot_block(struct zone *z, struct page *page, unsigned long pfn, unsigned int order);
/* Point kfree's flat window (mmzone.h: memmap_win_*) at @node's memmap. */
void memmap_set_window(const struct pglist_data *node);
/* node_init's steps that memory hotplug (hotplug.c) repeats for new RAM:
 * the zone of a pfn; reserved struct pages for section @i's pfns
 * [start, end); [s, e) (one zone) to the buddy allocator as the largest
 * aligned blocks; the watermarks of every zone; a zone's per-hart batch. */
struct zone_limits;
unsigned int zone_of_pfn(const struct zone_limits *lim, unsigned long pfn);
void init_section_range(struct pglist_data *node, unsigned long i, unsigned long start,
			unsigned long end, const struct zone_limits *lim);
void free_boot_range(struct pglist_data *node, unsigned long s, unsigned long e);
void setup_watermarks(struct pglist_data *node);
void setup_pcp(struct zone *z);

/* ---- use before mm_init ---- */
/* The static state (kmalloc_fast_off, slab caches' empty pair, a zeroed
 * SLOB heap, the host port's per-hart data) sends every entry point's fast
 * path to its slow path before the memory manager is up; the slow paths
 * check these flags there and call mm_called_before_init, which panics
 * "@what called before mm_init (...)". slab_up: slab_init ran (kmalloc_init,
 * so mm_init); page_alloc_up: mm_set_node ran (mm_init). */
extern bool slab_up, page_alloc_up;
void mm_called_before_init(const char *what) __noreturn __attribute__((cold));

/* Into @buf (page_alloc.c): why a run of @nr contiguous pages for @gfp
 * failed, as the free counts show it: "out of memory: ...", "low on
 * memory: ..." (the reserve), "fragmentation: ..." (no free block that
 * holds them), fault injection, or a race. For kvmalloc's message. */
void page_run_shortfall(unsigned long nr, gfp_t gfp, char *buf, size_t size);
/* The head of the free or allocated block holding @pfn, or 0 when none
 * covers it (the zone's lock held, or nothing changing the blocks there). */
unsigned long block_head(const struct pglist_data *node, unsigned long pfn);

/* ---- slab and SLOB under kmalloc (kmalloc.c) ---- */
/* Set up the heap for cache descriptors and magazines (kmalloc_init calls
 * it; every cache must have been destroyed before it runs again). */
void slab_init(void);
void slob_big_free(struct slob_heap *h, struct page *page);
/* kmalloc's SLOB heap for @zone's zone bits (0: kmalloc_heap), a zone heap
 * made on first use: where SLOB-model caches (slab_slob.c) take objects. */
struct slob_heap *kmalloc_heap_of_zone(gfp_t zone);

/* ---- fault injection (fault_inject.c) ---- */
/* The checks, called from the allocators' slow paths (only while active).
 * Each counts an eligible call and says whether to fail it. */
bool should_fail_alloc_page(gfp_t gfp, unsigned int order);
/* mm-internal gfp bit: fail_page_alloc has already been asked about this
 * request (a run that falls back to alloc_pages is one request, asked once). */
#define __GFP_FAULT_ASKED 0x80000000u
/* mm-internal gfp bit: the pages are a run or a bigblock, never placed in a
 * pageblock kept for small allocations (page_alloc.c, "Grouping by use"). */
#define __GFP_RUN 0x40000000u
/* mm-internal gfp bit: init_on_alloc= need not zero the pages, whose user
 * zeroes everything it hands out of them (slabs of caches without a
 * constructor, SLOB's pages; include/mm/meminit.h). */
#define __GFP_SKIP_ZERO 0x20000000u
bool should_failslab(const char *cache, gfp_t gfp);
/* Does failslab target the cache or heap called @name? */
bool failslab_targets(const char *name);
/* failslab: check the heap's kmalloc and bigblock allocations (both then
 * leave the inline path). */
void slob_heap_set_fault_inject(struct slob_heap *h, bool on);

/* ---- reports (mm_report.c) ---- */
/* meminfo's vmalloc lines (vmalloc.c), after the slab and kmalloc ones. */
void vmalloc_meminfo(void);
/* One stack line of a KASAN or KFENCE report: " FUNC+0xOFF" or " 0xPC".
 * With @return_address, pc is a return address: the symbol is looked up
 * for the call before it (pc - 1), the offset still pc's. */
void mm_print_pc(unsigned long pc, bool return_address);

#endif
