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

	snprintf(path, sizeof(path), "%s/%s.dtb", host_dtb_dir, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}
