// SPDX-License-Identifier: BSD-2-Clause
/*
 * Selector ranges -> CIDR prefixes (RFC 7296 §3.13.1 ranges are not
 * prefixes) and the routes ppvpn installs for a Child SA's remote
 * selectors, and the fixed packet-buffer pool of the data path.
 *
 * Expected decompositions are computed by hand: a range is covered by the
 * largest aligned blocks from its start (e.g. 192.0.2.1-192.0.2.6 =
 * .1/32 .2/31 .4/31 .6/32).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ppvpn.h"

struct range_case {
	const char *name;
	const char *range; /* ppvpn_parse_ts syntax */
	const char *want;  /* space-separated "addr/plen" */
};

static const struct range_case ranges[] = {
	{ "single host v4", "192.0.2.7", "192.0.2.7/32" },
	{ "exact /24", "198.51.100.0/24", "198.51.100.0/24" },
	{ "unaligned range v4", "192.0.2.1-192.0.2.6",
	  "192.0.2.1/32 192.0.2.2/31 192.0.2.4/31 192.0.2.6/32" },
	{ "range across a /24 boundary", "192.0.2.255-198.51.100.0",
	  NULL /* counted below */ },
	{ "whole IPv4 space", "0.0.0.0/0", "0.0.0.0/0" },
	{ "whole IPv4 space as a range", "0.0.0.0-255.255.255.255",
	  "0.0.0.0/0" },
	{ "top of IPv4 space", "255.255.255.254-255.255.255.255",
	  "255.255.255.254/31" },
	{ "last IPv4 address", "255.255.255.255", "255.255.255.255/32" },
	{ "whole IPv6 space", "::/0", "::/0" },
	{ "whole IPv6 space as a range",
	  "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/0" },
	{ "IPv6 /64", "2001:db8:2::/64", "2001:db8:2::/64" },
	{ "IPv6 unaligned", "2001:db8::1-2001:db8::4",
	  "2001:db8::1/128 2001:db8::2/127 2001:db8::4/128" },
	{ "top of IPv6 space",
	  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe-"
	  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127" },
};

static void fmt(const struct ppvpn_prefix *p, int n, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		char a[64];

		off += (size_t)snprintf(buf + off, len - off, "%s%s/%u",
					i ? " " : "",
					ppvpn_addr_str(p[i].family, p[i].addr,
						       a, sizeof(a)),
					p[i].plen);
	}
}

static void test_range_to_prefixes_table(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		struct pp_ike_ts ts;
		struct ppvpn_prefix p[300];
		char got[2048];
		int n;

		assert_int_equal(ppvpn_parse_ts(ranges[i].range, &ts), 0);
		n = ppvpn_range_to_prefixes(ts.family, ts.start, ts.end, p,
					    300);
		if (!ranges[i].want) {
			/* 192.0.2.255/32, then /32 blocks growing up to
			 * 198.51.100.0/32: the cover must be exact */
			int j;
			uint64_t total = 0;

			assert_true(n > 2);
			for (j = 0; j < n; j++)
				total += 1ull << (32 - p[j].plen);
			/* 198.51.100.0 - 192.0.2.255 + 1 */
			assert_int_equal(total,
					 ((198ull << 24 | 51ull << 16 |
					   100ull << 8) -
					  (192ull << 24 | 0ull << 16 |
					   2ull << 8 | 255ull)) + 1);
			continue;
		}
		assert_true(n > 0);
		fmt(p, n, got, sizeof(got));
		if (strcmp(got, ranges[i].want))
			fail_msg("%s: got '%s' want '%s'", ranges[i].name, got,
				 ranges[i].want);
	}
}

static void test_range_errors(void **state)
{
	struct ppvpn_prefix p[4];
	static const uint8_t a[4] = { 192, 0, 2, 9 }, b[4] = { 192, 0, 2, 1 };
	static const uint8_t c[4] = { 192, 0, 2, 1 }, d[4] = { 192, 0, 2, 254 };

	(void)state;
	assert_int_equal(ppvpn_range_to_prefixes(4, a, b, p, 4), -EINVAL);
	assert_int_equal(ppvpn_range_to_prefixes(5, c, d, p, 4), -EINVAL);
	/* .1-.254 needs 14 prefixes */
	assert_int_equal(ppvpn_range_to_prefixes(4, c, d, p, 4), -ENOSPC);
}

static void test_prefix_contains(void **state)
{
	struct ppvpn_prefix p = { .family = 4, .plen = 24,
				  .addr = { 198, 51, 100, 0 } };
	static const uint8_t in[4] = { 198, 51, 100, 77 };
	static const uint8_t out[4] = { 198, 51, 101, 1 };
	struct ppvpn_prefix p6 = { .family = 6, .plen = 0 };

	(void)state;
	assert_true(ppvpn_prefix_contains(&p, in));
	assert_false(ppvpn_prefix_contains(&p, out));
	p.plen = 32;
	assert_false(ppvpn_prefix_contains(&p, in));
	assert_true(ppvpn_prefix_contains(&p6, in));
}

/* The peer's own address must never be routed into the tunnel. */
static void test_routes_skip_peer_and_dedupe(void **state)
{
	struct pp_ike_ts ts[4];
	struct pp_ike_addr peer;
	struct ppvpn_prefix r[16];
	unsigned int skipped = 99;
	char got[512];
	int n;

	(void)state;
	assert_int_equal(ppvpn_parse_ts("198.51.100.0/24", &ts[0]), 0);
	assert_int_equal(ppvpn_parse_ts("198.51.100.0/24", &ts[1]), 0);
	assert_int_equal(ppvpn_parse_ts("0.0.0.0/0", &ts[2]), 0);
	assert_int_equal(ppvpn_parse_ts("2001:db8:2::/64", &ts[3]), 0);
	assert_int_equal(ppvpn_parse_ip("192.0.2.1", &peer), 0);

	n = ppvpn_routes_for_child(ts, 4, &peer, r, 16, &skipped);
	assert_int_equal(n, 2);
	assert_int_equal(skipped, 1); /* 0.0.0.0/0 contains the peer */
	fmt(r, n, got, sizeof(got));
	assert_string_equal(got, "198.51.100.0/24 2001:db8:2::/64");

	/* no peer given: nothing skipped */
	n = ppvpn_routes_for_child(ts, 3, NULL, r, 16, &skipped);
	assert_int_equal(n, 2);
	assert_int_equal(skipped, 0);

	/* capacity */
	n = ppvpn_routes_for_child(ts, 4, NULL, r, 2, &skipped);
	assert_int_equal(n, -ENOSPC);
}

/* A gateway routes each client's virtual IP (a /32 selector). */
static void test_routes_gateway_vip(void **state)
{
	struct pp_ike_ts ts[2];
	struct pp_ike_addr peer;
	struct ppvpn_prefix r[4];
	unsigned int skipped;
	char got[256];
	int n;

	(void)state;
	assert_int_equal(ppvpn_parse_ts("192.0.2.193", &ts[0]), 0);
	assert_int_equal(ppvpn_parse_ts("2001:db8:1::1", &ts[1]), 0);
	assert_int_equal(ppvpn_parse_ip("192.0.2.2", &peer), 0);
	n = ppvpn_routes_for_child(ts, 2, &peer, r, 4, &skipped);
	assert_int_equal(n, 2);
	fmt(r, n, got, sizeof(got));
	assert_string_equal(got, "192.0.2.193/32 2001:db8:1::1/128");
}

static void ts_set(struct pp_ike_ts *ts, const char *s, uint8_t proto,
		   uint16_t lo, uint16_t hi)
{
	assert_int_equal(ppvpn_parse_ts(s, ts), 0);
	ts->proto = proto;
	ts->port_lo = lo;
	ts->port_hi = hi;
}

/* A minimal IPv4 header + UDP/TCP ports (no options). */
static void ip4_pkt(uint8_t *p, const uint8_t *src, const uint8_t *dst,
		    uint8_t proto, uint16_t sport, uint16_t dport)
{
	memset(p, 0, 28);
	p[0] = 0x45;
	p[3] = 28;
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	p[20] = (uint8_t)(sport >> 8);
	p[21] = (uint8_t)sport;
	p[22] = (uint8_t)(dport >> 8);
	p[23] = (uint8_t)dport;
	p[25] = 8;
}

/*
 * Child SA selectors -> libesp selectors: one per same-family pair of
 * prefixes; outbound src = local, inbound src = remote; protocol and
 * ports carried over (RFC 4301 §4.4.1).
 */
static void test_child_selectors_pairs_and_direction(void **state)
{
	struct pp_ike_child ch;
	struct pp_esp_selector out[32], in[32];
	static const uint8_t vip[4] = { 192, 0, 2, 193 };
	static const uint8_t dns[4] = { 192, 0, 2, 3 };
	static const uint8_t lan[4] = { 198, 51, 100, 9 };
	uint8_t pkt[28];
	int n, m, i, hits;

	(void)state;
	memset(&ch, 0, sizeof(ch));
	ts_set(&ch.local_ts[0], "192.0.2.193", 0, 0, 65535);
	ts_set(&ch.local_ts[1], "2001:db8:1::1", 0, 0, 65535);
	ch.n_local_ts = 2;
	ts_set(&ch.remote_ts[0], "198.51.100.0/24", 0, 0, 65535);
	ts_set(&ch.remote_ts[1], "2001:db8:2::/64", 0, 0, 65535);
	/* .1/32 .2/31 .4/31 .6/32, UDP port 53 only */
	ts_set(&ch.remote_ts[2], "192.0.2.1-192.0.2.6", 17, 53, 53);
	ch.n_remote_ts = 3;

	n = ppvpn_child_selectors(&ch, false, out, 32);
	assert_int_equal(n, 6); /* v4: 1 x (1 + 4), v6: 1 x 1 */
	assert_int_equal(out[0].family, 4);
	assert_int_equal(out[0].src_plen, 32);
	assert_memory_equal(out[0].src, vip, 4);
	assert_int_equal(out[0].dst_plen, 24);
	assert_int_equal(out[0].proto, 0);
	/* local-major order: then the range's four prefixes, then IPv6 */
	assert_int_equal(out[1].proto, 17);
	assert_int_equal(out[1].dst_plen, 32);
	assert_int_equal(out[2].dst_plen, 31);
	assert_int_equal(out[2].dport_lo, 53);
	assert_int_equal(out[2].dport_hi, 53);
	assert_int_equal(out[2].sport_lo, 0);
	assert_int_equal(out[2].sport_hi, 65535);
	assert_int_equal(out[5].family, 6);
	assert_int_equal(out[5].src_plen, 128);
	assert_int_equal(out[5].dst_plen, 64);

	m = ppvpn_child_selectors(&ch, true, in, 32);
	assert_int_equal(m, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(in[i].src_plen, out[i].dst_plen);
		assert_int_equal(in[i].dst_plen, out[i].src_plen);
		assert_memory_equal(in[i].src, out[i].dst, 16);
		assert_int_equal(in[i].sport_lo, out[i].dport_lo);
		assert_int_equal(in[i].dport_hi, out[i].sport_hi);
	}

	/* behaviour through libesp's matcher */
	ip4_pkt(pkt, vip, lan, 6, 40000, 443);
	for (i = 0, hits = 0; i < n; i++)
		hits += pp_esp_selector_match(&out[i], pkt, sizeof(pkt));
	assert_int_equal(hits, 1); /* the /24, any protocol */
	ip4_pkt(pkt, vip, dns, 17, 40000, 53);
	for (i = 0, hits = 0; i < n; i++)
		hits += pp_esp_selector_match(&out[i], pkt, sizeof(pkt));
	assert_int_equal(hits, 1); /* 192.0.2.2/31, UDP 53 */
	ip4_pkt(pkt, vip, dns, 6, 40000, 53);
	for (i = 0, hits = 0; i < n; i++)
		hits += pp_esp_selector_match(&out[i], pkt, sizeof(pkt));
	assert_int_equal(hits, 0); /* TCP 53 is outside */
	ip4_pkt(pkt, dns, vip, 17, 53, 40000);
	for (i = 0, hits = 0; i < m; i++)
		hits += pp_esp_selector_match(&in[i], pkt, sizeof(pkt));
	assert_int_equal(hits, 1); /* the reply, inbound */

	/* capacity */
	assert_int_equal(ppvpn_child_selectors(&ch, false, out, 5), -ENOSPC);
}

static void test_pool_get_put_exhaustion(void **state)
{
	struct ppvpn_pool pool;
	struct pp_pkt *a[8], *b[8];
	struct pp_pkt foreign;
	struct pp_pkt *fp = &foreign;
	unsigned int i, n;

	(void)state;
	assert_int_equal(ppvpn_pool_init(&pool, 0, 2048, 128), -EINVAL);
	assert_int_equal(ppvpn_pool_init(&pool, 4, 100, 128), -EINVAL);
	assert_int_equal(ppvpn_pool_init(&pool, 6, 2000, 128), 0);
	assert_int_equal(pool.buf_size % 64, 0);

	n = ppvpn_pool_get(&pool, a, 4);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		assert_true(pp_pkt_valid(a[i]));
		assert_int_equal(pp_pkt_headroom(a[i]), 128);
		assert_int_equal(a[i]->len, 0);
		assert_true(a[i]->cap >= 2000);
		/* dirty the buffer: get must reset it */
		pp_pkt_put(a[i], 100);
		a[i]->status = 3;
		pp_pkt_pull(a[i], 10);
	}
	/* only 2 left */
	assert_int_equal(ppvpn_pool_get(&pool, b, 8), 2);
	assert_int_equal(ppvpn_pool_get(&pool, b + 2, 1), 0);
	assert_int_equal(pool.n_free, 0);
	/* buffers are distinct */
	for (i = 0; i < 4; i++) {
		assert_ptr_not_equal(a[i], b[0]);
		assert_ptr_not_equal(a[i], b[1]);
		assert_ptr_not_equal(a[i]->buf, b[0]->buf);
	}
	/* a foreign pointer is refused and nothing is returned */
	assert_int_equal(ppvpn_pool_put(&pool, &fp, 1), -EINVAL);
	assert_int_equal(pool.n_free, 0);
	assert_int_equal(ppvpn_pool_put(&pool, a, 4), 0);
	assert_int_equal(ppvpn_pool_put(&pool, b, 2), 0);
	assert_int_equal(pool.n_free, 6);
	/* more than the pool holds */
	assert_int_equal(ppvpn_pool_put(&pool, a, 1), -EINVAL);
	n = ppvpn_pool_get(&pool, a, 8);
	assert_int_equal(n, 6);
	for (i = 0; i < n; i++) {
		assert_int_equal(a[i]->off, 128);
		assert_int_equal(a[i]->len, 0);
		assert_int_equal(a[i]->status, 0);
	}
	assert_int_equal(ppvpn_pool_put(&pool, a, n), 0);
	ppvpn_pool_fini(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_to_prefixes_table),
		cmocka_unit_test(test_range_errors),
		cmocka_unit_test(test_prefix_contains),
		cmocka_unit_test(test_routes_skip_peer_and_dedupe),
		cmocka_unit_test(test_routes_gateway_vip),
		cmocka_unit_test(test_child_selectors_pairs_and_direction),
		cmocka_unit_test(test_pool_get_put_exhaustion),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
