// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: libesp inbound processing (pp_esp_inbound) and the
 * parsing helpers (pp_esp_pkt_spi, pp_esp_natt_classify, pp_esp_spd_lookup).
 *
 * A fixed set of SA configurations is built once (GCM, ChaCha20-Poly1305,
 * CBC+HMAC; with and without ESN; raw and UDP-encapsulated; NO_OUTER;
 * tunnel with selector checking, TFC padding, transport, transport with
 * NO_OUTER). Each configuration has an outbound SA and three inbound SAs
 * with the same keys (A for PAIRED, B for CRAFTED, one for RAW inputs, so
 * that garbage cannot disturb the replay windows the oracles rely on). The
 * ESN configurations start sending at 2^32 - 16, so a run crosses into
 * seq_hi = 1.
 *
 * Input format: byte 0 picks the mode (bits 7..6) and the configuration
 * (bits 5..0, modulo the number of configurations); the rest depends on the
 * mode:
 *
 *   0 RAW     the rest is an ESP packet as received, fed to inbound SA A
 *             (outer parsing, SPI/destination, replay pre-check, ICV).
 *   1 RAW2    the same packet twice in one burst (replay within a burst).
 *   2 PAIRED  [pos lo][pos hi][xor] inner...: the inner bytes go through the
 *             outbound SA (so they must look like an IP packet; transport +
 *             NO_OUTER: any bytes, next header = pos hi), then byte
 *             pos % len of the ESP packet is XORed with xor (0 = untouched),
 *             then inbound SA A. Unmutated packets must come back intact.
 *   3 CRAFTED [nh][flags][arg] payload...: the harness itself builds the ESP
 *             packet with a valid ICV around an arbitrary plaintext (payload,
 *             padding, pad length, next header, optionally broken as flags
 *             say), then inbound SA B. This is the only way for the fuzzer
 *             to reach padding/next-header/inner-length/TFC/selector checks
 *             with bytes outbound would never produce.
 *
 * Oracles besides the sanitizers: the burst return value equals the number
 * of OK packets; packets stay inside their buffers; an untouched PAIRED
 * packet decapsulates to the original inner packet (or fails the selector
 * check); a CRAFTED packet never fails with ICV/SPI/replay; no plaintext of
 * a failed PAIRED/CRAFTED packet is left in its buffer (pp_esp.h contract).
 *
 * Built twice: as the fuzzer (LLVMFuzzerTestOneInput) and, with
 * -DFUZZ_SEEDGEN, as a program writing a seed corpus into a directory.
 * FUZZ_ESP_DEBUG=1 in the environment prints each PAIRED result.
 *
 * Reproduce a failure: ./fuzz_esp_inb <crash-file> (SA state carries over
 * between inputs within one process, so a lone input may not reproduce a
 * replay-window-dependent failure; rerun with the corpus in that case).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <parapass/pp_esp.h>

#define HEADROOM 160
#define TAILROOM 640

static void fatal(const char *msg, int v)
{
	fprintf(stderr, "fuzz_esp_inb: %s (%d)\n", msg, v);
	abort();
}

#define CHECK(cond, msg)                                                   \
	do {                                                               \
		if (!(cond))                                               \
			fatal("oracle failed: " msg, __LINE__);            \
	} while (0)

/* ---------------------------------------------------------------------- */
/* Configurations                                                         */
/* ---------------------------------------------------------------------- */

struct fz_cfg {
	const char *name;
	enum pp_esp_mode mode;
	enum pp_esp_cipher cipher;
	size_t ckey_len;
	enum pp_esp_integ integ;
	size_t ikey_len, icv_len;
	uint32_t flags;	     /* both directions */
	int fam;	     /* outer family */
	uint16_t tfc;	     /* outbound TFC padding */
	uint32_t window;     /* inbound */
	bool selectors;	     /* inbound CHECK_SELECTORS */
	uint64_t init_seq;   /* outbound initial_seq (ESN: near 2^32) */
};

#define ESN_START 0xfffffff0ull

static const struct fz_cfg cfgs[] = {
	{ "gcm128-tun4", PP_ESP_MODE_TUNNEL, PP_ESP_CIPHER_AES_GCM_16, 20,
	  PP_ESP_INTEG_NONE, 0, 16, 0, 4, 0, 64, false, 0 },
	{ "gcm256-tun6-esn-udp", PP_ESP_MODE_TUNNEL, PP_ESP_CIPHER_AES_GCM_16,
	  36, PP_ESP_INTEG_NONE, 0, 16,
	  PP_ESP_SA_F_ESN | PP_ESP_SA_F_UDP_ENCAP, 6, 0, 0, false,
	  ESN_START },
	{ "chacha-tun4-esn-sel", PP_ESP_MODE_TUNNEL,
	  PP_ESP_CIPHER_CHACHA20_POLY1305, 36, PP_ESP_INTEG_NONE, 0, 16,
	  PP_ESP_SA_F_ESN, 4, 0, 0, true, ESN_START },
	{ "cbc128-sha256-tun4-udp-noreplay", PP_ESP_MODE_TUNNEL,
	  PP_ESP_CIPHER_AES_CBC, 16, PP_ESP_INTEG_HMAC_SHA256_128, 32, 16,
	  PP_ESP_SA_F_UDP_ENCAP | PP_ESP_SA_F_NO_REPLAY, 4, 0, 0, false, 0 },
	{ "cbc256-sha512-trans6", PP_ESP_MODE_TRANSPORT, PP_ESP_CIPHER_AES_CBC,
	  32, PP_ESP_INTEG_HMAC_SHA512_256, 64, 32, 0, 6, 0, 0, false, 0 },
	{ "gcm128-noouter-esn-sel", PP_ESP_MODE_TUNNEL,
	  PP_ESP_CIPHER_AES_GCM_16, 20, PP_ESP_INTEG_NONE, 0, 16,
	  PP_ESP_SA_F_NO_OUTER | PP_ESP_SA_F_ESN, 4, 0, 0, true, ESN_START },
	{ "cbc256-sha384-tun6-tfc-dscp", PP_ESP_MODE_TUNNEL,
	  PP_ESP_CIPHER_AES_CBC, 32, PP_ESP_INTEG_HMAC_SHA384_192, 48, 24,
	  PP_ESP_SA_F_COPY_DSCP, 6, 256, 32, false, 0 },
	{ "chacha-trans4", PP_ESP_MODE_TRANSPORT,
	  PP_ESP_CIPHER_CHACHA20_POLY1305, 36, PP_ESP_INTEG_NONE, 0, 16, 0, 4,
	  0, 0, false, 0 },
	{ "gcm128-trans-noouter", PP_ESP_MODE_TRANSPORT,
	  PP_ESP_CIPHER_AES_GCM_16, 20, PP_ESP_INTEG_NONE, 0, 16,
	  PP_ESP_SA_F_NO_OUTER, 4, 0, 0, false, 0 },
	{ "gcm256-tun4-udp-noouter", PP_ESP_MODE_TUNNEL,
	  PP_ESP_CIPHER_AES_GCM_16, 36, PP_ESP_INTEG_NONE, 0, 16,
	  PP_ESP_SA_F_UDP_ENCAP | PP_ESP_SA_F_NO_OUTER, 4, 0, 0, false, 0 },
};
#define N_CFG (sizeof(cfgs) / sizeof(cfgs[0]))

static const uint8_t peer4[4] = { 192, 0, 2, 1 }, self4[4] = { 192, 0, 2, 2 };
static const uint8_t peer6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				   0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t self6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				   0, 0, 0, 0, 0, 0, 0, 2 };

/* Inner selectors for the CHECK_SELECTORS configurations. */
static const struct pp_esp_selector sels[] = {
	{ .family = 4, .proto = 17, .src_plen = 16, .dst_plen = 16,
	  .src = { 10, 1 }, .dst = { 10, 2 }, .sport_lo = 0,
	  .sport_hi = 65535, .dport_lo = 1000, .dport_hi = 2000 },
	{ .family = 4, .proto = 1, .src_plen = 32, .dst_plen = 8,
	  .src = { 10, 1, 0, 1 }, .dst = { 10 } },
	{ .family = 6, .proto = 0, .src_plen = 32, .dst_plen = 32,
	  .src = { 0xfd, 0, 0, 1 }, .dst = { 0xfd, 0, 0, 2 } },
};

struct fz_sa {
	const struct fz_cfg *cfg;
	uint32_t spi;
	uint8_t ckey[PP_ESP_KEY_MAX], ikey[PP_ESP_KEY_MAX];
	struct pp_esp_sa *out, *in_a, *in_b, *in_raw;
	uint64_t crafted_seq;  /* last sequence number of CRAFTED */
	bool last_crafted_ok;  /* ... and it was accepted */
	EVP_CIPHER_CTX *cctx;
	EVP_MAC_CTX *mctx;
};

static struct fz_sa sas[N_CFG];
static struct pp_esp_spd *spd;
static bool inited, debug;

static void fill_params(struct pp_esp_sa_params *p, struct fz_sa *s,
			enum pp_esp_dir dir)
{
	const struct fz_cfg *c = s->cfg;

	memset(p, 0, sizeof(*p));
	p->dir = dir;
	p->mode = c->mode;
	p->spi = s->spi;
	p->flags = c->flags;
	p->cipher = c->cipher;
	p->cipher_key = s->ckey;
	p->cipher_key_len = c->ckey_len;
	p->integ = c->integ;
	p->integ_key = c->ikey_len ? s->ikey : NULL;
	p->integ_key_len = c->ikey_len;
	if (c->mode == PP_ESP_MODE_TUNNEL &&
	    !(c->flags & PP_ESP_SA_F_NO_OUTER)) {
		p->outer_src.family = p->outer_dst.family = (uint8_t)c->fam;
		memcpy(p->outer_src.bytes, c->fam == 4 ? peer4 : peer6,
		       c->fam == 4 ? 4 : 16);
		memcpy(p->outer_dst.bytes, c->fam == 4 ? self4 : self6,
		       c->fam == 4 ? 4 : 16);
	}
	if (dir == PP_ESP_DIR_OUTBOUND) {
		p->tfc_pad_to = c->tfc;
		p->initial_seq = c->init_seq;
	} else {
		p->replay_window = c->window;
		if (c->selectors) {
			p->flags |= PP_ESP_SA_F_CHECK_SELECTORS;
			p->selectors = sels;
			p->n_selectors = sizeof(sels) / sizeof(sels[0]);
		}
	}
}

static const EVP_CIPHER *evp_cipher(const struct fz_cfg *c)
{
	switch (c->cipher) {
	case PP_ESP_CIPHER_AES_GCM_16:
		return c->ckey_len == 20 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
	case PP_ESP_CIPHER_CHACHA20_POLY1305:
		return EVP_chacha20_poly1305();
	case PP_ESP_CIPHER_AES_CBC:
		return c->ckey_len == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
	default:
		return NULL;
	}
}

static const char *hmac_digest(const struct fz_cfg *c)
{
	switch (c->integ) {
	case PP_ESP_INTEG_HMAC_SHA256_128:
		return "SHA256";
	case PP_ESP_INTEG_HMAC_SHA384_192:
		return "SHA384";
	case PP_ESP_INTEG_HMAC_SHA512_256:
		return "SHA512";
	default:
		return NULL;
	}
}

static void prime_esn(struct fz_sa *s);

static void init_once(void)
{
	struct pp_esp_spd_rule r;
	int rc;

	if (inited)
		return;
	inited = true;
	debug = getenv("FUZZ_ESP_DEBUG") != NULL;
	for (unsigned int i = 0; i < N_CFG; i++) {
		struct fz_sa *s = &sas[i];
		struct pp_esp_sa_params p;

		s->cfg = &cfgs[i];
		s->spi = 0x100u + 0x11u * i;
		for (size_t k = 0; k < PP_ESP_KEY_MAX; k++) {
			s->ckey[k] = (uint8_t)(0x40 + 7 * k + i);
			s->ikey[k] = (uint8_t)(0x90 + 3 * k + i);
		}
		s->crafted_seq = s->cfg->init_seq;

		fill_params(&p, s, PP_ESP_DIR_OUTBOUND);
		rc = pp_esp_sa_create(&p, &s->out);
		if (rc)
			fatal(s->cfg->name, rc);
		fill_params(&p, s, PP_ESP_DIR_INBOUND);
		rc = pp_esp_sa_create(&p, &s->in_a);
		if (rc)
			fatal(s->cfg->name, rc);
		rc = pp_esp_sa_create(&p, &s->in_b);
		if (rc)
			fatal(s->cfg->name, rc);
		rc = pp_esp_sa_create(&p, &s->in_raw);
		if (rc)
			fatal(s->cfg->name, rc);

		/* The harness's own crypto for CRAFTED packets. */
		s->cctx = EVP_CIPHER_CTX_new();
		if (!s->cctx ||
		    !EVP_EncryptInit_ex(s->cctx, evp_cipher(s->cfg), NULL,
					s->ckey, NULL))
			fatal("EVP init", (int)i);
		if (s->cfg->cipher == PP_ESP_CIPHER_AES_CBC) {
			EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
			OSSL_PARAM prm[2];

			EVP_CIPHER_CTX_set_padding(s->cctx, 0);
			s->mctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
			EVP_MAC_free(mac);
			prm[0] = OSSL_PARAM_construct_utf8_string(
				OSSL_MAC_PARAM_DIGEST,
				(char *)(uintptr_t)hmac_digest(s->cfg), 0);
			prm[1] = OSSL_PARAM_construct_end();
			if (!s->mctx ||
			    !EVP_MAC_init(s->mctx, s->ikey, s->cfg->ikey_len,
					  prm))
				fatal("HMAC init", (int)i);
		}
		if (s->cfg->flags & PP_ESP_SA_F_ESN)
			prime_esn(s);
	}

	rc = pp_esp_spd_create(8, &spd);
	if (rc)
		fatal("pp_esp_spd_create", rc);
	memset(&r, 0, sizeof(r));
	r.sel = sels[0];
	r.action = PP_ESP_ACTION_PROTECT;
	r.sa = sas[0].out;
	r.priority = 10;
	if (pp_esp_spd_add(spd, &r) < 0)
		fatal("spd_add", 0);
	r.sel = sels[2];
	r.action = PP_ESP_ACTION_PROTECT;
	r.sa = NULL;
	r.priority = 10;
	if (pp_esp_spd_add(spd, &r) < 0)
		fatal("spd_add", 1);
	memset(&r.sel, 0, sizeof(r.sel));
	r.sel.family = 4;
	r.sel.proto = 6;
	r.sel.dport_lo = 22;
	r.sel.dport_hi = 22;
	r.action = PP_ESP_ACTION_BYPASS;
	r.priority = 5;
	if (pp_esp_spd_add(spd, &r) < 0)
		fatal("spd_add", 2);
	memset(&r.sel, 0, sizeof(r.sel));
	r.sel.family = 6;
	r.action = PP_ESP_ACTION_DISCARD;
	r.priority = 20;
	if (pp_esp_spd_add(spd, &r) < 0)
		fatal("spd_add", 3);
}

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */
/* ---------------------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* A packet buffer of exactly headroom + len + tailroom bytes (ASan). */
static uint8_t *pkt_new(struct pp_pkt *p, const uint8_t *data, size_t len)
{
	size_t cap = HEADROOM + len + TAILROOM;
	uint8_t *buf = malloc(cap);

	if (!buf)
		fatal("malloc", 0);
	memset(buf, 0x5c, cap);
	pp_pkt_init(p, buf, (uint32_t)cap, HEADROOM);
	if (len)
		memcpy(pp_pkt_put(p, (uint32_t)len), data, len);
	return buf;
}

static void check_after(const struct pp_pkt *p, unsigned int ok_count,
			unsigned int n_ok)
{
	CHECK(ok_count == n_ok, "return value != number of OK packets");
	CHECK(pp_pkt_valid(p), "packet outside its buffer");
	CHECK(p->status >= 0 && p->status < PP_ESP_STATUS_COUNT,
	      "status out of range");
	CHECK(pp_esp_status_name(p->status) != NULL, "status name NULL");
}

/*
 * Find a 16-byte window of @pt with at least 10 distinct byte values (so it
 * cannot occur by chance in ciphertext or wiped memory); -1 if none.
 */
static long distinctive_window(const uint8_t *pt, size_t len)
{
	for (size_t o = 0; o + 16 <= len; o += 8) {
		uint8_t seen[256] = { 0 };
		unsigned int d = 0;

		for (size_t i = 0; i < 16; i++)
			if (!seen[pt[o + i]]++)
				d++;
		if (d >= 10)
			return (long)o;
	}
	return -1;
}

/* Bytes in clear in front of the ciphertext: headers, SPI, seq, IV. */
static size_t clear_len(const struct fz_cfg *c, size_t ip_hl)
{
	size_t n = 8 + (c->cipher == PP_ESP_CIPHER_AES_CBC ? 16 : 8);

	if (c->flags & PP_ESP_SA_F_NO_OUTER)
		return n;
	if (c->flags & PP_ESP_SA_F_UDP_ENCAP)
		n += 8;
	return n + ip_hl;
}

/*
 * No plaintext of a failed packet may remain in its buffer. The headers in
 * clear at the front of the packet (@clear bytes from p->off) are blanked
 * in a copy first: they may legitimately repeat bytes of the payload.
 */
static void check_no_plaintext(const struct pp_pkt *p, size_t clear,
			       const uint8_t *pt, size_t len)
{
	long w = distinctive_window(pt, len);
	const uint8_t *hit;
	uint8_t *copy;

	if (w < 0)
		return;
	copy = malloc(p->cap);
	if (!copy)
		fatal("malloc", 0);
	memcpy(copy, p->buf, p->cap);
	if (clear > p->len)
		clear = p->len;
	memset(copy + p->off, 0, clear);
	hit = memmem(copy, p->cap, pt + w, 16);
	if (hit) {
		fprintf(stderr, "%s: plaintext bytes %ld..%ld of %zu found "
				"at buffer offset %td (packet at %u, %u bytes, "
				"status %s)\n",
			"fuzz_esp_inb", w, w + 15, len, hit - copy, p->off,
			p->len, pp_esp_status_name(p->status));
		fatal("oracle failed: plaintext left in the buffer of a "
		      "failed packet", 0);
	}
	free(copy);
}

static void parse_helpers(const uint8_t *d, size_t n, uint8_t sel)
{
	struct pp_pkt p;
	uint8_t *buf = pkt_new(&p, d, n);
	uint32_t spi = 0;
	struct pp_esp_addr dst;
	struct pp_esp_sa *sa = NULL;
	int rule = -1, rc;
	enum pp_esp_action act;
	enum pp_esp_natt_kind k;

	rc = pp_esp_pkt_spi(&p, sel & 1, (sel & 2) ? 4501 : 0, sel & 4, &spi,
			    &dst);
	CHECK(rc == 0 || rc == -EPROTO || rc == -EINVAL,
	      "pp_esp_pkt_spi return value");
	if (rc == 0)
		CHECK(dst.family == 0 || dst.family == 4 || dst.family == 6,
		      "pp_esp_pkt_spi dst family");
	k = pp_esp_natt_classify(d, n);
	CHECK(k >= PP_ESP_NATT_INVALID && k <= PP_ESP_NATT_KEEPALIVE,
	      "natt kind");
	if (k == PP_ESP_NATT_KEEPALIVE)
		CHECK(n == 1 && d[0] == 0xff, "keepalive misclassified");
	act = pp_esp_spd_lookup(spd, d, n, &sa, &rule);
	CHECK(act == PP_ESP_ACTION_DISCARD || act == PP_ESP_ACTION_BYPASS ||
	      act == PP_ESP_ACTION_PROTECT, "spd action");
	if (act == PP_ESP_ACTION_PROTECT)
		CHECK(rule >= 0 && (sa == NULL || sa == sas[0].out),
		      "spd PROTECT result");
	for (unsigned int i = 0; i < sizeof(sels) / sizeof(sels[0]); i++)
		(void)pp_esp_selector_match(&sels[i], d, n);
	free(buf);
}

/* An IPv4/IPv6 UDP packet inside the selectors (10.1/16 -> 10.2/16:1500). */
static size_t inner_udp(uint8_t *o, int fam, size_t dlen, uint16_t dport)
{
	size_t hl = fam == 4 ? 20 : 40, l4 = 8 + dlen;
	uint8_t *u = o + hl;
	uint32_t sum;

	memset(o, 0, hl + l4);
	if (fam == 4) {
		static const uint8_t a[4] = { 10, 1, 0, 1 }, b[4] = { 10, 2, 0,
								      9 };
		o[0] = 0x45;
		put16(o + 2, (uint16_t)(hl + l4));
		o[8] = 64;
		o[9] = 17;
		memcpy(o + 12, a, 4);
		memcpy(o + 16, b, 4);
		put16(o + 10, csum_fold(csum_add(0, o, 20)));
	} else {
		o[0] = 0x60;
		put16(o + 4, (uint16_t)l4);
		o[6] = 17;
		o[7] = 64;
		o[8] = 0xfd;
		o[11] = 1;
		o[23] = 1;
		o[24] = 0xfd;
		o[27] = 2;
		o[39] = 2;
	}
	put16(u, 5555);
	put16(u + 2, dport);
	put16(u + 4, (uint16_t)l4);
	for (size_t i = 0; i < dlen; i++)
		u[8 + i] = (uint8_t)(i * 37 + 11);
	sum = csum_add(0, fam == 4 ? o + 12 : o + 8, fam == 4 ? 8 : 32);
	sum += (uint32_t)l4 + 17;
	sum = csum_add(sum, u, l4);
	put16(u + 6, csum_fold(sum) ? csum_fold(sum) : 0xffff);
	return hl + l4;
}

/* ---------------------------------------------------------------------- */
/* Modes                                                                  */
/* ---------------------------------------------------------------------- */

static void mode_raw(struct fz_sa *s, const uint8_t *d, size_t n, bool twice)
{
	struct pp_pkt p[2], *pp[2] = { &p[0], &p[1] };
	uint8_t *b0 = pkt_new(&p[0], d, n);
	uint8_t *b1 = pkt_new(&p[1], d, n);
	unsigned int cnt = twice ? 2 : 1, ok;

	ok = pp_esp_inbound(s->in_raw, pp, cnt);
	check_after(&p[0], ok,
		    (p[0].status == PP_ESP_OK) +
			    (twice && p[1].status == PP_ESP_OK));
	if (twice) {
		CHECK(pp_pkt_valid(&p[1]), "packet outside its buffer");
		/* Both copies can only succeed without anti-replay. */
		if (!(s->cfg->flags & PP_ESP_SA_F_NO_REPLAY))
			CHECK(!(p[0].status == PP_ESP_OK &&
				p[1].status == PP_ESP_OK),
			      "a replayed packet was accepted in a burst");
	}
	free(b0);
	free(b1);
}

/* Tunnel: the output is the inner packet cut to its IP length. */
static size_t ip_len(const uint8_t *ip, size_t n)
{
	if (n >= 20 && (ip[0] >> 4) == 4)
		return (size_t)(ip[2] << 8 | ip[3]);
	if (n >= 40 && (ip[0] >> 4) == 6)
		return 40 + (size_t)(ip[4] << 8 | ip[5]);
	return 0;
}

/*
 * Does the protocol chain of an IP packet end in 59 ("no next header")?
 * IPv6: follows hop-by-hop, routing, fragment and destination options
 * headers, wherever transport-mode ESP may be inserted among them.
 */
static bool has_no_next_header(const uint8_t *ip, size_t len)
{
	size_t off = 40;
	uint8_t nh;

	if ((ip[0] >> 4) == 4)
		return len >= 20 && ip[9] == 59;
	if (len < 40)
		return false;
	nh = ip[6];
	for (int i = 0; i < 16; i++) {
		size_t hl;

		if (nh == 59)
			return true;
		if (nh != 0 && nh != 43 && nh != 44 && nh != 60)
			return false;
		if (off + 8 > len)
			return false;
		/* fragment headers are 8 bytes, the others say their length */
		hl = nh == 44 ? 8 : ((size_t)ip[off + 1] + 1) * 8;
		nh = ip[off];
		off += hl;
	}
	return nh == 59;
}

static void mode_paired(struct fz_sa *s, const uint8_t *d, size_t n)
{
	struct pp_pkt p, *pp = &p;
	uint8_t *buf;
	size_t pos, ilen, skip = 0, stated, clear;
	uint8_t x;
	const uint8_t *inner;
	unsigned int ok;
	bool tunnel = s->cfg->mode == PP_ESP_MODE_TUNNEL;
	/* transport + NO_OUTER: the input is the upper-layer payload. */
	bool bare = !tunnel && (s->cfg->flags & PP_ESP_SA_F_NO_OUTER);

	if (n < 3)
		return;
	pos = (size_t)(d[0] | d[1] << 8);
	x = d[2];
	inner = d + 3;
	ilen = n - 3;
	buf = pkt_new(&p, inner, ilen);
	/* pkt_new gave TAILROOM; the SA may want more (TFC). */
	if (pp_esp_sa_headroom(s->out) > HEADROOM ||
	    pp_esp_sa_tailroom(s->out) > TAILROOM)
		fatal("SA room larger than the harness's", 0);

	if (bare)
		p.meta = (uint32_t)(pos >> 8); /* the next header */
	ok = pp_esp_outbound(s->out, &pp, 1);
	check_after(&p, ok, p.status == PP_ESP_OK);
	if (p.status != PP_ESP_OK) {
		CHECK(p.status != PP_ESP_ERR_CRYPTO, "outbound crypto error");
		free(buf);
		return;
	}
	/* Outbound trims the inner packet to its stated IP length. */
	stated = bare ? ilen : ip_len(inner, ilen);
	CHECK((bare || stated) && stated <= ilen,
	      "outbound accepted a bad IP length");
	CHECK(p.len > stated, "outbound did not grow the packet");
	/*
	 * Bytes of the input beyond the stated length stay in the buffer
	 * outside the packet: clear them so that the plaintext check below
	 * only sees what inbound leaves.
	 */
	memset(p.buf, 0x5c, p.off);
	memset(p.buf + p.off + p.len, 0x5c, p.cap - p.off - p.len);
	/*
	 * Transport mode sends the IP header (and IPv6 extension headers up
	 * to the routing header) in clear: only what follows the ESP header
	 * must not survive a failed inbound call. Find where outbound put it.
	 */
	if (!tunnel && !bare) {
		const uint8_t *o = pp_pkt_data(&p);
		size_t u = (s->cfg->flags & PP_ESP_SA_F_UDP_ENCAP) ? 8 : 0;
		uint32_t sq = (uint32_t)pp_esp_sa_seq(s->out);

		for (skip = 20; skip + u + 8 <= p.len && skip <= stated;
		     skip += 4) {
			const uint8_t *e = o + skip + u;

			if (e[0] == (uint8_t)(s->spi >> 24) &&
			    e[1] == (uint8_t)(s->spi >> 16) &&
			    e[2] == (uint8_t)(s->spi >> 8) &&
			    e[3] == (uint8_t)s->spi && e[4] == (uint8_t)(sq >> 24) &&
			    e[5] == (uint8_t)(sq >> 16) && e[6] == (uint8_t)(sq >> 8) &&
			    e[7] == (uint8_t)sq)
				break;
		}
		CHECK(skip <= stated && skip + u + 8 <= p.len,
		      "no ESP header in the transport-mode output");
	}
	clear = clear_len(s->cfg, tunnel ? (s->cfg->fam == 4 ? 20 : 40) : skip);
	if (x)
		pp_pkt_data(&p)[pos % p.len] ^= x;

	ok = pp_esp_inbound(s->in_a, &pp, 1);
	check_after(&p, ok, p.status == PP_ESP_OK);
	if (debug)
		fprintf(stderr, "%s paired: inner %zu stated %zu xor 0x%02x at "
				"%zu: %s off %u len %u\n",
			s->cfg->name, ilen, stated, x, pos,
			pp_esp_status_name(p.status), p.off, p.len);
	if (x) {
		if (p.status != PP_ESP_OK)
			check_no_plaintext(&p, clear, inner + skip,
					   stated - skip);
		free(buf);
		return;
	}

	/* Untouched: must come back (or fail the selector check only). */
	if (p.status == PP_ESP_ERR_POLICY && s->cfg->selectors) {
		check_no_plaintext(&p, clear, inner + skip, stated - skip);
		free(buf);
		return;
	}
	/*
	 * A transport packet whose protocol is 59 ("no next header") is
	 * indistinguishable from a dummy packet (RFC 4303 §2.6): dropped.
	 */
	if (p.status == PP_ESP_ERR_DUMMY && !tunnel &&
	    (bare ? pos >> 8 == 59 : has_no_next_header(inner, stated))) {
		free(buf);
		return;
	}
	if (p.status != PP_ESP_OK) {
		fprintf(stderr, "%s: outbound accepted %zu bytes, inbound "
				"rejected them: %s\n",
			s->cfg->name, ilen, pp_esp_status_name(p.status));
		CHECK(0, "round trip failed for an untouched packet");
	}
	if (bare) {
		CHECK(p.len == ilen && !memcmp(pp_pkt_data(&p), inner, ilen),
		      "transport/NO_OUTER payload differs");
		CHECK(p.meta == pos >> 8, "meta != next header");
	} else if (tunnel) {
		CHECK(p.len == stated, "decapsulated length != inner IP length");
		CHECK(!memcmp(pp_pkt_data(&p), inner, stated),
		      "decapsulated inner packet differs");
		CHECK(p.meta == ((inner[0] >> 4) == 4 ? 4u : 41u),
		      "meta != next header");
	} else {
		size_t hl = (inner[0] >> 4) == 4 ? (size_t)(inner[0] & 15) * 4
						 : 40;

		CHECK(p.len == stated, "transport round trip changed length");
		CHECK(hl <= stated && !memcmp(pp_pkt_data(&p) + hl, inner + hl,
					     stated - hl),
		      "transport round trip changed the payload");
	}
	free(buf);
}

/* ESP plaintext → complete packet (outer headers per SA) with valid ICV. */
static size_t craft_esp(struct fz_sa *s, uint8_t *out, const uint8_t *pt,
			size_t ptlen, uint64_t seq, const uint8_t iv_seed[16])
{
	const struct fz_cfg *c = s->cfg;
	bool aead = c->cipher != PP_ESP_CIPHER_AES_CBC;
	size_t ivlen = aead ? 8 : 16, hdr = 0, esplen;
	bool outer = !(c->flags & PP_ESP_SA_F_NO_OUTER);
	bool udp = c->flags & PP_ESP_SA_F_UDP_ENCAP;
	size_t iphl = c->fam == 4 ? 20 : 40;
	uint8_t *e, *ct;
	int l;

	if (outer)
		hdr = iphl + (udp ? 8 : 0);
	e = out + hdr;
	put32(e, s->spi);
	put32(e + 4, (uint32_t)seq);
	if (aead)
		put32(e + 8, (uint32_t)(seq >> 32)), put32(e + 12, (uint32_t)seq);
	else
		memcpy(e + 8, iv_seed, 16);
	ct = e + 8 + ivlen;

	if (aead) {
		uint8_t nonce[12], aad[12];
		size_t aadlen = 8;

		memcpy(nonce, s->ckey + c->ckey_len - 4, 4);
		memcpy(nonce + 4, e + 8, 8);
		memcpy(aad, e, 4);
		if (c->flags & PP_ESP_SA_F_ESN) {
			put32(aad + 4, (uint32_t)(seq >> 32));
			put32(aad + 8, (uint32_t)seq);
			aadlen = 12;
		} else {
			memcpy(aad + 4, e + 4, 4);
		}
		if (!EVP_EncryptInit_ex(s->cctx, NULL, NULL, NULL, nonce) ||
		    !EVP_EncryptUpdate(s->cctx, NULL, &l, aad, (int)aadlen) ||
		    (ptlen && !EVP_EncryptUpdate(s->cctx, ct, &l, pt,
						 (int)ptlen)) ||
		    !EVP_EncryptFinal_ex(s->cctx, ct + ptlen, &l) ||
		    !EVP_CIPHER_CTX_ctrl(s->cctx, EVP_CTRL_AEAD_GET_TAG, 16,
					 ct + ptlen))
			fatal("AEAD encrypt", 0);
		esplen = 8 + ivlen + ptlen + 16;
	} else {
		uint8_t mac[64];
		size_t ml;
		uint8_t hi[4];

		if (!EVP_EncryptInit_ex(s->cctx, NULL, NULL, NULL, e + 8) ||
		    (ptlen && !EVP_EncryptUpdate(s->cctx, ct, &l, pt,
						 (int)ptlen)))
			fatal("CBC encrypt", 0);
		put32(hi, (uint32_t)(seq >> 32));
		if (!EVP_MAC_init(s->mctx, NULL, 0, NULL) ||
		    !EVP_MAC_update(s->mctx, e, 8 + ivlen + ptlen) ||
		    ((c->flags & PP_ESP_SA_F_ESN) &&
		     !EVP_MAC_update(s->mctx, hi, 4)) ||
		    !EVP_MAC_final(s->mctx, mac, &ml, sizeof(mac)))
			fatal("HMAC", 0);
		memcpy(ct + ptlen, mac, c->icv_len);
		esplen = 8 + ivlen + ptlen + c->icv_len;
	}
	if (!outer)
		return esplen;

	/* Outer IP (+UDP) header. Transport mode: proto = ESP/UDP too. */
	{
		uint8_t *ip = out;
		size_t tot = hdr + esplen;
		uint8_t proto = udp ? 17 : 50;

		memset(ip, 0, iphl);
		if (c->fam == 4) {
			ip[0] = 0x45;
			put16(ip + 2, (uint16_t)tot);
			ip[8] = 64;
			ip[9] = proto;
			memcpy(ip + 12, peer4, 4);
			memcpy(ip + 16, self4, 4);
			put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
		} else {
			ip[0] = 0x60;
			put16(ip + 4, (uint16_t)(tot - 40));
			ip[6] = proto;
			ip[7] = 64;
			memcpy(ip + 8, peer6, 16);
			memcpy(ip + 24, self6, 16);
		}
		if (udp) {
			uint8_t *u = ip + iphl;

			put16(u, 4500);
			put16(u + 2, 4500);
			put16(u + 4, (uint16_t)(8 + esplen));
			put16(u + 6, 0);
			if (c->fam == 6) {
				uint32_t sum = csum_add(0, ip + 8, 32);
				uint16_t ck;

				sum += (uint32_t)(8 + esplen) + 17;
				sum = csum_add(sum, u, 8 + esplen);
				ck = csum_fold(sum);
				put16(u + 6, ck ? ck : 0xffff);
			}
		}
	}
	return hdr + esplen;
}

/*
 * The ESN configurations send from initial_seq = 2^32 - 16 so that a run
 * crosses into seq_hi = 1. A fresh receiver (right edge 0) cannot place
 * such a sequence number, so first move the inbound SAs' right edge to
 * 2^31 with one valid packet.
 */
static void prime_esn(struct fz_sa *s)
{
	uint8_t in[128], pt[160], pkt[512], iv[16] = { 0 };
	size_t il, pl, bl, len;
	struct pp_esp_sa *targets[] = { s->in_a, s->in_b, s->in_raw };

	if (s->cfg->mode != PP_ESP_MODE_TUNNEL)
		fatal("ESN priming needs tunnel mode", 0);
	il = inner_udp(in, 4, 16, 1500);
	bl = s->cfg->cipher == PP_ESP_CIPHER_AES_CBC ? 16 : 4;
	memcpy(pt, in, il);
	pl = il;
	while ((pl + 2) % bl) {
		pt[pl] = (uint8_t)(pl - il + 1);
		pl++;
	}
	pt[pl] = (uint8_t)(pl - il);
	pt[pl + 1] = 4;
	len = craft_esp(s, pkt, pt, pl + 2, 0x80000000ull, iv);
	for (unsigned int i = 0; i < 3; i++) {
		struct pp_pkt p, *pp = &p;
		uint8_t *buf = pkt_new(&p, pkt, len);

		if (pp_esp_inbound(targets[i], &pp, 1) != 1) {
			fprintf(stderr, "%s: priming packet: %s\n",
				s->cfg->name, pp_esp_status_name(p.status));
			fatal("ESN priming failed (harness or libesp bug)", 0);
		}
		free(buf);
	}
}

#define CRAFT_MAX 4096

/*
 * Flags of CRAFTED mode (byte 2):
 *   bit 0: pad length byte = arg (else the correct value)
 *   bit 1: pad contents: one byte off (else 1, 2, 3, ...)
 *   bit 2: next header = byte 1 (else 4/41 by the payload's version nibble
 *          in tunnel mode, 17 in transport mode)
 *   bit 3: extra padding: arg & 0x3f more pad bytes (AEAD: unaligned
 *          allowed; CBC: rounded to 16)
 *   bit 4: old sequence number (the previous one: replay)
 */
static void mode_crafted(struct fz_sa *s, const uint8_t *d, size_t n)
{
	const struct fz_cfg *c = s->cfg;
	static uint8_t pt[CRAFT_MAX + 512], pkt[CRAFT_MAX + 1024];
	uint8_t nh_in, fl, arg, iv[16];
	size_t plen, padlen, ptlen, blk, len;
	bool aead = c->cipher != PP_ESP_CIPHER_AES_CBC;
	uint64_t seq;
	struct pp_pkt p, *pp = &p;
	uint8_t *buf;
	unsigned int ok;

	if (n < 3 || n - 3 > CRAFT_MAX)
		return;
	nh_in = d[0];
	fl = d[1];
	arg = d[2];
	plen = n - 3;
	memcpy(pt, d + 3, plen);

	blk = aead ? 4 : 16;
	/* ESP header + IV is a multiple of blk for every cipher here. */
	padlen = (blk - (plen + 2) % blk) % blk;
	if (fl & 8) {
		padlen += arg & 0x3f;
		if (!aead)
			padlen += (16 - (plen + 2 + padlen) % 16) % 16;
	}
	for (size_t i = 0; i < padlen; i++)
		pt[plen + i] = (uint8_t)(i + 1);
	if ((fl & 2) && padlen)
		pt[plen + arg % padlen] ^= 0x80;
	ptlen = plen + padlen + 2;
	pt[ptlen - 2] = (fl & 1) ? arg : (uint8_t)padlen;
	if (fl & 4)
		pt[ptlen - 1] = nh_in;
	else if (c->mode == PP_ESP_MODE_TUNNEL)
		pt[ptlen - 1] = (plen && (pt[0] >> 4) == 6) ? 41 : 4;
	else
		pt[ptlen - 1] = 17;
	if (!aead && ptlen % 16)
		fatal("CBC plaintext misaligned", (int)ptlen);

	if ((fl & 16) && s->crafted_seq > c->init_seq) {
		seq = s->crafted_seq; /* replay the last one */
	} else {
		seq = ++s->crafted_seq;
		if (!(c->flags & PP_ESP_SA_F_ESN) && (uint32_t)seq == 0)
			return; /* never reached in practice */
	}
	for (unsigned int i = 0; i < 16; i++)
		iv[i] = (uint8_t)(seq * 131 + i * 29 + arg);

	len = craft_esp(s, pkt, pt, ptlen, seq, iv);
	buf = pkt_new(&p, pkt, len);
	ok = pp_esp_inbound(s->in_b, &pp, 1);
	check_after(&p, ok, p.status == PP_ESP_OK);
	if (!(fl & 16)) {
		if (p.status == PP_ESP_ERR_ICV || p.status == PP_ESP_ERR_SPI ||
		    p.status == PP_ESP_ERR_REPLAY ||
		    p.status == PP_ESP_ERR_TOO_OLD ||
		    p.status == PP_ESP_ERR_CRYPTO) {
			fprintf(stderr, "%s: crafted packet seq %llu: %s\n",
				c->name, (unsigned long long)seq,
				pp_esp_status_name(p.status));
			CHECK(0, "valid ICV/SPI/fresh seq rejected");
		}
	} else if (s->last_crafted_ok &&
		   !(c->flags & PP_ESP_SA_F_NO_REPLAY)) {
		CHECK(p.status != PP_ESP_OK, "replayed packet accepted");
	}
	s->last_crafted_ok = p.status == PP_ESP_OK;
	if (p.status != PP_ESP_OK)
		check_no_plaintext(&p, clear_len(c, c->fam == 4 ? 20 : 40),
				   pt, plen);
	free(buf);
}

/* ---------------------------------------------------------------------- */
/* Entry points                                                           */
/* ---------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_sa *s;
	unsigned int mode;

	init_once();
	if (size < 1)
		return 0;
	mode = data[0] >> 6;
	s = &sas[(data[0] & 0x3f) % N_CFG];
	data++;
	size--;

	parse_helpers(data, size,
		      (uint8_t)(((s->cfg->flags & PP_ESP_SA_F_UDP_ENCAP) ? 1 : 0) |
				((s->cfg->flags & PP_ESP_SA_F_NO_OUTER) ? 4 : 0)));
	switch (mode) {
	case 0:
		mode_raw(s, data, size, false);
		break;
	case 1:
		mode_raw(s, data, size, true);
		break;
	case 2:
		mode_paired(s, data, size);
		break;
	default:
		mode_crafted(s, data, size);
		break;
	}
	return 0;
}

#ifdef FUZZ_SEEDGEN
/* ---------------------------------------------------------------------- */
/* Seed corpus writer                                                     */
/* ---------------------------------------------------------------------- */

static void write_seed(const char *dir, unsigned int *k, const uint8_t *d,
		       size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%03u", dir, (*k)++);
	f = fopen(path, "wb");
	if (!f || fwrite(d, 1, n, f) != n || fclose(f))
		fatal("cannot write seed", errno);
}

int main(int argc, char **argv)
{
	static uint8_t in[2048], seed[4096];
	unsigned int k = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s <dir>\n", argv[0]);
		return 2;
	}
	init_once();
	for (unsigned int i = 0; i < N_CFG; i++) {
		static const size_t sizes[] = { 0, 21, 300 };
		int fam = cfgs[i].mode == PP_ESP_MODE_TRANSPORT ? cfgs[i].fam
								: 4;

		for (unsigned int z = 0; z < 3; z++) {
			for (int f2 = 0; f2 < 2; f2++) {
				int f = f2 ? (fam == 4 ? 6 : 4) : fam;
				size_t il;

				if (f2 && cfgs[i].mode == PP_ESP_MODE_TRANSPORT)
					continue;
				il = inner_udp(in, f, sizes[z], 1500);
				/* PAIRED, untouched and with a flip. */
				seed[0] = (uint8_t)(0x80 | i);
				seed[1] = (uint8_t)(z * 17);
				seed[2] = 0;
				seed[3] = 0;
				memcpy(seed + 4, in, il);
				write_seed(argv[1], &k, seed, 4 + il);
				seed[3] = 0x01;
				write_seed(argv[1], &k, seed, 4 + il);
				/* CRAFTED with a correct trailer. */
				seed[0] = (uint8_t)(0xc0 | i);
				seed[1] = 0;
				seed[2] = 0;
				seed[3] = 0;
				memcpy(seed + 4, in, il);
				write_seed(argv[1], &k, seed, 4 + il);
				/* RAW: a genuine ESP packet. */
				{
					uint8_t pt[2200], iv[16] = { 1, 2, 3 };
					size_t pl, bl = cfgs[i].cipher ==
								PP_ESP_CIPHER_AES_CBC
							? 16
							: 4;

					memcpy(pt, in, il);
					pl = il;
					while ((pl + 2) % bl)
						pt[pl] = (uint8_t)(pl - il + 1),
						pl++;
					pt[pl] = (uint8_t)(pl - il);
					pt[pl + 1] = f == 4 ? 4 : 41;
					seed[0] = (uint8_t)i;
					seed[0] |= (uint8_t)(z == 1 ? 0x40 : 0);
					write_seed(argv[1], &k, seed,
						   1 + craft_esp(&sas[i],
								 seed + 1, pt,
								 pl + 2,
								 cfgs[i].init_seq +
									 1 + z,
								 iv));
				}
			}
		}
	}
	/* Parsing helpers: keepalive, IKE marker. */
	seed[0] = 0;
	seed[1] = 0xff;
	write_seed(argv[1], &k, seed, 2);
	memset(seed + 1, 0, 8);
	write_seed(argv[1], &k, seed, 9);
	printf("wrote %u seeds to %s\n", k, argv[1]);
	for (unsigned int i = 0; i < N_CFG; i++) {
		pp_esp_sa_destroy(sas[i].out);
		pp_esp_sa_destroy(sas[i].in_a);
		pp_esp_sa_destroy(sas[i].in_b);
		pp_esp_sa_destroy(sas[i].in_raw);
		EVP_CIPHER_CTX_free(sas[i].cctx);
		EVP_MAC_CTX_free(sas[i].mctx);
	}
	pp_esp_spd_destroy(spd);
	return 0;
}
#endif
