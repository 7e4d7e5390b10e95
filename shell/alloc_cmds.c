/*
 * alloc_cmds.c - allocation by hand at the console, to watch the allocators
 * work: kmalloc / kfree, alloc_pages / free_pages, vmalloc / vfree, object
 * caches (kmem_cache_create / _alloc / _free / _destroy), the table of what
 * the console holds (allocs), and whatis, which says what any address is
 * (mm/mm_whatis.c).
 *
 *   rvmm> kmalloc 100 GFP_DMA32
 *   kmalloc: 100 bytes at 0x... (ksize 112)
 *   whatis: 0x...: pfn 0x..., zone DMA32
 *   whatis: slab of cache kmalloc-112: ...
 *   rvmm> kfree 0x...
 *
 * The console frees only what it allocated: every allocation goes into a
 * table of HELD_MAX entries, and kfree / free_pages / vfree take an address
 * from it, by the call that allocated it (free_pages knows the order). Any
 * other address is refused with a message, so a mistyped address frees
 * nothing and damages nothing. kmem_cache_alloc takes an object of any
 * cache by name (kmalloc-64 too); kmem_cache_destroy destroys only a cache
 * the console created, and only when the console holds none of its objects. Flags are Linux's gfp names, case ignored,
 * the GFP_ / __GFP_ prefix optional: GFP_KERNEL (the default), GFP_ATOMIC,
 * GFP_NOWAIT, GFP_DMA, GFP_DMA32, __GFP_ZERO, __GFP_NOWARN, __GFP_NORETRY,
 * __GFP_RETRY_MAYFAIL, __GFP_HIGH.
 */
#include <boot/boot.h>
#include <drivers/devicetree.h>
#include <lib/cmdline.h>
#include <lib/kstring.h>
#include <lib/parse.h>
#include <mm/cma.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/mm_report.h>
#include <mm/mmzone.h>
#include <mm/vmalloc.h>
#include <shell/shell.h>

#define HELD_MAX 64

enum held_kind { HELD_NONE, HELD_KMALLOC, HELD_PAGES, HELD_VMALLOC, HELD_OBJECT, HELD_CMA };

static const char *const kind_alloc[] = { "", "kmalloc", "alloc_pages", "vmalloc", "kmem_cache_alloc",
					  "cma_alloc" };
static const char *const kind_free[] = { "", "kfree", "free_pages", "vfree", "kmem_cache_free",
					 "cma_release" };

struct held {
	void *p;
	unsigned long size; /* bytes asked for; alloc_pages: the order; cma_alloc: pages */
	enum held_kind kind;
	struct kmem_cache *cache; /* HELD_OBJECT: its cache */
	struct cma *cma;          /* HELD_CMA: its area */
};

static struct held held[HELD_MAX];

/* A flag's name, lower case and without its prefix, and its bits. */
struct flag_name {
	const char *name;
	unsigned long bits;
};

static const char *const gfp_prefixes[] = { "__gfp_", "gfp_", NULL };
static const struct flag_name gfp_names[] = {
	{ "kernel", GFP_KERNEL },	{ "atomic", GFP_ATOMIC },	  { "nowait", GFP_NOWAIT },
	{ "dma", GFP_DMA },		{ "dma32", GFP_DMA32 },		  { "zero", __GFP_ZERO },
	{ "nowarn", __GFP_NOWARN },	{ "noretry", __GFP_NORETRY },	  { "retry_mayfail", __GFP_RETRY_MAYFAIL },
	{ "high", __GFP_HIGH },
};

/* Do the first @n bytes of @s equal @lower's, case ignored? (@lower is
 * lower case; @n 0: the whole strings.) */
static bool same_word(const char *s, const char *lower, size_t n)
{
	for (size_t i = 0; !n || i < n; i++) {
		char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];

		if (c != lower[i])
			return false;
		if (!c)
			return true;
	}
	return true;
}

/* The bits of the flags argv[0..argc) name in @table (@n names; an
 * argument may carry one of @prefixes, any case), or -EINVAL after saying
 * which one is not a @what (@known lists them). */
static int parse_flags(const char *cmd, int argc, char **argv, const struct flag_name *table, size_t n,
		       const char *const *prefixes, const char *what, const char *known, unsigned long *bits)
{
	*bits = 0;
	for (int i = 0; i < argc; i++) {
		const char *stem = argv[i];
		size_t k = 0;

		for (const char *const *p = prefixes; *p && stem == argv[i]; p++)
			if (same_word(argv[i], *p, strlen(*p)))
				stem += strlen(*p);
		while (k < n && !same_word(stem, table[k].name, 0))
			k++;
		if (k == n) {
			kprintf("%s: '%s' is not a %s (%s)\n", cmd, argv[i], what, known);
			return -EINVAL;
		}
		*bits |= table[k].bits;
	}
	return 0;
}

/* The gfp flags named by argv[0..argc) (GFP_KERNEL when none), or -EINVAL
 * after saying why not. */
static int parse_gfp(const char *cmd, int argc, char **argv, gfp_t *gfp)
{
	unsigned long bits;

	if (parse_flags(cmd, argc, argv, gfp_names, ARRAY_SIZE(gfp_names), gfp_prefixes, "gfp flag",
			"GFP_KERNEL, GFP_ATOMIC, GFP_NOWAIT, GFP_DMA, GFP_DMA32, __GFP_ZERO, __GFP_NOWARN, "
			"__GFP_NORETRY, __GFP_RETRY_MAYFAIL, __GFP_HIGH", &bits))
		return -EINVAL;
	*gfp = GFP_KERNEL | (gfp_t)bits;
	if ((*gfp & GFP_ZONEMASK) == GFP_ZONEMASK) {
		kprintf("%s: GFP_DMA and GFP_DMA32 together name no zone\n", cmd);
		return -EINVAL;
	}
	return 0;
}

/* A free slot for the next allocation, or NULL after saying the table is full. */
static struct held *slot_for(const char *cmd)
{
	for (int i = 0; i < HELD_MAX; i++)
		if (held[i].kind == HELD_NONE)
			return &held[i];
	kprintf("%s: the console holds %d allocations already: free one first (allocs lists them)\n", cmd,
		HELD_MAX);
	return NULL;
}

static void hold(struct held *h, void *p, unsigned long size, enum held_kind kind, struct kmem_cache *c)
{
	*h = (struct held){ .p = p, .size = size, .kind = kind, .cache = c };
}

/* The entry of address @arg freed by @kind, or NULL after saying why not. */
static struct held *held_entry(const char *cmd, const char *arg, enum held_kind kind)
{
	u64 a;

	if (parse_u64(arg, &a)) {
		kprintf("%s: '%s' is not an address\n", cmd, arg);
		return NULL;
	}
	for (int i = 0; i < HELD_MAX; i++) {
		if (held[i].kind == HELD_NONE || (u64)(uintptr_t)held[i].p != a)
			continue;
		if (held[i].kind == kind)
			return &held[i];
		kprintf("%s: 0x%llx came from %s: free it with %s\n", cmd, (unsigned long long)a,
			kind_alloc[held[i].kind], kind_free[held[i].kind]);
		return NULL;
	}
	kprintf("%s: 0x%llx is not an allocation of this console (allocs lists them): nothing freed\n", cmd,
		(unsigned long long)a);
	return NULL;
}

static int usage(const char *cmd, const char *args)
{
	kprintf("usage: %s %s\n", cmd, args);
	return -EINVAL;
}

/* The size argument (a number, K / M / G allowed), or -EINVAL after saying so. */
static int parse_bytes(const char *cmd, const char *arg, u64 *size)
{
	if (memparse(arg, size) || !*size) {
		kprintf("%s: '%s' is not a size in bytes (a number above 0; K, M, G allowed)\n", cmd, arg);
		return -EINVAL;
	}
	return 0;
}

/* kmalloc and vmalloc: SIZE [FLAG...], the block held and described. */
static int alloc_bytes(int argc, char **argv, enum held_kind kind)
{
	struct held *h;
	gfp_t gfp;
	u64 size;
	void *p;

	if (argc < 2)
		return usage(argv[0], "SIZE [FLAG...]");
	if (parse_bytes(argv[0], argv[1], &size) || parse_gfp(argv[0], argc - 2, argv + 2, &gfp))
		return -EINVAL;
	if (!(h = slot_for(argv[0])))
		return -ENOSPC;
	p = kind == HELD_KMALLOC ? __kmalloc(size, gfp) : __vmalloc(size, gfp);
	if (!p) {
		kprintf("%s: %llu bytes: failed (NULL)\n", argv[0], (unsigned long long)size);
		return -ENOMEM;
	}
	hold(h, p, size, kind, NULL);
	kprintf("%s: %llu bytes at %p", argv[0], (unsigned long long)size, p);
	if (kind == HELD_KMALLOC)
		kprintf(" (ksize %zu)", ksize(p));
	kprintf("\n");
	mm_whatis(mem_node, (u64)(uintptr_t)p);
	return 0;
}

static int cmd_kmalloc(int argc, char **argv)
{
	return alloc_bytes(argc, argv, HELD_KMALLOC);
}
SHELL_CMD("kmalloc", cmd_kmalloc, "SIZE [FLAG...]",
	  "allocate by hand (flags: GFP_DMA32, __GFP_ZERO, ...); kfree frees it");

static int cmd_alloc_pages(int argc, char **argv)
{
	struct page *page;
	struct held *h;
	gfp_t gfp;
	u64 order;
	u64 pa;

	if (argc < 2)
		return usage(argv[0], "ORDER [FLAG...]");
	if (parse_u64(argv[1], &order) || order >= MAX_ORDER) {
		kprintf("alloc_pages: order '%s' is not a number from 0 to %d\n", argv[1], MAX_ORDER - 1);
		return -EINVAL;
	}
	if (parse_gfp(argv[0], argc - 2, argv + 2, &gfp))
		return -EINVAL;
	if (!(h = slot_for(argv[0])))
		return -ENOSPC;
	page = alloc_pages(gfp, (unsigned int)order);
	if (!page) {
		kprintf("alloc_pages: order %llu: failed (NULL)\n", (unsigned long long)order);
		return -ENOMEM;
	}
	hold(h, page_address(page), order, HELD_PAGES, NULL);
	pa = virt_to_phys(h->p);
	kprintf("alloc_pages: order %llu at %p: [mem 0x%016llx-0x%016llx], zone %s\n",
		(unsigned long long)order, h->p, (unsigned long long)pa,
		(unsigned long long)(pa + (PAGE_SIZE << order) - 1), zone_names[page_zonenum(page)]);
	return 0;
}
SHELL_CMD("alloc_pages", cmd_alloc_pages, "ORDER [FLAG...]",
	  "allocate 2^ORDER pages by hand; free_pages frees them");

static int cmd_vmalloc(int argc, char **argv)
{
	return alloc_bytes(argc, argv, HELD_VMALLOC);
}
SHELL_CMD("vmalloc", cmd_vmalloc, "SIZE [FLAG...]", "allocate virtually contiguous memory by hand; vfree frees it");

/* Free @h's block with the call that matches how it was allocated. */
static void release(struct held *h)
{
	if (h->kind == HELD_KMALLOC)
		kfree(h->p);
	else if (h->kind == HELD_PAGES)
		free_pages((unsigned long)(uintptr_t)h->p, (unsigned int)h->size);
	else if (h->kind == HELD_VMALLOC)
		vfree(h->p);
	else if (h->kind == HELD_OBJECT)
		kmem_cache_free(h->cache, h->p);
	else if (h->kind == HELD_CMA)
		cma_release(h->cma, virt_to_page(h->p), h->size);
	h->kind = HELD_NONE;
}

/* kfree, free_pages, vfree and kmem_cache_free: the entry of argv[1] freed by its own call. */
static int free_held(int argc, char **argv, enum held_kind kind)
{
	struct held *h;

	if (argc != 2)
		return usage(argv[0], "ADDR");
	if (!(h = held_entry(argv[0], argv[1], kind)))
		return -EINVAL;
	release(h);
	kprintf("%s: %p freed\n", argv[0], h->p);
	return 0;
}

static int cmd_kfree(int argc, char **argv)
{
	return free_held(argc, argv, HELD_KMALLOC);
}
SHELL_CMD("kfree", cmd_kfree, "ADDR", "free what the console's kmalloc gave");

static int cmd_free_pages(int argc, char **argv)
{
	return free_held(argc, argv, HELD_PAGES);
}
SHELL_CMD("free_pages", cmd_free_pages, "ADDR", "free what the console's alloc_pages gave");

static int cmd_vfree(int argc, char **argv)
{
	return free_held(argc, argv, HELD_VMALLOC);
}
SHELL_CMD("vfree", cmd_vfree, "ADDR", "free what the console's vmalloc gave");

static void free_all_held(void)
{
	for (int i = 0; i < HELD_MAX; i++)
		release(&held[i]);
}

static int cmd_allocs(int argc, char **argv)
{
	unsigned int n = 0;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "free")))
		return usage(argv[0], "[free]");
	for (int i = 0; i < HELD_MAX; i++) {
		const struct held *h = &held[i];

		if (h->kind == HELD_NONE)
			continue;
		n++;
		if (h->kind == HELD_PAGES)
			kprintf("  %p  alloc_pages order %lu\n", h->p, h->size);
		else if (h->kind == HELD_OBJECT)
			kprintf("  %p  kmem_cache_alloc %s\n", h->p, h->cache->name);
		else if (h->kind == HELD_CMA)
			kprintf("  %p  cma_alloc %lu pages from %s\n", h->p, h->size, cma_get_name(h->cma));
		else
			kprintf("  %p  %s %lu bytes\n", h->p, kind_alloc[h->kind], h->size);
	}
	kprintf("allocs: %u held by the console%s\n", n, argc == 2 && n ? ": all freed" : "");
	if (argc == 2)
		free_all_held();
	return 0;
}
SHELL_CMD("allocs", cmd_allocs, "[free]", "what the console's kmalloc, alloc_pages and vmalloc hold; free: free it all");

/* ------------------------- contiguous memory areas ------------------------- */

struct area_by_name {
	const char *name;
	struct cma *found;
};

static int match_area(struct cma *cma, void *data)
{
	struct area_by_name *a = data;

	if (strcmp(cma_get_name(cma), a->name))
		return 0;
	a->found = cma;
	return 1;
}

/* The area named @name, or the default one for NULL; NULL after saying why. */
static struct cma *area_named(const char *cmd, const char *name)
{
	struct area_by_name a = { name, NULL };

	if (!name) {
		if (!dma_contiguous_default_area)
			kprintf("%s: no default area (boot with cma=SIZE, or name an area: cmainfo lists them)\n",
				cmd);
		return dma_contiguous_default_area;
	}
	cma_for_each_area(match_area, &a);
	if (!a.found)
		kprintf("%s: no area named '%s' (cmainfo lists them)\n", cmd, name);
	return a.found;
}

static int cmd_cma_alloc(int argc, char **argv)
{
	u64 count, align = 0;
	struct cma *cma;
	struct page *page;
	struct held *h;
	u64 pa;

	if (argc < 2 || argc > 4)
		return usage(argv[0], "PAGES [ALIGN_ORDER [AREA]]");
	if (parse_u64(argv[1], &count) || !count) {
		kprintf("%s: '%s' is not a number of pages above 0\n", argv[0], argv[1]);
		return -EINVAL;
	}
	if (argc > 2 && (parse_u64(argv[2], &align) || align > CMA_MAX_ALIGN)) {
		kprintf("%s: alignment order '%s' is not a number from 0 to %d\n", argv[0], argv[2],
			CMA_MAX_ALIGN);
		return -EINVAL;
	}
	if (!(cma = area_named(argv[0], argc > 3 ? argv[3] : NULL)) || !(h = slot_for(argv[0])))
		return -EINVAL;
	page = cma_alloc(cma, (unsigned long)count, (unsigned int)align, false);
	if (!page) {
		kprintf("%s: %llu pages from %s: failed (NULL)\n", argv[0], (unsigned long long)count,
			cma_get_name(cma));
		return -ENOMEM;
	}
	hold(h, page_address(page), (unsigned long)count, HELD_CMA, NULL);
	h->cma = cma;
	pa = virt_to_phys(h->p);
	kprintf("%s: %llu pages from %s at %p: [mem 0x%016llx-0x%016llx]\n", argv[0],
		(unsigned long long)count, cma_get_name(cma), h->p, (unsigned long long)pa,
		(unsigned long long)(pa + (count << PAGE_SHIFT) - 1));
	return 0;
}
SHELL_CMD("cma_alloc", cmd_cma_alloc, "PAGES [ALIGN_ORDER [AREA]]",
	  "take PAGES contiguous pages from a contiguous memory area (the default one unless AREA is "
	  "named) by hand; cma_release gives them back");

static int cmd_cma_release(int argc, char **argv)
{
	return free_held(argc, argv, HELD_CMA);
}
SHELL_CMD("cma_release", cmd_cma_release, "ADDR", "give back what the console's cma_alloc took");

/* ------------------------------ object caches ------------------------------ */

#define MADE_MAX 8
static struct kmem_cache *made[MADE_MAX]; /* the caches the console created */

static const char *const slab_prefixes[] = { "slab_", NULL };
static const struct flag_name cache_flags[] = {
	{ "hwcache_align", SLAB_HWCACHE_ALIGN }, { "cache_dma", SLAB_CACHE_DMA },
	{ "cache_dma32", SLAB_CACHE_DMA32 },	  { "red_zone", SLAB_RED_ZONE },
	{ "poison", SLAB_POISON },		  { "store_user", SLAB_STORE_USER },
	{ "consistency_checks", SLAB_CONSISTENCY_CHECKS }, { "reclaim_account", SLAB_RECLAIM_ACCOUNT },
	{ "slob", SLAB_SLOB },			  { "noslob", SLAB_NOSLOB },
};

/* The cache named @name (a kmalloc-N class is made if no kmalloc has made
 * it yet, as kmalloc would), or NULL after saying there is none. */
static struct kmem_cache *cache_named(const char *cmd, const char *name)
{
	struct kmem_cache *c = kmem_cache_find(name);

	if (!c && kmalloc_is_cache_class(name))
		c = kmalloc_cache_by_name(name);

	if (!c)
		kprintf("%s: no cache named '%s' (slabinfo lists them)\n", cmd, name);
	return c;
}

static int cmd_kmem_cache_create(int argc, char **argv)
{
	unsigned long flags;
	struct kmem_cache **slot = NULL;
	u64 size, align = 0;
	bool exists;
	int i = 3;

	if (argc < 3)
		return usage(argv[0], "NAME SIZE [ALIGN] [SLAB_FLAG...]");
	if (parse_bytes(argv[0], argv[2], &size))
		return -EINVAL;
	if (argc > 3 && argv[3][0] >= '0' && argv[3][0] <= '9' &&
	    shell_parse_number(argv[0], "alignment", argv[i++], &align))
		return -EINVAL;
	if (parse_flags(argv[0], argc - i, argv + i, cache_flags, ARRAY_SIZE(cache_flags), slab_prefixes,
			"cache flag",
			"SLAB_HWCACHE_ALIGN, SLAB_CACHE_DMA, SLAB_CACHE_DMA32, SLAB_RED_ZONE, SLAB_POISON, "
			"SLAB_STORE_USER, SLAB_CONSISTENCY_CHECKS, SLAB_RECLAIM_ACCOUNT, SLAB_SLOB, SLAB_NOSLOB",
			&flags))
		return -EINVAL;
	exists = kmem_cache_find(argv[1]) != NULL; /* (a lookup that makes no kmalloc cache) */
	if (exists || !strncmp(argv[1], "kmalloc-", 8)) { /* (kmalloc's names, made or not) */
		kprintf("%s: a cache named '%s' exists already%s\n", argv[0], argv[1],
			exists ? "" : ", or is kmalloc's to make");
		return -EEXIST;
	}
	for (int m = 0; m < MADE_MAX && !slot; m++)
		if (!made[m])
			slot = &made[m];
	if (!slot) {
		kprintf("%s: the console made %d caches already: destroy one first\n", argv[0], MADE_MAX);
		return -ENOSPC;
	}
	*slot = kmem_cache_create(argv[1], size, align, flags, NULL);
	if (!*slot) /* (kmem_cache_create said why) */
		return -EINVAL;
	kprintf("%s: %s: objects of %u bytes (stride %u), %u per slab of %u page%s%s\n", argv[0],
		(*slot)->name, (*slot)->object_size, (*slot)->size, (*slot)->objs_per_slab, 1u << (*slot)->order,
		(*slot)->order ? "s" : "", (*slot)->flags & SLAB_SLOB ? " (on SLOB)" : "");
	return 0;
}
SHELL_CMD("kmem_cache_create", cmd_kmem_cache_create, "NAME SIZE [ALIGN] [SLAB_FLAG...]",
	  "make an object cache by hand (flags: SLAB_HWCACHE_ALIGN, SLAB_CACHE_DMA32, SLAB_POISON, ...)");

static int cmd_kmem_cache_alloc(int argc, char **argv)
{
	struct kmem_cache *c;
	struct held *h;
	gfp_t gfp;
	void *p;

	if (argc < 2)
		return usage(argv[0], "NAME [FLAG...]");
	if (!(c = cache_named(argv[0], argv[1])) || parse_gfp(argv[0], argc - 2, argv + 2, &gfp))
		return -EINVAL;
	if (!(h = slot_for(argv[0])))
		return -ENOSPC;
	p = kmem_cache_alloc(c, gfp);
	if (!p) {
		kprintf("%s: %s: failed (NULL)\n", argv[0], c->name);
		return -ENOMEM;
	}
	hold(h, p, c->object_size, HELD_OBJECT, c);
	kprintf("%s: an object of %s at %p\n", argv[0], c->name, p);
	mm_whatis(mem_node, (u64)(uintptr_t)p);
	return 0;
}
SHELL_CMD("kmem_cache_alloc", cmd_kmem_cache_alloc, "NAME [FLAG...]",
	  "take an object of any cache (kmalloc-64 too) by hand; kmem_cache_free frees it");

static int cmd_kmem_cache_free(int argc, char **argv)
{
	return free_held(argc, argv, HELD_OBJECT);
}
SHELL_CMD("kmem_cache_free", cmd_kmem_cache_free, "ADDR", "free what the console's kmem_cache_alloc gave");

static int cmd_kmem_cache_destroy(int argc, char **argv)
{
	struct kmem_cache **slot = NULL;
	unsigned int n = 0;

	if (argc != 2)
		return usage(argv[0], "NAME");
	for (int m = 0; m < MADE_MAX && !slot; m++)
		if (made[m] && !strcmp(made[m]->name, argv[1]))
			slot = &made[m];
	if (!slot) {
		kprintf("%s: '%s' is not a cache the console created: not destroyed\n", argv[0], argv[1]);
		return -EINVAL;
	}
	for (int i = 0; i < HELD_MAX; i++)
		n += held[i].kind == HELD_OBJECT && held[i].cache == *slot;
	if (n) {
		kprintf("%s: the console holds %u object%s of %s: kmem_cache_free %s first\n", argv[0], n,
			n == 1 ? "" : "s", argv[1], n == 1 ? "it" : "them");
		return -EBUSY;
	}
	kmem_cache_destroy(*slot);
	*slot = NULL;
	kprintf("%s: %s destroyed\n", argv[0], argv[1]);
	return 0;
}
SHELL_CMD("kmem_cache_destroy", cmd_kmem_cache_destroy, "NAME", "destroy a cache the console created");

/* The boot map's reservations holding physical address @pa: the names the
 * boot log gave them (mm/ knows pages, not the device tree's names). */
static void show_boot_reservations(u64 pa)
{
	for (int i = 0; i < boot_dt.nr_reserved; i++) {
		const struct dt_reserved *r = &boot_dt.reserved[i];

		if (pa >= r->base && pa - r->base < r->size)
			kprintf("whatis: in the boot map's reservation '%s' [mem 0x%016llx-0x%016llx]%s\n",
				r->reason, (unsigned long long)r->base,
				(unsigned long long)(r->base + r->size - 1), r->nomap ? " (no-map)" : "");
	}
}

static int cmd_whatis(int argc, char **argv)
{
	u64 a;
	int rc;

	if (argc != 2)
		return usage(argv[0], "ADDR");
	if (parse_u64(argv[1], &a)) {
		kprintf("whatis: '%s' is not an address\n", argv[1]);
		return -EINVAL;
	}
	rc = mm_whatis(mem_node, a);
	if (!is_vmalloc_addr((const void *)(uintptr_t)a))
		show_boot_reservations(virt_to_phys((const void *)(uintptr_t)a));
	return rc;
}
SHELL_CMD("whatis", cmd_whatis, "ADDR",
	  "what an address is: slab object, SLOB heap, page block, vmalloc area, KFENCE slot, reservation");
