// SPDX-License-Identifier: BSD-2-Clause
/*
 * libparapass core: the frame path (pool, queues, bursts, partial accept,
 * verdicts, inject), timer merging and the capture filter.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "fake.h"

struct ctx {
	struct fake_plat *fp;
	struct pp_dev *dev;
	struct fake_nic *fn;
	struct test_filter tf;
	struct pp_dev_params prm;
};

static struct ctx *ctx_new(uint32_t n_pkts, uint32_t queue_len,
			   bool with_filter)
{
	struct ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	fake_nic_attach_result = 0;
	c->fp = fake_plat_new();
	fake_params(&c->prm, c->fp);
	c->prm.n_pkts = n_pkts;
	c->prm.queue_len = queue_len;
	if (with_filter) {
		c->prm.filter = &test_filter_ops;
		c->prm.filter_opaque = &c->tf;
	}
	assert_int_equal(pp_dev_create(&c->prm, &c->dev), 0);
	c->fn = pp_nic_priv(c->dev);
	wreg32(c->dev, FN_RXADDR, 0x10000);
	return c;
}

static void ctx_free(struct ctx *c)
{
	pp_dev_destroy(c->dev);
	assert_int_equal(c->fp->dma_live, 0);
	fake_plat_free(c->fp);
	free(c);
}

static struct pp_dev_stats stats(struct ctx *c)
{
	struct pp_dev_stats st;

	pp_dev_get_stats(c->dev, &st);
	return st;
}

/* ---------------------------------------------------------------------- */

static void test_pool_exhaustion_enobufs_counted(void **state)
{
	struct ctx *c = ctx_new(4, 16, false);
	uint8_t f[100];
	uint32_t i;

	(void)state;
	c->fn->wire_credit = 0; /* the wire is busy */
	for (i = 0; i < 4; i++) {
		make_frame(f, sizeof(f), TAG_PASS, i);
		assert_int_equal(guest_send(c->dev, c->fp, f, sizeof(f)), 0);
	}
	/* All four buffers wait for the wire: the pool is dry. */
	make_frame(f, sizeof(f), TAG_PASS, 4);
	assert_int_equal(guest_send(c->dev, c->fp, f, sizeof(f)), -ENOBUFS);
	assert_int_equal(pp_nic_from_wire(c->dev, f, sizeof(f)), -ENOBUFS);
	assert_int_equal(
		pp_dev_inject(c->dev, PP_DIR_WIRE_TO_GUEST, f, sizeof(f)),
		-ENOBUFS);
	wire_receive(c->dev, c->fp, f, sizeof(f));
	assert_int_equal(stats(c).queue_drops, 4);
	assert_int_equal(stats(c).guest_tx_frames, 4);
	assert_int_equal(stats(c).wire_rx_frames, 0);
	assert_int_equal(c->fn->n_sent, 0);

	/* Room on the wire: the queue drains in order, the pool refills. */
	wire_room(c->dev, c->fp, 100);
	assert_int_equal(c->fn->n_sent, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(frame_seq(c->fn->sent[i].data), i);
	make_frame(f, sizeof(f), TAG_PASS, 5);
	assert_int_equal(guest_send(c->dev, c->fp, f, sizeof(f)), 0);
	assert_int_equal(c->fn->n_sent, 5);

	/* Bad lengths are refused and counted on the side they came from. */
	assert_int_equal(pp_nic_from_guest(c->dev, f, 0), -EINVAL);
	assert_int_equal(pp_nic_from_guest(c->dev, f, PP_FRAME_MAX + 1),
			 -EINVAL);
	assert_int_equal(pp_nic_from_wire(c->dev, f, 0), -EINVAL);
	assert_int_equal(pp_nic_from_wire(c->dev, NULL, 10), -EINVAL);
	assert_int_equal(stats(c).guest_errors, 2);
	assert_int_equal(stats(c).dev_errors, 2);
	ctx_free(c);
}

static void test_order_kept_across_partial_wire_tx(void **state)
{
	struct ctx *c = ctx_new(0, 0, false);
	uint8_t f[200];
	unsigned int calls;
	uint32_t i;

	(void)state;
	c->fn->wire_credit = 3;
	for (i = 0; i < 10; i++) {
		make_frame(f, 60 + i, TAG_PASS, i);
		assert_int_equal(guest_send(c->dev, c->fp, f, 60 + i), 0);
	}
	assert_int_equal(c->fn->n_sent, 3);
	/* Blocked after a partial accept: no retries until "ready". */
	calls = c->fn->wire_tx_calls;
	reg32(c->dev, FN_STATUS);
	assert_int_equal(c->fn->wire_tx_calls, calls);
	/* Room for 4 of the 7 queued: a prefix goes, the rest stays. */
	wire_room(c->dev, c->fp, 4);
	assert_int_equal(c->fn->n_sent, 7);
	assert_int_equal(c->fn->wire_tx_calls, calls + 1);
	wire_room(c->dev, c->fp, 100);
	assert_int_equal(c->fn->n_sent, 10);
	for (i = 0; i < 10; i++) {
		assert_int_equal(frame_seq(c->fn->sent[i].data), i);
		assert_int_equal(c->fn->sent[i].len, 60 + i);
	}
	assert_int_equal(stats(c).wire_tx_frames, 10);
	assert_int_equal(stats(c).guest_tx_frames, 10);
	assert_int_equal(stats(c).queue_drops, 0);
	ctx_free(c);
}

static void test_order_kept_across_partial_guest_rx(void **state)
{
	struct ctx *c = ctx_new(0, 0, false);
	uint8_t f[128];
	uint32_t i;

	(void)state;
	for (i = 0; i < 10; i++) {
		make_frame(f, sizeof(f), TAG_PASS, 100 + i);
		wire_receive(c->dev, c->fp, f, sizeof(f));
	}
	assert_int_equal(c->fn->n_delivered, 0);
	assert_false(c->fp->irq);
	wreg32(c->dev, FN_RXCREDIT, 3);
	assert_int_equal(c->fn->n_delivered, 3);
	assert_true(c->fp->irq);
	wreg32(c->dev, FN_RXCREDIT, 5);
	assert_int_equal(c->fn->n_delivered, 8);
	wreg32(c->dev, FN_RXCREDIT, 50);
	assert_int_equal(c->fn->n_delivered, 10);
	for (i = 0; i < 10; i++) {
		assert_int_equal(frame_seq(c->fn->delivered[i].data), 100 + i);
		/* ... and in guest RAM, slot by slot. */
		assert_int_equal(frame_seq(c->fp->ram + 0x10000 + i * 2048),
				 100 + i);
	}
	assert_int_equal(stats(c).guest_rx_frames, 10);
	assert_int_equal(stats(c).guest_rx_bytes, 10 * sizeof(f));
	assert_int_equal(stats(c).wire_rx_frames, 10);
	ctx_free(c);
}

static void test_queue_overflow_dropped_and_counted(void **state)
{
	struct ctx *c = ctx_new(64, 4, false);
	uint8_t f[80];
	uint32_t i;

	(void)state;
	c->fn->wire_credit = 0;
	/* Four fill the queue toward the wire; the fifth overflows it. */
	for (i = 0; i < 5; i++) {
		make_frame(f, sizeof(f), TAG_PASS, i);
		assert_int_equal(guest_send(c->dev, c->fp, f, sizeof(f)), 0);
	}
	assert_int_equal(stats(c).queue_drops, 1);
	/* The queue in front of the filter is bounded too. */
	for (i = 10; i < 14; i++) {
		make_frame(f, sizeof(f), TAG_PASS, i);
		assert_int_equal(pp_nic_from_guest(c->dev, f, sizeof(f)), 0);
	}
	make_frame(f, sizeof(f), TAG_PASS, 14);
	assert_int_equal(pp_nic_from_guest(c->dev, f, sizeof(f)), -ENOBUFS);
	assert_int_equal(stats(c).queue_drops, 2);
	/* Room: what was queued goes out, oldest first. */
	wire_room(c->dev, c->fp, 100);
	assert_int_equal(c->fn->n_sent, 8);
	for (i = 0; i < 4; i++) {
		assert_int_equal(frame_seq(c->fn->sent[i].data), i);
		assert_int_equal(frame_seq(c->fn->sent[4 + i].data), 10 + i);
	}
	assert_int_equal(stats(c).guest_tx_frames, 9);
	assert_int_equal(stats(c).wire_tx_frames, 8);
	ctx_free(c);
}

static void test_verdicts_drop_reflect_rewrite(void **state)
{
	struct ctx *c = ctx_new(0, 0, true);
	uint8_t f[64];
	struct pp_dev_stats st;

	(void)state;
	wreg32(c->dev, FN_RXCREDIT, 100);
	make_frame(f, sizeof(f), TAG_PASS, 1);
	guest_send(c->dev, c->fp, f, sizeof(f));
	make_frame(f, sizeof(f), TAG_DROP, 2);
	guest_send(c->dev, c->fp, f, sizeof(f));
	make_frame(f, sizeof(f), TAG_REFLECT, 3);
	guest_send(c->dev, c->fp, f, sizeof(f));
	make_frame(f, sizeof(f), TAG_REWRITE, 4);
	guest_send(c->dev, c->fp, f, sizeof(f));
	make_frame(f, sizeof(f), TAG_DROP, 5);
	wire_receive(c->dev, c->fp, f, sizeof(f));
	make_frame(f, sizeof(f), TAG_REFLECT, 6);
	wire_receive(c->dev, c->fp, f, sizeof(f));
	make_frame(f, sizeof(f), TAG_PASS, 7);
	wire_receive(c->dev, c->fp, f, sizeof(f));

	/* To the wire: 1, 4 (rewritten), 6 (reflected from the wire). */
	assert_int_equal(c->fn->n_sent, 3);
	assert_int_equal(frame_seq(c->fn->sent[0].data), 1);
	assert_int_equal(frame_seq(c->fn->sent[1].data), 4);
	assert_int_equal(c->fn->sent[1].data[15], 0xee);
	assert_int_equal(frame_seq(c->fn->sent[2].data), 6);
	assert_int_equal(c->fn->sent[2].data[5], 0x02); /* MACs swapped */
	/* To the guest: 3 (reflected, MACs swapped), then 7. */
	assert_int_equal(c->fn->n_delivered, 2);
	assert_int_equal(frame_seq(c->fn->delivered[0].data), 3);
	assert_int_equal(c->fn->delivered[0].data[5], 0x02);
	assert_int_equal(c->fn->delivered[0].data[11], 0x01);
	assert_int_equal(frame_seq(c->fn->delivered[1].data), 7);
	pp_dev_get_stats(c->dev, &st);
	assert_int_equal(st.filter_drops, 2);
	assert_int_equal(st.guest_tx_frames, 4);
	assert_int_equal(st.wire_rx_frames, 3);
	assert_int_equal(st.wire_tx_frames, 3);
	assert_int_equal(st.guest_rx_frames, 2);
	assert_int_equal(c->tf.frames[PP_DIR_GUEST_TO_WIRE], 4);
	assert_int_equal(c->tf.frames[PP_DIR_WIRE_TO_GUEST], 3);
	ctx_free(c);
}

static void test_inject_from_filter_and_limits(void **state)
{
	struct ctx *c = ctx_new(0, 0, true);
	uint8_t f[64];

	(void)state;
	wreg32(c->dev, FN_RXCREDIT, 100);
	make_frame(f, sizeof(f), TAG_INJECT, 9);
	guest_send(c->dev, c->fp, f, sizeof(f));
	/* The injected copy is queued during the burst, before the frame. */
	assert_int_equal(c->fn->n_sent, 2);
	assert_int_equal(c->fn->sent[0].data[14], 'i');
	assert_int_equal(c->fn->sent[1].data[14], TAG_INJECT);
	assert_int_equal(c->tf.frames[PP_DIR_GUEST_TO_WIRE],
			 1); /* not refiltered */

	assert_int_equal(pp_dev_inject(c->dev, PP_DIR_WIRE_TO_GUEST, f, 0),
			 -EINVAL);
	assert_int_equal(pp_dev_inject(c->dev, PP_DIR_WIRE_TO_GUEST, f,
				       PP_FRAME_MAX + 1),
			 -EINVAL);
	assert_int_equal(pp_dev_inject(c->dev, (enum pp_dir)2, f, 60), -EINVAL);
	assert_int_equal(pp_dev_inject(NULL, PP_DIR_WIRE_TO_GUEST, f, 60),
			 -EINVAL);
	/* Queued now, delivered at the end of the next entry point. */
	make_frame(f, sizeof(f), TAG_PASS, 10);
	assert_int_equal(pp_dev_inject(c->dev, PP_DIR_WIRE_TO_GUEST, f, 60), 0);
	assert_int_equal(c->fn->n_delivered, 0);
	reg32(c->dev, FN_STATUS);
	assert_int_equal(c->fn->n_delivered, 1);
	assert_int_equal(c->fn->delivered[0].len, 60);
	assert_int_equal(stats(c).guest_rx_frames, 1);
	ctx_free(c);
}

static void test_bursts_capped_at_burst_max(void **state)
{
	struct ctx *c = ctx_new(512, 256, true);
	uint8_t f[64];
	uint32_t i;

	(void)state;
	for (i = 0; i < 200; i++) {
		make_frame(f, sizeof(f), TAG_PASS, i);
		assert_int_equal(pp_nic_from_guest(c->dev, f, sizeof(f)), 0);
	}
	pp_nic_flush(c->dev);
	assert_int_equal(c->tf.max_burst, PP_BURST_MAX);
	assert_int_equal(c->tf.bursts[PP_DIR_GUEST_TO_WIRE],
			 (200 + PP_BURST_MAX - 1) / PP_BURST_MAX);
	assert_int_equal(c->fn->n_sent, 200);
	for (i = 0; i < 200; i++)
		assert_int_equal(frame_seq(c->fn->sent[i].data), i);
	ctx_free(c);
}

static void test_timer_merging_one_platform_timer(void **state)
{
	struct fake_plat *fp;
	struct test_filter tf = {0};
	struct pp_dev_params prm;
	struct fake_nic *fn;
	struct pp_dev *dev;
	unsigned int sets;

	(void)state;
	fp = fake_plat_new();
	fake_params(&prm, fp);
	prm.filter = &test_filter_ops;
	prm.filter_opaque = &tf;
	tf.deadlines[0] = 3000;
	tf.deadlines[1] = 9000;
	tf.deadlines[2] = 0;
	tf.n_deadlines = 3;
	fake_dev_reg_set(fp, RD_DEADLINE, 5000);
	fp->now = 1000;
	assert_int_equal(pp_dev_create(&prm, &dev), 0);
	fn = pp_nic_priv(dev);
	/* The filter was asked once at create; min(5000, 3000) armed once. */
	assert_int_equal(tf.timer_calls, 1);
	assert_int_equal(tf.timer_now[0], 1000);
	assert_int_equal(fp->timer, 3000);
	assert_int_equal(fp->timer_sets, 1);

	/* Early: nothing due, the one-shot timer is armed again. */
	fp->now = 2000;
	pp_dev_timer(dev);
	assert_int_equal(tf.timer_calls, 1);
	assert_int_equal(fn->timer_calls, 0);
	assert_int_equal(fp->timer, 3000);
	assert_int_equal(fp->timer_sets, 2);

	/* Filter due: it asks for 9000; the backend's 5000 is next. */
	fp->now = 3000;
	pp_dev_timer(dev);
	assert_int_equal(tf.timer_calls, 2);
	assert_int_equal(tf.timer_now[1], 3000);
	assert_int_equal(fn->timer_calls, 0);
	assert_int_equal(fp->timer, 5000);
	assert_int_equal(fp->timer_sets, 3);

	/* Backend due; inside the entry its deadline goes to 0 and then to
	 * 6100 (re-armed): one timer_set with min(6100, 9000). */
	fn->rearm_ns = 1000;
	fp->now = 5100;
	pp_dev_timer(dev);
	assert_int_equal(fn->timer_calls, 1);
	assert_int_equal(fp->timer, 6100);
	assert_int_equal(fp->timer_sets, 4);

	/* Both due; neither asks again: the one-shot timer already fired,
	 * so there is nothing to cancel. */
	sets = fp->timer_sets;
	fn->rearm_ns = 0;
	fp->now = 9500;
	pp_dev_timer(dev);
	assert_int_equal(fn->timer_calls, 2);
	assert_int_equal(tf.timer_calls, 3);
	assert_int_equal(tf.timer_now[2], 9500);
	assert_int_equal(fp->timer_sets, sets);

	/* Outside an entry point a backend deadline is armed at once. */
	pp_nic_timer_at(dev, 20000);
	assert_int_equal(fp->timer, 20000);
	assert_int_equal(fp->timer_sets, sets + 1);
	pp_nic_timer_at(dev, 20000); /* unchanged: no call */
	assert_int_equal(fp->timer_sets, sets + 1);

	/* Destroy cancels the armed timer. */
	pp_dev_destroy(dev);
	assert_int_equal(fp->timer, 0);
	assert_int_equal(fp->timer_sets, sets + 2);
	assert_true(tf.detached);
	fake_plat_free(fp);
}

/* ---------------------------------------------------------------------- */
/* Capture                                                                */
/* ---------------------------------------------------------------------- */

struct exp_frame {
	uint8_t tag;
	uint32_t seq;
	bool swapped; /* MACs swapped (reflected) */
	bool rewritten;
	uint64_t ts;
};

static void expect_pcap(const char *path, const struct exp_frame *e,
			unsigned int n, size_t len)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned int i = 0;
	pcap_t *p = pcap_open_offline(path, err);
	int r;

	if (p == NULL)
		fail_msg("%s: %s", path, err);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	while ((r = pcap_next_ex(p, &h, &d)) == 1) {
		uint8_t want[256];

		if (i >= n)
			fail_msg("%s: more than %u frames", path, n);
		make_frame(want, len, e[i].tag, e[i].seq);
		if (e[i].swapped) {
			uint8_t t[6];

			memcpy(t, want, 6);
			memcpy(want, want + 6, 6);
			memcpy(want + 6, t, 6);
		}
		if (e[i].rewritten)
			want[15] = 0xee;
		assert_int_equal(h->caplen, len);
		assert_int_equal(h->len, len);
		if (memcmp(d, want, len) != 0)
			fail_msg("%s: frame %u differs (tag %c seq %u)", path,
				 i, e[i].tag, e[i].seq);
		assert_int_equal(h->ts.tv_sec, e[i].ts / 1000000000u);
		assert_int_equal(h->ts.tv_usec, e[i].ts % 1000000000u / 1000u);
		i++;
	}
	assert_int_equal(r, PCAP_ERROR_BREAK);
	assert_int_equal(i, n);
	pcap_close(p);
}

static void test_capture_both_sides_frame_by_frame(void **state)
{
	char dir[] = "/tmp/pp-core-cap-XXXXXX";
	char gpath[128], wpath[128];
	struct pp_capture_params cp;
	struct test_filter tf = {0};
	struct pp_dev_params prm;
	struct fake_plat *fp;
	struct fake_nic *fn;
	struct pp_dev *dev;
	uint8_t f[64];
	const uint64_t T = 1700000000ull * 1000000000ull;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(gpath, sizeof(gpath), "%s/guest.pcap", dir);
	snprintf(wpath, sizeof(wpath), "%s/wire.pcap", dir);
	memset(&cp, 0, sizeof(cp));
	cp.guest_pcap = gpath;
	cp.wire_pcap = wpath;
	cp.inner = &test_filter_ops;
	cp.inner_arg = &tf;
	fp = fake_plat_new();
	fake_params(&prm, fp);
	prm.filter = &pp_filter_capture;
	prm.filter_opaque = &cp;
	fp->now = T;
	assert_int_equal(pp_dev_create(&prm, &dev), 0);
	fn = pp_nic_priv(dev);
	wreg32(dev, FN_RXCREDIT, 100);

	fp->now = T + 1000000; /* 1 ms */
	make_frame(f, sizeof(f), TAG_PASS, 0);
	guest_send(dev, fp, f, sizeof(f));
	fp->now = T + 2000000;
	make_frame(f, sizeof(f), TAG_REWRITE, 1);
	guest_send(dev, fp, f, sizeof(f));
	fp->now = T + 3000000;
	make_frame(f, sizeof(f), TAG_DROP, 2);
	guest_send(dev, fp, f, sizeof(f));
	fp->now = T + 4000000;
	make_frame(f, sizeof(f), TAG_REFLECT, 3);
	guest_send(dev, fp, f, sizeof(f));
	fp->now = T + 5000000;
	make_frame(f, sizeof(f), TAG_PASS, 10);
	wire_receive(dev, fp, f, sizeof(f));
	fp->now = T + 6000000;
	make_frame(f, sizeof(f), TAG_REFLECT, 11);
	wire_receive(dev, fp, f, sizeof(f));
	fp->now = T + 7000000;
	make_frame(f, sizeof(f), TAG_INJECT, 4);
	guest_send(dev, fp, f, sizeof(f));
	assert_int_equal(fn->n_sent, 5);
	assert_int_equal(fn->n_delivered, 2);
	pp_dev_destroy(dev);
	assert_true(tf.detached);

	{
		/* Guest side: as sent by the guest, and as it receives. */
		const struct exp_frame g[] = {
			{TAG_PASS, 0, false, false, T + 1000000},
			{TAG_REWRITE, 1, false, false, T + 2000000},
			{TAG_DROP, 2, false, false, T + 3000000},
			{TAG_REFLECT, 3, false, false, T + 4000000},
			{TAG_REFLECT, 3, true, false, T + 4000000},
			{TAG_PASS, 10, false, false, T + 5000000},
			{TAG_INJECT, 4, false, false, T + 7000000},
		};
		/* Wire side: as it came from / went to the wire. */
		const struct exp_frame w[] = {
			{TAG_PASS, 0, false, false, T + 1000000},
			{TAG_REWRITE, 1, false, true, T + 2000000},
			{TAG_PASS, 10, false, false, T + 5000000},
			{TAG_REFLECT, 11, false, false, T + 6000000},
			{TAG_REFLECT, 11, true, false, T + 6000000},
			{'i', 4, false, false, T + 7000000},
			{TAG_INJECT, 4, false, false, T + 7000000},
		};

		expect_pcap(gpath, g, sizeof(g) / sizeof(g[0]), sizeof(f));
		expect_pcap(wpath, w, sizeof(w) / sizeof(w[0]), sizeof(f));
	}

	/* A file that cannot be created fails the create, cleanly. */
	cp.guest_pcap = "/nonexistent/dir/g.pcap";
	assert_int_equal(pp_dev_create(&prm, &dev), -EIO);
	assert_int_equal(fp->dma_live, 0);

	unlink(gpath);
	unlink(wpath);
	rmdir(dir);
	fake_plat_free(fp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_exhaustion_enobufs_counted),
		cmocka_unit_test(test_order_kept_across_partial_wire_tx),
		cmocka_unit_test(test_order_kept_across_partial_guest_rx),
		cmocka_unit_test(test_queue_overflow_dropped_and_counted),
		cmocka_unit_test(test_verdicts_drop_reflect_rewrite),
		cmocka_unit_test(test_inject_from_filter_and_limits),
		cmocka_unit_test(test_bursts_capped_at_burst_max),
		cmocka_unit_test(test_timer_merging_one_platform_timer),
		cmocka_unit_test(test_capture_both_sides_frame_by_frame),
	};

	return cmocka_run_group_tests_name("core_frame", tests, NULL, NULL);
}
