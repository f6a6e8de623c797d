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

#define IKE_CERT_WHY_LEN 256
#define IKE_SIG_MAX 1024  /* AUTH data: AlgorithmIdentifier + signature */

/* Our credential: certificate (+ optional intermediates after it in the
 * PEM) and private key that must match it. */
struct ike_cred;
int ike_cred_load(const uint8_t *cert, size_t cert_len, const uint8_t *key,
		  size_t key_len, struct ike_cred **out, char *why,
		  size_t why_len);
void ike_cred_free(struct ike_cred *c);
/* DER of the end-entity certificate (CERT payload, encoding 4). */
const uint8_t *ike_cred_cert_der(const struct ike_cred *c, size_t *len);
/* The identity to use when none is configured: the subject DN. */
int ike_cred_default_id(const struct ike_cred *c, struct pp_ike_id *out);
/* Does the certificate carry @id (subjectAltName dNSName / rfc822Name /
 * iPAddress, or the subject DN for ID_DER_ASN1_DN)? */
bool ike_cred_has_id(const struct ike_cred *c, const struct pp_ike_id *id);

/* Trust anchors. */
struct ike_trust;
int ike_trust_load(const uint8_t *pem, size_t len, struct ike_trust **out,
		   char *why, size_t why_len);
void ike_trust_free(struct ike_trust *t);
/* CERTREQ data: concatenated SHA-1 hashes of the anchors' public keys. */
int ike_trust_certreq(const struct ike_trust *t, uint8_t *out, size_t cap,
		      size_t *len);

/* SIGNATURE_HASH_ALGORITHMS notify data we send (SHA2-256/384/512 and
 * Identity, RFC 8420). */
size_t ike_sig_hash_algs(uint8_t *out, size_t cap);

/*
 * AUTH data for method 14 (RFC 7427 §3): length-prefixed ASN.1
 * AlgorithmIdentifier + signature over @octets (the signed octets of
 * §2.15: RealMessage | Nonce | MACedID). The hash is the strongest that
 * the peer announced in @peer_hashes (notify data; NULL = SHA-256);
 * Ed25519 signs the octets directly (RFC 8420). Returns 0, -ENOSPC,
 * -ENOTSUP (no common hash), -EIO.
 */
int ike_sig_sign(const struct ike_cred *c, const uint8_t *peer_hashes,
		 size_t peer_hashes_len, const uint8_t *octets,
		 size_t octets_len, uint8_t *out, size_t cap, size_t *len);

/*
 * Verify a peer: parse @cert_der (and any @n_inter intermediates), build
 * the chain to a trust anchor (validity times checked against @now_unix,
 * 0 = the system clock), check that the certificate carries @peer_id,
 * then verify the AUTH data (method 14; also methods 1 RSA and 9/10/11
 * ECDSA from RFC 7296 for completeness) over @octets. Returns 0, or
 * -EACCES (untrusted, expired, ID not bound, bad signature, algorithm
 * not acceptable) with a one-line reason in @why.
 */
int ike_sig_verify(const struct ike_trust *t, const uint8_t *cert_der,
		   size_t cert_len, const uint8_t *const *inter_der,
		   const size_t *inter_len, unsigned int n_inter,
		   const struct pp_ike_id *peer_id, uint8_t auth_method,
		   const uint8_t *auth_data, size_t auth_len,
		   const uint8_t *octets, size_t octets_len, int64_t now_unix,
		   char *why, size_t why_len);

#endif
