/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmocka fixture for the shadow-path tests: one QEMU + one pp_dev per
 * test, a test guest driver on top, and the health checks every test ends
 * with (qtest alive, no guest address reached the device, no DMA buffer
 * leaked by pp_dev_destroy, no interrupt storm).
 */
#ifndef PP_TESTS_E100_SHADOW_FIXTURE_H
#define PP_TESTS_E100_SHADOW_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bench_plat.h"
#include "guest.h"
#include "hw8255x.h"
#include "traffic.h"

struct fix {
	struct bench *b;
	struct ghw hw;
	struct gnic *n;
	struct traffic_rx rx;
	int attach_err;
	const void *arg; /* the test's table entry, if any */
};

extern const uint8_t fix_mac[6]; /* the guest's MAC (IA setup) */

/* Setup/teardown for cmocka_unit_test_setup_teardown(). */
int fix_setup(void **state);
int fix_teardown(void **state);
/* Skips the test when the backend is not available. */
struct fix *fix_get(void **state);
/* Open a guest driver of @drv's style (fails the test on error). */
struct gnic *fix_guest(struct fix *f, const struct gdrv *drv);
/* Close the current guest (driver-style reset) and forget its RAM. */
void fix_guest_close(struct fix *f);
/* Fail unless the bench is healthy. */
void fix_assert_healthy(struct fix *f);
/* pp_dev statistics. */
struct pp_dev_stats fix_stats(struct fix *f);
/* Wait until QEMU took every frame sent and the VMM and guest handled
 * the consequences (no fixed sleep: robust on a loaded host). */
void fix_settle(struct fix *f);
/* Run the world (and the guest) for about @ms. */
void fix_run(struct fix *f, int ms);

#define TRAFFIC_OK(call, res, f)                                               \
	do {                                                                   \
		if ((call) != 0)                                               \
			fail_msg("%s [%s]", (res).err,                         \
				 bench_plat_summary((f)->b));                  \
	} while (0)

#endif /* PP_TESTS_E100_SHADOW_FIXTURE_H */
