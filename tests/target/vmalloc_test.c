/*
 * vmalloc_test.c - vmalloc, vzalloc, vfree, vmap, vunmap, vmalloc_to_page,
 * kvmalloc and kvfree on the running kernel (suite "vmalloc").
 *
 * Every case leaves memory as it found it: it first runs its allocations
 * once (so that the page tables and slab pages they need exist), then takes
 * a snapshot (per-hart lists drained, free pages, each zone's free blocks
 * per order, the vmalloc statistics, the page-table pages, the pages the
 * slab allocator and kmalloc's heaps hold) and expects the same snapshot
 * back after freeing, and vmalloc_check() to find nothing. Under
 * kmalloc=slob the heap's pages may change (a SLOB page stays while any
 * block is in it, so the case's kmalloc calls can leave one page held and
 * free another): there free + held pages must match, and the buddy shape
 * is not compared.
 * Cases that spread areas over new addresses (and so create page tables
 * that stay) allow for exactly those table pages. Cases assume nothing else
 * allocates meanwhile (the other harts idle).
 *
 * Faults are provoked with trap_catch, which resumes after the faulting
 * instruction; the out-of-bounds report the fault handler prints is read
 * back with console capture.
 */
#include <drivers/console.h>
#include <boot/hart.h>
#include <mm/kmalloc.h>
#include <lib/kstring.h>
#include <boot/ksyms.h>
#include <tests/ktest.h>
#include "../common/meminfo_text.h"
#include "ram_floor.h"
#include <mm/mm.h>
#include <mm/mm_report.h>
#include <mm/mmzone.h>
#include <boot/paging.h>
#include <lib/riscv.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include <boot/trap.h>
#include <mm/vmalloc.h>

static char out[4096];

static void note(struct ktest *t, const char *what)
{
	kprintf("# %s.%s: %s\n", t->suite, t->name, what);
}

/* --- snapshots ------------------------------------------------------------ */

struct snapshot {
	unsigned long free, table_pages;
	unsigned long held; /* pages the slab allocator and kmalloc's heaps hold */
	unsigned long nr_free[MAX_NR_ZONES][MAX_ORDER];
	struct vmalloc_stats vs;
};

static void take_snapshot(struct snapshot *s)
{
	/* Settle first: vfree'd areas purged (their records freed too, which
	 * reclaim leaves), then what the shrinkers would give back when memory
	 * runs out (this hart's magazines, free slabs) given back now. */
	vmalloc_purge();
	run_shrinkers(GFP_KERNEL);
	node_drain_pages(mem_node);
	s->free = nr_free_pages();
	/* What kmalloc and the caches hold after settling. Under kmalloc=slob a
	 * case's own kmalloc calls may leave its heap a page bigger or smaller
	 * (a SLOB page keeps other blocks), which moves pages between the heap
	 * and the free lists but loses none. */
	s->held = kmalloc_held_pages();
	s->table_pages = kernel_pgtable.nr_table_pages;
	for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++)
		for (unsigned int o = 0; o < MAX_ORDER; o++)
			s->nr_free[zi][o] = mem_node->zones[zi].free_area[o].nr_free;
	vmalloc_get_stats(&s->vs);
}

/* The vmalloc statistics and the checker agree with @before. */
static void expect_areas_restored(struct ktest *t, const struct snapshot *before)
{
	struct vmalloc_stats vs;

	vmalloc_get_stats(&vs);
	EXPECT_EQ(vs.areas, before->vs.areas);
	EXPECT_EQ(vs.pages, before->vs.pages);
	EXPECT_EQ(vs.vmap_pages, before->vs.vmap_pages);
	EXPECT_EQ(vmalloc_check(), 0);
}

/* Everything is back: same free pages, same buddy shape, same tables. */
static void expect_restored(struct ktest *t, const struct snapshot *before)
{
	struct snapshot now;

	take_snapshot(&now);
	EXPECT_EQ(now.free + now.held, before->free + before->held);
	EXPECT_EQ(now.table_pages, before->table_pages);
	if (kmalloc_backend == KMALLOC_SLOB || kmalloc_heap_classes) {
		/* A SLOB page stays while any block is in it, so the case's
		 * kmalloc calls may swap which pages the heap holds (also
		 * kmalloc=slab's, when kmalloc_heap= puts classes on it). */
		note(t, "kmalloc on SLOB: free + held pages compared, not the buddy shape");
		expect_areas_restored(t, before);
		return;
	}
	for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++)
		for (unsigned int o = 0; o < MAX_ORDER; o++)
			if (now.nr_free[zi][o] != before->nr_free[zi][o])
				ktest_fail(t, __FILE__, __LINE__,
					   "zone %s order %u: %lu free blocks, %lu before",
					   mem_node->zones[zi].name, o, now.nr_free[zi][o],
					   before->nr_free[zi][o]);
	expect_areas_restored(t, before);
}

/* The same, except for page-table pages created for new addresses: they
 * stay, and are all that is missing. */
static void expect_restored_but_tables(struct ktest *t, const struct snapshot *before)
{
	struct snapshot now;

	take_snapshot(&now);
	EXPECT(now.table_pages >= before->table_pages);
	EXPECT_EQ(now.free + now.held + (now.table_pages - before->table_pages),
		  before->free + before->held);
	expect_areas_restored(t, before);
}

/* Give every cache's free slabs back, every hart's magazines included
 * (the cases that spread many objects over the harts start and end so). */
static void shrink_cache(struct kmem_cache *c, void *arg)
{
	(void)arg;
	kmem_cache_shrink(c);
}

static void shrink_this_hart(void *arg)
{
	(void)arg;
	slab_for_each_cache(shrink_cache, NULL);
}

static void shrink_all_caches(void)
{
	on_each_hart(shrink_this_hart, NULL);
}

/* --- helpers ------------------------------------------------------------------ */

static unsigned long fault_pc;

static void load_from(void *arg)
{
	unsigned long v;

	__asm__ volatile("1: ld %1, 0(%2)\n"
			 "la %0, 1b\n"
			 : "=&r"(fault_pc), "=&r"(v)
			 : "r"(arg)
			 : "memory");
}

static void store_to(void *arg)
{
	__asm__ volatile("1: sd zero, 0(%1)\n"
			 "la %0, 1b\n"
			 : "=&r"(fault_pc)
			 : "r"(arg)
			 : "memory");
}

static u64 mix(u64 x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ull;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dull;
	x ^= x >> 33;
	return x;
}

static u64 rng_next(u64 *s)
{
	*s += 0x9e3779b97f4a7c15ull;
	return mix(*s);
}

/* The word an area tagged @tag keeps at @w. */
static u64 pattern(u64 tag, const void *w)
{
	return mix(tag ^ (uintptr_t)w);
}

/* Fill every word of [p, p+bytes) / count the words that differ. */
static void fill(void *p, unsigned long bytes, u64 tag)
{
	for (u64 *w = p; (char *)w < (char *)p + bytes; w++)
		*w = pattern(tag, w);
}

static unsigned long count_bad(const void *p, unsigned long bytes, u64 tag)
{
	unsigned long bad = 0;

	for (const u64 *w = p; (const char *)w < (const char *)p + bytes; w++)
		bad += *w != pattern(tag, w);
	return bad;
}

/* The first and last word of each page only (big areas, many areas). */
static void fill_sparse(void *p, unsigned long pages, u64 tag)
{
	for (unsigned long i = 0; i < pages; i++) {
		u64 *first = (u64 *)((char *)p + i * PAGE_SIZE), *last = first + PAGE_SIZE / 8 - 1;

		*first = pattern(tag, first);
		*last = pattern(tag, last);
	}
}

static unsigned long count_bad_sparse(const void *p, unsigned long pages, u64 tag)
{
	unsigned long bad = 0;

	for (unsigned long i = 0; i < pages; i++) {
		const u64 *first = (const u64 *)((const char *)p + i * PAGE_SIZE);
		const u64 *last = first + PAGE_SIZE / 8 - 1;

		bad += (*first != pattern(tag, first)) + (*last != pattern(tag, last));
	}
	return bad;
}

/* The name a report gives the case function @fn. */
static const char *name_of(void (*fn)(struct ktest *))
{
	unsigned long off;
	const char *name = ksym_lookup((unsigned long)fn, &off);

	return name && off == 0 ? name : "?";
}

/* The "NAME+0xOFF" vmalloc_describe gives as the allocator of the area at
 * @addr, into @buf. */
static void caller_of(u64 addr, char *buf, size_t size)
{
	char d[160];
	const char *s, *e;

	vmalloc_describe(addr, d, sizeof(d));
	s = strstr(d, "allocated by ");
	e = s ? strchr(s, ')') : NULL;
	if (!s || !e) {
		kstrlcpy(buf, "?", size);
		return;
	}
	s += strlen("allocated by ");
	kstrlcpy(buf, s, MIN(size, (size_t)(e - s) + 1));
}

/*
 * The report for an access to @addr in the out-of-bounds space past the
 * area @area (of @size bytes mapped) that case @fn allocated: exactly
 * "vmalloc out-of-bounds at ADDR (area AREA+SIZE, allocated by FN+0xOFF)".
 */
static void expect_oob_line(struct ktest *t, const char *line, u64 addr, u64 area, u64 size,
			    void (*fn)(struct ktest *))
{
	char want[160];
	size_t n;
	const char *p;

	n = (size_t)ksnprintf(want, sizeof(want),
			      "vmalloc out-of-bounds at 0x%llx (area 0x%llx+0x%llx, allocated by %s+0x",
			      (unsigned long long)addr, (unsigned long long)area,
			      (unsigned long long)size, name_of(fn));
	if (strncmp(line, want, n) != 0) {
		ktest_fail(t, __FILE__, __LINE__, "report \"%.100s\", wanted \"%s...\"", line, want);
		return;
	}
	p = line + n;
	if (!strchr("0123456789abcdef", *p) || *p == '\0')
		ktest_fail(t, __FILE__, __LINE__, "no offset after the caller: \"%s\"", line);
	while (*p && strchr("0123456789abcdef", *p))
		p++;
	if (strncmp(p, ")\n", 2) != 0 || p[2] != '\0')
		ktest_fail(t, __FILE__, __LINE__, "report does not end with \")\": \"%s\"", line);
}

/* --- edges -------------------------------------------------------------------- */

/* Sizes that cannot be served get NULL quietly, changing nothing; a byte
 * gets a whole page, page aligned, in the vmalloc range. */
/* How many times @what occurs in @text. */
static unsigned int occurrences(const char *text, const char *what)
{
	unsigned int n = 0;

	for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

static void sizes_zero_huge_and_tiny(struct ktest *t)
{
	struct snapshot before;
	u8 *p;

	vfree(vmalloc(1));
	take_snapshot(&before);
	console_capture_begin(out, sizeof(out));
	EXPECT(vmalloc(0) == NULL);
	EXPECT(vzalloc(0) == NULL);
	EXPECT(vmap(NULL, 0) == NULL);
	vfree(NULL);
	vunmap(NULL);
	kvfree(NULL);
	console_capture_end();
	EXPECT_STREQ(out, "");
	expect_restored(t, &before);

	/* Sizes beyond the area: refused, each with its reason, nothing taken;
	 * quietly under __GFP_NOWARN. */
	console_capture_begin(out, sizeof(out));
	EXPECT(vmalloc(~0ul) == NULL);
	EXPECT(vmalloc(~0ul - 100) == NULL);
	EXPECT(vmalloc(~0ul - PAGE_SIZE + 2) == NULL);
	EXPECT(vmalloc(VMALLOC_END - VMALLOC_START) == NULL);
	console_capture_end();
	EXPECT(strstr(out, "vmalloc: 18446744073709551615 bytes (gfp 0x0) refused: one area holds "
			   "at most half the vmalloc range, 32768 MiB\n") != NULL);
	EXPECT_EQ(occurrences(out, "at most half the vmalloc range"), 4);
	console_capture_begin(out, sizeof(out));
	EXPECT(__vmalloc(~0ul, GFP_KERNEL | __GFP_NOWARN) == NULL);
	console_capture_end();
	EXPECT_STREQ(out, "");
	expect_restored(t, &before);

	p = vmalloc(1);
	ASSERT(p != NULL);
	EXPECT(is_vmalloc_addr(p));
	EXPECT(IS_ALIGNED((uintptr_t)p, PAGE_SIZE));
	EXPECT(vmalloc_to_page(p) != NULL);
	EXPECT(vmalloc_to_page(p + PAGE_SIZE - 1) == vmalloc_to_page(p));
	EXPECT(vmalloc_to_page(p + PAGE_SIZE) == NULL); /* the guard */
	p[PAGE_SIZE - 1] = 0x5a;
	EXPECT_EQ(vmalloc_check(), 0);
	vfree(p);
	expect_restored(t, &before);
}

/* --- a big area ------------------------------------------------------------------ */

#define BIG (4ul << 20)
#define BIG_PAGES (BIG / PAGE_SIZE)

/*
 * 4 MiB: every word written through the area reads back; each page is an
 * allocated PGTY_VMALLOC page, distinct from the others, and its direct-map
 * alias holds what was written through the area.
 */
static void big_area_virtually_contiguous(struct ktest *t)
{
	struct snapshot before;
	unsigned long bad = 0, alias_bad = 0, pages_bad = 0;
	u8 *p;

	KTEST_NEEDS_RAM(5); /* 4 MiB and its page tables */
	vfree(vmalloc(BIG));
	take_snapshot(&before);
	p = vmalloc(BIG);
	ASSERT(p != NULL);
	fill(p, BIG, 0xb16);
	bad = count_bad(p, BIG, 0xb16);
	for (unsigned long i = 0; i < BIG_PAGES; i++) {
		struct page *pg = vmalloc_to_page(p + i * PAGE_SIZE);
		const u64 *alias;

		if (!pg || page_type(pg) != PGTY_VMALLOC || page_count(pg) != 1 ||
		    vmalloc_to_page(p + i * PAGE_SIZE + 0x123) != pg ||
		    (i && vmalloc_to_page(p + (i - 1) * PAGE_SIZE) == pg)) {
			pages_bad++;
			continue;
		}
		alias = page_address(pg);
		alias_bad += alias[0] != pattern(0xb16, p + i * PAGE_SIZE) ||
			     alias[511] != pattern(0xb16, p + i * PAGE_SIZE + 4088);
	}
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(pages_bad, 0);
	EXPECT_EQ(alias_bad, 0);
	EXPECT_EQ(vmalloc_check(), 0);
	vfree(p);
	expect_restored(t, &before);
}

/* --- fragmented memory ------------------------------------------------------------ */

/*
 * Fragment the page allocator completely: take every page, give back
 * those with an even frame number (their buddies stay held, so none can
 * merge), then take every block of order 1 and above that is still free
 * (what the watermarks kept back at first). Afterwards every free page is
 * a lone order-0 page. Each step asks with every zone modifier in turn:
 * a lower zone's lowmem reserve keeps part of it from requests that could
 * use a higher zone (HOARD_GFP alone), not from its own.
 */
struct hoard {
	struct list_head pages; /* page->priv = order */
	unsigned long blocks, freed;
};

#define HOARD_GFP (GFP_ATOMIC | __GFP_NOWARN)

static void fragment(struct hoard *h)
{
	struct list_head all = LIST_HEAD_INIT(all);
	struct page *p;

	static const gfp_t zone_bits[] = { 0, __GFP_DMA32, __GFP_DMA };

	INIT_LIST_HEAD(&h->pages);
	h->blocks = h->freed = 0;
	for (unsigned int z = 0; z < ARRAY_SIZE(zone_bits); z++)
		while ((p = alloc_page(HOARD_GFP | zone_bits[z])) != NULL)
			list_add_tail(&p->lru, &all);
	while (!list_empty(&all)) {
		p = list_first_entry(&all, struct page, lru);
		list_del(&p->lru);
		if (page_to_pfn(p) & 1) {
			p->priv = 0;
			list_add_tail(&p->lru, &h->pages);
			h->blocks++;
		} else {
			__free_pages(p, 0);
			h->freed++;
		}
	}
	for (unsigned int z = 0; z < ARRAY_SIZE(zone_bits); z++) {
		for (int order = MAX_ORDER - 1; order >= 1; order--) {
			while ((p = alloc_pages(HOARD_GFP | zone_bits[z], (unsigned int)order)) != NULL) {
				p->priv = (unsigned long)order;
				list_add_tail(&p->lru, &h->pages);
				h->blocks++;
			}
		}
	}
	node_drain_pages(mem_node);
}

static void unfragment(struct hoard *h)
{
	while (!list_empty(&h->pages)) {
		struct page *p = list_first_entry(&h->pages, struct page, lru);

		list_del(&p->lru);
		__free_pages(p, (unsigned int)p->priv);
		p->priv = 0;
	}
}

/* Blocks of order 1 and above that are free in any zone. */
static unsigned long free_blocks_above_order0(void)
{
	unsigned long n = 0;

	for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++)
		for (unsigned int o = 1; o < MAX_ORDER; o++)
			n += mem_node->zones[zi].free_area[o].nr_free;
	return n;
}

/*
 * With no two free pages adjacent: kmalloc(64 KiB) fails (quietly with
 * __GFP_NOWARN) while vmalloc(64 KiB) and vmalloc(4 MiB) succeed, from
 * scattered pages (no two consecutive pages of the area are consecutive
 * frames), and kvmalloc(64 KiB) falls back to vmalloc. All of it is
 * usable, and memory comes back exactly as it was.
 */
static void fragmented_kmalloc_fails_vmalloc_works(struct ktest *t)
{
	bool was;
	struct snapshot before;
	struct hoard h;
	void *k, *kv;
	u8 *small, *big;
	unsigned long adjacent = 0, bad;

	KTEST_NEEDS_RAM(24); /* a hoard of order-10 blocks, then a vmalloc beyond them */
	was = vmalloc_set_lazy(false); /* (the layout of free blocks compared exactly) */

	/* Warm up: the slab pages and page tables these calls need exist. */
	vfree(vmalloc(64 << 10));
	vfree(vmalloc(BIG));
	kvfree(kvmalloc(64 << 10, GFP_KERNEL));
	take_snapshot(&before);

	fragment(&h);
	EXPECT(h.freed > BIG_PAGES + 64);
	EXPECT_EQ(free_blocks_above_order0(), 0);

	console_capture_begin(out, sizeof(out));
	k = kmalloc(64 << 10, GFP_KERNEL | __GFP_NOWARN);
	console_capture_end();
	EXPECT(k == NULL);
	EXPECT_STREQ(out, "");
	if (k)
		kfree(k);

	small = vmalloc(64 << 10);
	big = vmalloc(BIG);
	console_capture_begin(out, sizeof(out));
	kv = kvmalloc(64 << 10, GFP_KERNEL);
	console_capture_end();
	EXPECT_STREQ(out, "");
	EXPECT(small != NULL);
	EXPECT(big != NULL);
	EXPECT(kv != NULL && is_vmalloc_addr(kv));
	if (small) {
		fill(small, 64 << 10, 1);
		EXPECT_EQ(count_bad(small, 64 << 10, 1), 0);
	}
	if (kv) {
		fill(kv, 64 << 10, 2);
		EXPECT_EQ(count_bad(kv, 64 << 10, 2), 0);
	}
	if (big) {
		fill(big, BIG, 3);
		bad = count_bad(big, BIG, 3);
		EXPECT_EQ(bad, 0);
		for (unsigned long i = 1; i < BIG_PAGES; i++)
			adjacent += page_to_pfn(vmalloc_to_page(big + i * PAGE_SIZE)) ==
				    page_to_pfn(vmalloc_to_page(big + (i - 1) * PAGE_SIZE)) + 1;
		EXPECT_EQ(adjacent, 0);
	}
	EXPECT_EQ(vmalloc_check(), 0);
	vfree(small);
	vfree(big);
	kvfree(kv);
	node_drain_pages(mem_node);
	/* vfree put every page back where it was: no free block above order
	 * 0. Under kmalloc=slob a SLOB page or bigblock given back in the
	 * window may pair with a free neighbour, and the heap's page count
	 * cannot tell (it may give one page back and take another): there
	 * only expect_restored's totals hold. */
	if (kmalloc_backend == KMALLOC_SLAB)
		EXPECT_EQ(free_blocks_above_order0(), 0);
	else
		note(t, "kmalloc=slob: free blocks above order 0 after vfree not counted");
	unfragment(&h);
	vmalloc_set_lazy(was);
	expect_restored(t, &before);
}

/* --- guard pages ------------------------------------------------------------------ */

/*
 * A load or store just past an area (its guard page) faults as a page
 * fault at exactly that address, and the handler names the area and the
 * function that allocated it. The last byte inside is fine.
 */
static void guard_page_hit_reported(struct ktest *t)
{
	const unsigned long size = 3 * PAGE_SIZE + 100; /* 4 pages mapped */
	struct snapshot before;
	struct trap_expect e;
	u8 *p;
	u64 end;
	bool caught;

	vfree(vmalloc(size));
	take_snapshot(&before);
	p = vmalloc(size);
	ASSERT(p != NULL);
	end = (uintptr_t)p + 4 * PAGE_SIZE;
	EXPECT(!trap_catch(load_from, (void *)(end - 8), &e));

	console_capture_begin(out, sizeof(out));
	caught = trap_catch(load_from, (void *)end, &e);
	console_capture_end();
	EXPECT(caught);
	EXPECT_EQ(e.scause, EXC_LOAD_PAGE_FAULT);
	EXPECT_EQ(e.stval, end);
	EXPECT_EQ(e.sepc, fault_pc);
	expect_oob_line(t, out, end, (uintptr_t)p, 4 * PAGE_SIZE, guard_page_hit_reported);

	/* A store at the guard page's last word. */
	console_capture_begin(out, sizeof(out));
	caught = trap_catch(store_to, (void *)(end + PAGE_SIZE - 8), &e);
	console_capture_end();
	EXPECT(caught);
	EXPECT_EQ(e.scause, EXC_STORE_PAGE_FAULT);
	EXPECT_EQ(e.stval, end + PAGE_SIZE - 8);
	expect_oob_line(t, out, end + PAGE_SIZE - 8, (uintptr_t)p, 4 * PAGE_SIZE,
			guard_page_hit_reported);
	EXPECT_EQ(vmalloc_check(), 0);
	vfree(p);
	expect_restored(t, &before);
}

/* vmalloc_describe: the text, the "no area" form, and truncation. */
static void describe_text(struct ktest *t)
{
	struct vmalloc_stats vs;
	char buf[160], caller[64], want[160];
	u8 *p;

	vmalloc_get_stats(&vs);
	if (vs.areas == 0) {
		vmalloc_describe(VMALLOC_START + 0x1238, buf, sizeof(buf));
		EXPECT_STREQ(buf, "vmalloc out-of-bounds at 0xffffffc000001238 (no area below it)");
	} else {
		note(t, "areas exist already: the no-area text is not checked");
	}
	p = vmalloc(2 * PAGE_SIZE);
	ASSERT(p != NULL);
	vmalloc_describe((uintptr_t)p + 2 * PAGE_SIZE + 0x10, buf, sizeof(buf) - 1);
	memcpy(buf + strlen(buf), "\n", 2);
	expect_oob_line(t, buf, (uintptr_t)p + 2 * PAGE_SIZE + 0x10, (uintptr_t)p, 2 * PAGE_SIZE,
			describe_text);
	caller_of((uintptr_t)p, caller, sizeof(caller));
	ksnprintf(want, sizeof(want), "vmalloc out-of-bounds at 0x%llx (area 0x%llx+0x2000, allocated by %s)",
		  (unsigned long long)((uintptr_t)p + 0x5000), (unsigned long long)(uintptr_t)p,
		  caller);
	vmalloc_describe((uintptr_t)p + 0x5000, buf, sizeof(buf));
	EXPECT_STREQ(buf, want);
	/* Truncated, always terminated: in the fixed text, then in the name. */
	memset(buf, 'x', sizeof(buf));
	vmalloc_describe((uintptr_t)p + 0x5000, buf, 16);
	EXPECT_STREQ(buf, "vmalloc out-of-");
	memset(buf, 'x', sizeof(buf));
	vmalloc_describe((uintptr_t)p + 0x5000, buf, strlen(want) - 3);
	EXPECT_EQ(strlen(buf), strlen(want) - 4);
	EXPECT_EQ(strncmp(buf, want, strlen(want) - 4), 0);
	vfree(p);
}

/* --- vfree gives everything back ------------------------------------------------------- */

/*
 * For sizes from a byte to 1 MiB (the page array above a page is itself
 * vmalloc'ed: 600 pages), vmalloc takes at least its pages, all typed
 * PGTY_VMALLOC, and vfree returns every page; the old address is then
 * unmapped: vmalloc_to_page says NULL and a load faults with a report.
 */
static void vfree_returns_every_page(struct ktest *t)
{
	static const unsigned long sizes[] = {
		1, PAGE_SIZE, 5 * PAGE_SIZE + 1, 600 * PAGE_SIZE, 1ul << 20,
	};
	bool was = vmalloc_set_lazy(false); /* (every page back at vfree; lazy: below) */

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned long n = (sizes[i] + PAGE_SIZE - 1) / PAGE_SIZE, typed = 0;
		struct snapshot before;
		struct vmalloc_stats vs;
		struct trap_expect e;
		char want[64];
		bool caught;
		u8 *p;

		vfree(vmalloc(sizes[i]));
		take_snapshot(&before);
		p = vmalloc(sizes[i]);
		ASSERT(p != NULL);
		vmalloc_get_stats(&vs);
		EXPECT(vs.areas >= before.vs.areas + 1);
		EXPECT(vs.pages >= before.vs.pages + n);
		node_drain_pages(mem_node);
		EXPECT(nr_free_pages() <= before.free - n);
		for (unsigned long j = 0; j < n; j++) {
			struct page *pg = vmalloc_to_page(p + j * PAGE_SIZE);

			typed += pg && page_type(pg) == PGTY_VMALLOC;
		}
		EXPECT_EQ(typed, n);
		fill_sparse(p, n, i);
		EXPECT_EQ(vmalloc_check(), 0);
		vfree(p);
		expect_restored(t, &before);

		EXPECT(vmalloc_to_page(p) == NULL);
		console_capture_begin(out, sizeof(out));
		caught = trap_catch(load_from, p, &e);
		console_capture_end();
		EXPECT(caught);
		EXPECT_EQ(e.stval, (uintptr_t)p);
		ksnprintf(want, sizeof(want), "vmalloc out-of-bounds at 0x%llx (",
			  (unsigned long long)(uintptr_t)p);
		EXPECT_EQ(strncmp(out, want, strlen(want)), 0);
	}
	vmalloc_set_lazy(was);
}

/* --- vzalloc ---------------------------------------------------------------------------- */

/* Dirty pages freed by vfree come back zeroed from vzalloc (the per-hart
 * lists are LIFO: the same pages). The whole area is zero, the unused tail
 * of the last page included. */
#define VZ_PAGES 16

static void vzalloc_zeroes(struct ktest *t)
{
	const unsigned long size = VZ_PAGES * PAGE_SIZE - 200;
	struct page *dirty[VZ_PAGES];
	struct snapshot before;
	unsigned long reused = 0;
	bool was = vmalloc_set_lazy(false); /* (the pages back at vfree, for vzalloc) */
	u8 *p, *z;

	vfree(vmalloc(size));
	take_snapshot(&before);
	p = vmalloc(size);
	ASSERT(p != NULL);
	memset(p, 0xa5, VZ_PAGES * PAGE_SIZE);
	for (int i = 0; i < VZ_PAGES; i++)
		dirty[i] = vmalloc_to_page(p + i * PAGE_SIZE);
	vfree(p);
	z = vzalloc(size);
	ASSERT(z != NULL);
	for (int i = 0; i < VZ_PAGES; i++)
		for (int j = 0; j < VZ_PAGES; j++)
			reused += vmalloc_to_page(z + i * PAGE_SIZE) == dirty[j];
	EXPECT(!memchr_inv(z, 0, VZ_PAGES * PAGE_SIZE));
	EXPECT(reused > 0); /* else the test proved nothing */
	vfree(z);
	vmalloc_set_lazy(was);
	expect_restored(t, &before);
}

/* --- vmap / vunmap ---------------------------------------------------------------------------- */

#define VMAP_N 8

/*
 * Pages from alloc_page, given to vmap in reverse order, are mapped in the
 * order given: page i of the area is pages[i], and both addresses see the
 * same memory. The area has a guard page too. vunmap leaves the pages
 * allocated, untouched, to the caller.
 */
static void vmap_maps_given_pages_in_order(struct ktest *t)
{
	struct page *pg[VMAP_N], *rev[VMAP_N];
	struct snapshot before;
	struct vmalloc_stats vs;
	struct trap_expect e;
	unsigned long bad = 0;
	bool caught;
	u8 *v;

	for (int i = 0; i < VMAP_N; i++) {
		pg[i] = alloc_page(GFP_KERNEL);
		ASSERT(pg[i] != NULL);
	}
	v = vmap(pg, VMAP_N); /* warm up */
	ASSERT(v != NULL);
	vunmap(v);
	take_snapshot(&before);
	for (int i = 0; i < VMAP_N; i++) {
		rev[i] = pg[VMAP_N - 1 - i];
		fill(page_address(pg[i]), PAGE_SIZE, 0x100 + (u64)i);
	}
	v = vmap(rev, VMAP_N);
	ASSERT(v != NULL);
	EXPECT(is_vmalloc_addr(v));
	vmalloc_get_stats(&vs);
	EXPECT_EQ(vs.areas, before.vs.areas + 1);
	EXPECT_EQ(vs.vmap_pages, before.vs.vmap_pages + VMAP_N);
	EXPECT_EQ(vs.pages, before.vs.pages);
	for (int i = 0; i < VMAP_N; i++) {
		u64 *through_v = (u64 *)(v + i * PAGE_SIZE);
		u64 *direct = page_address(rev[i]);

		if (vmalloc_to_page(v + i * PAGE_SIZE) != rev[i] ||
		    *through_v != pattern(0x100 + (u64)(VMAP_N - 1 - i), direct))
			bad++;
		through_v[1] = 0xfeed0000 + (u64)i; /* seen through the direct map */
		bad += direct[1] != 0xfeed0000 + (u64)i;
		direct[1] = pattern(0x100 + (u64)(VMAP_N - 1 - i), &direct[1]);
	}
	EXPECT_EQ(bad, 0);
	console_capture_begin(out, sizeof(out));
	caught = trap_catch(load_from, v + VMAP_N * PAGE_SIZE, &e);
	console_capture_end();
	EXPECT(caught);
	expect_oob_line(t, out, (uintptr_t)v + VMAP_N * PAGE_SIZE, (uintptr_t)v,
			VMAP_N * PAGE_SIZE, vmap_maps_given_pages_in_order);
	EXPECT_EQ(vmalloc_check(), 0);

	vunmap(v);
	EXPECT(vmalloc_to_page(v) == NULL);
	for (int i = 0; i < VMAP_N; i++) {
		EXPECT_EQ(page_count(pg[i]), 1);
		EXPECT(PageHead(pg[i]) && !PageBuddy(pg[i]));
		EXPECT_EQ(page_type(pg[i]), PGTY_NONE);
		EXPECT_EQ(count_bad(page_address(pg[i]), PAGE_SIZE, 0x100 + (u64)i), 0);
	}
	expect_restored(t, &before);
	for (int i = 0; i < VMAP_N; i++)
		__free_pages(pg[i], 0);
}

/* --- kvmalloc ----------------------------------------------------------------------------------- */

/*
 * Up to a page kvmalloc is kmalloc; above, kmalloc while contiguous pages
 * exist (64 KiB on an unfragmented machine), vmalloc beyond kmalloc's
 * largest (8 MiB, quietly, __GFP_ZERO honoured). kvfree frees each.
 */
static void kvmalloc_small_and_big(struct ktest *t)
{
	struct snapshot before;
	u8 *small, *page, *mid, *big;
	unsigned long nonzero = 0;
	struct page *sp;

	KTEST_NEEDS_RAM(24); /* a 4 MiB kmalloc and a bigger vmalloc */

	kvfree(kvmalloc(100, GFP_KERNEL));
	kvfree(kvmalloc(PAGE_SIZE, GFP_KERNEL));
	kvfree(kvmalloc(64 << 10, GFP_KERNEL));
	kvfree(kvmalloc(8ul << 20, GFP_KERNEL | __GFP_ZERO));
	take_snapshot(&before);

	small = kvmalloc(100, GFP_KERNEL);
	page = kvmalloc(PAGE_SIZE, GFP_KERNEL);
	mid = kvmalloc(64 << 10, GFP_KERNEL);
	console_capture_begin(out, sizeof(out));
	big = kvmalloc(8ul << 20, GFP_KERNEL | __GFP_ZERO);
	console_capture_end();
	EXPECT_STREQ(out, "");
	ASSERT(small && page && mid && big);

	EXPECT(!is_vmalloc_addr(small));
	sp = virt_to_page(small);
	EXPECT(sp != NULL && (page_type(sp) == PGTY_SLAB || page_type(sp) == PGTY_SLOB));
	EXPECT(ksize(small) >= 100);
	EXPECT(!is_vmalloc_addr(page));
	EXPECT(ksize(page) >= PAGE_SIZE);
	EXPECT(!is_vmalloc_addr(mid)); /* contiguous pages exist */
	EXPECT(ksize(mid) >= 64 << 10);
	EXPECT(is_vmalloc_addr(big));
	for (unsigned long i = 0; i < (8ul << 20); i += 8)
		nonzero += *(u64 *)(big + i) != 0;
	EXPECT_EQ(nonzero, 0);
	fill(small, 96, 1);
	fill(page, PAGE_SIZE, 2);
	fill(mid, 64 << 10, 3);
	fill_sparse(big, 2048, 4);
	EXPECT_EQ(count_bad(small, 96, 1) + count_bad(page, PAGE_SIZE, 2) +
			  count_bad(mid, 64 << 10, 3) + count_bad_sparse(big, 2048, 4),
		  0);
	console_capture_begin(out, sizeof(out));
	kvfree(small);
	kvfree(page);
	kvfree(mid);
	kvfree(big);
	console_capture_end();
	EXPECT_STREQ(out, "");
	expect_restored(t, &before);
}

/* --- bad frees ---------------------------------------------------------------------------------- */

/* Run @free(@arg) and expect exactly the one report line @want, with the
 * areas, the pages and the memory they hold unchanged. */
static void expect_bad_free(struct ktest *t, void (*free_fn)(const void *), const void *arg,
			    const char *want, u8 *area, unsigned long area_pages, u64 tag)
{
	struct snapshot before, now;

	take_snapshot(&before);
	console_capture_begin(out, sizeof(out));
	free_fn(arg);
	console_capture_end();
	EXPECT_STREQ(out, want);
	take_snapshot(&now);
	EXPECT_EQ(now.free, before.free);
	EXPECT_EQ(now.vs.areas, before.vs.areas);
	EXPECT_EQ(now.vs.pages, before.vs.pages);
	EXPECT_EQ(now.vs.vmap_pages, before.vs.vmap_pages);
	EXPECT_EQ(count_bad(area, area_pages * PAGE_SIZE, tag), 0);
	EXPECT_EQ(vmalloc_check(), 0);
}

static void bad_free_line(char *buf, size_t size, const char *fn, const void *p)
{
	if (strcmp(fn, "vfree") == 0)
		ksnprintf(buf, size,
			  "vfree: %p: not the start of a vmalloc area (never allocated, or freed twice)\n",
			  p);
	else
		ksnprintf(buf, size, "vunmap: %p: not the start of a vmap area\n", p);
}

/*
 * vfree of a pointer inside an area, of kmalloc memory, of an unused
 * vmalloc address, of a vmap area, and a second vfree; vunmap of a vmalloc
 * area: each is reported in one line and changes nothing.
 */
static void bad_vfree_reported_and_harmless(struct ktest *t)
{
	struct snapshot before;
	struct page *pg[2];
	char want[160];
	u8 *p, *v, *k;
	const void *unused;

	pg[0] = alloc_page(GFP_KERNEL);
	pg[1] = alloc_page(GFP_KERNEL);
	ASSERT(pg[0] && pg[1]);
	vunmap(vmap(pg, 2));
	vfree(vmalloc(3 * PAGE_SIZE));
	kfree(kmalloc(200, GFP_KERNEL));
	take_snapshot(&before);
	p = vmalloc(3 * PAGE_SIZE);
	k = kmalloc(200, GFP_KERNEL);
	v = vmap(pg, 2);
	ASSERT(p && k && v);
	fill(p, 3 * PAGE_SIZE, 7);
	fill(v, 2 * PAGE_SIZE, 8);
	fill(k, 200, 9);

	bad_free_line(want, sizeof(want), "vfree", p + PAGE_SIZE);
	expect_bad_free(t, vfree, p + PAGE_SIZE, want, p, 3, 7);
	bad_free_line(want, sizeof(want), "vfree", p + 8);
	expect_bad_free(t, vfree, p + 8, want, p, 3, 7);
	bad_free_line(want, sizeof(want), "vfree", k);
	expect_bad_free(t, vfree, k, want, p, 3, 7);
	EXPECT_EQ(count_bad(k, 200, 9), 0);
	unused = (const void *)(uintptr_t)(VMALLOC_END - 16 * PAGE_SIZE);
	bad_free_line(want, sizeof(want), "vfree", unused);
	expect_bad_free(t, vfree, unused, want, p, 3, 7);
	bad_free_line(want, sizeof(want), "vfree", v);
	expect_bad_free(t, vfree, v, want, v, 2, 8);
	EXPECT(vmalloc_to_page(v) == pg[0]);
	bad_free_line(want, sizeof(want), "vunmap", p);
	expect_bad_free(t, vunmap, p, want, p, 3, 7);
	EXPECT(vmalloc_to_page(p) != NULL);

	vfree(p);
	bad_free_line(want, sizeof(want), "vfree", p);
	expect_bad_free(t, vfree, p, want, v, 2, 8); /* the second vfree */
	vunmap(v);
	bad_free_line(want, sizeof(want), "vunmap", v);
	console_capture_begin(out, sizeof(out));
	vunmap(v);
	console_capture_end();
	EXPECT_STREQ(out, want);
	kfree(k);
	expect_restored(t, &before);
	__free_pages(pg[0], 0);
	__free_pages(pg[1], 0);
}

/* --- vmallocinfo ---------------------------------------------------------------------------------- */

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static u64 parse_num(const char **s, int base)
{
	u64 v = 0;

	for (; **s; (*s)++) {
		char c = **s;
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else
			break;
		v = v * (u64)base + d;
	}
	return v;
}

/*
 * One vmallocinfo line: "0x%016llx-0x%016llx %7llu CALLER pages=N
 * vmalloc|vmap", SIZE = END - START = (N + 1) pages (the guard included).
 * Returns NULL if it is out of layout, else the start of the next line.
 */
static const char *parse_line(const char *s, u64 *start, u64 *end, bool *is_vmap)
{
	u64 size, pages;
	const char *e;
	int width;

	if (strncmp(s, "0x", 2) != 0)
		return NULL;
	s += 2;
	for (int i = 0; i < 16; i++)
		if (!is_hex(s[i]))
			return NULL;
	*start = parse_num(&s, 16);
	if (strncmp(s, "-0x", 3) != 0)
		return NULL;
	s += 3;
	for (int i = 0; i < 16; i++)
		if (!is_hex(s[i]))
			return NULL;
	*end = parse_num(&s, 16);
	if (*s++ != ' ')
		return NULL;
	for (width = 0; s[width] == ' '; width++)
		;
	e = s + width;
	size = parse_num(&e, 10);
	if (e - s < 7 || (e - s > 7 && width > 0) || *e++ != ' ')
		return NULL;
	s = e;
	while (*s && *s != ' ' && *s != '\n') /* the caller */
		s++;
	if (strncmp(s, " pages=", 7) != 0)
		return NULL;
	s += 7;
	pages = parse_num(&s, 10);
	if (strncmp(s, " vmalloc\n", 9) == 0) {
		*is_vmap = false;
		s += 9;
	} else if (strncmp(s, " vmap\n", 6) == 0) {
		*is_vmap = true;
		s += 6;
	} else {
		return NULL;
	}
	if (size != *end - *start || size != (pages + 1) * PAGE_SIZE)
		return NULL;
	return s;
}

static void vmallocinfo_lines(struct ktest *t)
{
	struct snapshot before;
	struct vmalloc_stats vs;
	struct page *pg[2];
	char caller[64], line[160];
	const char *s;
	u64 prev_end = VMALLOC_START, start, end;
	unsigned long lines = 0, vmalloc_lines = 0, vmap_lines = 0;
	bool is_vmap;
	u8 *p, *v;

	pg[0] = alloc_page(GFP_KERNEL);
	pg[1] = alloc_page(GFP_KERNEL);
	ASSERT(pg[0] && pg[1]);
	vunmap(vmap(pg, 2));
	vfree(vmalloc(3 * PAGE_SIZE - 5));
	take_snapshot(&before);
	p = vmalloc(3 * PAGE_SIZE - 5);
	v = vmap(pg, 2);
	ASSERT(p && v);
	vmalloc_get_stats(&vs);
	console_capture_begin(out, sizeof(out));
	show_vmallocinfo();
	console_capture_end();

	for (s = out; *s;) {
		const char *next = parse_line(s, &start, &end, &is_vmap);

		if (!next) {
			ktest_fail(t, __FILE__, __LINE__, "line %lu out of layout: \"%.90s\"", lines + 1, s);
			break;
		}
		if (start < prev_end)
			ktest_fail(t, __FILE__, __LINE__, "line %lu: 0x%llx is below the previous end",
				   lines + 1, (unsigned long long)start);
		prev_end = end;
		lines++;
		vmalloc_lines += !is_vmap;
		vmap_lines += is_vmap;
		s = next;
	}
	EXPECT_EQ(lines, vs.areas);
	EXPECT(vmalloc_lines >= 1);
	EXPECT(vmap_lines >= 1);

	caller_of((uintptr_t)p, caller, sizeof(caller));
	EXPECT_EQ(strncmp(caller, name_of(vmallocinfo_lines), strlen(name_of(vmallocinfo_lines))), 0);
	ksnprintf(line, sizeof(line), "0x%016llx-0x%016llx   16384 %s pages=3 vmalloc\n",
		  (unsigned long long)(uintptr_t)p, (unsigned long long)(uintptr_t)p + 0x4000, caller);
	if (!strstr(out, line))
		ktest_fail(t, __FILE__, __LINE__, "no line \"%s\" in:\n%s", line, out);
	caller_of((uintptr_t)v, caller, sizeof(caller));
	ksnprintf(line, sizeof(line), "0x%016llx-0x%016llx   12288 %s pages=2 vmap\n",
		  (unsigned long long)(uintptr_t)v, (unsigned long long)(uintptr_t)v + 0x3000, caller);
	if (!strstr(out, line))
		ktest_fail(t, __FILE__, __LINE__, "no line \"%s\" in:\n%s", line, out);
	vfree(p);
	vunmap(v);
	expect_restored(t, &before);
	__free_pages(pg[0], 0);
	__free_pages(pg[1], 0);
}

/* meminfo has Linux's vmalloc lines: VmallocTotal the range (64 GiB),
 * VmallocUsed the pages vmalloc areas own (a vmap area's pages are its
 * caller's: not counted), VmallocChunk 0, as Linux prints it. */
static void meminfo_vmalloc_lines(struct ktest *t)
{
	struct vmalloc_stats vs;
	struct page *pg[2];
	u8 *p, *v;

	pg[0] = alloc_page(GFP_KERNEL);
	pg[1] = alloc_page(GFP_KERNEL);
	ASSERT(pg[0] && pg[1]);
	p = vmalloc(3 * PAGE_SIZE);
	v = vmap(pg, 2);
	ASSERT(p && v);
	vmalloc_get_stats(&vs);
	console_capture_begin(out, sizeof(out));
	show_meminfo(mem_node);
	console_capture_end();
	vfree(p);
	vunmap(v);
	__free_pages(pg[0], 0);
	__free_pages(pg[1], 0);
	EXPECT(vs.pages >= 3);
	EXPECT(vs.vmap_pages >= 2);
	EXPECT_EQ(meminfo_kb(out, "VmallocTotal"), (VMALLOC_END - VMALLOC_START) >> 10);
	EXPECT_EQ(meminfo_kb(out, "VmallocUsed"), vs.pages * 4);
	EXPECT_EQ(meminfo_kb(out, "VmallocChunk"), 0);
}

/* --- many areas ------------------------------------------------------------------------------------ */

#define NR_MANY 500

struct many_slot {
	u8 *p;
	unsigned int pages;
	u64 tag;
};

static struct many_slot many[NR_MANY];

/* Mostly 1-16 pages; every 100th 520-600 (its page array is an area too). */
static unsigned int many_pages(u64 x, unsigned int i)
{
	return i % 100 == 99 ? 520 + (unsigned int)(x % 81) : 1 + (unsigned int)(x % 16);
}

static unsigned long many_free(struct many_slot *m)
{
	unsigned long bad = count_bad_sparse(m->p, m->pages, m->tag);

	vfree(m->p);
	m->p = NULL;
	return bad;
}

/*
 * 500 areas of random sizes, allocated and freed in random order (2500
 * steps, then the rest freed in random order): the tree stays consistent
 * (vmalloc_check every 50 steps), no area's memory is disturbed by the
 * others, and everything but new page tables comes back.
 */
static void many_areas_keep_the_tree_consistent(struct ktest *t)
{
	struct snapshot before;
	u64 rng = 0x5eed;
	unsigned long bad = 0, fails = 0, allocs = 0, check_problems = 0;
	unsigned int live = 0, max_live = 0;

	KTEST_NEEDS_RAM(24); /* hundreds of areas live at once */

	/* The areas' page arrays come from kmalloc: make every kmalloc-N cache
	 * (and this hart's magazine) first, since a cache's descriptor, depot
	 * and magazines stay once made. */
	for (int i = 0; i < KMALLOC_NR_CACHES; i++)
		kfree(kmalloc(kmalloc_sizes[i], GFP_KERNEL));
	shrink_all_caches();
	take_snapshot(&before);
	for (int step = 0; step < 2500; step++) {
		u64 x = rng_next(&rng);
		unsigned int i = (unsigned int)(x % NR_MANY);
		struct many_slot *m = &many[i];

		if (m->p && (x >> 32) % 3 == 0) {
			bad += many_free(m);
			live--;
		} else if (!m->p) {
			m->pages = many_pages(x >> 16, i);
			m->tag = x;
			m->p = vmalloc(m->pages * PAGE_SIZE);
			if (!m->p) {
				fails++;
				continue;
			}
			fill_sparse(m->p, m->pages, m->tag);
			allocs++;
			live++;
			max_live = MAX(max_live, live);
		}
		if (step % 50 == 49)
			check_problems += vmalloc_check() != 0;
	}
	/* The rest, in random order. */
	while (live) {
		unsigned int i = (unsigned int)(rng_next(&rng) % NR_MANY);

		for (unsigned int k = 0; k < NR_MANY; k++) {
			struct many_slot *m = &many[(i + k) % NR_MANY];

			if (m->p) {
				bad += many_free(m);
				live--;
				break;
			}
		}
		if (live % 50 == 0)
			check_problems += vmalloc_check() != 0;
	}
	shrink_all_caches();
	EXPECT_EQ(fails, 0);
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(check_problems, 0);
	EXPECT(allocs > NR_MANY);
	EXPECT(max_live > NR_MANY / 2);
	expect_restored_but_tables(t, &before);
}

/* --- all harts ------------------------------------------------------------------------------------- */

/* Few rounds: every vfree is an SBI remote fence to each other hart, which
 * QEMU serves slowly when the host has fewer cores than harts. */
#define HART_ROUNDS 24
#define HART_SLOTS 6

struct hart_vm {
	unsigned long allocs, frees, errors, fails;
	struct many_slot slot[HART_SLOTS]; /* handed to the next hart at the end */
} __aligned(64);

static struct hart_vm hart_vm[MAX_HARTS];

static void hart_vmalloc_stress(void *arg)
{
	unsigned int cpu = this_cpu();
	struct hart_vm *h = &hart_vm[cpu];
	u64 rng = 0xabcdef + cpu;

	(void)arg;
	for (int round = 0; round < HART_ROUNDS; round++) {
		u64 x = rng_next(&rng);
		struct many_slot *m = &h->slot[x % HART_SLOTS];

		if (m->p) {
			h->errors += count_bad(m->p, m->pages * PAGE_SIZE, m->tag);
			vfree(m->p);
			m->p = NULL;
			h->frees++;
		} else {
			m->pages = 1 + (unsigned int)((x >> 8) % 6);
			m->tag = x ^ cpu;
			m->p = vmalloc(m->pages * PAGE_SIZE);
			if (!m->p) {
				h->fails++;
				continue;
			}
			fill(m->p, m->pages * PAGE_SIZE, m->tag);
			h->allocs++;
		}
	}
	/* Leave every slot full for the next hart. */
	for (int s = 0; s < HART_SLOTS; s++) {
		struct many_slot *m = &h->slot[s];

		if (m->p)
			continue;
		m->pages = 1 + (unsigned int)s;
		m->tag = rng_next(&rng);
		m->p = vmalloc(m->pages * PAGE_SIZE);
		if (!m->p) {
			h->fails++;
			continue;
		}
		fill(m->p, m->pages * PAGE_SIZE, m->tag);
		h->allocs++;
	}
}

/* Every size once on this hart: its slab magazines exist afterwards. */
static void hart_warm_up(void *arg)
{
	(void)arg;
	for (unsigned long pages = 1; pages <= HART_SLOTS; pages++)
		vfree(vmalloc(pages * PAGE_SIZE));
}

/* Free the areas the previous hart left (made on another hart). */
static void hart_free_neighbours(void *arg)
{
	unsigned int cpu = this_cpu();
	struct hart_vm *from = &hart_vm[(cpu + nr_harts - 1) % nr_harts];
	struct hart_vm *h = &hart_vm[cpu];

	(void)arg;
	for (int s = 0; s < HART_SLOTS; s++) {
		struct many_slot *m = &from->slot[s];

		if (!m->p)
			continue;
		h->errors += count_bad(m->p, m->pages * PAGE_SIZE, m->tag);
		vfree(m->p);
		m->p = NULL;
		h->frees++;
	}
}

/*
 * Every hart allocates, writes, checks and frees areas at once, then each
 * frees the areas another hart made. Nothing is lost or disturbed.
 */
static void all_harts_vmalloc_and_vfree(struct ktest *t)
{
	struct snapshot before;
	unsigned long allocs = 0, frees = 0;

	on_each_hart(hart_warm_up, NULL); /* every hart's magazines exist */
	shrink_all_caches();
	take_snapshot(&before);
	memset(hart_vm, 0, sizeof(hart_vm));
	on_each_hart(hart_vmalloc_stress, NULL);
	EXPECT_EQ(vmalloc_check(), 0);
	on_each_hart(hart_free_neighbours, NULL);
	shrink_all_caches();
	for (unsigned int cpu = 0; cpu < nr_harts; cpu++) {
		struct hart_vm *h = &hart_vm[cpu];

		allocs += h->allocs;
		frees += h->frees;
		if (h->errors || h->fails)
			ktest_fail(t, __FILE__, __LINE__, "cpu %u: %lu words disturbed, %lu failures",
				   cpu, h->errors, h->fails);
		EXPECT(h->allocs > HART_ROUNDS / 4);
	}
	EXPECT_EQ(frees, allocs);
	expect_restored_but_tables(t, &before);
}

/*
 * The TLB shootdown: hart B reads an area (its TLB now holds the
 * translation), hart A vfrees it, then B reads it again: that must fault
 * (load page fault at the address, reported as out-of-bounds). Both ways:
 * A = the boot hart, and A = each other hart with B = the boot hart.
 */
struct probe {
	u8 *p;
	u64 value;
	bool caught;
	struct trap_expect e;
	char out[256];
};

static void probe_touch(void *arg)
{
	struct probe *pr = arg;

	pr->value = *(volatile u64 *)pr->p;
}

static void probe_fault(void *arg)
{
	struct probe *pr = arg;

	console_capture_begin(pr->out, sizeof(pr->out));
	pr->caught = trap_catch(load_from, pr->p, &pr->e);
	console_capture_end();
}

static void probe_alloc(void *arg)
{
	struct probe *pr = arg;

	pr->p = vmalloc(PAGE_SIZE);
	if (pr->p)
		*(u64 *)pr->p = 0x600d600d;
}

static void probe_free(void *arg)
{
	vfree(((struct probe *)arg)->p);
}

static void expect_probe_faulted(struct ktest *t, struct probe *pr, unsigned int a, unsigned int b)
{
	char want[64];

	ksnprintf(want, sizeof(want), "vmalloc out-of-bounds at 0x%llx (",
		  (unsigned long long)(uintptr_t)pr->p);
	if (pr->value != 0x600d600d)
		ktest_fail(t, __FILE__, __LINE__, "cpu %u read 0x%llx, not what cpu %u wrote", b,
			   (unsigned long long)pr->value, a);
	if (!pr->caught) {
		ktest_fail(t, __FILE__, __LINE__,
			   "cpu %u still reads %p after cpu %u freed it (stale TLB entry)", b, pr->p, a);
		return;
	}
	EXPECT_EQ(pr->e.scause, EXC_LOAD_PAGE_FAULT);
	EXPECT_EQ(pr->e.stval, (uintptr_t)pr->p);
	EXPECT_EQ(strncmp(pr->out, want, strlen(want)), 0);
}

static void vfree_on_one_hart_unmaps_on_all(struct ktest *t)
{
	struct snapshot before;
	struct probe pr;
	bool was;

	if (nr_harts < 2) {
		note(t, "one hart: nothing to test");
		return;
	}
	was = vmalloc_set_lazy(false); /* (lazy: the next case) */
	on_each_hart(hart_warm_up, NULL);
	take_snapshot(&before);
	for (unsigned int b = 1; b < nr_harts; b++) {
		/* A = the boot hart (cpu 0) frees, B reads. */
		memset(&pr, 0, sizeof(pr));
		probe_alloc(&pr);
		ASSERT(pr.p != NULL);
		on_hart(b, probe_touch, &pr);
		vfree(pr.p);
		on_hart(b, probe_fault, &pr);
		expect_probe_faulted(t, &pr, 0, b);

		/* A = cpu b allocates and frees, the boot hart reads. */
		memset(&pr, 0, sizeof(pr));
		on_hart(b, probe_alloc, &pr);
		ASSERT(pr.p != NULL);
		probe_touch(&pr);
		on_hart(b, probe_free, &pr);
		probe_fault(&pr);
		expect_probe_faulted(t, &pr, b, 0);
	}
	vmalloc_set_lazy(was);
	expect_restored(t, &before);
}

/* A load of pr->p into pr->value that leaves 0 there when it faults. */
static void load_value(void *arg)
{
	struct probe *pr = arg;
	u64 v = 0;

	__asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(pr->p) : "memory");
	pr->value = v;
}

static void probe_read(void *arg)
{
	struct probe *pr = arg;

	pr->value = 0;
	console_capture_begin(pr->out, sizeof(pr->out));
	pr->caught = trap_catch(load_value, pr, &pr->e);
	console_capture_end();
}

static void expect_lazy(struct ktest *t, unsigned long areas, unsigned long pages)
{
	struct vmalloc_stats vs;

	vmalloc_get_stats(&vs);
	EXPECT_EQ(vs.lazy_areas, areas);
	EXPECT_EQ(vs.lazy_pages, pages);
	EXPECT_EQ(vmalloc_check(), 0);
}

/*
 * Lazy vfree (mm/vmalloc.c), with more than one hart: a vfree'd area
 * waits, unmapped, its page still its own (not among the free pages), as
 * an "unpurged vm_area" in vmallocinfo and a vfree'd area for whatis; a
 * second vfree is reported; the freeing hart faults on it at once ("use
 * after vfree"); a hart that read it before reads its own bytes (a stale
 * translation) or faults, never other memory; after vmalloc_purge the page
 * is free and that hart faults too ("out-of-bounds": no area). The 32nd
 * waiting area purges them all in one purge; reclaim purges (the
 * shrinker); vmalloc_lazy off purges and makes vfree eager. On one hart
 * vfree is eager.
 */
static void lazy_vfree_waits_then_purges(struct ktest *t)
{
	struct vmalloc_stats vs0, vs;
	struct snapshot before;
	unsigned long free0;
	struct probe pr;
	char want[80];
	void *p[32];
	bool was = vmalloc_set_lazy(true);

	vmalloc_purge();
	vfree(vmalloc(PAGE_SIZE));
	if (nr_harts < 2) {
		expect_lazy(t, 0, 0); /* one hart: eager */
		vmalloc_set_lazy(was);
		return;
	}
	on_each_hart(hart_warm_up, NULL);
	vmalloc_purge();
	take_snapshot(&before);
	vmalloc_get_stats(&vs0);
	memset(&pr, 0, sizeof(pr));
	probe_alloc(&pr);
	ASSERT(pr.p != NULL);
	on_hart(1, probe_touch, &pr); /* hart 1 holds a translation now */
	node_drain_pages(mem_node);
	free0 = nr_free_pages();
	vfree(pr.p);
	expect_lazy(t, 1, 1);
	vmalloc_get_stats(&vs);
	EXPECT_EQ(vs.areas, vs0.areas);
	node_drain_pages(mem_node);
	EXPECT_EQ(nr_free_pages(), free0); /* the page waits with its area */

	console_capture_begin(out, sizeof(out));
	show_vmallocinfo();
	vmalloc_whatis((u64)(uintptr_t)pr.p);
	vfree(pr.p); /* a second time */
	console_capture_end();
	EXPECT(strstr(out, " unpurged vm_area\n") != NULL);
	EXPECT(strstr(out, "vfree'd vmalloc (awaiting its TLB purge") != NULL);
	EXPECT(strstr(out, "vfree: ") && strstr(out, "not the start of a vmalloc area"));
	expect_lazy(t, 1, 1);

	probe_read(&pr); /* the freeing hart */
	ksnprintf(want, sizeof(want), "vmalloc use after vfree at 0x%llx (",
		  (unsigned long long)(uintptr_t)pr.p);
	EXPECT(pr.caught && pr.e.scause == EXC_LOAD_PAGE_FAULT);
	EXPECT_EQ(strncmp(pr.out, want, strlen(want)), 0);
	on_hart(1, probe_read, &pr); /* stale or faulting, never another's memory */
	EXPECT(pr.caught ? strncmp(pr.out, want, strlen(want)) == 0 : pr.value == 0x600d600d);

	EXPECT_EQ(vmalloc_purge(), 1);
	expect_lazy(t, 0, 0);
	vmalloc_get_stats(&vs);
	EXPECT_EQ(vs.purges, vs0.purges + 1);
	node_drain_pages(mem_node);
	EXPECT_EQ(nr_free_pages(), free0 + 1);
	on_hart(1, probe_read, &pr);
	ksnprintf(want, sizeof(want), "vmalloc out-of-bounds at 0x%llx (",
		  (unsigned long long)(uintptr_t)pr.p);
	EXPECT(pr.caught && pr.e.stval == (uintptr_t)pr.p);
	EXPECT_EQ(strncmp(pr.out, want, strlen(want)), 0);

	for (int i = 0; i < 32; i++) {
		p[i] = vmalloc(PAGE_SIZE);
		ASSERT(p[i] != NULL);
	}
	for (int i = 0; i < 31; i++)
		vfree(p[i]);
	expect_lazy(t, 31, 31);
	vfree(p[31]); /* the 32nd: one purge of them all */
	expect_lazy(t, 0, 0);
	vmalloc_get_stats(&vs);
	EXPECT_EQ(vs.purges, vs0.purges + 2);

	vfree(vmalloc(3 * PAGE_SIZE));
	expect_lazy(t, 1, 3);
	run_shrinkers(GFP_KERNEL); /* reclaim purges */
	expect_lazy(t, 0, 0);

	vfree(vmalloc(PAGE_SIZE));
	expect_lazy(t, 1, 1);
	vmalloc_set_lazy(false); /* purges what waits; vfree eager */
	expect_lazy(t, 0, 0);
	vfree(vmalloc(PAGE_SIZE));
	expect_lazy(t, 0, 0);
	vmalloc_set_lazy(was);
	expect_restored(t, &before);
}

/* --- out of memory ---------------------------------------------------------------------------------- */

/* More than all free memory: NULL, and every page taken on the way back. */
static void too_big_fails_and_gives_back(struct ktest *t)
{
	struct snapshot before;
	unsigned long want;
	void *p;

	if (mem_node->node_present_pages > (1ul << (30 - PAGE_SHIFT))) {
		note(t, "more than 1 GiB of RAM: skipped (it would take seconds)");
		return;
	}
	take_snapshot(&before);
	want = (before.free + 1024) * PAGE_SIZE;
	/* Warm up: an area the size of the page array (vmalloc'ed itself). */
	vfree(vmalloc(want / PAGE_SIZE * sizeof(struct page *)));
	take_snapshot(&before);
	p = vmalloc(want);
	EXPECT(p == NULL);
	if (p)
		vfree(p);
	expect_restored(t, &before);
}

/*
 * Linux's helpers: vmalloc_32 takes every page below 4 GiB (on 8 GiB plain
 * vmalloc's come from ZONE_NORMAL above it); vcalloc, kvzalloc and
 * kvcalloc give zeroed memory and NULL for an overflowing count, as does
 * kvmalloc_array; kvrealloc keeps a block that already holds the new size
 * and moves a grown one (to vmalloc beyond KMALLOC_MAX_SIZE) with its
 * bytes. Skipped below 32 MiB of RAM.
 */
static void linux_helpers(struct ktest *t)
{
	const unsigned long n32 = 5 * PAGE_SIZE + 1;
	u8 *p, *q;

	KTEST_NEEDS_RAM(32); /* buffers of up to 6 MiB, a kvrealloc past 4 MiB */
	p = vmalloc_32(n32);
	ASSERT(p != NULL);
	EXPECT(is_vmalloc_addr(p));
	for (unsigned long off = 0; off < n32; off += PAGE_SIZE) {
		struct page *pg = vmalloc_to_page(p + off);

		ASSERT(pg != NULL);
		EXPECT(PFN_PHYS(page_to_pfn(pg)) + PAGE_SIZE <= 1ull << 32);
	}
	memset(p, 0x33, n32);
	vfree(p);

	EXPECT(vcalloc(SIZE_MAX / 2 + 1, 2) == NULL);
	p = vcalloc(1000, 40);
	ASSERT(p != NULL);
	EXPECT(is_vmalloc_addr(p));
	EXPECT(!memchr_inv(p, 0, 40000));
	vfree(p);

	EXPECT(kvmalloc_array(SIZE_MAX / 8 + 1, 8, GFP_KERNEL) == NULL);
	EXPECT(kvcalloc(SIZE_MAX / 8 + 1, 8, GFP_KERNEL) == NULL);
	for (unsigned long size = 100; size <= (8ul << 20); size *= 9) {
		p = kvzalloc(size, GFP_KERNEL);
		ASSERT(p != NULL);
		EXPECT(!memchr_inv(p, 0, size));
		memset(p, 0x44, size);
		kvfree(p);
		p = kvcalloc(size / 8, 8, GFP_KERNEL);
		ASSERT(p != NULL);
		EXPECT(!memchr_inv(p, 0, size / 8 * 8));
		memset(p, 0x55, size / 8 * 8);
		kvfree(p);
	}
	p = kvmalloc_array(1000, 8, GFP_KERNEL);
	ASSERT(p != NULL);
	kvfree(p);
	/* GFP_DMA32 holds whichever way kvzalloc goes (kmalloc's zone cache,
	 * or vmalloc's pages). */
	for (unsigned long size = 1000; size <= (6ul << 20); size *= 40) {
		p = kvzalloc(size, GFP_KERNEL | GFP_DMA32);
		ASSERT(p != NULL);
		for (unsigned long off = 0; off < size; off += PAGE_SIZE) {
			u64 pa = is_vmalloc_addr(p) ? PFN_PHYS(page_to_pfn(vmalloc_to_page(p + off)))
						    : virt_to_phys(p + off);

			EXPECT(pa < 1ull << 32);
		}
		EXPECT(!memchr_inv(p, 0, size));
		kvfree(p);
	}

	p = kvmalloc(100, GFP_KERNEL);
	ASSERT(p != NULL);
	for (int i = 0; i < 100; i++)
		p[i] = (u8)(i * 7);
	EXPECT(kvrealloc(p, 100, 60, GFP_KERNEL) == p);
	q = kvrealloc(p, 100, KMALLOC_MAX_SIZE + PAGE_SIZE, GFP_KERNEL);
	ASSERT(q != NULL);
	EXPECT(is_vmalloc_addr(q));
	for (int i = 0; i < 100; i++)
		if (q[i] != (u8)(i * 7)) {
			ktest_fail(t, __FILE__, __LINE__, "byte %d not kept by kvrealloc", i);
			break;
		}
	kvfree(q);
	p = kvrealloc(NULL, 0, 300, GFP_KERNEL);
	ASSERT(p != NULL);
	kvfree(p);
}

KTEST_SUITE(vmalloc,
	KTEST_CASE(sizes_zero_huge_and_tiny),
	KTEST_CASE(big_area_virtually_contiguous),
	KTEST_CASE(fragmented_kmalloc_fails_vmalloc_works),
	KTEST_CASE(guard_page_hit_reported),
	KTEST_CASE(describe_text),
	KTEST_CASE(vfree_returns_every_page),
	KTEST_CASE(vzalloc_zeroes),
	KTEST_CASE(vmap_maps_given_pages_in_order),
	KTEST_CASE(kvmalloc_small_and_big),
	KTEST_CASE(linux_helpers),
	KTEST_CASE(bad_vfree_reported_and_harmless),
	KTEST_CASE(vmallocinfo_lines),
	KTEST_CASE(meminfo_vmalloc_lines),
	KTEST_CASE(many_areas_keep_the_tree_consistent),
	KTEST_CASE(all_harts_vmalloc_and_vfree),
	KTEST_CASE(vfree_on_one_hart_unmaps_on_all),
	KTEST_CASE(lazy_vfree_waits_then_purges),
	KTEST_CASE(too_big_fails_and_gives_back));
