/*
 * handoff.c - blocks allocated by one thread and freed by another: a
 * producer mallocs 16 to 1015 bytes (16 to LARGEST), writes the first byte
 * and passes each block through a ring of 4096 slots to a consumer, which
 * frees it (a work queue's messages). Every free is of a block another
 * thread allocated.
 *
 *   handoff BLOCKS [LARGEST]
 *
 * Deterministic sizes (a fixed generator); the two threads spin on the
 * ring's indexes, so run it on a machine with two cpus and read its time
 * with /usr/bin/time (docs/malloc.md, "Where threads meet"). Built plainly
 * against glibc: run it under LD_PRELOAD to measure another malloc.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define RING 4096

static void *ring[RING];
static atomic_long produced, consumed;
static long blocks;
static unsigned int span = 1000; /* sizes 16 .. 16 + span - 1 */

static void *producer(void *arg)
{
	unsigned int seed = 1;

	for (long i = 0; i < blocks; i++) {
		while (i - atomic_load_explicit(&consumed, memory_order_acquire) >= RING)
			;
		seed = seed * 1103515245u + 12345u;
		char *p = malloc(16 + (seed >> 16) % span);
		if (!p) {
			fprintf(stderr, "handoff: malloc failed\n");
			exit(1);
		}
		p[0] = 1;
		ring[i % RING] = p;
		atomic_store_explicit(&produced, i + 1, memory_order_release);
	}
	return arg;
}

static void *consumer(void *arg)
{
	for (long i = 0; i < blocks; i++) {
		while (atomic_load_explicit(&produced, memory_order_acquire) <= i)
			;
		free(ring[i % RING]);
		atomic_store_explicit(&consumed, i + 1, memory_order_release);
	}
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t p, c;

	blocks = argc == 2 || argc == 3 ? atol(argv[1]) : 0;
	if (argc == 3)
		span = (unsigned int)atol(argv[2]) - 15;
	if (blocks < 1 || span < 1 || span > 65536) {
		fprintf(stderr, "usage: handoff BLOCKS [LARGEST(16..65551)]\n");
		return 2;
	}
	if (pthread_create(&p, NULL, producer, NULL) || pthread_create(&c, NULL, consumer, NULL)) {
		fprintf(stderr, "handoff: pthread_create failed\n");
		return 1;
	}
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	return 0;
}
