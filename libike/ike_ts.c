/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Traffic selectors (RFC 7296 §2.9, §3.13): conversions, narrowing,
 * subset check, formatting, and the public range -> CIDR prefix split.
 *
 * Addresses are big-endian byte strings of 4 or 16 bytes, so memcmp()
 * orders them; the few arithmetic steps (+1, masks) work on those bytes.
 * Pure functions: no I/O, no allocation.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ike_ts.h"

static size_t alen(uint8_t family)
{
	return family == 6 ? 16 : 4;
}

static bool family_ok(uint8_t family)
{
	return family == 4 || family == 6;
}

/* ---------------------------------------------------------------------- */
/* Conversions                                                            */
/* ---------------------------------------------------------------------- */

void ike_ts_from_wire(const struct ike_ts_sel *w, struct pp_ike_ts *out)
{
	size_t n;

	memset(out, 0, sizeof(*out));
	out->family = w->type == PP_IKE_TS_IPV6_ADDR_RANGE ? 6 : 4;
	n = alen(out->family);
	out->proto = w->ip_proto;
	out->port_lo = w->start_port;
	out->port_hi = w->end_port;
	memcpy(out->start, w->start, n);
	memcpy(out->end, w->end, n);
}

void ike_ts_to_wire(const struct pp_ike_ts *ts, struct ike_ts_sel *out)
{
	size_t n = alen(ts->family);

	memset(out, 0, sizeof(*out));
	out->type = ts->family == 6 ? PP_IKE_TS_IPV6_ADDR_RANGE
				    : PP_IKE_TS_IPV4_ADDR_RANGE;
	out->ip_proto = ts->proto;
	out->start_port = ts->port_lo;
	out->end_port = ts->port_hi;
	memcpy(out->start, ts->start, n);
	memcpy(out->end, ts->end, n);
}

void ike_ts_any(uint8_t family, struct pp_ike_ts *out)
{
	memset(out, 0, sizeof(*out));
	out->family = family == 6 ? 6 : 4;
	out->port_lo = PP_IKE_TS_PORT_ANY_START;
	out->port_hi = PP_IKE_TS_PORT_ANY_END;
	memset(out->end, 0xff, alen(out->family));
}

void ike_ts_host(uint8_t family, const uint8_t *addr, struct pp_ike_ts *out)
{
	ike_ts_any(family, out);
	memcpy(out->start, addr, alen(out->family));
	memcpy(out->end, addr, alen(out->family));
}

/* ---------------------------------------------------------------------- */
/* Set operations                                                         */
/* ---------------------------------------------------------------------- */

static bool ports_opaque(const struct pp_ike_ts *t)
{
	return t->port_lo == PP_IKE_TS_PORT_OPAQUE_START &&
	       t->port_hi == PP_IKE_TS_PORT_OPAQUE_END;
}

static bool ports_any(const struct pp_ike_ts *t)
{
	return t->port_lo == PP_IKE_TS_PORT_ANY_START &&
	       t->port_hi == PP_IKE_TS_PORT_ANY_END;
}

static int acmp(const struct pp_ike_ts *t, const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, alen(t->family));
}

/* A well-formed selector: known family, start <= end. */
static bool ts_valid(const struct pp_ike_ts *t)
{
	return family_ok(t->family) && acmp(t, t->start, t->end) <= 0 &&
	       (t->port_lo <= t->port_hi || ports_opaque(t));
}

/*
 * @a ∩ @b into @r; false when empty. OPAQUE ports (§3.13.1) intersect
 * "any port" and OPAQUE, nothing else.
 */
static bool ts_intersect(const struct pp_ike_ts *a, const struct pp_ike_ts *b,
			 struct pp_ike_ts *r)
{
	size_t n = alen(a->family);

	if (a->family != b->family || !ts_valid(a) || !ts_valid(b))
		return false;
	memset(r, 0, sizeof(*r));
	r->family = a->family;
	if (a->proto == 0)
		r->proto = b->proto;
	else if (b->proto == 0 || b->proto == a->proto)
		r->proto = a->proto;
	else
		return false;
	if (ports_opaque(a) || ports_opaque(b)) {
		if (!(ports_opaque(a) || ports_any(a)) ||
		    !(ports_opaque(b) || ports_any(b)))
			return false;
		r->port_lo = PP_IKE_TS_PORT_OPAQUE_START;
		r->port_hi = PP_IKE_TS_PORT_OPAQUE_END;
	} else {
		r->port_lo = a->port_lo > b->port_lo ? a->port_lo : b->port_lo;
		r->port_hi = a->port_hi < b->port_hi ? a->port_hi : b->port_hi;
		if (r->port_lo > r->port_hi)
			return false;
	}
	memcpy(r->start, memcmp(a->start, b->start, n) > 0 ? a->start
							   : b->start, n);
	memcpy(r->end, memcmp(a->end, b->end, n) < 0 ? a->end : b->end, n);
	return memcmp(r->start, r->end, n) <= 0;
}

static bool ts_equal(const struct pp_ike_ts *a, const struct pp_ike_ts *b)
{
	size_t n = alen(a->family);

	return a->family == b->family && a->proto == b->proto &&
	       a->port_lo == b->port_lo && a->port_hi == b->port_hi &&
	       memcmp(a->start, b->start, n) == 0 &&
	       memcmp(a->end, b->end, n) == 0;
}

/* Do protocol and ports of @sup cover those of @sub? */
static bool ts_covers_pp(const struct pp_ike_ts *sup,
			 const struct pp_ike_ts *sub)
{
	if (sup->proto != 0 && sup->proto != sub->proto)
		return false;
	if (ports_any(sup))
		return true;
	if (ports_opaque(sup) || ports_opaque(sub))
		return ports_opaque(sup) && ports_opaque(sub);
	return sup->port_lo <= sub->port_lo && sub->port_hi <= sup->port_hi;
}

/* Big-endian +1; false on wrap-around. */
static bool addr_inc(uint8_t *a, size_t n)
{
	for (size_t i = n; i-- > 0;)
		if (++a[i] != 0)
			return true;
	return false;
}

/*
 * Is @sub inside the union of @sup? Protocol and ports must be covered by
 * a single element; the address range may be covered by several (sweep).
 * Conservative: a selector covered only by splitting its ports between
 * elements is reported as not covered.
 */
static bool ts_in_union(const struct pp_ike_ts *sub,
			const struct pp_ike_ts *sup, unsigned int n_sup)
{
	uint8_t cur[16];
	size_t n = alen(sub->family);

	if (!ts_valid(sub))
		return false;
	memcpy(cur, sub->start, n);
	for (;;) {
		const uint8_t *best = NULL;

		for (unsigned int i = 0; i < n_sup; i++) {
			const struct pp_ike_ts *s = &sup[i];

			if (s->family != sub->family || !ts_valid(s) ||
			    !ts_covers_pp(s, sub))
				continue;
			if (memcmp(s->start, cur, n) > 0 ||
			    memcmp(s->end, cur, n) < 0)
				continue;
			if (!best || memcmp(s->end, best, n) > 0)
				best = s->end;
		}
		if (!best)
			return false;
		if (memcmp(best, sub->end, n) >= 0)
			return true;
		memcpy(cur, best, n);
		if (!addr_inc(cur, n))
			return true; /* best was the last address */
	}
}

bool ike_ts_subset(const struct pp_ike_ts *sub, unsigned int n_sub,
		   const struct pp_ike_ts *sup, unsigned int n_sup)
{
	if ((n_sub && sub == NULL) || (n_sup && sup == NULL))
		return false;
	for (unsigned int i = 0; i < n_sub; i++)
		if (!ts_in_union(&sub[i], sup, n_sup))
			return false;
	return true;
}

static int out_add(const struct pp_ike_ts *t, struct pp_ike_ts *out,
		   unsigned int *n, unsigned int cap)
{
	for (unsigned int i = 0; i < *n; i++)
		if (ts_equal(&out[i], t))
			return 0;
	if (*n >= cap)
		return -ENOSPC;
	out[(*n)++] = *t;
	return 0;
}

int ike_ts_narrow(const struct pp_ike_ts *ours, unsigned int n_ours,
		  const struct pp_ike_ts *theirs, unsigned int n_theirs,
		  struct pp_ike_ts *out, unsigned int cap)
{
	unsigned int n = 0, first = 0;
	bool packet = false;
	int rc;

	if ((n_ours && !ours) || (n_theirs && !theirs) || (cap && !out))
		return -EINVAL;
	/*
	 * §2.9: the first selector may describe the packet that triggered
	 * the request. We take it as such when there are others and it
	 * lies inside their union (a host inside the requested ranges);
	 * it is then not intersected but kept, in first place, only if it
	 * lies wholly inside what we accept.
	 */
	if (n_theirs > 1 && ts_in_union(&theirs[0], theirs + 1, n_theirs - 1)) {
		packet = true;
		first = 1;
	}
	if (packet && ts_in_union(&theirs[0], ours, n_ours)) {
		rc = out_add(&theirs[0], out, &n, cap);
		if (rc)
			return rc;
	}
	for (unsigned int t = first; t < n_theirs; t++) {
		for (unsigned int o = 0; o < n_ours; o++) {
			struct pp_ike_ts r;

			if (!ts_intersect(&theirs[t], &ours[o], &r))
				continue;
			rc = out_add(&r, out, &n, cap);
			if (rc)
				return rc;
		}
	}
	return (int)n;
}

/* ---------------------------------------------------------------------- */
/* Formatting                                                             */
/* ---------------------------------------------------------------------- */

size_t ike_ts_format(const struct pp_ike_ts *ts, unsigned int n, char *buf,
		     size_t len)
{
	size_t used = 0;

	if (buf == NULL || len == 0)
		return 0;
	buf[0] = '\0';
	if (ts == NULL)
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
		int af = ts[i].family == 6 ? AF_INET6 : AF_INET;
		int w;

		if (!inet_ntop(af, ts[i].start, a, sizeof(a)) ||
		    !inet_ntop(af, ts[i].end, b, sizeof(b))) {
			snprintf(a, sizeof(a), "?");
			snprintf(b, sizeof(b), "?");
		}
		w = snprintf(buf + used, len - used, "%s%s..%s proto %u ports "
			     "%u-%u", i ? ", " : "", a, b, ts[i].proto,
			     ts[i].port_lo, ts[i].port_hi);
		if (w < 0)
			break;
		if ((size_t)w >= len - used) {
			used = len - 1; /* truncated */
			break;
		}
		used += (size_t)w;
	}
	return used;
}

/* ---------------------------------------------------------------------- */
/* Range -> CIDR prefixes (public)                                        */
/* ---------------------------------------------------------------------- */

/* Number of trailing zero bits of the @n-byte big-endian @a. */
static unsigned int addr_tz(const uint8_t *a, size_t n)
{
	unsigned int tz = 0;

	for (size_t i = n; i-- > 0;) {
		if (a[i] == 0) {
			tz += 8;
			continue;
		}
		for (uint8_t v = a[i]; !(v & 1); v >>= 1)
			tz++;
		break;
	}
	return tz;
}

/* @out = @a with its low @k bits set. */
static void addr_fill_low(const uint8_t *a, size_t n, unsigned int k,
			  uint8_t *out)
{
	memcpy(out, a, n);
	for (size_t i = n; i-- > 0 && k;) {
		if (k >= 8) {
			out[i] = 0xff;
			k -= 8;
		} else {
			out[i] |= (uint8_t)((1u << k) - 1);
			k = 0;
		}
	}
}

/*
 * The minimal list of CIDR prefixes covering [start, end] (largest aligned
 * block first, in address order). A pp_ike_ts is ONE side's selector, so
 * each result is a one-sided libesp selector: @local_is_src true puts the
 * prefix (and the port range) on the source side (src/src_plen,
 * sport_lo/hi) and leaves the destination "any" (plen 0, ports 0-65535);
 * false puts it on the destination side. The protocol is copied. OPAQUE
 * ports become 0-65535 (libesp cannot express "no ports").
 * Returns the count, -ENOSPC beyond @cap, -EINVAL for a bad selector.
 */
PP_EXPORT int pp_ike_ts_to_prefixes(const struct pp_ike_ts *ts,
				    bool local_is_src,
				    struct pp_esp_selector *out,
				    unsigned int cap)
{
	uint8_t cur[16], last[16];
	size_t n;
	unsigned int bits, count = 0;
	bool ports;

	if (ts == NULL || !family_ok(ts->family) || (cap && out == NULL))
		return -EINVAL;
	n = alen(ts->family);
	bits = (unsigned int)n * 8;
	if (memcmp(ts->start, ts->end, n) > 0)
		return -EINVAL;
	/* libesp only looks at ports for TCP, UDP and SCTP; OPAQUE cannot
	 * be expressed and becomes "any port". */
	ports = !ports_opaque(ts) && ts->port_lo <= ts->port_hi;
	memcpy(cur, ts->start, n);
	for (;;) {
		unsigned int k = addr_tz(cur, n);
		struct pp_esp_selector *s;

		if (k > bits)
			k = bits;
		/* largest aligned block starting at cur that ends <= end */
		for (;; k--) {
			addr_fill_low(cur, n, k, last);
			if (memcmp(last, ts->end, n) <= 0)
				break;
		}
		if (count >= cap)
			return -ENOSPC;
		s = &out[count++];
		memset(s, 0, sizeof(*s));
		s->family = ts->family;
		s->proto = ts->proto;
		s->sport_lo = s->dport_lo = 0;
		s->sport_hi = s->dport_hi = 65535;
		if (local_is_src) {
			memcpy(s->src, cur, n);
			s->src_plen = (uint8_t)(bits - k);
			if (ports) {
				s->sport_lo = ts->port_lo;
				s->sport_hi = ts->port_hi;
			}
		} else {
			memcpy(s->dst, cur, n);
			s->dst_plen = (uint8_t)(bits - k);
			if (ports) {
				s->dport_lo = ts->port_lo;
				s->dport_hi = ts->port_hi;
			}
		}
		if (memcmp(last, ts->end, n) == 0)
			break;
		memcpy(cur, last, n);
		if (!addr_inc(cur, n))
			break;
	}
	return (int)count;
}
