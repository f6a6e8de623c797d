/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tests of libike certificate authentication (libike/ike_cert.h, private).
 *
 * Every key and certificate is generated at run time with the OpenSSL API
 * (fx_setup): CAs with ECDSA P-256 and RSA-2048 keys, an intermediate CA
 * under the RSA CA, another unrelated CA, and end-entity certificates for
 * RSA-2048, ECDSA P-256/P-384/P-521 and Ed25519 keys carrying the same
 * subjectAltNames (two dNSNames, an rfc822Name, an IPv4 and an IPv6
 * iPAddress) and a subject CN that is NOT among them (so a CN fallback
 * would show). Validity is pinned to fixed Unix times; verification runs
 * at T_NOW unless a test says otherwise.
 *
 * Known answers:
 *   - AlgorithmIdentifier byte strings: RFC 7427 Appendix A (A.1.2-A.1.4
 *     sha{256,384,512}WithRSAEncryption, A.3.2-A.3.4 ecdsa-with-SHA2,
 *     A.4.3 RSASSA-PSS with SHA-256; A.1.1, A.2.1, A.3.1 and A.4.2, the
 *     SHA-1 forms, for the refusals), RFC 8420 §2 (id-Ed25519); typed here
 *     from the RFCs, not shared with the library.
 *   - SIGNATURE_HASH_ALGORITHMS values: RFC 7427 §4 / IANA (1..5).
 *   - CERTREQ: SHA-1 of the DER SubjectPublicKeyInfo (RFC 7296 §3.7),
 *     recomputed here through i2d_PUBKEY + EVP_Q_digest.
 *
 * Cross-checks against libcrypto used directly: the library's signatures
 * are verified with EVP_DigestVerify, and signatures made here with
 * EVP_DigestSign (plus the RFC byte strings) are verified by the library.
 * (The openssl command line tool is not used: it is not a guaranteed
 * build dependency.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <parapass/pp_ike_wire.h>

#include "ike_cert.h"

/* cmocka's headers need these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

#define T_NB  1700000000LL /* 2023-11-14: notBefore of the good certs */
#define T_NA  2000000000LL /* 2033-05-18: notAfter */
#define T_NOW 1800000000LL /* 2027-01-15: "now" for verification */
#define DAY   86400LL

/* ---------------------------------------------------------------------- */
/* RFC byte strings                                                       */
/* ---------------------------------------------------------------------- */

/* RFC 7427 A.1.2 / A.1.3 / A.1.4 */
static const uint8_t RFC_RSA_SHA256[] = {0x30, 0x0d, 0x06, 0x09, 0x2a,
					 0x86, 0x48, 0x86, 0xf7, 0x0d,
					 0x01, 0x01, 0x0b, 0x05, 0x00};
static const uint8_t RFC_RSA_SHA384[] = {0x30, 0x0d, 0x06, 0x09, 0x2a,
					 0x86, 0x48, 0x86, 0xf7, 0x0d,
					 0x01, 0x01, 0x0c, 0x05, 0x00};
static const uint8_t RFC_RSA_SHA512[] = {0x30, 0x0d, 0x06, 0x09, 0x2a,
					 0x86, 0x48, 0x86, 0xf7, 0x0d,
					 0x01, 0x01, 0x0d, 0x05, 0x00};
/* RFC 7427 A.1.1 sha1WithRSAEncryption */
static const uint8_t RFC_RSA_SHA1[] = {0x30, 0x0d, 0x06, 0x09, 0x2a,
				       0x86, 0x48, 0x86, 0xf7, 0x0d,
				       0x01, 0x01, 0x05, 0x05, 0x00};
/* RFC 7427 A.3.2 / A.3.3 / A.3.4 */
static const uint8_t RFC_ECDSA_SHA256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
					   0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
static const uint8_t RFC_ECDSA_SHA384[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
					   0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
static const uint8_t RFC_ECDSA_SHA512[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
					   0x48, 0xce, 0x3d, 0x04, 0x03, 0x04};
/* ecdsa-with-SHA1 (1.2.840.10045.4.1), RFC 7427 A.3.1 */
static const uint8_t RFC_ECDSA_SHA1[] = {0x30, 0x09, 0x06, 0x07, 0x2a, 0x86,
					 0x48, 0xce, 0x3d, 0x04, 0x01};
/* dsa-with-sha1 (1.2.840.10040.4.3), RFC 7427 A.2.1 */
static const uint8_t RFC_DSA_SHA1[] = {0x30, 0x09, 0x06, 0x07, 0x2a, 0x86,
				       0x48, 0xce, 0x38, 0x04, 0x03};
/* RFC 7427 A.4.3 RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32 */
static const uint8_t RFC_PSS_SHA256[] = {
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
	0x0a, 0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
	0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a,
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30,
	0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20};
/* RFC 8420 §2: id-Ed25519 (1.3.101.112), parameters absent */
static const uint8_t RFC_ED25519[] = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70};

/* ---------------------------------------------------------------------- */
/* Fixture                                                                */
/* ---------------------------------------------------------------------- */

struct blob {
	uint8_t *p;
	size_t n;
};

struct ee {
	EVP_PKEY *key;
	X509 *cert;
	struct blob der; /* certificate DER */
	struct blob pem; /* certificate PEM (+ intermediates) */
	struct blob key_pem;
	struct ike_cred *cred; /* loaded from pem + key_pem */
};

static struct fx {
	EVP_PKEY *ca_ec_key, *ca_rsa_key, *other_key, *inter_key;
	X509 *ca_ec, *ca_rsa, *other, *inter;
	struct blob inter_der;
	struct ike_trust *t_ec, *t_rsa, *t_other, *t_inter, *t_both;
	struct ee rsa, p256, p384, p521, ed, via_inter, expired, notyet;
	struct ee weak_rsa, sha1_signed;
	struct ee rsa_pss; /* id-RSASSA-PSS SubjectPublicKeyInfo, not loaded */
	uint8_t octets[100];
	struct pp_ike_id id_dn; /* subject DN of the EE certificates */
} F;

static const char SAN[] = "DNS:gw.example.org,DNS:vpn.example.net,"
			  "email:vpn@example.org,IP:192.0.2.1,"
			  "IP:2001:db8::1";

static EVP_PKEY *gen_key(const char *what)
{
	if (strcmp(what, "RSA2048") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (strcmp(what, "RSA1024") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	if (strcmp(what, "RSA-PSS") == 0) {
		EVP_PKEY_CTX *c =
			EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
		EVP_PKEY *k = NULL;

		if (c == NULL || EVP_PKEY_keygen_init(c) != 1 ||
		    EVP_PKEY_CTX_set_rsa_keygen_bits(c, 2048) != 1 ||
		    EVP_PKEY_generate(c, &k) != 1)
			k = NULL;
		EVP_PKEY_CTX_free(c);
		return k;
	}
	if (strcmp(what, "ED25519") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", what);
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (e == NULL)
		return 0;
	ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok;
}

/* A certificate for @key, issued by @issuer/@ikey (NULL: self-signed). */
static X509 *mk_cert(EVP_PKEY *key, const char *cn, X509 *issuer,
		     EVP_PKEY *ikey, int ca, const char *san, long long nb,
		     long long na, const EVP_MD *md)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509_NAME *nm = X509_NAME_new();

	if (x == NULL || nm == NULL)
		goto bad;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	if (!X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_ASC,
					(const unsigned char *)"Example", -1,
					-1, 0) ||
	    !X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
					(const unsigned char *)cn, -1, -1, 0))
		goto bad;
	X509_set_subject_name(x, nm);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : nm);
	ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb);
	ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na);
	X509_set_pubkey(x, key);
	if (!add_ext(x, issuer, NID_subject_key_identifier, "hash") ||
	    !add_ext(x, issuer, NID_authority_key_identifier, "keyid:always"))
		goto bad;
	if (ca &&
	    (!add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE") ||
	     !add_ext(x, issuer, NID_key_usage,
		      "critical,keyCertSign,cRLSign")))
		goto bad;
	if (san && !add_ext(x, issuer, NID_subject_alt_name, san))
		goto bad;
	if (!X509_sign(x, ikey ? ikey : key, md))
		goto bad;
	X509_NAME_free(nm);
	return x;
bad:
	X509_NAME_free(nm);
	X509_free(x);
	return NULL;
}

static void blob_free(struct blob *b)
{
	OPENSSL_free(b->p);
	b->p = NULL;
	b->n = 0;
}

static int bio_to_blob(BIO *bio, struct blob *b)
{
	char *data;
	long n = BIO_get_mem_data(bio, &data);

	if (n <= 0)
		return 0;
	b->p = OPENSSL_memdup(data, (size_t)n);
	b->n = (size_t)n;
	return b->p != NULL;
}

static int cert_der(X509 *x, struct blob *b)
{
	unsigned char *p = NULL;
	int n = i2d_X509(x, &p);

	if (n <= 0)
		return 0;
	b->p = p;
	b->n = (size_t)n;
	return 1;
}

static int certs_pem(X509 *const *xs, int n, struct blob *b)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int ok = bio != NULL;

	for (int i = 0; ok && i < n; i++)
		ok = PEM_write_bio_X509(bio, xs[i]);
	ok = ok && bio_to_blob(bio, b);
	BIO_free(bio);
	return ok;
}

static int key_pem(EVP_PKEY *k, struct blob *b)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int ok = bio != NULL &&
		 PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL) &&
		 bio_to_blob(bio, b);

	BIO_free(bio);
	return ok;
}

/* End entity under @issuer; loads its credential when @load. */
static int mk_ee(struct ee *e, const char *keytype, X509 *issuer,
		 EVP_PKEY *ikey, X509 *inter, long long nb, long long na,
		 const EVP_MD *md, int load)
{
	char why[IKE_CERT_WHY_LEN];
	X509 *chain[2];

	e->key = gen_key(keytype);
	if (e->key == NULL)
		return 0;
	e->cert = mk_cert(e->key, "cn-only.example.org", issuer, ikey, 0, SAN,
			  nb, na, md);
	if (e->cert == NULL || !cert_der(e->cert, &e->der))
		return 0;
	chain[0] = e->cert;
	chain[1] = inter;
	if (!certs_pem(chain, inter ? 2 : 1, &e->pem) ||
	    !key_pem(e->key, &e->key_pem))
		return 0;
	if (load &&
	    ike_cred_load(e->pem.p, e->pem.n, e->key_pem.p, e->key_pem.n,
			  &e->cred, why, sizeof(why)) != 0) {
		fprintf(stderr, "fixture %s: %s\n", keytype, why);
		return 0;
	}
	return 1;
}

static void ee_free(struct ee *e)
{
	ike_cred_free(e->cred);
	X509_free(e->cert);
	EVP_PKEY_free(e->key);
	blob_free(&e->der);
	blob_free(&e->pem);
	blob_free(&e->key_pem);
}

static struct ike_trust *trust_of(X509 *const *xs, int n)
{
	struct ike_trust *t = NULL;
	struct blob b = {0};
	char why[IKE_CERT_WHY_LEN];

	if (!certs_pem(xs, n, &b))
		return NULL;
	if (ike_trust_load(b.p, b.n, &t, why, sizeof(why)) != 0)
		fprintf(stderr, "trust: %s\n", why);
	blob_free(&b);
	return t;
}

static int fx_setup(void **state)
{
	const EVP_MD *sha256 = EVP_sha256();
	X509 *both[2];
	const unsigned char *der = NULL;
	size_t dlen = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(F.octets); i++)
		F.octets[i] = (uint8_t)(i * 7 + 3);
	F.ca_ec_key = gen_key("P-256");
	F.ca_rsa_key = gen_key("RSA2048");
	F.other_key = gen_key("P-256");
	F.inter_key = gen_key("P-384");
	if (!F.ca_ec_key || !F.ca_rsa_key || !F.other_key || !F.inter_key)
		return -1;
	F.ca_ec = mk_cert(F.ca_ec_key, "Test CA EC", NULL, NULL, 1, NULL, T_NB,
			  T_NA, sha256);
	F.ca_rsa = mk_cert(F.ca_rsa_key, "Test CA RSA", NULL, NULL, 1, NULL,
			   T_NB, T_NA, sha256);
	F.other = mk_cert(F.other_key, "Other CA", NULL, NULL, 1, NULL, T_NB,
			  T_NA, sha256);
	if (!F.ca_ec || !F.ca_rsa || !F.other)
		return -1;
	F.inter = mk_cert(F.inter_key, "Test Intermediate", F.ca_rsa,
			  F.ca_rsa_key, 1, NULL, T_NB, T_NA, sha256);
	if (!F.inter || !cert_der(F.inter, &F.inter_der))
		return -1;
	F.t_ec = trust_of(&F.ca_ec, 1);
	F.t_rsa = trust_of(&F.ca_rsa, 1);
	F.t_other = trust_of(&F.other, 1);
	F.t_inter = trust_of(&F.inter, 1);
	both[0] = F.ca_ec;
	both[1] = F.ca_rsa;
	F.t_both = trust_of(both, 2);
	if (!F.t_ec || !F.t_rsa || !F.t_other || !F.t_inter || !F.t_both)
		return -1;

	if (!mk_ee(&F.rsa, "RSA2048", F.ca_ec, F.ca_ec_key, NULL, T_NB, T_NA,
		   sha256, 1) ||
	    !mk_ee(&F.p256, "P-256", F.ca_ec, F.ca_ec_key, NULL, T_NB, T_NA,
		   sha256, 1) ||
	    !mk_ee(&F.p384, "P-384", F.ca_ec, F.ca_ec_key, NULL, T_NB, T_NA,
		   sha256, 1) ||
	    !mk_ee(&F.p521, "P-521", F.ca_ec, F.ca_ec_key, NULL, T_NB, T_NA,
		   sha256, 1) ||
	    !mk_ee(&F.ed, "ED25519", F.ca_ec, F.ca_ec_key, NULL, T_NB, T_NA,
		   sha256, 1) ||
	    !mk_ee(&F.via_inter, "P-256", F.inter, F.inter_key, F.inter, T_NB,
		   T_NA, EVP_sha384(), 1) ||
	    !mk_ee(&F.expired, "P-256", F.ca_ec, F.ca_ec_key, NULL, T_NB,
		   T_NOW - DAY, sha256, 1) ||
	    !mk_ee(&F.notyet, "P-256", F.ca_ec, F.ca_ec_key, NULL, T_NOW + DAY,
		   T_NA, sha256, 1) ||
	    !mk_ee(&F.weak_rsa, "RSA1024", F.ca_ec, F.ca_ec_key, NULL, T_NB,
		   T_NA, sha256, 0) ||
	    !mk_ee(&F.sha1_signed, "P-256", F.ca_rsa, F.ca_rsa_key, NULL, T_NB,
		   T_NA, EVP_sha1(), 1) ||
	    !mk_ee(&F.rsa_pss, "RSA-PSS", F.ca_ec, F.ca_ec_key, NULL, T_NB,
		   T_NA, sha256, 0))
		return -1;
	if (!X509_NAME_get0_der(X509_get_subject_name(F.p256.cert), &der,
				&dlen) ||
	    dlen > sizeof(F.id_dn.data))
		return -1;
	F.id_dn.type = PP_IKE_IDT_DN;
	F.id_dn.len = (uint16_t)dlen;
	memcpy(F.id_dn.data, der, dlen);
	return 0;
}

static int fx_teardown(void **state)
{
	struct ee *all[] = {&F.rsa,	 &F.p256,	 &F.p384,    &F.p521,
			    &F.ed,	 &F.via_inter,	 &F.expired, &F.notyet,
			    &F.weak_rsa, &F.sha1_signed, &F.rsa_pss};

	(void)state;
	for (size_t i = 0; i < N_ELEM(all); i++)
		ee_free(all[i]);
	ike_trust_free(F.t_ec);
	ike_trust_free(F.t_rsa);
	ike_trust_free(F.t_other);
	ike_trust_free(F.t_inter);
	ike_trust_free(F.t_both);
	X509_free(F.ca_ec);
	X509_free(F.ca_rsa);
	X509_free(F.other);
	X509_free(F.inter);
	blob_free(&F.inter_der);
	EVP_PKEY_free(F.ca_ec_key);
	EVP_PKEY_free(F.ca_rsa_key);
	EVP_PKEY_free(F.other_key);
	EVP_PKEY_free(F.inter_key);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */
/* ---------------------------------------------------------------------- */

static const uint8_t ALL_HASHES[] = {0, 1, 0, 2, 0, 3, 0, 4, 0, 5};
static const uint8_t ONLY_256[] = {0, 2};
static const uint8_t ONLY_384[] = {0, 3};
static const uint8_t ONLY_512[] = {0, 4};
static const uint8_t ONLY_SHA1[] = {0, 1};
static const uint8_t ONLY_IDENTITY[] = {0, 5};

static struct pp_ike_id id_of(enum pp_ike_id_type type, const void *data,
			      size_t n)
{
	struct pp_ike_id id;

	memset(&id, 0, sizeof(id));
	id.type = type;
	id.len = (uint16_t)n;
	memcpy(id.data, data, n);
	return id;
}

static struct pp_ike_id fqdn(const char *s)
{
	return id_of(PP_IKE_IDT_FQDN, s, strlen(s));
}

/* Verify AUTH data of method 14 (or @method) from @e's certificate. */
static int verify_ee(const struct ee *e, const struct ike_trust *t,
		     const struct pp_ike_id *id, uint8_t method,
		     const uint8_t *auth, size_t n, const uint8_t *oct,
		     size_t on, int64_t now, char *why, size_t wl)
{
	return ike_sig_verify(t, e->der.p, e->der.n, NULL, NULL, 0, id, method,
			      auth, n, oct, on, now, why, wl);
}

/* Reference signature with libcrypto directly. @salt < 0: no PSS. */
static size_t ref_sign(EVP_PKEY *k, const char *md, int salt,
		       const uint8_t *oct, size_t on, uint8_t *out, size_t cap)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	size_t n = cap;

	assert_non_null(m);
	assert_int_equal(EVP_DigestSignInit_ex(m, &pc, md, NULL, NULL, k, NULL),
			 1);
	if (salt >= 0) {
		assert_int_equal(
			EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING),
			1);
		assert_int_equal(
			EVP_PKEY_CTX_set_rsa_mgf1_md_name(pc, md, NULL), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, salt), 1);
	}
	assert_int_equal(EVP_DigestSign(m, out, &n, oct, on), 1);
	EVP_MD_CTX_free(m);
	return n;
}

/* RFC 7427 AUTH data from an AlgorithmIdentifier and a signature. */
static size_t mk_auth(const uint8_t *aid, size_t an, const uint8_t *sig,
		      size_t sn, uint8_t *out)
{
	out[0] = (uint8_t)an;
	memcpy(out + 1, aid, an);
	memcpy(out + 1 + an, sig, sn);
	return 1 + an + sn;
}

/* ---------------------------------------------------------------------- */
/* Signing: algorithm choice, exact AlgorithmIdentifier, round trips      */
/* ---------------------------------------------------------------------- */

struct sign_case {
	const char *name;
	struct ee *ee;
	const uint8_t *peer;
	size_t peer_len;
	unsigned int flags;
	int rc;
	const uint8_t *aid; /* expected AlgorithmIdentifier */
	size_t aid_len;
	const char *md; /* for the independent EVP check; NULL Ed25519 */
	int pss_salt;
};

#define AID(x) x, sizeof(x)

static void test_rfc7427_3_sign_algorithm_choice_and_round_trip(void **s)
{
	const struct sign_case cases[] = {
		{"RSA, all", &F.rsa, AID(ALL_HASHES), 0, 0, AID(RFC_RSA_SHA512),
		 "SHA512", -1},
		{"RSA, 256", &F.rsa, AID(ONLY_256), 0, 0, AID(RFC_RSA_SHA256),
		 "SHA256", -1},
		{"RSA, 384", &F.rsa, AID(ONLY_384), 0, 0, AID(RFC_RSA_SHA384),
		 "SHA384", -1},
		{"RSA, 512", &F.rsa, AID(ONLY_512), 0, 0, AID(RFC_RSA_SHA512),
		 "SHA512", -1},
		{"RSA, no notify", &F.rsa, NULL, 0, 0, 0, AID(RFC_RSA_SHA256),
		 "SHA256", -1},
		{"RSA, SHA-1 only", &F.rsa, AID(ONLY_SHA1), 0, -ENOTSUP, NULL,
		 0, NULL, -1},
		{"RSA-PSS, 256", &F.rsa, AID(ONLY_256), IKE_SIG_F_RSA_PSS, 0,
		 AID(RFC_PSS_SHA256), "SHA256", 32},
		{"RSA-PSS, all", &F.rsa, AID(ALL_HASHES), IKE_SIG_F_RSA_PSS, 0,
		 NULL, 0, "SHA512", 64},
		{"RSA-PSS, 384", &F.rsa, AID(ONLY_384), IKE_SIG_F_RSA_PSS, 0,
		 NULL, 0, "SHA384", 48},
		{"P-256, all", &F.p256, AID(ALL_HASHES), 0, 0,
		 AID(RFC_ECDSA_SHA256), "SHA256", -1},
		{"P-256, 512", &F.p256, AID(ONLY_512), 0, 0,
		 AID(RFC_ECDSA_SHA512), "SHA512", -1},
		{"P-256, no notify", &F.p256, NULL, 0, 0, 0,
		 AID(RFC_ECDSA_SHA256), "SHA256", -1},
		{"P-384, all", &F.p384, AID(ALL_HASHES), 0, 0,
		 AID(RFC_ECDSA_SHA384), "SHA384", -1},
		{"P-384, 256", &F.p384, AID(ONLY_256), 0, 0,
		 AID(RFC_ECDSA_SHA256), "SHA256", -1},
		{"P-521, all", &F.p521, AID(ALL_HASHES), 0, 0,
		 AID(RFC_ECDSA_SHA512), "SHA512", -1},
		{"P-384, SHA-1 only", &F.p384, AID(ONLY_SHA1), 0, -ENOTSUP,
		 NULL, 0, NULL, -1},
		{"Ed25519, all", &F.ed, AID(ALL_HASHES), 0, 0, AID(RFC_ED25519),
		 NULL, -1},
		{"Ed25519, identity", &F.ed, AID(ONLY_IDENTITY), 0, 0,
		 AID(RFC_ED25519), NULL, -1},
		{"Ed25519, 256 only", &F.ed, AID(ONLY_256), 0, -ENOTSUP, NULL,
		 0, NULL, -1},
		{"Ed25519, no notify", &F.ed, NULL, 0, 0, -ENOTSUP, NULL, 0,
		 NULL, -1},
		{"odd notify", &F.p256, ALL_HASHES, 3, 0, -EPROTO, NULL, 0,
		 NULL, -1},
	};
	struct pp_ike_id id = fqdn("gw.example.org");

	(void)s;
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		const struct sign_case *c = &cases[i];
		uint8_t out[IKE_SIG_MAX];
		char why[IKE_CERT_WHY_LEN] = "";
		size_t len = 99, alen;
		int rc;

		rc = ike_sig_sign_ex(c->ee->cred, c->peer, c->peer_len,
				     c->flags, F.octets, sizeof(F.octets), out,
				     sizeof(out), &len);
		if (rc != c->rc)
			fail_msg("%s: rc %d, want %d", c->name, rc, c->rc);
		if (rc != 0)
			continue;
		alen = out[0];
		assert_true(len > 1 + alen);
		if (c->aid != NULL) {
			if (alen != c->aid_len ||
			    memcmp(out + 1, c->aid, alen) != 0)
				fail_msg("%s: AlgorithmIdentifier differs "
					 "from RFC 7427 App. A",
					 c->name);
		}
		/* Library verifies it. */
		rc = verify_ee(c->ee, F.t_ec, &id, PP_IKE_AUTH_DIGITAL_SIG, out,
			       len, F.octets, sizeof(F.octets), T_NOW, why,
			       sizeof(why));
		if (rc != 0)
			fail_msg("%s: verify %d: %s", c->name, rc, why);
		/* libcrypto verifies it with the expected algorithm. */
		{
			EVP_MD_CTX *m = EVP_MD_CTX_new();
			EVP_PKEY_CTX *pc = NULL;

			assert_int_equal(
				EVP_DigestVerifyInit_ex(m, &pc, c->md, NULL,
							NULL, c->ee->key, NULL),
				1);
			if (c->pss_salt >= 0) {
				assert_int_equal(
					EVP_PKEY_CTX_set_rsa_padding(
						pc, RSA_PKCS1_PSS_PADDING),
					1);
				assert_int_equal(
					EVP_PKEY_CTX_set_rsa_pss_saltlen(
						pc, c->pss_salt),
					1);
			}
			if (EVP_DigestVerify(m, out + 1 + alen, len - 1 - alen,
					     F.octets, sizeof(F.octets)) != 1)
				fail_msg("%s: EVP_DigestVerify refuses",
					 c->name);
			EVP_MD_CTX_free(m);
		}
		/* The same signature over other octets does not verify. */
		{
			uint8_t other[sizeof(F.octets)];

			memcpy(other, F.octets, sizeof(other));
			other[0] ^= 1;
			assert_int_equal(verify_ee(c->ee, F.t_ec, &id,
						   PP_IKE_AUTH_DIGITAL_SIG, out,
						   len, other, sizeof(other),
						   T_NOW, why, sizeof(why)),
					 -EACCES);
		}
	}
}

static void test_rfc7427_3_sign_output_space(void **s)
{
	uint8_t out[IKE_SIG_MAX];
	size_t len;

	(void)s;
	/* RSA-2048: 1 + 15 + 256 bytes exactly; one less is -ENOSPC. */
	assert_int_equal(ike_sig_sign(F.rsa.cred, ONLY_256, 2, F.octets,
				      sizeof(F.octets), out, 1 + 15 + 256,
				      &len),
			 0);
	assert_int_equal(len, 1 + 15 + 256);
	assert_int_equal(ike_sig_sign(F.rsa.cred, ONLY_256, 2, F.octets,
				      sizeof(F.octets), out, 1 + 15 + 255,
				      &len),
			 -ENOSPC);
	assert_int_equal(ike_sig_sign(F.ed.cred, ONLY_IDENTITY, 2, F.octets,
				      sizeof(F.octets), out, 1 + 7 + 64, &len),
			 0);
	assert_int_equal(len, 1 + 7 + 64);
	assert_int_equal(ike_sig_sign(F.ed.cred, ONLY_IDENTITY, 2, F.octets,
				      sizeof(F.octets), out, 10, &len),
			 -ENOSPC);
	assert_int_equal(ike_sig_sign_ex(F.ed.cred, ONLY_IDENTITY, 2, 0x80,
					 F.octets, sizeof(F.octets), out,
					 sizeof(out), &len),
			 -EINVAL);
}

static void test_rfc7427_4_signature_hash_algorithms_data(void **s)
{
	/* RFC 7427 §4 / RFC 8420: SHA2-256 (2), -384 (3), -512 (4), Identity
	 * (5); never SHA-1 (1). */
	static const uint8_t want[] = {0, 2, 0, 3, 0, 4, 0, 5};
	uint8_t out[16];

	(void)s;
	memset(out, 0xee, sizeof(out));
	assert_int_equal(ike_sig_hash_algs(out, sizeof(out)), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(ike_sig_hash_algs(out, sizeof(want) - 1), 0);
}

/* ---------------------------------------------------------------------- */
/* Verification of signatures made outside the library                    */
/* ---------------------------------------------------------------------- */

static const uint8_t RSA_SHA256_ABSENT_NULL[] = {0x30, 0x0b, 0x06, 0x09, 0x2a,
						 0x86, 0x48, 0x86, 0xf7, 0x0d,
						 0x01, 0x01, 0x0b};
/* RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 20 (explicit), trailer 1. */
static const uint8_t PSS_SHA384_SALT20_TRAILER[] = {
	0x30, 0x46, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
	0x0a, 0x30, 0x39, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
	0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a,
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30,
	0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
	0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x14, 0xa3, 0x03, 0x02, 0x01, 0x01};

struct ext_case {
	const char *name;
	struct ee *ee;
	const uint8_t *aid;
	size_t aid_len;
	const char *md;
	int salt;
};

static void test_rfc7427_3_verify_signatures_made_by_libcrypto(void **s)
{
	const struct ext_case cases[] = {
		{"RSA SHA-256", &F.rsa, AID(RFC_RSA_SHA256), "SHA256", -1},
		{"RSA SHA-384", &F.rsa, AID(RFC_RSA_SHA384), "SHA384", -1},
		{"RSA SHA-512", &F.rsa, AID(RFC_RSA_SHA512), "SHA512", -1},
		{"RSA SHA-256 absent NULL (RFC 4055 §5)", &F.rsa,
		 AID(RSA_SHA256_ABSENT_NULL), "SHA256", -1},
		{"RSA-PSS SHA-256 (A.4.3)", &F.rsa, AID(RFC_PSS_SHA256),
		 "SHA256", 32},
		{"RSA-PSS SHA-384 salt 20", &F.rsa,
		 AID(PSS_SHA384_SALT20_TRAILER), "SHA384", 20},
		{"P-256 SHA-256", &F.p256, AID(RFC_ECDSA_SHA256), "SHA256", -1},
		{"P-256 SHA-384", &F.p256, AID(RFC_ECDSA_SHA384), "SHA384", -1},
		{"P-384 SHA-384", &F.p384, AID(RFC_ECDSA_SHA384), "SHA384", -1},
		{"P-384 SHA-512", &F.p384, AID(RFC_ECDSA_SHA512), "SHA512", -1},
		{"P-521 SHA-512", &F.p521, AID(RFC_ECDSA_SHA512), "SHA512", -1},
		{"Ed25519", &F.ed, AID(RFC_ED25519), NULL, -1},
		{"RSA-PSS key, PSS SHA-256", &F.rsa_pss, AID(RFC_PSS_SHA256),
		 "SHA256", 32},
	};
	struct pp_ike_id id = fqdn("vpn.example.net");

	(void)s;
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		const struct ext_case *c = &cases[i];
		uint8_t sig[600], auth[800];
		char why[IKE_CERT_WHY_LEN] = "";
		size_t sn, an;
		int rc;

		sn = ref_sign(c->ee->key, c->md, c->salt, F.octets,
			      sizeof(F.octets), sig, sizeof(sig));
		an = mk_auth(c->aid, c->aid_len, sig, sn, auth);
		rc = verify_ee(c->ee, F.t_ec, &id, PP_IKE_AUTH_DIGITAL_SIG,
			       auth, an, F.octets, sizeof(F.octets), T_NOW, why,
			       sizeof(why));
		if (rc != 0)
			fail_msg("%s: %d %s", c->name, rc, why);
	}
}

/* RFC 4754 r | s from a DER ECDSA-Sig-Value. */
static size_t der_to_raw(const uint8_t *der, size_t n, size_t fl, uint8_t *out)
{
	const unsigned char *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)n);
	const BIGNUM *r, *sv;

	assert_non_null(es);
	ECDSA_SIG_get0(es, &r, &sv);
	assert_int_equal(BN_bn2binpad(r, out, (int)fl), (int)fl);
	assert_int_equal(BN_bn2binpad(sv, out + fl, (int)fl), (int)fl);
	ECDSA_SIG_free(es);
	return 2 * fl;
}

static void test_rfc4754_ecdsa_methods_9_10_11(void **s)
{
	struct {
		struct ee *ee;
		uint8_t method;
		const char *md;
		size_t fl;
	} ok[] = {
		{&F.p256, PP_IKE_AUTH_ECDSA_P256, "SHA256", 32},
		{&F.p384, PP_IKE_AUTH_ECDSA_P384, "SHA384", 48},
		{&F.p521, PP_IKE_AUTH_ECDSA_P521, "SHA512", 66},
	};
	struct pp_ike_id id = fqdn("gw.example.org");
	char why[IKE_CERT_WHY_LEN];

	(void)s;
	for (size_t i = 0; i < N_ELEM(ok); i++) {
		uint8_t der[200], raw[200];
		size_t dn, rn;

		dn = ref_sign(ok[i].ee->key, ok[i].md, -1, F.octets,
			      sizeof(F.octets), der, sizeof(der));
		rn = der_to_raw(der, dn, ok[i].fl, raw);
		assert_int_equal(verify_ee(ok[i].ee, F.t_ec, &id, ok[i].method,
					   raw, rn, F.octets, sizeof(F.octets),
					   T_NOW, why, sizeof(why)),
				 0);
		/* Wrong length (one short, one long, DER instead of raw). */
		assert_int_equal(verify_ee(ok[i].ee, F.t_ec, &id, ok[i].method,
					   raw, rn - 1, F.octets,
					   sizeof(F.octets), T_NOW, why,
					   sizeof(why)),
				 -EACCES);
		raw[rn] = 0;
		assert_int_equal(verify_ee(ok[i].ee, F.t_ec, &id, ok[i].method,
					   raw, rn + 1, F.octets,
					   sizeof(F.octets), T_NOW, why,
					   sizeof(why)),
				 -EACCES);
		/* Tampered s. */
		raw[rn - 1] ^= 0x01;
		assert_int_equal(verify_ee(ok[i].ee, F.t_ec, &id, ok[i].method,
					   raw, rn, F.octets, sizeof(F.octets),
					   T_NOW, why, sizeof(why)),
				 -EACCES);
		assert_non_null(strstr(why, "does not verify"));
		/* The method of another curve. */
		assert_int_equal(
			verify_ee(ok[i].ee, F.t_ec, &id,
				  ok[i].method == PP_IKE_AUTH_ECDSA_P256
					  ? PP_IKE_AUTH_ECDSA_P384
					  : PP_IKE_AUTH_ECDSA_P256,
				  raw, rn, F.octets, sizeof(F.octets), T_NOW,
				  why, sizeof(why)),
			-EACCES);
		assert_non_null(strstr(why, "certificate key is"));
	}
	/* Method 9 with an RSA certificate. */
	{
		uint8_t raw[64] = {1};

		assert_int_equal(
			verify_ee(&F.rsa, F.t_ec, &id, PP_IKE_AUTH_ECDSA_P256,
				  raw, sizeof(raw), F.octets, sizeof(F.octets),
				  T_NOW, why, sizeof(why)),
			-EACCES);
		assert_non_null(strstr(why, "certificate key is RSA"));
	}
}

static void
test_rfc7296_3_8_method_1_and_non_signature_methods_refused(void **s)
{
	uint8_t sig[600];
	size_t sn;
	struct pp_ike_id id = fqdn("gw.example.org");
	char why[IKE_CERT_WHY_LEN];
	const uint8_t methods[] = {PP_IKE_AUTH_RSA_SIG,
				   PP_IKE_AUTH_SHARED_KEY_MIC,
				   PP_IKE_AUTH_DSS_SIG,
				   PP_IKE_AUTH_NULL,
				   0,
				   255};

	(void)s;
	/* A genuine PKCS#1 v1.5 SHA-1 signature (what method 1 carries). */
	sn = ref_sign(F.rsa.key, "SHA1", -1, F.octets, sizeof(F.octets), sig,
		      sizeof(sig));
	for (size_t i = 0; i < N_ELEM(methods); i++) {
		why[0] = 0;
		assert_int_equal(verify_ee(&F.rsa, F.t_ec, &id, methods[i], sig,
					   sn, F.octets, sizeof(F.octets),
					   T_NOW, why, sizeof(why)),
				 -EACCES);
		assert_true(strlen(why) > 10);
	}
	assert_int_equal(verify_ee(&F.rsa, F.t_ec, &id, PP_IKE_AUTH_RSA_SIG,
				   sig, sn, F.octets, sizeof(F.octets), T_NOW,
				   why, sizeof(why)),
			 -EACCES);
	assert_non_null(strstr(why, "SHA-1"));
}

/* ---------------------------------------------------------------------- */
/* AUTH data parsing                                                      */
/* ---------------------------------------------------------------------- */

static void test_rfc7427_3_truncated_and_oversized_auth_data(void **s)
{
	struct ee *ees[] = {&F.rsa, &F.p256, &F.p384, &F.ed};
	const uint8_t *lists[] = {ONLY_256, ONLY_256, ONLY_384, ONLY_IDENTITY};
	struct pp_ike_id id = fqdn("gw.example.org");

	(void)s;
	for (size_t k = 0; k < N_ELEM(ees); k++) {
		uint8_t auth[IKE_SIG_MAX + 64];
		char why[IKE_CERT_WHY_LEN];
		size_t len;

		assert_int_equal(ike_sig_sign(ees[k]->cred, lists[k], 2,
					      F.octets, sizeof(F.octets), auth,
					      IKE_SIG_MAX, &len),
				 0);
		assert_int_equal(verify_ee(ees[k], F.t_ec, &id,
					   PP_IKE_AUTH_DIGITAL_SIG, auth, len,
					   F.octets, sizeof(F.octets), T_NOW,
					   why, sizeof(why)),
				 0);
		/* Every shorter length, including 0. */
		for (size_t n = 0; n < len; n++) {
			int rc = verify_ee(ees[k], F.t_ec, &id,
					   PP_IKE_AUTH_DIGITAL_SIG, auth, n,
					   F.octets, sizeof(F.octets), T_NOW,
					   why, sizeof(why));

			if (rc != -EACCES)
				fail_msg("key %zu: truncated to %zu: rc %d", k,
					 n, rc);
			/* Length octet + AlgorithmIdentifier, no signature. */
			if (n == 1 + (size_t)auth[0] &&
			    strstr(why, "no signature") == NULL)
				fail_msg("key %zu: AID only: '%s'", k, why);
			if (n > 0 && n < 1 + (size_t)auth[0] &&
			    strstr(why, "cannot hold") == NULL)
				fail_msg("key %zu: cut AID (%zu): '%s'", k, n,
					 why);
		}
		/* Extra bytes after the signature, 1..64 of them. */
		for (size_t extra = 1; extra <= 64; extra++) {
			int rc;

			auth[len + extra - 1] = (uint8_t)(extra * 37);
			rc = verify_ee(ees[k], F.t_ec, &id,
				       PP_IKE_AUTH_DIGITAL_SIG, auth,
				       len + extra, F.octets, sizeof(F.octets),
				       T_NOW, why, sizeof(why));
			if (rc != -EACCES)
				fail_msg("key %zu: +%zu bytes: rc %d", k, extra,
					 rc);
		}
		/* ASN.1 length octet: every wrong value. */
		for (unsigned int l = 0; l < 256; l++) {
			uint8_t save = auth[0];
			int rc;

			if (l == save)
				continue;
			auth[0] = (uint8_t)l;
			rc = verify_ee(ees[k], F.t_ec, &id,
				       PP_IKE_AUTH_DIGITAL_SIG, auth, len,
				       F.octets, sizeof(F.octets), T_NOW, why,
				       sizeof(why));
			auth[0] = save;
			if (rc != -EACCES)
				fail_msg("key %zu: length octet %u: rc %d", k,
					 l, rc);
		}
	}
}

struct aid_case {
	const char *name;
	struct ee *ee;
	const uint8_t *aid;
	size_t aid_len;
	const char *why_has;
};

/* AlgorithmIdentifier variants that must be refused (signature valid). */
static const uint8_t AID_UNKNOWN_OID[] = {0x30, 0x05, 0x06, 0x03,
					  0x2a, 0x03, 0x04}; /* 1.2.3.4 */
static const uint8_t AID_RSA_SHA224[] = {0x30, 0x0d, 0x06, 0x09, 0x2a,
					 0x86, 0x48, 0x86, 0xf7, 0x0d,
					 0x01, 0x01, 0x0e, 0x05, 0x00};
static const uint8_t AID_ED448[] = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x71};
static const uint8_t AID_ECDSA_NULL_PARAMS[] = {0x30, 0x0c, 0x06, 0x08, 0x2a,
						0x86, 0x48, 0xce, 0x3d, 0x04,
						0x03, 0x02, 0x05, 0x00};
static const uint8_t AID_ED25519_PARAMS[] = {0x30, 0x07, 0x06, 0x03, 0x2b,
					     0x65, 0x70, 0x05, 0x00};
static const uint8_t AID_RSA_BAD_PARAMS[] = {0x30, 0x0e, 0x06, 0x09, 0x2a, 0x86,
					     0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
					     0x0b, 0x04, 0x01, 0x00};
static const uint8_t AID_LONG_FORM_LEN[] = {0x30, 0x81, 0x0a, 0x06, 0x08,
					    0x2a, 0x86, 0x48, 0xce, 0x3d,
					    0x04, 0x03, 0x02};
static const uint8_t AID_TRAILING[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48,
				       0xce, 0x3d, 0x04, 0x03, 0x02, 0x00};
static const uint8_t AID_NOT_SEQ[] = {0x31, 0x0a, 0x06, 0x08, 0x2a, 0x86,
				      0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
static const uint8_t AID_EMPTY_OID[] = {0x30, 0x02, 0x06, 0x00};
static const uint8_t AID_SEQ_TOO_LONG[] = {0x30, 0x0b, 0x06, 0x07, 0x2a, 0x86,
					   0x48, 0xce, 0x38, 0x04, 0x03};
static const uint8_t AID_PSS_NO_PARAMS[] = {0x30, 0x0b, 0x06, 0x09, 0x2a,
					    0x86, 0x48, 0x86, 0xf7, 0x0d,
					    0x01, 0x01, 0x0a};
/* RFC 7427 A.4.2: RSASSA-PSS with the (SHA-1) default parameters spelt
 * out. */
static const uint8_t RFC_PSS_SHA1_DEFAULTS[] = {
	0x30, 0x3e, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x0a, 0x30, 0x31, 0xa0, 0x0b, 0x30, 0x09, 0x06, 0x05, 0x2b,
	0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0xa1, 0x18, 0x30, 0x16, 0x06,
	0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30,
	0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0xa2,
	0x03, 0x02, 0x01, 0x14, 0xa3, 0x03, 0x02, 0x01, 0x01};
/* PSS SHA-256 with MGF1-SHA-384. */
static const uint8_t AID_PSS_MGF_MISMATCH[] = {
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
	0x0a, 0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
	0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a,
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30,
	0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
	0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20};
/* PSS SHA-256, trailerField 2. */
static const uint8_t AID_PSS_TRAILER2[] = {
	0x30, 0x46, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
	0x0a, 0x30, 0x39, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
	0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a,
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30,
	0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20, 0xa3, 0x03, 0x02, 0x01, 0x02};

static void test_rfc7427_3_algorithm_identifier_refused(void **s)
{
	const struct aid_case cases[] = {
		{"unknown OID", &F.p256, AID(AID_UNKNOWN_OID), "1.2.3.4"},
		{"sha224WithRSA", &F.rsa, AID(AID_RSA_SHA224), "not supported"},
		{"Ed448", &F.ed, AID(AID_ED448), "not supported"},
		{"sha1WithRSAEncryption (A.1.1)", &F.rsa, AID(RFC_RSA_SHA1),
		 "SHA-1"},
		{"ecdsa-with-SHA1", &F.p256, AID(RFC_ECDSA_SHA1), "SHA-1"},
		{"dsa-with-sha1 (A.2.1)", &F.p256, AID(RFC_DSA_SHA1), "SHA-1"},
		{"PSS without parameters", &F.rsa, AID(AID_PSS_NO_PARAMS),
		 "SHA-1"},
		{"PSS SHA-1 defaults spelt out (A.4.2)", &F.rsa,
		 AID(RFC_PSS_SHA1_DEFAULTS), "SHA-1"},
		{"PSS MGF1 hash mismatch", &F.rsa, AID(AID_PSS_MGF_MISMATCH),
		 "MGF1"},
		{"PSS trailerField 2", &F.rsa, AID(AID_PSS_TRAILER2),
		 "trailerField"},
		{"ECDSA with NULL parameters", &F.p256,
		 AID(AID_ECDSA_NULL_PARAMS), "parameters"},
		{"Ed25519 with parameters", &F.ed, AID(AID_ED25519_PARAMS),
		 "parameters"},
		{"RSA with OCTET STRING parameters", &F.rsa,
		 AID(AID_RSA_BAD_PARAMS), "parameters"},
		{"non-minimal length", &F.p256, AID(AID_LONG_FORM_LEN),
		 "DER SEQUENCE"},
		{"trailing byte", &F.p256, AID(AID_TRAILING), "DER SEQUENCE"},
		{"SET instead of SEQUENCE", &F.p256, AID(AID_NOT_SEQ),
		 "DER SEQUENCE"},
		{"empty OID", &F.p256, AID(AID_EMPTY_OID), "DER SEQUENCE"},
		{"SEQUENCE longer than the AID", &F.p256, AID(AID_SEQ_TOO_LONG),
		 "DER SEQUENCE"},
		/* key type / algorithm mismatch (well-formed AIDs) */
		{"RSA AID, EC key", &F.p256, AID(RFC_RSA_SHA256),
		 "certificate key is ECDSA P-256"},
		{"PSS AID, EC key", &F.p256, AID(RFC_PSS_SHA256),
		 "certificate key is ECDSA P-256"},
		{"ECDSA AID, RSA key", &F.rsa, AID(RFC_ECDSA_SHA256),
		 "certificate key is RSA"},
		{"ECDSA AID, Ed25519 key", &F.ed, AID(RFC_ECDSA_SHA256),
		 "certificate key is Ed25519"},
		{"Ed25519 AID, EC key", &F.p256, AID(RFC_ED25519),
		 "certificate key is ECDSA P-256"},
		{"Ed25519 AID, RSA key", &F.rsa, AID(RFC_ED25519),
		 "certificate key is RSA"},
		{"PKCS#1 AID, RSA-PSS key", &F.rsa_pss, AID(RFC_RSA_SHA256),
		 "certificate key is RSA-PSS"},
	};
	struct pp_ike_id id = fqdn("gw.example.org");

	(void)s;
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		const struct aid_case *c = &cases[i];
		uint8_t sig[600], auth[800];
		char why[IKE_CERT_WHY_LEN] = "";
		size_t sn, an;
		int rc;

		/* A signature by the right key (SHA-256, or Ed25519). */
		sn = ref_sign(c->ee->key, c->ee == &F.ed ? NULL : "SHA256", -1,
			      F.octets, sizeof(F.octets), sig, sizeof(sig));
		an = mk_auth(c->aid, c->aid_len, sig, sn, auth);
		rc = verify_ee(c->ee, F.t_ec, &id, PP_IKE_AUTH_DIGITAL_SIG,
			       auth, an, F.octets, sizeof(F.octets), T_NOW, why,
			       sizeof(why));
		if (rc != -EACCES || strstr(why, c->why_has) == NULL)
			fail_msg("%s: rc %d why '%s' (want '%s')", c->name, rc,
				 why, c->why_has);
		/* Peer-caused: libcrypto's error queue stays clean. */
		assert_int_equal(ERR_peek_error(), 0);
	}
}

static void test_rfc7427_3_tampered_octets_and_signature(void **s)
{
	struct ee *ees[] = {&F.rsa, &F.p256, &F.p384, &F.p521, &F.ed};
	struct pp_ike_id id = fqdn("gw.example.org");
	unsigned int n_checked = 0;

	(void)s;
	for (size_t k = 0; k < N_ELEM(ees); k++) {
		uint8_t auth[IKE_SIG_MAX], oct[sizeof(F.octets)];
		char why[IKE_CERT_WHY_LEN];
		size_t len;

		assert_int_equal(ike_sig_sign(ees[k]->cred, ALL_HASHES,
					      sizeof(ALL_HASHES), F.octets,
					      sizeof(F.octets), auth,
					      sizeof(auth), &len),
				 0);
		/* Every byte of the octets, one bit each (the bit position
		 * walks through 0..7); every bit for the first key. */
		memcpy(oct, F.octets, sizeof(oct));
		for (size_t bit = 0; bit < 8 * sizeof(oct); bit++) {
			if (k > 0 && bit % 8 != (bit / 8) % 8)
				continue;
			int rc;

			oct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			rc = verify_ee(ees[k], F.t_ec, &id,
				       PP_IKE_AUTH_DIGITAL_SIG, auth, len, oct,
				       sizeof(oct), T_NOW, why, sizeof(why));
			oct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			if (rc != -EACCES)
				fail_msg("key %zu octet bit %zu: rc %d", k, bit,
					 rc);
			n_checked++;
		}
		/* Every byte of the AUTH data (length, AID, signature). */
		for (size_t i = 0; i < len; i++) {
			int rc;

			auth[i] ^= 0x5a;
			rc = verify_ee(ees[k], F.t_ec, &id,
				       PP_IKE_AUTH_DIGITAL_SIG, auth, len,
				       F.octets, sizeof(F.octets), T_NOW, why,
				       sizeof(why));
			auth[i] ^= 0x5a;
			if (rc != -EACCES)
				fail_msg("key %zu AUTH byte %zu: rc %d", k, i,
					 rc);
			n_checked++;
		}
		/* Octets one byte shorter / longer. */
		assert_int_equal(verify_ee(ees[k], F.t_ec, &id,
					   PP_IKE_AUTH_DIGITAL_SIG, auth, len,
					   F.octets, sizeof(F.octets) - 1,
					   T_NOW, why, sizeof(why)),
				 -EACCES);
		/* Untouched: still fine. */
		assert_int_equal(verify_ee(ees[k], F.t_ec, &id,
					   PP_IKE_AUTH_DIGITAL_SIG, auth, len,
					   F.octets, sizeof(F.octets), T_NOW,
					   why, sizeof(why)),
				 0);
	}
	assert_true(n_checked > 800 + 4 * 100 + 5 * 80);
}

/* Random and half-structured AUTH data: always refused, never a crash
 * (meaningful under the ASan/UBSan build). Deterministic generator. */
static void test_rfc7427_3_random_auth_data_refused(void **s)
{
	static const uint8_t *const prefixes[] = {
		RFC_RSA_SHA256, RFC_ECDSA_SHA256, RFC_PSS_SHA256, RFC_ED25519};
	static const size_t prefix_len[] = {
		sizeof(RFC_RSA_SHA256), sizeof(RFC_ECDSA_SHA256),
		sizeof(RFC_PSS_SHA256), sizeof(RFC_ED25519)};
	struct ee *ees[] = {&F.rsa, &F.p256, &F.rsa, &F.ed};
	struct pp_ike_id id = fqdn("gw.example.org");
	uint32_t x = 0x12345678u;
	unsigned int n_run = 0;

	(void)s;
	for (unsigned int i = 0; i < 2000; i++) {
		uint8_t auth[600];
		char why[IKE_CERT_WHY_LEN];
		size_t n, k = i % 4;
		int rc;

		x = x * 1103515245u + 12345u;
		n = (x >> 8) % sizeof(auth);
		for (size_t j = 0; j < n; j++) {
			x = x * 1103515245u + 12345u;
			auth[j] = (uint8_t)(x >> 16);
		}
		if (i % 2 && n > 1 + prefix_len[k]) {
			/* Valid length octet + AID, with one byte of the
			 * AID (or none) changed, random signature. */
			auth[0] = (uint8_t)prefix_len[k];
			memcpy(auth + 1, prefixes[k], prefix_len[k]);
			if (i % 4 == 1)
				auth[1 + (x >> 24) % prefix_len[k]] ^=
					(uint8_t)(1u << (i % 8));
		}
		rc = verify_ee(ees[k], F.t_ec, &id, PP_IKE_AUTH_DIGITAL_SIG,
			       auth, n, F.octets, sizeof(F.octets), T_NOW, why,
			       sizeof(why));
		if (rc != -EACCES)
			fail_msg("input %u (%zu bytes): rc %d", i, n, rc);
		rc = verify_ee(&F.p256, F.t_ec, &id,
			       (uint8_t)(PP_IKE_AUTH_ECDSA_P256 + k % 3), auth,
			       n, F.octets, sizeof(F.octets), T_NOW, why,
			       sizeof(why));
		if (rc != -EACCES)
			fail_msg("RFC 4754 input %u: rc %d", i, rc);
		n_run++;
	}
	assert_int_equal(n_run, 2000);
	assert_int_equal(ERR_peek_error(), 0);
}

/* ---------------------------------------------------------------------- */
/* Chains and validity                                                    */
/* ---------------------------------------------------------------------- */

struct chain_case {
	const char *name;
	struct ee *ee;
	struct ike_trust **t;
	int with_inter;
	int64_t now;
	int rc;
	const char *why_has;
};

static void test_rfc7296_2_15_chain_trust_and_validity(void **s)
{
	const struct chain_case cases[] = {
		{"good", &F.p256, &F.t_ec, 0, T_NOW, 0, NULL},
		{"good, two anchors", &F.p256, &F.t_both, 0, T_NOW, 0, NULL},
		{"good, system clock", &F.p256, &F.t_ec, 0, 0, 0, NULL},
		{"wrong anchor", &F.p256, &F.t_other, 0, T_NOW, -EACCES,
		 "unable to get local issuer"},
		{"RSA CA for an EC-CA cert", &F.p256, &F.t_rsa, 0, T_NOW,
		 -EACCES, "unable to get local issuer"},
		{"expired", &F.expired, &F.t_ec, 0, T_NOW, -EACCES, "expired"},
		{"expired cert before expiry", &F.expired, &F.t_ec, 0,
		 T_NOW - 2 * DAY, 0, NULL},
		{"not yet valid", &F.notyet, &F.t_ec, 0, T_NOW, -EACCES,
		 "not yet valid"},
		{"not yet valid, later", &F.notyet, &F.t_ec, 0, T_NOW + 2 * DAY,
		 0, NULL},
		{"CA expired at now", &F.p256, &F.t_ec, 0, T_NA + DAY, -EACCES,
		 "expired"},
		{"before CA validity", &F.p256, &F.t_ec, 0, T_NB - DAY, -EACCES,
		 "not yet valid"},
		{"intermediate sent", &F.via_inter, &F.t_rsa, 1, T_NOW, 0,
		 NULL},
		{"intermediate missing", &F.via_inter, &F.t_rsa, 0, T_NOW,
		 -EACCES, "unable to get local issuer"},
		{"intermediate as anchor", &F.via_inter, &F.t_inter, 0, T_NOW,
		 0, NULL},
		{"intermediate, wrong root", &F.via_inter, &F.t_ec, 1, T_NOW,
		 -EACCES, "unable to get local issuer"},
		{"SHA-1 signed certificate", &F.sha1_signed, &F.t_rsa, 0, T_NOW,
		 -EACCES, "too weak"},
		{"RSA-1024 end entity", &F.weak_rsa, &F.t_ec, 0, T_NOW, -EACCES,
		 "too weak"},
	};
	struct pp_ike_id id = fqdn("gw.example.org");

	(void)s;
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		const struct chain_case *c = &cases[i];
		const uint8_t *inter[1] = {F.inter_der.p};
		const size_t inter_len[1] = {F.inter_der.n};
		uint8_t auth[IKE_SIG_MAX];
		char why[IKE_CERT_WHY_LEN] = "";
		size_t len;
		int rc;

		if (c->ee->cred != NULL) {
			assert_int_equal(ike_sig_sign(c->ee->cred, ALL_HASHES,
						      sizeof(ALL_HASHES),
						      F.octets,
						      sizeof(F.octets), auth,
						      sizeof(auth), &len),
					 0);
		} else {
			/* (not loadable: sign directly) */
			uint8_t sig[600];
			size_t sn =
				ref_sign(c->ee->key, "SHA256", -1, F.octets,
					 sizeof(F.octets), sig, sizeof(sig));

			len = mk_auth(RFC_RSA_SHA256, sizeof(RFC_RSA_SHA256),
				      sig, sn, auth);
		}
		rc = ike_sig_verify(
			*c->t, c->ee->der.p, c->ee->der.n,
			c->with_inter ? inter : NULL,
			c->with_inter ? inter_len : NULL, c->with_inter ? 1 : 0,
			&id, PP_IKE_AUTH_DIGITAL_SIG, auth, len, F.octets,
			sizeof(F.octets), c->now, why, sizeof(why));
		if (rc != c->rc ||
		    (c->why_has != NULL && strstr(why, c->why_has) == NULL))
			fail_msg("%s: rc %d why '%s'", c->name, rc, why);
		assert_int_equal(ERR_peek_error(), 0);
	}
}

static void test_rfc7296_3_6_malformed_certificates(void **s)
{
	struct pp_ike_id id = fqdn("gw.example.org");
	uint8_t auth[IKE_SIG_MAX], buf[4096];
	const uint8_t *inter[IKE_CERT_INTER_MAX + 1];
	size_t inter_len[IKE_CERT_INTER_MAX + 1];
	char why[IKE_CERT_WHY_LEN];
	size_t len, n = F.p256.der.n;

	(void)s;
	assert_int_equal(ike_sig_sign(F.p256.cred, ALL_HASHES,
				      sizeof(ALL_HASHES), F.octets,
				      sizeof(F.octets), auth, sizeof(auth),
				      &len),
			 0);
	assert_true(n + 1 < sizeof(buf));
	memcpy(buf, F.p256.der.p, n);
	buf[n] = 0;
	/* Trailing byte, truncation, empty. */
	assert_int_equal(ike_sig_verify(F.t_ec, buf, n + 1, NULL, NULL, 0, &id,
					PP_IKE_AUTH_DIGITAL_SIG, auth, len,
					F.octets, sizeof(F.octets), T_NOW, why,
					sizeof(why)),
			 -EACCES);
	assert_non_null(strstr(why, "not one DER X.509"));
	for (size_t cut = 0; cut < n; cut += 7)
		assert_int_equal(ike_sig_verify(F.t_ec, buf, cut, NULL, NULL, 0,
						&id, PP_IKE_AUTH_DIGITAL_SIG,
						auth, len, F.octets,
						sizeof(F.octets), T_NOW, why,
						sizeof(why)),
				 -EACCES);
	/* A signature byte of the certificate flipped: chain fails. */
	buf[n - 3] ^= 0x40;
	assert_int_equal(ike_sig_verify(F.t_ec, buf, n, NULL, NULL, 0, &id,
					PP_IKE_AUTH_DIGITAL_SIG, auth, len,
					F.octets, sizeof(F.octets), T_NOW, why,
					sizeof(why)),
			 -EACCES);
	/* Broken intermediate; too many intermediates. */
	for (size_t i = 0; i < N_ELEM(inter); i++) {
		inter[i] = F.inter_der.p;
		inter_len[i] = F.inter_der.n;
	}
	inter_len[0] = F.inter_der.n - 1;
	assert_int_equal(ike_sig_verify(F.t_rsa, F.via_inter.der.p,
					F.via_inter.der.n, inter, inter_len, 1,
					&id, PP_IKE_AUTH_DIGITAL_SIG, auth, len,
					F.octets, sizeof(F.octets), T_NOW, why,
					sizeof(why)),
			 -EACCES);
	assert_non_null(strstr(why, "intermediate certificate 0"));
	inter_len[0] = F.inter_der.n;
	assert_int_equal(
		ike_sig_verify(F.t_rsa, F.via_inter.der.p, F.via_inter.der.n,
			       inter, inter_len, IKE_CERT_INTER_MAX + 1, &id,
			       PP_IKE_AUTH_DIGITAL_SIG, auth, len, F.octets,
			       sizeof(F.octets), T_NOW, why, sizeof(why)),
		-EACCES);
	/* Caller errors. */
	assert_int_equal(ike_sig_verify(F.t_ec, F.p256.der.p, F.p256.der.n,
					NULL, NULL, 0, NULL,
					PP_IKE_AUTH_DIGITAL_SIG, auth, len,
					F.octets, sizeof(F.octets), T_NOW, why,
					sizeof(why)),
			 -EINVAL);
	assert_int_equal(ike_sig_verify(F.t_ec, F.p256.der.p, F.p256.der.n,
					NULL, NULL, 0, &id,
					PP_IKE_AUTH_DIGITAL_SIG, auth, len,
					F.octets, sizeof(F.octets), -1, why,
					sizeof(why)),
			 -EINVAL);
	assert_int_equal(ERR_peek_error(), 0);
}

/* ---------------------------------------------------------------------- */
/* Identity binding (RFC 7296 §3.5, §2.15)                                */
/* ---------------------------------------------------------------------- */

struct id_case {
	const char *name;
	struct pp_ike_id id;
	bool bound;
};

static void test_rfc7296_3_5_identity_binding(void **s)
{
	static const uint8_t v4[] = {192, 0, 2, 1}, v4x[] = {192, 0, 2, 2};
	static const uint8_t v6[] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				     0,	   0,	 0,    0,    0, 0, 0, 1};
	uint8_t v6x[16];
	struct pp_ike_id dn_other = F.id_dn;
	struct id_case cases[20];
	size_t n = 0;
	struct ee *ees[] = {&F.rsa, &F.p256, &F.ed};

	(void)s;
	memcpy(v6x, v6, 16);
	v6x[15] = 2;
	/* Same DN with one letter changed (the CN's last byte). */
	dn_other.data[dn_other.len - 1] ^= 0x01;

#define ID_CASE(nm, idv, b) cases[n++] = (struct id_case){nm, idv, b}
	ID_CASE("FQDN", fqdn("gw.example.org"), true);
	ID_CASE("FQDN second", fqdn("vpn.example.net"), true);
	ID_CASE("FQDN other case", fqdn("GW.Example.ORG"), true);
	ID_CASE("FQDN absent", fqdn("www.example.org"), false);
	ID_CASE("FQDN prefix", fqdn("gw.example.or"), false);
	ID_CASE("FQDN trailing dot", fqdn("gw.example.org."), false);
	ID_CASE("FQDN = CN only (no CN fallback)", fqdn("cn-only.example.org"),
		false);
	ID_CASE("RFC822", id_of(PP_IKE_IDT_RFC822, "vpn@example.org", 15),
		true);
	ID_CASE("RFC822 absent", id_of(PP_IKE_IDT_RFC822, "gw@example.org", 14),
		false);
	ID_CASE("RFC822 vs dNSName",
		id_of(PP_IKE_IDT_RFC822, "gw.example.org", 14), false);
	ID_CASE("FQDN vs rfc822Name", fqdn("vpn@example.org"), false);
	ID_CASE("IPv4", id_of(PP_IKE_IDT_IPV4, v4, 4), true);
	ID_CASE("IPv4 absent", id_of(PP_IKE_IDT_IPV4, v4x, 4), false);
	ID_CASE("IPv4 short", id_of(PP_IKE_IDT_IPV4, v4, 3), false);
	ID_CASE("IPv6", id_of(PP_IKE_IDT_IPV6, v6, 16), true);
	ID_CASE("IPv6 absent", id_of(PP_IKE_IDT_IPV6, v6x, 16), false);
	ID_CASE("DN", F.id_dn, true);
	ID_CASE("DN other", dn_other, false);
	ID_CASE("KEY_ID", id_of(PP_IKE_IDT_KEY_ID, "gw.example.org", 14),
		false);
	ID_CASE("NONE", id_of(PP_IKE_IDT_NONE, "x", 1), false);
#undef ID_CASE
	assert_int_equal(n, N_ELEM(cases));

	for (size_t k = 0; k < N_ELEM(ees); k++) {
		uint8_t auth[IKE_SIG_MAX];
		size_t len;

		assert_int_equal(ike_sig_sign(ees[k]->cred, ALL_HASHES,
					      sizeof(ALL_HASHES), F.octets,
					      sizeof(F.octets), auth,
					      sizeof(auth), &len),
				 0);
		for (size_t i = 0; i < n; i++) {
			const struct id_case *c = &cases[i];
			char why[IKE_CERT_WHY_LEN] = "";
			int rc;

			if (ike_cred_has_id(ees[k]->cred, &c->id) != c->bound)
				fail_msg("has_id %s: want %d", c->name,
					 c->bound);
			rc = verify_ee(ees[k], F.t_ec, &c->id,
				       PP_IKE_AUTH_DIGITAL_SIG, auth, len,
				       F.octets, sizeof(F.octets), T_NOW, why,
				       sizeof(why));
			if (rc != (c->bound ? 0 : -EACCES) ||
			    (!c->bound &&
			     !strstr(why, "is not in certificate")))
				fail_msg("verify %s: rc %d why '%s'", c->name,
					 rc, why);
		}
	}
}

static void test_rfc7296_3_5_default_id_is_subject_dn(void **s)
{
	struct pp_ike_id id;
	char why[IKE_CERT_WHY_LEN];
	uint8_t auth[IKE_SIG_MAX];
	size_t len;

	(void)s;
	assert_int_equal(ike_cred_default_id(F.p384.cred, &id), 0);
	assert_int_equal(id.type, PP_IKE_IDT_DN);
	assert_int_equal(id.len, F.id_dn.len); /* same subject everywhere */
	assert_memory_equal(id.data, F.id_dn.data, id.len);
	assert_true(ike_cred_has_id(F.p384.cred, &id));
	assert_int_equal(ike_sig_sign(F.p384.cred, ALL_HASHES,
				      sizeof(ALL_HASHES), F.octets,
				      sizeof(F.octets), auth, sizeof(auth),
				      &len),
			 0);
	assert_int_equal(verify_ee(&F.p384, F.t_ec, &id,
				   PP_IKE_AUTH_DIGITAL_SIG, auth, len, F.octets,
				   sizeof(F.octets), T_NOW, why, sizeof(why)),
			 0);
}

/* ---------------------------------------------------------------------- */
/* CERTREQ (RFC 7296 §3.7)                                                */
/* ---------------------------------------------------------------------- */

static void spki_sha1_ref(X509 *x, uint8_t out[20])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(X509_get0_pubkey(x), &der);
	size_t mdlen = 0;

	assert_true(n > 0);
	assert_int_equal(
		EVP_Q_digest(NULL, "SHA1", NULL, der, (size_t)n, out, &mdlen),
		1);
	assert_int_equal(mdlen, 20);
	OPENSSL_free(der);
}

static void test_rfc7296_3_7_certreq_sha1_of_spki(void **s)
{
	uint8_t want[40], out[64];
	size_t len = 0;
	struct ike_trust *t = NULL;
	struct blob b = {0};
	X509 *dup[3] = {F.ca_rsa, F.ca_ec, F.ca_rsa};

	(void)s;
	spki_sha1_ref(F.ca_ec, want);
	spki_sha1_ref(F.ca_rsa, want + 20);
	assert_int_equal(ike_trust_certreq(F.t_ec, out, sizeof(out), &len), 0);
	assert_int_equal(len, PP_IKE_CERTREQ_SHA1_LEN);
	assert_memory_equal(out, want, 20);
	assert_int_equal(ike_trust_certreq(F.t_both, out, sizeof(out), &len),
			 0);
	assert_int_equal(len, 40);
	assert_memory_equal(out, want, 40);
	assert_int_equal(ike_trust_certreq(F.t_both, out, 39, &len), -ENOSPC);
	assert_int_equal(len, 40);
	/* The same anchor twice: one hash. */
	assert_true(certs_pem(dup, 3, &b));
	assert_int_equal(ike_trust_load(b.p, b.n, &t, NULL, 0), 0);
	assert_int_equal(ike_trust_certreq(t, out, sizeof(out), &len), 0);
	assert_int_equal(len, 40);
	assert_memory_equal(out, want + 20, 20);
	assert_memory_equal(out + 20, want, 20);
	ike_trust_free(t);
	blob_free(&b);
	/* DER of one anchor works too; garbage does not. */
	t = NULL;
	assert_int_equal(
		ike_trust_load(F.inter_der.p, F.inter_der.n, &t, NULL, 0), 0);
	ike_trust_free(t);
	t = NULL;
	assert_int_equal(
		ike_trust_load((const uint8_t *)"junk", 4, &t, NULL, 0),
		-EBADMSG);
	assert_null(t);
}

/* ---------------------------------------------------------------------- */
/* Loading credentials                                                    */
/* ---------------------------------------------------------------------- */

static void test_cred_load_chain_and_der_forms(void **s)
{
	struct ike_cred *c = NULL;
	char why[IKE_CERT_WHY_LEN];
	const uint8_t *p;
	size_t len;
	unsigned char *kder = NULL;
	int kn;

	(void)s;
	/* PEM with an intermediate after the end entity. */
	p = ike_cred_cert_der(F.via_inter.cred, &len);
	assert_int_equal(len, F.via_inter.der.n);
	assert_memory_equal(p, F.via_inter.der.p, len);
	assert_int_equal(ike_cred_n_inter(F.via_inter.cred), 1);
	p = ike_cred_inter_der(F.via_inter.cred, 0, &len);
	assert_non_null(p);
	assert_int_equal(len, F.inter_der.n);
	assert_memory_equal(p, F.inter_der.p, len);
	assert_null(ike_cred_inter_der(F.via_inter.cred, 1, &len));
	assert_int_equal(ike_cred_n_inter(F.p256.cred), 0);

	/* DER certificate + DER keys: PKCS#8 (Ed25519), traditional (EC). */
	kn = i2d_PrivateKey(F.ed.key, &kder);
	assert_true(kn > 0);
	assert_int_equal(ike_cred_load(F.ed.der.p, F.ed.der.n, kder, (size_t)kn,
				       &c, why, sizeof(why)),
			 0);
	ike_cred_free(c);
	c = NULL;
	OPENSSL_clear_free(kder, (size_t)kn);
	kder = NULL;
	kn = i2d_PrivateKey(F.p384.key, &kder);
	assert_true(kn > 0);
	assert_int_equal(ike_cred_load(F.p384.der.p, F.p384.der.n, kder,
				       (size_t)kn, &c, why, sizeof(why)),
			 0);
	{
		uint8_t auth[IKE_SIG_MAX];
		struct pp_ike_id id = fqdn("gw.example.org");

		assert_int_equal(ike_sig_sign(c, ONLY_384, 2, F.octets,
					      sizeof(F.octets), auth,
					      sizeof(auth), &len),
				 0);
		assert_int_equal(verify_ee(&F.p384, F.t_ec, &id,
					   PP_IKE_AUTH_DIGITAL_SIG, auth, len,
					   F.octets, sizeof(F.octets), T_NOW,
					   why, sizeof(why)),
				 0);
	}
	ike_cred_free(c);
	OPENSSL_clear_free(kder, (size_t)kn);
	ike_cred_free(NULL);
}

struct load_case {
	const char *name;
	const struct blob *cert;
	const struct blob *key;
	int rc;
	const char *why_has;
};

static void test_cred_load_refusals(void **s)
{
	struct blob junk = {(uint8_t *)"junk", 4};
	struct blob enc = {0}, bad_pem = {0}, long_chain = {0};
	BIO *bio = BIO_new(BIO_s_mem());
	struct ike_cred *c;
	char why[IKE_CERT_WHY_LEN];

	(void)s;
	/* An encrypted key: must fail, never prompt. */
	assert_non_null(bio);
	assert_int_equal(PEM_write_bio_PKCS8PrivateKey(
				 bio, F.p256.key, EVP_aes_128_cbc(), NULL, 0,
				 NULL, (void *)"secret"),
			 1);
	assert_true(bio_to_blob(bio, &enc));
	BIO_free(bio);
	/* A PEM certificate block with corrupted base64. */
	bad_pem.p = OPENSSL_memdup(F.p256.pem.p, F.p256.pem.n);
	bad_pem.n = F.p256.pem.n;
	assert_non_null(bad_pem.p);
	bad_pem.p[40] = '*';
	/* End entity + IKE_CERT_INTER_MAX + 1 intermediates. */
	{
		X509 *xs[IKE_CERT_INTER_MAX + 2];

		xs[0] = F.via_inter.cert;
		for (size_t i = 1; i < N_ELEM(xs); i++)
			xs[i] = F.inter;
		assert_true(certs_pem(xs, (int)N_ELEM(xs), &long_chain));
		assert_int_equal(ike_cred_load(long_chain.p, long_chain.n,
					       F.via_inter.key_pem.p,
					       F.via_inter.key_pem.n, &c, why,
					       sizeof(why)),
				 -EBADMSG);
		assert_null(c);
		assert_non_null(strstr(why, "more than 8 intermediates"));
		/* Exactly IKE_CERT_INTER_MAX is fine. */
		blob_free(&long_chain);
		assert_true(certs_pem(xs, (int)N_ELEM(xs) - 1, &long_chain));
		assert_int_equal(ike_cred_load(long_chain.p, long_chain.n,
					       F.via_inter.key_pem.p,
					       F.via_inter.key_pem.n, &c, why,
					       sizeof(why)),
				 0);
		assert_int_equal(ike_cred_n_inter(c), IKE_CERT_INTER_MAX);
		ike_cred_free(c);
		blob_free(&long_chain);
	}
	{
		const struct load_case cases[] = {
			{"key of another cert", &F.p256.pem, &F.p384.key_pem,
			 -EKEYREJECTED, "does not match"},
			{"same type other key", &F.p256.pem, &F.expired.key_pem,
			 -EKEYREJECTED, "does not match"},
			{"RSA key for EC cert", &F.p256.pem, &F.rsa.key_pem,
			 -EKEYREJECTED, "does not match"},
			{"RSA-1024", &F.weak_rsa.pem, &F.weak_rsa.key_pem,
			 -EKEYREJECTED, "1024 bits"},
			{"junk cert", &junk, &F.p256.key_pem, -EBADMSG,
			 "certificate"},
			{"broken PEM cert", &bad_pem, &F.p256.key_pem, -EBADMSG,
			 "certificate"},
			{"junk key", &F.p256.pem, &junk, -EBADMSG,
			 "private key"},
			{"encrypted key", &F.p256.pem, &enc, -EBADMSG,
			 "encrypted"},
			{"cert as key", &F.p256.pem, &F.p256.pem, -EBADMSG,
			 "private key"},
		};

		for (size_t i = 0; i < N_ELEM(cases); i++) {
			const struct load_case *lc = &cases[i];
			int rc;

			c = (struct ike_cred *)&junk; /* must be reset */
			why[0] = 0;
			rc = ike_cred_load(lc->cert->p, lc->cert->n, lc->key->p,
					   lc->key->n, &c, why, sizeof(why));
			if (rc != lc->rc || c != NULL ||
			    strstr(why, lc->why_has) == NULL)
				fail_msg("%s: rc %d why '%s'", lc->name, rc,
					 why);
			ERR_clear_error();
		}
	}
	blob_free(&enc);
	blob_free(&bad_pem);
	assert_int_equal(ike_cred_load(NULL, 0, F.p256.key_pem.p,
				       F.p256.key_pem.n, &c, why, sizeof(why)),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_rfc7427_3_sign_algorithm_choice_and_round_trip),
		cmocka_unit_test(test_rfc7427_3_sign_output_space),
		cmocka_unit_test(test_rfc7427_4_signature_hash_algorithms_data),
		cmocka_unit_test(
			test_rfc7427_3_verify_signatures_made_by_libcrypto),
		cmocka_unit_test(test_rfc4754_ecdsa_methods_9_10_11),
		cmocka_unit_test(
			test_rfc7296_3_8_method_1_and_non_signature_methods_refused),
		cmocka_unit_test(
			test_rfc7427_3_truncated_and_oversized_auth_data),
		cmocka_unit_test(test_rfc7427_3_algorithm_identifier_refused),
		cmocka_unit_test(test_rfc7427_3_tampered_octets_and_signature),
		cmocka_unit_test(test_rfc7427_3_random_auth_data_refused),
		cmocka_unit_test(test_rfc7296_2_15_chain_trust_and_validity),
		cmocka_unit_test(test_rfc7296_3_6_malformed_certificates),
		cmocka_unit_test(test_rfc7296_3_5_identity_binding),
		cmocka_unit_test(test_rfc7296_3_5_default_id_is_subject_dn),
		cmocka_unit_test(test_rfc7296_3_7_certreq_sha1_of_spki),
		cmocka_unit_test(test_cred_load_chain_and_der_forms),
		cmocka_unit_test(test_cred_load_refusals),
	};

	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
