# hex.awk - hex(s): the value of the hexadecimal digits s (no 0x), for the
# scripts that read nm and readelf output (mksyms.sh, mkrelocs.sh).
function hex(s,   i, v) {
	v = 0
	for (i = 1; i <= length(s); i++)
		v = v * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
	return v
}
