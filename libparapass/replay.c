// SPDX-License-Identifier: BSD-2-Clause
/*
 * Replay (docs/trace-format.md): a platform that serves the recorded
 * outputs of every platform call in order and checks its inputs, plus a
 * checker for what the device itself emits (entry points, their return
 * values, frame events). The entry points are driven from the trace. The
 * first mismatch stops the replay and is described in the result.
 *
 * Events are consumed in file order by exactly one of:
 *  - the replay platform (platform-call kinds), when the code calls it;
 *  - the checker (create, access, ..., return, frame), when the device
 *    emits the same event through its check-mode trace;
 *  - the reader itself (log lines: informational, never checked).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pp_internal.h"

#define RP_CTX	       3 /* events shown before a divergence */
#define RP_CTX_LEN     96
#define RP_DMA_MAX_LEN (64u << 20) /* one recorded DMA buffer, at most */

struct rp_dma {
	void *cpu;
	pp_iova_t iova;
	size_t len;
};

struct pp_replay {
	FILE *fp;
	char *line;
	size_t line_cap;
	uint64_t lineno;

	/* The next recorded event (parsed in place in @line). */
	bool have;
	bool eof;
	struct pp_tline ev;
	enum pp_tk evk;

	uint64_t consumed;
	uint64_t last_seq;
	char ctx[RP_CTX][RP_CTX_LEN];
	uint64_t ctx_seq[RP_CTX];
	unsigned int ctx_n;

	bool stopped;  /* divergence or error: nothing is checked any more */
	bool free_run; /* past the end: nothing is checked */
	int err;       /* malformed trace (negative errno) */
	struct pp_replay_result *res;

	struct pp_sbuf act; /* what the code did, being checked */
	struct pp_tline actl;

	struct rp_dma *dma;
	size_t n_dma;
	size_t cap_dma;
	uint64_t last_now;

	struct pp_trace chk;
	struct pp_dev *dev;
};

/* ---------------------------------------------------------------------- */
/* Reporting                                                              */
/* ---------------------------------------------------------------------- */

static void msg_append(struct pp_replay_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void msg_append(struct pp_replay_result *res, const char *fmt, ...)
{
	size_t used = strlen(res->message);
	va_list ap;

	if (used >= sizeof(res->message) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(res->message + used, sizeof(res->message) - used, fmt, ap);
	va_end(ap);
}

static void append_context(struct pp_replay *rp)
{
	unsigned int i, first;

	if (rp->ctx_n == 0)
		return;
	msg_append(rp->res, "; before it:");
	first = rp->ctx_n > RP_CTX ? rp->ctx_n - RP_CTX : 0;
	for (i = first; i < rp->ctx_n; i++)
		msg_append(rp->res, " #%" PRIu64 " %s%s",
			   rp->ctx_seq[i % RP_CTX], rp->ctx[i % RP_CTX],
			   i + 1 < rp->ctx_n ? ";" : "");
}

static void diverge(struct pp_replay *rp, uint64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void diverge(struct pp_replay *rp, uint64_t seq, const char *fmt, ...)
{
	va_list ap;
	size_t used;

	if (rp->stopped)
		return;
	rp->stopped = true;
	rp->res->divergence = seq;
	snprintf(rp->res->message, sizeof(rp->res->message),
		 "event %" PRIu64 ": ", seq);
	used = strlen(rp->res->message);
	va_start(ap, fmt);
	vsnprintf(rp->res->message + used, sizeof(rp->res->message) - used, fmt,
		  ap);
	va_end(ap);
	append_context(rp);
}

static void malformed(struct pp_replay *rp, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void malformed(struct pp_replay *rp, int err, const char *fmt, ...)
{
	va_list ap;

	if (rp->stopped)
		return;
	rp->stopped = true;
	rp->err = err;
	va_start(ap, fmt);
	vsnprintf(rp->res->message, sizeof(rp->res->message), fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------------- */
/* Reading events                                                         */
/* ---------------------------------------------------------------------- */

static void take(struct pp_replay *rp)
{
	unsigned int slot = rp->ctx_n % RP_CTX;

	pp_tline_render(&rp->ev, rp->ctx[slot], RP_CTX_LEN);
	rp->ctx_seq[slot] = rp->ev.seq;
	rp->ctx_n++;
	rp->consumed++;
	rp->last_seq = rp->ev.seq;
	rp->have = false;
}

/* The next recorded event that is not a log line; NULL at end or error. */
static const struct pp_tline *peek(struct pp_replay *rp)
{
	for (;;) {
		const char *why = NULL;
		ssize_t n;
		char *s;
		int k;

		if (rp->have)
			return &rp->ev;
		if (rp->eof || rp->err != 0)
			return NULL;
		n = getline(&rp->line, &rp->line_cap, rp->fp);
		if (n < 0) {
			rp->eof = true;
			return NULL;
		}
		rp->lineno++;
		s = rp->line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '\n' || *s == '#')
			continue;
		if (pp_tline_parse(s, true, &rp->ev, &why) != 0) {
			malformed(rp, -EINVAL, "trace line %" PRIu64 ": %s",
				  rp->lineno, why);
			return NULL;
		}
		k = pp_tk_lookup(rp->ev.kind);
		if (k < 0) {
			malformed(rp, -EINVAL,
				  "trace line %" PRIu64 ": unknown kind %s",
				  rp->lineno, rp->ev.kind);
			return NULL;
		}
		if (rp->ev.seq <= rp->last_seq) {
			malformed(rp, -EINVAL,
				  "trace line %" PRIu64
				  ": sequence number %" PRIu64
				  " not above %" PRIu64,
				  rp->lineno, rp->ev.seq, rp->last_seq);
			return NULL;
		}
		rp->evk = (enum pp_tk)k;
		rp->have = true;
		if (rp->evk == PP_TK_LOG)
			take(rp);
	}
}

static bool is_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* Describe how recorded value @rv and actual @av of @key differ. */
static void describe_field(struct pp_replay *rp, const struct pp_tline *rec,
			   const char *key, const char *rv, const char *av)
{
	char rtxt[160];

	pp_tline_render(rec, rtxt, sizeof(rtxt));
	if (rv == NULL) {
		diverge(rp, rec->seq,
			"%s: field %s is not in the trace; recorded: %s",
			rec->kind, key, rtxt);
	} else if (av == NULL) {
		diverge(rp, rec->seq,
			"%s: field %s=%.40s recorded but not produced; "
			"recorded: %s",
			rec->kind, key, rv, rtxt);
	} else if (strlen(rv) > 24 && is_hex(rv) && is_hex(av)) {
		size_t i = 0;

		while (rv[i] && av[i] && rv[i] == av[i])
			i++;
		i /= 2;
		if (2 * i < strlen(rv) && 2 * i < strlen(av))
			diverge(rp, rec->seq,
				"%s: %s differs at byte %zu: expected "
				"%.2s, got %.2s (%zu vs %zu bytes); "
				"recorded: %s",
				rec->kind, key, i, rv + 2 * i, av + 2 * i,
				strlen(rv) / 2, strlen(av) / 2, rtxt);
		else
			diverge(rp, rec->seq,
				"%s: %s length differs: expected %zu "
				"bytes, got %zu; recorded: %s",
				rec->kind, key, strlen(rv) / 2, strlen(av) / 2,
				rtxt);
	} else {
		diverge(rp, rec->seq,
			"%s: %s expected %.40s, got %.40s; recorded: %s",
			rec->kind, key, rv, av, rtxt);
	}
}

/*
 * Check what the code did (rp->act, an event line without sequence
 * number) against the next recorded event. @all: every recorded field must
 * be produced too (device emissions); otherwise the recorded event may
 * carry more fields (the outputs a platform call returns). Returns the
 * recorded event, consumed, or NULL after a divergence.
 */
static const struct pp_tline *expect(struct pp_replay *rp, bool all)
{
	const struct pp_tline *rec;
	struct pp_tline *act = &rp->actl;
	char atxt[160], rtxt[160];
	unsigned int i;

	if (rp->stopped || rp->free_run)
		return NULL;
	if (rp->act.oom) {
		malformed(rp, -ENOMEM, "replay: out of memory");
		return NULL;
	}
	if (pp_tline_parse(rp->act.p, false, act, NULL) != 0) {
		malformed(rp, -EINVAL, "replay: internal event format error");
		return NULL;
	}
	pp_tline_render(act, atxt, sizeof(atxt));
	rec = peek(rp);
	if (rec == NULL) {
		if (rp->err == 0)
			diverge(rp, rp->last_seq + 1,
				"the trace ended, but the code went on: %s",
				atxt);
		return NULL;
	}
	if (strcmp(rec->kind, act->kind) != 0) {
		pp_tline_render(rec, rtxt, sizeof(rtxt));
		diverge(rp, rec->seq, "expected %s, got %s", rtxt, atxt);
		return NULL;
	}
	for (i = 0; i < act->nf; i++) {
		const char *rv = pp_tline_get(rec, act->key[i]);

		if (rv == NULL || strcmp(rv, act->val[i]) != 0) {
			describe_field(rp, rec, act->key[i], rv, act->val[i]);
			return NULL;
		}
	}
	if (all) {
		for (i = 0; i < rec->nf; i++) {
			if (pp_tline_get(act, rec->key[i]) == NULL) {
				describe_field(rp, rec, rec->key[i],
					       rec->val[i], NULL);
				return NULL;
			}
		}
	}
	take(rp);
	return rec;
}

static struct pp_sbuf *act_begin(struct pp_replay *rp, enum pp_tk k)
{
	pp_sb_reset(&rp->act);
	pp_tev_kind(&rp->act, pp_tk_name(k));
	return &rp->act;
}

static bool out_u64(struct pp_replay *rp, const struct pp_tline *rec,
		    const char *key, uint64_t *v)
{
	if (pp_tline_u64(rec, key, v) == 0)
		return true;
	malformed(rp, -EINVAL, "trace event %" PRIu64 ": %s without a valid %s",
		  rec->seq, rec->kind, key);
	return false;
}

static bool out_int(struct pp_replay *rp, const struct pp_tline *rec,
		    const char *key, int *v)
{
	int64_t x;

	if (pp_tline_i64(rec, key, &x) == 0 && x >= INT32_MIN &&
	    x <= INT32_MAX) {
		*v = (int)x;
		return true;
	}
	malformed(rp, -EINVAL, "trace event %" PRIu64 ": %s without a valid %s",
		  rec->seq, rec->kind, key);
	return false;
}

static bool out_data(struct pp_replay *rp, const struct pp_tline *rec,
		     void *dst, size_t len)
{
	size_t got = 0;

	if (pp_tline_hex(rec, "data", dst, len, &got) == 0 && got == len)
		return true;
	malformed(rp, -EINVAL,
		  "trace event %" PRIu64 ": %s data is not %zu bytes of hex",
		  rec->seq, rec->kind, len);
	return false;
}

/* Called by the check-mode trace for everything the device emits. */
void pp_replay_check_emitted(struct pp_replay *rp, enum pp_tk k,
			     const struct pp_sbuf *ev)
{
	enum pp_tk_class c = pp_tk_class(k);

	if (c == PP_TKC_PLATFORM || c == PP_TKC_NOTE)
		return; /* served (and checked) by the replay platform */
	if (rp->stopped || rp->free_run)
		return;
	pp_sb_reset(&rp->act);
	pp_sb_puts(&rp->act, ev->oom || ev->p == NULL ? "" : ev->p);
	if (ev->oom)
		rp->act.oom = true;
	expect(rp, true);
}

/* ---------------------------------------------------------------------- */
/* The replay platform                                                    */
/* ---------------------------------------------------------------------- */

static int rp_guest_read(void *opaque, pp_gpa_t gpa, void *dst, size_t len)
{
	struct pp_replay *rp = opaque;
	const struct pp_tline *rec;
	struct pp_sbuf *a = act_begin(rp, PP_TK_GUEST_READ);
	int ret;

	pp_tev_x(a, "gpa", gpa);
	pp_tev_u(a, "len", len);
	rec = expect(rp, false);
	if (rec == NULL || !out_int(rp, rec, "ret", &ret))
		return -EFAULT;
	if (ret == 0 && !out_data(rp, rec, dst, len))
		return -EFAULT;
	return ret;
}

static int rp_guest_write(void *opaque, pp_gpa_t gpa, const void *src,
			  size_t len)
{
	struct pp_replay *rp = opaque;
	const struct pp_tline *rec;
	struct pp_sbuf *a = act_begin(rp, PP_TK_GUEST_WRITE);
	int ret;

	pp_tev_x(a, "gpa", gpa);
	pp_tev_u(a, "len", len);
	pp_tev_hex(a, "data", src, len);
	rec = expect(rp, false);
	if (rec == NULL || !out_int(rp, rec, "ret", &ret))
		return -EFAULT;
	return ret;
}

static uint32_t rp_dev_read(void *opaque, unsigned int bar, uint32_t off,
			    unsigned int width)
{
	struct pp_replay *rp = opaque;
	const struct pp_tline *rec;
	struct pp_sbuf *a = act_begin(rp, PP_TK_DEV_READ);
	uint64_t v;

	pp_tev_u(a, "bar", bar);
	pp_tev_x(a, "off", off);
	pp_tev_u(a, "width", width);
	rec = expect(rp, false);
	if (rec == NULL || !out_u64(rp, rec, "val", &v))
		return 0xffffffffu;
	return (uint32_t)v;
}

static void rp_dev_write(void *opaque, unsigned int bar, uint32_t off,
			 unsigned int width, uint32_t val)
{
	struct pp_replay *rp = opaque;
	struct pp_sbuf *a = act_begin(rp, PP_TK_DEV_WRITE);

	pp_tev_u(a, "bar", bar);
	pp_tev_x(a, "off", off);
	pp_tev_u(a, "width", width);
	pp_tev_x(a, "val", val);
	expect(rp, false);
}

static int rp_pci_read(void *opaque, unsigned int off, unsigned int width,
		       uint32_t *val)
{
	struct pp_replay *rp = opaque;
	const struct pp_tline *rec;
	struct pp_sbuf *a = act_begin(rp, PP_TK_PCI_READ);
	uint64_t v;
	int ret;

	pp_tev_x(a, "off", off);
	pp_tev_u(a, "width", width);
	*val = 0xffffffffu;
	rec = expect(rp, false);
	if (rec == NULL || !out_int(rp, rec, "ret", &ret) ||
	    !out_u64(rp, rec, "val", &v))
		return -EIO;
	*val = (uint32_t)v;
	return ret;
}

static int rp_pci_write(void *opaque, unsigned int off, unsigned int width,
			uint32_t val)
{
	struct pp_replay *rp = opaque;
	const struct pp_tline *rec;
	struct pp_sbuf *a = act_begin(rp, PP_TK_PCI_WRITE);
	int ret;

	pp_tev_x(a, "off", off);
	pp_tev_u(a, "width", width);
	pp_tev_x(a, "val", val);
	rec = expect(rp, false);
	if (rec == NULL || !out_int(rp, rec, "ret", &ret))
		return -EIO;
	return ret;
}

static int rp_dma_alloc(void *opaque, size_t len, size_t align,
			struct pp_dma_buf *out)
{
	struct pp_replay *rp = opaque;
	const struct pp_tline *rec;
	struct pp_sbuf *a = act_begin(rp, PP_TK_DMA_ALLOC);
	uint64_t iova, blen;
	void *cpu = NULL;
	int ret;

	pp_tev_u(a, "len", len);
	pp_tev_u(a, "align", align);
	rec = expect(rp, false);
	if (rec == NULL || !out_int(rp, rec, "ret", &ret))
		return -ENOMEM;
	if (ret != 0)
		return ret;
	if (!out_u64(rp, rec, "iova", &iova) ||
	    !out_u64(rp, rec, "buf_len", &blen))
		return -ENOMEM;
	if (blen == 0 || blen > RP_DMA_MAX_LEN) {
		malformed(rp, -EINVAL,
			  "trace event %" PRIu64 ": dma_alloc buf_len %" PRIu64
			  " out of range",
			  rec->seq, blen);
		return -ENOMEM;
	}
	if (rp->n_dma == rp->cap_dma) {
		size_t nc = rp->cap_dma ? 2 * rp->cap_dma : 16;
		struct rp_dma *nd = realloc(rp->dma, nc * sizeof(*nd));

		if (nd == NULL)
			return -ENOMEM;
		rp->dma = nd;
		rp->cap_dma = nc;
	}
	/* Our own memory, at the address the device saw in the recording. */
	if (posix_memalign(&cpu, align > 64 ? align : 64, (size_t)blen) != 0)
		return -ENOMEM;
	memset(cpu, 0, (size_t)blen);
	rp->dma[rp->n_dma].cpu = cpu;
	rp->dma[rp->n_dma].iova = iova;
	rp->dma[rp->n_dma].len = (size_t)blen;
	rp->n_dma++;
	out->cpu = cpu;
	out->iova = iova;
	out->len = (size_t)blen;
	out->handle = rp->n_dma; /* index + 1 */
	return 0;
}

static void rp_dma_free(void *opaque, struct pp_dma_buf *buf)
{
	struct pp_replay *rp = opaque;
	struct pp_sbuf *a = act_begin(rp, PP_TK_DMA_FREE);

	pp_tev_x(a, "iova", buf->iova);
	pp_tev_u(a, "len", buf->len);
	expect(rp, false);
	if (buf->handle >= 1 && buf->handle <= rp->n_dma &&
	    rp->dma[buf->handle - 1].cpu == buf->cpu) {
		free(buf->cpu);
		rp->dma[buf->handle - 1].cpu = NULL;
	}
}

static void rp_sync_for_cpu(void *opaque, const struct pp_dma_buf *buf,
			    size_t off, size_t len)
{
	struct pp_replay *rp = opaque;
	const struct pp_tline *rec;
	struct pp_sbuf *a = act_begin(rp, PP_TK_SYNC_CPU);

	pp_tev_x(a, "iova", buf->iova);
	pp_tev_u(a, "off", off);
	pp_tev_u(a, "len", len);
	rec = expect(rp, false);
	/* What the device wrote during the recording. */
	if (rec != NULL)
		out_data(rp, rec, (uint8_t *)buf->cpu + off, len);
}

static void rp_sync_for_device(void *opaque, const struct pp_dma_buf *buf,
			       size_t off, size_t len)
{
	struct pp_replay *rp = opaque;
	struct pp_sbuf *a = act_begin(rp, PP_TK_SYNC_DEV);

	pp_tev_x(a, "iova", buf->iova);
	pp_tev_u(a, "off", off);
	pp_tev_u(a, "len", len);
	pp_tev_hex(a, "data", (const uint8_t *)buf->cpu + off, len);
	expect(rp, false);
}

static void rp_irq_set(void *opaque, bool level)
{
	struct pp_replay *rp = opaque;
	struct pp_sbuf *a = act_begin(rp, PP_TK_IRQ_SET);

	pp_tev_u(a, "level", level ? 1 : 0);
	expect(rp, false);
}

static uint64_t rp_now_ns(void *opaque)
{
	struct pp_replay *rp = opaque;
	const struct pp_tline *rec;
	uint64_t ns;

	act_begin(rp, PP_TK_NOW);
	rec = expect(rp, false);
	if (rec != NULL && out_u64(rp, rec, "ns", &ns))
		rp->last_now = ns;
	return rp->last_now;
}

static void rp_timer_set(void *opaque, uint64_t deadline)
{
	struct pp_replay *rp = opaque;
	struct pp_sbuf *a = act_begin(rp, PP_TK_TIMER_SET);

	pp_tev_u(a, "deadline", deadline);
	expect(rp, false);
}

static const struct pp_platform_ops replay_ops = {
	.guest_read = rp_guest_read,
	.guest_write = rp_guest_write,
	.dev_read = rp_dev_read,
	.dev_write = rp_dev_write,
	.pci_read = rp_pci_read,
	.pci_write = rp_pci_write,
	.dma_alloc = rp_dma_alloc,
	.dma_free = rp_dma_free,
	.dma_sync_for_cpu = rp_sync_for_cpu,
	.dma_sync_for_device = rp_sync_for_device,
	.irq_set = rp_irq_set,
	.now_ns = rp_now_ns,
	.timer_set = rp_timer_set,
	.log = NULL, /* log lines are informational */
};

/* ---------------------------------------------------------------------- */
/* Driving the entry points                                               */
/* ---------------------------------------------------------------------- */

static bool field_u64(struct pp_replay *rp, const char *key, uint64_t *v,
		      uint64_t max)
{
	if (pp_tline_u64(&rp->ev, key, v) == 0 && *v <= max)
		return true;
	malformed(rp, -EINVAL, "trace event %" PRIu64 ": %s without a valid %s",
		  rp->ev.seq, rp->ev.kind, key);
	return false;
}

static void drive_create(struct pp_replay *rp, const struct pp_nic_ops *nic)
{
	struct pp_capture_params cap;
	struct pp_dev_params prm;
	char name[PP_NAME_MAX], filter[96], backend[64];
	uint64_t v[5], n_pkts, qlen, level, seq = rp->ev.seq;
	const char *s;
	int ret;

	if (rp->dev != NULL) {
		malformed(rp, -EINVAL,
			  "trace event %" PRIu64
			  ": create while a device exists",
			  seq);
		return;
	}
	memset(&prm, 0, sizeof(prm));
	memset(&cap, 0, sizeof(cap));
	if (!field_u64(rp, "vendor", &v[0], 0xffff) ||
	    !field_u64(rp, "device", &v[1], 0xffff) ||
	    !field_u64(rp, "subsys_vendor", &v[2], 0xffff) ||
	    !field_u64(rp, "subsys_device", &v[3], 0xffff) ||
	    !field_u64(rp, "revision", &v[4], 0xff) ||
	    !field_u64(rp, "n_pkts", &n_pkts, PP_N_PKTS_MAX) ||
	    !field_u64(rp, "queue_len", &qlen, PP_QUEUE_LEN_MAX) ||
	    !field_u64(rp, "log_level", &level, PP_LOG_DEBUG))
		return;
	s = pp_tline_get(&rp->ev, "name");
	snprintf(name, sizeof(name), "%s", s != NULL ? s : "");
	s = pp_tline_get(&rp->ev, "filter");
	snprintf(filter, sizeof(filter), "%s", s != NULL ? s : "");
	s = pp_tline_get(&rp->ev, "backend");
	snprintf(backend, sizeof(backend), "%s", s != NULL ? s : "");

	prm.name = name;
	prm.pci.vendor = (uint16_t)v[0];
	prm.pci.device = (uint16_t)v[1];
	prm.pci.subsys_vendor = (uint16_t)v[2];
	prm.pci.subsys_device = (uint16_t)v[3];
	prm.pci.revision = (uint8_t)v[4];
	prm.plat = &replay_ops;
	prm.plat_opaque = rp;
	prm.nic = nic;
	prm.n_pkts = (uint32_t)n_pkts;
	prm.queue_len = (uint32_t)qlen;
	prm.log_level = (enum pp_log_level)level;
	prm.trace = &rp->chk;
	if (strcmp(filter, "pass") == 0) {
		prm.filter = NULL;
	} else if (strcmp(filter, "capture/pass") == 0) {
		/* Same calls as the recording (clock per burst), no files. */
		prm.filter = &pp_filter_capture;
		prm.filter_opaque = &cap;
	} else {
		malformed(rp, -ENOTSUP,
			  "trace event %" PRIu64 ": filter \"%s\" is not "
			  "built in (replay knows pass and capture/pass)",
			  seq, filter);
		return;
	}
	ret = pp_dev_create(&prm, &rp->dev);
	if (!rp->stopped && rp->have && rp->ev.seq == seq)
		diverge(rp, seq,
			"pp_dev_create() failed with %d before it started "
			"(recorded backend \"%s\", PCI %04x:%04x)",
			ret, backend, prm.pci.vendor, prm.pci.device);
}

static void drive(struct pp_replay *rp, const struct pp_nic_ops *nic)
{
	uint64_t seq = rp->ev.seq, bar, off, width, val = 0;
	enum pp_tk k = rp->evk;
	const char *op;
	char rtxt[160];
	uint32_t v32;

	if (k == PP_TK_CREATE) {
		drive_create(rp, nic);
		return;
	}
	if (pp_tk_class(k) != PP_TKC_ENTRY || k == PP_TK_RETURN) {
		pp_tline_render(&rp->ev, rtxt, sizeof(rtxt));
		diverge(rp, seq,
			"expected an entry point, the trace has %s (a call "
			"outside any entry point cannot be replayed)",
			rtxt);
		return;
	}
	if (rp->dev == NULL) {
		malformed(rp, -EINVAL,
			  "trace event %" PRIu64 ": %s without a device", seq,
			  rp->ev.kind);
		return;
	}
	switch (k) {
	case PP_TK_ACCESS:
		op = pp_tline_get(&rp->ev, "op");
		if (!field_u64(rp, "bar", &bar, UINT32_MAX) ||
		    !field_u64(rp, "off", &off, UINT32_MAX) ||
		    !field_u64(rp, "width", &width, UINT32_MAX))
			return;
		if (op == NULL ||
		    (strcmp(op, "read") != 0 && strcmp(op, "write") != 0)) {
			malformed(rp, -EINVAL,
				  "trace event %" PRIu64 ": bad op", seq);
			return;
		}
		if (op[0] == 'w' && !field_u64(rp, "val", &val, UINT32_MAX))
			return;
		v32 = (uint32_t)val;
		pp_dev_access(rp->dev, (unsigned int)bar, (uint32_t)off,
			      (unsigned int)width, op[0] == 'w', &v32);
		break;
	case PP_TK_INTERRUPT:
		pp_dev_interrupt(rp->dev);
		break;
	case PP_TK_TIMER:
		pp_dev_timer(rp->dev);
		break;
	case PP_TK_PCI_COMMAND:
		if (!field_u64(rp, "cmd", &val, 0xffff))
			return;
		pp_dev_pci_command(rp->dev, (uint16_t)val);
		break;
	case PP_TK_DESTROY:
		pp_dev_destroy(rp->dev);
		rp->dev = NULL;
		break;
	default:
		break;
	}
	if (!rp->stopped && rp->have && rp->ev.seq == seq)
		diverge(rp, seq, "the device did not run %s", rp->ev.kind);
}

static int read_header(struct pp_replay *rp)
{
	char magic[16];
	int ver = 0;

	for (;;) {
		ssize_t n = getline(&rp->line, &rp->line_cap, rp->fp);

		if (n < 0) {
			malformed(rp, -EINVAL, "empty trace");
			return -EINVAL;
		}
		rp->lineno++;
		if (rp->line[0] != '#' && rp->line[0] != '\n')
			break;
	}
	if (sscanf(rp->line, "%15s %d", magic, &ver) != 2 ||
	    strcmp(magic, PP_TRACE_MAGIC) != 0) {
		malformed(rp, -EINVAL, "not a pp-trace file");
		return -EINVAL;
	}
	if (ver != PP_TRACE_VERSION) {
		malformed(rp, -EINVAL, "trace format version %d, expected %d",
			  ver, PP_TRACE_VERSION);
		return -EINVAL;
	}
	return 0;
}

PP_EXPORT int pp_replay_file(const char *path, const struct pp_nic_ops *nic,
			     struct pp_replay_result *res)
{
	struct pp_replay *rp;
	size_t i;
	int ret;

	if (res == NULL)
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	if (path == NULL)
		return -EINVAL;
	rp = calloc(1, sizeof(*rp));
	if (rp == NULL)
		return -ENOMEM;
	rp->res = res;
	rp->fp = fopen(path, "r");
	if (rp->fp == NULL) {
		ret = errno ? -errno : -EIO;
		snprintf(res->message, sizeof(res->message), "%s: %s", path,
			 strerror(-ret));
		free(rp);
		return ret;
	}
	pp_trace_init_check(&rp->chk, rp);
	if (read_header(rp) == 0) {
		while (!rp->stopped && peek(rp) != NULL)
			drive(rp, nic);
	}
	if (rp->dev != NULL) {
		/* The trace ended with a live device: tear down unchecked. */
		rp->free_run = true;
		pp_dev_destroy(rp->dev);
		rp->dev = NULL;
	}
	res->events = rp->consumed;
	if (rp->err != 0)
		ret = rp->err;
	else if (res->divergence != 0)
		ret = 1;
	else
		ret = 0;
	for (i = 0; i < rp->n_dma; i++)
		free(rp->dma[i].cpu);
	free(rp->dma);
	pp_trace_fini_check(&rp->chk);
	pp_sb_free(&rp->act);
	free(rp->line);
	fclose(rp->fp);
	free(rp);
	return ret;
}
