#!/bin/sh
# run-all.sh - everything `make test` runs, in order, then one closing line
# "N passed, N failed" totalling every case of every run. Exits non-zero if
# anything failed. Expects the kernel, the host test program and the DTB
# fixtures to be built (the Makefile does that first).
set -u
cd "$(dirname "$0")/.."
export LOGDIR=build/test-logs
export RESULTS=$LOGDIR/results
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR"
. tests/qemu/lib.sh

# section TITLE: print the title, after the time the previous section took
# (wall seconds: where make test's time goes, not a measurement of rvmm).
SECTION_START=
section() {
	now=$(date +%s)
	[ -n "$SECTION_START" ] && echo "   (section: $((now - SECTION_START)) s)"
	SECTION_START=$now
	[ $# -gt 0 ] && echo "== $*"
	return 0
}

section "host unit tests (ASan + UBSan)"
tests/qemu/host.sh build/host-tests build/dtb
grep -q '^host ' "$RESULTS" || record host 0 1 # the runner itself died

section "layers: mm/ uses lib/ and its port only, lib/ nothing above it"
tests/qemu/layers.sh

section "docs: the kernel command lines README.md and docs/*.md show name known parameters"
tests/qemu/doc-cmdlines.sh

section "mm as a library: examples/embed on QEMU virt (build/librvmm.a), examples/host, and built outside the tree as docs/embedding.md says"
tests/qemu/embed.sh
tests/qemu/embed-outside.sh

section "real programs on rvmm's kmalloc: LD_PRELOAD=build/librvmm-malloc.so (docs/malloc.md)"
tests/real/run.sh
grep -q '^real-' "$RESULTS" || record real 0 1 # the runner itself died
tests/real/realbench-smoke.sh

section "fuzzing: libFuzzer + ASan + UBSan, two 45 s lanes: fdt, replay and cmdline, alloc (docs/reliability.md)"
tests/qemu/fuzz.sh

section "on-target self-tests on QEMU virt"
tests/qemu/ktest-all.sh

section "the KASAN kernel: ktest=all without a report, every planted bug caught"
tests/qemu/kasan-checks.sh

section "KFENCE in the ordinary kernel: every planted bug caught, the cost of sampling"
tests/qemu/kfence-checks.sh

section "boot and console checks on QEMU virt"
tests/qemu/boot-checks.sh

section "console fuzz: random sessions piped in, every allocator checked, nothing leaked (tests/qemu/console_fuzz.py)"
tests/qemu/console-fuzz.sh

section "the kernel run away from its link address: moved copies of rvmm.elf (docs/boot.md)"
tests/qemu/relocate-checks.sh

section "Ctrl-C at the console: long commands stopped, nothing lost, typed input kept"
tests/qemu/interrupt-checks.sh
grep -q '^interrupt ' "$RESULTS" || record interrupt 0 1 # the runner itself died

section "slab allocator: slab_debug=, kmalloc=slob, slabinfo and meminfo"
tests/qemu/slab-checks.sh

section "reliability: fault injection, hostile device trees, stress, settings combined"
tests/qemu/reliability-checks.sh

section "kmem trace replay: tests/replay traces as the initrd, synthetic traces"
tests/qemu/replay-checks.sh

section "pictures of memory: the memmap dump against the reports, and its plots"
tests/qemu/memmap-checks.sh

section "boards: sifive_u, U-Boot booti, the SD card image, the Icicle Kit (microchip-icicle-kit)"
tests/qemu/boards.sh

section "rvmm-dt: device trees checked on the host, against the boot log on QEMU"
tests/qemu/rvmm-dt.sh

section
awk '{ p += $2; f += $3 } END { printf "%d passed, %d failed\n", p, f; exit (f > 0) }' "$RESULTS"
