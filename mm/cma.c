/*
 * cma.c - contiguous memory areas (include/mm/cma.h has the contracts).
 *
 * An area is a range of pages the page allocator never sees, with a bitmap
 * of one bit per 2^order_per_bit pages: set while the pages are allocated.
 * cma_alloc looks for the first run of clear bits long enough, starting on
 * a bit whose page meets the alignment, sets it and records the allocation
 * (first pfn, pages, caller) in an AVL tree keyed by its first pfn. So a
 * release is checked against what was handed out: a second release, a
 * wrong count or a page inside an allocation finds no matching record and
 * releases nothing. The search is first fit from the area's start, word by
 * word through the bitmap (a set bit inside a candidate run moves the
 * search past it at once): O(bits / BITS_PER_LONG) per call.
 *
 * As Linux's mm/cma.c, minus migration: Linux lends an area's free pages to
 * the buddy allocator for movable allocations and migrates them out on
 * cma_alloc; rvmm has no movable allocations, so the free pages wait in the
 * area, and an allocation never waits or fails for pages that are in use
 * elsewhere.
 *
 * Locks: each area's lock covers its bitmap, counters and records and is
 * taken with interrupts masked; a record is allocated before the lock is
 * taken and freed after it is dropped. The list of registered areas only
 * grows at boot (and shrinks when a test destroys its area), under
 * cma_list_lock.
 */
#include <lib/kstring.h>
#include <mm/cma.h>
#include <mm/kmalloc.h>
#include <mm/mm_report.h>
#include <mm/mmzone.h>
#include "internal.h"

struct cma_record {
	u64 pfn;               /* key: the first page */
	struct avl_node node;
	unsigned long count;   /* pages, as asked */
	unsigned long caller;
};

static struct cma_record *record_of(struct avl_node *n)
{
	return n ? avl_entry(n, struct cma_record, node) : NULL;
}

struct cma *dma_contiguous_default_area;

static struct cma cma_slots[MAX_CMA_AREAS];
static struct cma *cma_list[MAX_CMA_AREAS];
static unsigned int cma_list_nr;
static spinlock_t cma_list_lock = SPINLOCK_INIT;

/* ================================ bitmap ================================== */

static unsigned long bitmap_bits(const struct cma *cma)
{
	return cma->count >> cma->order_per_bit;
}

static unsigned long pages_to_bits(const struct cma *cma, unsigned long pages)
{
	return DIV_ROUND_UP(pages, 1ul << cma->order_per_bit);
}

static bool bit_set(const unsigned long *map, unsigned long bit)
{
	return map[bit / BITS_PER_LONG] >> (bit % BITS_PER_LONG) & 1;
}

/* The first bit in [@from, @to) that is @set (1) or clear (0); @to if none. */
static unsigned long next_bit(const unsigned long *map, unsigned long from, unsigned long to, bool set)
{
	while (from < to) {
		unsigned long w = map[from / BITS_PER_LONG];

		if (!set)
			w = ~w;
		w >>= from % BITS_PER_LONG;
		if (w) {
			from += lowest_set_bit(w);
			return from < to ? from : to;
		}
		from = ALIGN_DOWN(from, (unsigned long)BITS_PER_LONG) + BITS_PER_LONG;
	}
	return to;
}

/* Set or clear the @n bits from @bit, a word at a time. */
static void set_bits(unsigned long *map, unsigned long bit, unsigned long n, bool set)
{
	while (n) {
		unsigned long off = bit % BITS_PER_LONG, k = MIN(n, BITS_PER_LONG - off);
		unsigned long m = (k == BITS_PER_LONG ? ~0ul : (1ul << k) - 1) << off;

		if (set)
			map[bit / BITS_PER_LONG] |= m;
		else
			map[bit / BITS_PER_LONG] &= ~m;
		bit += k;
		n -= k;
	}
}

/*
 * The first bit of a clear run of @len bits whose page is aligned to
 * 2^@align pages, or bitmap_bits() when there is none: candidates are the
 * bits @off + k * @step; a set bit inside a candidate moves to the first
 * candidate after it.
 */
static unsigned long find_run(const struct cma *cma, unsigned long len, unsigned int align)
{
	unsigned long nbits = bitmap_bits(cma), step = 1, off, bit;

	if (align > cma->order_per_bit)
		step = 1ul << (align - cma->order_per_bit);
	off = (0 - (cma->base_pfn >> cma->order_per_bit)) & (step - 1);
	for (bit = off; bit < nbits && len <= nbits - bit;) {
		unsigned long busy = next_bit(cma->bitmap, bit, bit + len, true);

		if (busy == bit + len)
			return bit;
		bit = next_bit(cma->bitmap, busy, nbits, false); /* the next clear bit (>= off) */
		bit = off + ALIGN_UP(bit - off, step);
	}
	return nbits;
}

static unsigned long largest_run_locked(const struct cma *cma)
{
	unsigned long nbits = bitmap_bits(cma), best = 0;

	for (unsigned long bit = 0; bit < nbits;) {
		unsigned long start = next_bit(cma->bitmap, bit, nbits, false);
		unsigned long end = next_bit(cma->bitmap, start, nbits, true);

		best = MAX(best, end - start);
		bit = end;
	}
	return best << cma->order_per_bit;
}

/* ============================== making areas ============================== */

/* Is any page of [@pfn, @pfn + @n) free in the page allocator (on a free
 * list, in a free block that starts before @pfn, or on a per-hart list)?
 * The first such pfn in *@at. */
static bool range_has_free_page(unsigned long pfn, unsigned long n, unsigned long *at)
{
	unsigned long head = block_head(mem_node, pfn);

	if (head && (pfn_to_page(head)->flags & (PG_buddy | PG_pcp))) {
		*at = pfn;
		return true;
	}
	for (unsigned long i = 0; i < n; i++)
		if (pfn_to_page(pfn + i)->flags & (PG_buddy | PG_pcp)) {
			*at = pfn + i;
			return true;
		}
	return false;
}

static int refuse(const char *name, u64 base, u64 size, const char *why)
{
	kprintf("cma: %s: [mem 0x%016llx-0x%016llx]: %s: no area\n", name ? name : "?",
		(unsigned long long)base, (unsigned long long)(base + size - 1), why);
	return -EINVAL;
}

int cma_init_area(struct cma *cma, u64 base, u64 size, unsigned int order_per_bit, const char *name)
{
	u64 unit = (u64)PAGE_SIZE << (order_per_bit < 32 ? order_per_bit : 0);
	unsigned long pfn = PHYS_PFN(base), count = (unsigned long)(size >> PAGE_SHIFT), at;

	if (!cma || !name || !name[0])
		return refuse(name, base, size ? size : 1, "no area struct or no name");
	if (order_per_bit >= 32 || size == 0 || base + size < base)
		return refuse(name, base, size ? size : 1, "size 0, wraps, or order_per_bit 32 or more");
	if (!IS_ALIGNED(base, unit) || !IS_ALIGNED(size, unit))
		return refuse(name, base, size, "base and size must be multiples of 2^order_per_bit pages");
	for (unsigned long i = 0; i < count; i++)
		if (!pfn_valid(pfn + i))
			return refuse(name, base, size, "not all RAM with struct pages");
	if (range_has_free_page(pfn, count, &at)) {
		kprintf("cma: %s: pfn 0x%lx is free in the page allocator\n", name, at);
		return refuse(name, base, size, "pages the page allocator may hand out");
	}
	memset(cma, 0, sizeof(*cma));
	kstrlcpy(cma->name, name, sizeof(cma->name));
	cma->base_pfn = pfn;
	cma->count = count;
	cma->order_per_bit = order_per_bit;
	cma->records = (struct avl_tree)AVL_TREE_INIT(struct cma_record, node, pfn);
	cma->lock = (spinlock_t)SPINLOCK_INIT;
	cma->bitmap = kzalloc(BITS_TO_LONGS(bitmap_bits(cma)) * sizeof(long), GFP_KERNEL);
	if (!cma->bitmap) {
		kprintf("cma: %s: no memory for a bitmap of %lu bits\n", name, bitmap_bits(cma));
		return -ENOMEM;
	}
	return 0;
}

static void unregister(struct cma *cma)
{
	unsigned long flags = spin_lock_irqsave(&cma_list_lock);

	for (unsigned int i = 0; i < cma_list_nr; i++)
		if (cma_list[i] == cma) {
			cma_list[i] = cma_list[--cma_list_nr];
			break;
		}
	cma->registered = false;
	if (dma_contiguous_default_area == cma)
		dma_contiguous_default_area = NULL;
	spin_unlock_irqrestore(&cma_list_lock, flags);
}

int cma_destroy_area(struct cma *cma)
{
	unsigned long flags = spin_lock_irqsave(&cma->lock);
	unsigned long used = cma->used;

	spin_unlock_irqrestore(&cma->lock, flags);
	if (used) {
		kprintf("cma: %s: destroy with %lu pages allocated: refused\n", cma->name, used);
		return -EBUSY;
	}
	if (cma->registered)
		unregister(cma);
	kfree(cma->bitmap);
	cma->bitmap = NULL;
	cma->count = 0;
	return 0;
}

int cma_init_reserved_mem(u64 base, u64 size, unsigned int order_per_bit, const char *name,
			  struct cma **res_cma)
{
	struct cma *slot = NULL;
	unsigned long flags;
	int rc;

	for (unsigned int i = 0; i < MAX_CMA_AREAS && !slot; i++)
		if (!cma_slots[i].bitmap)
			slot = &cma_slots[i];
	if (!slot) {
		kprintf("cma: %s: no room: rvmm keeps at most %d areas\n", name ? name : "?", MAX_CMA_AREAS);
		return -ENOSPC;
	}
	rc = cma_init_area(slot, base, size, order_per_bit, name);
	if (rc)
		return rc;
	flags = spin_lock_irqsave(&cma_list_lock);
	cma_list[cma_list_nr++] = slot; /* (as many slots as list entries) */
	slot->registered = true;
	spin_unlock_irqrestore(&cma_list_lock, flags);
	if (res_cma)
		*res_cma = slot;
	return 0;
}

int cma_for_each_area(int (*fn)(struct cma *cma, void *data), void *data)
{
	for (unsigned int i = 0; i < cma_list_nr; i++) {
		int rc = fn(cma_list[i], data);

		if (rc)
			return rc;
	}
	return 0;
}

/* ========================= allocating and releasing ======================= */

static __attribute__((noinline, cold)) void alloc_failed(struct cma *cma, unsigned long count,
							 unsigned int align, const char *why)
{
	unsigned long flags = spin_lock_irqsave(&cma->lock);
	unsigned long used = cma->used, largest = largest_run_locked(cma);

	spin_unlock_irqrestore(&cma->lock, flags);
	kprintf("cma: %s: alloc of %lu pages (align order %u) failed: %s (%lu of %lu pages used, "
		"largest free run %lu pages)\n", cma->name, count, align, why, used, cma->count, largest);
}

struct page *__cma_alloc(struct cma *cma, unsigned long count, unsigned int align, bool no_warn,
			 unsigned long caller)
{
	unsigned long flags, bit, bits;
	struct cma_record *rec;

	if (!cma || !cma->bitmap || !count)
		return NULL;
	align = MIN(align, (unsigned int)CMA_MAX_ALIGN);
	if (count > cma->count) {
		if (!no_warn)
			alloc_failed(cma, count, align, "larger than the area");
		__atomic_fetch_add(&cma->nr_failed, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	rec = kmalloc(sizeof(*rec), GFP_ATOMIC | __GFP_NOWARN);
	if (!rec) {
		if (!no_warn)
			alloc_failed(cma, count, align, "no memory for its record");
		__atomic_fetch_add(&cma->nr_failed, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	bits = pages_to_bits(cma, count);
	flags = spin_lock_irqsave(&cma->lock);
	bit = find_run(cma, bits, align);
	if (bit == bitmap_bits(cma)) {
		cma->nr_failed++;
		spin_unlock_irqrestore(&cma->lock, flags);
		kfree(rec);
		if (!no_warn)
			alloc_failed(cma, count, align, "no free run that long");
		return NULL;
	}
	set_bits(cma->bitmap, bit, bits, true);
	*rec = (struct cma_record){ .pfn = cma->base_pfn + (bit << cma->order_per_bit), .count = count,
				    .caller = caller };
	avl_insert(&cma->records, &rec->node); /* (its bits were clear: the key is new) */
	cma->used += bits << cma->order_per_bit;
	cma->peak = MAX(cma->peak, cma->used);
	cma->nr_allocs++;
	spin_unlock_irqrestore(&cma->lock, flags);
	return pfn_to_page((unsigned long)rec->pfn);
}

struct page *cma_alloc(struct cma *cma, unsigned long count, unsigned int align, bool no_warn)
{
	return __cma_alloc(cma, count, align, no_warn, RET_IP);
}

bool cma_pages_valid(const struct cma *cma, const struct page *pages, unsigned long count)
{
	unsigned long pfn;

	if (!cma || !pages || !cma->count)
		return false;
	pfn = page_to_pfn(pages);
	return pfn >= cma->base_pfn && pfn - cma->base_pfn < cma->count &&
	       count <= cma->count - (pfn - cma->base_pfn);
}

bool cma_release(struct cma *cma, const struct page *pages, unsigned long count)
{
	struct cma_record *rec;
	unsigned long flags, pfn;
	const char *why = NULL;

	if (!cma_pages_valid(cma, pages, count ? count : 1))
		return false;
	pfn = page_to_pfn(pages);
	flags = spin_lock_irqsave(&cma->lock);
	rec = record_of(avl_find(&cma->records, pfn));
	if (!rec)
		why = "no allocation starts there (released already, or a page inside one)";
	else if (rec->count != count)
		why = "not the allocation's page count";
	if (why) {
		unsigned long has = rec ? rec->count : 0;

		cma->nr_bad_releases++;
		spin_unlock_irqrestore(&cma->lock, flags);
		kprintf("cma: %s: release of %lu pages at pfn 0x%lx: %s", cma->name, count, pfn, why);
		if (has)
			kprintf(" (it has %lu)", has);
		kprintf("; nothing released\n");
		return false;
	}
	avl_remove(&cma->records, pfn);
	set_bits(cma->bitmap, (pfn - cma->base_pfn) >> cma->order_per_bit, pages_to_bits(cma, count),
		 false);
	cma->used -= pages_to_bits(cma, count) << cma->order_per_bit;
	spin_unlock_irqrestore(&cma->lock, flags);
	kfree(rec);
	return true;
}

unsigned long cma_free_pages(struct cma *cma)
{
	unsigned long flags = spin_lock_irqsave(&cma->lock), n = cma->count - cma->used;

	spin_unlock_irqrestore(&cma->lock, flags);
	return n;
}

unsigned long cma_largest_free_run(struct cma *cma)
{
	unsigned long flags = spin_lock_irqsave(&cma->lock), n = largest_run_locked(cma);

	spin_unlock_irqrestore(&cma->lock, flags);
	return n;
}

struct cma *cma_area_of(u64 pa)
{
	unsigned long pfn = PHYS_PFN(pa);

	for (unsigned int i = 0; i < cma_list_nr; i++)
		if (pfn >= cma_list[i]->base_pfn && pfn - cma_list[i]->base_pfn < cma_list[i]->count)
			return cma_list[i];
	return NULL;
}

/* ================================ checking ================================ */

struct check_walk {
	const struct cma *cma;
	unsigned long *seen;  /* the bits the records cover, built here */
	unsigned long pages;  /* their pages */
	u64 prev_end;         /* the last record's end pfn */
	int errors;
};

static int check_record(struct avl_node *n, void *arg)
{
	struct check_walk *w = arg;
	const struct cma_record *r = record_of(n);
	const struct cma *cma = w->cma;
	unsigned long first, bits;

	if (r->pfn < cma->base_pfn || !r->count || r->pfn - cma->base_pfn >= cma->count ||
	    r->count > cma->count - (r->pfn - cma->base_pfn) ||
	    (r->pfn - cma->base_pfn) & ((1ul << cma->order_per_bit) - 1)) {
		kprintf("cma: %s: record of %lu pages at pfn 0x%llx: outside the area or off its bits\n",
			cma->name, r->count, (unsigned long long)r->pfn);
		w->errors++;
		return 0;
	}
	if (r->pfn < w->prev_end) {
		kprintf("cma: %s: record at pfn 0x%llx overlaps the one before\n", cma->name,
			(unsigned long long)r->pfn);
		w->errors++;
	}
	w->prev_end = r->pfn + ALIGN_UP(r->count, 1ul << cma->order_per_bit);
	first = (unsigned long)(r->pfn - cma->base_pfn) >> cma->order_per_bit;
	bits = pages_to_bits(cma, r->count);
	set_bits(w->seen, first, bits, true);
	w->pages += bits << cma->order_per_bit;
	return 0;
}

int cma_check(struct cma *cma)
{
	struct check_walk w = { .cma = cma };
	unsigned long nbits, flags, words;

	if (!cma->bitmap)
		return 0;
	nbits = bitmap_bits(cma);
	words = BITS_TO_LONGS(nbits);
	w.seen = kzalloc(words * sizeof(long), GFP_KERNEL);
	if (!w.seen) {
		kprintf("cma: %s: no memory to check the area\n", cma->name);
		return 1;
	}
	flags = spin_lock_irqsave(&cma->lock);
	avl_walk(&cma->records, check_record, &w);
	for (unsigned long i = 0; i < words; i++)
		if (cma->bitmap[i] != w.seen[i]) {
			unsigned long diff = cma->bitmap[i] ^ w.seen[i];
			unsigned long bit = i * BITS_PER_LONG + lowest_set_bit(diff);

			kprintf("cma: %s: bit %lu (pfn 0x%lx) is %s in the bitmap but %s by the records\n",
				cma->name, bit, cma->base_pfn + (bit << cma->order_per_bit),
				bit_set(cma->bitmap, bit) ? "set" : "clear",
				bit_set(w.seen, bit) ? "allocated" : "not allocated");
			w.errors++;
			break;
		}
	if (w.pages != cma->used) {
		kprintf("cma: %s: %lu pages used by the count, %lu by the records\n", cma->name,
			cma->used, w.pages);
		w.errors++;
	}
	spin_unlock_irqrestore(&cma->lock, flags);
	kfree(w.seen);
	return w.errors;
}

static int check_one(struct cma *cma, void *data)
{
	*(int *)data += cma_check(cma);
	return 0;
}

int cma_check_all(void)
{
	int errors = 0;

	cma_for_each_area(check_one, &errors);
	return errors;
}

/* ================================ reports ================================= */

#define CMA_MAP_WIDTH 64

/* One character per 1/64 of the area: '.' all free, '#' all allocated,
 * '+' both. */
static void show_map(const struct cma *cma)
{
	unsigned long nbits = bitmap_bits(cma);
	unsigned int cols = nbits < CMA_MAP_WIDTH ? (unsigned int)nbits : CMA_MAP_WIDTH;
	char line[CMA_MAP_WIDTH + 1];

	for (unsigned int c = 0; c < cols; c++) {
		unsigned long from = nbits * c / cols, to = nbits * (c + 1) / cols;
		bool any_set = next_bit(cma->bitmap, from, to, true) < to;
		bool any_clear = next_bit(cma->bitmap, from, to, false) < to;

		line[c] = any_set && any_clear ? '+' : any_set ? '#' : '.';
	}
	line[cols] = '\0';
	kprintf("  map [%s]\n", line);
}

static int show_record(struct avl_node *n, void *arg)
{
	const struct cma_record *r = record_of(n);

	(void)arg;
	kprintf("  [mem 0x%016llx-0x%016llx] %8lu pages", (unsigned long long)PFN_PHYS(r->pfn),
		(unsigned long long)(PFN_PHYS(r->pfn + r->count) - 1), r->count);
	mm_print_pc(r->caller, true);
	return 0;
}

void show_cma(struct cma *cma, bool records)
{
	unsigned long flags = spin_lock_irqsave(&cma->lock);

	kprintf("cma: %s%s [mem 0x%016llx-0x%016llx] %lu pages (%lu KiB), %lu page%s a bit\n", cma->name,
		cma == dma_contiguous_default_area ? " (default)" : "",
		(unsigned long long)cma_get_base(cma),
		(unsigned long long)(cma_get_base(cma) + cma_get_size(cma) - 1), cma->count,
		cma->count << (PAGE_SHIFT - 10), 1ul << cma->order_per_bit,
		cma->order_per_bit ? "s" : "");
	kprintf("  used %lu pages, peak %lu, free %lu, largest free run %lu; %lu allocations, "
		"%lu failed, %lu bad releases\n", cma->used, cma->peak, cma->count - cma->used,
		largest_run_locked(cma), cma->nr_allocs, cma->nr_failed, cma->nr_bad_releases);
	show_map(cma);
	if (records)
		avl_walk(&cma->records, show_record, NULL);
	spin_unlock_irqrestore(&cma->lock, flags);
}

static int show_one(struct cma *cma, void *data)
{
	show_cma(cma, *(bool *)data);
	return 0;
}

void show_cma_areas(bool records)
{
	if (!cma_list_nr) {
		kprintf("cma: no areas (cma=SIZE on the command line, or a reusable shared-dma-pool in "
			"/reserved-memory, makes one)\n");
		return;
	}
	cma_for_each_area(show_one, &records);
}

bool cma_whatis(u64 pa)
{
	struct cma *cma = cma_area_of(pa);
	unsigned long pfn = PHYS_PFN(pa), flags;
	const struct cma_record *r;

	if (!cma)
		return false;
	flags = spin_lock_irqsave(&cma->lock);
	r = record_of(avl_floor(&cma->records, pfn));
	if (r && pfn - r->pfn >= r->count)
		r = NULL;
	kprintf("whatis: CMA area %s, page %lu of %lu: ", cma->name, pfn - cma->base_pfn, cma->count);
	if (r) {
		kprintf("allocated, page %lu of %lu at pfn 0x%llx", (unsigned long)(pfn - r->pfn), r->count,
			(unsigned long long)r->pfn);
		mm_print_pc(r->caller, true);
	} else {
		kprintf("free\n");
	}
	spin_unlock_irqrestore(&cma->lock, flags);
	return true;
}

static int add_totals(struct cma *cma, void *data)
{
	unsigned long *t = data;

	t[0] += cma->count;
	t[1] += cma->count - cma->used;
	return 0;
}

void cma_meminfo(void)
{
	unsigned long t[2] = { 0, 0 };

	cma_for_each_area(add_totals, t);
	meminfo_line("CmaTotal", t[0] << (PAGE_SHIFT - 10));
	meminfo_line("CmaFree", t[1] << (PAGE_SHIFT - 10));
}
