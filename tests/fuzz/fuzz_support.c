/*
 * fuzz_support.c - the pieces of the host harness the fuzzers need besides
 * port/host.c, tests/host/host_support.c and fakeram.c (which tests/host/main.c would
 * otherwise provide), and quiet kprintf (fuzz.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mm/port.h>

#include "fuzz.h"
#include "../host/host.h"

/* host_support.c's host_load_dtb reads it (tests/host/main.c defines it for
 * the unit tests). */
const char *host_dtb_dir = "build/dtb";

#define RING_SIZE 16384

static char ring[RING_SIZE];
static size_t ring_pos;   /* next byte to write */
static bool ring_wrapped; /* the ring holds RING_SIZE bytes */

static void ring_sink(const char *s, size_t n)
{
	for (; n; s++, n--) {
		ring[ring_pos++] = *s;
		if (ring_pos == RING_SIZE) {
			ring_pos = 0;
			ring_wrapped = true;
		}
	}
}

void fuzz_quiet(void)
{
	static int verbose = -1;

	if (verbose < 0) {
		const char *v = getenv("FUZZ_VERBOSE");

		verbose = v && *v && strcmp(v, "0") != 0;
	}
	kprintf_set_sink(verbose ? port_host_stdout_sink : ring_sink);
	port_host_panic_hook = verbose ? NULL : fuzz_log_dump; /* what was kept, then the panic */
}

void fuzz_log_reset(void)
{
	ring_pos = 0;
	ring_wrapped = false;
}

void fuzz_log_dump(void)
{
	if (!ring_pos && !ring_wrapped)
		return;
	fprintf(stderr, "----- kernel output of this input%s -----\n",
		ring_wrapped ? " (its last 16 KiB)" : "");
	if (ring_wrapped)
		fwrite(ring + ring_pos, 1, RING_SIZE - ring_pos, stderr);
	fwrite(ring, 1, ring_pos, stderr);
	fprintf(stderr, "----- end of kernel output -----\n");
}

void fuzz_fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf_set_sink(port_host_stdout_sink);
	fuzz_log_dump();
	fprintf(stderr, "FUZZ FAILURE: %s\n", msg);
	fflush(stderr);
	abort();
}

unsigned long fuzz_free_blocks(fuzz_free_blocks_t nr_free)
{
	unsigned long managed = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++) {
		managed += mem_node->zones[z].managed_pages;
		for (int o = 0; o < MAX_ORDER; o++)
			nr_free[z][o] = mem_node->zones[z].free_area[o].nr_free;
	}
	FUZZ_CHECK(nr_free_pages() == managed, "free %lu != managed %lu at the start", nr_free_pages(),
		   managed);
	return managed;
}

void fuzz_check_node_restored(unsigned long free0, const fuzz_free_blocks_t nr_free0)
{
	node_drain_pages(mem_node);
	FUZZ_CHECK(nr_free_pages() == free0, "free pages %lu, %lu at the start", nr_free_pages(), free0);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		for (int o = 0; o < MAX_ORDER; o++)
			FUZZ_CHECK(mem_node->zones[z].free_area[o].nr_free == nr_free0[z][o],
				   "zone %d order %d: %lu free blocks, %lu at the start", z, o,
				   mem_node->zones[z].free_area[o].nr_free, nr_free0[z][o]);
	FUZZ_CHECK(node_check(mem_node) == 0, "node_check at the end");
}
