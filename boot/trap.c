/*
 * trap.c - what happens when a trap reaches trap_entry.
 *
 * rvmm keeps sstatus.SIE clear and only uses interrupts to wake harts from
 * wfi, so no trap is expected in normal operation. An interrupt that does
 * arrive is acknowledged and ignored. An exception is either one a self-test
 * armed with trap_catch() (recorded, then skipped) or a kernel bug: the report
 * names the cause and prints sepc, stval, every register and a backtrace,
 * then powers off with EXIT_TRAP.
 */
#include <boot/hart.h>
#include <boot/ksyms.h>
#include <drivers/power.h>
#include <lib/riscv.h>
#include <boot/sbi.h>
#include <shell/shell.h>
#include <boot/trap.h>
#include <mm/kfence.h>
#include <mm/vmalloc.h>

void trap_handler(struct trap_frame *f);

static const char *const exception_names[] = {
	[EXC_INST_MISALIGNED] = "instruction address misaligned",
	[EXC_INST_ACCESS] = "instruction access fault",
	[EXC_ILLEGAL_INST] = "illegal instruction",
	[EXC_BREAKPOINT] = "breakpoint",
	[EXC_LOAD_MISALIGNED] = "load address misaligned",
	[EXC_LOAD_ACCESS] = "load access fault",
	[EXC_STORE_MISALIGNED] = "store/AMO address misaligned",
	[EXC_STORE_ACCESS] = "store/AMO access fault",
	[EXC_ECALL_U] = "environment call from U-mode",
	[EXC_ECALL_S] = "environment call from S-mode",
	[EXC_INST_PAGE_FAULT] = "instruction page fault",
	[EXC_LOAD_PAGE_FAULT] = "load page fault",
	[EXC_STORE_PAGE_FAULT] = "store/AMO page fault",
};

static const char *const interrupt_names[] = {
	[IRQ_S_SOFT] = "supervisor software interrupt",
	[IRQ_S_TIMER] = "supervisor timer interrupt",
	[IRQ_S_EXT] = "supervisor external interrupt",
};

static const char *const reg_names[32] = {
	"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
	"a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
	"s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

const char *trap_cause_name(unsigned long scause)
{
	unsigned long code = scause & ~SCAUSE_INTERRUPT;
	const char *name = NULL;

	if (scause & SCAUSE_INTERRUPT) {
		if (code < ARRAY_SIZE(interrupt_names))
			name = interrupt_names[code];
	} else if (code < ARRAY_SIZE(exception_names)) {
		name = exception_names[code];
	}
	return name ? name : "unknown";
}

void trap_init(void)
{
	extern char trap_entry[];

	csr_write(stvec, (unsigned long)trap_entry);
	/* Wake-up sources for wfi; sstatus.SIE stays clear (no trap taken). */
	csr_write(sie, SIE_SSIE | SIE_STIE);
}

static void handle_interrupt(unsigned long code)
{
	if (code == IRQ_S_SOFT)
		csr_clear(sip, SIP_SSIP);
	else if (code == IRQ_S_TIMER)
		sbi_set_timer(~0ull);
}

/* Length of the instruction at pc: 2 if compressed, else 4. */
static unsigned long insn_length(unsigned long pc)
{
	return (*(const u16 *)pc & 3) == 3 ? 4 : 2;
}

static bool stack_holds(unsigned long lo, unsigned long hi, unsigned long addr)
{
	return addr > lo && addr <= hi && IS_ALIGNED(addr, 8);
}

/* A return address is looked up one byte back: after a call to a noreturn
 * function it may already point at the next function. */
static void print_frame(unsigned long pc, bool return_address)
{
	unsigned long off;
	const char *name = ksym_lookup(pc - return_address, &off);

	if (name)
		kprintf("  [<%016lx>] %s+0x%lx\n", pc, name, off + return_address);
	else
		kprintf("  [<%016lx>] ?\n", pc);
}

/*
 * GCC's frame layout with -fno-omit-frame-pointer: fp points just above the
 * saved ra (fp-8) and the caller's fp (fp-16). A leaf function saves no ra,
 * so its caller's fp sits at fp-8: recognised because it points into the
 * stack, and its return address is still in the ra register.
 */
void print_backtrace(unsigned long pc, unsigned long fp, unsigned long ra)
{
	unsigned long lo, hi;
	int depth;

	hart_stack_bounds(this_cpu(), &lo, &hi);
	kprintf("backtrace:\n");
	print_frame(pc, false);
	for (depth = 0; depth < 32 && stack_holds(lo, hi, fp); depth++) {
		unsigned long slot1 = ((unsigned long *)fp)[-1];
		unsigned long slot2 = ((unsigned long *)fp)[-2];

		if (depth == 0 && ra && stack_holds(lo, hi, slot1)) {
			pc = ra; /* leaf: slot1 is the caller's fp */
			fp = slot1;
		} else {
			pc = slot1;
			fp = slot2;
		}
		if (!pc)
			break;
		print_frame(pc, true);
	}
}

/* The frame walk of print_backtrace, from the caller of the caller of
 * port_save_stack (mm/port.h) up, into @pcs. */
unsigned int port_save_stack(unsigned long *pcs, unsigned int max)
{
	unsigned long lo, hi, fp = (unsigned long)__builtin_frame_address(0);
	unsigned int n = 0;

	hart_stack_bounds(this_cpu(), &lo, &hi);
	while (n < max && stack_holds(lo, hi, fp)) {
		unsigned long pc = ((unsigned long *)fp)[-1];

		fp = ((unsigned long *)fp)[-2];
		if (!pc)
			break;
		pcs[n++] = pc;
	}
	return n;
}

static void report_trap(const struct trap_frame *f)
{
	struct hart *h = this_hart();

	kprintf("\n*** unexpected trap on hart %lu (cpu %u): %s (scause 0x%lx)\n",
		h->hartid, h->cpu, trap_cause_name(f->scause), f->scause);
	kprintf("sepc   0x%016lx  stval  0x%016lx  sstatus 0x%016lx\n", f->sepc, f->stval,
		f->sstatus);
	for (int i = 1; i < 32; i++)
		kprintf("%-4s 0x%016lx%s", reg_names[i], f->regs[i], i % 4 == 3 ? "\n" : "  ");
	kprintf("\n");
	print_backtrace(f->sepc, f->regs[8], f->regs[1]);
}

void trap_handler(struct trap_frame *f)
{
	struct trap_expect *e = &this_hart()->trap_expect;

	if (f->scause & SCAUSE_INTERRUPT) {
		handle_interrupt(f->scause & ~SCAUSE_INTERRUPT);
		return;
	}
	/* A KFENCE pool address: reported, mapped, retried (mm/kfence.c). A
	 * vmalloc address: a stale translation is retried; an out-of-bounds
	 * access gets its report before the trap's. */
	if ((f->scause == EXC_LOAD_PAGE_FAULT || f->scause == EXC_STORE_PAGE_FAULT) &&
	    kfence_handle_fault(f->stval, f->scause == EXC_STORE_PAGE_FAULT, f->sepc))
		return;
	if ((f->scause == EXC_LOAD_PAGE_FAULT || f->scause == EXC_STORE_PAGE_FAULT ||
	     f->scause == EXC_INST_PAGE_FAULT) && vmalloc_fault(f->stval, f->scause))
		return;
	if (e->armed) {
		e->armed = false;
		e->hit = true;
		e->scause = f->scause;
		e->stval = f->stval;
		e->sepc = f->sepc;
		f->sepc += insn_length(f->sepc);
		return;
	}
	report_trap(f);
	poweroff(EXIT_TRAP);
}

bool trap_catch(void (*fn)(void *), void *arg, struct trap_expect *out)
{
	struct trap_expect *e = &this_hart()->trap_expect;

	e->hit = false;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	e->armed = true;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	fn(arg);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	e->armed = false;
	*out = *e;
	return out->hit;
}

static int cmd_crash(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	kprintf("crash: loading from address 0 on purpose\n");
	return (int)*(volatile unsigned long *)0;
}
SHELL_CMD("crash", cmd_crash, "", "fault on purpose to show the trap report (powers off)");
