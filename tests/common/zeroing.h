/*
 * zeroing.h - the checks the host and target meminit suites share
 * (init_on_alloc=, init_on_free=: include/mm/meminit.h).
 */
#ifndef RVMM_TESTS_ZEROING_H
#define RVMM_TESTS_ZEROING_H

#include <lib/kstring.h>
#include <mm/kfence.h>
#include <mm/kmalloc.h>
#include <mm/slab.h>
#include <tests/ktest.h>

#define ZEROING_MARK 0x5a

/* Bytes of [p, p + n) that are not @v. */
static inline size_t not_byte(const void *p, size_t n, u8 v)
{
	size_t bad = 0;

	for (size_t i = 0; i < n; i++)
		bad += ((const u8 *)p)[i] != v;
	return bad;
}

/* Bytes of [p, p + n) that are @v. */
static inline size_t is_byte(const void *p, size_t n, u8 v)
{
	return n - not_byte(p, n, v);
}

/*
 * Three rounds of kmalloc of each of the @n @sizes and of 64 bytes through
 * the constant-size inline path: each block zero, then filled with
 * ZEROING_MARK and kfree'd. With @peek (init_on_free, where freed memory
 * may be read), each freed block of 64 bytes or more holds the allocator's
 * own words at most (a free link, a SLOB header or marker: 16 bytes) and
 * none of the mark but by chance (a KFENCE object is not read: its page
 * is gone once freed).
 */
static inline void kmalloc_zero_rounds(struct ktest *t, const size_t *sizes, size_t n, bool peek)
{
	void *p[16];

	ASSERT(n < ARRAY_SIZE(p));
	for (unsigned int round = 0; round < 3; round++) {
		for (size_t i = 0; i < n; i++)
			p[i] = kmalloc(sizes[i], GFP_KERNEL);
		p[n] = kmalloc(64, GFP_KERNEL);
		for (size_t i = 0; i <= n; i++) {
			size_t len = i < n ? sizes[i] : 64;

			ASSERT(p[i] != NULL);
			EXPECT_EQ(not_byte(p[i], len, 0), 0ul);
			memset(p[i], ZEROING_MARK, len);
		}
		for (size_t i = 0; i <= n; i++) {
			size_t len = i < n ? sizes[i] : 64;

			bool readable = !is_kfence_address(p[i]);

			kfree(p[i]);
			if (peek && readable && len >= 64)
				EXPECT(is_byte(p[i], len, ZEROING_MARK) <= 16);
		}
	}
}

/*
 * Two rounds of @n objects of cache @c into @o: each zero when handed out
 * (a cache without constructor), then filled with ZEROING_MARK and freed.
 * With @peek (init_on_free, where freed memory may be read), each freed
 * object holds no byte of the mark but its free link (one word) and what
 * equals the mark by chance there; a KFENCE object is not read.
 */
static inline void cache_zero_rounds(struct ktest *t, struct kmem_cache *c, void **o, int n,
				     bool peek)
{
	size_t size = kmem_cache_size(c);

	for (unsigned int round = 0; round < 2; round++) {
		for (int i = 0; i < n; i++) {
			o[i] = kmem_cache_alloc(c, GFP_KERNEL);
			ASSERT(o[i] != NULL);
			EXPECT_EQ(not_byte(o[i], size, 0), 0ul);
			memset(o[i], ZEROING_MARK, size);
		}
		for (int i = 0; i < n; i++) {
			bool readable = !is_kfence_address(o[i]);

			kmem_cache_free(c, o[i]);
			if (peek && readable)
				EXPECT(is_byte(o[i], size, ZEROING_MARK) <= sizeof(void *));
		}
	}
}

#endif
