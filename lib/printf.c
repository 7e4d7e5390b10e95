/*
 * printf.c - kvsnprintf, the one formatter behind kprintf and ksnprintf.
 *
 * Supports the C conversions a kernel needs: %d %i %u %x %X %o %c %s %p %%,
 * the length modifiers hh h l ll z t j, the flags '-' '0' ' ' '+' '#', a field
 * width and a precision (either may be '*'). %p prints 0x followed by the
 * address in lower-case hex ("(null)" for NULL). Floating point is not
 * supported. Behaviour matches ISO C for everything supported, which the host
 * tests check against the host's snprintf.
 *
 * Contract: never writes more than @size bytes, always NUL terminates when
 * size > 0, and returns the length the whole output would have had.
 * kprintf formats into a KPRINTF_MAX buffer; output longer than that is never
 * cut silently: it ends with a marker naming its length, and the newline the
 * whole output ended with.
 */
#include <lib/kernel.h>
#include <lib/kstring.h>

struct out {
	char *buf;
	size_t size;
	size_t len; /* characters produced so far, written or not */
	char last;  /* the last character produced, written or not */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
	o->last = c;
}

static void put_n(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left, zero, plus, space, alt;
	int width;
	int precision; /* -1: none */
	int length;    /* 0 int, 'H' char, 'h' short, 'l' long, 'L' long long */
};

/* Emit digits[0..ndigits) with sign/prefix, padding and precision applied. */
static void put_number(struct out *o, const struct spec *s, const char *prefix,
		       const char *digits, int ndigits)
{
	int plen = (int)strlen(prefix);
	int zeros = s->precision > ndigits ? s->precision - ndigits : 0;
	int body = plen + zeros + ndigits;
	int pad = s->width > body ? s->width - body : 0;

	if (s->zero && !s->left && s->precision < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!s->left)
		put_n(o, ' ', pad);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	put_n(o, '0', zeros);
	for (int i = 0; i < ndigits; i++)
		put(o, digits[i]);
	if (s->left)
		put_n(o, ' ', pad);
}

static int to_digits(char *out, unsigned long long v, unsigned base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = set[v % base];
		v /= base;
	} while (v);
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

static void format_int(struct out *o, const struct spec *s, char conv, unsigned long long v,
		       bool negative)
{
	char digits[25];
	char prefix[3] = "";
	unsigned base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X') ? 16 : 10;
	int n;

	if (negative)
		prefix[0] = '-';
	else if (conv == 'd' || conv == 'i')
		prefix[0] = s->plus ? '+' : s->space ? ' ' : '\0';
	/* Precision 0 with value 0 prints no digits. */
	n = (v == 0 && s->precision == 0) ? 0 : to_digits(digits, v, base, conv == 'X');
	if (s->alt && base == 16 && v != 0) {
		prefix[0] = '0';
		prefix[1] = conv;
	}
	if (s->alt && base == 8 && (n == 0 || digits[0] != '0') && s->precision <= n) {
		/* C: '#' with o makes the first digit a 0. */
		memmove(digits + 1, digits, (size_t)n);
		digits[0] = '0';
		n++;
	}
	put_number(o, s, prefix, digits, n);
}

static void format_str(struct out *o, const struct spec *s, const char *str)
{
	size_t n;
	int pad;

	if (!str)
		str = "(null)";
	n = s->precision >= 0 ? strnlen(str, (size_t)s->precision) : strlen(str);
	pad = s->width > (int)n ? s->width - (int)n : 0;
	if (!s->left)
		put_n(o, ' ', pad);
	for (size_t i = 0; i < n; i++)
		put(o, str[i]);
	if (s->left)
		put_n(o, ' ', pad);
}

static const char *parse_flags(const char *f, struct spec *s)
{
	for (;; f++) {
		switch (*f) {
		case '-': s->left = true; break;
		case '0': s->zero = true; break;
		case '+': s->plus = true; break;
		case ' ': s->space = true; break;
		case '#': s->alt = true; break;
		default: return f;
		}
	}
}

static const char *parse_number(const char *f, int *out, va_list *ap, bool *star)
{
	*star = false;
	if (*f == '*') {
		*out = va_arg(*ap, int);
		*star = true;
		return f + 1;
	}
	*out = 0;
	while (*f >= '0' && *f <= '9')
		*out = *out * 10 + (*f++ - '0');
	return f;
}

static const char *parse_length(const char *f, int *length)
{
	*length = 0;
	if (f[0] == 'h' && f[1] == 'h') {
		*length = 'H';
		return f + 2;
	}
	if (f[0] == 'l' && f[1] == 'l') {
		*length = 'L';
		return f + 2;
	}
	switch (*f) {
	case 'h': *length = 'h'; return f + 1;
	case 'l': case 'z': case 't': case 'j': *length = 'l'; return f + 1;
	default: return f;
	}
}

static unsigned long long arg_unsigned(int length, va_list *ap)
{
	switch (length) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned int);
	case 'h': return (unsigned short)va_arg(*ap, unsigned int);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	default: return va_arg(*ap, unsigned int);
	}
}

static long long arg_signed(int length, va_list *ap)
{
	switch (length) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	default: return va_arg(*ap, int);
	}
}

/* Format one conversion starting after the '%'; returns where it ends. */
static const char *format_one(struct out *o, const char *f, va_list *ap)
{
	struct spec s = { .precision = -1 };
	bool star;

	f = parse_flags(f, &s);
	f = parse_number(f, &s.width, ap, &star);
	if (s.width < 0) { /* a negative '*' width means '-' */
		s.left = true;
		s.width = -s.width;
	}
	if (*f == '.') {
		f = parse_number(f + 1, &s.precision, ap, &star);
		if (s.precision < 0)
			s.precision = -1;
	}
	f = parse_length(f, &s.length);

	switch (*f) {
	case 'd':
	case 'i': {
		long long v = arg_signed(s.length, ap);
		unsigned long long mag = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
		format_int(o, &s, *f, mag, v < 0);
		break;
	}
	case 'u': case 'x': case 'X': case 'o':
		format_int(o, &s, *f, arg_unsigned(s.length, ap), false);
		break;
	case 'p': {
		void *p = va_arg(*ap, void *);
		if (!p) {
			format_str(o, &s, "(null)");
		} else {
			s.alt = true;
			format_int(o, &s, 'x', (uintptr_t)p, false);
		}
		break;
	}
	case 'c': {
		char c = (char)va_arg(*ap, int);
		int pad = s.width > 1 ? s.width - 1 : 0;
		if (!s.left)
			put_n(o, ' ', pad);
		put(o, c);
		if (s.left)
			put_n(o, ' ', pad);
		break;
	}
	case 's':
		format_str(o, &s, va_arg(*ap, const char *));
		break;
	case '%':
		put(o, '%');
		break;
	case '\0': /* a lone '%' at the end: print it, stop */
		put(o, '%');
		return f;
	default: /* unknown conversion: print it literally so the bug shows */
		put(o, '%');
		put(o, *f);
		break;
	}
	return f + 1;
}

/* Format all of @fmt into @o, NUL terminated when o->size > 0. */
static void format_all(struct out *o, const char *fmt, va_list ap)
{
	va_list aq;

	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%')
			put(o, *fmt++);
		else
			fmt = format_one(o, fmt + 1, &aq);
	}
	va_end(aq);
	if (o->size)
		o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
}

static int clamp_len(size_t len)
{
	return len > INT32_MAX ? INT32_MAX : (int)len;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0, '\0' };

	format_all(&o, fmt, ap);
	return clamp_len(o.len);
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- kprintf: formatted here, written by the registered sink ----------- */

static kprintf_sink_t kprintf_sink;

void kprintf_set_sink(kprintf_sink_t sink)
{
	__atomic_store_n(&kprintf_sink, sink, __ATOMIC_RELEASE);
}

bool kprintf_enabled(void)
{
	return __atomic_load_n(&kprintf_sink, __ATOMIC_ACQUIRE) != NULL;
}

/* Longest cut marker: the two lengths at 20 digits each, the newline. */
#define CUT_MARK_MAX 80
_Static_assert(KPRINTF_MAX > 2 * CUT_MARK_MAX, "kprintf's buffer holds a cut marker and text");

/*
 * @o overflowed kprintf's buffer: end what fits with a marker naming the
 * full length and the limit, then the newline the full output ended with,
 * so that the next message still starts a line of its own. Returns the
 * length to print (the buffer's, size - 1).
 */
static size_t mark_cut(const struct out *o)
{
	char mark[CUT_MARK_MAX];
	size_t m = (size_t)ksnprintf(mark, sizeof(mark), "... [kprintf: %zu bytes cut to %zu]%s",
				     o->len, o->size - 1, o->last == '\n' ? "\n" : "");

	memcpy(o->buf + o->size - 1 - m, mark, m + 1);
	return o->size - 1;
}

int vkprintf(const char *fmt, va_list ap)
{
	char buf[KPRINTF_MAX];
	struct out o = { buf, sizeof(buf), 0, '\0' };
	kprintf_sink_t sink = __atomic_load_n(&kprintf_sink, __ATOMIC_ACQUIRE);

	if (!sink) /* (a quiet bring-up: no text is made that nothing prints) */
		return 0;
	format_all(&o, fmt, ap);
	sink(buf, o.len < sizeof(buf) ? o.len : mark_cut(&o));
	return clamp_len(o.len);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vkprintf(fmt, ap);
	va_end(ap);
	return n;
}
