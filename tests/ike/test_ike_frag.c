/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tests of libike/ike_frag.h: IKEv2 fragmentation (RFC 7383).
 *
 * Round trips go through the real layers: ike_frag_build() -> every
 * fragment parsed by the codec (ike_msg_parse, ike_msg_sk: RFC 7383 §2.5
 * SKF layout) -> opened by the crypto layer (ike_sk_open) -> reassembled
 * -> compared with the original inner chain, for AES-GCM-16 and
 * AES-CBC + HMAC-SHA2-256-128, with and without the non-ESP marker, in
 * order, reversed, shuffled and with duplicates. Then every refusal of
 * the reassembly with its exact return (RFC 7383 §2.6).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike_frag.h"

/* cmocka's headers need these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))
#define BUF	  (128 * 1024)

struct suite_case {
	const char *name;
	struct ike_suite s;
	size_t ekey_len, akey_len;
};

static const struct suite_case suites[] = {
	{ "AES_GCM_16_256", { IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE,
			      IKE_PRF_HMAC_SHA2_256 }, 36, 0 },
	{ "AES_CBC_128+HMAC_SHA2_256_128",
	  { IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128,
	    IKE_PRF_HMAC_SHA2_256 }, 16, 32 },
};

static void keys(const struct suite_case *c, struct ike_sk_cipher *out,
		 struct ike_sk_cipher *in)
{
	uint8_t ek[IKE_ENCR_KEY_MAX], ak[IKE_INTEG_KEY_MAX];

	for (size_t i = 0; i < sizeof(ek); i++)
		ek[i] = (uint8_t)(0x20 + i);
	for (size_t i = 0; i < sizeof(ak); i++)
		ak[i] = (uint8_t)(0x40 + i);
	assert_int_equal(ike_sk_cipher_init(out, &c->s, ek, c->ekey_len,
					    c->akey_len ? ak : NULL,
					    c->akey_len), 0);
	assert_int_equal(ike_sk_cipher_init(in, &c->s, ek, c->ekey_len,
					    c->akey_len ? ak : NULL,
					    c->akey_len), 0);
}

/* An IKE_AUTH-like inner chain: IDi, two big Vendor IDs (stand-ins for
 * certificates), a notify. */
static size_t inner_chain(uint8_t *buf, size_t cap, size_t vid_len,
			  uint8_t *first)
{
	static uint8_t vid[8192];
	struct ike_id id = { .type = PP_IKE_ID_FQDN,
			     .data = (const uint8_t *)"client.example",
			     .len = 14 };
	struct ike_notify n = { .type = PP_IKE_N_INITIAL_CONTACT };
	struct ike_gen g;
	size_t len;

	assert_true(vid_len <= sizeof(vid));
	for (size_t i = 0; i < vid_len; i++)
		vid[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(ike_gen_init_chain(&g, buf, cap), 0);
	assert_int_equal(ike_gen_id(&g, PP_IKE_PLD_IDI, &id), 0);
	assert_int_equal(ike_gen_vendor(&g, vid, vid_len), 0);
	assert_int_equal(ike_gen_vendor(&g, vid, vid_len / 2 + 1), 0);
	assert_int_equal(ike_gen_notify(&g, &n), 0);
	assert_int_equal(ike_gen_finish(&g, &len), 0);
	*first = PP_IKE_PLD_IDI;
	return len;
}

static const struct ike_hdr hdr = {
	.spi_i = 0x0123456789abcdefull,
	.spi_r = 0xfedcba9876543210ull,
	.version = PP_IKE_VERSION,
	.exchange = PP_IKE_EXCH_IKE_AUTH,
	.flags = PP_IKE_FLAG_I,
	.msg_id = 1,
};

/* Parse + open fragment @i of @o in @buf; returns the plaintext. */
static const uint8_t *open_frag(const struct ike_sk_cipher *in, uint8_t *buf,
				const struct ike_frag_out *o, unsigned int i,
				struct ike_sk_layout *lay, size_t *pt_len)
{
	struct ike_msg m;
	struct ike_perr e;
	struct ike_sk_frame f;
	uint8_t *msg = buf + o->off[i];

	assert_int_equal(ike_msg_parse(msg, o->len[i], &m), 0);
	assert_int_equal(m.hdr.next, PP_IKE_PLD_SKF);
	assert_int_equal(m.hdr.msg_id, hdr.msg_id);
	assert_int_equal(m.hdr.exchange, hdr.exchange);
	assert_int_equal(m.hdr.flags, hdr.flags);
	assert_true(m.hdr.spi_i == hdr.spi_i && m.hdr.spi_r == hdr.spi_r);
	assert_int_equal(ike_msg_sk(&m, in->iv_len, in->icv_len, in->block,
				    lay, &e), 0);
	assert_int_equal(lay->type, PP_IKE_PLD_SKF);
	assert_int_equal(lay->frag_num, i + 1);
	assert_int_equal(lay->frag_total, o->n);
	memset(&f, 0, sizeof(f));
	f.msg_off = o->off[i];
	f.sk_off = lay->pld_off;
	f.sk_hdr_len = lay->iv_off - lay->pld_off;
	assert_int_equal(ike_sk_open(in, buf, o->off[i] + o->len[i], &f), 0);
	*pt_len = f.pt_len;
	return buf + ike_sk_frame_pt_off(&f);
}

enum order { IN_ORDER, REVERSED, SHUFFLED, DUPLICATED };

static void roundtrip(const struct suite_case *c, size_t vid_len,
		      size_t max_dgram, bool natt, enum order ord,
		      unsigned int want_n)
{
	static uint8_t inner[16384], buf[BUF];
	struct ike_sk_cipher out, in;
	struct ike_frag_out o;
	struct ike_frag_reasm *r = malloc(sizeof(*r));
	size_t inner_len, got_len = 0;
	unsigned int perm[IKE_FRAG_MAX];
	uint8_t first, got_first = 0;
	const uint8_t *got;
	int rc = 0;

	assert_non_null(r);
	keys(c, &out, &in);
	inner_len = inner_chain(inner, sizeof(inner), vid_len, &first);
	assert_int_equal(ike_frag_build(&out, &hdr, first, inner, inner_len,
					max_dgram, natt, buf, sizeof(buf), &o),
			 0);
	if (want_n)
		assert_int_equal(o.n, want_n);
	for (unsigned int i = 0; i < o.n; i++) {
		assert_true(o.len[i] + (natt ? 4 : 0) <= max_dgram);
		if (natt) {
			assert_true(o.off[i] >= 4);
			assert_memory_equal(buf + o.off[i] - 4,
					    "\0\0\0\0", 4);
		}
		perm[i] = i;
	}
	if (ord == REVERSED)
		for (unsigned int i = 0; i < o.n; i++)
			perm[i] = o.n - 1 - i;
	if (ord == SHUFFLED) {
		srand(7);
		for (unsigned int i = o.n - 1; i > 0; i--) {
			unsigned int j = (unsigned int)rand() % (i + 1), t;

			t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
		}
	}
	ike_frag_reasm_init(r);
	for (unsigned int k = 0; k < o.n; k++) {
		unsigned int i = perm[k];
		struct ike_sk_layout lay;
		struct ike_perr e;
		const uint8_t *pt;
		size_t pt_len;

		pt = open_frag(&in, buf, &o, i, &lay, &pt_len);
		rc = ike_frag_reasm_add(r, hdr.msg_id, lay.frag_num,
					lay.frag_total, lay.first, pt, pt_len,
					&e);
		assert_int_equal(rc, k + 1 == o.n ? 1 : 0);
		if (ord == DUPLICATED && k + 1 < o.n)
			assert_int_equal(ike_frag_reasm_add(r, hdr.msg_id,
							    lay.frag_num,
							    lay.frag_total,
							    lay.first, pt,
							    pt_len, &e),
					 -EALREADY);
		if (ord == DUPLICATED && k + 1 == o.n)
			/* a retransmitted fragment of the complete one */
			assert_int_equal(ike_frag_reasm_add(r, hdr.msg_id,
							    lay.frag_num,
							    lay.frag_total,
							    lay.first, pt,
							    pt_len, &e),
					 -EALREADY);
	}
	got = ike_frag_reasm_get(r, &got_len, &got_first);
	assert_non_null(got);
	assert_int_equal(got_len, inner_len);
	assert_int_equal(got_first, first);
	assert_memory_equal(got, inner, inner_len);
	{
		struct ike_chain ch;
		struct ike_perr e;

		assert_int_equal(ike_inner_parse(got, got_len, got_first, &ch,
						 &e), 0);
		assert_int_equal(ch.n, 4);
	}
	ike_frag_reasm_reset(r);
	assert_null(ike_frag_reasm_get(r, NULL, NULL));
	ike_sk_cipher_fini(&out);
	ike_sk_cipher_fini(&in);
	free(r);
}

static void test_roundtrip_all_orders(void **state)
{
	static const enum order ords[] = { IN_ORDER, REVERSED, SHUFFLED,
					   DUPLICATED };

	(void)state;
	for (size_t s = 0; s < N_ELEM(suites); s++)
		for (size_t o = 0; o < N_ELEM(ords); o++) {
			roundtrip(&suites[s], 2000, 576, false, ords[o], 0);
			roundtrip(&suites[s], 2000, 1280, true, ords[o], 0);
		}
}

/*
 * Fragment counts from the sizes (RFC 7383 §2.5 layout): GCM per
 * fragment 28 + 8 (SKF header) + 8 (IV) + 1 (Pad Length) + 16 (tag) = 61;
 * with the marker 65, so 511 bytes of slice fit in 576. CBC: 28 + 8 + 16
 * (IV) + 16 (ICV) = 68 + 4 = 72 leaves 504 = 31.5 blocks -> 496 bytes of
 * ciphertext -> 495 of slice.
 */
static void test_fragment_count_from_sizes(void **state)
{
	uint8_t inner[16384], first;
	size_t len;

	(void)state;
	len = inner_chain(inner, sizeof(inner), 2000, &first);
	/* IDi 4+4+14 = 22, VID 4+2000, VID 4+1001, N 4+4 = 3039 */
	assert_int_equal(len, 3039);
	roundtrip(&suites[0], 2000, 576, true, IN_ORDER, 6);  /* 3039/511 */
	roundtrip(&suites[1], 2000, 576, true, IN_ORDER, 7);  /* 3039/495 */
	roundtrip(&suites[0], 2000, 4000, false, IN_ORDER, 1);
	/* exact fit: 3039 + 61 = 3100 in one, 3099 needs two */
	roundtrip(&suites[0], 2000, 3100, false, IN_ORDER, 1);
	roundtrip(&suites[0], 2000, 3099, false, IN_ORDER, 2);
}

static void test_build_errors(void **state)
{
	static uint8_t inner[16384], buf[BUF];
	struct ike_sk_cipher out, in, cold = { 0 };
	struct ike_frag_out o;
	size_t len;
	uint8_t first;

	(void)state;
	keys(&suites[0], &out, &in);
	len = inner_chain(inner, sizeof(inner), 8000, &first);
	/* no room for any data: 61 bytes of overhead */
	assert_int_equal(ike_frag_build(&out, &hdr, first, inner, len, 61,
					false, buf, sizeof(buf), &o),
			 -EMSGSIZE);
	assert_int_equal(ike_frag_build(&out, &hdr, first, inner, len, 65,
					true, buf, sizeof(buf), &o),
			 -EMSGSIZE);
	assert_int_equal(ike_frag_build(&out, &hdr, first, inner, len, 3,
					true, buf, sizeof(buf), &o),
			 -EMSGSIZE);
	/* more than IKE_FRAG_MAX fragments */
	assert_int_equal(ike_frag_build(&out, &hdr, first, inner, len, 150,
					false, buf, sizeof(buf), &o),
			 -EMSGSIZE);
	/* buffer too small */
	assert_int_equal(ike_frag_build(&out, &hdr, first, inner, len, 1280,
					false, buf, 3000, &o),
			 -ENOSPC);
	/* an unkeyed cipher, a NULL header */
	assert_int_equal(ike_frag_build(&cold, &hdr, first, inner, len, 1280,
					false, buf, sizeof(buf), &o),
			 -EINVAL);
	assert_int_equal(ike_frag_build(&out, NULL, first, inner, len, 1280,
					false, buf, sizeof(buf), &o),
			 -EINVAL);
	ike_sk_cipher_fini(&out);
	ike_sk_cipher_fini(&in);
}

/* A fragment whose ciphertext is touched fails ike_sk_open: nothing
 * unauthenticated reaches reassembly. */
static void test_tampered_fragment_fails_open(void **state)
{
	static uint8_t inner[16384], buf[BUF];
	struct ike_sk_cipher out, in;
	struct ike_frag_out o;
	struct ike_msg m;
	struct ike_sk_layout lay;
	struct ike_sk_frame f;
	struct ike_perr e;
	size_t len;
	uint8_t first;

	(void)state;
	for (size_t s = 0; s < N_ELEM(suites); s++) {
		keys(&suites[s], &out, &in);
		len = inner_chain(inner, sizeof(inner), 2000, &first);
		assert_int_equal(ike_frag_build(&out, &hdr, first, inner, len,
						1280, false, buf, sizeof(buf),
						&o), 0);
		assert_true(o.n >= 2);
		buf[o.off[1] + o.len[1] - 20] ^= 1;
		assert_int_equal(ike_msg_parse(buf + o.off[1], o.len[1], &m),
				 0);
		assert_int_equal(ike_msg_sk(&m, in.iv_len, in.icv_len,
					    in.block, &lay, &e), 0);
		memset(&f, 0, sizeof(f));
		f.msg_off = o.off[1];
		f.sk_off = lay.pld_off;
		f.sk_hdr_len = lay.iv_off - lay.pld_off;
		assert_int_equal(ike_sk_open(&in, buf, o.off[1] + o.len[1],
					     &f), -EBADMSG);
		ike_sk_cipher_fini(&out);
		ike_sk_cipher_fini(&in);
	}
}

/* ---------------------------------------------------------------------- */
/* Reassembly refusals (RFC 7383 §2.6 and the header's bounds)           */
/* ---------------------------------------------------------------------- */

static struct ike_frag_reasm *new_reasm(void)
{
	struct ike_frag_reasm *r = malloc(sizeof(*r));

	assert_non_null(r);
	ike_frag_reasm_init(r);
	return r;
}

struct bad_row {
	const char *name;
	uint16_t num, total;
	uint8_t next;
	int rc;
};

/* Each row after a good fragment 1 of 3 (Message ID 5) was added. */
static const struct bad_row bad_rows[] = {
	{ "number 0", 0, 3, 0, -EBADMSG },
	{ "number > total", 4, 3, 0, -EBADMSG },
	{ "total > IKE_FRAG_MAX", 2, IKE_FRAG_MAX + 1, 0, -EBADMSG },
	{ "total 0", 1, 0, 35, -EBADMSG },
	{ "fragment 1 without first type", 1, 3, 0, -EBADMSG },
	{ "fragment 2 with a Next Payload", 2, 3, 35, -EBADMSG },
};

static void test_reasm_bad_fragment_table(void **state)
{
	uint8_t d[16] = { 1, 2, 3 };

	(void)state;
	for (size_t i = 0; i < N_ELEM(bad_rows); i++) {
		const struct bad_row *b = &bad_rows[i];
		struct ike_frag_reasm *r = new_reasm();
		struct ike_perr e;

		assert_int_equal(ike_frag_reasm_add(r, 5, 1, 3, 35, d, 16, &e),
				 0);
		e.code = IKE_OK;
		if (ike_frag_reasm_add(r, 5, b->num, b->total, b->next, d, 8,
				       &e) != b->rc)
			fail_msg("row %s: wrong return", b->name);
		assert_int_equal(e.code, IKE_E_FRAG);
		assert_true(e.msg[0] != '\0');
		/* abandoned: fragment 1 must be accepted afresh */
		assert_false(r->active);
		assert_int_equal(ike_frag_reasm_add(r, 5, 1, 3, 35, d, 16, &e),
				 0);
		assert_int_equal(r->have, 1);
		free(r);
	}
}

static void test_reasm_total_changes(void **state)
{
	struct ike_frag_reasm *r = new_reasm();
	uint8_t d[32] = { 9 };
	struct ike_perr e;
	size_t len;

	(void)state;
	assert_int_equal(ike_frag_reasm_add(r, 2, 1, 3, 35, d, 10, &e), 0);
	assert_int_equal(ike_frag_reasm_add(r, 2, 2, 3, 0, d, 10, &e), 0);
	/* larger total: the peer re-fragmented, start again */
	assert_int_equal(ike_frag_reasm_add(r, 2, 2, 4, 0, d, 7, &e), 0);
	assert_int_equal(r->have, 1);
	assert_int_equal(r->total, 4);
	/* smaller total: stale fragment of the old set, dropped */
	assert_int_equal(ike_frag_reasm_add(r, 2, 3, 3, 0, d, 10, &e),
			 -EALREADY);
	assert_int_equal(r->have, 1);
	assert_int_equal(ike_frag_reasm_add(r, 2, 1, 4, 35, d, 7, &e), 0);
	assert_int_equal(ike_frag_reasm_add(r, 2, 3, 4, 0, d, 7, &e), 0);
	assert_int_equal(ike_frag_reasm_add(r, 2, 4, 4, 0, d, 7, &e), 1);
	assert_non_null(ike_frag_reasm_get(r, &len, NULL));
	assert_int_equal(len, 28);
	free(r);
}

static void test_reasm_bytes_bound(void **state)
{
	struct ike_frag_reasm *r = new_reasm();
	static uint8_t big[IKE_FRAG_BYTES_MAX];
	struct ike_perr e;

	(void)state;
	assert_int_equal(ike_frag_reasm_add(r, 1, 1, 3, 35, big, 60000, &e),
			 0);
	/* 60000 + 5535 = 65535 fits exactly */
	assert_int_equal(ike_frag_reasm_add(r, 1, 2, 3, 0, big, 5535, &e), 0);
	assert_int_equal(ike_frag_reasm_add(r, 1, 3, 3, 0, big, 1, &e),
			 -EBADMSG);
	assert_int_equal(e.code, IKE_E_FRAG);
	assert_non_null(strstr(e.msg, "65535"));
	assert_false(r->active);
	assert_int_equal(r->bytes, 0);
	free(r);
}

static void test_reasm_message_ids(void **state)
{
	struct ike_frag_reasm *r = new_reasm();
	uint8_t d[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, other[8] = { 0 };
	struct ike_perr e;
	const uint8_t *p;
	size_t len;
	uint8_t first;

	(void)state;
	assert_int_equal(ike_frag_reasm_add(r, 7, 1, 2, 35, d, 8, &e), 0);
	/* older Message ID */
	assert_int_equal(ike_frag_reasm_add(r, 6, 2, 2, 0, d, 8, &e),
			 -EALREADY);
	/* a malformed fragment of a newer one leaves 7 alone */
	assert_int_equal(ike_frag_reasm_add(r, 8, 0, 2, 0, d, 8, &e),
			 -EBADMSG);
	assert_true(r->active);
	assert_int_equal(r->msg_id, 7);
	assert_int_equal(r->have, 1);
	/* exact duplicate */
	assert_int_equal(ike_frag_reasm_add(r, 7, 1, 2, 35, d, 8, &e),
			 -EALREADY);
	/* duplicate with other data: abandoned */
	assert_int_equal(ike_frag_reasm_add(r, 7, 1, 2, 35, other, 8, &e),
			 -EBADMSG);
	assert_false(r->active);
	/* newer Message ID restarts */
	assert_int_equal(ike_frag_reasm_add(r, 7, 2, 2, 0, d, 4, &e), 0);
	assert_int_equal(ike_frag_reasm_add(r, 9, 2, 2, 0, d, 4, &e), 0);
	assert_int_equal(r->msg_id, 9);
	assert_int_equal(r->have, 1);
	assert_int_equal(ike_frag_reasm_add(r, 9, 1, 2, 41, d, 8, &e), 1);
	p = ike_frag_reasm_get(r, &len, &first);
	assert_non_null(p);
	assert_int_equal(len, 12);
	assert_int_equal(first, 41);
	assert_memory_equal(p, d, 8);
	assert_memory_equal(p + 8, d, 4);
	/* after completion: the same Message ID is a retransmission, an
	 * older one stale, a newer one starts afresh */
	assert_int_equal(ike_frag_reasm_add(r, 9, 1, 2, 41, d, 8, &e),
			 -EALREADY);
	assert_int_equal(ike_frag_reasm_add(r, 8, 1, 2, 41, d, 8, &e),
			 -EALREADY);
	assert_int_equal(ike_frag_reasm_add(r, 10, 1, 1, 41, d, 3, &e), 1);
	p = ike_frag_reasm_get(r, &len, &first);
	assert_int_equal(len, 3);
	/* arguments */
	assert_int_equal(ike_frag_reasm_add(NULL, 1, 1, 1, 41, d, 3, &e),
			 -EINVAL);
	assert_int_equal(ike_frag_reasm_add(r, 11, 1, 1, 41, NULL, 3, &e),
			 -EINVAL);
	ike_frag_reasm_reset(r);
	assert_null(ike_frag_reasm_get(r, &len, &first));
	/* after reset even an old Message ID is accepted */
	assert_int_equal(ike_frag_reasm_add(r, 1, 1, 1, 41, d, 3, &e), 1);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_all_orders),
		cmocka_unit_test(test_fragment_count_from_sizes),
		cmocka_unit_test(test_build_errors),
		cmocka_unit_test(test_tampered_fragment_fails_open),
		cmocka_unit_test(test_reasm_bad_fragment_table),
		cmocka_unit_test(test_reasm_total_changes),
		cmocka_unit_test(test_reasm_bytes_bound),
		cmocka_unit_test(test_reasm_message_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
