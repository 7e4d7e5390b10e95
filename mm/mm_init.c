/*
 * mm_init.c - the memory bring-up: memblock -> node_init -> kmalloc, and
 * the boot log lines Linux prints for it. It takes ranges (a filled
 * memblock and the image's sections), never the device tree: the port
 * fills memblock (the kernel from the device tree, drivers/dt_memblock.c).
 * The decisions that need no struct pages (zone_dma_limit=, the zone
 * layout, "Zone ranges:") are in mm_plan.c, which rvmm-dt shares.
 */
#include <lib/kstring.h>
#include <mm/memblock.h>
#include <mm/memtest.h>
#include <mm/mm_init.h>
#include <mm/mmzone.h>
#include <mm/kmalloc.h>
#include <mm/kasan.h>
#include <mm/meminit.h>
#include <mm/mm_report.h>
#include "internal.h"

struct mem_summary boot_mem_summary;

static unsigned long kb(unsigned long bytes)
{
	return bytes >> 10;
}

/* "Memory: avail/total available (...)": available + code + rwdata +
 * rodata + reserved = total, exactly (everything is whole pages). */
static void print_memory_line(const struct pglist_data *node, const struct mm_image *img)
{
	struct mem_summary *m = &boot_mem_summary;

	m->total_kb = kb(PFN_PHYS(node->node_present_pages));
	m->available_kb = kb(PFN_PHYS(node_free_pages_count(node)));
	m->code_kb = kb(img->text_end - img->start);
	m->rodata_kb = kb(img->rodata_end - img->rodata_start);
	m->rwdata_kb = kb(img->end - img->data_start);
	m->reserved_kb = m->total_kb - m->available_kb - m->code_kb - m->rodata_kb - m->rwdata_kb;
	kprintf("Memory: %luK/%luK available (%luK kernel code, %luK rwdata, %luK rodata, %luK reserved)\n",
		m->available_kb, m->total_kb, m->code_kb, m->rwdata_kb, m->rodata_kb, m->reserved_kb);
}

/* The image must be RAM of @mb and reserved there, or its pages would be
 * handed out (and it would have no struct pages to mark). */
static void check_image(const struct memblock *mb, const struct mm_image *img)
{
	for (uintptr_t p = img->start; p < img->end; p += PAGE_SIZE)
		if (!memblock_is_memory(mb, p) || !memblock_is_reserved(mb, p))
			panic("mm_init: image page %#lx is not reserved RAM in memblock", (unsigned long)p);
}

static void mark_kernel_pages(const struct mm_image *img)
{
	for (uintptr_t p = img->start; p < img->end; p += PAGE_SIZE)
		set_page_type(virt_to_page((void *)p), PGTY_KERNEL);
}

void mm_called_before_init(const char *what)
{
	panic("%s called before mm_init: the memory manager is not up (bring it up first: "
	      "docs/embedding.md)", what);
}

/* A second mm_init would build the node afresh over whatever is in use:
 * every block handed out, every cache and slot forgotten. */
static bool mm_is_up;

void mm_init(struct memblock *mb, const struct mm_image *image)
{
	struct zone_limits lim;
	int rc;

	if (mm_is_up)
		panic("mm_init: called a second time; the memory manager is already up over %lu pages "
		      "(bring it up once: docs/embedding.md)", mem_node->node_present_pages);
	mm_is_up = true;
	check_image(mb, image);
	if (memtest_passes) { /* memtest=: bad RAM reserved before anything takes it */
		struct memtest_result r;

		memtest_run(mb, memtest_passes, &r);
	}
	kasan_init(mb); /* (the KASAN kernel) the shadow, from memblock */
	zone_limits_boot(&lim);
	rc = node_init(&contig_page_data, mb, &lim);
	if (rc)
		node_panic(&contig_page_data, mb, rc);
	mm_set_node(&contig_page_data);
	mark_kernel_pages(image);
	iomem_set_image(image);
	print_zone_ranges(mem_node);
	print_memmap_line(mem_node, mb, mem_node->flat_map);
	print_memory_line(mem_node, image);
	meminit_print();
	kmalloc_init();
}
