/*
 * mm_whatis.c - what an address is, for the `whatis` console command (and
 * anything else that wants Linux's mem_dump_obj): the vmalloc area, KFENCE
 * slot, slab object, SLOB heap, big block, page-allocator block or
 * reservation it lies in, read from the allocators' own state.
 *
 * An address of the direct map (which is the identity: physical addresses
 * are their own virtual ones) names its page frame; the frame's struct page
 * says the rest. Blocks of the buddy allocator are naturally aligned, so
 * the block holding a frame is found by looking at the frame aligned down
 * to each order in turn for a head (a free block's PG_buddy or an
 * allocated block's PG_head) whose order covers the frame: at most
 * MAX_ORDER struct pages read, under the zone lock. Slab pages name their
 * cache on every page and carry their distance from the slab's head.
 *
 * Read-only: nothing here changes an allocator. A report of a moment:
 * another hart may allocate or free the object right after.
 */
#include <mm/cma.h>
#include <mm/dma.h>
#include <mm/kfence.h>
#include <mm/mm_report.h>
#include <mm/mmzone.h>
#include <mm/page_owner.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include <mm/vmalloc.h>
#include "internal.h"

static const char *owner_name(enum page_type t)
{
	switch (t) {
	case PGTY_NONE:
		return "alloc_pages";
	case PGTY_SLOB:
		return "a SLOB heap";
	case PGTY_BIGBLOCK:
		return "a kmalloc big block";
	case PGTY_VMALLOC:
		return "vmalloc (an area's page)";
	case PGTY_PAGETABLE:
		return "the page tables";
	case PGTY_MEMMAP:
		return "boot data (struct pages, memblock allocations)";
	case PGTY_KERNEL:
		return "the kernel image";
	case PGTY_FIRMWARE:
		return "firmware, the device tree, the initrd or /memreserve/";
	case PGTY_SLAB:
		return "a slab cache";
	}
	return "an unknown owner";
}

static void show_owner_record(const struct pglist_data *node, unsigned long pfn)
{
	const struct page_owner_rec *r = page_owner_rec(node, pfn);
	char who[64];

	if (!r || !r->caller)
		return;
	mm_describe_caller(who, sizeof(who), r->caller);
	kprintf("whatis: allocated by %s (page_owner)\n", who);
}

static void show_block(struct pglist_data *node, unsigned long pfn)
{
	struct page *page = node_pfn_to_page(node, pfn);
	struct zone *z = &node->zones[page_zonenum(page)];
	unsigned long irq = spin_lock_irqsave(&z->lock), head = block_head(node, pfn);
	const struct page *h = head ? node_pfn_to_page(node, head) : NULL;
	unsigned int flags = h ? h->flags : page->flags, order = h ? page_order(h) : 0;
	enum page_type type = h ? page_type(h) : page_type(page);

	spin_unlock_irqrestore(&z->lock, irq);
	if (h && (flags & PG_pcp)) {
		kprintf("whatis: free: page %lu of an order-%u block on a hart's per-hart list at pfn "
			"0x%lx\n", pfn - head, order, head);
	} else if (!h) {
		kprintf("whatis: allocated: a page of %s with no block head found (state 0x%x)\n",
			owner_name(page_type(page)), page->flags);
	} else if (flags & PG_buddy) {
		kprintf("whatis: free: page %lu of a free block of order %u at pfn 0x%lx (%s pageblock)\n",
			pfn - head, order, head, flags & PG_small ? "a small-use" : "a general");
	} else if (type == PGTY_BIGBLOCK && !bigblock_live(h)) {
		kprintf("whatis: free: page %lu of a kmalloc big block of %lu pages at pfn 0x%lx, "
			"freed and kept by its heap for reuse\n", pfn - head, bigblock_npages(h), head);
	} else if (type == PGTY_BIGBLOCK) {
		kprintf("whatis: allocated: page %lu of a kmalloc big block of %lu pages at pfn 0x%lx\n",
			pfn - head, h->bigblock_pages, head);
	} else {
		kprintf("whatis: allocated: page %lu of an order-%u block at pfn 0x%lx, owned by %s\n",
			pfn - head, order, head, owner_name(type));
		if (type == PGTY_NONE)
			show_owner_record(node, head);
	}
}

static void show_slob_page(struct page *page, u64 addr)
{
	struct slob_heap *heap = (struct slob_heap *)page->priv;

	kprintf("whatis: a page of the SLOB heap '%s' (%s)\n", heap ? heap->name : "?",
		heap && heap->mode == SLOB_CLASSIC ? "classic" : "segfit");
	if (heap)
		slob_whatis(heap, page, addr);
}

int mm_whatis(struct pglist_data *node, u64 addr)
{
	unsigned long pfn;
	struct page *page;

	if (kfence_whatis(addr))
		return 0;
	if (is_vmalloc_addr((const void *)(uintptr_t)addr)) {
		if (!vmalloc_whatis(addr)) {
			kprintf("whatis: 0x%llx: vmalloc range, in no area (unmapped)\n",
				(unsigned long long)addr);
			return -ENOENT;
		}
		page = vmalloc_to_page((const void *)(uintptr_t)addr);
		if (page)
			kprintf("whatis: mapped to pfn 0x%lx\n", node_page_to_pfn(node, page));
		return 0;
	}
	pfn = PHYS_PFN(virt_to_phys((const void *)(uintptr_t)addr));
	if (!node_pfn_valid(node, pfn)) {
		kprintf("whatis: 0x%llx: not RAM with a struct page (a hole, a device, or memory left out "
			"at boot)\n", (unsigned long long)addr);
		return -ENOENT;
	}
	page = node_pfn_to_page(node, pfn);
	kprintf("whatis: 0x%llx: pfn 0x%lx, zone %s\n", (unsigned long long)addr, pfn,
		zone_names[page_zonenum(page)]);
	if (cma_whatis(PFN_PHYS(pfn) + (addr & (PAGE_SIZE - 1)))) { /* (its pages, whoever had them) */
		dma_whatis(virt_to_phys((const void *)(uintptr_t)addr));
		return 0;
	}
	if (PageReserved(page)) {
		kprintf("whatis: reserved: %s\n", page_type(page) == PGTY_NONE
							   ? "at boot, never given to the page allocator"
							   : owner_name(page_type(page)));
		return 0;
	}
	if (PageSlab(page)) {
		slab_whatis(addr);
		return 0;
	}
	if (page_type(page) == PGTY_SLOB)
		show_slob_page(page, addr);
	else
		show_block(node, pfn);
	dma_whatis(virt_to_phys((const void *)(uintptr_t)addr));
	return 0;
}
