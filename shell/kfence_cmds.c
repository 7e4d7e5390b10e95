/*
 * kfence_cmds.c - kfence: KFENCE's counters (Linux's
 * /sys/kernel/debug/kfence/stats) and its sample interval (mm/kfence.c).
 * The interval is read as kfence.sample_interval= reads it: lib/parse.c's
 * plain number (decimal or 0x hex), 0 to KFENCE_MAX_INTERVAL_MS.
 */
#include <lib/kstring.h>
#include <lib/parse.h>
#include <mm/kfence.h>
#include <shell/shell.h>

static int cmd_kfence(int argc, char **argv)
{
	if (argc > 2) {
		kprintf("kfence: one argument at most: the sample interval in ms (0: off)\n");
		return -EINVAL;
	}
	if (argc == 2) {
		u64 ms;
		int rc;

		if (parse_u64(argv[1], &ms) || ms > KFENCE_MAX_INTERVAL_MS) {
			kprintf("kfence: bad interval '%s' (milliseconds, 0 to %lu; 0: off)\n", argv[1],
				KFENCE_MAX_INTERVAL_MS);
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
