/*
 * shell.h - the serial console shell.
 *
 * Commands register themselves with SHELL_CMD() in the file that owns them;
 * the shell knows none by name. A command gets argc/argv (argv[0] is its
 * name) and returns 0 or a negative errno.
 */
#ifndef RVMM_SHELL_H
#define RVMM_SHELL_H

#include <lib/kernel.h>

#define SHELL_MAX_ARGS 16
#define SHELL_LINE_MAX 256

struct shell_cmd {
	const char *name;
	const char *args; /* "[suite...]", or "": the command takes no arguments */
	const char *help; /* one line */
	int (*fn)(int argc, char **argv);
};

#define SHELL_CMD(cname, func, argstr, helptext)                                 \
	static const struct shell_cmd shell_cmd_##func = { cname, argstr, helptext, func }; \
	static const struct shell_cmd *const shell_cmd_ptr_##func                  \
		__attribute__((used, section("rvmm_cmds"), aligned(8))) = &shell_cmd_##func

/* Run one command line. Returns the command's result, or -ENOENT when no
 * command has that name, or -EINVAL when arguments are given to a command
 * whose usage (args "") takes none or the line has a byte above 0x7f
 * (after printing so). Empty lines return 0. */
int shell_exec(const char *line);
/*
 * Whether the user typed Ctrl-C (0x03) since the running console command
 * started (a typed line or a run= command). Long loops call it between
 * batches, never inside a measured region, and then stop, free what they
 * hold and say so. On the hart that runs the command it reads what waits on
 * the console: the first Ctrl-C is taken, every other byte stays in the
 * console's input ring as the next line's input, in order (a full ring is
 * reported: drivers/console_io.c). On other harts, and outside a console command (ktest= at boot),
 * it reads nothing and returns what the command's hart has seen (false
 * outside a command). Once true, stays true until the command ends.
 */
bool shell_interrupted(void);
/* Run commands separated by ';' in order (the run= boot parameter). */
void shell_run_script(const char *script);
/* The interactive loop: prompt, read a line, run it. Never returns. */
void shell_loop(void) __noreturn;

/* Parse @arg, the argument @what of command @cmd, with memparse (decimal
 * or 0x hex, K/M/G/T suffix). Returns 0, or -EINVAL (not a number) or
 * -ERANGE (above 2^64 - 1) after printing which argument and why. */
int shell_parse_number(const char *cmd, const char *what, const char *arg, u64 *out);

size_t shell_nr_cmds(void);
const struct shell_cmd *shell_cmd_at(size_t i);

#endif
