/*
 * dt_memblock.c - the device tree's memory map into memblock: every RAM
 * range added, every reserved range reserved (no-map kept), and the checks
 * that stop a boot whose map cannot hold the kernel. The glue between
 * drivers/devicetree.c and mm/memblock.c, so that mm/ takes plain ranges
 * and never reads a struct dt_info; rvmm-dt calls the same code.
 */
#include <drivers/devicetree.h>
#include <lib/kstring.h>
#include <mm/memblock.h>
#include <mm/mm.h>
#include <mm/pgtable.h>

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
	u64 top = mb->memory.cnt ? mb->memory.regions[mb->memory.cnt - 1].base +
					   mb->memory.regions[mb->memory.cnt - 1].size : 0;
	u64 dropped = memblock_limit_memory(mb, SV39_LOW_END);

	if (dropped)
		kprintf("memblock: RAM above 256 GiB [mem 0x%016llx-0x%016llx] left out (%llu MiB): the direct map ends there\n",
			(unsigned long long)SV39_LOW_END, (unsigned long long)top - 1,
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
	memblock_report_unusable(mb);
	if (!kernel_in_ram(dt, kernel_start, kernel_end))
		panic("the kernel image [mem 0x%016llx-0x%016llx] is not inside the RAM the device tree describes",
		      (unsigned long long)kernel_start, (unsigned long long)kernel_end - 1);
	check_kernel_not_reserved(dt, kernel_start, kernel_end);
	if (!free_page_bytes(mb))
		panic("no free RAM: the device tree's reserved ranges and the kernel cover all of it");
}

