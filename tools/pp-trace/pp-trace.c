// SPDX-License-Identifier: BSD-2-Clause
/*
 * pp-trace: look into libparapass record/replay traces
 * (docs/trace-format.md).
 *
 *   pp-trace summary TRACE
 *   pp-trace frames TRACE OUT.pcap [--dir
 * guest-tx|wire-tx|wire-rx|guest-rx|all] pp-trace replay TRACE
 *
 * Exit status: 0 success, 1 replay divergence, 2 usage or input error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "pp_internal.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: pp-trace summary TRACE\n"
		   "       pp-trace frames TRACE OUT.pcap "
		   "[--dir guest-tx|wire-tx|wire-rx|guest-rx|all]\n"
		   "       pp-trace replay TRACE\n");
}

/* Line-by-line reader over a trace; skips comments and blank lines. */
struct reader {
	const char *path;
	FILE *fp;
	char *line;
	size_t cap;
	uint64_t lineno;
	uint64_t lost; /* "# event N lost" comments */
};

static int reader_open(struct reader *r, const char *path)
{
	char magic[16];
	int ver = 0;

	memset(r, 0, sizeof(*r));
	r->path = path;
	r->fp = fopen(path, "r");
	if (r->fp == NULL) {
		fprintf(stderr, "pp-trace: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (getline(&r->line, &r->cap, r->fp) < 0 ||
	    sscanf(r->line, "%15s %d", magic, &ver) != 2 ||
	    strcmp(magic, PP_TRACE_MAGIC) != 0) {
		fprintf(stderr, "pp-trace: %s: not a pp-trace file\n", path);
		return -1;
	}
	if (ver != PP_TRACE_VERSION) {
		fprintf(stderr,
			"pp-trace: %s: format version %d, expected %d\n", path,
			ver, PP_TRACE_VERSION);
		return -1;
	}
	r->lineno = 1;
	return 0;
}

static void reader_close(struct reader *r)
{
	if (r->fp != NULL)
		fclose(r->fp);
	free(r->line);
}

/* 1 = event in @l, 0 = end, -1 = error (reported). */
static int reader_next(struct reader *r, struct pp_tline *l)
{
	for (;;) {
		const char *why = NULL;
		char *s;

		if (getline(&r->line, &r->cap, r->fp) < 0)
			return 0;
		r->lineno++;
		s = r->line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\n' || *s == '\0')
			continue;
		if (*s == '#') {
			if (strstr(s, " lost") != NULL)
				r->lost++;
			continue;
		}
		if (pp_tline_parse(s, true, l, &why) != 0) {
			fprintf(stderr, "pp-trace: %s:%" PRIu64 ": %s\n",
				r->path, r->lineno, why);
			return -1;
		}
		return 1;
	}
}

static const char *str_or(const struct pp_tline *l, const char *k)
{
	const char *s = pp_tline_get(l, k);

	return s != NULL ? s : "?";
}

static uint64_t u64_or0(const struct pp_tline *l, const char *k)
{
	uint64_t v = 0;

	if (pp_tline_u64(l, k, &v) != 0)
		return 0;
	return v;
}

static int cmd_summary(const char *path)
{
	uint64_t kinds[PP_TK__COUNT] = {0}, unknown = 0;
	uint64_t fr[4] = {0}, fb[4] = {0};
	uint64_t events = 0, first = 0, last = 0, t0 = 0, t1 = 0;
	bool have_time = false;
	unsigned int devices = 0;
	struct pp_tline l;
	struct reader r;
	int ret, i;

	if (reader_open(&r, path) != 0) {
		reader_close(&r);
		return 2;
	}
	printf("trace:    %s (format %s %d)\n", path, PP_TRACE_MAGIC,
	       PP_TRACE_VERSION);
	while ((ret = reader_next(&r, &l)) == 1) {
		int k = pp_tk_lookup(l.kind);

		if (events == 0)
			first = l.seq;
		last = l.seq;
		events++;
		if (k < 0) {
			unknown++;
			continue;
		}
		kinds[k]++;
		if (k == PP_TK_CREATE) {
			devices++;
			printf("device:   \"%s\" pci %04" PRIx64 ":%04" PRIx64
			       " subsys %04" PRIx64 ":%04" PRIx64
			       " rev 0x%02" PRIx64 " backend %s filter %s"
			       " n_pkts %" PRIu64 " queue_len %" PRIu64 "\n",
			       str_or(&l, "name"), u64_or0(&l, "vendor"),
			       u64_or0(&l, "device"),
			       u64_or0(&l, "subsys_vendor"),
			       u64_or0(&l, "subsys_device"),
			       u64_or0(&l, "revision"), str_or(&l, "backend"),
			       str_or(&l, "filter"), u64_or0(&l, "n_pkts"),
			       u64_or0(&l, "queue_len"));
		} else if (k == PP_TK_NOW) {
			uint64_t ns;

			if (pp_tline_u64(&l, "ns", &ns) == 0) {
				if (!have_time || ns < t0)
					t0 = ns;
				if (!have_time || ns > t1)
					t1 = ns;
				have_time = true;
			}
		} else if (k == PP_TK_FRAME) {
			int d = pp_fdir_lookup(str_or(&l, "dir"));
			long n = pp_tline_hexlen(&l, "data");

			if (d >= 0) {
				fr[d]++;
				fb[d] += n > 0 ? (uint64_t)n : 0;
			}
		}
	}
	if (ret < 0) {
		reader_close(&r);
		return 2;
	}
	if (devices == 0)
		printf("device:   none\n");
	printf("events:   %" PRIu64, events);
	if (events != 0)
		printf(" (seq %" PRIu64 "..%" PRIu64 ")", first, last);
	if (r.lost != 0)
		printf(", %" PRIu64 " lost while recording", r.lost);
	printf("\n");
	if (have_time)
		printf("duration: %" PRIu64 ".%09" PRIu64 " s (clock %" PRIu64
		       " .. %" PRIu64 " ns)\n",
		       (t1 - t0) / 1000000000u, (t1 - t0) % 1000000000u, t0,
		       t1);
	else
		printf("duration: unknown (no clock reads)\n");
	printf("frames:\n");
	for (i = 0; i < 4; i++)
		printf("  %-9s %8" PRIu64 " frames %10" PRIu64 " bytes\n",
		       pp_fdir_name((enum pp_fdir)i), fr[i], fb[i]);
	printf("events by kind:\n");
	for (i = 0; i < PP_TK__COUNT; i++)
		if (kinds[i] != 0)
			printf("  %-16s %8" PRIu64 "\n",
			       pp_tk_name((enum pp_tk)i), kinds[i]);
	if (unknown != 0)
		printf("  %-16s %8" PRIu64 "\n", "(unknown)", unknown);
	reader_close(&r);
	return 0;
}

static int cmd_frames(const char *path, const char *out, const char *dir)
{
	static uint8_t buf[65536];
	pcap_dumper_t *dump;
	uint64_t now = 0, n = 0;
	struct pp_tline l;
	struct reader r;
	pcap_t *pd;
	int want = -1, ret;

	if (strcmp(dir, "all") != 0) {
		want = pp_fdir_lookup(dir);
		if (want < 0) {
			fprintf(stderr, "pp-trace: unknown direction %s\n",
				dir);
			usage(stderr);
			return 2;
		}
	}
	if (reader_open(&r, path) != 0) {
		reader_close(&r);
		return 2;
	}
	pd = pcap_open_dead(DLT_EN10MB, 65535);
	if (pd == NULL) {
		reader_close(&r);
		return 2;
	}
	dump = pcap_dump_open(pd, out);
	if (dump == NULL) {
		fprintf(stderr, "pp-trace: %s: %s\n", out, pcap_geterr(pd));
		pcap_close(pd);
		reader_close(&r);
		return 2;
	}
	while ((ret = reader_next(&r, &l)) == 1) {
		int k = pp_tk_lookup(l.kind);
		struct pcap_pkthdr h;
		size_t len = 0;
		int d;

		if (k == PP_TK_NOW) {
			pp_tline_u64(&l, "ns", &now);
			continue;
		}
		if (k != PP_TK_FRAME)
			continue;
		d = pp_fdir_lookup(str_or(&l, "dir"));
		if (d < 0 || (want >= 0 && d != want))
			continue;
		if (pp_tline_hex(&l, "data", buf, sizeof(buf), &len) != 0) {
			fprintf(stderr,
				"pp-trace: %s: event %" PRIu64
				": bad frame data\n",
				path, l.seq);
			ret = -1;
			break;
		}
		/* The platform clock as last read before the frame. */
		h.ts.tv_sec = (time_t)(now / 1000000000u);
		h.ts.tv_usec = (suseconds_t)(now % 1000000000u / 1000u);
		h.caplen = h.len = (bpf_u_int32)len;
		pcap_dump((u_char *)dump, &h, buf);
		n++;
	}
	pcap_dump_close(dump);
	pcap_close(pd);
	reader_close(&r);
	if (ret < 0)
		return 2;
	printf("%" PRIu64 " frames (%s) written to %s\n", n, dir, out);
	return 0;
}

static int cmd_replay(const char *path)
{
	struct pp_replay_result res;
	int ret = pp_replay_file(path, NULL, &res);

	if (ret < 0) {
		fprintf(stderr, "pp-trace: replay %s: %s (%s)\n", path,
			res.message[0] ? res.message : "error", strerror(-ret));
		return 2;
	}
	if (ret == 1) {
		printf("DIVERGENCE after %" PRIu64 " events: %s\n", res.events,
		       res.message);
		return 1;
	}
	printf("OK: %" PRIu64 " events replayed, no divergence\n", res.events);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 &&
	    (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "summary") == 0)
		return cmd_summary(argv[2]);
	if (argc == 3 && strcmp(argv[1], "replay") == 0)
		return cmd_replay(argv[2]);
	if (strcmp(argc >= 2 ? argv[1] : "", "frames") == 0) {
		if (argc == 4)
			return cmd_frames(argv[2], argv[3], "all");
		if (argc == 6 && strcmp(argv[4], "--dir") == 0)
			return cmd_frames(argv[2], argv[3], argv[5]);
		if (argc == 5 && strncmp(argv[4], "--dir=", 6) == 0)
			return cmd_frames(argv[2], argv[3], argv[4] + 6);
	}
	usage(stderr);
	return 2;
}
