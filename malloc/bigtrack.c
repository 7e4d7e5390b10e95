/*
 * bigtrack.c - RVMM_MALLOC_DEBUG=U's record of the blocks above the slab
 * classes (bigblocks, page runs and mapped blocks: more than KMALLOC_SLAB_MAX
 * bytes), which no cache tracks, so that the report at exit lists those
 * still allocated by who allocated them, as alloc_traces lists the caches'
 * objects (docs/malloc.md, "Who allocated it: U").
 *
 * A table of (block address, caller) pairs, open-addressed with linear
 * probing, in memory mapped once when tracking starts (nothing here calls
 * malloc). A forgotten entry becomes a tombstone; when entries and
 * tombstones fill three quarters of the table, the live entries are moved
 * into the second table (tombstones dropped) and the two swap. A block that
 * finds the table full of live entries is not recorded and counted in
 * `dropped`, which the report prints: never lost silently. One lock guards
 * it all; callers hold their hart slot (the shim's contract), and the lock
 * is taken inside it.
 */
#include <stdint.h>
#include <sys/mman.h>

#include <lib/kernel.h>
#include <lib/kstring.h>
#include <lib/spinlock.h>
#include <mm/mm_report.h>
#include <mm/port.h>

#include "bigtrack.h"

#define BIG_SLOTS BIGTRACK_SLOTS
#define TOMBSTONE ((uintptr_t)1)

struct big_rec {
	uintptr_t addr; /* 0: empty; TOMBSTONE: forgotten */
	unsigned long caller;
};

static struct big_rec *tables[2], *table;
static unsigned long live, tombstones, dropped;
static spinlock_t big_lock = SPINLOCK_INIT;

bool bigtrack_setup(void)
{
	void *m = mmap(NULL, 2 * BIG_SLOTS * sizeof(struct big_rec), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return false;
	tables[0] = table = m;
	tables[1] = tables[0] + BIG_SLOTS;
	live = tombstones = dropped = 0;
	return true;
}

static unsigned long slot_of(uintptr_t addr)
{
	return (unsigned long)(((addr >> 12) * 0x9e3779b97f4a7c15ull) >> 48) & (BIG_SLOTS - 1);
}

/* The slot of @addr in @t, or of the first free one on its probe line
 * (empty, or a tombstone when @reuse). */
static struct big_rec *probe(struct big_rec *t, uintptr_t addr, bool reuse)
{
	for (unsigned long i = slot_of(addr), n = 0; n < BIG_SLOTS; i = (i + 1) & (BIG_SLOTS - 1), n++) {
		if (t[i].addr == addr || t[i].addr == 0 || (reuse && t[i].addr == TOMBSTONE))
			return &t[i];
	}
	return NULL;
}

/* The live entries into the other table, which becomes the table. */
static void rehash(void)
{
	struct big_rec *to = tables[table == tables[0]];

	memset(to, 0, BIG_SLOTS * sizeof(*to));
	for (unsigned long i = 0; i < BIG_SLOTS; i++)
		if (table[i].addr > TOMBSTONE)
			*probe(to, table[i].addr, false) = table[i];
	table = to;
	tombstones = 0;
}

void bigtrack_note(const void *p, unsigned long caller)
{
	unsigned long flags = spin_lock_irqsave(&big_lock);
	struct big_rec *r;

	if (live + tombstones >= BIG_SLOTS / 4 * 3)
		rehash();
	if (live >= BIG_SLOTS / 4 * 3 || !(r = probe(table, (uintptr_t)p, true))) {
		dropped++;
	} else {
		if (r->addr == TOMBSTONE)
			tombstones--;
		if (r->addr != (uintptr_t)p)
			live++;
		r->addr = (uintptr_t)p;
		r->caller = caller;
	}
	spin_unlock_irqrestore(&big_lock, flags);
}

void bigtrack_forget(const void *p)
{
	unsigned long flags = spin_lock_irqsave(&big_lock);
	struct big_rec *r = probe(table, (uintptr_t)p, false);

	if (r && r->addr == (uintptr_t)p) {
		r->addr = TOMBSTONE;
		live--;
		tombstones++;
	}
	spin_unlock_irqrestore(&big_lock, flags);
}

struct big_group {
	unsigned long caller, blocks, bytes;
};

/* Add @bytes of one block from @caller to @g (@n groups, room for @max). */
static void group_add(struct big_group *g, unsigned int *n, unsigned int max, unsigned long caller,
		      unsigned long bytes, unsigned long *ungrouped)
{
	unsigned int i;

	for (i = 0; i < *n && g[i].caller != caller; i++)
		;
	if (i == *n) {
		if (*n == max) {
			(*ungrouped)++;
			return;
		}
		g[(*n)++] = (struct big_group){ caller, 0, 0 };
	}
	g[i].blocks++;
	g[i].bytes += bytes;
}

void bigtrack_show(size_t (*block_size)(const void *p))
{
	enum { MAX_GROUPS = 128 };
	static struct big_group g[MAX_GROUPS]; /* (at exit, one thread: the report's) */
	unsigned long flags = spin_lock_irqsave(&big_lock);
	unsigned long blocks = 0, bytes = 0, ungrouped = 0;
	unsigned int n = 0;

	for (unsigned long i = 0; i < BIG_SLOTS; i++) {
		unsigned long size;

		if (table[i].addr <= TOMBSTONE)
			continue;
		size = block_size((const void *)table[i].addr);
		blocks++;
		bytes += size;
		group_add(g, &n, MAX_GROUPS, table[i].caller, size, &ungrouped);
	}
	spin_unlock_irqrestore(&big_lock, flags);
	if (!blocks && !dropped)
		return;
	kprintf("bigblocks, page runs and mapped blocks (above the slab classes): %lu blocks of %lu bytes\n", blocks,
		bytes);
	for (unsigned int done = 0; done < n; done++) { /* largest first */
		unsigned int top = done;
		struct big_group t;
		char who[300]; /* (a path of up to 255 bytes and its offset: port/malloc.c) */

		for (unsigned int i = done + 1; i < n; i++)
			if (g[i].bytes > g[top].bytes)
				top = i;
		t = g[top];
		g[top] = g[done];
		g[done] = t;
		mm_describe_caller(who, sizeof(who), t.caller);
		kprintf("%7lu %s bytes=%lu\n", t.blocks, who, t.bytes);
	}
	if (ungrouped)
		kprintf("%7lu blocks of further callers (the list holds %d)\n", ungrouped, MAX_GROUPS);
	if (dropped)
		kprintf("%7lu blocks not recorded (the record was full)\n", dropped);
}
