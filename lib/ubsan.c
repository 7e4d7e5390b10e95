/*
 * ubsan.c - rvmm's handlers for gcc's -fsanitize=undefined (the KASAN
 * kernel, make kasan; docs/reliability.md). Built only with CONFIG_UBSAN.
 *
 * The compiler puts a check before each operation whose result C leaves
 * undefined (signed overflow, shifts too far, out-of-bounds array indexes,
 * misaligned or null pointers, invalid bool/enum loads, division by zero,
 * pointer arithmetic that wraps...) and calls __ubsan_handle_KIND with a
 * static record of the source location and the types. Each handler prints
 * one report in Linux's format,
 *
 *   ================================================================================
 *   UBSAN: shift-out-of-bounds in tests/target/kasan_test.c:412:12
 *   shift exponent 40 is too large for 32-bit type 'int'
 *   ================================================================================
 *
 * and the kernel goes on. A location reports once: its column gets the top
 * bit set (the record is writable data), as Linux does. ubsan_nr_reports
 * and ubsan_last_report are for the tests.
 */
#ifdef CONFIG_UBSAN

#include <lib/kernel.h>
#include <lib/ubsan.h>

unsigned long ubsan_nr_reports;
struct ubsan_report_info ubsan_last_report;

struct source_location {
	const char *file;
	u32 line;
	u32 column;
};

struct type_descriptor {
	u16 kind; /* 0 integer, 1 float */
	u16 info; /* integer: bit 0 signed, bits 1.. log2(bit width) */
	char name[];
};

#define REPORTED_BIT 0x80000000u

static bool type_is_signed(const struct type_descriptor *t)
{
	return t->kind == 0 && (t->info & 1);
}

static unsigned int type_bits(const struct type_descriptor *t)
{
	return 1u << (t->info >> 1);
}

/* A value of type @t as the handlers get it: inline when it fits a
 * pointer, else a pointer to it (only 128-bit types: printed as such). */
static long long signed_value(const struct type_descriptor *t, unsigned long v)
{
	unsigned int bits = type_bits(t);

	if (bits > 64)
		return 0;
	if (bits == 64)
		return (long long)v;
	return (long long)(v << (64 - bits)) >> (64 - bits);
}

static void print_value(const struct type_descriptor *t, unsigned long v)
{
	if (type_bits(t) > 64)
		kprintf("(%u-bit value)", type_bits(t));
	else if (type_is_signed(t))
		kprintf("%lld", signed_value(t, v));
	else
		kprintf("%lu", v);
}

/* Start a report unless this location has had one; false: stay quiet. */
static bool begin(struct source_location *loc, const char *kind)
{
	if (loc->column & REPORTED_BIT)
		return false;
	loc->column |= REPORTED_BIT;
	ubsan_nr_reports++;
	ubsan_last_report.kind = kind;
	ubsan_last_report.file = loc->file;
	ubsan_last_report.line = loc->line;
	kprintf("================================================================================\n");
	kprintf("UBSAN: %s in %s:%u:%u\n", kind, loc->file, loc->line, loc->column & ~REPORTED_BIT);
	return true;
}

static void end(void)
{
	kprintf("================================================================================\n");
}

/* ---- the handlers (gcc 12's names and records) ---- */

struct type_mismatch_data {
	struct source_location loc;
	const struct type_descriptor *type;
	u8 log_alignment;
	u8 type_check_kind;
};

static const char *const check_kinds[] = {
	"load of", "store to", "reference binding to", "member access within",
	"member call on", "constructor call on", "downcast of", "downcast of",
	"upcast of", "cast to virtual base of", "_Nonnull binding to", "dynamic operation on",
};

void __ubsan_handle_type_mismatch_v1(struct type_mismatch_data *d, unsigned long ptr);
void __ubsan_handle_type_mismatch_v1(struct type_mismatch_data *d, unsigned long ptr)
{
	unsigned long align = 1ul << d->log_alignment;
	const char *what = d->type_check_kind < ARRAY_SIZE(check_kinds) ? check_kinds[d->type_check_kind]
									   : "access to";

	if (!ptr) {
		if (begin(&d->loc, "null-ptr-deref")) {
			kprintf("%s null pointer of type %s\n", what, d->type->name);
			end();
		}
	} else if (d->log_alignment && (ptr & (align - 1))) {
		if (begin(&d->loc, "misaligned-access")) {
			kprintf("%s misaligned address %#lx for type %s\nwhich requires %lu byte alignment\n",
				what, ptr, d->type->name, align);
			end();
		}
	} else if (begin(&d->loc, "object-size-mismatch")) {
		kprintf("%s address %#lx with insufficient space for an object of type %s\n", what, ptr,
			d->type->name);
		end();
	}
}

struct overflow_data {
	struct source_location loc;
	const struct type_descriptor *type;
};

static void overflow(struct overflow_data *d, unsigned long lhs, unsigned long rhs, char op)
{
	if (!begin(&d->loc, type_is_signed(d->type) ? "signed-integer-overflow" : "unsigned-integer-overflow"))
		return;
	print_value(d->type, lhs);
	kprintf(" %c ", op);
	print_value(d->type, rhs);
	kprintf(" cannot be represented in type %s\n", d->type->name);
	end();
}

void __ubsan_handle_add_overflow(struct overflow_data *d, unsigned long a, unsigned long b);
void __ubsan_handle_add_overflow(struct overflow_data *d, unsigned long a, unsigned long b)
{
	overflow(d, a, b, '+');
}

void __ubsan_handle_sub_overflow(struct overflow_data *d, unsigned long a, unsigned long b);
void __ubsan_handle_sub_overflow(struct overflow_data *d, unsigned long a, unsigned long b)
{
	overflow(d, a, b, '-');
}

void __ubsan_handle_mul_overflow(struct overflow_data *d, unsigned long a, unsigned long b);
void __ubsan_handle_mul_overflow(struct overflow_data *d, unsigned long a, unsigned long b)
{
	overflow(d, a, b, '*');
}

void __ubsan_handle_negate_overflow(struct overflow_data *d, unsigned long v);
void __ubsan_handle_negate_overflow(struct overflow_data *d, unsigned long v)
{
	if (!begin(&d->loc, "signed-integer-overflow"))
		return;
	kprintf("negation of ");
	print_value(d->type, v);
	kprintf(" cannot be represented in type %s\n", d->type->name);
	end();
}

void __ubsan_handle_divrem_overflow(struct overflow_data *d, unsigned long a, unsigned long b);
void __ubsan_handle_divrem_overflow(struct overflow_data *d, unsigned long a, unsigned long b)
{
	if (!begin(&d->loc, "division-overflow"))
		return;
	if (type_is_signed(d->type) && signed_value(d->type, b) == -1) {
		print_value(d->type, a);
		kprintf(" / -1 cannot be represented in type %s\n", d->type->name);
	} else {
		kprintf("division by zero\n");
	}
	end();
}

struct shift_data {
	struct source_location loc;
	const struct type_descriptor *lhs_type;
	const struct type_descriptor *rhs_type;
};

void __ubsan_handle_shift_out_of_bounds(struct shift_data *d, unsigned long lhs, unsigned long rhs);
void __ubsan_handle_shift_out_of_bounds(struct shift_data *d, unsigned long lhs, unsigned long rhs)
{
	if (!begin(&d->loc, "shift-out-of-bounds"))
		return;
	if (type_is_signed(d->rhs_type) && signed_value(d->rhs_type, rhs) < 0) {
		kprintf("shift exponent ");
		print_value(d->rhs_type, rhs);
		kprintf(" is negative\n");
	} else if (type_bits(d->lhs_type) <= 64 && rhs >= type_bits(d->lhs_type)) {
		kprintf("shift exponent ");
		print_value(d->rhs_type, rhs);
		kprintf(" is too large for %u-bit type %s\n", type_bits(d->lhs_type), d->lhs_type->name);
	} else if (type_is_signed(d->lhs_type) && signed_value(d->lhs_type, lhs) < 0) {
		kprintf("left shift of negative value ");
		print_value(d->lhs_type, lhs);
		kprintf("\n");
	} else {
		kprintf("left shift of ");
		print_value(d->lhs_type, lhs);
		kprintf(" by ");
		print_value(d->rhs_type, rhs);
		kprintf(" places cannot be represented in type %s\n", d->lhs_type->name);
	}
	end();
}

struct out_of_bounds_data {
	struct source_location loc;
	const struct type_descriptor *array_type;
	const struct type_descriptor *index_type;
};

void __ubsan_handle_out_of_bounds(struct out_of_bounds_data *d, unsigned long index);
void __ubsan_handle_out_of_bounds(struct out_of_bounds_data *d, unsigned long index)
{
	if (!begin(&d->loc, "array-index-out-of-bounds"))
		return;
	kprintf("index ");
	print_value(d->index_type, index);
	kprintf(" is out of range for type %s\n", d->array_type->name);
	end();
}

struct invalid_value_data {
	struct source_location loc;
	const struct type_descriptor *type;
};

void __ubsan_handle_load_invalid_value(struct invalid_value_data *d, unsigned long v);
void __ubsan_handle_load_invalid_value(struct invalid_value_data *d, unsigned long v)
{
	if (!begin(&d->loc, "invalid-load"))
		return;
	kprintf("load of value ");
	print_value(d->type, v);
	kprintf(" is not a valid value for type %s\n", d->type->name);
	end();
}

struct unreachable_data {
	struct source_location loc;
};

void __ubsan_handle_builtin_unreachable(struct unreachable_data *d);
void __ubsan_handle_builtin_unreachable(struct unreachable_data *d)
{
	if (begin(&d->loc, "unreachable")) {
		kprintf("execution reached an unreachable program point\n");
		end();
	}
	/* Nothing to go on with: a breakpoint, which the trap handler reports
	 * (lib/ uses nothing above it, so not the port's panic). */
	for (;;)
		__builtin_trap();
}

struct pointer_overflow_data {
	struct source_location loc;
};

void __ubsan_handle_pointer_overflow(struct pointer_overflow_data *d, unsigned long base,
				     unsigned long result);
void __ubsan_handle_pointer_overflow(struct pointer_overflow_data *d, unsigned long base,
				     unsigned long result)
{
	if (!begin(&d->loc, "pointer-overflow"))
		return;
	if (!base && !result)
		kprintf("applying zero offset to null pointer\n");
	else if (!base)
		kprintf("applying non-zero offset %#lx to null pointer\n", result);
	else
		kprintf("pointer arithmetic on %#lx wrapped to %#lx\n", base, result);
	end();
}

struct nonnull_arg_data {
	struct source_location loc;
	struct source_location attr_loc;
	int arg_index;
};

void __ubsan_handle_nonnull_arg(struct nonnull_arg_data *d);
void __ubsan_handle_nonnull_arg(struct nonnull_arg_data *d)
{
	if (begin(&d->loc, "nonnull-argument")) {
		kprintf("null pointer passed as argument %d, which is declared to never be null\n",
			d->arg_index);
		end();
	}
}

struct nonnull_return_data {
	struct source_location attr_loc;
};

void __ubsan_handle_nonnull_return_v1(struct nonnull_return_data *d, struct source_location *loc);
void __ubsan_handle_nonnull_return_v1(struct nonnull_return_data *d, struct source_location *loc)
{
	(void)d;
	if (begin(loc, "nonnull-return")) {
		kprintf("null pointer returned from a function declared to never return null\n");
		end();
	}
}

struct vla_bound_data {
	struct source_location loc;
	const struct type_descriptor *type;
};

void __ubsan_handle_vla_bound_not_positive(struct vla_bound_data *d, unsigned long bound);
void __ubsan_handle_vla_bound_not_positive(struct vla_bound_data *d, unsigned long bound)
{
	if (!begin(&d->loc, "vla-bound-not-positive"))
		return;
	kprintf("variable length array bound evaluates to non-positive value ");
	print_value(d->type, bound);
	kprintf("\n");
	end();
}

struct invalid_builtin_data {
	struct source_location loc;
	u8 kind;
};

void __ubsan_handle_invalid_builtin(struct invalid_builtin_data *d);
void __ubsan_handle_invalid_builtin(struct invalid_builtin_data *d)
{
	if (begin(&d->loc, "invalid-builtin-use")) {
		kprintf("passing zero to %s, which is not a valid argument\n", d->kind ? "clz()" : "ctz()");
		end();
	}
}

#endif /* CONFIG_UBSAN */
