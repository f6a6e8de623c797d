/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Outbound ESP processing (RFC 4303 §3.3), in place over struct pp_pkt.
 *
 * What a packet must hold on input and holds on output, per SA shape
 * (hdr = outer IPv4/IPv6 header, udp = RFC 3948 UDP header, esp = SPI and
 * sequence number, iv = explicit IV, tr = TFC padding + padding + pad
 * length + next header, icv = integrity check value):
 *
 *   tunnel                      in:  inner IPv4/IPv6 packet
 *                               out: hdr [udp] esp iv {inner tr} icv
 *                               next header 4 (IPv4) / 41 (IPv6)
 *   tunnel + NO_OUTER           in:  inner IPv4/IPv6 packet
 *                               out: esp iv {inner tr} icv  (from the SPI on;
 *                               no UDP header even with UDP_ENCAP: the
 *                               caller's socket adds it)
 *   transport                   in:  IPv4/IPv6 packet
 *                               out: ip [udp] esp iv {upper-layer tr} icv
 *                               next header = the packet's protocol (IPv4)
 *                               or the fixed header's next header (IPv6)
 *   transport + NO_OUTER        in:  the upper-layer payload only (no IP
 *                               header); pkt->meta = its next header value
 *                               (0..255, e.g. 6 for TCP, 59 for a dummy
 *                               packet; > 255 -> PP_ESP_ERR_MALFORMED)
 *                               out: esp iv {payload tr} icv
 *
 * pkt->meta is read only in transport + NO_OUTER mode and never written by
 * pp_esp_outbound(). The inbound direction mirrors this table exactly
 * (esp_inb.c): transport + NO_OUTER inbound leaves the decrypted payload
 * without trailer and sets pkt->meta to the next header, so a KAT such as
 * draft-mcgrew-gcm-test case 2 (next header 1) runs through a transport SA
 * with NO_OUTER.
 *
 * Details:
 *   - Input IP packets are validated (version, IHL, total/payload length
 *     <= pkt->len) and trimmed to their stated length; transport mode
 *     refuses IPv4 fragments (ESP transport applies to whole datagrams).
 *   - Transport IPv6: ESP is inserted after the hop-by-hop, routing and
 *     atomic fragment headers (and destination options before a routing
 *     header), RFC 4303 §3.1.1; the next-header byte before it becomes 50
 *     (17 with UDP_ENCAP); later extension headers travel encrypted. Real
 *     fragments are refused. The IPv4 header
 *     (with options) keeps its fields except protocol, total length and
 *     checksum. The IP header is moved back into the headroom by the size
 *     of [udp] esp iv; the payload itself never moves.
 *   - Tunnel: headers are pushed into the headroom and the trailer
 *     appended into the tailroom; the inner packet is encrypted where it
 *     lies. The outer header comes from a per-SA template: IPv4 with the
 *     SA's TTL, DF copied from an IPv4 inner packet (clear for an IPv6
 *     inner packet), ID 0 when DF is set else a per-SA counter, header
 *     checksum computed; IPv6 with hop limit = TTL and flow label 0. With
 *     COPY_DSCP the whole DSCP+ECN byte of the inner packet is copied
 *     (RFC 4301 §5.1.2.1, RFC 6040 normal mode), else it is 0.
 *   - TFC padding (tunnel): zeros after the inner packet up to tfc_pad_to
 *     bytes, reduced if the packet would exceed max_pkt_len.
 *   - Padding 1, 2, 3, ... so that the trailer ends on a 4-byte boundary
 *     (AEAD, NULL) or the ciphertext is whole 16-byte blocks (AES-CBC).
 *   - Sequence numbers: the first packet carries initial_seq + 1. Without
 *     ESN the last usable value is 2^32-1, with ESN 2^64-1; the next packet
 *     gets PP_ESP_ERR_SEQ_EXHAUSTED, fires PP_ESP_EVENT_SEQ_EXHAUSTED once
 *     and the SA becomes DEAD (later packets: PP_ESP_ERR_SEQ_EXHAUSTED).
 *     A sequence number is consumed only by a packet that passed the
 *     length/room checks.
 *   - IVs: AEAD uses the 64-bit sequence counter, big-endian (unique per
 *     key). AES-CBC takes 16 random bytes per packet from one RAND_bytes()
 *     call per burst (up to PP_BURST_MAX packets).
 *   - UDP encapsulation: checksum 0 over IPv4 (RFC 3948 §2.1), the full
 *     checksum over the pseudo header and the whole datagram over IPv6.
 *   - pkt->len is limited so that the result fits an IP packet (total
 *     length / payload length <= 65535) and max_pkt_len; otherwise
 *     PP_ESP_ERR_OVERSIZE. Not enough headroom/tailroom: PP_ESP_ERR_NOROOM
 *     (see pp_esp_sa_headroom()/tailroom()).
 *   - Calling pp_esp_outbound() with an inbound SA fails every packet with
 *     PP_ESP_ERR_SPI.
 *   - stats.bytes counts the protected payload: the inner packet (tunnel)
 *     or the upper-layer payload (transport), without TFC or padding.
 */
#include <string.h>

#include <openssl/rand.h>

#include "esp_int.h"

struct outb_ctx {
	const uint8_t *ivs; /* CBC: 16 random bytes per packet of the chunk */
};

/* Validate an IP packet; returns its stated length (trimming link
 * padding) and header length, or 0 when malformed. */
static uint32_t ip_check(const uint8_t *d, uint32_t len, uint32_t *hlen)
{
	uint32_t tot, h;

	if (len < 1)
		return 0;
	switch (d[0] >> 4) {
	case 4:
		if (len < PP_IPV4_HDR_LEN)
			return 0;
		h = (uint32_t)(d[0] & 0x0f) * 4u;
		tot = ld16(d + PP_IPV4_OFF_TOT_LEN);
		if (h < PP_IPV4_HDR_LEN || tot < h || tot > len)
			return 0;
		*hlen = h;
		return tot;
	case 6:
		if (len < PP_IPV6_HDR_LEN)
			return 0;
		tot = PP_IPV6_HDR_LEN +
		      (uint32_t)ld16(d + PP_IPV6_OFF_PAYLOAD_LEN);
		if (tot > len)
			return 0;
		*hlen = PP_IPV6_HDR_LEN;
		return tot;
	default:
		return 0;
	}
}

static uint16_t udp6_csum(const uint8_t *ip6, const uint8_t *udp,
			  uint32_t udp_len)
{
	uint32_t s;
	uint16_t c;

	/* Pseudo header: src, dst, upper-layer length, next header 17. */
	s = csum_add(0, ip6 + PP_IPV6_OFF_SRC, 32);
	s += udp_len >> 16;
	s += udp_len & 0xffffu;
	s += PP_IPPROTO_UDP;
	s = csum_add(s, udp, udp_len);
	c = csum_fold(s);
	return c == 0 ? 0xffff : c;
}

/*
 * IPv6 transport mode (RFC 4303 §3.1.1): ESP goes after the hop-by-hop,
 * routing and (atomic) fragment headers, and after destination options
 * that precede a routing header; later destination options travel
 * encrypted. Sets *hlen to the bytes kept in front of ESP and *nh_off to
 * the offset of the next-header byte that will name ESP. A non-atomic
 * fragment anywhere in the chain is refused (transport mode applies to
 * whole datagrams, RFC 4303 §3.3), as is a chain longer than V6_EXT_MAX
 * headers or one that runs past the packet.
 */
static int v6_transport_split(const uint8_t *d, uint32_t len, uint32_t *hlen,
			      uint32_t *nh_off)
{
	uint32_t off = PP_IPV6_HDR_LEN, cur_nh_off = PP_IPV6_OFF_NEXT_HDR;
	uint8_t nh = d[PP_IPV6_OFF_NEXT_HDR];

	*hlen = PP_IPV6_HDR_LEN;
	*nh_off = PP_IPV6_OFF_NEXT_HDR;
	for (unsigned int i = 0; i <= V6_EXT_MAX; i++) {
		uint32_t ext_len;

		if (nh != PP_IPPROTO_HOPOPTS && nh != PP_IPPROTO_ROUTING &&
		    nh != PP_IPPROTO_FRAGMENT && nh != PP_IPPROTO_DSTOPTS)
			return 0;
		if (i == V6_EXT_MAX || (nh == PP_IPPROTO_HOPOPTS && i != 0) ||
		    len < off || len - off < 8)
			return -1;
		if (nh == PP_IPPROTO_FRAGMENT) {
			/* offset (13 bits) and M must both be zero */
			if ((ld16(d + off + 2) & 0xfff9u) != 0)
				return -1;
			ext_len = 8;
		} else {
			ext_len = ((uint32_t)d[off + 1] + 1u) * 8u;
		}
		if (len - off < ext_len)
			return -1;
		cur_nh_off = off;
		if (nh != PP_IPPROTO_DSTOPTS) {
			*hlen = off + ext_len;
			*nh_off = cur_nh_off;
		}
		nh = d[off];
		off += ext_len;
	}
	return -1;
}

static int outb_one(struct pp_esp_sa *sa, struct pp_pkt *p,
		    const uint8_t *rand_iv, uint32_t *pay_bytes)
{
	struct esp_crypto *c = &sa->crypto;
	uint8_t *d, *base, *esp, *enc, *icv, *tail;
	uint32_t len, hlen = 0, pay_len, nh, tfc = 0, pad, enc_len;
	uint32_t front, shift, trail, out_len, align = c->align;
	uint32_t nh_off = PP_IPV6_OFF_NEXT_HDR;
	uint64_t seq;
	uint8_t inner0 = 0, inner1 = 0, inner_df = 0;

	if (!pp_pkt_valid(p))
		return PP_ESP_ERR_MALFORMED;
	if (sa->state == PP_ESP_SA_DEAD)
		return sa->dead_status;
	d = pp_pkt_data(p);
	len = p->len;

	/* 1. What is protected, and its next header. */
	if (!sa->tunnel && sa->no_outer) {
		if (p->meta > 255)
			return PP_ESP_ERR_MALFORMED;
		nh = p->meta;
		pay_len = len;
		if (pay_len > PP_IPV6_PAYLOAD_MAX)
			return PP_ESP_ERR_OVERSIZE;
	} else {
		len = ip_check(d, len, &hlen);
		if (len == 0)
			return PP_ESP_ERR_MALFORMED;
		inner0 = d[0];
		inner1 = d[1];
		if (sa->tunnel) {
			if ((inner0 >> 4) == 4) {
				nh = PP_IPPROTO_IPIP;
				inner_df = d[PP_IPV4_OFF_FRAG] & 0x40;
			} else {
				nh = PP_IPPROTO_IPV6;
			}
			hlen = 0;
			pay_len = len;
		} else {
			if ((inner0 >> 4) == 4) {
				if (ld16(d + PP_IPV4_OFF_FRAG) &
				    (PP_IPV4_F_MF | PP_IPV4_FRAG_MASK))
					return PP_ESP_ERR_MALFORMED;
				nh = d[PP_IPV4_OFF_PROTO];
			} else {
				if (v6_transport_split(d, len, &hlen,
						       &nh_off) != 0)
					return PP_ESP_ERR_MALFORMED;
				nh = d[nh_off];
			}
			pay_len = len - hlen;
		}
	}

	/* 2. Sizes. front = bytes pushed in front of the payload; for
	 * transport the IP header moves back by shift. */
	shift = PP_ESP_HDR_LEN + c->iv_len;
	if (sa->udp && !sa->no_outer)
		shift += PP_UDP_HDR_LEN;
	front = shift;
	if (sa->tunnel && !sa->no_outer)
		front += sa->outer_hlen;
	if (sa->tfc_pad_to > pay_len)
		tfc = sa->tfc_pad_to - pay_len;
	if (sa->max_pkt_len) {
		uint32_t fixed = hlen + front + c->icv_len, ct_max;

		if (sa->max_pkt_len < fixed + PP_ESP_TRAILER_LEN)
			return PP_ESP_ERR_OVERSIZE;
		ct_max = sa->max_pkt_len - fixed;
		ct_max -= ct_max % align;
		if (pay_len + PP_ESP_TRAILER_LEN > ct_max)
			return PP_ESP_ERR_OVERSIZE;
		if (tfc > ct_max - PP_ESP_TRAILER_LEN - pay_len)
			tfc = ct_max - PP_ESP_TRAILER_LEN - pay_len;
	}
	pad = (uint32_t)(-(pay_len + tfc + PP_ESP_TRAILER_LEN)) & (align - 1u);
	enc_len = pay_len + tfc + pad + PP_ESP_TRAILER_LEN;
	trail = tfc + pad + PP_ESP_TRAILER_LEN + c->icv_len;
	out_len = len + front + trail;
	if (!sa->no_outer) {
		/* IPv4 total length / IPv6 payload length / UDP length */
		uint32_t lim = PP_IPV4_TOT_LEN_MAX;

		if (sa->tunnel ? sa->outer_family == 6 : (inner0 >> 4) == 6)
			lim += PP_IPV6_HDR_LEN;
		if (out_len > lim)
			return PP_ESP_ERR_OVERSIZE;
	}
	if (front > p->off || trail > p->cap - p->off - len)
		return PP_ESP_ERR_NOROOM;

	/* 3. Sequence number. */
	if (sa->esn ? sa->seq == UINT64_MAX : sa->seq >= UINT32_MAX) {
		esp_sa_exhausted(sa);
		return PP_ESP_ERR_SEQ_EXHAUSTED;
	}
	seq = ++sa->seq;

	/* 4. Trailer: TFC zeros, padding 1..n, pad length, next header. */
	tail = d + len;
	if (tfc) {
		memset(tail, 0, tfc);
		tail += tfc;
	}
	for (uint32_t i = 0; i < pad; i++)
		tail[i] = (uint8_t)(i + 1u);
	tail[pad] = (uint8_t)pad;
	tail[pad + 1] = (uint8_t)nh;

	/* 5. Headers. */
	if (!sa->tunnel && !sa->no_outer)
		memmove(d - shift, d, hlen);
	base = d - front;
	p->off -= front;
	p->len = out_len;
	enc = d + hlen; /* the payload did not move */
	esp = enc - (PP_ESP_HDR_LEN + c->iv_len);
	icv = enc + enc_len;
	st32(esp + PP_ESP_OFF_SPI, sa->spi);
	st32(esp + PP_ESP_OFF_SEQ, (uint32_t)seq);

	/* 6. Crypto. */
	if (c->kind == ESP_CK_AEAD) {
		uint8_t aad[PP_ESP_AEAD_AAD_ESN_LEN];
		const uint8_t *a = esp;
		size_t alen = PP_ESP_AEAD_AAD_LEN;

		st64(esp + PP_ESP_HDR_LEN, seq);
		if (sa->esn) {
			st32(aad, sa->spi);
			st64(aad + 4, seq);
			a = aad;
			alen = PP_ESP_AEAD_AAD_ESN_LEN;
		}
		if (esp_aead_seal(c, esp + PP_ESP_HDR_LEN, a, alen, enc,
				  enc_len, icv) != 0)
			return PP_ESP_ERR_CRYPTO;
	} else {
		if (c->kind == ESP_CK_CBC) {
			memcpy(esp + PP_ESP_HDR_LEN, rand_iv, PP_ESP_CBC_IV_LEN);
			if (esp_cbc(c, rand_iv, enc, enc_len) != 0)
				return PP_ESP_ERR_CRYPTO;
		}
		if (c->hmac) {
			uint8_t md[64], hi[4];

			st32(hi, (uint32_t)(seq >> 32));
			if (esp_hmac(c, esp,
				     PP_ESP_HDR_LEN + c->iv_len + enc_len, hi,
				     sa->esn ? sizeof(hi) : 0, md) != 0)
				return PP_ESP_ERR_CRYPTO;
			memcpy(icv, md, c->icv_len);
		}
	}

	/* 7. Outer / rewritten IP header and UDP. */
	if (!sa->no_outer) {
		uint8_t *udp = esp - (sa->udp ? PP_UDP_HDR_LEN : 0);
		uint32_t iphl;

		if (sa->tunnel) {
			iphl = sa->outer_hlen;
			/* constant sizes: no generic (rep movs) copy */
			if (sa->outer_family == 4)
				memcpy(base, sa->hdr_tmpl, PP_IPV4_HDR_LEN);
			else
				memcpy(base, sa->hdr_tmpl, PP_IPV6_HDR_LEN);
			if (sa->outer_family == 4) {
				uint8_t tos = 0;
				uint16_t frag = 0, id = 0;
				uint32_t s;

				if (sa->flags & PP_ESP_SA_F_COPY_DSCP)
					tos = (inner0 >> 4) == 4 ?
						inner1 :
						(uint8_t)(inner0 << 4 |
							  inner1 >> 4);
				if (inner_df)
					frag = PP_IPV4_F_DF;
				else
					id = sa->ip_id++;
				base[PP_IPV4_OFF_TOS] = tos;
				st16(base + PP_IPV4_OFF_TOT_LEN,
				     (uint16_t)out_len);
				st16(base + PP_IPV4_OFF_ID, id);
				st16(base + PP_IPV4_OFF_FRAG, frag);
				s = sa->tmpl_csum + tos + out_len + id + frag;
				st16(base + PP_IPV4_OFF_CSUM, csum_fold(s));
			} else {
				if (sa->flags & PP_ESP_SA_F_COPY_DSCP) {
					uint8_t tc = (inner0 >> 4) == 4 ?
						inner1 :
						(uint8_t)(inner0 << 4 |
							  inner1 >> 4);

					base[0] = (uint8_t)(0x60 | tc >> 4);
					base[1] = (uint8_t)(tc << 4);
				}
				st16(base + PP_IPV6_OFF_PAYLOAD_LEN,
				     (uint16_t)(out_len - PP_IPV6_HDR_LEN));
			}
		} else {
			iphl = hlen;
			if ((base[0] >> 4) == 4) {
				base[PP_IPV4_OFF_PROTO] =
					sa->udp ? PP_IPPROTO_UDP :
						  PP_IPPROTO_ESP;
				st16(base + PP_IPV4_OFF_TOT_LEN,
				     (uint16_t)out_len);
				st16(base + PP_IPV4_OFF_CSUM, 0);
				st16(base + PP_IPV4_OFF_CSUM,
				     csum_fold(csum_add(0, base, hlen)));
			} else {
				base[nh_off] = sa->udp ? PP_IPPROTO_UDP :
							 PP_IPPROTO_ESP;
				st16(base + PP_IPV6_OFF_PAYLOAD_LEN,
				     (uint16_t)(out_len - PP_IPV6_HDR_LEN));
			}
		}
		if (sa->udp) {
			uint32_t ulen = out_len - iphl;

			st16(udp + PP_UDP_OFF_SPORT, sa->encap_sport);
			st16(udp + PP_UDP_OFF_DPORT, sa->encap_dport);
			st16(udp + PP_UDP_OFF_LEN, (uint16_t)ulen);
			st16(udp + PP_UDP_OFF_CSUM, 0);
			if ((base[0] >> 4) == 6)
				st16(udp + PP_UDP_OFF_CSUM,
				     udp6_csum(base, udp, ulen));
		}
	}
	*pay_bytes = pay_len;
	return PP_ESP_OK;
}

static unsigned int outb_chunk(struct pp_esp_sa *sa, struct pp_pkt *pkts[],
			       unsigned int n)
{
	uint8_t ivs[PP_BURST_MAX * PP_ESP_CBC_IV_LEN];
	bool have_ivs = true;
	unsigned int ok = 0;

	if (sa->crypto.kind == ESP_CK_CBC)
		have_ivs = RAND_bytes(ivs, (int)(n * PP_ESP_CBC_IV_LEN)) == 1;

	for (unsigned int i = 0; i < n; i++) {
		struct pp_pkt *p = pkts[i];
		uint32_t bytes = 0;
		int st;

		if (p == NULL)
			continue;
		if (!have_ivs && sa->state != PP_ESP_SA_DEAD)
			st = PP_ESP_ERR_CRYPTO;
		else
			st = outb_one(sa, p, ivs + i * PP_ESP_CBC_IV_LEN,
				      &bytes);
		if (st == PP_ESP_OK) {
			p->status = PP_ESP_OK;
			esp_sa_count(sa, bytes);
			ok++;
		} else {
			esp_drop(sa, p, st, sa->seq);
		}
	}
	return ok;
}

unsigned int pp_esp_outbound(struct pp_esp_sa *sa, struct pp_pkt *pkts[],
			     unsigned int n)
{
	unsigned int ok = 0;

	if (sa == NULL || pkts == NULL)
		return 0;
	if (sa->magic != ESP_SA_MAGIC || sa->dir != PP_ESP_DIR_OUTBOUND) {
		for (unsigned int i = 0; i < n; i++) {
			if (pkts[i] == NULL)
				continue;
			if (sa->magic == ESP_SA_MAGIC)
				esp_drop(sa, pkts[i], PP_ESP_ERR_SPI, 0);
			else
				pkts[i]->status = PP_ESP_ERR_CRYPTO;
		}
		return 0;
	}
	for (unsigned int i = 0; i < n; i += PP_BURST_MAX) {
		unsigned int m = n - i < PP_BURST_MAX ? n - i : PP_BURST_MAX;

		ok += outb_chunk(sa, pkts + i, m);
	}
	return ok;
}
