/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inbound ESP processing (RFC 4303 §3.4), in place over struct pp_pkt, and
 * the parsing helpers pp_esp_natt_classify() / pp_esp_pkt_spi().
 *
 * Input/output shapes mirror esp_outb.c (see the table there). Order of
 * checks, each failing with the status in brackets:
 *   1. packet/SA state: invalid pkt [MALFORMED]; SA dead [EXPIRED, or
 *      SEQ_EXHAUSTED never happens inbound]; wrong direction [SPI].
 *   2. outer header unless NO_OUTER: IPv4 (IHL >= 5, total length >= IHL
 *      and <= pkt->len, trimmed to it; fragments refused) or IPv6 (payload
 *      length <= pkt->len, trimmed; hop-by-hop/routing/destination options
 *      and atomic fragment headers skipped, at most 8; a real fragment is
 *      refused), then
 *      protocol 50, or 17 with UDP_ENCAP [MALFORMED]; UDP length checked
 *      and trimmed [MALFORMED], destination port = encap_dport [SPI]; the
 *      UDP checksum is not verified (RFC 3948 §2.1; the ICV covers the
 *      ESP packet) and neither is the outer IPv4 header checksum. Tunnel
 *      mode with outer_dst set: outer destination must match [SPI].
 *   3. ESP: a zero SPI (non-ESP marker) or a keepalive [MALFORMED]; shorter
 *      than header + IV + minimum ciphertext + ICV [MALFORMED]; minimum
 *      ciphertext 2 bytes (AEAD, NULL) or one 16-byte block, and whole
 *      blocks, for AES-CBC; SPI != the SA's [SPI].
 *      Minimum ESP lengths: AEAD 8+8+2+16 = 34; NULL+HMAC 8+2+ICV (26, 34,
 *      42); CBC+HMAC 8+16+16+ICV (56, 64, 72); CBC alone 40.
 *   4. sequence number: ESN reconstruction and window pre-check, before
 *      any crypto [REPLAY, TOO_OLD]. Sequence number 0 (reconstructed
 *      64-bit value 0) is TOO_OLD. NO_REPLAY SAs, and confidentiality-only
 *      SAs (no integrity), only reconstruct.
 *   5. integrity: HMAC compared with CRYPTO_memcmp before decrypting; AEAD
 *      tag checked by EVP_DecryptFinal_ex, the decrypted bytes are wiped on
 *      failure [ICV]. Library failure [CRYPTO].
 *   6. window update (only now), then decrypt (CBC).
 *   7. trailer: pad length <= available, pad bytes 1, 2, 3... [PAD]; next
 *      header 59 [DUMMY] (after replay/ICV processing, RFC 4303 §2.6).
 *   8. tunnel: next header 4 or 41 [NEXT_HDR]; inner version agrees and
 *      inner total / payload length is consistent and <= the decrypted
 *      payload [MALFORMED]; excess bytes (TFC padding) are dropped.
 *      transport: the outer IP header is moved up against the payload and
 *      gets the next header as protocol (IPv4, checksum recomputed) or in
 *      the last next-header field (IPv6), and corrected lengths.
 *      transport + NO_OUTER: the packet is left as the decrypted payload
 *      without trailer.
 *   9. CHECK_SELECTORS: the resulting IP packet must match one of the SA's
 *      selectors (sel->src against the packet's source) [POLICY].
 * Any failure after decryption wipes the decrypted bytes (OPENSSL_cleanse).
 * On success pkt->meta = next header, pkt->status = PP_ESP_OK, and the
 * packet holds the result described above. stats.bytes counts the inner
 * packet (tunnel, without TFC) or upper-layer payload (transport).
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "esp_int.h"


struct outer {
	uint32_t len;	/* packet length after trimming */
	uint32_t iphl;	/* IP header incl. IPv6 extension headers */
	uint32_t nhoff; /* offset of the next-header byte naming proto */
	uint8_t proto;
	uint8_t family;
	const uint8_t *dst;
};

/* Parse an outer IPv4/IPv6 header. 0 or -EINVAL. */
static int parse_outer(const uint8_t *d, uint32_t len, struct outer *o)
{
	uint32_t tot, off, nh, nhoff;

	if (len < 1)
		return -EINVAL;
	switch (d[0] >> 4) {
	case 4:
		if (len < PP_IPV4_HDR_LEN)
			return -EINVAL;
		o->iphl = (uint32_t)(d[0] & 0x0f) * 4u;
		tot = ld16(d + PP_IPV4_OFF_TOT_LEN);
		if (o->iphl < PP_IPV4_HDR_LEN || tot < o->iphl || tot > len)
			return -EINVAL;
		if (ld16(d + PP_IPV4_OFF_FRAG) &
		    (PP_IPV4_F_MF | PP_IPV4_FRAG_MASK))
			return -EINVAL; /* no reassembly here */
		o->len = tot;
		o->proto = d[PP_IPV4_OFF_PROTO];
		o->nhoff = PP_IPV4_OFF_PROTO;
		o->family = 4;
		o->dst = d + PP_IPV4_OFF_DST;
		return 0;
	case 6:
		if (len < PP_IPV6_HDR_LEN)
			return -EINVAL;
		tot = PP_IPV6_HDR_LEN +
		      (uint32_t)ld16(d + PP_IPV6_OFF_PAYLOAD_LEN);
		if (tot > len)
			return -EINVAL;
		nh = d[PP_IPV6_OFF_NEXT_HDR];
		nhoff = PP_IPV6_OFF_NEXT_HDR;
		off = PP_IPV6_HDR_LEN;
		for (int i = 0; i < V6_EXT_MAX; i++) {
			uint32_t hl;

			if (nh != PP_IPPROTO_HOPOPTS &&
			    nh != PP_IPPROTO_ROUTING &&
			    nh != PP_IPPROTO_DSTOPTS &&
			    nh != PP_IPPROTO_FRAGMENT)
				break;
			if (off + 8 > tot)
				return -EINVAL;
			if (nh == PP_IPPROTO_FRAGMENT) {
				/* only an atomic fragment (RFC 8200 §4.5):
				 * real fragments must be reassembled first */
				if ((ld16(d + off + 2) & 0xfff9u) != 0)
					return -EINVAL;
				hl = 8;
			} else {
				hl = ((uint32_t)d[off + 1] + 1u) * 8u;
			}
			if (off + hl > tot)
				return -EINVAL;
			nh = d[off];
			nhoff = off;
			off += hl;
		}
		if (nh == PP_IPPROTO_HOPOPTS || nh == PP_IPPROTO_ROUTING ||
		    nh == PP_IPPROTO_DSTOPTS || nh == PP_IPPROTO_FRAGMENT)
			return -EINVAL;
		o->len = tot;
		o->iphl = off;
		o->nhoff = nhoff;
		o->proto = (uint8_t)nh;
		o->family = 6;
		o->dst = d + PP_IPV6_OFF_DST;
		return 0;
	default:
		return -EINVAL;
	}
}

enum pp_esp_natt_kind pp_esp_natt_classify(const uint8_t *payload,
					   size_t len)
{
	if (payload == NULL || len == 0)
		return PP_ESP_NATT_INVALID;
	if (len == 1)
		return payload[0] == PP_NATT_KEEPALIVE_BYTE ?
			       PP_ESP_NATT_KEEPALIVE :
			       PP_ESP_NATT_INVALID;
	if (len < PP_NATT_NON_ESP_MARKER_LEN)
		return PP_ESP_NATT_INVALID;
	if (ld32(payload) == 0)
		return len > PP_NATT_NON_ESP_MARKER_LEN ? PP_ESP_NATT_IKE :
							   PP_ESP_NATT_INVALID;
	return len >= PP_ESP_HDR_LEN ? PP_ESP_NATT_ESP : PP_ESP_NATT_INVALID;
}

static int esp_payload_spi(const uint8_t *p, uint32_t len, bool udp,
			   uint32_t *spi)
{
	if (udp) {
		switch (pp_esp_natt_classify(p, len)) {
		case PP_ESP_NATT_ESP:
			break;
		case PP_ESP_NATT_IKE:
		case PP_ESP_NATT_KEEPALIVE:
			return -EPROTO;
		default:
			return -EINVAL;
		}
	}
	if (len < PP_ESP_HDR_LEN || ld32(p) == 0)
		return -EINVAL;
	*spi = ld32(p);
	return 0;
}

int pp_esp_pkt_spi(const struct pp_pkt *pkt, bool udp_encap,
		   uint16_t encap_port, bool no_outer, uint32_t *spi,
		   struct pp_esp_addr *dst)
{
	const uint8_t *d;
	struct outer o;
	uint32_t off;
	int rc;

	if (pkt == NULL || spi == NULL || !pp_pkt_valid(pkt))
		return -EINVAL;
	d = pp_pkt_data(pkt);
	if (dst != NULL)
		memset(dst, 0, sizeof(*dst));
	if (no_outer)
		return esp_payload_spi(d, pkt->len, udp_encap, spi);
	if (parse_outer(d, pkt->len, &o) != 0)
		return -EINVAL;
	off = o.iphl;
	if (udp_encap) {
		uint32_t ulen;

		if (o.proto != PP_IPPROTO_UDP)
			return -EPROTO;
		if (off + PP_UDP_HDR_LEN > o.len)
			return -EINVAL;
		if (ld16(d + off + PP_UDP_OFF_DPORT) !=
		    (encap_port ? encap_port : PP_NATT_PORT))
			return -EPROTO;
		ulen = ld16(d + off + PP_UDP_OFF_LEN);
		if (ulen < PP_UDP_HDR_LEN || off + ulen > o.len)
			return -EINVAL;
		rc = esp_payload_spi(d + off + PP_UDP_HDR_LEN,
				     ulen - PP_UDP_HDR_LEN, true, spi);
	} else {
		if (o.proto != PP_IPPROTO_ESP)
			return -EPROTO;
		rc = esp_payload_spi(d + off, o.len - off, false, spi);
	}
	if (rc == 0 && dst != NULL) {
		dst->family = o.family;
		memcpy(dst->bytes, o.dst, o.family == 4 ? 4 : 16);
	}
	return rc;
}

static bool dst_match(const struct pp_esp_addr *want, const struct outer *o)
{
	if (want->family == 0)
		return true;
	if (want->family != o->family)
		return false;
	return memcmp(want->bytes, o->dst, o->family == 4 ? 4 : 16) == 0;
}

static bool selectors_pass(const struct pp_esp_sa *sa, const uint8_t *ip,
			   uint32_t len)
{
	struct esp_flow f;

	if (!esp_flow_parse(ip, len, &f))
		return false;
	for (unsigned int i = 0; i < sa->n_sel; i++)
		if (esp_flow_match(&sa->sel[i], &f))
			return true;
	return false;
}

/* Inner packet length of a tunnel-mode payload, 0 if inconsistent. */
static uint32_t inner_len(const uint8_t *d, uint32_t len, uint32_t nh)
{
	uint32_t tot;

	if (len < 1)
		return 0;
	if (nh == PP_IPPROTO_IPIP) {
		if ((d[0] >> 4) != 4 || len < PP_IPV4_HDR_LEN)
			return 0;
		tot = ld16(d + PP_IPV4_OFF_TOT_LEN);
		if ((uint32_t)(d[0] & 0x0f) * 4u < PP_IPV4_HDR_LEN ||
		    tot < (uint32_t)(d[0] & 0x0f) * 4u || tot > len)
			return 0;
		return tot;
	}
	if ((d[0] >> 4) != 6 || len < PP_IPV6_HDR_LEN)
		return 0;
	tot = PP_IPV6_HDR_LEN + (uint32_t)ld16(d + PP_IPV6_OFF_PAYLOAD_LEN);
	return tot <= len ? tot : 0;
}

static int inb_one(struct pp_esp_sa *sa, struct pp_pkt *p, uint64_t *seqp,
		   uint32_t *bytes)
{
	struct esp_crypto *c = &sa->crypto;
	struct outer o = { 0 };
	uint8_t *d, *esp, *enc, *icv;
	uint32_t len, esp_off = 0, esp_len, enc_len, min_ct, pad_len, nh;
	uint32_t pay_len, out_off, out_len;
	enum esp_replay_verdict v;
	uint64_t seq = 0;
	int st;

	if (!pp_pkt_valid(p))
		return PP_ESP_ERR_MALFORMED;
	if (sa->state == PP_ESP_SA_DEAD)
		return sa->dead_status;
	d = pp_pkt_data(p);
	len = p->len;
	if (len > ESP_LEN_MAX)
		return PP_ESP_ERR_MALFORMED;

	/* 2. Outer headers. */
	if (!sa->no_outer) {
		if (parse_outer(d, len, &o) != 0)
			return PP_ESP_ERR_MALFORMED;
		len = o.len;
		esp_off = o.iphl;
		if (o.proto != (sa->udp ? PP_IPPROTO_UDP : PP_IPPROTO_ESP))
			return PP_ESP_ERR_MALFORMED;
		if (sa->udp) {
			uint32_t ulen;

			if (esp_off + PP_UDP_HDR_LEN > len)
				return PP_ESP_ERR_MALFORMED;
			ulen = ld16(d + esp_off + PP_UDP_OFF_LEN);
			if (ulen < PP_UDP_HDR_LEN || esp_off + ulen > len)
				return PP_ESP_ERR_MALFORMED;
			if (ld16(d + esp_off + PP_UDP_OFF_DPORT) !=
			    sa->encap_dport)
				return PP_ESP_ERR_SPI;
			len = esp_off + ulen;
			esp_off += PP_UDP_HDR_LEN;
		}
		if (sa->tunnel && !dst_match(&sa->outer_dst, &o))
			return PP_ESP_ERR_SPI;
	}

	/* 3. ESP header and lengths. */
	esp = d + esp_off;
	esp_len = len - esp_off;
	min_ct = c->kind == ESP_CK_CBC ? PP_ESP_CBC_BLOCK : PP_ESP_TRAILER_LEN;
	if (esp_len < PP_ESP_HDR_LEN + c->iv_len + min_ct + c->icv_len ||
	    ld32(esp + PP_ESP_OFF_SPI) == 0)
		return PP_ESP_ERR_MALFORMED;
	enc_len = esp_len - PP_ESP_HDR_LEN - c->iv_len - c->icv_len;
	if (c->kind == ESP_CK_CBC && enc_len % PP_ESP_CBC_BLOCK)
		return PP_ESP_ERR_MALFORMED;
	if (ld32(esp + PP_ESP_OFF_SPI) != sa->spi)
		return PP_ESP_ERR_SPI;
	enc = esp + PP_ESP_HDR_LEN + c->iv_len;
	icv = enc + enc_len;

	/* 4. Sequence number pre-check, before any crypto. */
	if ((sa->flags & PP_ESP_SA_F_NO_REPLAY) || c->icv_len == 0)
		v = esp_replay_infer(&sa->replay, ld32(esp + PP_ESP_OFF_SEQ),
				     sa->esn, &seq);
	else
		v = esp_replay_check(&sa->replay, ld32(esp + PP_ESP_OFF_SEQ),
				     sa->esn, &seq);
	*seqp = seq;
	if (v == ESP_REPLAY_DUP)
		return PP_ESP_ERR_REPLAY;
	if (v != ESP_REPLAY_OK)
		return PP_ESP_ERR_TOO_OLD;

	/* 5. Integrity (and AEAD decryption). */
	if (c->kind == ESP_CK_AEAD) {
		uint8_t aad[PP_ESP_AEAD_AAD_ESN_LEN];
		const uint8_t *a = esp;
		size_t alen = PP_ESP_AEAD_AAD_LEN;
		int r;

		if (sa->esn) {
			st32(aad, sa->spi);
			st64(aad + 4, seq);
			a = aad;
			alen = PP_ESP_AEAD_AAD_ESN_LEN;
		}
		r = esp_aead_open(c, esp + PP_ESP_HDR_LEN, a, alen, enc,
				  enc_len, icv);
		if (r != 0) {
			OPENSSL_cleanse(enc, enc_len);
			return r > 0 ? PP_ESP_ERR_ICV : PP_ESP_ERR_CRYPTO;
		}
	} else {
		if (c->hmac) {
			uint8_t md[64], hi[4];

			st32(hi, (uint32_t)(seq >> 32));
			if (esp_hmac(c, esp,
				     PP_ESP_HDR_LEN + c->iv_len + enc_len, hi,
				     sa->esn ? sizeof(hi) : 0, md) != 0)
				return PP_ESP_ERR_CRYPTO;
			if (CRYPTO_memcmp(md, icv, c->icv_len) != 0)
				return PP_ESP_ERR_ICV;
		}
		if (c->kind == ESP_CK_CBC &&
		    esp_cbc(c, esp + PP_ESP_HDR_LEN, enc, enc_len) != 0) {
			OPENSSL_cleanse(enc, enc_len);
			return PP_ESP_ERR_CRYPTO;
		}
	}

	/* 6. The packet is authentic: move the window. */
	esp_replay_update(&sa->replay, seq);

	/* 7. Trailer. */
	pad_len = enc[enc_len - 2];
	nh = enc[enc_len - 1];
	if (pad_len + PP_ESP_TRAILER_LEN > enc_len) {
		st = PP_ESP_ERR_PAD;
		goto wipe;
	}
	pay_len = enc_len - PP_ESP_TRAILER_LEN - pad_len;
	for (uint32_t i = 0; i < pad_len; i++) {
		if (enc[pay_len + i] != (uint8_t)(i + 1u)) {
			st = PP_ESP_ERR_PAD;
			goto wipe;
		}
	}
	if (nh == PP_IPPROTO_NONE) {
		st = PP_ESP_ERR_DUMMY;
		goto wipe;
	}

	/* 8. Result. */
	if (sa->tunnel) {
		if (nh != PP_IPPROTO_IPIP && nh != PP_IPPROTO_IPV6) {
			st = PP_ESP_ERR_NEXT_HDR;
			goto wipe;
		}
		out_len = inner_len(enc, pay_len, nh);
		if (out_len == 0) {
			st = PP_ESP_ERR_MALFORMED;
			goto wipe;
		}
		pay_len = out_len;
		out_off = (uint32_t)(enc - d);
	} else if (sa->no_outer) {
		out_len = pay_len;
		out_off = (uint32_t)(enc - d);
	} else {
		/* Rebuild: move the outer IP header up against the payload
		 * (dropping [udp] esp iv) and patch protocol and lengths. */
		uint8_t *ip = enc - o.iphl;

		memmove(ip, d, o.iphl);
		ip[o.nhoff] = (uint8_t)nh;
		out_len = o.iphl + pay_len;
		if (o.family == 4) {
			st16(ip + PP_IPV4_OFF_TOT_LEN, (uint16_t)out_len);
			st16(ip + PP_IPV4_OFF_CSUM, 0);
			st16(ip + PP_IPV4_OFF_CSUM,
			     csum_fold(csum_add(0, ip, o.iphl)));
		} else {
			st16(ip + PP_IPV6_OFF_PAYLOAD_LEN,
			     (uint16_t)(out_len - PP_IPV6_HDR_LEN));
		}
		out_off = (uint32_t)(ip - d);
	}

	/* 9. Inbound policy. */
	if ((sa->flags & PP_ESP_SA_F_CHECK_SELECTORS) &&
	    !selectors_pass(sa, d + out_off, out_len)) {
		st = PP_ESP_ERR_POLICY;
		goto wipe;
	}

	p->off += out_off;
	p->len = out_len;
	p->meta = nh;
	*bytes = pay_len;
	return PP_ESP_OK;

wipe:
	OPENSSL_cleanse(enc, enc_len);
	return st;
}

static unsigned int inb_burst(struct pp_esp_sa *sa, struct pp_pkt *pkts[],
			      unsigned int n)
{
	unsigned int ok = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct pp_pkt *p = pkts[i];
		uint32_t bytes = 0;
		uint64_t seq = 0;
		int st;

		if (p == NULL)
			continue;
		st = inb_one(sa, p, &seq, &bytes);
		if (st == PP_ESP_OK) {
			p->status = PP_ESP_OK;
			esp_sa_count(sa, bytes);
			ok++;
		} else {
			esp_drop(sa, p, st, seq);
		}
	}
	return ok;
}

unsigned int pp_esp_inbound(struct pp_esp_sa *sa, struct pp_pkt *pkts[],
			    unsigned int n)
{
	if (sa == NULL || pkts == NULL)
		return 0;
	if (sa->magic != ESP_SA_MAGIC || sa->dir != PP_ESP_DIR_INBOUND) {
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
	return inb_burst(sa, pkts, n);
}
