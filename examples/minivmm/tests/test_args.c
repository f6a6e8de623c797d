// SPDX-License-Identifier: BSD-2-Clause
/* minivmm: command line parsing, PCI addresses, the IOVA allocator. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "args.h"
#include "vfio.h"

#define ARGV(...) ((char *[]){"minivmm", __VA_ARGS__, NULL})
#define ARGC(v)	  ((int)(sizeof(v) / sizeof(v[0])) - 1)

static int parse(int argc, char **argv, struct mv_args *a, char *err)
{
	return mv_args_parse(argc, argv, a, err, 256);
}

static void test_defaults(void **state)
{
	char **v = ARGV("--kernel", "bz");
	struct mv_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(ARGC(ARGV("--kernel", "bz")), v, &a, err), 0);
	assert_string_equal(a.kernel, "bz");
	assert_null(a.initrd);
	assert_string_equal(a.cmdline, MV_DEFAULT_CMDLINE);
	assert_non_null(strstr(a.cmdline, "acpi=off"));
	assert_int_equal(a.mem_mib, 256);
	assert_int_equal(a.cpus, 1);
	assert_string_equal(a.vfio, "");
	assert_int_equal(a.filter, MV_FILTER_PASS);
	assert_true(a.stdin_input);
	assert_false(a.verbose);
}

static void test_everything(void **state)
{
	char **v = ARGV("--kernel", "bz", "--initrd", "rd", "--cmdline",
			"console=ttyS0", "--mem=512", "--cpus", "2", "--vfio",
			"00:03.0", "--filter", "capture", "--capture-guest",
			"g.pcap", "--capture-wire", "w.pcap", "--trace", "t.tr",
			"--no-stdin", "-v");
	struct mv_args a;
	char err[256];
	int argc = 0;

	(void)state;
	while (v[argc] != NULL)
		argc++;
	assert_int_equal(parse(argc, v, &a, err), 0);
	assert_string_equal(a.initrd, "rd");
	assert_string_equal(a.cmdline, "console=ttyS0");
	assert_int_equal(a.mem_mib, 512);
	assert_int_equal(a.cpus, 2);
	assert_string_equal(a.vfio, "0000:00:03.0");
	assert_int_equal(a.filter, MV_FILTER_CAPTURE);
	assert_string_equal(a.capture_guest, "g.pcap");
	assert_string_equal(a.capture_wire, "w.pcap");
	assert_string_equal(a.trace, "t.tr");
	assert_false(a.stdin_input);
	assert_true(a.verbose);
}

struct bad {
	const char *argv[8];
	const char *msg;
};

static void test_errors(void **state)
{
	static const struct bad cases[] = {
		{{"--initrd", "x"}, "--kernel is required"},
		{{"--kernel", "k", "--mem", "31"}, "--mem 31"},
		{{"--kernel", "k", "--mem", "12x"}, "--mem 12x"},
		{{"--kernel", "k", "--mem", "-5"}, "--mem -5"},
		{{"--kernel", "k", "--cpus", "0"}, "--cpus 0"},
		{{"--kernel", "k", "--cpus", "33"}, "--cpus 33"},
		{{"--kernel", "k", "--vfio", "2.0"}, "--vfio 2.0"},
		{{"--kernel", "k", "--vfio", "00:20.0"}, "--vfio"},
		{{"--kernel", "k", "--filter", "vpn"}, "--filter vpn"},
		{{"--kernel", "k", "--vfio", "00:02.0", "--filter", "capture"},
		 "--capture-guest FILE"},
		{{"--kernel", "k", "--vfio", "00:02.0", "--capture-wire", "w"},
		 "need --filter capture"},
		{{"--kernel", "k", "--trace", "t"}, "--trace needs --vfio"},
		{{"--kernel", "k", "--filter", "pass"},
		 "--filter needs --vfio"},
		{{"--kernel", "k", "--frobnicate"}, "unknown option"},
		{{"--kernel", "k", "-q"}, "unknown option -q"},
		{{"--kernel", "k", "extra"}, "unexpected argument extra"},
		{{"--kernel"}, "needs an argument"},
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[10] = {"minivmm"};
		struct mv_args a;
		char err[256];
		int argc = 1;

		while (argc < 9 && cases[i].argv[argc - 1] != NULL) {
			argv[argc] = (char *)(uintptr_t)cases[i].argv[argc - 1];
			argc++;
		}
		argv[argc] = NULL;
		assert_int_equal(parse(argc, argv, &a, err), -1);
		if (strstr(err, cases[i].msg) == NULL)
			fail_msg("case %u: '%s' does not contain '%s'", i, err,
				 cases[i].msg);
	}
}

static void test_help_and_version(void **state)
{
	char **v = ARGV("--help");
	char **w = ARGV("--version");
	struct mv_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(1 + 1, v, &a, err), 0);
	assert_true(a.help);
	assert_int_equal(parse(1 + 1, w, &a, err), 0);
	assert_true(a.version);
}

static void test_bdf(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(mv_parse_bdf("00:02.0", out), 0);
	assert_string_equal(out, "0000:00:02.0");
	assert_int_equal(mv_parse_bdf("0001:3A:1f.7", out), 0);
	assert_string_equal(out, "0001:3a:1f.7");
	assert_int_equal(mv_parse_bdf("00:20.0", out), -1);
	assert_int_equal(mv_parse_bdf("00:02.8", out), -1);
	assert_int_equal(mv_parse_bdf("0:2.0", out), -1);
	assert_int_equal(mv_parse_bdf("0000-00:02.0", out), -1);
	assert_int_equal(mv_parse_bdf("00:02.0x", out), -1);
	assert_int_equal(mv_parse_bdf("", out), -1);
}

static void test_iova_allocator(void **state)
{
	struct mv_dma_map m[4];
	uint64_t iova;

	(void)state;
	memset(m, 0, sizeof(m));
	assert_int_equal(
		mv_iova_find(m, 4, 0x100000, 0x200000, 0x1000, 0x1000, &iova),
		0);
	assert_int_equal(iova, 0x100000);
	m[0] = (struct mv_dma_map){NULL, 0x100000, 0x3000, true};
	m[2] = (struct mv_dma_map){NULL, 0x104000, 0x1000, true};
	/* First fit: the 4 KiB hole at 0x103000. */
	assert_int_equal(
		mv_iova_find(m, 4, 0x100000, 0x200000, 0x1000, 0x1000, &iova),
		0);
	assert_int_equal(iova, 0x103000);
	/* 8 KiB does not fit there. */
	assert_int_equal(
		mv_iova_find(m, 4, 0x100000, 0x200000, 0x2000, 0x1000, &iova),
		0);
	assert_int_equal(iova, 0x105000);
	/* Alignment. */
	assert_int_equal(
		mv_iova_find(m, 4, 0x100000, 0x200000, 0x1000, 0x10000, &iova),
		0);
	assert_int_equal(iova, 0x110000);
	/* A freed entry is reused. */
	m[0].used = false;
	assert_int_equal(
		mv_iova_find(m, 4, 0x100000, 0x200000, 0x3000, 0x1000, &iova),
		0);
	assert_int_equal(iova, 0x100000);
	/* Full window, bad arguments. */
	assert_int_equal(
		mv_iova_find(m, 4, 0x100000, 0x104000, 0x5000, 0x1000, &iova),
		-ENOSPC);
	assert_int_equal(
		mv_iova_find(m, 4, 0x100000, 0x200000, 0, 0x1000, &iova),
		-EINVAL);
	assert_int_equal(
		mv_iova_find(m, 4, 0x100000, 0x200000, 0x1000, 0x1800, &iova),
		-EINVAL);
	/* The window stays below the MSI range and 4 GiB. */
	assert_true(MV_IOVA_LIMIT <= 0xfee00000ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_everything),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_help_and_version),
		cmocka_unit_test(test_bdf),
		cmocka_unit_test(test_iova_allocator),
	};

	return cmocka_run_group_tests_name("minivmm_args", tests, NULL, NULL);
}
