/*
 * before_init.c - a host program that calls the memory manager's entry
 * points before mm_init (docs/embedding.md, "Bringing it up"). Each must
 * panic naming the cause ("kmalloc called before mm_init", ...), not load
 * through a NULL pointer: the static state routes the fast paths (kmalloc's
 * and kmem_cache's magazine pops, the page allocator's order-0 stack) to
 * their slow paths, where the check is. Each call runs in a child process
 * (fork) whose output comes back through a pipe: it must die of the panic's
 * abort with that message on its output. Prints "before-init: passed" last
 * when every case did. tests/qemu/embed-outside.sh builds it against
 * build/host/librvmm.a and the host port and runs it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lib/cmdline.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/slab.h>
#include <mm/vmalloc.h>

static volatile size_t size_100 = 100; /* not a constant: __kmalloc */

static void call_kmalloc_const(void)
{
	kmalloc(64, GFP_KERNEL); /* the inline magazine pop */
}

static void call_kmalloc(void)
{
	kmalloc(size_100, GFP_KERNEL);
}

static void call_kmalloc_big(void)
{
	kmalloc(size_100 * 1000, GFP_KERNEL); /* above the caches: the heap */
}

static void call_kzalloc(void)
{
	kzalloc(size_100, GFP_KERNEL);
}

static void call_kmalloc_slob(void)
{
	cmdline_parse_boot("kmalloc=slob"); /* SLOB's heap serves every size */
	kmalloc(64, GFP_KERNEL);
}

static void call_kmem_cache(void)
{
	struct kmem_cache *c = kmem_cache_create("early", 64, 0, 0, NULL);

	kmem_cache_alloc(c, GFP_KERNEL);
}

static void call_kfree(void)
{
	static char not_kmalloc[64];

	kfree(not_kmalloc);
}

static void call_vmalloc(void)
{
	vmalloc(1 << 20);
}

static void call_alloc_page(void)
{
	alloc_pages(GFP_KERNEL, 0); /* the inline order-0 pop */
}

static void call_alloc_pages(void)
{
	alloc_pages(GFP_KERNEL, 3);
}

static void call_get_free_page(void)
{
	__get_free_pages(GFP_KERNEL, 0);
}

static const struct {
	const char *name;
	void (*call)(void);
	const char *message;
} cases[] = {
	{ "kmalloc(64)", call_kmalloc_const, "kmalloc called before mm_init" },
	{ "kmalloc(100)", call_kmalloc, "kmalloc called before mm_init" },
	{ "kmalloc(100000)", call_kmalloc_big, "kmalloc called before mm_init" },
	{ "kmalloc(64) with kmalloc=slob", call_kmalloc_slob, "kmalloc called before mm_init" },
	{ "kzalloc", call_kzalloc, "kmalloc called before mm_init" },
	{ "kmem_cache_create/alloc", call_kmem_cache, "kmem_cache_create called before mm_init" },
	{ "kfree", call_kfree, "kfree called before mm_init" },
	{ "vmalloc", call_vmalloc, "vmalloc called before mm_init" },
	{ "alloc_pages order 0", call_alloc_page, "alloc_pages called before mm_init" },
	{ "alloc_pages order 3", call_alloc_pages, "alloc_pages called before mm_init" },
	{ "__get_free_pages", call_get_free_page, "alloc_pages called before mm_init" },
};

/* @call in a child; its wait status, and its output in @out (NUL terminated). */
static int in_child(void (*call)(void), char *out, size_t size)
{
	int fds[2], status = -1;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fds))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		call();
		printf("the call returned\n");
		fflush(stdout);
		_exit(0);
	}
	close(fds[1]);
	while (pid > 0 && len < size - 1 && (n = read(fds[0], out + len, size - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(fds[0]);
	if (pid > 0 && waitpid(pid, &status, 0) != pid)
		status = -1;
	return status;
}

int main(void)
{
	char out[4096];
	bool ok = true;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int status = in_child(cases[i].call, out, sizeof(out));
		bool aborted = status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;

		if (aborted && strstr(out, cases[i].message)) {
			printf("before-init: %s: panicked: %s\n", cases[i].name, cases[i].message);
			continue;
		}
		printf("before-init: %s: FAILED: wanted a panic with '%s' (wait status %#x); its output:\n%s",
		       cases[i].name, cases[i].message, (unsigned int)status, out);
		ok = false;
	}
	printf("before-init: %s\n", ok ? "passed" : "FAILED");
	return ok ? 0 : 1;
}
