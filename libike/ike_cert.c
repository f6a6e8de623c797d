/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Certificate authentication: credentials, trust anchors, RFC 7427 AUTH
 * data (method 14) and RFC 4754 ECDSA (methods 9/10/11), through OpenSSL 3.
 * See ike_cert.h for the API contract.
 *
 * Untrusted input here is the peer's certificates (parsed by libcrypto's
 * d2i_X509, which must consume the whole CERT payload) and the AUTH data,
 * whose AlgorithmIdentifier is parsed by the small DER walker below over
 * struct ike_rd: only short or one-octet long lengths (an
 * AlgorithmIdentifier fits in the 255 octets its RFC 7427 length prefix
 * allows), every TLV must end exactly where its parent does, and only the
 * OIDs in the tables are accepted.
 *
 * Errors caused by peer data are removed from libcrypto's error queue
 * (ERR_set_mark / ERR_pop_to_mark), so a bad peer leaves no trace there;
 * the reason goes to @why instead.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <parapass/pp_ike_wire.h>

#include "ike_cert.h"
#include "ike_rd.h"

#define RSA_BITS_MIN	    2048 /* RFC 8247 §3.2 */
#define RSA_BITS_MAX	    4096 /* ours: keeps AUTH data under IKE_SIG_MAX */
#define RSA_VERIFY_BITS_MAX 8192
#define TRUST_MAX	    256 /* anchors in one bundle */
#define SHA1_LEN	    20
#define ECDSA_DER_MAX	    160 /* ECDSA-Sig-Value for P-521: 2 * (3 + 67) + 3 */
#define ID_STR_MAX	    80
#define X509_AUTH_LEVEL	    2 /* 112-bit security: no SHA-1, RSA >= 2048 */

typedef STACK_OF(X509) x509_stack;

/* ---------------------------------------------------------------------- */
/* Small helpers                                                          */
/* ---------------------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static void
why_set(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || why_len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
}

/* Printable rendering of a name from a certificate or an ID (logs only). */
static void str_safe(char *dst, size_t cap, const uint8_t *p, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < cap; i++)
		dst[o++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	if (cap)
		dst[o] = '\0';
}

static void id_str(const struct pp_ike_id *id, char *dst, size_t cap)
{
	size_t n = id->len < sizeof(id->data) ? id->len : sizeof(id->data);

	switch (id->type) {
	case PP_IKE_IDT_IPV4:
	case PP_IKE_IDT_IPV6:
		if ((id->type == PP_IKE_IDT_IPV4 && n == 4) ||
		    (id->type == PP_IKE_IDT_IPV6 && n == 16)) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(id->type == PP_IKE_IDT_IPV4 ? AF_INET
							      : AF_INET6,
				  id->data, a, sizeof(a));
			snprintf(dst, cap, "%s", a);
		} else {
			snprintf(dst, cap, "(%zu-byte address)", n);
		}
		return;
	case PP_IKE_IDT_FQDN:
	case PP_IKE_IDT_RFC822:
		str_safe(dst, cap, id->data, n);
		return;
	case PP_IKE_IDT_DN: {
		const unsigned char *p = id->data;
		X509_NAME *nm = d2i_X509_NAME(NULL, &p, (long)n);

		if (nm != NULL &&
		    X509_NAME_oneline(nm, dst, (int)cap) != NULL) {
			X509_NAME_free(nm);
			return;
		}
		X509_NAME_free(nm);
		snprintf(dst, cap, "(undecodable %zu-byte DN)", n);
		return;
	}
	default:
		snprintf(dst, cap, "(%zu bytes)", n);
		return;
	}
}

static const char *id_type_name(enum pp_ike_id_type t)
{
	switch (t) {
	case PP_IKE_IDT_NONE:
		return "NONE";
	case PP_IKE_IDT_IPV4:
		return "IPV4_ADDR";
	case PP_IKE_IDT_FQDN:
		return "FQDN";
	case PP_IKE_IDT_RFC822:
		return "RFC822_ADDR";
	case PP_IKE_IDT_IPV6:
		return "IPV6_ADDR";
	case PP_IKE_IDT_DN:
		return "DER_ASN1_DN";
	case PP_IKE_IDT_KEY_ID:
		return "KEY_ID";
	}
	return "?";
}

static bool ascii_ieq(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (uint8_t)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (uint8_t)(y + 32);
		if (x != y)
			return false;
	}
	return true;
}

static bool has_pem_header(const uint8_t *p, size_t n)
{
	static const char tag[] = "-----BEGIN ";
	const size_t tl = sizeof(tag) - 1;

	for (size_t i = 0; i + tl <= n; i++)
		if (memcmp(p + i, tag, tl) == 0)
			return true;
	return false;
}

/* DER decode of exactly @n bytes into one certificate. */
static X509 *cert_from_der(const uint8_t *der, size_t n)
{
	const unsigned char *p = der;
	X509 *x;

	if (n == 0 || n > IKE_CERT_DER_MAX)
		return NULL;
	x = d2i_X509(NULL, &p, (long)n);
	if (x != NULL && p != der + n) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/*
 * One or more certificates from PEM (all CERTIFICATE blocks, in order) or
 * one from DER. Returns 0, -EBADMSG (nothing or garbage), -E2BIG (more
 * than @max), -ENOMEM.
 */
static int certs_read(const uint8_t *in, size_t n, unsigned int max,
		      x509_stack **out)
{
	x509_stack *sk;
	BIO *bio;
	X509 *x;
	int rc = 0;

	if (n == 0 || n > INT_MAX)
		return -EBADMSG;
	sk = sk_X509_new_null();
	if (sk == NULL)
		return -ENOMEM;
	ERR_set_mark(); /* decode failures are reported through rc */
	if (!has_pem_header(in, n)) {
		x = cert_from_der(in, n);
		if (x == NULL) {
			rc = -EBADMSG;
		} else if (!sk_X509_push(sk, x)) {
			X509_free(x);
			rc = -ENOMEM;
		}
		goto out;
	}
	bio = BIO_new_mem_buf(in, (int)n);
	if (bio == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if ((unsigned int)sk_X509_num(sk) >= max) {
			X509_free(x);
			rc = -E2BIG;
			break;
		}
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			rc = -ENOMEM;
			break;
		}
	}
	if (rc == 0) {
		/* The loop ends on "no start line" at the end of input;
		 * anything else is a broken block. */
		unsigned long e = ERR_peek_last_error();

		if (sk_X509_num(sk) == 0 ||
		    (e != 0 && ERR_GET_REASON(e) != PEM_R_NO_START_LINE))
			rc = -EBADMSG;
	}
	BIO_free(bio);
out:
	ERR_pop_to_mark();
	if (rc != 0) {
		sk_X509_pop_free(sk, X509_free);
		return rc;
	}
	*out = sk;
	return 0;
}

static int der_dup(X509 *x, uint8_t **der, size_t *len)
{
	unsigned char *p = NULL;
	int n = i2d_X509(x, &p);

	if (n <= 0)
		return -EIO;
	*der = p;
	*len = (size_t)n;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Key kinds                                                              */
/* ---------------------------------------------------------------------- */

enum key_kind {
	KEY_UNSUPPORTED = 0,
	KEY_RSA,
	KEY_RSA_PSS, /* id-RSASSA-PSS SubjectPublicKeyInfo (verify only) */
	KEY_EC_P256,
	KEY_EC_P384,
	KEY_EC_P521,
	KEY_ED25519,
};

static enum key_kind key_kind_of(const EVP_PKEY *k)
{
	char grp[32];
	int nid;

	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:
		return KEY_RSA;
	case EVP_PKEY_RSA_PSS:
		return KEY_RSA_PSS;
	case EVP_PKEY_ED25519:
		return KEY_ED25519;
	case EVP_PKEY_EC:
		if (!EVP_PKEY_get_group_name(k, grp, sizeof(grp), NULL))
			return KEY_UNSUPPORTED;
		nid = OBJ_sn2nid(grp);
		if (nid == NID_undef)
			nid = EC_curve_nist2nid(grp);
		if (nid == NID_X9_62_prime256v1)
			return KEY_EC_P256;
		if (nid == NID_secp384r1)
			return KEY_EC_P384;
		if (nid == NID_secp521r1)
			return KEY_EC_P521;
		return KEY_UNSUPPORTED;
	}
	return KEY_UNSUPPORTED;
}

static bool key_is_rsa(enum key_kind k)
{
	return k == KEY_RSA || k == KEY_RSA_PSS;
}

static bool key_is_ec(enum key_kind k)
{
	return k == KEY_EC_P256 || k == KEY_EC_P384 || k == KEY_EC_P521;
}

static const char *key_kind_name(enum key_kind k)
{
	switch (k) {
	case KEY_RSA:
		return "RSA";
	case KEY_RSA_PSS:
		return "RSA-PSS";
	case KEY_EC_P256:
		return "ECDSA P-256";
	case KEY_EC_P384:
		return "ECDSA P-384";
	case KEY_EC_P521:
		return "ECDSA P-521";
	case KEY_ED25519:
		return "Ed25519";
	case KEY_UNSUPPORTED:
		break;
	}
	return "unsupported";
}

/* ECDSA field size in bytes (r and s of RFC 4754). */
static size_t ec_field_len(enum key_kind k)
{
	switch (k) {
	case KEY_EC_P256:
		return 32;
	case KEY_EC_P384:
		return 48;
	case KEY_EC_P521:
		return 66;
	default:
		return 0;
	}
}

/* ---------------------------------------------------------------------- */
/* Signature algorithms (RFC 7427 §3, Appendix A; RFC 8420 §2)            */
/* ---------------------------------------------------------------------- */

enum alg_kind {
	ALG_RSA_PKCS1,
	ALG_RSA_PSS,
	ALG_ECDSA,     /* DER ECDSA-Sig-Value (method 14) */
	ALG_ECDSA_RAW, /* r | s (methods 9/10/11, RFC 4754) */
	ALG_ED25519,
};

struct sig_alg {
	enum alg_kind kind;
	uint8_t hash; /* enum ike_sig_hash */
	size_t salt;  /* PSS */
};

/* AlgorithmIdentifiers we send; byte strings of RFC 7427 Appendix A
 * (A.1.2-A.1.4 RSA, A.3.2-A.3.4 ECDSA, A.4.3 RSASSA-PSS with SHA-256;
 * the SHA-384/512 PSS forms follow A.4.3 with salt = hash length) and
 * RFC 8420 §2 (id-Ed25519, parameters absent). */
static const uint8_t AID_RSA_SHA256[] = {0x30, 0x0d, 0x06, 0x09, 0x2a,
					 0x86, 0x48, 0x86, 0xf7, 0x0d,
					 0x01, 0x01, 0x0b, 0x05, 0x00};
static const uint8_t AID_RSA_SHA384[] = {0x30, 0x0d, 0x06, 0x09, 0x2a,
					 0x86, 0x48, 0x86, 0xf7, 0x0d,
					 0x01, 0x01, 0x0c, 0x05, 0x00};
static const uint8_t AID_RSA_SHA512[] = {0x30, 0x0d, 0x06, 0x09, 0x2a,
					 0x86, 0x48, 0x86, 0xf7, 0x0d,
					 0x01, 0x01, 0x0d, 0x05, 0x00};
static const uint8_t AID_ECDSA_SHA256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
					   0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
static const uint8_t AID_ECDSA_SHA384[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
					   0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
static const uint8_t AID_ECDSA_SHA512[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
					   0x48, 0xce, 0x3d, 0x04, 0x03, 0x04};
static const uint8_t AID_ED25519[] = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70};
#define AID_PSS(h, salt)                                                       \
	{                                                                      \
		0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,    \
			0x01, 0x01, 0x0a, 0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d,  \
			0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,  \
			0x02, (h), 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06,   \
			0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,  \
			0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,  \
			0x65, 0x03, 0x04, 0x02, (h), 0x05, 0x00, 0xa2, 0x03,   \
			0x02, 0x01, (salt)                                     \
	}
static const uint8_t AID_PSS_SHA256[] = AID_PSS(0x01, 32);
static const uint8_t AID_PSS_SHA384[] = AID_PSS(0x02, 48);
static const uint8_t AID_PSS_SHA512[] = AID_PSS(0x03, 64);

/* OIDs (content octets) the parser knows. */
static const uint8_t OID_PKCS1[] = {0x2a, 0x86, 0x48, 0x86,
				    0xf7, 0x0d, 0x01, 0x01}; /* + 1 byte */
static const uint8_t OID_ECDSA_SHA2[] = {0x2a, 0x86, 0x48, 0xce,
					 0x3d, 0x04, 0x03}; /* + 1 byte */
static const uint8_t OID_ECDSA_SHA1[] = {0x2a, 0x86, 0x48, 0xce,
					 0x3d, 0x04, 0x01};
static const uint8_t OID_DSA_SHA1[] = {0x2a, 0x86, 0x48, 0xce,
				       0x38, 0x04, 0x03};
static const uint8_t OID_ED25519[] = {0x2b, 0x65, 0x70};
static const uint8_t OID_SHA2[] = {0x60, 0x86, 0x48, 0x01,
				   0x65, 0x03, 0x04, 0x02}; /* + 1 byte */
static const uint8_t OID_SHA1[] = {0x2b, 0x0e, 0x03, 0x02, 0x1a};

#define PKCS1_SHA1   0x05
#define PKCS1_MGF1   0x08
#define PKCS1_PSS    0x0a
#define PKCS1_SHA256 0x0b
#define PKCS1_SHA384 0x0c
#define PKCS1_SHA512 0x0d

static const char *hash_md(uint8_t h)
{
	switch (h) {
	case IKE_SIG_HASH_SHA2_256:
		return "SHA256";
	case IKE_SIG_HASH_SHA2_384:
		return "SHA384";
	case IKE_SIG_HASH_SHA2_512:
		return "SHA512";
	}
	return NULL;
}

static size_t hash_len(uint8_t h)
{
	switch (h) {
	case IKE_SIG_HASH_SHA2_256:
		return 32;
	case IKE_SIG_HASH_SHA2_384:
		return 48;
	case IKE_SIG_HASH_SHA2_512:
		return 64;
	}
	return 0;
}

static const uint8_t *alg_der(const struct sig_alg *a, size_t *len)
{
	const uint8_t *d = NULL;

#define PICK(x) (d = (x), *len = sizeof(x))
	switch (a->kind) {
	case ALG_RSA_PKCS1:
		if (a->hash == IKE_SIG_HASH_SHA2_256)
			PICK(AID_RSA_SHA256);
		else if (a->hash == IKE_SIG_HASH_SHA2_384)
			PICK(AID_RSA_SHA384);
		else if (a->hash == IKE_SIG_HASH_SHA2_512)
			PICK(AID_RSA_SHA512);
		break;
	case ALG_RSA_PSS:
		if (a->hash == IKE_SIG_HASH_SHA2_256)
			PICK(AID_PSS_SHA256);
		else if (a->hash == IKE_SIG_HASH_SHA2_384)
			PICK(AID_PSS_SHA384);
		else if (a->hash == IKE_SIG_HASH_SHA2_512)
			PICK(AID_PSS_SHA512);
		break;
	case ALG_ECDSA:
		if (a->hash == IKE_SIG_HASH_SHA2_256)
			PICK(AID_ECDSA_SHA256);
		else if (a->hash == IKE_SIG_HASH_SHA2_384)
			PICK(AID_ECDSA_SHA384);
		else if (a->hash == IKE_SIG_HASH_SHA2_512)
			PICK(AID_ECDSA_SHA512);
		break;
	case ALG_ED25519:
		PICK(AID_ED25519);
		break;
	case ALG_ECDSA_RAW:
		break;
	}
#undef PICK
	return d;
}

/* --- DER walker over untrusted bytes ---------------------------------- */

/* One TLV with tag @tag: short-form or one-octet long-form length
 * (minimal), value carved into @val. Leaves @r unchanged on failure. */
static bool der_tlv(struct ike_rd *r, uint8_t tag, struct ike_rd *val)
{
	struct ike_rd save = *r;
	uint8_t t, l0, l1;
	size_t n;

	if (!ike_rd_u8(r, &t) || t != tag || !ike_rd_u8(r, &l0))
		goto bad;
	if (l0 < 0x80) {
		n = l0;
	} else if (l0 == 0x81) {
		if (!ike_rd_u8(r, &l1) || l1 < 0x80)
			goto bad;
		n = l1;
	} else {
		goto bad;
	}
	if (!ike_rd_sub(r, n, val))
		goto bad;
	return true;
bad:
	*r = save;
	return false;
}

static bool rd_eq(const struct ike_rd *r, const uint8_t *v, size_t n)
{
	return r->len == n && memcmp(r->base, v, n) == 0;
}

/* OID content octets == @prefix + one final octet, returned in *last. */
static bool oid_prefix(const struct ike_rd *oid, const uint8_t *prefix,
		       size_t n, uint8_t *last)
{
	if (oid->len != n + 1 || memcmp(oid->base, prefix, n) != 0)
		return false;
	*last = oid->base[n];
	return true;
}

static void oid_text(const struct ike_rd *oid, char *dst, size_t cap)
{
	ASN1_OBJECT *o = NULL;
	uint8_t buf[2 + 127];
	const unsigned char *p = buf;

	snprintf(dst, cap, "(undecodable)");
	if (oid->len == 0 || oid->len > 127)
		return;
	buf[0] = 0x06;
	buf[1] = (uint8_t)oid->len;
	memcpy(buf + 2, oid->base, oid->len);
	o = d2i_ASN1_OBJECT(NULL, &p, (long)(2 + oid->len));
	if (o != NULL)
		OBJ_obj2txt(dst, (int)cap, o, 1);
	ASN1_OBJECT_free(o);
}

/* "hashAlgorithm" AlgorithmIdentifier of RSASSA-PSS: SHA-2, NULL or
 * absent parameters. Returns the IKE hash ID, 1 for SHA-1, 0 otherwise. */
static uint8_t pss_hash_alg(struct ike_rd seq)
{
	struct ike_rd oid, nul;
	uint8_t last;

	if (!der_tlv(&seq, 0x06, &oid))
		return 0;
	if (ike_rd_left(&seq) != 0 && (!der_tlv(&seq, 0x05, &nul) ||
				       nul.len != 0 || ike_rd_left(&seq) != 0))
		return 0;
	if (rd_eq(&oid, OID_SHA1, sizeof(OID_SHA1)))
		return IKE_SIG_HASH_SHA1;
	if (!oid_prefix(&oid, OID_SHA2, sizeof(OID_SHA2), &last))
		return 0;
	switch (last) {
	case 0x01:
		return IKE_SIG_HASH_SHA2_256;
	case 0x02:
		return IKE_SIG_HASH_SHA2_384;
	case 0x03:
		return IKE_SIG_HASH_SHA2_512;
	}
	return 0;
}

/* Small non-negative DER INTEGER (at most 2 content octets, minimal). */
static bool der_small_uint(struct ike_rd *r, size_t *v)
{
	struct ike_rd in;

	if (!der_tlv(r, 0x02, &in) || in.len == 0 || in.len > 2)
		return false;
	if (in.base[0] & 0x80)
		return false; /* negative */
	if (in.len == 2 && in.base[0] == 0 && !(in.base[1] & 0x80))
		return false; /* not minimal */
	*v = in.len == 1 ? in.base[0] : (size_t)in.base[0] << 8 | in.base[1];
	return true;
}

/* RSASSA-PSS-params (RFC 4055 §3.1). Defaults mean SHA-1: refused. */
static int parse_pss(struct ike_rd params, struct sig_alg *a, char *why,
		     size_t why_len)
{
	struct ike_rd p, ctx, seq, oid, mgf_hash;
	uint8_t h, mh, last;
	size_t salt = 20, trailer = 1;

	if (!der_tlv(&params, 0x30, &p) || ike_rd_left(&params) != 0) {
		why_set(why, why_len,
			"AUTH: RSASSA-PSS parameters are not a DER SEQUENCE");
		return -EACCES;
	}
	/* [0] hashAlgorithm */
	if (!der_tlv(&p, 0xa0, &ctx)) {
		why_set(why, why_len,
			"AUTH: RSASSA-PSS with default "
			"hashAlgorithm SHA-1 refused");
		return -EACCES;
	}
	if (!der_tlv(&ctx, 0x30, &seq) || ike_rd_left(&ctx) != 0 ||
	    (h = pss_hash_alg(seq)) == 0) {
		why_set(why, why_len,
			"AUTH: RSASSA-PSS hashAlgorithm malformed or unknown");
		return -EACCES;
	}
	if (h == IKE_SIG_HASH_SHA1) {
		why_set(why, why_len, "AUTH: RSASSA-PSS with SHA-1 refused");
		return -EACCES;
	}
	/* [1] maskGenAlgorithm: MGF1 with the same hash */
	if (!der_tlv(&p, 0xa1, &ctx)) {
		why_set(why, why_len,
			"AUTH: RSASSA-PSS with default "
			"maskGenAlgorithm MGF1-SHA-1 refused");
		return -EACCES;
	}
	if (!der_tlv(&ctx, 0x30, &seq) || ike_rd_left(&ctx) != 0 ||
	    !der_tlv(&seq, 0x06, &oid) ||
	    !oid_prefix(&oid, OID_PKCS1, sizeof(OID_PKCS1), &last) ||
	    last != PKCS1_MGF1 || !der_tlv(&seq, 0x30, &mgf_hash) ||
	    ike_rd_left(&seq) != 0 || (mh = pss_hash_alg(mgf_hash)) != h) {
		why_set(why, why_len,
			"AUTH: RSASSA-PSS maskGenAlgorithm is "
			"not MGF1 with the signature's hash");
		return -EACCES;
	}
	/* [2] saltLength, [3] trailerField */
	if (ike_rd_left(&p) && p.base[p.off] == 0xa2) {
		if (!der_tlv(&p, 0xa2, &ctx) || !der_small_uint(&ctx, &salt) ||
		    ike_rd_left(&ctx) != 0) {
			why_set(why, why_len,
				"AUTH: RSASSA-PSS saltLength malformed");
			return -EACCES;
		}
	}
	if (ike_rd_left(&p) && p.base[p.off] == 0xa3) {
		if (!der_tlv(&p, 0xa3, &ctx) ||
		    !der_small_uint(&ctx, &trailer) || ike_rd_left(&ctx) != 0 ||
		    trailer != 1) {
			why_set(why, why_len,
				"AUTH: RSASSA-PSS trailerField is not 1");
			return -EACCES;
		}
	}
	if (ike_rd_left(&p) != 0) {
		why_set(why, why_len,
			"AUTH: RSASSA-PSS parameters have trailing data");
		return -EACCES;
	}
	a->kind = ALG_RSA_PSS;
	a->hash = h;
	a->salt = salt;
	return 0;
}

/* AlgorithmIdentifier (exactly @n bytes) -> @a. */
static int parse_alg_id(const uint8_t *der, size_t n, struct sig_alg *a,
			char *why, size_t why_len)
{
	struct ike_rd r, seq, oid, nul;
	uint8_t last;
	char txt[64];

	ike_rd_init(&r, der, n);
	if (!der_tlv(&r, 0x30, &seq) || ike_rd_left(&r) != 0 ||
	    !der_tlv(&seq, 0x06, &oid) || oid.len == 0) {
		why_set(why, why_len,
			"AUTH: AlgorithmIdentifier (%zu bytes) "
			"is not a DER SEQUENCE { OID, ... }",
			n);
		return -EACCES;
	}
	memset(a, 0, sizeof(*a));
	if (oid_prefix(&oid, OID_PKCS1, sizeof(OID_PKCS1), &last)) {
		switch (last) {
		case PKCS1_SHA256:
		case PKCS1_SHA384:
		case PKCS1_SHA512:
			/* RFC 4055 §5: NULL parameters, absent accepted. */
			if (ike_rd_left(&seq) != 0 &&
			    (!der_tlv(&seq, 0x05, &nul) || nul.len != 0 ||
			     ike_rd_left(&seq) != 0)) {
				why_set(why, why_len,
					"AUTH: sha2WithRSAEncryption with "
					"parameters other than NULL");
				return -EACCES;
			}
			a->kind = ALG_RSA_PKCS1;
			a->hash = (uint8_t)(IKE_SIG_HASH_SHA2_256 +
					    (last - PKCS1_SHA256));
			return 0;
		case PKCS1_PSS:
			if (ike_rd_left(&seq) == 0) {
				why_set(why, why_len,
					"AUTH: RSASSA-PSS without parameters "
					"(SHA-1 defaults) refused");
				return -EACCES;
			}
			return parse_pss(seq, a, why, why_len);
		case PKCS1_SHA1:
			why_set(why, why_len,
				"AUTH: sha1WithRSAEncryption "
				"refused (SHA-1, RFC 8247)");
			return -EACCES;
		}
	} else if (oid_prefix(&oid, OID_ECDSA_SHA2, sizeof(OID_ECDSA_SHA2),
			      &last) &&
		   last >= 0x02 && last <= 0x04) {
		/* RFC 5758 §3.2: parameters absent. */
		if (ike_rd_left(&seq) != 0) {
			why_set(why, why_len,
				"AUTH: ecdsa-with-SHA2 with parameters");
			return -EACCES;
		}
		a->kind = ALG_ECDSA;
		a->hash = (uint8_t)(IKE_SIG_HASH_SHA2_256 + (last - 0x02));
		return 0;
	} else if (rd_eq(&oid, OID_ED25519, sizeof(OID_ED25519))) {
		if (ike_rd_left(&seq) != 0) {
			why_set(why, why_len,
				"AUTH: id-Ed25519 with parameters");
			return -EACCES;
		}
		a->kind = ALG_ED25519;
		a->hash = IKE_SIG_HASH_IDENTITY;
		return 0;
	} else if (rd_eq(&oid, OID_ECDSA_SHA1, sizeof(OID_ECDSA_SHA1)) ||
		   rd_eq(&oid, OID_DSA_SHA1, sizeof(OID_DSA_SHA1))) {
		why_set(why, why_len, "AUTH: %s refused (SHA-1, RFC 8247)",
			oid.len && oid.base[4] == 0x3d ? "ecdsa-with-SHA1"
						       : "dsa-with-sha1");
		return -EACCES;
	}
	oid_text(&oid, txt, sizeof(txt));
	why_set(why, why_len, "AUTH: signature algorithm OID %s not supported",
		txt);
	return -EACCES;
}

/* ---------------------------------------------------------------------- */
/* Identity binding                                                       */
/* ---------------------------------------------------------------------- */

static bool cert_has_id(X509 *x, const struct pp_ike_id *id)
{
	GENERAL_NAMES *gens;
	bool found = false;
	size_t n = id->len;
	int gtype;

	if (n == 0 || n > sizeof(id->data))
		return false;
	switch (id->type) {
	case PP_IKE_IDT_DN: {
		const X509_NAME *nm = X509_get_subject_name(x);
		const unsigned char *der = NULL;
		size_t dlen = 0;

		if (nm == NULL || !X509_NAME_get0_der(nm, &der, &dlen))
			return false;
		return dlen == n && memcmp(der, id->data, n) == 0;
	}
	case PP_IKE_IDT_FQDN:
		gtype = GEN_DNS;
		break;
	case PP_IKE_IDT_RFC822:
		gtype = GEN_EMAIL;
		break;
	case PP_IKE_IDT_IPV4:
		if (n != 4)
			return false;
		gtype = GEN_IPADD;
		break;
	case PP_IKE_IDT_IPV6:
		if (n != 16)
			return false;
		gtype = GEN_IPADD;
		break;
	default:
		return false; /* KEY_ID, NONE: not bound to certificates */
	}
	ERR_set_mark();
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	ERR_pop_to_mark();
	for (int i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_STRING *s;
		const uint8_t *v;
		int type;

		s = GENERAL_NAME_get0_value(g, &type);
		if (type != gtype || s == NULL)
			continue;
		v = ASN1_STRING_get0_data(s);
		if ((size_t)ASN1_STRING_length(s) != n)
			continue;
		if (gtype == GEN_IPADD ? memcmp(v, id->data, n) == 0
				       : ascii_ieq(v, id->data, n)) {
			found = true;
			break;
		}
	}
	GENERAL_NAMES_free(gens);
	return found;
}

/* ---------------------------------------------------------------------- */
/* Credentials                                                            */
/* ---------------------------------------------------------------------- */

struct der_blob {
	uint8_t *p;
	size_t len;
};

struct ike_cred {
	X509 *cert;
	EVP_PKEY *key;
	enum key_kind kind;
	struct der_blob cert_der;
	unsigned int n_inter;
	struct der_blob inter[IKE_CERT_INTER_MAX];
};

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static EVP_PKEY *key_read(const uint8_t *in, size_t n)
{
	EVP_PKEY *k = NULL;

	if (n == 0 || n > INT_MAX)
		return NULL;
	if (has_pem_header(in, n)) {
		BIO *bio = BIO_new_mem_buf(in, (int)n);

		if (bio == NULL)
			return NULL;
		k = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
		BIO_free(bio);
	} else {
		const unsigned char *p = in;

		k = d2i_AutoPrivateKey(NULL, &p, (long)n);
	}
	return k;
}

/* Is @k a key type and size we sign with? */
static int key_acceptable(const EVP_PKEY *k, bool signing, char *why,
			  size_t why_len, const char *what)
{
	enum key_kind kind = key_kind_of(k);
	int bits = EVP_PKEY_get_bits(k);

	if (kind == KEY_UNSUPPORTED || (signing && kind == KEY_RSA_PSS)) {
		const char *sn = OBJ_nid2sn(EVP_PKEY_get_base_id(k));

		why_set(why, why_len, "%s: key type %s not supported", what,
			sn != NULL ? sn : "(unknown)");
		return -EKEYREJECTED;
	}
	if (key_is_rsa(kind) &&
	    (bits < RSA_BITS_MIN ||
	     bits > (signing ? RSA_BITS_MAX : RSA_VERIFY_BITS_MAX))) {
		why_set(why, why_len,
			"%s: RSA key of %d bits (accepted: %d..%d)", what, bits,
			RSA_BITS_MIN,
			signing ? RSA_BITS_MAX : RSA_VERIFY_BITS_MAX);
		return -EKEYREJECTED;
	}
	return 0;
}

void ike_cred_free(struct ike_cred *c)
{
	if (c == NULL)
		return;
	EVP_PKEY_free(c->key); /* clears the private key */
	X509_free(c->cert);
	OPENSSL_free(c->cert_der.p);
	for (unsigned int i = 0; i < c->n_inter; i++)
		OPENSSL_free(c->inter[i].p);
	OPENSSL_clear_free(c, sizeof(*c));
}

int ike_cred_load(const uint8_t *cert, size_t cert_len, const uint8_t *key,
		  size_t key_len, struct ike_cred **out, char *why,
		  size_t why_len)
{
	x509_stack *sk = NULL;
	struct ike_cred *c;
	bool match;
	int rc, n;

	if (cert == NULL || key == NULL || out == NULL) {
		why_set(why, why_len, "credential: missing argument");
		return -EINVAL;
	}
	*out = NULL;
	c = OPENSSL_zalloc(sizeof(*c));
	if (c == NULL)
		return -ENOMEM;

	rc = certs_read(cert, cert_len, 1 + IKE_CERT_INTER_MAX, &sk);
	if (rc == -E2BIG) {
		why_set(why, why_len, "certificate: more than %u intermediates",
			IKE_CERT_INTER_MAX);
		rc = -EBADMSG;
		goto fail;
	}
	if (rc != 0) {
		why_set(why, why_len,
			"certificate: no PEM/DER X.509 certificate decodes");
		goto fail;
	}
	n = sk_X509_num(sk);
	c->cert = sk_X509_shift(sk);
	rc = der_dup(c->cert, &c->cert_der.p, &c->cert_der.len);
	for (int i = 1; rc == 0 && i < n; i++) {
		X509 *x = sk_X509_value(sk, i - 1);

		rc = der_dup(x, &c->inter[c->n_inter].p,
			     &c->inter[c->n_inter].len);
		if (rc == 0)
			c->n_inter++;
	}
	if (rc != 0) {
		why_set(why, why_len, "certificate: cannot re-encode");
		goto fail;
	}

	ERR_set_mark();
	c->key = key_read(key, key_len);
	ERR_pop_to_mark();
	if (c->key == NULL) {
		why_set(why, why_len,
			"private key: no PEM/DER key decodes "
			"(encrypted keys are not supported)");
		rc = -EBADMSG;
		goto fail;
	}
	rc = key_acceptable(c->key, true, why, why_len, "private key");
	if (rc != 0)
		goto fail;
	c->kind = key_kind_of(c->key);
	ERR_set_mark();
	match = EVP_PKEY_eq(X509_get0_pubkey(c->cert), c->key) == 1;
	ERR_pop_to_mark();
	if (!match) {
		char subj[128];

		X509_NAME_oneline(X509_get_subject_name(c->cert), subj,
				  sizeof(subj));
		why_set(why, why_len,
			"private key (%s) does not match certificate %s",
			key_kind_name(c->kind), subj);
		rc = -EKEYREJECTED;
		goto fail;
	}
	sk_X509_pop_free(sk, X509_free);
	*out = c;
	return 0;
fail:
	sk_X509_pop_free(sk, X509_free);
	ike_cred_free(c);
	return rc;
}

const uint8_t *ike_cred_cert_der(const struct ike_cred *c, size_t *len)
{
	*len = c->cert_der.len;
	return c->cert_der.p;
}

unsigned int ike_cred_n_inter(const struct ike_cred *c)
{
	return c->n_inter;
}

const uint8_t *ike_cred_inter_der(const struct ike_cred *c, unsigned int i,
				  size_t *len)
{
	if (i >= c->n_inter) {
		*len = 0;
		return NULL;
	}
	*len = c->inter[i].len;
	return c->inter[i].p;
}

int ike_cred_default_id(const struct ike_cred *c, struct pp_ike_id *out)
{
	const unsigned char *der = NULL;
	size_t n = 0;

	if (!X509_NAME_get0_der(X509_get_subject_name(c->cert), &der, &n))
		return -EIO;
	if (n == 0 || n > sizeof(out->data))
		return -ENOSPC;
	memset(out, 0, sizeof(*out));
	out->type = PP_IKE_IDT_DN;
	out->len = (uint16_t)n;
	memcpy(out->data, der, n);
	return 0;
}

bool ike_cred_has_id(const struct ike_cred *c, const struct pp_ike_id *id)
{
	if (c == NULL || id == NULL)
		return false;
	return cert_has_id(c->cert, id);
}

/* ---------------------------------------------------------------------- */
/* Trust anchors                                                          */
/* ---------------------------------------------------------------------- */

struct ike_trust {
	X509_STORE *store;
	unsigned int n_keyid;
	uint8_t (*keyid)[SHA1_LEN]; /* SHA-1 of each distinct SPKI */
};

void ike_trust_free(struct ike_trust *t)
{
	if (t == NULL)
		return;
	X509_STORE_free(t->store);
	OPENSSL_free(t->keyid);
	OPENSSL_free(t);
}

static int spki_sha1(X509 *x, uint8_t md[SHA1_LEN])
{
	unsigned char *der = NULL;
	unsigned int mdlen = 0;
	int n, ok;

	n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	if (n <= 0)
		return -EIO;
	ok = EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha1(), NULL);
	OPENSSL_free(der);
	return ok && mdlen == SHA1_LEN ? 0 : -EIO;
}

int ike_trust_load(const uint8_t *pem, size_t len, struct ike_trust **out,
		   char *why, size_t why_len)
{
	x509_stack *sk = NULL;
	struct ike_trust *t;
	int rc, n;

	if (pem == NULL || out == NULL) {
		why_set(why, why_len, "trust anchors: missing argument");
		return -EINVAL;
	}
	*out = NULL;
	rc = certs_read(pem, len, TRUST_MAX, &sk);
	if (rc != 0) {
		if (rc == -E2BIG)
			why_set(why, why_len,
				"trust anchors: more than %d certificates",
				TRUST_MAX);
		else
			why_set(why, why_len,
				"trust anchors: no PEM/DER "
				"X.509 certificate decodes");
		return rc == -ENOMEM ? rc : -EBADMSG;
	}
	n = sk_X509_num(sk);
	t = OPENSSL_zalloc(sizeof(*t));
	if (t == NULL || (t->store = X509_STORE_new()) == NULL ||
	    (t->keyid = OPENSSL_zalloc((size_t)n * SHA1_LEN)) == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		X509 *x = sk_X509_value(sk, i);
		uint8_t md[SHA1_LEN];
		bool dup = false;

		rc = spki_sha1(x, md);
		if (rc != 0)
			goto fail;
		for (unsigned int j = 0; j < t->n_keyid; j++)
			dup = dup || memcmp(t->keyid[j], md, SHA1_LEN) == 0;
		if (dup)
			continue; /* same key (re-issued CA): once is enough */
		if (!X509_STORE_add_cert(t->store, x)) {
			rc = -EIO;
			goto fail;
		}
		memcpy(t->keyid[t->n_keyid++], md, SHA1_LEN);
	}
	sk_X509_pop_free(sk, X509_free);
	*out = t;
	return 0;
fail:
	why_set(why, why_len, "trust anchors: cannot build the store");
	sk_X509_pop_free(sk, X509_free);
	ike_trust_free(t);
	return rc;
}

int ike_trust_certreq(const struct ike_trust *t, uint8_t *out, size_t cap,
		      size_t *len)
{
	size_t need = (size_t)t->n_keyid * SHA1_LEN;

	*len = need;
	if (cap < need)
		return -ENOSPC;
	if (need)
		memcpy(out, t->keyid, need);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Signing                                                                */
/* ---------------------------------------------------------------------- */

size_t ike_sig_hash_algs(uint8_t *out, size_t cap)
{
	static const uint8_t ours[] = {
		0, IKE_SIG_HASH_SHA2_256, 0, IKE_SIG_HASH_SHA2_384,
		0, IKE_SIG_HASH_SHA2_512, 0, IKE_SIG_HASH_IDENTITY,
	};

	if (out == NULL || cap < sizeof(ours))
		return 0;
	memcpy(out, ours, sizeof(ours));
	return sizeof(ours);
}

static bool peer_offers(const uint8_t *list, size_t n, uint8_t h)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		if (list[i] == 0 && list[i + 1] == h)
			return true;
	return false;
}

/* Pick the algorithm for our key from the peer's list (see ike_cert.h). */
static int choose_alg(enum key_kind kind, const uint8_t *peer, size_t n,
		      unsigned int flags, struct sig_alg *a)
{
	static const uint8_t pref_rsa[] = {4, 3, 2};
	static const uint8_t pref_p256[] = {2, 3, 4};
	static const uint8_t pref_p384[] = {3, 4, 2};
	static const uint8_t pref_p521[] = {4, 3, 2};
	const uint8_t *pref;

	memset(a, 0, sizeof(*a));
	if (peer != NULL && n % 2 != 0)
		return -EPROTO;
	switch (kind) {
	case KEY_ED25519:
		if (peer == NULL ||
		    !peer_offers(peer, n, IKE_SIG_HASH_IDENTITY))
			return -ENOTSUP;
		a->kind = ALG_ED25519;
		a->hash = IKE_SIG_HASH_IDENTITY;
		return 0;
	case KEY_RSA:
		a->kind = (flags & IKE_SIG_F_RSA_PSS) ? ALG_RSA_PSS
						      : ALG_RSA_PKCS1;
		pref = pref_rsa;
		break;
	case KEY_EC_P256:
		a->kind = ALG_ECDSA;
		pref = pref_p256;
		break;
	case KEY_EC_P384:
		a->kind = ALG_ECDSA;
		pref = pref_p384;
		break;
	case KEY_EC_P521:
		a->kind = ALG_ECDSA;
		pref = pref_p521;
		break;
	default:
		return -ENOTSUP;
	}
	if (peer == NULL) {
		a->hash = IKE_SIG_HASH_SHA2_256;
	} else {
		for (size_t i = 0; i < 3 && a->hash == 0; i++)
			if (peer_offers(peer, n, pref[i]))
				a->hash = pref[i];
		if (a->hash == 0)
			return -ENOTSUP;
	}
	a->salt = hash_len(a->hash);
	return 0;
}

/* Signature of @octets with @key per @a into out[0..*siglen). */
static int do_sign(EVP_PKEY *key, const struct sig_alg *a,
		   const uint8_t *octets, size_t octets_len, uint8_t *out,
		   size_t *siglen)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	const char *md = a->kind == ALG_ED25519 ? NULL : hash_md(a->hash);
	int rc = -EIO;

	if (mctx == NULL)
		return -ENOMEM;
	if (EVP_DigestSignInit_ex(mctx, &pctx, md, NULL, NULL, key, NULL) != 1)
		goto out;
	if (a->kind == ALG_RSA_PSS &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, md, NULL) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, (int)a->salt) != 1))
		goto out;
	if (EVP_DigestSign(mctx, out, siglen, octets, octets_len) != 1)
		goto out;
	rc = 0;
out:
	EVP_MD_CTX_free(mctx);
	return rc;
}

int ike_sig_sign_ex(const struct ike_cred *c, const uint8_t *peer_hashes,
		    size_t peer_hashes_len, unsigned int flags,
		    const uint8_t *octets, size_t octets_len, uint8_t *out,
		    size_t cap, size_t *len)
{
	struct sig_alg a;
	const uint8_t *aid;
	size_t aid_len = 0, sig_max, siglen;
	int rc, ksize;

	if (c == NULL || out == NULL || len == NULL ||
	    (octets == NULL && octets_len != 0) ||
	    (flags & ~IKE_SIG_F_RSA_PSS) != 0)
		return -EINVAL;
	*len = 0;
	rc = choose_alg(c->kind, peer_hashes, peer_hashes_len, flags, &a);
	if (rc != 0)
		return rc;
	aid = alg_der(&a, &aid_len);
	ksize = EVP_PKEY_get_size(c->key);
	if (aid == NULL || ksize <= 0)
		return -EIO;
	sig_max = (size_t)ksize;
	if (cap < 1 + aid_len || cap - 1 - aid_len < sig_max)
		return -ENOSPC;
	out[0] = (uint8_t)aid_len;
	memcpy(out + 1, aid, aid_len);
	siglen = sig_max;
	rc = do_sign(c->key, &a, octets, octets_len, out + 1 + aid_len,
		     &siglen);
	if (rc != 0)
		return rc;
	*len = 1 + aid_len + siglen;
	return 0;
}

int ike_sig_sign(const struct ike_cred *c, const uint8_t *peer_hashes,
		 size_t peer_hashes_len, const uint8_t *octets,
		 size_t octets_len, uint8_t *out, size_t cap, size_t *len)
{
	return ike_sig_sign_ex(c, peer_hashes, peer_hashes_len, 0, octets,
			       octets_len, out, cap, len);
}

/* ---------------------------------------------------------------------- */
/* Verification                                                           */
/* ---------------------------------------------------------------------- */

static void subject_str(X509 *x, char *dst, size_t cap)
{
	if (x == NULL ||
	    X509_NAME_oneline(X509_get_subject_name(x), dst, (int)cap) == NULL)
		snprintf(dst, cap, "(unknown)");
}

static int chain_check(const struct ike_trust *t, X509 *leaf,
		       x509_stack *untrusted, int64_t now_unix, char *why,
		       size_t why_len)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *vp;
	char subj[128];
	int rc = -EIO, err, depth;

	if (ctx == NULL)
		return -ENOMEM;
	if (X509_STORE_CTX_init(ctx, t->store, leaf, untrusted) != 1)
		goto out;
	vp = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_depth(vp, IKE_CERT_DEPTH_MAX);
	X509_VERIFY_PARAM_set_auth_level(vp, X509_AUTH_LEVEL);
	X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_PARTIAL_CHAIN);
	if (now_unix != 0)
		X509_VERIFY_PARAM_set_time(vp, (time_t)now_unix);
	if (X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY) != 1)
		goto out;
	if (X509_verify_cert(ctx) == 1) {
		rc = 0;
		goto out;
	}
	err = X509_STORE_CTX_get_error(ctx);
	depth = X509_STORE_CTX_get_error_depth(ctx);
	subject_str(X509_STORE_CTX_get_current_cert(ctx), subj, sizeof(subj));
	why_set(why, why_len, "peer certificate chain: %s (depth %d, %s)",
		X509_verify_cert_error_string(err), depth, subj);
	rc = -EACCES;
out:
	X509_STORE_CTX_free(ctx);
	return rc;
}

/* Key type must fit the algorithm. */
static int key_fits(enum key_kind kind, const struct sig_alg *a, uint8_t method,
		    char *why, size_t why_len)
{
	static const char *const alg_names[] = {
		[ALG_RSA_PKCS1] = "RSA PKCS#1 v1.5",
		[ALG_RSA_PSS] = "RSASSA-PSS",
		[ALG_ECDSA] = "ECDSA",
		[ALG_ECDSA_RAW] = "ECDSA (RFC 4754)",
		[ALG_ED25519] = "Ed25519",
	};
	bool ok;

	switch (a->kind) {
	case ALG_RSA_PKCS1:
		ok = kind == KEY_RSA;
		break;
	case ALG_RSA_PSS:
		ok = key_is_rsa(kind);
		break;
	case ALG_ECDSA:
		ok = key_is_ec(kind);
		break;
	case ALG_ECDSA_RAW:
		ok = (method == PP_IKE_AUTH_ECDSA_P256 &&
		      kind == KEY_EC_P256) ||
		     (method == PP_IKE_AUTH_ECDSA_P384 &&
		      kind == KEY_EC_P384) ||
		     (method == PP_IKE_AUTH_ECDSA_P521 && kind == KEY_EC_P521);
		break;
	case ALG_ED25519:
		ok = kind == KEY_ED25519;
		break;
	default:
		ok = false;
	}
	if (!ok)
		why_set(why, why_len,
			"AUTH: %s signature (method %u) but the certificate "
			"key is %s",
			alg_names[a->kind], method, key_kind_name(kind));
	return ok ? 0 : -EACCES;
}

/* RFC 4754 r | s -> DER ECDSA-Sig-Value. */
static int ecdsa_raw_to_der(const uint8_t *sig, size_t n, uint8_t *der,
			    size_t cap, size_t *der_len)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, (int)(n / 2), NULL);
	BIGNUM *s = BN_bin2bn(sig + n / 2, (int)(n / 2), NULL);
	unsigned char *p = der;
	int len, rc = -ENOMEM;

	if (es == NULL || r == NULL || s == NULL)
		goto out;
	if (!ECDSA_SIG_set0(es, r, s))
		goto out;
	r = s = NULL; /* owned by es */
	len = i2d_ECDSA_SIG(es, NULL);
	rc = -EIO;
	if (len <= 0 || (size_t)len > cap || i2d_ECDSA_SIG(es, &p) != len)
		goto out;
	*der_len = (size_t)len;
	rc = 0;
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return rc;
}

static int sig_check(EVP_PKEY *pub, const struct sig_alg *a, const uint8_t *sig,
		     size_t sig_len, const uint8_t *octets, size_t octets_len,
		     char *why, size_t why_len)
{
	EVP_MD_CTX *mctx;
	EVP_PKEY_CTX *pctx = NULL;
	const char *md = a->kind == ALG_ED25519 ? NULL : hash_md(a->hash);
	enum key_kind kind = key_kind_of(pub);
	uint8_t der[ECDSA_DER_MAX];
	int rc = -EIO, v;

	/* Lengths fixed by the key. */
	if (key_is_rsa(kind) && sig_len != (size_t)EVP_PKEY_get_size(pub)) {
		why_set(why, why_len,
			"AUTH: RSA signature of %zu bytes, key needs %d",
			sig_len, EVP_PKEY_get_size(pub));
		return -EACCES;
	}
	if (kind == KEY_ED25519 && sig_len != 64) {
		why_set(why, why_len,
			"AUTH: Ed25519 signature of %zu bytes (need 64)",
			sig_len);
		return -EACCES;
	}
	if (a->kind == ALG_ECDSA_RAW) {
		size_t fl = ec_field_len(kind);

		if (sig_len != 2 * fl) {
			why_set(why, why_len,
				"AUTH: RFC 4754 signature of %zu bytes "
				"(need %zu)",
				sig_len, 2 * fl);
			return -EACCES;
		}
		rc = ecdsa_raw_to_der(sig, sig_len, der, sizeof(der), &sig_len);
		if (rc != 0)
			return rc;
		sig = der;
	} else if (a->kind == ALG_ECDSA &&
		   sig_len > (size_t)EVP_PKEY_get_size(pub)) {
		why_set(why, why_len,
			"AUTH: ECDSA signature of %zu bytes exceeds %d",
			sig_len, EVP_PKEY_get_size(pub));
		return -EACCES;
	}

	mctx = EVP_MD_CTX_new();
	if (mctx == NULL)
		return -ENOMEM;
	rc = -EIO;
	if (EVP_DigestVerifyInit_ex(mctx, &pctx, md, NULL, NULL, pub, NULL) !=
	    1)
		goto out;
	if (a->kind == ALG_RSA_PSS &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, md, NULL) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, (int)a->salt) != 1)) {
		why_set(why, why_len,
			"AUTH: RSASSA-PSS parameters (salt %zu) not usable "
			"with this key",
			a->salt);
		rc = -EACCES;
		goto out;
	}
	v = EVP_DigestVerify(mctx, sig, sig_len, octets, octets_len);
	if (v == 1) {
		rc = 0;
	} else {
		why_set(why, why_len, "AUTH: %s signature does not verify",
			key_kind_name(kind));
		rc = -EACCES;
	}
out:
	EVP_MD_CTX_free(mctx);
	return rc;
}

/* AUTH data -> algorithm + signature (borrowed). */
static int parse_auth(uint8_t method, const uint8_t *data, size_t n,
		      struct sig_alg *a, const uint8_t **sig, size_t *sig_len,
		      char *why, size_t why_len)
{
	struct ike_rd r;
	const uint8_t *aid;
	uint8_t alen;
	int rc;

	memset(a, 0, sizeof(*a));
	switch (method) {
	case PP_IKE_AUTH_DIGITAL_SIG:
		break;
	case PP_IKE_AUTH_ECDSA_P256:
	case PP_IKE_AUTH_ECDSA_P384:
	case PP_IKE_AUTH_ECDSA_P521:
		a->kind = ALG_ECDSA_RAW;
		a->hash = (uint8_t)(IKE_SIG_HASH_SHA2_256 +
				    (method - PP_IKE_AUTH_ECDSA_P256));
		if (n == 0) {
			why_set(why, why_len, "AUTH: empty signature");
			return -EACCES;
		}
		*sig = data;
		*sig_len = n;
		return 0;
	case PP_IKE_AUTH_RSA_SIG:
		why_set(why, why_len,
			"AUTH method 1 (RSA, SHA-1 per RFC 7296 §3.8 practice) "
			"refused: SHA-1; the peer must use method 14");
		return -EACCES;
	default:
		why_set(why, why_len,
			"AUTH method %u is not a certificate signature method",
			method);
		return -EACCES;
	}
	/* RFC 7427 §3: ASN.1 Length (1) | AlgorithmIdentifier | Signature */
	ike_rd_init(&r, data, n);
	if (!ike_rd_u8(&r, &alen) || alen == 0 || !ike_rd_ptr(&r, alen, &aid)) {
		why_set(why, why_len,
			"AUTH: %zu bytes cannot hold the %u-byte "
			"AlgorithmIdentifier announced",
			n, n ? data[0] : 0);
		return -EACCES;
	}
	if (ike_rd_left(&r) == 0) {
		why_set(why, why_len,
			"AUTH: no signature after the "
			"AlgorithmIdentifier");
		return -EACCES;
	}
	rc = parse_alg_id(aid, alen, a, why, why_len);
	if (rc != 0)
		return rc;
	*sig = data + r.off;
	*sig_len = ike_rd_left(&r);
	return 0;
}

int ike_sig_verify(const struct ike_trust *t, const uint8_t *cert_der,
		   size_t cert_len, const uint8_t *const *inter_der,
		   const size_t *inter_len, unsigned int n_inter,
		   const struct pp_ike_id *peer_id, uint8_t auth_method,
		   const uint8_t *auth_data, size_t auth_len,
		   const uint8_t *octets, size_t octets_len, int64_t now_unix,
		   char *why, size_t why_len)
{
	x509_stack *untrusted = NULL;
	X509 *leaf = NULL;
	EVP_PKEY *pub;
	struct sig_alg a;
	const uint8_t *sig = NULL;
	size_t sig_len = 0;
	char s1[ID_STR_MAX], s2[128];
	int rc;

	if (why != NULL && why_len > 0)
		why[0] = '\0';
	if (t == NULL || cert_der == NULL || peer_id == NULL ||
	    auth_data == NULL || (octets == NULL && octets_len != 0) ||
	    (n_inter != 0 && (inter_der == NULL || inter_len == NULL)) ||
	    now_unix < 0) {
		why_set(why, why_len, "verify: invalid argument");
		return -EINVAL;
	}
	if (n_inter > IKE_CERT_INTER_MAX) {
		why_set(why, why_len,
			"peer sent %u intermediate certificates (max %u)",
			n_inter, IKE_CERT_INTER_MAX);
		return -EACCES;
	}

	ERR_set_mark();
	rc = parse_auth(auth_method, auth_data, auth_len, &a, &sig, &sig_len,
			why, why_len);
	if (rc != 0)
		goto out;
	leaf = cert_from_der(cert_der, cert_len);
	if (leaf == NULL) {
		why_set(why, why_len,
			"peer certificate: %zu bytes are not "
			"one DER X.509 certificate",
			cert_len);
		rc = -EACCES;
		goto out;
	}
	untrusted = sk_X509_new_null();
	if (untrusted == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < n_inter; i++) {
		X509 *x = inter_der[i]
				  ? cert_from_der(inter_der[i], inter_len[i])
				  : NULL;

		if (x == NULL) {
			why_set(why, why_len,
				"peer intermediate certificate %u: not one "
				"DER X.509 certificate",
				i);
			rc = -EACCES;
			goto out;
		}
		if (!sk_X509_push(untrusted, x)) {
			X509_free(x);
			rc = -ENOMEM;
			goto out;
		}
	}
	rc = chain_check(t, leaf, untrusted, now_unix, why, why_len);
	if (rc != 0)
		goto out;
	if (!cert_has_id(leaf, peer_id)) {
		id_str(peer_id, s1, sizeof(s1));
		subject_str(leaf, s2, sizeof(s2));
		why_set(why, why_len,
			"peer ID %s '%s' is not in certificate %s%s",
			id_type_name(peer_id->type), s1, s2,
			peer_id->type == PP_IKE_IDT_DN ? " (subject)"
			: peer_id->type == PP_IKE_IDT_KEY_ID
				? " (KEY_ID cannot bind a certificate)"
				: " (subjectAltName)");
		rc = -EACCES;
		goto out;
	}
	pub = X509_get0_pubkey(leaf);
	if (pub == NULL) {
		why_set(why, why_len, "peer certificate: public key unusable");
		rc = -EACCES;
		goto out;
	}
	rc = key_acceptable(pub, false, why, why_len, "peer certificate");
	if (rc != 0) {
		rc = -EACCES;
		goto out;
	}
	rc = key_fits(key_kind_of(pub), &a, auth_method, why, why_len);
	if (rc != 0)
		goto out;
	rc = sig_check(pub, &a, sig, sig_len, octets, octets_len, why, why_len);
out:
	if (rc == -EACCES)
		ERR_pop_to_mark(); /* peer-caused: drop libcrypto's errors */
	else
		ERR_clear_last_mark();
	sk_X509_pop_free(untrusted, X509_free);
	X509_free(leaf);
	return rc;
}
