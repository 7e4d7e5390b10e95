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
#include <stdlib.h>

#include <drivers/devicetree.h>
#include <tests/ktest.h>
#include <mm/memblock.h>
#include <mm/mmzone.h>
#include "fakeram.h"
#include "host.h"

#define MiB (1ull << 20)
#define KERNEL_BASE 0x80200000ull /* where OpenSBI's fw_jump puts the kernel */
#define KERNEL_SIZE (2 * MiB)
#define PFN(pa) ((unsigned long)((pa) >> PAGE_SHIFT))

static const struct zone_limits lim_4g = { 0, PFN(1ull << 32) };

static struct dt_info info;

/* Parse @name as if the blob lay at @dtb_phys, reserve the kernel, and
 * build the node over fake RAM spanning every bank. */
static struct fakeram *node_from_fixture(const char *name, u64 dtb_phys,
					 const struct zone_limits *lim)
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
	fr_capture_end(&cap, out, sizeof(out));
	free(blob);
	if (err || dt_add_reserved(&info, KERNEL_BASE, KERNEL_SIZE, "kernel", false))
		return NULL;
	for (int i = 0; i < info.nr_ram; i++) {
		lo = MIN(lo, info.ram[i].base);
		hi = MAX(hi, info.ram[i].base + info.ram[i].size);
	}
	fr = fakeram_new(lo, hi - lo);
	if (!fr)
		return NULL;
	if (memblock_add_dt(&fr->mb, &info) || fakeram_node_init(fr, lim)) {
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

	if (small >= PAGE_SIZE || (node->memmap_pages * sizeof(struct page)) % PAGE_SIZE)
		return 0; /* the rule above does not apply: the test fails */
	return node->memmap_pages * sizeof(struct page) / PAGE_SIZE + 1;
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
					       &(struct zone_limits){ 0x84000, 0x100000 });

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
	EXPECT_EQ(boot_data_pages(node), 16385);
	expect_zones(t, fr,
		     (const struct want_zone[]){
			     { 0, 0, 0, 0 },
			     { 0x80000, 524288, 524288, 524288 - 128 - 512 - dtb_pages() },
			     { 0x100000, 1572864, 1572864, 1572864 - 16385 } });
	fakeram_done(fr);
}

static void dt_resmem_middle(struct ktest *t)
{
	/* 512 MiB; reserved: mmode_resv0 (128 pages), shmem (256), the no-map
	 * framebuffer (2048), multi's two ranges (1 + 2), kernel (512), dtb,
	 * and node_init's data (1024 + 1). no-map ranges are RAM, so present,
	 * but never managed. */
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
			       131072 - 128 - 256 - 2048 - 3 - 512 - dtb_pages() - 1025 },
			     { 0, 0, 0, 0 } });
	EXPECT(PageReserved(pfn_to_page(PFN(0x90000000))));
	EXPECT(PageReserved(pfn_to_page(PFN(0x907ff000))));
	EXPECT(!PageReserved(pfn_to_page(PFN(0x90800000))));
	EXPECT(PageReserved(pfn_to_page(PFN(0x9b001000))));
	EXPECT(!PageReserved(pfn_to_page(PFN(0x98000000)))); /* the disabled child */
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

KTEST_SUITE(mm_dt,
	KTEST_CASE(dt_two_banks),
	KTEST_CASE(dt_virt),
	KTEST_CASE(dt_virt_with_zone_dma),
	KTEST_CASE(dt_virt_8g),
	KTEST_CASE(dt_resmem_middle),
	KTEST_CASE(dt_memreserve),
	KTEST_CASE(dt_multi_reg),
	KTEST_CASE(dt_sifive_u),
	KTEST_CASE(dt_initrd_memreserve_released));
