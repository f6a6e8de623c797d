/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libike crypto layer: IKEv2 key exchange (groups 14, 19, 20, 31), PRF and
 * prf+, key derivation, SK/SKF payload protection, PSK AUTH and NAT-D.
 * See ike_crypto.h for the API contract and the error values.
 *
 * Everything goes through OpenSSL 3 EVP, EVP_PKEY and EVP_MAC, with two
 * non-EVP pieces, both undeprecated in 3.0:
 *   - BIGNUM and EC_GROUP/EC_POINT arithmetic in ike_dh_init_fixed(): the
 *     3.0 DH and EC key managers do not compute the public key when a
 *     private key is imported alone (EVP_PKEY_fromdata), so g^x mod p and
 *     d*G are computed here and imported together with the private key.
 *     Only the test/KAT path uses it; ike_dh_init() generates through EVP.
 *   - RAND_bytes() for CBC IVs and the AEAD IV counter's start value.
 *
 * Control path only: every call fetches its algorithms and allocates its
 * contexts (libcrypto caches fetches), which keeps the structs plain and
 * free of libcrypto state except the EVP_PKEY of a DH half.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "ike_crypto.h"

#define SK_PAYLOAD_MAX	0xffffu /* 16-bit Payload Length field */
#define DIGEST_NAME_MAX 16
#define NONCES_MAX	512 /* Ni | Nr: two nonces of at most 256 bytes (§3.9) */
#define MODP_PRIV_BITS	384 /* exponent length for generated MODP keys */

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* ------------------------------------------------------------------ */
/* Transforms                                                          */
/* ------------------------------------------------------------------ */

bool ike_encr_is_aead(uint16_t encr)
{
	return encr == IKE_ENCR_AES_GCM_16 ||
	       encr == IKE_ENCR_CHACHA20_POLY1305;
}

static const char *prf_digest(uint16_t prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_SHA2_256:
		return "SHA256";
	case IKE_PRF_HMAC_SHA2_384:
		return "SHA384";
	case IKE_PRF_HMAC_SHA2_512:
		return "SHA512";
	}
	return NULL;
}

static const char *integ_digest(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA2_256_128:
		return "SHA256";
	case IKE_INTEG_HMAC_SHA2_384_192:
		return "SHA384";
	case IKE_INTEG_HMAC_SHA2_512_256:
		return "SHA512";
	}
	return NULL;
}

size_t ike_prf_len(uint16_t prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_SHA2_256:
		return 32;
	case IKE_PRF_HMAC_SHA2_384:
		return 48;
	case IKE_PRF_HMAC_SHA2_512:
		return 64;
	}
	return 0;
}

/* RFC 4868 §2.1.1: key = full hash output length. */
size_t ike_integ_key_len(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA2_256_128:
		return 32;
	case IKE_INTEG_HMAC_SHA2_384_192:
		return 48;
	case IKE_INTEG_HMAC_SHA2_512_256:
		return 64;
	}
	return 0;
}

/* RFC 4868 §2.3: truncation to half the hash output. */
size_t ike_integ_icv_len(uint16_t integ)
{
	return ike_integ_key_len(integ) / 2;
}

/* Cipher key length without the AEAD salt; 0 if invalid. */
static size_t encr_raw_key_len(const struct ike_suite *s)
{
	switch (s->encr) {
	case IKE_ENCR_AES_CBC:
	case IKE_ENCR_AES_GCM_16:
		if (s->encr_bits == 128 || s->encr_bits == 192 ||
		    s->encr_bits == 256)
			return s->encr_bits / 8;
		return 0;
	case IKE_ENCR_CHACHA20_POLY1305:
		/* RFC 7634 §3: no Key Length attribute (256 tolerated). */
		return s->encr_bits == 0 || s->encr_bits == 256 ? 32 : 0;
	}
	return 0;
}

size_t ike_encr_key_len(const struct ike_suite *s)
{
	size_t n;

	if (s == NULL)
		return 0;
	n = encr_raw_key_len(s);
	if (n != 0 && ike_encr_is_aead(s->encr))
		n += IKE_AEAD_SALT_LEN; /* RFC 5282 §7.1, RFC 7634 §2 */
	return n;
}

int ike_suite_check(const struct ike_suite *s, bool need_prf)
{
	if (s == NULL)
		return -EINVAL;
	if (encr_raw_key_len(s) == 0)
		return -ENOTSUP;
	if (ike_encr_is_aead(s->encr)) {
		/* RFC 7296 §3.3: INTEG omitted or NONE with combined modes. */
		if (s->integ != IKE_INTEG_NONE)
			return -EINVAL;
	} else {
		if (s->integ == IKE_INTEG_NONE)
			return -EINVAL;
		if (ike_integ_key_len(s->integ) == 0)
			return -ENOTSUP;
	}
	if (need_prf && ike_prf_len(s->prf) == 0)
		return -ENOTSUP;
	return 0;
}

static const char *cipher_name(uint16_t encr, size_t key_len)
{
	switch (encr) {
	case IKE_ENCR_AES_CBC:
		return key_len == 16   ? "AES-128-CBC"
		       : key_len == 24 ? "AES-192-CBC"
		       : key_len == 32 ? "AES-256-CBC"
				       : NULL;
	case IKE_ENCR_AES_GCM_16:
		return key_len == 16   ? "AES-128-GCM"
		       : key_len == 24 ? "AES-192-GCM"
		       : key_len == 32 ? "AES-256-GCM"
				       : NULL;
	case IKE_ENCR_CHACHA20_POLY1305:
		return key_len == 32 ? "ChaCha20-Poly1305" : NULL;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* HMAC, PRF, prf+                                                     */
/* ------------------------------------------------------------------ */

/* An HMAC context bound to digest @md (not keyed yet). */
static EVP_MAC_CTX *hmac_new(const char *md)
{
	char name[DIGEST_NAME_MAX];
	OSSL_PARAM prm[2];
	EVP_MAC_CTX *ctx;
	EVP_MAC *mac;
	size_t n = strlen(md);

	if (n >= sizeof(name))
		return NULL;
	memcpy(name, md, n + 1); /* OSSL_PARAM wants a non-const string */
	mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
	if (mac == NULL)
		return NULL;
	ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac); /* the context keeps its own reference */
	if (ctx == NULL)
		return NULL;
	prm[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name,
						  0);
	prm[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_CTX_set_params(ctx, prm) != 1) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* out = HMAC(key, in[0] | ... | in[n-1]), exactly @out_len bytes. */
static int hmac_run(EVP_MAC_CTX *ctx, const uint8_t *key, size_t key_len,
		    const struct ike_buf *in, size_t n_in, uint8_t *out,
		    size_t out_len)
{
	size_t outl = 0;

	if (EVP_MAC_init(ctx, key, key_len, NULL) != 1)
		return -EIO;
	for (size_t i = 0; i < n_in; i++) {
		if (in[i].len != 0 &&
		    EVP_MAC_update(ctx, in[i].p, in[i].len) != 1)
			return -EIO;
	}
	if (EVP_MAC_final(ctx, out, &outl, out_len) != 1 || outl != out_len)
		return -EIO;
	return 0;
}

static bool bufs_ok(const struct ike_buf *b, size_t n)
{
	if (n != 0 && b == NULL)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (b[i].p == NULL && b[i].len != 0)
			return false;
	}
	return true;
}

int ike_prf(uint16_t prf, const uint8_t *key, size_t key_len,
	    const struct ike_buf *in, size_t n_in, uint8_t *out)
{
	const char *md = prf_digest(prf);
	EVP_MAC_CTX *ctx;
	int rc;

	if (md == NULL)
		return -ENOTSUP;
	if (key == NULL || out == NULL || !bufs_ok(in, n_in))
		return -EINVAL;
	ctx = hmac_new(md);
	if (ctx == NULL)
		return -EIO;
	rc = hmac_run(ctx, key, key_len, in, n_in, out, ike_prf_len(prf));
	EVP_MAC_CTX_free(ctx);
	return rc;
}

int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t key_len,
		 const struct ike_buf *seed, size_t n_seed, uint8_t *out,
		 size_t out_len)
{
	uint8_t t[IKE_PRF_LEN_MAX];
	size_t hl = ike_prf_len(prf), done = 0, tl;
	EVP_MAC_CTX *ctx;
	int rc = -EIO;

	if (hl == 0)
		return -ENOTSUP;
	if (key == NULL || (out == NULL && out_len != 0) ||
	    !bufs_ok(seed, n_seed))
		return -EINVAL;
	/* RFC 7296 §2.13: the counter is one octet, so at most 255 blocks. */
	if (out_len > IKE_PRF_PLUS_BLOCKS_MAX * hl) {
		OPENSSL_cleanse(out, out_len);
		return -EINVAL;
	}
	if (out_len == 0)
		return 0;
	ctx = hmac_new(prf_digest(prf));
	if (ctx == NULL)
		goto out;
	for (unsigned int n = 1; done < out_len; n++) {
		uint8_t counter = (uint8_t)n;
		size_t take;

		/* Tn = prf(K, Tn-1 | S | n), T0 empty. */
		if (EVP_MAC_init(ctx, key, key_len, NULL) != 1)
			goto out;
		if (n > 1 && EVP_MAC_update(ctx, t, hl) != 1)
			goto out;
		for (size_t i = 0; i < n_seed; i++) {
			if (seed[i].len != 0 &&
			    EVP_MAC_update(ctx, seed[i].p, seed[i].len) != 1)
				goto out;
		}
		if (EVP_MAC_update(ctx, &counter, 1) != 1 ||
		    EVP_MAC_final(ctx, t, &tl, sizeof(t)) != 1 || tl != hl)
			goto out;
		take = out_len - done < hl ? out_len - done : hl;
		memcpy(out + done, t, take);
		done += take;
	}
	rc = 0;
out:
	if (rc != 0)
		OPENSSL_cleanse(out, out_len);
	OPENSSL_cleanse(t, sizeof(t));
	EVP_MAC_CTX_free(ctx);
	return rc;
}

int ike_integ_icv(uint16_t integ, const uint8_t *key, size_t key_len,
		  const uint8_t *data, size_t len, uint8_t *icv)
{
	const char *md = integ_digest(integ);
	uint8_t full[IKE_PRF_LEN_MAX];
	struct ike_buf in = {data, len};
	EVP_MAC_CTX *ctx;
	int rc;

	if (md == NULL)
		return -ENOTSUP;
	if (key == NULL || key_len != ike_integ_key_len(integ) || icv == NULL ||
	    (data == NULL && len != 0))
		return -EINVAL;
	ctx = hmac_new(md);
	if (ctx == NULL)
		return -EIO;
	/* Full HMAC output (= key length), truncated to half (RFC 4868). */
	rc = hmac_run(ctx, key, key_len, &in, 1, full, key_len);
	EVP_MAC_CTX_free(ctx);
	if (rc == 0)
		memcpy(icv, full, ike_integ_icv_len(integ));
	OPENSSL_cleanse(full, sizeof(full));
	return rc;
}

/* ------------------------------------------------------------------ */
/* Key derivation                                                      */
/* ------------------------------------------------------------------ */

void ike_sa_keys_wipe(struct ike_sa_keys *k)
{
	if (k != NULL)
		OPENSSL_cleanse(k, sizeof(*k));
}

void ike_child_keys_wipe(struct ike_child_keys *k)
{
	if (k != NULL)
		OPENSSL_cleanse(k, sizeof(*k));
}

int ike_skeyseed(uint16_t prf, const uint8_t *gir, size_t gir_len,
		 const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		 size_t nr_len, uint8_t *skeyseed)
{
	uint8_t nonces[NONCES_MAX];
	struct ike_buf in = {gir, gir_len};
	int rc;

	if (ike_prf_len(prf) == 0)
		return -ENOTSUP;
	if (gir == NULL || gir_len == 0 || ni == NULL || ni_len == 0 ||
	    nr == NULL || nr_len == 0 || skeyseed == NULL ||
	    ni_len > NONCES_MAX - nr_len)
		return -EINVAL;
	/*
	 * SKEYSEED = prf(Ni | Nr, g^ir) (RFC 7296 §2.14). The key is the
	 * concatenation; HMAC PRFs take the whole nonces (the "first 64 bits
	 * of each nonce" rule is for fixed-key-size PRFs only).
	 */
	memcpy(nonces, ni, ni_len);
	memcpy(nonces + ni_len, nr, nr_len);
	rc = ike_prf(prf, nonces, ni_len + nr_len, &in, 1, skeyseed);
	OPENSSL_cleanse(nonces, sizeof(nonces));
	return rc;
}

int ike_rekey_skeyseed(uint16_t old_prf, const uint8_t *old_sk_d,
		       size_t old_sk_d_len, const uint8_t *gir, size_t gir_len,
		       const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		       size_t nr_len, uint8_t *skeyseed)
{
	struct ike_buf in[3] = {
		{gir, gir_len},
		{ni, ni_len},
		{nr, nr_len},
	};

	if (ike_prf_len(old_prf) == 0)
		return -ENOTSUP;
	if (old_sk_d == NULL || old_sk_d_len == 0 || gir == NULL ||
	    gir_len == 0 || ni == NULL || ni_len == 0 || nr == NULL ||
	    nr_len == 0 || skeyseed == NULL)
		return -EINVAL;
	/* SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) (§2.18). */
	return ike_prf(old_prf, old_sk_d, old_sk_d_len, in, 3, skeyseed);
}

int ike_sa_keys_from_skeyseed(const struct ike_suite *s, uint16_t prf_plus_prf,
			      const uint8_t *skeyseed, size_t skeyseed_len,
			      const uint8_t *ni, size_t ni_len,
			      const uint8_t *nr, size_t nr_len,
			      const uint8_t spi_i[IKE_SPI_LEN],
			      const uint8_t spi_r[IKE_SPI_LEN],
			      struct ike_sa_keys *k)
{
	uint8_t km[3 * IKE_PRF_LEN_MAX + 2 * IKE_INTEG_KEY_MAX +
		   2 * IKE_ENCR_KEY_MAX];
	struct ike_buf seed[4] = {
		{ni, ni_len},
		{nr, nr_len},
		{spi_i, IKE_SPI_LEN},
		{spi_r, IKE_SPI_LEN},
	};
	size_t pl, al, el, off = 0;
	int rc;

	if (k == NULL)
		return -EINVAL;
	ike_sa_keys_wipe(k);
	rc = ike_suite_check(s, true);
	if (rc != 0)
		return rc;
	if (ike_prf_len(prf_plus_prf) == 0)
		return -ENOTSUP;
	if (skeyseed == NULL || skeyseed_len == 0 || ni == NULL ||
	    ni_len == 0 || nr == NULL || nr_len == 0 || spi_i == NULL ||
	    spi_r == NULL)
		return -EINVAL;
	pl = ike_prf_len(s->prf);
	al = ike_encr_is_aead(s->encr) ? 0 : ike_integ_key_len(s->integ);
	el = ike_encr_key_len(s);
	/*
	 * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
	 *     = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)          (§2.14)
	 */
	rc = ike_prf_plus(prf_plus_prf, skeyseed, skeyseed_len, seed, 4, km,
			  3 * pl + 2 * al + 2 * el);
	if (rc != 0)
		goto out;
	memcpy(k->sk_d, km + off, pl);
	off += pl;
	memcpy(k->sk_ai, km + off, al);
	off += al;
	memcpy(k->sk_ar, km + off, al);
	off += al;
	memcpy(k->sk_ei, km + off, el);
	off += el;
	memcpy(k->sk_er, km + off, el);
	off += el;
	memcpy(k->sk_pi, km + off, pl);
	off += pl;
	memcpy(k->sk_pr, km + off, pl);
	k->prf_len = (uint8_t)pl;
	k->integ_len = (uint8_t)al;
	k->encr_len = (uint8_t)el;
out:
	OPENSSL_cleanse(km, sizeof(km));
	return rc;
}

int ike_derive_ike_sa_keys(const struct ike_suite *s, const uint8_t *gir,
			   size_t gir_len, const uint8_t *ni, size_t ni_len,
			   const uint8_t *nr, size_t nr_len,
			   const uint8_t spi_i[IKE_SPI_LEN],
			   const uint8_t spi_r[IKE_SPI_LEN],
			   struct ike_sa_keys *k)
{
	uint8_t skeyseed[IKE_PRF_LEN_MAX];
	int rc;

	if (k == NULL)
		return -EINVAL;
	ike_sa_keys_wipe(k);
	rc = ike_suite_check(s, true);
	if (rc != 0)
		return rc;
	rc = ike_skeyseed(s->prf, gir, gir_len, ni, ni_len, nr, nr_len,
			  skeyseed);
	if (rc == 0)
		rc = ike_sa_keys_from_skeyseed(s, s->prf, skeyseed,
					       ike_prf_len(s->prf), ni, ni_len,
					       nr, nr_len, spi_i, spi_r, k);
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	return rc;
}

int ike_derive_ike_sa_rekey_keys(uint16_t old_prf, const uint8_t *old_sk_d,
				 size_t old_sk_d_len, const struct ike_suite *s,
				 const uint8_t *gir, size_t gir_len,
				 const uint8_t *ni, size_t ni_len,
				 const uint8_t *nr, size_t nr_len,
				 const uint8_t spi_i[IKE_SPI_LEN],
				 const uint8_t spi_r[IKE_SPI_LEN],
				 struct ike_sa_keys *k)
{
	uint8_t skeyseed[IKE_PRF_LEN_MAX];
	int rc;

	if (k == NULL)
		return -EINVAL;
	ike_sa_keys_wipe(k);
	rc = ike_rekey_skeyseed(old_prf, old_sk_d, old_sk_d_len, gir, gir_len,
				ni, ni_len, nr, nr_len, skeyseed);
	/* prf+ with the old PRF too, as strongSwan 5.9.8 (see header). */
	if (rc == 0)
		rc = ike_sa_keys_from_skeyseed(s, old_prf, skeyseed,
					       ike_prf_len(old_prf), ni, ni_len,
					       nr, nr_len, spi_i, spi_r, k);
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	return rc;
}

int ike_derive_child_keys(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len,
			  const struct ike_suite *esp, const uint8_t *gir,
			  size_t gir_len, const uint8_t *ni, size_t ni_len,
			  const uint8_t *nr, size_t nr_len,
			  struct ike_child_keys *k)
{
	uint8_t km[2 * IKE_ENCR_KEY_MAX + 2 * IKE_INTEG_KEY_MAX];
	struct ike_buf seed[3] = {
		{gir, gir_len},
		{ni, ni_len},
		{nr, nr_len},
	};
	size_t el, al;
	int rc;

	if (k == NULL)
		return -EINVAL;
	ike_child_keys_wipe(k);
	rc = ike_suite_check(esp, false);
	if (rc != 0)
		return rc;
	if (ike_prf_len(prf) == 0)
		return -ENOTSUP;
	if (sk_d == NULL || sk_d_len == 0 || (gir == NULL && gir_len != 0) ||
	    ni == NULL || ni_len == 0 || nr == NULL || nr_len == 0)
		return -EINVAL;
	el = ike_encr_key_len(esp);
	al = ike_encr_is_aead(esp->encr) ? 0 : ike_integ_key_len(esp->integ);
	/* KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) (§2.17). */
	rc = ike_prf_plus(prf, sk_d, sk_d_len, seed, 3, km, 2 * (el + al));
	if (rc == 0) {
		/* encr_i | integ_i | encr_r | integ_r */
		memcpy(k->encr_i, km, el);
		memcpy(k->integ_i, km + el, al);
		memcpy(k->encr_r, km + el + al, el);
		memcpy(k->integ_r, km + 2 * el + al, al);
		k->encr_len = (uint8_t)el;
		k->integ_len = (uint8_t)al;
	}
	OPENSSL_cleanse(km, sizeof(km));
	return rc;
}

/* ------------------------------------------------------------------ */
/* Key exchange                                                        */
/* ------------------------------------------------------------------ */

enum dh_kind { DH_MODP, DH_ECP, DH_X25519 };

struct dh_info {
	uint16_t group;
	uint8_t kind;	     /* enum dh_kind */
	uint16_t ke_len;     /* KE data */
	uint16_t secret_len; /* g^ir = field / modulus size */
	const char *keytype; /* EVP_PKEY key type */
	const char *name;    /* OpenSSL group name */
	int nid;	     /* ECP curve */
};

static const struct dh_info dh_groups[] = {
	{IKE_DH_MODP_2048, DH_MODP, 256, 256, "DH", "modp_2048", NID_undef},
	{IKE_DH_ECP_256, DH_ECP, 64, 32, "EC", "P-256", NID_X9_62_prime256v1},
	{IKE_DH_ECP_384, DH_ECP, 96, 48, "EC", "P-384", NID_secp384r1},
	{IKE_DH_CURVE25519, DH_X25519, 32, 32, "X25519", NULL, NID_undef},
};

/* RFC 3526 §3: the 2048-bit MODP prime, big-endian. */
static const uint8_t modp2048_p[256] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc9, 0x0f, 0xda, 0xa2,
	0x21, 0x68, 0xc2, 0x34, 0xc4, 0xc6, 0x62, 0x8b, 0x80, 0xdc, 0x1c, 0xd1,
	0x29, 0x02, 0x4e, 0x08, 0x8a, 0x67, 0xcc, 0x74, 0x02, 0x0b, 0xbe, 0xa6,
	0x3b, 0x13, 0x9b, 0x22, 0x51, 0x4a, 0x08, 0x79, 0x8e, 0x34, 0x04, 0xdd,
	0xef, 0x95, 0x19, 0xb3, 0xcd, 0x3a, 0x43, 0x1b, 0x30, 0x2b, 0x0a, 0x6d,
	0xf2, 0x5f, 0x14, 0x37, 0x4f, 0xe1, 0x35, 0x6d, 0x6d, 0x51, 0xc2, 0x45,
	0xe4, 0x85, 0xb5, 0x76, 0x62, 0x5e, 0x7e, 0xc6, 0xf4, 0x4c, 0x42, 0xe9,
	0xa6, 0x37, 0xed, 0x6b, 0x0b, 0xff, 0x5c, 0xb6, 0xf4, 0x06, 0xb7, 0xed,
	0xee, 0x38, 0x6b, 0xfb, 0x5a, 0x89, 0x9f, 0xa5, 0xae, 0x9f, 0x24, 0x11,
	0x7c, 0x4b, 0x1f, 0xe6, 0x49, 0x28, 0x66, 0x51, 0xec, 0xe4, 0x5b, 0x3d,
	0xc2, 0x00, 0x7c, 0xb8, 0xa1, 0x63, 0xbf, 0x05, 0x98, 0xda, 0x48, 0x36,
	0x1c, 0x55, 0xd3, 0x9a, 0x69, 0x16, 0x3f, 0xa8, 0xfd, 0x24, 0xcf, 0x5f,
	0x83, 0x65, 0x5d, 0x23, 0xdc, 0xa3, 0xad, 0x96, 0x1c, 0x62, 0xf3, 0x56,
	0x20, 0x85, 0x52, 0xbb, 0x9e, 0xd5, 0x29, 0x07, 0x70, 0x96, 0x96, 0x6d,
	0x67, 0x0c, 0x35, 0x4e, 0x4a, 0xbc, 0x98, 0x04, 0xf1, 0x74, 0x6c, 0x08,
	0xca, 0x18, 0x21, 0x7c, 0x32, 0x90, 0x5e, 0x46, 0x2e, 0x36, 0xce, 0x3b,
	0xe3, 0x9e, 0x77, 0x2c, 0x18, 0x0e, 0x86, 0x03, 0x9b, 0x27, 0x83, 0xa2,
	0xec, 0x07, 0xa2, 0x8f, 0xb5, 0xc5, 0x5d, 0xf0, 0x6f, 0x4c, 0x52, 0xc9,
	0xde, 0x2b, 0xcb, 0xf6, 0x95, 0x58, 0x17, 0x18, 0x39, 0x95, 0x49, 0x7c,
	0xea, 0x95, 0x6a, 0xe5, 0x15, 0xd2, 0x26, 0x18, 0x98, 0xfa, 0x05, 0x10,
	0x15, 0x72, 0x8e, 0x5a, 0x8a, 0xac, 0xaa, 0x68, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff,
};

static const struct dh_info *dh_find(uint16_t group)
{
	for (size_t i = 0; i < sizeof(dh_groups) / sizeof(dh_groups[0]); i++) {
		if (dh_groups[i].group == group)
			return &dh_groups[i];
	}
	return NULL;
}

size_t ike_dh_ke_len(uint16_t group)
{
	const struct dh_info *gi = dh_find(group);

	return gi != NULL ? gi->ke_len : 0;
}

size_t ike_dh_secret_len(uint16_t group)
{
	const struct dh_info *gi = dh_find(group);

	return gi != NULL ? gi->secret_len : 0;
}

/*
 * RFC 6989 §2.1 for a safe-prime group: 1 < y < p-1, i.e. 2 <= y <= p-2.
 * @y is 256 bytes big-endian; public data, so memcmp is fine.
 */
static bool modp_pub_in_range(const uint8_t *y)
{
	bool above_one = y[255] > 1;
	int c;

	for (size_t i = 0; i < 255 && !above_one; i++)
		above_one = y[i] != 0;
	if (!above_one)
		return false;
	/* y < p - 1; p ends in 0xff, so p - 1 ends in 0xfe. */
	c = memcmp(y, modp2048_p, 255);
	return c < 0 || (c == 0 && y[255] < 0xfe);
}

static EVP_PKEY *pkey_fromdata(const char *keytype, int selection,
			       OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *prm = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (prm == NULL)
		return NULL;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, keytype, NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, selection, prm) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(prm); /* clears the param copy (may hold priv) */
	return pkey;
}

/*
 * Build an EVP_PKEY for the peer's KE data and validate it (lengths,
 * MODP range, ECP on-curve via import, then libcrypto's public-key
 * check). Returns 0, -EPROTO or -ENOMEM/-EIO; *out NULL on error.
 */
static int dh_peer_import(const struct dh_info *gi, const uint8_t *ke,
			  size_t ke_len, EVP_PKEY **out)
{
	uint8_t pt[1 + 2 * 48];
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY_CTX *chk = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *y = NULL;
	int rc = -EPROTO;

	*out = NULL;
	if (ke == NULL || ke_len != gi->ke_len)
		return -EPROTO;
	if (gi->kind == DH_MODP && !modp_pub_in_range(ke))
		return -EPROTO;
	ERR_set_mark();
	if (gi->kind == DH_X25519) {
		/* RFC 8031 §2: any 32 bytes; the all-zero output is checked
		 * after the derivation. */
		pkey = EVP_PKEY_new_raw_public_key_ex(NULL, gi->keytype, NULL,
						      ke, ke_len);
		rc = pkey != NULL ? 0 : -ENOMEM;
		goto done;
	}
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    gi->name, 0) != 1) {
		rc = -ENOMEM;
		goto done;
	}
	if (gi->kind == DH_MODP) {
		y = BN_bin2bn(ke, (int)ke_len, NULL);
		if (y == NULL ||
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y) !=
			    1) {
			rc = -ENOMEM;
			goto done;
		}
	} else {
		/* RFC 5903 §7: x || y without the point-format byte. */
		pt[0] = POINT_CONVERSION_UNCOMPRESSED;
		memcpy(pt + 1, ke, ke_len);
		if (OSSL_PARAM_BLD_push_octet_string(bld,
						     OSSL_PKEY_PARAM_PUB_KEY,
						     pt, 1 + ke_len) != 1) {
			rc = -ENOMEM;
			goto done;
		}
	}
	/* ECP: the import rejects coordinates >= p and points off the curve. */
	pkey = pkey_fromdata(gi->keytype, EVP_PKEY_PUBLIC_KEY, bld);
	if (pkey == NULL)
		goto done;
	/* MODP: range + y^q == 1 (safe prime, q = (p-1)/2); ECP: full
	 * point validation (RFC 6989 §2.1, §2.3). */
	chk = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	if (chk == NULL || EVP_PKEY_public_check(chk) != 1) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
		goto done;
	}
	rc = 0;
done:
	if (rc == -EPROTO)
		ERR_pop_to_mark(); /* peer-caused: drop libcrypto's errors */
	else
		ERR_clear_last_mark();
	EVP_PKEY_CTX_free(chk);
	OSSL_PARAM_BLD_free(bld);
	BN_free(y);
	*out = pkey;
	return rc;
}

int ike_dh_check_peer(uint16_t group, const uint8_t *ke, size_t ke_len)
{
	const struct dh_info *gi = dh_find(group);
	EVP_PKEY *peer;
	int rc;

	if (gi == NULL)
		return -ENOTSUP;
	rc = dh_peer_import(gi, ke, ke_len, &peer);
	EVP_PKEY_free(peer);
	return rc;
}

void ike_dh_fini(struct ike_dh *dh)
{
	if (dh == NULL)
		return;
	EVP_PKEY_free(dh->pkey); /* clears the private key */
	memset(dh, 0, sizeof(*dh));
}

static void dh_setup(struct ike_dh *dh, const struct dh_info *gi)
{
	memset(dh, 0, sizeof(*dh));
	dh->group = gi->group;
	dh->ke_len = gi->ke_len;
	dh->secret_len = gi->secret_len;
}

int ike_dh_init(struct ike_dh *dh, uint16_t group)
{
	const struct dh_info *gi = dh_find(group);
	int priv_bits = MODP_PRIV_BITS;
	EVP_PKEY_CTX *ctx;
	OSSL_PARAM prm[2];
	int rc = -EIO;

	if (dh == NULL)
		return -EINVAL;
	memset(dh, 0, sizeof(*dh));
	if (gi == NULL)
		return -ENOTSUP;
	dh_setup(dh, gi);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, gi->keytype, NULL);
	if (ctx == NULL) {
		rc = -ENOTSUP;
		goto out;
	}
	if (EVP_PKEY_keygen_init(ctx) != 1)
		goto out;
	if (gi->name != NULL && EVP_PKEY_CTX_set_group_name(ctx, gi->name) != 1)
		goto out;
	if (gi->kind == DH_MODP) {
		/* 384-bit exponents, well above twice the group's strength
		 * (RFC 3526 §8); strongSwan 5.9.8 uses 48 bytes too. */
		prm[0] = OSSL_PARAM_construct_int(OSSL_PKEY_PARAM_DH_PRIV_LEN,
						  &priv_bits);
		prm[1] = OSSL_PARAM_construct_end();
		if (EVP_PKEY_CTX_set_params(ctx, prm) != 1)
			goto out;
	}
	if (EVP_PKEY_generate(ctx, &dh->pkey) != 1)
		goto out;
	rc = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	if (rc != 0)
		ike_dh_fini(dh);
	return rc;
}

/* MODP: x -> (x, g^x mod p), both into @bld. */
static int modp_fixed_params(const uint8_t *priv, size_t priv_len,
			     OSSL_PARAM_BLD *bld, BIGNUM **x_out,
			     BIGNUM **y_out)
{
	BN_CTX *bctx = BN_CTX_new();
	BIGNUM *p = BN_bin2bn(modp2048_p, sizeof(modp2048_p), NULL);
	BIGNUM *g = BN_new(), *pm1 = BN_new();
	BIGNUM *x = BN_secure_new(), *y = BN_new();
	int rc = -ENOMEM;

	if (bctx == NULL || p == NULL || g == NULL || pm1 == NULL ||
	    x == NULL || y == NULL || BN_bin2bn(priv, (int)priv_len, x) == NULL)
		goto out;
	if (!BN_set_word(g, 2) || !BN_sub(pm1, p, BN_value_one()))
		goto out;
	/* 1 < x < p - 1 */
	if (BN_cmp(x, BN_value_one()) <= 0 || BN_cmp(x, pm1) >= 0) {
		rc = -EINVAL;
		goto out;
	}
	BN_set_flags(x, BN_FLG_CONSTTIME);
	if (!BN_mod_exp(y, g, x, p, bctx))
		goto out;
	if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, x) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y) != 1)
		goto out;
	rc = 0;
out:
	BN_CTX_free(bctx);
	BN_free(p);
	BN_free(g);
	BN_free(pm1);
	/* The builder references the BIGNUMs until it is converted. */
	*x_out = x;
	*y_out = y;
	return rc;
}

/* ECP: d -> (d, d*G as 04 || x || y), both into @bld. */
static int ecp_fixed_params(const struct dh_info *gi, const uint8_t *priv,
			    size_t priv_len, OSSL_PARAM_BLD *bld,
			    BIGNUM **d_out, uint8_t *pub, size_t *pub_len)
{
	EC_GROUP *grp = EC_GROUP_new_by_curve_name_ex(NULL, NULL, gi->nid);
	BN_CTX *bctx = BN_CTX_new();
	BIGNUM *d = BN_secure_new();
	EC_POINT *q = NULL;
	int rc = -ENOMEM;

	*d_out = d;
	if (grp == NULL || bctx == NULL || d == NULL ||
	    BN_bin2bn(priv, (int)priv_len, d) == NULL)
		goto out;
	/* 0 < d < n */
	if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(grp)) >= 0) {
		rc = -EINVAL;
		goto out;
	}
	BN_set_flags(d, BN_FLG_CONSTTIME);
	q = EC_POINT_new(grp);
	if (q == NULL || EC_POINT_mul(grp, q, d, NULL, NULL, bctx) != 1)
		goto out;
	*pub_len =
		EC_POINT_point2oct(grp, q, POINT_CONVERSION_UNCOMPRESSED, pub,
				   1 + 2 * (size_t)gi->secret_len, bctx);
	if (*pub_len != 1 + 2 * (size_t)gi->secret_len)
		goto out;
	if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub,
					     *pub_len) != 1)
		goto out;
	rc = 0;
out:
	EC_POINT_free(q);
	BN_CTX_free(bctx);
	EC_GROUP_free(grp);
	return rc;
}

int ike_dh_init_fixed(struct ike_dh *dh, uint16_t group, const uint8_t *priv,
		      size_t priv_len)
{
	const struct dh_info *gi = dh_find(group);
	uint8_t pub[1 + 2 * 48];
	OSSL_PARAM_BLD *bld = NULL;
	BIGNUM *x = NULL, *y = NULL;
	size_t pub_len = 0;
	int rc;

	if (dh == NULL)
		return -EINVAL;
	memset(dh, 0, sizeof(*dh));
	if (gi == NULL)
		return -ENOTSUP;
	if (priv == NULL || priv_len == 0 ||
	    priv_len > (gi->kind == DH_MODP ? 256u : gi->secret_len) ||
	    (gi->kind == DH_X25519 && priv_len != 32))
		return -EINVAL;
	dh_setup(dh, gi);
	if (gi->kind == DH_X25519) {
		dh->pkey = EVP_PKEY_new_raw_private_key_ex(NULL, gi->keytype,
							   NULL, priv, 32);
		rc = dh->pkey != NULL ? 0 : -EIO;
		goto out;
	}
	bld = OSSL_PARAM_BLD_new();
	rc = -ENOMEM;
	if (bld == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    gi->name, 0) != 1)
		goto out;
	if (gi->kind == DH_MODP)
		rc = modp_fixed_params(priv, priv_len, bld, &x, &y);
	else
		rc = ecp_fixed_params(gi, priv, priv_len, bld, &x, pub,
				      &pub_len);
	if (rc != 0)
		goto out;
	dh->pkey = pkey_fromdata(gi->keytype, EVP_PKEY_KEYPAIR, bld);
	rc = dh->pkey != NULL ? 0 : -EIO;
out:
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(x);
	BN_free(y);
	if (rc != 0)
		ike_dh_fini(dh);
	return rc;
}

static int bn_param_pad(const EVP_PKEY *pkey, const char *name, uint8_t *out,
			size_t len)
{
	BIGNUM *bn = NULL;
	int rc = -EIO;

	if (EVP_PKEY_get_bn_param(pkey, name, &bn) == 1 &&
	    BN_bn2binpad(bn, out, (int)len) == (int)len)
		rc = 0;
	BN_free(bn);
	return rc;
}

int ike_dh_ke_data(const struct ike_dh *dh, uint8_t *out, size_t cap)
{
	const struct dh_info *gi;
	size_t len;
	int rc = -EIO;

	if (dh == NULL || dh->pkey == NULL || out == NULL)
		return -EINVAL;
	gi = dh_find(dh->group);
	if (gi == NULL)
		return -EINVAL;
	if (cap < gi->ke_len)
		return -ENOSPC;
	switch (gi->kind) {
	case DH_MODP:
		/* RFC 7296 §3.4: left-padded to the modulus length. */
		rc = bn_param_pad(dh->pkey, OSSL_PKEY_PARAM_PUB_KEY, out,
				  gi->ke_len);
		break;
	case DH_ECP:
		/* RFC 5903 §7: x || y, each padded to the field size. */
		rc = bn_param_pad(dh->pkey, OSSL_PKEY_PARAM_EC_PUB_X, out,
				  gi->secret_len);
		if (rc == 0)
			rc = bn_param_pad(dh->pkey, OSSL_PKEY_PARAM_EC_PUB_Y,
					  out + gi->secret_len, gi->secret_len);
		break;
	case DH_X25519:
		len = gi->ke_len;
		if (EVP_PKEY_get_raw_public_key(dh->pkey, out, &len) == 1 &&
		    len == gi->ke_len)
			rc = 0;
		break;
	}
	if (rc != 0)
		memset(out, 0, gi->ke_len);
	return rc;
}

int ike_dh_derive(const struct ike_dh *dh, const uint8_t *peer, size_t peer_len,
		  uint8_t *secret, size_t cap)
{
	uint8_t tmp[IKE_DH_SECRET_MAX];
	const struct dh_info *gi;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	unsigned int pad = 1;
	OSSL_PARAM prm[2];
	size_t len = sizeof(tmp);
	uint8_t acc = 0;
	int rc;

	if (dh == NULL || dh->pkey == NULL || secret == NULL)
		return -EINVAL;
	gi = dh_find(dh->group);
	if (gi == NULL)
		return -EINVAL;
	if (cap < gi->secret_len)
		return -ENOSPC;
	memset(secret, 0, gi->secret_len);
	rc = dh_peer_import(gi, peer, peer_len, &pk);
	if (rc != 0)
		return rc;
	rc = -EIO;
	ERR_set_mark();
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->pkey, NULL);
	if (ctx == NULL || EVP_PKEY_derive_init(ctx) != 1)
		goto out;
	if (gi->kind == DH_MODP) {
		/* Fixed-width g^ir (RFC 7296 §2.14): without this OpenSSL
		 * strips leading zero bytes, ~1/256 of exchanges. */
		prm[0] = OSSL_PARAM_construct_uint(OSSL_EXCHANGE_PARAM_PAD,
						   &pad);
		prm[1] = OSSL_PARAM_construct_end();
		if (EVP_PKEY_CTX_set_params(ctx, prm) != 1)
			goto out;
	}
	/* Already validated by dh_peer_import. */
	if (EVP_PKEY_derive_set_peer_ex(ctx, pk, 0) != 1)
		goto out;
	if (EVP_PKEY_derive(ctx, tmp, &len) != 1) {
		/* X25519: libcrypto refuses an all-zero result (small-order
		 * peer point), RFC 8031 §2 / RFC 7748 §6.1. */
		if (gi->kind == DH_X25519)
			rc = -EPROTO;
		goto out;
	}
	if (len == 0 || len > gi->secret_len)
		goto out;
	/* Left-pad in case a provider returns a shorter big-endian value. */
	memcpy(secret + (gi->secret_len - len), tmp, len);
	for (size_t i = 0; i < gi->secret_len; i++)
		acc |= secret[i];
	if (acc == 0) {
		rc = -EPROTO; /* RFC 8031 §2; impossible for valid MODP/ECP */
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		OPENSSL_cleanse(secret, gi->secret_len);
	if (rc == -EPROTO)
		ERR_pop_to_mark();
	else
		ERR_clear_last_mark();
	OPENSSL_cleanse(tmp, sizeof(tmp));
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return rc;
}

/* ------------------------------------------------------------------ */
/* SK / SKF payload                                                    */
/* ------------------------------------------------------------------ */

void ike_sk_cipher_fini(struct ike_sk_cipher *sk)
{
	if (sk != NULL)
		OPENSSL_cleanse(sk, sizeof(*sk));
}

int ike_sk_cipher_init(struct ike_sk_cipher *sk, const struct ike_suite *s,
		       const uint8_t *ekey, size_t ekey_len,
		       const uint8_t *akey, size_t akey_len)
{
	EVP_CIPHER *ci;
	size_t raw;
	int rc;

	if (sk == NULL)
		return -EINVAL;
	memset(sk, 0, sizeof(*sk));
	rc = ike_suite_check(s, false);
	if (rc != 0)
		return rc;
	if (ekey == NULL || ekey_len != ike_encr_key_len(s))
		return -EINVAL;
	sk->encr = s->encr;
	sk->integ = s->integ;
	sk->aead = ike_encr_is_aead(s->encr);
	raw = encr_raw_key_len(s);
	if (sk->aead) {
		if (akey_len != 0)
			return -EINVAL;
		/* RFC 5282 §7.1 / RFC 7634 §2: salt = last 4 bytes of SK_e. */
		memcpy(sk->salt, ekey + raw, IKE_AEAD_SALT_LEN);
		sk->iv_len = IKE_AEAD_IV_LEN;
		sk->icv_len = IKE_AEAD_ICV_LEN;
		sk->block = 1;
		/* IVs must never repeat under one key: a counter, started at a
		 * random point. */
		if (RAND_bytes((uint8_t *)&sk->iv_next, sizeof(sk->iv_next)) !=
		    1) {
			rc = -EIO;
			goto fail;
		}
	} else {
		if (akey == NULL || akey_len != ike_integ_key_len(s->integ))
			return -EINVAL;
		memcpy(sk->akey, akey, akey_len);
		sk->akey_len = (uint8_t)akey_len;
		sk->iv_len = IKE_CBC_IV_LEN;
		sk->icv_len = (uint8_t)ike_integ_icv_len(s->integ);
		sk->block = 16;
	}
	memcpy(sk->ekey, ekey, raw);
	sk->ekey_len = (uint8_t)raw;
	/* Fail now rather than on the first message if libcrypto lacks it. */
	ci = EVP_CIPHER_fetch(NULL, cipher_name(sk->encr, raw), NULL);
	if (ci == NULL) {
		rc = -ENOTSUP;
		goto fail;
	}
	EVP_CIPHER_free(ci);
	sk->ready = true;
	return 0;
fail:
	ike_sk_cipher_fini(sk);
	return rc;
}

int ike_sk_cipher_init_sa(struct ike_sk_cipher *sk, const struct ike_suite *s,
			  const struct ike_sa_keys *k, bool from_initiator)
{
	if (sk == NULL || k == NULL)
		return -EINVAL;
	return ike_sk_cipher_init(
		sk, s, from_initiator ? k->sk_ei : k->sk_er, k->encr_len,
		k->integ_len ? (from_initiator ? k->sk_ai : k->sk_ar) : NULL,
		k->integ_len);
}

int ike_sk_frame_plan(const struct ike_sk_cipher *sk, size_t msg_off,
		      size_t sk_off, size_t sk_hdr_len, size_t pt_len,
		      struct ike_sk_frame *f)
{
	if (sk == NULL || !sk->ready || f == NULL)
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	if ((sk_hdr_len != IKE_SK_HDR_LEN && sk_hdr_len != IKE_SKF_HDR_LEN) ||
	    sk_off < IKE_HDR_LEN || pt_len > SK_PAYLOAD_MAX ||
	    sk_off > UINT32_MAX - SK_PAYLOAD_MAX)
		return -EINVAL;
	f->msg_off = msg_off;
	f->sk_off = sk_off;
	f->sk_hdr_len = sk_hdr_len;
	f->iv_len = sk->iv_len;
	f->pt_len = pt_len;
	f->icv_len = sk->icv_len;
	/* CBC: inner payloads + padding + Pad Length fill whole blocks
	 * (RFC 7296 §3.14); AEAD ciphers here have block size 1. */
	f->pad_len = (sk->block - (pt_len + 1) % sk->block) % sk->block;
	if (ike_sk_frame_payload_len(f) > SK_PAYLOAD_MAX) {
		memset(f, 0, sizeof(*f));
		return -EINVAL;
	}
	return 0;
}

/* The frame's geometry, validated against @sk and @buf_len. */
struct sk_geom {
	uint8_t *msg; /* IKE header */
	uint8_t *iv;
	uint8_t *ct; /* encrypted region */
	uint8_t *icv;
	size_t ct_len;
	size_t aad_len; /* IKE header .. end of SK header */
	size_t mac_len; /* IKE header .. end of ciphertext */
};

static void geom_fill(struct sk_geom *g, uint8_t *msg, size_t sk_off,
		      size_t sk_hdr_len, size_t iv_len, size_t ct_len)
{
	g->msg = msg;
	g->iv = msg + sk_off + sk_hdr_len;
	g->ct = g->iv + iv_len;
	g->icv = g->ct + ct_len;
	g->ct_len = ct_len;
	g->aad_len = (size_t)(g->iv - msg);
	g->mac_len = (size_t)(g->icv - msg);
}

static int aead_crypt(const struct ike_sk_cipher *sk, bool enc,
		      const struct sk_geom *g)
{
	uint8_t nonce[IKE_AEAD_SALT_LEN + IKE_AEAD_IV_LEN];
	uint8_t tag[IKE_AEAD_ICV_LEN];
	EVP_CIPHER_CTX *c = NULL;
	EVP_CIPHER *ci;
	int outl = 0, finl = 0, rc = -EIO;

	if (g->aad_len > INT_MAX || g->ct_len > INT_MAX)
		return -EINVAL;
	/* RFC 5282 §4 / RFC 7634 §2: nonce = salt || explicit IV. */
	memcpy(nonce, sk->salt, IKE_AEAD_SALT_LEN);
	memcpy(nonce + IKE_AEAD_SALT_LEN, g->iv, IKE_AEAD_IV_LEN);
	ci = EVP_CIPHER_fetch(NULL, cipher_name(sk->encr, sk->ekey_len), NULL);
	if (ci == NULL)
		return -ENOTSUP;
	c = EVP_CIPHER_CTX_new();
	/* 12-byte nonce: the default IV length of both ciphers. */
	if (c == NULL ||
	    EVP_CipherInit_ex2(c, ci, sk->ekey, nonce, enc ? 1 : 0, NULL) != 1)
		goto out;
	/* RFC 5282 §5.1: AAD = IKE header .. SK header, not the IV. */
	if (EVP_CipherUpdate(c, NULL, &outl, g->msg, (int)g->aad_len) != 1)
		goto out;
	if (g->ct_len != 0 &&
	    EVP_CipherUpdate(c, g->ct, &outl, g->ct, (int)g->ct_len) != 1)
		goto out;
	if (!enc) {
		memcpy(tag, g->icv, sizeof(tag));
		if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, sizeof(tag),
					tag) != 1)
			goto out;
	}
	if (EVP_CipherFinal_ex(c, g->ct + outl, &finl) != 1) {
		/* Decrypt: the tag did not verify. */
		rc = enc ? -EIO : -EBADMSG;
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG,
				       IKE_AEAD_ICV_LEN, g->icv) != 1)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(c); /* cleanses the key schedule */
	EVP_CIPHER_free(ci);
	OPENSSL_cleanse(nonce, sizeof(nonce));
	return rc;
}

static int cbc_crypt(const struct ike_sk_cipher *sk, bool enc,
		     const struct sk_geom *g)
{
	EVP_CIPHER_CTX *c = NULL;
	EVP_CIPHER *ci;
	int outl = 0, rc = -EIO;

	if (g->ct_len > INT_MAX)
		return -EINVAL;
	ci = EVP_CIPHER_fetch(NULL, cipher_name(sk->encr, sk->ekey_len), NULL);
	if (ci == NULL)
		return -ENOTSUP;
	c = EVP_CIPHER_CTX_new();
	if (c == NULL ||
	    EVP_CipherInit_ex2(c, ci, sk->ekey, g->iv, enc ? 1 : 0, NULL) !=
		    1 ||
	    EVP_CIPHER_CTX_set_padding(c, 0) != 1 || /* IKE pads itself */
	    EVP_CipherUpdate(c, g->ct, &outl, g->ct, (int)g->ct_len) != 1 ||
	    (size_t)outl != g->ct_len)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(c);
	EVP_CIPHER_free(ci);
	return rc;
}

/* The truncated HMAC of the message from the IKE header up to the ICV. */
static int sk_mac(const struct ike_sk_cipher *sk, const struct sk_geom *g,
		  uint8_t *icv)
{
	return ike_integ_icv(sk->integ, sk->akey, sk->akey_len, g->msg,
			     g->mac_len, icv);
}

int ike_sk_seal(struct ike_sk_cipher *sk, uint8_t *buf, size_t buf_len,
		const struct ike_sk_frame *f, const uint8_t *iv)
{
	struct sk_geom g;
	size_t ct_len, payload_len, msg_len;
	uint8_t *msg;
	int rc;

	if (sk == NULL || !sk->ready || buf == NULL || f == NULL)
		return -EINVAL;
	if ((f->sk_hdr_len != IKE_SK_HDR_LEN &&
	     f->sk_hdr_len != IKE_SKF_HDR_LEN) ||
	    f->sk_off < IKE_HDR_LEN ||
	    f->sk_off > UINT32_MAX - SK_PAYLOAD_MAX ||
	    f->iv_len != sk->iv_len || f->icv_len != sk->icv_len ||
	    f->pad_len > 255 || f->pt_len > SK_PAYLOAD_MAX)
		return -EINVAL;
	ct_len = f->pt_len + f->pad_len + 1;
	if (ct_len % sk->block != 0)
		return -EINVAL;
	payload_len = ike_sk_frame_payload_len(f);
	if (payload_len > SK_PAYLOAD_MAX)
		return -EINVAL;
	msg_len = f->sk_off + payload_len;
	if (f->msg_off > buf_len || buf_len - f->msg_off < msg_len)
		return -EINVAL;
	msg = buf + f->msg_off;
	/* The length fields are authenticated: they must be final. */
	if (get_be32(msg + 24) != msg_len ||
	    get_be16(msg + f->sk_off + 2) != payload_len)
		return -EINVAL;
	geom_fill(&g, msg, f->sk_off, f->sk_hdr_len, f->iv_len, ct_len);

	if (iv != NULL) {
		memmove(g.iv, iv, f->iv_len);
	} else if (sk->aead) {
		put_be64(g.iv, sk->iv_next++);
	} else if (RAND_bytes(g.iv, (int)f->iv_len) != 1) {
		/* CBC IVs must be unpredictable (RFC 7296 §3.14). */
		return -EIO;
	}
	/* Padding: any value is allowed; zeros leak nothing. */
	memset(g.ct + f->pt_len, 0, f->pad_len);
	g.ct[f->pt_len + f->pad_len] = (uint8_t)f->pad_len;

	if (sk->aead) {
		rc = aead_crypt(sk, true, &g);
	} else {
		/* Encrypt, then MAC the ciphertext (RFC 7296 §3.14). */
		rc = cbc_crypt(sk, true, &g);
		if (rc == 0)
			rc = sk_mac(sk, &g, g.icv);
	}
	if (rc != 0)
		OPENSSL_cleanse(g.ct, ct_len + f->icv_len);
	return rc;
}

int ike_sk_open(const struct ike_sk_cipher *sk, uint8_t *buf, size_t buf_len,
		struct ike_sk_frame *f)
{
	uint8_t icv[IKE_INTEG_ICV_MAX];
	size_t msg_len, payload_len, overhead, ct_len, pad;
	struct sk_geom g;
	uint8_t *msg;
	int rc;

	if (sk == NULL || !sk->ready || buf == NULL || f == NULL ||
	    (f->sk_hdr_len != IKE_SK_HDR_LEN &&
	     f->sk_hdr_len != IKE_SKF_HDR_LEN))
		return -EINVAL;
	if (f->msg_off > buf_len || buf_len - f->msg_off < IKE_HDR_LEN)
		return -EPROTO;
	msg = buf + f->msg_off;
	msg_len = get_be32(msg + 24);
	if (msg_len > buf_len - f->msg_off || f->sk_off < IKE_HDR_LEN ||
	    f->sk_off > msg_len || msg_len - f->sk_off < f->sk_hdr_len)
		return -EPROTO;
	/* SK/SKF is the last payload (RFC 7296 §3.14, RFC 7383 §2.5). */
	payload_len = get_be16(msg + f->sk_off + 2);
	if (payload_len != msg_len - f->sk_off)
		return -EPROTO;
	overhead = f->sk_hdr_len + sk->iv_len + sk->icv_len;
	if (payload_len < overhead + 1)
		return -EPROTO; /* not even a Pad Length octet */
	ct_len = payload_len - overhead;
	if (ct_len % sk->block != 0)
		return -EPROTO;
	geom_fill(&g, msg, f->sk_off, f->sk_hdr_len, sk->iv_len, ct_len);

	if (sk->aead) {
		rc = aead_crypt(sk, false, &g);
		if (rc != 0) {
			/* Never leave unauthenticated plaintext behind. */
			OPENSSL_cleanse(g.ct, ct_len);
			return rc;
		}
	} else {
		/* Verify before decrypting, in constant time. */
		rc = sk_mac(sk, &g, icv);
		if (rc != 0)
			return rc;
		if (CRYPTO_memcmp(icv, g.icv, sk->icv_len) != 0)
			return -EBADMSG;
		rc = cbc_crypt(sk, false, &g);
		if (rc != 0) {
			OPENSSL_cleanse(g.ct, ct_len);
			return rc;
		}
	}
	pad = g.ct[ct_len - 1];
	if (pad + 1 > ct_len)
		return -EPROTO; /* authenticated, but malformed */
	f->iv_len = sk->iv_len;
	f->icv_len = sk->icv_len;
	f->pad_len = pad;
	f->pt_len = ct_len - 1 - pad;
	return 0;
}

/* ------------------------------------------------------------------ */
/* PSK AUTH (RFC 7296 §2.15) and NAT-D (§2.23)                          */
/* ------------------------------------------------------------------ */

int ike_maced_id(uint16_t prf, const uint8_t *sk_p, size_t sk_p_len,
		 const uint8_t *id_body, size_t id_body_len, uint8_t *out)
{
	struct ike_buf in = {id_body, id_body_len};

	if (sk_p == NULL || sk_p_len == 0 || id_body == NULL || id_body_len < 4)
		return -EINVAL;
	return ike_prf(prf, sk_p, sk_p_len, &in, 1, out);
}

int ike_psk_auth(uint16_t prf, const uint8_t *psk, size_t psk_len,
		 const struct ike_auth_octets *o, uint8_t *auth)
{
	uint8_t key[IKE_PRF_LEN_MAX], maced[IKE_PRF_LEN_MAX];
	struct ike_buf pad = {(const uint8_t *)IKE_KEY_PAD, IKE_KEY_PAD_LEN};
	size_t pl = ike_prf_len(prf);
	int rc;

	if (pl == 0)
		return -ENOTSUP;
	if (psk == NULL || psk_len == 0 || o == NULL || auth == NULL ||
	    o->real_msg == NULL || o->real_msg_len < IKE_HDR_LEN ||
	    o->nonce == NULL || o->nonce_len == 0)
		return -EINVAL;
	/* MACedIDFor{I,R} = prf(SK_p{i,r}, ID body) */
	rc = ike_maced_id(prf, o->sk_p, o->sk_p_len, o->id_body, o->id_body_len,
			  maced);
	/* key = prf(Shared Secret, "Key Pad for IKEv2") */
	if (rc == 0)
		rc = ike_prf(prf, psk, psk_len, &pad, 1, key);
	if (rc == 0) {
		/* AUTH = prf(key, RealMessage | NonceData | MACedID) */
		struct ike_buf in[3] = {
			{o->real_msg, o->real_msg_len},
			{o->nonce, o->nonce_len},
			{maced, pl},
		};

		rc = ike_prf(prf, key, pl, in, 3, auth);
	}
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(maced, sizeof(maced));
	return rc;
}

int ike_psk_auth_verify(uint16_t prf, const uint8_t *psk, size_t psk_len,
			const struct ike_auth_octets *o, const uint8_t *auth,
			size_t auth_len)
{
	uint8_t want[IKE_PRF_LEN_MAX];
	size_t pl = ike_prf_len(prf);
	int rc;

	if (pl == 0)
		return -ENOTSUP;
	if (auth == NULL)
		return -EINVAL;
	rc = ike_psk_auth(prf, psk, psk_len, o, want);
	if (rc == 0 && (auth_len != pl || CRYPTO_memcmp(want, auth, pl) != 0))
		rc = -EBADMSG;
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

int ike_natd_hash(const uint8_t spi_i[IKE_SPI_LEN],
		  const uint8_t spi_r[IKE_SPI_LEN], const uint8_t *addr,
		  size_t addr_len, uint16_t port, uint8_t out[IKE_NATD_LEN])
{
	uint8_t pb[2] = {(uint8_t)(port >> 8), (uint8_t)port};
	EVP_MD_CTX *c = NULL;
	unsigned int outl = 0;
	EVP_MD *md;
	int rc = -EIO;

	if (spi_i == NULL || spi_r == NULL || addr == NULL || out == NULL ||
	    (addr_len != 4 && addr_len != 16))
		return -EINVAL;
	md = EVP_MD_fetch(NULL, "SHA1", NULL);
	if (md == NULL)
		return -EIO;
	c = EVP_MD_CTX_new();
	/* SHA-1(SPIi | SPIr | IP | Port), always SHA-1 (§2.23). */
	if (c != NULL && EVP_DigestInit_ex2(c, md, NULL) == 1 &&
	    EVP_DigestUpdate(c, spi_i, IKE_SPI_LEN) == 1 &&
	    EVP_DigestUpdate(c, spi_r, IKE_SPI_LEN) == 1 &&
	    EVP_DigestUpdate(c, addr, addr_len) == 1 &&
	    EVP_DigestUpdate(c, pb, sizeof(pb)) == 1 &&
	    EVP_DigestFinal_ex(c, out, &outl) == 1 && outl == IKE_NATD_LEN)
		rc = 0;
	EVP_MD_CTX_free(c);
	EVP_MD_free(md);
	return rc;
}
