// SPDX-License-Identifier: BSD-2-Clause
/*
 * The frame path: a fixed packet pool, and per direction a bounded queue
 * in front of the filter (in[]) and one in front of the backend (out[]).
 *
 *   pp_nic_from_guest -> in[G2W] -> filter -> out[G2W] -> ->wire_tx
 *   pp_nic_from_wire  -> in[W2G] -> filter -> out[W2G] -> ->guest_rx
 *
 * REFLECT moves a frame to the other direction's out[]; pp_dev_inject()
 * appends to out[dir]. Frames keep their order within each queue; a
 * backend that accepts only a prefix gets the rest again, first, after it
 * signals room with pp_nic_wire_tx_ready()/pp_nic_guest_rx_ready().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pp_internal.h"

#define G2W PP_DIR_GUEST_TO_WIRE
#define W2G PP_DIR_WIRE_TO_GUEST

/* ---------------------------------------------------------------------- */
/* Pool and queues                                                        */
/* ---------------------------------------------------------------------- */

static bool q_init(struct pp_queue *q, uint32_t cap)
{
	q->slot = malloc((size_t)cap * sizeof(*q->slot));
	q->cap = cap;
	q->head = q->count = 0;
	return q->slot != NULL;
}

static bool q_full(const struct pp_queue *q)
{
	return q->count == q->cap;
}

static void q_push(struct pp_queue *q, uint32_t idx)
{
	q->slot[(q->head + q->count) % q->cap] = idx;
	q->count++;
}

static uint32_t q_peek(const struct pp_queue *q, uint32_t i)
{
	return q->slot[(q->head + i) % q->cap];
}

static uint32_t q_pop(struct pp_queue *q)
{
	uint32_t idx = q->slot[q->head];

	q->head = (q->head + 1) % q->cap;
	q->count--;
	return idx;
}

int pp_frame_init(struct pp_dev *dev, uint32_t n_pkts, uint32_t queue_len)
{
	uint32_t i;
	int d;

	dev->n_pkts = n_pkts;
	dev->bufs = malloc((size_t)n_pkts * PP_PKT_BUF_SIZE);
	dev->pkts = calloc(n_pkts, sizeof(*dev->pkts));
	dev->free_stack = malloc((size_t)n_pkts * sizeof(*dev->free_stack));
	if (dev->bufs == NULL || dev->pkts == NULL || dev->free_stack == NULL)
		return -ENOMEM;
	for (d = 0; d < 2; d++)
		if (!q_init(&dev->in[d], queue_len) ||
		    !q_init(&dev->out[d], queue_len))
			return -ENOMEM;
	/* Lowest index on top: buffer 0 is handed out first. */
	for (i = 0; i < n_pkts; i++)
		dev->free_stack[i] = n_pkts - 1 - i;
	dev->n_free = n_pkts;
	return 0;
}

void pp_frame_fini(struct pp_dev *dev)
{
	int d;

	for (d = 0; d < 2; d++) {
		free(dev->in[d].slot);
		free(dev->out[d].slot);
		dev->in[d].slot = dev->out[d].slot = NULL;
	}
	free(dev->bufs);
	free(dev->pkts);
	free(dev->free_stack);
	dev->bufs = NULL;
	dev->pkts = NULL;
	dev->free_stack = NULL;
	dev->n_free = 0;
}

static uint8_t *pkt_buf(struct pp_dev *dev, uint32_t idx)
{
	return dev->bufs + (size_t)idx * PP_PKT_BUF_SIZE;
}

/* A fresh packet with @frame copied in, or UINT32_MAX if the pool is dry. */
static uint32_t pkt_get(struct pp_dev *dev, const uint8_t *frame, size_t len)
{
	struct pp_pkt *p;
	uint32_t idx;

	if (dev->n_free == 0)
		return UINT32_MAX;
	idx = dev->free_stack[--dev->n_free];
	p = &dev->pkts[idx];
	pp_pkt_init(p, pkt_buf(dev, idx), PP_PKT_BUF_SIZE, PP_PKT_HEADROOM);
	memcpy(pp_pkt_data(p), frame, len);
	p->len = (uint32_t)len;
	return idx;
}

static void pkt_put(struct pp_dev *dev, uint32_t idx)
{
	dev->free_stack[dev->n_free++] = idx;
}

static uint32_t pkt_idx(const struct pp_dev *dev, const struct pp_pkt *p)
{
	return (uint32_t)(p - dev->pkts);
}

void pp_trace_frame(struct pp_dev *dev, enum pp_fdir d, const uint8_t *data,
		    size_t len)
{
	struct pp_sbuf *e;

	if (dev->tr == NULL)
		return;
	e = pp_tr_begin(dev->tr, PP_TK_FRAME);
	pp_tev_word(e, "dir", pp_fdir_name(d));
	pp_tev_u(e, "len", len);
	pp_tev_hex(e, "data", data, len);
	pp_tr_end(dev->tr, PP_TK_FRAME);
}

/* ---------------------------------------------------------------------- */
/* Frames entering the core                                               */
/* ---------------------------------------------------------------------- */

static int frame_in(struct pp_dev *dev, enum pp_dir dir, const uint8_t *frame,
		    size_t len)
{
	struct pp_queue *q;
	uint32_t idx;

	if (dev == NULL)
		return -EINVAL;
	if (frame == NULL || len == 0 || len > PP_FRAME_MAX) {
		if (dir == G2W)
			dev->st.guest_errors++;
		else
			dev->st.dev_errors++;
		pp_log(dev, PP_LOG_DEBUG, "%s frame of bad length %zu",
		       dir == G2W ? "guest" : "wire", len);
		return -EINVAL;
	}
	q = &dev->in[dir];
	if (q_full(q) || dev->n_free == 0) {
		dev->st.queue_drops++;
		pp_log(dev, PP_LOG_DEBUG, "%s frame dropped: %s",
		       dir == G2W ? "guest" : "wire",
		       q_full(q) ? "queue full" : "no packet buffer");
		return -ENOBUFS;
	}
	idx = pkt_get(dev, frame, len);
	q_push(q, idx);
	if (dir == G2W) {
		dev->st.guest_tx_frames++;
		dev->st.guest_tx_bytes += len;
		pp_trace_frame(dev, PP_FDIR_GUEST_TX, frame, len);
	} else {
		dev->st.wire_rx_frames++;
		dev->st.wire_rx_bytes += len;
		pp_trace_frame(dev, PP_FDIR_WIRE_RX, frame, len);
	}
	return 0;
}

PP_EXPORT int pp_nic_from_guest(struct pp_dev *dev, const uint8_t *frame,
				size_t len)
{
	return frame_in(dev, G2W, frame, len);
}

PP_EXPORT int pp_nic_from_wire(struct pp_dev *dev, const uint8_t *frame,
			       size_t len)
{
	return frame_in(dev, W2G, frame, len);
}

PP_EXPORT int pp_dev_inject(struct pp_dev *dev, enum pp_dir dir,
			    const uint8_t *frame, size_t len)
{
	struct pp_queue *q;

	if (dev == NULL || (dir != G2W && dir != W2G) || frame == NULL ||
	    len == 0 || len > PP_FRAME_MAX)
		return -EINVAL;
	q = &dev->out[dir];
	if (q_full(q) || dev->n_free == 0) {
		dev->st.queue_drops++;
		pp_log(dev, PP_LOG_DEBUG, "injected frame dropped: %s",
		       q_full(q) ? "queue full" : "no packet buffer");
		return -ENOBUFS;
	}
	q_push(q, pkt_get(dev, frame, len));
	if (dev->inject_tap != NULL)
		dev->inject_tap(dev->inject_tap_arg, dir, frame, len);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Running the path                                                       */
/* ---------------------------------------------------------------------- */

static void to_out(struct pp_dev *dev, enum pp_dir d, uint32_t idx)
{
	struct pp_queue *q = &dev->out[d];

	if (q_full(q)) {
		dev->st.queue_drops++;
		pp_log(dev, PP_LOG_DEBUG,
		       "frame toward the %s dropped: "
		       "queue full",
		       d == G2W ? "wire" : "guest");
		pkt_put(dev, idx);
		return;
	}
	q_push(q, idx);
}

/* What a filter may not change: which buffer, and the buffer size. */
static bool pkt_sane(struct pp_dev *dev, const struct pp_pkt *p)
{
	uint32_t idx = pkt_idx(dev, p);

	return p->buf == pkt_buf(dev, idx) && p->cap == PP_PKT_BUF_SIZE &&
	       pp_pkt_valid(p) && p->len != 0 && p->len <= PP_FRAME_MAX;
}

static void filter_dir(struct pp_dev *dev, enum pp_dir d)
{
	struct pp_queue *q = &dev->in[d];

	while (q->count != 0) {
		struct pp_pkt *burst[PP_BURST_MAX], *mine[PP_BURST_MAX];
		unsigned int n =
			q->count < PP_BURST_MAX ? q->count : PP_BURST_MAX;
		unsigned int i;

		for (i = 0; i < n; i++) {
			struct pp_pkt *p = &dev->pkts[q_pop(q)];

			p->status = PP_VERDICT_PASS;
			burst[i] = mine[i] = p;
		}
		dev->filter->frames(dev->filter_state, d, burst, n);
		/* Our own copy of the array: order and ownership are ours. */
		for (i = 0; i < n; i++) {
			struct pp_pkt *p = mine[i];
			uint32_t idx = pkt_idx(dev, p);

			if (!pkt_sane(dev, p)) {
				dev->st.filter_drops++;
				pp_log(dev, PP_LOG_WARNING,
				       "filter %s left a bad packet: dropped",
				       dev->filter->name);
				pkt_put(dev, idx);
				continue;
			}
			switch (p->status) {
			case PP_VERDICT_PASS:
				to_out(dev, d, idx);
				break;
			case PP_VERDICT_REFLECT:
				to_out(dev, d == G2W ? W2G : G2W, idx);
				break;
			case PP_VERDICT_DROP:
				dev->st.filter_drops++;
				pkt_put(dev, idx);
				break;
			default:
				dev->st.filter_drops++;
				pp_log(dev, PP_LOG_WARNING,
				       "filter %s: unknown verdict %d",
				       dev->filter->name, (int)p->status);
				pkt_put(dev, idx);
				break;
			}
		}
	}
}

static void push_dir(struct pp_dev *dev, enum pp_dir d)
{
	struct pp_queue *q = &dev->out[d];

	while (q->count != 0 && !dev->blocked[d]) {
		struct pp_pkt *burst[PP_BURST_MAX];
		unsigned int n =
			q->count < PP_BURST_MAX ? q->count : PP_BURST_MAX;
		unsigned int i, k;

		for (i = 0; i < n; i++)
			burst[i] = &dev->pkts[q_peek(q, i)];
		dev->ready_sig[d] = false;
		if (d == G2W)
			k = dev->nic->wire_tx(dev, dev->priv, burst, n);
		else
			k = dev->nic->guest_rx(dev, dev->priv, burst, n);
		if (k > n) {
			pp_log(dev, PP_LOG_ERR,
			       "backend %s accepted %u of %u frames",
			       dev->nic->name, k, n);
			k = n;
		}
		for (i = 0; i < k; i++) {
			uint32_t idx = q_pop(q);
			const struct pp_pkt *p = &dev->pkts[idx];

			if (d == G2W) {
				dev->st.wire_tx_frames++;
				dev->st.wire_tx_bytes += p->len;
				pp_trace_frame(dev, PP_FDIR_WIRE_TX,
					       pp_pkt_data(p), p->len);
			} else {
				dev->st.guest_rx_frames++;
				dev->st.guest_rx_bytes += p->len;
				pp_trace_frame(dev, PP_FDIR_GUEST_RX,
					       pp_pkt_data(p), p->len);
			}
			pkt_put(dev, idx);
		}
		if (k < n) {
			/* Wait for *_ready(), unless it came during the call
			 * (then the next round tries again). */
			if (!dev->ready_sig[d])
				dev->blocked[d] = true;
			break;
		}
	}
}

void pp_frame_run(struct pp_dev *dev)
{
	int round;

	if (dev->in_flush) {
		dev->flush_again = true;
		return;
	}
	if (!dev->nic_attached)
		return;
	dev->in_flush = true;
	for (round = 0; round < PP_FLUSH_ROUNDS; round++) {
		dev->flush_again = false;
		/* Drain first: room in out[] before the filter fills it. */
		push_dir(dev, G2W);
		push_dir(dev, W2G);
		filter_dir(dev, G2W);
		filter_dir(dev, W2G);
		push_dir(dev, G2W);
		push_dir(dev, W2G);
		if (!dev->flush_again && dev->in[G2W].count == 0 &&
		    dev->in[W2G].count == 0)
			break;
	}
	dev->in_flush = false;
}

PP_EXPORT void pp_nic_flush(struct pp_dev *dev)
{
	if (dev != NULL)
		pp_frame_run(dev);
}

static void ready(struct pp_dev *dev, enum pp_dir d)
{
	dev->blocked[d] = false;
	dev->ready_sig[d] = true;
	if (dev->in_flush)
		dev->flush_again = true;
	else if (dev->depth == 0)
		pp_frame_run(dev);
	/* Inside an entry point the path runs on the way out. */
}

PP_EXPORT void pp_nic_wire_tx_ready(struct pp_dev *dev)
{
	if (dev != NULL)
		ready(dev, G2W);
}

PP_EXPORT void pp_nic_guest_rx_ready(struct pp_dev *dev)
{
	if (dev != NULL)
		ready(dev, W2G);
}
