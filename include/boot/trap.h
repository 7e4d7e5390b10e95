/*
 * trap.h - the trap frame and trap reporting.
 */
#ifndef RVMM_TRAP_H
#define RVMM_TRAP_H

#define TRAP_FRAME_SEPC 256
#define TRAP_FRAME_SSTATUS 264
#define TRAP_FRAME_SCAUSE 272
#define TRAP_FRAME_STVAL 280
#define TRAP_FRAME_SIZE 288

#ifndef __ASSEMBLY__
#include <lib/kernel.h>

/* Saved by trap_entry: regs[i] is xi (regs[0] is unused, regs[2] is the sp
 * before the trap). */
struct trap_frame {
	unsigned long regs[32];
	unsigned long sepc;
	unsigned long sstatus;
	unsigned long scause;
	unsigned long stval;
};

_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_SIZE, "trap frame layout");
_Static_assert(offsetof(struct trap_frame, sepc) == TRAP_FRAME_SEPC, "trap frame layout");

void trap_init(void);
/* "load access fault", "illegal instruction", ... or "unknown". */
const char *trap_cause_name(unsigned long scause);
/* Print frame-pointer backtrace starting at (pc, fp) on this hart's stack. */
void print_backtrace(unsigned long pc, unsigned long fp, unsigned long ra);

/*
 * Run fn(arg) expecting it to trap exactly once: the handler records the
 * trap in *out and resumes after the faulting instruction. Returns true if
 * a trap happened. For self-tests of the trap path.
 */
struct trap_expect;
bool trap_catch(void (*fn)(void *), void *arg, struct trap_expect *out);
#endif

#endif
