/*
 * memblock.c - the boot-time allocator, in the style of Linux's memblock.
 *
 * How it works: two tables of physical ranges, each kept sorted by base,
 * with overlapping and touching ranges merged, so every table is a set of
 * disjoint, non-adjacent intervals:
 *   memory    every RAM range of the device tree;
 *   reserved  every range that is not free: firmware (/reserved-memory),
 *             the mem-reserve block, kernel image, DTB, initrd, and each
 *             memblock_alloc() result;
 *   nomap     the subset of reserved flagged no-map (never to be mapped).
 * Free memory is `memory` minus `reserved`, computed on the fly by
 * memblock_next_free(). Allocation is top-down first fit over the free
 * ranges (highest address first, as Linux does), so boot allocations stay
 * away from low memory that DMA-limited callers may need;
 * memblock_alloc_range() does the same within [start, end) (the device
 * tree's dynamic /reserved-memory nodes and their alloc-ranges).
 *
 * Lifetime: memblock is used only while booting on one hart. The page
 * allocator is then built from it (mm/page_alloc.c: node_init) and every
 * byte that was reserved or allocated here stays out of the buddy allocator
 * for good.
 *
 * Whole pages only. The direct map (boot/paging.c) maps whole pages of RAM
 * less every page a no-map range touches, so memblock_alloc hands out only
 * bytes of pages that are wholly RAM and free of no-map bytes: a partial
 * page at either end of a RAM range, and the rest of a page a no-map range
 * covers in part, are never allocated (memblock_report_unusable prints
 * them). The tables themselves stay byte-exact, so every range the device
 * tree reserves is honoured to the byte; the page allocator takes only
 * whole free pages (a page with any reserved byte stays reserved).
 *
 * Complexity: insertion and allocation are O(regions); tables hold at most
 * MEMBLOCK_MAX_REGIONS ranges each (a full table is an error, not a
 * truncation).
 */
#include <config.h>
#include <lib/kstring.h>
#include <mm/memblock.h>

struct memblock memblock;

static u64 region_end(const struct memblock_region *r)
{
	return r->base + r->size;
}

void memblock_init(struct memblock *mb)
{
	memset(mb, 0, sizeof(*mb));
	mb->alloc_limit = ~0ull;
}

/* Insert [base, end) into t, merging every region it overlaps or touches. */
static int type_insert(struct memblock_type *t, u64 base, u64 end)
{
	int i = 0, j, merged;

	while (i < t->cnt && region_end(&t->regions[i]) < base)
		i++;
	for (j = i; j < t->cnt && t->regions[j].base <= end; j++) {
		base = MIN(base, t->regions[j].base);
		end = MAX(end, region_end(&t->regions[j]));
	}
	merged = j - i;
	if (merged == 0) {
		if (t->cnt == MEMBLOCK_MAX_REGIONS)
			return -ENOSPC;
		memmove(&t->regions[i + 1], &t->regions[i],
			(size_t)(t->cnt - i) * sizeof(t->regions[0]));
		t->cnt++;
	} else if (merged > 1) {
		memmove(&t->regions[i + 1], &t->regions[j],
			(size_t)(t->cnt - j) * sizeof(t->regions[0]));
		t->cnt -= merged - 1;
	}
	t->regions[i].base = base;
	t->regions[i].size = end - base;
	return 0;
}

static int checked_insert(struct memblock_type *t, u64 base, u64 size)
{
	u64 end = base + size;

	if (size == 0 || end <= base) /* empty, wraps, or ends exactly at 2^64 */
		return -EINVAL;
	return type_insert(t, base, end);
}

int memblock_add(struct memblock *mb, u64 base, u64 size)
{
	return checked_insert(&mb->memory, base, size);
}

int memblock_reserve(struct memblock *mb, u64 base, u64 size)
{
	return checked_insert(&mb->reserved, base, size);
}

int memblock_reserve_flags(struct memblock *mb, u64 base, u64 size, u32 flags)
{
	int rc = memblock_reserve(mb, base, size);

	if (rc == 0 && (flags & MEMBLOCK_NOMAP))
		rc = checked_insert(&mb->nomap, base, size);
	return rc;
}

/* The first reserved region that ends after @addr, or NULL. */
static const struct memblock_region *reserved_after(const struct memblock *mb, u64 addr)
{
	for (int i = 0; i < mb->reserved.cnt; i++)
		if (region_end(&mb->reserved.regions[i]) > addr)
			return &mb->reserved.regions[i];
	return NULL;
}

bool memblock_next_free(const struct memblock *mb, u64 *cursor, u64 *start, u64 *end)
{
	for (int i = 0; i < mb->memory.cnt; i++) {
		const struct memblock_region *m = &mb->memory.regions[i];
		u64 s = MAX(m->base, *cursor);
		const struct memblock_region *r;

		if (s >= region_end(m))
			continue;
		r = reserved_after(mb, s);
		if (r && r->base <= s) {
			/* s is reserved: skip to the end of that range (reserved
			 * ranges never touch, so what follows is free). */
			s = region_end(r);
			if (s >= region_end(m))
				continue;
			r = reserved_after(mb, s);
		}
		*start = s;
		*end = r ? MIN(region_end(m), r->base) : region_end(m);
		*cursor = *end;
		return true;
	}
	return false;
}

/* Does the page holding @pa lie wholly in RAM, with no no-map byte, so that
 * the direct map maps it? */
static bool page_mappable(const struct memblock *mb, u64 pa)
{
	u64 ps = ALIGN_DOWN(pa, PAGE_SIZE), pe = ps + PAGE_SIZE;
	bool in_ram = false;

	for (int i = 0; i < mb->memory.cnt; i++)
		if (mb->memory.regions[i].base <= ps && region_end(&mb->memory.regions[i]) >= pe)
			in_ram = true;
	for (int i = 0; i < mb->nomap.cnt && in_ram; i++)
		if (mb->nomap.regions[i].base < pe && region_end(&mb->nomap.regions[i]) > ps)
			return false;
	return in_ram;
}

/*
 * Every page strictly inside a free range is free, hence RAM and no-map
 * free (nomap is part of reserved): only the first and the last page of
 * the range can be partial RAM or share a page with a no-map range.
 */
bool memblock_next_free_mappable(const struct memblock *mb, u64 *cursor, u64 *start, u64 *end)
{
	while (memblock_next_free(mb, cursor, start, end)) {
		if (!page_mappable(mb, *start))
			*start = ALIGN_DOWN(*start, PAGE_SIZE) + PAGE_SIZE;
		if (*end > *start && !page_mappable(mb, *end - 1))
			*end = ALIGN_DOWN(*end - 1, PAGE_SIZE);
		if (*start < *end)
			return true;
	}
	return false;
}

u64 memblock_alloc_range(struct memblock *mb, u64 size, u64 align, u64 start, u64 end)
{
	u64 cursor = 0, s, e, best = 0;

	if (size == 0 || align == 0 || (align & (align - 1)))
		return 0;
	end = MIN(end, mb->alloc_limit);
	while (memblock_next_free_mappable(mb, &cursor, &s, &e)) {
		u64 lo = MAX(s, start), hi = MIN(e, end), cand;

		if (hi <= lo || hi - lo < size)
			continue;
		cand = ALIGN_DOWN(hi - size, align);
		if (cand >= lo && cand != 0)
			best = cand; /* ranges ascend: the last fit is the highest */
	}
	if (best == 0 || memblock_reserve(mb, best, size))
		return 0;
	mb->allocated_bytes += size;
	return best;
}

u64 memblock_alloc(struct memblock *mb, u64 size, u64 align)
{
	return memblock_alloc_range(mb, size, align, 0, ~0ull);
}

void memblock_free_summary(const struct memblock *mb, u64 *total, u64 *largest)
{
	u64 cursor = 0, start, end;

	*total = *largest = 0;
	while (memblock_next_free_mappable(mb, &cursor, &start, &end)) {
		u64 top = MIN(end, mb->alloc_limit);

		if (top <= start)
			continue;
		*total += top - start;
		*largest = MAX(*largest, top - start);
	}
}

u64 memblock_limit_memory(struct memblock *mb, u64 limit)
{
	struct memblock_type *t = &mb->memory;
	u64 removed = 0;

	while (t->cnt && t->regions[t->cnt - 1].base >= limit) {
		removed += t->regions[t->cnt - 1].size;
		t->cnt--;
	}
	if (t->cnt && region_end(&t->regions[t->cnt - 1]) > limit) {
		removed += region_end(&t->regions[t->cnt - 1]) - limit;
		t->regions[t->cnt - 1].size = limit - t->regions[t->cnt - 1].base;
	}
	mb->alloc_limit = MIN(mb->alloc_limit, limit);
	return removed;
}

static void report_unusable(u64 s, u64 e, const char *why)
{
	if (s < e)
		kprintf("memblock: [mem 0x%016llx-0x%016llx] not usable: %s\n", (unsigned long long)s,
			(unsigned long long)e - 1, why);
}

void memblock_report_unusable(const struct memblock *mb)
{
	for (int i = 0; i < mb->memory.cnt; i++) {
		const struct memblock_region *r = &mb->memory.regions[i];
		u64 s = ALIGN_UP(r->base, PAGE_SIZE), e = ALIGN_DOWN(region_end(r), PAGE_SIZE);

		if (s >= e) { /* not one whole page */
			report_unusable(r->base, region_end(r), "RAM range without a whole page");
			continue;
		}
		report_unusable(r->base, s, "partial page at the start of a RAM range");
		report_unusable(e, region_end(r), "partial page at the end of a RAM range");
	}
	for (int i = 0; i < mb->nomap.cnt; i++) {
		const struct memblock_region *n = &mb->nomap.regions[i];
		u64 ps = ALIGN_DOWN(n->base, PAGE_SIZE), pe = ALIGN_UP(region_end(n), PAGE_SIZE);

		/* Only RAM counts: the parts outside RAM were never usable. */
		if (ps < n->base && memblock_is_memory(mb, ps))
			report_unusable(ps, n->base, "shares a page with a no-map range (not mapped)");
		if (pe > region_end(n) && memblock_is_memory(mb, region_end(n)))
			report_unusable(region_end(n), pe, "shares a page with a no-map range (not mapped)");
	}
}

static bool type_contains(const struct memblock_type *t, u64 addr)
{
	for (int i = 0; i < t->cnt; i++)
		if (addr >= t->regions[i].base && addr < region_end(&t->regions[i]))
			return true;
	return false;
}

bool memblock_is_memory(const struct memblock *mb, u64 addr)
{
	return type_contains(&mb->memory, addr);
}

bool memblock_is_reserved(const struct memblock *mb, u64 addr)
{
	return type_contains(&mb->reserved, addr);
}

u64 memblock_phys_mem_size(const struct memblock *mb)
{
	u64 total = 0;

	for (int i = 0; i < mb->memory.cnt; i++)
		total += mb->memory.regions[i].size;
	return total;
}

u64 memblock_reserved_in_memory(const struct memblock *mb)
{
	u64 cursor = 0, start, end, free = 0;

	while (memblock_next_free(mb, &cursor, &start, &end))
		free += end - start;
	return memblock_phys_mem_size(mb) - free;
}

static int check_type(const struct memblock_type *t, const char *name)
{
	int errors = 0;

	if (t->cnt < 0 || t->cnt > MEMBLOCK_MAX_REGIONS) {
		kprintf("memblock: %s: bad count %d\n", name, t->cnt);
		return 1;
	}
	for (int i = 0; i < t->cnt; i++) {
		const struct memblock_region *r = &t->regions[i];

		if (r->size == 0 || region_end(r) <= r->base) {
			kprintf("memblock: %s[%d]: empty or wrapping range\n", name, i);
			errors++;
		}
		if (i && region_end(&t->regions[i - 1]) >= r->base) {
			kprintf("memblock: %s[%d]: not sorted, disjoint and merged\n", name, i);
			errors++;
		}
	}
	return errors;
}

int memblock_check(const struct memblock *mb)
{
	return check_type(&mb->memory, "memory") + check_type(&mb->reserved, "reserved") +
	       check_type(&mb->nomap, "nomap");
}

static void dump_type(const struct memblock_type *t, const char *name)
{
	kprintf(" %s.cnt  = 0x%x\n", name, t->cnt);
	for (int i = 0; i < t->cnt; i++)
		kprintf(" %s[0x%x]\t[0x%016llx-0x%016llx], 0x%016llx bytes\n", name, i,
			(unsigned long long)t->regions[i].base,
			(unsigned long long)region_end(&t->regions[i]) - 1,
			(unsigned long long)t->regions[i].size);
}

void memblock_dump(const struct memblock *mb)
{
	kprintf("MEMBLOCK configuration:\n");
	kprintf(" memory size = 0x%016llx reserved size = 0x%016llx\n",
		(unsigned long long)memblock_phys_mem_size(mb),
		(unsigned long long)memblock_reserved_in_memory(mb));
	dump_type(&mb->memory, "memory");
	dump_type(&mb->reserved, "reserved");
	dump_type(&mb->nomap, "nomap");
}
