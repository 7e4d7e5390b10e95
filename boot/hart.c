/*
 * hart.c - bringing up the other harts and giving them work.
 *
 * The boot hart is cpu 0. harts_start() walks the device tree's usable cpus
 * (status okay, with an mmu-type), gives each the next cpu number, a stack
 * and its struct hart, and starts it with SBI HSM at secondary_entry with the
 * struct hart as the opaque argument. The new hart reports in by setting
 * `online` and kicking the boot hart, then idles in hart_idle().
 *
 * Work handoff (on_each_hart): the caller stores fn/arg, then publishes by
 * incrementing work_seq (release) and sends an IPI. The idle hart clears its
 * pending IPI *before* checking work_seq, so an IPI that arrives after the
 * check leaves SSIP pending and its wfi returns at once: no lost wakeup. When
 * done it publishes done_seq = work_seq (release) and kicks the waiter, which
 * sleeps the same way. No hart ever busy-waits on another: under QEMU's
 * -icount a spinning hart would starve the one it waits for.
 */
#include <drivers/devicetree.h>
#include <boot/hart.h>
#include <lib/kstring.h>
#include <boot/paging.h>
#include <lib/riscv.h>
#include <boot/sbi.h>
#include <shell/shell.h>
#include <boot/ktime.h>
#include <boot/trap.h>
#include <mm/reclaim.h>

#define STACK_CANARY 0x57ac4ca7a4157ac4ull
#define HART_START_TIMEOUT_US 10000000

struct hart harts[MAX_HARTS];
/* For entry.S, which looks a late hart's slot up by hartid. */
const unsigned long hart_struct_size = sizeof(struct hart);
_Static_assert(__builtin_offsetof(struct hart, stack_top) == HART_STACK_TOP_OFFSET &&
		       __builtin_offsetof(struct hart, hartid) == HART_HARTID_OFFSET,
	       "entry.S reads stack_top and hartid at these offsets");
_Static_assert(__builtin_offsetof(struct hart, cpu) == PORT_CPU_OFFSET &&
		       __builtin_offsetof(struct hart, mm_slots) == PORT_MM_SLOTS_OFFSET &&
		       __builtin_offsetof(struct hart, percpu_area) == PERCPU_BASE_OFFSET,
	       "mm/port.h reaches the cpu number, mm slots and per-hart area at these offsets");
unsigned int nr_harts = 1;
u8 hart_stacks[MAX_HARTS][HART_STACK_SIZE] __aligned(16);

void secondary_main(struct hart *h);
extern char secondary_entry[];

void hart_stack_bounds(unsigned int cpu, unsigned long *lo, unsigned long *hi)
{
	*lo = (unsigned long)hart_stacks[cpu];
	*hi = *lo + HART_STACK_SIZE;
}

static void init_hart_data(struct hart *h, unsigned int cpu, unsigned long hartid)
{
	h->cpu = cpu;
	h->hartid = hartid;
	h->stack_top = (unsigned long)hart_stacks[cpu] + HART_STACK_SIZE;
	*(u64 *)hart_stacks[cpu] = STACK_CANARY;
}

void hart_boot_init(unsigned long hartid)
{
	init_hart_data(&harts[0], 0, hartid);
	harts[0].online = true;
}

void harts_check_stacks(void)
{
	for (unsigned int cpu = 0; cpu < nr_harts; cpu++)
		if (*(u64 *)hart_stacks[cpu] != STACK_CANARY)
			panic("stack overflow on cpu %u (hart %lu): canary at %p overwritten",
			      cpu, harts[cpu].hartid, (void *)hart_stacks[cpu]);
}

void hart_kick(unsigned long hartid)
{
	if (hartid == this_hart()->hartid)
		csr_set(sip, SIP_SSIP);
	else
		sbi_send_ipi(1, hartid);
}

/* Polls of sip for the self-IPI harts_start sends before it gives up. */
#define IPI_PROBE_POLLS (1u << 20)

/* Set by harts_start: an SBI IPI reaches this hart. Until then assumed. */
static bool ipis_work = true;

/* Poll done() until it holds or, with @timeout_us, until the instruction
 * budget of the timeout is spent (time_us_to_insns) or, failing instret,
 * the same number of minimal loop iterations: never the clock. */
static bool spin_until(bool (*done)(void *arg), void *arg, u64 timeout_us)
{
	u64 budget = time_us_to_insns(timeout_us), start = read_instret();
	u64 loops = budget / SPIN_LOOP_MIN_INSNS;

	for (;;) {
		csr_clear(sip, SIP_SSIP);
		if (done(arg))
			return true;
		if (timeout_us && (read_instret() - start >= budget || loops-- == 0))
			return false;
	}
}

/*
 * A timed wait sleeps in wfi only when time_init proved that the clock runs
 * and an armed timer's interrupt comes, an untimed one only when an IPI
 * reaches this hart (the wakers' hart_kick); otherwise it spins with a
 * budget (spin_until), so no wait hangs on a stopped clock or a missing
 * interrupt.
 */
bool hart_sleep_until(bool (*done)(void *arg), void *arg, u64 timeout_us)
{
	u64 deadline;
	bool ok;

	if (timeout_us ? !time_timer_works() : !ipis_work)
		return spin_until(done, arg, timeout_us);
	deadline = timeout_us ? read_time() + time_us_to_ticks(timeout_us) : 0;
	if (deadline)
		sbi_set_timer(deadline);
	for (;;) {
		csr_clear(sip, SIP_SSIP);
		ok = done(arg);
		if (ok || (deadline && read_time() >= deadline))
			break;
		wfi();
		this_hart()->nr_wakeups++;
	}
	if (deadline)
		sbi_set_timer(~0ull);
	return ok;
}

bool harts_ipis_work(void)
{
	return ipis_work;
}

/* Does an SBI IPI to this hart raise SSIP within IPI_PROBE_POLLS polls? */
static bool probe_ipi(void)
{
	bool came = false;

	csr_clear(sip, SIP_SSIP);
	if (sbi_send_ipi(1, this_hart()->hartid))
		return false;
	for (u32 i = 0; i < IPI_PROBE_POLLS && !came; i++)
		came = csr_read(sip) & SIP_SSIP;
	csr_clear(sip, SIP_SSIP);
	return came;
}

static bool has_work(void *arg)
{
	struct hart *h = arg;
	return __atomic_load_n(&h->work_seq, __ATOMIC_ACQUIRE) != h->done_seq;
}

/* Posted work, or work the memory manager posted for this hart. */
static bool has_any_work(void *arg)
{
	return has_work(arg) || mm_cpu_work_pending(((struct hart *)arg)->cpu);
}

/* Idle: sleep until work comes or the memory manager's tick is due
 * (boot/tick.c), tick, then run the posted work if there is some. */
static void __noreturn hart_idle(struct hart *h)
{
	for (;;) {
		hart_sleep_until(has_any_work, h, idle_tick_timeout_us());
		mm_tick(tick_clock_us());
		if (!has_work(h))
			continue;
		h->work_fn(h->work_arg);
		__atomic_store_n(&h->done_seq, h->work_seq, __ATOMIC_RELEASE);
		hart_kick(h->waiter_hartid);
	}
}

void secondary_main(struct hart *h)
{
	paging_enable_this_hart();
	trap_init();
	__atomic_store_n(&h->online, true, __ATOMIC_RELEASE);
	hart_kick(harts[0].hartid);
	hart_idle(h);
}

static bool hart_is_online(void *arg)
{
	return __atomic_load_n(&((struct hart *)arg)->online, __ATOMIC_ACQUIRE);
}

/* Start one hart as @cpu; true when it reported in. */
static bool start_one(unsigned int cpu, unsigned long hartid)
{
	struct hart *h = &harts[cpu];
	long rc;

	init_hart_data(h, cpu, hartid);
	/* The slot is complete before the hart can look at it: entry.S reads
	 * it when OpenSBI sends the hart to _start instead (see there). */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	rc = sbi_hart_start(hartid, (unsigned long)secondary_entry, (unsigned long)h);
	if (rc == SBI_ERR_ALREADY_AVAILABLE || rc == SBI_ERR_ALREADY_STARTED) {
		/* Already running: firmware released it into the kernel's
		 * entry, where it waits for its slot (entry.S). It has one
		 * now: wake it. */
		kprintf("harts: hart %lu is already in the kernel: given slot %u\n", hartid, cpu);
		sbi_send_ipi(1, hartid);
		rc = 0;
	}
	if (rc) {
		kprintf("harts: hart %lu did not start (SBI error %ld)\n", hartid, rc);
		return false;
	}
	if (!hart_sleep_until(hart_is_online, h, HART_START_TIMEOUT_US)) {
		kprintf("harts: hart %lu started but did not report in\n", hartid);
		return false;
	}
	return true;
}

unsigned int harts_start(const struct dt_info *dt)
{
	unsigned int listed = 0;

	ipis_work = probe_ipi();
	if (!ipis_work)
		kprintf("harts: IPIs do not arrive (%s): the other harts stay down\n",
			dt->ipi_dev[0] ? "the firmware does not deliver them"
				       : "no IPI device in the device tree");
	for (int i = 0; i < dt->nr_cpus; i++) {
		const struct dt_cpu *c = &dt->cpus[i];
		const char *why_down = dt_cpu_down_reason(c, nr_harts);

		if (c->hartid == harts[0].hartid)
			continue;
		if (!c->usable) {
			kprintf("harts: hart %lu left down: %s\n", (unsigned long)c->hartid, why_down);
			continue;
		}
		listed++;
		if (!ipis_work) {
			kprintf("harts: hart %lu left down: no IPIs to start it with\n",
				(unsigned long)c->hartid);
			continue;
		}
		if (why_down) { /* usable, but maxcpus= or MAX_HARTS harts are up */
			kprintf("harts: hart %lu left down: %s\n", (unsigned long)c->hartid, why_down);
			continue;
		}
		if (start_one(nr_harts, c->hartid)) {
			nr_harts++;
		} else if (__atomic_load_n(&harts[nr_harts].hartid, __ATOMIC_RELAXED) == c->hartid &&
			   sbi_hart_get_status(c->hartid) != SBI_HSM_STOPPED) {
			/* Started but late (a loaded host): it may still come,
			 * using this slot's stack and data, so the slot is never
			 * reused and no further hart is started. */
			kprintf("harts: not starting more harts after a late one\n");
			break;
		}
	}
	dt_note_unlisted_boot_hart(dt, harts[0].hartid);
	kprintf("harts: %u of %u up (boot hart %lu)\n", nr_harts, listed + 1, harts[0].hartid);
	return nr_harts;
}

static bool all_done(void *arg)
{
	(void)arg;
	for (unsigned int cpu = 0; cpu < nr_harts; cpu++) {
		struct hart *h = &harts[cpu];
		if (h != this_hart() &&
		    __atomic_load_n(&h->done_seq, __ATOMIC_ACQUIRE) != h->work_seq)
			return false;
	}
	return true;
}

static void post_work(struct hart *h, void (*fn)(void *), void *arg)
{
	h->work_fn = fn;
	h->work_arg = arg;
	h->waiter_hartid = this_hart()->hartid;
	__atomic_store_n(&h->work_seq, h->work_seq + 1, __ATOMIC_RELEASE);
	sbi_send_ipi(1, h->hartid);
}

void on_each_hart(void (*fn)(void *arg), void *arg)
{
	for (unsigned int cpu = 0; cpu < nr_harts; cpu++)
		if (&harts[cpu] != this_hart())
			post_work(&harts[cpu], fn, arg);
	fn(arg);
	hart_sleep_until(all_done, NULL, 0);
}

static bool one_done(void *arg)
{
	struct hart *h = arg;
	return __atomic_load_n(&h->done_seq, __ATOMIC_ACQUIRE) == h->work_seq;
}

int on_hart(unsigned int cpu, void (*fn)(void *arg), void *arg)
{
	struct hart *h;

	if (cpu >= nr_harts)
		return -EINVAL;
	h = &harts[cpu];
	if (h == this_hart()) {
		fn(arg);
		return 0;
	}
	post_work(h, fn, arg);
	hart_sleep_until(one_done, h, 0);
	return 0;
}

static int cmd_harts(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	kprintf("cpu  hartid  wakeups  stack\n");
	for (unsigned int cpu = 0; cpu < nr_harts; cpu++) {
		struct hart *h = &harts[cpu];
		kprintf("%3u  %6lu  %7lu  0x%lx-0x%lx%s\n", cpu, h->hartid, h->nr_wakeups,
			h->stack_top - HART_STACK_SIZE, h->stack_top - 1,
			h == this_hart() ? "  (this hart)" : "");
	}
	return 0;
}
SHELL_CMD("harts", cmd_harts, "", "list the harts that are up");
