/*
 * randloop.c - a random-size malloc/free loop, the allocator's worst case:
 * each thread keeps 256 slots and, per operation, frees a random slot and
 * fills it again with 16 to 1015 bytes (16 to LARGEST), so every size class
 * sees allocations and frees in a random walk and per-thread caches keep
 * spilling to and refilling from what the threads share.
 *
 *   randloop THREADS OPERATIONS [LARGEST]
 *
 * OPERATIONS are split evenly between the threads. Deterministic (each
 * thread's generator is seeded by its number), so callgrind's instruction
 * count of a run is the same every time (tests/real/realbench-smoke.sh);
 * with threads, /usr/bin/time's user and wall time show how the allocator
 * scales (docs/malloc.md, "Threads are harts"). Built plainly against
 * glibc: run it under LD_PRELOAD to measure another malloc.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define SLOTS 256
#define MAX_THREADS 64

static long per_thread;
static unsigned int span = 1000; /* sizes 16 .. 16 + span - 1 */

static void *loop(void *arg)
{
	unsigned int seed = (unsigned int)(long)arg + 1;
	void *slot[SLOTS] = { 0 };

	for (long i = 0; i < per_thread; i++) {
		seed = seed * 1103515245u + 12345u;
		unsigned int k = (seed >> 8) % SLOTS;
		free(slot[k]);
		slot[k] = malloc(16 + (seed >> 16) % span);
		if (!slot[k]) {
			fprintf(stderr, "randloop: malloc failed\n");
			exit(1);
		}
	}
	for (int k = 0; k < SLOTS; k++)
		free(slot[k]);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[MAX_THREADS];
	int threads = argc == 3 || argc == 4 ? atoi(argv[1]) : 0;

	if (argc == 4)
		span = (unsigned int)atol(argv[3]) - 15;
	if (threads < 1 || threads > MAX_THREADS || atol(argv[2]) < threads || span < 1 || span > 65536) {
		fprintf(stderr, "usage: randloop THREADS(1..%d) OPERATIONS [LARGEST(16..65551)]\n", MAX_THREADS);
		return 2;
	}
	per_thread = atol(argv[2]) / threads;
	for (int i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, loop, (void *)(long)i)) {
			fprintf(stderr, "randloop: pthread_create failed\n");
			return 1;
		}
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	return 0;
}
