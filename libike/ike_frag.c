/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IKEv2 message fragmentation (RFC 7383): building sealed SKF messages
 * and reassembling decrypted fragments. No allocation; the reassembly
 * state is one caller-owned struct with fixed bounds.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_frag.h"

#define NON_ESP_MARKER_LEN 4 /* RFC 3948 §2.2 */
#define ABSENT UINT32_MAX    /* r->off[] of a fragment not yet received */

/* ---------------------------------------------------------------------- */
/* Sending                                                                */
/* ---------------------------------------------------------------------- */

/* Largest slice of inner payloads whose sealed SKF message fits @room
 * bytes (IKE header included); 0 if none fits. */
static size_t slice_max(const struct ike_sk_cipher *sk, size_t room)
{
	size_t fixed = PP_IKE_HDR_LEN + IKE_SKF_HDR_LEN + sk->iv_len +
		       sk->icv_len;
	size_t ct, block = sk->block ? sk->block : 1;

	if (room <= fixed)
		return 0;
	ct = room - fixed;			 /* slice + pad + Pad Length */
	if (ct > PP_IKE_PLD_LEN_MAX - (fixed - PP_IKE_HDR_LEN))
		ct = PP_IKE_PLD_LEN_MAX - (fixed - PP_IKE_HDR_LEN);
	ct -= ct % block;
	return ct > 1 ? ct - 1 : 0;
}

int ike_frag_build(struct ike_sk_cipher *sk, const struct ike_hdr *hdr,
		   uint8_t first, const uint8_t *inner, size_t inner_len,
		   size_t max_dgram, bool natt, uint8_t *buf, size_t cap,
		   struct ike_frag_out *out)
{
	size_t marker = natt ? NON_ESP_MARKER_LEN : 0;
	size_t room, slice, n, pos = 0, used = 0;
	int rc;

	if (sk == NULL || !sk->ready || hdr == NULL || buf == NULL ||
	    out == NULL || (inner_len && inner == NULL))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (max_dgram <= marker)
		return -EMSGSIZE;
	room = max_dgram - marker;
	slice = slice_max(sk, room);
	if (slice == 0)
		return -EMSGSIZE;
	n = inner_len ? (inner_len + slice - 1) / slice : 1;
	if (n > IKE_FRAG_MAX)
		return -EMSGSIZE;
	/* Same-sized slices (the last one takes the rest). */
	slice = inner_len ? (inner_len + n - 1) / n : 0;

	for (size_t i = 0; i < n; i++) {
		size_t take = inner_len - pos < slice ? inner_len - pos : slice;
		struct ike_sk_layout lay;
		struct ike_sk_frame f;
		struct ike_gen g;
		size_t mlen, off;

		if (cap - used < marker) {
			OPENSSL_cleanse(buf, cap);
			memset(out, 0, sizeof(*out));
			return -ENOSPC;
		}
		if (marker) {
			memset(buf + used, 0, marker);
			used += marker;
		}
		off = used;
		rc = ike_gen_init(&g, buf + off, cap - off, hdr);
		if (!rc)
			rc = ike_gen_skf_begin(&g, first, (uint16_t)(i + 1),
					       (uint16_t)n, sk->iv_len);
		if (!rc && take)
			rc = ike_gen_sk_put(&g, inner + pos, take);
		if (!rc)
			rc = ike_gen_sk_end(&g, sk->block ? sk->block : 1,
					    sk->icv_len, &lay);
		if (!rc)
			rc = ike_gen_finish(&g, &mlen);
		if (rc) {
			/* a slice may sit there in clear */
			OPENSSL_cleanse(buf, cap);
			memset(out, 0, sizeof(*out));
			return rc;
		}
		memset(&f, 0, sizeof(f));
		f.msg_off = off;
		f.sk_off = lay.pld_off;
		f.sk_hdr_len = lay.iv_off - lay.pld_off;
		f.iv_len = lay.iv_len;
		f.pad_len = buf[off + lay.ct_off + lay.ct_len - 1];
		f.pt_len = lay.ct_len - 1 - f.pad_len;
		f.icv_len = lay.icv_len;
		rc = ike_sk_seal(sk, buf, off + mlen, &f, NULL);
		if (rc) {
			OPENSSL_cleanse(buf, cap);
			memset(out, 0, sizeof(*out));
			return rc;
		}
		out->off[i] = off;
		out->len[i] = mlen;
		used = off + mlen;
		pos += take;
	}
	out->n = (unsigned int)n;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Receiving                                                              */
/* ---------------------------------------------------------------------- */

static void reasm_clear(struct ike_frag_reasm *r)
{
	r->active = false;
	r->total = 0;
	r->have = 0;
	r->first = 0;
	r->bytes = 0;
	memset(r->len, 0, sizeof(r->len));
	for (unsigned int i = 0; i <= IKE_FRAG_MAX; i++)
		r->off[i] = ABSENT;
}

void ike_frag_reasm_init(struct ike_frag_reasm *r)
{
	r->msg_id = 0;
	r->done = false;
	reasm_clear(r);
}

void ike_frag_reasm_reset(struct ike_frag_reasm *r)
{
	/* the slices are decrypted IKE payloads */
	OPENSSL_cleanse(r->data, r->bytes);
	if (r->done)
		OPENSSL_cleanse(r->out, sizeof(r->out));
	ike_frag_reasm_init(r);
}

static int __attribute__((format(printf, 3, 4)))
bad(struct ike_frag_reasm *r, struct ike_perr *err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		memset(err, 0, sizeof(*err));
		err->code = IKE_E_FRAG;
		err->pld = PP_IKE_PLD_SKF;
		err->notify = 0; /* fragments are dropped, never answered */
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	OPENSSL_cleanse(r->data, r->bytes);
	reasm_clear(r);
	return -EBADMSG;
}

/* Begin collecting Message ID @msg_id with @total fragments. */
static void reasm_start(struct ike_frag_reasm *r, uint32_t msg_id,
			uint16_t total)
{
	OPENSSL_cleanse(r->data, r->bytes);
	if (r->done)
		OPENSSL_cleanse(r->out, r->bytes);
	reasm_clear(r);
	r->msg_id = msg_id;
	r->done = false;
	r->active = true;
	r->total = total;
}

int ike_frag_reasm_add(struct ike_frag_reasm *r, uint32_t msg_id,
		       uint16_t num, uint16_t total, uint8_t next,
		       const uint8_t *plain, size_t len, struct ike_perr *err)
{
	uint32_t pos;

	if (r == NULL || (len && plain == NULL))
		return -EINVAL;
	if (err)
		memset(err, 0, sizeof(*err));

	/* Message ID first: an old message's fragments are stale whatever
	 * they hold. */
	if ((r->active || r->done) && msg_id < r->msg_id)
		return -EALREADY;
	if (r->done && msg_id == r->msg_id)
		return -EALREADY; /* retransmitted fragment of a done one */

	if (num == 0 || total == 0 || num > total || total > IKE_FRAG_MAX ||
	    (num == 1 && next == 0) || (num != 1 && next != 0)) {
		/* a bad fragment of a newer message does not disturb the
		 * one being collected; one of the same message abandons it */
		if (err) {
			err->code = IKE_E_FRAG;
			err->pld = PP_IKE_PLD_SKF;
			if (num == 0 || total == 0 || num > total ||
			    total > IKE_FRAG_MAX)
				snprintf(err->msg, sizeof(err->msg),
					 "fragment %u of %u (1..total, total "
					 "at most %u)", num, total,
					 IKE_FRAG_MAX);
			else
				snprintf(err->msg, sizeof(err->msg),
					 "fragment %u of %u: Next Payload %u "
					 "(RFC 7383 §2.5: set in fragment 1 "
					 "only)", num, total, next);
		}
		if (r->active && msg_id == r->msg_id) {
			OPENSSL_cleanse(r->data, r->bytes);
			reasm_clear(r);
		}
		return -EBADMSG;
	}

	if (!r->active || msg_id > r->msg_id) {
		reasm_start(r, msg_id, total);
	} else if (total > r->total) {
		/* RFC 7383 §2.6: the sender re-fragmented with a smaller
		 * size (PMTU): start again with this fragment. */
		reasm_start(r, msg_id, total);
	} else if (total < r->total) {
		/* ... and a fragment of the earlier, larger set is
		 * stale: drop it, keep collecting. */
		return -EALREADY;
	}

	if (r->off[num] != ABSENT) {
		if (r->len[num] == len &&
		    (len == 0 ||
		     CRYPTO_memcmp(r->data + r->off[num], plain, len) == 0))
			return -EALREADY;
		return bad(r, err, "fragment %u of %u: duplicate with other "
			   "data (%u vs %zu bytes)", num, total, r->len[num],
			   len);
	}
	if (len > (size_t)IKE_FRAG_BYTES_MAX - r->bytes)
		return bad(r, err, "fragment %u of %u: %u + %zu bytes > %u",
			   num, total, r->bytes, len, IKE_FRAG_BYTES_MAX);

	pos = r->bytes;
	if (len)
		memcpy(r->data + pos, plain, len);
	r->off[num] = pos;
	r->len[num] = (uint16_t)len;
	r->bytes += (uint32_t)len;
	r->have++;
	if (num == 1)
		r->first = next;
	if (r->have < r->total)
		return 0;

	/* complete: lay the slices out in order */
	pos = 0;
	for (unsigned int i = 1; i <= r->total; i++) {
		memcpy(r->out + pos, r->data + r->off[i], r->len[i]);
		pos += r->len[i];
	}
	OPENSSL_cleanse(r->data, r->bytes);
	r->active = false;
	r->done = true;
	return 1;
}

const uint8_t *ike_frag_reasm_get(const struct ike_frag_reasm *r,
				  size_t *len, uint8_t *first)
{
	if (r == NULL || !r->done)
		return NULL;
	if (len)
		*len = r->bytes;
	if (first)
		*first = r->first;
	return r->out;
}
