#!/bin/sh
# Boot rvmm on QEMU virt with OpenSBI, the console on this terminal.
# Arguments are passed to QEMU (make run gives -smp, -m, -kernel, -append).
# Leave QEMU with Ctrl-A X.
#
# Standard input from a terminal goes straight to QEMU. Piped input is held
# until the kernel's `rvmm> ` prompt is on the console, then passed through,
# so every byte reaches the shell (OpenSBI's UART init would drop the first
# one). The console output streams to standard output as it comes. When the
# input ends, a Ctrl-D follows it: the shell runs what it was given, then
# powers off with 0 if the last command succeeded, else 1, as a shell ends
# at the end of its script (input that ends without poweroff no longer
# leaves QEMU running). If the kernel powers off without a prompt, the input
# is never read. Exits with QEMU's status (on virt, the kernel's exit code).
# Piped input also gets -no-reboot: where power-off is a reset (sifive_u,
# a tree without the finisher: SBI SRST shutdown refused, cold reboot
# instead), the end of the input ends QEMU instead of booting the machine
# again to a prompt no input will reach; a `reboot` then ends it too.
# Where power-off cannot carry the exit code (SBI SRST: sifive_u, a tree
# without the finisher) QEMU exits with 0; the kernel's last line
# `power: off through SBI system reset (exit code N)` has the code, and
# that is the status then, so piped input ends with the status of its last
# command on every machine.
# Piped input is the guest's alone: the console is a plain -serial stdio,
# with no QEMU monitor and no Ctrl-A escape (-nographic's multiplexer took
# a piped Ctrl-A X as "quit QEMU", with status 0 and the rest of the input
# never run, and Ctrl-A C as "switch to the monitor", which then ran the
# lines that followed as monitor commands on the host).
set -u
QEMU=qemu-system-riscv64

if [ -t 0 ]; then
	exec "$QEMU" -M virt -bios default -nographic "$@"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rvmm-run.XXXXXX") || exit 1
qemu_pid='' tee_pid='' feed_pid=''
cleanup() {
	for p in $feed_pid $qemu_pid $tee_pid; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

mkfifo "$tmp/in" "$tmp/out" || exit 1
exec 4<&0 # background commands would get /dev/null for standard input

# QEMU's output goes to standard output and to $tmp/console, which
# feed-after.sh watches for the prompt. tee -p keeps writing the file after
# standard output is closed (make run | head), so the prompt is still seen.
# Arguments that name serial ports themselves (microchip-icicle-kit's
# console is its second: -serial null -serial stdio) get no -serial here.
serial='-serial stdio'
for arg in "$@"; do
	[ "$arg" = -serial ] && serial=''
done
"$QEMU" -M virt -bios default -display none $serial -monitor none -no-reboot "$@" \
	<"$tmp/in" >"$tmp/out" &
qemu_pid=$!
tee -p "$tmp/console" <"$tmp/out" &
tee_pid=$!
"$(dirname "$0")/feed-after.sh" 'rvmm> ' "$tmp/console" "$qemu_pid" '\004' <&4 >"$tmp/in" &
feed_pid=$!
exec 4<&-

wait "$qemu_pid"
rc=$?
qemu_pid=''
wait "$tee_pid" # the last of the output
tee_pid=''
if [ "$rc" = 0 ]; then
	srst=$(tr -d '\r' <"$tmp/console" |
		sed -n 's/^power: off through SBI system reset (exit code \([0-9]*\))$/\1/p' | tail -n 1)
	rc=${srst:-0}
fi
exit "$rc" # cleanup ends the copying of input still unread
