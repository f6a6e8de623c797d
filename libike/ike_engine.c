/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libike: the sans-I/O IKEv2 engine (RFC 7296) behind pp_ike.h.
 *
 * Design
 * ------
 * One struct pp_ike holds a fixed table of IKE SAs (params.max_ike_sas),
 * a bounded output ring (datagram bytes live in one arena allocated at
 * creation), a bounded event ring and one receive buffer. Nothing is
 * allocated per datagram: an IKE SA is allocated once when it is created
 * (it embeds its request/response buffers, its Child SAs and the copies of
 * both IKE_SA_INIT messages that AUTH signs) and freed, wiped, when it is
 * deleted.
 *
 * Every IKE SA is a small state machine:
 *
 *   initiator:  INIT_SENT -> AUTH_SENT -> ESTABLISHED -> (DELETING) -> gone
 *   responder:  HALF_OPEN (IKE_SA_INIT answered) -> ESTABLISHED -> gone
 *
 * Window size is 1 in both directions. Our own requests go through a small
 * queue of pending operations (DPD, child rekey, IKE rekey, deletes); the
 * head is built and sent only when no request is outstanding. The last
 * response is cached and resent verbatim for a retransmitted request
 * (same Message ID). Responses are accepted only for the outstanding
 * request's Message ID.
 *
 * Timers are absolute deadlines per SA (retransmission, half-open expiry,
 * rekey, hard expiry, DPD, NAT keepalive) and per Child SA (rekey, hard
 * expiry); pp_ike_next_deadline() is their minimum.
 *
 * The responder keeps no state before a valid IKE_SA_INIT request: cookie,
 * INVALID_KE_PAYLOAD and NO_PROPOSAL_CHOSEN answers are built from the
 * request alone. Cookies are HMAC-SHA-256(secret, Ni | IPi | SPIi) under a
 * secret rotated every 60 s (the previous one stays valid).
 *
 * Rekeys are make-before-break: a new Child SA is announced with
 * CHILD_REKEYED before the old one is deleted (quietly). Simultaneous
 * rekeys (§2.8.1, §2.8.2) are both answered; when our own exchange
 * completes, the one holding the lowest of the four nonces is redundant
 * and its initiator deletes what it created. A new IKE SA inherits the
 * children, the endpoints and the address leases of the old one.
 *
 * NAT (§2.23): NAT-D in IKE_SA_INIT; after a NAT (or with force_encap,
 * which also fakes our source hash so that the peer encapsulates too) IKE
 * moves to 4500 and children get udp_encap; the responder follows the
 * peer's address and port; behind a NAT we emit 0xFF keepalives.
 *
 * Authentication: PSK (§2.15) or X.509 + RFC 7427 signatures through
 * ike_cert.h (CERT, CERTREQ, SIGNATURE_HASH_ALGORITHMS). Messages larger
 * than the fragment size go out as RFC 7383 fragments once both sides
 * announced support (ike_frag.h).
 *
 * Every failure yields one log line "ike[<id>] <spi_i>_i <spi_r>_r: ...",
 * every dropped datagram one pp_ike_stats.drops counter.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <parapass/pp_ike.h>

#include "ike_cert.h"
#include "ike_crypto.h"
#include "ike_frag.h"
#include "ike_keylog.h"
#include "ike_msg.h"
#include "ike_prop.h"
#include "ike_ts.h"

/* ---------------------------------------------------------------------- */
/* Limits                                                                 */
/* ---------------------------------------------------------------------- */

#define ENG_MAX_SAS_DEFAULT 64u
#define ENG_COOKIE_THR_DEFAULT 16u
#define ENG_RTX_BASE_DEFAULT 4000u
#define ENG_RTX_TRIES_DEFAULT 5u
#define ENG_HALF_OPEN_DEFAULT 30000u
#define ENG_NONCE_LEN 32
#define ENG_MSG_CAP 12288	/* one IKE message as stored */
#define ENG_INIT_CAP 4096	/* IKE_SA_INIT messages kept for AUTH */
#define ENG_CHILDREN 16		/* Child SAs per IKE SA (rekeys overlap) */
#define ENG_PENDING 16		/* queued local requests per IKE SA */
#define ENG_OUTQ 128
#define ENG_ARENA (256u * 1024u)
#define ENG_EVQ 128
#define ENG_COOKIE_LEN 33	/* 1 byte generation + HMAC-SHA-256 */
#define ENG_COOKIE_ROTATE_MS 60000u
#define ENG_COOKIE_RETRIES 3
#define ENG_KEEPALIVE_MS 20000u
#define ENG_NATT_PORT 4500
#define ENG_IKE_PORT 500
#define ENG_TEMPFAIL_RETRY_MS 2000u

enum sa_state {
	S_INIT_SENT = 1, /* initiator: IKE_SA_INIT request outstanding */
	S_AUTH_SENT,	 /* initiator: IKE_AUTH request outstanding */
	S_HALF_OPEN,	 /* responder: IKE_SA_INIT answered */
	S_ESTABLISHED,
	S_DELETING,	 /* our DELETE of the IKE SA is outstanding */
	S_REKEYED,	 /* superseded; waiting for the DELETE exchange */
};

enum req_kind {
	RQ_NONE = 0,
	RQ_INIT,
	RQ_AUTH,
	RQ_DPD,
	RQ_DEL_IKE,
	RQ_DEL_CHILD,
	RQ_REKEY_CHILD,
	RQ_REKEY_IKE,
};

struct eng_child {
	bool used;
	uint32_t id;
	uint32_t spi_in, spi_out;
	struct ike_suite suite;
	bool esn;
	uint16_t dh_group;
	bool udp_encap;
	struct pp_ike_ts lts[PP_IKE_TS_MAX], rts[PP_IKE_TS_MAX];
	unsigned int n_lts, n_rts;
	uint64_t rekey_at, expire_at;
	bool rekeying;	 /* our CREATE_CHILD_SA for it is outstanding */
	bool rekeyed;	 /* replaced; its DELETE is pending */
	bool deleting;
};

struct eng_pend {
	enum req_kind kind;
	uint32_t child_id;
	uint64_t not_before;
};

/* One message as stored for (re)transmission: one datagram or fragments. */
struct eng_tx {
	size_t n;
	size_t off[4];
	size_t len[4];
	uint8_t buf[ENG_MSG_CAP];
};

struct eng_sa {
	uint32_t id;
	unsigned int conn;
	enum sa_state state;
	bool initiator; /* original initiator of this IKE SA */
	bool ours;	/* the connection was initiated here (kept across
			 * IKE rekeys): auto_reconnect applies */
	uint8_t spi_i[8], spi_r[8];
	struct pp_ike_addr local, remote;
	bool nat_local, nat_remote, natt;
	bool peer_frag;
	struct pp_ike_id peer_id;
	struct pp_ike_vip vip; /* assigned by us (vip_ours) or received */
	bool vip_ours;	       /* vip holds leases from our pools */
	uint64_t created;

	struct ike_suite suite;
	struct ike_sa_keys keys;
	struct ike_sk_cipher sk_out, sk_in;
	bool keyed;
	struct ike_dh dh;
	uint16_t group;
	uint8_t ni[PP_IKE_NONCE_MAX], nr[PP_IKE_NONCE_MAX];
	size_t ni_len, nr_len;
	uint8_t init_req[ENG_INIT_CAP], init_resp[ENG_INIT_CAP];
	size_t init_req_len, init_resp_len;
	uint8_t cookie[PP_IKE_COOKIE_MAX];
	size_t cookie_len;
	unsigned int cookie_tries;
	uint16_t ke_tried[8];
	unsigned int n_ke_tried;
	uint32_t child_spi_in; /* initiator: SPI offered in IKE_AUTH */
	uint8_t peer_hashes[16]; /* SIGNATURE_HASH_ALGORITHMS data */
	size_t peer_hashes_len;

	/* our requests */
	uint32_t mid_next;
	enum req_kind req;
	uint32_t req_mid;
	uint32_t req_child; /* child concerned (rekey/delete) */
	unsigned int rtx_count;
	uint64_t rtx_at;
	struct eng_tx tx;
	struct eng_pend pend[ENG_PENDING];
	unsigned int n_pend;
	/* CREATE_CHILD_SA context of our outstanding request */
	struct ike_dh cx_dh;
	uint8_t cx_ni[ENG_NONCE_LEN];
	uint32_t cx_spi;
	uint8_t cx_spi8[8];
	bool cx_pfs_retry;
	/* §2.8.1: the peer's rekey of the child we are rekeying, answered
	 * while ours was outstanding: its child and both its nonces. */
	uint32_t coll_old, coll_new;
	uint8_t coll_ni[PP_IKE_NONCE_MAX], coll_nr[ENG_NONCE_LEN];
	size_t coll_ni_len;
	uint32_t coll_ike; /* §2.8.2: the peer's new IKE SA, undecided */

	/* peer's requests */
	uint32_t peer_mid; /* next expected */
	bool have_resp;
	struct eng_tx rx_resp;

	/* timers */
	uint64_t half_open_until;
	uint64_t rekey_at, expire_at;
	uint64_t last_rx, last_tx;
	uint64_t dpd_at;

	struct eng_child ch[ENG_CHILDREN];
	struct ike_frag_reasm *reasm; /* allocated at the first fragment */
};

struct eng_conn {
	struct pp_ike_conn c;
	struct ike_sa ike_props, esp_props;
	uint8_t *psk_l, *psk_r;
	size_t psk_l_len, psk_r_len;
	struct ike_cred *cred;	 /* PUBKEY: ours */
	struct ike_trust *trust; /* PUBKEY: anchors for the peer */
	struct ike_pool *pool4, *pool6;
	uint64_t reconnect_at; /* 0 = none */
};

struct eng_out {
	size_t off, len;
	struct pp_ike_addr src, dst;
};

struct pp_ike {
	struct pp_ike_params prm;
	struct eng_conn *conns;
	unsigned int n_conns;
	struct eng_sa **sas;
	unsigned int max_sas;
	uint32_t cookie_thr, rtx_base, rtx_tries, half_open_ms;
	uint32_t next_sa_id, next_child_id;

	struct eng_out outq[ENG_OUTQ];
	unsigned int out_head, out_n;
	uint8_t *arena;
	size_t arena_len;

	struct pp_ike_event evq[ENG_EVQ];
	unsigned int ev_head, ev_n;

	struct pp_ike_stats st;

	uint8_t cookie_secret[2][32];
	uint8_t cookie_gen;
	bool cookie_init;
	uint64_t cookie_rotate_at;
	uint64_t now;

	/* scratch (not on the stack: large) */
	uint8_t rx[PP_IKE_DGRAM_MAX];
	uint8_t scratch[ENG_MSG_CAP];
	uint8_t octets[ENG_INIT_CAP + PP_IKE_NONCE_MAX + IKE_PRF_LEN_MAX];
	struct ike_msg msg;
	struct ike_chain inner;
	struct ike_sa sa_a, sa_b;
	struct pp_ike_event ev_tmp;
};

/* ---------------------------------------------------------------------- */
/* Small helpers                                                          */
/* ---------------------------------------------------------------------- */

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static size_t addr_len(uint8_t family)
{
	return family == 6 ? 16 : 4;
}

static bool addr_eq(const struct pp_ike_addr *a, const struct pp_ike_addr *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(a->bytes, b->bytes, addr_len(a->family));
}

static bool ip_eq(const struct pp_ike_addr *a, const struct pp_ike_addr *b)
{
	return a->family == b->family &&
	       !memcmp(a->bytes, b->bytes, addr_len(a->family));
}

static void eng_log(struct pp_ike *e, const struct eng_sa *sa,
		    enum pp_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void eng_log(struct pp_ike *e, const struct eng_sa *sa,
		    enum pp_log_level lvl, const char *fmt, ...)
{
	char line[1536];
	int n = 0;
	va_list ap;

	if (!e->prm.log_fn)
		return;
	if (sa)
		n = snprintf(line, sizeof(line),
			     "ike[%u] %016llx_i %016llx_r: ", sa->id,
			     (unsigned long long)be64(sa->spi_i),
			     (unsigned long long)be64(sa->spi_r));
	else
		n = snprintf(line, sizeof(line), "ike: ");
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	e->prm.log_fn(e->prm.log_opaque, lvl, line);
}

static int eng_rand(struct pp_ike *e, void *out, size_t len)
{
	if (e->prm.rand_fn)
		return e->prm.rand_fn(e->prm.rand_opaque, out, len);
	if (len > (size_t)0x7fffffff ||
	    RAND_bytes(out, (int)len) != 1)
		return -EIO;
	return 0;
}

static uint32_t rand_below(struct pp_ike *e, uint32_t n)
{
	uint32_t v = 0;

	if (n == 0 || eng_rand(e, &v, sizeof(v)))
		return 0;
	return v % n;
}

static void drop(struct pp_ike *e, enum pp_ike_drop d)
{
	e->st.drops[d]++;
}

static const struct pp_ike_conn *sa_conn(const struct pp_ike *e,
					 const struct eng_sa *sa)
{
	return &e->conns[sa->conn].c;
}

/* ---------------------------------------------------------------------- */
/* Public helpers                                                         */
/* ---------------------------------------------------------------------- */

static const char *const reason_names[PP_IKE_R__COUNT] = {
	[PP_IKE_R_NONE] = "none",
	[PP_IKE_R_LOCAL_DELETE] = "local delete",
	[PP_IKE_R_PEER_DELETE] = "peer delete",
	[PP_IKE_R_REKEYED] = "rekeyed",
	[PP_IKE_R_TIMEOUT] = "timeout",
	[PP_IKE_R_DPD] = "dpd",
	[PP_IKE_R_EXPIRED] = "expired",
	[PP_IKE_R_NO_PROPOSAL] = "no proposal chosen",
	[PP_IKE_R_INVALID_KE] = "invalid ke",
	[PP_IKE_R_AUTH_FAILED] = "authentication failed",
	[PP_IKE_R_CERT] = "certificate",
	[PP_IKE_R_TS_UNACCEPTABLE] = "ts unacceptable",
	[PP_IKE_R_NO_ADDRESS] = "no address",
	[PP_IKE_R_PEER_ERROR] = "peer error",
	[PP_IKE_R_PROTOCOL] = "protocol",
	[PP_IKE_R_REPLACED] = "replaced",
	[PP_IKE_R_INTERNAL] = "internal",
};

PP_EXPORT const char *pp_ike_reason_name(enum pp_ike_reason r)
{
	if ((unsigned int)r >= PP_IKE_R__COUNT || !reason_names[r])
		return "?";
	return reason_names[r];
}

PP_EXPORT void pp_ike_conn_defaults(struct pp_ike_conn *c)
{
	if (!c)
		return;
	memset(c, 0, sizeof(*c));
	c->local_auth.method = PP_IKE_AUTHM_PSK;
	c->remote_auth.method = PP_IKE_AUTHM_PSK;
	c->mode = PP_ESP_MODE_TUNNEL;
	c->ike_rekey_s = 14400;
	c->child_rekey_s = 3600;
	c->rand_time_s = 360; /* = the default over_time of the child */
	c->fragmentation = true;
	c->fragment_size = 1280;
	c->initial_contact = true;
	c->auto_reconnect = true;
}

PP_EXPORT void pp_ike_event_wipe(struct pp_ike_event *ev)
{
	if (ev)
		OPENSSL_cleanse(&ev->child, sizeof(ev->child));
}

PP_EXPORT void pp_ike_get_stats(const struct pp_ike *ike,
				struct pp_ike_stats *out)
{
	if (ike && out)
		*out = ike->st;
}

static enum pp_esp_cipher esp_cipher(uint16_t encr)
{
	switch (encr) {
	case IKE_ENCR_AES_CBC:
		return PP_ESP_CIPHER_AES_CBC;
	case IKE_ENCR_AES_GCM_16:
		return PP_ESP_CIPHER_AES_GCM_16;
	case IKE_ENCR_CHACHA20_POLY1305:
		return PP_ESP_CIPHER_CHACHA20_POLY1305;
	default:
		return PP_ESP_CIPHER_NULL;
	}
}

static enum pp_esp_integ esp_integ(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA2_256_128:
		return PP_ESP_INTEG_HMAC_SHA256_128;
	case IKE_INTEG_HMAC_SHA2_384_192:
		return PP_ESP_INTEG_HMAC_SHA384_192;
	case IKE_INTEG_HMAC_SHA2_512_256:
		return PP_ESP_INTEG_HMAC_SHA512_256;
	default:
		return PP_ESP_INTEG_NONE;
	}
}

PP_EXPORT int pp_ike_child_esp_params(const struct pp_ike_child *c,
				      enum pp_esp_dir dir,
				      struct pp_esp_sa_params *out)
{
	bool in;

	if (!c || !out ||
	    (dir != PP_ESP_DIR_INBOUND && dir != PP_ESP_DIR_OUTBOUND))
		return -EINVAL;
	if (c->key_len > PP_ESP_KEY_MAX || c->integ_len > PP_ESP_KEY_MAX)
		return -EINVAL;
	in = dir == PP_ESP_DIR_INBOUND;
	memset(out, 0, sizeof(*out));
	out->dir = dir;
	out->mode = c->mode;
	out->spi = in ? c->spi_in : c->spi_out;
	out->cipher = c->cipher;
	out->cipher_key = in ? c->key_in : c->key_out;
	out->cipher_key_len = c->key_len;
	out->integ = c->integ;
	out->integ_key = c->integ_len ? (in ? c->integ_in : c->integ_out)
				      : NULL;
	out->integ_key_len = c->integ_len;
	if (c->esn)
		out->flags |= PP_ESP_SA_F_ESN;
	if (c->mode == PP_ESP_MODE_TUNNEL) {
		const struct pp_ike_addr *s = in ? &c->remote : &c->local;
		const struct pp_ike_addr *d = in ? &c->local : &c->remote;

		out->outer_src.family = s->family;
		memcpy(out->outer_src.bytes, s->bytes, 16);
		out->outer_dst.family = d->family;
		memcpy(out->outer_dst.bytes, d->bytes, 16);
	}
	if (c->udp_encap) {
		out->flags |= PP_ESP_SA_F_UDP_ENCAP;
		out->encap_sport = in ? c->remote.port : c->local.port;
		out->encap_dport = in ? c->local.port : c->remote.port;
	}
	out->soft.bytes = c->soft_bytes;
	out->hard.bytes = c->hard_bytes;
	out->soft.packets = c->soft_packets;
	out->hard.packets = c->hard_packets;
	return 0;
}

/* pp_ike_ts_to_prefixes() lives in ike_ts.c. */

/* ---------------------------------------------------------------------- */
/* Output and event rings                                                 */
/* ---------------------------------------------------------------------- */

/* Queue one datagram (copied; the non-ESP marker prepended when the local
 * port is not 500). */
static void out_push(struct pp_ike *e, const struct pp_ike_addr *src,
		     const struct pp_ike_addr *dst, const uint8_t *msg,
		     size_t len, bool raw)
{
	bool marker = !raw && src->port != ENG_IKE_PORT;
	size_t need = len + (marker ? 4 : 0);
	struct eng_out *o;

	if (e->out_n == 0)
		e->arena_len = 0;
	if (e->out_n >= ENG_OUTQ || need > ENG_ARENA - e->arena_len) {
		eng_log(e, NULL, PP_LOG_WARNING,
			"output queue full (%u datagrams, %zu bytes): "
			"datagram of %zu bytes not queued",
			e->out_n, e->arena_len, need);
		return;
	}
	o = &e->outq[(e->out_head + e->out_n) % ENG_OUTQ];
	o->off = e->arena_len;
	o->len = need;
	o->src = *src;
	o->dst = *dst;
	if (marker)
		memset(e->arena + o->off, 0, 4);
	memcpy(e->arena + o->off + (marker ? 4 : 0), msg, len);
	e->arena_len += need;
	e->out_n++;
	e->st.tx++;
}

PP_EXPORT int pp_ike_output(struct pp_ike *ike, struct pp_ike_dgram *out)
{
	struct eng_out *o;

	if (!ike || !out)
		return -EINVAL;
	if (ike->out_n == 0) {
		ike->arena_len = 0;
		return 0;
	}
	o = &ike->outq[ike->out_head];
	out->data = ike->arena + o->off;
	out->len = o->len;
	out->src = o->src;
	out->dst = o->dst;
	ike->out_head = (ike->out_head + 1) % ENG_OUTQ;
	ike->out_n--;
	/* The arena is reset only when the ring is empty and a later call
	 * queues again, so @out stays valid until the next call. */
	return 1;
}

static struct pp_ike_event *ev_new(struct pp_ike *e, const struct eng_sa *sa,
				   enum pp_ike_event_type type)
{
	struct pp_ike_event *ev;

	if (e->ev_n >= ENG_EVQ) {
		eng_log(e, sa, PP_LOG_ERR,
			"event queue full (%u): oldest event dropped", e->ev_n);
		pp_ike_event_wipe(&e->evq[e->ev_head]);
		e->ev_head = (e->ev_head + 1) % ENG_EVQ;
		e->ev_n--;
	}
	ev = &e->evq[(e->ev_head + e->ev_n) % ENG_EVQ];
	e->ev_n++;
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	if (sa) {
		ev->ike_sa_id = sa->id;
		ev->spi_i = be64(sa->spi_i);
		ev->spi_r = be64(sa->spi_r);
		snprintf(ev->conn, sizeof(ev->conn), "%s",
			 e->conns[sa->conn].c.name);
		ev->local = sa->local;
		ev->remote = sa->remote;
	}
	return ev;
}

PP_EXPORT int pp_ike_event(struct pp_ike *ike, struct pp_ike_event *ev)
{
	if (!ike || !ev)
		return -EINVAL;
	if (ike->ev_n == 0)
		return 0;
	*ev = ike->evq[ike->ev_head];
	pp_ike_event_wipe(&ike->evq[ike->ev_head]);
	ike->ev_head = (ike->ev_head + 1) % ENG_EVQ;
	ike->ev_n--;
	return 1;
}

/* ---------------------------------------------------------------------- */
/* SA table                                                               */
/* ---------------------------------------------------------------------- */

static unsigned int count_sas(const struct pp_ike *e)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < e->max_sas; i++)
		n += e->sas[i] != NULL;
	return n;
}

static unsigned int count_half_open(const struct pp_ike *e)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < e->max_sas; i++)
		n += e->sas[i] && e->sas[i]->state == S_HALF_OPEN;
	return n;
}

static struct eng_sa *sa_by_id(struct pp_ike *e, uint32_t id)
{
	for (unsigned int i = 0; i < e->max_sas; i++)
		if (e->sas[i] && e->sas[i]->id == id)
			return e->sas[i];
	return NULL;
}

static struct eng_sa *sa_alloc(struct pp_ike *e, unsigned int conn,
			       bool initiator, uint64_t now)
{
	struct eng_sa *sa;

	for (unsigned int i = 0; i < e->max_sas; i++) {
		if (e->sas[i])
			continue;
		sa = calloc(1, sizeof(*sa));
		if (!sa)
			return NULL;
		sa->id = ++e->next_sa_id;
		if (sa->id == 0)
			sa->id = ++e->next_sa_id;
		sa->conn = conn;
		sa->initiator = initiator;
		sa->created = now;
		sa->last_rx = now;
		sa->last_tx = now;
		e->sas[i] = sa;
		return sa;
	}
	return NULL;
}

static void child_release_vip(struct pp_ike *e, struct eng_sa *sa)
{
	struct eng_conn *c = &e->conns[sa->conn];

	if (!sa->vip_ours)
		return;
	if (sa->vip.has_ip4 && c->pool4)
		(void)ike_pool_release(c->pool4, sa->vip.ip4);
	if (sa->vip.has_ip6 && c->pool6)
		(void)ike_pool_release(c->pool6, sa->vip.ip6);
	sa->vip.has_ip4 = sa->vip.has_ip6 = false;
}

/* Wipe and free; no events. */
static void sa_free(struct pp_ike *e, struct eng_sa *sa)
{
	for (unsigned int i = 0; i < e->max_sas; i++)
		if (e->sas[i] == sa)
			e->sas[i] = NULL;
	child_release_vip(e, sa);
	ike_dh_fini(&sa->dh);
	ike_dh_fini(&sa->cx_dh);
	ike_sk_cipher_fini(&sa->sk_out);
	ike_sk_cipher_fini(&sa->sk_in);
	ike_sa_keys_wipe(&sa->keys);
	if (sa->reasm) {
		OPENSSL_cleanse(sa->reasm, sizeof(*sa->reasm));
		free(sa->reasm);
	}
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

static struct eng_child *child_by_id(struct eng_sa *sa, uint32_t id)
{
	for (unsigned int i = 0; i < ENG_CHILDREN; i++)
		if (sa->ch[i].used && sa->ch[i].id == id)
			return &sa->ch[i];
	return NULL;
}

static struct eng_child *child_by_spi_out(struct eng_sa *sa, uint32_t spi)
{
	for (unsigned int i = 0; i < ENG_CHILDREN; i++)
		if (sa->ch[i].used && sa->ch[i].spi_out == spi)
			return &sa->ch[i];
	return NULL;
}

static struct eng_child *child_slot(struct eng_sa *sa)
{
	for (unsigned int i = 0; i < ENG_CHILDREN; i++)
		if (!sa->ch[i].used)
			return &sa->ch[i];
	return NULL;
}

static void ev_child_fill(struct pp_ike *e, const struct eng_sa *sa,
			  const struct eng_child *ch, struct pp_ike_child *c)
{
	const struct pp_ike_conn *cf = sa_conn(e, sa);

	c->child_id = ch->id;
	c->spi_in = ch->spi_in;
	c->spi_out = ch->spi_out;
	c->mode = cf->mode;
	c->cipher = esp_cipher(ch->suite.encr);
	c->integ = esp_integ(ch->suite.integ);
	c->esn = ch->esn;
	c->udp_encap = ch->udp_encap;
	c->dh_group = ch->dh_group;
	c->local = sa->local;
	c->remote = sa->remote;
	memcpy(c->local_ts, ch->lts, sizeof(c->local_ts));
	memcpy(c->remote_ts, ch->rts, sizeof(c->remote_ts));
	c->n_local_ts = ch->n_lts;
	c->n_remote_ts = ch->n_rts;
	c->soft_bytes = cf->child_rekey_bytes;
	c->soft_packets = cf->child_rekey_packets;
	if (cf->child_rekey_bytes)
		c->hard_bytes = cf->child_rekey_bytes +
				cf->child_rekey_bytes / 10;
	if (cf->child_rekey_packets)
		c->hard_packets = cf->child_rekey_packets +
				  cf->child_rekey_packets / 10;
}

static void child_down(struct pp_ike *e, struct eng_sa *sa,
		       struct eng_child *ch, enum pp_ike_reason r)
{
	struct pp_ike_event *ev = ev_new(e, sa, PP_IKE_EV_CHILD_DOWN);

	ev->reason = r;
	ev_child_fill(e, sa, ch, &ev->child); /* no keys in a DOWN event */
	e->st.child_down++;
	OPENSSL_cleanse(ch, sizeof(*ch));
}

/* Every child down, IKE_DOWN, free. */
static void sa_down(struct pp_ike *e, struct eng_sa *sa, enum pp_ike_reason r)
{
	struct pp_ike_event *ev;
	bool was_up = sa->state == S_ESTABLISHED || sa->state == S_DELETING ||
		      sa->state == S_REKEYED;
	struct eng_conn *c = &e->conns[sa->conn];

	for (unsigned int i = 0; i < ENG_CHILDREN; i++)
		if (sa->ch[i].used)
			child_down(e, sa, &sa->ch[i],
				   r == PP_IKE_R_REKEYED ? PP_IKE_R_REKEYED : r);
	if (r != PP_IKE_R_REKEYED) {
		ev = ev_new(e, sa, PP_IKE_EV_IKE_DOWN);
		ev->reason = r;
		ev->peer_id = sa->peer_id;
		e->st.ike_down++;
	}
	if (r != PP_IKE_R_NONE && r < PP_IKE_R__COUNT &&
	    r != PP_IKE_R_LOCAL_DELETE && r != PP_IKE_R_PEER_DELETE &&
	    r != PP_IKE_R_REKEYED)
		e->st.fail[r]++;
	if (sa->ours && c->c.auto_reconnect && was_up &&
	    (r == PP_IKE_R_DPD || r == PP_IKE_R_TIMEOUT ||
	     r == PP_IKE_R_EXPIRED))
		c->reconnect_at = e->now ? e->now : 1;
	sa_free(e, sa);
}

/* ---------------------------------------------------------------------- */
/* Building and sending messages                                          */
/* ---------------------------------------------------------------------- */

typedef int (*inner_fn)(struct pp_ike *e, struct eng_sa *sa, void *arg,
			struct ike_gen *g);

static void hdr_for(const struct eng_sa *sa, uint8_t exch, bool response,
		    uint32_t mid, struct ike_hdr *h)
{
	memset(h, 0, sizeof(*h));
	h->spi_i = be64(sa->spi_i);
	h->spi_r = be64(sa->spi_r);
	h->version = PP_IKE_VERSION;
	h->exchange = exch;
	h->flags = (uint8_t)((sa->initiator ? PP_IKE_FLAG_I : 0) |
			     (response ? PP_IKE_FLAG_R : 0));
	h->msg_id = mid;
}

static int gen_notify(struct ike_gen *g, uint16_t type, const void *data,
		      size_t len)
{
	struct ike_notify n;

	memset(&n, 0, sizeof(n));
	n.type = type;
	n.data = data;
	n.len = len;
	return ike_gen_notify(g, &n);
}

static int gen_notify_spi(struct ike_gen *g, uint16_t type, uint8_t proto,
			  uint32_t spi, const void *data, size_t len)
{
	struct ike_notify n;

	memset(&n, 0, sizeof(n));
	n.type = type;
	n.protocol = proto;
	n.spi_size = 4;
	put_be32(n.spi, spi);
	n.data = data;
	n.len = len;
	return ike_gen_notify(g, &n);
}

static size_t frag_limit(const struct pp_ike *e, const struct eng_sa *sa)
{
	uint16_t fs = sa_conn(e, sa)->fragment_size;

	return fs ? fs : 1280;
}

/*
 * Build an encrypted message whose inner payloads @fn appends, into @tx.
 * When fragmentation was negotiated and the message (with the non-ESP
 * marker) would exceed the fragment size, RFC 7383 fragments are built
 * instead.
 */
static int build_sk(struct pp_ike *e, struct eng_sa *sa, uint8_t exch,
		    bool response, uint32_t mid, inner_fn fn, void *arg,
		    struct eng_tx *tx)
{
	struct ike_gen g;
	struct ike_hdr h;
	struct ike_sk_layout lay;
	struct ike_sk_frame f;
	size_t len = 0, marker = sa->local.port != ENG_IKE_PORT ? 4 : 0;
	int rc;

	hdr_for(sa, exch, response, mid, &h);
	ike_gen_init(&g, tx->buf, sizeof(tx->buf), &h);
	ike_gen_sk_begin(&g, sa->sk_out.iv_len);
	rc = fn(e, sa, arg, &g);
	if (!rc)
		rc = ike_gen_sk_end(&g, sa->sk_out.block, sa->sk_out.icv_len,
				    &lay);
	if (!rc)
		rc = ike_gen_finish(&g, &len);
	if (rc) {
		eng_log(e, sa, PP_LOG_ERR, "cannot build %s %s: %s",
			ike_exch_name(exch), response ? "response" : "request",
			strerror(-rc));
		return rc;
	}
	if (sa->peer_frag && sa_conn(e, sa)->fragmentation &&
	    len + marker > frag_limit(e, sa)) {
		struct ike_frag_out fo;
		size_t clen = 0;

		ike_gen_init_chain(&g, e->scratch, sizeof(e->scratch));
		rc = fn(e, sa, arg, &g);
		if (!rc)
			rc = ike_gen_finish(&g, &clen);
		if (!rc)
			rc = ike_frag_build(&sa->sk_out, &h, g.first,
					    e->scratch, clen,
					    frag_limit(e, sa), marker != 0,
					    tx->buf, sizeof(tx->buf), &fo);
		OPENSSL_cleanse(e->scratch, clen);
		if (!rc && fo.n > sizeof(tx->off) / sizeof(tx->off[0]))
			rc = -EMSGSIZE;
		if (rc) {
			eng_log(e, sa, PP_LOG_ERR,
				"cannot fragment %s of %zu bytes: %s",
				ike_exch_name(exch), len, strerror(-rc));
			return rc;
		}
		tx->n = fo.n;
		for (unsigned int i = 0; i < fo.n; i++) {
			tx->off[i] = fo.off[i];
			tx->len[i] = fo.len[i];
		}
		return 0;
	}
	memset(&f, 0, sizeof(f));
	f.msg_off = 0;
	f.sk_off = lay.pld_off;
	f.sk_hdr_len = lay.iv_off - lay.pld_off;
	f.iv_len = lay.iv_len;
	f.pad_len = tx->buf[lay.ct_off + lay.ct_len - 1];
	f.pt_len = lay.ct_len - 1 - f.pad_len;
	f.icv_len = lay.icv_len;
	rc = ike_sk_seal(&sa->sk_out, tx->buf, len, &f, NULL);
	if (rc) {
		eng_log(e, sa, PP_LOG_ERR, "cannot seal %s: %s",
			ike_exch_name(exch), strerror(-rc));
		return rc;
	}
	tx->n = 1;
	tx->off[0] = 0;
	tx->len[0] = len;
	return 0;
}

static void tx_send(struct pp_ike *e, struct eng_sa *sa,
		    const struct eng_tx *tx)
{
	for (size_t i = 0; i < tx->n; i++)
		out_push(e, &sa->local, &sa->remote, tx->buf + tx->off[i],
			 tx->len[i], false);
	sa->last_tx = e->now;
}

static uint64_t rtx_delay(const struct pp_ike *e, unsigned int n)
{
	uint64_t d = e->rtx_base;

	for (unsigned int i = 0; i < n && d < (1ull << 40); i++)
		d = d * 18 / 10;
	return d;
}

/* Send a request built into sa->tx and arm its retransmission. */
static void req_start(struct pp_ike *e, struct eng_sa *sa, enum req_kind k,
		      uint32_t mid)
{
	sa->req = k;
	sa->req_mid = mid;
	sa->rtx_count = 0;
	sa->rtx_at = e->now + rtx_delay(e, 0);
	tx_send(e, sa, &sa->tx);
}

static int sk_request(struct pp_ike *e, struct eng_sa *sa, enum req_kind k,
		      uint8_t exch, inner_fn fn, void *arg)
{
	uint32_t mid = sa->mid_next;
	int rc;

	rc = build_sk(e, sa, exch, false, mid, fn, arg, &sa->tx);
	if (rc)
		return rc;
	sa->mid_next++;
	req_start(e, sa, k, mid);
	return 0;
}

/* Build, cache and send the response to the peer's request @mid. */
static int sk_response(struct pp_ike *e, struct eng_sa *sa, uint8_t exch,
		       uint32_t mid, inner_fn fn, void *arg)
{
	int rc = build_sk(e, sa, exch, true, mid, fn, arg, &sa->rx_resp);

	if (rc) {
		sa->have_resp = false;
		return rc;
	}
	sa->have_resp = true;
	tx_send(e, sa, &sa->rx_resp);
	return 0;
}

static int inner_empty(struct pp_ike *e, struct eng_sa *sa, void *arg,
		       struct ike_gen *g)
{
	(void)e;
	(void)sa;
	(void)arg;
	(void)g;
	return 0;
}

struct notify_arg {
	uint16_t type;
	const void *data;
	size_t len;
};

static int inner_notify(struct pp_ike *e, struct eng_sa *sa, void *arg,
			struct ike_gen *g)
{
	const struct notify_arg *n = arg;

	(void)e;
	(void)sa;
	return gen_notify(g, n->type, n->data, n->len);
}

static void respond_notify(struct pp_ike *e, struct eng_sa *sa, uint8_t exch,
			   uint32_t mid, uint16_t type)
{
	struct notify_arg n = { .type = type };

	(void)sk_response(e, sa, exch, mid, inner_notify, &n);
}

/* ---------------------------------------------------------------------- */
/* Chain helpers                                                          */
/* ---------------------------------------------------------------------- */

static bool chain_notify(const struct ike_chain *c, uint16_t type,
			 struct ike_notify *out)
{
	for (unsigned int i = 0; i < c->n; i++) {
		struct ike_notify n;

		if (c->pld[i].type != PP_IKE_PLD_NOTIFY ||
		    ike_notify_parse(ike_pld_body(c, i), c->pld[i].body_len,
				     &n, NULL))
			continue;
		if (n.type == type) {
			if (out)
				*out = n;
			return true;
		}
	}
	return false;
}

/* First error notify (type < 16384), 0 if none. */
static uint16_t chain_error(const struct ike_chain *c, struct ike_notify *out)
{
	for (unsigned int i = 0; i < c->n; i++) {
		struct ike_notify n;

		if (c->pld[i].type != PP_IKE_PLD_NOTIFY ||
		    ike_notify_parse(ike_pld_body(c, i), c->pld[i].body_len,
				     &n, NULL))
			continue;
		if (n.type != 0 && n.type <= PP_IKE_N_ERROR_MAX) {
			if (out)
				*out = n;
			return n.type;
		}
	}
	return 0;
}

static enum pp_ike_reason reason_of_notify(uint16_t n)
{
	switch (n) {
	case PP_IKE_N_NO_PROPOSAL_CHOSEN:
		return PP_IKE_R_NO_PROPOSAL;
	case PP_IKE_N_INVALID_KE_PAYLOAD:
		return PP_IKE_R_INVALID_KE;
	case PP_IKE_N_AUTHENTICATION_FAILED:
		return PP_IKE_R_AUTH_FAILED;
	case PP_IKE_N_TS_UNACCEPTABLE:
		return PP_IKE_R_TS_UNACCEPTABLE;
	case PP_IKE_N_INTERNAL_ADDRESS_FAILURE:
	case PP_IKE_N_FAILED_CP_REQUIRED:
		return PP_IKE_R_NO_ADDRESS;
	default:
		return PP_IKE_R_PEER_ERROR;
	}
}

static bool id_matches(const struct pp_ike_id *want, const struct ike_id *got)
{
	if (want->type == PP_IKE_IDT_NONE)
		return true;
	return got->type == (uint8_t)want->type && got->len == want->len &&
	       !memcmp(got->data, want->data, got->len);
}

static void id_store(struct pp_ike_id *dst, const struct ike_id *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->type = (enum pp_ike_id_type)src->type;
	dst->len = (uint16_t)(src->len > PP_IKE_ID_MAX ? PP_IKE_ID_MAX
						       : src->len);
	memcpy(dst->data, src->data, dst->len);
}

struct eng_conn;
static int gen_certreq(const struct eng_conn *c, struct ike_gen *g);

/* Remove KE transforms (IKE_AUTH Child SA proposals, §1.2). */
static void strip_ke(struct ike_sa *s)
{
	for (unsigned int p = 0; p < s->n_proposals; p++) {
		struct ike_proposal *pr = &s->prop[p];
		unsigned int k = 0;

		for (unsigned int i = 0; i < pr->n_transforms; i++)
			if (pr->xf[i].type != PP_IKE_TRANSFORM_DH)
				pr->xf[k++] = pr->xf[i];
		pr->n_transforms = (uint8_t)k;
	}
}

/* ---------------------------------------------------------------------- */
/* Keys                                                                   */
/* ---------------------------------------------------------------------- */

static void keylog_ike(struct pp_ike *e, const struct eng_sa *sa)
{
	char line[1024];

	if (!e->prm.keylog_fn)
		return;
	if (ike_keylog_ikev2(sa->spi_i, sa->spi_r, &sa->suite, &sa->keys,
			     line, sizeof(line)) > 0)
		e->prm.keylog_fn(e->prm.keylog_opaque, PP_IKE_KEYLOG_IKEV2,
				 line);
	OPENSSL_cleanse(line, sizeof(line));
}

static void keylog_child(struct pp_ike *e, const struct pp_ike_child *c)
{
	char line[1024];

	if (!e->prm.keylog_fn)
		return;
	for (int in = 0; in < 2; in++)
		if (ike_keylog_esp_sa(c, in != 0, line, sizeof(line)) > 0)
			e->prm.keylog_fn(e->prm.keylog_opaque,
					 PP_IKE_KEYLOG_ESP_SA, line);
	OPENSSL_cleanse(line, sizeof(line));
}

/* Key the SK contexts from sa->keys. */
static int sa_key_ciphers(struct pp_ike *e, struct eng_sa *sa)
{
	int rc;

	ike_sk_cipher_fini(&sa->sk_out);
	ike_sk_cipher_fini(&sa->sk_in);
	rc = ike_sk_cipher_init_sa(&sa->sk_out, &sa->suite, &sa->keys,
				   sa->initiator);
	if (!rc)
		rc = ike_sk_cipher_init_sa(&sa->sk_in, &sa->suite, &sa->keys,
					   !sa->initiator);
	if (rc) {
		eng_log(e, sa, PP_LOG_ERR, "cannot key SK ciphers: %s",
			strerror(-rc));
		return rc;
	}
	sa->keyed = true;
	keylog_ike(e, sa);
	return 0;
}

static int sa_derive(struct pp_ike *e, struct eng_sa *sa,
		     const struct ike_ke *peer)
{
	uint8_t gir[IKE_DH_SECRET_MAX];
	int rc;

	rc = ike_dh_derive(&sa->dh, peer->data, peer->len, gir, sizeof(gir));
	if (!rc)
		rc = ike_derive_ike_sa_keys(&sa->suite, gir, sa->dh.secret_len,
					    sa->ni, sa->ni_len, sa->nr,
					    sa->nr_len, sa->spi_i, sa->spi_r,
					    &sa->keys);
	OPENSSL_cleanse(gir, sizeof(gir));
	ike_dh_fini(&sa->dh);
	if (rc) {
		eng_log(e, sa, PP_LOG_ERR, "key derivation failed: %s%s",
			strerror(-rc),
			rc == -EPROTO ? " (invalid peer KE value)" : "");
		return rc;
	}
	return sa_key_ciphers(e, sa);
}

static void natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8],
		      const struct pp_ike_addr *a, uint8_t out[IKE_NATD_LEN])
{
	if (ike_natd_hash(spi_i, spi_r, a->bytes, addr_len(a->family),
			  a->port, out))
		memset(out, 0, IKE_NATD_LEN);
}

/* Does any notify @type of @c carry the hash of @a? (absent = true) */
static bool natd_match(const struct ike_chain *c, uint16_t type,
		       const uint8_t spi_i[8], const uint8_t spi_r[8],
		       const struct pp_ike_addr *a, bool *present)
{
	uint8_t h[IKE_NATD_LEN];

	natd_hash(spi_i, spi_r, a, h);
	*present = false;
	for (unsigned int i = 0; i < c->n; i++) {
		struct ike_notify n;

		if (c->pld[i].type != PP_IKE_PLD_NOTIFY ||
		    ike_notify_parse(ike_pld_body(c, i), c->pld[i].body_len,
				     &n, NULL) ||
		    n.type != type)
			continue;
		*present = true;
		if (n.len == IKE_NATD_LEN &&
		    CRYPTO_memcmp(n.data, h, IKE_NATD_LEN) == 0)
			return true;
	}
	return !*present;
}

/* Evaluate NAT-D of an IKE_SA_INIT message received from @src on @dst. */
static void natd_eval(struct pp_ike *e, struct eng_sa *sa,
		      const struct ike_chain *c, const uint8_t spi_r[8],
		      const struct pp_ike_addr *src,
		      const struct pp_ike_addr *dst)
{
	bool p1, p2, src_ok, dst_ok;

	src_ok = natd_match(c, PP_IKE_N_NAT_DETECTION_SOURCE_IP, sa->spi_i,
			    spi_r, src, &p1);
	dst_ok = natd_match(c, PP_IKE_N_NAT_DETECTION_DESTINATION_IP,
			    sa->spi_i, spi_r, dst, &p2);
	sa->nat_remote = p1 && !src_ok;
	sa->nat_local = p2 && !dst_ok;
	if (sa->nat_remote || sa->nat_local)
		eng_log(e, sa, PP_LOG_INFO, "NAT detected: %s%s%s",
			sa->nat_local ? "we are behind a NAT" : "",
			sa->nat_local && sa->nat_remote ? "; " : "",
			sa->nat_remote ? "peer is behind a NAT (or fakes "
					 "NAT-D)" : "");
}

/* @fake: a source hash that matches nothing (force_encap; what
 * strongSwan's encap=yes does) so that the peer encapsulates too. */
static int gen_natd(struct pp_ike *e, struct ike_gen *g,
		    const struct eng_sa *sa, const uint8_t spi_r[8], bool fake)
{
	uint8_t h[IKE_NATD_LEN];

	natd_hash(sa->spi_i, spi_r, &sa->local, h);
	if (fake && eng_rand(e, h, sizeof(h)))
		h[0] ^= 0xff;
	gen_notify(g, PP_IKE_N_NAT_DETECTION_SOURCE_IP, h, sizeof(h));
	natd_hash(sa->spi_i, spi_r, &sa->remote, h);
	return gen_notify(g, PP_IKE_N_NAT_DETECTION_DESTINATION_IP, h,
			  sizeof(h));
}

static void peer_hashes(struct eng_sa *sa, const struct ike_chain *c)
{
	struct ike_notify n;

	sa->peer_hashes_len = 0;
	if (chain_notify(c, PP_IKE_N_SIGNATURE_HASH_ALGORITHMS, &n) &&
	    n.len <= sizeof(sa->peer_hashes) && n.len % 2 == 0) {
		memcpy(sa->peer_hashes, n.data, n.len);
		sa->peer_hashes_len = n.len;
	}
}

/* ---------------------------------------------------------------------- */
/* Cookies (§2.6)                                                         */
/* ---------------------------------------------------------------------- */

static void cookie_rotate(struct pp_ike *e)
{
	if (e->cookie_init && e->now < e->cookie_rotate_at)
		return;
	if (!e->cookie_init) {
		(void)eng_rand(e, e->cookie_secret[1], 32);
		e->cookie_init = true;
	}
	e->cookie_gen++;
	(void)eng_rand(e, e->cookie_secret[e->cookie_gen & 1], 32);
	e->cookie_rotate_at = e->now + ENG_COOKIE_ROTATE_MS;
}

static int cookie_make(struct pp_ike *e, uint8_t gen,
		       const struct ike_nonce *ni,
		       const struct pp_ike_addr *src, uint64_t spi_i,
		       uint8_t out[ENG_COOKIE_LEN])
{
	uint8_t spi[8];
	struct ike_buf in[3];

	for (int i = 0; i < 8; i++)
		spi[i] = (uint8_t)(spi_i >> (56 - 8 * i));
	in[0].p = ni->data;
	in[0].len = ni->len;
	in[1].p = src->bytes;
	in[1].len = addr_len(src->family);
	in[2].p = spi;
	in[2].len = 8;
	out[0] = gen;
	return ike_prf(IKE_PRF_HMAC_SHA2_256, e->cookie_secret[gen & 1], 32,
		       in, 3, out + 1);
}

static bool cookie_ok(struct pp_ike *e, const struct ike_notify *n,
		      const struct ike_nonce *ni,
		      const struct pp_ike_addr *src, uint64_t spi_i)
{
	uint8_t want[ENG_COOKIE_LEN];
	bool ok;

	if (n->len != ENG_COOKIE_LEN)
		return false;
	if (n->data[0] != e->cookie_gen &&
	    n->data[0] != (uint8_t)(e->cookie_gen - 1))
		return false;
	if (cookie_make(e, n->data[0], ni, src, spi_i, want))
		return false;
	ok = CRYPTO_memcmp(want, n->data, ENG_COOKIE_LEN) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

/* ---------------------------------------------------------------------- */
/* IKE_SA_INIT                                                            */
/* ---------------------------------------------------------------------- */

static void local_id(const struct eng_sa *sa, const struct pp_ike_conn *c,
		     struct ike_id *id, uint8_t *body, size_t *body_len)
{
	if (c->local_id.type != PP_IKE_IDT_NONE) {
		id->type = (uint8_t)c->local_id.type;
		id->data = c->local_id.data;
		id->len = c->local_id.len;
	} else {
		id->type = sa->local.family == 6 ? PP_IKE_ID_IPV6_ADDR
						 : PP_IKE_ID_IPV4_ADDR;
		id->data = sa->local.bytes;
		id->len = addr_len(sa->local.family);
	}
	body[0] = id->type;
	body[1] = body[2] = body[3] = 0;
	memcpy(body + 4, id->data, id->len);
	*body_len = 4 + id->len;
}

/* Initiator: (re)build and send IKE_SA_INIT from sa->group and cookie. */
static int init_send(struct pp_ike *e, struct eng_sa *sa)
{
	const struct eng_conn *c = &e->conns[sa->conn];
	static const uint8_t zero[8];
	uint8_t ke[IKE_KE_MAX];
	struct ike_gen g;
	struct ike_hdr h;
	struct ike_ke k;
	size_t len = 0;
	int rc;

	/*
	 * §2.6: a retry with a COOKIE carries the same payloads as the
	 * first request, so the key pair (like Ni) is made once per group;
	 * only INVALID_KE_PAYLOAD (§1.2), which changes sa->group, needs a
	 * new one.
	 */
	rc = 0;
	if (!sa->dh.pkey || sa->dh.group != sa->group) {
		ike_dh_fini(&sa->dh);
		rc = ike_dh_init(&sa->dh, sa->group);
	}
	if (!rc)
		rc = ike_dh_ke_data(&sa->dh, ke, sizeof(ke));
	if (rc) {
		eng_log(e, sa, PP_LOG_ERR, "cannot create KE for group %u: %s",
			sa->group, strerror(-rc));
		return rc;
	}
	memset(sa->spi_r, 0, 8);
	hdr_for(sa, PP_IKE_EXCH_IKE_SA_INIT, false, 0, &h);
	ike_gen_init(&g, sa->tx.buf, sizeof(sa->tx.buf), &h);
	if (sa->cookie_len)
		gen_notify(&g, PP_IKE_N_COOKIE, sa->cookie, sa->cookie_len);
	ike_gen_sa(&g, &c->ike_props);
	k.group = sa->group;
	k.data = ke;
	k.len = sa->dh.ke_len;
	ike_gen_ke(&g, &k);
	ike_gen_nonce(&g, sa->ni, sa->ni_len);
	gen_natd(e, &g, sa, zero, c->c.force_encap);
	if (c->c.fragmentation)
		gen_notify(&g, PP_IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL,
			   0);
	if (c->cred || c->trust) {
		uint8_t algs[16];
		size_t n = ike_sig_hash_algs(algs, sizeof(algs));

		gen_notify(&g, PP_IKE_N_SIGNATURE_HASH_ALGORITHMS, algs, n);
	}
	rc = ike_gen_finish(&g, &len);
	if (!rc && len > sizeof(sa->init_req))
		rc = -EMSGSIZE;
	if (rc) {
		eng_log(e, sa, PP_LOG_ERR, "cannot build IKE_SA_INIT: %s",
			strerror(-rc));
		return rc;
	}
	memcpy(sa->init_req, sa->tx.buf, len);
	sa->init_req_len = len;
	sa->tx.n = 1;
	sa->tx.off[0] = 0;
	sa->tx.len[0] = len;
	sa->mid_next = 1;
	req_start(e, sa, RQ_INIT, 0);
	return 0;
}

static int find_conn(const struct pp_ike *e, const char *name)
{
	for (unsigned int i = 0; i < e->n_conns; i++)
		if (!strncmp(e->conns[i].c.name, name, PP_IKE_NAME_MAX))
			return (int)i;
	return -1;
}

static int initiate_conn(struct pp_ike *e, unsigned int ci, uint32_t *id)
{
	const struct eng_conn *c = &e->conns[ci];
	struct eng_sa *sa;
	int rc;

	if (c->c.remote.family != 4 && c->c.remote.family != 6)
		return -EINVAL;
	if (count_sas(e) >= e->max_sas)
		return -ENOSPC;
	sa = sa_alloc(e, ci, true, e->now);
	if (!sa)
		return -ENOSPC;
	sa->ours = true;
	sa->local = c->c.local;
	if (sa->local.family == 0)
		sa->local.family = c->c.remote.family;
	if (sa->local.port == 0)
		sa->local.port = ENG_IKE_PORT;
	sa->remote = c->c.remote;
	if (sa->remote.port == 0)
		sa->remote.port = ENG_IKE_PORT;
	rc = eng_rand(e, sa->spi_i, 8);
	if (!rc && be64(sa->spi_i) == 0)
		sa->spi_i[7] = 1;
	sa->ni_len = ENG_NONCE_LEN;
	if (!rc)
		rc = eng_rand(e, sa->ni, sa->ni_len);
	sa->group = ike_prop_dh_group(&c->ike_props.prop[0]);
	if (!rc)
		rc = init_send(e, sa);
	if (rc) {
		sa_free(e, sa);
		return rc;
	}
	sa->state = S_INIT_SENT;
	if (id)
		*id = sa->id;
	eng_log(e, sa, PP_LOG_INFO, "initiating '%s' to %s port %u",
		c->c.name, c->c.remote.family == 6 ? "IPv6" : "IPv4",
		sa->remote.port);
	return 0;
}

PP_EXPORT int pp_ike_initiate(struct pp_ike *ike, const char *conn,
			      uint64_t now_ms, uint32_t *ike_sa_id)
{
	int ci;

	if (!ike || !conn)
		return -EINVAL;
	ike->now = now_ms;
	ci = find_conn(ike, conn);
	if (ci < 0)
		return -ENOENT;
	return initiate_conn(ike, (unsigned int)ci, ike_sa_id);
}

static int send_auth(struct pp_ike *e, struct eng_sa *sa);

static void float_natt(struct eng_sa *sa, const struct pp_ike_conn *c)
{
	if (!(sa->nat_local || sa->nat_remote || c->force_encap))
		return;
	if (sa->local.port == ENG_IKE_PORT)
		sa->local.port = ENG_NATT_PORT;
	if (sa->remote.port == ENG_IKE_PORT)
		sa->remote.port = ENG_NATT_PORT;
	sa->natt = true;
}

static bool ke_tried(const struct eng_sa *sa, uint16_t g)
{
	for (unsigned int i = 0; i < sa->n_ke_tried; i++)
		if (sa->ke_tried[i] == g)
			return true;
	return false;
}

/* Initiator: the IKE_SA_INIT response. */
static void init_response(struct pp_ike *e, struct eng_sa *sa,
			  const struct ike_msg *m,
			  const struct pp_ike_addr *src,
			  const struct pp_ike_addr *dst)
{
	const struct eng_conn *c = &e->conns[sa->conn];
	const struct ike_chain *ch = &m->chain;
	struct ike_notify n;
	struct ike_nonce nr;
	struct ike_ke ke;
	char why[IKE_PROP_WHY_LEN];
	int isa, ike, inn, rc;
	uint16_t err;

	if (chain_notify(ch, PP_IKE_N_COOKIE, &n)) {
		/*
		 * A COOKIE equal to the one our request already carries
		 * answers an earlier transmission (a retransmitted request
		 * without it, or a duplicate): sending again would only
		 * restart the exchange the responder may have answered.
		 */
		if (sa->cookie_len && n.len == sa->cookie_len &&
		    !memcmp(n.data, sa->cookie, n.len)) {
			drop(e, PP_IKE_DROP_COOKIE);
			eng_log(e, sa, PP_LOG_INFO,
				"duplicate COOKIE of %zu bytes (already "
				"sent): ignored", n.len);
			return;
		}
		if (n.len < PP_IKE_COOKIE_MIN || n.len > PP_IKE_COOKIE_MAX ||
		    sa->cookie_tries >= ENG_COOKIE_RETRIES) {
			drop(e, PP_IKE_DROP_COOKIE);
			eng_log(e, sa, PP_LOG_WARNING,
				"COOKIE of %zu bytes after %u retries ignored",
				n.len, sa->cookie_tries);
			return;
		}
		memcpy(sa->cookie, n.data, n.len);
		sa->cookie_len = n.len;
		sa->cookie_tries++;
		if (init_send(e, sa))
			sa_down(e, sa, PP_IKE_R_INTERNAL);
		return;
	}
	err = chain_error(ch, &n);
	if (err == PP_IKE_N_INVALID_KE_PAYLOAD) {
		uint16_t g = n.len == 2 ? (uint16_t)(n.data[0] << 8 | n.data[1])
					: 0;

		if (sa->n_ke_tried < 8)
			sa->ke_tried[sa->n_ke_tried++] = sa->group;
		if (g == 0 || !ike_prop_has_group(&c->ike_props, g) ||
		    ke_tried(sa, g)) {
			eng_log(e, sa, PP_LOG_ERR,
				"INVALID_KE_PAYLOAD asks for group %u: %s", g,
				ke_tried(sa, g) ? "already tried"
						: "not in our proposals");
			sa_down(e, sa, PP_IKE_R_INVALID_KE);
			return;
		}
		eng_log(e, sa, PP_LOG_INFO,
			"INVALID_KE_PAYLOAD: retrying with group %u instead "
			"of %u", g, sa->group);
		sa->group = g;
		if (init_send(e, sa))
			sa_down(e, sa, PP_IKE_R_INTERNAL);
		return;
	}
	if (err) {
		char ours[IKE_PROP_WHY_LEN];

		ike_prop_format(&c->ike_props, ours, sizeof(ours));
		eng_log(e, sa, PP_LOG_ERR, "IKE_SA_INIT refused by peer: "
			"notify %u (%s); we offered %s", err,
			pp_ike_reason_name(reason_of_notify(err)), ours);
		sa_down(e, sa, reason_of_notify(err));
		return;
	}
	isa = ike_chain_find(ch, PP_IKE_PLD_SA, 0);
	ike = ike_chain_find(ch, PP_IKE_PLD_KE, 0);
	inn = ike_chain_find(ch, PP_IKE_PLD_NONCE, 0);
	if (isa < 0 || ike < 0 || inn < 0 || m->hdr.spi_r == 0) {
		drop(e, PP_IKE_DROP_MALFORMED);
		eng_log(e, sa, PP_LOG_WARNING,
			"IKE_SA_INIT response without SA/KE/Nonce/SPIr: "
			"dropped");
		return;
	}
	rc = ike_sa_parse(ike_pld_body(ch, (unsigned int)isa),
			  ch->pld[isa].body_len, IKE_SA_F_RESPONSE, &e->sa_a,
			  NULL);
	if (!rc)
		rc = ike_ke_parse(ike_pld_body(ch, (unsigned int)ike),
				  ch->pld[ike].body_len, &ke, NULL);
	if (!rc)
		rc = ike_nonce_parse(ike_pld_body(ch, (unsigned int)inn),
				     ch->pld[inn].body_len, &nr, NULL);
	if (rc || e->sa_a.n_proposals != 1) {
		drop(e, PP_IKE_DROP_MALFORMED);
		eng_log(e, sa, PP_LOG_WARNING,
			"IKE_SA_INIT response payloads malformed: dropped");
		return;
	}
	if (ike_prop_check_response(&c->ike_props, &e->sa_a.prop[0], why,
				    sizeof(why)) ||
	    ike_prop_suite(&e->sa_a.prop[0], &sa->suite) ||
	    ike_prop_dh_group(&e->sa_a.prop[0]) != sa->group ||
	    ke.group != sa->group) {
		eng_log(e, sa, PP_LOG_ERR,
			"IKE_SA_INIT response: chosen proposal not acceptable "
			"(group %u, KE %u, ours %u): %s",
			ike_prop_dh_group(&e->sa_a.prop[0]), ke.group,
			sa->group, why);
		sa_down(e, sa, PP_IKE_R_NO_PROPOSAL);
		return;
	}
	for (int i = 0; i < 8; i++)
		sa->spi_r[i] = (uint8_t)(m->hdr.spi_r >> (56 - 8 * i));
	memcpy(sa->nr, nr.data, nr.len);
	sa->nr_len = nr.len;
	if (m->hdr.length > sizeof(sa->init_resp)) {
		sa_down(e, sa, PP_IKE_R_INTERNAL);
		return;
	}
	memcpy(sa->init_resp, ch->buf, m->hdr.length);
	sa->init_resp_len = m->hdr.length;
	if (sa_derive(e, sa, &ke)) {
		sa_down(e, sa, PP_IKE_R_PROTOCOL);
		return;
	}
	natd_eval(e, sa, ch, sa->spi_r, src, dst);
	peer_hashes(sa, ch);
	sa->peer_frag = chain_notify(ch, PP_IKE_N_IKEV2_FRAGMENTATION_SUPPORTED,
				     NULL) &&
			c->c.fragmentation;
	float_natt(sa, &c->c);
	sa->req = RQ_NONE;
	if (send_auth(e, sa)) {
		sa_down(e, sa, PP_IKE_R_INTERNAL);
		return;
	}
	sa->state = S_AUTH_SENT;
}

/* Stateless unencrypted answer to an IKE_SA_INIT request. */
static void init_refuse(struct pp_ike *e, const struct ike_msg *m,
			const struct pp_ike_addr *src,
			const struct pp_ike_addr *dst, uint16_t type,
			const uint8_t *data, size_t len)
{
	struct ike_gen g;
	struct ike_hdr h;
	size_t out = 0;

	memset(&h, 0, sizeof(h));
	h.spi_i = m->hdr.spi_i;
	h.version = PP_IKE_VERSION;
	h.exchange = PP_IKE_EXCH_IKE_SA_INIT;
	h.flags = PP_IKE_FLAG_R;
	ike_gen_init(&g, e->scratch, sizeof(e->scratch), &h);
	gen_notify(&g, type, data, len);
	if (ike_gen_finish(&g, &out))
		return;
	out_push(e, dst, src, e->scratch, out, false);
}

static int select_conn(const struct pp_ike *e, const struct pp_ike_addr *src,
		       const struct pp_ike_addr *dst)
{
	for (unsigned int i = 0; i < e->n_conns; i++) {
		const struct pp_ike_conn *c = &e->conns[i].c;

		if (c->local.family && !ip_eq(&c->local, dst))
			continue;
		if (c->remote.family && !ip_eq(&c->remote, src))
			continue;
		return (int)i;
	}
	return -1;
}

struct init_resp_arg {
	const struct ike_proposal *chosen;
	const uint8_t *ke;
	size_t ke_len;
};

/* Responder: an IKE_SA_INIT request (no state exists for it yet). */
static void init_request(struct pp_ike *e, const struct ike_msg *m,
			 const struct pp_ike_addr *src,
			 const struct pp_ike_addr *dst)
{
	const struct ike_chain *ch = &m->chain;
	struct ike_notify cookie;
	struct ike_proposal chosen;
	struct ike_nonce ni;
	struct ike_ke ke;
	struct eng_sa *sa;
	struct eng_conn *c;
	char why[IKE_PROP_WHY_LEN];
	uint8_t ke_out[IKE_KE_MAX];
	int isa, ike, inn, ci, rc;
	uint16_t group;

	/* A retransmission of a request we answered. */
	for (unsigned int i = 0; i < e->max_sas; i++) {
		struct eng_sa *s = e->sas[i];

		if (!s || s->initiator || be64(s->spi_i) != m->hdr.spi_i ||
		    !ip_eq(&s->remote, src))
			continue;
		if (s->state == S_HALF_OPEN && s->init_req_len == ch->len &&
		    !memcmp(s->init_req, ch->buf, ch->len)) {
			e->st.dup_requests++;
			out_push(e, &s->local, &s->remote, s->init_resp,
				 s->init_resp_len, false);
			return;
		}
		drop(e, PP_IKE_DROP_STATE);
		eng_log(e, s, PP_LOG_WARNING,
			"IKE_SA_INIT request for an existing SA: dropped");
		return;
	}
	isa = ike_chain_find(ch, PP_IKE_PLD_SA, 0);
	ike = ike_chain_find(ch, PP_IKE_PLD_KE, 0);
	inn = ike_chain_find(ch, PP_IKE_PLD_NONCE, 0);
	if (isa < 0 || ike < 0 || inn < 0 ||
	    ike_sa_parse(ike_pld_body(ch, (unsigned int)isa),
			 ch->pld[isa].body_len, 0, &e->sa_a, NULL) ||
	    ike_ke_parse(ike_pld_body(ch, (unsigned int)ike),
			 ch->pld[ike].body_len, &ke, NULL) ||
	    ike_nonce_parse(ike_pld_body(ch, (unsigned int)inn),
			    ch->pld[inn].body_len, &ni, NULL)) {
		drop(e, PP_IKE_DROP_MALFORMED);
		eng_log(e, NULL, PP_LOG_WARNING,
			"IKE_SA_INIT request %016llx_i without valid SA/KE/"
			"Nonce: dropped", (unsigned long long)m->hdr.spi_i);
		return;
	}
	/* Cookies (§2.6): only once enough SAs are half-open. */
	if (e->cookie_thr != UINT32_MAX &&
	    count_half_open(e) >= e->cookie_thr) {
		bool have = chain_notify(ch, PP_IKE_N_COOKIE, &cookie);

		cookie_rotate(e);
		if (!have || ch->first != PP_IKE_PLD_NOTIFY ||
		    !cookie_ok(e, &cookie, &ni, src, m->hdr.spi_i)) {
			uint8_t ck[ENG_COOKIE_LEN];

			drop(e, PP_IKE_DROP_COOKIE);
			if (cookie_make(e, e->cookie_gen, &ni, src,
					m->hdr.spi_i, ck))
				return;
			e->st.cookies_sent++;
			init_refuse(e, m, src, dst, PP_IKE_N_COOKIE, ck,
				    sizeof(ck));
			return;
		}
	}
	ci = select_conn(e, src, dst);
	if (ci < 0) {
		drop(e, PP_IKE_DROP_NO_SA);
		eng_log(e, NULL, PP_LOG_WARNING,
			"IKE_SA_INIT request %016llx_i: no connection for this "
			"address pair", (unsigned long long)m->hdr.spi_i);
		return;
	}
	c = &e->conns[ci];
	if (ike_prop_select(&c->ike_props, &e->sa_a, &chosen, why,
			    sizeof(why))) {
		eng_log(e, NULL, PP_LOG_WARNING,
			"ike[-] %016llx_i 0000000000000000_r: %s",
			(unsigned long long)m->hdr.spi_i, why);
		e->st.fail[PP_IKE_R_NO_PROPOSAL]++;
		init_refuse(e, m, src, dst, PP_IKE_N_NO_PROPOSAL_CHOSEN, NULL,
			    0);
		return;
	}
	group = ike_prop_dh_group(&chosen);
	if (ke.group != group) {
		uint8_t gb[2] = { (uint8_t)(group >> 8), (uint8_t)group };

		eng_log(e, NULL, PP_LOG_INFO,
			"ike[-] %016llx_i 0000000000000000_r: KE group %u is "
			"not the selected %u: INVALID_KE_PAYLOAD",
			(unsigned long long)m->hdr.spi_i, ke.group, group);
		e->st.invalid_ke_sent++;
		init_refuse(e, m, src, dst, PP_IKE_N_INVALID_KE_PAYLOAD, gb,
			    2);
		return;
	}
	if (count_sas(e) >= e->max_sas) {
		drop(e, PP_IKE_DROP_LIMIT);
		eng_log(e, NULL, PP_LOG_WARNING,
			"IKE_SA_INIT request %016llx_i: %u IKE SAs (the "
			"maximum): dropped", (unsigned long long)m->hdr.spi_i,
			e->max_sas);
		return;
	}
	if (ch->len > ENG_INIT_CAP) {
		drop(e, PP_IKE_DROP_LIMIT);
		return;
	}
	sa = sa_alloc(e, (unsigned int)ci, false, e->now);
	if (!sa) {
		drop(e, PP_IKE_DROP_LIMIT);
		return;
	}
	for (int i = 0; i < 8; i++)
		sa->spi_i[i] = (uint8_t)(m->hdr.spi_i >> (56 - 8 * i));
	sa->local = *dst;
	sa->remote = *src;
	memcpy(sa->ni, ni.data, ni.len);
	sa->ni_len = ni.len;
	sa->nr_len = ENG_NONCE_LEN;
	sa->group = group;
	memcpy(sa->init_req, ch->buf, ch->len);
	sa->init_req_len = ch->len;
	rc = ike_prop_suite(&chosen, &sa->suite);
	if (!rc)
		rc = eng_rand(e, sa->spi_r, 8);
	if (!rc && be64(sa->spi_r) == 0)
		sa->spi_r[7] = 1;
	if (!rc)
		rc = eng_rand(e, sa->nr, sa->nr_len);
	if (!rc)
		rc = ike_dh_init(&sa->dh, group);
	if (!rc)
		rc = ike_dh_ke_data(&sa->dh, ke_out, sizeof(ke_out));
	if (rc) {
		eng_log(e, sa, PP_LOG_ERR, "IKE_SA_INIT: cannot set up: %s",
			strerror(-rc));
		e->st.fail[PP_IKE_R_INTERNAL]++;
		sa_free(e, sa);
		return;
	}
	{
		struct ike_gen g;
		struct ike_hdr h;
		struct ike_ke k = { .group = group, .data = ke_out,
				    .len = sa->dh.ke_len };
		struct ike_sa one;
		size_t len = 0;
		static const uint8_t zero_spi[8];

		/* the request's hashes were made with SPIr = 0 */
		natd_eval(e, sa, ch, zero_spi, src, dst);
		sa->natt = dst->port != ENG_IKE_PORT;
		sa->peer_frag = c->c.fragmentation &&
				chain_notify(ch,
					     PP_IKE_N_IKEV2_FRAGMENTATION_SUPPORTED,
					     NULL);
		memset(&one, 0, sizeof(one));
		one.n_proposals = 1;
		one.prop[0] = chosen;
		one.prop[0].spi_size = 0;
		hdr_for(sa, PP_IKE_EXCH_IKE_SA_INIT, true, 0, &h);
		ike_gen_init(&g, sa->init_resp, sizeof(sa->init_resp), &h);
		ike_gen_sa(&g, &one);
		ike_gen_ke(&g, &k);
		ike_gen_nonce(&g, sa->nr, sa->nr_len);
		gen_natd(e, &g, sa, sa->spi_r, c->c.force_encap);
		if (sa->peer_frag)
			gen_notify(&g, PP_IKE_N_IKEV2_FRAGMENTATION_SUPPORTED,
				   NULL, 0);
		gen_certreq(c, &g);
		if (c->cred || c->trust) {
			uint8_t algs[16];
			size_t an = ike_sig_hash_algs(algs, sizeof(algs));

			gen_notify(&g, PP_IKE_N_SIGNATURE_HASH_ALGORITHMS,
				   algs, an);
		}
		peer_hashes(sa, ch);
		rc = ike_gen_finish(&g, &len);
		if (!rc)
			rc = sa_derive(e, sa, &ke);
		if (rc) {
			eng_log(e, sa, PP_LOG_ERR,
				"IKE_SA_INIT response not built: %s",
				strerror(-rc));
			e->st.fail[rc == -EPROTO ? PP_IKE_R_PROTOCOL
						 : PP_IKE_R_INTERNAL]++;
			sa_free(e, sa);
			return;
		}
		sa->init_resp_len = len;
	}
	sa->state = S_HALF_OPEN;
	sa->peer_mid = 1;
	sa->half_open_until = e->now + e->half_open_ms;
	out_push(e, &sa->local, &sa->remote, sa->init_resp, sa->init_resp_len,
		 false);
}

/* ---------------------------------------------------------------------- */
/* Child SAs                                                              */
/* ---------------------------------------------------------------------- */

static uint64_t lifetime_ms(struct pp_ike *e, uint32_t rekey_s,
			    uint32_t rand_s, uint64_t *expire)
{
	uint64_t rk = (uint64_t)rekey_s * 1000;
	uint64_t over = (uint64_t)rekey_s * 100; /* 10% */
	uint64_t jit = rand_s ? rand_below(e, rand_s * 1000u) : 0;

	if (jit >= rk)
		jit = 0;
	*expire = e->now + rk + over;
	return e->now + rk - jit;
}

static void child_timers(struct pp_ike *e, struct eng_sa *sa,
			 struct eng_child *ch)
{
	const struct pp_ike_conn *c = sa_conn(e, sa);
	uint64_t rk = (uint64_t)c->child_rekey_s * 1000;
	uint64_t over = c->over_time_s ? (uint64_t)c->over_time_s * 1000
				       : rk / 10;
	uint64_t jit = c->rand_time_s ? rand_below(e, c->rand_time_s * 1000u)
				      : 0;

	if (jit >= rk)
		jit = 0;
	ch->rekey_at = e->now + rk - jit;
	ch->expire_at = e->now + rk + over;
}

static void ike_timers(struct pp_ike *e, struct eng_sa *sa)
{
	const struct pp_ike_conn *c = sa_conn(e, sa);
	uint64_t exp;

	sa->rekey_at = lifetime_ms(e, c->ike_rekey_s, c->rand_time_s, &exp);
	if (c->over_time_s)
		exp = e->now + (uint64_t)c->ike_rekey_s * 1000 +
		      (uint64_t)c->over_time_s * 1000;
	sa->expire_at = exp;
}

struct child_new {
	const struct ike_proposal *prop; /* chosen ESP proposal */
	uint32_t spi_in, spi_out;
	bool exch_initiator; /* we initiated the creating exchange */
	const uint8_t *gir;
	size_t gir_len;
	const uint8_t *ni, *nr;
	size_t ni_len, nr_len;
	const struct pp_ike_ts *lts, *rts;
	unsigned int n_lts, n_rts;
	uint32_t old_id;
	uint16_t dh_group;
	bool silent; /* no event: a redundant SA about to be deleted */
};

static struct eng_child *child_install(struct pp_ike *e, struct eng_sa *sa,
				       const struct child_new *cn)
{
	struct ike_child_keys k;
	struct eng_child *ch = child_slot(sa);
	struct pp_ike_event *ev;
	struct ike_suite s;
	int rc;

	if (!ch) {
		eng_log(e, sa, PP_LOG_ERR, "no room for another Child SA "
			"(%u)", ENG_CHILDREN);
		return NULL;
	}
	rc = ike_prop_suite(cn->prop, &s);
	s.prf = sa->suite.prf;
	if (!rc)
		rc = ike_derive_child_keys(sa->suite.prf, sa->keys.sk_d,
					   sa->keys.prf_len, &s, cn->gir,
					   cn->gir_len, cn->ni, cn->ni_len,
					   cn->nr, cn->nr_len, &k);
	if (rc) {
		eng_log(e, sa, PP_LOG_ERR, "child key derivation failed: %s",
			strerror(-rc));
		return NULL;
	}
	memset(ch, 0, sizeof(*ch));
	ch->used = true;
	ch->id = ++e->next_child_id;
	if (ch->id == 0)
		ch->id = ++e->next_child_id;
	ch->spi_in = cn->spi_in;
	ch->spi_out = cn->spi_out;
	ch->suite = s;
	ch->esn = ike_prop_esn(cn->prop);
	ch->dh_group = cn->dh_group;
	ch->udp_encap = sa->natt && (sa->nat_local || sa->nat_remote ||
				     sa_conn(e, sa)->force_encap);
	ch->n_lts = cn->n_lts > PP_IKE_TS_MAX ? PP_IKE_TS_MAX : cn->n_lts;
	ch->n_rts = cn->n_rts > PP_IKE_TS_MAX ? PP_IKE_TS_MAX : cn->n_rts;
	memcpy(ch->lts, cn->lts, ch->n_lts * sizeof(ch->lts[0]));
	memcpy(ch->rts, cn->rts, ch->n_rts * sizeof(ch->rts[0]));
	child_timers(e, sa, ch);
	e->st.child_up++;
	if (cn->silent) {
		ch->rekeyed = true;
		ike_child_keys_wipe(&k);
		return ch;
	}
	ev = ev_new(e, sa, cn->old_id ? PP_IKE_EV_CHILD_REKEYED
				      : PP_IKE_EV_CHILD_UP);
	ev_child_fill(e, sa, ch, &ev->child);
	ev->child.old_child_id = cn->old_id;
	ev->child.key_len = k.encr_len;
	ev->child.integ_len = k.integ_len;
	if (cn->exch_initiator) {
		memcpy(ev->child.key_out, k.encr_i, k.encr_len);
		memcpy(ev->child.key_in, k.encr_r, k.encr_len);
		memcpy(ev->child.integ_out, k.integ_i, k.integ_len);
		memcpy(ev->child.integ_in, k.integ_r, k.integ_len);
	} else {
		memcpy(ev->child.key_out, k.encr_r, k.encr_len);
		memcpy(ev->child.key_in, k.encr_i, k.encr_len);
		memcpy(ev->child.integ_out, k.integ_r, k.integ_len);
		memcpy(ev->child.integ_in, k.integ_i, k.integ_len);
	}
	ike_child_keys_wipe(&k);
	keylog_child(e, &ev->child);
	return ch;
}

static int new_spi(struct pp_ike *e, uint32_t *spi)
{
	for (int i = 0; i < 16; i++) {
		int rc = eng_rand(e, spi, sizeof(*spi));

		if (rc)
			return rc;
		if (*spi > 255)
			return 0;
	}
	return -EIO;
}

/* Our side's selectors for a Child SA (initiator: TSi = local). */
static unsigned int conn_ts(const struct eng_sa *sa,
			    const struct pp_ike_conn *c,
			    bool local, struct pp_ike_ts *out)
{
	const struct pp_ike_ts *ts = local ? c->local_ts : c->remote_ts;
	unsigned int n = local ? c->n_local_ts : c->n_remote_ts;

	if (n > PP_IKE_TS_MAX)
		n = PP_IKE_TS_MAX;
	if (n) {
		memcpy(out, ts, n * sizeof(*ts));
		return n;
	}
	/* none configured: the outer family, and the families of the
	 * virtual IPs asked for (initiator) or handed out (responder) */
	if (sa->remote.family != 6 || c->request_ip4 || c->pool4_size)
		ike_ts_any(4, &out[n++]);
	if (sa->remote.family == 6 || c->request_ip6 || c->pool6_size)
		ike_ts_any(6, &out[n++]);
	return n;
}

static int gen_ts_list(struct ike_gen *g, uint8_t type,
		       const struct pp_ike_ts *ts, unsigned int n)
{
	struct ike_ts w;

	memset(&w, 0, sizeof(w));
	for (unsigned int i = 0; i < n && i < IKE_TS_MAX; i++)
		ike_ts_to_wire(&ts[i], &w.sel[w.n++]);
	return ike_gen_ts(g, type, &w);
}

static int parse_ts_list(const struct ike_chain *c, uint8_t type,
			 struct pp_ike_ts *out, unsigned int *n)
{
	struct ike_ts w;
	int i = ike_chain_find(c, type, 0);

	*n = 0;
	if (i < 0 || ike_ts_parse(ike_pld_body(c, (unsigned int)i),
				  c->pld[i].body_len, &w, NULL))
		return -EBADMSG;
	for (unsigned int k = 0; k < w.n && k < PP_IKE_TS_MAX; k++)
		ike_ts_from_wire(&w.sel[k], &out[(*n)++]);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* IKE_AUTH                                                               */
/* ---------------------------------------------------------------------- */

static const uint8_t *psk_for(const struct eng_conn *c, bool local,
			      size_t *len)
{
	if (local ? c->psk_l : c->psk_r) {
		*len = local ? c->psk_l_len : c->psk_r_len;
		return local ? c->psk_l : c->psk_r;
	}
	*len = local ? c->psk_r_len : c->psk_l_len;
	return local ? c->psk_r : c->psk_l;
}

/*
 * The signed octets of one AUTH (§2.15): RealMessage | Nonce | MACedID,
 * ours (@ours) or the peer's, into e->octets.
 */
static int auth_octets(struct pp_ike *e, struct eng_sa *sa, bool ours,
		       const uint8_t *id_body, size_t id_len, size_t *len)
{
	bool i_side = ours == sa->initiator; /* octets of the initiator */
	const uint8_t *msg = i_side ? sa->init_req : sa->init_resp;
	size_t msg_len = i_side ? sa->init_req_len : sa->init_resp_len;
	const uint8_t *nonce = i_side ? sa->nr : sa->ni;
	size_t nonce_len = i_side ? sa->nr_len : sa->ni_len;
	size_t prf_len = ike_prf_len(sa->suite.prf);

	if (msg_len + nonce_len + prf_len > sizeof(e->octets))
		return -ENOSPC;
	memcpy(e->octets, msg, msg_len);
	memcpy(e->octets + msg_len, nonce, nonce_len);
	*len = msg_len + nonce_len + prf_len;
	return ike_maced_id(sa->suite.prf,
			    i_side ? sa->keys.sk_pi : sa->keys.sk_pr,
			    sa->keys.prf_len, id_body, id_len,
			    e->octets + msg_len + nonce_len);
}

/* Our AUTH payload: PSK MIC or RFC 7427 signature. */
static int gen_auth(struct pp_ike *e, struct eng_sa *sa, struct ike_gen *g,
		    const uint8_t *id_body, size_t id_len)
{
	const struct eng_conn *c = &e->conns[sa->conn];
	struct ike_auth_octets o;
	struct ike_auth a;
	uint8_t auth[IKE_SIG_MAX];
	size_t psk_len, alen = 0, olen = 0;
	const uint8_t *psk;
	int rc;

	if (c->cred) {
		rc = auth_octets(e, sa, true, id_body, id_len, &olen);
		if (!rc)
			rc = ike_sig_sign(c->cred,
					  sa->peer_hashes_len ? sa->peer_hashes
							      : NULL,
					  sa->peer_hashes_len, e->octets, olen,
					  auth, sizeof(auth), &alen);
		OPENSSL_cleanse(e->octets, olen);
		if (rc) {
			eng_log(e, sa, PP_LOG_ERR,
				"cannot sign AUTH: %s (peer hash list %zu "
				"bytes)", strerror(-rc), sa->peer_hashes_len);
			return rc;
		}
		a.method = PP_IKE_AUTH_DIGITAL_SIG;
	} else {
		psk = psk_for(c, true, &psk_len);
		if (!psk)
			return -EINVAL;
		o.real_msg = sa->initiator ? sa->init_req : sa->init_resp;
		o.real_msg_len = sa->initiator ? sa->init_req_len
					       : sa->init_resp_len;
		o.nonce = sa->initiator ? sa->nr : sa->ni;
		o.nonce_len = sa->initiator ? sa->nr_len : sa->ni_len;
		o.sk_p = sa->initiator ? sa->keys.sk_pi : sa->keys.sk_pr;
		o.sk_p_len = sa->keys.prf_len;
		o.id_body = id_body;
		o.id_body_len = id_len;
		rc = ike_psk_auth(sa->suite.prf, psk, psk_len, &o, auth);
		if (rc)
			return rc;
		alen = ike_prf_len(sa->suite.prf);
		a.method = PP_IKE_AUTH_SHARED_KEY_MIC;
	}
	a.data = auth;
	a.len = alen;
	rc = ike_gen_auth(g, &a);
	OPENSSL_cleanse(auth, sizeof(auth));
	return rc;
}

/* CERT payloads of our credential (end entity first). */
static int gen_certs(const struct eng_conn *c, struct ike_gen *g)
{
	struct ike_cert ct = { .encoding = PP_IKE_CERT_X509_SIG };

	if (!c->cred)
		return 0;
	ct.data = ike_cred_cert_der(c->cred, &ct.len);
	ike_gen_cert(g, &ct);
	for (unsigned int i = 0; i < ike_cred_n_inter(c->cred); i++) {
		ct.data = ike_cred_inter_der(c->cred, i, &ct.len);
		if (ct.data)
			ike_gen_cert(g, &ct);
	}
	return g->err;
}

static int gen_certreq(const struct eng_conn *c, struct ike_gen *g)
{
	uint8_t req[20 * 16];
	struct ike_cert cr = { .encoding = PP_IKE_CERT_X509_SIG };
	size_t len = 0;

	if (!c->trust || ike_trust_certreq(c->trust, req, sizeof(req), &len))
		return g->err;
	cr.data = req;
	cr.len = len;
	return ike_gen_certreq(g, &cr);
}

/*
 * Verify the peer's AUTH (@id_idx: its IDi/IDr payload in @ch). Returns
 * PP_IKE_R_NONE or the reason; logs one line on failure.
 */
static enum pp_ike_reason verify_peer(struct pp_ike *e, struct eng_sa *sa,
				      const struct ike_chain *ch, int id_idx,
				      const struct ike_id *id,
				      const struct ike_auth *a)
{
	const struct eng_conn *c = &e->conns[sa->conn];
	const uint8_t *body = ike_pld_body(ch, (unsigned int)id_idx);
	size_t blen = ch->pld[id_idx].body_len, psk_len, olen = 0;
	const uint8_t *psk;
	struct ike_auth_octets o;
	char why[IKE_CERT_WHY_LEN];
	int rc;

	if (!id_matches(&c->c.remote_id, id)) {
		eng_log(e, sa, PP_LOG_ERR,
			"peer identity (type %u, %zu bytes) is not the "
			"configured remote ID", id->type, id->len);
		return PP_IKE_R_AUTH_FAILED;
	}
	if (c->trust) {
		const uint8_t *inter[IKE_CERT_INTER_MAX];
		size_t inter_len[IKE_CERT_INTER_MAX];
		const uint8_t *ee = NULL;
		size_t ee_len = 0;
		unsigned int n_inter = 0;
		struct pp_ike_id pid;

		for (unsigned int i = 0; i < ch->n; i++) {
			struct ike_cert ct;

			if (ch->pld[i].type != PP_IKE_PLD_CERT ||
			    ike_cert_parse(ike_pld_body(ch, i),
					   ch->pld[i].body_len, &ct, NULL) ||
			    ct.encoding != PP_IKE_CERT_X509_SIG)
				continue;
			if (!ee) {
				ee = ct.data;
				ee_len = ct.len;
			} else if (n_inter < IKE_CERT_INTER_MAX) {
				inter[n_inter] = ct.data;
				inter_len[n_inter++] = ct.len;
			}
		}
		if (!ee) {
			eng_log(e, sa, PP_LOG_ERR,
				"peer sent no X.509 certificate (AUTH method "
				"%u)", a->method);
			return PP_IKE_R_CERT;
		}
		id_store(&pid, id);
		rc = auth_octets(e, sa, false, body, blen, &olen);
		if (!rc)
			rc = ike_sig_verify(c->trust, ee, ee_len, inter,
					    inter_len, n_inter, &pid, a->method,
					    a->data, a->len, e->octets, olen, 0,
					    why, sizeof(why));
		OPENSSL_cleanse(e->octets, olen);
		if (rc) {
			eng_log(e, sa, PP_LOG_ERR,
				"certificate authentication failed: %s",
				rc == -EACCES ? why : strerror(-rc));
			return PP_IKE_R_CERT;
		}
		return PP_IKE_R_NONE;
	}
	psk = psk_for(c, false, &psk_len);
	if (a->method != PP_IKE_AUTH_SHARED_KEY_MIC || !psk) {
		eng_log(e, sa, PP_LOG_ERR,
			"peer AUTH method %u, expected %u (PSK)", a->method,
			PP_IKE_AUTH_SHARED_KEY_MIC);
		return PP_IKE_R_AUTH_FAILED;
	}
	o.real_msg = sa->initiator ? sa->init_resp : sa->init_req;
	o.real_msg_len = sa->initiator ? sa->init_resp_len : sa->init_req_len;
	o.nonce = sa->initiator ? sa->ni : sa->nr;
	o.nonce_len = sa->initiator ? sa->ni_len : sa->nr_len;
	o.sk_p = sa->initiator ? sa->keys.sk_pr : sa->keys.sk_pi;
	o.sk_p_len = sa->keys.prf_len;
	o.id_body = body;
	o.id_body_len = blen;
	if (ike_psk_auth_verify(sa->suite.prf, psk, psk_len, &o, a->data,
				a->len)) {
		eng_log(e, sa, PP_LOG_ERR,
			"AUTH (PSK) of the %s does not verify",
			sa->initiator ? "responder" : "initiator");
		return PP_IKE_R_AUTH_FAILED;
	}
	return PP_IKE_R_NONE;
}

static int inner_auth_req(struct pp_ike *e, struct eng_sa *sa, void *arg,
			  struct ike_gen *g)
{
	const struct eng_conn *c = &e->conns[sa->conn];
	uint8_t body[4 + PP_IKE_ID_MAX];
	struct pp_ike_ts tsi[PP_IKE_TS_MAX], tsr[PP_IKE_TS_MAX];
	struct ike_id id;
	size_t blen;
	unsigned int ni, nr;
	int rc;

	(void)arg;
	local_id(sa, &c->c, &id, body, &blen);
	ike_gen_id(g, PP_IKE_PLD_IDI, &id);
	if (c->c.remote_id.type != PP_IKE_IDT_NONE) {
		struct ike_id r = { .type = (uint8_t)c->c.remote_id.type,
				    .data = c->c.remote_id.data,
				    .len = c->c.remote_id.len };

		ike_gen_id(g, PP_IKE_PLD_IDR, &r);
	}
	gen_certs(c, g);
	gen_certreq(c, g);
	rc = gen_auth(e, sa, g, body, blen);
	if (rc)
		return rc;
	if (c->c.request_ip4 || c->c.request_ip6 || c->c.request_dns) {
		struct ike_cp cp;

		memset(&cp, 0, sizeof(cp));
		cp.cfg_type = PP_IKE_CFG_REQUEST;
		if (c->c.request_ip4)
			cp.attr[cp.n++].type = PP_IKE_CP_INTERNAL_IP4_ADDRESS;
		if (c->c.request_ip6)
			cp.attr[cp.n++].type = PP_IKE_CP_INTERNAL_IP6_ADDRESS;
		if (c->c.request_dns) {
			cp.attr[cp.n++].type = PP_IKE_CP_INTERNAL_IP4_DNS;
			cp.attr[cp.n++].type = PP_IKE_CP_INTERNAL_IP6_DNS;
		}
		ike_gen_cp(g, &cp);
	}
	if (c->c.initial_contact)
		gen_notify(g, PP_IKE_N_INITIAL_CONTACT, NULL, 0);
	if (c->c.mode == PP_ESP_MODE_TRANSPORT)
		gen_notify(g, PP_IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	e->sa_b = c->esp_props;
	strip_ke(&e->sa_b);
	{
		uint8_t spi[4];

		put_be32(spi, sa->child_spi_in);
		ike_prop_set_spi(&e->sa_b, spi, 4);
	}
	ike_gen_sa(g, &e->sa_b);
	ni = conn_ts(sa, &c->c, true, tsi);
	nr = conn_ts(sa, &c->c, false, tsr);
	gen_ts_list(g, PP_IKE_PLD_TSI, tsi, ni);
	return gen_ts_list(g, PP_IKE_PLD_TSR, tsr, nr);
}

static int send_auth(struct pp_ike *e, struct eng_sa *sa)
{
	int rc = new_spi(e, &sa->child_spi_in);

	if (!rc)
		rc = sk_request(e, sa, RQ_AUTH, PP_IKE_EXCH_IKE_AUTH,
				inner_auth_req, NULL);
	return rc;
}

static void ike_up(struct pp_ike *e, struct eng_sa *sa)
{
	struct pp_ike_event *ev;

	sa->state = S_ESTABLISHED;
	ike_timers(e, sa);
	sa->last_rx = e->now;
	ev = ev_new(e, sa, PP_IKE_EV_IKE_UP);
	ev->peer_id = sa->peer_id;
	if (!sa->initiator)
		ev->vip = sa->vip;
	e->st.ike_up++;
	eng_log(e, sa, PP_LOG_INFO, "IKE SA established (%s)",
		sa->initiator ? "initiator" : "responder");
}

/* INITIAL_CONTACT (§2.4): other IKE SAs with the same peer identity go. */
static void initial_contact(struct pp_ike *e, struct eng_sa *sa)
{
	for (unsigned int i = 0; i < e->max_sas; i++) {
		struct eng_sa *o = e->sas[i];

		if (!o || o == sa || o->conn != sa->conn ||
		    o->state != S_ESTABLISHED ||
		    o->peer_id.type != sa->peer_id.type ||
		    o->peer_id.len != sa->peer_id.len ||
		    memcmp(o->peer_id.data, sa->peer_id.data, o->peer_id.len))
			continue;
		eng_log(e, o, PP_LOG_INFO,
			"replaced by ike[%u] (INITIAL_CONTACT)", sa->id);
		sa_down(e, o, PP_IKE_R_REPLACED);
	}
}

struct auth_resp_arg {
	const uint8_t *id_body;
	size_t id_len;
	struct ike_id id;
	uint16_t child_err;
	bool child;
	bool cp;
	struct ike_proposal prop;
	struct pp_ike_ts tsi[PP_IKE_TS_MAX], tsr[PP_IKE_TS_MAX];
	unsigned int n_tsi, n_tsr;
	bool transport;
};

static int gen_cp_reply(struct pp_ike *e, struct eng_sa *sa,
			struct ike_gen *g)
{
	const struct pp_ike_conn *c = sa_conn(e, sa);
	uint8_t v6[17];
	struct ike_cp cp;

	memset(&cp, 0, sizeof(cp));
	cp.cfg_type = PP_IKE_CFG_REPLY;
	if (sa->vip.has_ip4) {
		cp.attr[cp.n].type = PP_IKE_CP_INTERNAL_IP4_ADDRESS;
		cp.attr[cp.n].len = 4;
		cp.attr[cp.n++].value = sa->vip.ip4;
	}
	if (sa->vip.has_ip6) {
		memcpy(v6, sa->vip.ip6, 16);
		v6[16] = 128;
		cp.attr[cp.n].type = PP_IKE_CP_INTERNAL_IP6_ADDRESS;
		cp.attr[cp.n].len = 17;
		cp.attr[cp.n++].value = v6;
	}
	for (unsigned int i = 0; i < c->n_dns4 && i < PP_IKE_DNS_MAX; i++) {
		cp.attr[cp.n].type = PP_IKE_CP_INTERNAL_IP4_DNS;
		cp.attr[cp.n].len = 4;
		cp.attr[cp.n++].value = c->dns4[i];
	}
	for (unsigned int i = 0; i < c->n_dns6 && i < PP_IKE_DNS_MAX; i++) {
		cp.attr[cp.n].type = PP_IKE_CP_INTERNAL_IP6_DNS;
		cp.attr[cp.n].len = 16;
		cp.attr[cp.n++].value = c->dns6[i];
	}
	return ike_gen_cp(g, &cp);
}

static int inner_auth_resp(struct pp_ike *e, struct eng_sa *sa, void *arg,
			   struct ike_gen *g)
{
	struct auth_resp_arg *a = arg;
	int rc;

	ike_gen_id(g, PP_IKE_PLD_IDR, &a->id);
	gen_certs(&e->conns[sa->conn], g);
	rc = gen_auth(e, sa, g, a->id_body, a->id_len);
	if (rc)
		return rc;
	if (a->cp)
		gen_cp_reply(e, sa, g);
	if (a->child_err)
		return gen_notify(g, a->child_err, NULL, 0);
	if (!a->child)
		return rc;
	if (a->transport)
		gen_notify(g, PP_IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	{
		struct ike_sa one;

		memset(&one, 0, sizeof(one));
		one.n_proposals = 1;
		one.prop[0] = a->prop;
		ike_gen_sa(g, &one);
	}
	gen_ts_list(g, PP_IKE_PLD_TSI, a->tsi, a->n_tsi);
	return gen_ts_list(g, PP_IKE_PLD_TSR, a->tsr, a->n_tsr);
}

/* Responder CP: assign from the pools. Returns an error notify or 0. */
static uint16_t cp_assign(struct pp_ike *e, struct eng_sa *sa,
			  const struct ike_cp *cp)
{
	struct eng_conn *c = &e->conns[sa->conn];
	bool want4 = false, want6 = false;

	for (unsigned int i = 0; i < cp->n; i++) {
		if (cp->attr[i].type == PP_IKE_CP_INTERNAL_IP4_ADDRESS)
			want4 = true;
		if (cp->attr[i].type == PP_IKE_CP_INTERNAL_IP6_ADDRESS)
			want6 = true;
	}
	sa->vip_ours = true;
	if (want4 && c->pool4 &&
	    !ike_pool_acquire(c->pool4, &sa->peer_id, sa->vip.ip4))
		sa->vip.has_ip4 = true;
	if (want6 && c->pool6 &&
	    !ike_pool_acquire(c->pool6, &sa->peer_id, sa->vip.ip6)) {
		sa->vip.has_ip6 = true;
		sa->vip.ip6_plen = 128;
	}
	for (unsigned int i = 0; i < c->c.n_dns4 && i < PP_IKE_DNS_MAX; i++)
		memcpy(sa->vip.dns4[sa->vip.n_dns4++], c->c.dns4[i], 4);
	for (unsigned int i = 0; i < c->c.n_dns6 && i < PP_IKE_DNS_MAX; i++)
		memcpy(sa->vip.dns6[sa->vip.n_dns6++], c->c.dns6[i], 16);
	if (!c->pool4 && !c->pool6)
		return 0; /* no pools: the request is ignored */
	if ((want4 || want6) && !sa->vip.has_ip4 && !sa->vip.has_ip6) {
		eng_log(e, sa, PP_LOG_WARNING,
			"CP request for %s%s: no address available (pool "
			"%s)", want4 ? "IPv4 " : "", want6 ? "IPv6" : "",
			(c->pool4 || c->pool6) ? "exhausted" : "none");
		return PP_IKE_N_INTERNAL_ADDRESS_FAILURE;
	}
	return 0;
}

/* Does connection @c accept the IKE suite and group negotiated for @sa? */
static bool conn_fits_ike(struct pp_ike *e, const struct eng_conn *c,
			  const struct eng_sa *sa)
{
	struct ike_proposal *p = &e->sa_a.prop[0], chosen;
	uint8_t n = 0;

	memset(&e->sa_a, 0, sizeof(e->sa_a));
	e->sa_a.n_proposals = 1;
	p->num = 1;
	p->protocol = PP_IKE_PROTO_IKE;
	p->xf[n].type = PP_IKE_TRANSFORM_ENCR;
	p->xf[n].id = sa->suite.encr;
	p->xf[n].has_key_len = sa->suite.encr_bits != 0;
	p->xf[n++].key_len = sa->suite.encr_bits;
	p->xf[n].type = PP_IKE_TRANSFORM_PRF;
	p->xf[n++].id = sa->suite.prf;
	if (sa->suite.integ != PP_IKE_INTEG_NONE) {
		p->xf[n].type = PP_IKE_TRANSFORM_INTEG;
		p->xf[n++].id = sa->suite.integ;
	}
	p->xf[n].type = PP_IKE_TRANSFORM_DH;
	p->xf[n++].id = sa->group;
	p->n_transforms = n;
	return ike_prop_select(&c->ike_props, &e->sa_a, &chosen, NULL, 0) == 0;
}

/* §2.15 responder: IKE_SA_INIT chose a connection by the addresses only;
 * IDi names the one the peer authenticates for. Prefer a connection whose
 * remote ID is exactly IDi, among those that accept the addresses and the
 * negotiated IKE proposal; else keep the current one. */
static void conn_by_peer_id(struct pp_ike *e, struct eng_sa *sa,
			    const struct ike_id *idi)
{
	const struct pp_ike_conn *cur = &e->conns[sa->conn].c;

	if (cur->remote_id.type != PP_IKE_IDT_NONE &&
	    id_matches(&cur->remote_id, idi))
		return;
	for (unsigned int i = 0; i < e->n_conns; i++) {
		const struct eng_conn *c = &e->conns[i];

		if (i == sa->conn || c->c.remote_id.type == PP_IKE_IDT_NONE ||
		    !id_matches(&c->c.remote_id, idi) ||
		    (c->c.local.family && !ip_eq(&c->c.local, &sa->local)) ||
		    (c->c.remote.family && !ip_eq(&c->c.remote, &sa->remote)) ||
		    !conn_fits_ike(e, c, sa))
			continue;
		eng_log(e, sa, PP_LOG_INFO,
			"IDi selects connection '%s' instead of '%s'", c->c.name,
			cur->name);
		sa->conn = i;
		return;
	}
}

/* Responder: the IKE_AUTH request (inner chain in e->inner). */
static void auth_request(struct pp_ike *e, struct eng_sa *sa, uint32_t mid)
{
	struct eng_conn *c = &e->conns[sa->conn];
	const struct ike_chain *ch = &e->inner;
	struct auth_resp_arg arg, *a = &arg;
	struct ike_id idi;
	struct ike_auth au;
	struct ike_cp cp;
	uint8_t idr_body[4 + PP_IKE_ID_MAX];
	char why[IKE_PROP_WHY_LEN];
	int iid = ike_chain_find(ch, PP_IKE_PLD_IDI, 0);
	int iau = ike_chain_find(ch, PP_IKE_PLD_AUTH, 0);
	int isa = ike_chain_find(ch, PP_IKE_PLD_SA, 0);
	int icp = ike_chain_find(ch, PP_IKE_PLD_CP, 0);
	bool has_cp = false;
	struct pp_ike_ts ours_i[PP_IKE_TS_MAX * 2], ours_r[PP_IKE_TS_MAX];
	struct pp_ike_ts th_i[PP_IKE_TS_MAX], th_r[PP_IKE_TS_MAX];
	unsigned int n_oi, n_or, n_ti, n_tr;
	int n;

	memset(a, 0, sizeof(*a));
	if (iid < 0 || iau < 0 ||
	    ike_id_parse(ike_pld_body(ch, (unsigned int)iid),
			 ch->pld[iid].body_len, &idi, NULL) ||
	    ike_auth_parse(ike_pld_body(ch, (unsigned int)iau),
			   ch->pld[iau].body_len, &au, NULL)) {
		eng_log(e, sa, PP_LOG_ERR,
			"IKE_AUTH request without valid IDi/AUTH");
		respond_notify(e, sa, PP_IKE_EXCH_IKE_AUTH, mid,
			       PP_IKE_N_AUTHENTICATION_FAILED);
		sa_down(e, sa, PP_IKE_R_AUTH_FAILED);
		return;
	}
	conn_by_peer_id(e, sa, &idi);
	c = &e->conns[sa->conn];
	{
		enum pp_ike_reason r = verify_peer(e, sa, ch, iid, &idi, &au);

		if (r != PP_IKE_R_NONE) {
			respond_notify(e, sa, PP_IKE_EXCH_IKE_AUTH, mid,
				       PP_IKE_N_AUTHENTICATION_FAILED);
			sa_down(e, sa, r);
			return;
		}
	}
	id_store(&sa->peer_id, &idi);
	local_id(sa, &c->c, &a->id, idr_body, &a->id_len);
	a->id_body = idr_body;

	/* Child SA */
	if (icp >= 0 && !ike_cp_parse(ike_pld_body(ch, (unsigned int)icp),
				      ch->pld[icp].body_len, &cp, NULL) &&
	    cp.cfg_type == PP_IKE_CFG_REQUEST) {
		has_cp = true;
		a->child_err = cp_assign(e, sa, &cp);
		a->cp = sa->vip.has_ip4 || sa->vip.has_ip6;
	}
	if (isa >= 0 && !a->child_err) {
		if (ike_sa_parse(ike_pld_body(ch, (unsigned int)isa),
				 ch->pld[isa].body_len, 0, &e->sa_a, NULL) ||
		    parse_ts_list(ch, PP_IKE_PLD_TSI, th_i, &n_ti) ||
		    parse_ts_list(ch, PP_IKE_PLD_TSR, th_r, &n_tr)) {
			a->child_err = PP_IKE_N_INVALID_SYNTAX;
		} else {
			e->sa_b = c->esp_props;
			strip_ke(&e->sa_b);
			strip_ke(&e->sa_a);
			if (ike_prop_select(&e->sa_b, &e->sa_a, &a->prop, why,
					    sizeof(why))) {
				eng_log(e, sa, PP_LOG_WARNING,
					"IKE_AUTH child: %s", why);
				e->st.fail[PP_IKE_R_NO_PROPOSAL]++;
				a->child_err = PP_IKE_N_NO_PROPOSAL_CHOSEN;
			}
		}
		if (!a->child_err) {
			n_oi = 0;
			if (sa->vip.has_ip4)
				ike_ts_host(4, sa->vip.ip4, &ours_i[n_oi++]);
			if (sa->vip.has_ip6)
				ike_ts_host(6, sa->vip.ip6, &ours_i[n_oi++]);
			if (!n_oi)
				n_oi = conn_ts(sa, &c->c, false, ours_i);
			n_or = conn_ts(sa, &c->c, true, ours_r);
			n = ike_ts_narrow(ours_i, n_oi, th_i, n_ti, a->tsi,
					  PP_IKE_TS_MAX);
			a->n_tsi = n > 0 ? (unsigned int)n : 0;
			n = ike_ts_narrow(ours_r, n_or, th_r, n_tr, a->tsr,
					  PP_IKE_TS_MAX);
			a->n_tsr = n > 0 ? (unsigned int)n : 0;
			if (!a->n_tsi || !a->n_tsr) {
				char b1[512], b2[512];

				ike_ts_format(th_i, n_ti, b1, sizeof(b1));
				ike_ts_format(th_r, n_tr, b2, sizeof(b2));
				eng_log(e, sa, PP_LOG_WARNING,
					"IKE_AUTH child: traffic selectors "
					"unacceptable: TSi %s, TSr %s", b1,
					b2);
				e->st.fail[PP_IKE_R_TS_UNACCEPTABLE]++;
				a->child_err = PP_IKE_N_TS_UNACCEPTABLE;
			}
		}
		if (!a->child_err &&
		    new_spi(e, &sa->child_spi_in) == 0) {
			uint32_t peer_spi = a->prop.spi_size == 4
						    ? get_be32(a->prop.spi)
						    : 0;
			put_be32(a->prop.spi, sa->child_spi_in);
			a->prop.spi_size = 4;
			a->child = true;
			a->transport = c->c.mode == PP_ESP_MODE_TRANSPORT &&
				       chain_notify(ch,
						    PP_IKE_N_USE_TRANSPORT_MODE,
						    NULL);
			sa->cx_spi = peer_spi;
		}
	} else if (has_cp && a->child_err) {
		e->st.fail[PP_IKE_R_NO_ADDRESS]++;
	}
	if (chain_notify(ch, PP_IKE_N_INITIAL_CONTACT, NULL))
		initial_contact(e, sa);
	if (sk_response(e, sa, PP_IKE_EXCH_IKE_AUTH, mid, inner_auth_resp, a)) {
		sa_down(e, sa, PP_IKE_R_INTERNAL);
		return;
	}
	ike_up(e, sa);
	if (a->child) {
		struct child_new cn = {
			.prop = &a->prop,
			.spi_in = sa->child_spi_in,
			.spi_out = sa->cx_spi,
			.exch_initiator = false,
			.ni = sa->ni, .ni_len = sa->ni_len,
			.nr = sa->nr, .nr_len = sa->nr_len,
			.lts = a->tsr, .n_lts = a->n_tsr,
			.rts = a->tsi, .n_rts = a->n_tsi,
		};

		(void)child_install(e, sa, &cn);
	}
}

/* Initiator: CP reply -> VIP event. */
static void cp_reply(struct pp_ike *e, struct eng_sa *sa,
		     const struct ike_cp *cp)
{
	struct pp_ike_vip *v = &sa->vip;
	struct pp_ike_event *ev;

	memset(v, 0, sizeof(*v));
	for (unsigned int i = 0; i < cp->n; i++) {
		const struct ike_cp_attr *at = &cp->attr[i];

		switch (at->type) {
		case PP_IKE_CP_INTERNAL_IP4_ADDRESS:
			if (at->len == 4 && !v->has_ip4) {
				memcpy(v->ip4, at->value, 4);
				v->has_ip4 = true;
			}
			break;
		case PP_IKE_CP_INTERNAL_IP6_ADDRESS:
			if (at->len == 17 && !v->has_ip6) {
				memcpy(v->ip6, at->value, 16);
				v->ip6_plen = at->value[16];
				v->has_ip6 = true;
			}
			break;
		case PP_IKE_CP_INTERNAL_IP4_DNS:
			if (at->len == 4 && v->n_dns4 < PP_IKE_DNS_MAX)
				memcpy(v->dns4[v->n_dns4++], at->value, 4);
			break;
		case PP_IKE_CP_INTERNAL_IP6_DNS:
			if (at->len == 16 && v->n_dns6 < PP_IKE_DNS_MAX)
				memcpy(v->dns6[v->n_dns6++], at->value, 16);
			break;
		default:
			break;
		}
	}
	ev = ev_new(e, sa, PP_IKE_EV_VIP);
	ev->vip = *v;
}

/* Initiator: the IKE_AUTH response (inner chain in e->inner). */
static void auth_response(struct pp_ike *e, struct eng_sa *sa)
{
	struct eng_conn *c = &e->conns[sa->conn];
	const struct ike_chain *ch = &e->inner;
	struct ike_notify n;
	struct ike_id idr;
	struct ike_auth au;
	struct ike_cp cp;
	char why[IKE_PROP_WHY_LEN];
	struct pp_ike_ts tsi[PP_IKE_TS_MAX], tsr[PP_IKE_TS_MAX];
	struct pp_ike_ts oi[PP_IKE_TS_MAX], orr[PP_IKE_TS_MAX];
	unsigned int n_tsi, n_tsr, n_oi, n_or;
	int iid = ike_chain_find(ch, PP_IKE_PLD_IDR, 0);
	int iau = ike_chain_find(ch, PP_IKE_PLD_AUTH, 0);
	int isa = ike_chain_find(ch, PP_IKE_PLD_SA, 0);
	int icp = ike_chain_find(ch, PP_IKE_PLD_CP, 0);
	uint16_t err;

	sa->req = RQ_NONE;
	if (chain_notify(ch, PP_IKE_N_AUTHENTICATION_FAILED, NULL)) {
		eng_log(e, sa, PP_LOG_ERR,
			"IKE_AUTH: peer says AUTHENTICATION_FAILED");
		sa_down(e, sa, PP_IKE_R_AUTH_FAILED);
		return;
	}
	if (iid < 0 || iau < 0 ||
	    ike_id_parse(ike_pld_body(ch, (unsigned int)iid),
			 ch->pld[iid].body_len, &idr, NULL) ||
	    ike_auth_parse(ike_pld_body(ch, (unsigned int)iau),
			   ch->pld[iau].body_len, &au, NULL)) {
		err = chain_error(ch, &n);
		eng_log(e, sa, PP_LOG_ERR,
			"IKE_AUTH response without IDr/AUTH (notify %u)", err);
		sa_down(e, sa, err ? reason_of_notify(err) : PP_IKE_R_PROTOCOL);
		return;
	}
	{
		enum pp_ike_reason r = verify_peer(e, sa, ch, iid, &idr, &au);

		if (r != PP_IKE_R_NONE) {
			/* §2.21.2: tell the responder (once, under the
			 * new keys, as strongSwan does), then go */
			struct notify_arg na = {
				.type = PP_IKE_N_AUTHENTICATION_FAILED,
			};

			if (build_sk(e, sa, PP_IKE_EXCH_INFORMATIONAL, false,
				     sa->mid_next, inner_notify, &na,
				     &sa->tx) == 0)
				tx_send(e, sa, &sa->tx);
			sa_down(e, sa, r);
			return;
		}
	}
	id_store(&sa->peer_id, &idr);
	ike_up(e, sa);
	if (icp >= 0 && !ike_cp_parse(ike_pld_body(ch, (unsigned int)icp),
				      ch->pld[icp].body_len, &cp, NULL) &&
	    cp.cfg_type == PP_IKE_CFG_REPLY)
		cp_reply(e, sa, &cp);
	err = chain_error(ch, &n);
	if (err) {
		enum pp_ike_reason r = reason_of_notify(err);

		eng_log(e, sa, PP_LOG_WARNING,
			"IKE_AUTH: no Child SA, peer sent notify %u (%s)", err,
			pp_ike_reason_name(r));
		e->st.fail[r]++;
		return;
	}
	if (isa < 0)
		return; /* childless */
	e->sa_b = c->esp_props;
	strip_ke(&e->sa_b);
	if (ike_sa_parse(ike_pld_body(ch, (unsigned int)isa),
			 ch->pld[isa].body_len, IKE_SA_F_RESPONSE, &e->sa_a,
			 NULL) ||
	    e->sa_a.n_proposals != 1 || e->sa_a.prop[0].spi_size != 4 ||
	    ike_prop_check_response(&e->sa_b, &e->sa_a.prop[0], why,
				    sizeof(why)) ||
	    parse_ts_list(ch, PP_IKE_PLD_TSI, tsi, &n_tsi) ||
	    parse_ts_list(ch, PP_IKE_PLD_TSR, tsr, &n_tsr)) {
		eng_log(e, sa, PP_LOG_ERR,
			"IKE_AUTH: Child SA response not acceptable");
		e->st.fail[PP_IKE_R_NO_PROPOSAL]++;
		return;
	}
	n_oi = conn_ts(sa, &c->c, true, oi);
	n_or = conn_ts(sa, &c->c, false, orr);
	if (!ike_ts_subset(tsi, n_tsi, oi, n_oi) ||
	    !ike_ts_subset(tsr, n_tsr, orr, n_or)) {
		char b1[512], b2[512];

		ike_ts_format(tsi, n_tsi, b1, sizeof(b1));
		ike_ts_format(tsr, n_tsr, b2, sizeof(b2));
		eng_log(e, sa, PP_LOG_ERR,
			"IKE_AUTH: responder widened the selectors: TSi %s, "
			"TSr %s", b1, b2);
		e->st.fail[PP_IKE_R_TS_UNACCEPTABLE]++;
		return;
	}
	{
		struct child_new cn = {
			.prop = &e->sa_a.prop[0],
			.spi_in = sa->child_spi_in,
			.spi_out = get_be32(e->sa_a.prop[0].spi),
			.exch_initiator = true,
			.ni = sa->ni, .ni_len = sa->ni_len,
			.nr = sa->nr, .nr_len = sa->nr_len,
			.lts = tsi, .n_lts = n_tsi,
			.rts = tsr, .n_rts = n_tsr,
		};

		(void)child_install(e, sa, &cn);
	}
}

/* ---------------------------------------------------------------------- */
/* Pending local requests                                                 */
/* ---------------------------------------------------------------------- */

static bool pend_has(const struct eng_sa *sa, enum req_kind k, uint32_t child)
{
	if (sa->req == k && sa->req_child == child)
		return true;
	for (unsigned int i = 0; i < sa->n_pend; i++)
		if (sa->pend[i].kind == k && sa->pend[i].child_id == child)
			return true;
	return false;
}

static void pend_add(struct pp_ike *e, struct eng_sa *sa, enum req_kind k,
		     uint32_t child, uint64_t not_before, bool front)
{
	if (pend_has(sa, k, child))
		return;
	if (sa->n_pend >= ENG_PENDING) {
		eng_log(e, sa, PP_LOG_WARNING,
			"request queue full (%u): request %d dropped",
			sa->n_pend, (int)k);
		return;
	}
	if (front) {
		memmove(&sa->pend[1], &sa->pend[0],
			sa->n_pend * sizeof(sa->pend[0]));
		sa->pend[0] = (struct eng_pend){ k, child, not_before };
	} else {
		sa->pend[sa->n_pend] = (struct eng_pend){ k, child, not_before };
	}
	sa->n_pend++;
}

static int start_rekey_child(struct pp_ike *e, struct eng_sa *sa,
			     struct eng_child *ch);
static int start_rekey_ike(struct pp_ike *e, struct eng_sa *sa);

struct del_arg {
	uint8_t proto;
	uint16_t n;
	uint8_t spis[4 * ENG_CHILDREN];
};

static int inner_delete(struct pp_ike *e, struct eng_sa *sa, void *arg,
			struct ike_gen *g)
{
	const struct del_arg *d = arg;
	struct ike_delete del;

	(void)e;
	(void)sa;
	if (d->proto != PP_IKE_PROTO_IKE && d->n == 0)
		return 0;
	memset(&del, 0, sizeof(del));
	del.protocol = d->proto;
	del.spi_size = d->proto == PP_IKE_PROTO_IKE ? 0 : 4;
	del.n_spis = d->proto == PP_IKE_PROTO_IKE ? 0 : d->n;
	del.spis = d->spis;
	return ike_gen_delete(g, &del);
}

/* Start the next queued request if none is outstanding. */
static void pend_run(struct pp_ike *e, struct eng_sa *sa)
{
	while (sa->req == RQ_NONE && sa->n_pend) {
		struct eng_pend p = sa->pend[0];
		struct eng_child *ch;
		int rc = 0;

		if (p.not_before > e->now)
			return;
		sa->n_pend--;
		memmove(&sa->pend[0], &sa->pend[1],
			sa->n_pend * sizeof(sa->pend[0]));
		if (p.kind != RQ_DEL_IKE && p.kind != RQ_DEL_CHILD &&
		    sa->state != S_ESTABLISHED)
			continue;
		sa->req_child = p.child_id;
		switch (p.kind) {
		case RQ_DPD:
			rc = sk_request(e, sa, RQ_DPD,
					PP_IKE_EXCH_INFORMATIONAL, inner_empty,
					NULL);
			break;
		case RQ_DEL_IKE: {
			struct del_arg d = { .proto = PP_IKE_PROTO_IKE };

			if (sa->state != S_REKEYED)
				sa->state = S_DELETING;
			sa->n_pend = 0;
			rc = sk_request(e, sa, RQ_DEL_IKE,
					PP_IKE_EXCH_INFORMATIONAL,
					inner_delete, &d);
			break;
		}
		case RQ_DEL_CHILD: {
			struct del_arg d = { .proto = PP_IKE_PROTO_ESP };

			ch = child_by_id(sa, p.child_id);
			if (!ch)
				continue;
			ch->deleting = true;
			put_be32(d.spis, ch->spi_in);
			d.n = 1;
			rc = sk_request(e, sa, RQ_DEL_CHILD,
					PP_IKE_EXCH_INFORMATIONAL,
					inner_delete, &d);
			break;
		}
		case RQ_REKEY_CHILD:
			ch = child_by_id(sa, p.child_id);
			if (!ch || ch->rekeyed || ch->deleting)
				continue;
			rc = start_rekey_child(e, sa, ch);
			break;
		case RQ_REKEY_IKE:
			rc = start_rekey_ike(e, sa);
			break;
		default:
			continue;
		}
		if (rc) {
			sa->req = RQ_NONE;
			if (p.kind == RQ_DPD)
				sa->last_rx = e->now; /* no busy retry */
			eng_log(e, sa, PP_LOG_ERR,
				"queued request %d not sent: %s", (int)p.kind,
				strerror(-rc));
		}
	}
}

/* ---------------------------------------------------------------------- */
/* INFORMATIONAL                                                          */
/* ---------------------------------------------------------------------- */

static void info_request(struct pp_ike *e, struct eng_sa *sa, uint32_t mid)
{
	const struct ike_chain *ch = &e->inner;
	struct del_arg resp = { .proto = PP_IKE_PROTO_ESP };
	bool del_ike = false;

	for (unsigned int i = 0; i < ch->n; i++) {
		struct ike_delete d;

		if (ch->pld[i].type != PP_IKE_PLD_DELETE ||
		    ike_delete_parse(ike_pld_body(ch, i), ch->pld[i].body_len,
				     &d, NULL))
			continue;
		if (d.protocol == PP_IKE_PROTO_IKE) {
			del_ike = true;
			continue;
		}
		if (d.protocol != PP_IKE_PROTO_ESP || d.spi_size != 4)
			continue;
		for (unsigned int k = 0; k < d.n_spis; k++) {
			struct eng_child *c =
				child_by_spi_out(sa, ike_delete_spi(&d, k));

			if (!c) {
				eng_log(e, sa, PP_LOG_INFO,
					"DELETE for unknown ESP SPI %08x",
					ike_delete_spi(&d, k));
				continue;
			}
			if (resp.n < ENG_CHILDREN)
				put_be32(resp.spis + 4 * resp.n++, c->spi_in);
			if (!c->rekeyed && c->id == sa->coll_new &&
			    sa->req == RQ_REKEY_CHILD &&
			    sa->req_child == sa->coll_old) {
				/* §2.8.1: the peer's rekey lost to ours,
				 * whose response is on its way and will
				 * replace @c (ccs_response()) */
				c->rekeyed = true;
				continue;
			}
			if (c->rekeyed) {
				OPENSSL_cleanse(c, sizeof(*c));
				continue;
			}
			eng_log(e, sa, PP_LOG_INFO,
				"Child SA %u (%08x/%08x) deleted by peer",
				c->id, c->spi_in, c->spi_out);
			child_down(e, sa, c, PP_IKE_R_PEER_DELETE);
		}
	}
	if (chain_notify(ch, PP_IKE_N_AUTHENTICATION_FAILED, NULL) &&
	    sa->state == S_ESTABLISHED) {
		/* §2.21.2: the initiator rejected our AUTH after all */
		(void)sk_response(e, sa, PP_IKE_EXCH_INFORMATIONAL, mid,
				  inner_empty, NULL);
		eng_log(e, sa, PP_LOG_ERR,
			"peer reports AUTHENTICATION_FAILED (INFORMATIONAL)");
		sa_down(e, sa, PP_IKE_R_AUTH_FAILED);
		return;
	}
	if (del_ike) {
		(void)sk_response(e, sa, PP_IKE_EXCH_INFORMATIONAL, mid,
				  inner_empty, NULL);
		eng_log(e, sa, PP_LOG_INFO, "IKE SA deleted by peer");
		for (unsigned int i = 0; i < e->max_sas; i++) {
			const struct eng_sa *o = e->sas[i];

			if (o && o->coll_ike == sa->id &&
			    o->req == RQ_REKEY_IKE && sa->state != S_REKEYED) {
				/* §2.8.2: the peer's rekey lost to ours,
				 * whose response is still on its way: keep
				 * the children here until it arrives */
				sa->state = S_REKEYED;
				sa->expire_at = e->now + 30000;
				sa->rekey_at = UINT64_MAX;
				return;
			}
		}
		sa_down(e, sa, sa->state == S_REKEYED ? PP_IKE_R_REKEYED
						      : PP_IKE_R_PEER_DELETE);
		return;
	}
	(void)sk_response(e, sa, PP_IKE_EXCH_INFORMATIONAL, mid, inner_delete,
			  &resp);
}

/* Our INFORMATIONAL request got its response. */
static void info_response(struct pp_ike *e, struct eng_sa *sa)
{
	enum req_kind k = sa->req;

	sa->req = RQ_NONE;
	if (k == RQ_DEL_IKE) {
		sa_down(e, sa, sa->state == S_REKEYED ? PP_IKE_R_REKEYED
						      : PP_IKE_R_LOCAL_DELETE);
		return;
	}
	if (k == RQ_DEL_CHILD) {
		struct eng_child *c = child_by_id(sa, sa->req_child);

		if (c && c->rekeyed)
			OPENSSL_cleanse(c, sizeof(*c));
		else if (c)
			child_down(e, sa, c, PP_IKE_R_LOCAL_DELETE);
	}
}

/* ---------------------------------------------------------------------- */
/* CREATE_CHILD_SA                                                        */
/* ---------------------------------------------------------------------- */

struct ccs_arg {
	struct ike_sa sa;	/* proposals (request) or the chosen one */
	const uint8_t *nonce;
	size_t nonce_len;
	uint8_t ke[IKE_KE_MAX];
	size_t ke_len;
	uint16_t group;
	uint32_t rekey_spi; /* REKEY_SA notify, 0 = none */
	const struct pp_ike_ts *tsi, *tsr;
	unsigned int n_tsi, n_tsr;
	bool ike;
};

static int inner_ccs(struct pp_ike *e, struct eng_sa *sa, void *arg,
		     struct ike_gen *g)
{
	const struct ccs_arg *a = arg;

	(void)e;
	(void)sa;
	if (a->rekey_spi)
		gen_notify_spi(g, PP_IKE_N_REKEY_SA, PP_IKE_PROTO_ESP,
			       a->rekey_spi, NULL, 0);
	ike_gen_sa(g, &a->sa);
	ike_gen_nonce(g, a->nonce, a->nonce_len);
	if (a->group) {
		struct ike_ke k = { .group = a->group, .data = a->ke,
				    .len = a->ke_len };

		ike_gen_ke(g, &k);
	}
	if (a->ike)
		return g->err;
	gen_ts_list(g, PP_IKE_PLD_TSI, a->tsi, a->n_tsi);
	return gen_ts_list(g, PP_IKE_PLD_TSR, a->tsr, a->n_tsr);
}

/* A fresh key pair into @dh and its KE data into @a. */
static int ccs_ke(struct ike_dh *dh, uint16_t group, struct ccs_arg *a)
{
	int rc;

	ike_dh_fini(dh);
	a->group = group;
	if (!group)
		return 0;
	rc = ike_dh_init(dh, group);
	if (!rc)
		rc = ike_dh_ke_data(dh, a->ke, sizeof(a->ke));
	a->ke_len = dh->ke_len;
	return rc;
}

static uint16_t esp_pfs_group(const struct ike_sa *list)
{
	return list->n_proposals ? ike_prop_dh_group(&list->prop[0]) : 0;
}

/* RFC 7296 §2.8.1 order: bytewise, a prefix is lower. */
static int nonce_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);

	if (c)
		return c;
	return al < bl ? -1 : al > bl;
}

/* Is the lowest of the four nonces in our exchange (a1, a2)? */
static bool nonce_lowest(const uint8_t *a1, size_t l1, const uint8_t *a2,
			 size_t l2, const uint8_t *b1, size_t m1,
			 const uint8_t *b2, size_t m2)
{
	const uint8_t *a = nonce_cmp(a1, l1, a2, l2) <= 0 ? a1 : a2;
	size_t al = a == a1 ? l1 : l2;
	const uint8_t *b = nonce_cmp(b1, m1, b2, m2) <= 0 ? b1 : b2;
	size_t bl = b == b1 ? m1 : m2;

	return nonce_cmp(a, al, b, bl) < 0;
}

static int start_rekey_child(struct pp_ike *e, struct eng_sa *sa,
			     struct eng_child *ch)
{
	struct eng_conn *c = &e->conns[sa->conn];
	struct ccs_arg arg, *a = &arg;
	uint8_t spi[4];
	int rc;

	memset(a, 0, sizeof(*a));
	rc = new_spi(e, &sa->cx_spi);
	if (!rc)
		rc = eng_rand(e, sa->cx_ni, sizeof(sa->cx_ni));
	if (rc)
		return rc;
	a->sa = c->esp_props;
	put_be32(spi, sa->cx_spi);
	ike_prop_set_spi(&a->sa, spi, 4);
	a->nonce = sa->cx_ni;
	a->nonce_len = sizeof(sa->cx_ni);
	rc = ccs_ke(&sa->cx_dh, sa->cx_pfs_retry ? sa->cx_dh.group
						 : esp_pfs_group(&c->esp_props),
		    a);
	if (rc)
		return rc;
	a->rekey_spi = ch->spi_in;
	/* TSi is the exchange initiator's side: ours. */
	a->tsi = ch->lts;
	a->n_tsi = ch->n_lts;
	a->tsr = ch->rts;
	a->n_tsr = ch->n_rts;
	rc = sk_request(e, sa, RQ_REKEY_CHILD, PP_IKE_EXCH_CREATE_CHILD_SA,
			inner_ccs, a);
	OPENSSL_cleanse(a, sizeof(*a));
	if (!rc) {
		ch->rekeying = true;
		sa->req_child = ch->id;
	}
	return rc;
}

static int start_rekey_ike(struct pp_ike *e, struct eng_sa *sa)
{
	struct eng_conn *c = &e->conns[sa->conn];
	struct ccs_arg arg, *a = &arg;
	uint16_t group = sa->cx_pfs_retry ? sa->cx_dh.group : sa->group;
	int rc;

	memset(a, 0, sizeof(*a));
	rc = eng_rand(e, sa->cx_spi8, 8);
	if (!rc && be64(sa->cx_spi8) == 0)
		sa->cx_spi8[7] = 1;
	if (!rc)
		rc = eng_rand(e, sa->cx_ni, sizeof(sa->cx_ni));
	if (rc)
		return rc;
	a->sa = c->ike_props;
	ike_prop_set_spi(&a->sa, sa->cx_spi8, 8);
	a->nonce = sa->cx_ni;
	a->nonce_len = sizeof(sa->cx_ni);
	a->ike = true;
	rc = ccs_ke(&sa->cx_dh, group, a);
	if (rc)
		return rc;
	rc = sk_request(e, sa, RQ_REKEY_IKE, PP_IKE_EXCH_CREATE_CHILD_SA,
			inner_ccs, a);
	OPENSSL_cleanse(a, sizeof(*a));
	return rc;
}

static void ike_inherit(const struct eng_sa *old, struct eng_sa *nw)
{
	nw->local = old->local;
	nw->remote = old->remote;
	nw->nat_local = old->nat_local;
	nw->nat_remote = old->nat_remote;
	nw->natt = old->natt;
	nw->peer_frag = old->peer_frag;
	nw->peer_id = old->peer_id;
	nw->ours = old->ours;
}

/* A redundant new IKE SA of a simultaneous rekey (§2.8.2): no children,
 * no events; deleted by whoever created it. */
static void ike_redundant(struct pp_ike *e, const struct eng_sa *old,
			  struct eng_sa *nw)
{
	ike_inherit(old, nw);
	nw->state = S_REKEYED;
	nw->expire_at = e->now + 30000;
	nw->rekey_at = UINT64_MAX;
	nw->last_rx = e->now;
}

/* Move children and identity to the new IKE SA; IKE_REKEYED. */
static void ike_rekey_finish(struct pp_ike *e, struct eng_sa *old,
			     struct eng_sa *nw)
{
	struct pp_ike_event *ev;

	ike_inherit(old, nw);
	nw->vip = old->vip;
	nw->vip_ours = old->vip_ours;
	memset(&old->vip, 0, sizeof(old->vip)); /* lease moves along */
	old->vip_ours = false;
	memcpy(nw->ch, old->ch, sizeof(nw->ch));
	OPENSSL_cleanse(old->ch, sizeof(old->ch));
	for (unsigned int i = 0; i < ENG_CHILDREN; i++)
		nw->ch[i].rekeying = false;
	nw->state = S_ESTABLISHED;
	nw->peer_mid = 0;
	nw->mid_next = 0;
	nw->last_rx = e->now;
	ike_timers(e, nw);
	old->state = S_REKEYED;
	old->expire_at = e->now + 30000; /* if the DELETE never comes */
	old->rekey_at = UINT64_MAX;
	ev = ev_new(e, nw, PP_IKE_EV_IKE_REKEYED);
	ev->old_ike_sa_id = old->id;
	ev->peer_id = nw->peer_id;
	e->st.rekeys++;
	eng_log(e, nw, PP_LOG_INFO, "IKE SA rekeyed, replaces ike[%u]",
		old->id);
}

static int ike_rekey_keys(struct pp_ike *e, struct eng_sa *old,
			  struct eng_sa *nw, struct ike_dh *dh,
			  const struct ike_ke *peer)
{
	uint8_t gir[IKE_DH_SECRET_MAX];
	int rc = ike_dh_derive(dh, peer->data, peer->len, gir, sizeof(gir));

	if (!rc)
		rc = ike_derive_ike_sa_rekey_keys(old->suite.prf,
						  old->keys.sk_d,
						  old->keys.prf_len,
						  &nw->suite, gir,
						  dh->secret_len, nw->ni,
						  nw->ni_len, nw->nr,
						  nw->nr_len, nw->spi_i,
						  nw->spi_r, &nw->keys);
	OPENSSL_cleanse(gir, sizeof(gir));
	ike_dh_fini(dh);
	if (!rc)
		rc = sa_key_ciphers(e, nw);
	return rc;
}

/*
 * Responder of CREATE_CHILD_SA: choose from the peer's SA payload (parsed
 * into e->sa_a) with our list @props; the chosen proposal must carry an
 * SPI of @spi_len bytes (8 for an IKE rekey, 4 for a Child SA). On failure
 * log one line, answer NO_PROPOSAL_CHOSEN and return -ENOENT.
 */
static int ccs_select(struct pp_ike *e, struct eng_sa *sa,
		      const struct ike_sa *props, uint8_t spi_len,
		      const char *what, uint32_t mid,
		      struct ike_proposal *chosen)
{
	char why[IKE_PROP_WHY_LEN];

	if (ike_prop_select(props, &e->sa_a, chosen, why, sizeof(why)))
		eng_log(e, sa, PP_LOG_WARNING, "%s: %s", what, why);
	else if (chosen->spi_size != spi_len)
		eng_log(e, sa, PP_LOG_WARNING,
			"%s: chosen proposal %u has a %u-byte SPI, not %u",
			what, chosen->num, chosen->spi_size, spi_len);
	else
		return 0;
	e->st.fail[PP_IKE_R_NO_PROPOSAL]++;
	respond_notify(e, sa, PP_IKE_EXCH_CREATE_CHILD_SA, mid,
		       PP_IKE_N_NO_PROPOSAL_CHOSEN);
	return -ENOENT;
}

/* Responder of CREATE_CHILD_SA: INVALID_KE_PAYLOAD naming @group. */
static void ccs_invalid_ke(struct pp_ike *e, struct eng_sa *sa, uint32_t mid,
			   uint16_t group)
{
	uint8_t gb[2] = { (uint8_t)(group >> 8), (uint8_t)group };
	struct notify_arg na = {
		.type = PP_IKE_N_INVALID_KE_PAYLOAD, .data = gb, .len = 2
	};

	e->st.invalid_ke_sent++;
	(void)sk_response(e, sa, PP_IKE_EXCH_CREATE_CHILD_SA, mid,
			  inner_notify, &na);
}

/* Responder side of an IKE SA rekey. */
static void ccs_request_ike(struct pp_ike *e, struct eng_sa *sa, uint32_t mid,
			    const struct ike_nonce *ni, const struct ike_ke *ke,
			    bool has_ke)
{
	struct eng_conn *c = &e->conns[sa->conn];
	struct ike_proposal chosen;
	struct ccs_arg a;
	struct ike_dh dh;
	struct eng_sa *nw;
	uint8_t nr[ENG_NONCE_LEN];
	uint16_t group;
	int rc;

	if (sa->req == RQ_DEL_IKE || sa->coll_ike) {
		respond_notify(e, sa, PP_IKE_EXCH_CREATE_CHILD_SA, mid,
			       PP_IKE_N_TEMPORARY_FAILURE);
		return;
	}
	if (ccs_select(e, sa, &c->ike_props, 8, "IKE rekey", mid, &chosen))
		return;
	group = ike_prop_dh_group(&chosen);
	if (!has_ke || ke->group != group) {
		ccs_invalid_ke(e, sa, mid, group);
		return;
	}
	if (count_sas(e) >= e->max_sas) {
		respond_notify(e, sa, PP_IKE_EXCH_CREATE_CHILD_SA, mid,
			       PP_IKE_N_NO_ADDITIONAL_SAS);
		return;
	}
	nw = sa_alloc(e, sa->conn, false, e->now);
	if (!nw) {
		respond_notify(e, sa, PP_IKE_EXCH_CREATE_CHILD_SA, mid,
			       PP_IKE_N_NO_ADDITIONAL_SAS);
		return;
	}
	memset(&a, 0, sizeof(a));
	memset(&dh, 0, sizeof(dh));
	memcpy(nw->spi_i, chosen.spi, 8);
	rc = eng_rand(e, nw->spi_r, 8);
	if (!rc)
		rc = eng_rand(e, nr, sizeof(nr));
	memcpy(nw->ni, ni->data, ni->len);
	nw->ni_len = ni->len;
	memcpy(nw->nr, nr, sizeof(nr));
	nw->nr_len = sizeof(nr);
	nw->group = group;
	if (!rc)
		rc = ike_prop_suite(&chosen, &nw->suite);
	if (!rc)
		rc = ccs_ke(&dh, group, &a);
	if (!rc)
		rc = ike_rekey_keys(e, sa, nw, &dh, ke);
	if (rc) {
		ike_dh_fini(&dh);
		eng_log(e, sa, PP_LOG_ERR, "IKE rekey (responder) failed: %s",
			strerror(-rc));
		sa_free(e, nw);
		respond_notify(e, sa, PP_IKE_EXCH_CREATE_CHILD_SA, mid,
			       PP_IKE_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	a.sa.n_proposals = 1;
	a.sa.prop[0] = chosen;
	memcpy(a.sa.prop[0].spi, nw->spi_r, 8);
	a.nonce = nr;
	a.nonce_len = sizeof(nr);
	a.ike = true;
	(void)sk_response(e, sa, PP_IKE_EXCH_CREATE_CHILD_SA, mid, inner_ccs,
			  &a);
	OPENSSL_cleanse(&a, sizeof(a));
	ike_rekey_finish(e, sa, nw);
	if (sa->req == RQ_REKEY_IKE) {
		/* §2.8.2: we are rekeying too. The answered SA exists now
		 * and stands unless our own exchange completes and wins
		 * by the nonces (ccs_response()). */
		sa->coll_ike = nw->id;
		memcpy(sa->coll_ni, ni->data, ni->len);
		sa->coll_ni_len = ni->len;
		memcpy(sa->coll_nr, nr, sizeof(nr));
	}
}

/* Responder: CREATE_CHILD_SA request (inner chain in e->inner). */
static void ccs_request(struct pp_ike *e, struct eng_sa *sa, uint32_t mid)
{
	struct eng_conn *c = &e->conns[sa->conn];
	const struct ike_chain *ch = &e->inner;
	struct ike_proposal chosen;
	struct ike_notify rk;
	struct ike_nonce ni;
	struct ike_ke ke;
	struct eng_child *old = NULL;
	struct pp_ike_ts th_i[PP_IKE_TS_MAX], th_r[PP_IKE_TS_MAX];
	struct pp_ike_ts oi[PP_IKE_TS_MAX * 2], orr[PP_IKE_TS_MAX];
	struct pp_ike_ts tsi[PP_IKE_TS_MAX], tsr[PP_IKE_TS_MAX];
	unsigned int n_ti = 0, n_tr = 0, n_oi = 0, n_or;
	int isa = ike_chain_find(ch, PP_IKE_PLD_SA, 0);
	int inn = ike_chain_find(ch, PP_IKE_PLD_NONCE, 0);
	int ike = ike_chain_find(ch, PP_IKE_PLD_KE, 0);
	uint8_t nr[ENG_NONCE_LEN], gir[IKE_DH_SECRET_MAX];
	struct ccs_arg a;
	struct ike_dh dh;
	uint16_t group;
	uint32_t spi_in, spi_out;
	int n, rc;

	if (isa < 0 || inn < 0 ||
	    ike_sa_parse(ike_pld_body(ch, (unsigned int)isa),
			 ch->pld[isa].body_len, 0, &e->sa_a, NULL) ||
	    ike_nonce_parse(ike_pld_body(ch, (unsigned int)inn),
			    ch->pld[inn].body_len, &ni, NULL) ||
	    (ike >= 0 && ike_ke_parse(ike_pld_body(ch, (unsigned int)ike),
				      ch->pld[ike].body_len, &ke, NULL))) {
		eng_log(e, sa, PP_LOG_WARNING,
			"CREATE_CHILD_SA request without valid SA/Nonce");
		respond_notify(e, sa, PP_IKE_EXCH_CREATE_CHILD_SA, mid,
			       PP_IKE_N_INVALID_SYNTAX);
		return;
	}
	if (e->sa_a.n_proposals &&
	    e->sa_a.prop[0].protocol == PP_IKE_PROTO_IKE) {
		ccs_request_ike(e, sa, mid, &ni, &ke, ike >= 0);
		return;
	}
	if (chain_notify(ch, PP_IKE_N_REKEY_SA, &rk)) {
		old = rk.spi_size == 4 ? child_by_spi_out(sa, get_be32(rk.spi))
				       : NULL;
		if (!old || old->rekeyed || old->deleting) {
			eng_log(e, sa, PP_LOG_WARNING,
				"rekey request for unknown Child SA %08x",
				rk.spi_size == 4 ? get_be32(rk.spi) : 0);
			respond_notify(e, sa, PP_IKE_EXCH_CREATE_CHILD_SA, mid,
				       PP_IKE_N_CHILD_SA_NOT_FOUND);
			return;
		}
	}
	if (ccs_select(e, sa, &c->esp_props, 4, "CREATE_CHILD_SA", mid,
		       &chosen))
		return;
	group = ike_prop_dh_group(&chosen);
	if (group && (ike < 0 || ke.group != group)) {
		ccs_invalid_ke(e, sa, mid, group);
		return;
	}
	if (parse_ts_list(ch, PP_IKE_PLD_TSI, th_i, &n_ti) ||
	    parse_ts_list(ch, PP_IKE_PLD_TSR, th_r, &n_tr)) {
		respond_notify(e, sa, PP_IKE_EXCH_CREATE_CHILD_SA, mid,
			       PP_IKE_N_INVALID_SYNTAX);
		return;
	}
	/* TSi is the request initiator's side: the peer's. */
	if (sa->vip.has_ip4 && sa->vip_ours)
		ike_ts_host(4, sa->vip.ip4, &oi[n_oi++]);
	if (sa->vip.has_ip6 && sa->vip_ours)
		ike_ts_host(6, sa->vip.ip6, &oi[n_oi++]);
	if (!n_oi)
		n_oi = conn_ts(sa, &c->c, false, oi);
	n_or = conn_ts(sa, &c->c, true, orr);
	n = ike_ts_narrow(oi, n_oi, th_i, n_ti, tsi, PP_IKE_TS_MAX);
	n_ti = n > 0 ? (unsigned int)n : 0;
	n = ike_ts_narrow(orr, n_or, th_r, n_tr, tsr, PP_IKE_TS_MAX);
	n_tr = n > 0 ? (unsigned int)n : 0;
	if (!n_ti || !n_tr) {
		eng_log(e, sa, PP_LOG_WARNING,
			"CREATE_CHILD_SA: traffic selectors unacceptable");
		e->st.fail[PP_IKE_R_TS_UNACCEPTABLE]++;
		respond_notify(e, sa, PP_IKE_EXCH_CREATE_CHILD_SA, mid,
			       PP_IKE_N_TS_UNACCEPTABLE);
		return;
	}
	memset(&a, 0, sizeof(a));
	memset(&dh, 0, sizeof(dh));
	spi_out = get_be32(chosen.spi);
	rc = new_spi(e, &spi_in);
	if (!rc)
		rc = eng_rand(e, nr, sizeof(nr));
	if (!rc)
		rc = ccs_ke(&dh, group, &a);
	if (!rc && group)
		rc = ike_dh_derive(&dh, ke.data, ke.len, gir, sizeof(gir));
	if (rc) {
		ike_dh_fini(&dh);
		OPENSSL_cleanse(gir, sizeof(gir));
		eng_log(e, sa, PP_LOG_ERR, "CREATE_CHILD_SA failed: %s",
			strerror(-rc));
		respond_notify(e, sa, PP_IKE_EXCH_CREATE_CHILD_SA, mid,
			       PP_IKE_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	a.sa.n_proposals = 1;
	a.sa.prop[0] = chosen;
	put_be32(a.sa.prop[0].spi, spi_in);
	a.nonce = nr;
	a.nonce_len = sizeof(nr);
	a.tsi = tsi;
	a.n_tsi = n_ti;
	a.tsr = tsr;
	a.n_tsr = n_tr;
	rc = sk_response(e, sa, PP_IKE_EXCH_CREATE_CHILD_SA, mid, inner_ccs,
			 &a);
	if (!rc) {
		struct child_new cn = {
			.prop = &chosen,
			.spi_in = spi_in,
			.spi_out = spi_out,
			.exch_initiator = false,
			.gir = group ? gir : NULL,
			.gir_len = group ? dh.secret_len : 0,
			.ni = ni.data, .ni_len = ni.len,
			.nr = nr, .nr_len = sizeof(nr),
			.lts = tsr, .n_lts = n_tr,
			.rts = tsi, .n_rts = n_ti,
			.old_id = old ? old->id : 0,
			.dh_group = group,
		};

		struct eng_child *nc = child_install(e, sa, &cn);

		if (nc && old) {
			if (old->rekeying) {
				/* §2.8.1: both sides rekey it; decided when
				 * our own response arrives */
				sa->coll_old = old->id;
				sa->coll_new = nc->id;
				memcpy(sa->coll_ni, ni.data, ni.len);
				sa->coll_ni_len = ni.len;
				memcpy(sa->coll_nr, nr, sizeof(nr));
			}
			old->rekeyed = true;
			e->st.rekeys++;
			/* the rekey initiator deletes it; else at expiry */
		}
	}
	ike_dh_fini(&dh);
	OPENSSL_cleanse(gir, sizeof(gir));
	OPENSSL_cleanse(&a, sizeof(a));
}

/* Initiator: the CREATE_CHILD_SA response to our rekey. */
static void ccs_response(struct pp_ike *e, struct eng_sa *sa)
{
	struct eng_conn *c = &e->conns[sa->conn];
	const struct ike_chain *ch = &e->inner;
	enum req_kind k = sa->req;
	struct eng_child *old = child_by_id(sa, sa->req_child);
	struct ike_notify n;
	struct ike_nonce nr;
	struct ike_ke ke;
	char why[IKE_PROP_WHY_LEN];
	int isa = ike_chain_find(ch, PP_IKE_PLD_SA, 0);
	int inn = ike_chain_find(ch, PP_IKE_PLD_NONCE, 0);
	int ike = ike_chain_find(ch, PP_IKE_PLD_KE, 0);
	uint16_t err;

	sa->req = RQ_NONE;
	if (old)
		old->rekeying = false;
	err = chain_error(ch, &n);
	if (k == RQ_REKEY_IKE && sa->coll_ike && err) {
		/* ours failed: the peer's new IKE SA, installed when we
		 * answered it, stands; unless the peer deleted it already
		 * (info_request() kept it for our response) */
		struct eng_sa *nb = sa_by_id(e, sa->coll_ike);

		sa->coll_ike = 0;
		ike_dh_fini(&sa->cx_dh);
		if (nb && nb->state == S_REKEYED)
			sa_down(e, nb, PP_IKE_R_PEER_DELETE);
		return;
	}
	if (err == PP_IKE_N_TEMPORARY_FAILURE) {
		eng_log(e, sa, PP_LOG_INFO,
			"rekey refused with TEMPORARY_FAILURE: retrying later");
		pend_add(e, sa, k, sa->req_child,
			 e->now + ENG_TEMPFAIL_RETRY_MS +
				 rand_below(e, ENG_TEMPFAIL_RETRY_MS),
			 false);
		return;
	}
	if (err == PP_IKE_N_INVALID_KE_PAYLOAD && n.len == 2 &&
	    !sa->cx_pfs_retry) {
		sa->cx_dh.group = (uint16_t)(n.data[0] << 8 | n.data[1]);
		sa->cx_pfs_retry = true;
		ike_dh_fini(&sa->cx_dh);
		sa->cx_dh.group = (uint16_t)(n.data[0] << 8 | n.data[1]);
		if (k == RQ_REKEY_IKE)
			(void)start_rekey_ike(e, sa);
		else if (old)
			(void)start_rekey_child(e, sa, old);
		sa->cx_pfs_retry = false;
		return;
	}
	if (old && sa->coll_old == old->id && err) {
		/* the peer's rekey stands, unless the peer deleted its
		 * new SA already (info_request()): then it goes now */
		struct eng_child *pn = child_by_id(sa, sa->coll_new);

		if (pn && pn->rekeyed)
			child_down(e, sa, pn, PP_IKE_R_PEER_DELETE);
		sa->coll_old = sa->coll_new = 0;
	}
	if (err == PP_IKE_N_CHILD_SA_NOT_FOUND && old && old->rekeyed)
		return; /* replaced meanwhile by the peer's rekey */
	if (err == PP_IKE_N_CHILD_SA_NOT_FOUND && old) {
		eng_log(e, sa, PP_LOG_WARNING,
			"peer does not know Child SA %u (%08x): removed",
			old->id, old->spi_out);
		child_down(e, sa, old, PP_IKE_R_PEER_ERROR);
		return;
	}
	if (err) {
		eng_log(e, sa, PP_LOG_WARNING, "%s rekey refused: notify %u",
			k == RQ_REKEY_IKE ? "IKE" : "Child", err);
		e->st.fail[reason_of_notify(err)]++;
		ike_dh_fini(&sa->cx_dh);
		return;
	}
	if (isa < 0 || inn < 0 ||
	    ike_sa_parse(ike_pld_body(ch, (unsigned int)isa),
			 ch->pld[isa].body_len, IKE_SA_F_RESPONSE, &e->sa_a,
			 NULL) ||
	    ike_nonce_parse(ike_pld_body(ch, (unsigned int)inn),
			    ch->pld[inn].body_len, &nr, NULL) ||
	    (ike >= 0 && ike_ke_parse(ike_pld_body(ch, (unsigned int)ike),
				      ch->pld[ike].body_len, &ke, NULL)) ||
	    e->sa_a.n_proposals != 1) {
		eng_log(e, sa, PP_LOG_ERR,
			"CREATE_CHILD_SA response malformed");
		ike_dh_fini(&sa->cx_dh);
		return;
	}
	if (k == RQ_REKEY_IKE) {
		struct eng_sa *nw;
		const struct ike_proposal *p = &e->sa_a.prop[0];

		e->sa_b = c->ike_props;
		ike_prop_set_spi(&e->sa_b, sa->cx_spi8, 8);
		if (ike_prop_check_response(&e->sa_b, p, why, sizeof(why)) ||
		    p->spi_size != 8 || ike < 0 ||
		    ke.group != sa->cx_dh.group ||
		    ike_prop_dh_group(p) != sa->cx_dh.group ||
		    count_sas(e) >= e->max_sas) {
			eng_log(e, sa, PP_LOG_ERR,
				"IKE rekey response not acceptable: %s", why);
			ike_dh_fini(&sa->cx_dh);
			return;
		}
		nw = sa_alloc(e, sa->conn, true, e->now);
		if (!nw) {
			ike_dh_fini(&sa->cx_dh);
			return;
		}
		memcpy(nw->spi_i, sa->cx_spi8, 8);
		memcpy(nw->spi_r, p->spi, 8);
		memcpy(nw->ni, sa->cx_ni, sizeof(sa->cx_ni));
		nw->ni_len = sizeof(sa->cx_ni);
		memcpy(nw->nr, nr.data, nr.len);
		nw->nr_len = nr.len;
		nw->group = sa->cx_dh.group;
		if (ike_prop_suite(p, &nw->suite) ||
		    ike_rekey_keys(e, sa, nw, &sa->cx_dh, &ke)) {
			eng_log(e, sa, PP_LOG_ERR, "IKE rekey: key derivation "
				"failed");
			sa_free(e, nw);
			return;
		}
		if (sa->coll_ike) {
			struct eng_sa *nb = sa_by_id(e, sa->coll_ike);
			bool lost = nonce_lowest(sa->cx_ni, sizeof(sa->cx_ni),
						 nr.data, nr.len, sa->coll_ni,
						 sa->coll_ni_len, sa->coll_nr,
						 sizeof(sa->coll_nr));

			sa->coll_ike = 0;
			if (nb && lost) {
				/* nb was installed when we answered it */
				eng_log(e, sa, PP_LOG_INFO,
					"simultaneous IKE rekey: ours lost, "
					"deleting ike[%u]", nw->id);
				ike_redundant(e, sa, nw);
				pend_add(e, nw, RQ_DEL_IKE, 0, 0, true);
				pend_run(e, nw);
				return;
			}
			if (nb) {
				/* ours won: nb hands its children over; the
				 * peer deletes it (or already did: then it
				 * only waited for this response) */
				bool peer_deleted = nb->state == S_REKEYED;

				ike_rekey_finish(e, nb, nw);
				if (peer_deleted)
					sa_down(e, nb, PP_IKE_R_REKEYED);
				pend_add(e, sa, RQ_DEL_IKE, 0, 0, true);
				return;
			}
		}
		ike_rekey_finish(e, sa, nw);
		pend_add(e, sa, RQ_DEL_IKE, 0, 0, true);
		return;
	}
	{
		/* @old NULL: deleted meanwhile (by the peer, or as the
		 * replaced SA of the peer's rekey); the rekey is abandoned
		 * and the half the peer created is deleted (§2.8.1) */
		const struct ike_proposal *p = &e->sa_a.prop[0];
		uint16_t group = ike_prop_dh_group(p);
		uint8_t gir[IKE_DH_SECRET_MAX];
		struct pp_ike_ts tsi[PP_IKE_TS_MAX], tsr[PP_IKE_TS_MAX];
		unsigned int n_tsi, n_tsr;
		int rc = 0;

		e->sa_b = c->esp_props;
		if (ike_prop_check_response(&e->sa_b, p, why, sizeof(why)) ||
		    p->spi_size != 4 || group != sa->cx_dh.group ||
		    (group && (ike < 0 || ke.group != group)) ||
		    parse_ts_list(ch, PP_IKE_PLD_TSI, tsi, &n_tsi) ||
		    parse_ts_list(ch, PP_IKE_PLD_TSR, tsr, &n_tsr)) {
			eng_log(e, sa, PP_LOG_ERR,
				"Child rekey response not acceptable: %s", why);
			ike_dh_fini(&sa->cx_dh);
			return;
		}
		if (group)
			rc = ike_dh_derive(&sa->cx_dh, ke.data, ke.len, gir,
					   sizeof(gir));
		if (!rc) {
			struct child_new cn = {
				.prop = p,
				.spi_in = sa->cx_spi,
				.spi_out = get_be32(p->spi),
				.exch_initiator = true,
				.gir = group ? gir : NULL,
				.gir_len = group ? sa->cx_dh.secret_len : 0,
				.ni = sa->cx_ni, .ni_len = sizeof(sa->cx_ni),
				.nr = nr.data, .nr_len = nr.len,
				.lts = tsi, .n_lts = n_tsi,
				.rts = tsr, .n_rts = n_tsr,
				.old_id = old ? old->id : 0,
				.silent = !old,
				.dh_group = group,
			};

			struct eng_child *nc;
			struct eng_child *pn =
				old && sa->coll_old == old->id
					? child_by_id(sa, sa->coll_new)
					: NULL;
			bool coll = pn != NULL;
			bool lost = coll &&
				    nonce_lowest(sa->cx_ni, sizeof(sa->cx_ni),
						 nr.data, nr.len, sa->coll_ni,
						 sa->coll_ni_len, sa->coll_nr,
						 sizeof(sa->coll_nr));

			sa->coll_old = sa->coll_new = 0;
			if (coll) {
				/* the peer already replaced @old: ours is
				 * either redundant or a plain new SA */
				cn.old_id = 0;
				cn.silent = lost;
				/* the peer deleted its SA (pn) already */
				if (!lost && pn->rekeyed)
					cn.old_id = pn->id;
			}
			nc = child_install(e, sa, &cn);
			if (nc && pn && cn.old_id == pn->id)
				OPENSSL_cleanse(pn, sizeof(*pn));
			if (nc && !old) {
				eng_log(e, sa, PP_LOG_INFO,
					"rekeyed Child SA vanished meanwhile: "
					"deleting its new half %08x",
					nc->spi_in);
				pend_add(e, sa, RQ_DEL_CHILD, nc->id, 0, true);
			} else if (nc && lost) {
				/* §2.8.1: our exchange had the lowest
				 * nonce: we delete what it created */
				eng_log(e, sa, PP_LOG_INFO,
					"simultaneous rekey of Child SA %u: "
					"ours lost, deleting %08x", old->id,
					nc->spi_in);
				pend_add(e, sa, RQ_DEL_CHILD, nc->id, 0, true);
			} else if (nc) {
				old->rekeyed = true;
				if (!coll)
					e->st.rekeys++;
				pend_add(e, sa, RQ_DEL_CHILD, old->id, 0, true);
			}
		} else {
			eng_log(e, sa, PP_LOG_ERR,
				"Child rekey: invalid peer KE: %s",
				strerror(-rc));
		}
		OPENSSL_cleanse(gir, sizeof(gir));
		ike_dh_fini(&sa->cx_dh);
	}
}

/* ---------------------------------------------------------------------- */
/* Input                                                                  */
/* ---------------------------------------------------------------------- */

static struct eng_sa *sa_lookup(struct pp_ike *e, const struct ike_hdr *h)
{
	for (unsigned int i = 0; i < e->max_sas; i++) {
		struct eng_sa *s = e->sas[i];

		if (s && be64(s->spi_i) == h->spi_i &&
		    be64(s->spi_r) == h->spi_r)
			return s;
	}
	return NULL;
}

/*
 * Decrypt the SK payload (or collect an SKF fragment) of @m in e->rx and
 * parse the inner chain into e->inner. Returns 1 when a whole message is
 * ready, 0 when a fragment was stored or the datagram was dropped.
 */
static int rx_open(struct pp_ike *e, struct eng_sa *sa, struct ike_msg *m,
		   size_t len)
{
	const struct ike_hdr *h = &m->hdr;
	bool resp = ike_hdr_is_response(h);
	struct ike_sk_layout lay;
	struct ike_sk_frame f;
	struct ike_perr err;
	const uint8_t *plain;
	size_t plain_len;
	uint8_t first;
	int rc;

	memset(&err, 0, sizeof(err));
	if (!sa->keyed) {
		drop(e, PP_IKE_DROP_STATE);
		return 0;
	}
	rc = ike_msg_sk(m, sa->sk_in.iv_len, sa->sk_in.icv_len,
			sa->sk_in.block, &lay, &err);
	if (rc) {
		drop(e, PP_IKE_DROP_MALFORMED);
		eng_log(e, sa, PP_LOG_WARNING, "%s %s: %s: dropped",
			ike_exch_name(h->exchange),
			resp ? "response" : "request",
			rc == -ENOENT ? "no SK payload" : err.msg);
		return 0;
	}
	if (lay.type == PP_IKE_PLD_SKF &&
	    !(sa->peer_frag && sa_conn(e, sa)->fragmentation)) {
		drop(e, PP_IKE_DROP_FRAG);
		eng_log(e, sa, PP_LOG_WARNING,
			"fragment received but fragmentation was not "
			"negotiated: dropped");
		return 0;
	}
	memset(&f, 0, sizeof(f));
	f.msg_off = 0;
	f.sk_off = lay.pld_off;
	f.sk_hdr_len = lay.iv_off - lay.pld_off;
	rc = ike_sk_open(&sa->sk_in, e->rx, len, &f);
	if (rc) {
		drop(e, rc == -EBADMSG ? PP_IKE_DROP_ICV
				       : PP_IKE_DROP_MALFORMED);
		eng_log(e, sa, PP_LOG_WARNING,
			"%s %s MID %u: %s: dropped", ike_exch_name(h->exchange),
			resp ? "response" : "request", h->msg_id,
			rc == -EBADMSG ? "integrity check failed"
				       : "SK framing invalid");
		return 0;
	}
	plain = e->rx + ike_sk_frame_pt_off(&f);
	plain_len = f.pt_len;
	first = lay.first;
	if (lay.type == PP_IKE_PLD_SKF) {
		if (!sa->reasm) {
			sa->reasm = malloc(sizeof(*sa->reasm));
			if (!sa->reasm) {
				drop(e, PP_IKE_DROP_LIMIT);
				return 0;
			}
			ike_frag_reasm_init(sa->reasm);
		}
		rc = ike_frag_reasm_add(sa->reasm, h->msg_id, lay.frag_num,
					lay.frag_total, lay.first, plain,
					plain_len, &err);
		if (rc < 0) {
			drop(e, PP_IKE_DROP_FRAG);
			if (rc != -EALREADY)
				eng_log(e, sa, PP_LOG_WARNING,
					"fragment %u/%u of MID %u: %s",
					lay.frag_num, lay.frag_total,
					h->msg_id, err.msg);
			return 0;
		}
		if (rc == 0)
			return 0;
		plain = ike_frag_reasm_get(sa->reasm, &plain_len, &first);
		if (!plain) {
			drop(e, PP_IKE_DROP_FRAG);
			return 0;
		}
	}
	rc = ike_inner_parse(plain, plain_len, first, &e->inner, &err);
	if (!rc)
		rc = ike_chain_validate(&e->inner, h->exchange, resp, true,
					&err);
	if (!rc)
		rc = ike_chain_check_bodies(&e->inner, resp, &err);
	if (rc) {
		drop(e, PP_IKE_DROP_MALFORMED);
		eng_log(e, sa, PP_LOG_WARNING, "%s %s MID %u: %s: dropped",
			ike_exch_name(h->exchange),
			resp ? "response" : "request", h->msg_id, err.msg);
		return 0;
	}
	return 1;
}

static void peer_moved(struct pp_ike *e, struct eng_sa *sa,
		       const struct pp_ike_addr *src,
		       const struct pp_ike_addr *dst)
{
	struct pp_ike_event *ev;
	bool was_up = sa->state == S_ESTABLISHED;

	if (addr_eq(&sa->remote, src) && addr_eq(&sa->local, dst))
		return;
	/*
	 * RFC 7296 §2.23, RFC 3948 §2.2: once the SA uses UDP encapsulation
	 * (port 4500) it never goes back to port 500, where neither NAT
	 * keepalives nor ESP-in-UDP may be sent. A request that still
	 * reaches us on port 500 (a late or replayed datagram; it passed
	 * the integrity check) is processed, and its response, like all
	 * later traffic, goes to the SA's NAT-T endpoint.
	 */
	if (sa->natt && dst->port == ENG_IKE_PORT) {
		eng_log(e, sa, PP_LOG_INFO, "request on port 500 after the "
			"move to port %u: SA endpoint kept", sa->local.port);
		return;
	}
	sa->remote = *src;
	sa->local = *dst;
	if (dst->port != ENG_IKE_PORT)
		sa->natt = true;
	if (!was_up)
		return;
	for (unsigned int i = 0; i < ENG_CHILDREN; i++)
		if (sa->ch[i].used)
			sa->ch[i].udp_encap = sa->natt;
	ev = ev_new(e, sa, PP_IKE_EV_PEER_MOVED);
	ev->peer_id = sa->peer_id;
	eng_log(e, sa, PP_LOG_INFO, "peer moved to port %u (local port %u)",
		src->port, dst->port);
}

static void dispatch_request(struct pp_ike *e, struct eng_sa *sa,
			     uint8_t exch, uint32_t mid)
{
	sa->peer_mid = mid + 1;
	switch (exch) {
	case PP_IKE_EXCH_IKE_AUTH:
		if (sa->state == S_HALF_OPEN && !sa->initiator && mid == 1) {
			auth_request(e, sa, mid);
			return;
		}
		break;
	case PP_IKE_EXCH_INFORMATIONAL:
		if (sa->state == S_ESTABLISHED || sa->state == S_DELETING ||
		    sa->state == S_REKEYED) {
			info_request(e, sa, mid);
			return;
		}
		break;
	case PP_IKE_EXCH_CREATE_CHILD_SA:
		if (sa->state == S_ESTABLISHED) {
			ccs_request(e, sa, mid);
			return;
		}
		if (sa->state == S_DELETING || sa->state == S_REKEYED) {
			respond_notify(e, sa, exch, mid,
				       PP_IKE_N_TEMPORARY_FAILURE);
			return;
		}
		break;
	default:
		break;
	}
	sa->peer_mid = mid; /* not consumed */
	drop(e, PP_IKE_DROP_STATE);
	eng_log(e, sa, PP_LOG_WARNING, "%s request MID %u in state %d: "
		"dropped", ike_exch_name(exch), mid, (int)sa->state);
}

static void dispatch_response(struct pp_ike *e, struct eng_sa *sa,
			      uint8_t exch)
{
	uint32_t id = sa->id;

	switch (sa->req) {
	case RQ_AUTH:
		if (exch != PP_IKE_EXCH_IKE_AUTH)
			break;
		auth_response(e, sa);
		goto done;
	case RQ_DPD:
	case RQ_DEL_IKE:
	case RQ_DEL_CHILD:
		if (exch != PP_IKE_EXCH_INFORMATIONAL)
			break;
		info_response(e, sa);
		goto done;
	case RQ_REKEY_CHILD:
	case RQ_REKEY_IKE:
		if (exch != PP_IKE_EXCH_CREATE_CHILD_SA)
			break;
		ccs_response(e, sa);
		goto done;
	default:
		break;
	}
	drop(e, PP_IKE_DROP_STATE);
	eng_log(e, sa, PP_LOG_WARNING, "unexpected %s response: dropped",
		ike_exch_name(exch));
	return;
done:
	sa = sa_by_id(e, id);
	if (sa)
		pend_run(e, sa);
}

PP_EXPORT int pp_ike_input(struct pp_ike *ike, const uint8_t *data,
			   size_t len, const struct pp_ike_addr *src,
			   const struct pp_ike_addr *dst, uint64_t now_ms)
{
	struct pp_ike *e = ike;
	struct ike_msg *m;
	struct ike_perr err;
	struct eng_sa *sa;
	size_t off = 0;
	bool resp;

	if (!e || (!data && len) || !src || !dst)
		return -EINVAL;
	e->now = now_ms;
	e->st.rx++;
	/* Nothing can be answered to a source we could not send to. */
	if ((src->family != 4 && src->family != 6) ||
	    src->family != dst->family || src->port == 0) {
		drop(e, PP_IKE_DROP_MALFORMED);
		eng_log(e, NULL, PP_LOG_WARNING,
			"datagram of %zu bytes from family %u port %u to "
			"family %u: bad address: dropped", len,
			(unsigned int)src->family, (unsigned int)src->port,
			(unsigned int)dst->family);
		return -EINVAL;
	}
	if (dst->port != ENG_IKE_PORT) {
		if (len == 1 && data[0] == 0xff)
			return 0; /* NAT keepalive */
		if (len < 4) {
			drop(e, PP_IKE_DROP_MALFORMED);
			return 0;
		}
		if (data[0] | data[1] | data[2] | data[3]) {
			e->st.rx--;
			return -EPROTONOSUPPORT;
		}
		off = 4;
	}
	len -= off;
	if (len > sizeof(e->rx)) {
		drop(e, PP_IKE_DROP_MALFORMED);
		return 0;
	}
	memcpy(e->rx, data + off, len);
	m = &e->msg;
	if (ike_msg_parse(e->rx, len, m) || ike_msg_validate(m, &m->err)) {
		drop(e, PP_IKE_DROP_MALFORMED);
		eng_log(e, NULL, PP_LOG_WARNING,
			"datagram of %zu bytes: %s: dropped", len, m->err.msg);
		return 0;
	}
	resp = ike_hdr_is_response(&m->hdr);
	if (m->hdr.exchange == PP_IKE_EXCH_IKE_SA_INIT) {
		memset(&err, 0, sizeof(err));
		if (ike_chain_check_bodies(&m->chain, resp, &err)) {
			drop(e, PP_IKE_DROP_MALFORMED);
			eng_log(e, NULL, PP_LOG_WARNING,
				"IKE_SA_INIT %016llx_i: %s: dropped",
				(unsigned long long)m->hdr.spi_i, err.msg);
			return 0;
		}
		if (m->hdr.msg_id != 0) {
			drop(e, PP_IKE_DROP_MSG_ID);
			return 0;
		}
		if (!resp) {
			if (m->hdr.spi_r != 0 ||
			    !ike_hdr_from_initiator(&m->hdr)) {
				drop(e, PP_IKE_DROP_MALFORMED);
				return 0;
			}
			init_request(e, m, src, dst);
			return 0;
		}
		for (unsigned int i = 0; i < e->max_sas; i++) {
			sa = e->sas[i];
			if (sa && sa->initiator && sa->state == S_INIT_SENT &&
			    be64(sa->spi_i) == m->hdr.spi_i) {
				init_response(e, sa, m, src, dst);
				return 0;
			}
		}
		drop(e, PP_IKE_DROP_NO_SA);
		return 0;
	}
	sa = sa_lookup(e, &m->hdr);
	if (!sa) {
		drop(e, PP_IKE_DROP_NO_SA);
		eng_log(e, NULL, PP_LOG_INFO,
			"%s for unknown SA %016llx_i %016llx_r: dropped",
			ike_exch_name(m->hdr.exchange),
			(unsigned long long)m->hdr.spi_i,
			(unsigned long long)m->hdr.spi_r);
		return 0;
	}
	if (ike_hdr_from_initiator(&m->hdr) == sa->initiator) {
		drop(e, PP_IKE_DROP_STATE);
		eng_log(e, sa, PP_LOG_WARNING,
			"message with our own Initiator flag: dropped");
		return 0;
	}
	if (resp) {
		if (sa->req == RQ_NONE || sa->req == RQ_INIT ||
		    m->hdr.msg_id != sa->req_mid) {
			drop(e, PP_IKE_DROP_MSG_ID);
			eng_log(e, sa, PP_LOG_INFO,
				"response MID %u does not match an outstanding "
				"request: dropped", m->hdr.msg_id);
			return 0;
		}
	} else {
		if (sa->have_resp && m->hdr.msg_id + 1 == sa->peer_mid) {
			e->st.dup_requests++;
			/* a fragmented request: answer its first fragment */
			if (m->chain.sk >= 0 &&
			    m->chain.pld[m->chain.sk].type == PP_IKE_PLD_SKF &&
			    m->chain.pld[m->chain.sk].body_len >= 2 &&
			    (ike_pld_body(&m->chain,
					  (unsigned int)m->chain.sk)[0] != 0 ||
			     ike_pld_body(&m->chain,
					  (unsigned int)m->chain.sk)[1] != 1))
				return 0;
			tx_send(e, sa, &sa->rx_resp);
			return 0;
		}
		if (m->hdr.msg_id != sa->peer_mid) {
			drop(e, PP_IKE_DROP_MSG_ID);
			eng_log(e, sa, PP_LOG_INFO,
				"request MID %u, expected %u: dropped",
				m->hdr.msg_id, sa->peer_mid);
			return 0;
		}
	}
	if (rx_open(e, sa, m, len) != 1)
		return 0;
	sa->last_rx = now_ms;
	if (!sa->initiator)
		peer_moved(e, sa, src, dst);
	if (resp)
		dispatch_response(e, sa, m->hdr.exchange);
	else
		dispatch_request(e, sa, m->hdr.exchange, m->hdr.msg_id);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Timers                                                                 */
/* ---------------------------------------------------------------------- */

static uint64_t dpd_deadline(const struct pp_ike *e, const struct eng_sa *sa)
{
	uint32_t d = sa_conn(e, sa)->dpd_delay_s;

	if (!d || sa->state != S_ESTABLISHED)
		return UINT64_MAX;
	return sa->last_rx + (uint64_t)d * 1000;
}

static bool keepalive_due(const struct pp_ike *e, const struct eng_sa *sa,
			  uint64_t *at)
{
	*at = UINT64_MAX;
	if (!sa->nat_local || !sa->natt || sa->state != S_ESTABLISHED ||
	    sa->local.port == ENG_IKE_PORT) /* never from 500 (RFC 3948) */
		return false;
	*at = sa->last_tx + ENG_KEEPALIVE_MS;
	return e->now >= *at;
}

static uint64_t sa_deadline(const struct pp_ike *e, const struct eng_sa *sa)
{
	uint64_t t = UINT64_MAX, k;

#define MINT(x)                                                          \
	do {                                                             \
		if ((x) && (x) < t)                                      \
			t = (x);                                         \
	} while (0)
	if (sa->req != RQ_NONE)
		MINT(sa->rtx_at);
	if (sa->state == S_HALF_OPEN)
		MINT(sa->half_open_until);
	if (sa->state == S_ESTABLISHED || sa->state == S_REKEYED)
		MINT(sa->expire_at);
	if (sa->state == S_ESTABLISHED) {
		MINT(sa->rekey_at);
		if (sa->req == RQ_NONE && !pend_has(sa, RQ_DPD, 0))
			MINT(dpd_deadline(e, sa));
		(void)keepalive_due(e, sa, &k);
		MINT(k);
		for (unsigned int i = 0; i < ENG_CHILDREN; i++) {
			const struct eng_child *c = &sa->ch[i];

			if (!c->used)
				continue;
			MINT(c->expire_at);
			if (!c->rekeyed && !c->rekeying)
				MINT(c->rekey_at);
		}
	}
	for (unsigned int i = 0; i < sa->n_pend; i++)
		if (sa->req == RQ_NONE)
			MINT(sa->pend[i].not_before);
#undef MINT
	return t;
}

PP_EXPORT uint64_t pp_ike_next_deadline(const struct pp_ike *ike)
{
	uint64_t t = UINT64_MAX;

	if (!ike)
		return t;
	for (unsigned int i = 0; i < ike->max_sas; i++)
		if (ike->sas[i]) {
			uint64_t d = sa_deadline(ike, ike->sas[i]);

			if (d < t)
				t = d;
		}
	for (unsigned int i = 0; i < ike->n_conns; i++)
		if (ike->conns[i].reconnect_at &&
		    ike->conns[i].reconnect_at < t)
			t = ike->conns[i].reconnect_at;
	return t;
}

/* Returns false when the SA was freed. */
static bool sa_tick(struct pp_ike *e, struct eng_sa *sa)
{
	uint64_t now = e->now, k;

	if (sa->req != RQ_NONE && now >= sa->rtx_at) {
		if (sa->rtx_count < e->rtx_tries) {
			sa->rtx_count++;
			sa->rtx_at = now + rtx_delay(e, sa->rtx_count);
			e->st.retransmits++;
			tx_send(e, sa, &sa->tx);
		} else {
			enum pp_ike_reason r = PP_IKE_R_TIMEOUT;

			if (sa->req == RQ_DPD)
				r = PP_IKE_R_DPD;
			else if (sa->state == S_REKEYED)
				r = PP_IKE_R_REKEYED; /* replaced: quietly */
			else if (sa->req == RQ_DEL_IKE)
				r = PP_IKE_R_LOCAL_DELETE;
			eng_log(e, sa, PP_LOG_WARNING,
				"%s request MID %u: no response after %u "
				"retransmissions (%s)",
				sa->req == RQ_INIT ? "IKE_SA_INIT"
				: sa->req == RQ_AUTH ? "IKE_AUTH"
				: sa->req == RQ_REKEY_CHILD ||
						sa->req == RQ_REKEY_IKE
					? "CREATE_CHILD_SA"
					: "INFORMATIONAL",
				sa->req_mid, sa->rtx_count,
				pp_ike_reason_name(r));
			sa_down(e, sa, r);
			return false;
		}
	}
	if (sa->state == S_HALF_OPEN && now >= sa->half_open_until) {
		eng_log(e, sa, PP_LOG_INFO,
			"half-open IKE SA expired (no IKE_AUTH)");
		e->st.fail[PP_IKE_R_TIMEOUT]++;
		sa_free(e, sa);
		return false;
	}
	if (sa->state == S_REKEYED && now >= sa->expire_at) {
		sa_down(e, sa, PP_IKE_R_REKEYED);
		return false;
	}
	if (sa->state != S_ESTABLISHED)
		return true;
	if (now >= sa->expire_at) {
		eng_log(e, sa, PP_LOG_WARNING,
			"hard lifetime reached without a rekey");
		sa_down(e, sa, PP_IKE_R_EXPIRED);
		return false;
	}
	if (now >= sa->rekey_at) {
		sa->rekey_at = UINT64_MAX;
		pend_add(e, sa, RQ_REKEY_IKE, 0, 0, false);
	}
	if (sa->req == RQ_NONE && now >= dpd_deadline(e, sa))
		pend_add(e, sa, RQ_DPD, 0, 0, false);
	if (keepalive_due(e, sa, &k)) {
		static const uint8_t ka = 0xff;

		out_push(e, &sa->local, &sa->remote, &ka, 1, true);
		sa->last_tx = now;
	}
	for (unsigned int i = 0; i < ENG_CHILDREN; i++) {
		struct eng_child *c = &sa->ch[i];

		if (!c->used)
			continue;
		if (now >= c->expire_at) {
			if (c->rekeyed) {
				OPENSSL_cleanse(c, sizeof(*c));
				continue;
			}
			eng_log(e, sa, PP_LOG_WARNING,
				"Child SA %u (%08x/%08x) hard lifetime reached",
				c->id, c->spi_in, c->spi_out);
			child_down(e, sa, c, PP_IKE_R_EXPIRED);
			continue;
		}
		if (!c->rekeyed && !c->rekeying && now >= c->rekey_at) {
			c->rekey_at = UINT64_MAX;
			pend_add(e, sa, RQ_REKEY_CHILD, c->id, 0, false);
		}
	}
	pend_run(e, sa);
	return true;
}

PP_EXPORT int pp_ike_timeout(struct pp_ike *ike, uint64_t now_ms)
{
	if (!ike)
		return -EINVAL;
	ike->now = now_ms;
	for (unsigned int i = 0; i < ike->max_sas; i++) {
		struct eng_sa *sa = ike->sas[i];

		if (sa) {
			if (sa_tick(ike, sa) && sa->state == S_ESTABLISHED)
				pend_run(ike, sa);
		}
	}
	for (unsigned int i = 0; i < ike->n_conns; i++) {
		struct eng_conn *c = &ike->conns[i];

		if (c->reconnect_at && now_ms >= c->reconnect_at) {
			int rc;

			c->reconnect_at = 0;
			rc = initiate_conn(ike, i, NULL);
			if (rc)
				eng_log(ike, NULL, PP_LOG_ERR,
					"reconnect of '%s' failed: %s",
					c->c.name, strerror(-rc));
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Commands                                                               */
/* ---------------------------------------------------------------------- */

static int sa_delete(struct pp_ike *e, struct eng_sa *sa)
{
	if (sa->state == S_ESTABLISHED || sa->state == S_REKEYED) {
		if (sa->req == RQ_DEL_IKE || pend_has(sa, RQ_DEL_IKE, 0))
			return 0;
		sa->n_pend = 0;
		pend_add(e, sa, RQ_DEL_IKE, 0, 0, true);
		pend_run(e, sa);
		return 0;
	}
	if (sa->state == S_DELETING)
		return 0;
	sa_down(e, sa, PP_IKE_R_LOCAL_DELETE);
	return 0;
}

PP_EXPORT int pp_ike_delete(struct pp_ike *ike, uint32_t ike_sa_id,
			    uint64_t now_ms)
{
	struct eng_sa *sa;

	if (!ike)
		return -EINVAL;
	ike->now = now_ms;
	sa = sa_by_id(ike, ike_sa_id);
	if (!sa)
		return -ENOENT;
	return sa_delete(ike, sa);
}

PP_EXPORT int pp_ike_shutdown(struct pp_ike *ike, uint64_t now_ms)
{
	if (!ike)
		return -EINVAL;
	ike->now = now_ms;
	for (unsigned int i = 0; i < ike->n_conns; i++)
		ike->conns[i].reconnect_at = 0;
	for (unsigned int i = 0; i < ike->max_sas; i++)
		if (ike->sas[i])
			(void)sa_delete(ike, ike->sas[i]);
	return 0;
}

/* Queue a request of @kind on an established IKE SA (API commands). */
static int api_request(struct pp_ike *ike, uint32_t ike_sa_id,
		       uint64_t now_ms, enum req_kind kind)
{
	struct eng_sa *sa;

	if (!ike)
		return -EINVAL;
	ike->now = now_ms;
	sa = sa_by_id(ike, ike_sa_id);
	if (!sa)
		return -ENOENT;
	if (sa->state != S_ESTABLISHED)
		return -EAGAIN;
	pend_add(ike, sa, kind, 0, 0, false);
	pend_run(ike, sa);
	return 0;
}

PP_EXPORT int pp_ike_rekey_ike(struct pp_ike *ike, uint32_t ike_sa_id,
			       uint64_t now_ms)
{
	return api_request(ike, ike_sa_id, now_ms, RQ_REKEY_IKE);
}

static struct eng_sa *sa_of_child(struct pp_ike *e, uint32_t child_id,
				  struct eng_child **out)
{
	for (unsigned int i = 0; i < e->max_sas; i++) {
		struct eng_sa *sa = e->sas[i];
		struct eng_child *c = sa ? child_by_id(sa, child_id) : NULL;

		if (c) {
			*out = c;
			return sa;
		}
	}
	return NULL;
}

PP_EXPORT int pp_ike_rekey_child(struct pp_ike *ike, uint32_t child_id,
				 uint64_t now_ms)
{
	struct eng_child *c = NULL;
	struct eng_sa *sa;

	if (!ike)
		return -EINVAL;
	ike->now = now_ms;
	sa = sa_of_child(ike, child_id, &c);
	if (!sa)
		return -ENOENT;
	if (sa->state != S_ESTABLISHED || c->rekeyed || c->deleting)
		return -EAGAIN;
	pend_add(ike, sa, RQ_REKEY_CHILD, child_id, 0, false);
	pend_run(ike, sa);
	return 0;
}

PP_EXPORT int pp_ike_dpd(struct pp_ike *ike, uint32_t ike_sa_id,
			 uint64_t now_ms)
{
	return api_request(ike, ike_sa_id, now_ms, RQ_DPD);
}

PP_EXPORT void pp_ike_child_seen(struct pp_ike *ike, uint32_t child_id,
				 uint64_t now_ms)
{
	struct eng_child *c = NULL;
	struct eng_sa *sa;

	if (!ike)
		return;
	sa = sa_of_child(ike, child_id, &c);
	if (sa && now_ms > sa->last_rx)
		sa->last_rx = now_ms;
}

/* ---------------------------------------------------------------------- */
/* Creation                                                               */
/* ---------------------------------------------------------------------- */

static int copy_psk(const struct pp_ike_auth_cfg *a, uint8_t **out,
		    size_t *len)
{
	*out = NULL;
	*len = 0;
	if (a->method != PP_IKE_AUTHM_PSK || !a->psk || !a->psk_len)
		return 0;
	*out = malloc(a->psk_len);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, a->psk, a->psk_len);
	*len = a->psk_len;
	return 0;
}

static void conn_fini(struct eng_conn *c)
{
	if (c->psk_l) {
		OPENSSL_cleanse(c->psk_l, c->psk_l_len);
		free(c->psk_l);
	}
	if (c->psk_r) {
		OPENSSL_cleanse(c->psk_r, c->psk_r_len);
		free(c->psk_r);
	}
	if (c->cred)
		ike_cred_free(c->cred);
	if (c->trust)
		ike_trust_free(c->trust);
	if (c->pool4)
		ike_pool_destroy(c->pool4);
	if (c->pool6)
		ike_pool_destroy(c->pool6);
	memset(c, 0, sizeof(*c));
}

/* conn.esn: offer ESN (first) besides whatever the string says. */
static void esp_offer_esn(struct ike_sa *list)
{
	for (unsigned int p = 0; p < list->n_proposals; p++) {
		struct ike_proposal *pr = &list->prop[p];
		unsigned int at = pr->n_transforms;
		bool has = false;

		for (unsigned int i = 0; i < pr->n_transforms; i++) {
			if (pr->xf[i].type != PP_IKE_TRANSFORM_ESN)
				continue;
			if (pr->xf[i].id == PP_IKE_ESN_YES)
				has = true;
			if (at == pr->n_transforms)
				at = i;
		}
		if (has || pr->n_transforms >= IKE_PROP_MAX_TRANSFORMS)
			continue;
		memmove(&pr->xf[at + 1], &pr->xf[at],
			(pr->n_transforms - at) * sizeof(pr->xf[0]));
		memset(&pr->xf[at], 0, sizeof(pr->xf[at]));
		pr->xf[at].type = PP_IKE_TRANSFORM_ESN;
		pr->xf[at].id = PP_IKE_ESN_YES;
		pr->n_transforms++;
	}
}

static int conn_init(struct pp_ike *e, struct eng_conn *ec,
		     const struct pp_ike_conn *src)
{
	char err[256];
	int rc;

	ec->c = *src;
	ec->c.name[PP_IKE_NAME_MAX - 1] = 0;
	ec->c.ike_proposals = NULL;
	ec->c.esp_proposals = NULL;
	if (!ec->c.ike_rekey_s)
		ec->c.ike_rekey_s = 14400;
	if (!ec->c.child_rekey_s)
		ec->c.child_rekey_s = 3600;
	if (ec->c.n_local_ts > PP_IKE_TS_MAX ||
	    ec->c.n_remote_ts > PP_IKE_TS_MAX || ec->c.n_dns4 > PP_IKE_DNS_MAX ||
	    ec->c.n_dns6 > PP_IKE_DNS_MAX || ec->c.local_id.len > PP_IKE_ID_MAX ||
	    ec->c.remote_id.len > PP_IKE_ID_MAX) {
		eng_log(e, NULL, PP_LOG_ERR, "conn '%s': a count exceeds its "
			"array", ec->c.name);
		return -EINVAL;
	}
	if ((src->local_auth.method != PP_IKE_AUTHM_PSK &&
	     src->local_auth.method != PP_IKE_AUTHM_PUBKEY) ||
	    (src->remote_auth.method != PP_IKE_AUTHM_PSK &&
	     src->remote_auth.method != PP_IKE_AUTHM_PUBKEY)) {
		eng_log(e, NULL, PP_LOG_ERR, "conn '%s': unknown "
			"authentication method", ec->c.name);
		return -EINVAL;
	}
	if (src->local_auth.method == PP_IKE_AUTHM_PUBKEY) {
		rc = ike_cred_load(src->local_auth.cert,
				   src->local_auth.cert_len,
				   src->local_auth.key, src->local_auth.key_len,
				   &ec->cred, err, sizeof(err));
		if (rc) {
			eng_log(e, NULL, PP_LOG_ERR,
				"conn '%s': local credential: %s", ec->c.name,
				err);
			return rc;
		}
		if (ec->c.local_id.type == PP_IKE_IDT_NONE &&
		    ike_cred_default_id(ec->cred, &ec->c.local_id))
			ec->c.local_id.type = PP_IKE_IDT_NONE;
	}
	if (src->remote_auth.method == PP_IKE_AUTHM_PUBKEY) {
		rc = ike_trust_load(src->remote_auth.ca,
				    src->remote_auth.ca_len, &ec->trust, err,
				    sizeof(err));
		if (rc) {
			eng_log(e, NULL, PP_LOG_ERR,
				"conn '%s': trust anchors: %s", ec->c.name,
				err);
			return rc;
		}
	}
	rc = ike_prop_parse(src->ike_proposals ? src->ike_proposals
					       : "default",
			    PP_IKE_PROTO_IKE, &ec->ike_props, err, sizeof(err));
	if (!rc)
		rc = ike_prop_parse(src->esp_proposals ? src->esp_proposals
						       : "default",
				    PP_IKE_PROTO_ESP, &ec->esp_props, err,
				    sizeof(err));
	if (rc) {
		eng_log(e, NULL, PP_LOG_ERR, "conn '%s': proposals: %s",
			ec->c.name, err);
		return -EINVAL;
	}
	if (src->esn)
		esp_offer_esn(&ec->esp_props);
	rc = copy_psk(&src->local_auth, &ec->psk_l, &ec->psk_l_len);
	if (!rc)
		rc = copy_psk(&src->remote_auth, &ec->psk_r, &ec->psk_r_len);
	if (!rc && !ec->psk_l && !ec->psk_r &&
	    (!ec->cred || !ec->trust)) {
		eng_log(e, NULL, PP_LOG_ERR, "conn '%s': no PSK", ec->c.name);
		rc = -EINVAL;
	}
	if (!rc && ((ec->psk_l && ec->psk_l_len < 16) ||
		    (ec->psk_r && ec->psk_r_len < 16))) {
		eng_log(e, NULL, PP_LOG_ERR,
			"conn '%s': PSK shorter than 16 bytes", ec->c.name);
		rc = -EINVAL;
	}
	if (!rc && src->pool4_size)
		rc = ike_pool_create(4, src->pool4_start, src->pool4_size,
				     &ec->pool4);
	if (!rc && src->pool6_size)
		rc = ike_pool_create(6, src->pool6_start, src->pool6_size,
				     &ec->pool6);
	return rc;
}

PP_EXPORT int pp_ike_create(const struct pp_ike_params *prm,
			    struct pp_ike **out)
{
	struct pp_ike *e;
	int rc = 0;

	if (!prm || !out || (prm->n_conns && !prm->conns))
		return -EINVAL;
	*out = NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->prm = *prm;
	e->prm.conns = NULL;
	e->max_sas = prm->max_ike_sas ? prm->max_ike_sas : ENG_MAX_SAS_DEFAULT;
	e->cookie_thr = prm->cookie_threshold ? prm->cookie_threshold
					      : ENG_COOKIE_THR_DEFAULT;
	e->rtx_base = prm->retransmit_base_ms ? prm->retransmit_base_ms
					      : ENG_RTX_BASE_DEFAULT;
	e->rtx_tries = prm->retransmit_tries ? prm->retransmit_tries
					     : ENG_RTX_TRIES_DEFAULT;
	e->half_open_ms = prm->half_open_timeout_ms ? prm->half_open_timeout_ms
						    : ENG_HALF_OPEN_DEFAULT;
	e->sas = calloc(e->max_sas, sizeof(*e->sas));
	e->arena = malloc(ENG_ARENA);
	e->conns = prm->n_conns ? calloc(prm->n_conns, sizeof(*e->conns))
				: NULL;
	if (!e->sas || !e->arena || (prm->n_conns && !e->conns)) {
		pp_ike_destroy(e);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < prm->n_conns && !rc; i++) {
		rc = conn_init(e, &e->conns[i], &prm->conns[i]);
		e->n_conns = i + 1;
	}
	if (rc) {
		pp_ike_destroy(e);
		return rc;
	}
	*out = e;
	return 0;
}

PP_EXPORT void pp_ike_destroy(struct pp_ike *ike)
{
	if (!ike)
		return;
	if (ike->sas)
		for (unsigned int i = 0; i < ike->max_sas; i++)
			if (ike->sas[i])
				sa_free(ike, ike->sas[i]);
	free(ike->sas);
	for (unsigned int i = 0; i < ike->n_conns; i++)
		conn_fini(&ike->conns[i]);
	free(ike->conns);
	for (unsigned int i = 0; i < ENG_EVQ; i++)
		pp_ike_event_wipe(&ike->evq[i]);
	free(ike->arena);
	OPENSSL_cleanse(ike, sizeof(*ike));
	free(ike);
}
