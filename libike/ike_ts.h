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

/*
 * pp_ike_ts_to_prefixes() (public, pp_ike.h) lives in ike_ts.c: @ts is one
 * side's range; @local_is_src true fills the source side of each
 * pp_esp_selector (src/src_plen, sport), false the destination side (dst,
 * dport); the other side is "any" (plen 0, ports 0-65535). So for an
 * inbound SA (peer -> us) convert remote_ts with true and local_ts with
 * false; for an outbound one local_ts with true, remote_ts with false.
 */

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
 * it lies inside the result. It is taken as such when there are several
 * and it lies inside the union of the others; it is then not intersected
 * but copied first, and only if it lies wholly inside ours. Intersection
 * is per dimension: address range, protocol (0 = any) and port range
 * (OPAQUE only meets "any" and OPAQUE). Returns the number of selectors
 * written (0 = TS_UNACCEPTABLE), -ENOSPC or -EINVAL.
 */
int ike_ts_narrow(const struct pp_ike_ts *ours, unsigned int n_ours,
		  const struct pp_ike_ts *theirs, unsigned int n_theirs,
		  struct pp_ike_ts *out, unsigned int cap);

/* Is every selector of @sub inside the union of @sup? (initiator check
 * that the responder only narrowed). The address range may be covered by
 * several elements, protocol and ports must be covered by one of them
 * (conservative: false when only a split of ports would cover it). */
bool ike_ts_subset(const struct pp_ike_ts *sub, unsigned int n_sub,
		   const struct pp_ike_ts *sup, unsigned int n_sup);

/* "10.0.0.0..10.0.0.255 proto 0 ports 0-65535" lists (", " separated)
 * for log lines; NUL-terminated, truncated to @len; returns the length. */
size_t ike_ts_format(const struct pp_ike_ts *ts, unsigned int n, char *buf,
		     size_t len);

/*
 * Address pool: a range of @size addresses from @start. The same peer
 * identity gets the same address back while it holds one (a reconnect
 * after INITIAL_CONTACT reuses it).
 */
struct ike_pool;
/* -EINVAL (family, size 0 or > IKE_POOL_SIZE_MAX, range past the end of
 * the address space), -ENOMEM. */
#define IKE_POOL_SIZE_MAX (1u << 20)
int ike_pool_create(uint8_t family, const uint8_t *start, uint32_t size,
		    struct ike_pool **out);
void ike_pool_destroy(struct ike_pool *p);
/* @owner may be NULL (anonymous: never matched). An owner that holds a
 * lease gets the same address again (in_use unchanged); one whose lease
 * was released gets it back if nobody took it since; otherwise the first
 * never-used address, then the least recently released one. @addr gets
 * 4 or 16 bytes. -ENOSPC when exhausted. */
int ike_pool_acquire(struct ike_pool *p, const struct pp_ike_id *owner,
		     uint8_t *addr);
/* -ENOENT if @addr is not leased. */
int ike_pool_release(struct ike_pool *p, const uint8_t *addr);
uint32_t ike_pool_in_use(const struct ike_pool *p);

#endif
