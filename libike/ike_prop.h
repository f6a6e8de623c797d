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
 *
 * "default" (may be combined with other proposals, e.g. "aes256-sha256-
 * modp2048,default") expands to two proposals, AEAD first:
 *   IKE 1: AES_GCM_16_128, AES_GCM_16_256 / PRF SHA2-256, -384, -512 /
 *          CURVE25519, ECP_256, ECP_384, MODP_2048
 *   IKE 2: AES_CBC_128, AES_CBC_256 / HMAC_SHA2_256_128, _384_192,
 *          _512_256 / same PRFs / same groups
 *   ESP 1: AES_GCM_16_128, AES_GCM_16_256, CHACHA20_POLY1305 / NO_EXT_SEQ
 *   ESP 2: AES_CBC_128, AES_CBC_256 / HMAC_SHA2_256_128, _384_192,
 *          _512_256 / NO_EXT_SEQ
 * Every one intersects strongSwan 5.9.8's own defaults (ipsec-facts
 * §5.2). As in strongSwan, an integrity keyword in an IKE proposal also
 * adds the matching PRF when no prfX is given, and is only used that way
 * with an AEAD cipher; AEAD and non-AEAD ciphers in one proposal are
 * refused (RFC 5282 §8). Keywords are case-insensitive; duplicates are
 * ignored; NULL @str means "default".
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
 * ike_prop_select() with flags. IKE_PROP_SEL_NO_KE: Key Exchange
 * transforms are ignored on both sides and @chosen gets none (the Child SA
 * of IKE_AUTH, RFC 7296 §1.2: no KE payload there). Without it an ESP
 * proposal of ours with KE transforms requires one of them (PFS; "KE NONE"
 * in our list also accepts a peer proposal without KE), and an ESP list of
 * ours without KE accepts a peer proposal with KE only if it includes
 * NONE. A peer ESP proposal without an ESN transform is read as "no ESN".
 * If an AEAD cipher is chosen the answer has no INTEG transform unless the
 * peer sent INTEG NONE, which is then mirrored (RFC 5282 §8).
 */
#define IKE_PROP_SEL_NO_KE 0x1u
int ike_prop_select_ex(const struct ike_sa *ours, const struct ike_sa *theirs,
		       unsigned int flags, struct ike_proposal *chosen,
		       char *why, size_t why_len);

/* Remove every Key Exchange transform (the SAi2 of IKE_AUTH). */
void ike_prop_strip_ke(struct ike_sa *list);

/*
 * Initiator: a response's single proposal must be one transform per type
 * taken from the offered proposal of the same number. 0 or -EBADMSG.
 */
int ike_prop_check_response(const struct ike_sa *offered,
			    const struct ike_proposal *chosen, char *why,
			    size_t why_len);

/* Key exchange group of a chosen proposal (0 = none). */
uint16_t ike_prop_dh_group(const struct ike_proposal *p);
/* Does any proposal of @list offer @group? (INVALID_KE_PAYLOAD: is the
 * requested group one we allow?) */
bool ike_prop_has_group(const struct ike_sa *list, uint16_t group);
/* Copy @list keeping only proposals with @group (initiator retry after
 * INVALID_KE_PAYLOAD), renumbered from 1; their other KE transforms are
 * dropped so that the responder cannot pick another group again. @out
 * may be @list. -ENOENT if none. */
int ike_prop_filter_group(const struct ike_sa *list, uint16_t group,
			  struct ike_sa *out);
/* The negotiated suite of a chosen proposal (IKE: all four; ESP: prf 0). */
int ike_prop_suite(const struct ike_proposal *p, struct ike_suite *s);
bool ike_prop_esn(const struct ike_proposal *p);
/* Set the SPI of every proposal (4-byte ESP SPI or 8-byte IKE SPI on
 * rekey; spi_len 0 = none). */
void ike_prop_set_spi(struct ike_sa *list, const uint8_t *spi, uint8_t len);
/* "AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE25519, ..."; always
 * NUL-terminated (truncated to @len); returns the length written. */
size_t ike_prop_format(const struct ike_sa *list, char *buf, size_t len);

#endif
