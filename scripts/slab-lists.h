/*
 * slab-lists.h - one size class's slabs as the models in scripts/ keep them
 * (slab-policy-model.c, slab-borrow-model.c): which list each slab is on
 * (mm/slab.c's full, partial and free lists; OFF: given back or never
 * made), when it last moved (the newest first, as mm/slab.c's list heads),
 * a new slab, free slabs given back beyond the free-slab rule, and a
 * magazine refilled from the depot.
 *
 * The including file defines MAX_SLABS, a struct cls with at least these
 * fields:
 *     unsigned int size, order, per;   geometry: object size, slab order,
 *                                      objects per slab
 *     unsigned long free_limit;        free objects kept in free slabs
 *     int inuse[MAX_SLABS], list[MAX_SLABS];
 *     unsigned long stamp[MAX_SLABS];  when the slab last changed list
 *     unsigned long free_objects;      free objects in the class's slabs
 *     unsigned int batch;              a magazine's batch
 *     int mag[], nmag, dep[], ndep;    the magazine and the depot (one hart)
 * and the counters clock_, pages (held by all classes) and grows. Included
 * by one .c file each; not part of the build.
 */
#ifndef SLAB_LISTS_H
#define SLAB_LISTS_H

#include <stdio.h>
#include <stdlib.h>

enum list { OFF, FULL, PARTIAL, FREE }; /* OFF: not a slab (given back or never made) */

static int list_for(const struct cls *c, int s)
{
	return c->inuse[s] == 0 ? FREE : c->inuse[s] == (int)c->per ? FULL : PARTIAL;
}

static void relist(struct cls *c, int s)
{
	int to = list_for(c, s);

	if (to != c->list[s]) {
		c->list[s] = to;
		c->stamp[s] = ++clock_;
	}
}

/* The newest slab on list @l, -1 if none (mm/slab.c: the list's head). */
static int newest_on(const struct cls *c, int l)
{
	int best = -1;

	for (int s = 0; s < MAX_SLABS; s++)
		if (c->list[s] == l && (best < 0 || c->stamp[s] > c->stamp[best]))
			best = s;
	return best;
}

/* A new slab of the class, all free; its index (the model @name exits when
 * the class has MAX_SLABS already). */
static int new_slab(struct cls *c, const char *name)
{
	for (int s = 0; s < MAX_SLABS; s++)
		if (c->list[s] == OFF) {
			c->inuse[s] = 0;
			c->list[s] = FREE;
			c->stamp[s] = ++clock_;
			c->free_objects += c->per;
			pages += 1ul << c->order;
			grows++;
			return s;
		}
	fprintf(stderr, "%s: class %u needs more than %d slabs\n", name, c->size, MAX_SLABS);
	exit(1);
}

/* mm/slab.c's free-slab rule: the newest free slabs go back while the class
 * keeps more than free_limit free objects. */
static void trim_free_slabs(struct cls *c)
{
	while (c->free_objects > c->free_limit) {
		int s = newest_on(c, FREE);

		if (s < 0)
			return;
		c->list[s] = OFF;
		c->free_objects -= c->per;
		pages -= 1ul << c->order;
	}
}

/* A refill from the depot: up to a batch of its newest objects into the
 * (empty) magazine. */
static void refill_from_depot(struct cls *c)
{
	int n = c->ndep < (int)c->batch ? c->ndep : (int)c->batch;

	for (int i = 0; i < n; i++)
		c->mag[c->nmag++] = c->dep[--c->ndep];
}

#endif
