/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libesp — the IPsec ESP data path (RFC 4303).
 *
 * Scope: SA objects (inbound and outbound, tunnel and transport mode),
 * burst encapsulation and decapsulation in place over struct pp_pkt,
 * anti-replay with 32-bit and 64-bit (ESN) sequence numbers, NAT-T UDP
 * encapsulation (RFC 3948), lifetimes, an SA database (SAD, by SPI) and a
 * security policy database (SPD, ordered selectors). IKE is out of scope
 * (see libike); so are IP fragmentation and reassembly.
 *
 * Threading: no global state, no threads, no I/O. One SA is used by one
 * thread at a time (the caller serialises calls on the same SA); different
 * SAs may be used concurrently. The SAD and SPD are read-only during lookups:
 * the caller serialises changes against lookups.
 *
 * Errors: control-path functions return 0 or a negative errno; data-path
 * burst functions return the number of packets that succeeded and leave a
 * per-packet status (enum pp_esp_status) in pkt->status.
 *
 * See docs/esp.md for the call sequence and ownership rules.
 */
#ifndef PARAPASS_PP_ESP_H
#define PARAPASS_PP_ESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <parapass/pp_common.h>
#include <parapass/pp_pkt.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------- */
/* Algorithms                                                             */
/* ---------------------------------------------------------------------- */

/* Encryption (or combined-mode) algorithm of an SA. */
enum pp_esp_cipher {
	PP_ESP_CIPHER_NULL = 0,		 /* RFC 2410; needs an integrity alg */
	PP_ESP_CIPHER_AES_CBC,		 /* RFC 3602; key 16 or 32 bytes */
	PP_ESP_CIPHER_AES_GCM_16,	 /* RFC 4106; key 16/32 + 4-byte salt */
	PP_ESP_CIPHER_CHACHA20_POLY1305, /* RFC 7634; key 32 + 4-byte salt */
};

/* Integrity algorithm (must be NONE with an AEAD cipher). */
enum pp_esp_integ {
	PP_ESP_INTEG_NONE = 0,
	PP_ESP_INTEG_HMAC_SHA256_128, /* RFC 4868; key 32, ICV 16 */
	PP_ESP_INTEG_HMAC_SHA384_192, /* RFC 4868; key 48, ICV 24 */
	PP_ESP_INTEG_HMAC_SHA512_256, /* RFC 4868; key 64, ICV 32 */
};

/* ---------------------------------------------------------------------- */
/* Per-packet status and counters                                         */
/* ---------------------------------------------------------------------- */

/*
 * Result of one packet in a burst, left in pkt->status. Every non-OK value
 * is also a drop counter in struct pp_esp_sa_stats.drops[].
 */
enum pp_esp_status {
	PP_ESP_OK = 0,
	PP_ESP_ERR_MALFORMED,	 /* truncated or inconsistent headers */
	PP_ESP_ERR_SPI,		 /* SPI (or outer destination) not this SA's */
	PP_ESP_ERR_REPLAY,	 /* sequence number already seen */
	PP_ESP_ERR_TOO_OLD,	 /* left of the anti-replay window */
	PP_ESP_ERR_ICV,		 /* integrity check failed */
	PP_ESP_ERR_PAD,		 /* bad padding length or contents */
	PP_ESP_ERR_NEXT_HDR,	 /* next header not valid for the SA's mode */
	PP_ESP_ERR_DUMMY,	 /* next header 59: dummy packet, discarded */
	PP_ESP_ERR_POLICY,	 /* inner packet outside the SA's selectors */
	PP_ESP_ERR_NOROOM,	 /* not enough headroom/tailroom */
	PP_ESP_ERR_OVERSIZE,	 /* result larger than the SA's max size */
	PP_ESP_ERR_SEQ_EXHAUSTED, /* outbound counter would wrap: rekey */
	PP_ESP_ERR_EXPIRED,	 /* hard lifetime reached: SA is dead */
	PP_ESP_ERR_CRYPTO,	 /* crypto library failure (internal) */
	PP_ESP_STATUS_COUNT
};

/* Short stable name of a status ("icv", "replay", ...). */
PP_EXPORT const char *pp_esp_status_name(int status);

struct pp_esp_sa_stats {
	uint64_t pkts;	/* packets processed successfully */
	uint64_t bytes; /* payload bytes of those packets (inner, plaintext) */
	uint64_t drops[PP_ESP_STATUS_COUNT]; /* [0] unused */
};

/* ---------------------------------------------------------------------- */
/* SA parameters                                                          */
/* ---------------------------------------------------------------------- */

enum pp_esp_dir {
	PP_ESP_DIR_OUTBOUND = 0,
	PP_ESP_DIR_INBOUND = 1,
};

enum pp_esp_mode {
	PP_ESP_MODE_TUNNEL = 0,
	PP_ESP_MODE_TRANSPORT = 1,
};

/* An IPv4 or IPv6 address in network byte order. */
struct pp_esp_addr {
	uint8_t family; /* 4 or 6; 0 = unset */
	uint8_t bytes[16]; /* IPv4 uses the first 4 */
};

/* Lifetime limits; 0 means "no limit" for that field. */
struct pp_esp_lifetime {
	uint64_t bytes;	  /* payload bytes */
	uint64_t packets; /* packets */
	uint64_t seconds; /* since the SA was created (see 'now' below) */
};

/* SA flags */
#define PP_ESP_SA_F_ESN (1u << 0)	 /* 64-bit extended sequence numbers */
#define PP_ESP_SA_F_UDP_ENCAP (1u << 1) /* RFC 3948 ESP in UDP */
/*
 * The caller owns the outer IP (and UDP) headers, e.g. an application that
 * sends through a UDP socket: outbound emits the packet from the SPI on,
 * inbound takes it from the SPI on. Without it, outbound emits and inbound
 * expects a complete outer IP packet.
 */
#define PP_ESP_SA_F_NO_OUTER (1u << 2)
#define PP_ESP_SA_F_NO_REPLAY (1u << 3) /* inbound: skip anti-replay */
/* Inbound tunnel: check the inner packet against the selectors below. */
#define PP_ESP_SA_F_CHECK_SELECTORS (1u << 4)
#define PP_ESP_SA_F_COPY_DSCP (1u << 5) /* tunnel: copy DSCP/ECN outward */
#define PP_ESP_SA_F_ALL                                                  \
	(PP_ESP_SA_F_ESN | PP_ESP_SA_F_UDP_ENCAP | PP_ESP_SA_F_NO_OUTER |  \
	 PP_ESP_SA_F_NO_REPLAY | PP_ESP_SA_F_CHECK_SELECTORS |             \
	 PP_ESP_SA_F_COPY_DSCP)

#define PP_ESP_REPLAY_WINDOW_DEFAULT 1024u
#define PP_ESP_REPLAY_WINDOW_MAX 131072u
#define PP_ESP_KEY_MAX 64

/*
 * A traffic selector: IP prefix pairs, protocol and port ranges
 * (RFC 4301 §4.4.1). proto 0 = any; port ranges are inclusive and ignored
 * unless proto is TCP (6), UDP (17) or SCTP (132).
 */
struct pp_esp_selector {
	uint8_t family; /* 4 or 6 */
	uint8_t proto;
	uint8_t src_plen, dst_plen;
	uint8_t src[16], dst[16];
	uint16_t sport_lo, sport_hi;
	uint16_t dport_lo, dport_hi;
};

enum pp_esp_event {
	PP_ESP_EVENT_SOFT_EXPIRED = 1, /* a soft limit was reached: rekey */
	PP_ESP_EVENT_HARD_EXPIRED,     /* a hard limit was reached: SA dead */
	PP_ESP_EVENT_SEQ_EXHAUSTED,    /* outbound counter cannot advance */
};

struct pp_esp_sa;

/*
 * Event callback. Called from inside a burst or pp_esp_sa_tick() call, at
 * most once per event per SA. It must not call back into the same SA.
 */
typedef void (*pp_esp_event_fn)(void *opaque, struct pp_esp_sa *sa,
				enum pp_esp_event ev);

struct pp_esp_sa_params {
	enum pp_esp_dir dir;
	enum pp_esp_mode mode;
	uint32_t spi; /* host order; 0..255 rejected (RFC 4303 §2.1) */
	uint32_t flags; /* PP_ESP_SA_F_*; unknown bits rejected */

	enum pp_esp_cipher cipher;
	const uint8_t *cipher_key; /* AEAD: key followed by the 4-byte salt */
	size_t cipher_key_len;
	enum pp_esp_integ integ;
	const uint8_t *integ_key;
	size_t integ_key_len;

	/*
	 * Outer addresses. Tunnel mode: the outer header's source and
	 * destination (outbound) / the expected destination (inbound; a
	 * family of 0 accepts any). Transport mode: unused.
	 */
	struct pp_esp_addr outer_src, outer_dst;
	uint8_t outer_ttl; /* tunnel outbound; 0 = 64 */

	/* NAT-T (with PP_ESP_SA_F_UDP_ENCAP), host order; 0 = 4500. */
	uint16_t encap_sport, encap_dport;

	/* Inbound anti-replay window in packets; 0 = default. */
	uint32_t replay_window;

	/*
	 * Outbound TFC padding (RFC 4303 §2.7), tunnel mode only: pad the
	 * inner packet with zeros up to this many bytes. 0 = off.
	 */
	uint16_t tfc_pad_to;

	/* Largest packet an outbound call may produce (0 = no limit). */
	uint32_t max_pkt_len;

	/* Inbound tunnel selectors (with PP_ESP_SA_F_CHECK_SELECTORS). */
	const struct pp_esp_selector *selectors;
	unsigned int n_selectors; /* at most PP_ESP_SELECTORS_MAX */

	struct pp_esp_lifetime soft, hard;
	uint64_t now; /* creation time, seconds, any epoch; see tick() */

	pp_esp_event_fn event_fn;
	void *event_opaque;
	pp_log_fn log_fn; /* optional; rate-limited inside */
	void *log_opaque;

	/* First outbound sequence number minus one; for tests. 0 = fresh. */
	uint64_t initial_seq;
};

#define PP_ESP_SELECTORS_MAX 16

/* ---------------------------------------------------------------------- */
/* SA lifecycle                                                           */
/* ---------------------------------------------------------------------- */

/*
 * Caller-allocated form. pp_esp_sa_size() returns the bytes an SA built from
 * @prm needs (>0), or a negative errno if @prm is invalid. pp_esp_sa_init()
 * builds the SA in @mem (which must be suitably aligned for uint64_t and
 * @size bytes long: -ENOSPC if too small). Keys are copied; @prm may be
 * discarded after the call. pp_esp_sa_fini() wipes the keys and frees
 * crypto contexts; the memory stays the caller's.
 *
 * Errors: -EINVAL (bad parameter, the log callback names which), -ENOSPC,
 * -ENOTSUP (algorithm not available in the crypto library), -ENOMEM.
 */
PP_EXPORT ssize_t pp_esp_sa_size(const struct pp_esp_sa_params *prm);
PP_EXPORT int pp_esp_sa_init(struct pp_esp_sa *mem,
			     const struct pp_esp_sa_params *prm, size_t size);
PP_EXPORT void pp_esp_sa_fini(struct pp_esp_sa *sa);

/* Heap form: the same, allocating with malloc. */
PP_EXPORT int pp_esp_sa_create(const struct pp_esp_sa_params *prm,
			       struct pp_esp_sa **out);
PP_EXPORT void pp_esp_sa_destroy(struct pp_esp_sa *sa);

PP_EXPORT uint32_t pp_esp_sa_spi(const struct pp_esp_sa *sa);
PP_EXPORT enum pp_esp_dir pp_esp_sa_dir(const struct pp_esp_sa *sa);
PP_EXPORT void pp_esp_sa_get_stats(const struct pp_esp_sa *sa,
				   struct pp_esp_sa_stats *out);
/* Outbound: last sequence number sent. Inbound: right edge of the window. */
PP_EXPORT uint64_t pp_esp_sa_seq(const struct pp_esp_sa *sa);

/*
 * Worst-case bytes an outbound call adds in front of the payload (outer
 * headers, ESP header, IV) and behind it (padding, trailer, ICV, TFC).
 * Callers size headroom and tailroom with these.
 */
PP_EXPORT uint32_t pp_esp_sa_headroom(const struct pp_esp_sa *sa);
PP_EXPORT uint32_t pp_esp_sa_tailroom(const struct pp_esp_sa *sa);
/* Largest inner packet that fits in an outer packet of @mtu bytes. */
PP_EXPORT uint32_t pp_esp_sa_inner_mtu(const struct pp_esp_sa *sa,
				       uint32_t mtu);

enum pp_esp_sa_state {
	PP_ESP_SA_ALIVE = 0,
	PP_ESP_SA_SOFT_EXPIRED,
	PP_ESP_SA_DEAD, /* hard-expired or sequence exhausted */
};
PP_EXPORT enum pp_esp_sa_state pp_esp_sa_state(const struct pp_esp_sa *sa);

/*
 * Evaluate time-based lifetimes at time @now (seconds, same epoch as
 * prm->now). Fires events as needed; returns the new state.
 */
PP_EXPORT enum pp_esp_sa_state pp_esp_sa_tick(struct pp_esp_sa *sa,
					      uint64_t now);

/* ---------------------------------------------------------------------- */
/* Data path                                                              */
/* ---------------------------------------------------------------------- */

/*
 * Outbound, in place. Packet shapes (in -> out):
 *
 *   tunnel               inner IPv4/IPv6 packet -> outer IP [UDP] ESP
 *   tunnel + NO_OUTER    inner IPv4/IPv6 packet -> ESP (from the SPI on; no
 *                        UDP header even with UDP_ENCAP: the socket adds it)
 *   transport            IPv4/IPv6 packet -> the same IP header [UDP] ESP
 *                        (IPv6: ESP follows hop-by-hop, routing and atomic
 *                        fragment headers, RFC 4303 §3.1.1; fragments of a
 *                        datagram are refused in either family)
 *   transport + NO_OUTER upper-layer payload, pkt->meta = its next header
 *                        (0..255) -> ESP
 *
 * where ESP = SPI, sequence number, IV, encrypted payload and trailer, ICV.
 * Needs pp_esp_sa_headroom() and
 * pp_esp_sa_tailroom() bytes of room. At most PP_BURST_MAX packets.
 *
 * Returns the number of packets with status PP_ESP_OK. A failed packet is
 * left for the caller (never freed) with its data unspecified but within
 * its buffer; it must not be sent.
 */
PP_EXPORT unsigned int pp_esp_outbound(struct pp_esp_sa *sa,
				       struct pp_pkt *pkts[], unsigned int n);

/*
 * Inbound, in place. Each packet holds what pp_esp_outbound() produces for
 * the peer's SA (the same shapes, reversed). On success: tunnel mode leaves
 * the inner IP packet (TFC padding stripped); transport mode leaves the
 * reassembled IP packet (outer header with the next header as protocol);
 * transport + NO_OUTER leaves the decrypted upper-layer payload.
 * pkt->meta is set to the next header value. Checks run in RFC 4303 §3.4
 * order: outer header, SPI, anti-replay pre-check, ICV (constant time),
 * window update, decryption, padding, next header, inner packet, selectors.
 * A failed packet has not been decrypted in place, or has been wiped: no
 * plaintext of a failed packet is left in its buffer.
 */
PP_EXPORT unsigned int pp_esp_inbound(struct pp_esp_sa *sa,
				      struct pp_pkt *pkts[], unsigned int n);

/* ---------------------------------------------------------------------- */
/* Parsing helpers                                                        */
/* ---------------------------------------------------------------------- */

/* Classification of a UDP payload received on a NAT-T port (RFC 3948 §2). */
enum pp_esp_natt_kind {
	PP_ESP_NATT_INVALID = 0,
	PP_ESP_NATT_ESP,       /* ESP packet: first 4 bytes are a nonzero SPI */
	PP_ESP_NATT_IKE,       /* non-ESP marker: IKE follows the 4 zeros */
	PP_ESP_NATT_KEEPALIVE, /* single 0xFF byte */
};
PP_EXPORT enum pp_esp_natt_kind pp_esp_natt_classify(const uint8_t *payload,
						     size_t len);

/*
 * Find the SPI and outer destination of an ESP packet held in @pkt.
 * With @udp_encap the outer header must be UDP to @encap_port (host order,
 * 0 = 4500) carrying ESP; without, the protocol must be 50. With
 * @no_outer the packet starts at the SPI (dst is then zeroed).
 * Returns 0, -EPROTO (not ESP: e.g. an IKE or keepalive UDP payload on
 * the NAT-T port, or another protocol) or -EINVAL (malformed).
 */
PP_EXPORT int pp_esp_pkt_spi(const struct pp_pkt *pkt, bool udp_encap,
			     uint16_t encap_port, bool no_outer,
			     uint32_t *spi, struct pp_esp_addr *dst);

/* ---------------------------------------------------------------------- */
/* SAD: inbound SAs by SPI (and outer destination)                        */
/* ---------------------------------------------------------------------- */

struct pp_esp_sad;

struct pp_esp_sad_params {
	uint32_t capacity; /* maximum number of SAs; fixed at creation */
	bool match_dst;	   /* key on (SPI, outer destination) */
};

PP_EXPORT int pp_esp_sad_create(const struct pp_esp_sad_params *prm,
				struct pp_esp_sad **out);
PP_EXPORT void pp_esp_sad_destroy(struct pp_esp_sad *sad);
/*
 * Add an inbound SA (the SAD keeps a reference; the caller keeps ownership
 * and must remove it before destroying it). -EEXIST, -ENOSPC, -EINVAL.
 */
PP_EXPORT int pp_esp_sad_add(struct pp_esp_sad *sad, struct pp_esp_sa *sa);
PP_EXPORT int pp_esp_sad_del(struct pp_esp_sad *sad, struct pp_esp_sa *sa);
/* NULL if no SA; @dst is ignored unless match_dst. O(1) expected. */
PP_EXPORT struct pp_esp_sa *pp_esp_sad_lookup(const struct pp_esp_sad *sad,
					      uint32_t spi,
					      const struct pp_esp_addr *dst);

/* ---------------------------------------------------------------------- */
/* SPD: ordered outbound policy                                           */
/* ---------------------------------------------------------------------- */

enum pp_esp_action {
	PP_ESP_ACTION_DISCARD = 0, /* also the verdict when nothing matches */
	PP_ESP_ACTION_BYPASS,
	PP_ESP_ACTION_PROTECT,
};

struct pp_esp_spd;

struct pp_esp_spd_rule {
	struct pp_esp_selector sel;
	enum pp_esp_action action;
	struct pp_esp_sa *sa; /* PROTECT only (may be NULL: "no SA yet") */
	uint32_t priority;    /* lower first; equal priorities keep order */
};

PP_EXPORT int pp_esp_spd_create(uint32_t capacity, struct pp_esp_spd **out);
PP_EXPORT void pp_esp_spd_destroy(struct pp_esp_spd *spd);
/* Returns a rule id (>= 0) or -ENOSPC / -EINVAL. */
PP_EXPORT int pp_esp_spd_add(struct pp_esp_spd *spd,
			     const struct pp_esp_spd_rule *rule);
PP_EXPORT int pp_esp_spd_del(struct pp_esp_spd *spd, int rule_id);
/* Point a PROTECT rule at a new SA (rekey); NULL = "no SA". */
PP_EXPORT int pp_esp_spd_set_sa(struct pp_esp_spd *spd, int rule_id,
				struct pp_esp_sa *sa);
/*
 * Look up the IP packet @ip (@len bytes) in order. Returns the action of
 * the first matching rule (DISCARD when none matches or the packet cannot be
 * parsed) and, for PROTECT, the SA in *sa (may be NULL) and rule id in *rule.
 */
PP_EXPORT enum pp_esp_action pp_esp_spd_lookup(const struct pp_esp_spd *spd,
					       const uint8_t *ip, size_t len,
					       struct pp_esp_sa **sa,
					       int *rule_id);

/* True if the IP packet @ip matches @sel (exported for tests and the SPD). */
PP_EXPORT bool pp_esp_selector_match(const struct pp_esp_selector *sel,
				     const uint8_t *ip, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* PARAPASS_PP_ESP_H */
