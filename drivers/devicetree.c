/*
 * devicetree.c - extract what rvmm needs at boot from the device tree.
 *
 * dt_parse() validates the blob with fdt_open() and then fills a struct
 * dt_info in one pass per subject, each a short function:
 *
 *   scan_memory()          RAM: "reg" of every root child whose device_type
 *                          is "memory", decoded with the root's cells;
 *   scan_memreserve()      the header's mem-reserve map ("memreserve");
 *   scan_reserved_memory() children of /reserved-memory, decoded with its
 *                          cells (which must be the root's), named after
 *                          the child, with no-map; overlaps among them warned;
 *                          a child with size and no reg (dynamic) is checked
 *                          and listed in dynamic[], for dt_place_dynamic
 *                          (drivers/dt_memblock.c) to place once the kernel
 *                          image is known;
 *   the blob itself        ("dtb", dtb_phys .. + totalsize);
 *   scan_chosen()          bootargs, stdout-path, rng-seed, the initrd ("initrd");
 *   scan_cpus()            timebase-frequency and every cpu node.
 *
 * Invariants of the result: ram[] is sorted by base, its ranges are
 * non-empty, never wrap, never overlap and never touch (touching ranges are
 * joined); reserved[] is sorted by base (ties keep the order they were
 * found in) and its ranges are non-empty and never wrap, but may overlap
 * each other and need not lie inside RAM.
 *
 * The tables are fixed arrays: more RAM or reserved ranges than they hold
 * is an error (-FDT_ERR_TOOMANY, with info->error naming the table, the
 * node and the limit), never a silent truncation. cpu nodes past
 * DT_MAX_CPUS are the one exception: no memory depends on them, so they are
 * counted (nr_cpus_unlisted) and warned of, and their harts stay down. The tree's own reserved ranges count
 * against DT_MAX_RESERVED; the dtb, initrd and kernel ranges have slots of
 * their own on top, so a tree the parse accepts always boots as far as
 * memblock. Reserved ranges are never merged here, even when they touch or
 * overlap: each keeps its reason for the messages that name it, and the
 * initrd is released by its exact range. Problems that have an
 * obvious safe repair are repaired and reported with dt_warn(); everything
 * else fails the whole parse with a negative FDT_ERR_* code.
 */
#include <config.h>
#include <lib/kernel.h>
#include <lib/cmdline.h>
#include <lib/kstring.h>
#include <lib/parse.h>
#include <drivers/fdt.h>
#include <drivers/devicetree.h>

void dt_warn(struct dt_info *info, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	kprintf("dt: warning: %s\n", what);
	info->nr_warnings++;
}

static int dt_fail(struct dt_info *info, int err, const char *fmt, ...) __printf(3, 4);

/* Record why the parse fails (info->error) and return @err. */
static int dt_fail(struct dt_info *info, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(info->error, sizeof(info->error), fmt, ap);
	va_end(ap);
	return err;
}

/* [base, base + size) is non-empty and its end is representable. */
static bool range_valid(u64 base, u64 size)
{
	return size != 0 && base <= UINT64_MAX - size;
}

/* Has the node the property at all (any value)? */
static bool has_prop(const struct fdt *f, int node, const char *prop)
{
	return fdt_getprop(f, node, prop, NULL) != NULL;
}

/* A string property: the value, or NULL with *err = -FDT_ERR_NOTFOUND, or
 * -FDT_ERR_BADVALUE when the value holds no NUL. */
static const char *get_string(const struct fdt *f, int node, const char *prop, int *err)
{
	int len;
	const char *val = fdt_getprop(f, node, prop, &len);

	if (!val) {
		*err = len;
		return NULL;
	}
	if (len <= 0 || !memchr(val, 0, (size_t)len)) {
		*err = -FDT_ERR_BADVALUE;
		return NULL;
	}
	*err = 0;
	return val;
}

static bool name_starts_with(const char *name, int len, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)len >= n && memcmp(name, prefix, n) == 0;
}

/*
 * Entry *idx of @node's reg (then *idx is advanced), skipping zero-size
 * entries with a warning that names the node as @dir + its name. Returns 1
 * with a valid range, 0 after the last entry, or -FDT_ERR_* (a range that
 * wraps is -FDT_ERR_BADRANGE).
 */
static int next_range(struct dt_info *info, const char *dir, int node, int ac,
		      int sc, int *idx, u64 *base, u64 *size)
{
	const struct fdt *f = &info->fdt;

	for (;;) {
		int i = (*idx)++;
		int err = fdt_read_reg(f, node, ac, sc, i, base, size);

		if (err == -FDT_ERR_NOTFOUND)
			return 0;
		if (err)
			return err;
		if (*size == 0) {
			dt_warn(info, "%s%s: zero-size reg entry %d dropped", dir,
				fdt_node_name(f, node, NULL), i);
			continue;
		}
		if (!range_valid(*base, *size))
			return -FDT_ERR_BADRANGE;
		return 1;
	}
}

/* ---- RAM ----------------------------------------------------------------- */

static void remove_ram(struct dt_info *info, int first, int count)
{
	for (int i = first; i + count < info->nr_ram; i++)
		info->ram[i] = info->ram[i + count];
	info->nr_ram -= count;
}

static int insert_ram(struct dt_info *info, int at, u64 base, u64 size)
{
	if (info->nr_ram == DT_MAX_RAM)
		return -FDT_ERR_TOOMANY;
	for (int i = info->nr_ram; i > at; i--)
		info->ram[i] = info->ram[i - 1];
	info->ram[at].base = base;
	info->ram[at].size = size;
	info->nr_ram++;
	return 0;
}

/*
 * Add a valid range to ram[], joining it with every range it overlaps
 * (with a warning) or touches (silently), so the invariants hold.
 */
static int add_ram(struct dt_info *info, const char *node, u64 base, u64 size)
{
	u64 end = base + size; /* exclusive; range_valid() guarantees no wrap */
	int first = 0, last;

	while (first < info->nr_ram &&
	       info->ram[first].base + info->ram[first].size < base)
		first++;
	for (last = first; last < info->nr_ram && info->ram[last].base <= end; last++) {
		struct dt_range *r = &info->ram[last];
		u64 rend = r->base + r->size;

		if (r->base < end && base < rend)
			dt_warn(info, "/%s: [mem 0x%016llx-0x%016llx] overlaps [mem 0x%016llx-0x%016llx]: merged",
				node, (unsigned long long)base,
				(unsigned long long)(end - 1),
				(unsigned long long)r->base,
				(unsigned long long)(rend - 1));
		base = MIN(base, r->base);
		end = MAX(end, rend);
	}
	if (first == last)
		return insert_ram(info, first, base, end - base);
	info->ram[first].base = base;
	info->ram[first].size = end - base;
	remove_ram(info, first + 1, last - first - 1);
	return 0;
}

static bool is_memory_name(const char *name, int len)
{
	return (len == 6 && memcmp(name, "memory", 6) == 0) ||
	       name_starts_with(name, len, "memory@");
}

static int scan_memory_node(struct dt_info *info, int node, int ac, int sc)
{
	const char *name = fdt_node_name(&info->fdt, node, NULL);
	int idx = 0, more, err;
	u64 base, size;

	if (!has_prop(&info->fdt, node, "reg")) {
		dt_warn(info, "/%s: no reg: ignored", name);
		return 0;
	}
	while ((more = next_range(info, "/", node, ac, sc, &idx, &base, &size)) > 0) {
		err = add_ram(info, name, base, size);
		if (err == -FDT_ERR_TOOMANY)
			return dt_fail(info, err,
				       "memory banks: /%s brings RAM range %d (after joining); rvmm's table holds %d",
				       name, DT_MAX_RAM + 1, DT_MAX_RAM);
		if (err)
			return err;
	}
	return more;
}

/*
 * No RAM: -FDT_ERR_NOMEMORY. When the tree has @nr_nodes memory nodes, each
 * zero-size or without reg (a placeholder its boot loader fills in, as in
 * 339 of Linux 6.1's arm and arm64 trees), info->error names the first.
 */
static int no_ram(struct dt_info *info, int first_node, int nr_nodes)
{
	const char *name = nr_nodes ? fdt_node_name(&info->fdt, first_node, NULL) : NULL;

	if (!name)
		return -FDT_ERR_NOMEMORY;
	if (nr_nodes == 1)
		return dt_fail(info, -FDT_ERR_NOMEMORY,
			       "/%s gives no RAM (zero-size reg or none): a placeholder the boot loader fills in",
			       name);
	return dt_fail(info, -FDT_ERR_NOMEMORY,
		       "/%s and %d more memory nodes give no RAM (zero-size reg or none): placeholders the boot loader fills in",
		       name, nr_nodes - 1);
}

static int scan_memory(struct dt_info *info)
{
	const struct fdt *f = &info->fdt;
	int ac, sc, node, err, first_node = -1, nr_nodes = 0;

	err = fdt_child_cells(f, 0, &ac, &sc);
	if (err)
		return err;
	if (sc == 0)
		return -FDT_ERR_BADCELLS;
	for (node = fdt_first_subnode(f, 0); node >= 0; node = fdt_next_subnode(f, node)) {
		int len;
		const char *name = fdt_node_name(f, node, &len);

		if (!name)
			return len;
		if (!fdt_prop_equals(f, node, "device_type", "memory")) {
			if (is_memory_name(name, len))
				dt_warn(info, "/%s: no device_type \"memory\": ignored", name);
			continue;
		}
		if (!fdt_node_is_okay(f, node))
			continue;
		if (nr_nodes++ == 0)
			first_node = node;
		err = scan_memory_node(info, node, ac, sc);
		if (err)
			return err;
	}
	if (node != -FDT_ERR_NOTFOUND)
		return node;
	return info->nr_ram ? 0 : no_ram(info, first_node, nr_nodes);
}

/* ---- reserved ranges ----------------------------------------------------- */

/* Insert a valid range into reserved[] after every range of a lower or
 * equal base (so ties keep the order they came in); the new entry, or NULL
 * when the table is full. */
static struct dt_reserved *insert_reserved(struct dt_info *info, u64 base, u64 size,
					   const char *reason, bool nomap)
{
	struct dt_reserved *r;
	int i;

	if (info->nr_reserved == DT_RESERVED_SLOTS)
		return NULL;
	for (i = info->nr_reserved; i > 0 && info->reserved[i - 1].base > base; i--)
		info->reserved[i] = info->reserved[i - 1];
	r = &info->reserved[i];
	r->base = base;
	r->size = size;
	r->nomap = nomap;
	r->resmem = false;
	r->reusable = false;
	r->dynamic = false;
	r->cma = false;
	r->cma_default = false;
	r->from_cmdline = false;
	kstrlcpy(r->reason, reason ? reason : "", sizeof(r->reason));
	info->nr_reserved++;
	return r;
}

int dt_add_reserved(struct dt_info *info, u64 base, u64 size, const char *reason, bool nomap)
{
	if (!range_valid(base, size))
		return -FDT_ERR_BADRANGE;
	return insert_reserved(info, base, size, reason, nomap) ? 0 : -FDT_ERR_TOOMANY;
}

int dt_add_dynamic(struct dt_info *info, const struct dt_dynamic *d, u64 base)
{
	struct dt_reserved *r;

	if (!range_valid(base, d->size))
		return -FDT_ERR_BADRANGE;
	r = insert_reserved(info, base, d->size, d->name, d->nomap);
	if (!r)
		return -FDT_ERR_TOOMANY;
	r->resmem = true;
	r->reusable = d->reusable;
	r->dynamic = true;
	r->cma = d->cma;
	r->cma_default = d->cma_default;
	r->from_cmdline = d->from_cmdline;
	return 0;
}

/* A reserved range of the tree itself, the @dir@name one (@dir is
 * "/reserved-memory/" for a child of that node, "" for the mem-reserve
 * map): at most DT_MAX_RESERVED of them, so that the slots of the dtb, the
 * initrd and the kernel stay free. */
static int add_tree_reserved(struct dt_info *info, u64 base, u64 size, const char *dir,
			     const char *name, const struct dt_dynamic *flags)
{
	struct dt_reserved *r;

	if (info->nr_tree_reserved == DT_MAX_RESERVED)
		return dt_fail(info, -FDT_ERR_TOOMANY,
			       "reserved ranges: %s%s brings range %d of the tree (mem-reserve entries and /reserved-memory regs); rvmm's table holds %d",
			       dir, name, DT_MAX_RESERVED + 1, DT_MAX_RESERVED);
	if (!range_valid(base, size))
		return -FDT_ERR_BADRANGE;
	r = insert_reserved(info, base, size, name, flags->nomap);
	if (!r)
		return -FDT_ERR_TOOMANY;
	r->resmem = dir[0] != '\0';
	r->reusable = flags->reusable;
	r->cma = flags->cma;
	r->cma_default = flags->cma_default;
	info->nr_tree_reserved++;
	return 0;
}

static int scan_memreserve(struct dt_info *info)
{
	u64 base, size;
	int i, err;

	for (i = 0;; i++) {
		err = fdt_mem_rsv(&info->fdt, i, &base, &size);
		if (err == -FDT_ERR_NOTFOUND)
			return 0;
		if (err)
			return err;
		if (size == 0) {
			dt_warn(info, "memreserve entry %d: zero size: dropped", i);
			continue;
		}
		err = add_tree_reserved(info, base, size, "", "memreserve", &(struct dt_dynamic){ 0 });
		if (err)
			return err;
	}
}

/*
 * Warn of every /reserved-memory range found before that overlaps
 * [base, base + size), the range of @name, as Linux reports "OVERLAP
 * DETECTED" (e.g. OpenSBI's mmode_resv0 inside a board tree's own
 * opensbi@80000000). Both stay reserved: memblock takes their union, and
 * a no-map range keeps its flag on its own bytes.
 */
static void warn_resmem_overlaps(struct dt_info *info, const char *name, u64 base, u64 size)
{
	for (int i = 0; i < info->nr_reserved; i++) {
		const struct dt_reserved *r = &info->reserved[i];

		if (!r->resmem || r->base >= base + size || base >= r->base + r->size)
			continue;
		dt_warn(info, "/reserved-memory/%s [mem 0x%016llx-0x%016llx] overlaps /reserved-memory/%s [mem 0x%016llx-0x%016llx]: both reserved",
			name, (unsigned long long)base, (unsigned long long)(base + size - 1), r->reason,
			(unsigned long long)r->base, (unsigned long long)(r->base + r->size - 1));
	}
}

/* A cells-sized property of a dynamic node (size, alignment): true with
 * *val, or false after a warning that names the node and the length. */
static bool read_dynamic_cells(struct dt_info *info, int node, const char *name,
			       const char *prop, int cells, const char *cells_name, u64 *val)
{
	int len;
	const void *p = fdt_getprop(&info->fdt, node, prop, &len);

	if (len != cells * 4) {
		dt_warn(info, "/reserved-memory/%s: %s is %d bytes, not %d (%s %d): skipped",
			name, prop, len, cells * 4, cells_name, cells);
		return false;
	}
	*val = fdt_cells_ld(p, cells);
	return true;
}

/* The alignment of dynamic node @d (align 0 or absent: the default), as
 * Linux's __reserved_mem_alloc_size; false after a warning when it is not
 * a power of two. */
static bool dynamic_alignment(struct dt_info *info, int node, struct dt_dynamic *d, int ac)
{
	const struct fdt *f = &info->fdt;
	u64 align = 0;

	if (has_prop(f, node, "alignment") &&
	    !read_dynamic_cells(info, node, d->name, "alignment", ac, "#address-cells", &align))
		return false;
	if (align & (align - 1)) {
		dt_warn(info, "/reserved-memory/%s: alignment 0x%llx is not a power of two: skipped",
			d->name, (unsigned long long)align);
		return false;
	}
	if (!align)
		align = DT_DYNAMIC_ALIGN;
	if (d->cma)
		align = MAX(align, (u64)DT_CMA_ALIGN);
	d->align = align;
	return true;
}

void dt_dynamic_range(const struct dt_dynamic *d, int i, u64 *start, u64 *size)
{
	const u8 *e = d->ranges + (size_t)i * (size_t)(d->addr_cells + d->size_cells) * 4;

	*start = fdt_cells_ld(e, d->addr_cells);
	*size = fdt_cells_ld(e + d->addr_cells * 4, d->size_cells);
}

/* alloc-ranges of dynamic node @d: whole entries (an address and a size in
 * /reserved-memory's cells, the root's), none wrapping past 2^64; false
 * after a warning otherwise. An entry of no RAM is dt_place_dynamic's to
 * report. */
static bool dynamic_alloc_ranges(struct dt_info *info, int node, struct dt_dynamic *d)
{
	int len, entry = (d->addr_cells + d->size_cells) * 4;
	const u8 *p = fdt_getprop(&info->fdt, node, "alloc-ranges", &len);

	if (!p)
		return true;
	if (len == 0 || len % entry) {
		dt_warn(info, "/reserved-memory/%s: alloc-ranges is %d bytes, not a whole number of %d-byte entries (an address and a size): skipped",
			d->name, len, entry);
		return false;
	}
	d->ranges = p;
	d->nr_ranges = len / entry;
	for (int i = 0; i < d->nr_ranges; i++) {
		u64 start, size;

		dt_dynamic_range(d, i, &start, &size);
		if (size && !range_valid(start, size)) {
			dt_warn(info, "/reserved-memory/%s: alloc-ranges entry %d (0x%llx, size 0x%llx) wraps past 2^64: skipped",
				d->name, i, (unsigned long long)start, (unsigned long long)size);
			return false;
		}
	}
	return true;
}

/*
 * A /reserved-memory child's no-map and reusable, and whether it is a CMA
 * pool as Linux's rmem_cma_setup takes one: compatible "shared-dma-pool",
 * reusable and not no-map (dt_declare_cma makes it an area); with
 * linux,cma-default it is the default area.
 */
static void read_pool_flags(const struct fdt *f, int node, struct dt_dynamic *d)
{
	d->nomap = has_prop(f, node, "no-map");
	d->reusable = has_prop(f, node, "reusable");
	d->cma = d->reusable && !d->nomap && fdt_is_compatible(f, node, "shared-dma-pool");
	d->cma_default = d->cma && has_prop(f, node, "linux,cma-default");
}

/*
 * A child with size and no reg: a dynamic reservation, placed later by
 * dt_place_dynamic. Its size (#size-cells, not 0), alignment (#address-
 * cells, a power of two) and alloc-ranges (whole entries) are checked
 * here; a node that fails is skipped with a warning that names it and the
 * cause, and reserves nothing. More than DT_MAX_DYNAMIC is -FDT_ERR_TOOMANY.
 */
static int scan_dynamic_child(struct dt_info *info, int node, const char *name, int ac, int sc)
{
	const struct fdt *f = &info->fdt;
	struct dt_dynamic d = { .addr_cells = ac, .size_cells = sc };

	kstrlcpy(d.name, name ? name : "", sizeof(d.name));
	read_pool_flags(f, node, &d);
	if (!read_dynamic_cells(info, node, name, "size", sc, "#size-cells", &d.size))
		return 0;
	if (d.size == 0) {
		dt_warn(info, "/reserved-memory/%s: size 0: skipped", name);
		return 0;
	}
	if (!dynamic_alignment(info, node, &d, ac) || !dynamic_alloc_ranges(info, node, &d))
		return 0;
	if (info->nr_dynamic == DT_MAX_DYNAMIC)
		return dt_fail(info, -FDT_ERR_TOOMANY,
			       "dynamic reservations: /reserved-memory/%s is number %d (size, no reg); rvmm's table holds %d",
			       name, DT_MAX_DYNAMIC + 1, DT_MAX_DYNAMIC);
	info->dynamic[info->nr_dynamic++] = d;
	return 0;
}

static int scan_reserved_child(struct dt_info *info, int node, int ac, int sc)
{
	const struct fdt *f = &info->fdt;
	const char *name = fdt_node_name(f, node, NULL);
	struct dt_dynamic flags = { 0 };
	int idx = 0, more, err;
	u64 base, size;

	if (!has_prop(f, node, "reg")) {
		if (has_prop(f, node, "size"))
			return scan_dynamic_child(info, node, name, ac, sc);
		dt_warn(info, "/reserved-memory/%s: no reg: skipped", name);
		return 0;
	}
	read_pool_flags(f, node, &flags);
	while ((more = next_range(info, "/reserved-memory/", node, ac, sc, &idx,
				  &base, &size)) > 0) {
		warn_resmem_overlaps(info, name, base, size);
		err = add_tree_reserved(info, base, size, "/reserved-memory/", name, &flags);
		if (err)
			return err;
		flags.cma = flags.cma_default = false; /* (a pool is its first range, as Linux's rmem) */
	}
	return more;
}

/*
 * /reserved-memory's cells (@ac/@sc) must be the root's, as its binding
 * says: firmware writes its children with the root's cells (OpenSBI adds
 * mmode_resv0 that way to whatever /reserved-memory it finds), so under
 * other cells a child's reg cannot be read for sure. Decoding it anyway
 * left OpenSBI's own memory free (and a store into it faulted); Linux
 * ignores the whole node ("unsupported node format"), losing every
 * reservation. Refused: -FDT_ERR_BADCELLS, info->error says why.
 */
static int check_resmem_cells_are_roots(struct dt_info *info, int ac, int sc)
{
	int root_ac, root_sc, err;

	err = fdt_child_cells(&info->fdt, 0, &root_ac, &root_sc);
	if (err)
		return err;
	if (ac == root_ac && sc == root_sc)
		return 0;
	return dt_fail(info, -FDT_ERR_BADCELLS,
		       "/reserved-memory has #address-cells/#size-cells %d/%d, the root %d/%d: they must be equal, as firmware (OpenSBI) writes its reserved-memory children with the root's",
		       ac, sc, root_ac, root_sc);
}

static int scan_reserved_memory(struct dt_info *info)
{
	const struct fdt *f = &info->fdt;
	int parent, node, ac, sc, len, err;

	parent = fdt_path_offset(f, "/reserved-memory", 16);
	if (parent == -FDT_ERR_NOTFOUND)
		return 0;
	if (parent < 0)
		return parent;
	err = fdt_child_cells(f, parent, &ac, &sc);
	if (err)
		return err;
	if (sc == 0)
		return -FDT_ERR_BADCELLS;
	err = check_resmem_cells_are_roots(info, ac, sc);
	if (err)
		return err;
	if (!fdt_getprop(f, parent, "ranges", &len))
		dt_warn(info, "/reserved-memory: no ranges (Linux ignores such a node): identity assumed");
	else if (len > 0)
		dt_warn(info, "/reserved-memory: ranges not translated: identity assumed");
	for (node = fdt_first_subnode(f, parent); node >= 0; node = fdt_next_subnode(f, node)) {
		if (!fdt_node_is_okay(f, node))
			continue;
		err = scan_reserved_child(info, node, ac, sc);
		if (err)
			return err;
	}
	return node == -FDT_ERR_NOTFOUND ? 0 : node;
}

/* ---- /chosen ------------------------------------------------------------- */

/* Does [start, end) lie inside one RAM range (ram[] is merged)? */
static bool range_in_ram(const struct dt_info *info, u64 start, u64 end)
{
	for (int i = 0; i < info->nr_ram; i++)
		if (start >= info->ram[i].base && end <= info->ram[i].base + info->ram[i].size)
			return true;
	return false;
}

/* linux,initrd-start/-end: one 32-bit cell (QEMU) or a 64-bit value (U-Boot). */
static int get_addr_prop(const struct fdt *f, int node, const char *prop, u64 *out)
{
	int len;
	const void *val = fdt_getprop(f, node, prop, &len);

	if (!val)
		return len;
	if (len == 4)
		*out = fdt32_ld(val);
	else if (len == 8)
		*out = fdt64_ld(val);
	else
		return -FDT_ERR_BADVALUE;
	return 0;
}

static int scan_initrd(struct dt_info *info, int chosen)
{
	const struct fdt *f = &info->fdt;
	int serr, eerr;
	u64 start = 0, end = 0;

	serr = get_addr_prop(f, chosen, "linux,initrd-start", &start);
	eerr = get_addr_prop(f, chosen, "linux,initrd-end", &end);
	if (serr && serr != -FDT_ERR_NOTFOUND)
		return serr;
	if (eerr && eerr != -FDT_ERR_NOTFOUND)
		return eerr;
	if (serr && eerr)
		return 0;
	if (serr || eerr) {
		dt_warn(info, "/chosen: linux,initrd-%s without linux,initrd-%s: ignored",
			serr ? "end" : "start", serr ? "start" : "end");
		return 0;
	}
	if (end < start)
		return -FDT_ERR_BADRANGE;
	if (end == start) {
		dt_warn(info, "/chosen: empty initrd: ignored");
		return 0;
	}
	if (!range_in_ram(info, start, end)) { /* as Linux: not memory, no initrd */
		dt_warn(info, "/chosen: initrd [mem 0x%016llx-0x%016llx] is not inside RAM: ignored",
			(unsigned long long)start, (unsigned long long)(end - 1));
		return 0;
	}
	info->has_initrd = true;
	info->initrd_start = start;
	info->initrd_end = end;
	return dt_add_reserved(info, start, end - start, "initrd", false);
}

/* stdout-path (or the older linux,stdout-path) without its ":options". */
static int scan_stdout_path(struct dt_info *info, int chosen)
{
	const char *path, *colon;
	size_t n;
	int err;

	path = get_string(&info->fdt, chosen, "stdout-path", &err);
	if (err == -FDT_ERR_NOTFOUND)
		path = get_string(&info->fdt, chosen, "linux,stdout-path", &err);
	if (err == -FDT_ERR_NOTFOUND)
		return 0;
	if (err)
		return err;
	n = strlen(path);
	colon = memchr(path, ':', n);
	if (colon)
		n = (size_t)(colon - path);
	if (n >= sizeof(info->stdout_path)) {
		dt_warn(info, "/chosen: stdout-path longer than %zu bytes: truncated",
			sizeof(info->stdout_path) - 1);
		n = sizeof(info->stdout_path) - 1;
	}
	memcpy(info->stdout_path, path, n);
	info->stdout_path[n] = '\0';
	return 0;
}

/* rng-seed, else kaslr-seed: any length; the first DT_RNG_SEED_MAX bytes. */
static void scan_rng_seed(struct dt_info *info, int chosen)
{
	static const char *const names[] = { "rng-seed", "kaslr-seed" };

	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++) {
		int len;
		const void *seed = fdt_getprop(&info->fdt, chosen, names[i], &len);

		if (!seed || len <= 0)
			continue;
		info->rng_seed_len = (u32)MIN(len, DT_RNG_SEED_MAX);
		memcpy(info->rng_seed, seed, info->rng_seed_len);
		info->rng_seed_name = names[i];
		return;
	}
}

static int scan_chosen(struct dt_info *info)
{
	const char *bootargs;
	int chosen, err;

	chosen = fdt_path_offset(&info->fdt, "/chosen", 7);
	if (chosen == -FDT_ERR_NOTFOUND)
		return 0;
	if (chosen < 0)
		return chosen;
	bootargs = get_string(&info->fdt, chosen, "bootargs", &err);
	if (bootargs)
		info->bootargs = bootargs;
	else if (err != -FDT_ERR_NOTFOUND)
		return err;
	err = scan_stdout_path(info, chosen);
	if (err)
		return err;
	scan_rng_seed(info, chosen);
	return scan_initrd(info, chosen);
}

/*
 * A range exactly the initrd's [start, end) is the initrd's own reservation:
 * the "initrd" entry, and a loader's record of the same bytes (U-Boot's
 * booti adds a mem-reserve entry of exactly the initrd it loaded, unrounded,
 * and Linux frees it with the initrd). A no-map range never is: memory
 * withheld from the map was not the loader's to hand over.
 */
static bool is_initrd_own(const struct dt_info *info, const struct dt_reserved *r)
{
	return r->base == info->initrd_start && r->size == info->initrd_end - info->initrd_start &&
	       !r->nomap;
}

const struct dt_reserved *dt_initrd_overlap(const struct dt_info *info)
{
	for (int i = 0; info->has_initrd && i < info->nr_reserved; i++) {
		const struct dt_reserved *r = &info->reserved[i];

		if (!is_initrd_own(info, r) && r->base < info->initrd_end &&
		    info->initrd_start < r->base + r->size)
			return r;
	}
	return NULL;
}

/* ---- /cpus --------------------------------------------------------------- */

static bool is_cpu_node(const struct fdt *f, int node)
{
	int len;
	const char *name = fdt_node_name(f, node, &len);

	return fdt_prop_equals(f, node, "device_type", "cpu") ||
	       (name && name_starts_with(name, len, "cpu@"));
}

/* The cpu nodes with a reg in /cpus (the ones scan_cpu keeps). */
static int count_cpu_nodes(const struct fdt *f)
{
	int cpus = fdt_path_offset(f, "/cpus", 5), n = 0;

	for (int node = fdt_first_subnode(f, cpus); node >= 0; node = fdt_next_subnode(f, node))
		n += is_cpu_node(f, node) && has_prop(f, node, "reg");
	return n;
}

static int scan_cpu(struct dt_info *info, int node, int ac, int sc)
{
	const struct fdt *f = &info->fdt;
	struct dt_cpu *cpu;
	const char *mmu;
	u64 hartid, unused;
	int err;

	if (!has_prop(f, node, "reg")) {
		dt_warn(info, "/cpus/%s: no reg: ignored", fdt_node_name(f, node, NULL));
		return 0;
	}
	if (ac == 0)
		return dt_fail(info, -FDT_ERR_BADCELLS,
			       "/cpus/%s has a reg, but /cpus has #address-cells 0: its hart id cannot be read",
			       fdt_node_name(f, node, NULL));
	err = fdt_read_reg(f, node, ac, sc, 0, &hartid, &unused);
	if (err)
		return err;
	mmu = get_string(f, node, "mmu-type", &err);
	if (err && err != -FDT_ERR_NOTFOUND)
		return err;
	if (info->nr_cpus == DT_MAX_CPUS) { /* its hart stays down: scan_cpus warns */
		info->nr_cpus_unlisted++;
		return 0;
	}
	cpu = &info->cpus[info->nr_cpus++];
	cpu->hartid = hartid;
	kstrlcpy(cpu->mmu_type, mmu ? mmu : "", sizeof(cpu->mmu_type));
	cpu->okay = fdt_node_is_okay(f, node);
	cpu->usable = cpu->okay && mmu && mmu[0] && strcmp(mmu, "riscv,none") != 0;
	return 0;
}

/*
 * /cpus's cells into *ac and *sc. #address-cells 0 is accepted there: it
 * is what a tree whose cpu nodes have no reg says (Linux's single-core ARM
 * trees), and scan_cpu ignores each such node with a warning, as Linux
 * does; #size-cells is then not read, since no reg is decoded with it. A
 * cpu node with a reg under it, or any other bad cells, fails the parse
 * with info->error naming /cpus.
 */
static int cpus_cells(struct dt_info *info, int cpus, int *ac, int *sc)
{
	u32 v;
	int err = fdt_child_cells(&info->fdt, cpus, ac, sc);

	if (err != -FDT_ERR_BADCELLS)
		return err;
	if (fdt_getprop_u32(&info->fdt, cpus, "#address-cells", &v) == 0 && v == 0) {
		*ac = 0;
		*sc = 0;
		return 0;
	}
	return dt_fail(info, err, "/cpus: #address-cells must be 0, 1 or 2, #size-cells 0, 1 or 2, each one cell");
}

static int scan_cpus(struct dt_info *info)
{
	const struct fdt *f = &info->fdt;
	int cpus, node, ac, sc, err;
	bool tb_from_cpu;

	cpus = fdt_path_offset(f, "/cpus", 5);
	if (cpus == -FDT_ERR_NOTFOUND)
		return 0;
	if (cpus < 0)
		return cpus;
	err = cpus_cells(info, cpus, &ac, &sc);
	if (err)
		return err;
	err = fdt_getprop_u32(f, cpus, "timebase-frequency", &info->timebase_frequency);
	if (err && err != -FDT_ERR_NOTFOUND)
		return err;
	tb_from_cpu = err == -FDT_ERR_NOTFOUND; /* then the first cpu node has it */
	for (node = fdt_first_subnode(f, cpus); node >= 0; node = fdt_next_subnode(f, node)) {
		if (!is_cpu_node(f, node))
			continue;
		if (tb_from_cpu) {
			err = fdt_getprop_u32(f, node, "timebase-frequency",
					      &info->timebase_frequency);
			if (err && err != -FDT_ERR_NOTFOUND)
				return err;
			tb_from_cpu = false;
		}
		err = scan_cpu(info, node, ac, sc);
		if (err)
			return err;
	}
	if (node != -FDT_ERR_NOTFOUND)
		return node;
	if (info->nr_cpus_unlisted)
		dt_warn(info, "/cpus has %d cpu nodes; rvmm's table holds %d: the harts of the other %d stay down",
			count_cpu_nodes(f), DT_MAX_CPUS, info->nr_cpus_unlisted);
	return 0;
}

/* ---- timer and IPI devices ---------------------------------------------- */

/* What OpenSBI finds its timer and IPI devices by (its fdt_timer and
 * fdt_ipi drivers): CLINT, ACLINT and the T-Head CLINT (OpenSBI 1.1 on);
 * the T-Head ACLINT of the Sophgo SG2042/SG2044 and the Andes PLMT and
 * PLICSW of the RZ/Five, which the OpenSBI releases for those boards drive.
 * A board whose timer is none of these is told it has none. */
static const char *const timer_compats[] = {
	"riscv,clint0", "sifive,clint0", "riscv,aclint-mtimer", "thead,c900-clint",
	"thead,c900-aclint-mtimer", "andestech,plmt0",
};
static const char *const ipi_compats[] = {
	"riscv,clint0", "sifive,clint0", "riscv,aclint-mswi", "thead,c900-clint",
	"thead,c900-aclint-mswi", "andestech,plicsw",
};

/* The name of the first enabled node with one of @compats, into @out. */
static void find_device(const struct fdt *f, const char *const *compats, unsigned int n,
			char out[DT_NAME_LEN])
{
	for (unsigned int i = 0; i < n; i++) {
		for (int node = fdt_find_compatible(f, -1, compats[i]); node >= 0;
		     node = fdt_find_compatible(f, node, compats[i])) {
			const char *name;
			int len;

			if (!fdt_node_is_okay(f, node))
				continue;
			name = fdt_node_name(f, node, &len);
			if (!name)
				continue;
			len = MIN(len, DT_NAME_LEN - 1);
			memcpy(out, name, (size_t)len);
			out[len] = '\0';
			return;
		}
	}
}

static void scan_timer_ipi(struct dt_info *info)
{
	find_device(&info->fdt, timer_compats, ARRAY_SIZE(timer_compats), info->timer_dev);
	find_device(&info->fdt, ipi_compats, ARRAY_SIZE(ipi_compats), info->ipi_dev);
}

/* ---- entry points -------------------------------------------------------- */

int dt_parse(struct dt_info *info, const void *blob, size_t bufsize, u64 dtb_phys)
{
	int err;

	memset(info, 0, sizeof(*info));
	info->bootargs = "";
	info->dtb_phys = dtb_phys;
	err = fdt_open(&info->fdt, blob, bufsize);
	if (!err)
		err = scan_memory(info);
	if (!err)
		err = scan_memreserve(info);
	if (!err)
		err = scan_reserved_memory(info);
	if (!err)
		err = dt_add_reserved(info, dtb_phys, info->fdt.totalsize, "dtb", false);
	if (!err)
		err = scan_chosen(info);
	if (!err)
		err = scan_cpus(info);
	if (!err)
		scan_timer_ipi(info);
	return err;
}

/* " (dynamic, no-map, reusable)", with those of the three @r has; "" for none. */
static const char *reserved_flags(const struct dt_reserved *r)
{
	static const char *const flags[8] = {
		"", " (no-map)", " (reusable)", " (no-map, reusable)",
		" (dynamic)", " (dynamic, no-map)", " (dynamic, reusable)", " (dynamic, no-map, reusable)",
	};

	return flags[(r->nomap ? 1 : 0) | (r->reusable ? 2 : 0) | (r->dynamic ? 4 : 0)];
}

void dt_print_memmap(const struct dt_info *info)
{
	int i;

	kprintf("Early memory node ranges\n");
	for (i = 0; i < info->nr_ram; i++) {
		const struct dt_range *r = &info->ram[i];

		kprintf("  node   0: [mem 0x%016llx-0x%016llx]\n",
			(unsigned long long)r->base,
			(unsigned long long)(r->base + r->size - 1));
	}
	kprintf("Reserved memory:\n");
	for (i = 0; i < info->nr_reserved; i++) {
		const struct dt_reserved *r = &info->reserved[i];

		kprintf("  [mem 0x%016llx-0x%016llx] %s%s\n",
			(unsigned long long)r->base,
			(unsigned long long)(r->base + r->size - 1),
			r->reason, reserved_flags(r));
	}
}

void dt_ram_truncate(struct dt_info *info, int i, u64 size)
{
	if (size >= info->ram[i].size)
		return;
	info->ram_cut += info->ram[i].size - size;
	if (size == 0)
		remove_ram(info, i, 1);
	else
		info->ram[i].size = size;
}

u64 dt_ram_limit(struct dt_info *info, u64 limit)
{
	u64 left = limit, before = dt_ram_total(info);

	for (int i = 0; i < info->nr_ram; i++) {
		if (left >= info->ram[i].size) {
			left -= info->ram[i].size;
			continue;
		}
		info->ram[i].size = left;
		remove_ram(info, left ? i + 1 : i, info->nr_ram - (left ? i + 1 : i));
		break;
	}
	before -= dt_ram_total(info); /* (now the bytes left out) */
	info->ram_left_out += before;
	return before;
}

u64 dt_ram_total(const struct dt_info *info)
{
	u64 total = 0;

	for (int i = 0; i < info->nr_ram; i++)
		total += info->ram[i].size;
	return total;
}

/* "no MMU (...)" when @cpu's node says it has none, else NULL. */
static const char *cpu_mmu_missing(const struct dt_cpu *cpu)
{
	if (!cpu->mmu_type[0])
		return "no MMU (no mmu-type)";
	if (strcmp(cpu->mmu_type, "riscv,none") == 0)
		return "no MMU (mmu-type riscv,none)";
	return NULL;
}

/* maxcpus=N (Linux's; nr_cpus=N the same here, nosmp as maxcpus=1): at most
 * N harts up, the boot hart counted; maxcpus=0 is maxcpus=1, as Linux's
 * maxcpus=0 keeps only the boot cpu. dt_max_harts_why is the word that set
 * it, the reason given for each hart it leaves down. */
u32 dt_max_harts;
char dt_max_harts_why[24];

static int set_max_harts(const char *name, const char *value)
{
	u32 n;
	int rc = parse_u32(value, &n);

	if (rc)
		return rc;
	dt_max_harts = n ? n : 1;
	ksnprintf(dt_max_harts_why, sizeof(dt_max_harts_why), "%s=%u", name, n);
	return 0;
}

static int maxcpus_param(const char *value)
{
	return set_max_harts("maxcpus", value);
}
KPARAM("maxcpus", maxcpus_param, "maxcpus=N  bring up at most N harts, the boot hart counted (0: the boot hart only)");

static int nr_cpus_param(const char *value)
{
	return set_max_harts("nr_cpus", value);
}
KPARAM("nr_cpus", nr_cpus_param, "nr_cpus=N  the same as maxcpus=N");

static int nosmp_param(const char *value)
{
	if (value)
		return -EINVAL;
	dt_max_harts = 1;
	kstrlcpy(dt_max_harts_why, "nosmp", sizeof(dt_max_harts_why));
	return 0;
}
KPARAM("nosmp", nosmp_param, "nosmp  the boot hart only (maxcpus=1)");

unsigned int dt_harts_limit(void)
{
	return dt_max_harts && dt_max_harts < MAX_HARTS ? dt_max_harts : MAX_HARTS;
}

/* A missing MMU is named first: such a hart can never run rvmm. */
const char *dt_cpu_down_reason(const struct dt_cpu *cpu, unsigned int nr_up)
{
	const char *no_mmu = cpu_mmu_missing(cpu);

	if (no_mmu)
		return no_mmu;
	if (!cpu->okay)
		return "status not okay";
	if (dt_max_harts && nr_up >= dt_max_harts)
		return dt_max_harts_why;
	if (nr_up >= MAX_HARTS)
		return "rvmm supports " STR(MAX_HARTS) " harts";
	return NULL;
}

/* ---- boot steps that end the boot on failure ---------------------------- */

void dt_panic_unusable(u64 dtb_phys, int err, const char *detail)
{
	bool more = detail && detail[0];

	panic("device tree at 0x%llx is unusable: %s%s%s (error %d)", (unsigned long long)dtb_phys,
	      fdt_strerror(err), more ? ": " : "", more ? detail : "", err);
}

static const struct dt_cpu *cpu_of_hart(const struct dt_info *info, u64 hartid)
{
	for (int i = 0; i < info->nr_cpus; i++)
		if (info->cpus[i].hartid == hartid)
			return &info->cpus[i];
	return NULL;
}

/* What the boot hart's own node (NULL: none) says of its MMU: only
 * mmu-type riscv,none says it has none (a node without the property does
 * not say). */
static const char *boot_cpu_no_mmu(const struct dt_cpu *cpu)
{
	return cpu && strcmp(cpu->mmu_type, "riscv,none") == 0 ? cpu_mmu_missing(cpu) : NULL;
}

void dt_note_unlisted_boot_hart(const struct dt_info *info, u64 hartid)
{
	if (info->nr_cpus_unlisted && !cpu_of_hart(info, hartid))
		kprintf("harts: the boot hart %llu has no slot in rvmm's cpu table (the tree has %d cpu "
			"node(s) past it): it runs all the same\n",
			(unsigned long long)hartid, info->nr_cpus_unlisted);
}

const char *dt_boot_hart_no_mmu(const struct dt_info *info, u64 hartid)
{
	return boot_cpu_no_mmu(cpu_of_hart(info, hartid));
}

void dt_check_boot_hart(const struct dt_info *info, u64 hartid)
{
	const struct dt_cpu *cpu = cpu_of_hart(info, hartid);
	const char *no_mmu = boot_cpu_no_mmu(cpu);

	if (no_mmu)
		panic("the device tree's cpu node for the boot hart %llu says %s: rvmm needs an Sv39 MMU",
		      (unsigned long long)hartid, no_mmu);
	if (cpu && !cpu->mmu_type[0])
		kprintf("harts: the boot hart %llu's cpu node has no mmu-type: Sv39 is tried "
			"(paging reads satp back)\n", (unsigned long long)hartid);
}

void dt_reserve_kernel(struct dt_info *info, u64 base, u64 size)
{
	int rc = dt_add_reserved(info, base, size, "kernel", false);

	if (rc) /* a parsed tree leaves the kernel a slot: only a bad range */
		panic("cannot record the kernel's memory [mem 0x%016llx+%#llx]: %s",
		      (unsigned long long)base, (unsigned long long)size, fdt_strerror(rc));
}

void dt_reserve_null_page(struct dt_info *info)
{
	int rc;

	if (!info->nr_ram || info->ram[0].base != 0)
		return;
	rc = dt_add_reserved(info, 0, PAGE_SIZE, "null page", true);
	if (rc) /* a parsed tree leaves it a slot */
		panic("cannot record the null page: %s", fdt_strerror(rc));
	kprintf("memory: RAM starts at address 0, whose kernel address is NULL: its first page is "
		"reserved, never allocated or mapped\n");
}
