/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The bench as a libparapass platform (struct pp_platform_ops):
 *
 * device side (the "real NIC" = QEMU over qtest)
 *  - dev_read/dev_write: qtest in/out (I/O BAR) or read/write (MMIO BAR);
 *    writes that start a command complete before the call returns (see
 *    bench_reg_write()), the others stay posted in the qtest pipe;
 *  - pci_read/pci_write: 0xcf8/0xcfc;
 *  - dma_alloc/free: first fit over QEMU's shared RAM above 1 MiB
 *    (cpu = the mmap, iova = QEMU guest-physical); freed memory is
 *    poisoned; live buffers are counted so leaks show at destroy;
 *  - dma_sync_for_cpu: a device barrier (qt_quiesce) when the device may
 *    have written since the last one: QEMU writes an RFD's C bit before
 *    its data, so this is where "seen C" becomes "data complete";
 *  - the device interrupt: IOAPIC pin 11 via "IRQ raise" lines; the loop
 *    calls pp_dev_interrupt() while it is high;
 *  - audit: a command or PORT write whose address operand is not inside a
 *    live DMA buffer counts as a gpa_leak (a guest address reached the
 *    device);
 *
 * guest side (simulated in the bench process)
 *  - guest_read/guest_write over a 16 MiB buffer at BENCH_GRAM_BASE, with
 *    strict bounds (-EFAULT, nothing copied, counted);
 *  - irq_set: a level flag the test guest driver polls;
 *  - now_ns = CLOCK_MONOTONIC; timer_set recorded and fired by the loop;
 *    log to stderr when verbose ($E100_BENCH_VERBOSE).
 */
#ifndef PP_TESTS_E100_BENCH_PLAT_H
#define PP_TESTS_E100_BENCH_PLAT_H

#include <parapass/pp.h>

#include "bench.h"
#include "guest.h"

extern const struct pp_platform_ops bench_plat_ops;

/* Toggle callgrind collection around SDK work (e100-bench --callgrind). */
extern bool bench_plat_callgrind;

struct bench_attach_opts {
	const struct pp_filter_ops *filter; /* NULL = pass */
	void *filter_arg;
	struct pp_trace *trace;
	uint32_t n_pkts, queue_len;
	enum pp_log_level log_level; /* 0 = PP_LOG_INFO (DEBUG if verbose) */
};

/* Create the pp_dev over the bench; 0 or the pp_dev_create() error. */
int bench_attach(struct bench *b, const struct bench_attach_opts *o);
/* Destroy the pp_dev (if any). */
void bench_detach(struct bench *b);

/*
 * One turn of the VMM loop: collect qtest lines (waiting up to @ms for
 * one), call pp_dev_interrupt() while the device line is up, fire the
 * timer when due.
 */
void bench_plat_run(struct bench *b, int ms);

/* Shadow-mode hardware for the test guest drivers (pp_dev_access()). */
void ghw_init_shadow(struct ghw *hw, struct bench *b);

/* Short summary of the counters, for failure messages. */
const char *bench_plat_summary(struct bench *b);

#endif /* PP_TESTS_E100_BENCH_PLAT_H */
