/*
 * page_owner.h - who holds each allocated page and who last freed each page
 * (mm/page_owner.c): Linux's page_owner, switched on with page_owner=on at
 * boot (or page_owner_enable on a node of one's own: tests).
 */
#ifndef RVMM_MM_PAGE_OWNER_H
#define RVMM_MM_PAGE_OWNER_H

#ifdef __cplusplus
extern "C" {
#endif

#include <mm/mmzone.h>

/* Set once every section of the node has its records (cleared by
 * page_owner_disable): the page allocator's entry points then note their
 * callers on the pages they hand out and take back, and the order-0 fast
 * paths are routed to the slow paths, which note. */
extern bool page_owner_on __hidden_var;

/* What one page's record holds (32 bytes): the code that asked for the
 * allocation the page was last part of (the entry point's return address),
 * when (ms since boot) and with which gfp; and the code that last freed
 * it and when (0: not freed since recording began), which a new allocation
 * keeps. PO_FIRST marks an allocation's first page, PO_FREED a page freed
 * since its last allocation. */
struct page_owner_rec {
	unsigned long caller;
	unsigned long free_caller;
	u32 when_ms;
	u32 free_ms;
	u16 gfp;
	u16 flags;
};
#define PO_FIRST 0x1
#define PO_FREED 0x2

/* Give every section of @node its records (zeroed: "not recorded") and
 * switch recording on. 0, or -ENOMEM (nothing switched on; a message). */
int page_owner_enable(struct pglist_data *node);
/* Switch recording off and give the records back (tests; a record being
 * written on another hart at the time would write freed memory: call it
 * on a quiet machine). */
void page_owner_disable(struct pglist_data *node);
/* page_owner=on: page_owner_enable(mem_node), right after the memory
 * bring-up (what was allocated before shows as not recorded). */
void page_owner_boot_start(void);
/* A section of @node got struct pages after page_owner_enable (hotplug):
 * its records, when recording is on. */
void page_owner_section_added(struct pglist_data *node, struct mem_section *ms);
/* Note that the @nr pages from @pfn were just handed to @caller (called by
 * the page allocator's entry points while page_owner_on). */
void page_owner_note(struct pglist_data *node, unsigned long pfn, unsigned long nr, gfp_t gfp,
		     unsigned long caller);
/* Note that the @nr pages from @pfn were just freed by @caller (called by
 * the page allocator's free entry points while page_owner_on, after the
 * free's checks passed and before the pages go onto a free list). */
void page_owner_note_free(struct pglist_data *node, unsigned long pfn, unsigned long nr,
			  unsigned long caller);
/* Print what @pfn's record says, after a bad page report: who last
 * allocated it and who last freed it, with their times; @caller (when not
 * 0) is the code whose free was refused. Nothing when recording is off. */
void page_owner_dump(const struct pglist_data *node, unsigned long pfn, unsigned long caller);
/* A run of @nr pages at @pfn grew in place to @new_nr: the new pages take
 * the run's record (they are the same allocation's). */
void page_owner_extend(struct pglist_data *node, unsigned long pfn, unsigned long nr,
		       unsigned long new_nr);
/* The record of @pfn, or NULL (recording off, or the pfn has none). */
const struct page_owner_rec *page_owner_rec(const struct pglist_data *node, unsigned long pfn);

/*
 * The allocated pages of @node by owner, largest first: for a page an
 * allocator typed (slab, SLOB, bigblock, vmalloc, page table) that
 * allocator and its cache or heap, for an untyped one the recorded caller
 * (0: allocated before recording began). blocks counts allocations (the
 * first pages of records, or typed blocks), pages their pages.
 */
struct page_owner_entry {
	unsigned long caller;  /* an untyped page's owner; 0 for typed ones */
	unsigned int type;     /* PGTY_* (PGTY_NONE: untyped) */
	const void *what;      /* the cache (slab) or heap (SLOB, bigblock), else NULL */
	unsigned long blocks, pages;
	u32 gfp;               /* gfp of the last record counted (untyped) */
	u32 max_age_ms;        /* the oldest record's age (untyped) */
};
struct page_owner_table {
	struct page_owner_entry *e;
	unsigned int nr, max;
	unsigned long pages, dropped; /* pages counted; pages whose owner found no room */
};
int page_owner_collect(struct pglist_data *node, struct page_owner_table *t);
/* The page_owner command: the table, printed (or why there is none). */
int page_owner_show(struct pglist_data *node);

#ifdef __cplusplus
}
#endif

#endif
