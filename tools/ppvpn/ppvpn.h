/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ppvpn — an IKEv2/ESP VPN client and gateway on libike and libesp.
 *
 * Modules:
 *   cfg.c   configuration file (inih) -> struct ppvpn_cfg, strict
 *   util.c  logging, address/selector helpers, route computation, the
 *           fixed packet-buffer pool
 *   nl.c    rtnetlink: link up/MTU, addresses, routes
 *   tun.c   the TUN device
 *   main.c  command line, sockets, event loop, data path
 */
#ifndef PPVPN_H
#define PPVPN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <parapass/pp_esp.h>
#include <parapass/pp_ike.h>
#include <parapass/pp_pkt.h>

/* Exit codes (docs/ppvpn.md). */
enum {
	PPVPN_EXIT_OK = 0,	/* clean shutdown / config valid */
	PPVPN_EXIT_USAGE = 1,	/* bad command line */
	PPVPN_EXIT_CONFIG = 2,	/* configuration file invalid */
	PPVPN_EXIT_SETUP = 3,	/* sockets, TUN, netlink, engine setup */
	PPVPN_EXIT_PEER = 4,	/* client: connection failed or lost */
	PPVPN_EXIT_RUNTIME = 5, /* unexpected runtime failure */
};

/* ---------------------------------------------------------------------- */
/* Logging                                                                */
/* ---------------------------------------------------------------------- */

extern enum pp_log_level ppvpn_log_level;
void ppvpn_log(enum pp_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* pp_log_fn for libike / libesp. */
void ppvpn_log_cb(void *opaque, enum pp_log_level lvl, const char *msg);
const char *ppvpn_level_name(enum pp_log_level lvl);
int ppvpn_level_parse(const char *s, enum pp_log_level *out);

/* ---------------------------------------------------------------------- */
/* Configuration                                                          */
/* ---------------------------------------------------------------------- */

#define PPVPN_CONN_MAX 8
#define PPVPN_PATH_MAX 256
#define PPVPN_PROP_MAX 256
#define PPVPN_ERR_MAX 320
#define PPVPN_PSK_MAX 256
#define PPVPN_CRED_MAX (64 * 1024)

enum ppvpn_role {
	PPVPN_ROLE_CLIENT = 1,
	PPVPN_ROLE_GATEWAY,
};

struct ppvpn_cred {
	uint8_t *data; /* file contents (malloc), wiped and freed by
			* ppvpn_cfg_free() */
	size_t len;
	char path[PPVPN_PATH_MAX];
};

struct ppvpn_conn_cfg {
	char name[PP_IKE_NAME_MAX];
	unsigned int first_line; /* first key seen in the section */
	uint64_t seen;		 /* bit per key (duplicate detection) */

	struct pp_ike_addr local, remote; /* family 0 = any */
	char ike_proposals[PPVPN_PROP_MAX];
	char esp_proposals[PPVPN_PROP_MAX];
	struct pp_ike_id local_id, remote_id;
	enum pp_ike_auth_method auth;
	uint8_t psk[PPVPN_PSK_MAX];
	size_t psk_len;
	char psk_file[PPVPN_PATH_MAX];
	struct ppvpn_cred cert, key, ca;
	struct pp_ike_ts local_ts[PP_IKE_TS_MAX], remote_ts[PP_IKE_TS_MAX];
	unsigned int n_local_ts, n_remote_ts;
	bool request_ip4, request_ip6, request_dns;
	uint8_t pool4_start[4];
	uint32_t pool4_size;
	uint8_t pool6_start[16];
	uint32_t pool6_size;
	uint8_t dns4[PP_IKE_DNS_MAX][4];
	unsigned int n_dns4;
	uint8_t dns6[PP_IKE_DNS_MAX][16];
	unsigned int n_dns6;
	uint32_t rekey_s, child_rekey_s, over_s, rand_s, dpd_s;
	bool over_set, rand_set;
	bool force_encap, fragmentation, esn, initial_contact;
	uint16_t fragment_size;
	enum pp_esp_mode mode;
};

struct ppvpn_cfg {
	char path[PPVPN_PATH_MAX];
	uint64_t seen; /* [global] keys */
	unsigned int global_line;
	enum ppvpn_role role;
	enum pp_log_level log_level;
	char keylog[PPVPN_PATH_MAX]; /* "" = off */
	char tun_name[16];
	uint32_t mtu;
	uint32_t shutdown_ms;
	bool reconnect;
	struct ppvpn_conn_cfg conns[PPVPN_CONN_MAX];
	unsigned int n_conns;
};

/*
 * Parse @path (or the in-memory text @text when non-NULL, @path then only
 * names it in messages). Returns 0, or -EINVAL with one message
 * "PATH:LINE: ..." in @err. @cfg must be freed with ppvpn_cfg_free()
 * either way.
 */
int ppvpn_cfg_load(struct ppvpn_cfg *cfg, const char *path,
		   const char *text, char *err, size_t err_len);
void ppvpn_cfg_free(struct ppvpn_cfg *cfg);
/* Wipe PSKs and private keys once the engine has its copies. */
void ppvpn_cfg_wipe_secrets(struct ppvpn_cfg *cfg);
/* The parsed result, canonical form (secrets replaced by "<N bytes>"). */
void ppvpn_cfg_print(const struct ppvpn_cfg *cfg, FILE *f);
/* Fill @out from @c (pointers into @c; @c must outlive @out). */
void ppvpn_cfg_to_conn(const struct ppvpn_conn_cfg *c,
		       struct pp_ike_conn *out);

/* Value parsers (exported for tests). 0 or -EINVAL. */
int ppvpn_parse_duration(const char *s, uint32_t *out);
int ppvpn_parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out);
int ppvpn_parse_bool(const char *s, bool *out);
int ppvpn_parse_ip(const char *s, struct pp_ike_addr *out);
/* "a.b.c.d/n", "x::/n", "a-b" (same family, a <= b) or a single address. */
int ppvpn_parse_ts(const char *s, struct pp_ike_ts *out);
/* Check a proposal list in strongSwan syntax; IKE when @ike. */
int ppvpn_check_proposals(const char *s, bool ike, char *why,
			  size_t why_len);

/* ---------------------------------------------------------------------- */
/* Addresses, selectors, routes                                           */
/* ---------------------------------------------------------------------- */

/* "192.0.2.1" / "2001:db8::1" (+ ":port" form not used). */
const char *ppvpn_addr_str(uint8_t family, const uint8_t *bytes, char *buf,
			   size_t len);

struct ppvpn_prefix {
	uint8_t family;
	uint8_t plen;
	uint8_t addr[16];
};

/*
 * Split the address range [start, end] of @family into the smallest list
 * of CIDR prefixes covering exactly that range. Returns the count, or
 * -ENOSPC when more than @cap are needed, -EINVAL when start > end.
 */
int ppvpn_range_to_prefixes(uint8_t family, const uint8_t *start,
			    const uint8_t *end, struct ppvpn_prefix *out,
			    unsigned int cap);
/* True if @addr is inside @p. */
bool ppvpn_prefix_contains(const struct ppvpn_prefix *p, const uint8_t *addr);

/*
 * Routes for a Child SA's remote selectors: every prefix of every
 * selector, deduplicated, except prefixes that contain @peer (the outer
 * address of the IKE peer: routing it into the tunnel would loop; those
 * are counted in *skipped). Returns the count or -ENOSPC.
 */
int ppvpn_routes_for_child(const struct pp_ike_ts *ts, unsigned int n_ts,
			   const struct pp_ike_addr *peer,
			   struct ppvpn_prefix *out, unsigned int cap,
			   unsigned int *skipped);

/*
 * libesp selectors of a Child SA: one per (local prefix, remote prefix)
 * pair of the same family; outbound src = local, inbound src = remote.
 * Protocol and ports come from the selectors. Returns the count or
 * -ENOSPC.
 */
int ppvpn_child_selectors(const struct pp_ike_child *c, bool inbound,
			  struct pp_esp_selector *out, unsigned int cap);

/* ---------------------------------------------------------------------- */
/* Packet buffer pool                                                     */
/* ---------------------------------------------------------------------- */

/*
 * A fixed pool of packet buffers allocated once; get/put are O(1) and
 * never allocate. Every buffer has @headroom bytes in front of the data.
 */
struct ppvpn_pool {
	struct pp_pkt *pkts;
	struct pp_pkt **free;
	uint8_t *mem;
	uint32_t n, n_free;
	uint32_t buf_size, headroom;
};

int ppvpn_pool_init(struct ppvpn_pool *p, uint32_t n, uint32_t buf_size,
		    uint32_t headroom);
void ppvpn_pool_fini(struct ppvpn_pool *p);
/* Up to @n buffers reset to empty data at headroom; returns how many. */
unsigned int ppvpn_pool_get(struct ppvpn_pool *p, struct pp_pkt **out,
			    unsigned int n);
/* Return buffers; -EINVAL (and nothing returned) for a foreign pointer
 * or more buffers than the pool holds. */
int ppvpn_pool_put(struct ppvpn_pool *p, struct pp_pkt **pkts,
		   unsigned int n);

/* ---------------------------------------------------------------------- */
/* rtnetlink and TUN                                                      */
/* ---------------------------------------------------------------------- */

struct ppvpn_nl {
	int fd;
	uint32_t seq;
};

int ppvpn_nl_open(struct ppvpn_nl *nl);
void ppvpn_nl_close(struct ppvpn_nl *nl);
int ppvpn_nl_link_up(struct ppvpn_nl *nl, int ifindex, uint32_t mtu);
int ppvpn_nl_addr(struct ppvpn_nl *nl, bool add, int ifindex,
		  uint8_t family, const uint8_t *addr, uint8_t plen);
int ppvpn_nl_route(struct ppvpn_nl *nl, bool add, int ifindex,
		   const struct ppvpn_prefix *dst);

/* Open (create) TUN @name (IFF_TUN|IFF_NO_PI, non-blocking); the kernel
 * name is written back into @name (16 bytes). Returns the fd or -errno. */
int ppvpn_tun_open(char *name, int *ifindex);

#endif
