/*
 * pgtable.c - building and walking Sv39 page tables.
 *
 * Sv39 translates a 39-bit virtual address through three levels of 512
 * eight-byte entries (bits 38-30, 29-21, 20-12). An entry with any of R, W,
 * X set is a leaf: at level 2 it maps 1 GiB, at level 1 2 MiB, at level 0
 * 4 KiB; otherwise a valid entry points at the next table. A leaf also
 * carries the machine's memory-type bits (pte_type_memory, or pte_type_io
 * for a PTE_DEVICE mapping; zero but on T-Head's MAEE harts). Table pages come
 * from the page allocator (zeroed, marked PGTY_PAGETABLE) and are reached
 * through the direct map (phys_to_virt), so this file also builds tables
 * over the host's fake RAM for tests; it never loads satp (boot/paging.c
 * does). Callers serialise changes to one table; reading (walk) is safe
 * while another hart changes other parts of it.
 */
#include <lib/kstring.h>
#include <mm/mm.h>
#include <mm/pgtable.h>

u64 pte_type_memory, pte_type_io;

void pgtable_set_memory_types(u64 memory, u64 io)
{
	pte_type_memory = memory & PTE_TYPE_MASK;
	pte_type_io = io & PTE_TYPE_MASK;
}

static pte_t *table_va(u64 pa)
{
	return phys_to_virt(pa);
}

static inline unsigned int index_of(u64 va, int level)
{
	return (unsigned int)((va >> LEVEL_SHIFT(level)) & (PTRS_PER_PT - 1));
}

static u64 new_table(struct pgtable *pt)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	if (!page)
		return 0;
	set_page_type(page, PGTY_PAGETABLE);
	pt->nr_table_pages++;
	return virt_to_phys(page_address(page));
}

int pgtable_init(struct pgtable *pt)
{
	pt->nr_table_pages = 0;
	pt->root_pa = new_table(pt);
	return pt->root_pa ? 0 : -ENOMEM;
}

/* The entry for va at @level, creating tables above it; NULL if out of
 * memory (*err = -ENOMEM) or a bigger leaf is in the way (*err = -EEXIST). */
static pte_t *entry_at(struct pgtable *pt, u64 va, int level, int *err)
{
	pte_t *table = table_va(pt->root_pa);

	for (int l = PT_LEVELS - 1; l > level; l--) {
		pte_t *e = &table[index_of(va, l)];

		if (!(*e & PTE_V)) {
			u64 pa = new_table(pt);

			if (!pa) {
				*err = -ENOMEM;
				return NULL;
			}
			*e = pfn_pte(pa, PTE_V);
		} else if (pte_leaf(*e)) {
			*err = -EEXIST;
			return NULL;
		}
		table = table_va(pte_pa(*e));
	}
	return &table[index_of(va, level)];
}

static int biggest_level(u64 va, u64 pa, u64 size, int max_level)
{
	for (int l = max_level; l > 0; l--)
		if (IS_ALIGNED(va | pa, LEVEL_SIZE(l)) && size >= LEVEL_SIZE(l))
			return l;
	return 0;
}

int pgtable_map(struct pgtable *pt, u64 va, u64 pa, u64 size, u64 prot, int max_level)
{
	if ((va | pa | size) & (PAGE_SIZE - 1))
		return -EINVAL;
	while (size) {
		int level = biggest_level(va, pa, size, max_level), err;
		pte_t *e = entry_at(pt, va, level, &err);

		if (!e)
			return err;
		if (*e & PTE_V)
			return -EEXIST;
		*e = pfn_pte(pa, prot) | (prot & PTE_DEVICE ? pte_type_io : pte_type_memory);
		va += LEVEL_SIZE(level);
		pa += LEVEL_SIZE(level);
		size -= LEVEL_SIZE(level);
	}
	return 0;
}

pte_t pgtable_walk(const struct pgtable *pt, u64 va, int *level)
{
	pte_t *table = table_va(pt->root_pa);

	for (int l = PT_LEVELS - 1; l >= 0; l--) {
		pte_t e = table[index_of(va, l)];

		if (!(e & PTE_V))
			break;
		if (pte_leaf(e)) {
			*level = l;
			return e;
		}
		table = table_va(pte_pa(e));
	}
	*level = -1;
	return 0;
}

u64 pgtable_translate(const struct pgtable *pt, u64 va)
{
	int level;
	pte_t e = pgtable_walk(pt, va, &level);

	if (level < 0)
		return ~0ull;
	return pte_pa(e) + (va & (LEVEL_SIZE(level) - 1));
}

void pgtable_unmap(struct pgtable *pt, u64 va, u64 size)
{
	for (u64 end = va + size; va < end; va += PAGE_SIZE) {
		int level;

		pgtable_walk(pt, va, &level);
		if (level == 0)
			*entry_at(pt, va, 0, &level) = 0;
	}
}
