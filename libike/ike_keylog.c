/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Key export lines in Wireshark 4.0's UAT formats (ipsec-facts §6.1,
 * §6.2; the label strings are the ones packet-ipsec.c / packet-isakmp.c
 * of tshark 4.0.17 accept, checked there).
 *
 * esp_sa (8 quoted CSV fields, one line per direction):
 *   "IPv4","<outer src>","<outer dst>","0x<spi 8 hex>","<encryption>",
 *   "0x<key hex>","<authentication>","0x<key hex>"
 * The addresses are the outer ones seen in a capture (also with UDP
 * encapsulation); an unset address is "*". AES-GCM keys carry the 4-byte
 * salt; with AES-GCM the authentication is "NULL" with key "".
 *
 * ikev2_decryption_table (hex unquoted without 0x, labels quoted):
 *   <SPIi>,<SPIr>,<SK_ei>,<SK_er>,"<encryption>",<SK_ai>,<SK_ar>,
 *   "<integrity>"
 * SPIi / SK_ei are those of the initiator of that IKE SA (after an IKE
 * rekey: the rekey initiator's, RFC 7296 §2.18); AEAD: SK_e* with salt,
 * SK_a* empty, integrity "NONE [RFC4306]".
 *
 * Wireshark 4.0 has no ChaCha20-Poly1305 in either table: -ENOTSUP.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ike_keylog.h"

static const char hexd[] = "0123456789abcdef";

struct lb {
	char *p;
	size_t cap, len;
	bool full;
};

static void lb_str(struct lb *b, const char *s)
{
	size_t n = strlen(s);

	if (b->full || n >= b->cap - b->len) {
		b->full = true;
		return;
	}
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

static void lb_hex(struct lb *b, const uint8_t *d, size_t n)
{
	if (b->full || n > (b->cap - b->len - 1) / 2) {
		b->full = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		b->p[b->len++] = hexd[d[i] >> 4];
		b->p[b->len++] = hexd[d[i] & 15];
	}
	b->p[b->len] = '\0';
}

static int lb_done(struct lb *b)
{
	if (b->full) {
		if (b->cap)
			b->p[0] = '\0';
		return -ENOSPC;
	}
	return (int)b->len;
}

static void esp_addr(struct lb *b, const struct pp_ike_addr *a)
{
	char s[INET6_ADDRSTRLEN];

	if ((a->family != 4 && a->family != 6) ||
	    !inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->bytes, s,
		       sizeof(s)))
		lb_str(b, "*");
	else
		lb_str(b, s);
}

/* Key lengths libesp accepts (pp_esp.h): CBC 16/32, GCM and ChaCha
 * key + 4-byte salt, HMAC keys = the hash length. */
static bool esp_lens_ok(const struct pp_ike_child *c)
{
	size_t ik;

	switch (c->cipher) {
	case PP_ESP_CIPHER_NULL:
		if (c->key_len != 0)
			return false;
		break;
	case PP_ESP_CIPHER_AES_CBC:
		if (c->key_len != 16 && c->key_len != 32)
			return false;
		break;
	case PP_ESP_CIPHER_AES_GCM_16:
		if (c->key_len != 20 && c->key_len != 36)
			return false;
		break;
	default:
		return false;
	}
	switch (c->integ) {
	case PP_ESP_INTEG_NONE:
		ik = 0;
		break;
	case PP_ESP_INTEG_HMAC_SHA256_128:
		ik = 32;
		break;
	case PP_ESP_INTEG_HMAC_SHA384_192:
		ik = 48;
		break;
	case PP_ESP_INTEG_HMAC_SHA512_256:
		ik = 64;
		break;
	default:
		return false;
	}
	return c->integ_len == ik;
}

int ike_keylog_esp_sa(const struct pp_ike_child *c, bool inbound, char *buf,
		      size_t len)
{
	const struct pp_ike_addr *src, *dst;
	const char *enc, *auth;
	const uint8_t *ekey, *akey;
	struct lb b = { buf, len, 0, false };
	char spi[16];
	uint8_t family;

	if (c == NULL || buf == NULL)
		return -EINVAL;
	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	switch (c->cipher) {
	case PP_ESP_CIPHER_NULL:
		enc = "NULL";
		break;
	case PP_ESP_CIPHER_AES_CBC:
		enc = "AES-CBC [RFC3602]";
		break;
	case PP_ESP_CIPHER_AES_GCM_16:
		/* not the legacy "AES-GCM [RFC4106]": ICV length 0 there */
		enc = "AES-GCM with 16 octet ICV [RFC4106]";
		break;
	default:
		return -ENOTSUP;
	}
	switch (c->integ) {
	case PP_ESP_INTEG_NONE:
		auth = "NULL";
		break;
	case PP_ESP_INTEG_HMAC_SHA256_128:
		auth = "HMAC-SHA-256-128 [RFC4868]";
		break;
	case PP_ESP_INTEG_HMAC_SHA384_192:
		auth = "HMAC-SHA-384-192 [RFC4868]";
		break;
	case PP_ESP_INTEG_HMAC_SHA512_256:
		auth = "HMAC-SHA-512-256 [RFC4868]";
		break;
	default:
		return -ENOTSUP;
	}
	/* tshark refuses keys whose length does not fit the algorithm */
	if (!esp_lens_ok(c))
		return -EINVAL;
	src = inbound ? &c->remote : &c->local;
	dst = inbound ? &c->local : &c->remote;
	ekey = inbound ? c->key_in : c->key_out;
	akey = inbound ? c->integ_in : c->integ_out;
	family = c->local.family ? c->local.family : c->remote.family;

	snprintf(spi, sizeof(spi), "0x%08x",
		 (unsigned int)(inbound ? c->spi_in : c->spi_out));
	lb_str(&b, family == 6 ? "\"IPv6\",\"" : "\"IPv4\",\"");
	esp_addr(&b, src);
	lb_str(&b, "\",\"");
	esp_addr(&b, dst);
	lb_str(&b, "\",\"");
	lb_str(&b, spi);
	lb_str(&b, "\",\"");
	lb_str(&b, enc);
	lb_str(&b, "\",\"");
	if (c->key_len) {
		lb_str(&b, "0x");
		lb_hex(&b, ekey, c->key_len);
	}
	lb_str(&b, "\",\"");
	lb_str(&b, auth);
	lb_str(&b, "\",\"");
	if (c->integ_len) {
		lb_str(&b, "0x");
		lb_hex(&b, akey, c->integ_len);
	}
	lb_str(&b, "\"");
	return lb_done(&b);
}

int ike_keylog_ikev2(const uint8_t spi_i[8], const uint8_t spi_r[8],
		     const struct ike_suite *s, const struct ike_sa_keys *k,
		     char *buf, size_t len)
{
	struct lb b = { buf, len, 0, false };
	const char *integ;
	char enc[64];

	if (spi_i == NULL || spi_r == NULL || s == NULL || k == NULL ||
	    buf == NULL)
		return -EINVAL;
	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	switch (s->encr) {
	case IKE_ENCR_AES_CBC:
		snprintf(enc, sizeof(enc), "AES-CBC-%u [RFC3602]",
			 s->encr_bits);
		break;
	case IKE_ENCR_AES_GCM_16:
		snprintf(enc, sizeof(enc),
			 "AES-GCM-%u with 16 octet ICV [RFC5282]",
			 s->encr_bits);
		break;
	default:
		return -ENOTSUP;
	}
	switch (s->integ) {
	case IKE_INTEG_NONE:
		integ = "NONE [RFC4306]";
		break;
	case IKE_INTEG_HMAC_SHA2_256_128:
		integ = "HMAC_SHA2_256_128 [RFC4868]";
		break;
	case IKE_INTEG_HMAC_SHA2_384_192:
		integ = "HMAC_SHA2_384_192 [RFC4868]";
		break;
	case IKE_INTEG_HMAC_SHA2_512_256:
		integ = "HMAC_SHA2_512_256 [RFC4868]";
		break;
	default:
		return -ENOTSUP;
	}
	/* tshark refuses keys whose length does not fit the algorithm */
	if (ike_suite_check(s, false) != 0 ||
	    k->encr_len != ike_encr_key_len(s) ||
	    k->encr_len > sizeof(k->sk_ei) ||
	    k->integ_len != ike_integ_key_len(s->integ) ||
	    k->integ_len > sizeof(k->sk_ai))
		return -EINVAL;

	lb_hex(&b, spi_i, 8);
	lb_str(&b, ",");
	lb_hex(&b, spi_r, 8);
	lb_str(&b, ",");
	lb_hex(&b, k->sk_ei, k->encr_len);
	lb_str(&b, ",");
	lb_hex(&b, k->sk_er, k->encr_len);
	lb_str(&b, ",\"");
	lb_str(&b, enc);
	lb_str(&b, "\",");
	lb_hex(&b, k->sk_ai, k->integ_len);
	lb_str(&b, ",");
	lb_hex(&b, k->sk_ar, k->integ_len);
	lb_str(&b, ",\"");
	lb_str(&b, integ);
	lb_str(&b, "\"");
	return lb_done(&b);
}
