/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Replays recorded traces (fixtures/NAME.trace, recorded on the e100 hardware
 * bench with tests/e100/e100-record) through a fresh device with the
 * built-in backend: any change of backend or core behaviour shows as a
 * divergence, reported with its context.
 *
 *   test_replay TRACE...            every trace must replay cleanly
 *   test_replay --mutate TRACE      a copy with one recorded result
 *                                   changed must diverge (self-check)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <parapass/pp.h>

static int replay(const char *path, bool expect_divergence)
{
	struct pp_replay_result res;
	int r;

	memset(&res, 0, sizeof(res));
	r = pp_replay_file(path, NULL, &res);
	printf("%s: %s, %llu events", path,
	       r == 0	? "replayed"
	       : r == 1 ? "DIVERGED"
			: strerror(-r),
	       (unsigned long long)res.events);
	if (r == 1)
		printf(", first divergence at event %llu",
		       (unsigned long long)res.divergence);
	printf("\n");
	if (res.message[0])
		printf("%s\n", res.message);
	if (expect_divergence)
		return r == 1 ? 0 : 1;
	return r == 0 ? 0 : 1;
}

/* Copy @path, changing the value of the first "return ... val=" line. */
static int mutate(const char *path, char *out, size_t cap)
{
	FILE *in = fopen(path, "r"), *o;
	char *line = NULL;
	size_t lcap = 0;
	bool done = false;
	int fd;

	snprintf(out, cap, "/tmp/pp-replay-mutant.XXXXXX");
	fd = mkstemp(out);
	if (!in || fd < 0) {
		if (in)
			fclose(in);
		return -1;
	}
	o = fdopen(fd, "w");
	while (getline(&line, &lcap, in) > 0) {
		char *v = strstr(line, " return ret=0 val=0x");

		if (!done && v) {
			char *hex = v + strlen(" return ret=0 val=0x");
			unsigned long x = strtoul(hex, NULL, 16);

			*hex = '\0';
			fprintf(o, "%s%lx\n", line, x ^ 0x5au);
			done = true;
			continue;
		}
		fputs(line, o);
	}
	free(line);
	fclose(in);
	fclose(o);
	return done ? 0 : -1;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc == 3 && !strcmp(argv[1], "--mutate")) {
		char tmp[64];

		if (mutate(argv[2], tmp, sizeof(tmp)) < 0) {
			fprintf(stderr, "cannot mutate %s\n", argv[2]);
			return 1;
		}
		rc = replay(tmp, true);
		unlink(tmp);
		return rc;
	}
	if (argc < 2) {
		fprintf(stderr,
			"usage: test_replay TRACE... | --mutate TRACE\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		rc |= replay(argv[i], false);
	return rc;
}
