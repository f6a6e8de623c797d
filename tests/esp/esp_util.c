/* SPDX-License-Identifier: BSD-2-Clause */
/* libesp test helpers and the OpenSSL-based reference ESP codec. */
#include "esp_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

const struct eu_suite eu_suites[] = {
	{ "aes-gcm-128", PP_ESP_CIPHER_AES_GCM_16, 20, PP_ESP_INTEG_NONE },
	{ "aes-gcm-256", PP_ESP_CIPHER_AES_GCM_16, 36, PP_ESP_INTEG_NONE },
	{ "chacha20-poly1305", PP_ESP_CIPHER_CHACHA20_POLY1305, 36,
	  PP_ESP_INTEG_NONE },
	{ "aes-cbc-128/sha256", PP_ESP_CIPHER_AES_CBC, 16,
	  PP_ESP_INTEG_HMAC_SHA256_128 },
	{ "aes-cbc-128/sha384", PP_ESP_CIPHER_AES_CBC, 16,
	  PP_ESP_INTEG_HMAC_SHA384_192 },
	{ "aes-cbc-128/sha512", PP_ESP_CIPHER_AES_CBC, 16,
	  PP_ESP_INTEG_HMAC_SHA512_256 },
	{ "aes-cbc-256/sha256", PP_ESP_CIPHER_AES_CBC, 32,
	  PP_ESP_INTEG_HMAC_SHA256_128 },
	{ "aes-cbc-256/sha384", PP_ESP_CIPHER_AES_CBC, 32,
	  PP_ESP_INTEG_HMAC_SHA384_192 },
	{ "aes-cbc-256/sha512", PP_ESP_CIPHER_AES_CBC, 32,
	  PP_ESP_INTEG_HMAC_SHA512_256 },
	{ "null/sha256", PP_ESP_CIPHER_NULL, 0, PP_ESP_INTEG_HMAC_SHA256_128 },
	{ "null/sha384", PP_ESP_CIPHER_NULL, 0, PP_ESP_INTEG_HMAC_SHA384_192 },
	{ "null/sha512", PP_ESP_CIPHER_NULL, 0, PP_ESP_INTEG_HMAC_SHA512_256 },
};
const size_t eu_n_suites = sizeof(eu_suites) / sizeof(eu_suites[0]);

const uint8_t eu_v4_a[4] = { 192, 0, 2, 1 };
const uint8_t eu_v4_b[4] = { 198, 51, 100, 2 };
const uint8_t eu_v6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
			      0,    0,    0,    0,    0, 0, 0, 1 };
const uint8_t eu_v6_b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0xff,
			      0,    0,    0,    0,    0, 0, 0, 2 };
const uint8_t eu_in4_a[4] = { 10, 1, 2, 3 };
const uint8_t eu_in4_b[4] = { 10, 9, 8, 7 };
const uint8_t eu_in6_a[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 1,
			       0,    0, 0, 0, 0, 0, 0, 0x11 };
const uint8_t eu_in6_b[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 2,
			       0,    0, 0, 0, 0, 0, 0, 0x22 };

size_t eu_iv_len(enum pp_esp_cipher c)
{
	switch (c) {
	case PP_ESP_CIPHER_AES_CBC:
		return 16;
	case PP_ESP_CIPHER_AES_GCM_16:
	case PP_ESP_CIPHER_CHACHA20_POLY1305:
		return 8;
	default:
		return 0;
	}
}

size_t eu_block(enum pp_esp_cipher c)
{
	return c == PP_ESP_CIPHER_AES_CBC ? 16 : 4;
}

size_t eu_icv_len(enum pp_esp_cipher c, enum pp_esp_integ i)
{
	if (c == PP_ESP_CIPHER_AES_GCM_16 ||
	    c == PP_ESP_CIPHER_CHACHA20_POLY1305)
		return 16;
	switch (i) {
	case PP_ESP_INTEG_HMAC_SHA256_128:
		return 16;
	case PP_ESP_INTEG_HMAC_SHA384_192:
		return 24;
	case PP_ESP_INTEG_HMAC_SHA512_256:
		return 32;
	default:
		return 0;
	}
}

size_t eu_ikey_len(enum pp_esp_integ i)
{
	switch (i) {
	case PP_ESP_INTEG_HMAC_SHA256_128:
		return 32;
	case PP_ESP_INTEG_HMAC_SHA384_192:
		return 48;
	case PP_ESP_INTEG_HMAC_SHA512_256:
		return 64;
	default:
		return 0;
	}
}

void eu_make_keys(const struct eu_cfg *cfg, struct eu_keys *k)
{
	memset(k, 0, sizeof(*k));
	k->ckey_len = cfg->suite->ckey_len;
	k->ikey_len = eu_ikey_len(cfg->suite->integ);
	pb_fill(k->ckey, sizeof(k->ckey), 0x1000 + cfg->key_seed);
	pb_fill(k->ikey, sizeof(k->ikey), 0x2000 + cfg->key_seed);
}

static void set_addr(struct pp_esp_addr *a, int family, const uint8_t *b)
{
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	memcpy(a->bytes, b, family == 6 ? 16 : 4);
}

void eu_params(const struct eu_cfg *cfg, const struct eu_keys *k,
	       enum pp_esp_dir dir, struct pp_esp_sa_params *prm)
{
	bool v6 = cfg->outer_family == 6;

	memset(prm, 0, sizeof(*prm));
	prm->dir = dir;
	prm->mode = cfg->mode;
	prm->spi = cfg->spi ? cfg->spi : EU_SPI;
	prm->flags = cfg->flags;
	prm->cipher = cfg->suite->cipher;
	prm->cipher_key = k->ckey_len ? k->ckey : NULL;
	prm->cipher_key_len = k->ckey_len;
	prm->integ = cfg->suite->integ;
	prm->integ_key = k->ikey_len ? k->ikey : NULL;
	prm->integ_key_len = k->ikey_len;
	/* Outbound A -> B; the inbound SA is B's, receiving from A. */
	set_addr(&prm->outer_src, v6 ? 6 : 4, v6 ? eu_v6_a : eu_v4_a);
	set_addr(&prm->outer_dst, v6 ? 6 : 4, v6 ? eu_v6_b : eu_v4_b);
	prm->outer_ttl = cfg->outer_ttl;
	prm->encap_sport = cfg->encap_sport;
	prm->encap_dport = cfg->encap_dport;
	prm->replay_window = cfg->replay_window;
	prm->max_pkt_len = cfg->max_pkt_len;
	prm->soft = cfg->soft;
	prm->hard = cfg->hard;
	prm->now = cfg->now;
	prm->event_fn = cfg->event_fn;
	prm->event_opaque = cfg->event_opaque;
	prm->initial_seq = dir == PP_ESP_DIR_OUTBOUND ? cfg->initial_seq
						      : cfg->in_initial_seq;
}

int eu_sa_pair(const struct eu_cfg *cfg, struct pp_esp_sa **out,
	       struct pp_esp_sa **in)
{
	struct pp_esp_sa_params prm;
	struct eu_keys k;
	int rc;

	eu_make_keys(cfg, &k);
	*out = NULL;
	*in = NULL;
	eu_params(cfg, &k, PP_ESP_DIR_OUTBOUND, &prm);
	rc = pp_esp_sa_create(&prm, out);
	if (rc != 0)
		return rc;
	eu_params(cfg, &k, PP_ESP_DIR_INBOUND, &prm);
	rc = pp_esp_sa_create(&prm, in);
	if (rc != 0) {
		pp_esp_sa_destroy(*out);
		*out = NULL;
	}
	return rc;
}

void eu_ref_from(const struct eu_cfg *cfg, const struct eu_keys *k,
		 struct eu_ref *r)
{
	memset(r, 0, sizeof(*r));
	r->cipher = cfg->suite->cipher;
	r->integ = cfg->suite->integ;
	r->ckey = k->ckey;
	r->ckey_len = k->ckey_len;
	r->ikey = k->ikey;
	r->ikey_len = k->ikey_len;
	r->esn = (cfg->flags & PP_ESP_SA_F_ESN) != 0;
}

static const EVP_MD *md_of(enum pp_esp_integ i)
{
	switch (i) {
	case PP_ESP_INTEG_HMAC_SHA256_128:
		return EVP_sha256();
	case PP_ESP_INTEG_HMAC_SHA384_192:
		return EVP_sha384();
	case PP_ESP_INTEG_HMAC_SHA512_256:
		return EVP_sha512();
	default:
		return NULL;
	}
}

size_t eu_hmac(enum pp_esp_integ i, const uint8_t *key, size_t key_len,
	       const uint8_t *data, size_t len, uint8_t *out)
{
	uint8_t full[EVP_MAX_MD_SIZE];
	unsigned int flen = 0;
	size_t t = eu_icv_len(PP_ESP_CIPHER_NULL, i);

	if (md_of(i) == NULL ||
	    HMAC(md_of(i), key, (int)key_len, data, len, full, &flen) == NULL)
		return 0;
	memcpy(out, full, t);
	return t;
}

/* HMAC over SPI..NH (= @msg) and, with ESN, the high sequence bits. */
static void esp_hmac(const struct eu_ref *r, const uint8_t *msg, size_t len,
		     uint32_t seq_hi, uint8_t *icv)
{
	uint8_t full[EVP_MAX_MD_SIZE];
	unsigned int flen = 0;
	uint8_t *buf = malloc(len + 4);

	if (buf == NULL)
		fail_msg("out of memory");
	memcpy(buf, msg, len);
	pb_put32(buf + len, seq_hi);
	if (HMAC(md_of(r->integ), r->ikey, (int)r->ikey_len, buf,
		 len + (r->esn ? 4 : 0), full, &flen) == NULL)
		fail_msg("reference HMAC failed");
	free(buf);
	memcpy(icv, full, eu_icv_len(r->cipher, r->integ));
}

static const EVP_CIPHER *aead_of(const struct eu_ref *r)
{
	if (r->cipher == PP_ESP_CIPHER_CHACHA20_POLY1305)
		return EVP_chacha20_poly1305();
	switch (r->ckey_len - 4) {
	case 16:
		return EVP_aes_128_gcm();
	case 24:
		return EVP_aes_192_gcm();
	default:
		return EVP_aes_256_gcm();
	}
}

static bool is_aead(enum pp_esp_cipher c)
{
	return c == PP_ESP_CIPHER_AES_GCM_16 ||
	       c == PP_ESP_CIPHER_CHACHA20_POLY1305;
}

/* AEAD seal (enc) or open (!enc) @in -> @out; tag in/out @tag. */
static bool aead(const struct eu_ref *r, bool enc, uint32_t spi, uint64_t seq,
		 const uint8_t *iv, const uint8_t *in, size_t len,
		 uint8_t *out, uint8_t *tag)
{
	uint8_t nonce[12], aad[12];
	size_t aad_len;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l = 0, ok;

	memcpy(nonce, r->ckey + r->ckey_len - 4, 4);
	memcpy(nonce + 4, iv, 8);
	pb_put32(aad, spi);
	if (r->esn) {
		pb_put32(aad + 4, (uint32_t)(seq >> 32));
		pb_put32(aad + 8, (uint32_t)seq);
		aad_len = 12;
	} else {
		pb_put32(aad + 4, (uint32_t)seq);
		aad_len = 8;
	}
	ok = c != NULL &&
	     EVP_CipherInit_ex(c, aead_of(r), NULL, NULL, NULL, enc) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) &&
	     EVP_CipherInit_ex(c, NULL, NULL, r->ckey, nonce, enc) &&
	     (enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, tag)) &&
	     EVP_CipherUpdate(c, NULL, &l, aad, (int)aad_len) &&
	     (len == 0 || EVP_CipherUpdate(c, out, &l, in, (int)len)) &&
	     EVP_CipherFinal_ex(c, out + (len ? l : 0), &l) &&
	     (!enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag));
	EVP_CIPHER_CTX_free(c);
	return ok;
}

static bool cbc(const struct eu_ref *r, bool enc, const uint8_t *iv,
		const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	const EVP_CIPHER *ci = r->ckey_len == 16   ? EVP_aes_128_cbc()
			       : r->ckey_len == 24 ? EVP_aes_192_cbc()
						   : EVP_aes_256_cbc();
	int l = 0, ok;

	ok = c != NULL && EVP_CipherInit_ex(c, ci, NULL, r->ckey, iv, enc) &&
	     EVP_CIPHER_CTX_set_padding(c, 0) &&
	     (len == 0 || EVP_CipherUpdate(c, out, &l, in, (int)len)) &&
	     EVP_CipherFinal_ex(c, out + l, &l);
	EVP_CIPHER_CTX_free(c);
	return ok;
}

size_t eu_ref_encode(const struct eu_ref *r, uint32_t spi, uint64_t seq,
		     const uint8_t *iv, const uint8_t *pt, size_t pt_len,
		     uint8_t *out, size_t cap)
{
	size_t ivl = eu_iv_len(r->cipher);
	size_t icvl = eu_icv_len(r->cipher, r->integ);
	size_t total = 8 + ivl + pt_len + icvl;
	uint8_t *ct = out + 8 + ivl;

	if (total > cap)
		return 0;
	if (r->cipher == PP_ESP_CIPHER_AES_CBC && pt_len % 16)
		return 0;
	pb_put32(out, spi);
	pb_put32(out + 4, (uint32_t)seq);
	memcpy(out + 8, iv, ivl);
	if (is_aead(r->cipher)) {
		if (!aead(r, true, spi, seq, iv, pt, pt_len, ct,
			  ct + pt_len))
			return 0;
		return total;
	}
	if (r->cipher == PP_ESP_CIPHER_AES_CBC) {
		if (!cbc(r, true, iv, pt, pt_len, ct))
			return 0;
	} else {
		memmove(ct, pt, pt_len);
	}
	if (icvl)
		esp_hmac(r, out, 8 + ivl + pt_len, (uint32_t)(seq >> 32),
			 ct + pt_len);
	return total;
}

size_t eu_trailer(uint8_t *out, const uint8_t *payload, size_t len,
		  size_t block, size_t extra_pad, uint8_t nh)
{
	size_t pad = (block - (len + 2) % block) % block + extra_pad;
	size_t i;

	memmove(out, payload, len);
	for (i = 0; i < pad; i++)
		out[len + i] = (uint8_t)(i + 1);
	out[len + pad] = (uint8_t)pad;
	out[len + pad + 1] = nh;
	return len + pad + 2;
}

bool eu_ref_decode(const struct eu_ref *r, const uint8_t *esp, size_t len,
		   uint32_t seq_hi, uint8_t *pt, size_t *pt_len)
{
	size_t ivl = eu_iv_len(r->cipher);
	size_t icvl = eu_icv_len(r->cipher, r->integ);
	uint32_t spi, seq_lo;
	size_t clen;
	uint8_t icv[64];

	if (len < 8 + ivl + icvl + 2)
		return false;
	clen = len - 8 - ivl - icvl;
	spi = pb_get32(esp);
	seq_lo = pb_get32(esp + 4);
	if (is_aead(r->cipher)) {
		uint8_t tag[16];

		memcpy(tag, esp + len - 16, 16);
		if (!aead(r, false, spi, (uint64_t)seq_hi << 32 | seq_lo,
			  esp + 8, esp + 8 + ivl, clen, pt, tag))
			return false;
		*pt_len = clen;
		return true;
	}
	if (icvl) {
		esp_hmac(r, esp, 8 + ivl + clen, seq_hi, icv);
		if (CRYPTO_memcmp(icv, esp + len - icvl, icvl) != 0)
			return false;
	}
	if (r->cipher == PP_ESP_CIPHER_AES_CBC) {
		if (clen % 16 || !cbc(r, false, esp + 8, esp + 8 + ivl, clen,
				      pt))
			return false;
	} else {
		memcpy(pt, esp + 8, clen);
	}
	*pt_len = clen;
	return true;
}

int eu_out1(struct pp_esp_sa *sa, struct pp_pkt *p)
{
	struct pp_pkt *v[1] = { p };
	unsigned int n;

	p->status = -1;
	n = pp_esp_outbound(sa, v, 1);
	if ((n == 1) != (p->status == PP_ESP_OK))
		fail_msg("pp_esp_outbound returned %u but status is %d", n,
			 (int)p->status);
	return p->status;
}

int eu_in1(struct pp_esp_sa *sa, struct pp_pkt *p)
{
	struct pp_pkt *v[1] = { p };
	unsigned int n;

	p->status = -1;
	n = pp_esp_inbound(sa, v, 1);
	if ((n == 1) != (p->status == PP_ESP_OK))
		fail_msg("pp_esp_inbound returned %u but status is %d", n,
			 (int)p->status);
	return p->status;
}

void eu_event_cb(void *opaque, struct pp_esp_sa *sa, enum pp_esp_event ev)
{
	struct eu_events *e = opaque;

	e->last_sa = sa;
	switch (ev) {
	case PP_ESP_EVENT_SOFT_EXPIRED:
		e->soft++;
		break;
	case PP_ESP_EVENT_HARD_EXPIRED:
		e->hard++;
		break;
	case PP_ESP_EVENT_SEQ_EXHAUSTED:
		e->exhausted++;
		break;
	default:
		e->other++;
		break;
	}
}

const char *eu_status(int st)
{
	if (st < 0 || st >= PP_ESP_STATUS_COUNT)
		return "?";
	return pp_esp_status_name(st);
}
