/*
 * entry.S - the first instructions rvmm runs.
 *
 * OpenSBI (or U-Boot's booti) jumps to _start in S-mode with a0 = hartid and
 * a1 = the device tree's physical address, paging off, interrupts off. The
 * image starts with the 64-byte Linux RISC-V Image header so U-Boot's booti
 * accepts build/Image; its first word jumps over the header.
 *
 * The kernel is linked at 0x80200000 but may be loaded anywhere page
 * aligned (booti puts it at RAM base + 0x200000, and RAM starts elsewhere on
 * many boards). Code reaches everything PC-relative, so only the addresses
 * stored in data are wrong there: the boot hart first adds the load offset
 * to each of them (relocate, below), before anything reads one.
 *
 * The boot hart comes here. It relocates, clears .bss, takes stack 0 and
 * per-hart data harts[0], and calls kmain(hartid, fdt). Other harts are
 * started later by SBI HSM at secondary_entry with a1 = their struct hart
 * (the opaque value), from which they take their stack.
 *
 * A second hart can still arrive at _start: OpenSBI 1.1's hart_start marks
 * the hart START_PENDING before it stores the start address and argument,
 * so a hart that is awake in its wait loop at that moment jumps to the
 * previous ones, this image's entry with the device tree (seen under host
 * load on QEMU). Firmware that releases every hart into the kernel (some
 * U-Boot builds) sends them all here too. The first hart here wins
 * boot_lottery (in .data, not cleared with .bss); any later one looks its
 * slot up by hartid in harts[] (slots 1.., filled before their hart is
 * started; harts[] is read only after boot_bss_ready, so after relocation)
 * and continues as if it had come through secondary_entry. A hart with no
 * slot yet sleeps in wfi, woken by IPIs only, and looks again each time:
 * harts_start fills its slot and sends it one (hart.c: start_one).
 */
#include <boot/hart.h>


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
	.option norelax			/* gp is not set yet: no gp-relative la */
	la	t0, boot_lottery
	li	t1, 1
	amoswap.w.aqrl t1, t1, (t0)
	bnez	t1, late_hart
	la	gp, __global_pointer$
	.option pop
	call	relocate
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
2:	fence	rw, w			/* harts[] is zero before a late hart may read it */
	la	t0, boot_bss_ready
	li	t1, 1
	sw	t1, 0(t0)
	la	sp, hart_stacks
	li	t0, HART_STACK_SIZE
	add	sp, sp, t0
	la	tp, harts
	mv	s0, zero		/* end of the frame-pointer chain */
	call	kmain
3:	wfi				/* kmain does not return */
	j	3b

/*
 * Add (where _start runs - where it was linked) to each 64-bit word listed
 * in the relocation table (scripts/mkrelocs.sh): relocs_off[] holds
 * relocs_count offsets from _start. Runs once, on the boot hart, with no
 * stack; leaves a0/a1 alone. Only PC-relative addressing here, and nothing
 * is read from data but the table (it holds no address itself).
 */
relocate:
	.option push
	.option norelax
	la	t0, _start
	la	t1, relocs_link_start
	.option pop
	ld	t2, 0(t1)
	sub	t2, t0, t2		/* the load offset */
	beqz	t2, 2f
	ld	t3, 8(t1)		/* relocs_count */
	addi	t1, t1, 16		/* relocs_off */
	slli	t3, t3, 2
	add	t3, t3, t1
1:	bgeu	t1, t3, 2f
	lwu	t4, 0(t1)
	add	t4, t4, t0
	ld	t5, 0(t4)
	add	t5, t5, t2
	sd	t5, 0(t4)
	addi	t1, t1, 4
	j	1b
2:	ret

/* a0 = this hart's id: find its slot among harts[1 .. MAX_HARTS). */
late_hart:
	li	t0, 2			/* sie.SSIE: wfi ends on an IPI (sstatus.SIE stays clear) */
	csrw	sie, t0
8:	csrc	sip, t0
	.option push
	.option norelax
	la	t0, boot_bss_ready	/* before that, harts[] may be old RAM contents */
	la	t4, hart_struct_size
	.option pop
	lw	t0, 0(t0)
	beqz	t0, 7f
	fence	r, rw
	.option push
	.option norelax
	la	t0, harts
	.option pop
	ld	t4, 0(t4)
	li	t2, 1
5:	add	t0, t0, t4
	li	t3, MAX_HARTS
	bgeu	t2, t3, 7f
	ld	t3, HART_STACK_TOP_OFFSET(t0)
	beqz	t3, 6f			/* not set up: no hart was started with it */
	ld	t3, HART_HARTID_OFFSET(t0)
	bne	t3, a0, 6f
	fence	r, rw
	mv	a1, t0
	j	secondary_entry
6:	addi	t2, t2, 1
	j	5b
7:	wfi				/* no slot names this hart (yet) */
	li	t0, 2
	j	8b

	.data
	.align 2
boot_lottery:
	.word	0
boot_bss_ready:
	.word	0

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
