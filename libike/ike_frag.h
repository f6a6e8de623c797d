/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IKEv2 message fragmentation (RFC 7383) — private to libike.
 *
 * Sending: the inner payload chain of a message (as it would go into one
 * SK payload) is cut into slices so that each SKF message, once sealed,
 * fits in @max_dgram bytes of UDP payload (including the non-ESP marker
 * when @natt); each is framed, encrypted and authenticated on its own.
 *
 * Receiving: each SKF message is decrypted by the caller (as an SK
 * payload); the decrypted slices are collected here. Bounds: at most
 * IKE_FRAG_MAX fragments and IKE_FRAG_BYTES_MAX bytes; a fragment number
 * of 0 or above the total, a total above IKE_FRAG_MAX, a duplicate with
 * different data, too many bytes, a Next Payload that is 0 in fragment 1
 * or not 0 in the others are refused. A total that changes follows RFC
 * 7383 §2.6: a larger one means the sender re-fragmented (smaller PMTU),
 * so collection restarts with that fragment; a smaller one is a stale
 * fragment of the earlier set and is dropped (-EALREADY). A message whose
 * Message ID is newer than the one being reassembled restarts
 * reassembly; an older one, or any fragment of the message just
 * completed (retransmission), gives -EALREADY.
 */
#ifndef LIBIKE_IKE_FRAG_H
#define LIBIKE_IKE_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_crypto.h"
#include "ike_msg.h"

#define IKE_FRAG_MAX 64
#define IKE_FRAG_BYTES_MAX 65535

struct ike_frag_out {
	unsigned int n;
	size_t off[IKE_FRAG_MAX]; /* each fragment's IKE header in @buf */
	size_t len[IKE_FRAG_MAX];
};

/*
 * Build and seal all fragments of one message into @buf (header fields
 * from @hdr; first inner payload type @first; inner chain @inner). Needs
 * an initialised SK cipher for our direction. The slices are of equal
 * size (the last may be shorter). With @natt each message is preceded in
 * @buf by the 4 zero bytes of the non-ESP marker, so buf + off[i] - 4,
 * len[i] + 4 is the datagram for port 4500; len[i] is the IKE message
 * alone. Returns 0, -EMSGSIZE (more than IKE_FRAG_MAX fragments needed,
 * or @max_dgram too small for any data), -ENOSPC (@cap too small),
 * -EINVAL, or the crypto layer's errors.
 */
int ike_frag_build(struct ike_sk_cipher *sk, const struct ike_hdr *hdr,
		   uint8_t first, const uint8_t *inner, size_t inner_len,
		   size_t max_dgram, bool natt, uint8_t *buf, size_t cap,
		   struct ike_frag_out *out);

struct ike_frag_reasm {
	uint32_t msg_id;
	bool active;
	bool done;	/* complete: ike_frag_reasm_get() gives it */
	uint16_t total;
	uint16_t have;
	uint8_t first; /* Next Payload of fragment 1 */
	uint32_t bytes;
	uint16_t len[IKE_FRAG_MAX + 1];	  /* [num] */
	uint32_t off[IKE_FRAG_MAX + 1];	  /* into data; UINT32_MAX = absent */
	uint8_t data[IKE_FRAG_BYTES_MAX]; /* slices in arrival order */
	uint8_t out[IKE_FRAG_BYTES_MAX];  /* reassembled, in order */
};

void ike_frag_reasm_init(struct ike_frag_reasm *r);
/*
 * Add one decrypted fragment. Returns 1 when the message is complete
 * (ike_frag_reasm_get() then gives it), 0 when more are needed, -EALREADY
 * for an exact duplicate, an older Message ID, a fragment of the message
 * just completed or a smaller total (stale), -EBADMSG (with @err, code
 * IKE_E_FRAG) for an inconsistent one (the reassembly of that Message ID
 * is then abandoned; a malformed fragment of a newer Message ID leaves
 * the current one alone), -EINVAL for NULL arguments.
 */
int ike_frag_reasm_add(struct ike_frag_reasm *r, uint32_t msg_id,
		       uint16_t num, uint16_t total, uint8_t next,
		       const uint8_t *plain, size_t len, struct ike_perr *err);
const uint8_t *ike_frag_reasm_get(const struct ike_frag_reasm *r,
				  size_t *len, uint8_t *first);
/* Wipe and forget everything (also the Message ID). */
void ike_frag_reasm_reset(struct ike_frag_reasm *r);

#endif
