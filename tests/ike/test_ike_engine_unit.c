/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libike engine: in-process initiator <-> responder loop over the public
 * API (pp_ike.h), with a tiny two-node "network" in this file (the
 * scenario suite test_ike_engine.c has the full harness). Each test names
 * the RFC 7296 section whose behaviour it checks.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <parapass/pp_esp.h>
#include <parapass/pp_ike.h>

#define EV_MAX 64
#define NODE_I 0
#define NODE_R 1

struct node {
	struct pp_ike *ike;
	struct pp_ike_conn conn;
	struct pp_ike_addr addr;
	struct pp_ike_event ev[EV_MAX];
	unsigned int n_ev;
	uint64_t rng;
	unsigned int sent;
	uint64_t sent_at[32];
	uint16_t last_dport;
	bool last_marker;
	unsigned int keepalives, keepalives_from_500;
	uint8_t rec[4][2048]; /* the first datagrams sent, as sent */
	size_t rec_len[4];
	char nat_log[256]; /* the last "NAT detected" log line */
};

struct net {
	struct node n[2];
	uint64_t now;
	bool drop_from[2];     /* drop everything a node sends */
	bool nat;	       /* I's source address rewritten on its way */
	unsigned int dup_next; /* deliver the next I datagram twice */
	bool init_to_4500;     /* I's first datagram reaches R on 4500 */
	unsigned int keylog_lines;
};

static const uint8_t psk[] = "0123456789abcdef-unit-test-psk";

/* Deterministic randomness (xorshift64*), distinct per node. */
static int unit_rand(void *opaque, uint8_t *out, size_t len)
{
	uint64_t *s = opaque;

	for (size_t i = 0; i < len; i++) {
		*s ^= *s >> 12;
		*s ^= *s << 25;
		*s ^= *s >> 27;
		out[i] = (uint8_t)((*s * 0x2545F4914F6CDD1Dull) >> 56);
	}
	return 0;
}

static void unit_log(void *opaque, enum pp_log_level lvl, const char *msg)
{
	struct node *nd = opaque;
	const char *p = msg ? strstr(msg, "NAT detected:") : NULL;

	(void)lvl;
	if (p)
		snprintf(nd->nat_log, sizeof(nd->nat_log), "%s", p);
}

static void unit_keylog(void *opaque, enum pp_ike_keylog_kind kind,
			const char *line)
{
	struct net *n = opaque;

	(void)kind;
	if (line && line[0])
		n->keylog_lines++;
}

static void addr4(struct pp_ike_addr *a, uint8_t last, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->bytes[0] = 192;
	a->bytes[1] = 0;
	a->bytes[2] = 2;
	a->bytes[3] = last;
	a->port = port;
}

static void net_conf(struct net *n, const char *ike_i, const char *ike_r,
		     const char *esp)
{
	memset(n, 0, sizeof(*n));
	n->now = 1000000;
	for (int i = 0; i < 2; i++) {
		struct pp_ike_conn *c = &n->n[i].conn;

		pp_ike_conn_defaults(c);
		snprintf(c->name, sizeof(c->name), "unit");
		addr4(&n->n[i].addr, (uint8_t)(1 + i), 500);
		c->local = n->n[i].addr;
		c->local_auth.psk = psk;
		c->local_auth.psk_len = sizeof(psk) - 1;
		c->remote_auth = c->local_auth;
		c->ike_proposals = i == NODE_I ? ike_i : ike_r;
		c->esp_proposals = esp;
		c->rand_time_s = 0;
		c->local_id.type = PP_IKE_IDT_FQDN;
		c->local_id.len = (uint16_t)snprintf(
			(char *)c->local_id.data, sizeof(c->local_id.data),
			i == NODE_I ? "client.example" : "gw.example");
		n->n[i].rng = 0x1234567890abcdefull + (uint64_t)i * 7919;
	}
	n->n[NODE_I].conn.remote = n->n[NODE_R].addr;
}

static void net_start(struct net *n, uint32_t cookie_thr)
{
	for (int i = 0; i < 2; i++) {
		struct pp_ike_params p;

		memset(&p, 0, sizeof(p));
		p.conns = &n->n[i].conn;
		p.n_conns = 1;
		p.rand_fn = unit_rand;
		p.rand_opaque = &n->n[i].rng;
		p.log_fn = unit_log;
		p.log_opaque = &n->n[i];
		p.keylog_fn = unit_keylog;
		p.keylog_opaque = n;
		p.cookie_threshold = i == NODE_R ? cookie_thr : 0;
		assert_int_equal(pp_ike_create(&p, &n->n[i].ike), 0);
	}
}

static void net_fini(struct net *n)
{
	for (int i = 0; i < 2; i++) {
		for (unsigned int k = 0; k < n->n[i].n_ev; k++)
			pp_ike_event_wipe(&n->n[i].ev[k]);
		pp_ike_destroy(n->n[i].ike);
	}
}

static void collect(struct net *n)
{
	for (int i = 0; i < 2; i++) {
		struct pp_ike_event ev;

		while (pp_ike_event(n->n[i].ike, &ev) == 1) {
			if (n->n[i].n_ev < EV_MAX)
				n->n[i].ev[n->n[i].n_ev++] = ev;
			pp_ike_event_wipe(&ev);
		}
	}
}

/* Move datagrams until both output queues are empty. */
static void pump(struct net *n)
{
	bool more = true;

	while (more) {
		more = false;
		for (int i = 0; i < 2; i++) {
			struct pp_ike_dgram d;
			uint8_t buf[PP_IKE_DGRAM_MAX];

			while (pp_ike_output(n->n[i].ike, &d) == 1) {
				struct pp_ike_addr src = d.src, dst = d.dst;
				size_t len = d.len;
				int copies = 1;

				more = true;
				memcpy(buf, d.data, len);
				if (n->n[i].sent < 4 &&
				    len <= sizeof(n->n[i].rec[0])) {
					memcpy(n->n[i].rec[n->n[i].sent], buf,
					       len);
					n->n[i].rec_len[n->n[i].sent] = len;
				}
				if (len == 1 && buf[0] == 0xff) {
					n->n[i].keepalives++;
					n->n[i].keepalives_from_500 +=
						src.port == 500;
				}
				if (n->n[i].sent < 32)
					n->n[i].sent_at[n->n[i].sent] = n->now;
				n->n[i].sent++;
				n->n[i].last_dport = dst.port;
				n->n[i].last_marker = len >= 4 && !buf[0] &&
						      !buf[1] && !buf[2] &&
						      !buf[3];
				if (n->drop_from[i])
					continue;
				if (i == NODE_I && n->nat) {
					src.bytes[3] = 99; /* NAT mapping */
					src.port = (uint16_t)(src.port + 10000);
				} else if (n->nat) { /* and back */
					dst.bytes[3] = 1;
					dst.port = (uint16_t)(dst.port - 10000);
				}
				/* a replay of I's IKE_SA_INIT on port 4500
				 * (RFC 3948 §2.2 marker); R answers from
				 * 4500 to I's port 500: strip the marker */
				if (i == NODE_I && n->init_to_4500 &&
				    n->n[i].sent == 1 &&
				    len + 4 <= sizeof(buf)) {
					memmove(buf + 4, buf, len);
					memset(buf, 0, 4);
					len += 4;
					dst.port = 4500;
				} else if (i == NODE_R && n->init_to_4500 &&
					   src.port == 4500 &&
					   dst.port == 500 && len > 4) {
					len -= 4;
					memmove(buf, buf + 4, len);
				}
				if (i == NODE_I && n->dup_next) {
					n->dup_next--;
					copies = 2;
				}
				while (copies--)
					assert_int_equal(
						pp_ike_input(n->n[1 - i].ike,
							     buf, len, &src,
							     &dst, n->now),
						0);
			}
		}
	}
	collect(n);
}

/* Run timers up to @until (absolute), pumping after each. */
static void run_until(struct net *n, uint64_t until)
{
	for (int guard = 0; guard < 10000; guard++) {
		uint64_t t = UINT64_MAX;

		pump(n);
		for (int i = 0; i < 2; i++) {
			uint64_t d = pp_ike_next_deadline(n->n[i].ike);

			if (d < t)
				t = d;
		}
		if (t > until)
			break;
		if (t > n->now)
			n->now = t;
		for (int i = 0; i < 2; i++)
			assert_int_equal(pp_ike_timeout(n->n[i].ike, n->now),
					 0);
	}
	if (n->now < until)
		n->now = until;
	pump(n);
}

static const struct pp_ike_event *find_ev(const struct net *n, int node,
					  enum pp_ike_event_type t,
					  unsigned int nth)
{
	for (unsigned int k = 0; k < n->n[node].n_ev; k++)
		if (n->n[node].ev[k].type == t && nth-- == 0)
			return &n->n[node].ev[k];
	return NULL;
}

static unsigned int count_ev(const struct net *n, int node,
			     enum pp_ike_event_type t)
{
	unsigned int c = 0;

	for (unsigned int k = 0; k < n->n[node].n_ev; k++)
		c += n->n[node].ev[k].type == t;
	return c;
}

static void connect(struct net *n)
{
	assert_int_equal(pp_ike_initiate(n->n[NODE_I].ike, "unit", n->now,
					 NULL),
			 0);
	run_until(n, n->now + 100);
}

/* Both Child SA halves agree: SPIs crossed, keys crossed. */
static void check_child_pair(const struct pp_ike_child *a,
			     const struct pp_ike_child *b)
{
	assert_int_equal(a->spi_in, b->spi_out);
	assert_int_equal(a->spi_out, b->spi_in);
	assert_int_equal(a->key_len, b->key_len);
	assert_int_equal(a->integ_len, b->integ_len);
	assert_true(a->key_len > 0);
	assert_memory_equal(a->key_in, b->key_out, a->key_len);
	assert_memory_equal(a->key_out, b->key_in, a->key_len);
	if (a->integ_len) {
		assert_memory_equal(a->integ_in, b->integ_out, a->integ_len);
		assert_memory_equal(a->integ_out, b->integ_in, a->integ_len);
	}
	assert_memory_not_equal(a->key_in, a->key_out, a->key_len);
	assert_int_equal(a->cipher, b->cipher);
	assert_int_equal(a->integ, b->integ);
}

/* ---------------------------------------------------------------------- */

struct suite_case {
	const char *ike, *esp;
	enum pp_esp_cipher cipher;
	enum pp_esp_integ integ;
	uint8_t key_len;
	unsigned int keylog_lines; /* both nodes; Wireshark 4.0 has no
				    * ChaCha20-Poly1305 label (ike_keylog.h) */
};

static const struct suite_case suite_cases[] = {
	{ "aes256gcm16-prfsha256-x25519", "aes256gcm16",
	  PP_ESP_CIPHER_AES_GCM_16, PP_ESP_INTEG_NONE, 36, 6 },
	{ "aes128-sha256-ecp256", "aes128-sha256", PP_ESP_CIPHER_AES_CBC,
	  PP_ESP_INTEG_HMAC_SHA256_128, 16, 6 },
	{ "chacha20poly1305-prfsha384-ecp384", "chacha20poly1305",
	  PP_ESP_CIPHER_CHACHA20_POLY1305, PP_ESP_INTEG_NONE, 36, 0 },
	{ "aes256-sha512-modp2048", "aes256-sha384", PP_ESP_CIPHER_AES_CBC,
	  PP_ESP_INTEG_HMAC_SHA384_192, 32, 6 },
};

/* §1.2: IKE_SA_INIT + IKE_AUTH (PSK) for each suite; both ends derive
 * mirrored Child SA keys and the libesp parameters map 1:1. */
static void test_rfc7296_1_2_psk_handshake_suites(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(suite_cases) / sizeof(suite_cases[0]);
	     i++) {
		const struct suite_case *sc = &suite_cases[i];
		const struct pp_ike_event *ci, *cr, *ui;
		struct pp_esp_sa_params ep;
		struct pp_ike_stats st;
		struct net n;

		net_conf(&n, sc->ike, sc->ike, sc->esp);
		net_start(&n, 0);
		connect(&n);
		ui = find_ev(&n, NODE_I, PP_IKE_EV_IKE_UP, 0);
		assert_non_null(ui);
		assert_non_null(find_ev(&n, NODE_R, PP_IKE_EV_IKE_UP, 0));
		assert_int_equal(ui->peer_id.type, PP_IKE_IDT_FQDN);
		assert_memory_equal(ui->peer_id.data, "gw.example", 10);
		ci = find_ev(&n, NODE_I, PP_IKE_EV_CHILD_UP, 0);
		cr = find_ev(&n, NODE_R, PP_IKE_EV_CHILD_UP, 0);
		assert_non_null(ci);
		assert_non_null(cr);
		check_child_pair(&ci->child, &cr->child);
		assert_int_equal(ci->child.cipher, sc->cipher);
		assert_int_equal(ci->child.integ, sc->integ);
		assert_int_equal(ci->child.key_len, sc->key_len);
		assert_false(ci->child.udp_encap);
		assert_int_equal(pp_ike_child_esp_params(
					 &ci->child, PP_ESP_DIR_OUTBOUND, &ep),
				 0);
		assert_int_equal(ep.spi, ci->child.spi_out);
		assert_int_equal(ep.cipher_key_len, sc->key_len);
		assert_int_equal(ep.outer_dst.bytes[3], 2);
		/* key export: one IKEv2 line per IKE SA, two per child */
		assert_int_equal(n.keylog_lines, sc->keylog_lines);
		pp_ike_get_stats(n.n[NODE_I].ike, &st);
		assert_int_equal(st.ike_up, 1);
		assert_int_equal(st.child_up, 1);
		net_fini(&n);
	}
}

/* §2.1 / §2.4: a silent responder: retransmissions after 4 s x 1.8^n,
 * five of them, then IKE_DOWN with reason TIMEOUT. */
static void test_rfc7296_2_4_retransmit_backoff_then_timeout(void **state)
{
	/* first send at t0, then +4000, +7200, +12960, +23328, +41990 */
	static const uint64_t at[] = { 0, 4000, 11200, 24160, 47488, 89478 };
	const struct pp_ike_event *d;
	struct pp_ike_stats st;
	struct net n;
	uint64_t t0;

	(void)state;
	net_conf(&n, NULL, NULL, NULL);
	net_start(&n, 0);
	n.drop_from[NODE_R] = true;
	t0 = n.now;
	connect(&n);
	run_until(&n, t0 + 200000);
	assert_int_equal(n.n[NODE_I].sent, 6);
	for (unsigned int i = 0; i < 6; i++)
		assert_int_equal(n.n[NODE_I].sent_at[i] - t0, at[i]);
	d = find_ev(&n, NODE_I, PP_IKE_EV_IKE_DOWN, 0);
	assert_non_null(d);
	assert_int_equal(d->reason, PP_IKE_R_TIMEOUT);
	pp_ike_get_stats(n.n[NODE_I].ike, &st);
	assert_int_equal(st.retransmits, 5);
	assert_int_equal(st.fail[PP_IKE_R_TIMEOUT], 1);
	net_fini(&n);
}

/* §2.1: a duplicated request is answered from the cache, not redone. */
static void test_rfc7296_2_1_duplicate_request_cached(void **state)
{
	struct pp_ike_stats st;
	struct net n;

	(void)state;
	net_conf(&n, NULL, NULL, NULL);
	net_start(&n, 0);
	n.dup_next = 2; /* IKE_SA_INIT and IKE_AUTH both arrive twice */
	connect(&n);
	pp_ike_get_stats(n.n[NODE_R].ike, &st);
	assert_int_equal(st.dup_requests, 2);
	assert_int_equal(st.ike_up, 1);
	assert_int_equal(count_ev(&n, NODE_I, PP_IKE_EV_IKE_UP), 1);
	/* the initiator dropped the duplicate responses as unexpected */
	pp_ike_get_stats(n.n[NODE_I].ike, &st);
	assert_int_equal(st.ike_up, 1);
	assert_true(st.drops[PP_IKE_DROP_NO_SA] + st.drops[PP_IKE_DROP_MSG_ID] +
			    st.drops[PP_IKE_DROP_STATE] >=
		    1);
	net_fini(&n);
}

/* §1.2: KE for the wrong group -> INVALID_KE_PAYLOAD(x25519) -> retry. */
static void test_rfc7296_1_2_invalid_ke_retry(void **state)
{
	struct pp_ike_stats st;
	struct net n;

	(void)state;
	net_conf(&n, "aes128gcm16-prfsha256-ecp256-x25519",
		 "aes128gcm16-prfsha256-x25519", NULL);
	net_start(&n, 0);
	connect(&n);
	assert_non_null(find_ev(&n, NODE_I, PP_IKE_EV_IKE_UP, 0));
	pp_ike_get_stats(n.n[NODE_R].ike, &st);
	assert_int_equal(st.invalid_ke_sent, 1);
	assert_int_equal(n.n[NODE_I].sent, 3); /* INIT, INIT again, AUTH */
	net_fini(&n);
}

/* §2.6: at the half-open threshold the responder demands a cookie and
 * keeps no state until it comes back. */
static void test_rfc7296_2_6_cookie_round_trip(void **state)
{
	struct pp_ike_stats st;
	struct net n;

	(void)state;
	net_conf(&n, NULL, NULL, NULL);
	net_start(&n, 1);
	/* one half-open SA: an IKE_SA_INIT whose IKE_AUTH never comes */
	n.drop_from[NODE_R] = true;
	connect(&n);
	assert_int_equal(pp_ike_delete(n.n[NODE_I].ike, 1, n.now), 0);
	n.drop_from[NODE_R] = false;
	collect(&n);
	connect(&n);
	assert_non_null(find_ev(&n, NODE_I, PP_IKE_EV_IKE_UP, 0));
	pp_ike_get_stats(n.n[NODE_R].ike, &st);
	assert_int_equal(st.cookies_sent, 1);
	assert_int_equal(st.drops[PP_IKE_DROP_COOKIE], 1);
	assert_int_equal(st.ike_up, 1);
	net_fini(&n);
}

/* §2.23: NAT between the peers: IKE_AUTH on 4500 with the marker, ESP
 * UDP-encapsulated on both ends, responder answers the mapped port. */
static void test_rfc7296_2_23_nat_float(void **state)
{
	const struct pp_ike_event *ci, *cr;
	struct net n;

	(void)state;
	net_conf(&n, NULL, NULL, NULL);
	net_start(&n, 0);
	n.nat = true;
	connect(&n);
	ci = find_ev(&n, NODE_I, PP_IKE_EV_CHILD_UP, 0);
	cr = find_ev(&n, NODE_R, PP_IKE_EV_CHILD_UP, 0);
	assert_non_null(ci);
	assert_non_null(cr);
	assert_true(ci->child.udp_encap);
	assert_true(cr->child.udp_encap);
	assert_int_equal(ci->child.remote.port, 4500);
	assert_int_equal(cr->child.remote.port, 14500); /* mapped */
	assert_int_equal(n.n[NODE_I].last_dport, 4500);
	assert_true(n.n[NODE_I].last_marker);
	check_child_pair(&ci->child, &cr->child);
	net_fini(&n);
}

/* §1.4.1 / §2.4: delete by the responder; then DPD on a silent peer. */
static void test_rfc7296_1_4_delete_and_dpd(void **state)
{
	const struct pp_ike_event *d;
	struct net n;

	(void)state;
	net_conf(&n, NULL, NULL, NULL);
	net_start(&n, 0);
	connect(&n);
	assert_int_equal(pp_ike_delete(n.n[NODE_R].ike,
				       find_ev(&n, NODE_R, PP_IKE_EV_IKE_UP, 0)
					       ->ike_sa_id,
				       n.now),
			 0);
	run_until(&n, n.now + 100);
	d = find_ev(&n, NODE_I, PP_IKE_EV_IKE_DOWN, 0);
	assert_non_null(d);
	assert_int_equal(d->reason, PP_IKE_R_PEER_DELETE);
	d = find_ev(&n, NODE_R, PP_IKE_EV_CHILD_DOWN, 0);
	assert_non_null(d);
	assert_int_equal(d->reason, PP_IKE_R_LOCAL_DELETE);
	assert_int_equal(count_ev(&n, NODE_I, PP_IKE_EV_CHILD_DOWN), 1);
	net_fini(&n);

	/* DPD: 30 s of silence, the peer stops answering */
	net_conf(&n, NULL, NULL, NULL);
	n.n[NODE_I].conn.dpd_delay_s = 30;
	net_start(&n, 0);
	connect(&n);
	n.drop_from[NODE_R] = true;
	run_until(&n, n.now + 29000);
	assert_null(find_ev(&n, NODE_I, PP_IKE_EV_IKE_DOWN, 0));
	run_until(&n, n.now + 200000);
	d = find_ev(&n, NODE_I, PP_IKE_EV_IKE_DOWN, 0);
	assert_non_null(d);
	assert_int_equal(d->reason, PP_IKE_R_DPD);
	/* auto_reconnect: a fresh IKE_SA_INIT went out afterwards */
	n.drop_from[NODE_R] = false;
	run_until(&n, n.now + 100000);
	assert_int_equal(count_ev(&n, NODE_I, PP_IKE_EV_IKE_UP), 2);
	net_fini(&n);
}

/* §1.3.3 / §2.17: child rekey with PFS, make-before-break; then §2.18 IKE
 * rekey keeps the children. */
static void test_rfc7296_2_8_child_pfs_and_ike_rekey(void **state)
{
	const struct pp_ike_event *o, *ri, *rr, *ki, *kr;
	struct net n;

	(void)state;
	net_conf(&n, "aes256gcm16-prfsha256-x25519",
		 "aes256gcm16-prfsha256-x25519", "aes256gcm16-x25519");
	net_start(&n, 0);
	connect(&n);
	o = find_ev(&n, NODE_I, PP_IKE_EV_CHILD_UP, 0);
	assert_non_null(o);
	assert_int_equal(pp_ike_rekey_child(n.n[NODE_I].ike, o->child.child_id,
					    n.now),
			 0);
	run_until(&n, n.now + 100);
	ri = find_ev(&n, NODE_I, PP_IKE_EV_CHILD_REKEYED, 0);
	rr = find_ev(&n, NODE_R, PP_IKE_EV_CHILD_REKEYED, 0);
	assert_non_null(ri);
	assert_non_null(rr);
	assert_int_equal(ri->child.old_child_id, o->child.child_id);
	assert_int_equal(ri->child.dh_group, 31);
	check_child_pair(&ri->child, &rr->child);
	assert_memory_not_equal(ri->child.key_out, o->child.key_out, 36);
	/* the old child was deleted quietly (its replacement announced it) */
	assert_int_equal(count_ev(&n, NODE_I, PP_IKE_EV_CHILD_DOWN), 0);
	assert_int_equal(count_ev(&n, NODE_R, PP_IKE_EV_CHILD_DOWN), 0);

	assert_int_equal(pp_ike_rekey_ike(n.n[NODE_R].ike,
					  find_ev(&n, NODE_R, PP_IKE_EV_IKE_UP,
						  0)->ike_sa_id,
					  n.now),
			 0);
	run_until(&n, n.now + 100);
	ki = find_ev(&n, NODE_I, PP_IKE_EV_IKE_REKEYED, 0);
	kr = find_ev(&n, NODE_R, PP_IKE_EV_IKE_REKEYED, 0);
	assert_non_null(ki);
	assert_non_null(kr);
	assert_true(ki->spi_i == kr->spi_i && ki->spi_r == kr->spi_r);
	assert_int_equal(count_ev(&n, NODE_I, PP_IKE_EV_IKE_DOWN), 0);
	assert_int_equal(count_ev(&n, NODE_R, PP_IKE_EV_IKE_DOWN), 0);
	/* the children live on: rekey again over the new IKE SA */
	assert_int_equal(pp_ike_rekey_child(n.n[NODE_I].ike,
					    ri->child.child_id, n.now),
			 0);
	run_until(&n, n.now + 100);
	assert_non_null(find_ev(&n, NODE_I, PP_IKE_EV_CHILD_REKEYED, 1));
	net_fini(&n);
}

/* The live Child SAs of @node after replaying its events (UP adds,
 * REKEYED adds and removes old_child_id, DOWN removes). */
static unsigned int live_children(const struct net *n, int node,
				  const struct pp_ike_child **out)
{
	const struct pp_ike_child *live[EV_MAX];
	unsigned int nl = 0;

	for (unsigned int k = 0; k < n->n[node].n_ev; k++) {
		const struct pp_ike_event *ev = &n->n[node].ev[k];
		uint32_t gone = 0;

		if (ev->type == PP_IKE_EV_CHILD_UP ||
		    ev->type == PP_IKE_EV_CHILD_REKEYED)
			live[nl++] = &ev->child;
		if (ev->type == PP_IKE_EV_CHILD_REKEYED)
			gone = ev->child.old_child_id;
		if (ev->type == PP_IKE_EV_CHILD_DOWN)
			gone = ev->child.child_id;
		for (unsigned int i = 0; gone && i < nl; i++)
			if (live[i]->child_id == gone)
				live[i--] = live[--nl];
	}
	if (nl)
		*out = live[0];
	return nl;
}

/* §2.8.1: both ends rekey the same Child SA at once; each ends with one
 * Child SA, the same pair on both sides, and no IKE SA is lost. */
static void test_rfc7296_2_8_1_simultaneous_child_rekey(void **state)
{
	const struct pp_ike_child *li = NULL, *lr = NULL;
	struct net n;

	(void)state;
	net_conf(&n, NULL, NULL, NULL);
	net_start(&n, 0);
	connect(&n);
	assert_int_equal(
		pp_ike_rekey_child(n.n[NODE_I].ike,
				   find_ev(&n, NODE_I, PP_IKE_EV_CHILD_UP, 0)
					   ->child.child_id,
				   n.now),
		0);
	assert_int_equal(
		pp_ike_rekey_child(n.n[NODE_R].ike,
				   find_ev(&n, NODE_R, PP_IKE_EV_CHILD_UP, 0)
					   ->child.child_id,
				   n.now),
		0);
	run_until(&n, n.now + 10000);
	assert_int_equal(live_children(&n, NODE_I, &li), 1);
	assert_int_equal(live_children(&n, NODE_R, &lr), 1);
	check_child_pair(li, lr);
	assert_int_not_equal(li->spi_in, find_ev(&n, NODE_I, PP_IKE_EV_CHILD_UP,
						 0)->child.spi_in);
	assert_int_equal(count_ev(&n, NODE_I, PP_IKE_EV_IKE_DOWN), 0);
	assert_int_equal(count_ev(&n, NODE_R, PP_IKE_EV_IKE_DOWN), 0);
	/* nothing left pending: no further exchange within a minute */
	{
		unsigned int before = n.n[NODE_I].sent + n.n[NODE_R].sent;

		run_until(&n, n.now + 60000);
		assert_int_equal(n.n[NODE_I].sent + n.n[NODE_R].sent, before);
	}
	net_fini(&n);
}

/* Hostile input before any SA: garbage is counted and keeps no state. */
static void test_rfc7296_hostile_no_state(void **state)
{
	struct pp_ike_stats st;
	struct net n;
	uint8_t junk[64];
	struct pp_ike_addr src, dst;

	(void)state;
	net_conf(&n, NULL, NULL, NULL);
	net_start(&n, 0);
	addr4(&src, 66, 500);
	addr4(&dst, 2, 500);
	memset(junk, 0xa5, sizeof(junk));
	for (size_t len = 0; len <= sizeof(junk); len += 7)
		assert_int_equal(pp_ike_input(n.n[NODE_R].ike, junk, len, &src,
					      &dst, n.now),
				 0);
	dst.port = 4500;
	assert_int_equal(pp_ike_input(n.n[NODE_R].ike, junk, 40, &src, &dst,
				      n.now),
			 -EPROTONOSUPPORT);
	pp_ike_get_stats(n.n[NODE_R].ike, &st);
	assert_int_equal(st.drops[PP_IKE_DROP_MALFORMED], 10);
	assert_int_equal(pp_ike_next_deadline(n.n[NODE_R].ike), UINT64_MAX);
	net_fini(&n);
}

/* RFC 7296 §2.23, RFC 3948 §2.2: I's IKE_SA_INIT reaches R on port 4500
 * (so R finds itself behind a NAT and uses 4500), then I's IKE_AUTH
 * arrives on port 500. R processes it but its SA stays on 4500: the
 * Child SA is UDP-encapsulated from 4500 and no keepalive leaves 500
 * (fuzz-repro-keepalive-port500.bin). */
static void test_rfc3948_2_2_no_return_to_port_500(void **state)
{
	const struct pp_ike_event *cr;
	struct net n;

	(void)state;
	net_conf(&n, NULL, NULL, NULL);
	net_start(&n, 0);
	n.init_to_4500 = true;
	connect(&n);
	assert_non_null(find_ev(&n, NODE_I, PP_IKE_EV_IKE_UP, 0));
	cr = find_ev(&n, NODE_R, PP_IKE_EV_CHILD_UP, 0);
	assert_non_null(cr);
	assert_true(cr->child.udp_encap);
	assert_int_equal(cr->child.local.port, 4500);
	assert_int_equal(cr->child.remote.port, 500);
	assert_null(find_ev(&n, NODE_R, PP_IKE_EV_PEER_MOVED, 0));
	/* ENG_KEEPALIVE_MS is 20 s: at least two keepalives, none from 500 */
	run_until(&n, n.now + 65000);
	assert_true(n.n[NODE_R].keepalives >= 2);
	assert_int_equal(n.n[NODE_R].keepalives_from_500, 0);
	assert_int_equal(count_ev(&n, NODE_R, PP_IKE_EV_IKE_DOWN), 0);
	net_fini(&n);
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* §2.6: R demands a cookie; I's first IKE_SA_INIT reached R twice, so
 * two identical COOKIE replies come back. I retries once, with exactly
 * the first request's payloads (same KEi, Ni, NAT-D) after the COOKIE
 * notify, ignores the duplicate COOKIE, and a COOKIE arriving after R
 * answered restarts nothing (fuzz-repro-cookie-new-ke.bin). */
static void test_rfc7296_2_6_cookie_retry_keeps_ke_and_nonce(void **state)
{
	struct pp_ike_stats si, sr;
	struct pp_ike_addr src, dst;
	struct pp_ike_dgram d;
	const uint8_t *r0, *r1;
	size_t l0, l1, nl;
	unsigned int downs;
	struct net n;

	(void)state;
	net_conf(&n, NULL, NULL, NULL);
	net_start(&n, 1);
	/* one half-open SA: an IKE_SA_INIT whose IKE_AUTH never comes */
	n.drop_from[NODE_R] = true;
	connect(&n);
	assert_int_equal(pp_ike_delete(n.n[NODE_I].ike, 1, n.now), 0);
	n.drop_from[NODE_R] = false;
	collect(&n);
	n.n[NODE_I].sent = 0;
	n.n[NODE_R].sent = 0;
	n.dup_next = 1;
	connect(&n);
	assert_non_null(find_ev(&n, NODE_I, PP_IKE_EV_IKE_UP, 0));
	assert_non_null(find_ev(&n, NODE_R, PP_IKE_EV_IKE_UP, 0));
	pp_ike_get_stats(n.n[NODE_I].ike, &si);
	pp_ike_get_stats(n.n[NODE_R].ike, &sr);
	assert_int_equal(sr.cookies_sent, 2);
	assert_int_equal(si.drops[PP_IKE_DROP_COOKIE], 1);
	assert_int_equal(n.n[NODE_I].sent, 3); /* INIT, INIT+COOKIE, AUTH */
	/* the retry = the first request with N(COOKIE) in front (§2.6) */
	r0 = n.n[NODE_I].rec[0];
	r1 = n.n[NODE_I].rec[1];
	l0 = n.n[NODE_I].rec_len[0];
	l1 = n.n[NODE_I].rec_len[1];
	assert_true(l0 > 28 && l1 > 36);
	assert_int_equal(r1[16], 41); /* first payload: Notify */
	assert_int_equal(rd16(r1 + 28 + 6), 16390); /* COOKIE */
	nl = rd16(r1 + 28 + 2);
	assert_int_equal(nl, 8 + 33); /* our cookie: 1 + 32 bytes */
	assert_int_equal(l1, l0 + nl);
	assert_memory_equal(r0, r1, 16); /* SPIs, next payload differs */
	assert_int_equal(r0[16], 33);	  /* SA */
	assert_memory_equal(r0 + 28, r1 + 28 + nl, l0 - 28);
	/* a stale COOKIE reply (R's first datagram) after R answered */
	downs = count_ev(&n, NODE_I, PP_IKE_EV_IKE_DOWN); /* the deleted */
	assert_int_equal(downs, 1);
	assert_true(n.n[NODE_R].rec_len[0] > 28);
	src = n.n[NODE_R].addr;
	dst = n.n[NODE_I].addr;
	assert_int_equal(pp_ike_input(n.n[NODE_I].ike, n.n[NODE_R].rec[0],
				      n.n[NODE_R].rec_len[0], &src, &dst,
				      n.now),
			 0);
	assert_int_equal(pp_ike_output(n.n[NODE_I].ike, &d), 0);
	pp_ike_get_stats(n.n[NODE_I].ike, &si);
	assert_int_equal(si.drops[PP_IKE_DROP_NO_SA], 1);
	collect(&n);
	assert_int_equal(count_ev(&n, NODE_I, PP_IKE_EV_IKE_DOWN), downs);
	net_fini(&n);
}

/* pp_ike.h: a datagram whose source address cannot be answered (family
 * not 4/6, families that differ, source port 0) is refused with -EINVAL,
 * counted as malformed, creates no state and is not answered. */
static void test_pp_ike_input_bad_source_address(void **state)
{
	static const struct {
		uint8_t src_family, dst_family;
		uint16_t src_port;
	} bad[] = {
		{ 0, 4, 500 }, { 7, 7, 500 }, { 0, 0, 500 }, { 6, 4, 500 },
		{ 4, 6, 500 }, { 4, 4, 0 },   { 6, 6, 0 },
	};
	uint8_t init[2048];
	struct pp_ike_addr src, dst;
	struct pp_ike_stats st;
	struct pp_ike_dgram d;
	size_t len;
	struct net n;

	(void)state;
	net_conf(&n, NULL, NULL, NULL);
	net_start(&n, 0);
	assert_int_equal(pp_ike_initiate(n.n[NODE_I].ike, "unit", n.now,
					 NULL),
			 0);
	assert_int_equal(pp_ike_output(n.n[NODE_I].ike, &d), 1);
	assert_true(d.len <= sizeof(init));
	len = d.len;
	memcpy(init, d.data, len);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		src = n.n[NODE_I].addr;
		dst = n.n[NODE_R].addr;
		src.family = bad[k].src_family;
		src.port = bad[k].src_port;
		dst.family = bad[k].dst_family;
		assert_int_equal(pp_ike_input(n.n[NODE_R].ike, init, len, &src,
					      &dst, n.now),
				 -EINVAL);
		assert_int_equal(pp_ike_output(n.n[NODE_R].ike, &d), 0);
		assert_int_equal(pp_ike_next_deadline(n.n[NODE_R].ike),
				 UINT64_MAX);
		pp_ike_get_stats(n.n[NODE_R].ike, &st);
		assert_int_equal(st.drops[PP_IKE_DROP_MALFORMED], k + 1);
		assert_int_equal(st.rx, k + 1);
	}
	/* the same datagram from a valid source is answered */
	src = n.n[NODE_I].addr;
	dst = n.n[NODE_R].addr;
	assert_int_equal(pp_ike_input(n.n[NODE_R].ike, init, len, &src, &dst,
				      n.now),
			 0);
	assert_int_equal(pp_ike_output(n.n[NODE_R].ike, &d), 1);
	assert_int_equal(d.dst.family, 4);
	assert_int_equal(d.dst.port, 500);
	assert_memory_equal(d.dst.bytes, src.bytes, 4);
	net_fini(&n);
}

/* §2.23: the NAT detection log line names each finding, separated. */
static void test_rfc7296_2_23_nat_detected_log(void **state)
{
	static const struct {
		bool nat, init_to_4500;
		const char *line;
	} cases[] = {
		{ true, false,
		  "NAT detected: peer is behind a NAT (or fakes NAT-D)" },
		{ false, true, "NAT detected: we are behind a NAT" },
		{ true, true,
		  "NAT detected: we are behind a NAT; peer is behind a NAT "
		  "(or fakes NAT-D)" },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct net n;

		net_conf(&n, NULL, NULL, NULL);
		net_start(&n, 0);
		n.nat = cases[k].nat;
		n.init_to_4500 = cases[k].init_to_4500;
		connect(&n);
		assert_string_equal(n.n[NODE_R].nat_log, cases[k].line);
		assert_non_null(find_ev(&n, NODE_I, PP_IKE_EV_IKE_UP, 0));
		net_fini(&n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7296_1_2_psk_handshake_suites),
		cmocka_unit_test(test_rfc7296_2_4_retransmit_backoff_then_timeout),
		cmocka_unit_test(test_rfc7296_2_1_duplicate_request_cached),
		cmocka_unit_test(test_rfc7296_1_2_invalid_ke_retry),
		cmocka_unit_test(test_rfc7296_2_6_cookie_round_trip),
		cmocka_unit_test(test_rfc7296_2_23_nat_float),
		cmocka_unit_test(test_rfc7296_1_4_delete_and_dpd),
		cmocka_unit_test(test_rfc7296_2_8_child_pfs_and_ike_rekey),
		cmocka_unit_test(test_rfc7296_2_8_1_simultaneous_child_rekey),
		cmocka_unit_test(test_rfc7296_hostile_no_state),
		cmocka_unit_test(test_rfc3948_2_2_no_return_to_port_500),
		cmocka_unit_test(
			test_rfc7296_2_6_cookie_retry_keeps_ke_and_nonce),
		cmocka_unit_test(test_pp_ike_input_bad_source_address),
		cmocka_unit_test(test_rfc7296_2_23_nat_detected_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
