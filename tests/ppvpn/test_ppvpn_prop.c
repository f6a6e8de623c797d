// SPDX-License-Identifier: BSD-2-Clause
/*
 * ppvpn validates proposal strings when it reads its configuration (so
 * that `--check-config` names the key and line); libike parses them again
 * in pp_ike_create(). The two must agree: every string of this table is
 * accepted or refused by both ppvpn_check_proposals() and libike's
 * ike_prop_parse() (strongSwan syntax, libike/ike_prop.h).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <parapass/pp_ike_wire.h>

#include "ike_prop.h"
#include "ppvpn.h"

struct prop_case {
	const char *s;
	bool ike;
	bool ok;
};

static const struct prop_case cases[] = {
	{ "default", true, true },
	{ "default", false, true },
	{ "aes128-sha256-modp2048", true, true },
	{ "aes256-sha384-ecp384", true, true },
	{ "aes256gcm16-prfsha384-ecp384", true, true },
	{ "aes128gcm16-prfsha256-x25519", true, true },
	{ "chacha20poly1305-prfsha256-curve25519", true, true },
	{ "aes128-sha256-x25519,aes256gcm16-prfsha384-ecp256", true, true },
	{ "aes128-sha512-prfsha256-ecp256", true, true },
	{ "aes128-sha256", true, false },	  /* no KE */
	{ "aes128-modp2048", true, false },	  /* no integrity */
	{ "sha256-modp2048", true, false },	  /* no cipher */
	{ "aes128-sha256-modp1024", true, false }, /* unsupported */
	{ "3des-sha1-modp2048", true, false },
	{ "aes128-sha256-modp2048-esn", true, false }, /* ESN in IKE */
	{ "aes128-sha256-modp2048,", true, false },
	{ "", true, false },
	{ "aes128gcm16", false, true },
	{ "aes256gcm16-x25519", false, true },
	{ "aes128-sha256", false, true },
	{ "aes256-sha512-modp2048-esn", false, true },
	{ "aes128-sha256-noesn", false, true },
	{ "chacha20poly1305", false, true },
	{ "aes128gcm16,aes256-sha384", false, true },
	{ "aes128", false, false },		/* no integrity */
	{ "sha256", false, false },		/* no cipher */
	{ "aes128gcm16-prfsha256", false, false }, /* PRF in ESP */
	{ "aes128-md5", false, false },
	{ "aes128-sha256,,aes256-sha256", false, false },
	{ "aes128--sha256", false, false },
};

static void test_validator_agrees_with_ike_prop_parse(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct prop_case *c = &cases[i];
		struct ike_sa *sa = calloc(1, sizeof(*sa));
		char why[256] = "", err[256] = "";
		int ours, theirs;

		assert_non_null(sa);
		ours = ppvpn_check_proposals(c->s, c->ike, why, sizeof(why));
		theirs = ike_prop_parse(c->s, c->ike ? PP_IKE_PROTO_IKE
						     : PP_IKE_PROTO_ESP,
					sa, err, sizeof(err));
		free(sa);
		if ((ours == 0) != c->ok || (theirs == 0) != c->ok)
			fail_msg("%s '%s': want %s; ppvpn %d (%s), libike %d "
				 "(%s)", c->ike ? "IKE" : "ESP", c->s,
				 c->ok ? "ok" : "refused", ours, why, theirs,
				 err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validator_agrees_with_ike_prop_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
