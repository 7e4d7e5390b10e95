# memmap-awk.sh - awk functions for programs that read rvmm's memmap lines
# (scripts/memmap-plot.sh, tests/qemu/memmap-checks.sh). Sourced; a program
# starts with "$MEMMAP_AWK".
#   hexval(s)     the value of hex s ("0x" optional), -1 if s is not hex
#   kv(line, key) the value of key=value in a line of words, "" if absent
MEMMAP_AWK='
function hexval(s,   i, c, v) {
	s = tolower(s); sub(/^0x/, "", s); v = 0
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", substr(s, i, 1)) - 1
		if (c < 0) return -1
		v = v * 16 + c
	}
	return v
}
function kv(line, key,   n, a, i) {
	n = split(line, a, " ")
	for (i = 1; i <= n; i++)
		if (index(a[i], key "=") == 1) return substr(a[i], length(key) + 2)
	return ""
}
'
