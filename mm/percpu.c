/*
 * percpu.c - slots in the per-hart areas (percpu.h).
 *
 * Every hart has PERCPU_AREA_SIZE bytes of its own; a slot is PERCPU_SLOT
 * bytes at the same offset in each of them. A bitmap says which slots are
 * taken; allocation takes the lowest free one (first fit over 128 bits) and
 * zeroes it on every hart, so a new owner never sees a previous owner's
 * state. Slot 0 (PERCPU_RESERVED_OFF) is never handed out: owners that got
 * no slot share it as "nothing here" (the slab allocator keeps an empty
 * magazine pair there).
 */
#include <lib/kstring.h>
#include <mm/percpu.h>
#include <lib/spinlock.h>

#define NR_SLOTS (PERCPU_AREA_SIZE / PERCPU_SLOT)

static u64 taken[NR_SLOTS / 64] = { 1 }; /* slot 0: reserved */
static unsigned long used = 1;
static spinlock_t percpu_lock = SPINLOCK_INIT;

long percpu_alloc(void)
{
	unsigned long flags = spin_lock_irqsave(&percpu_lock);
	long off = -ENOMEM;

	for (unsigned int w = 0; w < ARRAY_SIZE(taken) && off < 0; w++) {
		if (taken[w] == ~0ull)
			continue;
		unsigned int bit = 0;

		while (taken[w] & 1ull << bit)
			bit++;

		taken[w] |= 1ull << bit;
		used++;
		off = (long)(PERCPU_BASE_OFFSET + (w * 64 + bit) * PERCPU_SLOT);
	}
	spin_unlock_irqrestore(&percpu_lock, flags);
	if (off >= 0)
		for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++)
			memset(cpu_percpu_base(cpu) + off, 0, PERCPU_SLOT);
	return off;
}

void percpu_free(unsigned long off)
{
	unsigned long slot = (off - PERCPU_BASE_OFFSET) / PERCPU_SLOT, flags;

	/* (Below the first slot, slot 0 and past the end all fail here.) */
	if (off < PERCPU_BASE_OFFSET + PERCPU_SLOT || (off - PERCPU_BASE_OFFSET) % PERCPU_SLOT ||
	    slot >= NR_SLOTS) {
		kprintf("percpu_free: bad offset %#lx\n", off);
		return;
	}
	flags = spin_lock_irqsave(&percpu_lock);
	if (!(taken[slot / 64] & 1ull << (slot % 64)))
		kprintf("percpu_free: offset %#lx is not allocated\n", off);
	else {
		taken[slot / 64] &= ~(1ull << (slot % 64));
		used--;
	}
	spin_unlock_irqrestore(&percpu_lock, flags);
}

unsigned long percpu_slots_used(void)
{
	return used;
}
