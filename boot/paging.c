/*
 * paging.c - the kernel's Sv39 page table (layout in include/mm/pgtable.h).
 *
 * Built once on the boot hart right after the page allocator (its tables
 * come from it): devices below RAM and every RAM range (less the no-map
 * ones) mapped to themselves, in 1 GiB and 2 MiB pages where alignment
 * allows, the console UART and the finisher wherever they are (or, beyond
 * Sv39's reach, given up for SBI), and the kernel image in 4 KiB pages with text read-execute,
 * rodata read-only, data and bss read-write. Nothing is executable outside
 * the kernel text and nothing writable is executable. Because virtual =
 * physical in the direct map, switching satp on changes no address the
 * kernel uses. Every hart loads the same table.
 */
#include <boot/boot.h>
#include <boot/hart.h>
#include <mm/memblock.h>
#include <boot/paging.h>
#include <lib/riscv.h>
#include <boot/sbi.h>
#include <drivers/console.h>
#include <drivers/power.h>

struct pgtable kernel_pgtable;
bool paging_on;
static u64 kernel_satp;

static void map_or_panic(u64 start, u64 end, u64 prot, int max_level, const char *what)
{
	int rc;

	if (start >= end)
		return;
	rc = pgtable_map(&kernel_pgtable, start, start, end - start, prot, max_level);
	if (rc)
		panic("paging: cannot map %s [0x%llx-0x%llx) (error %d)", what,
		      (unsigned long long)start, (unsigned long long)end, rc);
}

/* RAM [s, e) in large pages, leaving out the kernel image (mapped apart). */
static void map_ram_piece(u64 s, u64 e)
{
	u64 ks = (u64)(uintptr_t)_start, ke = (u64)(uintptr_t)_end;

	if (e > SV39_LOW_END) {
		kprintf("paging: RAM above 256 GiB (0x%llx-0x%llx) is not mapped\n",
			(unsigned long long)MAX(s, SV39_LOW_END), (unsigned long long)e);
		e = SV39_LOW_END;
	}
	if (s >= e)
		return;
	if (s < ke && e > ks) {
		map_or_panic(s, ks, PAGE_KERNEL, PT_LEVELS - 1, "RAM");
		map_or_panic(ke, e, PAGE_KERNEL, PT_LEVELS - 1, "RAM");
	} else {
		map_or_panic(s, e, PAGE_KERNEL, PT_LEVELS - 1, "RAM");
	}
}

/* A RAM region less the no-map ranges, whole pages only. */
static void map_ram_region(const struct memblock *mb, u64 base, u64 end)
{
	u64 s = ALIGN_UP(base, PAGE_SIZE);

	end = ALIGN_DOWN(end, PAGE_SIZE);
	for (int i = 0; i < mb->nomap.cnt && s < end; i++) {
		u64 ns = ALIGN_DOWN(mb->nomap.regions[i].base, PAGE_SIZE);
		u64 ne = ALIGN_UP(mb->nomap.regions[i].base + mb->nomap.regions[i].size, PAGE_SIZE);

		if (ne <= s || ns >= end)
			continue;
		map_ram_piece(s, MIN(ns, end));
		s = MAX(s, ne);
	}
	map_ram_piece(s, end);
}

static void map_kernel_image(void)
{
	map_or_panic((uintptr_t)_start, (uintptr_t)_etext, PAGE_KERNEL_EXEC, 0, "kernel text");
	map_or_panic((uintptr_t)_srodata, (uintptr_t)_erodata, PAGE_KERNEL_RO, 0, "kernel rodata");
	map_or_panic((uintptr_t)_sdata, (uintptr_t)_end, PAGE_KERNEL, 0, "kernel data");
}

/* Map read-only, one to one, each page of [@start, @end) no mapping covers
 * yet: what the kernel still reads outside the direct map. Returns 0 (*@mapped:
 * the pages mapped) or pgtable_map's error (*@failed: the page it was for). */
static int map_unmapped_ro(u64 start, u64 end, unsigned long *mapped, u64 *failed)
{
	*mapped = 0;
	for (u64 va = ALIGN_DOWN(start, PAGE_SIZE); va < ALIGN_UP(end, PAGE_SIZE); va += PAGE_SIZE) {
		int rc;

		if (pgtable_translate(&kernel_pgtable, va) != ~0ull)
			continue;
		rc = pgtable_map(&kernel_pgtable, va, va, PAGE_SIZE, PAGE_KERNEL_RO, 0);
		if (rc) {
			*failed = va;
			return rc;
		}
		++*mapped;
	}
	return 0;
}

/* A device tree outside the direct map (outside the RAM it describes, or
 * in one of its no-map ranges) is still read later (and by self-tests): map
 * its own pages read-only where they are. */
static void map_dtb_outside_ram(void)
{
	unsigned long mapped;
	u64 va;
	int rc = map_unmapped_ro(boot_dt.dtb_phys, boot_dt.dtb_phys + boot_dt.fdt.totalsize, &mapped, &va);

	if (rc)
		panic("paging: cannot map device tree [0x%llx-0x%llx) (error %d)", (unsigned long long)va,
		      (unsigned long long)(va + PAGE_SIZE), rc);
}

/* The initrd outside the direct map (beyond mem=, or outside the RAM the
 * tree describes): the boot loader put it there, so the console's replay
 * may still read it; its pages are mapped read-only where they lie. Not a
 * panic when that cannot be done (beyond what Sv39 maps one-to-one, no
 * page for a page table): a line, and replay refuses to read it. */
static void map_initrd_outside_ram(void)
{
	bool beyond = boot_dt.initrd_end > SV39_LOW_END;
	unsigned long mapped = 0;
	u64 va;

	if (!boot_dt.has_initrd || boot_dt.initrd_end <= boot_dt.initrd_start)
		return;
	if (beyond || map_unmapped_ro(boot_dt.initrd_start, boot_dt.initrd_end, &mapped, &va)) {
		kprintf("paging: the initrd at 0x%llx lies outside RAM and cannot be mapped%s: "
			"replay will not read it\n", (unsigned long long)boot_dt.initrd_start,
			beyond ? " (beyond the 256 GiB Sv39 maps one-to-one)" : "");
		return;
	}
	if (mapped)
		kprintf("paging: the initrd at 0x%llx lies outside RAM: %lu page%s mapped read-only\n",
			(unsigned long long)boot_dt.initrd_start, mapped, mapped == 1 ? "" : "s");
}

bool paging_map_device(u64 pa, const char *what)
{
	u64 s = ALIGN_DOWN(pa, PAGE_SIZE);

	if (pgtable_translate(&kernel_pgtable, s) == s)
		return true;
	if (s >= SV39_LOW_END ||
	    pgtable_map(&kernel_pgtable, s, s, PAGE_SIZE, PAGE_KERNEL_IO, 0) != 0)
		return false;
	kprintf("paging: %s at 0x%llx mapped (outside the devices below RAM)\n", what,
		(unsigned long long)s);
	return true;
}

/*
 * The devices the kernel drives itself, the console UART and the QEMU
 * finisher (spike: HTIF), are below RAM on virt, sifive_u and the HiFive boards, but
 * above it on boards whose RAM starts at 0 (Canaan K230: UART at
 * 0x91400000) or lower (T-Head TH1520: 0xffe7014000, above 256 GiB). Each is
 * mapped where it is; one Sv39 cannot map to itself is given up for the
 * SBI firmware's console or reset, with a message printed while it still
 * works (paging is not on yet).
 */
#define UART_REG_SPAN 0x100 /* a 16550's 8 registers 4 bytes apart, a SiFive UART's 7 */
#define BEYOND_SV39 "its registers lie beyond the 256 GiB Sv39 maps one-to-one"

static void map_kernel_devices(void)
{
	unsigned long uart = console_mmio_base(), fin = power_finisher_base(), htif = power_htif_base();

	if (uart && !(paging_map_device(uart, "console UART") &&
		      paging_map_device(uart + UART_REG_SPAN - 1, "console UART")))
		console_fall_back_to_sbi(BEYOND_SV39);
	if (fin && !paging_map_device(fin, "finisher"))
		power_forget_finisher(BEYOND_SV39);
	if (htif && !paging_map_device(htif, "HTIF"))
		power_forget_htif(BEYOND_SV39);
}

/*
 * T-Head's C906 and C910 (mvendorid 0x5b7, marchid and mimpid 0, as Linux's
 * THEAD_MAE erratum tells them) with their memory attribute extension on
 * (sxstatus.MAEE, which firmware sets) take a leaf's bits 63..59 as its
 * memory type, all zero being strongly ordered and uncached: RAM is then
 * mapped cacheable, bufferable and shareable, devices strongly ordered
 * (include/mm/pgtable.h). sxstatus is read only on such a hart (elsewhere
 * the CSR does not exist and the read would trap). Every other hart keeps
 * zero there, as the spec reserves those bits without Svpbmt.
 */
#define THEAD_MVENDORID 0x5b7
#define TH_SXSTATUS_MAEE (1ul << 21)

static void choose_memory_types(void)
{
	if (sbi_base_value(SBI_BASE_GET_MVENDORID) != THEAD_MVENDORID ||
	    sbi_base_value(SBI_BASE_GET_MARCHID) != 0 || sbi_base_value(SBI_BASE_GET_MIMPID) != 0)
		return;
	if (!(csr_read(0x5c0) & TH_SXSTATUS_MAEE)) { /* T-Head's sxstatus */
		kprintf("paging: T-Head core, memory attribute extension off: standard Sv39 leaves\n");
		return;
	}
	pgtable_set_memory_types(PTE_THEAD_MEMORY, PTE_THEAD_IO);
	kprintf("paging: T-Head core with its memory attribute extension on (sxstatus.MAEE): "
		"RAM mapped cacheable, devices strongly ordered\n");
}

void paging_enable_this_hart(void)
{
	csr_write(satp, kernel_satp);
	__asm__ volatile("sfence.vma" ::: "memory");
}

/* A hart without Sv39 ignores the write to satp (the spec's rule for a mode
 * it does not support) and goes on untranslated, whatever its device tree
 * node said: then nothing the kernel page table protects is protected and
 * no vmalloc address works. */
static void check_satp_took(void)
{
	u64 satp = csr_read(satp);

	if (satp != kernel_satp)
		panic("paging: this hart does not take Sv39: satp reads %#llx after writing %#llx (no MMU, or "
		      "none rvmm can use, whatever the device tree says)",
		      (unsigned long long)satp, (unsigned long long)kernel_satp);
}

void paging_init(const struct memblock *mb)
{
	u64 lowest_ram = mb->memory.cnt ? mb->memory.regions[0].base : SV39_LOW_END;

	choose_memory_types();
	if (pgtable_init(&kernel_pgtable))
		panic("paging: no page for the root table");
	/* Devices live below RAM on every machine rvmm runs on. */
	map_or_panic(0, ALIGN_DOWN(lowest_ram, PAGE_SIZE), PAGE_KERNEL_IO, PT_LEVELS - 1, "devices");
	for (int i = 0; i < mb->memory.cnt; i++)
		map_ram_region(mb, mb->memory.regions[i].base,
			       mb->memory.regions[i].base + mb->memory.regions[i].size);
	map_kernel_image();
	map_dtb_outside_ram();
	map_initrd_outside_ram();
	map_kernel_devices();
	kernel_satp = SATP_MODE_SV39 | kernel_pgtable.root_pa >> PAGE_SHIFT;
	paging_enable_this_hart();
	check_satp_took();
	paging_on = true;
	kprintf("paging: Sv39 on, %lu page-table pages; vmalloc area [0x%llx-0x%llx)\n",
		kernel_pgtable.nr_table_pages, (unsigned long long)VMALLOC_START,
		(unsigned long long)VMALLOC_END);
}

void local_flush_tlb_range(u64 start, u64 size)
{
	if (size > 64 * PAGE_SIZE) {
		__asm__ volatile("sfence.vma" ::: "memory");
		return;
	}
	for (u64 va = start; va < start + size; va += PAGE_SIZE)
		__asm__ volatile("sfence.vma %0" ::"r"(va) : "memory");
}

/* One RFENCE call for all other harts whose ids fit a 64-bit mask (every
 * machine rvmm runs on); one call per hart otherwise. */
void flush_tlb_kernel_range(u64 start, u64 size)
{
	unsigned long mask = 0;

	local_flush_tlb_range(start, size);
	for (unsigned int cpu = 0; cpu < nr_harts; cpu++) {
		unsigned long id = harts[cpu].hartid;

		if (&harts[cpu] == this_hart())
			continue;
		if (id < 64)
			mask |= 1ul << id;
		else
			sbi_remote_sfence_vma(1, id, start, size);
	}
	if (mask)
		sbi_remote_sfence_vma(mask, 0, start, size);
}
