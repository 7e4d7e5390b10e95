/*
 * fdt_fuzz.c - libFuzzer target: the device tree reader (drivers/fdt.c) and
 * dt_parse (drivers/devicetree.c) on any blob.
 *
 * The input is the blob, and the readable size given to the parsers is the
 * input's size: libFuzzer's copy of the input is a heap block of exactly that
 * size, so ASan reports any read outside it. For every input:
 *
 *   - fdt_open() and dt_parse() return 0 or a negative FDT_ERR_* code; a
 *     failing fdt_open() fails dt_parse() with the same code, and dt_parse()
 *     never returns -FDT_ERR_NOTFOUND (docs/devicetree.md);
 *   - a successful dt_parse() gives a memory map that keeps its invariants:
 *     RAM non-empty, sorted, no range empty, wrapping, overlapping or
 *     touching another; reserved ranges sorted, non-empty, not wrapping; the
 *     "dtb" entry exact; the initrd consistent; strings terminated; bootargs
 *     inside the blob. The same blob at a dtb address where it would wrap
 *     past 2^64 fails with -FDT_ERR_BADRANGE. dt_add_reserved keeps the
 *     order, and always has a slot for the kernel. A full table is named
 *     (info.error). The dynamic /reserved-memory nodes are placed as at boot
 *     (dt_place_dynamic): each placed or warned of, inside RAM, clear of
 *     every other reserved range, after the null page of RAM from address 0
 *     (dt_reserve_null_page). The map goes into memblock as at boot (memblock_add_dt): the
 *     tables stay sorted and merged, free ranges are RAM outside every
 *     reserved range, memblock_alloc takes from them. The bootargs go
 *     through the command line parser as at boot, and a mem= among them
 *     cuts a copy of the map to exactly its limit (or leaves it whole),
 *     which keeps the same invariants in memblock;
 *   - on a blob fdt_open() accepted, the API: a walk of every node
 *     (fdt_next_node depths, names terminated inside the structure block,
 *     fdt_parent, fdt_first_subnode / fdt_next_subnode against the walk),
 *     fdt_getprop (values inside the structure block), fdt_getprop_u32,
 *     fdt_node_is_okay, fdt_is_compatible and fdt_find_compatible,
 *     fdt_child_cells, fdt_reg against fdt_read_reg, fdt_path_offset of
 *     every node's path, alias names and /chosen's stdout-path,
 *     fdt_mem_rsv, the token walk (fdt_next_tag), and made-up node offsets
 *     (any value, never a read outside the blob).
 *
 * Work per input is bounded: the checks that walk from the root (parent,
 * reg, path, find_compatible) run for the first MAX_DEEP nodes only.
 */
#include <stdlib.h>
#include <string.h>

#include <lib/cmdline.h>
#include <drivers/devicetree.h>
#include <drivers/fdt.h>
#include <mm/memblock.h>
#include "fuzz.h"

#define MAX_DEEP 128     /* nodes that get the O(nodes) checks */
#define MAX_PATH 1024    /* longest path checked through fdt_path_offset */
#define MAX_OFFSETS 1024 /* made-up offsets tried: [-8, this) */

static const struct fdt *F;

/* [p, p + len) lies inside the structure block. */
static bool in_struct(const void *p, long len)
{
	const u8 *s = F->blob + F->off_struct, *b = p;

	return len >= 0 && b >= s && b <= s + F->size_struct &&
	       (unsigned long)len <= (unsigned long)(s + F->size_struct - b);
}

/* ---- dt_parse ------------------------------------------------------------ */

static bool terminated(const char *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

static void check_memmap(const struct dt_info *info, const u8 *data, size_t size, u64 dtb_phys)
{
	int ndtb = 0, ninitrd = 0;

	FUZZ_CHECK(info->nr_ram >= 1 && info->nr_ram <= DT_MAX_RAM, "nr_ram %d", info->nr_ram);
	for (int i = 0; i < info->nr_ram; i++) {
		const struct dt_range *r = &info->ram[i];

		FUZZ_CHECK(r->size > 0, "ram[%d] empty", i);
		FUZZ_CHECK(r->base <= UINT64_MAX - r->size, "ram[%d] wraps: %llx+%llx", i,
			   (unsigned long long)r->base, (unsigned long long)r->size);
		if (i > 0) {
			const struct dt_range *p = &info->ram[i - 1];

			/* sorted, and neither overlapping nor touching */
			FUZZ_CHECK(p->base + p->size < r->base,
				   "ram[%d] [%llx+%llx] and ram[%d] [%llx+%llx] not sorted and apart",
				   i - 1, (unsigned long long)p->base, (unsigned long long)p->size, i,
				   (unsigned long long)r->base, (unsigned long long)r->size);
		}
	}
	/* the tree's own ranges within their limit, and a slot left for the kernel */
	FUZZ_CHECK(info->nr_tree_reserved >= 0 && info->nr_tree_reserved <= DT_MAX_RESERVED,
		   "nr_tree_reserved %d", info->nr_tree_reserved);
	FUZZ_CHECK(info->nr_reserved >= 1 && info->nr_reserved < DT_RESERVED_SLOTS &&
		   info->nr_reserved <= info->nr_tree_reserved + 2, "nr_reserved %d",
		   info->nr_reserved);
	for (int i = 0; i < info->nr_reserved; i++) {
		const struct dt_reserved *r = &info->reserved[i];

		FUZZ_CHECK(r->size > 0, "reserved[%d] empty", i);
		FUZZ_CHECK(r->base <= UINT64_MAX - r->size, "reserved[%d] wraps", i);
		FUZZ_CHECK(i == 0 || info->reserved[i - 1].base <= r->base, "reserved[%d] not sorted", i);
		FUZZ_CHECK(terminated(r->reason, sizeof(r->reason)), "reserved[%d] reason", i);
		if (strcmp(r->reason, "dtb") == 0 && r->base == dtb_phys &&
		    r->size == info->fdt.totalsize && !r->nomap)
			ndtb++;
		if (info->has_initrd && strcmp(r->reason, "initrd") == 0 &&
		    r->base == info->initrd_start && r->size == info->initrd_end - info->initrd_start)
			ninitrd++;
	}
	FUZZ_CHECK(ndtb >= 1, "no exact dtb entry");
	FUZZ_CHECK(info->fdt.totalsize >= FDT_HEADER_SIZE && info->fdt.totalsize <= size,
		   "totalsize %u, size %zu", info->fdt.totalsize, size);
	if (info->has_initrd) {
		FUZZ_CHECK(info->initrd_start < info->initrd_end, "initrd [%llx, %llx)",
			   (unsigned long long)info->initrd_start,
			   (unsigned long long)info->initrd_end);
		FUZZ_CHECK(ninitrd >= 1, "no initrd entry");
	}
	FUZZ_CHECK(terminated(info->stdout_path, sizeof(info->stdout_path)), "stdout_path");
	FUZZ_CHECK(!strchr(info->stdout_path, ':'), "stdout_path keeps its options");
	FUZZ_CHECK(info->bootargs != NULL, "bootargs NULL");
	if (info->bootargs[0] || ((const u8 *)info->bootargs >= data &&
				  (const u8 *)info->bootargs < data + size)) {
		const u8 *b = (const u8 *)info->bootargs;

		FUZZ_CHECK(b >= data && b < data + size, "bootargs outside the blob");
		FUZZ_CHECK(memchr(b, 0, (size_t)(data + size - b)), "bootargs unterminated");
	}
	FUZZ_CHECK(info->nr_cpus >= 0 && info->nr_cpus <= DT_MAX_CPUS, "nr_cpus %d", info->nr_cpus);
	for (int i = 0; i < info->nr_cpus; i++)
		FUZZ_CHECK(terminated(info->cpus[i].mmu_type, sizeof(info->cpus[i].mmu_type)),
			   "cpu %d mmu_type", i);
	FUZZ_CHECK(info->nr_warnings >= 0, "nr_warnings");
}

/* The null page as at boot (dt_reserve_null_page): RAM from address 0 gets
 * one more reserved range, [0, 4 KiB) no-map, among those at base 0 (the
 * tree's own may come first); any other map none. */
static int null_pages(const struct dt_info *info)
{
	int n = 0;

	for (int i = 0; i < info->nr_reserved && info->reserved[i].base == 0; i++)
		n += info->reserved[i].size == PAGE_SIZE && info->reserved[i].nomap &&
		     strcmp(info->reserved[i].reason, "null page") == 0;
	return n;
}

static void check_null_page(struct dt_info *info)
{
	int before = info->nr_reserved, found = null_pages(info);
	bool from_0 = info->ram[0].base == 0;

	dt_reserve_null_page(info);
	FUZZ_CHECK(info->nr_reserved == before + from_0, "null page: %d reserved ranges, %d before",
		   info->nr_reserved, before);
	FUZZ_CHECK(null_pages(info) == found + from_0, "null page: %d such ranges at 0, %d before, RAM from %#llx",
		   null_pages(info), found, (unsigned long long)info->ram[0].base);
}

/* The dynamic /reserved-memory nodes placed as at boot (dt_place_dynamic):
 * each node placed or warned of; each range inside one RAM range and clear
 * of every other reserved range; the table still sorted. */
static void check_dynamic(struct dt_info *info)
{
	int before = info->nr_reserved, warnings = info->nr_warnings, placed = 0;
	int w = dt_place_dynamic(info);

	FUZZ_CHECK(info->nr_dynamic >= 0 && info->nr_dynamic <= DT_MAX_DYNAMIC, "nr_dynamic %d",
		   info->nr_dynamic);
	FUZZ_CHECK(w >= 0 && info->nr_warnings == warnings + w, "dt_place_dynamic: %d warnings", w);
	FUZZ_CHECK(info->nr_reserved - before <= info->nr_dynamic &&
			   info->nr_reserved - before + w >= info->nr_dynamic,
		   "%d dynamic nodes: %d placed, %d warnings", info->nr_dynamic,
		   info->nr_reserved - before, w);
	for (int i = 0; i < info->nr_reserved; i++) {
		const struct dt_reserved *d = &info->reserved[i];
		bool in_ram = false;

		FUZZ_CHECK(i == 0 || info->reserved[i - 1].base <= d->base, "reserved[%d] not sorted", i);
		if (!d->dynamic)
			continue;
		placed++;
		for (int k = 0; k < info->nr_ram; k++)
			in_ram |= d->base >= info->ram[k].base &&
				  d->base - info->ram[k].base <= info->ram[k].size &&
				  d->size <= info->ram[k].size - (d->base - info->ram[k].base);
		FUZZ_CHECK(in_ram, "dynamic %s [%llx+%llx] not inside RAM", d->reason,
			   (unsigned long long)d->base, (unsigned long long)d->size);
		for (int j = 0; j < info->nr_reserved; j++) {
			const struct dt_reserved *o = &info->reserved[j];

			FUZZ_CHECK(j == i || o->base >= d->base + d->size || d->base >= o->base + o->size,
				   "dynamic %s [%llx+%llx] overlaps %s", d->reason,
				   (unsigned long long)d->base, (unsigned long long)d->size, o->reason);
		}
	}
	FUZZ_CHECK(placed == info->nr_reserved - before, "%d dynamic entries, %d added", placed,
		   info->nr_reserved - before);
}

/* dt_add_reserved keeps the table sorted and refuses what it must. */
static void check_add_reserved(struct dt_info *info, const u8 *data, size_t size)
{
	int n = info->nr_reserved;
	u64 base = size >= 8 ? fdt64_ld(data + size - 8) : 0x80200000u;
	int err;

	err = dt_add_reserved(info, 0x1000, 0, "zero", false);
	FUZZ_CHECK(err == -FDT_ERR_BADRANGE, "size 0 gave %d", err);
	err = dt_add_reserved(info, UINT64_MAX - 0xfff, 0x1000, "end", false);
	FUZZ_CHECK(err == -FDT_ERR_BADRANGE, "range ending at 2^64 gave %d", err);
	err = dt_add_reserved(info, base, 0x20000, "kernel with a name longer than the table holds",
			      true);
	if (base > UINT64_MAX - 0x20000)
		FUZZ_CHECK(err == -FDT_ERR_BADRANGE, "wrapping kernel range gave %d", err);
	else
		FUZZ_CHECK(err == 0 && info->nr_reserved == n + 1, "add gave %d", err);
	for (int i = 1; i < info->nr_reserved; i++)
		FUZZ_CHECK(info->reserved[i - 1].base <= info->reserved[i].base,
			   "reserved[%d] not sorted after dt_add_reserved", i);
	for (int i = 0; i < info->nr_reserved; i++)
		FUZZ_CHECK(terminated(info->reserved[i].reason, DT_NAME_LEN), "reason %d", i);
}

/* The map goes to memblock as at boot: its tables stay sorted and merged,
 * free memory is RAM that is not reserved, and allocations come from it. */
static void check_memblock(const struct dt_info *info)
{
	static struct memblock mb;
	static u64 fstart[256], fend[256];
	u64 cursor = 0, start, end, prev_end = 0, pa;
	int n = 0, err;

	memblock_init(&mb);
	err = memblock_add_dt(&mb, info);
	FUZZ_CHECK(err == 0, "memblock_add_dt: %d", err);
	FUZZ_CHECK(memblock_check(&mb) == 0, "memblock_check");
	FUZZ_CHECK(mb.memory.cnt == info->nr_ram, "%d memblock ranges for %d RAM ranges",
		   mb.memory.cnt, info->nr_ram);
	for (int i = 0; i < info->nr_ram; i++) {
		u64 b = info->ram[i].base, e = b + info->ram[i].size;

		FUZZ_CHECK(memblock_is_memory(&mb, b) && memblock_is_memory(&mb, e - 1) &&
				   (b == 0 || !memblock_is_memory(&mb, b - 1)) &&
				   !memblock_is_memory(&mb, e),
			   "RAM range %d in memblock", i);
	}
	for (int i = 0; i < info->nr_reserved; i++) {
		u64 b = info->reserved[i].base, e = b + info->reserved[i].size;

		FUZZ_CHECK(memblock_is_reserved(&mb, b) && memblock_is_reserved(&mb, e - 1),
			   "reserved range %d in memblock", i);
	}
	while (n < 256 && memblock_next_free(&mb, &cursor, &start, &end)) {
		FUZZ_CHECK(start < end && start >= prev_end, "free range %d [%llx, %llx)", n,
			   (unsigned long long)start, (unsigned long long)end);
		FUZZ_CHECK(memblock_is_memory(&mb, start) && memblock_is_memory(&mb, end - 1) &&
				   !memblock_is_reserved(&mb, start) && !memblock_is_reserved(&mb, end - 1),
			   "free range %d is not free RAM", n);
		fstart[n] = start;
		fend[n++] = end;
		prev_end = end;
	}
	FUZZ_CHECK(n < 256, "more free ranges than the tables can make");
	(void)memblock_reserved_in_memory(&mb);
	memblock_dump(&mb);

	/* Top-down allocations, each from one free range, aligned, then reserved. */
	for (int k = 0; k < 4; k++) {
		static const u64 sizes[4] = { 4096, 24, 1 << 20, 3 << 12 };
		static const u64 aligns[4] = { 4096, 8, 1 << 21, 64 };
		bool inside = false;

		pa = memblock_alloc(&mb, sizes[k], aligns[k]);
		if (!pa)
			continue;
		FUZZ_CHECK(IS_ALIGNED(pa, aligns[k]), "memblock_alloc: %llx", (unsigned long long)pa);
		for (int i = 0; i < n; i++)
			inside |= pa >= fstart[i] && pa < fend[i] &&
				  sizes[k] <= fend[i] - pa;
		FUZZ_CHECK(inside, "memblock_alloc gave [%llx, +%llx), not free memory",
			   (unsigned long long)pa, (unsigned long long)sizes[k]);
		FUZZ_CHECK(memblock_is_reserved(&mb, pa) && memblock_is_reserved(&mb, pa + sizes[k] - 1) &&
				   memblock_check(&mb) == 0,
			   "memblock_alloc did not reserve what it gave");
		break; /* the free table above is stale now */
	}
}

/* mem=: a copy of the map cut to dt_mem_limit with a kernel image at the
 * first range's base + 2 MiB keeps the invariants of a map, holds exactly
 * the limit when it was applied (else is unchanged), and goes into
 * memblock as at boot. */
static void check_mem_limit(const struct dt_info *info)
{
	static struct dt_info cut;
	u64 kstart = info->ram[0].base + 0x200000, before = dt_ram_total(info), left_out;

	cut = *info;
	left_out = dt_apply_mem_limit(&cut, kstart, kstart + 0x200000);
	FUZZ_CHECK(dt_ram_total(&cut) + left_out == before, "mem=: %llu left out of %llu, %llu kept",
		   (unsigned long long)left_out, (unsigned long long)before,
		   (unsigned long long)dt_ram_total(&cut));
	FUZZ_CHECK(!left_out || dt_ram_total(&cut) == dt_mem_limit, "mem=%llu kept %llu",
		   (unsigned long long)dt_mem_limit, (unsigned long long)dt_ram_total(&cut));
	FUZZ_CHECK(cut.nr_ram >= 1 && cut.nr_ram <= info->nr_ram, "mem=: %d ranges of %d", cut.nr_ram,
		   info->nr_ram);
	for (int i = 0; i < cut.nr_ram; i++)
		FUZZ_CHECK(cut.ram[i].base == info->ram[i].base && cut.ram[i].size > 0 &&
				   cut.ram[i].size <= info->ram[i].size &&
				   (i == cut.nr_ram - 1 || cut.ram[i].size == info->ram[i].size),
			   "mem=: range %d", i);
	check_memblock(&cut);
}

static void fuzz_dt_parse(const u8 *data, size_t size, int open_err)
{
	static struct dt_info info;
	const u64 dtb_phys = 0x87e00000u;
	char *args;
	int err;

	err = dt_parse(&info, data, size, dtb_phys);
	FUZZ_CHECK(err <= 0 && err > -FDT_ERR_MAX, "dt_parse returned %d", err);
	FUZZ_CHECK(err != -FDT_ERR_NOTFOUND, "dt_parse returned -FDT_ERR_NOTFOUND");
	if (open_err)
		FUZZ_CHECK(err == open_err, "fdt_open %d but dt_parse %d", open_err, err);
	FUZZ_CHECK(fdt_strerror(err) != NULL, "strerror");
	FUZZ_CHECK(terminated(info.error, sizeof(info.error)), "error unterminated");
	FUZZ_CHECK(err != -FDT_ERR_TOOMANY || info.error[0], "a full table not named");
	if (err)
		return;
	check_memmap(&info, data, size, dtb_phys);
	check_null_page(&info);
	check_dynamic(&info);
	check_memblock(&info);
	dt_print_memmap(&info);
	(void)dt_ram_total(&info);

	/* The bootargs go to the command line parser at boot; a mem= among
	 * them then cuts RAM (dt_apply_mem_limit, as memory_map_init does). */
	dt_mem_limit = 0;
	dt_max_harts = 0;
	args = strdup(info.bootargs);
	(void)cmdline_parse_boot(args);
	free(args);
	if (dt_mem_limit)
		check_mem_limit(&info);

	check_add_reserved(&info, data, size);

	/* The same blob where its own range would wrap past 2^64. */
	err = dt_parse(&info, data, size, UINT64_MAX - FDT_HEADER_SIZE + 1);
	FUZZ_CHECK(err == -FDT_ERR_BADRANGE, "a dtb range wrapping past 2^64 gave %d", err);
}

/* ---- the fdt API --------------------------------------------------------- */

static const char *const prop_names[] = {
	"reg", "compatible", "status", "device_type", "#address-cells", "#size-cells",
	"bootargs", "stdout-path", "ranges", "no-map", "mmu-type", "timebase-frequency",
	"linux,initrd-start", "linux,initrd-end", "", "serial0",
};

static void check_props(int node)
{
	for (size_t i = 0; i < ARRAY_SIZE(prop_names); i++) {
		int len = 12345;
		const void *val = fdt_getprop(F, node, prop_names[i], &len);
		u32 v;
		int err;

		if (val)
			FUZZ_CHECK(in_struct(val, len), "property %s value outside the structure block",
				   prop_names[i]);
		else
			FUZZ_CHECK(len < 0, "NULL property with len %d", len);
		err = fdt_getprop_u32(F, node, prop_names[i], &v);
		FUZZ_CHECK(err == 0 ? val && len == 4 : err < 0, "getprop_u32 %d", err);
	}
	{
		int len;
		const char *st = fdt_getprop(F, node, "status", &len);
		bool okay = fdt_node_is_okay(F, node);

		if (!st)
			FUZZ_CHECK(okay == (len == -FDT_ERR_NOTFOUND), "is_okay without status");
		else if (okay)
			FUZZ_CHECK(len >= 2 && (memcmp(st, "ok", 2) == 0), "is_okay on a status not ok");
	}
}

static void check_compatible(int node, bool deep)
{
	int len;
	const char *c = fdt_getprop(F, node, "compatible", &len);
	const char *nul;
	int found;

	if (!c || len <= 0 || !(nul = memchr(c, 0, (size_t)len)))
		return;
	if (nul - c > 256)
		return;
	FUZZ_CHECK(fdt_is_compatible(F, node, c), "node not compatible with its first string");
	if (!deep)
		return;
	found = fdt_find_compatible(F, -1, c);
	FUZZ_CHECK(found >= 0 && found <= node, "find_compatible from the start gave %d for node %d",
		   found, node);
	found = fdt_find_compatible(F, found, c); /* the next one, or the end */
	FUZZ_CHECK(found >= 0 || found == -FDT_ERR_NOTFOUND, "find_compatible next gave %d", found);
}

static void check_cells_and_reg(int node, int parent, bool deep)
{
	int ac = -1, sc = -1, pac = 2, psc = 1, err;
	u64 a, s, a2, s2;

	err = fdt_child_cells(F, node, &ac, &sc);
	if (!err)
		FUZZ_CHECK(ac >= 1 && ac <= 2 && sc >= 0 && sc <= 2, "cells %d/%d", ac, sc);
	else
		FUZZ_CHECK(err < 0, "child_cells %d", err);
	for (int c = 0; c < 9; c++) {
		err = fdt_read_reg(F, node, c / 3, c % 3, 0, &a, &s);
		FUZZ_CHECK(err <= 0, "read_reg %d", err);
		if (c / 3 == 0)
			FUZZ_CHECK(err == -FDT_ERR_BADCELLS, "read_reg with 0 address cells gave %d", err);
	}
	if (!deep)
		return;
	if (parent >= 0 && fdt_child_cells(F, parent, &pac, &psc) != 0)
		pac = -1;
	for (int i = -1; i < 4; i++) {
		err = fdt_reg(F, node, i, &a, &s);
		FUZZ_CHECK(err <= 0, "reg %d", err);
		if (pac < 0)
			continue; /* the parent's cells are bad: fdt_reg says so */
		if (!err) {
			FUZZ_CHECK(fdt_read_reg(F, node, pac, psc, i, &a2, &s2) == 0 && a == a2 && s == s2,
				   "fdt_reg and fdt_read_reg differ");
		} else {
			FUZZ_CHECK(fdt_read_reg(F, node, pac, psc, i, &a2, &s2) == err,
				   "fdt_reg %d and fdt_read_reg differ", err);
		}
	}
}

/* fdt_path_offset of the path built from the walk's names. */
static void check_path(int node, char *path, size_t len, bool plain)
{
	int r = fdt_path_offset(F, path, len);

	if (!plain) { /* names with '/' or empty names: any node or an error */
		FUZZ_CHECK(r < 0 ? r > -FDT_ERR_MAX : fdt_node_name(F, r, NULL) != NULL,
			   "path lookup gave %d", r);
		return;
	}
	/* First match wins at each level, so a node at or before this one. */
	FUZZ_CHECK(r == -FDT_ERR_NOTFOUND || (r >= 0 && r <= node),
		   "path \"%.*s\" of node %d gave %d", (int)MIN(len, 200u), path, node, r);
	if (len < MAX_PATH) {
		path[len] = 'X';
		(void)fdt_path_offset(F, path, len + 1); /* a name that (mostly) is not there */
	}
}

static void check_aliases(void)
{
	static const char *const aliases[] = {
		"serial0", "serial1", "serial0/", "serial0/x", "ethernet0", "mmc0", "i2c0", "spi0",
		"gpio0", "a", "x/y", "aliases", "chosen",
	};
	int len, r;
	const char *p;
	int chosen = fdt_path_offset(F, "/chosen", 7);

	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++) {
		r = fdt_path_offset(F, aliases[i], strlen(aliases[i]));
		FUZZ_CHECK(r < 0 ? r > -FDT_ERR_MAX : fdt_node_name(F, r, NULL) != NULL,
			   "alias %s gave %d", aliases[i], r);
	}
	if (chosen < 0)
		return;
	p = fdt_getprop(F, chosen, "stdout-path", &len);
	if (p && len > 0) {
		size_t n = strnlen(p, (size_t)len);
		const char *colon = memchr(p, ':', n);

		if (colon)
			n = (size_t)(colon - p);
		r = fdt_path_offset(F, p, n);
		FUZZ_CHECK(r < 0 ? r > -FDT_ERR_MAX : fdt_node_name(F, r, NULL) != NULL,
			   "stdout-path gave %d", r);
	}
}

/* Made-up offsets: anything goes but a read outside the blob. */
static void check_offsets(void)
{
	int limit = (int)MIN(F->size_struct + 8u, (u32)MAX_OFFSETS);

	for (int off = -8; off < limit; off++) {
		int len, depth = 0;
		const char *name = fdt_node_name(F, off, &len);
		const void *val;

		if (name)
			FUZZ_CHECK(in_struct(name, len + 1), "name at made-up offset %d", off);
		val = fdt_getprop(F, off, "reg", &len);
		if (val)
			FUZZ_CHECK(in_struct(val, len), "reg at made-up offset %d", off);
		(void)fdt_node_is_okay(F, off);
		if ((off & 3) == 0 && off < 256) {
			(void)fdt_next_node(F, off, &depth);
			(void)fdt_first_subnode(F, off);
			(void)fdt_next_subnode(F, off);
		}
		if ((off & 3) == 0 && off < 64) {
			u64 a, s;

			(void)fdt_parent(F, off);
			(void)fdt_reg(F, off, 0, &a, &s);
			(void)fdt_is_compatible(F, off, "riscv");
		}
	}
	(void)fdt_next_node(F, INT32_MAX, NULL);
	(void)fdt_node_name(F, INT32_MIN, NULL);
	(void)fdt_node_name(F, (int)F->size_struct, NULL);
}

static void check_rsvmap(void)
{
	u64 a, s;
	int i, err;

	FUZZ_CHECK(fdt_mem_rsv(F, -1, &a, &s) == -FDT_ERR_NOTFOUND, "mem_rsv(-1)");
	for (i = 0; i <= (int)(F->totalsize / 16); i++) {
		err = fdt_mem_rsv(F, i, &a, &s);
		if (err)
			break;
		FUZZ_CHECK(a || s, "mem_rsv %d is the terminator", i);
	}
	FUZZ_CHECK(err == -FDT_ERR_NOTFOUND, "mem_rsv %d gave %d on a valid blob", i, err);
}

/* The token walk (fdt_next_tag): from offset 0 each token ends after it
 * starts and inside the structure block, nodes open and close in balance,
 * and the walk ends on FDT_END, the block's last token; made-up offsets
 * fail cleanly. */
static void check_tags(void)
{
	int off = 0, next, tok, depth = 0, n = 0;

	while ((tok = fdt_next_tag(F, off, &next)) > 0 && tok != FDT_END) {
		FUZZ_CHECK(next > off && (u32)next <= F->size_struct, "tag at %d: next %d", off, next);
		depth += tok == FDT_BEGIN_NODE ? 1 : tok == FDT_END_NODE ? -1 : 0;
		FUZZ_CHECK(depth >= 0 && ++n <= (int)(F->size_struct / 4), "tag at %d: depth %d", off, depth);
		off = next;
	}
	FUZZ_CHECK(tok == (int)FDT_END && depth == 0 && (u32)next == F->size_struct,
		   "the token walk ends at %d with %d, depth %d", off, tok, depth);
	for (int o = -4; o < (int)MIN(F->size_struct + 8u, (u32)MAX_OFFSETS); o++)
		(void)fdt_next_tag(F, o, &next);
}

/* Walk every node, checking each against what the walk knows. */
static void walk(void)
{
	int stack[FDT_MAX_DEPTH];      /* the current node's ancestors, by depth */
	int last[FDT_MAX_DEPTH + 1];   /* the last node seen at each depth */
	size_t plen[FDT_MAX_DEPTH + 1]; /* path length up to each depth */
	bool plain[FDT_MAX_DEPTH + 1];
	static char path[MAX_PATH + 2];
	int node, depth = 0, prev_depth = 0, count = 0, prev;

	node = fdt_next_node(F, -1, &depth);
	FUZZ_CHECK(node == 0 && depth == 0, "the walk starts at %d depth %d", node, depth);
	FUZZ_CHECK(fdt_parent(F, 0) == -FDT_ERR_NOTFOUND, "the root has a parent");
	FUZZ_CHECK(fdt_path_offset(F, "/", 1) == 0, "path / is not the root");
	FUZZ_CHECK(fdt_path_offset(F, "", 0) == -FDT_ERR_NOTFOUND, "empty path");
	stack[0] = 0;
	last[0] = 0;
	plen[0] = 0;
	plain[0] = true;
	for (;;) {
		int len, parent;
		const char *name = fdt_node_name(F, node, &len);
		bool deep = count < MAX_DEEP;

		FUZZ_CHECK(name && len >= 0 && in_struct(name, len + 1) && name[len] == '\0' &&
				   strlen(name) == (size_t)len,
			   "name of node %d", node);
		FUZZ_CHECK(depth == 0 ? node == 0 : node > 0, "node %d at depth %d", node, depth);
		parent = depth ? stack[depth - 1] : -1;
		stack[depth] = node;

		/* the subnode iterators agree with the walk */
		if (depth > prev_depth) {
			FUZZ_CHECK(depth == prev_depth + 1, "depth jumps from %d to %d", prev_depth,
				   depth);
			FUZZ_CHECK(fdt_first_subnode(F, parent) == node, "first subnode of %d", parent);
		} else if (depth > 0) {
			FUZZ_CHECK(fdt_next_subnode(F, last[depth]) == node, "next subnode of %d",
				   last[depth]);
		}
		if (count > 0 && depth <= prev_depth)
			FUZZ_CHECK(fdt_first_subnode(F, last[prev_depth]) == -FDT_ERR_NOTFOUND,
				   "leaf %d has a subnode", last[prev_depth]);
		for (int k = depth + 1; k <= prev_depth; k++)
			FUZZ_CHECK(fdt_next_subnode(F, last[k]) == -FDT_ERR_NOTFOUND,
				   "last child %d has a next sibling", last[k]);
		last[depth] = node;
		if (deep && depth > 0)
			FUZZ_CHECK(fdt_parent(F, node) == parent, "parent of %d", node);

		check_props(node);
		check_compatible(node, deep && count < 32);
		check_cells_and_reg(node, parent, deep);

		/* the path from the names */
		if (depth > 0) {
			size_t at = plen[depth - 1];

			plain[depth] = plain[depth - 1] && len > 0 && !memchr(name, '/', (size_t)len);
			if (at + 1 + (size_t)len <= MAX_PATH) {
				path[at] = '/';
				memcpy(path + at + 1, name, (size_t)len);
				plen[depth] = at + 1 + (size_t)len;
				if (deep)
					check_path(node, path, plen[depth], plain[depth]);
			} else {
				plen[depth] = MAX_PATH + 1; /* too long: not checked below */
			}
		}

		count++;
		prev = node;
		prev_depth = depth;
		node = fdt_next_node(F, prev, &depth);
		if (node < 0)
			break;
		FUZZ_CHECK(node > prev, "the walk goes back from %d to %d", prev, node);
		FUZZ_CHECK(depth >= 1 && depth < FDT_MAX_DEPTH, "depth %d", depth);
	}
	FUZZ_CHECK(node == -FDT_ERR_NOTFOUND, "the walk ends with %d", node);
	for (int k = 1; k <= prev_depth; k++)
		FUZZ_CHECK(fdt_next_subnode(F, last[k]) == -FDT_ERR_NOTFOUND,
			   "last child %d has a next sibling", last[k]);
	FUZZ_CHECK(fdt_first_subnode(F, prev) == -FDT_ERR_NOTFOUND, "the last node has a subnode");
	FUZZ_CHECK(count <= (int)(F->size_struct / 8), "%d nodes in %u bytes", count, F->size_struct);
}

static void fuzz_api(const u8 *data, size_t size)
{
	struct fdt f;
	int err = fdt_open(&f, data, size);

	FUZZ_CHECK(err == 0, "second fdt_open gave %d", err);
	F = &f;
	FUZZ_CHECK(f.blob == data && f.totalsize <= size && f.size_struct >= 8 &&
			   (u64)f.off_struct + f.size_struct <= f.totalsize &&
			   (u64)f.off_strings + f.size_strings <= f.totalsize,
		   "header fields");
	FUZZ_CHECK(fdt_header_totalsize(data) == (long)f.totalsize, "fdt_header_totalsize");
	walk();
	check_tags();
	check_aliases();
	check_rsvmap();
	check_offsets();
	F = NULL;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fdt f;
	int err;

	fuzz_quiet();
	fuzz_log_reset();
	err = fdt_open(&f, data, size);
	FUZZ_CHECK(err <= 0 && err > -FDT_ERR_MAX, "fdt_open returned %d", err);
	if (err) {
		/* every function fails cleanly on the zeroed struct fdt */
		FUZZ_CHECK(f.blob == NULL && f.totalsize == 0, "struct fdt not zeroed on error");
		FUZZ_CHECK(fdt_next_node(&f, -1, NULL) < 0, "walk of a failed blob");
		FUZZ_CHECK(fdt_path_offset(&f, "/", 1) < 0, "path on a failed blob");
		FUZZ_CHECK(fdt_getprop(&f, 0, "reg", NULL) == NULL, "getprop on a failed blob");
	}
	if (size >= FDT_HEADER_SIZE)
		(void)fdt_header_totalsize(data);
	for (int e = -FDT_ERR_MAX - 2; e <= FDT_ERR_MAX + 2; e++)
		FUZZ_CHECK(fdt_strerror(e) != NULL, "strerror(%d)", e);
	fuzz_dt_parse(data, size, err);
	if (!err)
		fuzz_api(data, size);
	return 0;
}
