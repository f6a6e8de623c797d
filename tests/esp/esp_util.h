/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers for the libesp tests: SA construction from a compact
 * configuration, and an independent reference ESP encoder/decoder written
 * directly against OpenSSL EVP (RFC 4303 framing, RFC 3602 / 4106 / 7634 /
 * 4868 / 2410 transforms). The reference codec is what the tests compare
 * libesp against, and what they use to forge packets that carry a valid
 * ICV around invalid contents (bad padding, wrong next header, ...).
 */
#ifndef PP_TESTS_ESP_UTIL_H
#define PP_TESTS_ESP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <parapass/pp_esp.h>

#include "pktbuild.h"
#include "tv.h"

/* cmocka's headers need these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define EU_SPI 0x0badcafeu

/* A cipher suite: transform pair and key sizes. */
struct eu_suite {
	const char *name;
	enum pp_esp_cipher cipher;
	size_t ckey_len; /* AEAD: including the 4-byte salt */
	enum pp_esp_integ integ;
};

/* Every suite libesp supports (for round trips). */
extern const struct eu_suite eu_suites[];
extern const size_t eu_n_suites;

/* Sizes of a suite on the wire. */
size_t eu_iv_len(enum pp_esp_cipher c);
size_t eu_block(enum pp_esp_cipher c); /* padding alignment: 16 or 4 */
size_t eu_icv_len(enum pp_esp_cipher c, enum pp_esp_integ i);
size_t eu_ikey_len(enum pp_esp_integ i);

/* Configuration of one SA pair. */
struct eu_cfg {
	const struct eu_suite *suite;
	enum pp_esp_mode mode;
	int outer_family; /* 4 or 6 */
	uint32_t flags;	  /* PP_ESP_SA_F_* */
	uint32_t spi;	  /* 0 = EU_SPI */
	uint32_t replay_window;
	uint64_t initial_seq;	 /* outbound: last sequence number sent */
	uint64_t in_initial_seq; /* inbound: initial right edge of the window */
	uint16_t encap_sport, encap_dport;
	uint32_t max_pkt_len;
	uint8_t outer_ttl;
	struct pp_esp_lifetime soft, hard;
	uint64_t now;
	pp_esp_event_fn event_fn;
	void *event_opaque;
	uint64_t key_seed; /* different seeds give different keys */
};

/* Deterministic key material of a configuration. */
struct eu_keys {
	uint8_t ckey[PP_ESP_KEY_MAX];
	size_t ckey_len;
	uint8_t ikey[PP_ESP_KEY_MAX];
	size_t ikey_len;
};
void eu_make_keys(const struct eu_cfg *cfg, struct eu_keys *k);

/* Outer addresses used by every configuration. */
extern const uint8_t eu_v4_a[4], eu_v4_b[4]; /* outer src, dst */
extern const uint8_t eu_v6_a[16], eu_v6_b[16];
extern const uint8_t eu_in4_a[4], eu_in4_b[4]; /* inner src, dst */
extern const uint8_t eu_in6_a[16], eu_in6_b[16];

/* Parameters for direction @dir; the keys live in @k. */
void eu_params(const struct eu_cfg *cfg, const struct eu_keys *k,
	       enum pp_esp_dir dir, struct pp_esp_sa_params *prm);

/* Create the outbound and inbound SA of @cfg; returns 0 or -errno. */
int eu_sa_pair(const struct eu_cfg *cfg, struct pp_esp_sa **out,
	       struct pp_esp_sa **in);

/* ---------------------------------------------------------------------- */
/* Reference codec                                                        */
/* ---------------------------------------------------------------------- */

/* What the reference codec needs to know about an SA. */
struct eu_ref {
	enum pp_esp_cipher cipher;
	enum pp_esp_integ integ;
	const uint8_t *ckey; /* AEAD: key || salt */
	size_t ckey_len;
	const uint8_t *ikey;
	size_t ikey_len;
	bool esn;
};

void eu_ref_from(const struct eu_cfg *cfg, const struct eu_keys *k,
		 struct eu_ref *r);

/*
 * Encode an ESP packet (from the SPI on) into @out: header with @spi and the
 * low 32 bits of @seq, @iv (eu_iv_len bytes; ignored for NULL), @pt
 * encrypted as is (the caller supplies payload, padding, pad length and
 * next header, so any trailer can be forged), and a valid ICV.
 * Returns the length or 0 on error (pt not a multiple of the block size).
 */
size_t eu_ref_encode(const struct eu_ref *r, uint32_t spi, uint64_t seq,
		     const uint8_t *iv, const uint8_t *pt, size_t pt_len,
		     uint8_t *out, size_t cap);

/*
 * Build the plaintext of an ESP payload: @payload, then RFC 4303 default
 * padding (1, 2, 3, ...) up to @block alignment plus @extra_pad bytes, pad
 * length and @nh. Returns the length.
 */
size_t eu_trailer(uint8_t *out, const uint8_t *payload, size_t len,
		  size_t block, size_t extra_pad, uint8_t nh);

/*
 * Verify and decrypt the ESP packet @esp (from the SPI on) with the ICV
 * computed over the high sequence bits @seq_hi (ESN). On success returns
 * true and gives the decrypted region (payload || padding || pad length ||
 * next header) in @pt / @pt_len (@pt at least @len bytes).
 */
bool eu_ref_decode(const struct eu_ref *r, const uint8_t *esp, size_t len,
		   uint32_t seq_hi, uint8_t *pt, size_t *pt_len);

/* Raw HMAC of @data with the RFC 4868 transform @i, truncated. */
size_t eu_hmac(enum pp_esp_integ i, const uint8_t *key, size_t key_len,
	       const uint8_t *data, size_t len, uint8_t *out);

/* ---------------------------------------------------------------------- */
/* Burst helpers                                                          */
/* ---------------------------------------------------------------------- */

/* Run one packet through pp_esp_outbound / pp_esp_inbound; return status. */
int eu_out1(struct pp_esp_sa *sa, struct pp_pkt *p);
int eu_in1(struct pp_esp_sa *sa, struct pp_pkt *p);

/* Event recorder for event_fn. */
struct eu_events {
	unsigned int soft, hard, exhausted, other;
	struct pp_esp_sa *last_sa;
};
void eu_event_cb(void *opaque, struct pp_esp_sa *sa, enum pp_esp_event ev);

/* Status name for messages, tolerant of out-of-range values. */
const char *eu_status(int st);

/* cmocka helpers: assert a status with a readable message. */
#define eu_assert_status(got, want)                                          \
	do {                                                                 \
		int eu_g_ = (int)(got), eu_w_ = (int)(want);                 \
		if (eu_g_ != eu_w_)                                          \
			fail_msg("status %d (%s), expected %d (%s)", eu_g_,  \
				 eu_status(eu_g_), eu_w_, eu_status(eu_w_)); \
	} while (0)

#endif /* PP_TESTS_ESP_UTIL_H */
