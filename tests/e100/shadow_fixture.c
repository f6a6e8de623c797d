/* SPDX-License-Identifier: BSD-2-Clause */
#include "shadow_fixture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const uint8_t fix_mac[6] = {0x02, 0xde, 0xad, 0xbe, 0xef, 0x01};

int fix_setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->arg = *state; /* cmocka's initial state: a table entry */
	if (bench_open(NULL, &f->b) < 0) {
		free(f);
		return -1;
	}
	f->attach_err = bench_attach(f->b, NULL);
	ghw_init_shadow(&f->hw, f->b);
	f->rx.flow = 1;
	*state = f;
	return 0;
}

int fix_teardown(void **state)
{
	struct fix *f = *state;
	int rc = 0;

	if (!f)
		return 0;
	if (f->n) {
		gnic_free(f->n);
		f->n = NULL;
	}
	if (f->b->dev) {
		bench_detach(f->b);
		/* the backend must give back every DMA buffer */
		if (f->b->c.dma_live != 0) {
			fprintf(stderr,
				"e100 bench: %llu DMA buffers leaked by "
				"pp_dev_destroy\n",
				(unsigned long long)f->b->c.dma_live);
			rc = -1;
		}
		if (f->b->c.dma_bad_frees) {
			fprintf(stderr, "e100 bench: %llu bad dma_free calls\n",
				(unsigned long long)f->b->c.dma_bad_frees);
			rc = -1;
		}
	}
	bench_close(f->b);
	free(f);
	return rc;
}

struct fix *fix_get(void **state)
{
	struct fix *f = *state;

	if (f->attach_err == -ENODEV) {
		fail_msg("e100 backend not built into libparapass "
			 "(pp_dev_create: -ENODEV)");
	}
	if (f->attach_err < 0)
		fail_msg("pp_dev_create failed: %d [%s]", f->attach_err,
			 bench_plat_summary(f->b));
	f->hw.dev = f->b->dev;
	return f;
}

struct gnic *fix_guest(struct fix *f, const struct gdrv *drv)
{
	f->rx.next = 0;
	f->n = gnic_new(drv, &f->hw, fix_mac, traffic_rx_cb, &f->rx);
	if (!f->n)
		fail_msg("guest %s did not open [%s]", drv->name,
			 bench_plat_summary(f->b));
	return f->n;
}

void fix_guest_close(struct fix *f)
{
	gnic_free(f->n);
	f->n = NULL;
	bench_greset(f->b);
}

void fix_assert_healthy(struct fix *f)
{
	if (qt_failed(f->b->qt))
		fail_msg("qtest failed: %s", qt_error(f->b->qt));
	if (f->b->c.gpa_leaks)
		fail_msg("%llu guest addresses reached the device",
			 (unsigned long long)f->b->c.gpa_leaks);
	if (f->b->c.irq_storms)
		fail_msg("device interrupt line stuck high %llu times",
			 (unsigned long long)f->b->c.irq_storms);
	if (f->b->c.bad_access)
		fail_msg("%llu bad dev/dma accesses by the backend",
			 (unsigned long long)f->b->c.bad_access);
	if (qt_log_contains(f->b->qt, "feature is missing"))
		printf("note: QEMU reported a missing feature\n");
}

struct pp_dev_stats fix_stats(struct fix *f)
{
	struct pp_dev_stats st;

	memset(&st, 0, sizeof(st));
	if (f->b->dev)
		pp_dev_get_stats(f->b->dev, &st);
	return st;
}

void fix_run(struct fix *f, int ms)
{
	uint64_t end = bench_now_ns() + (uint64_t)ms * 1000000u;

	do {
		if (f->n)
			gnic_run(f->n, 1);
		else
			bench_plat_run(f->b, 1);
	} while (bench_now_ns() < end);
}

void fix_settle(struct fix *f)
{
	/* every frame sent so far has been taken in by QEMU's NIC and its
	 * interrupt is visible: deterministic, however loaded the host */
	for (int i = 0; i < 4; i++) {
		bench_barrier(f->b);
		if (f->n)
			gnic_run(f->n, 0);
		else
			bench_plat_run(f->b, 0);
	}
}
