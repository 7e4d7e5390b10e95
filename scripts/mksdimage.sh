#!/bin/sh
# mksdimage.sh OUTPUT IMAGE "BOOTARGS" - a disk image laid out like a HiFive
# SD card (the layout U-Boot's docs give for the Unleashed and Unmatched):
#
#   GPT
#   p1  sectors    34..2081   "spl"    5B193300-FC78-40CD-8002-E86C45580B47  (empty: U-Boot SPL goes here)
#   p2  sectors  2082..10273  "uboot"  2E54B353-1271-4842-806F-E436D6AF6985  (empty: u-boot.itb goes here)
#   p3  sectors 16384..+64MiB "boot"   Linux filesystem, legacy-BIOS-bootable, ext4:
#         /Image                     rvmm (build/Image)
#         /extlinux/extlinux.conf    kernel /Image, append BOOTARGS (no append line
#                                    when BOOTARGS is empty)
#
# U-Boot's distro boot scans the bootable partition, reads extlinux.conf and
# runs booti; no typing. Needs sfdisk (fdisk) and mke2fs (e2fsprogs); no root.
set -eu
out=$1 image=$2 bootargs=$3
case $bootargs in
*"
"*)
	echo "mksdimage.sh: BOOTARGS must be one line (extlinux append takes one)" >&2
	exit 1
	;;
esac
work=$out.d
rm -rf "$work" "$out"
mkdir -p "$work/root/extlinux"
cp "$image" "$work/root/Image"
# extlinux append takes the rest of its line as bootargs, quotes and all.
# An append with nothing after it makes U-Boot 2023.01 fail to parse the
# file (`Expected string literal:`, then a load access fault): without
# BOOTARGS there is no append line, and U-Boot passes no bootargs.
{
	echo "# rvmm on U-Boot (distro boot, extlinux format)"
	echo "default rvmm"
	echo "label rvmm"
	printf '\tkernel /Image\n'
	if [ -n "$bootargs" ]; then
		printf '\tappend %s\n' "$bootargs"
	fi
} >"$work/root/extlinux/extlinux.conf"

boot_start=16384
boot_sectors=131072 # 64 MiB
# ext4 without the newer features older U-Boot builds cannot read.
mke2fs -q -F -t ext4 -L rvmm-boot -O ^metadata_csum,^64bit,^orphan_file \
	-d "$work/root" "$work/boot.ext4" $((boot_sectors / 2))k >/dev/null
truncate -s $(((boot_start + boot_sectors + 34) * 512)) "$out"
sfdisk --quiet --no-reread --no-tell-kernel "$out" <<PARTS
label: gpt
first-lba: 34
start=34, size=2048, type=5B193300-FC78-40CD-8002-E86C45580B47, name="spl"
start=2082, size=8192, type=2E54B353-1271-4842-806F-E436D6AF6985, name="uboot"
start=$boot_start, size=$boot_sectors, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="boot", attrs="LegacyBIOSBootable"
PARTS
dd if="$work/boot.ext4" of="$out" bs=512 seek=$boot_start conv=notrunc status=none
rm -rf "$work"
