/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Anti-replay window and ESN reconstruction (private to libesp; header-only
 * so that tests can exercise it directly through libesp_internal_dep).
 *
 * Rules implemented (RFC 4303 §3.4.3 and Appendix A2, RFC 6479):
 *   - T ("top") is the highest sequence number whose ICV verified; a packet
 *     is accepted if it is right of T, or inside the W-packet window ending
 *     at T and not yet marked.
 *   - The window is a ring of N 64-bit words (N a power of two, RFC 6479):
 *     sequence number S lives in word (S >> 6) & (N - 1), bit S & 63.
 *     Advancing T to S zeroes the words strictly after T's word up to S's
 *     word (at most N of them); nothing is ever shifted. N is chosen so that
 *     a W-packet window never spans more than N words.
 *   - Everything is 64-bit: without ESN the values simply stay below 2^32.
 *
 * API (all static inline, no allocation):
 *
 *   uint32_t esp_replay_words(uint32_t win);
 *       Ring size N in uint64_t words for a window of @win packets (win >=
 *       1). The caller provides N words of storage.
 *
 *   void esp_replay_init(struct esp_replay *r, uint64_t *words,
 *                        uint32_t win, uint64_t top);
 *       Initialise @r over @words (esp_replay_words(win) words, zeroed here)
 *       with window @win and right edge @top (0 for a fresh SA; nothing in
 *       the window is marked as seen).
 *
 *   enum esp_replay_verdict esp_replay_infer(const struct esp_replay *r,
 *                        uint32_t seq_lo, bool esn, uint64_t *seq);
 *       Reconstruct the 64-bit sequence number of a packet carrying @seq_lo
 *       (RFC 4303 App. A2.2 with the window size W, no window lookup).
 *       Without ESN *seq = seq_lo. Returns ESP_REPLAY_TOO_OLD for values
 *       that cannot be valid: a reconstructed 0 (the first packet is 1,
 *       §3.3.3) and the "previous 2^32 block" case while T is still in the
 *       first block (Th == 0, the subtraction would underflow). Otherwise
 *       ESP_REPLAY_OK. Used alone by SAs without anti-replay.
 *
 *   enum esp_replay_verdict esp_replay_check(const struct esp_replay *r,
 *                        uint32_t seq_lo, bool esn, uint64_t *seq);
 *       esp_replay_infer() followed by the window check: ESP_REPLAY_OK (new
 *       right edge, or inside the window and unmarked), ESP_REPLAY_DUP
 *       (marked: replay) or ESP_REPLAY_TOO_OLD (T - S >= W, or see
 *       infer). Does not modify @r: call it before any crypto. *seq is set
 *       whenever the reconstruction succeeded (also for DUP).
 *
 *   void esp_replay_update(struct esp_replay *r, uint64_t seq);
 *       Mark @seq as seen, advancing T if seq > T. Call it ONLY after the
 *       ICV / AEAD tag of the packet verified, with the value that
 *       esp_replay_check() returned for it (and, if other packets were
 *       accepted in between, after a fresh esp_replay_check()).
 *
 *   uint64_t esp_replay_top(const struct esp_replay *r);
 *       The right edge T.
 */
#ifndef LIBESP_ESP_REPLAY_H
#define LIBESP_ESP_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct esp_replay {
	uint64_t top;	  /* T: highest authenticated sequence number */
	uint64_t *words;  /* ring of mask + 1 words */
	uint32_t win;	  /* W: window size in packets */
	uint32_t mask;	  /* ring words - 1 */
};

enum esp_replay_verdict {
	ESP_REPLAY_OK = 0,
	ESP_REPLAY_DUP,	    /* already received: PP_ESP_ERR_REPLAY */
	ESP_REPLAY_TOO_OLD, /* left of the window / impossible: ERR_TOO_OLD */
};

static inline uint32_t esp_replay_words(uint32_t win)
{
	/* The window covers at most ceil(W / 64) + 1 distinct words. */
	uint32_t need = (win + 63u) / 64u + 1u;
	uint32_t n = 2;

	while (n < need)
		n <<= 1;
	return n;
}

static inline void esp_replay_init(struct esp_replay *r, uint64_t *words,
				   uint32_t win, uint64_t top)
{
	uint32_t n = esp_replay_words(win);

	r->top = top;
	r->words = words;
	r->win = win;
	r->mask = n - 1u;
	memset(words, 0, (size_t)n * sizeof(uint64_t));
}

static inline uint64_t esp_replay_top(const struct esp_replay *r)
{
	return r->top;
}

static inline enum esp_replay_verdict
esp_replay_infer(const struct esp_replay *r, uint32_t seq_lo, bool esn,
		 uint64_t *seq)
{
	uint64_t s;

	if (!esn) {
		s = seq_lo;
	} else {
		uint32_t tl = (uint32_t)r->top;
		uint64_t th = r->top >> 32;
		uint32_t wm1 = r->win - 1u;
		uint64_t sh;

		if (tl >= wm1) {
			/* Case A: the window lies inside one 2^32 block. */
			sh = seq_lo >= tl - wm1 ? th : th + 1u;
		} else if (seq_lo >= (uint32_t)(tl - wm1)) {
			/* Case B, packet in the previous block. */
			if (th == 0)
				return ESP_REPLAY_TOO_OLD; /* no block -1 */
			sh = th - 1u;
		} else {
			sh = th;
		}
		s = (sh << 32) | seq_lo;
	}
	if (s == 0)
		return ESP_REPLAY_TOO_OLD;
	*seq = s;
	return ESP_REPLAY_OK;
}

static inline enum esp_replay_verdict
esp_replay_check(const struct esp_replay *r, uint32_t seq_lo, bool esn,
		 uint64_t *seq)
{
	enum esp_replay_verdict v = esp_replay_infer(r, seq_lo, esn, seq);
	uint64_t s;

	if (v != ESP_REPLAY_OK)
		return v;
	s = *seq;
	if (s > r->top)
		return ESP_REPLAY_OK;
	if (r->top - s >= r->win)
		return ESP_REPLAY_TOO_OLD;
	if (r->words[(s >> 6) & r->mask] & (UINT64_C(1) << (s & 63u)))
		return ESP_REPLAY_DUP;
	return ESP_REPLAY_OK;
}

static inline void esp_replay_update(struct esp_replay *r, uint64_t seq)
{
	if (seq > r->top) {
		uint64_t wt = r->top >> 6;
		uint64_t d = (seq >> 6) - wt;

		if (d > r->mask) {
			memset(r->words, 0,
			       ((size_t)r->mask + 1u) * sizeof(uint64_t));
		} else {
			for (uint64_t i = 1; i <= d; i++)
				r->words[(wt + i) & r->mask] = 0;
		}
		r->top = seq;
	}
	r->words[(seq >> 6) & r->mask] |= UINT64_C(1) << (seq & 63u);
}

#endif /* LIBESP_ESP_REPLAY_H */
