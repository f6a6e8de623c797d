/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Packet buffers: the currency of every data path in the SDK.
 *
 * A packet buffer is a caller-owned, contiguous byte array with the packet
 * data somewhere inside it, so that headers can be pushed in front
 * (headroom) and trailers appended behind (tailroom) without copying:
 *
 *   buf                  buf+off            buf+off+len           buf+cap
 *   |<---- headroom ---->|<------ data ------>|<----- tailroom ----->|
 *
 * The struct is public (not opaque) so that callers can place it in their
 * own pools and rings; libraries never allocate or free packet buffers, and
 * never keep a pointer to one after a call returns.
 */
#ifndef PARAPASS_PP_PKT_H
#define PARAPASS_PP_PKT_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Upper bound for every burst API in the SDK (fixed-size scratch arrays). */
#define PP_BURST_MAX 64

struct pp_pkt {
	uint8_t *buf;	 /* start of the buffer */
	uint32_t cap;	 /* buffer size in bytes */
	uint32_t off;	 /* offset of the first data byte */
	uint32_t len;	 /* number of data bytes */
	int32_t status;	 /* per-packet result of the last burst call */
	uint32_t meta;	 /* library-defined per-packet value (see each API) */
	void *userdata;	 /* the caller's; never touched by the libraries */
};

/* Initialise @p over @buf of @cap bytes with @headroom bytes reserved. */
static inline void pp_pkt_init(struct pp_pkt *p, uint8_t *buf, uint32_t cap,
			       uint32_t headroom)
{
	p->buf = buf;
	p->cap = cap;
	p->off = headroom <= cap ? headroom : cap;
	p->len = 0;
	p->status = 0;
	p->meta = 0;
	p->userdata = (void *)0;
}

static inline uint8_t *pp_pkt_data(const struct pp_pkt *p)
{
	return p->buf + p->off;
}

static inline uint32_t pp_pkt_headroom(const struct pp_pkt *p)
{
	return p->off;
}

static inline uint32_t pp_pkt_tailroom(const struct pp_pkt *p)
{
	return p->cap - p->off - p->len;
}

/* Checks the invariants off <= cap and len <= cap - off. */
static inline bool pp_pkt_valid(const struct pp_pkt *p)
{
	return p->buf != (void *)0 && p->off <= p->cap &&
	       p->len <= p->cap - p->off;
}

/* Grow the data at the front by @n bytes; NULL if the headroom is short. */
static inline uint8_t *pp_pkt_push(struct pp_pkt *p, uint32_t n)
{
	if (n > p->off)
		return (uint8_t *)0;
	p->off -= n;
	p->len += n;
	return p->buf + p->off;
}

/* Drop @n bytes from the front; NULL if the data is shorter. */
static inline uint8_t *pp_pkt_pull(struct pp_pkt *p, uint32_t n)
{
	if (n > p->len)
		return (uint8_t *)0;
	p->off += n;
	p->len -= n;
	return p->buf + p->off;
}

/* Grow the data at the end by @n bytes; returns the first new byte. */
static inline uint8_t *pp_pkt_put(struct pp_pkt *p, uint32_t n)
{
	uint8_t *tail;

	if (n > pp_pkt_tailroom(p))
		return (uint8_t *)0;
	tail = p->buf + p->off + p->len;
	p->len += n;
	return tail;
}

/* Shorten the data to @len bytes (no-op if already shorter). */
static inline void pp_pkt_trim(struct pp_pkt *p, uint32_t len)
{
	if (len < p->len)
		p->len = len;
}

#ifdef __cplusplus
}
#endif

#endif /* PARAPASS_PP_PKT_H */
