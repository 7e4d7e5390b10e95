/*
 * reserved.c - giving reserved memory back to the page allocator once its
 * owner is done with it (the initrd after the replay, as Linux's
 * free_initrd_mem does).
 *
 * A reserved range is reserved twice: in memblock's `reserved` table and as
 * PG_reserved struct pages outside the buddy allocator. Releasing it undoes
 * both, for whole pages only:
 *   memblock_phys_free      takes [base, base+size) out of `reserved` (and
 *                           `nomap`), splitting a region when needed;
 *   node_release_reserved   turns every PG_reserved page of RAM wholly
 *                           inside [start, end) into free buddy pages of
 *                           its zone, in the largest aligned blocks, and
 *                           counts them in the zone's managed_pages;
 *   release_reserved_range  both, over the pages [start, end) touches,
 *                           leaving out a partial first or last page when
 *                           another reservation (or a memblock allocation)
 *                           holds the rest of it.
 * Watermarks are not recomputed (Linux's adjust_managed_page_count does not
 * either). The caller must know the range is no longer used and holds
 * nothing else: these functions cannot tell one reservation from another
 * inside the range, since memblock merges touching ranges.
 */
#include <lib/kstring.h>
#include <mm/memblock.h>
#include <mm/mmzone.h>
#include "internal.h"

/* Remove [base, end) from a table, splitting the region that spans it. */
static int type_remove(struct memblock_type *t, u64 base, u64 end)
{
	for (int i = 0; i < t->cnt; i++) {
		struct memblock_region *r = &t->regions[i];
		u64 rs = r->base, re = r->base + r->size;

		if (re <= base || rs >= end)
			continue;
		if (rs < base && re > end) { /* the hole is inside: split */
			if (t->cnt == MEMBLOCK_MAX_REGIONS)
				return -ENOSPC;
			memmove(&t->regions[i + 2], &t->regions[i + 1],
				(size_t)(t->cnt - i - 1) * sizeof(t->regions[0]));
			t->cnt++;
			r->size = base - rs;
			t->regions[i + 1] = (struct memblock_region){ end, re - end, r->flags };
			return 0;
		}
		if (rs < base) {
			r->size = base - rs;
		} else if (re > end) {
			r->base = end;
			r->size = re - end;
		} else { /* wholly inside: drop it */
			memmove(r, r + 1, (size_t)(t->cnt - i - 1) * sizeof(t->regions[0]));
			t->cnt--;
			i--;
		}
	}
	return 0;
}

int memblock_phys_free(struct memblock *mb, u64 base, u64 size)
{
	int rc;

	if (size == 0 || base + size <= base)
		return -EINVAL;
	rc = type_remove(&mb->reserved, base, base + size);
	if (!rc)
		rc = type_remove(&mb->nomap, base, base + size);
	return rc;
}

static bool reserved_overlaps(const struct memblock *mb, u64 base, u64 end)
{
	for (int i = 0; i < mb->reserved.cnt; i++) {
		const struct memblock_region *r = &mb->reserved.regions[i];

		if (r->base < end && r->base + r->size > base)
			return true;
	}
	return false;
}

static bool releasable(const struct pglist_data *node, unsigned long pfn)
{
	return node_pfn_valid(node, pfn) && PageReserved(node_pfn_to_page(node, pfn));
}

unsigned long node_release_reserved(struct pglist_data *node, u64 start, u64 end)
{
	unsigned long s = (unsigned long)((start + PAGE_SIZE - 1) >> PAGE_SHIFT);
	unsigned long e = (unsigned long)(end >> PAGE_SHIFT), released = 0;

	while (s < e) {
		unsigned long run_end = s + 1;
		unsigned int zi;

		if (!releasable(node, s)) {
			s++;
			continue;
		}
		/* A run of reserved pages of RAM in one zone. */
		zi = page_zonenum(node_pfn_to_page(node, s));
		while (run_end < e && releasable(node, run_end) &&
		       page_zonenum(node_pfn_to_page(node, run_end)) == zi)
			run_end++;
		while (s < run_end) {
			struct page *page = node_pfn_to_page(node, s);
			struct zone *z = &node->zones[zi];
			unsigned int order = 0;

			while (order < MAX_ORDER - 1 && IS_ALIGNED(s, 2ul << order) &&
			       s + (2ul << order) <= run_end)
				order++;
			for (unsigned long j = 0; j < (1ul << order); j++) {
				page[j].flags &= ~(PG_reserved | PAGE_TYPE_MASK);
				page[j].refcount = 0;
				page[j].priv = 0;
			}
			z->managed_pages += 1ul << order;
			node->released_reserved_pages += 1ul << order;
			zone_free_boot_block(z, page, s, order);
			released += 1ul << order;
			s += 1ul << order;
		}
	}
	return released;
}

unsigned long release_reserved_range(struct pglist_data *node, struct memblock *mb, u64 start,
				     u64 end)
{
	u64 s = ALIGN_DOWN(start, PAGE_SIZE), e = ALIGN_UP(end, PAGE_SIZE);

	if (start >= end)
		return 0;
	/* The partial pages: only when nothing else is reserved in them. */
	if (s < start && reserved_overlaps(mb, s, start))
		s += PAGE_SIZE;
	if (e > end && reserved_overlaps(mb, end, e))
		e -= PAGE_SIZE;
	if (s >= e || memblock_phys_free(mb, s, e - s))
		return 0;
	return node_release_reserved(node, s, e);
}
