/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Anti-replay window and ESN reconstruction (RFC 4303 §3.4.3, Appendix A2;
 * RFC 6479 ring layout).
 *
 * 1. Numbered verdict tables run directly against libesp/esp_replay.h for
 *    windows of 32, 1024 and 65536 packets: window edges, duplicates,
 *    far-ahead jumps, just-left-of-window, the 2^32 boundary with ESN
 *    (App. A2.2 cases A and B) and the Th == 0 edge.
 * 2. A differential test against a naive reference (a hash set of every
 *    accepted sequence number plus "too old" = T - S >= W; ESN inference by
 *    the closed form S = B + ((s - B) mod 2^32), B = T - W + 1) on seeded
 *    random streams with reordering, duplicates, jumps and simulated ICV
 *    failures, for several window sizes, ESN on and off.
 * 3. End-to-end through pp_esp_inbound(): the window moves only after the
 *    ICV verified; ESN across 2^32 on the wire; window sizes from params.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_replay.h"
#include "esp_util.h"

/* ---------------------------------------------------------------------- */
/* 1. Verdict tables                                                      */
/* ---------------------------------------------------------------------- */

enum { V_OK = ESP_REPLAY_OK, V_DUP = ESP_REPLAY_DUP, V_OLD = ESP_REPLAY_TOO_OLD };

/*
 * One step: present seq_lo; expect verdict @v and (for OK/DUP with @s != 0)
 * the reconstructed 64-bit number @s; when @upd, call update (the packet's
 * ICV "verified"); then expect the right edge @top (0 = unchanged check
 * skipped).
 */
struct step {
	uint32_t seq_lo;
	int v;
	uint64_t s;
	bool upd;
	uint64_t top;
};

struct window_run {
	uint64_t *words;
	struct esp_replay r;
};

static void run_init(struct window_run *w, uint32_t win, uint64_t top)
{
	w->words = calloc(esp_replay_words(win), sizeof(uint64_t));
	assert_non_null(w->words);
	/* Poison first: init must clear the ring itself. */
	memset(w->words, 0xff, esp_replay_words(win) * sizeof(uint64_t));
	esp_replay_init(&w->r, w->words, win, top);
	assert_int_equal(esp_replay_top(&w->r), top);
}

static void run_steps(const char *table, uint32_t win, bool esn,
		      uint64_t top0, const struct step *st, size_t n)
{
	struct window_run w;
	size_t i;

	run_init(&w, win, top0);
	for (i = 0; i < n; i++) {
		uint64_t s = 0xdeadbeefdeadbeefull;
		int v = esp_replay_check(&w.r, st[i].seq_lo, esn, &s);

		if (v != st[i].v)
			fail_msg("%s W=%u esn=%d case #%zu: seq_lo 0x%08" PRIx32
				 " verdict %d, expected %d (T=0x%" PRIx64 ")",
				 table, win, esn, i + 1, st[i].seq_lo, v,
				 st[i].v, esp_replay_top(&w.r));
		if (st[i].s != 0 && v != V_OLD && s != st[i].s)
			fail_msg("%s W=%u case #%zu: reconstructed 0x%" PRIx64
				 ", expected 0x%" PRIx64,
				 table, win, i + 1, s, st[i].s);
		if (st[i].upd) {
			assert_int_equal(v, V_OK);
			esp_replay_update(&w.r, s);
		}
		if (st[i].top != 0 && esp_replay_top(&w.r) != st[i].top)
			fail_msg("%s W=%u case #%zu: T=0x%" PRIx64
				 ", expected 0x%" PRIx64,
				 table, win, i + 1, esp_replay_top(&w.r),
				 st[i].top);
	}
	free(w.words);
}

/* RFC 4303 §3.4.3: window edges, duplicates, jumps; 32-bit numbers. */
static void check_window_table(uint32_t W)
{
	const uint64_t J = (uint64_t)W * 10 + 7; /* a jump of > W */
	const uint64_t T1 = W, T2 = W + 1, T3 = T2 + J;
	const struct step t[] = {
		/* #1 sequence number 0 never appears (first packet is 1) */
		{ 0, V_OLD, 0, false, 0 },
		/* #2-#3 first packet, then its duplicate */
		{ 1, V_OK, 1, true, 1 },
		{ 1, V_DUP, 1, false, 1 },
		/* #4 fill the window's right edge: T = W */
		{ (uint32_t)T1, V_OK, T1, true, T1 },
		/* #5 left edge (T - S = W - 1) already seen: replay */
		{ 1, V_DUP, 1, false, T1 },
		/* #6 inside, unseen */
		{ 2, V_OK, 2, true, T1 },
		/* #7 right edge duplicate */
		{ (uint32_t)T1, V_DUP, T1, false, T1 },
		/* #8 advance by one: 1 falls out (T - 1 = W) */
		{ (uint32_t)T2, V_OK, T2, true, T2 },
		{ 1, V_OLD, 0, false, T2 },
		/* #10 2 is now the left edge and still marked */
		{ 2, V_DUP, 2, false, T2 },
		/* #11 3 is the left edge and unseen: accepted */
		{ 3, V_OK, 3, true, T2 },
		/* #12 far-ahead jump clears the whole window */
		{ (uint32_t)T3, V_OK, T3, true, T3 },
		/* #13 the old right edge is now far left of the window */
		{ (uint32_t)T2, V_OLD, 0, false, T3 },
		/* #14 just left of the window */
		{ (uint32_t)(T3 - W), V_OLD, 0, false, T3 },
		/* #15 left edge after the jump: unseen (window was cleared) */
		{ (uint32_t)(T3 - W + 1), V_OK, T3 - W + 1, true, T3 },
		{ (uint32_t)(T3 - W + 1), V_DUP, 0, false, T3 },
		/* #17 one left of the top, twice */
		{ (uint32_t)(T3 - 1), V_OK, T3 - 1, true, T3 },
		{ (uint32_t)(T3 - 1), V_DUP, 0, false, T3 },
		{ (uint32_t)T3, V_DUP, 0, false, T3 },
		/* #20 accepted by check but ICV failed: state unchanged */
		{ (uint32_t)(T3 + 5), V_OK, T3 + 5, false, T3 },
		{ (uint32_t)(T3 + 5), V_OK, T3 + 5, false, T3 },
		/* #22 jump by exactly W: the old top is just out */
		{ (uint32_t)(T3 + W), V_OK, T3 + W, true, T3 + W },
		{ (uint32_t)T3, V_OLD, 0, false, T3 + W },
		{ (uint32_t)(T3 + 1), V_OK, T3 + 1, true, T3 + W },
		/* #25 last 32-bit value, then no way past it without ESN */
		{ 0xffffffffu, V_OK, 0xffffffffu, true, 0xffffffffu },
		{ 0xffffffffu, V_DUP, 0, false, 0xffffffffu },
		{ 0xfffffffeu, V_OK, 0xfffffffeu, true, 0xffffffffu },
		{ 0, V_OLD, 0, false, 0xffffffffu },
		{ 1, V_OLD, 0, false, 0xffffffffu },
		{ (uint32_t)(0xffffffffu - W), V_OLD, 0, false, 0xffffffffu },
		{ (uint32_t)(0xffffffffu - W + 1), V_OK, 0, true, 0xffffffffu },
	};

	run_steps("window", W, false, 0, t, sizeof(t) / sizeof(t[0]));
}

/*
 * RFC 4303 App. A2.2 with ESN around the 2^32 boundary. Start with T just
 * below 2^32 (case A: Tl >= W - 1), cross into block 1 (case B: Tl < W - 1
 * and the window straddles the boundary), then leave case B again.
 */
static void check_esn_table(uint32_t W)
{
	const uint64_t B1 = UINT64_C(1) << 32;
	const uint64_t T0 = B1 - W / 2;	       /* case A */
	const uint64_t T1 = B1 + W / 4;	       /* case B after crossing */
	const uint64_t T2 = B1 + 3 * (uint64_t)W; /* case A again */
	const struct step t[] = {
		/* #1 T0 itself was never received */
		{ (uint32_t)T0, V_OK, T0, true, T0 },
		{ (uint32_t)T0, V_DUP, T0, false, T0 },
		/* #3 case A: below Tl - W + 1 means the next block */
		{ (uint32_t)(T0 - W), V_OK, B1 + (uint32_t)(T0 - W), false,
		  T0 },
		/* #4 case A: the left edge belongs to this block */
		{ (uint32_t)(T0 - W + 1), V_OK, T0 - W + 1, true, T0 },
		/* #5 low bits 0 with ESN: 2^32, valid (not "sequence 0") */
		{ 0, V_OK, B1, true, B1 },
		/* #6 cross further: T1 in block 1, window straddles */
		{ (uint32_t)T1, V_OK, T1, true, T1 },
		/* #7 case B: high low-bits are the previous block (Th - 1) */
		{ (uint32_t)T0, V_DUP, T0, false, T1 },
		{ (uint32_t)(T0 + 1), V_OK, T0 + 1, true, T1 },
		{ 0xffffffffu, V_OK, B1 - 1, true, T1 },
		{ 0xffffffffu, V_DUP, B1 - 1, false, T1 },
		/* #11 case B left edge: T1 - W + 1 (in block 0) */
		{ (uint32_t)(T1 - W + 1), V_OK, T1 - W + 1, true, T1 },
		/*
		 * #12 just left of the window: low bits below the edge are
		 * read as block Th (= 1) far ahead; check says OK (new right
		 * edge candidate), the ICV with seq_hi 1 would fail: no update.
		 */
		{ (uint32_t)(T1 - W), V_OK, B1 + (uint32_t)(T1 - W), false, T1 },
		/* #13 block 1 values inside the window */
		{ 1, V_OK, B1 + 1, true, T1 },
		{ 1, V_DUP, B1 + 1, false, T1 },
		{ 0, V_DUP, B1, false, T1 },
		/* #16 leave case B */
		{ (uint32_t)T2, V_OK, T2, true, T2 },
		/*
		 * #17 T1 is now left of the window: case A reads its low bits
		 * as block 2, far ahead (the ICV would then fail).
		 */
		{ (uint32_t)T1, V_OK, 2 * B1 + (uint32_t)T1, false, T2 },
		/* #18 0xffffffff is block 1's last value, far ahead */
		{ 0xffffffffu, V_OK, 2 * B1 - 1, false, T2 },
		{ (uint32_t)(T2 - 1), V_OK, T2 - 1, true, T2 },
	};

	run_steps("esn", W, true, T0 - 1, t, sizeof(t) / sizeof(t[0]));
}

/* App. A2.2 case B with Th == 0: the "previous block" does not exist. */
static void check_esn_th0_table(uint32_t W)
{
	const uint64_t T = W / 2; /* Tl < W - 1, Th = 0: case B */
	const struct step t[] = {
		/* #1 fresh SA, T = 0: 0 reconstructs to 0, invalid */
		{ 0, V_OLD, 0, false, 0 },
		/* #2 high values would be block -1: rejected, not wrapped */
		{ 0xffffffffu, V_OLD, 0, false, 0 },
		{ (uint32_t)(0u - W + 1), V_OLD, 0, false, 0 },
		/* #4 just below that: block 0 far ahead */
		{ (uint32_t)(0u - W), V_OK, (uint32_t)(0u - W), false, 0 },
		{ 1, V_OK, 1, true, 1 },
		{ (uint32_t)T, V_OK, T, true, T },
		{ (uint32_t)(T - W + 1), V_OLD, 0, false, T },
		{ 0xffffffffu, V_OLD, 0, false, T },
		{ (uint32_t)(T - W), V_OK, (uint32_t)(T - W), false, T },
		{ 1, V_DUP, 1, false, T },
	};

	run_steps("esn-th0", W, true, 0, t, sizeof(t) / sizeof(t[0]));
}

static void test_rfc4303_3_4_3_window_table_w32(void **state)
{
	(void)state;
	check_window_table(32);
}

static void test_rfc4303_3_4_3_window_table_w1024(void **state)
{
	(void)state;
	check_window_table(1024);
}

static void test_rfc4303_3_4_3_window_table_w65536(void **state)
{
	(void)state;
	check_window_table(65536);
}

static void test_rfc4303_a2_2_esn_boundary_table(void **state)
{
	static const uint32_t wins[] = { 32, 1024, 65536 };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++)
		check_esn_table(wins[i]);
}

static void test_rfc4303_a2_2_esn_th0_edge_table(void **state)
{
	static const uint32_t wins[] = { 32, 1024, 65536 };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++)
		check_esn_th0_table(wins[i]);
}

/* Non-ESN: the value is taken as is; no hidden high bits are invented. */
static void test_rfc4303_3_4_3_no_esn_never_infers_high_bits(void **state)
{
	struct window_run w;
	uint64_t s = 0;

	(void)state;
	run_init(&w, 64, 0xfffffff0u);
	assert_int_equal(esp_replay_check(&w.r, 5, false, &s), V_OLD);
	assert_int_equal(esp_replay_check(&w.r, 0xfffffff8u, false, &s), V_OK);
	assert_int_equal(s, 0xfffffff8u);
	free(w.words);
}

/* ---------------------------------------------------------------------- */
/* 2. Differential test against a naive reference                         */
/* ---------------------------------------------------------------------- */

/* Open-addressing hash set of uint64 (0 is never stored: seq 0 invalid). */
struct hset {
	uint64_t *v;
	size_t cap;
};

static void hset_init(struct hset *h, size_t cap)
{
	h->cap = cap;
	h->v = calloc(cap, sizeof(uint64_t));
	assert_non_null(h->v);
}

static size_t hset_slot(const struct hset *h, uint64_t x)
{
	size_t i = (size_t)((x * 0x9e3779b97f4a7c15ull) >> 20) & (h->cap - 1);

	while (h->v[i] != 0 && h->v[i] != x)
		i = (i + 1) & (h->cap - 1);
	return i;
}

static bool hset_has(const struct hset *h, uint64_t x)
{
	return h->v[hset_slot(h, x)] == x;
}

static void hset_add(struct hset *h, uint64_t x)
{
	h->v[hset_slot(h, x)] = x;
}

struct naive {
	struct hset seen;
	uint64_t top;
	uint32_t win;
};

/* Reference ESN inference: the S = s (mod 2^32) with S in [B, B + 2^32). */
static int naive_check(const struct naive *n, uint32_t lo, bool esn,
		       uint64_t *out)
{
	int64_t S;

	if (!esn) {
		S = lo;
	} else {
		int64_t B = (int64_t)n->top - (int64_t)n->win + 1;

		S = B + (int64_t)(((uint64_t)lo - (uint64_t)B) & 0xffffffffu);
	}
	if (S <= 0)
		return V_OLD;
	*out = (uint64_t)S;
	if ((uint64_t)S > n->top)
		return V_OK;
	if (n->top - (uint64_t)S >= n->win)
		return V_OLD;
	return hset_has(&n->seen, (uint64_t)S) ? V_DUP : V_OK;
}

static void naive_update(struct naive *n, uint64_t s)
{
	hset_add(&n->seen, s);
	if (s > n->top)
		n->top = s;
}

struct diff_cfg {
	uint32_t win;
	bool esn;
	uint64_t start; /* initial T */
	uint64_t seed;
	unsigned int steps;
	bool huge_jumps; /* ESN: jumps of ~2^31 to cross blocks quickly */
};

static void run_diff(const struct diff_cfg *c)
{
	const uint64_t max = c->esn ? UINT64_MAX / 2 : 0xffffffffu;
	struct window_run w;
	struct naive ref;
	uint64_t rng = c->seed, next = c->start, *recent;
	unsigned int i, n_ok = 0, n_dup = 0, n_old = 0, n_wrong_block = 0;

	recent = calloc(64, sizeof(uint64_t));
	assert_non_null(recent);
	run_init(&w, c->win, c->start);
	hset_init(&ref.seen, 1u << 17);
	ref.top = c->start;
	ref.win = c->win;
	for (i = 0; i < c->steps; i++) {
		uint64_t r = pb_rand(&rng), S, s_impl = 0, s_ref = 0;
		unsigned int pick = (unsigned int)(r % 1000);
		bool icv_ok = pb_rand(&rng) % 20 != 0;
		int v_impl, v_ref;

		if (pick < 650) { /* in order, small gaps */
			S = next + 1 + (r >> 32) % 3;
			next = S;
		} else if (pick < 850) { /* reordered by up to 2W */
			uint64_t back = (r >> 20) % (2 * (uint64_t)c->win + 1);

			S = next > back ? next - back : 1;
		} else if (pick < 920) { /* duplicate of a recent one */
			S = recent[(r >> 24) % 64];
			if (S == 0)
				S = next;
		} else if (pick < 960) { /* jump ahead by W..5W */
			S = next + c->win + (r >> 16) % (4 * (uint64_t)c->win);
			next = S;
		} else if (pick < 975) { /* jump ahead by up to 2^20 */
			S = next + 1 + (r >> 12) % (1u << 20);
			next = S;
		} else if (pick < 980 && c->huge_jumps &&
			   next - ref.top < (1u << 24)) {
			/*
			 * ~2^31 ahead; only while the receiver is close behind,
			 * so that the sender never runs 2^32 - W ahead of the
			 * receiver's right edge (RFC 4303 App. A2.2 premise).
			 */
			S = next + (UINT64_C(1) << 31) + (r >> 40);
			next = S;
		} else { /* far left of everything */
			uint64_t back = c->win + (r >> 8) % (1u << 22);

			S = next > back ? next - back : 1 + (r >> 50) % 3;
		}
		if (S > max)
			S = max;
		if (next > max)
			next = max;
		recent[i % 64] = S;

		v_impl = esp_replay_check(&w.r, (uint32_t)S, c->esn, &s_impl);
		v_ref = naive_check(&ref, (uint32_t)S, c->esn, &s_ref);
		if (v_impl != v_ref || (v_ref != V_OLD && s_impl != s_ref))
			fail_msg("W=%u esn=%d seed=%" PRIu64 " step %u: S=0x%"
				 PRIx64 " T=0x%" PRIx64 ": libesp %d/0x%" PRIx64
				 ", reference %d/0x%" PRIx64,
				 c->win, c->esn, c->seed, i, S, ref.top, v_impl,
				 s_impl, v_ref, s_ref);
		/*
		 * Update only when the ICV would verify: the check passed, the
		 * reconstructed number is the sender's (else the ICV over the
		 * wrong seq_hi fails) and the simulated ICV is good.
		 */
		if (v_ref == V_OK && s_ref == S && icv_ok) {
			esp_replay_update(&w.r, s_impl);
			naive_update(&ref, s_ref);
			n_ok++;
		} else if (v_ref == V_OK && s_ref != S) {
			n_wrong_block++;
		} else if (v_ref == V_DUP) {
			n_dup++;
		} else if (v_ref == V_OLD) {
			n_old++;
		}
		if (esp_replay_top(&w.r) != ref.top)
			fail_msg("W=%u seed=%" PRIu64 " step %u: T 0x%" PRIx64
				 " vs reference 0x%" PRIx64,
				 c->win, c->seed, i, esp_replay_top(&w.r),
				 ref.top);
	}
	/*
	 * The stream must have exercised every verdict. With ESN nothing is
	 * "too old" apart from the Th == 0 edge: a value left of the window
	 * is read as the next block instead (and its ICV would fail).
	 */
	assert_true(n_ok > c->steps / 4);
	assert_true(n_dup > 0);
	if (c->esn)
		assert_true(n_wrong_block > 0);
	else
		assert_true(n_old > 0);
	free(ref.seen.v);
	free(w.words);
	free(recent);
}

static void test_rfc4303_3_4_3_differential_vs_naive_window(void **state)
{
	static const uint32_t wins[] = { 1, 32, 64, 100, 1000, 1024, 4096,
					 65536, PP_ESP_REPLAY_WINDOW_MAX };
	size_t i;
	unsigned int seed;

	(void)state;
	for (i = 0; i < sizeof(wins) / sizeof(wins[0]); i++) {
		for (seed = 1; seed <= 3; seed++) {
			struct diff_cfg c = { .win = wins[i],
					      .steps = 20000,
					      .seed = seed * 7919u + wins[i] };

			/* No ESN, from 0 and near the top of 32 bits. */
			c.esn = false;
			c.start = 0;
			run_diff(&c);
			c.start = 0xffffffffu - 120000000u;
			run_diff(&c);
			/* ESN from 0 (Th == 0), across 2^32, from 2^33 + x. */
			c.esn = true;
			c.start = 0;
			c.huge_jumps = true;
			run_diff(&c);
			c.start = (UINT64_C(1) << 32) - 2 * (uint64_t)wins[i] -
				  1000;
			c.huge_jumps = false;
			run_diff(&c);
			c.start = (UINT64_C(2) << 32) + 12345;
			c.huge_jumps = true;
			run_diff(&c);
		}
	}
}

/* Ring sizing: every window up to the maximum gets enough words. */
static void test_rfc6479_ring_covers_window(void **state)
{
	uint32_t w;

	(void)state;
	for (w = 1; w <= PP_ESP_REPLAY_WINDOW_MAX; w = w < 256 ? w + 1 : w * 2 + 1) {
		uint32_t n = esp_replay_words(w);

		assert_true((n & (n - 1)) == 0);
		assert_true((uint64_t)n * 64 >= (uint64_t)w + 64);
	}
}

/* ---------------------------------------------------------------------- */
/* 3. End to end through pp_esp_inbound()                                 */
/* ---------------------------------------------------------------------- */

static const struct eu_suite *suite_named(const char *name)
{
	size_t i;

	for (i = 0; i < eu_n_suites; i++)
		if (strcmp(eu_suites[i].name, name) == 0)
			return &eu_suites[i];
	fail_msg("no suite %s", name);
	return NULL;
}

struct e2e {
	struct eu_cfg cfg;
	struct eu_keys keys;
	struct eu_ref ref;
	struct pp_esp_sa *in;
};

/* Inbound transport SA with NO_OUTER: packets start at the SPI. */
static void e2e_setup(struct e2e *e, const char *suite, uint32_t flags,
		      uint32_t win)
{
	struct pp_esp_sa_params prm;

	memset(e, 0, sizeof(*e));
	e->cfg.suite = suite_named(suite);
	e->cfg.mode = PP_ESP_MODE_TRANSPORT;
	e->cfg.outer_family = 4;
	e->cfg.flags = PP_ESP_SA_F_NO_OUTER | flags;
	e->cfg.replay_window = win;
	eu_make_keys(&e->cfg, &e->keys);
	eu_ref_from(&e->cfg, &e->keys, &e->ref);
	eu_params(&e->cfg, &e->keys, PP_ESP_DIR_INBOUND, &prm);
	assert_int_equal(pp_esp_sa_create(&prm, &e->in), 0);
}

/*
 * Send reference-encoded packet with 64-bit sequence @seq (payload derived
 * from it); @corrupt flips a bit of the ICV. Returns the status.
 */
static int e2e_send(struct e2e *e, uint64_t seq, bool corrupt)
{
	uint8_t payload[40], pt[64], iv[16], wire[160];
	size_t ptl, n;
	struct pb_buf b;
	int st;

	pb_fill(payload, sizeof(payload), seq);
	pb_fill(iv, sizeof(iv), ~seq);
	ptl = eu_trailer(pt, payload, sizeof(payload),
			 eu_block(e->cfg.suite->cipher), 0, 17);
	n = eu_ref_encode(&e->ref, EU_SPI, seq, iv, pt, ptl, wire,
			  sizeof(wire));
	assert_true(n > 0);
	if (corrupt)
		wire[n - 1] ^= 0x01;
	assert_true(pb_buf_init(&b, 64, wire, (uint32_t)n, 64));
	st = eu_in1(e->in, &b.pkt);
	if (st == PP_ESP_OK) {
		assert_int_equal(b.pkt.len, sizeof(payload));
		assert_memory_equal(pp_pkt_data(&b.pkt), payload,
				    sizeof(payload));
		assert_int_equal(b.pkt.meta, 17);
	}
	pb_buf_free(&b);
	return st;
}

static uint64_t drops(struct pp_esp_sa *sa, int st)
{
	struct pp_esp_sa_stats s;

	pp_esp_sa_get_stats(sa, &s);
	return s.drops[st];
}

/* RFC 4303 §3.4.3: "the receive window is updated only if the ICV
 * verification succeeds". A forged far-ahead packet must not move it. */
static void test_rfc4303_3_4_3_window_updated_only_after_icv(void **state)
{
	static const char *const suites[] = { "aes-gcm-128",
					      "chacha20-poly1305",
					      "aes-cbc-128/sha256",
					      "null/sha512" };
	size_t k;
	uint64_t i;

	(void)state;
	for (k = 0; k < 4; k++) {
		struct e2e e;

		e2e_setup(&e, suites[k], 0, 64);
		for (i = 1; i <= 10; i++)
			eu_assert_status(e2e_send(&e, i, false), PP_ESP_OK);
		assert_int_equal(pp_esp_sa_seq(e.in), 10);

		/* Forged: high sequence number, bad ICV. */
		eu_assert_status(e2e_send(&e, 1000000, true), PP_ESP_ERR_ICV);
		assert_int_equal(pp_esp_sa_seq(e.in), 10);
		assert_int_equal(drops(e.in, PP_ESP_ERR_ICV), 1);
		/* Packets the forged one would have pushed out still pass. */
		eu_assert_status(e2e_send(&e, 11, false), PP_ESP_OK);
		eu_assert_status(e2e_send(&e, 5, false), PP_ESP_ERR_REPLAY);

		/* Forged in-window packet must not mark its number seen. */
		eu_assert_status(e2e_send(&e, 13, true), PP_ESP_ERR_ICV);
		eu_assert_status(e2e_send(&e, 13, false), PP_ESP_OK);
		eu_assert_status(e2e_send(&e, 13, false), PP_ESP_ERR_REPLAY);
		eu_assert_status(e2e_send(&e, 12, false), PP_ESP_OK);
		assert_int_equal(pp_esp_sa_seq(e.in), 13);

		/* The genuine far-ahead packet then moves the window. */
		eu_assert_status(e2e_send(&e, 1000000, false), PP_ESP_OK);
		assert_int_equal(pp_esp_sa_seq(e.in), 1000000);
		eu_assert_status(e2e_send(&e, 13, false), PP_ESP_ERR_TOO_OLD);
		eu_assert_status(e2e_send(&e, 1000000 - 63, false), PP_ESP_OK);
		eu_assert_status(e2e_send(&e, 1000000 - 64, false),
				 PP_ESP_ERR_TOO_OLD);

		assert_int_equal(drops(e.in, PP_ESP_ERR_ICV), 2);
		assert_int_equal(drops(e.in, PP_ESP_ERR_REPLAY), 2);
		assert_int_equal(drops(e.in, PP_ESP_ERR_TOO_OLD), 2);
		pp_esp_sa_destroy(e.in);
	}
}

/* The window size from the params is the one enforced (0 = default). */
static void test_rfc4303_3_4_3_window_size_from_params(void **state)
{
	static const uint32_t wins[] = { 0, 32, 1024, 65536 };
	size_t k;

	(void)state;
	for (k = 0; k < 4; k++) {
		uint32_t W = wins[k] ? wins[k] : PP_ESP_REPLAY_WINDOW_DEFAULT;
		uint64_t top = 5ull * W;
		struct e2e e;

		e2e_setup(&e, "aes-gcm-256", 0, wins[k]);
		eu_assert_status(e2e_send(&e, top, false), PP_ESP_OK);
		eu_assert_status(e2e_send(&e, top - W + 1, false), PP_ESP_OK);
		eu_assert_status(e2e_send(&e, top - W, false),
				 PP_ESP_ERR_TOO_OLD);
		eu_assert_status(e2e_send(&e, top - W + 1, false),
				 PP_ESP_ERR_REPLAY);
		pp_esp_sa_destroy(e.in);
	}
}

/* ESN on the wire: the receiver infers seq_hi and authenticates with it. */
static void test_rfc4303_2_2_1_esn_inbound_crosses_2_32(void **state)
{
	static const char *const suites[] = { "aes-gcm-128",
					      "chacha20-poly1305",
					      "aes-cbc-256/sha384",
					      "null/sha256" };
	const uint64_t B1 = UINT64_C(1) << 32;
	size_t k;

	(void)state;
	for (k = 0; k < 4; k++) {
		struct e2e e;

		e2e_setup(&e, suites[k], PP_ESP_SA_F_ESN, 64);
		/* Th == 0, case B: a high value cannot be block -1. */
		eu_assert_status(e2e_send(&e, 0xfffffff0u, false),
				 PP_ESP_ERR_TOO_OLD);
		eu_assert_status(e2e_send(&e, 1, false), PP_ESP_OK);
		eu_assert_status(e2e_send(&e, 0x80000000u, false), PP_ESP_OK);
		eu_assert_status(e2e_send(&e, B1 - 2, false), PP_ESP_OK);
		/* Cross: low bits 3, high bits 1 (only in ICV/AAD). */
		eu_assert_status(e2e_send(&e, B1 + 3, false), PP_ESP_OK);
		assert_int_equal(pp_esp_sa_seq(e.in), B1 + 3);
		/* Case B: the previous block's tail is still in the window. */
		eu_assert_status(e2e_send(&e, B1 - 1, false), PP_ESP_OK);
		eu_assert_status(e2e_send(&e, B1 - 2, false),
				 PP_ESP_ERR_REPLAY);
		eu_assert_status(e2e_send(&e, B1, false), PP_ESP_OK);
		eu_assert_status(e2e_send(&e, B1 + 3, false),
				 PP_ESP_ERR_REPLAY);
		/*
		 * Low bits of a value just left of the window are read as the
		 * current block, far ahead: the ICV (seq_hi 1) then fails and
		 * the window stays.
		 */
		eu_assert_status(e2e_send(&e, B1 + 3 - 64, false),
				 PP_ESP_ERR_ICV);
		assert_int_equal(pp_esp_sa_seq(e.in), B1 + 3);
		pp_esp_sa_destroy(e.in);
	}
}

/* NO_REPLAY: duplicates pass; ESN inference still authenticates seq_hi. */
static void test_rfc4303_3_4_3_no_replay_flag_accepts_duplicates(void **state)
{
	struct e2e e;

	(void)state;
	e2e_setup(&e, "aes-gcm-128", PP_ESP_SA_F_NO_REPLAY, 32);
	eu_assert_status(e2e_send(&e, 100, false), PP_ESP_OK);
	eu_assert_status(e2e_send(&e, 100, false), PP_ESP_OK);
	eu_assert_status(e2e_send(&e, 2, false), PP_ESP_OK);
	eu_assert_status(e2e_send(&e, 100, true), PP_ESP_ERR_ICV);
	assert_int_equal(drops(e.in, PP_ESP_ERR_REPLAY), 0);
	assert_int_equal(drops(e.in, PP_ESP_ERR_TOO_OLD), 0);
	pp_esp_sa_destroy(e.in);
}

/* Burst: a duplicate inside one burst is caught (window updated per pkt). */
static void test_rfc4303_3_4_3_duplicate_within_one_burst(void **state)
{
	struct e2e e;
	uint8_t payload[16], pt[64], iv[16] = { 0 }, wire[4][128];
	size_t ptl, n[4];
	struct pb_buf b[4];
	struct pp_pkt *v[4];
	static const uint64_t seqs[4] = { 7, 8, 7, 9 };
	unsigned int i, ok;

	(void)state;
	e2e_setup(&e, "aes-gcm-128", 0, 64);
	memset(payload, 0x3c, sizeof(payload));
	for (i = 0; i < 4; i++) {
		iv[7] = (uint8_t)seqs[i];
		ptl = eu_trailer(pt, payload, sizeof(payload), 4, 0, 17);
		n[i] = eu_ref_encode(&e.ref, EU_SPI, seqs[i], iv, pt, ptl,
				     wire[i], sizeof(wire[i]));
		assert_true(pb_buf_init(&b[i], 0, wire[i], (uint32_t)n[i], 0));
		v[i] = &b[i].pkt;
	}
	ok = pp_esp_inbound(e.in, v, 4);
	assert_int_equal(ok, 3);
	eu_assert_status(b[0].pkt.status, PP_ESP_OK);
	eu_assert_status(b[1].pkt.status, PP_ESP_OK);
	eu_assert_status(b[2].pkt.status, PP_ESP_ERR_REPLAY);
	eu_assert_status(b[3].pkt.status, PP_ESP_OK);
	for (i = 0; i < 4; i++)
		pb_buf_free(&b[i]);
	pp_esp_sa_destroy(e.in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4303_3_4_3_window_table_w32),
		cmocka_unit_test(test_rfc4303_3_4_3_window_table_w1024),
		cmocka_unit_test(test_rfc4303_3_4_3_window_table_w65536),
		cmocka_unit_test(test_rfc4303_a2_2_esn_boundary_table),
		cmocka_unit_test(test_rfc4303_a2_2_esn_th0_edge_table),
		cmocka_unit_test(
			test_rfc4303_3_4_3_no_esn_never_infers_high_bits),
		cmocka_unit_test(
			test_rfc4303_3_4_3_differential_vs_naive_window),
		cmocka_unit_test(test_rfc6479_ring_covers_window),
		cmocka_unit_test(
			test_rfc4303_3_4_3_window_updated_only_after_icv),
		cmocka_unit_test(test_rfc4303_3_4_3_window_size_from_params),
		cmocka_unit_test(test_rfc4303_2_2_1_esn_inbound_crosses_2_32),
		cmocka_unit_test(
			test_rfc4303_3_4_3_no_replay_flag_accepts_duplicates),
		cmocka_unit_test(test_rfc4303_3_4_3_duplicate_within_one_burst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
