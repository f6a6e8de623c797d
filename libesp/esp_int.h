/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libesp internals: the SA object and helpers shared by the SA, outbound
 * and inbound files. Not installed.
 */
#ifndef LIBESP_ESP_INT_H
#define LIBESP_ESP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <parapass/pp_esp.h>
#include <parapass/pp_esp_wire.h>

#include "esp_crypto.h"

/* IPv6 extension headers walked before a packet is refused. */
#define V6_EXT_MAX 8
#include "esp_replay.h"

#define ESP_SA_MAGIC 0x45535041u /* "ESPA": set by init, cleared by fini */

/* Largest packet handled (an IPv6 header plus a maximal payload). */
#define ESP_LEN_MAX (PP_IPV6_HDR_LEN + PP_IPV6_PAYLOAD_MAX)

/* Log rate limit: the first ESP_LOG_BURST drop lines, then one per
 * ESP_LOG_EVERY drops (counted per SA, no clock needed). */
#define ESP_LOG_BURST 10u
#define ESP_LOG_EVERY 1000u

struct pp_esp_sa {
	/* --- read by every packet --- */
	uint32_t magic;
	uint32_t spi;
	uint32_t flags;
	uint8_t dir;		/* enum pp_esp_dir */
	uint8_t mode;		/* enum pp_esp_mode */
	uint8_t state;		/* enum pp_esp_sa_state */
	uint8_t dead_status;	/* status returned once DEAD */
	bool esn, udp, no_outer, tunnel;
	uint8_t outer_family;	/* tunnel outbound: 4 or 6; 0 otherwise */
	uint8_t outer_hlen;	/* size of hdr_tmpl (20 / 40), 0 if none */
	uint8_t ttl;
	uint16_t encap_sport, encap_dport;
	uint16_t tfc_pad_to;
	uint16_t ip_id;		/* IPv4 outer ID counter (no DF) */
	uint32_t max_pkt_len;	/* 0 = none */
	uint64_t seq;		/* outbound: last sequence number used */
	struct esp_crypto crypto;
	struct esp_replay replay; /* inbound */

	/* Precomputed outer IPv4/IPv6 header, lengths/checksum/ID zero. */
	uint8_t hdr_tmpl[PP_IPV6_HDR_LEN];
	uint32_t tmpl_csum;	/* IPv4: unfolded checksum sum of the template */

	struct pp_esp_sa_stats stats;
	uint64_t lim_pkts, lim_bytes; /* next packet/byte lifetime threshold */
	uint32_t headroom, tailroom;

	/* --- lifetimes and events --- */
	struct pp_esp_lifetime soft, hard;
	uint64_t created;
	bool soft_fired, hard_fired, exhausted_fired;
	pp_esp_event_fn event_fn;
	void *event_opaque;

	/* --- logging --- */
	pp_log_fn log_fn;
	void *log_opaque;
	uint64_t log_drops;

	/* --- configuration kept for getters/SAD/selectors --- */
	struct pp_esp_addr outer_src, outer_dst;
	const struct pp_esp_selector *sel; /* in the SA's own block */
	unsigned int n_sel;
	uint32_t ring_words;
	size_t size;		/* bytes of the block */
	bool heap;		/* created by pp_esp_sa_create() */

	/* Key material, wiped by fini. */
	uint8_t ckey[PP_ESP_KEY_MAX];
	uint8_t ikey[PP_ESP_KEY_MAX];
	uint8_t ckey_len, ikey_len;
	/* followed by: uint64_t ring[ring_words]; selectors[n_sel] */
};

/* ---- byte order (unaligned-safe) ---- */

static inline uint16_t ld16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t ld32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void st16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void st32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void st64(uint8_t *p, uint64_t v)
{
	st32(p, (uint32_t)(v >> 32));
	st32(p + 4, (uint32_t)v);
}

/* ---- Internet checksum (RFC 1071) ---- */

/* One's-complement sum of @len bytes (big-endian 16-bit words) added to
 * @sum; not folded. */
static inline uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t s = sum;

	while (len >= 2) {
		s += ld16(p);
		p += 2;
		len -= 2;
	}
	if (len)
		s += (uint32_t)p[0] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

static inline uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ---- shared internals ---- */

void esp_log(struct pp_esp_sa *sa, enum pp_log_level lvl, const char *fmt,
	     ...) __attribute__((format(printf, 3, 4)));
/* Log one dropped packet, rate-limited. */
void esp_log_drop(struct pp_esp_sa *sa, int status, uint64_t seq);

/* Fire the lifetime events due after stats changed (slow path). */
void esp_sa_limits(struct pp_esp_sa *sa);

/* Account one successful packet of @bytes payload bytes. */
static inline void esp_sa_count(struct pp_esp_sa *sa, uint32_t bytes)
{
	sa->stats.pkts++;
	sa->stats.bytes += bytes;
	if (sa->stats.pkts >= sa->lim_pkts || sa->stats.bytes >= sa->lim_bytes)
		esp_sa_limits(sa);
}

/* Record a dropped packet: status, counter, rate-limited log line. */
static inline void esp_drop(struct pp_esp_sa *sa, struct pp_pkt *p,
			    int status, uint64_t seq)
{
	p->status = status;
	sa->stats.drops[status]++;
	esp_log_drop(sa, status, seq);
}
/* Mark the SA dead because the outbound counter is exhausted. */
void esp_sa_exhausted(struct pp_esp_sa *sa);

/*
 * Parse the IP packet @ip/@len into a selector key: family, addresses,
 * protocol, ports. Returns false if the packet cannot be parsed.
 */
struct esp_flow {
	uint8_t family;
	uint8_t proto;
	bool ports;	   /* ports known (first fragment / unfragmented) */
	bool nonfirst;	   /* non-first fragment */
	uint16_t sport, dport;
	const uint8_t *src, *dst;
};
bool esp_flow_parse(const uint8_t *ip, size_t len, struct esp_flow *f);
bool esp_flow_match(const struct pp_esp_selector *sel,
		    const struct esp_flow *f);
/* Selector consistency (family, prefix lengths, port ranges). */
bool esp_selector_valid(const struct pp_esp_selector *sel);

#endif /* LIBESP_ESP_INT_H */
