#!/bin/sh
# relocate-checks.sh - the kernel runs where it is loaded, not only at its
# link address 0x80200000 (boot/entry.S applies scripts/mkrelocs.sh's table).
# QEMU virt's RAM always starts at 0x80000000, so copies of the ELF are made
# whose load addresses and entry point are moved within it (the place booti
# would choose on a board whose RAM starts 64 MiB higher, and others), and
# booted: every self-test, the boot log's reservation of the image where it
# is, and a backtrace that names functions at their run addresses.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

VIRT="-M virt -bios default"

# moved_copy DELTA: print the name of a copy of $KERNEL loaded DELTA higher
# (-DELTA: lower).
moved_copy() {
	out="$LOGDIR/rvmm-moved-$1.elf"
	case $1 in -*) lma="*$1" ;; *) lma="*+$1" ;; esac
	riscv64-unknown-elf-objcopy --change-section-lma "$lma" --change-start "$1" "$KERNEL" "$out"
	echo "$out"
}

# 64 MiB up (0x84200000), 4 harts: every self-test passes.
k=$(moved_copy 0x4000000)
qemu_run moved-ktest-all 600 /dev/null $VIRT -smp 4 -m 512M -kernel "$k" -append "ktest=all"
check moved-ktest-all 0 "^  \[mem 0x0000000084200000-0x[0-9a-f]{16}\] kernel$" \
	"^ktest: [0-9]+ passed, 0 failed$" "harts: 4 of 4 up"

# 2 MiB up (0x80400000): the trap report's backtrace names the functions
# at the addresses they run at.
k=$(moved_copy 0x200000)
qemu_run moved-trap-report 60 /dev/null $VIRT -smp 2 -m 128M -kernel "$k" -append "run=crash"
check moved-trap-report 3 \
	"^  \[mem 0x0000000080400000-0x[0-9a-f]{16}\] kernel$" \
	"unexpected trap on hart [0-9]+ \(cpu 0\): load access fault \(scause 0x5\)" \
	"^backtrace:$" "^  \[<00000000804[0-9a-f]{5}>\] cmd_crash\+0x[0-9a-f]+$" \
	"\] shell_exec\+0x" "\] kmain\+0x"

# One page up (0x80201000): only page alignment is needed; the image is
# mapped text read-execute, rodata read-only where it runs.
k=$(moved_copy 0x1000)
qemu_run moved-page-paging 120 /dev/null $VIRT -smp 2 -m 128M -kernel "$k" \
	-append "ktest=paging,boot_dt,trap"
check moved-page-paging 0 "^  \[mem 0x0000000080201000-0x[0-9a-f]{16}\] kernel$" \
	"^ktest: [0-9]+ passed, 0 failed$"

# 1 MiB down (0x80100000, below the link address) in -m 5M: the image then
# touches every 2 MiB block of RAM, so the direct map has no 2 MiB leaf;
# every self-test still passes.
k=$(moved_copy -0x100000)
qemu_run moved-down-5m 120 /dev/null $VIRT -smp 1 -m 5M -kernel "$k" -append "ktest=all"
check moved-down-5m 0 "^  \[mem 0x0000000080100000-0x[0-9a-f]{16}\] kernel$" \
	"^ktest: [0-9]+ passed, 0 failed$"

# The table maker refuses what relocation cannot fix: an absolute address
# built in code (lui/addi, as -mcmodel=medlow would make), naming its place.
cat >"$LOGDIR/abs-code.S" <<'ASM'
	.text
	.globl _start, _end
_start:	lui	a0, %hi(word)
	addi	a0, a0, %lo(word)
	.data
	.balign 8
word:	.dword	_start
_end:
ASM
RC=0
riscv64-unknown-elf-gcc -nostdlib -static -Wl,--emit-relocs -Wl,-Ttext=0x10000 \
	"$LOGDIR/abs-code.S" -o "$LOGDIR/abs-code.elf" >"$LOGDIR/mkrelocs-abs-code.log" 2>&1 &&
	scripts/mkrelocs.sh "$LOGDIR/abs-code.elf" >>"$LOGDIR/mkrelocs-abs-code.log" 2>&1 || RC=$?
check mkrelocs-abs-code 1 "^mkrelocs.sh: absolute address in \.rela\.text at 0x0*1000[02]: .*R_RISCV_(HI20|RVC_LUI|LO12_I) "
