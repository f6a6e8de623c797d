/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * In-memory network, virtual clock, event collectors and data-plane check
 * for the libike engine tests. See ike_harness.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <openssl/crypto.h>

#include <parapass/pp_esp.h>
#include <parapass/pp_ike.h>

#include "ike_crypto.h"
#include "ike_harness.h"
#include "pktbuild.h"

/* cmocka's headers need these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* Work bound of one ikh_run(): a stuck engine timer fails the test
 * instead of hanging it. */
#define IKH_STEPS_MAX 2000000u

static bool verbose(void)
{
	static int v = -1;

	if (v < 0)
		v = getenv("IKH_VERBOSE") != NULL;
	return v != 0;
}

/* ---------------------------------------------------------------------- */
/* Addresses                                                              */
/* ---------------------------------------------------------------------- */

struct pp_ike_addr ikh_addr4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct pp_ike_addr x;

	memset(&x, 0, sizeof(x));
	x.family = 4;
	x.bytes[0] = a;
	x.bytes[1] = b;
	x.bytes[2] = c;
	x.bytes[3] = d;
	x.port = 500;
	return x;
}

struct pp_ike_addr ikh_addr6(uint16_t last)
{
	struct pp_ike_addr x;

	memset(&x, 0, sizeof(x));
	x.family = 6;
	x.bytes[0] = 0x20;
	x.bytes[1] = 0x01;
	x.bytes[2] = 0x0d;
	x.bytes[3] = 0xb8;
	x.bytes[14] = (uint8_t)(last >> 8);
	x.bytes[15] = (uint8_t)last;
	x.port = 500;
	return x;
}

const char *ikh_addr_str(const struct pp_ike_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (a->family == 4)
		inet_ntop(AF_INET, a->bytes, ip, sizeof(ip));
	else if (a->family == 6)
		inet_ntop(AF_INET6, a->bytes, ip, sizeof(ip));
	else
		snprintf(ip, sizeof(ip), "(family %u)", a->family);
	snprintf(buf, len, "%s:%u", ip, a->port);
	return buf;
}

static bool ip_eq(const struct pp_ike_addr *a, const struct pp_ike_addr *b)
{
	size_t n = a->family == 4 ? 4 : 16;

	return a->family == b->family && memcmp(a->bytes, b->bytes, n) == 0;
}

bool ikh_addr_eq(const struct pp_ike_addr *a, const struct pp_ike_addr *b)
{
	return ip_eq(a, b) && a->port == b->port;
}

/* ---------------------------------------------------------------------- */
/* Callbacks given to the engines                                         */
/* ---------------------------------------------------------------------- */

static int h_rand(void *opaque, uint8_t *out, size_t len)
{
	struct ikh_node *n = opaque;

	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = pb_rand(&n->rand_state);
		size_t k = len - i < 8 ? len - i : 8;

		memcpy(out + i, &v, k);
	}
	return 0;
}

static void *grow(void *p, unsigned int *cap, size_t elem, unsigned int need)
{
	unsigned int c = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	q = realloc(p, (size_t)c * elem);
	if (q == NULL)
		fail_msg("harness: out of memory");
	*cap = c;
	return q;
}

static void h_log(void *opaque, enum pp_log_level level, const char *msg)
{
	struct ikh_node *n = opaque;
	size_t l = strlen(msg);

	if (verbose())
		fprintf(stderr, "[%s] <%d> %s\n", n->name, (int)level, msg);
	if (n->log == NULL) {
		n->log = malloc(IKH_LOG_MAX);
		if (n->log == NULL)
			fail_msg("harness: out of memory");
		n->log_len = 0;
	}
	/* Keep the first IKH_LOG_MAX bytes: tests look for early lines. */
	if (n->log_len + l + 2 > IKH_LOG_MAX)
		return;
	memcpy(n->log + n->log_len, msg, l);
	n->log_len += l;
	n->log[n->log_len++] = '\n';
	n->log[n->log_len] = '\0';
}

static void h_keylog(void *opaque, enum pp_ike_keylog_kind kind,
		     const char *line)
{
	struct ikh_node *n = opaque;

	n->kl = grow(n->kl, &n->cap_kl, sizeof(*n->kl), n->n_kl + 1);
	n->kl[n->n_kl].kind = kind;
	snprintf(n->kl[n->n_kl].line, sizeof(n->kl[n->n_kl].line), "%s",
		 line);
	n->n_kl++;
}

/* ---------------------------------------------------------------------- */
/* Nodes                                                                  */
/* ---------------------------------------------------------------------- */

void ikh_init(struct ikh_net *net)
{
	memset(net, 0, sizeof(*net));
	net->now = 1000000; /* any epoch; not 0 so that "0" bugs show */
	net->latency_ms = 1;
}

static void create_engine(struct ikh_node *n, const struct pp_ike_params *prm,
			  uint64_t seed)
{
	struct pp_ike_params p = *prm;
	int rc;

	n->rand_state = seed * 0x9e3779b97f4a7c15ull + 1;
	p.log_fn = h_log;
	p.log_opaque = n;
	p.keylog_fn = h_keylog;
	p.keylog_opaque = n;
	p.rand_fn = h_rand;
	p.rand_opaque = n;
	rc = pp_ike_create(&p, &n->ike);
	if (rc != 0)
		fail_msg("pp_ike_create(%s) = %d", n->name, rc);
}

int ikh_add_node(struct ikh_net *net, const char *name,
		 const struct pp_ike_addr *addr, const struct pp_ike_params *prm,
		 uint64_t seed)
{
	struct ikh_node *n;

	assert_true(net->n_nodes < IKH_NODES_MAX);
	n = &net->node[net->n_nodes];
	memset(n, 0, sizeof(*n));
	n->name = name;
	n->addr = *addr;
	create_engine(n, prm, seed);
	return (int)net->n_nodes++;
}

void ikh_restart_node(struct ikh_net *net, int idx,
		      const struct pp_ike_params *prm, uint64_t seed)
{
	struct ikh_node *n = &net->node[idx];

	pp_ike_destroy(n->ike);
	n->ike = NULL;
	create_engine(n, prm, seed);
}

void ikh_clear_events(struct ikh_net *net, int node)
{
	struct ikh_node *n = &net->node[node];

	for (unsigned int i = 0; i < n->n_ev; i++)
		pp_ike_event_wipe(&n->ev[i]);
	n->n_ev = 0;
}

void ikh_forget_wire(struct ikh_net *net)
{
	/* Keep the datagrams still in flight. */
	for (unsigned int i = 0; i < net->n_pkt; i++) {
		bool queued = false;

		for (unsigned int q = 0; q < net->n_queue; q++)
			queued |= net->queue[q] == i;
		if (!queued) {
			free(net->pkt[i].data);
			net->pkt[i].data = NULL;
			net->pkt[i].len = 0;
			net->pkt[i].from = -2; /* forgotten */
		}
	}
}

void ikh_fini(struct ikh_net *net)
{
	for (unsigned int i = 0; i < net->n_nodes; i++) {
		struct ikh_node *n = &net->node[i];

		ikh_clear_events(net, (int)i);
		free(n->ev);
		free(n->log);
		free(n->kl);
		pp_ike_destroy(n->ike);
	}
	for (unsigned int i = 0; i < net->n_pkt; i++)
		free(net->pkt[i].data);
	free(net->pkt);
	free(net->queue);
	memset(net, 0, sizeof(*net));
}

/* ---------------------------------------------------------------------- */
/* NAT box                                                                */
/* ---------------------------------------------------------------------- */

void ikh_nat_enable(struct ikh_net *net, int inside,
		    const struct pp_ike_addr *pub)
{
	net->nat.on = true;
	net->nat.inside = inside;
	net->nat.pub = *pub;
	net->nat.port_base = 20000;
	net->nat.generation = 0;
	net->nat.n_map = 0;
}

void ikh_nat_rebind(struct ikh_net *net)
{
	net->nat.generation++;
	net->nat.n_map = 0;
}

static uint16_t nat_out(struct ikh_net *net, uint16_t inner)
{
	struct ikh_nat *t = &net->nat;

	for (unsigned int i = 0; i < t->n_map; i++)
		if (t->map[i].inner == inner)
			return t->map[i].outer;
	assert_true(t->n_map < IKH_NAT_MAP_MAX);
	t->map[t->n_map].inner = inner;
	t->map[t->n_map].outer =
		(uint16_t)(t->port_base + t->generation * 100 + t->n_map);
	return t->map[t->n_map++].outer;
}

/* 0 = no mapping (the NAT drops it) */
static uint16_t nat_in(const struct ikh_net *net, uint16_t outer)
{
	const struct ikh_nat *t = &net->nat;

	for (unsigned int i = 0; i < t->n_map; i++)
		if (t->map[i].outer == outer)
			return t->map[i].inner;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Wire                                                                   */
/* ---------------------------------------------------------------------- */

static int node_by_ip(const struct ikh_net *net, const struct pp_ike_addr *a)
{
	for (unsigned int i = 0; i < net->n_nodes; i++)
		if (ip_eq(&net->node[i].addr, a))
			return (int)i;
	return -1;
}

static unsigned int fault_pct(struct ikh_net *net)
{
	return (unsigned int)(pb_rand(&net->fault_state) % 100);
}

static void enqueue(struct ikh_net *net, unsigned int idx)
{
	net->queue = grow(net->queue, &net->cap_queue, sizeof(*net->queue),
			  net->n_queue + 1);
	net->queue[net->n_queue++] = idx;
}

static unsigned int new_pkt(struct ikh_net *net)
{
	net->pkt = grow(net->pkt, &net->cap_pkt, sizeof(*net->pkt),
			net->n_pkt + 1);
	memset(&net->pkt[net->n_pkt], 0, sizeof(net->pkt[0]));
	net->pkt[net->n_pkt].seq = net->n_pkt;
	return net->n_pkt++;
}

static uint64_t extra_delay(struct ikh_net *net)
{
	if (net->faults.seed == 0 || net->faults.delay_max_ms == 0)
		return 0;
	return pb_rand(&net->fault_state) % (net->faults.delay_max_ms + 1);
}

static void wire_send(struct ikh_net *net, int from,
		      const struct pp_ike_dgram *dg)
{
	unsigned int i = new_pkt(net);
	struct ikh_pkt *p = &net->pkt[i];
	enum ikh_verdict v = IKH_PASS;
	int to;

	p->from = from;
	p->t_sent = net->now;
	p->src = dg->src;
	p->dst = dg->dst;
	p->nsrc = dg->src;
	p->ndst = dg->dst;
	p->len = dg->len;
	p->data = malloc(dg->len ? dg->len : 1);
	if (p->data == NULL)
		fail_msg("harness: out of memory");
	memcpy(p->data, dg->data, dg->len);

	if (net->nat.on && from == net->nat.inside) {
		p->nsrc = net->nat.pub;
		p->nsrc.port = nat_out(net, dg->src.port);
	}
	if (net->nat.on && ip_eq(&dg->dst, &net->nat.pub)) {
		uint16_t inner = nat_in(net, dg->dst.port);

		to = inner ? net->nat.inside : -1;
		p->ndst = net->node[net->nat.inside].addr;
		p->ndst.port = inner;
	} else {
		to = node_by_ip(net, &dg->dst);
	}
	p->to = to;
	p->dir_idx = net->dir_count[from][to < 0 ? IKH_NODES_MAX : to]++;

	if (net->filter != NULL)
		v = net->filter(net->filter_opaque, net, p);
	p = &net->pkt[i]; /* the filter may not add datagrams, but be safe */
	if (to < 0 || net->link_down || v == IKH_DROP ||
	    net->node[to].silent ||
	    (net->faults.seed && fault_pct(net) < net->faults.loss_pct)) {
		p->dropped = true;
		return;
	}
	p->t_deliver = net->now + net->latency_ms + extra_delay(net);
	enqueue(net, i);

	if (net->faults.seed && fault_pct(net) < net->faults.dup_pct) {
		unsigned int j = new_pkt(net);
		struct ikh_pkt *d = &net->pkt[j];

		p = &net->pkt[i];
		*d = *p;
		d->seq = j;
		d->dup = true;
		d->data = malloc(p->len ? p->len : 1);
		if (d->data == NULL)
			fail_msg("harness: out of memory");
		memcpy(d->data, p->data, p->len);
		d->t_deliver = net->now + net->latency_ms + extra_delay(net);
		enqueue(net, j);
	}
	if (verbose()) {
		char a[64], b[64];

		fprintf(stderr, "t=%" PRIu64 " %s -> %s %zu bytes\n", net->now,
			ikh_addr_str(&p->nsrc, a, sizeof(a)),
			ikh_addr_str(&p->ndst, b, sizeof(b)), p->len);
	}
}

void ikh_pump(struct ikh_net *net)
{
	for (unsigned int i = 0; i < net->n_nodes; i++) {
		struct ikh_node *n = &net->node[i];
		struct pp_ike_dgram dg;
		struct pp_ike_event ev;

		while (pp_ike_event(n->ike, &ev) == 1) {
			n->ev = grow(n->ev, &n->cap_ev, sizeof(*n->ev),
				     n->n_ev + 1);
			n->ev[n->n_ev++] = ev;
			if (verbose())
				fprintf(stderr,
					"t=%" PRIu64 " [%s] event %s reason %s "
					"ike %u child %u\n",
					net->now, n->name,
					ikh_event_name(ev.type),
					pp_ike_reason_name(ev.reason),
					ev.ike_sa_id, ev.child.child_id);
		}
		while (pp_ike_output(n->ike, &dg) == 1) {
			if (dg.len > PP_IKE_DGRAM_MAX)
				fail_msg("[%s] datagram of %zu bytes", n->name,
					 dg.len);
			wire_send(net, (int)i, &dg);
		}
	}
}

static bool earliest(const struct ikh_net *net, unsigned int *qpos)
{
	bool found = false;

	for (unsigned int q = 0; q < net->n_queue; q++) {
		const struct ikh_pkt *p = &net->pkt[net->queue[q]];
		const struct ikh_pkt *b;

		if (!found) {
			*qpos = q;
			found = true;
			continue;
		}
		b = &net->pkt[net->queue[*qpos]];
		if (p->t_deliver < b->t_deliver ||
		    (p->t_deliver == b->t_deliver && p->seq < b->seq))
			*qpos = q;
	}
	return found;
}

static void deliver(struct ikh_net *net, unsigned int qpos)
{
	unsigned int i = net->queue[qpos];
	struct ikh_pkt *p;
	struct ikh_node *n;
	int rc;

	net->queue[qpos] = net->queue[--net->n_queue];
	p = &net->pkt[i];
	if (net->link_down || net->node[p->to].silent) {
		p->dropped = true;
		return;
	}
	n = &net->node[p->to];
	p->delivered = true;
	rc = pp_ike_input(n->ike, p->data, p->len, &p->nsrc, &p->ndst,
			  net->now);
	if (rc != 0 && rc != -EPROTONOSUPPORT)
		n->input_errors++;
}

unsigned int ikh_run(struct ikh_net *net, uint64_t ms)
{
	uint64_t end = net->now + ms;
	unsigned int delivered = 0, steps = 0, stuck = 0;

	for (;;) {
		uint64_t next = UINT64_MAX;
		unsigned int qpos;

		if (++steps > IKH_STEPS_MAX)
			fail_msg("harness: no progress after %u steps at t=%" PRIu64,
				 steps, net->now);
		ikh_pump(net);
		if (earliest(net, &qpos)) {
			uint64_t t = net->pkt[net->queue[qpos]].t_deliver;

			if (t <= net->now) {
				deliver(net, qpos);
				delivered++;
				continue;
			}
			next = t;
		}
		for (unsigned int i = 0; i < net->n_nodes; i++) {
			uint64_t d = pp_ike_next_deadline(net->node[i].ike);

			if (d < next)
				next = d;
		}
		if (next > end) {
			net->now = end;
			break;
		}
		if (next <= net->now) {
			/* a deadline due now: allowed once per instant */
			if (++stuck > 1000)
				fail_msg("harness: an engine deadline stays at "
					 "t=%" PRIu64 " after pp_ike_timeout()",
					 next);
		} else {
			stuck = 0;
			net->now = next;
		}
		for (unsigned int i = 0; i < net->n_nodes; i++) {
			struct ikh_node *n = &net->node[i];

			if (pp_ike_next_deadline(n->ike) <= net->now) {
				int rc = pp_ike_timeout(n->ike, net->now);

				if (rc != 0)
					fail_msg("[%s] pp_ike_timeout = %d",
						 n->name, rc);
			}
		}
	}
	ikh_pump(net);
	net->steps += steps;
	return delivered;
}

/* ---------------------------------------------------------------------- */
/* Events and logs                                                        */
/* ---------------------------------------------------------------------- */

const char *ikh_event_name(enum pp_ike_event_type t)
{
	switch (t) {
	case PP_IKE_EV_IKE_UP: return "IKE_UP";
	case PP_IKE_EV_IKE_REKEYED: return "IKE_REKEYED";
	case PP_IKE_EV_IKE_DOWN: return "IKE_DOWN";
	case PP_IKE_EV_CHILD_UP: return "CHILD_UP";
	case PP_IKE_EV_CHILD_REKEYED: return "CHILD_REKEYED";
	case PP_IKE_EV_CHILD_DOWN: return "CHILD_DOWN";
	case PP_IKE_EV_VIP: return "VIP";
	case PP_IKE_EV_PEER_MOVED: return "PEER_MOVED";
	}
	return "?";
}

unsigned int ikh_count(const struct ikh_net *net, int node,
		       enum pp_ike_event_type type)
{
	const struct ikh_node *n = &net->node[node];
	unsigned int c = 0;

	for (unsigned int i = 0; i < n->n_ev; i++)
		c += n->ev[i].type == type;
	return c;
}

int ikh_index(const struct ikh_net *net, int node,
	      enum pp_ike_event_type type, unsigned int nth)
{
	const struct ikh_node *n = &net->node[node];

	for (unsigned int i = 0; i < n->n_ev; i++)
		if (n->ev[i].type == type && nth-- == 0)
			return (int)i;
	return -1;
}

const struct pp_ike_event *ikh_find(const struct ikh_net *net, int node,
				    enum pp_ike_event_type type,
				    unsigned int nth)
{
	int i = ikh_index(net, node, type, nth);

	return i < 0 ? NULL : &net->node[node].ev[i];
}

const struct pp_ike_event *ikh_last(const struct ikh_net *net, int node,
				    enum pp_ike_event_type type)
{
	unsigned int c = ikh_count(net, node, type);

	return c ? ikh_find(net, node, type, c - 1) : NULL;
}

void ikh_dump_events(const struct ikh_net *net, int node)
{
	const struct ikh_node *n = &net->node[node];

	for (unsigned int i = 0; i < n->n_ev; i++)
		fprintf(stderr, "  [%s] #%u %s reason=%s ike=%u child=%u "
				"old=%u spi_in=%08x spi_out=%08x\n",
			n->name, i, ikh_event_name(n->ev[i].type),
			pp_ike_reason_name(n->ev[i].reason), n->ev[i].ike_sa_id,
			n->ev[i].child.child_id, n->ev[i].child.old_child_id,
			n->ev[i].child.spi_in, n->ev[i].child.spi_out);
}

bool ikh_log_contains(const struct ikh_net *net, int node, const char *s)
{
	const struct ikh_node *n = &net->node[node];

	return n->log != NULL && strstr(n->log, s) != NULL;
}

void ikh_clear_log(struct ikh_net *net, int node)
{
	struct ikh_node *n = &net->node[node];

	n->log_len = 0;
	if (n->log != NULL)
		n->log[0] = '\0';
}

/* ---------------------------------------------------------------------- */
/* Datagram inspection                                                    */
/* ---------------------------------------------------------------------- */

bool ikh_pkt_has_marker(const struct ikh_pkt *p)
{
	return p->src.port != 500 && p->len >= 4 && p->data[0] == 0 &&
	       p->data[1] == 0 && p->data[2] == 0 && p->data[3] == 0;
}

int ikh_pkt_parse(const struct ikh_pkt *p, struct ike_msg *m)
{
	const uint8_t *d = p->data;
	size_t len = p->len;

	if (p->data == NULL)
		return -ENOENT;
	if (p->src.port != 500) {
		if (!ikh_pkt_has_marker(p))
			return -EPROTO; /* ESP or keepalive */
		d += 4;
		len -= 4;
	}
	return ike_msg_parse(d, len, m) == 0 ? 0 : -EBADMSG;
}

unsigned int ikh_count_msgs(const struct ikh_net *net, int from,
			    uint8_t exchange, int response)
{
	unsigned int c = 0;

	for (unsigned int i = 0; i < net->n_pkt; i++) {
		const struct ikh_pkt *p = &net->pkt[i];
		struct ike_msg m;

		if (p->dup || p->from == -2 || (from >= 0 && p->from != from))
			continue;
		if (ikh_pkt_parse(p, &m) != 0)
			continue;
		if (exchange && m.hdr.exchange != exchange)
			continue;
		if (response >= 0 &&
		    ike_hdr_is_response(&m.hdr) != (response != 0))
			continue;
		c++;
	}
	return c;
}

int ikh_msg_find(const struct ike_msg *m, uint8_t type)
{
	return ike_chain_find(&m->chain, type, 0);
}

int ikh_msg_notify(const struct ike_msg *m, uint16_t ntype,
		   struct ike_notify *out)
{
	for (unsigned int i = 0; i < m->chain.n; i++) {
		const struct ike_pld *pl = &m->chain.pld[i];

		if (pl->type != PP_IKE_PLD_NOTIFY)
			continue;
		if (ike_notify_parse(ike_pld_body(&m->chain, i), pl->body_len,
				     out, NULL) != 0)
			continue;
		if (out->type == ntype)
			return 1;
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex field up to ',' or end: bytes written, or -1. */
static int unhex(const char *s, size_t n, uint8_t *out, size_t cap)
{
	size_t k = 0;

	if (n % 2)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);

		if (hi < 0 || lo < 0 || k >= cap)
			return -1;
		out[k++] = (uint8_t)(hi << 4 | lo);
	}
	return (int)k;
}

/* Split a key line into its 8 comma-separated fields. */
static int split8(const char *line, const char *f[8], size_t len[8])
{
	const char *p = line;

	for (int i = 0; i < 8; i++) {
		const char *c = strchr(p, ',');

		f[i] = p;
		len[i] = c ? (size_t)(c - p) : strlen(p);
		if (c == NULL && i != 7)
			return -1;
		p = c ? c + 1 : p + len[i];
	}
	return 0;
}

int ikh_chain_notify(const struct ike_chain *c, uint16_t ntype,
		     struct ike_notify *out)
{
	for (unsigned int i = 0; i < c->n; i++) {
		if (c->pld[i].type != PP_IKE_PLD_NOTIFY)
			continue;
		if (ike_notify_parse(ike_pld_body(c, i), c->pld[i].body_len, out,
				     NULL) == 0 &&
		    out->type == ntype)
			return 1;
	}
	return 0;
}

int ikh_pkt_open(const struct ikh_net *net, int node, const struct ikh_pkt *p,
		 uint8_t *buf, size_t cap, struct ike_chain *inner)
{
	const struct ikh_node *n = &net->node[node];
	const uint8_t *d = p->data;
	size_t len = p->len;
	struct ike_msg m;
	struct ike_perr err;
	char prefix[40];
	const char *line = NULL;
	const char *f[8];
	size_t fl[8];
	uint8_t ek[2][64], ak[2][64];
	int ekl[2], akl[2];
	struct ike_suite suite = { 0 };
	struct ike_sk_cipher sk;
	struct ike_sk_frame fr;
	unsigned int bits = 0;
	bool from_i;
	int rc, si;

	if (p->data == NULL)
		return -ENOENT;
	if (p->src.port != 500) {
		if (!ikh_pkt_has_marker(p))
			return -ENOENT;
		d += 4;
		len -= 4;
	}
	if (len > cap)
		return -ENOSPC;
	memcpy(buf, d, len);
	if (ike_msg_parse(buf, len, &m) != 0)
		return -EBADMSG;
	si = m.chain.sk;
	if (si < 0 || m.chain.pld[si].type != PP_IKE_PLD_SK)
		return -ENOENT;
	snprintf(prefix, sizeof(prefix), "%016" PRIx64 ",%016" PRIx64 ",",
		 m.hdr.spi_i, m.hdr.spi_r);
	for (unsigned int i = 0; i < n->n_kl; i++)
		if (n->kl[i].kind == PP_IKE_KEYLOG_IKEV2 &&
		    strncmp(n->kl[i].line, prefix, strlen(prefix)) == 0)
			line = n->kl[i].line;
	if (line == NULL || split8(line, f, fl) != 0)
		return -ENOENT;
	for (int k = 0; k < 2; k++) {
		ekl[k] = unhex(f[2 + k], fl[2 + k], ek[k], sizeof(ek[k]));
		akl[k] = unhex(f[5 + k], fl[5 + k], ak[k], sizeof(ak[k]));
		if (ekl[k] < 0 || akl[k] < 0)
			return -EINVAL;
	}
	if (sscanf(f[4], "\"AES-CBC-%u ", &bits) == 1) {
		suite.encr = IKE_ENCR_AES_CBC;
	} else if (sscanf(f[4], "\"AES-GCM-%u with 16 octet ICV", &bits) == 1) {
		suite.encr = IKE_ENCR_AES_GCM_16;
	} else {
		return -ENOTSUP;
	}
	suite.encr_bits = (uint16_t)bits;
	if (strncmp(f[7], "\"NONE", 5) == 0)
		suite.integ = IKE_INTEG_NONE;
	else if (strncmp(f[7], "\"HMAC_SHA2_256_128", 18) == 0)
		suite.integ = IKE_INTEG_HMAC_SHA2_256_128;
	else if (strncmp(f[7], "\"HMAC_SHA2_384_192", 18) == 0)
		suite.integ = IKE_INTEG_HMAC_SHA2_384_192;
	else if (strncmp(f[7], "\"HMAC_SHA2_512_256", 18) == 0)
		suite.integ = IKE_INTEG_HMAC_SHA2_512_256;
	else
		return -ENOTSUP;
	suite.prf = IKE_PRF_HMAC_SHA2_256; /* unused by the SK layer */
	from_i = ike_hdr_from_initiator(&m.hdr);
	rc = ike_sk_cipher_init(&sk, &suite, ek[from_i ? 0 : 1],
				(size_t)ekl[from_i ? 0 : 1], ak[from_i ? 0 : 1],
				(size_t)akl[from_i ? 0 : 1]);
	OPENSSL_cleanse(ek, sizeof(ek));
	OPENSSL_cleanse(ak, sizeof(ak));
	if (rc != 0)
		return rc;
	memset(&fr, 0, sizeof(fr));
	fr.msg_off = 0;
	fr.sk_off = m.chain.pld[si].off;
	fr.sk_hdr_len = IKE_SK_HDR_LEN;
	rc = ike_sk_open(&sk, buf, len, &fr);
	ike_sk_cipher_fini(&sk);
	if (rc != 0)
		return rc;
	return ike_inner_parse(buf + ike_sk_frame_pt_off(&fr), fr.pt_len,
			       m.chain.pld[si].next, inner, &err) == 0 ?
		       0 :
		       -EBADMSG;
}

/* ---------------------------------------------------------------------- */
/* Children as seen in the events                                         */
/* ---------------------------------------------------------------------- */

const struct pp_ike_child *ikh_child_by_spi_in(const struct ikh_net *net,
					       int node, uint32_t spi_in)
{
	const struct ikh_node *n = &net->node[node];

	for (unsigned int i = n->n_ev; i-- > 0;) {
		const struct pp_ike_event *e = &n->ev[i];

		if ((e->type == PP_IKE_EV_CHILD_UP ||
		     e->type == PP_IKE_EV_CHILD_REKEYED) &&
		    e->child.spi_in == spi_in)
			return &e->child;
	}
	return NULL;
}

bool ikh_child_live(const struct ikh_net *net, int node, uint32_t spi_in)
{
	const struct ikh_node *n = &net->node[node];
	uint32_t id = 0;
	bool live = false;

	for (unsigned int i = 0; i < n->n_ev; i++) {
		const struct pp_ike_event *e = &n->ev[i];

		switch (e->type) {
		case PP_IKE_EV_CHILD_UP:
		case PP_IKE_EV_CHILD_REKEYED:
			if (e->child.spi_in == spi_in) {
				id = e->child.child_id;
				live = true;
			} else if (live && e->type == PP_IKE_EV_CHILD_REKEYED &&
				   e->child.old_child_id == id) {
				live = false;
			}
			break;
		case PP_IKE_EV_CHILD_DOWN:
			if (live && e->child.child_id == id)
				live = false;
			break;
		case PP_IKE_EV_IKE_DOWN:
			/* children went down first (pp_ike.h) */
			break;
		default:
			break;
		}
	}
	return live;
}

/* ---------------------------------------------------------------------- */
/* Data plane                                                             */
/* ---------------------------------------------------------------------- */

static void esp_log(void *opaque, enum pp_log_level level, const char *msg)
{
	(void)level;
	if (verbose())
		fprintf(stderr, "[esp %s] %s\n", (const char *)opaque, msg);
}

/* One CIDR prefix list of a selector range (through the public helper). */
static unsigned int ts_prefixes(const struct pp_ike_ts *ts, uint8_t addr[][16],
				uint8_t *plen, unsigned int cap)
{
	struct pp_esp_selector s[PP_ESP_SELECTORS_MAX];
	size_t alen = ts->family == 4 ? 4 : 16;
	int n = pp_ike_ts_to_prefixes(ts, true, s,
				      cap < PP_ESP_SELECTORS_MAX ?
					      cap :
					      PP_ESP_SELECTORS_MAX);

	if (n <= 0)
		fail_msg("pp_ike_ts_to_prefixes = %d", n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(s[i].family, ts->family);
		memcpy(addr[i], s[i].src, alen);
		plen[i] = s[i].src_plen;
	}
	/* The first prefix starts at the range's start. */
	if (memcmp(addr[0], ts->start, alen) != 0)
		fail_msg("pp_ike_ts_to_prefixes: first prefix does not start "
			 "at the selector's start (local_is_src = true must "
			 "fill src)");
	return (unsigned int)n;
}

/* An address inside @ts: its start, or start + 1 if the start is the
 * all-zeros address. */
static void ts_pick(const struct pp_ike_ts *ts, uint8_t *out)
{
	size_t alen = ts->family == 4 ? 4 : 16;
	static const uint8_t zero[16];

	memcpy(out, ts->start, alen);
	if (memcmp(out, zero, alen) == 0)
		out[alen - 1] = 1;
	assert_true(memcmp(out, ts->end, alen) <= 0);
}

/* Rewrite the outer header of an ESP packet as the NAT box would. */
static void nat_esp(struct ikh_net *net, struct pp_pkt *pk, int from)
{
	uint8_t *ip = pp_pkt_data(pk);
	int fam = ip[0] >> 4;
	size_t hl = fam == 4 ? (size_t)(ip[0] & 15) * 4 : PB_IPV6_HLEN;
	size_t alen = fam == 4 ? 4 : 16;
	uint8_t *src = fam == 4 ? ip + 12 : ip + 8;
	uint8_t *dst = src + alen;
	uint8_t proto = fam == 4 ? ip[9] : ip[6];
	uint8_t *udp = ip + hl;
	bool changed = false;

	if (!net->nat.on || fam != net->nat.pub.family)
		return;
	if (from == net->nat.inside) {
		memcpy(src, net->nat.pub.bytes, alen);
		if (proto == 17)
			pb_put16(udp, nat_out(net, pb_get16(udp)));
		changed = true;
	} else if (memcmp(dst, net->nat.pub.bytes, alen) == 0) {
		uint16_t inner = proto == 17 ? nat_in(net, pb_get16(udp + 2)) : 0;

		if (proto == 17 && inner == 0)
			fail_msg("data plane: no NAT mapping for port %u",
				 pb_get16(udp + 2));
		memcpy(dst, net->node[net->nat.inside].addr.bytes, alen);
		if (proto == 17)
			pb_put16(udp + 2, inner);
		changed = true;
	}
	if (!changed)
		return;
	if (fam == 4)
		pb_ipv4_set_csum(ip);
	if (proto == 17 && (fam == 6 || pb_get16(udp + 6) != 0)) {
		size_t ulen = pb_get16(udp + 4);

		pb_put16(udp + 6, 0);
		uint16_t cs = pb_l4_csum(fam, src, dst, 17, udp, ulen);

		pb_put16(udp + 6, cs != 0 ? cs : 0xffff);
	}
}

static struct pp_esp_sa *mk_sa(const struct pp_ike_child *c,
			       enum pp_esp_dir dir, const char *tag)
{
	struct pp_esp_selector sel[PP_ESP_SELECTORS_MAX];
	unsigned int ns = 0;
	struct pp_esp_sa_params prm;
	struct pp_esp_sa *sa = NULL;
	int rc = pp_ike_child_esp_params(c, dir, &prm);

	if (rc != 0)
		fail_msg("pp_ike_child_esp_params(%s) = %d", tag, rc);
	assert_int_equal(prm.dir, dir);
	assert_int_equal(prm.spi,
			 dir == PP_ESP_DIR_INBOUND ? c->spi_in : c->spi_out);
	assert_int_equal(!!(prm.flags & PP_ESP_SA_F_UDP_ENCAP), c->udp_encap);
	if (dir == PP_ESP_DIR_INBOUND && c->mode == PP_ESP_MODE_TUNNEL) {
		/* src in the peer's selectors, dst in ours: every pair, or
		 * when that exceeds libesp's selector table, the first pair
		 * (the one dp_one_way() sends in) */
		unsigned int nr = c->n_remote_ts, nl = c->n_local_ts;

		if (nr * nl > PP_ESP_SELECTORS_MAX)
			nr = nl = 1;
		for (unsigned int r = 0; r < nr; r++) {
			for (unsigned int l = 0; l < nl; l++) {
				const struct pp_ike_ts *rt = &c->remote_ts[r];
				const struct pp_ike_ts *lt = &c->local_ts[l];
				uint8_t ra[16][16], la[16][16], rp[16], lp[16];
				unsigned int npr, npl;

				if (rt->family != lt->family)
					continue;
				npr = ts_prefixes(rt, ra, rp, 16);
				npl = ts_prefixes(lt, la, lp, 16);
				for (unsigned int i = 0; i < npr; i++) {
					for (unsigned int j = 0; j < npl; j++) {
						struct pp_esp_selector *s;

						assert_true(ns <
							    PP_ESP_SELECTORS_MAX);
						s = &sel[ns++];
						memset(s, 0, sizeof(*s));
						s->family = rt->family;
						s->proto = rt->proto ? rt->proto :
								       lt->proto;
						memcpy(s->src, ra[i], 16);
						s->src_plen = rp[i];
						memcpy(s->dst, la[j], 16);
						s->dst_plen = lp[j];
						s->sport_lo = rt->port_lo;
						s->sport_hi = rt->port_hi;
						s->dport_lo = lt->port_lo;
						s->dport_hi = lt->port_hi;
					}
				}
			}
		}
		assert_true(ns > 0);
		prm.flags |= PP_ESP_SA_F_CHECK_SELECTORS;
		prm.selectors = sel;
		prm.n_selectors = ns;
	}
	prm.log_fn = esp_log;
	prm.log_opaque = (void *)(uintptr_t)tag;
	prm.now = 1;
	rc = pp_esp_sa_create(&prm, &sa);
	if (rc != 0)
		fail_msg("pp_esp_sa_create(%s, spi %08x) = %d", tag, prm.spi,
			 rc);
	return sa;
}

static void dp_one_way(struct ikh_net *net, int tx_node,
		       const struct pp_ike_child *tx,
		       const struct pp_ike_child *rx, unsigned int n,
		       const char *tag)
{
	struct pp_esp_sa *out = mk_sa(tx, PP_ESP_DIR_OUTBOUND, tag);
	struct pp_esp_sa *in = mk_sa(rx, PP_ESP_DIR_INBOUND, tag);
	const struct pp_ike_ts *lt = NULL, *rt = NULL;
	uint8_t src[16] = { 0 }, dst[16] = { 0 };

	/* a selector pair of one family */
	for (unsigned int l = 0; l < tx->n_local_ts && lt == NULL; l++)
		for (unsigned int r = 0; r < tx->n_remote_ts; r++)
			if (tx->local_ts[l].family ==
			    tx->remote_ts[r].family) {
				lt = &tx->local_ts[l];
				rt = &tx->remote_ts[r];
				break;
			}
	if (lt == NULL)
		fail_msg("data plane %s: no selector pair of one family", tag);
	ts_pick(lt, src);
	ts_pick(rt, dst);
	if (tx->mode == PP_ESP_MODE_TRANSPORT) {
		/* transport mode protects traffic between the endpoints */
		assert_int_equal(tx->local.family, lt->family);
		memcpy(src, tx->local.bytes, 16);
		memcpy(dst, tx->remote.bytes, 16);
	}

	for (unsigned int k = 0; k < n; k++) {
		uint8_t inner[256], payload[64];
		struct pb_buf b;
		struct pp_pkt *pp[1];
		size_t len;
		uint16_t sport = lt->port_lo, dport = rt->port_lo;

		pb_fill(payload, sizeof(payload), k + 1);
		len = pb_ip_udp(inner, lt->family, src, dst, sport, dport,
				payload, sizeof(payload));
		assert_true(pb_buf_init(&b, pp_esp_sa_headroom(out) + 64, inner,
					(uint32_t)len,
					pp_esp_sa_tailroom(out) + 64));
		pp[0] = &b.pkt;
		if (pp_esp_outbound(out, pp, 1) != 1)
			fail_msg("data plane %s: outbound packet %u: %s", tag,
				 k, pp_esp_status_name(b.pkt.status));
		nat_esp(net, &b.pkt, tx_node);
		if (pp_esp_inbound(in, pp, 1) != 1)
			fail_msg("data plane %s: inbound packet %u (spi %08x): %s",
				 tag, k, rx->spi_in,
				 pp_esp_status_name(b.pkt.status));
		assert_int_equal(b.pkt.len, len);
		assert_memory_equal(pp_pkt_data(&b.pkt), inner, len);
		pb_buf_free(&b);
	}
	pp_esp_sa_destroy(out);
	pp_esp_sa_destroy(in);
}

static int node_of_child(const struct ikh_net *net,
			 const struct pp_ike_child *c)
{
	for (unsigned int i = 0; i < net->n_nodes; i++) {
		const struct ikh_node *n = &net->node[i];

		if (n->n_ev && (const void *)c >= (const void *)n->ev &&
		    (const void *)c < (const void *)(n->ev + n->n_ev))
			return (int)i;
	}
	return -1;
}

void ikh_dataplane(struct ikh_net *net, const struct pp_ike_child *a,
		   const struct pp_ike_child *b, unsigned int n)
{
	int na = node_of_child(net, a), nb = node_of_child(net, b);

	assert_non_null(a);
	assert_non_null(b);
	if (a->spi_out != b->spi_in || a->spi_in != b->spi_out)
		fail_msg("children do not mirror: A in %08x out %08x, B in %08x "
			 "out %08x",
			 a->spi_in, a->spi_out, b->spi_in, b->spi_out);
	assert_int_equal(a->cipher, b->cipher);
	assert_int_equal(a->integ, b->integ);
	assert_int_equal(a->key_len, b->key_len);
	assert_int_equal(a->integ_len, b->integ_len);
	assert_memory_equal(a->key_out, b->key_in, a->key_len);
	assert_memory_equal(a->key_in, b->key_out, a->key_len);
	if (a->integ_len) {
		assert_memory_equal(a->integ_out, b->integ_in, a->integ_len);
		assert_memory_equal(a->integ_in, b->integ_out, a->integ_len);
	}
	assert_int_equal(a->udp_encap, b->udp_encap);
	assert_int_equal(a->esn, b->esn);
	assert_int_equal(a->mode, b->mode);
	dp_one_way(net, na, a, b, n, "A->B");
	dp_one_way(net, nb, b, a, n, "B->A");
}
