/*
 * parse.c - strict number parsing (include/lib/parse.h): one loop over the
 * digits of a decimal or 0x-hex number, overflow checked before every step,
 * under every entry point (and memparse's, lib/cmdline.c).
 */
#include <lib/kstring.h>
#include <lib/parse.h>

/* The value of @c as a digit of @base, or @base when it is not one. */
static unsigned int digit(char c, unsigned int base)
{
	unsigned int d = c >= '0' && c <= '9'	  ? (unsigned int)(c - '0')
			 : c >= 'a' && c <= 'f' ? (unsigned int)(c - 'a' + 10)
			 : c >= 'A' && c <= 'F' ? (unsigned int)(c - 'A' + 10)
						: base;

	return d < base ? d : base;
}

int parse_u64_digits(const char *s, const char *end, unsigned int base, u64 *out,
		     const char **stop)
{
	unsigned int d;
	const char *p = s;
	u64 v = 0;

	if (!s || s >= end || digit(*p, base) == base)
		return -EINVAL;
	for (; p < end && (d = digit(*p, base)) < base; p++) {
		if (v > (~0ull - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*out = v;
	*stop = p;
	return 0;
}

int parse_u64_prefix(const char *s, const char *end, u64 *out, const char **stop)
{
	if (s && end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_u64_digits(s + 2, end, 16, out, stop);
	return parse_u64_digits(s, end, 10, out, stop);
}

int parse_u64_len(const char *s, size_t len, u64 *out)
{
	const char *stop;
	u64 v;
	int rc;

	if (!s)
		return -EINVAL;
	rc = parse_u64_prefix(s, s + len, &v, &stop);
	if (rc)
		return rc;
	if (stop != s + len)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_u64(const char *s, u64 *out)
{
	return s ? parse_u64_len(s, strlen(s), out) : -EINVAL;
}

int parse_u32(const char *s, u32 *out)
{
	u64 v;
	int rc = parse_u64(s, &v);

	if (rc)
		return rc;
	if (v > 0xffffffffull)
		return -ERANGE;
	*out = (u32)v;
	return 0;
}
