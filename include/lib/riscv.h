/*
 * riscv.h - CSR access and the bits of the privileged spec rvmm uses (S-mode).
 */
#ifndef RVMM_RISCV_H
#define RVMM_RISCV_H

#ifdef __cplusplus
extern "C" {
#endif

#define SSTATUS_SIE (1ul << 1)
#define SSTATUS_SPIE (1ul << 5)
#define SSTATUS_SPP (1ul << 8)

#define SIE_SSIE (1ul << 1) /* supervisor software interrupt (IPI) */
#define SIE_STIE (1ul << 5) /* supervisor timer interrupt */
#define SIE_SEIE (1ul << 9)
#define SIP_SSIP SIE_SSIE
#define SIP_STIP SIE_STIE

#define SCAUSE_INTERRUPT (1ul << 63)
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9

#define EXC_INST_MISALIGNED 0
#define EXC_INST_ACCESS 1
#define EXC_ILLEGAL_INST 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_ECALL_S 9
#define EXC_INST_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15

#ifndef __ASSEMBLY__
#define csr_read(csr)                                            \
	__extension__({                                          \
		unsigned long __v;                               \
		__asm__ volatile("csrr %0, " #csr : "=r"(__v)); \
		__v;                                             \
	})
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" ::"rK"(val) : "memory")
#define csr_set(csr, val) __asm__ volatile("csrs " #csr ", %0" ::"rK"(val) : "memory")
#define csr_clear(csr, val) __asm__ volatile("csrc " #csr ", %0" ::"rK"(val) : "memory")
#define csr_read_clear(csr, val)                                                  \
	__extension__({                                                           \
		unsigned long __v;                                                \
		__asm__ volatile("csrrc %0, " #csr ", %1" : "=r"(__v) : "rK"(val) : "memory"); \
		__v;                                                              \
	})

static inline unsigned long read_time(void)
{
	return csr_read(time);
}

static inline unsigned long read_instret(void)
{
	return csr_read(instret);
}

static inline void wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

#ifndef HOST /* (the host port has its own: mm/port.h) */
/* Mask interrupts on this hart; returns the previous state for irq_restore. */
static inline unsigned long irq_save(void)
{
	return csr_read_clear(sstatus, SSTATUS_SIE) & SSTATUS_SIE;
}

/* flags is 0 or SSTATUS_SIE: setting it unconditionally costs one instruction. */
static inline void irq_restore(unsigned long flags)
{
	csr_set(sstatus, flags);
}

/*
 * The same for a few instructions that cannot trap (the magazine push and
 * pop: loads and stores of kernel data, no call): the saved value is all of
 * sstatus, and restoring sets again every bit that was set. Only SIE was
 * cleared, and without a trap in between nothing else in sstatus changes,
 * so this equals irq_restore without the masking instruction.
 */
static inline unsigned long irq_save_notrap(void)
{
	return csr_read_clear(sstatus, SSTATUS_SIE);
}

static inline void irq_restore_notrap(unsigned long sstatus_before)
{
	csr_set(sstatus, sstatus_before);
}
#endif /* !HOST */
#endif

#ifdef __cplusplus
}
#endif

#endif
