/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * OpenSSL 3 EVP wrappers for the ESP transforms (private to libesp).
 *
 * Every context is created and keyed once in esp_crypto_init(); the
 * per-packet functions only set the IV/nonce and run the transform, so the
 * data path never creates EVP objects. One esp_crypto serves one direction.
 */
#ifndef LIBESP_ESP_CRYPTO_H
#define LIBESP_ESP_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <parapass/pp_esp.h>
#include <parapass/pp_esp_wire.h>

/* HMAC digest state: the SHA-2 block functions' plain structs. */
union esp_sha_ctx {
	SHA256_CTX s256;
	SHA512_CTX s512; /* also SHA-384 */
};

enum esp_md {
	ESP_MD_SHA256 = 1,
	ESP_MD_SHA384,
	ESP_MD_SHA512,
};

enum esp_cipher_kind {
	ESP_CK_NULL = 0,
	ESP_CK_CBC,
	ESP_CK_AEAD,
};

struct esp_crypto {
	EVP_CIPHER_CTX *cctx;	/* AES-CBC or AEAD; NULL for the NULL cipher */
	union esp_sha_ctx md_inner; /* HMAC: H state after (K ^ ipad) */
	union esp_sha_ctx md_outer; /* HMAC: H state after (K ^ opad) */
	uint8_t md;		/* enum esp_md */
	uint8_t salt[PP_ESP_AEAD_SALT_LEN]; /* AEAD */
	uint8_t kind;		/* enum esp_cipher_kind */
	uint8_t iv_len;		/* 0, 8 or 16 */
	uint8_t icv_len;	/* 0..32 */
	uint8_t align;		/* payload alignment: 4 or 16 */
	uint8_t hmac;		/* separate integrity present */
	uint8_t md_len;		/* full HMAC output length */
	bool encrypt;
};

/* True if @len is a valid key length (incl. salt) for cipher @c. */
bool esp_cipher_key_len_ok(enum pp_esp_cipher c, size_t len);
/* Key and ICV length of integrity algorithm @i; 0 for NONE or unknown. */
size_t esp_integ_key_len(enum pp_esp_integ i);
size_t esp_integ_icv_len(enum pp_esp_integ i);

/*
 * Fetch and key the contexts. @ckey/@ikey as in the params (AEAD key
 * includes the salt). Returns 0, -ENOTSUP or -ENOMEM; on error everything
 * allocated so far is freed.
 */
int esp_crypto_init(struct esp_crypto *c, enum pp_esp_cipher cipher,
		    const uint8_t *ckey, size_t ckey_len, enum pp_esp_integ integ,
		    const uint8_t *ikey, size_t ikey_len, bool encrypt);
void esp_crypto_fini(struct esp_crypto *c);

/*
 * AEAD seal in place: nonce = salt || @iv (8 bytes), AAD @aad/@aad_len,
 * encrypts @len bytes at @data and writes the 16-byte tag to @tag.
 * Returns 0 or -1 (library failure).
 */
int esp_aead_seal(struct esp_crypto *c, const uint8_t *iv, const uint8_t *aad,
		  size_t aad_len, uint8_t *data, size_t len, uint8_t *tag);

/*
 * AEAD open in place. Returns 0 when the tag verified, 1 when it did not
 * (the caller must wipe @data: it holds unauthenticated plaintext), -1 on a
 * library failure (also wipe).
 */
int esp_aead_open(struct esp_crypto *c, const uint8_t *iv, const uint8_t *aad,
		  size_t aad_len, uint8_t *data, size_t len, const uint8_t *tag);

/* AES-CBC in place, in the context's direction; @len a multiple of 16. */
int esp_cbc(struct esp_crypto *c, const uint8_t *iv, uint8_t *data,
	    size_t len);

/*
 * HMAC over @data/@len followed by @hi/@hi_len (ESN high bits, may be
 * NULL/0). Writes the full digest (md_len bytes, <= 64) to @out.
 */
int esp_hmac(struct esp_crypto *c, const uint8_t *data, size_t len,
	     const uint8_t *hi, size_t hi_len, uint8_t *out);

#endif /* LIBESP_ESP_CRYPTO_H */
