/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Proposals (RFC 7296 §2.7, §3.3): strongSwan's proposal syntax, our
 * "default" lists, selection as a responder, the initiator's check of the
 * answer, and the helpers that turn a chosen proposal into a suite.
 *
 * Everything here is a pure function of its arguments: no I/O, no
 * allocation, no state. Wire IDs are the IANA values (pp_ike_wire.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ike_prop.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------------- */
/* Keywords                                                               */
/* ---------------------------------------------------------------------- */

enum kw_kind {
	KW_ENCR,
	KW_INTEG, /* integrity; for IKE also the PRF unless prfX given */
	KW_PRF,
	KW_KE,
	KW_ESN,
};

struct kw {
	const char *name;
	enum kw_kind kind;
	uint16_t id;
	uint16_t bits; /* ENCR Key Length attribute, 0 = none */
};

/* What we implement (ike_crypto for IKE, libesp for ESP). */
static const struct kw keywords[] = {
	{ "aes128", KW_ENCR, PP_IKE_ENCR_AES_CBC, 128 },
	{ "aes256", KW_ENCR, PP_IKE_ENCR_AES_CBC, 256 },
	{ "aes128gcm16", KW_ENCR, PP_IKE_ENCR_AES_GCM_16, 128 },
	{ "aes256gcm16", KW_ENCR, PP_IKE_ENCR_AES_GCM_16, 256 },
	{ "aes128gcm128", KW_ENCR, PP_IKE_ENCR_AES_GCM_16, 128 },
	{ "aes256gcm128", KW_ENCR, PP_IKE_ENCR_AES_GCM_16, 256 },
	{ "chacha20poly1305", KW_ENCR, PP_IKE_ENCR_CHACHA20_POLY1305, 0 },
	{ "sha256", KW_INTEG, PP_IKE_INTEG_HMAC_SHA2_256_128, 0 },
	{ "sha2_256", KW_INTEG, PP_IKE_INTEG_HMAC_SHA2_256_128, 0 },
	{ "sha384", KW_INTEG, PP_IKE_INTEG_HMAC_SHA2_384_192, 0 },
	{ "sha2_384", KW_INTEG, PP_IKE_INTEG_HMAC_SHA2_384_192, 0 },
	{ "sha512", KW_INTEG, PP_IKE_INTEG_HMAC_SHA2_512_256, 0 },
	{ "sha2_512", KW_INTEG, PP_IKE_INTEG_HMAC_SHA2_512_256, 0 },
	{ "prfsha256", KW_PRF, PP_IKE_PRF_HMAC_SHA2_256, 0 },
	{ "prfsha384", KW_PRF, PP_IKE_PRF_HMAC_SHA2_384, 0 },
	{ "prfsha512", KW_PRF, PP_IKE_PRF_HMAC_SHA2_512, 0 },
	{ "modp2048", KW_KE, PP_IKE_DH_MODP2048, 0 },
	{ "ecp256", KW_KE, PP_IKE_DH_ECP256, 0 },
	{ "ecp384", KW_KE, PP_IKE_DH_ECP384, 0 },
	{ "x25519", KW_KE, PP_IKE_DH_CURVE25519, 0 },
	{ "curve25519", KW_KE, PP_IKE_DH_CURVE25519, 0 },
	{ "esn", KW_ESN, PP_IKE_ESN_YES, 0 },
	{ "noesn", KW_ESN, PP_IKE_ESN_NO, 0 },
};

/* strongSwan keywords for algorithms we know of but do not implement:
 * refused with "not implemented" rather than "unknown". */
static const char *const not_implemented[] = {
	"aes192", "aes192gcm16", "aes192gcm128", "aes128gcm8", "aes256gcm8",
	"aes128gcm12", "aes256gcm12", "aes128gcm64", "aes128gcm96",
	"aes256gcm64", "aes256gcm96", "aes128ctr", "aes192ctr", "aes256ctr",
	"aes128ccm8", "aes128ccm12", "aes128ccm16", "aes256ccm8",
	"aes256ccm12", "aes256ccm16", "aes128ccm64", "aes128ccm96",
	"aes128ccm128", "aes256ccm64", "aes256ccm96", "aes256ccm128",
	"aes128gmac", "aes256gmac", "3des", "des", "blowfish", "cast128",
	"camellia128", "camellia192", "camellia256", "null", "md5", "sha1",
	"sha", "md5_128", "sha1_160", "sha256_96", "sha2_256_96", "aesxcbc",
	"aescmac", "prfmd5", "prfsha1", "prfaesxcbc", "prfaescmac",
	"modp768", "modp1024", "modp1536", "modp3072", "modp4096",
	"modp6144", "modp8192", "modp1024s160", "modp2048s224",
	"modp2048s256", "ecp192", "ecp224", "ecp521", "ecp224bp",
	"ecp256bp", "ecp384bp", "ecp512bp", "x448", "curve448", "ntru112",
	"ntru128", "ntru192", "ntru256", "newhope128", "kyber1", "kyber3",
	"kyber5",
};

static const struct kw *kw_find(const char *tok, size_t len)
{
	for (size_t i = 0; i < N_ELEM(keywords); i++)
		if (strlen(keywords[i].name) == len &&
		    strncasecmp(keywords[i].name, tok, len) == 0)
			return &keywords[i];
	return NULL;
}

static bool kw_not_implemented(const char *tok, size_t len)
{
	for (size_t i = 0; i < N_ELEM(not_implemented); i++)
		if (strlen(not_implemented[i]) == len &&
		    strncasecmp(not_implemented[i], tok, len) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------------- */
/* Small helpers                                                          */
/* ---------------------------------------------------------------------- */

static void __attribute__((format(printf, 3, 4)))
msg(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static bool encr_is_aead(uint16_t id)
{
	switch (id) {
	case PP_IKE_ENCR_AES_CCM_8:
	case PP_IKE_ENCR_AES_CCM_12:
	case PP_IKE_ENCR_AES_CCM_16:
	case PP_IKE_ENCR_AES_GCM_8:
	case PP_IKE_ENCR_AES_GCM_12:
	case PP_IKE_ENCR_AES_GCM_16:
	case PP_IKE_ENCR_NULL_AUTH_AES_GMAC:
	case PP_IKE_ENCR_CHACHA20_POLY1305:
		return true;
	default:
		return false;
	}
}

/* Counts as stored, clamped to the arrays (the codec never fills more,
 * but a caller-built structure might claim more). */
static unsigned int nx(const struct ike_proposal *p)
{
	return p->n_transforms < IKE_PROP_MAX_TRANSFORMS
		       ? p->n_transforms
		       : IKE_PROP_MAX_TRANSFORMS;
}

static unsigned int np(const struct ike_sa *sa)
{
	return sa->n_proposals < IKE_SA_MAX_PROPOSALS ? sa->n_proposals
						      : IKE_SA_MAX_PROPOSALS;
}

static bool xf_equal(const struct ike_transform *a,
		     const struct ike_transform *b)
{
	return a->type == b->type && a->id == b->id &&
	       a->has_key_len == b->has_key_len &&
	       (!a->has_key_len || a->key_len == b->key_len);
}

static bool prop_has(const struct ike_proposal *p,
		     const struct ike_transform *x)
{
	for (unsigned int i = 0; i < nx(p); i++)
		if (xf_equal(&p->xf[i], x))
			return true;
	return false;
}

static unsigned int prop_count(const struct ike_proposal *p, uint8_t type)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < nx(p); i++)
		if (p->xf[i].type == type)
			n++;
	return n;
}

static const struct ike_transform *prop_first(const struct ike_proposal *p,
					      uint8_t type)
{
	for (unsigned int i = 0; i < nx(p); i++)
		if (p->xf[i].type == type)
			return &p->xf[i];
	return NULL;
}

static const struct ike_transform *
find_id(const struct ike_proposal *p, uint8_t type, uint16_t id)
{
	for (unsigned int i = 0; i < nx(p); i++)
		if (p->xf[i].type == type && p->xf[i].id == id)
			return &p->xf[i];
	return NULL;
}

static bool has_id(const struct ike_proposal *p, uint8_t type, uint16_t id)
{
	return find_id(p, type, id) != NULL;
}

/* The PRF strongSwan derives from an integrity keyword. */
static uint16_t integ_to_prf(uint16_t integ)
{
	switch (integ) {
	case PP_IKE_INTEG_HMAC_SHA2_384_192:
		return PP_IKE_PRF_HMAC_SHA2_384;
	case PP_IKE_INTEG_HMAC_SHA2_512_256:
		return PP_IKE_PRF_HMAC_SHA2_512;
	default:
		return PP_IKE_PRF_HMAC_SHA2_256;
	}
}

static bool type_valid(uint8_t protocol, uint8_t type)
{
	switch (type) {
	case PP_IKE_TRANSFORM_ENCR:
	case PP_IKE_TRANSFORM_INTEG:
	case PP_IKE_TRANSFORM_DH:
		return true;
	case PP_IKE_TRANSFORM_PRF:
		return protocol == PP_IKE_PROTO_IKE;
	case PP_IKE_TRANSFORM_ESN:
		return protocol == PP_IKE_PROTO_ESP;
	default:
		return false;
	}
}

static const char *type_name(uint8_t type)
{
	switch (type) {
	case PP_IKE_TRANSFORM_ENCR:
		return "ENCR";
	case PP_IKE_TRANSFORM_PRF:
		return "PRF";
	case PP_IKE_TRANSFORM_INTEG:
		return "INTEG";
	case PP_IKE_TRANSFORM_DH:
		return "KE";
	case PP_IKE_TRANSFORM_ESN:
		return "ESN";
	default:
		return "?";
	}
}

/* Append @x unless the proposal already has it. */
static int add_xf(struct ike_proposal *p, uint8_t type, uint16_t id,
		  uint16_t bits)
{
	const struct ike_transform x = {
		.type = type,
		.id = id,
		.has_key_len = bits != 0,
		.key_len = bits,
	};

	struct ike_transform *slot;

	if (prop_has(p, &x))
		return 0;
	if (p->n_transforms >= IKE_PROP_MAX_TRANSFORMS)
		return -ENOSPC;
	/* field by field over a zeroed slot: no stray padding bytes, so
	 * parsed lists compare equal with memcmp */
	slot = &p->xf[p->n_transforms++];
	memset(slot, 0, sizeof(*slot));
	slot->type = x.type;
	slot->id = x.id;
	slot->has_key_len = x.has_key_len;
	slot->key_len = x.key_len;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Formatting                                                             */
/* ---------------------------------------------------------------------- */

static int xf_name(const struct ike_transform *x, char *buf, size_t len)
{
	const char *n = NULL;

	switch (x->type) {
	case PP_IKE_TRANSFORM_ENCR:
		switch (x->id) {
		case PP_IKE_ENCR_AES_CBC:
			n = "AES_CBC";
			break;
		case PP_IKE_ENCR_AES_GCM_16:
			n = "AES_GCM_16";
			break;
		case PP_IKE_ENCR_CHACHA20_POLY1305:
			n = "CHACHA20_POLY1305";
			break;
		default:
			break;
		}
		if (n && x->has_key_len)
			return snprintf(buf, len, "%s_%u", n, x->key_len);
		if (n)
			return snprintf(buf, len, "%s", n);
		if (x->has_key_len)
			return snprintf(buf, len, "ENCR_%u_%u", x->id,
					x->key_len);
		return snprintf(buf, len, "ENCR_%u", x->id);
	case PP_IKE_TRANSFORM_PRF:
		switch (x->id) {
		case PP_IKE_PRF_HMAC_SHA2_256:
			n = "PRF_HMAC_SHA2_256";
			break;
		case PP_IKE_PRF_HMAC_SHA2_384:
			n = "PRF_HMAC_SHA2_384";
			break;
		case PP_IKE_PRF_HMAC_SHA2_512:
			n = "PRF_HMAC_SHA2_512";
			break;
		case PP_IKE_PRF_HMAC_SHA1:
			n = "PRF_HMAC_SHA1";
			break;
		default:
			return snprintf(buf, len, "PRF_%u", x->id);
		}
		break;
	case PP_IKE_TRANSFORM_INTEG:
		switch (x->id) {
		case PP_IKE_INTEG_NONE:
			n = "INTEG_NONE";
			break;
		case PP_IKE_INTEG_HMAC_SHA2_256_128:
			n = "HMAC_SHA2_256_128";
			break;
		case PP_IKE_INTEG_HMAC_SHA2_384_192:
			n = "HMAC_SHA2_384_192";
			break;
		case PP_IKE_INTEG_HMAC_SHA2_512_256:
			n = "HMAC_SHA2_512_256";
			break;
		case PP_IKE_INTEG_HMAC_SHA1_96:
			n = "HMAC_SHA1_96";
			break;
		default:
			return snprintf(buf, len, "INTEG_%u", x->id);
		}
		break;
	case PP_IKE_TRANSFORM_DH:
		switch (x->id) {
		case PP_IKE_DH_NONE:
			n = "KE_NONE";
			break;
		case PP_IKE_DH_MODP2048:
			n = "MODP_2048";
			break;
		case PP_IKE_DH_ECP256:
			n = "ECP_256";
			break;
		case PP_IKE_DH_ECP384:
			n = "ECP_384";
			break;
		case PP_IKE_DH_CURVE25519:
			n = "CURVE25519";
			break;
		default:
			return snprintf(buf, len, "KE_%u", x->id);
		}
		break;
	case PP_IKE_TRANSFORM_ESN:
		if (x->id == PP_IKE_ESN_NO)
			n = "NO_EXT_SEQ";
		else if (x->id == PP_IKE_ESN_YES)
			n = "EXT_SEQ";
		else
			return snprintf(buf, len, "ESN_%u", x->id);
		break;
	default:
		return snprintf(buf, len, "T%u_%u", x->type, x->id);
	}
	return snprintf(buf, len, "%s", n);
}

/* Append to a NUL-terminated buffer without overrunning it. */
struct sbuf {
	char *p;
	size_t cap, len;
};

static void sb_put(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->cap == 0 || b->len >= b->cap - 1)
		return;
	if (n > b->cap - 1 - b->len)
		n = b->cap - 1 - b->len;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void fmt_prop(struct sbuf *b, const struct ike_proposal *p)
{
	char name[48];

	for (unsigned int i = 0; i < nx(p); i++) {
		if (i)
			sb_put(b, "/");
		xf_name(&p->xf[i], name, sizeof(name));
		if (p->xf[i].n_unknown_attrs)
			sb_put(b, "(+attr)");
		sb_put(b, name);
	}
	if (p->n_transforms == 0)
		sb_put(b, "(empty)");
}

size_t ike_prop_format(const struct ike_sa *list, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0 };

	if (buf == NULL || len == 0)
		return 0;
	buf[0] = '\0';
	if (list == NULL)
		return 0;
	for (unsigned int i = 0; i < np(list); i++) {
		if (i)
			sb_put(&b, ", ");
		fmt_prop(&b, &list->prop[i]);
	}
	if (list->n_proposals == 0)
		sb_put(&b, "(none)");
	return b.len;
}

/* ---------------------------------------------------------------------- */
/* Parsing                                                                */
/* ---------------------------------------------------------------------- */

/* Put the transforms in the order ENCR, PRF, INTEG, KE, ESN (keeping the
 * order within each type). */
static void sort_xf(struct ike_proposal *p)
{
	static const uint8_t order[] = {
		PP_IKE_TRANSFORM_ENCR, PP_IKE_TRANSFORM_PRF,
		PP_IKE_TRANSFORM_INTEG, PP_IKE_TRANSFORM_DH,
		PP_IKE_TRANSFORM_ESN,
	};
	struct ike_proposal tmp = *p;
	unsigned int o = 0;

	for (size_t t = 0; t < N_ELEM(order); t++)
		for (unsigned int x = 0; x < nx(&tmp); x++)
			if (tmp.xf[x].type == order[t])
				p->xf[o++] = tmp.xf[x];
}

static int default_list(uint8_t protocol, struct ike_sa *out)
{
	static const uint16_t groups[] = {
		PP_IKE_DH_CURVE25519, PP_IKE_DH_ECP256, PP_IKE_DH_ECP384,
		PP_IKE_DH_MODP2048,
	};
	static const uint16_t prfs[] = {
		PP_IKE_PRF_HMAC_SHA2_256, PP_IKE_PRF_HMAC_SHA2_384,
		PP_IKE_PRF_HMAC_SHA2_512,
	};
	static const uint16_t integs[] = {
		PP_IKE_INTEG_HMAC_SHA2_256_128, PP_IKE_INTEG_HMAC_SHA2_384_192,
		PP_IKE_INTEG_HMAC_SHA2_512_256,
	};
	struct ike_proposal *a = &out->prop[0], *c = &out->prop[1];
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->n_proposals = 2;
	a->num = 1;
	c->num = 2;
	a->protocol = c->protocol = protocol;
	/* 1: AEAD (preferred), 2: AES-CBC + HMAC-SHA2 */
	rc |= add_xf(a, PP_IKE_TRANSFORM_ENCR, PP_IKE_ENCR_AES_GCM_16, 128);
	rc |= add_xf(a, PP_IKE_TRANSFORM_ENCR, PP_IKE_ENCR_AES_GCM_16, 256);
	if (protocol == PP_IKE_PROTO_ESP)
		rc |= add_xf(a, PP_IKE_TRANSFORM_ENCR,
			     PP_IKE_ENCR_CHACHA20_POLY1305, 0);
	rc |= add_xf(c, PP_IKE_TRANSFORM_ENCR, PP_IKE_ENCR_AES_CBC, 128);
	rc |= add_xf(c, PP_IKE_TRANSFORM_ENCR, PP_IKE_ENCR_AES_CBC, 256);
	for (size_t i = 0; i < N_ELEM(integs); i++)
		rc |= add_xf(c, PP_IKE_TRANSFORM_INTEG, integs[i], 0);
	if (protocol == PP_IKE_PROTO_IKE) {
		for (size_t i = 0; i < N_ELEM(prfs); i++) {
			rc |= add_xf(a, PP_IKE_TRANSFORM_PRF, prfs[i], 0);
			rc |= add_xf(c, PP_IKE_TRANSFORM_PRF, prfs[i], 0);
		}
		for (size_t i = 0; i < N_ELEM(groups); i++) {
			rc |= add_xf(a, PP_IKE_TRANSFORM_DH, groups[i], 0);
			rc |= add_xf(c, PP_IKE_TRANSFORM_DH, groups[i], 0);
		}
	} else {
		rc |= add_xf(a, PP_IKE_TRANSFORM_ESN, PP_IKE_ESN_NO, 0);
		rc |= add_xf(c, PP_IKE_TRANSFORM_ESN, PP_IKE_ESN_NO, 0);
	}
	sort_xf(a);
	sort_xf(c);
	return rc ? -EINVAL : 0;
}

/* One proposal: tokens separated by '-' in [s, s + len). */
static int parse_one(const char *s, size_t len, uint8_t protocol,
		     unsigned int num, struct ike_proposal *p, char *err,
		     size_t err_len)
{
	struct ike_proposal integ = { 0 }; /* INTEG tokens, in order */
	bool has_prf = false, aead = false, plain = false;
	size_t i = 0;

	memset(p, 0, sizeof(*p));
	p->num = (uint8_t)num;
	p->protocol = protocol;
	while (i <= len) {
		size_t j = i;
		const struct kw *k;

		while (j < len && s[j] != '-')
			j++;
		if (j == i) {
			msg(err, err_len, "proposal %u: empty algorithm in "
				"'%.*s'", num, (int)len, s);
			return -EINVAL;
		}
		k = kw_find(s + i, j - i);
		if (k == NULL) {
			if (kw_not_implemented(s + i, j - i))
				msg(err, err_len, "proposal %u: algorithm "
					"'%.*s' is not implemented", num,
					(int)(j - i), s + i);
			else
				msg(err, err_len, "proposal %u: unknown "
					"token '%.*s'", num, (int)(j - i),
					s + i);
			return -EINVAL;
		}
		if ((k->kind == KW_PRF && protocol != PP_IKE_PROTO_IKE) ||
		    (k->kind == KW_ESN && protocol != PP_IKE_PROTO_ESP)) {
			msg(err, err_len, "proposal %u: '%.*s' is not valid "
				"in an %s proposal", num, (int)(j - i), s + i,
				protocol == PP_IKE_PROTO_IKE ? "IKE" : "ESP");
			return -EINVAL;
		}
		switch (k->kind) {
		case KW_ENCR:
			if (encr_is_aead(k->id))
				aead = true;
			else
				plain = true;
			if (add_xf(p, PP_IKE_TRANSFORM_ENCR, k->id, k->bits))
				goto too_many;
			break;
		case KW_INTEG:
			if (add_xf(&integ, PP_IKE_TRANSFORM_INTEG, k->id, 0))
				goto too_many;
			break;
		case KW_PRF:
			has_prf = true;
			if (add_xf(p, PP_IKE_TRANSFORM_PRF, k->id, 0))
				goto too_many;
			break;
		case KW_KE:
			if (add_xf(p, PP_IKE_TRANSFORM_DH, k->id, 0))
				goto too_many;
			break;
		case KW_ESN:
			if (add_xf(p, PP_IKE_TRANSFORM_ESN, k->id, 0))
				goto too_many;
			break;
		}
		i = j + 1;
	}
	if (aead && plain) {
		/* RFC 5282 §8: AEAD and non-AEAD ciphers go in separate
		 * proposals. */
		msg(err, err_len, "proposal %u: AEAD and non-AEAD ciphers "
			"mixed in '%.*s' (use two proposals)", num, (int)len,
			s);
		return -EINVAL;
	}
	/* strongSwan: for IKE an integrity keyword doubles as the PRF when
	 * no prfX is given; with an AEAD cipher only that use remains. */
	for (unsigned int t = 0; t < integ.n_transforms; t++) {
		if (!aead && add_xf(p, PP_IKE_TRANSFORM_INTEG,
				    integ.xf[t].id, 0))
			goto too_many;
	}
	if (protocol == PP_IKE_PROTO_IKE && !has_prf) {
		for (unsigned int t = 0; t < integ.n_transforms; t++) {
			uint16_t prf = integ_to_prf(integ.xf[t].id);

			if (add_xf(p, PP_IKE_TRANSFORM_PRF, prf, 0))
				goto too_many;
		}
	}
	if (protocol == PP_IKE_PROTO_ESP &&
	    prop_count(p, PP_IKE_TRANSFORM_ESN) == 0 &&
	    add_xf(p, PP_IKE_TRANSFORM_ESN, PP_IKE_ESN_NO, 0))
		goto too_many;

	/* Required types (§3.3.3). */
	{
		static const uint8_t need_ike[] = { PP_IKE_TRANSFORM_ENCR,
						    PP_IKE_TRANSFORM_INTEG,
						    PP_IKE_TRANSFORM_PRF,
						    PP_IKE_TRANSFORM_DH };
		static const uint8_t need_esp[] = { PP_IKE_TRANSFORM_ENCR,
						    PP_IKE_TRANSFORM_INTEG };
		const uint8_t *need = protocol == PP_IKE_PROTO_IKE ? need_ike
								   : need_esp;
		size_t n = protocol == PP_IKE_PROTO_IKE ? N_ELEM(need_ike)
							: N_ELEM(need_esp);

		for (size_t t = 0; t < n; t++) {
			if (need[t] == PP_IKE_TRANSFORM_INTEG && aead)
				continue;
			if (prop_count(p, need[t]) == 0) {
				msg(err, err_len, "proposal %u: '%.*s' has no "
					"%s algorithm", num, (int)len, s,
					need[t] == PP_IKE_TRANSFORM_DH
						? "key exchange"
					: need[t] == PP_IKE_TRANSFORM_ENCR
						? "encryption"
					: need[t] == PP_IKE_TRANSFORM_PRF
						? "PRF"
						: "integrity");
				return -EINVAL;
			}
		}
	}
	sort_xf(p);
	return 0;

too_many:
	msg(err, err_len, "proposal %u: more than %u transforms", num,
	    IKE_PROP_MAX_TRANSFORMS);
	return -EINVAL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

int ike_prop_parse(const char *str, uint8_t protocol, struct ike_sa *out,
		   char *err, size_t err_len)
{
	size_t i = 0, n;
	int rc;

	msg(err, err_len, "%s", "");
	if (out == NULL || (protocol != PP_IKE_PROTO_IKE &&
			    protocol != PP_IKE_PROTO_ESP)) {
		msg(err, err_len, "bad arguments");
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	if (str == NULL)
		str = "default";
	n = strlen(str);
	for (;;) {
		size_t b, e, j;

		j = i;
		while (j < n && str[j] != ',')
			j++;
		b = i;
		e = j;
		while (b < e && is_space(str[b]))
			b++;
		while (e > b && is_space(str[e - 1]))
			e--;
		if (b == e) {
			msg(err, err_len, "empty proposal %u in '%s'",
			    out->n_proposals + 1, str);
			memset(out, 0, sizeof(*out));
			return -EINVAL;
		}
		if (e - b == 7 && strncasecmp(str + b, "default", 7) == 0) {
			struct ike_sa d;

			rc = default_list(protocol, &d);
			if (rc)
				return rc;
			for (unsigned int p = 0; p < d.n_proposals; p++) {
				if (out->n_proposals >= IKE_SA_MAX_PROPOSALS)
					goto too_many;
				out->prop[out->n_proposals] = d.prop[p];
				out->prop[out->n_proposals].num =
					(uint8_t)(out->n_proposals + 1);
				out->n_proposals++;
			}
		} else {
			if (out->n_proposals >= IKE_SA_MAX_PROPOSALS)
				goto too_many;
			rc = parse_one(str + b, e - b, protocol,
				       out->n_proposals + 1,
				       &out->prop[out->n_proposals], err,
				       err_len);
			if (rc) {
				memset(out, 0, sizeof(*out));
				return rc;
			}
			out->n_proposals++;
		}
		if (j >= n)
			break;
		i = j + 1;
	}
	return 0;

too_many:
	msg(err, err_len, "more than %u proposals in '%s'",
	    IKE_SA_MAX_PROPOSALS, str);
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}

/* ---------------------------------------------------------------------- */
/* Selection                                                              */
/* ---------------------------------------------------------------------- */

/* How far a pair of proposals got before failing (for the message). */
enum stage {
	ST_PROTOCOL = 0,
	ST_UNKNOWN,
	ST_ENCR,
	ST_INTEG,
	ST_PRF,
	ST_KE,
	ST_ESN,
};

struct fail {
	enum stage st;
	char what[96];
};

/* First transform of @type in @ours (our order) that @theirs offers;
 * NULL if none. */
static const struct ike_transform *
pick(const struct ike_proposal *ours, const struct ike_proposal *theirs,
     uint8_t type)
{
	for (unsigned int i = 0; i < nx(ours); i++)
		if (ours->xf[i].type == type && prop_has(theirs, &ours->xf[i]))
			return &ours->xf[i];
	return NULL;
}

static bool integ_none_only(const struct ike_proposal *p)
{
	for (unsigned int i = 0; i < nx(p); i++)
		if (p->xf[i].type == PP_IKE_TRANSFORM_INTEG &&
		    p->xf[i].id != PP_IKE_INTEG_NONE)
			return false;
	return true;
}


static int try_pair(const struct ike_proposal *ours,
		    const struct ike_proposal *theirs, unsigned int flags,
		    struct ike_proposal *c, struct fail *f)
{
	const struct ike_transform *encr = NULL, *integ = NULL, *prf = NULL,
				   *ke = NULL, *esn = NULL;
	bool skip_ke = (flags & IKE_PROP_SEL_NO_KE) != 0;
	uint8_t proto = theirs->protocol;

	if (ours->protocol != proto) {
		f->st = ST_PROTOCOL;
		snprintf(f->what, sizeof(f->what), "protocol %u != %u",
			 proto, ours->protocol);
		return -ENOENT;
	}
	for (unsigned int i = 0; i < nx(theirs); i++) {
		const struct ike_transform *x = &theirs->xf[i];

		f->st = ST_UNKNOWN;
		if (x->n_unknown_attrs) {
			snprintf(f->what, sizeof(f->what),
				 "transform %s %u with unknown attributes "
				 "(RFC 7296 §3.3.6)", type_name(x->type),
				 x->id);
			return -ENOENT;
		}
		if (!type_valid(proto, x->type)) {
			snprintf(f->what, sizeof(f->what),
				 "%s transform type %u (RFC 7296 §3.3.6)",
				 x->type > PP_IKE_TRANSFORM_ESN
					 ? "unknown"
					 : "misplaced",
				 x->type);
			return -ENOENT;
		}
	}

	/* ENCR, then INTEG: an AEAD cipher needs no INTEG (or only NONE);
	 * any other one a real integrity algorithm (RFC 5282 §8). */
	for (unsigned int i = 0; i < nx(ours); i++) {
		const struct ike_transform *x = &ours->xf[i];

		if (x->type != PP_IKE_TRANSFORM_ENCR || !prop_has(theirs, x))
			continue;
		if (encr_is_aead(x->id)) {
			if (!integ_none_only(theirs))
				continue;
			encr = x;
			break;
		}
		integ = pick(ours, theirs, PP_IKE_TRANSFORM_INTEG);
		if (integ && integ->id == PP_IKE_INTEG_NONE)
			integ = NULL;
		if (!integ)
			continue;
		encr = x;
		break;
	}
	if (!encr) {
		bool any = false;

		for (unsigned int i = 0; i < nx(ours); i++)
			if (ours->xf[i].type == PP_IKE_TRANSFORM_ENCR &&
			    prop_has(theirs, &ours->xf[i]))
				any = true;
		f->st = any ? ST_INTEG : ST_ENCR;
		snprintf(f->what, sizeof(f->what), "no matching %s",
			 any ? "INTEG" : "ENCR");
		return -ENOENT;
	}
	if (proto == PP_IKE_PROTO_IKE) {
		prf = pick(ours, theirs, PP_IKE_TRANSFORM_PRF);
		if (!prf) {
			f->st = ST_PRF;
			snprintf(f->what, sizeof(f->what), "no matching PRF");
			return -ENOENT;
		}
	}
	if (proto == PP_IKE_PROTO_IKE) {
		ke = pick(ours, theirs, PP_IKE_TRANSFORM_DH);
		if (!ke || ke->id == PP_IKE_DH_NONE) {
			f->st = ST_KE;
			snprintf(f->what, sizeof(f->what), "no matching KE");
			return -ENOENT;
		}
	} else if (!skip_ke) {
		bool ours_ke = prop_count(ours, PP_IKE_TRANSFORM_DH) > 0;
		bool theirs_ke = prop_count(theirs, PP_IKE_TRANSFORM_DH) > 0;

		if (ours_ke) {
			/* PFS wanted; "KE NONE" in our list also accepts a
			 * proposal without KE. */
			ke = pick(ours, theirs, PP_IKE_TRANSFORM_DH);
			if (!ke && (theirs_ke ||
				    !has_id(ours, PP_IKE_TRANSFORM_DH,
					    PP_IKE_DH_NONE)))
				goto no_ke;
		} else if (theirs_ke) {
			/* We want no PFS: acceptable only with NONE. */
			ke = find_id(theirs, PP_IKE_TRANSFORM_DH,
				     PP_IKE_DH_NONE);
			if (!ke)
				goto no_ke;
		}
	}
	if (proto == PP_IKE_PROTO_ESP) {
		if (prop_count(theirs, PP_IKE_TRANSFORM_ESN) == 0) {
			/* Missing ESN (§3.3.3 makes it mandatory): read as
			 * "no ESN" if we allow that. */
			if (prop_count(ours, PP_IKE_TRANSFORM_ESN) &&
			    !has_id(ours, PP_IKE_TRANSFORM_ESN,
				    PP_IKE_ESN_NO)) {
				f->st = ST_ESN;
				snprintf(f->what, sizeof(f->what),
					 "no matching ESN");
				return -ENOENT;
			}
		} else {
			esn = pick(ours, theirs, PP_IKE_TRANSFORM_ESN);
			if (!esn && prop_count(ours, PP_IKE_TRANSFORM_ESN) == 0 &&
			    has_id(theirs, PP_IKE_TRANSFORM_ESN,
				   PP_IKE_ESN_NO)) {
				static const struct ike_transform no = {
					.type = PP_IKE_TRANSFORM_ESN,
					.id = PP_IKE_ESN_NO,
				};
				esn = &no;
			}
			if (!esn) {
				f->st = ST_ESN;
				snprintf(f->what, sizeof(f->what),
					 "no matching ESN");
				return -ENOENT;
			}
		}
	}

	memset(c, 0, sizeof(*c));
	c->num = theirs->num;
	c->protocol = proto;
	c->spi_size = theirs->spi_size;
	memcpy(c->spi, theirs->spi, sizeof(c->spi));
	c->xf[c->n_transforms++] = *encr;
	if (prf)
		c->xf[c->n_transforms++] = *prf;
	if (integ) {
		c->xf[c->n_transforms++] = *integ;
	} else if (has_id(theirs, PP_IKE_TRANSFORM_INTEG, PP_IKE_INTEG_NONE)) {
		/* mirror an explicit INTEG NONE (RFC 5282 §8) */
		struct ike_transform none = { .type = PP_IKE_TRANSFORM_INTEG };

		c->xf[c->n_transforms++] = none;
	}
	if (ke)
		c->xf[c->n_transforms++] = *ke;
	if (esn)
		c->xf[c->n_transforms++] = *esn;
	return 0;

no_ke:
	f->st = ST_KE;
	snprintf(f->what, sizeof(f->what), "no matching KE");
	return -ENOENT;
}

int ike_prop_select_ex(const struct ike_sa *ours, const struct ike_sa *theirs,
		       unsigned int flags, struct ike_proposal *chosen,
		       char *why, size_t why_len)
{
	struct fail best = { .st = ST_PROTOCOL, .what = "no proposals" };
	bool have_best = false;

	if (ours == NULL || theirs == NULL || chosen == NULL) {
		msg(why, why_len, "bad arguments");
		return -EINVAL;
	}
	msg(why, why_len, "%s", "");
	for (unsigned int o = 0; o < np(ours); o++) {
		for (unsigned int t = 0; t < np(theirs); t++) {
			struct fail f = { 0 };

			if (try_pair(&ours->prop[o], &theirs->prop[t], flags,
				     chosen, &f) == 0)
				return 0;
			if (!have_best || f.st > best.st) {
				best = f;
				have_best = true;
			}
		}
	}
	memset(chosen, 0, sizeof(*chosen));
	if (why && why_len) {
		char a[IKE_PROP_WHY_LEN / 2], b[IKE_PROP_WHY_LEN / 2];

		ike_prop_format(ours, a, sizeof(a));
		ike_prop_format(theirs, b, sizeof(b));
		msg(why, why_len, "no proposal chosen: %s; ours: %s, theirs: %s",
		    best.what, a, b);
	}
	return -ENOENT;
}

int ike_prop_select(const struct ike_sa *ours, const struct ike_sa *theirs,
		    struct ike_proposal *chosen, char *why, size_t why_len)
{
	return ike_prop_select_ex(ours, theirs, 0, chosen, why, why_len);
}

/* ---------------------------------------------------------------------- */
/* Initiator's check of the answer                                        */
/* ---------------------------------------------------------------------- */

int ike_prop_check_response(const struct ike_sa *offered,
			    const struct ike_proposal *chosen, char *why,
			    size_t why_len)
{
	const struct ike_proposal *o = NULL;
	const struct ike_transform *encr;
	uint8_t proto;
	char a[64];

	msg(why, why_len, "%s", "");
	if (offered == NULL || chosen == NULL) {
		msg(why, why_len, "bad arguments");
		return -EINVAL;
	}
	for (unsigned int i = 0; i < np(offered); i++)
		if (offered->prop[i].num == chosen->num)
			o = &offered->prop[i];
	if (o == NULL) {
		msg(why, why_len, "response proposal %u was not offered",
		    chosen->num);
		return -EBADMSG;
	}
	proto = o->protocol;
	if (chosen->protocol != proto) {
		msg(why, why_len, "response proposal %u: protocol %u, offered "
			"%u", chosen->num, chosen->protocol, proto);
		return -EBADMSG;
	}
	if ((proto == PP_IKE_PROTO_ESP &&
	     chosen->spi_size != PP_IKE_CHILD_SPI_LEN) ||
	    (proto == PP_IKE_PROTO_IKE && chosen->spi_size != o->spi_size)) {
		msg(why, why_len, "response proposal %u: SPI size %u",
		    chosen->num, chosen->spi_size);
		return -EBADMSG;
	}
	for (unsigned int i = 0; i < nx(chosen); i++) {
		const struct ike_transform *x = &chosen->xf[i];

		xf_name(x, a, sizeof(a));
		if (!type_valid(proto, x->type) || x->n_unknown_attrs) {
			msg(why, why_len, "response proposal %u: transform "
				"%s not allowed", chosen->num, a);
			return -EBADMSG;
		}
		if (prop_count(chosen, x->type) != 1) {
			msg(why, why_len, "response proposal %u: more than "
				"one %s transform", chosen->num,
				type_name(x->type));
			return -EBADMSG;
		}
		/* INTEG NONE with an AEAD cipher may come unasked
		 * (RFC 5282 §8 allows either form) */
		if (!prop_has(o, x) &&
		    !(x->type == PP_IKE_TRANSFORM_INTEG &&
		      x->id == PP_IKE_INTEG_NONE)) {
			msg(why, why_len, "response proposal %u: %s was not "
				"offered", chosen->num, a);
			return -EBADMSG;
		}
	}
	encr = prop_first(chosen, PP_IKE_TRANSFORM_ENCR);
	if (!encr) {
		msg(why, why_len, "response proposal %u: no ENCR",
		    chosen->num);
		return -EBADMSG;
	}
	if (encr_is_aead(encr->id)) {
		if (!integ_none_only(chosen)) {
			msg(why, why_len, "response proposal %u: INTEG with "
				"an AEAD cipher", chosen->num);
			return -EBADMSG;
		}
	} else {
		const struct ike_transform *in =
			prop_first(chosen, PP_IKE_TRANSFORM_INTEG);

		if (!in || in->id == PP_IKE_INTEG_NONE) {
			msg(why, why_len, "response proposal %u: no INTEG",
			    chosen->num);
			return -EBADMSG;
		}
	}
	if (proto == PP_IKE_PROTO_IKE) {
		const struct ike_transform *ke =
			prop_first(chosen, PP_IKE_TRANSFORM_DH);

		if (!prop_first(chosen, PP_IKE_TRANSFORM_PRF) || !ke ||
		    ke->id == PP_IKE_DH_NONE) {
			msg(why, why_len, "response proposal %u: PRF or KE "
				"missing", chosen->num);
			return -EBADMSG;
		}
	} else {
		if (prop_count(o, PP_IKE_TRANSFORM_DH) &&
		    !prop_first(chosen, PP_IKE_TRANSFORM_DH) &&
		    !has_id(o, PP_IKE_TRANSFORM_DH, PP_IKE_DH_NONE)) {
			msg(why, why_len, "response proposal %u: no KE "
				"(PFS was required)", chosen->num);
			return -EBADMSG;
		}
		if (prop_count(o, PP_IKE_TRANSFORM_ESN) &&
		    !prop_first(chosen, PP_IKE_TRANSFORM_ESN)) {
			msg(why, why_len, "response proposal %u: no ESN",
			    chosen->num);
			return -EBADMSG;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Helpers on lists and chosen proposals                                  */
/* ---------------------------------------------------------------------- */

uint16_t ike_prop_dh_group(const struct ike_proposal *p)
{
	const struct ike_transform *x;

	if (p == NULL)
		return 0;
	x = prop_first(p, PP_IKE_TRANSFORM_DH);
	return x ? x->id : 0;
}

bool ike_prop_has_group(const struct ike_sa *list, uint16_t group)
{
	if (list == NULL)
		return false;
	for (unsigned int i = 0; i < np(list); i++)
		if (has_id(&list->prop[i], PP_IKE_TRANSFORM_DH, group))
			return true;
	return false;
}

int ike_prop_filter_group(const struct ike_sa *list, uint16_t group,
			  struct ike_sa *out)
{
	unsigned int n = 0, count;

	if (list == NULL || out == NULL)
		return -EINVAL;
	count = list->n_proposals;
	if (count > IKE_SA_MAX_PROPOSALS)
		count = IKE_SA_MAX_PROPOSALS;
	for (unsigned int i = 0; i < count; i++) {
		struct ike_proposal p = list->prop[i]; /* @out may be @list */
		unsigned int k = 0;

		if (!has_id(&p, PP_IKE_TRANSFORM_DH, group))
			continue;
		for (unsigned int x = 0; x < nx(&p); x++)
			if (p.xf[x].type != PP_IKE_TRANSFORM_DH ||
			    p.xf[x].id == group)
				p.xf[k++] = p.xf[x];
		p.n_transforms = (uint8_t)k;
		p.num = (uint8_t)(n + 1);
		out->prop[n++] = p;
	}
	out->n_proposals = n;
	return n ? 0 : -ENOENT;
}

void ike_prop_strip_ke(struct ike_sa *list)
{
	if (list == NULL)
		return;
	for (unsigned int i = 0; i < np(list); i++) {
		struct ike_proposal *p = &list->prop[i];
		unsigned int k = 0;

		for (unsigned int x = 0; x < nx(p); x++)
			if (p->xf[x].type != PP_IKE_TRANSFORM_DH)
				p->xf[k++] = p->xf[x];
		p->n_transforms = (uint8_t)k;
	}
}

int ike_prop_suite(const struct ike_proposal *p, struct ike_suite *s)
{
	const struct ike_transform *e, *in, *prf;

	if (p == NULL || s == NULL)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	if (prop_count(p, PP_IKE_TRANSFORM_ENCR) != 1 ||
	    prop_count(p, PP_IKE_TRANSFORM_INTEG) > 1 ||
	    prop_count(p, PP_IKE_TRANSFORM_PRF) > 1)
		return -EINVAL;
	e = prop_first(p, PP_IKE_TRANSFORM_ENCR);
	in = prop_first(p, PP_IKE_TRANSFORM_INTEG);
	prf = prop_first(p, PP_IKE_TRANSFORM_PRF);
	s->encr = e->id;
	s->encr_bits = e->has_key_len ? e->key_len : 0;
	s->integ = in ? in->id : IKE_INTEG_NONE;
	if (p->protocol == PP_IKE_PROTO_IKE) {
		if (!prf)
			return -EINVAL;
		s->prf = prf->id;
	}
	return ike_suite_check(s, p->protocol == PP_IKE_PROTO_IKE);
}

bool ike_prop_esn(const struct ike_proposal *p)
{
	return p && has_id(p, PP_IKE_TRANSFORM_ESN, PP_IKE_ESN_YES);
}

void ike_prop_set_spi(struct ike_sa *list, const uint8_t *spi, uint8_t len)
{
	if (list == NULL || len > 8 || (len && spi == NULL))
		return;
	for (unsigned int i = 0; i < np(list); i++) {
		list->prop[i].spi_size = len;
		memset(list->prop[i].spi, 0, sizeof(list->prop[i].spi));
		if (len)
			memcpy(list->prop[i].spi, spi, len);
	}
}
