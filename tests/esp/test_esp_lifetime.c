/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SA lifecycle: parameter validation (table), the caller-allocated form,
 * lifetimes (RFC 4301 §4.4.2.1: soft and hard limits by packets, bytes and
 * time, events fired once), and sequence number exhaustion (RFC 4303
 * §3.3.3: without ESN the counter must not wrap; with ESN it crosses 2^32
 * and stops only at 2^64 - 1).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_util.h"

/* ---------------------------------------------------------------------- */
/* Parameter validation                                                   */
/* ---------------------------------------------------------------------- */

static uint8_t ckey[64], ikey[64];
static const struct pp_esp_selector good_sel = { .family = 4,
						 .dst_plen = 8,
						 .dst = { 10 },
						 .sport_hi = 0xffff,
						 .dport_hi = 0xffff };

/* A valid baseline: outbound tunnel IPv4, AES-GCM-128. */
static void base(struct pp_esp_sa_params *p)
{
	memset(p, 0, sizeof(*p));
	p->dir = PP_ESP_DIR_OUTBOUND;
	p->mode = PP_ESP_MODE_TUNNEL;
	p->spi = 0x1000;
	p->cipher = PP_ESP_CIPHER_AES_GCM_16;
	p->cipher_key = ckey;
	p->cipher_key_len = 20;
	p->outer_src.family = 4;
	memcpy(p->outer_src.bytes, eu_v4_a, 4);
	p->outer_dst.family = 4;
	memcpy(p->outer_dst.bytes, eu_v4_b, 4);
}

struct logbuf {
	char last[256];
	unsigned int n;
};

static void log_cb(void *opaque, enum pp_log_level lvl, const char *msg)
{
	struct logbuf *l = opaque;

	(void)lvl;
	snprintf(l->last, sizeof(l->last), "%s", msg);
	l->n++;
}

typedef void (*mut_fn)(struct pp_esp_sa_params *p);

#define MUT(name, body)                                                    \
	static void name(struct pp_esp_sa_params *p)                       \
	{                                                                  \
		body;                                                      \
	}

MUT(m_dir, p->dir = (enum pp_esp_dir)2)
MUT(m_mode, p->mode = (enum pp_esp_mode)2)
MUT(m_spi0, p->spi = 0)
MUT(m_spi1, p->spi = 1)
MUT(m_spi255, p->spi = 255)
MUT(m_flags, p->flags = PP_ESP_SA_F_ALL + 1)
MUT(m_flags_hi, p->flags = 1u << 31)
MUT(m_cipher, p->cipher = (enum pp_esp_cipher)9)
MUT(m_gcm_nosalt, p->cipher_key_len = 16)
MUT(m_gcm_192, p->cipher_key_len = 28)
MUT(m_gcm_long, p->cipher_key_len = 37)
MUT(m_ckey_null, p->cipher_key = NULL)
MUT(m_chacha_32, (p->cipher = PP_ESP_CIPHER_CHACHA20_POLY1305,
		  p->cipher_key_len = 32))
MUT(m_cbc_24, (p->cipher = PP_ESP_CIPHER_AES_CBC, p->cipher_key_len = 24,
	       p->integ = PP_ESP_INTEG_HMAC_SHA256_128, p->integ_key = ikey,
	       p->integ_key_len = 32))
MUT(m_cbc_20, (p->cipher = PP_ESP_CIPHER_AES_CBC, p->cipher_key_len = 20))
MUT(m_null_key, (p->cipher = PP_ESP_CIPHER_NULL, p->cipher_key_len = 16,
		 p->integ = PP_ESP_INTEG_HMAC_SHA256_128, p->integ_key = ikey,
		 p->integ_key_len = 32))
MUT(m_integ, (p->cipher = PP_ESP_CIPHER_AES_CBC, p->cipher_key_len = 16,
	      p->integ = (enum pp_esp_integ)9))
MUT(m_aead_integ, (p->integ = PP_ESP_INTEG_HMAC_SHA256_128,
		   p->integ_key = ikey, p->integ_key_len = 32))
MUT(m_null_null, (p->cipher = PP_ESP_CIPHER_NULL, p->cipher_key = NULL,
		  p->cipher_key_len = 0))
MUT(m_ikey_len, (p->cipher = PP_ESP_CIPHER_AES_CBC, p->cipher_key_len = 16,
		 p->integ = PP_ESP_INTEG_HMAC_SHA384_192, p->integ_key = ikey,
		 p->integ_key_len = 32))
MUT(m_ikey_null, (p->cipher = PP_ESP_CIPHER_AES_CBC, p->cipher_key_len = 16,
		  p->integ = PP_ESP_INTEG_HMAC_SHA512_256, p->integ_key = NULL,
		  p->integ_key_len = 64))
MUT(m_ikey_noneg, (p->integ_key = ikey, p->integ_key_len = 32))
MUT(m_src_fam, p->outer_src.family = 5)
MUT(m_dst_fam, p->outer_dst.family = 7)
MUT(m_no_src, p->outer_src.family = 0)
MUT(m_fam_mix, p->outer_dst.family = 6)
MUT(m_window, p->replay_window = PP_ESP_REPLAY_WINDOW_MAX + 1)
MUT(m_tfc_trs, (p->mode = PP_ESP_MODE_TRANSPORT, p->tfc_pad_to = 100))
MUT(m_nsel, (p->selectors = &good_sel,
	     p->n_selectors = PP_ESP_SELECTORS_MAX + 1))
MUT(m_sel_null, p->n_selectors = 1)
MUT(m_sel_bad, {
	static struct pp_esp_selector s;

	s = good_sel;
	s.dst_plen = 33;
	p->selectors = &s;
	p->n_selectors = 1;
})
MUT(m_sel_bad_ports, {
	static struct pp_esp_selector s;

	s = good_sel;
	s.dport_lo = 2;
	s.dport_hi = 1;
	p->selectors = &s;
	p->n_selectors = 1;
})
MUT(m_check_nosel, (p->dir = PP_ESP_DIR_INBOUND,
		    p->flags = PP_ESP_SA_F_CHECK_SELECTORS))
MUT(m_soft_bytes, (p->soft.bytes = 10, p->hard.bytes = 9))
MUT(m_soft_pkts, (p->soft.packets = 10, p->hard.packets = 9))
MUT(m_soft_secs, (p->soft.seconds = 10, p->hard.seconds = 9))
MUT(m_iseq, p->initial_seq = UINT64_C(1) << 32)
MUT(m_iseq_in, (p->dir = PP_ESP_DIR_INBOUND,
		p->initial_seq = UINT64_C(1) << 32))

/* Valid edges that must be accepted. */
MUT(v_base, (void)p)
MUT(v_spi256, p->spi = 256)
MUT(v_spimax, p->spi = 0xffffffffu)
MUT(v_window_max, (p->dir = PP_ESP_DIR_INBOUND,
		   p->replay_window = PP_ESP_REPLAY_WINDOW_MAX))
MUT(v_iseq_max, p->initial_seq = 0xffffffffu)
MUT(v_iseq_esn, (p->flags = PP_ESP_SA_F_ESN,
		 p->initial_seq = UINT64_MAX - 1))
MUT(v_soft_eq_hard, (p->soft.packets = 5, p->hard.packets = 5))
MUT(v_soft_only, p->soft.bytes = 5)
MUT(v_inb_no_dst, (p->dir = PP_ESP_DIR_INBOUND, p->outer_src.family = 0,
		   p->outer_dst.family = 0))
MUT(v_trs_no_addr, (p->mode = PP_ESP_MODE_TRANSPORT,
		    p->outer_src.family = 0, p->outer_dst.family = 0))
MUT(v_no_outer_no_addr, (p->flags = PP_ESP_SA_F_NO_OUTER,
			 p->outer_src.family = 0, p->outer_dst.family = 0))
MUT(v_chacha, (p->cipher = PP_ESP_CIPHER_CHACHA20_POLY1305,
	       p->cipher_key_len = 36))
MUT(v_cbc_none, (p->cipher = PP_ESP_CIPHER_AES_CBC, p->cipher_key_len = 32))
MUT(v_sel16, (p->dir = PP_ESP_DIR_INBOUND,
	      p->flags = PP_ESP_SA_F_CHECK_SELECTORS, p->selectors = &good_sel,
	      p->n_selectors = 1))
MUT(v_all_flags_in, (p->dir = PP_ESP_DIR_INBOUND, p->flags = PP_ESP_SA_F_ALL,
		     p->selectors = &good_sel, p->n_selectors = 1))

static void test_params_validation_table(void **state)
{
	static const struct {
		mut_fn fn;
		const char *field; /* named in the log line; NULL = valid */
	} t[] = {
		/* #1 */ { m_dir, "dir" },
		/* #2 */ { m_mode, "mode" },
		/* #3 RFC 4303 §2.1 */ { m_spi0, "spi" },
		/* #4 */ { m_spi1, "spi" },
		/* #5 */ { m_spi255, "spi" },
		/* #6 unknown flag bits */ { m_flags, "flags" },
		/* #7 */ { m_flags_hi, "flags" },
		/* #8 */ { m_cipher, "cipher" },
		/* #9 GCM key without salt */ { m_gcm_nosalt, "cipher_key_len" },
		/* #10 AES-192 not offered */ { m_gcm_192, "cipher_key_len" },
		/* #11 */ { m_gcm_long, "cipher_key_len" },
		/* #12 */ { m_ckey_null, "cipher_key" },
		/* #13 ChaCha20 without salt */ { m_chacha_32, "cipher_key_len" },
		/* #14 AES-CBC-192 */ { m_cbc_24, "cipher_key_len" },
		/* #15 */ { m_cbc_20, "cipher_key_len" },
		/* #16 NULL cipher with a key */ { m_null_key, "cipher_key_len" },
		/* #17 */ { m_integ, "integ" },
		/* #18 AEAD + HMAC */ { m_aead_integ, "integ" },
		/* #19 RFC 4303 §3.2: NULL+NULL */ { m_null_null, "integ" },
		/* #20 HMAC-SHA-384 with a 32-byte key */ { m_ikey_len, "integ_key_len" },
		/* #21 */ { m_ikey_null, "integ_key" },
		/* #22 key for integrity NONE */ { m_ikey_noneg, "integ_key_len" },
		/* #23 */ { m_src_fam, "outer_src" },
		/* #24 */ { m_dst_fam, "outer_dst" },
		/* #25 tunnel outbound needs addresses */ { m_no_src, "outer_src" },
		/* #26 mixed families */ { m_fam_mix, "outer_dst" },
		/* #27 */ { m_window, "replay_window" },
		/* #28 RFC 4303 §2.7 TFC needs tunnel */ { m_tfc_trs, "tfc_pad_to" },
		/* #29 */ { m_nsel, "n_selectors" },
		/* #30 */ { m_sel_null, "selectors" },
		/* #31 */ { m_sel_bad, "selectors" },
		/* #32 */ { m_sel_bad_ports, "selectors" },
		/* #33 */ { m_check_nosel, "n_selectors" },
		/* #34 */ { m_soft_bytes, "soft.bytes" },
		/* #35 */ { m_soft_pkts, "soft.packets" },
		/* #36 */ { m_soft_secs, "soft.seconds" },
		/* #37 without ESN */ { m_iseq, "initial_seq" },
		/* #38 */ { m_iseq_in, "initial_seq" },
		/* valid */
		{ v_base, NULL },     { v_spi256, NULL },
		{ v_spimax, NULL },   { v_window_max, NULL },
		{ v_iseq_max, NULL }, { v_iseq_esn, NULL },
		{ v_soft_eq_hard, NULL }, { v_soft_only, NULL },
		{ v_inb_no_dst, NULL }, { v_trs_no_addr, NULL },
		{ v_no_outer_no_addr, NULL }, { v_chacha, NULL },
		{ v_cbc_none, NULL },  { v_sel16, NULL },
		{ v_all_flags_in, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct pp_esp_sa_params p;
		struct pp_esp_sa *sa = (struct pp_esp_sa *)&p;
		struct logbuf lb = { { 0 }, 0 };
		ssize_t sz;
		int rc;

		base(&p);
		p.log_fn = log_cb;
		p.log_opaque = &lb;
		t[i].fn(&p);
		sz = pp_esp_sa_size(&p);
		rc = pp_esp_sa_create(&p, &sa);
		if (t[i].field == NULL) {
			if (sz <= 0 || rc != 0)
				fail_msg("valid case #%zu rejected: size %zd, "
					 "create %d (%s)",
					 i + 1, sz, rc, lb.last);
			pp_esp_sa_destroy(sa);
			continue;
		}
		if (sz != -EINVAL || rc != -EINVAL)
			fail_msg("case #%zu (%s): size %zd, create %d, expected "
				 "-EINVAL",
				 i + 1, t[i].field, sz, rc);
		assert_null(sa);
		/* The log callback names the offending field. */
		if (lb.n == 0 || strstr(lb.last, t[i].field) == NULL)
			fail_msg("case #%zu: log \"%s\" does not name %s",
				 i + 1, lb.last, t[i].field);
	}
	assert_int_equal(pp_esp_sa_size(NULL), -EINVAL);
	{
		struct pp_esp_sa_params p;

		base(&p);
		assert_int_equal(pp_esp_sa_create(&p, NULL), -EINVAL);
		assert_int_equal(pp_esp_sa_create(NULL, NULL), -EINVAL);
	}
}

/* Caller-allocated SAs: size, -ENOSPC, alignment, fini, reuse. */
static void test_sa_init_caller_memory(void **state)
{
	struct pp_esp_sa_params p;
	ssize_t sz;
	uint64_t *mem;
	struct pp_esp_sa *sa;
	uint32_t w;

	(void)state;
	base(&p);
	p.dir = PP_ESP_DIR_INBOUND;
	for (w = 32; w <= PP_ESP_REPLAY_WINDOW_MAX; w *= 4) {
		ssize_t sz_small;

		p.replay_window = w / 2;
		sz_small = pp_esp_sa_size(&p);
		p.replay_window = w;
		sz = pp_esp_sa_size(&p);
		assert_true(sz > 0 && sz >= sz_small);
	}
	/* The size grows with the window: a 131072-packet window needs at
	 * least 16 KiB of bitmap. */
	assert_true(sz >= (ssize_t)(PP_ESP_REPLAY_WINDOW_MAX / 8));
	mem = malloc((size_t)sz + 16);
	assert_non_null(mem);
	sa = (struct pp_esp_sa *)(void *)mem;
	assert_int_equal(pp_esp_sa_init(sa, &p, (size_t)sz - 1), -ENOSPC);
	assert_int_equal(pp_esp_sa_init((struct pp_esp_sa *)(void *)((uint8_t *)mem + 4),
					&p, (size_t)sz),
			 -EINVAL);
	assert_int_equal(pp_esp_sa_init(NULL, &p, (size_t)sz), -EINVAL);
	assert_int_equal(pp_esp_sa_init(sa, NULL, (size_t)sz), -EINVAL);
	assert_int_equal(pp_esp_sa_init(sa, &p, (size_t)sz), 0);
	assert_int_equal(pp_esp_sa_spi(sa), 0x1000);
	assert_int_equal(pp_esp_sa_dir(sa), PP_ESP_DIR_INBOUND);
	pp_esp_sa_fini(sa);
	pp_esp_sa_fini(sa); /* harmless twice */
	/* The memory can be reused for another SA. */
	p.dir = PP_ESP_DIR_OUTBOUND;
	p.spi = 0x2000;
	assert_int_equal(pp_esp_sa_init(sa, &p, (size_t)sz), 0);
	assert_int_equal(pp_esp_sa_spi(sa), 0x2000);
	/* Destroy of a caller-allocated SA does not free the memory. */
	pp_esp_sa_destroy(sa);
	free(mem);
	pp_esp_sa_destroy(NULL);
	pp_esp_sa_fini(NULL);
}

/* ---------------------------------------------------------------------- */
/* Lifetimes                                                              */
/* ---------------------------------------------------------------------- */

struct lt {
	struct eu_cfg cfg;
	struct eu_events ev_out, ev_in;
	struct pp_esp_sa *out, *in;
};

static void lt_setup(struct lt *l, struct pp_esp_lifetime soft,
		     struct pp_esp_lifetime hard, uint64_t now)
{
	struct pp_esp_sa_params prm;
	struct eu_keys k;

	memset(l, 0, sizeof(*l));
	l->cfg.suite = &eu_suites[0];
	l->cfg.mode = PP_ESP_MODE_TRANSPORT;
	l->cfg.outer_family = 4;
	l->cfg.flags = PP_ESP_SA_F_NO_OUTER;
	l->cfg.soft = soft;
	l->cfg.hard = hard;
	l->cfg.now = now;
	l->cfg.event_fn = eu_event_cb;
	eu_make_keys(&l->cfg, &k);
	l->cfg.event_opaque = &l->ev_out;
	eu_params(&l->cfg, &k, PP_ESP_DIR_OUTBOUND, &prm);
	assert_int_equal(pp_esp_sa_create(&prm, &l->out), 0);
	l->cfg.event_opaque = &l->ev_in;
	eu_params(&l->cfg, &k, PP_ESP_DIR_INBOUND, &prm);
	assert_int_equal(pp_esp_sa_create(&prm, &l->in), 0);
}

static void lt_teardown(struct lt *l)
{
	pp_esp_sa_destroy(l->out);
	pp_esp_sa_destroy(l->in);
}

/* Send @n payload bytes out and in; returns the outbound status, and the
 * inbound status in *in_st (-1 when outbound failed). */
static int lt_send(struct lt *l, size_t n, int *in_st)
{
	uint8_t pay[2000];
	struct pb_buf b;
	int st;

	memset(pay, 0x11, sizeof(pay));
	assert_true(pb_buf_init(&b, pp_esp_sa_headroom(l->out), pay,
				(uint32_t)n, pp_esp_sa_tailroom(l->out)));
	b.pkt.meta = 17;
	st = eu_out1(l->out, &b.pkt);
	*in_st = -1;
	if (st == PP_ESP_OK)
		*in_st = eu_in1(l->in, &b.pkt);
	pb_buf_free(&b);
	return st;
}

static void expect_events(const struct eu_events *e, unsigned int soft,
			  unsigned int hard, unsigned int exh, const char *what)
{
	if (e->soft != soft || e->hard != hard || e->exhausted != exh ||
	    e->other != 0)
		fail_msg("%s: events soft %u hard %u exhausted %u other %u, "
			 "expected %u %u %u 0",
			 what, e->soft, e->hard, e->exhausted, e->other, soft,
			 hard, exh);
}

/* RFC 4301 §4.4.2.1: packet-count lifetimes, both directions. */
static void test_rfc4301_4_4_2_1_lifetime_packets(void **state)
{
	struct pp_esp_lifetime soft = { .packets = 3 }, hard = { .packets = 5 };
	struct pp_esp_sa_stats st;
	struct lt l;
	int i, in_st;

	(void)state;
	lt_setup(&l, soft, hard, 0);
	for (i = 1; i <= 5; i++) {
		eu_assert_status(lt_send(&l, 100, &in_st), PP_ESP_OK);
		eu_assert_status(in_st, PP_ESP_OK);
		if (i < 3) {
			expect_events(&l.ev_out, 0, 0, 0, "before soft");
			assert_int_equal(pp_esp_sa_state(l.out),
					 PP_ESP_SA_ALIVE);
		} else if (i < 5) {
			expect_events(&l.ev_out, 1, 0, 0, "soft");
			expect_events(&l.ev_in, 1, 0, 0, "soft (in)");
			assert_int_equal(pp_esp_sa_state(l.out),
					 PP_ESP_SA_SOFT_EXPIRED);
			assert_int_equal(pp_esp_sa_state(l.in),
					 PP_ESP_SA_SOFT_EXPIRED);
		}
	}
	/* The 5th packet went through; now the SA is dead. */
	expect_events(&l.ev_out, 1, 1, 0, "hard");
	expect_events(&l.ev_in, 1, 1, 0, "hard (in)");
	assert_ptr_equal(l.ev_out.last_sa, l.out);
	assert_ptr_equal(l.ev_in.last_sa, l.in);
	assert_int_equal(pp_esp_sa_state(l.out), PP_ESP_SA_DEAD);
	assert_int_equal(pp_esp_sa_state(l.in), PP_ESP_SA_DEAD);
	for (i = 0; i < 3; i++)
		eu_assert_status(lt_send(&l, 100, &in_st), PP_ESP_ERR_EXPIRED);
	pp_esp_sa_get_stats(l.out, &st);
	assert_int_equal(st.pkts, 5);
	assert_int_equal(st.drops[PP_ESP_ERR_EXPIRED], 3);
	/* Ticks do not re-fire anything. */
	assert_int_equal(pp_esp_sa_tick(l.out, 1000000), PP_ESP_SA_DEAD);
	expect_events(&l.ev_out, 1, 1, 0, "after tick");
	lt_teardown(&l);
}

static void test_rfc4301_4_4_2_1_lifetime_bytes(void **state)
{
	struct pp_esp_lifetime soft = { .bytes = 1000 }, hard = { .bytes = 3000 };
	struct pp_esp_sa_stats st;
	struct lt l;
	int in_st;

	(void)state;
	lt_setup(&l, soft, hard, 0);
	eu_assert_status(lt_send(&l, 600, &in_st), PP_ESP_OK); /* 600 */
	expect_events(&l.ev_out, 0, 0, 0, "600 bytes");
	eu_assert_status(lt_send(&l, 600, &in_st), PP_ESP_OK); /* 1200 */
	expect_events(&l.ev_out, 1, 0, 0, "1200 bytes");
	expect_events(&l.ev_in, 1, 0, 0, "1200 bytes (in)");
	eu_assert_status(lt_send(&l, 1799, &in_st), PP_ESP_OK); /* 2999 */
	expect_events(&l.ev_out, 1, 0, 0, "2999 bytes");
	assert_int_equal(pp_esp_sa_state(l.out), PP_ESP_SA_SOFT_EXPIRED);
	eu_assert_status(lt_send(&l, 1, &in_st), PP_ESP_OK); /* 3000 */
	eu_assert_status(in_st, PP_ESP_OK);
	expect_events(&l.ev_out, 1, 1, 0, "3000 bytes");
	expect_events(&l.ev_in, 1, 1, 0, "3000 bytes (in)");
	eu_assert_status(lt_send(&l, 1, &in_st), PP_ESP_ERR_EXPIRED);
	pp_esp_sa_get_stats(l.out, &st);
	assert_int_equal(st.bytes, 3000);
	assert_int_equal(st.pkts, 4);
	lt_teardown(&l);
}

/* Time lifetimes via pp_esp_sa_tick(); the epoch is the caller's. */
static void test_rfc4301_4_4_2_1_lifetime_seconds_tick(void **state)
{
	struct pp_esp_lifetime soft = { .seconds = 10 }, hard = { .seconds = 20 };
	struct lt l;
	int in_st;

	(void)state;
	lt_setup(&l, soft, hard, 1000);
	/* Time before creation (clock went back): nothing happens. */
	assert_int_equal(pp_esp_sa_tick(l.out, 5), PP_ESP_SA_ALIVE);
	assert_int_equal(pp_esp_sa_tick(l.out, 1009), PP_ESP_SA_ALIVE);
	expect_events(&l.ev_out, 0, 0, 0, "9 s");
	assert_int_equal(pp_esp_sa_tick(l.out, 1010), PP_ESP_SA_SOFT_EXPIRED);
	expect_events(&l.ev_out, 1, 0, 0, "10 s");
	assert_int_equal(pp_esp_sa_tick(l.out, 1015), PP_ESP_SA_SOFT_EXPIRED);
	expect_events(&l.ev_out, 1, 0, 0, "15 s");
	/* Soft-expired SAs still work. */
	eu_assert_status(lt_send(&l, 10, &in_st), PP_ESP_OK);
	assert_int_equal(pp_esp_sa_tick(l.out, 1020), PP_ESP_SA_DEAD);
	expect_events(&l.ev_out, 1, 1, 0, "20 s");
	assert_int_equal(pp_esp_sa_tick(l.out, 99999), PP_ESP_SA_DEAD);
	expect_events(&l.ev_out, 1, 1, 0, "later");
	eu_assert_status(lt_send(&l, 10, &in_st), PP_ESP_ERR_EXPIRED);
	/* Jumping straight past both limits fires both, soft first. */
	expect_events(&l.ev_in, 0, 0, 0, "inbound untouched");
	assert_int_equal(pp_esp_sa_tick(l.in, 1030), PP_ESP_SA_DEAD);
	expect_events(&l.ev_in, 1, 1, 0, "inbound jump");
	{
		struct pb_buf b;
		uint8_t junk[64] = { 0 };

		assert_true(pb_buf_init(&b, 0, junk, sizeof(junk), 0));
		eu_assert_status(eu_in1(l.in, &b.pkt), PP_ESP_ERR_EXPIRED);
		pb_buf_free(&b);
	}
	lt_teardown(&l);

	/* Only a hard limit: one hard event, no soft one. */
	{
		struct pp_esp_lifetime none = { 0 };

		hard.seconds = 5;
		lt_setup(&l, none, hard, 0);
		assert_int_equal(pp_esp_sa_tick(l.out, 5), PP_ESP_SA_DEAD);
		expect_events(&l.ev_out, 0, 1, 0, "hard only");
		lt_teardown(&l);
		/* No limits at all: never expires. */
		lt_setup(&l, none, none, 0);
		assert_int_equal(pp_esp_sa_tick(l.out, UINT64_MAX),
				 PP_ESP_SA_ALIVE);
		expect_events(&l.ev_out, 0, 0, 0, "no limits");
		lt_teardown(&l);
	}
}

/* Events are optional: no callback, same state transitions. */
static void test_lifetime_without_callback(void **state)
{
	struct pp_esp_lifetime soft = { .packets = 1 }, hard = { .packets = 2 };
	struct lt l;
	int in_st;

	(void)state;
	lt_setup(&l, soft, hard, 0);
	pp_esp_sa_destroy(l.out);
	{
		struct pp_esp_sa_params prm;
		struct eu_keys k;

		l.cfg.event_fn = NULL;
		eu_make_keys(&l.cfg, &k);
		eu_params(&l.cfg, &k, PP_ESP_DIR_OUTBOUND, &prm);
		assert_int_equal(pp_esp_sa_create(&prm, &l.out), 0);
	}
	eu_assert_status(lt_send(&l, 5, &in_st), PP_ESP_OK);
	assert_int_equal(pp_esp_sa_state(l.out), PP_ESP_SA_SOFT_EXPIRED);
	eu_assert_status(lt_send(&l, 5, &in_st), PP_ESP_OK);
	assert_int_equal(pp_esp_sa_state(l.out), PP_ESP_SA_DEAD);
	eu_assert_status(lt_send(&l, 5, &in_st), PP_ESP_ERR_EXPIRED);
	lt_teardown(&l);
}

/* ---------------------------------------------------------------------- */
/* Sequence number exhaustion                                             */
/* ---------------------------------------------------------------------- */

/* RFC 4303 §3.3.3: without ESN the counter must not cycle. */
static void test_rfc4303_3_3_3_seq_exhausted_without_esn(void **state)
{
	struct eu_events ev = { 0 };
	struct pp_esp_sa *out, *in;
	struct pp_esp_sa_stats st;
	struct eu_cfg cfg;
	struct pb_buf b[3];
	struct pp_pkt *v[3];
	uint8_t pay[40] = { 0 };
	int i;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.suite = &eu_suites[3];
	cfg.mode = PP_ESP_MODE_TRANSPORT;
	cfg.outer_family = 4;
	cfg.flags = PP_ESP_SA_F_NO_OUTER;
	cfg.initial_seq = 0xffffffffu - 1;
	cfg.in_initial_seq = 0xffffffffu - 10;
	cfg.event_fn = eu_event_cb;
	cfg.event_opaque = &ev;
	assert_int_equal(eu_sa_pair(&cfg, &out, &in), 0);
	/* One burst of three: the first gets 0xffffffff, the rest fail. */
	for (i = 0; i < 3; i++) {
		assert_true(pb_buf_init(&b[i], pp_esp_sa_headroom(out), pay,
					sizeof(pay), pp_esp_sa_tailroom(out)));
		b[i].pkt.meta = 17;
		v[i] = &b[i].pkt;
	}
	assert_int_equal(pp_esp_outbound(out, v, 3), 1);
	eu_assert_status(b[0].pkt.status, PP_ESP_OK);
	eu_assert_status(b[1].pkt.status, PP_ESP_ERR_SEQ_EXHAUSTED);
	eu_assert_status(b[2].pkt.status, PP_ESP_ERR_SEQ_EXHAUSTED);
	assert_int_equal(pb_get32(pp_pkt_data(&b[0].pkt) + 4), 0xffffffffu);
	assert_int_equal(pp_esp_sa_seq(out), 0xffffffffu);
	expect_events(&ev, 0, 0, 1, "exhausted");
	assert_ptr_equal(ev.last_sa, out);
	assert_int_equal(pp_esp_sa_state(out), PP_ESP_SA_DEAD);
	pp_esp_sa_get_stats(out, &st);
	assert_int_equal(st.pkts, 1);
	assert_int_equal(st.drops[PP_ESP_ERR_SEQ_EXHAUSTED], 2);
	/* The last packet is valid for the peer. */
	eu_assert_status(eu_in1(in, &b[0].pkt), PP_ESP_OK);
	assert_int_equal(pp_esp_sa_seq(in), 0xffffffffu);
	for (i = 0; i < 3; i++)
		pb_buf_free(&b[i]);
	/* Later calls keep failing without re-firing the event. */
	assert_true(pb_buf_init(&b[0], pp_esp_sa_headroom(out), pay,
				sizeof(pay), pp_esp_sa_tailroom(out)));
	b[0].pkt.meta = 17;
	eu_assert_status(eu_out1(out, &b[0].pkt), PP_ESP_ERR_SEQ_EXHAUSTED);
	pb_buf_free(&b[0]);
	expect_events(&ev, 0, 0, 1, "still once");
	assert_int_equal(pp_esp_sa_tick(out, 12345), PP_ESP_SA_DEAD);
	expect_events(&ev, 0, 0, 1, "tick");
	pp_esp_sa_destroy(out);
	pp_esp_sa_destroy(in);
}

/* With ESN the counter crosses 2^32; only 2^64 - 1 is the last value. */
static void test_rfc4303_2_2_1_esn_crosses_2_32_and_exhausts_at_2_64(void **state)
{
	static const struct {
		uint64_t initial;
		unsigned int ok; /* packets that must succeed of 4 */
	} t[] = {
		{ 0xffffffffu - 1, 4 },		/* 2^32-1, 2^32, 2^32+1, +2 */
		{ (UINT64_C(5) << 32) - 2, 4 }, /* another block boundary */
		{ UINT64_MAX - 2, 2 },		/* 2^64-2, 2^64-1, stop */
	};
	size_t k;

	(void)state;
	for (k = 0; k < 3; k++) {
		struct eu_events ev = { 0 };
		struct pp_esp_sa *out, *in;
		struct eu_cfg cfg;
		uint8_t pay[40] = { 1 };
		unsigned int i;

		memset(&cfg, 0, sizeof(cfg));
		cfg.suite = &eu_suites[k == 1 ? 9 : 0]; /* NULL+HMAC, GCM */
		cfg.mode = PP_ESP_MODE_TRANSPORT;
		cfg.outer_family = 4;
		cfg.flags = PP_ESP_SA_F_NO_OUTER | PP_ESP_SA_F_ESN;
		cfg.initial_seq = t[k].initial;
		cfg.in_initial_seq = t[k].initial - 1;
		cfg.event_fn = eu_event_cb;
		cfg.event_opaque = &ev;
		assert_int_equal(eu_sa_pair(&cfg, &out, &in), 0);
		for (i = 0; i < 4; i++) {
			uint64_t want = t[k].initial + 1 + i;
			struct pb_buf b;
			int st;

			assert_true(pb_buf_init(&b, pp_esp_sa_headroom(out),
						pay, sizeof(pay),
						pp_esp_sa_tailroom(out)));
			b.pkt.meta = 17;
			st = eu_out1(out, &b.pkt);
			if (i < t[k].ok) {
				eu_assert_status(st, PP_ESP_OK);
				/* Only the low 32 bits are on the wire. */
				assert_int_equal(pb_get32(pp_pkt_data(&b.pkt) +
							  4),
						 (uint32_t)want);
				assert_int_equal(pp_esp_sa_seq(out), want);
				eu_assert_status(eu_in1(in, &b.pkt),
						 PP_ESP_OK);
				assert_int_equal(pp_esp_sa_seq(in), want);
			} else {
				eu_assert_status(st,
						 PP_ESP_ERR_SEQ_EXHAUSTED);
				assert_int_equal(pp_esp_sa_seq(out),
						 UINT64_MAX);
			}
			pb_buf_free(&b);
		}
		expect_events(&ev, 0, 0, t[k].ok < 4 ? 1 : 0, "esn");
		assert_int_equal(pp_esp_sa_state(out), t[k].ok < 4
							     ? PP_ESP_SA_DEAD
							     : PP_ESP_SA_ALIVE);
		pp_esp_sa_destroy(out);
		pp_esp_sa_destroy(in);
	}
}

/* A packet that fails the room check consumes no sequence number and an
 * exhausted-but-failed packet does not fire the event. */
static void test_rfc4303_3_3_3_failed_packet_keeps_counter(void **state)
{
	struct eu_events ev = { 0 };
	struct pp_esp_sa *out, *in;
	struct eu_cfg cfg;
	uint8_t pay[40] = { 0 };
	struct pb_buf b;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.suite = &eu_suites[0];
	cfg.mode = PP_ESP_MODE_TRANSPORT;
	cfg.outer_family = 4;
	cfg.flags = PP_ESP_SA_F_NO_OUTER;
	cfg.initial_seq = 0xffffffffu - 1;
	cfg.event_fn = eu_event_cb;
	cfg.event_opaque = &ev;
	assert_int_equal(eu_sa_pair(&cfg, &out, &in), 0);
	assert_true(pb_buf_init(&b, 0, pay, sizeof(pay), 0));
	b.pkt.meta = 17;
	eu_assert_status(eu_out1(out, &b.pkt), PP_ESP_ERR_NOROOM);
	pb_buf_free(&b);
	assert_int_equal(pp_esp_sa_seq(out), 0xffffffffu - 1);
	assert_true(pb_buf_init(&b, pp_esp_sa_headroom(out), pay, sizeof(pay),
				pp_esp_sa_tailroom(out)));
	b.pkt.meta = 17;
	eu_assert_status(eu_out1(out, &b.pkt), PP_ESP_OK);
	pb_buf_free(&b);
	assert_int_equal(pp_esp_sa_seq(out), 0xffffffffu);
	expect_events(&ev, 0, 0, 0, "not yet");
	assert_int_equal(pp_esp_sa_state(out), PP_ESP_SA_ALIVE);
	pp_esp_sa_destroy(out);
	pp_esp_sa_destroy(in);
}

/* A hard limit reached inside a burst stops the rest of that burst. */
static void test_rfc4301_4_4_2_1_hard_limit_mid_burst(void **state)
{
	struct pp_esp_lifetime soft = { 0 }, hard = { .packets = 2 };
	struct pb_buf b[4];
	struct pp_pkt *v[4];
	uint8_t pay[20] = { 0 };
	struct lt l;
	int i;

	(void)state;
	lt_setup(&l, soft, hard, 0);
	for (i = 0; i < 4; i++) {
		assert_true(pb_buf_init(&b[i], pp_esp_sa_headroom(l.out), pay,
					sizeof(pay), pp_esp_sa_tailroom(l.out)));
		b[i].pkt.meta = 17;
		v[i] = &b[i].pkt;
	}
	assert_int_equal(pp_esp_outbound(l.out, v, 4), 2);
	eu_assert_status(b[0].pkt.status, PP_ESP_OK);
	eu_assert_status(b[1].pkt.status, PP_ESP_OK);
	eu_assert_status(b[2].pkt.status, PP_ESP_ERR_EXPIRED);
	eu_assert_status(b[3].pkt.status, PP_ESP_ERR_EXPIRED);
	expect_events(&l.ev_out, 0, 1, 0, "mid-burst hard");
	assert_int_equal(pp_esp_sa_seq(l.out), 2);
	/* Inbound: the same two packets pass, then the SA is dead. */
	assert_int_equal(pp_esp_inbound(l.in, v, 2), 2);
	expect_events(&l.ev_in, 0, 1, 0, "inbound hard");
	for (i = 0; i < 4; i++)
		pb_buf_free(&b[i]);
	lt_teardown(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params_validation_table),
		cmocka_unit_test(test_sa_init_caller_memory),
		cmocka_unit_test(test_rfc4301_4_4_2_1_lifetime_packets),
		cmocka_unit_test(test_rfc4301_4_4_2_1_lifetime_bytes),
		cmocka_unit_test(test_rfc4301_4_4_2_1_lifetime_seconds_tick),
		cmocka_unit_test(test_lifetime_without_callback),
		cmocka_unit_test(test_rfc4303_3_3_3_seq_exhausted_without_esn),
		cmocka_unit_test(
			test_rfc4303_2_2_1_esn_crosses_2_32_and_exhausts_at_2_64),
		cmocka_unit_test(test_rfc4303_3_3_3_failed_packet_keeps_counter),
		cmocka_unit_test(test_rfc4301_4_4_2_1_hard_limit_mid_burst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
