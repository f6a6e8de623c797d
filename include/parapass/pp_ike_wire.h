/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IKEv2 wire format (RFC 7296) and the IANA "Internet Key Exchange Version 2
 * (IKEv2) Parameters" numbers libike uses.
 *
 * All multi-byte fields are big-endian on the wire. The packed structs only
 * document the fixed parts of each layout (fields holding a big-endian value
 * carry a _be suffix); code that parses untrusted messages reads the fields
 * at the PP_IKE_*_OFF_* offsets through a bounds-checked reader and never
 * casts a pointer into the packet. Every payload body offset is relative to
 * the first byte after the 4-byte generic payload header.
 */
#ifndef PARAPASS_PP_IKE_WIRE_H
#define PARAPASS_PP_IKE_WIRE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------- */
/* IKE header (RFC 7296 §3.1)                                             */
/* ---------------------------------------------------------------------- */

struct pp_ike_hdr {
	uint8_t spi_i[8];	/* IKE SA Initiator's SPI, never 0 (§3.1) */
	uint8_t spi_r[8];	/* IKE SA Responder's SPI, 0 in the first
				 * IKE_SA_INIT request */
	uint8_t next;		/* type of the first payload */
	uint8_t version;	/* major (high nibble) | minor (low nibble) */
	uint8_t exchange;	/* PP_IKE_EXCH_* */
	uint8_t flags;		/* PP_IKE_FLAG_* */
	uint32_t msg_id_be;
	uint32_t length_be;	/* whole message including this header */
} __attribute__((packed));

#define PP_IKE_HDR_LEN 28
#define PP_IKE_HDR_OFF_SPI_I 0
#define PP_IKE_HDR_OFF_SPI_R 8
#define PP_IKE_HDR_OFF_NEXT 16
#define PP_IKE_HDR_OFF_VERSION 17
#define PP_IKE_HDR_OFF_EXCHANGE 18
#define PP_IKE_HDR_OFF_FLAGS 19
#define PP_IKE_HDR_OFF_MSG_ID 20
#define PP_IKE_HDR_OFF_LENGTH 24
#define PP_IKE_SPI_LEN 8	/* IKE SA SPIs are 8 bytes (§3.1) */

#define PP_IKE_MAJOR_VERSION 2	/* drop higher, answer INVALID_MAJOR_VERSION
				 * (§2.5, §3.1) */
#define PP_IKE_MINOR_VERSION 0	/* sent as 0, ignored on receipt (§3.1) */
#define PP_IKE_VERSION 0x20	/* 2.0 as one byte */
#define PP_IKE_VERSION_MAJOR(v) ((uint8_t)((v) >> 4))
#define PP_IKE_VERSION_MINOR(v) ((uint8_t)((v)&0x0f))

/* Header flags (§3.1). The other five bits are sent as 0 and ignored on
 * receipt. */
#define PP_IKE_FLAG_I 0x08	/* sent by the original initiator */
#define PP_IKE_FLAG_V 0x10	/* sender can speak a higher major version */
#define PP_IKE_FLAG_R 0x20	/* this message is a response */
#define PP_IKE_FLAGS_KNOWN (PP_IKE_FLAG_I | PP_IKE_FLAG_V | PP_IKE_FLAG_R)

/* Message sizes (§2): every implementation MUST accept 1280 bytes and
 * SHOULD accept 3000; the Length field is 32 bits but a UDP datagram
 * carries at most 65535 - 8 bytes. */
#define PP_IKE_MSG_MUST_ACCEPT 1280
#define PP_IKE_MSG_SHOULD_ACCEPT 3000

/* ---------------------------------------------------------------------- */
/* Exchange types (§3.1; IANA "IKEv2 Exchange Types")                     */
/* ---------------------------------------------------------------------- */

#define PP_IKE_EXCH_IKE_SA_INIT 34	/* RFC 7296 §1.2 */
#define PP_IKE_EXCH_IKE_AUTH 35		/* RFC 7296 §1.2 */
#define PP_IKE_EXCH_CREATE_CHILD_SA 36	/* RFC 7296 §1.3 */
#define PP_IKE_EXCH_INFORMATIONAL 37	/* RFC 7296 §1.4 */
#define PP_IKE_EXCH_IKE_SESSION_RESUME 38 /* RFC 5723 (no rules here) */
#define PP_IKE_EXCH_IKE_INTERMEDIATE 43 /* RFC 9242 (no rules here) */
#define PP_IKE_EXCH_IKE_FOLLOWUP_KE 44	/* RFC 9370 (no rules here) */

/* ---------------------------------------------------------------------- */
/* Generic payload header (§3.2)                                          */
/* ---------------------------------------------------------------------- */

struct pp_ike_pld_hdr {
	uint8_t next;		/* type of the next payload, 0 = last */
	uint8_t flags;		/* C bit (0x80) + 7 reserved bits */
	uint16_t length_be;	/* includes these 4 bytes */
} __attribute__((packed));

#define PP_IKE_PLD_HDR_LEN 4
#define PP_IKE_PLD_OFF_NEXT 0
#define PP_IKE_PLD_OFF_FLAGS 1
#define PP_IKE_PLD_OFF_LENGTH 2
#define PP_IKE_PLD_CRITICAL 0x80 /* reject the message if the type is not
				  * understood; ignored for known types; sent
				  * as 0 for RFC 7296 payloads (§2.5, §3.2) */
#define PP_IKE_PLD_LEN_MAX 65535 /* Payload Length is 16 bits */

/* ---------------------------------------------------------------------- */
/* Payload types (§3.2; IANA "IKEv2 Payload Types")                       */
/* ---------------------------------------------------------------------- */

#define PP_IKE_PLD_NONE 0	/* No Next Payload (§3.2) */
#define PP_IKE_PLD_SA 33	/* Security Association (§3.3) */
#define PP_IKE_PLD_KE 34	/* Key Exchange (§3.4) */
#define PP_IKE_PLD_IDI 35	/* Identification - Initiator (§3.5) */
#define PP_IKE_PLD_IDR 36	/* Identification - Responder (§3.5) */
#define PP_IKE_PLD_CERT 37	/* Certificate (§3.6) */
#define PP_IKE_PLD_CERTREQ 38	/* Certificate Request (§3.7) */
#define PP_IKE_PLD_AUTH 39	/* Authentication (§3.8) */
#define PP_IKE_PLD_NONCE 40	/* Nonce Ni/Nr (§3.9) */
#define PP_IKE_PLD_NOTIFY 41	/* Notify (§3.10) */
#define PP_IKE_PLD_DELETE 42	/* Delete (§3.11) */
#define PP_IKE_PLD_VENDOR 43	/* Vendor ID (§3.12) */
#define PP_IKE_PLD_TSI 44	/* Traffic Selector - Initiator (§3.13) */
#define PP_IKE_PLD_TSR 45	/* Traffic Selector - Responder (§3.13) */
#define PP_IKE_PLD_SK 46	/* Encrypted and Authenticated (§3.14) */
#define PP_IKE_PLD_CP 47	/* Configuration (§3.15) */
#define PP_IKE_PLD_EAP 48	/* Extensible Authentication (§3.16) */
#define PP_IKE_PLD_GSPM 49	/* Generic Secure Password Method, RFC 6467 */
#define PP_IKE_PLD_SKF 53	/* Encrypted Fragment, RFC 7383 §2.5 */
#define PP_IKE_PLD_PS 54	/* Puzzle Solution, RFC 8019 */

/* ---------------------------------------------------------------------- */
/* SA payload: proposal and transform substructures (§3.3)               */
/* ---------------------------------------------------------------------- */

/* Proposal substructure (§3.3.1) */
struct pp_ike_proposal_hdr {
	uint8_t last;		/* PP_IKE_LAST_PROPOSAL / PP_IKE_MORE_PROPOSALS */
	uint8_t reserved;
	uint16_t length_be;	/* proposal incl. SPI and transforms */
	uint8_t num;		/* 1, 2, ... in a request; echoed in a reply */
	uint8_t protocol;	/* PP_IKE_PROTO_* */
	uint8_t spi_size;	/* 0 or 8 for IKE, 4 for AH/ESP */
	uint8_t n_transforms;
	/* SPI (spi_size bytes), then n_transforms transforms */
} __attribute__((packed));

#define PP_IKE_PROP_HDR_LEN 8
#define PP_IKE_PROP_OFF_LAST 0
#define PP_IKE_PROP_OFF_LENGTH 2
#define PP_IKE_PROP_OFF_NUM 4
#define PP_IKE_PROP_OFF_PROTOCOL 5
#define PP_IKE_PROP_OFF_SPI_SIZE 6
#define PP_IKE_PROP_OFF_N_TRANSFORMS 7
#define PP_IKE_PROP_OFF_SPI 8
#define PP_IKE_LAST_PROPOSAL 0	/* §3.3.1 */
#define PP_IKE_MORE_PROPOSALS 2 /* §3.3.1 (value of the IKEv1 payload type) */

/* Transform substructure (§3.3.2) */
struct pp_ike_transform_hdr {
	uint8_t last;		/* PP_IKE_LAST_TRANSFORM / PP_IKE_MORE_TRANSFORMS */
	uint8_t reserved1;
	uint16_t length_be;	/* transform incl. attributes */
	uint8_t type;		/* PP_IKE_TRANSFORM_* */
	uint8_t reserved2;
	uint16_t id_be;		/* PP_IKE_ENCR_* / _PRF_ / _INTEG_ / _DH_ / _ESN_ */
	/* attributes */
} __attribute__((packed));

#define PP_IKE_XF_HDR_LEN 8
#define PP_IKE_XF_OFF_LAST 0
#define PP_IKE_XF_OFF_LENGTH 2
#define PP_IKE_XF_OFF_TYPE 4
#define PP_IKE_XF_OFF_ID 6
#define PP_IKE_XF_OFF_ATTRS 8
#define PP_IKE_LAST_TRANSFORM 0	/* §3.3.2 */
#define PP_IKE_MORE_TRANSFORMS 3 /* §3.3.2 */

/* Transform attributes (§3.3.5): AF=1 -> TV (2-byte type, 2-byte value);
 * AF=0 -> TLV (2-byte type, 2-byte length, value). */
#define PP_IKE_ATTR_HDR_LEN 4
#define PP_IKE_ATTR_AF 0x8000	/* Attribute Format bit */
#define PP_IKE_ATTR_TYPE_MASK 0x7fff
#define PP_IKE_ATTR_KEY_LENGTH 14 /* key length in bits, TV only (§3.3.5) */

/* Security protocol IDs (§3.3.1; IANA "Security Protocol Identifiers") */
#define PP_IKE_PROTO_NONE 0	/* Notify/Delete without SPI (§3.10) */
#define PP_IKE_PROTO_IKE 1	/* §3.3.1 */
#define PP_IKE_PROTO_AH 2	/* §3.3.1 */
#define PP_IKE_PROTO_ESP 3	/* §3.3.1 */
#define PP_IKE_CHILD_SPI_LEN 4	/* AH/ESP SPI size (§3.3.1) */

/* Transform types (§3.3.2; IANA "Transform Type Values") */
#define PP_IKE_TRANSFORM_ENCR 1	 /* Encryption Algorithm (§3.3.2) */
#define PP_IKE_TRANSFORM_PRF 2	 /* Pseudorandom Function (§3.3.2) */
#define PP_IKE_TRANSFORM_INTEG 3 /* Integrity Algorithm (§3.3.2) */
#define PP_IKE_TRANSFORM_DH 4	 /* Key Exchange Method (D-H) (§3.3.2) */
#define PP_IKE_TRANSFORM_ESN 5	 /* Extended Sequence Numbers (§3.3.2) */
#define PP_IKE_TRANSFORM_ADDKE1 6 /* Additional Key Exchange 1, RFC 9370 */
#define PP_IKE_TRANSFORM_ADDKE7 12 /* ... through 7, RFC 9370 */

/* Transform type 1 IDs (§3.3.2; RFC 5282, RFC 7634, RFC 5529) */
#define PP_IKE_ENCR_3DES 3		/* RFC 2451 */
#define PP_IKE_ENCR_NULL 11		/* RFC 2410 (ESP only) */
#define PP_IKE_ENCR_AES_CBC 12		/* RFC 3602 */
#define PP_IKE_ENCR_AES_CTR 13		/* RFC 3686, RFC 5930 */
#define PP_IKE_ENCR_AES_CCM_8 14	/* RFC 4309, RFC 5282 */
#define PP_IKE_ENCR_AES_CCM_12 15	/* RFC 4309, RFC 5282 */
#define PP_IKE_ENCR_AES_CCM_16 16	/* RFC 4309, RFC 5282 */
#define PP_IKE_ENCR_AES_GCM_8 18	/* RFC 4106, RFC 5282 */
#define PP_IKE_ENCR_AES_GCM_12 19	/* RFC 4106, RFC 5282 */
#define PP_IKE_ENCR_AES_GCM_16 20	/* RFC 4106, RFC 5282 */
#define PP_IKE_ENCR_NULL_AUTH_AES_GMAC 21 /* RFC 4543 (ESP only) */
#define PP_IKE_ENCR_CAMELLIA_CBC 23	/* RFC 5529 */
#define PP_IKE_ENCR_CAMELLIA_CTR 24	/* RFC 5529 */
#define PP_IKE_ENCR_CHACHA20_POLY1305 28 /* RFC 7634 §2 */

/* Transform type 2 IDs (§3.3.2; RFC 4868, RFC 4615) */
#define PP_IKE_PRF_HMAC_MD5 1		/* RFC 2104 */
#define PP_IKE_PRF_HMAC_SHA1 2		/* RFC 2104 */
#define PP_IKE_PRF_AES128_XCBC 4	/* RFC 4434 */
#define PP_IKE_PRF_HMAC_SHA2_256 5	/* RFC 4868 §2.1 */
#define PP_IKE_PRF_HMAC_SHA2_384 6	/* RFC 4868 §2.1 */
#define PP_IKE_PRF_HMAC_SHA2_512 7	/* RFC 4868 §2.1 */
#define PP_IKE_PRF_AES128_CMAC 8	/* RFC 4615 */

/* Transform type 3 IDs (§3.3.2; RFC 4868, RFC 4543) */
#define PP_IKE_INTEG_NONE 0		/* AEAD ciphers (RFC 5282) */
#define PP_IKE_INTEG_HMAC_MD5_96 1	/* RFC 2403 */
#define PP_IKE_INTEG_HMAC_SHA1_96 2	/* RFC 2404 */
#define PP_IKE_INTEG_AES_XCBC_96 5	/* RFC 3566 */
#define PP_IKE_INTEG_AES_CMAC_96 8	/* RFC 4494 */
#define PP_IKE_INTEG_AES_128_GMAC 9	/* RFC 4543 */
#define PP_IKE_INTEG_AES_192_GMAC 10	/* RFC 4543 */
#define PP_IKE_INTEG_AES_256_GMAC 11	/* RFC 4543 */
#define PP_IKE_INTEG_HMAC_SHA2_256_128 12 /* RFC 4868 §2.2 */
#define PP_IKE_INTEG_HMAC_SHA2_384_192 13 /* RFC 4868 §2.2 */
#define PP_IKE_INTEG_HMAC_SHA2_512_256 14 /* RFC 4868 §2.2 */

/* Transform type 4 IDs: key exchange groups (§3.3.2, §3.4) with the KE
 * data length of each (RFC 7296 §3.4 MODP = prime length; RFC 5903 §7
 * ECP = x || y; RFC 8031 §2 Curve25519/448 = u). */
#define PP_IKE_DH_NONE 0		/* §3.3.2 */
#define PP_IKE_DH_MODP768 1		/* RFC 7296 App. B.1, 96 bytes */
#define PP_IKE_DH_MODP1024 2		/* RFC 7296 App. B.2, 128 bytes */
#define PP_IKE_DH_MODP1536 5		/* RFC 3526 §2, 192 bytes */
#define PP_IKE_DH_MODP2048 14		/* RFC 3526 §3, 256 bytes */
#define PP_IKE_DH_MODP3072 15		/* RFC 3526 §4, 384 bytes */
#define PP_IKE_DH_MODP4096 16		/* RFC 3526 §5, 512 bytes */
#define PP_IKE_DH_MODP6144 17		/* RFC 3526 §6, 768 bytes */
#define PP_IKE_DH_MODP8192 18		/* RFC 3526 §7, 1024 bytes */
#define PP_IKE_DH_ECP256 19		/* RFC 5903 §3.1, 64 bytes */
#define PP_IKE_DH_ECP384 20		/* RFC 5903 §3.2, 96 bytes */
#define PP_IKE_DH_ECP521 21		/* RFC 5903 §3.3, 132 bytes */
#define PP_IKE_DH_MODP1024_S160 22	/* RFC 5114, 128 bytes */
#define PP_IKE_DH_MODP2048_S224 23	/* RFC 5114, 256 bytes */
#define PP_IKE_DH_MODP2048_S256 24	/* RFC 5114, 256 bytes */
#define PP_IKE_DH_ECP192 25		/* RFC 5114, 48 bytes */
#define PP_IKE_DH_ECP224 26		/* RFC 5114, 56 bytes */
#define PP_IKE_DH_BRAINPOOL224 27	/* RFC 6954, 56 bytes */
#define PP_IKE_DH_BRAINPOOL256 28	/* RFC 6954, 64 bytes */
#define PP_IKE_DH_BRAINPOOL384 29	/* RFC 6954, 96 bytes */
#define PP_IKE_DH_BRAINPOOL512 30	/* RFC 6954, 128 bytes */
#define PP_IKE_DH_CURVE25519 31		/* RFC 8031 §2, 32 bytes */
#define PP_IKE_DH_CURVE448 32		/* RFC 8031 §2, 56 bytes */

/* Transform type 5 IDs (§3.3.2) */
#define PP_IKE_ESN_NO 0			/* 32-bit sequence numbers */
#define PP_IKE_ESN_YES 1		/* extended (64-bit) sequence numbers */

/* ---------------------------------------------------------------------- */
/* Key Exchange payload (§3.4)                                            */
/* ---------------------------------------------------------------------- */

struct pp_ike_ke_hdr {
	uint16_t group_be;	/* PP_IKE_DH_* */
	uint16_t reserved;
	/* Key Exchange Data */
} __attribute__((packed));

#define PP_IKE_KE_HDR_LEN 4
#define PP_IKE_KE_OFF_GROUP 0
#define PP_IKE_KE_OFF_DATA 4

/* ---------------------------------------------------------------------- */
/* Identification payloads IDi/IDr (§3.5)                                 */
/* ---------------------------------------------------------------------- */

struct pp_ike_id_hdr {
	uint8_t type;		/* PP_IKE_ID_* */
	uint8_t reserved[3];	/* part of the AUTH input as received (§2.15) */
	/* Identification Data */
} __attribute__((packed));

#define PP_IKE_ID_HDR_LEN 4
#define PP_IKE_ID_OFF_TYPE 0
#define PP_IKE_ID_OFF_DATA 4

/* ID types (§3.5; IANA "IKEv2 Identification Payload ID Types") */
#define PP_IKE_ID_IPV4_ADDR 1	/* 4 bytes (§3.5) */
#define PP_IKE_ID_FQDN 2	/* no NUL, no trailing dot (§3.5) */
#define PP_IKE_ID_RFC822_ADDR 3	/* user@domain (§3.5) */
#define PP_IKE_ID_IPV6_ADDR 5	/* 16 bytes (§3.5) */
#define PP_IKE_ID_DER_ASN1_DN 9	/* X.500 DN (§3.5) */
#define PP_IKE_ID_DER_ASN1_GN 10 /* X.509 GeneralName (§3.5) */
#define PP_IKE_ID_KEY_ID 11	/* opaque octets (§3.5) */
#define PP_IKE_ID_FC_NAME 12	/* RFC 4595 */
#define PP_IKE_ID_NULL 13	/* RFC 7619 */

/* ---------------------------------------------------------------------- */
/* Certificate and Certificate Request payloads (§3.6, §3.7)              */
/* ---------------------------------------------------------------------- */

struct pp_ike_cert_hdr {
	uint8_t encoding;	/* PP_IKE_CERT_* */
	/* Certificate Data / Certification Authority */
} __attribute__((packed));

#define PP_IKE_CERT_HDR_LEN 1
#define PP_IKE_CERT_OFF_ENCODING 0
#define PP_IKE_CERT_OFF_DATA 1
#define PP_IKE_CERTREQ_SHA1_LEN 20 /* CA = list of SHA-1 SPKI hashes (§3.7) */

/* Certificate encodings (§3.6; IANA "IKEv2 Certificate Encodings") */
#define PP_IKE_CERT_PKCS7_X509 1	/* deprecated (§3.6) */
#define PP_IKE_CERT_PGP 2		/* §3.6 */
#define PP_IKE_CERT_DNS_SIGNED_KEY 3	/* §3.6 */
#define PP_IKE_CERT_X509_SIG 4		/* DER X.509 certificate (§3.6) */
#define PP_IKE_CERT_KERBEROS 6		/* §3.6 */
#define PP_IKE_CERT_CRL 7		/* §3.6 */
#define PP_IKE_CERT_ARL 8		/* §3.6 */
#define PP_IKE_CERT_SPKI 9		/* §3.6 */
#define PP_IKE_CERT_X509_ATTR 10	/* §3.6 */
#define PP_IKE_CERT_RAW_RSA 11		/* deprecated by RFC 7670 */
#define PP_IKE_CERT_HASH_URL_X509 12	/* §3.6 */
#define PP_IKE_CERT_HASH_URL_BUNDLE 13	/* §3.6 */
#define PP_IKE_CERT_OCSP 14		/* RFC 4806 */
#define PP_IKE_CERT_RAW_PUBKEY 15	/* RFC 7670 */

/* ---------------------------------------------------------------------- */
/* Authentication payload (§3.8)                                          */
/* ---------------------------------------------------------------------- */

struct pp_ike_auth_hdr {
	uint8_t method;		/* PP_IKE_AUTH_* */
	uint8_t reserved[3];
	/* Authentication Data */
} __attribute__((packed));

#define PP_IKE_AUTH_HDR_LEN 4
#define PP_IKE_AUTH_OFF_METHOD 0
#define PP_IKE_AUTH_OFF_DATA 4

/* Authentication methods (§3.8; IANA "IKEv2 Authentication Method") */
#define PP_IKE_AUTH_RSA_SIG 1		/* RSASSA-PKCS1-v1_5 (§3.8) */
#define PP_IKE_AUTH_SHARED_KEY_MIC 2	/* PSK (§2.15, §3.8) */
#define PP_IKE_AUTH_DSS_SIG 3		/* §3.8 */
#define PP_IKE_AUTH_ECDSA_P256 9	/* RFC 4754 */
#define PP_IKE_AUTH_ECDSA_P384 10	/* RFC 4754 */
#define PP_IKE_AUTH_ECDSA_P521 11	/* RFC 4754 */
#define PP_IKE_AUTH_GSPAM 12		/* RFC 6467 */
#define PP_IKE_AUTH_NULL 13		/* RFC 7619 */
#define PP_IKE_AUTH_DIGITAL_SIG 14	/* RFC 7427 §3 */

/* ---------------------------------------------------------------------- */
/* Nonce payload (§3.9)                                                   */
/* ---------------------------------------------------------------------- */

#define PP_IKE_NONCE_MIN 16	/* §3.9: between 16 and 256 octets */
#define PP_IKE_NONCE_MAX 256

/* ---------------------------------------------------------------------- */
/* Notify payload (§3.10)                                                 */
/* ---------------------------------------------------------------------- */

struct pp_ike_notify_hdr {
	uint8_t protocol;	/* PP_IKE_PROTO_*; 0 and ignored if no SPI */
	uint8_t spi_size;	/* 0, or 4 for AH/ESP */
	uint16_t type_be;	/* PP_IKE_N_* */
	/* SPI (spi_size bytes), then Notification Data */
} __attribute__((packed));

#define PP_IKE_NOTIFY_HDR_LEN 4
#define PP_IKE_NOTIFY_OFF_PROTOCOL 0
#define PP_IKE_NOTIFY_OFF_SPI_SIZE 1
#define PP_IKE_NOTIFY_OFF_TYPE 2
#define PP_IKE_NOTIFY_OFF_SPI 4
#define PP_IKE_N_ERROR_MAX 16383 /* types below 16384 are errors (§3.10.1) */

/* Error types (§3.10.1; IANA "IKEv2 Notify Message Error Types") */
#define PP_IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD 1 /* data: 1-byte type (§3.10.1) */
#define PP_IKE_N_INVALID_IKE_SPI 4		/* §3.10.1 */
#define PP_IKE_N_INVALID_MAJOR_VERSION 5	/* §3.10.1 */
#define PP_IKE_N_INVALID_SYNTAX 7		/* §3.10.1 */
#define PP_IKE_N_INVALID_MESSAGE_ID 9		/* data: 4-byte MID (§3.10.1) */
#define PP_IKE_N_INVALID_SPI 11			/* §3.10.1 */
#define PP_IKE_N_NO_PROPOSAL_CHOSEN 14		/* §3.10.1 */
#define PP_IKE_N_INVALID_KE_PAYLOAD 17		/* data: 2-byte group (§3.10.1) */
#define PP_IKE_N_AUTHENTICATION_FAILED 24	/* §3.10.1 */
#define PP_IKE_N_SINGLE_PAIR_REQUIRED 34	/* §3.10.1 */
#define PP_IKE_N_NO_ADDITIONAL_SAS 35		/* §3.10.1 */
#define PP_IKE_N_INTERNAL_ADDRESS_FAILURE 36	/* §3.10.1 */
#define PP_IKE_N_FAILED_CP_REQUIRED 37		/* §3.10.1 */
#define PP_IKE_N_TS_UNACCEPTABLE 38		/* §3.10.1 */
#define PP_IKE_N_INVALID_SELECTORS 39		/* §3.10.1 */
#define PP_IKE_N_UNACCEPTABLE_ADDRESSES 40	/* RFC 4555 */
#define PP_IKE_N_UNEXPECTED_NAT_DETECTED 41	/* RFC 4555 */
#define PP_IKE_N_TEMPORARY_FAILURE 43		/* §3.10.1 */
#define PP_IKE_N_CHILD_SA_NOT_FOUND 44		/* §3.10.1 */

/* Status types (§3.10.1; IANA "IKEv2 Notify Message Status Types") */
#define PP_IKE_N_INITIAL_CONTACT 16384		/* §3.10.1 */
#define PP_IKE_N_SET_WINDOW_SIZE 16385		/* data: 4 bytes (§3.10.1) */
#define PP_IKE_N_ADDITIONAL_TS_POSSIBLE 16386	/* §3.10.1 */
#define PP_IKE_N_IPCOMP_SUPPORTED 16387		/* §3.10.1 */
#define PP_IKE_N_NAT_DETECTION_SOURCE_IP 16388	/* data: SHA-1, 20 (§2.23) */
#define PP_IKE_N_NAT_DETECTION_DESTINATION_IP 16389 /* data: SHA-1, 20 (§2.23) */
#define PP_IKE_N_COOKIE 16390			/* data: 1..64 bytes (§2.6) */
#define PP_IKE_N_USE_TRANSPORT_MODE 16391	/* §3.10.1 */
#define PP_IKE_N_HTTP_CERT_LOOKUP_SUPPORTED 16392 /* §3.10.1 */
#define PP_IKE_N_REKEY_SA 16393			/* proto AH/ESP + SPI (§1.3.3) */
#define PP_IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED 16394 /* §3.10.1 */
#define PP_IKE_N_NON_FIRST_FRAGMENTS_ALSO 16395 /* §3.10.1 */
#define PP_IKE_N_MOBIKE_SUPPORTED 16396		/* RFC 4555 */
#define PP_IKE_N_ADDITIONAL_IP4_ADDRESS 16397	/* RFC 4555 */
#define PP_IKE_N_ADDITIONAL_IP6_ADDRESS 16398	/* RFC 4555 */
#define PP_IKE_N_NO_ADDITIONAL_ADDRESSES 16399	/* RFC 4555 */
#define PP_IKE_N_UPDATE_SA_ADDRESSES 16400	/* RFC 4555 */
#define PP_IKE_N_COOKIE2 16401			/* RFC 4555 */
#define PP_IKE_N_NO_NATS_ALLOWED 16402		/* RFC 4555 */
#define PP_IKE_N_AUTH_LIFETIME 16403		/* RFC 4478 */
#define PP_IKE_N_MULTIPLE_AUTH_SUPPORTED 16404	/* RFC 4739 */
#define PP_IKE_N_ANOTHER_AUTH_FOLLOWS 16405	/* RFC 4739 */
#define PP_IKE_N_REDIRECT_SUPPORTED 16406	/* RFC 5685 */
#define PP_IKE_N_REDIRECT 16407			/* RFC 5685 */
#define PP_IKE_N_REDIRECTED_FROM 16408		/* RFC 5685 */
#define PP_IKE_N_EAP_ONLY_AUTHENTICATION 16417	/* RFC 5998 */
#define PP_IKE_N_CHILDLESS_IKEV2_SUPPORTED 16418 /* RFC 6023 */
#define PP_IKE_N_IKEV2_FRAGMENTATION_SUPPORTED 16430 /* RFC 7383 §2.3 */
#define PP_IKE_N_SIGNATURE_HASH_ALGORITHMS 16431 /* RFC 7427 §4; data: 2-byte
						  * hash IDs */
#define PP_IKE_N_USE_PPK 16435			/* RFC 8784 */
#define PP_IKE_N_PPK_IDENTITY 16436		/* RFC 8784 */
#define PP_IKE_N_NO_PPK_AUTH 16437		/* RFC 8784 */
#define PP_IKE_N_INTERMEDIATE_EXCHANGE_SUPPORTED 16438 /* RFC 9242 */

#define PP_IKE_NAT_D_LEN 20	/* SHA-1(SPIi | SPIr | IP | port), §2.23 */
#define PP_IKE_COOKIE_MIN 1	/* §2.6 */
#define PP_IKE_COOKIE_MAX 64	/* §2.6 */

/* ---------------------------------------------------------------------- */
/* Delete payload (§3.11)                                                 */
/* ---------------------------------------------------------------------- */

struct pp_ike_delete_hdr {
	uint8_t protocol;	/* PP_IKE_PROTO_IKE/AH/ESP */
	uint8_t spi_size;	/* 0 for IKE, 4 for AH/ESP */
	uint16_t n_spis_be;
	/* n_spis SPIs of spi_size bytes */
} __attribute__((packed));

#define PP_IKE_DELETE_HDR_LEN 4
#define PP_IKE_DELETE_OFF_PROTOCOL 0
#define PP_IKE_DELETE_OFF_SPI_SIZE 1
#define PP_IKE_DELETE_OFF_N_SPIS 2
#define PP_IKE_DELETE_OFF_SPIS 4

/* ---------------------------------------------------------------------- */
/* Vendor ID payload (§3.12): the body is the opaque Vendor ID.           */
/* ---------------------------------------------------------------------- */

/* ---------------------------------------------------------------------- */
/* Traffic Selector payloads TSi/TSr (§3.13)                              */
/* ---------------------------------------------------------------------- */

struct pp_ike_ts_hdr {
	uint8_t n_ts;		/* number of selectors */
	uint8_t reserved[3];
	/* selectors */
} __attribute__((packed));

#define PP_IKE_TS_HDR_LEN 4
#define PP_IKE_TS_OFF_N 0
#define PP_IKE_TS_OFF_SELECTORS 4

/* Traffic selector (§3.13.1) */
struct pp_ike_ts_sel_hdr {
	uint8_t type;		/* PP_IKE_TS_IPV4_ADDR_RANGE / _IPV6_ */
	uint8_t ip_proto;	/* 0 = any */
	uint16_t length_be;	/* 16 (IPv4) or 40 (IPv6) */
	uint16_t start_port_be;
	uint16_t end_port_be;
	/* Starting Address, Ending Address */
} __attribute__((packed));

#define PP_IKE_TS_SEL_HDR_LEN 8
#define PP_IKE_TS_SEL_OFF_TYPE 0
#define PP_IKE_TS_SEL_OFF_PROTO 1
#define PP_IKE_TS_SEL_OFF_LENGTH 2
#define PP_IKE_TS_SEL_OFF_START_PORT 4
#define PP_IKE_TS_SEL_OFF_END_PORT 6
#define PP_IKE_TS_SEL_OFF_START_ADDR 8
#define PP_IKE_TS_SEL_IPV4_LEN 16 /* 8 + 2 x 4 */
#define PP_IKE_TS_SEL_IPV6_LEN 40 /* 8 + 2 x 16 */
#define PP_IKE_TS_PORT_ANY_START 0	/* "any port": 0..65535 (§3.13.1) */
#define PP_IKE_TS_PORT_ANY_END 65535
#define PP_IKE_TS_PORT_OPAQUE_START 65535 /* "OPAQUE": start 65535, end 0
					   * (§3.13.1) */
#define PP_IKE_TS_PORT_OPAQUE_END 0

/* TS types (§3.13.1; IANA "IKEv2 Traffic Selector Types") */
#define PP_IKE_TS_IPV4_ADDR_RANGE 7	/* §3.13.1 */
#define PP_IKE_TS_IPV6_ADDR_RANGE 8	/* §3.13.1 */
#define PP_IKE_TS_FC_ADDR_RANGE 9	/* RFC 4595 (not parsed) */

/* ---------------------------------------------------------------------- */
/* Encrypted and Authenticated payload SK (§3.14) and Encrypted Fragment  */
/* payload SKF (RFC 7383 §2.5)                                            */
/* ---------------------------------------------------------------------- */

/* SK body: IV | encrypted (inner payloads | padding | pad length) | ICV.
 * The generic header's Next Payload is the type of the first inner
 * payload. For AEAD (RFC 5282) the AAD is everything from the first
 * byte of the IKE header to the end of the SK generic header. */
#define PP_IKE_SK_OFF_IV 0
#define PP_IKE_SK_PAD_LEN_LEN 1	/* the Pad Length byte (§3.14) */

/* SKF body: Fragment Number | Total Fragments | IV | encrypted | ICV. The
 * AAD extends to the end of Total Fragments (RFC 7383 §2.5). */
struct pp_ike_skf_hdr {
	uint16_t frag_num_be;	/* 1..total (RFC 7383 §2.5) */
	uint16_t frag_total_be;	/* >= 1 */
	/* IV, encrypted content, ICV */
} __attribute__((packed));

#define PP_IKE_SKF_HDR_LEN 4
#define PP_IKE_SKF_OFF_NUM 0
#define PP_IKE_SKF_OFF_TOTAL 2
#define PP_IKE_SKF_OFF_IV 4

/* Per-algorithm sizes of the SK payload */
#define PP_IKE_AEAD_IV_LEN 8	/* GCM, CCM (RFC 5282), ChaCha20 (RFC 7634) */
#define PP_IKE_CBC_IV_LEN 16	/* AES-CBC (RFC 3602 §3) */
#define PP_IKE_CBC_BLOCK 16

/* ---------------------------------------------------------------------- */
/* Configuration payload (§3.15)                                          */
/* ---------------------------------------------------------------------- */

struct pp_ike_cp_hdr {
	uint8_t cfg_type;	/* PP_IKE_CFG_* */
	uint8_t reserved[3];
	/* attributes */
} __attribute__((packed));

#define PP_IKE_CP_HDR_LEN 4
#define PP_IKE_CP_OFF_TYPE 0
#define PP_IKE_CP_OFF_ATTRS 4

/* Configuration attribute (§3.15.1): R bit (sent 0, ignored) + 15-bit
 * type, 2-byte value length, value. */
#define PP_IKE_CP_ATTR_HDR_LEN 4
#define PP_IKE_CP_ATTR_R 0x8000
#define PP_IKE_CP_ATTR_TYPE_MASK 0x7fff

/* CFG types (§3.15; IANA "IKEv2 Configuration Payload CFG Types") */
#define PP_IKE_CFG_REQUEST 1	/* §3.15 */
#define PP_IKE_CFG_REPLY 2	/* §3.15 */
#define PP_IKE_CFG_SET 3	/* §3.15 */
#define PP_IKE_CFG_ACK 4	/* §3.15 */

/* Attribute types (§3.15.1; IANA "IKEv2 Configuration Payload Attribute
 * Types"), with the value lengths allowed */
#define PP_IKE_CP_INTERNAL_IP4_ADDRESS 1	/* 0 or 4 (§3.15.1) */
#define PP_IKE_CP_INTERNAL_IP4_NETMASK 2	/* 0 or 4 (§3.15.1) */
#define PP_IKE_CP_INTERNAL_IP4_DNS 3		/* 0 or 4 (§3.15.1) */
#define PP_IKE_CP_INTERNAL_IP4_NBNS 4		/* 0 or 4 (§3.15.1) */
#define PP_IKE_CP_INTERNAL_IP4_DHCP 6		/* 0 or 4 (§3.15.1) */
#define PP_IKE_CP_APPLICATION_VERSION 7		/* 0 or more (§3.15.1) */
#define PP_IKE_CP_INTERNAL_IP6_ADDRESS 8	/* 0 or 17 (§3.15.1) */
#define PP_IKE_CP_INTERNAL_IP6_DNS 10		/* 0 or 16 (§3.15.1) */
#define PP_IKE_CP_INTERNAL_IP6_DHCP 12		/* 0 or 16 (§3.15.1) */
#define PP_IKE_CP_INTERNAL_IP4_SUBNET 13	/* 0 or 8 (§3.15.1) */
#define PP_IKE_CP_SUPPORTED_ATTRIBUTES 14	/* multiple of 2 (§3.15.1) */
#define PP_IKE_CP_INTERNAL_IP6_SUBNET 15	/* 17 (§3.15.1; 0 accepted) */
#define PP_IKE_CP_P_CSCF_IP4_ADDRESS 20		/* 0 or 4 (RFC 7651) */
#define PP_IKE_CP_P_CSCF_IP6_ADDRESS 21		/* 0 or 16 (RFC 7651) */
#define PP_IKE_CP_INTERNAL_DNS_DOMAIN 25	/* 0 or more (RFC 8598) */
#define PP_IKE_CP_INTERNAL_DNSSEC_TA 26		/* 0 or more (RFC 8598) */

/* ---------------------------------------------------------------------- */
/* EAP payload (§3.16): the body is one EAP message (RFC 3748 §4).        */
/* ---------------------------------------------------------------------- */

struct pp_ike_eap_hdr {
	uint8_t code;		/* PP_IKE_EAP_CODE_* */
	uint8_t identifier;
	uint16_t length_be;	/* the whole EAP message = the payload body */
	/* Type (Request/Response only), Type-Data */
} __attribute__((packed));

#define PP_IKE_EAP_HDR_LEN 4
#define PP_IKE_EAP_OFF_CODE 0
#define PP_IKE_EAP_OFF_ID 1
#define PP_IKE_EAP_OFF_LENGTH 2
#define PP_IKE_EAP_OFF_TYPE 4
#define PP_IKE_EAP_CODE_REQUEST 1	/* RFC 3748 §4 */
#define PP_IKE_EAP_CODE_RESPONSE 2	/* RFC 3748 §4 */
#define PP_IKE_EAP_CODE_SUCCESS 3	/* RFC 3748 §4, exactly 4 bytes */
#define PP_IKE_EAP_CODE_FAILURE 4	/* RFC 3748 §4, exactly 4 bytes */

#if !defined(__cplusplus)
_Static_assert(sizeof(struct pp_ike_hdr) == PP_IKE_HDR_LEN, "ike hdr");
_Static_assert(sizeof(struct pp_ike_pld_hdr) == PP_IKE_PLD_HDR_LEN, "pld hdr");
_Static_assert(sizeof(struct pp_ike_proposal_hdr) == PP_IKE_PROP_HDR_LEN,
	       "proposal hdr");
_Static_assert(sizeof(struct pp_ike_transform_hdr) == PP_IKE_XF_HDR_LEN,
	       "transform hdr");
_Static_assert(sizeof(struct pp_ike_ke_hdr) == PP_IKE_KE_HDR_LEN, "ke hdr");
_Static_assert(sizeof(struct pp_ike_id_hdr) == PP_IKE_ID_HDR_LEN, "id hdr");
_Static_assert(sizeof(struct pp_ike_auth_hdr) == PP_IKE_AUTH_HDR_LEN,
	       "auth hdr");
_Static_assert(sizeof(struct pp_ike_notify_hdr) == PP_IKE_NOTIFY_HDR_LEN,
	       "notify hdr");
_Static_assert(sizeof(struct pp_ike_delete_hdr) == PP_IKE_DELETE_HDR_LEN,
	       "delete hdr");
_Static_assert(sizeof(struct pp_ike_ts_hdr) == PP_IKE_TS_HDR_LEN, "ts hdr");
_Static_assert(sizeof(struct pp_ike_ts_sel_hdr) == PP_IKE_TS_SEL_HDR_LEN,
	       "ts sel hdr");
_Static_assert(sizeof(struct pp_ike_skf_hdr) == PP_IKE_SKF_HDR_LEN, "skf hdr");
_Static_assert(sizeof(struct pp_ike_cp_hdr) == PP_IKE_CP_HDR_LEN, "cp hdr");
_Static_assert(sizeof(struct pp_ike_eap_hdr) == PP_IKE_EAP_HDR_LEN, "eap hdr");
#endif

#ifdef __cplusplus
}
#endif

#endif /* PARAPASS_PP_IKE_WIRE_H */
