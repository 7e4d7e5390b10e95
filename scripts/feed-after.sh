#!/bin/sh
# feed-after.sh PATTERN LOG PID [END] - copy standard input to standard
# output, but only once the file LOG (a console log another process is
# writing) has a line matching grep -E PATTERN. Polls every 0.1 s. END, when
# given, is written (printf %b) after the input's last byte: make run sends
# Ctrl-D, on which rvmm's shell ends as a shell ends at the end of a script.
#
# If process PID (the one writing LOG) ends and LOG still has no match,
# nothing is copied and standard input is never read: exit status 1.
# Otherwise the copying is done by cat, and killing this process (SIGTERM)
# ends it too.
#
# Why: a console's receiver may drop input that arrives early. OpenSBI's
# UART init discards a byte QEMU already holds, and U-Boot's autoboot
# countdown takes and drops keys; input held until the guest's prompt
# reaches the prompt whole.
set -u
pattern=$1 log=$2 pid=$3

seen() {
	[ -f "$log" ] && grep -Eq -- "$pattern" "$log"
}

while ! seen; do
	if ! kill -0 "$pid" 2>/dev/null; then
		seen && break # the match came with the last output
		exit 1
	fi
	sleep 0.1
done
if [ $# -lt 4 ]; then
	exec cat
fi
exec 3<&0 # an asynchronous command's standard input would be /dev/null
cat <&3 &
cat_pid=$!
trap 'kill "$cat_pid" 2>/dev/null; exit 143' TERM
wait "$cat_pid" && printf '%b' "$4"
