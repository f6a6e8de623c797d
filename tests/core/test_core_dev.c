// SPDX-License-Identifier: BSD-2-Clause
/*
 * libparapass core: device object, parameters, entry-point validation,
 * checked guest memory, DMA helpers, MAC, stats and logging.
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

#include "fake.h"

struct ctx {
	struct fake_plat *fp;
	struct pp_dev *dev;
	struct pp_dev_params prm;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	fake_nic_attach_result = 0;
	c->fp = fake_plat_new();
	fake_params(&c->prm, c->fp);
	c->prm.log_level = PP_LOG_DEBUG;
	assert_int_equal(pp_dev_create(&c->prm, &c->dev), 0);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	pp_dev_destroy(c->dev);
	assert_int_equal(c->fp->dma_live, 0);
	fake_plat_free(c->fp);
	free(c);
	return 0;
}

/* ---------------------------------------------------------------------- */

static const struct pp_nic_ops nic_no_access = {
	.name = "broken",
	.wire_tx = NULL,
};
static const struct pp_nic_ops nic_bad_bars = {
	.name = "badbars",
	.trap_bars = 1u << 6,
};
static const struct pp_filter_ops filter_no_frames = {.name = "nf"};

static bool probe_never(const struct pp_pci_id *id)
{
	(void)id;
	return false;
}

enum mut {
	M_NAME_NULL,
	M_NAME_EMPTY,
	M_NAME_LONG,
	M_PLAT_NULL,
	M_NO_GUEST_READ,
	M_NO_TIMER_SET,
	M_NO_DMA_ALLOC,
	M_N_PKTS,
	M_QUEUE_LEN,
	M_LEVEL_LOW,
	M_LEVEL_HIGH,
	M_NIC_NO_ACCESS,
	M_NIC_BAD_BARS,
	M_FILTER_NO_FRAMES,
	M_UNKNOWN_PCI,
	M_PROBE_REJECTS,
	M_MAX_OK,
};

static const struct {
	enum mut m;
	int expect;
	const char *what;
} param_cases[] = {
	{M_NAME_NULL, -EINVAL, "name NULL"},
	{M_NAME_EMPTY, -EINVAL, "name empty"},
	{M_NAME_LONG, -EINVAL, "name 64 chars"},
	{M_PLAT_NULL, -EINVAL, "plat NULL"},
	{M_NO_GUEST_READ, -EINVAL, "no guest_read"},
	{M_NO_TIMER_SET, -EINVAL, "no timer_set"},
	{M_NO_DMA_ALLOC, -EINVAL, "no dma_alloc"},
	{M_N_PKTS, -EINVAL, "n_pkts above max"},
	{M_QUEUE_LEN, -EINVAL, "queue_len above max"},
	{M_LEVEL_LOW, -EINVAL, "log level 2"},
	{M_LEVEL_HIGH, -EINVAL, "log level 8"},
	{M_NIC_NO_ACCESS, -EINVAL, "backend without access"},
	{M_NIC_BAD_BARS, -EINVAL, "backend trap_bars bit 6"},
	{M_FILTER_NO_FRAMES, -EINVAL, "filter without frames"},
	{M_UNKNOWN_PCI, -ENODEV, "no backend for PCI id"},
	{M_PROBE_REJECTS, -ENODEV, "explicit backend rejects id"},
	{M_MAX_OK, 0, "maximum queue_len, small pool"},
};

static void test_params_validation_table(void **state)
{
	static char longname[65];
	struct fake_plat *fp = fake_plat_new();
	struct pp_platform_ops ops;
	struct pp_nic_ops probing;
	struct pp_dev_params prm;
	struct pp_dev *dev;
	size_t i;

	(void)state;
	memset(longname, 'a', 64);
	assert_int_equal(pp_dev_create(NULL, &dev), -EINVAL);
	assert_null(dev);
	fake_params(&prm, fp);
	assert_int_equal(pp_dev_create(&prm, NULL), -EINVAL);

	for (i = 0; i < sizeof(param_cases) / sizeof(param_cases[0]); i++) {
		fake_params(&prm, fp);
		ops = fake_plat_ops;
		probing = fake_nic_ops;
		switch (param_cases[i].m) {
		case M_NAME_NULL:
			prm.name = NULL;
			break;
		case M_NAME_EMPTY:
			prm.name = "";
			break;
		case M_NAME_LONG:
			prm.name = longname;
			break;
		case M_PLAT_NULL:
			prm.plat = NULL;
			break;
		case M_NO_GUEST_READ:
			ops.guest_read = NULL;
			prm.plat = &ops;
			break;
		case M_NO_TIMER_SET:
			ops.timer_set = NULL;
			prm.plat = &ops;
			break;
		case M_NO_DMA_ALLOC:
			ops.dma_alloc = NULL;
			prm.plat = &ops;
			break;
		case M_N_PKTS:
			prm.n_pkts = 16385;
			break;
		case M_QUEUE_LEN:
			prm.queue_len = 4097;
			break;
		case M_LEVEL_LOW:
			prm.log_level = (enum pp_log_level)2;
			break;
		case M_LEVEL_HIGH:
			prm.log_level = (enum pp_log_level)8;
			break;
		case M_NIC_NO_ACCESS:
			prm.nic = &nic_no_access;
			break;
		case M_NIC_BAD_BARS:
			prm.nic = &nic_bad_bars;
			break;
		case M_FILTER_NO_FRAMES:
			prm.filter = &filter_no_frames;
			break;
		case M_UNKNOWN_PCI:
			prm.nic = NULL;
			prm.pci.vendor = 0x1234;
			prm.pci.device = 0x5678;
			break;
		case M_PROBE_REJECTS:
			probing.probe = probe_never;
			prm.nic = &probing;
			break;
		case M_MAX_OK:
			prm.queue_len = 4096;
			prm.n_pkts = 1;
			break;
		}
		dev = (struct pp_dev *)(uintptr_t)1;
		if (pp_dev_create(&prm, &dev) != param_cases[i].expect)
			fail_msg("case %zu (%s): expected %d", i,
				 param_cases[i].what, param_cases[i].expect);
		if (param_cases[i].expect != 0)
			assert_null(dev);
		pp_dev_destroy(dev);
		assert_int_equal(fp->dma_live, 0);
	}
	fake_plat_free(fp);
}

static void test_backend_attach_failure_undoes_filter(void **state)
{
	struct fake_plat *fp = fake_plat_new();
	struct test_filter tf = {0};
	struct pp_dev_params prm;
	struct pp_dev *dev;

	(void)state;
	fake_params(&prm, fp);
	prm.filter = &test_filter_ops;
	prm.filter_opaque = &tf;
	fake_nic_attach_result = -EIO;
	assert_int_equal(pp_dev_create(&prm, &dev), -EIO);
	fake_nic_attach_result = 0;
	assert_null(dev);
	assert_true(tf.detached);
	assert_int_equal(fp->dma_live, 0);
	assert_true(fake_log_count(fp, "attach failed") >= 1);

	/* A filter that fails: the backend is never attached. */
	memset(&tf, 0, sizeof(tf));
	tf.attach_result = -EPERM;
	assert_int_equal(pp_dev_create(&prm, &dev), -EPERM);
	assert_int_equal(fp->dma_live, 0);
	assert_int_equal(fp->arena_used, 32768); /* only the first attempt */
	fake_plat_free(fp);
}

static void test_backend_selected_from_table_or_enodev(void **state)
{
	struct fake_plat *fp = fake_plat_new();
	struct pp_dev_params prm;
	struct pp_dev *dev;
	unsigned int i;

	(void)state;
	/* The table is NULL-terminated and does not know the fake NIC. */
	for (i = 0; pp_nic_table[i] != NULL; i++)
		assert_non_null(pp_nic_table[i]->name);
	fake_params(&prm, fp);
	prm.nic = NULL;
	assert_int_equal(pp_dev_create(&prm, &dev), -ENODEV);
	fake_plat_free(fp);
}

static void test_trace_records_one_device_at_a_time(void **state)
{
	struct fake_plat *fp = fake_plat_new();
	struct pp_dev_params prm;
	struct pp_dev *a, *b;
	struct pp_trace *tr;
	char path[] = "/tmp/pp-core-busy-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(pp_trace_open_write(path, &tr), 0);
	fake_params(&prm, fp);
	prm.trace = tr;
	assert_int_equal(pp_dev_create(&prm, &a), 0);
	assert_int_equal(pp_dev_create(&prm, &b), -EBUSY);
	pp_dev_destroy(a);
	assert_int_equal(pp_dev_create(&prm, &b), 0);
	pp_dev_destroy(b);
	pp_trace_close(tr);
	assert_int_equal(pp_trace_open_write(NULL, &tr), -EINVAL);
	assert_int_equal(pp_trace_open_write("/nonexistent/dir/x", &tr),
			 -ENOENT);
	pp_trace_close(NULL);
	unlink(path);
	close(fd);
	fake_plat_free(fp);
}

static void test_access_refused_outside_trapped_bars(void **state)
{
	struct ctx *c = *state;
	struct pp_dev_stats st;
	uint32_t v;

	assert_int_equal(pp_dev_trap_bars(c->dev), 1);
	assert_int_equal(pp_dev_bar_size(c->dev, 0), 64);
	assert_int_equal(pp_dev_bar_size(c->dev, 6), 0);
	assert_int_equal(pp_dev_trap_bars(NULL), 0);

	v = 0;
	assert_int_equal(pp_dev_access(c->dev, 1, 0, 4, false, &v), -EINVAL);
	assert_int_equal(v, 0xffffffffu);
	assert_int_equal(pp_dev_access(c->dev, 0, 0, 3, false, &v), -EINVAL);
	assert_int_equal(pp_dev_access(c->dev, 0, 62, 4, false, &v), -EINVAL);
	assert_int_equal(pp_dev_access(c->dev, 0, 64, 1, true, &v), -EINVAL);
	assert_int_equal(pp_dev_access(c->dev, 9, 0, 1, true, &v), -EINVAL);
	assert_int_equal(pp_dev_access(c->dev, 0, 0, 4, false, NULL), -EINVAL);
	assert_int_equal(pp_dev_access(NULL, 0, 0, 4, false, &v), -EINVAL);
	pp_dev_get_stats(c->dev, &st);
	assert_int_equal(st.guest_errors, 5);

	/* Refused by the backend: a read completes as all-ones. */
	v = 0;
	assert_int_equal(pp_dev_access(c->dev, 0, FN_REFUSE, 2, false, &v),
			 -EINVAL);
	assert_int_equal(v, 0xffff);
	/* Accepted: writes are masked to the access width. */
	v = 0x12345678;
	assert_int_equal(pp_dev_access(c->dev, 0, FN_TXLEN, 2, true, &v), 0);
	assert_int_equal(reg32(c->dev, FN_TXLEN), 0x5678);
	/* Pass-through register reaches the fake device. */
	c->fp->bar[0][RD_ECHO] = 0x5a;
	assert_int_equal(reg32(c->dev, FN_ECHO), 0x5a);
}

static const struct {
	uint64_t gpa;
	size_t len;
	int ret;
	bool reaches_platform;
} mem_cases[] = {
	{0, 0, 0, false},		       /* empty: nothing to do */
	{UINT64_MAX, 0, 0, false},	       /* empty anywhere */
	{UINT64_MAX, 1, -EFAULT, false},       /* end wraps to 0 */
	{UINT64_MAX - 3, 8, -EFAULT, false},   /* wraps */
	{UINT64_MAX - 7, 8, -EFAULT, false},   /* end is exactly 2^64 */
	{UINT64_MAX - 8, 8, -EFAULT, true},    /* fits, not RAM */
	{0, 65536, 0, true},		       /* the cap itself */
	{0, 65537, -EFAULT, false},	       /* above the cap */
	{FAKE_RAM_SIZE - 8, 8, 0, true},       /* last bytes of RAM */
	{FAKE_RAM_SIZE - 4, 8, -EFAULT, true}, /* straddles the end */
	{FAKE_RAM_SIZE, 1, -EFAULT, true},     /* just past the end */
	{1ull << 40, 16, -EFAULT, true},       /* far outside */
};

static void test_guest_memory_bounds_table(void **state)
{
	struct ctx *c = *state;
	static uint8_t buf[65537];
	struct pp_dev_stats st;
	unsigned int faults = 0;
	size_t i;

	for (i = 0; i < sizeof(mem_cases) / sizeof(mem_cases[0]); i++) {
		unsigned int calls = c->fp->guest_calls;
		int r;

		memset(buf, 0xaa, sizeof(buf));
		r = pp_guest_read(c->dev, mem_cases[i].gpa, buf,
				  mem_cases[i].len);
		if (r != mem_cases[i].ret)
			fail_msg("read case %zu: got %d", i, r);
		if ((c->fp->guest_calls != calls) !=
		    mem_cases[i].reaches_platform)
			fail_msg("read case %zu: platform reached %d", i,
				 c->fp->guest_calls != calls);
		if (r != 0 && mem_cases[i].len <= 65536) {
			/* Nothing stale or partial is left in the buffer. */
			size_t k;

			for (k = 0; k < mem_cases[i].len; k++)
				if (buf[k] != 0)
					fail_msg("read case %zu: byte %zu", i,
						 k);
		}
		if (r != 0)
			faults++;

		calls = c->fp->guest_calls;
		r = pp_guest_write(c->dev, mem_cases[i].gpa, buf,
				   mem_cases[i].len);
		if (r != mem_cases[i].ret)
			fail_msg("write case %zu: got %d", i, r);
		if ((c->fp->guest_calls != calls) !=
		    mem_cases[i].reaches_platform)
			fail_msg("write case %zu: platform reached", i);
		if (r != 0)
			faults++;
	}
	pp_dev_get_stats(c->dev, &st);
	assert_int_equal(st.guest_faults, faults);
	assert_int_equal(pp_guest_read(c->dev, 0, NULL, 4), -EINVAL);
	assert_int_equal(pp_guest_read(NULL, 0, buf, 4), -EINVAL);

	/* A guest-driven fault through the backend is counted too. */
	wreg32(c->dev, FN_TXADDR, FAKE_RAM_SIZE - 10);
	wreg32(c->dev, FN_TXLEN, 60);
	wreg32(c->dev, FN_TXGO, 1);
	assert_int_equal((int32_t)reg32(c->dev, FN_STATUS), -EFAULT);
	pp_dev_get_stats(c->dev, &st);
	assert_int_equal(st.guest_faults, faults + 1);
	assert_int_equal(st.guest_tx_frames, 0);
}

static void test_dma_helpers_validate(void **state)
{
	struct ctx *c = *state;
	struct pp_dma_buf b;
	unsigned int syncs;

	assert_int_equal(pp_dma_alloc(c->dev, 0, 64, &b), -EINVAL);
	assert_int_equal(pp_dma_alloc(c->dev, 100, 3, &b), -EINVAL);
	assert_int_equal(pp_dma_alloc(c->dev, 100, 0, &b), -EINVAL);
	assert_int_equal(pp_dma_alloc(c->dev, 100, 64, NULL), -EINVAL);
	assert_int_equal(pp_dma_alloc(c->dev, 100, 4096, &b), 0);
	assert_int_equal(b.iova % 4096, 0);
	assert_true(b.len >= 100);
	assert_int_equal(c->fp->dma_live, 3);
	syncs = c->fp->syncs;
	pp_dma_sync_for_cpu(c->dev, &b, 0, b.len);
	pp_dma_sync_for_device(c->dev, &b, 50, 50);
	assert_int_equal(c->fp->syncs, syncs + 2);
	/* Out of range: a backend bug, ignored and logged. */
	pp_dma_sync_for_cpu(c->dev, &b, 90, 11);
	pp_dma_sync_for_device(c->dev, &b, SIZE_MAX, 2);
	assert_int_equal(c->fp->syncs, syncs + 2);
	assert_true(fake_log_count(c->fp, "DMA sync") >= 2);
	pp_dma_free(c->dev, &b);
	assert_null(b.cpu);
	pp_dma_free(c->dev, &b); /* second free is a no-op */
	assert_int_equal(c->fp->dma_live, 2);
	/* Too big for the arena: the platform's error comes back. */
	assert_int_equal(pp_dma_alloc(c->dev, FAKE_DMA_SIZE, 64, &b), -ENOMEM);
}

static void test_mac_stats_pci(void **state)
{
	struct ctx *c = *state;
	struct pp_dev_stats st;
	uint8_t mac[6] = {0};
	struct fake_nic *fn = pp_nic_priv(c->dev);
	uint32_t v = 0;

	assert_false(pp_dev_get_mac(c->dev, mac));
	wreg32(c->dev, FN_MACLO, 0x00eeddcc);
	wreg32(c->dev, FN_MACHI, 0x0000bbaa);
	assert_true(pp_dev_get_mac(c->dev, mac));
	assert_memory_equal(mac, ((uint8_t[]){0xcc, 0xdd, 0xee, 0, 0xaa, 0xbb}),
			    6);
	assert_false(pp_dev_get_mac(NULL, mac));

	memset(&st, 0xff, sizeof(st));
	pp_dev_get_stats(NULL, &st);
	assert_int_equal(st.guest_tx_frames, 0);
	assert_int_equal(st.dev_errors, 0);

	pp_dev_pci_command(c->dev, 0x0007);
	assert_int_equal(fn->last_cmd, 7);
	assert_int_equal(c->fp->cfg[4], 7);
	assert_int_equal(pp_pci_read(c->dev, 0, 4, &v), 0);
	assert_int_equal(v, FAKE_DEVICE << 16 | FAKE_VENDOR);
	assert_int_equal(pp_pci_read(c->dev, 0, 3, &v), -EINVAL);
	assert_int_equal(pp_pci_read(c->dev, 4094, 4, &v), -EINVAL);
	assert_int_equal(pp_pci_read(c->dev, 0x200, 4, &v), -EINVAL);
	assert_int_equal(v, 0xffffffffu);
	assert_int_equal(pp_nic_pci_id(c->dev)->vendor, FAKE_VENDOR);

	pp_nic_count_guest_error(c->dev);
	pp_nic_count_dev_error(c->dev);
	pp_dev_get_stats(c->dev, &st);
	assert_int_equal(st.guest_errors, 1);
	assert_int_equal(st.dev_errors, 1);
	pp_nic_irq(c->dev, true);
	assert_true(c->fp->irq);
	pp_nic_irq(c->dev, false);
	assert_false(c->fp->irq);
}

static void test_log_prefix_level_and_rate_limit(void **state)
{
	struct ctx *c = *state;
	unsigned int i, got, before;

	/* Creation logged "attached ..." with the device name. */
	assert_int_equal(fake_log_count(c->fp, "fake0: attached backend "
					       "fakenic"),
			 1);
	for (i = 0; i < 100; i++)
		pp_nic_log(c->dev, PP_LOG_DEBUG, "flood %u", i);
	got = fake_log_count(c->fp, "fake0: flood ");
	assert_true(got > 0 && got <= 20);
	assert_int_equal(fake_log_count(c->fp, "suppressed"), 0);
	/* Time passes (learned through the platform clock): it refills. */
	before = c->fp->n_logs;
	c->fp->now += 1000000000ull;
	pp_nic_now(c->dev);
	pp_nic_log(c->dev, PP_LOG_WARNING, "after the pause");
	assert_int_equal(c->fp->n_logs, before + 2);
	assert_non_null(strstr(c->fp->logs[before], "log messages suppressed"));
	assert_non_null(
		strstr(c->fp->logs[before + 1], "fake0: after the pause"));
	assert_int_equal(c->fp->log_levels[before + 1], PP_LOG_WARNING);
}

static void test_log_level_filters(void **state)
{
	struct fake_plat *fp = fake_plat_new();
	struct pp_dev_params prm;
	struct pp_dev *dev;

	(void)state;
	fake_params(&prm, fp);
	prm.log_level = PP_LOG_WARNING;
	assert_int_equal(pp_dev_create(&prm, &dev), 0);
	pp_nic_log(dev, PP_LOG_DEBUG, "hidden");
	pp_nic_log(dev, PP_LOG_INFO, "hidden");
	pp_nic_log(dev, PP_LOG_ERR, "shown");
	assert_int_equal(fake_log_count(fp, "hidden"), 0);
	assert_int_equal(fake_log_count(fp, "fake0: shown"), 1);
	pp_dev_destroy(dev);
	pp_dev_destroy(NULL);
	fake_plat_free(fp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params_validation_table),
		cmocka_unit_test(test_backend_attach_failure_undoes_filter),
		cmocka_unit_test(test_backend_selected_from_table_or_enodev),
		cmocka_unit_test(test_trace_records_one_device_at_a_time),
		cmocka_unit_test_setup_teardown(
			test_access_refused_outside_trapped_bars, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_guest_memory_bounds_table,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_helpers_validate,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mac_stats_pci, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_log_prefix_level_and_rate_limit, setup, teardown),
		cmocka_unit_test(test_log_level_filters),
	};

	return cmocka_run_group_tests_name("core_dev", tests, NULL, NULL);
}
