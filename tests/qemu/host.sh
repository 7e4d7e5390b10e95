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
