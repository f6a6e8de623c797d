/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IKEv2 message codec: header and payload-chain walk, legal-payload table,
 * validate/parse pairs for every payload body, and the generator.
 *
 * Every read of untrusted bytes goes through struct ike_rd (ike_rd.h), which
 * fails instead of reading past its range. A body is checked in one walker
 * per payload type that optionally fills a structure: ike_X_validate() runs
 * it without output, ike_X_parse() with. Declared lengths are checked
 * against both the minimum of their structure and the bytes actually left
 * before anything inside is looked at; counts are checked against lengths
 * in both directions (too few bytes for the count, bytes left over).
 *
 * Every rejection fills struct ike_perr with the two numbers it compared.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ike_msg.h"
#include "ike_rd.h"

#define PLD_HDR PP_IKE_PLD_HDR_LEN

/* ---------------------------------------------------------------------- */
/* Small helpers                                                          */
/* ---------------------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint16_t default_notify(enum ike_err code)
{
	switch (code) {
	case IKE_OK:
	case IKE_E_ARG:
	case IKE_E_HDR_LEN:
	case IKE_E_SPI_ZERO:
	case IKE_E_EXCHANGE:
		return 0;
	case IKE_E_VERSION:
		return PP_IKE_N_INVALID_MAJOR_VERSION;
	case IKE_E_CRITICAL:
		return PP_IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD;
	default:
		return PP_IKE_N_INVALID_SYNTAX; /* §3.10.1 */
	}
}

static int __attribute__((format(printf, 5, 6)))
fail(struct ike_perr *e, enum ike_err code, uint8_t pld, size_t off,
     const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code == IKE_E_ARG ? -EINVAL : -EBADMSG;
	memset(e, 0, sizeof(*e));
	e->code = code;
	e->pld = pld;
	e->off = off > UINT32_MAX ? UINT32_MAX : (uint32_t)off;
	e->notify = default_notify(code);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code == IKE_E_ARG ? -EINVAL : -EBADMSG;
}

static void err_clear(struct ike_perr *e)
{
	if (e)
		memset(e, 0, sizeof(*e));
}

/* Re-base an error reported by a body walker to chain offsets. */
static void err_rebase(struct ike_perr *e, uint8_t pld, size_t base)
{
	if (!e)
		return;
	e->pld = pld;
	if (base > UINT32_MAX - e->off)
		e->off = UINT32_MAX;
	else
		e->off += (uint32_t)base;
}

const char *ike_err_name(enum ike_err code)
{
	static const char *const names[IKE_E__COUNT] = {
		[IKE_OK] = "OK",
		[IKE_E_ARG] = "ARG",
		[IKE_E_TRUNC] = "TRUNC",
		[IKE_E_VERSION] = "VERSION",
		[IKE_E_HDR_LEN] = "HDR_LEN",
		[IKE_E_SPI_ZERO] = "SPI_ZERO",
		[IKE_E_PLD_LEN] = "PLD_LEN",
		[IKE_E_CHAIN_LONG] = "CHAIN_LONG",
		[IKE_E_TRAILING] = "TRAILING",
		[IKE_E_CRITICAL] = "CRITICAL",
		[IKE_E_SK_NOT_LAST] = "SK_NOT_LAST",
		[IKE_E_SK_INNER] = "SK_INNER",
		[IKE_E_EXCHANGE] = "EXCHANGE",
		[IKE_E_NOT_ALLOWED] = "NOT_ALLOWED",
		[IKE_E_DUPLICATE] = "DUPLICATE",
		[IKE_E_MISSING] = "MISSING",
		[IKE_E_BODY_LEN] = "BODY_LEN",
		[IKE_E_SUB_LEN] = "SUB_LEN",
		[IKE_E_COUNT] = "COUNT",
		[IKE_E_LAST_FLAG] = "LAST_FLAG",
		[IKE_E_PROP_NUM] = "PROP_NUM",
		[IKE_E_PROTOCOL] = "PROTOCOL",
		[IKE_E_SPI_SIZE] = "SPI_SIZE",
		[IKE_E_ATTR] = "ATTR",
		[IKE_E_VALUE] = "VALUE",
		[IKE_E_TS_RANGE] = "TS_RANGE",
		[IKE_E_LIMIT] = "LIMIT",
		[IKE_E_SK_LEN] = "SK_LEN",
		[IKE_E_FRAG] = "FRAG",
		[IKE_E_PAD] = "PAD",
	};

	if ((unsigned int)code >= IKE_E__COUNT || !names[code])
		return "?";
	return names[code];
}

const char *ike_pld_name(uint8_t type)
{
	switch (type) {
	case PP_IKE_PLD_NONE:
		return "NONE";
	case PP_IKE_PLD_SA:
		return "SA";
	case PP_IKE_PLD_KE:
		return "KE";
	case PP_IKE_PLD_IDI:
		return "IDi";
	case PP_IKE_PLD_IDR:
		return "IDr";
	case PP_IKE_PLD_CERT:
		return "CERT";
	case PP_IKE_PLD_CERTREQ:
		return "CERTREQ";
	case PP_IKE_PLD_AUTH:
		return "AUTH";
	case PP_IKE_PLD_NONCE:
		return "Nonce";
	case PP_IKE_PLD_NOTIFY:
		return "Notify";
	case PP_IKE_PLD_DELETE:
		return "Delete";
	case PP_IKE_PLD_VENDOR:
		return "VendorID";
	case PP_IKE_PLD_TSI:
		return "TSi";
	case PP_IKE_PLD_TSR:
		return "TSr";
	case PP_IKE_PLD_SK:
		return "SK";
	case PP_IKE_PLD_CP:
		return "CP";
	case PP_IKE_PLD_EAP:
		return "EAP";
	case PP_IKE_PLD_SKF:
		return "SKF";
	default:
		return "?";
	}
}

const char *ike_exch_name(uint8_t exchange)
{
	switch (exchange) {
	case PP_IKE_EXCH_IKE_SA_INIT:
		return "IKE_SA_INIT";
	case PP_IKE_EXCH_IKE_AUTH:
		return "IKE_AUTH";
	case PP_IKE_EXCH_CREATE_CHILD_SA:
		return "CREATE_CHILD_SA";
	case PP_IKE_EXCH_INFORMATIONAL:
		return "INFORMATIONAL";
	default:
		return "?";
	}
}

bool ike_pld_known(uint8_t type)
{
	return (type >= PP_IKE_PLD_SA && type <= PP_IKE_PLD_EAP) ||
	       type == PP_IKE_PLD_SKF;
}

/* ---------------------------------------------------------------------- */
/* Header and payload chains (§3.1, §3.2, §2.5)                           */
/* ---------------------------------------------------------------------- */

static int chain_walk(const uint8_t *buf, size_t len, size_t start,
		      uint8_t first, bool inner, struct ike_chain *c,
		      struct ike_perr *e)
{
	struct ike_rd r;
	uint8_t type = first;

	c->buf = buf;
	c->len = len;
	c->first = first;
	c->n = 0;
	c->sk = -1;
	ike_rd_init(&r, buf, len);
	if (!ike_rd_skip(&r, start))
		return fail(e, IKE_E_ARG, 0, start, "chain start %zu > %zu",
			    start, len);

	while (type != PP_IKE_PLD_NONE) {
		size_t off = r.off, left = ike_rd_left(&r);
		uint8_t next, flags;
		uint16_t plen;
		struct ike_pld *p;

		if (c->n == IKE_CHAIN_MAX)
			return fail(e, IKE_E_CHAIN_LONG, type, off,
				    "payload %u (%s(%u) at offset %zu) > "
				    "chain limit %u",
				    c->n + 1, ike_pld_name(type), type, off,
				    IKE_CHAIN_MAX);
		if (!ike_rd_u8(&r, &next) || !ike_rd_u8(&r, &flags) ||
		    !ike_rd_u16(&r, &plen))
			return fail(e, IKE_E_TRUNC, type, off,
				    "%s(%u) at offset %zu: generic header "
				    "needs %u bytes, %zu left",
				    ike_pld_name(type), type, off, PLD_HDR,
				    left);
		if (plen < PLD_HDR)
			return fail(e, IKE_E_PLD_LEN, type, off,
				    "%s(%u) at offset %zu: length %u < %u",
				    ike_pld_name(type), type, off, plen,
				    PLD_HDR);
		if (plen > left)
			return fail(e, IKE_E_PLD_LEN, type, off,
				    "%s(%u) at offset %zu: length %u > %zu "
				    "bytes left",
				    ike_pld_name(type), type, off, plen, left);
		if (!ike_pld_known(type) && (flags & PP_IKE_PLD_CRITICAL)) {
			int rc = fail(e, IKE_E_CRITICAL, type, off,
				      "unsupported critical payload type %u "
				      "at offset %zu",
				      type, off);

			if (e) {
				e->notify_data[0] = type; /* §3.10.1 */
				e->notify_data_len = 1;
			}
			return rc;
		}
		if (inner &&
		    (type == PP_IKE_PLD_SK || type == PP_IKE_PLD_SKF))
			return fail(e, IKE_E_SK_INNER, type, off,
				    "%s(%u) at offset %zu inside SK",
				    ike_pld_name(type), type, off);

		p = &c->pld[c->n++];
		p->type = type;
		p->next = next;
		p->flags = flags;
		p->critical = (flags & PP_IKE_PLD_CRITICAL) != 0;
		p->known = ike_pld_known(type);
		p->off = (uint32_t)off;
		p->body_off = (uint32_t)(off + PLD_HDR);
		p->body_len = (uint32_t)(plen - PLD_HDR);
		r.off = off + plen;

		if (type == PP_IKE_PLD_SK || type == PP_IKE_PLD_SKF) {
			/* Its Next Payload names the first inner payload;
			 * nothing may follow it (§3.14, RFC 7383 §2.5). */
			c->sk = (int)(c->n - 1);
			if (r.off != len)
				return fail(e, IKE_E_SK_NOT_LAST, type, off,
					    "%s at offset %zu ends at %zu, "
					    "message has %zu bytes",
					    ike_pld_name(type), off, r.off,
					    len);
			return 0;
		}
		type = next;
	}
	if (r.off != len)
		return fail(e, IKE_E_TRAILING, 0, r.off,
			    "%zu bytes after the last payload (offset %zu "
			    "of %zu)",
			    len - r.off, r.off, len);
	return 0;
}

int ike_msg_parse(const uint8_t *buf, size_t len, struct ike_msg *m)
{
	struct ike_rd r;
	struct ike_hdr *h;
	uint8_t major;

	if (!m)
		return -EINVAL;
	h = &m->hdr;
	memset(h, 0, sizeof(*h));
	err_clear(&m->err);
	m->chain.buf = buf;
	m->chain.len = len;
	m->chain.first = 0;
	m->chain.n = 0;
	m->chain.sk = -1;
	if (!buf && len)
		return fail(&m->err, IKE_E_ARG, 0, 0, "NULL buffer");

	ike_rd_init(&r, buf, len);
	if (!ike_rd_u64(&r, &h->spi_i) || !ike_rd_u64(&r, &h->spi_r) ||
	    !ike_rd_u8(&r, &h->next) || !ike_rd_u8(&r, &h->version) ||
	    !ike_rd_u8(&r, &h->exchange) || !ike_rd_u8(&r, &h->flags) ||
	    !ike_rd_u32(&r, &h->msg_id) || !ike_rd_u32(&r, &h->length)) {
		int rc = fail(&m->err, IKE_E_TRUNC, 0, 0,
			      "message length %zu < IKE header %u", len,
			      PP_IKE_HDR_LEN);

		m->err.notify = 0; /* nothing to answer to */
		return rc;
	}
	major = PP_IKE_VERSION_MAJOR(h->version);
	if (major != PP_IKE_MAJOR_VERSION) {
		int rc = fail(&m->err, IKE_E_VERSION, 0,
			      PP_IKE_HDR_OFF_VERSION,
			      "major version %u != %u", major,
			      PP_IKE_MAJOR_VERSION);

		/* §2.5: answer a higher major version with
		 * INVALID_MAJOR_VERSION; older ones are simply dropped. */
		if (major < PP_IKE_MAJOR_VERSION)
			m->err.notify = 0;
		return rc;
	}
	if (h->spi_i == 0)
		return fail(&m->err, IKE_E_SPI_ZERO, 0, PP_IKE_HDR_OFF_SPI_I,
			    "SPIi is 0");
	if (h->length != len)
		return fail(&m->err, IKE_E_HDR_LEN, 0, PP_IKE_HDR_OFF_LENGTH,
			    "header length %u != datagram length %zu",
			    h->length, len);
	return chain_walk(buf, len, PP_IKE_HDR_LEN, h->next, false, &m->chain,
			  &m->err);
}

int ike_inner_parse(const uint8_t *plain, size_t len, uint8_t first,
		    struct ike_chain *c, struct ike_perr *err)
{
	if (!c)
		return -EINVAL;
	c->buf = plain;
	c->len = len;
	c->first = first;
	c->n = 0;
	c->sk = -1;
	if ((!plain && len) || len > UINT32_MAX)
		return fail(err, IKE_E_ARG, 0, 0, "bad plaintext buffer");
	err_clear(err);
	return chain_walk(plain, len, 0, first, true, c, err);
}

int ike_chain_find(const struct ike_chain *c, uint8_t type, unsigned int from)
{
	for (unsigned int i = from; c && i < c->n; i++)
		if (c->pld[i].type == type)
			return (int)i;
	return -1;
}

/* ---------------------------------------------------------------------- */
/* Legal-payload table (§1.2-§1.5, §2.5, §3.14)                           */
/* ---------------------------------------------------------------------- */

#define PIDX(t) ((t)-PP_IKE_PLD_SA) /* 33..53 -> 0..20 */
#define N_PIDX (PP_IKE_PLD_SKF - PP_IKE_PLD_SA + 1)
#define X_INIT 0
#define X_AUTH 1
#define X_CHILD 2
#define X_INFO 3
#define D_REQ 0
#define D_RESP 1
#define C_OUT 0
#define C_IN 1
#define A1 IKE_ALLOW_ONE
#define AN IKE_ALLOW_MANY

/*
 * [exchange][request/response][outside/inside SK][payload]. Sources:
 * IKE_SA_INIT §1.2 (+ CERTREQ in the response, N/V anywhere, §3.7,
 * §3.10, §3.12); IKE_AUTH §1.2, §2.16 (EAP), §2.19 (CP); CREATE_CHILD_SA
 * §1.3; INFORMATIONAL §1.4, §3.15 (CP set/ack), and unprotected error
 * notifies outside any SA (§1.5). After IKE_SA_INIT everything else is
 * inside SK or SKF (§1.2, RFC 7383).
 */
static const uint8_t legal[4][2][2][N_PIDX] = {
	[X_INIT] = {
		[D_REQ] = {
			[C_OUT] = {
				[PIDX(PP_IKE_PLD_SA)] = A1,
				[PIDX(PP_IKE_PLD_KE)] = A1,
				[PIDX(PP_IKE_PLD_NONCE)] = A1,
				[PIDX(PP_IKE_PLD_NOTIFY)] = AN,
				[PIDX(PP_IKE_PLD_VENDOR)] = AN,
			},
		},
		[D_RESP] = {
			[C_OUT] = {
				[PIDX(PP_IKE_PLD_SA)] = A1,
				[PIDX(PP_IKE_PLD_KE)] = A1,
				[PIDX(PP_IKE_PLD_NONCE)] = A1,
				[PIDX(PP_IKE_PLD_CERTREQ)] = AN,
				[PIDX(PP_IKE_PLD_NOTIFY)] = AN,
				[PIDX(PP_IKE_PLD_VENDOR)] = AN,
			},
		},
	},
	[X_AUTH] = {
		[D_REQ] = {
			[C_OUT] = {
				[PIDX(PP_IKE_PLD_SK)] = A1,
				[PIDX(PP_IKE_PLD_SKF)] = A1,
			},
			[C_IN] = {
				[PIDX(PP_IKE_PLD_IDI)] = A1,
				[PIDX(PP_IKE_PLD_CERT)] = AN,
				[PIDX(PP_IKE_PLD_CERTREQ)] = AN,
				[PIDX(PP_IKE_PLD_IDR)] = A1,
				[PIDX(PP_IKE_PLD_AUTH)] = A1,
				[PIDX(PP_IKE_PLD_CP)] = A1,
				[PIDX(PP_IKE_PLD_SA)] = A1,
				[PIDX(PP_IKE_PLD_TSI)] = A1,
				[PIDX(PP_IKE_PLD_TSR)] = A1,
				[PIDX(PP_IKE_PLD_NOTIFY)] = AN,
				[PIDX(PP_IKE_PLD_VENDOR)] = AN,
				[PIDX(PP_IKE_PLD_EAP)] = A1,
			},
		},
		[D_RESP] = {
			[C_OUT] = {
				[PIDX(PP_IKE_PLD_SK)] = A1,
				[PIDX(PP_IKE_PLD_SKF)] = A1,
			},
			[C_IN] = {
				[PIDX(PP_IKE_PLD_IDR)] = A1,
				[PIDX(PP_IKE_PLD_CERT)] = AN,
				[PIDX(PP_IKE_PLD_AUTH)] = A1,
				[PIDX(PP_IKE_PLD_CP)] = A1,
				[PIDX(PP_IKE_PLD_SA)] = A1,
				[PIDX(PP_IKE_PLD_TSI)] = A1,
				[PIDX(PP_IKE_PLD_TSR)] = A1,
				[PIDX(PP_IKE_PLD_NOTIFY)] = AN,
				[PIDX(PP_IKE_PLD_VENDOR)] = AN,
				[PIDX(PP_IKE_PLD_EAP)] = A1,
			},
		},
	},
	[X_CHILD] = {
		[D_REQ] = {
			[C_OUT] = {
				[PIDX(PP_IKE_PLD_SK)] = A1,
				[PIDX(PP_IKE_PLD_SKF)] = A1,
			},
			[C_IN] = {
				[PIDX(PP_IKE_PLD_SA)] = A1,
				[PIDX(PP_IKE_PLD_NONCE)] = A1,
				[PIDX(PP_IKE_PLD_KE)] = A1,
				[PIDX(PP_IKE_PLD_TSI)] = A1,
				[PIDX(PP_IKE_PLD_TSR)] = A1,
				[PIDX(PP_IKE_PLD_NOTIFY)] = AN,
				[PIDX(PP_IKE_PLD_VENDOR)] = AN,
			},
		},
		[D_RESP] = {
			[C_OUT] = {
				[PIDX(PP_IKE_PLD_SK)] = A1,
				[PIDX(PP_IKE_PLD_SKF)] = A1,
			},
			[C_IN] = {
				[PIDX(PP_IKE_PLD_SA)] = A1,
				[PIDX(PP_IKE_PLD_NONCE)] = A1,
				[PIDX(PP_IKE_PLD_KE)] = A1,
				[PIDX(PP_IKE_PLD_TSI)] = A1,
				[PIDX(PP_IKE_PLD_TSR)] = A1,
				[PIDX(PP_IKE_PLD_NOTIFY)] = AN,
				[PIDX(PP_IKE_PLD_VENDOR)] = AN,
			},
		},
	},
	[X_INFO] = {
		[D_REQ] = {
			[C_OUT] = {
				[PIDX(PP_IKE_PLD_SK)] = A1,
				[PIDX(PP_IKE_PLD_SKF)] = A1,
				[PIDX(PP_IKE_PLD_NOTIFY)] = AN, /* §1.5 */
			},
			[C_IN] = {
				[PIDX(PP_IKE_PLD_NOTIFY)] = AN,
				[PIDX(PP_IKE_PLD_DELETE)] = AN,
				[PIDX(PP_IKE_PLD_CP)] = A1,
				[PIDX(PP_IKE_PLD_VENDOR)] = AN,
			},
		},
		[D_RESP] = {
			[C_OUT] = {
				[PIDX(PP_IKE_PLD_SK)] = A1,
				[PIDX(PP_IKE_PLD_SKF)] = A1,
				[PIDX(PP_IKE_PLD_NOTIFY)] = AN, /* §1.5 */
			},
			[C_IN] = {
				[PIDX(PP_IKE_PLD_NOTIFY)] = AN,
				[PIDX(PP_IKE_PLD_DELETE)] = AN,
				[PIDX(PP_IKE_PLD_CP)] = A1,
				[PIDX(PP_IKE_PLD_VENDOR)] = AN,
			},
		},
	},
};

static int exch_index(uint8_t exchange)
{
	switch (exchange) {
	case PP_IKE_EXCH_IKE_SA_INIT:
		return X_INIT;
	case PP_IKE_EXCH_IKE_AUTH:
		return X_AUTH;
	case PP_IKE_EXCH_CREATE_CHILD_SA:
		return X_CHILD;
	case PP_IKE_EXCH_INFORMATIONAL:
		return X_INFO;
	default:
		return -1;
	}
}

enum ike_allow ike_pld_allowed(uint8_t exchange, bool response, bool inner,
			       uint8_t type)
{
	int x = exch_index(exchange);

	if (x < 0 || type < PP_IKE_PLD_SA || type > PP_IKE_PLD_SKF)
		return IKE_ALLOW_NO;
	return (enum ike_allow)
		legal[x][response ? D_RESP : D_REQ][inner ? C_IN : C_OUT]
		     [PIDX(type)];
}

int ike_chain_validate(const struct ike_chain *c, uint8_t exchange,
		       bool response, bool inner, struct ike_perr *err)
{
	uint8_t seen[N_PIDX] = { 0 };

	if (!c)
		return fail(err, IKE_E_ARG, 0, 0, "NULL chain");
	if (exch_index(exchange) < 0)
		return fail(err, IKE_E_EXCHANGE, 0, PP_IKE_HDR_OFF_EXCHANGE,
			    "exchange type %u has no payload rules",
			    exchange);
	for (unsigned int i = 0; i < c->n; i++) {
		const struct ike_pld *p = &c->pld[i];
		enum ike_allow a;

		if (!p->known)
			continue; /* unknown, not critical: skip (§2.5) */
		a = ike_pld_allowed(exchange, response, inner, p->type);
		if (a == IKE_ALLOW_NO)
			return fail(err, IKE_E_NOT_ALLOWED, p->type, p->off,
				    "%s(%u) not allowed %s SK in %s %s",
				    ike_pld_name(p->type), p->type,
				    inner ? "inside" : "outside",
				    ike_exch_name(exchange),
				    response ? "response" : "request");
		if (a == IKE_ALLOW_ONE && seen[PIDX(p->type)])
			return fail(err, IKE_E_DUPLICATE, p->type, p->off,
				    "%s(%u): occurrence %u > 1 allowed in %s "
				    "%s",
				    ike_pld_name(p->type), p->type,
				    seen[PIDX(p->type)] + 1u,
				    ike_exch_name(exchange),
				    response ? "response" : "request");
		if (seen[PIDX(p->type)] < UINT8_MAX)
			seen[PIDX(p->type)]++;
	}
	err_clear(err);
	return 0;
}

int ike_msg_validate(const struct ike_msg *m, struct ike_perr *err)
{
	if (!m)
		return fail(err, IKE_E_ARG, 0, 0, "NULL message");
	return ike_chain_validate(&m->chain, m->hdr.exchange,
				  ike_hdr_is_response(&m->hdr), false, err);
}

/* ---------------------------------------------------------------------- */
/* SA payload (§3.3)                                                      */
/* ---------------------------------------------------------------------- */

#define SA PP_IKE_PLD_SA

static int sa_walk(const uint8_t *b, size_t len, unsigned int flags,
		   struct ike_sa *out, struct ike_perr *e)
{
	struct ike_rd r;
	unsigned int np = 0;
	uint8_t last = PP_IKE_MORE_PROPOSALS, last_num = 0;

	ike_rd_init(&r, b, len);
	if (len == 0)
		return fail(e, IKE_E_BODY_LEN, SA, 0,
			    "SA: body length 0 < one proposal (%u)",
			    PP_IKE_PROP_HDR_LEN);
	while (ike_rd_left(&r) > 0) {
		struct ike_rd pr;
		size_t poff = r.off, left = ike_rd_left(&r);
		uint8_t plast, res, num, proto, spisz, nx;
		uint16_t plen;
		struct ike_proposal *p = NULL;
		unsigned int pn = np + 1; /* position, for messages */
		uint8_t spi_scratch[8];

		if (last == PP_IKE_LAST_PROPOSAL)
			return fail(e, IKE_E_LAST_FLAG, SA, poff,
				    "SA: %zu bytes after proposal %u, which "
				    "has Last Substruc 0",
				    left, np);
		if (np == IKE_SA_MAX_PROPOSALS)
			return fail(e, IKE_E_LIMIT, SA, poff,
				    "SA: proposal %u > limit %u", pn,
				    IKE_SA_MAX_PROPOSALS);
		if (!ike_rd_u8(&r, &plast) || !ike_rd_u8(&r, &res) ||
		    !ike_rd_u16(&r, &plen) || !ike_rd_u8(&r, &num) ||
		    !ike_rd_u8(&r, &proto) || !ike_rd_u8(&r, &spisz) ||
		    !ike_rd_u8(&r, &nx)) {
			r.off = poff;
			return fail(e, IKE_E_TRUNC, SA, poff,
				    "SA proposal %u: header needs %u bytes, "
				    "%zu left",
				    pn, PP_IKE_PROP_HDR_LEN, left);
		}
		if (plast != PP_IKE_LAST_PROPOSAL &&
		    plast != PP_IKE_MORE_PROPOSALS)
			return fail(e, IKE_E_LAST_FLAG, SA, poff,
				    "SA proposal %u: Last Substruc %u, not "
				    "%u or %u",
				    pn, plast, PP_IKE_LAST_PROPOSAL,
				    PP_IKE_MORE_PROPOSALS);
		if (plen < PP_IKE_PROP_HDR_LEN)
			return fail(e, IKE_E_SUB_LEN, SA, poff + 2,
				    "SA proposal %u: length %u < %u", pn, plen,
				    PP_IKE_PROP_HDR_LEN);
		if (plen > left)
			return fail(e, IKE_E_SUB_LEN, SA, poff + 2,
				    "SA proposal %u: length %u > %zu bytes "
				    "left",
				    pn, plen, left);
		r.off = poff;
		if (!ike_rd_sub(&r, plen, &pr) ||
		    !ike_rd_skip(&pr, PP_IKE_PROP_HDR_LEN))
			return fail(e, IKE_E_SUB_LEN, SA, poff, "SA: internal");

		/* §3.3.1: numbered 1, 2, ... in a request; a response
		 * carries the single accepted proposal's number. */
		if (flags & IKE_SA_F_RESPONSE) {
			if (num == 0)
				return fail(e, IKE_E_PROP_NUM, SA, poff + 4,
					    "SA proposal %u: number 0 < 1",
					    pn);
		} else if (num != pn) {
			return fail(e, IKE_E_PROP_NUM, SA, poff + 4,
				    "SA proposal %u: number %u != %u", pn,
				    num, pn);
		}
		switch (proto) {
		case PP_IKE_PROTO_IKE:
			if (spisz != 0 && spisz != PP_IKE_SPI_LEN)
				return fail(e, IKE_E_SPI_SIZE, SA, poff + 6,
					    "SA proposal %u: SPI size %u for "
					    "IKE, not 0 or %u",
					    pn, spisz, PP_IKE_SPI_LEN);
			break;
		case PP_IKE_PROTO_AH:
		case PP_IKE_PROTO_ESP:
			if (spisz != PP_IKE_CHILD_SPI_LEN)
				return fail(e, IKE_E_SPI_SIZE, SA, poff + 6,
					    "SA proposal %u: SPI size %u for "
					    "protocol %u, not %u",
					    pn, spisz, proto,
					    PP_IKE_CHILD_SPI_LEN);
			break;
		default:
			return fail(e, IKE_E_PROTOCOL, SA, poff + 5,
				    "SA proposal %u: protocol %u not 1..3", pn,
				    proto);
		}
		if (out) {
			p = &out->prop[np];
			p->num = num;
			p->protocol = proto;
			p->spi_size = spisz;
			p->n_transforms = nx;
		}
		if (!ike_rd_copy(&pr, p ? p->spi : spi_scratch, spisz))
			return fail(e, IKE_E_SUB_LEN, SA, poff + 2,
				    "SA proposal %u: length %u < %u + SPI "
				    "size %u",
				    pn, plen, PP_IKE_PROP_HDR_LEN, spisz);
		if (nx == 0)
			return fail(e, IKE_E_COUNT, SA, poff + 7,
				    "SA proposal %u: 0 transforms", pn);
		if (nx > IKE_PROP_MAX_TRANSFORMS)
			return fail(e, IKE_E_LIMIT, SA, poff + 7,
				    "SA proposal %u: %u transforms > limit %u",
				    pn, nx, IKE_PROP_MAX_TRANSFORMS);

		for (unsigned int k = 0; k < nx; k++) {
			struct ike_rd xr;
			size_t xoff = poff + pr.off, xleft = ike_rd_left(&pr);
			uint8_t xlast, xres, type, xres2;
			uint16_t xlen, id, key_len = 0;
			bool has_kl = false;
			unsigned int unknown = 0;
			uint8_t want = k + 1 == nx ? PP_IKE_LAST_TRANSFORM
						   : PP_IKE_MORE_TRANSFORMS;

			if (xleft == 0)
				return fail(e, IKE_E_COUNT, SA, xoff,
					    "SA proposal %u: %u transforms "
					    "declared, length %u holds %u",
					    pn, nx, plen, k);
			if (!ike_rd_u8(&pr, &xlast) ||
			    !ike_rd_u8(&pr, &xres) ||
			    !ike_rd_u16(&pr, &xlen) ||
			    !ike_rd_u8(&pr, &type) ||
			    !ike_rd_u8(&pr, &xres2) || !ike_rd_u16(&pr, &id))
				return fail(e, IKE_E_SUB_LEN, SA, xoff,
					    "SA proposal %u transform %u: "
					    "header needs %u bytes, %zu left",
					    pn, k + 1, PP_IKE_XF_HDR_LEN,
					    xleft);
			if (xlen < PP_IKE_XF_HDR_LEN)
				return fail(e, IKE_E_SUB_LEN, SA, xoff + 2,
					    "SA proposal %u transform %u: "
					    "length %u < %u",
					    pn, k + 1, xlen,
					    PP_IKE_XF_HDR_LEN);
			if (xlen > xleft)
				return fail(e, IKE_E_SUB_LEN, SA, xoff + 2,
					    "SA proposal %u transform %u: "
					    "length %u > %zu bytes left",
					    pn, k + 1, xlen, xleft);
			if (xlast != want)
				return fail(e, IKE_E_LAST_FLAG, SA, xoff,
					    "SA proposal %u transform %u of "
					    "%u: Last Substruc %u != %u",
					    pn, k + 1, nx, xlast, want);
			pr.off = xoff - poff;
			if (!ike_rd_sub(&pr, xlen, &xr) ||
			    !ike_rd_skip(&xr, PP_IKE_XF_HDR_LEN))
				return fail(e, IKE_E_SUB_LEN, SA, xoff,
					    "SA: internal");
			/* Attributes (§3.3.5) */
			while (ike_rd_left(&xr) > 0) {
				size_t aoff = xoff + xr.off;
				size_t aleft = ike_rd_left(&xr);
				uint16_t at, av;

				if (!ike_rd_u16(&xr, &at) ||
				    !ike_rd_u16(&xr, &av))
					return fail(e, IKE_E_SUB_LEN, SA, aoff,
						    "SA proposal %u transform "
						    "%u: attribute needs %u "
						    "bytes, %zu left",
						    pn, k + 1,
						    PP_IKE_ATTR_HDR_LEN,
						    aleft);
				if ((at & PP_IKE_ATTR_TYPE_MASK) ==
				    PP_IKE_ATTR_KEY_LENGTH) {
					if (!(at & PP_IKE_ATTR_AF))
						return fail(e, IKE_E_ATTR, SA,
							    aoff,
							    "SA proposal %u "
							    "transform %u: Key "
							    "Length as TLV "
							    "(length %u), must "
							    "be TV",
							    pn, k + 1, av);
					if (has_kl)
						return fail(e, IKE_E_ATTR, SA,
							    aoff,
							    "SA proposal %u "
							    "transform %u: "
							    "second Key Length "
							    "(%u after %u)",
							    pn, k + 1, av,
							    key_len);
					has_kl = true;
					key_len = av;
					continue;
				}
				unknown++;
				if (!(at & PP_IKE_ATTR_AF) &&
				    !ike_rd_skip(&xr, av))
					return fail(e, IKE_E_SUB_LEN, SA,
						    aoff + 2,
						    "SA proposal %u transform "
						    "%u: attribute %u length "
						    "%u > %zu bytes left",
						    pn, k + 1, at, av,
						    ike_rd_left(&xr));
			}
			if (p) {
				struct ike_transform *t = &p->xf[k];

				t->type = type;
				t->id = id;
				t->has_key_len = has_kl;
				t->key_len = key_len;
				t->n_unknown_attrs =
					(uint8_t)(unknown > UINT8_MAX
							  ? UINT8_MAX
							  : unknown);
			}
		}
		if (ike_rd_left(&pr) > 0)
			return fail(e, IKE_E_COUNT, SA, poff + pr.off,
				    "SA proposal %u: %zu bytes after %u "
				    "transforms (length %u)",
				    pn, ike_rd_left(&pr), nx, plen);
		np++;
		last = plast;
		last_num = num;
	}
	if (last != PP_IKE_LAST_PROPOSAL)
		return fail(e, IKE_E_LAST_FLAG, SA, len,
			    "SA: proposal %u (number %u) has Last Substruc "
			    "%u but no proposal follows",
			    np, last_num, last);
	if ((flags & IKE_SA_F_RESPONSE) && np != 1)
		return fail(e, IKE_E_COUNT, SA, 0,
			    "SA response: %u proposals != 1", np);
	if (out)
		out->n_proposals = np;
	return 0;
}

int ike_sa_validate(const uint8_t *b, size_t len, unsigned int flags,
		    struct ike_perr *err)
{
	err_clear(err);
	return sa_walk(b, len, flags, NULL, err);
}

int ike_sa_parse(const uint8_t *b, size_t len, unsigned int flags,
		 struct ike_sa *out, struct ike_perr *err)
{
	if (!out)
		return fail(err, IKE_E_ARG, SA, 0, "NULL output");
	memset(out, 0, sizeof(*out));
	err_clear(err);
	return sa_walk(b, len, flags, out, err);
}

/* ---------------------------------------------------------------------- */
/* KE (§3.4)                                                              */
/* ---------------------------------------------------------------------- */

size_t ike_ke_data_len(uint16_t group)
{
	switch (group) {
	case PP_IKE_DH_MODP768:
		return 96;
	case PP_IKE_DH_MODP1024:
	case PP_IKE_DH_MODP1024_S160:
		return 128;
	case PP_IKE_DH_MODP1536:
		return 192;
	case PP_IKE_DH_MODP2048:
	case PP_IKE_DH_MODP2048_S224:
	case PP_IKE_DH_MODP2048_S256:
		return 256;
	case PP_IKE_DH_MODP3072:
		return 384;
	case PP_IKE_DH_MODP4096:
		return 512;
	case PP_IKE_DH_MODP6144:
		return 768;
	case PP_IKE_DH_MODP8192:
		return 1024;
	case PP_IKE_DH_ECP256:
	case PP_IKE_DH_BRAINPOOL256:
		return 64;
	case PP_IKE_DH_ECP384:
	case PP_IKE_DH_BRAINPOOL384:
		return 96;
	case PP_IKE_DH_ECP521:
		return 132;
	case PP_IKE_DH_ECP192:
		return 48;
	case PP_IKE_DH_ECP224:
	case PP_IKE_DH_BRAINPOOL224:
		return 56;
	case PP_IKE_DH_BRAINPOOL512:
		return 128;
	case PP_IKE_DH_CURVE25519:
		return 32;
	case PP_IKE_DH_CURVE448:
		return 56;
	default:
		return 0;
	}
}

static int ke_walk(const uint8_t *b, size_t len, struct ike_ke *out,
		   struct ike_perr *e)
{
	struct ike_rd r;
	uint16_t group, res;
	size_t want;

	ike_rd_init(&r, b, len);
	if (!ike_rd_u16(&r, &group) || !ike_rd_u16(&r, &res))
		return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_KE, 0,
			    "KE: body length %zu < %u", len,
			    PP_IKE_KE_HDR_LEN);
	if (group == PP_IKE_DH_NONE)
		return fail(e, IKE_E_VALUE, PP_IKE_PLD_KE, 0,
			    "KE: group %u (NONE)", group);
	want = ike_ke_data_len(group);
	if (want && ike_rd_left(&r) != want)
		return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_KE, PP_IKE_KE_HDR_LEN,
			    "KE: group %u data length %zu != %zu", group,
			    ike_rd_left(&r), want);
	if (ike_rd_left(&r) == 0)
		return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_KE, PP_IKE_KE_HDR_LEN,
			    "KE: group %u data length 0 < 1", group);
	if (out) {
		out->group = group;
		out->len = ike_rd_left(&r);
		if (!ike_rd_ptr(&r, out->len, &out->data))
			return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_KE, 0,
				    "KE: internal");
	}
	return 0;
}

int ike_ke_validate(const uint8_t *b, size_t len, struct ike_perr *err)
{
	err_clear(err);
	return ke_walk(b, len, NULL, err);
}

int ike_ke_parse(const uint8_t *b, size_t len, struct ike_ke *out,
		 struct ike_perr *err)
{
	if (!out)
		return fail(err, IKE_E_ARG, PP_IKE_PLD_KE, 0, "NULL output");
	memset(out, 0, sizeof(*out));
	err_clear(err);
	return ke_walk(b, len, out, err);
}

/* ---------------------------------------------------------------------- */
/* Nonce (§3.9)                                                           */
/* ---------------------------------------------------------------------- */

static int nonce_walk(const uint8_t *b, size_t len, struct ike_nonce *out,
		      struct ike_perr *e)
{
	if (len < PP_IKE_NONCE_MIN)
		return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_NONCE, 0,
			    "Nonce: length %zu < %u", len, PP_IKE_NONCE_MIN);
	if (len > PP_IKE_NONCE_MAX)
		return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_NONCE, 0,
			    "Nonce: length %zu > %u", len, PP_IKE_NONCE_MAX);
	if (out) {
		out->data = b;
		out->len = len;
	}
	return 0;
}

int ike_nonce_validate(const uint8_t *b, size_t len, struct ike_perr *err)
{
	err_clear(err);
	return nonce_walk(b, len, NULL, err);
}

int ike_nonce_parse(const uint8_t *b, size_t len, struct ike_nonce *out,
		    struct ike_perr *err)
{
	if (!out)
		return fail(err, IKE_E_ARG, PP_IKE_PLD_NONCE, 0,
			    "NULL output");
	memset(out, 0, sizeof(*out));
	err_clear(err);
	return nonce_walk(b, len, out, err);
}

/* ---------------------------------------------------------------------- */
/* ID (§3.5)                                                              */
/* ---------------------------------------------------------------------- */

static int id_walk(const uint8_t *b, size_t len, struct ike_id *out,
		   struct ike_perr *e)
{
	struct ike_rd r;
	uint8_t type;
	size_t dlen, want = 0;

	ike_rd_init(&r, b, len);
	if (!ike_rd_u8(&r, &type) || !ike_rd_skip(&r, 3))
		return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_IDI, 0,
			    "ID: body length %zu < %u", len,
			    PP_IKE_ID_HDR_LEN);
	dlen = ike_rd_left(&r);
	switch (type) {
	case 0:
		return fail(e, IKE_E_VALUE, PP_IKE_PLD_IDI, 0,
			    "ID: type %u is reserved", type);
	case PP_IKE_ID_IPV4_ADDR:
		want = 4;
		break;
	case PP_IKE_ID_IPV6_ADDR:
		want = 16;
		break;
	case PP_IKE_ID_FQDN:
	case PP_IKE_ID_RFC822_ADDR:
	case PP_IKE_ID_DER_ASN1_DN:
	case PP_IKE_ID_DER_ASN1_GN:
	case PP_IKE_ID_KEY_ID:
		if (dlen == 0)
			return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_IDI,
				    PP_IKE_ID_HDR_LEN,
				    "ID: type %u data length 0 < 1", type);
		break;
	default:
		break; /* ID_NULL and unknown types: any length */
	}
	if (want && dlen != want)
		return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_IDI,
			    PP_IKE_ID_HDR_LEN,
			    "ID: type %u data length %zu != %zu", type, dlen,
			    want);
	if (out) {
		out->type = type;
		out->len = dlen;
		if (!ike_rd_ptr(&r, dlen, &out->data))
			return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_IDI, 0,
				    "ID: internal");
	}
	return 0;
}

int ike_id_validate(const uint8_t *b, size_t len, struct ike_perr *err)
{
	err_clear(err);
	return id_walk(b, len, NULL, err);
}

int ike_id_parse(const uint8_t *b, size_t len, struct ike_id *out,
		 struct ike_perr *err)
{
	if (!out)
		return fail(err, IKE_E_ARG, PP_IKE_PLD_IDI, 0, "NULL output");
	memset(out, 0, sizeof(*out));
	err_clear(err);
	return id_walk(b, len, out, err);
}

/* ---------------------------------------------------------------------- */
/* CERT (§3.6) and CERTREQ (§3.7)                                         */
/* ---------------------------------------------------------------------- */

static int cert_walk(const uint8_t *b, size_t len, bool req,
		     struct ike_cert *out, struct ike_perr *e)
{
	struct ike_rd r;
	uint8_t enc;
	uint8_t pld = req ? PP_IKE_PLD_CERTREQ : PP_IKE_PLD_CERT;
	const char *name = req ? "CERTREQ" : "CERT";
	size_t dlen;

	ike_rd_init(&r, b, len);
	if (!ike_rd_u8(&r, &enc))
		return fail(e, IKE_E_BODY_LEN, pld, 0, "%s: body length %zu < %u",
			    name, len, PP_IKE_CERT_HDR_LEN);
	if (enc == 0)
		return fail(e, IKE_E_VALUE, pld, 0,
			    "%s: encoding %u is reserved", name, enc);
	dlen = ike_rd_left(&r);
	if (!req && dlen == 0)
		return fail(e, IKE_E_BODY_LEN, pld, PP_IKE_CERT_HDR_LEN,
			    "CERT: data length 0 < 1");
	/* CA list = concatenated SHA-1 hashes of SPKIs (§3.7) */
	if (req && enc == PP_IKE_CERT_X509_SIG &&
	    dlen % PP_IKE_CERTREQ_SHA1_LEN)
		return fail(e, IKE_E_BODY_LEN, pld, PP_IKE_CERT_HDR_LEN,
			    "CERTREQ: CA list length %zu not a multiple of "
			    "%u",
			    dlen, PP_IKE_CERTREQ_SHA1_LEN);
	if (out) {
		out->encoding = enc;
		out->len = dlen;
		if (!ike_rd_ptr(&r, dlen, &out->data))
			return fail(e, IKE_E_BODY_LEN, pld, 0, "%s: internal",
				    name);
	}
	return 0;
}

int ike_cert_validate(const uint8_t *b, size_t len, struct ike_perr *err)
{
	err_clear(err);
	return cert_walk(b, len, false, NULL, err);
}

int ike_cert_parse(const uint8_t *b, size_t len, struct ike_cert *out,
		   struct ike_perr *err)
{
	if (!out)
		return fail(err, IKE_E_ARG, PP_IKE_PLD_CERT, 0, "NULL output");
	memset(out, 0, sizeof(*out));
	err_clear(err);
	return cert_walk(b, len, false, out, err);
}

int ike_certreq_validate(const uint8_t *b, size_t len, struct ike_perr *err)
{
	err_clear(err);
	return cert_walk(b, len, true, NULL, err);
}

int ike_certreq_parse(const uint8_t *b, size_t len, struct ike_cert *out,
		      struct ike_perr *err)
{
	if (!out)
		return fail(err, IKE_E_ARG, PP_IKE_PLD_CERTREQ, 0,
			    "NULL output");
	memset(out, 0, sizeof(*out));
	err_clear(err);
	return cert_walk(b, len, true, out, err);
}

/* ---------------------------------------------------------------------- */
/* AUTH (§3.8)                                                            */
/* ---------------------------------------------------------------------- */

static int auth_walk(const uint8_t *b, size_t len, struct ike_auth *out,
		     struct ike_perr *e)
{
	struct ike_rd r;
	uint8_t method;

	ike_rd_init(&r, b, len);
	if (!ike_rd_u8(&r, &method) || !ike_rd_skip(&r, 3))
		return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_AUTH, 0,
			    "AUTH: body length %zu < %u", len,
			    PP_IKE_AUTH_HDR_LEN);
	if (method == 0)
		return fail(e, IKE_E_VALUE, PP_IKE_PLD_AUTH, 0,
			    "AUTH: method %u is reserved", method);
	if (ike_rd_left(&r) == 0)
		return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_AUTH,
			    PP_IKE_AUTH_HDR_LEN,
			    "AUTH: data length 0 < 1");
	if (out) {
		out->method = method;
		out->len = ike_rd_left(&r);
		if (!ike_rd_ptr(&r, out->len, &out->data))
			return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_AUTH, 0,
				    "AUTH: internal");
	}
	return 0;
}

int ike_auth_validate(const uint8_t *b, size_t len, struct ike_perr *err)
{
	err_clear(err);
	return auth_walk(b, len, NULL, err);
}

int ike_auth_parse(const uint8_t *b, size_t len, struct ike_auth *out,
		   struct ike_perr *err)
{
	if (!out)
		return fail(err, IKE_E_ARG, PP_IKE_PLD_AUTH, 0, "NULL output");
	memset(out, 0, sizeof(*out));
	err_clear(err);
	return auth_walk(b, len, out, err);
}

/* ---------------------------------------------------------------------- */
/* Notify (§3.10)                                                         */
/* ---------------------------------------------------------------------- */

/* Data lengths fixed by the notify's definition: min..max (§3.10.1,
 * §2.6, §2.23, RFC 7383 §2.3). */
struct notify_len {
	uint16_t type;
	uint16_t min, max;
	bool even;
};

static const struct notify_len notify_lens[] = {
	{ PP_IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, 1, 1, false },
	{ PP_IKE_N_INVALID_MESSAGE_ID, 4, 4, false },
	{ PP_IKE_N_INVALID_KE_PAYLOAD, 2, 2, false },
	{ PP_IKE_N_SET_WINDOW_SIZE, 4, 4, false },
	{ PP_IKE_N_NAT_DETECTION_SOURCE_IP, PP_IKE_NAT_D_LEN,
	  PP_IKE_NAT_D_LEN, false },
	{ PP_IKE_N_NAT_DETECTION_DESTINATION_IP, PP_IKE_NAT_D_LEN,
	  PP_IKE_NAT_D_LEN, false },
	{ PP_IKE_N_COOKIE, PP_IKE_COOKIE_MIN, PP_IKE_COOKIE_MAX, false },
	{ PP_IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, 0, 0, false },
	{ PP_IKE_N_SIGNATURE_HASH_ALGORITHMS, 0, PP_IKE_PLD_LEN_MAX, true },
};

static int notify_walk(const uint8_t *b, size_t len, struct ike_notify *out,
		       struct ike_perr *e)
{
	struct ike_rd r;
	uint8_t proto, spisz, spi[8] = { 0 };
	uint16_t type;
	size_t dlen;
	const uint8_t *data = NULL;

	ike_rd_init(&r, b, len);
	if (!ike_rd_u8(&r, &proto) || !ike_rd_u8(&r, &spisz) ||
	    !ike_rd_u16(&r, &type))
		return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_NOTIFY, 0,
			    "Notify: body length %zu < %u", len,
			    PP_IKE_NOTIFY_HDR_LEN);
	if (type == 0)
		return fail(e, IKE_E_VALUE, PP_IKE_PLD_NOTIFY, 2,
			    "Notify: type %u is reserved", type);
	/* §3.10: no SPI -> Protocol ID ignored; Child SA SPIs are 4 bytes
	 * with AH/ESP; an 8-byte IKE SPI is tolerated. */
	switch (spisz) {
	case 0:
		break;
	case PP_IKE_CHILD_SPI_LEN:
		if (proto == PP_IKE_PROTO_AH || proto == PP_IKE_PROTO_ESP)
			break;
		return fail(e, IKE_E_SPI_SIZE, PP_IKE_PLD_NOTIFY, 1,
			    "Notify %u: SPI size %u for protocol %u (AH/ESP "
			    "only)",
			    type, spisz, proto);
	case PP_IKE_SPI_LEN:
		if (proto == PP_IKE_PROTO_IKE)
			break;
		return fail(e, IKE_E_SPI_SIZE, PP_IKE_PLD_NOTIFY, 1,
			    "Notify %u: SPI size %u for protocol %u (IKE "
			    "only)",
			    type, spisz, proto);
	default:
		return fail(e, IKE_E_SPI_SIZE, PP_IKE_PLD_NOTIFY, 1,
			    "Notify %u: SPI size %u not 0, %u or %u", type,
			    spisz, PP_IKE_CHILD_SPI_LEN, PP_IKE_SPI_LEN);
	}
	if (!ike_rd_copy(&r, spi, spisz))
		return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_NOTIFY, 1,
			    "Notify %u: body length %zu < %u + SPI size %u",
			    type, len, PP_IKE_NOTIFY_HDR_LEN, spisz);
	/* REKEY_SA names the Child SA being rekeyed (§1.3.3, §3.10.1) */
	if (type == PP_IKE_N_REKEY_SA && spisz != PP_IKE_CHILD_SPI_LEN)
		return fail(e, IKE_E_SPI_SIZE, PP_IKE_PLD_NOTIFY, 1,
			    "Notify REKEY_SA: SPI size %u != %u", spisz,
			    PP_IKE_CHILD_SPI_LEN);
	dlen = ike_rd_left(&r);
	for (size_t i = 0; i < sizeof(notify_lens) / sizeof(notify_lens[0]);
	     i++) {
		const struct notify_len *nl = &notify_lens[i];

		if (nl->type != type)
			continue;
		if (nl->min == nl->max && dlen != nl->min)
			return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_NOTIFY,
				    r.off, "Notify %u: data length %zu != %u",
				    type, dlen, nl->min);
		if (dlen < nl->min || dlen > nl->max)
			return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_NOTIFY,
				    r.off,
				    "Notify %u: data length %zu not in %u..%u",
				    type, dlen, nl->min, nl->max);
		if (nl->even && dlen % 2)
			return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_NOTIFY,
				    r.off,
				    "Notify %u: data length %zu not a "
				    "multiple of 2",
				    type, dlen);
	}
	if (!ike_rd_ptr(&r, dlen, &data))
		return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_NOTIFY, 0,
			    "Notify: internal");
	if (out) {
		out->protocol = proto;
		out->spi_size = spisz;
		out->type = type;
		memcpy(out->spi, spi, sizeof(spi));
		out->data = data;
		out->len = dlen;
	}
	return 0;
}

int ike_notify_validate(const uint8_t *b, size_t len, struct ike_perr *err)
{
	err_clear(err);
	return notify_walk(b, len, NULL, err);
}

int ike_notify_parse(const uint8_t *b, size_t len, struct ike_notify *out,
		     struct ike_perr *err)
{
	if (!out)
		return fail(err, IKE_E_ARG, PP_IKE_PLD_NOTIFY, 0,
			    "NULL output");
	memset(out, 0, sizeof(*out));
	err_clear(err);
	return notify_walk(b, len, out, err);
}

/* ---------------------------------------------------------------------- */
/* Delete (§3.11)                                                         */
/* ---------------------------------------------------------------------- */

static int delete_walk(const uint8_t *b, size_t len, struct ike_delete *out,
		       struct ike_perr *e)
{
	struct ike_rd r;
	uint8_t proto, spisz, want;
	uint16_t n;
	size_t have, need;
	const uint8_t *spis = NULL;

	ike_rd_init(&r, b, len);
	if (!ike_rd_u8(&r, &proto) || !ike_rd_u8(&r, &spisz) ||
	    !ike_rd_u16(&r, &n))
		return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_DELETE, 0,
			    "Delete: body length %zu < %u", len,
			    PP_IKE_DELETE_HDR_LEN);
	switch (proto) {
	case PP_IKE_PROTO_IKE:
		want = 0; /* the SPIs are in the header */
		break;
	case PP_IKE_PROTO_AH:
	case PP_IKE_PROTO_ESP:
		want = PP_IKE_CHILD_SPI_LEN;
		break;
	default:
		return fail(e, IKE_E_PROTOCOL, PP_IKE_PLD_DELETE, 0,
			    "Delete: protocol %u not 1..3", proto);
	}
	if (spisz != want)
		return fail(e, IKE_E_SPI_SIZE, PP_IKE_PLD_DELETE, 1,
			    "Delete: SPI size %u for protocol %u, want %u",
			    spisz, proto, want);
	if (proto == PP_IKE_PROTO_IKE && n != 0)
		return fail(e, IKE_E_COUNT, PP_IKE_PLD_DELETE, 2,
			    "Delete IKE SA: %u SPIs, want 0", n);
	if (proto != PP_IKE_PROTO_IKE && n == 0)
		return fail(e, IKE_E_COUNT, PP_IKE_PLD_DELETE, 2,
			    "Delete: protocol %u with 0 SPIs", proto);
	have = ike_rd_left(&r);
	need = (size_t)n * spisz;
	if (have != need)
		return fail(e, IKE_E_COUNT, PP_IKE_PLD_DELETE, 2,
			    "Delete: %u SPIs x %u bytes = %zu != %zu bytes "
			    "present",
			    n, spisz, need, have);
	if (!ike_rd_ptr(&r, need, &spis))
		return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_DELETE, 0,
			    "Delete: internal");
	if (out) {
		out->protocol = proto;
		out->spi_size = spisz;
		out->n_spis = n;
		out->spis = spis;
	}
	return 0;
}

uint32_t ike_delete_spi(const struct ike_delete *d, unsigned int i)
{
	const uint8_t *p;

	if (!d || d->spi_size != PP_IKE_CHILD_SPI_LEN || i >= d->n_spis ||
	    !d->spis)
		return 0;
	p = d->spis + (size_t)i * PP_IKE_CHILD_SPI_LEN;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

int ike_delete_validate(const uint8_t *b, size_t len, struct ike_perr *err)
{
	err_clear(err);
	return delete_walk(b, len, NULL, err);
}

int ike_delete_parse(const uint8_t *b, size_t len, struct ike_delete *out,
		     struct ike_perr *err)
{
	if (!out)
		return fail(err, IKE_E_ARG, PP_IKE_PLD_DELETE, 0,
			    "NULL output");
	memset(out, 0, sizeof(*out));
	err_clear(err);
	return delete_walk(b, len, out, err);
}

/* ---------------------------------------------------------------------- */
/* Vendor ID (§3.12)                                                      */
/* ---------------------------------------------------------------------- */

static int vendor_walk(const uint8_t *b, size_t len, struct ike_vendor *out,
		       struct ike_perr *e)
{
	if (len == 0)
		return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_VENDOR, 0,
			    "VendorID: length 0 < 1");
	if (out) {
		out->data = b;
		out->len = len;
	}
	return 0;
}

int ike_vendor_validate(const uint8_t *b, size_t len, struct ike_perr *err)
{
	err_clear(err);
	return vendor_walk(b, len, NULL, err);
}

int ike_vendor_parse(const uint8_t *b, size_t len, struct ike_vendor *out,
		     struct ike_perr *err)
{
	if (!out)
		return fail(err, IKE_E_ARG, PP_IKE_PLD_VENDOR, 0,
			    "NULL output");
	memset(out, 0, sizeof(*out));
	err_clear(err);
	return vendor_walk(b, len, out, err);
}

/* ---------------------------------------------------------------------- */
/* Traffic selectors (§3.13)                                              */
/* ---------------------------------------------------------------------- */

#define TS PP_IKE_PLD_TSI

static int ts_walk(const uint8_t *b, size_t len, struct ike_ts *out,
		   struct ike_perr *e)
{
	struct ike_rd r;
	uint8_t n;

	ike_rd_init(&r, b, len);
	if (!ike_rd_u8(&r, &n) || !ike_rd_skip(&r, 3))
		return fail(e, IKE_E_BODY_LEN, TS, 0, "TS: body length %zu < %u",
			    len, PP_IKE_TS_HDR_LEN);
	if (n == 0)
		return fail(e, IKE_E_COUNT, TS, 0, "TS: 0 selectors");
	if (n > IKE_TS_MAX)
		return fail(e, IKE_E_LIMIT, TS, 0, "TS: %u selectors > limit %u",
			    n, IKE_TS_MAX);
	for (unsigned int i = 0; i < n; i++) {
		size_t soff = r.off, left = ike_rd_left(&r), alen, want;
		uint8_t type, proto, start[16], end[16];
		uint16_t slen, sp, ep;

		if (left == 0)
			return fail(e, IKE_E_COUNT, TS, soff,
				    "TS: %u selectors declared, body length "
				    "%zu holds %u",
				    n, len, i);
		if (!ike_rd_u8(&r, &type) || !ike_rd_u8(&r, &proto) ||
		    !ike_rd_u16(&r, &slen) || !ike_rd_u16(&r, &sp) ||
		    !ike_rd_u16(&r, &ep))
			return fail(e, IKE_E_SUB_LEN, TS, soff,
				    "TS selector %u: header needs %u bytes, "
				    "%zu left",
				    i + 1, PP_IKE_TS_SEL_HDR_LEN, left);
		switch (type) {
		case PP_IKE_TS_IPV4_ADDR_RANGE:
			alen = 4;
			want = PP_IKE_TS_SEL_IPV4_LEN;
			break;
		case PP_IKE_TS_IPV6_ADDR_RANGE:
			alen = 16;
			want = PP_IKE_TS_SEL_IPV6_LEN;
			break;
		default:
			return fail(e, IKE_E_VALUE, TS, soff,
				    "TS selector %u: type %u not %u or %u",
				    i + 1, type, PP_IKE_TS_IPV4_ADDR_RANGE,
				    PP_IKE_TS_IPV6_ADDR_RANGE);
		}
		if (slen != want)
			return fail(e, IKE_E_SUB_LEN, TS, soff + 2,
				    "TS selector %u: type %u length %u != %zu",
				    i + 1, type, slen, want);
		if (slen > left)
			return fail(e, IKE_E_SUB_LEN, TS, soff + 2,
				    "TS selector %u: length %u > %zu bytes "
				    "left",
				    i + 1, slen, left);
		if (!ike_rd_copy(&r, start, alen) ||
		    !ike_rd_copy(&r, end, alen))
			return fail(e, IKE_E_SUB_LEN, TS, soff, "TS: internal");
		/* §3.13.1: start <= end, except OPAQUE ports (65535..0) */
		if (sp > ep && !(sp == PP_IKE_TS_PORT_OPAQUE_START &&
				 ep == PP_IKE_TS_PORT_OPAQUE_END))
			return fail(e, IKE_E_TS_RANGE, TS, soff + 4,
				    "TS selector %u: start port %u > end port "
				    "%u",
				    i + 1, sp, ep);
		if (memcmp(start, end, alen) > 0)
			return fail(e, IKE_E_TS_RANGE, TS,
				    soff + PP_IKE_TS_SEL_OFF_START_ADDR,
				    "TS selector %u: start address > end "
				    "address (first bytes %u > %u)",
				    i + 1, start[0], end[0]);
		if (out) {
			struct ike_ts_sel *s = &out->sel[i];

			s->type = type;
			s->ip_proto = proto;
			s->start_port = sp;
			s->end_port = ep;
			memcpy(s->start, start, alen);
			memcpy(s->end, end, alen);
		}
	}
	if (ike_rd_left(&r) > 0)
		return fail(e, IKE_E_COUNT, TS, r.off,
			    "TS: %zu bytes after %u selectors (body length "
			    "%zu)",
			    ike_rd_left(&r), n, len);
	if (out)
		out->n = n;
	return 0;
}

int ike_ts_validate(const uint8_t *b, size_t len, struct ike_perr *err)
{
	err_clear(err);
	return ts_walk(b, len, NULL, err);
}

int ike_ts_parse(const uint8_t *b, size_t len, struct ike_ts *out,
		 struct ike_perr *err)
{
	if (!out)
		return fail(err, IKE_E_ARG, TS, 0, "NULL output");
	memset(out, 0, sizeof(*out));
	err_clear(err);
	return ts_walk(b, len, out, err);
}

/* ---------------------------------------------------------------------- */
/* Configuration payload (§3.15)                                          */
/* ---------------------------------------------------------------------- */

/* Allowed value lengths per attribute type (§3.15.1; RFC 7651; RFC 8598):
 * a = b = -1 for "any", else a or b; mult for SUPPORTED_ATTRIBUTES. */
static bool cp_len_ok(uint16_t type, uint16_t len, char *want, size_t wlen)
{
	int a = -1, b = -1;

	switch (type) {
	case PP_IKE_CP_INTERNAL_IP4_ADDRESS:
	case PP_IKE_CP_INTERNAL_IP4_NETMASK:
	case PP_IKE_CP_INTERNAL_IP4_DNS:
	case PP_IKE_CP_INTERNAL_IP4_NBNS:
	case PP_IKE_CP_INTERNAL_IP4_DHCP:
	case PP_IKE_CP_P_CSCF_IP4_ADDRESS:
		a = 0, b = 4;
		break;
	case PP_IKE_CP_INTERNAL_IP6_ADDRESS:
	case PP_IKE_CP_INTERNAL_IP6_SUBNET: /* 17; 0 accepted in requests */
		a = 0, b = 17;
		break;
	case PP_IKE_CP_INTERNAL_IP6_DNS:
	case PP_IKE_CP_INTERNAL_IP6_DHCP:
	case PP_IKE_CP_P_CSCF_IP6_ADDRESS:
		a = 0, b = 16;
		break;
	case PP_IKE_CP_INTERNAL_IP4_SUBNET:
		a = 0, b = 8;
		break;
	case PP_IKE_CP_SUPPORTED_ATTRIBUTES:
		snprintf(want, wlen, "a multiple of 2");
		return len % 2 == 0;
	default:
		return true; /* APPLICATION_VERSION, DNS domain, unknown */
	}
	snprintf(want, wlen, "%d or %d", a, b);
	return len == a || len == b;
}

static int cp_walk(const uint8_t *b, size_t len, struct ike_cp *out,
		   struct ike_perr *e)
{
	struct ike_rd r;
	uint8_t type;
	unsigned int n = 0;

	ike_rd_init(&r, b, len);
	if (!ike_rd_u8(&r, &type) || !ike_rd_skip(&r, 3))
		return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_CP, 0,
			    "CP: body length %zu < %u", len,
			    PP_IKE_CP_HDR_LEN);
	if (type < PP_IKE_CFG_REQUEST || type > PP_IKE_CFG_ACK)
		return fail(e, IKE_E_VALUE, PP_IKE_PLD_CP, 0,
			    "CP: CFG type %u not %u..%u", type,
			    PP_IKE_CFG_REQUEST, PP_IKE_CFG_ACK);
	while (ike_rd_left(&r) > 0) {
		size_t aoff = r.off, left = ike_rd_left(&r);
		uint16_t at, al;
		const uint8_t *v = NULL;
		char want[32];

		if (n == IKE_CP_MAX_ATTRS)
			return fail(e, IKE_E_LIMIT, PP_IKE_PLD_CP, aoff,
				    "CP: attribute %u > limit %u", n + 1,
				    IKE_CP_MAX_ATTRS);
		if (!ike_rd_u16(&r, &at) || !ike_rd_u16(&r, &al))
			return fail(e, IKE_E_SUB_LEN, PP_IKE_PLD_CP, aoff,
				    "CP attribute %u: header needs %u bytes, "
				    "%zu left",
				    n + 1, PP_IKE_CP_ATTR_HDR_LEN, left);
		at &= PP_IKE_CP_ATTR_TYPE_MASK; /* R bit: ignored (§3.15.1) */
		if (!ike_rd_ptr(&r, al, &v))
			return fail(e, IKE_E_SUB_LEN, PP_IKE_PLD_CP, aoff + 2,
				    "CP attribute %u (type %u): length %u > "
				    "%zu bytes left",
				    n + 1, at, al, left - PP_IKE_CP_ATTR_HDR_LEN);
		if (!cp_len_ok(at, al, want, sizeof(want)))
			return fail(e, IKE_E_ATTR, PP_IKE_PLD_CP, aoff + 2,
				    "CP attribute %u (type %u): length %u, "
				    "want %s",
				    n + 1, at, al, want);
		if (out) {
			out->attr[n].type = at;
			out->attr[n].len = al;
			out->attr[n].value = v;
		}
		n++;
	}
	if (out) {
		out->cfg_type = type;
		out->n = n;
	}
	return 0;
}

int ike_cp_validate(const uint8_t *b, size_t len, struct ike_perr *err)
{
	err_clear(err);
	return cp_walk(b, len, NULL, err);
}

int ike_cp_parse(const uint8_t *b, size_t len, struct ike_cp *out,
		 struct ike_perr *err)
{
	if (!out)
		return fail(err, IKE_E_ARG, PP_IKE_PLD_CP, 0, "NULL output");
	memset(out, 0, sizeof(*out));
	err_clear(err);
	return cp_walk(b, len, out, err);
}

/* ---------------------------------------------------------------------- */
/* EAP (§3.16, RFC 3748 §4)                                               */
/* ---------------------------------------------------------------------- */

static int eap_walk(const uint8_t *b, size_t len, struct ike_eap *out,
		    struct ike_perr *e)
{
	struct ike_rd r;
	uint8_t code, id, type = 0;
	uint16_t elen;

	ike_rd_init(&r, b, len);
	if (!ike_rd_u8(&r, &code) || !ike_rd_u8(&r, &id) ||
	    !ike_rd_u16(&r, &elen))
		return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_EAP, 0,
			    "EAP: body length %zu < %u", len,
			    PP_IKE_EAP_HDR_LEN);
	if (elen != len)
		return fail(e, IKE_E_SUB_LEN, PP_IKE_PLD_EAP, 2,
			    "EAP: length field %u != body length %zu", elen,
			    len);
	switch (code) {
	case PP_IKE_EAP_CODE_REQUEST:
	case PP_IKE_EAP_CODE_RESPONSE:
		if (!ike_rd_u8(&r, &type))
			return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_EAP, 4,
				    "EAP code %u: length %zu < %u (no Type)",
				    code, len, PP_IKE_EAP_HDR_LEN + 1);
		break;
	case PP_IKE_EAP_CODE_SUCCESS:
	case PP_IKE_EAP_CODE_FAILURE:
		if (len != PP_IKE_EAP_HDR_LEN)
			return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_EAP, 2,
				    "EAP code %u: length %zu != %u", code, len,
				    PP_IKE_EAP_HDR_LEN);
		break;
	default:
		return fail(e, IKE_E_VALUE, PP_IKE_PLD_EAP, 0,
			    "EAP: code %u not 1..4", code);
	}
	if (out) {
		out->code = code;
		out->id = id;
		out->type = type;
		out->len = ike_rd_left(&r);
		if (!ike_rd_ptr(&r, out->len, &out->data))
			return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_EAP, 0,
				    "EAP: internal");
	}
	return 0;
}

int ike_eap_validate(const uint8_t *b, size_t len, struct ike_perr *err)
{
	err_clear(err);
	return eap_walk(b, len, NULL, err);
}

int ike_eap_parse(const uint8_t *b, size_t len, struct ike_eap *out,
		  struct ike_perr *err)
{
	if (!out)
		return fail(err, IKE_E_ARG, PP_IKE_PLD_EAP, 0, "NULL output");
	memset(out, 0, sizeof(*out));
	err_clear(err);
	return eap_walk(b, len, out, err);
}

/* ---------------------------------------------------------------------- */
/* SK (§3.14) and SKF (RFC 7383 §2.5)                                     */
/* ---------------------------------------------------------------------- */

static bool sk_params_ok(size_t iv_len, size_t icv_len, size_t block)
{
	return iv_len <= IKE_IV_MAX && icv_len <= IKE_ICV_MAX && block >= 1 &&
	       block <= IKE_BLOCK_MAX;
}

/* IV | ciphertext | ICV in @len bytes starting at body offset @base. */
static int sk_split(uint8_t pld, size_t base, size_t len, size_t iv_len,
		    size_t icv_len, size_t block, struct ike_sk *out,
		    struct ike_perr *e)
{
	size_t ct;

	if (len < iv_len + 1 + icv_len)
		return fail(e, IKE_E_SK_LEN, pld, base,
			    "%s: %zu bytes < IV %zu + 1 + ICV %zu",
			    ike_pld_name(pld), len, iv_len, icv_len);
	ct = len - iv_len - icv_len;
	if (ct % block)
		return fail(e, IKE_E_SK_LEN, pld, base + iv_len,
			    "%s: encrypted length %zu not a multiple of "
			    "block %zu",
			    ike_pld_name(pld), ct, block);
	if (out) {
		out->iv_off = (uint32_t)base;
		out->iv_len = (uint32_t)iv_len;
		out->ct_off = (uint32_t)(base + iv_len);
		out->ct_len = (uint32_t)ct;
		out->icv_off = (uint32_t)(base + iv_len + ct);
		out->icv_len = (uint32_t)icv_len;
	}
	return 0;
}

static int sk_walk(const uint8_t *b, size_t len, size_t iv_len,
		   size_t icv_len, size_t block, struct ike_sk *out,
		   struct ike_perr *e)
{
	(void)b;
	if (!sk_params_ok(iv_len, icv_len, block) || len > UINT32_MAX)
		return fail(e, IKE_E_ARG, PP_IKE_PLD_SK, 0,
			    "SK: IV %zu / ICV %zu / block %zu out of range",
			    iv_len, icv_len, block);
	return sk_split(PP_IKE_PLD_SK, 0, len, iv_len, icv_len, block, out,
			e);
}

int ike_sk_validate(const uint8_t *b, size_t len, size_t iv_len,
		    size_t icv_len, size_t block, struct ike_perr *err)
{
	err_clear(err);
	return sk_walk(b, len, iv_len, icv_len, block, NULL, err);
}

int ike_sk_parse(const uint8_t *b, size_t len, size_t iv_len, size_t icv_len,
		 size_t block, struct ike_sk *out, struct ike_perr *err)
{
	if (!out)
		return fail(err, IKE_E_ARG, PP_IKE_PLD_SK, 0, "NULL output");
	memset(out, 0, sizeof(*out));
	err_clear(err);
	return sk_walk(b, len, iv_len, icv_len, block, out, err);
}

static int skf_walk(const uint8_t *b, size_t len, uint8_t next,
		    size_t iv_len, size_t icv_len, size_t block,
		    struct ike_sk *out, struct ike_perr *e)
{
	struct ike_rd r;
	uint16_t num, total;

	if (!sk_params_ok(iv_len, icv_len, block) || len > UINT32_MAX)
		return fail(e, IKE_E_ARG, PP_IKE_PLD_SKF, 0,
			    "SKF: IV %zu / ICV %zu / block %zu out of range",
			    iv_len, icv_len, block);
	ike_rd_init(&r, b, len);
	if (!ike_rd_u16(&r, &num) || !ike_rd_u16(&r, &total))
		return fail(e, IKE_E_BODY_LEN, PP_IKE_PLD_SKF, 0,
			    "SKF: body length %zu < %u", len,
			    PP_IKE_SKF_HDR_LEN);
	/* RFC 7383 §2.5: number 1..total, neither 0; Next Payload only in
	 * fragment 1 */
	if (total == 0)
		return fail(e, IKE_E_FRAG, PP_IKE_PLD_SKF, PP_IKE_SKF_OFF_TOTAL,
			    "SKF: Total Fragments 0");
	if (num == 0 || num > total)
		return fail(e, IKE_E_FRAG, PP_IKE_PLD_SKF, PP_IKE_SKF_OFF_NUM,
			    "SKF: Fragment Number %u not in 1..%u", num,
			    total);
	if (num > 1 && next != PP_IKE_PLD_NONE)
		return fail(e, IKE_E_FRAG, PP_IKE_PLD_SKF, 0,
			    "SKF: fragment %u has Next Payload %u, not 0", num,
			    next);
	if (out) {
		out->frag_num = num;
		out->frag_total = total;
	}
	return sk_split(PP_IKE_PLD_SKF, PP_IKE_SKF_HDR_LEN,
			len - PP_IKE_SKF_HDR_LEN, iv_len, icv_len, block, out,
			e);
}

int ike_skf_validate(const uint8_t *b, size_t len, uint8_t next,
		     size_t iv_len, size_t icv_len, size_t block,
		     struct ike_perr *err)
{
	err_clear(err);
	return skf_walk(b, len, next, iv_len, icv_len, block, NULL, err);
}

int ike_skf_parse(const uint8_t *b, size_t len, uint8_t next, size_t iv_len,
		  size_t icv_len, size_t block, struct ike_sk *out,
		  struct ike_perr *err)
{
	if (!out)
		return fail(err, IKE_E_ARG, PP_IKE_PLD_SKF, 0, "NULL output");
	memset(out, 0, sizeof(*out));
	err_clear(err);
	return skf_walk(b, len, next, iv_len, icv_len, block, out, err);
}

int ike_msg_sk(const struct ike_msg *m, size_t iv_len, size_t icv_len,
	       size_t block, struct ike_sk_layout *out, struct ike_perr *err)
{
	const struct ike_pld *p;
	struct ike_sk sk;
	int rc;

	if (!m || !out)
		return fail(err, IKE_E_ARG, 0, 0, "NULL argument");
	memset(out, 0, sizeof(*out));
	if (m->chain.sk < 0 || (unsigned int)m->chain.sk >= m->chain.n) {
		fail(err, IKE_E_MISSING, PP_IKE_PLD_SK, 0,
		     "no SK or SKF payload (%u payloads)", m->chain.n);
		return -ENOENT;
	}
	p = &m->chain.pld[m->chain.sk];
	if (p->type == PP_IKE_PLD_SK)
		rc = ike_sk_parse(ike_pld_body(&m->chain, (unsigned int)m->chain.sk),
				  p->body_len, iv_len, icv_len, block, &sk, err);
	else
		rc = ike_skf_parse(
			ike_pld_body(&m->chain, (unsigned int)m->chain.sk),
			p->body_len, p->next, iv_len, icv_len, block, &sk, err);
	if (rc) {
		err_rebase(err, p->type, p->body_off);
		return rc;
	}
	out->type = p->type;
	out->first = p->next;
	out->frag_num = sk.frag_num;
	out->frag_total = sk.frag_total;
	out->pld_off = p->off;
	out->iv_off = p->body_off + sk.iv_off;
	out->aad_len = out->iv_off;
	out->iv_len = sk.iv_len;
	out->ct_off = p->body_off + sk.ct_off;
	out->ct_len = sk.ct_len;
	out->icv_off = p->body_off + sk.icv_off;
	out->icv_len = sk.icv_len;
	return 0;
}

int ike_sk_unpad(const uint8_t *plain, size_t len, size_t *inner_len,
		 struct ike_perr *err)
{
	uint8_t pad;

	if (!inner_len || (!plain && len))
		return fail(err, IKE_E_ARG, PP_IKE_PLD_SK, 0, "NULL argument");
	*inner_len = 0;
	if (len == 0)
		return fail(err, IKE_E_PAD, PP_IKE_PLD_SK, 0,
			    "SK: plaintext length 0, no Pad Length byte");
	pad = plain[len - 1];
	if ((size_t)pad + 1 > len)
		return fail(err, IKE_E_PAD, PP_IKE_PLD_SK, len - 1,
			    "SK: Pad Length %u + 1 > plaintext length %zu",
			    pad, len);
	*inner_len = len - 1 - pad;
	err_clear(err);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Body dispatcher                                                        */
/* ---------------------------------------------------------------------- */

int ike_chain_check_bodies(const struct ike_chain *c, bool response,
			   struct ike_perr *err)
{
	if (!c)
		return fail(err, IKE_E_ARG, 0, 0, "NULL chain");
	for (unsigned int i = 0; i < c->n; i++) {
		const struct ike_pld *p = &c->pld[i];
		const uint8_t *b = ike_pld_body(c, i);
		size_t len = p->body_len;
		int rc;

		switch (p->type) {
		case PP_IKE_PLD_SA:
			rc = ike_sa_validate(b, len,
					     response ? IKE_SA_F_RESPONSE : 0,
					     err);
			break;
		case PP_IKE_PLD_KE:
			rc = ike_ke_validate(b, len, err);
			break;
		case PP_IKE_PLD_IDI:
		case PP_IKE_PLD_IDR:
			rc = ike_id_validate(b, len, err);
			break;
		case PP_IKE_PLD_CERT:
			rc = ike_cert_validate(b, len, err);
			break;
		case PP_IKE_PLD_CERTREQ:
			rc = ike_certreq_validate(b, len, err);
			break;
		case PP_IKE_PLD_AUTH:
			rc = ike_auth_validate(b, len, err);
			break;
		case PP_IKE_PLD_NONCE:
			rc = ike_nonce_validate(b, len, err);
			break;
		case PP_IKE_PLD_NOTIFY:
			rc = ike_notify_validate(b, len, err);
			break;
		case PP_IKE_PLD_DELETE:
			rc = ike_delete_validate(b, len, err);
			break;
		case PP_IKE_PLD_VENDOR:
			rc = ike_vendor_validate(b, len, err);
			break;
		case PP_IKE_PLD_TSI:
		case PP_IKE_PLD_TSR:
			rc = ike_ts_validate(b, len, err);
			break;
		case PP_IKE_PLD_CP:
			rc = ike_cp_validate(b, len, err);
			break;
		case PP_IKE_PLD_EAP:
			rc = ike_eap_validate(b, len, err);
			break;
		default:
			rc = 0; /* SK/SKF: ike_msg_sk(); unknown: skipped */
			break;
		}
		if (rc) {
			err_rebase(err, p->type, p->body_off);
			return rc;
		}
	}
	err_clear(err);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Generator                                                              */
/* ---------------------------------------------------------------------- */

static int gen_fail(struct ike_gen *g, int err)
{
	if (!g->err)
		g->err = err;
	return g->err;
}

/* Append @n zero bytes; NULL (and a sticky -ENOSPC) when they do not fit. */
static uint8_t *gen_put(struct ike_gen *g, size_t n)
{
	uint8_t *p;

	if (g->err)
		return NULL;
	if (n > g->cap - g->len) {
		gen_fail(g, -ENOSPC);
		return NULL;
	}
	p = g->buf + g->len;
	if (n)
		memset(p, 0, n);
	g->len += n;
	return p;
}

static int gen_bytes(struct ike_gen *g, const void *data, size_t n)
{
	uint8_t *p;

	if (n && !data)
		return gen_fail(g, -EINVAL);
	p = gen_put(g, n);
	if (!p)
		return g->err;
	if (n)
		memcpy(p, data, n);
	return 0;
}

/* Start a payload: generic header, chain it to the previous one. */
static int gen_open(struct ike_gen *g, uint8_t type, bool critical,
		    size_t *off)
{
	uint8_t *p;
	size_t o;

	if (g->err)
		return g->err;
	if (g->done || g->sk_type == PP_IKE_PLD_SKF ||
	    ((type == PP_IKE_PLD_SK || type == PP_IKE_PLD_SKF) &&
	     g->sk_off != IKE_GEN_NONE))
		return gen_fail(g, -EINVAL);
	if (g->n == IKE_CHAIN_MAX)
		return gen_fail(g, -EMSGSIZE);
	o = g->len;
	p = gen_put(g, PLD_HDR);
	if (!p)
		return g->err;
	p[PP_IKE_PLD_OFF_FLAGS] = critical ? PP_IKE_PLD_CRITICAL : 0;
	if (g->np == IKE_GEN_NONE)
		g->first = type;
	else
		g->buf[g->np] = type;
	g->np = o + PP_IKE_PLD_OFF_NEXT;
	g->n++;
	*off = o;
	return 0;
}

/* Finish a payload: write its length, then check the body. */
static int gen_close(struct ike_gen *g, size_t off,
		     int (*check)(const uint8_t *, size_t, struct ike_perr *))
{
	size_t plen = g->len - off;

	if (g->err)
		return g->err;
	if (plen > PP_IKE_PLD_LEN_MAX)
		return gen_fail(g, -EMSGSIZE);
	put16(g->buf + off + PP_IKE_PLD_OFF_LENGTH, (uint16_t)plen);
	if (check && check(g->buf + off + PLD_HDR, plen - PLD_HDR, NULL))
		return gen_fail(g, -EINVAL);
	return 0;
}

static void gen_reset(struct ike_gen *g, uint8_t *buf, size_t cap)
{
	memset(g, 0, sizeof(*g));
	g->buf = buf;
	g->cap = buf ? cap : 0;
	g->np = IKE_GEN_NONE;
	g->sk_off = IKE_GEN_NONE;
	g->sk_plain = IKE_GEN_NONE;
}

int ike_gen_init(struct ike_gen *g, uint8_t *buf, size_t cap,
		 const struct ike_hdr *hdr)
{
	uint8_t *p;

	if (!g)
		return -EINVAL;
	gen_reset(g, buf, cap);
	/* Never emit what ike_msg_parse() refuses: SPIi != 0, major version
	 * 2; reserved flag bits are sent as 0 (§3.1). */
	if (!buf || !hdr || hdr->spi_i == 0 ||
	    PP_IKE_VERSION_MAJOR(hdr->version) != PP_IKE_MAJOR_VERSION ||
	    (hdr->flags & ~PP_IKE_FLAGS_KNOWN))
		return gen_fail(g, -EINVAL);
	p = gen_put(g, PP_IKE_HDR_LEN);
	if (!p)
		return g->err;
	put64(p + PP_IKE_HDR_OFF_SPI_I, hdr->spi_i);
	put64(p + PP_IKE_HDR_OFF_SPI_R, hdr->spi_r);
	p[PP_IKE_HDR_OFF_NEXT] = PP_IKE_PLD_NONE;
	p[PP_IKE_HDR_OFF_VERSION] = hdr->version;
	p[PP_IKE_HDR_OFF_EXCHANGE] = hdr->exchange;
	p[PP_IKE_HDR_OFF_FLAGS] = hdr->flags;
	put32(p + PP_IKE_HDR_OFF_MSG_ID, hdr->msg_id);
	put32(p + PP_IKE_HDR_OFF_LENGTH, PP_IKE_HDR_LEN);
	g->hdr_len = PP_IKE_HDR_LEN;
	g->np = PP_IKE_HDR_OFF_NEXT;
	return 0;
}

int ike_gen_init_chain(struct ike_gen *g, uint8_t *buf, size_t cap)
{
	if (!g)
		return -EINVAL;
	gen_reset(g, buf, cap);
	if (!buf)
		return gen_fail(g, -EINVAL);
	return 0;
}

static void gen_set_length(struct ike_gen *g)
{
	if (g->hdr_len)
		put32(g->buf + PP_IKE_HDR_OFF_LENGTH,
		      g->len > UINT32_MAX ? UINT32_MAX : (uint32_t)g->len);
}

int ike_gen_finish(struct ike_gen *g, size_t *len)
{
	if (!g)
		return -EINVAL;
	if (!g->err && g->sk_off != IKE_GEN_NONE)
		gen_fail(g, -EINVAL); /* SK/SKF still open */
	if (g->err)
		return g->err;
	gen_set_length(g);
	if (len)
		*len = g->len;
	return 0;
}

int ike_gen_raw(struct ike_gen *g, uint8_t type, bool critical,
		const void *body, size_t len)
{
	size_t off;

	if (!g)
		return -EINVAL;
	if (type == PP_IKE_PLD_NONE || type == PP_IKE_PLD_SK ||
	    type == PP_IKE_PLD_SKF)
		return gen_fail(g, -EINVAL); /* use ike_gen_sk*() */
	if (gen_open(g, type, critical, &off) || gen_bytes(g, body, len))
		return g->err;
	return gen_close(g, off, NULL);
}

static int sa_check_gen(const uint8_t *b, size_t len, struct ike_perr *e)
{
	(void)e;
	/* One proposal may be a response (any number); several must be
	 * numbered 1, 2, ... */
	if (!ike_sa_validate(b, len, IKE_SA_F_RESPONSE, NULL))
		return 0;
	return ike_sa_validate(b, len, 0, NULL);
}

int ike_gen_sa(struct ike_gen *g, const struct ike_sa *sa)
{
	size_t off;

	if (!g)
		return -EINVAL;
	if (!sa || sa->n_proposals == 0 ||
	    sa->n_proposals > IKE_SA_MAX_PROPOSALS)
		return gen_fail(g, -EINVAL);
	if (gen_open(g, PP_IKE_PLD_SA, false, &off))
		return g->err;
	for (unsigned int i = 0; i < sa->n_proposals; i++) {
		const struct ike_proposal *p = &sa->prop[i];
		size_t poff = g->len, plen;
		uint8_t *h;

		if (p->spi_size > sizeof(p->spi) ||
		    p->n_transforms > IKE_PROP_MAX_TRANSFORMS)
			return gen_fail(g, -EINVAL);
		h = gen_put(g, PP_IKE_PROP_HDR_LEN);
		if (!h)
			return g->err;
		h[PP_IKE_PROP_OFF_LAST] = i + 1 == sa->n_proposals
						  ? PP_IKE_LAST_PROPOSAL
						  : PP_IKE_MORE_PROPOSALS;
		h[PP_IKE_PROP_OFF_NUM] = p->num;
		h[PP_IKE_PROP_OFF_PROTOCOL] = p->protocol;
		h[PP_IKE_PROP_OFF_SPI_SIZE] = p->spi_size;
		h[PP_IKE_PROP_OFF_N_TRANSFORMS] = p->n_transforms;
		if (gen_bytes(g, p->spi, p->spi_size))
			return g->err;
		for (unsigned int k = 0; k < p->n_transforms; k++) {
			const struct ike_transform *t = &p->xf[k];
			size_t xlen = PP_IKE_XF_HDR_LEN +
				      (t->has_key_len ? PP_IKE_ATTR_HDR_LEN : 0);
			uint8_t *x = gen_put(g, xlen);

			if (!x)
				return g->err;
			x[PP_IKE_XF_OFF_LAST] = k + 1 == p->n_transforms
							? PP_IKE_LAST_TRANSFORM
							: PP_IKE_MORE_TRANSFORMS;
			put16(x + PP_IKE_XF_OFF_LENGTH, (uint16_t)xlen);
			x[PP_IKE_XF_OFF_TYPE] = t->type;
			put16(x + PP_IKE_XF_OFF_ID, t->id);
			if (t->has_key_len) {
				put16(x + PP_IKE_XF_OFF_ATTRS,
				      PP_IKE_ATTR_AF | PP_IKE_ATTR_KEY_LENGTH);
				put16(x + PP_IKE_XF_OFF_ATTRS + 2, t->key_len);
			}
		}
		plen = g->len - poff;
		if (plen > PP_IKE_PLD_LEN_MAX)
			return gen_fail(g, -EMSGSIZE);
		put16(g->buf + poff + PP_IKE_PROP_OFF_LENGTH, (uint16_t)plen);
	}
	return gen_close(g, off, sa_check_gen);
}

int ike_gen_ke(struct ike_gen *g, const struct ike_ke *ke)
{
	size_t off;
	uint8_t *p;

	if (!g)
		return -EINVAL;
	if (!ke)
		return gen_fail(g, -EINVAL);
	if (gen_open(g, PP_IKE_PLD_KE, false, &off))
		return g->err;
	p = gen_put(g, PP_IKE_KE_HDR_LEN);
	if (!p)
		return g->err;
	put16(p + PP_IKE_KE_OFF_GROUP, ke->group);
	if (gen_bytes(g, ke->data, ke->len))
		return g->err;
	return gen_close(g, off, ike_ke_validate);
}

int ike_gen_nonce(struct ike_gen *g, const uint8_t *nonce, size_t len)
{
	size_t off;

	if (!g)
		return -EINVAL;
	if (gen_open(g, PP_IKE_PLD_NONCE, false, &off) ||
	    gen_bytes(g, nonce, len))
		return g->err;
	return gen_close(g, off, ike_nonce_validate);
}

/* type | 3 reserved | data: ID, AUTH */
static int gen_typed(struct ike_gen *g, uint8_t pld, uint8_t type,
		     const uint8_t *data, size_t len,
		     int (*check)(const uint8_t *, size_t, struct ike_perr *))
{
	size_t off;
	uint8_t *p;

	if (gen_open(g, pld, false, &off))
		return g->err;
	p = gen_put(g, 4);
	if (!p)
		return g->err;
	p[0] = type;
	if (gen_bytes(g, data, len))
		return g->err;
	return gen_close(g, off, check);
}

int ike_gen_id(struct ike_gen *g, uint8_t type, const struct ike_id *id)
{
	if (!g)
		return -EINVAL;
	if (!id || (type != PP_IKE_PLD_IDI && type != PP_IKE_PLD_IDR))
		return gen_fail(g, -EINVAL);
	return gen_typed(g, type, id->type, id->data, id->len,
			 ike_id_validate);
}

int ike_gen_auth(struct ike_gen *g, const struct ike_auth *auth)
{
	if (!g)
		return -EINVAL;
	if (!auth)
		return gen_fail(g, -EINVAL);
	return gen_typed(g, PP_IKE_PLD_AUTH, auth->method, auth->data,
			 auth->len, ike_auth_validate);
}

static int gen_cert(struct ike_gen *g, uint8_t pld, const struct ike_cert *c,
		    int (*check)(const uint8_t *, size_t, struct ike_perr *))
{
	size_t off;
	uint8_t *p;

	if (!g)
		return -EINVAL;
	if (!c)
		return gen_fail(g, -EINVAL);
	if (gen_open(g, pld, false, &off))
		return g->err;
	p = gen_put(g, PP_IKE_CERT_HDR_LEN);
	if (!p)
		return g->err;
	p[PP_IKE_CERT_OFF_ENCODING] = c->encoding;
	if (gen_bytes(g, c->data, c->len))
		return g->err;
	return gen_close(g, off, check);
}

int ike_gen_cert(struct ike_gen *g, const struct ike_cert *cert)
{
	return gen_cert(g, PP_IKE_PLD_CERT, cert, ike_cert_validate);
}

int ike_gen_certreq(struct ike_gen *g, const struct ike_cert *req)
{
	return gen_cert(g, PP_IKE_PLD_CERTREQ, req, ike_certreq_validate);
}

int ike_gen_notify(struct ike_gen *g, const struct ike_notify *n)
{
	size_t off;
	uint8_t *p;

	if (!g)
		return -EINVAL;
	if (!n || n->spi_size > sizeof(n->spi))
		return gen_fail(g, -EINVAL);
	if (gen_open(g, PP_IKE_PLD_NOTIFY, false, &off))
		return g->err;
	p = gen_put(g, PP_IKE_NOTIFY_HDR_LEN);
	if (!p)
		return g->err;
	/* §3.10: Protocol ID is 0 when there is no SPI */
	p[PP_IKE_NOTIFY_OFF_PROTOCOL] = n->spi_size ? n->protocol : 0;
	p[PP_IKE_NOTIFY_OFF_SPI_SIZE] = n->spi_size;
	put16(p + PP_IKE_NOTIFY_OFF_TYPE, n->type);
	if (gen_bytes(g, n->spi, n->spi_size) ||
	    gen_bytes(g, n->data, n->len))
		return g->err;
	return gen_close(g, off, ike_notify_validate);
}

int ike_gen_delete(struct ike_gen *g, const struct ike_delete *d)
{
	size_t off;
	uint8_t *p;

	if (!g)
		return -EINVAL;
	if (!d)
		return gen_fail(g, -EINVAL);
	if (gen_open(g, PP_IKE_PLD_DELETE, false, &off))
		return g->err;
	p = gen_put(g, PP_IKE_DELETE_HDR_LEN);
	if (!p)
		return g->err;
	p[PP_IKE_DELETE_OFF_PROTOCOL] = d->protocol;
	p[PP_IKE_DELETE_OFF_SPI_SIZE] = d->spi_size;
	put16(p + PP_IKE_DELETE_OFF_N_SPIS, d->n_spis);
	if (gen_bytes(g, d->spis, (size_t)d->n_spis * d->spi_size))
		return g->err;
	return gen_close(g, off, ike_delete_validate);
}

int ike_gen_vendor(struct ike_gen *g, const uint8_t *vid, size_t len)
{
	size_t off;

	if (!g)
		return -EINVAL;
	if (gen_open(g, PP_IKE_PLD_VENDOR, false, &off) ||
	    gen_bytes(g, vid, len))
		return g->err;
	return gen_close(g, off, ike_vendor_validate);
}

int ike_gen_ts(struct ike_gen *g, uint8_t type, const struct ike_ts *ts)
{
	size_t off;
	uint8_t *p;

	if (!g)
		return -EINVAL;
	if (!ts || ts->n == 0 || ts->n > IKE_TS_MAX ||
	    (type != PP_IKE_PLD_TSI && type != PP_IKE_PLD_TSR))
		return gen_fail(g, -EINVAL);
	if (gen_open(g, type, false, &off))
		return g->err;
	p = gen_put(g, PP_IKE_TS_HDR_LEN);
	if (!p)
		return g->err;
	p[PP_IKE_TS_OFF_N] = (uint8_t)ts->n;
	for (unsigned int i = 0; i < ts->n; i++) {
		const struct ike_ts_sel *s = &ts->sel[i];
		size_t alen = s->type == PP_IKE_TS_IPV6_ADDR_RANGE ? 16 : 4;
		uint8_t *x = gen_put(g, PP_IKE_TS_SEL_HDR_LEN + 2 * alen);

		if (!x)
			return g->err;
		x[PP_IKE_TS_SEL_OFF_TYPE] = s->type;
		x[PP_IKE_TS_SEL_OFF_PROTO] = s->ip_proto;
		put16(x + PP_IKE_TS_SEL_OFF_LENGTH,
		      (uint16_t)(PP_IKE_TS_SEL_HDR_LEN + 2 * alen));
		put16(x + PP_IKE_TS_SEL_OFF_START_PORT, s->start_port);
		put16(x + PP_IKE_TS_SEL_OFF_END_PORT, s->end_port);
		memcpy(x + PP_IKE_TS_SEL_OFF_START_ADDR, s->start, alen);
		memcpy(x + PP_IKE_TS_SEL_OFF_START_ADDR + alen, s->end, alen);
	}
	return gen_close(g, off, ike_ts_validate);
}

int ike_gen_cp(struct ike_gen *g, const struct ike_cp *cp)
{
	size_t off;
	uint8_t *p;

	if (!g)
		return -EINVAL;
	if (!cp || cp->n > IKE_CP_MAX_ATTRS)
		return gen_fail(g, -EINVAL);
	if (gen_open(g, PP_IKE_PLD_CP, false, &off))
		return g->err;
	p = gen_put(g, PP_IKE_CP_HDR_LEN);
	if (!p)
		return g->err;
	p[PP_IKE_CP_OFF_TYPE] = cp->cfg_type;
	for (unsigned int i = 0; i < cp->n; i++) {
		const struct ike_cp_attr *a = &cp->attr[i];
		uint8_t *x;

		if (a->type & PP_IKE_CP_ATTR_R)
			return gen_fail(g, -EINVAL);
		x = gen_put(g, PP_IKE_CP_ATTR_HDR_LEN);
		if (!x)
			return g->err;
		put16(x, a->type);
		put16(x + 2, a->len);
		if (gen_bytes(g, a->value, a->len))
			return g->err;
	}
	return gen_close(g, off, ike_cp_validate);
}

int ike_gen_eap(struct ike_gen *g, const struct ike_eap *eap)
{
	size_t off, elen;
	uint8_t *p;
	bool typed;

	if (!g)
		return -EINVAL;
	if (!eap)
		return gen_fail(g, -EINVAL);
	typed = eap->code == PP_IKE_EAP_CODE_REQUEST ||
		eap->code == PP_IKE_EAP_CODE_RESPONSE;
	elen = PP_IKE_EAP_HDR_LEN + (typed ? 1 : 0) + eap->len;
	if (elen > UINT16_MAX)
		return gen_fail(g, -EMSGSIZE);
	if (gen_open(g, PP_IKE_PLD_EAP, false, &off))
		return g->err;
	p = gen_put(g, PP_IKE_EAP_HDR_LEN + (typed ? 1 : 0));
	if (!p)
		return g->err;
	p[PP_IKE_EAP_OFF_CODE] = eap->code;
	p[PP_IKE_EAP_OFF_ID] = eap->id;
	put16(p + PP_IKE_EAP_OFF_LENGTH, (uint16_t)elen);
	if (typed)
		p[PP_IKE_EAP_OFF_TYPE] = eap->type;
	if (gen_bytes(g, eap->data, eap->len))
		return g->err;
	return gen_close(g, off, ike_eap_validate);
}

int ike_gen_sk_begin(struct ike_gen *g, size_t iv_len)
{
	size_t off;

	if (!g)
		return -EINVAL;
	if (iv_len > IKE_IV_MAX)
		return gen_fail(g, -EINVAL);
	if (gen_open(g, PP_IKE_PLD_SK, false, &off) || !gen_put(g, iv_len))
		return g->err;
	/* The first inner payload patches SK's Next Payload (§3.14). */
	g->sk_off = off;
	g->sk_type = PP_IKE_PLD_SK;
	g->sk_plain = g->len;
	g->np = off + PP_IKE_PLD_OFF_NEXT;
	g->n = 0;
	return 0;
}

int ike_gen_skf_begin(struct ike_gen *g, uint8_t first, uint16_t num,
		      uint16_t total, size_t iv_len)
{
	size_t off;
	uint8_t *p;

	if (!g)
		return -EINVAL;
	if (iv_len > IKE_IV_MAX || num == 0 || total == 0 || num > total)
		return gen_fail(g, -EINVAL);
	if (gen_open(g, PP_IKE_PLD_SKF, false, &off))
		return g->err;
	p = gen_put(g, PP_IKE_SKF_HDR_LEN + iv_len);
	if (!p)
		return g->err;
	/* RFC 7383 §2.5: first inner type in fragment 1 only */
	g->buf[off + PP_IKE_PLD_OFF_NEXT] = num == 1 ? first : 0;
	put16(p + PP_IKE_SKF_OFF_NUM, num);
	put16(p + PP_IKE_SKF_OFF_TOTAL, total);
	g->sk_off = off;
	g->sk_type = PP_IKE_PLD_SKF;
	g->sk_plain = g->len;
	g->np = IKE_GEN_NONE;
	return 0;
}

int ike_gen_sk_put(struct ike_gen *g, const void *data, size_t len)
{
	if (!g)
		return -EINVAL;
	if (g->sk_type != PP_IKE_PLD_SKF)
		return gen_fail(g, -EINVAL);
	return gen_bytes(g, data, len);
}

int ike_gen_sk_end(struct ike_gen *g, size_t block, size_t icv_len,
		   struct ike_sk_layout *out)
{
	size_t plain, pad, plen, body, iv_off, iv_len;
	uint8_t *p;
	struct ike_sk sk;
	int rc;

	if (!g)
		return -EINVAL;
	if (g->err)
		return g->err;
	if (g->sk_off == IKE_GEN_NONE || !sk_params_ok(0, icv_len, block))
		return gen_fail(g, -EINVAL);
	plain = g->len - g->sk_plain;
	pad = (block - (plain + 1) % block) % block;
	p = gen_put(g, pad + 1);
	if (!p)
		return g->err;
	p[pad] = (uint8_t)pad; /* padding bytes stay 0 (§3.14: any value) */
	if (!gen_put(g, icv_len))
		return g->err;
	plen = g->len - g->sk_off;
	if (plen > PP_IKE_PLD_LEN_MAX)
		return gen_fail(g, -EMSGSIZE);
	put16(g->buf + g->sk_off + PP_IKE_PLD_OFF_LENGTH, (uint16_t)plen);
	gen_set_length(g);

	body = g->sk_off + PLD_HDR;
	iv_off = body + (g->sk_type == PP_IKE_PLD_SKF ? PP_IKE_SKF_HDR_LEN : 0);
	iv_len = g->sk_plain - iv_off;
	if (g->sk_type == PP_IKE_PLD_SKF)
		rc = ike_skf_parse(g->buf + body, plen - PLD_HDR,
				   g->buf[g->sk_off], iv_len, icv_len, block,
				   &sk, NULL);
	else
		rc = ike_sk_parse(g->buf + body, plen - PLD_HDR, iv_len,
				  icv_len, block, &sk, NULL);
	if (rc)
		return gen_fail(g, -EINVAL);
	if (out) {
		memset(out, 0, sizeof(*out));
		out->type = g->sk_type;
		out->first = g->buf[g->sk_off + PP_IKE_PLD_OFF_NEXT];
		out->frag_num = sk.frag_num;
		out->frag_total = sk.frag_total;
		out->pld_off = g->sk_off;
		out->iv_off = body + sk.iv_off;
		out->aad_len = out->iv_off;
		out->iv_len = sk.iv_len;
		out->ct_off = body + sk.ct_off;
		out->ct_len = sk.ct_len;
		out->icv_off = body + sk.icv_off;
		out->icv_len = sk.icv_len;
	}
	g->sk_off = IKE_GEN_NONE;
	g->sk_plain = IKE_GEN_NONE;
	g->sk_type = 0;
	g->done = true;
	return 0;
}
