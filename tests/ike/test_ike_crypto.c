/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tests of the libike crypto layer (libike/ike_crypto.h, private).
 *
 * Known answers, kept as data files in tests/vectors/ (each names its
 * source in its header):
 *
 *   ike-prf-hmac-sha2-rfc4868.txt      RFC 4868 §2.7.1 PRF vectors
 *   hmac-sha2-rfc4868.txt              RFC 4868 §2.7.2 authenticator vectors
 *   ike-prfplus-cavp-sp800-135.txt     prf+ (NIST CAVP SP 800-135 IKEv2)
 *   ike-ecdh-rfc5903.txt               RFC 5903 §8.1 / §8.2
 *   ike-x25519-rfc7748-rfc8031.txt     RFC 7748 §6.1, §5.2; RFC 8031 App. A
 *   ike-modp2048-rfc3526.txt           MODP-2048: strongSwan's vector and
 *                                      leading-zero cases
 *   ike-kat-strongswan-5.9.8.txt       SKEYSEED, SK_*, PSK AUTH, child
 *                                      KEYMAT (with/without PFS), IKE rekey
 *   ike-sk-rfc7634-appb.txt            RFC 7634 Appendix B IKE message
 *   ike-sk-framing-tshark.txt          AES-GCM / AES-CBC+HMAC SK messages
 *                                      checked by tshark 4.0
 *   ike-natd-rfc7296.txt               NAT-D hashes
 *
 * Behavioural tests: key exchange in both directions for every group,
 * invalid peer values (RFC 6989), SK round trips for every suite, tamper
 * detection on every bit of ICV, ciphertext, IV and header, padding with
 * arbitrary content on receive, malformed frames, and the seal-side frame
 * checks. A small reference SK encoder written directly against EVP (see
 * ref_build) forges messages the library would never produce.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ike_crypto.h"
#include "tv.h"

/* cmocka's headers need these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define BUF	  2048
#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */
/* ---------------------------------------------------------------------- */

static struct tv_file *load(const char *name)
{
	struct tv_file *f = tv_load(name);

	if (f == NULL)
		fail_msg("cannot load vector file %s", name);
	assert_true(f->n_cases > 0);
	return f;
}

static size_t bytes(const struct tv_case *c, const char *field, uint8_t *out,
		    size_t cap)
{
	ssize_t n = tv_bytes(c, field, out, cap);

	if (n < 0)
		fail_msg("[%s] bad field %s", c->name, field);
	return (size_t)n;
}

static bool has(const struct tv_case *c, const char *field)
{
	return tv_str(c, field) != NULL;
}

static const char *str(const struct tv_case *c, const char *field)
{
	const char *s = tv_str(c, field);

	if (s == NULL)
		fail_msg("[%s] missing field %s", c->name, field);
	return s;
}

static uint64_t num(const struct tv_case *c, const char *field)
{
	uint64_t v;

	if (!tv_u64(c, field, &v))
		fail_msg("[%s] bad field %s", c->name, field);
	return v;
}

static void expect_mem(const char *what, const char *name, const uint8_t *got,
		       size_t got_len, const uint8_t *want, size_t want_len)
{
	if (got_len != want_len || memcmp(got, want, want_len) != 0) {
		tv_dump("got", got, got_len);
		tv_dump("want", want, want_len);
		fail_msg("[%s] %s differs", name, what);
	}
}

/* Compare @got against hex field @field of case @c. */
static void expect_field(const struct tv_case *c, const char *field,
			 const uint8_t *got, size_t got_len)
{
	uint8_t want[BUF];
	size_t n = bytes(c, field, want, sizeof(want));

	expect_mem(field, c->name, got, got_len, want, n);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

static uint16_t prf_of(const char *s)
{
	if (strcmp(s, "sha256") == 0)
		return IKE_PRF_HMAC_SHA2_256;
	if (strcmp(s, "sha384") == 0)
		return IKE_PRF_HMAC_SHA2_384;
	if (strcmp(s, "sha512") == 0)
		return IKE_PRF_HMAC_SHA2_512;
	fail_msg("unknown prf %s", s);
	return 0;
}

/*
 * strongSwan-style suite text, e.g. "AES_CBC_256/HMAC_SHA2_256_128/
 * PRF_HMAC_SHA2_256/CURVE_25519" (the key exchange part is ignored).
 */
static struct ike_suite suite_of(const char *text)
{
	struct ike_suite s = {0, 0, IKE_INTEG_NONE, 0};
	char buf[128], *save = NULL;

	assert_true(strlen(text) < sizeof(buf));
	strcpy(buf, text);
	for (char *t = strtok_r(buf, "/", &save); t != NULL;
	     t = strtok_r(NULL, "/", &save)) {
		if (strncmp(t, "AES_CBC_", 8) == 0) {
			s.encr = IKE_ENCR_AES_CBC;
			s.encr_bits = (uint16_t)atoi(t + 8);
		} else if (strncmp(t, "AES_GCM_16_", 11) == 0) {
			s.encr = IKE_ENCR_AES_GCM_16;
			s.encr_bits = (uint16_t)atoi(t + 11);
		} else if (strcmp(t, "CHACHA20_POLY1305") == 0) {
			s.encr = IKE_ENCR_CHACHA20_POLY1305;
		} else if (strcmp(t, "HMAC_SHA2_256_128") == 0) {
			s.integ = IKE_INTEG_HMAC_SHA2_256_128;
		} else if (strcmp(t, "HMAC_SHA2_384_192") == 0) {
			s.integ = IKE_INTEG_HMAC_SHA2_384_192;
		} else if (strcmp(t, "HMAC_SHA2_512_256") == 0) {
			s.integ = IKE_INTEG_HMAC_SHA2_512_256;
		} else if (strcmp(t, "PRF_HMAC_SHA2_256") == 0) {
			s.prf = IKE_PRF_HMAC_SHA2_256;
		} else if (strcmp(t, "PRF_HMAC_SHA2_384") == 0) {
			s.prf = IKE_PRF_HMAC_SHA2_384;
		} else if (strcmp(t, "PRF_HMAC_SHA2_512") == 0) {
			s.prf = IKE_PRF_HMAC_SHA2_512;
		} else if (strncmp(t, "CURVE_", 6) != 0 &&
			   strncmp(t, "ECP_", 4) != 0 &&
			   strncmp(t, "MODP_", 5) != 0) {
			fail_msg("unknown suite token %s", t);
		}
	}
	return s;
}

static void put_be16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---------------------------------------------------------------------- */
/* RFC 4868: PRF and integrity                                            */
/* ---------------------------------------------------------------------- */

static void test_rfc4868_2_7_1_prf_hmac_sha2_vectors(void **state)
{
	struct tv_file *f = load("ike-prf-hmac-sha2-rfc4868.txt");
	uint8_t key[256], data[256], out[IKE_PRF_LEN_MAX],
		out2[IKE_PRF_LEN_MAX];

	(void)state;
	assert_int_equal(f->n_cases, 18);
	for (size_t i = 0; i < f->n_cases; i++) {
		const struct tv_case *c = &f->cases[i];
		uint16_t prf = prf_of(str(c, "prf"));
		size_t kl = bytes(c, "key", key, sizeof(key));
		size_t dl = bytes(c, "data", data, sizeof(data));
		struct ike_buf one = {data, dl};
		/* The same input split in three pieces. */
		struct ike_buf three[3] = {
			{data, dl / 3},
			{data + dl / 3, 0},
			{data + dl / 3, dl - dl / 3},
		};

		assert_int_equal(ike_prf(prf, key, kl, &one, 1, out), 0);
		expect_field(c, "out", out, ike_prf_len(prf));
		assert_int_equal(ike_prf(prf, key, kl, three, 3, out2), 0);
		expect_mem("split input", c->name, out2, ike_prf_len(prf), out,
			   ike_prf_len(prf));
	}
	tv_free(f);
}

static void test_rfc4868_2_7_2_integ_truncated_icv_vectors(void **state)
{
	struct tv_file *f = load("hmac-sha2-rfc4868.txt");
	uint8_t key[128], data[256], icv[IKE_INTEG_ICV_MAX];

	(void)state;
	for (size_t i = 0; i < f->n_cases; i++) {
		const struct tv_case *c = &f->cases[i];
		const char *alg = str(c, "alg");
		uint16_t integ = strcmp(alg, "sha256") == 0
					 ? IKE_INTEG_HMAC_SHA2_256_128
				 : strcmp(alg, "sha384") == 0
					 ? IKE_INTEG_HMAC_SHA2_384_192
					 : IKE_INTEG_HMAC_SHA2_512_256;
		size_t kl = bytes(c, "key", key, sizeof(key));
		size_t dl = bytes(c, "data", data, sizeof(data));

		assert_int_equal(kl, ike_integ_key_len(integ));
		assert_int_equal(ike_integ_icv(integ, key, kl, data, dl, icv),
				 0);
		expect_field(c, "icv", icv, ike_integ_icv_len(integ));
		/* A key of the wrong length is a caller error. */
		assert_int_equal(
			ike_integ_icv(integ, key, kl - 1, data, dl, icv),
			-EINVAL);
	}
	tv_free(f);
}

/* ---------------------------------------------------------------------- */
/* RFC 7296 §2.13: prf+                                                   */
/* ---------------------------------------------------------------------- */

static void test_rfc7296_2_13_prf_plus_sp800_135_vectors(void **state)
{
	struct tv_file *f = load("ike-prfplus-cavp-sp800-135.txt");
	uint8_t key[IKE_PRF_LEN_MAX], seed[1024], want[1024], out[1024];

	(void)state;
	assert_int_equal(f->n_cases, 7);
	for (size_t i = 0; i < f->n_cases; i++) {
		const struct tv_case *c = &f->cases[i];
		uint16_t prf = prf_of(str(c, "prf"));
		size_t hl = ike_prf_len(prf);
		size_t kl = bytes(c, "key", key, sizeof(key));
		size_t sl = bytes(c, "seed", seed, sizeof(seed));
		size_t ol = bytes(c, "out", want, sizeof(want));
		struct ike_buf s = {seed, sl};
		size_t lens[] = {1, hl - 1, hl, hl + 1, ol};

		/* Any output length is a prefix of the same stream. */
		for (size_t j = 0; j < N_ELEM(lens); j++) {
			memset(out, 0xee, sizeof(out));
			assert_int_equal(
				ike_prf_plus(prf, key, kl, &s, 1, out, lens[j]),
				0);
			expect_mem("prf+ output", c->name, out, lens[j], want,
				   lens[j]);
			assert_int_equal(out[lens[j]], 0xee);
		}
	}
	tv_free(f);
}

static void test_rfc7296_2_13_prf_plus_255_block_limit(void **state)
{
	static uint8_t out[255 * IKE_PRF_LEN_MAX + 1];
	static uint8_t want[255 * IKE_PRF_LEN_MAX];
	const uint8_t key[] = "prf+ limit key";
	const uint8_t s1[] = "seed part one", s2[] = "two";
	struct ike_buf seed[2] = {{s1, sizeof(s1) - 1}, {s2, sizeof(s2) - 1}};
	const uint16_t prfs[] = {IKE_PRF_HMAC_SHA2_256, IKE_PRF_HMAC_SHA2_384,
				 IKE_PRF_HMAC_SHA2_512};

	(void)state;
	for (size_t p = 0; p < N_ELEM(prfs); p++) {
		uint16_t prf = prfs[p];
		size_t hl = ike_prf_len(prf);

		/* Reference: Tn = prf(K, Tn-1 | S | n), n = 1..255. */
		for (unsigned int n = 1; n <= 255; n++) {
			uint8_t cnt = (uint8_t)n;
			struct ike_buf in[4] = {
				{want, 0},
				seed[0],
				seed[1],
				{&cnt, 1},
			};

			if (n > 1) {
				in[0].p = want + (n - 2) * hl; /* T(n-1) */
				in[0].len = hl;
			}
			assert_int_equal(ike_prf(prf, key, sizeof(key) - 1, in,
						 4, want + (n - 1) * hl),
					 0);
		}
		assert_int_equal(ike_prf_plus(prf, key, sizeof(key) - 1, seed,
					      2, out, 255 * hl),
				 0);
		expect_mem("255 blocks", "limit", out, 255 * hl, want,
			   255 * hl);
		/* One byte more would need block 256: refused, output wiped. */
		memset(out, 0xee, sizeof(out));
		assert_int_equal(ike_prf_plus(prf, key, sizeof(key) - 1, seed,
					      2, out, 255 * hl + 1),
				 -EINVAL);
		assert_true(all_zero(out, 255 * hl + 1));
	}
	assert_int_equal(ike_prf_plus(99, key, 1, seed, 2, out, 32), -ENOTSUP);
}

/* ---------------------------------------------------------------------- */
/* Key exchange                                                           */
/* ---------------------------------------------------------------------- */

/*
 * One vector: both private keys imported, both KE data values and the
 * shared secret in both directions. Cases without priv_r only check
 * priv_i against ke_r.
 */
static void run_dh_case(uint16_t group, const struct tv_case *c)
{
	/* +1: a sentinel after the largest secret. */
	uint8_t priv[256], ke[IKE_KE_MAX], peer[IKE_KE_MAX],
		sec[IKE_DH_SECRET_MAX + 1];
	struct ike_dh i, r;
	size_t kl = ike_dh_ke_len(group), sl = ike_dh_secret_len(group);
	size_t n;

	n = bytes(c, "priv_i", priv, sizeof(priv));
	assert_int_equal(ike_dh_init_fixed(&i, group, priv, n), 0);
	assert_int_equal(i.ke_len, kl);
	assert_int_equal(i.secret_len, sl);
	if (has(c, "ke_i")) {
		memset(ke, 0xee, sizeof(ke));
		assert_int_equal(ike_dh_ke_data(&i, ke, sizeof(ke)), 0);
		expect_field(c, "ke_i", ke, kl);
	}
	n = bytes(c, "ke_r", peer, sizeof(peer));
	assert_int_equal(n, kl);
	assert_int_equal(ike_dh_check_peer(group, peer, n), 0);
	memset(sec, 0xee, sizeof(sec));
	assert_int_equal(ike_dh_derive(&i, peer, n, sec, sizeof(sec)), 0);
	expect_field(c, "shared", sec, sl);
	assert_int_equal(sec[sl], 0xee); /* exactly secret_len written */
	ike_dh_fini(&i);
	assert_null(i.pkey);

	if (!has(c, "priv_r"))
		return;
	n = bytes(c, "priv_r", priv, sizeof(priv));
	assert_int_equal(ike_dh_init_fixed(&r, group, priv, n), 0);
	assert_int_equal(ike_dh_ke_data(&r, ke, sizeof(ke)), 0);
	expect_field(c, "ke_r", ke, kl);
	n = bytes(c, "ke_i", peer, sizeof(peer));
	assert_int_equal(ike_dh_derive(&r, peer, n, sec, sizeof(sec)), 0);
	expect_field(c, "shared", sec, sl);
	ike_dh_fini(&r);
}

static void test_rfc5903_8_ecdh_p256_p384_vectors(void **state)
{
	struct tv_file *f = load("ike-ecdh-rfc5903.txt");

	(void)state;
	assert_int_equal(f->n_cases, 2);
	for (size_t i = 0; i < f->n_cases; i++) {
		uint16_t group = (uint16_t)num(&f->cases[i], "group");

		/* RFC 5903 §8: KE payload length = 8 + 2 * field size. */
		assert_int_equal(ike_dh_ke_len(group),
				 group == IKE_DH_ECP_256 ? 0x48 - 8 : 0x68 - 8);
		run_dh_case(group, &f->cases[i]);
	}
	tv_free(f);
}

static void test_rfc7748_6_1_rfc8031_a_x25519_vectors(void **state)
{
	struct tv_file *f = load("ike-x25519-rfc7748-rfc8031.txt");

	(void)state;
	assert_int_equal(f->n_cases, 4);
	for (size_t i = 0; i < f->n_cases; i++)
		run_dh_case(IKE_DH_CURVE25519, &f->cases[i]);
	tv_free(f);
}

static void test_rfc3526_modp2048_strongswan_vector(void **state)
{
	struct tv_file *f = load("ike-modp2048-rfc3526.txt");
	const struct tv_case *c = tv_case_find(f, "strongSwan-modp2048");

	(void)state;
	assert_non_null(c);
	run_dh_case(IKE_DH_MODP_2048, c);
	tv_free(f);
}

/*
 * RFC 7296 §2.14: g^ir is the full modulus width. OpenSSL strips leading
 * zeros unless told otherwise; BitVisor shipped that bug.
 */
static void test_rfc7296_2_14_modp2048_leading_zero_secret_padded(void **state)
{
	struct tv_file *f = load("ike-modp2048-rfc3526.txt");
	const char *names[] = {"shared-secret-1-leading-zero-byte",
			       "shared-secret-2-leading-zero-bytes"};
	uint8_t sec[IKE_DH_SECRET_MAX];

	(void)state;
	for (size_t i = 0; i < N_ELEM(names); i++) {
		const struct tv_case *c = tv_case_find(f, names[i]);

		assert_non_null(c);
		/* The vector really exercises the padding ... */
		assert_int_equal(bytes(c, "shared", sec, sizeof(sec)), 256);
		assert_int_equal(sec[0], 0);
		if (i == 1)
			assert_int_equal(sec[1], 0);
		/* ... and both sides reproduce it at 256 bytes. */
		run_dh_case(IKE_DH_MODP_2048, c);
	}
	tv_free(f);
}

static void test_rfc7296_3_4_modp2048_ke_data_left_padded(void **state)
{
	struct tv_file *f = load("ike-modp2048-rfc3526.txt");
	const struct tv_case *c = tv_case_find(f, "ke-r-leading-zero-byte");
	uint8_t ke[IKE_KE_MAX];

	(void)state;
	assert_non_null(c);
	assert_int_equal(bytes(c, "ke_r", ke, sizeof(ke)), 256);
	assert_int_equal(ke[0], 0);
	run_dh_case(IKE_DH_MODP_2048, c); /* exports ke_r from priv_r */
	tv_free(f);
}

static void test_rfc7296_2_14_generated_keys_agree_every_group(void **state)
{
	const uint16_t groups[] = {IKE_DH_MODP_2048, IKE_DH_ECP_256,
				   IKE_DH_ECP_384, IKE_DH_CURVE25519};
	uint8_t ke_i[IKE_KE_MAX], ke_r[IKE_KE_MAX];
	uint8_t s_i[IKE_DH_SECRET_MAX], s_r[IKE_DH_SECRET_MAX];

	(void)state;
	for (size_t g = 0; g < N_ELEM(groups); g++) {
		for (int rep = 0; rep < 4; rep++) {
			struct ike_dh i, r;

			assert_int_equal(ike_dh_init(&i, groups[g]), 0);
			assert_int_equal(ike_dh_init(&r, groups[g]), 0);
			assert_int_equal(ike_dh_ke_data(&i, ke_i, i.ke_len), 0);
			assert_int_equal(ike_dh_ke_data(&r, ke_r, r.ke_len), 0);
			assert_int_equal(
				ike_dh_check_peer(groups[g], ke_i, i.ke_len),
				0);
			assert_int_equal(ike_dh_derive(&i, ke_r, r.ke_len, s_i,
						       sizeof(s_i)),
					 0);
			assert_int_equal(ike_dh_derive(&r, ke_i, i.ke_len, s_r,
						       sizeof(s_r)),
					 0);
			expect_mem("shared secret", "generated", s_i,
				   i.secret_len, s_r, r.secret_len);
			assert_false(all_zero(s_i, i.secret_len));
			ike_dh_fini(&i);
			ike_dh_fini(&r);
			ike_dh_fini(&r); /* idempotent */
		}
	}
}

/* RFC 3526 §3 prime, for building invalid MODP values. */
static void modp_p(uint8_t p[256])
{
	static const char hex[] = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC"
				  "1CD129024E088A67CC74"
				  "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A"
				  "431B302B0A6DF25F1437"
				  "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637"
				  "ED6B0BFF5CB6F406B7ED"
				  "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE4"
				  "5B3DC2007CB8A163BF05"
				  "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3"
				  "AD961C62F356208552BB"
				  "9ED529077096966D670C354E4ABC9804F1746C08CA18"
				  "217C32905E462E36CE3B"
				  "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C"
				  "52C9DE2BCBF695581718"
				  "3995497CEA956AE515D2261898FA051015728E5A8AAC"
				  "AA68FFFFFFFFFFFFFFFF";

	assert_int_equal(tv_hex_decode(hex, p, 256), 256);
}

static void test_rfc6989_2_1_modp2048_invalid_peer_values_rejected(void **state)
{
	uint8_t p[256], v[258], sec[IKE_DH_SECRET_MAX];
	struct ike_dh dh;
	enum { ZERO, ONE, TWO, FOUR, PM2, PM1, P, PP1, ALLFF };
	const struct {
		int value;
		const char *name;
		int want;
	} t[] = {
		{ZERO, "0", -EPROTO},
		{ONE, "1", -EPROTO},
		{TWO, "2 (= g, smallest valid)", 0},
		{FOUR, "4", 0},
		/* p-2 is in range but not a quadratic residue: libcrypto's
		 * subgroup check (y^q = 1) rejects it; no honest peer can
		 * send it, since g = 2 generates the order-q subgroup. */
		{PM2, "p-2 (outside the order-q subgroup)", -EPROTO},
		{PM1, "p-1", -EPROTO},
		{P, "p", -EPROTO},
		{PP1, "p+1", -EPROTO},
		{ALLFF, "2^2048-1", -EPROTO},
	};

	(void)state;
	modp_p(p);
	assert_int_equal(ike_dh_init(&dh, IKE_DH_MODP_2048), 0);
	for (size_t i = 0; i < N_ELEM(t); i++) {
		memset(v, 0, sizeof(v));
		switch (t[i].value) {
		case ONE:
			v[255] = 1;
			break;
		case TWO:
			v[255] = 2;
			break;
		case FOUR:
			v[255] = 4;
			break;
		case PM2:
			memcpy(v, p, 256);
			v[255] -= 2;
			break;
		case PM1:
			memcpy(v, p, 256);
			v[255] -= 1;
			break;
		case P:
			memcpy(v, p, 256);
			break;
		case PP1:
			memcpy(v, p, 256); /* p ends in ff: carry */
			for (int j = 255; j >= 0 && ++v[j] == 0; j--)
				;
			break;
		case ALLFF:
			memset(v, 0xff, 256);
			break;
		}
		memset(sec, 0xee, sizeof(sec));
		if (ike_dh_check_peer(IKE_DH_MODP_2048, v, 256) != t[i].want ||
		    ike_dh_derive(&dh, v, 256, sec, sizeof(sec)) != t[i].want)
			fail_msg("peer value %s: expected %d", t[i].name,
				 t[i].want);
		if (t[i].want == 0)
			assert_false(all_zero(sec, 256));
		else
			assert_true(all_zero(sec, 256));
	}
	/* Wrong lengths, even with a valid value inside. */
	memset(v, 0, sizeof(v));
	v[254] = 2;
	assert_int_equal(ike_dh_derive(&dh, v, 255, sec, sizeof(sec)), -EPROTO);
	assert_int_equal(ike_dh_derive(&dh, v, 257, sec, sizeof(sec)), -EPROTO);
	assert_int_equal(ike_dh_derive(&dh, v, 0, sec, sizeof(sec)), -EPROTO);
	assert_int_equal(ike_dh_derive(&dh, NULL, 256, sec, sizeof(sec)),
			 -EPROTO);
	ike_dh_fini(&dh);
}

static void test_rfc6989_2_3_ecp_invalid_points_rejected(void **state)
{
	struct tv_file *f = load("ike-ecdh-rfc5903.txt");
	uint8_t ke[IKE_KE_MAX + 2], bad[IKE_KE_MAX + 2], sec[IKE_DH_SECRET_MAX];

	(void)state;
	for (size_t i = 0; i < f->n_cases; i++) {
		const struct tv_case *c = &f->cases[i];
		uint16_t group = (uint16_t)num(c, "group");
		size_t kl = ike_dh_ke_len(group), fl = kl / 2;
		struct ike_dh dh;

		assert_int_equal(bytes(c, "ke_r", ke, sizeof(ke)), kl);
		assert_int_equal(ike_dh_init(&dh, group), 0);
		assert_int_equal(ike_dh_derive(&dh, ke, kl, sec, sizeof(sec)),
				 0);
		/* y with its last bit flipped: not on the curve. */
		memcpy(bad, ke, kl);
		bad[kl - 1] ^= 1;
		assert_int_equal(ike_dh_check_peer(group, bad, kl), -EPROTO);
		memset(sec, 0xee, sizeof(sec));
		assert_int_equal(ike_dh_derive(&dh, bad, kl, sec, sizeof(sec)),
				 -EPROTO);
		assert_true(all_zero(sec, fl));
		/* x flipped too. */
		bad[0] ^= 0x80;
		assert_int_equal(ike_dh_check_peer(group, bad, kl), -EPROTO);
		/* Coordinates >= p. */
		memset(bad, 0xff, kl);
		assert_int_equal(ike_dh_check_peer(group, bad, kl), -EPROTO);
		/* (0, 0) (what an encoded point at infinity might look like).
		 */
		memset(bad, 0, kl);
		assert_int_equal(ike_dh_check_peer(group, bad, kl), -EPROTO);
		/* SEC1 form with the 0x04 byte is not the IKE encoding. */
		bad[0] = 0x04;
		memcpy(bad + 1, ke, kl);
		assert_int_equal(ike_dh_check_peer(group, bad, kl + 1),
				 -EPROTO);
		assert_int_equal(ike_dh_check_peer(group, ke, kl - 1), -EPROTO);
		/* x only (a compressed-style value) */
		assert_int_equal(ike_dh_check_peer(group, ke, fl), -EPROTO);
		ike_dh_fini(&dh);
	}
	tv_free(f);
}

static void test_rfc8031_2_x25519_all_zero_result_rejected(void **state)
{
	/* u-coordinates of small order (RFC 7748 §7 / the usual blacklist):
	 * X25519 with any scalar gives 0 for each. */
	static const char *small[] = {
		"00000000000000000000000000000000000000000000000000000000000000"
		"00",
		"01000000000000000000000000000000000000000000000000000000000000"
		"00",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b8"
		"00",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f11"
		"57",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
		"7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
		"7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
		"7f",
	};
	uint8_t u[33], sec[IKE_DH_SECRET_MAX];
	struct ike_dh dh;

	(void)state;
	assert_int_equal(ike_dh_init(&dh, IKE_DH_CURVE25519), 0);
	for (size_t i = 0; i < N_ELEM(small); i++) {
		assert_int_equal(tv_hex_decode(small[i], u, sizeof(u)), 32);
		/* Any 32 bytes are a syntactically valid public value ... */
		assert_int_equal(ike_dh_check_peer(IKE_DH_CURVE25519, u, 32),
				 0);
		/* ... but the all-zero shared secret is refused. */
		memset(sec, 0xee, sizeof(sec));
		if (ike_dh_derive(&dh, u, 32, sec, sizeof(sec)) != -EPROTO)
			fail_msg("small-order u %s accepted", small[i]);
		assert_true(all_zero(sec, 32));
	}
	memset(u, 9, sizeof(u));
	assert_int_equal(ike_dh_check_peer(IKE_DH_CURVE25519, u, 31), -EPROTO);
	assert_int_equal(ike_dh_derive(&dh, u, 33, sec, sizeof(sec)), -EPROTO);
	ike_dh_fini(&dh);
}

static void test_dh_unsupported_groups_and_bad_arguments(void **state)
{
	const uint16_t unsupported[] = {0, 1, 2, 5, 15, 21, 32};
	uint8_t priv[300], ke[IKE_KE_MAX], sec[IKE_DH_SECRET_MAX], p[256];
	struct ike_dh dh;

	(void)state;
	memset(priv, 0x11, sizeof(priv));
	for (size_t i = 0; i < N_ELEM(unsupported); i++) {
		assert_int_equal(ike_dh_ke_len(unsupported[i]), 0);
		assert_int_equal(ike_dh_init(&dh, unsupported[i]), -ENOTSUP);
		assert_null(dh.pkey);
		assert_int_equal(
			ike_dh_init_fixed(&dh, unsupported[i], priv, 32),
			-ENOTSUP);
		assert_int_equal(ike_dh_check_peer(unsupported[i], priv, 32),
				 -ENOTSUP);
	}
	/* Private keys out of range or of the wrong size. */
	assert_int_equal(ike_dh_init_fixed(&dh, IKE_DH_CURVE25519, priv, 31),
			 -EINVAL);
	assert_int_equal(ike_dh_init_fixed(&dh, IKE_DH_ECP_256, priv, 33),
			 -EINVAL);
	memset(priv, 0, 32);
	assert_int_equal(ike_dh_init_fixed(&dh, IKE_DH_ECP_256, priv, 32),
			 -EINVAL); /* d = 0 */
	memset(priv, 0xff, 32);
	assert_int_equal(ike_dh_init_fixed(&dh, IKE_DH_ECP_256, priv, 32),
			 -EINVAL); /* d >= n */
	memset(priv, 0, 256);
	priv[255] = 1;
	assert_int_equal(ike_dh_init_fixed(&dh, IKE_DH_MODP_2048, priv, 256),
			 -EINVAL); /* x = 1 */
	modp_p(p);
	assert_int_equal(ike_dh_init_fixed(&dh, IKE_DH_MODP_2048, p, 256),
			 -EINVAL); /* x = p */
	assert_int_equal(ike_dh_init_fixed(&dh, IKE_DH_MODP_2048, priv, 257),
			 -EINVAL);
	assert_null(dh.pkey);
	/* Buffers too small; uninitialised objects. */
	assert_int_equal(ike_dh_init(&dh, IKE_DH_ECP_256), 0);
	assert_int_equal(ike_dh_ke_data(&dh, ke, 63), -ENOSPC);
	assert_int_equal(ike_dh_ke_data(&dh, ke, 64), 0);
	assert_int_equal(ike_dh_derive(&dh, ke, 64, sec, 31), -ENOSPC);
	ike_dh_fini(&dh);
	assert_int_equal(ike_dh_ke_data(&dh, ke, sizeof(ke)), -EINVAL);
	assert_int_equal(ike_dh_derive(&dh, ke, 64, sec, sizeof(sec)), -EINVAL);
	ike_dh_fini(NULL);
}

/* ---------------------------------------------------------------------- */
/* RFC 7296 §2.14-§2.18: the strongSwan-cross-checked KAT                 */
/* ---------------------------------------------------------------------- */

struct kat_in {
	uint8_t gir[IKE_DH_SECRET_MAX], ni[256], nr[256], spi_i[8], spi_r[8];
	size_t gir_len, ni_len, nr_len;
};

static void kat_inputs(const struct tv_case *c, struct kat_in *in)
{
	in->gir_len = has(c, "gir")	  ? bytes(c, "gir", in->gir, 256)
		      : has(c, "gir_new") ? bytes(c, "gir_new", in->gir, 256)
					  : 0;
	in->ni_len = bytes(c, "ni", in->ni, sizeof(in->ni));
	in->nr_len = bytes(c, "nr", in->nr, sizeof(in->nr));
	if (has(c, "spi_i")) {
		assert_int_equal(bytes(c, "spi_i", in->spi_i, 8), 8);
		assert_int_equal(bytes(c, "spi_r", in->spi_r, 8), 8);
	}
}

static void expect_sa_keys(const struct tv_case *c, const struct ike_sa_keys *k,
			   bool aead)
{
	expect_field(c, "sk_d", k->sk_d, k->prf_len);
	if (aead) {
		assert_int_equal(k->integ_len, 0);
		assert_false(has(c, "sk_ai"));
	} else {
		expect_field(c, "sk_ai", k->sk_ai, k->integ_len);
		expect_field(c, "sk_ar", k->sk_ar, k->integ_len);
	}
	expect_field(c, "sk_ei", k->sk_ei, k->encr_len);
	expect_field(c, "sk_er", k->sk_er, k->encr_len);
	expect_field(c, "sk_pi", k->sk_pi, k->prf_len);
	expect_field(c, "sk_pr", k->sk_pr, k->prf_len);
}

static void kat_ike_sa(const char *name, bool aead)
{
	struct tv_file *f = load("ike-kat-strongswan-5.9.8.txt");
	const struct tv_case *c = tv_case_find(f, name);
	uint8_t skeyseed[IKE_PRF_LEN_MAX];
	struct ike_sa_keys k, k2;
	struct ike_suite s;
	struct kat_in in;

	assert_non_null(c);
	s = suite_of(str(c, "suite"));
	kat_inputs(c, &in);
	assert_int_equal(ike_skeyseed(s.prf, in.gir, in.gir_len, in.ni,
				      in.ni_len, in.nr, in.nr_len, skeyseed),
			 0);
	expect_field(c, "skeyseed", skeyseed, ike_prf_len(s.prf));
	/* The two-step and the one-call paths agree. */
	assert_int_equal(ike_sa_keys_from_skeyseed(&s, s.prf, skeyseed,
						   ike_prf_len(s.prf), in.ni,
						   in.ni_len, in.nr, in.nr_len,
						   in.spi_i, in.spi_r, &k),
			 0);
	expect_sa_keys(c, &k, aead);
	assert_int_equal(ike_derive_ike_sa_keys(&s, in.gir, in.gir_len, in.ni,
						in.ni_len, in.nr, in.nr_len,
						in.spi_i, in.spi_r, &k2),
			 0);
	expect_sa_keys(c, &k2, aead);
	assert_int_equal(k.encr_len, ike_encr_key_len(&s));
	ike_sa_keys_wipe(&k);
	ike_sa_keys_wipe(&k2);
	assert_true(all_zero((const uint8_t *)&k, sizeof(k)));
	tv_free(f);
}

static void test_rfc7296_2_14_strongswan_kat_aes_cbc_hmac_suite(void **state)
{
	(void)state;
	kat_ike_sa("cbc-suite", false);
}

static void test_rfc7296_2_14_strongswan_kat_aead_suite_no_sk_a(void **state)
{
	(void)state;
	kat_ike_sa("aead-suite", true);
}

static void test_rfc7296_2_15_psk_auth_strongswan_kat(void **state)
{
	struct tv_file *f = load("ike-kat-strongswan-5.9.8.txt");
	const struct tv_case *c = tv_case_find(f, "psk-auth-initiator");
	uint8_t psk[128], rm[128], nonce[256], skp[64], id[128], out[64],
		auth[64];
	struct ike_auth_octets o;
	uint16_t prf;
	size_t psk_len, al;

	(void)state;
	assert_non_null(c);
	prf = prf_of(str(c, "prf"));
	psk_len = bytes(c, "psk", psk, sizeof(psk));
	o.real_msg_len = bytes(c, "real_message", rm, sizeof(rm));
	o.real_msg = rm;
	o.nonce_len = bytes(c, "nonce", nonce, sizeof(nonce));
	o.nonce = nonce;
	o.sk_p_len = bytes(c, "sk_p", skp, sizeof(skp));
	o.sk_p = skp;
	o.id_body_len = bytes(c, "id_body", id, sizeof(id));
	o.id_body = id;
	al = bytes(c, "auth", auth, sizeof(auth));
	assert_int_equal(al, ike_prf_len(prf));
	/* The pad string is exactly 17 bytes, no NUL. */
	assert_int_equal(strlen(IKE_KEY_PAD), IKE_KEY_PAD_LEN);

	assert_int_equal(
		ike_maced_id(prf, skp, o.sk_p_len, id, o.id_body_len, out), 0);
	expect_field(c, "maced_id", out, ike_prf_len(prf));
	assert_int_equal(ike_psk_auth(prf, psk, psk_len, &o, out), 0);
	expect_field(c, "auth", out, al);
	assert_int_equal(ike_psk_auth_verify(prf, psk, psk_len, &o, auth, al),
			 0);

	/* Every single-bit change of the received AUTH is refused. */
	for (size_t bit = 0; bit < al * 8; bit++) {
		auth[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(
			ike_psk_auth_verify(prf, psk, psk_len, &o, auth, al),
			-EBADMSG);
		auth[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	assert_int_equal(
		ike_psk_auth_verify(prf, psk, psk_len, &o, auth, al - 1),
		-EBADMSG);
	/* Wrong PSK, and a RESERVED byte different from what was sent. */
	assert_int_equal(
		ike_psk_auth_verify(prf, psk, psk_len - 1, &o, auth, al),
		-EBADMSG);
	id[1] = 1;
	assert_int_equal(ike_psk_auth_verify(prf, psk, psk_len, &o, auth, al),
			 -EBADMSG);
	id[1] = 0;
	/* Nr is the responder's nonce: using Ni instead breaks it. */
	nonce[0] ^= 0x20;
	assert_int_equal(ike_psk_auth_verify(prf, psk, psk_len, &o, auth, al),
			 -EBADMSG);
	nonce[0] ^= 0x20;
	assert_int_equal(ike_psk_auth(prf, psk, 0, &o, out), -EINVAL);
	tv_free(f);
}

static void kat_child(const char *name)
{
	struct tv_file *f = load("ike-kat-strongswan-5.9.8.txt");
	const struct tv_case *c = tv_case_find(f, name);
	uint8_t skd[IKE_PRF_LEN_MAX];
	struct ike_child_keys k;
	struct ike_suite s;
	struct kat_in in;
	size_t dl;

	assert_non_null(c);
	s = suite_of(str(c, "suite"));
	kat_inputs(c, &in);
	dl = bytes(c, "sk_d", skd, sizeof(skd));
	assert_int_equal(ike_derive_child_keys(prf_of(str(c, "prf")), skd, dl,
					       &s, in.gir_len ? in.gir : NULL,
					       in.gir_len, in.ni, in.ni_len,
					       in.nr, in.nr_len, &k),
			 0);
	assert_int_equal(k.encr_len, ike_encr_key_len(&s));
	expect_field(c, "encr_i", k.encr_i, k.encr_len);
	expect_field(c, "encr_r", k.encr_r, k.encr_len);
	if (ike_encr_is_aead(s.encr)) {
		assert_int_equal(k.integ_len, 0);
	} else {
		expect_field(c, "integ_i", k.integ_i, k.integ_len);
		expect_field(c, "integ_r", k.integ_r, k.integ_len);
	}
	ike_child_keys_wipe(&k);
	tv_free(f);
}

static void test_rfc7296_2_17_child_keymat_without_pfs_kat(void **state)
{
	(void)state;
	kat_child("child-no-pfs");
}

static void test_rfc7296_2_17_child_keymat_with_pfs_kat(void **state)
{
	(void)state;
	kat_child("child-pfs");
}

static void test_rfc7296_2_18_ike_rekey_kat(void **state)
{
	struct tv_file *f = load("ike-kat-strongswan-5.9.8.txt");
	const struct tv_case *c = tv_case_find(f, "ike-rekey");
	uint8_t skd[IKE_PRF_LEN_MAX], skeyseed[IKE_PRF_LEN_MAX];
	struct ike_sa_keys k;
	struct ike_suite s;
	struct kat_in in;
	uint16_t old_prf;
	size_t dl;

	(void)state;
	assert_non_null(c);
	s = suite_of(str(c, "suite"));
	old_prf = prf_of(str(c, "old_prf"));
	kat_inputs(c, &in);
	dl = bytes(c, "old_sk_d", skd, sizeof(skd));
	assert_int_equal(ike_rekey_skeyseed(old_prf, skd, dl, in.gir,
					    in.gir_len, in.ni, in.ni_len, in.nr,
					    in.nr_len, skeyseed),
			 0);
	expect_field(c, "skeyseed", skeyseed, ike_prf_len(old_prf));
	assert_int_equal(ike_derive_ike_sa_rekey_keys(
				 old_prf, skd, dl, &s, in.gir, in.gir_len,
				 in.ni, in.ni_len, in.nr, in.nr_len, in.spi_i,
				 in.spi_r, &k),
			 0);
	expect_sa_keys(c, &k, true);
	ike_sa_keys_wipe(&k);
	tv_free(f);
}

/*
 * §2.18 with a PRF change (SHA-256 -> SHA-512): SKEYSEED' and prf+ both
 * use the OLD PRF (strongSwan 5.9.8); the key lengths follow the NEW suite.
 */
static void test_rfc7296_2_18_rekey_prf_change_keeps_old_prf(void **state)
{
	const struct ike_suite s = {IKE_ENCR_AES_CBC, 256,
				    IKE_INTEG_HMAC_SHA2_512_256,
				    IKE_PRF_HMAC_SHA2_512};
	uint8_t old_skd[32], gir[32], ni[32], nr[32], spi_i[8], spi_r[8];
	uint8_t skeyseed[IKE_PRF_LEN_MAX], ref[512];
	struct ike_buf seed[4] = {{ni, 32}, {nr, 32}, {spi_i, 8}, {spi_r, 8}};
	struct ike_sa_keys k;

	(void)state;
	memset(old_skd, 0xd0, sizeof(old_skd));
	memset(gir, 0x61, sizeof(gir));
	memset(ni, 0x01, sizeof(ni));
	memset(nr, 0x02, sizeof(nr));
	memset(spi_i, 0x11, sizeof(spi_i));
	memset(spi_r, 0x22, sizeof(spi_r));
	assert_int_equal(ike_derive_ike_sa_rekey_keys(
				 IKE_PRF_HMAC_SHA2_256, old_skd, 32, &s, gir,
				 32, ni, 32, nr, 32, spi_i, spi_r, &k),
			 0);
	assert_int_equal(k.prf_len, 64);
	assert_int_equal(k.integ_len, 64);
	assert_int_equal(k.encr_len, 32);
	assert_int_equal(ike_rekey_skeyseed(IKE_PRF_HMAC_SHA2_256, old_skd, 32,
					    gir, 32, ni, 32, nr, 32, skeyseed),
			 0);
	assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, skeyseed, 32, seed,
				      4, ref, 3 * 64 + 2 * 64 + 2 * 32),
			 0);
	expect_mem("SK_d'", "prf change", k.sk_d, 64, ref, 64);
	expect_mem("SK_ai'", "prf change", k.sk_ai, 64, ref + 64, 64);
	expect_mem("SK_er'", "prf change", k.sk_er, 32, ref + 224, 32);
	expect_mem("SK_pr'", "prf change", k.sk_pr, 64, ref + 320, 64);
	ike_sa_keys_wipe(&k);
}

/* ---------------------------------------------------------------------- */
/* Suites                                                                 */
/* ---------------------------------------------------------------------- */

static void test_rfc7296_2_14_key_lengths_per_suite(void **state)
{
	const struct {
		struct ike_suite s;
		size_t encr, integ, icv, prf;
	} t[] = {
		{{IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128,
		  IKE_PRF_HMAC_SHA2_256},
		 16,
		 32,
		 16,
		 32},
		{{IKE_ENCR_AES_CBC, 192, IKE_INTEG_HMAC_SHA2_384_192,
		  IKE_PRF_HMAC_SHA2_384},
		 24,
		 48,
		 24,
		 48},
		{{IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_512_256,
		  IKE_PRF_HMAC_SHA2_512},
		 32,
		 64,
		 32,
		 64},
		/* AEAD: salt included, no integrity key (RFC 5282 §7.1). */
		{{IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE,
		  IKE_PRF_HMAC_SHA2_256},
		 20,
		 0,
		 0,
		 32},
		{{IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE,
		  IKE_PRF_HMAC_SHA2_256},
		 36,
		 0,
		 0,
		 32},
		{{IKE_ENCR_CHACHA20_POLY1305, 0, IKE_INTEG_NONE,
		  IKE_PRF_HMAC_SHA2_512},
		 36,
		 0,
		 0,
		 64},
	};

	(void)state;
	for (size_t i = 0; i < N_ELEM(t); i++) {
		uint8_t x[32] = {0};
		struct ike_sa_keys k;

		assert_int_equal(ike_suite_check(&t[i].s, true), 0);
		assert_int_equal(ike_encr_key_len(&t[i].s), t[i].encr);
		assert_int_equal(ike_integ_key_len(t[i].s.integ), t[i].integ);
		assert_int_equal(ike_integ_icv_len(t[i].s.integ), t[i].icv);
		assert_int_equal(ike_prf_len(t[i].s.prf), t[i].prf);
		assert_int_equal(ike_derive_ike_sa_keys(&t[i].s, x, 32, x, 16,
							x, 16, x, x, &k),
				 0);
		assert_int_equal(k.encr_len, t[i].encr);
		assert_int_equal(k.integ_len, t[i].integ);
		assert_int_equal(k.prf_len, t[i].prf);
		ike_sa_keys_wipe(&k);
	}
}

static void test_rfc7296_3_3_invalid_suites_rejected(void **state)
{
	const struct {
		struct ike_suite s;
		bool need_prf;
		int want;
	} t[] = {
		/* AEAD with an INTEG transform; CBC without one. */
		{{IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_HMAC_SHA2_256_128, 5},
		 true,
		 -EINVAL},
		{{IKE_ENCR_AES_CBC, 128, IKE_INTEG_NONE, 5}, true, -EINVAL},
		/* Missing or odd key lengths. */
		{{IKE_ENCR_AES_CBC, 0, IKE_INTEG_HMAC_SHA2_256_128, 5},
		 true,
		 -ENOTSUP},
		{{IKE_ENCR_AES_GCM_16, 64, IKE_INTEG_NONE, 5}, true, -ENOTSUP},
		{{IKE_ENCR_CHACHA20_POLY1305, 128, IKE_INTEG_NONE, 5},
		 true,
		 -ENOTSUP},
		/* Unimplemented transforms: 3DES, AES-GCM-8, HMAC-SHA1-96,
		 * PRF_HMAC_SHA1. */
		{{3, 0, IKE_INTEG_HMAC_SHA2_256_128, 5}, true, -ENOTSUP},
		{{18, 128, IKE_INTEG_NONE, 5}, true, -ENOTSUP},
		{{IKE_ENCR_AES_CBC, 128, 2, 5}, true, -ENOTSUP},
		{{IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128, 2},
		 true,
		 -ENOTSUP},
		/* ... but a Child SA suite needs no PRF. */
		{{IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128, 0},
		 false,
		 0},
	};

	(void)state;
	for (size_t i = 0; i < N_ELEM(t); i++) {
		if (ike_suite_check(&t[i].s, t[i].need_prf) != t[i].want)
			fail_msg("suite row %zu: expected %d", i, t[i].want);
	}
	assert_int_equal(ike_suite_check(NULL, false), -EINVAL);
}

/* ---------------------------------------------------------------------- */
/* SK payload                                                             */
/* ---------------------------------------------------------------------- */

struct sk_suite {
	const char *name;
	struct ike_suite s;
};

static const struct sk_suite sk_suites[] = {
	{"AES-CBC-128/HMAC-SHA2-256-128",
	 {IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128, 0}},
	{"AES-CBC-256/HMAC-SHA2-256-128",
	 {IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128, 0}},
	{"AES-CBC-192/HMAC-SHA2-256-128",
	 {IKE_ENCR_AES_CBC, 192, IKE_INTEG_HMAC_SHA2_256_128, 0}},
	{"AES-CBC-128/HMAC-SHA2-384-192",
	 {IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_384_192, 0}},
	{"AES-CBC-256/HMAC-SHA2-512-256",
	 {IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_512_256, 0}},
	{"AES-GCM-16-128", {IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 0}},
	{"AES-GCM-16-192", {IKE_ENCR_AES_GCM_16, 192, IKE_INTEG_NONE, 0}},
	{"AES-GCM-16-256", {IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, 0}},
	{"ChaCha20-Poly1305",
	 {IKE_ENCR_CHACHA20_POLY1305, 0, IKE_INTEG_NONE, 0}},
};

/* Fixed test keys for a suite (direction @dir selects a pattern). */
struct sk_keys {
	uint8_t e[IKE_ENCR_KEY_MAX], a[IKE_INTEG_KEY_MAX];
	size_t el, al;
};

static void sk_keys_for(const struct ike_suite *s, int dir, struct sk_keys *k)
{
	k->el = ike_encr_key_len(s);
	k->al = ike_encr_is_aead(s->encr) ? 0 : ike_integ_key_len(s->integ);
	for (size_t i = 0; i < sizeof(k->e); i++)
		k->e[i] = (uint8_t)(0x30 + 7 * i + 64 * dir);
	for (size_t i = 0; i < sizeof(k->a); i++)
		k->a[i] = (uint8_t)(0xa0 ^ (3 * i) ^ (16 * dir));
}

static void sk_init_keys(struct ike_sk_cipher *sk, const struct ike_suite *s,
			 const struct sk_keys *k)
{
	assert_int_equal(ike_sk_cipher_init(sk, s, k->e, k->el,
					    k->al ? k->a : NULL, k->al),
			 0);
}

/*
 * Write an IKE header and an SK (sk_hdr_len 4) or SKF (8) header for frame
 * @f into @buf, the inner payloads @pt at their place, and seal.
 * A 4-byte non-ESP marker of zeros fills the bytes before msg_off.
 */
static size_t build_sealed(struct ike_sk_cipher *sk, uint8_t *buf, size_t cap,
			   size_t msg_off, size_t sk_hdr_len, const uint8_t *pt,
			   size_t pt_len, const uint8_t *iv,
			   struct ike_sk_frame *f)
{
	uint8_t *msg = buf + msg_off, *skh;
	size_t msg_len;

	assert_int_equal(ike_sk_frame_plan(sk, msg_off, IKE_HDR_LEN, sk_hdr_len,
					   pt_len, f),
			 0);
	msg_len = ike_sk_frame_msg_len(f);
	assert_true(msg_off + msg_len <= cap);
	memset(buf, 0, msg_off + msg_len);
	memcpy(msg,
	       "\x01\x23\x45\x67\x89\xab\xcd\xef"
	       "\xfe\xdc\xba\x98\x76\x54\x32\x10",
	       16);
	msg[16] = sk_hdr_len == IKE_SKF_HDR_LEN ? 53 : 46;
	msg[17] = 0x20;
	msg[18] = 37; /* INFORMATIONAL */
	msg[19] = 0x08;
	put_be32(msg + 20, 5);
	put_be32(msg + 24, msg_len);
	skh = msg + f->sk_off;
	skh[0] = 41; /* N */
	put_be16(skh + 2, ike_sk_frame_payload_len(f));
	if (sk_hdr_len == IKE_SKF_HDR_LEN) {
		put_be16(skh + 4, 1); /* Fragment Number */
		put_be16(skh + 6, 1); /* Total Fragments */
	}
	memcpy(buf + ike_sk_frame_pt_off(f), pt, pt_len);
	assert_int_equal(ike_sk_seal(sk, buf, msg_off + msg_len, f, iv), 0);
	return msg_off + msg_len;
}

/* Open a copy-in-place message; returns the status. */
static int open_msg(const struct ike_sk_cipher *sk, uint8_t *buf, size_t len,
		    size_t msg_off, size_t sk_hdr_len, struct ike_sk_frame *f)
{
	memset(f, 0, sizeof(*f));
	f->msg_off = msg_off;
	f->sk_off = IKE_HDR_LEN;
	f->sk_hdr_len = sk_hdr_len;
	return ike_sk_open(sk, buf, len, f);
}

static void fill_pt(uint8_t *pt, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		pt[i] = (uint8_t)(seed + 13 * i);
}

/* Seal @pt_len bytes with @out, open with @in, compare. */
static void roundtrip_one(const struct sk_suite *ss, struct ike_sk_cipher *out,
			  const struct ike_sk_cipher *in, size_t pt_len,
			  size_t msg_off, size_t sk_hdr_len, unsigned int seed)
{
	static uint8_t buf[BUF], pt[BUF];
	struct ike_sk_frame f, g;
	size_t n, ct_len;

	fill_pt(pt, pt_len, seed);
	n = build_sealed(out, buf, sizeof(buf), msg_off, sk_hdr_len, pt, pt_len,
			 NULL, &f);
	ct_len = f.pt_len + f.pad_len + 1;
	/* RFC 7296 §3.14: CBC fills whole blocks, AEAD needs no padding. */
	if (!ike_encr_is_aead(ss->s.encr)) {
		assert_int_equal(ct_len % 16, 0);
		assert_true(f.pad_len < 16);
		assert_int_equal(f.iv_len, 16);
	} else {
		assert_int_equal(f.pad_len, 0);
		assert_int_equal(f.iv_len, 8);
	}
	/* The payloads are not left in clear. */
	if (pt_len >= 16)
		assert_memory_not_equal(buf + ike_sk_frame_pt_off(&f), pt, 16);
	if (open_msg(in, buf, n, msg_off, sk_hdr_len, &g) != 0)
		fail_msg("%s: open failed (pt %zu, off %zu, hdr %zu)", ss->name,
			 pt_len, msg_off, sk_hdr_len);
	assert_int_equal(g.pt_len, pt_len);
	assert_int_equal(g.pad_len, f.pad_len);
	assert_int_equal(g.icv_len, f.icv_len);
	assert_int_equal(ike_sk_frame_pt_off(&g), ike_sk_frame_pt_off(&f));
	expect_mem("decrypted payloads", ss->name,
		   buf + ike_sk_frame_pt_off(&g), g.pt_len, pt, pt_len);
}

static void test_rfc7296_3_14_sk_roundtrip_every_suite(void **state)
{
	const size_t pt_lens[] = {0, 1, 12, 15, 16, 17, 100, 1200};
	const size_t offs[] = {0, 4}; /* 4: after a non-ESP marker */
	const size_t hdrs[] = {IKE_SK_HDR_LEN, IKE_SKF_HDR_LEN};

	(void)state;
	for (size_t si = 0; si < N_ELEM(sk_suites); si++) {
		const struct ike_suite *s = &sk_suites[si].s;
		struct ike_sk_cipher out, in;
		struct sk_keys k;

		sk_keys_for(s, 0, &k);
		sk_init_keys(&out, s, &k);
		sk_init_keys(&in, s, &k);
		for (size_t li = 0; li < N_ELEM(pt_lens); li++)
			for (size_t oi = 0; oi < N_ELEM(offs); oi++)
				for (size_t hi = 0; hi < N_ELEM(hdrs); hi++)
					roundtrip_one(&sk_suites[si], &out, &in,
						      pt_lens[li], offs[oi],
						      hdrs[hi],
						      (unsigned int)(si + li));
		ike_sk_cipher_fini(&out);
		ike_sk_cipher_fini(&in);
		assert_false(in.ready);
	}
}

/*
 * Flip every bit of [from, to) of a sealed message in turn; each must be
 * refused with -EBADMSG (the length fields: with any error). For CBC the
 * ICV is verified before decrypting, so a refused message is untouched.
 */
static void tamper_range(const struct sk_suite *ss,
			 const struct ike_sk_cipher *in, const uint8_t *orig,
			 size_t n, size_t msg_off, size_t sk_hdr_len,
			 size_t from, size_t to, const char *what)
{
	static uint8_t work[BUF];
	const size_t len_fields[] = {msg_off + 24,
				     msg_off + 25,
				     msg_off + 26,
				     msg_off + 27,
				     msg_off + IKE_HDR_LEN + 2,
				     msg_off + IKE_HDR_LEN + 3};
	struct ike_sk_frame f;

	for (size_t byte = from; byte < to; byte++) {
		bool len_field = false;

		for (size_t j = 0; j < N_ELEM(len_fields); j++)
			len_field |= byte == len_fields[j];
		for (unsigned int bit = 0; bit < 8; bit++) {
			int rc;

			memcpy(work, orig, n);
			work[byte] ^= (uint8_t)(1u << bit);
			rc = open_msg(in, work, n, msg_off, sk_hdr_len, &f);
			if (len_field ? rc == 0 : rc != -EBADMSG)
				fail_msg("%s: %s byte %zu bit %u: rc %d",
					 ss->name, what, byte, bit, rc);
			if (!ike_encr_is_aead(in->encr) && !len_field) {
				work[byte] ^= (uint8_t)(1u << bit);
				assert_memory_equal(work, orig, n);
			}
		}
	}
}

static void sealed_sample(const struct sk_suite *ss, struct ike_sk_cipher *in,
			  uint8_t *buf, size_t *n, size_t msg_off,
			  size_t sk_hdr_len, struct ike_sk_frame *f)
{
	uint8_t pt[40];
	struct ike_sk_cipher out;
	struct sk_keys k;

	sk_keys_for(&ss->s, 1, &k);
	sk_init_keys(&out, &ss->s, &k);
	sk_init_keys(in, &ss->s, &k);
	fill_pt(pt, sizeof(pt), 7);
	*n = build_sealed(&out, buf, BUF, msg_off, sk_hdr_len, pt, sizeof(pt),
			  NULL, f);
	ike_sk_cipher_fini(&out);
}

static void test_rfc7296_3_14_sk_every_icv_bit_tamper_rejected(void **state)
{
	static uint8_t buf[BUF];

	(void)state;
	for (size_t si = 0; si < N_ELEM(sk_suites); si++) {
		struct ike_sk_frame f;
		struct ike_sk_cipher in;
		size_t n;

		sealed_sample(&sk_suites[si], &in, buf, &n, 0, IKE_SK_HDR_LEN,
			      &f);
		assert_int_equal(ike_sk_frame_icv_off(&f) + f.icv_len, n);
		tamper_range(&sk_suites[si], &in, buf, n, 0, IKE_SK_HDR_LEN,
			     ike_sk_frame_icv_off(&f), n, "ICV");
		ike_sk_cipher_fini(&in);
	}
}

static void
test_rfc7296_3_14_sk_every_iv_and_ciphertext_bit_tamper_rejected(void **state)
{
	static uint8_t buf[BUF];

	(void)state;
	for (size_t si = 0; si < N_ELEM(sk_suites); si++) {
		struct ike_sk_frame f;
		struct ike_sk_cipher in;
		size_t n;

		sealed_sample(&sk_suites[si], &in, buf, &n, 0, IKE_SK_HDR_LEN,
			      &f);
		tamper_range(&sk_suites[si], &in, buf, n, 0, IKE_SK_HDR_LEN,
			     ike_sk_frame_iv_off(&f), ike_sk_frame_icv_off(&f),
			     "IV/ciphertext");
		ike_sk_cipher_fini(&in);
	}
}

/*
 * RFC 5282 §5.1 (AEAD: AAD = IKE header + SK header) and RFC 7296 §3.14
 * (HMAC from the first header byte): every header bit is authenticated,
 * for SK and SKF (RFC 7383 §2.5: the fragment numbers too). The length
 * fields also break the framing, so any error is accepted there.
 */
static void
test_rfc5282_5_1_sk_header_aad_every_bit_tamper_rejected(void **state)
{
	static uint8_t buf[BUF];
	const size_t hdrs[] = {IKE_SK_HDR_LEN, IKE_SKF_HDR_LEN};

	(void)state;
	for (size_t si = 0; si < N_ELEM(sk_suites); si++)
		for (size_t hi = 0; hi < N_ELEM(hdrs); hi++) {
			struct ike_sk_frame f;
			struct ike_sk_cipher in;
			size_t n;

			sealed_sample(&sk_suites[si], &in, buf, &n, 4, hdrs[hi],
				      &f);
			tamper_range(&sk_suites[si], &in, buf, n, 4, hdrs[hi],
				     4, ike_sk_frame_iv_off(&f),
				     "IKE/SK header");
			ike_sk_cipher_fini(&in);
		}
}

/* RFC 3948 §2.2: the non-ESP marker is not part of the IKE message. */
static void test_rfc3948_2_2_non_esp_marker_not_authenticated(void **state)
{
	static uint8_t buf[BUF], work[BUF];

	(void)state;
	for (size_t si = 0; si < N_ELEM(sk_suites); si++) {
		struct ike_sk_frame f;
		struct ike_sk_cipher in;
		size_t n;

		sealed_sample(&sk_suites[si], &in, buf, &n, 4, IKE_SK_HDR_LEN,
			      &f);
		memcpy(work, buf, n);
		memset(work, 0xa5, 4);
		assert_int_equal(open_msg(&in, work, n, 4, IKE_SK_HDR_LEN, &f),
				 0);
		ike_sk_cipher_fini(&in);
	}
}

/* RFC 7296 §2.14: SK_ei/SK_ai and SK_er/SK_ar are not interchangeable. */
static void test_rfc7296_2_14_sk_direction_keys_distinct(void **state)
{
	static uint8_t buf[BUF];
	const struct ike_suite s = {IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE,
				    IKE_PRF_HMAC_SHA2_256};
	const struct ike_suite c = {IKE_ENCR_AES_CBC, 128,
				    IKE_INTEG_HMAC_SHA2_256_128,
				    IKE_PRF_HMAC_SHA2_256};
	const struct ike_suite *suites[] = {&s, &c};
	uint8_t x[32], pt[20];

	(void)state;
	memset(x, 0x5a, sizeof(x));
	fill_pt(pt, sizeof(pt), 3);
	for (size_t i = 0; i < N_ELEM(suites); i++) {
		struct ike_sk_cipher i_out, i_in, r_in;
		struct ike_sk_frame f, g;
		struct ike_sa_keys k;
		size_t n;

		assert_int_equal(ike_derive_ike_sa_keys(suites[i], x, 32, x, 16,
							x, 16, x, x, &k),
				 0);
		assert_int_equal(
			ike_sk_cipher_init_sa(&i_out, suites[i], &k, true), 0);
		assert_int_equal(
			ike_sk_cipher_init_sa(&i_in, suites[i], &k, true), 0);
		assert_int_equal(
			ike_sk_cipher_init_sa(&r_in, suites[i], &k, false), 0);
		n = build_sealed(&i_out, buf, sizeof(buf), 0, IKE_SK_HDR_LEN,
				 pt, sizeof(pt), NULL, &f);
		assert_int_equal(open_msg(&r_in, buf, n, 0, IKE_SK_HDR_LEN, &g),
				 -EBADMSG);
		n = build_sealed(&i_out, buf, sizeof(buf), 0, IKE_SK_HDR_LEN,
				 pt, sizeof(pt), NULL, &f);
		assert_int_equal(open_msg(&i_in, buf, n, 0, IKE_SK_HDR_LEN, &g),
				 0);
		ike_sk_cipher_fini(&i_out);
		ike_sk_cipher_fini(&i_in);
		ike_sk_cipher_fini(&r_in);
		ike_sa_keys_wipe(&k);
	}
}

/*
 * Independent reference encoder (EVP directly): IKE header + SK header +
 * IV + (pt | pad | padlen_byte) encrypted + ICV, at msg_off 0. Lets the
 * tests forge valid-ICV messages with arbitrary padding or a bogus Pad
 * Length. Returns the message length.
 */
static size_t ref_build(const struct ike_suite *s, const struct sk_keys *k,
			uint8_t *buf, const uint8_t *iv, const uint8_t *pt,
			size_t pt_len, const uint8_t *pad, size_t pad_len,
			uint8_t padlen_byte)
{
	bool aead = ike_encr_is_aead(s->encr);
	size_t ivl = aead ? 8 : 16;
	size_t icvl = aead ? 16 : ike_integ_icv_len(s->integ);
	size_t ct_len = pt_len + pad_len + 1;
	size_t payload = 4 + ivl + ct_len + icvl, n = IKE_HDR_LEN + payload;
	size_t raw = k->el - (aead ? 4 : 0);
	uint8_t *ct = buf + IKE_HDR_LEN + 4 + ivl, nonce[12];
	const char *cipher = s->encr == IKE_ENCR_CHACHA20_POLY1305
				     ? "ChaCha20-Poly1305"
			     : aead ? (raw == 16   ? "AES-128-GCM"
				       : raw == 24 ? "AES-192-GCM"
						   : "AES-256-GCM")
				    : (raw == 16   ? "AES-128-CBC"
				       : raw == 24 ? "AES-192-CBC"
						   : "AES-256-CBC");
	const char *md = s->integ == IKE_INTEG_HMAC_SHA2_256_128   ? "SHA256"
			 : s->integ == IKE_INTEG_HMAC_SHA2_384_192 ? "SHA384"
								   : "SHA512";
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	EVP_CIPHER *ci = EVP_CIPHER_fetch(NULL, cipher, NULL);
	uint8_t mac[64];
	size_t macl = 0;
	int l = 0;

	assert_non_null(c);
	assert_non_null(ci);
	memset(buf, 0, n);
	memcpy(buf,
	       "\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11"
	       "\x21\x22\x23\x24\x25\x26\x27\x28",
	       16);
	buf[16] = 46;
	buf[17] = 0x20;
	buf[18] = 35;
	buf[19] = 0x20;
	put_be32(buf + 20, 1);
	put_be32(buf + 24, n);
	buf[IKE_HDR_LEN] = 36;
	put_be16(buf + IKE_HDR_LEN + 2, payload);
	memcpy(buf + IKE_HDR_LEN + 4, iv, ivl);
	memcpy(ct, pt, pt_len);
	memcpy(ct + pt_len, pad, pad_len);
	ct[pt_len + pad_len] = padlen_byte;
	if (aead) {
		memcpy(nonce, k->e + raw, 4);
		memcpy(nonce + 4, iv, 8);
		assert_int_equal(EVP_EncryptInit_ex2(c, ci, k->e, nonce, NULL),
				 1);
		assert_int_equal(
			EVP_EncryptUpdate(c, NULL, &l, buf, IKE_HDR_LEN + 4),
			1);
		assert_int_equal(EVP_EncryptUpdate(c, ct, &l, ct, (int)ct_len),
				 1);
		assert_int_equal(EVP_EncryptFinal_ex(c, ct + l, &l), 1);
		assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG,
						     16, ct + ct_len),
				 1);
	} else {
		assert_int_equal(ct_len % 16, 0);
		assert_int_equal(EVP_EncryptInit_ex2(c, ci, k->e, iv, NULL), 1);
		assert_int_equal(EVP_CIPHER_CTX_set_padding(c, 0), 1);
		assert_int_equal(EVP_EncryptUpdate(c, ct, &l, ct, (int)ct_len),
				 1);
		assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, md, NULL, k->a,
					  k->al, buf, n - icvl, mac,
					  sizeof(mac), &macl));
		memcpy(ct + ct_len, mac, icvl);
	}
	EVP_CIPHER_free(ci);
	EVP_CIPHER_CTX_free(c);
	return n;
}

/* RFC 7296 §3.14: padding "MAY contain any value"; Pad Length up to 255. */
static void test_rfc7296_3_14_sk_receive_accepts_any_padding(void **state)
{
	static uint8_t buf[BUF], pt[64], pad[256], iv[16];

	(void)state;
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] = (uint8_t)(0xff - 3 * i);
	memset(iv, 0x42, sizeof(iv));
	fill_pt(pt, sizeof(pt), 11);
	for (size_t si = 0; si < N_ELEM(sk_suites); si++) {
		const struct ike_suite *s = &sk_suites[si].s;
		bool aead = ike_encr_is_aead(s->encr);
		/* (pt_len, pad_len); CBC rows keep pt + pad + 1 = 16k. */
		const size_t cbc_rows[][2] = {
			{0, 15}, {15, 0}, {17, 14}, {48, 255}, {64, 143}};
		const size_t aead_rows[][2] = {
			{0, 0}, {1, 1}, {12, 3}, {20, 255}, {64, 100}};
		struct ike_sk_cipher in;
		struct sk_keys k;

		sk_keys_for(s, 0, &k);
		sk_init_keys(&in, s, &k);
		for (size_t r = 0; r < 5; r++) {
			size_t pl = aead ? aead_rows[r][0] : cbc_rows[r][0];
			size_t padl = aead ? aead_rows[r][1] : cbc_rows[r][1];
			struct ike_sk_frame f;
			size_t n = ref_build(s, &k, buf, iv, pt, pl, pad, padl,
					     (uint8_t)padl);

			if (open_msg(&in, buf, n, 0, IKE_SK_HDR_LEN, &f) != 0)
				fail_msg("%s: pt %zu pad %zu refused",
					 sk_suites[si].name, pl, padl);
			assert_int_equal(f.pt_len, pl);
			assert_int_equal(f.pad_len, padl);
			expect_mem("payloads", sk_suites[si].name,
				   buf + ike_sk_frame_pt_off(&f), pl, pt, pl);
		}
		ike_sk_cipher_fini(&in);
	}
}

/* What ike_sk_seal produces equals the independent encoder's output. */
static void test_rfc7296_3_14_sk_seal_matches_reference_encoder(void **state)
{
	static uint8_t a[BUF], b[BUF], pt[100], iv[16], zero[16];

	(void)state;
	memset(iv, 0x3c, sizeof(iv));
	fill_pt(pt, sizeof(pt), 5);
	for (size_t si = 0; si < N_ELEM(sk_suites); si++) {
		const struct ike_suite *s = &sk_suites[si].s;
		struct ike_sk_cipher out;
		struct ike_sk_frame f;
		struct sk_keys k;
		size_t m;

		sk_keys_for(s, 0, &k);
		sk_init_keys(&out, s, &k);
		assert_int_equal(ike_sk_frame_plan(&out, 0, IKE_HDR_LEN,
						   IKE_SK_HDR_LEN, sizeof(pt),
						   &f),
				 0);
		/* Reference message with zero padding of the planned size. */
		m = ref_build(s, &k, a, iv, pt, sizeof(pt), zero, f.pad_len,
			      (uint8_t)f.pad_len);
		assert_int_equal(m, ike_sk_frame_msg_len(&f));
		/* Same headers and payloads through the library. */
		memset(b, 0, sizeof(b));
		memcpy(b, a, IKE_HDR_LEN + IKE_SK_HDR_LEN);
		memcpy(b + ike_sk_frame_pt_off(&f), pt, sizeof(pt));
		assert_int_equal(ike_sk_seal(&out, b, m, &f, iv), 0);
		expect_mem("sealed message", sk_suites[si].name, b, m, a, m);
		ike_sk_cipher_fini(&out);
	}
}

static void test_rfc7296_3_14_sk_malformed_frames_rejected(void **state)
{
	static uint8_t buf[BUF], pt[32], pad[16], iv[16];
	const struct ike_suite cbc = {IKE_ENCR_AES_CBC, 128,
				      IKE_INTEG_HMAC_SHA2_256_128, 0};
	const struct ike_suite gcm = {IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE,
				      0};
	struct ike_sk_frame f;
	struct ike_sk_cipher in, gin;
	struct sk_keys k, gk;
	size_t n;

	(void)state;
	memset(iv, 1, sizeof(iv));
	fill_pt(pt, sizeof(pt), 9);
	memset(pad, 0, sizeof(pad));
	sk_keys_for(&cbc, 0, &k);
	sk_init_keys(&in, &cbc, &k);
	sk_keys_for(&gcm, 0, &gk);
	sk_init_keys(&gin, &gcm, &gk);

	/* Authentic, but the Pad Length points before the SK payload. */
	n = ref_build(&cbc, &k, buf, iv, pt, 15, pad, 0, 16);
	assert_int_equal(open_msg(&in, buf, n, 0, IKE_SK_HDR_LEN, &f), -EPROTO);
	n = ref_build(&gcm, &gk, buf, iv, pt, 2, pad, 0, 3);
	assert_int_equal(open_msg(&gin, buf, n, 0, IKE_SK_HDR_LEN, &f),
			 -EPROTO);
	/* Pad Length = all remaining bytes: legal, empty payload list. */
	n = ref_build(&gcm, &gk, buf, iv, pt, 2, pad, 0, 2);
	assert_int_equal(open_msg(&gin, buf, n, 0, IKE_SK_HDR_LEN, &f), 0);
	assert_int_equal(f.pt_len, 0);

	n = ref_build(&cbc, &k, buf, iv, pt, 31, pad, 0, 0);
	assert_int_equal(open_msg(&in, buf, n, 0, IKE_SK_HDR_LEN, &f), 0);
	/* Buffer shorter than the IKE Length / than a header. */
	assert_int_equal(open_msg(&in, buf, n - 1, 0, IKE_SK_HDR_LEN, &f),
			 -EPROTO);
	assert_int_equal(open_msg(&in, buf, 27, 0, IKE_SK_HDR_LEN, &f),
			 -EPROTO);
	assert_int_equal(open_msg(&in, buf, n, n + 1, IKE_SK_HDR_LEN, &f),
			 -EPROTO);
	/* SK not the last payload (its length short of the message end). */
	put_be16(buf + IKE_HDR_LEN + 2, n - IKE_HDR_LEN - 16);
	assert_int_equal(open_msg(&in, buf, n, 0, IKE_SK_HDR_LEN, &f), -EPROTO);
	/* Both lengths shrunk consistently: CBC ciphertext not aligned. */
	put_be32(buf + 24, n - 8);
	put_be16(buf + IKE_HDR_LEN + 2, n - 8 - IKE_HDR_LEN);
	assert_int_equal(open_msg(&in, buf, n, 0, IKE_SK_HDR_LEN, &f), -EPROTO);
	/* No room for even the Pad Length octet. */
	put_be32(buf + 24, IKE_HDR_LEN + 4 + 16 + 16);
	put_be16(buf + IKE_HDR_LEN + 2, 4 + 16 + 16);
	assert_int_equal(open_msg(&in, buf, n, 0, IKE_SK_HDR_LEN, &f), -EPROTO);
	put_be32(buf + 24, IKE_HDR_LEN + 2);
	assert_int_equal(open_msg(&in, buf, n, 0, IKE_SK_HDR_LEN, &f), -EPROTO);
	/* SK payload offset inside the IKE header. */
	memset(&f, 0, sizeof(f));
	f.sk_off = 20;
	f.sk_hdr_len = IKE_SK_HDR_LEN;
	assert_int_equal(ike_sk_open(&in, buf, n, &f), -EPROTO);
	f.sk_off = IKE_HDR_LEN;
	f.sk_hdr_len = 5;
	assert_int_equal(ike_sk_open(&in, buf, n, &f), -EINVAL);
	ike_sk_cipher_fini(&in);
	assert_int_equal(open_msg(&in, buf, n, 0, IKE_SK_HDR_LEN, &f),
			 -EINVAL); /* not keyed */
	ike_sk_cipher_fini(&gin);
}

static void test_rfc7296_3_14_sk_seal_rejects_inconsistent_frames(void **state)
{
	static uint8_t buf[BUF], pt[32];
	const struct ike_suite cbc = {IKE_ENCR_AES_CBC, 256,
				      IKE_INTEG_HMAC_SHA2_256_128, 0};
	struct ike_sk_frame f, g;
	struct ike_sk_cipher sk;
	struct sk_keys k;
	size_t n;

	(void)state;
	fill_pt(pt, sizeof(pt), 1);
	sk_keys_for(&cbc, 0, &k);
	sk_init_keys(&sk, &cbc, &k);
	n = build_sealed(&sk, buf, sizeof(buf), 0, IKE_SK_HDR_LEN, pt,
			 sizeof(pt), NULL, &f);
	assert_int_equal(ike_sk_seal(&sk, buf, n, &f, NULL), 0);
	/* Header lengths not the planned ones. */
	put_be32(buf + 24, n + 16);
	assert_int_equal(ike_sk_seal(&sk, buf, n, &f, NULL), -EINVAL);
	put_be32(buf + 24, n);
	put_be16(buf + IKE_HDR_LEN + 2, n - IKE_HDR_LEN - 1);
	assert_int_equal(ike_sk_seal(&sk, buf, n, &f, NULL), -EINVAL);
	put_be16(buf + IKE_HDR_LEN + 2, n - IKE_HDR_LEN);
	/* Buffer too small, bad alignment, foreign IV/ICV sizes. */
	assert_int_equal(ike_sk_seal(&sk, buf, n - 1, &f, NULL), -EINVAL);
	g = f;
	g.pad_len++;
	assert_int_equal(ike_sk_seal(&sk, buf, sizeof(buf), &g, NULL), -EINVAL);
	g = f;
	g.iv_len = 8;
	assert_int_equal(ike_sk_seal(&sk, buf, sizeof(buf), &g, NULL), -EINVAL);
	g = f;
	g.icv_len = 12;
	assert_int_equal(ike_sk_seal(&sk, buf, sizeof(buf), &g, NULL), -EINVAL);
	g = f;
	g.pad_len = 256 + 15;
	assert_int_equal(ike_sk_seal(&sk, buf, sizeof(buf), &g, NULL), -EINVAL);
	/* Plans the 16-bit SK length cannot express. */
	assert_int_equal(ike_sk_frame_plan(&sk, 0, IKE_HDR_LEN, IKE_SK_HDR_LEN,
					   0xffff - 4 - 16 - 16, &g),
			 -EINVAL);
	assert_int_equal(ike_sk_frame_plan(&sk, 0, IKE_HDR_LEN, IKE_SK_HDR_LEN,
					   0xffff - 4 - 16 - 16 - 16, &g),
			 0);
	assert_int_equal(ike_sk_frame_plan(&sk, 0, 27, IKE_SK_HDR_LEN, 1, &g),
			 -EINVAL);
	/* A valid plan with extra (aligned) padding still seals and opens. */
	assert_int_equal(ike_sk_frame_plan(&sk, 0, IKE_HDR_LEN, IKE_SK_HDR_LEN,
					   sizeof(pt), &g),
			 0);
	g.pad_len += 32;
	put_be32(buf + 24, ike_sk_frame_msg_len(&g));
	put_be16(buf + IKE_HDR_LEN + 2, ike_sk_frame_payload_len(&g));
	memcpy(buf + ike_sk_frame_pt_off(&g), pt, sizeof(pt));
	assert_int_equal(ike_sk_seal(&sk, buf, sizeof(buf), &g, NULL), 0);
	assert_int_equal(open_msg(&sk, buf, ike_sk_frame_msg_len(&g), 0,
				  IKE_SK_HDR_LEN, &f),
			 0);
	assert_int_equal(f.pad_len, g.pad_len);
	assert_int_equal(f.pt_len, sizeof(pt));
	/* Key lengths that do not match the suite. */
	assert_int_equal(ike_sk_cipher_init(&sk, &cbc, k.e, 16, k.a, 32),
			 -EINVAL);
	assert_int_equal(ike_sk_cipher_init(&sk, &cbc, k.e, 32, k.a, 16),
			 -EINVAL);
	assert_int_equal(ike_sk_cipher_init(&sk, &cbc, k.e, 32, NULL, 0),
			 -EINVAL);
	assert_false(sk.ready);
	ike_sk_cipher_fini(&sk);
	ike_sk_cipher_fini(NULL);
}

/* RFC 5282 §3.1: AEAD IVs never repeat under one key (a counter here). */
static void test_rfc5282_3_1_aead_iv_unique_per_message(void **state)
{
	static uint8_t buf[BUF];
	uint8_t pt[8] = {0}, prev[16];

	(void)state;
	for (size_t si = 0; si < N_ELEM(sk_suites); si++) {
		const struct ike_suite *s = &sk_suites[si].s;
		struct ike_sk_cipher out;
		struct ike_sk_frame f;
		struct sk_keys k;

		sk_keys_for(s, 0, &k);
		sk_init_keys(&out, s, &k);
		for (int m = 0; m < 4; m++) {
			build_sealed(&out, buf, sizeof(buf), 0, IKE_SK_HDR_LEN,
				     pt, sizeof(pt), NULL, &f);
			if (m > 0 && ike_encr_is_aead(s->encr)) {
				/* Big-endian successor of the previous IV. */
				uint8_t next[8];

				memcpy(next, prev, 8);
				for (int j = 7; j >= 0 && ++next[j] == 0; j--)
					;
				assert_memory_equal(buf + 32, next, 8);
			} else if (m > 0) {
				assert_memory_not_equal(buf + 32, prev, 16);
			}
			memcpy(prev, buf + 32, f.iv_len);
		}
		ike_sk_cipher_fini(&out);
	}
}

/* Known messages: open, check the payloads, and re-seal byte-identically. */
static void run_sk_message_case(const struct tv_case *c)
{
	static uint8_t msg[BUF], again[BUF];
	uint8_t ekey[64], akey[64], iv[16], pt[BUF];
	struct ike_suite s = suite_of(str(c, "suite"));
	bool from_i = strcmp(str(c, "dir"), "initiator") == 0;
	size_t el = bytes(c, "ekey", ekey, sizeof(ekey));
	size_t al = has(c, "akey") ? bytes(c, "akey", akey, sizeof(akey)) : 0;
	size_t ivl = bytes(c, "iv", iv, sizeof(iv));
	size_t pl = bytes(c, "plaintext", pt, sizeof(pt));
	size_t n = bytes(c, "msg", msg, sizeof(msg));
	struct ike_sk_frame f, g;
	struct ike_sk_cipher sk;

	assert_int_equal(
		ike_sk_cipher_init(&sk, &s, ekey, el, al ? akey : NULL, al), 0);
	assert_int_equal(ivl, sk.iv_len);
	/* The I flag says whose keys protect the message (§2.14). */
	assert_int_equal((msg[19] & 0x08) != 0, from_i);
	memcpy(again, msg, n);
	if (open_msg(&sk, msg, n, 0, IKE_SK_HDR_LEN, &f) != 0)
		fail_msg("[%s] does not open", c->name);
	assert_int_equal(f.pt_len, pl);
	assert_int_equal(f.pad_len, num(c, "padlen"));
	expect_mem("inner payloads", c->name, msg + ike_sk_frame_pt_off(&f),
		   f.pt_len, pt, pl);
	/* Seal the same payloads with the same IV: the identical message. */
	assert_int_equal(
		ike_sk_frame_plan(&sk, 0, IKE_HDR_LEN, IKE_SK_HDR_LEN, pl, &g),
		0);
	g.pad_len = f.pad_len;
	memcpy(msg + ike_sk_frame_pt_off(&g), pt, pl);
	assert_int_equal(ike_sk_seal(&sk, msg, n, &g, iv), 0);
	expect_mem("re-sealed message", c->name, msg, n, again, n);
	/* And a single flipped tag bit is refused. */
	msg[n - 1] ^= 0x01;
	assert_int_equal(open_msg(&sk, msg, n, 0, IKE_SK_HDR_LEN, &f),
			 -EBADMSG);
	ike_sk_cipher_fini(&sk);
}

static void test_rfc7634_b_ike_message_decrypted(void **state)
{
	struct tv_file *f = load("ike-sk-rfc7634-appb.txt");
	const struct tv_case *c = tv_case_find(f, "RFC7634-B");
	uint8_t msg[128];
	size_t n;

	(void)state;
	assert_non_null(c);
	/* Plaintext = N(SET_WINDOW_SIZE = 10): protocol 0, SPI size 0,
	 * type 16385, data 0000000a; AAD = the first 32 bytes. */
	n = bytes(c, "msg", msg, sizeof(msg));
	assert_int_equal(n, 69);
	run_sk_message_case(c);
	tv_free(f);
}

static void
test_rfc7296_3_14_rfc5282_sk_messages_checked_by_tshark(void **state)
{
	struct tv_file *f = load("ike-sk-framing-tshark.txt");

	(void)state;
	assert_int_equal(f->n_cases, 7);
	for (size_t i = 0; i < f->n_cases; i++)
		run_sk_message_case(&f->cases[i]);
	tv_free(f);
}

/* The KAT's SK keys open the tshark-checked messages: keys + framing. */
static void test_rfc7296_2_14_kat_keys_open_tshark_messages(void **state)
{
	struct tv_file *kf = load("ike-kat-strongswan-5.9.8.txt");
	struct tv_file *mf = load("ike-sk-framing-tshark.txt");
	const char *pairs[][2] = {{"aead-suite", "gcm256-initiator"},
				  {"aead-suite", "gcm256-responder"},
				  {"cbc-suite", "cbc256-sha256-initiator"},
				  {"cbc-suite", "cbc256-sha256-responder"}};
	static uint8_t msg[BUF];

	(void)state;
	for (size_t i = 0; i < N_ELEM(pairs); i++) {
		const struct tv_case *kc = tv_case_find(kf, pairs[i][0]);
		const struct tv_case *mc = tv_case_find(mf, pairs[i][1]);
		struct ike_suite s;
		struct ike_sa_keys k;
		struct ike_sk_frame fr;
		struct ike_sk_cipher sk;
		struct kat_in in;
		size_t n;

		assert_non_null(kc);
		assert_non_null(mc);
		s = suite_of(str(kc, "suite"));
		kat_inputs(kc, &in);
		assert_int_equal(ike_derive_ike_sa_keys(&s, in.gir, in.gir_len,
							in.ni, in.ni_len, in.nr,
							in.nr_len, in.spi_i,
							in.spi_r, &k),
				 0);
		n = bytes(mc, "msg", msg, sizeof(msg));
		assert_int_equal(ike_sk_cipher_init_sa(&sk, &s, &k,
						       (msg[19] & 0x08) != 0),
				 0);
		assert_int_equal(open_msg(&sk, msg, n, 0, IKE_SK_HDR_LEN, &fr),
				 0);
		ike_sk_cipher_fini(&sk);
		ike_sa_keys_wipe(&k);
	}
	tv_free(kf);
	tv_free(mf);
}

/* ---------------------------------------------------------------------- */
/* NAT-D                                                                  */
/* ---------------------------------------------------------------------- */

static void test_rfc7296_2_23_natd_hash_vectors(void **state)
{
	struct tv_file *f = load("ike-natd-rfc7296.txt");
	uint8_t si[8], sr[8], ip[16], out[IKE_NATD_LEN];

	(void)state;
	assert_int_equal(f->n_cases, 3);
	for (size_t i = 0; i < f->n_cases; i++) {
		const struct tv_case *c = &f->cases[i];
		size_t il;

		assert_int_equal(bytes(c, "spi_i", si, 8), 8);
		assert_int_equal(bytes(c, "spi_r", sr, 8), 8);
		il = bytes(c, "ip", ip, sizeof(ip));
		assert_int_equal(ike_natd_hash(si, sr, ip, il,
					       (uint16_t)num(c, "port"), out),
				 0);
		expect_field(c, "hash", out, sizeof(out));
	}
	assert_int_equal(ike_natd_hash(si, sr, ip, 5, 500, out), -EINVAL);
	assert_int_equal(ike_natd_hash(si, NULL, ip, 4, 500, out), -EINVAL);
	tv_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4868_2_7_1_prf_hmac_sha2_vectors),
		cmocka_unit_test(
			test_rfc4868_2_7_2_integ_truncated_icv_vectors),
		cmocka_unit_test(test_rfc7296_2_13_prf_plus_sp800_135_vectors),
		cmocka_unit_test(test_rfc7296_2_13_prf_plus_255_block_limit),
		cmocka_unit_test(test_rfc5903_8_ecdh_p256_p384_vectors),
		cmocka_unit_test(test_rfc7748_6_1_rfc8031_a_x25519_vectors),
		cmocka_unit_test(test_rfc3526_modp2048_strongswan_vector),
		cmocka_unit_test(
			test_rfc7296_2_14_modp2048_leading_zero_secret_padded),
		cmocka_unit_test(test_rfc7296_3_4_modp2048_ke_data_left_padded),
		cmocka_unit_test(
			test_rfc7296_2_14_generated_keys_agree_every_group),
		cmocka_unit_test(
			test_rfc6989_2_1_modp2048_invalid_peer_values_rejected),
		cmocka_unit_test(test_rfc6989_2_3_ecp_invalid_points_rejected),
		cmocka_unit_test(
			test_rfc8031_2_x25519_all_zero_result_rejected),
		cmocka_unit_test(test_dh_unsupported_groups_and_bad_arguments),
		cmocka_unit_test(
			test_rfc7296_2_14_strongswan_kat_aes_cbc_hmac_suite),
		cmocka_unit_test(
			test_rfc7296_2_14_strongswan_kat_aead_suite_no_sk_a),
		cmocka_unit_test(test_rfc7296_2_15_psk_auth_strongswan_kat),
		cmocka_unit_test(
			test_rfc7296_2_17_child_keymat_without_pfs_kat),
		cmocka_unit_test(test_rfc7296_2_17_child_keymat_with_pfs_kat),
		cmocka_unit_test(test_rfc7296_2_18_ike_rekey_kat),
		cmocka_unit_test(
			test_rfc7296_2_18_rekey_prf_change_keeps_old_prf),
		cmocka_unit_test(test_rfc7296_2_14_key_lengths_per_suite),
		cmocka_unit_test(test_rfc7296_3_3_invalid_suites_rejected),
		cmocka_unit_test(test_rfc7296_3_14_sk_roundtrip_every_suite),
		cmocka_unit_test(
			test_rfc7296_3_14_sk_every_icv_bit_tamper_rejected),
		cmocka_unit_test(
			test_rfc7296_3_14_sk_every_iv_and_ciphertext_bit_tamper_rejected),
		cmocka_unit_test(
			test_rfc5282_5_1_sk_header_aad_every_bit_tamper_rejected),
		cmocka_unit_test(
			test_rfc3948_2_2_non_esp_marker_not_authenticated),
		cmocka_unit_test(test_rfc7296_2_14_sk_direction_keys_distinct),
		cmocka_unit_test(
			test_rfc7296_3_14_sk_receive_accepts_any_padding),
		cmocka_unit_test(
			test_rfc7296_3_14_sk_seal_matches_reference_encoder),
		cmocka_unit_test(
			test_rfc7296_3_14_sk_malformed_frames_rejected),
		cmocka_unit_test(
			test_rfc7296_3_14_sk_seal_rejects_inconsistent_frames),
		cmocka_unit_test(test_rfc5282_3_1_aead_iv_unique_per_message),
		cmocka_unit_test(test_rfc7634_b_ike_message_decrypted),
		cmocka_unit_test(
			test_rfc7296_3_14_rfc5282_sk_messages_checked_by_tshark),
		cmocka_unit_test(
			test_rfc7296_2_14_kat_keys_open_tshark_messages),
		cmocka_unit_test(test_rfc7296_2_23_natd_hash_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
