#!/bin/sh
# memmap.sh - make memmap: pictures of memory (docs/memmap.md). Boots rvmm on
# QEMU virt (one hart, 128 MiB), runs the memmap-timeline workload (churn
# through kmalloc, sampled), leaves memory filled by every owner
# (memmap-fill: slab, SLOB, bigblocks, bare pages, vmalloc), dumps it
# (memmap), and draws build/memmap.png and build/memmap-timeline.png with
# scripts/memmap-plot.sh. The console log stays in build/memmap.log.
set -eu
cd "$(dirname "$0")/.."
KERNEL=${KERNEL:-build/rvmm.elf}
LOG=build/memmap.log

mkdir -p build
timeout 300 qemu-system-riscv64 -M virt -bios default -nographic -no-reboot -smp 1 -m 128M \
	-kernel "$KERNEL" -append 'run="memmap-timeline;memmap-fill;memmap;poweroff"' \
	</dev/null >"$LOG" 2>&1 || {
	echo "memmap: QEMU failed; log in $LOG" >&2
	cat "$LOG" >&2
	exit 1
}
scripts/memmap-plot.sh "$LOG" build
