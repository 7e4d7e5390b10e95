/*
 * power.c - power off and reboot.
 *
 * The QEMU virt finisher ("sifive,test0", found in the device tree) takes a
 * 32-bit store: 0x5555 exits QEMU with status 0, (code << 16) | 0x3333 exits
 * with code, 0x7777 resets. Without it, SBI SRST: shutdown, and where the
 * platform cannot (sifive_u) a cold reboot, which QEMU -no-reboot turns into
 * an exit. A run without a finisher cannot report failure through the exit
 * status, so every test runner also reads the console.
 *
 * QEMU spike has no finisher but HTIF ("ucb,htif0"; its reg: fromhost,
 * then tohost 8 bytes above): a 64-bit store of (code << 1) | 1 to tohost
 * (device 0, command 0) exits QEMU with code. It is used before SBI SRST,
 * which OpenSBI 1.1 on spike does not return from (the hart hung).
 */
#include <drivers/fdt.h>
#include <drivers/power.h>
#include <lib/parse.h>
#include <lib/riscv.h>
#include <boot/sbi.h>
#include <shell/shell.h>

#define FINISHER_PASS 0x5555u
#define FINISHER_FAIL 0x3333u
#define FINISHER_RESET 0x7777u

static volatile u32 *finisher;
static volatile u64 *htif_tohost;

/* The first register of the first node compatible with @compat, 0 if none. */
static u64 device_base(const struct fdt *f, const char *compat)
{
	int node = fdt_find_compatible(f, -1, compat);
	u64 addr, size;

	return node >= 0 && fdt_reg(f, node, 0, &addr, &size) == 0 ? addr : 0;
}

void power_init(const struct fdt *f)
{
	u64 htif = device_base(f, "ucb,htif0");

	finisher = (volatile u32 *)(uintptr_t)device_base(f, "sifive,test0");
	htif_tohost = htif ? (volatile u64 *)(uintptr_t)(htif + 8) : NULL;
}

unsigned long power_finisher_base(void)
{
	return (unsigned long)(uintptr_t)finisher;
}

unsigned long power_htif_base(void)
{
	return (unsigned long)(uintptr_t)htif_tohost;
}

void power_forget_finisher(const char *why)
{
	if (!finisher)
		return;
	kprintf("power: the finisher at %p is not used: %s\n", (void *)finisher, why);
	finisher = NULL;
}

void power_forget_htif(const char *why)
{
	if (!htif_tohost)
		return;
	kprintf("power: HTIF at %p is not used: %s\n", (void *)htif_tohost, why);
	htif_tohost = NULL;
}

static void __noreturn halt(void)
{
	kprintf("power: no way to power off; halted\n");
	irq_save();
	csr_write(sie, 0);
	for (;;)
		wfi();
}

void poweroff(int code)
{
	if (finisher)
		*finisher = code == 0 ? FINISHER_PASS : ((u32)(code & 0xffff) << 16) | FINISHER_FAIL;
	if (htif_tohost) {
		kprintf("power: off through HTIF\n");
		*htif_tohost = ((u64)(code & 0xff) << 1) | 1;
	}
	/* The last line a board shows: what follows is the firmware's
	 * (the HiFive Unmatched's gpio-poweroff cuts the power; QEMU, which
	 * does not model it, leaves the hart parked in OpenSBI). SRST
	 * cannot carry the exit code, so the line does (scripts/run-qemu.sh
	 * exits with it where QEMU's own status is 0). */
	kprintf("power: off through SBI system reset (exit code %d)\n", code);
	sbi_system_reset(SBI_SRST_SHUTDOWN,
			 code ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE);
	sbi_system_reset(SBI_SRST_COLD_REBOOT,
			 code ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE);
	halt();
}

void reboot(void)
{
	if (finisher)
		*finisher = FINISHER_RESET;
	sbi_system_reset(SBI_SRST_COLD_REBOOT, SBI_SRST_REASON_NONE);
	halt();
}

/* The code is a number as the shell's others are (lib/parse.c: decimal or
 * 0x hex), 0 to 255; it had a decimal-only loop of its own. */
static int cmd_poweroff(int argc, char **argv)
{
	u64 code = 0;

	if (argc > 2) {
		kprintf("poweroff: one argument at most: the exit code 0..255\n");
		return -EINVAL;
	}
	if (argc == 2 && (parse_u64(argv[1], &code) || code > 255)) {
		kprintf("poweroff: exit code '%s' is not a number from 0 to 255\n", argv[1]);
		return -EINVAL;
	}
	kprintf("power: off (exit code %d)\n", (int)code);
	poweroff((int)code);
}
SHELL_CMD("poweroff", cmd_poweroff, "[code]", "power off; QEMU exits with code (default 0)");

static int cmd_reboot(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	kprintf("power: rebooting\n");
	reboot();
}
SHELL_CMD("reboot", cmd_reboot, "", "reset the machine");
