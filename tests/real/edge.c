/*
 * edge.c - the malloc API's edge cases, run under
 * LD_PRELOAD=build/librvmm-malloc.so by tests/real/run.sh (built plainly
 * against glibc: whatever malloc the process has is the one tested).
 * Prints "edge: FAIL <what>" for each failed check and "edge: N checks, 0
 * failed" at the end; exits non-zero on any failure.
 *
 * Checked: malloc(0) unique and freeable; free(NULL); realloc(NULL, n);
 * realloc(p, 0) frees and returns NULL; blocks of random sizes up to 1 MiB
 * among small ones peaking within half again of the live bytes; 200000
 * objects of 392 and of 272 bytes resident within a twelfth more than
 * asked (an eighth on SLOB) plus 2 MiB; calloc overflow and huge requests
 * return NULL with errno ENOMEM and do not grow the heap; 16-byte alignment of every size from 1 to
 * 9000 and of big ones; memalign, aligned_alloc, posix_memalign, valloc and
 * pvalloc at alignments 16 .. 16 MiB, also among free rows of pages that
 * fit the size but not the alignment, their errors (EINVAL); usable sizes;
 * blocks aligned to their size (128 KiB .. 32 MiB) each doubled by realloc,
 * round after round, page runs growing in place and the heap within twice
 * a round's bytes;
 * contents kept across realloc between 1 byte and 40 MiB (page runs above
 * 4 MiB); calloc zeroes reused memory, and a 256 MiB calloc over dirty
 * memory adds under 16 MiB to the resident set (its pages dropped, not
 * written), odd sizes zeroed to both ends; 16 threads (more than the 8 hart
 * slots) allocating and freeing concurrently with contents checked;
 * generations of threads whose objects are checked and freed by other
 * threads after their allocators exited (slot leases given back and taken
 * again); fork
 * while other threads allocate, the child allocating and exiting; fork
 * with atfork handlers that allocate registered before the library's; 40 forks
 * while 7 threads allocate (a 60 s guard on the time in fork()); a thread sharing its hart
 * slot with a busy one getting its turn; free(NULL) from two threads at
 * once sharing nothing and counted by RVMM_MALLOC_STATS; freed blocks of
 * 8 to 128 KiB kept per thread for requests of up to a quarter less;
 * page runs (4 MiB + 1 byte, 1 GiB-aligned) freed and taken again
 * thousands of times without the heap growing, malloc_trim returning 1
 * after a run's free; mallinfo2 and mallinfo describing this heap (arena =
 * in use + free, use rising by what was allocated), malloc_trim giving the
 * caches' memory back after frees; a full heap (RVMM_MALLOC_MAX=256M, in
 * a child) failing with ENOMEM and nothing on standard error; bad
 * RVMM_MALLOC_MAX values refused with a message that names them; programs
 * under an address-space limit (RLIMIT_AS) of 512 MiB to 2 GiB working;
 * malloc_stats's summary and meminfo on standard error; a thread's lease
 * ending with the thread, frees glibc makes as it exits included (threads
 * run one after another share one slot); mallinfo2 read
 * while threads move pages between the per-hart and buddy lists never
 * showing more in use than the heap; free, and realloc that succeeds,
 * leaving errno as it was when madvise fails on locked pages; blocks of 32
 * MiB and more as mappings of their own (mapped_blocks_outside_heap).
 */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* RVMM_MALLOC_INIT_ON_ALLOC / _FREE (docs/malloc.md): zeroing touches the
 * pages it zeroes, so the checks of resident memory and page faults do not
 * apply; every other check does. */
static int zeroing(void)
{
	const char *a = getenv("RVMM_MALLOC_INIT_ON_ALLOC"), *f = getenv("RVMM_MALLOC_INIT_ON_FREE");

	return (a && strcmp(a, "0") != 0) || (f && strcmp(f, "0") != 0);
}

static int checks, failed;

#define CHECK(cond, ...)                                    \
	do {                                                \
		checks++;                                   \
		if (!(cond)) {                              \
			failed++;                           \
			printf("edge: FAIL line %d: ", __LINE__); \
			printf(__VA_ARGS__);                \
			printf("\n");                       \
		}                                           \
	} while (0)

#define CALLOC_ODD_MIN ((128u << 10) + 24)

static void *volatile sink; /* keeps the compiler from removing calls */

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 131 + seed);
}

static int holds(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(i * 131 + seed))
			return 0;
	return 1;
}

/* The "@field: N kB" line of /proc/self/status, N (-1 if unknown). */
static long status_kb(const char *field)
{
	char line[256];
	size_t len = strlen(field);
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, field, len) == 0 && line[len] == ':' &&
		    sscanf(line + len + 1, "%ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* VmRSS of this process in kB (-1 if unknown). */
static long rss_kb(void)
{
	return status_kb("VmRSS");
}

/* Impossible sizes the compiler cannot see (it would reject them as
 * constants, or fold the call away). */
static volatile size_t half_size_max = SIZE_MAX / 2, size_max_less_page = SIZE_MAX - 4096;
static volatile size_t not_power_of_two = 48;

static void basics(void)
{
	void *a = malloc(0), *b = malloc(0), *p;

	CHECK(a && b && a != b, "malloc(0) gives unique pointers (%p %p)", a, b);
	free(a);
	free(b);
	free(NULL);
	p = realloc(NULL, 100);
	CHECK(p && malloc_usable_size(p) >= 100, "realloc(NULL, 100)");
	errno = 0;
	CHECK(realloc(p, 0) == NULL, "realloc(p, 0) returns NULL");
	errno = 0;
	sink = calloc(half_size_max, 4);
	CHECK(!sink && errno == ENOMEM, "calloc overflow: NULL, ENOMEM (errno %d)", errno);
	errno = 0;
	sink = malloc(size_max_less_page);
	CHECK(!sink && errno == ENOMEM, "malloc(SIZE_MAX - 4096): NULL, ENOMEM");
	errno = 0;
	sink = malloc((size_t)1 << 46); /* 64 TiB: above any heap */
	CHECK(!sink && errno == ENOMEM, "malloc(64 TiB): NULL, ENOMEM");
	CHECK(malloc_usable_size(NULL) == 0, "malloc_usable_size(NULL) is 0");
	CHECK(rss_kb() < 100 * 1024, "failed huge requests left %ld kB resident", rss_kb());
}

static void alignment(void)
{
	static void *held[9001];
	int bad = 0;

	for (size_t n = 1; n <= 9000; n++) {
		held[n] = malloc(n);
		if (!held[n] || ((uintptr_t)held[n] & 15) || malloc_usable_size(held[n]) < n)
			bad++;
		else
			memset(held[n], (int)n, n);
	}
	for (size_t n = 1; n <= 9000; n++) {
		unsigned char *p = held[n];

		if (p && (p[0] != (unsigned char)n || p[n - 1] != (unsigned char)n))
			bad++;
		free(p);
	}
	CHECK(bad == 0, "%d of malloc(1..9000) misaligned, short or overwritten", bad);
	for (size_t n = 5u << 20; n < (80u << 20); n = n * 3 + 4097) {
		unsigned char *p = malloc(n);

		CHECK(p && !((uintptr_t)p & 15) && malloc_usable_size(p) >= n, "malloc(%zu)", n);
		if (p) {
			p[0] = 1;
			p[n - 1] = 2;
		}
		free(p);
	}
}

/* Big alignments among free rows of pages that fit the size but not the
 * alignment: 5-page blocks side by side, every other one freed, then
 * memalign(16 KiB, 5 pages) and memalign(64 KiB, 17 pages + 1): each
 * aligned as asked (a plain bigblock of that size would take one of the
 * free rows, page-aligned only: alloc_pages_fit). */
static void aligned_among_free_rows(void)
{
	enum { N = 256 };
	static void *row[N];
	void *p[8];

	for (int i = 0; i < N; i++)
		row[i] = malloc(5 * 4096);
	for (int i = 0; i < N; i += 2) {
		free(row[i]);
		row[i] = NULL;
	}
	for (int i = 0; i < 8; i++) {
		size_t a = i & 1 ? 65536 : 16384, n = i & 1 ? 17 * 4096 + 1 : 5 * 4096;

		p[i] = memalign(a, n);
		CHECK(p[i] && !((uintptr_t)p[i] % a), "memalign(%zu, %zu) among free 5-page rows: %p", a, n, p[i]);
		if (p[i])
			memset(p[i], 0x3c, n);
	}
	for (int i = 0; i < 8; i++)
		free(p[i]);
	for (int i = 0; i < N; i++)
		free(row[i]);
}

/* Aligned blocks take no more than they need: on slab 4097 .. 8192 bytes
 * at an alignment up to a page are kmalloc-8192's objects (8 KiB, not a
 * bigblock of 12), on SLOB a page-aligned request up to a page one page
 * (valloc(1), memalign(64, 4000)); with RVMM_MALLOC_DEBUG's red zones the
 * slab sizes stay bigblocks. */
static void aligned_sizes(void)
{
	const char *backend = getenv("RVMM_MALLOC");
	int slob = backend && strcmp(backend, "slob") == 0;
	void *p = NULL;

	if (getenv("RVMM_MALLOC_DEBUG"))
		return;
	if (!slob) {
		static const size_t sizes[] = { 4097, 5000, 8192 };

		for (unsigned i = 0; i < 3; i++) {
			CHECK(posix_memalign(&p, 64, sizes[i]) == 0 && malloc_usable_size(p) == 8192,
			      "posix_memalign(64, %zu): 8 KiB", sizes[i]);
			free(p);
			p = memalign(4096, sizes[i]);
			CHECK(p && !((uintptr_t)p & 4095) && malloc_usable_size(p) == 8192,
			      "memalign(4096, %zu): 8 KiB, page-aligned", sizes[i]);
			free(p);
		}
		return;
	}
	p = valloc(1);
	CHECK(p && !((uintptr_t)p & 4095) && malloc_usable_size(p) == 4096, "valloc(1) on SLOB: a page");
	free(p);
	p = memalign(64, 4000);
	CHECK(p && !((uintptr_t)p & 63) && malloc_usable_size(p) == 4096, "memalign(64, 4000) on SLOB: a page");
	free(p);
}

static void aligned(void)
{
	for (size_t a = 16; a <= (16u << 20); a <<= 1) {
		size_t sizes[] = { 1, a / 2 + 1, a, a + 1, 3 * a + 5, 4096 + 7 };

		for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			size_t n = sizes[i];
			void *p = memalign(a, n), *q = aligned_alloc(a, n), *r = NULL;
			int rc = posix_memalign(&r, a, n);

			CHECK(p && !((uintptr_t)p % a) && malloc_usable_size(p) >= n, "memalign(%zu, %zu)", a, n);
			CHECK(q && !((uintptr_t)q % a), "aligned_alloc(%zu, %zu)", a, n);
			CHECK(rc == 0 && r && !((uintptr_t)r % a), "posix_memalign(%zu, %zu)", a, n);
			if (p)
				memset(p, 0x5a, n);
			if (q)
				memset(q, 0xa5, n);
			free(p);
			free(q);
			free(r);
		}
	}
	{
		void *r = (void *)1;
		void *v = valloc(10), *pv = pvalloc(5000);

		CHECK(posix_memalign(&r, 24, 10) == EINVAL && r == (void *)1, "posix_memalign(24): EINVAL");
		CHECK(posix_memalign(&r, 4, 10) == EINVAL, "posix_memalign(4): EINVAL");
		errno = 0;
		CHECK(aligned_alloc(not_power_of_two, 10) == NULL && errno == EINVAL,
		      "aligned_alloc(48): NULL, EINVAL");
		CHECK(v && !((uintptr_t)v & 4095), "valloc page-aligned");
		CHECK(pv && !((uintptr_t)pv & 4095) && malloc_usable_size(pv) >= 8192, "pvalloc(5000)");
		free(v);
		free(pv);
		v = memalign(not_power_of_two, 100); /* glibc rounds 48 up to 64 */
		CHECK(v && !((uintptr_t)v & 63), "memalign(48) 64-aligned");
		free(v);
	}
}

/* Bad frees of small blocks (slab objects), each reported and dropped:
 * a pointer inside a live block (on its class's 16-byte grid too) is never
 * handed out, and a double free with another free between does not give
 * one block to two later mallocs. realloc of either is refused (NULL,
 * EINVAL) and moves, copies and frees nothing. */
static void small_bad_frees(void)
{
	static const size_t sizes[] = { 24, 48, 100, 3000 };
	void *(*volatile realloc_fn)(void *, size_t) = realloc;
	int saved = dup(2), null = open("/dev/null", O_WRONLY);

	if (saved < 0 || null < 0)
		return;
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		unsigned char *a = malloc(n), *b = malloc(n), *x[8];
		void *volatile alias = a + 16;
		int inner = 0, twice = 0;

		if (!a || !b)
			break;
		fill(a, n, 5);
		dup2(null, 2);
		free(alias);
		dup2(saved, 2);
		for (int k = 0; k < 8; k++)
			inner |= (x[k] = malloc(n)) == a + 16;
		CHECK(!inner && holds(a, n, 5), "a free inside a live block leaves it alone");
		for (int k = 0; k < 8; k++)
			free(x[k]);
		dup2(null, 2);
		errno = 0;
		x[0] = realloc_fn(alias, 2 * n);
		dup2(saved, 2);
		CHECK(!x[0] && errno == EINVAL && holds(a, n, 5),
		      "realloc of a pointer inside a %zu-byte block: NULL, EINVAL, the block kept", n);
		alias = a;
		free(a);
		free(b);
		dup2(null, 2);
		free(alias); /* again, not in a row */
		errno = 0;
		x[0] = realloc_fn(alias, n / 2);
		dup2(saved, 2);
		CHECK(!x[0] && errno == EINVAL, "realloc of a freed %zu-byte block: NULL, EINVAL", n);
		for (int k = 0; k < 3; k++)
			x[k] = malloc(n);
		twice = x[0] == x[1] || x[1] == x[2] || x[0] == x[2];
		CHECK(!twice, "a double free does not hand one block out twice");
		for (int k = 0; k < 3; k++)
			free(x[k]);
	}
	close(null);
	close(saved);
}

/*
 * free leaves errno as it was (POSIX; glibc since 2.33), also when the
 * heap's madvise fails: it refuses locked pages. In a child: a page of each
 * 4 MiB of a 40 MiB block is locked (40 KiB, within the default
 * RLIMIT_MEMLOCK), so the free blocks it leaves, pushed out of the kept
 * ones, cannot be dropped. Called through a volatile pointer: the compiler
 * may assume free keeps errno and not read it again. A 40 MiB block
 * realloc'd up (its old pages dropped as they are copied) and down (its
 * tail dropped) keeps errno too, and so does a double free reported to a
 * closed standard error.
 */
static void errno_kept_on_locked_pages(void)
{
	void (*volatile free_fn)(void *) = free;
	void *(*volatile realloc_fn)(void *, size_t) = realloc;
	size_t size = 40ul << 20;
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		int changed = 0, locked = 1;
		char *p0;

		for (int round = 0; round < 4; round++) {
			char *p = malloc(size), *q;

			if (!p)
				_exit(3);
			memset(p, 1, size);
			for (size_t off = 0; off < size; off += 4ul << 20)
				locked &= mlock(p + off, 4096) == 0;
			errno = 1234;
			q = realloc_fn(p, 2 * size);
			changed |= errno != 1234;
			if (q)
				p = q;
			errno = 1234;
			q = realloc_fn(p, size / 8);
			changed |= errno != 1234;
			if (q)
				p = q;
			errno = 1234;
			free_fn(p);
			changed |= errno != 1234;
		}
		/* A double free's report, with standard error closed. */
		p0 = malloc(32);
		close(2);
		free_fn(p0);
		errno = 1234;
		free_fn(p0);
		changed |= errno != 1234;
		_exit(!locked ? 2 : changed);
	}
	waitpid(pid, &status, 0);
	CHECK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) != 1,
	      "free, realloc of blocks with locked pages: errno changed");
	CHECK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) != 3, "errno check: malloc(40 MiB) failed");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		printf("edge: mlock refused: errno on locked pages not checked\n");
}

/* free() of a pointer from 1 to 16 (the kernel's ZERO_SIZE_PTR range,
 * which kfree ignores: this malloc never returns one, its malloc(0) is a
 * block) is reported like any pointer it did not return. */
static void tiny_pointer_frees(void)
{
	for (uintptr_t v = 1; v <= 16; v += 7) {
		char path[] = "/tmp/malloc-edge-XXXXXX", buf[512] = "", want[32];
		int fd = mkstemp(path), saved = dup(2);
		void *volatile wild = (void *)v;
		ssize_t n;

		if (fd < 0 || saved < 0)
			return;
		unlink(path);
		dup2(fd, 2);
		free(wild);
		dup2(saved, 2);
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		close(fd);
		close(saved);
		snprintf(want, sizeof(want), "0x%lx", (unsigned long)v);
		CHECK(n > 0 && strstr(buf, want), "free((void *)%lu) reported, not ignored", (unsigned long)v);
	}
}

/* Frees of what is not a block's start (undefined behaviour, but the heap
 * must report and survive them): a pointer 4 MiB into a page run, and a
 * run freed twice. Standard error (the reports) goes to /dev/null here. */
static void bad_frees(void)
{
	unsigned char *p = malloc(10u << 20), *q;
	void *volatile alias; /* (hides the bad frees from the compiler's checks) */
	int saved = dup(2), null = open("/dev/null", O_WRONLY);

	if (!p || saved < 0 || null < 0)
		return;
	fill(p, 10u << 20, 3);
	dup2(null, 2);
	alias = p + (4u << 20);
	free(alias);
	dup2(saved, 2);
	CHECK(holds(p, 10u << 20, 3), "a free inside a run leaves the run alone");
	alias = p;
	free(p);
	dup2(null, 2);
	free(alias); /* a second time */
	dup2(saved, 2);
	q = malloc(10u << 20);
	close(null);
	close(saved);
	if (q)
		fill(q, 10u << 20, 4);
	CHECK(q && holds(q, 10u << 20, 4), "the heap works after a double free of a run");
	free(q);
	small_bad_frees();
	tiny_pointer_frees();
}

static void reallocs(void)
{
	size_t steps[] = { 1, 24, 200, 4000, 9000, 70000, 3u << 20, 5u << 20, 40u << 20, 6u << 20, 5000, 3 };
	unsigned char *p = NULL;
	size_t have = 0;

	for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		size_t n = steps[i], keep = have < n ? have : n;
		unsigned char *q = realloc(p, n);

		CHECK(q && !((uintptr_t)q & 15), "realloc to %zu", n);
		if (!q)
			return;
		CHECK(holds(q, keep, 7), "realloc to %zu keeps %zu bytes", n, keep);
		fill(q, n, 7);
		p = q;
		have = n;
	}
	free(p);
	/* calloc hands out zeroes even where freed memory was dirty */
	for (int round = 0; round < 3; round++) {
		size_t n = round == 2 ? (6u << 20) : 3000;
		unsigned char *d = malloc(n), *z;
		size_t nonzero = 0;

		memset(d, 0xff, n);
		free(d);
		z = calloc(1, n);
		for (size_t i = 0; z && i < n; i++)
			nonzero += z[i] != 0;
		CHECK(z && nonzero == 0, "calloc(%zu) zeroed (%zu bytes not)", n, nonzero);
		free(z);
	}
}

/* A big calloc stays out of the resident set until touched (its pages are
 * dropped, not written), reads as zeros where the memory was dirty, and a
 * block that does not start or end on a page boundary is zero to its ends. */
static void calloc_lazy(void)
{
	const size_t big = 256u << 20;
	unsigned char *d = malloc(big), *z;
	size_t nonzero = 0;
	long before, after;

	CHECK(d != NULL, "malloc(256 MiB)");
	if (!d)
		return;
	memset(d, 0xa5, big); /* resident and dirty */
	free(d);
	before = rss_kb();
	z = calloc(1, big);
	after = rss_kb();
	CHECK(z != NULL, "calloc(256 MiB)");
	if (!z)
		return;
	for (size_t i = 0; i < big; i += 4093)
		nonzero += z[i] != 0;
	nonzero += z[big - 1] != 0;
	CHECK(nonzero == 0, "calloc(256 MiB) over dirty memory reads zeros (%zu bytes not)", nonzero);
	if (!zeroing()) /* (init_on_alloc zeroes, so touches, every page it hands out) */
		CHECK(after - before < 16 * 1024,
		      "calloc(256 MiB) added %ld KiB to the resident set (< 16 MiB)", after - before);
	free(z);
	/* odd sizes: partial pages at both ends */
	for (size_t n = CALLOC_ODD_MIN; n < CALLOC_ODD_MIN + 3 * 4096; n += 4095) {
		unsigned char *w = malloc(n);

		if (w)
			memset(w, 0x5a, n);
		free(w);
		z = calloc(n, 1);
		nonzero = 0;
		for (size_t i = 0; z && i < n; i++)
			nonzero += z[i] != 0;
		CHECK(z && nonzero == 0, "calloc(%zu) zeroed to both ends (%zu bytes not)", n, nonzero);
		free(z);
	}
}

/* calloc clears the whole block, malloc_usable_size's bytes, as glibc's
 * does its whole chunk: a block of the size freed with every usable byte
 * set, then calloc'd (it takes the same object back), reads zero to its
 * usable end (a 257-byte calloc left 31 bytes of kmalloc-288 as the freed
 * block had them). */
static void calloc_zeroes_usable(void)
{
	size_t dirty = 0, first = 0;

	for (size_t n = 1; n <= 20000; n += n < 9000 ? 7 : 997) {
		unsigned char *p = malloc(n), *z;
		size_t u;

		if (!p)
			break;
		memset(p, 0xff, malloc_usable_size(p));
		free(p);
		z = calloc(1, n);
		if (!z)
			break;
		u = malloc_usable_size(z);
		for (size_t i = 0; i < u; i++)
			if (z[i]) {
				dirty++;
				first = first ? first : n;
				break;
			}
		free(z);
	}
	CHECK(dirty == 0, "calloc cleared every usable byte (%zu sizes not, the first %zu)", dirty, first);
}

/* Minor page faults of the process so far. */
static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* A buffer of @n bytes taken (calloc when @zeroed, which must give zeros),
 * written page by page and freed @rounds times; the pages the rounds
 * faulted in, or -1 (no memory, or a calloc not zero). */
static long buffer_rounds_of(size_t n, int rounds, int zeroed)
{
	long before = minor_faults();

	for (int round = 0; round < rounds; round++) {
		unsigned char *p = zeroed ? calloc(1, n) : malloc(n);

		if (!p)
			return -1;
		for (size_t k = 0; zeroed && k < n; k += 4096) {
			if (p[k] || p[n - 1 - k]) {
				free(p);
				return -1;
			}
		}
		for (size_t k = 0; k < n; k += 4096)
			p[k] = p[n - 1 - k] = (unsigned char)round;
		sink = p;
		free(p);
	}
	return minor_faults() - before;
}

static long buffer_rounds(size_t n, int rounds)
{
	return buffer_rounds_of(n, rounds, 0);
}

/* A big calloc of memory still resident clears it in place rather than
 * dropping its pages for the program to fault in again (200 rounds of a
 * 512 KiB calloc read and written whole took 51200 page faults, 400 a
 * round; of 3 MiB, 307200). */
static void calloc_reuse(void)
{
	for (size_t n = 512u << 10; n <= (3u << 20); n += (3u << 20) - (512u << 10)) {
		long faults;

		buffer_rounds_of(n, 3, 1); /* the first rounds may fault */
		faults = buffer_rounds_of(n, 200, 1);
		CHECK(faults >= 0 && faults < (long)(n / 4096) * 4,
		      "a %zu-byte calloc written 200 times faulted %ld pages in (a round's is %zu)", n, faults,
		      n / 4096);
	}
}

/* malloc_trim gives back every free page, not only the free blocks of
 * 1 MiB and more: small objects freed all but one in a hundred leave their
 * free pages scattered between the slabs still in use, in blocks far
 * below 1 MiB, and a trim gave none of them back (a program with 600 MB of
 * 100-byte objects kept all of it resident after freeing 99% of them and
 * trimming, where glibc's trim went down to 200 MB). */
#define TRIM_OBJS 500000

static void trim_small_frees(void)
{
	static void *obj[TRIM_OBJS];
	long start = rss_kb(), full, trimmed;
	int n = 0;

	for (; n < TRIM_OBJS; n++) {
		if (!(obj[n] = malloc(100 + n % 64)))
			break;
		memset(obj[n], 0x77, 100);
	}
	CHECK(n == TRIM_OBJS, "malloc of %d small objects: NULL at %d", TRIM_OBJS, n);
	full = rss_kb();
	for (int i = 0; i < n; i++)
		if (i % 100)
			free(obj[i]);
	malloc_trim(0);
	trimmed = rss_kb();
	CHECK(full - trimmed > (full - start) / 2,
	      "%d small objects (%ld KiB) freed but 1%%, trimmed: %ld KiB stay resident of %ld", n,
	      full - start, trimmed - start, full - start);
	for (int i = 0; i < n; i += 100)
		free(obj[i]);
}

/* A big buffer freed and taken again in a loop keeps its pages: the rounds
 * do not fault them in again (each one did while every free of a block of
 * 1 MiB or more gave its pages back: 8.7 s against glibc's 0.05 for 20000
 * rounds of 1 MiB; and a 20 MB page run came back a block further on each
 * round). A big free still leaves the resident set: of 512 MiB written and
 * freed, at most 40 MiB stay. */
static void big_buffers_keep_pages(void)
{
	static const size_t sizes[] = { 1u << 20, 3000000, 4u << 20, 20000000 };
	long before, after;
	unsigned char *p;

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		long faults;

		buffer_rounds(sizes[i], 3); /* the first rounds may fault */
		faults = buffer_rounds(sizes[i], 200);
		CHECK(faults >= 0 && faults < (long)(sizes[i] / 4096) * 4,
		      "a %zu-byte buffer taken 200 times faulted %ld pages in (a round's is %zu)",
		      sizes[i], faults, sizes[i] / 4096);
	}
	before = rss_kb();
	p = malloc(512u << 20);
	CHECK(p != NULL, "malloc(512 MiB)");
	if (!p)
		return;
	memset(p, 0x3c, 512u << 20);
	free(p);
	after = rss_kb();
	CHECK(after - before < 40 * 1024, "512 MiB written and freed: %ld KiB still resident (< 40 MiB)",
	      after - before);
}

/* VmHWM of this process in kB, the peak of its resident set since the
 * last reset_peak_rss (-1 if unknown). */
static long peak_rss_kb(void)
{
	return status_kb("VmHWM");
}

/* Start VmHWM over from the resident set now (Linux 4.0); false if not. */
static int reset_peak_rss(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	int ok = f && fputs("5", f) >= 0;

	if (f && fclose(f) != 0)
		ok = 0;
	return ok;
}

/* A buffer grown a page at a time by realloc, to 64 MiB: it moves about
 * 25 times (each move leaves half again of headroom), not at every step
 * (16384 moves, each copying the buffer: 86 s against glibc's 0.05), and
 * keeps its contents. Its resident peak is about the buffer once (64 MiB
 * up; glibc's 67 MB in all): a move drops the old block's pages as they
 * are copied (it was the old block and the new one side by side, 143 MiB
 * up). */
static void realloc_growth(void)
{
	const size_t max = 64u << 20, step = 4096;
	unsigned char *p = NULL, *q;
	unsigned long moves = 0, bad = 0;
	int peak_known = reset_peak_rss();
	long before = rss_kb(), peak;

	for (size_t n = step; n <= max; n += step) {
		q = realloc(p, n);
		if (!q)
			break;
		if (q != p)
			moves++;
		p = q;
		p[n - 1] = (unsigned char)(n / step);
		if (n > step && p[n - step - 1] != (unsigned char)(n / step - 1))
			bad++;
	}
	peak = peak_rss_kb();
	CHECK(p && !bad, "realloc growth to 64 MiB kept every page's byte (%lu lost)", bad);
	CHECK(moves <= 40, "realloc growth to 64 MiB a page at a time moved the buffer %lu times (<= 40)",
	      moves);
	if (peak_known && before >= 0 && peak >= 0)
		CHECK(peak - before <= 80 * 1024,
		      "realloc growth to 64 MiB took the resident set %ld KiB up at its peak (<= 80 MiB)",
		      peak - before);
	free(p);
}

/* A big block that shrinks in place (to more than half of it) gives back
 * the pages past its new size: 64 MiB written, cut to 40 MiB, leaves the
 * resident set about 24 MiB lower (it kept all 64), its first 40 MiB intact. */
static void realloc_shrink_gives_back(void)
{
	const size_t big = 64u << 20, cut = 40u << 20;
	unsigned char *p = malloc(big), *q;
	long before, after;
	unsigned long bad = 0;

	CHECK(p != NULL, "malloc(64 MiB)");
	if (!p)
		return;
	for (size_t i = 0; i < big; i += 4096)
		p[i] = (unsigned char)(i >> 12);
	before = rss_kb();
	q = realloc(p, cut);
	after = rss_kb();
	CHECK(q == p, "realloc(64 MiB -> 40 MiB) keeps the block in place");
	if (!q)
		return;
	for (size_t i = 0; i < cut; i += 4096)
		bad += q[i] != (unsigned char)(i >> 12);
	CHECK(!bad, "realloc(64 MiB -> 40 MiB) kept the first 40 MiB (%lu pages differ)", bad);
	if (before >= 0 && after >= 0)
		CHECK(before - after >= 20 * 1024,
		      "realloc(64 MiB -> 40 MiB) gave back %ld KiB of the resident set (>= 20 MiB)",
		      before - after);
	free(q);
}

struct job {
	unsigned seed;
	int bad;
};

/* The next number of the threads' linear congruential sequence @x, its
 * upper 24 bits (the new *x keeps all 32). */
static unsigned lcg_next(unsigned *x)
{
	return (*x = *x * 1103515245 + 12345) >> 8;
}

static void *churn(void *arg)
{
	struct job *j = arg;
	unsigned char *held[256] = { 0 };
	size_t len[256] = { 0 };
	unsigned x = j->seed;

	for (int i = 0; i < 40000; i++) {
		unsigned k;

		k = lcg_next(&x) & 255;
		if (held[k]) {
			if (!holds(held[k], len[k], k + j->seed) || ((uintptr_t)held[k] & 15))
				j->bad++;
			free(held[k]);
			held[k] = NULL;
		} else {
			len[k] = (x >> 16) % ((x & 1) ? 200 : 20000) + 1;
			held[k] = malloc(len[k]);
			if (!held[k])
				j->bad++;
			else
				fill(held[k], len[k], k + j->seed);
		}
	}
	for (int k = 0; k < 256; k++)
		free(held[k]);
	return NULL;
}

/* @n (at most 16) threads run @fn, thread i on a job of seed i * @step +
 * @base; returns the sum of their jobs' bad counts. */
static int jobs_on_threads(void *(*fn)(void *), int n, unsigned step, unsigned base)
{
	pthread_t t[16];
	struct job jobs[16];
	int bad = 0;

	for (int i = 0; i < n; i++) {
		jobs[i] = (struct job){ .seed = (unsigned)i * step + base };
		pthread_create(&t[i], NULL, fn, &jobs[i]);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		bad += jobs[i].bad;
	}
	return bad;
}

static void threads(void)
{
	int bad = jobs_on_threads(churn, 16, 7, 1);

	CHECK(bad == 0, "16 threads: %d objects lost or overwritten", bad);
}

/* Every entry point at once, on 4 threads: each keeps 128 slots and
 * frees, reallocs (grown by a third and more, or to any size), takes with
 * posix_memalign (8 B .. 64 KiB alignment), calloc or malloc, over sizes
 * from 0 to 3 MB (so slab objects, SLOB blocks, bigblocks and page runs,
 * and realloc's every path: in place, grown in place, moved with the old
 * pages dropped), with malloc_trim now and then. A block's bytes are
 * checked at every touch (each of its first 4 KiB, then one in 509, and
 * its last), what realloc kept of them after it, calloc's zeroes,
 * alignment and malloc_usable_size; any difference is a lost or
 * overwritten byte. */
struct mixed_slot {
	unsigned char *p;
	size_t n;
	unsigned char seed;
};

static size_t mixed_step(size_t i)
{
	return i < 4096 ? 1 : 509;
}

static void mixed_fill(struct mixed_slot *s)
{
	for (size_t i = 0; i < s->n; i += mixed_step(i))
		s->p[i] = (unsigned char)(s->seed + i * 7);
	if (s->n)
		s->p[s->n - 1] = s->seed ^ 0x5a;
}

/* Do the first @upto bytes of @s hold its pattern (its last byte too when
 * @upto is its length)? */
static bool mixed_holds(const struct mixed_slot *s, size_t upto)
{
	for (size_t i = 0; i + 1 < upto; i += mixed_step(i))
		if (s->p[i] != (unsigned char)(s->seed + i * 7))
			return false;
	return !upto || upto < s->n || s->p[upto - 1] == (unsigned char)(s->seed ^ 0x5a);
}

static size_t mixed_size(unsigned *x)
{
	unsigned r = lcg_next(x);

	switch (r % 20) {
	case 0:
		return (r >> 5) % 3000000;
	case 1:
	case 2:
		return (r >> 5) % 200000;
	case 3: case 4: case 5: case 6: case 7:
		return (r >> 5) % 8192;
	default:
		return (r >> 5) % 256;
	}
}

static void mixed_take(struct mixed_slot *s, unsigned *x, int *bad)
{
	size_t n = mixed_size(x);
	unsigned r = lcg_next(x);
	size_t align = (size_t)8 << (r % 14);

	free(s->p);
	s->p = NULL;
	switch (r >> 4 & 3) {
	case 0:
		if (posix_memalign((void **)&s->p, align, n))
			s->p = NULL;
		*bad += s->p && ((uintptr_t)s->p & (align - 1));
		break;
	case 1:
		s->p = calloc(1, n);
		for (size_t i = 0; s->p && i < n; i += 97)
			*bad += s->p[i] != 0;
		break;
	default:
		s->p = malloc(n);
	}
	*bad += !s->p || malloc_usable_size(s->p) < n;
	s->n = s->p ? n : 0;
	s->seed = (unsigned char)(r >> 8);
	if (s->p)
		mixed_fill(s);
}

static void mixed_realloc(struct mixed_slot *s, unsigned *x, int *bad)
{
	unsigned r = lcg_next(x);
	size_t n = (r & 1) && s->n ? s->n + s->n / 3 + (r >> 1) % 5000 : mixed_size(x);
	size_t kept = s->n < n ? s->n : n;
	unsigned char *q = realloc(s->p, n);

	if (!n) {
		s->p = NULL; /* (freed; glibc's realloc(p, 0)) */
		s->n = 0;
		return;
	}
	if (!q) {
		(*bad)++;
		return;
	}
	s->p = q; /* (s->n still the old size: its last byte checked only if kept) */
	*bad += !mixed_holds(s, kept) || malloc_usable_size(q) < n;
	s->n = n;
	mixed_fill(s);
}

static void *mixed_api(void *arg)
{
	struct job *j = arg;
	struct mixed_slot slot[128] = { { 0 } };
	unsigned x = j->seed;

	for (int i = 0; i < 12000; i++) {
		struct mixed_slot *s = &slot[lcg_next(&x) & 127];
		unsigned op = (x >> 20) % 10;

		if (s->p && !mixed_holds(s, s->n))
			j->bad++;
		if (op < 4) {
			free(s->p);
			s->p = NULL;
			s->n = 0;
		} else if (op < 7) {
			mixed_realloc(s, &x, &j->bad);
		} else {
			mixed_take(s, &x, &j->bad);
		}
		if (i % 4000 == 3999)
			malloc_trim(0);
	}
	for (int k = 0; k < 128; k++) {
		if (slot[k].p && !mixed_holds(&slot[k], slot[k].n))
			j->bad++;
		free(slot[k].p);
	}
	return NULL;
}

static void every_call_on_threads(void)
{
	int bad = jobs_on_threads(mixed_api, 4, 977, 5);

	CHECK(bad == 0, "4 threads through every entry point: %d blocks lost, overwritten, misaligned or short", bad);
}

/* Generations of threads that outlive nothing: each generation (12
 * threads, more than the slots with the main thread) checks and frees the
 * objects the previous one allocated, on whatever slots those threads had
 * leased before they exited, and leaves its own for the next; every lease
 * is taken and given back 5 times over. The main thread frees the last. */
enum { GEN_THREADS = 12, GEN_OBJS = 3000 };
static unsigned char *gen_obj[GEN_THREADS][GEN_OBJS];
static size_t gen_len[GEN_THREADS][GEN_OBJS];

struct gen_job {
	int t, gen, bad;
};

static void *generation(void *arg)
{
	struct gen_job *j = arg;

	for (int i = 0; i < GEN_OBJS; i++) {
		size_t n = (size_t)(i * 37 + j->gen * 11 + j->t) % 3000 + 1;
		unsigned char *p = malloc(n);

		if (!p) {
			j->bad++;
			continue;
		}
		fill(p, n, (unsigned)(j->t * 131 + j->gen * 7 + i));
		/* park it in this thread's row, read by the next generation */
		gen_obj[j->t][i] = p;
		gen_len[j->t][i] = n;
	}
	return NULL;
}

static int check_and_free_generation(int gen)
{
	int bad = 0;

	for (int t = 0; t < GEN_THREADS; t++)
		for (int i = 0; i < GEN_OBJS; i++) {
			unsigned char *p = gen_obj[t][i];

			if (!p)
				continue;
			if (!holds(p, gen_len[t][i], (unsigned)(t * 131 + gen * 7 + i)))
				bad++;
		}
	return bad;
}

struct free_job {
	int row;
};

/* Frees a row of objects allocated by a thread that has exited. */
static void *free_row(void *arg)
{
	struct free_job *j = arg;

	for (int i = 0; i < GEN_OBJS; i++) {
		free(gen_obj[j->row][i]);
		gen_obj[j->row][i] = NULL;
	}
	return NULL;
}

static void generations(void)
{
	int bad = 0;

	for (int gen = 0; gen < 5; gen++) {
		pthread_t t[GEN_THREADS];
		struct gen_job jobs[GEN_THREADS];
		struct free_job fj[GEN_THREADS];

		if (gen > 0) { /* the previous generation's objects, freed by new threads */
			bad += check_and_free_generation(gen - 1);
			for (int i = 0; i < GEN_THREADS; i++) {
				fj[i] = (struct free_job){ .row = (i + 5) % GEN_THREADS };
				pthread_create(&t[i], NULL, free_row, &fj[i]);
			}
			for (int i = 0; i < GEN_THREADS; i++)
				pthread_join(t[i], NULL);
		}
		for (int i = 0; i < GEN_THREADS; i++) {
			jobs[i] = (struct gen_job){ .t = i, .gen = gen };
			pthread_create(&t[i], NULL, generation, &jobs[i]);
		}
		for (int i = 0; i < GEN_THREADS; i++) {
			pthread_join(t[i], NULL);
			bad += jobs[i].bad;
		}
	}
	bad += check_and_free_generation(4);
	for (int t = 0; t < GEN_THREADS; t++)
		for (int i = 0; i < GEN_OBJS; i++)
			free(gen_obj[t][i]);
	CHECK(bad == 0, "thread generations: %d objects lost or overwritten across exits and cross-thread frees", bad);
}

static void forks(void)
{
	enum { N = 4 };
	pthread_t t[N];
	struct job jobs[N];
	int status = -1, bad = 0;
	pid_t pid;

	for (int i = 0; i < N; i++) {
		jobs[i] = (struct job){ .seed = (unsigned)i * 13 + 5 };
		pthread_create(&t[i], NULL, churn, &jobs[i]);
	}
	pid = fork();
	if (pid == 0) { /* the child: one thread, a working heap */
		struct job j = { .seed = 99 };

		churn(&j);
		_exit(j.bad ? 1 : 0);
	}
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		bad += jobs[i].bad;
	}
	waitpid(pid, &status, 0);
	CHECK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "fork: the child's heap works (status %d)", status);
	CHECK(bad == 0, "fork: the parent's threads kept their objects");
}

/*
 * fork handlers that allocate, registered before the library's own: from
 * the executable's preinit array, which runs before any library's
 * constructor, as a handler registered by the constructor of a library
 * initialised before the malloc library is (a library the program links
 * with). fork runs such a prepare handler after the library's, and such
 * parent and child handlers before the library's: all while the library
 * holds every hart slot's lock. They act only in atfork_allocating's child
 * (atfork_armed); the child's handler sets an alarm first, so that a hang
 * there ends.
 */
static volatile int atfork_armed;
static char *atfork_note;

static void atfork_note_set(const char *what)
{
	if (!atfork_armed)
		return;
	free(atfork_note);
	atfork_note = strdup(what);
}

static void atfork_prepare_alloc(void)
{
	atfork_note_set("prepare");
}

static void atfork_parent_alloc(void)
{
	atfork_note_set("parent");
}

static void atfork_child_alloc(void)
{
	if (atfork_armed)
		alarm(20);
	atfork_note_set("child");
}

static void atfork_register_early(void)
{
	pthread_atfork(atfork_prepare_alloc, atfork_parent_alloc, atfork_child_alloc);
}

__attribute__((section(".preinit_array"), used)) static void (*const atfork_early)(void) =
	atfork_register_early;

static int atfork_note_is(const char *what)
{
	return atfork_note && strcmp(atfork_note, what) == 0;
}

/* A fork whose other handlers allocate completes on both sides, each side
 * seeing its own handler's block (it hung in the prepare handler, waiting
 * for a slot lock the forking thread held). In a child, under an alarm. */
static void atfork_allocating(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		int gstatus = -1;
		pid_t g;

		alarm(20);
		atfork_armed = 1;
		g = fork();
		if (g == 0)
			_exit(atfork_note_is("child") ? 0 : 1);
		waitpid(g, &gstatus, 0);
		_exit(g > 0 && WIFEXITED(gstatus) && WEXITSTATUS(gstatus) == 0 &&
		      atfork_note_is("parent") ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	CHECK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "fork with atfork handlers that allocate, registered before the library's: status 0x%x "
	      "(signal 14: hung)", status);
}

static double seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static volatile int fork_storm_stop;

/* Allocate, write and free blocks up to 64 KiB until told to stop. */
static void *fork_storm_worker(void *arg)
{
	unsigned x = (unsigned)(uintptr_t)arg;
	void *held[32] = { 0 };

	while (!fork_storm_stop) {
		unsigned k = lcg_next(&x) >> 19;
		size_t len = (x >> 8) % ((x & 1) ? 65536 : 512) + 1;

		free(held[k]);
		held[k] = malloc(len);
		if (held[k])
			memset(held[k], (int)k, len);
	}
	for (int k = 0; k < 32; k++)
		free(held[k]);
	return NULL;
}

/* 40 forks while 7 threads allocate (each on a slot of its own, the main
 * thread on the eighth), each child allocating and exiting: every fork
 * completes and every child's malloc works. fork's prepare handler takes
 * every slot's lock while the threads run on; a handler that could not get
 * them all would hang here (60 s guard). The time spent in fork() is
 * printed, not checked (a timed check flakes on a busy machine): 0.5 to
 * 2.1 s on 2 busy cpus, glibc 0.6; taking the locks in order, waiting on
 * each while the threads of the later slots ran on, took 4 to 6 s; since
 * a sharer's entry waits its turn (port/malloc.c, hart_enter_contended),
 * 0.2 s. */
static void forks_while_threads_allocate(void)
{
	enum { N = 7, FORKS = 40 };
	pthread_t t[N];
	double in_fork = 0;
	int done = 0, bad = 0;

	fork_storm_stop = 0;
	for (int i = 0; i < N; i++)
		pthread_create(&t[i], NULL, fork_storm_worker, (void *)(uintptr_t)(i * 77 + 3));
	for (; done < FORKS && in_fork < 60.0; done++) {
		double start = seconds();
		int status = -1;
		pid_t pid = fork();

		if (pid == 0) {
			char *p = malloc(100000);

			if (p)
				memset(p, 1, 100000);
			_exit(p ? 0 : 1);
		}
		in_fork += seconds() - start;
		waitpid(pid, &status, 0);
		bad += !(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	fork_storm_stop = 1;
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	CHECK(bad == 0, "forks while threads allocate: %d children failed", bad);
	CHECK(done == FORKS, "forks while threads allocate: %.2f s in fork() after %d of %d forks (guard 60 s)",
	      in_fork, done, FORKS);
	printf("edge: forks while threads allocate: %d forks, %.2f s in fork()\n", done, in_fork);
}

/* malloc_stats's output, standard error caught in a file. */
static size_t stats_text(char *buf, size_t size)
{
	FILE *f = tmpfile();
	int saved = dup(2);
	size_t n = 0;

	if (!f || saved < 0)
		return 0;
	fflush(stderr);
	dup2(fileno(f), 2);
	malloc_stats();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

/* Page runs freed and taken again: nothing stays live, so the heap must
 * not keep growing (a run of 4 MiB + 1 byte frees its last page to a
 * per-hart page list; a run request drains those lists before it grows
 * the heap or fails), 1 GiB-aligned blocks fit again after their frees,
 * and malloc_trim returns 1 after a run's free (its blocks merge and are
 * given back to the system). */
static void runs_reused(void)
{
	size_t start, grown;
	int failures = 0, trimmed;
	char *p;

	malloc_trim(0); /* empty per-hart lists: each run's last page stays on one */
	start = mallinfo2().arena;
	for (int i = 0; i < 3000; i++) {
		p = malloc((4u << 20) + 1);
		failures += !p;
		if (p) {
			p[0] = 1;
			p[4u << 20] = 2;
		}
		free(p);
	}
	grown = mallinfo2().arena - start;
	CHECK(!failures && grown <= 64u << 20,
	      "3000 x malloc(4 MiB + 1) and free: %d failed, the heap grew by %zu MiB", failures,
	      grown >> 20);
	for (int i = 0; i < 100; i++) {
		void *q = NULL;

		failures += posix_memalign(&q, 1u << 30, 1) != 0;
		free(q);
	}
	grown = mallinfo2().arena - start;
	CHECK(!failures && grown <= 3ul << 30,
	      "100 x posix_memalign(1 GiB, 1) and free: %d failed, the heap grew by %zu MiB", failures,
	      grown >> 20);
	malloc_trim(0);
	p = malloc(5000000);
	CHECK(p != NULL, "malloc(5000000)");
	free(p);
	trimmed = malloc_trim(0);
	CHECK(trimmed == 1, "malloc_trim after freeing a 5000000-byte block returned %d", trimmed);
}

/* Run this program again as "malloc-edge MODE" with @var=@value (unless
 * @var is NULL) added to its environment (and no RVMM_MALLOC_STATS or
 * _REPORT but @var's: their lines are the parent's); its standard error in
 * @err. Returns its wait status. */
/* The address-space limit (RLIMIT_AS) run_self's child runs under; 0:
 * none set. */
static rlim_t run_self_as_limit;
/* ... and the data limit (RLIMIT_DATA); 0: none set. */
static rlim_t run_self_data_limit;
/* The RVMM_MALLOC_REPORT file run_self's child writes; NULL: none. */
static const char *run_self_report;

static int run_self(const char *mode, const char *var, const char *value, char *err, size_t size)
{
	int fds[2], status = -1;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(fds))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		unsetenv("RVMM_MALLOC_STATS");
		unsetenv("RVMM_MALLOC_REPORT");
		if (run_self_report)
			setenv("RVMM_MALLOC_REPORT", run_self_report, 1);
		if (var)
			setenv(var, value, 1);
		if (run_self_as_limit) {
			struct rlimit as = { run_self_as_limit, run_self_as_limit };

			setrlimit(RLIMIT_AS, &as);
		}
		if (run_self_data_limit) {
			struct rlimit data = { run_self_data_limit, run_self_data_limit };

			setrlimit(RLIMIT_DATA, &data);
		}
		execl("/proc/self/exe", "malloc-edge", mode, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (n + 1 < size && (r = read(fds[0], err + n, size - 1 - n)) > 0)
		n += (size_t)r;
	err[n] = '\0';
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	return status;
}

/* Run "malloc-edge MODE" (run_self, its environment as this one's, and
 * @var=@value when @var is not NULL) and read the figures of its standard
 * error's line "MODE: ..." with @fmt (which starts with "MODE: ") into the
 * pointers after it, @n of them: a check that it exited 0 and printed them
 * all. */
static void child_figures_env(const char *mode, const char *var, const char *value, int n,
			      const char *fmt, ...)
{
	char err[256], tag[32];
	int status = run_self(mode, var, value, err, sizeof(err)), got = -1;
	const char *line;
	va_list ap;

	snprintf(tag, sizeof(tag), "%s: ", mode);
	line = strstr(err, tag);
	if (line) {
		va_start(ap, fmt);
		got = vsscanf(line, fmt, ap);
		va_end(ap);
	}
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 && got == n, "malloc-edge %s%s%s%s ran (status 0x%x, %s)",
	      mode, var ? " with " : "", var ? var : "", var ? "=" : "", status, err);
}

#define child_figures(mode, ...) child_figures_env(mode, NULL, NULL, __VA_ARGS__)

/* "malloc-edge datafill": 8 MiB blocks (one byte written) until malloc
 * fails; "datafill: blocks=N" on standard error. */
static int datafill_child(void)
{
	int n = 0;
	char *p;

	while ((p = malloc(8u << 20)) != NULL) {
		p[0] = 1;
		n++;
	}
	fprintf(stderr, "datafill: blocks=%d\n", n);
	return 0;
}

/* Under a data limit (RLIMIT_DATA, which counts the heap's writable pages)
 * the heap fills it as glibc does: a growth the system refuses is tried
 * again at the least that holds the request (as a program of its own:
 * 16 MiB short of a 1000000 KiB limit, glibc 8; 64 before). */
static void data_limit_filled(void)
{
	int blocks = -1;

	run_self_data_limit = 1000000ul << 10;
	child_figures("datafill", 1, "datafill: blocks=%d", &blocks);
	run_self_data_limit = 0;
	CHECK(blocks >= (int)((1000000ul >> 10) - 40) / 8, "RLIMIT_DATA of 1000000 KiB: %d blocks of 8 MiB (at least %d)",
	      blocks, (int)((1000000ul >> 10) - 40) / 8);
}

/* "malloc-edge started": one small malloc, then "started: rss_kb=R" (the
 * resident peak so far) on standard error. */
static int started_child(void)
{
	void *volatile p = malloc(24);

	fprintf(stderr, "started: rss_kb=%ld\n", peak_rss_kb());
	free(p);
	return 0;
}

/* With RVMM_MALLOC_INIT_ON_FREE the heap's fresh RAM is not cleared again
 * (it reads as zero already): a program that takes one block stays about
 * as small as without (it was 8 MiB more: the first heap, all written). */
static void zeroing_leaves_fresh_ram(void)
{
	long plain = -1, zeroing = -1;

	child_figures_env("started", "RVMM_MALLOC_INIT_ON_FREE", "0", 1, "started: rss_kb=%ld", &plain);
	child_figures_env("started", "RVMM_MALLOC_INIT_ON_FREE", "1", 1, "started: rss_kb=%ld", &zeroing);
	CHECK(plain > 0 && zeroing > 0 && zeroing < plain + 2048,
	      "RVMM_MALLOC_INIT_ON_FREE=1 leaves the heap's fresh RAM alone: %ld KiB resident against %ld", zeroing,
	      plain);
}

/* "malloc-edge bigzero": a 64 MiB block taken and left untouched, then
 * every 64th page of it read; then it is filled, freed and taken again,
 * and the same pages read. "bigzero: rise_kb=R nonzero=N" on standard
 * error: the resident set's rise at the first take, and how many of the
 * pages read were not zero (the first block's and, under zeroing, the
 * second's: 2048 reads). */
static int bigzero_child(void)
{
	size_t n = 64ul << 20, nonzero = 0;
	long before = rss_kb(), rise;
	unsigned char *volatile p = malloc(n);

	if (!p)
		return 1;
	rise = rss_kb() - before;
	for (size_t i = 0; i < n; i += 64 * 4096)
		nonzero += p[i + 123] != 0;
	memset(p, 0xa5, n);
	free(p);
	p = malloc(n);
	if (!p)
		return 1;
	for (size_t i = 0; i < n; i += 64 * 4096)
		nonzero += p[i + 123] != 0;
	free(p);
	fprintf(stderr, "bigzero: rise_kb=%ld nonzero=%zu\n", rise, nonzero);
	return 0;
}

/* Zeroing a big block writes only its resident pages and drops the others
 * (port/malloc.c, port_zero_pages): with RVMM_MALLOC_INIT_ON_ALLOC a 64 MiB
 * malloc the program has not touched adds nothing to the resident set
 * (it added all 64 MiB, written as it was handed out), and reads zero; a
 * block filled, freed and taken again reads zero too (written where it was
 * resident). */
static void zeroing_big_blocks_stays_lazy(void)
{
	long rise = -1, nonzero = -1;

	child_figures_env("bigzero", "RVMM_MALLOC_INIT_ON_ALLOC", "1", 2, "bigzero: rise_kb=%ld nonzero=%ld", &rise,
			  &nonzero);
	CHECK(rise >= 0 && rise < 4096 && nonzero == 0,
	      "RVMM_MALLOC_INIT_ON_ALLOC=1: a 64 MiB malloc took the resident set %ld KiB up (< 4 MiB), "
	      "%ld of the pages read were not zero", rise, nonzero);
}

/* The next number of the xorshift64 sequence @s (Marsaglia's 13, 7, 17):
 * the loops' sizes and slots, the same from run to run. */
static unsigned long long xorshift(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Slots taken and freed at random in a fresh process; prints "TAG:
 * live_kb=L peak_kb=P" on standard error: the most bytes live at once and
 * the resident set's peak above the start.
 *   "malloc-edge mix": 4096 slots, 600000 steps; a full slot is freed and
 *     half the time left empty; 2% of the blocks of up to 1 MiB, the others
 *     of up to 600 bytes, every byte written;
 *   "malloc-edge midsize": 256 slots, 400000 steps, each replacing a slot's
 *     block with one of 16 bytes to 64 KiB (uniform: mostly bigblocks),
 *     its first and last bytes written.
 */
struct churn {
	const char *tag;
	unsigned int slots;
	long steps;
	unsigned long long seed;
	bool mix; /* mix's sizes, empty slots and writes; else midsize's */
};

/* The size of the block taken at step state @s (@r: its draw, 0..999). */
static size_t churn_size(const struct churn *c, unsigned long long s, unsigned int r)
{
	if (!c->mix)
		return 16 + (s >> 20) % 65536;
	return r % 50 == 0 ? 1 + (s >> 12) % (1u << 20) : 1 + (s >> 12) % 600;
}

static int churn_child(const struct churn *c)
{
	unsigned char **slot = calloc(c->slots, sizeof(*slot));
	size_t *len = calloc(c->slots, sizeof(*len)), live = 0, live_peak = 0;
	unsigned long long s = c->seed;
	int peak_known = reset_peak_rss();
	long before = rss_kb();

	if (!slot || !len)
		return 1;
	for (long i = 0; i < c->steps; i++) {
		unsigned int k, r;

		xorshift(&s);
		k = (unsigned int)(s % c->slots);
		r = (unsigned int)(s >> 32) % 1000;
		if (slot[k]) {
			free(slot[k]);
			live -= len[k];
			slot[k] = NULL;
			if (c->mix && r < 500)
				continue;
		}
		len[k] = churn_size(c, s, r);
		slot[k] = malloc(len[k]);
		if (!slot[k])
			return 1;
		if (c->mix)
			memset(slot[k], (int)i, len[k]);
		else
			slot[k][0] = slot[k][len[k] - 1] = (unsigned char)i;
		live += len[k];
		if (live > live_peak)
			live_peak = live;
	}
	for (unsigned int k = 0; k < c->slots; k++)
		free(slot[k]);
	if (!peak_known || before < 0)
		return 2;
	fprintf(stderr, "%s: live_kb=%zu peak_kb=%ld\n", c->tag, live_peak >> 10, peak_rss_kb() - before);
	return 0;
}

static const struct churn mix_churn = { "mix", 4096, 600000, 88172645463325252ull, true };
static const struct churn midsize_churn = { "midsize", 256, 400000, 0x9e3779b97f4a7c15ull, false };

/* Run churn @c in a process of its own (a fresh heap) and check that its
 * resident peak stays within 1.5 times the bytes live at once plus
 * @slack_mib MiB. */
static void churn_peak_within(const struct churn *c, long slack_mib, const char *what)
{
	char fmt[64];
	long live = -1, peak = -1;

	snprintf(fmt, sizeof(fmt), "%s: live_kb=%%ld peak_kb=%%ld", c->tag);
	child_figures(c->tag, 2, fmt, &live, &peak);
	if (live > 0 && peak >= 0)
		CHECK(peak <= live * 3 / 2 + slack_mib * 1024,
		      "%s: resident peak %ld KiB for %ld KiB live (<= 1.5 times + %ld MiB)", what, peak, live,
		      slack_mib);
}

/* Blocks of random sizes up to 1 MiB among small ones ("mix", in a
 * process of its own: a fresh heap): the resident peak stays within half
 * again of the bytes live at once plus 8 MiB. A big block goes where it
 * fits best among the free pages (alloc_pages_fit); cut from a buddy block
 * of its order, each left its tail's pieces scattered, and the free pages
 * that no later request could use stayed resident (2.5 times the live
 * bytes; glibc's about 1.2). */
static void big_blocks_mixed(void)
{
	churn_peak_within(&mix_churn, 8, "blocks up to 1 MiB among small ones");
}

/* Blocks of 16 bytes to 64 KiB replaced at random ("midsize", a fresh
 * heap): the resident peak stays within 1.5 times the bytes live at once
 * plus 2 MiB. Among free stretches of twice a block or more the fit took
 * the first met (the newest freed) and left larger blocks to be split
 * newest first, so blocks wandered over the whole heap and every page of
 * it became resident (2.2 times the live bytes; glibc's 1.2); the lowest
 * of them wins now (docs/memory.md, "Best-fit pages"). */
static void midsize_blocks_stay_low(void)
{
	churn_peak_within(&midsize_churn, 2, "blocks of 16 bytes to 64 KiB replaced at random");
}

/* "malloc-edge objects": a JSON tree's objects as jq allocates them, 200000
 * of 392 bytes (an object: its header and slots) and as many of 272 (a
 * key table), interleaved and written. Prints "objects: live_kb=L rss_kb=R"
 * on standard error: the bytes asked for and the resident set's growth
 * while all are live. "malloc-edge pages": sqlite3's page buffers, 5000 of
 * 4104 bytes and as many of 4368 (a 4 KiB page and its header), the same
 * way, printing "pages: ...". */
#define OBJECTS 200000
#define PAGE_BUFFERS 5000

static int pairs_child(const char *tag, size_t a, size_t b, int count)
{
	void **obj = calloc(2 * (size_t)count, sizeof(*obj)); /* (resident before the count) */
	long before, grown;
	size_t live = 0;

	if (!obj)
		return 1;
	before = rss_kb();
	for (int i = 0; i < 2 * count; i++) {
		size_t n = i & 1 ? b : a;

		if (!(obj[i] = malloc(n)))
			return 1;
		memset(obj[i], i, n);
		live += n;
	}
	grown = rss_kb() - before;
	for (int i = 0; i < 2 * count; i++)
		free(obj[i]);
	free(obj);
	if (before < 0)
		return 2;
	fprintf(stderr, "%s: live_kb=%zu rss_kb=%ld\n", tag, live >> 10, grown);
	return 0;
}

/* Objects of 392 and 272 bytes (pairs_child, in a fresh process) take at
 * most a twelfth more resident memory than they ask for, plus 2 MiB, on
 * slab caches (glibc: 3.8% more, its chunks of 400 and 288 bytes). They
 * took a quarter more (158 MiB for 127 MiB asked): kmalloc-448 and
 * kmalloc-320 hold 9 and 12 to a page, 455 and 341 bytes each; now
 * kmalloc-400 and kmalloc-288 hold 10 and 14, 410 and 293 bytes (6.6%
 * more; 11.7% while kmalloc-288 borrowed kmalloc-400's objects). SLOB's
 * blocks (RVMM_MALLOC=slob, and the heap classes of RVMM_MALLOC_HEAP) carry
 * a 16-byte header: an eighth more plus 2 MiB (9.7% measured). */
static void objects_like_jq(void)
{
	const char *backend = getenv("RVMM_MALLOC"), *heap = getenv("RVMM_MALLOC_HEAP");
	int slob = (backend && strcmp(backend, "slob") == 0) ||
		    (heap && (strcmp(heap, "on") == 0 || strcmp(heap, "compact") == 0));
	long live = -1, grown = -1, bound;

	child_figures("objects", 2, "objects: live_kb=%ld rss_kb=%ld", &live, &grown);
	bound = live + (slob ? live / 8 : live / 12) + 2 * 1024;
	if (live > 0 && grown >= 0 && !zeroing()) /* (no kept bigblocks with zeroing) */
		CHECK(grown <= bound,
		      "objects of 392 and 272 bytes: resident %ld KiB for %ld KiB asked (at most %ld: %s)",
		      grown, live, bound, slob ? "1/8 more + 2 MiB" : "1/12 more + 2 MiB");
}

/* sqlite3's page buffers of 4104 and 4368 bytes (pairs_child, in a fresh
 * process) take at most a twentieth more resident memory than they ask for,
 * plus 2 MiB, on slab caches: the library's kmalloc-4368 holds 15 to a slab
 * of 64 KiB, 4369 bytes a buffer (3.1% more; glibc 0.3%). With the kernel's
 * class, kmalloc-4608 in slabs of 32 KiB, 7 to a slab, they took 10.5% more
 * (docs/malloc.md, "Memory against glibc"). On SLOB each is a bigblock of
 * two pages: at most twice plus 2 MiB. */
static void page_buffers_like_sqlite(void)
{
	const char *backend = getenv("RVMM_MALLOC");
	int slob = backend && strcmp(backend, "slob") == 0;
	long live = -1, grown = -1, bound;

	child_figures("pages", 2, "pages: live_kb=%ld rss_kb=%ld", &live, &grown);
	bound = (slob ? 2 * live : live + live / 20) + 2 * 1024;
	if (live > 0 && grown >= 0 && !zeroing()) /* (no kept bigblocks with zeroing) */
		CHECK(grown <= bound,
		      "page buffers of 4104 and 4368 bytes: resident %ld KiB for %ld KiB asked (at most %ld: %s)",
		      grown, live, bound, slob ? "twice + 2 MiB" : "1/20 more + 2 MiB");
}

/* "malloc-edge damaged": 4000 blocks of 64 bytes freed, then the first 16
 * bytes of each written (a use after free: on slab caches, the free links
 * of the slabs' free lists; on SLOB, the free blocks' headers), then one
 * more malloc. Prints "damaged: still running" when nothing stopped it. */
static int damaged_child(void)
{
	enum { N = 4000 };
	static char *p[N];
	volatile char *q;

	for (int i = 0; i < N; i++)
		if (!(p[i] = malloc(64)))
			return 1;
	for (int i = 0; i < N; i++)
		free(p[i]);
	for (int i = 0; i < N; i++)
		memset((void *)(volatile char *)p[i], 0x41, 16);
	q = malloc(64);
	fprintf(stderr, "damaged: still running %p\n", (void *)q);
	return 0;
}

/* RVMM_MALLOC_CHECK=1 checks the whole heap after every allocation: writes
 * into freed blocks are found at the next malloc, which dies naming the
 * checker's findings and the allocation (the 4001st), instead of running on
 * over a damaged heap. An invalid value is refused by name. */
static void check_finds_damage(void)
{
	char err[8192];
	int status = run_self("damaged", "RVMM_MALLOC_CHECK", "1", err, sizeof(err));

	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT &&
		      strstr(err, "RVMM_MALLOC_CHECK: the heap is damaged after allocation 4001: ") &&
		      (strstr(err, "kmem_cache_check: kmalloc-64: ") || strstr(err, "slob_check: kmalloc: ")) &&
		      !strstr(err, "still running"),
	      "RVMM_MALLOC_CHECK=1 finds writes into freed blocks at the next malloc (status 0x%x): '%.300s'",
	      status, err);
	status = run_self("damaged", "RVMM_MALLOC_CHECK", "often", err, sizeof(err));
	CHECK(WIFSIGNALED(status) && strstr(err, "RVMM_MALLOC_CHECK=often: expected how many allocations"),
	      "RVMM_MALLOC_CHECK=often refused by name (status 0x%x): '%.200s'", status, err);
}

/* "malloc-edge overflow": 72 bytes written into a 64-byte block, which is
 * then freed; then a 32-byte block freed twice. Prints "overflow: end". */
static int overflow_child(void)
{
	char *p = malloc(64);
	void *volatile q; /* (a second free the compiler does not see) */

	if (!p)
		return 1;
	for (int i = 0; i < 72; i++) /* (volatile: not a dead store before the free) */
		((volatile char *)p)[i] = 'x';
	free(p);
	if (!(q = malloc(32)))
		return 1;
	free(q);
	free(q);
	fprintf(stderr, "overflow: end\n");
	return 0;
}

/* RVMM_MALLOC_DEBUG=Z (the kernel's slab_debug red zones on the kmalloc
 * caches) reports a write past a block when it is freed, naming the cache
 * and the bytes; without it the write goes unseen. Either way the double
 * free is reported. A letter other than F, Z, P and U is refused, and SLOB
 * has no slab caches to debug. */
static void debug_finds_overflow(void)
{
	const char *backend = getenv("RVMM_MALLOC");
	int slob = backend && strcmp(backend, "slob") == 0;
	char err[8192];
	int status = run_self("overflow", "RVMM_MALLOC_DEBUG", "Z", err, sizeof(err));

	if (slob) {
		CHECK(WIFSIGNALED(status) && strstr(err, "RVMM_MALLOC_DEBUG=Z: slab debugging needs RVMM_MALLOC=slab"),
		      "RVMM_MALLOC_DEBUG on SLOB refused by name (status 0x%x): '%.200s'", status, err);
		return;
	}
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
		      strstr(err, "slab error: cache kmalloc-64: object ") &&
		      strstr(err, ": write past the object (red zone overwritten)\n  bytes at object offset 64: "
				  "78 78 78 78 78 78 78 78") &&
		      strstr(err, "slab error: cache kmalloc-32: object ") && strstr(err, ": double free") &&
		      strstr(err, "overflow: end"),
	      "RVMM_MALLOC_DEBUG=Z: a write past a 64-byte block reported at its free (status 0x%x): '%.400s'",
	      status, err);
	CHECK(!strstr(err, "last allocated by"), "RVMM_MALLOC_DEBUG=Z records no callers: '%.400s'", err);
	status = run_self("overflow", "RVMM_MALLOC_DEBUG", "FZPQ", err, sizeof(err));
	CHECK(WIFSIGNALED(status) && strstr(err, "RVMM_MALLOC_DEBUG=FZPQ: expected letters of FZPU"),
	      "RVMM_MALLOC_DEBUG=FZPQ refused by name (status 0x%x): '%.200s'", status, err);
	/* An empty cache name: the library's message alone (the kernel's
	 * setter never sees it, so no "cmdline: invalid value" line). */
	status = run_self("overflow", "RVMM_MALLOC_DEBUG", "F,", err, sizeof(err));
	CHECK(WIFSIGNALED(status) && strstr(err, "RVMM_MALLOC_DEBUG=F,: expected letters of FZPU") &&
		      !strstr(err, "cmdline:"),
	      "RVMM_MALLOC_DEBUG=F, refused by the library alone (status 0x%x): '%.300s'", status, err);
	/* A cache that is none of the library's would check nothing. */
	status = run_self("overflow", "RVMM_MALLOC_DEBUG", "Z,kmalloc-65", err, sizeof(err));
	CHECK(WIFSIGNALED(status) &&
		      strstr(err, "RVMM_MALLOC_DEBUG=Z,kmalloc-65: no cache is called kmalloc-65: the "
				  "library's caches are kmalloc-N for its classes N from 16 to 8192"),
	      "RVMM_MALLOC_DEBUG=Z,kmalloc-65 refused by name (status 0x%x): '%.300s'", status, err);
	status = run_self("overflow", "RVMM_MALLOC_DEBUG", "Z,kmalloc-64", err, sizeof(err));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
		      strstr(err, "slab error: cache kmalloc-64: object ") &&
		      strstr(err, ": write past the object (red zone overwritten)"),
	      "RVMM_MALLOC_DEBUG=Z,kmalloc-64 checks kmalloc-64 (status 0x%x): '%.400s'", status, err);
}

/* "malloc-edge tracked": blocks from three functions of this program, each
 * allocating or freeing in one call: a 64-byte block written past and
 * freed, a 32-byte one freed twice, 50 blocks of 40 bytes kept to the end.
 * Its standard error's first line gives this program's path and the three
 * functions' addresses in that file (what RVMM_MALLOC_DEBUG=U's reports
 * name: the address in the file, from 0 in a position-independent one). */
static __attribute__((noinline)) void *tracked_alloc(size_t size)
{
	void *p = malloc(size);

	__asm__ volatile("" ::: "memory"); /* (not a tail call: malloc returns here) */
	return p;
}

static __attribute__((noinline)) void tracked_free(void *p)
{
	free(p);
	__asm__ volatile("" ::: "memory");
}

static __attribute__((noinline)) void tracked_leak(void **keep, int n)
{
	for (int i = 0; i < n; i++)
		keep[i] = malloc(40);
	__asm__ volatile("" ::: "memory");
}

/* @n blocks of 40000 bytes (bigblocks: above the slab classes) into @keep. */
static __attribute__((noinline)) void tracked_big(void **keep, int n)
{
	for (int i = 0; i < n; i++)
		keep[i] = malloc(40000);
	__asm__ volatile("" ::: "memory");
}

/* A mapped block (32 MiB and more) into @keep, grown by realloc (mremap
 * may move it: the record must follow), and another made and freed. */
static __attribute__((noinline)) void tracked_mapped(void **keep)
{
	void *q = malloc(33u << 20);

	free(malloc(34u << 20));
	*keep = q ? realloc(q, 40u << 20) : NULL;
	__asm__ volatile("" ::: "memory");
}

static unsigned long file_address_of(const void *fn)
{
	Dl_info info;

	if (!dladdr(fn, &info))
		return 0;
	/* (A position-dependent program's addresses are its file's.) */
	return ((const unsigned char *)info.dli_fbase)[16] == ET_EXEC
		       ? (unsigned long)fn : (unsigned long)((const char *)fn - (const char *)info.dli_fbase);
}

static int tracked_child(void)
{
	static void *keep[50], *big[5], *mapped;
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	char *p, *volatile q;

	if (n <= 0)
		return 1;
	path[n] = 0;
	/* (The path last, whole to the line's end: it may hold spaces.) */
	fprintf(stderr, "tracked: alloc=0x%lx free=0x%lx leak=0x%lx big=0x%lx mapped=0x%lx file=%s\n",
		file_address_of((const void *)tracked_alloc), file_address_of((const void *)tracked_free),
		file_address_of((const void *)tracked_leak), file_address_of((const void *)tracked_big),
		file_address_of((const void *)tracked_mapped), path);
	if (!(p = tracked_alloc(64)))
		return 1;
	for (int i = 0; i < 72; i++)
		((volatile char *)p)[i] = 'x';
	tracked_free(p);
	if (!(q = tracked_alloc(32)))
		return 1;
	tracked_free(q);
	tracked_free(q);
	tracked_leak(keep, 50);
	tracked_big(big, 5); /* 5 made, 2 freed: 3 kept */
	free(big[3]);
	free(big[4]);
	tracked_mapped(&mapped);
	fprintf(stderr, "tracked: mapped_size=%zu\n", mapped ? malloc_usable_size(mapped) : 0);
	fprintf(stderr, "tracked: end\n");
	return 0;
}

/* Does @text hold "@what PATH+0xOFF" with OFF inside the function at @fn
 * (its call returns within 256 bytes of its start)? */
static int names_function(const char *text, const char *what, const char *path, unsigned long fn)
{
	char want[PATH_MAX + 64];
	size_t len = (size_t)snprintf(want, sizeof(want), "%s%s+0x", what, path);

	for (const char *at = strstr(text, want); at; at = strstr(at + 1, want)) {
		unsigned long off = strtoul(at + len, NULL, 16);

		if (off > fn && off < fn + 256)
			return 1;
	}
	return 0;
}

/* RVMM_MALLOC_DEBUG=U names the program's code that allocated and last
 * freed an object: in slab_debug's reports (the write past a block: who
 * allocated it; the double free: who freed it first) and, with
 * RVMM_MALLOC_REPORT, in the objects still allocated at exit, by caller
 * (a leak: 50 objects from one function). The library's own malloc and
 * free are never named: they pass the program's call down
 * (kmalloc_track_caller, kfree_track_caller). */
static void debug_names_callers(void)
{
	const char *backend = getenv("RVMM_MALLOC");
	static char text[1 << 20]; /* (the report: three sets of reports, then the traces) */
	char err[8192], path[PATH_MAX], report[] = "/tmp/malloc-edge-tracked.XXXXXX";
	size_t got = 0;
	unsigned long fa = 0, ff = 0, fl = 0, fb = 0, fm = 0, mapped_size = 0;
	char mapped_bytes[64];
	int status, fd;
	ssize_t n;

	if (backend && strcmp(backend, "slob") == 0)
		return; /* (debug_finds_overflow: refused on SLOB) */
	fd = mkstemp(report);
	if (fd < 0) {
		CHECK(0, "mkstemp: %s", strerror(errno));
		return;
	}
	close(fd);
	run_self_report = report;
	status = run_self("tracked", "RVMM_MALLOC_DEBUG", "ZU", err, sizeof(err));
	run_self_report = NULL;
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 && strstr(err, "tracked: end") &&
		      sscanf(err, "tracked: alloc=0x%lx free=0x%lx leak=0x%lx big=0x%lx mapped=0x%lx file=%4095[^\n]",
			     &fa, &ff, &fl, &fb, &fm, path) == 6 &&
		      fa && ff && fl && fb && fm,
	      "RVMM_MALLOC_DEBUG=ZU: the tracked run (status 0x%x): '%.400s'", status, err);
	CHECK(strstr(err, ": write past the object (red zone overwritten)") &&
		      names_function(err, "  last allocated by ", path, fa),
	      "the write past a block names tracked_alloc (%s+0x%lx) as its allocator: '%.1200s'", path,
	      fa, err);
	CHECK(strstr(err, ": double free") && names_function(err, "  last freed by ", path, ff),
	      "the double free names tracked_free (%s+0x%lx) as the first freer: '%.1200s'", path, ff,
	      err);
	CHECK(!strstr(err, "librvmm-malloc"), "no report names the library: '%.1200s'", err);
	fd = open(report, O_RDONLY);
	while (fd >= 0 && (n = read(fd, text + got, sizeof(text) - 1 - got)) > 0)
		got += (size_t)n;
	text[got] = 0;
	if (fd >= 0)
		close(fd);
	unlink(report);
	CHECK(strstr(text, "== still allocated at exit, by who allocated them") &&
		      strstr(text, "alloc_traces kmalloc-48: ") && names_function(text, "     50 ", path, fl),
	      "RVMM_MALLOC_REPORT lists the 50 kept blocks under tracked_leak (%s+0x%lx): '%.2000s'",
	      path, fl, strstr(text, "== still") ? strstr(text, "== still") : text);
	/* Blocks above the slab classes, which no cache tracks: the 3 kept,
	 * not the 2 freed, and the mapped block kept at its size after realloc. */
	if (strstr(err, "tracked: mapped_size="))
		mapped_size = strtoul(strstr(err, "tracked: mapped_size=") + 21, NULL, 10);
	snprintf(mapped_bytes, sizeof(mapped_bytes), " bytes=%lu\n", mapped_size);
	CHECK(strstr(text, "\nbigblocks, page runs and mapped blocks (above the slab classes): 4 blocks of ") &&
		      names_function(text, "      3 ", path, fb) && names_function(text, "      1 ", path, fm) &&
		      mapped_size >= (40u << 20) && strstr(text, mapped_bytes),
	      "RVMM_MALLOC_REPORT lists the 3 kept 40000-byte blocks under tracked_big (%s+0x%lx) and "
	      "the 40 MiB mapped block: "
	      "'%.2000s'", path, fb, strstr(text, "bigblocks") ? strstr(text, "bigblocks") : text);
}

/* "malloc-edge aligned": 4 rounds of blocks the size of their alignment,
 * 128 KiB to 32 MiB (aligned_alloc, posix_memalign and memalign in turn),
 * each realloc'd to twice its size and kept, all freed in order at the end
 * of the round; their first and last bytes checked. Prints "aligned:
 * moves=M runs=R heap_mib=H live_mib=L": the reallocs of more than 4 MiB
 * (page runs) that moved, their number, the heap's size at the end
 * (mallinfo2's arena) and the bytes of one round. */
static int aligned_child(void)
{
	enum { ROUNDS = 4 };
	void *held[16];
	long moves = 0, runs = 0;
	size_t live = 0;

	for (int r = 0; r < ROUNDS; r++) {
		int n = 0;

		live = 0;
		for (size_t a = 128u << 10; a <= (32u << 20); a <<= 1) {
			unsigned char *p = NULL, *q;

			if (n % 3 == 0)
				p = aligned_alloc(a, a);
			else if (n % 3 == 1 && posix_memalign((void **)&p, a, a))
				p = NULL;
			else if (n % 3 == 2)
				p = memalign(a, a);
			if (!p || (uintptr_t)p % a)
				return 1;
			p[0] = 1;
			p[a - 1] = 2;
			q = realloc(p, 2 * a);
			if (!q || q[0] != 1 || q[a - 1] != 2)
				return 1;
			q[2 * a - 1] = 3;
			if (2 * a > (4u << 20)) {
				runs++;
				moves += q != p;
			}
			held[n++] = q;
			live += 2 * a;
		}
		for (int i = 0; i < n; i++)
			free(held[i]);
	}
	fprintf(stderr, "aligned: moves=%ld runs=%ld heap_mib=%zu live_mib=%zu\n", moves, runs,
		mallinfo2().arena >> 20, live >> 20);
	return 0;
}

/* Aligned blocks doubled by realloc (aligned_child, in a process of its
 * own: a fresh heap). A page run grows in place when the pages past it are
 * free or free up to the heap's top, and a run takes the lowest place that
 * fits: at most half of the runs' reallocs move (the one from a bigblock
 * at 4 MiB must), and the heap stays within twice one round's bytes plus
 * 64 MiB. Each realloc used to move the run to a new one half again as big
 * as asked, found or grown elsewhere while the old one held its place, and
 * a run went to the first aligned fit on the free list, ever higher with
 * every round: 16 moves of 16 and a heap of 476 MiB for 127 MiB a round. */
static void aligned_doubled(void)
{
	long moves = -1, runs = -1, heap = -1, live = -1;

	child_figures("aligned", 4, "aligned: moves=%ld runs=%ld heap_mib=%ld live_mib=%ld", &moves, &runs,
		      &heap, &live);
	if (runs > 0) {
		CHECK(moves <= runs / 2, "aligned blocks doubled by realloc: %ld of %ld runs moved (<= half)",
		      moves, runs);
		CHECK(heap <= 2 * live + 64,
		      "aligned blocks doubled by realloc: heap %ld MiB for %ld MiB a round (<= twice + 64)",
		      heap, live);
	}
}

/* "malloc-edge bigblock": a fresh process grows a 20 KiB block (a bigblock
 * on both backends) to 2 MiB by realloc in 4 KiB steps, with nothing else
 * allocated meanwhile; prints how often the block moved. */
static int bigblock_child(void)
{
	size_t n = 20u << 10;
	unsigned char *p = malloc(n), *q;
	long moves = 0, steps = 0;

	if (!p)
		return 1;
	fill(p, n, 9);
	for (; n < (2u << 20); n += 4096, steps++) {
		q = realloc(p, n + 4096);
		if (!q)
			return 1;
		moves += q != p;
		p = q;
		fill(p + n, 4096, 10 + (unsigned)steps);
	}
	if (!holds(p, 20u << 10, 9) || !holds(p + n - 4096, 4096, 10 + (unsigned)steps - 1))
		return 1;
	free(p);
	fprintf(stderr, "bigblock: moves=%ld steps=%ld\n", moves, steps);
	return 0;
}

/* A bigblock grown by realloc takes the free pages right after it in
 * place (slob_big_grow) instead of moving: a 20 KiB block grown to 2 MiB
 * a page at a time moved 11 times, copying about 4 MiB; now not at all
 * on either backend (up to 2 moves are allowed: the pages after where
 * best-fit placed it among the loader's blocks may be taken). */
static void bigblock_grows_in_place(void)
{
	long moves = -1, steps = -1;

	child_figures("bigblock", 2, "bigblock: moves=%ld steps=%ld", &moves, &steps);
	if (steps > 0)
		CHECK(moves <= 2, "a bigblock grown from 20 KiB to 2 MiB by realloc: %ld moves in %ld steps "
		      "(<= 2)", moves, steps);
}

/* "malloc-edge passing": a 136 KiB block with a block taken right after it
 * (so that it cannot grow in place) grown by realloc to 512 KiB + 8 (a
 * move), then to 1, 2 and 4 MiB + 8 bytes, as sqlite3 grows a buffer.
 * Prints "passing: placed=B moves=M" on standard error: B 1 when a block
 * could be placed right after it, M the moves after the first. */
static int passing_child(void)
{
	enum { TRIES = 64 };
	static void *blockers[TRIES];
	size_t n = 136u << 10;
	unsigned char *p = malloc(n), *q;
	long placed = 0, moves = 0;

	if (!p)
		return 1;
	fill(p, n, 3);
	for (int i = 0; i < TRIES && !placed; i++) {
		blockers[i] = malloc(8200);
		if (!blockers[i])
			return 1;
		placed = (unsigned char *)blockers[i] == p + malloc_usable_size(p);
	}
	q = realloc(p, (512u << 10) + 8);
	if (!q)
		return 1;
	p = q;
	for (size_t size = 1u << 20; size <= (4u << 20); size *= 2) {
		q = realloc(p, size + 8);
		if (!q)
			return 1;
		moves += q != p;
		p = q;
		memset(p + size / 2, 4, size / 2 + 8);
	}
	if (!holds(p, 136u << 10, 3))
		return 1;
	free(p);
	for (int i = 0; i < TRIES; i++)
		free(blockers[i]);
	fprintf(stderr, "passing: placed=%ld moves=%ld\n", placed, moves);
	return 0;
}

/* A block that had to move when grown to 128 KiB or more moves to a page
 * run, which then grows in place past KMALLOC_MAX_SIZE (4 MiB): as a
 * bigblock it was copied into a page run at 4 MiB + 8 (sqlite3 on
 * tests/real/workload.sql copied 2 MiB twice that way, 16 of its 77
 * instructions per allocation). */
static void block_passes_4mib_in_place(void)
{
	long placed = -1, moves = -1;

	child_figures("passing", 2, "passing: placed=%ld moves=%ld", &placed, &moves);
	if (placed == 1)
		CHECK(moves == 0, "a moved 512 KiB block grown to 4 MiB + 8 by realloc: %ld moves (0)", moves);
	else
		CHECK(placed == 0, "malloc-edge passing: placed=%ld", placed);
}

/* "malloc-edge moving": a buffer that moves as it grows among small blocks
 * kept for good, as a program appending to a string copies it to a new
 * block one byte longer and frees the old one: 200,000 steps, each keeping
 * a block of 8 to 16 bytes and taking the buffer anew (every page of it
 * written) before freeing the old. Prints "moving: live_kb=L peak_kb=P"
 * on standard error: the bytes live at the end and the resident set's
 * peak above the start. */
static int moving_child(void)
{
	enum { STEPS = 200000 };
	static char *keep[STEPS];
	int peak_known = reset_peak_rss();
	long before = rss_kb();
	size_t live = 0;
	char *s = malloc(1);

	if (!s)
		return 1;
	for (size_t i = 1; i < STEPS; i++) {
		char *t;

		keep[i] = malloc(8 + i % 9);
		t = malloc(i + 1);
		if (!keep[i] || !t)
			return 1;
		memset(keep[i], 1, 8);
		live += 8 + i % 9;
		for (size_t at = 0; at < i + 1; at += 4096)
			t[at] = s[at < i ? at : i - 1];
		t[i] = 0;
		free(s);
		s = t;
	}
	live += STEPS;
	if (!peak_known || before < 0)
		return 2;
	fprintf(stderr, "moving: live_kb=%zu peak_kb=%ld\n", live >> 10, peak_rss_kb() - before);
	return 0;
}

/* The buffer moving among small blocks (moving_child, in a fresh process)
 * peaks at most three times the bytes live plus 2 MiB above the start
 * (live: 2.5 MiB). Each new block of the buffer took the free stretch just
 * ahead of the last (best fit by length: a little shorter than the one the
 * freed blocks had joined behind), so the buffer walked on through
 * untouched memory and left its old pages free and resident: 16.3 MiB up
 * on slab, 9.6 on SLOB (glibc: 7.2 MiB, its chunks of 32 bytes holding
 * 3 MiB more than slab's 16). alloc_pages_fit now takes the first roomy
 * stretch met, where blocks were freed last: 8.9 and 7.7 MiB. */
static void buffer_moving_among_small(void)
{
	long live = -1, peak = -1;

	child_figures("moving", 2, "moving: live_kb=%ld peak_kb=%ld", &live, &peak);
	if (live > 0 && peak >= 0)
		CHECK(peak <= live * 3 + 2 * 1024,
		      "a buffer moving as it grows among small blocks: resident peak %ld KiB for %ld KiB "
		      "live (<= 3 times + 2 MiB)", peak, live);
}

/* "malloc-edge bigmix": BIGMIX_OPS operations on 400 slots picked at random:
 * a third of those on a taken slot free it, the others malloc (an empty
 * slot) or realloc it to a random size from 1 byte to 9 MB (log-uniform:
 * each power of two alike), each page of it written. Prints "bigmix:
 * written=W faults=F peak_kb=P" on standard error: the pages written, the
 * page faults meanwhile, the resident peak above the start. */
#define BIGMIX_OPS 10000

/* A child's page faults and resident peak from its start (meter_start). */
struct meter {
	long faults, before;
	int peak_known;
};

static void meter_start(struct meter *m)
{
	m->faults = minor_faults();
	m->before = rss_kb();
	m->peak_known = reset_peak_rss();
}

/* The child's end: its @n slots freed, "TAG: written=W faults=F
 * peak_kb=P" on standard error (the page faults since meter_start, before
 * the frees): 0, or 2 when the peak cannot be known. */
static int meter_finish(const struct meter *m, const char *tag, long written, unsigned char **slot, int n)
{
	long faults = minor_faults() - m->faults;

	for (int k = 0; k < n; k++)
		free(slot[k]);
	if (!m->peak_known || m->before < 0)
		return 2;
	fprintf(stderr, "%s: written=%ld faults=%ld peak_kb=%ld\n", tag, written, faults, peak_rss_kb() - m->before);
	return 0;
}

static int bigmix_child(void)
{
	enum { SLOTS = 400 };
	static unsigned char *slot[SLOTS];
	unsigned long long s = 88172645463325252ull;
	long written = 0;
	struct meter m;

	meter_start(&m);
	for (long i = 0; i < BIGMIX_OPS; i++) {
		unsigned int k, r, bits;
		unsigned char *p;
		size_t n;

		xorshift(&s);
		k = (unsigned int)(s % SLOTS);
		r = (unsigned int)(s >> 32) % 3;
		if (slot[k] && r == 0) {
			free(slot[k]);
			slot[k] = NULL;
			continue;
		}
		xorshift(&s);
		bits = (unsigned int)(s % 24);
		n = 1 + ((s >> 8) & ((2ul << bits) - 1));
		if (n > 9000000)
			n = 9000000;
		p = slot[k] ? realloc(slot[k], n) : malloc(n);
		if (!p)
			return 1;
		for (size_t o = 0; o < n; o += 4096, written++)
			p[o] = (unsigned char)i;
		p[n - 1] = 1;
		slot[k] = p;
	}
	return meter_finish(&m, "bigmix", written, slot, SLOTS);
}

/* "malloc-edge bufchurn": BUFCHURN_OPS buffers of 1 KiB to 16 MiB
 * (log-uniform), each written whole, replacing one of 64 kept at random
 * (python3's bytearray(n) in a loop: a new buffer, the old one then freed).
 * Prints "bufchurn: written=W faults=F peak_kb=P" on standard error, as
 * bigmix. */
#define BUFCHURN_OPS 1500

static int bufchurn_child(void)
{
	enum { SLOTS = 64 };
	static unsigned char *slot[SLOTS];
	unsigned long long s = 88172645463325252ull;
	long written = 0;
	struct meter m;

	meter_start(&m);
	for (long i = 0; i < BUFCHURN_OPS; i++) {
		unsigned int k, bits;
		unsigned char *p;
		size_t n;

		xorshift(&s);
		bits = 10 + (unsigned int)(s % 14);
		n = ((size_t)1 << bits) + ((s >> 8) & (((size_t)1 << bits) - 1));
		k = (unsigned int)(s >> 40) % SLOTS;
		p = malloc(n);
		if (!p)
			return 1;
		memset(p, (int)i, n);
		written += (long)((n + 4095) / 4096);
		free(slot[k]);
		slot[k] = p;
	}
	return meter_finish(&m, "bufchurn", written, slot, SLOTS);
}

/* "malloc-edge bigcycle [N]": N (default 100000) rounds on 16 slots, each
 * freeing a slot picked at random and taking a block of 1 to 64 MiB for it
 * (each power of two alike), its first byte written: the cost of big blocks
 * themselves (page runs, their releases), not of the pages a program
 * writes. Prints "bigcycle: ops=N seconds=S ops_per_s=R faults=F" on
 * standard error (docs/malloc.md; a figure to compare, not a check). */
static int bigcycle_child(long rounds)
{
	enum { SLOTS = 16 };
	unsigned char *slot[SLOTS] = { 0 };
	unsigned long long s = 88172645463325252ull;
	long faults = minor_faults();
	struct timespec a, b;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < rounds; i++) {
		unsigned int k;
		size_t n;

		xorshift(&s);
		k = (unsigned int)(s % SLOTS);
		free(slot[k]);
		xorshift(&s);
		/* 1 to 64 MiB, each power of two alike */
		n = (1ul << (20 + s % 6)) + ((s >> 8) & ((1ul << (20 + s % 6)) - 1));
		slot[k] = malloc(n);
		if (!slot[k])
			return 1;
		slot[k][0] = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	faults = minor_faults() - faults;
	for (int k = 0; k < SLOTS; k++)
		free(slot[k]);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	fprintf(stderr, "bigcycle: ops=%ld seconds=%.3f ops_per_s=%.0f faults=%ld\n", rounds, secs,
		(double)rounds / secs, faults);
	return 0;
}

/* "malloc-edge sparse [GIB]": one malloc of GIB GiB (1 by default), one
 * byte written in each MiB of it, then freed. Prints "sparse: gib=G
 * written_kb=W peak_kb=P" on standard error: the resident peak above the
 * start against the pages written (a figure to compare with glibc's; with
 * RVMM_MALLOC_MMAP_MIN=0 the block is the heap's, whose struct pages, 1/128
 * of the memory it adds, are written when it grows: docs/malloc.md, "Mapped
 * blocks"; mapped_blocks_outside_heap checks the default); 1 when the
 * malloc fails, 2 when the peak cannot be known. */
static long sparse_peak_kb(long gib)
{
	size_t n = (size_t)gib << 30;
	struct meter m;
	long peak;
	char *p;

	meter_start(&m);
	p = malloc(n);
	if (!p)
		return -1;
	for (size_t o = 0; o < n; o += 1 << 20)
		p[o] = 1;
	peak = m.peak_known && m.before >= 0 ? peak_rss_kb() - m.before : -2;
	free(p);
	return peak;
}

static int sparse_child(long gib)
{
	long peak = sparse_peak_kb(gib);

	if (peak < 0)
		return -(int)peak;
	fprintf(stderr, "sparse: gib=%ld written_kb=%ld peak_kb=%ld\n", gib, gib * 4096, peak);
	return 0;
}

/* "malloc-edge bigthreads": eight threads, each 20000 rounds on 8 slots of
 * its own, freeing one and taking a block of 4 KiB to 32 MiB (each power of
 * two alike) with up to 64 KiB of it written, the byte checked when it is
 * freed. Prints "bigthreads: seconds=S faults=F" on standard error (docs/malloc.md;
 * a figure to compare, not a check); 1 when a block came back changed. */
static void *bigthreads_worker(void *arg)
{
	unsigned long long s = 88172645463325252ull + (uintptr_t)arg;
	unsigned char *slot[8] = { 0 };

	for (int i = 0; i < 20000; i++) {
		unsigned int k;
		size_t n;

		xorshift(&s);
		k = (unsigned int)(s % 8);
		if (slot[k] && slot[k][0] != (unsigned char)(uintptr_t)arg)
			return (void *)1;
		free(slot[k]);
		n = (1ul << (12 + s % 14)) + ((s >> 8) & 4095);
		slot[k] = malloc(n);
		if (!slot[k])
			return (void *)1;
		memset(slot[k], (int)(uintptr_t)arg, n < 65536 ? n : 65536);
	}
	for (int k = 0; k < 8; k++)
		free(slot[k]);
	return NULL;
}

static int bigthreads_child(void)
{
	pthread_t t[8];
	long faults = minor_faults();
	struct timespec a, b;
	int bad = 0;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (uintptr_t i = 0; i < 8; i++)
		if (pthread_create(&t[i], NULL, bigthreads_worker, (void *)(i + 1)) != 0)
			return 1;
	for (int i = 0; i < 8; i++) {
		void *r;

		pthread_join(t[i], &r);
		bad |= r != NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	fprintf(stderr, "bigthreads: seconds=%.3f faults=%ld\n",
		(double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9, minor_faults() - faults);
	return bad;
}

/* Blocks of random sizes up to 9 MB, hundreds live, freed and taken again
 * (bigmix_child, a fresh heap), and buffers of 1 KiB to 16 MiB replacing
 * one of 64 (bufchurn_child): the program reuses the memory it freed
 * rather than fault it all in again. Each zone kept at most 8 big free
 * blocks (32 MiB) from the system and sent them all back whenever the
 * program took any other big block: 82 to 84% of bigmix's pages written
 * were faulted in (900 thousand faults; glibc's 13%); with a budget of half
 * the bytes in use (a quarter at a big block taken not kept) 54%, and
 * bufchurn's 52%; with the budget at the bytes in use and malloc's page
 * runs placed where they fit best (mm/page_alloc.c, "Releases";
 * malloc/shim.c, alloc_run) 38% and 31% (glibc's 19). */
static void big_blocks_reused(void)
{
	long written = -1, faults = -1, peak = -1;

	if (zeroing())
		return; /* (zeroing faults in what it wipes: nothing to check) */
	child_figures("bigmix", 3, "bigmix: written=%ld faults=%ld peak_kb=%ld", &written, &faults, &peak);
	if (written > 0 && faults >= 0)
		CHECK(faults <= written * 45 / 100,
		      "blocks up to 9 MB taken, realloc'd and freed: %ld page faults for %ld pages written "
		      "(<= 45%%)", faults, written);
	written = faults = -1;
	child_figures("bufchurn", 3, "bufchurn: written=%ld faults=%ld peak_kb=%ld", &written, &faults, &peak);
	if (written > 0 && faults >= 0)
		CHECK(faults <= written * 40 / 100,
		      "buffers of 1 KiB to 16 MiB replacing one of 64: %ld page faults for %ld pages written "
		      "(<= 40%%)", faults, written);
}

/* "malloc-edge appending": the pattern of a shell appending to a string
 * beside a growing array (bash: a+=("str$i"); s="${s}x"; ((i%4==0)) &&
 * h[k$i]=v): 200,000 steps, each keeping a strdup'd "str<i>" and, every
 * fourth step, a "k<i>" and a 32-byte entry, while one string grows a
 * byte at a time, copied to a new block each step and the old one freed
 * (as bash builds "${s}x"; every byte written). Prints "appending:
 * live_kb=L peak_kb=P" on standard error: the bytes live at the end and
 * the resident set's peak above the start. */
static int appending_child(void)
{
	enum { STEPS = 200000 };
	static char *keep[STEPS][3];
	int peak_known = reset_peak_rss();
	long before = rss_kb();
	size_t live = 0;
	char *s = NULL, name[32];

	for (size_t i = 0; i < STEPS; i++) {
		char *t = malloc(i + 2);

		if (!t)
			return 1;
		if (s)
			memcpy(t, s, i);
		free(s);
		s = t;
		s[i] = 'x';
		s[i + 1] = 0;
		snprintf(name, sizeof(name), "str%zu", i);
		keep[i][0] = strdup(name);
		live += strlen(name) + 1;
		if (i % 4 == 0) {
			snprintf(name, sizeof(name), "k%zu", i);
			keep[i][1] = strdup(name);
			keep[i][2] = calloc(1, 32);
			live += strlen(name) + 1 + 32;
			if (!keep[i][1] || !keep[i][2])
				return 1;
		}
		if (!keep[i][0])
			return 1;
	}
	live += STEPS + 1;
	if (!peak_known || before < 0)
		return 2;
	fprintf(stderr, "appending: live_kb=%zu peak_kb=%ld\n", live >> 10, peak_rss_kb() - before);
	return 0;
}

/* A string growing by copying beside many small blocks kept (appending_child,
 * in a fresh process) peaks at most three times the bytes live plus 2 MiB
 * above the start (live: 3.9 MiB). The string's bigblocks, placed best-fit,
 * left holes of 2 to 16 pages that the small blocks' slab pages filled, so
 * the freed holes could not merge and each larger block took fresh memory:
 * 36.0 MiB up on slab, 39.5 on SLOB (glibc 15.4). Pages grouped by use
 * (mm/page_alloc.c, "Grouping by use") keep slab and SLOB pages in
 * pageblocks of their own: 11.0 and 10.8 MiB. */
static void string_appended_beside_array(void)
{
	long live = -1, peak = -1;

	child_figures("appending", 2, "appending: live_kb=%ld peak_kb=%ld", &live, &peak);
	if (live > 0 && peak >= 0)
		CHECK(peak <= live * 3 + 2 * 1024,
		      "a string appended to by copying beside many small blocks: resident peak %ld KiB for "
		      "%ld KiB live (<= 3 times + 2 MiB)", peak, live);
}

/* "malloc-edge trims": TRIM_THREADS threads (more than the 8 hart slots)
 * take and free blocks of up to 300,000 bytes in a loop while this thread
 * calls malloc_trim TRIM_CALLS times, under an alarm of TRIM_ALARM seconds
 * (the signal ends the process). Prints "trims: calls=N" on standard
 * error: the calls that returned. */
#define TRIM_THREADS 10
#define TRIM_CALLS 100
#define TRIM_ALARM 100

static volatile int trim_churn_stop;

static void *trim_churn(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	void *keep[64] = { 0 };

	while (!trim_churn_stop) {
		int i = rand_r(&seed) % 64;

		free(keep[i]);
		keep[i] = malloc((size_t)(rand_r(&seed) % 300000));
	}
	for (int i = 0; i < 64; i++)
		free(keep[i]);
	return NULL;
}

static int trims_child(void)
{
	pthread_t t[TRIM_THREADS];
	int calls = 0;

	alarm(TRIM_ALARM);
	for (int i = 0; i < TRIM_THREADS; i++)
		if (pthread_create(&t[i], NULL, trim_churn, (void *)(uintptr_t)(i + 1)))
			return 1;
	for (; calls < TRIM_CALLS; calls++)
		malloc_trim(0);
	trim_churn_stop = 1;
	for (int i = 0; i < TRIM_THREADS; i++)
		pthread_join(t[i], NULL);
	fprintf(stderr, "trims: calls=%d\n", calls);
	return 0;
}

/* malloc_trim while threads allocate (trims_child, in a process of its
 * own): all TRIM_CALLS calls return within the alarm. Each call waited for
 * every hart slot's lock in turn, behind threads that give it back for a
 * few instructions between calls: 28 to 61 s for 20 calls with 6 threads
 * (glibc: none), so 100 calls ran into the alarm; a slot in use now keeps
 * its magazines (hart_each_free_slot). The rest waited for the trimming
 * thread's own slot behind a sharer that took it again at once after each
 * call: 0.6 to 5 s for all here, past the alarm once on a slower machine;
 * owed the lock, 0.01 to 0.1 s (turns_on_a_shared_slot checks the turn). */
static void trims_while_threads_allocate(void)
{
	long calls = -1;

	child_figures("trims", 1, "trims: calls=%ld", &calls);
	CHECK(calls == TRIM_CALLS, "malloc_trim while %d threads allocate: %ld of %d calls returned "
	      "within %d s", TRIM_THREADS, calls, TRIM_CALLS, TRIM_ALARM);
}

/* "malloc-edge turns": two threads on one hart slot, one cpu. The main
 * thread leases first (slot 0), TURN_IDLE threads take one slot each and
 * wait, so every slot has one lessee and the busy thread leases slot 0 too
 * (the fewest lessees, the lowest first: port/malloc.c, hart_lease). The
 * busy thread takes and frees TURN_BUSY_SIZE bytes in a loop (a big
 * block, pages of the page allocator's: it holds the slot through most of
 * its time, leaving it for a few instructions between calls). With the
 * process on the cpu it runs on, each round the main thread lets the busy
 * one run until the scheduler cuts it off, then does TURN_PAIRS pairs of
 * 64 bytes and counts its own
 * context switches meanwhile (getrusage): each is a time the cpu went to
 * another thread, the busy one's slices among them, while it waited for
 * its slot. The busy thread pauses after TURN_LIMIT pairs in a round. A
 * round is long with more than TURN_LONG switches. Prints "turns:
 * rounds=N long=L worst=M" on standard error: the rounds, the long ones
 * and the most switches one of them took. */
#define TURN_IDLE 7 /* MAX_HARTS - 1 */
#define TURN_PAIRS 500
#define TURN_BUSY_SIZE 300000
#define TURN_LIMIT 2000000L
#define TURN_ROUNDS 12
#define TURN_LONG 20 /* context switches */

static volatile int turn_stop;
static long turn_busy_pairs, turn_busy_last = LONG_MAX; /* it pauses there */
static int turn_gate[2]; /* the idle threads wait for its end to close */

static void *turn_idle(void *arg)
{
	char c;

	sink = malloc(16); /* the lease */
	__atomic_add_fetch((int *)arg, 1, __ATOMIC_RELEASE);
	while (read(turn_gate[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void *turn_busy(void *arg)
{
	(void)arg;
	while (!turn_stop) {
		void *volatile p; /* (a pair the compiler keeps) */

		if (__atomic_load_n(&turn_busy_pairs, __ATOMIC_RELAXED) >=
		    __atomic_load_n(&turn_busy_last, __ATOMIC_RELAXED)) {
			sched_yield();
			continue;
		}
		p = malloc(TURN_BUSY_SIZE);
		free(p);
		__atomic_add_fetch(&turn_busy_pairs, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* The calling thread's context switches so far (both kinds: a yield is
 * counted as nonvoluntary). */
static long turn_switches(void)
{
	struct rusage u;

	if (getrusage(RUSAGE_THREAD, &u))
		return -1;
	return u.ru_nvcsw + u.ru_nivcsw;
}

/* The main thread's context switches during its TURN_PAIRS pairs: the
 * times it gave the cpu up waiting for its slot (and any preemption), or -1
 * when they could not be read. */
static long turn_round(void)
{
	long start = __atomic_load_n(&turn_busy_pairs, __ATOMIC_RELAXED), before, after;

	__atomic_store_n(&turn_busy_last, LONG_MAX, __ATOMIC_RELAXED);
	while (__atomic_load_n(&turn_busy_pairs, __ATOMIC_RELAXED) < start + 100)
		sched_yield();
	before = turn_switches();
	__atomic_store_n(&turn_busy_last, __atomic_load_n(&turn_busy_pairs, __ATOMIC_RELAXED) + TURN_LIMIT,
			 __ATOMIC_RELAXED);
	for (int i = 0; i < TURN_PAIRS; i++) {
		void *volatile p = malloc(64);

		free(p);
	}
	after = turn_switches();
	return before < 0 || after < 0 ? -1 : after - before;
}

static int turns_child(void)
{
	pthread_t idle[TURN_IDLE], busy;
	int cpu = sched_getcpu(), ready = 0, longs = 0;
	long worst = 0;
	cpu_set_t one;

	CPU_ZERO(&one);
	if (cpu < 0)
		return 2;
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) || pipe(turn_gate))
		return 2;
	alarm(60);
	free(malloc(16)); /* the main thread's lease: slot 0 */
	for (int i = 0; i < TURN_IDLE; i++)
		if (pthread_create(&idle[i], NULL, turn_idle, &ready))
			return 1;
	while (__atomic_load_n(&ready, __ATOMIC_ACQUIRE) < TURN_IDLE)
		sched_yield();
	if (pthread_create(&busy, NULL, turn_busy, NULL))
		return 1;
	for (int r = 0; r < TURN_ROUNDS && worst >= 0; r++) {
		long switches = turn_round();

		longs += switches > TURN_LONG;
		worst = switches < 0 ? -1 : switches > worst ? switches : worst;
	}
	turn_stop = 1;
	pthread_join(busy, NULL);
	close(turn_gate[1]);
	for (int i = 0; i < TURN_IDLE; i++)
		pthread_join(idle[i], NULL);
	fprintf(stderr, "turns: rounds=%d long=%d worst=%ld\n", TURN_ROUNDS, longs, worst);
	return worst < 0 ? 2 : 0;
}

/* A thread that shares its hart slot with a busy one gets its turn
 * (turns_child): on one cpu, at most 2 of TURN_ROUNDS rounds are long
 * (port/malloc.c, hart_enter_contended: after 4 yields the lock is owed to
 * it, and the busy thread's next entry waits; 2 to 7 switches a round
 * here, none long in 20 runs beside three busy processes, which lengthen
 * a round only when they take the cpu from both; glibc 0). Where a slot's
 * lock went to whoever took it first as it came free, the main thread got
 * it only when the scheduler cut the busy one off in the few instructions
 * between its calls, yielding to it meanwhile: 5 to 10 rounds long, up to
 * 170 switches. */
static void turns_on_a_shared_slot(void)
{
	long rounds = -1, longs = -1, worst = -1;

	child_figures("turns", 3, "turns: rounds=%ld long=%ld worst=%ld", &rounds, &longs, &worst);
	CHECK(rounds == TURN_ROUNDS && worst >= 0 && longs <= 2,
	      "a thread sharing a hart slot with a busy one on one cpu: %ld of %ld rounds with more than %d "
	      "context switches during its %d pairs (<= 2; at most %ld in one)", longs, rounds, TURN_LONG,
	      TURN_PAIRS, worst);
}

/* "malloc-edge oom" (RVMM_MALLOC_MAX=256M): fill the heap with 1 MiB
 * blocks, then ask for classes not used before; every failure is NULL
 * with ENOMEM. Exits 0 when so. */
static int oom_child(void)
{
	static void *held[1024];
	size_t sizes[] = { 4096, 3000, 100, 20000, 5000000 };
	int k = 0, bad = 0;

	errno = 0;
	while (k < 1024 && (held[k] = malloc(1u << 20)) != NULL)
		k++;
	bad += k == 1024 || errno != ENOMEM;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		void *p;

		errno = 0;
		p = malloc(sizes[i]);
		bad += !p && errno != ENOMEM;
		sink = p;
	}
	return bad != 0;
}

/* A full heap fails quietly: NULL with ENOMEM and nothing on standard
 * error (no page allocation failure, no cache that could not be made).
 * A bad RVMM_MALLOC_MAX is refused with a message naming the variable,
 * the value and what is accepted, before anything is allocated. */
static void env_and_oom(void)
{
	static const struct {
		const char *value, *says;
	} bad[] = {
		{ "100", "too small: expected a size from 64M to 8192G" },
		{ "abc", "not a size: expected a whole number of bytes with an optional K, M, G or T" },
		{ "1.5G", "not a size" },
		{ "9000G", "too large: the most is 8192G" },
		{ "99999999999999999999G", "too large: the most is 8192G" },
	};
	char err[4096], want[256];
	int status;

	status = run_self("oom", "RVMM_MALLOC_MAX", "256M", err, sizeof(err));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 && !err[0],
	      "a full heap of 256M: exit status 0x%x, standard error '%.300s'", status, err);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		status = run_self("alloc", "RVMM_MALLOC_MAX", bad[i].value, err, sizeof(err));
		snprintf(want, sizeof(want), "rvmm-malloc: RVMM_MALLOC_MAX=%s: %s", bad[i].value,
			 bad[i].says);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT && strstr(err, want),
		      "RVMM_MALLOC_MAX=%s: status 0x%x, standard error '%.300s'", bad[i].value, status,
		      err);
	}
	status = run_self("alloc", "RVMM_MALLOC_MAX", "1T", err, sizeof(err));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 && !err[0],
	      "RVMM_MALLOC_MAX=1T: status 0x%x, standard error '%.300s'", status, err);
}

/* "malloc-edge mapped": one block of 48 MiB written; exits with
 * mallinfo2's hblks after it (1: a mapped block, 0: the heap's), or 9 when
 * the malloc fails. */
static int mapped_child(void)
{
	unsigned char *p = malloc(48u << 20);

	if (!p)
		return 9;
	memset(p, 7, 48u << 20);
	sink = p;
	return (int)mallinfo2().hblks;
}

/* "malloc-edge mappedoom", under RVMM_MALLOC_MAX=256M: the mapped blocks
 * count against it with the heap's RAM (8 MiB at the start): 200 MiB fit,
 * 100 more do not (ENOMEM), 40 do; that 40 MiB block cannot grow by 100
 * (NULL, ENOMEM, kept as it was) but can shrink; the heap then grows by
 * what is left and fails quietly. Exits 0 when all of that holds. */
static int mappedoom_child(void)
{
	unsigned char *a = malloc(200u << 20), *b, *c, *q;
	int bad = 0, k = 0;

	bad += !a;
	errno = 0;
	b = malloc(100u << 20);
	bad += b != NULL || errno != ENOMEM;
	c = malloc(40u << 20);
	if (!a || !c)
		return 1;
	fill(c, 40u << 20, 9);
	errno = 0;
	q = realloc(c, 140u << 20);
	bad += q != NULL || errno != ENOMEM || !holds(c, 40u << 20, 9);
	q = realloc(c, 20u << 20);
	bad += !q || !holds(q, 20u << 20, 9);
	errno = 0;
	while (k < 100 && malloc(1u << 20))
		k++;
	bad += k == 100 || errno != ENOMEM;
	return bad != 0;
}

/* "malloc-edge mallopt": mallopt's M_MMAP_THRESHOLD and M_MMAP_MAX set
 * which blocks are mapped (a threshold below 4 MiB means above it: those
 * are kmalloc's), glibc's other parameters are accepted, a negative value
 * and an unknown parameter refused (0). Exits with the number of checks
 * that failed. */
static int mallopt_child(void)
{
	const size_t mib = 1u << 20;
	void *a, *b, *c;
	size_t h0;
	int bad = 0;

	bad += mallopt(M_MMAP_THRESHOLD, 8 << 20) != 1;
	h0 = mallinfo2().hblks;
	a = malloc(10 * mib); /* mapped */
	bad += !a || mallinfo2().hblks != h0 + 1;
	bad += mallopt(M_MMAP_MAX, 1) != 1;
	b = malloc(40 * mib); /* the heap's: one is mapped already */
	bad += !b || mallinfo2().hblks != h0 + 1;
	bad += mallopt(M_MMAP_MAX, 0) != 1;
	free(a);
	c = malloc(40 * mib); /* the heap's */
	bad += !c || mallinfo2().hblks != h0;
	bad += mallopt(M_MMAP_MAX, 65536) != 1 || mallopt(M_MMAP_THRESHOLD, 1000) != 1;
	a = malloc(4 * mib); /* kmalloc's */
	bad += !a || mallinfo2().hblks != h0;
	free(a);
	a = malloc(5 * mib); /* above 4 MiB: mapped */
	bad += !a || mallinfo2().hblks != h0 + 1;
	bad += mallopt(M_MMAP_THRESHOLD, -1) != 0 || mallopt(12345, 1) != 0 ||
	       mallopt(M_TRIM_THRESHOLD, 1 << 20) != 1 || mallopt(M_ARENA_MAX, 1) != 1;
	free(a);
	free(b);
	free(c);
	return bad;
}

/*
 * Blocks of RVMM_MALLOC_MMAP_MIN bytes or more (32 MiB by default) are
 * mappings of their own (docs/malloc.md, "Mapped blocks"), outside the
 * heap: mallinfo2 counts them in hblks and hblkhd and the heap does not
 * grow for them; their usable size is their whole pages; realloc keeps
 * their contents up and down (mremap), also when part of the block is
 * mprotected (mremap refuses such a range: the block is copied); memalign
 * aligns them; calloc's read zero; a free inside one and a second free
 * are reported and lose nothing; a child made by fork reads and frees one;
 * a 1 GiB block written once per MiB peaks at about the pages written (it
 * was 8 MiB more, the heap's struct pages for 1 GiB, when such blocks were
 * the heap's); the setting's values, mallopt's, and the limit,
 * RVMM_MALLOC_MAX (in children). Skipped when the program runs with RVMM_MALLOC_MMAP_MIN set.
 */
static void mapped_blocks_outside_heap(void)
{
	const size_t mib = 1u << 20;
	struct mallinfo2 m0, m1;
	unsigned char *p, *q;
	int saved, null, status;
	char err[4096];
	void *volatile alias;
	long peak;

	if (getenv("RVMM_MALLOC_MMAP_MIN"))
		return;
	m0 = mallinfo2();
	p = malloc(48 * mib);
	m1 = mallinfo2();
	CHECK(p && m1.hblks == m0.hblks + 1 && m1.hblkhd == m0.hblkhd + 48 * mib && m1.arena == m0.arena,
	      "malloc(48 MiB): a mapped block (hblks %zu -> %zu, hblkhd %zu -> %zu, arena %zu -> %zu)",
	      m0.hblks, m1.hblks, m0.hblkhd, m1.hblkhd, m0.arena, m1.arena);
	if (!p)
		return;
	CHECK(malloc_usable_size(p) == 48 * mib && !((uintptr_t)p & 4095),
	      "a mapped block: %zu usable bytes at %p", malloc_usable_size(p), (void *)p);
	fill(p, 48 * mib, 1);
	q = realloc(p, 96 * mib + 5);
	/* (exact pages in place; moved, half as much again: the headroom) */
	CHECK(q && holds(q, 48 * mib, 1) &&
		      (malloc_usable_size(q) == 96 * mib + 4096 ||
		       (q != p && malloc_usable_size(q) == 144 * mib + 4096)),
	      "realloc of a mapped block up to 96 MiB + 5: contents kept, %zu usable",
	      q ? malloc_usable_size(q) : 0);
	p = q ? q : p;
	q = realloc(p, 40 * mib);
	CHECK(q && holds(q, 40 * mib, 1), "realloc of a mapped block down to 40 MiB: contents kept");
	p = q ? q : p;
	q = realloc(p, 1000);
	CHECK(q && holds(q, 1000, 1) && mallinfo2().hblks == m0.hblks + 1,
	      "realloc of a mapped block down to 1000 bytes: contents kept, still mapped");
	p = q ? q : p;
	free(p);
	CHECK(mallinfo2().hblks == m0.hblks && mallinfo2().hblkhd == m0.hblkhd,
	      "a freed mapped block leaves hblks and hblkhd as they were");

	p = malloc(40 * mib);
	if (p && mallinfo2().hblks == m0.hblks + 1) { /* (mprotect on heap pages would be the test's bug) */
		fill(p, 40 * mib, 2);
		mprotect(p + 8 * mib, 4096, PROT_READ); /* two mappings of different kinds */
		errno = 1234;
		q = realloc(p, 80 * mib);
		CHECK(q && errno == 1234 && holds(q, 40 * mib, 2),
		      "realloc up of a mapped block split by mprotect: copied, errno kept");
		if (q) {
			q[80 * mib - 1] = 1; /* the new block is writable to its end */
			p = q;
		}
	}
	free(p);
	p = memalign(64 * mib, 40 * mib);
	CHECK(p && !((uintptr_t)p & (64 * mib - 1)), "memalign(64 MiB, 40 MiB): %p", (void *)p);
	if (p) {
		memset(p, 3, 40 * mib);
		free(p);
	}
	p = calloc(8, 8 * mib);
	CHECK(p && !memcmp(p, p + 1, 64 * mib - 1) && !p[0], "calloc of 64 MiB reads zero");
	free(p);

	p = malloc(40 * mib);
	saved = dup(2);
	null = open("/dev/null", O_WRONLY);
	if (p && saved >= 0 && null >= 0) {
		fill(p, 40 * mib, 4);
		dup2(null, 2);
		alias = p + 4 * mib;
		free(alias); /* inside the block */
		dup2(saved, 2);
		CHECK(holds(p, 40 * mib, 4) && mallinfo2().hblks == m0.hblks + 1,
		      "a free inside a mapped block leaves it alone");
		alias = p;
		free(p);
		dup2(null, 2);
		free(alias); /* a second time */
		dup2(saved, 2);
		p = malloc(40 * mib);
		q = malloc(40 * mib);
		CHECK(p && q && p != q && mallinfo2().hblks == m0.hblks + 2,
		      "mapped blocks after a double free of one: two distinct");
		if (p && q) {
			fill(p, 40 * mib, 5);
			fill(q, 40 * mib, 6);
			CHECK(holds(p, 40 * mib, 5) && holds(q, 40 * mib, 6), "... and each keeps its bytes");
		}
		free(q);
		if (p) {
			pid_t pid = fork();

			if (pid == 0) {
				int ok = holds(p, 40 * mib, 5);

				free(p);
				_exit(ok && mallinfo2().hblks == m0.hblks ? 0 : 1);
			}
			status = -1;
			waitpid(pid, &status, 0);
			CHECK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "a child made by fork reads the parent's mapped block and frees it");
			CHECK(holds(p, 40 * mib, 5), "... and the parent's stays");
		}
		free(p);
	} else {
		free(p);
	}
	if (null >= 0)
		close(null);
	if (saved >= 0)
		close(saved);

	peak = sparse_peak_kb(1);
	CHECK(peak == -2 || (peak >= 0 && peak < 4096 + 2048),
	      "1 GiB malloc'd, a byte written per MiB (4 MiB of pages): peak %ld KiB above the start "
	      "(< 6 MiB)", peak);

	status = run_self("mapped", "RVMM_MALLOC_MMAP_MIN", "0", err, sizeof(err));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 && !err[0],
	      "RVMM_MALLOC_MMAP_MIN=0: 48 MiB in the heap (status 0x%x, '%.300s')", status, err);
	status = run_self("mapped", "RVMM_MALLOC_MMAP_MIN", "40M", err, sizeof(err));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1 && !err[0],
	      "RVMM_MALLOC_MMAP_MIN=40M: 48 MiB mapped (status 0x%x, '%.300s')", status, err);
	status = run_self("mapped", "RVMM_MALLOC_MMAP_MIN", "64m", err, sizeof(err));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 && !err[0],
	      "RVMM_MALLOC_MMAP_MIN=64m: 48 MiB in the heap (status 0x%x, '%.300s')", status, err);
	for (int i = 0; i < 2; i++) {
		const char *v = i ? "4M" : "lots";

		status = run_self("mapped", "RVMM_MALLOC_MMAP_MIN", v, err, sizeof(err));
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT &&
			      strstr(err, "rvmm-malloc: RVMM_MALLOC_MMAP_MIN=") &&
			      strstr(err, "expected 0 (every block in the heap) or a size above 4M"),
		      "RVMM_MALLOC_MMAP_MIN=%s refused: status 0x%x, '%.300s'", v, status, err);
	}
	status = run_self("mallopt", NULL, NULL, err, sizeof(err));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 && !err[0],
	      "mallopt's M_MMAP_THRESHOLD and M_MMAP_MAX: %d checks failed (status 0x%x, '%.300s')",
	      WIFEXITED(status) ? WEXITSTATUS(status) : -1, status, err);
	status = run_self("mappedoom", "RVMM_MALLOC_MAX", "256M", err, sizeof(err));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 && !err[0],
	      "mapped blocks within RVMM_MALLOC_MAX=256M: status 0x%x, '%.300s'", status, err);
}

static int limited_thread_ran;

/* limited_child's thread (its stack is a mapping too): a block written
 * and freed. */
static void *limited_thread(void *arg)
{
	char *p = malloc(100000);

	(void)arg;
	if (!p)
		return NULL;
	memset(p, 3, 100000);
	free(p);
	return &limited_thread_ran;
}

/* "malloc-edge limited", under an address-space limit: 1000 small blocks,
 * one of an eighth of the limit (64 MiB under 512 MiB) and a thread that
 * allocates, all written and freed. */
static int limited_child(void)
{
	static char *small[1000];
	struct rlimit as;
	size_t big_size = getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY ? as.rlim_cur / 8
											  : 64 << 20;
	char *big = malloc(big_size);
	pthread_t t;
	void *ok = NULL;

	for (int i = 0; i < 1000; i++)
		if ((small[i] = malloc(1000)) != NULL)
			memset(small[i], 1, 1000);
	if (big)
		memset(big, 2, big_size);
	if (pthread_create(&t, NULL, limited_thread, NULL) == 0)
		pthread_join(t, &ok);
	for (int i = 0; i < 1000; i++)
		if (!small[i])
			return 1;
	for (int i = 0; i < 1000; i++)
		free(small[i]);
	free(big);
	return !big || !ok;
}

/* A program under an address-space limit (ulimit -v) of 64 MiB, 100 MiB,
 * 512 MiB, 1 GiB and 2 GiB works: the default heap takes at most half of
 * the limit, and its alignment gives way when the limit leaves no room for
 * the slack. Without that, the last reservation tried (1 GiB, with 1 GiB
 * of alignment slack) was refused and every program aborted on its first
 * malloc ("cannot map the heap of 512 MiB"); and with the heap at least 64
 * MiB, aligned to 64 MiB, so did every program under a limit of 130 MB or
 * less ("cannot map the heap of 64 MiB"), where glibc's ran. */
static void address_space_limit(void)
{
	static const rlim_t limits[] = { 64ul << 20, 100ul << 20, 512ul << 20, 1ul << 30, 2ul << 30 };
	char err[4096];

	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		int status;

		run_self_as_limit = limits[i];
		status = run_self("limited", NULL, NULL, err, sizeof(err));
		run_self_as_limit = 0;
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 && !err[0],
		      "an address-space limit of %lu MiB: exit status 0x%x, standard error '%.300s'",
		      (unsigned long)(limits[i] >> 20), status, err);
	}
}

#define EXITING_THREADS 100

/* A thread that allocates, then calls strerror of an unknown number: glibc
 * frees that message's buffer as the thread ends, after the key
 * destructors (__libc_thread_freeres). */
static void *allocate_then_strerror(void *arg)
{
	sink = malloc(100);
	free(sink);
	sink = strerror(12345 + (int)(uintptr_t)arg);
	return NULL;
}

/* "malloc-edge exits": EXITING_THREADS threads, one after another. */
static int exits_child(void)
{
	for (uintptr_t i = 0; i < EXITING_THREADS; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, allocate_then_strerror, (void *)i) ||
		    pthread_join(t, NULL))
			return 1;
	}
	return 0;
}

/* A thread's lease ends when it exits, its last frees included: threads
 * that run one after another, each ending with a free of glibc's after its
 * key destructors, each take the slot the one before gave back, so the
 * process serves calls on two hart slots (its main thread's and theirs),
 * as RVMM_MALLOC_STATS's harts count says. Those late frees used to take a
 * lease nothing gave back: every slot counted a dozen threads that were
 * gone (and live threads were put together on one), harts 8. */
static void leases_end_with_threads(void)
{
	char path[] = "/tmp/malloc-edge-stats-XXXXXX", err[4096], line[512] = "";
	const char *harts;
	int fd = mkstemp(path), status;
	ssize_t n = 0;

	CHECK(fd >= 0, "mkstemp");
	if (fd < 0)
		return;
	status = run_self("exits", "RVMM_MALLOC_STATS", path, err, sizeof(err));
	n = read(fd, line, sizeof(line) - 1);
	line[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	harts = strstr(line, " harts ");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 && harts && atoi(harts + 7) <= 2,
	      "%d threads run one after another, each freeing as it exits: status 0x%x, "
	      "statistics '%.200s' (harts at most 2)", EXITING_THREADS, status, line);
}

static volatile int churn_stop;

/* Small and page-sized blocks allocated and freed (per-hart page lists
 * refilled and drained), now and then a malloc_trim (every list drained). */
static void *page_churn(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	void *live[512] = { 0 };

	while (!churn_stop) {
		int k = rand_r(&seed) % 512;
		size_t n = 1 + rand_r(&seed) % (rand_r(&seed) % 8 ? 3000 : 300000);

		free(live[k]);
		live[k] = malloc(n);
		if (live[k])
			memset(live[k], 1, n < 128 ? n : 128);
		if (rand_r(&seed) % 20000 == 0)
			malloc_trim(0);
	}
	for (int k = 0; k < 512; k++)
		free(live[k]);
	return NULL;
}

/* mallinfo2 read while three threads move pages between the per-hart lists
 * and the buddy lists and grow the heap: in use never exceeds the heap (a
 * free count that took moving pages twice, or new RAM before the heap's
 * size, wrapped it below zero: 2^64 - a few MiB). */
static void counts_while_pages_move(void)
{
	pthread_t t[3];
	long wrapped = 0, reads = 0;
	size_t worst = 0;

	churn_stop = 0;
	for (long i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, page_churn, (void *)(i + 1));
	for (; reads < 2000000; reads++) {
		struct mallinfo2 m = mallinfo2();

		if (m.uordblks > m.arena || m.arena != m.uordblks + m.fordblks) {
			wrapped++;
			worst = m.uordblks;
		}
	}
	churn_stop = 1;
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	CHECK(!wrapped, "mallinfo2 while pages move: in use above the heap in %ld of %ld reads (%zu)",
	      wrapped, reads, worst);
}

/* "malloc-edge nullfrees": two threads, in NULL_ROUNDS rounds started
 * together, each time NULL_FREES calls of free(NULL) and then as many
 * malloc(32) / free pairs; "nullfrees: cpus=N ratio_pct=R" on standard
 * error, R the median over both threads' rounds of the free(NULL) loop's
 * time as a percentage of the pairs'. With RVMM_MALLOC_STATS set it only
 * makes the calls (the count is the check). */
#define NULL_ROUNDS 8
#define NULL_FREES 1000000

static pthread_barrier_t null_start;
static long null_pct[2][NULL_ROUNDS];

static void *null_freer(void *arg)
{
	long *pct = arg;
	void *volatile none = NULL;
	int timing = getenv("RVMM_MALLOC_STATS") == NULL;

	for (int r = 0; r < NULL_ROUNDS; r++) {
		double t0, t1, t2;

		pthread_barrier_wait(&null_start);
		t0 = seconds();
		for (int i = 0; i < NULL_FREES; i++)
			free(none);
		t1 = seconds();
		for (int i = 0; timing && i < NULL_FREES; i++) {
			void *volatile p = malloc(32); /* (volatile: the pair stays a pair) */

			free(p);
		}
		t2 = seconds();
		pct[r] = timing ? (long)(100 * (t1 - t0) / (t2 - t1)) : 0;
		if (!timing)
			break;
	}
	return NULL;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static int nullfrees_child(void)
{
	pthread_t t[2];
	cpu_set_t cpus;
	long *all = null_pct[0];

	if (sched_getaffinity(0, sizeof(cpus), &cpus) || pthread_barrier_init(&null_start, NULL, 2))
		return 2;
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, null_freer, null_pct[i]))
			return 1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	qsort(all, 2 * NULL_ROUNDS, sizeof(*all), cmp_long);
	fprintf(stderr, "nullfrees: cpus=%d ratio_pct=%ld\n", CPU_COUNT(&cpus), all[NULL_ROUNDS]);
	return 0;
}

/* free(NULL) does nothing that threads share (malloc/shim.c,
 * count_free_null): two threads freeing NULL at once on two cpus take at
 * most half the time of as many malloc(32) / free pairs (about 15% here,
 * glibc 20%; with an atomic add to one counter on each call, 100 to 150%:
 * `sort -R` spent a quarter of its time there). Timed, but as a ratio of
 * two loops in the same threads and rounds, with a margin of three; on one
 * cpu the threads do not contend and the ratio says nothing (not judged).
 * And with RVMM_MALLOC_STATS every free(NULL) is still counted: the
 * process's free count is the two threads' calls plus at most a few
 * hundred of its own. */
static void null_frees_share_nothing(void)
{
	char path[] = "/tmp/malloc-edge-stats-XXXXXX", line[512] = "";
	unsigned long frees = 0;
	long ratio = -1;
	int cpus = 0, fd = mkstemp(path);
	FILE *f;

	child_figures("nullfrees", 2, "nullfrees: cpus=%d ratio_pct=%ld", &cpus, &ratio);
	CHECK(cpus < 2 || (ratio >= 0 && ratio <= 50),
	      "free(NULL) on two threads at once: %ld%% of a malloc/free pair's time (want <= 50)", ratio);
	if (fd >= 0)
		close(fd);
	child_figures_env("nullfrees", "RVMM_MALLOC_STATS", path, 2, "nullfrees: cpus=%d ratio_pct=%ld", &cpus,
			  &ratio);
	f = fopen(path, "r");
	if (f) {
		if (fgets(line, sizeof(line), f) && strstr(line, " free "))
			frees = strtoul(strstr(line, " free ") + 6, NULL, 10);
		fclose(f);
	}
	unlink(path);
	CHECK(frees >= 2ul * NULL_FREES && frees <= 2ul * NULL_FREES + 500,
	      "RVMM_MALLOC_STATS counts free(NULL): free %lu for %d calls ('%.120s')", frees, 2 * NULL_FREES,
	      line);
}

/* The other thread's turn in kept_blocks_per_thread: a block of @arg's
 * size taken, its address handed back, freed. */
static uintptr_t taken_by_other;

/* A block's address as a number, for comparisons after it is freed. */
static __attribute__((noinline)) uintptr_t address_of(const void *p)
{
	return (uintptr_t)p;
}

static void *take_and_free(void *arg) /* arg: NULL, or keep one first */
{
	void *p;

	if (arg) /* first keep a block of its own, which 40000 bytes do not fit */
		free(malloc(100000));
	p = malloc(40000);
	taken_by_other = address_of(p);
	free(p);
	return NULL;
}

/* Freed blocks of 8 KiB to 128 KiB (bigblocks) are kept by the thread's
 * hart slot for its next request of their pages or up to a quarter fewer
 * (mm/slob.c, "Kept bigblocks"): a 40000-byte block comes back for 36000
 * bytes, with its usable size; not for 24000. Another thread (another
 * slot) that keeps a block of its own does not get it, and the first
 * thread still does afterwards; a thread that keeps none takes it (a
 * producer whose blocks another thread frees). Kept in one place for the
 * whole heap under its lock, and only for the same number of pages, two
 * threads taking and freeing blocks of 16 bytes to 64 KiB took 4.41 s where
 * now 1.28 (glibc 0.62: docs/malloc.md). Not with zeroing on (nothing
 * kept). */
#pragma GCC diagnostic push
/* (GCC 12 takes each address read before its free for a use after it) */
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wuse-after-free"
#endif
static void kept_blocks_per_thread(void)
{
	uintptr_t first, again; /* (addresses of freed blocks: compared only) */
	void *a, *b, *c, *d, *e;
	pthread_t t;

	if (zeroing())
		return;
	malloc_trim(0); /* (no block kept from the cases before: each slot starts empty) */
	a = malloc(40000);
	first = address_of(a);
	free(a);
	b = malloc(36000);
	CHECK(address_of(b) == first && malloc_usable_size(b) >= 40000 - 16,
	      "a freed 40000-byte block serves 36000 bytes (%#lx, then %p, usable %zu)", (unsigned long)first, b,
	      malloc_usable_size(b));
	free(b);
	c = malloc(24000);
	CHECK(address_of(c) != first, "a freed 40000-byte block is not taken for 24000 bytes");
	free(c);
	d = malloc(40000); /* the first block again */
	again = address_of(d);
	free(d);
	if (pthread_create(&t, NULL, take_and_free, "own") || pthread_join(t, NULL)) {
		CHECK(0, "pthread_create");
		return;
	}
	e = malloc(40000);
	CHECK(taken_by_other != again && address_of(e) == again,
	      "a block freed by one thread is kept for it: another took %#lx, not %#lx; it took %p again",
	      (unsigned long)taken_by_other, (unsigned long)again, e);
	free(e);
	/* (a slot's blocks outlive its thread: none kept anywhere, then one) */
	malloc_trim(0);
	e = malloc(40000);
	again = address_of(e);
	free(e);
	if (pthread_create(&t, NULL, take_and_free, NULL) || pthread_join(t, NULL)) {
		CHECK(0, "pthread_create");
		return;
	}
	CHECK(taken_by_other == again, "a thread that keeps no block takes another's: %#lx, not %#lx",
	      (unsigned long)taken_by_other, (unsigned long)again);
}
#pragma GCC diagnostic pop

#define STAT_BLOCKS 8192

/* malloc_info(0, fp) writes glibc's XML from this heap: its system size is
 * mallinfo2's arena (glibc's own, reached when the library does not export
 * it, reports its unused arena: 0), and on slab caches 64-byte blocks just
 * freed show as free objects of the class 49..64, counted in "fast" (the
 * magazine) or "rest" (the slab). Other options: EINVAL returned and errno kept, as glibc 2.36 does. */
static void malloc_info_reports_the_heap(void)
{
	const char *backend = getenv("RVMM_MALLOC");
	int slab = !backend || strcmp(backend, "slob") != 0;
	char *xml = NULL, *at;
	size_t len = 0, current = 0, total = 0, count = 0;
	void *p[64];
	FILE *fp;
	int rc;

	for (int i = 0; i < 64; i++)
		p[i] = malloc(64);
	for (int i = 0; i < 64; i++)
		free(p[i]);
	fp = open_memstream(&xml, &len);
	rc = fp ? malloc_info(0, fp) : -1;
	if (fp)
		fclose(fp);
	at = xml ? strstr(xml, "<system type=\"current\" size=\"") : NULL;
	if (at)
		sscanf(at, "<system type=\"current\" size=\"%zu\"", &current);
	CHECK(rc == 0 && xml && strncmp(xml, "<malloc version=\"1\">", 20) == 0 && strstr(xml, "</malloc>") &&
		      current == mallinfo2().arena,
	      "malloc_info: glibc's XML with the heap's size (%zu, mallinfo2 %zu): '%.300s'", current,
	      mallinfo2().arena, xml ? xml : "(none)");
	at = xml ? strstr(xml, "<size from=\"49\" to=\"64\" ") : NULL;
	if (at)
		sscanf(at, "<size from=\"49\" to=\"64\" total=\"%zu\" count=\"%zu\"", &total, &count);
	if (slab)
		CHECK(count >= 64 && total == count * 64,
		      "malloc_info: the 64 blocks freed are free objects of the class 49..64 (count %zu, total %zu)",
		      count, total);
	free(xml);
	errno = ERANGE;
	rc = malloc_info(1, stdout);
	CHECK(rc == EINVAL && errno == ERANGE,
	      "malloc_info(1, ...): EINVAL returned, errno as it was, as glibc's (got %d, errno %d)", rc, errno);
}

static void statistics(void)
{
	static void *p[STAT_BLOCKS];
	struct mallinfo2 a, b, m, c;
	char text[8192];
	int trimmed;

	malloc_trim(0);
	a = mallinfo2();
	CHECK(a.arena >= 32u << 20 && a.arena == a.uordblks + a.fordblks && a.ordblks > 0,
	      "mallinfo2: arena %zu = in use %zu + free %zu, %zu free blocks", a.arena, a.uordblks,
	      a.fordblks, a.ordblks);
	for (int i = 0; i < STAT_BLOCKS; i++)
		p[i] = malloc(1000);
	b = mallinfo2();
	CHECK(b.uordblks >= a.uordblks + STAT_BLOCKS * 1000ul,
	      "mallinfo2 after %d x 1000 bytes: in use %zu, was %zu", STAT_BLOCKS, b.uordblks,
	      a.uordblks);
	for (int i = 0; i < STAT_BLOCKS; i++)
		free(p[i]);
	m = mallinfo2();
	trimmed = malloc_trim(0);
	c = mallinfo2();
	/* Back to where it started (SLOB gives empty pages back at once; the
	 * slab caches keep magazines and free slabs until trimmed), and 1
	 * whenever pages were given back (also when only free blocks merged
	 * and left the resident set: in use need not fall then). */
	CHECK(c.uordblks <= a.uordblks + 8192 && (trimmed == 1 || c.uordblks >= m.uordblks) &&
		      (trimmed == 0 || trimmed == 1),
	      "malloc_trim after the frees: returned %d, in use %zu (%zu before it, %zu at the start)",
	      trimmed, c.uordblks, m.uordblks, a.uordblks);
	/* (1000 bytes is kmalloc-1024's: a slab class unless RVMM_MALLOC=slob,
	 * or RVMM_MALLOC_HEAP=compact, which serves it from the SLOB heap) */
	if ((!getenv("RVMM_MALLOC") || strcmp(getenv("RVMM_MALLOC"), "slob") != 0) &&
	    (!getenv("RVMM_MALLOC_HEAP") || strcmp(getenv("RVMM_MALLOC_HEAP"), "compact") != 0))
		CHECK(m.uordblks > c.uordblks, "slab: the caches held pages for malloc_trim to give back");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	/* (saturated at INT_MAX: the heap passes 2 GiB when runs_reused's 1
	 * GiB-aligned blocks find the one at its start taken) */
	CHECK(mallinfo().arena == (int)(mallinfo2().arena < INT_MAX ? mallinfo2().arena : INT_MAX),
	      "mallinfo's arena is mallinfo2's, at most INT_MAX");
#pragma GCC diagnostic pop
	CHECK(stats_text(text, sizeof(text)) && strstr(text, "rvmm-malloc (") && strstr(text, " in use ") &&
		      strstr(text, "\nMemTotal: "),
	      "malloc_stats: a summary line and meminfo on standard error: '%.200s'", text);
	malloc_info_reports_the_heap();
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "oom") == 0)
		return oom_child();
	if (argc > 1 && strcmp(argv[1], "mix") == 0)
		return churn_child(&mix_churn);
	if (argc > 1 && strcmp(argv[1], "started") == 0)
		return started_child();
	if (argc > 1 && strcmp(argv[1], "datafill") == 0)
		return datafill_child();
	if (argc > 1 && strcmp(argv[1], "midsize") == 0)
		return churn_child(&midsize_churn);
	if (argc > 1 && strcmp(argv[1], "objects") == 0)
		return pairs_child("objects", 392, 272, OBJECTS);
	if (argc > 1 && strcmp(argv[1], "overflow") == 0)
		return overflow_child();
	if (argc > 1 && strcmp(argv[1], "tracked") == 0)
		return tracked_child();
	if (argc > 1 && strcmp(argv[1], "damaged") == 0)
		return damaged_child();
	if (argc > 1 && strcmp(argv[1], "pages") == 0)
		return pairs_child("pages", 4104, 4368, PAGE_BUFFERS);
	if (argc > 1 && strcmp(argv[1], "aligned") == 0)
		return aligned_child();
	if (argc > 1 && strcmp(argv[1], "bigblock") == 0)
		return bigblock_child();
	if (argc > 1 && strcmp(argv[1], "passing") == 0)
		return passing_child();
	if (argc > 1 && strcmp(argv[1], "trims") == 0)
		return trims_child();
	if (argc > 1 && strcmp(argv[1], "turns") == 0)
		return turns_child();
	if (argc > 1 && strcmp(argv[1], "nullfrees") == 0)
		return nullfrees_child();
	if (argc > 1 && strcmp(argv[1], "moving") == 0)
		return moving_child();
	if (argc > 1 && strcmp(argv[1], "bigzero") == 0)
		return bigzero_child();
	if (argc > 1 && strcmp(argv[1], "bigmix") == 0)
		return bigmix_child();
	if (argc > 1 && strcmp(argv[1], "bufchurn") == 0)
		return bufchurn_child();
	if (argc > 1 && strcmp(argv[1], "bigthreads") == 0)
		return bigthreads_child();
	if (argc > 1 && strcmp(argv[1], "mapped") == 0)
		return mapped_child();
	if (argc > 1 && strcmp(argv[1], "mallopt") == 0)
		return mallopt_child();
	if (argc > 1 && strcmp(argv[1], "mappedoom") == 0)
		return mappedoom_child();
	if (argc > 1 && strcmp(argv[1], "sparse") == 0)
		return sparse_child(argc > 2 ? atol(argv[2]) : 1);
	if (argc > 1 && strcmp(argv[1], "bigcycle") == 0)
		return bigcycle_child(argc > 2 ? atol(argv[2]) : 100000);
	if (argc > 1 && strcmp(argv[1], "appending") == 0)
		return appending_child();
	if (argc > 1 && strcmp(argv[1], "exits") == 0)
		return exits_child();
	if (argc > 1 && strcmp(argv[1], "limited") == 0)
		return limited_child();
	if (argc > 1 && strcmp(argv[1], "alloc") == 0) {
		sink = malloc(100);
		return sink == NULL;
	}
	/* "malloc-edge settings": tests/real/run.sh's runs under the heap
	 * classes check the contract under them, without the
	 * four page figures of big blocks the plain run of each backend
	 * checks (a third of the run's time); "malloc-edge all", as no
	 * argument, runs everything */
	bool settings = argc > 1 && strcmp(argv[1], "settings") == 0;

	if (argc > 1 && !settings && strcmp(argv[1], "all") != 0) {
		fprintf(stderr, "malloc-edge: unknown mode '%s'\n", argv[1]);
		return 2;
	}
	counts_while_pages_move(); /* first: the heap grows while it runs */
	basics();
	alignment();
	aligned();
	aligned_sizes();
	aligned_among_free_rows();
	reallocs();
	if (!settings)
		calloc_lazy();
	calloc_reuse();
	calloc_zeroes_usable();
	trim_small_frees();
	if (!settings)
		big_buffers_keep_pages();
	realloc_growth();
	realloc_shrink_gives_back();
	big_blocks_mixed();
	midsize_blocks_stay_low();
	buffer_moving_among_small();
	if (!settings)
		big_blocks_reused();
	string_appended_beside_array();
	objects_like_jq();
	page_buffers_like_sqlite();
	check_finds_damage();
	debug_finds_overflow();
	zeroing_leaves_fresh_ram();
	zeroing_big_blocks_stays_lazy();
	data_limit_filled();
	debug_names_callers();
	aligned_doubled();
	bigblock_grows_in_place();
	block_passes_4mib_in_place();
	bad_frees();
	errno_kept_on_locked_pages();
	threads();
	every_call_on_threads();
	generations();
	forks();
	atfork_allocating();
	forks_while_threads_allocate();
	trims_while_threads_allocate();
	turns_on_a_shared_slot();
	null_frees_share_nothing();
	kept_blocks_per_thread();
	runs_reused();
	env_and_oom();
	mapped_blocks_outside_heap();
	if (!settings)
		address_space_limit();
	leases_end_with_threads();
	statistics();
	printf("edge: %d checks, %d failed\n", checks, failed);
	return failed != 0;
}
