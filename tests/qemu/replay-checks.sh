#!/bin/sh
# replay-checks.sh - the kmem trace replayer on QEMU virt (docs/replay.md):
# every hand-written trace of tests/replay/ booted as the initrd with
# run=replay;poweroff and checked against the "# expect: " lines it carries
# (the same expectations the host suite `replay` checks), the initrd given
# back to the page allocator afterwards, `replay keep`, a boot without an
# initrd, and synthetic traces from build/gen-trace in both formats, valid
# by construction, replayed without an error and followed by the page
# allocator's self-tests.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

VIRT="-M virt -bios default"
GEN=build/gen-trace

# A "# expect: " pattern as an ERE for a whole console line: the line starts
# with it and ends there or goes on after a blank; '*' is a number.
expect_re() {
	printf '%s' "$1" | sed -e 's/[][\.^$+?(){}|]/\\&/g' -e 's/\*/[0-9]+/g' -e 's/$/( |$)/' -e 's/^/^/'
}

# The console's replay lines, carriage returns dropped.
replay_lines() {
	tr -d '\r' <"$LOGDIR/$1.log" | grep '^replay: '
}

# check_expectations RUN TRACE: one result RUN-expect.
check_expectations() {
	run=$1 trace=$2 why=""
	want_reports=0
	summary=""
	while IFS= read -r line; do
		case "$line" in
		"# expect: "*) ;;
		*) continue ;;
		esac
		pat=${line#"# expect: "}
		re=$(expect_re "$pat")
		if ! replay_lines "$run" | grep -Eq -- "$re"; then
			why="no line matches '$pat'"
			break
		fi
		case "$pat" in
		"replay: line "*) want_reports=$((want_reports + 1)) ;;
		"replay: events="*) summary=$re ;;
		esac
	done <"$trace"
	if [ -z "$why" ]; then
		reports=$(replay_lines "$run" | grep -c '^replay: line ')
		last=$(replay_lines "$run" | tail -n 1)
		if [ "$reports" != "$want_reports" ]; then
			why="$reports line reports, expected $want_reports"
		elif [ -z "$summary" ] || ! printf '%s\n' "$last" | grep -Eq -- "$summary"; then
			why="the last replay line is '$last'"
		elif ! replay_lines "$run" | grep -Eq '^replay: released [0-9]+ initrd pages \([0-9]+ kB\) to the page allocator$'; then
			why="no line saying the initrd was released"
		elif ! replay_lines "$run" | grep -Eq '^replay: kind=kmalloc events=[0-9]+ errors=[0-9]+ insns=[0-9]+$'; then
			why="no instruction counts"
		elif tr -d '\r' <"$LOGDIR/$run.log" | grep -Eq '^BUG: |^kfree: |^slab error|^kmem_cache_destroy: |^node_check: '; then
			why="an allocator complained"
		fi
	fi
	if [ -z "$why" ]; then
		echo "ok   $run-expect"
		record "$run-expect" 1 0
	else
		echo "FAIL $run-expect: $why"
		show_log "$run"
		record "$run-expect" 0 1
	fi
}

for trace in tests/replay/*.txt; do
	name=replay-$(basename "$trace" .txt)
	qemu_run "$name" 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" -initrd "$trace" \
		-append "run=replay;poweroff"
	check "$name" 0 "^replay: trace in the initrd \[mem 0x[0-9a-f]{16}-0x[0-9a-f]{16}\], [0-9]+ bytes$"
	check_expectations "$name" "$trace"
done

# replay keep: the initrd stays reserved and replays again; then it is
# released, and a third replay says so.
qemu_run replay-keep 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" \
	-initrd tests/replay/pages.txt -append 'run="replay keep;replay;replay;poweroff"'
if [ "$(replay_lines replay-keep | grep -c '^replay: events=13 unknown=0 errors=0 peak_kb=60$')" = 2 ] &&
	[ "$(replay_lines replay-keep | grep -c '^replay: released ')" = 1 ]; then
	check replay-keep 0 "^replay: the initrd was released after the last replay"
else
	echo "FAIL replay-keep: expected two replays and one release"
	show_log replay-keep
	record replay-keep 0 1
fi

# An initrd beyond mem= (QEMU puts it above the 64 MiB kept): mapped
# read-only where it lies, replayed twice (nothing to release, so nothing
# released), never a trap.
qemu_run replay-beyond-mem 60 /dev/null $VIRT -smp 1 -m 256M -kernel "$KERNEL" \
	-initrd tests/replay/pages.txt -append 'mem=64M run="replay;replay;poweroff"'
n=$(replay_lines replay-beyond-mem | grep -c '^replay: events=13 unknown=0 errors=0 peak_kb=60$')
[ "$n" = 2 ] && n=ok || n="$n replays completed, expected 2"
verdict replay-beyond-mem replay-beyond-mem-twice "$n"
check replay-beyond-mem 0 "^paging: the initrd at 0x[0-9a-f]+ lies outside RAM: [0-9]+ pages? mapped read-only$" \
	"^replay: the initrd lies outside the RAM rvmm manages \(mem=, or the tree's RAM\): no pages to release$"
no_log replay-beyond-mem replay-beyond-mem-no-trap "unexpected trap" "^replay: released "

# No initrd: said so, nothing else happens.
qemu_run replay-no-initrd 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" \
	-append "run=replay;poweroff"
check replay-no-initrd 0 "^replay: no initrd; boot with the trace as the initrd"

# Synthetic traces, valid by construction: every event applies, and the
# page allocator's and the memory reports' self-tests pass after the initrd
# went back to it.
if [ -x "$GEN" ]; then
	"$GEN" 20000 >"$LOGDIR/gen-trace-20k.txt"
	"$GEN" -f report -s 7 5000 >"$LOGDIR/gen-report-5k.txt"
	ktest_run replay-gen-20k 120 $VIRT -smp 1 -m 256M -kernel "$KERNEL" \
		-initrd "$LOGDIR/gen-trace-20k.txt" -append 'run="replay;ktest page_alloc mm_report;poweroff"'
	check_log replay-gen-20k replay-gen-20k-clean \
		"^replay: events=20000 unknown=0 errors=0 peak_kb=[0-9]+$" \
		"^replay: kind=kmem_cache_alloc events=[0-9]+ errors=0 insns=[0-9]+$" \
		"^replay: released [0-9]+ initrd pages"
	qemu_run replay-gen-report-5k 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" \
		-initrd "$LOGDIR/gen-report-5k.txt" -append "run=replay;poweroff"
	check replay-gen-report-5k 0 "^replay: events=5000 unknown=0 errors=0 peak_kb=[0-9]+$"
else
	echo "FAIL replay-gen: $GEN is missing (make test-build builds it)"
	record replay-gen 0 1
fi
