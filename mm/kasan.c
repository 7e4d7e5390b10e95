/*
 * kasan.c - the kernel address sanitizer of the KASAN kernel (make kasan;
 * docs/reliability.md). Built only with CONFIG_KASAN; empty otherwise.
 *
 * How it works. gcc's -fsanitize=kernel-address puts a call before every
 * load and store of the instrumented files (__asan_load4_noabort(addr)...;
 * outline checks: rvmm's identity direct map and its vmalloc area cannot
 * share one linear shadow offset in Sv39, docs/reliability.md). Each call
 * looks up the shadow of the bytes touched: one shadow byte per 8-byte
 * granule, 0 when all 8 are accessible, 1..7 when only that many leading
 * bytes are, a negative code (include/mm/kasan.h) when none is and why.
 *
 *   RAM (the direct map): shadow_base + (addr - ram_start) / 8, one array
 *       carved from memblock at boot for the span of RAM.
 *   vmalloc: the shadow of the physical page the address maps to (a page
 *       walk); an address that maps nothing is reported at once, as
 *       use-after-free when it lies in an area freed lately (a ring of the
 *       last vfree'd areas), else vmalloc-out-of-bounds (a guard page).
 *   anything else (MMIO, the firmware's memory): not checked.
 *
 * The allocators keep the shadow right through the hooks of mm/kasan.h:
 * pages are accessible when allocated and "freed page" when freed; a new
 * slab is red zone but for the objects handed out; an object is accessible
 * for its object_size (kmalloc: for the size asked), red zone to the end
 * of its stride; a freed object is "freed object" and waits in the
 * quarantine (a FIFO of at most QUARANTINE_MAX_BYTES) before it really goes
 * back, so that a use after free finds it poisoned instead of reused.
 *
 * Each live or quarantined slab object and kmalloc block has a record
 * (address, size, cache, allocation and free stacks), in a hash table
 * carved from memblock; a report finds the object of the bad address
 * there. When the table is full, new objects go unrecorded (their
 * reports lack the stacks; nothing else changes).
 *
 * A report is Linux's: "BUG: KASAN: KIND in FUNC+OFF", the access, the
 * backtrace, the object's stacks and cache, and the shadow around the
 * address; then the kernel goes on (every report is printed, multi-shot).
 * The planted-bug suite (tests/target/kasan_test.c) reads
 * kasan_last_report.
 *
 * mm/ itself is not instrumented (its allocators write their free links
 * into free memory); the lib/ string functions are checked here instead:
 * the KASAN kernel builds lib/string.c as __memcpy/__memset/__memmove and
 * memcpy/memset/memmove below check both ranges first. mm/ calls the
 * unchecked ones (the Makefile renames them for mm/).
 */
#ifdef CONFIG_KASAN

#include <lib/kstring.h>
#include <lib/spinlock.h>
#include <mm/kasan.h>
#include <mm/kmalloc.h>
#include <mm/memblock.h>
#include <mm/mm.h>
#include <mm/pgtable.h>
#include <mm/port.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include "slab_internal.h"
#include "internal.h"

/* lib/string.c's functions under their names in this build (Makefile). */
void *__memcpy(void *dst, const void *src, size_t n);
void *__memmove(void *dst, const void *src, size_t n);
void *__memset(void *dst, int c, size_t n);

#define KASAN_STACK_DEPTH 6
#define QUARANTINE_SLOTS 4096
#define QUARANTINE_MAX_BYTES (1ul << 20)
#define VFREE_RING 16

static bool kasan_ready;
static bool checks_on = true, quarantine_on = true;
static u64 ram_start, ram_end;
static u8 *shadow_base;

unsigned long kasan_nr_reports;
struct kasan_report_info kasan_last_report;

/* ============================== the shadow =============================== */

static bool in_ram(unsigned long addr)
{
	return addr >= ram_start && addr < ram_end;
}

static u8 *ram_shadow(unsigned long addr)
{
	return shadow_base + ((addr - ram_start) >> KASAN_SHADOW_SCALE_SHIFT);
}

/* The direct-map address holding a vmalloc address's byte, or 0. */
static unsigned long vmalloc_backing(unsigned long addr)
{
	struct pgtable *pt = port_kernel_pgtable();
	u64 pa;

	if (!pt)
		return 0;
	pa = pgtable_translate(pt, addr);
	return pa == ~0ull ? 0 : (unsigned long)phys_to_virt(pa);
}

static bool is_vmalloc(unsigned long addr)
{
	return addr >= VMALLOC_START && addr < VMALLOC_END;
}

/* Set the shadow of [addr, addr + size) (direct map, granule-aligned addr;
 * size rounded up to granules) to @value. */
static void poison(unsigned long addr, size_t size, u8 value)
{
	size_t n = (size + KASAN_GRANULE_SIZE - 1) >> KASAN_SHADOW_SCALE_SHIFT;

	if (!kasan_ready || !in_ram(addr) || !in_ram(addr + size - 1))
		return;
	__memset(ram_shadow(addr), value, n);
}

/* [addr, addr + size) accessible (granule-aligned addr): whole granules 0,
 * a last partial one the count of its accessible bytes. */
static void unpoison(unsigned long addr, size_t size)
{
	if (!kasan_ready || !size || !in_ram(addr) || !in_ram(addr + size - 1))
		return;
	__memset(ram_shadow(addr), 0, size >> KASAN_SHADOW_SCALE_SHIFT);
	if (size & (KASAN_GRANULE_SIZE - 1))
		*ram_shadow(addr + size) = (u8)(size & (KASAN_GRANULE_SIZE - 1));
}

/* An object of @size at @obj in a block of @total bytes: accessible, then
 * red zone (@rz) up to the end of the block. */
static void unpoison_object(unsigned long obj, size_t size, size_t total, u8 rz)
{
	size_t tail = (size + KASAN_GRANULE_SIZE - 1) & ~(KASAN_GRANULE_SIZE - 1);

	unpoison(obj, size);
	if (total > tail)
		poison(obj + tail, total - tail, rz);
}

/* The first inaccessible byte of [addr, addr + size) in the direct map, or
 * 0; *code gets its shadow byte. */
static unsigned long first_bad_ram(unsigned long addr, size_t size, u8 *code)
{
	unsigned long end = addr + size;

	for (unsigned long g = addr & ~(KASAN_GRANULE_SIZE - 1); g < end; g += KASAN_GRANULE_SIZE) {
		s8 v = (s8)*ram_shadow(g);
		unsigned long lo = g < addr ? addr : g;

		if (v == 0)
			continue;
		if (v < 0 || g + (unsigned long)v < (end < g + 8 ? end : g + 8)) {
			*code = (u8)v;
			return v < 0 || lo >= g + (unsigned long)v ? lo : g + (unsigned long)v;
		}
	}
	return 0;
}

int kasan_shadow_byte(const void *p)
{
	unsigned long addr = (unsigned long)p;

	if (is_vmalloc(addr))
		addr = vmalloc_backing(addr);
	if (!kasan_ready || !addr || !in_ram(addr))
		return -1;
	return *ram_shadow(addr);
}

/* ============================ object records ============================= */

enum { OBJ_LIVE = 1, OBJ_FREED };

struct kasan_obj {
	unsigned long addr;
	unsigned int size;   /* asked for */
	u8 state;
	u8 alloc_cpu, free_cpu;
	struct kmem_cache *cache; /* NULL: a SLOB block or a bigblock */
	unsigned long alloc_stack[KASAN_STACK_DEPTH];
	unsigned long free_stack[KASAN_STACK_DEPTH];
	u32 next;            /* bucket chain, or the free list; 0: none */
};

static spinlock_t kasan_lock = SPINLOCK_INIT;
static struct kasan_obj *objs; /* objs[0] unused: index 0 is "none" */
static u32 *buckets;
static u32 nr_objs, nr_buckets, free_objs, objs_used;
static unsigned long objs_unrecorded;

static u32 bucket_of(unsigned long addr)
{
	return (u32)(((addr >> 3) * 0x9e3779b97f4a7c15ull) >> 40) & (nr_buckets - 1);
}

static struct kasan_obj *obj_find(unsigned long addr)
{
	for (u32 i = buckets ? buckets[bucket_of(addr)] : 0; i; i = objs[i].next)
		if (objs[i].addr == addr)
			return &objs[i];
	return NULL;
}

static void obj_remove(unsigned long addr)
{
	u32 *link = &buckets[bucket_of(addr)];

	while (*link) {
		struct kasan_obj *o = &objs[*link];

		if (o->addr == addr) {
			u32 i = *link;
			*link = o->next;
			o->next = free_objs;
			o->state = 0;
			free_objs = i;
			objs_used--;
			return;
		}
		link = &o->next;
	}
}

static void obj_remove_locked(unsigned long addr)
{
	unsigned long flags = spin_lock_irqsave(&kasan_lock);

	obj_remove(addr);
	spin_unlock_irqrestore(&kasan_lock, flags);
}

static struct kasan_obj *obj_get(unsigned long addr)
{
	struct kasan_obj *o = obj_find(addr);
	u32 i;

	if (o || !buckets)
		return o;
	i = free_objs;
	if (!i) {
		objs_unrecorded++;
		return NULL;
	}
	o = &objs[i];
	free_objs = o->next;
	objs_used++;
	__memset(o, 0, sizeof(*o));
	o->addr = addr;
	o->next = buckets[bucket_of(addr)];
	buckets[bucket_of(addr)] = i;
	return o;
}

static void save_stack(unsigned long *pcs)
{
	unsigned long all[KASAN_STACK_DEPTH + 2];
	unsigned int n = port_save_stack(all, KASAN_STACK_DEPTH + 2);

	/* Skip save_stack's caller (the hook) and its own caller when it is
	 * KASAN's: the first frame shown is the allocator's caller or near. */
	for (unsigned int i = 0; i < KASAN_STACK_DEPTH; i++)
		pcs[i] = i + 1 < n ? all[i + 1] : 0;
}

static void record_alloc(unsigned long addr, size_t size, struct kmem_cache *c)
{
	unsigned long flags = spin_lock_irqsave(&kasan_lock);
	struct kasan_obj *o = obj_get(addr);

	if (o) {
		o->state = OBJ_LIVE;
		o->size = (unsigned int)size;
		o->cache = c;
		o->alloc_cpu = (u8)this_cpu();
		save_stack(o->alloc_stack);
		__memset(o->free_stack, 0, sizeof(o->free_stack));
	}
	spin_unlock_irqrestore(&kasan_lock, flags);
}

/* kmalloc's size for a slab object recorded with its cache's object_size. */
static void obj_resize(const void *p, size_t size)
{
	unsigned long flags = spin_lock_irqsave(&kasan_lock);
	struct kasan_obj *o = obj_find((unsigned long)p);

	if (o)
		o->size = (unsigned int)size;
	spin_unlock_irqrestore(&kasan_lock, flags);
}

/* ============================== reports ================================== */

static const char *const bug_names[] = {
	[KASAN_BUG_NONE] = "none",
	[KASAN_BUG_SLAB_OOB] = "slab-out-of-bounds",
	[KASAN_BUG_SLAB_UAF] = "slab-use-after-free",
	[KASAN_BUG_UAF] = "use-after-free",
	[KASAN_BUG_VMALLOC_OOB] = "vmalloc-out-of-bounds",
	[KASAN_BUG_DOUBLE_FREE] = "double-free",
	[KASAN_BUG_INVALID_FREE] = "invalid-free",
	[KASAN_BUG_WILD] = "wild-memory-access",
};

const char *kasan_bug_name(enum kasan_bug bug)
{
	return bug < ARRAY_SIZE(bug_names) ? bug_names[bug] : "?";
}

static enum kasan_bug bug_of_code(u8 code)
{
	switch (code) {
	case KASAN_PAGE_FREE:
		return KASAN_BUG_UAF;
	case KASAN_SLAB_FREE:
		return KASAN_BUG_SLAB_UAF;
	case KASAN_VMALLOC_INVALID:
		return KASAN_BUG_VMALLOC_OOB;
	default: /* red zones, partial granules */
		return KASAN_BUG_SLAB_OOB;
	}
}

static bool in_report[MAX_HARTS];
static spinlock_t report_lock = SPINLOCK_INIT; /* one report at a time */

static void print_stack(const char *what, unsigned int cpu, const unsigned long *pcs)
{
	kprintf("\n%s by cpu %u:\n", what, cpu);
	for (unsigned int i = 0; i < KASAN_STACK_DEPTH && pcs[i]; i++)
		mm_print_pc(pcs[i], true);
}

/* The record of the object holding @addr or just before it (an overrun
 * lands past the end): the nearest recorded start at or below it. */
static struct kasan_obj *obj_around(unsigned long addr)
{
	struct page *page;
	struct kmem_cache *c;

	page = in_ram(addr) ? virt_to_page((void *)addr) : NULL;
	if (page && page_type(page) == PGTY_SLAB) {
		struct page *head = slab_head((void *)addr);
		const char *first;

		c = page->slab_cache;
		first = first_object(c, head);
		if ((const char *)addr >= first) {
			unsigned long i = ((const char *)addr - first) / c->size;
			return obj_find((unsigned long)(first + i * c->size));
		}
		return NULL;
	}
	for (unsigned long a = addr & ~7ul, n = 0; n < 1024 && a >= 8; a -= 8, n++) {
		struct kasan_obj *o = obj_find(a);
		if (o)
			return o;
	}
	return NULL;
}

static void describe_object(unsigned long addr)
{
	struct kasan_obj *o = obj_around(addr);

	if (!o) {
		struct page *page = in_ram(addr) ? virt_to_page((void *)addr) : NULL;
		if (page)
			kprintf("\nThe buggy address belongs to the physical page of pfn 0x%lx (page type %u)\n",
				page_to_pfn(page), (unsigned int)page_type(page));
		return;
	}
	print_stack("Allocated", o->alloc_cpu, o->alloc_stack);
	if (o->state == OBJ_FREED)
		print_stack("Freed", o->free_cpu, o->free_stack);
	if (o->cache)
		kprintf("\nThe buggy address belongs to the object at %lx\n which belongs to the cache %s of size %u\n",
			o->addr, o->cache->name, o->cache->object_size);
	else
		kprintf("\nThe buggy address belongs to the object at %lx\n which belongs to kmalloc's heap\n",
			o->addr);
	if (addr >= o->addr + o->size)
		kprintf("The buggy address is located %lu bytes to the right of\n", addr - o->addr - o->size);
	else
		kprintf("The buggy address is located %lu bytes inside of\n", addr - o->addr);
	kprintf(" %s %u-byte region [%lx, %lx)\n", o->state == OBJ_FREED ? "freed" : "allocated",
		o->size, o->addr, o->addr + o->size);
}

static void dump_shadow(unsigned long addr)
{
	unsigned long ram = is_vmalloc(addr) ? vmalloc_backing(addr) : addr;
	unsigned long row0, bad_row;

	if (!ram || !in_ram(ram))
		return;
	bad_row = (ram & ~((KASAN_GRANULE_SIZE << 4) - 1));
	row0 = bad_row - 2 * (KASAN_GRANULE_SIZE << 4);
	kprintf("\nMemory state around the buggy address:\n");
	for (int r = 0; r < 5; r++) {
		unsigned long row = row0 + (unsigned long)r * (KASAN_GRANULE_SIZE << 4);

		if (!in_ram(row) || !in_ram(row + 127))
			continue;
		kprintf("%c%016lx:", row == bad_row ? '>' : ' ', row - ram + addr);
		for (int i = 0; i < 16; i++)
			kprintf(" %02x", ram_shadow(row)[i]);
		kprintf("\n");
		if (row == bad_row)
			kprintf("%*c^\n", (int)(18 + 3 * ((ram - row) >> 3)), ' ');
	}
}

static void report(enum kasan_bug bug, unsigned long addr, size_t size, bool write, unsigned long pc,
		   const char *extra)
{
	unsigned int cpu = this_cpu();
	unsigned long off;
	const char *fn;

	if (in_report[cpu])
		return;
	in_report[cpu] = true;
	spin_lock(&report_lock);
	kasan_nr_reports++;
	kasan_last_report = (struct kasan_report_info){ bug, addr, size, write, pc };
	fn = ksym_lookup(pc - 1, &off);
	kprintf("==================================================================\n");
	if (fn)
		kprintf("BUG: KASAN: %s in %s+0x%lx\n", kasan_bug_name(bug), fn, off + 1);
	else
		kprintf("BUG: KASAN: %s in 0x%lx\n", kasan_bug_name(bug), pc);
	if (bug == KASAN_BUG_DOUBLE_FREE || bug == KASAN_BUG_INVALID_FREE)
		kprintf("Free of addr %016lx by cpu %u\n", addr, cpu);
	else
		kprintf("%s of size %zu at addr %016lx by cpu %u\n", write ? "Write" : "Read", size, addr,
			cpu);
	if (extra)
		kprintf("%s\n", extra);
	{
		unsigned long pcs[12];
		unsigned int n = port_save_stack(pcs, ARRAY_SIZE(pcs));

		kprintf("\nCall trace:\n");
		for (unsigned int i = 0; i < n; i++)
			mm_print_pc(pcs[i], true);
	}
	describe_object(addr);
	dump_shadow(addr);
	kprintf("==================================================================\n");
	spin_unlock(&report_lock);
	in_report[cpu] = false;
}

/* ============================== vmalloc ================================= */

struct vfreed {
	unsigned long addr, size;
	unsigned long stack[KASAN_STACK_DEPTH];
};
static struct vfreed vfree_ring[VFREE_RING];
static unsigned int vfree_next;

void *kasan_vmalloc(void *addr, unsigned long size)
{
	unsigned long end = (unsigned long)addr + size;
	unsigned long tail = (PAGE_SIZE - (end & (PAGE_SIZE - 1))) & (PAGE_SIZE - 1);
	unsigned long flags;

	if (!kasan_ready)
		return addr;
	/* A new area's addresses are no longer a freed one's. */
	flags = spin_lock_irqsave(&kasan_lock);
	for (unsigned int i = 0; i < VFREE_RING; i++)
		if (vfree_ring[i].addr < end && (unsigned long)addr < vfree_ring[i].addr + vfree_ring[i].size)
			vfree_ring[i].size = 0;
	spin_unlock_irqrestore(&kasan_lock, flags);
	if (tail) {
		unsigned long ram = vmalloc_backing(end & ~(PAGE_SIZE - 1));
		unsigned long used = end & (PAGE_SIZE - 1);

		unpoison_object(ram, used, PAGE_SIZE, KASAN_VMALLOC_INVALID);
	}
	return addr;
}

void kasan_vfree(const void *addr, unsigned long size)
{
	unsigned long flags;
	struct vfreed *v;

	if (!kasan_ready)
		return;
	flags = spin_lock_irqsave(&kasan_lock);
	v = &vfree_ring[vfree_next++ % VFREE_RING];
	v->addr = (unsigned long)addr;
	v->size = size;
	save_stack(v->stack);
	spin_unlock_irqrestore(&kasan_lock, flags);
}

static void vmalloc_unmapped(unsigned long addr, size_t size, bool write, unsigned long pc)
{
	for (unsigned int i = 0; i < VFREE_RING; i++) {
		struct vfreed *v = &vfree_ring[i];

		if (addr >= v->addr && addr < v->addr + v->size) {
			report(KASAN_BUG_UAF, addr, size, write, pc,
			       "The buggy address is in a vmalloc area freed by vfree (now unmapped)");
			print_stack("Freed", this_cpu(), v->stack);
			return;
		}
	}
	report(KASAN_BUG_VMALLOC_OOB, addr, size, write, pc,
	       "The buggy address maps nothing: a vmalloc guard page or no area");
}

/* ============================== checks =================================== */

static void check_range(unsigned long addr, size_t size, bool write, unsigned long pc)
{
	unsigned long bad;
	u8 code = 0;

	if (unlikely(!kasan_ready) || !size || unlikely(!checks_on))
		return;
	if (in_ram(addr)) {
		if (!in_ram(addr + size - 1))
			size = ram_end - addr;
		bad = first_bad_ram(addr, size, &code);
		if (unlikely(bad))
			report(bug_of_code(code), addr, size, write, pc, NULL);
		return;
	}
	if (!is_vmalloc(addr))
		return;
	/* vmalloc: page by page through the page table. */
	for (unsigned long a = addr, end = addr + size; a < end;) {
		unsigned long next = (a | (PAGE_SIZE - 1)) + 1;
		unsigned long ram = vmalloc_backing(a);
		size_t n = (next < end ? next : end) - a;

		if (!ram) {
			vmalloc_unmapped(addr, size, write, pc);
			return;
		}
		if (first_bad_ram(ram, n, &code)) {
			report(bug_of_code(code), addr, size, write, pc, NULL);
			return;
		}
		a = next;
	}
}

#define RET_PC ((unsigned long)__builtin_return_address(0))

#define DEFINE_ASAN_CHECK(n)                                          \
	void __asan_load##n##_noabort(unsigned long addr);            \
	void __asan_load##n##_noabort(unsigned long addr)             \
	{                                                             \
		check_range(addr, n, false, RET_PC);                  \
	}                                                             \
	void __asan_store##n##_noabort(unsigned long addr);           \
	void __asan_store##n##_noabort(unsigned long addr)            \
	{                                                             \
		check_range(addr, n, true, RET_PC);                   \
	}

DEFINE_ASAN_CHECK(1)
DEFINE_ASAN_CHECK(2)
DEFINE_ASAN_CHECK(4)
DEFINE_ASAN_CHECK(8)
DEFINE_ASAN_CHECK(16)

void __asan_loadN_noabort(unsigned long addr, size_t size);
void __asan_loadN_noabort(unsigned long addr, size_t size)
{
	check_range(addr, size, false, RET_PC);
}

void __asan_storeN_noabort(unsigned long addr, size_t size);
void __asan_storeN_noabort(unsigned long addr, size_t size)
{
	check_range(addr, size, true, RET_PC);
}

void __asan_handle_no_return(void);
void __asan_handle_no_return(void)
{
}

/* The string functions the compiler and everyone else call, checked;
 * lib/string.c's are __memcpy, __memset and __memmove in this build. */
void *memcpy(void *dst, const void *src, size_t n)
{
	check_range((unsigned long)src, n, false, RET_PC);
	check_range((unsigned long)dst, n, true, RET_PC);
	return __memcpy(dst, src, n);
}

void *memmove(void *dst, const void *src, size_t n)
{
	check_range((unsigned long)src, n, false, RET_PC);
	check_range((unsigned long)dst, n, true, RET_PC);
	return __memmove(dst, src, n);
}

void *memset(void *dst, int c, size_t n)
{
	check_range((unsigned long)dst, n, true, RET_PC);
	return __memset(dst, c, n);
}

/* ============================= quarantine ================================ */

struct qentry {
	void *obj;
	struct kmem_cache *cache; /* NULL: a SLOB block (kfree) */
	size_t size;
};
static struct qentry quarantine[QUARANTINE_SLOTS];
static unsigned int q_head, q_count;
static unsigned long q_bytes;

void kasan_quarantine_counts(unsigned long *objects, unsigned long *bytes)
{
	*objects = q_count;
	*bytes = q_bytes;
}

/* Really free a quarantined object (no lock held). */
static void release(const struct qentry *e)
{
	unsigned long flags = spin_lock_irqsave(&kasan_lock);

	obj_remove((unsigned long)e->obj);
	spin_unlock_irqrestore(&kasan_lock, flags);
	if (e->cache) {
		kmem_cache_free_slow(e->obj, e->cache, 0);
	} else {
		struct page *page = virt_to_page(e->obj);
		if (page && page_type(page) == PGTY_SLOB)
			slob_kfree(e->obj, page);
	}
}

/* Take the oldest entry out if the quarantine is over its limits (or
 * @force), into *out; under kasan_lock. */
static bool q_pop_locked(struct qentry *out, bool force)
{
	if (!q_count || (!force && q_count < QUARANTINE_SLOTS && q_bytes <= QUARANTINE_MAX_BYTES))
		return false;
	*out = quarantine[q_head];
	q_head = (q_head + 1) % QUARANTINE_SLOTS;
	q_count--;
	q_bytes -= out->size;
	return true;
}

static void quarantine_put(void *obj, struct kmem_cache *c, size_t size)
{
	unsigned long flags = spin_lock_irqsave(&kasan_lock);
	struct qentry old;
	bool have_old = q_pop_locked(&old, q_count == QUARANTINE_SLOTS);

	quarantine[(q_head + q_count) % QUARANTINE_SLOTS] = (struct qentry){ obj, c, size };
	q_count++;
	q_bytes += size;
	spin_unlock_irqrestore(&kasan_lock, flags);
	if (have_old)
		release(&old);
	for (;;) { /* over the byte limit: give back the oldest */
		flags = spin_lock_irqsave(&kasan_lock);
		have_old = q_pop_locked(&old, false);
		spin_unlock_irqrestore(&kasan_lock, flags);
		if (!have_old)
			break;
		release(&old);
	}
}

bool kasan_in_quarantine(const void *obj)
{
	unsigned long flags = spin_lock_irqsave(&kasan_lock);
	bool found = false;

	for (unsigned int i = 0; i < q_count && !found; i++)
		found = quarantine[(q_head + i) % QUARANTINE_SLOTS].obj == obj;
	spin_unlock_irqrestore(&kasan_lock, flags);
	return found;
}

/* Give back every quarantined object of @c (NULL: all). Entries of other
 * caches keep their order. */
void kasan_cache_drain(struct kmem_cache *c)
{
	unsigned int n;

	if (!kasan_ready)
		return;
	n = q_count;
	for (unsigned int i = 0; i < n; i++) {
		unsigned long flags = spin_lock_irqsave(&kasan_lock);
		struct qentry e;
		bool have = q_pop_locked(&e, true);

		if (have && c && e.cache != c) { /* not c's: to the back again */
			quarantine[(q_head + q_count) % QUARANTINE_SLOTS] = e;
			q_count++;
			q_bytes += e.size;
			have = false;
		}
		spin_unlock_irqrestore(&kasan_lock, flags);
		if (have)
			release(&e);
	}
}

void kasan_set_quarantine(bool on)
{
	if (!on)
		kasan_cache_drain(NULL);
	quarantine_on = on;
}

void kasan_set_checks(bool on)
{
	checks_on = on;
}

/* =============================== hooks =================================== */

struct page *kasan_alloc_pages(struct page *page, unsigned int order)
{
	if (page && kasan_ready)
		unpoison((unsigned long)page_address(page), PAGE_SIZE << order);
	return page;
}

/* Only a free that will free: the head of a block of this order with one
 * reference (a bad free, which the allocator refuses, poisons nothing). */
void kasan_free_pages(struct page *page, unsigned int order)
{
	if (kasan_ready && PageHead(page) && page_order(page) == order && page->refcount == 1)
		poison((unsigned long)page_address(page), PAGE_SIZE << order, KASAN_PAGE_FREE);
}

void kasan_slab_new(struct kmem_cache *c, struct page *head)
{
	poison((unsigned long)slab_base(head), slab_bytes(c), KASAN_SLAB_REDZONE);
}

void kasan_slab_release(struct kmem_cache *c, struct page *head)
{
	if (kasan_ready)
		unpoison((unsigned long)slab_base(head), slab_bytes(c));
}

void *kasan_slab_alloc(struct kmem_cache *c, void *obj)
{
	const struct kmem_cache *owner = c;
	struct page *head;

	if (!obj || !kasan_ready)
		return obj;
	/* An object @c borrowed from a larger cache (mm/slab.c) is its
	 * owner's: the owner's object_size accessible (what ksize promises
	 * the caller), the rest of the owner's stride a red zone. */
	if (!(c->flags & SLAB_SLOB) && (head = slab_head(obj)) && page_type(head) == PGTY_SLAB &&
	    head->slab_cache)
		owner = head->slab_cache;
	/* The object's stride ends size - red_left past the object (a SLOB
	 * model's block too): the next stride's left red zone is the next
	 * object's, poisoned with its slab, and past a slab's last object it
	 * is the next page, another slab's or allocator's. */
	unpoison_object((unsigned long)obj, owner->object_size, owner->size - owner->red_left,
			KASAN_SLAB_REDZONE);
	record_alloc((unsigned long)obj, owner->object_size, c);
	return obj;
}

/* A double free: the object is recorded as freed, or its shadow says so. */
static bool freed_already(const void *obj)
{
	unsigned long flags = spin_lock_irqsave(&kasan_lock);
	struct kasan_obj *o = obj_find((unsigned long)obj);
	bool freed = (o && o->state == OBJ_FREED) || kasan_shadow_byte(obj) == KASAN_SLAB_FREE;

	spin_unlock_irqrestore(&kasan_lock, flags);
	return freed;
}

static void record_free(const void *obj)
{
	unsigned long flags = spin_lock_irqsave(&kasan_lock);
	struct kasan_obj *o = obj_find((unsigned long)obj);

	if (o) {
		o->state = OBJ_FREED;
		o->free_cpu = (u8)this_cpu();
		save_stack(o->free_stack);
	}
	spin_unlock_irqrestore(&kasan_lock, flags);
}

bool kasan_slab_free(struct kmem_cache *c, void *obj)
{
	struct page *head;

	if (!kasan_ready || !obj)
		return false;
	/* A SLOB-model cache (mm/slab_slob.c) runs its destructor on the object
	 * after this and gives the block to SLOB: left accessible, not
	 * quarantined (its own SLAB_POISON hold catches a use after free). */
	if (c->flags & SLAB_SLOB)
		return false;
	if (!checks_on || !quarantine_on) {
		obj_remove_locked((unsigned long)obj);
		poison((unsigned long)obj, c->object_size, KASAN_SLAB_FREE);
		return false;
	}
	head = slab_head(obj);
	if (!head || head->slab_cache != c || !is_object(c, head, obj)) {
		report(KASAN_BUG_INVALID_FREE, (unsigned long)obj, 0, true, RET_PC,
		       "The pointer is not the start of an object of the cache");
		return true;
	}
	if (freed_already(obj)) {
		report(KASAN_BUG_DOUBLE_FREE, (unsigned long)obj, 0, true, RET_PC, NULL);
		return true;
	}
	record_free(obj);
	poison((unsigned long)obj, c->object_size, KASAN_SLAB_FREE);
	quarantine_put(obj, c, c->size);
	return true;
}

void *kasan_kmalloc(void *p, size_t size)
{
	struct page *page;
	size_t total;

	if (ZERO_OR_NULL_PTR(p) || !kasan_ready)
		return p;
	total = ksize(p);
	page = virt_to_page(p);
	unpoison_object((unsigned long)p, size, total,
			page && page_type(page) == PGTY_BIGBLOCK ? KASAN_PAGE_REDZONE : KASAN_SLAB_REDZONE);
	if (page && page_type(page) != PGTY_SLAB)
		record_alloc((unsigned long)p, size, NULL);
	else
		obj_resize(p, size);
	return p;
}

void *kasan_krealloc(const void *p, size_t size)
{
	return kasan_kmalloc((void *)p, size);
}

bool kasan_kfree_slob(const void *p)
{
	size_t total;

	if (!kasan_ready)
		return false;
	if (!checks_on || !quarantine_on) {
		obj_remove_locked((unsigned long)p);
		poison((unsigned long)p, ksize(p), KASAN_SLAB_FREE);
		return false;
	}
	if (freed_already(p)) {
		report(KASAN_BUG_DOUBLE_FREE, (unsigned long)p, 0, true, RET_PC, NULL);
		return true;
	}
	total = ksize(p);
	if (!total)
		return false; /* not a block: kfree reports it */
	record_free(p);
	poison((unsigned long)p, total, KASAN_SLAB_FREE);
	quarantine_put((void *)p, NULL, total);
	return true;
}

/* ================================ boot =================================== */

void kasan_init(struct memblock *mb)
{
	const struct memblock_type *m = &mb->memory;
	u64 shadow_size, pa, shadow_pa;

	if (!m->cnt)
		return;
	ram_start = m->regions[0].base;
	ram_end = m->regions[m->cnt - 1].base + m->regions[m->cnt - 1].size;
	shadow_size = ((ram_end - ram_start) >> KASAN_SHADOW_SCALE_SHIFT) + PAGE_SIZE;
	shadow_pa = memblock_alloc(mb, shadow_size, PAGE_SIZE);
	if (!shadow_pa)
		panic("kasan: no memory for the shadow (%llu KiB)", (unsigned long long)(shadow_size >> 10));
	shadow_base = phys_to_virt(shadow_pa);
	__memset(shadow_base, 0, shadow_size);

	/* Object records: one per 4 KiB of RAM, 2^k buckets for them. */
	nr_objs = (u32)((ram_end - ram_start) >> 12);
	if (nr_objs > (1u << 20))
		nr_objs = 1u << 20;
	for (nr_buckets = 1; nr_buckets < nr_objs; nr_buckets <<= 1)
		;
	pa = memblock_alloc(mb, (u64)nr_objs * sizeof(*objs) + (u64)nr_buckets * sizeof(u32), 64);
	if (!pa)
		panic("kasan: no memory for the object records");
	objs = phys_to_virt(pa);
	buckets = (u32 *)(objs + nr_objs);
	__memset(buckets, 0, (size_t)nr_buckets * sizeof(u32));
	for (u32 i = 1; i < nr_objs; i++)
		objs[i].next = i + 1 < nr_objs ? i + 1 : 0;
	free_objs = 1;
	kasan_ready = true;
	kprintf("kasan: shadow [mem 0x%016llx-0x%016llx] for RAM [mem 0x%016llx-0x%016llx] "
		"(scale 3, offset %#lx), %u object records (%lluK)\n",
		(unsigned long long)shadow_pa, (unsigned long long)(shadow_pa + shadow_size - 1),
		(unsigned long long)ram_start, (unsigned long long)ram_end - 1,
		(unsigned long)shadow_base - (unsigned long)(ram_start >> KASAN_SHADOW_SCALE_SHIFT), nr_objs,
		(unsigned long long)(nr_objs * sizeof(*objs)) >> 10);
}

#endif /* CONFIG_KASAN */
