/*
 * kmain.c - the boot hart's path from entry.S to the shell, one call per
 * subsystem. docs/boot.md tells the whole story.
 */
#include <boot/boot.h>
#include <lib/cmdline.h>
#include <drivers/console.h>
#include <mm/fault_inject.h>
#include <mm/kfence.h>
#include <boot/hart.h>
#include <boot/ktime.h>
#include <mm/memblock.h>
#include <mm/mm_init.h>
#include <mm/page_owner.h>
#include <boot/paging.h>
#include <drivers/power.h>
#include <lib/random.h>
#include <lib/riscv.h>
#include <shell/shell.h>
#include <boot/sbi.h>
#include <boot/trap.h>

struct dt_info boot_dt;

void kmain(unsigned long hartid, unsigned long dtb_phys);

/* No device tree at a1 most often means the loader did not enter rvmm as it
 * enters Linux (a0 = hartid, a1 = device tree): U-Boot's go and bootelf call
 * the entry as a program, with a0 = argc and a1 = argv. */
#define NOT_ENTERED_AS_LINUX                                                        \
	"rvmm must be entered with a0 = hartid and a1 = the device tree, as OpenSBI " \
	"and U-Boot's booti enter it; U-Boot's go and bootelf pass argc and argv "   \
	"instead (the hart number printed is then argc)"

/*
 * Validate the device tree the firmware handed over and find the finisher
 * in it first, so that a tree whose contents are unusable still stops the
 * boot with a failure exit code; then read RAM, reserved ranges, /chosen
 * and /cpus. A bad tree stops the boot with a message naming the problem.
 */
static void devicetree_init(unsigned long dtb_phys)
{
	const void *blob = (const void *)dtb_phys;
	long size = fdt_header_totalsize(blob);
	struct fdt f;
	int rc = size < 0 ? (int)size : fdt_open(&f, blob, (size_t)size);

	if (rc == 0) {
		power_init(&f);
		rc = dt_parse(&boot_dt, blob, (size_t)size, dtb_phys);
	}
	if (rc == -FDT_ERR_BADMAGIC)
		dt_panic_unusable(dtb_phys, rc, NOT_ENTERED_AS_LINUX);
	if (rc)
		dt_panic_unusable(dtb_phys, rc, boot_dt.error);
}

/* RAM cut to mem= when it is given; the kernel image is reserved, and the
 * null page when RAM starts at 0; so are the DT's own ranges (dt_parse).
 * Then the dynamic /reserved-memory nodes get their ranges, around all of
 * those (drivers/dt_memblock.c). */
static void memory_map_init(void)
{
	dt_apply_mem_limit(&boot_dt, (u64)(uintptr_t)_start, (u64)(uintptr_t)_end);
	dt_reserve_kernel(&boot_dt, (u64)(uintptr_t)_start, (u64)(_end - _start));
	dt_reserve_null_page(&boot_dt);
	dt_place_dynamic(&boot_dt);
	dt_print_memmap(&boot_dt);
}

static void cmdline_init(const char *bootargs)
{
	kprintf("Kernel command line: %s\n", bootargs);
	cmdline_parse_boot(bootargs);
}

/* The kernel's random numbers, before anything takes one (slab caches'
 * free-pointer secrets): the firmware's seed when the device tree has one,
 * plus the time and instruction counters. */
static void random_init(const struct dt_info *dt)
{
	random_seed(dt->rng_seed, dt->rng_seed_len, read_time() * 0x9e3779b97f4a7c15ull ^ read_instret());
	if (dt->rng_seed_len)
		kprintf("random: seeded from /chosen/%s (%u bytes) and the counters\n", dt->rng_seed_name,
			dt->rng_seed_len);
	else
		kprintf("random: no /chosen/rng-seed: seeded from the counters only (predictable)\n");
}

/* The device tree's map into memblock (drivers/dt_memblock.c), then the
 * memory manager over it and the image's sections. */
static void mm_init_from_dt(void)
{
	static const struct mm_image image = {
		.start = (uintptr_t)_start, .text_end = (uintptr_t)_etext,
		.rodata_start = (uintptr_t)_srodata, .rodata_end = (uintptr_t)_erodata,
		.data_start = (uintptr_t)_sdata, .end = (uintptr_t)_end,
	};

	memblock_from_dt(&memblock, &boot_dt, image.start, image.end);
	mm_init(&memblock, &image);
}

static void print_banner(void)
{
	kprintf("\nrvmm ready on %u hart%s, console %s.\n"
		"Type 'help' for commands; leave QEMU with Ctrl-A X.\n",
		nr_harts, nr_harts == 1 ? "" : "s", console_name());
}

static void read_mhartid(void *out)
{
	*(unsigned long *)out = csr_read(mhartid);
}

/* mhartid reads in M-mode; in S-mode the read traps (illegal instruction). */
static bool in_machine_mode(void)
{
	struct trap_expect e;
	unsigned long id;

	return !trap_catch(read_mhartid, &id, &e);
}

/*
 * Entered in M-mode (U-Boot's qemu-riscv64 build, which runs without
 * OpenSBI, boots the Image so) rvmm has no SBI: its first call would trap
 * to the firmware. Turn SBI off, find the console UART and the finisher in
 * the device tree and stop with a panic that says what is missing: QEMU
 * virt's finisher then exits with EXIT_PANIC, elsewhere the hart halts.
 */
static void __noreturn machine_mode_stop(unsigned long dtb_phys)
{
	sbi_mark_absent();
	devicetree_init(dtb_phys);
	console_init(&boot_dt);
	panic("rvmm was entered in M-mode: it runs in S-mode above SBI firmware (OpenSBI), "
	      "which this boot has not got; boot U-Boot's S-mode build (qemu-riscv64_smode) "
	      "with -bios default, or on a board U-Boot SPL with OpenSBI's fw_dynamic");
}

void kmain(unsigned long hartid, unsigned long dtb_phys)
{
	hart_boot_init(hartid);          /* per-hart data for this hart (cpu 0) */
	kprintf_set_sink(console_kprintf_sink); /* kprintf writes to the console */
	trap_init();                     /* trap vector and wfi wake-up sources */
	if (in_machine_mode())
		machine_mode_stop(dtb_phys); /* no SBI below: say so, stop */
	kprintf("\nrvmm: booting on hart %lu, device tree at 0x%lx\n", hartid, dtb_phys);
	devicetree_init(dtb_phys);       /* finisher; RAM, reserved ranges, chosen, cpus */
	dt_check_boot_hart(&boot_dt, hartid); /* its cpu node must not say "no MMU" */
	console_init(&boot_dt);          /* from SBI putchar to the stdout-path UART */
	time_init(&boot_dt);             /* timebase for timeouts and sleeping */
	ram_probe(&boot_dt);             /* RAM the tree describes but the machine lacks */
	cmdline_init(boot_dt.bootargs);  /* key=value boot parameters */
	console_apply_param(&boot_dt);   /* console=: another UART, or SBI's */
	random_init(&boot_dt);           /* seed: /chosen/rng-seed, counters */
	memory_map_init();               /* reserve the kernel, place dynamic ranges, print the map */
	mm_init_from_dt();               /* memblock, struct pages, zones, buddy */
	page_owner_boot_start();         /* page_owner=on: records from here on */
	paging_init(&memblock);          /* Sv39: direct map, kernel protections */
	dt_declare_cma(&boot_dt);        /* CMA pools (the tree's, cma=) as contiguous memory areas */
	harts_start(&boot_dt);           /* every other usable hart, idle in wfi */
	kfence_boot_start();             /* kfence.sample_interval=: its pool, then sampling */
	fault_inject_boot_start();       /* fail_page_alloc=, failslab= from now on (boot allocates no more) */
	console_quiet_end(false);        /* quiet: the console again, saying what the log kept */
	print_banner();
	shell_boot_script();             /* run=cmd1;cmd2 */
	selftest_boot();                 /* ktest=...: run and power off */
	shell_loop();                    /* the interactive console */
}
