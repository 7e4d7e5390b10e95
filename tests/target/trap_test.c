/*
 * trap_test.c - the trap path: exceptions reach trap_handler with the right
 * cause, sepc and stval, and are named correctly. Each case provokes one
 * trap with trap_catch(), which resumes after the faulting instruction.
 */
#include <boot/boot.h>
#include <boot/hart.h>
#include <lib/kstring.h>
#include <boot/ksyms.h>
#include <tests/ktest.h>
#include <lib/riscv.h>
#include <boot/trap.h>

static unsigned long fault_pc;

static void do_ebreak(void *arg)
{
	(void)arg;
	__asm__ volatile("1: ebreak\n"
			 "la %0, 1b\n"
			 : "=r"(fault_pc)::"memory");
}

static void do_illegal(void *arg)
{
	(void)arg;
	/* The 32-bit "unimp" (csrrw x0, cycle, x0: a write to a read-only
	 * CSR), so resuming also checks the handler's length decoding. */
	__asm__ volatile(".option push\n.option norvc\n"
			 "1: .word 0xc0001073\n"
			 "la %0, 1b\n"
			 ".option pop\n"
			 : "=r"(fault_pc)::"memory");
}

static void do_compressed_illegal(void *arg)
{
	(void)arg;
	/* c.unimp: the all-zero 16-bit instruction. */
	__asm__ volatile("1: .hword 0\n"
			 "la %0, 1b\n"
			 : "=r"(fault_pc)::"memory");
}

static void do_load(void *arg)
{
	unsigned long v;

	__asm__ volatile("1: ld %1, 0(%2)\n"
			 "la %0, 1b\n"
			 : "=r"(fault_pc), "=r"(v)
			 : "r"(arg)
			 : "memory");
}

static void breakpoint_is_caught(struct ktest *t)
{
	struct trap_expect e;

	ASSERT(trap_catch(do_ebreak, NULL, &e));
	EXPECT_EQ(e.scause, EXC_BREAKPOINT);
	EXPECT_EQ(e.sepc, fault_pc);
}

static void illegal_instruction_is_caught(struct ktest *t)
{
	struct trap_expect e;

	ASSERT(trap_catch(do_illegal, NULL, &e));
	EXPECT_EQ(e.scause, EXC_ILLEGAL_INST);
	EXPECT_EQ(e.sepc, fault_pc);
}

static void compressed_illegal_instruction_is_caught(struct ktest *t)
{
	struct trap_expect e;

	ASSERT(trap_catch(do_compressed_illegal, NULL, &e));
	EXPECT_EQ(e.scause, EXC_ILLEGAL_INST);
	EXPECT_EQ(e.sepc, fault_pc);
}

/* OpenSBI keeps its own memory (the mmode_resv0 reserved-memory node) out
 * of S-mode's reach with PMP: a load from it must fault, which also shows
 * that the reserved range rvmm reports is really unusable. */
static void firmware_memory_faults(struct ktest *t)
{
	struct trap_expect e;
	const struct dt_reserved *fw = NULL;

	for (int i = 0; i < boot_dt.nr_reserved; i++)
		if (strncmp(boot_dt.reserved[i].reason, "mmode_resv", 10) == 0)
			fw = &boot_dt.reserved[i];
	ASSERT(fw != NULL);
	ASSERT(trap_catch(do_load, (void *)(uintptr_t)fw->base, &e));
	/* Mapped (no no-map): PMP refuses the access; no-map (sifive_u): the
	 * direct map leaves it out, so the walk fails first. */
	EXPECT_EQ(e.scause, fw->nomap ? EXC_LOAD_PAGE_FAULT : EXC_LOAD_ACCESS);
	EXPECT_EQ(e.stval, fw->base);
	EXPECT_EQ(e.sepc, fault_pc);
}

static void no_trap_reports_no_trap(struct ktest *t)
{
	struct trap_expect e;
	unsigned long word = 42;

	EXPECT(!trap_catch(do_load, &word, &e));
	EXPECT(!this_hart()->trap_expect.armed);
}

static void cause_names(struct ktest *t)
{
	EXPECT_STREQ(trap_cause_name(EXC_LOAD_ACCESS), "load access fault");
	EXPECT_STREQ(trap_cause_name(EXC_STORE_PAGE_FAULT), "store/AMO page fault");
	EXPECT_STREQ(trap_cause_name(SCAUSE_INTERRUPT | IRQ_S_TIMER), "supervisor timer interrupt");
	EXPECT_STREQ(trap_cause_name(11), "unknown");
	EXPECT_STREQ(trap_cause_name(SCAUSE_INTERRUPT | 3), "unknown");
	EXPECT_STREQ(trap_cause_name(1000), "unknown");
}

void kmain(unsigned long hartid, unsigned long dtb_phys);

static void symbols_name_functions(struct ktest *t)
{
	unsigned long off = ~0ul;
	extern char _etext[];

	EXPECT_STREQ(ksym_lookup((unsigned long)kmain, &off), "kmain");
	EXPECT_EQ(off, 0);
	EXPECT_STREQ(ksym_lookup((unsigned long)trap_cause_name + 6, &off), "trap_cause_name");
	EXPECT_EQ(off, 6);
	EXPECT(ksym_lookup((unsigned long)_etext, &off) == NULL);
	EXPECT(ksym_lookup(0x1000, &off) == NULL);
}

KTEST_SUITE(trap, KTEST_CASE(breakpoint_is_caught), KTEST_CASE(illegal_instruction_is_caught),
	    KTEST_CASE(compressed_illegal_instruction_is_caught),
	    KTEST_CASE(firmware_memory_faults), KTEST_CASE(no_trap_reports_no_trap),
	    KTEST_CASE(cause_names), KTEST_CASE(symbols_name_functions));
