// SPDX-License-Identifier: BSD-2-Clause
/*
 * libparapass record/replay: record a session with the fake backend,
 * replay it (no divergence), tamper with copies of the trace and check
 * where and how the divergence is reported; malformed traces; pp-trace
 * summary/frames/replay on the recorded trace.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "fake.h"

#define MAX_SENT 16

struct session {
	struct pp_dev_stats st;
	unsigned int n_sent;
	struct fake_frame sent[MAX_SENT];
};

static char tmpdir[64];

static const char *tpath(const char *name)
{
	static char bufs[8][192];
	static unsigned int k;
	char *b = bufs[k++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", tmpdir, name);
	return b;
}

/*
 * A session driven only through entry points and the fake device's
 * registers (nothing reaches into the backend's private state, so a replay
 * sees exactly the same inputs).
 */
static void record_session(const char *path, const struct pp_filter_ops *flt,
			   void *flt_arg, struct session *out)
{
	struct fake_plat *fp = fake_plat_new();
	struct pp_dev_params prm;
	struct pp_trace *tr;
	struct fake_nic *fn;
	struct pp_dev *dev;
	uint8_t f[128];
	unsigned int i;

	assert_int_equal(pp_trace_open_write(path, &tr), 0);
	fake_params(&prm, fp);
	prm.trace = tr;
	prm.filter = flt;
	prm.filter_opaque = flt_arg;
	prm.n_pkts = 32;
	prm.queue_len = 16;
	prm.log_level = PP_LOG_DEBUG;
	fake_dev_reg_set(fp, RD_TXCREDIT, 2); /* the wire takes 2 frames */
	fake_dev_reg_set(fp, RD_DEADLINE, 50000);
	fp->now = 1000;
	assert_int_equal(pp_dev_create(&prm, &dev), 0);
	fn = pp_nic_priv(dev);

	wreg32(dev, FN_RXADDR, 0x10000);
	wreg32(dev, FN_MACLO, 0x33221100);
	wreg32(dev, FN_MACHI, 0x5544);
	fp->now = 2000;
	for (i = 0; i < 3; i++) { /* the third waits for room */
		make_frame(f, 60 + i, TAG_PASS, i);
		assert_int_equal(guest_send(dev, fp, f, 60 + i), 0);
	}
	fp->now = 3000;
	make_frame(f, 100, TAG_PASS, 100);
	wire_receive(dev, fp, f, 100); /* no receive credit yet */
	wreg32(dev, FN_RXCREDIT, 5);
	make_frame(f, 90, TAG_PASS, 101);
	wire_receive(dev, fp, f, 90);
	fp->now = 4000;
	wire_room(dev, fp, 10);
	fake_dev_reg_set(fp, RD_ECHO, 0x77);
	assert_int_equal(reg32(dev, FN_ECHO), 0x77);
	pp_dev_pci_command(dev, 0x0007);
	{
		uint32_t v;

		assert_int_equal(pp_dev_access(dev, 0, FN_REFUSE, 4, false, &v),
				 -EINVAL);
	}
	/* The guest points at memory it does not have. */
	wreg32(dev, FN_TXADDR, FAKE_RAM_SIZE - 8);
	wreg32(dev, FN_TXLEN, 64);
	wreg32(dev, FN_TXGO, 1);
	fp->now = 60000;
	pp_dev_timer(dev); /* the backend's deadline (50000) passed */
	fp->now = 70000;
	pp_dev_timer(dev); /* early: nothing due */
	make_frame(f, 70, TAG_PASS, 3);
	guest_send(dev, fp, f, 70);

	pp_dev_get_stats(dev, &out->st);
	out->n_sent = fn->n_sent < MAX_SENT ? fn->n_sent : MAX_SENT;
	memcpy(out->sent, fn->sent, out->n_sent * sizeof(out->sent[0]));
	pp_dev_destroy(dev);
	pp_trace_close(tr);
	assert_int_equal(fp->dma_live, 0);
	fake_plat_free(fp);
}

/* The trace as lines (without newlines). */
struct lines {
	char **l;
	size_t n;
};

static struct lines read_lines(const char *path)
{
	struct lines ls = {NULL, 0};
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	assert_non_null(f);
	while ((n = getline(&line, &cap, f)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		ls.l = realloc(ls.l, (ls.n + 1) * sizeof(*ls.l));
		assert_non_null(ls.l);
		ls.l[ls.n] = strdup(line);
		assert_non_null(ls.l[ls.n]);
		ls.n++;
	}
	free(line);
	fclose(f);
	return ls;
}

static void write_lines(const char *path, const struct lines *ls)
{
	FILE *f = fopen(path, "w");
	size_t i;

	assert_non_null(f);
	for (i = 0; i < ls->n; i++)
		if (ls->l[i] != NULL)
			fprintf(f, "%s\n", ls->l[i]);
	fclose(f);
}

static void free_lines(struct lines *ls)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		free(ls->l[i]);
	free(ls->l);
}

/* Index of the first event line of @kind containing @needle (or -1). */
static long find_event(const struct lines *ls, const char *kind,
		       const char *needle, size_t from)
{
	char k[64];
	size_t i;

	snprintf(k, sizeof(k), " %s", kind);
	for (i = from; i < ls->n; i++) {
		const char *sp;

		if (ls->l[i] == NULL)
			continue;
		sp = strchr(ls->l[i], ' ');
		if (sp == NULL || strncmp(sp, k, strlen(k)) != 0 ||
		    (sp[strlen(k)] != ' ' && sp[strlen(k)] != '\0'))
			continue;
		if (needle == NULL || strstr(ls->l[i], needle) != NULL)
			return (long)i;
	}
	return -1;
}

static uint64_t seq_of(const struct lines *ls, long i)
{
	return strtoull(ls->l[i], NULL, 10);
}

/* Replace the first @from in line @i with @to. */
static void edit(struct lines *ls, long i, const char *from, const char *to)
{
	char *p = strstr(ls->l[i], from), *n;
	size_t a, b, c;

	assert_non_null(p);
	a = (size_t)(p - ls->l[i]);
	b = strlen(from);
	c = strlen(to);
	n = malloc(strlen(ls->l[i]) - b + c + 1);
	assert_non_null(n);
	memcpy(n, ls->l[i], a);
	memcpy(n + a, to, c);
	strcpy(n + a + c, p + b);
	free(ls->l[i]);
	ls->l[i] = n;
}

/* Flip one hex digit of field @key's value at byte @byte. */
static void flip_hex(struct lines *ls, long i, const char *key, size_t byte)
{
	char k[32];
	char *p;

	snprintf(k, sizeof(k), " %s=", key);
	p = strstr(ls->l[i], k);
	assert_non_null(p);
	p += strlen(k) + 2 * byte;
	assert_true(*p != '\0' && *p != ' ');
	*p = *p == '0' ? '1' : '0';
}

static int setup_group(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pp-core-trace-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	fake_nic_attach_result = 0;
	return 0;
}

static int teardown_group(void **state)
{
	char cmd[128];

	(void)state;
	if (getenv("PP_KEEP_TMP") == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */

static void test_trace_format_lines(void **state)
{
	static const char *const kinds[] = {
		"create",	"access",	   "return",
		"interrupt",	"timer",	   "pci_command",
		"destroy",	"guest_read",	   "guest_write",
		"dev_read",	"dev_write",	   "pci_read",
		"pci_write",	"dma_alloc",	   "dma_free",
		"sync_for_cpu", "sync_for_device", "irq_set",
		"now",		"timer_set",	   "log",
		"frame",
	};
	struct session s;
	struct lines ls;
	size_t i;
	long j;

	(void)state;
	record_session(tpath("fmt.trace"), NULL, NULL, &s);
	ls = read_lines(tpath("fmt.trace"));
	assert_true(ls.n > 50);
	assert_string_equal(ls.l[0], "pp-trace 1");
	for (i = 1; i < ls.n; i++)
		if (seq_of(&ls, (long)i) != i)
			fail_msg("line %zu: sequence %llu", i,
				 (unsigned long long)seq_of(&ls, (long)i));
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (find_event(&ls, kinds[i], NULL, 1) < 0)
			fail_msg("no %s event in the trace", kinds[i]);
	assert_true(strstr(ls.l[1], " create name=\"fake0\" vendor=0xfa4e "
				    "device=0x1") != NULL);
	assert_non_null(strstr(ls.l[1], "backend=\"fakenic\" filter=\"pass\" "
					"n_pkts=32 queue_len=16"));
	/* What the device wrote is in the trace (wire frame 100). */
	j = find_event(&ls, "sync_for_cpu", "len=100", 1);
	assert_true(j > 0);
	assert_non_null(strstr(ls.l[j], "data=02000000000102000000000288b550"));
	/* The guest fault: the platform said -EFAULT, nothing copied. */
	assert_true(find_event(&ls, "guest_read", "ret=-14", 1) > 0);
	/* Frames, each way. */
	assert_true(find_event(&ls, "frame", "dir=guest-tx len=60", 1) > 0);
	assert_true(find_event(&ls, "frame", "dir=wire-rx len=100", 1) > 0);
	assert_true(find_event(&ls, "frame", "dir=guest-rx len=90", 1) > 0);
	assert_true(find_event(&ls, "frame", "dir=wire-tx len=62", 1) > 0);
	/* Read results are in the return line. */
	j = find_event(&ls, "dev_read", "off=0x20", 1);
	assert_true(j > 0);
	assert_non_null(strstr(ls.l[j + 1], "return ret=0 val=0x77"));
	free_lines(&ls);
	assert_int_equal(s.st.guest_faults, 1);
	assert_int_equal(s.st.wire_tx_frames, 4);
}

static void test_replay_roundtrip_no_divergence(void **state)
{
	struct pp_replay_result res;
	struct session s;
	struct lines ls;
	size_t i, events = 0;

	(void)state;
	record_session(tpath("rt.trace"), NULL, NULL, &s);
	ls = read_lines(tpath("rt.trace"));
	for (i = 1; i < ls.n; i++)
		events++;
	free_lines(&ls);
	assert_int_equal(pp_replay_file(tpath("rt.trace"), &fake_nic_ops, &res),
			 0);
	if (res.divergence != 0)
		fail_msg("%s", res.message);
	assert_int_equal(res.events, events);
	assert_string_equal(res.message, "");
}

static void test_replay_roundtrip_capture_filter(void **state)
{
	struct pp_capture_params cp = {0};
	struct pp_replay_result res;
	struct session s;

	(void)state;
	cp.guest_pcap = tpath("rt-g.pcap");
	cp.wire_pcap = tpath("rt-w.pcap");
	record_session(tpath("cap.trace"), &pp_filter_capture, &cp, &s);
	assert_int_equal(
		pp_replay_file(tpath("cap.trace"), &fake_nic_ops, &res), 0);
	if (res.divergence != 0)
		fail_msg("%s", res.message);
}

struct tamper_case {
	const char *what;
	const char *kind, *needle; /* the event tampered with */
	const char *from, *to;	   /* an edit, or NULL: */
	long flip_byte;		   /* flip data at byte (or -1) */
	bool delete_line;
	const char *div_kind; /* where the divergence shows: NULL = the
			       * tampered event itself */
	const char *div_needle;
	const char *msg1, *msg2; /* expected in the message */
};

static const struct tamper_case tampers[] = {
	/* A value the SDK wrote to the device. */
	{"doorbell value", "dev_write", "off=0x10 width=4 val=0x3d", "val=0x3d",
	 "val=0x3e", -1, false, NULL, NULL,
	 "dev_write: val expected 0x3e, got 0x3d", "before it: #"},
	/* A frame on its way to the wire. */
	{"wire frame byte", "frame", "dir=wire-tx len=61", NULL, NULL, 20,
	 false, NULL, NULL, "frame: data differs at byte 20", "recorded:"},
	/* An input argument of a platform call. */
	{"guest read address", "guest_read", "ret=0", "gpa=0x1000",
	 "gpa=0x2000", -1, false, NULL, NULL,
	 "guest_read: gpa expected 0x2000, got 0x1000", NULL},
	/* A recorded output: the register value read; the guest then sees
	 * the recorded value change in the access's return. */
	{"register value read", "dev_read", "off=0x20", "val=0x77", "val=0x78",
	 -1, false, "return", "val=0x77", "return: val expected 0x77, got 0x78",
	 NULL},
	/* What the device DMA'd: the frame from the wire changes. */
	{"received frame content", "sync_for_cpu", "len=90", NULL, NULL, 30,
	 false, "frame", "dir=wire-rx len=90", "data differs at byte 30", NULL},
	/* A missing interrupt-line call. */
	{"deleted irq_set", "irq_set", NULL, NULL, NULL, -1, true, NULL, NULL,
	 "got irq_set level=1", "expected"},
};

static void test_replay_tampered_reports_divergence(void **state)
{
	struct pp_replay_result res;
	struct session s;
	size_t t;

	(void)state;
	record_session(tpath("base.trace"), NULL, NULL, &s);
	for (t = 0; t < sizeof(tampers) / sizeof(tampers[0]); t++) {
		const struct tamper_case *tc = &tampers[t];
		struct lines ls = read_lines(tpath("base.trace"));
		long i = find_event(&ls, tc->kind, tc->needle, 1), d;
		uint64_t want;
		char prefix[32];

		if (i < 0)
			fail_msg("%s: event not found", tc->what);
		if (tc->from != NULL)
			edit(&ls, i, tc->from, tc->to);
		if (tc->flip_byte >= 0)
			flip_hex(&ls, i, "data", (size_t)tc->flip_byte);
		want = seq_of(&ls, i);
		if (tc->delete_line) {
			free(ls.l[i]);
			ls.l[i] = NULL;
			want = seq_of(&ls, i + 1);
		}
		if (tc->div_kind != NULL) {
			d = find_event(&ls, tc->div_kind, tc->div_needle,
				       (size_t)i + 1);
			assert_true(d > i);
			want = seq_of(&ls, d);
		}
		write_lines(tpath("tampered.trace"), &ls);
		free_lines(&ls);

		memset(&res, 0, sizeof(res));
		if (pp_replay_file(tpath("tampered.trace"), &fake_nic_ops,
				   &res) != 1)
			fail_msg("%s: no divergence reported", tc->what);
		if (res.divergence != want)
			fail_msg("%s: divergence at %llu, expected %llu: %s",
				 tc->what, (unsigned long long)res.divergence,
				 (unsigned long long)want, res.message);
		print_message("%s -> %s\n", tc->what, res.message);
		snprintf(prefix, sizeof(prefix),
			 "event %llu: ", (unsigned long long)want);
		if (strncmp(res.message, prefix, strlen(prefix)) != 0 ||
		    strstr(res.message, tc->msg1) == NULL ||
		    (tc->msg2 != NULL && strstr(res.message, tc->msg2) == NULL))
			fail_msg("%s: message: %s", tc->what, res.message);
		/* Everything before the divergence was consumed. */
		assert_int_equal(res.events,
				 tc->delete_line ? want - 2 : want - 1);
	}
}

static void test_replay_truncated_trace(void **state)
{
	struct pp_replay_result res;
	struct session s;
	struct lines ls;
	long i;

	(void)state;
	record_session(tpath("trunc-src.trace"), NULL, NULL, &s);
	ls = read_lines(tpath("trunc-src.trace"));
	/* Cut right after the first wire-rx frame (mid interrupt). */
	i = find_event(&ls, "frame", "dir=wire-rx", 1);
	assert_true(i > 0);
	while ((size_t)(i + 1) < ls.n) {
		free(ls.l[ls.n - 1]);
		ls.n--;
	}
	write_lines(tpath("trunc.trace"), &ls);
	assert_int_equal(
		pp_replay_file(tpath("trunc.trace"), &fake_nic_ops, &res), 1);
	assert_int_equal(res.divergence, seq_of(&ls, i) + 1);
	assert_non_null(strstr(res.message, "the trace ended"));
	free_lines(&ls);
}

static void test_replay_errors(void **state)
{
	struct pp_replay_result res;
	struct test_filter tf = {0};
	struct session s;
	struct lines ls;
	FILE *f;

	(void)state;
	assert_int_equal(
		pp_replay_file(tpath("missing.trace"), &fake_nic_ops, &res),
		-ENOENT);
	assert_int_equal(pp_replay_file(NULL, NULL, &res), -EINVAL);
	assert_int_equal(pp_replay_file(tpath("x"), NULL, NULL), -EINVAL);

	f = fopen(tpath("bad.trace"), "w");
	assert_non_null(f);
	fputs("not a trace\n", f);
	fclose(f);
	assert_int_equal(pp_replay_file(tpath("bad.trace"), NULL, &res),
			 -EINVAL);
	assert_non_null(strstr(res.message, "not a pp-trace file"));

	record_session(tpath("ok.trace"), NULL, NULL, &s);
	ls = read_lines(tpath("ok.trace"));
	edit(&ls, 5, " ", " garbage\"here ");
	write_lines(tpath("bad2.trace"), &ls);
	free_lines(&ls);
	assert_int_equal(
		pp_replay_file(tpath("bad2.trace"), &fake_nic_ops, &res),
		-EINVAL);
	assert_non_null(strstr(res.message, "trace line 6"));

	/* The built-in table has no fake NIC: the create cannot happen. */
	assert_int_equal(pp_replay_file(tpath("ok.trace"), NULL, &res), 1);
	assert_int_equal(res.divergence, 1);
	assert_non_null(strstr(res.message, "failed with -19"));
	assert_int_equal(res.events, 0);

	/* A filter replay does not have. */
	record_session(tpath("tf.trace"), &test_filter_ops, &tf, &s);
	assert_int_equal(pp_replay_file(tpath("tf.trace"), &fake_nic_ops, &res),
			 -ENOTSUP);
	assert_non_null(strstr(res.message, "testfilt"));
}

/*
 * Every line cut short or with one character changed: replay must end
 * cleanly (any result) — the trace is input like any other (run under
 * ASan/UBSan in CI).
 */
static void test_replay_survives_mutations(void **state)
{
	static const char subst[] = {'9', 'z', '"', ' ', '=', '\\'};
	struct pp_replay_result res;
	struct session s;
	struct lines ls;
	size_t i, k, n, outcomes[3] = {0};

	(void)state;
	record_session(tpath("mut-src.trace"), NULL, NULL, &s);
	ls = read_lines(tpath("mut-src.trace"));
	for (i = 0; i < ls.n; i++) {
		char *orig = ls.l[i];
		size_t len = strlen(orig);

		for (k = 0; k < 4; k++) {
			char *m = strdup(orig);
			int r;

			assert_non_null(m);
			n = (len * (k + 1)) / 5;
			if (k % 2 == 0)
				m[n] = '\0';
			else
				m[n] = subst[(i + k) % sizeof(subst)];
			ls.l[i] = m;
			write_lines(tpath("mut.trace"), &ls);
			ls.l[i] = orig;
			free(m);
			r = pp_replay_file(tpath("mut.trace"), &fake_nic_ops,
					   &res);
			assert_true(r == 0 || r == 1 || r == -EINVAL);
			assert_true(strlen(res.message) < sizeof(res.message));
			outcomes[r < 0 ? 2 : r]++;
		}
	}
	free_lines(&ls);
	/* Most mutations are caught one way or the other. */
	assert_true(outcomes[1] + outcomes[2] > outcomes[0]);
}

/* ---------------------------------------------------------------------- */
/* pp-trace                                                               */
/* ---------------------------------------------------------------------- */

static const char *pp_trace_bin(void)
{
	const char *b = getenv("PP_TRACE_BIN");

	return b != NULL && *b != '\0' ? b : NULL;
}

/* Run a command; its stdout goes to @out; returns the exit status. */
static int run(char *out, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int run(char *out, size_t n, const char *fmt, ...)
{
	char cmd[1024];
	size_t used = 0;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	assert_non_null(p);
	out[0] = '\0';
	while (used + 1 < n) {
		size_t r = fread(out + used, 1, n - 1 - used, p);

		if (r == 0)
			break;
		used += r;
	}
	out[used] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static uint64_t summary_frames(const char *out, const char *dir)
{
	char pat[32];
	const char *p;
	unsigned long long n = 0;

	snprintf(pat, sizeof(pat), "\n  %s ", dir);
	p = strstr(out, pat);
	if (p == NULL || sscanf(p + strlen(pat), "%llu frames", &n) != 1)
		fail_msg("no frame count for %s in:\n%s", dir, out);
	return n;
}

static unsigned int pcap_frames(const char *path, const struct session *s)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned int n = 0;
	long last_us = 0;
	pcap_t *p = pcap_open_offline(path, err);

	if (p == NULL)
		fail_msg("%s: %s", path, err);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	while (pcap_next_ex(p, &h, &d) == 1) {
		if (s != NULL) {
			assert_true(n < s->n_sent);
			assert_int_equal(h->caplen, s->sent[n].len);
			assert_memory_equal(d, s->sent[n].data, h->caplen);
		}
		/* The clock as last read: never going back. */
		assert_true(h->ts.tv_usec >= last_us);
		last_us = h->ts.tv_usec;
		n++;
	}
	pcap_close(p);
	return n;
}

static void test_pp_trace_summary_frames_replay(void **state)
{
	const char *bin = pp_trace_bin();
	static char out[8192];
	struct session s;
	unsigned int n;

	(void)state;
	if (bin == NULL)
		skip();
	record_session(tpath("tool.trace"), NULL, NULL, &s);

	assert_int_equal(run(out, sizeof(out), "'%s' summary '%s'", bin,
			     tpath("tool.trace")),
			 0);
	assert_non_null(strstr(out, "device:   \"fake0\" pci fa4e:0001"));
	assert_non_null(strstr(out, "backend fakenic filter pass n_pkts 32"));
	assert_non_null(strstr(
		out, "duration: 0.000010000 s (clock 60000 .. 70000 ns)"));
	assert_non_null(strstr(out, "events by kind:"));
	assert_int_equal(summary_frames(out, "guest-tx"), s.st.guest_tx_frames);
	assert_int_equal(summary_frames(out, "wire-tx"), s.st.wire_tx_frames);
	assert_int_equal(summary_frames(out, "wire-rx"), s.st.wire_rx_frames);
	assert_int_equal(summary_frames(out, "guest-rx"), s.st.guest_rx_frames);

	assert_int_equal(run(out, sizeof(out),
			     "'%s' frames '%s' '%s' --dir "
			     "wire-tx",
			     bin, tpath("tool.trace"), tpath("wtx.pcap")),
			 0);
	n = pcap_frames(tpath("wtx.pcap"), &s);
	assert_int_equal(n, s.st.wire_tx_frames);
	assert_int_equal(run(out, sizeof(out), "'%s' frames '%s' '%s'", bin,
			     tpath("tool.trace"), tpath("all.pcap")),
			 0);
	assert_int_equal(pcap_frames(tpath("all.pcap"), NULL),
			 s.st.guest_tx_frames + s.st.wire_tx_frames +
				 s.st.wire_rx_frames + s.st.guest_rx_frames);

	/* Usage and input errors: exit 2. */
	assert_int_equal(run(out, sizeof(out),
			     "'%s' frames '%s' '%s' --dir "
			     "sideways 2>/dev/null",
			     bin, tpath("tool.trace"), tpath("x.pcap")),
			 2);
	assert_int_equal(run(out, sizeof(out), "'%s' summary '%s' 2>/dev/null",
			     bin, tpath("missing.trace")),
			 2);
	assert_int_equal(run(out, sizeof(out), "'%s' 2>/dev/null", bin), 2);
	/* Replay through the built-in table: no backend for the fake NIC,
	 * so a divergence at the create event, exit 1. */
	assert_int_equal(run(out, sizeof(out), "'%s' replay '%s'", bin,
			     tpath("tool.trace")),
			 1);
	assert_non_null(strstr(out, "DIVERGENCE"));
	assert_non_null(strstr(out, "event 1:"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_format_lines),
		cmocka_unit_test(test_replay_roundtrip_no_divergence),
		cmocka_unit_test(test_replay_roundtrip_capture_filter),
		cmocka_unit_test(test_replay_tampered_reports_divergence),
		cmocka_unit_test(test_replay_truncated_trace),
		cmocka_unit_test(test_replay_errors),
		cmocka_unit_test(test_replay_survives_mutations),
		cmocka_unit_test(test_pp_trace_summary_frames_replay),
	};

	return cmocka_run_group_tests_name("core_trace", tests, setup_group,
					   teardown_group);
}
