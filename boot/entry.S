/*
 * entry.S - the first instructions rvmm runs.
 *
 * OpenSBI (or U-Boot's booti) jumps to _start in S-mode with a0 = hartid and
 * a1 = the device tree's physical address, paging off, interrupts off. The
 * image starts with the 64-byte Linux RISC-V Image header so U-Boot's booti
 * accepts build/Image; its first word jumps over the header.
 *
 * Only the boot hart comes here. It clears .bss, takes stack 0 and per-hart
 * data harts[0], and calls kmain(hartid, fdt). Other harts are started later
 * by SBI HSM at secondary_entry with a1 = their struct hart (the opaque
 * value), from which they take their stack.
 */
#include <hart.h>

	.section .text.head, "ax"
	.option push
	.option norvc
	.globl _start
_start:
	j	boot_entry		/* code0 */
	.word	0			/* code1 */
	.dword	0x200000		/* text_offset: load 2 MiB above RAM base */
	.dword	_end - _start		/* image_size, .bss included */
	.dword	0			/* flags: little endian */
	.word	2			/* version 0.2 */
	.word	0			/* res1 */
	.dword	0			/* res2 */
	.ascii	"RISCV\0\0\0"		/* magic (deprecated) */
	.ascii	"RSC\x05"		/* magic2 */
	.word	0			/* res3 */
	.option pop

boot_entry:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	csrw	sie, zero
	csrw	sip, zero
	la	t0, trap_entry
	csrw	stvec, t0

	/* Clear .bss (8-byte aligned by the linker script). */
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:
	la	sp, hart_stacks
	li	t0, HART_STACK_SIZE
	add	sp, sp, t0
	la	tp, harts
	mv	s0, zero		/* end of the frame-pointer chain */
	call	kmain
3:	wfi				/* kmain does not return */
	j	3b

	.text
	.globl secondary_entry
	.align 2
secondary_entry:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	csrw	sie, zero
	la	t0, trap_entry
	csrw	stvec, t0
	mv	tp, a1
	ld	sp, HART_STACK_TOP_OFFSET(a1)
	mv	s0, zero
	mv	a0, a1
	call	secondary_main
4:	wfi
	j	4b
