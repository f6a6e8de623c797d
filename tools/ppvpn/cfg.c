// SPDX-License-Identifier: BSD-2-Clause
/*
 * ppvpn configuration: an INI file read with Debian's inih, validated
 * strictly. Every problem is one message "PATH:LINE: ..." naming the key;
 * parsing stops at the first one.
 *
 * Debian's libinih is built without INI_HANDLER_LINENO, so the line number
 * comes from our own reader (ini_parse_stream calls it once per line and
 * calls the handler before reading the next line).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>
#include <openssl/crypto.h>

#include "ppvpn.h"


#define CFG_FILE_MAX (1024 * 1024)

/* ---------------------------------------------------------------------- */
/* Key table                                                              */
/* ---------------------------------------------------------------------- */

enum key_id {
	/* [global] */
	K_ROLE, K_LOG_LEVEL, K_KEYLOG, K_TUN_NAME, K_MTU, K_SHUTDOWN,
	K_RECONNECT,
	/* [connection NAME] */
	K_LOCAL_ADDR, K_REMOTE_ADDR, K_LOCAL_PORT, K_REMOTE_PORT,
	K_IKE_PROP, K_ESP_PROP, K_LOCAL_ID, K_REMOTE_ID, K_AUTH, K_PSK,
	K_PSK_FILE, K_CERT, K_KEY, K_CA, K_LOCAL_TS, K_REMOTE_TS,
	K_REQUEST_VIP, K_POOL4, K_POOL6, K_DNS, K_REKEY, K_CHILD_REKEY,
	K_OVER, K_RAND, K_DPD, K_FORCE_ENCAP, K_FRAGMENTATION, K_FRAG_SIZE,
	K_MODE, K_ESN, K_INITIAL_CONTACT,
	K__COUNT
};

struct key_def {
	const char *name;
	bool global;
};

static const struct key_def keys[K__COUNT] = {
	[K_ROLE] = { "role", true },
	[K_LOG_LEVEL] = { "log_level", true },
	[K_KEYLOG] = { "keylog", true },
	[K_TUN_NAME] = { "tun_name", true },
	[K_MTU] = { "mtu", true },
	[K_SHUTDOWN] = { "shutdown_timeout", true },
	[K_RECONNECT] = { "reconnect", true },
	[K_LOCAL_ADDR] = { "local_addr", false },
	[K_REMOTE_ADDR] = { "remote_addr", false },
	[K_LOCAL_PORT] = { "local_port", false },
	[K_REMOTE_PORT] = { "remote_port", false },
	[K_IKE_PROP] = { "ike_proposals", false },
	[K_ESP_PROP] = { "esp_proposals", false },
	[K_LOCAL_ID] = { "local_id", false },
	[K_REMOTE_ID] = { "remote_id", false },
	[K_AUTH] = { "auth", false },
	[K_PSK] = { "psk", false },
	[K_PSK_FILE] = { "psk_file", false },
	[K_CERT] = { "cert", false },
	[K_KEY] = { "key", false },
	[K_CA] = { "ca", false },
	[K_LOCAL_TS] = { "local_ts", false },
	[K_REMOTE_TS] = { "remote_ts", false },
	[K_REQUEST_VIP] = { "request_vip", false },
	[K_POOL4] = { "pool4", false },
	[K_POOL6] = { "pool6", false },
	[K_DNS] = { "dns", false },
	[K_REKEY] = { "rekey_time", false },
	[K_CHILD_REKEY] = { "child_rekey_time", false },
	[K_OVER] = { "over_time", false },
	[K_RAND] = { "rand_time", false },
	[K_DPD] = { "dpd_delay", false },
	[K_FORCE_ENCAP] = { "force_encap", false },
	[K_FRAGMENTATION] = { "fragmentation", false },
	[K_FRAG_SIZE] = { "fragment_size", false },
	[K_MODE] = { "mode", false },
	[K_ESN] = { "esn", false },
	[K_INITIAL_CONTACT] = { "initial_contact", false },
};

_Static_assert(K__COUNT <= 64, "seen bitmaps are 64 bits");

struct parse_ctx {
	struct ppvpn_cfg *cfg;
	/* reader */
	const char *text;
	size_t len, pos;
	unsigned int line;
	bool too_long;
	unsigned int sect_line; /* line of the current section header */
	/* first error */
	char *err;
	size_t err_len;
	bool failed;
	/* line of each key, for the final checks */
	unsigned int gline[K__COUNT];
	unsigned int cline[PPVPN_CONN_MAX][K__COUNT];
};

static void fail(struct parse_ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct parse_ctx *x, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (x->failed)
		return;
	x->failed = true;
	if (x->line)
		n = snprintf(x->err, x->err_len, "%s:%u: ", x->cfg->path,
			     x->line);
	else
		n = snprintf(x->err, x->err_len, "%s: ", x->cfg->path);
	if (n < 0 || (size_t)n >= x->err_len)
		return;
	va_start(ap, fmt);
	vsnprintf(x->err + n, x->err_len - (size_t)n, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------------- */
/* Value parsers                                                          */
/* ---------------------------------------------------------------------- */

int ppvpn_parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	if (v < lo || v > hi)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

int ppvpn_parse_duration(const char *s, uint32_t *out)
{
	uint64_t v = 0, mul = 1;
	size_t n = strlen(s), i;

	if (n == 0)
		return -EINVAL;
	switch (s[n - 1]) {
	case 's': mul = 1; n--; break;
	case 'm': mul = 60; n--; break;
	case 'h': mul = 3600; n--; break;
	case 'd': mul = 86400; n--; break;
	default: break;
	}
	if (n == 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	v *= mul;
	if (v > UINT32_MAX)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

int ppvpn_parse_bool(const char *s, bool *out)
{
	if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1")) {
		*out = true;
		return 0;
	}
	if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

int ppvpn_parse_ip(const char *s, struct pp_ike_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, out->bytes) != 1)
			return -EINVAL;
		out->family = 6;
		return 0;
	}
	if (inet_pton(AF_INET, s, out->bytes) != 1)
		return -EINVAL;
	out->family = 4;
	return 0;
}

static unsigned int alen(uint8_t family)
{
	return family == 6 ? 16 : 4;
}

/* Mask @a to @plen bits (in place); sets the host bits to 1 in @hi. */
static void prefix_bounds(uint8_t family, const uint8_t *a, unsigned int plen,
			  uint8_t *lo, uint8_t *hi)
{
	unsigned int i, n = alen(family);

	for (i = 0; i < n; i++) {
		unsigned int bits = plen > i * 8 ? plen - i * 8 : 0;
		uint8_t m = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		if (bits == 0)
			m = 0;
		lo[i] = a[i] & m;
		hi[i] = (uint8_t)(a[i] | (uint8_t)~m);
	}
}

int ppvpn_parse_ts(const char *s, struct pp_ike_ts *out)
{
	char buf[128];
	char *sep;
	struct pp_ike_addr a, b;
	uint32_t plen;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, strlen(s) + 1);
	memset(out, 0, sizeof(*out));
	out->port_lo = 0;
	out->port_hi = 65535;
	if ((sep = strchr(buf, '/'))) {
		*sep++ = '\0';
		if (ppvpn_parse_ip(buf, &a))
			return -EINVAL;
		if (ppvpn_parse_u32(sep, 0, a.family == 6 ? 128 : 32, &plen))
			return -EINVAL;
		out->family = a.family;
		prefix_bounds(a.family, a.bytes, plen, out->start, out->end);
		if (memcmp(out->start, a.bytes, alen(a.family)))
			return -EDOM; /* host bits set */
		return 0;
	}
	if ((sep = strchr(buf, '-'))) {
		*sep++ = '\0';
		if (ppvpn_parse_ip(buf, &a) || ppvpn_parse_ip(sep, &b))
			return -EINVAL;
		if (a.family != b.family)
			return -EINVAL;
		if (memcmp(a.bytes, b.bytes, alen(a.family)) > 0)
			return -ERANGE;
		out->family = a.family;
		memcpy(out->start, a.bytes, alen(a.family));
		memcpy(out->end, b.bytes, alen(a.family));
		return 0;
	}
	if (ppvpn_parse_ip(buf, &a))
		return -EINVAL;
	out->family = a.family;
	memcpy(out->start, a.bytes, alen(a.family));
	memcpy(out->end, a.bytes, alen(a.family));
	return 0;
}

/* Proposal keywords (strongSwan syntax; the subset libike implements). */
enum tok_kind { T_ENCR, T_AEAD, T_INTEG, T_PRF, T_KE, T_ESN };
struct tok_def {
	const char *name;
	enum tok_kind kind;
};
static const struct tok_def prop_toks[] = {
	{ "aes128", T_ENCR },	      { "aes256", T_ENCR },
	{ "aes128gcm16", T_AEAD },    { "aes256gcm16", T_AEAD },
	{ "chacha20poly1305", T_AEAD }, { "sha256", T_INTEG },
	{ "sha384", T_INTEG },	      { "sha512", T_INTEG },
	{ "prfsha256", T_PRF },	      { "prfsha384", T_PRF },
	{ "prfsha512", T_PRF },	      { "modp2048", T_KE },
	{ "ecp256", T_KE },	      { "ecp384", T_KE },
	{ "x25519", T_KE },	      { "curve25519", T_KE },
	{ "esn", T_ESN },	      { "noesn", T_ESN },
};

static int check_one_proposal(const char *p, size_t n, bool ike, char *why,
			      size_t why_len)
{
	unsigned int cnt[T_ESN + 1] = { 0 };
	size_t i = 0;

	if (n == 0) {
		snprintf(why, why_len, "empty proposal");
		return -EINVAL;
	}
	while (i <= n) {
		size_t j = i, k;
		bool found = false;

		while (j < n && p[j] != '-')
			j++;
		if (j == i) {
			snprintf(why, why_len, "empty algorithm in '%.*s'",
				 (int)n, p);
			return -EINVAL;
		}
		for (k = 0; k < sizeof(prop_toks) / sizeof(prop_toks[0]); k++) {
			if (strlen(prop_toks[k].name) == j - i &&
			    !memcmp(prop_toks[k].name, p + i, j - i)) {
				cnt[prop_toks[k].kind]++;
				found = true;
				break;
			}
		}
		if (!found) {
			snprintf(why, why_len, "unknown algorithm '%.*s'",
				 (int)(j - i), p + i);
			return -EINVAL;
		}
		if (found && ((ike && prop_toks[k].kind == T_ESN) ||
			      (!ike && prop_toks[k].kind == T_PRF))) {
			snprintf(why, why_len, "'%s' not valid in %s proposals",
				 prop_toks[k].name, ike ? "IKE" : "ESP");
			return -EINVAL;
		}
		i = j + 1;
	}
	if (cnt[T_ENCR] + cnt[T_AEAD] == 0) {
		snprintf(why, why_len, "no encryption algorithm in '%.*s'",
			 (int)n, p);
		return -EINVAL;
	}
	if (cnt[T_ENCR] && cnt[T_AEAD]) {
		snprintf(why, why_len,
			 "AEAD and non-AEAD ciphers mixed in '%.*s'", (int)n,
			 p);
		return -EINVAL;
	}
	if (cnt[T_ENCR] && !cnt[T_INTEG]) {
		snprintf(why, why_len, "no integrity algorithm in '%.*s'",
			 (int)n, p);
		return -EINVAL;
	}
	if (cnt[T_AEAD] && cnt[T_INTEG] && !ike) {
		snprintf(why, why_len,
			 "integrity algorithm with an AEAD cipher in '%.*s'",
			 (int)n, p);
		return -EINVAL;
	}
	if (ike && !cnt[T_KE]) {
		snprintf(why, why_len, "no key exchange group in '%.*s'",
			 (int)n, p);
		return -EINVAL;
	}
	if (ike && cnt[T_AEAD] && !cnt[T_PRF] && !cnt[T_INTEG]) {
		snprintf(why, why_len, "no PRF in '%.*s'", (int)n, p);
		return -EINVAL;
	}
	return 0;
}

int ppvpn_check_proposals(const char *s, bool ike, char *why, size_t why_len)
{
	const char *p = s;
	int rc;

	if (!strcmp(s, "default"))
		return 0;
	for (;;) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);

		rc = check_one_proposal(p, n, ike, why, why_len);
		if (rc)
			return rc;
		if (!c)
			break;
		p = c + 1;
	}
	return 0;
}

/* "0x..." hex or the literal text. */
static int parse_psk(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = strlen(s), i;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n -= 2;
		if (n % 2 || n / 2 > cap)
			return -EINVAL;
		for (i = 0; i < n / 2; i++) {
			char h[3] = { s[2 * i], s[2 * i + 1], 0 };

			if (!isxdigit((unsigned char)h[0]) ||
			    !isxdigit((unsigned char)h[1]))
				return -EINVAL;
			out[i] = (uint8_t)strtoul(h, NULL, 16);
		}
		*len = n / 2;
		return 0;
	}
	if (n > cap)
		return -EINVAL;
	memcpy(out, s, n);
	*len = n;
	return 0;
}

static int read_file(const char *path, size_t max, uint8_t **data,
		     size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf;
	size_t got = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		return S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? -errno : -EIO;

			OPENSSL_cleanse(buf, got);
			free(buf);
			close(fd);
			return e;
		}
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	*data = buf;
	*len = got;
	return 0;
}

static int parse_id(const char *s, struct pp_ike_id *id)
{
	struct pp_ike_addr a;
	size_t n = strlen(s);

	memset(id, 0, sizeof(*id));
	if (!strcmp(s, "%any"))
		return 0;
	if (n == 0 || n >= PP_IKE_ID_MAX)
		return -EINVAL;
	if (!ppvpn_parse_ip(s, &a)) {
		id->type = a.family == 6 ? PP_IKE_IDT_IPV6 : PP_IKE_IDT_IPV4;
		id->len = (uint16_t)alen(a.family);
		memcpy(id->data, a.bytes, id->len);
		return 0;
	}
	if (s[0] == '@') {
		if (n < 2)
			return -EINVAL;
		id->type = PP_IKE_IDT_FQDN;
		id->len = (uint16_t)(n - 1);
		memcpy(id->data, s + 1, n - 1);
		return 0;
	}
	id->type = strchr(s, '@') ? PP_IKE_IDT_RFC822 : PP_IKE_IDT_FQDN;
	id->len = (uint16_t)n;
	memcpy(id->data, s, n);
	return 0;
}

/* Split a comma list in place; calls @fn for each trimmed item. */
static int each_item(const char *value, int (*fn)(void *, const char *),
		     void *arg)
{
	char buf[1024];
	char *p, *next;
	int rc;

	if (strlen(value) >= sizeof(buf))
		return -E2BIG;
	memcpy(buf, value, strlen(value) + 1);
	for (p = buf; p; p = next) {
		char *e;

		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strlen(p);
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (!*p)
			return -EINVAL; /* empty item */
		rc = fn(arg, p);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Handler                                                                */
/* ---------------------------------------------------------------------- */

struct list_arg {
	struct parse_ctx *x;
	struct ppvpn_conn_cfg *c;
	const char *key;
	bool local;
};

static int ts_item(void *arg, const char *s)
{
	struct list_arg *la = arg;
	struct pp_ike_ts *ts = la->local ? la->c->local_ts : la->c->remote_ts;
	unsigned int *n = la->local ? &la->c->n_local_ts : &la->c->n_remote_ts;
	int rc;

	if (*n >= PP_IKE_TS_MAX) {
		fail(la->x, "key '%s': more than %u selectors", la->key,
		     PP_IKE_TS_MAX);
		return -ENOSPC;
	}
	rc = ppvpn_parse_ts(s, &ts[*n]);
	if (rc == -EDOM) {
		fail(la->x, "key '%s': '%s' has host bits set", la->key, s);
		return rc;
	}
	if (rc == -ERANGE) {
		fail(la->x, "key '%s': range '%s' ends before it starts",
		     la->key, s);
		return rc;
	}
	if (rc) {
		fail(la->x, "key '%s': invalid CIDR or range '%s'", la->key, s);
		return rc;
	}
	(*n)++;
	return 0;
}

static int vip_item(void *arg, const char *s)
{
	struct list_arg *la = arg;

	if (!strcmp(s, "ipv4"))
		la->c->request_ip4 = true;
	else if (!strcmp(s, "ipv6"))
		la->c->request_ip6 = true;
	else if (!strcmp(s, "dns"))
		la->c->request_dns = true;
	else {
		fail(la->x, "key '%s': unknown item '%s' (ipv4, ipv6, dns)",
		     la->key, s);
		return -EINVAL;
	}
	return 0;
}

static int dns_item(void *arg, const char *s)
{
	struct list_arg *la = arg;
	struct pp_ike_addr a;

	if (ppvpn_parse_ip(s, &a)) {
		fail(la->x, "key '%s': invalid IP address '%s'", la->key, s);
		return -EINVAL;
	}
	if ((a.family == 4 ? la->c->n_dns4 : la->c->n_dns6) >= PP_IKE_DNS_MAX) {
		fail(la->x, "key '%s': more than %u IPv%u servers", la->key,
		     PP_IKE_DNS_MAX, a.family);
		return -ENOSPC;
	}
	if (a.family == 4)
		memcpy(la->c->dns4[la->c->n_dns4++], a.bytes, 4);
	else
		memcpy(la->c->dns6[la->c->n_dns6++], a.bytes, 16);
	return 0;
}

/* Pool "CIDR" (network and, for IPv4, broadcast address excluded) or
 * "first-last". */
static int parse_pool(struct parse_ctx *x, const char *key, const char *s,
		      uint8_t family, uint8_t *start, uint32_t *size)
{
	struct pp_ike_ts ts;
	unsigned int n = alen(family), i;
	uint64_t span = 0;
	bool cidr = strchr(s, '/') != NULL;
	int rc = ppvpn_parse_ts(s, &ts);

	if (rc == -EDOM) {
		fail(x, "key '%s': '%s' has host bits set", key, s);
		return rc;
	}
	if (rc) {
		fail(x, "key '%s': invalid CIDR or range '%s'", key, s);
		return -EINVAL;
	}
	if (ts.family != family) {
		fail(x, "key '%s': '%s' is not an IPv%u pool", key, s, family);
		return -EINVAL;
	}
	/* span = end - start, saturated above 2^32 */
	for (i = 0; i < n; i++) {
		int d = (int)ts.end[i] - (int)ts.start[i];

		if (span > UINT32_MAX) {
			span = (uint64_t)UINT32_MAX + 1;
			break;
		}
		span = span * 256 + (uint64_t)(int64_t)d;
	}
	if (span > UINT32_MAX)
		span = (uint64_t)UINT32_MAX + 1;
	memcpy(start, ts.start, n);
	if (cidr) {
		/* skip the network address (and IPv4 broadcast) */
		if (span < 2) {
			fail(x, "key '%s': pool '%s' is too small", key, s);
			return -EINVAL;
		}
		for (i = n; i-- > 0;)
			if (++start[i] != 0)
				break;
		span -= family == 4 ? 2 : 1;
		*size = span + 1 > UINT32_MAX ? UINT32_MAX
					      : (uint32_t)(span + 1);
		return 0;
	}
	if (span + 1 > UINT32_MAX) {
		fail(x, "key '%s': pool '%s' is larger than 2^32-1 addresses",
		     key, s);
		return -EINVAL;
	}
	*size = (uint32_t)(span + 1);
	return 0;
}

static int dur(struct parse_ctx *x, const char *key, const char *v,
	       uint32_t lo, uint32_t hi, uint32_t *out)
{
	int rc = ppvpn_parse_duration(v, out);

	if (rc == -EINVAL) {
		fail(x, "key '%s': invalid duration '%s' (e.g. 30s, 20m, 1h, "
			"2d)", key, v);
		return rc;
	}
	if (rc || *out < lo || *out > hi) {
		fail(x, "key '%s': duration '%s' out of range %" PRIu32
			"s..%" PRIu32 "s", key, v, lo, hi);
		return -ERANGE;
	}
	return 0;
}

static int num(struct parse_ctx *x, const char *key, const char *v,
	       uint32_t lo, uint32_t hi, uint32_t *out)
{
	int rc = ppvpn_parse_u32(v, lo, hi, out);

	if (rc == -EINVAL) {
		fail(x, "key '%s': invalid number '%s'", key, v);
		return rc;
	}
	if (rc) {
		fail(x, "key '%s': %s out of range %" PRIu32 "..%" PRIu32, key,
		     v, lo, hi);
		return rc;
	}
	return 0;
}

static int boolean(struct parse_ctx *x, const char *key, const char *v,
		   bool *out)
{
	if (ppvpn_parse_bool(v, out)) {
		fail(x, "key '%s': invalid boolean '%s' (yes/no)", key, v);
		return -EINVAL;
	}
	return 0;
}

static int path_val(struct parse_ctx *x, const char *key, const char *v,
		    char *out, size_t cap)
{
	if (v[0] == '\0' || strlen(v) >= cap) {
		fail(x, "key '%s': path empty or longer than %zu bytes", key,
		     cap - 1);
		return -EINVAL;
	}
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

static int cred(struct parse_ctx *x, const char *key, const char *v,
		struct ppvpn_cred *c)
{
	int rc = path_val(x, key, v, c->path, sizeof(c->path));

	if (rc)
		return rc;
	rc = read_file(v, PPVPN_CRED_MAX, &c->data, &c->len);
	if (rc) {
		fail(x, "key '%s': cannot read '%s': %s", key, v,
		     strerror(-rc));
		return rc;
	}
	return 0;
}

static int global_key(struct parse_ctx *x, enum key_id k, const char *v)
{
	struct ppvpn_cfg *cfg = x->cfg;
	const char *kn = keys[k].name;
	uint32_t u;

	switch (k) {
	case K_ROLE:
		if (!strcmp(v, "client"))
			cfg->role = PPVPN_ROLE_CLIENT;
		else if (!strcmp(v, "gateway"))
			cfg->role = PPVPN_ROLE_GATEWAY;
		else {
			fail(x, "key '%s': invalid value '%s' (client, "
				"gateway)", kn, v);
			return -EINVAL;
		}
		return 0;
	case K_LOG_LEVEL:
		if (ppvpn_level_parse(v, &cfg->log_level)) {
			fail(x, "key '%s': invalid value '%s' (err, warning, "
				"notice, info, debug)", kn, v);
			return -EINVAL;
		}
		return 0;
	case K_KEYLOG:
		/* PATH.ikev2_decryption_table must fit as well */
		return path_val(x, kn, v, cfg->keylog,
				sizeof(cfg->keylog) - 24);
	case K_TUN_NAME:
		if (!*v || strlen(v) >= sizeof(cfg->tun_name) ||
		    strpbrk(v, "/ :\t")) {
			fail(x, "key '%s': invalid interface name '%s'", kn, v);
			return -EINVAL;
		}
		memcpy(cfg->tun_name, v, strlen(v) + 1);
		return 0;
	case K_MTU:
		return num(x, kn, v, 576, 65535, &cfg->mtu);
	case K_SHUTDOWN:
		if (dur(x, kn, v, 0, 60, &u))
			return -EINVAL;
		cfg->shutdown_ms = u * 1000;
		return 0;
	case K_RECONNECT:
		return boolean(x, kn, v, &cfg->reconnect);
	default:
		return -EINVAL;
	}
}

static int conn_key(struct parse_ctx *x, struct ppvpn_conn_cfg *c,
		    enum key_id k, const char *v)
{
	const char *kn = keys[k].name;
	struct list_arg la = { .x = x, .c = c, .key = kn };
	char why[PPVPN_ERR_MAX / 2];
	uint32_t u;
	int rc;

	switch (k) {
	case K_LOCAL_ADDR:
	case K_REMOTE_ADDR: {
		struct pp_ike_addr *a = k == K_LOCAL_ADDR ? &c->local
							  : &c->remote;
		uint16_t port = a->port;

		if (ppvpn_parse_ip(v, a)) {
			fail(x, "key '%s': invalid IP address '%s'", kn, v);
			return -EINVAL;
		}
		a->port = port;
		return 0;
	}
	case K_LOCAL_PORT:
	case K_REMOTE_PORT:
		if (num(x, kn, v, 1, 65535, &u))
			return -EINVAL;
		if (k == K_LOCAL_PORT && u == 4500) {
			fail(x, "key '%s': 4500 is the NAT-T port", kn);
			return -EINVAL;
		}
		(k == K_LOCAL_PORT ? &c->local : &c->remote)->port =
			(uint16_t)u;
		return 0;
	case K_IKE_PROP:
	case K_ESP_PROP: {
		char *dst = k == K_IKE_PROP ? c->ike_proposals
					    : c->esp_proposals;
		size_t o = 0;

		if (strlen(v) >= PPVPN_PROP_MAX) {
			fail(x, "key '%s': longer than %d bytes", kn,
			     PPVPN_PROP_MAX - 1);
			return -EINVAL;
		}
		/* blanks around the commas are allowed and dropped */
		for (; *v; v++)
			if (*v != ' ' && *v != '\t')
				dst[o++] = *v;
		dst[o] = '\0';
		if (ppvpn_check_proposals(dst, k == K_IKE_PROP, why,
					  sizeof(why))) {
			fail(x, "key '%s': invalid proposal '%s': %s", kn, dst,
			     why);
			return -EINVAL;
		}
		return 0;
	}
	case K_LOCAL_ID:
	case K_REMOTE_ID:
		if (parse_id(v, k == K_LOCAL_ID ? &c->local_id
						: &c->remote_id) ||
		    (k == K_LOCAL_ID && c->local_id.type == PP_IKE_IDT_NONE)) {
			fail(x, "key '%s': invalid identity '%s'", kn, v);
			return -EINVAL;
		}
		return 0;
	case K_AUTH:
		if (!strcmp(v, "psk"))
			c->auth = PP_IKE_AUTHM_PSK;
		else if (!strcmp(v, "pubkey"))
			c->auth = PP_IKE_AUTHM_PUBKEY;
		else {
			fail(x, "key '%s': invalid value '%s' (psk, pubkey)",
			     kn, v);
			return -EINVAL;
		}
		return 0;
	case K_PSK:
		if (c->psk_file[0]) {
			fail(x, "key 'psk': conflicts with 'psk_file'");
			return -EINVAL;
		}
		if (parse_psk(v, c->psk, sizeof(c->psk), &c->psk_len) ||
		    c->psk_len < 16) {
			OPENSSL_cleanse(c->psk, sizeof(c->psk));
			c->psk_len = 0;
			fail(x, "key 'psk': must be 16 to %d bytes (text or "
				"0x hex)", PPVPN_PSK_MAX);
			return -EINVAL;
		}
		return 0;
	case K_PSK_FILE: {
		uint8_t *d = NULL;
		size_t n = 0;

		if (c->psk_len) {
			fail(x, "key 'psk_file': conflicts with 'psk'");
			return -EINVAL;
		}
		if (path_val(x, kn, v, c->psk_file, sizeof(c->psk_file)))
			return -EINVAL;
		rc = read_file(v, PPVPN_PSK_MAX + 2, &d, &n);
		if (rc) {
			fail(x, "key 'psk_file': cannot read '%s': %s", v,
			     strerror(-rc));
			return rc;
		}
		while (n && (d[n - 1] == '\n' || d[n - 1] == '\r'))
			n--;
		if (n < 16 || n > PPVPN_PSK_MAX) {
			OPENSSL_cleanse(d, n);
			free(d);
			fail(x, "key 'psk_file': '%s' must hold 16 to %d bytes",
			     v, PPVPN_PSK_MAX);
			return -EINVAL;
		}
		memcpy(c->psk, d, n);
		c->psk_len = n;
		OPENSSL_cleanse(d, n);
		free(d);
		return 0;
	}
	case K_CERT:
		return cred(x, kn, v, &c->cert);
	case K_KEY:
		return cred(x, kn, v, &c->key);
	case K_CA:
		return cred(x, kn, v, &c->ca);
	case K_LOCAL_TS:
	case K_REMOTE_TS:
		la.local = k == K_LOCAL_TS;
		rc = each_item(v, ts_item, &la);
		if (rc && !x->failed)
			fail(x, "key '%s': invalid list '%s'", kn, v);
		return rc;
	case K_REQUEST_VIP:
		rc = each_item(v, vip_item, &la);
		if (rc && !x->failed)
			fail(x, "key '%s': invalid list '%s'", kn, v);
		return rc;
	case K_DNS:
		rc = each_item(v, dns_item, &la);
		if (rc && !x->failed)
			fail(x, "key '%s': invalid list '%s'", kn, v);
		return rc;
	case K_POOL4:
		return parse_pool(x, kn, v, 4, c->pool4_start, &c->pool4_size);
	case K_POOL6:
		return parse_pool(x, kn, v, 6, c->pool6_start, &c->pool6_size);
	case K_REKEY:
		return dur(x, kn, v, 60, 365 * 86400, &c->rekey_s);
	case K_CHILD_REKEY:
		return dur(x, kn, v, 60, 365 * 86400, &c->child_rekey_s);
	case K_OVER:
		c->over_set = true;
		return dur(x, kn, v, 0, 365 * 86400, &c->over_s);
	case K_RAND:
		c->rand_set = true;
		return dur(x, kn, v, 0, 365 * 86400, &c->rand_s);
	case K_DPD:
		return dur(x, kn, v, 0, 86400, &c->dpd_s);
	case K_FORCE_ENCAP:
		return boolean(x, kn, v, &c->force_encap);
	case K_FRAGMENTATION:
		return boolean(x, kn, v, &c->fragmentation);
	case K_FRAG_SIZE:
		if (num(x, kn, v, 576, 65535, &u))
			return -EINVAL;
		c->fragment_size = (uint16_t)u;
		return 0;
	case K_MODE:
		if (!strcmp(v, "tunnel"))
			c->mode = PP_ESP_MODE_TUNNEL;
		else if (!strcmp(v, "transport"))
			c->mode = PP_ESP_MODE_TRANSPORT;
		else {
			fail(x, "key '%s': invalid value '%s' (tunnel, "
				"transport)", kn, v);
			return -EINVAL;
		}
		return 0;
	case K_ESN:
		return boolean(x, kn, v, &c->esn);
	case K_INITIAL_CONTACT:
		return boolean(x, kn, v, &c->initial_contact);
	default:
		return -EINVAL;
	}
}

static void conn_defaults(struct ppvpn_conn_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->auth = PP_IKE_AUTHM_PSK;
	c->fragmentation = true;
	c->initial_contact = true;
	c->mode = PP_ESP_MODE_TUNNEL;
	snprintf(c->ike_proposals, sizeof(c->ike_proposals), "default");
	snprintf(c->esp_proposals, sizeof(c->esp_proposals), "default");
}

static bool valid_conn_name(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= PP_IKE_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

static struct ppvpn_conn_cfg *find_conn(struct parse_ctx *x,
					const char *section, unsigned int *idx)
{
	struct ppvpn_cfg *cfg = x->cfg;
	const char *name;
	unsigned int i;

	if (!strcmp(section, "conn"))
		name = section; /* a single unnamed connection: "conn" */
	else if (!strncmp(section, "connection ", 11))
		name = section + 11;
	else if (!strncmp(section, "conn ", 5))
		name = section + 5;
	else
		return NULL;
	while (*name == ' ')
		name++;
	if (!valid_conn_name(name)) {
		fail(x, "invalid connection name in [%s] (1-%d of A-Z a-z "
			"0-9 _ . -)", section, PP_IKE_NAME_MAX - 1);
		return NULL;
	}
	for (i = 0; i < cfg->n_conns; i++) {
		if (!strcmp(cfg->conns[i].name, name)) {
			*idx = i;
			return &cfg->conns[i];
		}
	}
	if (cfg->n_conns >= PPVPN_CONN_MAX) {
		fail(x, "more than %d connections", PPVPN_CONN_MAX);
		return NULL;
	}
	*idx = cfg->n_conns;
	conn_defaults(&cfg->conns[cfg->n_conns]);
	memcpy(cfg->conns[cfg->n_conns].name, name, strlen(name) + 1);
	cfg->conns[cfg->n_conns].first_line = x->sect_line;
	return &cfg->conns[cfg->n_conns++];
}

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct parse_ctx *x = user;
	struct ppvpn_conn_cfg *c = NULL;
	bool global = !strcmp(section, "global");
	unsigned int ci = 0;
	int k;

	if (x->failed)
		return 0;
	if (!global) {
		c = find_conn(x, section, &ci);
		if (!c) {
			if (!x->failed)
				fail(x, "unknown section [%s]", section);
			return 0;
		}
	}
	for (k = 0; k < K__COUNT; k++)
		if (keys[k].global == global && !strcmp(keys[k].name, name))
			break;
	if (k == K__COUNT) {
		fail(x, "unknown key '%s' in [%s]", name, section);
		return 0;
	}
	if ((global ? x->cfg->seen : c->seen) & (1ull << k)) {
		fail(x, "duplicate key '%s' in [%s] (first on line %u)", name,
		     section, global ? x->gline[k] : x->cline[ci][k]);
		return 0;
	}
	if (global) {
		x->cfg->seen |= 1ull << k;
		x->gline[k] = x->line;
		return global_key(x, (enum key_id)k, value) ? 0 : 1;
	}
	c->seen |= 1ull << k;
	x->cline[ci][k] = x->line;
	return conn_key(x, c, (enum key_id)k, value) ? 0 : 1;
}

/*
 * Section headers are checked here, where every line passes, so that an
 * unknown (even empty) section is reported on its own line.
 */
static bool known_section(const char *name, size_t n)
{
	char buf[64];
	const char *c;

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, name, n);
	buf[n] = '\0';
	if (!strcmp(buf, "global") || !strcmp(buf, "conn"))
		return true;
	if (!strncmp(buf, "connection ", 11))
		c = buf + 11;
	else if (!strncmp(buf, "conn ", 5))
		c = buf + 5;
	else
		return false;
	while (*c == ' ')
		c++;
	return valid_conn_name(c);
}

static int check_section_line(struct parse_ctx *x, const char *line)
{
	const char *p = line, *e;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '[')
		return 0;
	e = strchr(p, ']');
	if (!e)
		return 0; /* inih reports the syntax error */
	x->sect_line = x->line;
	if (!known_section(p + 1, (size_t)(e - p - 1))) {
		fail(x, "unknown section [%.*s]", (int)(e - p - 1), p + 1);
		return -EINVAL;
	}
	if (!strncmp(p + 1, "global]", 7) && !x->cfg->global_line)
		x->cfg->global_line = x->line;
	return 0;
}

static char *reader(char *str, int num_, void *stream)
{
	struct parse_ctx *x = stream;
	size_t room, n = 0;

	if (x->pos >= x->len || x->too_long || x->failed || num_ < 2)
		return NULL;
	room = (size_t)num_ - 1;
	while (x->pos + n < x->len && x->text[x->pos + n] != '\n')
		n++;
	if (x->pos + n < x->len)
		n++; /* the newline */
	x->line++;
	if (n > room) {
		x->too_long = true;
		return NULL;
	}
	memcpy(str, x->text + x->pos, n);
	str[n] = '\0';
	x->pos += n;
	if (check_section_line(x, str))
		return NULL;
	return str;
}

/* ---------------------------------------------------------------------- */
/* Final checks                                                           */
/* ---------------------------------------------------------------------- */

static int final_checks(struct parse_ctx *x)
{
	struct ppvpn_cfg *cfg = x->cfg;
	bool client = cfg->role == PPVPN_ROLE_CLIENT;
	unsigned int i;
	static const enum key_id client_only[] = { K_REQUEST_VIP };
	static const enum key_id gw_only[] = { K_POOL4, K_POOL6, K_DNS };

#define FAILL(l, ...)                                                      \
	do {                                                               \
		x->line = (l);                                             \
		fail(x, __VA_ARGS__);                                      \
		return -EINVAL;                                            \
	} while (0)

	if (!(cfg->seen & (1ull << K_ROLE)))
		FAILL(cfg->global_line,
		      "missing required key 'role' in [global]");
	if (cfg->n_conns == 0)
		FAILL(x->line, "no [connection NAME] section");
	for (i = 0; i < cfg->n_conns; i++) {
		struct ppvpn_conn_cfg *c = &cfg->conns[i];
		unsigned int *ln = x->cline[i];
		unsigned int j;

		if (client && !(c->seen & (1ull << K_REMOTE_ADDR)))
			FAILL(c->first_line,
			      "missing required key 'remote_addr' in "
			      "[connection %s] for role client", c->name);
		if (!client && !(c->seen & (1ull << K_LOCAL_TS)))
			FAILL(c->first_line,
			      "missing required key 'local_ts' in "
			      "[connection %s] for role gateway", c->name);
		if (c->auth == PP_IKE_AUTHM_PSK && !c->psk_len)
			FAILL(c->first_line,
			      "missing required key 'psk' or 'psk_file' in "
			      "[connection %s] for auth psk", c->name);
		if (c->auth == PP_IKE_AUTHM_PUBKEY) {
			static const enum key_id need[] = { K_CERT, K_KEY,
							    K_CA };

			for (j = 0; j < 3; j++)
				if (!(c->seen & (1ull << need[j])))
					FAILL(c->first_line,
					      "missing required key '%s' in "
					      "[connection %s] for auth pubkey",
					      keys[need[j]].name, c->name);
		}
		for (j = 0; j < sizeof(client_only) / sizeof(client_only[0]);
		     j++)
			if (!client && (c->seen & (1ull << client_only[j])))
				FAILL(ln[client_only[j]],
				      "key '%s': only valid for role client",
				      keys[client_only[j]].name);
		for (j = 0; j < sizeof(gw_only) / sizeof(gw_only[0]); j++)
			if (client && (c->seen & (1ull << gw_only[j])))
				FAILL(ln[gw_only[j]],
				      "key '%s': only valid for role gateway",
				      keys[gw_only[j]].name);
		if (c->local.family && c->remote.family &&
		    c->local.family != c->remote.family)
			FAILL(ln[K_REMOTE_ADDR],
			      "key 'remote_addr': address family differs "
			      "from local_addr (line %u)", ln[K_LOCAL_ADDR]);
	}
	if (cfg->role == PPVPN_ROLE_GATEWAY) {
		/* All connections share the listening sockets: one IKE
		 * port. */
		for (i = 1; i < cfg->n_conns; i++)
			if (cfg->conns[i].local.port !=
			    cfg->conns[0].local.port)
				FAILL(x->cline[i][K_LOCAL_PORT] ?
				      x->cline[i][K_LOCAL_PORT] :
				      cfg->conns[i].first_line,
				      "key 'local_port': all connections of "
				      "a gateway must use the same port");
	}
#undef FAILL
	return 0;
}

int ppvpn_cfg_load(struct ppvpn_cfg *cfg, const char *path, const char *text,
		   char *err, size_t err_len)
{
	struct parse_ctx *x;
	uint8_t *file = NULL;
	size_t flen = 0;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	cfg->log_level = PP_LOG_NOTICE;
	cfg->mtu = 1400;
	cfg->shutdown_ms = 3000;
	snprintf(cfg->tun_name, sizeof(cfg->tun_name), "ppvpn%%d");
	if (err_len)
		err[0] = '\0';

	if (!text) {
		rc = read_file(path, CFG_FILE_MAX, &file, &flen);
		if (rc) {
			snprintf(err, err_len, "%s: cannot read: %s", path,
				 strerror(-rc));
			return -EINVAL;
		}
		text = (const char *)file;
	} else {
		flen = strlen(text);
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		free(file);
		snprintf(err, err_len, "%s: out of memory", path);
		return -ENOMEM;
	}
	x->cfg = cfg;
	x->text = text;
	x->len = flen;
	x->err = err;
	x->err_len = err_len;
	if (memchr(text, '\0', flen)) {
		snprintf(err, err_len, "%s: contains a NUL byte", path);
		rc = -EINVAL;
		goto out;
	}

	ini_allow_multiline = false;
	ini_allow_no_value = false;
	ini_stop_on_first_error = true;
	ini_allow_inline_comments = true;

	rc = ini_parse_stream(reader, x, handler, x);
	if (x->too_long) {
		fail(x, "line longer than %d characters", ini_max_line - 3);
		rc = -EINVAL;
	} else if (x->failed) {
		rc = -EINVAL;
	} else if (rc > 0) {
		x->line = (unsigned int)rc;
		fail(x, "syntax error (expected '[section]' or 'key = value')");
		rc = -EINVAL;
	} else if (rc < 0) {
		fail(x, "parser failure %d", rc);
		rc = -EINVAL;
	} else {
		rc = final_checks(x);
	}
out:
	if (file) {
		OPENSSL_cleanse(file, flen);
		free(file);
	}
	free(x);
	return rc;
}

static void cred_free(struct ppvpn_cred *c)
{
	if (c->data) {
		OPENSSL_cleanse(c->data, c->len);
		free(c->data);
	}
	c->data = NULL;
	c->len = 0;
}

void ppvpn_cfg_wipe_secrets(struct ppvpn_cfg *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->n_conns && i < PPVPN_CONN_MAX; i++) {
		OPENSSL_cleanse(cfg->conns[i].psk, sizeof(cfg->conns[i].psk));
		cfg->conns[i].psk_len = 0;
		cred_free(&cfg->conns[i].key);
	}
}

void ppvpn_cfg_free(struct ppvpn_cfg *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->n_conns && i < PPVPN_CONN_MAX; i++) {
		cred_free(&cfg->conns[i].cert);
		cred_free(&cfg->conns[i].key);
		cred_free(&cfg->conns[i].ca);
	}
	OPENSSL_cleanse(cfg, sizeof(*cfg));
}

/* ---------------------------------------------------------------------- */
/* Output                                                                 */
/* ---------------------------------------------------------------------- */

static void print_addr(FILE *f, const char *key, const struct pp_ike_addr *a)
{
	char b[64];

	if (a->family)
		fprintf(f, "%s = %s\n", key,
			ppvpn_addr_str(a->family, a->bytes, b, sizeof(b)));
	else
		fprintf(f, "%s = %%any\n", key);
}

static void print_id(FILE *f, const char *key, const struct pp_ike_id *id)
{
	char b[64];

	switch (id->type) {
	case PP_IKE_IDT_NONE:
		fprintf(f, "%s = %%any\n", key);
		break;
	case PP_IKE_IDT_IPV4:
	case PP_IKE_IDT_IPV6:
		fprintf(f, "%s = %s\n", key,
			ppvpn_addr_str(id->type == PP_IKE_IDT_IPV4 ? 4 : 6,
				       id->data, b, sizeof(b)));
		break;
	default:
		fprintf(f, "%s = %s:%.*s\n", key,
			id->type == PP_IKE_IDT_RFC822 ? "rfc822" : "fqdn",
			(int)id->len, (const char *)id->data);
		break;
	}
}

static void print_ts(FILE *f, const char *key, const struct pp_ike_ts *ts,
		     unsigned int n)
{
	char a[64], b[64];
	unsigned int i;

	fprintf(f, "%s =", key);
	if (n == 0)
		fprintf(f, " (default)");
	for (i = 0; i < n; i++)
		fprintf(f, "%s %s-%s", i ? "," : "",
			ppvpn_addr_str(ts[i].family, ts[i].start, a, sizeof(a)),
			ppvpn_addr_str(ts[i].family, ts[i].end, b, sizeof(b)));
	fprintf(f, "\n");
}

void ppvpn_cfg_print(const struct ppvpn_cfg *cfg, FILE *f)
{
	unsigned int i, j;
	char b[64];

	fprintf(f, "[global]\n");
	fprintf(f, "role = %s\n",
		cfg->role == PPVPN_ROLE_GATEWAY ? "gateway" : "client");
	fprintf(f, "log_level = %s\n", ppvpn_level_name(cfg->log_level));
	fprintf(f, "keylog = %s\n", cfg->keylog[0] ? cfg->keylog : "(off)");
	fprintf(f, "tun_name = %s\n", cfg->tun_name);
	fprintf(f, "mtu = %" PRIu32 "\n", cfg->mtu);
	fprintf(f, "shutdown_timeout = %" PRIu32 "ms\n", cfg->shutdown_ms);
	fprintf(f, "reconnect = %s\n", cfg->reconnect ? "yes" : "no");
	for (i = 0; i < cfg->n_conns; i++) {
		const struct ppvpn_conn_cfg *c = &cfg->conns[i];

		fprintf(f, "\n[connection %s]\n", c->name);
		print_addr(f, "local_addr", &c->local);
		fprintf(f, "local_port = %u\n", c->local.port ? c->local.port
							      : 500);
		print_addr(f, "remote_addr", &c->remote);
		fprintf(f, "remote_port = %u\n",
			c->remote.port ? c->remote.port : 500);
		fprintf(f, "ike_proposals = %s\n", c->ike_proposals);
		fprintf(f, "esp_proposals = %s\n", c->esp_proposals);
		print_id(f, "local_id", &c->local_id);
		print_id(f, "remote_id", &c->remote_id);
		fprintf(f, "auth = %s\n",
			c->auth == PP_IKE_AUTHM_PUBKEY ? "pubkey" : "psk");
		if (c->psk_len)
			fprintf(f, "psk = <%zu bytes>\n", c->psk_len);
		if (c->cert.data)
			fprintf(f, "cert = %s (%zu bytes)\n", c->cert.path,
				c->cert.len);
		if (c->key.data)
			fprintf(f, "key = %s (%zu bytes)\n", c->key.path,
				c->key.len);
		if (c->ca.data)
			fprintf(f, "ca = %s (%zu bytes)\n", c->ca.path,
				c->ca.len);
		print_ts(f, "local_ts", c->local_ts, c->n_local_ts);
		print_ts(f, "remote_ts", c->remote_ts, c->n_remote_ts);
		fprintf(f, "request_vip = %s%s%s%s\n",
			c->request_ip4 ? "ipv4 " : "",
			c->request_ip6 ? "ipv6 " : "",
			c->request_dns ? "dns " : "",
			c->request_ip4 || c->request_ip6 || c->request_dns
				? ""
				: "(none)");
		if (c->pool4_size)
			fprintf(f, "pool4 = %s +%" PRIu32 "\n",
				ppvpn_addr_str(4, c->pool4_start, b, sizeof(b)),
				c->pool4_size);
		if (c->pool6_size)
			fprintf(f, "pool6 = %s +%" PRIu32 "\n",
				ppvpn_addr_str(6, c->pool6_start, b, sizeof(b)),
				c->pool6_size);
		for (j = 0; j < c->n_dns4; j++)
			fprintf(f, "dns = %s\n",
				ppvpn_addr_str(4, c->dns4[j], b, sizeof(b)));
		for (j = 0; j < c->n_dns6; j++)
			fprintf(f, "dns = %s\n",
				ppvpn_addr_str(6, c->dns6[j], b, sizeof(b)));
		fprintf(f, "rekey_time = %" PRIu32 "s\n", c->rekey_s);
		fprintf(f, "child_rekey_time = %" PRIu32 "s\n",
			c->child_rekey_s);
		fprintf(f, "over_time = %" PRIu32 "s%s\n", c->over_s,
			c->over_set ? "" : " (default)");
		fprintf(f, "rand_time = %" PRIu32 "s%s\n", c->rand_s,
			c->rand_set ? "" : " (default)");
		fprintf(f, "dpd_delay = %" PRIu32 "s\n", c->dpd_s);
		fprintf(f, "force_encap = %s\n", c->force_encap ? "yes" : "no");
		fprintf(f, "fragmentation = %s\n",
			c->fragmentation ? "yes" : "no");
		fprintf(f, "fragment_size = %u\n", c->fragment_size);
		fprintf(f, "mode = %s\n",
			c->mode == PP_ESP_MODE_TRANSPORT ? "transport"
							 : "tunnel");
		fprintf(f, "esn = %s\n", c->esn ? "yes" : "no");
		fprintf(f, "initial_contact = %s\n",
			c->initial_contact ? "yes" : "no");
	}
}

/* Not pp_ike_conn_defaults(): keeps this module usable without the
 * engine; the values mirror the defaults documented in pp_ike.h. */
void ppvpn_cfg_to_conn(const struct ppvpn_conn_cfg *c, struct pp_ike_conn *o)
{
	memset(o, 0, sizeof(*o));
	memcpy(o->name, c->name, sizeof(o->name));
	o->local = c->local;
	o->remote = c->remote;
	if (!o->local.port)
		o->local.port = 500;
	if (o->remote.family && !o->remote.port)
		o->remote.port = 500;
	o->ike_proposals = c->ike_proposals;
	o->esp_proposals = c->esp_proposals;
	o->local_id = c->local_id;
	o->remote_id = c->remote_id;
	o->local_auth.method = c->auth;
	o->remote_auth.method = c->auth;
	if (c->auth == PP_IKE_AUTHM_PSK) {
		o->local_auth.psk = c->psk;
		o->local_auth.psk_len = c->psk_len;
		o->remote_auth.psk = c->psk;
		o->remote_auth.psk_len = c->psk_len;
	} else {
		o->local_auth.cert = c->cert.data;
		o->local_auth.cert_len = c->cert.len;
		o->local_auth.key = c->key.data;
		o->local_auth.key_len = c->key.len;
		o->remote_auth.ca = c->ca.data;
		o->remote_auth.ca_len = c->ca.len;
	}
	o->mode = c->mode;
	memcpy(o->local_ts, c->local_ts, sizeof(o->local_ts));
	memcpy(o->remote_ts, c->remote_ts, sizeof(o->remote_ts));
	o->n_local_ts = c->n_local_ts;
	o->n_remote_ts = c->n_remote_ts;
	/* Asking for virtual IPs without local selectors: propose the whole
	 * space of each requested family (RFC 7296 §2.22: the responder
	 * narrows TSi to the assigned addresses), so that an IPv6 address
	 * over an IPv4 outer connection gets a selector too. */
	if (!c->n_local_ts && (c->request_ip4 || c->request_ip6)) {
		if (c->request_ip4) {
			o->local_ts[o->n_local_ts].family = 4;
			memset(o->local_ts[o->n_local_ts].end, 0xff, 4);
			o->local_ts[o->n_local_ts++].port_hi = 65535;
		}
		if (c->request_ip6) {
			o->local_ts[o->n_local_ts].family = 6;
			memset(o->local_ts[o->n_local_ts].end, 0xff, 16);
			o->local_ts[o->n_local_ts++].port_hi = 65535;
		}
	}
	o->request_ip4 = c->request_ip4;
	o->request_ip6 = c->request_ip6;
	o->request_dns = c->request_dns;
	memcpy(o->pool4_start, c->pool4_start, 4);
	o->pool4_size = c->pool4_size;
	memcpy(o->pool6_start, c->pool6_start, 16);
	o->pool6_size = c->pool6_size;
	memcpy(o->dns4, c->dns4, sizeof(o->dns4));
	o->n_dns4 = c->n_dns4;
	memcpy(o->dns6, c->dns6, sizeof(o->dns6));
	o->n_dns6 = c->n_dns6;
	o->ike_rekey_s = c->rekey_s;
	o->child_rekey_s = c->child_rekey_s;
	o->over_time_s = c->over_s;
	o->rand_time_s = c->rand_s;
	o->dpd_delay_s = c->dpd_s;
	o->force_encap = c->force_encap;
	o->fragmentation = c->fragmentation;
	o->fragment_size = c->fragment_size;
	o->initial_contact = c->initial_contact;
	o->esn = c->esn;
}
