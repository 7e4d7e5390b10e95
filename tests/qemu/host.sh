#!/bin/sh
# host.sh BINARY DTB_DIR - run the host unit tests and record their totals.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh
bin=$1 dtbs=$2
RC=0
timeout -k 5 300 "$bin" -d "$dtbs" all >"$LOGDIR/host.log" 2>&1 || RC=$?
counts=$(closing_counts host)
if [ -z "$counts" ]; then
	echo "FAIL host: the test program ended without its closing line (status $RC)"
	show_log host
	record host 0 1
	exit 1
fi
set -- $counts
if [ "$2" = 0 ] && [ "$RC" = 0 ]; then
	echo "ok   host: $1 passed"
else
	echo "FAIL host: $1 passed, $2 failed (status $RC)"
	grep -E '^not ok|^    # also' "$LOGDIR/host.log" || show_log host
	[ "$2" = 0 ] && set -- "$1" 1
fi
record host "$1" "$2"

# Each suite on its own, as docs/README show running one: a suite must set
# up what it uses (the slob suite's first kmalloc, run alone, read a per-hart
# pair only another suite's fixture had set up, and crashed).
alone_failed=""
for suite in $("$bin" -l | awk '{print $1}'); do
	timeout -k 5 120 "$bin" -d "$dtbs" "$suite" >"$LOGDIR/host-alone-$suite.log" 2>&1 ||
		alone_failed="$alone_failed $suite"
done
if [ -z "$alone_failed" ]; then
	echo "ok   host-suites-alone: every suite passes run on its own"
	record host-suites-alone 1 0
else
	echo "FAIL host-suites-alone: run on their own, these fail:$alone_failed"
	for suite in $alone_failed; do tail -5 "$LOGDIR/host-alone-$suite.log"; done
	record host-suites-alone 0 1
fi
