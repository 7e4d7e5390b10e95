#!/bin/sh
# bench.sh - run the `bench` console command on QEMU virt, one hart,
# -icount shift=0 (instret is then exact), print its lines and rewrite
# docs/benchmarks.md from them.
set -eu
cd "$(dirname "$0")/.."
KERNEL=${KERNEL:-build/rvmm.elf}
LOG=build/bench.log
CMD="qemu-system-riscv64 -M virt -bios default -nographic -smp 1 -m 512M -icount shift=0 -kernel $KERNEL -append \"run=bench;poweroff\""

mkdir -p build
timeout 600 qemu-system-riscv64 -M virt -bios default -nographic -no-reboot -smp 1 -m 512M \
	-icount shift=0 -kernel "$KERNEL" -append "run=bench;poweroff" </dev/null >"$LOG" 2>&1 || {
	echo "bench: QEMU failed; log in $LOG" >&2
	cat "$LOG" >&2
	exit 1
}
tr -d '\r' <"$LOG" | grep '^bench: ' >build/bench.txt || true
if ! grep -q 'insns=' build/bench.txt; then
	echo "bench: no measurements in the log ($LOG)" >&2
	exit 1
fi
cat build/bench.txt

qemu_version=$(qemu-system-riscv64 --version | head -n 1)
{
	echo "# Benchmarks"
	echo
	echo "Instructions per operation, counted with rdinstret on QEMU virt, one hart, \`-icount shift=0\` (every"
	echo "instruction counts one, so the figures are exact and repeatable). An alloc + free pair counts as one"
	echo "operation. The loop's own instructions are subtracted; calls and argument set-up are included."
	echo
	echo "Made by \`make bench\` on $(date -u +%Y-%m-%d) with $qemu_version:"
	echo
	echo "    $CMD"
	echo
	echo "| benchmark | parameters | instructions per operation |"
	echo "|---|---|---|"
	# "bench: NAME k=v ... insns=N k=v ..." -> "| NAME | k=v ... | N |"
	awk '$1 == "bench:" && /insns=/ {
		params = ""; insns = ""
		for (i = 3; i <= NF; i++) {
			if ($i ~ /^insns=/) { insns = substr($i, 7) }
			else { params = params (params == "" ? "" : " ") $i }
		}
		printf "| %s | %s | %s |\n", $2, params, insns
	}' build/bench.txt
	echo
	echo "Targets: page_alloc order 0 <= 60 instructions per pair (the per-hart fast path)."
	echo
	echo "What each one measures: docs/memory.md, section \"Speed\"."
} >docs/benchmarks.md
echo "bench: docs/benchmarks.md rewritten"
