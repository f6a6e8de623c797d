/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Address pools for the configuration payload (RFC 7296 §2.19, §3.15).
 *
 * One fixed array of leases, allocated at creation; acquire/release never
 * allocate. A lease remembers its owner as a SHA-256 digest of the
 * identity (type | data), so that the same peer identity gets the same
 * address back, also after a release (reconnect), as long as no one else
 * took it since. Addresses are handed out in order; once all have been
 * used, the least recently released one is reused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ike_ts.h"

#define OWNER_LEN 32

enum lease_state {
	L_FRESH = 0, /* never handed out */
	L_HELD,
	L_RELEASED,
};

struct lease {
	uint8_t state;
	bool has_owner;
	uint8_t owner[OWNER_LEN];
	uint64_t released; /* release sequence number (LRU) */
};

struct ike_pool {
	uint8_t family;
	uint8_t start[16];
	uint32_t size;
	uint32_t in_use;
	uint32_t fresh; /* leases [0, fresh) have been handed out */
	uint64_t seq;
	struct lease *l;
};

static size_t alen(uint8_t family)
{
	return family == 6 ? 16 : 4;
}

/* @out = @a + @v (big-endian); false on overflow past the family. */
static bool addr_add(const uint8_t *a, size_t n, uint32_t v, uint8_t *out)
{
	uint32_t carry = v;

	memcpy(out, a, n);
	for (size_t i = n; i-- > 0 && carry;) {
		uint32_t s = out[i] + (carry & 0xff);

		out[i] = (uint8_t)s;
		carry = (carry >> 8) + (s >> 8);
	}
	return carry == 0;
}

/* Index of @addr in @p, or -1. */
static int64_t addr_index(const struct ike_pool *p, const uint8_t *addr)
{
	size_t n = alen(p->family);
	uint8_t d[16];
	int borrow = 0;
	uint64_t idx = 0;

	/* d = addr - start */
	for (size_t i = n; i-- > 0;) {
		int v = addr[i] - p->start[i] - borrow;

		borrow = v < 0;
		d[i] = (uint8_t)(v + (borrow ? 256 : 0));
	}
	if (borrow)
		return -1;
	for (size_t i = 0; i + 4 < n; i++)
		if (d[i])
			return -1;
	for (size_t i = n - 4; i < n; i++)
		idx = idx << 8 | d[i];
	return idx < p->size ? (int64_t)idx : -1;
}

static int owner_digest(const struct pp_ike_id *id, uint8_t out[OWNER_LEN])
{
	uint8_t buf[1 + 2 + PP_IKE_ID_MAX];
	size_t len = id->len > PP_IKE_ID_MAX ? PP_IKE_ID_MAX : id->len;
	unsigned int olen = 0;

	buf[0] = (uint8_t)id->type;
	buf[1] = (uint8_t)(len >> 8);
	buf[2] = (uint8_t)len;
	memcpy(buf + 3, id->data, len);
	if (!EVP_Digest(buf, 3 + len, out, &olen, EVP_sha256(), NULL) ||
	    olen != OWNER_LEN)
		return -EIO;
	return 0;
}

int ike_pool_create(uint8_t family, const uint8_t *start, uint32_t size,
		    struct ike_pool **out)
{
	struct ike_pool *p;
	uint8_t last[16];

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if ((family != 4 && family != 6) || start == NULL || size == 0 ||
	    size > IKE_POOL_SIZE_MAX ||
	    !addr_add(start, alen(family), size - 1, last))
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->l = calloc(size, sizeof(*p->l));
	if (p->l == NULL) {
		free(p);
		return -ENOMEM;
	}
	p->family = family;
	memcpy(p->start, start, alen(family));
	p->size = size;
	*out = p;
	return 0;
}

void ike_pool_destroy(struct ike_pool *p)
{
	if (p == NULL)
		return;
	/* owner digests identify peers: do not leave them behind */
	OPENSSL_cleanse(p->l, (size_t)p->size * sizeof(*p->l));
	free(p->l);
	free(p);
}

static void give(struct ike_pool *p, uint32_t i, const uint8_t *owner,
		 uint8_t *addr)
{
	struct lease *l = &p->l[i];

	if (l->state != L_HELD)
		p->in_use++;
	l->state = L_HELD;
	l->has_owner = owner != NULL;
	if (owner)
		memcpy(l->owner, owner, OWNER_LEN);
	else
		memset(l->owner, 0, OWNER_LEN);
	addr_add(p->start, alen(p->family), i, addr);
}

int ike_pool_acquire(struct ike_pool *p, const struct pp_ike_id *owner,
		     uint8_t *addr)
{
	uint8_t dig[OWNER_LEN];
	int64_t lru = -1;
	int rc;

	if (p == NULL || addr == NULL)
		return -EINVAL;
	if (owner) {
		rc = owner_digest(owner, dig);
		if (rc)
			return rc;
		/* held or remembered: same address back */
		for (uint32_t i = 0; i < p->fresh; i++) {
			struct lease *l = &p->l[i];

			if (l->state != L_FRESH && l->has_owner &&
			    memcmp(l->owner, dig, OWNER_LEN) == 0) {
				give(p, i, dig, addr);
				return 0;
			}
		}
	}
	if (p->fresh < p->size) {
		give(p, p->fresh++, owner ? dig : NULL, addr);
		return 0;
	}
	for (uint32_t i = 0; i < p->size; i++)
		if (p->l[i].state == L_RELEASED &&
		    (lru < 0 || p->l[i].released < p->l[lru].released))
			lru = i;
	if (lru < 0)
		return -ENOSPC;
	give(p, (uint32_t)lru, owner ? dig : NULL, addr);
	return 0;
}

int ike_pool_release(struct ike_pool *p, const uint8_t *addr)
{
	int64_t i;

	if (p == NULL || addr == NULL)
		return -EINVAL;
	i = addr_index(p, addr);
	if (i < 0 || p->l[i].state != L_HELD)
		return -ENOENT;
	p->l[i].state = L_RELEASED;
	p->l[i].released = ++p->seq;
	p->in_use--;
	return 0;
}

uint32_t ike_pool_in_use(const struct ike_pool *p)
{
	return p ? p->in_use : 0;
}
