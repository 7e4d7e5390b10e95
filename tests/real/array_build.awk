# array_build.awk - an awk program building its data without freeing it:
# 200000 array elements of 1 to 100 digits, then their total length. mawk
# (Debian's required awk) keeps its strings in 2 KiB blocks it takes from
# malloc one after another and never frees until exit, the pattern of a
# program loading its input: every allocation finds the cache without a
# free object (docs/benchmarks.md, "Real programs").
BEGIN {
	for (i = 0; i < 200000; i++)
		a[i] = sprintf("%0*d", 1 + i % 100, i)
	n = 0
	for (k in a)
		n += length(a[k])
	print n
}
