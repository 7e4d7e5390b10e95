/*
 * meminit.c - init_on_alloc= and init_on_free= (include/mm/meminit.h): the
 * two switches and their boot line. The zeroing itself is in each
 * allocator's slow path: alloc_pages_owned and free_checked (pages, and the
 * boot's free blocks: zone_free_boot_block), the slab's slow paths
 * (mm/slab.c, "Zeroing caches"; mm/slab_debug.c for caches without
 * magazines), SLOB's allocation and free (mm/slob.c, slob_kfree_wiped),
 * KFENCE's (mm/kfence.c).
 */
#include <lib/cmdline.h>
#include <mm/meminit.h>

bool init_on_alloc, init_on_free;

static int init_on_alloc_param(const char *value)
{
	return parse_bool(value, &init_on_alloc);
}
KPARAM("init_on_alloc", init_on_alloc_param,
       "init_on_alloc=0|1  zero every page, object and block as it is handed out");

static int init_on_free_param(const char *value)
{
	return parse_bool(value, &init_on_free);
}
KPARAM("init_on_free", init_on_free_param,
       "init_on_free=0|1  zero every page, object and block as it is freed");

void meminit_print(void)
{
	if (meminit_routed())
		kprintf("mem auto-init: heap alloc:%s, heap free:%s (allocations and frees take the "
			"allocators' slow paths, which zero)\n",
			init_on_alloc ? "on" : "off", init_on_free ? "on" : "off");
}
