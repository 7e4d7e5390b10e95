/*
 * main.c - a host program that uses rvmm's memory manager from
 * build/host/librvmm.a with the ready-made host port
 * (build/host/librvmm-port-host.a, port/host.c). 16 MiB of malloc'ed
 * memory stands in for RAM at physical address 0x80000000 (va_pa_offset
 * maps one to the other); two rounds of kmalloc and kfree run over it and
 * each checks that every page came back; then MAX_HARTS threads, each its
 * own cpu (host_set_cpu), kfree each other's blocks. Exits 0 when all went
 * well. Its argument, if any, is a boot command line ("kmalloc=slob",
 * "kmalloc_heap=compact": docs/kmalloc.md).
 * tests/qemu/embed.sh runs it; docs/embedding.md explains it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <mm/kmalloc.h>
#include <lib/cmdline.h>
#include <lib/kstring.h>
#include <mm/memblock.h>
#include <mm/mm.h>
#include <mm/mm_init.h>
#include <mm/mmzone.h>
#include <mm/slab.h>

#define RAM_PHYS 0x80000000ul
#define RAM_SIZE (16ul << 20)
#define NR_BLOCKS 1000

/* kmalloc and kfree NR_BLOCKS blocks of 1 byte to 16 KiB; true when all
 * were served, kept their contents, and every page came back (beyond
 * those the kmalloc caches made on first use keep for good). */
static bool round_trip(int round)
{
	static void *blocks[NR_BLOCKS];
	unsigned long before = node_free_pages_count(mem_node), after;
	long held = (long)kmalloc_held_pages();
	u64 seed = 0x9e3779b97f4a7c15ull;
	bool ok = true;

	for (int i = 0; i < NR_BLOCKS; i++) {
		size_t size = 1 + (seed = seed * 6364136223846793005ull + 1) % (16 << 10);

		blocks[i] = kmalloc(size, GFP_KERNEL);
		ok = ok && blocks[i] && ksize(blocks[i]) >= size;
		if (blocks[i])
			memset(blocks[i], i & 0xff, size);
	}
	for (int i = 0; i < NR_BLOCKS; i++) {
		ok = ok && (!blocks[i] || *(u8 *)blocks[i] == (i & 0xff));
		kfree(blocks[i]);
	}
	kmem_cache_shrink_all();
	after = node_free_pages_count(mem_node);
	held = (long)kmalloc_held_pages() - held;
	ok = ok && (long)(before - after) == held && node_check(mem_node) == 0;
	printf("host-embed: round %d: %d kmalloc/kfree %s; %lu pages free before, %lu after, "
	       "%ld more held by slab and kmalloc\n",
	       round, NR_BLOCKS, ok ? "ok" : "FAILED", before, after, held);
	return ok;
}

#define PER_THREAD (NR_BLOCKS / MAX_HARTS)

static void *thread_blocks[MAX_HARTS][PER_THREAD];
static bool thread_ok[MAX_HARTS];
static pthread_barrier_t all_allocated;

/* Thread @arg is that cpu, so no two threads run mm/ as the same cpu at
 * once (its per-hart state has no lock). It kmallocs its blocks, waits for
 * every thread's, and kfrees the next cpu's into its own magazines. */
static void *hart_thread(void *arg)
{
	unsigned int cpu = (unsigned int)(uintptr_t)arg, next = (cpu + 1) % MAX_HARTS;
	bool ok = true;

	host_set_cpu(cpu);
	for (unsigned int i = 0; i < PER_THREAD; i++) {
		thread_blocks[cpu][i] = kmalloc(1 + (cpu * 977 + i * 131) % 4096, GFP_KERNEL);
		if (thread_blocks[cpu][i])
			*(u8 *)thread_blocks[cpu][i] = (u8)cpu;
	}
	pthread_barrier_wait(&all_allocated);
	for (unsigned int i = 0; i < PER_THREAD; i++) {
		ok = ok && thread_blocks[next][i] && *(u8 *)thread_blocks[next][i] == next;
		kfree(thread_blocks[next][i]);
	}
	thread_ok[cpu] = ok;
	return NULL;
}

/* MAX_HARTS threads, one per cpu (the main thread, cpu 0, waits meanwhile),
 * kfree each other's blocks; then each cpu's magazines are emptied
 * (kmem_cache_shrink_all as that cpu) and every page must be back. */
static bool threads_trade(void)
{
	unsigned long before = node_free_pages_count(mem_node), after;
	long held = (long)kmalloc_held_pages();
	pthread_t threads[MAX_HARTS];
	bool ok = !pthread_barrier_init(&all_allocated, NULL, MAX_HARTS);

	for (unsigned int cpu = 0; ok && cpu < MAX_HARTS; cpu++)
		ok = !pthread_create(&threads[cpu], NULL, hart_thread, (void *)(uintptr_t)cpu);
	for (unsigned int cpu = 0; ok && cpu < MAX_HARTS; cpu++)
		ok = !pthread_join(threads[cpu], NULL) && thread_ok[cpu];
	for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++) {
		host_set_cpu(cpu);
		kmem_cache_shrink_all();
	}
	host_set_cpu(0);
	after = node_free_pages_count(mem_node);
	held = (long)kmalloc_held_pages() - held;
	ok = ok && (long)(before - after) == held && node_check(mem_node) == 0;
	printf("host-embed: %d threads, one per cpu, kfree each other's blocks: %s; %lu pages free before, "
	       "%lu after, %ld more held by slab and kmalloc\n",
	       MAX_HARTS, ok ? "ok" : "FAILED", before, after, held);
	return ok;
}

int main(int argc, char **argv)
{
	static const struct mm_image no_image; /* the program is not in that RAM */
	static struct memblock mb;
	void *ram = aligned_alloc(PAGE_SIZE, RAM_SIZE);
	bool ok;

	if (!ram)
		return 1;
	if (argc > 1)
		cmdline_parse_boot(argv[1]);
	va_pa_offset = (uintptr_t)ram - RAM_PHYS; /* phys_to_virt(RAM_PHYS) == ram */
	memblock_init(&mb);
	if (memblock_add(&mb, RAM_PHYS, RAM_SIZE))
		return 1;
	mm_init(&mb, &no_image);
	ok = round_trip(1);
	ok = round_trip(2) && ok;
	ok = threads_trade() && ok;
	printf("host-embed: %s\n", ok ? "passed" : "FAILED");
	return ok ? 0 : 1;
}
