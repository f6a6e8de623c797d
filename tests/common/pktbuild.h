/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Packet helpers shared by the test suites: IPv4/IPv6/UDP builders,
 * Internet checksums (RFC 1071), big-endian accessors, exact-size heap
 * packet buffers (so that ASan catches any access outside them), a seeded
 * PRNG and pattern search.
 */
#ifndef PP_TESTS_PKTBUILD_H
#define PP_TESTS_PKTBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <parapass/pp_pkt.h>

#define PB_IPV4_HLEN 20
#define PB_IPV6_HLEN 40
#define PB_UDP_HLEN 8

static inline uint16_t pb_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t pb_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void pb_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void pb_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One's-complement sum of @len bytes added to @acc (not folded). */
uint32_t pb_sum(const void *data, size_t len, uint32_t acc);
/* Fold and complement: the checksum field value. */
uint16_t pb_fold(uint32_t acc);

/* True if the IPv4 header at @ip (IHL taken from it) has a valid checksum. */
bool pb_ipv4_csum_ok(const uint8_t *ip);
/* Recompute the IPv4 header checksum in place. */
void pb_ipv4_set_csum(uint8_t *ip);

/*
 * Checksum of a TCP/UDP segment @l4 (@len bytes, checksum field included as
 * it is) with the pseudo-header of @family (4 or 6). A segment with a valid
 * checksum gives 0.
 */
uint16_t pb_l4_csum(int family, const uint8_t *src, const uint8_t *dst,
		    uint8_t proto, const uint8_t *l4, size_t len);

/*
 * Build an IPv4 packet (20-byte header, DF clear) carrying @plen bytes of
 * @payload (may be NULL: zeros) into @out. Returns the total length.
 */
size_t pb_ipv4(uint8_t *out, const uint8_t src[4], const uint8_t dst[4],
	       uint8_t proto, uint8_t tos, uint8_t ttl, uint16_t id,
	       const uint8_t *payload, size_t plen);

/* Build an IPv6 packet (40-byte header) into @out; returns the length. */
size_t pb_ipv6(uint8_t *out, const uint8_t src[16], const uint8_t dst[16],
	       uint8_t nh, uint8_t tclass, uint8_t hlim, uint32_t flow,
	       const uint8_t *payload, size_t plen);

/*
 * Build an IP packet of @family carrying a UDP datagram with @plen payload
 * bytes, UDP checksum valid. Returns the total length.
 */
size_t pb_ip_udp(uint8_t *out, int family, const uint8_t *src,
		 const uint8_t *dst, uint16_t sport, uint16_t dport,
		 const uint8_t *payload, size_t plen);

/* Deterministic PRNG (splitmix64). */
uint64_t pb_rand(uint64_t *state);
/* Fill @p with bytes from a PRNG seeded with @seed. */
void pb_fill(uint8_t *p, size_t n, uint64_t seed);

/* True if @needle (@nlen > 0 bytes) occurs in @hay. */
bool pb_contains(const uint8_t *hay, size_t hlen, const uint8_t *needle,
		 size_t nlen);

/*
 * A packet buffer whose memory is exactly headroom + len + tailroom bytes
 * of heap, so any access outside it is an ASan error.
 */
struct pb_buf {
	uint8_t *mem;
	struct pp_pkt pkt;
};

/* Returns false on allocation failure. @data may be NULL (zeros). */
bool pb_buf_init(struct pb_buf *b, uint32_t headroom, const uint8_t *data,
		 uint32_t len, uint32_t tailroom);
void pb_buf_free(struct pb_buf *b);

#endif /* PP_TESTS_PKTBUILD_H */
