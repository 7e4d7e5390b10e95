/*
 * reclaim.c - what happens between "a zone is getting low" and "the
 * allocation fails": background reclaim woken by the low watermark, direct
 * reclaim in the allocator's slow path, the slab allocator's periodic
 * cache_reap, and their counters in Linux's /proc/vmstat format.
 *
 * Watermarks. Each zone has min < low < high (mm/memmap.c sets them as
 * Linux does). Allocations may take a zone down to min (less for
 * __GFP_HIGH and __GFP_ATOMIC: page_alloc.c's zone_watermark_ok). Whenever
 * the page allocator takes pages from a zone's buddy lists (a per-hart list
 * refill, or a block of higher order) and leaves it below low, it calls
 * wakeup_kswapd(): the zone's bit goes into kswapd_zones and every other
 * hart gets MM_WORK_KSWAPD and a kick. That check is on the refill path only, as Linux's is on
 * its per-cpu refill and slow paths: the order-0 fast path pays nothing.
 *
 * Background reclaim ("kswapd"). rvmm has no threads, so it runs from
 * mm_tick(), which each hart calls from its idle loop (the port: boot/
 * calls it when a hart wakes from wfi, by its timer tick or a kick, and
 * from the console's poll loop). The first hart whose tick sees a woken
 * zone and takes kswapd_lock (trylock: a second one does not wait) runs
 * kswapd_run(): it drains every hart's page lists (their locks exist for
 * that), runs the shrinkers on itself (its magazines, every free slab),
 * and, once per wakeup, asks every other hart to empty its magazines,
 * until every woken zone is above high. A run that got nothing back, asked
 * nothing now and waits for no drain gives up (kswapd_gave_up) until a zone
 * wakes it again; a run that still waits for drains stays woken, and the
 * tick of the hart that carries out a drain runs it again (as does any
 * later tick). A hart that finds a run going (kswapd_lock is only tried)
 * sets kswapd_rerun, which the running hart looks at after it unlocks.
 *
 * Other harts' magazines. Only its own hart touches a magazine (the fast
 * paths take no lock), so emptying one is a request: the requester sets
 * MM_WORK_DRAIN in the hart's work word and kicks it (port_kick_cpu: an
 * IPI) and never waits. The hart carries the request out at its next tick
 * or, if it is busy allocating, in its next direct reclaim. Without IPIs
 * there is only one hart (boot/hart.c starts no other), so nothing is lost.
 *
 * Direct reclaim. A request every zone refused wakes background reclaim for
 * the zones below low and runs direct_reclaim() in the slow path unless it
 * may not (GFP_NOWAIT, GFP_ATOMIC): this hart's posted work, the shrinkers,
 * every page list drained; a __GFP_NOFAIL request also asks the other harts
 * to drain (it retries until they have). page_alloc.c then retries as the
 * gfp says (gfp.h).
 *
 * cache_reap. Every slab_reap= milliseconds (2000 by default, 0: off) each
 * hart runs slab_cache_reap() (mm/slab.c): part of each magazine and the
 * free slabs beyond the one kept go back. Harts that cannot wake
 * themselves (no timer interrupt: they sleep until kicked) get
 * MM_WORK_REAP and a kick when their reap is due, from mm_tick_kick_due(),
 * which the port calls from the one loop that does run (the boot hart's
 * console loop, on a clock the port keeps from its idle time).
 *
 * Locking: kswapd_lock is only ever tried; the work words and counters are
 * atomics; nothing here waits for a lock or for another hart.
 */
#include <lib/cmdline.h>
#include <mm/port.h>
#include <mm/reclaim.h>
#include "internal.h"

#define MM_WORK_DRAIN 1ul /* empty this hart's magazines and free slabs */
#define MM_WORK_REAP 2ul  /* run cache_reap now (the hart has no timer) */
#define MM_WORK_KSWAPD 4ul /* a zone woke background reclaim: try to run it */
/* Background reclaim rounds per run before it lets the tick go on. */
#define KSWAPD_ROUNDS 4

unsigned long vm_events[NR_VM_EVENT_ITEMS];

const char *const vm_event_names[NR_VM_EVENT_ITEMS] = {
	[ALLOCSTALL_DMA] = "allocstall_dma",
	[ALLOCSTALL_DMA32] = "allocstall_dma32",
	[ALLOCSTALL_NORMAL] = "allocstall_normal",
	[KSWAPD_WAKEUP] = "kswapd_wakeup",
	[PAGEOUTRUN] = "pageoutrun",
	[KSWAPD_BALANCED] = "kswapd_balanced",
	[KSWAPD_GAVE_UP] = "kswapd_gave_up",
	[PGSTEAL_KSWAPD] = "pgsteal_kswapd",
	[PGSTEAL_DIRECT] = "pgsteal_direct",
	[DRAIN_IPI_SENT] = "drain_ipi_sent",
	[DRAIN_IPI_DONE] = "drain_ipi_done",
	[DRAIN_PAGES] = "drain_pages",
	[SLAB_REAP_RUNS] = "slab_reap_runs",
	[SLAB_REAP_OBJECTS] = "slab_reap_objects",
	[SLAB_REAP_PAGES] = "slab_reap_pages",
	[NOFAIL_RETRIES] = "nofail_retries",
	[ALLOCFAIL_DMA] = "allocfail_dma",
	[ALLOCFAIL_DMA32] = "allocfail_dma32",
	[ALLOCFAIL_NORMAL] = "allocfail_normal",
};

static unsigned long cpu_work[MAX_HARTS];       /* MM_WORK_* posted for the hart */
static unsigned long drains_outstanding;        /* posted, not yet carried out */
static u64 next_reap_us[MAX_HARTS];             /* 0: never reaped */
static unsigned long reap_seq[MAX_HARTS];        /* odd while a cache_reap runs */
static unsigned long reap_interval_ms = SLAB_REAP_DEFAULT_MS;
static unsigned long kswapd_zones;              /* bit per zone: woken for it */
static spinlock_t kswapd_lock = SPINLOCK_INIT;
static unsigned long kswapd_rerun; /* a tick found a run going: run again */
static unsigned long kswapd_asked; /* this wakeup asked the others to drain */
static unsigned int background_on = 1; /* (no byte atomics on rv64imac) */

/* ---- boot parameter and switches ---------------------------------------- */

static int slab_reap_param(const char *value)
{
	u64 ms;

	if (!value || memparse(value, &ms) || ms > 3600000)
		return -EINVAL;
	reap_interval_ms = (unsigned long)ms;
	return 0;
}
KPARAM("slab_reap", slab_reap_param,
       "slab_reap=MS  periodic cache_reap interval per hart (default 2000; 0: off)");

unsigned long slab_reap_interval_ms(void)
{
	return __atomic_load_n(&reap_interval_ms, __ATOMIC_RELAXED);
}

unsigned long slab_reap_set_interval_ms(unsigned long ms)
{
	for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++)
		__atomic_store_n(&next_reap_us[cpu], 0, __ATOMIC_RELAXED);
	return __atomic_exchange_n(&reap_interval_ms, ms, __ATOMIC_RELAXED);
}

unsigned long slab_reap_seq_on(unsigned int cpu)
{
	return cpu < MAX_HARTS ? __atomic_load_n(&reap_seq[cpu], __ATOMIC_ACQUIRE) : 0;
}

unsigned long slab_reap_runs_on(unsigned int cpu)
{
	return slab_reap_seq_on(cpu) / 2;
}

bool mm_background_set(bool on)
{
	bool was = __atomic_exchange_n(&background_on, on ? 1u : 0u, __ATOMIC_RELAXED) != 0;

	if (!on) /* a wakeup left pending would swallow the next one */
		__atomic_store_n(&kswapd_zones, 0ul, __ATOMIC_RELEASE);
	return was;
}

static bool background(void)
{
	return __atomic_load_n(&background_on, __ATOMIC_RELAXED) != 0;
}

/* ---- posted work --------------------------------------------------------- */

static void post_work(unsigned int cpu, unsigned long bits)
{
	__atomic_fetch_or(&cpu_work[cpu], bits, __ATOMIC_RELEASE);
	port_kick_cpu(cpu);
}

bool mm_cpu_work_pending(unsigned int cpu)
{
	return cpu < MAX_HARTS && __atomic_load_n(&cpu_work[cpu], __ATOMIC_ACQUIRE) != 0;
}

unsigned long reclaim_drains_outstanding(void)
{
	return __atomic_load_n(&drains_outstanding, __ATOMIC_RELAXED);
}

void request_remote_drain(void)
{
	unsigned int me = this_cpu(), n = nr_online_cpus();

	for (unsigned int cpu = 0; cpu < n && cpu < MAX_HARTS; cpu++) {
		if (cpu == me)
			continue;
		/* One outstanding request per hart is enough. */
		if (__atomic_fetch_or(&cpu_work[cpu], MM_WORK_DRAIN, __ATOMIC_ACQ_REL) & MM_WORK_DRAIN)
			continue;
		__atomic_add_fetch(&drains_outstanding, 1, __ATOMIC_RELAXED);
		count_vm_events(DRAIN_IPI_SENT, 1);
		port_kick_cpu(cpu);
	}
}

static void reap_this_cpu(bool all, u64 now_us)
{
	struct slab_reap_stats r = { 0, 0, 0 };
	unsigned int cpu = this_cpu();

	if (!all) { /* seqcount: odd while this hart's magazines change */
		__atomic_add_fetch(&reap_seq[cpu], 1, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_RELEASE);
	}
	slab_cache_reap(all, &r);
	if (!all) {
		count_vm_events(SLAB_REAP_RUNS, 1);
		count_vm_events(SLAB_REAP_OBJECTS, r.objects);
		count_vm_events(SLAB_REAP_PAGES, r.pages);
		__atomic_add_fetch(&reap_seq[cpu], 1, __ATOMIC_RELEASE);
		__atomic_store_n(&next_reap_us[cpu], now_us + reap_interval_ms * 1000ull,
				 __ATOMIC_RELAXED);
	}
}

/* Carry out a drain request posted for this hart: every magazine of this
 * hart and every free slab go back (a cache whose lock was busy is left for
 * the next try, and so the request stays posted). Returns pages freed. */
static unsigned long drain_this_cpu(void)
{
	unsigned int cpu = this_cpu();
	struct slab_reap_stats r = { 0, 0, 0 };

	if (!(__atomic_fetch_and(&cpu_work[cpu], ~MM_WORK_DRAIN, __ATOMIC_ACQ_REL) & MM_WORK_DRAIN))
		return 0;
	slab_cache_reap(true, &r);
	if (r.skipped) {
		__atomic_fetch_or(&cpu_work[cpu], MM_WORK_DRAIN, __ATOMIC_RELEASE);
		return r.pages;
	}
	__atomic_sub_fetch(&drains_outstanding, 1, __ATOMIC_RELAXED);
	count_vm_events(DRAIN_IPI_DONE, 1);
	count_vm_events(DRAIN_PAGES, r.pages);
	return r.pages;
}

/* ---- background reclaim --------------------------------------------------- */

void wakeup_kswapd(struct zone *z)
{
	unsigned long bit = 1ul << z->id;
	unsigned int me, n;

	if (z->node != mem_node || !background() ||
	    (__atomic_load_n(&kswapd_zones, __ATOMIC_RELAXED) & bit) ||
	    (__atomic_fetch_or(&kswapd_zones, bit, __ATOMIC_ACQ_REL) & bit))
		return;
	count_vm_events(KSWAPD_WAKEUP, 1);
	__atomic_store_n(&kswapd_asked, 0ul, __ATOMIC_RELEASE);
	me = this_cpu();
	n = nr_online_cpus();
	for (unsigned int cpu = 0; cpu < n && cpu < MAX_HARTS; cpu++)
		if (cpu != me)
			post_work(cpu, MM_WORK_KSWAPD);
}

/* Is every zone in @zones above its high watermark (buddy pages)? */
static bool zones_balanced(const struct pglist_data *node, unsigned long zones)
{
	for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &node->zones[zi];

		if ((zones & (1ul << zi)) && populated_zone(z) &&
		    __atomic_load_n(&z->free_pages, __ATOMIC_RELAXED) <= z->watermark[WMARK_HIGH])
			return false;
	}
	return true;
}

/* One run, kswapd_lock held: see the file comment. */
static bool kswapd_balance(struct pglist_data *node)
{
	unsigned long zones = __atomic_load_n(&kswapd_zones, __ATOMIC_ACQUIRE), freed = 0;
	bool balanced, asked = false;

	if (!zones)
		return true;
	count_vm_events(PAGEOUTRUN, 1);
	node_drain_pages(node);
	balanced = zones_balanced(node, zones);
	for (int round = 0; round < KSWAPD_ROUNDS && !balanced; round++) {
		unsigned long n = run_shrinkers(GFP_KERNEL) + drain_this_cpu();

		count_vm_events(PGSTEAL_KSWAPD, n);
		freed += n;
		node_drain_pages(node);
		balanced = zones_balanced(node, zones);
		if (!n)
			break;
	}
	/* The other harts' magazines: asked once per wakeup (their drains
	 * run kswapd again when they are done). */
	if (!balanced && !__atomic_exchange_n(&kswapd_asked, 1ul, __ATOMIC_ACQ_REL)) {
		request_remote_drain();
		asked = true;
	}
	if (balanced) {
		count_vm_events(KSWAPD_BALANCED, 1);
		__atomic_fetch_and(&kswapd_zones, ~zones, __ATOMIC_RELEASE);
	} else if (!freed && !asked && !__atomic_load_n(&drains_outstanding, __ATOMIC_RELAXED)) {
		count_vm_events(KSWAPD_GAVE_UP, 1);
		__atomic_fetch_and(&kswapd_zones, ~zones, __ATOMIC_RELEASE);
	}
	return balanced;
}

/* A hart that finds a run going sets kswapd_rerun and leaves; the running
 * hart looks at it after unlocking and runs again: no wakeup is lost and
 * no hart waits. */
bool kswapd_run(struct pglist_data *node)
{
	bool balanced = false;

	__atomic_store_n(&kswapd_rerun, 1ul, __ATOMIC_RELEASE);
	while (__atomic_load_n(&kswapd_rerun, __ATOMIC_ACQUIRE)) {
		unsigned long flags = irq_save();

		if (!spin_trylock(&kswapd_lock)) {
			irq_restore(flags);
			break;
		}
		__atomic_store_n(&kswapd_rerun, 0ul, __ATOMIC_RELAXED);
		balanced = kswapd_balance(node);
		spin_unlock(&kswapd_lock);
		irq_restore(flags);
	}
	return balanced;
}

/* ---- direct reclaim -------------------------------------------------------- */

unsigned long direct_reclaim(struct pglist_data *node, gfp_t gfp)
{
	unsigned long n = drain_this_cpu() + run_shrinkers(gfp);

	count_vm_events(PGSTEAL_DIRECT, n);
	/* The requester cannot wait for the others' answers; only a request
	 * that retries until it succeeds asks them itself. Everyone else
	 * leaves that to background reclaim, which its wakeup started. */
	if (gfp & __GFP_NOFAIL)
		request_remote_drain();
	node_drain_pages(node);
	return n;
}

/* ---- the tick ---------------------------------------------------------------- */

u64 mm_tick_interval_us(void)
{
	return background() ? slab_reap_interval_ms() * 1000ull : 0;
}

void mm_tick_kick_due(u64 now_us)
{
	unsigned int me = this_cpu(), n = nr_online_cpus();

	if (!mm_tick_interval_us())
		return;
	for (unsigned int cpu = 0; cpu < n && cpu < MAX_HARTS; cpu++) {
		u64 next = __atomic_load_n(&next_reap_us[cpu], __ATOMIC_RELAXED);

		if (cpu == me || (next && now_us < next) ||
		    (__atomic_load_n(&cpu_work[cpu], __ATOMIC_RELAXED) & MM_WORK_REAP))
			continue;
		post_work(cpu, MM_WORK_REAP);
	}
}

void mm_tick(u64 now_us)
{
	unsigned int cpu = this_cpu();
	u64 interval = mm_tick_interval_us();
	unsigned long work;

	if (__atomic_load_n(&cpu_work[cpu], __ATOMIC_ACQUIRE) & MM_WORK_DRAIN)
		drain_this_cpu();
	work = __atomic_fetch_and(&cpu_work[cpu], ~(MM_WORK_REAP | MM_WORK_KSWAPD), __ATOMIC_ACQ_REL);
	if (interval) {
		u64 next = __atomic_load_n(&next_reap_us[cpu], __ATOMIC_RELAXED);

		if ((work & MM_WORK_REAP) || !next || now_us >= next)
			reap_this_cpu(false, now_us);
	}
	if (background() && __atomic_load_n(&kswapd_zones, __ATOMIC_ACQUIRE))
		kswapd_run(mem_node);
}

/* ---- /proc/vmstat ----------------------------------------------------------- */

void show_vmstat(const struct pglist_data *node)
{
	static const char *const zone_counter[MAX_NR_ZONES] = { "dma", "dma32", "normal" };

	kprintf("nr_free_pages %lu\n", node_nr_free_pages(node));
	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		kprintf("nr_zone_free_%s %lu\n", zone_counter[zi], node->zones[zi].free_pages);
	/* No block I/O, no swap: 0, as Linux prints them (vmstat's bi/bo/si/so
	 * and psutil's swap_memory read them, warning when they are missing). */
	kprintf("pgpgin 0\npgpgout 0\npswpin 0\npswpout 0\n");
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		kprintf("%s %lu\n", vm_event_names[i], __atomic_load_n(&vm_events[i], __ATOMIC_RELAXED));
	kprintf("kswapd_woken_zones %lu\n", __atomic_load_n(&kswapd_zones, __ATOMIC_RELAXED));
}
