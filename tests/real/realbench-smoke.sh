#!/bin/sh
# realbench-smoke.sh - make realbench's script on one small input
# (REALBENCH_MODE=tiny: one sqlite3 run per malloc under callgrind and
# /usr/bin/time), writing into a copy of docs/benchmarks.md. Passes when
# the script succeeds (which includes callgrind's call counts matching the
# shim's counters) and the copy's generated section has one row per malloc
# with the same numbers of calls.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

dir=$LOGDIR/realbench-smoke
rm -rf "$dir"
mkdir -p "$dir"
cp docs/benchmarks.md "$dir/benchmarks.md"
RC=0
REALBENCH_MODE=tiny REALBENCH_DOC=$dir/benchmarks.md REALBENCH_DIR=$dir/work \
	scripts/realbench.sh >"$LOGDIR/realbench-smoke.log" 2>&1 || RC=$?
rows=$(sed -n '/^<!-- realbench: begin/,/^<!-- realbench: end/p' "$dir/benchmarks.md" |
	grep -E '^\| sqlite-tiny \| (glibc|slab|slob) \| [0-9]+ \| [0-9]+ \| [0-9.]+ \| [0-9.]+ \|')
calls=$(echo "$rows" | awk -F'|' '{ print $4 $5 }' | sort -u | wc -l)
if [ "$RC" = 0 ] && [ "$(echo "$rows" | wc -l)" = 3 ] && [ "$calls" = 1 ]; then
	echo "ok   realbench-smoke: three rows, the same calls on glibc, slab and slob"
	record realbench-smoke 1 0
else
	echo "FAIL realbench-smoke: exit status $RC, rows:"
	echo "$rows"
	show_log realbench-smoke
	record realbench-smoke 0 1
fi
