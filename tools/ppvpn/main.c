// SPDX-License-Identifier: BSD-2-Clause
/*
 * ppvpn: command line, sockets, event loop and the ESP data path.
 *
 *   IKE   UDP 500 and 4500 (non-ESP marker) <-> pp_ike_input/output
 *   ESP   raw IPPROTO_ESP sockets (no NAT) or ESP-in-UDP on 4500
 *   inner a TUN device; routes and the virtual IP through rtnetlink
 *
 * One thread, poll(). The data path works in bursts of PP_BURST_MAX over a
 * fixed pool of packet buffers: TUN -> SPD -> pp_esp_outbound -> socket,
 * socket -> SAD -> pp_esp_inbound -> TUN. Nothing is allocated per packet.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ppvpn.h"

#define CHILD_MAX 64
#define RULES_PER_CHILD 64
#define ROUTES_PER_CHILD 32
#define ROUTE_MAX 256
#define SOCK_MAX 8
#define POOL_PKTS (3 * PP_BURST_MAX)
#define PKT_HEADROOM 128
#define PKT_TAILROOM 512
#define KEEPALIVE_MS 20000
#define RECONNECT_MS 5000
#define IKE_SA_MAX 256

struct vsock {
	int fd;
	uint8_t family;
	uint16_t port; /* 0 = raw ESP */
};

struct child {
	bool used;
	uint32_t id, ike_sa_id;
	struct pp_esp_sa *in, *out;
	int rules[RULES_PER_CHILD];
	unsigned int n_rules;
	struct ppvpn_prefix routes[ROUTES_PER_CHILD];
	unsigned int n_routes;
	bool udp_encap, rekey_wanted;
	struct pp_ike_addr local, remote;
	uint64_t last_tx_ms;
};

struct route_ref {
	struct ppvpn_prefix p;
	unsigned int refs;
};

struct stats {
	uint64_t tun_rx, tun_tx, esp_rx, esp_tx;
	uint64_t no_policy, no_sa, esp_err, tx_err, trunc, rx_err, no_buf;
};

struct vpn {
	struct ppvpn_cfg cfg;
	struct pp_ike_conn conns[PPVPN_CONN_MAX];
	struct pp_ike *ike;
	struct vsock socks[SOCK_MAX];
	unsigned int n_socks;
	int tun_fd, tun_ifindex, sig_fd;
	char tun_name[16];
	struct ppvpn_nl nl;
	struct ppvpn_pool pool;
	struct pp_esp_sad *sad;
	struct pp_esp_spd *spd;
	struct child children[CHILD_MAX];
	struct route_ref routes[ROUTE_MAX];
	uint32_t ike_up[IKE_SA_MAX];
	unsigned int n_ike_up;
	bool ever_up, rekey_pending, stopping;
	int exit_code;
	uint64_t reconnect_at; /* 0 = none */
	uint64_t next_tick;
	FILE *kl_esp, *kl_ike;
	struct stats st;
	uint8_t ike_buf[PP_IKE_DGRAM_MAX];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static const char *astr(const struct pp_ike_addr *a, char *b, size_t n)
{
	if (!a->family) {
		snprintf(b, n, "%%any");
		return b;
	}
	return ppvpn_addr_str(a->family, a->bytes, b, n);
}

/* ---------------------------------------------------------------------- */
/* Sockets                                                                */
/* ---------------------------------------------------------------------- */

static socklen_t to_sockaddr(const struct pp_ike_addr *a,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == 6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a->port);
		memcpy(&s6->sin6_addr, a->bytes, 16);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons(a->port);
	memcpy(&s4->sin_addr, a->bytes, 4);
	return sizeof(*s4);
}

static void from_sockaddr(const struct sockaddr_storage *ss,
			  struct pp_ike_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		a->family = 6;
		a->port = ntohs(s6->sin6_port);
		memcpy(a->bytes, &s6->sin6_addr, 16);
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;

		a->family = 4;
		a->port = ntohs(s4->sin_port);
		memcpy(a->bytes, &s4->sin_addr, 4);
	}
}

static int open_sock(struct vpn *v, uint8_t family, uint16_t port,
		     const struct pp_ike_addr *bind_addr)
{
	struct sockaddr_storage ss;
	struct pp_ike_addr a;
	struct vsock *s;
	int one = 1, fd, bufsz = 4 << 20;
	int af = family == 6 ? AF_INET6 : AF_INET;
	char b[64];

	if (v->n_socks >= SOCK_MAX)
		return -ENOSPC;
	if (port)
		fd = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	else
		fd = socket(af, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    IPPROTO_ESP);
	if (fd < 0)
		return -errno;
	if (family == 6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one,
			       sizeof(one)) < 0)
			goto fail;
	} else if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one,
			      sizeof(one)) < 0) {
		goto fail;
	}
	if (port)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* bursts of ESP: room for a few hundred packets (best effort) */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz,
		       sizeof(bufsz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bufsz,
		       sizeof(bufsz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	memset(&a, 0, sizeof(a));
	a.family = family;
	if (bind_addr && bind_addr->family == family)
		memcpy(a.bytes, bind_addr->bytes, 16);
	a.port = port;
	if (port || (bind_addr && bind_addr->family == family)) {
		socklen_t sl = to_sockaddr(&a, &ss);

		if (!port)
			((struct sockaddr_in *)&ss)->sin_port = 0;
		if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
			goto fail;
	}
	s = &v->socks[v->n_socks++];
	s->fd = fd;
	s->family = family;
	s->port = port;
	ppvpn_log(PP_LOG_INFO, "listening on %s %s port %u",
		  port ? "udp" : "esp", astr(&a, b, sizeof(b)), port);
	return 0;
fail: {
	int e = -errno;

	close(fd);
	return e;
}
}

static struct vsock *find_sock(struct vpn *v, uint8_t family, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < v->n_socks; i++)
		if (v->socks[i].family == family && v->socks[i].port == port)
			return &v->socks[i];
	return NULL;
}

/* sendmsg with the source address set through IP(V6)_PKTINFO. */
static int sock_send(const struct vsock *s, const uint8_t *data, size_t len,
		     const struct pp_ike_addr *src,
		     const struct pp_ike_addr *dst)
{
	struct sockaddr_storage ss;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)data,
			     .iov_len = len };
	union {
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct pp_ike_addr d = *dst;
	static const uint8_t zero[16];

	if (!s->port)
		d.port = 0;
	m.msg_name = &ss;
	m.msg_namelen = to_sockaddr(&d, &ss);
	if (src && src->family == s->family &&
	    memcmp(src->bytes, zero, s->family == 6 ? 16 : 4)) {
		struct cmsghdr *c;

		memset(&cbuf, 0, sizeof(cbuf));
		m.msg_control = cbuf.b;
		if (s->family == 6) {
			struct in6_pktinfo pi = { 0 };

			memcpy(&pi.ipi6_addr, src->bytes, 16);
			m.msg_controllen = CMSG_SPACE(sizeof(pi));
			c = CMSG_FIRSTHDR(&m);
			c->cmsg_level = IPPROTO_IPV6;
			c->cmsg_type = IPV6_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		} else {
			struct in_pktinfo pi = { 0 };

			memcpy(&pi.ipi_spec_dst, src->bytes, 4);
			m.msg_controllen = CMSG_SPACE(sizeof(pi));
			c = CMSG_FIRSTHDR(&m);
			c->cmsg_level = IPPROTO_IP;
			c->cmsg_type = IP_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		}
	}
	if (sendmsg(s->fd, &m, MSG_DONTWAIT) < 0)
		return -errno;
	return 0;
}

/* recvmsg with the local address from IP(V6)_PKTINFO. Returns the
 * length, 0 when nothing is pending, -EMSGSIZE when truncated. */
static ssize_t sock_recv(const struct vsock *s, uint8_t *buf, size_t cap,
			 struct pp_ike_addr *src, struct pp_ike_addr *dst)
{
	struct sockaddr_storage ss;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	union {
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo)) + 64];
		struct cmsghdr align;
	} cbuf;
	struct msghdr m = { .msg_name = &ss, .msg_namelen = sizeof(ss),
			    .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf.b,
			    .msg_controllen = sizeof(cbuf.b) };
	struct cmsghdr *c;
	ssize_t n;

	n = recvmsg(s->fd, &m, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ||
				       errno == EINTR
			       ? 0
			       : -errno;
	if (m.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	from_sockaddr(&ss, src);
	memset(dst, 0, sizeof(*dst));
	dst->family = s->family;
	dst->port = s->port;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			memcpy(dst->bytes, &pi.ipi_addr, 4);
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			memcpy(dst->bytes, &pi.ipi6_addr, 16);
		}
	}
	return n;
}

/* ---------------------------------------------------------------------- */
/* Routes (reference counted: several children may share one)            */
/* ---------------------------------------------------------------------- */

static void route_ref(struct vpn *v, const struct ppvpn_prefix *p, bool add)
{
	struct route_ref *free_slot = NULL;
	char b[64];
	unsigned int i;
	int rc;

	for (i = 0; i < ROUTE_MAX; i++) {
		struct route_ref *r = &v->routes[i];

		if (!r->refs) {
			if (!free_slot)
				free_slot = r;
			continue;
		}
		if (r->p.family == p->family && r->p.plen == p->plen &&
		    !memcmp(r->p.addr, p->addr, 16)) {
			if (add) {
				r->refs++;
				return;
			}
			if (--r->refs)
				return;
			rc = ppvpn_nl_route(&v->nl, false, v->tun_ifindex, p);
			if (rc && rc != -ESRCH && rc != -ENODEV)
				ppvpn_log(PP_LOG_WARNING,
					  "route %s/%u dev %s: delete "
					  "failed: %s",
					  ppvpn_addr_str(p->family, p->addr, b,
							 sizeof(b)),
					  p->plen, v->tun_name, strerror(-rc));
			return;
		}
	}
	if (!add)
		return;
	if (!free_slot) {
		ppvpn_log(PP_LOG_ERR, "route table full (%d)", ROUTE_MAX);
		return;
	}
	rc = ppvpn_nl_route(&v->nl, true, v->tun_ifindex, p);
	if (rc) {
		ppvpn_log(PP_LOG_ERR, "route %s/%u dev %s: %s",
			  ppvpn_addr_str(p->family, p->addr, b, sizeof(b)),
			  p->plen, v->tun_name, strerror(-rc));
		return;
	}
	ppvpn_log(PP_LOG_INFO, "route %s/%u dev %s added",
		  ppvpn_addr_str(p->family, p->addr, b, sizeof(b)), p->plen,
		  v->tun_name);
	free_slot->p = *p;
	free_slot->refs = 1;
}

/* ---------------------------------------------------------------------- */
/* Child SAs                                                              */
/* ---------------------------------------------------------------------- */

static struct child *child_by_id(struct vpn *v, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < CHILD_MAX; i++)
		if (v->children[i].used && v->children[i].id == id)
			return &v->children[i];
	return NULL;
}

static struct child *child_by_sa(struct vpn *v, const struct pp_esp_sa *sa)
{
	unsigned int i;

	for (i = 0; i < CHILD_MAX; i++)
		if (v->children[i].used &&
		    (v->children[i].out == sa || v->children[i].in == sa))
			return &v->children[i];
	return NULL;
}

static void esp_event(void *opaque, struct pp_esp_sa *sa, enum pp_esp_event ev)
{
	struct vpn *v = opaque;
	struct child *c = child_by_sa(v, sa);

	if (!c)
		return;
	ppvpn_log(PP_LOG_INFO, "child %" PRIu32 " SA 0x%08" PRIx32 ": %s",
		  c->id, pp_esp_sa_spi(sa),
		  ev == PP_ESP_EVENT_SOFT_EXPIRED ? "soft limit"
		  : ev == PP_ESP_EVENT_HARD_EXPIRED ? "hard limit"
						    : "sequence exhausted");
	c->rekey_wanted = true;
	v->rekey_pending = true;
}

static void child_free(struct vpn *v, struct child *c, bool keep_policy)
{
	unsigned int i;

	if (c->in) {
		pp_esp_sad_del(v->sad, c->in);
		pp_esp_sa_destroy(c->in);
	}
	if (!keep_policy) {
		for (i = 0; i < c->n_rules; i++)
			pp_esp_spd_del(v->spd, c->rules[i]);
		for (i = 0; i < c->n_routes; i++)
			route_ref(v, &c->routes[i], false);
	}
	if (c->out)
		pp_esp_sa_destroy(c->out);
	memset(c, 0, sizeof(*c));
}

static int make_sa(struct vpn *v, const struct pp_ike_child *ch,
		   enum pp_esp_dir dir, const struct pp_esp_selector *sel,
		   unsigned int n_sel, struct pp_esp_sa **out)
{
	struct pp_esp_sa_params p;
	int rc;

	rc = pp_ike_child_esp_params(ch, dir, &p);
	if (rc)
		return rc;
	p.flags |= PP_ESP_SA_F_NO_OUTER;
	p.event_fn = esp_event;
	p.event_opaque = v;
	p.log_fn = ppvpn_log_cb;
	p.log_opaque = (void *)"esp";
	p.now = now_ms() / 1000;
	if (dir == PP_ESP_DIR_INBOUND && ch->mode == PP_ESP_MODE_TUNNEL &&
	    n_sel) {
		p.selectors = sel;
		p.n_selectors = n_sel;
		p.flags |= PP_ESP_SA_F_CHECK_SELECTORS;
	}
	rc = pp_esp_sa_create(&p, out);
	OPENSSL_cleanse(&p, sizeof(p));
	return rc;
}

static void ts_list(const struct pp_ike_ts *ts, unsigned int n, char *buf,
		    size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < n && i < PP_IKE_TS_MAX && off < len; i++) {
		char a[64], b[64];
		int w = snprintf(buf + off, len - off, "%s%s-%s", i ? "," : "",
				 ppvpn_addr_str(ts[i].family, ts[i].start, a,
						sizeof(a)),
				 ppvpn_addr_str(ts[i].family, ts[i].end, b,
						sizeof(b)));

		if (w < 0)
			break;
		off += (size_t)w;
	}
}

/* Install a new Child SA; with @old (rekey) take over its policy. */
static int child_install(struct vpn *v, const struct pp_ike_event *ev,
			 struct child *old)
{
	const struct pp_ike_child *ch = &ev->child;
	struct pp_esp_selector osel[RULES_PER_CHILD];
	struct pp_esp_selector isel[PP_ESP_SELECTORS_MAX];
	struct child *c = NULL;
	char b1[64], b2[64], pb[16] = "";
	unsigned int i, skipped = 0;
	int n_out, n_in, rc;

	for (i = 0; i < CHILD_MAX; i++)
		if (!v->children[i].used) {
			c = &v->children[i];
			break;
		}
	if (!c) {
		ppvpn_log(PP_LOG_ERR, "child %" PRIu32 ": table full (%d)",
			  ch->child_id, CHILD_MAX);
		return -ENOSPC;
	}
	if (ch->mode != PP_ESP_MODE_TUNNEL) {
		ppvpn_log(PP_LOG_ERR, "child %" PRIu32 ": transport mode is "
			  "not supported by the TUN data path", ch->child_id);
		return -ENOTSUP;
	}
	n_out = ppvpn_child_selectors(ch, false, osel, RULES_PER_CHILD);
	n_in = ppvpn_child_selectors(ch, true, isel, PP_ESP_SELECTORS_MAX);
	if (n_out <= 0 || n_in <= 0) {
		ppvpn_log(PP_LOG_ERR, "child %" PRIu32 ": selectors need more "
			  "than %d rules or none match", ch->child_id,
			  PP_ESP_SELECTORS_MAX);
		return n_out < 0 ? n_out : n_in < 0 ? n_in : -EINVAL;
	}
	memset(c, 0, sizeof(*c));
	rc = make_sa(v, ch, PP_ESP_DIR_INBOUND, isel, (unsigned int)n_in,
		     &c->in);
	if (!rc)
		rc = make_sa(v, ch, PP_ESP_DIR_OUTBOUND, NULL, 0, &c->out);
	if (!rc && (pp_esp_sa_headroom(c->out) > PKT_HEADROOM ||
		    pp_esp_sa_tailroom(c->out) > PKT_TAILROOM))
		rc = -ERANGE;
	if (!rc)
		rc = pp_esp_sad_add(v->sad, c->in);
	if (rc) {
		ppvpn_log(PP_LOG_ERR, "child %" PRIu32 " SPIs 0x%08" PRIx32
			  "/0x%08" PRIx32 ": cannot install: %s",
			  ch->child_id, ch->spi_in, ch->spi_out,
			  strerror(-rc));
		if (c->in)
			pp_esp_sa_destroy(c->in);
		if (c->out)
			pp_esp_sa_destroy(c->out);
		memset(c, 0, sizeof(*c));
		return rc;
	}
	c->used = true;
	c->id = ch->child_id;
	c->ike_sa_id = ev->ike_sa_id;
	c->udp_encap = ch->udp_encap;
	c->local = ch->local;
	c->remote = ch->remote;
	c->last_tx_ms = now_ms();

	if (old) {
		/* make-before-break: point the old rules at the new SA */
		for (i = 0; i < old->n_rules; i++)
			pp_esp_spd_set_sa(v->spd, old->rules[i], c->out);
		memcpy(c->rules, old->rules, sizeof(c->rules));
		c->n_rules = old->n_rules;
		memcpy(c->routes, old->routes, sizeof(c->routes));
		c->n_routes = old->n_routes;
		child_free(v, old, true);
	} else {
		for (i = 0; i < (unsigned int)n_out; i++) {
			struct pp_esp_spd_rule r = {
				.sel = osel[i],
				.action = PP_ESP_ACTION_PROTECT,
				.sa = c->out,
			};

			rc = pp_esp_spd_add(v->spd, &r);
			if (rc < 0) {
				ppvpn_log(PP_LOG_ERR, "child %" PRIu32
					  ": SPD full", c->id);
				break;
			}
			c->rules[c->n_rules++] = rc;
		}
		rc = ppvpn_routes_for_child(ch->remote_ts, ch->n_remote_ts,
					    &ch->remote, c->routes,
					    ROUTES_PER_CHILD, &skipped);
		if (rc < 0) {
			ppvpn_log(PP_LOG_ERR, "child %" PRIu32 ": more than "
				  "%d routes", c->id, ROUTES_PER_CHILD);
			rc = 0;
		}
		c->n_routes = (unsigned int)rc;
		if (skipped)
			ppvpn_log(PP_LOG_WARNING, "child %" PRIu32 ": %u "
				  "route(s) containing the peer %s not "
				  "installed", c->id, skipped,
				  astr(&ch->remote, b1, sizeof(b1)));
		for (i = 0; i < c->n_routes; i++)
			route_ref(v, &c->routes[i], true);
	}
	if (ppvpn_log_level >= PP_LOG_INFO) {
		char tl[512], tr[512];

		ts_list(ch->local_ts, ch->n_local_ts, tl, sizeof(tl));
		ts_list(ch->remote_ts, ch->n_remote_ts, tr, sizeof(tr));
		ppvpn_log(PP_LOG_INFO, "child %" PRIu32 " selectors %s === %s",
			  ch->child_id, tl, tr);
	}
	if (c->udp_encap)
		snprintf(pb, sizeof(pb), " port %u", c->remote.port);
	ppvpn_log(PP_LOG_NOTICE, "child %" PRIu32 " (%s) up: SPI in 0x%08"
		  PRIx32 " out 0x%08" PRIx32 ", %s %s <-> %s%s%s", c->id,
		  ev->conn, ch->spi_in, ch->spi_out,
		  c->udp_encap ? "esp-in-udp" : "esp",
		  astr(&c->local, b1, sizeof(b1)),
		  astr(&c->remote, b2, sizeof(b2)), pb,
		  old ? " (rekeyed)" : "");
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Key export                                                             */
/* ---------------------------------------------------------------------- */

static void keylog_cb(void *opaque, enum pp_ike_keylog_kind kind,
		      const char *line)
{
	struct vpn *v = opaque;
	FILE *f = kind == PP_IKE_KEYLOG_ESP_SA ? v->kl_esp : v->kl_ike;

	if (!f)
		return;
	fprintf(f, "%s\n", line);
	fflush(f);
}

static FILE *open_keylog(const char *base, const char *suffix)
{
	char path[PPVPN_PATH_MAX + 32];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s.%s", base, suffix);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "a"))) {
		ppvpn_log(PP_LOG_ERR, "keylog %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	ppvpn_log(PP_LOG_WARNING, "exporting session keys to %s", path);
	return f;
}

/* ---------------------------------------------------------------------- */
/* IKE                                                                    */
/* ---------------------------------------------------------------------- */

static void ike_flush(struct vpn *v)
{
	struct pp_ike_dgram d;
	char b[64];

	while (pp_ike_output(v->ike, &d) == 1) {
		struct vsock *s = find_sock(v, d.dst.family, d.src.port);
		int rc;

		if (!s) {
			ppvpn_log(PP_LOG_WARNING, "IKE datagram to %s:%u: no "
				  "socket for IPv%u port %u", astr(&d.dst, b,
				  sizeof(b)), d.dst.port, d.dst.family,
				  d.src.port);
			continue;
		}
		rc = sock_send(s, d.data, d.len, &d.src, &d.dst);
		if (rc)
			ppvpn_log(PP_LOG_WARNING, "IKE datagram to %s:%u: %s",
				  astr(&d.dst, b, sizeof(b)), d.dst.port,
				  strerror(-rc));
	}
}

static void ike_sa_track(struct vpn *v, uint32_t id, bool up)
{
	unsigned int i;

	for (i = 0; i < v->n_ike_up; i++) {
		if (v->ike_up[i] == id) {
			if (!up)
				v->ike_up[i] = v->ike_up[--v->n_ike_up];
			return;
		}
	}
	if (up && v->n_ike_up < IKE_SA_MAX)
		v->ike_up[v->n_ike_up++] = id;
}

static void apply_vip(struct vpn *v, const struct pp_ike_vip *vip)
{
	char b[64];
	unsigned int i;
	int rc;

	if (vip->has_ip4) {
		rc = ppvpn_nl_addr(&v->nl, true, v->tun_ifindex, 4, vip->ip4,
				   32);
		ppvpn_log(rc ? PP_LOG_ERR : PP_LOG_NOTICE,
			  "virtual IP %s/32 on %s%s%s",
			  ppvpn_addr_str(4, vip->ip4, b, sizeof(b)),
			  v->tun_name, rc ? ": " : "",
			  rc ? strerror(-rc) : "");
	}
	if (vip->has_ip6) {
		uint8_t plen = vip->ip6_plen && vip->ip6_plen <= 128
				       ? vip->ip6_plen
				       : 128;

		rc = ppvpn_nl_addr(&v->nl, true, v->tun_ifindex, 6, vip->ip6,
				   plen);
		ppvpn_log(rc ? PP_LOG_ERR : PP_LOG_NOTICE,
			  "virtual IP %s/%u on %s%s%s",
			  ppvpn_addr_str(6, vip->ip6, b, sizeof(b)), plen,
			  v->tun_name, rc ? ": " : "",
			  rc ? strerror(-rc) : "");
	}
	for (i = 0; i < vip->n_dns4 && i < PP_IKE_DNS_MAX; i++)
		ppvpn_log(PP_LOG_NOTICE, "DNS server %s (not applied)",
			  ppvpn_addr_str(4, vip->dns4[i], b, sizeof(b)));
	for (i = 0; i < vip->n_dns6 && i < PP_IKE_DNS_MAX; i++)
		ppvpn_log(PP_LOG_NOTICE, "DNS server %s (not applied)",
			  ppvpn_addr_str(6, vip->dns6[i], b, sizeof(b)));
}

static void ike_events(struct vpn *v, uint64_t now)
{
	struct pp_ike_event ev;
	char b1[64], b2[64];
	unsigned int i;

	while (pp_ike_event(v->ike, &ev) == 1) {
		struct child *c;

		switch (ev.type) {
		case PP_IKE_EV_IKE_UP:
			ike_sa_track(v, ev.ike_sa_id, true);
			v->ever_up = true;
			ppvpn_log(PP_LOG_NOTICE, "IKE SA %" PRIu32 " (%s) up: "
				  "%016" PRIx64 "/%016" PRIx64 " %s <-> %s",
				  ev.ike_sa_id, ev.conn, ev.spi_i, ev.spi_r,
				  astr(&ev.local, b1, sizeof(b1)),
				  astr(&ev.remote, b2, sizeof(b2)));
			break;
		case PP_IKE_EV_IKE_REKEYED:
			ike_sa_track(v, ev.old_ike_sa_id, false);
			ike_sa_track(v, ev.ike_sa_id, true);
			for (i = 0; i < CHILD_MAX; i++)
				if (v->children[i].used &&
				    v->children[i].ike_sa_id ==
					    ev.old_ike_sa_id)
					v->children[i].ike_sa_id =
						ev.ike_sa_id;
			ppvpn_log(PP_LOG_NOTICE, "IKE SA %" PRIu32 " rekeyed "
				  "to %" PRIu32, ev.old_ike_sa_id,
				  ev.ike_sa_id);
			break;
		case PP_IKE_EV_IKE_DOWN:
			ike_sa_track(v, ev.ike_sa_id, false);
			ppvpn_log(ev.reason == PP_IKE_R_LOCAL_DELETE ||
					  ev.reason == PP_IKE_R_PEER_DELETE ?
				  PP_LOG_NOTICE : PP_LOG_WARNING,
				  "IKE SA %" PRIu32 " (%s) down: %s",
				  ev.ike_sa_id, ev.conn,
				  pp_ike_reason_name(ev.reason));
			if (v->cfg.role == PPVPN_ROLE_CLIENT && !v->stopping &&
			    ev.reason != PP_IKE_R_REKEYED &&
			    ev.reason != PP_IKE_R_REPLACED) {
				if (v->cfg.reconnect) {
					v->reconnect_at = now + RECONNECT_MS;
				} else if (v->n_ike_up == 0) {
					v->stopping = true;
					v->exit_code = PPVPN_EXIT_PEER;
				}
			}
			break;
		case PP_IKE_EV_CHILD_UP:
			child_install(v, &ev, NULL);
			break;
		case PP_IKE_EV_CHILD_REKEYED:
			c = child_by_id(v, ev.child.old_child_id);
			if (child_install(v, &ev, c) && c)
				ppvpn_log(PP_LOG_WARNING, "child %" PRIu32
					  " kept after a failed rekey", c->id);
			break;
		case PP_IKE_EV_CHILD_DOWN:
			c = child_by_id(v, ev.child.child_id);
			if (c) {
				ppvpn_log(PP_LOG_NOTICE, "child %" PRIu32
					  " down: %s", c->id,
					  pp_ike_reason_name(ev.reason));
				child_free(v, c, false);
			}
			break;
		case PP_IKE_EV_VIP:
			apply_vip(v, &ev.vip);
			break;
		case PP_IKE_EV_PEER_MOVED:
			ppvpn_log(PP_LOG_NOTICE, "IKE SA %" PRIu32 ": peer now "
				  "%s:%u", ev.ike_sa_id,
				  astr(&ev.remote, b1, sizeof(b1)),
				  ev.remote.port);
			for (i = 0; i < CHILD_MAX; i++) {
				c = &v->children[i];
				if (!c->used || c->ike_sa_id != ev.ike_sa_id)
					continue;
				c->remote = ev.remote;
				c->local = ev.local;
			}
			break;
		}
		pp_ike_event_wipe(&ev);
	}
}

static void ike_pump(struct vpn *v, uint64_t now)
{
	ike_flush(v);
	ike_events(v, now);
	ike_flush(v);
}

/* ---------------------------------------------------------------------- */
/* Data path                                                              */
/* ---------------------------------------------------------------------- */

static void esp_send_batch(struct vpn *v, struct pp_esp_sa *sa,
			   struct pp_pkt **pk, unsigned int n, uint64_t now)
{
	struct child *c = child_by_sa(v, sa);
	struct vsock *s;
	unsigned int i;

	if (!c) {
		v->st.no_sa += n;
		return;
	}
	pp_esp_outbound(sa, pk, n);
	s = find_sock(v, c->remote.family, c->udp_encap ? c->local.port : 0);
	for (i = 0; i < n; i++) {
		if (pk[i]->status != PP_ESP_OK) {
			v->st.esp_err++;
			continue;
		}
		if (!s || sock_send(s, pp_pkt_data(pk[i]), pk[i]->len,
				    &c->local, &c->remote)) {
			v->st.tx_err++;
			continue;
		}
		v->st.esp_tx++;
	}
	c->last_tx_ms = now;
}

static void tun_to_esp(struct vpn *v, uint64_t now)
{
	struct pp_pkt *pk[PP_BURST_MAX], *batch[PP_BURST_MAX];
	struct pp_esp_sa *cur = NULL;
	unsigned int n, got = 0, m = 0, i;

	n = ppvpn_pool_get(&v->pool, pk, PP_BURST_MAX);
	if (!n) {
		v->st.no_buf++;
		return;
	}
	for (got = 0; got < n; got++) {
		uint32_t room = pk[got]->cap - pk[got]->off - PKT_TAILROOM;
		ssize_t r = read(v->tun_fd, pp_pkt_data(pk[got]), room);

		if (r <= 0)
			break;
		pk[got]->len = (uint32_t)r;
		v->st.tun_rx++;
	}
	for (i = 0; i < got; i++) {
		struct pp_esp_sa *sa = NULL;
		int rule;

		if (pp_esp_spd_lookup(v->spd, pp_pkt_data(pk[i]), pk[i]->len,
				      &sa, &rule) != PP_ESP_ACTION_PROTECT ||
		    !sa) {
			v->st.no_policy++;
			continue;
		}
		if (sa != cur && m) {
			esp_send_batch(v, cur, batch, m, now);
			m = 0;
		}
		cur = sa;
		batch[m++] = pk[i];
	}
	if (m)
		esp_send_batch(v, cur, batch, m, now);
	ppvpn_pool_put(&v->pool, pk, n);
}

static void esp_recv_batch(struct vpn *v, struct pp_esp_sa *sa,
			   struct pp_pkt **pk, unsigned int n, uint64_t now)
{
	struct child *c = child_by_sa(v, sa);
	unsigned int i, ok;

	ok = pp_esp_inbound(sa, pk, n);
	for (i = 0; i < n; i++) {
		if (pk[i]->status != PP_ESP_OK) {
			v->st.esp_err++;
			continue;
		}
		v->st.esp_rx++;
		if (write(v->tun_fd, pp_pkt_data(pk[i]), pk[i]->len) < 0)
			v->st.tx_err++;
		else
			v->st.tun_tx++;
	}
	if (ok && c)
		pp_ike_child_seen(v->ike, c->id, now);
}

/* Inbound ESP packets (data from the SPI on) in @pk: SAD, decrypt, TUN. */
static void esp_inbound(struct vpn *v, struct pp_pkt **pk, unsigned int n,
			uint64_t now)
{
	struct pp_pkt *batch[PP_BURST_MAX];
	struct pp_esp_sa *cur = NULL;
	unsigned int i, m = 0;

	for (i = 0; i < n; i++) {
		struct pp_esp_sa *sa;
		uint32_t spi;
		const uint8_t *d = pp_pkt_data(pk[i]);

		if (pk[i]->len < 8) {
			v->st.esp_err++;
			continue;
		}
		spi = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
		      (uint32_t)d[2] << 8 | d[3];
		sa = pp_esp_sad_lookup(v->sad, spi, NULL);
		if (!sa) {
			v->st.no_sa++;
			continue;
		}
		if (sa != cur && m) {
			esp_recv_batch(v, cur, batch, m, now);
			m = 0;
		}
		cur = sa;
		batch[m++] = pk[i];
	}
	if (m)
		esp_recv_batch(v, cur, batch, m, now);
}

/* A failed receive: truncated datagram, or an ICMP error reported on the
 * socket (consumed by the call). */
static void rx_error(struct vpn *v, const struct vsock *s, ssize_t r)
{
	if (r == -EMSGSIZE) {
		v->st.trunc++;
		return;
	}
	v->st.rx_err++;
	ppvpn_log(PP_LOG_DEBUG, "%s IPv%u port %u: receive: %s",
		  s->port ? "udp" : "esp", s->family, s->port,
		  strerror((int)-r));
}

static void sock_readable(struct vpn *v, struct vsock *s, uint64_t now)
{
	struct pp_pkt *pk[PP_BURST_MAX], *esp[PP_BURST_MAX];
	struct pp_ike_addr src, dst;
	unsigned int n, i, m = 0;
	char b[64];

	if (s->port && s->port != 4500) {
		/* plain IKE port */
		for (i = 0; i < PP_BURST_MAX; i++) {
			ssize_t r = sock_recv(s, v->ike_buf,
					      sizeof(v->ike_buf), &src, &dst);

			if (r == 0)
				break;
			if (r < 0) {
				rx_error(v, s, r);
				continue;
			}
			pp_ike_input(v->ike, v->ike_buf, (size_t)r, &src, &dst,
				     now);
		}
		return;
	}
	n = ppvpn_pool_get(&v->pool, pk, PP_BURST_MAX);
	if (!n) {
		v->st.no_buf++;
		return;
	}
	for (i = 0; i < n; i++) {
		struct pp_pkt *p = pk[i];
		uint8_t *d = pp_pkt_data(p);
		ssize_t r = sock_recv(s, d, p->cap - p->off, &src, &dst);

		if (r == 0)
			break;
		if (r < 0) {
			rx_error(v, s, r);
			continue;
		}
		p->len = (uint32_t)r;
		if (!s->port) {
			/* raw IPv4 sockets deliver the IP header */
			if (s->family == 4) {
				uint32_t ihl;

				if (p->len < 20 || (d[0] >> 4) != 4) {
					v->st.esp_err++;
					continue;
				}
				ihl = (uint32_t)(d[0] & 0xf) * 4;
				if (ihl < 20 || !pp_pkt_pull(p, ihl)) {
					v->st.esp_err++;
					continue;
				}
			}
			esp[m++] = p;
			continue;
		}
		switch (pp_esp_natt_classify(d, p->len)) {
		case PP_ESP_NATT_ESP:
			esp[m++] = p;
			break;
		case PP_ESP_NATT_IKE:
			if (pp_ike_input(v->ike, d, p->len, &src, &dst, now) ==
			    -EPROTONOSUPPORT)
				esp[m++] = p;
			break;
		case PP_ESP_NATT_KEEPALIVE:
			ppvpn_log(PP_LOG_DEBUG, "NAT-T keepalive from %s",
				  astr(&src, b, sizeof(b)));
			break;
		default:
			v->st.esp_err++;
			break;
		}
	}
	if (m)
		esp_inbound(v, esp, m, now);
	ppvpn_pool_put(&v->pool, pk, n);
}

static void tick(struct vpn *v, uint64_t now)
{
	static const uint8_t ka = 0xff;
	unsigned int i;

	for (i = 0; i < CHILD_MAX; i++) {
		struct child *c = &v->children[i];

		if (!c->used)
			continue;
		pp_esp_sa_tick(c->in, now / 1000);
		pp_esp_sa_tick(c->out, now / 1000);
		if (c->udp_encap && v->cfg.role == PPVPN_ROLE_CLIENT &&
		    now - c->last_tx_ms >= KEEPALIVE_MS) {
			struct vsock *s = find_sock(v, c->remote.family,
						    c->local.port);

			if (s)
				sock_send(s, &ka, 1, &c->local, &c->remote);
			c->last_tx_ms = now;
		}
	}
}

static void rekey_requests(struct vpn *v, uint64_t now)
{
	unsigned int i;

	if (!v->rekey_pending)
		return;
	v->rekey_pending = false;
	for (i = 0; i < CHILD_MAX; i++) {
		struct child *c = &v->children[i];
		int rc;

		if (!c->used || !c->rekey_wanted)
			continue;
		c->rekey_wanted = false;
		rc = pp_ike_rekey_child(v->ike, c->id, now);
		if (rc && rc != -EALREADY && rc != -EBUSY)
			ppvpn_log(PP_LOG_WARNING, "child %" PRIu32
				  ": rekey request: %s", c->id, strerror(-rc));
	}
}

/* SIGUSR1: rekey every Child SA now (operators, tests). */
static void rekey_all(struct vpn *v)
{
	unsigned int i;

	for (i = 0; i < CHILD_MAX; i++) {
		if (v->children[i].used) {
			v->children[i].rekey_wanted = true;
			v->rekey_pending = true;
		}
	}
}

/* ---------------------------------------------------------------------- */
/* Setup and main loop                                                    */
/* ---------------------------------------------------------------------- */

/*
 * An initiator without local_addr: take the source address the kernel
 * would use towards the peer (a connected UDP socket sends nothing), so
 * that SAs, NAT detection and the key export name the real address.
 */
static void resolve_local(struct pp_ike_conn *c)
{
	struct sockaddr_storage ss, me;
	socklen_t sl = sizeof(me);
	struct pp_ike_addr a;
	uint16_t port = c->local.port;
	char b[64];
	int fd;

	if (!c->remote.family || c->local.family)
		return;
	fd = socket(c->remote.family == 6 ? AF_INET6 : AF_INET,
		    SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&ss, to_sockaddr(&c->remote, &ss)) ==
		    0 &&
	    getsockname(fd, (struct sockaddr *)&me, &sl) == 0) {
		from_sockaddr(&me, &a);
		if (a.family == c->remote.family) {
			c->local = a;
			c->local.port = port;
			ppvpn_log(PP_LOG_INFO, "connection %s: local address "
				  "%s (route to the peer)", c->name,
				  astr(&a, b, sizeof(b)));
		}
	} else {
		ppvpn_log(PP_LOG_WARNING, "connection %s: no route to %s: %s",
			  c->name, astr(&c->remote, b, sizeof(b)),
			  strerror(errno));
	}
	close(fd);
}

static int setup(struct vpn *v)
{
	struct pp_ike_params prm;
	struct pp_esp_sad_params sp = { .capacity = 2 * CHILD_MAX };
	uint16_t ports[PPVPN_CONN_MAX + 1];
	unsigned int n_ports = 0, i, j, fam;
	sigset_t ss;
	int rc;

	for (i = 0; i < v->cfg.n_conns; i++) {
		ppvpn_cfg_to_conn(&v->cfg.conns[i], &v->conns[i]);
		resolve_local(&v->conns[i]);
	}

	/* signals */
	sigemptyset(&ss);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGUSR1);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	signal(SIGPIPE, SIG_IGN);
	v->sig_fd = signalfd(-1, &ss, SFD_NONBLOCK | SFD_CLOEXEC);
	if (v->sig_fd < 0)
		return -errno;

	/* keys */
	if (v->cfg.keylog[0]) {
		v->kl_esp = open_keylog(v->cfg.keylog, "esp_sa");
		v->kl_ike = open_keylog(v->cfg.keylog,
					"ikev2_decryption_table");
		if (!v->kl_esp || !v->kl_ike)
			return -EIO;
	}

	/* sockets: every IKE port of the connections, 4500, raw ESP */
	for (i = 0; i < v->cfg.n_conns; i++) {
		uint16_t p = v->conns[i].local.port;

		for (j = 0; j < n_ports && ports[j] != p; j++)
			;
		if (j == n_ports)
			ports[n_ports++] = p;
	}
	ports[n_ports++] = 4500;
	for (fam = 4; fam <= 6; fam += 2) {
		const struct pp_ike_addr *ba = NULL;
		bool used = false;

		for (i = 0; i < v->cfg.n_conns; i++) {
			const struct pp_ike_conn *c = &v->conns[i];

			if (c->local.family == fam && !ba)
				ba = &c->local;
			if (c->local.family == fam || c->remote.family == fam ||
			    (!c->local.family && !c->remote.family))
				used = true;
		}
		if (!used)
			continue;
		for (j = 0; j < n_ports; j++) {
			rc = open_sock(v, (uint8_t)fam, ports[j], ba);
			if (rc) {
				ppvpn_log(PP_LOG_ERR, "UDP IPv%u port %u: %s",
					  fam, ports[j], strerror(-rc));
				return rc;
			}
		}
		rc = open_sock(v, (uint8_t)fam, 0, ba);
		if (rc) {
			ppvpn_log(PP_LOG_ERR, "raw ESP IPv%u socket: %s", fam,
				  strerror(-rc));
			return rc;
		}
	}

	/* TUN, link up */
	snprintf(v->tun_name, sizeof(v->tun_name), "%s", v->cfg.tun_name);
	v->tun_fd = ppvpn_tun_open(v->tun_name, &v->tun_ifindex);
	if (v->tun_fd < 0) {
		ppvpn_log(PP_LOG_ERR, "TUN %s: %s", v->cfg.tun_name,
			  strerror(-v->tun_fd));
		return v->tun_fd;
	}
	rc = ppvpn_nl_open(&v->nl);
	if (!rc)
		rc = ppvpn_nl_link_up(&v->nl, v->tun_ifindex, v->cfg.mtu);
	if (rc) {
		ppvpn_log(PP_LOG_ERR, "TUN %s: link up, mtu %" PRIu32 ": %s",
			  v->tun_name, v->cfg.mtu, strerror(-rc));
		return rc;
	}
	ppvpn_log(PP_LOG_NOTICE, "TUN %s (index %d, mtu %" PRIu32 ") up",
		  v->tun_name, v->tun_ifindex, v->cfg.mtu);

	/* data path */
	rc = ppvpn_pool_init(&v->pool, POOL_PKTS,
			     PKT_HEADROOM + v->cfg.mtu + PKT_TAILROOM +
				     (v->cfg.mtu < 8192 ? 8192 : 0),
			     PKT_HEADROOM);
	if (!rc)
		rc = pp_esp_sad_create(&sp, &v->sad);
	if (!rc)
		rc = pp_esp_spd_create(CHILD_MAX * RULES_PER_CHILD, &v->spd);
	if (rc) {
		ppvpn_log(PP_LOG_ERR, "data path setup: %s", strerror(-rc));
		return rc;
	}

	/* engine */
	memset(&prm, 0, sizeof(prm));
	prm.conns = v->conns;
	prm.n_conns = v->cfg.n_conns;
	prm.log_fn = ppvpn_log_cb;
	prm.log_opaque = (void *)"ike";
	if (v->kl_esp) {
		prm.keylog_fn = keylog_cb;
		prm.keylog_opaque = v;
	}
	rc = pp_ike_create(&prm, &v->ike);
	/* the engine copied the credentials (pp_ike.h) */
	ppvpn_cfg_wipe_secrets(&v->cfg);
	if (rc) {
		ppvpn_log(PP_LOG_ERR, "IKE engine: %s", strerror(-rc));
		return rc;
	}
	return 0;
}

static void teardown(struct vpn *v)
{
	unsigned int i;

	for (i = 0; i < CHILD_MAX; i++)
		if (v->children[i].used)
			child_free(v, &v->children[i], false);
	if (v->ike)
		pp_ike_destroy(v->ike);
	if (v->spd)
		pp_esp_spd_destroy(v->spd);
	if (v->sad)
		pp_esp_sad_destroy(v->sad);
	ppvpn_pool_fini(&v->pool);
	for (i = 0; i < v->n_socks; i++)
		close(v->socks[i].fd);
	if (v->tun_fd >= 0)
		close(v->tun_fd);
	if (v->nl.fd >= 0)
		ppvpn_nl_close(&v->nl);
	if (v->sig_fd >= 0)
		close(v->sig_fd);
	if (v->kl_esp)
		fclose(v->kl_esp);
	if (v->kl_ike)
		fclose(v->kl_ike);
}

static void initiate_all(struct vpn *v, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < v->cfg.n_conns; i++) {
		uint32_t id;
		const char *name = v->cfg.conns[i].name;
		int rc = pp_ike_initiate(v->ike, name, now, &id);

		if (rc)
			ppvpn_log(PP_LOG_ERR, "connection %s: initiate: %s",
				  name, strerror(-rc));
		else
			ppvpn_log(PP_LOG_NOTICE, "connection %s: initiating "
				  "(IKE SA %" PRIu32 ")", name, id);
	}
}

static int run(struct vpn *v)
{
	struct pollfd pfd[SOCK_MAX + 2];
	uint64_t now = now_ms(), stop_deadline = 0;
	unsigned int i, n;

	if (v->cfg.role == PPVPN_ROLE_CLIENT)
		initiate_all(v, now);
	ike_pump(v, now);
	v->next_tick = now + 1000;

	for (;;) {
		uint64_t dl = pp_ike_next_deadline(v->ike);
		int timeout;

		now = now_ms();
		if (v->stopping && !stop_deadline) {
			ppvpn_log(PP_LOG_NOTICE, "shutting down: deleting %u "
				  "IKE SA(s)", v->n_ike_up);
			pp_ike_shutdown(v->ike, now);
			ike_pump(v, now);
			stop_deadline = now + v->cfg.shutdown_ms;
		}
		if (stop_deadline && (v->n_ike_up == 0 || now >= stop_deadline))
			break;
		if (dl > v->next_tick)
			dl = v->next_tick;
		if (stop_deadline && dl > stop_deadline)
			dl = stop_deadline;
		timeout = dl <= now ? 0 : (int)(dl - now);

		n = 0;
		pfd[n++] = (struct pollfd){ .fd = v->sig_fd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = v->tun_fd, .events = POLLIN };
		for (i = 0; i < v->n_socks; i++)
			pfd[n++] = (struct pollfd){ .fd = v->socks[i].fd,
						    .events = POLLIN };
		if (poll(pfd, n, timeout) < 0 && errno != EINTR) {
			ppvpn_log(PP_LOG_ERR, "poll: %s", strerror(errno));
			v->exit_code = PPVPN_EXIT_RUNTIME;
			break;
		}
		now = now_ms();
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			bool stop = false;

			while (read(v->sig_fd, &si, sizeof(si)) ==
			       (ssize_t)sizeof(si)) {
				ppvpn_log(PP_LOG_NOTICE, "signal %u",
					  si.ssi_signo);
				if (si.ssi_signo == SIGUSR1)
					rekey_all(v);
				else
					stop = true;
			}
			if (stop && v->stopping && stop_deadline)
				break; /* second signal: leave now */
			if (stop)
				v->stopping = true;
		}
		for (i = 0; i < v->n_socks; i++)
			if (pfd[2 + i].revents & (POLLIN | POLLERR))
				sock_readable(v, &v->socks[i], now);
		if (pfd[1].revents & POLLIN)
			tun_to_esp(v, now);
		if (pp_ike_next_deadline(v->ike) <= now)
			pp_ike_timeout(v->ike, now);
		ike_pump(v, now);
		rekey_requests(v, now);
		if (now >= v->next_tick) {
			tick(v, now);
			v->next_tick = now + 1000;
		}
		if (v->reconnect_at && now >= v->reconnect_at && !v->stopping) {
			v->reconnect_at = 0;
			if (v->n_ike_up == 0)
				initiate_all(v, now);
		}
		ike_pump(v, now);
	}
	ike_flush(v);
	return v->exit_code;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ppvpn [options] -c FILE\n"
		"  -c, --config FILE   configuration file (docs/ppvpn.md)\n"
		"  -t, --check-config  validate FILE, print the parsed result, "
		"exit\n"
		"  -v, --verbose       more log output (repeatable)\n"
		"  -q, --quiet         errors only\n"
		"  -h, --help          this text\n"
		"exit codes: 0 ok, 1 usage, 2 config, 3 setup, 4 peer, "
		"5 runtime\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	bool check = false, quiet = false;
	int verbose = 0, o, rc;
	char err[PPVPN_ERR_MAX];
	struct vpn *v;

	while ((o = getopt_long(argc, argv, "c:tvqh", lo, NULL)) != -1) {
		switch (o) {
		case 'c': path = optarg; break;
		case 't': check = true; break;
		case 'v': verbose++; break;
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return PPVPN_EXIT_OK;
		default: usage(stderr); return PPVPN_EXIT_USAGE;
		}
	}
	if (!path && optind < argc)
		path = argv[optind++];
	if (!path || optind != argc) {
		usage(stderr);
		return PPVPN_EXIT_USAGE;
	}
	v = calloc(1, sizeof(*v));
	if (!v) {
		fprintf(stderr, "ppvpn: out of memory\n");
		return PPVPN_EXIT_RUNTIME;
	}
	v->tun_fd = v->sig_fd = v->nl.fd = -1;
	if (ppvpn_cfg_load(&v->cfg, path, NULL, err, sizeof(err))) {
		fprintf(stderr, "ppvpn: %s\n", err);
		ppvpn_cfg_free(&v->cfg);
		free(v);
		return PPVPN_EXIT_CONFIG;
	}
	if (check) {
		ppvpn_cfg_print(&v->cfg, stdout);
		ppvpn_cfg_free(&v->cfg);
		free(v);
		return PPVPN_EXIT_OK;
	}
	ppvpn_log_level = v->cfg.log_level;
	while (verbose-- > 0 && ppvpn_log_level < PP_LOG_DEBUG)
		ppvpn_log_level = (enum pp_log_level)(ppvpn_log_level + 1);
	if (quiet)
		ppvpn_log_level = PP_LOG_ERR;

	rc = setup(v);
	if (rc) {
		rc = PPVPN_EXIT_SETUP;
	} else {
		ppvpn_log(PP_LOG_NOTICE, "running as %s with %u connection(s)",
			  v->cfg.role == PPVPN_ROLE_CLIENT ? "client"
							   : "gateway",
			  v->cfg.n_conns);
		rc = run(v);
	}
	ppvpn_log(PP_LOG_NOTICE, "exit %d: tun rx %" PRIu64 " tx %" PRIu64
		  ", esp rx %" PRIu64 " tx %" PRIu64 ", drops: no policy %"
		  PRIu64 ", no SA %" PRIu64 ", esp %" PRIu64 ", tx %" PRIu64
		  ", truncated %" PRIu64 ", rx errors %" PRIu64
		  ", no buffer %" PRIu64, rc,
		  v->st.tun_rx, v->st.tun_tx, v->st.esp_rx, v->st.esp_tx,
		  v->st.no_policy, v->st.no_sa, v->st.esp_err, v->st.tx_err,
		  v->st.trunc, v->st.rx_err, v->st.no_buf);
	teardown(v);
	ppvpn_cfg_free(&v->cfg);
	free(v);
	return rc;
}
