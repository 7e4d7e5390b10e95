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

# record NAME PASSED FAILED
record() {
	echo "$1 $2 $3" >>"$RESULTS"
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
	RC=0
	timeout -k 5 "$secs" "$QEMU" -nographic -no-reboot "$@" \
		<"$input" >"$LOGDIR/$name.log" 2>&1 || RC=$?
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

# ktest_run NAME TIMEOUT QEMU_ARGS...: a ktest=... boot; passes when QEMU
# exits 0 and the closing line reports no failure.
ktest_run() {
	name=$1 secs=$2
	shift 2
	qemu_run "$name" "$secs" /dev/null "$@"
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
