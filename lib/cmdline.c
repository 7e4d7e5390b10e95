/*
 * cmdline.c - the kernel command line parser (see include/lib/cmdline.h).
 *
 * Parameters live in the "rvmm_params" section, one pointer per KPARAM(), so
 * the parser knows none by name. Parsing is a single left-to-right pass that
 * splits words in place: a word ends at an unquoted space; a double quote
 * starts or ends quoting and is removed.
 */
#include <lib/cmdline.h>
#include <lib/kstring.h>
#include <lib/parse.h>

#define CMDLINE_MAX 1024

extern const struct kparam *const __start_rvmm_params[];
extern const struct kparam *const __stop_rvmm_params[];

static char boot_cmdline[CMDLINE_MAX];

size_t kparam_count(void)
{
	return (size_t)(__stop_rvmm_params - __start_rvmm_params);
}

const struct kparam *kparam_at(size_t i)
{
	return i < kparam_count() ? __start_rvmm_params[i] : NULL;
}

static const struct kparam *find_param(const char *name)
{
	for (size_t i = 0; i < kparam_count(); i++)
		if (strcmp(kparam_at(i)->name, name) == 0)
			return kparam_at(i);
	return NULL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Cut the next word out of *pos (removing quotes); NULL when none is left.
 * *@open: the word's last quote was never closed (it runs to the end). */
static char *next_word(char **pos, bool *open)
{
	char *p = *pos, *word, *out;
	bool quoted = false;

	while (is_space(*p))
		p++;
	if (!*p)
		return NULL;
	word = out = p;
	for (; *p && (quoted || !is_space(*p)); p++) {
		if (*p == '"')
			quoted = !quoted;
		else
			*out++ = *p;
	}
	if (*p)
		p++;
	*out = '\0';
	*pos = p;
	*open = quoted;
	return word;
}

static int apply_word(char *word)
{
	char *eq = strchr(word, '=');
	const struct kparam *kp;
	int rc;

	if (eq)
		*eq = '\0';
	if (!*word) {
		if (eq)
			kprintf("cmdline: '=%s' has no parameter name: ignored\n", eq + 1);
		else
			kprintf("cmdline: an empty word (quotes only) ignored\n");
		return 1;
	}
	kp = find_param(word);
	if (!kp) {
		kprintf("cmdline: unknown parameter '%s' ignored\n", word);
		return 1;
	}
	rc = kp->set(eq ? eq + 1 : NULL);
	if (rc) {
		kprintf("cmdline: invalid value for '%s': '%s' (error %d)\n", word,
			eq ? eq + 1 : "", rc);
		return 1;
	}
	return 0;
}

/* A word whose quote is never closed is applied as Linux applies it (the
 * rest of the line is its value) and counted as a problem, with a warning:
 * a quote lost on the way (a shell, U-Boot) changes what the line says. */
int cmdline_parse(char *buf)
{
	char *pos = buf, *word;
	int problems = 0;
	bool open;

	while ((word = next_word(&pos, &open)) != NULL) {
		if (open) {
			kprintf("cmdline: no closing quote in '%.64s%s': the rest of the line taken as its value\n",
				word, strlen(word) > 64 ? "..." : "");
			problems++;
		}
		problems += apply_word(word);
	}
	return problems;
}

size_t cmdline_whole_words(const char *line, char next)
{
	size_t i, start = 0;
	bool quoted = false, in_word = false;

	for (i = 0; line[i]; i++) {
		if (!quoted && is_space(line[i])) {
			in_word = false;
			continue;
		}
		if (!in_word) {
			in_word = true;
			start = i;
		}
		if (line[i] == '"')
			quoted = !quoted;
	}
	if (!in_word || next == '\0' || (!quoted && is_space(next)))
		return i;
	return start;
}

/*
 * boot_cmdline holds the first CMDLINE_MAX - 1 bytes of a longer line and
 * @next is the first byte left out. A word the cut fell in is dropped
 * whole: applied cut short, zone_dma_limit=0x90000000 would become
 * zone_dma_limit=0x90000, run="...;poweroff 7" run a different command.
 */
static void drop_cut_word(char next)
{
	size_t keep = cmdline_whole_words(boot_cmdline, next);

	kprintf("cmdline: command line longer than %d bytes, truncated\n", CMDLINE_MAX - 1);
	if (boot_cmdline[keep] == '\0')
		return;
	kprintf("cmdline: '%.64s%s' cut short at byte %d: not applied\n", boot_cmdline + keep,
		strlen(boot_cmdline + keep) > 64 ? "..." : "", CMDLINE_MAX - 1);
	boot_cmdline[keep] = '\0';
}

int cmdline_parse_boot(const char *bootargs)
{
	static char work[CMDLINE_MAX];

	if (kstrlcpy(boot_cmdline, bootargs, sizeof(boot_cmdline)) >= sizeof(boot_cmdline))
		drop_cut_word(bootargs[sizeof(boot_cmdline) - 1]);
	memcpy(work, boot_cmdline, sizeof(work));
	return cmdline_parse(work);
}

const char *cmdline_get(void)
{
	return boot_cmdline;
}

int memparse(const char *s, u64 *out)
{
	return s ? memparse_range(s, s + strlen(s), out) : -EINVAL;
}

int memparse_range(const char *s, const char *end, u64 *out)
{
	unsigned int shift = 0;
	const char *p;
	u64 v;
	int rc = parse_u64_prefix(s, end, &v, &p); /* lib/parse.c: the digits */

	if (rc)
		return rc;
	if (p < end) {
		switch (*p) {
		case 'K': case 'k': shift = 10; p++; break;
		case 'M': case 'm': shift = 20; p++; break;
		case 'G': case 'g': shift = 30; p++; break;
		case 'T': case 't': shift = 40; p++; break;
		default: return -EINVAL;
		}
	}
	if (p != end)
		return -EINVAL;
	if (shift && v > (~0ull >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

int parse_bool(const char *value, bool *out)
{
	static const char *const yes[] = { "1", "on", "y", "yes", "true" };
	static const char *const no[] = { "0", "off", "n", "no", "false" };

	for (size_t i = 0; value && i < ARRAY_SIZE(yes); i++) {
		if (strcmp(value, yes[i]) == 0 || strcmp(value, no[i]) == 0) {
			*out = strcmp(value, yes[i]) == 0;
			return 0;
		}
	}
	return -EINVAL;
}

int parse_on_off(const char *value, bool *out)
{
	if (value && strcmp(value, "on") == 0)
		*out = true;
	else if (value && strcmp(value, "off") == 0)
		*out = false;
	else
		return -EINVAL;
	return 0;
}
