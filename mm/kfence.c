/*
 * kfence.c - KFENCE: sampled objects on guarded pages, reported from the page
 * fault (include/mm/kfence.h, docs/reliability.md). After the design of
 * Linux's mm/kfence; the ordinary kernel, off by default.
 *
 * The pool. KFENCE_POOL_PAGES pages of one block from the page allocator,
 * set up on the first kfence_set_interval, mapped at KFENCE_POOL_START in
 * the Sv39 upper half with 4 KiB pages: page 2i+1 holds object slot i,
 * pages 2i and 2i+2 are its guards. Every page is unmapped at first (the
 * leaf tables stay, so mapping one again never allocates); a slot's object
 * page is mapped while its object is live, the guards never but after a
 * reported fault (then until the slot or its neighbour is used again).
 * pool_mapped[] says what is mapped; the lock covers it and the slots.
 *
 * Sampling. kfence_enabled is read only on paths already slow: kmalloc's
 * (kmalloc=slab: kmalloc_fast_caches are all NULL while KFENCE samples, so
 * every kmalloc takes kmalloc_slab_slow; kmalloc=slob: kmalloc_heap takes
 * slob_kmalloc_other) and kmem_cache_alloc_slow (a magazine miss). There a
 * time gate decides: the first call at or after next_sample_us claims it
 * (a compare-and-swap that moves next_sample_us an interval on) and gets a
 * pool object; kmalloc's calls read the clock only every
 * KFENCE_CHECK_EVERY calls (kfence_countdown). The cost while on is the
 * detour through those slow paths (docs/reliability.md: about 70
 * instructions per kmalloc + kfree). While KFENCE is off nothing of this runs: the fast paths are
 * as they are without it; the free path pays one sign test
 * (kfence_object) in kmem_cache_free and nothing in kfree (a pool address
 * is outside the memmap window kfree looks up first).
 *
 * Objects. Slots are reused least recently freed first (a FIFO), so a
 * freed object's page stays unmapped as long as possible. An object goes at
 * the right edge of its page (rounded down to its alignment) or the left,
 * alternately; the rest of the page is the canary (kfence_canary), checked
 * when the object is freed. Eligible: up to a page, no zone bits, caches
 * without zone flags.
 *
 * Reports. Linux's format: "BUG: KFENCE: out-of-bounds read in FUNC+OFF",
 * the access, the object (kfence-#N: start-end, size, cache), where it was
 * allocated and freed (port_save_stack). After a fault report the page is
 * mapped and the access retried, so the kernel goes on as Linux's does.
 */
#include <lib/cmdline.h>
#include <lib/kstring.h>
#include <lib/parse.h>
#include <lib/spinlock.h>
#include <mm/kfence.h>
#include <mm/meminit.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/pgtable.h>
#include <mm/port.h>
#include <mm/slab.h>
#include <mm/slob.h>

#include "internal.h"

enum slot_state { SLOT_UNUSED, SLOT_ALLOCATED, SLOT_FREED };

struct kfence_meta {
	enum slot_state state;
	unsigned long addr; /* the object's start */
	size_t size;
	char cache[SLAB_NAME_LEN];
	struct kmem_cache *cachep; /* virt_to_cache's answer (NULL: SLOB) */
	unsigned long alloc_caller, free_caller;
	unsigned long alloc_stack[KFENCE_STACK_DEPTH], free_stack[KFENCE_STACK_DEPTH];
	unsigned int alloc_cpu, free_cpu;
	u64 alloc_us, free_us;
};

bool kfence_enabled;
long kfence_countdown;
unsigned long kfence_nr_reports;
struct kfence_report_info kfence_last_report;

static unsigned long boot_interval_ms;
static unsigned long interval_ms;
static u64 next_sample_us;
static bool pool_ready;
static u64 pool_pa;
static bool pool_mapped[KFENCE_POOL_PAGES];
static struct kfence_meta meta[KFENCE_NUM_OBJECTS];
/* Free slots, oldest free first: a ring of KFENCE_NUM_OBJECTS. */
static unsigned int free_ring[KFENCE_NUM_OBJECTS];
static unsigned int free_head, free_count;
static unsigned long placements; /* alternates right / left */
static struct kfence_stats stats;
static spinlock_t kfence_lock = SPINLOCK_INIT;
static spinlock_t report_lock = SPINLOCK_INIT;

static int interval_param(const char *value)
{
	u64 ms;

	if (parse_u64(value, &ms) || ms > KFENCE_MAX_INTERVAL_MS)
		return -EINVAL;
	boot_interval_ms = (unsigned long)ms;
	return 0;
}
KPARAM("kfence.sample_interval", interval_param,
       "kfence.sample_interval=MS  KFENCE: sample an allocation every MS ms (0: off, the default)");

/* ============================== geometry ================================= */

static u64 page_va(unsigned int i)
{
	return KFENCE_POOL_START + (u64)i * PAGE_SIZE;
}

static unsigned int slot_page(unsigned int slot)
{
	return 2 * slot + 1;
}

unsigned long kfence_place(unsigned long page, size_t size, size_t align, bool right)
{
	if (!right)
		return page;
	return ALIGN_DOWN(page + PAGE_SIZE - size, align);
}

unsigned long kfence_check_canary(unsigned long start, unsigned long end)
{
	for (unsigned long a = start; a < end; a++)
		if (*(const u8 *)a != kfence_canary(a))
			return a;
	return 0;
}

static void fill_canary(unsigned long start, unsigned long end)
{
	for (unsigned long a = start; a < end; a++)
		*(u8 *)a = kfence_canary(a);
}

/* ========================= mapping (lock held) =========================== */

static void map_pool_page(unsigned int i)
{
	if (pool_mapped[i])
		return;
	/* The leaf table exists (kfence_pool_init): nothing is allocated. */
	if (pgtable_map(port_kernel_pgtable(), page_va(i), pool_pa + (u64)i * PAGE_SIZE, PAGE_SIZE,
			PAGE_KERNEL, 0))
		panic("kfence: cannot map pool page %u", i);
	pool_mapped[i] = true;
	port_flush_tlb_local(page_va(i), PAGE_SIZE);
}

/* True if it was mapped: the caller flushes every hart's TLB. */
static bool unmap_pool_page(unsigned int i)
{
	if (!pool_mapped[i])
		return false;
	pgtable_unmap(port_kernel_pgtable(), page_va(i), PAGE_SIZE);
	pool_mapped[i] = false;
	return true;
}

static int kfence_pool_init(void)
{
	struct pgtable *pt = port_kernel_pgtable();
	unsigned int order = get_order(KFENCE_POOL_SIZE);
	struct page *page;
	int rc;

	if (!pt)
		return -ENODEV;
	page = alloc_pages(GFP_KERNEL, order);
	if (!page)
		return -ENOMEM;
	pool_pa = virt_to_phys(page_address(page));
	rc = pgtable_map(pt, KFENCE_POOL_START, pool_pa, KFENCE_POOL_SIZE, PAGE_KERNEL, 0);
	if (rc) {
		pgtable_unmap(pt, KFENCE_POOL_START, KFENCE_POOL_SIZE);
		__free_pages(page, order);
		return rc;
	}
	pgtable_unmap(pt, KFENCE_POOL_START, KFENCE_POOL_SIZE);
	port_flush_tlb_all(KFENCE_POOL_START, KFENCE_POOL_SIZE);
	for (unsigned int i = 0; i < KFENCE_NUM_OBJECTS; i++)
		free_ring[i] = i;
	free_head = 0;
	free_count = KFENCE_NUM_OBJECTS;
	pool_ready = true;
	kprintf("kfence: %u objects in [mem 0x%016llx-0x%016llx] at 0x%016llx (%lu KiB)\n",
		KFENCE_NUM_OBJECTS, (unsigned long long)pool_pa,
		(unsigned long long)(pool_pa + KFENCE_POOL_SIZE - 1),
		(unsigned long long)KFENCE_POOL_START, (unsigned long)(KFENCE_POOL_SIZE >> 10));
	return 0;
}

/* ============================ turning it on ============================== */

static void route_allocations(void)
{
	/* kmalloc=slab: kmalloc_set_backend leaves kmalloc_fast_caches NULL
	 * while kfence_enabled; kmalloc=slob: kmalloc_heap's other path. */
	kmalloc_set_backend(kmalloc_backend);
	slob_heap_set_kfence(&kmalloc_heap, kfence_enabled);
}

int kfence_set_interval(unsigned long ms)
{
	if (ms > KFENCE_MAX_INTERVAL_MS)
		return -EINVAL;
#ifdef CONFIG_KASAN
	if (ms) {
		kprintf("kfence: not in the KASAN kernel (KASAN already checks every access)\n");
		return -EOPNOTSUPP;
	}
#endif
	if (ms && !pool_ready) {
		int rc = kfence_pool_init();

		if (rc) {
			kprintf("kfence: no pool (error %d): %s\n", rc,
				rc == -ENODEV ? "paging is off" : "no block of pages for it");
			return rc;
		}
	}
	interval_ms = ms;
	__atomic_store_n(&next_sample_us, time_now_us() + ms * 1000, __ATOMIC_RELAXED);
	__atomic_store_n(&kfence_enabled, ms != 0, __ATOMIC_RELEASE);
	route_allocations();
	return 0;
}

unsigned long kfence_get_interval(void)
{
	return interval_ms;
}

void kfence_boot_start(void)
{
	if (boot_interval_ms && kfence_set_interval(boot_interval_ms) == 0)
		kprintf("kfence: sampling every %lu ms\n", boot_interval_ms);
}

void kfence_sample_next(void)
{
	__atomic_store_n(&next_sample_us, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&kfence_countdown, 0, __ATOMIC_RELAXED);
}

/* The time gate: true for the one caller that claims this interval. */
static bool sample_due(void)
{
	u64 next = __atomic_load_n(&next_sample_us, __ATOMIC_RELAXED);
	u64 now = time_now_us();

	if (now < next)
		return false;
	return __atomic_compare_exchange_n(&next_sample_us, &next, now + interval_ms * 1000, false,
					   __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/* ============================== allocation =============================== */

/* Is a frame of this function KFENCE's own (left out of stacks)? */
static bool own_frame(const char *name)
{
	static const char *const own[] = { "save_stack", "pool_alloc", "print_call_trace",
					   "report_invalid_free", "report_corruption" };

	if (!strncmp(name, "kfence_", 7) || !strncmp(name, "__kfence_", 9))
		return true;
	for (unsigned int i = 0; i < ARRAY_SIZE(own); i++)
		if (!strcmp(name, own[i]))
			return true;
	return false;
}

/* The caller chain into @pcs (zero-filled), KFENCE's own frames left out. */
static unsigned int save_stack(unsigned long *pcs)
{
	unsigned long all[KFENCE_STACK_DEPTH + 6];
	unsigned int n = port_save_stack(all, ARRAY_SIZE(all)), skip = 0, k = 0;

	while (skip < n) {
		unsigned long off;
		const char *name = ksym_lookup(all[skip] - 1, &off);

		if (!name || !own_frame(name))
			break;
		skip++;
	}
	while (k < KFENCE_STACK_DEPTH && skip < n)
		pcs[k++] = all[skip++];
	for (unsigned int i = k; i < KFENCE_STACK_DEPTH; i++)
		pcs[i] = 0;
	return k;
}

/* Take the oldest free slot, map its page, place the object. */
static void *pool_alloc(size_t size, size_t align, struct kmem_cache *cachep, const char *cache,
			gfp_t gfp, unsigned long caller)
{
	unsigned long flags;
	struct kfence_meta *m;
	unsigned int slot, pg;
	bool flush;
	unsigned long page;

	if (!__atomic_load_n(&pool_ready, __ATOMIC_ACQUIRE))
		return NULL;
	flags = spin_lock_irqsave(&kfence_lock);
	if (!free_count) {
		stats.skipped_capacity++;
		spin_unlock_irqrestore(&kfence_lock, flags);
		return NULL;
	}
	slot = free_ring[free_head];
	free_head = (free_head + 1) % KFENCE_NUM_OBJECTS;
	free_count--;
	pg = slot_page(slot);
	/* Guards a reported fault left mapped are guards again. */
	flush = unmap_pool_page(pg - 1);
	flush |= unmap_pool_page(pg + 1);
	map_pool_page(pg);
	m = &meta[slot];
	page = (unsigned long)page_va(pg);
	m->size = size;
	m->addr = kfence_place(page, size, align, placements++ & 1 ? false : true);
	kstrlcpy(m->cache, cache, sizeof(m->cache));
	m->cachep = cachep;
	m->alloc_caller = caller;
	m->alloc_cpu = this_cpu();
	m->alloc_us = time_now_us();
	m->free_stack[0] = 0;
	m->state = SLOT_ALLOCATED;
	stats.allocated++;
	stats.allocs++;
	fill_canary(page, page + PAGE_SIZE);
	spin_unlock_irqrestore(&kfence_lock, flags);
	if (flush)
		port_flush_tlb_all(page - PAGE_SIZE, 3 * PAGE_SIZE);
	save_stack(m->alloc_stack);
	if ((gfp & __GFP_ZERO) || (meminit_routed() && !(cachep && cachep->ctor)))
		memset((void *)m->addr, 0, size);
	return (void *)m->addr;
}

static bool eligible(size_t size, gfp_t gfp)
{
	if (size - 1 < PAGE_SIZE && !(gfp & GFP_ZONEMASK))
		return true;
	__atomic_add_fetch(&stats.skipped_incompat, 1, __ATOMIC_RELAXED);
	return false;
}

void *__kfence_alloc_kmalloc(size_t size, gfp_t gfp, unsigned long caller)
{
	char name[SLAB_NAME_LEN];
	size_t align = ARCH_KMALLOC_MINALIGN;
	struct kmem_cache *c = NULL;

	__atomic_store_n(&kfence_countdown, KFENCE_CHECK_EVERY, __ATOMIC_RELAXED);
	if (!sample_due() || !eligible(size, gfp))
		return NULL;
	/* kmalloc's promise: a power of two up to a page aligned to itself. */
	if ((size & (size - 1)) == 0 && size > align)
		align = size;
	if (kmalloc_backend == KMALLOC_SLAB) {
		unsigned int idx = kmalloc_size_index(size);

		c = __atomic_load_n(&kmalloc_caches[idx], __ATOMIC_ACQUIRE);
		ksnprintf(name, sizeof(name), "kmalloc-%u", kmalloc_sizes[idx]);
	} else {
		kstrlcpy(name, kmalloc_heap.name, sizeof(name));
	}
	return pool_alloc(size, align, c, name, gfp, caller);
}

void *kfence_alloc_cache(struct kmem_cache *c, gfp_t gfp, unsigned long caller)
{
	void *obj;

	if (!sample_due())
		return NULL;
	if (c->allocflags || !eligible(c->object_size, gfp))
		return NULL;
	obj = pool_alloc(c->object_size, MAX(c->align, sizeof(void *)), c, c->name, gfp, caller);
	if (obj && c->ctor)
		c->ctor(obj);
	return obj;
}

/* ================================ reports ================================ */

const char *kfence_bug_name(enum kfence_bug bug)
{
	switch (bug) {
	case KFENCE_BUG_OOB:
		return "out-of-bounds";
	case KFENCE_BUG_UAF:
		return "use-after-free";
	case KFENCE_BUG_CORRUPTION:
		return "memory corruption";
	case KFENCE_BUG_INVALID:
		return "invalid";
	case KFENCE_BUG_INVALID_FREE:
		return "invalid free";
	default:
		return "none";
	}
}

static void print_time(const char *what, unsigned int cpu, u64 us, unsigned long caller,
		       const unsigned long *pcs)
{
	kprintf("\n%s by cpu %u at %llu.%06llus:\n", what, cpu, (unsigned long long)(us / 1000000),
		(unsigned long long)(us % 1000000));
	mm_print_pc(caller, true);
	for (unsigned int i = 0; i < KFENCE_STACK_DEPTH && pcs[i]; i++)
		if (pcs[i] != caller)
			mm_print_pc(pcs[i], true);
}

static void describe_object(int slot)
{
	const struct kfence_meta *m = &meta[slot];

	kprintf("\nkfence-#%d: 0x%016lx-0x%016lx, size=%zu, cache=%s\n", slot, m->addr,
		m->addr + m->size - 1, m->size, m->cache);
	print_time("allocated", m->alloc_cpu, m->alloc_us, m->alloc_caller, m->alloc_stack);
	if (m->state == SLOT_FREED)
		print_time("freed", m->free_cpu, m->free_us, m->free_caller, m->free_stack);
}

/* The title line: "BUG: KFENCE: out-of-bounds read in FUNC+OFF". */
static void report_title(enum kfence_bug bug, bool is_write, unsigned long pc, bool return_address)
{
	unsigned long off;
	const char *fn = ksym_lookup(pc - return_address, &off);
	const char *dir = bug == KFENCE_BUG_OOB || bug == KFENCE_BUG_UAF || bug == KFENCE_BUG_INVALID
				  ? (is_write ? " write" : " read")
				  : "";

	kprintf("==================================================================\n");
	if (fn)
		kprintf("BUG: KFENCE: %s%s in %s+0x%lx\n\n", kfence_bug_name(bug), dir, fn,
			off + return_address);
	else
		kprintf("BUG: KFENCE: %s%s in 0x%lx\n\n", kfence_bug_name(bug), dir, pc);
}

static void report_begin(enum kfence_bug bug, unsigned long addr, bool is_write, int slot,
			 unsigned long pc)
{
	spin_lock(&report_lock);
	kfence_nr_reports++;
	__atomic_add_fetch(&stats.bugs, 1, __ATOMIC_RELAXED);
	kfence_last_report = (struct kfence_report_info){ bug, addr, is_write, slot, pc };
}

static void report_end(int slot)
{
	if (slot >= 0)
		describe_object(slot);
	kprintf("==================================================================\n");
	spin_unlock(&report_lock);
}

/* A free's caller chain, as the report's stack: its caller first. */
static void print_call_trace(unsigned long caller)
{
	unsigned long pcs[KFENCE_STACK_DEPTH];
	unsigned int n = save_stack(pcs);

	mm_print_pc(caller, true);
	for (unsigned int i = 0; i < n; i++)
		if (pcs[i] != caller)
			mm_print_pc(pcs[i], true);
}

/* ================================== free ================================= */

static void report_invalid_free(const void *p, int slot, unsigned long caller)
{
	report_begin(KFENCE_BUG_INVALID_FREE, (unsigned long)p, true, slot, caller);
	report_title(KFENCE_BUG_INVALID_FREE, true, caller, true);
	if (slot >= 0)
		kprintf("Invalid free of 0x%016lx (in kfence-#%d):\n", (unsigned long)p, slot);
	else
		kprintf("Invalid free of 0x%016lx (in the KFENCE pool, no object):\n",
			(unsigned long)p);
	print_call_trace(caller);
	report_end(slot);
}

/* The bytes from the first corrupted one (up to 16, to the end of the
 * canary run it is in), taken while the page is still mapped. */
struct corruption {
	unsigned long addr;
	unsigned int n;
	u8 bytes[16];
};

static void snapshot_corruption(const struct kfence_meta *m, unsigned long bad, struct corruption *c)
{
	unsigned long end = bad < m->addr ? m->addr : ALIGN_DOWN(m->addr, PAGE_SIZE) + PAGE_SIZE;

	c->addr = bad;
	for (c->n = 0; c->n < sizeof(c->bytes) && bad + c->n < end; c->n++)
		c->bytes[c->n] = *(const u8 *)(bad + c->n);
}

static void report_corruption(const struct corruption *c, int slot, unsigned long caller)
{
	report_begin(KFENCE_BUG_CORRUPTION, c->addr, true, slot, caller);
	report_title(KFENCE_BUG_CORRUPTION, true, caller, true);
	kprintf("Corrupted memory at 0x%016lx [", c->addr);
	for (unsigned int i = 0; i < c->n; i++)
		if (c->bytes[i] == kfence_canary(c->addr + i))
			kprintf(" .");
		else
			kprintf(" 0x%02x", c->bytes[i]);
	kprintf(" ] (in kfence-#%d):\n", slot);
	print_call_trace(caller);
	report_end(slot);
}

/* The pool page of @addr, an address in the pool (is_kfence_address). */
static unsigned int pool_page(unsigned long addr)
{
	return (unsigned int)((addr - KFENCE_POOL_START) >> PAGE_SHIFT);
}

/* The slot whose object page is pool page @pg, or -1 for a guard page. */
static int slot_of_page(unsigned int pg)
{
	return pg & 1 ? (int)(pg - 1) / 2 : -1;
}

bool kfence_free(const void *p)
{
	return __kfence_free(p, (unsigned long)__builtin_return_address(0));
}

bool __kfence_free(const void *p, unsigned long caller)
{
	unsigned long a = (unsigned long)p, page, flags, bad;
	struct corruption corrupt;
	unsigned int pg;
	struct kfence_meta *m;
	int slot;

	if (!is_kfence_address(p))
		return false;
	pg = pool_page(a);
	slot = slot_of_page(pg);
	flags = spin_lock_irqsave(&kfence_lock);
	m = slot >= 0 ? &meta[slot] : NULL;
	if (!m || m->state != SLOT_ALLOCATED || m->addr != a) {
		spin_unlock_irqrestore(&kfence_lock, flags);
		report_invalid_free(p, m && m->state != SLOT_UNUSED ? slot : -1, caller);
		return true;
	}
	page = (unsigned long)page_va(pg);
	bad = kfence_check_canary(page, m->addr);
	if (!bad)
		bad = kfence_check_canary(m->addr + m->size, page + PAGE_SIZE);
	if (bad)
		snapshot_corruption(m, bad, &corrupt);
	if (want_init_on_free() && !(m->cachep && m->cachep->ctor)) /* (before the page goes) */
		memset((void *)m->addr, 0, m->size);
	m->state = SLOT_FREED;
	m->free_caller = caller;
	m->free_cpu = this_cpu();
	m->free_us = time_now_us();
	save_stack(m->free_stack);
	stats.allocated--;
	stats.frees++;
	unmap_pool_page(pg);
	spin_unlock_irqrestore(&kfence_lock, flags);
	/* Every hart forgets the page before the slot can be taken again. */
	port_flush_tlb_all(page, PAGE_SIZE);
	if (bad)
		report_corruption(&corrupt, slot, caller);
	flags = spin_lock_irqsave(&kfence_lock);
	free_ring[(free_head + free_count) % KFENCE_NUM_OBJECTS] = (unsigned int)slot;
	free_count++;
	spin_unlock_irqrestore(&kfence_lock, flags);
	return true;
}

void kfence_cache_free(struct kmem_cache *c, void *obj)
{
	if (!obj) /* kmem_cache_free(c, NULL): nothing, as kfree(NULL) */
		return;
	if (!__kfence_free(obj, KFENCE_CALLER()))
		kmem_cache_free_slow(obj, c, 0);
}

size_t kfence_ksize(const void *p)
{
	unsigned long a = (unsigned long)p;
	int slot;

	if (!is_kfence_address(p))
		return 0;
	slot = slot_of_page(pool_page(a));
	if (slot < 0 || meta[slot].state != SLOT_ALLOCATED || meta[slot].addr != a)
		return 0;
	return meta[slot].size;
}

void *kfence_krealloc(const void *p, size_t new_size, gfp_t gfp)
{
	size_t old = kfence_ksize(p);
	void *q;

	if (!old) {
		kfree(p); /* reported as an invalid free */
		return NULL;
	}
	/* Pool objects are of no zone (eligible): with zone bits they move,
	 * smaller or not. */
	if (new_size <= old && !(gfp & GFP_ZONEMASK))
		return (void *)p;
	q = kmalloc(new_size, gfp);
	if (!q)
		return NULL;
	memcpy(q, p, MIN(old, new_size));
	kfree(p);
	return q;
}

struct kmem_cache *kfence_cache(const void *p)
{
	unsigned long a = (unsigned long)p;
	int slot;

	if (!is_kfence_address(p))
		return NULL;
	slot = slot_of_page(pool_page(a));
	if (slot < 0 || meta[slot].state != SLOT_ALLOCATED)
		return NULL;
	return meta[slot].cachep;
}

void kfence_forget_cache(struct kmem_cache *c)
{
	unsigned long flags;

	if (!pool_ready)
		return;
	flags = spin_lock_irqsave(&kfence_lock);
	for (unsigned int i = 0; i < KFENCE_NUM_OBJECTS; i++) {
		struct kfence_meta *m = &meta[i];

		if (m->cachep != c)
			continue;
		if (m->state == SLOT_ALLOCATED)
			kprintf("kmem_cache_destroy %s: kfence-#%u 0x%016lx (size %zu) still allocated\n",
				c->name, i, m->addr, m->size);
		m->cachep = NULL;
	}
	spin_unlock_irqrestore(&kfence_lock, flags);
}

/* ================================ faults ================================= */

/* The object a guard-page access belongs to: the nearer of the two
 * neighbours that has one, -1 when neither has. */
static int guard_owner(unsigned int pg, unsigned long addr)
{
	int left = pg > 0 ? slot_of_page(pg - 1) : -1;
	int right = pg + 1 < KFENCE_POOL_PAGES ? slot_of_page(pg + 1) : -1;
	unsigned long dl = ~0ul, dr = ~0ul;

	if (left >= 0 && meta[left].state != SLOT_UNUSED)
		dl = addr - (meta[left].addr + meta[left].size);
	if (right >= 0 && meta[right].state != SLOT_UNUSED)
		dr = meta[right].addr - addr;
	if (dl == ~0ul && dr == ~0ul)
		return -1;
	return dl <= dr ? left : right;
}

bool kfence_handle_fault(unsigned long addr, bool is_write, unsigned long pc)
{
	unsigned int pg;
	enum kfence_bug bug;
	int slot;
	unsigned long flags;

	if (!is_kfence_address((const void *)addr) || !pool_ready)
		return false;
	pg = pool_page(addr);
	flags = spin_lock_irqsave(&kfence_lock);
	if (pool_mapped[pg]) { /* mapped since (another hart): a stale entry */
		spin_unlock_irqrestore(&kfence_lock, flags);
		port_flush_tlb_local(addr, 1);
		return true;
	}
	slot = slot_of_page(pg);
	if (slot >= 0)
		bug = meta[slot].state == SLOT_FREED ? KFENCE_BUG_UAF : KFENCE_BUG_INVALID;
	else
		bug = (slot = guard_owner(pg, addr)) >= 0 ? KFENCE_BUG_OOB : KFENCE_BUG_INVALID;
	if (bug == KFENCE_BUG_INVALID)
		slot = -1;
	/* Let the access go on: the page is mapped until the slot or its
	 * neighbour is allocated again (pool_alloc protects it then). */
	map_pool_page(pg);
	spin_unlock_irqrestore(&kfence_lock, flags);

	report_begin(bug, addr, is_write, slot, pc);
	report_title(bug, is_write, pc, false);
	if (bug == KFENCE_BUG_OOB) {
		const struct kfence_meta *m = &meta[slot];
		bool left = addr < m->addr;
		unsigned long dist = left ? m->addr - addr : addr - (m->addr + m->size) + 1;

		kprintf("Out-of-bounds %s at 0x%016lx (%luB %s of kfence-#%d):\n",
			is_write ? "write" : "read", addr, dist, left ? "left" : "right", slot);
	} else if (bug == KFENCE_BUG_UAF) {
		kprintf("Use-after-free %s at 0x%016lx (in kfence-#%d):\n", is_write ? "write" : "read",
			addr, slot);
	} else {
		kprintf("Invalid %s at 0x%016lx:\n", is_write ? "write" : "read", addr);
	}
	mm_print_pc(pc, false);
	report_end(slot);
	return true;
}

/* ============================== statistics =============================== */

void kfence_get_stats(struct kfence_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&kfence_lock);

	*st = stats;
	spin_unlock_irqrestore(&kfence_lock, flags);
}

void kfence_show_stats(void)
{
	struct kfence_stats st;

	kfence_get_stats(&st);
	kprintf("enabled: %d\n", kfence_enabled ? 1 : 0);
	kprintf("sample_interval: %lu ms\n", interval_ms);
	kprintf("pool: %s, %u objects\n", pool_ready ? "ready" : "not set up", KFENCE_NUM_OBJECTS);
	kprintf("currently allocated: %lu\n", st.allocated);
	kprintf("total allocations: %lu\n", st.allocs);
	kprintf("total frees: %lu\n", st.frees);
	kprintf("total bugs: %lu\n", st.bugs);
	kprintf("skipped allocations (incompatible): %lu\n", st.skipped_incompat);
	kprintf("skipped allocations (capacity): %lu\n", st.skipped_capacity);
}

/* whatis (mm/mm_whatis.c): @addr's place in the pool and its slot's
 * object, or false when @addr is not in the pool. */
bool kfence_whatis(u64 addr)
{
	static const char *const state[] = { "unused", "allocated", "freed" };
	unsigned int pg;
	int slot;

	if (!is_kfence_address((const void *)(uintptr_t)addr))
		return false;
	pg = pool_page(addr);
	slot = slot_of_page(pg);
	if (slot < 0) {
		kprintf("whatis: 0x%llx: KFENCE pool, guard page %u (an access faults and is reported)\n",
			(unsigned long long)addr, pg);
		slot = pool_ready ? guard_owner(pg, addr) : -1;
		if (slot >= 0)
			kprintf("whatis: nearest object: kfence-#%d\n", slot);
	} else {
		const struct kfence_meta *m = &meta[slot];

		kprintf("whatis: 0x%llx: KFENCE pool, object page of kfence-#%d (%s)", (unsigned long long)addr,
			slot, state[m->state]);
		if (m->state != SLOT_UNUSED && addr >= m->addr && addr < m->addr + m->size)
			kprintf(", byte %llu of its %zu\n", (unsigned long long)(addr - m->addr), m->size);
		else
			kprintf(", outside the object (its canary bytes)\n");
	}
	if (slot >= 0 && meta[slot].state != SLOT_UNUSED)
		describe_object(slot);
	return true;
}
