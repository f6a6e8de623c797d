/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The e100 hardware bench: one QEMU i8255x (the "real NIC", over qtest),
 * DMA memory carved out of QEMU's shared RAM, a simulated guest RAM in the
 * bench process, and the helpers both the raw tests and the libparapass
 * platform (bench_plat.h) share. No libparapass symbol is used here.
 */
#ifndef PP_TESTS_E100_BENCH_H
#define PP_TESTS_E100_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qtest.h"

/* DMA memory: QEMU RAM from 1 MiB (below is BIOS/PAM-shadowed) up. */
#define BENCH_DMA_BASE (1u << 20)
/* Simulated guest RAM: 16 MiB at a guest-physical base that is NOT
 * backed in QEMU, so a guest address handed to the device by mistake
 * reads/writes nothing instead of silently working. */
#define BENCH_GRAM_BASE 0x10000000ull
#define BENCH_GRAM_SIZE (16u << 20)
#define BENCH_MAX_DMA	4096

struct pp_dev;

struct bench_opts {
	const char *model;  /* NULL = i82557b */
	const uint8_t *mac; /* NULL = 52:54:00:12:34:56 */
	bool verbose;	    /* or $E100_BENCH_VERBOSE */
	bool poison_dma;    /* fill new DMA buffers with 0xA5, not 0 */
};

struct bench_counters {
	uint64_t dev_reads, dev_writes, pci_reads, pci_writes;
	uint64_t dma_allocs, dma_frees, dma_bad_frees, dma_live;
	uint64_t dma_bytes_live, dma_fail;
	uint64_t sync_cpu, sync_dev, barriers;
	uint64_t guest_reads, guest_writes, guest_faults;
	uint64_t guest_irq_sets, guest_irq_raises;
	uint64_t timer_sets, timer_fires, dev_interrupts;
	uint64_t gpa_leaks;  /* device addresses outside the DMA buffers */
	uint64_t irq_storms; /* device line stayed up after 8 services */
	uint64_t bad_access; /* dev_read/write with a bad BAR/width/offset */
	uint64_t log_lines;
};

struct bench_dma {
	uint64_t off, len; /* in QEMU RAM; off == iova */
	bool live;
};

struct bench {
	struct qt *qt;
	struct qt_nic nic;
	bool verbose;
	bool poison_dma;
	bool posted_cmds; /* let command writes stay posted (raw tests) */
	uint8_t mac[6];

	/* DMA allocator (first fit over a sorted table of live blocks) */
	struct bench_dma dma[BENCH_MAX_DMA];
	unsigned int n_dma;

	/* simulated guest */
	uint8_t *gram;
	uint64_t gram_base;
	size_t gram_size;
	uint64_t gram_brk; /* bump allocator for the test guest drivers */
	bool guest_irq;

	/* platform state */
	struct pp_dev *dev;
	uint64_t timer_deadline;
	uint32_t last_gp; /* last value the backend wrote to SCB GP */
	/* "Racing guest": after every guest_read the bytes just read are
	 * scribbled over (another vCPU rewriting the descriptor), so a
	 * second fetch of the same field sees different data. */
	bool race_guest;
	uint32_t race_seed;
	uint64_t race_scribbles;
	uint64_t wire_sent_at_barrier; /* frames sent before the last barrier */
	struct bench_counters c;
};

/* Start QEMU, set up PCI. 0 or -1 (message printed). */
int bench_open(const struct bench_opts *opts, struct bench **out);
void bench_close(struct bench *b);

/* Real device register access by BAR (0 MMIO, 1 I/O, 2 flash). */
uint32_t bench_reg_read(struct bench *b, unsigned int bar, uint32_t off,
			unsigned int width);
void bench_reg_write(struct bench *b, unsigned int bar, uint32_t off,
		     unsigned int width, uint32_t v);

/* DMA memory in QEMU RAM. Returns the iova (0 on failure). */
uint64_t bench_dma_alloc(struct bench *b, size_t len, size_t align);
int bench_dma_free(struct bench *b, uint64_t iova);
/* Pointer to QEMU RAM [iova, iova+len) or NULL if outside. */
void *bench_dma_ptr(struct bench *b, uint64_t iova, size_t len);
/* True if [addr, addr+len) lies in a live DMA buffer. */
bool bench_dma_owned(const struct bench *b, uint64_t addr, size_t len);

/* Simulated guest RAM. */
void *bench_gptr(struct bench *b, uint64_t gpa, size_t len);
uint64_t bench_galloc(struct bench *b, size_t len, size_t align);
void bench_greset(struct bench *b); /* forget guest allocations */

/* Device quiescence barrier (see qt_quiesce). */
void bench_barrier(struct bench *b);

/* -- frames with sequence numbers --------------------------------------- */
#define FRAME_ETHERTYPE 0x88b5 /* IEEE local experimental */
#define FRAME_HDR	30 /* Ethernet 14 + magic 4 + flow 4 + seq 4 + len 4 */
#define FRAME_MAGIC	0x45314e42u

/* Build a test frame: @dst/@src, flow id, sequence, total length. */
size_t frame_build(uint8_t *buf, size_t len, const uint8_t dst[6],
		   const uint8_t src[6], uint32_t flow, uint32_t seq);
/* Check a test frame byte for byte; returns 0 and its flow/seq, or -1. */
int frame_check(const uint8_t *buf, size_t len, uint32_t *flow, uint32_t *seq);
/* Deterministic length for frame number @seq in [min, max]. */
size_t frame_len_for(uint32_t seq, size_t min, size_t max);

/* Milliseconds / nanoseconds of CLOCK_MONOTONIC. */
uint64_t bench_now_ns(void);

extern const uint8_t bench_bcast[6];

/* Exit 77 (meson: skipped) when QEMU is not installed. */
void bench_require_qemu(void);

#endif /* PP_TESTS_E100_BENCH_H */
