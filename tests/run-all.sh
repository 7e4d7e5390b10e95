#!/bin/sh
# run-all.sh - everything `make test` runs, then one closing line "N passed,
# N failed" totalling every case of every run. Exits non-zero if anything
# failed. Expects the kernel, the host test program and the DTB fixtures to
# be built (the Makefile does that first).
#
# The sections run in two lanes at once, one per cpu of a two-cpu machine:
# the host's own programs (unit tests, layers, the library under real
# programs, fuzzing, rvmm-dt; then the console fuzz, to even the lanes) and
# the QEMU boots. They share no files but $RESULTS (one line appended per
# case) and $LOGDIR/timings; every log is named for its case. A section's
# output is kept until it ends, then printed whole, one section at a time,
# with the time it took, so the log reads section by section (in the order
# they ended). RUN_ALL_LANES=1 runs the lanes one after the other instead.
set -u
cd "$(dirname "$0")/.."
export LOGDIR=build/test-logs
export RESULTS=$LOGDIR/results
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR/sections"
. tests/qemu/lib.sh

# section TITLE FUNCTION: FUNCTION run with its output kept, then printed
# under "== TITLE" with the wall seconds it took (where make test's time
# goes, not a measurement of rvmm).
#
# Its cases are recorded in a file of its own, then added to $RESULTS. A
# section that records no case at all fails ("NAME-ran"): its runner died
# before its first check (a syntax error in a check script once passed
# make test that way, its section silently empty).
section() {
	out=$LOGDIR/sections/$2.out
	res=$LOGDIR/sections/$2.results
	start=$(date +%s)
	: >"$res"
	(
		RESULTS=$res
		export RESULTS
		"$2"
	) >"$out" 2>&1
	status=$?
	if [ ! -s "$res" ]; then
		echo "FAIL $2-ran: the section recorded no case (its runner exited with status $status)" >>"$out"
		echo "$2-ran 0 1" >>"$res"
	fi
	echo "   (section: $(($(date +%s) - start)) s)" >>"$out"
	flock "$LOGDIR/sections/print.lock" sh -c 'cat "$3" >>"$4"; echo "== $1"; cat "$2"' sh "$1" "$out" \
		"$res" "$RESULTS"
}

host_units() {
	tests/qemu/host.sh build/host-tests build/dtb
	grep -q '^host ' "$RESULTS" || record host 0 1 # the runner itself died
}
layers() { tests/qemu/layers.sh; }
doc_cmdlines() { tests/qemu/doc-cmdlines.sh; }
embedding() {
	tests/qemu/embed.sh
	tests/qemu/embed-outside.sh
}
real_programs() {
	tests/real/run.sh
	grep -q '^real-' "$RESULTS" || record real 0 1 # the runner itself died
	tests/real/realbench-smoke.sh
}
fuzzing() { tests/qemu/fuzz.sh; }
rvmm_dt() { tests/qemu/rvmm-dt.sh; }
clang_built() { tests/qemu/clang-checks.sh; }

ktests() { tests/qemu/ktest-all.sh; }
kasan() { tests/qemu/kasan-checks.sh; }
kfence() { tests/qemu/kfence-checks.sh; }
boot() { tests/qemu/boot-checks.sh; }
console_fuzz() { tests/qemu/console-fuzz.sh; }
relocate() { tests/qemu/relocate-checks.sh; }
interrupt() {
	tests/qemu/interrupt-checks.sh
	grep -q '^interrupt ' "$RESULTS" || record interrupt 0 1 # the runner itself died
}
slab() { tests/qemu/slab-checks.sh; }
reliability() { tests/qemu/reliability-checks.sh; }
replay() { tests/qemu/replay-checks.sh; }
memmap() { tests/qemu/memmap-checks.sh; }
boards() { tests/qemu/boards.sh; }

host_lane() {
	section "host unit tests (ASan + UBSan)" host_units
	section "layers: mm/ uses lib/ and its port only, lib/ nothing above it" layers
	section "docs: the kernel command lines README.md and docs/*.md show name known parameters" doc_cmdlines
	section "mm as a library: examples/embed on QEMU virt (build/librvmm.a), examples/host, and built outside the tree as docs/embedding.md says" embedding
	section "real programs on rvmm's kmalloc: LD_PRELOAD=build/librvmm-malloc.so (docs/malloc.md)" real_programs
	section "fuzzing: libFuzzer + ASan + UBSan, two 30 s lanes: fdt, replay and cmdline, alloc (docs/reliability.md)" fuzzing
	section "rvmm-dt: device trees checked on the host, against the boot log on QEMU" rvmm_dt
	section "built with clang: the host unit tests, and the malloc library under its edge cases" clang_built
	section "console fuzz: random sessions piped in, every allocator checked, nothing leaked (tests/qemu/console_fuzz.py)" console_fuzz
}

qemu_lane() {
	section "on-target self-tests on QEMU virt" ktests
	section "the KASAN kernel: ktest=all without a report, every planted bug caught" kasan
	section "KFENCE in the ordinary kernel: every planted bug caught, the cost of sampling" kfence
	section "boot and console checks on QEMU virt" boot
	section "the kernel run away from its link address: moved copies of rvmm.elf (docs/boot.md)" relocate
	section "Ctrl-C at the console: long commands stopped, nothing lost, typed input kept" interrupt
	section "slab allocator: slab_debug=, kmalloc=slob, slabinfo and meminfo" slab
	section "reliability: fault injection, hostile device trees, stress, settings combined" reliability
	section "kmem trace replay: tests/replay traces as the initrd, synthetic traces" replay
	section "pictures of memory: the memmap dump against the reports, and its plots" memmap
	section "boards: sifive_u, U-Boot booti, the SD card image, the Icicle Kit (microchip-icicle-kit)" boards
}

all_start=$(date +%s)
if [ "${RUN_ALL_LANES:-2}" = 1 ]; then
	host_lane
	qemu_lane
else
	echo "make test: two lanes at once, the host's programs and the QEMU boots; each section prints as it ends"
	host_lane &
	host_pid=$!
	qemu_lane &
	qemu_pid=$!
	wait "$host_pid"
	wait "$qemu_pid"
fi
echo "   (all: $(($(date +%s) - all_start)) s)"
awk '{ p += $2; f += $3 } END { printf "%d passed, %d failed\n", p, f; exit (f > 0) }' "$RESULTS"
