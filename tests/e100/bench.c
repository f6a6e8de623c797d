/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * e100 hardware bench: QEMU NIC, DMA memory, simulated guest RAM, frames.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hw8255x.h"

const uint8_t bench_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* Configure block from the bench reference (shared/refs §3 step 4):
 * byte count 22, standard TCB and statistics (0x32 in byte 6), MII,
 * broadcast on, no CRC transfer, flow-control delay 0x40. */
const uint8_t hw_config_default[HW_CONFIG_LEN] = {
	0x16, 0x08, 0x00, 0x00, 0x00, 0x00, 0x32, 0x03, 0x01, 0x00, 0x2e,
	0x00, 0x60, 0x00, 0xf2, 0x48, 0x00, 0x40, 0xfa, 0x80, 0x3f, 0x05,
};

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int bench_open(const struct bench_opts *opts, struct bench **out)
{
	static const struct bench_opts none;
	static const uint8_t dmac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	struct qt_opts qo;
	struct bench *b;
	char err[1024];
	const char *v = getenv("E100_BENCH_VERBOSE");

	if (!opts)
		opts = &none;
	*out = NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -1;
	b->verbose = opts->verbose || (v && *v && *v != '0');
	b->poison_dma = opts->poison_dma;
	memcpy(b->mac, opts->mac ? opts->mac : dmac, 6);
	b->gram_base = BENCH_GRAM_BASE;
	b->gram_size = BENCH_GRAM_SIZE;
	b->gram = calloc(1, b->gram_size);
	if (!b->gram) {
		free(b);
		return -1;
	}
	b->gram_brk = b->gram_base + 0x1000; /* page 0 stays unused */

	memset(&qo, 0, sizeof(qo));
	qo.model = opts->model;
	qo.mac = b->mac;
	qo.verbose = v && strchr(v, 'q') != NULL; /* "q": protocol trace */
	if (qt_start(&qo, &b->qt, err, sizeof(err)) < 0) {
		fprintf(stderr, "e100 bench: cannot start QEMU: %s\n", err);
		free(b->gram);
		free(b);
		return -1;
	}
	if (qt_pci_setup_nic(b->qt, 0, &b->nic) < 0) {
		bench_close(b);
		return -1;
	}
	*out = b;
	return 0;
}

void bench_close(struct bench *b)
{
	if (!b)
		return;
	qt_stop(b->qt);
	free(b->gram);
	free(b);
}

static bool bar_ok(struct bench *b, unsigned int bar, uint32_t off,
		   unsigned int width)
{
	if (bar > 2 || !b->nic.bar_size[bar] ||
	    (width != 1 && width != 2 && width != 4) ||
	    off > b->nic.bar_size[bar] - width || (off & (width - 1))) {
		b->c.bad_access++;
		return false;
	}
	return true;
}

uint32_t bench_reg_read(struct bench *b, unsigned int bar, uint32_t off,
			unsigned int width)
{
	if (!bar_ok(b, bar, off, width))
		return UINT32_MAX;
	return qt_io_read(b->qt, b->nic.bar_mmio[bar],
			  b->nic.bar_addr[bar] + off, width);
}

void bench_reg_write(struct bench *b, unsigned int bar, uint32_t off,
		     unsigned int width, uint32_t v)
{
	if (!bar_ok(b, bar, off, width))
		return;
	qt_io_write(b->qt, b->nic.bar_mmio[bar], b->nic.bar_addr[bar] + off,
		    width, v);
	/*
	 * A write that starts a command (SCB command byte, PORT) completes
	 * before the CPU goes on: QEMU runs CU/RU commands synchronously
	 * but, unlike the silicon, does not re-check the S bit on CU resume
	 * (it follows the saved link). Were the command still queued in the
	 * qtest pipe while the driver appends the next CB and clears the
	 * old S bit, QEMU would run past the end of the chain and resend
	 * stale CBs. Register writes that start nothing stay posted.
	 */
	if (!b->posted_cmds && (bar < 2 || bar == 2) &&
	    ((off <= HW_SCB_CMD && off + width > HW_SCB_CMD) ||
	     (off + width > HW_PORT && off < HW_PORT + 4)))
		qt_sync(b->qt);
}

/* -- DMA memory ---------------------------------------------------------- */

uint64_t bench_dma_alloc(struct bench *b, size_t len, size_t align)
{
	uint64_t end = qt_ram_size(b->qt);
	uint64_t cand = BENCH_DMA_BASE;
	unsigned int i;

	if (len == 0 || len > end || (align & (align - 1)) ||
	    b->n_dma == BENCH_MAX_DMA) {
		b->c.dma_fail++;
		return 0;
	}
	if (align < 16)
		align = 16;
	/* first fit in the gaps of the sorted table */
	for (i = 0; i <= b->n_dma; i++) {
		uint64_t lim = i < b->n_dma ? b->dma[i].off : end;

		cand = (cand + align - 1) & ~(uint64_t)(align - 1);
		if (cand + len <= lim)
			break;
		if (i < b->n_dma)
			cand = b->dma[i].off + b->dma[i].len;
	}
	if (i > b->n_dma) {
		b->c.dma_fail++;
		return 0;
	}
	memmove(&b->dma[i + 1], &b->dma[i], (b->n_dma - i) * sizeof(b->dma[0]));
	b->dma[i].off = cand;
	b->dma[i].len = len;
	b->dma[i].live = true;
	b->n_dma++;
	memset(qt_ram(b->qt) + cand, b->poison_dma ? 0xa5 : 0, len);
	b->c.dma_allocs++;
	b->c.dma_live++;
	b->c.dma_bytes_live += len;
	return cand;
}

int bench_dma_free(struct bench *b, uint64_t iova)
{
	for (unsigned int i = 0; i < b->n_dma; i++) {
		if (b->dma[i].off != iova)
			continue;
		/* poison: a device or backend still using it shows */
		memset(qt_ram(b->qt) + iova, 0x5a, b->dma[i].len);
		b->c.dma_bytes_live -= b->dma[i].len;
		memmove(&b->dma[i], &b->dma[i + 1],
			(b->n_dma - i - 1) * sizeof(b->dma[0]));
		b->n_dma--;
		b->c.dma_frees++;
		b->c.dma_live--;
		return 0;
	}
	b->c.dma_bad_frees++;
	return -1;
}

void *bench_dma_ptr(struct bench *b, uint64_t iova, size_t len)
{
	if (iova > qt_ram_size(b->qt) || len > qt_ram_size(b->qt) - iova)
		return NULL;
	return qt_ram(b->qt) + iova;
}

bool bench_dma_owned(const struct bench *b, uint64_t addr, size_t len)
{
	for (unsigned int i = 0; i < b->n_dma; i++) {
		const struct bench_dma *d = &b->dma[i];

		if (addr >= d->off && addr - d->off <= d->len &&
		    len <= d->len - (addr - d->off))
			return true;
	}
	return false;
}

void bench_barrier(struct bench *b)
{
	b->c.barriers++;
	qt_quiesce(b->qt);
	b->wire_sent_at_barrier = qt_wire_sent(b->qt);
}

/* -- simulated guest RAM --------------------------------------------------- */

void *bench_gptr(struct bench *b, uint64_t gpa, size_t len)
{
	if (gpa < b->gram_base || gpa - b->gram_base > b->gram_size ||
	    len > b->gram_size - (gpa - b->gram_base))
		return NULL;
	return b->gram + (gpa - b->gram_base);
}

uint64_t bench_galloc(struct bench *b, size_t len, size_t align)
{
	uint64_t a;

	if (align < 2)
		align = 2;
	a = (b->gram_brk + align - 1) & ~(uint64_t)(align - 1);
	if (a + len > b->gram_base + b->gram_size)
		return 0;
	b->gram_brk = a + len;
	memset(bench_gptr(b, a, len), 0, len);
	return a;
}

void bench_greset(struct bench *b)
{
	b->gram_brk = b->gram_base + 0x1000;
}

/* -- frames ---------------------------------------------------------------- */

static uint8_t pat(uint32_t seq, size_t i)
{
	uint32_t x = seq * 2654435761u + (uint32_t)i * 40503u;

	return (uint8_t)(x >> 13 ^ x);
}

size_t frame_build(uint8_t *buf, size_t len, const uint8_t dst[6],
		   const uint8_t src[6], uint32_t flow, uint32_t seq)
{
	if (len < FRAME_HDR)
		len = FRAME_HDR;
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = FRAME_ETHERTYPE >> 8;
	buf[13] = FRAME_ETHERTYPE & 0xff;
	hw_put32(buf + 14, FRAME_MAGIC);
	hw_put32(buf + 18, flow);
	hw_put32(buf + 22, seq);
	hw_put32(buf + 26, (uint32_t)len);
	for (size_t i = FRAME_HDR; i < len; i++)
		buf[i] = pat(seq, i);
	return len;
}

int frame_check(const uint8_t *buf, size_t len, uint32_t *flow, uint32_t *seq)
{
	uint32_t s, l;

	if (len < FRAME_HDR || buf[12] != (FRAME_ETHERTYPE >> 8) ||
	    buf[13] != (FRAME_ETHERTYPE & 0xff) ||
	    hw_le32(buf + 14) != FRAME_MAGIC)
		return -1;
	s = hw_le32(buf + 22);
	l = hw_le32(buf + 26);
	/* short frames come back padded to 60 bytes with zeros */
	if (l > len || (l != len && len != 60))
		return -1;
	for (size_t i = FRAME_HDR; i < l; i++)
		if (buf[i] != pat(s, i))
			return -1;
	for (size_t i = l; i < len; i++)
		if (buf[i] != 0)
			return -1;
	if (flow)
		*flow = hw_le32(buf + 18);
	if (seq)
		*seq = s;
	return 0;
}

size_t frame_len_for(uint32_t seq, size_t min, size_t max)
{
	uint32_t x = seq * 2246822519u + 374761393u;

	if (max <= min)
		return min;
	return min + (x >> 7) % (max - min + 1);
}

void bench_require_qemu(void)
{
	const char *q = getenv("QEMU");
	const char *path = getenv("PATH");
	char buf[4096];

	if (q && *q) {
		if (access(q, X_OK) == 0)
			return;
	} else if (path) {
		const char *p = path;

		while (*p) {
			const char *e = strchr(p, ':');
			size_t n = e ? (size_t)(e - p) : strlen(p);

			snprintf(buf, sizeof(buf), "%.*s/qemu-system-x86_64",
				 (int)n, p);
			if (access(buf, X_OK) == 0)
				return;
			p += n + (e ? 1 : 0);
		}
	}
	/* A missing QEMU is a failure, not a skip: scripts/deps.sh installs
	 * it, so a bench that cannot run must not look green. */
	printf("FAIL: qemu-system-x86_64 not found (install "
	       "qemu-system-x86)\n");
	exit(1);
}
