/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Key export in Wireshark's UAT formats (ipsec-facts §6.1/§6.2) — private
 * to libike. Each function writes one NUL-terminated line without a
 * newline; returns its length or -ENOSPC (@buf then holds ""), -ENOTSUP
 * for an algorithm Wireshark 4.0 has no label for (ChaCha20-Poly1305),
 * -EINVAL for inconsistent key lengths. See ike_keylog.c for the formats.
 */
#ifndef LIBIKE_IKE_KEYLOG_H
#define LIBIKE_IKE_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <parapass/pp_ike.h>

#include "ike_crypto.h"

/* One esp_sa line for one direction of @c (in = peer -> us: src is
 * c->remote, SPI spi_in, keys *_in; out: src c->local, spi_out, *_out). */
int ike_keylog_esp_sa(const struct pp_ike_child *c, bool inbound, char *buf,
		      size_t len);
/* One ikev2_decryption_table line for an IKE SA: @spi_i/@spi_r as in its
 * IKE header, SK_ei/SK_ai = keys of messages from its initiator. */
int ike_keylog_ikev2(const uint8_t spi_i[8], const uint8_t spi_r[8],
		     const struct ike_suite *s, const struct ike_sa_keys *k,
		     char *buf, size_t len);

#endif
