/*
 * fault_cmds.c - faultinject: set, clear and show allocation fault
 * injection (fail_page_alloc=, failslab=; mm/fault_inject.c).
 */
#include <mm/fault_inject.h>
#include <lib/kstring.h>
#include <shell/shell.h>

/* The injector a "NAME=SPEC" argument sets, and its SPEC; NULL for any
 * other argument. */
static struct fault_attr *arg_target(const char *arg, const char **spec)
{
	if (strncmp(arg, "fail_page_alloc=", 16) == 0) {
		*spec = arg + 16;
		return &fail_page_alloc;
	}
	if (strncmp(arg, "failslab=", 9) == 0) {
		*spec = arg + 9;
		return &failslab;
	}
	return NULL;
}

/* Is @arg "off" or a NAME=SPEC whose SPEC parses? Parsed into a scratch
 * copy: nothing is set. */
static bool arg_valid(const char *arg)
{
	const char *spec;
	struct fault_attr *a = arg_target(arg, &spec);
	struct fault_attr cfg;

	if (strcmp(arg, "off") == 0)
		return true;
	if (!a)
		return false;
	cfg = (struct fault_attr){ .name = a->name };
	return fault_attr_parse(&cfg, spec) == 0;
}

/* Every argument is checked before any is applied: a line with a bad one
 * changes nothing. */
static int cmd_faultinject(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!arg_valid(argv[i])) {
			kprintf("faultinject: bad argument '%s' (fail_page_alloc=SPEC, failslab=SPEC or off); nothing changed\n",
				argv[i]);
			return -EINVAL;
		}
	for (int i = 1; i < argc; i++) {
		const char *spec;
		struct fault_attr *a = arg_target(argv[i], &spec);

		if (a) {
			fault_inject_set(a, spec); /* parses: arg_valid said so */
			/* (kept: a cache made later under that name is failed) */
			if (a == &failslab && failslab.active && !failslab_target_exists())
				kprintf("faultinject: no cache named '%s' yet: the rule applies when one is created\n",
					failslab.cache);
		} else {
			fault_inject_clear(&fail_page_alloc);
			fault_inject_clear(&failslab);
		}
	}
	fault_inject_show();
	return 0;
}
SHELL_CMD("faultinject", cmd_faultinject, "[fail_page_alloc=SPEC] [failslab=SPEC] [off]",
	  "allocation fault injection: set, clear, show the counters");
