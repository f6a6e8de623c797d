/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SAD: inbound SAs by SPI, or by (SPI, outer destination) with match_dst.
 *
 * A fixed-size open-addressing table (linear probing, at least twice the
 * capacity, power of two) allocated at creation; lookups never allocate.
 * Deletion shifts later entries of the probe run back (no tombstones).
 *
 * Keys: the SA's SPI, plus its params' outer_dst with match_dst (such SAs
 * must have outer_dst set: -EINVAL otherwise). A lookup with match_dst and
 * a NULL @dst finds nothing. pp_esp_sad_del() returns -ENOENT for an SA
 * that is not in the table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "esp_int.h"

#define SAD_CAPACITY_MAX (1u << 24)

struct sad_ent {
	struct pp_esp_sa *sa; /* NULL = empty */
	uint32_t spi;
	uint32_t hash;
};

struct pp_esp_sad {
	uint32_t cap;
	uint32_t n;
	uint32_t mask;
	bool match_dst;
	struct sad_ent *tab;
};

static uint32_t mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	h *= 0x846ca68bu;
	h ^= h >> 16;
	return h;
}

static uint32_t key_hash(const struct pp_esp_sad *sad, uint32_t spi,
			 const struct pp_esp_addr *dst)
{
	uint32_t h = mix(spi);

	if (sad->match_dst) {
		size_t n = dst->family == 4 ? 4 : 16;

		for (size_t i = 0; i < n; i += 4)
			h = mix(h ^ ld32(dst->bytes + i));
	}
	return h;
}

static bool addr_eq(const struct pp_esp_addr *a, const struct pp_esp_addr *b)
{
	if (a->family != b->family)
		return false;
	return memcmp(a->bytes, b->bytes, a->family == 4 ? 4 : 16) == 0;
}

int pp_esp_sad_create(const struct pp_esp_sad_params *prm,
		      struct pp_esp_sad **out)
{
	struct pp_esp_sad *sad;
	uint32_t size = 8;

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (prm == NULL || prm->capacity == 0 ||
	    prm->capacity > SAD_CAPACITY_MAX)
		return -EINVAL;
	while (size < 2u * prm->capacity)
		size <<= 1;
	sad = calloc(1, sizeof(*sad));
	if (sad == NULL)
		return -ENOMEM;
	sad->tab = calloc(size, sizeof(*sad->tab));
	if (sad->tab == NULL) {
		free(sad);
		return -ENOMEM;
	}
	sad->cap = prm->capacity;
	sad->mask = size - 1;
	sad->match_dst = prm->match_dst;
	*out = sad;
	return 0;
}

void pp_esp_sad_destroy(struct pp_esp_sad *sad)
{
	if (sad == NULL)
		return;
	free(sad->tab);
	free(sad);
}

/* Slot holding the key (@spi, @dst), or -1. */
static int64_t find(const struct pp_esp_sad *sad, uint32_t spi,
		    const struct pp_esp_addr *dst)
{
	uint32_t h = key_hash(sad, spi, dst);

	for (uint32_t i = h & sad->mask, k = 0; k <= sad->mask;
	     i = (i + 1) & sad->mask, k++) {
		const struct sad_ent *e = &sad->tab[i];

		if (e->sa == NULL)
			return -1;
		if (e->hash == h && e->spi == spi &&
		    (!sad->match_dst || addr_eq(&e->sa->outer_dst, dst)))
			return i;
	}
	return -1;
}

int pp_esp_sad_add(struct pp_esp_sad *sad, struct pp_esp_sa *sa)
{
	uint32_t h, i;

	if (sad == NULL || sa == NULL || sa->magic != ESP_SA_MAGIC ||
	    sa->dir != PP_ESP_DIR_INBOUND)
		return -EINVAL;
	if (sad->match_dst && sa->outer_dst.family == 0)
		return -EINVAL;
	if (find(sad, sa->spi, &sa->outer_dst) >= 0)
		return -EEXIST;
	if (sad->n >= sad->cap)
		return -ENOSPC;
	h = key_hash(sad, sa->spi, &sa->outer_dst);
	for (i = h & sad->mask; sad->tab[i].sa != NULL; i = (i + 1) & sad->mask)
		;
	sad->tab[i].sa = sa;
	sad->tab[i].spi = sa->spi;
	sad->tab[i].hash = h;
	sad->n++;
	return 0;
}

int pp_esp_sad_del(struct pp_esp_sad *sad, struct pp_esp_sa *sa)
{
	int64_t at;
	uint32_t i, j;

	if (sad == NULL || sa == NULL)
		return -EINVAL;
	at = find(sad, sa->spi, &sa->outer_dst);
	if (at < 0 || sad->tab[at].sa != sa)
		return -ENOENT;
	/* Backward-shift deletion for linear probing. */
	i = (uint32_t)at;
	j = i;
	for (;;) {
		uint32_t home;

		j = (j + 1) & sad->mask;
		if (sad->tab[j].sa == NULL)
			break;
		home = sad->tab[j].hash & sad->mask;
		/* Move j to i unless its home lies cyclically in (i, j]. */
		if (((j - home) & sad->mask) >= ((j - i) & sad->mask)) {
			sad->tab[i] = sad->tab[j];
			i = j;
		}
	}
	memset(&sad->tab[i], 0, sizeof(sad->tab[i]));
	sad->n--;
	return 0;
}

struct pp_esp_sa *pp_esp_sad_lookup(const struct pp_esp_sad *sad,
				    uint32_t spi,
				    const struct pp_esp_addr *dst)
{
	int64_t at;

	if (sad == NULL)
		return NULL;
	if (sad->match_dst && dst == NULL)
		return NULL;
	at = find(sad, spi, dst);
	return at < 0 ? NULL : sad->tab[at].sa;
}
