#!/bin/sh
# interrupt-checks.sh - Ctrl-C at the console (shell_interrupted, shell/shell.c;
# docs/boot.md "Interrupting a command"), typed as a user types it: the
# input goes to QEMU piece by piece, each piece once the console shows what
# it waits for.
#   - `stress 1T` (days of work on 2 harts) stops at Ctrl-C with
#     "stress: interrupted after N operations" and no error or leak; the
#     characters typed during it before the Ctrl-C ("echo typ") and after
#     it ("ed ahead") make the next line, which runs; after it, MemFree is what
#     it was after drop_caches before the stress (a short stress ran first,
#     so the kmalloc caches a stress makes, which stay, exist before);
#   - `memmap-timeline 1 4294967295 4294967295` stops the same way, every
#     block freed, MemFree again as before;
#   - `ktest all all ...` stops between cases with its own line, not the
#     closing line;
#   - the shell goes on: poweroff 3 is obeyed.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

VIRT="-M virt -bios default"
name=interrupt
log="$LOGDIR/$name.log"

# prompts: how many `rvmm> ` prompts the console has shown.
prompts() {
	tr -d '\r' <"$log" | grep -o 'rvmm> ' | wc -l
}

# note TEXT: a line of the runner's own, added to the log once QEMU is done
# (QEMU's writes would overwrite it before).
note() {
	echo "[$*]" >>"$notes"
}

# wait_prompts N: wait (up to 60 s) until the console has shown N prompts.
# Fails when QEMU ended or the time ran out.
wait_prompts() {
	tries=0
	while [ "$(prompts)" -lt "$1" ]; do
		kill -0 "$qemu_pid" 2>/dev/null || { note "QEMU ended before prompt $1"; return 1; }
		[ "$tries" -lt 300 ] || { note "no prompt $1 in 60 s"; return 1; }
		sleep 0.2
		tries=$((tries + 1))
	done
}

# running N CMD: with N prompts shown, type CMD, give it 3 s and check
# that it still runs (no new prompt).
running() {
	wait_prompts "$1" || return 1
	printf '%s\n' "$2" >&3
	sleep 3
	[ "$(prompts)" -eq "$1" ] || { note "'$2' ended within 3 s, before the Ctrl-C"; return 1; }
}

# A write to the FIFO after QEMU ended (the kernel crashed or powered off
# early) must fail the write, not kill this script with SIGPIPE before
# anything is checked and recorded.
trap '' PIPE

fifo="$LOGDIR/$name.fifo"
notes="$LOGDIR/$name.notes"
rm -f "$fifo" "$notes"
mkfifo "$fifo"
: >"$log"
timeout -k 5 120 "$QEMU" -nographic -no-reboot $VIRT -smp 2 -m 256M -kernel "$KERNEL" \
	<"$fifo" >"$log" 2>&1 &
qemu_pid=$!
exec 3>"$fifo"
wait_prompts 1 &&
	printf 'stress 20000\ndrop_caches\nmeminfo\n' >&3 &&
	running 4 'stress 1T' &&
	printf 'echo typ' >&3 && sleep 1 && printf '\003' >&3 && sleep 1 &&
	printf 'ed ahead\ndrop_caches\nmeminfo\n' >&3 &&
	running 8 'memmap-timeline 1 4294967295 4294967295' &&
	printf '\003' >&3 &&
	wait_prompts 9 &&
	printf 'drop_caches\nmeminfo\n' >&3 &&
	running 11 'ktest all all all all all all all all all all' &&
	printf '\003' >&3 &&
	wait_prompts 12 &&
	printf 'poweroff 3\n' >&3
RC=0
wait "$qemu_pid" || RC=$?
exec 3>&-
rm -f "$fifo"
[ "$RC" = 124 ] && note "timeout after 120s"
[ -f "$notes" ] && cat "$notes" >>"$log"

check interrupt 3 \
	"^stress: interrupted after [0-9]+ operations$" \
	"^stress: ops=[0-9]+ errors=0 leaked_pages=0$" \
	"^rvmm> echo typed ahead$" "^typed ahead$" \
	"^memmap-timeline: interrupted after [0-9]+ steps; every block freed$" \
	"^memmap-sample: step=[0-9]+ phase=pcp-drained .* live_kb=0$" \
	"^ktest: interrupted after [0-9]+ cases \([0-9]+ passed, 0 failed\)$" \
	"^power: off \(exit code 3\)$"
no_log interrupt interrupt-no-closing-line "^ktest: [0-9]+ passed" "^(echo|ed|typ)[^ ]*: unknown command"

# MemFree of the meminfo commands typed (each after drop_caches): before
# the stress, after it, after memmap-timeline.
free=$(tr -d '\r' <"$log" | awk '/^rvmm> / { typed = $0 == "rvmm> meminfo" }
	typed && /^MemFree:/ { printf "%s ", $2 }')
set -- $free
if [ $# = 3 ] && [ "$1" = "$2" ] && [ "$1" = "$3" ]; then
	echo "ok   interrupt-nothing-lost: MemFree $1 kB before, after stress, after memmap-timeline"
	record interrupt-nothing-lost 1 0
else
	echo "FAIL interrupt-nothing-lost: MemFree (kB) before and after the interrupted commands: $free"
	record interrupt-nothing-lost 0 1
fi
