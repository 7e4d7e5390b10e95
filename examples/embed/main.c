/*
 * main.c - a bare-metal program that uses rvmm's memory manager from
 * build/librvmm.a, on QEMU virt (-m 128M, OpenSBI): the port
 * (include/mm/port.h) for one hart without paging, the bring-up over one
 * range of RAM, then kmalloc, a kmem_cache and the page allocator at work,
 * a check that every page came back, and power off. docs/embedding.md
 * explains each part.
 */
#include <mm/kmalloc.h>
#include <lib/kstring.h>
#include <boot/ksyms.h>
#include <mm/memblock.h>
#include <mm/mm.h>
#include <mm/mm_init.h>
#include <mm/mm_report.h>
#include <mm/mmzone.h>
#include <lib/riscv.h>

#define RAM_END 0x88000000ul /* QEMU virt -m 128M: RAM is [0x80000000, RAM_END) */
#define SBI_PUTCHAR 0x01     /* the legacy console putchar */
#define SBI_SRST 0x53525354  /* system reset; type 0 shuts down */

long sbi(long ext, long fid, long arg0, long arg1); /* start.S */
int main(void);
extern char image_start[], rodata_start[], rodata_end[], data_start[], image_end[]; /* embed.ld */

/* ---- the port: one hart, no paging ---- */
/* tp = &harts[0] (start.S); mm/ sets up all of them. Initialised as mm/
 * needs them before mm_init: a call into mm/ before it panics naming it. */
_Static_assert(MAX_HARTS == 8, "one MM_HART_BLOCK_INIT per hart");
struct mm_hart_block harts[MAX_HARTS] = {
	MM_HART_BLOCK_INIT(0), MM_HART_BLOCK_INIT(1), MM_HART_BLOCK_INIT(2), MM_HART_BLOCK_INIT(3),
	MM_HART_BLOCK_INIT(4), MM_HART_BLOCK_INIT(5), MM_HART_BLOCK_INIT(6), MM_HART_BLOCK_INIT(7),
};

static __noreturn void power_off(long reason)
{
	sbi(SBI_SRST, 0, 0, reason);
	for (;;)
		wfi();
}

static void console(const char *s, size_t n)
{
	while (n--)
		sbi(SBI_PUTCHAR, 0, *s++, 0);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kprintf("panic: ");
	vkprintf(fmt, ap);
	kprintf("\n");
	va_end(ap);
	power_off(1); /* SBI's "system failure" */
}

void warn_slowpath(const char *f, int line, const char *c) { kprintf("WARNING: %s:%d: %s\n", f, line, c); }
unsigned int nr_online_cpus(void) { return 1; }
u8 *cpu_percpu_base(unsigned int cpu) { return (u8 *)&harts[cpu]; }
void **cpu_mm_slots(unsigned int cpu) { return harts[cpu].mm_slots; }
u64 time_now_us(void) { return read_time() / 10; } /* virt's timebase is 10 MHz */
void on_each_cpu(void (*fn)(void *arg), void *arg) { fn(arg); }
void port_kick_cpu(unsigned int cpu) { (void)cpu; } /* one hart: nobody to wake */
struct pgtable *port_kernel_pgtable(void) { return NULL; } /* no paging: vmalloc fails */
void port_flush_tlb_local(u64 addr, u64 size) { (void)addr, (void)size; }
void port_flush_tlb_all(u64 addr, u64 size) { (void)addr, (void)size; }
const char *ksym_lookup(unsigned long addr, unsigned long *off) { (void)addr, (void)off; return NULL; }
unsigned int port_save_stack(unsigned long *pcs, unsigned int max) { (void)pcs, (void)max; return 0; }

/* ---- using it ---- */
struct point {
	long x, y, z;
};

/*
 * One round of allocations, every one freed again; prints the free pages
 * before and after. The kmalloc-N caches are made on first use and stay
 * (as Linux's do): the first round leaves their descriptors and magazines
 * with the slab allocator; the second may still leave a page of the slab
 * allocator's metadata heap, whose layout the first round's frees settle
 * (the "point" cache's descriptor and magazines are made and freed each
 * round); from the third on a round gives back every page.
 */
static void exercise(int round)
{
	unsigned long before = node_free_pages_count(mem_node), after;
	long held = (long)kmalloc_held_pages();
	struct kmem_cache *cache = kmem_cache_create("point", sizeof(struct point), 0, 0, NULL);
	struct point *points[100] = { NULL };
	void *blocks[64], *big = kzalloc(64 << 10, GFP_KERNEL); /* beyond kmalloc's caches: pages */
	struct page *pages = alloc_pages(GFP_KERNEL, 4);
	unsigned long zeroed = get_zeroed_page(GFP_KERNEL);
	bool ok = cache && big && pages && zeroed;

	for (int i = 0; i < 64; i++) {
		size_t size = 8u << (i % 10); /* 8 .. 4096 bytes */

		blocks[i] = kmalloc(size, GFP_KERNEL);
		ok = ok && blocks[i];
		if (blocks[i])
			memset(blocks[i], i, size);
	}
	for (int i = 0; i < 100 && cache; i++) {
		points[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		ok = ok && points[i];
		if (points[i])
			*points[i] = (struct point){ i, -i, 2 * i };
	}
	if (round == 1) {
		kprintf("embed: kmalloc: 64 blocks of 8..4096 bytes, kzalloc(64K) at %p (ksize %zu)\n", big,
			ksize(big));
		kprintf("embed: kmem_cache point: 100 objects of %u bytes\n",
			cache ? kmem_cache_size(cache) : 0);
		kprintf("embed: alloc_pages: order 4 at %p, get_zeroed_page at %#lx\n",
			pages ? page_address(pages) : NULL, zeroed);
		show_meminfo(mem_node);
	}

	for (int i = 0; i < 64; i++)
		kfree(blocks[i]);
	for (int i = 0; i < 100; i++) {
		if (points[i]) {
			ok = ok && points[i]->z == 2 * i;
			kmem_cache_free(cache, points[i]);
		}
	}
	kmem_cache_destroy(cache);
	kfree(big);
	if (pages)
		__free_pages(pages, 4);
	free_page(zeroed);
	kmem_cache_shrink_all(); /* the kmalloc caches' free slabs back to the page allocator */
	after = node_free_pages_count(mem_node);
	held = (long)kmalloc_held_pages() - held;
	kprintf("embed: round %d: allocations %s; %lu pages free before, %lu after, %ld more held by "
		"slab and kmalloc: %s\n", round, ok ? "ok" : "FAILED", before, after, held,
		(long)(before - after) == held ? "all returned" : "PAGES LOST");
}

int main(void)
{
	static const struct mm_image image = {
		.start = (uintptr_t)image_start, .text_end = (uintptr_t)rodata_start,
		.rodata_start = (uintptr_t)rodata_start, .rodata_end = (uintptr_t)rodata_end,
		.data_start = (uintptr_t)data_start, .end = (uintptr_t)image_end,
	};
	static struct memblock mb;

	kprintf_set_sink(console);
	kprintf("embed: rvmm's memory manager over [%#lx, %#lx)\n", image.start, RAM_END);
	memblock_init(&mb);
	if (memblock_add(&mb, image.start, RAM_END - image.start) ||  /* RAM: the image and up */
	    memblock_reserve(&mb, image.start, image.end - image.start)) /* minus the image */
		panic("memblock: cannot add the RAM");
	mm_init(&mb, &image); /* struct pages, zones, the buddy allocator, kmalloc */
	exercise(1);
	exercise(2);
	exercise(3);
	kprintf("embed: node_check: %d problems\n", node_check(mem_node));
	power_off(0);
}
