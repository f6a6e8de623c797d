/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SAD (inbound SAs by SPI [+ outer destination]) and SPD (ordered outbound
 * policy, RFC 4301 §4.4.1), plus the demultiplexing helpers
 * pp_esp_pkt_spi() and pp_esp_natt_classify() (RFC 3948 §2).
 *
 * Both databases are also run against naive references (a plain array for
 * the SAD; a stably sorted rule list with an independent selector matcher
 * for the SPD) on seeded random operation sequences.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <parapass/pp_esp_wire.h>

#include "esp_util.h"

/* A cheap inbound SA (NULL + HMAC-SHA-256) with @spi and outer dst. */
static struct pp_esp_sa *mk_sa(enum pp_esp_dir dir, uint32_t spi, int fam,
			       const uint8_t *dst)
{
	static const uint8_t key[32] = { 1, 2, 3 };
	struct pp_esp_sa_params prm;
	struct pp_esp_sa *sa;

	memset(&prm, 0, sizeof(prm));
	prm.dir = dir;
	prm.mode = PP_ESP_MODE_TUNNEL;
	prm.spi = spi;
	prm.integ = PP_ESP_INTEG_HMAC_SHA256_128;
	prm.integ_key = key;
	prm.integ_key_len = 32;
	prm.replay_window = 32;
	if (fam) {
		prm.outer_dst.family = (uint8_t)fam;
		memcpy(prm.outer_dst.bytes, dst, fam == 6 ? 16 : 4);
		prm.outer_src.family = (uint8_t)fam;
		memcpy(prm.outer_src.bytes, fam == 6 ? eu_v6_a : eu_v4_a,
		       fam == 6 ? 16 : 4);
	}
	assert_int_equal(pp_esp_sa_create(&prm, &sa), 0);
	return sa;
}

static struct pp_esp_addr addr(int fam, const uint8_t *b)
{
	struct pp_esp_addr a;

	memset(&a, 0, sizeof(a));
	a.family = (uint8_t)fam;
	memcpy(a.bytes, b, fam == 6 ? 16 : 4);
	return a;
}

/* ---------------------------------------------------------------------- */
/* SAD                                                                    */
/* ---------------------------------------------------------------------- */

static void test_sad_add_lookup_del_duplicate_capacity(void **state)
{
	struct pp_esp_sad_params sp = { .capacity = 4 };
	struct pp_esp_sad *sad = NULL;
	struct pp_esp_sa *sa[6], *out;
	int i;

	(void)state;
	assert_int_equal(pp_esp_sad_create(&sp, &sad), 0);
	for (i = 0; i < 6; i++)
		sa[i] = mk_sa(PP_ESP_DIR_INBOUND, 0x1000u + (uint32_t)i, 4,
			      eu_v4_b);
	for (i = 0; i < 4; i++)
		assert_int_equal(pp_esp_sad_add(sad, sa[i]), 0);
	/* Duplicate SPI: -EEXIST (also when full), capacity: -ENOSPC. */
	assert_int_equal(pp_esp_sad_add(sad, sa[2]), -EEXIST);
	assert_int_equal(pp_esp_sad_add(sad, sa[4]), -ENOSPC);
	{
		struct pp_esp_sa *dup = mk_sa(PP_ESP_DIR_INBOUND, 0x1001, 4,
					      eu_v4_b);

		assert_int_equal(pp_esp_sad_add(sad, dup), -EEXIST);
		/* Deleting an SA that is not the stored one: -ENOENT. */
		assert_int_equal(pp_esp_sad_del(sad, dup), -ENOENT);
		pp_esp_sa_destroy(dup);
	}
	for (i = 0; i < 4; i++)
		assert_ptr_equal(pp_esp_sad_lookup(sad, 0x1000u + (uint32_t)i,
						   NULL),
				 sa[i]);
	/* Without match_dst the destination is ignored. */
	{
		struct pp_esp_addr a = addr(6, eu_v6_a);

		assert_ptr_equal(pp_esp_sad_lookup(sad, 0x1003, &a), sa[3]);
	}
	assert_null(pp_esp_sad_lookup(sad, 0x1004, NULL));
	assert_null(pp_esp_sad_lookup(sad, 0, NULL));
	/* Delete, lookup fails, delete again -ENOENT, slot reusable. */
	assert_int_equal(pp_esp_sad_del(sad, sa[1]), 0);
	assert_null(pp_esp_sad_lookup(sad, 0x1001, NULL));
	assert_int_equal(pp_esp_sad_del(sad, sa[1]), -ENOENT);
	assert_int_equal(pp_esp_sad_add(sad, sa[4]), 0);
	assert_ptr_equal(pp_esp_sad_lookup(sad, 0x1004, NULL), sa[4]);
	for (i = 0; i < 5; i++)
		if (i != 1)
			assert_ptr_equal(pp_esp_sad_lookup(sad,
							   0x1000u + (uint32_t)i,
							   NULL),
					 sa[i]);
	/* Outbound SAs do not belong in the SAD; bad arguments. */
	out = mk_sa(PP_ESP_DIR_OUTBOUND, 0x2000, 4, eu_v4_b);
	assert_int_equal(pp_esp_sad_del(sad, sa[0]), 0);
	assert_int_equal(pp_esp_sad_add(sad, out), -EINVAL);
	assert_int_equal(pp_esp_sad_add(sad, NULL), -EINVAL);
	assert_int_equal(pp_esp_sad_add(NULL, sa[0]), -EINVAL);
	assert_int_equal(pp_esp_sad_del(NULL, sa[0]), -EINVAL);
	assert_null(pp_esp_sad_lookup(NULL, 0x1000, NULL));
	pp_esp_sa_destroy(out);
	for (i = 2; i < 5; i++)
		assert_int_equal(pp_esp_sad_del(sad, sa[i]), 0);
	pp_esp_sad_destroy(sad);
	for (i = 0; i < 6; i++)
		pp_esp_sa_destroy(sa[i]);

	/* Creation parameters. */
	sp.capacity = 0;
	assert_int_equal(pp_esp_sad_create(&sp, &sad), -EINVAL);
	assert_null(sad);
	assert_int_equal(pp_esp_sad_create(NULL, &sad), -EINVAL);
	sp.capacity = 1;
	assert_int_equal(pp_esp_sad_create(&sp, NULL), -EINVAL);
	pp_esp_sad_destroy(NULL);
}

static void test_sad_match_dst(void **state)
{
	struct pp_esp_sad_params sp = { .capacity = 8, .match_dst = true };
	struct pp_esp_sad *sad;
	struct pp_esp_sa *a, *b, *c, *nodst;
	struct pp_esp_addr da = addr(4, eu_v4_b), db = addr(6, eu_v6_b),
			   dc = addr(4, eu_v4_a), other = addr(6, eu_v6_a);

	(void)state;
	assert_int_equal(pp_esp_sad_create(&sp, &sad), 0);
	a = mk_sa(PP_ESP_DIR_INBOUND, 0x4444, 4, eu_v4_b);
	b = mk_sa(PP_ESP_DIR_INBOUND, 0x4444, 6, eu_v6_b);
	c = mk_sa(PP_ESP_DIR_INBOUND, 0x4444, 4, eu_v4_a);
	nodst = mk_sa(PP_ESP_DIR_INBOUND, 0x5555, 0, NULL);
	/* Same SPI, different destinations: three distinct keys. */
	assert_int_equal(pp_esp_sad_add(sad, a), 0);
	assert_int_equal(pp_esp_sad_add(sad, b), 0);
	assert_int_equal(pp_esp_sad_add(sad, c), 0);
	assert_int_equal(pp_esp_sad_add(sad, a), -EEXIST);
	/* With match_dst an SA must have a destination. */
	assert_int_equal(pp_esp_sad_add(sad, nodst), -EINVAL);
	assert_ptr_equal(pp_esp_sad_lookup(sad, 0x4444, &da), a);
	assert_ptr_equal(pp_esp_sad_lookup(sad, 0x4444, &db), b);
	assert_ptr_equal(pp_esp_sad_lookup(sad, 0x4444, &dc), c);
	assert_null(pp_esp_sad_lookup(sad, 0x4444, &other));
	assert_null(pp_esp_sad_lookup(sad, 0x4444, NULL));
	assert_null(pp_esp_sad_lookup(sad, 0x4445, &da));
	assert_int_equal(pp_esp_sad_del(sad, b), 0);
	assert_null(pp_esp_sad_lookup(sad, 0x4444, &db));
	assert_ptr_equal(pp_esp_sad_lookup(sad, 0x4444, &da), a);
	assert_ptr_equal(pp_esp_sad_lookup(sad, 0x4444, &dc), c);
	assert_int_equal(pp_esp_sad_del(sad, a), 0);
	assert_int_equal(pp_esp_sad_del(sad, c), 0);
	pp_esp_sad_destroy(sad);
	pp_esp_sa_destroy(a);
	pp_esp_sa_destroy(b);
	pp_esp_sa_destroy(c);
	pp_esp_sa_destroy(nodst);
}

/* Random add/del/lookup against a plain array (both key modes). */
static void test_sad_differential_vs_array(void **state)
{
	enum { NSA = 160, CAP = 64, OPS = 6000 };
	struct pp_esp_sa *sa[NSA];
	uint32_t spi[NSA];
	int fam[NSA];
	uint8_t dst[NSA][16];
	int md;

	(void)state;
	for (md = 0; md < 2; md++) {
		struct pp_esp_sad_params sp = { .capacity = CAP,
						.match_dst = md != 0 };
		struct pp_esp_sad *sad;
		bool in[NSA] = { false };
		unsigned int n_in = 0, i, op;
		uint64_t rng = 42 + (uint64_t)md;

		assert_int_equal(pp_esp_sad_create(&sp, &sad), 0);
		for (i = 0; i < NSA; i++) {
			/* Few distinct SPIs and destinations: collisions. */
			spi[i] = 256 + (uint32_t)(pb_rand(&rng) % (md ? 24 : 100));
			fam[i] = pb_rand(&rng) & 1 ? 6 : 4;
			memset(dst[i], 0, 16);
			dst[i][0] = 10;
			dst[i][15] = dst[i][3] = (uint8_t)(pb_rand(&rng) % 4);
			sa[i] = mk_sa(PP_ESP_DIR_INBOUND, spi[i], fam[i], dst[i]);
		}
		for (op = 0; op < OPS; op++) {
			unsigned int k = (unsigned int)(pb_rand(&rng) % NSA);
			unsigned int what = (unsigned int)(pb_rand(&rng) % 3);
			struct pp_esp_addr a = addr(fam[k], dst[k]);
			struct pp_esp_sa *want = NULL, *got;
			int rc, exp;

			/* Reference key: spi (+ family and destination). */
#define SAME_KEY(i)                                                        \
	(spi[i] == spi[k] &&                                               \
	 (!md || (fam[i] == fam[k] &&                                      \
		  !memcmp(dst[i], dst[k], fam[k] == 6 ? 16 : 4))))
			for (i = 0; i < NSA; i++)
				if (in[i] && SAME_KEY(i))
					want = sa[i];
			if (what == 0) {
				rc = pp_esp_sad_add(sad, sa[k]);
				exp = want ? -EEXIST : n_in >= CAP ? -ENOSPC : 0;
				if (rc != exp)
					fail_msg("md=%d op %u add #%u: %d, "
						 "expected %d",
						 md, op, k, rc, exp);
				if (rc == 0) {
					in[k] = true;
					n_in++;
				}
			} else if (what == 1) {
				rc = pp_esp_sad_del(sad, sa[k]);
				exp = in[k] ? 0 : -ENOENT;
				if (rc != exp)
					fail_msg("md=%d op %u del #%u: %d, "
						 "expected %d",
						 md, op, k, rc, exp);
				if (rc == 0) {
					in[k] = false;
					n_in--;
				}
			}
			/* Lookup after the operation. */
			want = NULL;
			for (i = 0; i < NSA; i++)
				if (in[i] && SAME_KEY(i))
					want = sa[i];
#undef SAME_KEY
			got = pp_esp_sad_lookup(sad, spi[k], &a);
			if (got != want)
				fail_msg("md=%d op %u lookup spi 0x%x: wrong SA",
					 md, op, spi[k]);
		}
		/* Final sweep: every stored SA found, the rest not. */
		for (i = 0; i < NSA; i++) {
			struct pp_esp_addr a = addr(fam[i], dst[i]);
			struct pp_esp_sa *got = pp_esp_sad_lookup(sad, spi[i], &a);

			if (in[i])
				assert_ptr_equal(got, sa[i]);
			else if (got == sa[i])
				fail_msg("deleted SA still found");
		}
		for (i = 0; i < NSA; i++) {
			if (in[i])
				assert_int_equal(pp_esp_sad_del(sad, sa[i]), 0);
			pp_esp_sa_destroy(sa[i]);
		}
		pp_esp_sad_destroy(sad);
	}
}

/* ---------------------------------------------------------------------- */
/* Demultiplexing: pp_esp_pkt_spi(), pp_esp_natt_classify(), SAD          */
/* ---------------------------------------------------------------------- */

static void test_rfc3948_2_natt_classify_table(void **state)
{
	static const struct {
		const char *hex;
		enum pp_esp_natt_kind want;
	} t[] = {
		/* #1 */ { "ff", PP_ESP_NATT_KEEPALIVE },
		/* #2 */ { "00", PP_ESP_NATT_INVALID },
		/* #3 */ { "fe", PP_ESP_NATT_INVALID },
		/* #4 */ { "ffff", PP_ESP_NATT_INVALID },
		/* #5 */ { "000000", PP_ESP_NATT_INVALID },
		/* #6 marker alone: no IKE message after it */
		/* */ { "00000000", PP_ESP_NATT_INVALID },
		/* #7 */ { "00000000" "0123456789abcdef", PP_ESP_NATT_IKE },
		/* #8 SPI and sequence number */
		/* */ { "0badcafe00000001", PP_ESP_NATT_ESP },
		/* #9 too short for an ESP header */
		/* */ { "0badcafe000000", PP_ESP_NATT_INVALID },
		/* #10 */ { "00000001", PP_ESP_NATT_INVALID },
	};
	size_t i;
	uint8_t b[32];

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ssize_t n = tv_hex_decode(t[i].hex, b, sizeof(b));

		assert_true(n > 0);
		if (pp_esp_natt_classify(b, (size_t)n) != t[i].want)
			fail_msg("case #%zu (%s): %d, expected %d", i + 1,
				 t[i].hex, pp_esp_natt_classify(b, (size_t)n),
				 t[i].want);
	}
	assert_int_equal(pp_esp_natt_classify(b, 0), PP_ESP_NATT_INVALID);
	assert_int_equal(pp_esp_natt_classify(NULL, 8), PP_ESP_NATT_INVALID);
}

/* Build one outbound packet of @sa (tunnel, outer v4/v6) into @b. */
static void one_packet(struct pp_esp_sa *sa, struct pb_buf *b)
{
	uint8_t in[100];
	size_t n = pb_ipv4(in, eu_in4_a, eu_in4_b, 17, 0, 5, 1, NULL, 30);

	assert_true(pb_buf_init(b, pp_esp_sa_headroom(sa), in, (uint32_t)n,
				pp_esp_sa_tailroom(sa)));
	eu_assert_status(eu_out1(sa, &b->pkt), PP_ESP_OK);
}

static void test_sad_demux_pkt_spi_end_to_end(void **state)
{
	struct pp_esp_sad_params sp = { .capacity = 8, .match_dst = true };
	struct pp_esp_sad *sad;
	struct eu_cfg cfg[3];
	struct pp_esp_sa *out[3], *in[3];
	int i;

	(void)state;
	assert_int_equal(pp_esp_sad_create(&sp, &sad), 0);
	for (i = 0; i < 3; i++) {
		memset(&cfg[i], 0, sizeof(cfg[i]));
		cfg[i].suite = &eu_suites[(size_t)i * 3];
		cfg[i].mode = PP_ESP_MODE_TUNNEL;
		cfg[i].outer_family = i == 1 ? 6 : 4;
		cfg[i].flags = i == 2 ? PP_ESP_SA_F_UDP_ENCAP : 0;
		cfg[i].spi = 0x7000u + (uint32_t)(i & 1); /* 0 and 2 share */
		cfg[i].key_seed = (uint64_t)i;
		assert_int_equal(eu_sa_pair(&cfg[i], &out[i], &in[i]), 0);
		if (i == 2) {
			/* Same SPI as SA 0 but another destination. */
			pp_esp_sa_destroy(in[2]);
			{
				struct pp_esp_sa_params prm;
				struct eu_keys k;

				eu_make_keys(&cfg[2], &k);
				eu_params(&cfg[2], &k, PP_ESP_DIR_INBOUND,
					  &prm);
				memcpy(prm.outer_dst.bytes, eu_v4_a, 4);
				assert_int_equal(pp_esp_sa_create(&prm, &in[2]),
						 0);
				pp_esp_sa_destroy(out[2]);
				eu_params(&cfg[2], &k, PP_ESP_DIR_OUTBOUND,
					  &prm);
				memcpy(prm.outer_dst.bytes, eu_v4_a, 4);
				assert_int_equal(
					pp_esp_sa_create(&prm, &out[2]), 0);
			}
		}
		assert_int_equal(pp_esp_sad_add(sad, in[i]), 0);
	}
	for (i = 0; i < 3; i++) {
		struct pb_buf b;
		struct pp_esp_addr dst;
		struct pp_esp_sa *sa;
		uint32_t spi = 0;
		bool udp = i == 2;

		one_packet(out[i], &b);
		assert_int_equal(pp_esp_pkt_spi(&b.pkt, udp, 0, false, &spi,
						&dst),
				 0);
		assert_int_equal(spi, cfg[i].spi);
		assert_int_equal(dst.family, i == 1 ? 6 : 4);
		sa = pp_esp_sad_lookup(sad, spi, &dst);
		assert_ptr_equal(sa, in[i]);
		eu_assert_status(eu_in1(sa, &b.pkt), PP_ESP_OK);
		/* The wrong classification is refused. */
		pb_buf_free(&b);
		one_packet(out[i], &b);
		assert_int_equal(pp_esp_pkt_spi(&b.pkt, !udp, 0, false, &spi,
						NULL),
				 -EPROTO);
		/* NO_OUTER view: starts at the SPI, dst zeroed. */
		{
			size_t hl = (i == 1 ? 40 : 20) + (udp ? 8 : 0);
			struct pp_pkt v = b.pkt;

			v.off += (uint32_t)hl;
			v.len -= (uint32_t)hl;
			memset(&dst, 0xaa, sizeof(dst));
			spi = 0;
			assert_int_equal(pp_esp_pkt_spi(&v, false, 0, true,
							&spi, &dst),
					 0);
			assert_int_equal(spi, cfg[i].spi);
			assert_int_equal(dst.family, 0);
		}
		pb_buf_free(&b);
	}
	/* NAT-T port traffic that is not ESP, and malformed packets. */
	{
		uint8_t pkt[64], pay[20] = { 0 };
		struct pb_buf b;
		uint32_t spi;
		size_t n;

		pay[0] = 0xff;
		n = pb_ip_udp(pkt, 4, eu_v4_a, eu_v4_b, 4500, 4500, pay, 1);
		assert_true(pb_buf_init(&b, 0, pkt, (uint32_t)n, 0));
		assert_int_equal(pp_esp_pkt_spi(&b.pkt, true, 0, false, &spi,
						NULL),
				 -EPROTO); /* keepalive */
		pb_buf_free(&b);
		memset(pay, 0, sizeof(pay));
		pay[10] = 0x20;
		n = pb_ip_udp(pkt, 4, eu_v4_a, eu_v4_b, 4500, 4500, pay, 20);
		assert_true(pb_buf_init(&b, 0, pkt, (uint32_t)n, 0));
		assert_int_equal(pp_esp_pkt_spi(&b.pkt, true, 0, false, &spi,
						NULL),
				 -EPROTO); /* IKE after the marker */
		/* Another UDP port. */
		assert_int_equal(pp_esp_pkt_spi(&b.pkt, true, 4501, false,
						&spi, NULL),
				 -EPROTO);
		/* Truncated IP header, and bad arguments. */
		b.pkt.len = 10;
		assert_int_equal(pp_esp_pkt_spi(&b.pkt, true, 0, false, &spi,
						NULL),
				 -EINVAL);
		assert_int_equal(pp_esp_pkt_spi(NULL, true, 0, false, &spi,
						NULL),
				 -EINVAL);
		pb_buf_free(&b);
		/* Protocol 6 without UDP encapsulation: not ESP. */
		n = pb_ipv4(pkt, eu_v4_a, eu_v4_b, 6, 0, 5, 1, pay, 20);
		assert_true(pb_buf_init(&b, 0, pkt, (uint32_t)n, 0));
		assert_int_equal(pp_esp_pkt_spi(&b.pkt, false, 0, false, &spi,
						NULL),
				 -EPROTO);
		pb_buf_free(&b);
	}
	for (i = 0; i < 3; i++) {
		assert_int_equal(pp_esp_sad_del(sad, in[i]), 0);
		pp_esp_sa_destroy(in[i]);
		pp_esp_sa_destroy(out[i]);
	}
	pp_esp_sad_destroy(sad);
}

/* ---------------------------------------------------------------------- */
/* SPD                                                                    */
/* ---------------------------------------------------------------------- */

static struct pp_esp_selector sel4(const char *src, unsigned int splen,
				   const char *dst, unsigned int dplen,
				   uint8_t proto, uint16_t dlo, uint16_t dhi)
{
	struct pp_esp_selector s;

	memset(&s, 0, sizeof(s));
	s.family = 4;
	s.proto = proto;
	s.src_plen = (uint8_t)splen;
	s.dst_plen = (uint8_t)dplen;
	assert_int_equal(tv_hex_decode(src, s.src, 4), 4);
	assert_int_equal(tv_hex_decode(dst, s.dst, 4), 4);
	s.sport_lo = 0;
	s.sport_hi = 0xffff;
	s.dport_lo = dlo;
	s.dport_hi = dhi;
	return s;
}

/* IPv4/IPv6 packet with @proto and ports (when TCP/UDP/SCTP). */
static size_t pkt4(uint8_t *out, const char *src, const char *dst,
		   uint8_t proto, uint16_t sport, uint16_t dport)
{
	uint8_t s[4], d[4], l4[20] = { 0 };

	assert_int_equal(tv_hex_decode(src, s, 4), 4);
	assert_int_equal(tv_hex_decode(dst, d, 4), 4);
	pb_put16(l4, sport);
	pb_put16(l4 + 2, dport);
	return pb_ipv4(out, s, d, proto, 0, 64, 1, l4, sizeof(l4));
}

static int spd_add(struct pp_esp_spd *spd, struct pp_esp_selector s,
		   enum pp_esp_action act, struct pp_esp_sa *sa, uint32_t prio)
{
	struct pp_esp_spd_rule r;
	int id;

	memset(&r, 0, sizeof(r));
	r.sel = s;
	r.action = act;
	r.sa = sa;
	r.priority = prio;
	id = pp_esp_spd_add(spd, &r);
	assert_true(id >= 0);
	return id;
}

static void expect_lookup(struct pp_esp_spd *spd, const uint8_t *ip,
			  size_t len, enum pp_esp_action act,
			  struct pp_esp_sa *sa, int id, const char *what)
{
	struct pp_esp_sa *got_sa = (struct pp_esp_sa *)(uintptr_t)1;
	int got_id = -7;
	enum pp_esp_action a = pp_esp_spd_lookup(spd, ip, len, &got_sa,
						 &got_id);

	if (a != act)
		fail_msg("%s: action %d, expected %d", what, a, act);
	if (act == PP_ESP_ACTION_PROTECT && got_sa != sa)
		fail_msg("%s: wrong SA", what);
	if (act != PP_ESP_ACTION_PROTECT && got_sa != NULL)
		fail_msg("%s: SA set for a non-PROTECT verdict", what);
	if (id != -2 && got_id != id)
		fail_msg("%s: rule %d, expected %d", what, got_id, id);
}

static void test_rfc4301_4_4_1_spd_order_first_match_default(void **state)
{
	struct pp_esp_spd *spd;
	struct pp_esp_sa *sa1 = mk_sa(PP_ESP_DIR_OUTBOUND, 0x100, 4, eu_v4_b);
	struct pp_esp_sa *sa2 = mk_sa(PP_ESP_DIR_OUTBOUND, 0x101, 4, eu_v4_b);
	uint8_t p[100];
	size_t n;
	int r_protect, r_bypass, r_discard, r_protect2;

	(void)state;
	assert_int_equal(pp_esp_spd_create(8, &spd), 0);
	/* Inserted out of priority order on purpose. */
	r_protect = spd_add(spd,
			    sel4("0a000000", 8, "0a090000", 16, 0, 0, 0xffff),
			    PP_ESP_ACTION_PROTECT, sa1, 100);
	r_discard = spd_add(spd, sel4("0a000000", 8, "00000000", 0, 0, 0, 0),
			    PP_ESP_ACTION_DISCARD, NULL, 100);
	r_bypass = spd_add(spd,
			   sel4("0a010203", 32, "00000000", 0, 17, 53, 53),
			   PP_ESP_ACTION_BYPASS, NULL, 50);

	/* #1 priority 50 wins over the earlier priority-100 rule. */
	n = pkt4(p, "0a010203", "0a090807", 17, 5555, 53);
	expect_lookup(spd, p, n, PP_ESP_ACTION_BYPASS, NULL, r_bypass,
		      "bypass DNS");
	/* #2 port outside the bypass range: first priority-100 rule. */
	n = pkt4(p, "0a010203", "0a090807", 17, 5555, 54);
	expect_lookup(spd, p, n, PP_ESP_ACTION_PROTECT, sa1, r_protect,
		      "protect");
	/* #3 destination outside the protect prefix: the discard rule. */
	n = pkt4(p, "0a010203", "c0000201", 17, 5555, 54);
	expect_lookup(spd, p, n, PP_ESP_ACTION_DISCARD, NULL, r_discard,
		      "explicit discard");
	/* #4 nothing matches: DISCARD, no rule, no SA. */
	n = pkt4(p, "ac100001", "0a090807", 17, 1, 2);
	expect_lookup(spd, p, n, PP_ESP_ACTION_DISCARD, NULL, -1,
		      "default discard");
	/* #5 an IPv6 packet against IPv4 rules: default. */
	n = pb_ipv6(p, eu_in6_a, eu_in6_b, 17, 0, 9, 0, NULL, 20);
	expect_lookup(spd, p, n, PP_ESP_ACTION_DISCARD, NULL, -1,
		      "family mismatch");
	/* #6 unparsable packet: DISCARD. */
	expect_lookup(spd, p, 10, PP_ESP_ACTION_DISCARD, NULL, -1,
		      "truncated");
	/* #7 equal priority keeps insertion order. */
	r_protect2 = spd_add(spd,
			     sel4("0a000000", 8, "0a090000", 16, 0, 0, 0xffff),
			     PP_ESP_ACTION_PROTECT, sa2, 100);
	n = pkt4(p, "0a010203", "0a090807", 6, 1, 2);
	expect_lookup(spd, p, n, PP_ESP_ACTION_PROTECT, sa1, r_protect,
		      "first of equal priority");
	/* #8 delete the first: the next rule in order is the discard rule
	 * (inserted before the second protect rule), then the second. */
	assert_int_equal(pp_esp_spd_del(spd, r_protect), 0);
	expect_lookup(spd, p, n, PP_ESP_ACTION_DISCARD, NULL, r_discard,
		      "after delete: discard is next");
	assert_int_equal(pp_esp_spd_del(spd, r_discard), 0);
	expect_lookup(spd, p, n, PP_ESP_ACTION_PROTECT, sa2, r_protect2,
		      "after second delete");
	n = pkt4(p, "0a010203", "c0000201", 6, 1, 2);
	expect_lookup(spd, p, n, PP_ESP_ACTION_DISCARD, NULL, -1,
		      "default again");
	/* #10 set_sa (rekey) and "no SA yet". */
	assert_int_equal(pp_esp_spd_set_sa(spd, r_protect2, sa1), 0);
	n = pkt4(p, "0a010203", "0a090807", 6, 1, 2);
	expect_lookup(spd, p, n, PP_ESP_ACTION_PROTECT, sa1, r_protect2,
		      "rekeyed");
	assert_int_equal(pp_esp_spd_set_sa(spd, r_protect2, NULL), 0);
	expect_lookup(spd, p, n, PP_ESP_ACTION_PROTECT, NULL, r_protect2,
		      "no SA yet");
	/* Lookup works with NULL out-pointers. */
	assert_int_equal(pp_esp_spd_lookup(spd, p, n, NULL, NULL),
			 PP_ESP_ACTION_PROTECT);
	assert_int_equal(pp_esp_spd_lookup(NULL, p, n, NULL, NULL),
			 PP_ESP_ACTION_DISCARD);
	pp_esp_spd_destroy(spd);
	pp_esp_sa_destroy(sa1);
	pp_esp_sa_destroy(sa2);
}

static void test_spd_rule_validation_capacity_ids(void **state)
{
	struct pp_esp_spd *spd = NULL;
	struct pp_esp_sa *out = mk_sa(PP_ESP_DIR_OUTBOUND, 0x300, 4, eu_v4_b);
	struct pp_esp_sa *in = mk_sa(PP_ESP_DIR_INBOUND, 0x301, 4, eu_v4_b);
	struct pp_esp_selector ok = sel4("0a000000", 8, "0a000000", 8, 0, 0,
					 0xffff);
	struct pp_esp_spd_rule r;
	int ids[3], i;

	(void)state;
	assert_int_equal(pp_esp_spd_create(0, &spd), -EINVAL);
	assert_null(spd);
	assert_int_equal(pp_esp_spd_create(3, NULL), -EINVAL);
	assert_int_equal(pp_esp_spd_create(3, &spd), 0);

	memset(&r, 0, sizeof(r));
	r.sel = ok;
#define BAD(stmt, what)                                                    \
	do {                                                               \
		struct pp_esp_spd_rule b_ = r;                             \
		(void)b_;                                                  \
		{                                                          \
			struct pp_esp_spd_rule *x = &b_;                   \
			stmt;                                              \
		}                                                          \
		if (pp_esp_spd_add(spd, &b_) != -EINVAL)                   \
			fail_msg("rule with %s accepted", what);           \
	} while (0)
	BAD(x->sel.family = 5, "family 5");
	BAD(x->sel.family = 0, "family 0");
	BAD(x->sel.src_plen = 33, "IPv4 prefix 33");
	BAD((x->sel.family = 6, x->sel.dst_plen = 129), "IPv6 prefix 129");
	BAD((x->sel.sport_lo = 10, x->sel.sport_hi = 9), "sport lo > hi");
	BAD((x->sel.dport_lo = 10, x->sel.dport_hi = 9), "dport lo > hi");
	BAD((x->action = PP_ESP_ACTION_DISCARD, x->sa = out),
	    "DISCARD with an SA");
	BAD((x->action = PP_ESP_ACTION_BYPASS, x->sa = out),
	    "BYPASS with an SA");
	BAD((x->action = PP_ESP_ACTION_PROTECT, x->sa = in),
	    "PROTECT with an inbound SA");
	BAD(x->action = (enum pp_esp_action)7, "action 7");
#undef BAD
	assert_int_equal(pp_esp_spd_add(spd, NULL), -EINVAL);
	assert_int_equal(pp_esp_spd_add(NULL, &r), -EINVAL);

	/* Capacity, ids, id reuse after delete. */
	for (i = 0; i < 3; i++) {
		ids[i] = pp_esp_spd_add(spd, &r);
		assert_true(ids[i] >= 0);
	}
	assert_true(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2]);
	assert_int_equal(pp_esp_spd_add(spd, &r), -ENOSPC);
	assert_int_equal(pp_esp_spd_del(spd, ids[1]), 0);
	assert_int_equal(pp_esp_spd_del(spd, ids[1]), -ENOENT);
	assert_int_equal(pp_esp_spd_del(spd, -1), -ENOENT);
	assert_int_equal(pp_esp_spd_del(spd, 1000), -ENOENT);
	assert_true(pp_esp_spd_add(spd, &r) >= 0);
	assert_int_equal(pp_esp_spd_add(spd, &r), -ENOSPC);
	/* set_sa only on PROTECT rules, only with outbound SAs. */
	assert_int_equal(pp_esp_spd_set_sa(spd, ids[0], out), -EINVAL);
	assert_int_equal(pp_esp_spd_del(spd, ids[0]), 0);
	r.action = PP_ESP_ACTION_PROTECT;
	ids[0] = pp_esp_spd_add(spd, &r);
	assert_true(ids[0] >= 0);
	assert_int_equal(pp_esp_spd_set_sa(spd, ids[0], in), -EINVAL);
	assert_int_equal(pp_esp_spd_set_sa(spd, ids[0], out), 0);
	assert_int_equal(pp_esp_spd_set_sa(spd, 999, out), -ENOENT);
	assert_int_equal(pp_esp_spd_set_sa(NULL, ids[0], out), -EINVAL);
	pp_esp_spd_destroy(spd);
	pp_esp_spd_destroy(NULL);
	pp_esp_sa_destroy(out);
	pp_esp_sa_destroy(in);
}

/* IPv6 prefixes, port ranges, protocols, fragments, extension headers. */
static void test_rfc4301_4_4_1_selector_ipv6_ports_fragments(void **state)
{
	struct pp_esp_selector s;
	uint8_t p[200], l4[20] = { 0 }, src[16], dst[16];
	size_t n;
	static const struct {
		uint16_t dport;
		uint8_t proto;
		bool match;
	} ports[] = {
		{ 999, 6, false },  { 1000, 6, true }, { 1500, 6, true },
		{ 2000, 6, true },  { 2001, 6, false }, { 1500, 17, false },
		{ 1500, 132, false },
	};
	size_t i;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.family = 6;
	s.proto = 6;
	s.src_plen = 57;
	s.dst_plen = 32;
	memcpy(s.src, eu_in6_a, 16);
	memcpy(s.dst, eu_v6_b, 16);
	s.sport_lo = 0;
	s.sport_hi = 0xffff;
	s.dport_lo = 1000;
	s.dport_hi = 2000;
	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		pb_put16(l4, 40000);
		pb_put16(l4 + 2, ports[i].dport);
		n = pb_ipv6(p, eu_in6_a, eu_v6_b, ports[i].proto, 0, 9, 0, l4,
			    sizeof(l4));
		if (pp_esp_selector_match(&s, p, n) != ports[i].match)
			fail_msg("port case #%zu (proto %u dport %u)", i + 1,
				 ports[i].proto, ports[i].dport);
	}
	/* Prefix /57: bit 56 (0-based) is inside, bit 57 is outside. */
	pb_put16(l4 + 2, 1500);
	memcpy(src, eu_in6_a, 16);
	src[7] ^= 0x80; /* bit 56 */
	n = pb_ipv6(p, src, eu_v6_b, 6, 0, 9, 0, l4, sizeof(l4));
	assert_false(pp_esp_selector_match(&s, p, n));
	memcpy(src, eu_in6_a, 16);
	src[7] ^= 0x40; /* bit 57 */
	n = pb_ipv6(p, src, eu_v6_b, 6, 0, 9, 0, l4, sizeof(l4));
	assert_true(pp_esp_selector_match(&s, p, n));
	/* Destination /32 */
	memcpy(dst, eu_v6_b, 16);
	dst[4] ^= 0xff;
	n = pb_ipv6(p, eu_in6_a, dst, 6, 0, 9, 0, l4, sizeof(l4));
	assert_true(pp_esp_selector_match(&s, p, n));
	dst[3] ^= 0x01;
	n = pb_ipv6(p, eu_in6_a, dst, 6, 0, 9, 0, l4, sizeof(l4));
	assert_false(pp_esp_selector_match(&s, p, n));
	/* TCP behind a destination options header: ports still found. */
	{
		uint8_t ext[8 + 20] = { 6, 0, 1, 4 };

		memcpy(ext + 8, l4, 20);
		n = pb_ipv6(p, eu_in6_a, eu_v6_b, 60, 0, 9, 0, ext,
			    sizeof(ext));
		assert_true(pp_esp_selector_match(&s, p, n));
		pb_put16(ext + 8 + 2, 3000);
		n = pb_ipv6(p, eu_in6_a, eu_v6_b, 60, 0, 9, 0, ext,
			    sizeof(ext));
		assert_false(pp_esp_selector_match(&s, p, n));
	}
	/* A TCP packet too short to hold the ports does not parse. */
	n = pb_ipv6(p, eu_in6_a, eu_v6_b, 6, 0, 9, 0, l4, 3);
	assert_false(pp_esp_selector_match(&s, p, n));
	/* IPv6 non-first fragment: no ports, so only port-any rules. */
	{
		uint8_t fr[8 + 20];
		struct pp_esp_selector any6 = s;

		any6.dport_lo = 0;
		any6.dport_hi = 0xffff;
		memset(fr, 0, sizeof(fr));
		fr[0] = 6;
		pb_put16(fr + 2, 100 << 3); /* offset 800 bytes */
		memcpy(fr + 8, l4, 20);	    /* looks like ports, is data */
		n = pb_ipv6(p, eu_in6_a, eu_v6_b, 44, 0, 9, 0, fr, sizeof(fr));
		assert_false(pp_esp_selector_match(&s, p, n));
		assert_true(pp_esp_selector_match(&any6, p, n));
		/* First fragment (offset 0, M set): ports are read. */
		pb_put16(fr + 2, 1);
		n = pb_ipv6(p, eu_in6_a, eu_v6_b, 44, 0, 9, 0, fr, sizeof(fr));
		assert_true(pp_esp_selector_match(&s, p, n));
	}
	/* An IPv4 packet never matches an IPv6 selector. */
	n = pkt4(p, "0a010203", "0a090807", 6, 1, 1500);
	assert_false(pp_esp_selector_match(&s, p, n));

	/* IPv4 non-first fragment: only port-any rules can match. */
	{
		struct pp_esp_selector any =
			sel4("0a000000", 8, "00000000", 0, 17, 0, 0xffff);
		struct pp_esp_selector dns =
			sel4("0a000000", 8, "00000000", 0, 17, 53, 53);
		struct pp_esp_selector anyproto =
			sel4("0a000000", 8, "00000000", 0, 0, 53, 53);

		n = pkt4(p, "0a010203", "0a090807", 17, 1, 53);
		assert_true(pp_esp_selector_match(&dns, p, n));
		p[6] = 0x00;
		p[7] = 0x10; /* offset 128 bytes */
		pb_ipv4_set_csum(p);
		assert_false(pp_esp_selector_match(&dns, p, n));
		assert_true(pp_esp_selector_match(&any, p, n));
		/* proto 0 = any: port ranges are ignored. */
		assert_true(pp_esp_selector_match(&anyproto, p, n));
		/* ICMP with a port-restricted proto-0 selector: ports n/a. */
		n = pkt4(p, "0a010203", "0a090807", 1, 0, 0);
		assert_true(pp_esp_selector_match(&anyproto, p, n));
		/* Malformed IPv4: IHL 4, total length > data. */
		n = pkt4(p, "0a010203", "0a090807", 17, 1, 53);
		p[0] = 0x44;
		assert_false(pp_esp_selector_match(&any, p, n));
		p[0] = 0x45;
		assert_false(pp_esp_selector_match(&any, p, n - 1));
		assert_false(pp_esp_selector_match(NULL, p, n));
	}
}

/* Differential: random rules and packets against a naive first-match. */
struct nrule {
	struct pp_esp_selector sel;
	enum pp_esp_action act;
	uint32_t prio;
	unsigned int order;
	int id;
	bool live;
};

static bool naive_prefix(const uint8_t *a, const uint8_t *b, unsigned int pl)
{
	unsigned int i;

	for (i = 0; i < pl; i++) {
		unsigned int bit = 7 - i % 8;

		if (((a[i / 8] >> bit) & 1) != ((b[i / 8] >> bit) & 1))
			return false;
	}
	return true;
}

static bool naive_match(const struct pp_esp_selector *s, int fam,
			const uint8_t *src, const uint8_t *dst, uint8_t proto,
			uint16_t sp, uint16_t dp)
{
	if (s->family != fam || !naive_prefix(s->src, src, s->src_plen) ||
	    !naive_prefix(s->dst, dst, s->dst_plen))
		return false;
	if (s->proto == 0)
		return true;
	if (s->proto != proto)
		return false;
	if (proto != 6 && proto != 17 && proto != 132)
		return true;
	return sp >= s->sport_lo && sp <= s->sport_hi && dp >= s->dport_lo &&
	       dp <= s->dport_hi;
}

static void rand_addr(uint64_t *rng, int fam, uint8_t *a)
{
	/* A few values per byte, so that prefixes match often. */
	size_t i, n = fam == 6 ? 16 : 4;

	for (i = 0; i < n; i++)
		a[i] = (uint8_t)(pb_rand(rng) % 3 == 0 ? 0x80 : 0x10 * (pb_rand(rng) % 2));
}

static void test_spd_differential_vs_naive(void **state)
{
	enum { NR = 48, NP = 3000 };
	struct nrule rules[NR];
	struct pp_esp_spd *spd;
	uint64_t rng = 7;
	unsigned int i, k, order = 0;
	static const uint8_t protos[] = { 6, 17, 132, 1, 0 };

	(void)state;
	assert_int_equal(pp_esp_spd_create(NR, &spd), 0);
	memset(rules, 0, sizeof(rules));
	for (i = 0; i < NR; i++) {
		struct pp_esp_selector *s = &rules[i].sel;
		uint16_t a, b;

		s->family = pb_rand(&rng) % 4 ? 4 : 6;
		rand_addr(&rng, s->family, s->src);
		rand_addr(&rng, s->family, s->dst);
		s->src_plen = (uint8_t)(pb_rand(&rng) % (s->family == 6 ? 129 : 33) / 4);
		s->dst_plen = (uint8_t)(pb_rand(&rng) % (s->family == 6 ? 129 : 33) / 4);
		s->proto = protos[pb_rand(&rng) % 5];
		a = (uint16_t)(pb_rand(&rng) % 100);
		b = (uint16_t)(a + pb_rand(&rng) % 100);
		s->sport_lo = 0;
		s->sport_hi = 0xffff;
		s->dport_lo = a;
		s->dport_hi = b;
		rules[i].act = (enum pp_esp_action)(pb_rand(&rng) % 2);
		rules[i].prio = (uint32_t)(pb_rand(&rng) % 5);
		rules[i].order = order++;
		rules[i].id = spd_add(spd, *s, rules[i].act, NULL,
				      rules[i].prio);
		rules[i].live = true;
	}
	for (k = 0; k < NP; k++) {
		uint8_t src[16], dst[16], p[128], l4[8] = { 0 };
		int fam = pb_rand(&rng) % 3 ? 4 : 6, want_id = -1;
		uint8_t proto = protos[pb_rand(&rng) % 4];
		uint16_t sp = (uint16_t)(pb_rand(&rng) % 200);
		uint16_t dp = (uint16_t)(pb_rand(&rng) % 200);
		enum pp_esp_action want = PP_ESP_ACTION_DISCARD, got;
		const struct nrule *best = NULL;
		int got_id;
		size_t n;

		/* Now and then delete or re-add a rule (ids, order). */
		if (k % 100 == 99) {
			struct nrule *r = &rules[pb_rand(&rng) % NR];

			if (r->live) {
				assert_int_equal(pp_esp_spd_del(spd, r->id), 0);
				r->live = false;
			} else {
				r->order = order++;
				r->id = spd_add(spd, r->sel, r->act, NULL,
						r->prio);
				r->live = true;
			}
		}
		rand_addr(&rng, fam, src);
		rand_addr(&rng, fam, dst);
		pb_put16(l4, sp);
		pb_put16(l4 + 2, dp);
		n = fam == 6 ? pb_ipv6(p, src, dst, proto, 0, 9, 0, l4, 8)
			     : pb_ipv4(p, src, dst, proto, 0, 9, 0, l4, 8);
		for (i = 0; i < NR; i++) {
			const struct nrule *r = &rules[i];

			if (!r->live ||
			    !naive_match(&r->sel, fam, src, dst, proto, sp, dp))
				continue;
			if (best == NULL || r->prio < best->prio ||
			    (r->prio == best->prio && r->order < best->order))
				best = r;
		}
		if (best != NULL) {
			want = best->act;
			want_id = best->id;
		}
		got = pp_esp_spd_lookup(spd, p, n, NULL, &got_id);
		if (got != want || got_id != want_id)
			fail_msg("packet %u: action %d rule %d, reference "
				 "action %d rule %d",
				 k, got, got_id, want, want_id);
	}
	pp_esp_spd_destroy(spd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sad_add_lookup_del_duplicate_capacity),
		cmocka_unit_test(test_sad_match_dst),
		cmocka_unit_test(test_sad_differential_vs_array),
		cmocka_unit_test(test_rfc3948_2_natt_classify_table),
		cmocka_unit_test(test_sad_demux_pkt_spi_end_to_end),
		cmocka_unit_test(test_rfc4301_4_4_1_spd_order_first_match_default),
		cmocka_unit_test(test_spd_rule_validation_capacity_ids),
		cmocka_unit_test(
			test_rfc4301_4_4_1_selector_ipv6_ports_fragments),
		cmocka_unit_test(test_spd_differential_vs_naive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
