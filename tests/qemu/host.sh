#!/bin/sh
# host.sh BINARY DTB_DIR - run the host unit tests and record their totals.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh
bin=$1 dtbs=$2
run_host_suites host "$bin" "$dtbs" || exit 1

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
