/*
 * mapped.c - the blocks of RVMM_MALLOC_MMAP_MIN bytes or more (32 MiB by
 * default): each a private anonymous mapping of its own, as glibc maps its
 * chunks above its mmap threshold (which never exceeds 32 MiB). In the heap
 * such a block cost its struct pages, 1/128 of its size, written when the
 * heap grew for it whether or not the program ever touched the block: a
 * 1 GiB buffer written once per MiB was 12.5 MB resident against glibc's
 * 4.2 (docs/malloc.md, "Mapped blocks"). A mapping costs nothing until
 * touched, goes back whole on free (munmap) and is resized by mremap,
 * which moves no bytes.
 *
 * The record. free() must tell a mapped block from a bad pointer without
 * reading memory the pointer names (a wild one would fault), so each block
 * is entered, start and length, in a table: open addressing with linear
 * probing on the start's page number, at most half full, doubled (a new
 * mapping, the entries moved) when an insert would pass that, and an entry
 * removed by shifting the later entries of its probe run back (no
 * tombstones: a lookup ends at the first empty slot). Nothing here calls
 * malloc. One lock guards the table and its counts; it is held across each
 * mremap and until an unmapped block's entry is gone, so an address the
 * system hands out again is never in the table twice. Callers hold their
 * hart slot (the shim's contract), so a fork, which takes every slot, never
 * finds the lock held.
 */
#define _GNU_SOURCE /* mremap */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#include <lib/kernel.h>
#include <lib/spinlock.h>

#include "mapped.h"

#define MAP_PAGE 4096ul
#define FIRST_SLOTS 256ul /* one page of entries */

struct mapped_rec {
	uintptr_t addr; /* 0: empty */
	size_t len;     /* bytes mapped, whole pages */
};

static struct mapped_rec *table;
static unsigned long slots, nr, bytes;
static spinlock_t mapped_lock = SPINLOCK_INIT;

static unsigned long home_of(uintptr_t addr, unsigned long n)
{
	return (unsigned long)(((addr >> 12) * 0x9e3779b97f4a7c15ull) >> 40) & (n - 1);
}

/* The slot holding @addr in @t (@n slots), or the empty slot that ends its
 * probe run. The table is never full, so one is found. */
static struct mapped_rec *slot_of(struct mapped_rec *t, unsigned long n, uintptr_t addr)
{
	unsigned long i = home_of(addr, n);

	while (t[i].addr && t[i].addr != addr)
		i = (i + 1) & (n - 1);
	return &t[i];
}

static struct mapped_rec *new_table(unsigned long n)
{
	void *m = mmap(NULL, n * sizeof(struct mapped_rec), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return m == MAP_FAILED ? NULL : m;
}

/* Room for one more entry within half the table (lock held); false when
 * the system refuses a larger table. */
static bool make_room(void)
{
	unsigned long n = slots ? slots * 2 : FIRST_SLOTS;
	struct mapped_rec *t;

	if (2 * (nr + 1) <= slots)
		return true;
	t = new_table(n);
	if (!t)
		return false;
	for (unsigned long i = 0; i < slots; i++)
		if (table[i].addr)
			*slot_of(t, n, table[i].addr) = table[i];
	if (table)
		munmap(table, slots * sizeof(*table));
	table = t;
	slots = n;
	return true;
}

static void enter(uintptr_t addr, size_t len)
{
	*slot_of(table, slots, addr) = (struct mapped_rec){ addr, len };
	nr++;
	bytes += len;
}

/* Remove entry @r: each later entry of the run that may move back into the
 * hole (its home is not between the hole and itself, cyclically) does. */
static void remove_rec(struct mapped_rec *r)
{
	unsigned long hole = (unsigned long)(r - table), i = hole;

	nr--;
	bytes -= r->len;
	for (;;) {
		i = (i + 1) & (slots - 1);
		if (!table[i].addr)
			break;
		unsigned long home = home_of(table[i].addr, slots);

		if (((i - home) & (slots - 1)) >= ((i - hole) & (slots - 1))) {
			table[hole] = table[i];
			hole = i;
		}
	}
	table[hole] = (struct mapped_rec){ 0, 0 };
}

/* The entry of the block starting at @p, or NULL (lock held). */
static struct mapped_rec *find(const void *p)
{
	struct mapped_rec *r;

	if (!table || !p)
		return NULL;
	r = slot_of(table, slots, (uintptr_t)p);
	return r->addr ? r : NULL;
}

void *mapped_alloc(size_t size, size_t align)
{
	size_t len, extra = align > MAP_PAGE ? align - MAP_PAGE : 0;
	uintptr_t m, a;
	unsigned long flags;
	bool ok;

	if (size > SIZE_MAX - MAP_PAGE - extra)
		return NULL;
	len = ALIGN_UP(size, MAP_PAGE);
	m = (uintptr_t)mmap(NULL, len + extra, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
	if ((void *)m == MAP_FAILED)
		return NULL;
	a = extra ? ALIGN_UP(m, align) : m;
	if (a > m)
		munmap((void *)m, a - m);
	if (m + len + extra > a + len)
		munmap((void *)(a + len), m + len + extra - (a + len));
	flags = spin_lock_irqsave(&mapped_lock);
	ok = make_room();
	if (ok)
		enter(a, len);
	spin_unlock_irqrestore(&mapped_lock, flags);
	if (!ok) {
		munmap((void *)a, len);
		return NULL;
	}
	return (void *)a;
}

size_t mapped_size(const void *p)
{
	unsigned long flags = spin_lock_irqsave(&mapped_lock);
	struct mapped_rec *r = find(p);
	size_t len = r ? r->len : 0;

	spin_unlock_irqrestore(&mapped_lock, flags);
	return len;
}

bool mapped_free(void *p)
{
	unsigned long flags = spin_lock_irqsave(&mapped_lock);
	struct mapped_rec *r = find(p);
	size_t len = r ? r->len : 0;

	/* unmapped with the entry still there: the address cannot be handed
	 * out again and entered while this one is */
	if (r) {
		munmap(p, len);
		remove_rec(r);
	}
	spin_unlock_irqrestore(&mapped_lock, flags);
	return r != NULL;
}

void *mapped_resize(void *p, size_t size, bool may_move)
{
	unsigned long flags;
	struct mapped_rec *r;
	size_t len;
	void *q = NULL;

	if (size > SIZE_MAX - MAP_PAGE)
		return NULL;
	len = ALIGN_UP(size, MAP_PAGE);
	flags = spin_lock_irqsave(&mapped_lock);
	r = find(p);
	if (r) {
		int saved = errno;

		q = mremap(p, r->len, len, may_move ? MREMAP_MAYMOVE : 0);
		if (q == MAP_FAILED) {
			errno = saved;
			q = NULL;
		} else {
			remove_rec(r); /* (one entry fewer: enter needs no room) */
			enter((uintptr_t)q, len);
		}
	}
	spin_unlock_irqrestore(&mapped_lock, flags);
	return q;
}

unsigned long mapped_blocks(void)
{
	return __atomic_load_n(&nr, __ATOMIC_RELAXED);
}

unsigned long mapped_bytes(void)
{
	return __atomic_load_n(&bytes, __ATOMIC_RELAXED);
}

int mapped_check(void)
{
	unsigned long flags = spin_lock_irqsave(&mapped_lock);
	unsigned long n = 0, sum = 0;
	int problems = 0;

	for (unsigned long i = 0; i < slots; i++) {
		if (!table[i].addr)
			continue;
		n++;
		sum += table[i].len;
		if ((table[i].addr | table[i].len) & (MAP_PAGE - 1) || !table[i].len ||
		    find((void *)table[i].addr) != &table[i]) {
			kprintf("mapped: entry %lu: block %#lx of %zu bytes misplaced or misaligned\n", i,
				(unsigned long)table[i].addr, table[i].len);
			problems++;
		}
	}
	if (n != nr || sum != bytes || 2 * nr > slots) {
		kprintf("mapped: %lu entries of %lu bytes in %lu slots, counted %lu of %lu bytes\n", n,
			sum, slots, nr, bytes);
		problems++;
	}
	spin_unlock_irqrestore(&mapped_lock, flags);
	return problems;
}
