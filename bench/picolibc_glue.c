/*
 * picolibc_glue.c - picolibc's malloc inside the kernel, for the churn
 * benchmark's comparison (bench/churn.h).
 *
 * The Makefile extracts nano-malloc-malloc.c.o, nano-malloc-free.c.o and
 * memset.S.o from Debian's picolibc (the release build: optimised for
 * speed, rv64imac/lp64) into build/picolibc/ and links them into the
 * kernel only. picolibc's malloc zeroes every block it hands out; its
 * memset is renamed picolibc_memset there, so that malloc runs with
 * picolibc's own memset rather than the kernel's (lib/string.c).
 *
 * What those objects need, provided here:
 *   sbrk     a bump pointer over one 4 MiB block (order 10) from the page
 *            allocator, taken when a run starts and given back after it;
 *            the high-water mark is the run's peak memory;
 *   locks    __lock___libc_recursive_mutex and no-op recursive retarget
 *            locks (one hart, interrupts masked);
 *   errno    a TLS variable: picolibc stores to tp + %tprel(errno) when a
 *            malloc fails. tp holds the kernel's struct hart, so the run
 *            switches tp to a zeroed scratch block for its duration; errno
 *            is the kernel image's only TLS variable (.tbss, linker.ld
 *            asserts that), so its offset is 0, which is checked below.
 * picolibc's own state (free list, sbrk start and top) is reset before each
 * run, so every run starts from an empty heap.
 */
#include <lib/kstring.h>
#include <mm/mm.h>
#include <lib/riscv.h>

#include "churn.h"

/* picolibc's side (nano-malloc-malloc.c.o, nano-malloc-free.c.o). */
void *malloc(size_t size);
void free(void *p);
extern void *__malloc_free_list;
extern char *__malloc_sbrk_start, *__malloc_sbrk_top;

/* What picolibc calls. */
struct __lock {
	int unused;
};
void *sbrk(ptrdiff_t incr);
void __retarget_lock_acquire_recursive(struct __lock *lock);
void __retarget_lock_release_recursive(struct __lock *lock);

struct __lock __lock___libc_recursive_mutex;
__thread int errno;

#define PL_ORDER 10 /* the sbrk region: 4 MiB */
#define PL_TLS_SIZE 64

static char *pl_base, *pl_brk, *pl_limit, *pl_high;
static u64 pl_tls[PL_TLS_SIZE / 8] __aligned(16);

void __retarget_lock_acquire_recursive(struct __lock *lock)
{
	(void)lock;
}

void __retarget_lock_release_recursive(struct __lock *lock)
{
	(void)lock;
}

/* Runs with tp on the scratch block: no kernel calls, no kprintf. */
void *sbrk(ptrdiff_t incr)
{
	char *old = pl_brk;

	if (!pl_base || (incr >= 0 ? incr > pl_limit - pl_brk : -incr > pl_brk - pl_base))
		return (void *)-1;
	pl_brk += incr;
	if (pl_brk > pl_high)
		pl_high = pl_brk;
	return old;
}

/* errno's offset from tp: where picolibc would store it. */
static long errno_tp_offset(void)
{
	return (long)((char *)&errno - (char *)__builtin_thread_pointer());
}

/* Run the workload with tp on @tls; restores tp before returning. The
 * compiler never allocates tp, and nothing between the two asm statements
 * reads it except picolibc's errno stores. */
static __attribute__((noinline)) void run_on_tls(void *tls, const struct churn_ops *ops,
						 struct churn_result *r)
{
	unsigned long saved;

	__asm__ volatile("mv %0, tp\n\tmv tp, %1" : "=&r"(saved) : "r"(tls) : "memory");
	churn_run(ops, r);
	__asm__ volatile("mv tp, %0" : : "r"(saved) : "memory");
}

static void picolibc_reset(void)
{
	__malloc_free_list = NULL;
	__malloc_sbrk_start = NULL;
	__malloc_sbrk_top = NULL;
	pl_base = pl_brk = pl_limit = pl_high = NULL;
}

int picolibc_churn(struct churn_result *r, unsigned long *peak_bytes, int *errno_out)
{
	const struct churn_ops ops = { malloc, free };
	long off = errno_tp_offset();
	unsigned long flags;
	struct page *page;

	if (off < 0 || off + (long)sizeof(int) > PL_TLS_SIZE) {
		kprintf("bench: churn: picolibc's errno is at tp%+ld, outside the %d-byte scratch TLS block\n",
			off, PL_TLS_SIZE);
		return -EINVAL;
	}
	page = alloc_pages(GFP_KERNEL, PL_ORDER);
	if (!page)
		return -ENOMEM;
	picolibc_reset();
	pl_base = pl_brk = pl_high = page_address(page);
	pl_limit = pl_base + (PAGE_SIZE << PL_ORDER);
	memset(pl_tls, 0, sizeof(pl_tls));

	flags = irq_save(); /* a trap handler would read tp */
	run_on_tls(pl_tls, &ops, r);
	irq_restore(flags);

	*errno_out = *(int *)((char *)pl_tls + off);
	*peak_bytes = (unsigned long)(pl_high - pl_base);
	picolibc_reset();
	__free_pages(page, PL_ORDER);
	return 0;
}

/* picolibc_run (churn.h): picolibc_churn's set-up around any function. */
static __attribute__((noinline)) void run_fn_on_tls(void *tls,
						    void (*fn)(const struct churn_ops *, void *),
						    const struct churn_ops *ops, void *arg)
{
	unsigned long saved;

	__asm__ volatile("mv %0, tp\n\tmv tp, %1" : "=&r"(saved) : "r"(tls) : "memory");
	fn(ops, arg);
	__asm__ volatile("mv tp, %0" : : "r"(saved) : "memory");
}

int picolibc_run(void (*fn)(const struct churn_ops *ops, void *arg), void *arg,
		 unsigned long *peak_bytes, int *errno_out)
{
	static const struct churn_ops ops = { malloc, free };
	long off = errno_tp_offset();
	unsigned long flags;
	struct page *page;

	if (off < 0 || off + (long)sizeof(int) > PL_TLS_SIZE)
		return -EINVAL;
	page = alloc_pages(GFP_KERNEL, PL_ORDER);
	if (!page)
		return -ENOMEM;
	picolibc_reset();
	pl_base = pl_brk = pl_high = page_address(page);
	pl_limit = pl_base + (PAGE_SIZE << PL_ORDER);
	memset(pl_tls, 0, sizeof(pl_tls));

	flags = irq_save();
	run_fn_on_tls(pl_tls, fn, &ops, arg);
	irq_restore(flags);

	*errno_out = *(int *)((char *)pl_tls + off);
	*peak_bytes = (unsigned long)(pl_high - pl_base);
	picolibc_reset();
	__free_pages(page, PL_ORDER);
	return 0;
}
