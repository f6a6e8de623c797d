/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Proves the bench itself, without libparapass: a minimal "raw" driver
 * programs QEMU's i82557b directly over qtest (I/O BAR), with its CBs and
 * RFDs in the shared RAM, and checks TX on the wire socket, RX into an
 * RFD, the IRQ line, MDI and the statistics dump.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bench.h"
#include "guest.h"
#include "hw8255x.h"
#include "traffic.h"

static const uint8_t ia_mac[6] = {0x02, 0xde, 0xad, 0xbe, 0xef, 0x01};
static const uint8_t peer[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};

#define IO 1 /* the raw driver uses the I/O BAR */

static uint8_t *ram(struct bench *b, uint64_t a)
{
	return bench_dma_ptr(b, a, 1);
}

static void raw_cmd(struct bench *b, uint8_t cmd)
{
	for (int i = 0; i < 100; i++) {
		if (bench_reg_read(b, IO, HW_SCB_CMD, 1) == 0)
			break;
	}
	bench_reg_write(b, IO, HW_SCB_CMD, 1, cmd);
}

static void raw_cmd_gp(struct bench *b, uint8_t cmd, uint32_t gp)
{
	bench_reg_write(b, IO, HW_SCB_GP, 4, gp);
	raw_cmd(b, cmd);
}

/* Build a CB header at @a. */
static void cb_hdr(struct bench *b, uint64_t a, uint16_t cmd, uint32_t link)
{
	uint8_t *p = ram(b, a);

	hw_put16(p, 0);
	hw_put16(p + 2, cmd);
	hw_put32(p + 4, link);
}

/* Reset, load bases, configure and IA setup; returns the CB area. */
static uint64_t raw_init(struct bench *b)
{
	uint64_t cbs = bench_dma_alloc(b, 4096, 16);
	uint8_t *p;

	assert_true(cbs != 0);
	bench_reg_write(b, IO, HW_PORT, 4, HW_PORT_SW_RESET);
	qt_sync(b->qt);
	raw_cmd_gp(b, HW_CUC_LOAD_BASE, 0);
	raw_cmd_gp(b, HW_RUC_LOAD_BASE, 0);
	bench_reg_write(b, IO, HW_SCB_INTMASK, 1, 0);

	cb_hdr(b, cbs, HW_OP_CONFIG, (uint32_t)cbs + 64);
	memcpy(ram(b, cbs + 8), hw_config_default, HW_CONFIG_LEN);
	cb_hdr(b, cbs + 64, HW_CB_EL | HW_OP_IA, (uint32_t)cbs + 128);
	memcpy(ram(b, cbs + 64 + 8), ia_mac, 6);
	raw_cmd_gp(b, HW_CUC_START, (uint32_t)cbs);
	qt_sync(b->qt);
	p = ram(b, cbs);
	assert_int_equal(hw_le16(p), HW_CB_C | HW_CB_OK);
	assert_int_equal(hw_le16(ram(b, cbs + 64)), HW_CB_C | HW_CB_OK);
	assert_int_equal(bench_reg_read(b, IO, HW_SCB_STATACK, 1) & HW_ST_CNA,
			 HW_ST_CNA);
	bench_reg_write(b, IO, HW_SCB_STATACK, 1, 0xff);
	return cbs;
}

static int setup(void **state)
{
	struct bench *b;

	if (bench_open(NULL, &b) < 0)
		return -1;
	*state = b;
	return 0;
}

static int teardown(void **state)
{
	bench_close(*state);
	return 0;
}

static void test_raw_pci_identity(void **state)
{
	struct bench *b = *state;

	assert_int_equal(b->nic.vendor, 0x8086);
	assert_int_equal(b->nic.device, 0x1229);
	assert_int_equal(b->nic.revision, 2);
	assert_int_equal(b->nic.bar_size[0], 4096);
	assert_true(b->nic.bar_size[1] >= 32);
	assert_true(b->nic.bar_mmio[0]);
	assert_false(b->nic.bar_mmio[1]);
	/* the same CSR through both BARs */
	bench_reg_write(b, 0, HW_SCB_GP, 4, 0x12345678);
	assert_int_equal(bench_reg_read(b, IO, HW_SCB_GP, 4), 0x12345678);
	assert_false(qt_failed(b->qt));
}

static void test_raw_mdi_link(void **state)
{
	struct bench *b = *state;
	uint32_t v;

	bench_reg_write(b, IO, HW_MDI, 4, HW_MDI_OP_READ | 1u << 21 | 1u << 16);
	v = bench_reg_read(b, IO, HW_MDI, 4);
	assert_true(v & HW_MDI_READY);
	assert_int_equal(v & 0x0004, 0x0004); /* BMSR link status */
	assert_int_equal(bench_reg_read(b, IO, HW_GEN_STATUS, 1) & 1, 1);
}

static void test_raw_tx_to_wire(void **state)
{
	struct bench *b = *state;
	uint64_t cbs = raw_init(b);
	uint64_t tcb = cbs + 256;
	uint8_t frame[1514], got[2048];
	size_t len = frame_build(frame, 1000, peer, ia_mac, 1, 7);
	ssize_t n;

	cb_hdr(b, tcb, HW_CB_EL | HW_OP_TX, (uint32_t)tcb);
	hw_put32(ram(b, tcb + 8), 0xffffffffu);
	hw_put16(ram(b, tcb + 12), (uint16_t)len | HW_TCB_EOF);
	ram(b, tcb)[14] = 0xe0;
	ram(b, tcb)[15] = 0;
	memcpy(ram(b, tcb + 16), frame, len);
	raw_cmd_gp(b, HW_CUC_START, (uint32_t)tcb);
	qt_sync(b->qt);
	assert_int_equal(hw_le16(ram(b, tcb)), HW_CB_C | HW_CB_OK);
	n = qt_wire_recv(b->qt, got, sizeof(got), 2000);
	assert_int_equal(n, (ssize_t)len);
	assert_memory_equal(got, frame, len);
	assert_int_equal(frame_check(got, (size_t)n, NULL, NULL), 0);
}

static void test_raw_rx_into_rfd(void **state)
{
	struct bench *b = *state;
	uint64_t rfa;
	uint8_t frame[1514];
	size_t len = frame_build(frame, 154, ia_mac, peer, 2, 9);
	uint64_t raises;

	raw_init(b);
	rfa = bench_dma_alloc(b, 4 * 2048, 16);
	for (int i = 0; i < 4; i++) {
		uint64_t r = rfa + 2048u * i;

		cb_hdr(b, r, i == 3 ? HW_CB_EL : 0,
		       (uint32_t)(rfa + 2048u * ((i + 1) % 4)));
		hw_put32(ram(b, r + 8), 0xffffffffu);
		hw_put16(ram(b, r + 12), 0);
		hw_put16(ram(b, r + 14), 1600);
	}
	raw_cmd_gp(b, HW_RUC_START, (uint32_t)rfa);
	assert_int_equal(bench_reg_read(b, IO, HW_SCB_STATUS, 1) & HW_RUS_MASK,
			 HW_RUS_READY);
	raises = qt_irq_raises(b->qt, b->nic.irq);
	assert_int_equal(qt_wire_send(b->qt, frame, len), 0);
	/* wait for the IRQ line, then one barrier before reading data */
	for (int i = 0; i < 200 && qt_irq_raises(b->qt, b->nic.irq) == raises;
	     i++)
		qt_poll(b->qt, 10);
	assert_true(qt_irq_level(b->qt, b->nic.irq));
	bench_barrier(b);
	assert_int_equal(hw_le16(ram(b, rfa)), HW_CB_C | HW_CB_OK);
	assert_int_equal(hw_le16(ram(b, rfa + 12)) & HW_RFD_COUNT_MASK, len);
	assert_memory_equal(ram(b, rfa + 16), frame, len);
	assert_int_equal(bench_reg_read(b, IO, HW_SCB_STATACK, 1) & HW_ST_FR,
			 HW_ST_FR);
	bench_reg_write(b, IO, HW_SCB_STATACK, 1, 0xff);
	qt_sync(b->qt);
	assert_false(qt_irq_level(b->qt, b->nic.irq));

	/* a unicast to another address is filtered, a broadcast is not */
	frame_build(frame, 100, peer, peer, 2, 10);
	qt_wire_send(b->qt, frame, 100);
	len = frame_build(frame, 100, bench_bcast, peer, 2, 11);
	qt_wire_send(b->qt, frame, len);
	bench_barrier(b);
	assert_int_equal(hw_le16(ram(b, rfa + 2048)),
			 HW_CB_C | HW_CB_OK | HW_RFD_ST_NOMATCH);
	assert_memory_equal(ram(b, rfa + 2048 + 16), frame, len);
	assert_int_equal(hw_le16(ram(b, rfa + 4096)), 0);
}

static void test_raw_stats_dump(void **state)
{
	struct bench *b = *state;
	uint64_t cbs = raw_init(b);
	uint64_t st = bench_dma_alloc(b, 128, 16);
	uint64_t tcb = cbs + 256;
	uint8_t frame[200];
	size_t len = frame_build(frame, 200, peer, ia_mac, 3, 1);

	raw_cmd_gp(b, HW_CUC_DUMP_ADDR, (uint32_t)st);
	raw_cmd(b, HW_CUC_DUMP_RESET); /* start from zero */
	qt_sync(b->qt);
	assert_int_equal(hw_le32(ram(b, st + HW_STATS_DONE_557)),
			 HW_STATS_DONE_RESET);
	for (int i = 0; i < 3; i++) {
		cb_hdr(b, tcb, HW_CB_EL | HW_OP_TX, (uint32_t)tcb);
		hw_put32(ram(b, tcb + 8), 0xffffffffu);
		hw_put16(ram(b, tcb + 12), (uint16_t)len | HW_TCB_EOF);
		ram(b, tcb)[14] = 0xe0;
		ram(b, tcb)[15] = 0;
		memcpy(ram(b, tcb + 16), frame, len);
		raw_cmd_gp(b, HW_CUC_START, (uint32_t)tcb);
	}
	hw_put32(ram(b, st + HW_STATS_DONE_557), 0);
	raw_cmd(b, HW_CUC_DUMP);
	qt_sync(b->qt);
	assert_int_equal(hw_le32(ram(b, st + HW_STATS_DONE_557)),
			 HW_STATS_DONE_DUMP);
	assert_int_equal(hw_le32(ram(b, st + HW_STATS_TX_GOOD)), 3);
	for (int i = 0; i < 3; i++) {
		uint8_t got[256];

		assert_int_equal(qt_wire_recv(b->qt, got, sizeof(got), 2000),
				 (ssize_t)len);
	}
}

/* The 16-CB kick limit and the pipelined TX path of the bench. */
static void test_raw_tx_chain_pipelined(void **state)
{
	struct bench *b = *state;
	enum { N = 64, FRAMES = 2000 };
	uint64_t cbs = raw_init(b);
	uint64_t ring = bench_dma_alloc(b, N * 1536u, 16);
	uint32_t next = 0, got_seq = 0;
	uint8_t frame[1514], got[2048];

	(void)cbs;
	for (uint32_t f = 0; f < FRAMES;) {
		/* a batch of 16 TCBs, the last with S, one kick */
		unsigned int batch = FRAMES - f < 16 ? FRAMES - f : 16;

		for (unsigned int i = 0; i < batch; i++) {
			unsigned int slot = (f + i) % N;
			uint64_t t = ring + 1536u * slot;
			size_t len = frame_build(frame,
						 frame_len_for(f + i, 60, 1514),
						 peer, ia_mac, 4, f + i);

			cb_hdr(b, t,
			       (uint16_t)(HW_OP_TX |
					  (i == batch - 1 ? HW_CB_EL : 0)),
			       (uint32_t)(ring + 1536u * ((slot + 1) % N)));
			hw_put32(ram(b, t + 8), 0xffffffffu);
			hw_put16(ram(b, t + 12), (uint16_t)len | HW_TCB_EOF);
			ram(b, t)[14] = 0xe0;
			ram(b, t)[15] = 0;
			memcpy(ram(b, t + 16), frame, len);
		}
		bench_reg_write(b, IO, HW_SCB_GP, 4,
				(uint32_t)(ring + 1536u * (f % N)));
		bench_reg_write(b, IO, HW_SCB_CMD, 1, HW_CUC_START);
		f += batch;
		/* the CU ran synchronously: collect while QEMU works */
		qt_sync(b->qt);
		for (;;) {
			ssize_t n = qt_wire_recv(b->qt, got, sizeof(got),
						 next < f ? 1000 : 0);
			uint32_t seq;

			if (n <= 0)
				break;
			assert_int_equal(
				frame_check(got, (size_t)n, NULL, &seq), 0);
			assert_int_equal(seq, got_seq);
			got_seq++;
			next++;
			if (next == f)
				break;
		}
		assert_int_equal(next, f);
	}
	assert_int_equal(got_seq, FRAMES);
}

/* RX of many frames with the quiesce barrier: data complete whenever
 * C is visible after a barrier (the C-before-data quirk is covered). */
static void test_raw_rx_barrier_burst(void **state)
{
	struct bench *b = *state;
	enum { N = 256, FRAMES = 2000, WINDOW = 64 };
	uint64_t rfa;
	uint8_t frame[1514];
	uint32_t sent = 0, rcvd = 0, head = 0;

	raw_init(b);
	rfa = bench_dma_alloc(b, N * 1664u, 16);
	for (unsigned int i = 0; i < N; i++) {
		uint64_t r = rfa + 1664u * i;

		cb_hdr(b, r, i == N - 1 ? HW_CB_EL : 0,
		       (uint32_t)(rfa + 1664u * ((i + 1) % N)));
		hw_put32(ram(b, r + 8), 0xffffffffu);
		hw_put16(ram(b, r + 14), 1600);
	}
	raw_cmd_gp(b, HW_RUC_START, (uint32_t)rfa);
	while (rcvd < FRAMES) {
		while (sent < FRAMES && sent - rcvd < WINDOW) {
			size_t len = frame_build(frame,
						 frame_len_for(sent, 60, 1514),
						 ia_mac, peer, 5, sent);

			assert_int_equal(qt_wire_send(b->qt, frame, len), 0);
			sent++;
		}
		bench_barrier(b);
		for (;;) {
			uint64_t r = rfa + 1664u * head;
			uint8_t *p = ram(b, r);
			uint32_t seq;
			uint16_t cnt;

			if (!(hw_le16(p) & HW_CB_C))
				break;
			cnt = hw_le16(p + 12) & HW_RFD_COUNT_MASK;
			assert_int_equal(frame_check(p + 16, cnt, NULL, &seq),
					 0);
			assert_int_equal(seq, rcvd);
			rcvd++;
			/* recycle: new EL on this one, clear the old EL */
			hw_put16(p, 0);
			hw_put16(p + 12, 0);
			hw_put16(p + 2, HW_CB_EL);
			hw_put16(ram(b, rfa + 1664u * ((head + N - 1) % N)) + 2,
				 0);
			head = (head + 1) % N;
		}
		bench_reg_write(b, IO, HW_SCB_STATACK, 1, 0xff);
		assert_false(qt_failed(b->qt));
	}
	assert_int_equal(rcvd, FRAMES);
	/* no frame was dropped by the RU */
	assert_int_equal(bench_reg_read(b, IO, HW_SCB_STATUS, 1) & HW_RUS_MASK,
			 HW_RUS_READY);
}

/* The client never hangs: a stopped QEMU times out, a dead one fails at
 * once, both with a message; qt_stop() cleans up either way. */
static void test_qtest_timeout_and_death(void **state)
{
	struct qt_opts o = {.timeout_ms = 300};
	struct qt *qt;
	char err[256];
	uint64_t t0;

	(void)state;
	assert_int_equal(qt_start(&o, &qt, err, sizeof(err)), 0);
	assert_int_equal(qt_inl(qt, 0xcfc) == 0xffffffffu || !qt_failed(qt), 1);
	kill(qt_pid(qt), SIGSTOP);
	t0 = bench_now_ns();
	(void)qt_inb(qt, 0xc000);
	assert_true(qt_failed(qt));
	assert_non_null(strstr(qt_error(qt), "no reply"));
	assert_true(bench_now_ns() - t0 < 2000000000u);
	/* every later call returns at once */
	assert_int_equal(qt_inl(qt, 0xcfc), 0xffffffffu);
	kill(qt_pid(qt), SIGCONT);
	qt_stop(qt);

	assert_int_equal(qt_start(&o, &qt, err, sizeof(err)), 0);
	kill(qt_pid(qt), SIGKILL);
	(void)qt_inb(qt, 0xc000);
	assert_true(qt_failed(qt));
	printf("dead QEMU reported as: %s\n", qt_error(qt));
	qt_stop(qt);
}

/* The test guest drivers against QEMU directly: validates the guests
 * themselves, and is the reference the shadow path is compared with. */
static void guest_raw_both_ways(struct bench *b, const struct gdrv *drv,
				unsigned int window)
{
	struct ghw hw;
	struct traffic_rx rx = {.flow = 21};
	struct traffic_result res;
	struct gnic *n;
	uint32_t st[16];

	ghw_init_raw(&hw, b);
	n = gnic_new(drv, &hw, ia_mac, traffic_rx_cb, &rx);
	assert_non_null(n);
	if (traffic_tx(b, n, 20, 3000, 60, 1514, 8, 20000, &res) != 0)
		fail_msg("%s TX: %s", drv->name, res.err);
	if (traffic_rx(b, n, &rx, 3000, 60, 1514, window, 20000, &res) != 0)
		fail_msg("%s RX: %s", drv->name, res.err);
	if (drv->stats) {
		assert_int_equal(drv->stats(n, st), 0);
		assert_true(st[HW_STATS_TX_GOOD / 4] >= 3000);
		assert_true(st[HW_STATS_RX_GOOD / 4] >= 3000);
		assert_int_equal(st[HW_STATS_RX_RESOURCE / 4], 0);
	}
	assert_string_equal(n->err, "");
	gnic_free(n);
}

static void test_raw_guest_linux(void **state)
{
	guest_raw_both_ways(*state, &gdrv_linux, 64);
}

static void test_raw_guest_fxp(void **state)
{
	guest_raw_both_ways(*state, &gdrv_fxp, 32);
}

static void test_raw_guest_ipxe(void **state)
{
	guest_raw_both_ways(*state, &gdrv_ipxe, 3);
}

static void test_raw_guest_wdk(void **state)
{
	guest_raw_both_ways(*state, &gdrv_wdk, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_raw_pci_identity, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_raw_mdi_link, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_raw_tx_to_wire, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_raw_rx_into_rfd, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_raw_stats_dump, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_raw_tx_chain_pipelined,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw_rx_barrier_burst,
						setup, teardown),
		cmocka_unit_test(test_qtest_timeout_and_death),
		cmocka_unit_test_setup_teardown(test_raw_guest_linux, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_raw_guest_fxp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_raw_guest_ipxe, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_raw_guest_wdk, setup,
						teardown),
	};

	bench_require_qemu();
	return cmocka_run_group_tests_name("e100 bench raw", tests, NULL, NULL);
}
