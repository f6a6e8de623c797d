/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Traffic generators/checkers between a test guest driver and the wire
 * socket: frames carry a flow id and a sequence number and are checked
 * byte for byte, in order, with no loss and no duplicate.
 */
#ifndef PP_TESTS_E100_TRAFFIC_H
#define PP_TESTS_E100_TRAFFIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bench;
struct gnic;

struct traffic_result {
	uint64_t sent, received, bad, lost, dup, reordered, foreign;
	uint64_t elapsed_ns;
	char err[200];
};

/* Guest receive hook: checks flow/sequence; install as gnic rx callback. */
struct traffic_rx {
	uint32_t flow;
	uint32_t next; /* expected sequence */
	uint64_t got, bad, dup, reordered, foreign;
	uint16_t last_status;
};
void traffic_rx_cb(void *arg, const uint8_t *frame, size_t len,
		   uint16_t status);

extern const uint8_t traffic_peer[6];

/*
 * Guest -> wire: the guest sends @count frames (lengths in [min, max]) in
 * batches of @batch (kick after each), the bench reads them off the wire.
 * Returns 0 if every frame arrived exactly once, in order, byte-exact.
 */
int traffic_tx(struct bench *b, struct gnic *n, uint32_t flow, uint32_t count,
	       size_t min, size_t max, unsigned int batch, int timeout_ms,
	       struct traffic_result *res);
/*
 * Wire -> guest: the bench sends @count frames to the guest's MAC keeping
 * at most @window in flight (flow control: QEMU drops what arrives while
 * an RU is not ready), the guest receives them through @rx (which must be
 * the NIC's rx callback argument).
 */
int traffic_rx(struct bench *b, struct gnic *n, struct traffic_rx *rx,
	       uint32_t count, size_t min, size_t max, unsigned int window,
	       int timeout_ms, struct traffic_result *res);

#endif /* PP_TESTS_E100_TRAFFIC_H */
