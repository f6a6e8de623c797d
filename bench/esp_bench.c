// SPDX-License-Identifier: BSD-2-Clause
/*
 * esp-bench: libesp throughput beside the raw OpenSSL EVP cost of the same
 * cipher, measured on one core in one run.
 *
 * For each suite (AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305,
 * AES-128-CBC + HMAC-SHA-256-128) and inner packet size (64, 512, 1400,
 * 9000 bytes; an IPv4/UDP packet of that total length is the "payload"),
 * four things are measured, tunnel mode with an IPv4 outer header, in
 * bursts of 32 packets over preallocated buffers:
 *
 *   encap      pp_esp_outbound() on 32 packets
 *   raw        what a minimal ESP encapsulation must call, on the same
 *              buffers: AEAD: EVP_EncryptInit_ex(new IV) + AAD update +
 *              in-place update over the ESP plaintext (payload + padding
 *              + pad length + next header, same length as libesp's) +
 *              final + GET_TAG, one preallocated context. CBC+HMAC: one
 *              RAND_bytes() for the 32 IVs of the burst, then per packet
 *              EVP_EncryptInit_ex(new IV) + update, and HMAC (RFC 2104)
 *              over SPI, seq, IV, ciphertext from digest states keyed
 *              once: EVP_MD_CTX_copy_ex(inner) + update + final,
 *              copy_ex(outer) + update + final (cheaper than re-initialising
 *              an EVP_MAC context per packet).
 *   decap      pp_esp_inbound() on 32 packets
 *   raw_dec    AEAD: DecryptInit(IV from the packet) + AAD + update +
 *              SET_TAG + final (tag verified); CBC+HMAC: HMAC over the
 *              packet, CRYPTO_memcmp with the ICV, then CBC decrypt.
 *
 * Fairness:
 *   - Both sides of every pair start each packet from the same state and pay
 *     the same memcpy: encap and raw copy the inner packet into the working
 *     buffer before every burst; decap and raw_dec copy a pre-encapsulated
 *     ESP packet (made once by libesp, from a ring of 512 with sequence
 *     numbers 1..512) into the working buffer. raw_dec checks the tags of
 *     libesp's packets, which also cross-checks libesp's output.
 *   - Inbound anti-replay stays on (default window): after every pass over
 *     the ring (16 bursts) the inbound SA is rebuilt with pp_esp_sa_fini() +
 *     pp_esp_sa_init() outside the timed region. Timing covers whole passes
 *     of 16 bursts (clock read twice per pass).
 *   - The raw side does no header building, parsing, padding checks, replay
 *     window or statistics: it is the floor an ESP implementation cannot go
 *     below with the same EVP calls. ratio = libesp / raw throughput.
 *   - Trials are interleaved (encap, raw, decap, raw_dec, encap, ...) so
 *     frequency drift hits all four alike; each measurement of a trial runs
 *     for -t seconds (default 0.2) after one warm-up pass. Printed: the
 *     MEDIAN over -n trials (default 5) of each throughput, and as ratio
 *     the median of the per-trial ratios (each ratio pairs two measurements
 *     taken back to back, which cancels slow drift).
 *   - Time is the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so that
 *     other processes on a shared machine do not count against whichever
 *     measurement they happen to preempt; --wall uses CLOCK_MONOTONIC. The
 *     process pins itself to the CPU it starts on.
 *
 * Gbit/s counts payload (inner packet) bits only: size * packets * 8 / s.
 *
 * --callgrind[=N] runs every selected measurement for exactly N bursts
 * (default 100) with no timing, for valgrind --tool=callgrind; the cost of
 * one burst is the inclusive cost of the functions burst_encap_esp,
 * burst_encap_raw, burst_decap_esp, burst_decap_raw (each called N times per
 * selected case; divide by N * 32 for instructions per packet). See
 * bench/esp-callgrind.sh and docs/esp-bench.md.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_setaffinity */
#endif
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <parapass/pp_esp.h>

#define BURST 32
#define RING_BURSTS 16
#define RING (BURST * RING_BURSTS)
#define HEADROOM 128
#define TAILROOM 128
#define MAX_TRIALS 101

struct suite {
	const char *name;
	enum pp_esp_cipher cipher;
	size_t ckey_len; /* AEAD: with the 4-byte salt */
	enum pp_esp_integ integ;
	size_t ikey_len, icv_len;
	const EVP_CIPHER *(*evp)(void);
	const char *digest; /* HMAC */
};

static const struct suite suites[] = {
	{ "aes128gcm", PP_ESP_CIPHER_AES_GCM_16, 20, PP_ESP_INTEG_NONE, 0, 16,
	  EVP_aes_128_gcm, NULL },
	{ "aes256gcm", PP_ESP_CIPHER_AES_GCM_16, 36, PP_ESP_INTEG_NONE, 0, 16,
	  EVP_aes_256_gcm, NULL },
	{ "chacha20poly1305", PP_ESP_CIPHER_CHACHA20_POLY1305, 36,
	  PP_ESP_INTEG_NONE, 0, 16, EVP_chacha20_poly1305, NULL },
	{ "aes128cbc-sha256", PP_ESP_CIPHER_AES_CBC, 16,
	  PP_ESP_INTEG_HMAC_SHA256_128, 32, 16, EVP_aes_128_cbc, "SHA256" },
};
#define N_SUITES (sizeof(suites) / sizeof(suites[0]))

static const uint32_t sizes[] = { 64, 512, 1400, 9000 };
#define N_SIZES (sizeof(sizes) / sizeof(sizes[0]))

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						     noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("esp-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* CPU time of this thread (default) or wall-clock time (--wall). */
static clockid_t bench_clock = CLOCK_THREAD_CPUTIME_ID;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(bench_clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* ---------------------------------------------------------------------- */
/* Per-case state                                                         */
/* ---------------------------------------------------------------------- */

struct bench {
	const struct suite *st;
	uint32_t size;	  /* inner packet length */
	uint32_t ptlen;	  /* ESP plaintext length (payload+pad+2) */
	uint32_t esplen;  /* ESP packet length from the SPI on */
	uint32_t outlen;  /* whole outer packet length */
	uint32_t bufsz;
	uint8_t ckey[PP_ESP_KEY_MAX], ikey[PP_ESP_KEY_MAX];
	uint8_t *inner;
	struct pp_esp_sa_params out_prm, in_prm;
	struct pp_esp_sa *out_sa; /* encap */
	struct pp_esp_sa *in_sa;  /* decap, caller-allocated in in_mem */
	void *in_mem;
	size_t in_size;
	uint8_t *work;		  /* BURST working buffers */
	struct pp_pkt pkts[BURST];
	struct pp_pkt *pp[BURST];
	uint8_t *ring;		  /* RING pre-encapsulated packets */
	unsigned int ring_pos;	  /* next burst in the ring */
	/* raw */
	EVP_CIPHER_CTX *ectx, *dctx;
	EVP_MD_CTX *md_in, *md_out, *md_work; /* HMAC: keyed states */
	uint64_t raw_seq;
	uint8_t ivs[BURST * 16];
};

static uint8_t *pkt_buf(struct bench *b, unsigned int i)
{
	return b->work + (size_t)i * b->bufsz;
}

static size_t build_inner(uint8_t *o, uint32_t size)
{
	static const uint8_t src[4] = { 10, 1, 0, 1 }, dst[4] = { 10, 2, 0, 1 };
	uint32_t sum = 0;

	memset(o, 0, size);
	o[0] = 0x45;
	put16(o + 2, (uint16_t)size);
	o[8] = 64;
	o[9] = 17;
	memcpy(o + 12, src, 4);
	memcpy(o + 16, dst, 4);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(o[i] << 8 | o[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(o + 10, (uint16_t)~sum);
	put16(o + 20, 5000);
	put16(o + 22, 5001);
	put16(o + 24, (uint16_t)(size - 20));
	for (uint32_t i = 28; i < size; i++)
		o[i] = (uint8_t)(i * 7);
	return size;
}

static void make_params(struct bench *b)
{
	struct pp_esp_sa_params *p = &b->out_prm;

	memset(p, 0, sizeof(*p));
	p->dir = PP_ESP_DIR_OUTBOUND;
	p->mode = PP_ESP_MODE_TUNNEL;
	p->spi = 0x12345678;
	p->cipher = b->st->cipher;
	p->cipher_key = b->ckey;
	p->cipher_key_len = b->st->ckey_len;
	p->integ = b->st->integ;
	p->integ_key = b->st->ikey_len ? b->ikey : NULL;
	p->integ_key_len = b->st->ikey_len;
	p->outer_src.family = p->outer_dst.family = 4;
	memcpy(p->outer_src.bytes, (const uint8_t[]){ 192, 0, 2, 1 }, 4);
	memcpy(p->outer_dst.bytes, (const uint8_t[]){ 192, 0, 2, 2 }, 4);
	b->in_prm = *p;
	b->in_prm.dir = PP_ESP_DIR_INBOUND;
}

static void reset_in_sa(struct bench *b)
{
	int rc;

	if (b->in_sa)
		pp_esp_sa_fini(b->in_sa);
	rc = pp_esp_sa_init(b->in_mem, &b->in_prm, b->in_size);
	if (rc)
		die("pp_esp_sa_init(inbound %s): %d", b->st->name, rc);
	b->in_sa = b->in_mem;
	b->ring_pos = 0;
}

static void new_out_sa(struct bench *b)
{
	int rc;

	if (b->out_sa)
		pp_esp_sa_destroy(b->out_sa);
	rc = pp_esp_sa_create(&b->out_prm, &b->out_sa);
	if (rc)
		die("pp_esp_sa_create(outbound %s): %d", b->st->name, rc);
}

static void fill_burst_inner(struct bench *b)
{
	for (unsigned int i = 0; i < BURST; i++) {
		struct pp_pkt *p = &b->pkts[i];

		p->off = HEADROOM;
		p->len = b->size;
		memcpy(p->buf + HEADROOM, b->inner, b->size);
	}
}

static void bench_setup(struct bench *b, const struct suite *st,
			uint32_t size)
{
	ssize_t sz;

	memset(b, 0, sizeof(*b));
	b->st = st;
	b->size = size;
	for (size_t i = 0; i < PP_ESP_KEY_MAX; i++) {
		b->ckey[i] = (uint8_t)(0x11 * i + 3);
		b->ikey[i] = (uint8_t)(0x23 * i + 5);
	}
	make_params(b);
	b->inner = malloc(size);
	if (!b->inner)
		die("out of memory");
	build_inner(b->inner, size);

	if (st->cipher == PP_ESP_CIPHER_AES_CBC)
		b->ptlen = (size + 2 + 15) / 16 * 16;
	else
		b->ptlen = (size + 2 + 3) / 4 * 4;
	b->esplen = 8 + (st->cipher == PP_ESP_CIPHER_AES_CBC ? 16 : 8) +
		    b->ptlen + (uint32_t)st->icv_len;
	b->outlen = 20 + b->esplen;

	new_out_sa(b);
	if (pp_esp_sa_headroom(b->out_sa) > HEADROOM ||
	    pp_esp_sa_tailroom(b->out_sa) > TAILROOM)
		die("%s: SA needs headroom %u tailroom %u", st->name,
		    pp_esp_sa_headroom(b->out_sa),
		    pp_esp_sa_tailroom(b->out_sa));
	b->bufsz = (HEADROOM + size + TAILROOM + 63) / 64 * 64;
	b->work = aligned_alloc(64, (size_t)b->bufsz * BURST);
	b->ring = aligned_alloc(64, (size_t)b->bufsz * RING);
	if (!b->work || !b->ring)
		die("out of memory");
	memset(b->work, 0, (size_t)b->bufsz * BURST);
	for (unsigned int i = 0; i < BURST; i++) {
		pp_pkt_init(&b->pkts[i], pkt_buf(b, i), b->bufsz, HEADROOM);
		b->pp[i] = &b->pkts[i];
	}

	/* The ring: RING packets from a fresh outbound SA, seq 1..RING. */
	for (unsigned int r = 0; r < RING_BURSTS; r++) {
		unsigned int ok;

		fill_burst_inner(b);
		ok = pp_esp_outbound(b->out_sa, b->pp, BURST);
		if (ok != BURST)
			die("%s %u: pp_esp_outbound: %u of %u OK (status %s)",
			    st->name, size, ok, BURST,
			    pp_esp_status_name(b->pkts[0].status));
		for (unsigned int i = 0; i < BURST; i++) {
			if (b->pkts[i].len != b->outlen)
				die("%s %u: ESP packet is %u bytes, expected "
				    "%u (padding differs from the minimum?)",
				    st->name, size, b->pkts[i].len, b->outlen);
			memcpy(b->ring + (size_t)(r * BURST + i) * b->bufsz,
			       pp_pkt_data(&b->pkts[i]), b->outlen);
		}
	}
	new_out_sa(b);

	sz = pp_esp_sa_size(&b->in_prm);
	if (sz <= 0)
		die("pp_esp_sa_size(inbound): %zd", sz);
	b->in_size = (size_t)sz;
	b->in_mem = aligned_alloc(64, (b->in_size + 63) / 64 * 64);
	if (!b->in_mem)
		die("out of memory");
	reset_in_sa(b);

	/* Raw contexts, keyed once. */
	b->ectx = EVP_CIPHER_CTX_new();
	b->dctx = EVP_CIPHER_CTX_new();
	if (!b->ectx || !b->dctx ||
	    !EVP_EncryptInit_ex(b->ectx, st->evp(), NULL, b->ckey, NULL) ||
	    !EVP_DecryptInit_ex(b->dctx, st->evp(), NULL, b->ckey, NULL))
		die("EVP init failed");
	if (st->digest) {
		EVP_MD *md = EVP_MD_fetch(NULL, st->digest, NULL);
		uint8_t ipad[128], opad[128];
		int bs = md ? EVP_MD_get_block_size(md) : 0;

		EVP_CIPHER_CTX_set_padding(b->ectx, 0);
		EVP_CIPHER_CTX_set_padding(b->dctx, 0);
		if (bs <= 0 || bs > (int)sizeof(ipad) ||
		    st->ikey_len > (size_t)bs)
			die("digest %s unusable", st->digest);
		memset(ipad, 0x36, sizeof(ipad));
		memset(opad, 0x5c, sizeof(opad));
		for (size_t i = 0; i < st->ikey_len; i++) {
			ipad[i] ^= b->ikey[i];
			opad[i] ^= b->ikey[i];
		}
		b->md_in = EVP_MD_CTX_new();
		b->md_out = EVP_MD_CTX_new();
		b->md_work = EVP_MD_CTX_new();
		if (!b->md_in || !b->md_out || !b->md_work ||
		    !EVP_DigestInit_ex(b->md_in, md, NULL) ||
		    !EVP_DigestUpdate(b->md_in, ipad, (size_t)bs) ||
		    !EVP_DigestInit_ex(b->md_out, md, NULL) ||
		    !EVP_DigestUpdate(b->md_out, opad, (size_t)bs))
			die("HMAC init failed");
		EVP_MD_free(md);
	}
}

/* HMAC (RFC 2104) of @n bytes at @p into @mac (full digest length). */
static void raw_hmac(struct bench *b, const uint8_t *p, size_t n,
		     uint8_t *mac)
{
	unsigned int l;

	if (!EVP_MD_CTX_copy_ex(b->md_work, b->md_in) ||
	    !EVP_DigestUpdate(b->md_work, p, n) ||
	    !EVP_DigestFinal_ex(b->md_work, mac, &l) ||
	    !EVP_MD_CTX_copy_ex(b->md_work, b->md_out) ||
	    !EVP_DigestUpdate(b->md_work, mac, l) ||
	    !EVP_DigestFinal_ex(b->md_work, mac, &l))
		die("raw HMAC failed");
}

static void bench_free(struct bench *b)
{
	pp_esp_sa_destroy(b->out_sa);
	pp_esp_sa_fini(b->in_sa);
	free(b->in_mem);
	free(b->inner);
	free(b->work);
	free(b->ring);
	EVP_CIPHER_CTX_free(b->ectx);
	EVP_CIPHER_CTX_free(b->dctx);
	EVP_MD_CTX_free(b->md_in);
	EVP_MD_CTX_free(b->md_out);
	EVP_MD_CTX_free(b->md_work);
}

/* ---------------------------------------------------------------------- */
/* One burst of each kind (noinline: callgrind reports them by name)      */
/* ---------------------------------------------------------------------- */

#define NOINLINE __attribute__((noinline))

NOINLINE static void burst_encap_esp(struct bench *b)
{
	unsigned int ok;

	fill_burst_inner(b);
	ok = pp_esp_outbound(b->out_sa, b->pp, BURST);
	if (ok != BURST)
		die("%s: pp_esp_outbound: %u OK, status %s", b->st->name, ok,
		    pp_esp_status_name(b->pkts[0].status));
}

NOINLINE static void burst_encap_raw(struct bench *b)
{
	const bool aead = !b->st->digest;
	uint8_t nonce[12], hdr[8], mac[64];
	int l;

	fill_burst_inner(b);
	if (!aead && RAND_bytes(b->ivs, sizeof(b->ivs)) != 1)
		die("RAND_bytes failed");
	memcpy(nonce, b->ckey + b->st->ckey_len - 4, 4);
	memcpy(hdr, "\x12\x34\x56\x78", 4);
	for (unsigned int i = 0; i < BURST; i++) {
		uint8_t *pt = pkt_buf(b, i) + HEADROOM;
		uint64_t seq = ++b->raw_seq;

		hdr[4] = (uint8_t)(seq >> 24);
		hdr[5] = (uint8_t)(seq >> 16);
		hdr[6] = (uint8_t)(seq >> 8);
		hdr[7] = (uint8_t)seq;
		if (aead) {
			memcpy(nonce + 4, &seq, 8);
			if (!EVP_EncryptInit_ex(b->ectx, NULL, NULL, NULL,
						nonce) ||
			    !EVP_EncryptUpdate(b->ectx, NULL, &l, hdr, 8) ||
			    !EVP_EncryptUpdate(b->ectx, pt, &l, pt,
					       (int)b->ptlen) ||
			    !EVP_EncryptFinal_ex(b->ectx, pt + b->ptlen, &l) ||
			    !EVP_CIPHER_CTX_ctrl(b->ectx,
						 EVP_CTRL_AEAD_GET_TAG, 16,
						 pt + b->ptlen))
				die("raw AEAD encrypt failed");
		} else {
			/* SPI, seq and IV in front, as on the wire. */
			uint8_t *esp = pt - 24;

			memcpy(esp, hdr, 8);
			memcpy(esp + 8, b->ivs + 16 * i, 16);
			if (!EVP_EncryptInit_ex(b->ectx, NULL, NULL, NULL,
						esp + 8) ||
			    !EVP_EncryptUpdate(b->ectx, pt, &l, pt,
					       (int)b->ptlen))
				die("raw CBC failed");
			raw_hmac(b, esp, 24 + b->ptlen, mac);
			memcpy(pt + b->ptlen, mac, b->st->icv_len);
		}
	}
}

static void fill_burst_ring(struct bench *b)
{
	const uint8_t *src = b->ring + (size_t)b->ring_pos * BURST * b->bufsz;

	for (unsigned int i = 0; i < BURST; i++) {
		struct pp_pkt *p = &b->pkts[i];

		p->off = HEADROOM;
		p->len = b->outlen;
		memcpy(p->buf + HEADROOM, src + (size_t)i * b->bufsz,
		       b->outlen);
	}
	b->ring_pos++;
}

NOINLINE static void burst_decap_esp(struct bench *b)
{
	unsigned int ok;

	fill_burst_ring(b);
	ok = pp_esp_inbound(b->in_sa, b->pp, BURST);
	if (ok != BURST)
		die("%s: pp_esp_inbound: %u OK, status %s", b->st->name, ok,
		    pp_esp_status_name(b->pkts[0].status));
}

NOINLINE static void burst_decap_raw(struct bench *b)
{
	const bool aead = !b->st->digest;
	uint8_t nonce[12], mac[64];
	int l;

	fill_burst_ring(b);
	memcpy(nonce, b->ckey + b->st->ckey_len - 4, 4);
	for (unsigned int i = 0; i < BURST; i++) {
		uint8_t *esp = pkt_buf(b, i) + HEADROOM + 20;

		if (aead) {
			uint8_t *ct = esp + 16;

			memcpy(nonce + 4, esp + 8, 8);
			if (!EVP_DecryptInit_ex(b->dctx, NULL, NULL, NULL,
						nonce) ||
			    !EVP_DecryptUpdate(b->dctx, NULL, &l, esp, 8) ||
			    !EVP_DecryptUpdate(b->dctx, ct, &l, ct,
					       (int)b->ptlen) ||
			    !EVP_CIPHER_CTX_ctrl(b->dctx,
						 EVP_CTRL_AEAD_SET_TAG, 16,
						 ct + b->ptlen) ||
			    EVP_DecryptFinal_ex(b->dctx, ct + b->ptlen, &l) != 1)
				die("raw AEAD decrypt: tag mismatch on a "
				    "libesp packet");
		} else {
			uint8_t *ct = esp + 24;

			raw_hmac(b, esp, 24 + b->ptlen, mac);
			if (CRYPTO_memcmp(mac, ct + b->ptlen,
					  b->st->icv_len) != 0)
				die("raw HMAC: ICV mismatch on a libesp "
				    "packet");
			if (!EVP_DecryptInit_ex(b->dctx, NULL, NULL, NULL,
						esp + 8) ||
			    !EVP_DecryptUpdate(b->dctx, ct, &l, ct,
					       (int)b->ptlen))
				die("raw CBC decrypt failed");
		}
	}
}

/* ---------------------------------------------------------------------- */
/* Measurement                                                            */
/* ---------------------------------------------------------------------- */

enum kind { K_ENCAP, K_ENCAP_RAW, K_DECAP, K_DECAP_RAW, K_COUNT };

static void (*const burst_fn[K_COUNT])(struct bench *) = {
	burst_encap_esp, burst_encap_raw, burst_decap_esp, burst_decap_raw,
};

/*
 * One pass = RING_BURSTS bursts, timed as a whole. Decap rebuilds its SA
 * (and the raw side rewinds the ring) between passes, untimed.
 */
static double run_pass(struct bench *b, enum kind k)
{
	double t0, t1;

	if (k == K_DECAP)
		reset_in_sa(b);
	b->ring_pos = 0;
	t0 = now_s();
	for (unsigned int i = 0; i < RING_BURSTS; i++)
		burst_fn[k](b);
	t1 = now_s();
	return t1 - t0;
}

/* Gbit/s of payload over at least @secs seconds. */
static double measure(struct bench *b, enum kind k, double secs)
{
	double busy = 0;
	uint64_t pkts = 0;

	while (busy < secs) {
		busy += run_pass(b, k);
		pkts += RING;
	}
	return (double)pkts * b->size * 8.0 / busy / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void run_case(const struct suite *st, uint32_t size, double secs,
		     unsigned int trials, unsigned int cg_bursts)
{
	struct bench b;
	double res[K_COUNT][MAX_TRIALS], med[K_COUNT];
	double r_enc[MAX_TRIALS], r_dec[MAX_TRIALS];

	bench_setup(&b, st, size);
	if (cg_bursts) {
		/* Fixed work, no timing: callgrind counts instructions. */
		for (int k = 0; k < K_COUNT; k++) {
			unsigned int done = 0;

			while (done < cg_bursts) {
				if (k == K_DECAP)
					reset_in_sa(&b);
				b.ring_pos = 0;
				for (unsigned int i = 0;
				     i < RING_BURSTS && done < cg_bursts;
				     i++, done++)
					burst_fn[k](&b);
			}
		}
		printf("%s %u callgrind_bursts=%u packets_per_function=%u\n",
		       st->name, size, cg_bursts, cg_bursts * BURST);
		bench_free(&b);
		return;
	}

	for (int k = 0; k < K_COUNT; k++)
		(void)run_pass(&b, (enum kind)k); /* warm-up */
	for (unsigned int t = 0; t < trials; t++) {
		new_out_sa(&b); /* never near sequence exhaustion */
		for (int k = 0; k < K_COUNT; k++)
			res[k][t] = measure(&b, (enum kind)k, secs);
		r_enc[t] = res[K_ENCAP][t] / res[K_ENCAP_RAW][t];
		r_dec[t] = res[K_DECAP][t] / res[K_DECAP_RAW][t];
	}
	for (int k = 0; k < K_COUNT; k++)
		med[k] = median(res[k], trials);
	printf("%s %u encap_gbps=%.3f raw_gbps=%.3f ratio=%.3f "
	       "decap_gbps=%.3f raw_dec_gbps=%.3f ratio=%.3f\n",
	       st->name, size, med[K_ENCAP], med[K_ENCAP_RAW],
	       median(r_enc, trials), med[K_DECAP], med[K_DECAP_RAW],
	       median(r_dec, trials));
	fflush(stdout);
	bench_free(&b);
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [-t SECONDS] [-n TRIALS] [-c SUITE[,SUITE...]] "
		"[-s SIZE[,SIZE...]] [--wall] [--callgrind[=BURSTS]]\n"
		"  -t  seconds per trial and measurement (default 0.2)\n"
		"  -n  trials; the median is printed (default 5)\n"
		"  -c  suites: aes128gcm aes256gcm chacha20poly1305 "
		"aes128cbc-sha256 (default all)\n"
		"  -s  inner packet sizes (default 64,512,1400,9000)\n"
		"  --wall  wall-clock time instead of the thread's CPU time\n"
		"  --callgrind  fixed number of bursts per measurement (default "
		"100), no timing\n",
		argv0);
	exit(2);
}

static bool in_list(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == n && !strncmp(p, item, n))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

int main(int argc, char **argv)
{
	double secs = 0.2;
	unsigned int trials = 5, cg = 0;
	const char *suite_list = NULL, *size_list = NULL;
	cpu_set_t set;
	int cpu;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-t") && i + 1 < argc)
			secs = atof(argv[++i]);
		else if (!strcmp(a, "-n") && i + 1 < argc)
			trials = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(a, "-c") && i + 1 < argc)
			suite_list = argv[++i];
		else if (!strcmp(a, "-s") && i + 1 < argc)
			size_list = argv[++i];
		else if (!strcmp(a, "--wall"))
			bench_clock = CLOCK_MONOTONIC;
		else if (!strcmp(a, "--callgrind"))
			cg = 100;
		else if (!strncmp(a, "--callgrind=", 12) &&
			 (cg = (unsigned int)atoi(a + 12)) > 0)
			;
		else
			usage(argv[0]);
	}
	if (secs <= 0 || trials < 1 || trials > MAX_TRIALS)
		usage(argv[0]);

	cpu = sched_getcpu();
	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0)
			fprintf(stderr, "esp-bench: cannot pin to CPU %d: %s\n",
				cpu, strerror(errno));
	}
	if (!cg)
		printf("# esp-bench: %s, burst %d, median of %u trials x %.2f "
		       "s, %s time, CPU %d; Gbit/s of inner-packet bytes\n",
		       OpenSSL_version(OPENSSL_VERSION), BURST, trials, secs,
		       bench_clock == CLOCK_MONOTONIC ? "wall" : "thread CPU",
		       cpu);

	for (unsigned int s = 0; s < N_SUITES; s++) {
		if (suite_list && !in_list(suite_list, suites[s].name))
			continue;
		for (unsigned int z = 0; z < N_SIZES; z++) {
			char sz[16];

			snprintf(sz, sizeof(sz), "%u", sizes[z]);
			if (size_list && !in_list(size_list, sz))
				continue;
			run_case(&suites[s], sizes[z], secs, trials, cg);
		}
	}
	return 0;
}
