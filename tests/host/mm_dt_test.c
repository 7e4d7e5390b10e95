/*
 * mm_dt_test.c - the page allocator built from device-tree fixtures over
 * fake RAM (suite "mm_dt").
 *
 * Each case parses a fixture of tests/dts, adds a "kernel" reservation as
 * the boot does, runs memblock_add_dt and node_init over fake RAM covering
 * the fixture's RAM, and compares the node with numbers worked out by hand
 * from the .dts: zone spans, present and managed pages, struct pages, and
 * the pages reserved. node_init's own data (the section table, the struct
 * pages, the per-hart arrays) is allocated top-down from memblock, so it
 * lies at the top of the highest bank and takes exactly
 *   struct pages * 32 B / 4 KiB  (whole pages: sections hold 32768 frames)
 *   + 1 page for the section table and per-hart arrays (a few hundred bytes).
 * Managed pages must also equal present pages minus the pages that any
 * reserved byte touches, counted by brute force.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drivers/devicetree.h>
#include <tests/ktest.h>
#include <mm/memblock.h>
#include <mm/mm_init.h>
#include <mm/mmzone.h>
#include "fakeram.h"
#include "host.h"

#define MiB (1ull << 20)
#define KERNEL_BASE 0x80200000ull /* where OpenSBI's fw_jump puts the kernel */
#define KERNEL_SIZE (2 * MiB)
#define PFN(pa) ((unsigned long)((pa) >> PAGE_SHIFT))

static const struct zone_limits lim_4g = { 0, PFN(1ull << 32), false };

static struct dt_info info;

/* Parse @name as if the blob lay at @dtb_phys, reserve the kernel, place
 * the dynamic /reserved-memory nodes, and fill memblock of fake RAM
 * spanning every bank (the node is not built yet). */
static struct fakeram *fixture_memblock(const char *name, u64 dtb_phys)
{
	size_t size = 0;
	u8 *blob = host_load_dtb(name, &size);
	struct fr_capture cap;
	char out[1024];
	struct fakeram *fr;
	u64 lo = ~0ull, hi = 0;
	int err;

	if (!blob)
		return NULL;
	fr_capture_start(&cap); /* fixtures may warn */
	err = dt_parse(&info, blob, size, dtb_phys);
	if (!err)
		err = dt_add_reserved(&info, KERNEL_BASE, KERNEL_SIZE, "kernel", false);
	if (!err)
		dt_reserve_null_page(&info);
	if (!err)
		dt_place_dynamic(&info); /* reads alloc-ranges from the blob */
	fr_capture_end(&cap, out, sizeof(out));
	free(blob);
	if (err)
		return NULL;
	for (int i = 0; i < info.nr_ram; i++) {
		lo = MIN(lo, info.ram[i].base);
		hi = MAX(hi, info.ram[i].base + info.ram[i].size);
	}
	fr = fakeram_new(lo, hi - lo);
	if (fr && memblock_add_dt(&fr->mb, &info)) {
		fakeram_done(fr);
		return NULL;
	}
	return fr;
}

/* fixture_memblock, then node_init over it. */
static struct fakeram *node_from_fixture(const char *name, u64 dtb_phys,
					 const struct zone_limits *lim)
{
	struct fakeram *fr = fixture_memblock(name, dtb_phys);

	if (fr && fakeram_node_init(fr, lim)) {
		fakeram_done(fr);
		return NULL;
	}
	return fr;
}

static unsigned long dtb_pages(void)
{
	return (info.fdt.totalsize + PAGE_SIZE - 1) / PAGE_SIZE;
}

/* Pages of node_init's data (see the top of the file). */
static unsigned long boot_data_pages(const struct pglist_data *node)
{
	/* The section table, then the struct pages of each section (whole
	 * pages, 64-byte aligned: one pad after the table at most), then the
	 * per-hart arrays (multiples of 64 bytes). */
	unsigned long small = node->nr_sections * sizeof(struct mem_section) + 64;

	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		if (node->zones[zi].pcp)
			small += MAX_HARTS * sizeof(struct per_cpu_pages);

	if ((node->memmap_pages * sizeof(struct page)) % PAGE_SIZE)
		return 0; /* the rule above does not apply: the test fails */
	return node->memmap_pages * sizeof(struct page) / PAGE_SIZE + (small + PAGE_SIZE - 1) / PAGE_SIZE;
}

/* RAM pages that any reserved byte touches, in [lo, hi), by brute force. */
static unsigned long reserved_ram_pages(const struct memblock *mb, unsigned long lo,
					unsigned long hi)
{
	unsigned long n = 0;

	for (int i = 0; i < mb->memory.cnt; i++) {
		const struct memblock_region *m = &mb->memory.regions[i];
		unsigned long s = MAX(PFN(m->base + PAGE_SIZE - 1), lo);
		unsigned long e = MIN(PFN(m->base + m->size), hi);
		int j = 0;

		for (unsigned long pfn = s; pfn < e; pfn++) {
			u64 ps = PFN_PHYS(pfn), pe = ps + PAGE_SIZE;

			/* reserved is sorted: skip the ranges that end below */
			while (j < mb->reserved.cnt &&
			       mb->reserved.regions[j].base + mb->reserved.regions[j].size <= ps)
				j++;
			if (j < mb->reserved.cnt && mb->reserved.regions[j].base < pe)
				n++;
		}
	}
	return n;
}

struct want_zone {
	unsigned long start, spanned, present, managed;
};

/* Every zone as wanted, managed = present - reserved, and all of it free. */
static void expect_zones(struct ktest *t, struct fakeram *fr, const struct want_zone *want)
{
	struct pglist_data *node = &fr->node;
	unsigned long managed = 0;

	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &node->zones[zi];

		EXPECT_EQ(z->spanned_pages, want[zi].spanned);
		if (want[zi].spanned)
			EXPECT_EQ(z->zone_start_pfn, want[zi].start);
		EXPECT_EQ(z->present_pages, want[zi].present);
		EXPECT_EQ(z->managed_pages, want[zi].managed);
		if (z->spanned_pages)
			EXPECT_EQ(z->managed_pages,
				  z->present_pages - reserved_ram_pages(&fr->mb, z->zone_start_pfn,
									zone_end_pfn(z)));
		EXPECT_EQ(z->free_pages, z->managed_pages);
		managed += z->managed_pages;
	}
	EXPECT_EQ(node_free_pages_count(node), managed);
	EXPECT_EQ(managed, node->node_present_pages - reserved_ram_pages(&fr->mb, 0, ~0ul));
	EXPECT_EQ(node->nr_bad_pages, 0);
	EXPECT_EQ(node_check(node), 0);
}

static void dt_two_banks(struct ktest *t)
{
	/*
	 * 256 MiB at 0x80000000 and at 0x140000000 (a 3.75 GiB hole):
	 * DMA32 spans 0x80000-0x100000 with 65536 present pages, Normal spans
	 * 0x100000-0x150000 with 65536. Sections: 26 of 128 MiB, 4 with RAM,
	 * 131072 struct pages (the hole costs none). Reserved in DMA32:
	 * mmode_resv0 (128 pages), kernel (512), dtb; in Normal, node_init's
	 * data at the top: 4 MiB of struct pages + 1 page = 1025 pages.
	 */
	struct fakeram *fr = node_from_fixture("two-banks", 0x8fe00000, &lim_4g);
	struct pglist_data *node;
	unsigned long boot;

	ASSERT(fr);
	node = &fr->node;
	EXPECT_EQ(node->node_start_pfn, 0x80000);
	EXPECT_EQ(node->node_end_pfn, 0x150000);
	EXPECT_EQ(node->node_present_pages, 131072);
	EXPECT_EQ(node->memmap_pages, 131072);
	EXPECT_EQ(node->nr_sections, 26);
	boot = boot_data_pages(node);
	EXPECT_EQ(boot, 1025);
	EXPECT_EQ(node->sections[2].map_base, 0); /* in the hole */
	EXPECT_EQ(node->sections[23].map_base, 0);
	expect_zones(t, fr,
		     (const struct want_zone[]){
			     { 0, 0, 0, 0 },
			     { 0x80000, 0x80000, 65536, 65536 - 128 - 512 - dtb_pages() },
			     { 0x100000, 0x50000, 65536, 65536 - boot } });
	/* The data really is at the top of the high bank. */
	EXPECT(memblock_is_reserved(&fr->mb, 0x14fffffffull));
	EXPECT(memblock_is_reserved(&fr->mb, 0x150000000ull - (boot - 1) * PAGE_SIZE - 1));
	EXPECT(!memblock_is_reserved(&fr->mb, 0x150000000ull - boot * PAGE_SIZE - 1));
	EXPECT(PageReserved(pfn_to_page(0x150000 - boot)));
	EXPECT(!PageReserved(pfn_to_page(0x150000 - boot - 1)));
	EXPECT(!pfn_valid(0x90000) && !pfn_valid(0x13ffff) && pfn_valid(0x140000));
	fakeram_done(fr);
}

static void dt_virt(struct ktest *t)
{
	/* 128 MiB at 0x80000000, all DMA32: 32768 pages, 256 pages of struct
	 * pages + 1 at the top, above the dtb at 0x87e00000. */
	struct fakeram *fr = node_from_fixture("virt", 0x87e00000, &lim_4g);
	struct pglist_data *node;

	ASSERT(fr);
	node = &fr->node;
	EXPECT_EQ(node->node_present_pages, 32768);
	EXPECT_EQ(node->memmap_pages, 32768);
	EXPECT_EQ(node->nr_sections, 1);
	EXPECT_EQ(boot_data_pages(node), 257);
	expect_zones(t, fr,
		     (const struct want_zone[]){
			     { 0, 0, 0, 0 },
			     { 0x80000, 32768, 32768, 32768 - 128 - 512 - dtb_pages() - 257 },
			     { 0, 0, 0, 0 } });
	fakeram_done(fr);
}

static void dt_virt_with_zone_dma(struct ktest *t)
{
	/* zone_dma_limit=0x84000000: ZONE_DMA takes the first 64 MiB with the
	 * firmware and the kernel; DMA32 the rest with the dtb and node_init's
	 * data. */
	struct fakeram *fr = node_from_fixture("virt", 0x87e00000,
					       &(struct zone_limits){ 0x84000, 0x100000, false });

	ASSERT(fr);
	EXPECT_EQ(boot_data_pages(&fr->node), 257);
	expect_zones(t, fr,
		     (const struct want_zone[]){
			     { 0x80000, 0x4000, 0x4000, 0x4000 - 128 - 512 },
			     { 0x84000, 0x4000, 0x4000, 0x4000 - dtb_pages() - 257 },
			     { 0, 0, 0, 0 } });
	/* GFP_DMA pages come from below the limit. */
	{
		struct page *p = alloc_pages(GFP_DMA, 3);

		ASSERT(p);
		EXPECT(page_to_pfn(p) + 8 <= 0x84000);
		__free_pages(p, 3);
	}
	fakeram_done(fr);
}

/* zone_dma_limit= below the first whole page of RAM: ZONE_DMA is asked for
 * but empty, so GFP_DMA gets nothing (never a page above the limit) and the
 * boot line says why. 0x800 rounds down to pfn 0, which once meant "no
 * ZONE_DMA": GFP_DMA then took DMA32 pages above the limit. */
static void dt_virt_zone_dma_below_a_page(struct ktest *t)
{
	static const u64 limits[] = { 0x800, 0x80000800, 0x1000 };

	for (unsigned int i = 0; i < ARRAY_SIZE(limits); i++) {
		struct zone_limits lim;
		struct fakeram *fr;
		struct fr_capture cap;
		char out[512], want[160];
		struct page *p, *q;

		zone_dma_limit = limits[i];
		zone_limits_boot(&lim);
		fr = node_from_fixture("virt", 0x87e00000, &lim);
		zone_dma_limit = 0;
		ASSERT(fr);
		EXPECT_EQ(fr->node.zones[ZONE_DMA].present_pages, 0);
		p = alloc_pages(GFP_DMA | __GFP_NOWARN, 0);
		EXPECT(p == NULL);
		q = alloc_pages(GFP_DMA32, 0);
		EXPECT(q != NULL);
		if (p)
			__free_pages(p, 0);
		if (q)
			__free_pages(q, 0);
		zone_dma_limit = limits[i];
		fr_capture_start(&cap);
		print_zone_ranges(&fr->node);
		fr_capture_end(&cap, out, sizeof(out));
		zone_dma_limit = 0;
		snprintf(want, sizeof(want), "DMA      empty: no whole page of RAM lies below "
			 "zone_dma_limit=%#llx (RAM starts at 0x80000000); every GFP_DMA request will fail",
			 (unsigned long long)limits[i]);
		EXPECT(strstr(out, want) != NULL);
		fakeram_done(fr);
	}
}

static void dt_virt_8g(struct ktest *t)
{
	/* 8 GiB from 0x80000000: DMA32 has 2 GiB (524288 pages), Normal 6 GiB
	 * (1572864 pages) and node_init's data: 64 MiB of struct pages + 1. */
	struct fakeram *fr = node_from_fixture("virt-8g", 0xbfe00000, &lim_4g);
	struct pglist_data *node;

	ASSERT(fr);
	node = &fr->node;
	EXPECT_EQ(node->node_present_pages, 2097152);
	EXPECT_EQ(node->memmap_pages, 2097152);
	EXPECT_EQ(node->nr_sections, 64);
	/* (the host's section table is 64 bytes a section, with its pageblock
	 * marks: 64 sections and the per-hart arrays take two pages) */
	EXPECT_EQ(boot_data_pages(node), 16384 + (sizeof(struct mem_section) > 32 ? 2 : 1));
	expect_zones(t, fr,
		     (const struct want_zone[]){
			     { 0, 0, 0, 0 },
			     { 0x80000, 524288, 524288, 524288 - 128 - 512 - dtb_pages() },
			     { 0x100000, 1572864, 1572864, 1572864 - boot_data_pages(node) } });
	fakeram_done(fr);
}

static void dt_resmem_middle(struct ktest *t)
{
	/* 512 MiB; reserved: mmode_resv0 (128 pages), shmem (256), the no-map
	 * framebuffer (2048), multi's two ranges (1 + 2), kernel (512), dtb,
	 * the dynamic linux,cma (64 MiB, 16384, at the top of RAM: 2 MiB
	 * aligned, [0x9c000000, 0xa0000000)) and node_init's data (1024 + 1).
	 * no-map ranges are RAM, so present, but never managed. */
	struct fakeram *fr = node_from_fixture("resmem-middle", 0x87e00000, &lim_4g);
	struct pglist_data *node;

	ASSERT(fr);
	node = &fr->node;
	EXPECT_EQ(fr->mb.nomap.cnt, 3);
	EXPECT_EQ(node->node_present_pages, 131072);
	EXPECT_EQ(boot_data_pages(node), 1025);
	expect_zones(t, fr,
		     (const struct want_zone[]){
			     { 0, 0, 0, 0 },
			     { 0x80000, 131072, 131072,
			       131072 - 128 - 256 - 2048 - 3 - 512 - dtb_pages() - 16384 - 1025 },
			     { 0, 0, 0, 0 } });
	EXPECT(PageReserved(pfn_to_page(PFN(0x90000000))));
	EXPECT(PageReserved(pfn_to_page(PFN(0x907ff000))));
	EXPECT(!PageReserved(pfn_to_page(PFN(0x90800000))));
	EXPECT(PageReserved(pfn_to_page(PFN(0x9b001000))));
	EXPECT(!PageReserved(pfn_to_page(PFN(0x98000000)))); /* the disabled child */
	EXPECT(PageReserved(pfn_to_page(PFN(0x9c000000)))); /* linux,cma: reusable, reserved */
	EXPECT(PageReserved(pfn_to_page(PFN(0x9ffff000))));
	EXPECT(!PageReserved(pfn_to_page(PFN(0x9c000000) - 1025 - 1))); /* below node_init's data */
	fakeram_done(fr);
}

static void dt_resmem_dynamic(struct ktest *t)
{
	/*
	 * resmem-dynamic.dts (1 GiB at 0x80000000, 1 GiB at 0x180000000), its
	 * dynamic nodes placed as the fixture's comment works out. Reserved in
	 * DMA32: mmode_resv0 (128 pages), kernel (512), tee (512), linux,cma
	 * (16384: reusable, yet reserved), the mem-reserve entry (256), the
	 * no-map firmware@bf000000 (2048), dtb; in Normal: fw-scratch and
	 * log-buffer, 0x2840 bytes from 0x1bfefd7c0 (3 pages), the no-map
	 * dsp-pool (256), and node_init's data right below them (16 sections
	 * with RAM: 524288 struct pages, 4096 pages, + 2 for the section table
	 * and the per-hart lists; the last 0x7c0 bytes in fw-scratch's first
	 * page, so the data takes 4097 pages of its own).
	 */
	struct fakeram *fr = node_from_fixture("resmem-dynamic", 0xbfe00000, &lim_4g);
	struct pglist_data *node;
	unsigned long boot;

	ASSERT(fr);
	node = &fr->node;
	boot = boot_data_pages(node);
	EXPECT_EQ(boot, 4098);
	EXPECT_EQ(fr->mb.nomap.cnt, 2);
	expect_zones(t, fr,
		     (const struct want_zone[]){
			     { 0, 0, 0, 0 },
			     { 0x80000, 0x80000, 262144,
			       262144 - 128 - 512 - 512 - 16384 - 256 - 2048 - dtb_pages() },
			     { 0x100000, 0xc0000, 262144, 262144 - 3 - 256 - (boot - 1) } });
	for (u64 pa = 0xba000000; pa < 0xbe000000; pa += PAGE_SIZE * 1024)
		EXPECT(PageReserved(pfn_to_page(PFN(pa))));
	EXPECT(PageReserved(pfn_to_page(PFN(0x9fe00000))));
	EXPECT(!PageReserved(pfn_to_page(PFN(0x9fe00000) - 1)));
	EXPECT(!PageReserved(pfn_to_page(PFN(0xba000000) - 1)));
	EXPECT(PageReserved(pfn_to_page(PFN(0x1bfefd7c0ull))));
	EXPECT(PageReserved(pfn_to_page(PFN(0x1bfefd7c0ull) - (boot - 1))));
	EXPECT(!PageReserved(pfn_to_page(PFN(0x1bfefd7c0ull) - boot)));
	fakeram_done(fr);
}

static void dt_memreserve(struct ktest *t)
{
	/* 256 MiB; the mem-reserve block holds 2 + 16 pages. */
	struct fakeram *fr = node_from_fixture("memreserve", 0x84100000, &lim_4g);

	ASSERT(fr);
	EXPECT_EQ(fr->node.node_present_pages, 65536);
	EXPECT_EQ(boot_data_pages(&fr->node), 513);
	expect_zones(t, fr,
		     (const struct want_zone[]){
			     { 0, 0, 0, 0 },
			     { 0x80000, 65536, 65536, 65536 - 2 - 16 - 512 - dtb_pages() - 513 },
			     { 0, 0, 0, 0 } });
	EXPECT(PageReserved(pfn_to_page(PFN(0x84001000))));
	EXPECT(!PageReserved(pfn_to_page(PFN(0x84002000))));
	EXPECT(PageReserved(pfn_to_page(PFN(0x8800f000))));
	EXPECT(!PageReserved(pfn_to_page(PFN(0x88010000))));
	fakeram_done(fr);
}

static void dt_multi_reg(struct ktest *t)
{
	/* 256 MiB at 0x80000000, 0xc0000000 and 0x100000000: two banks in
	 * DMA32 with a 768 MiB hole, one in Normal with node_init's data
	 * (6 MiB of struct pages + 1). */
	struct fakeram *fr = node_from_fixture("multi-reg", 0x8fe00000, &lim_4g);
	struct pglist_data *node;

	ASSERT(fr);
	node = &fr->node;
	EXPECT_EQ(node->node_present_pages, 196608);
	EXPECT_EQ(node->memmap_pages, 196608);
	EXPECT_EQ(node->nr_sections, 18);
	EXPECT_EQ(boot_data_pages(node), 1537);
	expect_zones(t, fr,
		     (const struct want_zone[]){
			     { 0, 0, 0, 0 },
			     { 0x80000, 0x80000, 131072, 131072 - 512 - dtb_pages() },
			     { 0x100000, 0x10000, 65536, 65536 - 1537 } });
	EXPECT(!pfn_valid(0x90000) && pfn_valid(0xc0000) && !pfn_valid(0xd0000));
	fakeram_done(fr);
}

static void dt_sifive_u(struct ktest *t)
{
	/* 128 MiB whose firmware range is no-map. */
	struct fakeram *fr = node_from_fixture("sifive-u", 0x87e00000, &lim_4g);

	ASSERT(fr);
	EXPECT_EQ(fr->mb.nomap.cnt, 1);
	EXPECT_EQ(fr->mb.nomap.regions[0].base, 0x80000000);
	EXPECT_EQ(fr->mb.nomap.regions[0].size, 0x80000);
	expect_zones(t, fr,
		     (const struct want_zone[]){
			     { 0, 0, 0, 0 },
			     { 0x80000, 32768, 32768, 32768 - 128 - 512 - dtb_pages() - 257 },
			     { 0, 0, 0, 0 } });
	fakeram_done(fr);
}

/*
 * An initrd that U-Boot's booti also reserved with a mem-reserve entry of
 * exactly its bytes (0xe3e at 0x84200000): the entry is the initrd's own
 * (dt_initrd_overlap says nothing blocks it), and releasing the initrd as
 * the replay command does frees its page, in memblock and in the zone.
 */
static void dt_initrd_memreserve_released(struct ktest *t)
{
	struct fakeram *fr = node_from_fixture("initrd-memreserve", 0x87e00000, &lim_4g);
	struct zone *z;
	unsigned long managed;

	ASSERT(fr);
	z = &fr->node.zones[ZONE_DMA32];
	managed = z->managed_pages;
	ASSERT(PageReserved(pfn_to_page(PFN(0x84200000))));
	EXPECT(dt_initrd_overlap(&info) == NULL);
	EXPECT_EQ(release_reserved_range(&fr->node, &fr->mb, info.initrd_start, info.initrd_end), 1);
	EXPECT(!PageReserved(pfn_to_page(PFN(0x84200000))));
	EXPECT(!memblock_is_reserved(&fr->mb, 0x84200000));
	EXPECT(!memblock_is_reserved(&fr->mb, 0x84200e3d));
	EXPECT_EQ(z->managed_pages, managed + 1);
	EXPECT_EQ(memblock_check(&fr->mb), 0);
	EXPECT_EQ(node_check(&fr->node), 0);
	fakeram_done(fr);
}

/* Is every page [pa, pa + size) touches wholly RAM and free of no-map
 * bytes (so mapped by paging_init)? Brute force, page by page. */
static bool in_mapped_pages(const struct memblock *mb, u64 pa, u64 size)
{
	for (u64 p = ALIGN_DOWN(pa, PAGE_SIZE); p < pa + size; p += PAGE_SIZE) {
		bool ram = false;

		for (int i = 0; i < mb->memory.cnt; i++)
			ram |= mb->memory.regions[i].base <= p &&
			       mb->memory.regions[i].base + mb->memory.regions[i].size >= p + PAGE_SIZE;
		for (int i = 0; i < mb->nomap.cnt; i++)
			if (mb->nomap.regions[i].base < p + PAGE_SIZE &&
			    mb->nomap.regions[i].base + mb->nomap.regions[i].size > p)
				ram = false;
		if (!ram)
			return false;
	}
	return true;
}

/* Every piece of node_init's data (section table, struct pages, per-hart
 * arrays) lies in pages the direct map maps. */
static void expect_boot_data_mapped(struct ktest *t, const struct fakeram *fr)
{
	const struct pglist_data *node = &fr->node;

	EXPECT(in_mapped_pages(&fr->mb, virt_to_phys(node->sections),
			       node->nr_sections * sizeof(struct mem_section)));
	for (unsigned long i = 0; i < node->nr_sections; i++) {
		const struct mem_section *ms = &node->sections[i];

		if (ms->end_pfn > ms->start_pfn)
			EXPECT(in_mapped_pages(&fr->mb,
					       virt_to_phys((void *)(ms->map_base +
								     ms->start_pfn * sizeof(struct page))),
					       (ms->end_pfn - ms->start_pfn) * sizeof(struct page)));
	}
	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		if (node->zones[zi].pcp)
			EXPECT(in_mapped_pages(&fr->mb, virt_to_phys(node->zones[zi].pcp),
					       MAX_HARTS * sizeof(struct per_cpu_pages)));
}

static void dt_unaligned_end(struct ktest *t)
{
	/* 512 MiB less 2 KiB: the last half page is RAM but not a page. */
	struct fakeram *fr = node_from_fixture("unaligned-end", 0x9fe00000, &lim_4g);

	ASSERT(fr);
	EXPECT_EQ(fr->node.node_present_pages, 131071);
	EXPECT(!memblock_is_reserved(&fr->mb, 0x9ffff000)); /* nothing put in it */
	expect_boot_data_mapped(t, fr);
	EXPECT_EQ(node_check(&fr->node), 0);
	fakeram_done(fr);
}

static void dt_nomap_halfpage(struct ktest *t)
{
	/* 512 MiB with a no-map range over the top half of the last page. */
	struct fakeram *fr = node_from_fixture("nomap-halfpage", 0x9fe00000, &lim_4g);

	ASSERT(fr);
	EXPECT_EQ(fr->mb.nomap.cnt, 1);
	EXPECT(!memblock_is_reserved(&fr->mb, 0x9ffff7ff)); /* nothing put below it */
	EXPECT(PageReserved(pfn_to_page(PFN(0x9ffff000))));
	expect_boot_data_mapped(t, fr);
	EXPECT_EQ(node_check(&fr->node), 0);
	fakeram_done(fr);
}

/* The reserved range of @info named "null page", or NULL. */
static const struct dt_reserved *null_page_range(void)
{
	for (int i = 0; i < info.nr_reserved; i++)
		if (strcmp(info.reserved[i].reason, "null page") == 0)
			return &info.reserved[i];
	return NULL;
}

/*
 * RAM from address 0 (tests/dts/ram-at-0.dts): its first page is the no-map
 * range "null page", the page whose kernel address the identity direct map
 * makes NULL: reserved in the node, and never handed out however much is
 * taken. RAM from 0x80000000 (virt) gets no such range.
 */
static void dt_ram_at_0_reserves_the_null_page(struct ktest *t)
{
	struct fakeram *fr = node_from_fixture("ram-at-0", 0x0fe00000, &lim_4g);
	const struct dt_reserved *r = null_page_range();
	unsigned long free = 0, taken = 0, pfn0 = 0;
	struct page *p;

	ASSERT(fr);
	ASSERT(r);
	EXPECT_EQ(r->base, 0);
	EXPECT_EQ(r->size, PAGE_SIZE);
	EXPECT(r->nomap);
	EXPECT_EQ(fr->mb.nomap.cnt, 1);
	EXPECT_EQ(fr->mb.nomap.regions[0].base, 0);
	EXPECT(PageReserved(pfn_to_page(0)));
	EXPECT(!PageReserved(pfn_to_page(1)));
	free = node_free_pages_count(&fr->node);
	while ((p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0)) != NULL) {
		pfn0 += page_to_pfn(p) == 0;
		taken++;
	}
	EXPECT_EQ(pfn0, 0);
	EXPECT(taken > free - free / 64); /* all but what the watermarks keep */
	EXPECT_EQ(node_check(&fr->node), 0);
	fakeram_done(fr);

	fr = node_from_fixture("virt", 0x9fe00000, &lim_4g);
	ASSERT(fr);
	EXPECT(!null_page_range());
	fakeram_done(fr);
}

static void dt_oddbanks(struct ktest *t)
{
	/* The top bank [0x180000800, 0x181000800) starts and ends mid-page:
	 * the section table (33 entries, the first allocation) used to land
	 * in its last partial page [0x181000000, 0x181000800), unmapped. */
	struct fakeram *fr = node_from_fixture("oddbanks", 0xbfe00000, &lim_4g);
	struct pglist_data *node;

	ASSERT(fr);
	node = &fr->node;
	EXPECT_EQ(node->nr_sections, 33);
	EXPECT_EQ(node->node_present_pages, 0x40000 + 0x1fff + 0xfff);
	EXPECT(virt_to_phys(node->sections) < 0x181000000ull);
	EXPECT(!memblock_is_reserved(&fr->mb, 0x181000000ull));
	EXPECT(!memblock_is_reserved(&fr->mb, 0x180000800ull));
	expect_boot_data_mapped(t, fr);
	EXPECT(pfn_valid(0x180001) && !pfn_valid(0x180000) && !pfn_valid(0x181000));
	EXPECT_EQ(node_check(node), 0);
	fakeram_done(fr);
}

static void dt_frag_falls_back_to_sections(struct ktest *t)
{
	/* 512 MiB, free in pieces of at most 3 MiB: no room for the one flat
	 * array (4 MiB), room for four section arrays of 1 MiB. */
	struct fakeram *fr = node_from_fixture("frag", 0x9fe00000, &lim_4g);

	ASSERT(fr);
	EXPECT(fr->node.flat_map == NULL);
	EXPECT_EQ(fr->node.memmap_pages, 131072);
	EXPECT_EQ(fr->node.node_present_pages, 131072);
	expect_boot_data_mapped(t, fr);
	EXPECT(pfn_valid(0x80000) && pfn_valid(0x9ffff));
	EXPECT_EQ(node_check(&fr->node), 0);
	fakeram_done(fr);
}

static struct fakeram *nearfull_fr;
static int nearfull_rc;

static void nearfull_node_panic(void *arg)
{
	(void)arg;
	node_panic(&nearfull_fr->node, &nearfull_fr->mb, nearfull_rc);
}

static void dt_nearfull_panic_names_the_allocation(struct ktest *t)
{
	/* 512 MiB with ~4 MiB free in two pieces: three section arrays fit,
	 * the fourth does not. */
	struct fakeram *fr = fixture_memblock("nearfull", 0x9fe00000);
	static char out[1024];
	int rc;

	ASSERT(fr);
	rc = fakeram_node_init(fr, &lim_4g);
	ASSERT_EQ(rc, -ENOMEM);
	EXPECT_STREQ(fr->node.init_failed_what, "a section's struct pages");
	EXPECT_EQ(fr->node.init_failed_bytes, 32768 * sizeof(struct page));
	nearfull_fr = fr;
	nearfull_rc = rc;
	EXPECT(fr_catch_panic(nearfull_node_panic, NULL, out, sizeof(out)));
	EXPECT(strstr(out, "Kernel panic: mm: cannot build the page allocator: no room for a section's struct pages (1048576 bytes); memblock has "));
	EXPECT(strstr(out, "(error -12)"));
	fakeram_done(fr);
}

/* rvmm-dt's node_plan_boot_data makes exactly node_init's allocations: the
 * same outcome and failure, and the same reserved table afterwards. */
static void dt_plan_matches_node_init(struct ktest *t)
{
	static const struct {
		const char *name;
		u64 dtb_phys;
	} trees[] = {
		{ "virt", 0x87e00000 },	      { "two-banks", 0x8fe00000 },
		{ "multi-reg", 0x8fe00000 },      { "resmem-middle", 0x87e00000 },
		{ "resmem-dynamic", 0xbfe00000 },
		{ "sifive-u", 0x87e00000 },       { "unaligned-end", 0x9fe00000 },
		{ "nomap-halfpage", 0x9fe00000 }, { "oddbanks", 0xbfe00000 },
		{ "frag", 0x9fe00000 },	      { "nearfull", 0x9fe00000 },
	};
	static struct memblock plan_mb;
	static struct pglist_data plan;

	for (size_t k = 0; k < ARRAY_SIZE(trees); k++) {
		struct fakeram *fr = fixture_memblock(trees[k].name, trees[k].dtb_phys);
		bool flat;
		int want, got;

		ASSERT(fr);
		plan_mb = fr->mb;
		ASSERT_EQ(node_layout(&plan, &plan_mb, &lim_4g), 0);
		got = node_plan_boot_data(&plan, &plan_mb, &flat);
		want = fakeram_node_init(fr, &lim_4g);
		EXPECT_EQ(got, want);
		if (want == 0) {
			EXPECT_EQ(plan.memmap_pages, fr->node.memmap_pages);
			EXPECT_EQ(flat, fr->node.flat_map != NULL);
		} else {
			EXPECT_STREQ(plan.init_failed_what, fr->node.init_failed_what);
			EXPECT_EQ(plan.init_failed_bytes, fr->node.init_failed_bytes);
		}
		EXPECT_EQ(plan_mb.reserved.cnt, fr->mb.reserved.cnt);
		for (int i = 0; i < plan_mb.reserved.cnt && i < fr->mb.reserved.cnt; i++) {
			EXPECT_EQ(plan_mb.reserved.regions[i].base, fr->mb.reserved.regions[i].base);
			EXPECT_EQ(plan_mb.reserved.regions[i].size, fr->mb.reserved.regions[i].size);
		}
		if (t->failures)
			kprintf("# %s: the plan differs from node_init\n", trees[k].name);
		fakeram_done(fr);
		if (t->failures)
			return;
	}
}

KTEST_SUITE(mm_dt,
	KTEST_CASE(dt_two_banks),
	KTEST_CASE(dt_virt),
	KTEST_CASE(dt_virt_with_zone_dma),
	KTEST_CASE(dt_virt_zone_dma_below_a_page),
	KTEST_CASE(dt_virt_8g),
	KTEST_CASE(dt_resmem_middle),
	KTEST_CASE(dt_resmem_dynamic),
	KTEST_CASE(dt_memreserve),
	KTEST_CASE(dt_multi_reg),
	KTEST_CASE(dt_sifive_u),
	KTEST_CASE(dt_initrd_memreserve_released),
	KTEST_CASE(dt_unaligned_end),
	KTEST_CASE(dt_nomap_halfpage),
	KTEST_CASE(dt_ram_at_0_reserves_the_null_page),
	KTEST_CASE(dt_oddbanks),
	KTEST_CASE(dt_frag_falls_back_to_sections),
	KTEST_CASE(dt_nearfull_panic_names_the_allocation),
	KTEST_CASE(dt_plan_matches_node_init));
