/*
 * ram_probe.c - believe the device tree's RAM only as far as it answers.
 *
 * A tree may describe more RAM than the machine has: Linux's HiFive
 * Unmatched tree says 16 GiB, and QEMU (or a board with smaller DIMMs) may
 * have 8. Page structures put at the top of a range that is not there fault
 * at the first store. So before memblock sees the map, each RAM range's
 * last page is read under trap_catch; when that faults, a binary search
 * over pages (about 20 reads of 8 bytes, never a write) finds where RAM
 * really ends, the range is cut there, and one line says so. Only loads
 * from addresses the tree calls RAM are made, never in a range it reserves
 * (firmware guards its own memory); RAM is assumed to have no holes inside
 * one range.
 */
#include <boot/boot.h>
#include <boot/hart.h>
#include <boot/trap.h>
#include <drivers/devicetree.h>
#include <mm/mm.h>

static void load_one(void *arg)
{
	(void)*(volatile const u64 *)arg;
}

/* Does a load from physical @pa complete without an access fault? */
static bool answers(u64 pa)
{
	struct trap_expect e;

	return !trap_catch(load_one, (void *)(uintptr_t)pa, &e);
}

/* The first page of [base, end) outside every range @dt reserves (firmware
 * may guard its own with PMP, so a load there faults though it is RAM);
 * the kernel's own first page if the image lies in the range. @end if none. */
static u64 anchor_page(const struct dt_info *dt, u64 base, u64 end)
{
	u64 k = ALIGN_DOWN((u64)(uintptr_t)_start, PAGE_SIZE);
	u64 pa = base;

	if (k >= base && k < end)
		return k;
	for (int i = 0; i < dt->nr_reserved && pa < end; i++) {
		const struct dt_reserved *r = &dt->reserved[i]; /* sorted by base */

		if (r->base <= pa && pa < r->base + r->size)
			pa = ALIGN_UP(r->base + r->size, PAGE_SIZE);
	}
	return pa < end ? pa : end;
}

/* Bytes of [base, base + size) that answer: RAM runs from base (holes
 * inside a range are not looked for) to the last answering page above the
 * anchor, found by binary search. 0 when not even the anchor answers. */
static u64 answering_size(const struct dt_info *dt, u64 base, u64 size)
{
	u64 lo = (anchor_page(dt, base, base + size) - base) / PAGE_SIZE;
	u64 hi = size / PAGE_SIZE; /* page lo answers, page hi does not */

	if (lo >= hi || !answers(base + lo * PAGE_SIZE))
		return 0;
	while (hi - lo > 1) {
		u64 mid = lo + (hi - lo) / 2;

		if (answers(base + mid * PAGE_SIZE))
			lo = mid;
		else
			hi = mid;
	}
	return (lo + 1) * PAGE_SIZE;
}

void ram_probe(struct dt_info *dt)
{
	for (int i = dt->nr_ram - 1; i >= 0; i--) {
		u64 base = dt->ram[i].base, size = dt->ram[i].size, real;

		if (size < PAGE_SIZE || answers(base + ALIGN_DOWN(size - 1, PAGE_SIZE)))
			continue;
		real = answering_size(dt, base, size);
		kprintf("memory: [mem 0x%016llx-0x%016llx] from the device tree does not answer past 0x%016llx: "
			"using %llu of %llu MiB\n",
			(unsigned long long)base, (unsigned long long)(base + size - 1),
			(unsigned long long)(base + real), (unsigned long long)(real >> 20),
			(unsigned long long)(size >> 20));
		dt_ram_truncate(dt, i, real);
	}
}
