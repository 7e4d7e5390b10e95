/*
 * mm_init.c - the kernel's memory bring-up: device tree -> memblock ->
 * node_init, and the boot log lines Linux prints for it.
 *
 * Boot parameter zone_dma_limit=ADDR (e.g. zone_dma_limit=0x90000000 or
 * zone_dma_limit=2304M): RAM below physical address ADDR forms ZONE_DMA, for
 * devices that can only reach that far; ADDR above 4 GiB is cut to 4 GiB.
 * Without it there is no ZONE_DMA (GFP_DMA then means below 4 GiB).
 */
#include <boot.h>
#include <cmdline.h>
#include <kstring.h>
#include <memblock.h>
#include <mm_init.h>
#include <mmzone.h>
#include <kmalloc.h>

#define DMA32_LIMIT (1ull << 32)

u64 zone_dma_limit;
struct mem_summary boot_mem_summary;

static int zone_dma_param(const char *value)
{
	u64 v;
	int rc = memparse(value, &v);

	if (rc)
		return rc;
	zone_dma_limit = MIN(v, DMA32_LIMIT);
	return 0;
}
KPARAM("zone_dma_limit", zone_dma_param,
       "zone_dma_limit=ADDR  RAM below physical ADDR (e.g. 0x90000000, 2304M) forms ZONE_DMA");

static void print_zone_ranges(const struct pglist_data *node)
{
	kprintf("Zone ranges:\n");
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &node->zones[zi];

		if (z->spanned_pages)
			kprintf("  %-8s [mem %#018llx-%#018llx]\n", z->name,
				(unsigned long long)PFN_PHYS(z->zone_start_pfn),
				(unsigned long long)PFN_PHYS(zone_end_pfn(z)) - 1);
		else
			kprintf("  %-8s empty\n", z->name);
	}
}

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

/*
 * A device tree rvmm cannot run on, checked before anything is built on
 * it: the kernel image must lie in RAM, no range the tree reserves may
 * cover it (that memory belongs to someone else), and some whole page of
 * RAM must be left free. Each failure stops the boot naming the ranges.
 */
static void check_memory_map(const struct dt_info *dt)
{
	u64 ks = (u64)(uintptr_t)_start, ke = (u64)(uintptr_t)_end, free = 0, cursor = 0, s, e;
	bool in_ram = false, skipped_own = false;

	for (int i = 0; i < dt->nr_ram; i++)
		in_ram |= ks >= dt->ram[i].base && ke <= dt->ram[i].base + dt->ram[i].size;
	if (!in_ram)
		panic("the kernel image [mem %#018llx-%#018llx] is not inside the RAM the device tree describes",
		      (unsigned long long)ks, (unsigned long long)ke - 1);
	for (int i = 0; i < dt->nr_reserved; i++) {
		const struct dt_reserved *r = &dt->reserved[i];

		if (!skipped_own && r->base == ks && r->size == ke - ks && strcmp(r->reason, "kernel") == 0) {
			skipped_own = true; /* memory_map_init's own entry */
			continue;
		}
		if (r->base < ke && ks < r->base + r->size)
			panic("the device tree reserves [mem %#018llx-%#018llx] (%s), which holds the kernel image [mem %#018llx-%#018llx]",
			      (unsigned long long)r->base, (unsigned long long)(r->base + r->size - 1),
			      r->reason, (unsigned long long)ks, (unsigned long long)ke - 1);
	}
	while (memblock_next_free(&memblock, &cursor, &s, &e))
		if (ALIGN_DOWN(e, PAGE_SIZE) > ALIGN_UP(s, PAGE_SIZE))
			free += ALIGN_DOWN(e, PAGE_SIZE) - ALIGN_UP(s, PAGE_SIZE);
	if (!free)
		panic("no free RAM: the device tree's reserved ranges and the kernel cover all of it");
}

void mm_init(const struct dt_info *dt)
{
	struct zone_limits lim = {
		.dma_end_pfn = PHYS_PFN(zone_dma_limit),
		.dma32_end_pfn = PHYS_PFN(DMA32_LIMIT),
	};
	int rc;

	memblock_init(&memblock);
	rc = memblock_add_dt(&memblock, dt);
	if (rc)
		panic("memblock: cannot record the device tree's memory map (error %d)", rc);
	check_memory_map(dt);
	rc = node_init(&contig_page_data, &memblock, &lim);
	if (rc)
		panic("mm: cannot build the page allocator (error %d)", rc);
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
