#!/bin/sh
# boards.sh - the board paths: QEMU sifive_u (HiFive Unleashed model, no
# finisher: the result is read from the console), U-Boot's booti with
# bootargs from its environment and with an initrd, and the SD card image
# booted by U-Boot with no typing; make sdimage as a board owner runs it,
# with and without BOOTARGS; the device trees Linux ships for the HiFive
# boards (on sifive_u) and the PolarFire SoC Icicle Kit (on QEMU's
# microchip-icicle-kit, which halts at poweroff: read from the console);
# device trees at the limits of rvmm's tables.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

UBOOT=/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf

# sifive_u -smp 5: hart 0 is the E51 monitor core (no MMU), harts 1-4 the
# U54s. ktest_run trusts only the closing line: SRST cannot carry a code.
ktest_run sifive_u-smp5 240 -M sifive_u -bios default -smp 5 -m 1G \
	-kernel "$KERNEL" -append "ktest=all"
check_log sifive_u-smp5 sifive_u-boot-log "harts: hart 0 left down" "harts: 4 of 4 up" "console serial@10010000" \
	"mmode_resv0@80000000 \(no-map\)$" \
	"^random: no /chosen/rng-seed: seeded from the counters only \(predictable\)$"

# U-Boot at its prompt: load build/Image, set bootargs in the environment,
# booti. The input waits for U-Boot's countdown (qemu_feed), whose first
# key, the empty line, stops it: fed from the start, with empty lines for
# OpenSBI's UART init and the countdown to eat, it sometimes lost a byte of
# the command after them (U-Boot ran "etenv bootargs ...", and rvmm booted
# without run= until the timeout).
printf '\n%s\n%s\n' \
	"setenv bootargs 'run=\"echo bootargs came from U-Boot;poweroff 9\"'" \
	'booti 0x84000000 - ${fdtcontroladdr}' >"$LOGDIR/uboot-booti-input.txt"
qemu_feed uboot-booti 120 'Hit any key' "$LOGDIR/uboot-booti-input.txt" -M virt -bios default \
	-smp 4 -m 512M -kernel "$UBOOT" -device loader,file=build/Image,addr=0x84000000
check uboot-booti 9 "Starting kernel" \
	'^Kernel command line: run="echo bootargs came from U-Boot;poweroff 9"$' \
	"^bootargs came from U-Boot$" "harts: 4 of 4 up"

# The same by hand in -m 96M, the least docs/boards.md names: U-Boot keeps
# its top 25 MiB, 0x84000000 lies below them.
printf '\n%s\n%s\n' "setenv bootargs 'run=\"poweroff 7\"'" 'booti 0x84000000 - ${fdtcontroladdr}' \
	>"$LOGDIR/uboot-booti-96m-input.txt"
qemu_feed uboot-booti-96m 120 'Hit any key' "$LOGDIR/uboot-booti-96m-input.txt" -M virt \
	-bios default -smp 2 -m 96M -kernel "$UBOOT" -device loader,file=build/Image,addr=0x84000000
check uboot-booti-96m 7 "Moving Image from 0x84000000 to 0x80200000" \
	"^  node   0: \[mem 0x0000000080000000-0x0000000085ffffff\]$"

# U-Boot's go calls the image as a program (a0 = argc, a1 = argv) and does
# not move it: rvmm runs at 0x84000000, finds no device tree at a1 and says
# how it must be entered, naming booti. With no tree there is no finisher:
# the panic powers off through SRST, exit status 0.
printf '\n%s\n' 'go 0x84000000' >"$LOGDIR/uboot-go-input.txt"
qemu_feed uboot-go 120 'Hit any key' "$LOGDIR/uboot-go-input.txt" -M virt -bios default \
	-smp 2 -m 512M -kernel "$UBOOT" -device loader,file=build/Image,addr=0x84000000
check uboot-go 0 "Starting application at 0x84000000" \
	"^Kernel panic on hart [0-9]+ \(cpu 0\): device tree at 0x[0-9a-f]+ is unusable: bad magic \(not a device tree\): rvmm must be entered with a0 = hartid and a1 = the device tree, as OpenSBI and U-Boot's booti enter it; U-Boot's go and bootelf pass argc and argv instead \(the hart number printed is then argc\) \(error -2\)$" \
	"^  \[<0000000084[0-9a-f]{6}>\] kmain\+0x"

# U-Boot's M-mode build (qemu-riscv64, as -bios: no OpenSBI) boots the Image
# in M-mode with no SBI below it: rvmm finds it can read mhartid, makes no
# SBI call (the first used to trap into U-Boot: `Unhandled exception:
# Environment call from M-mode`, or with 2 harts a garbled report), says so
# on the tree's UART and exits through the finisher with the panic code.
printf '\n%s\n' 'booti 0x84000000 - ${fdtcontroladdr}' >"$LOGDIR/uboot-mmode-input.txt"
qemu_feed uboot-mmode 120 'Hit any key' "$LOGDIR/uboot-mmode-input.txt" -M virt \
	-bios /usr/lib/u-boot/qemu-riscv64/u-boot.bin -smp 2 -m 512M \
	-device loader,file=build/Image,addr=0x84000000
check uboot-mmode 2 "Starting kernel" \
	"^Kernel panic on hart [0-9]+ \(cpu 0\): rvmm was entered in M-mode: it runs in S-mode above SBI firmware \(OpenSBI\), which this boot has not got; boot U-Boot's S-mode build \(qemu-riscv64_smode\) with -bios default, or on a board U-Boot SPL with OpenSBI's fw_dynamic$"
no_log uboot-mmode uboot-mmode-no-ecall "Unhandled exception"

# booti with an initrd (a replay trace): U-Boot reserves it with a mem-reserve
# entry of exactly its start and size. That entry is the initrd's own, so the
# replay releases the initrd's pages (the partial last one included).
initrd=tests/replay/report.txt
initrd_size=$(stat -c %s "$initrd")
printf '\n\n\n%s\n%s\n' \
	"setenv bootargs 'run=\"replay;poweroff 6\"'" \
	"booti 0x84000000 0x88000000:$(printf %#x "$initrd_size") \${fdtcontroladdr}" \
	>"$LOGDIR/uboot-booti-initrd-input.txt"
qemu_run uboot-booti-initrd 120 "$LOGDIR/uboot-booti-initrd-input.txt" -M virt -bios default \
	-smp 2 -m 512M -kernel "$UBOOT" -device loader,file=build/Image,addr=0x84000000 \
	-device loader,file="$initrd",addr=0x88000000
initrd_last=$(printf '%016x' $((0x88000000 + initrd_size - 1)))
check uboot-booti-initrd 6 "Starting kernel" \
	"^  \[mem 0x0000000088000000-0x$initrd_last\] memreserve$" \
	"^  \[mem 0x0000000088000000-0x$initrd_last\] initrd$" \
	"^replay: released $(((initrd_size + 4095) / 4096)) initrd pages \([0-9]+ kB\) to the page allocator$"
no_log uboot-booti-initrd uboot-booti-initrd-released "stay reserved"

# On sifive_u -m 16G (the Unmatched's RAM), U-Boot given Linux's Unmatched
# tree (no CLINT) at ${fdt_addr_r} and the initrd at ${ramdisk_addr_r}, as
# docs/boards.md shows (filesize set as load sets it): the tree reaches rvmm
# only, OpenSBI keeps QEMU's (with the CLINT), so all four U54s come up.
# (make test-build has built the board trees.)
printf '\n%s\n%s\n%s\n' "setenv filesize $(printf %x "$initrd_size")" \
	"setenv bootargs 'run=\"replay;poweroff 6\"'" \
	'booti ${kernel_addr_r} ${ramdisk_addr_r}:${filesize} ${fdt_addr_r}' \
	>"$LOGDIR/uboot-sifive_u-unmatched-input.txt"
qemu_feed uboot-sifive_u-unmatched 120 'Hit any key' "$LOGDIR/uboot-sifive_u-unmatched-input.txt" \
	-M sifive_u -bios default -smp 5 -m 16G -kernel "$UBOOT" \
	-device loader,file=build/Image,addr=0x84000000 \
	-device loader,file="$initrd",addr=0x8c300000 \
	-device loader,file=build/dtb/boards/hifive-unmatched-a00.dtb,addr=0x8c000000
initrd_last=$(printf '%016x' $((0x8c300000 + initrd_size - 1)))
check uboot-sifive_u-unmatched 0 "Model: SiFive HiFive Unleashed A00" \
	"^rvmm: booting on hart [1-4], device tree at 0x8c000000$" \
	"^  node   0: \[mem 0x0000000080000000-0x000000047fffffff\]$" \
	"^  \[mem 0x0000000080000000-0x000000008007ffff\] mmode_resv0@80000000 \(no-map\)$" \
	"^  \[mem 0x000000008c300000-0x$initrd_last\] memreserve$" \
	"^  \[mem 0x000000008c300000-0x$initrd_last\] initrd$" \
	"^harts: 4 of 4 up" "^replay: released 1 initrd pages" "^power: off \(exit code 6\)$"

# The SD card image (make sdimage layout, append ktest=all) on a virtio disk:
# U-Boot's distro boot finds extlinux.conf on the bootable partition.
ktest_run uboot-sdimage 180 -M virt -bios default -smp 4 -m 512M -kernel "$UBOOT" \
	-drive file=build/sdcard-ktest.img,format=raw,if=virtio
check_log uboot-sdimage uboot-sdimage-path "Found /extlinux/extlinux.conf" "append: ktest=all" "Starting kernel"

# --- make sdimage, as docs/boards.md tells a board owner ---

# make runs as a board owner runs it: not with the variables and job server
# of a make test that runs this script.
unset MAKEFLAGS MFLAGS MAKELEVEL

# sdimage IMAGE_NAME BOOTARGS: run `make sdimage BOOTARGS=...` (BOOTARGS on
# the command line, so the caller's environment cannot add one) and copy
# build/sdcard.img's /extlinux/extlinux.conf to $LOGDIR/IMAGE_NAME.conf.
# Returns make's status; its output goes to $LOGDIR/IMAGE_NAME-make.log.
sdimage() {
	${MAKE:-make} --no-print-directory sdimage BOOTARGS="$2" >"$LOGDIR/$1-make.log" 2>&1 || {
		echo "FAIL $1: make sdimage failed:"
		cat "$LOGDIR/$1-make.log"
		return 1
	}
	PATH="$PATH:/usr/sbin:/sbin" debugfs -R 'cat /extlinux/extlinux.conf' \
		"build/sdcard.img?offset=$((16384 * 512))" >"$LOGDIR/$1.conf" 2>/dev/null
}

# conf_check RESULT IMAGE_NAME [!] GREP_ARGS...: grep GREP_ARGS (with -q)
# must find a line in the image's extlinux.conf (with !: must find none);
# recorded as RESULT.
conf_check() {
	result=$1 conf=$LOGDIR/$2.conf want=0
	shift 2
	if [ "$1" = ! ]; then
		want=1
		shift
	fi
	found=0
	grep -q "$@" "$conf" || found=$?
	if [ -s "$conf" ] && [ "$found" = "$want" ]; then
		echo "ok   $result"
		record "$result" 1 0
	else
		echo "FAIL $result: extlinux.conf is:"
		cat "$conf"
		record "$result" 0 1
	fi
}

# BOOTARGS with spaces, double and single quotes and a semicolon: the append
# line carries it unchanged. U-Boot's macro expansion of the line removes
# single quotes (and would expand ${...}); the rest reaches the kernel.
bootargs='run="echo bootargs from extlinux: it'\''s here;poweroff 6" bogus="a b"'
if sdimage sdimage-bootargs "$bootargs"; then
	conf_check sdimage-bootargs-append sdimage-bootargs -Fx "	append $bootargs"
	qemu_run uboot-sdimage-bootargs 180 /dev/null -M virt -bios default -smp 2 -m 512M \
		-kernel "$UBOOT" -drive file=build/sdcard.img,format=raw,if=virtio
	check uboot-sdimage-bootargs 6 "Found /extlinux/extlinux.conf" \
		"^Kernel command line: run=\"echo bootargs from extlinux: it'?s here;poweroff 6\" bogus=\"a b\"$" \
		"^bootargs from extlinux: it'?s here$"
else
	record sdimage-bootargs 0 1
fi

# The default image (no BOOTARGS): extlinux.conf has no append line (an
# empty one makes U-Boot 2023.01 fail with `Expected string literal:` and a
# load access fault), U-Boot passes no bootargs, and rvmm reaches its prompt.
# Commands are typed only once the prompt is there: U-Boot's autoboot
# countdown would take the first key and stop the boot.
if sdimage sdimage-default ""; then
	conf_check sdimage-default-no-append sdimage-default ! -E '^[[:space:]]*append'
	conf_check sdimage-default-kernel sdimage-default -Fx "	kernel /Image"
	printf 'meminfo\npoweroff 5\n' >"$LOGDIR/uboot-sdimage-default-input.txt"
	qemu_feed uboot-sdimage-default 180 'rvmm> ' "$LOGDIR/uboot-sdimage-default-input.txt" \
		-M virt -bios default -smp 4 -m 512M -kernel "$UBOOT" \
		-drive file=build/sdcard.img,format=raw,if=virtio
	check uboot-sdimage-default 5 "Found /extlinux/extlinux.conf" "Starting kernel" \
		"^Kernel command line: $" "harts: 4 of 4 up" "^rvmm> meminfo$" "^MemTotal: +[0-9]+ kB$" \
		"^power: off \(exit code 5\)$"
	no_log uboot-sdimage-default uboot-sdimage-default-clean "Expected string literal" \
		"unknown command" "Unhandled exception"
else
	record sdimage-default 0 1
fi

# --- the device trees Linux ships for the HiFive boards (tests/dts/boards) ---
# On sifive_u -smp 5, whose UART and RAM sit where both boards have them.
# As Linux ships them they have no CLINT: OpenSBI then has no timer (time
# stays put) and no IPIs, so rvmm must say so, leave the other harts down
# and still pass every self-test on the boot hart. With the CLINT U-Boot's
# trees add, all four U54/U74 harts come up. The Unmatched powers off
# through gpio-poweroff, which QEMU ignores: its result is read from the
# console (ktest_run_console).
# Every suite runs on one tree of each kind (the Unleashed's without a CLINT:
# one hart, no clock; the Unmatched's with one: four harts, 16 GiB; the
# Icicle Kit's); the other trees and RAM sizes run the suites that read the
# machine (DT_SUITES, plus page_alloc where the RAM was probed: every page
# the boot kept is allocated and written).
BOARDS=build/dtb/boards
DT_SUITES=boot_dt,paging,mm_report,smp,zones,kmalloc,slab
board_run() { # NAME DTB MEM [SUITES]
	ktest_run_console "$1" 300 -M sifive_u -bios default -smp 5 -m "$3" \
		-dtb "$BOARDS/$2.dtb" -kernel "$KERNEL" -append "ktest=${4:-all}"
}
for b in unleashed:8G:all:$DT_SUITES unmatched:16G:$DT_SUITES:all; do
	board=${b%%:*} rest=${b#*:}
	mem=${rest%%:*} rest=${rest#*:}
	suites=${rest%%:*} clint_suites=${rest#*:}
	board_run "linux-$board" "hifive-$board-a00" "$mem" "$suites"
	check_log "linux-$board" "linux-$board-no-clint" \
		"^time: the clock does not run \(time stays at [0-9]+; no timer device in the device tree\): waits are bounded by instruction counts$" \
		"^harts: IPIs do not arrive \(no IPI device in the device tree\): the other harts stay down$" \
		"^harts: hart 0 left down: no MMU" "^harts: 1 of 4 up" "console serial@10010000"
	board_run "linux-$board-clint" "hifive-$board-a00-clint" "$mem" "$clint_suites"
	check_log "linux-$board-clint" "linux-$board-clint-harts" "^harts: 4 of 4 up" \
		"console serial@10010000"
	no_log "linux-$board-clint" "linux-$board-clint-timer" "^time: " "IPIs do not arrive"
done
check_log linux-unmatched linux-unmatched-poweroff "Platform Shutdown Device *: gpio-poweroff" \
	"^power: off through SBI system reset"
# Unleashed's tree with more RAM than it describes: the waits and map hold.
board_run linux-unleashed-16g hifive-unleashed-a00 16G "$DT_SUITES"
# The Unmatched's tree (16 GiB) on a machine with 8: the boot reads the RAM
# the tree describes, finds where it stops answering, uses only that and
# says so in one line (boot/ram_probe.c).
board_run linux-unmatched-8g hifive-unmatched-a00 8G "$DT_SUITES,page_alloc"
check_log linux-unmatched-8g linux-unmatched-8g-ram-probed \
	"^memory: \[mem 0x0000000080000000-0x000000047fffffff\] from the device tree does not answer past 0x0000000280000000: using 8192 of 16384 MiB$" \
	"^  node   0: \[mem 0x0000000080000000-0x000000027fffffff\]$"

# --- the device tree Linux ships for the PolarFire SoC Icicle Kit ---
# QEMU's microchip-icicle-kit runs its own OpenSBI (fw_dynamic: no -bios).
# The tree's stdout-path is serial1 (MMUART1), QEMU's second serial port:
# -serial null takes the first. rvmm boots on one of the U54s (harts 1-4);
# the E51 (hart 0, no MMU) stays down. RAM is two banks, 1 GiB at 2 GiB and
# 1 GiB at 0x1040000000 (in QEMU's high DDR at 0x1000000000 with -m 4G),
# and the blob lies inside the tree's no-map region@BFC00000 (4 pages of it
# stay mapped read-only, tests/dts/nomap-dtb.dts has the same shape).
# The machine has no SBI reset device: poweroff halts and QEMU runs on, so
# the result is read from the console (ktest_run_console).
icicle_run() { # NAME MEM [SUITES [PARAMETERS]]
	ktest_run_console "$1" 300 -M microchip-icicle-kit -smp 5 -m "$2" -serial null \
		-serial mon:stdio -dtb "$BOARDS/mpfs-icicle-kit.dtb" -kernel "$KERNEL" \
		-append "${4:+$4 }ktest=${3:-all}"
}
icicle_run linux-icicle 4G
check_log linux-icicle linux-icicle-board "^rvmm: booting on hart [1-4], device tree at 0xbfe00000$" \
	"^harts: hart 0 left down: no MMU" "^harts: 4 of 4 up \(boot hart [1-4]\)$" \
	"^rvmm ready on 4 harts, console serial@20100000\.$" "^power: no way to power off; halted$"
check_log linux-icicle linux-icicle-map \
	"^  node   0: \[mem 0x0000000080000000-0x00000000bfffffff\]$" \
	"^  node   0: \[mem 0x0000001040000000-0x000000107fffffff\]$" \
	"^  \[mem 0x0000000080000000-0x000000008007ffff\] mmode_resv0@80000000$" \
	"^  \[mem 0x00000000bfc00000-0x00000000bfffffff\] region@BFC00000 \(no-map\)$" \
	"^  Normal   \[mem 0x0000000100000000-0x000000107fffffff\]$" \
	"^# paging.direct_map_covers_ram: 1020 no-map pages unmapped, 4 holding the device tree mapped$"
no_log linux-icicle linux-icicle-all-ram "does not answer"
# With -m 2G QEMU's high DDR ends at 0x103fffffff: the tree's second bank
# does not answer at all. The boot says so and runs on the first bank.
icicle_run linux-icicle-2g 2G "$DT_SUITES,page_alloc"
check_log linux-icicle-2g linux-icicle-2g-ram-probed \
	"^memory: \[mem 0x0000001040000000-0x000000107fffffff\] from the device tree does not answer past 0x0000001040000000: using 0 of 1024 MiB$" \
	"^  node   0: \[mem 0x0000000080000000-0x00000000bfffffff\]$" "^  Normal   empty$" \
	"^harts: 4 of 4 up \(boot hart [1-4]\)$"
no_log linux-icicle-2g linux-icicle-2g-first-bank-only "^  node   0: \[mem 0x0000001040000000-"
# mem=100M: RAM ends below the no-map region that holds the blob (mapped
# where it lies, read-only); the suites that read the machine pass (paging's
# count of no-map pages once assumed a no-map range inside RAM).
icicle_run linux-icicle-mem 4G "$DT_SUITES" mem=100M
check_log linux-icicle-mem linux-icicle-mem-cut "^memory: mem=102400K: using 102400K of "
# Linux's SEV Kit tree (PolarFire SoC too) has RAM only from 0x1000000000,
# where the board's loader puts the kernel; QEMU's Icicle machine loads it at
# 0x80200000: rvmm refuses to run from memory the tree does not call RAM,
# saying so, and halts (the machine has no power-off device: the run ends
# 3 s after the halt line).
qemu_run_until linux-sev-kit 60 '^power: no way to power off; halted$' -M microchip-icicle-kit \
	-smp 5 -m 4G -serial null -serial mon:stdio -dtb "$BOARDS/mpfs-sev-kit.dtb" -kernel "$KERNEL"
check_log linux-sev-kit linux-sev-kit-refused \
	"^Kernel panic on hart [1-4] \(cpu 0\): the kernel image \[mem 0x0000000080200000-0x[0-9a-f]{16}\] is not inside the RAM the device tree describes$" \
	"^power: no way to power off; halted$"

# A device tree whose memory node ends below the blob QEMU places near the
# top of the real RAM (virt.dts describes 128 MiB; the machine has 1 GiB):
# rvmm reserves what lies in RAM and boots.
ktest_run dtb-outside-ram 120 -M virt -bios default -smp 4 -m 1G -dtb build/dtb/virt.dtb \
	-kernel "$KERNEL" -append "ktest=boot_dt,page_alloc"
check_log dtb-outside-ram dtb-outside-ram-noted "# boot_dt.dtb_reserved: the device tree lies \(partly\) outside RAM"

# A blob QEMU places inside a no-map range of the tree (the shape of Linux's
# Icicle Kit tree, tests/dts/nomap-dtb.dts): its own pages are mapped
# read-only, every other page of the range stays unmapped.
ktest_run dtb-in-nomap 120 -M virt -bios default -smp 4 -m 128M -dtb build/dtb/nomap-dtb.dtb \
	-kernel "$KERNEL" -append "ktest=paging,boot_dt"
check_log dtb-in-nomap dtb-in-nomap-pages \
	"^# paging.direct_map_covers_ram: 1022 no-map pages unmapped, 2 holding the device tree mapped$"

# --- device trees at the limits of rvmm's tables ---
# 64 reserved ranges of the tree (OpenSBI's and 63 more: DT_MAX_RESERVED),
# the initrd and the dtb: the kernel still has its slot, and the initrd is
# released after the replay.
qemu_run resmem-full 120 /dev/null -M virt -bios default -smp 4 -m 128M \
	-dtb build/dtb/resmem-full.dtb -kernel "$KERNEL" -initrd tests/replay/report.txt \
	-append 'run="replay;poweroff 4"'
check resmem-full 4 "\[mem 0x0000000080200000-0x[0-9a-f]{16}\] kernel$" \
	"^  \[mem 0x0000000084200000-0x0000000084200e3d\] initrd$" "\] r63@863f0000$" \
	"^replay: released 1 initrd pages \(4 kB\) to the page allocator$"
# One more: refused at parse time, naming the node, the table and its limit.
qemu_run resmem-toomany 120 /dev/null -M virt -bios default -smp 2 -m 128M \
	-dtb build/dtb/bad-resmem-toomany.dtb -kernel "$KERNEL"
check resmem-toomany 2 "^Kernel panic on hart [0-9]+ \(cpu 0\): device tree at 0x[0-9a-f]+ is unusable: too many entries for rvmm's tables: reserved ranges: /reserved-memory/r64@86400000 brings range 65 of the tree \(mem-reserve entries and /reserved-memory regs\); rvmm's table holds 64 \(error -11\)$"
# 33 harts: more cpu nodes than the table holds (the SG2042 has 64): the
# ones past it are counted and warned of, their harts stay down, and the
# machine boots on the first 8. One boot in 33, OpenSBI's boot hart is hart
# 32, the one past the table: it runs, says so, and counts in "of 33".
qemu_run smp33 120 /dev/null -M virt -bios default -smp 33 -m 128M -kernel "$KERNEL" \
	-append 'run="poweroff 3"'
check smp33 3 "^dt: warning: /cpus has 33 cpu nodes; rvmm's table holds 32: the harts of the other 1 stay down$" \
	"^harts: 8 of (32 up \(boot hart ([0-9]|[12][0-9]|3[01])\)|33 up \(boot hart 32\))$"
if grep -q "^harts: 8 of 33 up (boot hart 32)" "$LOGDIR/smp33.log"; then
	check_log smp33 smp33-boot-hart-past-table \
		"^harts: the boot hart 32 has no slot in rvmm's cpu table \(the tree has 1 cpu node\(s\) past it\): it runs all the same$"
fi
