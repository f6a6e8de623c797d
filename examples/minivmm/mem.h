/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * minivmm: guest RAM. One anonymous mapping of --mem bytes backs two
 * guest-physical ranges, below the PCI hole and above 4 GiB:
 *
 *   guest [0, low)            -> host base + [0, low)
 *   guest [4 GiB, 4 GiB+high) -> host base + [low, low+high)
 *
 * mv_mem_ptr() is the only way from a guest-physical address to a host
 * pointer: it returns NULL unless every byte of the range is RAM in one
 * of the two ranges (never the hole, never across it).
 */
#ifndef MINIVMM_MEM_H
#define MINIVMM_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"

struct mv_mem {
	uint8_t *base; /* host mapping of low + high bytes */
	uint64_t low;  /* RAM below the hole: [0, low) */
	uint64_t high; /* RAM above 4 GiB: [4 GiB, 4 GiB + high) */
};

/* Split @total bytes of RAM around the PCI hole. */
static inline void mv_mem_split(struct mv_mem *m, uint64_t total)
{
	m->low = total < MV_PCI_HOLE ? total : MV_PCI_HOLE;
	m->high = total - m->low;
}

static inline void *mv_mem_ptr(const struct mv_mem *m, uint64_t gpa,
			       uint64_t len)
{
	if (m->base == NULL)
		return NULL;
	if (gpa < m->low) {
		if (len > m->low - gpa)
			return NULL;
		return m->base + gpa;
	}
	if (gpa >= MV_4G && gpa - MV_4G < m->high) {
		if (len > m->high - (gpa - MV_4G))
			return NULL;
		return m->base + m->low + (gpa - MV_4G);
	}
	return NULL;
}

#endif /* MINIVMM_MEM_H */
