/*
 * kernel.h - the few things every rvmm file needs: fixed-width types, helpers,
 * kprintf and the panic / BUG_ON / WARN_ON family.
 *
 * This header is portable: the same code builds freestanding for RISC-V and
 * natively for the host (where HOST is defined and kprintf goes to stdout).
 */
#ifndef RVMM_KERNEL_H
#define RVMM_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
/* The C library's <sys/param.h> defines the same two (a host program may
 * include it before these headers): keep the one defined first. */
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif
#define BITS_PER_LONG (8 * (int)sizeof(long))
#define BITS_TO_LONGS(n) (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* *@d = @a * @b; true when the product overflowed (Linux's check_mul_overflow). */
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)

/* Index of the lowest set bit of @x (x != 0), without a ctz instruction
 * (the base ISA has none, and libgcc's is not linked): a de Bruijn
 * multiply and a table load. */
static inline unsigned int lowest_set_bit(u64 x)
{
	static const u8 debruijn[64] = {
		0,  1,  48, 2,  57, 49, 28, 3,  61, 58, 50, 42, 38, 29, 17, 4,
		62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
		63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
		46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,  13, 8,  7,  6,
	};
	return debruijn[((x & -x) * 0x03f79d71b4cb0a89ull) >> 58];
}

/* The address the current function returns to: its caller (Linux's _RET_IP_). */
#define RET_IP ((unsigned long)__builtin_return_address(0))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __noreturn __attribute__((noreturn))
#define __used __attribute__((used))
#define __aligned(n) __attribute__((aligned(n)))
/* Hot variables of the fast paths: in .sdata the linker reaches them from
 * gp in one instruction (nothing on the host). */
#ifdef HOST
#define __sdata
#else
#define __sdata __attribute__((section(".sdata")))
#endif

/* On the declaration of a variable the fast paths read, defined inside the
 * memory manager: code built position-independent (the malloc library,
 * build/librvmm-malloc.so) reaches it PC-relative in one load instead of
 * through the GOT (no effect on code that is not position-independent). */
#define __hidden_var __attribute__((visibility("hidden")))

#define STR_(x) #x
#define STR(x) STR_(x)

/* Errors returned as negative values by rvmm functions. */
#define EPERM 1
#define ENOENT 2
#define EINTR 4 /* stopped by the user (Ctrl-C at the console) */
#define EIO 5
#define E2BIG 7
#define ENOMEM 12
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define EOPNOTSUPP 95
#define ETIMEDOUT 110

/* Formatting (lib/printf.c). Conversions: %d %i %u %x %X %o %c %s %p %%,
 * length modifiers hh h l ll z t, flags '-' '0' ' ' '+' '#', width and
 * precision (both may be '*'). Output is always NUL terminated when size > 0;
 * the return value is the length the full output would have had. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Print (lib/printf.c): format at most KPRINTF_MAX - 1 bytes on the
 * caller's stack and hand them to the sink the system registered (the
 * kernel's console, stdout on the host); nothing is printed before one is.
 * Longer output is cut to KPRINTF_MAX - 1 bytes that end with the marker
 * "... [kprintf: LEN bytes cut to 511]" and, when the whole output ended
 * with a newline, that newline. The sink keeps one call's output whole:
 * with the kernel's console, never interleaved with another hart's.
 * Returns the formatted length (of the whole output); 0, with nothing
 * formatted, while no sink is registered. */
#define KPRINTF_MAX 512
int kprintf(const char *fmt, ...) __printf(1, 2);
int vkprintf(const char *fmt, va_list ap);
/* Where kprintf's text goes: @s holds @n bytes (and a NUL after them). */
typedef void (*kprintf_sink_t)(const char *s, size_t n);
void kprintf_set_sink(kprintf_sink_t sink);
/* Whether kprintf prints anything (a sink is registered): lets a caller skip
 * work done only for a message. */
bool kprintf_enabled(void);

/* Stop the machine with a message, a backtrace and a failure exit code. */
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

#define BUG() panic("BUG at %s:%d", __FILE__, __LINE__)
#define BUG_ON(cond)                                                        \
	do {                                                                \
		if (unlikely(cond))                                         \
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

void warn_slowpath(const char *file, int line, const char *cond);
#define WARN_ON(cond)                                                  \
	__extension__({                                                \
		bool __w = !!(cond);                                   \
		if (unlikely(__w))                                     \
			warn_slowpath(__FILE__, __LINE__, #cond);      \
		__w;                                                   \
	})

#ifdef __cplusplus
/* C++ (11 on) spells C11's _Static_assert static_assert. */
#define _Static_assert static_assert
#endif
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), #cond)

#ifdef __cplusplus
}
#endif

#endif
