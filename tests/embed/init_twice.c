/*
 * init_twice.c - a host program that calls mm_init a second time
 * (docs/embedding.md: once, on one hart). The second call would build the
 * node afresh over memory in use, forgetting every block and cache; it
 * must panic naming the cause instead. The first bring-up and a kmalloc
 * run here; the second mm_init runs in a child process (fork), whose
 * output comes back through a pipe: it must die of the panic's abort with
 * "mm_init: called a second time" on its output, and the block kmalloc'ed
 * before it must be untouched in the parent. Prints "init-twice: passed"
 * last when so. tests/qemu/embed-outside.sh builds it against
 * build/host/librvmm.a and the host port and runs it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mm/kmalloc.h>
#include <mm/memblock.h>
#include <mm/mm.h>
#include <mm/mm_init.h>
#include <mm/mmzone.h>

#define RAM_PHYS 0x80000000ul
#define RAM_SIZE (8ul << 20)

static const struct mm_image no_image; /* the program is not in that RAM */

/* mm_init over @ram, RAM_SIZE bytes at RAM_PHYS. */
static void bring_up(void *ram)
{
	static struct memblock mb;

	va_pa_offset = (uintptr_t)ram - RAM_PHYS;
	memblock_init(&mb);
	if (memblock_add(&mb, RAM_PHYS, RAM_SIZE))
		exit(1);
	mm_init(&mb, &no_image);
}

/* The second mm_init in a child, over fresh memory; its wait status, and
 * its output in @out (NUL terminated). */
static int second_init_in_child(char *out, size_t size)
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
		void *ram = aligned_alloc(PAGE_SIZE, RAM_SIZE);

		close(fds[0]);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		if (ram)
			bring_up(ram);
		printf("init-twice: the second mm_init returned\n");
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
	void *ram = aligned_alloc(PAGE_SIZE, RAM_SIZE);
	char out[4096];
	bool ok = true;
	int status;
	char *p;

	if (!ram)
		return 1;
	bring_up(ram);
	p = kmalloc(100, GFP_KERNEL);
	if (!p)
		return 1;
	memset(p, 0x5a, 100);
	status = second_init_in_child(out, sizeof(out));
	if (!(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT) ||
	    !strstr(out, "mm_init: called a second time")) {
		printf("init-twice: FAILED: the second mm_init did not panic (wait status %#x); its output:\n%s",
		       (unsigned int)status, out);
		ok = false;
	}
	for (int i = 0; i < 100; i++)
		ok = ok && p[i] == 0x5a;
	kfree(p);
	ok = ok && node_check(mem_node) == 0;
	printf("init-twice: %s\n", ok ? "passed" : "FAILED");
	return ok ? 0 : 1;
}
