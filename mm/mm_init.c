/*
 * mm_init.c - the kernel's memory bring-up: device tree -> memblock ->
 * node_init, and the boot log lines Linux prints for it. The decisions that
 * need no struct pages (zone_dma_limit=, the memory map checks, the zone
 * layout, "Zone ranges:") are in mm_plan.c, which rvmm-dt shares.
 */
#include <boot.h>
#include <kstring.h>
#include <memblock.h>
#include <mm_init.h>
#include <mmzone.h>
#include <kmalloc.h>

struct mem_summary boot_mem_summary;

static unsigned long kb(unsigned long bytes)
{
	return bytes >> 10;
}

/* "Memory: avail/total available (...)": available + code + rwdata +
 * rodata + reserved = total, exactly (everything is whole pages). */
static void print_memory_line(const struct pglist_data *node)
{
	struct mem_summary *m = &boot_mem_summary;

	m->total_kb = kb(PFN_PHYS(node->node_present_pages));
	m->available_kb = kb(PFN_PHYS(node_free_pages_count(node)));
	m->code_kb = kb((unsigned long)(_etext - _start));
	m->rodata_kb = kb((unsigned long)(_erodata - _srodata));
	m->rwdata_kb = kb((unsigned long)(_end - _sdata));
	m->reserved_kb = m->total_kb - m->available_kb - m->code_kb - m->rodata_kb - m->rwdata_kb;
	kprintf("Memory: %luK/%luK available (%luK kernel code, %luK rwdata, %luK rodata, %luK reserved)\n",
		m->available_kb, m->total_kb, m->code_kb, m->rwdata_kb, m->rodata_kb, m->reserved_kb);
}

static void mark_kernel_pages(void)
{
	for (char *p = _start; p < _end; p += PAGE_SIZE)
		set_page_type(virt_to_page(p), PGTY_KERNEL);
}

void mm_init(const struct dt_info *dt)
{
	struct zone_limits lim;
	int rc;

	zone_limits_boot(&lim);
	memblock_from_dt(&memblock, dt, (u64)(uintptr_t)_start, (u64)(uintptr_t)_end);
	rc = node_init(&contig_page_data, &memblock, &lim);
	if (rc)
		node_panic(rc);
	mm_set_node(&contig_page_data);
	mark_kernel_pages();
	print_zone_ranges(mem_node);
	kprintf("memmap: %lu struct pages of %zu bytes (%luK), %lu section(s) of 128 MiB, %s\n",
		mem_node->memmap_pages, sizeof(struct page),
		kb(mem_node->memmap_pages * sizeof(struct page)), mem_node->nr_sections,
		mem_node->flat_map ? "one flat array" : "an array per section");
	print_memory_line(mem_node);
	kmalloc_init();
}
