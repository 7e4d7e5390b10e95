/*
 * main.c - the host unit-test program.
 *
 *   build/host-tests [-d DTB_DIR] [SUITE,...|all]
 *   build/host-tests -l [SUITE...]   the suites, or the cases of each SUITE
 *
 * Runs the registered ktest suites (the portable ones and the host-only ones
 * that read the compiled .dts fixtures from DTB_DIR) and exits non-zero when
 * any case failed. Output is the same as on the target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tests/ktest.h>
#include "host.h"

const char *host_dtb_dir = "build/dtb";

int main(int argc, char **argv)
{
	const char *selection = "all";
	struct ktest_totals tot;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) {
			host_dtb_dir = argv[++i];
		} else if (strcmp(argv[i], "-l") == 0) {
			int rc = 0;

			if (i + 1 == argc)
				ktest_list();
			while (++i < argc)
				rc |= ktest_list_cases(argv[i]);
			return rc ? 1 : 0;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "host-tests: unknown option '%s' (usage: host-tests [-d DTB_DIR] "
				"[SUITE,...|all], host-tests -l [SUITE...])\n", argv[i]);
			return 2;
		} else {
			selection = argv[i];
		}
	}
	tot = ktest_run(selection, true, NULL);
	return tot.failed ? 1 : 0;
}
