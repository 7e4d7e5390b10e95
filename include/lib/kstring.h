/*
 * kstring.h - the C string and memory functions rvmm uses.
 * The kernel gets them from lib/string.c; the host build from its libc.
 */
#ifndef RVMM_KSTRING_H
#define RVMM_KSTRING_H

#ifdef HOST
#include <string.h>
#else
#include <stddef.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

#ifndef HOST
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
#endif

/* Copy at most size-1 bytes and always terminate (when size > 0);
 * returns strlen(src) so truncation is visible. */
size_t kstrlcpy(char *dst, const char *src, size_t size);

/* Linux's memchr_inv: the first of the @n bytes at @s that is not @c, or
 * NULL when all are (a whole buffer of zeroes, a poison pattern intact).
 * Reads a word at a time. */
void *memchr_inv(const void *s, int c, size_t n);

#ifdef __cplusplus
}
#endif

#endif
