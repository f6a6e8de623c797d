/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libike message codec (ike_msg.c): golden bytes, legal-payload table,
 * malformed input and deterministic mutation.
 *
 * Golden payloads are written by hand from the RFC 7296 §3 layouts (one
 * per payload type, lengths worked out in the comments), plus two
 * published byte strings: the KE payload of RFC 5903 §8.1 and the complete
 * encrypted INFORMATIONAL message of RFC 7634 Appendix B (ChaCha20-
 * Poly1305 SK payload). Each golden is parsed into exactly the structure
 * written out next to it, and that structure is generated back into the
 * same bytes.
 *
 * Malformed cases each expect one exact ike_err code (and the notify the
 * peer should get), and that the message names the numbers it compared.
 * The mutation test runs every single-bit flip, every truncation and
 * seeded random byte changes of several valid messages through every parse
 * entry point; buffers are exactly as large as the data, so ASan catches
 * any over-read.
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

#include <openssl/evp.h>

#include <parapass/pp_ike_wire.h>

#include "ike_msg.h"
#include "tv.h"

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */
/* ---------------------------------------------------------------------- */

#define BUF_MAX 4096

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
	ssize_t n = tv_hex_decode(h, out, cap);

	if (n < 0)
		fail_msg("bad hex in test: %s", h);
	return (size_t)n;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void assert_bytes(const uint8_t *got, size_t got_len,
			 const uint8_t *want, size_t want_len)
{
	if (got_len != want_len || (want_len && memcmp(got, want, want_len))) {
		tv_dump("got ", got, got_len);
		tv_dump("want", want, want_len);
		fail_msg("bytes differ (%zu vs %zu)", got_len, want_len);
	}
}

/* Copy into an exactly-sized heap buffer (ASan sees any over-read). */
static uint8_t *dup_exact(const uint8_t *p, size_t len)
{
	uint8_t *q;

	if (len > (size_t)BUF_MAX * 32)
		abort();
	q = malloc(len ? len : 1);

	assert_non_null(q);
	if (len)
		memcpy(q, p, len);
	return q;
}

/*
 * Compose a message from whole payloads (generic header included): the
 * header's and each payload's Next Payload are set to the following
 * payload's type (an SK/SKF payload keeps its own), the header Length to
 * the total. An independent, minimal builder for the golden messages.
 */
struct part {
	uint8_t type;
	const char *hex;
};

static size_t compose(uint8_t *out, size_t cap, const char *hdr_hex,
		      const struct part *parts, size_t n)
{
	size_t len = unhex(hdr_hex, out, cap), prev_np = PP_IKE_HDR_OFF_NEXT;

	assert_int_equal(len, PP_IKE_HDR_LEN);
	for (size_t i = 0; i < n; i++) {
		size_t l = unhex(parts[i].hex, out + len, cap - len);

		out[prev_np] = parts[i].type;
		prev_np = len;
		if (parts[i].type != PP_IKE_PLD_SK &&
		    parts[i].type != PP_IKE_PLD_SKF)
			out[len] = 0;
		len += l;
	}
	if (n == 0)
		out[prev_np] = 0;
	put32(out + PP_IKE_HDR_OFF_LENGTH, (uint32_t)len);
	return len;
}

/* ---------------------------------------------------------------------- */
/* Golden payloads (generic header included, Next Payload 0)              */
/* ---------------------------------------------------------------------- */

/*
 * SA, IKE_SA_INIT request (§3.3): two IKE proposals, SPI size 0.
 * Proposal 1: ENCR AES-GCM-16 (20) Key Length 256 (TV 800e 0100), PRF
 * HMAC-SHA2-256 (5), DH 19, DH 31. Transforms 12 + 8 + 8 + 8 = 36, proposal
 * 8 + 36 = 44 (0x2c). Proposal 2: ENCR AES-CBC (12) 128 bits, INTEG
 * HMAC-SHA2-256-128 (12), PRF (5), DH 14: also 44. Payload 4 + 88 = 92.
 */
static const char g_sa_ike[] =
	"0000005c"
	"0200002c 01010004"
	"0300000c 01000014 800e0100"
	"03000008 02000005"
	"03000008 04000013"
	"00000008 0400001f"
	"0000002c 02010004"
	"0300000c 0100000c 800e0080"
	"03000008 0300000c"
	"03000008 02000005"
	"00000008 0400000e";

/*
 * SA, Child SA (§3.3): one ESP proposal, SPI size 4 (12345678), ENCR
 * AES-GCM-16/256 (12 bytes), ESN 1 and ESN 0 (8 + 8). Proposal 8 + 4 + 28
 * = 40 (0x28), payload 44 (0x2c).
 */
static const char g_sa_esp[] =
	"0000002c"
	"00000028 01030403 12345678"
	"0300000c 01000014 800e0100"
	"03000008 05000001"
	"00000008 05000000";

/* KE (§3.4): RFC 5903 §8.1 KEi, group 19, x || y (ipsec-facts §4.2). */
static const char g_ke[] =
	"00000048 00130000"
	"DAD0B653 94221CF9 B051E1FE CA5787D0 98DFE637 FC90B9EF 945D0C37 72581180"
	"5271A046 1CDB8252 D61F1C45 6FA3E59A B1F45B33 ACCF5F58 389E0577 B8990BB3";

/* IDi (§3.5): ID_FQDN "vpn.example" (11): 4 + 4 + 11 = 19 (0x13). */
static const char g_idi[] = "00000013 02000000 76706e2e 6578616d 706c65";

/* IDr (§3.5): ID_IPV4_ADDR 192.0.2.1: 4 + 4 + 4 = 12. */
static const char g_idr[] = "0000000c 01000000 c0000201";

/* CERT (§3.6): X.509 Signature (4), 5-byte DER stand-in: 4 + 1 + 5. */
static const char g_cert[] = "0000000a 04 3003020101";

/* CERTREQ (§3.7): X.509 (4), one 20-byte SHA-1 CA hash: 4 + 1 + 20 = 25. */
static const char g_certreq[] =
	"00000019 04 0102030405060708090a0b0c0d0e0f1011121314";

/* AUTH (§3.8): Shared Key MIC (2), 32 bytes (PRF-HMAC-SHA2-256): 40. */
static const char g_auth[] =
	"00000028 02000000"
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf";

/* Nonce (§3.9): 32 bytes: 4 + 32 = 36 (0x24). */
static const char g_nonce[] =
	"00000024"
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/* Notify (§3.10): NAT_DETECTION_SOURCE_IP (16388 = 0x4004), protocol 0,
 * SPI size 0, 20-byte SHA-1: 4 + 4 + 20 = 28 (0x1c). */
static const char g_n_natd[] =
	"0000001c 00004004 c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4";

/* Notify (§3.10, §1.3.3): REKEY_SA (16393 = 0x4009), ESP, SPI c0ffee01. */
static const char g_n_rekey[] = "0000000c 03044009 c0ffee01";

/* Notify (§3.10.1): INVALID_KE_PAYLOAD (17), data = group 19: 10 bytes. */
static const char g_n_invke[] = "0000000a 00000011 0013";

/* Delete (§3.11): ESP, SPI size 4, 2 SPIs: 4 + 4 + 8 = 16. */
static const char g_del_esp[] = "00000010 03040002 11223344 55667788";

/* Delete (§3.11): the IKE SA, SPI size 0, no SPIs. */
static const char g_del_ike[] = "00000008 01000000";

/* Vendor ID (§3.12): 16 opaque bytes: 20 (0x14). */
static const char g_vendor[] = "00000014 882fe56d6fd20dbc2251613b2ebe5beb";

/* TSi (§3.13): one TS_IPV4_ADDR_RANGE, any protocol, ports 0..65535,
 * 0.0.0.0..255.255.255.255 (selector 16): 4 + 4 + 16 = 24 (0x18). */
static const char g_tsi[] =
	"00000018 01000000 07000010 0000ffff 00000000 ffffffff";

/* TSr (§3.13): 10.0.0.0..10.0.255.255 TCP 443 (16) and 2001:db8::..
 * 2001:db8::ffff UDP any port (TS_IPV6_ADDR_RANGE, 40): 4+4+16+40 = 64. */
static const char g_tsr[] =
	"00000040 02000000"
	"07060010 01bb01bb 0a000000 0a00ffff"
	"08110028 0000ffff"
	"20010db8 00000000 00000000 00000000"
	"20010db8 00000000 00000000 0000ffff";

/* CP (§3.15): CFG_REQUEST for INTERNAL_IP4_ADDRESS, INTERNAL_IP4_DNS,
 * INTERNAL_IP6_ADDRESS, all empty: 4 + 4 + 3 x 4 = 20 (0x14). */
static const char g_cp_req[] =
	"00000014 01000000 00010000 00030000 00080000";

/* CP (§3.15): CFG_REPLY, 10.1.0.2, DNS 10.1.0.1, fd00::2/64 (17 bytes):
 * 4 + 4 + 8 + 8 + 4 + 17 = 45 (0x2d). */
static const char g_cp_reply[] =
	"0000002d 02000000"
	"00010004 0a010002"
	"00030004 0a010001"
	"00080011 fd000000 00000000 00000000 00000002 40";

/* EAP (§3.16, RFC 3748 §5.1): Response, id 1, Identity (1) "user":
 * EAP length 9, payload 13. */
static const char g_eap[] = "0000000d 02010009 01 75736572";

/* EAP Success (RFC 3748 §4.2): code 3, id 2, length 4. */
static const char g_eap_ok[] = "00000008 03020004";

/* RFC 7634 Appendix B: INFORMATIONAL, MID 9, SK with ChaCha20-Poly1305
 * (IV 8, tag 16), 69 bytes. Decrypts to N(SET_WINDOW_SIZE = 10) + Pad
 * Length 0 (ipsec-facts §5.1). */
static const char g_rfc7634_msg[] =
	"c0c1c2c3c4c5c6c7 d0d1d2d3d4d5d6d7 2e202500 00000009 00000045"
	"29000029 1011121314151617"
	"610394701f8d017f7c12924889"
	"6b71bfe25236efd7cdc67066906315b2";
static const char g_rfc7634_plain[] = "0000000c 00004001 0000000a 00";
static const char g_rfc7634_key[] =
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
static const char g_rfc7634_salt[] = "a0a1a2a3";

/* SKF (RFC 7383 §2.5): IKE_AUTH request, fragment 1 of 2, first inner
 * payload IDi (0x23); IV 8, "encrypted" 01020304 + Pad Length 00 (left in
 * clear: the codec does not encrypt), ICV 16: payload 4 + 4 + 8 + 5 + 16
 * = 37 (0x25), message 28 + 37 = 65 (0x41). */
static const char g_skf_msg[] =
	"0a0b0c0d0e0f1011 0000000000000000 35202308 00000001 00000041"
	"23000025 00010002 a1a2a3a4a5a6a7a8"
	"0102030400"
	"b0b1b2b3b4b5b6b7b8b9babbbcbdbebf";

/* A few more Notify bodies used below (§3.10.1, RFC 7383 §2.3). */
static const char g_n_initial_contact[] = "00000008 00004000";
static const char g_n_frag_supported[] = "00000008 0000402e";

/* IKE_SA_INIT request header: SPIi 0102030405060708, SPIr 0, I flag. */
static const char g_init_hdr[] =
	"0102030405060708 0000000000000000 00202208 00000000 00000000";

/* IKE_SA_INIT request: SA, KE, Ni, N(NAT_D_SRC), N(FRAG_SUPPORTED), V:
 * 28 + 92 + 72 + 36 + 28 + 8 + 20 = 284. */
static const struct part init_parts[] = {
	{ PP_IKE_PLD_SA, g_sa_ike },	   { PP_IKE_PLD_KE, g_ke },
	{ PP_IKE_PLD_NONCE, g_nonce },	   { PP_IKE_PLD_NOTIFY, g_n_natd },
	{ PP_IKE_PLD_NOTIFY, g_n_frag_supported },
	{ PP_IKE_PLD_VENDOR, g_vendor },
};
#define N_INIT_PARTS (sizeof(init_parts) / sizeof(init_parts[0]))

/* Decrypted IKE_AUTH request inner chain (no IKE header). */
static const struct part auth_inner_parts[] = {
	{ PP_IKE_PLD_IDI, g_idi },	 { PP_IKE_PLD_CERT, g_cert },
	{ PP_IKE_PLD_CERTREQ, g_certreq }, { PP_IKE_PLD_IDR, g_idr },
	{ PP_IKE_PLD_AUTH, g_auth },	 { PP_IKE_PLD_CP, g_cp_req },
	{ PP_IKE_PLD_NOTIFY, g_n_initial_contact },
	{ PP_IKE_PLD_SA, g_sa_esp },	 { PP_IKE_PLD_TSI, g_tsi },
	{ PP_IKE_PLD_TSR, g_tsr },	 { PP_IKE_PLD_VENDOR, g_vendor },
	{ PP_IKE_PLD_EAP, g_eap },
};
#define N_AUTH_INNER (sizeof(auth_inner_parts) / sizeof(auth_inner_parts[0]))

/* A bare chain (no header) from parts; returns its length. */
static size_t compose_chain(uint8_t *out, size_t cap, const struct part *parts,
			    size_t n, uint8_t *first)
{
	size_t len = 0, prev = (size_t)-1;

	*first = n ? parts[0].type : 0;
	for (size_t i = 0; i < n; i++) {
		size_t l = unhex(parts[i].hex, out + len, cap - len);

		if (prev != (size_t)-1)
			out[prev] = parts[i].type;
		prev = len;
		out[len] = 0;
		len += l;
	}
	return len;
}

/* ---------------------------------------------------------------------- */
/* Expected structures of the goldens                                     */
/* ---------------------------------------------------------------------- */

static void xf(struct ike_transform *t, uint8_t type, uint16_t id, int kl)
{
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->id = id;
	if (kl >= 0) {
		t->has_key_len = true;
		t->key_len = (uint16_t)kl;
	}
}

static void expect_sa_ike(struct ike_sa *sa)
{
	struct ike_proposal *p;

	memset(sa, 0, sizeof(*sa));
	sa->n_proposals = 2;
	p = &sa->prop[0];
	p->num = 1;
	p->protocol = PP_IKE_PROTO_IKE;
	p->n_transforms = 4;
	xf(&p->xf[0], PP_IKE_TRANSFORM_ENCR, PP_IKE_ENCR_AES_GCM_16, 256);
	xf(&p->xf[1], PP_IKE_TRANSFORM_PRF, PP_IKE_PRF_HMAC_SHA2_256, -1);
	xf(&p->xf[2], PP_IKE_TRANSFORM_DH, PP_IKE_DH_ECP256, -1);
	xf(&p->xf[3], PP_IKE_TRANSFORM_DH, PP_IKE_DH_CURVE25519, -1);
	p = &sa->prop[1];
	p->num = 2;
	p->protocol = PP_IKE_PROTO_IKE;
	p->n_transforms = 4;
	xf(&p->xf[0], PP_IKE_TRANSFORM_ENCR, PP_IKE_ENCR_AES_CBC, 128);
	xf(&p->xf[1], PP_IKE_TRANSFORM_INTEG,
	   PP_IKE_INTEG_HMAC_SHA2_256_128, -1);
	xf(&p->xf[2], PP_IKE_TRANSFORM_PRF, PP_IKE_PRF_HMAC_SHA2_256, -1);
	xf(&p->xf[3], PP_IKE_TRANSFORM_DH, PP_IKE_DH_MODP2048, -1);
}

static void expect_sa_esp(struct ike_sa *sa)
{
	struct ike_proposal *p;

	memset(sa, 0, sizeof(*sa));
	sa->n_proposals = 1;
	p = &sa->prop[0];
	p->num = 1;
	p->protocol = PP_IKE_PROTO_ESP;
	p->spi_size = 4;
	memcpy(p->spi, "\x12\x34\x56\x78", 4);
	p->n_transforms = 3;
	xf(&p->xf[0], PP_IKE_TRANSFORM_ENCR, PP_IKE_ENCR_AES_GCM_16, 256);
	xf(&p->xf[1], PP_IKE_TRANSFORM_ESN, PP_IKE_ESN_YES, -1);
	xf(&p->xf[2], PP_IKE_TRANSFORM_ESN, PP_IKE_ESN_NO, -1);
}

static void assert_sa_equal(const struct ike_sa *got,
			    const struct ike_sa *want)
{
	assert_int_equal(got->n_proposals, want->n_proposals);
	for (unsigned int i = 0; i < want->n_proposals; i++) {
		const struct ike_proposal *a = &got->prop[i], *b = &want->prop[i];

		assert_int_equal(a->num, b->num);
		assert_int_equal(a->protocol, b->protocol);
		assert_int_equal(a->spi_size, b->spi_size);
		assert_memory_equal(a->spi, b->spi, sizeof(a->spi));
		assert_int_equal(a->n_transforms, b->n_transforms);
		for (unsigned int k = 0; k < b->n_transforms; k++) {
			assert_int_equal(a->xf[k].type, b->xf[k].type);
			assert_int_equal(a->xf[k].id, b->xf[k].id);
			assert_int_equal(a->xf[k].has_key_len,
					 b->xf[k].has_key_len);
			assert_int_equal(a->xf[k].key_len, b->xf[k].key_len);
			assert_int_equal(a->xf[k].n_unknown_attrs,
					 b->xf[k].n_unknown_attrs);
		}
	}
}

static void assert_data(const uint8_t *got, size_t got_len, const char *hex)
{
	uint8_t want[BUF_MAX];
	size_t n = unhex(hex, want, sizeof(want));

	assert_bytes(got, got_len, want, n);
}

/* ---------------------------------------------------------------------- */
/* Golden payload tests                                                   */
/* ---------------------------------------------------------------------- */

/*
 * Parse golden payload @hex (one payload, generic header included) as a
 * chain starting with @type; return its body and set *blen. The buffer
 * is static; one golden at a time.
 */
static uint8_t gbuf[BUF_MAX];
static size_t glen;

static const uint8_t *golden_body(const char *hex, uint8_t type, size_t *blen)
{
	struct ike_chain c;
	struct ike_perr e;

	glen = unhex(hex, gbuf, sizeof(gbuf));
	assert_int_equal(ike_inner_parse(gbuf, glen, type, &c, &e), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.pld[0].type, type);
	assert_int_equal(c.pld[0].next, 0);
	assert_false(c.pld[0].critical);
	assert_true(c.pld[0].known);
	assert_int_equal(c.pld[0].off, 0);
	assert_int_equal(c.pld[0].body_off, PP_IKE_PLD_HDR_LEN);
	assert_int_equal(c.pld[0].body_len, glen - PP_IKE_PLD_HDR_LEN);
	*blen = c.pld[0].body_len;
	return gbuf + PP_IKE_PLD_HDR_LEN;
}

/* Generated payload (bare chain of one) must equal the golden bytes. */
static uint8_t obuf[BUF_MAX];

static void gen_begin(struct ike_gen *g)
{
	assert_int_equal(ike_gen_init_chain(g, obuf, sizeof(obuf)), 0);
}

static void gen_check(struct ike_gen *g, uint8_t type)
{
	size_t len;

	assert_int_equal(ike_gen_finish(g, &len), 0);
	assert_int_equal(g->first, type);
	assert_bytes(obuf, len, gbuf, glen);
}

static void test_rfc7296_3_3_sa_golden_ike_proposals(void **state)
{
	struct ike_sa got, want;
	struct ike_gen g;
	size_t blen;
	const uint8_t *b = golden_body(g_sa_ike, PP_IKE_PLD_SA, &blen);

	(void)state;
	expect_sa_ike(&want);
	assert_int_equal(ike_sa_validate(b, blen, 0, NULL), 0);
	assert_int_equal(ike_sa_parse(b, blen, 0, &got, NULL), 0);
	assert_sa_equal(&got, &want);
	gen_begin(&g);
	assert_int_equal(ike_gen_sa(&g, &want), 0);
	gen_check(&g, PP_IKE_PLD_SA);
}

static void test_rfc7296_3_3_sa_golden_esp_proposal_with_spi(void **state)
{
	struct ike_sa got, want;
	struct ike_gen g;
	size_t blen;
	const uint8_t *b = golden_body(g_sa_esp, PP_IKE_PLD_SA, &blen);

	(void)state;
	expect_sa_esp(&want);
	/* a single proposal numbered 1 is valid as request and response */
	assert_int_equal(ike_sa_parse(b, blen, 0, &got, NULL), 0);
	assert_sa_equal(&got, &want);
	assert_int_equal(ike_sa_parse(b, blen, IKE_SA_F_RESPONSE, &got, NULL),
			 0);
	assert_sa_equal(&got, &want);
	gen_begin(&g);
	assert_int_equal(ike_gen_sa(&g, &want), 0);
	gen_check(&g, PP_IKE_PLD_SA);
}

static void test_rfc5903_8_1_ke_golden_p256(void **state)
{
	struct ike_ke got, want;
	struct ike_gen g;
	uint8_t data[64];
	size_t blen;
	const uint8_t *b = golden_body(g_ke, PP_IKE_PLD_KE, &blen);

	(void)state;
	unhex("DAD0B653 94221CF9 B051E1FE CA5787D0 98DFE637 FC90B9EF 945D0C37 "
	      "72581180 5271A046 1CDB8252 D61F1C45 6FA3E59A B1F45B33 ACCF5F58 "
	      "389E0577 B8990BB3",
	      data, sizeof(data));
	assert_int_equal(ike_ke_parse(b, blen, &got, NULL), 0);
	assert_int_equal(got.group, PP_IKE_DH_ECP256);
	assert_bytes(got.data, got.len, data, sizeof(data));
	assert_int_equal(ike_ke_data_len(PP_IKE_DH_ECP256), 64);
	want = (struct ike_ke){ PP_IKE_DH_ECP256, data, sizeof(data) };
	gen_begin(&g);
	assert_int_equal(ike_gen_ke(&g, &want), 0);
	gen_check(&g, PP_IKE_PLD_KE);
}

static void test_rfc7296_3_5_id_golden_fqdn_and_ipv4(void **state)
{
	struct ike_id got, want;
	struct ike_gen g;
	size_t blen;
	const uint8_t *b = golden_body(g_idi, PP_IKE_PLD_IDI, &blen);

	(void)state;
	assert_int_equal(ike_id_parse(b, blen, &got, NULL), 0);
	assert_int_equal(got.type, PP_IKE_ID_FQDN);
	assert_int_equal(got.len, 11);
	assert_memory_equal(got.data, "vpn.example", 11);
	want = (struct ike_id){ PP_IKE_ID_FQDN,
				(const uint8_t *)"vpn.example", 11 };
	gen_begin(&g);
	assert_int_equal(ike_gen_id(&g, PP_IKE_PLD_IDI, &want), 0);
	gen_check(&g, PP_IKE_PLD_IDI);

	b = golden_body(g_idr, PP_IKE_PLD_IDR, &blen);
	assert_int_equal(ike_id_parse(b, blen, &got, NULL), 0);
	assert_int_equal(got.type, PP_IKE_ID_IPV4_ADDR);
	assert_data(got.data, got.len, "c0000201");
	want = (struct ike_id){ PP_IKE_ID_IPV4_ADDR,
				(const uint8_t *)"\xc0\x00\x02\x01", 4 };
	gen_begin(&g);
	assert_int_equal(ike_gen_id(&g, PP_IKE_PLD_IDR, &want), 0);
	gen_check(&g, PP_IKE_PLD_IDR);
}

static void test_rfc7296_3_6_cert_golden_x509(void **state)
{
	struct ike_cert got, want;
	struct ike_gen g;
	size_t blen;
	const uint8_t *b = golden_body(g_cert, PP_IKE_PLD_CERT, &blen);

	(void)state;
	assert_int_equal(ike_cert_parse(b, blen, &got, NULL), 0);
	assert_int_equal(got.encoding, PP_IKE_CERT_X509_SIG);
	assert_data(got.data, got.len, "3003020101");
	want = (struct ike_cert){ PP_IKE_CERT_X509_SIG,
				  (const uint8_t *)"\x30\x03\x02\x01\x01", 5 };
	gen_begin(&g);
	assert_int_equal(ike_gen_cert(&g, &want), 0);
	gen_check(&g, PP_IKE_PLD_CERT);
}

static void test_rfc7296_3_7_certreq_golden_sha1_list(void **state)
{
	struct ike_cert got, want;
	struct ike_gen g;
	uint8_t hash[20];
	size_t blen;
	const uint8_t *b = golden_body(g_certreq, PP_IKE_PLD_CERTREQ, &blen);

	(void)state;
	for (unsigned int i = 0; i < 20; i++)
		hash[i] = (uint8_t)(i + 1);
	assert_int_equal(ike_certreq_parse(b, blen, &got, NULL), 0);
	assert_int_equal(got.encoding, PP_IKE_CERT_X509_SIG);
	assert_bytes(got.data, got.len, hash, sizeof(hash));
	want = (struct ike_cert){ PP_IKE_CERT_X509_SIG, hash, sizeof(hash) };
	gen_begin(&g);
	assert_int_equal(ike_gen_certreq(&g, &want), 0);
	gen_check(&g, PP_IKE_PLD_CERTREQ);
}

static void test_rfc7296_3_8_auth_golden_psk(void **state)
{
	struct ike_auth got, want;
	struct ike_gen g;
	uint8_t mac[32];
	size_t blen;
	const uint8_t *b = golden_body(g_auth, PP_IKE_PLD_AUTH, &blen);

	(void)state;
	for (unsigned int i = 0; i < 32; i++)
		mac[i] = (uint8_t)(0xa0 + i);
	assert_int_equal(ike_auth_parse(b, blen, &got, NULL), 0);
	assert_int_equal(got.method, PP_IKE_AUTH_SHARED_KEY_MIC);
	assert_bytes(got.data, got.len, mac, sizeof(mac));
	want = (struct ike_auth){ PP_IKE_AUTH_SHARED_KEY_MIC, mac, 32 };
	gen_begin(&g);
	assert_int_equal(ike_gen_auth(&g, &want), 0);
	gen_check(&g, PP_IKE_PLD_AUTH);
}

static void test_rfc7296_3_9_nonce_golden(void **state)
{
	struct ike_nonce got;
	struct ike_gen g;
	uint8_t n[32];
	size_t blen;
	const uint8_t *b = golden_body(g_nonce, PP_IKE_PLD_NONCE, &blen);

	(void)state;
	for (unsigned int i = 0; i < 32; i++)
		n[i] = (uint8_t)i;
	assert_int_equal(ike_nonce_parse(b, blen, &got, NULL), 0);
	assert_bytes(got.data, got.len, n, sizeof(n));
	gen_begin(&g);
	assert_int_equal(ike_gen_nonce(&g, n, sizeof(n)), 0);
	gen_check(&g, PP_IKE_PLD_NONCE);
}

static void check_notify_golden(const char *hex, const struct ike_notify *want)
{
	struct ike_notify got;
	struct ike_gen g;
	size_t blen;
	const uint8_t *b = golden_body(hex, PP_IKE_PLD_NOTIFY, &blen);

	assert_int_equal(ike_notify_parse(b, blen, &got, NULL), 0);
	assert_int_equal(got.protocol, want->protocol);
	assert_int_equal(got.spi_size, want->spi_size);
	assert_int_equal(got.type, want->type);
	assert_memory_equal(got.spi, want->spi, sizeof(got.spi));
	assert_bytes(got.data, got.len, want->data, want->len);
	gen_begin(&g);
	assert_int_equal(ike_gen_notify(&g, want), 0);
	gen_check(&g, PP_IKE_PLD_NOTIFY);
}

static void test_rfc7296_3_10_notify_golden_status_error_and_spi(void **state)
{
	uint8_t natd[20];
	struct ike_notify n;

	(void)state;
	for (unsigned int i = 0; i < 20; i++)
		natd[i] = (uint8_t)(0xc1 + i);
	n = (struct ike_notify){ .type = PP_IKE_N_NAT_DETECTION_SOURCE_IP,
				 .data = natd, .len = 20 };
	check_notify_golden(g_n_natd, &n);

	n = (struct ike_notify){ .protocol = PP_IKE_PROTO_ESP, .spi_size = 4,
				 .type = PP_IKE_N_REKEY_SA,
				 .spi = { 0xc0, 0xff, 0xee, 0x01 } };
	check_notify_golden(g_n_rekey, &n);

	n = (struct ike_notify){ .type = PP_IKE_N_INVALID_KE_PAYLOAD,
				 .data = (const uint8_t *)"\x00\x13",
				 .len = 2 };
	check_notify_golden(g_n_invke, &n);

	n = (struct ike_notify){ .type = PP_IKE_N_IKEV2_FRAGMENTATION_SUPPORTED };
	check_notify_golden(g_n_frag_supported, &n);
}

static void test_rfc7296_3_11_delete_golden_esp_and_ike(void **state)
{
	struct ike_delete got, want;
	struct ike_gen g;
	size_t blen;
	const uint8_t *b = golden_body(g_del_esp, PP_IKE_PLD_DELETE, &blen);

	(void)state;
	assert_int_equal(ike_delete_parse(b, blen, &got, NULL), 0);
	assert_int_equal(got.protocol, PP_IKE_PROTO_ESP);
	assert_int_equal(got.spi_size, 4);
	assert_int_equal(got.n_spis, 2);
	assert_int_equal(ike_delete_spi(&got, 0), 0x11223344);
	assert_int_equal(ike_delete_spi(&got, 1), 0x55667788);
	assert_int_equal(ike_delete_spi(&got, 2), 0); /* out of range */
	want = (struct ike_delete){
		PP_IKE_PROTO_ESP, 4, 2,
		(const uint8_t *)"\x11\x22\x33\x44\x55\x66\x77\x88" };
	gen_begin(&g);
	assert_int_equal(ike_gen_delete(&g, &want), 0);
	gen_check(&g, PP_IKE_PLD_DELETE);

	b = golden_body(g_del_ike, PP_IKE_PLD_DELETE, &blen);
	assert_int_equal(ike_delete_parse(b, blen, &got, NULL), 0);
	assert_int_equal(got.protocol, PP_IKE_PROTO_IKE);
	assert_int_equal(got.spi_size, 0);
	assert_int_equal(got.n_spis, 0);
	want = (struct ike_delete){ PP_IKE_PROTO_IKE, 0, 0, NULL };
	gen_begin(&g);
	assert_int_equal(ike_gen_delete(&g, &want), 0);
	gen_check(&g, PP_IKE_PLD_DELETE);
}

static void test_rfc7296_3_12_vendor_id_golden(void **state)
{
	struct ike_vendor got;
	struct ike_gen g;
	uint8_t vid[16];
	size_t blen;
	const uint8_t *b = golden_body(g_vendor, PP_IKE_PLD_VENDOR, &blen);

	(void)state;
	unhex("882fe56d6fd20dbc2251613b2ebe5beb", vid, sizeof(vid));
	assert_int_equal(ike_vendor_parse(b, blen, &got, NULL), 0);
	assert_bytes(got.data, got.len, vid, sizeof(vid));
	gen_begin(&g);
	assert_int_equal(ike_gen_vendor(&g, vid, sizeof(vid)), 0);
	gen_check(&g, PP_IKE_PLD_VENDOR);
}

static void ts_sel(struct ike_ts_sel *s, uint8_t type, uint8_t proto,
		   uint16_t sp, uint16_t ep, const char *start, const char *end)
{
	memset(s, 0, sizeof(*s));
	s->type = type;
	s->ip_proto = proto;
	s->start_port = sp;
	s->end_port = ep;
	unhex(start, s->start, sizeof(s->start));
	unhex(end, s->end, sizeof(s->end));
}

static void assert_ts_equal(const struct ike_ts *got, const struct ike_ts *want)
{
	assert_int_equal(got->n, want->n);
	for (unsigned int i = 0; i < want->n; i++) {
		const struct ike_ts_sel *a = &got->sel[i], *b = &want->sel[i];

		assert_int_equal(a->type, b->type);
		assert_int_equal(a->ip_proto, b->ip_proto);
		assert_int_equal(a->start_port, b->start_port);
		assert_int_equal(a->end_port, b->end_port);
		assert_memory_equal(a->start, b->start, 16);
		assert_memory_equal(a->end, b->end, 16);
	}
}

static void test_rfc7296_3_13_ts_golden_ipv4_and_ipv6(void **state)
{
	struct ike_ts got, want;
	struct ike_gen g;
	size_t blen;
	const uint8_t *b = golden_body(g_tsi, PP_IKE_PLD_TSI, &blen);

	(void)state;
	memset(&want, 0, sizeof(want));
	want.n = 1;
	ts_sel(&want.sel[0], PP_IKE_TS_IPV4_ADDR_RANGE, 0, 0, 65535,
	       "00000000", "ffffffff");
	assert_int_equal(ike_ts_parse(b, blen, &got, NULL), 0);
	assert_ts_equal(&got, &want);
	gen_begin(&g);
	assert_int_equal(ike_gen_ts(&g, PP_IKE_PLD_TSI, &want), 0);
	gen_check(&g, PP_IKE_PLD_TSI);

	b = golden_body(g_tsr, PP_IKE_PLD_TSR, &blen);
	memset(&want, 0, sizeof(want));
	want.n = 2;
	ts_sel(&want.sel[0], PP_IKE_TS_IPV4_ADDR_RANGE, 6, 443, 443,
	       "0a000000", "0a00ffff");
	ts_sel(&want.sel[1], PP_IKE_TS_IPV6_ADDR_RANGE, 17, 0, 65535,
	       "20010db8000000000000000000000000",
	       "20010db800000000000000000000ffff");
	assert_int_equal(ike_ts_parse(b, blen, &got, NULL), 0);
	assert_ts_equal(&got, &want);
	gen_begin(&g);
	assert_int_equal(ike_gen_ts(&g, PP_IKE_PLD_TSR, &want), 0);
	gen_check(&g, PP_IKE_PLD_TSR);
}

static void assert_cp_equal(const struct ike_cp *got, const struct ike_cp *want)
{
	assert_int_equal(got->cfg_type, want->cfg_type);
	assert_int_equal(got->n, want->n);
	for (unsigned int i = 0; i < want->n; i++) {
		assert_int_equal(got->attr[i].type, want->attr[i].type);
		assert_bytes(got->attr[i].value, got->attr[i].len,
			     want->attr[i].value, want->attr[i].len);
	}
}

static void test_rfc7296_3_15_cp_golden_request_and_reply(void **state)
{
	struct ike_cp got, want;
	struct ike_gen g;
	size_t blen;
	const uint8_t *b = golden_body(g_cp_req, PP_IKE_PLD_CP, &blen);
	static const uint8_t v6[17] = { 0xfd, [15] = 2, [16] = 64 };

	(void)state;
	memset(&want, 0, sizeof(want));
	want.cfg_type = PP_IKE_CFG_REQUEST;
	want.n = 3;
	want.attr[0].type = PP_IKE_CP_INTERNAL_IP4_ADDRESS;
	want.attr[1].type = PP_IKE_CP_INTERNAL_IP4_DNS;
	want.attr[2].type = PP_IKE_CP_INTERNAL_IP6_ADDRESS;
	assert_int_equal(ike_cp_parse(b, blen, &got, NULL), 0);
	assert_cp_equal(&got, &want);
	gen_begin(&g);
	assert_int_equal(ike_gen_cp(&g, &want), 0);
	gen_check(&g, PP_IKE_PLD_CP);

	b = golden_body(g_cp_reply, PP_IKE_PLD_CP, &blen);
	memset(&want, 0, sizeof(want));
	want.cfg_type = PP_IKE_CFG_REPLY;
	want.n = 3;
	want.attr[0] = (struct ike_cp_attr){ PP_IKE_CP_INTERNAL_IP4_ADDRESS, 4,
					     (const uint8_t *)"\x0a\x01\x00\x02" };
	want.attr[1] = (struct ike_cp_attr){ PP_IKE_CP_INTERNAL_IP4_DNS, 4,
					     (const uint8_t *)"\x0a\x01\x00\x01" };
	want.attr[2] = (struct ike_cp_attr){ PP_IKE_CP_INTERNAL_IP6_ADDRESS, 17,
					     v6 };
	assert_int_equal(ike_cp_parse(b, blen, &got, NULL), 0);
	assert_cp_equal(&got, &want);
	gen_begin(&g);
	assert_int_equal(ike_gen_cp(&g, &want), 0);
	gen_check(&g, PP_IKE_PLD_CP);
}

static void test_rfc7296_3_16_eap_golden_identity_and_success(void **state)
{
	struct ike_eap got, want;
	struct ike_gen g;
	size_t blen;
	const uint8_t *b = golden_body(g_eap, PP_IKE_PLD_EAP, &blen);

	(void)state;
	assert_int_equal(ike_eap_parse(b, blen, &got, NULL), 0);
	assert_int_equal(got.code, PP_IKE_EAP_CODE_RESPONSE);
	assert_int_equal(got.id, 1);
	assert_int_equal(got.type, 1);
	assert_bytes(got.data, got.len, (const uint8_t *)"user", 4);
	want = (struct ike_eap){ PP_IKE_EAP_CODE_RESPONSE, 1, 1,
				 (const uint8_t *)"user", 4 };
	gen_begin(&g);
	assert_int_equal(ike_gen_eap(&g, &want), 0);
	gen_check(&g, PP_IKE_PLD_EAP);

	b = golden_body(g_eap_ok, PP_IKE_PLD_EAP, &blen);
	assert_int_equal(ike_eap_parse(b, blen, &got, NULL), 0);
	assert_int_equal(got.code, PP_IKE_EAP_CODE_SUCCESS);
	assert_int_equal(got.id, 2);
	assert_int_equal(got.type, 0);
	assert_int_equal(got.len, 0);
	want = (struct ike_eap){ PP_IKE_EAP_CODE_SUCCESS, 2, 0, NULL, 0 };
	gen_begin(&g);
	assert_int_equal(ike_gen_eap(&g, &want), 0);
	gen_check(&g, PP_IKE_PLD_EAP);
}

/* ChaCha20-Poly1305 with OpenSSL, for the RFC 7634 message. */
static void chacha_seal(const uint8_t *key, const uint8_t nonce[12],
			const uint8_t *aad, size_t aad_len, uint8_t *buf,
			size_t len, uint8_t tag[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n;

	assert_non_null(c);
	assert_int_equal(EVP_EncryptInit_ex(c, EVP_chacha20_poly1305(), NULL,
					    key, nonce),
			 1);
	assert_int_equal(EVP_EncryptUpdate(c, NULL, &n, aad, (int)aad_len), 1);
	assert_int_equal(EVP_EncryptUpdate(c, buf, &n, buf, (int)len), 1);
	assert_int_equal(EVP_EncryptFinal_ex(c, buf + n, &n), 1);
	assert_int_equal(
		EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag), 1);
	EVP_CIPHER_CTX_free(c);
}

static bool chacha_open(const uint8_t *key, const uint8_t nonce[12],
			const uint8_t *aad, size_t aad_len, const uint8_t *ct,
			size_t len, const uint8_t *tag, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n, ok;

	assert_non_null(c);
	assert_int_equal(EVP_DecryptInit_ex(c, EVP_chacha20_poly1305(), NULL,
					    key, nonce),
			 1);
	assert_int_equal(EVP_DecryptUpdate(c, NULL, &n, aad, (int)aad_len), 1);
	assert_int_equal(EVP_DecryptUpdate(c, out, &n, ct, (int)len), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16,
					     (void *)(uintptr_t)tag),
			 1);
	ok = EVP_DecryptFinal_ex(c, out + n, &n);
	EVP_CIPHER_CTX_free(c);
	return ok == 1;
}

/*
 * RFC 7634 Appendix B through every layer: header, SK layout (AAD = the
 * 32 bytes before the IV), decryption with the published key, Pad Length,
 * inner chain, Notify body; then the generator rebuilds the plaintext
 * message, OpenSSL seals it where the layout says, and the result is the
 * published 69 bytes.
 */
static void test_rfc7634_appb_sk_message_parse_decrypt_generate(void **state)
{
	uint8_t msg[128], key[32], nonce[12], plain[64], want_plain[16];
	size_t len = unhex(g_rfc7634_msg, msg, sizeof(msg)), inner, out_len;
	size_t plen = unhex(g_rfc7634_plain, want_plain, sizeof(want_plain));
	struct ike_msg m;
	struct ike_sk_layout lay, glay;
	struct ike_chain c;
	struct ike_notify n;
	struct ike_perr e;
	struct ike_gen g;
	uint8_t *p = dup_exact(msg, len);

	(void)state;
	unhex(g_rfc7634_key, key, sizeof(key));
	unhex(g_rfc7634_salt, nonce, 4);
	assert_int_equal(len, 69);
	assert_int_equal(ike_msg_parse(p, len, &m), 0);
	assert_true(m.hdr.spi_i == 0xc0c1c2c3c4c5c6c7ull);
	assert_true(m.hdr.spi_r == 0xd0d1d2d3d4d5d6d7ull);
	assert_int_equal(m.hdr.next, PP_IKE_PLD_SK);
	assert_int_equal(m.hdr.version, PP_IKE_VERSION);
	assert_int_equal(m.hdr.exchange, PP_IKE_EXCH_INFORMATIONAL);
	assert_int_equal(m.hdr.flags, 0);
	assert_int_equal(m.hdr.msg_id, 9);
	assert_int_equal(m.hdr.length, 69);
	assert_int_equal(m.chain.n, 1);
	assert_int_equal(m.chain.sk, 0);
	assert_int_equal(m.chain.pld[0].type, PP_IKE_PLD_SK);
	assert_int_equal(m.chain.pld[0].next, PP_IKE_PLD_NOTIFY);
	assert_int_equal(m.chain.pld[0].body_len, 41 - 4);
	assert_int_equal(ike_msg_validate(&m, &e), 0);

	assert_int_equal(ike_msg_sk(&m, 8, 16, 1, &lay, &e), 0);
	assert_int_equal(lay.type, PP_IKE_PLD_SK);
	assert_int_equal(lay.first, PP_IKE_PLD_NOTIFY);
	assert_int_equal(lay.pld_off, 28);
	assert_int_equal(lay.aad_len, 32);
	assert_int_equal(lay.iv_off, 32);
	assert_int_equal(lay.iv_len, 8);
	assert_int_equal(lay.ct_off, 40);
	assert_int_equal(lay.ct_len, 13);
	assert_int_equal(lay.icv_off, 53);
	assert_int_equal(lay.icv_len, 16);

	memcpy(nonce + 4, p + lay.iv_off, 8);
	assert_true(chacha_open(key, nonce, p, lay.aad_len, p + lay.ct_off,
				lay.ct_len, p + lay.icv_off, plain));
	assert_bytes(plain, lay.ct_len, want_plain, plen);
	assert_int_equal(ike_sk_unpad(plain, lay.ct_len, &inner, &e), 0);
	assert_int_equal(inner, 12);
	assert_int_equal(ike_inner_parse(plain, inner, lay.first, &c, &e), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(ike_chain_validate(&c, m.hdr.exchange, false, true,
					    &e),
			 0);
	assert_int_equal(ike_chain_check_bodies(&c, false, &e), 0);
	assert_int_equal(ike_notify_parse(ike_pld_body(&c, 0),
					  c.pld[0].body_len, &n, &e),
			 0);
	assert_int_equal(n.type, PP_IKE_N_SET_WINDOW_SIZE);
	assert_int_equal(n.spi_size, 0);
	assert_data(n.data, n.len, "0000000a");

	/* Generate: same header, SK{N(SET_WINDOW_SIZE, 10)} */
	assert_int_equal(ike_gen_init(&g, obuf, sizeof(obuf), &m.hdr), 0);
	assert_int_equal(ike_gen_sk_begin(&g, 8), 0);
	n = (struct ike_notify){ .type = PP_IKE_N_SET_WINDOW_SIZE,
				 .data = (const uint8_t *)"\0\0\0\x0a",
				 .len = 4 };
	assert_int_equal(ike_gen_notify(&g, &n), 0);
	assert_int_equal(ike_gen_sk_end(&g, 1, 16, &glay), 0);
	assert_int_equal(ike_gen_finish(&g, &out_len), 0);
	assert_int_equal(out_len, 69);
	assert_memory_equal(&glay, &lay, sizeof(lay));
	assert_bytes(obuf + glay.ct_off, glay.ct_len, want_plain, plen);
	memcpy(obuf + glay.iv_off, "\x10\x11\x12\x13\x14\x15\x16\x17", 8);
	chacha_seal(key, nonce, obuf, glay.aad_len, obuf + glay.ct_off,
		    glay.ct_len, obuf + glay.icv_off);
	assert_bytes(obuf, out_len, msg, len);
	free(p);
}

/* SKF (RFC 7383 §2.5): parse the golden fragment, locate IV/ct/ICV, and
 * generate it back. */
static void test_rfc7383_2_5_skf_golden_fragment(void **state)
{
	uint8_t msg[128];
	size_t len = unhex(g_skf_msg, msg, sizeof(msg)), out_len;
	struct ike_msg m;
	struct ike_sk_layout lay, glay;
	struct ike_hdr h;
	struct ike_gen g;
	struct ike_perr e;

	(void)state;
	assert_int_equal(ike_msg_parse(msg, len, &m), 0);
	assert_int_equal(m.chain.n, 1);
	assert_int_equal(m.chain.sk, 0);
	assert_int_equal(m.chain.pld[0].type, PP_IKE_PLD_SKF);
	assert_int_equal(ike_msg_validate(&m, &e), 0);
	assert_int_equal(ike_msg_sk(&m, 8, 16, 1, &lay, &e), 0);
	assert_int_equal(lay.type, PP_IKE_PLD_SKF);
	assert_int_equal(lay.first, PP_IKE_PLD_IDI);
	assert_int_equal(lay.frag_num, 1);
	assert_int_equal(lay.frag_total, 2);
	assert_int_equal(lay.aad_len, 28 + 4 + 4); /* + the two counters */
	assert_int_equal(lay.iv_off, 36);
	assert_int_equal(lay.ct_off, 44);
	assert_int_equal(lay.ct_len, 5);
	assert_int_equal(lay.icv_off, 49);

	h = m.hdr;
	assert_int_equal(ike_gen_init(&g, obuf, sizeof(obuf), &h), 0);
	assert_int_equal(ike_gen_skf_begin(&g, PP_IKE_PLD_IDI, 1, 2, 8), 0);
	assert_int_equal(ike_gen_sk_put(&g, "\x01\x02\x03\x04", 4), 0);
	assert_int_equal(ike_gen_sk_end(&g, 1, 16, &glay), 0);
	assert_int_equal(ike_gen_finish(&g, &out_len), 0);
	assert_memory_equal(&glay, &lay, sizeof(lay));
	memcpy(obuf + glay.iv_off, msg + lay.iv_off, 8);
	memcpy(obuf + glay.icv_off, msg + lay.icv_off, 16);
	assert_bytes(obuf, out_len, msg, len);
}

/* A whole IKE_SA_INIT request composed from the goldens: header fields,
 * chain records, legal table, every body; then the generator rebuilds it
 * byte for byte from the parsed structures. */
static void test_rfc7296_1_2_ike_sa_init_request_roundtrip(void **state)
{
	uint8_t msg[BUF_MAX];
	size_t len = compose(msg, sizeof(msg), g_init_hdr, init_parts,
			     N_INIT_PARTS),
	       out_len;
	uint8_t *p = dup_exact(msg, len);
	struct ike_msg m;
	struct ike_perr e;
	struct ike_gen g;
	struct ike_sa sa;
	struct ike_ke ke;
	struct ike_nonce no;
	struct ike_notify n;
	struct ike_vendor v;
	uint32_t off = PP_IKE_HDR_LEN;

	(void)state;
	assert_int_equal(len, 284);
	assert_int_equal(ike_msg_parse(p, len, &m), 0);
	assert_true(m.hdr.spi_i == 0x0102030405060708ull);
	assert_true(m.hdr.spi_r == 0);
	assert_int_equal(m.hdr.exchange, PP_IKE_EXCH_IKE_SA_INIT);
	assert_int_equal(m.hdr.flags, PP_IKE_FLAG_I);
	assert_true(ike_hdr_from_initiator(&m.hdr));
	assert_false(ike_hdr_is_response(&m.hdr));
	assert_int_equal(m.chain.n, N_INIT_PARTS);
	assert_int_equal(m.chain.sk, -1);
	for (unsigned int i = 0; i < m.chain.n; i++) {
		assert_int_equal(m.chain.pld[i].type, init_parts[i].type);
		assert_int_equal(m.chain.pld[i].off, off);
		assert_int_equal(m.chain.pld[i].next,
				 i + 1 < N_INIT_PARTS ? init_parts[i + 1].type
						      : 0);
		off += 4 + m.chain.pld[i].body_len;
	}
	assert_int_equal(off, len);
	assert_int_equal(ike_msg_validate(&m, &e), 0);
	assert_int_equal(ike_chain_check_bodies(&m.chain, false, &e), 0);
	assert_int_equal(ike_chain_find(&m.chain, PP_IKE_PLD_NOTIFY, 0), 3);
	assert_int_equal(ike_chain_find(&m.chain, PP_IKE_PLD_NOTIFY, 4), 4);
	assert_int_equal(ike_chain_find(&m.chain, PP_IKE_PLD_NOTIFY, 5), -1);
	assert_int_equal(ike_msg_sk(&m, 8, 16, 1, &(struct ike_sk_layout){ 0 },
				    &e),
			 -ENOENT);
	assert_int_equal(e.code, IKE_E_MISSING);

	assert_int_equal(ike_gen_init(&g, obuf, sizeof(obuf), &m.hdr), 0);
	for (unsigned int i = 0; i < m.chain.n; i++) {
		const uint8_t *b = ike_pld_body(&m.chain, i);
		size_t bl = m.chain.pld[i].body_len;

		switch (m.chain.pld[i].type) {
		case PP_IKE_PLD_SA:
			assert_int_equal(ike_sa_parse(b, bl, 0, &sa, &e), 0);
			assert_int_equal(ike_gen_sa(&g, &sa), 0);
			break;
		case PP_IKE_PLD_KE:
			assert_int_equal(ike_ke_parse(b, bl, &ke, &e), 0);
			assert_int_equal(ike_gen_ke(&g, &ke), 0);
			break;
		case PP_IKE_PLD_NONCE:
			assert_int_equal(ike_nonce_parse(b, bl, &no, &e), 0);
			assert_int_equal(ike_gen_nonce(&g, no.data, no.len), 0);
			break;
		case PP_IKE_PLD_NOTIFY:
			assert_int_equal(ike_notify_parse(b, bl, &n, &e), 0);
			assert_int_equal(ike_gen_notify(&g, &n), 0);
			break;
		case PP_IKE_PLD_VENDOR:
			assert_int_equal(ike_vendor_parse(b, bl, &v, &e), 0);
			assert_int_equal(ike_gen_vendor(&g, v.data, v.len), 0);
			break;
		default:
			fail();
		}
	}
	assert_int_equal(ike_gen_finish(&g, &out_len), 0);
	assert_bytes(obuf, out_len, msg, len);
	free(p);
}

/* The decrypted IKE_AUTH request: inner chain, "inside SK" rules, bodies. */
static void test_rfc7296_1_2_ike_auth_inner_chain_parses(void **state)
{
	uint8_t buf[BUF_MAX], first;
	size_t len = compose_chain(buf, sizeof(buf), auth_inner_parts,
				   N_AUTH_INNER, &first);
	uint8_t *p = dup_exact(buf, len);
	struct ike_chain c;
	struct ike_perr e;

	(void)state;
	assert_int_equal(ike_inner_parse(p, len, first, &c, &e), 0);
	assert_int_equal(c.n, N_AUTH_INNER);
	for (unsigned int i = 0; i < c.n; i++)
		assert_int_equal(c.pld[i].type, auth_inner_parts[i].type);
	assert_int_equal(ike_chain_validate(&c, PP_IKE_EXCH_IKE_AUTH, false,
					    true, &e),
			 0);
	assert_int_equal(ike_chain_check_bodies(&c, false, &e), 0);
	/* the same chain is not a legal response (IDi, CERTREQ) */
	assert_int_equal(ike_chain_validate(&c, PP_IKE_EXCH_IKE_AUTH, true,
					    true, &e),
			 -EBADMSG);
	assert_int_equal(e.code, IKE_E_NOT_ALLOWED);
	assert_int_equal(e.pld, PP_IKE_PLD_IDI);
	/* nor is it legal outside SK */
	assert_int_equal(ike_chain_validate(&c, PP_IKE_EXCH_IKE_AUTH, false,
					    false, &e),
			 -EBADMSG);
	assert_int_equal(e.code, IKE_E_NOT_ALLOWED);
	free(p);
}

/* ---------------------------------------------------------------------- */
/* Legal-payload table (§1.2-§1.5, §3.14)                                 */
/* ---------------------------------------------------------------------- */

/* The rules again, written as the RFC figures read; "X*" = any number. */
struct legal_spec {
	uint8_t exch;
	bool resp, inner;
	const char *allowed;
};

static const struct legal_spec legal_spec[] = {
	{ PP_IKE_EXCH_IKE_SA_INIT, false, false, "SA KE Nonce N* V*" },
	{ PP_IKE_EXCH_IKE_SA_INIT, true, false, "SA KE Nonce CERTREQ* N* V*" },
	{ PP_IKE_EXCH_IKE_SA_INIT, false, true, "" },
	{ PP_IKE_EXCH_IKE_SA_INIT, true, true, "" },
	{ PP_IKE_EXCH_IKE_AUTH, false, false, "SK SKF" },
	{ PP_IKE_EXCH_IKE_AUTH, true, false, "SK SKF" },
	{ PP_IKE_EXCH_IKE_AUTH, false, true,
	  "IDi IDr CERT* CERTREQ* AUTH CP SA TSi TSr N* V* EAP" },
	{ PP_IKE_EXCH_IKE_AUTH, true, true,
	  "IDr CERT* AUTH CP SA TSi TSr N* V* EAP" },
	{ PP_IKE_EXCH_CREATE_CHILD_SA, false, false, "SK SKF" },
	{ PP_IKE_EXCH_CREATE_CHILD_SA, true, false, "SK SKF" },
	{ PP_IKE_EXCH_CREATE_CHILD_SA, false, true, "SA KE Nonce TSi TSr N* V*" },
	{ PP_IKE_EXCH_CREATE_CHILD_SA, true, true, "SA KE Nonce TSi TSr N* V*" },
	{ PP_IKE_EXCH_INFORMATIONAL, false, false, "SK SKF N*" },
	{ PP_IKE_EXCH_INFORMATIONAL, true, false, "SK SKF N*" },
	{ PP_IKE_EXCH_INFORMATIONAL, false, true, "N* D* CP V*" },
	{ PP_IKE_EXCH_INFORMATIONAL, true, true, "N* D* CP V*" },
};

static const struct {
	const char *name;
	uint8_t type;
} spec_names[] = {
	{ "SA", 33 },	  { "KE", 34 },	 { "IDi", 35 }, { "IDr", 36 },
	{ "CERT", 37 },	  { "CERTREQ", 38 }, { "AUTH", 39 }, { "Nonce", 40 },
	{ "N", 41 },	  { "D", 42 },	 { "V", 43 },	{ "TSi", 44 },
	{ "TSr", 45 },	  { "SK", 46 },	 { "CP", 47 },	{ "EAP", 48 },
	{ "SKF", 53 },
};

/* Expected ike_allow for @type from a spec string. */
static enum ike_allow spec_allow(const char *allowed, uint8_t type)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", allowed);
	for (char *tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		size_t l = strlen(tok);
		bool many = tok[l - 1] == '*';
		bool found = false;

		if (many)
			tok[l - 1] = 0;
		for (size_t i = 0; i < sizeof(spec_names) / sizeof(spec_names[0]);
		     i++) {
			if (strcmp(spec_names[i].name, tok))
				continue;
			found = true;
			if (spec_names[i].type == type)
				return many ? IKE_ALLOW_MANY : IKE_ALLOW_ONE;
		}
		if (!found)
			fail_msg("unknown name %s in spec", tok);
	}
	return IKE_ALLOW_NO;
}

/* Every exchange x direction x inside/outside SK x payload type. */
static void test_rfc7296_1_legal_payload_table_exhaustive(void **state)
{
	unsigned long checked = 0, allowed = 0;

	(void)state;
	for (unsigned int x = 0; x < 256; x++)
		for (int resp = 0; resp < 2; resp++)
			for (int in = 0; in < 2; in++) {
				const char *spec = NULL;

				for (size_t i = 0; i < sizeof(legal_spec) /
							       sizeof(legal_spec[0]);
				     i++)
					if (legal_spec[i].exch == x &&
					    legal_spec[i].resp == resp &&
					    legal_spec[i].inner == in)
						spec = legal_spec[i].allowed;
				for (unsigned int t = 0; t < 256; t++) {
					enum ike_allow want =
						spec ? spec_allow(spec, (uint8_t)t)
						     : IKE_ALLOW_NO;
					enum ike_allow got = ike_pld_allowed(
						(uint8_t)x, resp, in, (uint8_t)t);

					if (got != want)
						fail_msg("exchange %u %s %s SK "
							 "payload %u: got %d "
							 "want %d",
							 x, resp ? "resp" : "req",
							 in ? "inside"
							    : "outside",
							 t, got, want);
					checked++;
					allowed += got != IKE_ALLOW_NO;
				}
			}
	assert_int_equal(checked, 256ul * 2 * 2 * 256);
	assert_int_equal(allowed, 5 + 6 + 2 + 2 + 12 + 10 + 2 + 2 + 7 + 7 +
					  3 + 3 + 4 + 4);
}

/* Chains against the table: duplicates, wrong side of SK, unknown types. */
struct vcase {
	const char *name;
	uint8_t exch;
	bool resp, inner;
	const char *types; /* payload types of the chain, hex bytes */
	enum ike_err code;
	uint8_t pld;
};

static const struct vcase vcases[] = {
	{ "INIT request SA KE Ni N N V", 34, false, false, "21 22 28 29 29 2b",
	  IKE_OK, 0 },
	{ "INIT request with two SA", 34, false, false, "21 22 28 21",
	  IKE_E_DUPLICATE, 33 },
	{ "INIT request with two KE", 34, false, false, "21 22 22 28",
	  IKE_E_DUPLICATE, 34 },
	{ "INIT request with AUTH", 34, false, false, "21 22 28 27",
	  IKE_E_NOT_ALLOWED, 39 },
	{ "INIT request with CERTREQ", 34, false, false, "21 22 28 26",
	  IKE_E_NOT_ALLOWED, 38 },
	{ "INIT response with CERTREQ x2", 34, true, false, "21 22 28 26 26",
	  IKE_OK, 0 },
	{ "INIT request with SK", 34, false, false, "21 2e", IKE_E_NOT_ALLOWED,
	  46 },
	{ "AUTH request, IDi outside SK", 35, false, false, "23",
	  IKE_E_NOT_ALLOWED, 35 },
	{ "AUTH request inside: two AUTH", 35, false, true, "23 27 27",
	  IKE_E_DUPLICATE, 39 },
	{ "AUTH request inside: KE", 35, false, true, "23 27 22",
	  IKE_E_NOT_ALLOWED, 34 },
	{ "AUTH response inside: IDi", 35, true, true, "23", IKE_E_NOT_ALLOWED,
	  35 },
	{ "AUTH request inside: unknown 49 skipped", 35, false, true,
	  "23 31 27", IKE_OK, 0 },
	{ "AUTH request inside: three CERT", 35, false, true, "23 25 25 25 27",
	  IKE_OK, 0 },
	{ "CHILD request inside: CP", 36, false, true, "21 28 2c 2d 2f",
	  IKE_E_NOT_ALLOWED, 47 },
	{ "CHILD request inside: two Nonces", 36, false, true, "21 28 28",
	  IKE_E_DUPLICATE, 40 },
	{ "CHILD response inside: D", 36, true, true, "21 28 2a",
	  IKE_E_NOT_ALLOWED, 42 },
	{ "INFO request inside: D D N V", 37, false, true, "2a 2a 29 2b", IKE_OK,
	  0 },
	{ "INFO request inside: two CP", 37, false, true, "2f 2f",
	  IKE_E_DUPLICATE, 47 },
	{ "INFO request inside: SA", 37, false, true, "21", IKE_E_NOT_ALLOWED,
	  33 },
	{ "INFO request outside: unprotected N (§1.5)", 37, false, false, "29",
	  IKE_OK, 0 },
	{ "INFO request outside: D", 37, false, false, "2a", IKE_E_NOT_ALLOWED,
	  42 },
	{ "IKE_SESSION_RESUME: no rules", 38, false, false, "29",
	  IKE_E_EXCHANGE, 0 },
	{ "exchange 0: no rules", 0, false, true, "", IKE_E_EXCHANGE, 0 },
};

static void test_rfc7296_2_5_chain_validate_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		const struct vcase *v = &vcases[i];
		uint8_t types[64];
		size_t n = unhex(v->types, types, sizeof(types));
		struct ike_chain c;
		struct ike_perr e;
		int rc;

		/* A fake chain: validate looks at types only. */
		memset(&c, 0, sizeof(c));
		c.n = (unsigned int)n;
		c.sk = -1;
		for (size_t k = 0; k < n; k++) {
			c.pld[k].type = types[k];
			c.pld[k].known = ike_pld_known(types[k]);
			c.pld[k].off = (uint32_t)(28 + 4 * k);
		}
		rc = ike_chain_validate(&c, v->exch, v->resp, v->inner, &e);
		if (v->code == IKE_OK) {
			if (rc)
				fail_msg("%s: %s", v->name, e.msg);
			continue;
		}
		if (rc != -EBADMSG || e.code != v->code || e.pld != v->pld)
			fail_msg("%s: rc %d code %s pld %u (%s)", v->name, rc,
				 ike_err_name(e.code), e.pld, e.msg);
		assert_int_equal(e.notify, v->code == IKE_E_EXCHANGE
						   ? 0
						   : PP_IKE_N_INVALID_SYNTAX);
	}
}

/* ---------------------------------------------------------------------- */
/* Malformed messages                                                     */
/* ---------------------------------------------------------------------- */

enum base { B_INIT, B_SK, B_SKF };

enum op {
	OP_NONE,
	OP_SET8,
	OP_SET16,
	OP_SET32,
	OP_TRUNC,	/* datagram = first off bytes, header untouched */
	OP_TRUNC_FIX,	/* ... and header Length = off */
	OP_APPEND,	/* off zero bytes appended, header untouched */
	OP_APPEND_FIX,	/* ... and header Length updated */
};

struct mop {
	enum op op;
	size_t off;
	uint32_t val;
};

struct mcase {
	const char *name;
	enum base base;
	struct mop ops[2];
	enum ike_err code;
	uint16_t notify;
	uint8_t pld;
	const char *msg_has;
};

/*
 * IKE_SA_INIT base layout: header 0..27, SA 28 (92), KE 120 (72), Nonce
 * 192 (36), N 228 (28), N 256 (8), V 264 (20), total 284.
 * RFC 7634 base: header, SK at 28 (41), total 69. SKF base: SKF at 28 (37),
 * total 65.
 */
static const struct mcase mcases[] = {
	{ "rfc7296_3_1 header truncated", B_INIT, { { OP_TRUNC, 27 } },
	  IKE_E_TRUNC, 0, 0, "message length 27 < IKE header 28" },
	{ "rfc7296_3_1 empty datagram", B_INIT, { { OP_TRUNC, 0 } },
	  IKE_E_TRUNC, 0, 0, "message length 0 < IKE header 28" },
	{ "rfc7296_2_5 version 3.0", B_INIT, { { OP_SET8, 17, 0x30 } },
	  IKE_E_VERSION, PP_IKE_N_INVALID_MAJOR_VERSION, 0,
	  "major version 3 != 2" },
	{ "rfc7296_2_5 version 1.0 (IKEv1) dropped", B_INIT,
	  { { OP_SET8, 17, 0x10 } }, IKE_E_VERSION, 0, 0,
	  "major version 1 != 2" },
	{ "rfc7296_3_1 zero SPIi", B_INIT,
	  { { OP_SET32, 0, 0 }, { OP_SET32, 4, 0 } }, IKE_E_SPI_ZERO, 0, 0,
	  "SPIi is 0" },
	{ "rfc7296_3_1 header length +1", B_INIT, { { OP_SET32, 24, 285 } },
	  IKE_E_HDR_LEN, 0, 0, "header length 285 != datagram length 284" },
	{ "rfc7296_3_1 header length -1", B_INIT, { { OP_SET32, 24, 283 } },
	  IKE_E_HDR_LEN, 0, 0, "header length 283 != datagram length 284" },
	{ "rfc7296_3_1 header length below 28", B_INIT,
	  { { OP_SET32, 24, 20 } }, IKE_E_HDR_LEN, 0, 0,
	  "header length 20 != datagram length 284" },
	{ "rfc7296_3_1 datagram one byte longer", B_INIT,
	  { { OP_APPEND, 1 } }, IKE_E_HDR_LEN, 0, 0,
	  "header length 284 != datagram length 285" },
	{ "rfc7296_3_1 datagram truncated", B_INIT, { { OP_TRUNC, 200 } },
	  IKE_E_HDR_LEN, 0, 0, "header length 284 != datagram length 200" },
	{ "rfc7296_3_2 SA payload length 3", B_INIT, { { OP_SET16, 30, 3 } },
	  IKE_E_PLD_LEN, PP_IKE_N_INVALID_SYNTAX, 33,
	  "SA(33) at offset 28: length 3 < 4" },
	{ "rfc7296_3_2 SA payload length 0", B_INIT, { { OP_SET16, 30, 0 } },
	  IKE_E_PLD_LEN, PP_IKE_N_INVALID_SYNTAX, 33, "length 0 < 4" },
	{ "rfc7296_3_2 KE payload length past the end", B_INIT,
	  { { OP_SET16, 122, 0xffff } }, IKE_E_PLD_LEN,
	  PP_IKE_N_INVALID_SYNTAX, 34,
	  "KE(34) at offset 120: length 65535 > 164 bytes left" },
	{ "rfc7296_3_2 last payload one byte too long", B_INIT,
	  { { OP_SET16, 266, 21 } }, IKE_E_PLD_LEN, PP_IKE_N_INVALID_SYNTAX,
	  43, "length 21 > 20 bytes left" },
	{ "rfc7296_3_2 last payload names a next one", B_INIT,
	  { { OP_SET8, 264, 33 } }, IKE_E_TRUNC, PP_IKE_N_INVALID_SYNTAX, 33,
	  "SA(33) at offset 284: generic header needs 4 bytes, 0 left" },
	{ "rfc7296_3_2 last payload one byte short", B_INIT,
	  { { OP_SET16, 266, 19 } }, IKE_E_TRAILING, PP_IKE_N_INVALID_SYNTAX,
	  0, "1 bytes after the last payload (offset 283 of 284)" },
	{ "rfc7296_3_2 chain ends before the last payload", B_INIT,
	  { { OP_SET8, 256, 0 } }, IKE_E_TRAILING, PP_IKE_N_INVALID_SYNTAX, 0,
	  "20 bytes after the last payload (offset 264 of 284)" },
	{ "rfc7296_3_2 cut inside a payload, length fixed", B_INIT,
	  { { OP_TRUNC_FIX, 200 } }, IKE_E_PLD_LEN, PP_IKE_N_INVALID_SYNTAX,
	  40, "Nonce(40) at offset 192: length 36 > 8 bytes left" },
	{ "rfc7296_3_2 cut at a payload boundary, length fixed", B_INIT,
	  { { OP_TRUNC_FIX, 228 } }, IKE_E_TRUNC, PP_IKE_N_INVALID_SYNTAX, 41,
	  "Notify(41) at offset 228: generic header needs 4 bytes, 0 left" },
	{ "rfc7296_3_2 cut inside a generic header, length fixed", B_INIT,
	  { { OP_TRUNC_FIX, 230 } }, IKE_E_TRUNC, PP_IKE_N_INVALID_SYNTAX, 41,
	  "needs 4 bytes, 2 left" },
	{ "rfc7296_2_5 unknown critical payload", B_INIT,
	  { { OP_SET8, 16, 49 }, { OP_SET8, 29, 0x80 } }, IKE_E_CRITICAL,
	  PP_IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, 49,
	  "unsupported critical payload type 49 at offset 28" },
	{ "rfc7296_2_5 unknown critical payload later in the chain", B_INIT,
	  { { OP_SET8, 192, 200 }, { OP_SET8, 229, 0xff } }, IKE_E_CRITICAL,
	  PP_IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, 200,
	  "unsupported critical payload type 200 at offset 228" },
	{ "rfc7296_3_14 SK not last", B_SK, { { OP_APPEND_FIX, 4 } },
	  IKE_E_SK_NOT_LAST, PP_IKE_N_INVALID_SYNTAX, 46,
	  "SK at offset 28 ends at 69, message has 73 bytes" },
	{ "rfc7296_3_14 SK shorter than the rest", B_SK,
	  { { OP_SET16, 30, 40 } }, IKE_E_SK_NOT_LAST, PP_IKE_N_INVALID_SYNTAX,
	  46, "ends at 68, message has 69 bytes" },
	{ "rfc7296_3_14 SK length past the end", B_SK, { { OP_SET16, 30, 42 } },
	  IKE_E_PLD_LEN, PP_IKE_N_INVALID_SYNTAX, 46,
	  "SK(46) at offset 28: length 42 > 41 bytes left" },
	{ "rfc7383_2_5 SKF not last", B_SKF, { { OP_APPEND_FIX, 8 } },
	  IKE_E_SK_NOT_LAST, PP_IKE_N_INVALID_SYNTAX, 53,
	  "SKF at offset 28 ends at 65, message has 73 bytes" },
};

static size_t base_msg(enum base b, uint8_t *out, size_t cap)
{
	switch (b) {
	case B_INIT:
		return compose(out, cap, g_init_hdr, init_parts, N_INIT_PARTS);
	case B_SK:
		return unhex(g_rfc7634_msg, out, cap);
	case B_SKF:
		return unhex(g_skf_msg, out, cap);
	}
	return 0;
}

static void test_rfc7296_3_malformed_messages_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(mcases) / sizeof(mcases[0]); i++) {
		const struct mcase *mc = &mcases[i];
		uint8_t buf[BUF_MAX] = { 0 };
		size_t len = base_msg(mc->base, buf, sizeof(buf));
		struct ike_msg m;
		uint8_t *p;
		int rc;

		for (size_t k = 0; k < 2; k++) {
			const struct mop *o = &mc->ops[k];

			switch (o->op) {
			case OP_NONE:
				break;
			case OP_SET8:
				buf[o->off] = (uint8_t)o->val;
				break;
			case OP_SET16:
				put16(buf + o->off, (uint16_t)o->val);
				break;
			case OP_SET32:
				put32(buf + o->off, o->val);
				break;
			case OP_TRUNC:
				len = o->off;
				break;
			case OP_TRUNC_FIX:
				len = o->off;
				put32(buf + 24, (uint32_t)len);
				break;
			case OP_APPEND:
				len += o->off;
				break;
			case OP_APPEND_FIX:
				len += o->off;
				put32(buf + 24, (uint32_t)len);
				break;
			}
		}
		p = dup_exact(buf, len);
		rc = ike_msg_parse(p, len, &m);
		if (rc != -EBADMSG || m.err.code != mc->code ||
		    m.err.notify != mc->notify || m.err.pld != mc->pld ||
		    !strstr(m.err.msg, mc->msg_has))
			fail_msg("%s: rc %d code %s notify %u pld %u msg '%s'",
				 mc->name, rc, ike_err_name(m.err.code),
				 m.err.notify, m.err.pld, m.err.msg);
		if (mc->code == IKE_E_CRITICAL) {
			assert_int_equal(m.err.notify_data_len, 1);
			assert_int_equal(m.err.notify_data[0], mc->pld);
		}
		free(p);
	}
}

/* §2.5: minor version ignored; §3.1: reserved flag bits ignored; §3.2:
 * the C bit of a known payload ignored, an unknown non-critical payload
 * recorded and skipped. */
static void test_rfc7296_2_5_tolerated_header_and_payload_bits(void **state)
{
	uint8_t buf[BUF_MAX];
	size_t len = base_msg(B_INIT, buf, sizeof(buf));
	struct ike_msg m;
	struct ike_perr e;

	(void)state;
	buf[17] = 0x21; /* version 2.1 */
	buf[19] = 0xff; /* every flag bit */
	buf[29] |= 0x80 | 0x7f; /* SA: C bit + reserved bits */
	buf[256] = 201; /* the second Notify now points to an unknown type */
	assert_int_equal(ike_msg_parse(buf, len, &m), 0);
	assert_int_equal(m.hdr.version, 0x21);
	assert_int_equal(m.hdr.flags, 0xff);
	assert_true(ike_hdr_is_response(&m.hdr));
	assert_true(m.chain.pld[0].critical);
	assert_true(m.chain.pld[0].known);
	assert_int_equal(m.chain.pld[0].flags, 0xff);
	assert_int_equal(m.chain.pld[5].type, 201);
	assert_false(m.chain.pld[5].known);
	assert_false(m.chain.pld[5].critical);
	/* R is set now: validate as an IKE_SA_INIT response (also fine) */
	assert_int_equal(ike_msg_validate(&m, &e), 0);
	assert_int_equal(ike_chain_check_bodies(&m.chain, false, &e), 0);
}

/* A chain of 64 payloads parses; 65 is refused. */
static void test_rfc7296_3_2_chain_length_bounded(void **state)
{
	for (unsigned int n = IKE_CHAIN_MAX; n <= IKE_CHAIN_MAX + 1; n++) {
		uint8_t buf[BUF_MAX];
		size_t len = unhex(g_init_hdr, buf, sizeof(buf));
		struct ike_msg m;
		int rc;

		(void)state;
		buf[16] = PP_IKE_PLD_NOTIFY;
		for (unsigned int i = 0; i < n; i++) {
			len += unhex(g_n_initial_contact, buf + len,
				     sizeof(buf) - len);
			buf[len - 8] = i + 1 < n ? PP_IKE_PLD_NOTIFY : 0;
		}
		put32(buf + 24, (uint32_t)len);
		rc = ike_msg_parse(buf, len, &m);
		if (n == IKE_CHAIN_MAX) {
			assert_int_equal(rc, 0);
			assert_int_equal(m.chain.n, IKE_CHAIN_MAX);
		} else {
			assert_int_equal(rc, -EBADMSG);
			assert_int_equal(m.err.code, IKE_E_CHAIN_LONG);
			assert_non_null(strstr(m.err.msg, "payload 65"));
			assert_non_null(strstr(m.err.msg, "limit 64"));
		}
	}
}

/* Decrypted chains: SK/SKF inside, empty chain, trailing bytes. */
static void test_rfc7296_3_14_inner_chain_rules(void **state)
{
	uint8_t buf[64] = { 0 };
	size_t len;
	struct ike_chain c;
	struct ike_perr e;

	(void)state;
	/* liveness check: nothing inside (§1.4) */
	assert_int_equal(ike_inner_parse(buf, 0, 0, &c, &e), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(ike_chain_validate(&c, PP_IKE_EXCH_INFORMATIONAL, true,
					    true, &e),
			 0);
	/* an SK payload inside SK */
	len = unhex("00000008 00000000", buf, sizeof(buf));
	assert_int_equal(ike_inner_parse(buf, len, PP_IKE_PLD_SK, &c, &e),
			 -EBADMSG);
	assert_int_equal(e.code, IKE_E_SK_INNER);
	assert_int_equal(ike_inner_parse(buf, len, PP_IKE_PLD_SKF, &c, &e),
			 -EBADMSG);
	assert_int_equal(e.code, IKE_E_SK_INNER);
	/* ... also as the second inner payload */
	len = unhex("2e000008 00004000 00000008 00000000", buf, sizeof(buf));
	assert_int_equal(ike_inner_parse(buf, len, PP_IKE_PLD_NOTIFY, &c, &e),
			 -EBADMSG);
	assert_int_equal(e.code, IKE_E_SK_INNER);
	assert_int_equal(e.off, 8);
	/* first type 0 but bytes present */
	assert_int_equal(ike_inner_parse(buf, 4, 0, &c, &e), -EBADMSG);
	assert_int_equal(e.code, IKE_E_TRAILING);
	assert_non_null(strstr(e.msg, "4 bytes after the last payload"));
	/* unknown critical inside */
	len = unhex("00800008 00000000", buf, sizeof(buf));
	assert_int_equal(ike_inner_parse(buf, len, 60, &c, &e), -EBADMSG);
	assert_int_equal(e.code, IKE_E_CRITICAL);
	assert_int_equal(e.notify, PP_IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);
	assert_int_equal(e.notify_data[0], 60);
}

/* ---------------------------------------------------------------------- */
/* Malformed bodies                                                       */
/* ---------------------------------------------------------------------- */

enum bkind {
	K_SA,
	K_SA_RESP,
	K_KE,
	K_NONCE,
	K_ID,
	K_CERT,
	K_CERTREQ,
	K_AUTH,
	K_NOTIFY,
	K_DELETE,
	K_VENDOR,
	K_TS,
	K_CP,
	K_EAP,
	K_SK_AEAD, /* IV 8, ICV 16, block 1 */
	K_SK_CBC,  /* IV 16, ICV 12, block 16 */
	K_SKF,	   /* IV 8, ICV 16, block 1, Next Payload 0 */
	K_SKF_NEXT /* ... Next Payload IDi */
};

struct bcase {
	const char *name;
	enum bkind kind;
	const char *hex;
	enum ike_err code; /* IKE_OK: must be accepted */
	const char *msg_has;
};

#define Z4 "00000000"
#define Z16 Z4 Z4 Z4 Z4
#define Z24 Z16 Z4 Z4
#define Z25 Z24 "00"
#define Z12 Z4 Z4 Z4

static const struct bcase bcases[] = {
	/* SA (§3.3) */
	{ "sa no proposal", K_SA, "", IKE_E_BODY_LEN, "body length 0" },
	{ "sa proposal header truncated", K_SA, "00000008 010100",
	  IKE_E_TRUNC, "proposal 1: header needs 8 bytes, 7 left" },
	{ "sa proposal length 7", K_SA, "00000007 01010001 00000008 0100000c",
	  IKE_E_SUB_LEN, "proposal 1: length 7 < 8" },
	{ "sa proposal length past the end", K_SA,
	  "00000011 01010001 00000008 0100000c", IKE_E_SUB_LEN,
	  "proposal 1: length 17 > 16 bytes left" },
	{ "sa proposal Last Substruc 1", K_SA,
	  "01000010 01010001 00000008 0100000c", IKE_E_LAST_FLAG,
	  "proposal 1: Last Substruc 1, not 0 or 2" },
	{ "sa more proposals announced, none follows", K_SA,
	  "02000010 01010001 00000008 0100000c", IKE_E_LAST_FLAG,
	  "proposal 1 (number 1) has Last Substruc 2 but no proposal follows" },
	{ "sa bytes after the last proposal", K_SA,
	  "00000010 01010001 00000008 0100000c"
	  "00000010 02010001 00000008 0100000c",
	  IKE_E_LAST_FLAG, "16 bytes after proposal 1" },
	{ "sa_proposal_numbering first is 2", K_SA,
	  "00000010 02010001 00000008 0100000c", IKE_E_PROP_NUM,
	  "proposal 1: number 2 != 1" },
	{ "sa_proposal_numbering second is 3", K_SA,
	  "02000010 01010001 00000008 0100000c"
	  "00000010 03010001 00000008 0100000c",
	  IKE_E_PROP_NUM, "proposal 2: number 3 != 2" },
	{ "sa_proposal_numbering response keeps accepted number", K_SA_RESP,
	  "00000010 03010001 00000008 0100000c", IKE_OK, NULL },
	{ "sa_proposal_numbering response number 0", K_SA_RESP,
	  "00000010 00010001 00000008 0100000c", IKE_E_PROP_NUM,
	  "number 0 < 1" },
	{ "sa response with two proposals", K_SA_RESP,
	  "02000010 01010001 00000008 0100000c"
	  "00000010 02010001 00000008 0100000c",
	  IKE_E_COUNT, "SA response: 2 proposals != 1" },
	{ "sa protocol 4", K_SA, "00000010 01040001 00000008 0100000c",
	  IKE_E_PROTOCOL, "protocol 4 not 1..3" },
	{ "sa protocol 0", K_SA, "00000010 01000001 00000008 0100000c",
	  IKE_E_PROTOCOL, "protocol 0 not 1..3" },
	{ "sa ESP SPI size 0", K_SA, "00000010 01030001 00000008 0100000c",
	  IKE_E_SPI_SIZE, "SPI size 0 for protocol 3, not 4" },
	{ "sa ESP SPI size 8", K_SA,
	  "00000018 01030801 11223344 55667788 00000008 0100000c",
	  IKE_E_SPI_SIZE, "SPI size 8 for protocol 3, not 4" },
	{ "sa AH SPI size 4", K_SA, "00000014 01020401 11223344 00000008 0300000c",
	  IKE_OK, NULL },
	{ "sa IKE SPI size 4", K_SA,
	  "00000014 01010401 11223344 00000008 0100000c", IKE_E_SPI_SIZE,
	  "SPI size 4 for IKE, not 0 or 8" },
	{ "sa IKE rekey SPI size 8", K_SA,
	  "00000018 01010801 11223344 55667788 00000008 0100000c", IKE_OK,
	  NULL },
	{ "sa proposal too short for its SPI", K_SA, "0000000a 01030401 1122",
	  IKE_E_SUB_LEN, "length 10 < 8 + SPI size 4" },
	{ "sa zero transforms", K_SA, "00000008 01010000", IKE_E_COUNT,
	  "proposal 1: 0 transforms" },
	{ "sa 3 transforms declared, 2 present", K_SA,
	  "00000018 01010003 03000008 0100000c 03000008 02000005",
	  IKE_E_COUNT, "3 transforms declared, length 24 holds 2" },
	{ "sa 1 transform declared, 2 present", K_SA,
	  "00000018 01010001 00000008 0100000c 00000008 02000005",
	  IKE_E_COUNT, "8 bytes after 1 transforms (length 24)" },
	{ "sa transform length 7", K_SA, "00000010 01010001 00000007 0100000c",
	  IKE_E_SUB_LEN, "transform 1: length 7 < 8" },
	{ "sa transform length past the proposal", K_SA,
	  "00000010 01010001 0000000c 0100000c", IKE_E_SUB_LEN,
	  "transform 1: length 12 > 8 bytes left" },
	{ "sa transform header truncated", K_SA, "0000000c 01010001 00000008",
	  IKE_E_SUB_LEN, "transform 1: header needs 8 bytes, 4 left" },
	{ "sa non-last transform marked last", K_SA,
	  "00000018 01010002 00000008 0100000c 00000008 02000005",
	  IKE_E_LAST_FLAG, "transform 1 of 2: Last Substruc 0 != 3" },
	{ "sa last transform marked more", K_SA,
	  "00000018 01010002 03000008 0100000c 03000008 02000005",
	  IKE_E_LAST_FLAG, "transform 2 of 2: Last Substruc 3 != 0" },
	{ "sa attribute truncated", K_SA,
	  "00000012 01010001 0000000a 0100000c 800e", IKE_E_SUB_LEN,
	  "attribute needs 4 bytes, 2 left" },
	{ "rfc7296_3_3_5 Key Length as TLV", K_SA,
	  "00000016 01010001 0000000e 0100000c 000e0002 0080", IKE_E_ATTR,
	  "Key Length as TLV (length 2), must be TV" },
	{ "rfc7296_3_3_5 Key Length twice", K_SA,
	  "00000018 01010001 00000010 0100000c 800e0080 800e0100", IKE_E_ATTR,
	  "second Key Length (256 after 128)" },
	{ "rfc7296_3_3_5 TLV attribute past the transform", K_SA,
	  "00000014 01010001 0000000c 0100000c 00110008", IKE_E_SUB_LEN,
	  "attribute 17 length 8 > 0 bytes left" },
	{ "rfc7296_3_3_5 unknown TV and TLV attributes", K_SA,
	  "0000001c 01010001 00000014 0100000c 80110005 00120004 deadbeef",
	  IKE_OK, NULL },
	/* KE (§3.4) */
	{ "ke body 3 bytes", K_KE, "001300", IKE_E_BODY_LEN,
	  "KE: body length 3 < 4" },
	{ "ke group 0", K_KE, "00000000 01", IKE_E_VALUE, "group 0 (NONE)" },
	{ "ke group 31 data 31 bytes", K_KE,
	  "001f0000" Z24 Z4 "000000", IKE_E_BODY_LEN,
	  "group 31 data length 31 != 32" },
	{ "ke group 31 data 33 bytes", K_KE, "001f0000" Z16 Z16 "00",
	  IKE_E_BODY_LEN, "group 31 data length 33 != 32" },
	{ "ke group 31 data 32 bytes", K_KE, "001f0000" Z16 Z16, IKE_OK,
	  NULL },
	{ "ke unknown group, no data", K_KE, "03e70000", IKE_E_BODY_LEN,
	  "group 999 data length 0 < 1" },
	{ "ke unknown group, some data", K_KE, "03e70000 01", IKE_OK, NULL },
	/* Nonce (§3.9) */
	{ "nonce 15 bytes", K_NONCE, "000102030405060708090a0b0c0d0e",
	  IKE_E_BODY_LEN, "Nonce: length 15 < 16" },
	{ "nonce 16 bytes", K_NONCE, Z16, IKE_OK, NULL },
	/* ID (§3.5) */
	{ "id body 3 bytes", K_ID, "010000", IKE_E_BODY_LEN,
	  "ID: body length 3 < 4" },
	{ "id type 0", K_ID, "00000000 01", IKE_E_VALUE, "type 0 is reserved" },
	{ "id IPv4 with 5 bytes", K_ID, "01000000 c000020101", IKE_E_BODY_LEN,
	  "type 1 data length 5 != 4" },
	{ "id IPv6 with 15 bytes", K_ID, "05000000" Z12 "000000",
	  IKE_E_BODY_LEN, "type 5 data length 15 != 16" },
	{ "id IPv6 with 16 bytes", K_ID, "05000000" Z16, IKE_OK, NULL },
	{ "id empty FQDN", K_ID, "02000000", IKE_E_BODY_LEN,
	  "type 2 data length 0 < 1" },
	{ "id ID_NULL empty", K_ID, "0d000000", IKE_OK, NULL },
	/* CERT / CERTREQ (§3.6, §3.7) */
	{ "cert empty", K_CERT, "", IKE_E_BODY_LEN, "CERT: body length 0 < 1" },
	{ "cert encoding 0", K_CERT, "00 01", IKE_E_VALUE,
	  "encoding 0 is reserved" },
	{ "cert no data", K_CERT, "04", IKE_E_BODY_LEN,
	  "CERT: data length 0 < 1" },
	{ "certreq 19-byte CA list", K_CERTREQ, "04" Z16 "000000",
	  IKE_E_BODY_LEN, "CA list length 19 not a multiple of 20" },
	{ "certreq empty CA list", K_CERTREQ, "04", IKE_OK, NULL },
	{ "certreq encoding 0", K_CERTREQ, "00", IKE_E_VALUE,
	  "CERTREQ: encoding 0 is reserved" },
	/* AUTH (§3.8) */
	{ "auth body 3 bytes", K_AUTH, "020000", IKE_E_BODY_LEN,
	  "AUTH: body length 3 < 4" },
	{ "auth method 0", K_AUTH, "00000000 01", IKE_E_VALUE,
	  "method 0 is reserved" },
	{ "auth no data", K_AUTH, "02000000", IKE_E_BODY_LEN,
	  "AUTH: data length 0 < 1" },
	/* Notify (§3.10) */
	{ "notify body 3 bytes", K_NOTIFY, "000040", IKE_E_BODY_LEN,
	  "Notify: body length 3 < 4" },
	{ "notify type 0", K_NOTIFY, "00000000", IKE_E_VALUE,
	  "type 0 is reserved" },
	{ "notify SPI size 4 with protocol IKE", K_NOTIFY,
	  "01044000 11223344", IKE_E_SPI_SIZE,
	  "SPI size 4 for protocol 1 (AH/ESP only)" },
	{ "notify SPI size 8 with protocol ESP", K_NOTIFY,
	  "03084000 11223344 55667788", IKE_E_SPI_SIZE,
	  "SPI size 8 for protocol 3 (IKE only)" },
	{ "notify SPI size 8 with protocol IKE tolerated", K_NOTIFY,
	  "01084000 11223344 55667788", IKE_OK, NULL },
	{ "notify SPI size 3", K_NOTIFY, "03034009 112233", IKE_E_SPI_SIZE,
	  "SPI size 3 not 0, 4 or 8" },
	{ "notify body shorter than its SPI", K_NOTIFY, "03044009 1122",
	  IKE_E_BODY_LEN, "body length 6 < 4 + SPI size 4" },
	{ "rfc7296_1_3_3 REKEY_SA without SPI", K_NOTIFY, "00004009",
	  IKE_E_SPI_SIZE, "REKEY_SA: SPI size 0 != 4" },
	{ "notify INVALID_KE_PAYLOAD 1 byte", K_NOTIFY, "00000011 13",
	  IKE_E_BODY_LEN, "Notify 17: data length 1 != 2" },
	{ "notify UNSUPPORTED_CRITICAL_PAYLOAD 2 bytes", K_NOTIFY,
	  "00000001 3100", IKE_E_BODY_LEN, "Notify 1: data length 2 != 1" },
	{ "notify SET_WINDOW_SIZE 3 bytes", K_NOTIFY, "00004001 000001",
	  IKE_E_BODY_LEN, "Notify 16385: data length 3 != 4" },
	{ "rfc7296_2_23 NAT_DETECTION 19 bytes", K_NOTIFY,
	  "00004005" Z16 "000000", IKE_E_BODY_LEN,
	  "Notify 16389: data length 19 != 20" },
	{ "rfc7296_2_6 COOKIE empty", K_NOTIFY, "00004006", IKE_E_BODY_LEN,
	  "Notify 16390: data length 0 not in 1..64" },
	{ "rfc7383_2_3 FRAGMENTATION_SUPPORTED with data", K_NOTIFY,
	  "0000402e 00", IKE_E_BODY_LEN, "Notify 16430: data length 1 != 0" },
	{ "rfc7427_4 SIGNATURE_HASH_ALGORITHMS odd", K_NOTIFY,
	  "0000402f 000200", IKE_E_BODY_LEN,
	  "Notify 16431: data length 3 not a multiple of 2" },
	{ "rfc7427_4 SIGNATURE_HASH_ALGORITHMS two IDs", K_NOTIFY,
	  "0000402f 00020003", IKE_OK, NULL },
	{ "notify unknown status with data", K_NOTIFY, "0000ffff 0102", IKE_OK,
	  NULL },
	/* Delete (§3.11) */
	{ "delete body 3 bytes", K_DELETE, "030400", IKE_E_BODY_LEN,
	  "Delete: body length 3 < 4" },
	{ "delete protocol 0", K_DELETE, "00040001 11223344", IKE_E_PROTOCOL,
	  "Delete: protocol 0 not 1..3" },
	{ "delete ESP SPI size 8", K_DELETE, "03080001 11223344 55667788",
	  IKE_E_SPI_SIZE, "SPI size 8 for protocol 3, want 4" },
	{ "delete IKE SPI size 4", K_DELETE, "01040000", IKE_E_SPI_SIZE,
	  "SPI size 4 for protocol 1, want 0" },
	{ "delete 2 SPIs declared, 1 present", K_DELETE, "03040002 11223344",
	  IKE_E_COUNT, "2 SPIs x 4 bytes = 8 != 4 bytes present" },
	{ "delete 1 SPI declared, 2 present", K_DELETE,
	  "03040001 11223344 55667788", IKE_E_COUNT,
	  "1 SPIs x 4 bytes = 4 != 8 bytes present" },
	{ "delete IKE SA with an SPI count", K_DELETE, "01000001", IKE_E_COUNT,
	  "Delete IKE SA: 1 SPIs, want 0" },
	{ "delete ESP with 0 SPIs", K_DELETE, "03040000", IKE_E_COUNT,
	  "protocol 3 with 0 SPIs" },
	{ "delete IKE SA with trailing byte", K_DELETE, "01000000 00",
	  IKE_E_COUNT, "0 SPIs x 0 bytes = 0 != 1 bytes present" },
	{ "delete AH one SPI", K_DELETE, "02040001 11223344", IKE_OK, NULL },
	/* Vendor ID (§3.12) */
	{ "vendor empty", K_VENDOR, "", IKE_E_BODY_LEN,
	  "VendorID: length 0 < 1" },
	/* TS (§3.13) */
	{ "ts body 3 bytes", K_TS, "010000", IKE_E_BODY_LEN,
	  "TS: body length 3 < 4" },
	{ "ts zero selectors", K_TS, "00000000", IKE_E_COUNT, "TS: 0 selectors" },
	{ "ts 2 declared, 1 present", K_TS,
	  "02000000 07000010 0000ffff 00000000 ffffffff", IKE_E_COUNT,
	  "2 selectors declared, body length 20 holds 1" },
	{ "ts 1 declared, 2 present", K_TS,
	  "01000000 07000010 0000ffff 00000000 ffffffff"
	  "07000010 0000ffff 00000000 ffffffff",
	  IKE_E_COUNT, "16 bytes after 1 selectors (body length 36)" },
	{ "ts type 9", K_TS, "01000000 09000010 0000ffff 00000000 ffffffff",
	  IKE_E_VALUE, "selector 1: type 9 not 7 or 8" },
	{ "ts IPv4 selector length 40", K_TS,
	  "01000000 07000028 0000ffff" Z16 Z16, IKE_E_SUB_LEN,
	  "selector 1: type 7 length 40 != 16" },
	{ "ts IPv6 selector length 16", K_TS,
	  "01000000 08000010 0000ffff 00000000 ffffffff", IKE_E_SUB_LEN,
	  "selector 1: type 8 length 16 != 40" },
	{ "ts IPv4 selector cut short", K_TS,
	  "01000000 07000010 0000ffff 00000000 ffff", IKE_E_SUB_LEN,
	  "selector 1: length 16 > 14 bytes left" },
	{ "ts selector header cut short", K_TS, "01000000 070000",
	  IKE_E_SUB_LEN, "selector 1: header needs 8 bytes, 3 left" },
	{ "rfc7296_3_13_1 start port > end port", K_TS,
	  "01000000 07060010 00640063 00000000 ffffffff", IKE_E_TS_RANGE,
	  "start port 100 > end port 99" },
	{ "rfc7296_3_13_1 OPAQUE ports 65535..0", K_TS,
	  "01000000 07060010 ffff0000 00000000 ffffffff", IKE_OK, NULL },
	{ "rfc7296_3_13_1 start address > end address", K_TS,
	  "01000000 07000010 0000ffff 0a000001 0a000000", IKE_E_TS_RANGE,
	  "start address > end address" },
	{ "rfc7296_3_13_1 IPv6 start address > end address", K_TS,
	  "01000000 08000028 0000ffff"
	  "20010db8 00000000 00000000 00000001"
	  "20010db8 00000000 00000000 00000000",
	  IKE_E_TS_RANGE, "start address > end address" },
	{ "rfc7296_3_13_1 single address, single port", K_TS,
	  "01000000 07110010 01f401f4 c0000201 c0000201", IKE_OK, NULL },
	/* CP (§3.15) */
	{ "cp body 3 bytes", K_CP, "010000", IKE_E_BODY_LEN,
	  "CP: body length 3 < 4" },
	{ "cp CFG type 0", K_CP, "00000000", IKE_E_VALUE, "CFG type 0 not 1..4" },
	{ "cp CFG type 5", K_CP, "05000000", IKE_E_VALUE, "CFG type 5 not 1..4" },
	{ "cp attribute header cut short", K_CP, "01000000 0001", IKE_E_SUB_LEN,
	  "attribute 1: header needs 4 bytes, 2 left" },
	{ "cp attribute value past the end", K_CP, "02000000 00010004 0a01",
	  IKE_E_SUB_LEN, "attribute 1 (type 1): length 4 > 2 bytes left" },
	{ "rfc7296_3_15_1 INTERNAL_IP4_ADDRESS 3 bytes", K_CP,
	  "02000000 00010003 0a0100", IKE_E_ATTR,
	  "attribute 1 (type 1): length 3, want 0 or 4" },
	{ "rfc7296_3_15_1 INTERNAL_IP6_ADDRESS 16 bytes", K_CP,
	  "02000000 00080010" Z16, IKE_E_ATTR, "length 16, want 0 or 17" },
	{ "rfc7296_3_15_1 INTERNAL_IP4_SUBNET 4 bytes", K_CP,
	  "02000000 000d0004 0a000000", IKE_E_ATTR, "length 4, want 0 or 8" },
	{ "rfc7296_3_15_1 SUPPORTED_ATTRIBUTES odd", K_CP,
	  "02000000 000e0003 000100", IKE_E_ATTR,
	  "length 3, want a multiple of 2" },
	{ "rfc7296_3_15_1 INTERNAL_IP6_DNS 4 bytes", K_CP,
	  "02000000 000a0004 00000000", IKE_E_ATTR, "length 4, want 0 or 16" },
	{ "rfc7296_3_15_1 R bit ignored", K_CP, "02000000 80010004 0a010002",
	  IKE_OK, NULL },
	{ "rfc7296_3_15 CFG_ACK without attributes", K_CP, "04000000", IKE_OK,
	  NULL },
	{ "rfc7296_3_15_1 APPLICATION_VERSION any length", K_CP,
	  "01000000 00070005 6869212121", IKE_OK, NULL },
	{ "rfc7296_3_15_1 unknown attribute any length", K_CP,
	  "01000000 7fff0001 00", IKE_OK, NULL },
	/* EAP (§3.16, RFC 3748 §4) */
	{ "eap body 3 bytes", K_EAP, "020100", IKE_E_BODY_LEN,
	  "EAP: body length 3 < 4" },
	{ "eap length field != body", K_EAP, "02010008 01757365 72",
	  IKE_E_SUB_LEN, "length field 8 != body length 9" },
	{ "eap response without Type", K_EAP, "02010004", IKE_E_BODY_LEN,
	  "EAP code 2: length 4 < 5 (no Type)" },
	{ "eap success with data", K_EAP, "03020005 00", IKE_E_BODY_LEN,
	  "EAP code 3: length 5 != 4" },
	{ "eap code 5", K_EAP, "05020004", IKE_E_VALUE, "code 5 not 1..4" },
	{ "eap request identity, empty", K_EAP, "01010005 01", IKE_OK, NULL },
	/* SK (§3.14) */
	{ "sk AEAD 24 bytes", K_SK_AEAD, Z24, IKE_E_SK_LEN,
	  "SK: 24 bytes < IV 8 + 1 + ICV 16" },
	{ "sk AEAD 25 bytes", K_SK_AEAD, Z25, IKE_OK, NULL },
	{ "sk CBC ciphertext 15 bytes", K_SK_CBC, Z16 "000000" Z12 Z12,
	  IKE_E_SK_LEN, "SK: encrypted length 15 not a multiple of block 16" },
	{ "sk CBC ciphertext 16 bytes", K_SK_CBC, Z16 Z16 Z12, IKE_OK, NULL },
	{ "sk CBC no ciphertext", K_SK_CBC, Z16 Z12, IKE_E_SK_LEN,
	  "SK: 28 bytes < IV 16 + 1 + ICV 12" },
	/* SKF (RFC 7383 §2.5) */
	{ "skf body 3 bytes", K_SKF, "000100", IKE_E_BODY_LEN,
	  "SKF: body length 3 < 4" },
	{ "rfc7383_2_5 Total Fragments 0", K_SKF, "00010000" Z25, IKE_E_FRAG,
	  "SKF: Total Fragments 0" },
	{ "rfc7383_2_5 Fragment Number 0", K_SKF, "00000002" Z25, IKE_E_FRAG,
	  "Fragment Number 0 not in 1..2" },
	{ "rfc7383_2_5 Fragment Number > Total", K_SKF, "00030002" Z25,
	  IKE_E_FRAG, "Fragment Number 3 not in 1..2" },
	{ "rfc7383_2_5 non-first fragment with Next Payload", K_SKF_NEXT,
	  "00020002" Z25, IKE_E_FRAG, "fragment 2 has Next Payload 35, not 0" },
	{ "rfc7383_2_5 first fragment with Next Payload", K_SKF_NEXT,
	  "00010002" Z25, IKE_OK, NULL },
	{ "rfc7383_2_5 last fragment", K_SKF, "00020002" Z25, IKE_OK, NULL },
	{ "rfc7383_2_5 fragment too short", K_SKF, "00020002" Z24,
	  IKE_E_SK_LEN, "SKF: 24 bytes < IV 8 + 1 + ICV 16" },
};

/* Run the validate and the parse function of @kind; they must agree. */
static int body_check(enum bkind kind, const uint8_t *b, size_t len,
		      struct ike_perr *e)
{
	struct ike_perr e2;
	int rv, rp;

	switch (kind) {
	case K_SA:
	case K_SA_RESP: {
		static struct ike_sa sa;
		unsigned int f = kind == K_SA_RESP ? IKE_SA_F_RESPONSE : 0;

		rv = ike_sa_validate(b, len, f, e);
		rp = ike_sa_parse(b, len, f, &sa, &e2);
		break;
	}
	case K_KE: {
		struct ike_ke o;

		rv = ike_ke_validate(b, len, e);
		rp = ike_ke_parse(b, len, &o, &e2);
		break;
	}
	case K_NONCE: {
		struct ike_nonce o;

		rv = ike_nonce_validate(b, len, e);
		rp = ike_nonce_parse(b, len, &o, &e2);
		break;
	}
	case K_ID: {
		struct ike_id o;

		rv = ike_id_validate(b, len, e);
		rp = ike_id_parse(b, len, &o, &e2);
		break;
	}
	case K_CERT: {
		struct ike_cert o;

		rv = ike_cert_validate(b, len, e);
		rp = ike_cert_parse(b, len, &o, &e2);
		break;
	}
	case K_CERTREQ: {
		struct ike_cert o;

		rv = ike_certreq_validate(b, len, e);
		rp = ike_certreq_parse(b, len, &o, &e2);
		break;
	}
	case K_AUTH: {
		struct ike_auth o;

		rv = ike_auth_validate(b, len, e);
		rp = ike_auth_parse(b, len, &o, &e2);
		break;
	}
	case K_NOTIFY: {
		struct ike_notify o;

		rv = ike_notify_validate(b, len, e);
		rp = ike_notify_parse(b, len, &o, &e2);
		break;
	}
	case K_DELETE: {
		struct ike_delete o;

		rv = ike_delete_validate(b, len, e);
		rp = ike_delete_parse(b, len, &o, &e2);
		break;
	}
	case K_VENDOR: {
		struct ike_vendor o;

		rv = ike_vendor_validate(b, len, e);
		rp = ike_vendor_parse(b, len, &o, &e2);
		break;
	}
	case K_TS: {
		static struct ike_ts o;

		rv = ike_ts_validate(b, len, e);
		rp = ike_ts_parse(b, len, &o, &e2);
		break;
	}
	case K_CP: {
		static struct ike_cp o;

		rv = ike_cp_validate(b, len, e);
		rp = ike_cp_parse(b, len, &o, &e2);
		break;
	}
	case K_EAP: {
		struct ike_eap o;

		rv = ike_eap_validate(b, len, e);
		rp = ike_eap_parse(b, len, &o, &e2);
		break;
	}
	case K_SK_AEAD:
	case K_SK_CBC: {
		struct ike_sk o;
		size_t iv = kind == K_SK_AEAD ? 8 : 16;
		size_t icv = kind == K_SK_AEAD ? 16 : 12;
		size_t blk = kind == K_SK_AEAD ? 1 : 16;

		rv = ike_sk_validate(b, len, iv, icv, blk, e);
		rp = ike_sk_parse(b, len, iv, icv, blk, &o, &e2);
		break;
	}
	case K_SKF:
	case K_SKF_NEXT: {
		struct ike_sk o;
		uint8_t next = kind == K_SKF_NEXT ? PP_IKE_PLD_IDI : 0;

		rv = ike_skf_validate(b, len, next, 8, 16, 1, e);
		rp = ike_skf_parse(b, len, next, 8, 16, 1, &o, &e2);
		break;
	}
	default:
		fail();
	}
	assert_int_equal(rv, rp);
	if (rv)
		assert_int_equal(e->code, e2.code);
	return rv;
}

static void test_rfc7296_3_malformed_bodies_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bcases) / sizeof(bcases[0]); i++) {
		const struct bcase *bc = &bcases[i];
		uint8_t buf[BUF_MAX];
		size_t len = unhex(bc->hex, buf, sizeof(buf));
		uint8_t *p = dup_exact(buf, len);
		struct ike_perr e;
		int rc = body_check(bc->kind, len ? p : NULL, len, &e);

		if (bc->code == IKE_OK) {
			if (rc)
				fail_msg("%s: rejected: %s", bc->name, e.msg);
		} else if (rc != -EBADMSG || e.code != bc->code ||
			   e.notify != PP_IKE_N_INVALID_SYNTAX ||
			   !strstr(e.msg, bc->msg_has)) {
			fail_msg("%s: rc %d code %s notify %u msg '%s'",
				 bc->name, rc, ike_err_name(e.code), e.notify,
				 e.msg);
		}
		free(p);
	}
}

/* An SA body built from one proposal repeated / with many transforms. */
static size_t sa_body(uint8_t *out, unsigned int n_prop, unsigned int n_xf)
{
	size_t len = 0;

	for (unsigned int i = 0; i < n_prop; i++) {
		size_t plen = 8 + 8 * (size_t)n_xf;

		out[len] = i + 1 < n_prop ? 2 : 0;
		out[len + 1] = 0;
		put16(out + len + 2, (uint16_t)plen);
		out[len + 4] = (uint8_t)(i + 1);
		out[len + 5] = PP_IKE_PROTO_IKE;
		out[len + 6] = 0;
		out[len + 7] = (uint8_t)n_xf;
		for (unsigned int k = 0; k < n_xf; k++) {
			uint8_t *x = out + len + 8 + 8 * k;

			x[0] = k + 1 < n_xf ? 3 : 0;
			x[1] = 0;
			put16(x + 2, 8);
			x[4] = PP_IKE_TRANSFORM_DH;
			x[5] = 0;
			put16(x + 6, (uint16_t)k);
		}
		len += plen;
	}
	return len;
}

/* Limits of the parsed structures, and the lengths given as ranges. */
static void test_rfc7296_3_body_limits_and_ranges(void **state)
{
	static uint8_t b[BUF_MAX * 4];
	static struct ike_sa sa;
	static struct ike_ts ts;
	static struct ike_cp cp;
	struct ike_perr e;
	size_t len;

	(void)state;
	len = sa_body(b, IKE_SA_MAX_PROPOSALS, 2);
	assert_int_equal(ike_sa_parse(b, len, 0, &sa, &e), 0);
	assert_int_equal(sa.n_proposals, IKE_SA_MAX_PROPOSALS);
	len = sa_body(b, IKE_SA_MAX_PROPOSALS + 1, 2);
	assert_int_equal(ike_sa_validate(b, len, 0, &e), -EBADMSG);
	assert_int_equal(e.code, IKE_E_LIMIT);
	assert_non_null(strstr(e.msg, "proposal 17 > limit 16"));
	len = sa_body(b, 1, IKE_PROP_MAX_TRANSFORMS);
	assert_int_equal(ike_sa_parse(b, len, 0, &sa, &e), 0);
	assert_int_equal(sa.prop[0].n_transforms, IKE_PROP_MAX_TRANSFORMS);
	assert_int_equal(sa.prop[0].xf[63].id, 63);
	len = sa_body(b, 1, IKE_PROP_MAX_TRANSFORMS + 1);
	assert_int_equal(ike_sa_parse(b, len, 0, &sa, &e), -EBADMSG);
	assert_int_equal(e.code, IKE_E_LIMIT);
	assert_non_null(strstr(e.msg, "65 transforms > limit 64"));

	/* unknown attributes are counted (§3.3.6: engine rejects) */
	len = unhex("0000001c 01010001 00000014 0100000c 80110005 00120004 "
		    "deadbeef",
		    b, sizeof(b));
	assert_int_equal(ike_sa_parse(b, len, 0, &sa, &e), 0);
	assert_int_equal(sa.prop[0].xf[0].n_unknown_attrs, 2);
	assert_false(sa.prop[0].xf[0].has_key_len);

	/* Nonce 16..256 (§3.9) */
	memset(b, 0x5a, 300);
	assert_int_equal(ike_nonce_validate(b, 256, &e), 0);
	assert_int_equal(ike_nonce_validate(b, 257, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "length 257 > 256"));
	/* COOKIE 1..64 (§2.6) */
	len = unhex("00004006", b, sizeof(b));
	memset(b + len, 0x11, 65);
	assert_int_equal(ike_notify_validate(b, len + 64, &e), 0);
	assert_int_equal(ike_notify_validate(b, len + 65, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "data length 65 not in 1..64"));

	/* TS: 32 selectors fit, 33 do not */
	for (unsigned int n = IKE_TS_MAX; n <= IKE_TS_MAX + 1; n++) {
		b[0] = (uint8_t)n;
		b[1] = b[2] = b[3] = 0;
		len = 4;
		for (unsigned int i = 0; i < n; i++)
			len += unhex("07000010 0000ffff 00000000 ffffffff",
				     b + len, sizeof(b) - len);
		if (n == IKE_TS_MAX) {
			assert_int_equal(ike_ts_parse(b, len, &ts, &e), 0);
			assert_int_equal(ts.n, IKE_TS_MAX);
		} else {
			assert_int_equal(ike_ts_parse(b, len, &ts, &e),
					 -EBADMSG);
			assert_int_equal(e.code, IKE_E_LIMIT);
		}
	}
	/* CP: 32 attributes fit, 33 do not; the R bit is masked off */
	for (unsigned int n = IKE_CP_MAX_ATTRS; n <= IKE_CP_MAX_ATTRS + 1;
	     n++) {
		len = unhex("01000000", b, sizeof(b));
		for (unsigned int i = 0; i < n; i++)
			len += unhex("80030000", b + len, sizeof(b) - len);
		if (n == IKE_CP_MAX_ATTRS) {
			assert_int_equal(ike_cp_parse(b, len, &cp, &e), 0);
			assert_int_equal(cp.n, IKE_CP_MAX_ATTRS);
			assert_int_equal(cp.attr[0].type,
					 PP_IKE_CP_INTERNAL_IP4_DNS);
		} else {
			assert_int_equal(ike_cp_parse(b, len, &cp, &e),
					 -EBADMSG);
			assert_int_equal(e.code, IKE_E_LIMIT);
			assert_non_null(strstr(e.msg, "attribute 33 > limit 32"));
		}
	}
}

/* Pad Length after decryption (§3.14). */
static void test_rfc7296_3_14_sk_unpad(void **state)
{
	uint8_t p[20] = { 0 };
	size_t inner;
	struct ike_perr e;

	(void)state;
	p[15] = 3;
	assert_int_equal(ike_sk_unpad(p, 16, &inner, &e), 0);
	assert_int_equal(inner, 12);
	p[15] = 15;
	assert_int_equal(ike_sk_unpad(p, 16, &inner, &e), 0);
	assert_int_equal(inner, 0);
	p[15] = 16;
	assert_int_equal(ike_sk_unpad(p, 16, &inner, &e), -EBADMSG);
	assert_int_equal(e.code, IKE_E_PAD);
	assert_non_null(strstr(e.msg, "Pad Length 16 + 1 > plaintext length 16"));
	assert_int_equal(ike_sk_unpad(p, 0, &inner, &e), -EBADMSG);
	assert_int_equal(e.code, IKE_E_PAD);
}

/* Header-level parse with the chain's offsets rebased for body errors. */
static void test_rfc7296_3_body_error_offsets_are_message_offsets(void **state)
{
	uint8_t buf[BUF_MAX];
	size_t len = base_msg(B_INIT, buf, sizeof(buf));
	struct ike_msg m;
	struct ike_perr e;

	(void)state;
	buf[120 + 4 + 1] = 0x14; /* KE group 19 -> 20: data 64 != 96 */
	assert_int_equal(ike_msg_parse(buf, len, &m), 0);
	assert_int_equal(ike_chain_check_bodies(&m.chain, false, &e), -EBADMSG);
	assert_int_equal(e.code, IKE_E_BODY_LEN);
	assert_int_equal(e.pld, PP_IKE_PLD_KE);
	assert_int_equal(e.off, 124 + 4);
	assert_non_null(strstr(e.msg, "group 20 data length 64 != 96"));
}

/* ---------------------------------------------------------------------- */
/* Generator                                                              */
/* ---------------------------------------------------------------------- */

static const struct ike_hdr init_hdr = {
	.spi_i = 0x0102030405060708ull,
	.next = 0,
	.version = PP_IKE_VERSION,
	.exchange = PP_IKE_EXCH_IKE_SA_INIT,
	.flags = PP_IKE_FLAG_I,
};

/* The IKE_SA_INIT golden message, from hand-written structures. */
static int build_init(uint8_t *buf, size_t cap, size_t *len)
{
	static struct ike_sa sa;
	uint8_t ke_data[64], nonce[32], natd[20], vid[16];
	struct ike_ke ke = { PP_IKE_DH_ECP256, ke_data, sizeof(ke_data) };
	struct ike_notify n1 = { .type = PP_IKE_N_NAT_DETECTION_SOURCE_IP,
				 .data = natd, .len = sizeof(natd) };
	struct ike_notify n2 = { .type =
					 PP_IKE_N_IKEV2_FRAGMENTATION_SUPPORTED };
	struct ike_gen g;

	expect_sa_ike(&sa);
	unhex("DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
	      "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
	      ke_data, sizeof(ke_data));
	for (unsigned int i = 0; i < 32; i++)
		nonce[i] = (uint8_t)i;
	for (unsigned int i = 0; i < 20; i++)
		natd[i] = (uint8_t)(0xc1 + i);
	unhex("882fe56d6fd20dbc2251613b2ebe5beb", vid, sizeof(vid));

	ike_gen_init(&g, buf, cap, &init_hdr);
	ike_gen_sa(&g, &sa);
	ike_gen_ke(&g, &ke);
	ike_gen_nonce(&g, nonce, sizeof(nonce));
	ike_gen_notify(&g, &n1);
	ike_gen_notify(&g, &n2);
	ike_gen_vendor(&g, vid, sizeof(vid));
	return ike_gen_finish(&g, len);
}

/* -ENOSPC for every buffer size below the message, nothing written past
 * the buffer, exact bytes at the exact size. */
static void test_gen_enospc_at_every_buffer_size(void **state)
{
	uint8_t want[BUF_MAX], buf[BUF_MAX + 16];
	size_t wlen = compose(want, sizeof(want), g_init_hdr, init_parts,
			      N_INIT_PARTS),
	       len = 0;

	(void)state;
	for (size_t cap = 0; cap < wlen; cap++) {
		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(build_init(buf, cap, &len), -ENOSPC);
		for (size_t i = cap; i < sizeof(buf); i++)
			if (buf[i] != 0xa5)
				fail_msg("cap %zu: byte %zu written", cap, i);
	}
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(build_init(buf, wlen, &len), 0);
	assert_bytes(buf, len, want, wlen);
	assert_int_equal(buf[wlen], 0xa5);
}

/* The generator refuses what its parser would refuse, and stays failed. */
static void test_gen_refuses_invalid_bodies_and_misuse(void **state)
{
	static uint8_t big[70000], out[70000];
	uint8_t buf[BUF_MAX];
	struct ike_gen g;
	struct ike_ts ts;
	struct ike_cp cp;
	struct ike_sk_layout lay;
	struct ike_msg m;
	size_t len;

	(void)state;
	/* Headers the parser would refuse: SPIi 0, version 3.0, reserved
	 * flag bits (§3.1) */
	{
		struct ike_hdr h = init_hdr;

		h.spi_i = 0;
		assert_int_equal(ike_gen_init(&g, buf, sizeof(buf), &h),
				 -EINVAL);
		assert_int_equal(ike_gen_finish(&g, &len), -EINVAL);
		h = init_hdr;
		h.version = 0x30;
		assert_int_equal(ike_gen_init(&g, buf, sizeof(buf), &h),
				 -EINVAL);
		h = init_hdr;
		h.flags |= 0x01;
		assert_int_equal(ike_gen_init(&g, buf, sizeof(buf), &h),
				 -EINVAL);
	}

	/* Nonce of 15 bytes (§3.9): -EINVAL, sticky */
	ike_gen_init(&g, buf, sizeof(buf), &init_hdr);
	assert_int_equal(ike_gen_nonce(&g, big, 15), -EINVAL);
	assert_int_equal(ike_gen_vendor(&g, big, 4), -EINVAL);
	assert_int_equal(ike_gen_finish(&g, &len), -EINVAL);

	/* TS start > end */
	memset(&ts, 0, sizeof(ts));
	ts.n = 1;
	ts_sel(&ts.sel[0], PP_IKE_TS_IPV4_ADDR_RANGE, 0, 10, 9, "00000000",
	       "ffffffff");
	ike_gen_init(&g, buf, sizeof(buf), &init_hdr);
	assert_int_equal(ike_gen_ts(&g, PP_IKE_PLD_TSI, &ts), -EINVAL);
	/* TS into a non-TS payload type */
	ts.sel[0].start_port = 0;
	ike_gen_init(&g, buf, sizeof(buf), &init_hdr);
	assert_int_equal(ike_gen_ts(&g, PP_IKE_PLD_SA, &ts), -EINVAL);

	/* ID_IPV4_ADDR with 5 bytes; ID into a non-ID payload type */
	ike_gen_init(&g, buf, sizeof(buf), &init_hdr);
	assert_int_equal(ike_gen_id(&g, PP_IKE_PLD_IDI,
				    &(struct ike_id){ 1, big, 5 }),
			 -EINVAL);
	ike_gen_init(&g, buf, sizeof(buf), &init_hdr);
	assert_int_equal(ike_gen_id(&g, PP_IKE_PLD_AUTH,
				    &(struct ike_id){ 1, big, 4 }),
			 -EINVAL);

	/* CP attribute with the R bit */
	memset(&cp, 0, sizeof(cp));
	cp.cfg_type = PP_IKE_CFG_REQUEST;
	cp.n = 1;
	cp.attr[0].type = 0x8001;
	ike_gen_init(&g, buf, sizeof(buf), &init_hdr);
	assert_int_equal(ike_gen_cp(&g, &cp), -EINVAL);

	/* Payload length limit: body 65531 fits (65535), 65532 does not */
	memset(big, 0x42, sizeof(big));
	ike_gen_init(&g, out, sizeof(out), &init_hdr);
	assert_int_equal(ike_gen_vendor(&g, big, 65531), 0);
	assert_int_equal(ike_gen_finish(&g, &len), 0);
	assert_int_equal(ike_msg_parse(out, len, &m), 0);
	assert_int_equal(m.chain.pld[0].body_len, 65531);
	ike_gen_init(&g, out, sizeof(out), &init_hdr);
	assert_int_equal(ike_gen_vendor(&g, big, 65532), -EMSGSIZE);

	/* At most IKE_CHAIN_MAX payloads per chain */
	ike_gen_init(&g, buf, sizeof(buf), &init_hdr);
	for (unsigned int i = 0; i < IKE_CHAIN_MAX; i++)
		assert_int_equal(ike_gen_vendor(&g, big, 1), 0);
	assert_int_equal(ike_gen_vendor(&g, big, 1), -EMSGSIZE);

	/* SK misuse: nothing after SK, no SK in SK, no raw SK, no put in SK,
	 * no finish with SK open */
	ike_gen_init(&g, buf, sizeof(buf), &init_hdr);
	assert_int_equal(ike_gen_sk_begin(&g, 8), 0);
	assert_int_equal(ike_gen_sk_put(&g, big, 4), -EINVAL);
	ike_gen_init(&g, buf, sizeof(buf), &init_hdr);
	assert_int_equal(ike_gen_sk_begin(&g, 8), 0);
	assert_int_equal(ike_gen_sk_begin(&g, 8), -EINVAL);
	ike_gen_init(&g, buf, sizeof(buf), &init_hdr);
	assert_int_equal(ike_gen_sk_begin(&g, 8), 0);
	assert_int_equal(ike_gen_finish(&g, &len), -EINVAL);
	ike_gen_init(&g, buf, sizeof(buf), &init_hdr);
	assert_int_equal(ike_gen_sk_begin(&g, 8), 0);
	assert_int_equal(ike_gen_sk_end(&g, 1, 16, &lay), 0);
	assert_int_equal(ike_gen_vendor(&g, big, 4), -EINVAL);
	ike_gen_init(&g, buf, sizeof(buf), &init_hdr);
	assert_int_equal(ike_gen_raw(&g, PP_IKE_PLD_SK, false, big, 30),
			 -EINVAL);
	ike_gen_init(&g, buf, sizeof(buf), &init_hdr);
	assert_int_equal(ike_gen_sk_end(&g, 1, 16, &lay), -EINVAL);
	/* SKF: counters checked, no payload calls inside */
	ike_gen_init(&g, buf, sizeof(buf), &init_hdr);
	assert_int_equal(ike_gen_skf_begin(&g, 35, 0, 2, 8), -EINVAL);
	ike_gen_init(&g, buf, sizeof(buf), &init_hdr);
	assert_int_equal(ike_gen_skf_begin(&g, 35, 3, 2, 8), -EINVAL);
	ike_gen_init(&g, buf, sizeof(buf), &init_hdr);
	assert_int_equal(ike_gen_skf_begin(&g, 35, 2, 2, 8), 0);
	assert_int_equal(buf[28], 0); /* Next Payload 0 after fragment 1 */
	assert_int_equal(ike_gen_vendor(&g, big, 4), -EINVAL);

	/* §3.10: Protocol ID is written 0 when there is no SPI */
	ike_gen_init(&g, buf, sizeof(buf), &init_hdr);
	assert_int_equal(ike_gen_notify(&g, &(struct ike_notify){
						   .protocol = 3,
						   .type = 16384 }),
			 0);
	assert_int_equal(ike_gen_finish(&g, &len), 0);
	assert_int_equal(buf[32], 0);

	/* A raw unknown payload with the C bit: the parser rejects it */
	ike_gen_init(&g, buf, sizeof(buf), &init_hdr);
	assert_int_equal(ike_gen_raw(&g, 99, true, big, 3), 0);
	assert_int_equal(ike_gen_finish(&g, &len), 0);
	assert_int_equal(ike_msg_parse(buf, len, &m), -EBADMSG);
	assert_int_equal(m.err.code, IKE_E_CRITICAL);
	assert_int_equal(m.err.notify_data[0], 99);
	ike_gen_init(&g, buf, sizeof(buf), &init_hdr);
	assert_int_equal(ike_gen_raw(&g, 99, false, big, 3), 0);
	assert_int_equal(ike_gen_finish(&g, &len), 0);
	assert_int_equal(ike_msg_parse(buf, len, &m), 0);
	assert_int_equal(m.chain.pld[0].type, 99);
}

/*
 * SK framing (§3.14) for a block cipher and for AEAD: the plaintext (inner
 * payloads + padding + Pad Length) is whole blocks, the layout agrees with
 * what the parser finds, the padding strips back to the inner chain.
 */
static void test_rfc7296_3_14_gen_sk_padding_and_layout(void **state)
{
	static const struct {
		size_t iv, icv, block;
	} suites[] = { { 16, 12, 16 }, { 16, 16, 16 }, { 8, 16, 1 },
		       { 8, 16, 8 } };

	(void)state;
	for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++)
		for (size_t v = 1; v <= 40; v++) {
			uint8_t buf[BUF_MAX], vid[64];
			struct ike_hdr h = init_hdr;
			struct ike_gen g;
			struct ike_sk_layout lay, play;
			struct ike_msg m;
			struct ike_chain c;
			struct ike_perr e;
			size_t len, inner, pad;

			memset(vid, (int)v, sizeof(vid));
			h.exchange = PP_IKE_EXCH_INFORMATIONAL;
			h.msg_id = 7;
			ike_gen_init(&g, buf, sizeof(buf), &h);
			assert_int_equal(ike_gen_sk_begin(&g, suites[s].iv), 0);
			assert_int_equal(ike_gen_vendor(&g, vid, v), 0);
			assert_int_equal(ike_gen_sk_end(&g, suites[s].block,
							suites[s].icv, &lay),
					 0);
			assert_int_equal(ike_gen_finish(&g, &len), 0);
			assert_int_equal(lay.ct_len % suites[s].block, 0);
			assert_true(lay.ct_len >= 4 + v + 1);
			pad = lay.ct_len - (4 + v) - 1;
			assert_true(pad < suites[s].block);
			assert_int_equal(buf[lay.ct_off + lay.ct_len - 1], pad);
			assert_int_equal(lay.icv_off + lay.icv_len, len);
			assert_int_equal(lay.aad_len, 32);
			assert_int_equal(lay.iv_len, suites[s].iv);
			assert_int_equal(lay.first, PP_IKE_PLD_VENDOR);

			assert_int_equal(ike_msg_parse(buf, len, &m), 0);
			assert_int_equal(m.hdr.length, len);
			assert_int_equal(ike_msg_validate(&m, &e), 0);
			assert_int_equal(ike_msg_sk(&m, suites[s].iv,
						    suites[s].icv,
						    suites[s].block, &play, &e),
					 0);
			assert_memory_equal(&play, &lay, sizeof(lay));
			assert_int_equal(ike_sk_unpad(buf + lay.ct_off,
						      lay.ct_len, &inner, &e),
					 0);
			assert_int_equal(inner, 4 + v);
			assert_int_equal(ike_inner_parse(buf + lay.ct_off, inner,
							 lay.first, &c, &e),
					 0);
			assert_int_equal(c.n, 1);
			assert_int_equal(c.pld[0].body_len, v);
			assert_int_equal(ike_chain_validate(
						 &c, PP_IKE_EXCH_INFORMATIONAL,
						 false, true, &e),
					 0);
		}
}

/* Parse every payload of @c and feed its structure to the generator. */
static void regen_payload(struct ike_gen *g, const struct ike_chain *c,
			  unsigned int i)
{
	static struct ike_sa sa;
	static struct ike_ts ts;
	static struct ike_cp cp;
	const uint8_t *b = ike_pld_body(c, i);
	size_t l = c->pld[i].body_len;
	uint8_t t = c->pld[i].type;
	union {
		struct ike_ke ke;
		struct ike_nonce no;
		struct ike_id id;
		struct ike_cert cert;
		struct ike_auth auth;
		struct ike_notify n;
		struct ike_delete d;
		struct ike_vendor v;
		struct ike_eap eap;
	} u;

	switch (t) {
	case PP_IKE_PLD_SA:
		assert_int_equal(ike_sa_parse(b, l, 0, &sa, NULL), 0);
		assert_int_equal(ike_gen_sa(g, &sa), 0);
		break;
	case PP_IKE_PLD_KE:
		assert_int_equal(ike_ke_parse(b, l, &u.ke, NULL), 0);
		assert_int_equal(ike_gen_ke(g, &u.ke), 0);
		break;
	case PP_IKE_PLD_IDI:
	case PP_IKE_PLD_IDR:
		assert_int_equal(ike_id_parse(b, l, &u.id, NULL), 0);
		assert_int_equal(ike_gen_id(g, t, &u.id), 0);
		break;
	case PP_IKE_PLD_CERT:
		assert_int_equal(ike_cert_parse(b, l, &u.cert, NULL), 0);
		assert_int_equal(ike_gen_cert(g, &u.cert), 0);
		break;
	case PP_IKE_PLD_CERTREQ:
		assert_int_equal(ike_certreq_parse(b, l, &u.cert, NULL), 0);
		assert_int_equal(ike_gen_certreq(g, &u.cert), 0);
		break;
	case PP_IKE_PLD_AUTH:
		assert_int_equal(ike_auth_parse(b, l, &u.auth, NULL), 0);
		assert_int_equal(ike_gen_auth(g, &u.auth), 0);
		break;
	case PP_IKE_PLD_NONCE:
		assert_int_equal(ike_nonce_parse(b, l, &u.no, NULL), 0);
		assert_int_equal(ike_gen_nonce(g, u.no.data, u.no.len), 0);
		break;
	case PP_IKE_PLD_NOTIFY:
		assert_int_equal(ike_notify_parse(b, l, &u.n, NULL), 0);
		assert_int_equal(ike_gen_notify(g, &u.n), 0);
		break;
	case PP_IKE_PLD_DELETE:
		assert_int_equal(ike_delete_parse(b, l, &u.d, NULL), 0);
		assert_int_equal(ike_gen_delete(g, &u.d), 0);
		break;
	case PP_IKE_PLD_VENDOR:
		assert_int_equal(ike_vendor_parse(b, l, &u.v, NULL), 0);
		assert_int_equal(ike_gen_vendor(g, u.v.data, u.v.len), 0);
		break;
	case PP_IKE_PLD_TSI:
	case PP_IKE_PLD_TSR:
		assert_int_equal(ike_ts_parse(b, l, &ts, NULL), 0);
		assert_int_equal(ike_gen_ts(g, t, &ts), 0);
		break;
	case PP_IKE_PLD_CP:
		assert_int_equal(ike_cp_parse(b, l, &cp, NULL), 0);
		assert_int_equal(ike_gen_cp(g, &cp), 0);
		break;
	case PP_IKE_PLD_EAP:
		assert_int_equal(ike_eap_parse(b, l, &u.eap, NULL), 0);
		assert_int_equal(ike_gen_eap(g, &u.eap), 0);
		break;
	default:
		fail_msg("no generator for payload %u", t);
	}
}

/* The whole decrypted IKE_AUTH request, regenerated as a bare chain, then
 * sent as RFC 7383 fragments of 100 bytes and reassembled. */
static void test_rfc7383_2_5_gen_chain_and_fragments_reassemble(void **state)
{
	uint8_t chain[BUF_MAX], gen[BUF_MAX], re[BUF_MAX], first;
	size_t len = compose_chain(chain, sizeof(chain), auth_inner_parts,
				   N_AUTH_INNER, &first),
	       glen2, relen = 0;
	struct ike_chain c;
	struct ike_gen g;
	struct ike_perr e;
	struct ike_hdr h = init_hdr;
	unsigned int total = (unsigned int)((len + 99) / 100);

	(void)state;
	assert_int_equal(ike_inner_parse(chain, len, first, &c, &e), 0);
	assert_int_equal(ike_gen_init_chain(&g, gen, sizeof(gen)), 0);
	for (unsigned int i = 0; i < c.n; i++)
		regen_payload(&g, &c, i);
	assert_int_equal(ike_gen_finish(&g, &glen2), 0);
	assert_int_equal(g.first, first);
	assert_bytes(gen, glen2, chain, len);

	h.exchange = PP_IKE_EXCH_IKE_AUTH;
	h.spi_r = 0x1112131415161718ull;
	h.msg_id = 1;
	assert_true(total >= 3);
	for (unsigned int f = 1; f <= total; f++) {
		uint8_t msg[BUF_MAX];
		size_t off = (f - 1) * 100, n = len - off < 100 ? len - off : 100;
		size_t mlen, inner;
		struct ike_sk_layout lay, play;
		struct ike_msg m;

		ike_gen_init(&g, msg, sizeof(msg), &h);
		assert_int_equal(ike_gen_skf_begin(&g, first, (uint16_t)f,
						   (uint16_t)total, 16),
				 0);
		assert_int_equal(ike_gen_sk_put(&g, chain + off, n), 0);
		assert_int_equal(ike_gen_sk_end(&g, 16, 16, &lay), 0);
		assert_int_equal(ike_gen_finish(&g, &mlen), 0);
		assert_int_equal(lay.aad_len, 36);

		assert_int_equal(ike_msg_parse(msg, mlen, &m), 0);
		assert_int_equal(ike_msg_validate(&m, &e), 0);
		assert_int_equal(ike_msg_sk(&m, 16, 16, 16, &play, &e), 0);
		assert_memory_equal(&play, &lay, sizeof(lay));
		assert_int_equal(play.frag_num, f);
		assert_int_equal(play.frag_total, total);
		assert_int_equal(play.first, f == 1 ? first : 0);
		assert_int_equal(ike_sk_unpad(msg + play.ct_off, play.ct_len,
					      &inner, &e),
				 0);
		assert_int_equal(inner, n);
		memcpy(re + relen, msg + play.ct_off, inner);
		relen += inner;
	}
	assert_bytes(re, relen, chain, len);
	assert_int_equal(ike_inner_parse(re, relen, first, &c, &e), 0);
	assert_int_equal(c.n, N_AUTH_INNER);
}

/* ---------------------------------------------------------------------- */
/* Deterministic mutation                                                 */
/* ---------------------------------------------------------------------- */

static struct {
	unsigned long runs, msg_ok, msg_bad, inner_ok, bodies_ok;
} ms;

static void check_err(int rc, const struct ike_perr *e)
{
	if (rc == 0)
		return;
	if (rc != -EBADMSG)
		fail_msg("rc %d", rc);
	if (e->code <= IKE_OK || e->code >= IKE_E__COUNT)
		fail_msg("error code %d", e->code);
	assert_true(e->msg[0] != '\0');
	assert_string_not_equal(ike_err_name(e->code), "?");
	if (e->code == IKE_E_CRITICAL) {
		assert_int_equal(e->notify,
				 PP_IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);
		assert_int_equal(e->notify_data_len, 1);
		assert_int_equal(e->notify_data[0], e->pld);
	}
}

/* Records tile the buffer from @start, SK/SKF only last. */
static void check_chain(const struct ike_chain *c, size_t start)
{
	size_t off = start;

	assert_true(c->n <= IKE_CHAIN_MAX);
	for (unsigned int i = 0; i < c->n; i++) {
		const struct ike_pld *p = &c->pld[i];

		assert_int_equal(p->off, off);
		assert_int_equal(p->body_off, off + 4);
		off = (size_t)p->body_off + p->body_len;
		assert_true(off <= c->len);
		assert_int_equal(p->known, ike_pld_known(p->type));
		if (p->type == PP_IKE_PLD_SK || p->type == PP_IKE_PLD_SKF)
			assert_int_equal(c->sk, (int)i);
		if (!p->known)
			assert_false(p->critical);
	}
	if (c->sk >= 0)
		assert_int_equal(c->sk, (int)c->n - 1);
	assert_int_equal(off, c->len);
}

/*
 * Body oracles: validate == parse; a parsed body regenerates, and the
 * regenerated payload is a fixed point (parse + generate again gives the
 * same bytes).
 */
static void regen_fixpoint(const struct ike_chain *c, unsigned int i)
{
	uint8_t a[BUF_MAX * 17], b[BUF_MAX * 17];
	size_t la, lb;
	struct ike_gen g;
	struct ike_chain ca;

	ike_gen_init_chain(&g, a, sizeof(a));
	regen_payload(&g, c, i);
	assert_int_equal(ike_gen_finish(&g, &la), 0);
	assert_int_equal(ike_inner_parse(a, la, g.first, &ca, NULL), 0);
	ike_gen_init_chain(&g, b, sizeof(b));
	regen_payload(&g, &ca, 0);
	assert_int_equal(ike_gen_finish(&g, &lb), 0);
	assert_bytes(b, lb, a, la);
}

static void exercise_bodies(const struct ike_chain *c, bool response)
{
	for (unsigned int i = 0; i < c->n; i++) {
		const struct ike_pld *p = &c->pld[i];
		const uint8_t *b = ike_pld_body(c, i);
		enum bkind k;
		struct ike_perr e;
		int rc;

		switch (p->type) {
		case PP_IKE_PLD_SA:
			k = response ? K_SA_RESP : K_SA;
			break;
		case PP_IKE_PLD_KE:
			k = K_KE;
			break;
		case PP_IKE_PLD_IDI:
		case PP_IKE_PLD_IDR:
			k = K_ID;
			break;
		case PP_IKE_PLD_CERT:
			k = K_CERT;
			break;
		case PP_IKE_PLD_CERTREQ:
			k = K_CERTREQ;
			break;
		case PP_IKE_PLD_AUTH:
			k = K_AUTH;
			break;
		case PP_IKE_PLD_NONCE:
			k = K_NONCE;
			break;
		case PP_IKE_PLD_NOTIFY:
			k = K_NOTIFY;
			break;
		case PP_IKE_PLD_DELETE:
			k = K_DELETE;
			break;
		case PP_IKE_PLD_VENDOR:
			k = K_VENDOR;
			break;
		case PP_IKE_PLD_TSI:
		case PP_IKE_PLD_TSR:
			k = K_TS;
			break;
		case PP_IKE_PLD_CP:
			k = K_CP;
			break;
		case PP_IKE_PLD_EAP:
			k = K_EAP;
			break;
		case PP_IKE_PLD_SK:
			k = K_SK_CBC;
			break;
		case PP_IKE_PLD_SKF:
			k = p->next ? K_SKF_NEXT : K_SKF;
			break;
		default:
			continue;
		}
		rc = body_check(k, b, p->body_len, &e);
		check_err(rc, &e);
		if (rc == 0 && p->type != PP_IKE_PLD_SK &&
		    p->type != PP_IKE_PLD_SKF) {
			ms.bodies_ok++;
			/* SA bodies regenerate as requests (numbered) */
			if (p->type != PP_IKE_PLD_SA ||
			    !ike_sa_validate(b, p->body_len, 0, NULL))
				regen_fixpoint(c, i);
		}
	}
}

static void exercise_chain(const struct ike_chain *c, uint8_t exch,
			   bool response, bool inner)
{
	struct ike_perr e;

	check_chain(c, inner ? 0 : PP_IKE_HDR_LEN);
	check_err(ike_chain_validate(c, exch, response, inner, &e), &e);
	check_err(ike_chain_check_bodies(c, response, &e), &e);
	exercise_bodies(c, response);
}

static void exercise_inner(const uint8_t *p, size_t len, uint8_t first,
			   uint8_t exch, bool response)
{
	struct ike_chain c;
	struct ike_perr e;
	int rc = ike_inner_parse(p, len, first, &c, &e);

	check_err(rc, &e);
	if (rc)
		return;
	ms.inner_ok++;
	exercise_chain(&c, exch, response, true);
}

static void exercise_msg(const uint8_t *buf, size_t len)
{
	static const size_t params[][3] = { { 8, 16, 1 }, { 16, 12, 16 },
					    { 0, 0, 1 } };
	struct ike_msg m;
	struct ike_perr e;
	int rc = ike_msg_parse(buf, len, &m);

	ms.runs++;
	check_err(rc, &m.err);
	if (rc) {
		ms.msg_bad++;
		return;
	}
	ms.msg_ok++;
	assert_int_equal(m.hdr.length, len);
	assert_true(m.hdr.spi_i != 0);
	exercise_chain(&m.chain, m.hdr.exchange, ike_hdr_is_response(&m.hdr),
		       false);
	check_err(ike_msg_validate(&m, &e), &e);
	for (size_t k = 0; k < 3; k++) {
		struct ike_sk_layout lay;
		size_t inner;

		rc = ike_msg_sk(&m, params[k][0], params[k][1], params[k][2],
				&lay, &e);
		if (rc == -ENOENT) {
			assert_int_equal(m.chain.sk, -1);
			break;
		}
		check_err(rc, &e);
		if (rc)
			continue;
		assert_true(lay.icv_off + lay.icv_len == len);
		assert_true(lay.ct_off + lay.ct_len == lay.icv_off);
		assert_true(lay.iv_off + lay.iv_len == lay.ct_off);
		assert_int_equal(lay.aad_len, lay.iv_off);
		/* treat the ciphertext as if it were the plaintext */
		rc = ike_sk_unpad(buf + lay.ct_off, lay.ct_len, &inner, &e);
		check_err(rc, &e);
		if (rc == 0)
			exercise_inner(buf + lay.ct_off, inner, lay.first,
				       m.hdr.exchange,
				       ike_hdr_is_response(&m.hdr));
	}
}

/* Run @buf through the matching entry point from an exact-size copy. */
static void exercise(const uint8_t *buf, size_t len, bool inner,
		     uint8_t first, uint8_t exch)
{
	uint8_t *p = dup_exact(buf, len);

	if (inner)
		exercise_inner(len ? p : NULL, len, first, exch, false);
	else
		exercise_msg(len ? p : NULL, len);
	free(p);
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64* (deterministic; seeded per test) */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

struct mbase {
	const char *name;
	uint8_t buf[BUF_MAX];
	size_t len;
	bool inner;
	uint8_t first, exch;
};

static void mutate_all(struct mbase *mb, unsigned int random_rounds)
{
	uint8_t buf[BUF_MAX];

	/* the pristine input is valid */
	exercise(mb->buf, mb->len, mb->inner, mb->first, mb->exch);
	/* every single-bit flip */
	for (size_t i = 0; i < mb->len * 8; i++) {
		memcpy(buf, mb->buf, mb->len);
		buf[i / 8] ^= (uint8_t)(1u << (i % 8));
		exercise(buf, mb->len, mb->inner, mb->first, mb->exch);
	}
	/* every truncation, as is and with the header Length following */
	for (size_t n = 0; n < mb->len; n++) {
		memcpy(buf, mb->buf, mb->len);
		exercise(buf, n, mb->inner, mb->first, mb->exch);
		if (!mb->inner && n >= PP_IKE_HDR_LEN) {
			put32(buf + PP_IKE_HDR_OFF_LENGTH, (uint32_t)n);
			exercise(buf, n, false, 0, 0);
		}
	}
	/* seeded random byte changes (1..8 bytes, any value) */
	for (unsigned int r = 0; r < random_rounds; r++) {
		unsigned int k = 1 + (unsigned int)(rng() % 8);

		memcpy(buf, mb->buf, mb->len);
		for (unsigned int j = 0; j < k; j++)
			buf[rng() % mb->len] = (uint8_t)rng();
		exercise(buf, mb->len, mb->inner, mb->first, mb->exch);
	}
}

static void test_mutation_every_bitflip_truncation_and_seeded_bytes(
	void **state)
{
	static struct mbase bases[5];
	size_t n = 0;

	(void)state;
	rng_state = 0x1b873593cc9e2d51ull;
	memset(&ms, 0, sizeof(ms));

	bases[n].name = "IKE_SA_INIT request";
	bases[n].len = base_msg(B_INIT, bases[n].buf, BUF_MAX);
	n++;
	bases[n].name = "RFC 7634 SK message";
	bases[n].len = base_msg(B_SK, bases[n].buf, BUF_MAX);
	n++;
	bases[n].name = "SKF fragment";
	bases[n].len = base_msg(B_SKF, bases[n].buf, BUF_MAX);
	n++;
	bases[n].name = "IKE_AUTH inner chain";
	bases[n].len = compose_chain(bases[n].buf, BUF_MAX, auth_inner_parts,
				     N_AUTH_INNER, &bases[n].first);
	bases[n].inner = true;
	bases[n].exch = PP_IKE_EXCH_IKE_AUTH;
	n++;
	{
		/* INFORMATIONAL inner chain: Delete x2, Notify, CP reply */
		static const struct part info[] = {
			{ PP_IKE_PLD_DELETE, g_del_esp },
			{ PP_IKE_PLD_DELETE, g_del_ike },
			{ PP_IKE_PLD_NOTIFY, g_n_rekey },
			{ PP_IKE_PLD_NOTIFY, g_n_invke },
			{ PP_IKE_PLD_CP, g_cp_reply },
			{ PP_IKE_PLD_EAP, g_eap_ok },
			{ PP_IKE_PLD_KE, g_ke },
		};

		bases[n].name = "mixed inner chain";
		bases[n].len = compose_chain(bases[n].buf, BUF_MAX, info,
					     sizeof(info) / sizeof(info[0]),
					     &bases[n].first);
		bases[n].inner = true;
		bases[n].exch = PP_IKE_EXCH_INFORMATIONAL;
		n++;
	}
	for (size_t i = 0; i < n; i++)
		mutate_all(&bases[i], 4000);

	print_message("mutation: %lu messages (%lu parsed, %lu rejected), "
		      "%lu inner chains parsed, %lu bodies accepted\n",
		      ms.runs, ms.msg_ok, ms.msg_bad, ms.inner_ok,
		      ms.bodies_ok);
	/* not vacuous: mutations land on both sides */
	assert_true(ms.msg_ok > 1000);
	assert_true(ms.msg_bad > 1000);
	assert_true(ms.inner_ok > 1000);
	assert_true(ms.bodies_ok > 10000);
}

/* NULL and empty inputs are refused cleanly everywhere. */
static void test_api_null_and_empty_inputs(void **state)
{
	struct ike_msg m;
	struct ike_chain c;
	struct ike_perr e;
	struct ike_sa *sa = NULL;
	size_t inner;

	(void)state;
	assert_int_equal(ike_msg_parse(NULL, 0, &m), -EBADMSG);
	assert_int_equal(m.err.code, IKE_E_TRUNC);
	assert_int_equal(ike_msg_parse(NULL, 10, &m), -EINVAL);
	assert_int_equal(ike_msg_parse((const uint8_t *)"x", 1, NULL), -EINVAL);
	assert_int_equal(ike_inner_parse(NULL, 0, 0, &c, &e), 0);
	assert_int_equal(ike_inner_parse(NULL, 4, 41, &c, &e), -EINVAL);
	assert_int_equal(ike_sa_parse((const uint8_t *)"", 0, 0, sa, &e),
			 -EINVAL);
	assert_int_equal(ike_sk_unpad(NULL, 0, &inner, &e), -EBADMSG);
	assert_int_equal(ike_sk_validate(NULL, 0, 8, 16, 0, &e), -EINVAL);
	assert_int_equal(ike_chain_validate(NULL, 34, false, false, &e),
			 -EINVAL);
	assert_int_equal(ike_gen_init(NULL, NULL, 0, NULL), -EINVAL);
	assert_string_equal(ike_err_name(IKE_E_SK_NOT_LAST), "SK_NOT_LAST");
	assert_string_equal(ike_err_name((enum ike_err)999), "?");
	assert_string_equal(ike_pld_name(PP_IKE_PLD_SKF), "SKF");
	assert_string_equal(ike_exch_name(PP_IKE_EXCH_CREATE_CHILD_SA),
			    "CREATE_CHILD_SA");
	assert_int_equal(ike_delete_spi(NULL, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7296_3_3_sa_golden_ike_proposals),
		cmocka_unit_test(
			test_rfc7296_3_3_sa_golden_esp_proposal_with_spi),
		cmocka_unit_test(test_rfc5903_8_1_ke_golden_p256),
		cmocka_unit_test(test_rfc7296_3_5_id_golden_fqdn_and_ipv4),
		cmocka_unit_test(test_rfc7296_3_6_cert_golden_x509),
		cmocka_unit_test(test_rfc7296_3_7_certreq_golden_sha1_list),
		cmocka_unit_test(test_rfc7296_3_8_auth_golden_psk),
		cmocka_unit_test(test_rfc7296_3_9_nonce_golden),
		cmocka_unit_test(
			test_rfc7296_3_10_notify_golden_status_error_and_spi),
		cmocka_unit_test(test_rfc7296_3_11_delete_golden_esp_and_ike),
		cmocka_unit_test(test_rfc7296_3_12_vendor_id_golden),
		cmocka_unit_test(test_rfc7296_3_13_ts_golden_ipv4_and_ipv6),
		cmocka_unit_test(test_rfc7296_3_15_cp_golden_request_and_reply),
		cmocka_unit_test(
			test_rfc7296_3_16_eap_golden_identity_and_success),
		cmocka_unit_test(
			test_rfc7634_appb_sk_message_parse_decrypt_generate),
		cmocka_unit_test(test_rfc7383_2_5_skf_golden_fragment),
		cmocka_unit_test(test_rfc7296_1_2_ike_sa_init_request_roundtrip),
		cmocka_unit_test(test_rfc7296_1_2_ike_auth_inner_chain_parses),
		cmocka_unit_test(test_rfc7296_1_legal_payload_table_exhaustive),
		cmocka_unit_test(test_rfc7296_2_5_chain_validate_table),
		cmocka_unit_test(test_rfc7296_3_malformed_messages_table),
		cmocka_unit_test(
			test_rfc7296_2_5_tolerated_header_and_payload_bits),
		cmocka_unit_test(test_rfc7296_3_2_chain_length_bounded),
		cmocka_unit_test(test_rfc7296_3_14_inner_chain_rules),
		cmocka_unit_test(test_rfc7296_3_malformed_bodies_table),
		cmocka_unit_test(test_rfc7296_3_body_limits_and_ranges),
		cmocka_unit_test(test_rfc7296_3_14_sk_unpad),
		cmocka_unit_test(
			test_rfc7296_3_body_error_offsets_are_message_offsets),
		cmocka_unit_test(test_gen_enospc_at_every_buffer_size),
		cmocka_unit_test(test_gen_refuses_invalid_bodies_and_misuse),
		cmocka_unit_test(test_rfc7296_3_14_gen_sk_padding_and_layout),
		cmocka_unit_test(
			test_rfc7383_2_5_gen_chain_and_fragments_reassemble),
		cmocka_unit_test(
			test_mutation_every_bitflip_truncation_and_seeded_bytes),
		cmocka_unit_test(test_api_null_and_empty_inputs),
	};

	return cmocka_run_group_tests_name("ike_codec", tests, NULL, NULL);
}
