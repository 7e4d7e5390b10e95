/*
 * mm_report_test.c - the memory map and the reports, checked against
 * independent counts: struct pages and sections, the boot "Memory:" line,
 * and buddyinfo / zoneinfo / meminfo parsed back from the console capture
 * (field by field, in Linux's layouts) and compared with the zones; and
 * mm_check (the mmcheck command) clean, and catching one planted fault in
 * each kind of allocator it walks.
 */
#include <boot/boot.h>
#include <drivers/console.h>
#include <lib/kstring.h>
#include <tests/ktest.h>
#include "ram_floor.h"
#include <mm/memblock.h>
#include <mm/mm_init.h>
#include <mm/mm_report.h>
#include <mm/mmzone.h>
#include <mm/reclaim.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include <shell/shell.h>

#define PFN_4G PHYS_PFN(1ull << 32)

static char out[8192], out2[8192];

static struct zone *zone(unsigned int zi)
{
	return &mem_node->zones[zi];
}

/* --- the memory map --------------------------------------------------------- */

static void struct_page_is_32_bytes(struct ktest *t)
{
	EXPECT_EQ(sizeof(struct page), 32);
}

/* Whole pages of memblock's RAM (a partial page at a range's end is not RAM
 * the page allocator can use). */
static unsigned long whole_ram_pages(const struct memblock *mb)
{
	unsigned long n = 0;

	for (int i = 0; i < mb->memory.cnt; i++) {
		const struct memblock_region *r = &mb->memory.regions[i];
		u64 s = ALIGN_UP(r->base, PAGE_SIZE), e = ALIGN_DOWN(r->base + r->size, PAGE_SIZE);

		if (s < e)
			n += (unsigned long)((e - s) >> PAGE_SHIFT);
	}
	return n;
}

/* Sections hold struct pages only from their first to their last page of
 * RAM: with one bank (QEMU virt, sifive_u) memmap == present pages. */
static void memmap_covers_exactly_the_ram(struct ktest *t)
{
	unsigned long sum = 0;

	for (unsigned long i = 0; i < mem_node->nr_sections; i++) {
		const struct mem_section *ms = &mem_node->sections[i];
		unsigned long n = ms->end_pfn - ms->start_pfn;
		unsigned long base = mem_node->section_base_pfn + i * PAGES_PER_SECTION;

		sum += n;
		if (!n)
			continue;
		EXPECT(ms->start_pfn >= base && ms->end_pfn <= base + PAGES_PER_SECTION);
		/* The first and last page of each section's range are RAM. */
		EXPECT(memblock_is_memory(&memblock, PFN_PHYS(ms->start_pfn)));
		EXPECT(memblock_is_memory(&memblock, PFN_PHYS(ms->end_pfn - 1)));
		/* The struct pages live in reserved RAM. */
		{
			const struct page *first = node_pfn_to_page(mem_node, ms->start_pfn);
			const struct page *last = node_pfn_to_page(mem_node, ms->end_pfn - 1);
			struct page *fp = virt_to_page(first), *lp = virt_to_page(last);

			EXPECT(fp && PageReserved(fp) && lp && PageReserved(lp));
			EXPECT(memblock_is_reserved(&memblock, virt_to_phys(first)));
			EXPECT(memblock_is_reserved(&memblock, virt_to_phys(last + 1) - 1));
		}
	}
	EXPECT_EQ(mem_node->memmap_pages, sum);
	EXPECT(mem_node->memmap_pages >= mem_node->node_present_pages);
	EXPECT_EQ(mem_node->node_present_pages, whole_ram_pages(&memblock));
	if (memblock.memory.cnt == 1)
		EXPECT_EQ(mem_node->memmap_pages, mem_node->node_present_pages);
	else
		kprintf("# %s.%s: %d RAM banks\n", t->suite, t->name, memblock.memory.cnt);
}

/* The first pfn from @pfn below @end that has a struct page or is RAM
 * (@end if none): the walks below skip what is neither, such as the 62 GiB
 * between the Icicle Kit's banks, a hole at a time. */
static unsigned long next_page_or_ram(unsigned long pfn, unsigned long end)
{
	unsigned long next = node_next_valid_pfn(mem_node, pfn, end);

	for (int i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];
		unsigned long first = MAX(pfn, (unsigned long)PHYS_PFN(r->base));

		if (r->base + r->size > PFN_PHYS(pfn) && first < next)
			next = first;
	}
	return next;
}

/*
 * Every pfn of the node's span: a page of RAM has a struct page; a struct
 * page maps back to its pfn and address, carries its zone's index and its
 * section; per zone, the pages without PG_reserved are the managed ones and
 * the pages of RAM the present ones.
 */
static void every_pfn_maps_to_its_page(struct ktest *t)
{
	unsigned long valid = 0, bad = 0, managed[MAX_NR_ZONES] = { 0 }, present[MAX_NR_ZONES] = { 0 };

	unsigned long end = mem_node->node_end_pfn;

	for (unsigned long pfn = next_page_or_ram(mem_node->node_start_pfn, end); pfn < end;
	     pfn = next_page_or_ram(pfn + 1, end)) {
		bool ram = memblock_is_memory(&memblock, PFN_PHYS(pfn));
		unsigned int zi;
		struct page *p;

		if (!pfn_valid(pfn)) {
			if (ram && bad++ == 0)
				ktest_fail(t, __FILE__, __LINE__, "RAM pfn 0x%lx has no struct page", pfn);
			continue;
		}
		valid++;
		p = pfn_to_page(pfn);
		zi = page_zonenum(p);
		if ((page_to_pfn(p) != pfn || page_address(p) != phys_to_virt(PFN_PHYS(pfn)) ||
		     virt_to_page(page_address(p)) != p || zi >= MAX_NR_ZONES ||
		     pfn < zone(zi)->zone_start_pfn || pfn >= zone_end_pfn(zone(zi)) ||
		     page_section(p) != (pfn - mem_node->section_base_pfn) >> PFN_SECTION_SHIFT) &&
		    bad++ == 0) {
			ktest_fail(t, __FILE__, __LINE__, "pfn 0x%lx: struct page does not map back", pfn);
			continue;
		}
		if (zi >= MAX_NR_ZONES)
			continue;
		present[zi] += ram;
		managed[zi] += ram && !PageReserved(p);
		if (!ram && !PageReserved(p) && bad++ == 0)
			ktest_fail(t, __FILE__, __LINE__, "pfn 0x%lx is no RAM yet not reserved", pfn);
	}
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(valid, mem_node->memmap_pages);
	for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++) {
		EXPECT_EQ(present[zi], zone(zi)->present_pages);
		EXPECT_EQ(managed[zi], zone(zi)->managed_pages);
	}
}

/* Zones tile the node's span in order, within their limits. */
static void zone_spans_follow_the_limits(struct ktest *t)
{
	unsigned long next = mem_node->node_start_pfn, present = 0;
	unsigned long dma_end = PHYS_PFN(zone_dma_limit);

	for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = zone(zi);

		EXPECT_STREQ(z->name, zone_names[zi]);
		EXPECT(z->managed_pages <= z->present_pages);
		EXPECT(z->present_pages <= z->spanned_pages);
		present += z->present_pages;
		if (!z->spanned_pages)
			continue;
		EXPECT_EQ(z->zone_start_pfn, next);
		next = zone_end_pfn(z);
		if (zi == ZONE_DMA)
			EXPECT(zone_end_pfn(z) <= dma_end);
		if (zi == ZONE_DMA32) {
			EXPECT(z->zone_start_pfn >= dma_end);
			EXPECT(zone_end_pfn(z) <= PFN_4G);
		}
		if (zi == ZONE_NORMAL)
			EXPECT(z->zone_start_pfn >= PFN_4G);
		if (populated_zone(z)) {
			EXPECT(z->watermark[WMARK_MIN] > 0);
			EXPECT(z->watermark[WMARK_MIN] < z->watermark[WMARK_LOW]);
			EXPECT(z->watermark[WMARK_LOW] < z->watermark[WMARK_HIGH]);
			EXPECT(z->watermark[WMARK_HIGH] < z->managed_pages);
		}
	}
	EXPECT_EQ(next, mem_node->node_end_pfn);
	EXPECT_EQ(present, mem_node->node_present_pages);
	if (!zone_dma_limit)
		EXPECT_EQ(zone(ZONE_DMA)->spanned_pages, 0);
}

/* --- the boot "Memory:" line ---------------------------------------------------- */

static void boot_memory_line_adds_up(struct ktest *t)
{
	const struct mem_summary *m = &boot_mem_summary;
	unsigned long image = 0, reserved = 0, managed = 0, released_kb, end = mem_node->node_end_pfn;

	EXPECT_EQ(m->available_kb + m->code_kb + m->rwdata_kb + m->rodata_kb + m->reserved_kb,
		  m->total_kb);
	EXPECT_EQ(m->total_kb, mem_node->node_present_pages * (PAGE_SIZE / 1024));
	/* The three image parts are the image, in whole pages. */
	EXPECT_EQ((m->code_kb + m->rwdata_kb + m->rodata_kb) * 1024, (unsigned long)(_end - _start));
	/* Nothing was allocated before the line was printed. Reserved pages
	 * given back since (the initrd after `replay`) moved from reserved to
	 * available. */
	for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++)
		managed += zone(zi)->managed_pages;
	released_kb = mem_node->released_reserved_pages * (PAGE_SIZE / 1024);
	EXPECT_EQ(m->available_kb + released_kb, managed * (PAGE_SIZE / 1024));

	/* reserved: RAM pages with PG_reserved, the kernel image's aside. */
	for (char *va = _start; va < _end; va += PAGE_SIZE) {
		struct page *p = virt_to_page(va);

		EXPECT(p && PageReserved(p) && page_type(p) == PGTY_KERNEL);
		image++;
	}
	for (unsigned long pfn = node_next_valid_pfn(mem_node, mem_node->node_start_pfn, end); pfn < end;
	     pfn = node_next_valid_pfn(mem_node, pfn + 1, end))
		if (memblock_is_memory(&memblock, PFN_PHYS(pfn)) &&
		    PageReserved(pfn_to_page(pfn)))
			reserved++;
	EXPECT(reserved > image);
	EXPECT_EQ(m->reserved_kb - released_kb, (reserved - image) * (PAGE_SIZE / 1024));
}

/* --- buddyinfo ------------------------------------------------------------------ */

/* Expect @want at *s and step over it. */
static bool take(const char **s, const char *want)
{
	size_t n = strlen(want);

	if (strncmp(*s, want, n) != 0)
		return false;
	*s += n;
	return true;
}

/* A right-aligned decimal field of exactly @width characters. */
static bool take_field(const char **s, int width, unsigned long *v)
{
	const char *p = *s;
	int i = 0;

	while (i < width - 1 && p[i] == ' ')
		i++;
	if (p[i] < '0' || p[i] > '9')
		return false;
	*v = 0;
	for (; i < width; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		*v = *v * 10 + (unsigned long)(p[i] - '0');
	}
	*s = p + width;
	return true;
}

/* "Node 0, zone " and the zone name right-aligned in 8 characters. */
static bool take_zone_name(const char **s, const struct zone *z)
{
	size_t len = strlen(z->name);

	if (!take(s, "Node 0, zone "))
		return false;
	for (size_t i = len; i < 8; i++)
		if (!take(s, " "))
			return false;
	return take(s, z->name);
}

static void capture_report(void (*show)(const struct pglist_data *), char *buf, size_t size)
{
	node_drain_pages(mem_node); /* nothing moves while the report prints */
	console_capture_begin(buf, size);
	show(mem_node);
	console_capture_end();
}

static void buddyinfo_counts_free_blocks(struct ktest *t)
{
	const char *s = out;

	capture_report(show_buddyinfo, out, sizeof(out));
	for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = zone(zi);
		unsigned long pages = 0;

		if (!populated_zone(z))
			continue;
		ASSERT(take_zone_name(&s, z));
		ASSERT(take(&s, " "));
		for (unsigned int o = 0; o < MAX_ORDER; o++) {
			unsigned long v;

			ASSERT(take_field(&s, 6, &v));
			ASSERT(take(&s, " "));
			EXPECT_EQ(v, z->free_area[o].nr_free);
			pages += v << o;
		}
		ASSERT(take(&s, "\n"));
		EXPECT_EQ(pages, z->free_pages);
	}
	EXPECT_STREQ(s, ""); /* no other line */
}

/* An allocation shows up in buddyinfo: one block fewer at its order (when
 * that order had one to give). */
static void buddyinfo_follows_allocation(struct ktest *t)
{
	unsigned int zi = ZONE_NORMAL;
	unsigned int order = MAX_ORDER - 1;
	const char *s = out;
	unsigned long before, v = 0;
	struct page *p;

	node_drain_pages(mem_node);
	/* the highest zone with a block of that order (GFP_KERNEL takes it) */
	while (zi > ZONE_DMA && !zone(zi)->free_area[order].nr_free)
		zi--;
	before = zone(zi)->free_area[order].nr_free;
	if (before == 0 && ktest_managed_mib() < 24) {
		ktest_skip(t, "no free block of order %u in %s (%lu MiB of RAM)", order, zone(zi)->name,
			   ktest_managed_mib());
		return;
	}
	ASSERT(before > 0);
	p = alloc_pages(GFP_KERNEL, order);
	ASSERT(p != NULL);
	capture_report(show_buddyinfo, out, sizeof(out));
	__free_pages(p, order);
	while (*s && !take_zone_name(&s, zone(zi))) {
		s = strchr(s, '\n');
		if (!s)
			break;
		s++;
	}
	ASSERT(s != NULL && *s);
	ASSERT(take(&s, " "));
	for (unsigned int o = 0; o <= order; o++) {
		ASSERT(take_field(&s, 6, &v));
		ASSERT(take(&s, " "));
	}
	EXPECT_EQ(v, before - 1);
}

/* --- zoneinfo ------------------------------------------------------------------ */

/* Step over decimal digits at *s (at least one) into *v. */
static bool take_number(const char **s, unsigned long *v)
{
	const char *p = *s;

	if (*p < '0' || *p > '9')
		return false;
	for (*v = 0; *p >= '0' && *p <= '9'; p++)
		*v = *v * 10 + (unsigned long)(*p - '0');
	*s = p;
	return true;
}

/* One hart's pageset lines in Linux's 6.x layout: count any number (other
 * harts' ticks may move pages), high, batch and the fixed high_min/high_max
 * exact, the vm stats threshold 0 (counters have no per-cpu deltas). */
static bool take_pageset(const char **s, unsigned int cpu, const struct per_cpu_pages *pcp)
{
	char want[160];
	unsigned long count;

	ksnprintf(want, sizeof(want), "\n    cpu: %u\n              count:    ", cpu);
	if (!take(s, want) || !take_number(s, &count))
		return false;
	ksnprintf(want, sizeof(want),
		  "\n              high:     %li\n              batch:    %li"
		  "\n              high_min: %li\n              high_max: %li\n  vm stats threshold: 0",
		  pcp->high, pcp->batch, pcp->high, pcp->high);
	return take(s, want);
}

/*
 * zoneinfo lists every zone as Linux's /proc/zoneinfo does, line for line
 * in its 6.x layout: the first populated zone carries the per-node slab
 * counters; an unpopulated zone ends after protection; a populated one goes
 * on with nr_free_pages, nr_alloc_fail, a pageset per online hart and
 * start_pfn. Nothing else is printed.
 */
static void zoneinfo_shows_zone_values(struct ktest *t)
{
	char want[768];
	const char *s = out;
	bool first = true;

	capture_report(show_zoneinfo, out, sizeof(out));
	EXPECT(strlen(out) < sizeof(out) - 1);
	for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = zone(zi);
		unsigned long rec, unrec;

		if (!take_zone_name(&s, z)) {
			ktest_fail(t, __FILE__, __LINE__, "no zone %s header at \"%.40s\"", z->name, s);
			return;
		}
		if (first && populated_zone(z)) {
			first = false;
			if (!take(&s, "\n  per-node stats\n      nr_slab_reclaimable ") ||
			    !take_number(&s, &rec) || !take(&s, "\n      nr_slab_unreclaimable ") ||
			    !take_number(&s, &unrec)) {
				ktest_fail(t, __FILE__, __LINE__, "zone %s: no per-node stats", z->name);
				return;
			}
			EXPECT_EQ(rec + unrec, slab_total_pages(true) + slab_total_pages(false));
		}
		ksnprintf(want, sizeof(want),
			  "\n  pages free     %lu"
			  "\n        boost    0"
			  "\n        min      %lu"
			  "\n        low      %lu"
			  "\n        high     %lu"
			  "\n        spanned  %lu"
			  "\n        present  %lu"
			  "\n        managed  %lu"
			  "\n        cma      0"
			  "\n        protection: (%lu, %lu, %lu)",
			  z->free_pages, z->watermark[WMARK_MIN], z->watermark[WMARK_LOW],
			  z->watermark[WMARK_HIGH], z->spanned_pages, z->present_pages,
			  z->managed_pages, z->lowmem_reserve[0], z->lowmem_reserve[1],
			  z->lowmem_reserve[2]);
		if (!take(&s, want)) {
			ktest_fail(t, __FILE__, __LINE__, "zone %s: \"%.300s\", wanted \"%s\"", z->name,
				   s, want);
			return;
		}
		if (!populated_zone(z)) {
			ASSERT(take(&s, "\n"));
			continue;
		}
		ksnprintf(want, sizeof(want), "\n      nr_free_pages %lu\n      nr_alloc_fail %lu\n  pagesets",
			  z->free_pages, z->nr_alloc_fail);
		ASSERT(take(&s, want));
		for (unsigned int cpu = 0; cpu < nr_online_cpus(); cpu++)
			if (!take_pageset(&s, cpu, &z->pcp[cpu])) {
				ktest_fail(t, __FILE__, __LINE__, "zone %s: hart %u's pageset: \"%.200s\"",
					   z->name, cpu, s);
				return;
			}
		ksnprintf(want, sizeof(want), "\n  start_pfn:           %lu\n", z->zone_start_pfn);
		ASSERT(take(&s, want));
	}
	EXPECT_STREQ(s, ""); /* no other line */
}

/* --- meminfo ------------------------------------------------------------------- */

/* One "%-16s%8lu kB" line: "Name:" padded to 16, the value in 8. */
static bool take_meminfo_line(const char **s, char *name, size_t size, unsigned long *kb)
{
	const char *p = *s, *colon = strchr(p, ':');
	size_t len;

	if (!colon || colon - p >= 16 || colon == p)
		return false;
	len = (size_t)(colon - p);
	for (size_t i = len + 1; i < 16; i++)
		if (p[i] != ' ')
			return false;
	kstrlcpy(name, p, MIN(size, len + 1));
	p += 16;
	if (!take_field(&p, 8, kb) || !take(&p, " kB\n"))
		return false;
	*s = p;
	return true;
}

static void meminfo_totals(struct ktest *t)
{
	unsigned long managed = 0, free, total = ~0ul, memfree = ~0ul, avail = ~0ul;
	const char *s = out;
	int lines = 0;

	for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++)
		managed += zone(zi)->managed_pages;
	capture_report(show_meminfo, out, sizeof(out));
	free = node_nr_free_pages(mem_node);
	while (*s) {
		char name[24];
		unsigned long kb;

		if (!take_meminfo_line(&s, name, sizeof(name), &kb)) {
			const char *nl = strchr(s, '\n');

			ktest_fail(t, __FILE__, __LINE__, "meminfo line %d not in the layout: \"%.*s\"",
				   lines + 1, nl ? (int)(nl - s) : 40, s);
			break;
		}
		lines++;
		if (strcmp(name, "MemTotal") == 0)
			total = kb;
		else if (strcmp(name, "MemFree") == 0)
			memfree = kb;
		else if (strcmp(name, "MemAvailable") == 0)
			avail = kb;
	}
	EXPECT(strncmp(out, "MemTotal:", 9) == 0);
	EXPECT_EQ(total, managed * 4);
	EXPECT_EQ(memfree, free * 4);
	EXPECT(avail <= memfree);
	EXPECT(avail + mem_node->totalreserve_pages * 4 >= memfree);
}

/* The number after the first line that begins with @prefix in @s (~0: none). */
static unsigned long value_after(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	unsigned long v;

	for (; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL)
		if (strncmp(s, prefix, n) == 0) {
			s += n;
			while (*s == ' ')
				s++;
			return take_number(&s, &v) ? v : ~0ul;
		}
	return ~0ul;
}

/* The free pages buddyinfo's rows add up to: blocks x 2^order. */
static unsigned long buddyinfo_pages(const char *s)
{
	unsigned long pages = 0;

	for (; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL) {
		const char *p = s + strlen("Node 0, zone ") + 8;

		if (strncmp(s, "Node 0, zone ", 13) != 0 || p[0] != ' ')
			continue; /* zoneinfo's header ends the line */
		for (unsigned int o = 0; o < MAX_ORDER; o++) {
			unsigned long v;

			if (!take(&p, " ") || !take_field(&p, 6, &v))
				return ~0ul;
			pages += v << o;
		}
	}
	return pages;
}

/*
 * The scripts users run on Linux's files cross-check them: buddyinfo's
 * blocks x 2^order x 4 kB = MemFree = the zones' nr_free_pages = vmstat's
 * nr_free_pages. Pages on a per-hart stack are in none of them (Linux's
 * NR_FREE_PAGES counts a page on a per-cpu list as allocated), so the
 * reports are taken with this hart's stack holding pages (an order-0
 * allocation refills it a batch at a time, the free puts the page back), and
 * retaken when another hart's tick moved pages meanwhile.
 */
static void free_pages_agree_across_reports(struct ktest *t)
{
	unsigned long before = 0, after = 1, on_stacks = 0;
	struct page *p;

	node_drain_pages(mem_node);
	p = alloc_page(GFP_KERNEL);
	ASSERT(p != NULL);
	__free_pages(p, 0);
	for (int tries = 0; tries < 8 && before != after; tries++) {
		before = node_nr_free_pages(mem_node);
		console_capture_begin(out, sizeof(out));
		show_buddyinfo(mem_node);
		show_zoneinfo(mem_node);
		show_meminfo(mem_node);
		show_vmstat(mem_node);
		console_capture_end();
		after = node_nr_free_pages(mem_node);
		on_stacks = node_free_pages_count(mem_node) - after;
	}
	ASSERT_EQ(before, after);
	EXPECT(on_stacks > 0); /* or the check below could not tell */
	EXPECT_EQ(buddyinfo_pages(out), before);
	EXPECT_EQ(value_after(out, "MemFree:"), before * 4);
	EXPECT_EQ(value_after(out, "nr_free_pages "), before); /* vmstat's line */
	{
		unsigned long zones = 0;
		const char *s = out;

		unsigned long v;

		while ((s = strstr(s, "\n      nr_free_pages ")) != NULL) {
			s += strlen("\n      nr_free_pages ");
			if (take_number(&s, &v))
				zones += v;
		}
		EXPECT_EQ(zones, before);
	}
}

/* The shell commands print exactly what the show_* functions print. */
static void shell_commands_print_the_reports(struct ktest *t)
{
	static const struct {
		const char *cmd;
		void (*show)(const struct pglist_data *);
	} reports[] = {
		{ "buddyinfo", show_buddyinfo },
		{ "zoneinfo", show_zoneinfo },
		{ "meminfo", show_meminfo },
	};

	for (size_t i = 0; i < ARRAY_SIZE(reports); i++) {
		capture_report(reports[i].show, out, sizeof(out));
		node_drain_pages(mem_node);
		console_capture_begin(out2, sizeof(out2));
		EXPECT_EQ(shell_exec(reports[i].cmd), 0);
		console_capture_end();
		EXPECT(out[0] != '\0');
		if (strcmp(out, out2) != 0)
			ktest_fail(t, __FILE__, __LINE__, "'%s' differs from its show function",
				   reports[i].cmd);
	}
}


/* --- mm_check (mmcheck) ------------------------------------------------------ */

/* mm_check's output goes to out[]: each case looks at its lines. */
static int run_mm_check(void)
{
	int errors;

	console_capture_begin(out, sizeof(out));
	errors = mm_check(mem_node);
	console_capture_end();
	return errors;
}

static void mm_check_clean(struct ktest *t)
{
	EXPECT_EQ(run_mm_check(), 0);
	EXPECT(strstr(out, "mmcheck: memblock         ok\n") != NULL);
	EXPECT(strstr(out, "mmcheck: page allocator   ok\n") != NULL);
	EXPECT(strstr(out, "mmcheck: vmalloc          ok\n") != NULL);
	EXPECT(strstr(out, "mmcheck: 0 problems\n") != NULL);
}

/* A zone's free_pages one off (under its lock, put back at once): the page
 * allocator's checker must count it. */
static void mm_check_finds_a_zone_count(struct ktest *t)
{
	struct zone *z = NULL;
	unsigned long irq;
	int errors;

	for (unsigned int zi = 0; zi < MAX_NR_ZONES && !z; zi++)
		if (zone(zi)->present_pages)
			z = zone(zi);
	ASSERT(z != NULL);
	irq = spin_lock_irqsave(&z->lock);
	z->free_pages++;
	spin_unlock_irqrestore(&z->lock, irq);
	errors = run_mm_check();
	irq = spin_lock_irqsave(&z->lock);
	z->free_pages--;
	spin_unlock_irqrestore(&z->lock, irq);
	EXPECT(errors >= 1);
	EXPECT(strstr(out, "free_pages differs") != NULL);
	EXPECT(strstr(out, "mmcheck: page allocator   ") != NULL &&
		    strstr(out, "mmcheck: page allocator   ok") == NULL);
	EXPECT_EQ(run_mm_check(), 0);
}

/* A cache of the test's own with its free-object count one off. */
static void mm_check_finds_a_cache_count(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("mmcheck-test", 96, 0, SLAB_NOSLOB, NULL);
	void *obj;
	unsigned long irq;
	int errors;

	ASSERT(c != NULL);
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT(obj != NULL);
	irq = spin_lock_irqsave(&c->lock);
	c->free_objects++;
	spin_unlock_irqrestore(&c->lock, irq);
	errors = run_mm_check();
	irq = spin_lock_irqsave(&c->lock);
	c->free_objects--;
	spin_unlock_irqrestore(&c->lock, irq);
	kmem_cache_free(c, obj);
	kmem_cache_destroy(c);
	EXPECT(errors >= 1);
	EXPECT(strstr(out, "mmcheck-test") != NULL);
	EXPECT(strstr(out, "free_objects differs") != NULL);
	EXPECT(strstr(out, "mmcheck: page allocator   ok") != NULL);
}

/* kmalloc's SLOB heap with its byte count one off. */
static void mm_check_finds_a_slob_count(struct ktest *t)
{
	unsigned long irq;
	int errors;

	irq = spin_lock_irqsave(&kmalloc_heap.lock);
	kmalloc_heap.used_bytes += 16;
	spin_unlock_irqrestore(&kmalloc_heap.lock, irq);
	errors = run_mm_check();
	irq = spin_lock_irqsave(&kmalloc_heap.lock);
	kmalloc_heap.used_bytes -= 16;
	spin_unlock_irqrestore(&kmalloc_heap.lock, irq);
	EXPECT(errors >= 1);
	EXPECT(strstr(out, "SLOB heaps     ok") == NULL);
	EXPECT(strstr(out, "mmcheck: vmalloc          ok") != NULL);
}

KTEST_SUITE(mm_report, KTEST_CASE(struct_page_is_32_bytes),
	    KTEST_CASE(memmap_covers_exactly_the_ram), KTEST_CASE(every_pfn_maps_to_its_page),
	    KTEST_CASE(zone_spans_follow_the_limits), KTEST_CASE(boot_memory_line_adds_up),
	    KTEST_CASE(buddyinfo_counts_free_blocks), KTEST_CASE(buddyinfo_follows_allocation),
	    KTEST_CASE(zoneinfo_shows_zone_values), KTEST_CASE(meminfo_totals),
	    KTEST_CASE(free_pages_agree_across_reports),
	    KTEST_CASE(shell_commands_print_the_reports), KTEST_CASE(mm_check_clean),
	    KTEST_CASE(mm_check_finds_a_zone_count), KTEST_CASE(mm_check_finds_a_cache_count),
	    KTEST_CASE(mm_check_finds_a_slob_count));
