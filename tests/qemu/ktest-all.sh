#!/bin/sh
# ktest-all.sh - ktest=all on QEMU virt with 1 and 4 harts, 128 MiB and 8 GiB.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

for smp in 1 4; do
	for mem in 128M 8G; do
		ktest_run "virt-smp$smp-$mem" 240 -M virt -bios default -smp "$smp" -m "$mem" \
			-kernel "$KERNEL" -append "ktest=all"
	done
done

# kmalloc's suite with the kernel heap in SLOB classic mode (slob=classic).
ktest_run virt-smp4-128M-slob-classic 240 -M virt -bios default -smp 4 -m 128M \
	-kernel "$KERNEL" -append "slob=classic ktest=kmalloc"
