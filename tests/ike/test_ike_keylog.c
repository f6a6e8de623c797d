/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tests of libike/ike_keylog.h: Wireshark 4.0 UAT lines.
 *
 * Golden lines: the esp_sa and ikev2_decryption_table records of
 * ipsec-facts §6.3 and §8, which tshark 4.0.17 accepted and decrypted
 * with (AES-CBC + HMAC-SHA-256-128 ESP, AES-GCM-16 ESP with the salt
 * appended to the key and "NULL" authentication, IKEv2 AES-CBC-256 +
 * HMAC_SHA2_256_128, IKEv2 AES-GCM-256 with SK_a* empty). The GCM ESP key
 * is the draft-mcgrew-gcm-test key/salt used there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike_keylog.h"

/* cmocka's headers need these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static void seq(uint8_t *p, size_t n, uint8_t from)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(from + i);
}

static void v4(struct pp_ike_addr *a, uint8_t a0, uint8_t a1, uint8_t a2,
	       uint8_t a3)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->bytes[0] = a0;
	a->bytes[1] = a1;
	a->bytes[2] = a2;
	a->bytes[3] = a3;
	a->port = 4500;
}

static void cbc_child(struct pp_ike_child *c)
{
	memset(c, 0, sizeof(*c));
	c->cipher = PP_ESP_CIPHER_AES_CBC;
	c->integ = PP_ESP_INTEG_HMAC_SHA256_128;
	c->key_len = 16;
	c->integ_len = 32;
	c->spi_out = 0x11223344;
	c->spi_in = 0xc0ffee01;
	seq(c->key_out, 16, 0x00);
	for (int i = 0; i < 16; i++)
		c->key_out[i] = (uint8_t)(i * 0x11);
	seq(c->integ_out, 32, 0x00);
	seq(c->key_in, 16, 0xa0);
	seq(c->integ_in, 32, 0xb0);
	v4(&c->local, 10, 0, 0, 1);
	v4(&c->remote, 10, 0, 0, 2);
}

static void test_esp_sa_cbc_golden(void **state)
{
	struct pp_ike_child c;
	char buf[512];
	int n;

	(void)state;
	cbc_child(&c);
	/* ipsec-facts §6.3, first esp_sa record (outbound 10.0.0.1 ->
	 * 10.0.0.2) */
	n = ike_keylog_esp_sa(&c, false, buf, sizeof(buf));
	assert_string_equal(buf,
		"\"IPv4\",\"10.0.0.1\",\"10.0.0.2\",\"0x11223344\","
		"\"AES-CBC [RFC3602]\","
		"\"0x00112233445566778899aabbccddeeff\","
		"\"HMAC-SHA-256-128 [RFC4868]\","
		"\"0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b"
		"1c1d1e1f\"");
	assert_int_equal(n, (int)strlen(buf));
	/* inbound: peer -> us, the other SPI and keys */
	n = ike_keylog_esp_sa(&c, true, buf, sizeof(buf));
	assert_string_equal(buf,
		"\"IPv4\",\"10.0.0.2\",\"10.0.0.1\",\"0xc0ffee01\","
		"\"AES-CBC [RFC3602]\","
		"\"0xa0a1a2a3a4a5a6a7a8a9aaabacadaeaf\","
		"\"HMAC-SHA-256-128 [RFC4868]\","
		"\"0xb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacb"
		"cccdcecf\"");
	assert_int_equal(n, (int)strlen(buf));
}

static void test_esp_sa_gcm_golden(void **state)
{
	static const uint8_t key[20] = {
		0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a,
		0x8f, 0x94, 0x67, 0x30, 0x83, 0x08, 0xca, 0xfe, 0xba, 0xbe,
	};
	struct pp_ike_child c;
	char buf[512];
	int n;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.cipher = PP_ESP_CIPHER_AES_GCM_16;
	c.integ = PP_ESP_INTEG_NONE;
	c.key_len = 20; /* 16-byte key + 4-byte salt */
	c.spi_in = 0x55667788;
	memcpy(c.key_in, key, 20);
	v4(&c.local, 10, 0, 0, 1);
	v4(&c.remote, 10, 0, 0, 2);
	c.udp_encap = true;
	/* ipsec-facts §6.3, second record, with the addresses filled in */
	n = ike_keylog_esp_sa(&c, true, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf,
		"\"IPv4\",\"10.0.0.2\",\"10.0.0.1\",\"0x55667788\","
		"\"AES-GCM with 16 octet ICV [RFC4106]\","
		"\"0xfeffe9928665731c6d6a8f9467308308cafebabe\","
		"\"NULL\",\"\"");
}

static void test_esp_sa_ipv6_sha512_and_unset(void **state)
{
	struct pp_ike_child c;
	char buf[512];

	(void)state;
	cbc_child(&c);
	c.integ = PP_ESP_INTEG_HMAC_SHA512_256;
	c.integ_len = 64;
	c.key_len = 32;
	seq(c.key_out, 32, 0x00);
	seq(c.integ_out, 64, 0x00);
	c.spi_out = 0x00000100;
	memset(&c.local, 0, sizeof(c.local));
	memset(&c.remote, 0, sizeof(c.remote));
	c.local.family = c.remote.family = 6;
	c.local.bytes[0] = 0x20;
	c.local.bytes[1] = 0x01;
	c.local.bytes[2] = 0x0d;
	c.local.bytes[3] = 0xb8;
	c.local.bytes[15] = 1;
	memcpy(c.remote.bytes, c.local.bytes, 16);
	c.remote.bytes[15] = 2;
	assert_true(ike_keylog_esp_sa(&c, false, buf, sizeof(buf)) > 0);
	assert_string_equal(buf,
		"\"IPv6\",\"2001:db8::1\",\"2001:db8::2\",\"0x00000100\","
		"\"AES-CBC [RFC3602]\","
		"\"0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b"
		"1c1d1e1f\",\"HMAC-SHA-512-256 [RFC4868]\","
		"\"0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b"
		"1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a"
		"3b3c3d3e3f\"");
	/* an unset remote (responder accepting any peer) is "*" */
	c.integ = PP_ESP_INTEG_HMAC_SHA384_192;
	c.integ_len = 48;
	c.key_len = 16;
	seq(c.integ_in, 48, 0xb0);
	c.remote.family = 0;
	assert_true(ike_keylog_esp_sa(&c, true, buf, sizeof(buf)) > 0);
	assert_string_equal(buf,
		"\"IPv6\",\"*\",\"2001:db8::1\",\"0xc0ffee01\","
		"\"AES-CBC [RFC3602]\","
		"\"0xa0a1a2a3a4a5a6a7a8a9aaabacadaeaf\","
		"\"HMAC-SHA-384-192 [RFC4868]\","
		"\"0xb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacb"
		"cccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf\"");
}

static void test_esp_sa_refusals(void **state)
{
	struct pp_ike_child c;
	char buf[512], small[40];

	(void)state;
	cbc_child(&c);
	assert_int_equal(ike_keylog_esp_sa(&c, false, small, sizeof(small)),
			 -ENOSPC);
	assert_string_equal(small, "");
	assert_int_equal(ike_keylog_esp_sa(&c, false, small, 0), -ENOSPC);
	/* exactly enough: line + NUL */
	{
		int n = ike_keylog_esp_sa(&c, false, buf, sizeof(buf));
		char *exact = malloc((size_t)n + 1);

		assert_non_null(exact);
		assert_int_equal(ike_keylog_esp_sa(&c, false, exact,
						   (size_t)n + 1), n);
		assert_int_equal(ike_keylog_esp_sa(&c, false, exact,
						   (size_t)n), -ENOSPC);
		free(exact);
	}
	/* Wireshark 4.0 has no ChaCha20-Poly1305 */
	c.cipher = PP_ESP_CIPHER_CHACHA20_POLY1305;
	c.integ = PP_ESP_INTEG_NONE;
	c.integ_len = 0;
	assert_int_equal(ike_keylog_esp_sa(&c, false, buf, sizeof(buf)),
			 -ENOTSUP);
	cbc_child(&c);
	c.key_len = PP_ESP_KEY_MAX + 1;
	assert_int_equal(ike_keylog_esp_sa(&c, false, buf, sizeof(buf)),
			 -EINVAL);
	cbc_child(&c);
	c.key_len = 24; /* AES-192: not in libesp */
	assert_int_equal(ike_keylog_esp_sa(&c, false, buf, sizeof(buf)),
			 -EINVAL);
	cbc_child(&c);
	c.integ_len = 16;
	assert_int_equal(ike_keylog_esp_sa(&c, false, buf, sizeof(buf)),
			 -EINVAL);
	cbc_child(&c);
	c.integ = PP_ESP_INTEG_NONE; /* but an integrity key length */
	assert_int_equal(ike_keylog_esp_sa(&c, false, buf, sizeof(buf)),
			 -EINVAL);
	assert_int_equal(ike_keylog_esp_sa(NULL, false, buf, sizeof(buf)),
			 -EINVAL);
}

static const uint8_t spi_i[8] = { 0x01, 0x23, 0x45, 0x67,
				  0x89, 0xab, 0xcd, 0xef };
static const uint8_t spi_r[8] = { 0xfe, 0xdc, 0xba, 0x98,
				  0x76, 0x54, 0x32, 0x10 };

static void test_ikev2_cbc_golden(void **state)
{
	struct ike_suite s = { IKE_ENCR_AES_CBC, 256,
			       IKE_INTEG_HMAC_SHA2_256_128,
			       IKE_PRF_HMAC_SHA2_256 };
	struct ike_sa_keys k;
	char buf[1024];
	int n;

	(void)state;
	memset(&k, 0, sizeof(k));
	k.encr_len = 32;
	k.integ_len = 32;
	k.prf_len = 32;
	seq(k.sk_ei, 32, 0x20);
	seq(k.sk_er, 32, 0x20);
	seq(k.sk_ai, 32, 0x40);
	seq(k.sk_ar, 32, 0x40);
	/* ipsec-facts §8, the ikev2_decryption_table record */
	n = ike_keylog_ikev2(spi_i, spi_r, &s, &k, buf, sizeof(buf));
	assert_string_equal(buf,
		"0123456789abcdef,fedcba9876543210,"
		"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d"
		"3e3f,"
		"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d"
		"3e3f,\"AES-CBC-256 [RFC3602]\","
		"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d"
		"5e5f,"
		"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d"
		"5e5f,\"HMAC_SHA2_256_128 [RFC4868]\"");
	assert_int_equal(n, (int)strlen(buf));
}

static void test_ikev2_gcm_golden(void **state)
{
	static const uint8_t one[8] = { 0x11, 0x11, 0x11, 0x11,
					0x11, 0x11, 0x11, 0x11 };
	static const uint8_t two[8] = { 0x22, 0x22, 0x22, 0x22,
					0x22, 0x22, 0x22, 0x22 };
	struct ike_suite s = { IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE,
			       IKE_PRF_HMAC_SHA2_256 };
	struct ike_sa_keys k;
	char buf[1024], want[1024], ei[73], er[73];

	(void)state;
	memset(&k, 0, sizeof(k));
	k.encr_len = 36;
	k.prf_len = 32;
	seq(k.sk_ei, 36, 0x00);
	seq(k.sk_er, 36, 0x80);
	for (int i = 0; i < 36; i++) {
		snprintf(ei + 2 * i, 3, "%02x", i);
		snprintf(er + 2 * i, 3, "%02x", 0x80 + i);
	}
	/* ipsec-facts §6.3, second ikev2 record: SK_e with salt, SK_a
	 * empty, "NONE [RFC4306]" */
	snprintf(want, sizeof(want),
		 "1111111111111111,2222222222222222,%s,%s,"
		 "\"AES-GCM-256 with 16 octet ICV [RFC5282]\",,,"
		 "\"NONE [RFC4306]\"", ei, er);
	assert_int_equal(ike_keylog_ikev2(one, two, &s, &k, buf, sizeof(buf)),
			 (int)strlen(want));
	assert_string_equal(buf, want);

	/* AES-GCM-128 label */
	s.encr_bits = 128;
	k.encr_len = 20;
	assert_true(ike_keylog_ikev2(one, two, &s, &k, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf,
			       ",\"AES-GCM-128 with 16 octet ICV [RFC5282]\","));
}

static void test_ikev2_refusals(void **state)
{
	struct ike_suite s = { IKE_ENCR_AES_CBC, 128,
			       IKE_INTEG_HMAC_SHA2_512_256,
			       IKE_PRF_HMAC_SHA2_512 };
	struct ike_sa_keys k;
	char buf[1024], small[64];

	(void)state;
	memset(&k, 0, sizeof(k));
	k.encr_len = 16;
	k.integ_len = 64;
	assert_true(ike_keylog_ikev2(spi_i, spi_r, &s, &k, buf, sizeof(buf)) >
		    0);
	assert_non_null(strstr(buf, "\"AES-CBC-128 [RFC3602]\""));
	assert_non_null(strstr(buf, "\"HMAC_SHA2_512_256 [RFC4868]\""));
	assert_int_equal(ike_keylog_ikev2(spi_i, spi_r, &s, &k, small,
					  sizeof(small)), -ENOSPC);
	assert_string_equal(small, "");
	/* key lengths must fit the algorithm (tshark refuses others) */
	k.encr_len = 32;
	assert_int_equal(ike_keylog_ikev2(spi_i, spi_r, &s, &k, buf,
					  sizeof(buf)), -EINVAL);
	k.encr_len = 16;
	k.integ_len = 32;
	assert_int_equal(ike_keylog_ikev2(spi_i, spi_r, &s, &k, buf,
					  sizeof(buf)), -EINVAL);
	s.encr = IKE_ENCR_CHACHA20_POLY1305;
	s.encr_bits = 0;
	s.integ = IKE_INTEG_NONE;
	assert_int_equal(ike_keylog_ikev2(spi_i, spi_r, &s, &k, buf,
					  sizeof(buf)), -ENOTSUP);
	assert_int_equal(ike_keylog_ikev2(NULL, spi_r, &s, &k, buf,
					  sizeof(buf)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_esp_sa_cbc_golden),
		cmocka_unit_test(test_esp_sa_gcm_golden),
		cmocka_unit_test(test_esp_sa_ipv6_sha512_and_unset),
		cmocka_unit_test(test_esp_sa_refusals),
		cmocka_unit_test(test_ikev2_cbc_golden),
		cmocka_unit_test(test_ikev2_gcm_golden),
		cmocka_unit_test(test_ikev2_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
