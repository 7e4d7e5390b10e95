#!/bin/sh
# boards.sh - the board paths: QEMU sifive_u (HiFive Unleashed model, no
# finisher: the result is read from the console), U-Boot's booti with
# bootargs from its environment, and the SD card image booted by U-Boot
# with no typing.
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
# booti. Input starts with empty lines: one may be eaten by OpenSBI's UART
# init, the next stops U-Boot's autoboot countdown.
printf '\n\n\n%s\n%s\n' \
	"setenv bootargs 'run=\"echo bootargs came from U-Boot;poweroff 9\"'" \
	'booti 0x84000000 - ${fdtcontroladdr}' >"$LOGDIR/uboot-booti-input.txt"
qemu_run uboot-booti 120 "$LOGDIR/uboot-booti-input.txt" -M virt -bios default -smp 4 -m 512M \
	-kernel "$UBOOT" -device loader,file=build/Image,addr=0x84000000
check uboot-booti 9 "Starting kernel" \
	'^Kernel command line: run="echo bootargs came from U-Boot;poweroff 9"$' \
	"^bootargs came from U-Boot$" "harts: 4 of 4 up"

# The SD card image (make sdimage layout, append ktest=all) on a virtio disk:
# U-Boot's distro boot finds extlinux.conf on the bootable partition.
ktest_run uboot-sdimage 180 -M virt -bios default -smp 4 -m 512M -kernel "$UBOOT" \
	-drive file=build/sdcard-ktest.img,format=raw,if=virtio
check_log uboot-sdimage uboot-sdimage-path "Found /extlinux/extlinux.conf" "append: ktest=all" "Starting kernel"
