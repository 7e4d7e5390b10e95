#!/bin/sh
# fuzz.sh [SECONDS] - make test's short fuzzing run: each libFuzzer target
# (tests/fuzz) for SECONDS (default 30, or FUZZ_TEST_SECONDS) through
# tests/fuzz/run.sh, from the committed seeds (a fresh working corpus: the
# time goes to fuzzing, not to replaying what make fuzz has collected). One
# result per fuzzer, "fuzz-fdt" and "fuzz-alloc": passed when it ran its time
# without a crash. A failure prints the end of libFuzzer's log
# without its progress lines (the whole log is $LOGDIR/fuzz/NAME.log); the
# crashing input stays in build/fuzz/crashes/NAME/.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

secs=${1:-${FUZZ_TEST_SECONDS:-30}}
for name in fdt_fuzz alloc_fuzz; do
	if tests/fuzz/run.sh -l "$LOGDIR/fuzz" -f "$secs" "$name"; then
		record "fuzz-${name%_fuzz}" 1 0
	else
		echo "----- end of $LOGDIR/fuzz/$name.log, progress lines left out -----"
		grep -v '^#[0-9]' "$LOGDIR/fuzz/$name.log" | tail -n 80
		echo "----- end of fuzz-${name%_fuzz} -----"
		record "fuzz-${name%_fuzz}" 0 1
	fi
done
