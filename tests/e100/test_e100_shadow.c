/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The e100 backend through the bench: test guest drivers of four
 * lineages program the NIC through pp_dev_access() and the simulated guest
 * RAM; QEMU's i82557b is the real NIC. Link/PHY via MDI, EEPROM, MAC via
 * IA setup, frames both ways byte-exact, statistics, multicast, reset
 * during traffic, RNR recovery.
 */
#include "shadow_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const uint8_t qemu_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

/* A bare guest for register-level tests (no rings). */
static uint32_t grd(struct fix *f, unsigned int bar, uint32_t off,
		    unsigned int w)
{
	return f->hw.ops->rd(&f->hw, bar, off, w);
}

static void gwr(struct fix *f, unsigned int bar, uint32_t off, unsigned int w,
		uint32_t v)
{
	f->hw.ops->wr(&f->hw, bar, off, w, v);
}

static uint16_t mdi_read(struct fix *f, unsigned int bar, unsigned int reg)
{
	gwr(f, bar, HW_MDI, 4, HW_MDI_OP_READ | 1u << 21 | reg << 16);
	for (int i = 0; i < 100; i++) {
		uint32_t v = grd(f, bar, HW_MDI, 4);

		if (v & HW_MDI_READY)
			return (uint16_t)v;
		bench_plat_run(f->b, 0);
	}
	fail_msg("MDI read of reg %u never ready", reg);
	return 0;
}

static void test_link_phy_mdi_eeprom(void **state)
{
	struct fix *f = fix_get(state);
	struct gnic probe = {0};
	struct gdrv d = gdrv_linux;
	uint16_t sum = 0;

	/* PHY 1 through both BARs: status (link up, autoneg done), IDs */
	for (unsigned int bar = 0; bar < 2; bar++) {
		assert_int_equal(mdi_read(f, bar, 1) & 0x0024, 0x0024);
		assert_int_equal(mdi_read(f, bar, 2), 0x02a8);
		assert_int_equal(mdi_read(f, bar, 3), 0x0154);
		assert_int_equal(grd(f, bar, HW_GEN_STATUS, 1) & 1, 1);
	}
	/* EEPROM through the trap, 8-bit (Linux) and 16-bit (FreeBSD) */
	probe.drv = &d;
	probe.hw = &f->hw;
	for (unsigned int w = 0; w < 3; w++) {
		uint16_t v8 = gn_eeprom_read(&probe, w, false);
		uint16_t v16 = gn_eeprom_read(&probe, w, true);

		assert_int_equal(v8, v16);
		assert_int_equal(v8 & 0xff, qemu_mac[2 * w]);
		assert_int_equal(v8 >> 8, qemu_mac[2 * w + 1]);
	}
	for (unsigned int w = 0; w < 64; w++)
		sum = (uint16_t)(sum + gn_eeprom_read(&probe, w, false));
	assert_int_equal(sum, 0xbaba);
	fix_assert_healthy(f);
}

static void test_mac_via_ia_setup(void **state)
{
	struct fix *f = fix_get(state);
	struct gnic *n = fix_guest(f, &gdrv_linux);
	uint8_t mac[6], frame[200], got[2048];
	size_t len;
	ssize_t k;
	struct pp_dev_stats st;

	assert_true(pp_dev_get_mac(f->b->dev, mac));
	assert_memory_equal(mac, fix_mac, 6);
	/* a frame to the IA reaches the guest ... */
	f->rx.flow = 7;
	len = frame_build(frame, 100, fix_mac, traffic_peer, 7, 0);
	qt_wire_send(f->b->qt, frame, len);
	/* ... one to the NIC's EEPROM address does not */
	len = frame_build(frame, 100, qemu_mac, traffic_peer, 7, 1);
	qt_wire_send(f->b->qt, frame, len);
	len = frame_build(frame, 100, fix_mac, traffic_peer, 7, 2);
	qt_wire_send(f->b->qt, frame, len);
	fix_settle(f);
	assert_int_equal(f->rx.got, 2);
	assert_int_equal(f->rx.reordered, 1); /* seq 1 never came */
	assert_int_equal(f->rx.last_status & HW_RFD_ST_NOMATCH, 0);
	/* the guest's frames leave with its own source address */
	len = frame_build(frame, 120, traffic_peer, fix_mac, 8, 0);
	assert_int_equal(gnic_xmit_wait(n, frame, len, 1000), 0);
	do {
		gnic_run(n, 1);
		k = qt_wire_recv(f->b->qt, got, sizeof(got), 50);
	} while (k == 0 && !n->err[0] && f->b->c.dev_interrupts < 1000000);
	assert_int_equal(k, (ssize_t)len);
	assert_memory_equal(got + 6, fix_mac, 6);
	assert_memory_equal(got, frame, len);
	st = fix_stats(f);
	assert_true(st.guest_tx_frames >= 1);
	fix_assert_healthy(f);
}

static void both_ways(void **state, const struct gdrv *drv, unsigned int count,
		      unsigned int window)
{
	struct fix *f = fix_get(state);
	struct gnic *n = fix_guest(f, drv);
	struct traffic_result res;
	struct pp_dev_stats st;
	uint32_t ctr[16];

	TRAFFIC_OK(traffic_tx(f->b, n, 10, count, 60, 1514, 8, 60000, &res),
		   res, f);
	f->rx.flow = 11;
	TRAFFIC_OK(traffic_rx(f->b, n, &f->rx, count, 60, 1514, window, 60000,
			      &res),
		   res, f);
	st = fix_stats(f);
	assert_true(st.guest_tx_frames >= count);
	assert_true(st.wire_tx_frames >= count);
	assert_true(st.guest_rx_frames >= count);
	assert_int_equal(st.guest_faults, 0);
	assert_int_equal(st.guest_errors, 0);
	if (drv->stats) {
		/* the guest-visible counters follow the guest's traffic */
		if (drv->stats(n, ctr) < 0)
			fail_msg("%s: statistics dump: %s", drv->name, n->err);
		assert_true(ctr[HW_STATS_TX_GOOD / 4] >= count);
		assert_true(ctr[HW_STATS_RX_GOOD / 4] >= count);
		/* dump-and-reset really reset them */
		if (drv->stats(n, ctr) < 0)
			fail_msg("%s: second dump: %s", drv->name, n->err);
		assert_int_equal(ctr[HW_STATS_TX_GOOD / 4], 0);
	}
	assert_string_equal(n->err, "");
	fix_assert_healthy(f);
}

static void test_frames_linux(void **state)
{
	both_ways(state, &gdrv_linux, 3000, 64);
}

static void test_frames_fxp(void **state)
{
	both_ways(state, &gdrv_fxp, 3000, 48);
}

static void test_frames_ipxe(void **state)
{
	both_ways(state, &gdrv_ipxe, 1500, 3);
}

static void test_frames_wdk(void **state)
{
	both_ways(state, &gdrv_wdk, 3000, 24);
}

/* Windows-style statistics polling (2 s budget, completion word). */
static void test_stats_wdk_polling(void **state)
{
	struct fix *f = fix_get(state);
	struct gnic *n = fix_guest(f, &gdrv_wdk);
	struct traffic_result res;
	uint32_t ctr[16];
	uint64_t t0;

	TRAFFIC_OK(traffic_tx(f->b, n, 12, 100, 60, 600, 4, 10000, &res), res,
		   f);
	for (int i = 0; i < 5; i++) {
		t0 = bench_now_ns();
		if (gdrv_wdk.stats(n, ctr) < 0)
			fail_msg("dump %d: %s", i, n->err);
		/* a real NIC answers in microseconds: no 2 s stalls */
		assert_true(bench_now_ns() - t0 < 200000000u);
		assert_int_equal(ctr[HW_STATS_TX_GOOD / 4], i == 0 ? 100 : 0);
	}
	fix_assert_healthy(f);
}

/* 8255x multicast hash: top 6 bits of the Ethernet CRC-32 (MSB first). */
static unsigned int mc_hash(const uint8_t *mac)
{
	uint32_t crc = 0xffffffffu;

	for (int i = 0; i < 6; i++) {
		uint8_t b = mac[i];

		for (int j = 0; j < 8; j++) {
			uint32_t carry = ((crc >> 31) ^ b) & 1;

			crc <<= 1;
			b >>= 1;
			if (carry)
				crc = (crc ^ 0x04c11db7u) | 1;
		}
	}
	return crc >> 26;
}

static unsigned int rx_count_for(struct fix *f, const uint8_t dst[6],
				 uint32_t flow, unsigned int n_frames)
{
	uint8_t frame[200];
	uint64_t before;

	f->rx.flow = flow;
	f->rx.next = 0;
	before = f->rx.got;
	for (unsigned int i = 0; i < n_frames; i++) {
		size_t len = frame_build(frame, 90, dst, traffic_peer, flow, i);

		qt_wire_send(f->b->qt, frame, len);
	}
	fix_settle(f);
	return (unsigned int)(f->rx.got - before);
}

static void multicast(void **state, const struct gdrv *drv)
{
	struct fix *f = fix_get(state);
	struct gnic *n = fix_guest(f, drv);
	uint8_t g1[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
	uint8_t g2[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x02};
	uint8_t other[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};

	while (mc_hash(g2) == mc_hash(g1))
		g2[5]++;
	/* no list yet: neither group arrives */
	assert_int_equal(rx_count_for(f, g1, 30, 3), 0);
	memcpy(n->mc[0], g1, 6);
	n->n_mc = 1;
	assert_int_equal(drv->set_rx_mode(n), 0);
	assert_int_equal(rx_count_for(f, g1, 31, 3), 3);
	assert_int_equal(f->rx.last_status & HW_RFD_ST_NOMATCH,
			 HW_RFD_ST_NOMATCH);
	assert_int_equal(rx_count_for(f, g2, 32, 3), 0);
	/* broadcast always */
	assert_int_equal(rx_count_for(f, bench_bcast, 33, 2), 2);
	/* all-multicast */
	n->allmulti = true;
	assert_int_equal(drv->set_rx_mode(n), 0);
	assert_int_equal(rx_count_for(f, g2, 34, 3), 3);
	/* promiscuous: a unicast to someone else */
	assert_int_equal(rx_count_for(f, other, 35, 2), 0);
	n->promisc = true;
	assert_int_equal(drv->set_rx_mode(n), 0);
	assert_int_equal(rx_count_for(f, other, 36, 2), 2);
	n->promisc = n->allmulti = false;
	n->n_mc = 0;
	assert_int_equal(drv->set_rx_mode(n), 0);
	assert_int_equal(rx_count_for(f, other, 37, 2), 0);
	assert_int_equal(rx_count_for(f, g1, 38, 2), 0);
	/* and the unicast path still works */
	assert_int_equal(rx_count_for(f, fix_mac, 39, 5), 5);
	assert_string_equal(n->err, "");
	fix_assert_healthy(f);
}

static void test_multicast_linux(void **state)
{
	multicast(state, &gdrv_linux);
}

static void test_multicast_fxp(void **state)
{
	multicast(state, &gdrv_fxp);
}

/* Guest reset (driver close + open) with frames in flight both ways. */
static void reset_during_traffic(void **state, const struct gdrv *drv)
{
	struct fix *f = fix_get(state);
	struct gnic *n = fix_guest(f, drv);
	struct traffic_result res;
	uint8_t frame[2048];

	for (int round = 0; round < 3; round++) {
		/* queue TX without letting it finish, RX without servicing */
		for (uint32_t i = 0; i < 40; i++) {
			size_t len =
				frame_build(frame, frame_len_for(i, 60, 1514),
					    traffic_peer, fix_mac, 50, i);

			if (drv->xmit(n, frame, len) != 0)
				break;
			len = frame_build(frame, frame_len_for(i, 60, 1514),
					  fix_mac, traffic_peer, 51, i);
			qt_wire_send(f->b->qt, frame, len);
		}
		drv->kick(n);
		bench_plat_run(f->b, 0);
		/* the reset (Linux: selective + software reset) */
		fix_guest_close(f);
		fix_run(f, 20);
		while (qt_wire_recv(f->b->qt, frame, sizeof(frame), 0) > 0)
			;
		n = fix_guest(f, drv);
		f->rx.flow = 60 + (uint32_t)round;
		TRAFFIC_OK(traffic_tx(f->b, n, 70 + (uint32_t)round, 300, 60,
				      1514, 8, 20000, &res),
			   res, f);
		TRAFFIC_OK(traffic_rx(f->b, n, &f->rx, 300, 60, 1514, 16, 20000,
				      &res),
			   res, f);
	}
	fix_assert_healthy(f);
}

static void test_reset_during_traffic_linux(void **state)
{
	reset_during_traffic(state, &gdrv_linux);
}

static void test_reset_during_traffic_fxp(void **state)
{
	reset_during_traffic(state, &gdrv_fxp);
}

/* The guest stops taking frames: its RU runs out (RNR), frames are queued
 * or dropped by the shadow; then it recovers and a new flow is exact. */
static void rnr_recovery(void **state, const struct gdrv *drv,
			 unsigned int flood)
{
	struct fix *f = fix_get(state);
	struct gnic *n = fix_guest(f, drv);
	struct traffic_result res;
	uint8_t frame[2048];
	uint64_t ru_starts;
	struct pp_dev_stats st;

	f->rx.flow = 80;
	f->rx.next = 0;
	for (uint32_t i = 0; i < flood; i++) {
		size_t len = frame_build(frame, frame_len_for(i, 60, 1514),
					 fix_mac, traffic_peer, 80, i);

		qt_wire_send(f->b->qt, frame, len);
		if (i % 32 == 31)
			bench_plat_run(f->b, 1); /* VMM runs, the guest not */
	}
	for (int i = 0; i < 50; i++)
		bench_plat_run(f->b, 1);
	ru_starts = n->c.ru_starts;
	for (int i = 0; i < 50; i++)
		gnic_run(n, 2);
	/* what arrived of the flood is in order, without duplicates */
	assert_int_equal(f->rx.dup, 0);
	assert_int_equal(f->rx.bad, 0);
	assert_true(f->rx.got > 0);
	assert_true(n->c.ru_starts > ru_starts || f->rx.got == flood);
	st = fix_stats(f);
	printf("%s: flood %u, guest got %llu, queue drops %llu\n", drv->name,
	       flood, (unsigned long long)f->rx.got,
	       (unsigned long long)st.queue_drops);
	f->rx.flow = 81;
	f->rx.reordered = 0;
	TRAFFIC_OK(traffic_rx(f->b, n, &f->rx, 1000, 60, 1514,
			      n->n_rfd > 8 ? 32 : 3, 20000, &res),
		   res, f);
	fix_assert_healthy(f);
}

static void test_rnr_recovery_linux(void **state)
{
	rnr_recovery(state, &gdrv_linux, 600);
}

static void test_rnr_recovery_ipxe(void **state)
{
	rnr_recovery(state, &gdrv_ipxe, 40);
}

static void test_rnr_recovery_wdk(void **state)
{
	rnr_recovery(state, &gdrv_wdk, 200);
}

/* Linux watchdog every 100 frames: dump-and-reset without waiting, the
 * 82557 configure+multicast re-send, and a software interrupt. */
static void test_watchdog_during_traffic_linux(void **state)
{
	struct fix *f = fix_get(state);
	struct gnic *n = fix_guest(f, &gdrv_linux);
	struct traffic_result res;
	uint64_t irqs;

	for (uint32_t k = 0; k < 10; k++) {
		irqs = n->c.irqs;
		gdrv_linux.tick(n);
		/* the SWI reaches the guest as an interrupt */
		for (int i = 0; i < 20 && n->c.irqs == irqs; i++)
			gnic_run(n, 1);
		assert_true(n->c.irqs > irqs);
		TRAFFIC_OK(traffic_tx(f->b, n, 300 + k, 100, 60, 1514, 8, 10000,
				      &res),
			   res, f);
		f->rx.flow = 400 + k;
		TRAFFIC_OK(traffic_rx(f->b, n, &f->rx, 100, 60, 1514, 32, 10000,
				      &res),
			   res, f);
	}
	gdrv_linux.tick(n);
	fix_run(f, 10);
	/* every dump-and-reset was answered; the totals add up */
	assert_true(n->c.stats_dumps >= 9);
	assert_true(n->stats_acc[HW_STATS_TX_GOOD / 4] >= 900);
	assert_true(n->stats_acc[HW_STATS_RX_GOOD / 4] >= 900);
	assert_int_equal(n->c.irq_none, 0);
	fix_assert_healthy(f);
}

/* Statistics count exactly what the guest sent and received. */
static void test_stats_exact_fxp(void **state)
{
	struct fix *f = fix_get(state);
	struct gnic *n = fix_guest(f, &gdrv_fxp);
	struct traffic_result res;
	uint32_t ctr[16];

	assert_int_equal(gdrv_fxp.stats(n, ctr), 0);
	TRAFFIC_OK(traffic_tx(f->b, n, 500, 777, 60, 1514, 8, 10000, &res), res,
		   f);
	f->rx.flow = 501;
	TRAFFIC_OK(traffic_rx(f->b, n, &f->rx, 555, 60, 1514, 16, 10000, &res),
		   res, f);
	assert_int_equal(gdrv_fxp.stats(n, ctr), 0);
	assert_int_equal(ctr[HW_STATS_TX_GOOD / 4], 777);
	assert_int_equal(ctr[HW_STATS_RX_GOOD / 4], 555);
	assert_int_equal(ctr[HW_STATS_RX_RESOURCE / 4], 0);
	fix_assert_healthy(f);
}

/* M masks the line; events stay pending; unmasking raises it. */
static void test_interrupt_mask(void **state)
{
	struct fix *f = fix_get(state);
	struct gnic *n = fix_guest(f, &gdrv_linux);
	uint8_t frame[200];
	size_t len;

	gn_wr(n, HW_SCB_INTMASK, 1, HW_INT_M);
	len = frame_build(frame, 100, fix_mac, traffic_peer, 600, 0);
	qt_wire_send(f->b->qt, frame, len);
	for (int i = 0; i < 3; i++) {
		bench_barrier(f->b);
		bench_plat_run(f->b, 0);
	}
	assert_false(f->b->guest_irq);
	assert_int_equal(gn_rd(n, HW_SCB_STATACK, 1) & HW_ST_FR, HW_ST_FR);
	gn_wr(n, HW_SCB_INTMASK, 1, 0);
	bench_plat_run(f->b, 0);
	assert_true(f->b->guest_irq);
	/* acking everything drops the line */
	gn_wr(n, HW_SCB_STATACK, 1, 0xff);
	bench_plat_run(f->b, 0);
	assert_false(f->b->guest_irq);
	/* a software interrupt while masked stays invisible */
	gn_wr(n, HW_SCB_INTMASK, 1, HW_INT_M | HW_INT_SI);
	bench_plat_run(f->b, 0);
	assert_false(f->b->guest_irq);
	/* SI reads back 0 */
	assert_int_equal(gn_rd(n, HW_SCB_INTMASK, 1) & HW_INT_SI, 0);
	fix_assert_healthy(f);
}

/* CU resumes with nothing new queued must not resend anything (the real
 * chip re-checks the S bit; QEMU would walk on). */
static void test_extra_resumes_are_noops(void **state)
{
	struct fix *f = fix_get(state);
	struct gnic *n = fix_guest(f, &gdrv_linux);
	struct traffic_result res;
	uint8_t buf[2048];
	int extra = 0;

	TRAFFIC_OK(traffic_tx(f->b, n, 700, 20, 60, 200, 4, 5000, &res), res,
		   f);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(gn_cmd(n, HW_CUC_RESUME, false, 0), 0);
		fix_run(f, 2);
	}
	while (qt_wire_recv(f->b->qt, buf, sizeof(buf), 20) > 0)
		extra++;
	assert_int_equal(extra, 0);
	/* and the ring still works afterwards */
	TRAFFIC_OK(traffic_tx(f->b, n, 701, 50, 60, 200, 4, 5000, &res), res,
		   f);
	fix_assert_healthy(f);
}

/* 32-bit and 16-bit views of the SCB, as ethtool -d and iPXE use them. */
static void test_scb_widths(void **state)
{
	struct fix *f = fix_get(state);
	struct gnic *n = fix_guest(f, &gdrv_linux);
	uint32_t w32 = gn_rd(n, HW_SCB_STATUS, 4);
	uint16_t w16 = (uint16_t)gn_rd(n, HW_SCB_STATUS, 2);

	assert_int_equal(w32 & 0xffff, w16);
	assert_int_equal(w16 & 0xff, gn_rd(n, HW_SCB_STATUS, 1));
	assert_int_equal((w32 >> 16) & 0xff, 0); /* command byte accepted */
	/* RU ready, CU suspended (Linux leaves S on its last CB) */
	assert_int_equal(w16 & HW_RUS_MASK, HW_RUS_READY);
	assert_int_equal(w16 & HW_CUS_MASK, HW_CUS_SUSP);
	/* the GP reads back what was written */
	gn_wr(n, HW_SCB_GP, 4, 0x12345678);
	assert_int_equal(gn_rd(n, HW_SCB_GP, 4), 0x12345678);
	fix_assert_healthy(f);
}

/* Bus mastering off: the shadow must not touch guest rings. */
static void test_bus_master_off(void **state)
{
	struct fix *f = fix_get(state);
	struct gnic *n = fix_guest(f, &gdrv_linux);
	struct traffic_result res;
	uint8_t frame[200], buf[2048];
	size_t len = frame_build(frame, 100, traffic_peer, fix_mac, 800, 0);
	int seen = 0;

	pp_dev_pci_command(f->b->dev, 0x0003);
	(void)gdrv_linux.xmit(n, frame, len);
	fix_run(f, 20);
	while (qt_wire_recv(f->b->qt, buf, sizeof(buf), 10) > 0)
		seen++;
	assert_int_equal(seen, 0);
	pp_dev_pci_command(f->b->dev, 0x0007);
	fix_guest_close(f);
	n = fix_guest(f, &gdrv_linux);
	while (qt_wire_recv(f->b->qt, buf, sizeof(buf), 10) > 0)
		;
	TRAFFIC_OK(traffic_tx(f->b, n, 801, 100, 60, 1514, 8, 5000, &res), res,
		   f);
	fix_assert_healthy(f);
}

/* The 82557 dump is 64 bytes + the completion dword, nothing more
 * (iPXE's area is 68 bytes); the self-test result is 8 bytes. */
static void test_dump_and_selftest_sizes(void **state)
{
	struct fix *f = fix_get(state);
	struct gnic *n = fix_guest(f, &gdrv_linux);
	uint64_t area = bench_galloc(f->b, 256, 16);
	uint8_t *p = bench_gptr(f->b, area, 256);
	uint64_t deadline;

	memset(p, 0xee, 256);
	assert_int_equal(gn_cmd(n, HW_CUC_DUMP_ADDR, true, (uint32_t)area), 0);
	assert_int_equal(gn_cmd(n, HW_CUC_DUMP, false, 0), 0);
	deadline = gn_now_ms() + 500;
	while (hw_le32(p + 64) != HW_STATS_DONE_DUMP && gn_now_ms() < deadline)
		gnic_run(n, 1);
	assert_int_equal(hw_le32(p + 64), HW_STATS_DONE_DUMP);
	for (int i = 68; i < 256; i++)
		if (p[i] != 0xee)
			fail_msg("dump wrote byte %d past the 68-byte area", i);
	memset(p, 0xee, 256);
	gn_port(n, HW_PORT_SELFTEST, (uint32_t)area);
	deadline = gn_now_ms() + 100;
	while (hw_le32(p) == 0xeeeeeeeeu && gn_now_ms() < deadline)
		gnic_run(n, 1);
	assert_true(hw_le32(p) != 0);
	assert_int_equal(hw_le32(p + 4), 0);
	for (int i = 8; i < 256; i++)
		if (p[i] != 0xee)
			fail_msg("self-test wrote byte %d past its 8 bytes", i);
	fix_assert_healthy(f);
}

/* FreeBSD batches of 120 frames per CU resume: more than QEMU's 16 per
 * kick and close to the backend's walk batch. */
static void test_fxp_large_batches(void **state)
{
	struct fix *f = fix_get(state);
	struct gnic *n = fix_guest(f, &gdrv_fxp);
	struct traffic_result res;

	TRAFFIC_OK(traffic_tx(f->b, n, 900, 5000, 60, 1514, 120, 30000, &res),
		   res, f);
	fix_assert_healthy(f);
}

/* Guest resets do not leak DMA memory; an idle device stops its timer. */
static void test_resets_no_leak_idle_timer(void **state)
{
	struct fix *f = fix_get(state);
	struct traffic_result res;
	uint64_t live = 0, fires;

	for (int i = 0; i < 5; i++) {
		struct gnic *n = fix_guest(f, i & 1 ? &gdrv_fxp : &gdrv_linux);

		TRAFFIC_OK(traffic_tx(f->b, n, 950 + (uint32_t)i, 50, 60, 1514,
				      8, 5000, &res),
			   res, f);
		fix_guest_close(f);
		fix_run(f, 5);
		if (i == 0)
			live = f->b->c.dma_live;
		assert_int_equal(f->b->c.dma_live, live);
	}
	fix_guest(f, &gdrv_linux);
	fix_run(f, 100);
	fires = f->b->c.timer_fires;
	fix_run(f, 100);
	if (f->b->c.timer_fires - fires > 2)
		fail_msg("idle device: %llu timer fires in 100 ms",
			 (unsigned long long)(f->b->c.timer_fires - fires));
	fix_assert_healthy(f);
}

/* -- hand-built chains: the backend's walk batching and parking --------- */

static void sh_cmd(struct fix *f, uint8_t cmd, uint32_t gp)
{
	for (int i = 0; i < 100 && f->hw.ops->rd(&f->hw, 0, HW_SCB_CMD, 1); i++)
		bench_plat_run(f->b, 0);
	f->hw.ops->wr(&f->hw, 0, HW_SCB_GP, 4, gp);
	f->hw.ops->wr(&f->hw, 0, HW_SCB_CMD, 1, cmd);
}

static uint64_t put_tcb(struct fix *f, uint64_t a, uint16_t cmd, uint32_t seq)
{
	uint8_t *p = bench_gptr(f->b, a, 16 + 200);
	size_t len = frame_build(p + 16, frame_len_for(seq, 60, 200),
				 traffic_peer, fix_mac, 990, seq);

	hw_put16(p, 0);
	hw_put16(p + 2, HW_OP_TX | cmd);
	hw_put32(p + 8, 0xffffffffu);
	hw_put16(p + 12, (uint16_t)len | HW_TCB_EOF);
	p[14] = 0xe0;
	p[15] = 0;
	return a;
}

static void put_link(struct fix *f, uint64_t a, uint64_t next)
{
	hw_put32(bench_gptr(f->b, a + 4, 4), (uint32_t)next);
}

/* Drain the wire expecting flow 990 seq 0..n-1 exactly once, in order. */
static void expect_wire_seq(struct fix *f, uint32_t n)
{
	uint8_t buf[2048];
	uint32_t next = 0;
	uint64_t end = bench_now_ns() + 3000000000ull;

	while (next < n && bench_now_ns() < end) {
		ssize_t k = qt_wire_recv(f->b->qt, buf, sizeof(buf), 0);
		uint32_t flow, seq;

		if (k <= 0) {
			bench_plat_run(f->b, 1);
			continue;
		}
		assert_int_equal(frame_check(buf, (size_t)k, &flow, &seq), 0);
		assert_int_equal(flow, 990);
		if (seq != next)
			fail_msg("wire: seq %u, expected %u", seq, next);
		next++;
	}
	assert_int_equal(next, n);
	fix_run(f, 10);
	assert_int_equal(qt_wire_recv(f->b->qt, buf, sizeof(buf), 20), 0);
}

/* Wait (bounded, 2 s) for C in the CB status at @a. */
static void wait_c(struct fix *f, uint64_t a)
{
	uint64_t end = bench_now_ns() + 2000000000ull;

	while (!(hw_le16(bench_gptr(f->b, a, 2)) & HW_CB_C) &&
	       bench_now_ns() < end)
		bench_plat_run(f->b, 1);
}

static void guest_basic_init(struct fix *f)
{
	uint64_t c = bench_galloc(f->b, 64, 16);
	uint8_t *p = bench_gptr(f->b, c, 64);

	f->hw.ops->wr(&f->hw, 0, HW_PORT, 4, HW_PORT_SW_RESET);
	sh_cmd(f, HW_CUC_LOAD_BASE, 0);
	sh_cmd(f, HW_RUC_LOAD_BASE, 0);
	hw_put16(p, 0);
	hw_put16(p + 2, HW_OP_IA | HW_CB_EL);
	hw_put32(p + 4, (uint32_t)c);
	memcpy(p + 8, fix_mac, 6);
	sh_cmd(f, HW_CUC_START, (uint32_t)c);
	wait_c(f, c);
	assert_int_equal(hw_le16(p) & (HW_CB_C | HW_CB_OK), HW_CB_C | HW_CB_OK);
	f->hw.ops->wr(&f->hw, 0, HW_SCB_STATACK, 1, 0xff);
}

/* 300 TCBs behind one CU start: walked in batches, all sent once. */
static void test_long_chain_single_start(void **state)
{
	enum { N = 300 };
	struct fix *f = fix_get(state);
	uint64_t ring = bench_galloc(f->b, N * 256u, 16);

	guest_basic_init(f);
	for (uint32_t i = 0; i < N; i++) {
		put_tcb(f, ring + 256u * i, i == N - 1 ? HW_CB_EL : 0, i);
		put_link(f, ring + 256u * i, ring + 256u * ((i + 1) % N));
	}
	sh_cmd(f, HW_CUC_START, (uint32_t)ring);
	expect_wire_seq(f, N);
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(hw_le16(bench_gptr(f->b, ring + 256u * i, 2)),
				 HW_CB_C | HW_CB_OK);
	assert_int_equal(f->hw.ops->rd(&f->hw, 0, HW_SCB_STATUS, 1) &
				 HW_CUS_MASK,
			 HW_CUS_IDLE);
	assert_true(f->hw.ops->rd(&f->hw, 0, HW_SCB_STATACK, 1) & HW_ST_CNA);
	fix_assert_healthy(f);
}

/* Control CBs in the middle of a TX chain keep their place. */
static void test_chain_with_control_cbs(void **state)
{
	struct fix *f = fix_get(state);
	uint64_t a = bench_galloc(f->b, 80 * 256u, 16);
	uint64_t prev = 0, cur;
	uint32_t seq = 0;
	uint8_t cfg[HW_CONFIG_LEN];

	guest_basic_init(f);
	memcpy(cfg, hw_config_default, sizeof(cfg));
	for (int i = 0; i < 66; i++) {
		uint8_t *p;

		cur = a + 256u * (uint64_t)i;
		p = bench_gptr(f->b, cur, 256);
		if (i == 20) {
			memset(p, 0, 8);
			hw_put16(p + 2, HW_OP_CONFIG);
			memcpy(p + 8, cfg, sizeof(cfg));
		} else if (i == 41) {
			memset(p, 0, 8);
			hw_put16(p + 2, HW_OP_IA);
			memcpy(p + 8, fix_mac, 6);
		} else if (i == 42) {
			memset(p, 0, 8);
			hw_put16(p + 2, HW_OP_MCAST);
			hw_put16(p + 8, 6);
			memcpy(p + 10, "\x01\x00\x5e\x00\x00\x07", 6);
		} else {
			put_tcb(f, cur, i == 65 ? HW_CB_EL : 0, seq++);
		}
		if (prev)
			put_link(f, prev, cur);
		prev = cur;
	}
	put_link(f, prev, a);
	sh_cmd(f, HW_CUC_START, (uint32_t)a);
	expect_wire_seq(f, seq);
	for (int i = 0; i < 66; i++)
		assert_int_equal(
			hw_le16(bench_gptr(f->b, a + 256u * (uint64_t)i, 2)),
			HW_CB_C | HW_CB_OK);
	fix_assert_healthy(f);
}

/* An RFD with S suspends the RU; RU resume continues at its link. */
static void test_rfd_suspend_resume(void **state)
{
	enum { N = 8 };
	struct fix *f = fix_get(state);
	uint64_t r[N];
	uint8_t frame[300];
	uint32_t got = 0;

	guest_basic_init(f);
	for (int i = 0; i < N; i++)
		r[i] = bench_galloc(f->b, 16 + 1600, 16);
	for (int i = 0; i < N; i++) {
		uint8_t *p = bench_gptr(f->b, r[i], 16);

		memset(p, 0, 16);
		hw_put16(p + 2, i == 3 ? HW_CB_S : i == N - 1 ? HW_CB_EL : 0);
		hw_put32(p + 4, (uint32_t)r[(i + 1) % N]);
		hw_put32(p + 8, 0xffffffffu);
		hw_put16(p + 14, 1600);
	}
	sh_cmd(f, HW_RUC_START, (uint32_t)r[0]);
	for (uint32_t i = 0; i < 4; i++) {
		size_t len =
			frame_build(frame, 200, fix_mac, traffic_peer, 991, i);

		qt_wire_send(f->b->qt, frame, len);
	}
	fix_settle(f);
	for (int i = 0; i < N; i++)
		if (hw_le16(bench_gptr(f->b, r[i], 2)) & HW_CB_C)
			got++;
	assert_int_equal(got, 4);
	assert_int_equal(f->hw.ops->rd(&f->hw, 0, HW_SCB_STATUS, 1) &
				 HW_RUS_MASK,
			 HW_RUS_SUSP);
	/* clear S, resume: the next frames land in RFDs 4.. */
	hw_put16(bench_gptr(f->b, r[3] + 2, 2), 0);
	sh_cmd(f, HW_RUC_RESUME, 0);
	for (uint32_t i = 4; i < 7; i++) {
		size_t len =
			frame_build(frame, 200, fix_mac, traffic_peer, 991, i);

		qt_wire_send(f->b->qt, frame, len);
	}
	fix_settle(f);
	for (int i = 0; i < 7; i++) {
		uint8_t *p = bench_gptr(f->b, r[i], 16 + 200);
		uint32_t flow, seq;

		assert_int_equal(hw_le16(p) & (HW_CB_C | HW_CB_OK),
				 HW_CB_C | HW_CB_OK);
		assert_int_equal(
			frame_check(p + 16, hw_le16(p + 12) & HW_RFD_COUNT_MASK,
				    &flow, &seq),
			0);
		assert_int_equal(seq, (uint32_t)i);
	}
	fix_assert_healthy(f);
}

/* MDI STAT only when the guest asked (IE): a WDK-style guest never acks
 * it, so a stray bit would keep a level-triggered line up forever. */
static void test_mdi_interrupt_only_with_ie(void **state)
{
	struct fix *f = fix_get(state);
	struct gnic *n = fix_guest(f, &gdrv_wdk);
	uint16_t v;

	for (int i = 0; i < 5; i++)
		assert_int_equal(gn_mdi(n, false, 1, 1, &v), 0);
	fix_run(f, 5);
	assert_int_equal(gn_rd(n, HW_SCB_STATACK, 1) & HW_ST_MDI, 0);
	assert_false(f->b->guest_irq);
	/* with IE the guest gets its MDI interrupt */
	gn_wr(n, HW_MDI, 4, HW_MDI_IE | HW_MDI_OP_READ | 1u << 21 | 1u << 16);
	for (int i = 0; i < 10; i++)
		bench_plat_run(f->b, 1);
	assert_true(gn_rd(n, HW_MDI, 4) & HW_MDI_READY);
	assert_int_equal(gn_rd(n, HW_SCB_STATACK, 1) & HW_ST_MDI, HW_ST_MDI);
	gn_wr(n, HW_SCB_STATACK, 1, HW_ST_MDI);
	bench_plat_run(f->b, 1);
	assert_int_equal(gn_rd(n, HW_SCB_STATACK, 1) & HW_ST_MDI, 0);
	fix_assert_healthy(f);
}

/* CX on the I bit; CNA on EL always; on S only without config 6.3 (CI). */
static void test_cx_cna_rules(void **state)
{
	struct fix *f = fix_get(state);
	uint64_t t = bench_galloc(f->b, 256, 16),
		 c = bench_galloc(f->b, 64, 16);
	uint8_t *p = bench_gptr(f->b, c, 64);
	uint8_t st;

	guest_basic_init(f);
	/* I|EL: CX and CNA */
	put_tcb(f, t, HW_CB_I | HW_CB_EL, 0);
	put_link(f, t, t);
	sh_cmd(f, HW_CUC_START, (uint32_t)t);
	wait_c(f, t);
	st = (uint8_t)f->hw.ops->rd(&f->hw, 0, HW_SCB_STATACK, 1);
	assert_int_equal(st & (HW_ST_CX | HW_ST_CNA), HW_ST_CX | HW_ST_CNA);
	f->hw.ops->wr(&f->hw, 0, HW_SCB_STATACK, 1, 0xff);
	/* S without CI: CNA */
	put_tcb(f, t, HW_CB_S, 1);
	sh_cmd(f, HW_CUC_START, (uint32_t)t);
	wait_c(f, t);
	st = (uint8_t)f->hw.ops->rd(&f->hw, 0, HW_SCB_STATACK, 1);
	assert_int_equal(st & (HW_ST_CX | HW_ST_CNA), HW_ST_CNA);
	f->hw.ops->wr(&f->hw, 0, HW_SCB_STATACK, 1, 0xff);
	/* configure with CI (byte 6 bit 3): S no longer raises CNA */
	memset(p, 0, 64);
	hw_put16(p + 2, HW_OP_CONFIG | HW_CB_EL);
	hw_put32(p + 4, (uint32_t)c);
	memcpy(p + 8, hw_config_default, HW_CONFIG_LEN);
	p[8 + 6] |= 0x08;
	sh_cmd(f, HW_CUC_START, (uint32_t)c);
	wait_c(f, c);
	f->hw.ops->wr(&f->hw, 0, HW_SCB_STATACK, 1, 0xff);
	put_tcb(f, t, HW_CB_S, 2);
	sh_cmd(f, HW_CUC_START, (uint32_t)t);
	wait_c(f, t);
	st = (uint8_t)f->hw.ops->rd(&f->hw, 0, HW_SCB_STATACK, 1);
	assert_int_equal(st & (HW_ST_CX | HW_ST_CNA), 0);
	assert_int_equal(f->hw.ops->rd(&f->hw, 0, HW_SCB_STATUS, 1) &
				 HW_CUS_MASK,
			 HW_CUS_SUSP);
	expect_wire_seq(f, 3);
	fix_assert_healthy(f);
}

/* Count the records of a classic pcap file and check each holds a test
 * frame of @flow; returns the number of records or -1. */
static int pcap_count(const char *path, uint32_t flow_a, uint32_t flow_b)
{
	FILE *fp = fopen(path, "rb");
	uint8_t gh[24], rh[16], buf[65536];
	int n = 0;

	if (!fp)
		return -1;
	if (fread(gh, 1, 24, fp) != 24 || hw_le32(gh) != 0xa1b2c3d4u) {
		fclose(fp);
		return -1;
	}
	while (fread(rh, 1, 16, fp) == 16) {
		uint32_t caplen = hw_le32(rh + 8), fl, seq;

		if (caplen > sizeof(buf) ||
		    fread(buf, 1, caplen, fp) != caplen) {
			n = -1;
			break;
		}
		if (frame_check(buf, caplen, &fl, &seq) < 0 ||
		    (fl != flow_a && fl != flow_b)) {
			n = -1;
			break;
		}
		n++;
	}
	fclose(fp);
	return n;
}

/* The capture filter around pass, on the real frame path. */
static void test_capture_filter_pcaps(void **state)
{
	struct fix *f = fix_get(state);
	char gpath[] = "/tmp/e100cap-guest.XXXXXX";
	char wpath[] = "/tmp/e100cap-wire.XXXXXX";
	int gfd = mkstemp(gpath), wfd = mkstemp(wpath);
	struct pp_capture_params cp = {.guest_pcap = gpath, .wire_pcap = wpath};
	struct bench_attach_opts ao = {.filter = &pp_filter_capture,
				       .filter_arg = &cp};
	struct traffic_result res;
	struct gnic *n;
	int r;

	assert_true(gfd >= 0 && wfd >= 0);
	close(gfd);
	close(wfd);
	bench_detach(f->b);
	r = bench_attach(f->b, &ao);
	if (r < 0) {
		unlink(gpath);
		unlink(wpath);
		fail_msg("attach with the capture filter: %d", r);
	}
	f->hw.dev = f->b->dev;
	n = fix_guest(f, &gdrv_linux);
	TRAFFIC_OK(traffic_tx(f->b, n, 1100, 40, 60, 1514, 4, 5000, &res), res,
		   f);
	f->rx.flow = 1101;
	TRAFFIC_OK(traffic_rx(f->b, n, &f->rx, 30, 60, 1514, 8, 5000, &res),
		   res, f);
	fix_guest_close(f);
	bench_detach(f->b); /* closes the pcaps */
	assert_int_equal(f->b->c.dma_live, 0);
	r = pcap_count(gpath, 1100, 1101);
	gfd = pcap_count(wpath, 1100, 1101);
	unlink(gpath);
	unlink(wpath);
	/* 40 frames guest->wire + 30 wire->guest, on each side */
	assert_int_equal(r, 70);
	assert_int_equal(gfd, 70);
	fix_assert_healthy(f);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fix_setup, fix_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_link_phy_mdi_eeprom),
		T(test_mac_via_ia_setup),
		T(test_frames_linux),
		T(test_frames_fxp),
		T(test_frames_ipxe),
		T(test_frames_wdk),
		T(test_stats_wdk_polling),
		T(test_multicast_linux),
		T(test_multicast_fxp),
		T(test_reset_during_traffic_linux),
		T(test_reset_during_traffic_fxp),
		T(test_rnr_recovery_linux),
		T(test_rnr_recovery_ipxe),
		T(test_rnr_recovery_wdk),
		T(test_watchdog_during_traffic_linux),
		T(test_stats_exact_fxp),
		T(test_interrupt_mask),
		T(test_extra_resumes_are_noops),
		T(test_scb_widths),
		T(test_bus_master_off),
		T(test_dump_and_selftest_sizes),
		T(test_fxp_large_batches),
		T(test_resets_no_leak_idle_timer),
		T(test_long_chain_single_start),
		T(test_chain_with_control_cbs),
		T(test_rfd_suspend_resume),
		T(test_mdi_interrupt_only_with_ie),
		T(test_cx_cna_rules),
		T(test_capture_filter_pcaps),
	};

	bench_require_qemu();
	return cmocka_run_group_tests_name("e100 shadow", tests, NULL, NULL);
}
