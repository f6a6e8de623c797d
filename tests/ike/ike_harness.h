/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test harness for the libike engine (include/parapass/pp_ike.h): an
 * in-memory network of pp_ike engines driven by a virtual clock.
 *
 *   - Nodes: one pp_ike engine each, with one address (the engine listens
 *     on every port of it), a seeded rand_fn (different per node), and
 *     collectors for events, log lines and key-export lines.
 *   - Wire: pp_ike_output() datagrams are queued with a delivery time and
 *     handed to the node owning the destination address through
 *     pp_ike_input(). Faults: scripted drops (a filter callback sees each
 *     datagram with its per-direction index), seeded random loss,
 *     duplication and extra delay (which reorders), and "link down".
 *     Every datagram sent is recorded (ikh_pkt) for inspection.
 *   - NAT box: rewrites the source address/port of one node's datagrams to
 *     a public address and a mapped port, and maps replies back; the
 *     mapping can be changed (ikh_nat_rebind) to simulate a NAT reboot.
 *   - Clock: ikh_run() delivers due datagrams and otherwise jumps to the
 *     earliest of the next delivery and every pp_ike_next_deadline().
 *   - Data plane: ikh_dataplane() builds libesp SAs from a Child SA as
 *     seen on both sides (pp_ike_child_esp_params()) and proves that
 *     packets encrypted by one side decrypt on the other, inside the
 *     negotiated selectors, in both directions.
 *
 * Nothing here knows the engine's internals; ike_msg.h is used only to
 * parse recorded datagrams.
 */
#ifndef PP_TESTS_IKE_HARNESS_H
#define PP_TESTS_IKE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <parapass/pp_ike.h>

#include "ike_msg.h"

#define IKH_NODES_MAX 4
#define IKH_LOG_MAX (256u * 1024u)

struct ikh_keylog {
	enum pp_ike_keylog_kind kind;
	char line[512];
};

struct ikh_node {
	const char *name;
	struct pp_ike *ike;
	struct pp_ike_addr addr; /* port unused: the node owns every port */
	uint64_t rand_state;
	bool silent;		 /* datagrams to this node are dropped */
	/* collectors */
	struct pp_ike_event *ev;
	unsigned int n_ev, cap_ev;
	char *log;		 /* all log lines, '\n'-separated */
	size_t log_len;
	struct ikh_keylog *kl;
	unsigned int n_kl, cap_kl;
	/* input return codes other than 0 */
	unsigned int input_errors;
};

/* One datagram as it was sent (before NAT) and where it went. */
struct ikh_pkt {
	unsigned int seq;	/* order of sending, from 0 */
	int from, to;		/* node indices; to = -1: no such address */
	unsigned int dir_idx;	/* index among datagrams from -> to */
	uint64_t t_sent, t_deliver;
	struct pp_ike_addr src, dst;	 /* as the sender gave them */
	struct pp_ike_addr nsrc, ndst;	 /* as the receiver saw them */
	bool dropped;		/* lost (filter, random loss, link down) */
	bool dup;		/* an extra copy made by the wire */
	bool delivered;
	uint8_t *data;
	size_t len;
};

enum ikh_verdict {
	IKH_PASS = 0,
	IKH_DROP,
};

struct ikh_net;
/* Scripted faults: called once per datagram sent (not for wire copies). */
typedef enum ikh_verdict (*ikh_filter_fn)(void *opaque, struct ikh_net *net,
					  const struct ikh_pkt *p);

struct ikh_faults {
	uint64_t seed;		/* 0 = no random faults */
	unsigned int loss_pct;	/* percent of datagrams lost */
	unsigned int dup_pct;	/* percent duplicated */
	unsigned int delay_max_ms; /* extra random delay (reordering) */
};

#define IKH_NAT_MAP_MAX 8

struct ikh_nat {
	bool on;
	int inside;		/* node index behind the NAT */
	struct pp_ike_addr pub;	/* public address (port unused) */
	/* mappings inner port -> public port, allocated on first use as
	 * port_base + 100 * generation + index */
	uint16_t port_base;
	unsigned int generation;
	struct {
		uint16_t inner, outer;
	} map[IKH_NAT_MAP_MAX];
	unsigned int n_map;
};

struct ikh_net {
	uint64_t now;
	uint64_t latency_ms;	/* one-way, default 1 */
	struct ikh_node node[IKH_NODES_MAX];
	unsigned int n_nodes;
	struct ikh_faults faults;
	uint64_t fault_state;
	ikh_filter_fn filter;
	void *filter_opaque;
	bool link_down;		/* drop everything */
	struct ikh_nat nat;
	/* every datagram sent */
	struct ikh_pkt *pkt;
	unsigned int n_pkt, cap_pkt;
	unsigned int dir_count[IKH_NODES_MAX][IKH_NODES_MAX + 1];
	/* in flight: indices into pkt[] */
	unsigned int *queue;
	unsigned int n_queue, cap_queue;
	unsigned int steps;	/* safety bound on work per ikh_run() */
};

/* Address helpers (port 500). */
struct pp_ike_addr ikh_addr4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);
struct pp_ike_addr ikh_addr6(uint16_t last);	/* 2001:db8::last */
const char *ikh_addr_str(const struct pp_ike_addr *a, char *buf, size_t len);
bool ikh_addr_eq(const struct pp_ike_addr *a, const struct pp_ike_addr *b);

void ikh_init(struct ikh_net *net);
/* Add a node; returns its index. The engine is created with @prm (its
 * log/keylog/rand callbacks are replaced by the harness's; other fields
 * kept). The test fails on an error. */
int ikh_add_node(struct ikh_net *net, const char *name,
		 const struct pp_ike_addr *addr, const struct pp_ike_params *prm,
		 uint64_t seed);
/* Destroy and re-create a node's engine (a restarted peer). */
void ikh_restart_node(struct ikh_net *net, int idx,
		      const struct pp_ike_params *prm, uint64_t seed);
void ikh_fini(struct ikh_net *net);

/* Run the network for @ms of virtual time (or until nothing is left to
 * do before that time). Returns the number of datagrams delivered. */
unsigned int ikh_run(struct ikh_net *net, uint64_t ms);
/* Move the events/outputs of every node into the collectors/wire now. */
void ikh_pump(struct ikh_net *net);

/* Events */
unsigned int ikh_count(const struct ikh_net *net, int node,
		       enum pp_ike_event_type type);
/* The @nth (from 0) event of @type, or NULL. */
const struct pp_ike_event *ikh_find(const struct ikh_net *net, int node,
				    enum pp_ike_event_type type,
				    unsigned int nth);
/* The last event of @type, or NULL. */
const struct pp_ike_event *ikh_last(const struct ikh_net *net, int node,
				    enum pp_ike_event_type type);
/* Index (in the node's event list) of the first event of @type, or -1. */
int ikh_index(const struct ikh_net *net, int node,
	      enum pp_ike_event_type type, unsigned int nth);
void ikh_clear_events(struct ikh_net *net, int node);
const char *ikh_event_name(enum pp_ike_event_type t);
void ikh_dump_events(const struct ikh_net *net, int node);

/* Log */
bool ikh_log_contains(const struct ikh_net *net, int node, const char *s);
void ikh_clear_log(struct ikh_net *net, int node);

/* Wire */
/* Parse recorded datagram @p (the non-ESP marker, if any, stripped).
 * Returns 0, -EPROTO for an ESP/keepalive datagram, -EBADMSG. */
int ikh_pkt_parse(const struct ikh_pkt *p, struct ike_msg *m);
/* True when @p carries the 4-byte non-ESP marker. */
bool ikh_pkt_has_marker(const struct ikh_pkt *p);
/* Count recorded IKE datagrams from @from (-1 = any) matching exchange
 * (0 = any) and response flag (-1 = any, 0 request, 1 response). */
unsigned int ikh_count_msgs(const struct ikh_net *net, int from,
			    uint8_t exchange, int response);
/* First outer payload of @type in a parsed message: index or -1. */
int ikh_msg_find(const struct ike_msg *m, uint8_t type);
/* Outer notify of @ntype in @m: 1 and fills @out, else 0. */
int ikh_msg_notify(const struct ike_msg *m, uint16_t ntype,
		   struct ike_notify *out);
void ikh_forget_wire(struct ikh_net *net);
/*
 * Decrypt the SK payload of recorded datagram @p with the IKE SA keys
 * that @node exported through keylog_fn (its Wireshark IKEv2 line for the
 * message's SPIs): @buf (>= p->len bytes) receives the message, @inner
 * the decrypted inner payload chain (pointing into @buf). Returns 0,
 * -ENOENT (no SK payload, or no keys for these SPIs), -ENOTSUP (a suite
 * the key line cannot describe), or the crypto layer's error.
 */
int ikh_pkt_open(const struct ikh_net *net, int node, const struct ikh_pkt *p,
		 uint8_t *buf, size_t cap, struct ike_chain *inner);
/* Inner notify of @ntype: 1 and fills @out, else 0. */
int ikh_chain_notify(const struct ike_chain *c, uint16_t ntype,
		     struct ike_notify *out);

/* NAT: node @inside is behind a NAT with public address @pub. */
void ikh_nat_enable(struct ikh_net *net, int inside,
		    const struct pp_ike_addr *pub);
/* New public ports for every mapping (NAT reboot / mapping timeout). */
void ikh_nat_rebind(struct ikh_net *net);

/* Data plane: child @a as seen on node A, @b the same pair on node B
 * (a->spi_out == b->spi_in and vice versa are asserted). Sends @n packets
 * each way through libesp; every one must decrypt on the other side and
 * match the selectors. Fails the test otherwise. */
void ikh_dataplane(struct ikh_net *net, const struct pp_ike_child *a,
		   const struct pp_ike_child *b, unsigned int n);
/* Find on @node the live child (CHILD_UP or CHILD_REKEYED, not yet
 * CHILD_DOWN or replaced) whose spi_in equals @spi_in. */
const struct pp_ike_child *ikh_child_by_spi_in(const struct ikh_net *net,
					       int node, uint32_t spi_in);
/* Is a child with this spi_in installed (up and not down/replaced) on
 * @node according to the events so far? */
bool ikh_child_live(const struct ikh_net *net, int node, uint32_t spi_in);

#endif /* PP_TESTS_IKE_HARNESS_H */
