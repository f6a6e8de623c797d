/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The data path allocates nothing: for every suite, mode and outer family,
 * after the SAs are built, bursts of pp_esp_outbound() / pp_esp_inbound()
 * (including failing packets) make no call to malloc, calloc, realloc or
 * free — neither in libesp nor inside libcrypto.
 *
 * The allocator is interposed in this executable (glibc resolves malloc to
 * the first definition, the executable's, for every library), counting
 * calls while a flag is set. Sanitizer builds own the allocator, so this
 * test is built only without them (meson.build).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esp_util.h"

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

static volatile bool counting;
static volatile unsigned long n_alloc;

void *malloc(size_t n);
void *calloc(size_t n, size_t m);
void *realloc(void *p, size_t n);
void free(void *p);

void *malloc(size_t n)
{
	if (counting)
		n_alloc++;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	if (counting)
		n_alloc++;
	return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	if (counting)
		n_alloc++;
	return __libc_realloc(p, n);
}

void free(void *p)
{
	if (counting && p != NULL)
		n_alloc++;
	__libc_free(p);
}

#define BURST 32
#define PAYLOAD 1400
#define ROOM 256

static void run_case(const struct eu_suite *suite, enum pp_esp_mode mode,
		     int family, uint32_t flags)
{
	struct eu_cfg cfg = {
		.suite = suite,
		.mode = mode,
		.outer_family = family,
		.flags = flags,
	};
	static uint8_t mem[BURST][ROOM + PAYLOAD + 64 + ROOM];
	struct pp_pkt pkts[BURST], *pp[BURST];
	struct pp_esp_sa *out, *in;
	uint8_t pkt[PAYLOAD + 64], pay[PAYLOAD];
	size_t len;
	unsigned int ok;

	assert_int_equal(eu_sa_pair(&cfg, &out, &in), 0);
	pb_fill(pay, sizeof(pay), 7);
	len = pb_ip_udp(pkt, family, family == 4 ? eu_in4_a : eu_in6_a,
			family == 4 ? eu_in4_b : eu_in6_b, 1000, 2000, pay,
			sizeof(pay));

	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < BURST; i++) {
			pp_pkt_init(&pkts[i], mem[i], sizeof(mem[i]), ROOM);
			memcpy(pp_pkt_put(&pkts[i], (uint32_t)len), pkt, len);
			pp[i] = &pkts[i];
		}
		/* Round 0 warms up one-time lazy state (libcrypto's DRBG is
		 * instantiated on its first use); rounds 1-2 are counted. */
		counting = round > 0;
		n_alloc = 0;
		ok = pp_esp_outbound(out, pp, BURST);
		/* one forged packet per burst: must fail, still no alloc */
		pp_pkt_data(&pkts[BURST - 1])[pkts[BURST - 1].len - 1] ^= 1;
		ok += pp_esp_inbound(in, pp, BURST);
		counting = false;
		if (n_alloc != 0)
			fail_msg("%s mode %d v%d round %d: %lu allocator "
				 "calls in the data path", suite->name,
				 (int)mode, family, round, n_alloc);
		assert_int_equal(ok, 2 * BURST - 1);
		assert_int_equal(pkts[BURST - 1].status, PP_ESP_ERR_ICV);
	}
	pp_esp_sa_destroy(out);
	pp_esp_sa_destroy(in);
}

/* RFC 4303 §3.3/§3.4 processing, performance contract of docs/esp.md. */
static void test_data_path_makes_no_allocation(void **state)
{
	(void)state;
	for (size_t s = 0; s < eu_n_suites; s++) {
		run_case(&eu_suites[s], PP_ESP_MODE_TUNNEL, 4, 0);
		run_case(&eu_suites[s], PP_ESP_MODE_TUNNEL, 6,
			 PP_ESP_SA_F_ESN | PP_ESP_SA_F_UDP_ENCAP);
		run_case(&eu_suites[s], PP_ESP_MODE_TRANSPORT, 4, 0);
	}
}

/* The interposer itself works: otherwise the test above proves nothing. */
static void test_interposer_counts_allocations(void **state)
{
	void *p;

	(void)state;
	counting = true;
	n_alloc = 0;
	p = malloc(16);
	free(p);
	counting = false;
	assert_int_equal(n_alloc, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interposer_counts_allocations),
		cmocka_unit_test(test_data_path_makes_no_allocation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
