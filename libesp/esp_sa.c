/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SA lifecycle: parameter validation, size/init/fini, create/destroy,
 * getters, lifetimes and events, statistics, rate-limited logging.
 *
 * Memory layout of an SA block (pp_esp_sa_size()):
 *   struct pp_esp_sa | uint64_t ring[N] (inbound) | selectors[n_selectors]
 *
 * Parameter decisions worth knowing (all others follow pp_esp.h):
 *   - AES-CBC with integ NONE (confidentiality only, RFC 4303 §3.2) is
 *     accepted for known-answer tests and interop; such an inbound SA does
 *     no anti-replay (anti-replay needs integrity, RFC 4303 §3.4.3).
 *   - Flags that do not apply to the SA's direction or mode (NO_REPLAY,
 *     CHECK_SELECTORS and COPY_DSCP on the "wrong" side) are ignored so that
 *     one params struct can build both SAs of a pair; CHECK_SELECTORS on an
 *     inbound SA needs n_selectors >= 1 and an IP packet to check (tunnel,
 *     or transport without NO_OUTER).
 *   - tfc_pad_to must be 0 in transport mode; it is ignored inbound.
 *   - Both soft and hard limits of a field set: soft must be <= hard.
 *   - initial_seq: outbound, the last sequence number "already sent";
 *     inbound, the initial right edge of the window (nothing marked). Must
 *     fit in 32 bits without ESN.
 *   - UDP encapsulation ports describe the packets of the SA's direction:
 *     outbound sends from encap_sport to encap_dport; inbound accepts
 *     packets whose destination port is encap_dport (the source port is not
 *     checked: NATs rewrite it).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "esp_int.h"

#define DEFAULT_TTL 64

const char *pp_esp_status_name(int status)
{
	static const char *const names[PP_ESP_STATUS_COUNT] = {
		[PP_ESP_OK] = "ok",
		[PP_ESP_ERR_MALFORMED] = "malformed",
		[PP_ESP_ERR_SPI] = "spi",
		[PP_ESP_ERR_REPLAY] = "replay",
		[PP_ESP_ERR_TOO_OLD] = "too_old",
		[PP_ESP_ERR_ICV] = "icv",
		[PP_ESP_ERR_PAD] = "pad",
		[PP_ESP_ERR_NEXT_HDR] = "next_hdr",
		[PP_ESP_ERR_DUMMY] = "dummy",
		[PP_ESP_ERR_POLICY] = "policy",
		[PP_ESP_ERR_NOROOM] = "noroom",
		[PP_ESP_ERR_OVERSIZE] = "oversize",
		[PP_ESP_ERR_SEQ_EXHAUSTED] = "seq_exhausted",
		[PP_ESP_ERR_EXPIRED] = "expired",
		[PP_ESP_ERR_CRYPTO] = "crypto",
	};

	if (status < 0 || status >= PP_ESP_STATUS_COUNT)
		return "unknown";
	return names[status];
}

/* ---------------------------------------------------------------------- */
/* Logging                                                                */
/* ---------------------------------------------------------------------- */

static void vlog_to(pp_log_fn fn, void *opaque, enum pp_log_level lvl,
		    uint32_t spi, const char *dir, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

static void vlog_to(pp_log_fn fn, void *opaque, enum pp_log_level lvl,
		    uint32_t spi, const char *dir, const char *fmt, va_list ap)
{
	char msg[192];
	int n;

	if (fn == NULL)
		return;
	n = snprintf(msg, sizeof(msg), "esp spi 0x%08x %s: ", spi, dir);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return;
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	fn(opaque, lvl, msg);
}

static const char *dir_name(unsigned int dir)
{
	return dir == PP_ESP_DIR_INBOUND ? "in" : "out";
}

void esp_log(struct pp_esp_sa *sa, enum pp_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_to(sa->log_fn, sa->log_opaque, lvl, sa->spi, dir_name(sa->dir),
		fmt, ap);
	va_end(ap);
}

void esp_log_drop(struct pp_esp_sa *sa, int status, uint64_t seq)
{
	uint64_t n = ++sa->log_drops;

	if (sa->log_fn == NULL)
		return;
	if (n > ESP_LOG_BURST && n % ESP_LOG_EVERY != 0)
		return;
	esp_log(sa, PP_LOG_DEBUG, "drop %s seq %llu (%llu drops)",
		pp_esp_status_name(status), (unsigned long long)seq,
		(unsigned long long)n);
}

static void param_err(const struct pp_esp_sa_params *prm, const char *field,
		      const char *why, ...) __attribute__((format(printf, 3, 4)));

static void param_err(const struct pp_esp_sa_params *prm, const char *field,
		      const char *why, ...)
{
	char reason[96], msg[192];
	va_list ap;

	if (prm->log_fn == NULL)
		return;
	va_start(ap, why);
	vsnprintf(reason, sizeof(reason), why, ap);
	va_end(ap);
	snprintf(msg, sizeof(msg), "esp spi 0x%08x %s: invalid parameter %s: %s",
		 prm->spi, dir_name(prm->dir), field, reason);
	prm->log_fn(prm->log_opaque, PP_LOG_ERR, msg);
}

/* ---------------------------------------------------------------------- */
/* Parameter validation                                                   */
/* ---------------------------------------------------------------------- */

static bool family_ok(uint8_t f)
{
	return f == 0 || f == 4 || f == 6;
}

static int validate(const struct pp_esp_sa_params *prm)
{
	bool aead, inbound, tunnel, no_outer;
	size_t klen;

	if (prm->dir != PP_ESP_DIR_OUTBOUND && prm->dir != PP_ESP_DIR_INBOUND) {
		param_err(prm, "dir", "unknown value %d", (int)prm->dir);
		return -EINVAL;
	}
	if (prm->mode != PP_ESP_MODE_TUNNEL &&
	    prm->mode != PP_ESP_MODE_TRANSPORT) {
		param_err(prm, "mode", "unknown value %d", (int)prm->mode);
		return -EINVAL;
	}
	inbound = prm->dir == PP_ESP_DIR_INBOUND;
	tunnel = prm->mode == PP_ESP_MODE_TUNNEL;
	no_outer = (prm->flags & PP_ESP_SA_F_NO_OUTER) != 0;
	if (prm->spi < PP_ESP_SPI_MIN) {
		param_err(prm, "spi", "0..255 are reserved (RFC 4303 2.1)");
		return -EINVAL;
	}
	if (prm->flags & ~PP_ESP_SA_F_ALL) {
		param_err(prm, "flags", "unknown bits 0x%x",
			  prm->flags & ~PP_ESP_SA_F_ALL);
		return -EINVAL;
	}
	switch (prm->cipher) {
	case PP_ESP_CIPHER_NULL:
	case PP_ESP_CIPHER_AES_CBC:
		aead = false;
		break;
	case PP_ESP_CIPHER_AES_GCM_16:
	case PP_ESP_CIPHER_CHACHA20_POLY1305:
		aead = true;
		break;
	default:
		param_err(prm, "cipher", "unknown value %d", (int)prm->cipher);
		return -EINVAL;
	}
	if (!esp_cipher_key_len_ok(prm->cipher, prm->cipher_key_len) ||
	    prm->cipher_key_len > PP_ESP_KEY_MAX) {
		param_err(prm, "cipher_key_len", "%zu is wrong for the cipher",
			  prm->cipher_key_len);
		return -EINVAL;
	}
	if (prm->cipher_key_len != 0 && prm->cipher_key == NULL) {
		param_err(prm, "cipher_key", "NULL");
		return -EINVAL;
	}
	switch (prm->integ) {
	case PP_ESP_INTEG_NONE:
	case PP_ESP_INTEG_HMAC_SHA256_128:
	case PP_ESP_INTEG_HMAC_SHA384_192:
	case PP_ESP_INTEG_HMAC_SHA512_256:
		break;
	default:
		param_err(prm, "integ", "unknown value %d", (int)prm->integ);
		return -EINVAL;
	}
	if (aead && prm->integ != PP_ESP_INTEG_NONE) {
		param_err(prm, "integ", "must be NONE with an AEAD cipher");
		return -EINVAL;
	}
	if (prm->cipher == PP_ESP_CIPHER_NULL &&
	    prm->integ == PP_ESP_INTEG_NONE) {
		param_err(prm, "integ", "NULL cipher needs integrity");
		return -EINVAL;
	}
	klen = esp_integ_key_len(prm->integ);
	if (prm->integ_key_len != klen) {
		param_err(prm, "integ_key_len", "%zu, expected %zu",
			  prm->integ_key_len, klen);
		return -EINVAL;
	}
	if (klen != 0 && prm->integ_key == NULL) {
		param_err(prm, "integ_key", "NULL");
		return -EINVAL;
	}
	if (!family_ok(prm->outer_src.family)) {
		param_err(prm, "outer_src", "family %u", prm->outer_src.family);
		return -EINVAL;
	}
	if (!family_ok(prm->outer_dst.family)) {
		param_err(prm, "outer_dst", "family %u", prm->outer_dst.family);
		return -EINVAL;
	}
	if (tunnel && !inbound && !no_outer) {
		if (prm->outer_src.family == 0) {
			param_err(prm, "outer_src", "unset (tunnel outbound)");
			return -EINVAL;
		}
		if (prm->outer_dst.family != prm->outer_src.family) {
			param_err(prm, "outer_dst", "family %u differs from "
				  "outer_src's %u", prm->outer_dst.family,
				  prm->outer_src.family);
			return -EINVAL;
		}
	}
	if (prm->replay_window > PP_ESP_REPLAY_WINDOW_MAX) {
		param_err(prm, "replay_window", "%u > %u", prm->replay_window,
			  PP_ESP_REPLAY_WINDOW_MAX);
		return -EINVAL;
	}
	if (prm->tfc_pad_to != 0 && !tunnel && !inbound) {
		param_err(prm, "tfc_pad_to", "TFC padding needs tunnel mode");
		return -EINVAL;
	}
	if (prm->n_selectors > PP_ESP_SELECTORS_MAX) {
		param_err(prm, "n_selectors", "%u > %u", prm->n_selectors,
			  PP_ESP_SELECTORS_MAX);
		return -EINVAL;
	}
	if (prm->n_selectors != 0 && prm->selectors == NULL) {
		param_err(prm, "selectors", "NULL with n_selectors %u",
			  prm->n_selectors);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < prm->n_selectors; i++) {
		if (!esp_selector_valid(&prm->selectors[i])) {
			param_err(prm, "selectors", "selector %u invalid", i);
			return -EINVAL;
		}
	}
	if (inbound && (prm->flags & PP_ESP_SA_F_CHECK_SELECTORS) &&
	    prm->n_selectors == 0) {
		param_err(prm, "n_selectors", "0 with CHECK_SELECTORS");
		return -EINVAL;
	}
	if (inbound && (prm->flags & PP_ESP_SA_F_CHECK_SELECTORS) &&
	    !tunnel && no_outer) {
		param_err(prm, "flags", "CHECK_SELECTORS needs an IP packet "
			  "(not transport + NO_OUTER)");
		return -EINVAL;
	}
	if (prm->soft.bytes && prm->hard.bytes &&
	    prm->soft.bytes > prm->hard.bytes) {
		param_err(prm, "soft.bytes", "above hard.bytes");
		return -EINVAL;
	}
	if (prm->soft.packets && prm->hard.packets &&
	    prm->soft.packets > prm->hard.packets) {
		param_err(prm, "soft.packets", "above hard.packets");
		return -EINVAL;
	}
	if (prm->soft.seconds && prm->hard.seconds &&
	    prm->soft.seconds > prm->hard.seconds) {
		param_err(prm, "soft.seconds", "above hard.seconds");
		return -EINVAL;
	}
	if (!(prm->flags & PP_ESP_SA_F_ESN) && prm->initial_seq > UINT32_MAX) {
		param_err(prm, "initial_seq", "above 2^32-1 without ESN");
		return -EINVAL;
	}
	return 0;
}

static uint32_t window_of(const struct pp_esp_sa_params *prm)
{
	return prm->replay_window ? prm->replay_window
				  : PP_ESP_REPLAY_WINDOW_DEFAULT;
}

static size_t align8(size_t n)
{
	return (n + 7u) & ~(size_t)7u;
}

static size_t block_size(const struct pp_esp_sa_params *prm)
{
	size_t n = align8(sizeof(struct pp_esp_sa));

	if (prm->dir == PP_ESP_DIR_INBOUND)
		n += (size_t)esp_replay_words(window_of(prm)) *
		     sizeof(uint64_t);
	n += (size_t)prm->n_selectors * sizeof(struct pp_esp_selector);
	return n;
}

ssize_t pp_esp_sa_size(const struct pp_esp_sa_params *prm)
{
	int rc;

	if (prm == NULL)
		return -EINVAL;
	rc = validate(prm);
	if (rc != 0)
		return rc;
	return (ssize_t)block_size(prm);
}

/* ---------------------------------------------------------------------- */
/* Init / fini                                                            */
/* ---------------------------------------------------------------------- */

static void build_template(struct pp_esp_sa *sa)
{
	uint8_t *h = sa->hdr_tmpl;
	uint8_t proto = sa->udp ? PP_IPPROTO_UDP : PP_IPPROTO_ESP;

	memset(h, 0, sizeof(sa->hdr_tmpl));
	if (sa->outer_family == 4) {
		h[PP_IPV4_OFF_VER_IHL] = 0x45;
		h[PP_IPV4_OFF_TTL] = sa->ttl;
		h[PP_IPV4_OFF_PROTO] = proto;
		memcpy(h + PP_IPV4_OFF_SRC, sa->outer_src.bytes, 4);
		memcpy(h + PP_IPV4_OFF_DST, sa->outer_dst.bytes, 4);
		sa->outer_hlen = PP_IPV4_HDR_LEN;
		sa->tmpl_csum = csum_add(0, h, PP_IPV4_HDR_LEN);
	} else {
		h[0] = 0x60;
		h[PP_IPV6_OFF_NEXT_HDR] = proto;
		h[PP_IPV6_OFF_HOP_LIMIT] = sa->ttl;
		memcpy(h + PP_IPV6_OFF_SRC, sa->outer_src.bytes, 16);
		memcpy(h + PP_IPV6_OFF_DST, sa->outer_dst.bytes, 16);
		sa->outer_hlen = PP_IPV6_HDR_LEN;
	}
}

static void set_limits(struct pp_esp_sa *sa)
{
	uint64_t lp = UINT64_MAX, lb = UINT64_MAX;

	if (sa->state != PP_ESP_SA_DEAD) {
		if (!sa->soft_fired && sa->soft.packets)
			lp = sa->soft.packets;
		if (!sa->soft_fired && sa->soft.bytes)
			lb = sa->soft.bytes;
		if (!sa->hard_fired && sa->hard.packets && sa->hard.packets < lp)
			lp = sa->hard.packets;
		if (!sa->hard_fired && sa->hard.bytes && sa->hard.bytes < lb)
			lb = sa->hard.bytes;
	}
	sa->lim_pkts = lp;
	sa->lim_bytes = lb;
}

static void compute_room(struct pp_esp_sa *sa)
{
	uint32_t hr = PP_ESP_HDR_LEN + sa->crypto.iv_len;
	uint32_t tr = PP_ESP_TRAILER_LEN + sa->crypto.icv_len +
		      (sa->crypto.align - 1u);

	if (!sa->no_outer) {
		if (sa->udp)
			hr += PP_UDP_HDR_LEN;
		if (sa->tunnel)
			hr += sa->outer_hlen ? sa->outer_hlen : PP_IPV6_HDR_LEN;
	}
	if (sa->tunnel)
		tr += sa->tfc_pad_to;
	sa->headroom = hr;
	sa->tailroom = tr;
}

int pp_esp_sa_init(struct pp_esp_sa *mem, const struct pp_esp_sa_params *prm,
		   size_t size)
{
	struct pp_esp_sa *sa = mem;
	uint8_t *tail;
	uint32_t win;
	int rc;

	if (mem == NULL || prm == NULL)
		return -EINVAL;
	if (((uintptr_t)mem & 7u) != 0) {
		param_err(prm, "mem", "not 8-byte aligned");
		return -EINVAL;
	}
	rc = validate(prm);
	if (rc != 0)
		return rc;
	if (size < block_size(prm))
		return -ENOSPC;

	memset(sa, 0, sizeof(*sa));
	sa->spi = prm->spi;
	sa->flags = prm->flags;
	sa->dir = (uint8_t)prm->dir;
	sa->mode = (uint8_t)prm->mode;
	sa->state = PP_ESP_SA_ALIVE;
	sa->esn = (prm->flags & PP_ESP_SA_F_ESN) != 0;
	sa->udp = (prm->flags & PP_ESP_SA_F_UDP_ENCAP) != 0;
	sa->no_outer = (prm->flags & PP_ESP_SA_F_NO_OUTER) != 0;
	sa->tunnel = prm->mode == PP_ESP_MODE_TUNNEL;
	sa->ttl = prm->outer_ttl ? prm->outer_ttl : DEFAULT_TTL;
	sa->encap_sport = prm->encap_sport ? prm->encap_sport : PP_NATT_PORT;
	sa->encap_dport = prm->encap_dport ? prm->encap_dport : PP_NATT_PORT;
	sa->tfc_pad_to = sa->tunnel ? prm->tfc_pad_to : 0;
	sa->max_pkt_len = prm->max_pkt_len;
	sa->seq = prm->initial_seq;
	sa->outer_src = prm->outer_src;
	sa->outer_dst = prm->outer_dst;
	sa->soft = prm->soft;
	sa->hard = prm->hard;
	sa->created = prm->now;
	sa->event_fn = prm->event_fn;
	sa->event_opaque = prm->event_opaque;
	sa->log_fn = prm->log_fn;
	sa->log_opaque = prm->log_opaque;
	sa->size = size;
	sa->ckey_len = (uint8_t)prm->cipher_key_len;
	sa->ikey_len = (uint8_t)prm->integ_key_len;
	if (prm->cipher_key_len)
		memcpy(sa->ckey, prm->cipher_key, prm->cipher_key_len);
	if (prm->integ_key_len)
		memcpy(sa->ikey, prm->integ_key, prm->integ_key_len);

	tail = (uint8_t *)sa + align8(sizeof(*sa));
	if (sa->dir == PP_ESP_DIR_INBOUND) {
		win = window_of(prm);
		sa->ring_words = esp_replay_words(win);
		esp_replay_init(&sa->replay, (uint64_t *)(void *)tail, win,
				prm->initial_seq);
		tail += (size_t)sa->ring_words * sizeof(uint64_t);
	}
	if (prm->n_selectors) {
		memcpy(tail, prm->selectors,
		       prm->n_selectors * sizeof(struct pp_esp_selector));
		sa->sel = (const struct pp_esp_selector *)(void *)tail;
		sa->n_sel = prm->n_selectors;
	}
	if (sa->dir == PP_ESP_DIR_OUTBOUND && sa->tunnel && !sa->no_outer) {
		sa->outer_family = prm->outer_src.family;
		build_template(sa);
	}

	rc = esp_crypto_init(&sa->crypto, prm->cipher, sa->ckey, sa->ckey_len,
			     prm->integ, sa->ikey, sa->ikey_len,
			     sa->dir == PP_ESP_DIR_OUTBOUND);
	if (rc != 0) {
		param_err(prm, "cipher", "crypto library setup failed (%d)",
			  rc);
		OPENSSL_cleanse(sa->ckey, sizeof(sa->ckey));
		OPENSSL_cleanse(sa->ikey, sizeof(sa->ikey));
		sa->magic = 0;
		return rc;
	}
	compute_room(sa);
	set_limits(sa);
	sa->magic = ESP_SA_MAGIC;
	if (prm->cipher == PP_ESP_CIPHER_AES_CBC &&
	    prm->integ == PP_ESP_INTEG_NONE)
		esp_log(sa, PP_LOG_WARNING,
			"confidentiality-only SA (no integrity, no "
			"anti-replay)");
	return 0;
}

void pp_esp_sa_fini(struct pp_esp_sa *sa)
{
	if (sa == NULL || sa->magic != ESP_SA_MAGIC)
		return;
	esp_crypto_fini(&sa->crypto);
	OPENSSL_cleanse(sa->ckey, sizeof(sa->ckey));
	OPENSSL_cleanse(sa->ikey, sizeof(sa->ikey));
	sa->magic = 0;
}

int pp_esp_sa_create(const struct pp_esp_sa_params *prm,
		     struct pp_esp_sa **out)
{
	ssize_t sz;
	void *mem;
	int rc;

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	sz = pp_esp_sa_size(prm);
	if (sz < 0)
		return (int)sz;
	mem = malloc((size_t)sz); /* malloc is suitably aligned */
	if (mem == NULL)
		return -ENOMEM;
	rc = pp_esp_sa_init(mem, prm, (size_t)sz);
	if (rc != 0) {
		free(mem);
		return rc;
	}
	((struct pp_esp_sa *)mem)->heap = true;
	*out = mem;
	return 0;
}

void pp_esp_sa_destroy(struct pp_esp_sa *sa)
{
	bool heap;

	if (sa == NULL)
		return;
	heap = sa->heap;
	pp_esp_sa_fini(sa);
	if (heap) {
		sa->heap = false;
		free(sa);
	}
}

/* ---------------------------------------------------------------------- */
/* Getters                                                                */
/* ---------------------------------------------------------------------- */

uint32_t pp_esp_sa_spi(const struct pp_esp_sa *sa)
{
	return sa->spi;
}

enum pp_esp_dir pp_esp_sa_dir(const struct pp_esp_sa *sa)
{
	return (enum pp_esp_dir)sa->dir;
}

void pp_esp_sa_get_stats(const struct pp_esp_sa *sa,
			 struct pp_esp_sa_stats *out)
{
	*out = sa->stats;
}

uint64_t pp_esp_sa_seq(const struct pp_esp_sa *sa)
{
	if (sa->dir == PP_ESP_DIR_INBOUND)
		return esp_replay_top(&sa->replay);
	return sa->seq;
}

uint32_t pp_esp_sa_headroom(const struct pp_esp_sa *sa)
{
	return sa->headroom;
}

uint32_t pp_esp_sa_tailroom(const struct pp_esp_sa *sa)
{
	return sa->tailroom;
}

uint32_t pp_esp_sa_inner_mtu(const struct pp_esp_sa *sa, uint32_t mtu)
{
	uint32_t cap = mtu, hdr, icv = sa->crypto.icv_len;
	uint32_t align = sa->crypto.align, avail, ct;

	if (sa->max_pkt_len && sa->max_pkt_len < cap)
		cap = sa->max_pkt_len;
	/* Bytes in front of the encrypted payload (tunnel / no outer), or
	 * the bytes the IP header moves back by (transport). */
	hdr = sa->headroom;
	if (cap < hdr + icv + PP_ESP_TRAILER_LEN)
		return 0;
	avail = cap - hdr - icv;
	if (!sa->tunnel && !sa->no_outer && align > PP_ESP_ALIGN) {
		/* Transport + CBC: the IP header is not encrypted, so the
		 * block alignment of the payload depends on its length;
		 * be conservative. */
		avail -= PP_ESP_TRAILER_LEN;
		return avail > align - 1u ? avail - (align - 1u) : 0;
	}
	ct = avail - avail % align;
	return ct > PP_ESP_TRAILER_LEN ? ct - PP_ESP_TRAILER_LEN : 0;
}

enum pp_esp_sa_state pp_esp_sa_state(const struct pp_esp_sa *sa)
{
	return (enum pp_esp_sa_state)sa->state;
}

/* ---------------------------------------------------------------------- */
/* Lifetimes and events                                                   */
/* ---------------------------------------------------------------------- */

static void fire(struct pp_esp_sa *sa, enum pp_esp_event ev)
{
	if (sa->event_fn != NULL)
		sa->event_fn(sa->event_opaque, sa, ev);
}

static void go_soft(struct pp_esp_sa *sa, const char *why)
{
	if (sa->soft_fired || sa->state == PP_ESP_SA_DEAD)
		return;
	sa->soft_fired = true;
	sa->state = PP_ESP_SA_SOFT_EXPIRED;
	esp_log(sa, PP_LOG_NOTICE, "soft lifetime reached (%s)", why);
	fire(sa, PP_ESP_EVENT_SOFT_EXPIRED);
}

static void go_hard(struct pp_esp_sa *sa, const char *why)
{
	if (sa->hard_fired || sa->state == PP_ESP_SA_DEAD)
		return;
	sa->hard_fired = true;
	sa->state = PP_ESP_SA_DEAD;
	sa->dead_status = PP_ESP_ERR_EXPIRED;
	esp_log(sa, PP_LOG_NOTICE, "hard lifetime reached (%s): SA dead",
		why);
	fire(sa, PP_ESP_EVENT_HARD_EXPIRED);
}

void esp_sa_limits(struct pp_esp_sa *sa)
{
	const struct pp_esp_sa_stats *st = &sa->stats;

	if (sa->soft.packets && st->pkts >= sa->soft.packets)
		go_soft(sa, "packets");
	if (sa->soft.bytes && st->bytes >= sa->soft.bytes)
		go_soft(sa, "bytes");
	if (sa->hard.packets && st->pkts >= sa->hard.packets)
		go_hard(sa, "packets");
	if (sa->hard.bytes && st->bytes >= sa->hard.bytes)
		go_hard(sa, "bytes");
	set_limits(sa);
}

void esp_sa_exhausted(struct pp_esp_sa *sa)
{
	if (sa->exhausted_fired)
		return;
	sa->exhausted_fired = true;
	if (sa->state != PP_ESP_SA_DEAD) {
		sa->state = PP_ESP_SA_DEAD;
		sa->dead_status = PP_ESP_ERR_SEQ_EXHAUSTED;
	}
	esp_log(sa, PP_LOG_NOTICE,
		"sequence number space exhausted: SA dead, rekey");
	fire(sa, PP_ESP_EVENT_SEQ_EXHAUSTED);
	set_limits(sa);
}

enum pp_esp_sa_state pp_esp_sa_tick(struct pp_esp_sa *sa, uint64_t now)
{
	uint64_t age = now > sa->created ? now - sa->created : 0;

	if (sa->soft.seconds && age >= sa->soft.seconds)
		go_soft(sa, "seconds");
	if (sa->hard.seconds && age >= sa->hard.seconds)
		go_hard(sa, "seconds");
	set_limits(sa);
	return (enum pp_esp_sa_state)sa->state;
}
