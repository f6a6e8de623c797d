/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Traffic selectors and the SPD (RFC 4301 §4.4.1).
 *
 * Packet parsing (esp_flow_parse): IPv4 (IHL, total length <= len) or IPv6
 * (payload length <= len; hop-by-hop, routing, destination options and
 * fragment headers walked, at most 8 headers). Ports are read for TCP, UDP
 * and SCTP from first fragments and unfragmented packets; a first fragment
 * or packet too short to hold the ports does not parse. Non-first
 * fragments carry no ports: they match rules whose protocol is any, or
 * whose protocol matches and whose port ranges are both 0..65535.
 *
 * Selector rules: family must equal the packet's; addresses are prefixes
 * (src against the packet's source, dst against its destination); proto 0
 * is any; port ranges are inclusive and compared only for TCP/UDP/SCTP.
 *
 * SPD: rules are kept sorted by priority, then insertion order, and
 * scanned linearly; the rule id is the rule's slot, reused after deletion.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "esp_int.h"

#define EXT_MAX 8
#define SPD_CAPACITY_MAX (1u << 20)

static bool has_ports(uint8_t proto)
{
	return proto == PP_IPPROTO_TCP || proto == PP_IPPROTO_UDP ||
	       proto == PP_IPPROTO_SCTP;
}

bool esp_flow_parse(const uint8_t *ip, size_t len, struct esp_flow *f)
{
	uint32_t tot, l4;

	memset(f, 0, sizeof(*f));
	if (ip == NULL || len < 1)
		return false;
	switch (ip[0] >> 4) {
	case 4: {
		uint32_t ihl;

		if (len < PP_IPV4_HDR_LEN)
			return false;
		ihl = (uint32_t)(ip[0] & 0x0f) * 4u;
		tot = ld16(ip + PP_IPV4_OFF_TOT_LEN);
		if (ihl < PP_IPV4_HDR_LEN || tot < ihl || tot > len)
			return false;
		f->family = 4;
		f->proto = ip[PP_IPV4_OFF_PROTO];
		f->src = ip + PP_IPV4_OFF_SRC;
		f->dst = ip + PP_IPV4_OFF_DST;
		f->nonfirst = (ld16(ip + PP_IPV4_OFF_FRAG) &
			       PP_IPV4_FRAG_MASK) != 0;
		l4 = ihl;
		break;
	}
	case 6: {
		uint32_t nh, off;

		if (len < PP_IPV6_HDR_LEN)
			return false;
		tot = PP_IPV6_HDR_LEN +
		      (uint32_t)ld16(ip + PP_IPV6_OFF_PAYLOAD_LEN);
		if (tot > len)
			return false;
		f->family = 6;
		f->src = ip + PP_IPV6_OFF_SRC;
		f->dst = ip + PP_IPV6_OFF_DST;
		nh = ip[PP_IPV6_OFF_NEXT_HDR];
		off = PP_IPV6_HDR_LEN;
		for (int i = 0; i < EXT_MAX; i++) {
			if (nh == PP_IPPROTO_FRAGMENT) {
				if (off + PP_IPV6_FRAG_HDR_LEN > tot)
					return false;
				if (ld16(ip + off + 2) & PP_IPV6_FRAG_OFF_MASK)
					f->nonfirst = true;
				nh = ip[off];
				off += PP_IPV6_FRAG_HDR_LEN;
				if (f->nonfirst)
					break; /* the rest is not here */
			} else if (nh == PP_IPPROTO_HOPOPTS ||
				   nh == PP_IPPROTO_ROUTING ||
				   nh == PP_IPPROTO_DSTOPTS) {
				uint32_t hl;

				if (off + 2 > tot)
					return false;
				hl = ((uint32_t)ip[off + 1] + 1u) * 8u;
				if (off + hl > tot)
					return false;
				nh = ip[off];
				off += hl;
			} else {
				break;
			}
		}
		if (!f->nonfirst &&
		    (nh == PP_IPPROTO_FRAGMENT || nh == PP_IPPROTO_HOPOPTS ||
		     nh == PP_IPPROTO_ROUTING || nh == PP_IPPROTO_DSTOPTS))
			return false; /* too many extension headers */
		f->proto = (uint8_t)nh;
		l4 = off;
		break;
	}
	default:
		return false;
	}
	if (!f->nonfirst && has_ports(f->proto)) {
		if (l4 + 4 > tot)
			return false;
		f->sport = ld16(ip + l4);
		f->dport = ld16(ip + l4 + 2);
		f->ports = true;
	}
	return true;
}

static bool prefix_eq(const uint8_t *a, const uint8_t *b, unsigned int plen)
{
	unsigned int full = plen / 8, rem = plen % 8;

	if (full && memcmp(a, b, full) != 0)
		return false;
	if (rem) {
		uint8_t mask = (uint8_t)(0xffu << (8 - rem));

		if ((a[full] ^ b[full]) & mask)
			return false;
	}
	return true;
}

bool esp_flow_match(const struct pp_esp_selector *sel,
		    const struct esp_flow *f)
{
	bool port_any;

	if (sel->family != f->family)
		return false;
	if (!prefix_eq(sel->src, f->src, sel->src_plen) ||
	    !prefix_eq(sel->dst, f->dst, sel->dst_plen))
		return false;
	if (sel->proto == 0)
		return true;
	if (sel->proto != f->proto)
		return false;
	if (!has_ports(sel->proto))
		return true;
	port_any = sel->sport_lo == 0 && sel->sport_hi == 0xffff &&
		   sel->dport_lo == 0 && sel->dport_hi == 0xffff;
	if (!f->ports)
		return port_any; /* non-first fragment */
	return f->sport >= sel->sport_lo && f->sport <= sel->sport_hi &&
	       f->dport >= sel->dport_lo && f->dport <= sel->dport_hi;
}

bool esp_selector_valid(const struct pp_esp_selector *sel)
{
	unsigned int max;

	if (sel->family == 4)
		max = 32;
	else if (sel->family == 6)
		max = 128;
	else
		return false;
	return sel->src_plen <= max && sel->dst_plen <= max &&
	       sel->sport_lo <= sel->sport_hi &&
	       sel->dport_lo <= sel->dport_hi;
}

bool pp_esp_selector_match(const struct pp_esp_selector *sel,
			   const uint8_t *ip, size_t len)
{
	struct esp_flow f;

	if (sel == NULL || !esp_flow_parse(ip, len, &f))
		return false;
	return esp_flow_match(sel, &f);
}

/* ---------------------------------------------------------------------- */
/* SPD                                                                    */
/* ---------------------------------------------------------------------- */

struct spd_slot {
	struct pp_esp_spd_rule rule;
	bool used;
};

struct pp_esp_spd {
	uint32_t cap;
	uint32_t n;
	struct spd_slot *slots; /* indexed by rule id */
	uint32_t *order;	/* n slot indices, sorted */
};

int pp_esp_spd_create(uint32_t capacity, struct pp_esp_spd **out)
{
	struct pp_esp_spd *spd;

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (capacity == 0 || capacity > SPD_CAPACITY_MAX)
		return -EINVAL;
	spd = calloc(1, sizeof(*spd));
	if (spd == NULL)
		return -ENOMEM;
	spd->slots = calloc(capacity, sizeof(*spd->slots));
	spd->order = calloc(capacity, sizeof(*spd->order));
	if (spd->slots == NULL || spd->order == NULL) {
		pp_esp_spd_destroy(spd);
		return -ENOMEM;
	}
	spd->cap = capacity;
	*out = spd;
	return 0;
}

void pp_esp_spd_destroy(struct pp_esp_spd *spd)
{
	if (spd == NULL)
		return;
	free(spd->slots);
	free(spd->order);
	free(spd);
}

static bool sa_ok_for_rule(const struct pp_esp_sa *sa)
{
	return sa == NULL ||
	       (sa->magic == ESP_SA_MAGIC && sa->dir == PP_ESP_DIR_OUTBOUND);
}

int pp_esp_spd_add(struct pp_esp_spd *spd, const struct pp_esp_spd_rule *rule)
{
	uint32_t slot, pos;

	if (spd == NULL || rule == NULL || !esp_selector_valid(&rule->sel))
		return -EINVAL;
	switch (rule->action) {
	case PP_ESP_ACTION_DISCARD:
	case PP_ESP_ACTION_BYPASS:
		if (rule->sa != NULL)
			return -EINVAL;
		break;
	case PP_ESP_ACTION_PROTECT:
		if (!sa_ok_for_rule(rule->sa))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (spd->n == spd->cap)
		return -ENOSPC;
	for (slot = 0; slot < spd->cap; slot++)
		if (!spd->slots[slot].used)
			break;
	/* After every rule of the same or a lower priority (stable). */
	for (pos = spd->n; pos > 0; pos--)
		if (spd->slots[spd->order[pos - 1]].rule.priority <=
		    rule->priority)
			break;
	memmove(&spd->order[pos + 1], &spd->order[pos],
		(spd->n - pos) * sizeof(spd->order[0]));
	spd->order[pos] = slot;
	spd->slots[slot].rule = *rule;
	spd->slots[slot].used = true;
	spd->n++;
	return (int)slot;
}

static struct spd_slot *get_slot(struct pp_esp_spd *spd, int id)
{
	if (id < 0 || (uint32_t)id >= spd->cap || !spd->slots[id].used)
		return NULL;
	return &spd->slots[id];
}

int pp_esp_spd_del(struct pp_esp_spd *spd, int rule_id)
{
	struct spd_slot *s;

	if (spd == NULL)
		return -EINVAL;
	s = get_slot(spd, rule_id);
	if (s == NULL)
		return -ENOENT;
	for (uint32_t i = 0; i < spd->n; i++) {
		if (spd->order[i] == (uint32_t)rule_id) {
			memmove(&spd->order[i], &spd->order[i + 1],
				(spd->n - i - 1) * sizeof(spd->order[0]));
			break;
		}
	}
	spd->n--;
	memset(s, 0, sizeof(*s));
	return 0;
}

int pp_esp_spd_set_sa(struct pp_esp_spd *spd, int rule_id,
		      struct pp_esp_sa *sa)
{
	struct spd_slot *s;

	if (spd == NULL)
		return -EINVAL;
	s = get_slot(spd, rule_id);
	if (s == NULL)
		return -ENOENT;
	if (s->rule.action != PP_ESP_ACTION_PROTECT || !sa_ok_for_rule(sa))
		return -EINVAL;
	s->rule.sa = sa;
	return 0;
}

enum pp_esp_action pp_esp_spd_lookup(const struct pp_esp_spd *spd,
				     const uint8_t *ip, size_t len,
				     struct pp_esp_sa **sa, int *rule_id)
{
	struct esp_flow f;

	if (sa != NULL)
		*sa = NULL;
	if (rule_id != NULL)
		*rule_id = -1;
	if (spd == NULL || !esp_flow_parse(ip, len, &f))
		return PP_ESP_ACTION_DISCARD;
	for (uint32_t i = 0; i < spd->n; i++) {
		const struct spd_slot *s = &spd->slots[spd->order[i]];

		if (!esp_flow_match(&s->rule.sel, &f))
			continue;
		if (rule_id != NULL)
			*rule_id = (int)spd->order[i];
		if (s->rule.action == PP_ESP_ACTION_PROTECT && sa != NULL)
			*sa = s->rule.sa;
		return s->rule.action;
	}
	return PP_ESP_ACTION_DISCARD;
}
