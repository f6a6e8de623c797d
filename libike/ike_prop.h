/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Proposals (RFC 7296 §2.7, §3.3) — private to libike.
 *
 * Configured proposal lists are written in strongSwan's syntax and held
 * as a struct ike_sa (the codec's parsed SA payload), so the same
 * structure is generated, parsed and compared. Selection is a pure
 * function of the two lists; every refusal comes with a one-line reason
 * naming the first transform type that had no match and both lists.
 */
#ifndef LIBIKE_IKE_PROP_H
#define LIBIKE_IKE_PROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_crypto.h"
#include "ike_msg.h"

#define IKE_PROP_WHY_LEN 512

/*
 * Parse "aes128gcm16-prfsha256-x25519,aes256-sha384-modp2048" (strongSwan
 * keywords: aes128/192?/256, aes128gcm16/aes256gcm16, chacha20poly1305,
 * sha256/sha384/sha512 (integrity, and PRF for IKE unless prfX given),
 * prfsha256/384/512, modp2048, ecp256, ecp384, x25519/curve25519, esn,
 * noesn) or "default" into proposals numbered 1..n for @protocol
 * (PP_IKE_PROTO_IKE or PP_IKE_PROTO_ESP). IKE proposals need ENCR, PRF
 * and KE (INTEG unless AEAD); ESP proposals need ENCR (INTEG unless AEAD),
 * KE is optional (PFS) and ESN defaults to "no ESN". Only algorithms that
 * ike_crypto/libesp implement are accepted. Returns 0 or -EINVAL with a
 * message naming the offending token in @err.
 */
int ike_prop_parse(const char *str, uint8_t protocol, struct ike_sa *out,
		   char *err, size_t err_len);

/*
 * Responder: choose one proposal. Our list's order is the preference
 * (strongSwan's default). A peer proposal is acceptable when each of its
 * transform types that we require has a transform we also offer, and it
 * has no transform with unknown attributes (§3.3.6). @chosen gets exactly
 * one transform per type, the peer's proposal number, protocol and SPI.
 * Returns 0, or -ENOENT with @why (may be NULL) like
 *   "no proposal chosen: no matching KE; ours: AES_GCM_16_128/PRF_HMAC_
 *    SHA2_256/CURVE25519, theirs: AES_CBC_256/HMAC_SHA2_256_128/..."
 */
int ike_prop_select(const struct ike_sa *ours, const struct ike_sa *theirs,
		    struct ike_proposal *chosen, char *why, size_t why_len);

/*
 * Initiator: a response's single proposal must be one transform per type
 * taken from the offered proposal of the same number. 0 or -EBADMSG.
 */
int ike_prop_check_response(const struct ike_sa *offered,
			    const struct ike_proposal *chosen, char *why,
			    size_t why_len);

/* Key exchange group of a chosen proposal (0 = none). */
uint16_t ike_prop_dh_group(const struct ike_proposal *p);
/* Groups our list offers, in order; returns count (used for
 * INVALID_KE_PAYLOAD: is the requested group one we allow?). */
bool ike_prop_has_group(const struct ike_sa *list, uint16_t group);
/* Copy @list keeping only proposals with @group (initiator retry after
 * INVALID_KE_PAYLOAD), renumbered from 1. -ENOENT if none. */
int ike_prop_filter_group(const struct ike_sa *list, uint16_t group,
			  struct ike_sa *out);
/* The negotiated suite of a chosen proposal (IKE: all four; ESP: prf 0). */
int ike_prop_suite(const struct ike_proposal *p, struct ike_suite *s);
bool ike_prop_esn(const struct ike_proposal *p);
/* Set the SPI of every proposal (4-byte ESP SPI or 8-byte IKE SPI on
 * rekey; spi_len 0 = none). */
void ike_prop_set_spi(struct ike_sa *list, const uint8_t *spi, uint8_t len);
/* "AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE25519, ..." */
size_t ike_prop_format(const struct ike_sa *list, char *buf, size_t len);

#endif
