/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tests of libike/ike_ts.h: traffic selector conversions, narrowing
 * (RFC 7296 §2.9), the subset check, formatting, the public
 * pp_ike_ts_to_prefixes() range -> CIDR split, and address pools
 * (§2.19, §3.15).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike_ts.h"

/* cmocka's headers need these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Compact selector notation: "A..B", "A" (one host), "*4" / "*6" (all),
 * optionally followed by " pN" (protocol) and " L-H" (ports; "opaque" =
 * 65535-0). Lists are separated by ','.
 */
static int addr(const char *s, uint8_t *out)
{
	if (inet_pton(AF_INET, s, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, out) == 1)
		return 6;
	fail_msg("bad address '%s'", s);
	return 0;
}

static void ts1(const char *in, struct pp_ike_ts *t)
{
	char s[256], *tok, *save = NULL, *dots;
	bool first = true;

	snprintf(s, sizeof(s), "%s", in);
	memset(t, 0, sizeof(*t));
	for (tok = strtok_r(s, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (first) {
			first = false;
			if (strcmp(tok, "*4") == 0 || strcmp(tok, "*6") == 0) {
				ike_ts_any((uint8_t)(tok[1] - '0'), t);
				continue;
			}
			dots = strstr(tok, "..");
			if (dots) {
				*dots = '\0';
				t->family = (uint8_t)addr(tok, t->start);
				assert_int_equal(addr(dots + 2, t->end),
						 t->family);
			} else {
				t->family = (uint8_t)addr(tok, t->start);
				memcpy(t->end, t->start, 16);
			}
			t->port_lo = 0;
			t->port_hi = 65535;
		} else if (tok[0] == 'p') {
			t->proto = (uint8_t)atoi(tok + 1);
		} else if (strcmp(tok, "opaque") == 0) {
			t->port_lo = 65535;
			t->port_hi = 0;
		} else {
			char *dash = strchr(tok, '-');

			assert_non_null(dash);
			t->port_lo = (uint16_t)atoi(tok);
			t->port_hi = (uint16_t)atoi(dash + 1);
		}
	}
}

static unsigned int tslist(const char *in, struct pp_ike_ts *t,
			   unsigned int cap)
{
	char s[1024], *tok, *save = NULL;
	unsigned int n = 0;

	snprintf(s, sizeof(s), "%s", in);
	for (tok = strtok_r(s, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		assert_true(n < cap);
		ts1(tok, &t[n++]);
	}
	return n;
}

/* ---------------------------------------------------------------------- */
/* Conversions                                                            */
/* ---------------------------------------------------------------------- */

static void test_wire_roundtrip_and_any_host(void **state)
{
	struct pp_ike_ts t, back;
	struct ike_ts_sel w;
	uint8_t a6[16];

	(void)state;
	ts1("10.1.2.3..10.1.2.200 p17 500-4500", &t);
	ike_ts_to_wire(&t, &w);
	assert_int_equal(w.type, PP_IKE_TS_IPV4_ADDR_RANGE);
	assert_int_equal(w.ip_proto, 17);
	assert_int_equal(w.start_port, 500);
	assert_int_equal(w.end_port, 4500);
	assert_memory_equal(w.start, "\x0a\x01\x02\x03", 4);
	assert_memory_equal(w.end, "\x0a\x01\x02\xc8", 4);
	ike_ts_from_wire(&w, &back);
	assert_memory_equal(&t, &back, sizeof(t));

	ts1("2001:db8::1..2001:db8::ff p6 80-80", &t);
	ike_ts_to_wire(&t, &w);
	assert_int_equal(w.type, PP_IKE_TS_IPV6_ADDR_RANGE);
	ike_ts_from_wire(&w, &back);
	assert_memory_equal(&t, &back, sizeof(t));

	ike_ts_any(6, &t);
	assert_int_equal(t.family, 6);
	assert_int_equal(t.proto, 0);
	assert_int_equal(t.port_lo, 0);
	assert_int_equal(t.port_hi, 65535);
	memset(a6, 0xff, 16);
	assert_memory_equal(t.end, a6, 16);
	memset(a6, 0, 16);
	assert_memory_equal(t.start, a6, 16);

	ike_ts_any(4, &t);
	assert_memory_equal(t.end, "\xff\xff\xff\xff\0\0\0\0", 8);

	addr("192.0.2.9", a6);
	ike_ts_host(4, a6, &t);
	assert_memory_equal(t.start, a6, 4);
	assert_memory_equal(t.end, a6, 4);
	assert_int_equal(t.port_hi, 65535);
}

/* ---------------------------------------------------------------------- */
/* Narrowing (§2.9)                                                       */
/* ---------------------------------------------------------------------- */

struct narrow_row {
	const char *ours, *theirs, *want; /* want "" = none (0) */
};

static const struct narrow_row narrow_rows[] = {
	/* 0 */
	{ "10.0.0.0..10.0.0.255", "*4", "10.0.0.0..10.0.0.255" },
	{ "*4", "10.1.0.0..10.1.255.255", "10.1.0.0..10.1.255.255" },
	{ "10.0.0.0..10.0.0.255", "10.0.1.0..10.0.1.255", "" },
	{ "10.0.0.0..10.0.0.255", "10.0.0.128..10.0.1.10",
	  "10.0.0.128..10.0.0.255" },
	{ "*4 p6", "*4", "*4 p6" },
	/* 5 */
	{ "*4 p6", "*4 p17", "" },
	{ "*4 p6 1000-2000", "*4 p6 1500-3000", "*4 p6 1500-2000" },
	{ "*4 p6 1-10", "*4 p6 20-30", "" },
	{ "10.0.0.0..10.0.0.255, 192.168.0.0..192.168.255.255", "*4",
	  "10.0.0.0..10.0.0.255, 192.168.0.0..192.168.255.255" },
	/* duplicates removed */
	{ "*4", "10.0.0.0..10.0.0.255, 10.0.0.0..10.0.0.255",
	  "10.0.0.0..10.0.0.255" },
	/* 10: first selector = the packet's: kept first if inside ours */
	{ "10.0.0.0..10.0.0.127", "10.0.0.5 p6 80-80, 10.0.0.0..10.0.0.255",
	  "10.0.0.5 p6 80-80, 10.0.0.0..10.0.0.127" },
	{ "10.0.0.0..10.0.0.127",
	  "10.0.0.200 p6 80-80, 10.0.0.0..10.0.0.255",
	  "10.0.0.0..10.0.0.127" },
	/* a first selector outside the others is an ordinary one */
	{ "*4", "192.168.1.1, 10.0.0.0..10.0.0.255",
	  "192.168.1.1, 10.0.0.0..10.0.0.255" },
	/* IPv6 */
	{ "2001:db8::..2001:db8::ffff", "*6", "2001:db8::..2001:db8::ffff" },
	{ "*4", "*6", "" },
	/* 15 */
	{ "2001:db8::..2001:db8::ffff:ffff:ffff:ffff",
	  "2001:db8::8000:0:0:0..2001:db8:0:1::",
	  "2001:db8::8000:0:0:0..2001:db8::ffff:ffff:ffff:ffff" },
	{ "*6 p17 500-500", "*6", "*6 p17 500-500" },
	{ "*4, *6", "10.0.0.1, 2001:db8::1", "10.0.0.1, 2001:db8::1" },
	{ "10.0.0.0..10.0.0.255", "10.0.0.7", "10.0.0.7" },
	/* OPAQUE ports (§3.13.1) meet "any" and OPAQUE only */
	{ "*4 p17 opaque", "*4 p17", "*4 p17 opaque" },
	/* 20 */
	{ "*4 p17 opaque", "*4 p17 53-53", "" },
	{ "0.0.0.0..10.0.0.0", "10.0.0.0..255.255.255.255", "10.0.0.0" },
	{ "", "*4", "" },
	{ "*4", "", "" },
	/* several of ours cut one of theirs */
	{ "10.0.0.0..10.0.0.9 p6, 10.0.0.20..10.0.0.29 p17",
	  "10.0.0.5..10.0.0.25",
	  "10.0.0.5..10.0.0.9 p6, 10.0.0.20..10.0.0.25 p17" },
	/* 25: an invalid (start > end) selector intersects nothing */
	{ "*4", "10.0.0.9..10.0.0.1", "" },
	{ "*6 p58", "2001:db8::1 p58", "2001:db8::1 p58" },
};

static void fmt(const struct pp_ike_ts *t, unsigned int n, char *buf,
		size_t len)
{
	ike_ts_format(t, n, buf, len);
}

static void test_narrow_table(void **state)
{
	(void)state;
	assert_true(N_ELEM(narrow_rows) >= 20);
	for (size_t i = 0; i < N_ELEM(narrow_rows); i++) {
		const struct narrow_row *r = &narrow_rows[i];
		struct pp_ike_ts ours[8], theirs[8], want[8], out[16];
		unsigned int no = tslist(r->ours, ours, 8);
		unsigned int nt = tslist(r->theirs, theirs, 8);
		unsigned int nw = tslist(r->want, want, 8);
		char got[1024], exp[1024];
		int n;

		n = ike_ts_narrow(ours, no, theirs, nt, out, N_ELEM(out));
		if (n < 0)
			fail_msg("row %zu: %d", i, n);
		fmt(out, (unsigned int)n, got, sizeof(got));
		fmt(want, nw, exp, sizeof(exp));
		if ((unsigned int)n != nw || strcmp(got, exp) != 0)
			fail_msg("row %zu:\n got  %d [%s]\n want %u [%s]", i,
				 n, got, nw, exp);
		/* what we answer is inside what was asked and what we
		 * accept */
		if (n > 0) {
			assert_true(ike_ts_subset(out, (unsigned int)n, ours,
						  no));
			assert_true(ike_ts_subset(out, (unsigned int)n, theirs,
						  nt));
		}
	}
}

static void test_narrow_cap(void **state)
{
	struct pp_ike_ts ours[2], theirs[1], out[2];

	(void)state;
	tslist("10.0.0.0..10.0.0.255, 192.168.0.0..192.168.255.255", ours, 2);
	tslist("*4", theirs, 1);
	assert_int_equal(ike_ts_narrow(ours, 2, theirs, 1, out, 1), -ENOSPC);
	assert_int_equal(ike_ts_narrow(ours, 2, theirs, 1, out, 2), 2);
	assert_int_equal(ike_ts_narrow(ours, 2, theirs, 1, NULL, 0), -ENOSPC);
	assert_int_equal(ike_ts_narrow(NULL, 2, theirs, 1, out, 2), -EINVAL);
}

/* ---------------------------------------------------------------------- */
/* Subset                                                                 */
/* ---------------------------------------------------------------------- */

struct subset_row {
	const char *sub, *sup;
	bool want;
};

static const struct subset_row subset_rows[] = {
	{ "10.0.0.0..10.0.0.127", "*4", true },
	{ "10.0.0.0..10.0.0.255",
	  "10.0.0.0..10.0.0.127, 10.0.0.128..10.0.0.255", true },
	{ "10.0.0.0..10.0.0.255",
	  "10.0.0.128..10.0.0.255, 10.0.0.0..10.0.0.126", false },
	{ "*4 p6", "*4", true },
	{ "*4", "*4 p6", false },
	{ "*4 p6 80-80", "*4 p6 1-1024", true },
	{ "*4 p6 1-2000", "*4 p6 1-1024", false },
	{ "128.0.0.0..255.255.255.255",
	  "0.0.0.0..200.0.0.0, 200.0.0.1..255.255.255.255", true },
	{ "*4", "0.0.0.0..127.255.255.255, 128.0.0.0..255.255.255.254",
	  false },
	{ "", "*4", true },
	{ "10.0.0.1", "", false },
	{ "2001:db8::..2001:db8::1:0",
	  "2001:db8::..2001:db8::ffff, 2001:db8::1:0", true },
	{ "2001:db8::1", "*4", false },
	{ "10.0.0.1, 2001:db8::1", "*4, *6", true },
	{ "*4 p17 opaque", "*4 p17", true },
	{ "*4 p17", "*4 p17 opaque", false },
};

static void test_subset_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEM(subset_rows); i++) {
		const struct subset_row *r = &subset_rows[i];
		struct pp_ike_ts a[8], b[8];
		unsigned int na = tslist(r->sub, a, 8);
		unsigned int nb = tslist(r->sup, b, 8);

		if (ike_ts_subset(a, na, b, nb) != r->want)
			fail_msg("row %zu: want %d", i, r->want);
	}
}

static void test_format(void **state)
{
	struct pp_ike_ts t[2];
	char buf[256], small[20];

	(void)state;
	tslist("10.0.0.0..10.0.0.255, 2001:db8::1 p6 80-80", t, 2);
	assert_int_equal(ike_ts_format(t, 2, buf, sizeof(buf)),
			 strlen("10.0.0.0..10.0.0.255 proto 0 ports 0-65535, "
				"2001:db8::1..2001:db8::1 proto 6 ports "
				"80-80"));
	assert_string_equal(buf, "10.0.0.0..10.0.0.255 proto 0 ports 0-65535, "
				 "2001:db8::1..2001:db8::1 proto 6 ports "
				 "80-80");
	assert_int_equal(ike_ts_format(t, 2, small, sizeof(small)),
			 sizeof(small) - 1);
	assert_string_equal(small, "10.0.0.0..10.0.0.25");
	assert_int_equal(ike_ts_format(t, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

/* ---------------------------------------------------------------------- */
/* Range -> prefixes (pp_ike_ts_to_prefixes)                              */
/* ---------------------------------------------------------------------- */

struct prefix_row {
	const char *range;
	int count;
	const char *want; /* "a/p a/p ..." (NULL: only the count) */
};

static const struct prefix_row prefix_rows[] = {
	{ "10.0.0.1..10.0.0.6", 4,
	  "10.0.0.1/32 10.0.0.2/31 10.0.0.4/31 10.0.0.6/32" },
	{ "*4", 1, "0.0.0.0/0" },
	{ "*6", 1, "::/0" },
	{ "10.0.0.0..10.0.0.255", 1, "10.0.0.0/24" },
	{ "10.0.0.0..10.0.1.0", 2, "10.0.0.0/24 10.0.1.0/32" },
	{ "192.0.2.1", 1, "192.0.2.1/32" },
	{ "255.255.255.255", 1, "255.255.255.255/32" },
	{ "128.0.0.0..255.255.255.255", 1, "128.0.0.0/1" },
	{ "0.0.0.1..255.255.255.254", 62, NULL },
	{ "10.0.0.255..10.0.1.0", 2, "10.0.0.255/32 10.0.1.0/32" },
	{ "2001:db8::1..2001:db8::6", 4,
	  "2001:db8::1/128 2001:db8::2/127 2001:db8::4/127 2001:db8::6/128" },
	{ "2001:db8::..2001:db8::ffff:ffff:ffff:ffff", 1, "2001:db8::/64" },
	{ "::1..ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 254, NULL },
	{ "2001:db8::ffff..2001:db8::1:0", 2,
	  "2001:db8::ffff/128 2001:db8::1:0/128" },
};

static void test_prefix_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEM(prefix_rows); i++) {
		const struct prefix_row *r = &prefix_rows[i];
		struct pp_esp_selector sel[300];
		struct pp_ike_ts t;
		char got[1024] = "";
		int n;

		ts1(r->range, &t);
		n = pp_ike_ts_to_prefixes(&t, false, sel, N_ELEM(sel));
		if (n != r->count)
			fail_msg("row %zu: %d prefixes, want %d", i, n,
				 r->count);
		for (int k = 0; k < n; k++) {
			char a[64];
			size_t l = strlen(got);

			assert_int_equal(sel[k].family, t.family);
			assert_int_equal(sel[k].src_plen, 0);
			inet_ntop(t.family == 6 ? AF_INET6 : AF_INET,
				  sel[k].dst, a, sizeof(a));
			snprintf(got + l, sizeof(got) - l, "%s%s/%u",
				 k ? " " : "", a, sel[k].dst_plen);
		}
		if (r->want && strcmp(got, r->want) != 0)
			fail_msg("row %zu:\n got  %s\n want %s", i, got,
				 r->want);
		/* exactly one fewer slot is not enough */
		if (n > 0)
			assert_int_equal(pp_ike_ts_to_prefixes(&t, false, sel,
							       (unsigned)n - 1),
					 -ENOSPC);
	}
}

static void test_prefix_sides_ports_and_errors(void **state)
{
	struct pp_esp_selector s[4];
	struct pp_ike_ts t;
	uint8_t zero[16] = { 0 };

	(void)state;
	ts1("10.0.0.0..10.0.0.255 p6 443-443", &t);
	assert_int_equal(pp_ike_ts_to_prefixes(&t, true, s, 4), 1);
	assert_int_equal(s[0].proto, 6);
	assert_int_equal(s[0].src_plen, 24);
	assert_memory_equal(s[0].src, "\x0a\0\0\0", 4);
	assert_int_equal(s[0].sport_lo, 443);
	assert_int_equal(s[0].sport_hi, 443);
	assert_int_equal(s[0].dst_plen, 0);
	assert_memory_equal(s[0].dst, zero, 16);
	assert_int_equal(s[0].dport_lo, 0);
	assert_int_equal(s[0].dport_hi, 65535);

	assert_int_equal(pp_ike_ts_to_prefixes(&t, false, s, 4), 1);
	assert_int_equal(s[0].dst_plen, 24);
	assert_memory_equal(s[0].dst, "\x0a\0\0\0", 4);
	assert_int_equal(s[0].dport_lo, 443);
	assert_int_equal(s[0].sport_lo, 0);
	assert_int_equal(s[0].sport_hi, 65535);
	assert_int_equal(s[0].src_plen, 0);

	/* OPAQUE ports cannot be expressed: any port */
	ts1("10.0.0.1 p17 opaque", &t);
	assert_int_equal(pp_ike_ts_to_prefixes(&t, true, s, 4), 1);
	assert_int_equal(s[0].sport_lo, 0);
	assert_int_equal(s[0].sport_hi, 65535);

	ts1("10.0.0.9..10.0.0.1", &t);
	assert_int_equal(pp_ike_ts_to_prefixes(&t, true, s, 4), -EINVAL);
	ts1("10.0.0.1", &t);
	t.family = 5;
	assert_int_equal(pp_ike_ts_to_prefixes(&t, true, s, 4), -EINVAL);
	assert_int_equal(pp_ike_ts_to_prefixes(NULL, true, s, 4), -EINVAL);
	t.family = 4;
	assert_int_equal(pp_ike_ts_to_prefixes(&t, true, s, 0), -ENOSPC);
}

/* ---------------------------------------------------------------------- */
/* Pools                                                                  */
/* ---------------------------------------------------------------------- */

static struct pp_ike_id id_of(const char *fqdn)
{
	struct pp_ike_id id = { .type = PP_IKE_IDT_FQDN };

	id.len = (uint16_t)strlen(fqdn);
	memcpy(id.data, fqdn, id.len);
	return id;
}

static void test_pool_v4(void **state)
{
	struct ike_pool *p;
	struct pp_ike_id a = id_of("a.example"), b = id_of("b.example"),
			 c = id_of("c.example"), d = id_of("d.example");
	uint8_t start[4] = { 10, 0, 0, 1 }, x[4];

	(void)state;
	assert_int_equal(ike_pool_create(4, start, 3, &p), 0);
	assert_int_equal(ike_pool_in_use(p), 0);
	assert_int_equal(ike_pool_acquire(p, &a, x), 0);
	assert_memory_equal(x, "\x0a\0\0\x01", 4);
	assert_int_equal(ike_pool_acquire(p, &b, x), 0);
	assert_memory_equal(x, "\x0a\0\0\x02", 4);
	/* the same identity gets its address back, no second lease */
	assert_int_equal(ike_pool_acquire(p, &a, x), 0);
	assert_memory_equal(x, "\x0a\0\0\x01", 4);
	assert_int_equal(ike_pool_in_use(p), 2);
	assert_int_equal(ike_pool_acquire(p, &c, x), 0);
	assert_memory_equal(x, "\x0a\0\0\x03", 4);
	assert_int_equal(ike_pool_acquire(p, &d, x), -ENOSPC);
	assert_int_equal(ike_pool_in_use(p), 3);
	/* release */
	assert_int_equal(ike_pool_release(p, (const uint8_t *)"\x0a\0\0\x02"),
			 0);
	assert_int_equal(ike_pool_release(p, (const uint8_t *)"\x0a\0\0\x02"),
			 -ENOENT);
	assert_int_equal(ike_pool_release(p, (const uint8_t *)"\x0a\0\0\x04"),
			 -ENOENT);
	assert_int_equal(ike_pool_release(p, (const uint8_t *)"\x0a\0\0\x00"),
			 -ENOENT);
	assert_int_equal(ike_pool_release(p, (const uint8_t *)"\x0b\0\0\x01"),
			 -ENOENT);
	assert_int_equal(ike_pool_in_use(p), 2);
	assert_int_equal(ike_pool_acquire(p, &d, x), 0);
	assert_memory_equal(x, "\x0a\0\0\x02", 4);
	ike_pool_destroy(p);
	ike_pool_destroy(NULL);
}

/* A reconnect gets the remembered address; reuse is least recently
 * released first. */
static void test_pool_remember_and_lru(void **state)
{
	struct ike_pool *p;
	struct pp_ike_id a = id_of("a"), b = id_of("b"), c = id_of("c"),
			 d = id_of("d"), e = id_of("e");
	struct pp_ike_id a_keyid = a;
	uint8_t start[4] = { 192, 168, 0, 10 }, x[4];

	(void)state;
	a_keyid.type = PP_IKE_IDT_KEY_ID; /* same bytes, other type */
	assert_int_equal(ike_pool_create(4, start, 4, &p), 0);
	assert_int_equal(ike_pool_acquire(p, &a, x), 0); /* .10 */
	assert_int_equal(ike_pool_acquire(p, &b, x), 0); /* .11 */
	assert_int_equal(ike_pool_release(p, (const uint8_t *)"\xc0\xa8\0\x0a"),
			 0);
	/* fresh addresses are handed out before remembered ones */
	assert_int_equal(ike_pool_acquire(p, &c, x), 0);
	assert_memory_equal(x, "\xc0\xa8\0\x0c", 4);
	assert_int_equal(ike_pool_acquire(p, &a, x), 0);
	assert_memory_equal(x, "\xc0\xa8\0\x0a", 4);
	/* an identity with the same bytes but another type is another */
	assert_int_equal(ike_pool_acquire(p, &a_keyid, x), 0);
	assert_memory_equal(x, "\xc0\xa8\0\x0d", 4);
	assert_int_equal(ike_pool_in_use(p), 4);
	/* release .11 then .12: d takes .11 (released first), e .12 */
	assert_int_equal(ike_pool_release(p, (const uint8_t *)"\xc0\xa8\0\x0b"),
			 0);
	assert_int_equal(ike_pool_release(p, (const uint8_t *)"\xc0\xa8\0\x0c"),
			 0);
	assert_int_equal(ike_pool_acquire(p, &d, x), 0);
	assert_memory_equal(x, "\xc0\xa8\0\x0b", 4);
	assert_int_equal(ike_pool_acquire(p, &e, x), 0);
	assert_memory_equal(x, "\xc0\xa8\0\x0c", 4);
	/* b's address was taken: b gets nothing now */
	assert_int_equal(ike_pool_acquire(p, &b, x), -ENOSPC);
	/* anonymous leases are never matched */
	assert_int_equal(ike_pool_release(p, (const uint8_t *)"\xc0\xa8\0\x0c"),
			 0);
	assert_int_equal(ike_pool_acquire(p, NULL, x), 0);
	assert_memory_equal(x, "\xc0\xa8\0\x0c", 4);
	assert_int_equal(ike_pool_acquire(p, NULL, x), -ENOSPC);
	ike_pool_destroy(p);
}

static void test_pool_v6_carry_and_errors(void **state)
{
	struct ike_pool *p;
	uint8_t start[16], x[16], want[16];
	uint8_t v4[4] = { 255, 255, 255, 254 };

	(void)state;
	addr("2001:db8::ffff:fffe", start);
	assert_int_equal(ike_pool_create(6, start, 4, &p), 0);
	assert_int_equal(ike_pool_acquire(p, NULL, x), 0);
	assert_memory_equal(x, start, 16);
	assert_int_equal(ike_pool_acquire(p, NULL, x), 0);
	addr("2001:db8::ffff:ffff", want);
	assert_memory_equal(x, want, 16);
	assert_int_equal(ike_pool_acquire(p, NULL, x), 0);
	addr("2001:db8::1:0:0", want);
	assert_memory_equal(x, want, 16);
	assert_int_equal(ike_pool_release(p, want), 0);
	addr("2001:db8::1:0:3", want); /* past the end */
	assert_int_equal(ike_pool_release(p, want), -ENOENT);
	addr("2001:db9::ffff:fffe", want); /* high bytes differ */
	assert_int_equal(ike_pool_release(p, want), -ENOENT);
	ike_pool_destroy(p);

	/* creation errors */
	assert_int_equal(ike_pool_create(5, start, 4, &p), -EINVAL);
	assert_null(p);
	assert_int_equal(ike_pool_create(4, v4, 0, &p), -EINVAL);
	assert_int_equal(ike_pool_create(4, v4, 3, &p), -EINVAL);
	assert_int_equal(ike_pool_create(4, v4, 2, &p), 0);
	ike_pool_destroy(p);
	assert_int_equal(ike_pool_create(4, v4, IKE_POOL_SIZE_MAX + 1, &p),
			 -EINVAL);
	memset(start, 0xff, 16);
	assert_int_equal(ike_pool_create(6, start, 1, &p), 0);
	ike_pool_destroy(p);
	assert_int_equal(ike_pool_create(6, start, 2, &p), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_roundtrip_and_any_host),
		cmocka_unit_test(test_narrow_table),
		cmocka_unit_test(test_narrow_cap),
		cmocka_unit_test(test_subset_table),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_prefix_table),
		cmocka_unit_test(test_prefix_sides_ports_and_errors),
		cmocka_unit_test(test_pool_v4),
		cmocka_unit_test(test_pool_remember_and_lru),
		cmocka_unit_test(test_pool_v6_carry_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
