#!/bin/sh
# doc-cmdlines.sh - every kernel command line README.md and docs/*.md show
# (`-append VALUE`, `APPEND=VALUE`, `STRESS_APPEND=`, `BENCH_APPEND=`) is
# one a reader can copy: after the shell's quoting, split into words as
# lib/cmdline.c splits them (spaces outside double quotes), each word names
# a parameter the kernel has (a KPARAM). An unquoted space inside a run=
# value (`-append "run=bench slab_pc;poweroff"`) makes words the kernel
# warns of as unknown and drops, and the run= runs something else.
# No QEMU: the lines are read, not booted.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

params=$(grep -rhoE 'KPARAM\("[^"]+"' --include=*.c boot drivers lib mm shell bench tests |
	sed 's/KPARAM("//; s/"$//' | sort -u)

# The value after each -append or *APPEND= in FILE, shell-unquoted: the
# rest of the line up to a backtick, whose first word (after set --) it is.
# Printed as FILE:LINE, a tab, the value.
values() {
	grep -nE -- '-append |APPEND=' "$1" | while IFS= read -r line; do
		text=${line#*:}
		for marker in '-append ' 'APPEND='; do
			rest=$text
			while :; do
				case $rest in *"$marker"*) ;; *) break ;; esac
				rest=${rest#*"$marker"}
				arg=${rest%%\`*}
				case $arg in *'$('*) continue ;; esac
				value=$(eval "set -- $arg" 2>/dev/null && printf '%s' "${1-}") || continue
				[ -n "$value" ] && printf '%s:%s\t%s\n' "$1" "${line%%:*}" "$value"
			done
		done
	done
}

# The kernel's words of a command line, one a line: spaces and tabs split
# them outside double quotes.
kernel_words() {
	printf '%s\n' "$1" | awk '{
		word = ""; q = 0
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (c == "\"") q = !q
			if (!q && (c == " " || c == "\t")) {
				if (word != "") print word
				word = ""
			} else
				word = word c
		}
		if (word != "") print word
	}'
}

bad=0 seen=0
tab=$(printf '\t')
for file in README.md docs/*.md; do
	values "$file"
done >"$LOGDIR/doc-cmdlines.txt"
while IFS="$tab" read -r where value; do
	seen=$((seen + 1))
	for word in $(kernel_words "$value" | tr -d '"' | sed 's/=.*//' | tr ' ' '_'); do
		if ! printf '%s\n' "$params" | grep -qxF -- "$word"; then
			echo "FAIL doc-cmdlines: $where: the kernel would not know '$word' in: $value"
			bad=$((bad + 1))
		fi
	done
done <"$LOGDIR/doc-cmdlines.txt"

if [ "$bad" = 0 ] && [ "$seen" -gt 0 ]; then
	echo "ok   doc-cmdlines: the $seen kernel command lines of README.md and docs/*.md name known parameters only"
	record doc-cmdlines 1 0
else
	[ "$seen" = 0 ] && echo "FAIL doc-cmdlines: no command line found in README.md and docs/*.md"
	record doc-cmdlines 0 1
	exit 1
fi
