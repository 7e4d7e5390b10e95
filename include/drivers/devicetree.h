/*
 * devicetree.h - what rvmm takes from the device tree at boot.
 *
 * dt_parse() reads a validated blob into a struct dt_info: the RAM ranges of
 * every /memory node, every reserved range with the reason it is reserved,
 * /chosen and /cpus. Tables are fixed-size (no allocator exists yet); a blob
 * that needs more entries is an error, not a silent truncation.
 */
#ifndef RVMM_DEVICETREE_H
#define RVMM_DEVICETREE_H

#include <drivers/fdt.h>

#define DT_MAX_RAM 32
/* Reserved ranges the tree itself may have (mem-reserve entries plus the
 * ranges of /reserved-memory children, the firmware's included). The table
 * holds DT_RESERVED_OWN more: the dtb, the initrd, the kernel image and the
 * null page always have their slots, however many the tree brings. */
#define DT_MAX_RESERVED 64
#define DT_RESERVED_OWN 4
/* Dynamic /reserved-memory children (size, no reg) the tree may have: each
 * has a slot of its own in the reserved table for the range it is given. */
#define DT_MAX_DYNAMIC 16
#define DT_RESERVED_SLOTS (DT_MAX_RESERVED + DT_MAX_DYNAMIC + DT_RESERVED_OWN)
/* A dynamic node's alignment without an alignment property: Linux's
 * SMP_CACHE_BYTES on RISC-V (L1_CACHE_BYTES, 64). A reusable
 * shared-dma-pool without no-map (a CMA pool) gets at least DT_CMA_ALIGN:
 * Linux's CMA_MIN_ALIGNMENT_BYTES, one pageblock, 2 MiB on RISC-V
 * (pageblock_order = HUGETLB_PAGE_ORDER 9 with 4 KiB pages). */
#define DT_DYNAMIC_ALIGN 64
#define DT_CMA_ALIGN 0x200000
#define DT_MAX_CPUS 32
#define DT_ERROR_LEN 200
#define DT_NAME_LEN 40
#define DT_STDOUT_LEN 128
#define DT_RNG_SEED_MAX 64

struct dt_range {
	u64 base;
	u64 size; /* > 0, and base + size does not wrap */
};

/* A reserved physical range and why. The reason is the /reserved-memory
 * child's node name, or one of "memreserve", "kernel", "dtb", "initrd",
 * "null page". */
struct dt_reserved {
	u64 base;
	u64 size;
	bool nomap; /* a /reserved-memory child with no-map */
	bool resmem; /* from a /reserved-memory child (not the mem-reserve map, dtb, initrd or kernel) */
	bool reusable; /* a /reserved-memory child with reusable (it stays reserved all the same) */
	bool dynamic;  /* placed by dt_place_dynamic (the child had size, no reg) */
	bool cma;      /* a CMA pool: shared-dma-pool, reusable, not no-map (dt_declare_cma) */
	bool cma_default; /* with linux,cma-default: the area dma_alloc_coherent uses */
	bool from_cmdline; /* cma='s pool (dynamic too), not the tree's */
	char reason[DT_NAME_LEN];
};

/*
 * A /reserved-memory child with size and no reg, as dt_parse found it
 * (its properties checked): dt_place_dynamic gives it a range once every
 * static reservation is known.
 */
struct dt_dynamic {
	char name[DT_NAME_LEN];
	u64 size;  /* > 0 */
	u64 align; /* a power of two: alignment, else DT_DYNAMIC_ALIGN; CMA: >= DT_CMA_ALIGN */
	/* alloc-ranges (points into the blob, as bootargs): nr_ranges entries
	 * of addr_cells + size_cells cells, each checked not to wrap; 0
	 * entries: anywhere in RAM. */
	const u8 *ranges;
	int nr_ranges;
	int addr_cells, size_cells;
	bool nomap, reusable;
	bool cma, cma_default; /* as struct dt_reserved's */
	bool from_cmdline;     /* cma='s pool, not a node of the tree */
};

struct dt_cpu {
	u64 hartid;       /* the cpu node's reg */
	bool okay;        /* status absent, "okay" or "ok" */
	bool usable;      /* okay and has an mmu-type other than "riscv,none" */
	char mmu_type[16]; /* "riscv,sv39", ... or "" */
};

struct dt_info {
	struct fdt fdt;
	u64 dtb_phys; /* where the blob lies in physical memory */

	struct dt_range ram[DT_MAX_RAM]; /* sorted, merged, non-overlapping */
	int nr_ram;
	u64 ram_cut; /* bytes the tree calls RAM that did not answer (dt_ram_truncate) */
	u64 ram_left_out; /* bytes of RAM above the mem= boot parameter's limit (dt_ram_limit) */
	struct dt_reserved reserved[DT_RESERVED_SLOTS]; /* sorted by base */
	int nr_reserved;
	int nr_tree_reserved; /* of them, the tree's own (at most DT_MAX_RESERVED) */
	struct dt_dynamic dynamic[DT_MAX_DYNAMIC]; /* in the order of the tree */
	int nr_dynamic;

	char stdout_path[DT_STDOUT_LEN]; /* /chosen stdout-path, ":options" stripped; "" if none */
	const char *bootargs;            /* /chosen bootargs (points into the blob); "" if none */
	bool has_initrd;
	u64 initrd_start, initrd_end; /* [start, end) */
	/* /chosen rng-seed (or the older kaslr-seed): entropy the firmware
	 * (QEMU, U-Boot) leaves for the kernel; the first DT_RNG_SEED_MAX
	 * bytes, rng_seed_len 0 if none. rng_seed_name says which property. */
	u8 rng_seed[DT_RNG_SEED_MAX];
	u32 rng_seed_len;
	const char *rng_seed_name;

	u32 timebase_frequency; /* /cpus (or first cpu) timebase-frequency; 0 if absent */
	struct dt_cpu cpus[DT_MAX_CPUS];
	int nr_cpus;
	/* cpu nodes past the table's DT_MAX_CPUS (the SG2042 has 64): not
	 * recorded, so their harts stay down; a warning says how many. */
	int nr_cpus_unlisted;

	/* The devices the SBI firmware drives the S-mode timer and IPIs with:
	 * the node name of the first enabled one of each kind, "" when the
	 * tree has none. Without a timer device `time` does not advance and
	 * no timer interrupt comes; without an IPI device no hart can wake
	 * another (Linux's own HiFive trees lack both: no CLINT node). */
	char timer_dev[DT_NAME_LEN];
	char ipi_dev[DT_NAME_LEN];

	int nr_warnings; /* problems dt_parse repaired or skipped (each printed) */

	/* Why dt_parse failed, when its error code alone would not say where:
	 * which table overflowed, the node and the limit (-FDT_ERR_TOOMANY).
	 * "" otherwise. The one field of a failed parse that is meaningful. */
	char error[DT_ERROR_LEN];
};

/*
 * Parse the blob at @blob (at most @bufsize readable bytes) which lies at
 * physical address @dtb_phys. Fills @info, including the reserved ranges for
 * the mem-reserve block, /reserved-memory, the dtb itself and the initrd.
 * Returns 0 or a negative FDT_ERR_* code; on error @info is not usable,
 * except for info->error, which may say more than the code.
 *
 * Repaired with a warning (printed with kprintf, counted in nr_warnings):
 * zero-size ranges (dropped), overlapping or duplicate RAM ranges (merged),
 * memory nodes without device_type "memory" (ignored), a dynamic
 * /reserved-memory child (size, no reg) with a bad size, alignment or
 * alloc-ranges (skipped; the good ones are listed in dynamic[]).
 * Errors: every fdt_open() error, #address-cells > 2, a malformed reg,
 * a range that wraps past 2^64, no RAM at all, too many entries.
 */
int dt_parse(struct dt_info *info, const void *blob, size_t bufsize, u64 dtb_phys);

/* Print "dt: warning: <what>" as one line and count it in nr_warnings. */
void dt_warn(struct dt_info *info, const char *fmt, ...) __printf(2, 3);

/* Add a reserved range (e.g. "kernel"), keeping the table sorted. Returns 0,
 * -FDT_ERR_TOOMANY (all DT_RESERVED_SLOTS taken) or -FDT_ERR_BADRANGE. A
 * parsed tree always leaves a slot for the kernel image. */
int dt_add_reserved(struct dt_info *info, u64 base, u64 size, const char *reason, bool nomap);

/* Record @d placed at [@base, @base + d->size) as a reserved range named
 * after its node (dynamic, with its no-map and reusable). Returns 0 or
 * -FDT_ERR_TOOMANY / -FDT_ERR_BADRANGE; every dynamic node has its slot. */
int dt_add_dynamic(struct dt_info *info, const struct dt_dynamic *d, u64 base);

/* Entry @i (< d->nr_ranges) of @d's alloc-ranges: [*start, *start + *size). */
void dt_dynamic_range(const struct dt_dynamic *d, int i, u64 *start, u64 *size);

/*
 * The reserved range that keeps the initrd's pages reserved after the
 * initrd is done with, or NULL when they may all be released: the first
 * range that overlaps the initrd and is not the initrd's own. Its own are
 * the "initrd" entry and any other range of exactly the same bytes without
 * no-map (U-Boot's booti reserves the initrd it loads with a mem-reserve
 * entry of exactly its start and size). NULL without an initrd.
 */
const struct dt_reserved *dt_initrd_overlap(const struct dt_info *info);

/* Print the memory map in Linux's style:
 *   Early memory node ranges
 *     node   0: [mem 0x0000000080000000-0x000000008fffffff]
 *   Reserved memory:
 *     [mem 0x0000000080000000-0x000000008007ffff] mmode_resv0@80000000
 *     [mem 0x0000000087000000-0x0000000087ffffff] linux,cma (dynamic, reusable)
 * with " (no-map)", " (reusable)", " (dynamic)" or their combination after
 * the ranges that have them.
 */
void dt_print_memmap(const struct dt_info *info);

/* Total bytes of RAM. */
u64 dt_ram_total(const struct dt_info *info);

/* Shrink RAM range @i to @size bytes (0: drop it): what the boot found
 * missing behind a range the tree describes (boot/ram_probe.c). */
void dt_ram_truncate(struct dt_info *info, int i, u64 size);

/* Keep the lowest @limit bytes of RAM, counted over the ranges from the
 * bottom, and drop the rest (the last range kept may be cut short); the
 * bytes dropped are added to ram_left_out and returned (0 when RAM is no
 * more than @limit). Reserved ranges are left as they are: above the
 * limit they lie outside RAM, as an initrd beyond RAM does. */
u64 dt_ram_limit(struct dt_info *info, u64 limit);

/*
 * Why rvmm leaves @cpu down when @nr_up harts (the boot hart included) are
 * already up, or NULL when it would start it: "no MMU (no mmu-type)",
 * "no MMU (mmu-type riscv,none)", "status not okay", the boot parameter
 * that limits the harts once that many are up ("maxcpus=2", "nr_cpus=3",
 * "nosmp": dt_max_harts, 0 when none was given), or "rvmm supports N
 * harts" once MAX_HARTS are up. Never asked about the boot hart itself.
 */
const char *dt_cpu_down_reason(const struct dt_cpu *cpu, unsigned int nr_up);
extern u32 dt_max_harts;
extern char dt_max_harts_why[24];
/* The most harts that come up: MAX_HARTS, or fewer with those parameters. */
unsigned int dt_harts_limit(void);

/*
 * "no MMU (mmu-type riscv,none)" when the tree has a cpu node for hart
 * @hartid that says so, else NULL. A node without mmu-type does not say
 * (Linux does not require the property): the hart that boots on one is
 * tried, and paging_init's read-back of satp tells whether it has Sv39; a
 * hart the tree does not list is taken to have one.
 */
/* When cpu nodes were left out of the table (the parse's warning says their
 * harts stay down) and the boot hart @hartid has no slot, it may be one of
 * them, and it runs: one line says so. Nothing otherwise. */
void dt_note_unlisted_boot_hart(const struct dt_info *info, u64 hartid);
const char *dt_boot_hart_no_mmu(const struct dt_info *info, u64 hartid);

/* Boot steps whose failure ends the boot. Each either succeeds or panics
 * with the message naming the problem. */

/* The boot hart @hartid must not be one the tree says has no MMU
 * (dt_boot_hart_no_mmu): rvmm pages with Sv39 from its first steps. A node
 * without mmu-type gets a note that Sv39 is tried. */
void dt_check_boot_hart(const struct dt_info *info, u64 hartid);

/* The blob at @dtb_phys was refused with @err (fdt_open or dt_parse);
 * @detail (NULL or "" when there is none: dt_info.error) says where. */
void dt_panic_unusable(u64 dtb_phys, int err, const char *detail) __noreturn;

/* Add the kernel image [@base, @base + @size) as the reserved range "kernel". */
void dt_reserve_kernel(struct dt_info *info, u64 base, u64 size);

/*
 * When @info's RAM starts at physical address 0 (T-Head TH1520, Sophgo
 * SG2042, Canaan K230), add its first page as the no-map range "null page",
 * with one line saying why: the direct map is the identity
 * (include/mm/pgtable.h), so that page's kernel address is NULL. Never
 * allocated, it cannot hand out a page, slab object or SLOB block that reads
 * as a failed allocation; never mapped, a NULL dereference faults instead of
 * reaching RAM. Call it with dt_reserve_kernel, before dt_place_dynamic.
 * Nothing on a tree whose RAM starts above 0.
 */
void dt_reserve_null_page(struct dt_info *info);

/* ---- drivers/dt_memblock.c: the map into memblock ---- */
struct memblock;

/*
 * Give each dynamic /reserved-memory node (info->dynamic[], in the order of
 * the tree) its range, as Linux's __reserved_mem_alloc_size does: from a
 * memblock of @info's RAM less every range reserved so far (call it after
 * dt_reserve_kernel, so the mem-reserve block, the static /reserved-memory
 * ranges, the kernel, the dtb and the initrd are all known, and each node
 * also avoids the ones placed before it), top-down, aligned, within the
 * first of its alloc-ranges that has room (anywhere in RAM without them).
 * Each placed range joins info->reserved (dt_add_dynamic) and gets one
 * line; a node that cannot be placed gets a warning naming it and why, and
 * reserves nothing. Returns the number of warnings (also in nr_warnings).
 */
int dt_place_dynamic(struct dt_info *info);

/*
 * The mem=SIZE boot parameter (Linux's): only the lowest SIZE bytes of RAM
 * are used (dt_mem_limit, page-aligned; 0 when not given). dt_apply_mem_limit
 * cuts @info's RAM to it (dt_ram_limit) with one line saying what is left
 * out, before the kernel image is reserved and the dynamic ranges placed;
 * a limit that would leave out part of the image [@kernel_start,
 * @kernel_end) is refused with a line naming where the image ends, and
 * one no smaller than RAM changes nothing (a line says so). Returns the
 * bytes left out.
 */
extern u64 dt_mem_limit;
u64 dt_apply_mem_limit(struct dt_info *info, u64 kernel_start, u64 kernel_end);

/*
 * The cma=SIZE boot parameter (Linux's): a default contiguous memory area of
 * SIZE bytes (rounded up to DT_CMA_ALIGN), placed by dt_place_dynamic as a
 * dynamic node named "cma" below 4 GiB when there is RAM there (for 32-bit
 * devices, as Linux places it), anywhere else. As in Linux it replaces the
 * tree's linux,cma-default pool: a dynamic one is not placed, a static one
 * stays reserved as an area that is not the default. cma=0: no default
 * area. dt_cma_given says whether the parameter was given.
 * cma=SIZE@BASE puts the area at BASE exactly (a multiple of DT_CMA_ALIGN),
 * cma=SIZE@START-END anywhere in [START, END) (Linux's forms): then
 * [dt_cma_start, dt_cma_end) is that range, else both are 0.
 */
extern u64 dt_cma_size;
extern bool dt_cma_given;
extern u64 dt_cma_start, dt_cma_end;

/*
 * Make every CMA pool of @dt's reserved ranges (struct dt_reserved .cma:
 * the tree's reusable shared-dma-pools, cma=) an area (mm/cma.c,
 * cma_init_reserved_mem), one line each; the first default one becomes
 * dma_contiguous_default_area. After the memory manager is up (the areas'
 * bitmaps are kmalloc'd). Returns the number of areas made.
 */
int dt_declare_cma(const struct dt_info *dt);

/* All RAM of the device tree, and every range it or rvmm reserves. */
int memblock_add_dt(struct memblock *mb, const struct dt_info *dt);

/*
 * Fill @mb (from scratch) with @dt's RAM and reserved ranges, @dt holding
 * the kernel image [kernel_start, kernel_end) as its "kernel" range. RAM at
 * or above 256 GiB (beyond the direct map) is left out and reported, and so
 * are the partial pages memblock_alloc will not use. Panics
 * when the table overflows, when the image is not inside one RAM range,
 * when another reserved range overlaps it, or when no whole page is free.
 */
void memblock_from_dt(struct memblock *mb, const struct dt_info *dt, u64 kernel_start,
		      u64 kernel_end);

#endif
