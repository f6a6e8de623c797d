/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Malformed and hostile input to pp_esp_inbound() (and bad input to
 * pp_esp_outbound()). Every case expects one exact status and exactly one
 * increment of the matching per-reason drop counter (RFC 4303 §3.4: the
 * packet is discarded and the event is auditable), and nothing else moves.
 *
 * Expected statuses follow the order of checks documented in esp_inb.c:
 * outer header [MALFORMED], UDP port / outer destination / SPI [SPI],
 * lengths [MALFORMED], sequence pre-check [REPLAY, TOO_OLD], ICV [ICV],
 * trailer [PAD, DUMMY], inner packet [NEXT_HDR, MALFORMED].
 *
 * Plaintext hygiene (pp_esp.h: "no plaintext of a failed packet is left in
 * its buffer"): payloads are made of a recognisable 16-byte marker, and
 * after any failure the whole buffer must not contain it. For the NULL
 * cipher the marker is on the wire by design, so there the check applies
 * only to failures after the ICV verified (the packet was "decrypted").
 *
 * Packet buffers are exactly as large as the data, so ASan catches any
 * read past a truncated packet; UBSan runs with halt_on_error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <parapass/pp_esp_wire.h>

#include "esp_util.h"

static const uint8_t marker[16] = "PLAINTEXT-MARK!!";

#define PAYLOAD 300 /* transport payload / tunnel inner packet bytes */
#define BIG 2048

struct shape {
	const char *suite;
	enum pp_esp_mode mode;
	int family; /* outer (and, for simplicity, inner) family */
	uint32_t flags;
};

static const struct shape shapes[] = {
	{ "aes-gcm-128", PP_ESP_MODE_TUNNEL, 4, 0 },
	{ "aes-cbc-256/sha512", PP_ESP_MODE_TRANSPORT, 6, 0 },
	{ "chacha20-poly1305", PP_ESP_MODE_TUNNEL, 6, PP_ESP_SA_F_UDP_ENCAP },
	{ "null/sha256", PP_ESP_MODE_TRANSPORT, 4, PP_ESP_SA_F_NO_OUTER },
	{ "aes-cbc-128/sha256", PP_ESP_MODE_TUNNEL, 4, PP_ESP_SA_F_UDP_ENCAP },
	{ "aes-gcm-256", PP_ESP_MODE_TRANSPORT, 4,
	  PP_ESP_SA_F_UDP_ENCAP | PP_ESP_SA_F_ESN },
	{ "null/sha384", PP_ESP_MODE_TUNNEL, 6, PP_ESP_SA_F_ESN },
};
#define N_SHAPES (sizeof(shapes) / sizeof(shapes[0]))

struct fx {
	const struct shape *sh;
	struct eu_cfg cfg;
	struct eu_keys keys;
	struct eu_ref ref;
	struct pp_esp_sa *out, *in;
	bool null_cipher, tunnel, no_outer, natt;
	size_t hdr;	/* outer IP (+ UDP) header bytes before the SPI */
	size_t iphl;
	uint8_t valid[BIG]; /* a valid packet, seq 5 */
	size_t valid_len;
	uint8_t inner[BIG]; /* what outbound was given */
	size_t inner_len;
	uint64_t next_seq; /* for reference-encoded packets */
	char name[96];
};

static const struct eu_suite *suite_named(const char *name)
{
	size_t i;

	for (i = 0; i < eu_n_suites; i++)
		if (strcmp(eu_suites[i].name, name) == 0)
			return &eu_suites[i];
	fail_msg("no suite %s", name);
	return NULL;
}

static void fill_marker(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = marker[i % 16];
}

/* The packet outbound is given: marker payload in an IP packet. */
static size_t make_inner(const struct fx *f, uint8_t *out, size_t paylen)
{
	uint8_t pay[BIG];

	fill_marker(pay, paylen);
	if (!f->tunnel && f->no_outer) {
		memcpy(out, pay, paylen);
		return paylen;
	}
	if (f->tunnel)
		return f->sh->family == 6
			       ? pb_ipv6(out, eu_in6_a, eu_in6_b, 17, 0, 9, 0,
					 pay, paylen - 40)
			       : pb_ipv4(out, eu_in4_a, eu_in4_b, 17, 0, 9, 1,
					 pay, paylen - 20);
	return f->sh->family == 6
		       ? pb_ipv6(out, eu_v6_a, eu_v6_b, 17, 0, 9, 0, pay,
				 paylen)
		       : pb_ipv4(out, eu_v4_a, eu_v4_b, 17, 0, 9, 1, pay,
				 paylen);
}

static void fx_setup(struct fx *f, const struct shape *sh)
{
	struct pb_buf b;

	memset(f, 0, sizeof(*f));
	f->sh = sh;
	f->cfg.suite = suite_named(sh->suite);
	f->cfg.mode = sh->mode;
	f->cfg.outer_family = sh->family;
	f->cfg.flags = sh->flags;
	f->cfg.replay_window = 64;
	f->cfg.initial_seq = 4; /* the valid packet carries seq 5 */
	f->cfg.key_seed = 55;
	snprintf(f->name, sizeof(f->name), "%s %s v%d flags 0x%x", sh->suite,
		 sh->mode == PP_ESP_MODE_TUNNEL ? "tunnel" : "transport",
		 sh->family, sh->flags);
	eu_make_keys(&f->cfg, &f->keys);
	eu_ref_from(&f->cfg, &f->keys, &f->ref);
	assert_int_equal(eu_sa_pair(&f->cfg, &f->out, &f->in), 0);
	f->null_cipher = f->cfg.suite->cipher == PP_ESP_CIPHER_NULL;
	f->tunnel = sh->mode == PP_ESP_MODE_TUNNEL;
	f->no_outer = (sh->flags & PP_ESP_SA_F_NO_OUTER) != 0;
	f->natt = (sh->flags & PP_ESP_SA_F_UDP_ENCAP) != 0;
	if (!f->no_outer) {
		f->iphl = sh->family == 6 ? 40 : 20;
		f->hdr = f->iphl + (f->natt ? 8 : 0);
	}
	f->inner_len = make_inner(f, f->inner, PAYLOAD);
	assert_true(pb_buf_init(&b, pp_esp_sa_headroom(f->out), f->inner,
				(uint32_t)f->inner_len,
				pp_esp_sa_tailroom(f->out)));
	b.pkt.meta = 17;
	eu_assert_status(eu_out1(f->out, &b.pkt), PP_ESP_OK);
	assert_true(b.pkt.len <= sizeof(f->valid));
	memcpy(f->valid, pp_pkt_data(&b.pkt), b.pkt.len);
	f->valid_len = b.pkt.len;
	pb_buf_free(&b);
	f->next_seq = 100;
}

static void fx_teardown(struct fx *f)
{
	pp_esp_sa_destroy(f->out);
	pp_esp_sa_destroy(f->in);
}

/*
 * Run @pkt (@len bytes, in an exact-size buffer) through @sa inbound and
 * expect @want; check the counters and, for failures, plaintext hygiene.
 * @decrypted: the failure happens after the ICV verified.
 */
static void expect_in(const struct fx *f, struct pp_esp_sa *sa,
		      const uint8_t *pkt, size_t len, int want,
		      bool decrypted, const char *what, long idx)
{
	struct pp_esp_sa_stats before, after;
	struct pb_buf b;
	int st, i;

	pp_esp_sa_get_stats(sa, &before);
	assert_true(pb_buf_init(&b, 0, pkt, (uint32_t)len, 0));
	st = eu_in1(sa, &b.pkt);
	if (st != want)
		fail_msg("%s: %s [%ld]: status %d (%s), expected %d (%s)",
			 f->name, what, idx, st, eu_status(st), want,
			 eu_status(want));
	pp_esp_sa_get_stats(sa, &after);
	for (i = 1; i < PP_ESP_STATUS_COUNT; i++) {
		uint64_t d = after.drops[i] - before.drops[i];

		if (d != (uint64_t)(i == want))
			fail_msg("%s: %s [%ld]: drops[%s] moved by %" PRIu64,
				 f->name, what, idx, eu_status(i), d);
	}
	if (want == PP_ESP_OK) {
		assert_int_equal(after.pkts, before.pkts + 1);
	} else {
		assert_int_equal(after.pkts, before.pkts);
		assert_int_equal(after.bytes, before.bytes);
		/* The failed packet stays inside its buffer. */
		assert_true(pp_pkt_valid(&b.pkt));
		if ((!f->null_cipher || decrypted) &&
		    pb_contains(b.mem, b.pkt.cap, marker, sizeof(marker)))
			fail_msg("%s: %s [%ld]: plaintext left in the buffer "
				 "of a failed packet (%s)",
				 f->name, what, idx, eu_status(st));
	}
	pb_buf_free(&b);
}

/* Fix the outer IP/UDP length fields after changing the length to @len. */
static void fix_lengths(const struct fx *f, uint8_t *p, size_t len)
{
	if (f->no_outer)
		return;
	if (f->sh->family == 4) {
		pb_put16(p + 2, (uint16_t)len);
		pb_ipv4_set_csum(p);
	} else {
		pb_put16(p + 4, (uint16_t)(len - 40));
	}
	if (f->natt)
		pb_put16(p + f->iphl + 4, (uint16_t)(len - f->iphl));
}

/* Status for a packet whose ESP part was cut to @esp_len bytes. */
static int truncated_status(const struct fx *f, size_t esp_len)
{
	const struct eu_suite *s = f->cfg.suite;
	size_t ivl = eu_iv_len(s->cipher), icvl = eu_icv_len(s->cipher,
							       s->integ);
	bool cbc = s->cipher == PP_ESP_CIPHER_AES_CBC;
	size_t min_ct = cbc ? 16 : 2;

	if (esp_len < 8 + ivl + min_ct + icvl)
		return PP_ESP_ERR_MALFORMED;
	if (cbc && (esp_len - 8 - ivl - icvl) % 16)
		return PP_ESP_ERR_MALFORMED;
	return PP_ESP_ERR_ICV;
}

/* RFC 4303 §3.4: truncation at every offset, raw and length-consistent. */
static void test_rfc4303_3_4_truncation_at_every_offset(void **state)
{
	size_t k, L;

	(void)state;
	for (k = 0; k < N_SHAPES; k++) {
		struct fx f;
		uint8_t p[BIG];

		fx_setup(&f, &shapes[k]);
		for (L = 0; L < f.valid_len; L++) {
			/* Raw: the buffer ends early, headers unchanged. */
			int want = f.no_outer ? truncated_status(&f, L)
					      : PP_ESP_ERR_MALFORMED;

			expect_in(&f, f.in, f.valid, L, want, false,
				  "raw truncation", (long)L);
			/* Consistent: IP/UDP lengths say L as well. */
			if (f.no_outer || L < f.hdr)
				continue;
			memcpy(p, f.valid, L);
			fix_lengths(&f, p, L);
			expect_in(&f, f.in, p, L,
				  truncated_status(&f, L - f.hdr), false,
				  "consistent truncation", (long)L);
		}
		/* The SA is unharmed: the intact packet still passes. */
		expect_in(&f, f.in, f.valid, f.valid_len, PP_ESP_OK, false,
			  "intact", 0);
		assert_int_equal(pp_esp_sa_seq(f.in), 5);
		fx_teardown(&f);
	}
}

/* Every single-bit flip in SPI, sequence, IV, ciphertext and ICV. */
static void test_rfc4303_3_4_4_bit_flips_in_esp_part(void **state)
{
	size_t k, i;

	(void)state;
	for (k = 0; k < N_SHAPES; k++) {
		struct fx f;
		uint8_t p[BIG];
		int bit;

		fx_setup(&f, &shapes[k]);
		for (i = f.hdr; i < f.valid_len; i++) {
			int want = i < f.hdr + 4 ? PP_ESP_ERR_SPI
						 : PP_ESP_ERR_ICV;
			const char *what = i < f.hdr + 4   ? "SPI bit flip"
					   : i < f.hdr + 8 ? "seq bit flip"
							   : "IV/ct/ICV bit flip";

			for (bit = 0; bit < 8; bit++) {
				memcpy(p, f.valid, f.valid_len);
				p[i] ^= (uint8_t)(1u << bit);
				expect_in(&f, f.in, p, f.valid_len, want,
					  false, what,
					  (long)((i - f.hdr) * 8 + (size_t)bit));
			}
		}
		/* Nothing moved the window: seq 5 is still fresh. */
		assert_int_equal(pp_esp_sa_seq(f.in), 0);
		expect_in(&f, f.in, f.valid, f.valid_len, PP_ESP_OK, false,
			  "intact", 0);
		fx_teardown(&f);
	}
}

/* Outer IPv4/IPv6/UDP header fields with known outcomes. */
static void test_outer_header_mutations(void **state)
{
	size_t k;

	(void)state;
	for (k = 0; k < N_SHAPES; k++) {
		struct fx f;
		uint8_t p[BIG];
		size_t n = 0;
		uint8_t *u;

		fx_setup(&f, &shapes[k]);
		if (f.no_outer) {
			fx_teardown(&f);
			continue;
		}
		u = p + f.iphl;
#define MUT(stmt, want, what)                                              \
	do {                                                               \
		memcpy(p, f.valid, f.valid_len);                           \
		n = f.valid_len;                                           \
		stmt;                                                      \
		expect_in(&f, f.in, p, n, want, false, what, (long)k);     \
	} while (0)
		if (f.sh->family == 4) {
			MUT(p[0] = 0x55, PP_ESP_ERR_MALFORMED, "IPv4 version 5");
			MUT(p[0] = 0x44, PP_ESP_ERR_MALFORMED, "IPv4 IHL 4");
			MUT(pb_put16(p + 2, (uint16_t)(n + 1)),
			    PP_ESP_ERR_MALFORMED, "IPv4 total length > data");
			MUT(pb_put16(p + 2, 19), PP_ESP_ERR_MALFORMED,
			    "IPv4 total length < IHL");
			MUT(p[6] |= 0x20, PP_ESP_ERR_MALFORMED, "IPv4 MF");
			MUT(p[7] |= 0x01, PP_ESP_ERR_MALFORMED,
			    "IPv4 fragment offset");
			MUT(p[9] = PP_IPPROTO_AH, PP_ESP_ERR_MALFORMED,
			    "IPv4 protocol 51");
			MUT(p[9] = f.natt ? PP_IPPROTO_ESP : PP_IPPROTO_UDP,
			    PP_ESP_ERR_MALFORMED, "IPv4 ESP vs UDP-encap");
			if (f.tunnel)
				MUT(p[19] ^= 1, PP_ESP_ERR_SPI,
				    "IPv4 other destination");
		} else {
			MUT(p[0] = 0x50, PP_ESP_ERR_MALFORMED, "IPv6 version 5");
			MUT(pb_put16(p + 4, (uint16_t)(n - 39)),
			    PP_ESP_ERR_MALFORMED, "IPv6 payload length > data");
			MUT(p[6] = PP_IPPROTO_FRAGMENT, PP_ESP_ERR_MALFORMED,
			    "IPv6 fragment header");
			MUT(p[6] = PP_IPPROTO_TCP, PP_ESP_ERR_MALFORMED,
			    "IPv6 next header TCP");
			if (f.tunnel)
				MUT(p[39] ^= 1, PP_ESP_ERR_SPI,
				    "IPv6 other destination");
		}
		if (f.natt) {
			MUT(pb_put16(u + 2, 4501), PP_ESP_ERR_SPI,
			    "UDP destination port not encap_dport");
			MUT(pb_put16(u + 4, (uint16_t)(n - f.iphl + 1)),
			    PP_ESP_ERR_MALFORMED, "UDP length > data");
			MUT(pb_put16(u + 4, 7), PP_ESP_ERR_MALFORMED,
			    "UDP length < 8");
			/* IKE on port 4500 (non-ESP marker): not ESP. */
			MUT(memset(u + 8, 0, 4), PP_ESP_ERR_MALFORMED,
			    "non-ESP marker");
			/* NAT keepalive: one 0xff byte. */
			MUT((u[8] = 0xff, n = f.iphl + 9,
			     fix_lengths(&f, p, n)),
			    PP_ESP_ERR_MALFORMED, "NAT keepalive");
		}
		/* Empty and absurdly large buffers. */
		MUT(n = 0, PP_ESP_ERR_MALFORMED, "empty");
		assert_int_equal(pp_esp_sa_seq(f.in), 0);

		/*
		 * Accepted variants (documented in esp_inb.c): link-layer
		 * padding after the IP packet is trimmed; the outer checksums
		 * are not verified (the ICV covers ESP; RFC 3948 §2.1). Each
		 * is a fresh copy of the seq-5 packet, so the first passes and
		 * the others are then replays: check them on fresh SAs.
		 */
		{
			struct pp_esp_sa *in2, *out2;
			struct eu_cfg c2 = f.cfg;

			memcpy(p, f.valid, f.valid_len);
			memset(p + f.valid_len, 0xee, 10);
			n = f.valid_len + 10;
			expect_in(&f, f.in, p, n, PP_ESP_OK, false,
				  "link padding trimmed", (long)k);
			assert_int_equal(eu_sa_pair(&c2, &out2, &in2), 0);
			memcpy(p, f.valid, f.valid_len);
			if (f.sh->family == 4)
				p[10] ^= 0x5a; /* IPv4 header checksum */
			else if (f.natt)
				u[6] ^= 0x5a; /* UDP checksum over IPv6 */
			expect_in(&f, in2, p, f.valid_len, PP_ESP_OK, false,
				  "outer checksum not verified", (long)k);
			pp_esp_sa_destroy(in2);
			pp_esp_sa_destroy(out2);
		}
#undef MUT
		fx_teardown(&f);
	}
}

/* IPv6 extension headers in front of ESP are walked (hop-by-hop). */
static void test_rfc8200_ipv6_hbh_before_esp_accepted(void **state)
{
	struct fx f;
	uint8_t p[BIG];
	size_t n;

	(void)state;
	fx_setup(&f, &shapes[1]); /* transport over IPv6 */
	memcpy(p, f.valid, 40);
	p[6] = PP_IPPROTO_HOPOPTS;
	/* Hop-by-hop: next header 50, length 0 (8 bytes), PadN 4. */
	memcpy(p + 40, "\x32\x00\x01\x04\x00\x00\x00\x00", 8);
	memcpy(p + 48, f.valid + 40, f.valid_len - 40);
	n = f.valid_len + 8;
	pb_put16(p + 4, (uint16_t)(n - 40));
	{
		struct pb_buf b;

		assert_true(pb_buf_init(&b, 0, p, (uint32_t)n, 0));
		eu_assert_status(eu_in1(f.in, &b.pkt), PP_ESP_OK);
		/* Result: header + HBH kept, HBH's next header = 17. */
		assert_int_equal(b.pkt.len, 48 + PAYLOAD);
		assert_int_equal(pp_pkt_data(&b.pkt)[6], PP_IPPROTO_HOPOPTS);
		assert_int_equal(pp_pkt_data(&b.pkt)[40], 17);
		assert_int_equal(pb_get16(pp_pkt_data(&b.pkt) + 4),
				 8 + PAYLOAD);
		assert_memory_equal(pp_pkt_data(&b.pkt) + 48, f.inner + 40,
				    PAYLOAD);
		pb_buf_free(&b);
	}
	fx_teardown(&f);
}

/* ---------------------------------------------------------------------- */
/* Forged trailers with a valid ICV (reference encoder)                   */
/* ---------------------------------------------------------------------- */

/* Wrap an ESP packet (from the SPI on) in the shape's outer headers. */
static size_t wrap(const struct fx *f, const uint8_t *esp, size_t esp_len,
		   uint8_t *out)
{
	size_t n = f->hdr + esp_len;

	memmove(out + f->hdr, esp, esp_len);
	if (f->no_outer)
		return n;
	memcpy(out, f->valid, f->hdr); /* same outer header */
	fix_lengths(f, out, n);
	return n;
}

/*
 * Reference-encode plaintext @pt (payload + trailer exactly as given) with
 * the next sequence number; returns the wrapped packet length.
 */
static size_t forge(struct fx *f, const uint8_t *pt, size_t ptl,
		    uint8_t *out, uint64_t *seq)
{
	uint8_t esp[BIG], iv[16];
	size_t n;

	*seq = f->next_seq++;
	pb_fill(iv, sizeof(iv), *seq);
	n = eu_ref_encode(&f->ref, EU_SPI, *seq, iv, pt, ptl, esp,
			  sizeof(esp));
	assert_true(n > 0);
	return wrap(f, esp, n, out);
}

/* Build payload || custom trailer: @pad_bytes given, then padlen, nh. */
static size_t trailer_custom(uint8_t *out, const uint8_t *payload,
			     size_t len, const uint8_t *pad, size_t npad,
			     uint8_t padlen, uint8_t nh)
{
	memcpy(out, payload, len);
	memcpy(out + len, pad, npad);
	out[len + npad] = padlen;
	out[len + npad + 1] = nh;
	return len + npad + 2;
}

static uint8_t own_nh(const struct fx *f)
{
	if (f->tunnel)
		return f->sh->family == 6 ? 41 : 4;
	return 17;
}

/* The protected payload of the valid packet (inner packet / upper layer). */
static const uint8_t *prot(const struct fx *f, size_t *len)
{
	size_t off = f->tunnel || f->no_outer ? 0 : f->iphl;

	*len = f->inner_len - off;
	return f->inner + off;
}

static void test_rfc4303_2_4_bad_padding(void **state)
{
	size_t k;

	(void)state;
	for (k = 0; k < N_SHAPES; k++) {
		struct fx f;
		uint8_t pt[BIG], p[BIG], pad[300];
		size_t pl, ptl, n, blk, npad, i;
		const uint8_t *pay;
		uint64_t seq;

		fx_setup(&f, &shapes[k]);
		pay = prot(&f, &pl);
		blk = eu_block(f.cfg.suite->cipher);
		npad = (blk - (pl + 2) % blk) % blk;
		if (npad < 3)
			npad += blk; /* room for a wrong third byte */
		for (i = 0; i < sizeof(pad); i++)
			pad[i] = (uint8_t)(i + 1);

		/* #1 padding contents 1, 2, 4, ... (RFC 4303 §2.4). */
		pad[2] = 4;
		ptl = trailer_custom(pt, pay, pl, pad, npad, (uint8_t)npad,
				     own_nh(&f));
		n = forge(&f, pt, ptl, p, &seq);
		expect_in(&f, f.in, p, n, PP_ESP_ERR_PAD, true,
			  "pad contents", (long)k);
		pad[2] = 3;
		/* #2 last pad byte wrong. */
		pad[npad - 1] ^= 0x80;
		ptl = trailer_custom(pt, pay, pl, pad, npad, (uint8_t)npad,
				     own_nh(&f));
		n = forge(&f, pt, ptl, p, &seq);
		expect_in(&f, f.in, p, n, PP_ESP_ERR_PAD, true,
			  "last pad byte", (long)k);
		pad[npad - 1] ^= 0x80;
		/* #3 pad length larger than the ciphertext allows (a short
		 * payload, so that 255 + 2 exceeds the decrypted bytes). */
		{
			size_t n3 = (blk - (10 + 2) % blk) % blk;

			ptl = trailer_custom(pt, pay, 10, pad, n3, 255,
					     own_nh(&f));
			assert_true(ptl < 255 + 2);
			n = forge(&f, pt, ptl, p, &seq);
			expect_in(&f, f.in, p, n, PP_ESP_ERR_PAD, true,
				  "pad length > data", (long)k);
		}
		/* #4 pad length one more than the pad present. */
		ptl = trailer_custom(pt, pay, pl, pad, npad,
				     (uint8_t)(npad + 1), own_nh(&f));
		n = forge(&f, pt, ptl, p, &seq);
		expect_in(&f, f.in, p, n, PP_ESP_ERR_PAD, true,
			  "pad length off by one", (long)k);
		/* #5 the authentic packet moved the window (§3.4.3). */
		n = forge(&f, pt, ptl, p, &seq);
		expect_in(&f, f.in, p, n, PP_ESP_ERR_PAD, true, "resend",
			  (long)k);
		expect_in(&f, f.in, p, n, PP_ESP_ERR_REPLAY, false,
			  "replayed bad-pad packet", (long)k);
		/* #6 maximal valid padding, 255 bytes + block alignment. */
		npad = 255 - ((pl + 2 + 255) % blk);
		ptl = trailer_custom(pt, pay, pl, pad, npad, (uint8_t)npad,
				     own_nh(&f));
		assert_int_equal(ptl % blk, 0);
		n = forge(&f, pt, ptl, p, &seq);
		expect_in(&f, f.in, p, n, PP_ESP_OK, false, "255-byte pad",
			  (long)k);
		fx_teardown(&f);
	}
}

static void test_rfc4303_2_6_next_header(void **state)
{
	size_t k;

	(void)state;
	for (k = 0; k < N_SHAPES; k++) {
		struct fx f;
		uint8_t pt[BIG], p[BIG], other[BIG];
		size_t pl, ptl, n, blk, on;
		const uint8_t *pay;
		uint64_t seq;
		struct pp_esp_sa_stats st;

		fx_setup(&f, &shapes[k]);
		pay = prot(&f, &pl);
		blk = eu_block(f.cfg.suite->cipher);

		/* #1 NH 59: dummy packet, discarded and counted (§2.6). */
		ptl = eu_trailer(pt, pay, pl, blk, 0, PP_IPPROTO_NONE);
		n = forge(&f, pt, ptl, p, &seq);
		expect_in(&f, f.in, p, n, PP_ESP_ERR_DUMMY, true, "NH 59",
			  (long)k);
		/* Replay processing happened before: now a replay. */
		f.next_seq--;
		n = forge(&f, pt, ptl, p, &seq);
		expect_in(&f, f.in, p, n, PP_ESP_ERR_REPLAY, false,
			  "NH 59 replayed", (long)k);
		/* A dummy with an empty payload (pure TFC/keepalive). */
		ptl = eu_trailer(pt, pay, 0, blk, 0, PP_IPPROTO_NONE);
		n = forge(&f, pt, ptl, p, &seq);
		expect_in(&f, f.in, p, n, PP_ESP_ERR_DUMMY, true,
			  "empty NH 59", (long)k);
		pp_esp_sa_get_stats(f.in, &st);
		assert_int_equal(st.drops[PP_ESP_ERR_DUMMY], 2);

		if (f.tunnel) {
			/* #2 tunnel with a transport protocol as NH. */
			ptl = eu_trailer(pt, pay, pl, blk, 0, PP_IPPROTO_TCP);
			n = forge(&f, pt, ptl, p, &seq);
			expect_in(&f, f.in, p, n, PP_ESP_ERR_NEXT_HDR, true,
				  "tunnel NH 6", (long)k);
			/* #3 NH says the other IP version. */
			ptl = eu_trailer(pt, pay, pl, blk, 0,
					 f.sh->family == 6 ? 4 : 41);
			n = forge(&f, pt, ptl, p, &seq);
			expect_in(&f, f.in, p, n, PP_ESP_ERR_MALFORMED, true,
				  "NH/inner version mismatch", (long)k);
			/* #4 inner length longer than the payload. */
			memcpy(other, pay, pl);
			if (f.sh->family == 4) {
				pb_put16(other + 2, (uint16_t)(pl + 1));
				pb_ipv4_set_csum(other);
			} else {
				pb_put16(other + 4, (uint16_t)(pl - 39));
			}
			ptl = eu_trailer(pt, other, pl, blk, 0, own_nh(&f));
			n = forge(&f, pt, ptl, p, &seq);
			expect_in(&f, f.in, p, n, PP_ESP_ERR_MALFORMED, true,
				  "inner length > payload", (long)k);
			/* #5 truncated inner header. */
			ptl = eu_trailer(pt, pay, 10, blk, 0, own_nh(&f));
			n = forge(&f, pt, ptl, p, &seq);
			expect_in(&f, f.in, p, n, PP_ESP_ERR_MALFORMED, true,
				  "inner header truncated", (long)k);
			/* #6 excess after the inner packet (TFC): stripped. */
			memcpy(other, pay, pl);
			memset(other + pl, 0, 40);
			on = pl + 40;
			ptl = eu_trailer(pt, other, on, blk, 0, own_nh(&f));
			n = forge(&f, pt, ptl, p, &seq);
			{
				struct pb_buf b;

				assert_true(pb_buf_init(&b, 0, p, (uint32_t)n,
							0));
				eu_assert_status(eu_in1(f.in, &b.pkt),
						 PP_ESP_OK);
				assert_int_equal(b.pkt.len, pl);
				assert_memory_equal(pp_pkt_data(&b.pkt), pay,
						    pl);
				pb_buf_free(&b);
			}
		} else {
			/* Transport: any protocol number passes (here 6). */
			ptl = eu_trailer(pt, pay, pl, blk, 0, PP_IPPROTO_TCP);
			n = forge(&f, pt, ptl, p, &seq);
			expect_in(&f, f.in, p, n, PP_ESP_OK, false,
				  "transport NH 6", (long)k);
		}
		fx_teardown(&f);
	}
}

/* Sequence-number pre-check happens before any crypto (§3.4.3). */
static void test_rfc4303_3_4_3_replay_and_old_before_icv(void **state)
{
	size_t k;

	(void)state;
	for (k = 0; k < N_SHAPES; k++) {
		struct fx f;
		uint8_t p[BIG];

		fx_setup(&f, &shapes[k]);
		expect_in(&f, f.in, f.valid, f.valid_len, PP_ESP_OK, false,
			  "valid", (long)k);
		/* Same packet again, and again with a broken ICV: REPLAY. */
		expect_in(&f, f.in, f.valid, f.valid_len, PP_ESP_ERR_REPLAY,
			  false, "replay", (long)k);
		memcpy(p, f.valid, f.valid_len);
		p[f.valid_len - 1] ^= 1;
		expect_in(&f, f.in, p, f.valid_len, PP_ESP_ERR_REPLAY, false,
			  "replay with bad ICV", (long)k);
		/* Sequence number 0 without ESN: TOO_OLD, not ICV. */
		if (!(f.sh->flags & PP_ESP_SA_F_ESN)) {
			memcpy(p, f.valid, f.valid_len);
			memset(p + f.hdr + 4, 0, 4);
			expect_in(&f, f.in, p, f.valid_len,
				  PP_ESP_ERR_TOO_OLD, false, "seq 0",
				  (long)k);
		}
		fx_teardown(&f);
	}
}

/* An SPI the SA does not own, and a packet of another SA. */
static void test_rfc4303_3_4_2_unknown_spi(void **state)
{
	size_t k;

	(void)state;
	for (k = 0; k < N_SHAPES; k++) {
		struct fx f;
		uint8_t p[BIG];

		fx_setup(&f, &shapes[k]);
		memcpy(p, f.valid, f.valid_len);
		pb_put32(p + f.hdr, 0x100);
		expect_in(&f, f.in, p, f.valid_len, PP_ESP_ERR_SPI, false,
			  "SPI 0x100", (long)k);
		pb_put32(p + f.hdr, 0xffffffffu);
		expect_in(&f, f.in, p, f.valid_len, PP_ESP_ERR_SPI, false,
			  "SPI 0xffffffff", (long)k);
		/* SPI 0 is never valid on the wire (§2.1). */
		pb_put32(p + f.hdr, 0);
		expect_in(&f, f.in, p, f.valid_len, PP_ESP_ERR_MALFORMED,
			  false, "SPI 0", (long)k);
		/* Same SPI, other keys (another SA's packet): ICV. */
		{
			struct eu_cfg c2 = f.cfg;
			struct pp_esp_sa *o2, *i2;
			struct pb_buf b;

			c2.key_seed = 1234;
			assert_int_equal(eu_sa_pair(&c2, &o2, &i2), 0);
			assert_true(pb_buf_init(&b, pp_esp_sa_headroom(o2),
						f.inner,
						(uint32_t)f.inner_len,
						pp_esp_sa_tailroom(o2)));
			b.pkt.meta = 17;
			eu_assert_status(eu_out1(o2, &b.pkt), PP_ESP_OK);
			expect_in(&f, f.in, pp_pkt_data(&b.pkt), b.pkt.len,
				  PP_ESP_ERR_ICV, false, "other keys",
				  (long)k);
			pb_buf_free(&b);
			pp_esp_sa_destroy(o2);
			pp_esp_sa_destroy(i2);
		}
		fx_teardown(&f);
	}
}

/* ---------------------------------------------------------------------- */
/* Outbound: room, size, input validation, misuse                         */
/* ---------------------------------------------------------------------- */

static void expect_out(const struct fx *f, struct pp_esp_sa *sa,
		       const uint8_t *in, size_t len, uint32_t headroom,
		       uint32_t tailroom, uint32_t meta, int want,
		       const char *what)
{
	struct pp_esp_sa_stats before, after;
	uint64_t seq0 = pp_esp_sa_seq(sa);
	struct pb_buf b;
	int st, i;

	pp_esp_sa_get_stats(sa, &before);
	assert_true(pb_buf_init(&b, headroom, in, (uint32_t)len, tailroom));
	b.pkt.meta = meta;
	st = eu_out1(sa, &b.pkt);
	if (st != want)
		fail_msg("%s: %s: status %d (%s), expected %d (%s)", f->name,
			 what, st, eu_status(st), want, eu_status(want));
	pp_esp_sa_get_stats(sa, &after);
	for (i = 1; i < PP_ESP_STATUS_COUNT; i++)
		if (after.drops[i] - before.drops[i] != (uint64_t)(i == want))
			fail_msg("%s: %s: drops[%s] moved", f->name, what,
				 eu_status(i));
	/* A failed packet consumes no sequence number. */
	if (want != PP_ESP_OK)
		assert_int_equal(pp_esp_sa_seq(sa), seq0);
	else
		assert_int_equal(pp_esp_sa_seq(sa), seq0 + 1);
	assert_true(pp_pkt_valid(&b.pkt));
	pb_buf_free(&b);
}

static void test_outbound_noroom(void **state)
{
	size_t k, pl;

	(void)state;
	for (k = 0; k < N_SHAPES; k++) {
		struct fx f;
		uint32_t hr, tr_need;
		size_t blk, icvl, enc;

		fx_setup(&f, &shapes[k]);
		hr = pp_esp_sa_headroom(f.out);
		prot(&f, &pl);
		blk = eu_block(f.cfg.suite->cipher);
		icvl = eu_icv_len(f.cfg.suite->cipher, f.cfg.suite->integ);
		enc = (pl + 2 + blk - 1) / blk * blk;
		tr_need = (uint32_t)(enc - pl + icvl);
		/* The advertised worst case covers this packet. */
		assert_true(tr_need <= pp_esp_sa_tailroom(f.out));
		expect_out(&f, f.out, f.inner, f.inner_len, hr - 1, tr_need,
			   17, PP_ESP_ERR_NOROOM, "headroom - 1");
		expect_out(&f, f.out, f.inner, f.inner_len, hr, tr_need - 1,
			   17, PP_ESP_ERR_NOROOM, "tailroom - 1");
		expect_out(&f, f.out, f.inner, f.inner_len, 0, 0, 17,
			   PP_ESP_ERR_NOROOM, "no room at all");
		/* Exactly enough is enough. */
		expect_out(&f, f.out, f.inner, f.inner_len, hr, tr_need, 17,
			   PP_ESP_OK, "exact room");
		/* In a burst, the failed packet leaves no gap in the
		 * sequence numbers of the others. */
		{
			struct pb_buf b[3];
			struct pp_pkt *v[3];
			uint64_t s0 = pp_esp_sa_seq(f.out);
			int i;

			for (i = 0; i < 3; i++) {
				assert_true(pb_buf_init(
					&b[i], i == 1 ? hr - 1 : hr, f.inner,
					(uint32_t)f.inner_len, tr_need));
				b[i].pkt.meta = 17;
				v[i] = &b[i].pkt;
			}
			assert_int_equal(pp_esp_outbound(f.out, v, 3), 2);
			eu_assert_status(b[1].pkt.status, PP_ESP_ERR_NOROOM);
			assert_int_equal(pb_get32(pp_pkt_data(&b[0].pkt) +
						  f.hdr + 4),
					 (uint32_t)(s0 + 1));
			assert_int_equal(pb_get32(pp_pkt_data(&b[2].pkt) +
						  f.hdr + 4),
					 (uint32_t)(s0 + 2));
			for (i = 0; i < 3; i++)
				pb_buf_free(&b[i]);
		}
		/* An MTU below the overhead leaves no room for anything. */
		assert_int_equal(pp_esp_sa_inner_mtu(f.out, 10), 0);
		fx_teardown(&f);
	}
}

static void test_outbound_oversize(void **state)
{
	struct fx f;
	static uint8_t big[70000];
	struct pp_esp_sa_params prm;
	struct pp_esp_sa *sa;
	size_t n;

	(void)state;
	/* IPv4 tunnel: a 65535-byte inner packet cannot fit. */
	fx_setup(&f, &shapes[0]);
	n = pb_ipv4(big, eu_in4_a, eu_in4_b, 17, 0, 9, 1, NULL, 65535 - 20);
	expect_out(&f, f.out, big, n, pp_esp_sa_headroom(f.out),
		   pp_esp_sa_tailroom(f.out), 0, PP_ESP_ERR_OVERSIZE,
		   "65535-byte inner packet in IPv4");
	/*
	 * Largest inner packet that fits: 20 (outer) + 8 (ESP) + 8 (IV) +
	 * 16 (ICV) leave 65483, rounded down to 4 bytes = 65480 for inner +
	 * padding + 2: inner 65478.
	 */
	n = pb_ipv4(big, eu_in4_a, eu_in4_b, 17, 0, 9, 1, NULL, 65478 - 20);
	expect_out(&f, f.out, big, n, pp_esp_sa_headroom(f.out),
		   pp_esp_sa_tailroom(f.out), 0, PP_ESP_OK,
		   "largest inner packet in IPv4");
	n = pb_ipv4(big, eu_in4_a, eu_in4_b, 17, 0, 9, 1, NULL, 65479 - 20);
	expect_out(&f, f.out, big, n, pp_esp_sa_headroom(f.out),
		   pp_esp_sa_tailroom(f.out), 0, PP_ESP_ERR_OVERSIZE,
		   "one byte more");
	fx_teardown(&f);

	/* max_pkt_len. */
	fx_setup(&f, &shapes[0]);
	eu_params(&f.cfg, &f.keys, PP_ESP_DIR_OUTBOUND, &prm);
	prm.max_pkt_len = 1400;
	assert_int_equal(pp_esp_sa_create(&prm, &sa), 0);
	n = pb_ipv4(big, eu_in4_a, eu_in4_b, 17, 0, 9, 1, NULL, 1400 - 20);
	expect_out(&f, sa, big, n, pp_esp_sa_headroom(sa),
		   pp_esp_sa_tailroom(sa), 0, PP_ESP_ERR_OVERSIZE,
		   "max_pkt_len");
	n = pp_esp_sa_inner_mtu(sa, 1500);
	assert_true(n > 0 && n < 1400);
	n = pb_ipv4(big, eu_in4_a, eu_in4_b, 17, 0, 9, 1, NULL, n - 20);
	expect_out(&f, sa, big, n, pp_esp_sa_headroom(sa),
		   pp_esp_sa_tailroom(sa), 0, PP_ESP_OK,
		   "inner_mtu under max_pkt_len");
	pp_esp_sa_destroy(sa);
	fx_teardown(&f);
}

static void test_outbound_bad_input_packets(void **state)
{
	size_t k;

	(void)state;
	for (k = 0; k < N_SHAPES; k++) {
		struct fx f;
		uint8_t p[BIG];
		uint32_t hr, tr;

		fx_setup(&f, &shapes[k]);
		hr = pp_esp_sa_headroom(f.out);
		tr = pp_esp_sa_tailroom(f.out);
		if (!f.tunnel && f.no_outer) {
			expect_out(&f, f.out, f.inner, f.inner_len, hr, tr, 256,
				   PP_ESP_ERR_MALFORMED, "meta 256");
			expect_out(&f, f.out, f.inner, 0, hr, tr, 59, PP_ESP_OK,
				   "empty dummy payload");
			fx_teardown(&f);
			continue;
		}
		memcpy(p, f.inner, f.inner_len);
		p[0] = 0x50;
		expect_out(&f, f.out, p, f.inner_len, hr, tr, 0,
			   PP_ESP_ERR_MALFORMED, "IP version 5");
		expect_out(&f, f.out, f.inner, 0, hr, tr, 0,
			   PP_ESP_ERR_MALFORMED, "empty packet");
		expect_out(&f, f.out, f.inner, 19, hr, tr, 0,
			   PP_ESP_ERR_MALFORMED, "19 bytes");
		memcpy(p, f.inner, f.inner_len);
		if ((p[0] >> 4) == 4) {
			pb_put16(p + 2, (uint16_t)(f.inner_len + 1));
			expect_out(&f, f.out, p, f.inner_len, hr, tr, 0,
				   PP_ESP_ERR_MALFORMED,
				   "IPv4 total length > data");
			memcpy(p, f.inner, f.inner_len);
			p[0] = 0x44;
			expect_out(&f, f.out, p, f.inner_len, hr, tr, 0,
				   PP_ESP_ERR_MALFORMED, "IHL 4");
			if (!f.tunnel) {
				memcpy(p, f.inner, f.inner_len);
				p[6] = 0x20; /* MF */
				pb_ipv4_set_csum(p);
				expect_out(&f, f.out, p, f.inner_len, hr, tr, 0,
					   PP_ESP_ERR_MALFORMED,
					   "transport IPv4 fragment");
			}
		} else {
			pb_put16(p + 4, (uint16_t)(f.inner_len - 39));
			expect_out(&f, f.out, p, f.inner_len, hr, tr, 0,
				   PP_ESP_ERR_MALFORMED,
				   "IPv6 payload length > data");
		}
		/* Trailing bytes beyond the IP length are trimmed. */
		memcpy(p, f.inner, f.inner_len);
		memset(p + f.inner_len, 0x77, 6);
		expect_out(&f, f.out, p, f.inner_len + 6, hr, tr + 6, 0,
			   PP_ESP_OK, "link padding");
		fx_teardown(&f);
	}
}

/* Invalid pp_pkt descriptors and direction misuse never crash. */
static void test_api_misuse(void **state)
{
	struct fx f;
	struct pb_buf b;
	struct pp_pkt bad, *v[2];
	uint8_t mem[64];
	struct pp_esp_sa_stats st;

	(void)state;
	fx_setup(&f, &shapes[0]);
	/* Inbound packet on the outbound SA and vice versa: SPI. */
	assert_true(pb_buf_init(&b, 64, f.inner, (uint32_t)f.inner_len, 64));
	eu_assert_status(eu_out1(f.in, &b.pkt), PP_ESP_ERR_SPI);
	assert_int_equal(b.pkt.off, 64);
	assert_memory_equal(pp_pkt_data(&b.pkt), f.inner, f.inner_len);
	/* An IP packet that is not ESP, inbound: MALFORMED. */
	eu_assert_status(eu_in1(f.in, &b.pkt), PP_ESP_ERR_MALFORMED);
	pb_buf_free(&b);
	assert_true(pb_buf_init(&b, 0, f.valid, (uint32_t)f.valid_len, 0));
	eu_assert_status(eu_in1(f.out, &b.pkt), PP_ESP_ERR_SPI);
	assert_memory_equal(pp_pkt_data(&b.pkt), f.valid, f.valid_len);
	pb_buf_free(&b);
	pp_esp_sa_get_stats(f.out, &st);
	assert_int_equal(st.drops[PP_ESP_ERR_SPI], 1);
	assert_int_equal(st.pkts, 1); /* the fixture's valid packet */
	pp_esp_sa_get_stats(f.in, &st);
	assert_int_equal(st.drops[PP_ESP_ERR_SPI], 1);
	assert_int_equal(st.drops[PP_ESP_ERR_MALFORMED], 1);

	/* Descriptors breaking the pp_pkt invariants. */
	memset(mem, 0, sizeof(mem));
	pp_pkt_init(&bad, mem, sizeof(mem), 0);
	bad.off = 65;
	eu_assert_status(eu_in1(f.in, &bad), PP_ESP_ERR_MALFORMED);
	eu_assert_status(eu_out1(f.out, &bad), PP_ESP_ERR_MALFORMED);
	bad.off = 10;
	bad.len = 55;
	eu_assert_status(eu_in1(f.in, &bad), PP_ESP_ERR_MALFORMED);
	eu_assert_status(eu_out1(f.out, &bad), PP_ESP_ERR_MALFORMED);
	bad.buf = NULL;
	bad.len = 0;
	eu_assert_status(eu_in1(f.in, &bad), PP_ESP_ERR_MALFORMED);
	eu_assert_status(eu_out1(f.out, &bad), PP_ESP_ERR_MALFORMED);

	/* A burst mixing good and bad keeps per-packet statuses. */
	assert_true(pb_buf_init(&b, 0, f.valid, (uint32_t)f.valid_len, 0));
	pp_pkt_init(&bad, mem, sizeof(mem), 70);
	v[0] = &bad;
	v[1] = &b.pkt;
	assert_int_equal(pp_esp_inbound(f.in, v, 2), 1);
	eu_assert_status(bad.status, PP_ESP_ERR_MALFORMED);
	eu_assert_status(b.pkt.status, PP_ESP_OK);
	pb_buf_free(&b);
	/* n = 0 and NULL arguments. */
	assert_int_equal(pp_esp_inbound(f.in, v, 0), 0);
	assert_int_equal(pp_esp_outbound(f.out, v, 0), 0);
	assert_int_equal(pp_esp_inbound(NULL, v, 1), 0);
	assert_int_equal(pp_esp_outbound(f.out, NULL, 1), 0);
	fx_teardown(&f);
}

/*
 * RFC 4301 §5.2: after decapsulation a tunnel SA checks the inner packet
 * against its selectors (PP_ESP_SA_F_CHECK_SELECTORS); a mismatch is
 * PP_ESP_ERR_POLICY, counted, and the decrypted packet is wiped.
 */
static void test_rfc4301_5_2_inbound_selector_check(void **state)
{
	struct pp_esp_selector sel[2];
	struct pp_esp_sa_params prm;
	struct pp_esp_sa *in;
	struct fx f;
	size_t i;

	(void)state;
	memset(sel, 0, sizeof(sel));
	/* 10.1.2.3/32 -> 10.9.0.0/16, UDP to ports 1000-2000 */
	sel[0].family = 4;
	sel[0].proto = 17;
	sel[0].src_plen = 32;
	sel[0].dst_plen = 16;
	memcpy(sel[0].src, eu_in4_a, 4);
	memcpy(sel[0].dst, eu_in4_b, 4);
	sel[0].sport_hi = 0xffff;
	sel[0].dport_lo = 1000;
	sel[0].dport_hi = 2000;
	/* or anything from 10.1.2.3 to 192.0.2.0/24 */
	sel[1].family = 4;
	sel[1].src_plen = 32;
	sel[1].dst_plen = 24;
	memcpy(sel[1].src, eu_in4_a, 4);
	sel[1].dst[0] = 192;
	sel[1].dst[2] = 2;

	fx_setup(&f, &shapes[0]); /* GCM tunnel IPv4 */
	eu_params(&f.cfg, &f.keys, PP_ESP_DIR_INBOUND, &prm);
	prm.flags |= PP_ESP_SA_F_CHECK_SELECTORS;
	prm.selectors = sel;
	prm.n_selectors = 2;
	assert_int_equal(pp_esp_sa_create(&prm, &in), 0);
	{
		static const struct {
			const uint8_t *src;
			uint8_t dst[4];
			uint8_t proto;
			uint16_t dport;
			int want;
		} t[] = {
			/* #1 */ { eu_in4_a, { 10, 9, 1, 1 }, 17, 1000, PP_ESP_OK },
			/* #2 */ { eu_in4_a, { 10, 9, 1, 1 }, 17, 2001,
				   PP_ESP_ERR_POLICY },
			/* #3 */ { eu_in4_a, { 10, 9, 1, 1 }, 6, 1500,
				   PP_ESP_ERR_POLICY },
			/* #4 */ { eu_in4_b, { 10, 9, 1, 1 }, 17, 1500,
				   PP_ESP_ERR_POLICY },
			/* #5 */ { eu_in4_a, { 10, 8, 1, 1 }, 17, 1500,
				   PP_ESP_ERR_POLICY },
			/* #6 */ { eu_in4_a, { 192, 0, 2, 77 }, 6, 1,
				   PP_ESP_OK },
			/* #7 */ { eu_in4_a, { 192, 0, 3, 77 }, 6, 1,
				   PP_ESP_ERR_POLICY },
		};

		for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			uint8_t pay[200], ip[300], pt[400], p[BIG];
			size_t n, ptl;
			uint64_t seq;

			fill_marker(pay, sizeof(pay));
			pb_put16(pay, 5000);
			pb_put16(pay + 2, t[i].dport);
			n = pb_ipv4(ip, t[i].src, t[i].dst, t[i].proto, 0, 9,
				    1, pay, sizeof(pay));
			ptl = eu_trailer(pt, ip, n, 4, 0, 4);
			n = forge(&f, pt, ptl, p, &seq);
			expect_in(&f, in, p, n, t[i].want,
				  t[i].want != PP_ESP_OK, "selector",
				  (long)i + 1);
		}
	}
	/* An IPv6 inner packet cannot match IPv4 selectors. */
	{
		uint8_t ip[300], pt[400], p[BIG], pay[100];
		size_t n, ptl;
		uint64_t seq;

		fill_marker(pay, sizeof(pay));
		n = pb_ipv6(ip, eu_in6_a, eu_in6_b, 17, 0, 9, 0, pay,
			    sizeof(pay));
		ptl = eu_trailer(pt, ip, n, 4, 0, 41);
		n = forge(&f, pt, ptl, p, &seq);
		expect_in(&f, in, p, n, PP_ESP_ERR_POLICY, true,
			  "IPv6 inner vs IPv4 selectors", 0);
	}
	pp_esp_sa_destroy(in);
	fx_teardown(&f);
}

/*
 * RFC 4303 §3.3: "transport mode ESP is applied only to whole IP
 * datagrams (not to IP fragments)". libesp refuses IPv4 fragments; an IPv6
 * fragment (fragment header with M set or a non-zero offset) must be
 * refused the same way. An atomic fragment (offset 0, M clear; RFC 6946)
 * is a whole datagram and passes.
 */
static void test_rfc4303_3_3_transport_refuses_fragments(void **state)
{
	static const struct {
		uint16_t frag_field; /* offset << 3 | M */
		int want;
	} t[] = {
		/* #1 first fragment */ { 0x0001, PP_ESP_ERR_MALFORMED },
		/* #2 middle fragment */ { (185 << 3) | 1, PP_ESP_ERR_MALFORMED },
		/* #3 last fragment */ { 185 << 3, PP_ESP_ERR_MALFORMED },
		/* #4 atomic fragment */ { 0x0000, PP_ESP_OK },
	};
	struct fx f;
	size_t i;
	char err[160] = "";

	(void)state;
	fx_setup(&f, &shapes[1]); /* CBC transport over IPv6 */
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t fr[8 + 64], p[200];
		size_t n;

		memset(fr, 0x33, sizeof(fr));
		fr[0] = 17; /* next header after the fragment header */
		fr[1] = 0;
		pb_put16(fr + 2, t[i].frag_field);
		pb_put32(fr + 4, 0x12345678);
		n = pb_ipv6(p, eu_v6_a, eu_v6_b, PP_IPPROTO_FRAGMENT, 0, 9, 0,
			    fr, sizeof(fr));
		{
			struct pp_esp_sa_stats b4, af;
			struct pb_buf b;
			int st;

			pp_esp_sa_get_stats(f.out, &b4);
			assert_true(pb_buf_init(&b, pp_esp_sa_headroom(f.out),
						p, (uint32_t)n,
						pp_esp_sa_tailroom(f.out)));
			st = eu_out1(f.out, &b.pkt);
			pp_esp_sa_get_stats(f.out, &af);
			pb_buf_free(&b);
			/* Collect, so the fixture is freed before failing. */
			if (err[0] == '\0' &&
			    (st != t[i].want ||
			     (st != PP_ESP_OK &&
			      af.drops[st] - b4.drops[st] != 1)))
				snprintf(err, sizeof(err),
					 "IPv6 fragment case #%zu (0x%04x): "
					 "status %d (%s), expected %d (%s)",
					 i + 1, t[i].frag_field, st,
					 eu_status(st), t[i].want,
					 eu_status(t[i].want));
		}
	}
	fx_teardown(&f);
	if (err[0] != '\0')
		fail_msg("%s", err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4303_3_4_truncation_at_every_offset),
		cmocka_unit_test(test_rfc4303_3_4_4_bit_flips_in_esp_part),
		cmocka_unit_test(test_outer_header_mutations),
		cmocka_unit_test(test_rfc8200_ipv6_hbh_before_esp_accepted),
		cmocka_unit_test(test_rfc4303_2_4_bad_padding),
		cmocka_unit_test(test_rfc4303_2_6_next_header),
		cmocka_unit_test(test_rfc4303_3_4_3_replay_and_old_before_icv),
		cmocka_unit_test(test_rfc4303_3_4_2_unknown_spi),
		cmocka_unit_test(test_outbound_noroom),
		cmocka_unit_test(test_outbound_oversize),
		cmocka_unit_test(test_outbound_bad_input_packets),
		cmocka_unit_test(test_api_misuse),
		cmocka_unit_test(test_rfc4301_5_2_inbound_selector_check),
		cmocka_unit_test(test_rfc4303_3_3_transport_refuses_fragments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
