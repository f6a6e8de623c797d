/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IKEv2 message codec (RFC 7296 §3, RFC 7383 §2.5) — private to libike.
 *
 * Sans-I/O and allocation-free: the parser records where things are in the
 * caller's buffer and copies fixed fields out; the generator writes into a
 * caller buffer. Nothing here keeps state between calls.
 *
 * Parsing is layered:
 *
 *   ike_msg_parse()       28-byte header + the outer payload chain
 *                         (structure only: lengths, chain bound, unknown
 *                         critical payloads, SK/SKF last)
 *   ike_msg_validate()    the outer chain against the legal-payload table
 *                         for the exchange, direction and "outside SK"
 *   ike_msg_sk()          IV / ciphertext / ICV boundaries of SK or SKF for
 *                         the negotiated IV and ICV lengths
 *   ike_sk_unpad()        after decryption: strip padding + Pad Length
 *   ike_inner_parse()     the decrypted inner chain, given the SK payload's
 *                         Next Payload; SK/SKF inside are refused
 *   ike_chain_validate()  the inner chain with the "inside SK" rules
 *   ike_*_validate() /    one pair per payload body: validate checks every
 *   ike_*_parse()         length, count and value; parse does the same
 *                         checks and fills a structure
 *
 * Ownership: struct ike_msg / ike_chain hold a pointer to the buffer they
 * were parsed from, and body structures hold pointers into the body (KE
 * data, nonce, ID data, notify data, ...). They are valid only as long as
 * that buffer is, and the parser never writes to it.
 *
 * Errors: every function returns 0 or a negative errno. A wire problem is
 * always -EBADMSG, with the details in a struct ike_perr: a code, the
 * notify the peer should get (0 = drop silently), the payload type and
 * byte offset involved, and a one-line message naming the two numbers
 * compared (e.g. "SA proposal 1: length 7 < 8"). The codec itself does not
 * log (it has no context to tag a line with); the engine logs err.msg
 * prefixed with the SA's SPIs. -EINVAL means the caller passed nonsense
 * (NULL buffer, a generator asked for an impossible field), -ENOSPC that a
 * generator buffer is full, -EMSGSIZE that a payload would exceed 65535
 * bytes or a chain IKE_CHAIN_MAX payloads, -ENOENT that a looked-for
 * payload is absent.
 */
#ifndef LIBIKE_IKE_MSG_H
#define LIBIKE_IKE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <parapass/pp_ike_wire.h>

/* ---------------------------------------------------------------------- */
/* Limits (each a bound on untrusted input, not a protocol constant)      */
/* ---------------------------------------------------------------------- */

/* Payloads in one chain (outer or inner). An IKE_AUTH request with
 * certificates, CP, TS and a dozen notifies stays below 30. */
#define IKE_CHAIN_MAX 64
/* Proposals per SA payload and transforms per proposal that a parsed
 * struct ike_sa can hold. strongSwan's "default" IKE proposal carries 48
 * transforms (ipsec-facts §5.2). */
#define IKE_SA_MAX_PROPOSALS 16
#define IKE_PROP_MAX_TRANSFORMS 64
/* Selectors per TS payload, attributes per CP payload. */
#define IKE_TS_MAX 32
#define IKE_CP_MAX_ATTRS 32
/* Largest SK ICV / IV handled by the layout helpers (HMAC-SHA2-512-256
 * truncates to 32; AES-CBC IV 16). */
#define IKE_ICV_MAX 64
#define IKE_IV_MAX 32
#define IKE_BLOCK_MAX 64

/* ---------------------------------------------------------------------- */
/* Errors                                                                 */
/* ---------------------------------------------------------------------- */

enum ike_err {
	IKE_OK = 0,
	IKE_E_ARG,	   /* caller passed an impossible argument */
	IKE_E_TRUNC,	   /* a fixed-size header or field runs past the data */
	IKE_E_VERSION,	   /* major version != 2 (§2.5) */
	IKE_E_HDR_LEN,	   /* header Length != datagram length (§3.1) */
	IKE_E_SPI_ZERO,	   /* IKE SA Initiator's SPI is 0 (§3.1) */
	IKE_E_PLD_LEN,	   /* Payload Length < 4 or past the end (§3.2) */
	IKE_E_CHAIN_LONG,  /* more than IKE_CHAIN_MAX payloads */
	IKE_E_TRAILING,	   /* bytes after the last payload */
	IKE_E_CRITICAL,	   /* unsupported payload with the C bit (§2.5) */
	IKE_E_SK_NOT_LAST, /* SK/SKF is not the last payload (§3.14) */
	IKE_E_SK_INNER,	   /* SK/SKF inside a decrypted SK payload */
	IKE_E_EXCHANGE,	   /* no payload rules for this exchange type */
	IKE_E_NOT_ALLOWED, /* payload not legal in this exchange/direction/
			    * inside or outside SK */
	IKE_E_DUPLICATE,   /* a payload allowed once appears twice */
	IKE_E_MISSING,	   /* a required payload is absent */
	IKE_E_BODY_LEN,	   /* body too short/long for its type */
	IKE_E_SUB_LEN,	   /* substructure length (proposal, transform,
			    * attribute, selector, CP attribute, EAP) */
	IKE_E_COUNT,	   /* declared count disagrees with the lengths */
	IKE_E_LAST_FLAG,   /* Last Substruc value wrong (§3.3.1, §3.3.2) */
	IKE_E_PROP_NUM,	   /* proposal numbering (§3.3.1) */
	IKE_E_PROTOCOL,	   /* Protocol ID not allowed here */
	IKE_E_SPI_SIZE,	   /* SPI size does not fit the protocol */
	IKE_E_ATTR,	   /* attribute malformed: Key Length as TLV,
			    * duplicated, CP value length wrong */
	IKE_E_VALUE,	   /* a field holds a reserved/unsupported value */
	IKE_E_TS_RANGE,	   /* traffic selector start > end (§3.13.1) */
	IKE_E_LIMIT,	   /* more items than this codec stores */
	IKE_E_SK_LEN,	   /* SK/SKF too short for IV + 1 + ICV, or the
			    * ciphertext is not whole blocks (§3.14) */
	IKE_E_FRAG,	   /* SKF Fragment Number/Total (RFC 7383 §2.5) */
	IKE_E_PAD,	   /* Pad Length larger than the plaintext (§3.14) */
	IKE_E__COUNT
};

#define IKE_ERR_MSG_LEN 160

struct ike_perr {
	enum ike_err code;
	uint8_t pld;	      /* payload type involved; 0 = the IKE header */
	uint8_t notify_data_len;
	uint8_t notify_data[2];
	uint16_t notify;      /* PP_IKE_N_* to answer with, 0 = drop */
	uint32_t off;	      /* offset of the offending byte within the
			       * buffer given to the failing function */
	char msg[IKE_ERR_MSG_LEN];
};

const char *ike_err_name(enum ike_err code);
/* "SA", "KE", ... or "?" */
const char *ike_pld_name(uint8_t type);
/* "IKE_SA_INIT", ... or "?" */
const char *ike_exch_name(uint8_t exchange);

/* ---------------------------------------------------------------------- */
/* Message and payload chains                                             */
/* ---------------------------------------------------------------------- */

struct ike_hdr {
	uint64_t spi_i;	   /* as a big-endian number */
	uint64_t spi_r;
	uint8_t next;	   /* first payload type */
	uint8_t version;   /* raw byte: major << 4 | minor */
	uint8_t exchange;  /* PP_IKE_EXCH_* */
	uint8_t flags;	   /* raw byte; reserved bits are ignored (§3.1) */
	uint32_t msg_id;
	uint32_t length;
};

/* One payload of a chain; offsets are into the chain's buffer. */
struct ike_pld {
	uint8_t type;	   /* this payload's type */
	uint8_t next;	   /* its Next Payload field (for SK/SKF: the first
			    * inner payload type) */
	uint8_t flags;	   /* raw second header byte (C bit + reserved) */
	bool critical;
	bool known;	   /* a type this codec parses (SA..EAP, SKF) */
	uint32_t off;	   /* generic header */
	uint32_t body_off; /* off + 4 */
	uint32_t body_len; /* Payload Length - 4 */
};

struct ike_chain {
	const uint8_t *buf; /* borrowed: the message or decrypted plaintext */
	size_t len;
	uint8_t first;	    /* type of the first payload (0 = empty) */
	unsigned int n;
	int sk;		    /* index of SK/SKF, -1 if none */
	struct ike_pld pld[IKE_CHAIN_MAX];
};

struct ike_msg {
	struct ike_hdr hdr;
	struct ike_chain chain; /* the outer (unencrypted) payloads */
	struct ike_perr err;	/* set by ike_msg_parse() on failure */
};

static inline bool ike_hdr_is_response(const struct ike_hdr *h)
{
	return (h->flags & PP_IKE_FLAG_R) != 0;
}

static inline bool ike_hdr_from_initiator(const struct ike_hdr *h)
{
	return (h->flags & PP_IKE_FLAG_I) != 0;
}

static inline const uint8_t *ike_pld_body(const struct ike_chain *c,
					  unsigned int i)
{
	return c->buf + c->pld[i].body_off;
}

/* True for the payload types this codec has body parsers for. */
bool ike_pld_known(uint8_t type);

/*
 * Parse the IKE header and walk the outer payload chain of @buf (one UDP
 * payload, without the non-ESP marker). Checks (in this order): at least
 * 28 bytes; major version 2 (a higher one yields notify
 * INVALID_MAJOR_VERSION, a lower one a silent drop; the minor version is
 * ignored, §2.5); SPIi != 0; Length == @len; then for each payload: a
 * whole generic header, Length >= 4 and within the message, at most
 * IKE_CHAIN_MAX payloads, no unknown payload with the C bit (notify
 * UNSUPPORTED_CRITICAL_PAYLOAD with the type as data, §2.5), SK/SKF ends
 * the message; no bytes after the last payload. Reserved flag bits are
 * ignored as §3.1 requires. Payload bodies are not looked at.
 * Returns 0, -EINVAL (NULL arguments) or -EBADMSG (details in msg->err).
 */
int ike_msg_parse(const uint8_t *buf, size_t len, struct ike_msg *msg);

/*
 * Walk the inner payload chain of a decrypted SK payload (or a reassembled
 * SKF message): @plain holds only the inner payloads (padding removed with
 * ike_sk_unpad()), @first is the SK/SKF Next Payload. Same checks as the
 * outer walk, and SK/SKF inside are refused (IKE_E_SK_INNER). An empty
 * chain (first == 0, len == 0) is valid: that is a liveness check.
 */
int ike_inner_parse(const uint8_t *plain, size_t len, uint8_t first,
		    struct ike_chain *c, struct ike_perr *err);

/* ---------------------------------------------------------------------- */
/* Legal-payload table                                                    */
/* ---------------------------------------------------------------------- */

enum ike_allow {
	IKE_ALLOW_NO = 0,
	IKE_ALLOW_ONE,	/* at most once */
	IKE_ALLOW_MANY,
};

/*
 * May a payload of @type appear in a message of @exchange, request or
 * @response, outside SK (@inner false) or inside it (@inner true)? Only
 * for RFC 7296 exchanges (34..37) and known payload types; anything else
 * is IKE_ALLOW_NO.
 */
enum ike_allow ike_pld_allowed(uint8_t exchange, bool response, bool inner,
			       uint8_t type);

/*
 * Apply the table to a chain: unknown (non-critical) payloads are skipped
 * (§2.5), a known payload that is not allowed gives IKE_E_NOT_ALLOWED, a
 * second one of an "at most once" type IKE_E_DUPLICATE, an exchange
 * without rules IKE_E_EXCHANGE. Presence of mandatory payloads is the
 * engine's business. Returns 0 or -EBADMSG.
 */
int ike_chain_validate(const struct ike_chain *c, uint8_t exchange,
		       bool response, bool inner, struct ike_perr *err);

/* ike_chain_validate() of the outer chain with the header's exchange and
 * R flag, "outside SK". */
int ike_msg_validate(const struct ike_msg *m, struct ike_perr *err);

/*
 * Validate the body of every known payload of @c except SK/SKF (which
 * need the negotiated IV/ICV lengths: see ike_msg_sk()). @response is
 * passed to the SA check (IKE_SA_F_RESPONSE). Returns 0 or -EBADMSG; err's
 * offset is then relative to the chain's buffer.
 */
int ike_chain_check_bodies(const struct ike_chain *c, bool response,
			   struct ike_perr *err);

/* Index of the first payload of @type at or after @from, or -1. */
int ike_chain_find(const struct ike_chain *c, uint8_t type, unsigned int from);

/* ---------------------------------------------------------------------- */
/* Payload bodies                                                         */
/* ---------------------------------------------------------------------- */
/*
 * Each body has ike_X_validate(body, len, ..., err) and ike_X_parse(body,
 * len, ..., out, err); body/len is the payload without its generic header.
 * Both return 0 or -EBADMSG (-EINVAL for a NULL out), and accept the same
 * inputs. err may be NULL.
 */

/* SA (§3.3) */
struct ike_transform {
	uint8_t type;		/* PP_IKE_TRANSFORM_* */
	bool has_key_len;	/* Key Length attribute present */
	uint8_t n_unknown_attrs; /* other attributes (saturating); §3.3.6
				  * says such a proposal is not acceptable */
	uint16_t id;
	uint16_t key_len;	/* bits */
};

struct ike_proposal {
	uint8_t num;
	uint8_t protocol;	/* PP_IKE_PROTO_IKE/AH/ESP */
	uint8_t spi_size;	/* 0, 4 or 8 */
	uint8_t n_transforms;
	uint8_t spi[8];		/* spi_size bytes */
	struct ike_transform xf[IKE_PROP_MAX_TRANSFORMS];
};

struct ike_sa {
	unsigned int n_proposals;
	struct ike_proposal prop[IKE_SA_MAX_PROPOSALS];
};

/* The SA payload is a response: exactly one proposal, any number >= 1
 * (§3.3.1 "the proposal number ... MUST match"). Without it proposals must
 * be numbered 1, 2, 3, ... */
#define IKE_SA_F_RESPONSE 0x1u

int ike_sa_validate(const uint8_t *b, size_t len, unsigned int flags,
		    struct ike_perr *err);
int ike_sa_parse(const uint8_t *b, size_t len, unsigned int flags,
		 struct ike_sa *out, struct ike_perr *err);

/* KE (§3.4) */
struct ike_ke {
	uint16_t group;		/* PP_IKE_DH_* */
	const uint8_t *data;
	size_t len;
};

/* KE data length of a known group (MODP prime, ECP 2 x coordinate,
 * Curve25519/448 u), 0 when the group is unknown here. */
size_t ike_ke_data_len(uint16_t group);

int ike_ke_validate(const uint8_t *b, size_t len, struct ike_perr *err);
int ike_ke_parse(const uint8_t *b, size_t len, struct ike_ke *out,
		 struct ike_perr *err);

/* Nonce (§3.9): 16..256 bytes */
struct ike_nonce {
	const uint8_t *data;
	size_t len;
};

int ike_nonce_validate(const uint8_t *b, size_t len, struct ike_perr *err);
int ike_nonce_parse(const uint8_t *b, size_t len, struct ike_nonce *out,
		    struct ike_perr *err);

/* IDi / IDr (§3.5). The AUTH input (§2.15) is the whole body, reserved
 * bytes as received: use ike_pld_body() rather than rebuilding it. */
struct ike_id {
	uint8_t type;		/* PP_IKE_ID_* */
	const uint8_t *data;
	size_t len;
};

int ike_id_validate(const uint8_t *b, size_t len, struct ike_perr *err);
int ike_id_parse(const uint8_t *b, size_t len, struct ike_id *out,
		 struct ike_perr *err);

/* CERT (§3.6) and CERTREQ (§3.7) */
struct ike_cert {
	uint8_t encoding;	/* PP_IKE_CERT_* */
	const uint8_t *data;
	size_t len;
};

int ike_cert_validate(const uint8_t *b, size_t len, struct ike_perr *err);
int ike_cert_parse(const uint8_t *b, size_t len, struct ike_cert *out,
		   struct ike_perr *err);
int ike_certreq_validate(const uint8_t *b, size_t len, struct ike_perr *err);
int ike_certreq_parse(const uint8_t *b, size_t len, struct ike_cert *out,
		      struct ike_perr *err);

/* AUTH (§3.8) */
struct ike_auth {
	uint8_t method;		/* PP_IKE_AUTH_* */
	const uint8_t *data;
	size_t len;
};

int ike_auth_validate(const uint8_t *b, size_t len, struct ike_perr *err);
int ike_auth_parse(const uint8_t *b, size_t len, struct ike_auth *out,
		   struct ike_perr *err);

/* Notify (§3.10) */
struct ike_notify {
	uint8_t protocol;	/* as received; meaningless without SPI */
	uint8_t spi_size;	/* 0 or 4 (8 tolerated for IKE) */
	uint16_t type;		/* PP_IKE_N_* */
	uint8_t spi[8];
	const uint8_t *data;
	size_t len;
};

int ike_notify_validate(const uint8_t *b, size_t len, struct ike_perr *err);
int ike_notify_parse(const uint8_t *b, size_t len, struct ike_notify *out,
		     struct ike_perr *err);

/* Delete (§3.11) */
struct ike_delete {
	uint8_t protocol;	/* PP_IKE_PROTO_IKE/AH/ESP */
	uint8_t spi_size;	/* 0 (IKE) or 4 */
	uint16_t n_spis;
	const uint8_t *spis;	/* n_spis * spi_size bytes */
};

/* SPI number @i of a Delete with 4-byte SPIs (host order). */
uint32_t ike_delete_spi(const struct ike_delete *d, unsigned int i);

int ike_delete_validate(const uint8_t *b, size_t len, struct ike_perr *err);
int ike_delete_parse(const uint8_t *b, size_t len, struct ike_delete *out,
		     struct ike_perr *err);

/* Vendor ID (§3.12) */
struct ike_vendor {
	const uint8_t *data;
	size_t len;
};

int ike_vendor_validate(const uint8_t *b, size_t len, struct ike_perr *err);
int ike_vendor_parse(const uint8_t *b, size_t len, struct ike_vendor *out,
		     struct ike_perr *err);

/* TSi / TSr (§3.13) */
struct ike_ts_sel {
	uint8_t type;		/* PP_IKE_TS_IPV4_ADDR_RANGE / _IPV6_ */
	uint8_t ip_proto;	/* 0 = any */
	uint16_t start_port;
	uint16_t end_port;
	uint8_t start[16];	/* 4 or 16 bytes used */
	uint8_t end[16];
};

struct ike_ts {
	unsigned int n;
	struct ike_ts_sel sel[IKE_TS_MAX];
};

int ike_ts_validate(const uint8_t *b, size_t len, struct ike_perr *err);
int ike_ts_parse(const uint8_t *b, size_t len, struct ike_ts *out,
		 struct ike_perr *err);

/* CP (§3.15) */
struct ike_cp_attr {
	uint16_t type;		/* R bit masked off */
	uint16_t len;
	const uint8_t *value;
};

struct ike_cp {
	uint8_t cfg_type;	/* PP_IKE_CFG_* */
	unsigned int n;
	struct ike_cp_attr attr[IKE_CP_MAX_ATTRS];
};

int ike_cp_validate(const uint8_t *b, size_t len, struct ike_perr *err);
int ike_cp_parse(const uint8_t *b, size_t len, struct ike_cp *out,
		 struct ike_perr *err);

/* EAP (§3.16): one EAP message (RFC 3748 §4) */
struct ike_eap {
	uint8_t code;		/* PP_IKE_EAP_CODE_* */
	uint8_t id;
	uint8_t type;		/* Request/Response only, else 0 */
	const uint8_t *data;	/* Type-Data */
	size_t len;
};

int ike_eap_validate(const uint8_t *b, size_t len, struct ike_perr *err);
int ike_eap_parse(const uint8_t *b, size_t len, struct ike_eap *out,
		  struct ike_perr *err);

/*
 * SK (§3.14) and SKF (RFC 7383 §2.5) bodies, given the negotiated IV and
 * ICV lengths and the cipher block size (1 for AEAD/stream ciphers): the
 * encrypted part must hold at least the Pad Length byte and be whole
 * blocks. Offsets are relative to the body.
 */
struct ike_sk {
	uint16_t frag_num;	/* SKF only, else 0 */
	uint16_t frag_total;
	uint32_t iv_off, iv_len;
	uint32_t ct_off, ct_len; /* inner payloads | padding | Pad Length */
	uint32_t icv_off, icv_len;
};

int ike_sk_validate(const uint8_t *b, size_t len, size_t iv_len,
		    size_t icv_len, size_t block, struct ike_perr *err);
int ike_sk_parse(const uint8_t *b, size_t len, size_t iv_len, size_t icv_len,
		 size_t block, struct ike_sk *out, struct ike_perr *err);
/* @next is the SKF payload's Next Payload (0 required unless number 1) */
int ike_skf_validate(const uint8_t *b, size_t len, uint8_t next,
		     size_t iv_len, size_t icv_len, size_t block,
		     struct ike_perr *err);
int ike_skf_parse(const uint8_t *b, size_t len, uint8_t next, size_t iv_len,
		  size_t icv_len, size_t block, struct ike_sk *out,
		  struct ike_perr *err);

/*
 * Where the crypto works, in absolute message offsets. AEAD: AAD is bytes
 * [0, aad_len) (IKE header + SK header, + the two SKF counters), nonce
 * salt || buf[iv_off..], ciphertext [ct_off, ct_off + ct_len), tag at
 * icv_off. Encrypt-then-MAC: the ICV covers [0, icv_off).
 */
struct ike_sk_layout {
	uint8_t type;		/* PP_IKE_PLD_SK or PP_IKE_PLD_SKF */
	uint8_t first;		/* Next Payload = first inner type */
	uint16_t frag_num;	/* SKF only */
	uint16_t frag_total;
	size_t pld_off;		/* SK/SKF generic header */
	size_t aad_len;		/* == iv_off */
	size_t iv_off, iv_len;
	size_t ct_off, ct_len;
	size_t icv_off, icv_len;
};

/* Locate and check the SK/SKF payload of a parsed message. -ENOENT
 * (IKE_E_MISSING) if it has none. */
int ike_msg_sk(const struct ike_msg *m, size_t iv_len, size_t icv_len,
	       size_t block, struct ike_sk_layout *out, struct ike_perr *err);

/* After decryption of @plain (ct_len bytes): *inner_len = bytes of inner
 * payloads, i.e. len - 1 - Pad Length (§3.14). */
int ike_sk_unpad(const uint8_t *plain, size_t len, size_t *inner_len,
		 struct ike_perr *err);

/* ---------------------------------------------------------------------- */
/* Generator                                                              */
/* ---------------------------------------------------------------------- */
/*
 * Builds a message (or a bare payload chain) in a caller buffer. Payloads
 * are appended in order; each one patches the previous Next Payload field
 * and gets its own length. Structured bodies are checked with the
 * matching ike_*_validate() after they are written, so the generator never
 * emits something its own parser rejects. Errors are sticky: after the
 * first failure every call returns it, and ike_gen_finish() reports it.
 *
 *   ike_gen_init(&g, buf, cap, &hdr);
 *   ike_gen_sa(&g, PP_IKE_PLD_SA ...); ike_gen_ke(...); ...
 *   ike_gen_finish(&g, &len);
 *
 * Encrypted messages:
 *
 *   ike_gen_init(&g, buf, cap, &hdr);
 *   ike_gen_sk_begin(&g, iv_len);            // SK header + IV space
 *   ike_gen_id(&g, PP_IKE_PLD_IDI, ...); ...  // inner payloads, in clear
 *   ike_gen_sk_end(&g, block, icv_len, &lay); // padding, Pad Length, ICV
 *   -> fill buf[lay.iv_off..], encrypt [lay.ct_off, +lay.ct_len) in place,
 *      write the ICV at lay.icv_off; the header Length is already final.
 *
 * Fragments (RFC 7383): build the inner chain with ike_gen_init_chain(),
 * then per fragment ike_gen_init() + ike_gen_skf_begin() + ike_gen_sk_put()
 * of its slice + ike_gen_sk_end().
 */
struct ike_gen {
	uint8_t *buf;
	size_t cap;
	size_t len;
	size_t np;	   /* offset of the Next Payload byte to patch */
	size_t sk_off;	   /* SK/SKF generic header, IKE_GEN_NONE if none */
	size_t sk_plain;   /* first plaintext byte inside SK/SKF */
	size_t hdr_len;	   /* PP_IKE_HDR_LEN, or 0 for a bare chain */
	unsigned int n;	   /* payloads in the current chain */
	uint8_t first;	   /* bare chain: type of the first payload */
	uint8_t sk_type;   /* PP_IKE_PLD_SK / _SKF while open */
	bool done;	   /* SK/SKF closed: nothing may follow */
	int err;	   /* sticky, 0 or negative errno */
};

#define IKE_GEN_NONE ((size_t)-1)

/* Writes the header from @hdr (its next and length are filled in later);
 * -EINVAL for SPIi 0, a major version other than 2 or reserved flags. */
int ike_gen_init(struct ike_gen *g, uint8_t *buf, size_t cap,
		 const struct ike_hdr *hdr);
int ike_gen_init_chain(struct ike_gen *g, uint8_t *buf, size_t cap);
/* Total length (and writes it into the header). */
int ike_gen_finish(struct ike_gen *g, size_t *len);

/* Any payload with a ready-made body (C bit as given). */
int ike_gen_raw(struct ike_gen *g, uint8_t type, bool critical,
		const void *body, size_t len);
int ike_gen_sa(struct ike_gen *g, const struct ike_sa *sa);
int ike_gen_ke(struct ike_gen *g, const struct ike_ke *ke);
int ike_gen_nonce(struct ike_gen *g, const uint8_t *nonce, size_t len);
/* @type PP_IKE_PLD_IDI or PP_IKE_PLD_IDR */
int ike_gen_id(struct ike_gen *g, uint8_t type, const struct ike_id *id);
int ike_gen_cert(struct ike_gen *g, const struct ike_cert *cert);
int ike_gen_certreq(struct ike_gen *g, const struct ike_cert *req);
int ike_gen_auth(struct ike_gen *g, const struct ike_auth *auth);
int ike_gen_notify(struct ike_gen *g, const struct ike_notify *n);
int ike_gen_delete(struct ike_gen *g, const struct ike_delete *d);
int ike_gen_vendor(struct ike_gen *g, const uint8_t *vid, size_t len);
/* @type PP_IKE_PLD_TSI or PP_IKE_PLD_TSR */
int ike_gen_ts(struct ike_gen *g, uint8_t type, const struct ike_ts *ts);
int ike_gen_cp(struct ike_gen *g, const struct ike_cp *cp);
int ike_gen_eap(struct ike_gen *g, const struct ike_eap *eap);

/* Open an SK payload (must be the last outer payload) and reserve @iv_len
 * zero bytes for the IV; inner payloads follow. */
int ike_gen_sk_begin(struct ike_gen *g, size_t iv_len);
/* Open an SKF payload: Next Payload = @first for fragment 1, else 0. Its
 * content is added with ike_gen_sk_put(), not with payload calls. */
int ike_gen_skf_begin(struct ike_gen *g, uint8_t first, uint16_t num,
		      uint16_t total, size_t iv_len);
/* Append raw plaintext inside an open SK/SKF. */
int ike_gen_sk_put(struct ike_gen *g, const void *data, size_t len);
/*
 * Close SK/SKF: zero padding so that plaintext + Pad Length is a multiple
 * of @block (1 = no padding), the Pad Length byte, @icv_len zero bytes for
 * the ICV; fix the SK/SKF and header lengths and describe the layout.
 */
int ike_gen_sk_end(struct ike_gen *g, size_t block, size_t icv_len,
		   struct ike_sk_layout *out);

#endif /* LIBIKE_IKE_MSG_H */
