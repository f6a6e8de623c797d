/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * OpenSSL 3 EVP wrappers for ESP: AES-GCM-16 (RFC 4106), ChaCha20-Poly1305
 * (RFC 7634), AES-CBC (RFC 3602), HMAC-SHA-256/384/512 (RFC 4868).
 *
 * Contexts are fetched and keyed once per SA. Per packet:
 *   AEAD: EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, -1) re-arms the
 *         keyed context with the new nonce, then AAD, one in-place update,
 *         final and get/set tag.
 *   CBC:  the same re-arm with the IV and one in-place update (OpenSSL
 *         padding off: ESP pads itself).
 *   HMAC: the inner and outer hash states after absorbing K^ipad / K^opad
 *         are precomputed once per SA; each packet starts from a plain
 *         struct copy of them. This uses libcrypto's SHA-2 block functions
 *         (SHA256_Init/Update/Final and the SHA-512 family), which OpenSSL
 *         3.0 marks deprecated: every EVP route duplicates the provider's
 *         digest state on the heap per packet (EVP_MD_CTX_copy_ex and
 *         EVP_MAC_init with a NULL key both do), and the data path must not
 *         allocate. The trade-off is that HMAC bypasses the provider layer
 *         (no FIPS provider for the integrity part).
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include "esp_crypto.h"

#define HMAC_BLOCK_MAX 128 /* SHA-384/512 block size */

bool esp_cipher_key_len_ok(enum pp_esp_cipher c, size_t len)
{
	switch (c) {
	case PP_ESP_CIPHER_NULL:
		return len == 0;
	case PP_ESP_CIPHER_AES_CBC:
		return len == 16 || len == 32;
	case PP_ESP_CIPHER_AES_GCM_16:
		return len == 16 + PP_ESP_AEAD_SALT_LEN ||
		       len == 32 + PP_ESP_AEAD_SALT_LEN;
	case PP_ESP_CIPHER_CHACHA20_POLY1305:
		return len == 32 + PP_ESP_AEAD_SALT_LEN;
	}
	return false;
}

size_t esp_integ_key_len(enum pp_esp_integ i)
{
	switch (i) {
	case PP_ESP_INTEG_HMAC_SHA256_128:
		return 32;
	case PP_ESP_INTEG_HMAC_SHA384_192:
		return 48;
	case PP_ESP_INTEG_HMAC_SHA512_256:
		return 64;
	case PP_ESP_INTEG_NONE:
		break;
	}
	return 0;
}

size_t esp_integ_icv_len(enum pp_esp_integ i)
{
	switch (i) {
	case PP_ESP_INTEG_HMAC_SHA256_128:
		return PP_ESP_HMAC_SHA256_128_ICV_LEN;
	case PP_ESP_INTEG_HMAC_SHA384_192:
		return PP_ESP_HMAC_SHA384_192_ICV_LEN;
	case PP_ESP_INTEG_HMAC_SHA512_256:
		return PP_ESP_HMAC_SHA512_256_ICV_LEN;
	case PP_ESP_INTEG_NONE:
		break;
	}
	return 0;
}

static const char *cipher_name(enum pp_esp_cipher c, size_t key_len)
{
	switch (c) {
	case PP_ESP_CIPHER_AES_CBC:
		return key_len == 16 ? "AES-128-CBC" : "AES-256-CBC";
	case PP_ESP_CIPHER_AES_GCM_16:
		return key_len == 16 ? "AES-128-GCM" : "AES-256-GCM";
	case PP_ESP_CIPHER_CHACHA20_POLY1305:
		return "ChaCha20-Poly1305";
	case PP_ESP_CIPHER_NULL:
		break;
	}
	return NULL;
}

static int cipher_setup(struct esp_crypto *c, enum pp_esp_cipher cipher,
			const uint8_t *key, size_t key_len)
{
	const char *name = cipher_name(cipher, key_len);
	int enc = c->encrypt ? 1 : 0;
	EVP_CIPHER *ci;
	int ok;

	ci = EVP_CIPHER_fetch(NULL, name, NULL);
	if (ci == NULL)
		return -ENOTSUP;
	c->cctx = EVP_CIPHER_CTX_new();
	if (c->cctx == NULL) {
		EVP_CIPHER_free(ci);
		return -ENOMEM;
	}
	ok = EVP_CipherInit_ex(c->cctx, ci, NULL, NULL, NULL, enc) == 1;
	EVP_CIPHER_free(ci); /* the context keeps its own reference */
	if (ok && c->kind == ESP_CK_AEAD)
		ok = EVP_CIPHER_CTX_ctrl(c->cctx, EVP_CTRL_AEAD_SET_IVLEN,
					 PP_ESP_AEAD_NONCE_LEN, NULL) == 1;
	if (ok)
		ok = EVP_CipherInit_ex(c->cctx, NULL, NULL, key, NULL, enc) ==
		     1;
	if (ok && c->kind == ESP_CK_CBC)
		ok = EVP_CIPHER_CTX_set_padding(c->cctx, 0) == 1;
	if (ok && (size_t)EVP_CIPHER_CTX_get_key_length(c->cctx) != key_len)
		ok = 0;
	return ok ? 0 : -ENOTSUP;
}

static int md_begin(uint8_t md, union esp_sha_ctx *ctx)
{
	switch (md) {
	case ESP_MD_SHA256:
		return SHA256_Init(&ctx->s256) == 1 ? 0 : -1;
	case ESP_MD_SHA384:
		return SHA384_Init(&ctx->s512) == 1 ? 0 : -1;
	case ESP_MD_SHA512:
		return SHA512_Init(&ctx->s512) == 1 ? 0 : -1;
	}
	return -1;
}

static inline void md_update(uint8_t md, union esp_sha_ctx *ctx,
			     const void *data, size_t len)
{
	if (md == ESP_MD_SHA256)
		SHA256_Update(&ctx->s256, data, len);
	else if (md == ESP_MD_SHA384)
		SHA384_Update(&ctx->s512, data, len);
	else
		SHA512_Update(&ctx->s512, data, len);
}

static inline void md_final(uint8_t md, union esp_sha_ctx *ctx, uint8_t *out)
{
	if (md == ESP_MD_SHA256)
		SHA256_Final(out, &ctx->s256);
	else if (md == ESP_MD_SHA384)
		SHA384_Final(out, &ctx->s512);
	else
		SHA512_Final(out, &ctx->s512);
}

static int hmac_setup(struct esp_crypto *c, enum pp_esp_integ integ,
		      const uint8_t *key, size_t key_len)
{
	uint8_t pad[HMAC_BLOCK_MAX];
	size_t block;

	switch (integ) {
	case PP_ESP_INTEG_HMAC_SHA256_128:
		c->md = ESP_MD_SHA256;
		c->md_len = SHA256_DIGEST_LENGTH;
		block = SHA256_CBLOCK;
		break;
	case PP_ESP_INTEG_HMAC_SHA384_192:
		c->md = ESP_MD_SHA384;
		c->md_len = SHA384_DIGEST_LENGTH;
		block = SHA512_CBLOCK;
		break;
	case PP_ESP_INTEG_HMAC_SHA512_256:
		c->md = ESP_MD_SHA512;
		c->md_len = SHA512_DIGEST_LENGTH;
		block = SHA512_CBLOCK;
		break;
	default:
		return -ENOTSUP;
	}
	if (block > HMAC_BLOCK_MAX || key_len > block)
		return -ENOTSUP;
	/* RFC 2104: H(K ^ opad, H(K ^ ipad, text)); K is at most one block. */
	memset(pad, 0x36, block);
	for (size_t i = 0; i < key_len; i++)
		pad[i] ^= key[i];
	if (md_begin(c->md, &c->md_inner) != 0)
		goto fail;
	md_update(c->md, &c->md_inner, pad, block);
	memset(pad, 0x5c, block);
	for (size_t i = 0; i < key_len; i++)
		pad[i] ^= key[i];
	if (md_begin(c->md, &c->md_outer) != 0)
		goto fail;
	md_update(c->md, &c->md_outer, pad, block);
	OPENSSL_cleanse(pad, sizeof(pad));
	return 0;
fail:
	OPENSSL_cleanse(pad, sizeof(pad));
	return -ENOTSUP;
}

int esp_crypto_init(struct esp_crypto *c, enum pp_esp_cipher cipher,
		    const uint8_t *ckey, size_t ckey_len, enum pp_esp_integ integ,
		    const uint8_t *ikey, size_t ikey_len, bool encrypt)
{
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->encrypt = encrypt;
	switch (cipher) {
	case PP_ESP_CIPHER_NULL:
		c->kind = ESP_CK_NULL;
		c->iv_len = 0;
		c->align = PP_ESP_ALIGN;
		break;
	case PP_ESP_CIPHER_AES_CBC:
		c->kind = ESP_CK_CBC;
		c->iv_len = PP_ESP_CBC_IV_LEN;
		c->align = PP_ESP_CBC_BLOCK;
		break;
	case PP_ESP_CIPHER_AES_GCM_16:
	case PP_ESP_CIPHER_CHACHA20_POLY1305:
		c->kind = ESP_CK_AEAD;
		c->iv_len = PP_ESP_AEAD_IV_LEN;
		c->align = PP_ESP_ALIGN;
		c->icv_len = PP_ESP_AEAD_ICV_LEN;
		ckey_len -= PP_ESP_AEAD_SALT_LEN;
		memcpy(c->salt, ckey + ckey_len, PP_ESP_AEAD_SALT_LEN);
		break;
	default:
		return -ENOTSUP;
	}
	if (c->kind != ESP_CK_NULL)
		rc = cipher_setup(c, cipher, ckey, ckey_len);
	if (rc == 0 && integ != PP_ESP_INTEG_NONE) {
		c->hmac = 1;
		c->icv_len = (uint8_t)esp_integ_icv_len(integ);
		rc = hmac_setup(c, integ, ikey, ikey_len);
	}
	if (rc != 0)
		esp_crypto_fini(c);
	return rc;
}

void esp_crypto_fini(struct esp_crypto *c)
{
	EVP_CIPHER_CTX_free(c->cctx); /* cleanses the key schedule */
	c->cctx = NULL;
	OPENSSL_cleanse(&c->md_inner, sizeof(c->md_inner));
	OPENSSL_cleanse(&c->md_outer, sizeof(c->md_outer));
	OPENSSL_cleanse(c->salt, sizeof(c->salt));
}

static inline void make_nonce(const struct esp_crypto *c, const uint8_t *iv,
			      uint8_t *nonce)
{
	memcpy(nonce, c->salt, PP_ESP_AEAD_SALT_LEN);
	memcpy(nonce + PP_ESP_AEAD_SALT_LEN, iv, PP_ESP_AEAD_IV_LEN);
}

int esp_aead_seal(struct esp_crypto *c, const uint8_t *iv, const uint8_t *aad,
		  size_t aad_len, uint8_t *data, size_t len, uint8_t *tag)
{
	uint8_t nonce[PP_ESP_AEAD_NONCE_LEN];
	OSSL_PARAM prm[2];
	int outl, finl;

	make_nonce(c, iv, nonce);
	if (EVP_CipherInit_ex(c->cctx, NULL, NULL, NULL, nonce, -1) != 1 ||
	    EVP_CipherUpdate(c->cctx, NULL, &outl, aad, (int)aad_len) != 1 ||
	    EVP_CipherUpdate(c->cctx, data, &outl, data, (int)len) != 1 ||
	    EVP_CipherFinal_ex(c->cctx, data + outl, &finl) != 1)
		return -1;
	/* Same as EVP_CTRL_AEAD_GET_TAG, minus the ctrl translation. */
	prm[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
						   tag, PP_ESP_AEAD_ICV_LEN);
	prm[1] = OSSL_PARAM_construct_end();
	if (EVP_CIPHER_CTX_get_params(c->cctx, prm) != 1)
		return -1;
	return 0;
}

int esp_aead_open(struct esp_crypto *c, const uint8_t *iv, const uint8_t *aad,
		  size_t aad_len, uint8_t *data, size_t len, const uint8_t *tag)
{
	uint8_t nonce[PP_ESP_AEAD_NONCE_LEN];
	uint8_t t[PP_ESP_AEAD_ICV_LEN];
	OSSL_PARAM prm[2];
	int outl, finl;

	make_nonce(c, iv, nonce);
	memcpy(t, tag, sizeof(t));
	if (EVP_CipherInit_ex(c->cctx, NULL, NULL, NULL, nonce, -1) != 1 ||
	    EVP_CipherUpdate(c->cctx, NULL, &outl, aad, (int)aad_len) != 1 ||
	    EVP_CipherUpdate(c->cctx, data, &outl, data, (int)len) != 1)
		return -1;
	/* Same as EVP_CTRL_AEAD_SET_TAG, minus the ctrl translation. */
	prm[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
						   t, PP_ESP_AEAD_ICV_LEN);
	prm[1] = OSSL_PARAM_construct_end();
	if (EVP_CIPHER_CTX_set_params(c->cctx, prm) != 1)
		return -1;
	/* Final compares the tag (constant time inside the provider). */
	if (EVP_CipherFinal_ex(c->cctx, data + outl, &finl) != 1)
		return 1;
	return 0;
}

int esp_cbc(struct esp_crypto *c, const uint8_t *iv, uint8_t *data,
	    size_t len)
{
	int outl;

	if (EVP_CipherInit_ex(c->cctx, NULL, NULL, NULL, iv, -1) != 1 ||
	    EVP_CipherUpdate(c->cctx, data, &outl, data, (int)len) != 1 ||
	    (size_t)outl != len)
		return -1;
	return 0;
}

int esp_hmac(struct esp_crypto *c, const uint8_t *data, size_t len,
	     const uint8_t *hi, size_t hi_len, uint8_t *out)
{
	union esp_sha_ctx work;

	/* Plain struct copies of the precomputed states: no allocation. */
	work = c->md_inner;
	md_update(c->md, &work, data, len);
	if (hi_len != 0)
		md_update(c->md, &work, hi, hi_len);
	md_final(c->md, &work, out);
	work = c->md_outer;
	md_update(c->md, &work, out, c->md_len);
	md_final(c->md, &work, out);
	OPENSSL_cleanse(&work, sizeof(work));
	return 0;
}
