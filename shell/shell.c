/*
 * shell.c - a line-oriented shell on the console.
 *
 * Reading polls the UART and sleeps 250 us in wfi between empty polls, so an
 * idle shell costs little. The line editor (shell/line.c) handles editing:
 * backspace/delete erase, Ctrl-W a word, Ctrl-U clears the line, Ctrl-C
 * drops it, Tab separates arguments, escape sequences (arrow keys) are
 * dropped whole. A line with a byte that is not ASCII is refused. CR, LF and CR LF each end
 * a line, so input piped into QEMU works as typed input does. A line longer
 * than SHELL_LINE_MAX - 1 characters is reported and not run. Ctrl-D ends
 * the input: its line runs, then the machine powers off with the last
 * command's success (0) or failure (1), as a shell ends with its script.
 * The last command is the last the console ran, typed or piped or from
 * run= (a boot script followed by no input ends with its last command's
 * status); a blank or Ctrl-C'd line runs nothing and keeps it.
 *
 * Interrupting a command: a command the console runs (a typed line or a
 * run= command) may last long, so its long loops call shell_interrupted()
 * between batches. On the hart running the command that reads the console
 * (console_take_byte): the first Ctrl-C (0x03) waiting is taken and
 * latched for the rest of the command; every other byte stays in the
 * console's input ring (drivers/console_io.c, which also fills while the
 * command prints), so what is typed during a command is the next line's
 * input, in order. The latch lasts until the command ends.
 */
#include <drivers/console.h>
#include <drivers/power.h>
#include <lib/kstring.h>
#include <boot/ktime.h>
#include <boot/boot.h>
#include <boot/hart.h>
#include <lib/cmdline.h>
#include <shell/line.h>
#include <shell/shell.h>

extern const struct shell_cmd *const __start_rvmm_cmds[];
extern const struct shell_cmd *const __stop_rvmm_cmds[];

/* Below the time 8 bytes take at 115200 baud, so a FIFO does not overflow. */
#define POLL_SLEEP_US 250

#define CTRL_C 0x03

/* The cpu running the command the console gave, -1 between commands. */
static int command_cpu = -1;
/* A Ctrl-C came during the current command. */
static bool interrupt_seen;
/* The status of the last command the console ran (a typed line or a run=
 * command; a line refused as too long counts as a failed one): what the
 * end of the input powers off with. Only the console's hart writes it. */
static int last_status;

bool shell_interrupted(void)
{
	if (__atomic_load_n(&command_cpu, __ATOMIC_RELAXED) != (int)this_cpu())
		return __atomic_load_n(&interrupt_seen, __ATOMIC_ACQUIRE);
	/* Only the first Ctrl-C is taken: the bytes around it stay the
	 * console's input, in order, for the next line. */
	if (!interrupt_seen && console_take_byte(CTRL_C))
		__atomic_store_n(&interrupt_seen, true, __ATOMIC_RELEASE);
	return interrupt_seen;
}

/* Run one line the console gave, interruptible by Ctrl-C. */
static int run_command(const char *line)
{
	int rc;

	__atomic_store_n(&interrupt_seen, false, __ATOMIC_RELAXED);
	__atomic_store_n(&command_cpu, (int)this_cpu(), __ATOMIC_RELEASE);
	rc = shell_exec(line);
	__atomic_store_n(&command_cpu, -1, __ATOMIC_RELEASE);
	__atomic_store_n(&interrupt_seen, false, __ATOMIC_RELAXED);
	last_status = rc;
	return rc;
}

size_t shell_nr_cmds(void)
{
	return (size_t)(__stop_rvmm_cmds - __start_rvmm_cmds);
}

const struct shell_cmd *shell_cmd_at(size_t i)
{
	return i < shell_nr_cmds() ? __start_rvmm_cmds[i] : NULL;
}

static const struct shell_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < shell_nr_cmds(); i++)
		if (strcmp(shell_cmd_at(i)->name, name) == 0)
			return shell_cmd_at(i);
	return NULL;
}

static int split_args(char *line, char **argv)
{
	int argc = 0;

	for (char *p = line; *p;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		if (argc == SHELL_MAX_ARGS)
			return -E2BIG;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	argv[argc] = NULL;
	return argc;
}

/*
 * Commands, their names and arguments are ASCII. A byte above 0x7f (a
 * UTF-8 character; a no-break space pasted from a web page) is refused with
 * its column: run, it would be part of a word the user cannot see.
 */
static bool ascii_only(const char *line)
{
	for (const char *p = line; *p; p++)
		if ((unsigned char)*p > 0x7f) {
			kprintf("shell: byte 0x%02x at column %zu is not ASCII: line not run\n",
				(unsigned char)*p, (size_t)(p - line) + 1);
			return false;
		}
	return true;
}

int shell_exec(const char *line)
{
	char buf[SHELL_LINE_MAX];
	char *argv[SHELL_MAX_ARGS + 1];
	const struct shell_cmd *cmd;
	int argc;

	if (kstrlcpy(buf, line, sizeof(buf)) >= sizeof(buf)) {
		kprintf("shell: line longer than %d characters\n", SHELL_LINE_MAX - 1);
		return -E2BIG;
	}
	if (!ascii_only(buf))
		return -EINVAL;
	argc = split_args(buf, argv);
	if (argc < 0) {
		/* argv[0] is the command: SHELL_MAX_ARGS words hold one
		 * fewer arguments ("echo" and 16 words was "more than 16"). */
		kprintf("shell: more than %d arguments (a line is at most %d words)\n",
			SHELL_MAX_ARGS - 1, SHELL_MAX_ARGS);
		return argc;
	}
	if (argc == 0)
		return 0;
	cmd = find_cmd(argv[0]);
	if (!cmd) {
		kprintf("%s: unknown command (type 'help')\n", argv[0]);
		return -ENOENT;
	}
	if (!cmd->args[0] && argc > 1) { /* its usage names no argument */
		kprintf("%s: takes no arguments ('%s' given)\n", cmd->name, argv[1]);
		return -EINVAL;
	}
	return cmd->fn(argc, argv);
}

void shell_run_script(const char *script)
{
	char line[SHELL_LINE_MAX];

	while (*script) {
		size_t n = 0;

		while (script[n] && script[n] != ';')
			n++;
		if (n >= sizeof(line)) {
			kprintf("run: command longer than %zu characters skipped\n", sizeof(line) - 1);
			last_status = -E2BIG;
		} else {
			memcpy(line, script, n);
			line[n] = '\0';
			kprintf("rvmm> %s\n", line);
			run_command(line);
		}
		script += n;
		if (*script == ';')
			script++;
	}
}

static int getc_blocking(void)
{
	int c;

	while ((c = console_getc()) < 0) {
		sleep_us(POLL_SLEEP_US);
		idle_tick(POLL_SLEEP_US); /* the memory manager's tick (boot/tick.c) */
	}
	return c;
}

/* Read bytes into the editor until a line ends; returns how it ended. */
static enum line_result read_line(struct line_editor *ed)
{
	enum line_result r;

	do
		r = line_editor_feed(ed, (unsigned char)getc_blocking());
	while (r == LINE_MORE);
	return r;
}

static bool blank(const char *line)
{
	while (*line == ' ')
		line++;
	return !*line;
}

/*
 * The end of the input (Ctrl-D; make run sends one when piped input ends):
 * as a shell leaves at the end of its script, the machine powers off with
 * 0 when the last command succeeded, else 1.
 */
static __noreturn void end_of_input(void)
{
	int code = last_status ? 1 : 0;

	kprintf("rvmm: end of input (Ctrl-D)\npower: off (exit code %d)\n", code);
	poweroff(code);
}

void shell_loop(void)
{
	char line[SHELL_LINE_MAX];
	struct line_editor ed;

	line_editor_init(&ed, line, sizeof(line), console_write);
	for (;;) {
		console_write("rvmm> ", 6);
		enum line_result r = read_line(&ed);

		if (r == LINE_TOO_LONG) {
			kprintf("shell: line longer than %d characters not run\n", SHELL_LINE_MAX - 1);
			last_status = -E2BIG;
		} else if (r == LINE_DONE && !blank(line)) {
			run_command(line); /* a blank or Ctrl-C'd line keeps the last status */
		}
		if (ed.ended)
			end_of_input();
	}
}

/* One command's usage line: name, arguments, help text. */
static void print_usage(const struct shell_cmd *c)
{
	char usage[SHELL_LINE_MAX];
	int n = ksnprintf(usage, sizeof(usage), "%s %s", c->name, c->args);

	/* A usage wider than its column gets a line of its own. */
	if (n > 24)
		kprintf("  %s\n  %-24s %s\n", usage, "", c->help);
	else
		kprintf("  %-24s %s\n", usage, c->help);
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 2) {
		kprintf("help: one command name at most ('%s' is one more)\n", argv[2]);
		return -EINVAL;
	}
	if (argc == 2) {
		const struct shell_cmd *c = find_cmd(argv[1]);

		if (!c) {
			kprintf("help: no command named '%s' (type 'help')\n", argv[1]);
			return -ENOENT;
		}
		print_usage(c);
		return 0;
	}
	kprintf("Commands:\n");
	for (size_t i = 0; i < shell_nr_cmds(); i++)
		print_usage(shell_cmd_at(i));
	kprintf("Ctrl-C stops a long command (stress, memmap-timeline, memmap-fill, bench, replay,\n"
		"ktest) at its next safe point; what it allocated is freed. Leave QEMU with Ctrl-A X.\n");
	return 0;
}
SHELL_CMD("help", cmd_help, "[command]", "list every command, or show one");

/*
 * Every run= word, in the order given (values point into the boot command
 * line). A second run= adds its commands after the first's: a boot loader's
 * run= and the user's both run, neither replaces the other.
 */
#define MAX_BOOT_SCRIPTS 8
static const char *boot_scripts[MAX_BOOT_SCRIPTS];
static unsigned int nr_boot_scripts;

static int run_param(const char *value)
{
	if (!value)
		return -EINVAL;
	if (nr_boot_scripts == MAX_BOOT_SCRIPTS)
		return -E2BIG;
	boot_scripts[nr_boot_scripts++] = value;
	return 0;
}
KPARAM("run", run_param, "run=CMD;CMD...  run console commands at boot, in order (every run= word)");

void shell_boot_script(void)
{
	for (unsigned int i = 0; i < nr_boot_scripts; i++)
		shell_run_script(boot_scripts[i]);
}

int shell_parse_number(const char *cmd, const char *what, const char *arg, u64 *out)
{
	int rc = memparse(arg, out);

	if (rc == -ERANGE)
		kprintf("%s: %s '%s' is more than 2^64 - 1\n", cmd, what, arg);
	else if (rc)
		kprintf("%s: %s '%s' is not a number (decimal or 0x hex, K/M/G/T suffix)\n", cmd,
			what, arg);
	return rc;
}

static int cmd_echo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		kprintf("%s%s", argv[i], i + 1 < argc ? " " : "");
	kprintf("\n");
	return 0;
}
SHELL_CMD("echo", cmd_echo, "[word...]", "print the words (for run= scripts and logs)");

/* dmesg [-c | -C]: the kernel log again (Linux's dmesg: -c prints then
 * clears, -C only clears). */
static int cmd_dmesg(int argc, char **argv)
{
	bool print = true, clear = false;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "-c") != 0 && strcmp(argv[1], "-C") != 0)) {
		kprintf("dmesg: usage: dmesg [-c | -C] (-c: print, then clear; -C: clear)\n");
		return -EINVAL;
	}
	if (argc == 2) {
		clear = true;
		print = argv[1][1] == 'c';
	}
	if (print)
		console_log_dump();
	if (clear)
		console_log_clear();
	return 0;
}
SHELL_CMD("dmesg", cmd_dmesg, "[-c | -C]",
	  "the kernel log: the boot log and every message since, its last 32 KiB (-c: then clear; -C: clear)");
