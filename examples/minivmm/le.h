/* SPDX-License-Identifier: BSD-2-Clause */
/* minivmm: little-endian byte access to firmware tables and config space. */
#ifndef MINIVMM_LE_H
#define MINIVMM_LE_H

#include <stdint.h>

static inline void mv_put8(uint8_t *p, uint8_t v)
{
	p[0] = v;
}

static inline void mv_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void mv_put32(uint8_t *p, uint32_t v)
{
	mv_put16(p, (uint16_t)v);
	mv_put16(p + 2, (uint16_t)(v >> 16));
}

static inline void mv_put64(uint8_t *p, uint64_t v)
{
	mv_put32(p, (uint32_t)v);
	mv_put32(p + 4, (uint32_t)(v >> 32));
}

static inline uint16_t mv_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t mv_get32(const uint8_t *p)
{
	return (uint32_t)mv_get16(p) | ((uint32_t)mv_get16(p + 2) << 16);
}

static inline uint64_t mv_get64(const uint8_t *p)
{
	return (uint64_t)mv_get32(p) | ((uint64_t)mv_get32(p + 4) << 32);
}

/* Value of @width bytes (1, 2 or 4) at @p. */
static inline uint32_t mv_getw(const uint8_t *p, unsigned int width)
{
	return width == 1 ? p[0] : width == 2 ? mv_get16(p) : mv_get32(p);
}

static inline void mv_putw(uint8_t *p, unsigned int width, uint32_t v)
{
	if (width == 1)
		p[0] = (uint8_t)v;
	else if (width == 2)
		mv_put16(p, (uint16_t)v);
	else
		mv_put32(p, v);
}

static inline uint32_t mv_ones(unsigned int width)
{
	return width >= 4 ? 0xffffffffu : (1u << (8 * width)) - 1u;
}

#endif /* MINIVMM_LE_H */
