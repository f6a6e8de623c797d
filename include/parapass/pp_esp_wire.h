/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ESP, IPv4, IPv6 and UDP wire formats used by libesp.
 *
 * All multi-byte fields are big-endian on the wire; struct fields that hold
 * a big-endian value carry a _be suffix. The structs are packed and only
 * document the layouts: code that parses untrusted packets should read the
 * fields at the PP_*_OFF_* offsets with explicit byte-order loads rather than
 * cast a pointer into the packet.
 */
#ifndef PARAPASS_PP_ESP_WIRE_H
#define PARAPASS_PP_ESP_WIRE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------- */
/* IP protocol / next header numbers (IANA "Assigned Internet Protocol    */
/* Numbers")                                                              */
/* ---------------------------------------------------------------------- */

#define PP_IPPROTO_HOPOPTS 0	/* IPv6 hop-by-hop options, RFC 8200 §4.3 */
#define PP_IPPROTO_ICMP 1	/* RFC 792 */
#define PP_IPPROTO_IPIP 4	/* IPv4 in IP: ESP tunnel next header, RFC 2003 */
#define PP_IPPROTO_TCP 6	/* RFC 9293 */
#define PP_IPPROTO_UDP 17	/* RFC 768 */
#define PP_IPPROTO_IPV6 41	/* IPv6 in IP: ESP tunnel next header, RFC 2473 */
#define PP_IPPROTO_ROUTING 43	/* IPv6 routing header, RFC 8200 §4.4 */
#define PP_IPPROTO_FRAGMENT 44	/* IPv6 fragment header, RFC 8200 §4.5 */
#define PP_IPPROTO_ESP 50	/* RFC 4303 */
#define PP_IPPROTO_AH 51	/* RFC 4302 */
#define PP_IPPROTO_ICMPV6 58	/* RFC 4443 */
#define PP_IPPROTO_NONE 59	/* no next header; ESP dummy packet, RFC 4303 §2.6 */
#define PP_IPPROTO_DSTOPTS 60	/* IPv6 destination options, RFC 8200 §4.6 */
#define PP_IPPROTO_SCTP 132	/* RFC 9260 */

/* ---------------------------------------------------------------------- */
/* ESP (RFC 4303 §2)                                                      */
/* ---------------------------------------------------------------------- */

/* ESP header: SPI and the low 32 bits of the sequence number (§2.1, §2.2) */
struct pp_esp_hdr {
	uint32_t spi_be;
	uint32_t seq_be;
} __attribute__((packed));

/* ESP trailer, right before the ICV (§2.4, §2.5, §2.6) */
struct pp_esp_trailer {
	uint8_t pad_len;
	uint8_t next_hdr;
} __attribute__((packed));

#define PP_ESP_HDR_LEN 8	/* SPI + sequence number */
#define PP_ESP_OFF_SPI 0
#define PP_ESP_OFF_SEQ 4
#define PP_ESP_TRAILER_LEN 2	/* pad length + next header */
#define PP_ESP_PAD_MAX 255	/* pad length is one byte (§2.4) */
#define PP_ESP_ALIGN 4		/* trailer ends on a 4-byte boundary (§2.4) */
#define PP_ESP_SPI_MIN 256	/* 0 local use, 1..255 reserved by IANA (§2.1) */

/* Per-algorithm sizes */
#define PP_ESP_AEAD_IV_LEN 8	/* explicit IV of GCM (RFC 4106 §3.1) and
				 * ChaCha20-Poly1305 (RFC 7634 §2) */
#define PP_ESP_AEAD_SALT_LEN 4	/* salt = last 4 KEYMAT bytes (RFC 4106 §8.1) */
#define PP_ESP_AEAD_NONCE_LEN 12 /* salt || explicit IV */
#define PP_ESP_AEAD_ICV_LEN 16	/* full-length tag (RFC 4106 §6, RFC 7634) */
#define PP_ESP_AEAD_AAD_LEN 8	/* SPI || seq (RFC 4106 §5) */
#define PP_ESP_AEAD_AAD_ESN_LEN 12 /* SPI || seq_hi || seq_lo */
#define PP_ESP_CBC_IV_LEN 16	/* AES-CBC, random IV (RFC 3602 §3) */
#define PP_ESP_CBC_BLOCK 16	/* ciphertext is whole AES blocks */
#define PP_ESP_ESN_HI_LEN 4	/* seq_hi appended to the ICV input (§2.2.1) */

/* ICV lengths of the HMAC-SHA-2 integrity algorithms (RFC 4868 §2.3) */
#define PP_ESP_HMAC_SHA256_128_ICV_LEN 16
#define PP_ESP_HMAC_SHA384_192_ICV_LEN 24
#define PP_ESP_HMAC_SHA512_256_ICV_LEN 32
#define PP_ESP_ICV_MAX 32

/* ---------------------------------------------------------------------- */
/* IPv4 (RFC 791)                                                         */
/* ---------------------------------------------------------------------- */

struct pp_ipv4_hdr {
	uint8_t ver_ihl;	/* version 4 (high nibble), IHL in words */
	uint8_t tos;		/* DSCP (6 bits) + ECN (2 bits), RFC 2474/3168 */
	uint16_t tot_len_be;	/* header + payload */
	uint16_t id_be;
	uint16_t frag_off_be;	/* flags (3 bits) + fragment offset (13) */
	uint8_t ttl;
	uint8_t proto;
	uint16_t csum_be;	/* header checksum, RFC 1071 */
	uint8_t src[4];
	uint8_t dst[4];
} __attribute__((packed));

#define PP_IPV4_HDR_LEN 20	/* without options */
#define PP_IPV4_HDR_MAX 60	/* IHL 15 */
#define PP_IPV4_OFF_VER_IHL 0
#define PP_IPV4_OFF_TOS 1
#define PP_IPV4_OFF_TOT_LEN 2
#define PP_IPV4_OFF_ID 4
#define PP_IPV4_OFF_FRAG 6
#define PP_IPV4_OFF_TTL 8
#define PP_IPV4_OFF_PROTO 9
#define PP_IPV4_OFF_CSUM 10
#define PP_IPV4_OFF_SRC 12
#define PP_IPV4_OFF_DST 16
#define PP_IPV4_F_DF 0x4000	/* don't fragment */
#define PP_IPV4_F_MF 0x2000	/* more fragments */
#define PP_IPV4_FRAG_MASK 0x1fff /* fragment offset in 8-byte units */
#define PP_IPV4_TOT_LEN_MAX 65535

/* ---------------------------------------------------------------------- */
/* IPv6 (RFC 8200)                                                        */
/* ---------------------------------------------------------------------- */

struct pp_ipv6_hdr {
	uint32_t vtc_flow_be;	/* version 6 (4 bits), traffic class (8),
				 * flow label (20) */
	uint16_t payload_len_be; /* bytes after this 40-byte header */
	uint8_t next_hdr;
	uint8_t hop_limit;
	uint8_t src[16];
	uint8_t dst[16];
} __attribute__((packed));

/* Hop-by-hop, routing and destination options headers (RFC 8200 §4.3-4.6) */
struct pp_ipv6_ext_hdr {
	uint8_t next_hdr;
	uint8_t len;		/* in 8-byte units, not counting the first 8 */
} __attribute__((packed));

/* Fragment header (RFC 8200 §4.5) */
struct pp_ipv6_frag_hdr {
	uint8_t next_hdr;
	uint8_t reserved;
	uint16_t frag_off_be;	/* offset (13 bits, 8-byte units), 2 res, M */
	uint32_t ident_be;
} __attribute__((packed));

#define PP_IPV6_HDR_LEN 40
#define PP_IPV6_OFF_PAYLOAD_LEN 4
#define PP_IPV6_OFF_NEXT_HDR 6
#define PP_IPV6_OFF_HOP_LIMIT 7
#define PP_IPV6_OFF_SRC 8
#define PP_IPV6_OFF_DST 24
#define PP_IPV6_FRAG_HDR_LEN 8
#define PP_IPV6_FRAG_OFF_MASK 0xfff8 /* of frag_off_be, host order */
#define PP_IPV6_FRAG_M 0x0001
#define PP_IPV6_PAYLOAD_MAX 65535 /* without jumbograms (RFC 2675) */

/* ---------------------------------------------------------------------- */
/* UDP (RFC 768) and UDP encapsulation of ESP (RFC 3948)                  */
/* ---------------------------------------------------------------------- */

struct pp_udp_hdr {
	uint16_t sport_be;
	uint16_t dport_be;
	uint16_t len_be;	/* header + payload */
	uint16_t csum_be;	/* IPv4: 0 for UDP-encapsulated ESP (RFC 3948
				 * §2.1); IPv6: mandatory (RFC 8200 §8.1) */
} __attribute__((packed));

#define PP_UDP_HDR_LEN 8
#define PP_UDP_OFF_SPORT 0
#define PP_UDP_OFF_DPORT 2
#define PP_UDP_OFF_LEN 4
#define PP_UDP_OFF_CSUM 6

#define PP_IKE_PORT 500		/* RFC 7296 §2 */
#define PP_NATT_PORT 4500	/* RFC 3948 §2, RFC 7296 §2.23 */
#define PP_NATT_NON_ESP_MARKER_LEN 4 /* four zero bytes before IKE (§2.2) */
#define PP_NATT_KEEPALIVE_BYTE 0xff /* one-byte NAT-keepalive (§2.3) */

#if !defined(__cplusplus)
_Static_assert(sizeof(struct pp_esp_hdr) == PP_ESP_HDR_LEN, "esp hdr");
_Static_assert(sizeof(struct pp_esp_trailer) == PP_ESP_TRAILER_LEN, "trailer");
_Static_assert(sizeof(struct pp_ipv4_hdr) == PP_IPV4_HDR_LEN, "ipv4 hdr");
_Static_assert(sizeof(struct pp_ipv6_hdr) == PP_IPV6_HDR_LEN, "ipv6 hdr");
_Static_assert(sizeof(struct pp_ipv6_frag_hdr) == PP_IPV6_FRAG_HDR_LEN,
	       "ipv6 frag hdr");
_Static_assert(sizeof(struct pp_udp_hdr) == PP_UDP_HDR_LEN, "udp hdr");
#endif

#ifdef __cplusplus
}
#endif

#endif /* PARAPASS_PP_ESP_WIRE_H */
