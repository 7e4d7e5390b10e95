/*
 * start.S - the example's first instructions. OpenSBI jumps to _start in
 * S-mode on one hart (a0 = hartid, a1 = device tree: neither is used).
 * Set gp for the linker's gp-relative accesses, clear .bss, take the
 * stack, point tp at cpu 0's per-hart block (main.c: harts[0]) and call
 * main. Also sbi(): one SBI call for main.c's console and power off.
 */
	.section .text.start, "ax"
	.globl	_start
_start:
	.option push
	.option norelax			/* gp is not set yet */
	la	gp, __global_pointer$
	.option pop
	la	t0, bss_start
	la	t1, bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	la	sp, stack_top
	la	tp, harts
	mv	s0, zero		/* the end of the frame-pointer chain */
	call	main
3:	wfi
	j	3b

/* long sbi(long ext, long fid, long arg0, long arg1): returns SBI's error. */
	.text
	.globl	sbi
sbi:
	mv	a7, a0
	mv	a6, a1
	mv	a0, a2
	mv	a1, a3
	ecall
	ret

	.bss
	.balign	16
stack:
	.space	16384
stack_top:
