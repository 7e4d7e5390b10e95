/*
 * malloc.c - the memory manager's port (mm/port.h) inside
 * build/librvmm-malloc.so, the malloc that runs programs on rvmm's kmalloc
 * (malloc/shim.c, docs/malloc.md).
 *
 * It differs from the host port of the tests (port/host.c) in what running
 * inside another program's allocator demands: nothing here may call malloc
 * or stdio (kprintf goes to file descriptor 2 with write, panic writes and
 * aborts), and threads are not numbered by the program but lease hart slots
 * (port/malloc.h): the first call into mm/ on a thread takes the slot with
 * the fewest threads, a key destructor gives it back when the thread ends,
 * and each slot's lock is held around every operation, so two threads that
 * share a slot take turns. this_cpu() is the calling thread's slot, kept
 * with its per-hart base in thread-locals (port/host_common.c).
 * port_release_free_block gives large free blocks back to the system.
 *
 * fork: the prepare handler takes every slot's lock, so no thread is inside
 * mm/ (holding a zone, cache or heap lock) when the child is made; both
 * sides then release them, and in the child only the forking thread leases.
 *
 * Code addresses (the tracks of RVMM_MALLOC_DEBUG=U, page_owner's and
 * vmalloc's callers) are named by the file mapped there and the address in
 * that file, read from /proc/self/maps: ksym_lookup, below.
 *
 * There is no paging (vmalloc and vmap fail): those calls, the per-hart
 * areas and the clock are port/host_common.c, shared with the tests' port.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <lib/kstring.h>
#include <lib/parse.h>
#include <mm/port.h>
#include "malloc.h"

struct hart_slot hart_slots[MAX_HARTS];
__thread struct hart_slot *hart_mine __attribute__((tls_model("initial-exec")));
__thread bool hart_fork_holder __attribute__((tls_model("initial-exec")));

static pthread_key_t lease_key;
static int lease_key_state; /* 0: none, 1: being made, 2: made */

/* (errno is left as it was: a bad free's report must not change it, even
 * with standard error closed.) */
void port_malloc_stderr_sink(const char *s, size_t n)
{
	int saved = errno;

	while (n) {
		ssize_t w = write(2, s, n);

		if (w <= 0)
			break;
		s += w;
		n -= (size_t)w;
	}
	errno = saved;
}

void port_malloc_vdie(const char *prefix, const char *fmt, va_list ap)
{
	char msg[KPRINTF_MAX];
	int n = kvsnprintf(msg, sizeof(msg), fmt, ap);

	port_malloc_stderr_sink(prefix, strlen(prefix));
	port_malloc_stderr_sink(msg, n < 0 ? 0 : MIN((size_t)n, sizeof(msg) - 1));
	port_malloc_stderr_sink("\n", 1);
	abort();
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	port_malloc_vdie("rvmm-malloc: Kernel panic: ", fmt, ap);
}

void warn_slowpath(const char *file, int line, const char *cond)
{
	kprintf("WARNING: %s:%d: %s\n", file, line, cond);
}

/* ---- hart leases ---- */

/* The thread is ending: its slot has one lessee less. The thread keeps
 * hart_mine and goes on using the slot, under its lock like any sharer,
 * for the frees glibc makes after the key destructors (strerror's and
 * dlerror's buffers, the resolver's state: __libc_thread_freeres). Taking
 * a new lease there instead counted the thread on a slot for good, since
 * no destructor runs after those: 100 threads that each called strerror
 * of an unknown number left every slot counted 12 or 13 times, and live
 * threads were then put on a slot together while others stood empty. */
static void lease_end(void *value)
{
	int s = (int)(uintptr_t)value - 1;

	if (s >= 0 && s < MAX_HARTS)
		__atomic_sub_fetch(&hart_slots[s].lessees, 1, __ATOMIC_RELAXED);
}

/* The key whose destructor ends a thread's lease, made once. */
static bool lease_key_ready(void)
{
	int state = __atomic_load_n(&lease_key_state, __ATOMIC_ACQUIRE), zero = 0;

	if (state == 2)
		return true;
	if (state == 0 && __atomic_compare_exchange_n(&lease_key_state, &zero, 1, false,
						      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (pthread_key_create(&lease_key, lease_end) == 0) {
			__atomic_store_n(&lease_key_state, 2, __ATOMIC_RELEASE);
			return true;
		}
		__atomic_store_n(&lease_key_state, 0, __ATOMIC_RELEASE);
	}
	return false; /* another thread is making it: this lease is not given back */
}

struct hart_slot *hart_lease(void)
{
	unsigned int best = 0;

	for (unsigned int s = 1; s < MAX_HARTS; s++)
		if (__atomic_load_n(&hart_slots[s].lessees, __ATOMIC_RELAXED) <
		    __atomic_load_n(&hart_slots[best].lessees, __ATOMIC_RELAXED))
			best = s;
	__atomic_add_fetch(&hart_slots[best].lessees, 1, __ATOMIC_RELAXED);
	hart_mine = &hart_slots[best];
	port_host_set_this_cpu(best);
	/* (Set before: pthread_setspecific may itself allocate.) */
	if (lease_key_ready())
		pthread_setspecific(lease_key, (void *)(uintptr_t)(best + 1));
	return &hart_slots[best];
}

/* Take the locks of the slots in @want (a bit per slot): each pass takes
 * the ones that are free, until all are held or @most passes are done; with
 * no limit (@most 0) yielding now and then as spin_lock does. Returns the
 * slots held. */
static unsigned long take_slots(unsigned long want, unsigned int most)
{
	unsigned long held = 0;

	for (unsigned int pass = 1; held != want && (!most || pass <= most); pass++) {
		for (unsigned int s = 0; s < MAX_HARTS; s++)
			if ((want & ~held & 1ul << s) && spin_trylock(&hart_slots[s].lock))
				held |= 1ul << s;
		if (!most && held != want && pass % SPIN_YIELD_EVERY == 0)
			sched_yield();
	}
	return held;
}

static void release_slots(unsigned long held)
{
	for (unsigned int s = 0; s < MAX_HARTS; s++)
		if (held & 1ul << s)
			spin_unlock(&hart_slots[s].lock);
}

#define ALL_SLOTS ((1ul << MAX_HARTS) - 1)

/*
 * Take every slot's lock (take_slots, in passes). The threads of the slots
 * taken wait, so the slots still missing are the only ones whose threads
 * run on. Taking them in order, waiting on each, let the threads of all
 * the later slots go on taking theirs meanwhile: with 8 threads allocating
 * on 2 cpus, 100 forks spent 16 to 20 s in this handler (glibc's whole
 * fork: 0.8 to 1.9 s), now 2.5 to 4 s in fork(). And every slot is marked
 * first (owed), so a thread that leaves mm/ does not take its lock
 * again at its next hart_enter but waits for the fork: a thread whose
 * calls hold the lock long (big blocks: runs, madvise) left the passes
 * only a moment between its calls, and a fork took 0.2 to 1 s (glibc's
 * 0.02) while five such threads ran. (The mark is read with the lock, in
 * the entry's one compare-and-swap: slot_take.)
 */
static void fork_prepare(void)
{
	for (int s = 0; s < MAX_HARTS; s++)
		__atomic_add_fetch(&hart_slots[s].owed, 1, __ATOMIC_RELAXED);
	take_slots(ALL_SLOTS, 0);
	hart_fork_holder = true;
}

static void fork_parent(void)
{
	hart_fork_holder = false;
	for (int s = 0; s < MAX_HARTS; s++)
		__atomic_sub_fetch(&hart_slots[s].owed, 1, __ATOMIC_RELEASE);
	release_slots(ALL_SLOTS);
}

/*
 * The lock of @slot was taken, or owed to other threads. First as any
 * spinlock's waiter: polls, taking it if it comes free and is owed to no
 * one, a yield every SPIN_YIELD_EVERY; after SLOT_OWED_AFTER yields, wait
 * until none is owed it and be owed it until taken. A thread leaving mm/
 * that enters again at once sees the debt and waits, so a waiter's turn
 * comes after the call in progress. Taking the lock as it came free, a
 * thread that allocates in a loop had it again at once after each call,
 * and its sharer waited for the moment it was descheduled between calls:
 * malloc_trim took up to 2.5 s a call with 10 threads allocating on 2 cpus
 * (over 100 s for 100 calls on a slower machine), pthread_create in a
 * thread sharing a slot with a busy one up to 5 s, and on one cpu such a
 * thread's 500 pairs gave the cpu up 90 to 170 times in the worst of 12
 * rounds where now 2 to 7 (tests/real/edge.c turns_on_a_shared_slot). Owed the
 * lock at once, without the yields first, threads sharing slots handed it
 * over at every contended entry, whether or not the waiter was running to
 * take it: 16, 32 and 64 threads allocating on 2 cpus took 21, 40 and 60%
 * longer than taking it as it came free, and with the yields 11, 19 and 38%
 * (glibc: 21% longer, 16% longer, and 44% longer to 2.7 times as long).
 */
#define SLOT_OWED_AFTER 4 /* yields */

void hart_enter_contended(struct hart_slot *slot)
{
	for (unsigned int polls = 1; polls <= SLOT_OWED_AFTER * SPIN_YIELD_EVERY; polls++) {
		if (!__atomic_load_n(&slot->lock_owed, __ATOMIC_RELAXED) && slot_take(slot))
			return;
		if (polls % SPIN_YIELD_EVERY == 0)
			sched_yield();
	}
	while (__atomic_load_n(&slot->owed, __ATOMIC_ACQUIRE))
		sched_yield();
	__atomic_add_fetch(&slot->owed, 1, __ATOMIC_RELAXED);
	spin_lock(&slot->lock);
	__atomic_sub_fetch(&slot->owed, 1, __ATOMIC_RELAXED);
}

/* The child's only thread is the forking one: no other is owed a lock. */
static void fork_child(void)
{
	hart_fork_holder = false;
	for (int s = 0; s < MAX_HARTS; s++) {
		hart_slots[s].lessees = &hart_slots[s] == hart_mine;
		__atomic_store_n(&hart_slots[s].owed, 0, __ATOMIC_RELEASE);
	}
	release_slots(ALL_SLOTS);
}

void hart_fork_handlers(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

/* ---- the port ---- */

/* The heap's free blocks of 1 MiB and more are given back to the system
 * (in batches, below): the next write to their pages brings in zeroed
 * ones, so a program's resident memory falls after it frees large blocks,
 * as with glibc's munmap of its mmapped chunks. port_malloc_releases
 * counts the calls. */
unsigned long port_malloc_releases;

/* Each zone keeps its newest such blocks from the system (mm/port.h), up
 * to ZONE_KEPT blocks and 32 MiB or twice its bytes in use if that is more:
 * a program that frees and takes back a big buffer in a loop keeps its
 * pages, as in glibc's heap, where releasing each free made every reuse
 * fault them in again (a 1 MiB buffer: 8.7 s against glibc's 0.05 for
 * 20000 rounds). They go back as newer ones push them out, and at
 * malloc_trim (mm/page_alloc.c, "Releases"). */
unsigned long port_release_keep = 32ul << 20;
/* Slab and SLOB pages in pageblocks of their own (mm/page_alloc.c,
 * "Grouping by use"): a buffer moving as it grows leaves holes that merge
 * back instead of holes small objects' pages fill. */
bool port_group_pages_by_use = true;
bool port_new_ram_zeroed = true; /* the heap's RAM: fresh anonymous mappings */
/* Bigblocks placed low, where the heap's pages are resident already
 * (mm/page_alloc.c, best_stretch). */
bool port_fit_lowest = true;

bool heap_drop_pages(uintptr_t start, uintptr_t end)
{
	uintptr_t a = ALIGN_UP(start, PAGE_SIZE), b = ALIGN_DOWN(end, PAGE_SIZE);
	int saved = errno;
	bool dropped;

	if (b <= a)
		return true;
	dropped = madvise((void *)a, b - a, MADV_DONTNEED) == 0;
	errno = saved;
	return dropped;
}

/*
 * Zeroing (calloc's, and the page allocator's for __GFP_ZERO,
 * init_on_alloc= and init_on_free=): of ZERO_LAZY_MIN bytes or more, each
 * run of resident pages (mincore) is written and each run of others
 * dropped (heap_drop_pages; a page swapped out is dropped too). So zeroing
 * a big block adds nothing to the resident set: a big calloc the program
 * touches sparsely stays out of it, as the fresh mmap behind glibc's; a
 * realloc that moved a big block under init_on_free does not fault in
 * again the pages its move dropped to zero them; and a block still
 * resident is cleared in place (dropping those pages too made a program
 * that reuses a 500 KiB calloc fault every one in again: 12 times glibc's
 * page faults, 2.8 times its time). A page that leaves the resident set
 * between the look and the write is written (faulted in) all the same; one
 * that enters it is dropped: zeros either way. errno is left as it was.
 */
#define ZERO_LOOK_PAGES 512	    /* pages mincore looks at per call */

void port_zero_pages(void *addr, unsigned long size)
{
	uintptr_t a = (uintptr_t)addr, b = a + size;
	unsigned char resident[ZERO_LOOK_PAGES];
	int saved = errno;

	if (size < ZERO_LAZY_MIN) {
		memset(addr, 0, size);
		return;
	}
	while (a < b) {
		size_t n = MIN((b - a) / PAGE_SIZE, (size_t)ZERO_LOOK_PAGES);

		if (mincore((void *)a, n * PAGE_SIZE, resident) != 0)
			memset(resident, 0, n); /* unknown: drop them all */
		for (size_t i = 0; i < n;) {
			size_t j = i;
			int in = resident[i] & 1;

			while (j < n && (resident[j] & 1) == in)
				j++;
			if (in || !heap_drop_pages(a + i * PAGE_SIZE, a + j * PAGE_SIZE))
				memset((void *)(a + i * PAGE_SIZE), 0, (j - i) * PAGE_SIZE);
			i = j;
		}
		a += n * PAGE_SIZE;
	}
	errno = saved;
}

/* (It runs inside free, which leaves errno as it was, as POSIX requires
 * and glibc does: madvise fails with EINVAL on locked pages, after mlock or
 * mlockall, and such a block simply stays resident.) */
void port_release_free_block(void *addr, unsigned long size)
{
	heap_drop_pages((uintptr_t)addr, (uintptr_t)addr + size);
	__atomic_add_fetch(&port_malloc_releases, 1, __ATOMIC_RELAXED);
}

/*
 * @fn on the calling thread as each slot whose lock it can take, each under
 * that lock, in at most HART_EACH_PASSES passes of trylocks over the slots
 * (no waiting, no yielding); returns how many slots it missed. A slot
 * missed had a thread inside mm/ at every try: its caches were in use.
 * Waiting for each lock in turn (on_each_cpu) could last seconds: a thread
 * that allocates in a loop gives its slot's lock back for a few
 * instructions between calls and takes it again at once, so the waiter
 * seldom saw it free; malloc_trim while 6 threads allocated took 28 to
 * 61 s for 20 calls, passes without a bound 10 to 12 s, and a bound of 512
 * passes yielding every 64 still 1 to 3 s with 12 threads (the yields).
 * The fork holder holds every lock already: @fn runs on every slot. A
 * caller must not be inside an operation (hart_enter).
 */
unsigned int hart_each_free_slot(void (*fn)(void *arg), void *arg)
{
	unsigned int me = this_cpu(), n = nr_online_cpus();
	unsigned long done = 0, all = (1ul << n) - 1;

	for (unsigned int pass = 1; done != all && pass <= HART_EACH_PASSES; pass++) {
		for (unsigned int cpu = 0; cpu < n; cpu++) {
			if ((done & 1ul << cpu) || (!hart_fork_holder && !spin_trylock(&hart_slots[cpu].lock)))
				continue;
			port_host_set_this_cpu(cpu);
			fn(arg);
			hart_exit(&hart_slots[cpu]);
			done |= 1ul << cpu;
		}
	}
	port_host_set_this_cpu(me);
	return n - (unsigned int)__builtin_popcountl(done);
}

/* The slots but @own. */
static unsigned long others_of(const struct hart_slot *own)
{
	return ALL_SLOTS & ~(1ul << (own - hart_slots));
}

bool hart_hold_others(const struct hart_slot *own)
{
	unsigned long held = take_slots(others_of(own), HART_EACH_PASSES);

	if (held == others_of(own))
		return true;
	release_slots(held); /* (a fork or a trim holds some: give way) */
	return false;
}

void hart_release_others(const struct hart_slot *own)
{
	release_slots(others_of(own));
}

/*
 * @fn on the calling thread as the first slot whose lock it takes, its own
 * first, in passes as hart_each_free_slot; if none was free in
 * HART_EACH_PASSES passes, as its own slot (hart_enter: its turn comes
 * after the call in progress). A caller must not be inside an operation.
 */
void hart_on_free_slot(void (*fn)(void *arg), void *arg)
{
	struct hart_slot *own = hart_mine ? hart_mine : hart_lease();
	unsigned int me = this_cpu(), n = nr_online_cpus(), at = me;

	for (unsigned int pass = 1; !hart_fork_holder && pass <= HART_EACH_PASSES; pass++) {
		for (unsigned int i = 0; i < n; i++) {
			at = (me + i) % n;
			if (spin_trylock(&hart_slots[at].lock))
				goto run;
		}
	}
	at = me;
	hart_enter(own);
run:
	port_host_set_this_cpu(at);
	fn(arg);
	hart_exit(&hart_slots[at]);
	port_host_set_this_cpu(me);
}

/* Every slot in turn on the calling thread, each under its lock. mm/ does
 * not call it; a caller must not be inside an operation (hart_enter). */
void on_each_cpu(void (*fn)(void *arg), void *arg)
{
	unsigned int me = this_cpu();

	for (unsigned int cpu = 0; cpu < nr_online_cpus(); cpu++) {
		hart_enter(&hart_slots[cpu]);
		port_host_set_this_cpu(cpu);
		fn(arg);
		hart_exit(&hart_slots[cpu]);
	}
	port_host_set_this_cpu(me);
}

/* ---- code addresses: /proc/self/maps ----------------------------------- */

/* One line of /proc/self/maps: "START-END PERMS OFFSET DEV INODE [PATH]". */
struct map_line {
	unsigned long start, end, offset;
	bool readable;
	const char *path; /* "" for an anonymous mapping */
};

static const char *skip_field(const char *s)
{
	while (*s && *s != ' ')
		s++;
	while (*s == ' ')
		s++;
	return s;
}

/* Parse the line [s, end); false when it is not of that form. */
static bool parse_map_line(const char *s, const char *end, struct map_line *m)
{
	u64 start, stop, offset;

	if (parse_u64_digits(s, end, 16, &start, &s) || *s != '-' ||
	    parse_u64_digits(s + 1, end, 16, &stop, &s))
		return false;
	s = skip_field(s); /* the end's space */
	m->readable = *s == 'r';
	s = skip_field(s); /* the permissions */
	if (parse_u64_digits(s, end, 16, &offset, &s))
		return false;
	m->start = start;
	m->end = stop;
	m->offset = offset;
	m->path = skip_field(skip_field(skip_field(s))); /* device, inode */
	return true;
}

/* The address in its file of @addr, which lies in a mapping of that file
 * whose first page (file offset 0) is mapped at @base: what addr2line -e
 * FILE takes. A position-independent file (a library, a PIE program) has
 * its addresses from 0 at @base; a program linked at fixed addresses
 * (ELF type ET_EXEC) has them as they are. */
static unsigned long file_address(unsigned long addr, unsigned long base)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;

	return eh->e_ident[EI_MAG0] == ELFMAG0 && eh->e_type == ET_EXEC ? addr : addr - base;
}

/*
 * No function names here (a program's symbols are in its file, not
 * loaded): the name given is the path of the file mapped at @addr and
 * *@offset the address in that file, so a report reads
 * "/usr/bin/prog+0x1f2a3" and `addr2line -f -e /usr/bin/prog 0x1f2a3`
 * names the function and line. NULL for an address outside any file
 * (anonymous memory: code a program generated). /proc/self/maps is read
 * with plain system calls, a page at a time, with no lock taken: this
 * runs inside reports, with mm/'s locks held and the program's other
 * threads possibly inside the dynamic linker. The name is the calling
 * thread's, valid until its next call.
 */
const char *ksym_lookup(unsigned long addr, unsigned long *offset)
{
	static __thread char found[256] __attribute__((tls_model("initial-exec")));
	char buf[4096 + 512], base_path[sizeof(found)] = "";
	unsigned long base = 0;
	size_t have = 0;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return NULL;
	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		char *line = buf, *nl;

		have += (size_t)n;
		buf[have] = 0;
		while ((nl = strchr(line, '\n'))) {
			struct map_line m;
			bool ok;

			*nl = 0;
			ok = parse_map_line(line, nl, &m);
			line = nl + 1;
			if (!ok)
				continue;
			if (m.offset == 0 && m.path[0] == '/' && m.readable) { /* a file's first page */
				base = m.start;
				kstrlcpy(base_path, m.path, sizeof(base_path));
			}
			if (addr < m.start || addr >= m.end)
				continue;
			close(fd);
			if (m.path[0] != '/' || !base || strcmp(m.path, base_path))
				return NULL; /* (no readable first page of it seen: its ELF header unknown) */
			kstrlcpy(found, m.path, sizeof(found));
			*offset = file_address(addr, base);
			return found;
		}
		have = (size_t)(buf + have - line); /* a line not yet whole */
		if (have >= sizeof(buf) - 1)
			have = 0; /* (longer than any line the kernel writes: dropped) */
		memmove(buf, line, have);
	}
	close(fd);
	return NULL;
}
