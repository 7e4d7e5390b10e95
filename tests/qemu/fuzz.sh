#!/bin/sh
# fuzz.sh [SECONDS] - make test's short fuzzing run: each libFuzzer target
# (tests/fuzz) through tests/fuzz/run.sh, from the committed seeds (a fresh
# working corpus: the time goes to fuzzing, not to replaying what make fuzz
# has collected), in two lanes of SECONDS each (default 30, or
# FUZZ_TEST_SECONDS), side by side: fdt_fuzz, replay_fuzz and cmdline_fuzz
# (a third each), and alloc_fuzz. One result per fuzzer, "fuzz-fdt",
# "fuzz-alloc", "fuzz-replay" and "fuzz-cmdline": passed when it ran its
# time without a crash. A failure
# prints the end of libFuzzer's log without its progress lines (the whole
# log is $LOGDIR/fuzz/NAME.log); the crashing input stays in
# build/fuzz/crashes/NAME/.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

secs=${1:-${FUZZ_TEST_SECONDS:-30}}
names="fdt_fuzz alloc_fuzz replay_fuzz cmdline_fuzz"
# Two lanes side by side (one core each), SECONDS each, shared by the
# fuzzers of a lane. Then the fuzzers are judged in order.
lanes="fdt_fuzz,replay_fuzz,cmdline_fuzz alloc_fuzz"
mkdir -p "$LOGDIR/fuzz"
for name in $names; do rm -f "$LOGDIR/fuzz/$name.rc"; done
for lane in $lanes; do
	n=$(echo "$lane" | tr , ' ' | wc -w)
	(for name in $(echo "$lane" | tr , ' '); do
		tests/fuzz/run.sh -l "$LOGDIR/fuzz" -f "$((secs / n))" "$name" >"$LOGDIR/fuzz/$name.out" 2>&1
		echo $? >"$LOGDIR/fuzz/$name.rc"
	 done) &
done
wait
for name in $names; do
	cat "$LOGDIR/fuzz/$name.out"
	if [ "$(cat "$LOGDIR/fuzz/$name.rc" 2>/dev/null)" = 0 ]; then
		record "fuzz-${name%_fuzz}" 1 0
	else
		echo "----- end of $LOGDIR/fuzz/$name.log, progress lines left out -----"
		grep -v '^#[0-9]' "$LOGDIR/fuzz/$name.log" | tail -n 80
		echo "----- end of fuzz-${name%_fuzz} -----"
		record "fuzz-${name%_fuzz}" 0 1
	fi
done
