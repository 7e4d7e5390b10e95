/*
 * selftest.c - the kernel's side of ktest: the ktest= boot parameter and
 * the ktest shell command. The runner itself is tests/ktest.c.
 */
#include <boot/boot.h>
#include <lib/cmdline.h>
#include <boot/hart.h>
#include <lib/kstring.h>
#include <tests/ktest.h>
#include <mm/reclaim.h>
#include <drivers/power.h>
#include <shell/shell.h>

static const char *boot_selection;

static int ktest_param(const char *value)
{
	if (!value || !*value)
		return -EINVAL;
	boot_selection = value;
	return 0;
}
KPARAM("ktest", ktest_param, "ktest=all|SUITE,...  run self-tests at boot, then power off");

static struct ktest_totals run_checked(const char *selection, bool (*stop)(void))
{
	/* Suites assert exact counts: background reclaim and cache_reap on
	 * other harts' ticks would move them. The reclaim suite turns them on
	 * for its own cases. */
	bool background = mm_background_set(false);
	struct ktest_totals tot = ktest_run(selection, true, stop);

	mm_background_set(background);
	harts_check_stacks();
	return tot;
}

void selftest_boot(void)
{
	struct ktest_totals tot;

	if (!boot_selection)
		return;
	tot = run_checked(boot_selection, NULL);
	poweroff(tot.failed ? EXIT_TESTS_FAILED : EXIT_OK);
}

#define KTEST_USAGE "ktest [suite...] runs (all by default), ktest -l lists the suites, ktest -l suite... their cases"

/* ktest -l [suite...]: the suites, or the cases of each named one; an
 * unknown name is an error (the others are still listed). */
static int list_cmd(int argc, char **argv)
{
	int rc = 0;

	if (argc == 2)
		ktest_list();
	for (int i = 2; i < argc; i++)
		if (ktest_list_cases(argv[i]))
			rc = -EINVAL;
	return rc;
}

/* An option is -l, first; any other argument that starts with '-' (or -l
 * anywhere else) is refused before anything runs, never read as a suite. */
static int cmd_ktest(int argc, char **argv)
{
	char selection[SHELL_LINE_MAX] = "";
	struct ktest_totals tot;

	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && !(i == 1 && strcmp(argv[i], "-l") == 0)) {
			kprintf("ktest: %s '%s' (%s)\n", strcmp(argv[i], "-l") ? "unknown option" : "-l comes first,",
				argv[i], KTEST_USAGE);
			return -EINVAL;
		}
	if (argc >= 2 && strcmp(argv[1], "-l") == 0)
		return list_cmd(argc, argv);
	if (argc == 1)
		kstrlcpy(selection, "all", sizeof(selection));
	for (int i = 1; i < argc; i++) {
		size_t len = strlen(selection);
		ksnprintf(selection + len, sizeof(selection) - len, "%s%s", i > 1 ? "," : "",
			  argv[i]);
	}
	tot = run_checked(selection, shell_interrupted);
	if (tot.failed)
		return -EIO;
	return tot.interrupted ? -EINTR : 0;
}
SHELL_CMD("ktest", cmd_ktest, "[-l [suite...] | suite...]",
	  "run self-test suites (all by default); -l lists them, -l SUITE its cases");
