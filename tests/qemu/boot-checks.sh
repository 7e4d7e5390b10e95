#!/bin/sh
# boot-checks.sh - QEMU virt boots checked from the outside: the raw Image
# with its header, the boot log, the shell fed through standard input, run=
# scripts, exit codes, and the trap report; make run with piped input, and
# make debug with make gdb attached.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

VIRT="-M virt -bios default"

# The Linux RISC-V Image header that U-Boot's booti checks.
image_header() {
	name=image-header
	img=build/Image
	magic2=$(od -An -tx1 -j 56 -N 4 "$img" | tr -d ' \n')
	text_offset=$(od -An -tu8 -j 8 -N 8 "$img" | tr -d ' ')
	image_size=$(od -An -tu8 -j 16 -N 8 "$img" | tr -d ' ')
	start=$(riscv64-unknown-elf-nm build/rvmm.elf | awk '$3 == "_start" { print $1 }')
	end=$(riscv64-unknown-elf-nm build/rvmm.elf | awk '$3 == "_end" { print $1 }')
	want_size=$(( 0x$end - 0x$start ))
	if [ "$magic2" = 52534305 ] && [ "$text_offset" = 2097152 ] &&
		[ "$image_size" = "$want_size" ] && [ "$image_size" -ge "$(stat -c %s "$img")" ]; then
		echo "ok   $name"
		record $name 1 0
	else
		echo "FAIL $name: magic2=$magic2 text_offset=$text_offset image_size=$image_size (want $want_size)"
		record $name 0 1
	fi
}
image_header

# The raw Image boots too (as U-Boot or qemu -kernel Image would load it).
qemu_run raw-image 60 /dev/null $VIRT -smp 2 -m 256M -kernel build/Image -append "run=poweroff"
check raw-image 0 "harts: 2 of 2 up" "rvmm ready"

# The boot log: memory map in Linux's format with every reservation named.
qemu_run boot-log 60 /dev/null $VIRT -smp 4 -m 128M -kernel "$KERNEL" -append "run=poweroff"
check boot-log 0 \
	"rvmm: booting on hart [0-3], device tree at 0x" \
	"^Early memory node ranges$" \
	"^  node   0: \[mem 0x0000000080000000-0x0000000087ffffff\]$" \
	"\[mem 0x0000000080000000-0x000000008007ffff\] mmode_resv0@80000000" \
	"\[mem 0x0000000080200000-0x[0-9a-f]{16}\] kernel$" \
	"\[mem 0x0000000087[0-9a-f]{6}-0x[0-9a-f]{16}\] dtb$" \
	"harts: 4 of 4 up" "console serial@10000000" "Ctrl-A X" \
	"^random: seeded from /chosen/rng-seed \(32 bytes\) and the counters$"

# 8 GiB: RAM reaches above 4 GiB.
qemu_run boot-log-8G 60 /dev/null $VIRT -smp 1 -m 8G -kernel "$KERNEL" -append "run=poweroff"
check boot-log-8G 0 "^  node   0: \[mem 0x0000000080000000-0x000000027fffffff\]$" "harts: 1 of 1 up"

# The shell driven through standard input, as a user would type. QEMU
# queues the first byte before OpenSBI starts, and OpenSBI's UART init
# discards it: the input starts with an empty line to absorb that.
printf '\nhelp\r\nharts\necho piped input works\nktest printf\nnosuchcmd\npoweroff 7\n' \
	>"$LOGDIR/shell-input.txt"
qemu_run shell-stdin 60 "$LOGDIR/shell-input.txt" $VIRT -smp 4 -m 128M -kernel "$KERNEL"
check shell-stdin 7 \
	"poweroff \[code\] +power off" "ktest \[-l \[suite...\] \| suite...\]" \
	"^ +3 +[0-9]+ +[0-9]+ +0x" "^piped input works$" \
	"^ktest: 5 passed, 0 failed$" "nosuchcmd: unknown command" "power: off \(exit code 7\)"

# The line editor on piped bytes (shell/line.c; host suite "line"): a lone
# ESC keeps the line end after it, longer escape sequences (Delete,
# Ctrl-Right) go whole, Tab separates arguments, and a line over 255
# characters is reported, not run, and the next line runs.
long_b=$(printf 'B%.0s' $(seq 1500))
printf '\nhelp\033\nmeminfo\necho ab\033[3~cd\necho x\033[1;5Cy\necho tab\there\necho %s tail\necho after long\npoweroff 6\n' \
	"$long_b" >"$LOGDIR/shell-editing-input.txt"
qemu_run shell-editing 60 "$LOGDIR/shell-editing-input.txt" $VIRT -smp 1 -m 128M -kernel "$KERNEL"
check shell-editing 6 \
	"^rvmm> help$" "^MemTotal: +[0-9]+ kB$" "^abcd$" "^xy$" "^tab here$" \
	"^shell: line longer than 255 characters not run$" "^after long$" \
	"power: off \(exit code 6\)"
no_log shell-editing shell-editing-nothing-lost "unknown command" "^BBBB" "tail$" "~cd|;5Cy"

# Keys a terminal user types (host suite "line" has the editor's side):
# Ctrl-C drops the line typed so far (the Enter after it runs nothing),
# Ctrl-W erases a word, a UTF-8 no-break space is refused with its column
# instead of being dropped (stress 100<NBSP>5 ran stress 1005), and help
# takes a command name.
printf '\nstress 1T\003\nmeminfo\nstress 100\302\2405\necho word1 word2\027w3\nhelp meminfo\nhelp nosuch\nhelp a b\npoweroff 5\n' \
	>"$LOGDIR/shell-keys-input.txt"
qemu_run shell-keys 60 "$LOGDIR/shell-keys-input.txt" $VIRT -smp 1 -m 128M -kernel "$KERNEL"
check shell-keys 5 \
	"^rvmm> stress 1T\^C$" "^MemTotal: +[0-9]+ kB$" \
	"^shell: byte 0xc2 at column 11 is not ASCII: line not run$" "^word1 w3$" \
	"^  meminfo +memory totals" "^help: no command named 'nosuch' \(type 'help'\)$" \
	"^help: one command name at most \('b' is one more\)$" "power: off \(exit code 5\)"
no_log shell-keys shell-keys-nothing-run "^stress: ops=" "^  buddyinfo" "^word1 word2w3$"

# A console whose other end takes no bytes for 6 s (a terminal program
# stopped, flow control): the console gives each byte up after
# UART_TX_POLLS polls, so bytes are lost, but never silently: the console
# says how many once the transmitter takes bytes again. 40 helps print
# about 90 KiB, more than the pipe holds. Either every help's output is
# whole, or the log has the report (before, bytes went missing unsaid).
console_stall() {
	name=console-stall
	d=$LOGDIR/$name.d
	rm -rf "$d"
	mkdir -p "$d"
	mkfifo "$d/con.in" "$d/con.out"
	helps=$(for _ in $(seq 40); do printf 'help;'; done)
	timeout -k 5 60 "$QEMU" $VIRT -display none -monitor none -no-reboot -smp 1 -m 128M \
		-chardev pipe,id=con,path="$d/con" -serial chardev:con -kernel "$KERNEL" \
		-append "run=\"${helps}poweroff 3\"" &
	stall_qemu=$!
	sleep 6
	cat "$d/con.out" >"$LOGDIR/$name.log" & # ends when QEMU does
	stall_cat=$!
	RC=0
	wait "$stall_qemu" || RC=$?
	wait "$stall_cat"
	rm -rf "$d"
	# How many different outputs the 40 helps printed (1: all whole).
	outputs=$(tr -d '\r' <"$LOGDIR/$name.log" | awk '/^rvmm> / { if (n++) seen[block] = 1; block = "" }
		{ block = block $0 "\n" } END { print length(seen) }')
	if [ "$outputs" != 1 ] && ! grep -Eq "^\[console: [0-9]+ bytes lost: the transmitter stayed busy\]" \
		"$LOGDIR/$name.log"; then
		echo "FAIL $name: the helps printed $outputs different outputs and no loss was reported"
		record $name 0 1
	else
		check $name 3 "power: off \(exit code 3\)"
	fi
}
console_stall

# A block of 50 commands pasted at once, CR-terminated as a terminal sends
# them, faster than the shell runs them and with commands that print a lot
# among them: every one runs, in order. Through a -chardev pipe (as through
# -serial pty), on virt's 16550 and sifive_u's UART (another FIFO);
# sifive_u's power-off is a reset, which -no-reboot makes exit 0.
paste_block() {
	name=$1 want=$2
	shift 2
	d=$LOGDIR/$name.d
	rm -rf "$d"
	mkdir -p "$d"
	mkfifo "$d/con.in" "$d/con.out"
	: >"$LOGDIR/$name.log"
	timeout -k 5 120 "$QEMU" "$@" -display none -monitor none -no-reboot \
		-chardev pipe,id=con,path="$d/con" -serial chardev:con -kernel "$KERNEL" &
	paste_qemu=$!
	cat "$d/con.out" >"$LOGDIR/$name.log" & # ends when QEMU does
	paste_cat=$!
	tries=0
	until grep -q "^rvmm> " "$LOGDIR/$name.log" || [ $tries -ge 600 ]; do
		sleep 0.1
		tries=$((tries + 1))
	done
	for i in $(seq 10 59); do
		printf 'echo paste%s\r' "$i"
		[ $((i % 10)) = 5 ] && printf 'slabinfo\rzoneinfo\r'
	done >"$d/con.in"
	tries=0
	until grep -q "^paste59" "$LOGDIR/$name.log" || [ $tries -ge 600 ]; do
		sleep 0.1
		tries=$((tries + 1))
	done
	printf 'poweroff 3\r' >"$d/con.in"
	RC=0
	wait "$paste_qemu" || RC=$?
	wait "$paste_cat"
	rm -rf "$d"
	got=$(tr -d '\r' <"$LOGDIR/$name.log" | grep -E '^paste[0-9]+$' | tr '\n' ' ')
	if [ "$got" = "$(seq -f 'paste%g' 10 59 | tr '\n' ' ')" ]; then
		check $name "$want" "^rvmm> poweroff 3$"
	else
		echo "FAIL $name: the pasted commands ran as: $got"
		record $name 0 1
	fi
}
paste_block paste-block-virt 3 $VIRT -smp 2 -m 8G
paste_block paste-block-sifive-u 0 -M sifive_u -bios default -smp 2 -m 1G

# console= in Linux's names (drivers/console_select.c): ttySIF1 moves the
# console from sifive_u's UART0 (stdout-path) to UART1 after the command
# line: UART0 ends with the line naming the new console, UART1 carries the
# rest, the shell included, at the baud asked (its divisor from UART0's,
# scaled: ktest boot_dt.moved_console_takes_the_rate reads both back); hvc0
# is SBI's console; a UART the machine lacks is named and the console stays.
qemu_run console-ttysif1 60 /dev/null -M sifive_u -bios default -smp 2 -m 256M \
	-serial file:"$LOGDIR/console-ttysif1-uart0.log" -serial mon:stdio -kernel "$KERNEL" \
	-append 'console=ttySIF1,57600n8 run="meminfo" ktest=boot_dt'
check console-ttysif1 0 \
	"^console: serial@10011000 at 57600 baud: divisor [0-9]+, from serial@10010000's for 115200 baud \(one clock\)$" \
	"^ok [0-9]+ boot_dt.moved_console_takes_the_rate$" \
	"^console: serial@10011000 \(console=ttySIF1,57600n8\), before it serial@10010000$" \
	"^rvmm ready on 1 hart, console serial@10011000\.$" "^rvmm> meminfo$" "^MemTotal: +[0-9]+ kB$" \
	"^ok [0-9]+ boot_dt.console_is_the_stdout_uart$" "^ktest: [0-9]+ passed, 0 failed$"
check_log console-ttysif1-uart0 console-ttysif1-uart0-before \
	"^Kernel command line: console=ttySIF1" "^console: console=ttySIF1,57600n8: moving to serial@10011000$"
no_log console-ttysif1-uart0 console-ttysif1-uart0-after "rvmm ready" "MemTotal"
qemu_run console-hvc0 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" \
	-append 'console=hvc0 run="meminfo" ktest=boot_dt'
check console-hvc0 0 "^console: sbi \(console=hvc0\), before it serial@10000000$" \
	"^rvmm ready on 1 hart, console sbi\.$" "^MemTotal: +[0-9]+ kB$" \
	"^ok [0-9]+ boot_dt.console_is_the_stdout_uart$"
qemu_run console-missing 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" \
	-append 'console=tty0 console=ttyS1,115200 run=poweroff'
check console-missing 0 "^cmdline: invalid value for 'console': 'tty0' \(error -22\)$" \
	"^console: console=ttyS1,115200 names no UART of this machine: staying on serial@10000000$" \
	"^rvmm ready on 1 hart, console serial@10000000\.$"

# quiet (drivers/console.c): from the command line to the banner the boot's
# messages go to the log only, and the console counts them; dmesg shows
# them; a panic during a quiet boot shows the log first (how far it got);
# quiet takes no value.
qemu_run quiet-boot 60 /dev/null $VIRT -smp 2 -m 256M -kernel "$KERNEL" \
	-append 'quiet run="echo after the banner;poweroff"'
check quiet-boot 0 "^Kernel command line: quiet " "^quiet: [0-9]+ boot lines kept in the log \(dmesg shows them\)$" \
	"^rvmm ready on 2 harts, console serial@10000000\.$" "^after the banner$"
no_log quiet-boot quiet-boot-hides "^Zone ranges:$" "^Memory: " "^harts: 2 of 2 up"
qemu_run quiet-dmesg 60 /dev/null $VIRT -smp 2 -m 256M -kernel "$KERNEL" -append 'quiet run="dmesg;poweroff"'
check quiet-dmesg 0 "^\[ *[0-9]+\.[0-9]+\] Zone ranges:$" "^\[ *[0-9]+\.[0-9]+\] harts: 2 of 2 up"
qemu_run quiet-panic 60 /dev/null $VIRT -smp 2 -m 512M -dtb build/dtb/nearfull.dtb -kernel "$KERNEL" \
	-append 'quiet run=poweroff'
check quiet-panic 2 "^quiet: the boot's log so far:$" \
	"^\[ *[0-9]+\.[0-9]+\]   \[mem 0x0000000080400000-0x000000009fdfffff\] big@80400000$" \
	"Kernel panic on hart [0-9]+ \(cpu 0\): mm: cannot build the page allocator"
qemu_run quiet-value 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" -append 'quiet=1 run=poweroff'
check quiet-value 0 "^cmdline: invalid value for 'quiet': '1' \(error -22\)$" "^Zone ranges:$"

# memtest=N (mm/memtest.c): N patterns over the free RAM before the page
# allocator takes it, the last one zeros; clean RAM (QEMU's) reserves
# nothing and the allocator's suite passes on it. Finding and reserving bad
# words is the host suite memtest's (a hook makes words read back wrong).
qemu_run memtest-4 120 /dev/null $VIRT -smp 2 -m 128M -kernel "$KERNEL" -append 'memtest=4 ktest=page_alloc'
check memtest-4 0 "^memtest: 4 patterns over [0-9]+ KiB of free RAM in [0-9]+ ranges$" \
	"^memtest: pattern aaaaaaaaaaaaaaaa: ok$" "^memtest: pattern 0000000000000000: ok$" \
	"^memtest: no bad memory$" "^ktest: [0-9]+ passed, 0 failed$"

# kprintf's buffer holds 511 bytes: a longer command line's echo ends with
# a marker and its newline, and the next message starts a line of its own.
qemu_run cmdline-long-echo 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" \
	-append "run=\"echo run ran;poweroff 7\" x=$(printf 'y%.0s' $(seq 3000))"
check cmdline-long-echo 7 \
	"^Kernel command line: run=.*y\\.\\.\\. \\[kprintf: [0-9]+ bytes cut to 511\\]$" \
	"^cmdline: command line longer than 1023 bytes, truncated$" "^run ran$"

# A command line cut at 1023 bytes inside a word drops that word whole:
# zone_dma_limit=0x90000000 cut to zone_dma_limit=0x90000 is not applied.
cut_pad=$(printf 'y%.0s' $(seq 981))
qemu_run cmdline-cut-word 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" \
	-append "run=\"poweroff 4\" x=$cut_pad zone_dma_limit=0x90000000"
check cmdline-cut-word 4 "^cmdline: command line longer than 1023 bytes, truncated$" \
	"^cmdline: 'zone_dma_limit=0x90000' cut short at byte 1023: not applied$" "^  DMA      empty$"
no_log cmdline-cut-word cmdline-cut-word-not-applied "zone_dma_limit=0x90000 is"

# Every parameter given bare (no =value) is refused by name and the boot goes
# on: a setter handed no value must not read through it (page_owner and
# page_grouping once did, and the boot trapped in cmdline_parse). slab_debug
# alone is Linux's "every check on every cache", so it is left out.
qemu_run cmdline-bare-params 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" \
	-append 'page_owner page_grouping kfence.sample_interval fail_page_alloc failslab zone_dma_limit mem maxcpus nr_cpus slab_reap slob kmalloc kmalloc_heap slab run="poweroff 3"'
check cmdline-bare-params 3 "^cmdline: invalid value for 'page_owner': '' \(error -22\)$" \
	"^cmdline: invalid value for 'page_grouping': '' \(error -22\)$" \
	"^cmdline: invalid value for 'slab': '' \(error -22\)$"
no_log cmdline-bare-params cmdline-bare-params-no-trap "unexpected trap"

# run= with a quoted value, and an unknown parameter warned about.
qemu_run run-param 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" \
	-append 'bogus=1 run="echo hello from run;poweroff 5"'
check run-param 5 "cmdline: unknown parameter 'bogus' ignored" "^hello from run$"

# Two run= words (a boot loader's and the user's) both run, in order: the
# second used to replace the first, whose commands never ran.
qemu_run run-param-twice 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" \
	-append 'run="echo first run" run="echo second run;poweroff 6"'
check run-param-twice 6 "^first run$" "^second run$"

# A quote never closed is warned about and the rest of the line is the
# value (as Linux takes it); a word of quotes only is named, not 'unknown'.
qemu_run cmdline-open-quote 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" \
	-append '"" run="echo open quote;poweroff 5'
check cmdline-open-quote 5 "^cmdline: an empty word \(quotes only\) ignored$" \
	"^cmdline: no closing quote in 'run=echo open quote;poweroff 5': the rest of the line taken as its value$" \
	"^open quote$"

# ktest exits 1 when a suite fails (an unknown suite counts as a failure).
qemu_run ktest-failure 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" \
	-append "ktest=printf,no_such_suite"
check ktest-failure 1 "^not ok 6 no_such_suite: no such suite$" "^ktest: 5 passed, 1 failed$"

# An unexpected trap: cause by name, registers, backtrace, exit code 3.
qemu_run trap-report 60 /dev/null $VIRT -smp 2 -m 128M -kernel "$KERNEL" -append "run=crash"
check trap-report 3 \
	"unexpected trap on hart [0-9]+ \(cpu 0\): load access fault \(scause 0x5\)" \
	"stval  0x0000000000000000" "^ra   0x[0-9a-f]{16}  sp   0x" "^t3   0x" \
	"^backtrace:$" "^  \[<00000000802[0-9a-f]{5}>\] cmd_crash\+0x[0-9a-f]+$" \
	"\] shell_exec\+0x" "\] kmain\+0x"

# A device tree OpenSBI accepts but rvmm cannot use (QEMU's own tree minus
# its memory node): the boot stops with a panic naming the problem, exit 2.
"$QEMU" -M virt,dumpdtb="$LOGDIR/virt.dtb" -m 128M -smp 2 -nographic </dev/null >/dev/null 2>&1
dtc -q -I dtb -O dts "$LOGDIR/virt.dtb" |
	awk '/^\tmemory@/ { skip = 1 } !skip { print } skip && /^\t};/ { skip = 0 }' |
	dtc -q -I dts -O dtb -o "$LOGDIR/virt-nomem.dtb"
qemu_run dt-no-memory 60 /dev/null $VIRT -smp 2 -m 128M -dtb "$LOGDIR/virt-nomem.dtb" \
	-kernel "$KERNEL" -append "run=poweroff"
check dt-no-memory 2 "Kernel panic on hart [0-9]+ \(cpu 0\): device tree at 0x[0-9a-f]+ is unusable: no memory node" \
	"\] kmain\+0x"

# No UART rvmm can use (QEMU's tree with its serial node disabled; OpenSBI
# still drives it): the console stays on SBI both ways, output through the
# legacy putchar and input through the legacy getchar (before, no typed or
# piped byte ever arrived).
dtc -q -I dtb -O dts "$LOGDIR/virt.dtb" |
	awk '/serial@10000000 \{/ { print; print "\t\t\tstatus = \"disabled\";"; next } { print }' |
	dtc -q -I dts -O dtb -o "$LOGDIR/virt-uart-disabled.dtb"
printf '\necho typed through sbi\npoweroff 4\n' >"$LOGDIR/sbi-console-input.txt"
qemu_run sbi-console 60 "$LOGDIR/sbi-console-input.txt" $VIRT -smp 2 -m 128M \
	-dtb "$LOGDIR/virt-uart-disabled.dtb" -kernel "$KERNEL"
check sbi-console 4 "^console: no supported UART found, staying on the SBI console$" \
	"^rvmm ready on 2 harts, console sbi\.$" "^typed through sbi$"

# --- The page allocator's boot lines (mm/mm_init.c), in Linux's formats ---

# memory_line RUN RESULT TOTAL_KB: the run's "Memory: AK/TK available (CK
# kernel code, WK rwdata, RK rodata, XK reserved)" line has T = TOTAL_KB,
# every part non-zero, and A + C + W + R + X = T.
memory_line() {
	run=$1 result=$2 want_total=$3
	line=$(tr -d '\r' <"$LOGDIR/$run.log" | grep -E '^Memory: [0-9]+K/[0-9]+K available \([0-9]+K kernel code, [0-9]+K rwdata, [0-9]+K rodata, [0-9]+K reserved\)$' | head -n 1)
	verdict=$(echo "$line" | awk -F'[^0-9]+' -v want="$want_total" '
		NF >= 7 {
			sum = $2 + $4 + $5 + $6 + $7
			if ($3 != want) { print "total " $3 "K, expected " want "K"; exit }
			if (sum != $3) { print "parts add up to " sum "K, total " $3 "K"; exit }
			if ($2 == 0 || $4 == 0 || $5 == 0 || $6 == 0 || $7 == 0) { print "a part is 0"; exit }
			print "ok"; exit
		}
		NF < 7 { print "no Memory: line in the log"; exit }')
	if [ "$verdict" = ok ]; then
		echo "ok   $result"
		record "$result" 1 0
	else
		echo "FAIL $result: $verdict: $line"
		show_log "$run"
		record "$result" 0 1
	fi
}

# 128 MiB: one zone, DMA32; one section's struct pages, exactly one per page.
check_log boot-log mm-zones-128M "^Zone ranges:$" \
	"^  DMA      empty$" \
	"^  DMA32    \[mem 0x0000000080000000-0x0000000087ffffff\]$" \
	"^  Normal   empty$" \
	"^memmap: 32768 struct pages of 32 bytes \(1024K\), 1 section\(s\) of 128 MiB, one flat array$"
memory_line boot-log mm-memory-line-128M 131072

# 8 GiB: DMA32 up to 4 GiB, Normal above; 64 sections.
check_log boot-log-8G mm-zones-8G "^Zone ranges:$" \
	"^  DMA      empty$" \
	"^  DMA32    \[mem 0x0000000080000000-0x00000000ffffffff\]$" \
	"^  Normal   \[mem 0x0000000100000000-0x000000027fffffff\]$" \
	"^memmap: 2097152 struct pages of 32 bytes \(65536K\), 64 section\(s\) of 128 MiB, one flat array$"
memory_line boot-log-8G mm-memory-line-8G 8388608

# Free memory in pieces of at most 3 MiB (tests/dts/frag.dts): no room for
# one flat 4 MiB array of struct pages, so each section gets its own.
qemu_run frag-512M 60 /dev/null $VIRT -smp 2 -m 512M -dtb build/dtb/frag.dtb -kernel "$KERNEL" \
	-append "run=poweroff"
check frag-512M 0 \
	"^memmap: 131072 struct pages of 32 bytes \(4096K\), 4 section\(s\) of 128 MiB, an array per section$"
# Too little free memory for them (tests/dts/nearfull.dts): the panic says
# what could not be allocated and what memblock has left.
qemu_run nearfull-512M 60 /dev/null $VIRT -smp 2 -m 512M -dtb build/dtb/nearfull.dtb -kernel "$KERNEL" \
	-append "run=poweroff"
check nearfull-512M 2 \
	"Kernel panic on hart [0-9]+ \(cpu 0\): mm: cannot build the page allocator: no room for a section's struct pages \(1048576 bytes\); memblock has [0-9]+ bytes free, the largest piece [0-9]+ bytes \(error -12\)$"

# No hart has an MMU (tests/dts/nommu-k210.dts, the shape of Linux's K210
# trees): the boot stops right after the tree is read, naming the boot
# hart's mmu-type, before anything writes satp.
qemu_run nommu-k210-8M 60 /dev/null $VIRT -smp 2 -m 8M -dtb build/dtb/nommu-k210.dtb -kernel "$KERNEL" \
	-append "run=poweroff"
check nommu-k210-8M 2 \
	"Kernel panic on hart ([0-9]+) \(cpu 0\): the device tree's cpu node for the boot hart [01] says no MMU \(mmu-type riscv,none\): rvmm needs an Sv39 MMU$"
no_log nommu-k210-8M nommu-k210-8M-no-paging "^paging: "
# A tree that claims Sv39 for harts without it (virt.dts on -cpu
# rv64,mmu=false): the hart ignores the write to satp, and paging_init,
# reading it back, stops the boot instead of running untranslated.
qemu_run nommu-virt-tree-lies 60 /dev/null -M virt -cpu rv64,mmu=false -bios default -smp 4 -m 128M \
	-dtb build/dtb/virt.dtb -kernel "$KERNEL" -append "run=poweroff"
check nommu-virt-tree-lies 2 \
	"Kernel panic on hart ([0-9]+) \(cpu 0\): paging: this hart does not take Sv39: satp reads 0 after writing 0x8[0-9a-f]{15} \(no MMU, or none rvmm can use, whatever the device tree says\)$"
no_log nommu-virt-tree-lies nommu-virt-tree-lies-no-sv39 "^paging: Sv39 on"
# QEMU's own tree for harts without an MMU says "riscv,none": the same stop.
qemu_run nommu-virt 60 /dev/null -M virt -cpu rv64,mmu=false -bios default -smp 2 -m 256M \
	-kernel "$KERNEL" -append "run=poweroff"
check nommu-virt 2 \
	"Kernel panic on hart ([0-9]+) \(cpu 0\): the device tree's cpu node for the boot hart [01] says no MMU \(mmu-type riscv,none\): rvmm needs an Sv39 MMU$"

# zone_dma_limit= splits ZONE_DMA off below the limit.
qemu_run zone-dma-limit-8G 60 /dev/null $VIRT -smp 1 -m 8G -kernel "$KERNEL" \
	-append "zone_dma_limit=0x90000000 run=poweroff"
check zone-dma-limit-8G 0 \
	"^  DMA      \[mem 0x0000000080000000-0x000000008fffffff\]$" \
	"^  DMA32    \[mem 0x0000000090000000-0x00000000ffffffff\]$" \
	"^  Normal   \[mem 0x0000000100000000-0x000000027fffffff\]$"
memory_line zone-dma-limit-8G mm-memory-line-zone-dma 8388608

# A limit above 4 GiB is cut to 4 GiB: all of low memory is ZONE_DMA.
qemu_run zone-dma-limit-8G-above-4G 60 /dev/null $VIRT -smp 1 -m 8G -kernel "$KERNEL" \
	-append "zone_dma_limit=6G run=poweroff"
check zone-dma-limit-8G-above-4G 0 \
	"^  DMA      \[mem 0x0000000080000000-0x00000000ffffffff\]$" \
	"^  DMA32    empty$" \
	"^  Normal   \[mem 0x0000000100000000-0x000000027fffffff\]$"

# A value that is no address is warned about and ignored.
qemu_run zone-dma-limit-bad 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" \
	-append "zone_dma_limit=lots run=poweroff"
check zone-dma-limit-bad 0 \
	"^cmdline: invalid value for 'zone_dma_limit': 'lots' \(error -22\)$" \
	"^  DMA      empty$" \
	"^  DMA32    \[mem 0x0000000080000000-0x0000000087ffffff\]$"

# dmesg: the kernel log again, the boot log first, each line stamped with
# the time it began ("[    0.034561] "); -C clears it (what the next dmesg
# shows starts after); a bad option is refused with its usage.
STAMP='\[ +[0-9]+\.[0-9]{6}\] '
qemu_run dmesg 60 /dev/null $VIRT -smp 2 -m 128M -kernel "$KERNEL" \
	-append 'run="echo marker-one;dmesg;dmesg -C;echo marker-two;dmesg;dmesg -x;poweroff"'
check dmesg 0 "^dmesg: usage: dmesg \[-c \| -C\]" "^${STAMP}rvmm: booting on hart [01], device tree at 0x" \
	"^${STAMP}Memory: [0-9]+K/131072K available"
dmesg_counts=$(tr -d '\r' <"$LOGDIR/dmesg.log" | sed -E "s/^$STAMP//" | awk '
	/^Memory: / { mem++ } /^Kernel command line: / { cmd++ } /^marker-one$/ { one++ } /^marker-two$/ { two++ }
	END { print mem + 0, cmd + 0, one + 0, two + 0 }')
[ "$dmesg_counts" = "2 2 2 2" ] && dmesg_counts="ok" ||
	dmesg_counts="Memory:, Kernel command line:, marker-one, marker-two seen $dmesg_counts times, expected 2 2 2 2"
verdict dmesg dmesg-log "$dmesg_counts"
# (the console's empty lines, such as the one before the boot banner, are
# not logged: no stamp without text)
no_log dmesg dmesg-no-empty-lines "^${STAMP}\$"
# More than the log's 32 KiB since boot: dmesg starts at a whole line (one
# printed before, not a piece of one) and the boot log is gone from it.
qemu_run dmesg-wrap 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" \
	-append 'run="help;help;help;help;help;help;help;help;help;help;help;help;help;help;dmesg;poweroff"'
wrap_verdict=$(tr -d '\r' <"$LOGDIR/dmesg-wrap.log" | awk '
	/^rvmm> dmesg$/ && !in_dump { in_dump = 1; next }
	/^rvmm> poweroff$/ { in_dump = 0 }
	!in_dump { seen[$0] = 1; next }
	in_dump && !/^\[ +[0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9]\] / { bad = "a line without its time stamp: " $0 }
	in_dump { bytes += length($0) + 1; sub(/^\[ +[0-9]+\.[0-9]+\] /, "") }
	in_dump && !first { first = $0; if (!($0 in seen)) bad = "first line is no whole line: " $0 }
	in_dump && /^Memory: / { bad = "the boot log is still in it" }
	END { if (!first) bad = "nothing printed"; else if (bytes < 30000 || bytes > 32768) bad = bytes " bytes"
	      print bad ? bad : "ok" }')
verdict dmesg-wrap dmesg-wrap "$wrap_verdict"

# free: meminfo's totals in procps' table (KiB by default, -m MiB), the
# same numbers meminfo printed just after; a bad option gives the usage.
qemu_run free 60 /dev/null $VIRT -smp 2 -m 128M -kernel "$KERNEL" \
	-append 'run="free;meminfo;free -m;free -x;poweroff"'
check free 0 "^ +total +used +free +shared +buff/cache +available$" "^Swap: +0 +0 +0$" \
	"^Mem: +12[0-9] +[0-9]+ +12[0-9] +0 +0 +12[0-9]$" "^free: usage: free \[-b \| -k \| -m \| -g\]"
free_verdict=$(tr -d '\r' <"$LOGDIR/free.log" | awk '
	/^Mem: / && !row { row = $0; total = $2; used = $3; free = $4; avail = $7 }
	/^MemTotal:/ { mt = $2 } /^MemFree:/ { mf = $2 } /^MemAvailable:/ { ma = $2 }
	END { if (total != mt || free != mf || avail != ma || used != mt - mf)
		print "free said " row ", meminfo " mt " " mf " " ma; else print "ok" }')
verdict free free-agrees-with-meminfo "$free_verdict"

# maxcpus=N (Linux's; nr_cpus= the same, nosmp = 1): at most N harts up, the
# boot hart counted; each one left down says why, and the smp suite passes on
# the harts that are up. A value that is no number is refused: every hart up.
ktest_run ktest-maxcpus 120 $VIRT -smp 4 -m 256M -kernel "$KERNEL" -append "maxcpus=2 ktest=smp"
check_log ktest-maxcpus ktest-maxcpus-harts "^harts: 2 of 4 up \(boot hart [0-3]\)$" \
	"^harts: hart [0-3] left down: maxcpus=2$"
qemu_run nosmp 60 /dev/null $VIRT -smp 2 -m 128M -kernel "$KERNEL" -append "nosmp run=poweroff"
check nosmp 0 "^harts: hart [01] left down: nosmp$" "^harts: 1 of 2 up \(boot hart [01]\)$" \
	"^rvmm ready on 1 hart, "
qemu_run maxcpus-bad 60 /dev/null $VIRT -smp 2 -m 128M -kernel "$KERNEL" -append "maxcpus=lots run=poweroff"
check maxcpus-bad 0 "^cmdline: invalid value for 'maxcpus': 'lots' \(error -22\)$" \
	"^harts: 2 of 2 up \(boot hart [01]\)$"

# mem=SIZE (Linux's): only the lowest SIZE bytes of RAM are used. On 256 MiB
# mem=64M leaves the top 192 MiB out, QEMU's device tree among them (mapped
# where it lies, still read by boot_dt); the allocator's and the map's
# self-tests pass on what is left, and meminfo counts only it.
ktest_run ktest-mem-limit 120 $VIRT -smp 2 -m 256M -kernel "$KERNEL" \
	-append "mem=64M ktest=boot_dt,page_alloc,mm_report"
check_log ktest-mem-limit ktest-mem-limit-map \
	"^memory: mem=65536K: using 65536K of 262144K of RAM, none from 0x0000000084000000 up$" \
	"^  node   0: \[mem 0x0000000080000000-0x0000000083ffffff\]$" \
	"^  DMA32    \[mem 0x0000000080000000-0x0000000083ffffff\]$" \
	"^Memory: [0-9]+K/65536K available" \
	"^# boot_dt.live_blob_parses_the_same_again: mem= left out 192 MiB of RAM$"
# On 8 GiB, mem=5G keeps DMA32 whole and 3 GiB of Normal; mem=1G leaves no
# Normal zone at all (GFP_DMA32 and plain requests alike from below 4 GiB).
qemu_run mem-limit-8G 60 /dev/null $VIRT -smp 1 -m 8G -kernel "$KERNEL" \
	-append "mem=5G run=poweroff"
check mem-limit-8G 0 \
	"^  DMA32    \[mem 0x0000000080000000-0x00000000ffffffff\]$" \
	"^  Normal   \[mem 0x0000000100000000-0x00000001bfffffff\]$"
memory_line mem-limit-8G mm-memory-line-mem-limit 5242880
qemu_run mem-limit-8G-1G 60 /dev/null $VIRT -smp 1 -m 8G -kernel "$KERNEL" \
	-append "mem=1G run=\"meminfo;poweroff\""
check mem-limit-8G-1G 0 \
	"^  DMA32    \[mem 0x0000000080000000-0x00000000bfffffff\]$" \
	"^  Normal   empty$" "^MemTotal: +10[0-9]{5} kB$"
# Too little to hold the kernel image, or a value that is no size: the
# whole of RAM is used, and the line says why.
qemu_run mem-limit-below-kernel 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" \
	-append "mem=2M run=poweroff"
check mem-limit-below-kernel 0 \
	"^memory: mem=2048K would leave out part of the kernel image, which ends at 0x[0-9a-f]+ \([0-9]+K of RAM up to there\): ignored, all 131072K of RAM used$" \
	"^  DMA32    \[mem 0x0000000080000000-0x0000000087ffffff\]$"
qemu_run mem-limit-bad 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" \
	-append "mem=0 run=poweroff"
check mem-limit-bad 0 "^cmdline: invalid value for 'mem': '0' \(error -22\)$" \
	"^  DMA32    \[mem 0x0000000080000000-0x0000000087ffffff\]$"

# The allocator's self-tests with a ZONE_DMA: one with free pages (GFP_DMA
# stays below the limit and never falls up), and one holding only the
# firmware's reserved pages (GFP_DMA finds nothing rather than memory above
# the limit).
ktest_run ktest-zone-dma 120 $VIRT -smp 2 -m 128M -kernel "$KERNEL" \
	-append "zone_dma_limit=0x84000000 ktest=page_alloc,mm_report"
check_log ktest-zone-dma ktest-zone-dma-zones \
	"^  DMA      \[mem 0x0000000080000000-0x0000000083ffffff\]$" \
	"^  DMA32    \[mem 0x0000000084000000-0x0000000087ffffff\]$" \
	"zone_dma_limit=0x84000000: [1-9][0-9]* GFP_DMA blocks$"
ktest_run ktest-zone-dma-reserved-only 120 $VIRT -smp 2 -m 128M -kernel "$KERNEL" \
	-append "zone_dma_limit=0x80080000 ktest=page_alloc"
check_log ktest-zone-dma-reserved-only ktest-zone-dma-reserved-only-zones \
	"^  DMA      \[mem 0x0000000080000000-0x000000008007ffff\]$" \
	"zone_dma_limit=0x80080000: 0 GFP_DMA blocks$"

# Contiguous memory areas (mm/cma.c). cma=SIZE makes the default area below
# 4 GiB (on 8 GiB too), which the cma and dma suites then use. cma-pools.dts:
# the tree's reusable shared-dma-pools are areas (a static pool's first
# range, a dynamic one, its linux,cma-default the default, which the cma
# suite uses), its no-map, non-reusable and other-compatible children are
# not; cma= replaces the tree's default pool (not placed), cma=0 leaves
# none; a cma= that cannot be placed is warned of and the boot goes on
# without an area. (rvmm-dt.sh checks resmem-dynamic's 64 MiB linux,cma.)
ktest_run ktest-cma 180 $VIRT -smp 4 -m 8G -kernel "$KERNEL" -append "cma=32M ktest=cma,dma"
check_log ktest-cma ktest-cma-area \
	"^dt: cma: dynamic: \[mem 0x00000000[0-9a-f]{8}-0x00000000[0-9a-f]{8}\] \(size 0x2000000, align 0x200000, alloc-ranges entry 0\)$" \
	"^  \[mem 0x00000000[0-9a-f]{8}-0x00000000[0-9a-f]{8}\] cma \(dynamic, reusable\)$" \
	"^cma: area cma: 32768 KiB at \[mem 0x00000000[0-9a-f]{8}-0x00000000[0-9a-f]{8}\], the default area$"
ktest_run ktest-cma-pools 120 $VIRT -smp 2 -m 512M -dtb build/dtb/cma-pools.dtb -kernel "$KERNEL" \
	-append "ktest=cma"
check_log ktest-cma-pools ktest-cma-pools-areas \
	"^cma: area cma-static@88000000: 16384 KiB at \[mem 0x0000000088000000-0x0000000088ffffff\]$" \
	"^cma: area dyn-cma: 8192 KiB at \[mem 0x000000009f600000-0x000000009fdfffff\], the default area$"
no_log ktest-cma-pools ktest-cma-pools-not-pools "^cma: area (nomap-pool|other|plain-pool)" \
	"^cma: area cma-static@88000000: 2048 KiB"
qemu_run cma-param-replaces-tree 60 /dev/null $VIRT -smp 1 -m 512M -dtb build/dtb/cma-pools.dtb \
	-kernel "$KERNEL" -append 'cma=16M run="cmainfo;meminfo;poweroff"'
check cma-param-replaces-tree 0 \
	"^dt: /reserved-memory/dyn-cma: the default CMA pool: cma= replaces it, not placed$" \
	"^cma: area cma: 16384 KiB at \[mem 0x000000009ee00000-0x000000009fdfffff\], the default area$" \
	"^cma: cma \(default\) \[mem " "^CmaTotal: +32768 kB$" "^CmaFree: +32768 kB$"
no_log cma-param-replaces-tree cma-param-replaces-tree-not-placed "dyn-cma \(dynamic, reusable\)" \
	"^cma: area dyn-cma"
qemu_run cma-zero 60 /dev/null $VIRT -smp 1 -m 512M -dtb build/dtb/cma-pools.dtb \
	-kernel "$KERNEL" -append 'cma=0 run="cmainfo;poweroff"'
check cma-zero 0 "^dt: /reserved-memory/dyn-cma: the default CMA pool: cma= replaces it, not placed$" \
	"^cma: cma-static@88000000 \[mem "
no_log cma-zero cma-zero-no-default "\(default\)" "^cma: area dyn-cma" "^cma: area cma:"
qemu_run cma-bad 60 /dev/null $VIRT -smp 1 -m 256M -kernel "$KERNEL" \
	-append 'cma=1G run="cmainfo;cma_alloc 1;poweroff"'
check cma-bad 0 "^dt: warning: cma: no room for 0x40000000 bytes aligned to 0x200000 in its alloc-ranges: skipped$" \
	"^cma: no areas" "^cma_alloc: no default area"
qemu_run cma-junk 60 /dev/null $VIRT -smp 1 -m 256M -kernel "$KERNEL" -append 'cma=abc run=poweroff'
check cma-junk 0 "^cmdline: invalid value for 'cma': 'abc' \(error -22\)$"
# cma=SIZE@BASE: the area at BASE exactly, and cma_alloc takes its first
# pages; a BASE that is no multiple of 2 MiB is refused, naming the rule.
qemu_run cma-at-base 60 /dev/null $VIRT -smp 1 -m 512M -kernel "$KERNEL" \
	-append 'cma=16M@0x90000000 run="cma_alloc 4;poweroff"'
check cma-at-base 0 "^cma: area cma: 16384 KiB at \[mem 0x0000000090000000-0x0000000090ffffff\], the default area$" \
	"^cma_alloc: 4 pages from cma at 0x90000000: "
qemu_run cma-at-unaligned 60 /dev/null $VIRT -smp 1 -m 512M -kernel "$KERNEL" \
	-append 'cma=16M@0x90100000 run="cmainfo;poweroff"'
check cma-at-unaligned 0 "^cma: cma=16M@0x90100000: the base must be a multiple of 0x200000$" \
	"^cmdline: invalid value for 'cma': '16M@0x90100000' \(error -22\)$" "^cma: no areas"

# The bench command under -icount shift=0 on one hart: exact instruction
# counts, so the page allocator's order-0 target (<= 60 per alloc + free
# pair) is checked deterministically, not timed; and the order-3 pair on
# the per-hart lists of its order (80 when written, 382 through the zone's
# lists before them) against regression, <= 90.
qemu_run bench-page-alloc 120 /dev/null $VIRT -smp 1 -m 128M -icount shift=0 -kernel "$KERNEL" \
	-append 'run="bench page_alloc;poweroff"'
if expect_log bench-page-alloc "^bench: page_alloc order=0 insns=[0-9]+ " \
	"^bench: page_alloc order=3 insns=[0-9]+ " "^bench: page_alloc order=9 insns=[0-9]+ "; then
	insns=$(tr -d '\r' <"$LOGDIR/bench-page-alloc.log" |
		sed -n 's/^bench: page_alloc order=0 insns=\([0-9]*\) .*/\1/p')
	insns3=$(tr -d '\r' <"$LOGDIR/bench-page-alloc.log" |
		sed -n 's/^bench: page_alloc order=3 insns=\([0-9]*\) .*/\1/p')
	if [ "$insns" -le 60 ] && [ "$insns3" -le 90 ]; then
		echo "ok   bench-page-alloc: order 0 pair = $insns instructions (target <= 60), order 3 $insns3 (<= 90)"
		record bench-page-alloc 1 0
	else
		echo "FAIL bench-page-alloc: order 0 pair = $insns instructions (target <= 60), order 3 $insns3 (<= 90)"
		record bench-page-alloc 0 1
	fi
else
	show_log bench-page-alloc
	record bench-page-alloc 0 1
fi

# Memory for devices (bench/dma_bench.c), exact counts on one hart: a DMA
# pool's alloc + free pair of a 64-byte descriptor (its poison check and
# refill included), a mempool pair over kmalloc and a cma_alloc +
# cma_release pair of 32 pages past four gaps, bounded against regression
# (307, 186 and 954 when written; docs/benchmarks.md), and no error
# reported on the way.
qemu_run bench-dma 120 /dev/null $VIRT -smp 1 -m 128M -icount shift=0 -kernel "$KERNEL" \
	-append 'run="bench dma;poweroff"'
if expect_log bench-dma "^bench: dma_pool size=64 insns=[0-9]+ pairs=" "^bench: dma_pool size=512 insns=[0-9]+ " \
	"^bench: dma_coherent pages=1 insns=[0-9]+ " "^bench: mempool kmalloc=256 min_nr=16 insns=[0-9]+ " \
	"^bench: cma_alloc pages=32 align=16 area=1024 gaps=4 insns=[0-9]+ " &&
	! tr -d '\r' <"$LOGDIR/bench-dma.log" | grep -Eq '^dma_|^mempool|^cma: '; then
	record bench-dma 1 0
	dma_val() { tr -d '\r' <"$LOGDIR/bench-dma.log" | sed -n "s/^bench: $1 insns=\([0-9]*\) .*/\1/p"; }
	target bench-dma-pool-64 "$(dma_val 'dma_pool size=64')" -le 330
	target bench-dma-mempool "$(dma_val 'mempool kmalloc=256 min_nr=16')" -le 200
	target bench-cma-pair "$(dma_val 'cma_alloc pages=32 align=16 area=1024 gaps=4')" -le 1050
else
	show_log bench-dma
	record bench-dma 0 1
fi

# The churn workload (bench/churn.h) on SLOB segfit, picolibc's malloc and
# SLOB classic in one boot, -icount shift=0 on one hart. Checked: both churn
# lines appear, no block came back corrupted, nothing failed or was left
# behind, no bad free was reported; then SLOB's targets from the exact
# counts (docs/benchmarks.md): insns <= 120, ratio >= 4, peak_kb <=
# picolibc_peak_kb and <= 980 (size pages cut in quarters: the goal of 980
# is met, docs/kmalloc.md).
qemu_run bench-churn 300 /dev/null $VIRT -smp 1 -m 128M -icount shift=0 -kernel "$KERNEL" \
	-append 'run="bench churn;poweroff"'
churn_re='^bench: churn alloc=slob insns=[0-9]+ peak_kb=[0-9]+ picolibc_insns=[0-9]+ picolibc_peak_kb=[0-9]+ ratio=[0-9]+\.[0-9]$'
if [ "$RC" != 0 ]; then
	echo "FAIL bench-churn: exit status $RC"
	show_log bench-churn
	record bench-churn 0 1
elif ! expect_log bench-churn "$churn_re" \
	'^bench: churn alloc=slob-classic insns=[0-9]+ peak_kb=[0-9]+$'; then
	show_log bench-churn
	record bench-churn 0 1
elif tr -d '\r' <"$LOGDIR/bench-churn.log" |
	grep -Eq '^bench: churn error|^slob: |^slob_check: |^kfree: '; then
	echo "FAIL bench-churn: errors reported"
	tr -d '\r' <"$LOGDIR/bench-churn.log" | grep -E '^bench: churn error|^slob: |^slob_check: |^kfree: '
	record bench-churn 0 1
else
	churn_line=$(tr -d '\r' <"$LOGDIR/bench-churn.log" | grep -E "$churn_re" | tail -n 1)
	churn_val() { echo "$churn_line" | sed -n "s/.* $1=\([0-9.]*\).*/\1/p"; }
	c_insns=$(churn_val insns) c_peak=$(churn_val peak_kb) c_ratio=$(churn_val ratio)
	c_plinsns=$(churn_val picolibc_insns) c_plpeak=$(churn_val picolibc_peak_kb)
	c_classic=$(tr -d '\r' <"$LOGDIR/bench-churn.log" |
		sed -n 's/^bench: churn alloc=slob-classic insns=\([0-9]*\) peak_kb=\([0-9]*\)$/\1 insns, peak \2 KiB/p')
	echo "ok   bench-churn: no errors; slob $c_insns insns/op, peak $c_peak KiB;" \
		"picolibc $c_plinsns insns/op, peak $c_plpeak KiB; ratio $c_ratio; classic $c_classic"
	record bench-churn 1 0
	# SLOB's targets, from exact counts: <= 120 per operation, >= 4 times
	# fewer than picolibc's malloc, peak memory no more than picolibc's
	# and no more than 980 KiB, the goal (976 with quarters alone, 980 with
	# blocks up to 512 bytes parked as well; 1000 with a size per size page
	# and the small blocks parked, 992 before they parked, 1000 before a
	# bigblock gave back the heap's idle pages, 1036 while size pages had
	# their header in the page).
	target bench-churn-slob-insns "$c_insns" -le 120
	target bench-churn-slob-ratio "$(echo "$c_ratio" | tr -d .)" -ge 40
	target bench-churn-slob-peak "$c_peak" -le "$c_plpeak"
	target bench-churn-slob-peak-980 "$c_peak" -le 980
fi

# --- kmalloc's SLOB heap: the slob= parameter, slobinfo and meminfo ---

# slob=classic: the kernel heap runs Linux 2.6.20's first-fit list, and the
# parameter is taken without a warning.
qemu_run slob-classic 60 /dev/null $VIRT -smp 2 -m 128M -kernel "$KERNEL" \
	-append 'slob=classic run="slobinfo;poweroff"'
if tr -d '\r' <"$LOGDIR/slob-classic.log" | grep -q "^cmdline: "; then
	echo "FAIL slob-classic: slob=classic was warned about"
	show_log slob-classic
	record slob-classic 0 1
else
	check slob-classic 0 "^Kernel command line: slob=classic " \
		"^slobinfo: heap kmalloc \(classic\)$" "^  bad frees           0$"
fi

# slob=bogus is warned about and the default (segfit) stays.
qemu_run slob-bogus 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" \
	-append 'slob=bogus run="slobinfo;poweroff"'
check slob-bogus 0 "^cmdline: invalid value for 'slob': 'bogus' \(error -22\)$" \
	"^slobinfo: heap kmalloc \(segfit\)$"

# slob_reports RUN RESULT MODE: the report of the run's shell command
# slobinfo (heap kmalloc in MODE) and of the meminfo after it agree: KmallocSlob is the pages in use
# in kB, KmallocSlobFree the free bytes in kB, KmallocBig the bigblocks'
# pages in kB; every slobinfo line is in its layout, kB figures are 4 per
# page, the peak is above zero and at least what is in use, and a segfit
# heap holds the one empty page it keeps.
slob_reports() {
	run=$1 result=$2 mode=$3
	verdict=$(tr -d '\r' <"$LOGDIR/$run.log" | sed -n '/^rvmm> slobinfo$/,$p' | awk -v mode="$mode" '
		$0 == "slobinfo: heap kmalloc (" mode ")" { n = 1; next }
		n == 1 && match($0, /^  pages in use        [0-9]+ \([0-9]+ kB\)$/) {
			split($0, f, /[^0-9]+/); pages = f[2]; pages_kb = f[3]; n++; next }
		n == 2 && /^  bytes allocated     [0-9]+ \(headers included\)$/ { n++; next }
		n == 3 && /^  free bytes          [0-9]+ in [0-9]+ blocks, largest [0-9]+$/ {
			split($0, f, /[^0-9]+/); free = f[2]; n = mode == "segfit" ? 30 : 4; next }
		n == 30 && /^  parked blocks       [0-9]+ \([0-9]+ bytes, merged at the next search\)$/ {
			n = 4; next }
		n == 4 && /^  bigblocks           [0-9]+ using [0-9]+ pages \([0-9]+ kB\)$/ {
			split($0, f, /[^0-9]+/); big = f[3]; big_kb = f[4]; n++; next }
		n == 5 && /^  peak pages          [0-9]+ \(SLOB pages and bigblocks\)$/ {
			split($0, f, /[^0-9]+/); peak = f[2]; n++; next }
		n == 6 && /^  fragmentation       [0-9]+% \(1 - largest free block \/ free bytes\)$/ { n++; next }
		n == 7 && /^  bad frees           [0-9]+$/ { n++; next }
		(n >= 1 && n < 8) || n == 30 { print "slobinfo line " n " out of layout: " $0; bad = 1; exit }
		n == 8 && /^KmallocSlob: +[0-9]+ kB$/ { split($0, f, /[^0-9]+/); m_slob = f[2]; m++ }
		n == 8 && /^KmallocSlobFree: +[0-9]+ kB$/ { split($0, f, /[^0-9]+/); m_free = f[2]; m++ }
		n == 8 && /^KmallocBig: +[0-9]+ kB$/ { split($0, f, /[^0-9]+/); m_big = f[2]; m++ }
		END {
			if (bad) exit
			if (n < 8) { print "no complete slobinfo report for heap kmalloc (" mode ")"; exit }
			if (m != 3) { print "meminfo after it lacks a Kmalloc line (" m " of 3)"; exit }
			if (pages_kb != pages * 4 || big_kb != big * 4) { print "kB figures are not 4 per page"; exit }
			if (m_slob != pages_kb) { print "KmallocSlob " m_slob " kB, slobinfo " pages_kb " kB"; exit }
			if (m_free != int(free / 1024)) { print "KmallocSlobFree " m_free " kB, slobinfo " free " bytes"; exit }
			if (m_big != big_kb) { print "KmallocBig " m_big " kB, slobinfo " big_kb " kB"; exit }
			if (peak < pages + big || peak < 1) { print "peak " peak " below " pages + big " or 0"; exit }
			if (mode == "segfit" && pages < 1) { print "the segfit heap keeps no page"; exit }
			print "ok"
		}')
	if [ "$verdict" = ok ]; then
		echo "ok   $result"
		record "$result" 1 0
	else
		echo "FAIL $result: $verdict"
		show_log "$run"
		record "$result" 0 1
	fi
}

# The reports after the kmalloc suite ran from the shell (it leaves 8 bad
# frees reported on the heap, and segfit keeps an empty page), both modes.
qemu_run slob-reports 120 /dev/null $VIRT -smp 4 -m 128M -kernel "$KERNEL" \
	-append 'run="ktest kmalloc;slobinfo;meminfo;poweroff"'
check slob-reports 0 "^ktest: [0-9]+ passed, 0 failed$" "^  bad frees           8$"
slob_reports slob-reports slob-reports-agree segfit
qemu_run slob-reports-classic 120 /dev/null $VIRT -smp 2 -m 128M -kernel "$KERNEL" \
	-append 'slob=classic run="ktest kmalloc;slobinfo;meminfo;poweroff"'
check slob-reports-classic 0 "^ktest: [0-9]+ passed, 0 failed$" "^  bad frees           8$"
slob_reports slob-reports-classic slob-reports-classic-agree classic

# The slab allocator's targets, from exact instruction counts on one hart:
# kmem_cache_alloc + kmem_cache_free <= 30 per pair; kmalloc + kfree of 64
# bytes through the kmalloc-N caches <= 38 per pair (40 was the target); churn through them
# <= 60 per operation with peak memory within 25% of SLOB's; the slow
# paths (bench slab_slow, docs/benchmarks.md): a refill or flush that the
# depot serves (bounce) <= 330 instructions, one that reaches the slabs
# (bulk: new slabs start fresh, objects go back a slab's run at a time)
# <= 650 / 650, and with the objects freed out of order, each from another
# slab than the one before (scatter: a hash table destroyed; 4023 before
# runs of one skipped the run scan, 2249 since) <= 2500 for a flush of 32
# and <= 1250 for the refill after it; the kernel size mix (lifetime, mixed) <= 44 instructions
# per operation (the goal is 45; measured 43 and 44 since the fast path
# pops at kmalloc_fast_off's offset with no test of the cache); lifetime's memory overhead <= 20% (its goal, 30%, is
# met), mixed's <= 34% (a bound against regression, measured 33.8 with
# borrowing between kmalloc classes: its goal of 25% is not met, see
# docs/benchmarks.md, "Slab memory").
qemu_run bench-slab 300 /dev/null $VIRT -smp 1 -m 128M -icount shift=0 -kernel "$KERNEL" \
	-append 'run="bench kmem_cache churn kmalloc slab_slow mixed lifetime;poweroff"'
bench_val() { # RUN REGEX KEY: KEY's value on the last line matching REGEX
	tr -d '\r' <"$LOGDIR/$1.log" | grep -E "$2" | tail -n 1 | sed -n "s/.* $3=\([0-9]*\).*/\1/p"
}
bench_tenths() { # RUN REGEX KEY: KEY's value (one decimal) in tenths
	tr -d '\r' <"$LOGDIR/$1.log" | grep -E "$2" | tail -n 1 |
		sed -n "s/.* $3=\([0-9]*\)\.\([0-9]\).*/\1\2/p"
}
target bench-slab-refill-depot "$(bench_val bench-slab '^bench: slab_slow pattern=bounce ' refill_insns)" -le 330
target bench-slab-flush-depot "$(bench_val bench-slab '^bench: slab_slow pattern=bounce ' flush_insns)" -le 330
target bench-slab-refill-slabs "$(bench_val bench-slab '^bench: slab_slow pattern=bulk ' refill_insns)" -le 650
target bench-slab-flush-slabs "$(bench_val bench-slab '^bench: slab_slow pattern=bulk ' flush_insns)" -le 650
target bench-slab-flush-scatter "$(bench_val bench-slab '^bench: slab_slow pattern=scatter ' flush_insns)" -le 2500
target bench-slab-refill-scatter "$(bench_val bench-slab '^bench: slab_slow pattern=scatter ' refill_insns)" -le 1250
target bench-lifetime-slab-insns "$(bench_val bench-slab '^bench: lifetime alloc=slab ' insns)" -le 44
target bench-mixed-slab-insns "$(bench_val bench-slab '^bench: mixed alloc=slab ' insns)" -le 44
target bench-lifetime-slab-overhead "$(bench_tenths bench-slab '^bench: lifetime alloc=slab ' overhead_pct)" -le 200
target bench-mixed-slab-overhead "$(bench_tenths bench-slab '^bench: mixed alloc=slab ' overhead_pct)" -le 340
# A workload's figures do not depend on what ran before it in the boot
# (bench/workloads.h, wl_kmalloc_fresh_start): mixed alone gives the line
# the run above gave after churn, kmalloc, slab_slow and lifetime, but for
# pfrag_pct (the page allocator's free blocks, which earlier runs moved).
# (Before, a cache made by an earlier run left its descriptor and
# magazines out of mixed's peak: 37.9% alone, 33.8% after lifetime.)
qemu_run bench-mixed-alone 120 /dev/null $VIRT -smp 1 -m 128M -icount shift=0 -kernel "$KERNEL" \
	-append 'run="bench mixed;poweroff"'
mixed_line() { # RUN: its mixed alloc=slab line without pfrag_pct
	tr -d '\r' <"$LOGDIR/$1.log" | grep '^bench: mixed alloc=slab ' | tail -n 1 |
		sed 's/ pfrag_pct=[0-9.]*//'
}
mixed_after=$(mixed_line bench-slab)
mixed_alone=$(mixed_line bench-mixed-alone)
if [ -n "$mixed_alone" ] && [ "$mixed_alone" = "$mixed_after" ]; then
	echo "ok   bench-mixed-order-independent: $mixed_alone"
	record bench-mixed-order-independent 1 0
else
	echo "FAIL bench-mixed-order-independent: alone '$mixed_alone', after others '$mixed_after'"
	record bench-mixed-order-independent 0 1
fi
# kmalloc_heap=compact (docs/kmalloc.md, "Heap classes"): every class from
# 320 bytes up to a SLOB block's largest taken from kmalloc's SLOB heap.
# The least memory of any setting (mixed 25.4%, lifetime 13.7%) at more
# instructions (55 and 55); mixed's goal of 25% is not met (docs/
# benchmarks.md): 26% and 56 instructions are bounds against regression.
qemu_run bench-slab-compact 300 /dev/null $VIRT -smp 1 -m 128M -icount shift=0 -kernel "$KERNEL" \
	-append 'kmalloc_heap=compact run="bench kmem_cache churn kmalloc slab_slow mixed lifetime;poweroff"'
target bench-compact-mixed-overhead "$(bench_tenths bench-slab-compact '^bench: mixed alloc=slab ' overhead_pct)" -le 260
target bench-compact-lifetime-overhead "$(bench_tenths bench-slab-compact '^bench: lifetime alloc=slab ' overhead_pct)" -le 300
target bench-compact-mixed-insns "$(bench_val bench-slab-compact '^bench: mixed alloc=slab ' insns)" -le 56
target bench-compact-lifetime-insns "$(bench_val bench-slab-compact '^bench: lifetime alloc=slab ' insns)" -le 56
# Grouping by use (mm/page_alloc.c; bench page_group, docs/benchmarks.md):
# after a kmalloc churn with bigblocks among the slab objects and 3% of the
# small ones kept, the free 2 MiB blocks left are at least 90% of those
# before it (measured 60 of 61; 45 of 61 with page_grouping=off, the plain
# buddy placement). Exact under -icount shift=0.
qemu_run bench-page-group 300 /dev/null $VIRT -smp 1 -m 128M -icount shift=0 -kernel "$KERNEL" \
	-append 'run="bench page_group;poweroff"'
pg_before=$(bench_val bench-page-group '^bench: page_group grouping=on ' before_order9)
pg_after=$(bench_val bench-page-group '^bench: page_group grouping=on .* failed=0 ' after_order9)
target bench-page-group-order9 "${pg_after:+$((pg_after * 10))}" -ge "$((${pg_before:-1000} * 9))"
for run in bench-slab bench-slab-compact; do
	if tr -d '\r' <"$LOGDIR/$run.log" | grep -Eq '^bench: [a-z_]+ error'; then
		echo "FAIL $run-errors: a benchmark reported an error"
		tr -d '\r' <"$LOGDIR/$run.log" | grep -E '^bench: [a-z_]+ error'
		record "$run-errors" 0 1
	else
		echo "ok   $run-errors"
		record "$run-errors" 1 0
	fi
done
for size in 32 64 256 1024; do
	target "bench-kmem-cache-$size" \
		"$(bench_val bench-slab "^bench: kmem_cache size=$size .* model=slab " insns)" -le 30
done
# The SLOB model of kmem_cache (mm/slab_slob.c; docs/kmalloc.md): a pair is
# SLOB's kmalloc + kfree on the heap and the checks of the free, <= 460 for
# every size (a bound against regression: about 414 for a power of two, 428
# for others; 500 and 513 before the short paths, 774 to 824 while every
# object was a slob_alloc block); with
# many small caches (kmem_cache_few:
# 16 caches of 10 objects) its pages are at most 3/4 of the slab model's,
# the memory a board picking SLOB saves.
for size in 24 64 256 1024 3000; do
	target "bench-kmem-cache-slob-$size" \
		"$(bench_val bench-slab "^bench: kmem_cache size=$size insns=.* model=slob " insns)" -le 460
done
# SLAB_HWCACHE_ALIGN: 192 bytes at 64 take a 256-byte size page object,
# kmalloc's pair (414; 849 as slob_alloc's aligned first fit, before
# pow2_block); 600 bytes at 64 stay aligned slob_alloc blocks (871; 640
# bytes packed against 1024), bounded against regression.
target bench-kmem-cache-slob-192-hwcache-align \
	"$(bench_val bench-slab '^bench: kmem_cache size=192 align=64 .* model=slob ' insns)" -le 460
target bench-kmem-cache-slob-600-hwcache-align \
	"$(bench_val bench-slab '^bench: kmem_cache size=600 align=64 .* model=slob ' insns)" -le 950
few_slab=$(bench_val bench-slab '^bench: kmem_cache_few .* model=slab ' live_kb)
few_slob=$(bench_val bench-slab '^bench: kmem_cache_few .* model=slob ' live_kb)
target bench-kmem-cache-few-slob-kb "$((${few_slob:-999999} * 4))" -le "$((${few_slab:-0} * 3))"
for size in 16 64 256 1024 3000 8192; do
	target "bench-kmalloc-slab-$size" \
		"$(bench_val bench-slab "^bench: kmalloc alloc=slab size=$size " insns)" -le 38
done
# SLOB's kmalloc + kfree (a private segfit heap holding 1000 objects of the
# size): <= 150 per pair for every size up to 3000, FreeRTOS heap_4's and
# picolibc's figure for a 64-byte pair (docs/kmalloc.md, "Speed"): the
# powers of two (size pages) and sizes between them (segfit blocks).
for size in 16 24 64 100 200 256 500 700 1024 1500 3000; do
	target "bench-kmalloc-slob-$size" \
		"$(bench_val bench-slab "^bench: kmalloc alloc=slob size=$size " insns)" -le 150
done
s_insns=$(bench_val bench-slab '^bench: churn alloc=slab ' insns)
s_peak=$(bench_val bench-slab '^bench: churn alloc=slab ' peak_kb)
o_peak=$(bench_val bench-slab '^bench: churn alloc=slob ' peak_kb)
target bench-churn-slab-insns "$s_insns" -le 60
target bench-churn-slab-peak "$((${s_peak:-999999} * 100))" -le "$((${o_peak:-0} * 125))"

# --- Paging and vmalloc (boot/paging.c, mm/vmalloc.c) ---

# The boot line, then the vmalloc suite from the shell: its out-of-bounds
# reports reach the console in their format (the guard page hit after a
# 4-page area names the test function that allocated it), vmallocinfo lines
# are printed in /proc/vmallocinfo's layout during the suite, and the
# vmallocinfo after it lists nothing (no area left behind; vfree'd areas
# awaiting their purge, "unpurged vm_area", are not live: docs/vmalloc.md).
qemu_run vmalloc-reports 120 /dev/null $VIRT -smp 2 -m 128M -kernel "$KERNEL" \
	-append 'run="ktest vmalloc;vmallocinfo;echo vmallocinfo end;poweroff"'
check vmalloc-reports 0 \
	"^paging: Sv39 on, [0-9]+ page-table pages; vmalloc area \[0xffffffc000000000-0xffffffd000000000\)$" \
	"^ktest: [0-9]+ passed, 0 failed$" \
	"^vmalloc out-of-bounds at 0xffffffc[0-9a-f]{9} \(area 0xffffffc[0-9a-f]{9}\+0x4000, allocated by guard_page_hit_reported\+0x[0-9a-f]+\)$" \
	"^0xffffffc[0-9a-f]{9}-0xffffffc[0-9a-f]{9}   16384 vmallocinfo_lines\+0x[0-9a-f]+ pages=3 vmalloc$" \
	"^0xffffffc[0-9a-f]{9}-0xffffffc[0-9a-f]{9}   12288 vmallocinfo_lines\+0x[0-9a-f]+ pages=2 vmap$" \
	"^rvmm> echo vmallocinfo end$"
left=$(tr -d '\r' <"$LOGDIR/vmalloc-reports.log" |
	sed -n '/^rvmm> vmallocinfo$/,/^rvmm> echo vmallocinfo end$/p' | sed '1d;$d' | grep -v ' unpurged vm_area$')
if [ -z "$left" ]; then
	echo "ok   vmalloc-nothing-left"
	record vmalloc-nothing-left 1 0
else
	echo "FAIL vmalloc-nothing-left: vmallocinfo after the suite lists areas:"
	echo "$left"
	record vmalloc-nothing-left 0 1
fi

# --- QEMU spike: poweroff through HTIF (drivers/power.c, docs/boot.md) ---

# spike has no finisher; OpenSBI 1.1 there never returned from SBI SRST, so
# poweroff hung the machine. HTIF's tohost carries the exit code. Its
# stdout-path is /htif, no UART: the console is SBI's, which the boot_dt
# suite's console case must take as right (it failed there, '"sbi" !=
# "htif"', and ktest=all with it).
qemu_run spike-poweroff 60 /dev/null -M spike -bios default -m 256M -kernel "$KERNEL" \
	-append 'run="meminfo;ktest boot_dt;poweroff 3"'
check spike-poweroff 3 "^MemTotal: +2[0-9]{5} kB$" "^power: off through HTIF$" \
	"^ok [0-9]+ boot_dt.console_is_the_stdout_uart$" "^ktest: [0-9]+ passed, 0 failed$"

# --- make run with piped input, make debug and make gdb (the Makefile) ---

# The targets run as a user runs them: not with the variables and job server
# of a make test that runs this script.
unset MAKEFLAGS MFLAGS MAKELEVEL
MAKE=${MAKE:-make}

# make_run NAME TIMEOUT INPUT MAKE_ARGS...: printf '%b' INPUT piped into
# `make run MAKE_ARGS`; output to $LOGDIR/NAME.log, make's status in RC.
make_run() {
	name=$1 secs=$2 input=$3
	shift 3
	RC=0
	printf '%b' "$input" | timeout -k 5 "$secs" $MAKE --no-print-directory run "$@" \
		>"$LOGDIR/$name.log" 2>&1 || RC=$?
}

# Piped input reaches the shell whole, the first byte too (no blank line
# first): scripts/run-qemu.sh holds it until the prompt. make reports the
# kernel's exit code as "Error 7" and exits 2 itself.
make_run make-run-piped 120 'help\nmeminfo\npoweroff 7\n' SMP=1 MEM=128M
check make-run-piped 2 "^rvmm> help$" "^  help \[command\] +list every command, or show one$" "^rvmm> meminfo$" \
	"^MemTotal: +[0-9]+ kB$" "^power: off \(exit code 7\)$" "\[Makefile:[0-9]+: run\] Error 7$"
no_log make-run-piped make-run-piped-every-byte "unknown command"
make_run make-run-piped-exit-0 120 'echo first line kept\npoweroff\n' SMP=2 MEM=128M
check make-run-piped-exit-0 0 "^rvmm> echo first line kept$" "^first line kept$"

# Input that ends without poweroff ends the session as a script ends a
# shell: make run sends Ctrl-D after it, the last line runs even without its
# newline, and the exit code says whether the last command succeeded (no
# input at all: 0; QEMU ran on forever before).
make_run make-run-end-of-input 120 'echo a\nnosuchcmd\n\necho last line' SMP=1 MEM=128M
check make-run-end-of-input 0 "^nosuchcmd: unknown command" "^last line$" \
	"^rvmm: end of input \(Ctrl-D\)$" "^power: off \(exit code 0\)$"
make_run make-run-end-failed 120 'echo a\nnosuchcmd\n\n' SMP=1 MEM=128M
check make-run-end-failed 2 "^rvmm: end of input \(Ctrl-D\)$" "^power: off \(exit code 1\)$" \
	"\[Makefile:[0-9]+: run\] Error 1$"
make_run make-run-no-input 120 '' SMP=1 MEM=128M
check make-run-no-input 0 "^rvmm: end of input \(Ctrl-D\)$"

# run= commands count as the last command: a boot script whose last
# command failed, followed by a blank line, ends with status 1 (it ended
# with 0). APPEND holds a single quote, which make run passes on whole
# (before, it ended the shell's quoting: "Unterminated quoted string").
make_run make-run-append-status 120 '\n' SMP=1 MEM=128M \
	APPEND="run=\"echo it's from run=;nosuchcmd\""
check make-run-append-status 2 "^it's from run=$" "^nosuchcmd: unknown command" \
	"^power: off \(exit code 1\)$" "\[Makefile:[0-9]+: run\] Error 1$"

# Ctrl-A in piped input is a byte for the shell (which drops it), not
# QEMU's escape: -nographic's multiplexer took Ctrl-A X as "quit" (status
# 0, the rest of the input never ran) and Ctrl-A C as "monitor", which ran
# the lines after it as QEMU monitor commands.
make_run make-run-ctrl-a 120 'echo one\001x two\n\001cinfo version\necho last\n' SMP=1 MEM=128M
check make-run-ctrl-a 0 "^onex two$" "^cinfo: unknown command" "^last$" \
	"^power: off \(exit code 0\)$"
no_log make-run-ctrl-a make-run-ctrl-a-no-monitor "QEMU [0-9.]+ monitor" "^\(qemu\)" "Terminated"

# A long script whose first command runs for seconds, calling
# shell_interrupted (which reads the console) all along: the console's
# input ring fills and the rest waits in QEMU (docs/boot.md, "The console's
# input ring"). Reading on past the full ring lost all but 4096 bytes of
# the script, its Ctrl-D with them, and the session never ended.
long_script=$(printf 'stress 1000000\\n'; for i in $(seq 1 300); do printf 'echo script line %03d of 300 xxxxxxxxxxxx\\n' "$i"; done)
make_run make-run-long-script 240 "$long_script" SMP=1 MEM=128M
check make-run-long-script 0 "^stress: ops=1000000 errors=0 leaked_pages=0$" "^script line 001 of 300 " \
	"^script line 150 of 300 " "^script line 300 of 300 " "^rvmm: end of input \(Ctrl-D\)$"
lines=$(grep -c '^script line [0-9]* of 300 ' "$LOGDIR/make-run-long-script.log")
if [ "$lines" = 300 ]; then
	echo "ok   make-run-long-script-every-line"
	record make-run-long-script-every-line 1 0
else
	echo "FAIL make-run-long-script-every-line: $lines of the 300 echo lines ran"
	record make-run-long-script-every-line 0 1
fi
no_log make-run-long-script make-run-long-script-nothing-lost "console: " "unknown command"

# run-qemu.sh itself exits with QEMU's status, the kernel's exit code
# (given in hex, as the shell's numbers may be: poweroff took decimal only).
printf 'echo exit code\npoweroff 0x7\n' >"$LOGDIR/run-qemu-status-input.txt"
RC=0
timeout -k 5 120 scripts/run-qemu.sh -smp 1 -m 128M -kernel "$KERNEL" \
	<"$LOGDIR/run-qemu-status-input.txt" >"$LOGDIR/run-qemu-status.log" 2>&1 || RC=$?
check run-qemu-status 7 "^exit code$" "^power: off \(exit code 7\)$"

# Where power-off is a reset (sifive_u: no finisher, SRST shutdown refused,
# cold reboot instead), the end of piped input still ends QEMU: before,
# the machine booted again to a prompt and QEMU ran until the timeout.
# The exit status is still the last command's: SRST cannot carry it, the
# kernel's last line does, and run-qemu.sh exits with it (it exited 0).
RC=0
printf 'echo on sifive_u\nnosuchcmd\n' | timeout -k 5 60 scripts/run-qemu.sh -M sifive_u -smp 2 -m 256M \
	-kernel "$KERNEL" >"$LOGDIR/run-qemu-reset-poweroff.log" 2>&1 || RC=$?
check run-qemu-reset-poweroff 1 "^on sifive_u$" "^rvmm: end of input \(Ctrl-D\)$" \
	"^power: off through SBI system reset \(exit code 1\)$"

# A kernel that never shows the prompt (ktest= powers off by itself) while
# the input never ends: the input is not waited for, QEMU's exit ends the
# run with its status.
rm -f "$LOGDIR/endless-input"
mkfifo "$LOGDIR/endless-input"
sleep 300 >"$LOGDIR/endless-input" &
writer=$!
RC=0
timeout -k 5 120 $MAKE --no-print-directory run SMP=1 MEM=128M APPEND=ktest=printf \
	<"$LOGDIR/endless-input" >"$LOGDIR/make-run-no-prompt.log" 2>&1 || RC=$?
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
rm -f "$LOGDIR/endless-input"
check make-run-no-prompt 0 "^ktest: 5 passed, 0 failed$"

# tcp_listening PORT: a socket listens on TCP PORT (Linux's /proc/net).
tcp_listening() {
	awk -v port="$(printf ':%04X' "$1")" '
		FNR > 1 && $4 == "0A" && substr($2, length($2) - 4) == port { found = 1 }
		END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# make debug: QEMU stopped before its first instruction, the gdb stub on a
# free port; make gdb attaches and runs the session docs/boot.md shows
# (commands from standard input): the breakpoint at kmain is hit, the
# backtraces name kmain, a zone's free pages print as a number. gdb's kill
# ends QEMU, and make debug with it (status 0).
port=$((12000 + $$ % 1000))
while tcp_listening "$port"; do
	port=$((port + 1))
done
RC=0
timeout -k 5 120 $MAKE --no-print-directory debug GDBPORT="$port" SMP=2 MEM=128M \
	</dev/null >"$LOGDIR/make-debug.log" 2>&1 &
debug_pid=$!
tries=0
while ! tcp_listening "$port" && kill -0 "$debug_pid" 2>/dev/null && [ "$tries" -lt 600 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
printf '%s\n' 'break kmain' continue bt 'break shell_loop' continue bt \
	'p contig_page_data.zones[ZONE_DMA32].free_pages' kill >"$LOGDIR/make-gdb-input.txt"
if tcp_listening "$port"; then
	timeout -k 5 60 $MAKE --no-print-directory gdb GDBPORT="$port" \
		<"$LOGDIR/make-gdb-input.txt" >"$LOGDIR/make-gdb.log" 2>&1 || RC=$?
else
	echo "nothing listens on port $port: make gdb not run" >"$LOGDIR/make-gdb.log"
	RC=1
	kill "$debug_pid" 2>/dev/null
fi
gdb_rc=$RC
RC=0
wait "$debug_pid" || RC=$?
check make-debug 0 "^  gdb-multiarch build/rvmm.elf -ex 'target remote localhost:$port'$" \
	"Terminated via GDBstub"
RC=$gdb_rc
check make-gdb 0 "Remote debugging using localhost:$port" "Breakpoint 1, kmain \(hartid=" \
	"#0  kmain \(hartid=" "Breakpoint 2, shell_loop \(\)" "#1  0x[0-9a-f]+ in kmain \(" \
	"\\\$1 = [1-9][0-9]*$"
