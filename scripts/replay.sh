#!/bin/sh
# replay.sh [TRACE] - replay a Linux kmem trace (ftrace text) on QEMU virt,
# one hart, -icount shift=0 (instruction counts exact), and print the
# replayer's lines: per event kind the events, errors and instructions per
# allocator call, the state at the end of the trace, and the summary. The
# trace goes in as the initrd (docs/replay.md). `make replay TRACE=file`.
#
# Without TRACE: build/trace-N.txt, N = REPLAY_EVENTS (200000), made by
# build/gen-trace when missing or older than the generator.
# REPLAY_MEM: QEMU's RAM (default: enough for the trace, at least 512M).
set -eu
trace=${1:-}
case "$trace" in
"" | /*) ;;
*) trace=$PWD/$trace ;; # relative to where make (or the user) ran it
esac
cd "$(dirname "$0")/.."
KERNEL=${KERNEL:-build/rvmm.elf}
EVENTS=${REPLAY_EVENTS:-200000}
LOG=build/replay.log
mkdir -p build

if [ -z "$trace" ]; then
	trace=build/trace-$EVENTS.txt
	if [ ! -s "$trace" ] || [ build/gen-trace -nt "$trace" ]; then
		echo "replay: generating $trace ($EVENTS events, build/gen-trace)"
		build/gen-trace "$EVENTS" >"$trace.tmp"
		mv "$trace.tmp" "$trace"
	fi
fi
if [ ! -r "$trace" ]; then
	echo "replay: cannot read $trace" >&2
	exit 1
fi
case "$(od -An -tx1 -N2 "$trace" | tr -d ' \n')" in
1f8b)
	echo "replay: $trace is gzip-compressed: gunzip it first" >&2
	exit 1
	;;
esac

# QEMU loads the initrd 128 MiB above the kernel (with 256 MiB of RAM or
# more): room for that, the trace, and 384 MiB for the replay itself.
size_mb=$(( ($(wc -c <"$trace") + 1048575) / 1048576 ))
mem_mb=$((130 + size_mb + 384))
[ "$mem_mb" -ge 512 ] || mem_mb=512
MEM=${REPLAY_MEM:-${mem_mb}M}

echo "replay: qemu-system-riscv64 -M virt -bios default -nographic -smp 1 -m $MEM -icount shift=0" \
	"-kernel $KERNEL -initrd $trace -append \"run=replay;poweroff\""
start=$(date +%s)
if ! timeout 3600 qemu-system-riscv64 -M virt -bios default -nographic -no-reboot -smp 1 -m "$MEM" \
	-icount shift=0 -kernel "$KERNEL" -initrd "$trace" -append "run=replay;poweroff" \
	</dev/null >"$LOG" 2>&1; then
	echo "replay: QEMU failed; its log:" >&2
	cat "$LOG" >&2
	exit 1
fi
tr -d '\r' <"$LOG" | grep '^replay: ' || true
if ! tr -d '\r' <"$LOG" | grep -q '^replay: events='; then
	echo "replay: no summary line; the console log is in $LOG" >&2
	exit 1
fi
echo "replay: $(($(date +%s) - start)) s on QEMU; the console log is in $LOG"
