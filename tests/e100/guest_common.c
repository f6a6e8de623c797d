/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test guest drivers: shared helpers and the raw (QEMU-direct) hardware.
 */
#define _GNU_SOURCE
#include "guest.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "hw8255x.h"

uint64_t gn_now_ms(void)
{
	return bench_now_ns() / 1000000u;
}

/* -- raw hardware: QEMU's NIC directly, descriptors in QEMU RAM ---------- */

static uint32_t raw_rd(struct ghw *hw, unsigned int bar, uint32_t off,
		       unsigned int width)
{
	return bench_reg_read(hw->b, bar, off, width);
}

static void raw_wr(struct ghw *hw, unsigned int bar, uint32_t off,
		   unsigned int width, uint32_t v)
{
	bench_reg_write(hw->b, bar, off, width, v);
}

static void *raw_mem(struct ghw *hw, uint64_t gpa, size_t len)
{
	return bench_dma_ptr(hw->b, gpa, len);
}

static uint64_t raw_alloc(struct ghw *hw, size_t len, size_t align)
{
	return bench_dma_alloc(hw->b, len, align);
}

static bool raw_irq(struct ghw *hw)
{
	return qt_irq_level(hw->b->qt, hw->b->nic.irq);
}

static void raw_run(struct ghw *hw, int ms)
{
	qt_poll(hw->b->qt, ms);
	/* the guest then reads RAM the device wrote: no DMA in flight */
	bench_barrier(hw->b);
}

static const struct ghw_ops raw_ops = {
	.rd = raw_rd,
	.wr = raw_wr,
	.mem = raw_mem,
	.alloc = raw_alloc,
	.irq = raw_irq,
	.run = raw_run,
};

void ghw_init_raw(struct ghw *hw, struct bench *b)
{
	memset(hw, 0, sizeof(*hw));
	hw->ops = &raw_ops;
	hw->b = b;
	hw->raw = true;
}

/* -- register and memory helpers ------------------------------------------ */

void gn_fail(struct gnic *n, const char *fmt, ...)
{
	va_list ap;

	if (n->err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(n->err, sizeof(n->err), fmt, ap);
	va_end(ap);
	if (getenv("E100_BENCH_VERBOSE"))
		fprintf(stderr, "guest %s: %s\n", n->drv->name, n->err);
}

uint32_t gn_rd(struct gnic *n, uint32_t off, unsigned int width)
{
	return n->hw->ops->rd(n->hw, n->drv->bar, off, width);
}

void gn_wr(struct gnic *n, uint32_t off, unsigned int width, uint32_t v)
{
	n->hw->ops->wr(n->hw, n->drv->bar, off, width, v);
}

void *gn_mem(struct gnic *n, uint64_t gpa, size_t len)
{
	void *p = n->hw->ops->mem(n->hw, gpa, len);

	if (!p) {
		/* a test guest bug, never the backend's */
		fprintf(stderr, "guest %s: bad own address 0x%llx+%zu\n",
			n->drv->name, (unsigned long long)gpa, len);
		abort();
	}
	return p;
}

uint16_t gn_get16(struct gnic *n, uint64_t gpa)
{
	return hw_le16(gn_mem(n, gpa, 2));
}

uint32_t gn_get32(struct gnic *n, uint64_t gpa)
{
	return hw_le32(gn_mem(n, gpa, 4));
}

void gn_put16(struct gnic *n, uint64_t gpa, uint16_t v)
{
	hw_put16(gn_mem(n, gpa, 2), v);
}

void gn_put32(struct gnic *n, uint64_t gpa, uint32_t v)
{
	hw_put32(gn_mem(n, gpa, 4), v);
}

int gn_wait_scb(struct gnic *n)
{
	/* Drivers spin 1 ms-600 ms; the shadow must accept at once. */
	for (int i = 0; i < 2000; i++) {
		if (gn_rd(n, HW_SCB_CMD, 1) == 0)
			return 0;
		if (i > 20)
			n->hw->ops->run(n->hw, 0);
	}
	n->c.cmd_timeouts++;
	gn_fail(n, "SCB command byte never cleared");
	return -1;
}

int gn_cmd(struct gnic *n, uint8_t cmd, bool with_gp, uint32_t gp)
{
	if (gn_wait_scb(n) < 0)
		return -1;
	if (with_gp)
		gn_wr(n, HW_SCB_GP, 4, gp);
	gn_wr(n, HW_SCB_CMD, 1, cmd);
	if ((cmd & 0xf0) == HW_CUC_START)
		n->c.cu_starts++;
	else if ((cmd & 0xf0) == HW_CUC_RESUME)
		n->c.cu_resumes++;
	if ((cmd & 0x07) == HW_RUC_START)
		n->c.ru_starts++;
	return 0;
}

int gn_wait_c(struct gnic *n, uint64_t gpa, int ms)
{
	uint64_t deadline = gn_now_ms() + (uint64_t)ms;

	for (;;) {
		if (gn_get16(n, gpa) & HW_CB_C)
			return 0;
		if (gn_now_ms() > deadline)
			break;
		n->hw->ops->run(n->hw, 0);
	}
	n->c.cb_timeouts++;
	gn_fail(n, "CB at 0x%llx not completed within %d ms",
		(unsigned long long)gpa, ms);
	return -1;
}

int gn_mdi(struct gnic *n, bool write, unsigned int phy, unsigned int reg,
	   uint16_t *val)
{
	uint32_t v = (write ? HW_MDI_OP_WRITE : HW_MDI_OP_READ) |
		     (phy & 31) << 21 | (reg & 31) << 16 | (write ? *val : 0);

	n->c.mdi_ops++;
	gn_wr(n, HW_MDI, 4, v);
	for (int i = 0; i < 1000; i++) {
		uint32_t r = gn_rd(n, HW_MDI, 4);

		if (r & HW_MDI_READY) {
			if (!write)
				*val = (uint16_t)r;
			return 0;
		}
		n->hw->ops->run(n->hw, 0);
	}
	gn_fail(n, "MDI never ready");
	return -1;
}

void gn_port(struct gnic *n, unsigned int fn, uint32_t addr)
{
	gn_wr(n, HW_PORT, 4, (addr & ~0xfu) | (fn & 0xf));
}

/* EEPROM control bits at 0x0e */
#define EE_SK 0x01
#define EE_CS 0x02
#define EE_DI 0x04
#define EE_DO 0x08

static void ee_w(struct gnic *n, bool wide, uint16_t v)
{
	if (wide)
		gn_wr(n, HW_EEPROM, 2, v);
	else
		gn_wr(n, HW_EEPROM, 1, v);
}

uint16_t gn_eeprom_read(struct gnic *n, unsigned int w, bool wide)
{
	/* start bit, READ opcode 10b, 6 address bits (93C46) */
	uint32_t bits = 1u << 8 | 2u << 6 | (w & 0x3f);
	uint16_t v = 0;

	ee_w(n, wide, EE_CS);
	for (int i = 8; i >= 0; i--) {
		uint16_t di = (bits >> i) & 1 ? EE_DI : 0;

		ee_w(n, wide, EE_CS | di);
		ee_w(n, wide, EE_CS | di | EE_SK);
		ee_w(n, wide, EE_CS | di);
	}
	for (int i = 0; i < 16; i++) {
		ee_w(n, wide, EE_CS | EE_SK);
		v = (uint16_t)(v << 1 |
			       ((gn_rd(n, HW_EEPROM, wide ? 2 : 1) & EE_DO)
					? 1
					: 0));
		ee_w(n, wide, EE_CS);
	}
	ee_w(n, wide, 0);
	return v;
}

void gn_config_bytes(struct gnic *n, uint8_t cfg[22])
{
	memcpy(cfg, hw_config_default, HW_CONFIG_LEN);
	if (n->promisc) {
		cfg[15] |= 0x01;	  /* promiscuous */
		cfg[6] |= 0x80;		  /* save bad frames */
		cfg[7] &= (uint8_t)~0x01; /* keep short frames */
	}
	if (n->allmulti)
		cfg[21] |= 0x08;
}

/* -- generic NIC object -----------------------------------------------------
 */

struct gnic *gnic_new(const struct gdrv *drv, struct ghw *hw,
		      const uint8_t mac[6], gnic_rx_fn rx, void *arg)
{
	struct gnic *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->drv = drv;
	n->hw = hw;
	memcpy(n->mac, mac, 6);
	n->rx = rx;
	n->rx_arg = arg;
	if (drv->open(n) < 0) {
		fprintf(stderr, "guest %s: open failed: %s\n", drv->name,
			n->err[0] ? n->err : "?");
		gnic_free(n);
		return NULL;
	}
	n->up = true;
	return n;
}

void gnic_free(struct gnic *n)
{
	if (!n)
		return;
	if (n->up)
		n->drv->close(n);
	free(n->priv);
	free(n);
}

void gnic_run(struct gnic *n, int ms)
{
	n->hw->ops->run(n->hw, ms);
	n->drv->service(n);
}

int gnic_xmit_wait(struct gnic *n, const uint8_t *frame, size_t len, int ms)
{
	uint64_t deadline = gn_now_ms() + (uint64_t)ms;

	for (;;) {
		int r = n->drv->xmit(n, frame, len);

		if (r == 0)
			return 0;
		if (r != -EAGAIN || gn_now_ms() > deadline)
			return -1;
		n->c.tx_full++;
		n->drv->kick(n);
		gnic_run(n, 1);
	}
}
