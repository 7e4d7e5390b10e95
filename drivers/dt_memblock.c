/*
 * dt_memblock.c - the device tree's memory map into memblock: every RAM
 * range added, every reserved range reserved (no-map kept), and the checks
 * that stop a boot whose map cannot hold the kernel. The glue between
 * drivers/devicetree.c and mm/memblock.c, so that mm/ takes plain ranges
 * and never reads a struct dt_info; rvmm-dt calls the same code.
 *
 * dt_place_dynamic places the dynamic /reserved-memory nodes (size, no reg)
 * with memblock_alloc_range on a scratch memblock of the map as it stands
 * once the kernel image is reserved, and adds each range to the map: so
 * memblock_from_dt later reserves them like every other range, and the
 * printed map shows them. A reusable one stays reserved: rvmm has no page
 * migration, so pages lent to the page allocator could not be taken back
 * for the region's owner (Linux hands a CMA pool's pages to its buddy
 * allocator as MIGRATE_CMA and migrates them out when the pool is used).
 * A CMA pool (a reusable shared-dma-pool, or cma=) becomes a contiguous
 * memory area once the memory manager is up (dt_declare_cma, mm/cma.c).
 */
#include <drivers/devicetree.h>
#include <lib/cmdline.h>
#include <lib/kstring.h>
#include <mm/cma.h>
#include <mm/memblock.h>
#include <mm/mm.h>
#include <mm/pgtable.h>

/* ---- mem=: how much RAM is used ------------------------------------------ */

u64 dt_mem_limit;

static int mem_param(const char *value)
{
	u64 v;
	int rc = memparse(value, &v);

	if (rc)
		return rc;
	if (v < PAGE_SIZE) /* mem=0 would leave no RAM at all */
		return -EINVAL;
	dt_mem_limit = ALIGN_DOWN(v, PAGE_SIZE);
	return 0;
}
KPARAM("mem", mem_param,
       "mem=SIZE  use only the lowest SIZE bytes of RAM, as Linux's mem= (at least the RAM up to the kernel image's end)");

/* Bytes of @dt's RAM below @end. */
static u64 ram_below(const struct dt_info *dt, u64 end)
{
	u64 n = 0;

	for (int i = 0; i < dt->nr_ram && dt->ram[i].base < end; i++)
		n += MIN(dt->ram[i].size, end - dt->ram[i].base);
	return n;
}

u64 dt_apply_mem_limit(struct dt_info *dt, u64 kernel_start, u64 kernel_end)
{
	u64 total = dt_ram_total(dt), limit = dt_mem_limit, image = 0, left_out;

	if (!limit)
		return 0;
	if (limit >= total) {
		kprintf("memory: mem=%lluK is no less than the %lluK of RAM: all of it used\n",
			(unsigned long long)(limit >> 10), (unsigned long long)(total >> 10));
		return 0;
	}
	if (kernel_end > kernel_start)
		image = ram_below(dt, ALIGN_UP(kernel_end, PAGE_SIZE));
	if (limit < image) {
		kprintf("memory: mem=%lluK would leave out part of the kernel image, which ends at 0x%llx "
			"(%lluK of RAM up to there): ignored, all %lluK of RAM used\n",
			(unsigned long long)(limit >> 10), (unsigned long long)kernel_end,
			(unsigned long long)(image >> 10), (unsigned long long)(total >> 10));
		return 0;
	}
	left_out = dt_ram_limit(dt, limit);
	kprintf("memory: mem=%lluK: using %lluK of %lluK of RAM, none from 0x%016llx up\n",
		(unsigned long long)(limit >> 10), (unsigned long long)(limit >> 10),
		(unsigned long long)(total >> 10),
		(unsigned long long)(dt->ram[dt->nr_ram - 1].base + dt->ram[dt->nr_ram - 1].size));
	return left_out;
}

int memblock_add_dt(struct memblock *mb, const struct dt_info *dt)
{
	int rc;

	for (int i = 0; i < dt->nr_ram; i++) {
		rc = memblock_add(mb, dt->ram[i].base, dt->ram[i].size);
		if (rc)
			return rc;
	}
	for (int i = 0; i < dt->nr_reserved; i++) {
		const struct dt_reserved *r = &dt->reserved[i];

		rc = memblock_reserve_flags(mb, r->base, r->size, r->nomap ? MEMBLOCK_NOMAP : 0);
		if (rc)
			return rc;
	}
	return 0;
}

/* Does [start, start + size) (not wrapping: dt_parse checked) hold any
 * byte of @dt's RAM? */
static bool holds_ram(const struct dt_info *dt, u64 start, u64 size)
{
	for (int i = 0; i < dt->nr_ram; i++)
		if (start < dt->ram[i].base + dt->ram[i].size && dt->ram[i].base < start + size)
			return true;
	return false;
}

/* Where a dynamic node's messages say it comes from: the tree's
 * /reserved-memory, or the command line (cma=). */
static const char *dyn_dir(const struct dt_dynamic *d)
{
	return d->from_cmdline ? "" : "/reserved-memory/";
}

/* Place @d in @mb: anywhere in RAM, or in the first of its alloc-ranges
 * that has room (an entry of no RAM is warned of and not tried). Returns
 * the base, or 0 after a warning that says why. *entry gets the
 * alloc-ranges entry used (-1: none). */
static u64 place_one(struct dt_info *dt, struct memblock *mb, const struct dt_dynamic *d, int *entry)
{
	int tried = 0;

	*entry = -1;
	if (!d->nr_ranges) {
		u64 base = memblock_alloc_range(mb, d->size, d->align, 0, ~0ull);

		if (!base)
			dt_warn(dt, "%s%s: no room for 0x%llx bytes aligned to 0x%llx in RAM: skipped",
				dyn_dir(d), d->name, (unsigned long long)d->size, (unsigned long long)d->align);
		return base;
	}
	for (int i = 0; i < d->nr_ranges; i++) {
		u64 start, size, base;

		dt_dynamic_range(d, i, &start, &size);
		if (!size || !holds_ram(dt, start, size)) {
			dt_warn(dt, "%s%s: alloc-ranges entry %d (0x%llx, size 0x%llx) holds no RAM: not tried",
				dyn_dir(d), d->name, i, (unsigned long long)start, (unsigned long long)size);
			continue;
		}
		tried++;
		base = memblock_alloc_range(mb, d->size, d->align, start, start + size);
		if (base) {
			*entry = i;
			return base;
		}
	}
	if (tried)
		dt_warn(dt, "%s%s: no room for 0x%llx bytes aligned to 0x%llx in its alloc-ranges: skipped",
			dyn_dir(d), d->name, (unsigned long long)d->size, (unsigned long long)d->align);
	else
		dt_warn(dt, "%s%s: no alloc-ranges entry holds RAM: skipped", dyn_dir(d), d->name);
	return 0;
}

/* ---- cma=: the default contiguous memory area ----------------------------- */

u64 dt_cma_size;
bool dt_cma_given;
u64 dt_cma_start, dt_cma_end;

/* SIZE, SIZE@BASE or SIZE@START-END; every rule broken is named. */
static int cma_param(const char *value)
{
	const char *at = value ? strchr(value, '@') : NULL, *dash = at ? strchr(at, '-') : NULL;
	u64 size, start = 0, end = 0;
	int rc = at ? memparse_range(value, at, &size) : memparse(value, &size);

	if (rc)
		return rc;
	if (size > ~0ull - DT_CMA_ALIGN)
		return -ERANGE;
	size = ALIGN_UP(size, (u64)DT_CMA_ALIGN);
	if (at && size) {
		rc = dash ? memparse_range(at + 1, dash, &start) : memparse(at + 1, &start);
		if (!rc && dash)
			rc = memparse(dash + 1, &end);
		if (rc)
			return rc;
		if (!dash) { /* a fixed base */
			if (start % DT_CMA_ALIGN || start > ~0ull - size) {
				kprintf("cma: cma=%s: the base must be a multiple of 0x%x\n", value, DT_CMA_ALIGN);
				return -EINVAL;
			}
			end = start + size;
		} else if (end <= start || end - start < size) {
			kprintf("cma: cma=%s: the range [START, END) must hold SIZE (rounded to 0x%x)\n", value,
				DT_CMA_ALIGN);
			return -EINVAL;
		}
	}
	dt_cma_size = size;
	dt_cma_start = start;
	dt_cma_end = end;
	dt_cma_given = true;
	return 0;
}
KPARAM("cma", cma_param,
       "cma=SIZE[@BASE|@START-END]  a default contiguous memory area of SIZE bytes (below 4 GiB when RAM "
       "is there; at BASE; or within [START, END)) for dma_alloc_coherent and cma_alloc, in place of the "
       "tree's linux,cma; cma=0: none (Linux's cma=)");

/* alloc-ranges of one entry, [0, 4 GiB), in two address and two size cells. */
static const u8 below_4g[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 };
/* ... [dt_cma_start, dt_cma_end), written by apply_cma_param. */
static u8 cma_range[16];

static void put_be64(u8 *p, u64 v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (u8)v;
}

/* cma= given: the tree's default pool gives way (a dynamic one is dropped,
 * a static one loses the default), and the parameter's pool joins the
 * dynamic nodes. */
static void apply_cma_param(struct dt_info *dt)
{
	bool low_ram = holds_ram(dt, 0, 1ull << 32);
	int kept = 0;

	for (int i = 0; i < dt->nr_dynamic; i++) {
		if (dt->dynamic[i].cma_default) {
			kprintf("dt: /reserved-memory/%s: the default CMA pool: cma= replaces it, not placed\n",
				dt->dynamic[i].name);
			continue;
		}
		dt->dynamic[kept++] = dt->dynamic[i];
	}
	dt->nr_dynamic = kept;
	for (int i = 0; i < dt->nr_reserved; i++)
		if (dt->reserved[i].cma_default) {
			dt->reserved[i].cma_default = false;
			kprintf("dt: /reserved-memory/%s: cma= is the default CMA pool; this one stays an area "
				"of its own\n", dt->reserved[i].reason);
		}
	if (!dt_cma_size)
		return;
	if (dt->nr_dynamic == DT_MAX_DYNAMIC) {
		dt_warn(dt, "cma=%lluK: the tree has %d dynamic reservations, rvmm's table holds no more: "
			"no area", (unsigned long long)(dt_cma_size >> 10), DT_MAX_DYNAMIC);
		return;
	}
	dt->dynamic[dt->nr_dynamic++] = (struct dt_dynamic){
		.name = "cma", .size = dt_cma_size, .align = DT_CMA_ALIGN,
		.ranges = low_ram ? below_4g : NULL, .nr_ranges = low_ram ? 1 : 0, .addr_cells = 2, .size_cells = 2,
		.reusable = true, .cma = true, .cma_default = true, .from_cmdline = true,
	};
	if (dt_cma_end) { /* @BASE or @START-END: that range only */
		put_be64(cma_range, dt_cma_start);
		put_be64(cma_range + 8, dt_cma_end - dt_cma_start);
		dt->dynamic[dt->nr_dynamic - 1].ranges = cma_range;
		dt->dynamic[dt->nr_dynamic - 1].nr_ranges = 1;
	}
}

int dt_declare_cma(const struct dt_info *dt)
{
	int made = 0;

	for (int i = 0; i < dt->nr_reserved; i++) {
		const struct dt_reserved *r = &dt->reserved[i];
		struct cma *cma;

		if (!r->cma || cma_init_reserved_mem(r->base, r->size, 0, r->reason, &cma))
			continue;
		made++;
		if (r->cma_default && !dma_contiguous_default_area)
			dma_contiguous_default_area = cma;
		kprintf("cma: area %s: %llu KiB at [mem 0x%016llx-0x%016llx]%s\n", r->reason,
			(unsigned long long)(r->size >> 10), (unsigned long long)r->base,
			(unsigned long long)(r->base + r->size - 1),
			dma_contiguous_default_area == cma ? ", the default area" : "");
	}
	return made;
}

int dt_place_dynamic(struct dt_info *dt)
{
	static struct memblock scratch; /* too big for a boot stack */
	int warnings = dt->nr_warnings, rc;

	if (dt_cma_given)
		apply_cma_param(dt);
	if (!dt->nr_dynamic)
		return 0;
	memblock_init(&scratch);
	rc = memblock_add_dt(&scratch, dt);
	for (int i = 0; i < dt->nr_dynamic; i++) {
		const struct dt_dynamic *d = &dt->dynamic[i];
		int entry;
		u64 base;

		if (rc) { /* cannot happen: the tables hold far more than the tree may bring */
			dt_warn(dt, "/reserved-memory/%s: the memory map does not fit memblock (error %d): skipped",
				d->name, rc);
			continue;
		}
		base = place_one(dt, &scratch, d, &entry);
		if (!base)
			continue;
		if (d->nomap)
			memblock_reserve_flags(&scratch, base, d->size, MEMBLOCK_NOMAP);
		if (dt_add_dynamic(dt, d, base)) /* every dynamic node has its slot */
			panic("cannot record /reserved-memory/%s's range", d->name);
		if (entry >= 0)
			kprintf("dt: %s%s: dynamic: [mem 0x%016llx-0x%016llx] (size 0x%llx, align 0x%llx, alloc-ranges entry %d)\n",
				dyn_dir(d), d->name, (unsigned long long)base, (unsigned long long)(base + d->size - 1),
				(unsigned long long)d->size, (unsigned long long)d->align, entry);
		else
			kprintf("dt: %s%s: dynamic: [mem 0x%016llx-0x%016llx] (size 0x%llx, align 0x%llx)\n",
				dyn_dir(d), d->name, (unsigned long long)base, (unsigned long long)(base + d->size - 1),
				(unsigned long long)d->size, (unsigned long long)d->align);
	}
	return dt->nr_warnings - warnings;
}

/* Does a range of @dt's RAM hold all of [ks, ke)? */
static bool kernel_in_ram(const struct dt_info *dt, u64 ks, u64 ke)
{
	for (int i = 0; i < dt->nr_ram; i++)
		if (ks >= dt->ram[i].base && ke <= dt->ram[i].base + dt->ram[i].size)
			return true;
	return false;
}

/* No range the tree reserves may overlap the kernel image: that memory
 * belongs to someone else. The "kernel" entry dt_reserve_kernel added for
 * exactly [ks, ke) is the kernel's own and skipped once. */
static void check_kernel_not_reserved(const struct dt_info *dt, u64 ks, u64 ke)
{
	bool skipped_own = false;

	for (int i = 0; i < dt->nr_reserved; i++) {
		const struct dt_reserved *r = &dt->reserved[i];

		if (!skipped_own && r->base == ks && r->size == ke - ks && strcmp(r->reason, "kernel") == 0) {
			skipped_own = true;
			continue;
		}
		if (r->base < ke && ks < r->base + r->size)
			panic("the device tree reserves [mem 0x%016llx-0x%016llx] (%s), which holds the kernel image [mem 0x%016llx-0x%016llx]",
			      (unsigned long long)r->base, (unsigned long long)(r->base + r->size - 1),
			      r->reason, (unsigned long long)ks, (unsigned long long)ke - 1);
	}
}

/* Bytes of whole free pages in @mb. */
static u64 free_page_bytes(const struct memblock *mb)
{
	u64 cursor = 0, free = 0, s, e;

	while (memblock_next_free(mb, &cursor, &s, &e))
		if (ALIGN_DOWN(e, PAGE_SIZE) > ALIGN_UP(s, PAGE_SIZE))
			free += ALIGN_DOWN(e, PAGE_SIZE) - ALIGN_UP(s, PAGE_SIZE);
	return free;
}

/* The identity direct map ends at SV39_LOW_END (docs/vmalloc.md): RAM
 * above it is left out of memblock entirely, so that it is neither counted
 * nor allocated, and said so. */
static void leave_out_unmapped_ram(struct memblock *mb)
{
	u64 bottom = ~0ull, top = 0, dropped;

	for (int i = 0; i < mb->memory.cnt; i++) {
		const struct memblock_region *r = &mb->memory.regions[i];

		if (r->base + r->size > SV39_LOW_END) {
			bottom = MIN(bottom, MAX(r->base, SV39_LOW_END));
			top = r->base + r->size;
		}
	}
	dropped = memblock_limit_memory(mb, SV39_LOW_END);
	if (dropped)
		kprintf("memblock: RAM above 256 GiB [mem 0x%016llx-0x%016llx] left out (%llu MiB): the direct map ends there\n",
			(unsigned long long)bottom, (unsigned long long)top - 1,
			(unsigned long long)dropped >> 20);
}

void memblock_from_dt(struct memblock *mb, const struct dt_info *dt, u64 kernel_start,
		      u64 kernel_end)
{
	int rc;

	memblock_init(mb);
	rc = memblock_add_dt(mb, dt);
	if (rc)
		panic("memblock: cannot record the device tree's memory map (error %d)", rc);
	leave_out_unmapped_ram(mb);
	if (!mb->memory.cnt)
		panic("no RAM below 256 GiB, where the direct map ends: all of the device tree's RAM "
		      "[mem 0x%016llx-0x%016llx] lies above it",
		      (unsigned long long)dt->ram[0].base,
		      (unsigned long long)(dt->ram[dt->nr_ram - 1].base + dt->ram[dt->nr_ram - 1].size - 1));
	memblock_report_unusable(mb);
	if (!kernel_in_ram(dt, kernel_start, kernel_end))
		panic("the kernel image [mem 0x%016llx-0x%016llx] is not inside the RAM the device tree describes",
		      (unsigned long long)kernel_start, (unsigned long long)kernel_end - 1);
	check_kernel_not_reserved(dt, kernel_start, kernel_end);
	if (!free_page_bytes(mb))
		panic("no free RAM: the device tree's reserved ranges and the kernel cover all of it");
}

