/*
 * user.cc - a C++ program that embeds the memory manager on the host
 * (docs/embedding.md): every header it names, included from C++17 and
 * built with -Wall -Wextra -Werror -pedantic, then mm_init over 8 MiB of
 * host memory, kmalloc of a constant size (the inline fast path) and of a
 * variable one, a kmem_cache, and node_check finding nothing. tests/qemu/embed-outside.sh
 * builds it against build/host/librvmm.a and the host port and runs it.
 */
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <lib/cmdline.h>
#include <lib/kernel.h>
#include <lib/kstring.h>
#include <lib/random.h>
#include <mm/gfp.h>
#include <mm/kmalloc.h>
#include <mm/memblock.h>
#include <mm/mm.h>
#include <mm/mm_init.h>
#include <mm/mm_report.h>
#include <mm/mmzone.h>
#include <mm/port.h>
#include <mm/reclaim.h>
#include <mm/slab.h>
#include <mm/vmalloc.h>

namespace {

constexpr std::uintptr_t ram_phys = 0x80000000u;
constexpr unsigned long ram_size = 8ul << 20;

struct point {
	long x, y, z;
};

bool fail(const char *what)
{
	std::printf("cxx-embed: FAILED: %s\n", what);
	return false;
}

bool exercise()
{
	void *blocks[32];

	for (unsigned int i = 0; i < 32; i++) {
		blocks[i] = kmalloc(16 + 100 * i, GFP_KERNEL);
		if (!blocks[i])
			return fail("kmalloc");
		memset(blocks[i], 0xa5, 16 + 100 * i);
	}
	point *p = static_cast<point *>(kmalloc(sizeof(point), GFP_KERNEL)); /* constant: inline */
	kmem_cache *cache = kmem_cache_create("cxx_point", sizeof(point), 0, 0, nullptr);
	if (!p || !cache)
		return fail("kmalloc(sizeof(point)) or kmem_cache_create");
	point *q = static_cast<point *>(kmem_cache_alloc(cache, GFP_KERNEL));
	if (!q)
		return fail("kmem_cache_alloc");
	*p = point{1, 2, 3};
	*q = *p;
	kmem_cache_free(cache, q);
	kmem_cache_destroy(cache);
	kfree(p);
	for (void *b : blocks)
		kfree(b);
	return true;
}

} // namespace

int main()
{
	static struct memblock mb; /* "struct": the global memblock hides the name */
	static const mm_image no_image{};
	void *ram = std::aligned_alloc(4ul << 20, ram_size);

	if (!ram)
		return 1;
	va_pa_offset = reinterpret_cast<std::uintptr_t>(ram) - ram_phys;
	memblock_init(&mb);
	if (memblock_add(&mb, ram_phys, ram_size))
		return 1;
	mm_init(&mb, &no_image);
	unsigned long before = nr_free_pages();
	if (!exercise() || !exercise())
		return 1;
	kmem_cache_shrink_all();
	int problems = node_check(mem_node);
	std::printf("cxx-embed: %lu pages free before, %lu after, node_check %d\n", before,
		    nr_free_pages(), problems);
	if (problems)
		return fail("node_check"), 1;
	std::printf("cxx-embed: passed\n");
	return 0;
}
