// SPDX-License-Identifier: BSD-2-Clause
/*
 * The "capture" filter: pcap taps on both sides of an inner filter.
 *
 *   guest side file: what the guest sent (before the inner filter) and what
 *                    goes to the guest (after it: passed wire->guest
 *                    frames, reflected guest->wire frames, injected ones);
 *   wire side file:  what came from the wire (before the inner filter) and
 *                    what goes to the wire (after it).
 *
 * Timestamps are the platform clock (one pp_nic_now() per burst, taken
 * whether or not a file is open, so that replays see the same calls).
 */
#include <errno.h>
#include <stdlib.h>

#ifdef PP_HAVE_PCAP
#include <pcap/pcap.h>
#endif

#include "pp_internal.h"

enum { SIDE_GUEST = 0, SIDE_WIRE = 1 };

struct capture {
	struct pp_dev *dev;
#ifdef PP_HAVE_PCAP
	pcap_t *pd;
	pcap_dumper_t *dump[2];
#endif
	const struct pp_filter_ops *inner;
	void *inner_state;
};

const char *pp_capture_inner_name(const void *arg)
{
	const struct pp_capture_params *cp = arg;

	if (cp == NULL || cp->inner == NULL)
		return "pass";
	return cp->inner->name != NULL ? cp->inner->name : "?";
}

static void dump(struct capture *c, int side, uint64_t ts, const uint8_t *data,
		 size_t len)
{
#ifdef PP_HAVE_PCAP
	struct pcap_pkthdr h;

	if (c->dump[side] == NULL)
		return;
	h.ts.tv_sec = (time_t)(ts / 1000000000u);
	h.ts.tv_usec = (suseconds_t)(ts % 1000000000u / 1000u);
	h.caplen = (bpf_u_int32)len;
	h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)c->dump[side], &h, data);
#else
	(void)c;
	(void)side;
	(void)ts;
	(void)data;
	(void)len;
#endif
}

static void dump_flush(struct capture *c)
{
#ifdef PP_HAVE_PCAP
	int s;

	for (s = 0; s < 2; s++)
		if (c->dump[s] != NULL)
			pcap_dump_flush(c->dump[s]);
#else
	(void)c;
#endif
}

static void close_files(struct capture *c)
{
#ifdef PP_HAVE_PCAP
	int s;

	for (s = 0; s < 2; s++)
		if (c->dump[s] != NULL)
			pcap_dump_close(c->dump[s]);
	if (c->pd != NULL)
		pcap_close(c->pd);
	c->pd = NULL;
	c->dump[0] = c->dump[1] = NULL;
#else
	(void)c;
#endif
}

static int open_files(struct capture *c, const struct pp_capture_params *cp)
{
	const char *path[2];
	int s;

	path[SIDE_GUEST] = cp != NULL ? cp->guest_pcap : NULL;
	path[SIDE_WIRE] = cp != NULL ? cp->wire_pcap : NULL;
	if (path[0] == NULL && path[1] == NULL)
		return 0;
#ifdef PP_HAVE_PCAP
	c->pd = pcap_open_dead(DLT_EN10MB, 65535);
	if (c->pd == NULL)
		return -ENOMEM;
	for (s = 0; s < 2; s++) {
		if (path[s] == NULL)
			continue;
		c->dump[s] = pcap_dump_open(c->pd, path[s]);
		if (c->dump[s] == NULL) {
			pp_nic_log(c->dev, PP_LOG_ERR, "capture: %s: %s",
				   path[s], pcap_geterr(c->pd));
			close_files(c);
			return -EIO;
		}
	}
	return 0;
#else
	(void)s;
	pp_nic_log(c->dev, PP_LOG_ERR, "capture: built without libpcap");
	return -ENOTSUP;
#endif
}

/* Frames a filter originates: shown on the side they travel toward. */
static void inject_tap(void *arg, enum pp_dir dir, const uint8_t *frame,
		       size_t len)
{
	struct capture *c = arg;
	int side = dir == PP_DIR_GUEST_TO_WIRE ? SIDE_WIRE : SIDE_GUEST;

#ifdef PP_HAVE_PCAP
	if (c->dump[side] == NULL)
		return;
#endif
	dump(c, side, pp_nic_now(c->dev), frame, len);
	dump_flush(c);
}

static int capture_attach(struct pp_dev *dev, void *arg, void **state)
{
	const struct pp_capture_params *cp = arg;
	struct capture *c;
	int ret;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->dev = dev;
	c->inner =
		cp != NULL && cp->inner != NULL ? cp->inner : &pp_filter_pass;
	if (c->inner == &pp_filter_capture || c->inner->frames == NULL) {
		free(c);
		return -EINVAL;
	}
	ret = open_files(c, cp);
	if (ret != 0) {
		free(c);
		return ret;
	}
	if (c->inner->attach != NULL) {
		ret = c->inner->attach(dev, cp != NULL ? cp->inner_arg : NULL,
				       &c->inner_state);
		if (ret != 0) {
			close_files(c);
			free(c);
			return ret;
		}
	}
	dev->inject_tap = inject_tap;
	dev->inject_tap_arg = c;
	*state = c;
	return 0;
}

static void capture_detach(void *state)
{
	struct capture *c = state;

	if (c == NULL)
		return;
	if (c->inner->detach != NULL)
		c->inner->detach(c->inner_state);
	c->dev->inject_tap = NULL;
	c->dev->inject_tap_arg = NULL;
	close_files(c);
	free(c);
}

static void capture_frames(void *state, enum pp_dir dir, struct pp_pkt *pkts[],
			   unsigned int n)
{
	struct capture *c = state;
	int src = dir == PP_DIR_GUEST_TO_WIRE ? SIDE_GUEST : SIDE_WIRE;
	int dst = src == SIDE_GUEST ? SIDE_WIRE : SIDE_GUEST;
	unsigned int i;
	uint64_t ts;

	if (n == 0)
		return;
	ts = pp_nic_now(c->dev);
	for (i = 0; i < n; i++)
		dump(c, src, ts, pp_pkt_data(pkts[i]), pkts[i]->len);
	c->inner->frames(c->inner_state, dir, pkts, n);
	for (i = 0; i < n; i++) {
		const struct pp_pkt *p = pkts[i];

		if (!pp_pkt_valid(p) || p->len == 0 || p->len > PP_FRAME_MAX)
			continue; /* the core drops it */
		if (p->status == PP_VERDICT_PASS)
			dump(c, dst, ts, pp_pkt_data(p), p->len);
		else if (p->status == PP_VERDICT_REFLECT)
			dump(c, src, ts, pp_pkt_data(p), p->len);
	}
	dump_flush(c);
}

static uint64_t capture_timer(void *state, uint64_t now_ns)
{
	struct capture *c = state;

	if (c->inner->timer == NULL)
		return 0;
	return c->inner->timer(c->inner_state, now_ns);
}

PP_EXPORT const struct pp_filter_ops pp_filter_capture = {
	.name = "capture",
	.attach = capture_attach,
	.detach = capture_detach,
	.frames = capture_frames,
	.timer = capture_timer,
};
