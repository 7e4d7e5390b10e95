/*
 * memmap_dump.c - the `memmap` console command: the state of every page of
 * the node, run-length encoded, for pictures (scripts/memmap-plot.sh) and
 * checks (tests/qemu/memmap-checks.sh). Kernel only.
 *
 * Output (docs/memmap.md describes it in full):
 *
 *   memmap: begin start_pfn=0x80000 end_pfn=0x88000 spanned=32768 present=32768 page_kb=4
 *   memmap: legend F<n>=free block of order n ... (one line)
 *   memmap: zone DMA32 start_pfn=0x80000 end_pfn=0x88000 present=32768 managed=31810
 *   memmap: pfn=0x80000 n=128 R
 *   memmap: pfn=0x80080 n=1920 F7
 *   ...
 *   memmap: counts F=... P=... S=... O=... B=... V=... T=... A=... K=... M=... R=... H=... ?=...
 *   memmap: end runs=N
 *
 * Every pfn from the node's first to its last page of RAM is in exactly one
 * run, in order; runs never cross a zone line. A run of state F<n> is made
 * of whole free blocks of order n (head page carrying PG_buddy and the
 * order, and the pages it covers), so n / 2^order is the number of blocks.
 * The states of allocated pages come from struct page: an allocated block's
 * head carries PG_head, its order and its owner (page type); the pages it
 * covers carry nothing and take the head's state.
 *
 * Each zone is walked under its lock, so its buddy lists do not move under
 * the walk; per-hart lists of other harts are not locked (at the console
 * nothing else runs). 8 GiB after boot is a few dozen lines: consecutive
 * blocks of one state and order merge into one run.
 */
#include <lib/kstring.h>
#include <mm/memmap_dump.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/slob.h>

enum mstate {
	MS_FREE, /* with an order */
	MS_PCP,
	MS_SLAB,
	MS_SLOB,
	MS_BIG,
	MS_VMALLOC,
	MS_PAGETABLE,
	MS_ALLOC,
	MS_KERNEL,
	MS_MEMMAP,
	MS_RESERVED,
	MS_HOLE,
	MS_UNKNOWN,
	MS_NR
};

static const char ms_letter[MS_NR] = { 'F', 'P', 'S', 'O', 'B', 'V', 'T', 'A', 'K', 'M', 'R', 'H', '?' };

struct rle {
	unsigned long start, n; /* current run */
	unsigned int key;       /* state << 4 | order (order: free blocks only) */
	unsigned long runs;
	unsigned long counts[MS_NR];
};

static void rle_flush(struct rle *r)
{
	unsigned int st = r->key >> 4;

	if (!r->n)
		return;
	if (st == MS_FREE)
		kprintf("memmap: pfn=%#lx n=%lu F%u\n", r->start, r->n, r->key & 0xf);
	else
		kprintf("memmap: pfn=%#lx n=%lu %c\n", r->start, r->n, ms_letter[st]);
	r->counts[st] += r->n;
	r->runs++;
	r->n = 0;
}

/* Add @n pages from @pfn in state @st (order @order for free blocks). */
static void rle_add(struct rle *r, unsigned long pfn, unsigned long n, unsigned int st,
		    unsigned int order)
{
	unsigned int key = st << 4 | (st == MS_FREE ? order : 0);

	if (r->n && (r->key != key || r->start + r->n != pfn))
		rle_flush(r);
	if (!r->n) {
		r->start = pfn;
		r->key = key;
	}
	r->n += n;
}

/* Is @pfn a page of some section's struct page array? */
static bool in_memmap(const struct pglist_data *node, unsigned long pfn)
{
	u64 pa = PFN_PHYS(pfn);

	for (unsigned long i = 0; i < node->nr_sections; i++) {
		const struct mem_section *ms = &node->sections[i];
		u64 s, e;

		if (!ms->map_base)
			continue;
		s = virt_to_phys((void *)(ms->map_base + ms->start_pfn * sizeof(struct page)));
		e = s + (ms->end_pfn - ms->start_pfn) * sizeof(struct page);
		if (pa + PAGE_SIZE > s && pa < e)
			return true;
	}
	return false;
}

static unsigned int owner_state(const struct page *p)
{
	switch (page_type(p)) {
	case PGTY_SLAB:
		return MS_SLAB;
	case PGTY_SLOB:
		return MS_SLOB;
	case PGTY_BIGBLOCK:
		return MS_BIG;
	case PGTY_VMALLOC:
		return MS_VMALLOC;
	case PGTY_PAGETABLE:
		return MS_PAGETABLE;
	case PGTY_KERNEL:
		return MS_KERNEL;
	case PGTY_MEMMAP:
		return MS_MEMMAP;
	case PGTY_FIRMWARE:
		return MS_RESERVED;
	default:
		return MS_ALLOC;
	}
}

static void dump_zone(const struct pglist_data *node, const struct zone *z, struct rle *r)
{
	unsigned long pfn = z->zone_start_pfn, end = zone_end_pfn(z);
	unsigned long cover_end = 0; /* pages of an allocated block still to come */
	unsigned int cover_state = MS_ALLOC;

	while (pfn < end) {
		const struct page *p;
		unsigned long valid = node_next_valid_pfn(node, pfn, end);
		unsigned int order;

		if (valid != pfn) {
			rle_add(r, pfn, valid - pfn, MS_HOLE, 0);
			pfn = valid;
			continue;
		}
		p = node_pfn_to_page(node, pfn);
		order = page_order(p);
		/* Inside an allocated block; a bigblock's exact run also covers
		 * its later blocks, untyped heads (alloc_pages_exact). */
		if (pfn < cover_end && (!(p->flags & (PG_buddy | PG_pcp | PG_head | PG_reserved)) ||
					(cover_state == MS_BIG && (p->flags & PG_head) &&
					 page_type(p) == PGTY_NONE))) {
			rle_add(r, pfn, 1, cover_state, 0);
			pfn++;
			continue;
		}
		cover_end = 0;
		if (p->flags & PG_reserved) {
			unsigned int st = owner_state(p);

			if (st == MS_ALLOC)
				st = in_memmap(node, pfn) ? MS_MEMMAP : MS_RESERVED;
			rle_add(r, pfn, 1, st, 0);
			pfn++;
		} else if (p->flags & PG_buddy) {
			unsigned long n = MIN(1ul << order, end - pfn);

			rle_add(r, pfn, n, MS_FREE, order);
			pfn += n;
		} else if (p->flags & PG_pcp) {
			unsigned long n = MIN(1ul << order, end - pfn);

			rle_add(r, pfn, n, MS_PCP, 0);
			pfn += n;
		} else if (p->flags & PG_head) {
			cover_state = owner_state(p);
			cover_end = pfn + (page_type(p) == PGTY_BIGBLOCK ? bigblock_npages(p) : 1ul << order);
			rle_add(r, pfn, 1, cover_state, 0);
			pfn++;
		} else {
			rle_add(r, pfn, 1, MS_UNKNOWN, 0);
			pfn++;
		}
	}
}

void memmap_dump(struct pglist_data *node)
{
	static struct rle r; /* the counters are too big for a small stack */

	memset(&r, 0, sizeof(r));
	kprintf("memmap: begin start_pfn=%#lx end_pfn=%#lx spanned=%lu present=%lu page_kb=%lu\n",
		node->node_start_pfn, node->node_end_pfn, node->node_end_pfn - node->node_start_pfn,
		node->node_present_pages, PAGE_SIZE / 1024);
	kprintf("memmap: legend F<n>=free block of order n P=per-hart list S=slab O=SLOB B=bigblock"
		" V=vmalloc T=page table A=allocated (other) K=kernel image M=struct pages"
		" R=reserved (firmware, DTB, boot data) H=hole ?=unknown\n");
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &node->zones[zi];
		unsigned long flags;

		if (!z->spanned_pages)
			continue;
		kprintf("memmap: zone %s start_pfn=%#lx end_pfn=%#lx present=%lu managed=%lu\n", z->name,
			z->zone_start_pfn, zone_end_pfn(z), z->present_pages, z->managed_pages);
		flags = spin_lock_irqsave(&z->lock);
		dump_zone(node, z, &r);
		rle_flush(&r);
		spin_unlock_irqrestore(&z->lock, flags);
	}
	kprintf("memmap: counts");
	for (int st = 0; st < MS_NR; st++)
		kprintf(" %c=%lu", ms_letter[st], r.counts[st]);
	kprintf("\n");
	/* What the owners say they hold (kmalloc's SLOB heap; the slab
	 * allocator's slabs and its descriptor heap), to set beside S, O, B. */
	kprintf("memmap: owners slab_pages=%lu slab_meta_pages=%lu kmalloc_slob_pages=%lu"
		" kmalloc_big_pages=%lu\n", slab_pages, slab_held_pages() - slab_pages,
		kmalloc_heap.nr_pages, kmalloc_heap.big_pages);
	kprintf("memmap: end runs=%lu\n", r.runs);
}

