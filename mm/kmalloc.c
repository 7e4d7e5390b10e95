/*
 * kmalloc.c - kmalloc and friends on top of SLOB (mm/slob.c).
 *
 * A request that fits a SLOB page goes to the heap's small-object side
 * (segfit: up to 4084 bytes; classic: below PAGE_SIZE - 16); anything
 * bigger is a bigblock: 2^order pages straight from the buddy allocator,
 * marked PGTY_BIGBLOCK with the order in the head page. kfree and ksize
 * read the struct page of the pointer (O(1)): its type says who owns the
 * memory and page->private which heap. Nothing here keeps a list of blocks.
 *
 * Boot parameter slob=segfit|classic picks the kernel heap's mode
 * (default segfit; classic is Linux 2.6.20's single first-fit list).
 */
#include <cmdline.h>
#include <kmalloc.h>
#include <kstring.h>
#include <mm.h>
#include <slob.h>

unsigned long kfree_errors;
const char *kfree_last_error;

static enum slob_mode boot_slob_mode = SLOB_SEGFIT;

static int slob_param(const char *value)
{
	if (value && strcmp(value, "segfit") == 0)
		boot_slob_mode = SLOB_SEGFIT;
	else if (value && strcmp(value, "classic") == 0)
		boot_slob_mode = SLOB_CLASSIC;
	else
		return -EINVAL;
	return 0;
}
KPARAM("slob", slob_param, "slob=segfit|classic  kmalloc's SLOB mode (default segfit)");

void kmalloc_init(void)
{
	slob_heap_init(&kmalloc_heap, "kmalloc", boot_slob_mode);
}

static void kfree_error(const void *p, const char *reason)
{
	kfree_errors++;
	kfree_last_error = reason;
	kprintf("kfree: %p: %s\n", p, reason);
}

void *heap_kmalloc(struct slob_heap *h, size_t size, gfp_t gfp)
{
	if (size == 0)
		return ZERO_SIZE_PTR;
	if (size <= slob_kmalloc_max(h))
		return slob_kmalloc(h, size, gfp);
	if (size > KMALLOC_MAX_SIZE)
		return NULL;
	return slob_big_alloc(h, size, gfp);
}

void *kmalloc(size_t size, gfp_t gfp)
{
	return heap_kmalloc(&kmalloc_heap, size, gfp);
}

void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return kzalloc(n * size, gfp);
}

/* The struct page that owns p as kmalloc memory, or NULL (reported). */
static struct page *owner_page(const void *p, const char *what)
{
	struct page *page = virt_to_page(p);

	if (!page) {
		kfree_error(p, what);
		return NULL;
	}
	switch (page_type(page)) {
	case PGTY_SLOB:
		return page;
	case PGTY_BIGBLOCK:
		if (p == page_address(page) && PageHead(page))
			return page;
		kfree_error(p, "points inside a bigblock, not at its start");
		return NULL;
	default:
		kfree_error(p, what);
		return NULL;
	}
}

void kfree(const void *p)
{
	struct page *page;

	if (ZERO_OR_NULL_PTR(p))
		return;
	page = owner_page(p, "kfree of a pointer kmalloc did not return, or freed twice");
	if (!page)
		return;
	if (page_type(page) == PGTY_BIGBLOCK) {
		slob_big_free((struct slob_heap *)page->private, page);
	} else if (!slob_kfree((struct slob_heap *)page->private, (void *)p)) {
		kfree_errors++;
		kfree_last_error = "kfree of a pointer kmalloc did not return, or freed twice";
	}
}

size_t ksize(const void *p)
{
	struct page *page = ZERO_OR_NULL_PTR(p) ? NULL : virt_to_page(p);

	if (!page)
		return 0;
	if (page_type(page) == PGTY_BIGBLOCK)
		return p == page_address(page) && PageHead(page) ? PAGE_SIZE << page_order(page) : 0;
	if (page_type(page) == PGTY_SLOB)
		return slob_ksize((struct slob_heap *)page->private, p);
	return 0;
}

void *krealloc(const void *p, size_t new_size, gfp_t gfp)
{
	struct slob_heap *h = &kmalloc_heap;
	struct page *page;
	size_t old;
	void *q;

	if (ZERO_OR_NULL_PTR(p))
		return kmalloc(new_size, gfp);
	if (new_size == 0) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	page = owner_page(p, "krealloc of a pointer kmalloc did not return");
	if (!page)
		return NULL;
	old = ksize(p);
	if (!old) {
		kfree_error(p, "krealloc of a block that is not allocated");
		return NULL;
	}
	if (new_size <= old)
		return (void *)p;
	h = (struct slob_heap *)page->private;
	q = heap_kmalloc(h, new_size, gfp);
	if (!q)
		return NULL; /* p stays valid */
	memcpy(q, p, old);
	kfree(p);
	return q;
}
