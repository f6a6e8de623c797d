// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: the libike message codec (ike_msg.c) — message parse,
 * legal-payload validation, SK/SKF layout, Pad Length, inner-chain parse,
 * every body validate/parse pair, and the generator.
 *
 * Input format: byte 0 picks the mode (modulo 4), the rest depends on it:
 *
 *   0 MSG    the rest is one IKE message: ike_msg_parse(), then everything
 *            downstream of a successful parse (validate, every body, SK
 *            layout for three IV/ICV/block choices, the ciphertext treated
 *            as plaintext: ike_sk_unpad() + ike_inner_parse() + inner
 *            validate + bodies).
 *   1 INNER  [first][ctx] plaintext: ike_inner_parse() with Next Payload
 *            @first, validated for exchange 34 + (ctx & 3), response if
 *            ctx & 4, then every body.
 *   2 BODY   [kind][arg] body: one body validate/parse pair (kind modulo
 *            the number of kinds; arg = SA response flag / SKF Next Payload
 *            / SK parameter choice).
 *   3 GEN    [exch][flags][sk] then records [type][len] body...: each body
 *            that parses as its type is fed to the structured generator,
 *            others go in as raw non-critical payloads of an unknown type;
 *            if sk & 1 the payloads after the first go inside SK. The
 *            generated message must parse, and all its bodies must
 *            validate.
 *
 * Oracles besides the sanitizers: return values are 0 or -EBADMSG (or the
 * documented -ENOENT/-EINVAL), a failure always carries an error code and
 * message; chain records tile the buffer; validate and parse agree on
 * every body; a parsed body regenerates, and regenerating that again
 * gives the same bytes; generator output always parses.
 *
 * Built twice: as the fuzzer (LLVMFuzzerTestOneInput) and, with
 * -DFUZZ_SEEDGEN, as a program writing a seed corpus into a directory.
 * Reproduce a failure: ./fuzz_ike_msg <crash-file>.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <parapass/pp_ike_wire.h>

#include "ike_msg.h"

#define BUF 70000

static void fatal(const char *msg, int v)
{
	fprintf(stderr, "fuzz_ike_msg: oracle failed: %s (%d)\n", msg, v);
	abort();
}

#define CHECK(cond, msg)                                                   \
	do {                                                               \
		if (!(cond))                                               \
			fatal(msg, __LINE__);                              \
	} while (0)

static void check_err(int rc, const struct ike_perr *e)
{
	if (rc == 0)
		return;
	CHECK(rc == -EBADMSG, "rc not -EBADMSG");
	CHECK(e->code > IKE_OK && e->code < IKE_E__COUNT, "error code range");
	CHECK(e->msg[0] != '\0', "error without message");
	CHECK(memchr(e->msg, 0, sizeof(e->msg)) != NULL, "message unterminated");
	if (e->code == IKE_E_CRITICAL)
		CHECK(e->notify == PP_IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD &&
			      e->notify_data_len == 1 &&
			      e->notify_data[0] == e->pld,
		      "critical notify");
}

static void check_chain(const struct ike_chain *c, size_t start)
{
	size_t off = start;

	CHECK(c->n <= IKE_CHAIN_MAX, "chain too long");
	for (unsigned int i = 0; i < c->n; i++) {
		const struct ike_pld *p = &c->pld[i];

		CHECK(p->off == off && p->body_off == off + 4, "tiling");
		off = (size_t)p->body_off + p->body_len;
		CHECK(off <= c->len, "payload past end");
		CHECK(p->known == ike_pld_known(p->type), "known flag");
		CHECK(p->known || !p->critical, "unknown critical accepted");
		if (p->type == PP_IKE_PLD_SK || p->type == PP_IKE_PLD_SKF)
			CHECK(c->sk == (int)i && i + 1 == c->n, "SK not last");
	}
	CHECK(off == c->len, "chain does not cover the buffer");
}

/* ---------------------------------------------------------------------- */
/* Bodies: validate == parse, regenerate, fixed point                     */
/* ---------------------------------------------------------------------- */

static struct ike_sa sa_a;
static struct ike_ts ts_a;
static struct ike_cp cp_a;

/*
 * Parse body @b of payload @type and, when it parses and @g is given,
 * generate it. Returns the parse result; checks validate agrees.
 */
static int body_roundtrip(uint8_t type, unsigned int sa_flags,
			  const uint8_t *b, size_t len, struct ike_gen *g)
{
	struct ike_perr ev, ep;
	int rv, rp, rg = 0;
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

	switch (type) {
	case PP_IKE_PLD_SA:
		rv = ike_sa_validate(b, len, sa_flags, &ev);
		rp = ike_sa_parse(b, len, sa_flags, &sa_a, &ep);
		if (!rp && g)
			rg = ike_gen_sa(g, &sa_a);
		break;
	case PP_IKE_PLD_KE:
		rv = ike_ke_validate(b, len, &ev);
		rp = ike_ke_parse(b, len, &u.ke, &ep);
		if (!rp && g)
			rg = ike_gen_ke(g, &u.ke);
		break;
	case PP_IKE_PLD_IDI:
	case PP_IKE_PLD_IDR:
		rv = ike_id_validate(b, len, &ev);
		rp = ike_id_parse(b, len, &u.id, &ep);
		if (!rp && g)
			rg = ike_gen_id(g, type, &u.id);
		break;
	case PP_IKE_PLD_CERT:
		rv = ike_cert_validate(b, len, &ev);
		rp = ike_cert_parse(b, len, &u.cert, &ep);
		if (!rp && g)
			rg = ike_gen_cert(g, &u.cert);
		break;
	case PP_IKE_PLD_CERTREQ:
		rv = ike_certreq_validate(b, len, &ev);
		rp = ike_certreq_parse(b, len, &u.cert, &ep);
		if (!rp && g)
			rg = ike_gen_certreq(g, &u.cert);
		break;
	case PP_IKE_PLD_AUTH:
		rv = ike_auth_validate(b, len, &ev);
		rp = ike_auth_parse(b, len, &u.auth, &ep);
		if (!rp && g)
			rg = ike_gen_auth(g, &u.auth);
		break;
	case PP_IKE_PLD_NONCE:
		rv = ike_nonce_validate(b, len, &ev);
		rp = ike_nonce_parse(b, len, &u.no, &ep);
		if (!rp && g)
			rg = ike_gen_nonce(g, u.no.data, u.no.len);
		break;
	case PP_IKE_PLD_NOTIFY:
		rv = ike_notify_validate(b, len, &ev);
		rp = ike_notify_parse(b, len, &u.n, &ep);
		if (!rp && g)
			rg = ike_gen_notify(g, &u.n);
		break;
	case PP_IKE_PLD_DELETE:
		rv = ike_delete_validate(b, len, &ev);
		rp = ike_delete_parse(b, len, &u.d, &ep);
		if (!rp) {
			for (unsigned int i = 0; i < u.d.n_spis; i++)
				(void)ike_delete_spi(&u.d, i);
			if (g)
				rg = ike_gen_delete(g, &u.d);
		}
		break;
	case PP_IKE_PLD_VENDOR:
		rv = ike_vendor_validate(b, len, &ev);
		rp = ike_vendor_parse(b, len, &u.v, &ep);
		if (!rp && g)
			rg = ike_gen_vendor(g, u.v.data, u.v.len);
		break;
	case PP_IKE_PLD_TSI:
	case PP_IKE_PLD_TSR:
		rv = ike_ts_validate(b, len, &ev);
		rp = ike_ts_parse(b, len, &ts_a, &ep);
		if (!rp && g)
			rg = ike_gen_ts(g, type, &ts_a);
		break;
	case PP_IKE_PLD_CP:
		rv = ike_cp_validate(b, len, &ev);
		rp = ike_cp_parse(b, len, &cp_a, &ep);
		if (!rp && g)
			rg = ike_gen_cp(g, &cp_a);
		break;
	case PP_IKE_PLD_EAP:
		rv = ike_eap_validate(b, len, &ev);
		rp = ike_eap_parse(b, len, &u.eap, &ep);
		if (!rp && g)
			rg = ike_gen_eap(g, &u.eap);
		break;
	default:
		return -ENOENT;
	}
	CHECK(rv == rp, "validate and parse disagree");
	check_err(rv, &ev);
	check_err(rp, &ep);
	if (rv)
		CHECK(ev.code == ep.code, "validate and parse codes differ");
	/* -ENOSPC/-EMSGSIZE are legitimate for a full generator buffer */
	CHECK(rg == 0 || rg == -ENOSPC || rg == -EMSGSIZE,
	      "generator refused a parsed body");
	return rp;
}

static uint8_t fx_a[BUF], fx_b[BUF];

/* A parsed body regenerates, and the regenerated payload is a fixed point. */
static void body_fixpoint(uint8_t type, unsigned int sa_flags,
			  const uint8_t *b, size_t len)
{
	struct ike_gen g;
	struct ike_chain c;
	struct ike_perr e;
	size_t la, lb;

	ike_gen_init_chain(&g, fx_a, sizeof(fx_a));
	if (body_roundtrip(type, sa_flags, b, len, &g))
		return;
	CHECK(ike_gen_finish(&g, &la) == 0, "gen finish");
	CHECK(ike_inner_parse(fx_a, la, g.first, &c, &e) == 0,
	      "regenerated payload does not parse");
	CHECK(c.n == 1 && c.pld[0].type == type, "regenerated type");
	/* the generator numbers several proposals 1..n; re-check as that */
	if (type == PP_IKE_PLD_SA && sa_a.n_proposals > 1)
		sa_flags = 0;
	ike_gen_init_chain(&g, fx_b, sizeof(fx_b));
	CHECK(body_roundtrip(type, sa_flags, ike_pld_body(&c, 0),
			     c.pld[0].body_len, &g) == 0,
	      "regenerated body does not parse");
	CHECK(ike_gen_finish(&g, &lb) == 0, "gen finish 2");
	CHECK(la == lb && !memcmp(fx_a, fx_b, la), "not a fixed point");
}

static void bodies(const struct ike_chain *c, bool response)
{
	for (unsigned int i = 0; i < c->n; i++) {
		const struct ike_pld *p = &c->pld[i];

		if (p->type == PP_IKE_PLD_SK || p->type == PP_IKE_PLD_SKF ||
		    !p->known)
			continue;
		body_fixpoint(p->type, response ? IKE_SA_F_RESPONSE : 0,
			      ike_pld_body(c, i), p->body_len);
	}
}

static void chain_all(const struct ike_chain *c, uint8_t exch, bool response,
		      bool inner)
{
	struct ike_perr e;

	check_chain(c, inner ? 0 : PP_IKE_HDR_LEN);
	check_err(ike_chain_validate(c, exch, response, inner, &e), &e);
	check_err(ike_chain_check_bodies(c, response, &e), &e);
	bodies(c, response);
}

static void do_inner(const uint8_t *p, size_t len, uint8_t first,
		     uint8_t exch, bool response)
{
	struct ike_chain c;
	struct ike_perr e;
	int rc = ike_inner_parse(p, len, first, &c, &e);

	check_err(rc, &e);
	if (!rc)
		chain_all(&c, exch, response, true);
}

static void do_msg(const uint8_t *p, size_t len)
{
	static const size_t params[][3] = { { 8, 16, 1 }, { 16, 12, 16 },
					    { 0, 0, 1 } };
	static struct ike_msg m;
	struct ike_perr e;
	bool resp;
	int rc = ike_msg_parse(p, len, &m);

	check_err(rc, &m.err);
	if (rc)
		return;
	CHECK(m.hdr.length == len && m.hdr.spi_i != 0, "header oracle");
	resp = ike_hdr_is_response(&m.hdr);
	chain_all(&m.chain, m.hdr.exchange, resp, false);
	check_err(ike_msg_validate(&m, &e), &e);
	for (size_t k = 0; k < 3; k++) {
		struct ike_sk_layout lay;
		size_t inner;

		rc = ike_msg_sk(&m, params[k][0], params[k][1], params[k][2],
				&lay, &e);
		if (rc == -ENOENT) {
			CHECK(m.chain.sk < 0, "ENOENT with SK");
			return;
		}
		check_err(rc, &e);
		if (rc)
			continue;
		CHECK(lay.iv_off + lay.iv_len == lay.ct_off &&
			      lay.ct_off + lay.ct_len == lay.icv_off &&
			      lay.icv_off + lay.icv_len == len &&
			      lay.aad_len == lay.iv_off,
		      "SK layout");
		CHECK(lay.ct_len % params[k][2] == 0 && lay.ct_len >= 1,
		      "SK blocks");
		rc = ike_sk_unpad(p + lay.ct_off, lay.ct_len, &inner, &e);
		check_err(rc, &e);
		if (!rc)
			do_inner(p + lay.ct_off, inner, lay.first,
				 m.hdr.exchange, resp);
	}
}

/* Mode 2: one body. */
static const uint8_t body_types[] = {
	PP_IKE_PLD_SA,	    PP_IKE_PLD_KE,	PP_IKE_PLD_IDI,
	PP_IKE_PLD_CERT,    PP_IKE_PLD_CERTREQ, PP_IKE_PLD_AUTH,
	PP_IKE_PLD_NONCE,   PP_IKE_PLD_NOTIFY,	PP_IKE_PLD_DELETE,
	PP_IKE_PLD_VENDOR,  PP_IKE_PLD_TSI,	PP_IKE_PLD_CP,
	PP_IKE_PLD_EAP,	    PP_IKE_PLD_SK,	PP_IKE_PLD_SKF,
};
#define N_BODY_TYPES (sizeof(body_types) / sizeof(body_types[0]))

static void do_body(uint8_t kind, uint8_t arg, const uint8_t *b, size_t len)
{
	static const size_t sk_params[][3] = {
		{ 8, 16, 1 }, { 16, 12, 16 }, { 16, 16, 16 }, { 0, 0, 1 },
		{ 8, 8, 1 },  { 8, 16, 8 },  { 16, 32, 16 }, { 0, 64, 64 },
	};
	uint8_t type = body_types[kind % N_BODY_TYPES];
	const size_t *sp = sk_params[arg % 8];
	struct ike_sk sk;
	struct ike_perr e;
	int rv, rp;

	switch (type) {
	case PP_IKE_PLD_SK:
		rv = ike_sk_validate(b, len, sp[0], sp[1], sp[2], &e);
		check_err(rv, &e);
		rp = ike_sk_parse(b, len, sp[0], sp[1], sp[2], &sk, &e);
		check_err(rp, &e);
		CHECK(rv == rp, "sk validate/parse");
		if (!rp)
			CHECK(sk.ct_off + sk.ct_len == sk.icv_off &&
				      sk.icv_off + sk.icv_len == len,
			      "sk layout");
		break;
	case PP_IKE_PLD_SKF:
		rv = ike_skf_validate(b, len, (uint8_t)(arg >> 3), sp[0],
				      sp[1], sp[2], &e);
		check_err(rv, &e);
		rp = ike_skf_parse(b, len, (uint8_t)(arg >> 3), sp[0], sp[1],
				   sp[2], &sk, &e);
		check_err(rp, &e);
		CHECK(rv == rp, "skf validate/parse");
		if (!rp)
			CHECK(sk.frag_num >= 1 && sk.frag_num <= sk.frag_total &&
				      sk.icv_off + sk.icv_len == len,
			      "skf fields");
		break;
	default:
		if (type == PP_IKE_PLD_IDI && (arg & 1))
			type = PP_IKE_PLD_IDR;
		if (type == PP_IKE_PLD_TSI && (arg & 1))
			type = PP_IKE_PLD_TSR;
		body_fixpoint(type, (arg & 1) ? IKE_SA_F_RESPONSE : 0, b, len);
		break;
	}
}

/* Mode 3: generator script; its output must parse. */
static uint8_t gen_out[BUF];

static void do_gen(const uint8_t *d, size_t len)
{
	static struct ike_msg m;
	struct ike_hdr h = { .spi_i = 0x0102030405060708ull,
			     .version = PP_IKE_VERSION };
	struct ike_gen g;
	struct ike_sk_layout lay;
	struct ike_perr e;
	size_t off = 3, out_len;
	bool sk, in_sk = false;
	unsigned int n = 0;
	int rc;

	if (len < 3)
		return;
	h.exchange = d[0];
	h.flags = d[1] & PP_IKE_FLAGS_KNOWN;
	sk = d[2] & 1;
	ike_gen_init(&g, gen_out, sizeof(gen_out), &h);
	while (off + 2 <= len) {
		uint8_t type = (uint8_t)(PP_IKE_PLD_SA + d[off] % 16);
		size_t blen = d[off + 1];

		off += 2;
		if (blen > len - off)
			blen = len - off;
		if (sk && n == 1 && !in_sk) {
			if (ike_gen_sk_begin(&g, 8))
				break;
			in_sk = true;
		}
		if (body_roundtrip(type, 0, d + off, blen, &g))
			ike_gen_raw(&g, 250, false, d + off, blen);
		if (g.err)
			break;
		off += blen;
		n++;
	}
	if (in_sk && !g.err)
		ike_gen_sk_end(&g, (d[2] & 2) ? 16 : 1, 16, &lay);
	rc = ike_gen_finish(&g, &out_len);
	if (rc) {
		CHECK(rc == -ENOSPC || rc == -EMSGSIZE || rc == -EINVAL,
		      "generator error");
		return;
	}
	rc = ike_msg_parse(gen_out, out_len, &m);
	CHECK(rc == 0, "generated message does not parse");
	CHECK(ike_chain_check_bodies(&m.chain, false, &e) == 0,
	      "generated bodies do not validate");
	if (in_sk) {
		size_t inner;

		CHECK(ike_msg_sk(&m, 8, 16, (d[2] & 2) ? 16 : 1, &lay, &e) == 0,
		      "generated SK layout");
		CHECK(ike_sk_unpad(gen_out + lay.ct_off, lay.ct_len, &inner,
				   &e) == 0,
		      "generated padding");
		CHECK(ike_inner_parse(gen_out + lay.ct_off, inner, lay.first,
				      &m.chain, &e) == 0,
		      "generated inner chain");
	}
	if (!in_sk)
		CHECK(m.chain.n == n, "generated payload count");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0:
		do_msg(data + 1, size - 1);
		break;
	case 1:
		if (size >= 3)
			do_inner(data + 3, size - 3, data[1],
				 (uint8_t)(PP_IKE_EXCH_IKE_SA_INIT + (data[2] & 3)),
				 (data[2] & 4) != 0);
		break;
	case 2:
		if (size >= 3)
			do_body(data[1], data[2], data + 3, size - 3);
		break;
	case 3:
		do_gen(data + 1, size - 1);
		break;
	}
	return 0;
}

#ifdef FUZZ_SEEDGEN
/* ---------------------------------------------------------------------- */
/* Seed corpus                                                            */
/* ---------------------------------------------------------------------- */

static const char *seed_dir;
static unsigned int n_seeds;

static void seed(uint8_t mode, const uint8_t *pre, size_t pre_len,
		 const uint8_t *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%03u", seed_dir, n_seeds++);
	f = fopen(path, "wb");
	if (!f || fwrite(&mode, 1, 1, f) != 1 ||
	    (pre_len && fwrite(pre, 1, pre_len, f) != pre_len) ||
	    (len && fwrite(p, 1, len, f) != len) || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static size_t hex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (*h && n < cap) {
		unsigned int v;

		if (*h == ' ') {
			h++;
			continue;
		}
		if (sscanf(h, "%2x", &v) != 1)
			exit(2);
		out[n++] = (uint8_t)v;
		h += 2;
	}
	return n;
}

static void xf(struct ike_transform *t, uint8_t type, uint16_t id, int kl)
{
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->id = id;
	t->has_key_len = kl >= 0;
	t->key_len = kl >= 0 ? (uint16_t)kl : 0;
}

/* Each payload of a generated chain also becomes a BODY seed. */
static void seed_bodies(const uint8_t *p, size_t len, uint8_t first)
{
	struct ike_chain c;

	if (ike_inner_parse(p, len, first, &c, NULL))
		exit(3);
	for (unsigned int i = 0; i < c.n; i++) {
		uint8_t pre[2] = { 0, 0 };

		for (size_t k = 0; k < N_BODY_TYPES; k++)
			if (body_types[k] == c.pld[i].type ||
			    (body_types[k] == PP_IKE_PLD_IDI &&
			     c.pld[i].type == PP_IKE_PLD_IDR) ||
			    (body_types[k] == PP_IKE_PLD_TSI &&
			     c.pld[i].type == PP_IKE_PLD_TSR))
				pre[0] = (uint8_t)k;
		seed(2, pre, 2, ike_pld_body(&c, i), c.pld[i].body_len);
	}
}

int main(int argc, char **argv)
{
	static struct ike_sa sa;
	static struct ike_ts ts;
	static struct ike_cp cp;
	static uint8_t msg[8192], chain[8192];
	uint8_t data[300], first;
	struct ike_hdr h = { .spi_i = 0x0102030405060708ull,
			     .version = PP_IKE_VERSION,
			     .exchange = PP_IKE_EXCH_IKE_SA_INIT,
			     .flags = PP_IKE_FLAG_I };
	struct ike_gen g;
	struct ike_sk_layout lay;
	size_t len, clen;

	if (argc != 2) {
		fprintf(stderr, "usage: %s <dir>\n", argv[0]);
		return 2;
	}
	seed_dir = argv[1];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 1);

	/* IKE_SA_INIT request: SA (2 proposals), KE 19, Ni, N, N, V */
	memset(&sa, 0, sizeof(sa));
	sa.n_proposals = 2;
	sa.prop[0] = (struct ike_proposal){ .num = 1, .protocol = 1,
					    .n_transforms = 4 };
	xf(&sa.prop[0].xf[0], 1, 20, 256);
	xf(&sa.prop[0].xf[1], 2, 5, -1);
	xf(&sa.prop[0].xf[2], 4, 19, -1);
	xf(&sa.prop[0].xf[3], 4, 31, -1);
	sa.prop[1] = (struct ike_proposal){ .num = 2, .protocol = 1,
					    .n_transforms = 4 };
	xf(&sa.prop[1].xf[0], 1, 12, 128);
	xf(&sa.prop[1].xf[1], 3, 12, -1);
	xf(&sa.prop[1].xf[2], 2, 5, -1);
	xf(&sa.prop[1].xf[3], 4, 14, -1);
	ike_gen_init(&g, msg, sizeof(msg), &h);
	ike_gen_sa(&g, &sa);
	ike_gen_ke(&g, &(struct ike_ke){ 19, data, 64 });
	ike_gen_nonce(&g, data, 32);
	ike_gen_notify(&g, &(struct ike_notify){
				   .type = PP_IKE_N_NAT_DETECTION_SOURCE_IP,
				   .data = data, .len = 20 });
	ike_gen_notify(&g, &(struct ike_notify){
				   .type = PP_IKE_N_IKEV2_FRAGMENTATION_SUPPORTED });
	ike_gen_vendor(&g, data, 16);
	if (ike_gen_finish(&g, &len))
		return 3;
	seed(0, NULL, 0, msg, len);
	seed_bodies(msg + PP_IKE_HDR_LEN, len - PP_IKE_HDR_LEN, msg[16]);

	/* IKE_SA_INIT response with CERTREQ and COOKIE-only response */
	h.flags = PP_IKE_FLAG_R;
	h.spi_r = 0x1112131415161718ull;
	sa.n_proposals = 1;
	sa.prop[0].n_transforms = 3;
	ike_gen_init(&g, msg, sizeof(msg), &h);
	ike_gen_sa(&g, &sa);
	ike_gen_ke(&g, &(struct ike_ke){ 31, data, 32 });
	ike_gen_nonce(&g, data + 5, 32);
	ike_gen_certreq(&g, &(struct ike_cert){ 4, data, 40 });
	if (ike_gen_finish(&g, &len))
		return 3;
	seed(0, NULL, 0, msg, len);
	h.spi_r = 0;
	ike_gen_init(&g, msg, sizeof(msg), &h);
	ike_gen_notify(&g, &(struct ike_notify){ .type = PP_IKE_N_COOKIE,
						 .data = data, .len = 24 });
	if (ike_gen_finish(&g, &len))
		return 3;
	seed(0, NULL, 0, msg, len);

	/* IKE_AUTH request inner chain, as INNER and inside SK / SKF */
	memset(&sa, 0, sizeof(sa));
	sa.n_proposals = 1;
	sa.prop[0] = (struct ike_proposal){ .num = 1, .protocol = 3,
					    .spi_size = 4,
					    .spi = { 0xc0, 0xff, 0xee, 1 },
					    .n_transforms = 3 };
	xf(&sa.prop[0].xf[0], 1, 20, 256);
	xf(&sa.prop[0].xf[1], 5, 1, -1);
	xf(&sa.prop[0].xf[2], 5, 0, -1);
	memset(&ts, 0, sizeof(ts));
	ts.n = 2;
	ts.sel[0] = (struct ike_ts_sel){ 7, 0, 0, 65535, { 0 },
					 { 255, 255, 255, 255 } };
	ts.sel[1] = (struct ike_ts_sel){ 8, 17, 500, 500,
					 { 0x20, 1, 0x0d, 0xb8 },
					 { 0x20, 1, 0x0d, 0xb8, [15] = 0xff } };
	memset(&cp, 0, sizeof(cp));
	cp.cfg_type = PP_IKE_CFG_REQUEST;
	cp.n = 3;
	cp.attr[0].type = PP_IKE_CP_INTERNAL_IP4_ADDRESS;
	cp.attr[1].type = PP_IKE_CP_INTERNAL_IP4_DNS;
	cp.attr[2] = (struct ike_cp_attr){ PP_IKE_CP_INTERNAL_IP6_ADDRESS, 17,
					   data };
	ike_gen_init_chain(&g, chain, sizeof(chain));
	ike_gen_id(&g, PP_IKE_PLD_IDI,
		   &(struct ike_id){ PP_IKE_ID_FQDN,
				     (const uint8_t *)"vpn.example", 11 });
	ike_gen_cert(&g, &(struct ike_cert){ 4, data, 40 });
	ike_gen_certreq(&g, &(struct ike_cert){ 4, data, 20 });
	ike_gen_id(&g, PP_IKE_PLD_IDR,
		   &(struct ike_id){ PP_IKE_ID_IPV4_ADDR, data, 4 });
	ike_gen_auth(&g, &(struct ike_auth){ 2, data, 32 });
	ike_gen_cp(&g, &cp);
	ike_gen_notify(&g, &(struct ike_notify){ .type = 16384 });
	ike_gen_sa(&g, &sa);
	ike_gen_ts(&g, PP_IKE_PLD_TSI, &ts);
	ike_gen_ts(&g, PP_IKE_PLD_TSR, &ts);
	ike_gen_eap(&g, &(struct ike_eap){ 2, 1, 1,
					   (const uint8_t *)"user", 4 });
	if (ike_gen_finish(&g, &clen))
		return 3;
	first = g.first;
	seed(1, (const uint8_t[]){ first, 1 }, 2, chain, clen);
	seed_bodies(chain, clen, first);

	h.exchange = PP_IKE_EXCH_IKE_AUTH;
	h.flags = PP_IKE_FLAG_I;
	h.spi_r = 0x1112131415161718ull;
	h.msg_id = 1;
	/* the plaintext chain inside SK, "encrypted" as is (IV 8, ICV 16) */
	ike_gen_init(&g, msg, sizeof(msg), &h);
	ike_gen_skf_begin(&g, first, 1, 1, 8);
	ike_gen_sk_put(&g, chain, clen);
	ike_gen_sk_end(&g, 1, 16, &lay);
	if (ike_gen_finish(&g, &len))
		return 3;
	seed(0, NULL, 0, msg, len);
	{
		/* an SK message with a shorter chain, CBC-style padding */
		ike_gen_init(&g, msg, sizeof(msg), &h);
		ike_gen_sk_begin(&g, 8);
		ike_gen_id(&g, PP_IKE_PLD_IDI,
			   &(struct ike_id){ PP_IKE_ID_FQDN,
					     (const uint8_t *)"vpn.example",
					     11 });
		ike_gen_auth(&g, &(struct ike_auth){ 2, data, 32 });
		ike_gen_sa(&g, &sa);
		ike_gen_ts(&g, PP_IKE_PLD_TSI, &ts);
		ike_gen_ts(&g, PP_IKE_PLD_TSR, &ts);
		ike_gen_sk_end(&g, 16, 16, &lay);
		if (ike_gen_finish(&g, &len))
			return 3;
		seed(0, NULL, 0, msg, len);
	}
	/* fragments 1/2 and 2/2 */
	for (uint16_t f = 1; f <= 2; f++) {
		size_t half = clen / 2;

		ike_gen_init(&g, msg, sizeof(msg), &h);
		ike_gen_skf_begin(&g, first, f, 2, 16);
		ike_gen_sk_put(&g, f == 1 ? chain : chain + half,
			       f == 1 ? half : clen - half);
		ike_gen_sk_end(&g, 16, 12, &lay);
		if (ike_gen_finish(&g, &len))
			return 3;
		seed(0, NULL, 0, msg, len);
	}

	/* INFORMATIONAL inner: Delete ESP, Delete IKE, N(REKEY), CP reply,
	 * EAP success, unknown non-critical payload */
	memset(&cp, 0, sizeof(cp));
	cp.cfg_type = PP_IKE_CFG_REPLY;
	cp.n = 2;
	cp.attr[0] = (struct ike_cp_attr){ 1, 4, data };
	cp.attr[1] = (struct ike_cp_attr){ 14, 4, data };
	ike_gen_init_chain(&g, chain, sizeof(chain));
	ike_gen_delete(&g, &(struct ike_delete){ 3, 4, 2, data });
	ike_gen_delete(&g, &(struct ike_delete){ 1, 0, 0, NULL });
	ike_gen_notify(&g, &(struct ike_notify){ .protocol = 3,
						 .spi_size = 4,
						 .type = PP_IKE_N_REKEY_SA,
						 .spi = { 1, 2, 3, 4 } });
	ike_gen_notify(&g, &(struct ike_notify){
				   .type = PP_IKE_N_SIGNATURE_HASH_ALGORITHMS,
				   .data = data, .len = 8 });
	ike_gen_cp(&g, &cp);
	ike_gen_eap(&g, &(struct ike_eap){ 3, 2, 0, NULL, 0 });
	ike_gen_raw(&g, 49, false, data, 5);
	if (ike_gen_finish(&g, &clen))
		return 3;
	seed(1, (const uint8_t[]){ g.first, 3 }, 2, chain, clen);
	seed_bodies(chain, clen, g.first);

	/* RFC 7634 Appendix B message */
	len = hex("c0c1c2c3c4c5c6c7 d0d1d2d3d4d5d6d7 2e202500 00000009 00000045"
		  "29000029 1011121314151617 610394701f8d017f7c12924889"
		  "6b71bfe25236efd7cdc67066906315b2",
		  msg, sizeof(msg));
	seed(0, NULL, 0, msg, len);

	/* SK / SKF bodies */
	seed(2, (const uint8_t[]){ 13, 0 }, 2, data, 40);
	seed(2, (const uint8_t[]){ 14, (uint8_t)(35 << 3) }, 2,
	     (const uint8_t[]){ 0, 1, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
				12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
				24, 25, 26, 27, 28 },
	     32);

	/* generator scripts: [exch][flags][sk] ([type][len] body)... */
	{
		uint8_t s[128] = { 37, 0x08, 1 };
		size_t n = 3;

		s[n++] = 41 - 33; /* Notify */
		s[n++] = 4;
		memcpy(s + n, "\x00\x00\x40\x00", 4);
		n += 4;
		s[n++] = 42 - 33; /* Delete IKE */
		s[n++] = 4;
		memcpy(s + n, "\x01\x00\x00\x00", 4);
		n += 4;
		s[n++] = 40 - 33; /* Nonce */
		s[n++] = 16;
		memcpy(s + n, data, 16);
		n += 16;
		seed(3, NULL, 0, s, n);
		s[2] = 3;
		seed(3, NULL, 0, s, n);
	}
	printf("fuzz_ike_seeds: %u seeds in %s\n", n_seeds, seed_dir);
	return 0;
}
#endif /* FUZZ_SEEDGEN */
