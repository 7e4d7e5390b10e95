/*
 * replay_cmd.c - the `replay` console command: replay the kmem trace the
 * boot loader handed over as the initrd (qemu -initrd trace.txt), then give
 * the initrd's pages to the page allocator. docs/replay.md.
 *
 *   replay        replay, release the initrd, print the summary last
 *   replay keep   replay and keep the initrd reserved (to replay it again)
 *
 * Ctrl-C ends the replay early: what the trace left allocated is freed and
 * the initrd stays reserved, as with keep.
 *
 * The initrd stays reserved (memblock and PG_reserved) until the replay
 * ends; then every page it covers, less a partial page something else also
 * holds, becomes free memory (release_reserved_range, mm/reserved.c). A
 * reserved range of exactly the initrd's bytes (U-Boot's mem-reserve entry
 * for it) goes with it; any other overlap keeps it all (dt_initrd_overlap).
 * An initrd outside the RAM rvmm manages (beyond mem=, or outside the
 * tree's RAM) has no pages to give: paging_init mapped it read-only where
 * it lies, and it stays there to be replayed again. One that cannot be read
 * (unmapped, or no memory answering a load) is refused before replay
 * touches it.
 */
#include <boot/boot.h>
#include <boot/hart.h>
#include <boot/paging.h>
#include <boot/trap.h>
#include <lib/kstring.h>
#include <boot/ktime.h>
#include <mm/memblock.h>
#include <mm/mmzone.h>
#include <bench/replay.h>
#include <shell/shell.h>

static bool initrd_released;

static void release_initrd(u64 start, u64 end)
{
	const struct dt_reserved *other = dt_initrd_overlap(&boot_dt);
	unsigned long pages;

	if (other) { /* a broken memory map: leave its pages alone */
		kprintf("replay: the initrd overlaps reserved range %s [mem 0x%016llx-0x%016llx]: its pages stay reserved\n",
			other->reason, (unsigned long long)other->base,
			(unsigned long long)(other->base + other->size - 1));
		return;
	}
	if (!node_pfn_valid(mem_node, PHYS_PFN(start))) { /* (it stays mapped: replay it again at will) */
		kprintf("replay: the initrd lies outside the RAM rvmm manages (mem=, or the tree's RAM): "
			"no pages to release\n");
		return;
	}
	pages = release_reserved_range(mem_node, &memblock, start, end);
	initrd_released = true;
	kprintf("replay: released %lu initrd pages (%lu kB) to the page allocator\n", pages,
		pages * (PAGE_SIZE / 1024));
}

static void load_byte(void *arg)
{
	(void)*(volatile const u8 *)arg;
}

/* Can the initrd [start, end) be read? Every page must be mapped (one
 * outside RAM is mapped by paging_init when it can be) and answer a load
 * (a tree may name an initrd where no memory is). */
static bool initrd_readable(u64 start, u64 end)
{
	struct trap_expect e;

	for (u64 va = ALIGN_DOWN(start, PAGE_SIZE); va < end; va += PAGE_SIZE) {
		u64 at = va < start ? start : va;

		if (pgtable_translate(&kernel_pgtable, va) == ~0ull ||
		    trap_catch(load_byte, phys_to_virt(at), &e))
			return false;
	}
	return true;
}

static int cmd_replay(int argc, char **argv)
{
	bool keep = argc == 2 && strcmp(argv[1], "keep") == 0;
	const struct replay_opts opts = { .stop = shell_interrupted };
	struct replay_result r;
	u64 start, end, t0;
	int rc;

	if (argc > 2 || (argc == 2 && !keep)) {
		kprintf("usage: replay [keep]\n");
		return -EINVAL;
	}
	if (!boot_dt.has_initrd || initrd_released) {
		kprintf("replay: %s; boot with the trace as the initrd: qemu ... -initrd trace.txt\n",
			initrd_released ? "the initrd was released after the last replay" : "no initrd");
		return -ENOENT;
	}
	start = boot_dt.initrd_start;
	end = boot_dt.initrd_end;
	kprintf("replay: trace in the initrd [mem 0x%016llx-0x%016llx], %llu bytes\n",
		(unsigned long long)start, (unsigned long long)end - 1,
		(unsigned long long)(end - start));
	if (!initrd_readable(start, end)) {
		kprintf("replay: the initrd cannot be read: it lies outside RAM where it could not be mapped, "
			"or no memory answers there (the boot log's paging: line says which)\n");
		return -EIO;
	}
	t0 = time_now_us();
	rc = replay_run(phys_to_virt(start), (size_t)(end - start), &opts, &r);
	if (rc)
		return rc;
	kprintf("replay: took %llu ms\n", (unsigned long long)(time_now_us() - t0) / 1000);
	if (r.interrupted)
		kprintf("replay: the initrd stays reserved, to be replayed again\n");
	else if (!keep)
		release_initrd(start, end);
	replay_print_summary(&r);
	return r.interrupted ? -EINTR : 0;
}
SHELL_CMD("replay", cmd_replay, "[keep]",
	  "replay the kmem trace in the initrd (ftrace text), then release the initrd");
