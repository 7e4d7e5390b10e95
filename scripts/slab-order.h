/*
 * slab-order.h - mm/slab.c's slab order rule for the models in scripts/
 * (slab-policy-model.c, slab-borrow-model.c): the smallest order up to 3
 * whose slab wastes at most 1/waste_den of its bytes, else the order that
 * wastes least. mm/slab.c uses 1/16 since the classes 1088 and 4608 (1/8
 * before, which slab-policy-model.c was measured with). Included by one .c
 * file each; not part of the build.
 */
#ifndef SLAB_ORDER_H
#define SLAB_ORDER_H

static unsigned int model_slab_order(unsigned int size, unsigned long page, unsigned int waste_den)
{
	unsigned int best = 0, best_pct = 101;

	for (unsigned int o = 0; o <= 3; o++) {
		unsigned long bytes = page << o, objs = bytes / size, pct;

		if (!objs)
			continue;
		pct = (bytes - objs * size) * 100 / bytes;
		if (pct < best_pct) {
			best_pct = (unsigned int)pct;
			best = o;
		}
		if ((bytes - objs * size) * waste_den <= bytes)
			break;
	}
	return best;
}

#endif
