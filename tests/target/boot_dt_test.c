/*
 * boot_dt_test.c - the memory map rvmm built at boot from the live device
 * tree: RAM is sorted and disjoint, the kernel image, the device tree and
 * the firmware are reserved, and the console uses the stdout-path UART.
 */
#include <boot/boot.h>
#include <drivers/console.h>
#include <lib/kstring.h>
#include <tests/ktest.h>
#include <mm/mm.h>

static const struct dt_reserved *find_reserved(const char *reason)
{
	for (int i = 0; i < boot_dt.nr_reserved; i++)
		if (strcmp(boot_dt.reserved[i].reason, reason) == 0)
			return &boot_dt.reserved[i];
	return NULL;
}

static bool in_ram(u64 base, u64 size)
{
	for (int i = 0; i < boot_dt.nr_ram; i++)
		if (base >= boot_dt.ram[i].base &&
		    base + size <= boot_dt.ram[i].base + boot_dt.ram[i].size)
			return true;
	return false;
}

static void ram_sorted_and_disjoint(struct ktest *t)
{
	ASSERT(boot_dt.nr_ram > 0);
	for (int i = 0; i < boot_dt.nr_ram; i++) {
		EXPECT(boot_dt.ram[i].size > 0);
		if (i)
			EXPECT(boot_dt.ram[i - 1].base + boot_dt.ram[i - 1].size <
			       boot_dt.ram[i].base);
	}
}

static void kernel_image_reserved(struct ktest *t)
{
	const struct dt_reserved *r = find_reserved("kernel");

	ASSERT(r != NULL);
	EXPECT_EQ(r->base, (uintptr_t)_start);
	EXPECT_EQ(r->base + r->size, (uintptr_t)_end);
	EXPECT(in_ram(r->base, r->size));
	EXPECT(!r->nomap);
}

static void dtb_reserved(struct ktest *t)
{
	const struct dt_reserved *r = find_reserved("dtb");

	ASSERT(r != NULL);
	EXPECT_EQ(r->base, boot_dt.dtb_phys);
	EXPECT_EQ(r->size, boot_dt.fdt.totalsize);
	/* Firmware may put the blob outside the RAM the tree describes (QEMU
	 * with -m above the tree's memory node; U-Boot anywhere): then no page
	 * of it is RAM rvmm manages. Whatever part lies in RAM is reserved. */
	if (!in_ram(r->base, r->size))
		kprintf("# %s.%s: the device tree lies (partly) outside RAM\n", t->suite, t->name);
	for (u64 pa = r->base & ~(u64)(PAGE_SIZE - 1); pa < r->base + r->size; pa += PAGE_SIZE) {
		if (!in_ram(pa, PAGE_SIZE))
			continue;
		ASSERT(pfn_valid(pa >> PAGE_SHIFT));
		EXPECT(PageReserved(pfn_to_page(pa >> PAGE_SHIFT)));
	}
}

static void reserved_sorted(struct ktest *t)
{
	for (int i = 1; i < boot_dt.nr_reserved; i++)
		EXPECT(boot_dt.reserved[i - 1].base <= boot_dt.reserved[i].base);
}

static void live_blob_parses_the_same_again(struct ktest *t)
{
	static struct dt_info again;

	ASSERT_EQ(dt_parse(&again, boot_dt.fdt.blob, boot_dt.fdt.totalsize, boot_dt.dtb_phys), 0);
	/* Same ranges, except where the boot found RAM missing (ram_probe) or
	 * was told to use less (mem=): there boot_dt keeps a prefix and
	 * ram_cut and ram_left_out count the rest. */
	u64 cut = boot_dt.ram_cut + boot_dt.ram_left_out;

	EXPECT_EQ(dt_ram_total(&again) - dt_ram_total(&boot_dt), cut);
	if (boot_dt.ram_cut)
		kprintf("# %s.%s: the tree describes %llu MiB that did not answer\n", t->suite,
			t->name, (unsigned long long)(boot_dt.ram_cut >> 20));
	if (boot_dt.ram_left_out)
		kprintf("# %s.%s: mem= left out %llu MiB of RAM\n", t->suite, t->name,
			(unsigned long long)(boot_dt.ram_left_out >> 20));
	ASSERT(boot_dt.nr_ram <= again.nr_ram);
	for (int i = 0; i < boot_dt.nr_ram; i++) {
		EXPECT_EQ(again.ram[i].base, boot_dt.ram[i].base);
		if (cut)
			EXPECT(again.ram[i].size >= boot_dt.ram[i].size);
		else
			EXPECT_EQ(again.ram[i].size, boot_dt.ram[i].size);
	}
	/* With mem=, RAM is exactly the limit. */
	if (boot_dt.ram_left_out)
		EXPECT_EQ(dt_ram_total(&boot_dt), dt_mem_limit);
	/* boot_dt also holds "kernel", added after parsing, the range of
	 * each dynamic /reserved-memory node placed (dt_place_dynamic), and
	 * cma='s. */
	int placed = 0, cmdline = 0;

	for (int i = 0; i < boot_dt.nr_reserved; i++) {
		cmdline += boot_dt.reserved[i].from_cmdline;
		placed += boot_dt.reserved[i].dynamic && !boot_dt.reserved[i].from_cmdline;
	}
	EXPECT(placed <= again.nr_dynamic);
	EXPECT(cmdline <= (dt_cma_size ? 1 : 0));
	EXPECT_EQ(again.nr_reserved + 1 + placed + cmdline, boot_dt.nr_reserved);
	EXPECT_EQ(again.nr_cpus, boot_dt.nr_cpus);
	EXPECT_STREQ(again.stdout_path, boot_dt.stdout_path);
}

static void corrupted_copy_is_rejected(struct ktest *t)
{
	static u8 copy[64 * 1024];
	static struct dt_info info;
	u32 size = boot_dt.fdt.totalsize;

	ASSERT(size <= sizeof(copy));
	memcpy(copy, boot_dt.fdt.blob, size);
	copy[0] ^= 0xff; /* magic */
	EXPECT_EQ(dt_parse(&info, copy, size, 0), -FDT_ERR_BADMAGIC);
	copy[0] ^= 0xff;
	EXPECT_EQ(dt_parse(&info, copy, size - 1, 0), -FDT_ERR_TRUNCATED);
	EXPECT_EQ(dt_parse(&info, copy, size, 0), 0);
}

/* stdout-path names the UART by path ("/soc/serial@10000000") or by an
 * /aliases entry ("serial0", as Linux's HiFive trees do): either way the
 * console is the node it resolves to. When the tree has no UART rvmm
 * drives (QEMU spike: stdout-path "/htif"), the console is SBI's. A
 * console= the machine has moved it: then it is the one console= names. */
static void console_is_the_stdout_uart(struct ktest *t)
{
	static char said[512];
	struct console_choice choice;
	const char *name;
	int node;

	if (console_param()[0] && console_select_named(&boot_dt, console_param(), &choice) == 0) {
		EXPECT_STREQ(console_name(), choice.driver ? choice.con.name : "sbi");
		return;
	}
	ASSERT(boot_dt.stdout_path[0] != '\0');
	console_capture_begin(said, sizeof(said)); /* (its warnings were shown at boot) */
	console_select(&boot_dt, &choice);
	console_capture_end();
	if (!choice.driver) {
		EXPECT_STREQ(console_name(), "sbi");
		return;
	}
	node = fdt_path_offset(&boot_dt.fdt, boot_dt.stdout_path, strlen(boot_dt.stdout_path));
	ASSERT(node >= 0);
	name = fdt_node_name(&boot_dt.fdt, node, NULL);
	ASSERT(name != NULL);
	EXPECT_STREQ(console_name(), name);
	EXPECT(strcmp(console_name(), "sbi") != 0);
}

/* A console= that moved the console from the firmware's UART to another of
 * the same kind with a rate to take (a SiFive UART: one clock) wrote that
 * one's divisor from the firmware's, scaled from CONSOLE_FIRMWARE_BAUD to
 * console='s baud: both registers read back. Nothing to check without such
 * a move. */
static void moved_console_takes_the_rate(struct ktest *t)
{
	static char said[512];
	struct console_choice first, now;
	u32 baud, d0, d1;
	u64 want;

	if (!console_param()[0] || console_select_named(&boot_dt, console_param(), &now) ||
	    !now.driver || !now.driver->take_rate)
		return;
	console_capture_begin(said, sizeof(said));
	console_select(&boot_dt, &first);
	console_capture_end();
	if (first.driver != now.driver || first.con.base == now.con.base)
		return;
	baud = console_param_baud(console_param());
	if (!baud)
		baud = CONSOLE_FIRMWARE_BAUD;
	d0 = *(volatile u32 *)(first.con.base + UART_SIFIVE_DIV);
	d1 = *(volatile u32 *)(now.con.base + UART_SIFIVE_DIV);
	want = ((d0 + 1ull) * CONSOLE_FIRMWARE_BAUD + baud / 2) / baud;
	EXPECT_EQ(d1, want ? want - 1 : 0);
	kprintf("# boot_dt.moved_console_takes_the_rate: divisor %u at %u baud, the firmware's %u\n",
		d1, baud, d0);
}

KTEST_SUITE(boot_dt, KTEST_CASE(ram_sorted_and_disjoint), KTEST_CASE(kernel_image_reserved),
	    KTEST_CASE(dtb_reserved), KTEST_CASE(reserved_sorted),
	    KTEST_CASE(live_blob_parses_the_same_again), KTEST_CASE(corrupted_copy_is_rejected),
	    KTEST_CASE(console_is_the_stdout_uart), KTEST_CASE(moved_console_takes_the_rate));
