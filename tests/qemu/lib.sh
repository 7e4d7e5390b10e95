# lib.sh - helpers for the test runners (sourced, POSIX sh).
#
# Every run's console goes to $LOGDIR/NAME.log. A run's result is one line
# "NAME PASSED FAILED" appended to $RESULTS, which tests/run-all.sh totals.
# A run that fails prints its console log.

: "${LOGDIR:=build/test-logs}"
: "${RESULTS:=$LOGDIR/results}"
: "${KERNEL:=build/rvmm.elf}"
mkdir -p "$LOGDIR"

QEMU="${QEMU:-qemu-system-riscv64}"

# preload_path: the malloc library as LD_PRELOAD can name it (a tree whose
# path has a space).
. scripts/preload-path.sh

# record NAME PASSED FAILED
record() {
	echo "$1 $2 $3" >>"$RESULTS"
}

# timed_since NAME START: append "NAME SECONDS" (wall time since START, from
# `date +%s`) to $LOGDIR/timings: where make test's minutes go.
timed_since() {
	echo "$1 $(($(date +%s) - $2))" >>"$LOGDIR/timings"
}

# target NAME VALUE OP BOUND: one asserted bench result, e.g.
# `target kmalloc-slab "$insns" -le 40`; an empty VALUE (the line was not
# printed) fails.
target() {
	if [ -n "$2" ] && [ "$2" "$3" "$4" ]; then
		echo "ok   $1: $2 $3 $4"
		record "$1" 1 0
	else
		echo "FAIL $1: '$2' is not $3 $4"
		record "$1" 0 1
	fi
}

# all_planted_caught NAME TOOL: the run NAME's last "TOOL: C of N planted
# bugs caught" line must have C = N > 0 (recorded as TOOL-100-percent).
all_planted_caught() {
	line=$(tr -d '\r' <"$LOGDIR/$1.log" | grep "^$2: [0-9]* of [0-9]* planted bugs caught\$" | tail -n 1)
	set -- "$2" $line
	if [ -n "$line" ] && [ "$3" = "$5" ] && [ "$3" -gt 0 ]; then
		echo "ok   $1-100-percent: $line"
		record "$1-100-percent" 1 0
	else
		echo "FAIL $1-100-percent: ${line:-no count line}"
		record "$1-100-percent" 0 1
	fi
}

show_log() {
	echo "----- console log of $1 ($LOGDIR/$1.log) -----"
	cat "$LOGDIR/$1.log"
	echo "----- end of $1 -----"
}

# qemu_run NAME TIMEOUT_SECONDS INPUT_FILE QEMU_ARGS...
# Runs QEMU with stdin from INPUT_FILE (/dev/null for none). Sets RC to its
# exit status (124 after a timeout).
qemu_run() {
	name=$1 secs=$2 input=$3
	shift 3
	RC=0 run_start=$(date +%s)
	timeout -k 5 "$secs" "$QEMU" -nographic -no-reboot "$@" \
		<"$input" >"$LOGDIR/$name.log" 2>&1 || RC=$?
	timed_since "$name" "$run_start"
	if [ "$RC" = 124 ]; then
		echo "[timeout after ${secs}s]" >>"$LOGDIR/$name.log"
	fi
}

# closing_counts NAME: print "P F" from the log's "ktest: P passed, F failed"
# line (the closing line must be alone on its line), or nothing.
closing_counts() {
	tr -d '\r' <"$LOGDIR/$1.log" |
		sed -n 's/^ktest: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p' | tail -n 1
}

# run_host_suites NAME BINARY DTB_DIR: every suite of a host test program
# (build/host-tests, or its clang build), its log $LOGDIR/NAME.log, its
# totals recorded as NAME (a failure counted when it exits non-zero with
# none failed). Returns 1 when the program ended without its closing line.
run_host_suites() {
	name=$1
	RC=0
	timeout -k 5 300 "$2" -d "$3" all >"$LOGDIR/$name.log" 2>&1 || RC=$?
	counts=$(closing_counts "$name")
	if [ -z "$counts" ]; then
		echo "FAIL $name: the test program ended without its closing line (status $RC)"
		show_log "$name"
		record "$name" 0 1
		return 1
	fi
	set -- $counts
	if [ "$2" = 0 ] && [ "$RC" = 0 ]; then
		echo "ok   $name: $1 passed"
	else
		echo "FAIL $name: $1 passed, $2 failed (status $RC)"
		grep -E '^not ok|^    # also' "$LOGDIR/$name.log" || show_log "$name"
		[ "$2" = 0 ] && set -- "$1" 1
	fi
	record "$name" "$1" "$2"
}

# ktest_run NAME TIMEOUT QEMU_ARGS...: a ktest=... boot; passes when QEMU
# exits 0 and the closing line reports no failure.
ktest_run() {
	name=$1 secs=$2
	shift 2
	qemu_run "$name" "$secs" /dev/null "$@"
	ktest_judge "$name"
}

# ktest_run_console NAME TIMEOUT QEMU_ARGS...: ktest_run for a machine whose
# power off QEMU may ignore (qemu_run_console).
ktest_run_console() {
	name=$1 secs=$2
	shift 2
	qemu_run_console "$name" "$secs" "$@"
	ktest_judge "$name"
}

# ktest_judge NAME: record the result of a ktest boot from its closing line
# and RC.
ktest_judge() {
	name=$1
	counts=$(closing_counts "$name")
	if [ -z "$counts" ]; then
		echo "FAIL $name: no closing ktest line (exit status $RC)"
		show_log "$name"
		record "$name" 0 1
		return
	fi
	set -- $counts
	passed=$1 failed=$2
	if [ "$RC" != 0 ] && [ "$failed" = 0 ]; then
		failed=1 # the tests passed but the run did not end cleanly
	fi
	if [ "$failed" = 0 ]; then
		echo "ok   $name: $passed passed"
	else
		echo "FAIL $name: $passed passed, $failed failed (exit status $RC)"
		tr -d '\r' <"$LOGDIR/$name.log" | grep -E '^not ok|^    # also' || show_log "$name"
	fi
	record "$name" "$passed" "$failed"
}

# verdict RUN RESULT TEXT: record TEXT ("ok ..." or a reason) as RESULT.
verdict() {
	case "$3" in
	ok*)
		echo "ok   $2: ${3#ok }"
		record "$2" 1 0
		;;
	*)
		echo "FAIL $2: $3"
		show_log "$1"
		record "$2" 0 1
		;;
	esac
}

# expect_log NAME PATTERN...: each grep -E pattern must match the log.
# Prints the first one missing, returns 1 if any is.
expect_log() {
	name=$1
	shift
	for pat in "$@"; do
		if ! tr -d '\r' <"$LOGDIR/$name.log" | grep -Eq -- "$pat"; then
			echo "FAIL $name: console log lacks /$pat/"
			return 1
		fi
	done
	return 0
}

# check NAME EXPECTED_RC PATTERN...: a boot whose exit status and console
# output are checked; one result (pass or fail) is recorded.
check() {
	name=$1 want=$2
	shift 2
	if [ "$RC" != "$want" ]; then
		echo "FAIL $name: exit status $RC, expected $want"
		show_log "$name"
		record "$name" 0 1
	elif expect_log "$name" "$@"; then
		echo "ok   $name"
		record "$name" 1 0
	else
		show_log "$name"
		record "$name" 0 1
	fi
}

# check_log RUN RESULT PATTERN...: more expectations on the log of an earlier
# run RUN, recorded as a result of their own named RESULT.
check_log() {
	run=$1 result=$2
	shift 2
	if expect_log "$run" "$@"; then
		echo "ok   $result"
		record "$result" 1 0
	else
		show_log "$run"
		record "$result" 0 1
	fi
}

# no_log RUN RESULT PATTERN...: none of the grep -E patterns may match the
# log of RUN; recorded as RESULT.
no_log() {
	run=$1 result=$2
	shift 2
	for pat in "$@"; do
		if tr -d '\r' <"$LOGDIR/$run.log" | grep -Eq -- "$pat"; then
			echo "FAIL $result: console log has /$pat/:"
			tr -d '\r' <"$LOGDIR/$run.log" | grep -E -- "$pat" | head -n 5
			record "$result" 0 1
			return
		fi
	done
	echo "ok   $result"
	record "$result" 1 0
}

# qemu_feed NAME TIMEOUT_SECONDS PATTERN INPUT_FILE QEMU_ARGS...
# As qemu_run, but INPUT_FILE reaches QEMU only once the console log has a
# line matching grep -E PATTERN (scripts/feed-after.sh); until then QEMU's
# standard input is open and empty. Input that arrives earlier can be lost:
# OpenSBI's UART init drops a byte QEMU already holds, and U-Boot's autoboot
# countdown drops keys. If QEMU ends before PATTERN appears, nothing is fed.
# Sets RC to QEMU's exit status (124 after a timeout).
qemu_feed() {
	feed_name=$1 feed_secs=$2 feed_pattern=$3 feed_input=$4
	shift 4
	feed_fifo=$LOGDIR/$feed_name.stdin
	rm -f "$feed_fifo"
	mkfifo "$feed_fifo"
	: >"$LOGDIR/$feed_name.log" # no match from an earlier run's log
	feed_start=$(date +%s)
	timeout -k 5 "$feed_secs" "$QEMU" -nographic -no-reboot "$@" \
		<"$feed_fifo" >"$LOGDIR/$feed_name.log" 2>&1 &
	feed_qemu=$!
	scripts/feed-after.sh "$feed_pattern" "$LOGDIR/$feed_name.log" "$feed_qemu" \
		<"$feed_input" >"$feed_fifo" &
	feed_pid=$!
	RC=0
	wait "$feed_qemu" || RC=$?
	kill "$feed_pid" 2>/dev/null
	wait "$feed_pid" 2>/dev/null
	rm -f "$feed_fifo"
	timed_since "$feed_name" "$feed_start"
	if [ "$RC" = 124 ]; then
		echo "[timeout after ${feed_secs}s]" >>"$LOGDIR/$feed_name.log"
	fi
}

# qemu_run_console NAME TIMEOUT_SECONDS QEMU_ARGS...: as qemu_run with no
# input, for machines whose power off QEMU ignores (the HiFive Unmatched's
# gpio-poweroff: OpenSBI drives the GPIO and parks the hart; QEMU runs on).
# Once the console has the closing ktest line, QEMU gets 3 s to exit by
# itself (0.4 s once the kernel's "power: ..." line follows: the kernel
# prints nothing after it), then the runner ends it and RC is 0: the
# result is read from the console, never from the exit status. Sets RC as
# qemu_run does. A QEMU that aborts before the kernel starts is run once
# more (below).
qemu_run_console() {
	console_name=$1 console_secs=$2
	shift 2
	qemu_run_until "$console_name" "$console_secs" '^ktest: [0-9]+ passed, [0-9]+ failed$' "$@"
}

# qemu_run_until NAME TIMEOUT_SECONDS PATTERN QEMU_ARGS...: as
# qemu_run_console, for a run whose last line is PATTERN (grep -E) rather
# than the closing ktest line: a machine that halts rather than powering off.
qemu_run_until() {
	until_name=$1 until_secs=$2 until_pattern=$3
	shift 3
	qemu_run_console_once "$until_name" "$until_secs" "$until_pattern" "$@"
	if qemu_died_before_kernel "$until_name"; then
		qemu_run_console_once "$until_name" "$until_secs" "$until_pattern" "$@"
	fi
}

# qemu_died_before_kernel NAME: QEMU aborted (SIGABRT, exit status 134)
# before the kernel printed a line: QEMU 7.2's own heap check has fired
# that way on sifive_u ("corrupted size vs. prev_size", during OpenSBI's
# banner, in about one run in ten of linux-unmatched). Keeps that log as
# NAME.qemu-abort.log, says so in the new one, and returns 0 (run again).
qemu_died_before_kernel() {
	[ "$RC" = 134 ] || return 1
	! grep -q '^rvmm' "$LOGDIR/$1.log" || return 1
	mv "$LOGDIR/$1.log" "$LOGDIR/$1.qemu-abort.log"
	echo "[QEMU aborted before the kernel started (its log: $1.qemu-abort.log): run again]"
	return 0
}

# log_has NAME PATTERN: the console log has a line matching grep -E PATTERN.
log_has() {
	tr -d '\r' <"$LOGDIR/$1.log" | grep -Eq -- "$2"
}

# log_has_after NAME FIRST PATTERN: a line matching PATTERN follows the
# last line matching FIRST (both awk EREs) in the console log.
log_has_after() {
	tr -d '\r' <"$LOGDIR/$1.log" |
		awk -v a="$2" -v b="$3" '$0 ~ a { on = 1; seen = 0; next } on && $0 ~ b { seen = 1 } END { exit !seen }'
}

qemu_run_console_once() {
	name=$1 secs=$2 last_line=$3
	shift 3
	: >"$LOGDIR/$name.log"
	console_start=$(date +%s)
	timeout -k 5 "$secs" "$QEMU" -nographic -no-reboot "$@" \
		</dev/null >"$LOGDIR/$name.log" 2>&1 &
	console_qemu=$!
	while kill -0 "$console_qemu" 2>/dev/null && ! log_has "$name" "$last_line"; do
		sleep 0.2
	done
	# up to 3 s (15 polls) for QEMU to exit; 2 polls more once the
	# kernel's own last line ("power: off ..." or "power: no way to power
	# off; halted") follows
	polls=15 waited=0
	while [ "$waited" -lt "$polls" ] && kill -0 "$console_qemu" 2>/dev/null; do
		if [ "$polls" = 15 ] && [ "$waited" -lt 13 ] &&
			log_has_after "$name" "$last_line" '^power: '; then
			polls=$((waited + 2))
		fi
		sleep 0.2
		waited=$((waited + 1))
	done
	if kill -0 "$console_qemu" 2>/dev/null; then
		kill "$console_qemu" 2>/dev/null
		wait "$console_qemu" 2>/dev/null
		RC=0
		echo "[QEMU still running after its last line: ended by the runner]" >>"$LOGDIR/$name.log"
	else
		RC=0
		wait "$console_qemu" || RC=$?
	fi
	timed_since "$name" "$console_start"
	if [ "$RC" = 124 ]; then
		echo "[timeout after ${secs}s]" >>"$LOGDIR/$name.log"
	fi
}
