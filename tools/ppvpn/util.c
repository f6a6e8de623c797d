// SPDX-License-Identifier: BSD-2-Clause
/*
 * ppvpn helpers: logging, address formatting, selector -> CIDR prefixes and
 * routes, and the fixed packet-buffer pool of the data path.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ppvpn.h"

enum pp_log_level ppvpn_log_level = PP_LOG_NOTICE;

static const char *const level_names[] = {
	[PP_LOG_ERR] = "err",	    [PP_LOG_WARNING] = "warning",
	[PP_LOG_NOTICE] = "notice", [PP_LOG_INFO] = "info",
	[PP_LOG_DEBUG] = "debug",
};

const char *ppvpn_level_name(enum pp_log_level lvl)
{
	if (lvl < PP_LOG_ERR || lvl > PP_LOG_DEBUG)
		return "?";
	return level_names[lvl];
}

int ppvpn_level_parse(const char *s, enum pp_log_level *out)
{
	int l;

	for (l = PP_LOG_ERR; l <= PP_LOG_DEBUG; l++) {
		if (!strcmp(s, level_names[l])) {
			*out = (enum pp_log_level)l;
			return 0;
		}
	}
	return -EINVAL;
}

static void log_line(enum pp_log_level lvl, const char *msg)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "%lld.%03ld ppvpn[%s]: %s\n", (long long)ts.tv_sec,
		ts.tv_nsec / 1000000, ppvpn_level_name(lvl), msg);
}

void ppvpn_log(enum pp_log_level lvl, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int saved = errno;

	if (lvl > ppvpn_log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_line(lvl, buf);
	errno = saved;
}

void ppvpn_log_cb(void *opaque, enum pp_log_level lvl, const char *msg)
{
	const char *who = opaque;
	int saved = errno;

	if (lvl > ppvpn_log_level)
		return;
	if (who) {
		char buf[1024];

		snprintf(buf, sizeof(buf), "%s: %s", who, msg);
		log_line(lvl, buf);
	} else {
		log_line(lvl, msg);
	}
	errno = saved;
}

const char *ppvpn_addr_str(uint8_t family, const uint8_t *bytes, char *buf,
			   size_t len)
{
	if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, bytes, buf,
		       (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

/* ---------------------------------------------------------------------- */
/* Ranges and prefixes                                                    */
/* ---------------------------------------------------------------------- */

typedef unsigned __int128 u128;

static u128 to_u128(uint8_t family, const uint8_t *b)
{
	unsigned int n = family == 6 ? 16 : 4, i;
	u128 v = 0;

	for (i = 0; i < n; i++)
		v = (v << 8) | b[i];
	return v;
}

static void from_u128(uint8_t family, u128 v, uint8_t *b)
{
	unsigned int n = family == 6 ? 16 : 4, i;

	for (i = n; i-- > 0;) {
		b[i] = (uint8_t)v;
		v >>= 8;
	}
}

int ppvpn_range_to_prefixes(uint8_t family, const uint8_t *start,
			    const uint8_t *end, struct ppvpn_prefix *out,
			    unsigned int cap)
{
	unsigned int bits = family == 6 ? 128 : 32, n = 0;
	u128 s, e;

	if (family != 4 && family != 6)
		return -EINVAL;
	s = to_u128(family, start);
	e = to_u128(family, end);
	if (s > e)
		return -EINVAL;
	for (;;) {
		unsigned int k = 0;
		u128 last;

		/* the largest block aligned at s that does not pass e */
		while (k < bits) {
			u128 size;

			if (k + 1 == 128) {
				if (s == 0 && e == ~(u128)0)
					k = 128;
				break;
			}
			size = (u128)1 << (k + 1);
			if ((s & (size - 1)) || e - s < size - 1)
				break;
			k++;
		}
		if (n >= cap)
			return -ENOSPC;
		out[n].family = family;
		out[n].plen = (uint8_t)(bits - k);
		memset(out[n].addr, 0, sizeof(out[n].addr));
		from_u128(family, s, out[n].addr);
		n++;
		if (k >= bits)
			break; /* the whole address space */
		last = s + (((u128)1 << k) - 1);
		if (last == e)
			break; /* also avoids wrapping past the last address */
		s = last + 1;
	}
	return (int)n;
}

bool ppvpn_prefix_contains(const struct ppvpn_prefix *p, const uint8_t *addr)
{
	unsigned int bits = p->family == 6 ? 128 : 32;
	u128 m, a, b;

	if (p->plen == 0)
		return true;
	m = ~(u128)0 << (bits - p->plen);
	if (bits == 32)
		m &= 0xffffffffu;
	a = to_u128(p->family, p->addr);
	b = to_u128(p->family, addr);
	return (a & m) == (b & m);
}

int ppvpn_routes_for_child(const struct pp_ike_ts *ts, unsigned int n_ts,
			   const struct pp_ike_addr *peer,
			   struct ppvpn_prefix *out, unsigned int cap,
			   unsigned int *skipped)
{
	struct ppvpn_prefix tmp[64];
	unsigned int i, n = 0;
	int j, k;

	*skipped = 0;
	for (i = 0; i < n_ts; i++) {
		int m = ppvpn_range_to_prefixes(ts[i].family, ts[i].start,
						ts[i].end, tmp, 64);

		if (m < 0)
			return m;
		for (j = 0; j < m; j++) {
			bool dup = false;

			if (peer && peer->family == tmp[j].family &&
			    ppvpn_prefix_contains(&tmp[j], peer->bytes)) {
				(*skipped)++;
				continue;
			}
			for (k = 0; k < (int)n; k++)
				if (out[k].family == tmp[j].family &&
				    out[k].plen == tmp[j].plen &&
				    !memcmp(out[k].addr, tmp[j].addr, 16))
					dup = true;
			if (dup)
				continue;
			if (n >= cap)
				return -ENOSPC;
			out[n++] = tmp[j];
		}
	}
	return (int)n;
}

/* Selectors of @ts as prefixes (at most @cap). */
static int ts_prefixes(const struct pp_ike_ts *ts, struct ppvpn_prefix *out,
		       unsigned int cap)
{
	return ppvpn_range_to_prefixes(ts->family, ts->start, ts->end, out,
				       cap);
}

/*
 * Selectors for every (local, remote) prefix pair of @c; @inbound swaps
 * source and destination. Returns the count or -ENOSPC.
 */
int ppvpn_child_selectors(const struct pp_ike_child *c, bool inbound,
			  struct pp_esp_selector *out, unsigned int cap)
{
	struct ppvpn_prefix lp[16], rp[16];
	unsigned int i, j, n = 0;
	int nl, nr, a, b;

	for (i = 0; i < c->n_local_ts; i++) {
		nl = ts_prefixes(&c->local_ts[i], lp, 16);
		if (nl < 0)
			return nl;
		for (j = 0; j < c->n_remote_ts; j++) {
			const struct pp_ike_ts *l = &c->local_ts[i],
					       *r = &c->remote_ts[j];

			if (l->family != r->family)
				continue;
			if (l->proto && r->proto && l->proto != r->proto)
				continue;
			nr = ts_prefixes(r, rp, 16);
			if (nr < 0)
				return nr;
			for (a = 0; a < nl; a++) {
				for (b = 0; b < nr; b++) {
					struct pp_esp_selector *s;
					const struct ppvpn_prefix *sp =
						inbound ? &rp[b] : &lp[a];
					const struct pp_ike_ts *st =
						inbound ? r : l;
					const struct ppvpn_prefix *dp =
						inbound ? &lp[a] : &rp[b];
					const struct pp_ike_ts *dt =
						inbound ? l : r;

					if (n >= cap)
						return -ENOSPC;
					s = &out[n++];
					memset(s, 0, sizeof(*s));
					s->family = l->family;
					s->proto = l->proto ? l->proto
							    : r->proto;
					s->src_plen = sp->plen;
					s->dst_plen = dp->plen;
					memcpy(s->src, sp->addr, 16);
					memcpy(s->dst, dp->addr, 16);
					s->sport_lo = st->port_lo;
					s->sport_hi = st->port_hi;
					s->dport_lo = dt->port_lo;
					s->dport_hi = dt->port_hi;
				}
			}
		}
	}
	return (int)n;
}

/* ---------------------------------------------------------------------- */
/* Packet pool                                                            */
/* ---------------------------------------------------------------------- */

int ppvpn_pool_init(struct ppvpn_pool *p, uint32_t n, uint32_t buf_size,
		    uint32_t headroom)
{
	uint32_t i;

	memset(p, 0, sizeof(*p));
	if (n == 0 || buf_size <= headroom || buf_size > (1u << 20) ||
	    n > (1u << 16))
		return -EINVAL;
	buf_size = (buf_size + 63u) & ~63u;
	p->mem = aligned_alloc(64, (size_t)n * buf_size);
	p->pkts = calloc(n, sizeof(*p->pkts));
	p->free = calloc(n, sizeof(*p->free));
	if (!p->mem || !p->pkts || !p->free) {
		ppvpn_pool_fini(p);
		return -ENOMEM;
	}
	p->n = n;
	p->buf_size = buf_size;
	p->headroom = headroom;
	for (i = 0; i < n; i++) {
		pp_pkt_init(&p->pkts[i], p->mem + (size_t)i * buf_size,
			    buf_size, headroom);
		p->free[i] = &p->pkts[n - 1 - i];
	}
	p->n_free = n;
	return 0;
}

void ppvpn_pool_fini(struct ppvpn_pool *p)
{
	if (p->mem)
		memset(p->mem, 0, (size_t)p->n * p->buf_size);
	free(p->mem);
	free(p->pkts);
	free(p->free);
	memset(p, 0, sizeof(*p));
}

unsigned int ppvpn_pool_get(struct ppvpn_pool *p, struct pp_pkt **out,
			    unsigned int n)
{
	unsigned int i;

	if (n > p->n_free)
		n = p->n_free;
	for (i = 0; i < n; i++) {
		struct pp_pkt *k = p->free[--p->n_free];

		k->off = p->headroom;
		k->len = 0;
		k->status = 0;
		k->meta = 0;
		k->userdata = NULL;
		out[i] = k;
	}
	return n;
}

int ppvpn_pool_put(struct ppvpn_pool *p, struct pp_pkt **pkts, unsigned int n)
{
	unsigned int i;

	if (n > p->n - p->n_free)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		uintptr_t a = (uintptr_t)pkts[i], b = (uintptr_t)p->pkts;

		if (a < b || a >= b + (uintptr_t)p->n * sizeof(*p->pkts) ||
		    (a - b) % sizeof(*p->pkts))
			return -EINVAL;
	}
	for (i = 0; i < n; i++)
		p->free[p->n_free++] = pkts[i];
	return 0;
}
