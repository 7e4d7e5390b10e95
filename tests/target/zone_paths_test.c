/*
 * zone_paths_test.c - the zone contract on every allocation path, checked
 * by physical address (suite "zone_paths").
 *
 * The contract (docs/memory.md, "Zones"): whatever a request with zone
 * bits gets lies wholly in its zone, by physical address:
 *   GFP_DMA32  below 4 GiB;
 *   GFP_DMA    below the end of ZONE_DMA when zone_dma_limit= made one,
 *              else below 4 GiB;
 * and a request that cannot be served so fails with NULL and a message
 * that says why (the page allocator's failure warning, kmalloc's refusal),
 * never with memory of a higher zone. Each byte range is translated page by
 * page (linear map, vmalloc and KFENCE pool through the page table), so a
 * KFENCE object or a vmap counts by where its pages really are.
 *
 * The suite zones (zones_test.c) covers the magazines and free lists of
 * kmalloc and kmem_cache; this one covers the rest: kmalloc from 8 bytes to
 * 4 MiB (slab classes, SLOB blocks, bigblocks of a power of two of pages
 * and of other page counts, which alloc_pages_fit places), in every
 * kmalloc_heap mode and on both backends; kzalloc and kcalloc; krealloc
 * growing and shrinking, in place and moving, from Normal memory and from
 * the zone; kmem_cache objects of every size on both cache models; KFENCE
 * sampling (its pool is GFP_KERNEL memory: zone requests are never
 * sampled); alloc_pages of every order with the per-hart lists empty and
 * holding Normal pages, alloc_pages_exact, alloc_pages_fit,
 * alloc_contig_pages; runs grown in place (extend_pages_exact,
 * extend_contig_range); kvmalloc beyond 4 MiB; both zone bits at once;
 * the page wrappers (__get_free_pages of every order, __get_free_page,
 * get_zeroed_page, alloc_page), __vmalloc and kmem_cache_zalloc, the
 * zeroing ones over dirtied zone pages; zone objects freed on every hart
 * and asked for again here; and all of them again with ZONE_DMA32 (and
 * ZONE_DMA) filled: NULL with a report (nothing printed with
 * __GFP_NOWARN), or zone memory, never Normal memory; and vmalloc with
 * the zone exhausted: NULL with vmalloc's own line.
 *
 * Without RAM above 4 GiB every answer is below 4 GiB and the checks pass
 * trivially, but the filled-zone case still checks failures and reports.
 * make test boots it at -m 8G, 4G and 2G, with zone_dma_limit=0x90000000,
 * with KFENCE sampling every allocation, and on virt-8g-dma32-reserved.dts
 * (most of DMA32 a no-map reserved region); on two NUMA memory nodes
 * (node 1 above 4 GiB), at 5G, with slab_debug, kmalloc_heap=compact and
 * =on, and on the KASAN kernel (tests/qemu/ktest-all.sh, kasan-checks.sh).
 */
#include <boot/hart.h>
#include <drivers/console.h>
#include <lib/kstring.h>
#include <lib/list.h>
#include <mm/kfence.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/mm_init.h>
#include <mm/mmzone.h>
#include <mm/pgtable.h>
#include <mm/port.h>
#include <mm/slab.h>
#include <mm/vmalloc.h>
#include <tests/ktest.h>

#define FOUR_GIB (1ull << 32)
#define NR_OBJS 256

static void *objs[NR_OBJS];
static char out[2048];

static const gfp_t zone_gfps[] = { GFP_DMA32, GFP_DMA, 0 };

/* GFP_DMA means ZONE_DMA only: zone_dma_limit= was given, even one with
 * no page of RAM below it (then GFP_DMA gets nothing). Without it GFP_DMA
 * means below 4 GiB. */
static bool has_dma_zone(void)
{
	return zone_dma_limit != 0;
}

/* The physical end a request of @gfp must stay below (~0: anywhere). */
static u64 zone_limit(gfp_t gfp)
{
	if ((gfp & __GFP_DMA) && has_dma_zone())
		return PFN_PHYS(zone_end_pfn(&mem_node->zones[ZONE_DMA]));
	if (gfp & GFP_ZONEMASK)
		return FOUR_GIB;
	return ~0ull;
}

/* The physical address of @va: the linear map, or the page table
 * (vmalloc, the KFENCE pool); ~0 when unmapped. */
static u64 pa_of(const void *va)
{
	if (is_vmalloc_addr(va) || is_kfence_address(va))
		return port_kernel_pgtable()
			       ? pgtable_translate(port_kernel_pgtable(), (u64)(uintptr_t)va)
			       : ~0ull;
	return virt_to_phys(va);
}

/* The first byte of [@p, @p + @size) outside @gfp's zone, as a physical
 * address; 0 when every byte is in it. */
static u64 first_outside(const void *p, size_t size, gfp_t gfp)
{
	u64 limit = zone_limit(gfp);
	uintptr_t a = (uintptr_t)p, end = (uintptr_t)p + size;

	while (a < end) {
		uintptr_t next = MIN(end, (a & ~(uintptr_t)(PAGE_SIZE - 1)) + PAGE_SIZE);
		u64 pa = pa_of((const void *)a);

		if (pa == ~0ull || pa + (next - a) > limit)
			return pa == ~0ull ? 1 : pa;
		a = next;
	}
	return 0;
}

/* Record a block outside its zone; true when it is in it (or NULL). */
static bool check_in_zone(struct ktest *t, int line, const char *what, const void *p, size_t size,
			  gfp_t gfp)
{
	u64 bad;

	if (ZERO_OR_NULL_PTR(p) || !(bad = first_outside(p, size, gfp)))
		return true;
	ktest_fail(t, __FILE__, line, "%s(%zu, gfp 0x%x) = %p: byte at pa 0x%llx is outside the zone "
		   "(limit 0x%llx)", what, size, gfp, p, (unsigned long long)bad,
		   (unsigned long long)zone_limit(gfp));
	return false;
}
#define IN_ZONE(what, p, size, gfp) check_in_zone(t, __LINE__, what, p, size, gfp)

/* Free pages of the zones @gfp may use, on the buddy lists and per-hart
 * lists, beyond each zone's min mark and lowmem reserve for it. */
static unsigned long usable_pages(gfp_t gfp)
{
	unsigned int top = (gfp & __GFP_DMA) && has_dma_zone() ? ZONE_DMA
			   : (gfp & GFP_ZONEMASK)		 ? ZONE_DMA32
								 : ZONE_NORMAL;
	unsigned long n = 0;

	for (unsigned int zi = 0; zi <= top; zi++) {
		const struct zone *z = &mem_node->zones[zi];
		unsigned long keep = z->watermark[WMARK_MIN] + z->lowmem_reserve[top];
		unsigned long free = z->free_pages + zone_pcp_count(z);

		if (populated_zone(z) && free > keep)
			n += free - keep;
	}
	return n;
}

/* Should @n blocks of @bytes have been served? Only with plenty of room:
 * a block the zone's memory cannot hold is a right NULL. */
static bool room_for(gfp_t gfp, unsigned long n, unsigned long bytes)
{
	return usable_pages(gfp) > 4 * n * ((bytes + PAGE_SIZE - 1) / PAGE_SIZE) + 2048;
}

/* Normal memory on the free lists, magazines and per-hart lists kmalloc
 * looks at for @size: @n blocks allocated plainly and freed. */
static void prefill_kmalloc(size_t size, int n)
{
	for (int i = 0; i < n; i++)
		objs[i] = kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
	for (int i = 0; i < n; i++)
		kfree(objs[i]);
}

/* Order-0 Normal pages onto the per-hart lists (freed last, so they are
 * the first a list hands out). */
static void prefill_pcp(void)
{
	static struct page *pages[NR_OBJS];

	for (int i = 0; i < NR_OBJS; i++)
		pages[i] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0);
	for (int i = 0; i < NR_OBJS; i++)
		if (pages[i])
			__free_pages(pages[i], 0);
}

/* 8 bytes .. 4 MiB: slab classes and SLOB blocks, then bigblocks of a
 * power of two of pages (alloc_pages) and of other counts (alloc_pages_fit). */
static const size_t kmalloc_sizes_checked[] = {
	8,	 24,	  100,	    520,	  1500,		4000,	       8192,	    8193,
	12288,	 20000,	  5 * 4096, 7 * 4096 + 1, 33 * 4096,	100 * 4096 - 8, 256 * 4096, 1000 * 4096,
	1023 * 4096 + 1, 4 << 20,
};

/* How many of each size: fewer of the big ones. */
static int tries_for(size_t size)
{
	return size <= 8192 ? 32 : size <= 128 * 4096 ? 8 : 2;
}

/* kmalloc and kzalloc of every size and zone after a Normal prefill. */
static void kmalloc_every_size(struct ktest *t, const char *mode)
{
	for (unsigned int si = 0; si < ARRAY_SIZE(kmalloc_sizes_checked); si++) {
		volatile size_t vsize = kmalloc_sizes_checked[si];
		size_t size = vsize;
		int n = tries_for(size);

		for (unsigned int gi = 0; gi < ARRAY_SIZE(zone_gfps); gi++) {
			gfp_t gfp = zone_gfps[gi] | (si & 1 ? __GFP_ZERO : 0);
			bool want = room_for(gfp, (unsigned long)n, size);
			int null = 0;

			prefill_kmalloc(size, n + 8);
			for (int i = 0; i < n; i++) {
				objs[i] = kmalloc(size, gfp | __GFP_NOWARN);
				null += !objs[i];
				IN_ZONE(mode, objs[i], size, gfp);
				if (objs[i] && (gfp & __GFP_ZERO) && memchr_inv(objs[i], 0, size))
					ktest_fail(t, __FILE__, __LINE__, "%s: kzalloc(%zu, 0x%x) not cleared",
						   mode, size, gfp);
				if (objs[i])
					memset(objs[i], 0xa5, size); /* dirty for the next round */
			}
			for (int i = 0; i < n; i++)
				kfree(objs[i]);
			if (null && want)
				ktest_fail(t, __FILE__, __LINE__, "%s: kmalloc(%zu, 0x%x): %d of %d NULL with "
					   "%lu pages of the zone free", mode, size, gfp, null, n,
					   usable_pages(gfp));
		}
	}
}

/* kmalloc=slab with each kmalloc_heap mode, and kmalloc=slob. */
static void kmalloc_sizes_all_modes(struct ktest *t)
{
	enum kmalloc_backend saved = kmalloc_backend;
	u64 saved_heap = kmalloc_heap_classes;

	kmalloc_set_backend(KMALLOC_SLAB);
	kmalloc_set_heap_classes(0);
	kmalloc_every_size(t, "kmalloc slab heap=off");
	kmalloc_set_heap_classes(kmalloc_default_heap_classes());
	kmalloc_every_size(t, "kmalloc slab heap=on");
	kmalloc_set_heap_classes(kmalloc_compact_heap_classes());
	kmalloc_every_size(t, "kmalloc slab heap=compact");
	kmalloc_set_heap_classes(saved_heap);
	kmalloc_set_backend(KMALLOC_SLOB);
	kmalloc_every_size(t, "kmalloc slob");
	kmalloc_set_backend(saved);
}

/* kcalloc of n x size, zone bits, over dirty Normal memory. */
static void kcalloc_in_zone(struct ktest *t)
{
	static const size_t sizes[][2] = { { 3, 40 }, { 100, 33 }, { 7, 4096 }, { 1000, 4100 } };

	for (unsigned int si = 0; si < ARRAY_SIZE(sizes); si++) {
		size_t bytes = sizes[si][0] * sizes[si][1];

		for (unsigned int gi = 0; gi < 2; gi++) {
			void *p;

			for (int i = 0; i < 4; i++) {
				objs[i] = kmalloc(bytes, GFP_KERNEL | __GFP_NOWARN);
				if (objs[i])
					memset(objs[i], 0xff, bytes);
			}
			for (int i = 0; i < 4; i++)
				kfree(objs[i]);
			p = kcalloc(sizes[si][0], sizes[si][1], zone_gfps[gi]);
			EXPECT(p != NULL || !room_for(zone_gfps[gi], 1, bytes));
			IN_ZONE("kcalloc", p, bytes, zone_gfps[gi]);
			if (p && memchr_inv(p, 0, bytes))
				ktest_fail(t, __FILE__, __LINE__, "kcalloc(%zu, %zu) not cleared",
					   sizes[si][0], sizes[si][1]);
			kfree(p);
		}
	}
}

/* krealloc through a chain of sizes, up to 4 MiB and back, with @gfp at
 * every step, from a block of @start_gfp: every result in @gfp's zone, the
 * bytes kept. */
static void krealloc_chain(struct ktest *t, const char *mode, gfp_t start_gfp, gfp_t gfp)
{
	static const size_t chain[] = { 8,	    100,	 64,	      3000,	  9000, 8200,
					5 * 4096,   40 * 4096,	 41 * 4096,   4 << 20,	  1000 * 4096,
					3 * 4096 + 5, 4096,	 100,	      2000,	  8 };
	size_t have = chain[0];
	unsigned char *p = kmalloc(have, start_gfp);

	if (!p)
		return;
	memset(p, 0x5a, have);
	for (unsigned int i = 1; i < ARRAY_SIZE(chain); i++) {
		size_t size = chain[i], keep = MIN(have, size);
		unsigned char *q = krealloc(p, size, gfp | __GFP_NOWARN), *lost;

		if (!q) {
			if (room_for(gfp, 1, size))
				ktest_fail(t, __FILE__, __LINE__, "%s: krealloc(%zu -> %zu, 0x%x) NULL",
					   mode, have, size, gfp);
			break;
		}
		p = q;
		if (!IN_ZONE(mode, p, size, gfp))
			break;
		lost = memchr_inv(p, 0x5a, keep);
		if (lost)
			ktest_fail(t, __FILE__, __LINE__, "%s: krealloc(%zu -> %zu) lost byte %zu", mode,
				   have, size, (size_t)(lost - p));
		memset(p, 0x5a, size);
		have = size;
	}
	kfree(p);
}

/* In place within ksize (growing and shrinking), moving, bigblocks grown
 * and cut; from Normal blocks and from zone blocks. */
static void krealloc_every_backend(struct ktest *t)
{
	enum kmalloc_backend saved = kmalloc_backend;

	for (int be = 0; be < 2; be++) {
		const char *mode = be ? "krealloc slob" : "krealloc slab";

		kmalloc_set_backend(be ? KMALLOC_SLOB : KMALLOC_SLAB);
		for (unsigned int gi = 0; gi < 2; gi++) {
			krealloc_chain(t, mode, GFP_KERNEL, zone_gfps[gi]);
			krealloc_chain(t, mode, zone_gfps[gi], zone_gfps[gi]);
			krealloc_chain(t, mode, zone_gfps[gi] | __GFP_ZERO, zone_gfps[gi]);
		}
	}
	kmalloc_set_backend(saved);
}

/* A block that shrinks or grows within its size stays where it is only
 * when it is in the zone asked for: a Normal block krealloc'ed smaller
 * with GFP_DMA32 must move. */
static void krealloc_shrink_moves_to_zone(struct ktest *t)
{
	static const size_t sizes[][2] = { { 200, 100 }, { 4000, 64 }, { 20000, 9000 },
					   { 5 * 4096, 5 * 4096 - 100 }, { 64, 64 } };

	for (unsigned int si = 0; si < ARRAY_SIZE(sizes); si++) {
		for (unsigned int gi = 0; gi < 2; gi++) {
			void *p = kmalloc(sizes[si][0], GFP_KERNEL), *q;

			ASSERT(p != NULL);
			memset(p, 0x3c, sizes[si][1]);
			q = krealloc(p, sizes[si][1], zone_gfps[gi]);
			EXPECT(q != NULL || !room_for(zone_gfps[gi], 1, sizes[si][1]));
			IN_ZONE("krealloc shrink", q, sizes[si][1], zone_gfps[gi]);
			if (q && ((unsigned char *)q)[sizes[si][1] - 1] != 0x3c)
				ktest_fail(t, __FILE__, __LINE__, "krealloc shrink lost the bytes");
			kfree(q ? q : p);
		}
	}
}

/* kmem_cache objects of every size on both models, zone flags. */
static void kmem_cache_every_size(struct ktest *t)
{
	/* up to the largest cache object (32 KiB): SLOB-model caches serve
	 * the ones above a SLOB block as bigblocks */
	static const unsigned int sizes[] = { 8, 200, 3000, 9000, 5 * 4096 + 8, 30000 };
	static const unsigned long flags[] = { SLAB_CACHE_DMA32, SLAB_CACHE_DMA };
	static const unsigned long models[] = { SLAB_NOSLOB, SLAB_SLOB };

	for (unsigned int mi = 0; mi < ARRAY_SIZE(models); mi++) {
		for (unsigned int fi = 0; fi < ARRAY_SIZE(flags); fi++) {
			for (unsigned int si = 0; si < ARRAY_SIZE(sizes); si++) {
				struct kmem_cache *c;
				gfp_t gfp = flags[fi] == SLAB_CACHE_DMA ? GFP_DMA : GFP_DMA32;

				c = kmem_cache_create("zone-paths", sizes[si], 0, flags[fi] | models[mi], NULL);
				ASSERT(c != NULL);
				prefill_kmalloc(sizes[si], 16);
				for (int i = 0; i < 16; i++) {
					objs[i] = kmem_cache_alloc(c, i & 1 ? gfp : GFP_KERNEL);
					EXPECT(objs[i] != NULL || !room_for(gfp, 16, sizes[si]));
					IN_ZONE(models[mi] == SLAB_SLOB ? "kmem_cache_alloc slob"
									: "kmem_cache_alloc slab",
						objs[i], sizes[si], gfp);
				}
				for (int i = 0; i < 16; i++)
					if (objs[i])
						kmem_cache_free(c, objs[i]);
				EXPECT_EQ(kmem_cache_check(c), 0);
				kmem_cache_destroy(c);
			}
		}
	}
}

/* With KFENCE sampling every allocation (on for the case if it was off):
 * zone requests are never sampled, so they stay in the zone; a sampled
 * plain object krealloc'ed with zone bits moves into the zone. Where the
 * pool is goes to the log. */
static void kfence_sampling(struct ktest *t)
{
	unsigned long saved = kfence_get_interval();
	int sampled = 0;

	if (!port_kernel_pgtable()) {
		ktest_skip(t, "no paging: no KFENCE");
		return;
	}
	if (!kfence_enabled) {
		int rc = kfence_set_interval(1);

		if (rc == -ENOMEM || rc == -EOPNOTSUPP) { /* a small machine; the KASAN kernel */
			ktest_skip(t, "KFENCE cannot run here (error %d)", rc);
			return;
		}
		ASSERT_EQ(rc, 0);
	}
	ASSERT(kfence_enabled);
	for (unsigned int gi = 0; gi < ARRAY_SIZE(zone_gfps); gi++) {
		for (int i = 0; i < 16; i++) {
			kfence_sample_next();
			objs[i] = kmalloc(64 + 100 * i, zone_gfps[gi]);
			EXPECT(objs[i] != NULL || !room_for(zone_gfps[gi], 16, 64 + 100 * i));
			IN_ZONE("kmalloc under KFENCE", objs[i], 64 + 100 * i, zone_gfps[gi]);
			if (is_kfence_address(objs[i])) {
				sampled++;
				if (i == 0)
					kprintf("zone_paths: KFENCE object %p at pa 0x%llx\n", objs[i],
						(unsigned long long)pa_of(objs[i]));
			}
		}
		for (int i = 0; i < 16; i++)
			kfree(objs[i]);
	}
	EXPECT(sampled > 0); /* the plain ones were */
	for (unsigned int gi = 0; gi < 2; gi++) {
		void *p, *q;

		kfence_sample_next();
		p = kmalloc(200, GFP_KERNEL);
		ASSERT(p != NULL);
		memset(p, 0x77, 200);
		q = krealloc(p, 100, zone_gfps[gi]); /* shrinks: must leave the pool */
		EXPECT(q != NULL || !room_for(zone_gfps[gi], 1, 100));
		IN_ZONE("krealloc of a KFENCE object", q, 100, zone_gfps[gi]);
		EXPECT(!q || ((unsigned char *)q)[99] == 0x77);
		kfree(q ? q : p);
	}
	if (!saved)
		EXPECT_EQ(kfence_set_interval(0), 0);
}

/* alloc_pages of every order with the per-hart lists drained and with
 * Normal pages on them; alloc_pages_exact and alloc_pages_fit of exact
 * page counts; alloc_contig_pages runs. */
static void page_paths(struct ktest *t)
{
	static const size_t exact_sizes[] = { 1, 4097, 3 * 4096, 5 * 4096, 100 * 4096 + 1, 1000 * 4096,
					      4 << 20 };
	static const unsigned long contig_pages[] = { 1024, 1536, 3000 };

	for (unsigned int gi = 0; gi < ARRAY_SIZE(zone_gfps); gi++) {
		gfp_t gfp = zone_gfps[gi];

		for (unsigned int order = 0; order < MAX_ORDER; order++) {
			for (int pcp = 0; pcp < 2; pcp++) {
				struct page *pg[4];

				if (pcp)
					prefill_pcp();
				else
					node_drain_pages(mem_node);
				for (int i = 0; i < 4; i++) {
					pg[i] = alloc_pages(gfp | __GFP_NOWARN, order);
					EXPECT(pg[i] || !room_for(gfp, 1, PAGE_SIZE << order));
					IN_ZONE("alloc_pages", pg[i] ? page_address(pg[i]) : NULL,
						PAGE_SIZE << order, gfp);
				}
				for (int i = 0; i < 4; i++)
					if (pg[i])
						__free_pages(pg[i], order);
			}
		}
		for (unsigned int si = 0; si < ARRAY_SIZE(exact_sizes); si++) {
			size_t size = exact_sizes[si];
			void *a, *f;

			prefill_pcp();
			a = alloc_pages_exact(size, gfp | __GFP_NOWARN);
			f = alloc_pages_fit(size, gfp | __GFP_NOWARN);
			EXPECT((a && f) || !room_for(gfp, 2, size));
			IN_ZONE("alloc_pages_exact", a, size, gfp);
			IN_ZONE("alloc_pages_fit", f, size, gfp);
			if (a)
				free_pages_exact(a, size);
			if (f)
				free_pages_exact(f, size);
		}
		for (unsigned int ci = 0; ci < ARRAY_SIZE(contig_pages); ci++) {
			unsigned long nr = contig_pages[ci];
			struct page *run;

			prefill_pcp();
			run = alloc_contig_pages(nr, gfp | __GFP_NOWARN, 0);
			EXPECT(run || !room_for(gfp, 2, nr * PAGE_SIZE));
			IN_ZONE("alloc_contig_pages", run ? page_address(run) : NULL, nr * PAGE_SIZE, gfp);
			if (run)
				free_contig_range(page_to_pfn(run), nr);
		}
	}
}

/* ---- the page wrappers, zeroing calls and vmalloc of zone pages ------- */

/* Pages of @gfp's zone written with a pattern and freed onto the per-hart
 * list, so a zeroing call that takes them must clear them. */
static void dirty_zone_pages(gfp_t gfp, int n)
{
	for (int i = 0; i < n && i < NR_OBJS; i++) {
		objs[i] = (void *)__get_free_page(gfp | __GFP_NOWARN);
		if (objs[i])
			memset(objs[i], 0xa5, PAGE_SIZE);
	}
	for (int i = 0; i < n && i < NR_OBJS; i++)
		free_page((unsigned long)objs[i]);
}

/* __get_free_pages of every order, __get_free_page, get_zeroed_page,
 * alloc_page, __vmalloc (plain and zeroing), kvmalloc's vmalloc fallback
 * and kmem_cache_zalloc on both cache models: each in the zone, and the
 * zeroing calls zero, with Normal pages on the per-hart lists. */
static void wrappers_in_zone(struct ktest *t)
{
	static const unsigned long vsizes[] = { 1, 3 * 4096 + 5, 1 << 20 };
	static const unsigned long models[] = { 0, SLAB_SLOB };

	for (unsigned int gi = 0; gi < 2; gi++) {
		gfp_t gfp = zone_gfps[gi];
		unsigned long flag = gfp & __GFP_DMA ? SLAB_CACHE_DMA : SLAB_CACHE_DMA32;

		for (unsigned int order = 0; order < MAX_ORDER; order++) {
			unsigned long a;

			prefill_pcp();
			a = __get_free_pages(gfp | __GFP_NOWARN, order);
			EXPECT(a || !room_for(gfp, 1, PAGE_SIZE << order));
			IN_ZONE("__get_free_pages", (void *)a, PAGE_SIZE << order, gfp);
			free_pages(a, order);
		}
		for (int i = 0; i < 8; i++) {
			unsigned long a, z;
			struct page *pg;

			prefill_pcp();
			dirty_zone_pages(gfp, 8);
			a = __get_free_page(gfp | __GFP_NOWARN);
			z = get_zeroed_page(gfp | __GFP_NOWARN);
			pg = alloc_page(gfp | __GFP_NOWARN);
			EXPECT((a && z && pg) || !room_for(gfp, 3, PAGE_SIZE));
			IN_ZONE("__get_free_page", (void *)a, PAGE_SIZE, gfp);
			IN_ZONE("get_zeroed_page", (void *)z, PAGE_SIZE, gfp);
			IN_ZONE("alloc_page", pg ? page_address(pg) : NULL, PAGE_SIZE, gfp);
			EXPECT(!z || !memchr_inv((void *)z, 0, PAGE_SIZE));
			free_page(a);
			free_page(z);
			if (pg)
				__free_pages(pg, 0);
		}
		for (unsigned int vi = 0; vi < ARRAY_SIZE(vsizes) && port_kernel_pgtable(); vi++) {
			unsigned long size = vsizes[vi];
			void *v, *vz;

			prefill_pcp();
			dirty_zone_pages(gfp, 64);
			v = __vmalloc(size, gfp | __GFP_NOWARN);
			vz = __vmalloc(size, gfp | __GFP_ZERO | __GFP_NOWARN);
			EXPECT((v && vz) || !room_for(gfp, 2, size));
			IN_ZONE("__vmalloc", v, size, gfp);
			IN_ZONE("__vmalloc(__GFP_ZERO)", vz, size, gfp);
			EXPECT(!vz || !memchr_inv(vz, 0, size));
			vfree(v);
			vfree(vz);
		}
		for (unsigned int mi = 0; mi < ARRAY_SIZE(models); mi++) {
			struct kmem_cache *c = kmem_cache_create("zone-paths-zalloc", 700, 0,
								 flag | models[mi], NULL);

			ASSERT(c != NULL);
			for (int i = 0; i < NR_OBJS; i++) {
				objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
				if (objs[i])
					memset(objs[i], 0x5a, 700);
			}
			for (int i = 0; i < NR_OBJS; i++)
				if (objs[i])
					kmem_cache_free(c, objs[i]);
			for (int i = 0; i < NR_OBJS; i++) {
				objs[i] = kmem_cache_zalloc(c, i & 1 ? gfp : GFP_KERNEL);
				EXPECT(objs[i] || !room_for(gfp, NR_OBJS, 700));
				IN_ZONE("kmem_cache_zalloc", objs[i], 700, gfp);
				EXPECT(!objs[i] || !memchr_inv(objs[i], 0, 700));
			}
			for (int i = 0; i < NR_OBJS; i++)
				if (objs[i])
					kmem_cache_free(c, objs[i]);
			EXPECT_EQ(kmem_cache_check(c), 0);
			kmem_cache_destroy(c);
		}
	}
}

/* ---- objects freed on other harts ------------------------------------ */

#define PER_HART 48
#define MAX_HARTS_CHECKED 8

/* Each hart's objects: kmalloc zone blocks of several sizes and one zone
 * cache's, allocated on the hart that frees them. */
struct hart_objs {
	struct kmem_cache *c;
	gfp_t gfp;
	void *obj[MAX_HARTS_CHECKED][PER_HART];
	void *cobj[MAX_HARTS_CHECKED][PER_HART];
};

static const size_t hart_sizes[] = { 32, 96, 192, 512, 1500, 3000, 8192, 20000 };

static void hart_alloc_free(void *arg)
{
	struct hart_objs *h = arg;
	unsigned int cpu = this_cpu();

	if (cpu >= MAX_HARTS_CHECKED)
		return;
	for (int i = 0; i < PER_HART; i++) {
		h->obj[cpu][i] = kmalloc(hart_sizes[i % ARRAY_SIZE(hart_sizes)], h->gfp | __GFP_NOWARN);
		h->cobj[cpu][i] = kmem_cache_alloc(h->c, h->gfp);
	}
	for (int i = 0; i < PER_HART; i++) {
		kfree(h->obj[cpu][i]);
		if (h->cobj[cpu][i])
			kmem_cache_free(h->c, h->cobj[cpu][i]);
	}
}

/* Zone objects allocated and freed on every hart (so they sit in other
 * harts' magazines, the depot, free slabs and SLOB free lists), then
 * asked for again here, with the zone's gfp and with GFP_KERNEL: every
 * zone request gets zone memory, and a kmalloc slab object the zone
 * request gets belongs to a zone cache (no magazine or depot hands a
 * Normal cache's object to it, nor a zone cache's to a plain kmalloc). */
static void objects_from_other_harts(struct ktest *t)
{
	static struct hart_objs h;
	static const unsigned long models[] = { 0, SLAB_SLOB };

	for (unsigned int gi = 0; gi < 2; gi++) {
		for (unsigned int mi = 0; mi < ARRAY_SIZE(models); mi++) {
			gfp_t gfp = zone_gfps[gi];
			unsigned long flag = gfp & __GFP_DMA ? SLAB_CACHE_DMA : SLAB_CACHE_DMA32;

			memset(&h, 0, sizeof(h));
			h.gfp = gfp;
			h.c = kmem_cache_create("zone-paths-harts", 256, 0, flag | models[mi], NULL);
			ASSERT(h.c != NULL);
			prefill_kmalloc(512, 64);
			on_each_hart(hart_alloc_free, &h);
			for (int i = 0; i < NR_OBJS; i++) {
				size_t size = hart_sizes[i % ARRAY_SIZE(hart_sizes)];
				gfp_t g = i & 1 ? gfp : GFP_KERNEL;
				struct kmem_cache *kc;

				objs[i] = kmalloc(size, g | __GFP_NOWARN);
				if (g == GFP_KERNEL)
					continue;
				if (!objs[i] && room_for(gfp, NR_OBJS, size))
					ktest_fail(t, __FILE__, __LINE__, "kmalloc(%zu, 0x%x) after other "
						   "harts' frees: NULL", size, gfp);
				IN_ZONE("kmalloc after other harts' frees", objs[i], size, gfp);
				kc = virt_to_cache(objs[i]);
				if (kc && !gfp_zone_satisfies(kc->allocflags, gfp))
					ktest_fail(t, __FILE__, __LINE__, "kmalloc(%zu, 0x%x) got an object "
						   "of cache %s (allocflags 0x%x)", size, gfp, kc->name,
						   kc->allocflags);
			}
			for (int i = 0; i < NR_OBJS; i++) {
				struct kmem_cache *kc = objs[i] ? virt_to_cache(objs[i]) : NULL;

				if (!(i & 1) && kc && (kc->allocflags & GFP_ZONEMASK) &&
				    !strncmp(kc->name, "kmalloc-", 8))
					ktest_fail(t, __FILE__, __LINE__, "kmalloc(GFP_KERNEL) got an "
						   "object of zone cache %s", kc->name);
				kfree(objs[i]);
			}
			for (int i = 0; i < NR_OBJS; i++) {
				objs[i] = kmem_cache_alloc(h.c, i & 1 ? gfp : GFP_KERNEL);
				EXPECT(objs[i] || !room_for(gfp, NR_OBJS, 256));
				IN_ZONE("kmem_cache_alloc after other harts' frees", objs[i], 256, gfp);
			}
			for (int i = 0; i < NR_OBJS; i++)
				if (objs[i])
					kmem_cache_free(h.c, objs[i]);
			EXPECT_EQ(kmem_cache_check(h.c), 0);
			kmem_cache_destroy(h.c);
		}
	}
}

/* ---- the zone filled ------------------------------------------------- */

/* Blocks taken to fill a zone go on a list through page->lru, their order
 * in page->priv: the memory itself is never touched (on a large machine,
 * QEMU's first write to each block costs more than the whole test). */
static void hold_block(struct list_head *held, struct page *page, unsigned int order)
{
	page->priv = order;
	list_add(&page->lru, held);
}

/* Take @gfp's zone memory with blocks of every order, largest first,
 * until only @leave pages are left beyond the marks (usable_pages). */
static void fill_zone(struct list_head *held, gfp_t gfp, unsigned long leave)
{
	for (int order = MAX_ORDER - 1; order >= 0; order--) {
		while (usable_pages(gfp) >= leave + (1ul << order)) {
			struct page *page = alloc_pages(gfp | __GFP_NOWARN | __GFP_NORETRY, (unsigned int)order);

			if (!page)
				break;
			hold_block(held, page, (unsigned int)order);
		}
	}
}

static void release_held(struct list_head *held)
{
	while (!list_empty(held)) {
		struct page *page = list_first_entry(held, struct page, lru);

		list_del(&page->lru);
		__free_pages(page, (unsigned int)page->priv);
		page->priv = 0;
	}
}

/* What a nearly full zone must still serve: its few hundred free pages
 * are in blocks of every order, not necessarily a big one. */
#define MUST_BYTES (16 * PAGE_SIZE)

/* Failed requests counted so far (the report of one the buddy warning,
 * once per order, does not print again). */
static unsigned long alloc_failures(void)
{
	unsigned long n = 0;

	for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++)
		n += mem_node->zones[zi].nr_alloc_fail;
	return n;
}

/* One request on every path with @gfp: each answer in the zone, or NULL
 * with a report: a message on the console (captured in out[]) or, for an
 * order the buddy warning has reported before, a counted failure (the
 * zones' nr_alloc_fail, which mm_report shows; vmalloc's own line for
 * __vmalloc and kvmalloc), and with __GFP_NOWARN no message at all; @must:
 * NULL is wrong for up to MUST_BYTES (the zone has room). */
static void every_path_once(struct ktest *t, gfp_t gfp, bool must, const char *state)
{
	static const size_t sizes[] = { 64, 3000, 20000, 5 * 4096, 64 * 4096 };
	struct kmem_cache *c = kmem_cache_create("zone-paths-full", 300, 0,
						 gfp & __GFP_DMA ? SLAB_CACHE_DMA : SLAB_CACHE_DMA32, NULL);
	struct kmem_cache *sc = kmem_cache_create(
		"zone-paths-full-slob", 300, 0,
		SLAB_SLOB | (gfp & __GFP_DMA ? SLAB_CACHE_DMA : SLAB_CACHE_DMA32), NULL);
	bool own_line = false; /* NULL must come with the path's own message */
	void *p, *old;
	struct page *pg;

	ASSERT(c != NULL && sc != NULL);
#define ONE(what, expr, size, free_it)                                                        \
	do {                                                                                  \
		size_t len_;                                                                  \
		unsigned long fails_ = alloc_failures();                                      \
		console_capture_begin(out, sizeof(out));                                      \
		p = (expr);                                                                   \
		len_ = console_capture_end();                                                 \
		IN_ZONE(what, p, size, gfp);                                                  \
		if (!p && must && (size) <= MUST_BYTES)                                       \
			ktest_fail(t, __FILE__, __LINE__, "%s: %s(%zu, 0x%x) NULL with %lu "   \
				   "pages of the zone free", state, what, (size_t)(size), gfp, \
				   usable_pages(gfp));                                         \
		if (!p && !len_ && alloc_failures() == fails_ && !(gfp & __GFP_NOWARN))       \
			ktest_fail(t, __FILE__, __LINE__, "%s: %s(%zu, 0x%x) NULL without a "  \
				   "report", state, what, (size_t)(size), gfp);                \
		if (!p && own_line && !len_ && !(gfp & __GFP_NOWARN))                         \
			ktest_fail(t, __FILE__, __LINE__, "%s: %s(%zu, 0x%x) NULL without a "  \
				   "message of its own", state, what, (size_t)(size), gfp);    \
		if (len_ && (gfp & __GFP_NOWARN))                                             \
			ktest_fail(t, __FILE__, __LINE__, "%s: %s(%zu, 0x%x) printed with "    \
				   "__GFP_NOWARN: %.80s", state, what, (size_t)(size), gfp,    \
				   out);                                                       \
		if (p)                                                                        \
			free_it;                                                              \
	} while (0)

	for (unsigned int si = 0; si < ARRAY_SIZE(sizes); si++) {
		ONE("kmalloc", kmalloc(sizes[si], gfp), sizes[si], kfree(p));
		ONE("kzalloc", kzalloc(sizes[si], gfp), sizes[si], kfree(p));
		ONE("alloc_pages_exact", alloc_pages_exact(sizes[si], gfp), sizes[si],
		    free_pages_exact(p, sizes[si]));
		ONE("alloc_pages_fit", alloc_pages_fit(sizes[si], gfp), sizes[si],
		    free_pages_exact(p, sizes[si]));
	}
	for (unsigned int order = 0; order < MAX_ORDER; order += 3) {
		ONE("alloc_pages", (pg = alloc_pages(gfp, order)) ? page_address(pg) : NULL,
		    PAGE_SIZE << order, __free_pages(pg, order));
	}
	if (!must) /* a 4 MiB run is only asked of a full zone */
		ONE("alloc_contig_pages", (pg = alloc_contig_pages(1024, gfp, 0)) ? page_address(pg) : NULL,
		    4 << 20, free_contig_range(page_to_pfn(pg), 1024));
	ONE("kmem_cache_alloc", kmem_cache_alloc(c, gfp), 300, kmem_cache_free(c, p));
	ONE("kmem_cache_alloc(GFP_KERNEL)", kmem_cache_alloc(c, gfp & __GFP_NOWARN), 300,
	    kmem_cache_free(c, p));
	ONE("kmem_cache_zalloc", kmem_cache_zalloc(c, gfp), 300, kmem_cache_free(c, p));
	ONE("kmem_cache_alloc(SLAB_SLOB)", kmem_cache_alloc(sc, gfp & __GFP_NOWARN), 300,
	    kmem_cache_free(sc, p));
	ONE("kcalloc", kcalloc(10, 300, gfp), 3000, kfree(p));
	ONE("__get_free_page", (void *)__get_free_page(gfp), PAGE_SIZE, free_page((unsigned long)p));
	ONE("get_zeroed_page", (void *)get_zeroed_page(gfp), PAGE_SIZE, free_page((unsigned long)p));
	ONE("__get_free_pages", (void *)__get_free_pages(gfp, 2), 4 * PAGE_SIZE,
	    free_pages((unsigned long)p, 2));
	/* vmalloc takes its pages quietly and says itself why it failed
	 * (the page allocator's counted failure names no vmalloc). */
	own_line = true;
	if (port_kernel_pgtable()) {
		ONE("__vmalloc", __vmalloc(5 * PAGE_SIZE, gfp), 5 * PAGE_SIZE, vfree(p));
		ONE("kvmalloc", kvmalloc(16 * PAGE_SIZE, gfp), 16 * PAGE_SIZE, kvfree(p));
	}
	own_line = false;
	old = kmalloc(100, GFP_KERNEL);
	ONE("krealloc", krealloc(old, 5000, gfp), 5000, kfree(p));
	if (!p)
		kfree(old); /* krealloc's failure keeps it */
#undef ONE
	kmem_cache_destroy(c);
	kmem_cache_destroy(sc);
}

/* Fill ZONE_DMA32 (and ZONE_DMA below it) with Normal pages waiting on
 * the per-hart lists: with a few hundred pages left every path still
 * serves small requests from the zone; with none left they fail with a
 * report. Then ZONE_DMA alone when there is one. */
static void zone_filled(struct ktest *t)
{
	for (unsigned int gi = 0; gi < 2; gi++) {
		gfp_t gfp = zone_gfps[gi];
		struct list_head held = LIST_HEAD_INIT(held);

		if (gfp == GFP_DMA && !has_dma_zone())
			continue; /* the same zones as GFP_DMA32 */
		fill_zone(&held, gfp, 1024);
		prefill_pcp();
		prefill_kmalloc(64, 64);
		every_path_once(t, gfp, usable_pages(gfp) >= 512, "zone nearly full");
		release_held(&held);
		node_drain_pages(mem_node);
		fill_zone(&held, gfp, 0);
		prefill_pcp();
		every_path_once(t, gfp, false, "zone full");
		every_path_once(t, gfp | __GFP_NOWARN, false, "zone full, __GFP_NOWARN");
		release_held(&held);
		node_drain_pages(mem_node);
	}
}

/* Take what is left of @gfp's zone page by page, reclaim allowed, until
 * the page allocator has nothing more to give; the pages join @list. */
static void exhaust_zone(struct list_head *held, gfp_t gfp)
{
	struct page *page;

	while ((page = alloc_page(gfp | __GFP_NOWARN)) != NULL)
		hold_block(held, page, 0);
}

/* vmalloc and kvmalloc with zone bits when the zone has no page left:
 * NULL, with vmalloc's own message naming the request (its pages are
 * taken quietly, so the page allocator's line cannot say it), and
 * nothing printed with __GFP_NOWARN. */
static void vmalloc_zone_exhausted(struct ktest *t)
{
	if (!port_kernel_pgtable()) {
		ktest_skip(t, "no page table: vmalloc refuses every request");
		return;
	}
	for (unsigned int gi = 0; gi < 2; gi++) {
		gfp_t gfp = zone_gfps[gi];
		struct list_head held = LIST_HEAD_INIT(held);
		size_t len;
		void *p;

		if (gfp == GFP_DMA && !has_dma_zone())
			continue; /* the same zones as GFP_DMA32 */
		fill_zone(&held, gfp, 0);
		exhaust_zone(&held, gfp);
		for (int quiet = 0; quiet < 2; quiet++) {
			gfp_t g = gfp | (quiet ? __GFP_NOWARN : 0);

			console_capture_begin(out, sizeof(out));
			p = __vmalloc(5 * PAGE_SIZE, g);
			len = console_capture_end();
			EXPECT(p == NULL);
			vfree(p);
			if (quiet)
				EXPECT_EQ(len, 0);
			else
				EXPECT(strstr(out, "vmalloc: 20480 bytes") != NULL);
			console_capture_begin(out, sizeof(out));
			p = kvmalloc(16 * PAGE_SIZE, g);
			len = console_capture_end();
			EXPECT(p == NULL);
			kvfree(p);
			if (quiet)
				EXPECT_EQ(len, 0);
			else
				EXPECT(strstr(out, "vmalloc: 65536 bytes") != NULL);
		}
		release_held(&held);
		node_drain_pages(mem_node);
	}
}

/* Runs grown in place (extend_pages_exact, extend_contig_range) with zone
 * bits: a run of another zone is not grown for the request (false, nothing
 * changed), a run of the zone grows only over pages of the zone. */
static void runs_grown_in_zone(struct ktest *t)
{
	for (unsigned int gi = 0; gi < 2; gi++) {
		gfp_t gfp = zone_gfps[gi];
		gfp_t from[] = { GFP_KERNEL, gfp };

		for (unsigned int fi = 0; fi < ARRAY_SIZE(from); fi++) {
			void *a = alloc_pages_fit(3 * PAGE_SIZE, from[fi] | __GFP_NOWARN);
			struct page *run = alloc_contig_pages(1024, from[fi] | __GFP_NOWARN, 0);

			if (a) {
				bool foreign = first_outside(a, 3 * PAGE_SIZE, gfp) != 0;
				bool grown = extend_pages_exact(a, 3, 5, gfp);

				if (grown)
					IN_ZONE("extend_pages_exact", a, 5 * PAGE_SIZE, gfp);
				if (grown && foreign)
					ktest_fail(t, __FILE__, __LINE__, "extend_pages_exact(0x%x) grew a "
						   "run outside the zone", gfp);
				free_pages_exact(a, (grown ? 5 : 3) * PAGE_SIZE);
			}
			if (run) {
				void *va = page_address(run);
				bool foreign = first_outside(va, 1024 * PAGE_SIZE, gfp) != 0;
				bool grown = extend_contig_range(page_to_pfn(run), 1024, 1500, gfp);

				if (grown)
					IN_ZONE("extend_contig_range", va, 1500 * PAGE_SIZE, gfp);
				if (grown && foreign)
					ktest_fail(t, __FILE__, __LINE__, "extend_contig_range(0x%x) grew a "
						   "run outside the zone", gfp);
				free_contig_range(page_to_pfn(run), grown ? 1500 : 1024);
			}
		}
	}
}

/* kvmalloc beyond kmalloc's largest block (vmalloc of zone pages), and
 * both zone bits at once (__GFP_DMA wins) on the page paths. */
static void kvmalloc_big_and_both_bits(struct ktest *t)
{
	static const unsigned long sizes[] = { 5ul << 20, (8ul << 20) + 1 };
	const gfp_t both = GFP_DMA | GFP_DMA32;

	for (unsigned int si = 0; si < ARRAY_SIZE(sizes) && port_kernel_pgtable(); si++) {
		for (unsigned int gi = 0; gi < 2; gi++) {
			void *p = kvmalloc(sizes[si], zone_gfps[gi] | __GFP_NOWARN);

			EXPECT(p != NULL || !room_for(zone_gfps[gi], 2, sizes[si]));
			IN_ZONE("kvmalloc", p, sizes[si], zone_gfps[gi]);
			kvfree(p);
		}
	}
	for (unsigned int order = 0; order < MAX_ORDER; order += 2) {
		struct page *pg;
		void *p;

		prefill_pcp();
		pg = alloc_pages(both | __GFP_NOWARN, order);
		IN_ZONE("alloc_pages", pg ? page_address(pg) : NULL, PAGE_SIZE << order, both);
		if (pg)
			__free_pages(pg, order);
		p = kmalloc(PAGE_SIZE << order, both | __GFP_NOWARN);
		IN_ZONE("kmalloc", p, PAGE_SIZE << order, both);
		kfree(p);
	}
}

KTEST_SUITE(zone_paths, KTEST_CASE(kmalloc_sizes_all_modes), KTEST_CASE(kcalloc_in_zone),
	    KTEST_CASE(krealloc_every_backend), KTEST_CASE(krealloc_shrink_moves_to_zone),
	    KTEST_CASE(kmem_cache_every_size), KTEST_CASE(kfence_sampling), KTEST_CASE(page_paths),
	    KTEST_CASE(runs_grown_in_zone), KTEST_CASE(kvmalloc_big_and_both_bits),
	    KTEST_CASE(zone_filled), KTEST_CASE(wrappers_in_zone),
	    KTEST_CASE(objects_from_other_harts), KTEST_CASE(vmalloc_zone_exhausted));
