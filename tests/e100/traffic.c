/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Sequenced, byte-exact traffic between a test guest and the wire.
 */
#include "traffic.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "guest.h"

const uint8_t traffic_peer[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};

void traffic_rx_cb(void *arg, const uint8_t *frame, size_t len, uint16_t status)
{
	struct traffic_rx *rx = arg;
	uint32_t flow, seq;

	rx->last_status = status;
	if (frame_check(frame, len, &flow, &seq) < 0) {
		rx->bad++;
		return;
	}
	if (flow != rx->flow) {
		rx->foreign++;
		return;
	}
	if (seq == rx->next) {
		rx->next++;
		rx->got++;
	} else if (seq < rx->next) {
		rx->dup++;
	} else {
		rx->reordered++; /* a gap: something before it was lost */
		rx->next = seq + 1;
		rx->got++;
	}
}

/* Take everything off the wire; returns frames taken. */
static unsigned int wire_drain(struct bench *b, uint32_t flow, uint32_t *next,
			       struct traffic_result *res, int wait_ms)
{
	uint8_t buf[4096];
	unsigned int k = 0;

	for (;;) {
		ssize_t n = qt_wire_recv(b->qt, buf, sizeof(buf),
					 k == 0 ? wait_ms : 0);
		uint32_t f, seq;

		if (n <= 0)
			break;
		k++;
		if (frame_check(buf, (size_t)n, &f, &seq) < 0) {
			res->bad++;
			continue;
		}
		if (f != flow) {
			res->foreign++;
			continue;
		}
		if (seq == *next) {
			res->received++;
			(*next)++;
		} else if (seq < *next) {
			res->dup++;
		} else {
			res->reordered++;
			res->lost += seq - *next;
			res->received++;
			*next = seq + 1;
		}
	}
	return k;
}

int traffic_tx(struct bench *b, struct gnic *n, uint32_t flow, uint32_t count,
	       size_t min, size_t max, unsigned int batch, int timeout_ms,
	       struct traffic_result *res)
{
	uint8_t frame[2048];
	uint32_t next = 0, seq = 0;
	uint64_t t0 = bench_now_ns();
	uint64_t deadline = t0 + (uint64_t)timeout_ms * 1000000u;

	memset(res, 0, sizeof(*res));
	if (batch == 0)
		batch = 1;
	while (seq < count || next < count) {
		unsigned int k = 0;

		if (bench_now_ns() > deadline) {
			snprintf(res->err, sizeof(res->err),
				 "timeout: %u of %u queued, %u on the wire",
				 seq, count, next);
			break;
		}
		while (seq < count && k < batch) {
			size_t len =
				frame_build(frame, frame_len_for(seq, min, max),
					    traffic_peer, n->mac, flow, seq);
			int r = n->drv->xmit(n, frame, len);

			if (r == -EAGAIN) {
				n->c.tx_full++;
				break;
			}
			if (r < 0) {
				snprintf(res->err, sizeof(res->err),
					 "xmit error %d", r);
				goto out;
			}
			seq++;
			k++;
			res->sent++;
		}
		if (k)
			n->drv->kick(n);
		gnic_run(n, 0);
		if (wire_drain(b, flow, &next, res, 0) == 0 && k == 0)
			gnic_run(n, 1);
		if (n->err[0]) {
			snprintf(res->err, sizeof(res->err), "guest: %s",
				 n->err);
			break;
		}
	}
out:
	/* let late duplicates show */
	gnic_run(n, 0);
	wire_drain(b, flow, &next, res, 20);
	res->elapsed_ns = bench_now_ns() - t0;
	if (!res->err[0] && (res->received != count || res->bad || res->dup ||
			     res->reordered || res->lost))
		snprintf(res->err, sizeof(res->err),
			 "received %llu of %u, bad %llu dup %llu "
			 "reordered %llu lost %llu",
			 (unsigned long long)res->received, count,
			 (unsigned long long)res->bad,
			 (unsigned long long)res->dup,
			 (unsigned long long)res->reordered,
			 (unsigned long long)res->lost);
	return res->err[0] ? -1 : 0;
}

int traffic_rx(struct bench *b, struct gnic *n, struct traffic_rx *rx,
	       uint32_t count, size_t min, size_t max, unsigned int window,
	       int timeout_ms, struct traffic_result *res)
{
	uint8_t frame[2048];
	uint32_t seq = 0;
	uint64_t base_got = rx->got;
	uint64_t t0 = bench_now_ns();
	uint64_t deadline = t0 + (uint64_t)timeout_ms * 1000000u;
	uint64_t idle_since = t0;
	uint64_t last_got = rx->got;

	memset(res, 0, sizeof(*res));
	rx->next = 0;
	while (rx->got - base_got < count) {
		uint64_t now = bench_now_ns();
		uint64_t inflight = seq - (rx->got - base_got);

		if (now > deadline) {
			snprintf(res->err, sizeof(res->err),
				 "timeout: sent %u, guest got %llu of %u", seq,
				 (unsigned long long)(rx->got - base_got),
				 count);
			break;
		}
		/* A frame lost on the way would stall the window: after
		 * 300 ms without progress, stop and report it. */
		if (rx->got != last_got) {
			last_got = rx->got;
			idle_since = now;
		} else if (inflight && now - idle_since > 300000000u) {
			snprintf(res->err, sizeof(res->err),
				 "stalled: sent %u, guest got %llu (%llu in "
				 "flight lost?)",
				 seq, (unsigned long long)(rx->got - base_got),
				 (unsigned long long)inflight);
			break;
		}
		while (seq < count && seq - (rx->got - base_got) < window) {
			size_t len = frame_build(
				frame, frame_len_for(seq, min, max), n->mac,
				traffic_peer, rx->flow, seq);

			if (qt_wire_send(b->qt, frame, len) < 0) {
				snprintf(res->err, sizeof(res->err),
					 "wire send failed");
				goto out;
			}
			seq++;
			res->sent++;
		}
		gnic_run(n, 1);
		if (n->err[0]) {
			snprintf(res->err, sizeof(res->err), "guest: %s",
				 n->err);
			break;
		}
		if (rx->bad || rx->dup || rx->reordered)
			break;
	}
out:
	res->elapsed_ns = bench_now_ns() - t0;
	res->received = rx->got - base_got;
	res->bad = rx->bad;
	res->dup = rx->dup;
	res->reordered = rx->reordered;
	res->foreign = rx->foreign;
	if (!res->err[0] &&
	    (res->received != count || res->bad || res->dup || res->reordered))
		snprintf(res->err, sizeof(res->err),
			 "guest got %llu of %u, bad %llu dup %llu "
			 "out-of-order %llu",
			 (unsigned long long)res->received, count,
			 (unsigned long long)res->bad,
			 (unsigned long long)res->dup,
			 (unsigned long long)res->reordered);
	return res->err[0] ? -1 : 0;
}
