/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tests of libike/ike_prop.h: strongSwan proposal syntax, "default",
 * responder selection (RFC 7296 §2.7, §3.3, §3.3.6; RFC 5282 §8), the
 * initiator's check of the answer, and the helpers.
 *
 * strongSwan 5.9.8's own default proposals (ipsec-facts §5.2, measured
 * against Debian's libstrongswan 5.9.8-5+deb12u6) are used as "theirs",
 * written in the raw notation of build_raw() below, because they carry
 * many algorithms our parser refuses (CTR, Camellia, CCM, 3DES, SHA-1,
 * XCBC, CMAC, Curve448, ECP-521, Brainpool, MODP-3072..8192).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike_prop.h"

/* cmocka's headers need these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Raw proposal lists: "ike:" or "esp:" then transforms separated by
 * spaces, proposals by ';'. A transform is E (ENCR), P (PRF), I (INTEG),
 * D (KE), N (ESN) followed by its IANA ID, or T<type>:<id>; "/bits" adds a
 * Key Length attribute, a trailing '+' one unknown attribute.
 */
static void build_raw(const char *spec, struct ike_sa *sa)
{
	char tmp[2048], *save = NULL, *tok;
	struct ike_proposal *p;
	uint8_t proto = 0;

	memset(sa, 0, sizeof(*sa));
	if (strncmp(spec, "ike:", 4) == 0)
		proto = PP_IKE_PROTO_IKE;
	else if (strncmp(spec, "esp:", 4) == 0)
		proto = PP_IKE_PROTO_ESP;
	else
		fail_msg("bad raw spec %s", spec);
	snprintf(tmp, sizeof(tmp), "%s", spec + 4);
	sa->n_proposals = 1;
	p = &sa->prop[0];
	p->num = 1;
	p->protocol = proto;
	if (proto == PP_IKE_PROTO_ESP) {
		p->spi_size = 4;
		memcpy(p->spi, "\x11\x22\x33\x44", 4);
	}
	for (tok = strtok_r(tmp, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		struct ike_transform *x;
		char *end;

		if (strcmp(tok, ";") == 0) {
			assert_true(sa->n_proposals < IKE_SA_MAX_PROPOSALS);
			p = &sa->prop[sa->n_proposals++];
			p->num = (uint8_t)sa->n_proposals;
			p->protocol = proto;
			if (proto == PP_IKE_PROTO_ESP) {
				p->spi_size = 4;
				memcpy(p->spi, "\x11\x22\x33\x44", 4);
			}
			continue;
		}
		assert_true(p->n_transforms < IKE_PROP_MAX_TRANSFORMS);
		x = &p->xf[p->n_transforms++];
		switch (tok[0]) {
		case 'E':
			x->type = 1;
			break;
		case 'P':
			x->type = 2;
			break;
		case 'I':
			x->type = 3;
			break;
		case 'D':
			x->type = 4;
			break;
		case 'N':
			x->type = 5;
			break;
		case 'T':
			x->type = (uint8_t)strtoul(tok + 1, &end, 10);
			tok = end; /* at ':' */
			break;
		default:
			fail_msg("bad raw token %s", tok);
		}
		x->id = (uint16_t)strtoul(tok + 1, &end, 10);
		if (*end == '/') {
			x->has_key_len = true;
			x->key_len = (uint16_t)strtoul(end + 1, &end, 10);
		}
		if (*end == '+') {
			x->n_unknown_attrs = 1;
			end++;
		}
		if (*end != '\0')
			fail_msg("bad raw token %s", tok);
	}
}

/* strongSwan 5.9.8 "default" (ipsec-facts §5.2 [V]). */
#define SS_GROUPS "D31 D32 D19 D20 D21 D28 D29 D30 D15 D16 D17 D18 D14"
#define SS_PRFS "P5 P6 P7 P4 P8 P2"
static const char ss_default_ike[] =
	"ike: E12/128 E12/192 E12/256 E13/128 E13/192 E13/256 E23/128 "
	"E23/192 E23/256 E24/128 E24/192 E24/256 E3 I12 I13 I14 I5 I8 I2 "
	SS_PRFS " " SS_GROUPS " ; "
	"E16/128 E16/192 E16/256 E20/128 E20/192 E20/256 E28 E27/128 "
	"E27/192 E27/256 E14/128 E14/192 E14/256 E15/128 E15/192 E15/256 "
	"E18/128 E18/192 E18/256 E19/128 E19/192 E19/256 E25/128 E25/192 "
	"E25/256 E26/128 E26/192 E26/256 " SS_PRFS " " SS_GROUPS;
static const char ss_default_esp[] =
	"esp: E12/128 E12/192 E12/256 I12 I13 I14 I2 I5 N0 ; "
	"E20/128 E20/192 E20/256 N0";

/* Either strongSwan syntax ("ike:..." / "esp:..." prefix chooses the
 * protocol) or raw ("raw-ike:" / "raw-esp:"). */
static void load(const char *spec, struct ike_sa *sa)
{
	char err[IKE_PROP_WHY_LEN];
	uint8_t proto;
	int rc;

	if (strncmp(spec, "raw-", 4) == 0) {
		build_raw(spec + 4, sa);
		return;
	}
	if (strcmp(spec, "ss-ike") == 0) {
		build_raw(ss_default_ike, sa);
		return;
	}
	if (strcmp(spec, "ss-esp") == 0) {
		build_raw(ss_default_esp, sa);
		return;
	}
	if (strcmp(spec, "none-ike") == 0) {
		memset(sa, 0, sizeof(*sa));
		return;
	}
	proto = strncmp(spec, "esp:", 4) == 0 ? PP_IKE_PROTO_ESP
					       : PP_IKE_PROTO_IKE;
	rc = ike_prop_parse(spec + 4, proto, sa, err, sizeof(err));
	if (rc)
		fail_msg("parse '%s': %s", spec, err);
	if (proto == PP_IKE_PROTO_ESP)
		ike_prop_set_spi(sa, (const uint8_t *)"\x11\x22\x33\x44", 4);
}

static void fmt_one(const struct ike_proposal *p, char *buf, size_t len)
{
	struct ike_sa one = { .n_proposals = 1 };
	int n;

	one.prop[0] = *p;
	n = snprintf(buf, len, "%u:", p->num);
	ike_prop_format(&one, buf + n, len - (size_t)n);
}

/* ---------------------------------------------------------------------- */
/* Parsing                                                                */
/* ---------------------------------------------------------------------- */

struct parse_row {
	const char *in;
	uint8_t proto;
	const char *want; /* formatted list, or NULL */
	const char *err;  /* substring of the error, or NULL */
};

#define IKE PP_IKE_PROTO_IKE
#define ESP PP_IKE_PROTO_ESP

static const struct parse_row parse_rows[] = {
	{ "aes128gcm16-prfsha256-x25519", IKE,
	  "AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE25519", NULL },
	{ "aes256-sha384-modp2048", IKE,
	  "AES_CBC_256/PRF_HMAC_SHA2_384/HMAC_SHA2_384_192/MODP_2048", NULL },
	/* strongSwan: integrity keyword = PRF with AEAD */
	{ "aes256gcm16-sha256-ecp256", IKE,
	  "AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256", NULL },
	{ "aes256-sha256-prfsha512-curve25519", IKE,
	  "AES_CBC_256/PRF_HMAC_SHA2_512/HMAC_SHA2_256_128/CURVE25519",
	  NULL },
	{ "aes128gcm16-prfsha256-x25519,aes256-sha384-modp2048", IKE,
	  "AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE25519, "
	  "AES_CBC_256/PRF_HMAC_SHA2_384/HMAC_SHA2_384_192/MODP_2048", NULL },
	{ "AES256-SHA256-ECP384", IKE,
	  "AES_CBC_256/PRF_HMAC_SHA2_256/HMAC_SHA2_256_128/ECP_384", NULL },
	{ "aes128-aes128-sha256-sha256-ecp256-ecp256", IKE,
	  "AES_CBC_128/PRF_HMAC_SHA2_256/HMAC_SHA2_256_128/ECP_256", NULL },
	{ "chacha20poly1305-prfsha256-x25519", IKE,
	  "CHACHA20_POLY1305/PRF_HMAC_SHA2_256/CURVE25519", NULL },
	{ "aes256gcm16", ESP, "AES_GCM_16_256/NO_EXT_SEQ", NULL },
	{ "aes256gcm16-esn-noesn", ESP, "AES_GCM_16_256/EXT_SEQ/NO_EXT_SEQ",
	  NULL },
	{ "aes128-sha256-ecp256", ESP,
	  "AES_CBC_128/HMAC_SHA2_256_128/ECP_256/NO_EXT_SEQ", NULL },
	{ " aes128-sha256 , aes256gcm16 ", ESP,
	  "AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ, "
	  "AES_GCM_16_256/NO_EXT_SEQ", NULL },
	{ "default", IKE,
	  "AES_GCM_16_128/AES_GCM_16_256/PRF_HMAC_SHA2_256/PRF_HMAC_SHA2_384/"
	  "PRF_HMAC_SHA2_512/CURVE25519/ECP_256/ECP_384/MODP_2048, "
	  "AES_CBC_128/AES_CBC_256/PRF_HMAC_SHA2_256/PRF_HMAC_SHA2_384/"
	  "PRF_HMAC_SHA2_512/HMAC_SHA2_256_128/HMAC_SHA2_384_192/"
	  "HMAC_SHA2_512_256/CURVE25519/ECP_256/ECP_384/MODP_2048", NULL },
	{ "default", ESP,
	  "AES_GCM_16_128/AES_GCM_16_256/CHACHA20_POLY1305/NO_EXT_SEQ, "
	  "AES_CBC_128/AES_CBC_256/HMAC_SHA2_256_128/HMAC_SHA2_384_192/"
	  "HMAC_SHA2_512_256/NO_EXT_SEQ", NULL },
	{ "aes256gcm16-esn,default", ESP,
	  "AES_GCM_16_256/EXT_SEQ, "
	  "AES_GCM_16_128/AES_GCM_16_256/CHACHA20_POLY1305/NO_EXT_SEQ, "
	  "AES_CBC_128/AES_CBC_256/HMAC_SHA2_256_128/HMAC_SHA2_384_192/"
	  "HMAC_SHA2_512_256/NO_EXT_SEQ", NULL },
	/* refusals */
	{ "aes192-sha256-modp2048", IKE, NULL, "'aes192' is not implemented" },
	{ "aes128-sha256-modp1024", IKE, NULL,
	  "'modp1024' is not implemented" },
	{ "aes128-sha1-modp2048", IKE, NULL, "'sha1' is not implemented" },
	{ "3des-sha256", ESP, NULL, "'3des' is not implemented" },
	{ "aes128-sha256-foo", IKE, NULL, "unknown token 'foo'" },
	{ "aes128-sha256", IKE, NULL, "has no key exchange algorithm" },
	{ "aes128-modp2048", IKE, NULL, "has no integrity algorithm" },
	{ "aes128gcm16-x25519", IKE, NULL, "has no PRF algorithm" },
	{ "sha256-x25519", IKE, NULL, "has no encryption algorithm" },
	{ "aes128", ESP, NULL, "has no integrity algorithm" },
	{ "aes128-sha256-x25519-esn", IKE, NULL,
	  "'esn' is not valid in an IKE proposal" },
	{ "aes128gcm16-prfsha256", ESP, NULL,
	  "'prfsha256' is not valid in an ESP proposal" },
	{ "aes128gcm16-aes128-sha256-x25519", IKE, NULL,
	  "AEAD and non-AEAD ciphers mixed" },
	{ "aes128--sha256", ESP, NULL, "empty algorithm" },
	{ "aes128-sha256-ecp256,", IKE, NULL, "empty proposal 2" },
	{ "", IKE, NULL, "empty proposal 1" },
	{ "aes128-sha256-", ESP, NULL, "empty algorithm" },
};

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEM(parse_rows); i++) {
		const struct parse_row *r = &parse_rows[i];
		char err[IKE_PROP_WHY_LEN], got[2048];
		struct ike_sa sa;
		int rc;

		memset(&sa, 0xa5, sizeof(sa));
		rc = ike_prop_parse(r->in, r->proto, &sa, err, sizeof(err));
		if (r->want) {
			if (rc != 0)
				fail_msg("row %zu '%s': %d %s", i, r->in, rc,
					 err);
			ike_prop_format(&sa, got, sizeof(got));
			if (strcmp(got, r->want) != 0)
				fail_msg("row %zu '%s':\n got  %s\n want %s",
					 i, r->in, got, r->want);
			for (unsigned int p = 0; p < sa.n_proposals; p++) {
				assert_int_equal(sa.prop[p].num, p + 1);
				assert_int_equal(sa.prop[p].protocol,
						 r->proto);
				assert_int_equal(sa.prop[p].spi_size, 0);
			}
		} else {
			if (rc != -EINVAL)
				fail_msg("row %zu '%s': rc %d, want -EINVAL",
					 i, r->in, rc);
			if (strstr(err, r->err) == NULL)
				fail_msg("row %zu '%s': error '%s' lacks '%s'",
					 i, r->in, err, r->err);
			assert_int_equal(sa.n_proposals, 0);
		}
	}
}

static void test_parse_null_is_default_and_limits(void **state)
{
	struct ike_sa a, b;
	char err[IKE_PROP_WHY_LEN], big[1024] = "";

	(void)state;
	assert_int_equal(ike_prop_parse(NULL, IKE, &a, err, sizeof(err)), 0);
	assert_int_equal(ike_prop_parse("default", IKE, &b, err, sizeof(err)),
			 0);
	{
		char fa[2048], fb[2048];

		ike_prop_format(&a, fa, sizeof(fa));
		ike_prop_format(&b, fb, sizeof(fb));
		assert_string_equal(fa, fb);
		assert_int_equal(a.n_proposals, 2);
	}
	/* IKE_SA_MAX_PROPOSALS (16) accepted, 17 refused */
	for (int i = 0; i < 16; i++)
		strcat(big, i ? ",aes128-sha256-ecp256" : "aes128-sha256-ecp256");
	assert_int_equal(ike_prop_parse(big, IKE, &a, err, sizeof(err)), 0);
	assert_int_equal(a.n_proposals, 16);
	assert_int_equal(a.prop[15].num, 16);
	strcat(big, ",aes128-sha256-ecp256");
	assert_int_equal(ike_prop_parse(big, IKE, &a, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "more than 16 proposals"));
	/* bad protocol */
	assert_int_equal(ike_prop_parse("default", PP_IKE_PROTO_AH, &a, err,
					sizeof(err)), -EINVAL);
	/* NULL error buffer is allowed */
	assert_int_equal(ike_prop_parse("aes1", ESP, &a, NULL, 0), -EINVAL);
}

/* What we generate, the codec parses back identically (§3.3). */
static void test_parse_default_roundtrips_through_codec(void **state)
{
	static const uint8_t protos[] = { IKE, ESP };
	uint8_t buf[4096];

	(void)state;
	for (size_t i = 0; i < N_ELEM(protos); i++) {
		struct ike_sa sa, back;
		struct ike_gen g;
		struct ike_perr e;
		size_t len;

		assert_int_equal(ike_prop_parse("default,aes256-sha512-ecp384",
						protos[i], &sa, NULL, 0), 0);
		if (protos[i] == ESP)
			ike_prop_set_spi(&sa,
					 (const uint8_t *)"\xc0\x01\xca\xfe",
					 4);
		assert_int_equal(ike_gen_init_chain(&g, buf, sizeof(buf)), 0);
		assert_int_equal(ike_gen_sa(&g, &sa), 0);
		assert_int_equal(ike_gen_finish(&g, &len), 0);
		assert_int_equal(ike_sa_parse(buf + 4, len - 4, 0, &back, &e),
				 0);
		assert_int_equal(back.n_proposals, sa.n_proposals);
		for (unsigned int p = 0; p < sa.n_proposals; p++) {
			assert_int_equal(back.prop[p].n_transforms,
					 sa.prop[p].n_transforms);
			assert_int_equal(back.prop[p].spi_size,
					 sa.prop[p].spi_size);
			for (unsigned int x = 0; x < sa.prop[p].n_transforms;
			     x++) {
				assert_int_equal(back.prop[p].xf[x].type,
						 sa.prop[p].xf[x].type);
				assert_int_equal(back.prop[p].xf[x].id,
						 sa.prop[p].xf[x].id);
				assert_int_equal(back.prop[p].xf[x].key_len,
						 sa.prop[p].xf[x].key_len);
			}
		}
	}
}

/* ---------------------------------------------------------------------- */
/* Selection                                                              */
/* ---------------------------------------------------------------------- */

struct sel_row {
	const char *ours, *theirs;
	unsigned int flags;
	const char *want; /* "num:formatted" or NULL */
	const char *why;  /* substring of the refusal */
};

static const struct sel_row sel_rows[] = {
	/* 0: our default against strongSwan's: our AEAD proposal is
	 * preferred and meets their proposal 2 */
	{ "ike:default", "ss-ike", 0,
	  "2:AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE25519", NULL },
	{ "ike:aes256-sha256-modp2048", "ss-ike", 0,
	  "1:AES_CBC_256/PRF_HMAC_SHA2_256/HMAC_SHA2_256_128/MODP_2048",
	  NULL },
	{ "ike:aes256gcm16-prfsha384-ecp384", "ss-ike", 0,
	  "2:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384", NULL },
	{ "ike:chacha20poly1305-prfsha512-x25519", "ss-ike", 0,
	  "2:CHACHA20_POLY1305/PRF_HMAC_SHA2_512/CURVE25519", NULL },
	/* their non-AEAD proposal alone against our default: our 2nd */
	{ "ike:default",
	  "raw-ike: E12/128 E12/192 E12/256 E3 I12 I13 I14 I2 " SS_PRFS
	  " " SS_GROUPS, 0,
	  "1:AES_CBC_128/PRF_HMAC_SHA2_256/HMAC_SHA2_256_128/CURVE25519",
	  NULL },
	/* 5 */
	{ "ike:aes128gcm16-prfsha256-ecp256", "ike:aes256gcm16-prfsha256-ecp256",
	  0, NULL, "no matching ENCR" },
	{ "ike:aes128gcm16-prfsha256-ecp256", "ike:aes128gcm16-prfsha256-x25519",
	  0, NULL, "no matching KE" },
	{ "ike:aes128gcm16-prfsha256-ecp256", "ike:aes128gcm16-prfsha384-ecp256",
	  0, NULL, "no matching PRF" },
	{ "ike:aes128-sha256-prfsha256-ecp256",
	  "ike:aes128-sha512-prfsha256-ecp256", 0, NULL, "no matching INTEG" },
	/* our order is the preference within each type */
	{ "ike:aes256gcm16-aes128gcm16-prfsha256-ecp256-x25519",
	  "ike:aes128gcm16-aes256gcm16-prfsha256-x25519-ecp256", 0,
	  "1:AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256", NULL },
	/* 10: and across proposals */
	{ "ike:default", "ike:aes256-sha256-modp2048,aes128gcm16-prfsha256-ecp256",
	  0, "2:AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256", NULL },
	{ "ike:aes256-sha256-ecp256,aes256gcm16-prfsha256-ecp256",
	  "ike:aes256gcm16-prfsha256-ecp256,aes256-sha256-ecp256", 0,
	  "2:AES_CBC_256/PRF_HMAC_SHA2_256/HMAC_SHA2_256_128/ECP_256", NULL },
	/* §3.3.6: unknown attributes / types make a proposal unacceptable */
	{ "ike:default", "raw-ike: E20/128+ P5 D31", 0, NULL,
	  "unknown attributes" },
	{ "ike:default", "raw-ike: E20/128+ P5 D31 ; E20/256 P5 D19", 0,
	  "2:AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256", NULL },
	{ "ike:default", "raw-ike: E20/128 P5 D31 T6:0", 0, NULL,
	  "unknown transform type 6" },
	/* 15: AES without Key Length does not match (RFC 5282 §8) */
	{ "ike:default", "raw-ike: E20 P5 D31", 0, NULL, "no matching ENCR" },
	/* AEAD with an explicit INTEG NONE: mirrored */
	{ "ike:aes128gcm16-prfsha256-x25519", "raw-ike: E20/128 I0 P5 D31", 0,
	  "1:AES_GCM_16_128/PRF_HMAC_SHA2_256/INTEG_NONE/CURVE25519", NULL },
	/* AEAD with a real INTEG: not acceptable */
	{ "ike:aes128gcm16-prfsha256-x25519", "raw-ike: E20/128 I12 P5 D31", 0,
	  NULL, "no matching INTEG" },
	/* CBC with only INTEG NONE: not acceptable */
	{ "ike:aes128-sha256-x25519", "raw-ike: E12/128 I0 P5 D31", 0, NULL,
	  "no matching INTEG" },
	{ "ike:default", "esp:default", 0, NULL, "protocol 3 != 1" },
	/* 20 */
	{ "ike:default", "raw-ike: E20/128 P5 D0", 0, NULL, "no matching KE" },
	{ "ike:default", "none-ike", 0, NULL, "no proposals" },
	/* ESP */
	{ "esp:default", "ss-esp", 0, "2:AES_GCM_16_128/NO_EXT_SEQ", NULL },
	{ "esp:aes256-sha512", "ss-esp", 0,
	  "1:AES_CBC_256/HMAC_SHA2_512_256/NO_EXT_SEQ", NULL },
	{ "esp:aes256gcm16", "esp:aes256gcm16-esn", 0, NULL,
	  "no matching ESN" },
	/* 25 */
	{ "esp:aes256gcm16-esn-noesn", "esp:aes256gcm16-noesn-esn", 0,
	  "1:AES_GCM_16_256/EXT_SEQ", NULL },
	{ "esp:aes256gcm16-ecp256", "esp:aes256gcm16", 0, NULL,
	  "no matching KE" },
	/* IKE_AUTH: KE transforms ignored on both sides */
	{ "esp:aes256gcm16-ecp256", "esp:aes256gcm16", IKE_PROP_SEL_NO_KE,
	  "1:AES_GCM_16_256/NO_EXT_SEQ", NULL },
	{ "esp:aes256gcm16", "esp:aes256gcm16-ecp384", IKE_PROP_SEL_NO_KE,
	  "1:AES_GCM_16_256/NO_EXT_SEQ", NULL },
	{ "esp:aes256gcm16", "esp:aes256gcm16-ecp256", 0, NULL,
	  "no matching KE" },
	/* 30: their KE list includes NONE: acceptable without PFS */
	{ "esp:aes256gcm16", "raw-esp: E20/256 D19 D0 N0", 0,
	  "1:AES_GCM_16_256/KE_NONE/NO_EXT_SEQ", NULL },
	{ "esp:aes128-sha256-ecp256", "esp:aes128-sha256-ecp256", 0,
	  "1:AES_CBC_128/HMAC_SHA2_256_128/ECP_256/NO_EXT_SEQ", NULL },
	/* ESN missing (mandatory per §3.3.3): read as "no ESN" */
	{ "esp:aes256gcm16", "raw-esp: E20/256", 0, "1:AES_GCM_16_256", NULL },
	{ "esp:aes256-sha256", "esp:aes256gcm16,aes256-sha256", 0,
	  "2:AES_CBC_256/HMAC_SHA2_256_128/NO_EXT_SEQ", NULL },
	{ "esp:chacha20poly1305", "ss-esp", 0, NULL, "no matching ENCR" },
	/* 35: ESP with an ADDKE transform (RFC 9370) we do not know */
	{ "esp:default", "raw-esp: E20/128 N0 T6:0", 0, NULL,
	  "unknown transform type 6" },
};

static void test_select_table(void **state)
{
	(void)state;
	assert_true(N_ELEM(sel_rows) >= 25);
	for (size_t i = 0; i < N_ELEM(sel_rows); i++) {
		const struct sel_row *r = &sel_rows[i];
		struct ike_sa ours, theirs;
		struct ike_proposal c;
		char why[IKE_PROP_WHY_LEN], got[1024];
		int rc;

		load(r->ours, &ours);
		load(r->theirs, &theirs);
		rc = ike_prop_select_ex(&ours, &theirs, r->flags, &c, why,
					sizeof(why));
		if (r->want) {
			if (rc != 0)
				fail_msg("row %zu: %d %s", i, rc, why);
			fmt_one(&c, got, sizeof(got));
			if (strcmp(got, r->want) != 0)
				fail_msg("row %zu:\n got  %s\n want %s", i,
					 got, r->want);
			assert_int_equal(c.protocol,
					 theirs.prop[c.num - 1].protocol);
			assert_int_equal(c.spi_size,
					 theirs.prop[c.num - 1].spi_size);
			assert_memory_equal(c.spi, theirs.prop[c.num - 1].spi,
					    c.spi_size);
			/* one transform per type */
			for (unsigned int x = 0; x < c.n_transforms; x++)
				for (unsigned int y = x + 1;
				     y < c.n_transforms; y++)
					assert_int_not_equal(c.xf[x].type,
							     c.xf[y].type);
			/* and the initiator accepts it */
			if (!(r->flags & IKE_PROP_SEL_NO_KE) &&
			    ike_prop_check_response(&theirs, &c, why,
						    sizeof(why)) != 0)
				fail_msg("row %zu: check_response: %s", i,
					 why);
		} else {
			if (rc != -ENOENT)
				fail_msg("row %zu: rc %d, want -ENOENT", i, rc);
			if (strstr(why, r->why) == NULL)
				fail_msg("row %zu: why '%s' lacks '%s'", i,
					 why, r->why);
			if (strncmp(why, "no proposal chosen: ", 20) != 0 ||
			    strstr(why, "; ours: ") == NULL ||
			    strstr(why, ", theirs: ") == NULL)
				fail_msg("row %zu: why format '%s'", i, why);
		}
	}
}

/* The plain entry point is select_ex without flags; why may be NULL. */
static void test_select_plain_and_null_why(void **state)
{
	struct ike_sa ours, theirs;
	struct ike_proposal c;

	(void)state;
	load("ike:default", &ours);
	load("ss-ike", &theirs);
	assert_int_equal(ike_prop_select(&ours, &theirs, &c, NULL, 0), 0);
	assert_int_equal(c.num, 2);
	load("ike:aes128-sha256-ecp384", &ours);
	load("ike:aes128gcm16-prfsha256-ecp384", &theirs);
	assert_int_equal(ike_prop_select(&ours, &theirs, &c, NULL, 0),
			 -ENOENT);
	assert_int_equal(c.n_transforms, 0);
	assert_int_equal(ike_prop_select(NULL, &theirs, &c, NULL, 0),
			 -EINVAL);
}

static void test_select_ecp521_refused_by_parser(void **state)
{
	struct ike_sa sa;
	char err[IKE_PROP_WHY_LEN];

	(void)state;
	assert_int_equal(ike_prop_parse("aes128gcm16-prfsha256-ecp521", IKE,
					&sa, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "'ecp521' is not implemented"));
}

/* ---------------------------------------------------------------------- */
/* Initiator's check of the answer                                        */
/* ---------------------------------------------------------------------- */

struct chk_row {
	const char *offered;
	const char *chosen; /* raw, one proposal; number set from num */
	uint8_t num;
	int rc;
	const char *why;
};

static const struct chk_row chk_rows[] = {
	{ "ike:default", "raw-ike: E12/128 P5 I12 D31", 2, 0, NULL },
	{ "ike:default", "raw-ike: E20/256 P7 D14", 1, 0, NULL },
	{ "ike:default", "raw-ike: E20/256 I0 P7 D14", 1, 0, NULL },
	{ "ike:default", "raw-ike: E20/256 P7 D14", 3, -EBADMSG,
	  "proposal 3 was not offered" },
	{ "ike:default", "raw-ike: E20/256 P7 D21", 1, -EBADMSG,
	  "KE_21 was not offered" },
	{ "ike:default", "raw-ike: E20/256 E20/128 P7 D14", 1, -EBADMSG,
	  "more than one ENCR" },
	{ "ike:default", "raw-ike: E20/256 D14", 1, -EBADMSG,
	  "PRF or KE missing" },
	{ "ike:default", "raw-ike: E12/128 P5 D31", 2, -EBADMSG, "no INTEG" },
	{ "ike:default", "raw-ike: E20/256+ P7 D14", 1, -EBADMSG,
	  "not allowed" },
	{ "ike:default", "raw-ike: E20/128 P5 D31 N0", 1, -EBADMSG,
	  "not allowed" },
	{ "ike:default", "raw-ike: E12/128 P5 D31", 1, -EBADMSG,
	  "AES_CBC_128 was not offered" },
	{ "esp:default", "raw-esp: E20/128 N0", 1, 0, NULL },
	{ "esp:default", "raw-esp: E20/128", 1, -EBADMSG, "no ESN" },
	{ "esp:aes128gcm16-ecp256", "raw-esp: E20/128 N0", 1, -EBADMSG,
	  "PFS was required" },
	{ "esp:aes128gcm16-ecp256", "raw-esp: E20/128 D19 N0", 1, 0, NULL },
};

static void test_check_response_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEM(chk_rows); i++) {
		const struct chk_row *r = &chk_rows[i];
		struct ike_sa off, ch;
		char why[IKE_PROP_WHY_LEN];
		int rc;

		load(r->offered, &off);
		load(r->chosen, &ch);
		ch.prop[0].num = r->num;
		rc = ike_prop_check_response(&off, &ch.prop[0], why,
					     sizeof(why));
		if (rc != r->rc)
			fail_msg("row %zu: rc %d want %d (%s)", i, rc, r->rc,
				 why);
		if (r->why && strstr(why, r->why) == NULL)
			fail_msg("row %zu: why '%s' lacks '%s'", i, why,
				 r->why);
	}
}

static void test_check_response_spi_size(void **state)
{
	struct ike_sa off, ch;
	char why[IKE_PROP_WHY_LEN];

	(void)state;
	load("esp:default", &off);
	load("raw-esp: E20/128 N0", &ch);
	ch.prop[0].spi_size = 0;
	assert_int_equal(ike_prop_check_response(&off, &ch.prop[0], why,
						 sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "SPI size 0"));
	/* IKE rekey: the offer had 8-byte SPIs, so must the answer */
	load("ike:default", &off);
	ike_prop_set_spi(&off, (const uint8_t *)"12345678", 8);
	load("raw-ike: E20/128 P5 D31", &ch);
	assert_int_equal(ike_prop_check_response(&off, &ch.prop[0], why,
						 sizeof(why)), -EBADMSG);
	ch.prop[0].spi_size = 8;
	assert_int_equal(ike_prop_check_response(&off, &ch.prop[0], why,
						 sizeof(why)), 0);
	load("raw-ike: E20/128 P5 D31", &ch);
	ch.prop[0].protocol = ESP;
	assert_int_equal(ike_prop_check_response(&off, &ch.prop[0], why,
						 sizeof(why)), -EBADMSG);
}

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */
/* ---------------------------------------------------------------------- */

static void test_groups(void **state)
{
	struct ike_sa sa, f;
	char got[1024];

	(void)state;
	load("ike:default", &sa);
	assert_true(ike_prop_has_group(&sa, PP_IKE_DH_CURVE25519));
	assert_true(ike_prop_has_group(&sa, PP_IKE_DH_MODP2048));
	assert_false(ike_prop_has_group(&sa, PP_IKE_DH_ECP521));
	assert_int_equal(ike_prop_dh_group(&sa.prop[0]), PP_IKE_DH_CURVE25519);

	assert_int_equal(ike_prop_filter_group(&sa, PP_IKE_DH_ECP384, &f), 0);
	ike_prop_format(&f, got, sizeof(got));
	assert_string_equal(got,
		"AES_GCM_16_128/AES_GCM_16_256/PRF_HMAC_SHA2_256/"
		"PRF_HMAC_SHA2_384/PRF_HMAC_SHA2_512/ECP_384, "
		"AES_CBC_128/AES_CBC_256/PRF_HMAC_SHA2_256/PRF_HMAC_SHA2_384/"
		"PRF_HMAC_SHA2_512/HMAC_SHA2_256_128/HMAC_SHA2_384_192/"
		"HMAC_SHA2_512_256/ECP_384");
	assert_int_equal(f.prop[0].num, 1);
	assert_int_equal(f.prop[1].num, 2);
	assert_int_equal(ike_prop_filter_group(&sa, PP_IKE_DH_ECP521, &f),
			 -ENOENT);
	assert_int_equal(f.n_proposals, 0);

	/* only the proposal that has the group survives, renumbered; in
	 * place */
	load("ike:aes128-sha256-ecp256,aes256gcm16-prfsha256-x25519", &sa);
	assert_int_equal(ike_prop_filter_group(&sa, PP_IKE_DH_CURVE25519,
					       &sa), 0);
	assert_int_equal(sa.n_proposals, 1);
	assert_int_equal(sa.prop[0].num, 1);
	ike_prop_format(&sa, got, sizeof(got));
	assert_string_equal(got, "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519");

	/* no KE in the chosen ESP proposal */
	load("esp:aes256gcm16", &sa);
	assert_int_equal(ike_prop_dh_group(&sa.prop[0]), 0);
	load("esp:aes256gcm16-ecp384", &sa);
	assert_int_equal(ike_prop_dh_group(&sa.prop[0]), PP_IKE_DH_ECP384);
	ike_prop_strip_ke(&sa);
	assert_int_equal(ike_prop_dh_group(&sa.prop[0]), 0);
	ike_prop_format(&sa, got, sizeof(got));
	assert_string_equal(got, "AES_GCM_16_256/NO_EXT_SEQ");
}

static void test_suite_and_esn(void **state)
{
	struct ike_sa sa;
	struct ike_suite s;

	(void)state;
	load("raw-ike: E20/256 P6 D19", &sa);
	assert_int_equal(ike_prop_suite(&sa.prop[0], &s), 0);
	assert_int_equal(s.encr, IKE_ENCR_AES_GCM_16);
	assert_int_equal(s.encr_bits, 256);
	assert_int_equal(s.integ, IKE_INTEG_NONE);
	assert_int_equal(s.prf, IKE_PRF_HMAC_SHA2_384);

	load("raw-ike: E12/128 P5 I14 D19", &sa);
	assert_int_equal(ike_prop_suite(&sa.prop[0], &s), 0);
	assert_int_equal(s.encr, IKE_ENCR_AES_CBC);
	assert_int_equal(s.encr_bits, 128);
	assert_int_equal(s.integ, IKE_INTEG_HMAC_SHA2_512_256);
	assert_int_equal(s.prf, IKE_PRF_HMAC_SHA2_256);

	load("raw-esp: E28 N1", &sa);
	assert_int_equal(ike_prop_suite(&sa.prop[0], &s), 0);
	assert_int_equal(s.encr, IKE_ENCR_CHACHA20_POLY1305);
	assert_int_equal(s.prf, 0);
	assert_true(ike_prop_esn(&sa.prop[0]));

	load("raw-esp: E12/256 I12 N0", &sa);
	assert_int_equal(ike_prop_suite(&sa.prop[0], &s), 0);
	assert_false(ike_prop_esn(&sa.prop[0]));

	/* a list, not a choice */
	load("raw-ike: E12/128 E12/256 P5 I12 D19", &sa);
	assert_int_equal(ike_prop_suite(&sa.prop[0], &s), -EINVAL);
	/* IKE without PRF */
	load("raw-ike: E20/128 D19", &sa);
	assert_int_equal(ike_prop_suite(&sa.prop[0], &s), -EINVAL);
	/* not implemented here */
	load("raw-ike: E13/128 P5 I12 D19", &sa);
	assert_int_equal(ike_prop_suite(&sa.prop[0], &s), -ENOTSUP);
	/* AEAD with an integrity algorithm */
	load("raw-esp: E20/128 I12 N0", &sa);
	assert_int_equal(ike_prop_suite(&sa.prop[0], &s), -EINVAL);
}

static void test_spi_and_format(void **state)
{
	struct ike_sa sa;
	char small[16];
	size_t n;

	(void)state;
	load("esp:default", &sa);
	ike_prop_set_spi(&sa, (const uint8_t *)"\xde\xad\xbe\xef", 4);
	for (unsigned int i = 0; i < sa.n_proposals; i++) {
		assert_int_equal(sa.prop[i].spi_size, 4);
		assert_memory_equal(sa.prop[i].spi, "\xde\xad\xbe\xef", 4);
	}
	ike_prop_set_spi(&sa, NULL, 0);
	assert_int_equal(sa.prop[1].spi_size, 0);

	n = ike_prop_format(&sa, small, sizeof(small));
	assert_int_equal(n, sizeof(small) - 1);
	assert_string_equal(small, "AES_GCM_16_128/");
	assert_int_equal(ike_prop_format(&sa, small, 0), 0);
	memset(&sa, 0, sizeof(sa));
	assert_int_equal(ike_prop_format(&sa, small, sizeof(small)), 6);
	assert_string_equal(small, "(none)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_null_is_default_and_limits),
		cmocka_unit_test(test_parse_default_roundtrips_through_codec),
		cmocka_unit_test(test_select_table),
		cmocka_unit_test(test_select_plain_and_null_why),
		cmocka_unit_test(test_select_ecp521_refused_by_parser),
		cmocka_unit_test(test_check_response_table),
		cmocka_unit_test(test_check_response_spi_size),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_suite_and_esn),
		cmocka_unit_test(test_spi_and_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
