/*
 * host_support.c - the test harness's own helpers: loading the DTB
 * fixtures. The port itself (kprintf's sink, panic, harts) is port/host.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include <lib/kernel.h>
#include "host.h"

void *host_load_dtb(const char *name, size_t *size)
{
	char path[512];
	FILE *f;
	void *buf;
	long n;

	*size = 0;
	snprintf(path, sizeof(path), "%s/%s.dtb", host_dtb_dir, name);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "host: cannot open the fixture %s (make host-test builds them)\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (!buf)
		fprintf(stderr, "host: cannot read the fixture %s\n", path);
	else
		*size = (size_t)n;
	return buf;
}
