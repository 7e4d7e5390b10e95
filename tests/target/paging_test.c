/*
 * paging_test.c - the kernel's Sv39 page table on the running machine
 * (suite "paging"): satp on every hart, the kernel image's protections
 * (enforced: stores into text and rodata fault, a jump into memory without
 * X faults), the direct map of every RAM page (identity, no-map ranges left
 * out), devices below RAM, and large pages wherever alignment allows.
 *
 * The page table is read with pgtable_walk, the hardware's view is probed
 * with trap_catch (which resumes after the faulting instruction).
 */
#include <boot/boot.h>
#include <boot/hart.h>
#include <lib/kstring.h>
#include <tests/ktest.h>
#include <mm/memblock.h>
#include <mm/mm.h>
#include <boot/paging.h>
#include <lib/riscv.h>
#include <boot/trap.h>
#include <drivers/console.h>
#include <mm/vmalloc.h>

#define PROT_BITS(pte) ((pte) & ~(~0ull << PTE_PPN_SHIFT))

static void note(struct ktest *t, const char *what)
{
	kprintf("# %s.%s: %s\n", t->suite, t->name, what);
}

/* ---- satp ------------------------------------------------------------------ */

static unsigned long satp_of[MAX_HARTS];

static void read_satp(void *arg)
{
	(void)arg;
	satp_of[this_cpu()] = csr_read(satp);
}

/* Every hart runs in Sv39 (mode 8) on the kernel's root table, ASID 0. */
static void satp_sv39_kernel_root_on_every_hart(struct ktest *t)
{
	u64 want = SATP_MODE_SV39 | kernel_pgtable.root_pa >> PAGE_SHIFT;
	struct page *root = virt_to_page(phys_to_virt(kernel_pgtable.root_pa));

	ASSERT(paging_on);
	ASSERT(root != NULL);
	EXPECT_EQ(page_type(root), PGTY_PAGETABLE);
	EXPECT(IS_ALIGNED(kernel_pgtable.root_pa, PAGE_SIZE));
	for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++)
		satp_of[cpu] = 0;
	on_each_hart(read_satp, NULL);
	for (unsigned int cpu = 0; cpu < nr_harts; cpu++) {
		EXPECT_EQ(satp_of[cpu] >> 60, 8);
		EXPECT_EQ(satp_of[cpu], want);
	}
}

/* ---- the kernel image ------------------------------------------------------ */

static unsigned long fault_pc;

/* Store back the word just read: harmless if the store is (wrongly)
 * allowed. trap_catch skips the store if it faults. */
static void store_same_word(void *arg)
{
	u32 v;

	__asm__ volatile("lw %1, 0(%2)\n"
			 "1: sw %1, 0(%2)\n"
			 "la %0, 1b\n"
			 : "=&r"(fault_pc), "=&r"(v)
			 : "r"(arg)
			 : "memory");
}

static void expect_store_faults(struct ktest *t, const void *addr)
{
	struct trap_expect e;

	if (!trap_catch(store_same_word, (void *)addr, &e)) {
		ktest_fail(t, __FILE__, __LINE__, "a store to %p did not fault", addr);
		return;
	}
	EXPECT_EQ(e.scause, EXC_STORE_PAGE_FAULT);
	EXPECT_EQ(e.stval, (uintptr_t)addr);
	EXPECT_EQ(e.sepc, fault_pc);
}

static const char rodata_string[] = "rodata is read-only";

/* Text and rodata: a store faults (store page fault, stval = the address),
 * at the first, a middle and the last word of each. */
static void kernel_text_and_rodata_not_writable(struct ktest *t)
{
	const void *where[] = {
		_start, (const void *)store_same_word, _etext - 4,
		_srodata, rodata_string, _erodata - 4,
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(where); i++)
		expect_store_faults(t, where[i]);
	EXPECT_STREQ(rodata_string, "rodata is read-only");
}

/*
 * Each page of the image is mapped once, in a 4 KiB page: text r-x,
 * rodata r--, data and bss rw-, all global with A (and D where writable)
 * preset; the image boundaries are page aligned.
 */
static void kernel_image_protections(struct ktest *t)
{
	u64 ks = (uintptr_t)_start, ke = (uintptr_t)_end;
	unsigned long bad = 0, text = 0, ro = 0, rw = 0;

	EXPECT(IS_ALIGNED((uintptr_t)_etext, PAGE_SIZE));
	EXPECT(IS_ALIGNED((uintptr_t)_erodata, PAGE_SIZE));
	EXPECT_EQ((uintptr_t)_srodata, (uintptr_t)_etext);
	EXPECT_EQ((uintptr_t)_sdata, (uintptr_t)_erodata);
	for (u64 va = ks; va < ke; va += PAGE_SIZE) {
		int level;
		pte_t pte = pgtable_walk(&kernel_pgtable, va, &level);
		u64 want = va < (uintptr_t)_etext ? PAGE_KERNEL_EXEC :
			   va < (uintptr_t)_erodata ? PAGE_KERNEL_RO : PAGE_KERNEL;

		text += want == PAGE_KERNEL_EXEC;
		ro += want == PAGE_KERNEL_RO;
		rw += want == PAGE_KERNEL;
		if ((level != 0 || PROT_BITS(pte) != want || pte_pa(pte) != va) && bad++ == 0)
			ktest_fail(t, __FILE__, __LINE__,
				   "kernel page 0x%llx: level %d, entry 0x%llx, want prot 0x%llx",
				   (unsigned long long)va, level, (unsigned long long)pte,
				   (unsigned long long)want);
	}
	EXPECT_EQ(bad, 0);
	EXPECT(text > 0 && ro > 0 && rw > 0);
	/* The data page holding this suite's variables is writable, not
	 * executable. */
	EXPECT_EQ(PROT_BITS(pgtable_walk(&kernel_pgtable, (uintptr_t)&fault_pc, &(int){ 0 })),
		  PAGE_KERNEL);
}

/*
 * Fetching from a page without X faults. The landing pad below is a page
 * of text starting with "ret". The test maps it right after a vmalloc'ed
 * page (in that area's guard page), writes c.nop into the data page's last
 * two bytes and calls that address: the fetch faults (instruction page
 * fault, sepc = stval = the target), trap_catch resumes two bytes on, at
 * the landing pad, whose ret returns to the caller. (A jump into the direct
 * map cannot be resumed this way: no executable page follows a data page
 * there. Its entries are checked for X by direct_map_covers_ram.)
 */
__asm__(".pushsection .text.paging_test_landing, \"ax\", @progbits\n"
	".balign 4096\n"
	"paging_test_landing:\n"
	"	ret\n"
	".popsection\n");
extern char paging_test_landing[];

static void call_address(void *arg)
{
	((void (*)(void))arg)();
}

static void jump_into_data_faults(struct ktest *t)
{
	struct trap_expect e;
	u8 *page = vmalloc(PAGE_SIZE);
	u64 guard = (uintptr_t)page + PAGE_SIZE;
	u16 *target = (u16 *)(page + PAGE_SIZE - 2);
	bool caught_landing, caught;
	int rc;

	ASSERT(page != NULL);
	ASSERT(IS_ALIGNED((uintptr_t)paging_test_landing, PAGE_SIZE));
	EXPECT_EQ(PROT_BITS(pgtable_walk(&kernel_pgtable, (uintptr_t)page, &(int){ 0 })),
		  PAGE_KERNEL);
	*target = 0x0001; /* c.nop */
	rc = pgtable_map(&kernel_pgtable, guard, virt_to_phys(paging_test_landing), PAGE_SIZE,
			 PAGE_KERNEL_EXEC, 0);
	if (rc) {
		vfree(page);
		ktest_fail(t, __FILE__, __LINE__, "cannot map the landing pad (%d)", rc);
		return;
	}
	local_flush_tlb_range(guard, PAGE_SIZE);
	caught_landing = trap_catch(call_address, (void *)guard, &e); /* the pad alone works */
	caught = trap_catch(call_address, target, &e);
	pgtable_unmap(&kernel_pgtable, guard, PAGE_SIZE);
	flush_tlb_kernel_range(guard, PAGE_SIZE);
	vfree(page);

	EXPECT(!caught_landing);
	ASSERT(caught);
	EXPECT_EQ(e.scause, EXC_INST_PAGE_FAULT);
	EXPECT_EQ(e.stval, (uintptr_t)target);
	EXPECT_EQ(e.sepc, (uintptr_t)target);
	EXPECT_EQ(vmalloc_check(), 0);
}

/* ---- the direct map --------------------------------------------------------- */

static bool in_nomap(u64 pa)
{
	for (int i = 0; i < memblock.nomap.cnt; i++) {
		u64 s = ALIGN_DOWN(memblock.nomap.regions[i].base, PAGE_SIZE);
		u64 e = ALIGN_UP(memblock.nomap.regions[i].base + memblock.nomap.regions[i].size,
				 PAGE_SIZE);

		if (pa >= s && pa < e)
			return true;
	}
	return false;
}

static bool in_kernel(u64 pa)
{
	return pa >= (uintptr_t)_start && pa < (uintptr_t)_end;
}

/* Whether @pa is in a page of the device tree blob, which paging_init maps
 * read-only wherever it lies outside the direct map (outside RAM, or in a
 * no-map range: QEMU puts it in the Icicle Kit tree's). */
static bool in_dtb(u64 pa)
{
	return pa >= ALIGN_DOWN(boot_dt.dtb_phys, PAGE_SIZE) &&
	       pa < boot_dt.dtb_phys + boot_dt.fdt.totalsize;
}

/* The piece of mapped RAM around @pa that paging_init maps in one call:
 * its region's pages, cut at no-map ranges and at the kernel image. */
static void piece_of(u64 pa, u64 region_start, u64 region_end, u64 *ps, u64 *pe)
{
	u64 s = region_start, e = region_end;

	for (int i = 0; i < memblock.nomap.cnt; i++) {
		u64 ns = ALIGN_DOWN(memblock.nomap.regions[i].base, PAGE_SIZE);
		u64 ne = ALIGN_UP(memblock.nomap.regions[i].base + memblock.nomap.regions[i].size,
				  PAGE_SIZE);

		if (ne <= pa && ne > s)
			s = ne;
		if (ns > pa && ns < e)
			e = ns;
	}
	if ((uintptr_t)_end <= pa && (uintptr_t)_end > s)
		s = (uintptr_t)_end;
	if ((uintptr_t)_start > pa && (uintptr_t)_start < e)
		e = (uintptr_t)_start;
	*ps = s;
	*pe = e;
}

struct leaf_counts {
	unsigned long leaves[PT_LEVELS];
	unsigned long mapped_pages, nomap_pages, kernel_pages;
	unsigned long nomap_dtb_pages; /* of nomap_pages: the device tree's, mapped */
};

/*
 * Walk every RAM region: each page of a no-map range is unmapped, but for
 * the device tree's own pages, mapped read-only to themselves; every
 * other page is mapped to itself, by a leaf lying inside its region; the
 * kernel image has its own 4 KiB pages; the rest is rw- and not executable,
 * and each leaf is the largest page its place allows (no bigger aligned
 * page would fit inside its piece of RAM). The page right after each region
 * is not mapped as RAM (unless RAM continues there).
 */
static void walk_ram(struct ktest *t, struct leaf_counts *c)
{
	unsigned long bad = 0;

	memset(c, 0, sizeof(*c));
	for (int r = 0; r < memblock.memory.cnt; r++) {
		u64 rs = ALIGN_UP(memblock.memory.regions[r].base, PAGE_SIZE);
		u64 re = ALIGN_DOWN(memblock.memory.regions[r].base + memblock.memory.regions[r].size,
				    PAGE_SIZE);
		u64 va = rs;

		re = MIN(re, SV39_LOW_END);
		while (va < re) {
			int level;
			pte_t pte = pgtable_walk(&kernel_pgtable, va, &level);
			u64 size, base, ps, pe;

			if (in_nomap(va) && in_dtb(va)) {
				c->nomap_pages++;
				c->nomap_dtb_pages++;
				if ((level != 0 || pte_pa(pte) != va || PROT_BITS(pte) != PAGE_KERNEL_RO) &&
				    bad++ == 0)
					ktest_fail(t, __FILE__, __LINE__,
						   "device tree page 0x%llx in a no-map range: level %d, entry 0x%llx",
						   (unsigned long long)va, level, (unsigned long long)pte);
				va += PAGE_SIZE;
				continue;
			}
			if (in_nomap(va)) {
				c->nomap_pages++;
				if (level >= 0 && bad++ == 0)
					ktest_fail(t, __FILE__, __LINE__,
						   "no-map page 0x%llx is mapped (entry 0x%llx)",
						   (unsigned long long)va, (unsigned long long)pte);
				va += PAGE_SIZE;
				continue;
			}
			if (in_kernel(va)) {
				c->kernel_pages++;
				if (level != 0 && bad++ == 0)
					ktest_fail(t, __FILE__, __LINE__, "kernel page 0x%llx: level %d",
						   (unsigned long long)va, level);
				va += PAGE_SIZE;
				continue;
			}
			if (level < 0) {
				if (bad++ == 0)
					ktest_fail(t, __FILE__, __LINE__, "RAM page 0x%llx is not mapped",
						   (unsigned long long)va);
				va += PAGE_SIZE;
				continue;
			}
			size = LEVEL_SIZE(level);
			base = ALIGN_DOWN(va, size);
			piece_of(va, rs, re, &ps, &pe);
			if (pte_pa(pte) != base || PROT_BITS(pte) != PAGE_KERNEL || base < ps ||
			    base + size > pe ||
			    pgtable_translate(&kernel_pgtable, va) != va ||
			    pgtable_translate(&kernel_pgtable, base + size - 1) != base + size - 1) {
				if (bad++ == 0)
					ktest_fail(t, __FILE__, __LINE__,
						   "RAM 0x%llx: leaf of level %d at 0x%llx, entry 0x%llx, piece [0x%llx-0x%llx)",
						   (unsigned long long)va, level,
						   (unsigned long long)base, (unsigned long long)pte,
						   (unsigned long long)ps, (unsigned long long)pe);
			} else if (level < PT_LEVELS - 1 &&
				   IS_ALIGNED(base, LEVEL_SIZE(level + 1)) &&
				   base + LEVEL_SIZE(level + 1) <= pe) {
				if (bad++ == 0)
					ktest_fail(t, __FILE__, __LINE__,
						   "RAM 0x%llx: level %d page where a level %d page fits",
						   (unsigned long long)base, level, level + 1);
			}
			c->leaves[level]++;
			c->mapped_pages += (base + size - va) / PAGE_SIZE;
			va = base + size;
		}
		/* Past the region: not RAM, unless another region starts there
		 * (or the device tree lies there: it is mapped wherever it is). */
		if (re < SV39_LOW_END && !memblock_is_memory(&memblock, re) && !in_dtb(re) &&
		    pgtable_translate(&kernel_pgtable, re) != ~0ull && bad++ == 0)
			ktest_fail(t, __FILE__, __LINE__, "0x%llx after RAM is mapped",
				   (unsigned long long)re);
	}
	EXPECT_EQ(bad, 0);
}

static void direct_map_covers_ram(struct ktest *t)
{
	struct leaf_counts c;
	unsigned long ram_pages = 0, nomap_in_ram = 0;

	walk_ram(t, &c);
	for (int r = 0; r < memblock.memory.cnt; r++) {
		u64 rs = ALIGN_UP(memblock.memory.regions[r].base, PAGE_SIZE);
		u64 re = ALIGN_DOWN(memblock.memory.regions[r].base + memblock.memory.regions[r].size,
				    PAGE_SIZE);

		ram_pages += (MIN(re, SV39_LOW_END) - rs) / PAGE_SIZE;
		for (u64 pa = rs; pa < re; pa += PAGE_SIZE)
			nomap_in_ram += in_nomap(pa);
	}
	EXPECT_EQ(c.mapped_pages + c.nomap_pages + c.kernel_pages, ram_pages);
	EXPECT_EQ(c.nomap_pages, nomap_in_ram);
	EXPECT_EQ(c.kernel_pages, ((uintptr_t)_end - (uintptr_t)_start) / PAGE_SIZE);
	if (nomap_in_ram) { /* (mem= may leave every no-map range above RAM) */
		char msg[96];

		ksnprintf(msg, sizeof(msg), "%lu no-map pages unmapped, %lu holding the device tree mapped",
			  c.nomap_pages - c.nomap_dtb_pages, c.nomap_dtb_pages);
		note(t, msg);
		EXPECT(c.nomap_pages > c.nomap_dtb_pages);
	}
}

/* A load from every no-map range faults as a page fault (the direct map
 * leaves it out; were it mapped, PMP would give an access fault). */
static void load_from(void *arg)
{
	unsigned long v;

	__asm__ volatile("1: ld %1, 0(%2)\n"
			 "la %0, 1b\n"
			 : "=&r"(fault_pc), "=&r"(v)
			 : "r"(arg)
			 : "memory");
}

static void nomap_ranges_fault(struct ktest *t)
{
	if (!memblock.nomap.cnt) {
		note(t, "no no-map range on this machine: nothing to test");
		return;
	}
	for (int i = 0; i < memblock.nomap.cnt; i++) {
		u64 pa = ALIGN_UP(memblock.nomap.regions[i].base, 8);
		struct trap_expect e;

		if (!trap_catch(load_from, (void *)(uintptr_t)pa, &e)) {
			ktest_fail(t, __FILE__, __LINE__, "a load from no-map 0x%llx did not fault",
				   (unsigned long long)pa);
			continue;
		}
		EXPECT_EQ(e.scause, EXC_LOAD_PAGE_FAULT);
		EXPECT_EQ(e.stval, pa);
	}
}

/*
 * Devices: everything below the first RAM page is mapped to itself, rw-,
 * not executable, in the largest pages alignment allows (on virt and
 * sifive_u, RAM starts at 2 GiB: two 1 GiB pages).
 */
static void devices_below_ram_mapped(struct ktest *t)
{
	u64 lowest = ALIGN_DOWN(memblock.memory.regions[0].base, PAGE_SIZE), va = 0;
	unsigned long leaves[PT_LEVELS] = { 0 }, bad = 0;

	ASSERT(memblock.memory.cnt > 0);
	while (va < lowest) {
		int level;
		pte_t pte = pgtable_walk(&kernel_pgtable, va, &level);
		u64 size;

		if (level < 0) {
			ktest_fail(t, __FILE__, __LINE__, "device address 0x%llx is not mapped",
				   (unsigned long long)va);
			return;
		}
		size = LEVEL_SIZE(level);
		if ((pte_pa(pte) != va || PROT_BITS(pte) != PAGE_KERNEL_IO ||
		     (pte & PTE_TYPE_MASK) != pte_type_io || va + size > lowest ||
		     !IS_ALIGNED(va, size)) && bad++ == 0)
			ktest_fail(t, __FILE__, __LINE__, "device leaf at 0x%llx: level %d, entry 0x%llx",
				   (unsigned long long)va, level, (unsigned long long)pte);
		leaves[level]++;
		va += size;
	}
	EXPECT_EQ(bad, 0);
	if (IS_ALIGNED(lowest, LEVEL_SIZE(2)))
		EXPECT_EQ(leaves[2], lowest / LEVEL_SIZE(2));
	/* The console UART (virt: 0x10000000, sifive_u: 0x10010000) is there. */
	EXPECT_EQ(pgtable_translate(&kernel_pgtable, 0x10000000), 0x10000000);
	EXPECT_EQ(pgtable_translate(&kernel_pgtable, 0x10010000), 0x10010000);
}

/* Table pages below the root's entries for the lower half (devices and
 * the direct map; vmalloc's tables hang off the upper half). */
static unsigned long count_tables(u64 table_pa, int level, unsigned int first, unsigned int end)
{
	const pte_t *table = phys_to_virt(table_pa);
	unsigned long n = 1;

	for (unsigned int i = first; i < end; i++)
		if ((table[i] & PTE_V) && !pte_leaf(table[i]) && level > 0)
			n += count_tables(pte_pa(table[i]), level - 1, 0, PTRS_PER_PT);
	return n;
}

/* RAM range ends (either side) that are not 2 MiB-aligned. */
static unsigned long ram_ends_off_2m(const struct memblock *mb)
{
	unsigned long n = 0;

	for (int i = 0; i < mb->memory.cnt; i++) {
		n += !IS_ALIGNED(mb->memory.regions[i].base, 2ul << 20);
		n += !IS_ALIGNED(mb->memory.regions[i].base + mb->memory.regions[i].size, 2ul << 20);
	}
	return n;
}

/* Does a range overlap a no-map range (each taken in whole pages)? */
static bool overlaps_nomap(u64 start, u64 end)
{
	for (int i = 0; i < memblock.nomap.cnt; i++) {
		u64 s = ALIGN_DOWN(memblock.nomap.regions[i].base, PAGE_SIZE);
		u64 e = ALIGN_UP(memblock.nomap.regions[i].base + memblock.nomap.regions[i].size,
				 PAGE_SIZE);

		if (s < end && e > start)
			return true;
	}
	return false;
}

/* Is there a 2 MiB-aligned block wholly in RAM (below Sv39's one-to-one
 * end) that neither the kernel image nor a no-map range touches? Only then
 * can the direct map hold a 2 MiB leaf: a small RAM whose every such block
 * holds part of the image has none (-m 5M with the kernel loaded 1 MiB
 * below its link address, across 0x80200000). */
static bool ram_has_free_2m_block(void)
{
	const u64 sz = LEVEL_SIZE(1);
	u64 ks = ALIGN_DOWN((uintptr_t)_start, sz), ke = ALIGN_UP((uintptr_t)_end, sz);

	for (int i = 0; i < memblock.memory.cnt; i++) {
		u64 end = MIN(memblock.memory.regions[i].base + memblock.memory.regions[i].size,
			      SV39_LOW_END);

		for (u64 b = ALIGN_UP(memblock.memory.regions[i].base, sz); b + sz <= end; b += sz)
			if ((b + sz <= ks || b >= ke) && !overlaps_nomap(b, b + sz))
				return true;
	}
	return false;
}

/*
 * Large pages: the direct map uses 2 MiB pages where an aligned block of RAM
 * is free of the kernel image and no-map ranges (and 1 GiB ones with 2 GiB
 * of RAM or more, where a whole aligned GiB lies in RAM). walk_ram already
 * checked that each leaf is the largest that fits; here the counts.
 */
static void large_pages_used(struct ktest *t)
{
	struct leaf_counts c;
	u64 ram = memblock_phys_mem_size(&memblock);
	unsigned long tables = count_tables(kernel_pgtable.root_pa, PT_LEVELS - 1, 0, PTRS_PER_PT / 2);
	char msg[128];

	walk_ram(t, &c);
	ksnprintf(msg, sizeof(msg), "%lu x 1 GiB, %lu x 2 MiB, %lu x 4 KiB leaves; %lu table pages",
		  c.leaves[2], c.leaves[1], c.leaves[0], tables);
	note(t, msg);
	EXPECT(c.leaves[1] > 0 || !ram_has_free_2m_block());
	/* 4 KiB pages only next to the kernel image and no-map ranges (fewer
	 * than 512 on each side of each) and at RAM range ends that are not
	 * 2 MiB-aligned (fewer than 512 at each). */
	EXPECT(c.leaves[0] < 2 * 512 * (1ul + (unsigned long)memblock.nomap.cnt) +
				     512 * ram_ends_off_2m(&memblock));
	if (ram >= (3ull << 30)) /* [0x80000000 + ...]: some whole GiB is RAM */
		EXPECT(c.leaves[2] > 0);
	/* The direct map costs few table pages (the root included): one
	 * level-1 table per GiB of RAM not mapped whole, one level-0 table
	 * per 2 MiB not mapped whole. */
	EXPECT(tables < 16);
	EXPECT(tables <= kernel_pgtable.nr_table_pages);
}

/* A device page outside the devices below RAM (a board with devices above
 * its RAM) is mapped to itself by paging_map_device, rw-, not executable
 * and marked a device (PTE_DEVICE: the I/O memory type where the hart has
 * one); a page already mapped is left as it is; one beyond the
 * 256 GiB Sv39 maps one-to-one is refused with nothing changed. */
static void device_above_ram_mapped(struct ktest *t)
{
	const struct memblock_region *top = &memblock.memory.regions[memblock.memory.cnt - 1];
	u64 pa = ALIGN_UP(top->base + top->size, 1ull << 30) + 0x1234, page = ALIGN_DOWN(pa, PAGE_SIZE);
	int level;

	ASSERT(pa < SV39_LOW_END);
	ASSERT_EQ(pgtable_translate(&kernel_pgtable, page), ~0ull);
	EXPECT(paging_map_device(pa, "test device"));
	EXPECT_EQ(pgtable_translate(&kernel_pgtable, page), page);
	EXPECT_EQ(PROT_BITS(pgtable_walk(&kernel_pgtable, page, &level)), PAGE_KERNEL_IO);
	EXPECT_EQ(level, 0);
	EXPECT(paging_map_device(pa + 8, "test device")); /* already mapped */
	EXPECT(!paging_map_device(SV39_LOW_END + 0x1000, "test device"));
	EXPECT_EQ(pgtable_translate(&kernel_pgtable, SV39_LOW_END + 0x1000), ~0ull);
	/* The console UART, mapped at boot wherever it was. */
	if (console_mmio_base())
		EXPECT_EQ(pgtable_translate(&kernel_pgtable, console_mmio_base()), console_mmio_base());
	pgtable_unmap(&kernel_pgtable, page, PAGE_SIZE);
	local_flush_tlb_range(page, PAGE_SIZE);
	EXPECT_EQ(pgtable_translate(&kernel_pgtable, page), ~0ull);
}

KTEST_SUITE(paging,
	KTEST_CASE(satp_sv39_kernel_root_on_every_hart),
	KTEST_CASE(kernel_text_and_rodata_not_writable),
	KTEST_CASE(kernel_image_protections),
	KTEST_CASE(jump_into_data_faults),
	KTEST_CASE(direct_map_covers_ram),
	KTEST_CASE(nomap_ranges_fault),
	KTEST_CASE(devices_below_ram_mapped),
	KTEST_CASE(device_above_ram_mapped),
	KTEST_CASE(large_pages_used));
