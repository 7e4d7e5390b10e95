/*
 * whatis_test.c - mm_whatis (what an address is) against what the
 * allocators just did, and the console's allocation commands (kmalloc,
 * kfree, alloc_pages, free_pages, vmalloc, vfree, allocs), through the
 * console capture.
 */
#include <boot/boot.h>
#include <drivers/console.h>
#include <lib/kstring.h>
#include <mm/kasan.h>
#include <mm/kmalloc.h>
#include <mm/memblock.h>
#include <mm/mm.h>
#include <mm/mm_report.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include <mm/vmalloc.h>
#include <shell/shell.h>
#include <tests/ktest.h>

static char out[8192];

static int whatis(const void *p)
{
	int rc;

	console_capture_begin(out, sizeof(out));
	rc = mm_whatis(mem_node, (u64)(uintptr_t)p);
	console_capture_end();
	return rc;
}

static int run(const char *line)
{
	int rc;

	console_capture_begin(out, sizeof(out));
	rc = shell_exec(line);
	console_capture_end();
	return rc;
}

static bool has(const char *s)
{
	return strstr(out, s) != NULL;
}

/* An object's index, its state, and its bytes: a private cache of 200-byte
 * objects (a stride of 200), so object 1 starts 200 bytes after object 0. */
static void slab_object_named(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("whatis-200", 200, 8, 0, NULL);
	char *a, *b, want[96];

	ASSERT(c != NULL);
	a = kmem_cache_alloc(c, GFP_KERNEL);
	b = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT(a && b);
	if (c->flags & SLAB_SLOB) { /* slab=slob: the caches live in a SLOB heap */
		EXPECT_EQ(whatis(a + 10), 0);
		EXPECT(has("a page of the SLOB heap"));
	} else {
		EXPECT_EQ(whatis(a + 10), 0);
		EXPECT(has("slab of cache whatis-200"));
		ksnprintf(want, sizeof(want), "at %p, byte 10 of its 200", a);
		EXPECT(has(want));
		EXPECT(has("whatis: allocated\n"));
		if (c->flags & SLAB_STORE_USER) /* slab_debug=U: who allocated it */
			EXPECT(has("last allocated by slab_object_named+"));
		kmem_cache_free(c, b); /* into this hart's magazine (a debug cache has none) */
		EXPECT_EQ(whatis(b), 0);
		if (KASAN_KERNEL) /* the KASAN kernel holds freed objects back, debug or not */
			EXPECT(has("free: in KASAN's quarantine"));
		else if (c->flags & SLAB_DEBUG_FLAGS)
			EXPECT(has("free: on its slab's free list"));
		else
			EXPECT(has("free: in the magazine of hart slot"));
		kmem_cache_shrink(c); /* magazine back to the slab */
		EXPECT_EQ(whatis(b), 0);
		EXPECT(has("free: on its slab's free list") || has("free: never handed out"));
		b = NULL;
	}
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	kmem_cache_destroy(c);
}

/* A segfit SLOB heap's block and a size page's object: their size, the byte
 * in them, allocated, parked or free; a classic heap's kmalloc block and free
 * block (private heaps of the test's own). */
static void slob_block_named(struct ktest *t)
{
	static struct slob_heap h;
	char *a, *b, *o, want[128];

	slob_heap_init(&h, "whatis-slob", SLOB_SEGFIT);
	a = slob_alloc(&h, 100, GFP_KERNEL, 0);
	b = slob_alloc(&h, 200, GFP_KERNEL, 0);
	o = slob_kmalloc(&h, 64, GFP_KERNEL);
	ASSERT(a && b && o);
	EXPECT_EQ(whatis(a + 7), 0);
	EXPECT(has("a page of the SLOB heap 'whatis-slob' (segfit)"));
	ksnprintf(want, sizeof(want), "block of 112 bytes, payload at %p (108 bytes), byte 7 of it; allocated", a);
	EXPECT(has(want));
	slob_free(&h, a, 100);
	EXPECT_EQ(whatis(a), 0);
	EXPECT(has("free, on a class list"));
	EXPECT_EQ(whatis(o + 3), 0);
	ksnprintf(want, sizeof(want), "of 64-byte objects (1 of 16 in use): object 0 at %p, byte 3 of it; allocated", o);
	EXPECT(has(want));
	slob_free(&h, b, 200);
	slob_kfree(o, virt_to_page(o));
	EXPECT_EQ(slob_check(&h), 0);
	slob_heap_destroy(&h);

	/* classic (2.6.20): a kmalloc block by its header, free space by the list */
	slob_heap_init(&h, "whatis-classic", SLOB_CLASSIC);
	a = slob_kmalloc(&h, 100, GFP_KERNEL);
	b = slob_kmalloc(&h, 200, GFP_KERNEL);
	ASSERT(a && b);
	EXPECT_EQ(whatis(b + 5), 0);
	EXPECT(has("a page of the SLOB heap 'whatis-classic' (classic)"));
	ksnprintf(want, sizeof(want), "likely the kmalloc block at %p (208 bytes usable), byte 5 of it", b);
	EXPECT(has(want));
	slob_kfree(a, virt_to_page(a));
	EXPECT_EQ(whatis(a), 0);
	EXPECT(has("free: a listed block of "));
	slob_kfree(b, virt_to_page(b));
	EXPECT_EQ(slob_check(&h), 0);
	slob_heap_destroy(&h);
}

/* A page of an allocated block names the block's head and order; the same
 * page freed is free. */
static void page_block_named(struct ktest *t)
{
	struct page *pg = alloc_pages(GFP_KERNEL, 2);
	unsigned long pfn;
	char *p, want[96];

	ASSERT(pg != NULL);
	pfn = page_to_pfn(pg);
	p = page_address(pg);
	EXPECT_EQ(whatis(p + 3 * PAGE_SIZE + 100), 0);
	ksnprintf(want, sizeof(want), "page 3 of an order-2 block at pfn 0x%lx, owned by alloc_pages", pfn);
	EXPECT(has(want));
	/* Freed, it waits on this hart's list of order 2 (emptied first: the
	 * 4 pages stay below the least high, 6); drained, it is (part of) a
	 * free block of the zone's. */
	node_drain_pages(mem_node);
	__free_pages(pg, 2);
	EXPECT_EQ(whatis(p + 3 * PAGE_SIZE), 0);
	ksnprintf(want, sizeof(want), "whatis: free: page 3 of an order-2 block on a hart's per-hart list at pfn 0x%lx",
		  pfn);
	EXPECT(has(want));
	node_drain_pages(mem_node);
	EXPECT_EQ(whatis(p + 3 * PAGE_SIZE), 0);
	EXPECT(has("whatis: free: page ") && has(" of a free block of order "));
}

/* A vmalloc address names its area, the page in it, and the guard page;
 * vfree'd, the area waiting for its purge, then none. */
static void vmalloc_area_named(struct ktest *t)
{
	char *v = vmalloc(3 * PAGE_SIZE);
	struct vmalloc_stats vs;

	ASSERT(v != NULL);
	EXPECT_EQ(whatis(v + PAGE_SIZE + 5), 0);
	EXPECT(has("vmalloc area"));
	EXPECT(has("byte 4101 of the area, in its page 1"));
	EXPECT(has("mapped to pfn"));
	EXPECT_EQ(whatis(v + 3 * PAGE_SIZE), 0);
	EXPECT(has("in its guard page"));
	vfree(v);
	vmalloc_get_stats(&vs);
	if (vs.lazy_areas) { /* (more than one hart: it waits for its purge, docs/vmalloc.md) */
		EXPECT_EQ(whatis(v), 0);
		EXPECT(has("vfree'd vmalloc (awaiting its TLB purge"));
		vmalloc_purge();
	}
	EXPECT_EQ(whatis(v), -ENOENT);
	EXPECT(has("in no area"));
}

/* The kernel's own code is reserved as the kernel image; an address that is
 * no RAM is said to be none. */
static void reserved_and_outside(struct ktest *t)
{
	EXPECT_EQ(whatis((const void *)(uintptr_t)slab_object_named), 0);
	EXPECT(has("reserved: the kernel image"));
	EXPECT_EQ(whatis((const void *)0x1000), -ENOENT);
	EXPECT(has("not RAM with a struct page"));
}

/* The address kmalloc printed, taken back from the capture. */
static void *printed_address(const char *after)
{
	const char *s = strstr(out, after);
	u64 a = 0;

	if (!s)
		return NULL;
	s += strlen(after);
	for (s += 2; (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'); s++)
		a = a * 16 + (u64)(*s <= '9' ? *s - '0' : *s - 'a' + 10);
	return (void *)(uintptr_t)a;
}

/* The console frees only what it allocated, each with its own call. */
static void console_frees_only_its_own(struct ktest *t)
{
	char line[64];
	void *p, *q;

	EXPECT_EQ(run("allocs free"), 0);
	EXPECT_EQ(run("kmalloc 100 __gfp_zero GFP_DMA32"), 0);
	p = printed_address("bytes at ");
	ASSERT(p != NULL);
	EXPECT(has("(ksize "));
	EXPECT(has("whatis: "));
	EXPECT(PHYS_PFN(virt_to_phys(p)) < PHYS_PFN(1ull << 32));
	EXPECT_EQ(run("alloc_pages 1"), 0);
	q = printed_address("order 1 at ");
	ASSERT(q != NULL);

	ksnprintf(line, sizeof(line), "free_pages %p", p);
	EXPECT_EQ(run(line), -EINVAL);
	EXPECT(has("came from kmalloc: free it with kfree"));
	ksnprintf(line, sizeof(line), "kfree %p", (char *)p + 8);
	EXPECT_EQ(run(line), -EINVAL);
	EXPECT(has("is not an allocation of this console"));
	EXPECT_EQ(ksize(p) >= 100, true); /* still allocated */

	EXPECT_EQ(run("allocs"), 0);
	EXPECT(has("allocs: 2 held by the console"));
	ksnprintf(line, sizeof(line), "kfree %p", p);
	EXPECT_EQ(run(line), 0);
	ksnprintf(line, sizeof(line), "kfree %p", p);
	EXPECT_EQ(run(line), -EINVAL); /* a second free: refused, not done */
	EXPECT(has("is not an allocation of this console"));
	ksnprintf(line, sizeof(line), "free_pages %p", q);
	EXPECT_EQ(run(line), 0);
	EXPECT_EQ(run("allocs"), 0);
	EXPECT(has("allocs: 0 held by the console"));
}

/* Bad arguments are refused by name and allocate nothing. */
static void console_refuses_bad_arguments(struct ktest *t)
{
	EXPECT_EQ(run("kmalloc"), -EINVAL);
	EXPECT_STREQ(out, "usage: kmalloc SIZE [FLAG...]\n");
	EXPECT_EQ(run("kmalloc 0"), -EINVAL);
	EXPECT_EQ(run("kmalloc 64 GFP_NOSUCH"), -EINVAL);
	EXPECT(has("'GFP_NOSUCH' is not a gfp flag"));
	EXPECT_EQ(run("kmalloc 64 GFP_DMA GFP_DMA32"), -EINVAL);
	EXPECT(has("name no zone"));
	EXPECT_EQ(run("alloc_pages 11"), -EINVAL);
	EXPECT_EQ(run("vmalloc 1x"), -EINVAL);
	EXPECT_EQ(run("whatis nowhere"), -EINVAL);
	EXPECT_EQ(run("allocs"), 0);
	EXPECT(has("allocs: 0 held by the console"));
}

/* A request no allocator can meet says so (the allocator why, unless
 * __GFP_NOWARN) and holds nothing. */
static void console_reports_no_memory(struct ktest *t)
{
	EXPECT_EQ(run("kmalloc 64G"), -ENOMEM);
	EXPECT(has("above KMALLOC_MAX_SIZE")); /* the allocator's own reason */
	EXPECT(has("failed (NULL)"));
	EXPECT_EQ(run("kmalloc 64G __GFP_NOWARN"), -ENOMEM);
	EXPECT_STREQ(out, "kmalloc: 68719476736 bytes: failed (NULL)\n");
	EXPECT_EQ(run("allocs"), 0);
	EXPECT(has("allocs: 0 held by the console"));
}

/* Object caches by hand: made with their flags, named once, objects taken
 * and freed through the console's table, destroyed only when made by the
 * console and holding none of its objects. */
static void console_object_caches(struct ktest *t)
{
	char line[80];
	void *p;
	int rc;

	EXPECT_EQ(run("allocs free"), 0);
	EXPECT_EQ(run("kmem_cache_create ktest-obj 600 SLAB_HWCACHE_ALIGN"), 0);
	EXPECT(has("kmem_cache_create: ktest-obj: objects of 600 bytes (stride "));
	EXPECT_EQ(run("kmem_cache_create ktest-obj 64"), -EEXIST);
	EXPECT_EQ(run("kmem_cache_create kmalloc-64 64"), -EEXIST); /* kmalloc's name, made or not */
	EXPECT_EQ(run("kmem_cache_create kmalloc-96 64"), -EEXIST);
	EXPECT_EQ(run("kmem_cache_create ktest-bad 64 SLAB_NOSUCH"), -EINVAL);
	EXPECT(has("'SLAB_NOSUCH' is not a cache flag"));
	EXPECT_EQ(run("kmem_cache_alloc ktest-nosuch"), -EINVAL);
	EXPECT_EQ(run("kmem_cache_alloc ktest-obj"), 0);
	p = printed_address("an object of ktest-obj at ");
	ASSERT(p != NULL);
	EXPECT(has("whatis: "));
	EXPECT_EQ(run("kmem_cache_destroy ktest-obj"), -EBUSY);
	EXPECT(has("holds 1 object of ktest-obj"));
	EXPECT_EQ(run("kmem_cache_destroy kmalloc-64"), -EINVAL);
	ksnprintf(line, sizeof(line), "kfree %p", p);
	EXPECT_EQ(run(line), -EINVAL);
	EXPECT(has("came from kmem_cache_alloc: free it with kmem_cache_free"));
	ksnprintf(line, sizeof(line), "kmem_cache_free %p", p);
	EXPECT_EQ(run(line), 0);
	EXPECT_EQ(run("kmem_cache_destroy ktest-obj"), 0);
	EXPECT_EQ(run("kmem_cache_alloc ktest-obj"), -EINVAL); /* gone */
	/* a kmalloc class by name: made if kmalloc serves it from a cache; else
	 * there only if an earlier test made a cache of that name */
	rc = run("kmem_cache_alloc kmalloc-64");
	if (kmalloc_is_cache_class("kmalloc-64"))
		EXPECT_EQ(rc, 0);
	else
		EXPECT(rc == 0 ? has("an object of kmalloc-64 at ") : has("no cache named 'kmalloc-64'"));
	EXPECT_EQ(run("allocs free"), 0);
	EXPECT_EQ(run("allocs"), 0);
	EXPECT(has("allocs: 0 held by the console"));
}

/* --- iomem ------------------------------------------------------------------ */

struct iomem_line {
	int depth;
	u64 start, end; /* [start, end] as printed */
	char name[24];
};

static u64 hex_at(const char **s)
{
	u64 v = 0;

	for (; (**s >= '0' && **s <= '9') || (**s >= 'a' && **s <= 'f'); (*s)++)
		v = v * 16 + (u64)(**s <= '9' ? **s - '0' : **s - 'a' + 10);
	return v;
}

/* The capture's lines "  START-END : NAME", parsed; their number. */
static int parse_iomem(struct iomem_line *l, int max)
{
	const char *s = out;
	int n = 0;

	while (*s && n < max) {
		const char *e = strchr(s, '\n');
		size_t k = 0;

		for (l[n].depth = 0; s[0] == ' ' && s[1] == ' '; s += 2)
			l[n].depth++;
		l[n].start = hex_at(&s);
		s++; /* '-' */
		l[n].end = hex_at(&s);
		s += 3; /* " : " */
		for (; s < e && k + 1 < sizeof(l[n].name); s++)
			l[n].name[k++] = *s;
		l[n].name[k] = '\0';
		n++;
		s = e ? e + 1 : s + strlen(s);
	}
	return n;
}

/* Which line at @depth named @name holds physical address @pa (-1: none). */
static int iomem_find(const struct iomem_line *l, int n, int depth, const char *name, u64 pa)
{
	for (int i = 0; i < n; i++)
		if (l[i].depth == depth && !strcmp(l[i].name, name) && pa >= l[i].start && pa <= l[i].end)
			return i;
	return -1;
}

static int data_marker = 1; /* a variable of the image's data */

/* Does @pa lie in a no-map range? (The Icicle Kit's firmware puts the
 * device tree in its no-map region@BFC00000.) */
static bool in_nomap(u64 pa)
{
	for (int i = 0; i < memblock.nomap.cnt; i++)
		if (pa - memblock.nomap.regions[i].base < memblock.nomap.regions[i].size)
			return true;
	return false;
}

/* iomem: the top level tiles memblock's RAM in order; each child lies in
 * its parent, in order, apart from its siblings; the image's code, rodata
 * and data hold what they should, the device tree a Reserved range, a
 * page of the page allocator System RAM and no Reserved one. */
static void iomem_map_consistent(struct ktest *t)
{
	static struct iomem_line l[96];
	u64 top = 0, pa;
	struct page *pg;
	int n, parent[4] = { -1, -1, -1, -1 };

	EXPECT_EQ(run("iomem"), 0);
	n = parse_iomem(l, (int)ARRAY_SIZE(l));
	ASSERT(n >= 5);
	for (int i = 0; i < n; i++) {
		ASSERT(l[i].depth <= 2);
		EXPECT(l[i].start <= l[i].end);
		if (l[i].depth == 0) {
			EXPECT(!strcmp(l[i].name, "System RAM") || !strcmp(l[i].name, "Reserved"));
			top += l[i].end - l[i].start + 1;
		} else {
			const struct iomem_line *p = &l[parent[l[i].depth - 1]];

			EXPECT(l[i].start >= p->start && l[i].end <= p->end);
		}
		if (i > 0 && l[i - 1].depth >= l[i].depth) { /* a sibling or its children before */
			int sib = parent[l[i].depth];

			EXPECT(sib < 0 || l[sib].end < l[i].start);
		}
		parent[l[i].depth] = i;
		for (int d = l[i].depth + 1; d < 4; d++)
			parent[d] = -1;
	}
	EXPECT_EQ(top, memblock_phys_mem_size(&memblock));
	for (int i = 0; i < memblock.nomap.cnt; i++) { /* no-map RAM: top-level Reserved, not System RAM */
		const struct memblock_region *r = &memblock.nomap.regions[i];

		if (!memblock_is_memory(&memblock, r->base))
			continue;
		EXPECT(iomem_find(l, n, 0, "Reserved", r->base) >= 0);
		EXPECT(iomem_find(l, n, 0, "Reserved", r->base + r->size - 1) >= 0);
		EXPECT(iomem_find(l, n, 0, "System RAM", r->base) < 0);
	}
	EXPECT(iomem_find(l, n, 2, "Kernel code", virt_to_phys((void *)(uintptr_t)iomem_map_consistent)) >= 0);
	EXPECT(iomem_find(l, n, 2, "Kernel rodata", virt_to_phys("a string of rodata")) >= 0);
	EXPECT(iomem_find(l, n, 2, "Kernel data", virt_to_phys(&data_marker)) >= 0);
	if (memblock_is_memory(&memblock, boot_dt.dtb_phys)) /* (-dtb of a tree with less RAM: outside) */
		EXPECT(iomem_find(l, n, in_nomap(boot_dt.dtb_phys) ? 0 : 1, "Reserved", boot_dt.dtb_phys) >= 0);
	pg = alloc_page(GFP_KERNEL);
	ASSERT(pg != NULL);
	pa = virt_to_phys(page_address(pg));
	EXPECT(iomem_find(l, n, 0, "System RAM", pa) >= 0);
	EXPECT(iomem_find(l, n, 1, "Reserved", pa) < 0);
	__free_pages(pg, 0);
}

/* memblock: the dump lists every RAM, reserved and no-map region of the
 * kernel's memblock, as the regions are. */
static void memblock_dump_lists_regions(struct ktest *t)
{
	char want[96];

	EXPECT_EQ(run("memblock"), 0);
	EXPECT(has("MEMBLOCK configuration:"));
	for (int i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];

		ksnprintf(want, sizeof(want), " memory[0x%x]\t[0x%016llx-0x%016llx]", i,
			  (unsigned long long)r->base, (unsigned long long)(r->base + r->size - 1));
		EXPECT(has(want));
	}
	for (int i = 0; i < memblock.reserved.cnt; i++) {
		const struct memblock_region *r = &memblock.reserved.regions[i];

		ksnprintf(want, sizeof(want), " reserved[0x%x]\t[0x%016llx-0x%016llx]", i,
			  (unsigned long long)r->base, (unsigned long long)(r->base + r->size - 1));
		EXPECT(has(want));
	}
	ksnprintf(want, sizeof(want), " nomap.cnt  = 0x%x\n", memblock.nomap.cnt);
	EXPECT(has(want));
}

KTEST_SUITE(whatis, KTEST_CASE(slab_object_named), KTEST_CASE(slob_block_named), KTEST_CASE(page_block_named),
	    KTEST_CASE(vmalloc_area_named), KTEST_CASE(reserved_and_outside),
	    KTEST_CASE(console_frees_only_its_own), KTEST_CASE(console_refuses_bad_arguments),
	    KTEST_CASE(console_reports_no_memory), KTEST_CASE(console_object_caches), KTEST_CASE(iomem_map_consistent),
	    KTEST_CASE(memblock_dump_lists_regions));
