/* SPDX-License-Identifier: BSD-2-Clause */
/* Packet builders and checksum helpers for tests; see pktbuild.h. */
#include "pktbuild.h"

#include <stdlib.h>
#include <string.h>

uint32_t pb_sum(const void *data, size_t len, uint32_t acc)
{
	const uint8_t *p = data;
	uint64_t s = acc;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t pb_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

bool pb_ipv4_csum_ok(const uint8_t *ip)
{
	size_t hlen = (size_t)(ip[0] & 15) * 4;

	return hlen >= PB_IPV4_HLEN && pb_fold(pb_sum(ip, hlen, 0)) == 0;
}

void pb_ipv4_set_csum(uint8_t *ip)
{
	size_t hlen = (size_t)(ip[0] & 15) * 4;

	pb_put16(ip + 10, 0);
	pb_put16(ip + 10, pb_fold(pb_sum(ip, hlen, 0)));
}

uint16_t pb_l4_csum(int family, const uint8_t *src, const uint8_t *dst,
		    uint8_t proto, const uint8_t *l4, size_t len)
{
	size_t alen = family == 6 ? 16 : 4;
	uint8_t tail[8] = { 0 };
	uint32_t acc = 0;

	acc = pb_sum(src, alen, acc);
	acc = pb_sum(dst, alen, acc);
	if (family == 6) {
		pb_put32(tail, (uint32_t)len);
		tail[7] = proto;
		acc = pb_sum(tail, 8, acc);
	} else {
		tail[1] = proto;
		pb_put16(tail + 2, (uint16_t)len);
		acc = pb_sum(tail, 4, acc);
	}
	return pb_fold(pb_sum(l4, len, acc));
}

size_t pb_ipv4(uint8_t *out, const uint8_t src[4], const uint8_t dst[4],
	       uint8_t proto, uint8_t tos, uint8_t ttl, uint16_t id,
	       const uint8_t *payload, size_t plen)
{
	memset(out, 0, PB_IPV4_HLEN);
	out[0] = 0x45;
	out[1] = tos;
	pb_put16(out + 2, (uint16_t)(PB_IPV4_HLEN + plen));
	pb_put16(out + 4, id);
	out[8] = ttl;
	out[9] = proto;
	memcpy(out + 12, src, 4);
	memcpy(out + 16, dst, 4);
	pb_ipv4_set_csum(out);
	if (payload != NULL)
		memmove(out + PB_IPV4_HLEN, payload, plen);
	else
		memset(out + PB_IPV4_HLEN, 0, plen);
	return PB_IPV4_HLEN + plen;
}

size_t pb_ipv6(uint8_t *out, const uint8_t src[16], const uint8_t dst[16],
	       uint8_t nh, uint8_t tclass, uint8_t hlim, uint32_t flow,
	       const uint8_t *payload, size_t plen)
{
	pb_put32(out, 6u << 28 | (uint32_t)tclass << 20 | (flow & 0xfffff));
	pb_put16(out + 4, (uint16_t)plen);
	out[6] = nh;
	out[7] = hlim;
	memcpy(out + 8, src, 16);
	memcpy(out + 24, dst, 16);
	if (payload != NULL)
		memmove(out + PB_IPV6_HLEN, payload, plen);
	else
		memset(out + PB_IPV6_HLEN, 0, plen);
	return PB_IPV6_HLEN + plen;
}

size_t pb_ip_udp(uint8_t *out, int family, const uint8_t *src,
		 const uint8_t *dst, uint16_t sport, uint16_t dport,
		 const uint8_t *payload, size_t plen)
{
	size_t hl = family == 6 ? PB_IPV6_HLEN : PB_IPV4_HLEN;
	uint8_t *udp = out + hl;
	uint16_t ck;

	if (payload != NULL)
		memmove(udp + PB_UDP_HLEN, payload, plen);
	else
		memset(udp + PB_UDP_HLEN, 0, plen);
	pb_put16(udp, sport);
	pb_put16(udp + 2, dport);
	pb_put16(udp + 4, (uint16_t)(PB_UDP_HLEN + plen));
	pb_put16(udp + 6, 0);
	ck = pb_l4_csum(family, src, dst, 17, udp, PB_UDP_HLEN + plen);
	pb_put16(udp + 6, ck == 0 ? 0xffff : ck);
	if (family == 6)
		return pb_ipv6(out, src, dst, 17, 0, 64, 0, udp,
			       PB_UDP_HLEN + plen);
	return pb_ipv4(out, src, dst, 17, 0, 64, 0x1234, udp,
		       PB_UDP_HLEN + plen);
}

uint64_t pb_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void pb_fill(uint8_t *p, size_t n, uint64_t seed)
{
	uint64_t st = seed, r = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i % 8 == 0)
			r = pb_rand(&st);
		p[i] = (uint8_t)(r >> (8 * (i % 8)));
	}
}

bool pb_contains(const uint8_t *hay, size_t hlen, const uint8_t *needle,
		 size_t nlen)
{
	size_t i;

	if (nlen == 0 || nlen > hlen)
		return false;
	for (i = 0; i + nlen <= hlen; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, nlen) == 0)
			return true;
	return false;
}

bool pb_buf_init(struct pb_buf *b, uint32_t headroom, const uint8_t *data,
		 uint32_t len, uint32_t tailroom)
{
	uint32_t cap = headroom + len + tailroom;

	b->mem = malloc(cap ? cap : 1);
	if (b->mem == NULL)
		return false;
	memset(b->mem, 0xa5, cap);
	pp_pkt_init(&b->pkt, b->mem, cap, headroom);
	if (data != NULL)
		memcpy(b->mem + headroom, data, len);
	else
		memset(b->mem + headroom, 0, len);
	b->pkt.len = len;
	return true;
}

void pb_buf_free(struct pb_buf *b)
{
	free(b->mem);
	b->mem = NULL;
}
