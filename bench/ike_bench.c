// SPDX-License-Identifier: BSD-2-Clause
/*
 * ike-bench: IKEv2 handshakes per second of the libike engine (our
 * initiator against our responder, in one process, datagrams handed over
 * in memory), beside the raw cost of the handshake's dominant crypto done
 * directly with OpenSSL EVP in the same run.
 *
 * One handshake = IKE_SA_INIT + IKE_AUTH with PSK authentication and one
 * Child SA (AES-256-GCM-16, PRF HMAC-SHA-256), measured from
 * pp_ike_initiate() until both sides have reported IKE_UP and CHILD_UP.
 * The IKE SA is then deleted (INFORMATIONAL exchange, outside the timed
 * region) so that every handshake starts from the same state.
 *
 * raw = what any implementation must do for the key exchange of one
 * handshake, both sides together: two key pair generations and two
 * shared-secret derivations for the group (X25519, or MODP-2048 with a
 * 384-bit exponent as ike_crypto uses), each with a fresh EVP_PKEY_CTX.
 * It leaves out everything else (peer public value checks, prf/prf+, SK
 * encryption, AUTH, message building and parsing): the ratio
 * engine / raw is therefore >= 1 and shows what the engine costs on top
 * of the unavoidable asymmetric crypto.
 *
 * Time is the thread's CPU time (CLOCK_THREAD_CPUTIME_ID) unless --wall.
 * The engines use OpenSSL's RAND_bytes (no seeded randomness) and a
 * virtual clock that advances 1 ms per datagram hop.
 *
 * --callgrind runs each group for the given counts without timing; the
 * inclusive instruction counts of bench_handshake and bench_raw divided
 * by the count give instructions per handshake (docs/ike-bench.md).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <parapass/pp_ike.h>

static const char PSK[] = "ike-bench pre-shared key 0123456789";

struct side {
	struct pp_ike *ike;
	bool ike_up, child_up, down;
	uint32_t ike_id;
};

struct bench {
	struct side i, r;
	uint64_t now;
	unsigned long dgrams;
};

static bool use_wall;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(use_wall ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID,
		      &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "ike-bench: %s failed (%d)\n", what, rc);
	exit(1);
}

static void quiet_log(void *opaque, enum pp_log_level level, const char *msg)
{
	(void)opaque;
	if (level <= PP_LOG_WARNING)
		fprintf(stderr, "ike-bench: %s\n", msg);
}

static void set_id(struct pp_ike_id *id, const char *s)
{
	memset(id, 0, sizeof(*id));
	id->type = PP_IKE_IDT_FQDN;
	id->len = (uint16_t)strlen(s);
	memcpy(id->data, s, id->len);
}

static void set_psk(struct pp_ike_auth_cfg *a)
{
	memset(a, 0, sizeof(*a));
	a->method = PP_IKE_AUTHM_PSK;
	a->psk = (const uint8_t *)PSK;
	a->psk_len = sizeof(PSK) - 1;
}

static void addr4(struct pp_ike_addr *a, uint8_t last)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->bytes[0] = 192;
	a->bytes[2] = 2;
	a->bytes[3] = last;
	a->port = 500;
}

static void bench_setup(struct bench *b, const char *ike_prop)
{
	struct pp_ike_conn ci, cr;
	struct pp_ike_params p;
	int rc;

	memset(b, 0, sizeof(*b));
	b->now = 1000;
	pp_ike_conn_defaults(&ci);
	pp_ike_conn_defaults(&cr);
	snprintf(ci.name, sizeof(ci.name), "bench");
	snprintf(cr.name, sizeof(cr.name), "bench");
	addr4(&ci.local, 1);
	addr4(&ci.remote, 2);
	addr4(&cr.local, 2);
	ci.ike_proposals = cr.ike_proposals = ike_prop;
	ci.esp_proposals = cr.esp_proposals = "aes256gcm16";
	set_id(&ci.local_id, "client.bench");
	set_id(&ci.remote_id, "gw.bench");
	set_id(&cr.local_id, "gw.bench");
	set_psk(&ci.local_auth);
	set_psk(&ci.remote_auth);
	set_psk(&cr.local_auth);
	set_psk(&cr.remote_auth);

	memset(&p, 0, sizeof(p));
	p.n_conns = 1;
	p.cookie_threshold = UINT32_MAX;
	p.log_fn = quiet_log;
	p.conns = &ci;
	rc = pp_ike_create(&p, &b->i.ike);
	if (rc != 0)
		die("pp_ike_create(initiator)", rc);
	p.conns = &cr;
	rc = pp_ike_create(&p, &b->r.ike);
	if (rc != 0)
		die("pp_ike_create(responder)", rc);
}

static void bench_teardown(struct bench *b)
{
	pp_ike_destroy(b->i.ike);
	pp_ike_destroy(b->r.ike);
}

static void drain_events(struct side *s)
{
	struct pp_ike_event ev;

	while (pp_ike_event(s->ike, &ev) == 1) {
		switch (ev.type) {
		case PP_IKE_EV_IKE_UP:
			s->ike_up = true;
			s->ike_id = ev.ike_sa_id;
			break;
		case PP_IKE_EV_CHILD_UP:
			s->child_up = true;
			break;
		case PP_IKE_EV_IKE_DOWN:
			s->down = true;
			break;
		default:
			break;
		}
		pp_ike_event_wipe(&ev);
	}
}

/* Move every pending datagram of @from into @to; returns how many. */
static unsigned int hop(struct bench *b, struct side *from, struct side *to)
{
	struct pp_ike_dgram dg;
	unsigned int n = 0;

	while (pp_ike_output(from->ike, &dg) == 1) {
		int rc = pp_ike_input(to->ike, dg.data, dg.len, &dg.src,
				      &dg.dst, b->now);

		if (rc != 0)
			die("pp_ike_input", rc);
		n++;
	}
	b->now++;
	b->dgrams += n;
	return n;
}

static void run_until(struct bench *b, bool (*done)(const struct bench *))
{
	for (unsigned int guard = 0; !done(b); guard++) {
		unsigned int n = hop(b, &b->i, &b->r) + hop(b, &b->r, &b->i);

		drain_events(&b->i);
		drain_events(&b->r);
		if (n == 0 && !done(b)) {
			/* nothing in flight: let timers run */
			uint64_t d = pp_ike_next_deadline(b->i.ike);
			uint64_t e = pp_ike_next_deadline(b->r.ike);

			b->now = (d < e ? d : e) > b->now ? (d < e ? d : e) :
							    b->now;
			pp_ike_timeout(b->i.ike, b->now);
			pp_ike_timeout(b->r.ike, b->now);
		}
		if (guard > 10000) {
			fprintf(stderr, "ike-bench: handshake stuck\n");
			exit(1);
		}
	}
}

static bool both_up(const struct bench *b)
{
	return b->i.ike_up && b->r.ike_up && b->i.child_up && b->r.child_up;
}

static bool both_down(const struct bench *b)
{
	return b->i.down && b->r.down;
}

/* One full handshake (the timed part). noinline: callgrind counts it. */
__attribute__((noinline)) void bench_handshake(struct bench *b);
__attribute__((noinline)) void bench_handshake(struct bench *b)
{
	int rc;

	b->i.ike_up = b->r.ike_up = b->i.child_up = b->r.child_up = false;
	rc = pp_ike_initiate(b->i.ike, "bench", b->now, NULL);
	if (rc != 0)
		die("pp_ike_initiate", rc);
	run_until(b, both_up);
}

static void bench_delete(struct bench *b)
{
	int rc;

	b->i.down = b->r.down = false;
	rc = pp_ike_delete(b->i.ike, b->i.ike_id, b->now);
	if (rc != 0)
		die("pp_ike_delete", rc);
	run_until(b, both_down);
}

/* ---------------------------------------------------------------------- */
/* Raw EVP key exchange                                                   */
/* ---------------------------------------------------------------------- */

static EVP_PKEY *raw_keygen(int group)
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *k = NULL;

	ctx = EVP_PKEY_CTX_new_from_name(NULL, group == 31 ? "X25519" : "DH",
					 NULL);
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1)
		die("raw keygen init", -EIO);
	if (group == 14) {
		int bits = 384;
		OSSL_PARAM prm[2];

		if (EVP_PKEY_CTX_set_group_name(ctx, "modp_2048") != 1)
			die("raw modp_2048", -EIO);
		prm[0] = OSSL_PARAM_construct_int(OSSL_PKEY_PARAM_DH_PRIV_LEN,
						  &bits);
		prm[1] = OSSL_PARAM_construct_end();
		if (EVP_PKEY_CTX_set_params(ctx, prm) != 1)
			die("raw priv len", -EIO);
	}
	if (EVP_PKEY_generate(ctx, &k) != 1)
		die("raw keygen", -EIO);
	EVP_PKEY_CTX_free(ctx);
	return k;
}

static void raw_derive(EVP_PKEY *mine, EVP_PKEY *peer, uint8_t *out,
		       size_t cap)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL);
	size_t len = cap;

	if (ctx == NULL || EVP_PKEY_derive_init(ctx) != 1 ||
	    EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) != 1 ||
	    EVP_PKEY_derive(ctx, out, &len) != 1)
		die("raw derive", -EIO);
	EVP_PKEY_CTX_free(ctx);
}

/* Both sides' key exchange of one handshake. */
__attribute__((noinline)) void bench_raw(int group);
__attribute__((noinline)) void bench_raw(int group)
{
	uint8_t s1[256], s2[256];
	EVP_PKEY *a = raw_keygen(group), *b = raw_keygen(group);

	raw_derive(a, b, s1, sizeof(s1));
	raw_derive(b, a, s2, sizeof(s2));
	if (CRYPTO_memcmp(s1, s2, group == 31 ? 32 : 256) != 0)
		die("raw shared secrets differ", -EIO);
	OPENSSL_cleanse(s1, sizeof(s1));
	OPENSSL_cleanse(s2, sizeof(s2));
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

/* ---------------------------------------------------------------------- */

struct result {
	int group;
	unsigned int n;
	double eng_s, raw_s;
	double dgrams_per_hs;
};

static void run_group(int group, unsigned int n, bool callgrind,
		      struct result *res)
{
	const char *prop = group == 31 ? "aes256gcm16-prfsha256-x25519" :
					 "aes256gcm16-prfsha256-modp2048";
	struct bench b;
	double t0, eng = 0, raw = 0;

	bench_setup(&b, prop);
	/* warm-up: one of each */
	bench_handshake(&b);
	bench_delete(&b);
	bench_raw(group);
	b.dgrams = 0;
	/* interleaved in blocks of 10 so that drift hits both alike */
	for (unsigned int done = 0; done < n;) {
		unsigned int k = n - done < 10 ? n - done : 10;

		for (unsigned int j = 0; j < k; j++) {
			t0 = callgrind ? 0 : now_s();
			bench_handshake(&b);
			if (!callgrind)
				eng += now_s() - t0;
			bench_delete(&b);
		}
		t0 = callgrind ? 0 : now_s();
		for (unsigned int j = 0; j < k; j++)
			bench_raw(group);
		if (!callgrind)
			raw += now_s() - t0;
		done += k;
	}
	res->group = group;
	res->n = n;
	res->eng_s = eng;
	res->raw_s = raw;
	/* handshake datagrams: both directions, handshake and delete */
	res->dgrams_per_hs = (double)b.dgrams / n;
	bench_teardown(&b);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ike-bench [--n31=N] [--n14=N] [--wall] [--callgrind]\n"
		"  --n31=N      handshakes with group 31 (default 500, 0 = skip)\n"
		"  --n14=N      handshakes with group 14 (default 100, 0 = skip)\n"
		"  --wall       wall-clock instead of thread CPU time\n"
		"  --callgrind  no timing (for valgrind --tool=callgrind)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int n31 = 500, n14 = 100;
	bool callgrind = false;
	struct result r[2];

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--n31=", 6) == 0)
			n31 = (unsigned int)strtoul(argv[i] + 6, NULL, 10);
		else if (strncmp(argv[i], "--n14=", 6) == 0)
			n14 = (unsigned int)strtoul(argv[i] + 6, NULL, 10);
		else if (strcmp(argv[i], "--wall") == 0)
			use_wall = true;
		else if (strcmp(argv[i], "--callgrind") == 0)
			callgrind = true;
		else
			usage();
	}
	if (n31 == 0 && n14 == 0)
		usage();
	memset(r, 0, sizeof(r));
	if (n31)
		run_group(31, n31, callgrind, &r[0]);
	if (n14)
		run_group(14, n14, callgrind, &r[1]);
	if (callgrind) {
		printf("callgrind run: group 31 x %u, group 14 x %u "
		       "(+1 warm-up each)\n",
		       n31, n14);
		return 0;
	}
	printf("IKEv2 handshakes (IKE_SA_INIT + IKE_AUTH, PSK, one Child SA), "
	       "%s time\n",
	       use_wall ? "wall-clock" : "thread CPU");
	printf("%-6s %6s %12s %12s %12s %12s %10s\n", "group", "n",
	       "engine hs/s", "ms/hs", "raw-KE hs/s", "raw ms/hs",
	       "eng/raw");
	for (unsigned int k = 0; k < 2; k++) {
		double e, w;

		if (r[k].n == 0)
			continue;
		e = r[k].eng_s / r[k].n;
		w = r[k].raw_s / r[k].n;
		printf("%-6d %6u %12.1f %12.3f %12.1f %12.3f %10.2f\n",
		       r[k].group, r[k].n, 1.0 / e, e * 1e3, 1.0 / w,
		       w * 1e3, e / w);
	}
	printf("datagrams per handshake + delete:");
	for (unsigned int k = 0; k < 2; k++)
		if (r[k].n)
			printf(" %.1f (group %d)", r[k].dgrams_per_hs,
			       r[k].group);
	printf("\n");
	return 0;
}
