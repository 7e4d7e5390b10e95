/*
 * fault_cmds.c - faultinject: set, clear and show allocation fault
 * injection (fail_page_alloc=, failslab=; mm/fault_inject.c).
 */
#include <mm/fault_inject.h>
#include <lib/kstring.h>
#include <shell/shell.h>

static int cmd_faultinject(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int rc = -EINVAL;

		if (strcmp(arg, "off") == 0) {
			fault_inject_clear(&fail_page_alloc);
			fault_inject_clear(&failslab);
			rc = 0;
		} else if (strncmp(arg, "fail_page_alloc=", 16) == 0) {
			rc = fault_inject_set(&fail_page_alloc, arg + 16);
		} else if (strncmp(arg, "failslab=", 9) == 0) {
			rc = fault_inject_set(&failslab, arg + 9);
		}
		if (rc) {
			kprintf("faultinject: bad argument '%s' (fail_page_alloc=SPEC, failslab=SPEC or off)\n",
				arg);
			return rc;
		}
	}
	fault_inject_show();
	return 0;
}
SHELL_CMD("faultinject", cmd_faultinject, "[fail_page_alloc=SPEC] [failslab=SPEC] [off]",
	  "allocation fault injection: set, clear, show the counters");
