/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Certificate authentication (RFC 7296 §2.15, §3.6, §3.7; RFC 7427
 * Digital Signature method; RFC 7427 §4 SIGNATURE_HASH_ALGORITHMS) —
 * private to libike. RSA (PKCS#1 v1.5 and PSS), ECDSA (P-256/P-384) and
 * Ed25519 keys, through OpenSSL 3.
 */
#ifndef LIBIKE_IKE_CERT_H
#define LIBIKE_IKE_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <parapass/pp_ike.h>

#define IKE_CERT_WHY_LEN   256
#define IKE_SIG_MAX	   1024 /* AUTH data: AlgorithmIdentifier + signature */
#define IKE_CERT_DER_MAX   65535 /* one certificate (a CERT payload) */
#define IKE_CERT_INTER_MAX 8	 /* intermediates: ours, or a peer's */
#define IKE_CERT_DEPTH_MAX 8	 /* CA certificates above the end entity */

/* Hash algorithm IDs of SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4, RFC 8420). */
enum ike_sig_hash {
	IKE_SIG_HASH_SHA1 = 1, /* refused, never used */
	IKE_SIG_HASH_SHA2_256 = 2,
	IKE_SIG_HASH_SHA2_384 = 3,
	IKE_SIG_HASH_SHA2_512 = 4,
	IKE_SIG_HASH_IDENTITY = 5, /* Ed25519 */
};

/*
 * Conventions: 0 or a negative errno. -EINVAL caller error, -ENOMEM,
 * -EIO unexpected libcrypto failure; loaders return -EBADMSG for input
 * that does not decode or -EKEYREJECTED for a key that is not
 * acceptable or does not match the certificate, each with a one-line
 * reason in @why (may be NULL). Keys accepted: RSA 2048..4096 bits
 * (rsaEncryption), ECDSA P-256 / P-384 / P-521, Ed25519. Private key
 * material lives only inside libcrypto's EVP_PKEY, which clears it when
 * freed; encrypted PEM keys are refused (there is no passphrase).
 */

/* Our credential: certificate (+ optional intermediates after it in the
 * PEM) and private key that must match it. @cert is PEM (one or more
 * CERTIFICATE blocks; the first is the end entity) or the DER of one
 * certificate; @key is PEM (PKCS#8 or traditional RSA/EC) or DER. */
struct ike_cred;
int ike_cred_load(const uint8_t *cert, size_t cert_len, const uint8_t *key,
		  size_t key_len, struct ike_cred **out, char *why,
		  size_t why_len);
void ike_cred_free(struct ike_cred *c);
/* DER of the end-entity certificate (CERT payload, encoding 4). */
const uint8_t *ike_cred_cert_der(const struct ike_cred *c, size_t *len);
/* Intermediates following the end entity in the PEM, in file order: each
 * is sent in its own CERT payload (encoding 4) after the end entity's.
 * ike_cred_inter_der() returns NULL when @i >= ike_cred_n_inter(). */
unsigned int ike_cred_n_inter(const struct ike_cred *c);
const uint8_t *ike_cred_inter_der(const struct ike_cred *c, unsigned int i,
				  size_t *len);
/* The identity to use when none is configured: the subject DN.
 * -ENOSPC if its DER is longer than PP_IKE_ID_MAX. */
int ike_cred_default_id(const struct ike_cred *c, struct pp_ike_id *out);
/* Does the certificate carry @id (subjectAltName dNSName / rfc822Name /
 * iPAddress, or the subject DN for ID_DER_ASN1_DN)? FQDN and RFC822 compare
 * ASCII case-insensitively and exactly otherwise (no wildcards, no CN
 * fallback, as strongSwan); IPv4/IPv6 compare the address bytes; DN
 * compares the subject's DER byte for byte; KEY_ID and NONE never match. */
bool ike_cred_has_id(const struct ike_cred *c, const struct pp_ike_id *id);

/* Trust anchors. @pem: one or more CERTIFICATE blocks (or the DER of one
 * certificate). Any anchor may be an intermediate CA: chains may end at
 * it. A key present twice (re-issued CA) counts once. */
struct ike_trust;
int ike_trust_load(const uint8_t *pem, size_t len, struct ike_trust **out,
		   char *why, size_t why_len);
void ike_trust_free(struct ike_trust *t);
/* CERTREQ data: concatenated SHA-1 hashes of the anchors' public keys
 * (of the DER SubjectPublicKeyInfo, RFC 7296 §3.7), one per distinct key.
 * Returns 0 or -ENOSPC (then *len = the size needed). */
int ike_trust_certreq(const struct ike_trust *t, uint8_t *out, size_t cap,
		      size_t *len);

/* SIGNATURE_HASH_ALGORITHMS notify data we send (SHA2-256/384/512 and
 * Identity, RFC 8420): 8 bytes, or 0 if @cap is smaller. */
size_t ike_sig_hash_algs(uint8_t *out, size_t cap);

/*
 * AUTH data for method 14 (RFC 7427 §3): length-prefixed ASN.1
 * AlgorithmIdentifier + signature over @octets (the signed octets of
 * §2.15: RealMessage | Nonce | MACedID). The hash is the strongest that
 * the peer announced in @peer_hashes (notify data; NULL = SHA-256);
 * Ed25519 signs the octets directly (RFC 8420). Returns 0, -ENOSPC,
 * -ENOTSUP (no common hash), -EIO.
 *
 * Hash choice: ECDSA prefers the hash of its curve's size (P-256/SHA-256,
 * P-384/SHA-384, P-521/SHA-512), then the stronger ones, then SHA-256;
 * RSA takes the strongest announced; Ed25519 needs Identity (5) in the
 * list (NULL -> -ENOTSUP); SHA-1 is never used. RSA signs with PKCS#1
 * v1.5 (sha{256,384,512}WithRSAEncryption, NULL parameters); ECDSA
 * produces a DER ECDSA-Sig-Value (RFC 7427 §3). An odd @peer_hashes_len
 * (malformed notify) returns -EPROTO.
 */
int ike_sig_sign(const struct ike_cred *c, const uint8_t *peer_hashes,
		 size_t peer_hashes_len, const uint8_t *octets,
		 size_t octets_len, uint8_t *out, size_t cap, size_t *len);

/* As ike_sig_sign(); IKE_SIG_F_RSA_PSS makes RSA keys sign with RSASSA-PSS
 * (MGF1 with the same hash, salt length = hash length, RFC 7427 A.4.3
 * form) instead of PKCS#1 v1.5. Ignored for other key types. */
#define IKE_SIG_F_RSA_PSS 0x1u
int ike_sig_sign_ex(const struct ike_cred *c, const uint8_t *peer_hashes,
		    size_t peer_hashes_len, unsigned int flags,
		    const uint8_t *octets, size_t octets_len, uint8_t *out,
		    size_t cap, size_t *len);

/*
 * Verify a peer: parse @cert_der (and any @n_inter intermediates), build
 * the chain to a trust anchor (validity times checked against @now_unix,
 * 0 = the system clock), check that the certificate carries @peer_id,
 * then verify the AUTH data (method 14; also methods 1 RSA and 9/10/11
 * ECDSA from RFC 7296 for completeness) over @octets. Returns 0, or
 * -EACCES (untrusted, expired, ID not bound, bad signature, algorithm
 * not acceptable) with a one-line reason in @why.
 *
 * Details: method 14 AlgorithmIdentifiers are parsed strictly (DER, the
 * ASN.1 length octet must match, known OIDs only: sha{256,384,512}With-
 * RSAEncryption, RSASSA-PSS with SHA-2 and MGF1 of the same hash,
 * ecdsa-with-SHA{256,384,512}, id-Ed25519); SHA-1 in any form is refused,
 * and the certificate's key type must fit the algorithm. Method 1 is
 * refused: RFC 7296 §3.8 RSA signatures are SHA-1 in practice (strongSwan:
 * EMSA-PKCS1-SHA1) — peers use method 14. Methods 9/10/11 (RFC 4754):
 * raw r|s of the curve's size, SHA-256/384/512 on P-256/P-384/P-521 only.
 * Chains: at most IKE_CERT_INTER_MAX intermediates given and
 * IKE_CERT_DEPTH_MAX CAs, purpose any, OpenSSL auth level 2 (no SHA-1
 * certificate signatures, RSA >= 2048); an anchor may be an intermediate.
 * -EINVAL for caller errors (NULL arguments, @now_unix < 0).
 */
int ike_sig_verify(const struct ike_trust *t, const uint8_t *cert_der,
		   size_t cert_len, const uint8_t *const *inter_der,
		   const size_t *inter_len, unsigned int n_inter,
		   const struct pp_ike_id *peer_id, uint8_t auth_method,
		   const uint8_t *auth_data, size_t auth_len,
		   const uint8_t *octets, size_t octets_len, int64_t now_unix,
		   char *why, size_t why_len);

#endif
