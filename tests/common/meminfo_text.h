/*
 * meminfo_text.h - reading a value back from meminfo's output, as the
 * target suites that check it do (slab, slob, vmalloc, cma).
 */
#ifndef RVMM_TESTS_MEMINFO_TEXT_H
#define RVMM_TESTS_MEMINFO_TEXT_H

#include <lib/kstring.h>

/* The kB value of the line "@name:   N kB" in @s (@name at the start of a
 * line, without its colon); -1 when there is no such line. */
static inline long meminfo_kb(const char *s, const char *name)
{
	size_t n = strlen(name);
	long v = 0;

	for (; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL) {
		if (strncmp(s, name, n) != 0 || s[n] != ':')
			continue;
		for (s += n + 1; *s == ' '; s++)
			;
		if (*s < '0' || *s > '9')
			return -1;
		while (*s >= '0' && *s <= '9')
			v = v * 10 + (*s++ - '0');
		return strncmp(s, " kB\n", 4) == 0 ? v : -1;
	}
	return -1;
}

#endif
