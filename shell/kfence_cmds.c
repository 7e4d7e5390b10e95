/*
 * kfence_cmds.c - kfence: KFENCE's counters (Linux's
 * /sys/kernel/debug/kfence/stats) and its sample interval (mm/kfence.c).
 */
#include <lib/kstring.h>
#include <mm/kfence.h>
#include <shell/shell.h>

/* A decimal number of milliseconds, or -EINVAL. */
static long parse_ms(const char *s)
{
	long ms = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || ms > 100000000l)
			return -EINVAL;
		ms = ms * 10 + (*s - '0');
	}
	return ms;
}

static int cmd_kfence(int argc, char **argv)
{
	if (argc > 2) {
		kprintf("kfence: one argument at most: the sample interval in ms (0: off)\n");
		return -EINVAL;
	}
	if (argc == 2) {
		long ms = parse_ms(argv[1]);
		int rc;

		if (ms < 0) {
			kprintf("kfence: bad interval '%s' (milliseconds, 0: off)\n", argv[1]);
			return -EINVAL;
		}
		rc = kfence_set_interval((unsigned long)ms);
		if (rc)
			return rc;
	}
	kfence_show_stats();
	return 0;
}
SHELL_CMD("kfence", cmd_kfence, "[MS]", "KFENCE: the counters; MS sets the sample interval (0: off)");
