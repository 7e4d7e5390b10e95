/*
 * string.c - memory and string functions for the freestanding kernel.
 *
 * The compiler emits calls to memcpy/memset/memmove/memcmp on its own, so
 * these must exist and must not be compiled into calls to themselves (the
 * Makefile builds this file with -fno-tree-loop-distribute-patterns).
 * memcpy and memset move 8 bytes at a time when both ends allow it.
 * kstrlcpy and memchr_inv are portable and also built for the host.
 */
#include <lib/kernel.h>
#include <lib/kstring.h>

#ifndef HOST
void *memset(void *dst, int c, size_t n)
{
	u8 *d = dst;
	u64 pattern = 0x0101010101010101ull * (u8)c;

	while (n && ((uintptr_t)d & 7)) {
		*d++ = (u8)c;
		n--;
	}
	for (; n >= 32; n -= 32, d += 32) { /* (four stores a turn: a page in 128) */
		((u64 *)d)[0] = pattern;
		((u64 *)d)[1] = pattern;
		((u64 *)d)[2] = pattern;
		((u64 *)d)[3] = pattern;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(u64 *)d = pattern;
	while (n--)
		*d++ = (u8)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
		while (n && ((uintptr_t)d & 7)) {
			*d++ = *s++;
			n--;
		}
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(u64 *)d = *(const u64 *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const u8 *p = s;

	for (; n; n--, p++)
		if (*p == (u8)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}
char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack; haystack++)
		if (strncmp(haystack, needle, n) == 0)
			return (char *)haystack;
	return n == 0 ? (char *)haystack : NULL;
}
#endif /* !HOST */

size_t kstrlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/* A word that may alias the bytes it is read from. */
typedef u64 __attribute__((may_alias)) u64_alias;

void *memchr_inv(const void *s, int c, size_t n)
{
	const u8 *p = s;
	u8 b = (u8)c;
	u64 pattern = 0x0101010101010101ull * b;

	while (n && ((uintptr_t)p & 7)) {
		if (*p != b)
			return (void *)p;
		p++;
		n--;
	}
	for (; n >= 8 && *(const u64_alias *)p == pattern; n -= 8)
		p += 8;
	for (; n; p++, n--) /* the tail, or the word that differed */
		if (*p != b)
			return (void *)p;
	return NULL;
}
