/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Bounds-checked reader over untrusted bytes (private to libike).
 *
 * Every parse in ike_msg.c goes through this cursor: base/len describe the
 * bytes it may touch, off is the next byte to read. Each function either
 * consumes exactly what it was asked for and returns true, or returns false
 * and leaves the cursor unchanged; nothing ever reads outside
 * [base, base + len). Fixed fields are copied out with explicit big-endian
 * loads (no pointer casts into the packet); variable-length data is only
 * borrowed through ike_rd_ptr(), which returns a pointer after the range
 * has been checked.
 */
#ifndef LIBIKE_IKE_RD_H
#define LIBIKE_IKE_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct ike_rd {
	const uint8_t *base;
	size_t len;
	size_t off; /* invariant: off <= len */
};

#define IKE_RD_MUST_CHECK __attribute__((warn_unused_result))

static inline void ike_rd_init(struct ike_rd *r, const uint8_t *base,
			       size_t len)
{
	r->base = base;
	r->len = base ? len : 0;
	r->off = 0;
}

static inline size_t ike_rd_left(const struct ike_rd *r)
{
	return r->len - r->off;
}

/* True when @n more bytes are available (no overflow: compares with left). */
static inline bool ike_rd_has(const struct ike_rd *r, size_t n)
{
	return n <= ike_rd_left(r);
}

static inline IKE_RD_MUST_CHECK bool ike_rd_u8(struct ike_rd *r, uint8_t *v)
{
	if (!ike_rd_has(r, 1))
		return false;
	*v = r->base[r->off];
	r->off += 1;
	return true;
}

static inline IKE_RD_MUST_CHECK bool ike_rd_u16(struct ike_rd *r,
						 uint16_t *v)
{
	const uint8_t *p;

	if (!ike_rd_has(r, 2))
		return false;
	p = r->base + r->off;
	*v = (uint16_t)((unsigned int)p[0] << 8 | p[1]);
	r->off += 2;
	return true;
}

static inline IKE_RD_MUST_CHECK bool ike_rd_u32(struct ike_rd *r,
						 uint32_t *v)
{
	const uint8_t *p;

	if (!ike_rd_has(r, 4))
		return false;
	p = r->base + r->off;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	     (uint32_t)p[2] << 8 | p[3];
	r->off += 4;
	return true;
}

static inline IKE_RD_MUST_CHECK bool ike_rd_u64(struct ike_rd *r,
						 uint64_t *v)
{
	uint32_t hi, lo;
	size_t save = r->off;

	if (!ike_rd_u32(r, &hi) || !ike_rd_u32(r, &lo)) {
		r->off = save;
		return false;
	}
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

/* Copy @n bytes out into @dst. */
static inline IKE_RD_MUST_CHECK bool ike_rd_copy(struct ike_rd *r, void *dst,
						  size_t n)
{
	if (!ike_rd_has(r, n))
		return false;
	if (n)
		memcpy(dst, r->base + r->off, n);
	r->off += n;
	return true;
}

/* Borrow @n bytes: *p points into the buffer (NULL when n == 0). */
static inline IKE_RD_MUST_CHECK bool ike_rd_ptr(struct ike_rd *r, size_t n,
						 const uint8_t **p)
{
	if (!ike_rd_has(r, n))
		return false;
	*p = n ? r->base + r->off : NULL;
	r->off += n;
	return true;
}

static inline IKE_RD_MUST_CHECK bool ike_rd_skip(struct ike_rd *r, size_t n)
{
	if (!ike_rd_has(r, n))
		return false;
	r->off += n;
	return true;
}

/*
 * Carve the next @n bytes into a sub-reader @sub (its offsets start at 0)
 * and step over them.
 */
static inline IKE_RD_MUST_CHECK bool ike_rd_sub(struct ike_rd *r, size_t n,
						 struct ike_rd *sub)
{
	if (!ike_rd_has(r, n))
		return false;
	sub->base = r->base ? r->base + r->off : NULL;
	sub->len = n;
	sub->off = 0;
	r->off += n;
	return true;
}

#endif /* LIBIKE_IKE_RD_H */
