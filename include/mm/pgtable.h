/*
 * pgtable.h - Sv39 page tables (mm/pgtable.c) and rvmm's virtual memory
 * layout.
 *
 *   0x0000_0000_0000_0000 +-------------------------+
 *                         | devices (MMIO)          |  identity, read/write, 1 GiB pages
 *   0x0000_0000_8000_0000 +-------------------------+
 *                         | RAM: the direct map     |  identity (virtual = physical),
 *                         |   kernel text  r-x      |  4 KiB pages around the kernel,
 *                         |   kernel rodata r--     |  2 MiB / 1 GiB pages elsewhere,
 *                         |   everything else rw-   |  no-map ranges left out
 *   0x0000_0040_0000_0000 +-------------------------+  (end of the lower half: 256 GiB)
 *                         | not addressable in Sv39 |
 *   0xffff_ffc0_0000_0000 +-------------------------+  VMALLOC_START
 *                         | vmalloc / vmap areas,   |  4 KiB pages, rw-, each area
 *                         | each followed by an     |  followed by an unmapped guard page
 *                         | unmapped guard page     |
 *   0xffff_ffd0_0000_0000 +-------------------------+  VMALLOC_END (64 GiB)
 *                         | the KFENCE pool         |  4 KiB pages, object pages mapped
 *                         | (include/mm/kfence.h)   |  while live, guard pages never
 *   0xffff_ffd0_001f_f000 +-------------------------+
 *
 * The direct map is the identity, so a physical address is its own kernel
 * virtual address and va_pa_offset stays 0, as before paging.
 */
#ifndef RVMM_PGTABLE_H
#define RVMM_PGTABLE_H

#ifdef __cplusplus
extern "C" {
#endif

#include <lib/kernel.h>
#include <config.h>

typedef u64 pte_t;

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_G (1ull << 5)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK (((1ull << 44) - 1) << PTE_PPN_SHIFT) /* bits 10..53 */
#define PTE_LEAF (PTE_R | PTE_W | PTE_X)
/* RSW bit 8 (the hardware ignores it): the leaf maps device registers, not
 * memory. pgtable_map gives such a leaf pte_type_io, others
 * pte_type_memory. */
#define PTE_DEVICE (1ull << 8)

/*
 * Memory-type bits of a leaf, above the PPN. Zero on harts that follow the
 * privileged spec without Svpbmt (QEMU's, SiFive's, StarFive's: the
 * platform's PMAs decide). T-Head's C906 and C910 (Allwinner D1, Sophgo
 * CV1800B, T-Head TH1520) running with their memory attribute extension on
 * (MAEE, bit 21 of their sxstatus CSR) read bits 63..59 of a leaf as its
 * type, strongly ordered (SO), cacheable (C), bufferable (B), shareable (SH)
 * and trustable, where all zero is strongly ordered and uncached: RAM then
 * needs C | B | SH and devices SO | SH, as Linux's THEAD_MAE erratum sets.
 * The boot sets both once, before the first mapping
 * (pgtable_set_memory_types, boot/paging.c).
 */
#define PTE_TYPE_MASK (0x1full << 59)
#define PTE_THEAD_SO (1ull << 63)
#define PTE_THEAD_C (1ull << 62)
#define PTE_THEAD_B (1ull << 61)
#define PTE_THEAD_SH (1ull << 60)
#define PTE_THEAD_MEMORY (PTE_THEAD_C | PTE_THEAD_B | PTE_THEAD_SH)
#define PTE_THEAD_IO (PTE_THEAD_SO | PTE_THEAD_SH)
extern u64 pte_type_memory, pte_type_io;
void pgtable_set_memory_types(u64 memory, u64 io);

/* Kernel protections (global, accessed and dirty preset: no A/D faults). */
#define PAGE_KERNEL (PTE_V | PTE_R | PTE_W | PTE_G | PTE_A | PTE_D)
#define PAGE_KERNEL_IO (PAGE_KERNEL | PTE_DEVICE)
#define PAGE_KERNEL_RO (PTE_V | PTE_R | PTE_G | PTE_A)
#define PAGE_KERNEL_EXEC (PTE_V | PTE_R | PTE_X | PTE_G | PTE_A)

#define PTRS_PER_PT 512
#define PT_LEVELS 3
#define LEVEL_SHIFT(l) (PAGE_SHIFT + 9 * (l)) /* level 0: 4 KiB, 1: 2 MiB, 2: 1 GiB */
#define LEVEL_SIZE(l) (1ull << LEVEL_SHIFT(l))

#define SV39_LOW_END (1ull << 38) /* the lower half: [0, 256 GiB) */
#define VMALLOC_START 0xffffffc000000000ull
#define VMALLOC_END 0xffffffd000000000ull

#define SATP_MODE_SV39 (8ull << 60)

/* The physical address a leaf or table entry points at (the PPN alone: the
 * memory-type bits above it are not part of the address). */
static inline u64 pte_pa(pte_t pte)
{
	return ((pte & PTE_PPN_MASK) >> PTE_PPN_SHIFT) << PAGE_SHIFT;
}

static inline pte_t pfn_pte(u64 pa, u64 prot)
{
	return (pa >> PAGE_SHIFT) << PTE_PPN_SHIFT | prot;
}

static inline bool pte_leaf(pte_t pte)
{
	return (pte & PTE_V) && (pte & PTE_LEAF);
}

/* A page table: its root page (physical). */
struct pgtable {
	u64 root_pa;
	unsigned long nr_table_pages; /* tables allocated, the root included */
};

/* Allocate an empty root; 0 or -ENOMEM. */
int pgtable_init(struct pgtable *pt);
/*
 * Map [va, va+size) to [pa, pa+size) with @prot, in the largest pages the
 * alignment of all three allows (up to @max_level: 0 = 4 KiB only), each
 * leaf with pte_type_io when @prot has PTE_DEVICE, else pte_type_memory. Tables
 * come from the page allocator (PGTY_PAGETABLE). Returns 0, -ENOMEM or
 * -EEXIST (something is mapped there already; nothing is changed then for
 * the page that collided, earlier pages stay mapped).
 */
int pgtable_map(struct pgtable *pt, u64 va, u64 pa, u64 size, u64 prot, int max_level);
/* Clear the 4 KiB mappings of [va, va+size) (leaf tables are kept). */
void pgtable_unmap(struct pgtable *pt, u64 va, u64 size);
/* The leaf entry for @va and its level (-1 when unmapped); 0 when none. */
pte_t pgtable_walk(const struct pgtable *pt, u64 va, int *level);
/* Physical address @va maps to, or ~0 when unmapped. */
u64 pgtable_translate(const struct pgtable *pt, u64 va);

#ifdef __cplusplus
}
#endif

#endif
