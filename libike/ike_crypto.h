/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libike crypto layer (private to libike): IKEv2 (RFC 7296) key exchange,
 * PRF and prf+, key derivation, SK payload protection, PSK AUTH and the
 * NAT-D hash. Everything goes through OpenSSL 3 EVP / EVP_PKEY / EVP_MAC.
 *
 * Conventions (as in the rest of the SDK):
 *   - Functions return 0 or a negative errno. The values used:
 *       -EINVAL   caller error (bad argument, inconsistent lengths)
 *       -ENOTSUP  transform / group not implemented
 *       -ENOSPC   output buffer too small
 *       -EPROTO   peer data is malformed or invalid (bad KE value, bad SK
 *                 framing, bad padding after a good ICV)
 *       -EBADMSG  integrity / authentication check failed (ICV, AEAD tag,
 *                 PSK AUTH)
 *       -ENOMEM   allocation failed
 *       -EIO      unexpected libcrypto failure
 *   - Transform and group numbers are the IANA IKEv2 values (RFC 7296
 *     §3.3.2 and its updates), so the codec's on-the-wire transform IDs can
 *     be passed straight in.
 *   - Nothing here keeps a reference to a caller buffer after returning.
 *     Secrets held in temporaries are wiped with OPENSSL_cleanse before
 *     returning; the key structs below hold secrets and must be wiped by
 *     their owner (ike_sa_keys_wipe, ike_child_keys_wipe, ike_sk_cipher_fini,
 *     ike_dh_fini).
 *   - OpenSSL errors caused by peer data (invalid public values) are
 *     removed from the thread's error queue; other failures leave theirs.
 *   - Thread safety: no global state; objects are not shared-safe.
 */
#ifndef LIBIKE_IKE_CRYPTO_H
#define LIBIKE_IKE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* ------------------------------------------------------------------ */
/* Transforms (IANA "IKEv2 Transform Type N" registries)              */
/* ------------------------------------------------------------------ */

/* Transform type 1 (ENCR). */
enum ike_encr {
	IKE_ENCR_AES_CBC = 12,		 /* RFC 3602; Key Length 128/192/256 */
	IKE_ENCR_AES_GCM_16 = 20,	 /* RFC 5282; 16-byte ICV */
	IKE_ENCR_CHACHA20_POLY1305 = 28, /* RFC 7634; no Key Length attr */
};

/* Transform type 2 (PRF). */
enum ike_prf {
	IKE_PRF_HMAC_SHA2_256 = 5, /* RFC 4868 */
	IKE_PRF_HMAC_SHA2_384 = 6,
	IKE_PRF_HMAC_SHA2_512 = 7,
};

/* Transform type 3 (INTEG). */
enum ike_integ {
	IKE_INTEG_NONE = 0,		  /* with AEAD ciphers */
	IKE_INTEG_HMAC_SHA2_256_128 = 12, /* RFC 4868 */
	IKE_INTEG_HMAC_SHA2_384_192 = 13,
	IKE_INTEG_HMAC_SHA2_512_256 = 14,
};

/* Transform type 4 (Key Exchange Method). */
enum ike_dh_group {
	IKE_DH_MODP_2048 = 14,	/* RFC 3526 §3 */
	IKE_DH_ECP_256 = 19,	/* RFC 5903 */
	IKE_DH_ECP_384 = 20,	/* RFC 5903 */
	IKE_DH_CURVE25519 = 31, /* RFC 8031 */
};

/* Size limits of what this layer produces. */
#define IKE_PRF_LEN_MAX	  64 /* HMAC-SHA-512 output = preferred key */
#define IKE_ENCR_KEY_MAX  36 /* AES-256 / ChaCha20 key + 4-byte salt */
#define IKE_INTEG_KEY_MAX 64 /* HMAC-SHA-512-256 key */
#define IKE_INTEG_ICV_MAX 32 /* HMAC-SHA-512-256 */
#define IKE_AEAD_SALT_LEN 4  /* RFC 5282 §7.1 / RFC 7634 §2 */
#define IKE_AEAD_IV_LEN	  8  /* RFC 5282 §3.1 / RFC 7634 §2 */
#define IKE_AEAD_ICV_LEN  16
#define IKE_CBC_IV_LEN	  16  /* RFC 3602 */
#define IKE_KE_MAX	  256 /* MODP-2048 KE data */
#define IKE_DH_SECRET_MAX 256 /* MODP-2048 g^ir */
#define IKE_SPI_LEN	  8   /* IKE SA SPIs */
#define IKE_NATD_LEN	  20  /* SHA-1 output, RFC 7296 §2.23 */
#define IKE_HDR_LEN	  28  /* RFC 7296 §3.1 */
#define IKE_SK_HDR_LEN	  4   /* SK generic payload header, §3.14 */
#define IKE_SKF_HDR_LEN	  8   /* + Fragment Number, Total, RFC 7383 §2.5 */
/* prf+ iterations are numbered by one octet (RFC 7296 §2.13). */
#define IKE_PRF_PLUS_BLOCKS_MAX 255

/*
 * The negotiated algorithms of an IKE SA (all four used) or of a Child SA
 * (prf ignored: child keys use the IKE SA's PRF).
 */
struct ike_suite {
	uint16_t encr;	    /* enum ike_encr */
	uint16_t encr_bits; /* Key Length attribute: 128, 192 or 256 for AES;
			     * 0 (or 256) for ChaCha20-Poly1305 */
	uint16_t integ;	    /* enum ike_integ; NONE exactly when encr is AEAD */
	uint16_t prf;	    /* enum ike_prf */
};

/*
 * Validate a suite: known transforms, a valid key length, integrity NONE
 * iff the cipher is AEAD, and (when @need_prf) a known PRF.
 * Returns 0, -ENOTSUP (unknown/unsupported transform or key length) or
 * -EINVAL (AEAD with an INTEG transform, or non-AEAD without one).
 */
int ike_suite_check(const struct ike_suite *s, bool need_prf);

bool ike_encr_is_aead(uint16_t encr);
/* PRF output length = preferred key length; 0 if unknown. */
size_t ike_prf_len(uint16_t prf);
/* SK_e / Child SA encryption key length incl. the AEAD salt; 0 if invalid. */
size_t ike_encr_key_len(const struct ike_suite *s);
/* Integrity key and ICV lengths; 0 for NONE or unknown. */
size_t ike_integ_key_len(uint16_t integ);
size_t ike_integ_icv_len(uint16_t integ);

/* A piece of a concatenated PRF input. */
struct ike_buf {
	const uint8_t *p;
	size_t len;
};

/* ------------------------------------------------------------------ */
/* Key exchange (RFC 7296 §3.4; RFC 3526, RFC 5903, RFC 8031)          */
/* ------------------------------------------------------------------ */

/* Our half of a Diffie-Hellman exchange. */
struct ike_dh {
	EVP_PKEY *pkey;	     /* our key pair; NULL when not initialised */
	uint16_t group;	     /* enum ike_dh_group */
	uint16_t ke_len;     /* KE data length: 256 / 64 / 96 / 32 */
	uint16_t secret_len; /* g^ir length: 256 / 32 / 48 / 32 */
};

/* KE data and shared-secret lengths of @group; 0 if unsupported. */
size_t ike_dh_ke_len(uint16_t group);
size_t ike_dh_secret_len(uint16_t group);

/*
 * Generate a fresh key pair for @group (MODP-2048: 384-bit exponent).
 * Returns 0, -ENOTSUP, -ENOMEM or -EIO. On error @dh is left finalised.
 */
int ike_dh_init(struct ike_dh *dh, uint16_t group);

/*
 * Import a fixed private key (tests and known-answer vectors; never for
 * production exchanges). @priv is big-endian (MODP: 1 < x < p-1; ECP:
 * 0 < d < n), or the raw 32-byte scalar for Curve25519 (RFC 7748 byte
 * order, clamped by X25519 itself). The public value is computed from it.
 * Returns 0, -EINVAL (length/range), -ENOTSUP, -ENOMEM or -EIO.
 */
int ike_dh_init_fixed(struct ike_dh *dh, uint16_t group, const uint8_t *priv,
		      size_t priv_len);

/*
 * Write our KE data (IKE encoding, RFC 7296 §3.4): MODP g^x left-padded
 * to 256 bytes; ECP x || y, each coordinate left-padded to the field size,
 * no 0x04 prefix (RFC 5903 §7); Curve25519 the 32-byte public value
 * (RFC 8031 §2). Writes exactly dh->ke_len bytes.
 * Returns 0, -EINVAL (no key), -ENOSPC (@cap < ke_len) or -EIO.
 */
int ike_dh_ke_data(const struct ike_dh *dh, uint8_t *out, size_t cap);

/*
 * Validate the peer's KE data for @group without deriving anything:
 * exact length; MODP 2 <= y <= p-2 (RFC 6989 §2.1); ECP coordinates
 * below p and the point on the curve (RFC 6989 §2.3). Curve25519 only
 * needs the length here; its all-zero check happens in ike_dh_derive
 * (RFC 8031 §2). Returns 0, -EPROTO (invalid) or -ENOTSUP.
 */
int ike_dh_check_peer(uint16_t group, const uint8_t *ke, size_t ke_len);

/*
 * Compute g^ir from the peer's KE data. Validates the peer value as
 * ike_dh_check_peer does, plus libcrypto's own public-key check (for MODP
 * this includes membership in the prime-order subgroup, which every
 * honest g^y passes). Writes exactly dh->secret_len bytes, fixed width:
 * MODP big-endian left-padded to 256 bytes (RFC 7296 §2.14), ECP the
 * x coordinate left-padded to the field size (RFC 5903 §7), X25519 the
 * 32-byte output, rejected when all-zero (RFC 8031 §2).
 * Returns 0, -EINVAL (no key), -ENOSPC, -EPROTO (invalid peer value or
 * all-zero X25519 result) or -EIO. On error @secret is zeroed.
 */
int ike_dh_derive(const struct ike_dh *dh, const uint8_t *peer, size_t peer_len,
		  uint8_t *secret, size_t cap);

/* Free the key pair (libcrypto clears private keys); NULL-safe, idempotent. */
void ike_dh_fini(struct ike_dh *dh);

/* ------------------------------------------------------------------ */
/* PRF, prf+ (RFC 7296 §2.13) and the integrity transform              */
/* ------------------------------------------------------------------ */

/*
 * out = prf(key, in[0] | in[1] | ...), ike_prf_len(prf) bytes.
 * Returns 0, -EINVAL (NULL key or out), -ENOTSUP or -EIO.
 */
int ike_prf(uint16_t prf, const uint8_t *key, size_t key_len,
	    const struct ike_buf *in, size_t n_in, uint8_t *out);

/*
 * out = first @out_len bytes of prf+(key, seed[0] | seed[1] | ...):
 * T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n). @out_len may be at
 * most 255 * ike_prf_len(prf) (-EINVAL beyond).
 * Returns 0, -EINVAL, -ENOTSUP or -EIO; on error @out is zeroed.
 */
int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t key_len,
		 const struct ike_buf *seed, size_t n_seed, uint8_t *out,
		 size_t out_len);

/*
 * Truncated HMAC of the INTEG transform (RFC 4868 §2.1): writes
 * ike_integ_icv_len(integ) bytes to @icv. @key_len must equal
 * ike_integ_key_len(integ). Returns 0, -EINVAL, -ENOTSUP or -EIO.
 */
int ike_integ_icv(uint16_t integ, const uint8_t *key, size_t key_len,
		  const uint8_t *data, size_t len, uint8_t *icv);

/* ------------------------------------------------------------------ */
/* Key derivation (RFC 7296 §2.14, §2.17, §2.18)                       */
/* ------------------------------------------------------------------ */

/* The seven IKE SA keys. Lengths are fixed by the suite. */
struct ike_sa_keys {
	uint8_t sk_d[IKE_PRF_LEN_MAX];
	uint8_t sk_ai[IKE_INTEG_KEY_MAX];
	uint8_t sk_ar[IKE_INTEG_KEY_MAX];
	uint8_t sk_ei[IKE_ENCR_KEY_MAX]; /* AEAD: key || salt */
	uint8_t sk_er[IKE_ENCR_KEY_MAX];
	uint8_t sk_pi[IKE_PRF_LEN_MAX];
	uint8_t sk_pr[IKE_PRF_LEN_MAX];
	uint8_t prf_len;   /* SK_d, SK_pi, SK_pr */
	uint8_t integ_len; /* SK_ai, SK_ar; 0 with AEAD (keys absent) */
	uint8_t encr_len;  /* SK_ei, SK_er incl. salt */
};

/* Child SA KEYMAT split (RFC 7296 §2.17). */
struct ike_child_keys {
	/* _i: initiator -> responder SA (the SA whose SPI the responder
	 * chose); _r: responder -> initiator. "Initiator" = the initiator of
	 * the exchange that created the Child SA. */
	uint8_t encr_i[IKE_ENCR_KEY_MAX]; /* AEAD: key || salt */
	uint8_t integ_i[IKE_INTEG_KEY_MAX];
	uint8_t encr_r[IKE_ENCR_KEY_MAX];
	uint8_t integ_r[IKE_INTEG_KEY_MAX];
	uint8_t encr_len;
	uint8_t integ_len; /* 0 with AEAD */
};

void ike_sa_keys_wipe(struct ike_sa_keys *k);
void ike_child_keys_wipe(struct ike_child_keys *k);

/*
 * SKEYSEED = prf(Ni | Nr, g^ir) (§2.14). HMAC PRFs only, so the whole
 * nonces form the key. Writes ike_prf_len(prf) bytes.
 * Returns 0, -EINVAL, -ENOTSUP or -EIO.
 */
int ike_skeyseed(uint16_t prf, const uint8_t *gir, size_t gir_len,
		 const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		 size_t nr_len, uint8_t *skeyseed);

/*
 * SKEYSEED' = prf_old(SK_d(old), g^ir(new) | Ni | Nr) (§2.18), with the
 * nonces of the rekeying CREATE_CHILD_SA exchange.
 */
int ike_rekey_skeyseed(uint16_t old_prf, const uint8_t *old_sk_d,
		       size_t old_sk_d_len, const uint8_t *gir, size_t gir_len,
		       const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		       size_t nr_len, uint8_t *skeyseed);

/*
 * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} =
 *     prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 * with lengths from @s (SK_d/SK_p*: PRF length; SK_a*: INTEG key length,
 * absent for AEAD; SK_e*: cipher key + salt). @prf_plus_prf selects the
 * PRF running prf+: s->prf for a new IKE SA, the OLD SA's PRF on rekey.
 * Returns 0, -EINVAL, -ENOTSUP or -EIO; on error @k is wiped.
 */
int ike_sa_keys_from_skeyseed(const struct ike_suite *s, uint16_t prf_plus_prf,
			      const uint8_t *skeyseed, size_t skeyseed_len,
			      const uint8_t *ni, size_t ni_len,
			      const uint8_t *nr, size_t nr_len,
			      const uint8_t spi_i[IKE_SPI_LEN],
			      const uint8_t spi_r[IKE_SPI_LEN],
			      struct ike_sa_keys *k);

/*
 * New IKE SA after IKE_SA_INIT: SKEYSEED from g^ir and the nonces, then
 * the seven keys (SKEYSEED is wiped). Same returns as above.
 */
int ike_derive_ike_sa_keys(const struct ike_suite *s, const uint8_t *gir,
			   size_t gir_len, const uint8_t *ni, size_t ni_len,
			   const uint8_t *nr, size_t nr_len,
			   const uint8_t spi_i[IKE_SPI_LEN],
			   const uint8_t spi_r[IKE_SPI_LEN],
			   struct ike_sa_keys *k);

/*
 * IKE SA rekey (§2.18): SKEYSEED' with the old SA's PRF and SK_d, then
 * prf+ ALSO with the old SA's PRF (what strongSwan 5.9.8 keymat_v2 does;
 * RFC 7296 §2.18 names only SKEYSEED's PRF). Key lengths come from the
 * new suite @s. Ni/Nr/SPIs are those of the new SA (SPIi = the SPI in
 * the rekey initiator's proposal). When old_prf == s->prf both readings
 * of the RFC agree; the engine should keep the PRF across rekeys.
 */
int ike_derive_ike_sa_rekey_keys(uint16_t old_prf, const uint8_t *old_sk_d,
				 size_t old_sk_d_len, const struct ike_suite *s,
				 const uint8_t *gir, size_t gir_len,
				 const uint8_t *ni, size_t ni_len,
				 const uint8_t *nr, size_t nr_len,
				 const uint8_t spi_i[IKE_SPI_LEN],
				 const uint8_t spi_r[IKE_SPI_LEN],
				 struct ike_sa_keys *k);

/*
 * Child SA KEYMAT = prf+(SK_d, [g^ir(new) |] Ni | Nr) (§2.17), split as
 * encr_i | integ_i | encr_r | integ_r with lengths from the ESP suite
 * @esp (its prf is ignored). @gir = NULL / 0 without PFS. For the Child
 * SA of IKE_AUTH, Ni/Nr are the IKE_SA_INIT nonces.
 * Returns 0, -EINVAL, -ENOTSUP or -EIO; on error @k is wiped.
 */
int ike_derive_child_keys(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len,
			  const struct ike_suite *esp, const uint8_t *gir,
			  size_t gir_len, const uint8_t *ni, size_t ni_len,
			  const uint8_t *nr, size_t nr_len,
			  struct ike_child_keys *k);

/* ------------------------------------------------------------------ */
/* SK / SKF payload protection (RFC 7296 §3.14, RFC 5282, RFC 7634,    */
/* RFC 7383 §2.5)                                                      */
/* ------------------------------------------------------------------ */

/*
 * Keys and parameters for one direction of an IKE SA. Initialise once per
 * IKE SA and direction (outbound: seal; inbound: open).
 */
struct ike_sk_cipher {
	uint8_t ekey[32]; /* cipher key without salt */
	uint8_t salt[IKE_AEAD_SALT_LEN];
	uint8_t akey[IKE_INTEG_KEY_MAX];
	uint64_t iv_next; /* AEAD: next explicit IV (counter) */
	uint16_t encr;	  /* enum ike_encr */
	uint16_t integ;	  /* enum ike_integ */
	uint8_t ekey_len;
	uint8_t akey_len;
	uint8_t iv_len;	 /* 16 (CBC) or 8 (AEAD) */
	uint8_t icv_len; /* truncated HMAC or AEAD tag length */
	uint8_t block;	 /* ciphertext alignment: 16 (CBC) or 1 (AEAD) */
	bool aead;
	bool ready;
};

/*
 * Key an SK context. @ekey is SK_e (AEAD: key || 4-byte salt, the salt
 * being the last 4 bytes); @akey is SK_a (NULL / 0 for AEAD).
 * For AEAD the IV counter starts at a random value.
 * Returns 0, -EINVAL (key lengths don't match @s), -ENOTSUP or -EIO.
 */
int ike_sk_cipher_init(struct ike_sk_cipher *sk, const struct ike_suite *s,
		       const uint8_t *ekey, size_t ekey_len,
		       const uint8_t *akey, size_t akey_len);

/*
 * Key an SK context from derived IKE SA keys. @from_initiator selects
 * SK_ei/SK_ai (messages sent by the original initiator, whatever their
 * request/response role) or SK_er/SK_ar (RFC 7296 §2.14).
 */
int ike_sk_cipher_init_sa(struct ike_sk_cipher *sk, const struct ike_suite *s,
			  const struct ike_sa_keys *k, bool from_initiator);

/* Wipe the keys; NULL-safe. */
void ike_sk_cipher_fini(struct ike_sk_cipher *sk);

/*
 * Where an SK (or SKF) payload sits in a buffer. All offsets are bytes:
 *
 *   buf + msg_off                       IKE header (28 bytes)
 *   buf + msg_off + sk_off              SK generic header (4) or SKF
 *                                       header (8) = sk_hdr_len bytes
 *   ... + sk_hdr_len                    IV (iv_len)
 *   ... + iv_len                        encrypted: inner payloads (pt_len)
 *                                       | padding (pad_len) | Pad Length (1)
 *   ... + pt_len + pad_len + 1          ICV / AEAD tag (icv_len)
 *   = end of the message
 *
 * AEAD AAD and the HMAC input start at buf + msg_off (a non-ESP marker or
 * other framing before msg_off is not covered, RFC 3948 §2.2). AEAD AAD
 * ends before the IV; the HMAC covers everything up to the ICV.
 *
 * From the codec's struct ike_sk_layout (ike_msg.h, offsets from the IKE
 * header): sk_off = pld_off, sk_hdr_len = iv_off - pld_off, and, after
 * ike_gen_sk_end() wrote the zero padding and the Pad Length octet,
 * pad_len = msg[ct_off + ct_len - 1], pt_len = ct_len - 1 - pad_len
 * (ike_sk_seal rewrites both with the same values). For receiving, only
 * msg_off, sk_off and sk_hdr_len are needed.
 */
struct ike_sk_frame {
	size_t msg_off;	   /* IKE header within the caller's buffer */
	size_t sk_off;	   /* SK/SKF payload header, from the IKE header */
	size_t sk_hdr_len; /* IKE_SK_HDR_LEN or IKE_SKF_HDR_LEN */
	size_t iv_len;
	size_t pt_len;	/* inner payloads (seal: input; open: output) */
	size_t pad_len; /* padding bytes before the Pad Length octet */
	size_t icv_len;
};

/* Offsets / lengths derived from a frame (no checks). */
static inline size_t ike_sk_frame_iv_off(const struct ike_sk_frame *f)
{
	return f->msg_off + f->sk_off + f->sk_hdr_len;
}
/* Where the inner payloads go (seal) or are found (open). */
static inline size_t ike_sk_frame_pt_off(const struct ike_sk_frame *f)
{
	return ike_sk_frame_iv_off(f) + f->iv_len;
}
static inline size_t ike_sk_frame_icv_off(const struct ike_sk_frame *f)
{
	return ike_sk_frame_pt_off(f) + f->pt_len + f->pad_len + 1;
}
/* Value of the SK/SKF Payload Length field. */
static inline size_t ike_sk_frame_payload_len(const struct ike_sk_frame *f)
{
	return f->sk_hdr_len + f->iv_len + f->pt_len + f->pad_len + 1 +
	       f->icv_len;
}
/* Value of the IKE header Length field (the whole message). */
static inline size_t ike_sk_frame_msg_len(const struct ike_sk_frame *f)
{
	return f->sk_off + ike_sk_frame_payload_len(f);
}

/*
 * Plan an outbound SK/SKF payload holding @pt_len bytes of inner
 * payloads: fills @f with the IV/ICV lengths of @sk and the minimum
 * padding (CBC: to a 16-byte multiple; AEAD: none). The codec then writes
 * the IKE header (Length = ike_sk_frame_msg_len), the payloads before SK,
 * the SK header (Payload Length = ike_sk_frame_payload_len) and the inner
 * payloads at ike_sk_frame_pt_off, and calls ike_sk_seal. A caller may
 * raise f->pad_len afterwards (CBC: keep the alignment; at most 255).
 * Returns 0 or -EINVAL (not keyed, bad header length, size overflow: the
 * SK payload must fit its 16-bit length field).
 */
int ike_sk_frame_plan(const struct ike_sk_cipher *sk, size_t msg_off,
		      size_t sk_off, size_t sk_hdr_len, size_t pt_len,
		      struct ike_sk_frame *f);

/*
 * Encrypt and integrity-protect in place. @buf_len must cover the whole
 * message (msg_off + ike_sk_frame_msg_len). The IKE header Length and the
 * SK Payload Length fields must already hold the planned values (they are
 * authenticated). Writes the IV (@iv, or generated when NULL: random for
 * CBC, the context's counter for AEAD; pass an explicit IV only for
 * known-answer tests, an AEAD IV must never repeat under one key), zero
 * padding, the Pad Length octet, the ciphertext and the ICV/tag (RFC 7296
 * §3.14: ICV computed over the ciphertext, after encryption).
 * Returns 0, -EINVAL (frame inconsistent with @sk or the header fields,
 * buffer too small, bad padding) or -EIO.
 */
int ike_sk_seal(struct ike_sk_cipher *sk, uint8_t *buf, size_t buf_len,
		const struct ike_sk_frame *f, const uint8_t *iv);

/*
 * Verify and decrypt in place. The caller sets f->msg_off, f->sk_off and
 * f->sk_hdr_len (the codec located the SK/SKF payload, which must be the
 * last payload); the lengths are taken from the IKE header Length and the
 * SK Payload Length fields, which must agree and fit in @buf_len.
 * CBC+HMAC: the ICV is checked (constant time) before anything is
 * decrypted. AEAD: the tag is checked by the cipher; on failure the
 * decrypted bytes are wiped (the encrypted region is left zeroed).
 * After success, f->iv_len, pt_len, pad_len and icv_len describe the
 * message; the inner payloads are at ike_sk_frame_pt_off(f). Padding
 * content is not checked (RFC 7296 §3.14: any value).
 * Returns 0, -EINVAL (bad arguments or @sk not keyed), -EPROTO (framing:
 * lengths inconsistent, ciphertext empty or not block-aligned, or a Pad
 * Length larger than the decrypted data), -EBADMSG (ICV/tag mismatch) or
 * -EIO.
 */
int ike_sk_open(const struct ike_sk_cipher *sk, uint8_t *buf, size_t buf_len,
		struct ike_sk_frame *f);

/* ------------------------------------------------------------------ */
/* PSK authentication (RFC 7296 §2.15) and NAT detection (§2.23)        */
/* ------------------------------------------------------------------ */

/* The 17 ASCII bytes "Key Pad for IKEv2", no terminator. */
#define IKE_KEY_PAD	"Key Pad for IKEv2"
#define IKE_KEY_PAD_LEN 17

/* The signed octets of one AUTH payload, all borrowed. */
struct ike_auth_octets {
	const uint8_t
		*real_msg; /* RealMessage1 (for AUTH_i) / RealMessage2
			    * (AUTH_r): the IKE_SA_INIT message as sent,
			    * from the IKE header, no UDP/non-ESP marker */
	size_t real_msg_len;
	const uint8_t *nonce; /* the PEER's nonce data: Nr for AUTH_i,
			       * Ni for AUTH_r */
	size_t nonce_len;
	const uint8_t *sk_p; /* SK_pi for AUTH_i, SK_pr for AUTH_r */
	size_t sk_p_len;
	const uint8_t *id_body; /* IDi / IDr payload body: ID Type, the 3
				 * RESERVED bytes as sent, ID data */
	size_t id_body_len;
};

/* MACedIDFor{I,R} = prf(SK_p, ID body). Writes ike_prf_len(prf) bytes. */
int ike_maced_id(uint16_t prf, const uint8_t *sk_p, size_t sk_p_len,
		 const uint8_t *id_body, size_t id_body_len, uint8_t *out);

/*
 * AUTH = prf(prf(PSK, "Key Pad for IKEv2"), RealMessage | NonceData |
 * MACedID). Writes ike_prf_len(prf) bytes to @auth.
 * Returns 0, -EINVAL (empty PSK, missing octets), -ENOTSUP or -EIO.
 */
int ike_psk_auth(uint16_t prf, const uint8_t *psk, size_t psk_len,
		 const struct ike_auth_octets *o, uint8_t *auth);

/*
 * Check a received PSK AUTH value (constant-time compare).
 * Returns 0 when it matches, -EBADMSG when it does not (including a wrong
 * length), or the errors of ike_psk_auth.
 */
int ike_psk_auth_verify(uint16_t prf, const uint8_t *psk, size_t psk_len,
			const struct ike_auth_octets *o, const uint8_t *auth,
			size_t auth_len);

/*
 * NAT_DETECTION_*_IP data: SHA-1(SPIi | SPIr | IP | port), port in host
 * order (encoded big-endian), @addr 4 (IPv4) or 16 (IPv6) bytes in
 * network order; SPIr all-zero in the IKE_SA_INIT request.
 * Returns 0, -EINVAL or -EIO.
 */
int ike_natd_hash(const uint8_t spi_i[IKE_SPI_LEN],
		  const uint8_t spi_r[IKE_SPI_LEN], const uint8_t *addr,
		  size_t addr_len, uint16_t port, uint8_t out[IKE_NATD_LEN]);

#endif /* LIBIKE_IKE_CRYPTO_H */
