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
 * away from low memory that DMA-limited callers may need.
 *
 * Lifetime: memblock is used only while booting on one hart. The page
 * allocator is then built from it (mm/page_alloc.c: node_init) and every
 * byte that was reserved or allocated here stays out of the buddy allocator
 * for good.
 *
 * Complexity: insertion and allocation are O(regions); tables hold at most
 * MEMBLOCK_MAX_REGIONS ranges each (a full table is an error, not a
 * truncation). Ranges are byte-exact; rounding to pages is the caller's job.
 */
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

u64 memblock_alloc(struct memblock *mb, u64 size, u64 align)
{
	u64 cursor = 0, start, end, best = 0;

	if (size == 0 || align == 0 || (align & (align - 1)))
		return 0;
	while (memblock_next_free(mb, &cursor, &start, &end)) {
		u64 top = MIN(end, mb->alloc_limit);
		u64 cand;

		if (top < size || top - size < start)
			continue;
		cand = ALIGN_DOWN(top - size, align);
		if (cand >= start && cand != 0)
			best = cand; /* ranges ascend: the last fit is the highest */
	}
	if (best == 0 || memblock_reserve(mb, best, size))
		return 0;
	mb->allocated_bytes += size;
	return best;
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
}
