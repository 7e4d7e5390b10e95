/*
 * cpu_share_test.c - two threads inside mm/ as one cpu (suite "cpu_share").
 * mm/'s per-hart state (the slab magazines) has no lock of its own; on the
 * host a thread is cpu 0 until host_set_cpu, and two threads running mm/
 * code as one cpu at once would corrupt it. The host port's irq_save
 * claims the cpu for its thread (include/mm/port.h, "Sections"), so the
 * second thread inside panics instead, naming the cpu and the fix.
 *
 * Each case runs in a child process (fork) over fake RAM of its own, its
 * output (stdout and stderr) piped back: a panic aborts the child, and the
 * parent checks how it ended and what it printed.
 *   - a thread held inside mm/ as cpu 3 (in a slab constructor, which runs
 *     inside kmem_cache_alloc's section) while a second thread kmallocs as
 *     cpu 4 (served: the claim is per cpu) and then as cpu 3: the panic,
 *     every time;
 *   - two threads of cpu 0 that kmalloc and kfree in a loop (a program that
 *     forgot host_set_cpu): the panic, long before the loops end.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <tests/ktest.h>
#include <mm/kmalloc.h>
#include <mm/slab.h>
#include "fakeram.h"
#include "host.h"

#define RAM 0x80000000ull
#define RAM_SIZE (16ull << 20)

/* Fake RAM and kmalloc's caches made afresh (the child's own: it never
 * gives them back). False when the node cannot be built. */
static bool child_mm_init(void)
{
	if (!fakeram_simple(RAM, RAM_SIZE, &(struct zone_limits){ 0, 0x100000, false }))
		return false;
	memset(kmalloc_caches, 0, sizeof(kmalloc_caches));
	kmalloc_set_backend(KMALLOC_SLAB);
	kmalloc_init();
	return true;
}

/* Run @body in a child process with its stdout and stderr in @out (up to
 * @size - 1 bytes, NUL terminated); returns its wait status. The child
 * ends with _exit(0) when @body returns (no exit handlers: the sanitizers'
 * leak check would see the child's fake RAM), and after 60 s with SIGALRM
 * should it hang. */
static int cpu_share_child(void (*body)(void), char *out, size_t size)
{
	char rest[256];
	int fds[2], status = -1;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	out[0] = '\0';
	if (pipe(fds))
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		alarm(60);
		if (child_mm_init())
			body();
		else
			printf("cpu_share: no fake RAM\n");
		fflush(stdout);
		_exit(0);
	}
	close(fds[1]);
	/* Until the child has gone; what @out has no room for is read and
	 * dropped, so the child never blocks on a full pipe. */
	while (pid > 0) {
		bool room = len < size - 1;

		n = read(fds[0], room ? out + len : rest, room ? size - 1 - len : sizeof(rest));
		if (n <= 0)
			break;
		if (room)
			len += (size_t)n;
	}
	out[len] = '\0';
	close(fds[0]);
	if (pid > 0 && waitpid(pid, &status, 0) != pid)
		status = -1;
	return status;
}

static bool died_of_abort(int status)
{
	return status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

/* After a failed check: how the child ended and what it printed. */
static void show_child(struct ktest *t, int status, const char *out)
{
	if (t->failures)
		ktest_fail(t, __FILE__, __LINE__, "the child's wait status %#x, its output:\n%s",
			   (unsigned int)status, out);
}

/* ---- one thread held inside mm/, another calls kmalloc ---- */

static int held_inside; /* the constructor has been entered */

/* Runs inside kmem_cache_alloc's section (a new slab's objects are
 * constructed there) and never returns: its thread stays inside mm/. */
static void ctor_that_waits(void *obj)
{
	(void)obj;
	__atomic_store_n(&held_inside, 1, __ATOMIC_RELEASE);
	for (;;)
		pause();
}

static void *held_thread(void *arg)
{
	host_set_cpu(3);
	kmem_cache_alloc((struct kmem_cache *)arg, GFP_KERNEL);
	return NULL;
}

/* kmalloc as @cpu, and say whether it was served. */
static void kmalloc_as(unsigned int cpu)
{
	host_set_cpu(cpu);
	printf("cpu_share: kmalloc as cpu %u: %s\n", cpu, kmalloc(100, GFP_KERNEL) ? "served" : "NULL");
	fflush(stdout);
}

/* A thread held inside mm/ as cpu 3; this one kmallocs as cpu 4, then as
 * cpu 3. */
static void held_then_kmalloc(void)
{
	struct kmem_cache *c = kmem_cache_create("cpu-share-held", 64, 0, 0, ctor_that_waits);
	pthread_t held;

	if (!c || pthread_create(&held, NULL, held_thread, c)) {
		printf("cpu_share: no cache or no thread\n");
		return;
	}
	while (!__atomic_load_n(&held_inside, __ATOMIC_ACQUIRE))
		sched_yield();
	kmalloc_as(4);
	kmalloc_as(3);
}

static void second_thread_of_a_cpu_inside_panics(struct ktest *t)
{
	char out[4096];
	int status = cpu_share_child(held_then_kmalloc, out, sizeof(out));

	EXPECT(died_of_abort(status));
	EXPECT(strstr(out, "cpu_share: kmalloc as cpu 4: served\n") != NULL);
	EXPECT(strstr(out, "Kernel panic: cpu 3: two threads inside mm/ at once "
			   "(each thread needs its own cpu: host_set_cpu, docs/embedding.md)\n") != NULL);
	EXPECT(strstr(out, "cpu_share: kmalloc as cpu 3") == NULL);
	show_child(t, status, out);
}

/* ---- two threads of cpu 0 in a kmalloc/kfree loop ---- */

/* Each thread's calls: two threads of cpu 0 met after at most about a
 * million calls in all (docs/embedding.md, "Threads"). */
#define LOOPS (1ul << 24)

static void *loop_thread(void *arg)
{
	unsigned long seed = (unsigned long)(uintptr_t)arg;

	/* No host_set_cpu: both threads are cpu 0. */
	for (unsigned long i = 0; i < LOOPS; i++) {
		size_t size = 1 + (seed = seed * 6364136223846793005ull + 1) % 512;
		u8 *p = kmalloc(size, GFP_KERNEL);

		if (p)
			p[0] = (u8)i;
		kfree(p);
	}
	return NULL;
}

static void two_threads_loop(void)
{
	pthread_t a, b;

	if (pthread_create(&a, NULL, loop_thread, (void *)1) ||
	    pthread_create(&b, NULL, loop_thread, (void *)2)) {
		printf("cpu_share: no threads\n");
		return;
	}
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("cpu_share: both loops ended\n");
}

static void two_threads_without_host_set_cpu_panic(struct ktest *t)
{
	char out[4096];
	int status = cpu_share_child(two_threads_loop, out, sizeof(out));

	EXPECT(died_of_abort(status));
	EXPECT(strstr(out, "Kernel panic: cpu 0: two threads inside mm/ at once "
			   "(each thread needs its own cpu: host_set_cpu, docs/embedding.md)\n") != NULL);
	EXPECT(strstr(out, "cpu_share: both loops ended") == NULL);
	show_child(t, status, out);
}

KTEST_SUITE(cpu_share, KTEST_CASE(second_thread_of_a_cpu_inside_panics),
	    KTEST_CASE(two_threads_without_host_set_cpu_panic));
