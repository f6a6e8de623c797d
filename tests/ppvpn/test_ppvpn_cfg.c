// SPDX-License-Identifier: BSD-2-Clause
/*
 * ppvpn configuration: a table of good and bad files. Every bad file must
 * fail with exactly the message given (file, line, key, reason); every
 * good file must parse into the values checked. docs/ppvpn.md is the
 * specification of the keys.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ppvpn.h"

#define CLIENT_HEAD                                                        \
	"[global]\n"                                                       \
	"role = client\n"                                                  \
	"[connection home]\n"                                              \
	"remote_addr = 192.0.2.1\n"                                        \
	"psk = 0123456789abcdef0123\n"
/* lines 1-5 above; the next line is 6 */

#define GW_HEAD                                                            \
	"[global]\n"                                                       \
	"role = gateway\n"                                                 \
	"[connection rw]\n"                                                \
	"local_ts = 198.51.100.0/24\n"                                     \
	"psk = 0123456789abcdef0123\n"

struct bad_case {
	const char *name;
	const char *text;
	const char *err;
};

static const struct bad_case bad[] = {
	{ "unknown key in [global]", "[global]\nrole = client\nfoo = 1\n",
	  "t.conf:3: unknown key 'foo' in [global]" },
	{ "unknown key in a connection", CLIENT_HEAD "remote = 192.0.2.2\n",
	  "t.conf:6: unknown key 'remote' in [connection home]" },
	{ "unknown section (even empty)", CLIENT_HEAD "[globl]\n",
	  "t.conf:6: unknown section [globl]" },
	{ "key before any section", "role = client\n",
	  "t.conf:1: unknown section []" },
	{ "bad IPv4 address", CLIENT_HEAD "local_addr = 192.0.2.300\n",
	  "t.conf:6: key 'local_addr': invalid IP address '192.0.2.300'" },
	{ "bad IPv6 address",
	  "[global]\nrole = client\n[connection home]\n"
	  "remote_addr = 2001:db8::zz\n",
	  "t.conf:4: key 'remote_addr': invalid IP address '2001:db8::zz'" },
	{ "bad CIDR prefix length", CLIENT_HEAD "remote_ts = 198.51.100.0/33\n",
	  "t.conf:6: key 'remote_ts': invalid CIDR or range "
	  "'198.51.100.0/33'" },
	{ "CIDR with host bits", CLIENT_HEAD "remote_ts = 198.51.100.1/24\n",
	  "t.conf:6: key 'remote_ts': '198.51.100.1/24' has host bits set" },
	{ "reversed range",
	  CLIENT_HEAD "local_ts = 198.51.100.9-198.51.100.1\n",
	  "t.conf:6: key 'local_ts': range '198.51.100.9-198.51.100.1' ends "
	  "before it starts" },
	{ "range across families",
	  CLIENT_HEAD "local_ts = 198.51.100.1-2001:db8::1\n",
	  "t.conf:6: key 'local_ts': invalid CIDR or range "
	  "'198.51.100.1-2001:db8::1'" },
	{ "empty list item",
	  CLIENT_HEAD "remote_ts = 198.51.100.0/24,,2001:db8::/64\n",
	  "t.conf:6: key 'remote_ts': invalid list "
	  "'198.51.100.0/24,,2001:db8::/64'" },
	{ "more than PP_IKE_TS_MAX selectors",
	  CLIENT_HEAD "remote_ts = 192.0.2.1,192.0.2.2,192.0.2.3,192.0.2.4,"
		      "192.0.2.5,192.0.2.6,192.0.2.7,192.0.2.8,192.0.2.9\n",
	  "t.conf:6: key 'remote_ts': more than 8 selectors" },
	{ "unknown algorithm in an IKE proposal",
	  CLIENT_HEAD "ike_proposals = aes128-sha256-modp1024\n",
	  "t.conf:6: key 'ike_proposals': invalid proposal "
	  "'aes128-sha256-modp1024': unknown algorithm 'modp1024'" },
	{ "IKE proposal without a key exchange group",
	  CLIENT_HEAD "ike_proposals = aes256gcm16-prfsha384-ecp384,"
		      "aes128-sha256\n",
	  "t.conf:6: key 'ike_proposals': invalid proposal "
	  "'aes256gcm16-prfsha384-ecp384,aes128-sha256': no key exchange "
	  "group in 'aes128-sha256'" },
	{ "ESP proposal without integrity",
	  CLIENT_HEAD "esp_proposals = aes128\n",
	  "t.conf:6: key 'esp_proposals': invalid proposal 'aes128': no "
	  "integrity algorithm in 'aes128'" },
	{ "PRF in an ESP proposal",
	  CLIENT_HEAD "esp_proposals = aes128gcm16-prfsha256\n",
	  "t.conf:6: key 'esp_proposals': invalid proposal "
	  "'aes128gcm16-prfsha256': 'prfsha256' not valid in ESP proposals" },
	{ "empty proposal", CLIENT_HEAD "esp_proposals = aes128-sha256,\n",
	  "t.conf:6: key 'esp_proposals': invalid proposal 'aes128-sha256,': "
	  "empty proposal" },
	{ "duplicate key in [global]",
	  "[global]\nrole = client\nrole = gateway\n",
	  "t.conf:3: duplicate key 'role' in [global] (first on line 2)" },
	{ "duplicate key in a connection",
	  CLIENT_HEAD "psk = 0123456789abcdefXYZ\n",
	  "t.conf:6: duplicate key 'psk' in [connection home] (first on "
	  "line 5)" },
	{ "client without remote_addr",
	  "[global]\nrole = client\n[connection home]\n"
	  "psk = 0123456789abcdef0123\n",
	  "t.conf:3: missing required key 'remote_addr' in [connection home] "
	  "for role client" },
	{ "gateway without local_ts",
	  "[global]\nrole = gateway\n\n[connection rw]\n"
	  "psk = 0123456789abcdef0123\n",
	  "t.conf:4: missing required key 'local_ts' in [connection rw] for "
	  "role gateway" },
	{ "psk auth without a key",
	  "[global]\nrole = client\n[connection home]\n"
	  "remote_addr = 192.0.2.1\n",
	  "t.conf:3: missing required key 'psk' or 'psk_file' in "
	  "[connection home] for auth psk" },
	{ "pubkey auth without cert",
	  "[global]\nrole = client\n[connection home]\n"
	  "remote_addr = 192.0.2.1\nauth = pubkey\n",
	  "t.conf:3: missing required key 'cert' in [connection home] for "
	  "auth pubkey" },
	{ "no role", "[global]\nmtu = 1400\n[connection a]\n"
		     "remote_addr = 192.0.2.1\n",
	  "t.conf:1: missing required key 'role' in [global]" },
	{ "no connection", "[global]\nrole = client\n",
	  "t.conf:2: no [connection NAME] section" },
	{ "mtu out of range", "[global]\nrole = client\nmtu = 70000\n",
	  "t.conf:3: key 'mtu': 70000 out of range 576..65535" },
	{ "mtu not a number", "[global]\nrole = client\nmtu = 1400x\n",
	  "t.conf:3: key 'mtu': invalid number '1400x'" },
	{ "negative number", CLIENT_HEAD "fragment_size = -1\n",
	  "t.conf:6: key 'fragment_size': invalid number '-1'" },
	{ "port 0", CLIENT_HEAD "local_port = 0\n",
	  "t.conf:6: key 'local_port': 0 out of range 1..65535" },
	{ "local port 4500", CLIENT_HEAD "local_port = 4500\n",
	  "t.conf:6: key 'local_port': 4500 is the NAT-T port" },
	{ "bad duration unit", CLIENT_HEAD "rekey_time = 1x\n",
	  "t.conf:6: key 'rekey_time': invalid duration '1x' (e.g. 30s, 20m, "
	  "1h, 2d)" },
	{ "duration below the minimum", CLIENT_HEAD "child_rekey_time = 10s\n",
	  "t.conf:6: key 'child_rekey_time': duration '10s' out of range "
	  "60s..31536000s" },
	{ "duration overflow", CLIENT_HEAD "dpd_delay = 99999999999d\n",
	  "t.conf:6: key 'dpd_delay': duration '99999999999d' out of range "
	  "0s..86400s" },
	{ "bad boolean", CLIENT_HEAD "force_encap = maybe\n",
	  "t.conf:6: key 'force_encap': invalid boolean 'maybe' (yes/no)" },
	{ "bad role", "[global]\nrole = server\n",
	  "t.conf:2: key 'role': invalid value 'server' (client, gateway)" },
	{ "bad log level", "[global]\nlog_level = loud\n",
	  "t.conf:2: key 'log_level': invalid value 'loud' (err, warning, "
	  "notice, info, debug)" },
	{ "bad mode", CLIENT_HEAD "mode = beet\n",
	  "t.conf:6: key 'mode': invalid value 'beet' (tunnel, transport)" },
	{ "bad auth", CLIENT_HEAD "auth = eap\n",
	  "t.conf:6: key 'auth': invalid value 'eap' (psk, pubkey)" },
	{ "psk too short",
	  "[global]\nrole = client\n[connection home]\npsk = short\n",
	  "t.conf:4: key 'psk': must be 16 to 256 bytes (text or 0x hex)" },
	{ "psk bad hex",
	  "[global]\nrole = client\n[connection home]\n"
	  "psk = 0x0123456789abcdef0123456789abcdeg\n",
	  "t.conf:4: key 'psk': must be 16 to 256 bytes (text or 0x hex)" },
	{ "psk and psk_file", CLIENT_HEAD "psk_file = /etc/hostname\n",
	  "t.conf:6: key 'psk_file': conflicts with 'psk'" },
	{ "unreadable certificate", CLIENT_HEAD "cert = /nonexistent/c.pem\n",
	  "t.conf:6: key 'cert': cannot read '/nonexistent/c.pem': No such "
	  "file or directory" },
	{ "request_vip on a gateway", GW_HEAD "request_vip = ipv4\n",
	  "t.conf:6: key 'request_vip': only valid for role client" },
	{ "pool4 on a client", CLIENT_HEAD "pool4 = 192.0.2.0/24\n",
	  "t.conf:6: key 'pool4': only valid for role gateway" },
	{ "IPv6 pool in pool4", GW_HEAD "pool4 = 2001:db8::/64\n",
	  "t.conf:6: key 'pool4': '2001:db8::/64' is not an IPv4 pool" },
	{ "pool /32 too small", GW_HEAD "pool4 = 192.0.2.7/32\n",
	  "t.conf:6: key 'pool4': pool '192.0.2.7/32' is too small" },
	{ "bad request_vip item", CLIENT_HEAD "request_vip = ipv4,ipx\n",
	  "t.conf:6: key 'request_vip': unknown item 'ipx' (ipv4, ipv6, dns)" },
	{ "bad DNS server", GW_HEAD "dns = 192.0.2.53,dns.example\n",
	  "t.conf:6: key 'dns': invalid IP address 'dns.example'" },
	{ "address families differ",
	  CLIENT_HEAD "local_addr = 2001:db8::2\n",
	  "t.conf:4: key 'remote_addr': address family differs from "
	  "local_addr (line 6)" },
	{ "syntax error", "[global]\nrole client\n",
	  "t.conf:2: syntax error (expected '[section]' or 'key = value')" },
	{ "bad connection name", "[global]\nrole = client\n[connection a/b]\n",
	  "t.conf:3: unknown section [connection a/b]" },
	{ "bad identity", CLIENT_HEAD "local_id = @\n",
	  "t.conf:6: key 'local_id': invalid identity '@'" },
	{ "bad interface name", "[global]\nrole = client\ntun_name = a/b\n",
	  "t.conf:3: key 'tun_name': invalid interface name 'a/b'" },
	{ "line too long",
	  "[global]\nrole = client\nkeylog = /tmp/"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "\n",
	  "t.conf:3: line longer than 197 characters" },
	{ "gateway connections on different ports",
	  GW_HEAD "[connection b]\nlocal_ts = 198.51.100.0/24\n"
		  "psk = 0123456789abcdef0123\nlocal_port = 1500\n",
	  "t.conf:9: key 'local_port': all connections of a gateway must use "
	  "the same port" },
};

static void test_bad_configs_name_key_and_line(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ppvpn_cfg *cfg = calloc(1, sizeof(*cfg));
		char err[PPVPN_ERR_MAX];
		int rc;

		assert_non_null(cfg);
		rc = ppvpn_cfg_load(cfg, "t.conf", bad[i].text, err,
				    sizeof(err));
		if (rc != -EINVAL || strcmp(err, bad[i].err))
			fail_msg("case '%s': rc %d\n  got:  %s\n  want: %s",
				 bad[i].name, rc, err, bad[i].err);
		ppvpn_cfg_free(cfg);
		free(cfg);
	}
	assert_true(sizeof(bad) / sizeof(bad[0]) >= 30);
}

static struct ppvpn_cfg *load_ok(const char *text)
{
	struct ppvpn_cfg *cfg = calloc(1, sizeof(*cfg));
	char err[PPVPN_ERR_MAX];
	int rc;

	assert_non_null(cfg);
	rc = ppvpn_cfg_load(cfg, "t.conf", text, err, sizeof(err));
	if (rc)
		fail_msg("unexpected error: %s", err);
	return cfg;
}

static void put_cfg(struct ppvpn_cfg *cfg)
{
	ppvpn_cfg_free(cfg);
	free(cfg);
}

static void test_minimal_client_defaults(void **state)
{
	struct ppvpn_cfg *cfg = load_ok(CLIENT_HEAD);
	const struct ppvpn_conn_cfg *c = &cfg->conns[0];
	static const uint8_t gw[4] = { 192, 0, 2, 1 };
	struct pp_ike_conn ic;

	(void)state;
	assert_int_equal(cfg->role, PPVPN_ROLE_CLIENT);
	assert_int_equal(cfg->mtu, 1400);
	assert_int_equal(cfg->shutdown_ms, 3000);
	assert_int_equal(cfg->log_level, PP_LOG_NOTICE);
	assert_string_equal(cfg->keylog, "");
	assert_int_equal(cfg->n_conns, 1);
	assert_string_equal(c->name, "home");
	assert_int_equal(c->remote.family, 4);
	assert_memory_equal(c->remote.bytes, gw, 4);
	assert_int_equal(c->psk_len, 20);
	assert_memory_equal(c->psk, "0123456789abcdef0123", 20);
	assert_string_equal(c->ike_proposals, "default");
	assert_true(c->fragmentation);
	assert_false(c->force_encap);

	ppvpn_cfg_to_conn(c, &ic);
	assert_string_equal(ic.name, "home");
	assert_int_equal(ic.local.port, 500);
	assert_int_equal(ic.remote.port, 500);
	assert_int_equal(ic.local_auth.method, PP_IKE_AUTHM_PSK);
	assert_int_equal(ic.local_auth.psk_len, 20);
	assert_ptr_equal(ic.remote_auth.psk, c->psk);
	assert_int_equal(ic.mode, PP_ESP_MODE_TUNNEL);
	assert_true(ic.fragmentation);
	assert_true(ic.initial_contact);
	assert_int_equal(ic.ike_rekey_s, 0);
	put_cfg(cfg);
}

static void test_gateway_pools_durations(void **state)
{
	struct ppvpn_cfg *cfg = load_ok(
		"; a gateway\n"
		"[global]\n"
		"role = gateway\n"
		"log_level = debug\n"
		"keylog = /tmp/keys\n"
		"tun_name = gw0\n"
		"mtu = 1380\n"
		"shutdown_timeout = 2s\n"
		"\n"
		"[connection rw]\n"
		"local_addr = 2001:db8::1   ; inline comment\n"
		"local_ts = 198.51.100.0/24, 2001:db8:2::/64\n"
		"pool4 = 192.0.2.192/26\n"
		"pool6 = 2001:db8:1::/112\n"
		"dns = 192.0.2.53, 2001:db8::53\n"
		"psk = 0x000102030405060708090a0b0c0d0e0f\n"
		"ike_proposals = aes256gcm16-prfsha384-ecp384,"
		"aes128-sha256-x25519\n"
		"esp_proposals = aes128gcm16-x25519-esn,aes256-sha512\n"
		"rekey_time = 1h\n"
		"child_rekey_time = 30m\n"
		"over_time = 2d\n"
		"rand_time = 0\n"
		"dpd_delay = 30\n"
		"esn = yes\n"
		"fragment_size = 1200\n"
		"force_encap = true\n");
	const struct ppvpn_conn_cfg *c = &cfg->conns[0];
	static const uint8_t p4[4] = { 192, 0, 2, 193 };
	static const uint8_t p6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0,
					0,    0,    0,    0,    0, 0, 0, 1 };
	static const uint8_t k[16] = { 0, 1, 2,	 3,  4,	 5,  6,	 7,
				       8, 9, 10, 11, 12, 13, 14, 15 };

	(void)state;
	assert_int_equal(cfg->role, PPVPN_ROLE_GATEWAY);
	assert_int_equal(cfg->log_level, PP_LOG_DEBUG);
	assert_string_equal(cfg->keylog, "/tmp/keys");
	assert_string_equal(cfg->tun_name, "gw0");
	assert_int_equal(cfg->mtu, 1380);
	assert_int_equal(cfg->shutdown_ms, 2000);
	assert_int_equal(c->local.family, 6);
	assert_int_equal(c->n_local_ts, 2);
	assert_int_equal(c->local_ts[1].family, 6);
	assert_memory_equal(c->pool4_start, p4, 4);
	assert_int_equal(c->pool4_size, 62); /* /26 minus network, bcast */
	assert_memory_equal(c->pool6_start, p6, 16);
	assert_int_equal(c->pool6_size, 65535);
	assert_int_equal(c->n_dns4, 1);
	assert_int_equal(c->n_dns6, 1);
	assert_int_equal(c->psk_len, 16);
	assert_memory_equal(c->psk, k, 16);
	assert_int_equal(c->rekey_s, 3600);
	assert_int_equal(c->child_rekey_s, 1800);
	assert_int_equal(c->over_s, 172800);
	assert_true(c->rand_set);
	assert_int_equal(c->rand_s, 0);
	assert_int_equal(c->dpd_s, 30);
	assert_true(c->esn);
	assert_true(c->force_encap);
	assert_int_equal(c->fragment_size, 1200);
	put_cfg(cfg);
}

static void test_client_vip_ids_and_alias_section(void **state)
{
	struct ppvpn_cfg *cfg = load_ok(
		"# client\n"
		"[global]\n"
		"role = client\n"
		"[conn vpn-1]\n"
		"remote_addr = 2001:db8::1\n"
		"remote_port = 1500\n"
		"request_vip = ipv4, ipv6,dns\n"
		"local_id = client@example.com\n"
		"remote_id = @gw.example\n"
		"psk = 0123456789abcdef0123\n"
		"remote_ts = 192.0.2.10-192.0.2.20\n");
	const struct ppvpn_conn_cfg *c = &cfg->conns[0];
	struct pp_ike_conn ic;

	(void)state;
	assert_string_equal(c->name, "vpn-1");
	assert_true(c->request_ip4 && c->request_ip6 && c->request_dns);
	assert_int_equal(c->local_id.type, PP_IKE_IDT_RFC822);
	assert_int_equal(c->local_id.len, 18);
	assert_int_equal(c->remote_id.type, PP_IKE_IDT_FQDN);
	assert_int_equal(c->remote_id.len, 10);
	assert_memory_equal(c->remote_id.data, "gw.example", 10);
	assert_int_equal(c->remote_ts[0].start[3], 10);
	assert_int_equal(c->remote_ts[0].end[3], 20);
	ppvpn_cfg_to_conn(c, &ic);
	assert_int_equal(ic.remote.port, 1500);
	assert_int_equal(ic.remote.family, 6);
	assert_true(ic.request_ip6);
	/* VIPs requested, no local_ts: both families proposed whole */
	assert_int_equal(ic.n_local_ts, 2);
	assert_int_equal(ic.local_ts[0].family, 4);
	assert_int_equal(ic.local_ts[0].end[3], 255);
	assert_int_equal(ic.local_ts[0].port_hi, 65535);
	assert_int_equal(ic.local_ts[1].family, 6);
	assert_int_equal(ic.local_ts[1].end[15], 255);
	put_cfg(cfg);
}

static void test_psk_file_and_pool_range(void **state)
{
	char path[] = "/tmp/ppvpn-psk-XXXXXX";
	char text[512];
	int fd = mkstemp(path);
	struct ppvpn_cfg *cfg;
	const struct ppvpn_conn_cfg *c;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "a-shared-secret-of-32-bytes-long\n", 33),
			 33);
	close(fd);
	snprintf(text, sizeof(text),
		 "[global]\nrole = gateway\n[connection rw]\n"
		 "local_ts = 0.0.0.0/0,::/0\n"
		 "psk_file = %s\n"
		 "pool4 = 192.0.2.10-192.0.2.20\n", path);
	cfg = load_ok(text);
	c = &cfg->conns[0];
	assert_int_equal(c->psk_len, 32); /* newline stripped */
	assert_memory_equal(c->psk, "a-shared-secret-of-32-bytes-long", 32);
	assert_int_equal(c->pool4_start[3], 10);
	assert_int_equal(c->pool4_size, 11);
	assert_int_equal(c->local_ts[0].end[0], 255);
	assert_int_equal(c->local_ts[1].family, 6);
	put_cfg(cfg);
	unlink(path);
}

/* A bare [conn] section is one connection named "conn". */
static void test_bare_conn_section(void **state)
{
	struct ppvpn_cfg *cfg = load_ok("[global]\nrole = client\n[conn]\n"
					"remote_addr = 192.0.2.1\n"
					"psk = 0123456789abcdef0123\n");

	(void)state;
	assert_int_equal(cfg->n_conns, 1);
	assert_string_equal(cfg->conns[0].name, "conn");
	put_cfg(cfg);
}

/* --check-config output is the parsed result, secrets hidden. */
static void test_print_hides_secrets(void **state)
{
	struct ppvpn_cfg *cfg = load_ok(CLIENT_HEAD "rekey_time = 2h\n");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	ppvpn_cfg_print(cfg, f);
	fclose(f);
	assert_non_null(strstr(buf, "[connection home]\n"));
	assert_non_null(strstr(buf, "remote_addr = 192.0.2.1\n"));
	assert_non_null(strstr(buf, "psk = <20 bytes>\n"));
	assert_non_null(strstr(buf, "rekey_time = 7200s\n"));
	assert_null(strstr(buf, "0123456789abcdef"));
	free(buf);
	put_cfg(cfg);
}

struct dur_case {
	const char *in;
	int rc;
	uint32_t out;
};

static void test_duration_units(void **state)
{
	static const struct dur_case t[] = {
		{ "0", 0, 0 },		{ "20s", 0, 20 },
		{ "30m", 0, 1800 },	{ "1h", 0, 3600 },
		{ "2d", 0, 172800 },	{ "4294967295", 0, UINT32_MAX },
		{ "4294967296", -ERANGE, 0 }, { "49711d", -ERANGE, 0 },
		{ "", -EINVAL, 0 },	{ "h", -EINVAL, 0 },
		{ "1.5h", -EINVAL, 0 }, { "-1s", -EINVAL, 0 },
		{ "10 s", -EINVAL, 0 },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint32_t v = 0;
		int rc = ppvpn_parse_duration(t[i].in, &v);

		if (rc != t[i].rc || (!rc && v != t[i].out))
			fail_msg("'%s': rc %d v %u", t[i].in, rc, v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_configs_name_key_and_line),
		cmocka_unit_test(test_minimal_client_defaults),
		cmocka_unit_test(test_gateway_pools_durations),
		cmocka_unit_test(test_client_vip_ids_and_alias_section),
		cmocka_unit_test(test_psk_file_and_pool_range),
		cmocka_unit_test(test_bare_conn_section),
		cmocka_unit_test(test_print_hides_secrets),
		cmocka_unit_test(test_duration_units),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
