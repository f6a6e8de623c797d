// SPDX-License-Identifier: BSD-2-Clause
/*
 * Wire check of libesp's outbound path against an independent decoder:
 * tshark (Wireshark's ESP dissector).
 *
 * The program builds tunnel-mode outbound SAs for every suite tshark 4.0 can
 * decrypt (AES-GCM-16 128/256, AES-CBC-128 + HMAC-SHA-256-128, AES-CBC-256 +
 * HMAC-SHA-384-192, AES-CBC-256 + HMAC-SHA-512-256; no ChaCha20 and no ESN,
 * which tshark 4.0 cannot check), with IPv4 and IPv6 outer headers, as raw
 * ESP and as UDP-encapsulated ESP on port 4500. Each SA encapsulates inner
 * IPv4/IPv6 UDP and ICMP echo packets of several sizes. The ESP packets and
 * two NAT-keepalives go into a pcap file (libpcap dump API), the keys into a
 * private esp_sa UAT, and tshark must then report, per packet:
 *
 *   - the SPI and sequence number we expect,
 *   - esp.decrypted_data = the inner packet, byte for byte, followed by a
 *     well-formed trailer (pad 1, 2, 3 ..., pad length, next header 4/41,
 *     ciphertext aligned to the cipher's block size),
 *   - esp.icv_good = 1 and esp.icv_bad = 0 (tshark checks both the HMAC and
 *     the GCM tag),
 *   - the inner protocol dissected: the inner UDP payload (udp.payload) or
 *     ICMP echo data (data.data) equal to what was encapsulated,
 *
 * and, over the whole file, `-Y 'esp.icv_bad == 1'` and
 * `-Y '_ws.expert.severity >= warning || _ws.malformed'` must both print
 * nothing (with IPv4 header and UDP checksum validation enabled, so the outer
 * headers libesp writes are checked as well).
 *
 * Negative control: a second pcap in which one ICV byte of the first packet
 * of every SA is flipped must make tshark report exactly those packets as
 * esp.icv_bad == 1. This proves the checks above can fail.
 *
 * tshark missing or timing out is a failure, not a skip. Set TSHARK to use
 * another binary. Usage: test_esp_tshark [workdir] (pcaps and UAT kept
 * there for inspection).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <parapass/pp_esp.h>

#define TSHARK_TIMEOUT_S 25
#define BUF_CAP 4096
#define HEADROOM 256

static int failures;

#define FAIL(...)                                                          \
	do {                                                               \
		fprintf(stderr, "FAIL: " __VA_ARGS__);                     \
		fputc('\n', stderr);                                       \
		failures++;                                                \
	} while (0)

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("FATAL: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* ---------------------------------------------------------------------- */
/* Suites and SAs                                                         */
/* ---------------------------------------------------------------------- */

struct suite {
	const char *name;
	enum pp_esp_cipher cipher;
	size_t ckey_len; /* with the salt for GCM */
	enum pp_esp_integ integ;
	size_t ikey_len;
	const char *ts_enc, *ts_auth; /* tshark UAT labels */
	unsigned int block;	      /* ciphertext alignment */
};

static const struct suite suites[] = {
	{ "aes128gcm", PP_ESP_CIPHER_AES_GCM_16, 16 + 4, PP_ESP_INTEG_NONE, 0,
	  "AES-GCM with 16 octet ICV [RFC4106]", "NULL", 4 },
	{ "aes256gcm", PP_ESP_CIPHER_AES_GCM_16, 32 + 4, PP_ESP_INTEG_NONE, 0,
	  "AES-GCM with 16 octet ICV [RFC4106]", "NULL", 4 },
	{ "aes128cbc-sha256", PP_ESP_CIPHER_AES_CBC, 16,
	  PP_ESP_INTEG_HMAC_SHA256_128, 32, "AES-CBC [RFC3602]",
	  "HMAC-SHA-256-128 [RFC4868]", 16 },
	{ "aes256cbc-sha384", PP_ESP_CIPHER_AES_CBC, 32,
	  PP_ESP_INTEG_HMAC_SHA384_192, 48, "AES-CBC [RFC3602]",
	  "HMAC-SHA-384-192 [RFC4868]", 16 },
	{ "aes256cbc-sha512", PP_ESP_CIPHER_AES_CBC, 32,
	  PP_ESP_INTEG_HMAC_SHA512_256, 64, "AES-CBC [RFC3602]",
	  "HMAC-SHA-512-256 [RFC4868]", 16 },
};
#define N_SUITES (sizeof(suites) / sizeof(suites[0]))

struct sa_case {
	const struct suite *st;
	int outer_family; /* 4 or 6 */
	bool udp;
	uint32_t spi;
	uint8_t ckey[PP_ESP_KEY_MAX], ikey[PP_ESP_KEY_MAX];
	struct pp_esp_addr src, dst;
	struct pp_esp_sa *sa;
	uint32_t seq;
};

#define N_SAS (N_SUITES * 2 * 2)
static struct sa_case sas[N_SAS];

static const uint8_t outer4_src[4] = { 198, 51, 100, 10 };
static const uint8_t outer4_dst[4] = { 203, 0, 113, 20 };
static const uint8_t outer6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xa, 0, 0, 0,
					0, 0, 0, 0, 0, 0, 0, 0x10 };
static const uint8_t outer6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xb, 0, 0, 0,
					0, 0, 0, 0, 0, 0, 0, 0x20 };
static const uint8_t inner4_src[4] = { 10, 1, 0, 5 };
static const uint8_t inner4_dst[4] = { 10, 2, 0, 7 };
static const uint8_t inner6_src[16] = { 0xfd, 0, 0, 1, 0, 0, 0, 0,
					0, 0, 0, 0, 0, 0, 0, 5 };
static const uint8_t inner6_dst[16] = { 0xfd, 0, 0, 2, 0, 0, 0, 0,
					0, 0, 0, 0, 0, 0, 0, 7 };

/* Deterministic bytes (xorshift), so a failing run can be reproduced. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint8_t rnd8(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint8_t)(rng_state >> 24);
}

static void log_cb(void *opaque, enum pp_log_level level, const char *msg)
{
	(void)opaque;
	fprintf(stderr, "libesp[%d]: %s\n", (int)level, msg);
}

static void make_sas(void)
{
	unsigned int n = 0;

	for (unsigned int s = 0; s < N_SUITES; s++) {
		for (int fam = 4; fam <= 6; fam += 2) {
			for (int udp = 0; udp <= 1; udp++) {
				struct sa_case *c = &sas[n];
				struct pp_esp_sa_params p;
				int rc;

				c->st = &suites[s];
				c->outer_family = fam;
				c->udp = udp;
				c->spi = 0x1000u + (n << 4) + 1;
				for (size_t i = 0; i < c->st->ckey_len; i++)
					c->ckey[i] = rnd8();
				for (size_t i = 0; i < c->st->ikey_len; i++)
					c->ikey[i] = rnd8();
				c->src.family = c->dst.family = (uint8_t)fam;
				if (fam == 4) {
					memcpy(c->src.bytes, outer4_src, 4);
					memcpy(c->dst.bytes, outer4_dst, 4);
				} else {
					memcpy(c->src.bytes, outer6_src, 16);
					memcpy(c->dst.bytes, outer6_dst, 16);
				}

				memset(&p, 0, sizeof(p));
				p.dir = PP_ESP_DIR_OUTBOUND;
				p.mode = PP_ESP_MODE_TUNNEL;
				p.spi = c->spi;
				p.flags = udp ? PP_ESP_SA_F_UDP_ENCAP : 0;
				p.cipher = c->st->cipher;
				p.cipher_key = c->ckey;
				p.cipher_key_len = c->st->ckey_len;
				p.integ = c->st->integ;
				p.integ_key = c->st->ikey_len ? c->ikey : NULL;
				p.integ_key_len = c->st->ikey_len;
				p.outer_src = c->src;
				p.outer_dst = c->dst;
				p.log_fn = log_cb;
				rc = pp_esp_sa_create(&p, &c->sa);
				if (rc != 0)
					die("pp_esp_sa_create(%s, IPv%d%s): %d",
					    c->st->name, fam,
					    udp ? ", udp" : "", rc);
				n++;
			}
		}
	}
}

/* ---------------------------------------------------------------------- */
/* Inner packets                                                          */
/* ---------------------------------------------------------------------- */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

enum inner_kind { IN_V4_UDP, IN_V6_UDP, IN_V4_ICMP, IN_V6_ICMP, IN_KINDS };

static const char *const kind_name[IN_KINDS] = { "ipv4/udp", "ipv6/udp",
						 "ipv4/icmp", "ipv6/icmpv6" };

/*
 * Build an inner packet with @dlen bytes of data into @pkt; returns its
 * length and sets *data_off to the offset of the data (UDP payload or ICMP
 * echo data).
 */
static size_t build_inner(uint8_t *pkt, enum inner_kind kind, size_t dlen,
			  uint16_t ident, size_t *data_off)
{
	bool v6 = kind == IN_V6_UDP || kind == IN_V6_ICMP;
	bool udp = kind == IN_V4_UDP || kind == IN_V6_UDP;
	size_t ihl = v6 ? 40 : 20;
	size_t l4 = 8 + dlen; /* UDP header and ICMP echo header are 8 */
	uint8_t proto = udp ? 17 : (v6 ? 58 : 1);
	uint8_t *t = pkt + ihl;
	uint32_t sum = 0;

	memset(pkt, 0, ihl + 8);
	if (!v6) {
		pkt[0] = 0x45;
		put16(pkt + 2, (uint16_t)(ihl + l4));
		put16(pkt + 4, ident);
		pkt[6] = 0x40; /* DF */
		pkt[8] = 64;
		pkt[9] = proto;
		memcpy(pkt + 12, inner4_src, 4);
		memcpy(pkt + 16, inner4_dst, 4);
		put16(pkt + 10, csum_fold(csum_add(0, pkt, 20)));
	} else {
		pkt[0] = 0x60;
		put16(pkt + 4, (uint16_t)l4);
		pkt[6] = proto;
		pkt[7] = 64;
		memcpy(pkt + 8, inner6_src, 16);
		memcpy(pkt + 24, inner6_dst, 16);
	}
	/*
	 * Data: printable-free pseudo-random bytes so no heuristic dissector
	 * claims them and no "timestamp" is guessed in ICMP echo data.
	 */
	for (size_t i = 0; i < dlen; i++)
		t[8 + i] = (uint8_t)(rnd8() | 0x80);
	if (udp) {
		put16(t, (uint16_t)(40000 + ident % 1000));
		put16(t + 2, 40999);
		put16(t + 4, (uint16_t)l4);
	} else {
		t[0] = v6 ? 128 : 8; /* echo request */
		put16(t + 4, ident);
		put16(t + 6, 1);
	}
	/* Checksum: pseudo-header for UDP and ICMPv6. */
	if (v6) {
		sum = csum_add(sum, pkt + 8, 32);
		sum += (uint32_t)l4;
		sum += proto;
	} else if (udp) {
		sum = csum_add(sum, pkt + 12, 8);
		sum += (uint32_t)l4;
		sum += proto;
	}
	sum = csum_add(sum, t, l4);
	{
		uint16_t c = csum_fold(sum);

		if (udp && c == 0)
			c = 0xffff;
		put16(t + (udp ? 6 : 2), c);
	}
	*data_off = ihl + 8;
	return ihl + l4;
}

/* ---------------------------------------------------------------------- */
/* Frames                                                                 */
/* ---------------------------------------------------------------------- */

enum frame_kind { FR_ESP, FR_KEEPALIVE };

struct frame {
	enum frame_kind kind;
	int sa;			 /* index in sas[] (ESP) */
	uint32_t seq;
	enum inner_kind ikind;
	uint8_t *inner;		 /* the inner packet */
	size_t inner_len;
	size_t data_off;	 /* inner data offset */
	uint8_t *wire;		 /* Ethernet frame */
	size_t wire_len;
	bool corrupt;		 /* negative control: ICV byte flipped */
};

#define MAX_FRAMES 512
static struct frame frames[MAX_FRAMES];
static unsigned int n_frames;

static const size_t data_sizes[] = { 1, 38, 333, 1350 };
#define N_SIZES (sizeof(data_sizes) / sizeof(data_sizes[0]))

static void add_eth(struct frame *f, const uint8_t *ip, size_t len)
{
	static const uint8_t mac_dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const uint8_t mac_src[6] = { 0x02, 0, 0, 0, 0, 0x01 };

	f->wire = malloc(14 + len);
	if (!f->wire)
		die("out of memory");
	memcpy(f->wire, mac_dst, 6);
	memcpy(f->wire + 6, mac_src, 6);
	if ((ip[0] >> 4) == 6)
		put16(f->wire + 12, 0x86dd);
	else
		put16(f->wire + 12, 0x0800);
	memcpy(f->wire + 14, ip, len);
	f->wire_len = 14 + len;
}

static struct frame *new_frame(void)
{
	if (n_frames == MAX_FRAMES)
		die("too many frames");
	return &frames[n_frames++];
}

/* Encapsulate one inner packet with SA @si and append the frame. */
static void encap_one(unsigned int si, enum inner_kind kind, size_t dlen)
{
	struct sa_case *c = &sas[si];
	static uint8_t buf[BUF_CAP];
	uint8_t inner[2048];
	struct pp_pkt pkt, *pp = &pkt;
	struct frame *f;
	size_t ilen, doff;
	uint32_t spi;
	struct pp_esp_addr dst;
	unsigned int ok;
	int rc;

	ilen = build_inner(inner, kind, dlen, (uint16_t)(n_frames + 1), &doff);
	if (pp_esp_sa_headroom(c->sa) > HEADROOM ||
	    pp_esp_sa_tailroom(c->sa) > BUF_CAP - HEADROOM - ilen)
		die("%s: headroom %u / tailroom %u too large", c->st->name,
		    pp_esp_sa_headroom(c->sa), pp_esp_sa_tailroom(c->sa));
	memset(buf, 0xa5, sizeof(buf));
	pp_pkt_init(&pkt, buf, sizeof(buf), HEADROOM);
	memcpy(pp_pkt_put(&pkt, (uint32_t)ilen), inner, ilen);

	ok = pp_esp_outbound(c->sa, &pp, 1);
	if (ok != 1 || pkt.status != PP_ESP_OK) {
		FAIL("%s IPv%d%s %s len %zu: pp_esp_outbound = %u, status %s",
		     c->st->name, c->outer_family, c->udp ? " udp" : "",
		     kind_name[kind], ilen, ok, pp_esp_status_name(pkt.status));
		return;
	}
	if (!pp_pkt_valid(&pkt))
		die("pp_esp_outbound left an invalid packet");
	c->seq++;
	if (pp_esp_sa_seq(c->sa) != c->seq)
		FAIL("%s: pp_esp_sa_seq = %" PRIu64 ", expected %u",
		     c->st->name, pp_esp_sa_seq(c->sa), c->seq);

	/* The parsing helper must find our SPI and destination. */
	rc = pp_esp_pkt_spi(&pkt, c->udp, 0, false, &spi, &dst);
	if (rc != 0 || spi != c->spi || dst.family != c->outer_family ||
	    memcmp(dst.bytes, c->dst.bytes, c->outer_family == 4 ? 4 : 16))
		FAIL("%s IPv%d%s: pp_esp_pkt_spi rc=%d spi=0x%x (want 0x%x)",
		     c->st->name, c->outer_family, c->udp ? " udp" : "", rc,
		     spi, c->spi);
	if (c->udp) {
		size_t l3 = c->outer_family == 4 ? 20 : 40;

		if (pkt.len > l3 + 8 &&
		    pp_esp_natt_classify(pp_pkt_data(&pkt) + l3 + 8,
					 pkt.len - l3 - 8) != PP_ESP_NATT_ESP)
			FAIL("%s: pp_esp_natt_classify(ESP) != ESP",
			     c->st->name);
	}

	f = new_frame();
	f->kind = FR_ESP;
	f->sa = (int)si;
	f->seq = c->seq;
	f->ikind = kind;
	f->inner = malloc(ilen);
	if (!f->inner)
		die("out of memory");
	memcpy(f->inner, inner, ilen);
	f->inner_len = ilen;
	f->data_off = doff;
	add_eth(f, pp_pkt_data(&pkt), pkt.len);
}

/* NAT-keepalive (RFC 3948 §2.3): UDP 4500 -> 4500, payload 0xFF. */
static void add_keepalive(int fam)
{
	uint8_t ip[64];
	size_t ihl = fam == 4 ? 20 : 40;
	uint8_t *u = ip + ihl;
	uint32_t sum;
	struct frame *f;

	memset(ip, 0, sizeof(ip));
	if (fam == 4) {
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(ihl + 9));
		ip[8] = 64;
		ip[9] = 17;
		memcpy(ip + 12, outer4_src, 4);
		memcpy(ip + 16, outer4_dst, 4);
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	} else {
		ip[0] = 0x60;
		put16(ip + 4, 9);
		ip[6] = 17;
		ip[7] = 64;
		memcpy(ip + 8, outer6_src, 16);
		memcpy(ip + 24, outer6_dst, 16);
	}
	put16(u, 4500);
	put16(u + 2, 4500);
	put16(u + 4, 9);
	u[8] = 0xff;
	if (pp_esp_natt_classify(u + 8, 1) != PP_ESP_NATT_KEEPALIVE)
		FAIL("pp_esp_natt_classify(0xff) != KEEPALIVE");
	if (fam == 6) { /* a real checksum; IPv4 sends 0 (RFC 3948 §2.1) */
		sum = csum_add(0, ip + 8, 32) + 9 + 17;
		sum = csum_add(sum, u, 9);
		put16(u + 6, csum_fold(sum));
	}

	f = new_frame();
	f->kind = FR_KEEPALIVE;
	f->sa = -1;
	add_eth(f, ip, ihl + 9);

	{
		struct pp_pkt pkt;
		uint32_t spi;
		struct pp_esp_addr dst;
		uint8_t b[128];

		pp_pkt_init(&pkt, b, sizeof(b), 0);
		memcpy(pp_pkt_put(&pkt, (uint32_t)(ihl + 9)), ip, ihl + 9);
		if (pp_esp_pkt_spi(&pkt, true, 0, false, &spi, &dst) !=
		    -EPROTO)
			FAIL("pp_esp_pkt_spi(keepalive) != -EPROTO");
	}
}

static void write_pcap(const char *path, bool corrupt)
{
	pcap_t *pd = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d;

	if (!pd)
		die("pcap_open_dead failed");
	d = pcap_dump_open(pd, path);
	if (!d)
		die("pcap_dump_open(%s): %s", path, pcap_geterr(pd));
	for (unsigned int i = 0; i < n_frames; i++) {
		struct frame *f = &frames[i];
		struct pcap_pkthdr h;
		uint8_t tmp[BUF_CAP];

		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = 1700000000 + (time_t)(i / 1000);
		h.ts.tv_usec = (suseconds_t)(i % 1000) * 1000;
		h.caplen = h.len = (bpf_u_int32)f->wire_len;
		memcpy(tmp, f->wire, f->wire_len);
		if (corrupt && f->corrupt)
			tmp[f->wire_len - 1] ^= 0x01; /* last ICV byte */
		pcap_dump((u_char *)d, &h, tmp);
	}
	if (pcap_dump_flush(d) != 0)
		die("pcap_dump_flush(%s) failed", path);
	pcap_dump_close(d);
	pcap_close(pd);
}

/* ---------------------------------------------------------------------- */
/* tshark                                                                 */
/* ---------------------------------------------------------------------- */

static bool tshark_broken;
static char workdir[512];
static char cfgdir[600];

static void hex(char *out, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = 0;
}

static void addr_str(char *out, size_t cap, const struct pp_esp_addr *a)
{
	if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->bytes, out,
		       (socklen_t)cap))
		die("inet_ntop failed");
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		die("cannot write %s: %s", path, strerror(errno));
}

static void write_uat(void)
{
	char path[800], sub[700];
	static char text[64 * 1024];
	size_t o;

	snprintf(cfgdir, sizeof(cfgdir), "%s/tshark-cfg", workdir);
	snprintf(sub, sizeof(sub), "%s/wireshark", cfgdir);
	if ((mkdir(cfgdir, 0700) && errno != EEXIST) ||
	    (mkdir(sub, 0700) && errno != EEXIST))
		die("mkdir %s: %s", sub, strerror(errno));

	o = (size_t)snprintf(text, sizeof(text),
			     "# This file is automatically generated, "
			     "DO NOT MODIFY.\n");
	for (unsigned int i = 0; i < N_SAS; i++) {
		const struct sa_case *c = &sas[i];
		char src[64], dst[64], ck[2 * PP_ESP_KEY_MAX + 3],
			ik[2 * PP_ESP_KEY_MAX + 3];

		addr_str(src, sizeof(src), &c->src);
		addr_str(dst, sizeof(dst), &c->dst);
		ck[0] = '0';
		ck[1] = 'x';
		hex(ck + 2, c->ckey, c->st->ckey_len);
		if (c->st->ikey_len) {
			ik[0] = '0';
			ik[1] = 'x';
			hex(ik + 2, c->ikey, c->st->ikey_len);
		} else {
			ik[0] = 0;
		}
		o += (size_t)snprintf(text + o, sizeof(text) - o,
				      "\"IPv%d\",\"%s\",\"%s\",\"0x%08x\","
				      "\"%s\",\"%s\",\"%s\",\"%s\"\n",
				      c->outer_family, src, dst, c->spi,
				      c->st->ts_enc, ck, c->st->ts_auth, ik);
		if (o >= sizeof(text))
			die("UAT text too long");
	}
	snprintf(path, sizeof(path), "%s/esp_sa", sub);
	write_file(path, text);
	snprintf(path, sizeof(path), "%s/preferences", sub);
	write_file(path, "esp.enable_encryption_decode: TRUE\n"
			 "esp.enable_authentication_check: TRUE\n"
			 "esp.do_esp_sequence_analysis: TRUE\n"
			 "ip.check_checksum: TRUE\n"
			 "udp.check_checksum: TRUE\n");
}

/*
 * Run tshark on @pcap with @extra arguments (NULL-terminated), stdout into
 * @out_path. Returns 0 when tshark exited with status 0.
 */
static int run_tshark(const char *pcap, const char *out_path,
		      const char *const extra[])
{
	const char *tshark = getenv("TSHARK");
	const char *argv[64];
	char err_path[1200];
	unsigned int n = 0;
	pid_t pid;
	int st;
	struct timespec t0, t1;

	if (tshark_broken)
		return -1; /* reported once: do not wait again */
	if (!tshark || !*tshark)
		tshark = "tshark";
	argv[n++] = tshark;
	argv[n++] = "-n";
	argv[n++] = "-r";
	argv[n++] = pcap;
	/* The same preferences as the file, in case it is not read. */
	argv[n++] = "-o";
	argv[n++] = "esp.enable_encryption_decode:TRUE";
	argv[n++] = "-o";
	argv[n++] = "esp.enable_authentication_check:TRUE";
	argv[n++] = "-o";
	argv[n++] = "ip.check_checksum:TRUE";
	argv[n++] = "-o";
	argv[n++] = "udp.check_checksum:TRUE";
	for (unsigned int i = 0; extra[i]; i++) {
		if (n >= sizeof(argv) / sizeof(argv[0]) - 1)
			die("too many tshark arguments");
		argv[n++] = extra[i];
	}
	argv[n] = NULL;

	snprintf(err_path, sizeof(err_path), "%s.stderr", out_path);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
			_exit(126);
		setenv("XDG_CONFIG_HOME", cfgdir, 1);
		setpgid(0, 0);
		{
			char *cargv[64];

			for (unsigned int i = 0; i <= n; i++)
				cargv[i] = argv[i] ? strdup(argv[i]) : NULL;
			execvp(cargv[0], cargv);
		}
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			die("waitpid: %s", strerror(errno));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (t1.tv_sec - t0.tv_sec >= TSHARK_TIMEOUT_S) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			FAIL("tshark timed out after %d s", TSHARK_TIMEOUT_S);
			tshark_broken = true;
			return -1;
		}
		usleep(20000);
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	{
		FILE *f = fopen(err_path, "r");
		char line[512];

		FAIL("tshark (%s) failed: %s %d; stderr:", tshark,
		     WIFEXITED(st) ? "exit status" : "signal",
		     WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		while (f && fgets(line, sizeof(line), f))
			fprintf(stderr, "  %s", line);
		if (f)
			fclose(f);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
			fprintf(stderr, "  (tshark not installed? it is "
					"required: apt-get install tshark)\n");
			tshark_broken = true;
		}
	}
	return -1;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		die("open %s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("read %s failed", path);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* Split @line at @sep in place; returns the number of fields. */
static unsigned int split(char *line, char sep, char *fld[], unsigned int max)
{
	unsigned int n = 0;

	fld[n++] = line;
	for (char *p = line; *p && n < max; p++) {
		if (*p == sep) {
			*p = 0;
			fld[n++] = p + 1;
		}
	}
	return n;
}

/* Last comma-separated occurrence of a field value. */
static const char *last_occ(const char *v)
{
	const char *c = strrchr(v, ',');

	return c ? c + 1 : v;
}

/* Does the comma-separated list @v contain @want? */
static bool has_occ(const char *v, const char *want)
{
	size_t wl = strlen(want);

	for (const char *p = v; *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == wl && !strncmp(p, want, l))
			return true;
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode hex (colons allowed) into @out; returns length or -1. */
static long unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (*s && *s != ',') {
		int hi, lo;

		if (*s == ':') {
			s++;
			continue;
		}
		hi = hexval(s[0]);
		lo = hi < 0 ? -1 : hexval(s[1]);
		if (hi < 0 || lo < 0 || n == cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return (long)n;
}

enum {
	F_FRAME,
	F_SPI,
	F_SEQ,
	F_ICV_GOOD,
	F_ICV_BAD,
	F_DECRYPTED,
	F_NH,
	F_UDP_PAYLOAD,
	F_DATA,
	F_ICMP_TYPE,
	F_ICMPV6_TYPE,
	F_KEEPALIVE,
	F_IP_SRC,
	F_IPV6_SRC,
	F_COUNT
};

static const char *const field_names[F_COUNT] = {
	"frame.number",	   "esp.spi",	       "esp.sequence",
	"esp.icv_good",	   "esp.icv_bad",      "esp.decrypted_data",
	"esp.protocol",	   "udp.payload",      "data.data",
	"icmp.type",	   "icmpv6.type",      "udpencap.nat_keepalive",
	"ip.src",	   "ipv6.src",
};

static void check_esp_frame(const struct frame *f, char *fld[])
{
	const struct sa_case *c = &sas[f->sa];
	char what[160], want[32];
	static uint8_t dec[8192];
	long dl;
	size_t r;
	uint8_t padlen, nh;
	const char *exp_src;
	char exp_src_buf[64];
	static char datahex[4096];

	snprintf(what, sizeof(what), "frame %u (%s IPv%d%s seq %u, %s %zu B)",
		 (unsigned int)(f - frames) + 1, c->st->name, c->outer_family,
		 c->udp ? " udp" : "", f->seq, kind_name[f->ikind],
		 f->inner_len);

	snprintf(want, sizeof(want), "0x%08x", c->spi);
	if (strcmp(fld[F_SPI], want))
		FAIL("%s: esp.spi '%s', expected %s", what, fld[F_SPI], want);
	snprintf(want, sizeof(want), "%u", f->seq);
	if (strcmp(fld[F_SEQ], want))
		FAIL("%s: esp.sequence '%s', expected %s", what, fld[F_SEQ],
		     want);
	if (strcmp(fld[F_ICV_GOOD], "1") || strcmp(fld[F_ICV_BAD], "0"))
		FAIL("%s: esp.icv_good '%s' esp.icv_bad '%s' (want 1/0)",
		     what, fld[F_ICV_GOOD], fld[F_ICV_BAD]);

	/* Decrypted data: inner packet, then pad 1..n, pad length, NH. */
	dl = unhex(fld[F_DECRYPTED], dec, sizeof(dec));
	if (dl <= 0) {
		FAIL("%s: not decrypted (esp.decrypted_data '%.40s')", what,
		     fld[F_DECRYPTED]);
		return;
	}
	if ((size_t)dl < f->inner_len + 2 ||
	    memcmp(dec, f->inner, f->inner_len)) {
		FAIL("%s: decrypted data (%ld B) != inner packet (%zu B)",
		     what, dl, f->inner_len);
		return;
	}
	r = (size_t)dl - f->inner_len;
	padlen = dec[dl - 2];
	nh = dec[dl - 1];
	if (padlen != r - 2)
		FAIL("%s: %zu trailer bytes but pad length %u (TFC or junk "
		     "after the inner packet?)", what, r, padlen);
	for (unsigned int i = 0; i < padlen && i + 2 < r; i++)
		if (dec[f->inner_len + i] != i + 1) {
			FAIL("%s: pad byte %u is %u, expected %u", what, i,
			     dec[f->inner_len + i], i + 1);
			break;
		}
	if (nh != ((f->inner[0] >> 4) == 4 ? 4 : 41))
		FAIL("%s: next header %u", what, nh);
	if (c->st->block == 16 && dl % 16)
		FAIL("%s: CBC ciphertext length %ld not a multiple of 16",
		     what, dl);
	if ((8 + (c->st->block == 16 ? 16 : 8) + dl) % 4)
		FAIL("%s: ESP trailer not 4-byte aligned", what);
	snprintf(want, sizeof(want), "0x%02x", nh); /* tshark prints hex */
	if (strcmp(fld[F_NH], want))
		FAIL("%s: esp.protocol '%s', expected %s", what, fld[F_NH],
		     want);

	/* The inner packet was dissected: source and payload visible. */
	if ((f->inner[0] >> 4) == 4) {
		struct pp_esp_addr a = { .family = 4 };

		memcpy(a.bytes, inner4_src, 4);
		addr_str(exp_src_buf, sizeof(exp_src_buf), &a);
		exp_src = last_occ(fld[F_IP_SRC]);
	} else {
		struct pp_esp_addr a = { .family = 6 };

		memcpy(a.bytes, inner6_src, 16);
		addr_str(exp_src_buf, sizeof(exp_src_buf), &a);
		exp_src = last_occ(fld[F_IPV6_SRC]);
	}
	if (strcmp(exp_src, exp_src_buf))
		FAIL("%s: inner source '%s', expected %s", what, exp_src,
		     exp_src_buf);

	hex(datahex, f->inner + f->data_off, f->inner_len - f->data_off);
	switch (f->ikind) {
	case IN_V4_UDP:
	case IN_V6_UDP:
		if (strcmp(last_occ(fld[F_UDP_PAYLOAD]), datahex))
			FAIL("%s: inner udp.payload differs", what);
		break;
	case IN_V4_ICMP:
		if (strcmp(last_occ(fld[F_ICMP_TYPE]), "8") ||
		    !has_occ(fld[F_DATA], datahex))
			FAIL("%s: inner ICMP echo (type '%s') or its data "
			     "differs", what, fld[F_ICMP_TYPE]);
		break;
	case IN_V6_ICMP:
		if (strcmp(last_occ(fld[F_ICMPV6_TYPE]), "128") ||
		    !has_occ(fld[F_DATA], datahex))
			FAIL("%s: inner ICMPv6 echo (type '%s') or its data "
			     "differs", what, fld[F_ICMPV6_TYPE]);
		break;
	default:
		break;
	}
}

static void check_fields(const char *pcap)
{
	char out[1200];
	const char *args[2 * F_COUNT + 16];
	unsigned int n = 0, seen = 0;
	char *text, *line, *save;

	snprintf(out, sizeof(out), "%s/fields.txt", workdir);
	args[n++] = "-T";
	args[n++] = "fields";
	args[n++] = "-E";
	args[n++] = "separator=|";
	args[n++] = "-E";
	args[n++] = "occurrence=a";
	args[n++] = "-E";
	args[n++] = "aggregator=,";
	for (unsigned int i = 0; i < F_COUNT; i++) {
		args[n++] = "-e";
		args[n++] = field_names[i];
	}
	args[n] = NULL;
	if (run_tshark(pcap, out, args))
		return;

	text = read_all(out);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *fld[F_COUNT + 1];
		unsigned long fn;
		const struct frame *f;

		if (split(line, '|', fld, F_COUNT + 1) != F_COUNT) {
			FAIL("unexpected tshark line: %.80s", line);
			continue;
		}
		fn = strtoul(fld[F_FRAME], NULL, 10);
		if (fn != seen + 1) {
			FAIL("tshark frame %lu out of order", fn);
			break;
		}
		seen++;
		if (fn > n_frames) {
			FAIL("tshark reports frame %lu of %u", fn, n_frames);
			break;
		}
		f = &frames[fn - 1];
		if (f->kind == FR_KEEPALIVE) {
			if (strcmp(fld[F_KEEPALIVE], "1") || *fld[F_SPI])
				FAIL("frame %lu: NAT-keepalive not recognised "
				     "('%s')", fn, fld[F_KEEPALIVE]);
		} else {
			check_esp_frame(f, fld);
		}
	}
	if (seen != n_frames)
		FAIL("tshark printed %u frames, wrote %u", seen, n_frames);
	free(text);
}

/* Run a display filter; returns the frame numbers printed (count). */
static unsigned int filter_frames(const char *pcap, const char *filter,
				  const char *tag, unsigned int *list,
				  unsigned int max)
{
	char out[1200];
	const char *args[] = { "-Y", filter, "-T", "fields", "-e",
			       "frame.number", "-e", "_ws.expert.message",
			       NULL };
	char *text, *line, *save;
	unsigned int n = 0;

	snprintf(out, sizeof(out), "%s/filter-%s.txt", workdir, tag);
	if (run_tshark(pcap, out, args))
		return ~0u;
	text = read_all(out);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (n < max)
			list[n] = (unsigned int)strtoul(line, NULL, 10);
		if (n < 10)
			fprintf(stderr, "  [%s] %s\n", tag, line);
		n++;
	}
	free(text);
	return n;
}

int main(int argc, char **argv)
{
	char pcap_good[1200], pcap_bad[1200];
	unsigned int list[MAX_FRAMES], n, n_corrupt = 0;
	bool first_of_sa[N_SAS];
	static const char expert_filter[] =
		"_ws.expert.severity >= warning || _ws.malformed";

	if (argc > 2) {
		fprintf(stderr, "usage: %s [workdir]\n", argv[0]);
		return 2;
	}
	snprintf(workdir, sizeof(workdir), "%s", argc > 1 ? argv[1] : ".");
	signal(SIGPIPE, SIG_IGN);

	make_sas();
	add_keepalive(4);
	for (unsigned int si = 0; si < N_SAS; si++)
		for (unsigned int k = 0; k < IN_KINDS; k++)
			for (unsigned int z = 0; z < N_SIZES; z++)
				encap_one(si, (enum inner_kind)k,
					  data_sizes[(z + k) % N_SIZES]);
	add_keepalive(6);
	if (failures)
		die("%d failure(s) while encapsulating", failures);

	/* Negative control: flip an ICV byte of each SA's first packet. */
	memset(first_of_sa, 0, sizeof(first_of_sa));
	for (unsigned int i = 0; i < n_frames; i++) {
		struct frame *f = &frames[i];

		if (f->kind == FR_ESP && !first_of_sa[f->sa]) {
			first_of_sa[f->sa] = true;
			f->corrupt = true;
			n_corrupt++;
		}
	}

	snprintf(pcap_good, sizeof(pcap_good), "%s/esp-wire.pcap", workdir);
	snprintf(pcap_bad, sizeof(pcap_bad), "%s/esp-wire-badicv.pcap",
		 workdir);
	write_pcap(pcap_good, false);
	write_pcap(pcap_bad, true);
	write_uat();
	printf("wrote %u frames (%u SAs) to %s\n", n_frames, (unsigned)N_SAS,
	       pcap_good);

	/* 1. Per packet: decrypted, ICV good, inner packet and trailer. */
	check_fields(pcap_good);

	/* 2. No bad ICV anywhere. */
	n = filter_frames(pcap_good, "esp.icv_bad == 1", "icv_bad", list,
			  MAX_FRAMES);
	if (n && n != ~0u)
		FAIL("%u frame(s) match esp.icv_bad == 1", n);

	/* 3. No expert warning or error, nothing malformed. */
	n = filter_frames(pcap_good, expert_filter, "expert", list,
			  MAX_FRAMES);
	if (n && n != ~0u)
		FAIL("%u frame(s) with expert warnings/errors or malformed",
		     n);

	/* 4. Negative control: every corrupted packet, and only those. */
	n = filter_frames(pcap_bad, "esp.icv_bad == 1", "negative", list,
			  MAX_FRAMES);
	if (n == ~0u) {
		/* already reported */
	} else if (n != n_corrupt) {
		FAIL("negative control: tshark flags %u frame(s) as icv_bad, "
		     "%u were corrupted", n, n_corrupt);
	} else {
		for (unsigned int i = 0; i < n; i++)
			if (list[i] == 0 || list[i] > n_frames ||
			    !frames[list[i] - 1].corrupt)
				FAIL("negative control: frame %u flagged but "
				     "not corrupted", list[i]);
	}

	for (unsigned int i = 0; i < N_SAS; i++)
		pp_esp_sa_destroy(sas[i].sa);
	for (unsigned int i = 0; i < n_frames; i++) {
		free(frames[i].inner);
		free(frames[i].wire);
	}
	if (failures) {
		fprintf(stderr, "%d failure(s); artifacts in %s\n", failures,
			workdir);
		return 1;
	}
	printf("ok: %u ESP frames decrypted by tshark with good ICVs, inner "
	       "packets identical; %u corrupted ICVs detected\n",
	       n_frames - 2, n_corrupt);
	return 0;
}
