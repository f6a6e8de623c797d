/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Traffic selectors (RFC 7296 §2.9, §3.13) and address pools for the
 * configuration payload (§2.19, §3.15) — private to libike.
 */
#ifndef LIBIKE_IKE_TS_H
#define LIBIKE_IKE_TS_H

#include <stdbool.h>
#include <stdint.h>

#include <parapass/pp_ike.h>

#include "ike_msg.h"

/* Conversions between the public and the wire form. */
void ike_ts_from_wire(const struct ike_ts_sel *w, struct pp_ike_ts *out);
void ike_ts_to_wire(const struct pp_ike_ts *ts, struct ike_ts_sel *out);
/* The whole address space of @family, any protocol and port. */
void ike_ts_any(uint8_t family, struct pp_ike_ts *out);
/* A single host (/32 or /128). */
void ike_ts_host(uint8_t family, const uint8_t *addr, struct pp_ike_ts *out);

/*
 * Narrowing (§2.9): the intersection of each of the peer's selectors with
 * each of ours (our configured ones bound what we accept); empty
 * intersections are skipped, duplicates removed. The peer's first
 * selector may be the packet's own (more specific) one: it is kept only if
 * it lies inside the result. Returns the number of selectors written
 * (0 = TS_UNACCEPTABLE) or -ENOSPC.
 */
int ike_ts_narrow(const struct pp_ike_ts *ours, unsigned int n_ours,
		  const struct pp_ike_ts *theirs, unsigned int n_theirs,
		  struct pp_ike_ts *out, unsigned int cap);

/* Is every selector of @sub inside the union of @sup? (initiator check
 * that the responder only narrowed). */
bool ike_ts_subset(const struct pp_ike_ts *sub, unsigned int n_sub,
		   const struct pp_ike_ts *sup, unsigned int n_sup);

/* "10.0.0.0..10.0.0.255 proto 0 ports 0-65535" lists for log lines. */
size_t ike_ts_format(const struct pp_ike_ts *ts, unsigned int n, char *buf,
		     size_t len);

/*
 * Address pool: a range of @size addresses from @start. The same peer
 * identity gets the same address back while it holds one (a reconnect
 * after INITIAL_CONTACT reuses it).
 */
struct ike_pool;
int ike_pool_create(uint8_t family, const uint8_t *start, uint32_t size,
		    struct ike_pool **out);
void ike_pool_destroy(struct ike_pool *p);
/* -ENOSPC when exhausted. */
int ike_pool_acquire(struct ike_pool *p, const struct pp_ike_id *owner,
		     uint8_t *addr);
/* -ENOENT if @addr is not leased. */
int ike_pool_release(struct ike_pool *p, const uint8_t *addr);
uint32_t ike_pool_in_use(const struct ike_pool *p);

#endif
