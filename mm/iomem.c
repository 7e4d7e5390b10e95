/*
 * iomem.c - the physical memory map in /proc/iomem's format, from memblock
 * (the `iomem` console command): what Linux on RISC-V lists for memory
 * (arch/riscv/kernel/setup.c's resources), so the two can be compared.
 *
 *   80000000-8007ffff : Reserved          no-map RAM (firmware): not System RAM
 *   80080000-9fffffff : System RAM
 *     80200000-8032bfff : Kernel image
 *       80200000-8025dfff : Kernel code
 *       8025e000-80285fff : Kernel rodata
 *       80286000-8032bfff : Kernel data   (rvmm's data and bss together)
 *     9fe00000-9fe0191e : Reserved        memblock's reserved ranges: the device
 *                                         tree, initrd, struct pages, boot data
 *
 * Top level: memblock's RAM in address order, cut where no-map ranges lie
 * (each a top-level "Reserved", as Linux's nomap regions). Inside a
 * "System RAM" range: the kernel image with its sections, and memblock's
 * reserved ranges that lie there, less the image's own bytes (memblock
 * reserves the image too; Linux nests it the same way). Addresses are
 * physical, at least 8 hex digits, children indented two spaces a level.
 */
#include <mm/memblock.h>
#include <mm/mm.h>
#include <mm/mm_init.h>
#include <mm/mm_report.h>

static struct mm_image iomem_image; /* physical addresses; end 0: none */

void iomem_set_image(const struct mm_image *img)
{
	iomem_image = (struct mm_image){
		.start = (uintptr_t)virt_to_phys((void *)img->start),
		.text_end = (uintptr_t)virt_to_phys((void *)img->text_end),
		.rodata_start = (uintptr_t)virt_to_phys((void *)img->rodata_start),
		.rodata_end = (uintptr_t)virt_to_phys((void *)img->rodata_end),
		.data_start = (uintptr_t)virt_to_phys((void *)img->data_start),
		.end = (uintptr_t)virt_to_phys((void *)img->end),
	};
}

static void line(int depth, u64 start, u64 end, const char *name)
{
	if (start < end)
		kprintf("%*s%08llx-%08llx : %s\n", 2 * depth, "", (unsigned long long)start,
			(unsigned long long)(end - 1), name);
}

static void show_image(void)
{
	const struct mm_image *img = &iomem_image;

	line(1, img->start, img->end, "Kernel image");
	line(2, img->start, img->text_end, "Kernel code");
	line(2, img->rodata_start, img->rodata_end, "Kernel rodata");
	line(2, img->data_start, img->end, "Kernel data");
}

/* The reserved part [s, e) of a System RAM range, the image's bytes left
 * out (they are its own line). */
static void show_reserved(u64 s, u64 e)
{
	const struct mm_image *img = &iomem_image;

	if (img->end && s < img->end && img->start < e) {
		line(1, s, img->start, "Reserved");
		line(1, img->end, e, "Reserved");
	} else {
		line(1, s, e, "Reserved");
	}
}

/* System RAM [s, e) and what lies in it, in address order. */
static void show_ram(const struct memblock *mb, u64 s, u64 e)
{
	const struct mm_image *img = &iomem_image;
	bool image_shown = !(img->end && img->start >= s && img->end <= e);

	line(0, s, e, "System RAM");
	for (int i = 0; i < mb->reserved.cnt; i++) {
		const struct memblock_region *r = &mb->reserved.regions[i];
		u64 rs = MAX(r->base, s), re = MIN(r->base + r->size, e);

		if (rs >= re)
			continue;
		if (!image_shown && img->start < re) {
			show_image();
			image_shown = true;
		}
		show_reserved(rs, re);
	}
	if (!image_shown)
		show_image();
}

/* The first no-map range ending above @from that starts below @end, or NULL. */
static const struct memblock_region *next_nomap(const struct memblock *mb, u64 from, u64 end)
{
	for (int i = 0; i < mb->nomap.cnt; i++) {
		const struct memblock_region *n = &mb->nomap.regions[i];

		if (n->base + n->size > from && n->base < end)
			return n;
	}
	return NULL;
}

void show_iomem(const struct memblock *mb)
{
	for (int i = 0; i < mb->memory.cnt; i++) {
		const struct memblock_region *r = &mb->memory.regions[i];
		u64 at = r->base, end = r->base + r->size;

		while (at < end) {
			const struct memblock_region *n = next_nomap(mb, at, end);
			u64 stop = n ? MAX(n->base, at) : end;

			show_ram(mb, at, stop);
			if (!n)
				break;
			at = MIN(n->base + n->size, end);
			line(0, stop, at, "Reserved");
		}
	}
}
