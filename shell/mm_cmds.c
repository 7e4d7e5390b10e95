/*
 * mm_cmds.c - the shell's memory reports, in Linux's /proc formats:
 * buddyinfo, pagetypeinfo, zoneinfo, meminfo, slabinfo (and its tuning
 * write), slobinfo, drop_caches, memmap. The reports themselves are in mm/ (mm_report.c,
 * memmap_dump.c); these commands parse arguments and call them.
 */
#include <lib/cmdline.h>
#include <lib/kstring.h>
#include <mm/kasan.h>
#include <mm/kmalloc.h>
#include <mm/memblock.h>
#include <mm/memmap_dump.h>
#include <mm/mm_report.h>
#include <mm/mmzone.h>
#include <mm/page_owner.h>
#include <mm/reclaim.h>
#include <shell/shell.h>
#include <mm/slab.h>
#include <mm/vmalloc.h>
#include <mm/slob.h>

static int cmd_buddyinfo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	show_buddyinfo(mem_node);
	return 0;
}
SHELL_CMD("buddyinfo", cmd_buddyinfo, "", "free blocks per order and zone (/proc/buddyinfo)");

static int cmd_pagetypeinfo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	show_pagetypeinfo(mem_node);
	return 0;
}
SHELL_CMD("pagetypeinfo", cmd_pagetypeinfo, "",
	  "free blocks per order in small-use and general pageblocks, and pageblocks per use "
	  "(/proc/pagetypeinfo)");

static int cmd_iomem(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	show_iomem(&memblock);
	return 0;
}
SHELL_CMD("iomem", cmd_iomem, "", "the physical memory map: System RAM, reserved ranges, the kernel image (/proc/iomem)");

static int cmd_memblock(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	memblock_dump(&memblock);
	return 0;
}
SHELL_CMD("memblock", cmd_memblock, "",
	  "memblock's RAM and reserved regions (Linux's memblock=debug dump)");

static int cmd_zoneinfo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	show_zoneinfo(mem_node);
	return 0;
}
SHELL_CMD("zoneinfo", cmd_zoneinfo, "", "zone counts and watermarks (/proc/zoneinfo)");

static int cmd_meminfo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	show_meminfo(mem_node);
	return 0;
}
SHELL_CMD("meminfo", cmd_meminfo, "", "memory totals (/proc/meminfo)");

/* free [-b | -k | -m | -g]: procps' table of the same totals. */
static int cmd_free(int argc, char **argv)
{
	static const struct {
		const char *opt;
		unsigned int shift;
	} units[] = { { "-b", 0 }, { "-k", 10 }, { "-m", 20 }, { "-g", 30 } };
	unsigned int shift = 10;

	if (argc > 2)
		goto usage;
	if (argc == 2) {
		size_t i = 0;

		while (i < ARRAY_SIZE(units) && strcmp(argv[1], units[i].opt) != 0)
			i++;
		if (i == ARRAY_SIZE(units))
			goto usage;
		shift = units[i].shift;
	}
	show_free(mem_node, shift);
	return 0;
usage:
	kprintf("free: usage: free [-b | -k | -m | -g] (bytes, KiB (the default), MiB, GiB)\n");
	return -EINVAL;
}
SHELL_CMD("free", cmd_free, "[-b | -k | -m | -g]", "memory totals as procps' free prints them");

static int cmd_slobinfo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	show_slobinfo(&kmalloc_heap);
	/* The zone heaps (GFP_DMA32, GFP_DMA) once a request made them. */
	for (unsigned int zt = 0; zt < KMALLOC_NR_ZONE_TYPES; zt++)
		if (kmalloc_zone_heap_of(zt))
			show_slobinfo(kmalloc_zone_heap_of(zt));
	show_slob_caches(); /* the SLOB-model kmem_caches on them, if any */
	return 0;
}
SHELL_CMD("slobinfo", cmd_slobinfo, "", "kmalloc's SLOB heaps: pages, free space, bigblocks, fragmentation");

/* Every allocator's checker (mm_check); -EIO when one found a
 * problem, so a run= script or a test can tell. */
static int cmd_mmcheck(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return mm_check(mem_node) ? -EIO : 0;
}
SHELL_CMD("mmcheck", cmd_mmcheck, "",
	  "run every allocator's consistency checker: memblock, zones, slab caches, SLOB heaps, vmalloc, DMA");

/* Linux's `echo 2 > /proc/sys/vm/drop_caches` for rvmm's caches: (the KASAN
 * kernel) the quarantine gives back every object it holds, every hart
 * empties its magazines of every slab cache and the free slabs go back,
 * then every hart's page lists are drained. The quarantine goes first: its
 * slab objects land in this hart's magazines, which the shrink empties, and
 * its SLOB blocks (kmalloc=slob) would otherwise pin their heap pages.
 * Last the shrinkers run: the SLOB heaps give back the idle pages they
 * keep for reuse. */
static void shrink_caches_here(void *arg)
{
	__atomic_fetch_add((unsigned long *)arg, kmem_cache_shrink_all(), __ATOMIC_RELAXED);
}

static int cmd_drop_caches(int argc, char **argv)
{
	unsigned long pages = 0, before = nr_free_pages();

	(void)argc; /* none: shell_exec refuses arguments to a command of usage "" */
	(void)argv;
	vmalloc_purge(); /* (vfree'd areas: their records are kmalloc's, for the quarantine below) */
	kasan_cache_drain(NULL);
	on_each_cpu(shrink_caches_here, &pages);
	pages += run_shrinkers(GFP_KERNEL);
	node_drain_pages(mem_node);
	kprintf("drop_caches: %lu slab and SLOB pages given back; %lu pages free (%lu before)\n", pages,
		nr_free_pages(), before);
	return 0;
}
SHELL_CMD("drop_caches", cmd_drop_caches, "",
	  "vfree'd areas purged; every hart empties its slab magazines; free slabs, idle SLOB pages and "
	  "page lists go back");

/* Linux's /proc/vmstat: reclaim, cache_reap and failure counters. */
static int cmd_vmstat(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	show_vmstat(mem_node);
	return 0;
}
SHELL_CMD("vmstat", cmd_vmstat, "",
	  "reclaim, cache_reap and allocation failure counters (Linux's /proc/vmstat)");

/* Would the slabinfo write take these numbers? A typed SHAREDFACTOR is
 * checked as a number, even one that equals the SLAB_SHARED_DEFAULT
 * marker; left out, it is the marker. */
static bool tunables_ok(u64 limit, u64 batch, u64 shared, bool shared_typed)
{
	return limit <= SLAB_MAX_LIMIT && batch <= SLAB_MAX_LIMIT &&
	       (!shared_typed || shared <= SLAB_MAX_LIMIT) &&
	       kmem_cache_tunables_valid((unsigned int)limit, (unsigned int)batch,
					 (unsigned int)shared);
}

/* Tune cache @name (made now if it is a kmalloc class no kmalloc has made
 * yet: only once the numbers are known good, so a refused write makes
 * nothing). */
static int slabinfo_tune(const char *name, u64 limit, u64 batch, u64 shared, bool shared_typed)
{
	struct kmem_cache *c = kmem_cache_find(name);
	int rc;

	if (!c && !kmalloc_is_cache_class(name)) {
		kprintf("slabinfo: no cache named %s\n", name);
		return -ENOENT;
	}
	rc = tunables_ok(limit, batch, shared, shared_typed) ? 0 : -EINVAL;
	if (!rc && !c && !(c = kmalloc_cache_by_name(name))) {
		kprintf("slabinfo: no memory to make the cache %s\n", name);
		return -ENOMEM;
	}
	if (!rc)
		rc = kmem_cache_tune_shared(c, (unsigned int)limit, (unsigned int)batch,
					    (unsigned int)shared);
	if (rc && !shared_typed)
		kprintf("slabinfo: %s: limit %llu batchcount %llu refused "
			"(0 < batchcount <= limit <= %d, or both 0)\n",
			name, (unsigned long long)limit, (unsigned long long)batch, SLAB_MAX_LIMIT);
	else if (rc)
		kprintf("slabinfo: %s: limit %llu batchcount %llu sharedfactor %llu refused "
			"(0 < batchcount <= limit <= %d, or both 0; sharedfactor x batchcount <= %d)\n",
			name, (unsigned long long)limit, (unsigned long long)batch,
			(unsigned long long)shared, SLAB_MAX_LIMIT, SLAB_MAX_LIMIT);
	return rc;
}

/* `slabinfo` prints; `slabinfo NAME LIMIT BATCHCOUNT [SHAREDFACTOR]` tunes
 * a cache's magazines and depot as a write to Linux's /proc/slabinfo does
 * (SHAREDFACTOR: the depot's size in batches; left out, the default). */
static int cmd_slabinfo(int argc, char **argv)
{
	u64 limit, batch, shared = SLAB_SHARED_DEFAULT;

	if (argc == 1) {
		show_slabinfo();
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "-s") == 0) {
		show_slabstats();
		return 0;
	}
	if ((argc != 4 && argc != 5) || shell_parse_number("slabinfo", "LIMIT", argv[2], &limit) ||
	    shell_parse_number("slabinfo", "BATCHCOUNT", argv[3], &batch) ||
	    (argc == 5 && shell_parse_number("slabinfo", "SHAREDFACTOR", argv[4], &shared))) {
		kprintf("usage: slabinfo [-s | NAME LIMIT BATCHCOUNT [SHAREDFACTOR]]\n");
		return -EINVAL;
	}
	return slabinfo_tune(argv[1], limit, batch, shared, argc == 5);
}
SHELL_CMD("slabinfo", cmd_slabinfo, "[-s | NAME LIMIT BATCHCOUNT [SHAREDFACTOR]]",
	  "slab caches (/proc/slabinfo 2.1); -s: counters and magazines; NAME...: tune a cache");

/* `alloc_traces NAME` / `free_traces NAME`: who holds the objects of a
 * cache that records its users (slab_debug=U), as Linux's debugfs files.
 * A report makes nothing: a kmalloc-N class whose cache no kmalloc has
 * made yet has no objects, and its cache stays unmade. */
static int traces_cmd(const char *cmd, int argc, char **argv, bool freed)
{
	struct kmem_cache *c;

	if (argc != 2) {
		kprintf("usage: %s NAME\n", cmd);
		return -EINVAL;
	}
	c = kmem_cache_find(argv[1]);
	if (!c && kmalloc_is_cache_class(argv[1])) {
		kprintf("%s: %s has no objects: no kmalloc has made its cache yet\n", cmd, argv[1]);
		return 0;
	}
	if (!c) {
		kprintf("%s: no cache named %s\n", cmd, argv[1]);
		return -ENOENT;
	}
	return kmem_cache_show_traces(c, freed);
}

static int cmd_alloc_traces(int argc, char **argv)
{
	return traces_cmd("alloc_traces", argc, argv, false);
}
SHELL_CMD("alloc_traces", cmd_alloc_traces, "NAME",
	  "objects out of a cache, by who allocated them (needs slab_debug=U)");

static int cmd_free_traces(int argc, char **argv)
{
	return traces_cmd("free_traces", argc, argv, true);
}
SHELL_CMD("free_traces", cmd_free_traces, "NAME",
	  "free objects of a cache, by who last freed them (needs slab_debug=U)");

static int cmd_page_owner(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		kprintf("usage: page_owner\n");
		return -EINVAL;
	}
	return page_owner_show(mem_node);
}
SHELL_CMD("page_owner", cmd_page_owner, "",
	  "allocated pages by owner: caller, or slab cache / SLOB heap (needs page_owner=on)");

static int cmd_memmap(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	memmap_dump(mem_node);
	return 0;
}
SHELL_CMD("memmap", cmd_memmap, "", "every page's state, run-length encoded (scripts/memmap-plot.sh draws it)");
