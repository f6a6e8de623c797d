/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A hostile guest against the e100 backend. Each table entry programs the
 * NIC through pp_dev_access() and the simulated guest RAM in a way no
 * driver should, and states the contained outcome it expects:
 *
 *  - always: no crash (the ASan build runs this too), every call returns
 *    (a hang hits the meson timeout), QEMU and the qtest link stay
 *    healthy, no guest address reaches the device (audit), no DMA buffer
 *    leaked at destroy, the device interrupt line does not storm, and the
 *    bytes the guest did not hand to the NIC (canaries) are untouched;
 *  - per entry: guest_faults and/or guest_errors counted, refused
 *    accesses, a bound on the frames that reach the wire;
 *  - then the guest's own networking may be broken, but a driver reset
 *    (Linux-style open: selective + software reset, full init) and normal
 *    traffic both ways work exactly.
 */
#include "shadow_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum expect {
	X_ANY = 0,
	X_FAULT = 1,	 /* guest_faults grows */
	X_MALFORMED = 2, /* guest_faults or guest_errors grows */
	X_REFUSED = 4,	 /* some pp_dev_access() returned -EINVAL */
};

struct hcase {
	const char *name;
	void (*act)(struct fix *f);
	unsigned int expect;
	int max_wire; /* frames allowed on the wire during act; -1 = any */
};

#define RAM_END (BENCH_GRAM_BASE + BENCH_GRAM_SIZE)
#define BAR	0

static uint32_t rd(struct fix *f, uint32_t off, unsigned int w)
{
	return f->hw.ops->rd(&f->hw, BAR, off, w);
}

static void wr(struct fix *f, uint32_t off, unsigned int w, uint32_t v)
{
	f->hw.ops->wr(&f->hw, BAR, off, w, v);
}

static void scb(struct fix *f, uint8_t cmd, uint32_t gp)
{
	for (int i = 0; i < 100 && rd(f, HW_SCB_CMD, 1); i++)
		bench_plat_run(f->b, 0);
	wr(f, HW_SCB_GP, 4, gp);
	wr(f, HW_SCB_CMD, 1, cmd);
}

static uint8_t *gp(struct fix *f, uint64_t a, size_t len)
{
	uint8_t *p = bench_gptr(f->b, a, len);

	assert_non_null(p);
	return p;
}

static uint64_t ga(struct fix *f, size_t len)
{
	uint64_t a = bench_galloc(f->b, len, 16);

	assert_true(a != 0);
	return a;
}

static void cbh(struct fix *f, uint64_t a, uint16_t cmd, uint32_t link)
{
	uint8_t *p = gp(f, a, 8);

	hw_put16(p, 0);
	hw_put16(p + 2, cmd);
	hw_put32(p + 4, link);
}

/* A simplified TCB with a 100-byte frame. */
static void tcb_simple(struct fix *f, uint64_t a, uint16_t cmd, uint32_t link,
		       uint16_t count)
{
	uint8_t *p;

	cbh(f, a, HW_OP_TX | cmd, link);
	p = gp(f, a, 16);
	hw_put32(p + 8, 0xffffffffu);
	hw_put16(p + 12, count | HW_TCB_EOF);
	p[14] = 0xe0;
	p[15] = 0;
	if (count && count <= 1514)
		frame_build(gp(f, a + 16, count), count, traffic_peer, fix_mac,
			    99, 0);
}

/* A minimal device setup from the hostile guest: reset, bases, IA. */
static void basic_init(struct fix *f)
{
	uint64_t c = ga(f, 64);

	wr(f, HW_PORT, 4, HW_PORT_SW_RESET);
	scb(f, HW_CUC_LOAD_BASE, 0);
	scb(f, HW_RUC_LOAD_BASE, 0);
	cbh(f, c, HW_OP_IA | HW_CB_EL, (uint32_t)c);
	memcpy(gp(f, c + 8, 6), fix_mac, 6);
	scb(f, HW_CUC_START, (uint32_t)c);
	for (int i = 0; i < 2000 && !(hw_le16(gp(f, c, 2)) & HW_CB_C); i++)
		bench_plat_run(f->b, 1);
	assert_true(hw_le16(gp(f, c, 2)) & HW_CB_C);
}

static void send_frames(struct fix *f, unsigned int n, size_t len)
{
	uint8_t frame[2048];

	for (unsigned int i = 0; i < n; i++) {
		size_t l =
			frame_build(frame, len, fix_mac, traffic_peer, 98, i);

		qt_wire_send(f->b->qt, frame, l);
	}
	fix_settle(f);
}

/* -- the cases ------------------------------------------------------------- */

static void h_cbl_self_loop(struct fix *f)
{
	uint64_t c = ga(f, 16);

	basic_init(f);
	cbh(f, c, HW_OP_NOP, (uint32_t)c);
	scb(f, HW_CUC_START, (uint32_t)c);
	fix_run(f, 50);
	scb(f, HW_CUC_RESUME, 0);
	fix_run(f, 20);
}

static void h_cbl_tx_loop(struct fix *f)
{
	uint64_t a = ga(f, 256), b = ga(f, 256);

	basic_init(f);
	tcb_simple(f, a, 0, (uint32_t)b, 100);
	tcb_simple(f, b, 0, (uint32_t)a, 100);
	scb(f, HW_CUC_START, (uint32_t)a);
	fix_run(f, 100);
}

static void h_link_outside_ram(struct fix *f)
{
	uint64_t a = ga(f, 256);

	basic_init(f);
	tcb_simple(f, a, 0, 0xfffffff0u, 100);
	scb(f, HW_CUC_START, (uint32_t)a);
	fix_run(f, 20);
}

static void h_link_into_low_ram(struct fix *f)
{
	uint64_t a = ga(f, 256);

	basic_init(f);
	/* 0x100000 is QEMU RAM (the DMA area), not guest RAM */
	tcb_simple(f, a, 0, 0x00100000u, 100);
	scb(f, HW_CUC_START, (uint32_t)a);
	fix_run(f, 20);
}

static void h_cb_straddles_ram_end(struct fix *f)
{
	basic_init(f);
	scb(f, HW_CUC_START, (uint32_t)(RAM_END - 4));
	fix_run(f, 20);
}

static void h_cu_start_outside(struct fix *f)
{
	basic_init(f);
	scb(f, HW_CUC_START, 0x1000);
	fix_run(f, 10);
	scb(f, HW_CUC_START, 0xffffffffu);
	fix_run(f, 10);
}

static void h_tbd_count_255_huge(struct fix *f)
{
	uint64_t t = ga(f, 16), arr = ga(f, 255 * 8), buf = ga(f, 0x4000);
	uint8_t *p;

	basic_init(f);
	cbh(f, t, HW_OP_TX | HW_CB_SF | HW_CB_EL, (uint32_t)t);
	p = gp(f, t, 16);
	hw_put32(p + 8, (uint32_t)arr);
	hw_put16(p + 12, 0);
	p[14] = 0xe0;
	p[15] = 255;
	for (int i = 0; i < 255; i++) {
		hw_put32(gp(f, arr + 8u * i, 8), (uint32_t)buf);
		hw_put32(gp(f, arr + 8u * i + 4, 4), 0x3fff);
	}
	scb(f, HW_CUC_START, (uint32_t)t);
	fix_run(f, 20);
}

static void h_tbd_array_outside(struct fix *f)
{
	uint64_t t = ga(f, 16);
	uint8_t *p;

	basic_init(f);
	cbh(f, t, HW_OP_TX | HW_CB_SF | HW_CB_EL, (uint32_t)t);
	p = gp(f, t, 16);
	hw_put32(p + 8, 0xfffffff8u);
	hw_put16(p + 12, 0);
	p[15] = 4;
	scb(f, HW_CUC_START, (uint32_t)t);
	fix_run(f, 20);
}

static void h_tbd_buffer_outside(struct fix *f)
{
	uint64_t t = ga(f, 32);
	uint8_t *p;

	basic_init(f);
	cbh(f, t, HW_OP_TX | HW_CB_SF | HW_CB_EL, (uint32_t)t);
	p = gp(f, t, 32);
	hw_put32(p + 8, (uint32_t)t + 16);
	hw_put16(p + 12, 0);
	p[15] = 1;
	hw_put32(p + 16, (uint32_t)(RAM_END - 10));
	hw_put32(p + 20, 100);
	scb(f, HW_CUC_START, (uint32_t)t);
	fix_run(f, 20);
}

static void h_tbd_sizes_zero(struct fix *f)
{
	uint64_t t = ga(f, 16), arr = ga(f, 255 * 8), buf = ga(f, 64);
	uint8_t *p;

	basic_init(f);
	cbh(f, t, HW_OP_TX | HW_CB_SF | HW_CB_EL, (uint32_t)t);
	p = gp(f, t, 16);
	hw_put32(p + 8, (uint32_t)arr);
	p[15] = 255;
	for (int i = 0; i < 255; i++) {
		hw_put32(gp(f, arr + 8u * i, 8), (uint32_t)buf);
		hw_put32(gp(f, arr + 8u * i + 4, 4), 0);
	}
	scb(f, HW_CUC_START, (uint32_t)t);
	fix_run(f, 20);
}

static void h_tx_zero_size(struct fix *f)
{
	uint64_t t = ga(f, 64);

	basic_init(f);
	tcb_simple(f, t, HW_CB_EL, (uint32_t)t, 0);
	scb(f, HW_CUC_START, (uint32_t)t);
	fix_run(f, 20);
}

static void h_tx_oversize(struct fix *f)
{
	uint64_t t = ga(f, 16 + 0x4000);

	basic_init(f);
	tcb_simple(f, t, HW_CB_EL, (uint32_t)t, 0x3fff);
	scb(f, HW_CUC_START, (uint32_t)t);
	fix_run(f, 20);
}

static void h_tx_tiny(struct fix *f)
{
	uint64_t t = ga(f, 64);

	basic_init(f);
	tcb_simple(f, t, HW_CB_EL, (uint32_t)t, 1);
	scb(f, HW_CUC_START, (uint32_t)t);
	fix_run(f, 20);
}

/* RFDs whose data area would overflow: canaries after each must hold. */
static uint64_t canary_rfd(struct fix *f, uint16_t size, uint16_t cmd,
			   uint32_t link)
{
	uint64_t r = ga(f, 16 + 2048);

	cbh(f, r, cmd, link);
	hw_put32(gp(f, r + 8, 4), 0xffffffffu);
	hw_put16(gp(f, r + 12, 2), 0);
	hw_put16(gp(f, r + 14, 2), size);
	if (size < 2048)
		memset(gp(f, r + 16 + size, 2048u - size), 0xc5, 2048u - size);
	return r;
}

static bool canary_ok(struct fix *f, uint64_t r, uint16_t size)
{
	const uint8_t *p = gp(f, r + 16 + size, 2048 - size);

	for (size_t i = 0; i < 2048u - size; i++)
		if (p[i] != 0xc5)
			return false;
	return true;
}

static void h_rfd_size_zero(struct fix *f)
{
	uint64_t r[4];

	basic_init(f);
	for (int i = 3; i >= 0; i--)
		r[i] = canary_rfd(f, 0, 0, i == 3 ? 0 : (uint32_t)r[i + 1]);
	hw_put32(gp(f, r[3] + 4, 4), (uint32_t)r[0]);
	scb(f, HW_RUC_START, (uint32_t)r[0]);
	send_frames(f, 6, 200);
	fix_run(f, 30);
	for (int i = 0; i < 4; i++)
		assert_true(canary_ok(f, r[i], 0));
}

static void h_rfd_small(struct fix *f)
{
	uint64_t r = canary_rfd(f, 20, HW_CB_EL, 0);

	basic_init(f);
	scb(f, HW_RUC_START, (uint32_t)r);
	send_frames(f, 2, 1000);
	fix_run(f, 30);
	assert_true(canary_ok(f, r, 20));
	/* whatever was written claims no more than the RFD holds */
	if (hw_le16(gp(f, r, 2)) & HW_CB_C)
		assert_true((hw_le16(gp(f, r + 12, 2)) & HW_RFD_COUNT_MASK) <=
			    20);
}

static void h_rfd_odd_size(struct fix *f)
{
	uint64_t r = canary_rfd(f, 0x3fff, HW_CB_EL, 0);

	/* size beyond the buffer the guest gave: the frame fits anyway */
	basic_init(f);
	scb(f, HW_RUC_START, (uint32_t)r);
	send_frames(f, 1, 1500);
	fix_run(f, 30);
}

static void h_rfd_link_outside(struct fix *f)
{
	uint64_t r = canary_rfd(f, 1600, 0, 0xfffff000u);

	basic_init(f);
	scb(f, HW_RUC_START, (uint32_t)r);
	send_frames(f, 4, 300);
	fix_run(f, 30);
}

static void h_rfd_at_ram_end(struct fix *f)
{
	uint64_t r = RAM_END - 100;
	uint8_t *p = gp(f, r, 16);

	basic_init(f);
	hw_put16(p, 0);
	hw_put16(p + 2, HW_CB_EL);
	hw_put32(p + 4, 0);
	hw_put32(p + 8, 0xffffffffu);
	hw_put16(p + 12, 0);
	hw_put16(p + 14, 1600);
	scb(f, HW_RUC_START, (uint32_t)r);
	send_frames(f, 2, 1000);
	fix_run(f, 30);
}

static void h_rfd_self_loop(struct fix *f)
{
	uint64_t r = canary_rfd(f, 1600, 0, 0);

	hw_put32(gp(f, r + 4, 4), (uint32_t)r);
	basic_init(f);
	scb(f, HW_RUC_START, (uint32_t)r);
	send_frames(f, 20, 400);
	fix_run(f, 50);
	assert_true(canary_ok(f, r, 1600));
}

static void h_cmd_every_value_width(struct fix *f)
{
	uint64_t c = ga(f, 64);

	basic_init(f);
	cbh(f, c, HW_OP_NOP | HW_CB_EL, (uint32_t)c);
	for (unsigned int v = 0; v < 256; v++) {
		uint32_t g = (v & 1) ? (uint32_t)c : 0xdead0000u + v;

		wr(f, HW_SCB_GP, 4, g);
		wr(f, HW_SCB_CMD, 1, v);
		wr(f, HW_SCB_CMD, 2, v | (v << 8));
		wr(f, HW_SCB_STATUS, 4, v << 16 | 0xff00u);
		wr(f, HW_SCB_INTMASK, 1, v);
		(void)rd(f, HW_SCB_STATUS, 4);
		(void)rd(f, HW_SCB_CMD, 2);
		if ((v & 15) == 15)
			bench_plat_run(f->b, 0);
	}
	fix_run(f, 20);
}

static void h_ack_never_raised(struct fix *f)
{
	basic_init(f);
	wr(f, HW_SCB_STATACK, 1, 0xff);
	wr(f, HW_SCB_INTMASK, 1, 0);
	fix_run(f, 5);
	for (int i = 0; i < 50; i++) {
		wr(f, HW_SCB_STATACK, 1, (uint32_t)(1u << (i & 7)));
		wr(f, HW_SCB_STATUS, 2, 0xff00);
		wr(f, HW_SCB_STATUS, 4, 0x0000ff00u);
	}
	fix_run(f, 5);
	assert_false(f->b->guest_irq);
	assert_int_equal(rd(f, HW_SCB_STATACK, 1), 0);
}

static void h_reset_mid_chain(struct fix *f)
{
	enum { N = 300 };
	uint64_t ring = ga(f, N * 128u);

	basic_init(f);
	for (unsigned int i = 0; i < N; i++)
		tcb_simple(f, ring + 128u * i, i == N - 1 ? HW_CB_EL : 0,
			   (uint32_t)(ring + 128u * ((i + 1) % N)), 60);
	scb(f, HW_CUC_START, (uint32_t)ring);
	wr(f, HW_PORT, 4, HW_PORT_SW_RESET);
	fix_run(f, 5);
	scb(f, HW_CUC_START, (uint32_t)ring);
	fix_run(f, 1);
	wr(f, HW_PORT, 4, HW_PORT_SEL_RESET);
	fix_run(f, 1);
	scb(f, HW_CUC_RESUME, 0);
	wr(f, HW_PORT, 2, HW_PORT_SW_RESET); /* 16-bit PORT halves */
	wr(f, HW_PORT + 2, 2, 0);
	fix_run(f, 20);
}

static void h_port_selftest_outside(struct fix *f)
{
	basic_init(f);
	wr(f, HW_PORT, 4, 0x00001000u | HW_PORT_SELFTEST);
	fix_run(f, 20);
	wr(f, HW_PORT, 4, (uint32_t)(RAM_END - 4) | HW_PORT_SELFTEST);
	fix_run(f, 20);
}

static void h_port_dump(struct fix *f)
{
	uint64_t a = ga(f, 1024);

	basic_init(f);
	wr(f, HW_PORT, 4, (uint32_t)a | HW_PORT_DUMP);
	fix_run(f, 20);
	wr(f, HW_PORT, 4, 0x00200000u | HW_PORT_DUMP);
	fix_run(f, 20);
}

static void h_dump_addr_outside(struct fix *f)
{
	basic_init(f);
	scb(f, HW_CUC_DUMP_ADDR, 0xfffffff0u);
	scb(f, HW_CUC_DUMP, 0);
	fix_run(f, 10);
	scb(f, HW_CUC_DUMP_ADDR, (uint32_t)(RAM_END - 8));
	scb(f, HW_CUC_DUMP_RESET, 0);
	fix_run(f, 10);
}

static void h_dump_without_addr(struct fix *f)
{
	wr(f, HW_PORT, 4, HW_PORT_SW_RESET);
	scb(f, HW_CUC_DUMP, 0);
	scb(f, HW_CUC_DUMP_RESET, 0);
	fix_run(f, 10);
}

static void h_dump_cb(struct fix *f)
{
	uint64_t c = ga(f, 16), buf = ga(f, 600);

	basic_init(f);
	cbh(f, c, HW_OP_DUMP | HW_CB_EL, (uint32_t)c);
	hw_put32(gp(f, c + 8, 4), (uint32_t)buf);
	scb(f, HW_CUC_START, (uint32_t)c);
	fix_run(f, 20);
	hw_put32(gp(f, c + 8, 4), 0x00100000u); /* QEMU RAM, not guest */
	hw_put16(gp(f, c, 2), 0);
	scb(f, HW_CUC_START, (uint32_t)c);
	fix_run(f, 20);
}

static void h_mcast_huge(struct fix *f)
{
	uint64_t c = ga(f, 16 + 0x4000);

	basic_init(f);
	cbh(f, c, HW_OP_MCAST | HW_CB_EL, (uint32_t)c);
	hw_put16(gp(f, c + 8, 2), 0x3fff);
	memset(gp(f, c + 10, 0x3fff), 0x01, 0x3fff);
	scb(f, HW_CUC_START, (uint32_t)c);
	fix_run(f, 20);
	/* and one running off the end of guest RAM */
	scb(f, HW_CUC_START, (uint32_t)(RAM_END - 12));
	fix_run(f, 20);
}

static void h_config_hostile(struct fix *f)
{
	uint64_t c = ga(f, 64);
	uint8_t *p;

	basic_init(f);
	cbh(f, c, HW_OP_CONFIG | HW_CB_EL, (uint32_t)c);
	p = gp(f, c + 8, 32);
	memset(p, 0xff, 32); /* byte count 63, CRC transfer, loopback... */
	scb(f, HW_CUC_START, (uint32_t)c);
	fix_run(f, 20);
	send_frames(f, 3, 200);
	fix_run(f, 10);
}

static void h_microcode_and_unknown_ops(struct fix *f)
{
	uint64_t c = ga(f, 16 + 1024);

	basic_init(f);
	for (uint16_t op = 5; op <= 7; op++) {
		cbh(f, c, op | HW_CB_EL | 0x0008, (uint32_t)c);
		memset(gp(f, c + 8, 1024), 0x5a, 1024);
		scb(f, HW_CUC_START, (uint32_t)c);
		fix_run(f, 5);
	}
	/* opcodes with bit 3 (82550 "load filter"/IPCB) on an 82557 */
	for (uint16_t op = 8; op < 16; op++) {
		cbh(f, c, op | HW_CB_EL, (uint32_t)c);
		scb(f, HW_CUC_START, (uint32_t)c);
		fix_run(f, 2);
	}
}

static void h_cu_resume_idle(struct fix *f)
{
	basic_init(f);
	for (int i = 0; i < 10; i++)
		scb(f, HW_CUC_RESUME, 0xffffffffu);
	scb(f, HW_CUC_STATIC_RESUME, 0);
	scb(f, 0x30, 0xffffffffu); /* HPQ start */
	scb(f, 0xb0, 0);	   /* HPQ resume */
	fix_run(f, 20);
}

static void h_ru_odd_commands(struct fix *f)
{
	basic_init(f);
	scb(f, HW_RUC_RESUME, 0);
	scb(f, HW_RUC_ABORT, 0);
	scb(f, HW_RUC_START, 0xfffffff0u);
	scb(f, HW_RUC_LOAD_HDS, 0x3ffe);
	scb(f, 0x03, 0xffffffffu);
	scb(f, 0x07, 0);
	scb(f, HW_RUC_START | HW_CUC_START, 0xfffffff0u); /* both in one */
	send_frames(f, 3, 100);
	fix_run(f, 20);
}

static void h_bar_out_of_range(struct fix *f)
{
	uint32_t v = 0;
	struct pp_dev *d = f->b->dev;

	assert_true(pp_dev_access(d, 0, 0x1000, 4, false, &v) < 0 ||
		    v == 0xffffffffu);
	(void)pp_dev_access(d, 0, 0xffffffffu, 4, true, &v);
	(void)pp_dev_access(d, 1, 0x40, 1, false, &v);
	(void)pp_dev_access(d, 5, 0, 4, false, &v);
	(void)pp_dev_access(d, 2, 0x1fffc, 4, false, &v);
	(void)pp_dev_access(d, 0, 0, 3, false, &v);
	(void)pp_dev_access(d, 0, 0, 8, true, &v);
	(void)pp_dev_access(d, 0, 1, 4, true, &v);
	(void)pp_dev_access(d, 0, 3, 2, false, &v);
	(void)pp_dev_access(d, 1, 0x3e, 4, false, &v);
	(void)pp_dev_access(d, 0, 0, 0, false, &v);
	if (pp_dev_access(d, 6, 0, 4, false, &v) < 0)
		f->hw.refused++;
	fix_run(f, 5);
}

static void h_eeprom_write(struct fix *f)
{
	static const uint16_t ops[] = {0x4c0 /* EWEN */, 0x500 /* WRITE 0 */};
	struct gnic probe = {0};
	struct gdrv d = gdrv_linux;

	probe.drv = &d;
	probe.hw = &f->hw;
	/* bit-bang EWEN (100 11xxxx) and WRITE word 0 (101 000000) */
	for (unsigned int k = 0; k < 2; k++) {
		gn_wr(&probe, HW_EEPROM, 1, 0x02);
		for (int i = 10; i >= 0; i--) {
			uint8_t di = (ops[k] >> i) & 1 ? 0x04 : 0;

			gn_wr(&probe, HW_EEPROM, 1, 0x02 | di);
			gn_wr(&probe, HW_EEPROM, 1, 0x03 | di);
		}
		for (int i = 0; k == 1 && i < 16; i++) {
			gn_wr(&probe, HW_EEPROM, 1, 0x02 | 0x04);
			gn_wr(&probe, HW_EEPROM, 1, 0x03 | 0x04);
		}
		gn_wr(&probe, HW_EEPROM, 1, 0);
	}
	fix_run(f, 5);
}

static void h_mdi_odd(struct fix *f)
{
	wr(f, HW_MDI, 4, HW_MDI_OP_READ | 31u << 21 | 31u << 16);
	wr(f, HW_MDI, 4, HW_MDI_OP_WRITE | 1u << 21 | 0u << 16 | 0x8000);
	wr(f, HW_MDI, 4, 0xffffffffu);
	wr(f, HW_MDI + 2, 2, 0xffff);
	wr(f, HW_MDI + 3, 1, 0xff);
	fix_run(f, 10);
}

static void h_ia_multicast_and_zero(struct fix *f)
{
	static const uint8_t mc[6] = {0x01, 0, 0, 0, 0, 1};
	uint64_t c = ga(f, 64);

	basic_init(f);
	cbh(f, c, HW_OP_IA | HW_CB_EL, (uint32_t)c);
	memcpy(gp(f, c + 8, 6), mc, 6);
	scb(f, HW_CUC_START, (uint32_t)c);
	fix_run(f, 5);
	cbh(f, c, HW_OP_IA | HW_CB_EL, (uint32_t)c);
	memset(gp(f, c + 8, 6), 0, 6);
	scb(f, HW_CUC_START, (uint32_t)c);
	fix_run(f, 5);
}

static void h_guest_rewrites_cb_during_walk(struct fix *f)
{
	enum { N = 200 };
	uint64_t ring = ga(f, N * 128u);

	/* a long chain, then the guest scribbles over it while parked */
	basic_init(f);
	for (unsigned int i = 0; i < N; i++)
		tcb_simple(f, ring + 128u * i, 0,
			   (uint32_t)(ring + 128u * ((i + 1) % N)), 60);
	scb(f, HW_CUC_START, (uint32_t)ring);
	for (int k = 0; k < 20; k++) {
		uint64_t a = ring + 128u * (uint64_t)(rand() % N);

		memset(gp(f, a, 128), rand() & 0xff, 128);
		bench_plat_run(f->b, 1);
	}
	fix_run(f, 20);
}

/* Not hostile, only unusual: CU and RU bases other than 0. The manual
 * adds the base to every CB/RFD link and to the GP of CU/RU start. */
static void h_nonzero_bases(struct fix *f)
{
	uint64_t c = ga(f, 64), t = ga(f, 256), r = ga(f, 16 + 1600);
	const uint32_t base = (uint32_t)BENCH_GRAM_BASE;
	uint8_t frame[200], got[2048], *p;
	size_t len = frame_build(frame, 150, traffic_peer, fix_mac, 97, 0);
	ssize_t k;

	wr(f, HW_PORT, 4, HW_PORT_SW_RESET);
	scb(f, HW_CUC_LOAD_BASE, base);
	scb(f, HW_RUC_LOAD_BASE, base);
	cbh(f, c, HW_OP_IA, (uint32_t)(t - base));
	memcpy(gp(f, c + 8, 6), fix_mac, 6);
	tcb_simple(f, t, HW_CB_EL, (uint32_t)(c - base), 150);
	memcpy(gp(f, t + 16, len), frame, len);
	cbh(f, r, HW_CB_EL, 0);
	p = gp(f, r, 16);
	hw_put32(p + 8, 0xffffffffu);
	hw_put16(p + 14, 1600);
	scb(f, HW_CUC_START, (uint32_t)(c - base));
	scb(f, HW_RUC_START, (uint32_t)(r - base));
	fix_run(f, 10);
	k = qt_wire_recv(f->b->qt, got, sizeof(got), 100);
	assert_int_equal(k, (ssize_t)len);
	assert_memory_equal(got, frame, len);
	assert_int_equal(hw_le16(gp(f, c, 2)) & (HW_CB_C | HW_CB_OK),
			 HW_CB_C | HW_CB_OK);
	send_frames(f, 1, 300);
	fix_run(f, 20);
	assert_int_equal(hw_le16(gp(f, r, 2)) & (HW_CB_C | HW_CB_OK),
			 HW_CB_C | HW_CB_OK);
}

/* Another vCPU rewrites every descriptor right after the backend read it:
 * a double fetch (validate one copy, use another) would show under ASan. */
static void h_racing_guest(struct fix *f)
{
	struct gnic *n;
	uint8_t frame[2048];

	n = fix_guest(f, &gdrv_linux);
	f->b->race_guest = true;
	f->b->race_seed = 12345;
	for (uint32_t i = 0; i < 300; i++) {
		size_t len = frame_build(frame, frame_len_for(i, 60, 1514),
					 traffic_peer, fix_mac, 96, i);

		(void)gdrv_linux.xmit(n, frame, len);
		len = frame_build(frame, frame_len_for(i, 60, 1514), fix_mac,
				  traffic_peer, 95, i);
		qt_wire_send(f->b->qt, frame, len);
		gnic_run(n, 0);
	}
	fix_run(f, 30);
	f->b->race_guest = false;
	printf("racing guest: %llu reads scribbled\n",
	       (unsigned long long)f->b->race_scribbles);
	fix_guest_close(f);
}

/* Random SCB commands and PORT writes over a guest RAM area full of
 * random descriptors whose links stay inside it, frames arriving. */
static void chaos(struct fix *f, uint32_t seed)
{
	enum { AREA = 64 * 1024 };
	uint64_t a = ga(f, AREA);
	uint8_t *p = gp(f, a, AREA);
	uint8_t frame[2048];

	for (int round = 0; round < 40; round++) {
		for (size_t i = 0; i < AREA; i += 4) {
			seed = seed * 1103515245u + 12345u;
			hw_put32(p + i, seed);
		}
		/* make a fraction of the words plausible links/commands */
		for (size_t i = 0; i + 16 <= AREA; i += 64) {
			seed = seed * 1103515245u + 12345u;
			hw_put32(p + i + 4,
				 (uint32_t)a +
					 ((seed >> 8) % (AREA / 16)) * 16);
			hw_put16(p + i + 2, (uint16_t)(seed & 0xe01f));
			hw_put16(p + i + 14, (uint16_t)((seed >> 4) & 0x7ff));
			if (seed & 0x100)
				hw_put32(p + i + 8, 0xffffffffu);
		}
		for (int k = 0; k < 50; k++) {
			uint32_t g =
				(uint32_t)a + ((seed >> 3) % (AREA / 16)) * 16;
			static const uint8_t cmds[] = {
				HW_CUC_START, HW_CUC_RESUME,
				HW_RUC_START, HW_RUC_RESUME,
				HW_RUC_ABORT, HW_CUC_DUMP_ADDR,
				HW_CUC_DUMP,  HW_CUC_DUMP_RESET,
				0x00,
			};

			seed = seed * 1103515245u + 12345u;
			switch (seed % 7) {
			case 0:
				wr(f, HW_PORT, 4,
				   g | ((seed >> 20) % 3 == 0
						? HW_PORT_SELFTEST
						: HW_PORT_SEL_RESET));
				break;
			case 1:
				wr(f, HW_SCB_STATACK, 1, seed >> 24);
				break;
			case 2: {
				size_t l = frame_build(
					frame, frame_len_for(seed, 60, 1514),
					fix_mac, traffic_peer, 94, seed);

				qt_wire_send(f->b->qt, frame, l);
				break;
			}
			default:
				wr(f, HW_SCB_GP, 4, g);
				wr(f, HW_SCB_CMD, 1,
				   cmds[(seed >> 12) % sizeof(cmds)]);
				break;
			}
			if ((k & 7) == 7)
				bench_plat_run(f->b, 0);
		}
		bench_plat_run(f->b, 1);
	}
	fix_run(f, 20);
}

static void h_chaos_1(struct fix *f)
{
	chaos(f, 1);
}

static void h_chaos_2(struct fix *f)
{
	chaos(f, 0xdeadbeef);
}

static void h_chaos_3(struct fix *f)
{
	chaos(f, 424242);
}

static const struct hcase cases[] = {
	{"racing_guest_rewrites_after_read", h_racing_guest, X_ANY, -1},
	{"chaos_seed_1", h_chaos_1, X_ANY, -1},
	{"chaos_seed_deadbeef", h_chaos_2, X_ANY, -1},
	{"chaos_seed_424242", h_chaos_3, X_ANY, -1},
	{"nonzero_cu_ru_base", h_nonzero_bases, X_ANY, -1},
	{"cbl_self_loop", h_cbl_self_loop, X_ANY, 0},
	{"cbl_tx_loop_bounded", h_cbl_tx_loop, X_ANY, 4096},
	{"cb_link_outside_ram", h_link_outside_ram, X_FAULT, 1},
	{"cb_link_into_dma_area", h_link_into_low_ram, X_FAULT, 1},
	{"cb_straddles_ram_end", h_cb_straddles_ram_end, X_FAULT, 0},
	{"cu_start_outside_ram", h_cu_start_outside, X_FAULT, 0},
	{"tbd_count_255_sizes_max", h_tbd_count_255_huge, X_MALFORMED, 0},
	{"tbd_array_outside_ram", h_tbd_array_outside, X_MALFORMED, 0},
	{"tbd_buffer_straddles_end", h_tbd_buffer_outside, X_FAULT, 0},
	{"tbd_sizes_all_zero", h_tbd_sizes_zero, X_ANY, 0},
	{"tx_zero_size", h_tx_zero_size, X_ANY, 0},
	{"tx_oversize_16383", h_tx_oversize, X_MALFORMED, 0},
	{"tx_one_byte", h_tx_tiny, X_ANY, 1},
	{"rfd_size_zero_ring", h_rfd_size_zero, X_ANY, 0},
	{"rfd_smaller_than_frame", h_rfd_small, X_ANY, 0},
	{"rfd_size_16383", h_rfd_odd_size, X_ANY, 0},
	{"rfd_link_outside_ram", h_rfd_link_outside, X_FAULT, 0},
	{"rfd_data_straddles_end", h_rfd_at_ram_end, X_FAULT, 0},
	{"rfd_self_loop", h_rfd_self_loop, X_ANY, 0},
	{"scb_cmd_every_value_width", h_cmd_every_value_width, X_ANY, -1},
	{"ack_bits_never_raised", h_ack_never_raised, X_ANY, 0},
	{"reset_mid_chain", h_reset_mid_chain, X_ANY, 600},
	{"port_selftest_outside_ram", h_port_selftest_outside, X_FAULT, 0},
	{"port_dump_guest_address", h_port_dump, X_ANY, 0},
	{"dump_address_outside_ram", h_dump_addr_outside, X_FAULT, 0},
	{"dump_without_address", h_dump_without_addr, X_ANY, 0},
	{"dump_cb_op6", h_dump_cb, X_ANY, 0},
	{"mcast_count_huge", h_mcast_huge, X_MALFORMED, 0},
	{"configure_all_ones", h_config_hostile, X_ANY, 0},
	{"microcode_and_unknown_ops", h_microcode_and_unknown_ops, X_ANY, 0},
	{"cu_resume_idle_hpq_static", h_cu_resume_idle, X_ANY, 0},
	{"ru_odd_commands", h_ru_odd_commands, X_ANY, 0},
	{"bar_access_out_of_range", h_bar_out_of_range, X_REFUSED, 0},
	{"eeprom_write_attempt", h_eeprom_write, X_ANY, 0},
	{"mdi_odd_phy_and_reset", h_mdi_odd, X_ANY, 0},
	{"ia_multicast_and_zero", h_ia_multicast_and_zero, X_ANY, 0},
	{"cbl_rewritten_while_walked", h_guest_rewrites_cb_during_walk, X_ANY,
	 -1},
};

static void run_case(void **state)
{
	struct fix *f = fix_get(state);
	const struct hcase *hc = f->arg;
	struct pp_dev_stats before = fix_stats(f), after;
	struct traffic_result res;
	uint8_t buf[4096];
	int wire = 0;

	hc->act(f);
	bench_plat_run(f->b, 0);
	while (qt_wire_recv(f->b->qt, buf, sizeof(buf), 0) > 0)
		wire++;
	after = fix_stats(f);
	printf("%s: faults +%llu errors +%llu refused %llu wire %d\n", hc->name,
	       (unsigned long long)(after.guest_faults - before.guest_faults),
	       (unsigned long long)(after.guest_errors - before.guest_errors),
	       (unsigned long long)f->hw.refused, wire);
	fix_assert_healthy(f);
	if (hc->max_wire >= 0 && wire > hc->max_wire)
		fail_msg("%s: %d frames reached the wire (bound %d)", hc->name,
			 wire, hc->max_wire);
	if ((hc->expect & X_FAULT) && after.guest_faults == before.guest_faults)
		fail_msg("%s: no guest fault counted", hc->name);
	if ((hc->expect & X_MALFORMED) &&
	    after.guest_faults + after.guest_errors ==
		    before.guest_faults + before.guest_errors)
		fail_msg("%s: neither a guest fault nor a guest error counted",
			 hc->name);
	if ((hc->expect & X_REFUSED) && f->hw.refused == 0)
		fail_msg("%s: no access refused", hc->name);

	/* recovery: a driver reset and normal traffic both ways */
	bench_greset(f->b);
	fix_guest(f, &gdrv_linux);
	while (qt_wire_recv(f->b->qt, buf, sizeof(buf), 0) > 0)
		;
	f->rx.flow = 200;
	TRAFFIC_OK(traffic_tx(f->b, f->n, 201, 200, 60, 1514, 8, 20000, &res),
		   res, f);
	TRAFFIC_OK(
		traffic_rx(f->b, f->n, &f->rx, 200, 60, 1514, 16, 20000, &res),
		res, f);
	fix_assert_healthy(f);
}

int main(void)
{
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest tests[N];
	const char *only = getenv("E100_HOSTILE_ONLY");
	size_t k = 0;

	for (size_t i = 0; i < N; i++) {
		if (only && *only && !strstr(cases[i].name, only))
			continue;
		tests[k].name = cases[i].name;
		tests[k].test_func = run_case;
		tests[k].setup_func = fix_setup;
		tests[k].teardown_func = fix_teardown;
		tests[k].initial_state = (void *)(uintptr_t)&cases[i];
		k++;
	}
	bench_require_qemu();
	return _cmocka_run_group_tests("e100 hostile guest", tests, k, NULL,
				       NULL);
}
