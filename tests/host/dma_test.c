/*
 * dma_test.c - host tests (suite "dma"): coherent DMA allocations and DMA
 * pools (include/mm/dma.h) on fake RAM of two banks, one below 4 GiB
 * (ZONE_DMA32) and one above (ZONE_NORMAL), every free byte dirty.
 *
 * Checked: memory ends at or below the device's mask (a 32-bit device's
 * below 4 GiB even when the Normal zone has room), comes zeroed, aligned to
 * its order and in exact pages; masks no RAM can meet are refused; every
 * mismatched or repeated free is reported and frees nothing; a buffer
 * above a device's mask is streamed through a bounce buffer below it,
 * copied each way as its direction says; pool blocks
 * keep their size, alignment and boundary, map back to their pages, catch
 * double and foreign frees and writes after free; the checkers pass after
 * every step.
 */
#include <string.h>

#include <mm/dma.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <mm/scatterlist.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include <mm/vmalloc.h>
#include <tests/ktest.h>
#include "fakeram.h"
#include "host.h"

#define BANK0 FAKERAM_LOW_BANK
#define BANK_SIZE (32ull << 20)
#define FOUR_GIB (1ull << 32)
#define DIRT 0x5a

static struct fakeram_kmalloc saved;

static struct fakeram *dma_setup(struct ktest *t)
{
	struct fakeram *fr = fakeram_around_4g(BANK_SIZE, DIRT);

	if (!fr) {
		ktest_fail(t, __FILE__, __LINE__, "no fake RAM, or node_init failed");
		return NULL;
	}
	fakeram_kmalloc_up(&saved, KMALLOC_SLAB);
	return fr;
}

static void dma_teardown(struct ktest *t, struct fakeram *fr)
{
	unsigned long nr, bytes;

	EXPECT_EQ(dma_check(), 0);
	dma_coherent_totals(&nr, &bytes);
	EXPECT_EQ(nr, 0ul); /* (a record left would point into unmapped fake RAM) */
	EXPECT_EQ(fakeram_kmalloc_down(&saved), 0);
	node_drain_pages(mem_node);
	EXPECT_EQ(node_check(mem_node), 0);
	fakeram_done(fr);
}

static bool all_zero(const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((const unsigned char *)p)[i])
			return false;
	return true;
}

/* Is the block holding @p allocated (a head with a reference)? */
static bool page_held(const void *p)
{
	struct page *pg = virt_to_page(p);

	return pg && page_count(pg) >= 1;
}

/* ---- coherent allocations -------------------------------------------------- */

/* A 64-bit device gets the Normal zone first; a 32-bit one only memory
 * below 4 GiB, zeroed, aligned to its order, in exact pages. */
static void coherent_honours_mask(struct ktest *t)
{
	struct fakeram *fr = dma_setup(t);
	struct device d64 = { .init_name = "dev64", .coherent_dma_mask = DMA_BIT_MASK(64) };
	struct device d32 = { .init_name = "dev32", .coherent_dma_mask = 0 };
	void *p[24];
	dma_addr_t h[24];
	unsigned long nr, bytes;

	ASSERT(fr != NULL);
	EXPECT_EQ(dma_set_mask_and_coherent(&d32, DMA_BIT_MASK(32)), 0);
	EXPECT(d32.dma_mask == &d32.coherent_dma_mask);
	p[0] = dma_alloc_coherent(&d64, 3 * PAGE_SIZE, &h[0], GFP_KERNEL);
	ASSERT(p[0] != NULL);
	EXPECT(h[0] >= FOUR_GIB);
	EXPECT_EQ(h[0], virt_to_phys(p[0]));
	EXPECT(all_zero(p[0], 3 * PAGE_SIZE));
	for (int i = 1; i < 24; i++) {
		size_t size = i % 3 ? (size_t)i * 1000 + 1 : 16384;

		p[i] = dma_alloc_coherent(&d32, size, &h[i], GFP_KERNEL | __GFP_DMA32 * (i & 1));
		ASSERT(p[i] != NULL);
		EXPECT(h[i] + size - 1 <= DMA_BIT_MASK(32));
		EXPECT(h[i] >= BANK0);
		EXPECT_EQ(h[i], virt_to_phys(p[i]));
		EXPECT(IS_ALIGNED(h[i], PAGE_SIZE << get_order(size)));
		EXPECT(all_zero(p[i], size));
		memset(p[i], 0xee, size);
	}
	dma_coherent_totals(&nr, &bytes);
	EXPECT_EQ(nr, 24ul);
	/* 8193 bytes take 3 pages: the 4th page of its order-2 block is free */
	{
		dma_addr_t hq;
		void *q = dma_alloc_coherent(&d32, 8193, &hq, GFP_KERNEL);

		ASSERT(q != NULL);
		EXPECT(page_held((char *)q + 2 * PAGE_SIZE));
		EXPECT(page_count(virt_to_page((char *)q + 3 * PAGE_SIZE)) == 0);
		dma_free_coherent(&d32, 8193, q, hq);
	}
	EXPECT_EQ(dma_check(), 0);
	dma_free_coherent(&d64, 3 * PAGE_SIZE, p[0], h[0]);
	for (int i = 1; i < 24; i++)
		dma_free_coherent(&d32, i % 3 ? (size_t)i * 1000 + 1 : 16384, p[i], h[i]);
	dma_teardown(t, fr);
}

/* Masks no RAM meets are refused with -EIO, the masks unchanged; an
 * allocation for one, or for a device without a mask, fails with an
 * error; a mask inside the DMA32 zone gets memory below it or none. */
static void impossible_masks(struct ktest *t)
{
	struct fakeram *fr = dma_setup(t);
	struct device d = { .init_name = "low", .coherent_dma_mask = DMA_BIT_MASK(32) };
	struct device none = { .init_name = "nomask", .coherent_dma_mask = 0 };
	unsigned long e0 = dma_error_count();
	struct fr_capture cap;
	char out[2048];
	dma_addr_t h = 0;
	void *p;

	ASSERT(fr != NULL);
	fr_capture_start(&cap);
	EXPECT_EQ(dma_set_mask_and_coherent(&d, DMA_BIT_MASK(31)), -EIO);
	EXPECT_EQ(d.coherent_dma_mask, DMA_BIT_MASK(32));
	EXPECT_EQ(dma_supported(&d, DMA_BIT_MASK(24)), 0);
	EXPECT_EQ(dma_supported(&d, BANK0 + PAGE_SIZE - 1), 1);
	d.coherent_dma_mask = DMA_BIT_MASK(30);
	EXPECT(dma_alloc_coherent(&d, 100, &h, GFP_KERNEL) == NULL);
	EXPECT_EQ(h, DMA_MAPPING_ERROR);
	EXPECT(dma_alloc_coherent(&none, 100, &h, GFP_KERNEL) == NULL);
	EXPECT(dma_alloc_coherent(&d, 0, &h, GFP_KERNEL) == NULL);
	EXPECT(dma_alloc_coherent(NULL, 100, &h, GFP_KERNEL) == NULL);
	d.coherent_dma_mask = DMA_BIT_MASK(32);
	EXPECT(dma_alloc_coherent(&d, (size_t)1 << 40, &h, GFP_KERNEL) == NULL);
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(strstr(out, "dma_set_mask(low): mask 0x7fffffff: no RAM at or below it") != NULL);
	EXPECT(strstr(out, "dma_alloc_coherent(low, 100): mask 0x3fffffff: no RAM at or below it") != NULL);
	EXPECT(strstr(out, "the device has no coherent DMA mask") != NULL);
	EXPECT(strstr(out, "size 0") != NULL);
	EXPECT(strstr(out, "no device") != NULL);
	EXPECT(strstr(out, "larger than RAM") != NULL);
	EXPECT_EQ(dma_error_count() - e0, 6ul);

	/* the first 8 MiB of bank 0 only: whatever comes back lies there */
	d.coherent_dma_mask = BANK0 + (8 << 20) - 1;
	for (int i = 0; i < 4; i++) {
		p = dma_alloc_coherent(&d, PAGE_SIZE, &h, GFP_KERNEL | __GFP_NOWARN);
		if (p) {
			EXPECT(h + PAGE_SIZE - 1 <= d.coherent_dma_mask);
			dma_free_coherent(&d, PAGE_SIZE, p, h);
		}
	}
	dma_teardown(t, fr);
}

/* A free that differs from its allocation in any argument, or repeats, is
 * reported and frees nothing; the right free then works. */
static void coherent_bad_frees(struct ktest *t)
{
	struct fakeram *fr = dma_setup(t);
	struct device d = { .init_name = "nic", .coherent_dma_mask = DMA_BIT_MASK(32) };
	struct device other = { .init_name = "disk", .coherent_dma_mask = DMA_BIT_MASK(32) };
	unsigned long e0 = dma_error_count(), nr, bytes;
	struct fr_capture cap;
	char out[4096];
	dma_addr_t h;
	void *p;

	ASSERT(fr != NULL);
	p = dma_alloc_coherent(&d, 2 * PAGE_SIZE, &h, GFP_KERNEL);
	ASSERT(p != NULL);
	fr_capture_start(&cap);
	dma_free_coherent(&d, PAGE_SIZE, p, h);                  /* size */
	dma_free_coherent(&d, 4 * PAGE_SIZE, p, h);              /* size */
	dma_free_coherent(&d, 2 * PAGE_SIZE, p, h + PAGE_SIZE);  /* handle */
	dma_free_coherent(&d, 2 * PAGE_SIZE, (char *)p + 8, h);  /* address */
	dma_free_coherent(&other, 2 * PAGE_SIZE, p, h);          /* device */
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT_EQ(fr_count_substr(out, "nothing freed"), 5);
	EXPECT_EQ(fr_count_substr(out, "the size is not the allocation's"), 2);
	EXPECT(strstr(out, "no coherent allocation starts at this device address") != NULL);
	EXPECT(strstr(out, "the CPU address is not the allocation's") != NULL);
	EXPECT(strstr(out, "the device is not the allocation's (allocated: nic, 8192 bytes") != NULL);
	EXPECT_EQ(dma_error_count() - e0, 5ul);
	EXPECT(page_held(p));
	dma_coherent_totals(&nr, &bytes);
	EXPECT_EQ(nr, 1ul);
	EXPECT_EQ(bytes, 2 * PAGE_SIZE);
	EXPECT_EQ(dma_check(), 0);
	dma_free_coherent(&d, 2 * PAGE_SIZE, p, h);
	fr_capture_start(&cap);
	dma_free_coherent(&d, 2 * PAGE_SIZE, p, h); /* twice */
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(strstr(out, "never allocated, or freed twice") != NULL);
	EXPECT_EQ(dma_error_count() - e0, 6ul);
	dma_free_coherent(&d, 2 * PAGE_SIZE, NULL, h); /* NULL: nothing, no error */
	EXPECT_EQ(dma_error_count() - e0, 6ul);
	dma_teardown(t, fr);
}

/* ---- streaming mappings ----------------------------------------------------- */

/* A page of the Normal zone (above 4 GiB), filled with @byte. */
static void *high_buffer(int byte)
{
	struct page *pg = alloc_pages(GFP_KERNEL, 0);
	void *p = pg ? page_address(pg) : NULL;

	if (p)
		memset(p, byte, PAGE_SIZE);
	return p;
}

/* Within the mask: the buffer itself; above it: a bounce buffer below it,
 * copied in for the device and back for the CPU as the direction says. */
static void streaming_bounces_above_mask(struct ktest *t)
{
	struct fakeram *fr = dma_setup(t);
	struct device d64 = { .init_name = "dev64", .coherent_dma_mask = DMA_BIT_MASK(64) };
	struct device d32 = { .init_name = "dev32", .coherent_dma_mask = DMA_BIT_MASK(32) };
	unsigned long nr, bounced;
	unsigned char *buf, *dev_view;
	dma_addr_t a;

	ASSERT(fr != NULL);
	buf = high_buffer(0x11);
	ASSERT(buf != NULL);
	ASSERT(virt_to_phys(buf) >= FOUR_GIB);
	/* direct */
	a = dma_map_single(&d64, buf + 100, 1000, DMA_TO_DEVICE);
	EXPECT_EQ(a, virt_to_phys(buf + 100));
	dma_mapping_totals(&nr, &bounced);
	EXPECT_EQ(nr, 1ul);
	EXPECT_EQ(bounced, 0ul);
	dma_unmap_single(&d64, a, 1000, DMA_TO_DEVICE);
	/* to the device: a copy below 4 GiB */
	a = dma_map_single(&d32, buf + 100, 1000, DMA_TO_DEVICE);
	ASSERT(!dma_mapping_error(&d32, a));
	EXPECT(a + 999 < FOUR_GIB);
	dev_view = phys_to_virt(a);
	EXPECT(dev_view[0] == 0x11 && dev_view[999] == 0x11);
	dma_mapping_totals(&nr, &bounced);
	EXPECT_EQ(bounced, 1ul);
	EXPECT_EQ(dma_check(), 0);
	memset(dev_view, 0x99, 1000); /* (the device does not write a to-device buffer: not copied back) */
	dma_unmap_single(&d32, a, 1000, DMA_TO_DEVICE);
	EXPECT(buf[100] == 0x11);
	/* from the device: its writes reach the buffer at sync and unmap */
	a = dma_map_single(&d32, buf, 512, DMA_FROM_DEVICE);
	ASSERT(!dma_mapping_error(&d32, a));
	dev_view = phys_to_virt(a);
	memset(dev_view, 0x22, 512);
	dma_sync_single_for_cpu(&d32, a + 256, 128, DMA_FROM_DEVICE);
	EXPECT(buf[255] == 0x11 && buf[256] == 0x22 && buf[383] == 0x22 && buf[384] == 0x11);
	dma_unmap_single(&d32, a, 512, DMA_FROM_DEVICE);
	EXPECT(buf[0] == 0x22 && buf[511] == 0x22 && buf[512] == 0x11);
	/* both ways: the CPU's writes reach the device at sync_for_device */
	a = dma_map_page(&d32, virt_to_page(buf), 1024, 64, DMA_BIDIRECTIONAL);
	ASSERT(!dma_mapping_error(&d32, a));
	dev_view = phys_to_virt(a);
	EXPECT(dev_view[0] == 0x11);
	buf[1024] = 0x33;
	dma_sync_single_for_device(&d32, a, 64, DMA_BIDIRECTIONAL);
	EXPECT(dev_view[0] == 0x33);
	dev_view[63] = 0x44;
	dma_unmap_page(&d32, a, 64, DMA_BIDIRECTIONAL);
	EXPECT(buf[1024 + 63] == 0x44);
	dma_mapping_totals(&nr, &bounced);
	EXPECT_EQ(nr, 0ul);
	free_page((unsigned long)buf);
	dma_teardown(t, fr);
}

/* Refused maps return DMA_MAPPING_ERROR; bad unmaps and syncs do nothing;
 * each is named. */
static void streaming_refusals(struct ktest *t)
{
	struct fakeram *fr = dma_setup(t);
	struct device d = { .init_name = "dev32", .coherent_dma_mask = DMA_BIT_MASK(32) };
	struct device other = { .init_name = "other", .coherent_dma_mask = DMA_BIT_MASK(32) };
	struct device none = { .init_name = "none", .coherent_dma_mask = 0 };
	struct device low = { .init_name = "low", .coherent_dma_mask = DMA_BIT_MASK(24) };
	unsigned long e0 = dma_error_count(), nr, bounced;
	struct fr_capture cap;
	unsigned char *buf;
	char out[4096];
	dma_addr_t a;

	ASSERT(fr != NULL);
	buf = high_buffer(0x11);
	ASSERT(buf != NULL);
	a = dma_map_single(&d, buf, 256, DMA_FROM_DEVICE);
	ASSERT(!dma_mapping_error(&d, a));
	fr_capture_start(&cap);
	EXPECT(dma_mapping_error(&d, dma_map_single(&d, buf, 0, DMA_TO_DEVICE)));
	EXPECT(dma_mapping_error(&d, dma_map_single(&d, buf, 8, (enum dma_data_direction)7)));
	EXPECT(dma_mapping_error(&d, dma_map_single(&d, buf, 8, DMA_NONE)));
	EXPECT(dma_mapping_error(&d, dma_map_single(&d, (void *)VMALLOC_START, 8, DMA_TO_DEVICE)));
	EXPECT(dma_mapping_error(&none, dma_map_single(&none, buf, 8, DMA_TO_DEVICE)));
	EXPECT(dma_mapping_error(&low, dma_map_single(&low, buf, 8, DMA_TO_DEVICE)));
	dma_unmap_single(&d, a, 128, DMA_FROM_DEVICE);      /* size */
	dma_unmap_single(&d, a, 256, DMA_TO_DEVICE);        /* direction */
	dma_unmap_single(&other, a, 256, DMA_FROM_DEVICE);  /* device */
	dma_unmap_single(&d, a + 8, 256, DMA_FROM_DEVICE);  /* address */
	dma_sync_single_for_cpu(&d, a + 200, 100, DMA_FROM_DEVICE); /* past its end */
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(strstr(out, "dma_map_single(dev32, ") != NULL);
	EXPECT(strstr(out, "size 0") != NULL);
	EXPECT_EQ(fr_count_substr(out, "not a direction"), 2);
	EXPECT(strstr(out, "not RAM at consecutive physical addresses") != NULL);
	EXPECT(strstr(out, "the device has no DMA mask") != NULL);
	EXPECT(strstr(out, "no memory below it for a bounce buffer") != NULL);
	EXPECT_EQ(fr_count_substr(out, "the size is not the mapping's"), 2);
	EXPECT(strstr(out, "the direction is not the mapping's") != NULL);
	EXPECT(strstr(out, "the device is not the mapping's") != NULL);
	EXPECT(strstr(out, "never mapped, or unmapped already") != NULL);
	EXPECT_EQ(fr_count_substr(out, "; nothing done"), 5);
	EXPECT_EQ(dma_error_count() - e0, 11ul);
	dma_mapping_totals(&nr, &bounced);
	EXPECT_EQ(nr, 1ul);
	dma_unmap_single(&d, a, 256, DMA_FROM_DEVICE);
	fr_capture_start(&cap);
	dma_unmap_single(&d, a, 256, DMA_FROM_DEVICE); /* twice */
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(strstr(out, "never mapped, or unmapped already") != NULL);
	/* the same buffer mapped twice for a device that reaches it */
	d.coherent_dma_mask = DMA_BIT_MASK(64);
	a = dma_map_single(&d, buf, 64, DMA_TO_DEVICE);
	fr_capture_start(&cap);
	EXPECT(dma_mapping_error(&d, dma_map_single(&d, buf, 64, DMA_TO_DEVICE)));
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(strstr(out, "already mapped at this device address") != NULL);
	dma_unmap_single(&d, a, 64, DMA_TO_DEVICE);
	free_page((unsigned long)buf);
	dma_teardown(t, fr);
}

/* dma_debug=off: a direct mapping is its address, unrecorded, and its
 * unmap does nothing unchecked; a bounced one is still recorded and its
 * unmap checked. */
static void streaming_debug_off(struct ktest *t)
{
	struct fakeram *fr = dma_setup(t);
	struct device d = { .init_name = "dev32", .coherent_dma_mask = DMA_BIT_MASK(32) };
	unsigned long e0 = dma_error_count(), nr, bounced;
	unsigned char *low, *high = high_buffer(0x11);
	struct fr_capture cap;
	dma_addr_t a, b;
	char out[1024];

	ASSERT(fr != NULL);
	low = page_address(alloc_pages(GFP_DMA32, 0));
	ASSERT(low && high);
	dma_debug = false;
	a = dma_map_single(&d, low, 100, DMA_TO_DEVICE);
	b = dma_map_single(&d, high, 100, DMA_FROM_DEVICE);
	EXPECT_EQ(a, virt_to_phys(low));
	EXPECT(!dma_mapping_error(&d, b) && b != virt_to_phys(high));
	dma_mapping_totals(&nr, &bounced);
	EXPECT_EQ(nr, 1ul);
	EXPECT_EQ(bounced, 1ul);
	fr_capture_start(&cap);
	dma_unmap_single(&d, a, 100, DMA_TO_DEVICE);
	dma_unmap_single(&d, a, 7, DMA_FROM_DEVICE); /* unchecked: nothing */
	dma_unmap_single(&d, b, 50, DMA_FROM_DEVICE); /* a record: checked */
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(strstr(out, "the size is not the mapping's") != NULL);
	EXPECT_EQ(dma_error_count() - e0, 1ul);
	dma_unmap_single(&d, b, 100, DMA_FROM_DEVICE);
	dma_debug = true;
	dma_mapping_totals(&nr, &bounced);
	EXPECT_EQ(nr, 0ul);
	free_page((unsigned long)low);
	free_page((unsigned long)high);
	dma_teardown(t, fr);
}

/* A scatterlist of a page, a kmalloc'ed buffer and a piece of a block:
 * each piece mapped (bounced above a 32-bit mask), synced and unmapped;
 * a piece that cannot be mapped fails the whole list with none left
 * mapped. */
static void scatterlist_pieces(struct ktest *t)
{
	struct fakeram *fr = dma_setup(t);
	struct device d = { .init_name = "sg-dev", .coherent_dma_mask = DMA_BIT_MASK(32) };
	struct scatterlist sg[3], *s;
	unsigned long nr, bounced;
	unsigned char *pg = high_buffer(0x61), *km, *blk;
	int i, n;

	ASSERT(fr != NULL);
	km = kmalloc(300, GFP_KERNEL);
	blk = page_address(alloc_pages(GFP_KERNEL, 1));
	ASSERT(pg && km && blk);
	memset(km, 0x62, 300);
	memset(blk, 0x63, 2 * PAGE_SIZE);
	sg_init_table(sg, 3);
	sg_set_page(&sg[0], virt_to_page(pg), PAGE_SIZE, 0);
	sg_set_buf(&sg[1], km, 300);
	sg_set_page(&sg[2], virt_to_page(blk), 5000, 1000);
	EXPECT(sg_is_last(&sg[2]) && !sg_is_last(&sg[1]));
	n = dma_map_sg(&d, sg, 3, DMA_BIDIRECTIONAL);
	ASSERT_EQ(n, 3);
	for_each_sg(sg, s, n, i) {
		unsigned char *dev_view = phys_to_virt(sg_dma_address(s));

		EXPECT(sg_dma_address(s) + sg_dma_len(s) - 1 < FOUR_GIB);
		EXPECT_EQ(sg_dma_len(s), s->length);
		EXPECT(dev_view[0] == 0x61 + i && dev_view[s->length - 1] == 0x61 + i);
		dev_view[0] = 0x70 + (unsigned char)i; /* the device's write */
	}
	dma_mapping_totals(&nr, &bounced);
	EXPECT_EQ(nr, 3ul);
	EXPECT_EQ(bounced, 2ul + (virt_to_phys(km) >= FOUR_GIB));
	dma_sync_sg_for_cpu(&d, sg, 3, DMA_BIDIRECTIONAL);
	EXPECT(pg[0] == 0x70 && blk[1000] == 0x72);
	EXPECT_EQ(dma_check(), 0);
	dma_unmap_sg(&d, sg, 3, DMA_BIDIRECTIONAL);
	EXPECT(km[0] == 0x71);
	dma_mapping_totals(&nr, &bounced);
	EXPECT_EQ(nr, 0ul);
	/* the last piece cannot be mapped: nothing stays mapped */
	sg_set_page(&sg[2], virt_to_page(blk), 0, 0);
	{
		struct fr_capture cap;
		char out[1024];

		fr_capture_start(&cap);
		EXPECT_EQ(dma_map_sg(&d, sg, 3, DMA_TO_DEVICE), 0);
		fr_capture_end(&cap, out, sizeof(out));
		EXPECT(strstr(out, "dma_map_sg(sg-dev, ") != NULL && strstr(out, "size 0") != NULL);
	}
	dma_mapping_totals(&nr, &bounced);
	EXPECT_EQ(nr, 0ul);
	kfree(km);
	free_pages((unsigned long)blk, 1);
	free_page((unsigned long)pg);
	dma_teardown(t, fr);
}

/* ---- pools ---------------------------------------------------------------- */

/* Every block: its size apart from the others, aligned, inside one
 * boundary segment, below the mask, its handle its physical address; the
 * pool grows a page at a time and keeps one empty page when all are freed. */
static void pool_geometry(struct ktest *t, size_t size, size_t align, size_t boundary, size_t want_size,
			  unsigned int want_per_page)
{
	struct fakeram *fr = dma_setup(t);
	struct device d = { .init_name = "geo", .coherent_dma_mask = DMA_BIT_MASK(32) };
	enum { N = 150 };
	static void *b[N];
	static dma_addr_t h[N];
	struct dma_pool_info in;
	struct dma_pool *pool;

	ASSERT(fr != NULL);
	pool = dma_pool_create("geo", &d, size, align, boundary);
	ASSERT(pool != NULL);
	dma_pool_get_info(pool, &in);
	EXPECT_EQ(in.size, want_size);
	EXPECT_EQ(in.blocks_per_page, want_per_page);
	for (int i = 0; i < N; i++) {
		u64 pa;

		b[i] = dma_pool_alloc(pool, GFP_KERNEL, &h[i]);
		ASSERT(b[i] != NULL);
		pa = virt_to_phys(b[i]);
		EXPECT_EQ(h[i], pa);
		EXPECT(pa + want_size - 1 <= DMA_BIT_MASK(32));
		EXPECT(IS_ALIGNED(pa, MAX(align, (size_t)8)));
		if (boundary)
			EXPECT_EQ(pa / boundary, (pa + want_size - 1) / boundary);
		for (int j = 0; j < i; j++)
			EXPECT(b[j] + want_size <= (void *)b[i] || (char *)b[i] + want_size <= (char *)b[j]);
		memset(b[i], i, want_size);
	}
	dma_pool_get_info(pool, &in);
	EXPECT_EQ(in.blocks_in_use, (unsigned long)N);
	EXPECT_EQ(in.pages, (unsigned long)(N + want_per_page - 1) / want_per_page);
	EXPECT_EQ(dma_pool_check(pool), 0);
	for (int i = 0; i < N; i++) {
		EXPECT(((unsigned char *)b[i])[want_size - 1] == (unsigned char)i);
		dma_pool_free(pool, b[i], h[i]);
		if (i % 37 == 0)
			EXPECT_EQ(dma_pool_check(pool), 0);
	}
	dma_pool_get_info(pool, &in);
	EXPECT_EQ(in.blocks_in_use, 0ul);
	EXPECT_EQ(in.pages, 1ul);
	EXPECT_EQ(dma_pool_check(pool), 0);
	dma_pool_destroy(pool);
	dma_teardown(t, fr);
}

static void pool_small_blocks(struct ktest *t)
{
	pool_geometry(t, 1, 0, 0, 8, 512);
}

static void pool_byte_aligned(struct ktest *t)
{
	/* 13 bytes at alignment 1: whole words all the same (16) */
	pool_geometry(t, 13, 1, 0, 16, 256);
}

static void pool_aligned_with_boundary(struct ktest *t)
{
	/* 100 rounded to 128; four 1 KiB segments of 8 */
	pool_geometry(t, 100, 32, 1024, 128, 32);
}

static void pool_boundary_not_multiple(struct ktest *t)
{
	/* 48-byte blocks: 5 to each 256-byte segment, 16 segments */
	pool_geometry(t, 48, 16, 256, 48, 80);
}

static void pool_big_blocks(struct ktest *t)
{
	/* above a page: one 6000-byte block in each 2-page pool page */
	pool_geometry(t, 6000, 64, 0, 6016, 1);
}

/* Bad arguments: no pool, with the reason. */
static void pool_bad_create(struct ktest *t)
{
	struct fakeram *fr = dma_setup(t);
	struct device d = { .init_name = "dev", .coherent_dma_mask = DMA_BIT_MASK(32) };
	struct device none = { .init_name = "none", .coherent_dma_mask = 0 };
	unsigned long e0 = dma_error_count();
	struct fr_capture cap;
	char out[2048];

	ASSERT(fr != NULL);
	fr_capture_start(&cap);
	EXPECT(dma_pool_create("a", &d, 0, 8, 0) == NULL);
	EXPECT(dma_pool_create("b", &d, 64, 24, 0) == NULL);
	EXPECT(dma_pool_create("b3", &d, 64, 3, 0) == NULL);
	EXPECT(dma_pool_create("c", &d, 64, 8, 32) == NULL);
	EXPECT(dma_pool_create("d", &d, 64, 8, 96) == NULL);
	EXPECT(dma_pool_create("e", &none, 64, 8, 0) == NULL);
	EXPECT(dma_pool_create("f", &d, 5u << 20, 8, 0) == NULL);
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(strstr(out, "dma_pool_create(a, dev, size 0, align 8, boundary 0): size 0") != NULL);
	EXPECT_EQ(fr_count_substr(out, "alignment not a power of two"), 2);
	EXPECT_EQ(fr_count_substr(out, "boundary not a power of two at least the block size"), 2);
	EXPECT(strstr(out, "dma_pool_create(e, none, size 64, align 8, boundary 0): the device has no "
			   "coherent DMA mask") != NULL);
	EXPECT(strstr(out, "size above the largest block") != NULL);
	EXPECT_EQ(dma_error_count() - e0, 7ul);
	dma_teardown(t, fr);
}

/* Frees of what is not a live block of the pool: reported, nothing
 * changes (the counts, the bitmap, the block's contents). */
static void pool_bad_frees(struct ktest *t)
{
	struct fakeram *fr = dma_setup(t);
	struct device d = { .init_name = "dev", .coherent_dma_mask = DMA_BIT_MASK(32) };
	unsigned long e0 = dma_error_count();
	struct dma_pool *pa, *pb;
	struct dma_pool_info in;
	struct fr_capture cap;
	dma_addr_t h1, h2, hb;
	char out[4096];
	void *b1, *b2, *bb;

	ASSERT(fr != NULL);
	pa = dma_pool_create("pool-a", &d, 64, 64, 0);
	pb = dma_pool_create("pool-b", &d, 64, 64, 0);
	ASSERT(pa && pb);
	b1 = dma_pool_alloc(pa, GFP_KERNEL, &h1);
	b2 = dma_pool_alloc(pa, GFP_KERNEL, &h2);
	bb = dma_pool_alloc(pb, GFP_KERNEL, &hb);
	ASSERT(b1 && b2 && bb);
	memset(b2, 0x11, 64);
	dma_pool_free(pa, b1, h1);
	fr_capture_start(&cap);
	dma_pool_free(pa, b1, h1);                   /* double */
	dma_pool_free(pa, (char *)b2 + 8, h2 + 8);   /* inside a block */
	dma_pool_free(pa, b2, h2 + 64);              /* wrong handle */
	dma_pool_free(pa, bb, hb);                   /* another pool's */
	dma_pool_free(pa, (char *)b2 + 2 * PAGE_SIZE, h2); /* past the page */
	dma_pool_free(NULL, b2, h2);
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT_EQ(fr_count_substr(out, "nothing freed"), 5);
	EXPECT(strstr(out, "the block is free (a double free)") != NULL);
	EXPECT(strstr(out, "not the start of a block") != NULL);
	EXPECT(strstr(out, "the device address is not the block's") != NULL);
	EXPECT_EQ(fr_count_substr(out, "not in a page of this pool"), 2);
	EXPECT(strstr(out, "no pool") != NULL);
	EXPECT_EQ(dma_error_count() - e0, 6ul);
	dma_pool_get_info(pa, &in);
	EXPECT_EQ(in.blocks_in_use, 1ul);
	EXPECT(((unsigned char *)b2)[63] == 0x11);
	EXPECT_EQ(dma_pool_check(pa), 0);
	EXPECT_EQ(dma_pool_check(pb), 0);
	/* a pool page is not freed as a coherent allocation */
	fr_capture_start(&cap);
	dma_free_coherent(&d, PAGE_SIZE, (void *)((uintptr_t)b2 & ~(uintptr_t)(PAGE_SIZE - 1)),
			  h2 & ~(dma_addr_t)(PAGE_SIZE - 1));
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(strstr(out, "a DMA pool's page: free its blocks with dma_pool_free") != NULL);
	dma_pool_free(pa, b2, h2);
	dma_pool_free(pb, bb, hb);
	dma_pool_destroy(pa);
	dma_pool_destroy(pb);
	dma_teardown(t, fr);
}

/* A block written after its free is named when handed out again (and by
 * the checker before that); dma_pool_zalloc and __GFP_ZERO zero. */
static void pool_write_after_free(struct ktest *t)
{
	struct fakeram *fr = dma_setup(t);
	struct device d = { .init_name = "dev", .coherent_dma_mask = DMA_BIT_MASK(64) };
	unsigned long e0 = dma_error_count();
	struct fr_capture cap;
	struct dma_pool *pool;
	char out[2048];
	dma_addr_t h, h2;
	unsigned char *b, *b2;

	ASSERT(fr != NULL);
	pool = dma_pool_create("rx", &d, 32, 0, 0);
	ASSERT(pool != NULL);
	b = dma_pool_zalloc(pool, GFP_KERNEL, &h);
	ASSERT(b != NULL);
	EXPECT(all_zero(b, 32));
	dma_pool_free(pool, b, h);
	EXPECT_EQ(b[0], DMA_POOL_POISON);
	EXPECT_EQ(dma_error_count(), e0);
	b[17] = 0x42; /* a device finishing a write into a freed descriptor */
	fr_capture_start(&cap);
	EXPECT_EQ(dma_pool_check(pool), 1);
	b2 = dma_pool_alloc(pool, GFP_KERNEL, &h2);
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(b2 == b); /* the lowest free block */
	EXPECT(strstr(out, "free block 0 of page") != NULL);
	EXPECT(strstr(out, "was written after its free: byte 17 is 0x42, not 0xa7") != NULL);
	EXPECT_EQ(dma_error_count() - e0, 1ul);
	EXPECT_EQ(dma_pool_check(pool), 0);
	dma_pool_free(pool, b2, h2);
	b2 = dma_pool_alloc(pool, GFP_KERNEL | __GFP_ZERO, &h2); /* __GFP_ZERO as dma_pool_zalloc */
	ASSERT(b2 != NULL);
	EXPECT(all_zero(b2, 32));
	dma_pool_free(pool, b2, h2);
	dma_pool_destroy(pool);
	dma_teardown(t, fr);
}

/* Destroyed with blocks out: reported, the pages stay; the blocks freed
 * later go back, and the last frees the pool (dma_teardown finds no
 * allocation left). */
static void pool_destroy_with_blocks_out(struct ktest *t)
{
	struct fakeram *fr = dma_setup(t);
	struct device d = { .init_name = "dev", .coherent_dma_mask = DMA_BIT_MASK(32) };
	struct fr_capture cap;
	struct dma_pool *pool;
	unsigned long nr, bytes;
	char out[1024];
	dma_addr_t h[70];
	void *b[70];

	ASSERT(fr != NULL);
	pool = dma_pool_create("tx", &d, 128, 0, 0);
	ASSERT(pool != NULL);
	for (int i = 0; i < 70; i++) {
		b[i] = dma_pool_alloc(pool, GFP_ATOMIC, &h[i]);
		ASSERT(b[i] != NULL);
	}
	for (int i = 0; i < 32; i++) /* the first page empties: kept */
		dma_pool_free(pool, b[i], h[i]);
	dma_coherent_totals(&nr, &bytes);
	EXPECT_EQ(nr, 3ul);
	fr_capture_start(&cap);
	dma_pool_destroy(pool);
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(strstr(out, "dma_pool_destroy(tx): 38 blocks still in use; the pool's 2 pages are left "
			   "allocated until they are freed") != NULL);
	dma_coherent_totals(&nr, &bytes);
	EXPECT_EQ(nr, 2ul);
	EXPECT(page_held(b[40]));
	/* the device's leaks: the two pool pages and a mapping */
	{
		void *buf = kmalloc(64, GFP_KERNEL);
		dma_addr_t a = dma_map_single(&d, buf, 64, DMA_TO_DEVICE);
		struct device other = { .init_name = "other", .coherent_dma_mask = DMA_BIT_MASK(32) };

		fr_capture_start(&cap);
		EXPECT_EQ(dma_device_leaks(&d), 3ul);
		EXPECT_EQ(dma_device_leaks(&other), 0ul);
		fr_capture_end(&cap, out, sizeof(out));
		EXPECT_EQ(fr_count_substr(out, "dma: dev still holds 4096 coherent bytes at dma 0x"), 2);
		EXPECT_EQ(fr_count_substr(out, "for pool tx, allocated by"), 2);
		EXPECT_EQ(fr_count_substr(out, "dma: dev still has 64 bytes mapped at dma 0x"), 1);
		EXPECT(!dma_mapping_error(&d, a));
		dma_unmap_single(&d, a, 64, DMA_TO_DEVICE);
		kfree(buf);
	}
	for (int i = 32; i < 70; i++)
		dma_pool_free(pool, b[i], h[i]);
	EXPECT_EQ(dma_device_leaks(&d), 0ul);
	dma_teardown(t, fr);
}

KTEST_SUITE(dma, KTEST_CASE(coherent_honours_mask), KTEST_CASE(impossible_masks),
	    KTEST_CASE(coherent_bad_frees), KTEST_CASE(streaming_bounces_above_mask),
	    KTEST_CASE(streaming_refusals), KTEST_CASE(streaming_debug_off), KTEST_CASE(scatterlist_pieces), KTEST_CASE(pool_small_blocks), KTEST_CASE(pool_byte_aligned),
	    KTEST_CASE(pool_aligned_with_boundary), KTEST_CASE(pool_boundary_not_multiple),
	    KTEST_CASE(pool_big_blocks), KTEST_CASE(pool_bad_create), KTEST_CASE(pool_bad_frees),
	    KTEST_CASE(pool_write_after_free), KTEST_CASE(pool_destroy_with_blocks_out));
