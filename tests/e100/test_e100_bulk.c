/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * 100,000 frames each way through the shadow path with none lost,
 * duplicated or reordered (sequence numbers inside the frames, byte-exact
 * payloads). RX uses flow control: QEMU's NIC drops, it does not queue,
 * while the backend's RU is not ready, so the bench keeps a bounded
 * window of frames in flight. $E100_BULK_FRAMES overrides the count.
 */
#include "shadow_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct gdrv *bulk_drv = &gdrv_linux;

static unsigned int bulk_window(void)
{
	return bulk_drv == &gdrv_ipxe ? 16 : bulk_drv == &gdrv_wdk ? 24 : 64;
}

static uint32_t bulk_frames(void)
{
	const char *v = getenv("E100_BULK_FRAMES");

	return v && atoi(v) > 0 ? (uint32_t)atoi(v) : 100000u;
}

static void report(const char *what, const struct traffic_result *res)
{
	double s = (double)res->elapsed_ns / 1e9;

	printf("%s: %llu frames in %.2f s = %.0f frames/s\n", what,
	       (unsigned long long)res->received, s,
	       s > 0 ? (double)res->received / s : 0.0);
}

static void test_bulk_tx(void **state)
{
	struct fix *f = fix_get(state);
	struct gnic *n = fix_guest(f, bulk_drv);
	struct traffic_result res;
	uint32_t count = bulk_frames();
	struct pp_dev_stats st;

	TRAFFIC_OK(traffic_tx(f->b, n, 100, count, 60, 1514, 32, 240000, &res),
		   res, f);
	report("guest->wire", &res);
	st = fix_stats(f);
	assert_true(st.wire_tx_frames >= count);
	assert_int_equal(st.queue_drops, 0);
	assert_int_equal(n->c.tx_bad, 0);
	fix_assert_healthy(f);
}

static void test_bulk_rx(void **state)
{
	struct fix *f = fix_get(state);
	struct gnic *n = fix_guest(f, bulk_drv);
	struct traffic_result res;
	uint32_t count = bulk_frames();
	struct pp_dev_stats st;

	f->rx.flow = 101;
	TRAFFIC_OK(traffic_rx(f->b, n, &f->rx, count, 60, 1514, bulk_window(),
			      240000, &res),
		   res, f);
	report("wire->guest", &res);
	st = fix_stats(f);
	assert_true(st.guest_rx_frames >= count);
	assert_int_equal(st.queue_drops, 0);
	assert_int_equal(n->c.rx_bad, 0);
	fix_assert_healthy(f);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fix_setup, fix_teardown)

/* argv: [tx|rx] [linux|fxp|wdk|ipxe] */
int main(int argc, char **argv)
{
	const struct CMUnitTest tx[] = {T(test_bulk_tx)};
	const struct CMUnitTest rx[] = {T(test_bulk_rx)};

	bench_require_qemu();
	if (argc > 2) {
		if (!strcmp(argv[2], "fxp"))
			bulk_drv = &gdrv_fxp;
		else if (!strcmp(argv[2], "wdk"))
			bulk_drv = &gdrv_wdk;
		else if (!strcmp(argv[2], "ipxe"))
			bulk_drv = &gdrv_ipxe;
	}
	printf("guest driver: %s\n", bulk_drv->name);
	/* meson runs the two directions as two tests, in parallel */
	if (argc > 1 && argv[1][0] == 't')
		return cmocka_run_group_tests_name("e100 bulk tx", tx, NULL,
						   NULL);
	if (argc > 1 && argv[1][0] == 'r')
		return cmocka_run_group_tests_name("e100 bulk rx", rx, NULL,
						   NULL);
	return cmocka_run_group_tests_name("e100 bulk tx", tx, NULL, NULL) |
	       cmocka_run_group_tests_name("e100 bulk rx", rx, NULL, NULL);
}
