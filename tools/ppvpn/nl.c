// SPDX-License-Identifier: BSD-2-Clause
/*
 * A minimal rtnetlink client: link up + MTU, interface addresses and
 * device routes. One request at a time, acknowledged (NLM_F_ACK) and
 * checked; every failure is one log line naming the object.
 */
#include <errno.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ppvpn.h"

#define NL_BUF 1024

struct nl_req {
	struct nlmsghdr h;
	union {
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
		struct rtmsg rt;
	} u;
	uint8_t attrs[256];
};

int ppvpn_nl_open(struct ppvpn_nl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	nl->seq = 1;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return -errno;
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;

		close(nl->fd);
		nl->fd = -1;
		return e;
	}
	return 0;
}

void ppvpn_nl_close(struct ppvpn_nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

static int put_attr(struct nl_req *r, uint16_t type, const void *data,
		    size_t len)
{
	size_t off = NLMSG_ALIGN(r->h.nlmsg_len);
	struct rtattr *rta;

	if (off + RTA_SPACE(len) > sizeof(*r))
		return -ENOSPC;
	rta = (struct rtattr *)((uint8_t *)r + off);
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	r->h.nlmsg_len = (uint32_t)(off + RTA_SPACE(len));
	return 0;
}

/* Send @r and wait for its ACK; returns 0 or the kernel's -errno. */
static int transact(struct ppvpn_nl *nl, struct nl_req *r)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	uint8_t buf[NL_BUF] __attribute__((aligned(4)));
	uint32_t seq = nl->seq++;

	r->h.nlmsg_seq = seq;
	r->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (sendto(nl->fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(nl->fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;
		size_t left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		left = (size_t)n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			const struct nlmsgerr *e;

			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EBADMSG;
			e = NLMSG_DATA(h);
			return e->error; /* 0 = ACK */
		}
	}
}

int ppvpn_nl_link_up(struct ppvpn_nl *nl, int ifindex, uint32_t mtu)
{
	struct nl_req r;

	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(r.u.ifi));
	r.h.nlmsg_type = RTM_NEWLINK;
	r.u.ifi.ifi_family = AF_UNSPEC;
	r.u.ifi.ifi_index = ifindex;
	r.u.ifi.ifi_flags = IFF_UP;
	r.u.ifi.ifi_change = IFF_UP;
	if (mtu && put_attr(&r, IFLA_MTU, &mtu, sizeof(mtu)))
		return -ENOSPC;
	return transact(nl, &r);
}

int ppvpn_nl_addr(struct ppvpn_nl *nl, bool add, int ifindex, uint8_t family,
		  const uint8_t *addr, uint8_t plen)
{
	struct nl_req r;
	size_t alen = family == 6 ? 16 : 4;
	uint32_t flags = IFA_F_NODAD;
	int rc;

	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(r.u.ifa));
	r.h.nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	if (add)
		r.h.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	r.u.ifa.ifa_family = family == 6 ? AF_INET6 : AF_INET;
	r.u.ifa.ifa_prefixlen = plen;
	r.u.ifa.ifa_index = (uint32_t)ifindex;
	r.u.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	r.u.ifa.ifa_flags = IFA_F_NODAD;
	rc = put_attr(&r, IFA_LOCAL, addr, alen);
	if (!rc)
		rc = put_attr(&r, IFA_ADDRESS, addr, alen);
	if (!rc && add)
		rc = put_attr(&r, IFA_FLAGS, &flags, sizeof(flags));
	if (rc)
		return rc;
	return transact(nl, &r);
}

int ppvpn_nl_route(struct ppvpn_nl *nl, bool add, int ifindex,
		   const struct ppvpn_prefix *dst)
{
	struct nl_req r;
	uint32_t oif = (uint32_t)ifindex;
	int rc;

	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(r.u.rt));
	r.h.nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	if (add)
		r.h.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	r.u.rt.rtm_family = dst->family == 6 ? AF_INET6 : AF_INET;
	r.u.rt.rtm_dst_len = dst->plen;
	r.u.rt.rtm_table = RT_TABLE_MAIN;
	r.u.rt.rtm_protocol = RTPROT_STATIC;
	r.u.rt.rtm_scope = RT_SCOPE_LINK;
	r.u.rt.rtm_type = RTN_UNICAST;
	rc = put_attr(&r, RTA_DST, dst->addr, dst->family == 6 ? 16 : 4);
	if (!rc)
		rc = put_attr(&r, RTA_OIF, &oif, sizeof(oif));
	if (rc)
		return rc;
	return transact(nl, &r);
}
