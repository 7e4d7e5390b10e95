/*
 * parse.h - strict number parsing (lib/parse.c), for the command line's
 * parameters, the shell's commands and the specs they carry.
 *
 * A number is decimal ("4096") or hex after 0x or 0X ("0x1000", digits in
 * either case): at least one digit, nothing before it and nothing after it
 * (no sign, no blanks, no suffix). Every entry point returns 0 with *out
 * set, -EINVAL for a malformed string (NULL, empty, "0x" alone, a character
 * that is not a digit of its base) or -ERANGE for a number that does not
 * fit; *out is left alone on an error.
 *
 * Sizes with a binary multiple ("16M", "0x100K") are memparse's
 * (lib/cmdline.h), a separate entry point over the same digits: where a
 * plain number is wanted, "0x1K" is junk.
 */
#ifndef RVMM_LIB_PARSE_H
#define RVMM_LIB_PARSE_H

#ifdef __cplusplus
extern "C" {
#endif

#include <lib/kernel.h>

/* The NUL-terminated string @s as a number. */
int parse_u64(const char *s, u64 *out);
/* Exactly the @len characters at @s as a number (a piece of a longer
 * string, "key=value,..."): a NUL among them is junk. */
int parse_u64_len(const char *s, size_t len, u64 *out);
/* parse_u64 for a value that must fit 32 bits (-ERANGE above). */
int parse_u32(const char *s, u32 *out);

/* The number at the start of [s, end) (a 0x prefix makes it hex): its
 * value, and in *stop the first character after its digits. 0, -EINVAL
 * (no digit) or -ERANGE. For parsers of numbers with something after them
 * (memparse's suffix). */
int parse_u64_prefix(const char *s, const char *end, u64 *out, const char **stop);
/* The same for digits of @base (2 to 16) alone, no prefix (a hex field of
 * /proc/self/maps: port/malloc.c). */
int parse_u64_digits(const char *s, const char *end, unsigned int base, u64 *out,
		     const char **stop);

#ifdef __cplusplus
}
#endif

#endif
