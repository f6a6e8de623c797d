// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: the libike engine (pp_ike.h) under hostile datagrams.
 *
 * Every input builds a fresh world: a responder engine R (PSK connection
 * "gw", any peer, optional address pools) and an initiator engine I
 * (connection "vpn"), deterministic random bytes (xorshift, seeded from
 * the input) and a virtual clock. A real handshake runs in memory up to a
 * point the input chooses, every datagram either engine emits is recorded,
 * and the rest of the input is a script of operations: deliver or drop real
 * traffic, inject recorded datagrams with mutations or raw bytes into
 * either engine from any address/port (500/4500, with or without the
 * non-ESP marker), advance time, restart a peer, call the control API.
 *
 * Input format:
 *
 *   [stage][cfg][rng] op...
 *
 *   stage % 8   0 nothing, 1 IKE_SA_INIT request queued, 2..4 that many
 *               minus one datagrams delivered, 5 everything delivered
 *               (both up), 6 then a Child SA rekey, 7 then an IKE SA
 *               rekey and a Child SA rekey from the responder.
 *   cfg         bit 0 IPv6 outer, 1 configuration payload (pools), 2 a
 *               NAT between I and R (I's ports mapped +10000), 3
 *               force_encap, 4-5 proposal set (default, AES-GCM/x25519,
 *               AES-CBC with an INVALID_KE_PAYLOAD round, ChaCha20 with
 *               PFS), 6 cookie threshold 1, 7 transport mode and DPD
 *               every 30 s.
 *   rng         mixed into the engines' random seeds; bit 6: ESN offered
 *               and accepted; bit 7: fragment size 256 + 4 * (rng & 63)
 *               on both sides (RFC 7383).
 *
 *   op % 9:
 *     0 DELIVER  [n]         the next n % 8 + 1 datagrams on the wire
 *     1 RAW      [a][lo][hi] [len bytes]: a datagram into an engine
 *     2 REC      [a][idx][nmut] mutation...: recorded datagram idx,
 *                            mutated (bit flip, byte set, truncation,
 *                            SPI / Message ID / exchange / flags / next
 *                            payload / length rewrites, append, header
 *                            splice), to the engine it was sent to
 *     3 TIME     [b]         advance the clock (b >> 6 picks 100 ms,
 *                            1 s, 1 min units, or "to the next
 *                            deadline"), run both engines' timers
 *     4 CMD      [c][arg][sel] initiate/delete/rekey/DPD/child_seen/
 *                            shutdown/stats on engine arg & 1, for an id
 *                            seen in its events (sel < 0x80) or made up
 *     5 DROP     [n]         lose the next n % 4 + 1 datagrams
 *     6 RESTART  [who]       destroy and re-create one engine (a peer
 *                            that rebooted)
 *     7 SWAP                 reorder the two datagrams at the wire head
 *     8 RESEAL   [a][idx][dm][fx][ex][nmut] mutation...: recorded SK
 *                            message idx decrypted with the keys its SA
 *                            exported (keylog_fn), the mutations applied
 *                            to [first inner type][inner payloads],
 *                            Message ID += (int8_t)dm, flags ^= fx,
 *                            exchange = ex if not 0, encrypted
 *                            and sent again: what an authenticated but
 *                            hostile peer can send (AES-CBC/GCM suites)
 *
 *   address byte a: bit 0 the other engine, bits 1-2 source (as sent, a
 *   spoofed address of the family, both ends in the other family, a
 *   high port), bit 3 toggles the destination port 500 <-> 4500, bit 4
 *   toggles the non-ESP marker, bit 5 RAW: source port 4500, bit 6 a
 *   destination address that is not the engine's own.
 *
 * Oracles besides ASan/UBSan/LeakSanitizer: return codes are 0 or a
 * negative errno; pp_ike_input() answers -EPROTONOSUPPORT only for an
 * ESP packet on a port other than 500, -EINVAL only for a bad source
 * address; every datagram out has a length in
 * 1..PP_IKE_DGRAM_MAX, both addresses of family 4 or 6 and a non-zero
 * destination port, the non-ESP marker whenever it leaves a port other
 * than 500 (but for the one-byte keepalive), an IKE header otherwise;
 * events have a valid type and reason, a non-zero SA id, a terminated
 * connection name; CHILD_UP / CHILD_REKEYED carry non-zero SPIs, key and
 * integrity key lengths consistent with the cipher and integrity
 * algorithm, at most PP_IKE_TS_MAX selectors per side, and convert to
 * libesp parameters; a child id is never announced twice while up; an
 * IKE_DOWN leaves no announced child of that SA up; after
 * pp_ike_timeout(now), pp_ike_next_deadline() lies in the future; no more
 * datagrams dropped than received (pp_ike_stats); a NAT keepalive never
 * leaves port 500 (RFC 3948 §2.2, fuzz-repro-keepalive-port500.bin), and
 * both ends export the same keys for an SA (RFC 7296 §2.6: a COOKIE retry
 * keeps KEi and Ni, fuzz-repro-cookie-new-ke.bin).
 *
 * FUZZ_IKE_VERBOSE=1 in the environment prints the engines' log lines and
 * every datagram sent (to follow a reproducer).
 *
 * Built twice: as the fuzzer (LLVMFuzzerTestOneInput, libike sources
 * compiled in with the fuzzer instrumentation) and, with -DFUZZ_SEEDGEN,
 * as a program writing a seed corpus into a directory (linked with the
 * library's objects; every seed is run once before it is written).
 * Reproduce a failure: ./fuzz_ike_engine <crash-file>.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <parapass/pp_esp.h>
#include <parapass/pp_ike.h>
#include <parapass/pp_ike_wire.h>

#include "ike_crypto.h"
#include "ike_msg.h"

#define REC_MAX 32	/* recorded datagrams */
#define REC_FIXED 24	/* the first ones stay; later ones rotate */
#define DG_CAP 8192	/* bytes kept of one datagram */
#define WIRE_MAX 16	/* datagrams in flight */
#define IDS_MAX 16
#define LIVE_MAX 64
#define KEYS_MAX 8	/* IKE SA keys learnt from the key export */
#define NAT_SHIFT 10000 /* I's ports as R sees them behind the NAT */
#define PSK "fuzz-engine-psk-0123456789abcdef"

enum { NR = 0, NI = 1 };

struct dgram {
	size_t len;
	struct pp_ike_addr src, dst;
	uint8_t data[DG_CAP];
};

struct node {
	struct pp_ike *ike;
	struct pp_ike_params prm;
	struct pp_ike_addr addr;
	uint64_t rng;
	uint32_t ike_ids[IDS_MAX], child_ids[IDS_MAX];
	unsigned int n_ike, n_child;
	struct {
		uint32_t id, ike_sa_id;
	} live[LIVE_MAX];
	unsigned int n_live;
};

/* One IKE SA's SK keys, from its ikev2_decryption_table line:
 * [0] = SK_ei/SK_ai (from the original initiator), [1] = SK_er/SK_ar. */
struct sa_keys {
	uint64_t spi_i, spi_r;
	struct ike_suite suite;
	uint8_t ek[2][64], ak[2][64];
	size_t ekl[2], akl[2];
	bool genuine; /* derived while an engine processed an unmodified
		       * datagram that an engine had sent */
};

struct world {
	struct node n[2];
	struct sa_keys keys[KEYS_MAX];
	unsigned int n_keys;
	unsigned int restarts; /* op_restart() calls */
	struct pp_ike_conn conn[2];
	uint64_t now;
	uint64_t seed;
	bool nat;
	struct dgram rec[REC_MAX];
	unsigned int n_rec, rec_rot;
	struct dgram wire[WIRE_MAX];
	unsigned int w_head, w_n;
	struct dgram inj, pt;
	uint8_t buf[DG_CAP], out[DG_CAP];
	struct ike_msg msg;
	bool in_genuine; /* pp_ike_input() runs on an engine's own bytes */
};

static struct world W;

static void fatal(const char *msg, int line)
{
	fprintf(stderr, "fuzz_ike_engine: oracle failed: %s (line %d)\n", msg,
		line);
	abort();
}

#define CHECK(cond, msg)                                                   \
	do {                                                               \
		if (!(cond))                                               \
			fatal(msg, __LINE__);                              \
	} while (0)

#define CHECK_RC(rc) CHECK((rc) <= 0 && (rc) > -4096, "return code")

/* ---------------------------------------------------------------------- */
/* Input reader: bytes past the end read as 0                             */
/* ---------------------------------------------------------------------- */

struct rd {
	const uint8_t *p;
	size_t len, off;
};

static uint8_t get8(struct rd *r)
{
	return r->off < r->len ? r->p[r->off++] : 0;
}

static uint16_t get16(struct rd *r)
{
	uint16_t lo = get8(r);

	return (uint16_t)(lo | (uint16_t)get8(r) << 8);
}

static uint32_t get32(struct rd *r)
{
	uint32_t lo = get16(r);

	return lo | (uint32_t)get16(r) << 16;
}

/* ---------------------------------------------------------------------- */
/* Callbacks                                                              */
/* ---------------------------------------------------------------------- */

static int f_rand(void *opaque, uint8_t *out, size_t len)
{
	struct node *n = opaque;

	for (size_t i = 0; i < len; i++) {
		n->rng ^= n->rng << 13;
		n->rng ^= n->rng >> 7;
		n->rng ^= n->rng << 17;
		out[i] = (uint8_t)(n->rng >> 24);
	}
	return 0;
}

static void f_log(void *opaque, enum pp_log_level level, const char *msg)
{
	(void)opaque;
	(void)level;
	CHECK(msg != NULL && msg[0] != '\0', "empty log line");
	if (getenv("FUZZ_IKE_VERBOSE"))
		fprintf(stderr, "[%s] %s\n",
			opaque == &W.n[NR] ? "R" : "I", msg);
}

static int hexnib(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex field [s, s + n) into @out; its length, or -1. */
static int hexfield(const char *s, size_t n, uint8_t *out, size_t cap)
{
	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexnib(s[i]), lo = hexnib(s[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

/*
 * Learn an IKE SA's keys from its ikev2_decryption_table line
 * "SPIi,SPIr,SK_ei,SK_er,"encr",SK_ai,SK_ar,"integ"" (libike/ike_keylog.c)
 * so that RESEAL can encrypt what the engine will accept as the peer's.
 */
static void learn_keys(const char *line)
{
	const char *f[8], *p = line;
	size_t fl[8];
	struct sa_keys *k = &W.keys[W.n_keys % KEYS_MAX];
	uint8_t spi[2][8];
	unsigned int bits = 0;
	int v[4];

	for (int i = 0; i < 8; i++) {
		const char *c = strchr(p, ',');

		f[i] = p;
		fl[i] = c ? (size_t)(c - p) : strlen(p);
		if (!c && i != 7)
			return;
		p = c ? c + 1 : p + fl[i];
	}
	memset(k, 0, sizeof(*k));
	if (hexfield(f[0], fl[0], spi[0], 8) != 8 ||
	    hexfield(f[1], fl[1], spi[1], 8) != 8)
		return;
	if (sscanf(f[4], "\"AES-CBC-%u", &bits) == 1)
		k->suite.encr = IKE_ENCR_AES_CBC;
	else if (sscanf(f[4], "\"AES-GCM-%u", &bits) == 1)
		k->suite.encr = IKE_ENCR_AES_GCM_16;
	else
		return;
	k->suite.encr_bits = (uint16_t)bits;
	if (strncmp(f[7], "\"NONE", 5) == 0)
		k->suite.integ = IKE_INTEG_NONE;
	else if (strncmp(f[7], "\"HMAC_SHA2_256_128", 18) == 0)
		k->suite.integ = IKE_INTEG_HMAC_SHA2_256_128;
	else if (strncmp(f[7], "\"HMAC_SHA2_384_192", 18) == 0)
		k->suite.integ = IKE_INTEG_HMAC_SHA2_384_192;
	else if (strncmp(f[7], "\"HMAC_SHA2_512_256", 18) == 0)
		k->suite.integ = IKE_INTEG_HMAC_SHA2_512_256;
	else
		return;
	k->suite.prf = IKE_PRF_HMAC_SHA2_256; /* unused by the SK layer */
	v[0] = hexfield(f[2], fl[2], k->ek[0], sizeof(k->ek[0]));
	v[1] = hexfield(f[3], fl[3], k->ek[1], sizeof(k->ek[1]));
	v[2] = hexfield(f[5], fl[5], k->ak[0], sizeof(k->ak[0]));
	v[3] = hexfield(f[6], fl[6], k->ak[1], sizeof(k->ak[1]));
	for (int i = 0; i < 4; i++)
		if (v[i] < 0)
			return;
	k->ekl[0] = (size_t)v[0];
	k->ekl[1] = (size_t)v[1];
	k->akl[0] = (size_t)v[2];
	k->akl[1] = (size_t)v[3];
	k->genuine = W.in_genuine;
	k->spi_i = 0;
	k->spi_r = 0;
	for (int i = 0; i < 8; i++) {
		k->spi_i = k->spi_i << 8 | spi[0][i];
		k->spi_r = k->spi_r << 8 | spi[1][i];
	}
	/*
	 * Both ends of an SA export the same keys: a retry after a COOKIE
	 * carries the same KEi and Ni (RFC 7296 §2.6), and a duplicate
	 * COOKIE response cannot restart the exchange
	 * (fuzz-repro-cookie-new-ke.bin).
	 */
	for (unsigned int i = 0; i < W.n_keys && i < KEYS_MAX; i++) {
		const struct sa_keys *o = &W.keys[i];

		/*
		 * IKE_SA_INIT is not integrity protected: a forged or altered
		 * nonce or KE value makes the two ends derive different keys
		 * (and AUTH then fails), so only keys derived from datagrams
		 * that left an engine unmodified are compared.
		 */
		if (o == k || o->spi_i != k->spi_i || o->spi_r != k->spi_r ||
		    !o->genuine || !k->genuine)
			continue;
		CHECK(o->ekl[0] == k->ekl[0] && o->akl[0] == k->akl[0] &&
			      memcmp(o->ek, k->ek, sizeof(k->ek)) == 0 &&
			      memcmp(o->ak, k->ak, sizeof(k->ak)) == 0,
		      "the two ends of an SA exported different keys");
	}
	W.n_keys++;
}

static void f_keylog(void *opaque, enum pp_ike_keylog_kind kind,
		     const char *line)
{
	(void)opaque;
	CHECK(kind == PP_IKE_KEYLOG_ESP_SA || kind == PP_IKE_KEYLOG_IKEV2,
	      "keylog kind");
	CHECK(line != NULL && line[0] != '\0', "empty keylog line");
	if (kind == PP_IKE_KEYLOG_IKEV2)
		learn_keys(line);
}

/* ---------------------------------------------------------------------- */
/* Configuration                                                          */
/* ---------------------------------------------------------------------- */

static struct pp_ike_addr mkaddr(bool v6, uint8_t last)
{
	struct pp_ike_addr a;

	memset(&a, 0, sizeof(a));
	if (v6) {
		static const uint8_t pfx[4] = { 0x20, 0x01, 0x0d, 0xb8 };

		a.family = 6;
		memcpy(a.bytes, pfx, 4);
		a.bytes[15] = last;
	} else {
		a.family = 4;
		a.bytes[0] = 192;
		a.bytes[2] = 2;
		a.bytes[3] = last;
	}
	a.port = 500;
	return a;
}

static void set_id(struct pp_ike_id *id, const char *fqdn)
{
	memset(id, 0, sizeof(*id));
	id->type = PP_IKE_IDT_FQDN;
	id->len = (uint16_t)strlen(fqdn);
	memcpy(id->data, fqdn, id->len);
}

static void set_psk(struct pp_ike_auth_cfg *a)
{
	memset(a, 0, sizeof(*a));
	a->method = PP_IKE_AUTHM_PSK;
	a->psk = (const uint8_t *)PSK;
	a->psk_len = strlen(PSK);
}

/* Proposal sets: [i][0] IKE initiator, [1] IKE responder, [2] ESP I,
 * [3] ESP R. Set 2 makes the responder ask for another group
 * (INVALID_KE_PAYLOAD), set 3 asks for PFS in CREATE_CHILD_SA. */
static const char *const proposals[4][4] = {
	{ NULL, NULL, NULL, NULL },
	{ "aes128gcm16-prfsha256-x25519", "aes128gcm16-prfsha256-x25519",
	  "aes128gcm16", "aes128gcm16" },
	{ "aes256-sha384-x25519,aes128-sha256-ecp256", "aes128-sha256-ecp256",
	  "aes256-sha512", "aes256-sha512" },
	{ "chacha20poly1305-prfsha256-x25519",
	  "chacha20poly1305-prfsha256-x25519", "aes128gcm16-x25519",
	  "aes128gcm16-x25519" },
};

static void conf(uint8_t cfg, uint8_t rs)
{
	bool v6 = cfg & 1;
	struct pp_ike_conn *ci = &W.conn[NI], *cr = &W.conn[NR];
	const char *const *ps = proposals[(cfg >> 4) & 3];

	W.n[NR].addr = mkaddr(v6, 2);
	W.n[NI].addr = mkaddr(v6, 1);
	W.nat = cfg & 4;
	pp_ike_conn_defaults(ci);
	pp_ike_conn_defaults(cr);
	snprintf(ci->name, sizeof(ci->name), "vpn");
	snprintf(cr->name, sizeof(cr->name), "gw");
	ci->local = W.n[NI].addr;
	ci->remote = W.n[NR].addr;
	cr->local = W.n[NR].addr;
	set_id(&ci->local_id, "client.example");
	set_id(&ci->remote_id, "gw.example");
	set_id(&cr->local_id, "gw.example");
	set_psk(&ci->local_auth);
	set_psk(&ci->remote_auth);
	set_psk(&cr->local_auth);
	set_psk(&cr->remote_auth);
	ci->ike_proposals = ps[0];
	cr->ike_proposals = ps[1];
	ci->esp_proposals = ps[2];
	cr->esp_proposals = ps[3];
	ci->rand_time_s = cr->rand_time_s = 0;
	if (cfg & 2) {
		ci->request_ip4 = ci->request_ip6 = ci->request_dns = true;
		cr->pool4_start[0] = 10;
		cr->pool4_start[3] = 1;
		cr->pool4_size = 2;
		cr->pool6_start[0] = 0xfd;
		cr->pool6_start[15] = 1;
		cr->pool6_size = 2;
		cr->dns4[0][0] = 10;
		cr->dns4[0][3] = 53;
		cr->n_dns4 = 1;
	} else {
		set_id(&cr->remote_id, "client.example");
	}
	ci->force_encap = cr->force_encap = cfg & 8;
	ci->esn = cr->esn = rs & 0x40;
	if (rs & 0x80) /* RFC 7383 fragments from IKE_AUTH on */
		ci->fragment_size = cr->fragment_size =
			(uint16_t)(256 + 4 * (rs & 0x3f));
	if (cfg & 0x80) {
		ci->mode = cr->mode = PP_ESP_MODE_TRANSPORT;
		ci->dpd_delay_s = cr->dpd_delay_s = 30;
	}
	for (int k = 0; k < 2; k++) {
		struct pp_ike_params *p = &W.n[k].prm;

		memset(p, 0, sizeof(*p));
		p->conns = &W.conn[k];
		p->n_conns = 1;
		p->max_ike_sas = 8;
		p->cookie_threshold = (cfg & 0x40) ? 1 : UINT32_MAX;
		p->retransmit_base_ms = 1000;
		p->retransmit_tries = 3;
		p->half_open_timeout_ms = 10000;
		p->log_fn = f_log;
		p->log_opaque = &W.n[k];
		p->keylog_fn = f_keylog;
		p->keylog_opaque = &W.n[k];
		p->rand_fn = f_rand;
		p->rand_opaque = &W.n[k];
	}
}

/*
 * @gen: the creation time. W.restarts counts the restarts of this input,
 * so a peer restarted at the same virtual time does not replay its
 * random stream: a real reboot never reuses an SPI (RFC 7296 §2.6); with
 * a repeated SPIi a replayed response of the previous incarnation's SA
 * would make the two ends of that SA export different keys.
 */
static void node_create(int k, uint64_t gen)
{
	struct node *n = &W.n[k];
	int rc;

	n->rng = (W.seed + (uint64_t)k * 0x9e3779b97f4a7c15ull + gen * 77 +
		  (uint64_t)W.restarts * 0xd1b54a32d192ed03ull) |
		 1;
	n->n_ike = n->n_child = n->n_live = 0;
	rc = pp_ike_create(&n->prm, &n->ike);
	CHECK(rc == 0 && n->ike != NULL, "pp_ike_create");
}

/* ---------------------------------------------------------------------- */
/* Oracles on what comes out                                              */
/* ---------------------------------------------------------------------- */

static bool fam_ok(const struct pp_ike_addr *a)
{
	return a->family == 4 || a->family == 6;
}

static void check_dgram(const struct pp_ike_dgram *d)
{
	CHECK(d->data != NULL && d->len > 0, "empty datagram");
	CHECK(d->len <= PP_IKE_DGRAM_MAX, "datagram too long");
	CHECK(fam_ok(&d->src) && fam_ok(&d->dst), "address family");
	CHECK(d->src.family == d->dst.family, "mixed families");
	CHECK(d->dst.port != 0, "destination port 0");
	if (d->len == 1) {
		/*
		 * A NAT keepalive leaves the NAT-T port, never 500, also
		 * after a request that reached a floated SA on port 500
		 * (RFC 3948 §2.2, fuzz-repro-keepalive-port500.bin).
		 */
		CHECK(d->data[0] == 0xff,
		      "one-byte datagram that is not a NAT keepalive");
		CHECK(d->src.port != 500,
		      "NAT keepalive from port 500");
		return;
	}
	if (d->src.port != 500) {
		CHECK(d->len >= 4 + PP_IKE_HDR_LEN, "short datagram");
		CHECK((d->data[0] | d->data[1] | d->data[2] | d->data[3]) == 0,
		      "no non-ESP marker on a port other than 500");
	} else {
		CHECK(d->len >= PP_IKE_HDR_LEN, "short datagram");
	}
}

static unsigned int key_len_of(enum pp_esp_cipher c, uint8_t len)
{
	switch (c) {
	case PP_ESP_CIPHER_AES_CBC:
		return len == 16 || len == 24 || len == 32;
	case PP_ESP_CIPHER_AES_GCM_16:
		return len == 20 || len == 28 || len == 36;
	case PP_ESP_CIPHER_CHACHA20_POLY1305:
		return len == 36;
	case PP_ESP_CIPHER_NULL:
		return len == 0;
	default:
		return 0;
	}
}

static unsigned int integ_len_of(enum pp_esp_integ i)
{
	switch (i) {
	case PP_ESP_INTEG_NONE:
		return 0;
	case PP_ESP_INTEG_HMAC_SHA256_128:
		return 32;
	case PP_ESP_INTEG_HMAC_SHA384_192:
		return 48;
	case PP_ESP_INTEG_HMAC_SHA512_256:
		return 64;
	default:
		return 1000;
	}
}

static void check_child(const struct pp_ike_child *c)
{
	struct pp_esp_sa_params ep;
	bool aead = c->cipher == PP_ESP_CIPHER_AES_GCM_16 ||
		    c->cipher == PP_ESP_CIPHER_CHACHA20_POLY1305;

	CHECK(c->child_id != 0, "child id 0");
	CHECK(c->spi_in != 0 && c->spi_out != 0, "zero SPI");
	CHECK(key_len_of(c->cipher, c->key_len), "key length vs cipher");
	CHECK(c->integ_len == integ_len_of(c->integ),
	      "integrity key length vs algorithm");
	CHECK(aead == (c->integ == PP_ESP_INTEG_NONE),
	      "AEAD with integrity or plain cipher without");
	CHECK(c->key_len <= PP_ESP_KEY_MAX && c->integ_len <= PP_ESP_KEY_MAX,
	      "key longer than PP_ESP_KEY_MAX");
	CHECK(c->n_local_ts <= PP_IKE_TS_MAX && c->n_remote_ts <= PP_IKE_TS_MAX,
	      "selector count");
	for (unsigned int i = 0; i < c->n_local_ts; i++)
		CHECK(c->local_ts[i].family == 4 || c->local_ts[i].family == 6,
		      "local selector family");
	for (unsigned int i = 0; i < c->n_remote_ts; i++)
		CHECK(c->remote_ts[i].family == 4 ||
			      c->remote_ts[i].family == 6,
		      "remote selector family");
	CHECK(fam_ok(&c->local) && fam_ok(&c->remote), "child outer family");
	CHECK(pp_ike_child_esp_params(c, PP_ESP_DIR_INBOUND, &ep) == 0 &&
		      pp_ike_child_esp_params(c, PP_ESP_DIR_OUTBOUND, &ep) == 0,
	      "pp_ike_child_esp_params refused an announced child");
}

static int live_find(const struct node *n, uint32_t id)
{
	for (unsigned int i = 0; i < n->n_live; i++)
		if (n->live[i].id == id)
			return (int)i;
	return -1;
}

static void live_del(struct node *n, int i)
{
	if (i < 0)
		return;
	n->live[i] = n->live[--n->n_live];
}

static void remember(uint32_t *ids, unsigned int *n, uint32_t id)
{
	if (*n < IDS_MAX)
		ids[(*n)++] = id;
	else
		ids[id % IDS_MAX] = id;
}

static void check_event(struct node *n, const struct pp_ike_event *ev)
{
	CHECK(ev->type >= PP_IKE_EV_IKE_UP && ev->type <= PP_IKE_EV_PEER_MOVED,
	      "event type");
	CHECK((unsigned int)ev->reason < PP_IKE_R__COUNT, "event reason");
	CHECK(ev->ike_sa_id != 0, "event without IKE SA id");
	CHECK(memchr(ev->conn, 0, sizeof(ev->conn)) != NULL,
	      "connection name unterminated");
	CHECK(ev->peer_id.len <= PP_IKE_ID_MAX, "peer id length");
	CHECK(ev->vip.n_dns4 <= PP_IKE_DNS_MAX &&
		      ev->vip.n_dns6 <= PP_IKE_DNS_MAX,
	      "DNS count");
	CHECK(pp_ike_reason_name(ev->reason) != NULL, "reason name");
	switch (ev->type) {
	case PP_IKE_EV_IKE_UP:
		CHECK(fam_ok(&ev->local) && fam_ok(&ev->remote),
		      "IKE_UP endpoints");
		remember(n->ike_ids, &n->n_ike, ev->ike_sa_id);
		break;
	case PP_IKE_EV_IKE_REKEYED:
		CHECK(ev->old_ike_sa_id != 0 &&
			      ev->old_ike_sa_id != ev->ike_sa_id,
		      "IKE_REKEYED ids");
		remember(n->ike_ids, &n->n_ike, ev->ike_sa_id);
		for (unsigned int i = 0; i < n->n_live; i++)
			if (n->live[i].ike_sa_id == ev->old_ike_sa_id)
				n->live[i].ike_sa_id = ev->ike_sa_id;
		break;
	case PP_IKE_EV_IKE_DOWN:
		CHECK(ev->reason != PP_IKE_R_NONE, "IKE_DOWN without reason");
		for (unsigned int i = 0; i < n->n_live; i++)
			CHECK(n->live[i].ike_sa_id != ev->ike_sa_id,
			      "IKE_DOWN with a child of it still up");
		break;
	case PP_IKE_EV_CHILD_UP:
	case PP_IKE_EV_CHILD_REKEYED:
		check_child(&ev->child);
		CHECK(live_find(n, ev->child.child_id) < 0,
		      "child id announced twice");
		if (ev->type == PP_IKE_EV_CHILD_REKEYED) {
			CHECK(ev->child.old_child_id != 0 &&
				      ev->child.old_child_id !=
					      ev->child.child_id,
			      "CHILD_REKEYED ids");
			live_del(n, live_find(n, ev->child.old_child_id));
		}
		if (n->n_live < LIVE_MAX) {
			n->live[n->n_live].id = ev->child.child_id;
			n->live[n->n_live].ike_sa_id = ev->ike_sa_id;
			n->n_live++;
		}
		remember(n->child_ids, &n->n_child, ev->child.child_id);
		break;
	case PP_IKE_EV_CHILD_DOWN:
		CHECK(ev->reason != PP_IKE_R_NONE, "CHILD_DOWN without reason");
		live_del(n, live_find(n, ev->child.child_id));
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------------- */
/* Wire                                                                   */
/* ---------------------------------------------------------------------- */

static void record(const struct pp_ike_dgram *d)
{
	struct dgram *r;

	if (W.n_rec < REC_MAX) {
		r = &W.rec[W.n_rec++];
	} else {
		r = &W.rec[REC_FIXED + W.rec_rot];
		W.rec_rot = (W.rec_rot + 1) % (REC_MAX - REC_FIXED);
	}
	r->len = d->len < DG_CAP ? d->len : DG_CAP;
	memcpy(r->data, d->data, r->len);
	r->src = d->src;
	r->dst = d->dst;
}

/* Outputs and events of node k, right after each call into it. */
static void drain(int k)
{
	struct node *n = &W.n[k];
	struct pp_ike_dgram d;
	struct pp_ike_event ev;
	int rc;

	while ((rc = pp_ike_output(n->ike, &d)) == 1) {
		if (getenv("FUZZ_IKE_VERBOSE"))
			fprintf(stderr, "%s sends %zu bytes, port %u -> %u\n",
				k == NR ? "R" : "I", d.len, d.src.port,
				d.dst.port);
		check_dgram(&d);
		record(&d);
		if (W.w_n < WIRE_MAX && d.len <= DG_CAP) {
			struct dgram *w =
				&W.wire[(W.w_head + W.w_n) % WIRE_MAX];

			w->len = d.len;
			memcpy(w->data, d.data, d.len);
			w->src = d.src;
			w->dst = d.dst;
			W.w_n++;
		}
	}
	CHECK(rc == 0, "pp_ike_output");
	while ((rc = pp_ike_event(n->ike, &ev)) == 1) {
		check_event(n, &ev);
		pp_ike_event_wipe(&ev);
	}
	CHECK(rc == 0, "pp_ike_event");
}

static bool ip_eq(const struct pp_ike_addr *a, const struct pp_ike_addr *b)
{
	return a->family == b->family &&
	       memcmp(a->bytes, b->bytes, a->family == 4 ? 4 : 16) == 0;
}

static int owner(const struct pp_ike_addr *a)
{
	if (ip_eq(a, &W.n[NR].addr))
		return NR;
	if (ip_eq(a, &W.n[NI].addr))
		return NI;
	return -1;
}

/* Are these the exact bytes of a datagram an engine sent? */
static bool sent_by_engine(const uint8_t *data, size_t len)
{
	for (unsigned int i = 0; i < W.n_rec && i < REC_MAX; i++)
		if (W.rec[i].len == len && memcmp(W.rec[i].data, data, len) == 0)
			return true;
	return false;
}

static void input(int k, const uint8_t *data, size_t len,
		  const struct pp_ike_addr *src, const struct pp_ike_addr *dst)
{
	int rc;

	W.in_genuine = len <= DG_CAP && sent_by_engine(data, len);
	rc = pp_ike_input(W.n[k].ike, data, len, src, dst, W.now);
	W.in_genuine = false;

	if (rc == -EPROTONOSUPPORT)
		CHECK(dst->port != 500 && len >= 4 &&
			      (data[0] | data[1] | data[2] | data[3]) != 0,
		      "-EPROTONOSUPPORT for a datagram that is not ESP");
	else if (rc == -EINVAL)
		CHECK(!fam_ok(src) || src->family != dst->family ||
			      src->port == 0,
		      "-EINVAL for valid addresses");
	else
		CHECK(rc == 0, "pp_ike_input");
	drain(k);
}

/* Deliver the datagram at the head of the wire (through the NAT). */
static void deliver_one(void)
{
	struct dgram *w;
	int k;

	if (W.w_n == 0)
		return;
	w = &W.wire[W.w_head];
	W.w_head = (W.w_head + 1) % WIRE_MAX;
	W.w_n--;
	k = owner(&w->dst);
	if (k < 0)
		return;
	if (W.nat) {
		if (k == NR && owner(&w->src) == NI)
			w->src.port = (uint16_t)(w->src.port + NAT_SHIFT);
		else if (k == NI && w->dst.port > NAT_SHIFT)
			w->dst.port = (uint16_t)(w->dst.port - NAT_SHIFT);
	}
	input(k, w->data, w->len, &w->src, &w->dst);
}

static void deliver_all(void)
{
	for (unsigned int i = 0; i < 64 && W.w_n; i++)
		deliver_one();
}

static void tick(int k)
{
	int rc = pp_ike_timeout(W.n[k].ike, W.now);
	uint64_t next;

	CHECK_RC(rc);
	drain(k);
	next = pp_ike_next_deadline(W.n[k].ike);
	CHECK(next > W.now, "a timer is still due after pp_ike_timeout");
}

/* ---------------------------------------------------------------------- */
/* Operations                                                             */
/* ---------------------------------------------------------------------- */

static uint32_t pick(const uint32_t *ids, unsigned int n, uint8_t sel)
{
	if (sel & 0x80)
		return sel & 0x7f; /* made up */
	if (n == 0)
		return 1;
	return ids[sel % n];
}

static void op_cmd(struct rd *r)
{
	uint8_t c = get8(r), arg = get8(r), sel = get8(r);
	int k = arg & 1;
	struct node *n = &W.n[k];
	struct pp_ike_stats st;
	uint32_t id = 0;
	int rc = 0;

	switch (c % 8) {
	case 0:
		rc = pp_ike_initiate(n->ike, W.conn[k].name, W.now, &id);
		if (rc == 0) {
			CHECK(id != 0, "pp_ike_initiate gave id 0");
			remember(n->ike_ids, &n->n_ike, id);
		}
		break;
	case 1:
		rc = pp_ike_delete(n->ike, pick(n->ike_ids, n->n_ike, sel),
				   W.now);
		break;
	case 2:
		rc = pp_ike_rekey_ike(n->ike, pick(n->ike_ids, n->n_ike, sel),
				      W.now);
		break;
	case 3:
		rc = pp_ike_rekey_child(n->ike,
					pick(n->child_ids, n->n_child, sel),
					W.now);
		break;
	case 4:
		rc = pp_ike_dpd(n->ike, pick(n->ike_ids, n->n_ike, sel), W.now);
		break;
	case 5:
		pp_ike_child_seen(n->ike, pick(n->child_ids, n->n_child, sel),
				  W.now);
		break;
	case 6:
		rc = pp_ike_shutdown(n->ike, W.now);
		break;
	default:
	{
		uint64_t drops = 0;

		pp_ike_get_stats(n->ike, &st);
		for (unsigned int i = 0; i < PP_IKE_DROP__COUNT; i++)
			drops += st.drops[i];
		CHECK(drops <= st.rx, "more datagrams dropped than received");
		break;
	}
	}
	CHECK_RC(rc);
	drain(k);
}

static void op_time(struct rd *r)
{
	uint8_t b = get8(r);
	uint64_t v = b & 63;

	switch (b >> 6) {
	case 0:
		W.now += v * 100;
		break;
	case 1:
		W.now += v * 1000;
		break;
	case 2:
		W.now += v * 60000;
		break;
	default: {
		uint64_t a = pp_ike_next_deadline(W.n[NR].ike);
		uint64_t i = pp_ike_next_deadline(W.n[NI].ike);
		uint64_t t = a < i ? a : i;

		if (t != UINT64_MAX && t > W.now)
			W.now = t + v;
		break;
	}
	}
	tick(NR);
	tick(NI);
}

/* Offset of the IKE header in @d (after a non-ESP marker). */
static size_t hdr_off(const struct dgram *d)
{
	return d->src.port != 500 && d->len >= 4 &&
			       (d->data[0] | d->data[1] | d->data[2] |
				d->data[3]) == 0 ?
		       4 :
		       0;
}

static void put_be(uint8_t *p, size_t n, uint64_t v)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static uint64_t get_be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Write @n bytes at IKE header offset @at when the datagram holds them. */
static void hdr_set(struct dgram *d, size_t h, size_t at, size_t n,
		    uint64_t v)
{
	if (h + at + n <= d->len)
		put_be(d->data + h + at, n, v);
}

static void mutate(struct rd *r, struct dgram *d)
{
	size_t h = hdr_off(d);
	uint8_t kind = get8(r);
	uint16_t p;

	switch (kind % 13) {
	case 0: /* bit flip */
		p = get16(r);
		if (d->len)
			d->data[(p >> 3) % d->len] ^= (uint8_t)(1u << (p & 7));
		break;
	case 1: /* byte set */
		p = get16(r);
		if (d->len)
			d->data[p % d->len] = get8(r);
		else
			(void)get8(r);
		break;
	case 2: /* truncate */
		p = get16(r);
		d->len = p % (d->len + 1);
		break;
	case 3: /* SPIi */
		hdr_set(d, h, 0, 8, (uint64_t)get32(r) << 32 | get32(r));
		break;
	case 4: /* SPIr */
		hdr_set(d, h, 8, 8, (uint64_t)get32(r) << 32 | get32(r));
		break;
	case 5: /* Message ID */
		hdr_set(d, h, 20, 4, get32(r));
		break;
	case 6: /* exchange */
		hdr_set(d, h, 18, 1, get8(r));
		break;
	case 7: /* flags */
		hdr_set(d, h, 19, 1, get8(r));
		break;
	case 8: /* next payload */
		hdr_set(d, h, 16, 1, get8(r));
		break;
	case 9: /* length */
		hdr_set(d, h, 24, 4, get32(r));
		break;
	case 10: { /* append */
		uint8_t n = get8(r) % 64;

		for (uint8_t i = 0; i < n; i++) {
			uint8_t b = get8(r);

			if (d->len < DG_CAP)
				d->data[d->len++] = b;
		}
		break;
	}
	case 11: /* Message ID +- a little */
		if (h + 24 <= d->len)
			hdr_set(d, h, 20, 4,
				(uint32_t)(get_be(d->data + h + 20, 4) +
					   (uint32_t)(int32_t)(int8_t)get8(r)));
		else
			(void)get8(r);
		break;
	default: { /* splice: another record's header over ours */
		const struct dgram *o = &W.rec[get8(r) % REC_MAX];
		size_t oh = hdr_off(o);

		if (o->len >= oh + PP_IKE_HDR_LEN &&
		    d->len >= h + PP_IKE_HDR_LEN)
			memcpy(d->data + h, o->data + oh, PP_IKE_HDR_LEN);
		break;
	}
	}
}

/* Apply address byte @a to datagram @d for target @k. */
static int address(uint8_t a, struct dgram *d, int k)
{
	bool v6 = W.n[NR].addr.family == 6;
	size_t h = hdr_off(d);
	bool marker;

	if (a & 1)
		k = 1 - k;
	switch ((a >> 1) & 3) {
	case 1:
		d->src = mkaddr(v6, 99);
		d->src.port = 500;
		break;
	case 2: /* both ends in the other family (never a mixed pair) */
		d->src = mkaddr(!v6, 1);
		break;
	case 3:
		d->src.port = (uint16_t)(1024 + a);
		break;
	default:
		break;
	}
	if (((a >> 1) & 3) == 2) {
		d->dst = mkaddr(!v6, (a & 0x40) ? 77 : 2);
	} else if (a & 0x40) {
		d->dst = mkaddr(v6, 77);
	} else {
		uint16_t port = d->dst.port;

		if (port > NAT_SHIFT) /* undo the NAT */
			port = (uint16_t)(port - NAT_SHIFT);
		d->dst = W.n[k].addr;
		d->dst.port = port ? port : 500;
	}
	if (a & 8)
		d->dst.port = d->dst.port == 500 ? 4500 : 500;
	/* the marker: wanted on 4500, toggled by bit 4 */
	marker = (d->dst.port != 500) != ((a & 0x10) != 0);
	if (marker && h == 0 && d->len + 4 <= DG_CAP) {
		memmove(d->data + 4, d->data, d->len);
		memset(d->data, 0, 4);
		d->len += 4;
	} else if (!marker && h == 4) {
		memmove(d->data, d->data + 4, d->len - 4);
		d->len -= 4;
	}
	return k;
}

static void op_raw(struct rd *r)
{
	uint8_t a = get8(r);
	size_t len = get16(r);
	struct dgram *d = &W.inj;
	uint16_t port = (a & 0x20) ? 4500 : 500;
	int k = (a & 1) ? NI : NR;

	if (len > r->len - r->off)
		len = r->len - r->off;
	if (len > DG_CAP)
		len = DG_CAP;
	memcpy(d->data, r->p + r->off, len);
	r->off += len;
	d->len = len;
	/* from the other engine's address; the bytes go in as given (no
	 * marker handling) */
	d->src = W.n[1 - k].addr;
	d->src.port = port;
	d->dst = (a & 0x40) ? mkaddr(W.n[k].addr.family == 6, 77) :
			      W.n[k].addr;
	d->dst.port = port;
	if (a & 8)
		d->dst.port = port == 500 ? 4500 : 500;
	input(k, d->data, d->len, &d->src, &d->dst);
}

static void op_rec(struct rd *r)
{
	uint8_t a = get8(r), idx = get8(r), nmut = get8(r) % 8;
	struct dgram *d = &W.inj;
	int k;

	if (W.n_rec == 0)
		return;
	*d = W.rec[idx % W.n_rec];
	for (uint8_t i = 0; i < nmut; i++)
		mutate(r, d);
	k = owner(&d->dst);
	if (k < 0)
		k = NR;
	k = address(a, d, k);
	input(k, d->data, d->len, &d->src, &d->dst);
}

/* The @nth key entry (both ends export theirs) for these SPIs, or NULL. */
static const struct sa_keys *keys_for(uint64_t spi_i, uint64_t spi_r,
				      unsigned int nth)
{
	unsigned int n = W.n_keys < KEYS_MAX ? W.n_keys : KEYS_MAX;

	for (unsigned int i = 0; i < n; i++)
		if (W.keys[i].spi_i == spi_i && W.keys[i].spi_r == spi_r &&
		    nth-- == 0)
			return &W.keys[i];
	return NULL;
}

static int sk_init(struct ike_sk_cipher *sk, const struct sa_keys *k,
		   bool from_i)
{
	int d = from_i ? 0 : 1;
	int rc = ike_sk_cipher_init(sk, &k->suite, k->ek[d], k->ekl[d],
				    k->ak[d], k->akl[d]);

	sk->iv_next = 1; /* deterministic AEAD IVs */
	return rc;
}

/*
 * Open recorded SK message @src with the keys its SA exported, mutate its
 * plaintext ([first inner type][inner chain]) and header, seal it again:
 * hostile content from a peer that holds the keys (an authenticated but
 * malicious or buggy peer). 0 and fills @d, or -1.
 */
static int reseal(struct rd *r, const struct dgram *src, struct dgram *d)
{
	uint8_t dm = get8(r), fx = get8(r), ex = get8(r), nmut = get8(r) % 8;
	size_t h = hdr_off(src), len = src->len - h, olen = 0;
	struct ike_msg *m = &W.msg;
	struct dgram *p = &W.pt;
	const struct sa_keys *k;
	struct ike_sk_cipher sk;
	struct ike_sk_frame fr;
	int si, rc;

	memcpy(W.buf, src->data + h, len);
	if (ike_msg_parse(W.buf, len, m) != 0)
		return -1;
	si = m->chain.sk;
	if (si < 0 || m->chain.pld[si].type != PP_IKE_PLD_SK)
		return -1;
	/*
	 * Both ends export the keys of an SA: the message opens with the
	 * first entry for its SPIs, or the second, since ike_sk_open()
	 * leaves the buffer unchanged when the ICV does not match (CBC)
	 * and zeroes only the ciphertext (AEAD); reparse from the record.
	 */
	for (unsigned int nth = 0;; nth++) {
		k = keys_for(m->hdr.spi_i, m->hdr.spi_r, nth);
		if (!k) /* not exported (ChaCha20), or see learn_keys() */
			return -1;
		if (nth)
			memcpy(W.buf, src->data + h, len);
		if (sk_init(&sk, k, ike_hdr_from_initiator(&m->hdr)) != 0)
			return -1;
		memset(&fr, 0, sizeof(fr));
		fr.sk_off = m->chain.pld[si].off;
		fr.sk_hdr_len = IKE_SK_HDR_LEN;
		rc = ike_sk_open(&sk, W.buf, len, &fr);
		ike_sk_cipher_fini(&sk);
		if (rc == 0)
			break;
	}
	memset(p, 0, sizeof(*p));
	p->src.port = 500; /* no marker: mutations see the plaintext */
	p->data[0] = m->chain.pld[si].next;
	memcpy(p->data + 1, W.buf + ike_sk_frame_pt_off(&fr), fr.pt_len);
	p->len = 1 + fr.pt_len;
	for (uint8_t i = 0; i < nmut; i++)
		mutate(r, p);
	if (p->len == 0) { /* truncated to nothing: no inner payloads */
		p->data[0] = 0;
		p->len = 1;
	}
	/* the header as it was, Message ID and flags changed; the SK
	 * payload right after it (the engine puts nothing before SK) */
	if (m->chain.pld[si].off != PP_IKE_HDR_LEN)
		return -1;
	memcpy(W.out, W.buf, PP_IKE_HDR_LEN);
	put_be(W.out + 20, 4, (uint32_t)(get_be(W.out + 20, 4) +
					 (uint32_t)(int32_t)(int8_t)dm));
	W.out[19] ^= fx;
	if (ex)
		W.out[18] = ex;
	if (sk_init(&sk, k, (W.out[19] & PP_IKE_FLAG_I) != 0) != 0)
		return -1;
	memset(&fr, 0, sizeof(fr));
	fr.sk_off = PP_IKE_HDR_LEN;
	fr.sk_hdr_len = IKE_SK_HDR_LEN;
	fr.iv_len = sk.iv_len;
	fr.icv_len = sk.icv_len;
	fr.pt_len = p->len - 1;
	fr.pad_len = (sk.block - (fr.pt_len + 1) % sk.block) % sk.block;
	olen = ike_sk_frame_msg_len(&fr);
	if (olen > sizeof(W.out) - 4) {
		ike_sk_cipher_fini(&sk);
		return -1;
	}
	put_be(W.out + 24, 4, olen);
	W.out[PP_IKE_HDR_LEN] = p->data[0];
	W.out[PP_IKE_HDR_LEN + 1] = 0;
	put_be(W.out + PP_IKE_HDR_LEN + 2, 2, olen - PP_IKE_HDR_LEN);
	memcpy(W.out + ike_sk_frame_pt_off(&fr), p->data + 1, fr.pt_len);
	rc = ike_sk_seal(&sk, W.out, olen, &fr, NULL);
	ike_sk_cipher_fini(&sk);
	CHECK(rc == 0, "ike_sk_seal");
	d->src = src->src;
	d->dst = src->dst;
	if (h)
		memset(d->data, 0, h);
	memcpy(d->data + h, W.out, olen);
	d->len = h + olen;
	return 0;
}

static void op_reseal(struct rd *r)
{
	uint8_t a = get8(r), idx = get8(r);
	struct dgram *d = &W.inj;
	int k;

	if (W.n_rec == 0)
		return;
	if (reseal(r, &W.rec[idx % W.n_rec], d) != 0) {
		if (getenv("FUZZ_IKE_VERBOSE"))
			fprintf(stderr, "RESEAL of record %u: not possible\n",
				idx % W.n_rec);
		return;
	}
	k = owner(&d->dst);
	if (k < 0)
		k = NR;
	k = address(a, d, k);
	input(k, d->data, d->len, &d->src, &d->dst);
}

static void op_restart(struct rd *r)
{
	int k = get8(r) & 1;

	pp_ike_destroy(W.n[k].ike);
	W.n[k].ike = NULL;
	W.restarts++;
	node_create(k, W.now);
}

static void op_swap(void)
{
	struct dgram *a, *b;

	if (W.w_n < 2)
		return;
	a = &W.wire[W.w_head];
	b = &W.wire[(W.w_head + 1) % WIRE_MAX];
	W.inj = *a;
	*a = *b;
	*b = W.inj;
}

/* ---------------------------------------------------------------------- */
/* One input                                                              */
/* ---------------------------------------------------------------------- */

static void handshake(unsigned int stage)
{
	struct node *ni = &W.n[NI], *nr = &W.n[NR];
	uint32_t id = 0;
	int rc;

	if (stage == 0)
		return;
	rc = pp_ike_initiate(ni->ike, "vpn", W.now, &id);
	CHECK(rc == 0 && id != 0, "pp_ike_initiate");
	remember(ni->ike_ids, &ni->n_ike, id);
	drain(NI);
	if (stage < 5) {
		for (unsigned int i = 1; i < stage; i++)
			deliver_one();
		return;
	}
	deliver_all();
	if (stage >= 6 && ni->n_child) {
		rc = pp_ike_rekey_child(ni->ike, ni->child_ids[0], W.now);
		CHECK_RC(rc);
		drain(NI);
		deliver_all();
	}
	if (stage == 7 && ni->n_ike) {
		rc = pp_ike_rekey_ike(ni->ike, ni->ike_ids[0], W.now);
		CHECK_RC(rc);
		drain(NI);
		deliver_all();
		if (nr->n_child) {
			rc = pp_ike_rekey_child(nr->ike,
						nr->child_ids[nr->n_child - 1],
						W.now);
			CHECK_RC(rc);
			drain(NR);
			deliver_all();
		}
	}
}

static void run(const uint8_t *data, size_t size)
{
	struct rd r = { data, size, 0 };
	uint8_t stage = get8(&r) % 8, cfg = get8(&r), rs = get8(&r);
	unsigned int ops = 0;

	memset(&W, 0, sizeof(W));
	W.now = 1000000;
	W.seed = 0x5eed0000ull + rs;
	conf(cfg, rs);
	node_create(NR, 0);
	node_create(NI, 0);
	handshake(stage);

	while (r.off < r.len && ops++ < 256) {
		switch (get8(&r) % 9) {
		case 0: {
			unsigned int n = get8(&r) % 8 + 1;

			while (n--)
				deliver_one();
			break;
		}
		case 1:
			op_raw(&r);
			break;
		case 2:
			op_rec(&r);
			break;
		case 3:
			op_time(&r);
			break;
		case 4:
			op_cmd(&r);
			break;
		case 5: {
			unsigned int n = get8(&r) % 4 + 1;

			while (n-- && W.w_n) {
				W.w_head = (W.w_head + 1) % WIRE_MAX;
				W.w_n--;
			}
			break;
		}
		case 6:
			op_restart(&r);
			break;
		case 7:
			op_swap();
			break;
		default:
			op_reseal(&r);
			break;
		}
	}
	pp_ike_destroy(W.n[NR].ike);
	pp_ike_destroy(W.n[NI].ike);
	W.n[NR].ike = W.n[NI].ike = NULL;
}

#ifndef FUZZ_SEEDGEN

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run(data, size);
	return 0;
}

#else /* FUZZ_SEEDGEN */

/* ---------------------------------------------------------------------- */
/* Seed corpus                                                            */
/* ---------------------------------------------------------------------- */

static const char *seed_dir;
static unsigned int n_seeds;

static void seed(const uint8_t *p, size_t len)
{
	char path[4096];
	FILE *f;

	/* the script must run clean before it is written */
	run(p, len);
	snprintf(path, sizeof(path), "%s/seed-%03u", seed_dir, n_seeds++);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

struct sb {
	uint8_t b[4096];
	size_t n;
};

static void sb_put(struct sb *s, const uint8_t *p, size_t n)
{
	if (s->n + n > sizeof(s->b)) {
		fprintf(stderr, "fuzz_ike_engine_seeds: seed too long\n");
		exit(1);
	}
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

#define PUT(s, ...)                                                        \
	sb_put((s), (const uint8_t[]){ __VA_ARGS__ },                      \
	       sizeof((const uint8_t[]){ __VA_ARGS__ }))

int main(int argc, char **argv)
{
	static const uint8_t cfgs[] = { 0x00, 0x01, 0x02, 0x04, 0x0c, 0x10,
					0x20, 0x30, 0x40, 0x80, 0x86 };
	struct sb s;

	if (argc != 2) {
		fprintf(stderr, "usage: %s <dir>\n", argv[0]);
		return 2;
	}
	seed_dir = argv[1];

	for (size_t c = 0; c < sizeof(cfgs); c++) {
		for (uint8_t stage = 0; stage < 8; stage++) {
			/* the handshake alone */
			s.n = 0;
			PUT(&s, stage, cfgs[c], (uint8_t)c);
			seed(s.b, s.n);
			if (c > 3 && stage != 5 && stage != 7)
				continue;
			/* replay every recorded datagram unchanged to its
			 * receiver, then reflected to its sender */
			s.n = 0;
			PUT(&s, stage, cfgs[c], 0);
			for (uint8_t i = 0; i < 12; i++)
				PUT(&s, 2, 0, i, 0);
			for (uint8_t i = 0; i < 12; i++)
				PUT(&s, 2, 1, i, 0);
			seed(s.b, s.n);
			/* header rewrites: Message ID +1, SPIr 0, flags,
			 * exchange, truncation, a flipped bit in SK */
			s.n = 0;
			PUT(&s, stage, cfgs[c], 0);
			for (uint8_t i = 0; i < 10; i++) {
				PUT(&s, 2, 0, i, 1, 11, 1);
				PUT(&s, 2, 0, i, 1, 4, 0, 0, 0, 0, 0, 0, 0, 0);
				PUT(&s, 2, 0, i, 1, 7, 0x28);
				PUT(&s, 2, 0, i, 1, 6, 37);
				PUT(&s, 2, 0, i, 1, 2, 60, 0);
				PUT(&s, 2, 0, i, 1, 0, 0x40, 0x02);
			}
			seed(s.b, s.n);
			/* to port 4500 with and without the marker, spoofed
			 * and cross-family sources */
			s.n = 0;
			PUT(&s, stage, cfgs[c], 0);
			for (uint8_t i = 0; i < 8; i++) {
				PUT(&s, 2, 0x08, i, 0);
				PUT(&s, 2, 0x18, i, 0);
				PUT(&s, 2, 0x02, i, 0);
				PUT(&s, 2, 0x04, i, 0);
				PUT(&s, 2, 0x06, i, 0);
				PUT(&s, 2, 0x40, i, 0);
			}
			seed(s.b, s.n);
			/* timers: retransmissions, DPD, rekey, expiry */
			s.n = 0;
			PUT(&s, stage, cfgs[c], 0);
			for (uint8_t i = 0; i < 12; i++)
				PUT(&s, 3, 0xc0, 0, 4);
			seed(s.b, s.n);
			/* commands, with the traffic they cause */
			s.n = 0;
			PUT(&s, stage, cfgs[c], 0);
			PUT(&s, 4, 4, 1, 0, 0, 7); /* DPD from I */
			PUT(&s, 4, 3, 0, 0, 0, 7); /* child rekey from R */
			PUT(&s, 4, 2, 0, 0, 0, 7); /* IKE rekey from R */
			PUT(&s, 4, 0, 1, 0, 0, 7); /* a second SA from I */
			PUT(&s, 4, 5, 1, 0);	   /* child_seen */
			PUT(&s, 4, 7, 0, 0);	   /* stats */
			PUT(&s, 4, 1, 1, 0, 0, 7); /* delete from I */
			PUT(&s, 4, 6, 0, 0, 0, 7); /* shutdown R */
			seed(s.b, s.n);
			/* loss, reordering, restart of the responder */
			s.n = 0;
			PUT(&s, stage, cfgs[c], 0);
			PUT(&s, 5, 0, 7, 0, 3);	/* lose one, swap */
			PUT(&s, 6, 0, 0, 7);	/* R reboots */
			PUT(&s, 3, 0xc0, 0, 7, 3, 0xc0, 0, 7);
			PUT(&s, 4, 0, 1, 0, 0, 7, 0, 7);
			seed(s.b, s.n);
		}
	}
	/* RFC 7383 fragments: replayed, dropped, bits flipped */
	for (uint8_t stage = 4; stage < 8; stage++) {
		s.n = 0;
		PUT(&s, stage, 0x02, 0x80);
		for (uint8_t i = 0; i < 16; i++)
			PUT(&s, 2, 0, i, 0);
		PUT(&s, 4, 3, 1, 0, 5, 0, 0, 7, 3, 0xc0, 0, 7);
		for (uint8_t i = 0; i < 16; i++)
			PUT(&s, 2, 0, i, 1, 0, 0x80, 0x03);
		seed(s.b, s.n);
	}
	/* RESEAL: recorded SK messages opened, changed, sealed again */
	for (size_t c = 0; c < 4; c++) {
		static const uint8_t rc[4] = { 0x00, 0x20, 0x02, 0x84 };
		static const uint8_t rr[4] = { 0x00, 0x40, 0x00, 0xc0 };

		for (uint8_t stage = 4; stage < 8; stage++) {
			s.n = 0;
			PUT(&s, stage, rc[c], rr[c]);
			for (uint8_t i = 2; i < 16; i++) {
				/* as it was, next MID, R flag flipped */
				PUT(&s, 8, 0, i, 0, 0, 0, 0);
				PUT(&s, 8, 0, i, 1, 0, 0, 0);
				PUT(&s, 8, 0, i, 0, 0x20, 0, 0);
				/* the payloads of one exchange in another:
				 * INFORMATIONAL, CREATE_CHILD_SA, empty */
				PUT(&s, 8, 0, i, 1, 0, 37, 0);
				PUT(&s, 8, 0, i, 1, 0, 36, 0);
				PUT(&s, 8, 0, i, 1, 0, 37, 1, 2, 0, 0);
			}
			seed(s.b, s.n);
			s.n = 0;
			PUT(&s, stage, rc[c], 0);
			for (uint8_t i = 2; i < 16; i++) {
				PUT(&s, 8, 0, i, 1, 0, 0, 1, 1, i, 0, 0xff);
				PUT(&s, 8, 0, i, 1, 0, 37, 1, 2, 9, 0);
				PUT(&s, 8, 0, i, 1, 0, 36, 1, 1, 0, 0, 41);
				PUT(&s, 8, 0, i, 1, 0, 37, 1, 10, 8, 0, 0, 0,
				    8, 1, 0, 0, 0);
				PUT(&s, 0, 7);
			}
			seed(s.b, s.n);
		}
	}
	/* cookies (RFC 7296 §2.6): a second IKE_SA_INIT while one is
	 * half-open, then a request with a forged SPIi */
	for (uint8_t stage = 2; stage < 6; stage++) {
		s.n = 0;
		PUT(&s, stage, 0x40, 0);
		PUT(&s, 4, 0, 1, 0, 0, 7, 0, 7);
		PUT(&s, 2, 0, 0, 1, 3, 1, 2, 3, 4, 5, 6, 7, 8, 0, 7);
		seed(s.b, s.n);
	}
	/* raw datagrams: an IKE_SA_INIT-looking header, an ESP packet and a
	 * keepalive on 4500, garbage */
	s.n = 0;
	PUT(&s, 5, 0, 0);
	PUT(&s, 1, 0x00, 28, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0,
	    0, 0x21, 0x20, 0x22, 0x08, 0, 0, 0, 0, 0, 0, 0, 28);
	PUT(&s, 1, 0x20, 8, 0, 0, 0, 0x12, 0x34, 0, 0, 0, 1);
	PUT(&s, 1, 0x20, 1, 0, 0xff);
	PUT(&s, 1, 0x21, 3, 0, 0, 0, 0);
	PUT(&s, 1, 0x01, 40, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	    15, 16, 0x2e, 0x20, 0x25, 0x20, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0,
	    12, 1, 2, 3, 4, 5, 6, 7, 8);
	seed(s.b, s.n);
	printf("fuzz_ike_engine_seeds: %u seeds in %s\n", n_seeds, seed_dir);
	return 0;
}
#endif /* FUZZ_SEEDGEN */
