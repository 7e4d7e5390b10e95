/*
 * fakeram.c - a page-allocator node over host memory standing in for RAM
 * (see fakeram.h), and console capture for the mm tests.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fakeram.h"
#include "host.h"

/* The harness in use: a case that ended early (a failed ASSERT) leaves it
 * behind, and the next fakeram_new tears it down. */
static struct fakeram *fr_live;

/* The mapping of the last fakeram_done, kept for the next fakeram_new of
 * the same span (spans up to KEEP_SPAN): most cases of a suite stand on
 * the same RAM, and faulting its pages in again for each case was most of
 * their time. Handed out zeroed, as a fresh mapping is. */
#define KEEP_SPAN (128ull << 20)
static void *kept_va;
static u64 kept_span;

static void *map_ram(u64 span)
{
	void *va;

	if (kept_va && kept_span == span) {
		va = kept_va;
		kept_va = NULL;
		memset(va, 0, (size_t)span);
		return va;
	}
	if (kept_va)
		munmap(kept_va, (size_t)kept_span);
	kept_va = NULL;
	va = mmap(NULL, (size_t)span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return va == MAP_FAILED ? NULL : va;
}

static void unmap_ram(void *va, u64 span)
{
	if (span > KEEP_SPAN) {
		munmap(va, (size_t)span);
		return;
	}
	if (kept_va)
		munmap(kept_va, (size_t)kept_span);
	kept_va = va;
	kept_span = span;
}

struct fakeram *fakeram_new(u64 phys_base, u64 span)
{
	struct fakeram *fr;
	void *va;

	if (fr_live)
		fakeram_done(fr_live);
	host_set_cpu(0);
	fr = calloc(1, sizeof(*fr));
	if (!fr)
		return NULL;
	va = map_ram(span);
	if (!va) {
		free(fr);
		return NULL;
	}
	fr->phys_base = phys_base;
	fr->span = span;
	fr->va = va;
	fr->saved_va_pa_offset = va_pa_offset;
	fr->saved_mem_node = mem_node;
	va_pa_offset = (unsigned long)((uintptr_t)va - phys_base);
	memblock_init(&fr->mb);
	fr_live = fr;
	return fr;
}

int fakeram_node_init(struct fakeram *fr, const struct zone_limits *lim)
{
	fr->limits = *lim;
	fr->init_rc = node_init(&fr->node, &fr->mb, lim);
	if (fr->init_rc == 0)
		mm_set_node(&fr->node);
	return fr->init_rc;
}

/* dirt < 0: leave the bytes as they are. */
static struct fakeram *one_bank(u64 base, u64 size, const struct zone_limits *lim, int dirt)
{
	struct fakeram *fr = fakeram_new(base, size);

	if (!fr)
		return NULL;
	if (memblock_add(&fr->mb, base, size)) {
		fakeram_done(fr);
		return NULL;
	}
	if (dirt >= 0)
		fakeram_poison_free(fr, dirt);
	if (fakeram_node_init(fr, lim)) {
		fakeram_done(fr);
		return NULL;
	}
	return fr;
}

struct fakeram *fakeram_simple(u64 base, u64 size, const struct zone_limits *lim)
{
	return one_bank(base, size, lim, -1);
}

struct fakeram *fakeram_dirty(u64 base, u64 size, const struct zone_limits *lim, int dirt)
{
	return one_bank(base, size, lim, dirt);
}

struct fakeram *fakeram_around_4g(u64 bank_size, int dirt)
{
	struct fakeram *fr = fakeram_new(FAKERAM_LOW_BANK, FAKERAM_HIGH_BANK + bank_size - FAKERAM_LOW_BANK);

	if (!fr)
		return NULL;
	if (memblock_add(&fr->mb, FAKERAM_LOW_BANK, bank_size) ||
	    memblock_add(&fr->mb, FAKERAM_HIGH_BANK, bank_size)) {
		fakeram_done(fr);
		return NULL;
	}
	if (dirt >= 0)
		fakeram_poison_free(fr, dirt);
	if (fakeram_node_init(fr, &(struct zone_limits){ 0, FAKERAM_HIGH_BANK >> PAGE_SHIFT, false })) {
		fakeram_done(fr);
		return NULL;
	}
	return fr;
}

void fakeram_done(struct fakeram *fr)
{
	if (!fr)
		return;
	if (fr == fr_live)
		fr_live = NULL;
	va_pa_offset = fr->saved_va_pa_offset; /* before mm_set_node: the window depends on it */
	if (mem_node == &fr->node)
		mm_set_node(fr->saved_mem_node);
	unmap_ram(fr->va, fr->span);
	free(fr);
}

bool fakeram_covers(const struct fakeram *fr, u64 pa, u64 size)
{
	return pa >= fr->phys_base && size <= fr->span && pa - fr->phys_base <= fr->span - size;
}

void fakeram_poison_free(struct fakeram *fr, int byte)
{
	u64 cursor = 0, start, end;

	while (memblock_next_free(&fr->mb, &cursor, &start, &end))
		if (fakeram_covers(fr, start, end - start))
			memset(phys_to_virt(start), byte, (size_t)(end - start));
}

void fr_capture_start(struct fr_capture *c)
{
	FILE *tmp;

	fflush(stdout);
	tmp = tmpfile();
	c->tmp = tmp;
	c->saved_fd = dup(1);
	if (tmp)
		dup2(fileno(tmp), 1);
}

void fr_capture_end(struct fr_capture *c, char *buf, size_t size)
{
	FILE *tmp = c->tmp;
	size_t n = 0;

	fflush(stdout);
	dup2(c->saved_fd, 1);
	close(c->saved_fd);
	if (tmp) {
		rewind(tmp);
		n = fread(buf, 1, size - 1, tmp);
		fclose(tmp);
	}
	buf[n] = '\0';
}

static jmp_buf panic_jump;

static void panic_returns(void)
{
	longjmp(panic_jump, 1);
}

bool fr_catch_panic(void (*fn)(void *arg), void *arg, char *out, size_t size)
{
	struct fr_capture cap;
	volatile bool panicked = false;

	fr_capture_start(&cap);
	port_host_panic_hook = panic_returns;
	if (!setjmp(panic_jump))
		fn(arg);
	else
		panicked = true;
	port_host_panic_hook = NULL;
	fr_capture_end(&cap, out, size);
	return panicked;
}

int fr_count_substr(const char *hay, const char *needle)
{
	int n = 0;
	size_t len = strlen(needle);

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += len)
		n++;
	return n;
}

void fakeram_kmalloc_up(struct fakeram_kmalloc *k, int backend)
{
	k->heap = kmalloc_heap;
	k->backend = (int)kmalloc_backend;
	memcpy(k->caches, kmalloc_caches, sizeof(k->caches));
	memset(kmalloc_caches, 0, sizeof(kmalloc_caches));
	kmalloc_set_backend((enum kmalloc_backend)backend);
	kmalloc_init();
}

int fakeram_kmalloc_down(struct fakeram_kmalloc *k)
{
	int problems;

	for (int i = 0; i < KMALLOC_NR_CACHES; i++)
		if (kmalloc_caches[i])
			kmalloc_destroy_cache(i);
	problems = slob_heap_destroy(&kmalloc_heap);
	kmalloc_heap = k->heap;
	memcpy(kmalloc_caches, k->caches, sizeof(k->caches));
	kmalloc_set_backend((enum kmalloc_backend)k->backend);
	return problems;
}
