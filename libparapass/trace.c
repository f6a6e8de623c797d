// SPDX-License-Identifier: BSD-2-Clause
/*
 * Trace recorder: pp_trace_open_write()/pp_trace_close() and the emission
 * of events for the core (docs/trace-format.md). In check mode (replay) the
 * same events go to the replay checker instead of a file.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pp_internal.h"

static const struct {
	const char *name;
	enum pp_tk_class cls;
} kinds[PP_TK__COUNT] = {
	[PP_TK_CREATE] = {"create", PP_TKC_ENTRY},
	[PP_TK_ACCESS] = {"access", PP_TKC_ENTRY},
	[PP_TK_INTERRUPT] = {"interrupt", PP_TKC_ENTRY},
	[PP_TK_TIMER] = {"timer", PP_TKC_ENTRY},
	[PP_TK_PCI_COMMAND] = {"pci_command", PP_TKC_ENTRY},
	[PP_TK_DESTROY] = {"destroy", PP_TKC_ENTRY},
	[PP_TK_RETURN] = {"return", PP_TKC_ENTRY},
	[PP_TK_GUEST_READ] = {"guest_read", PP_TKC_PLATFORM},
	[PP_TK_GUEST_WRITE] = {"guest_write", PP_TKC_PLATFORM},
	[PP_TK_DEV_READ] = {"dev_read", PP_TKC_PLATFORM},
	[PP_TK_DEV_WRITE] = {"dev_write", PP_TKC_PLATFORM},
	[PP_TK_PCI_READ] = {"pci_read", PP_TKC_PLATFORM},
	[PP_TK_PCI_WRITE] = {"pci_write", PP_TKC_PLATFORM},
	[PP_TK_DMA_ALLOC] = {"dma_alloc", PP_TKC_PLATFORM},
	[PP_TK_DMA_FREE] = {"dma_free", PP_TKC_PLATFORM},
	[PP_TK_SYNC_CPU] = {"sync_for_cpu", PP_TKC_PLATFORM},
	[PP_TK_SYNC_DEV] = {"sync_for_device", PP_TKC_PLATFORM},
	[PP_TK_IRQ_SET] = {"irq_set", PP_TKC_PLATFORM},
	[PP_TK_NOW] = {"now", PP_TKC_PLATFORM},
	[PP_TK_TIMER_SET] = {"timer_set", PP_TKC_PLATFORM},
	[PP_TK_LOG] = {"log", PP_TKC_NOTE},
	[PP_TK_FRAME] = {"frame", PP_TKC_FRAME},
};

static const char *const fdirs[] = {
	[PP_FDIR_GUEST_TX] = "guest-tx",
	[PP_FDIR_WIRE_TX] = "wire-tx",
	[PP_FDIR_WIRE_RX] = "wire-rx",
	[PP_FDIR_GUEST_RX] = "guest-rx",
};

const char *pp_tk_name(enum pp_tk k)
{
	return (unsigned int)k < PP_TK__COUNT ? kinds[k].name : "?";
}

enum pp_tk_class pp_tk_class(enum pp_tk k)
{
	return (unsigned int)k < PP_TK__COUNT ? kinds[k].cls : PP_TKC_NOTE;
}

int pp_tk_lookup(const char *name)
{
	int i;

	for (i = 0; i < PP_TK__COUNT; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return i;
	return -1;
}

const char *pp_fdir_name(enum pp_fdir d)
{
	return (unsigned int)d < 4 ? fdirs[d] : "?";
}

int pp_fdir_lookup(const char *name)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(fdirs[i], name) == 0)
			return i;
	return -1;
}

PP_EXPORT int pp_trace_open_write(const char *path, struct pp_trace **out)
{
	struct pp_trace *tr;

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (path == NULL || *path == '\0')
		return -EINVAL;
	tr = calloc(1, sizeof(*tr));
	if (tr == NULL)
		return -ENOMEM;
	tr->fp = fopen(path, "w");
	if (tr->fp == NULL) {
		int e = errno ? errno : EIO;

		free(tr);
		return -e;
	}
	if (fprintf(tr->fp, "%s %d\n", PP_TRACE_MAGIC, PP_TRACE_VERSION) < 0)
		tr->err = -EIO;
	*out = tr;
	return 0;
}

PP_EXPORT void pp_trace_close(struct pp_trace *tr)
{
	if (tr == NULL || tr->check)
		return;
	/* A device still using the trace stops recording. */
	if (tr->dev != NULL)
		tr->dev->tr = NULL;
	if (tr->fp != NULL)
		fclose(tr->fp);
	pp_sb_free(&tr->ev);
	free(tr);
}

void pp_trace_init_check(struct pp_trace *tr, struct pp_replay *rp)
{
	memset(tr, 0, sizeof(*tr));
	tr->check = true;
	tr->rp = rp;
}

void pp_trace_fini_check(struct pp_trace *tr)
{
	pp_sb_free(&tr->ev);
}

struct pp_sbuf *pp_tr_begin(struct pp_trace *tr, enum pp_tk k)
{
	pp_sb_reset(&tr->ev);
	pp_tev_kind(&tr->ev, pp_tk_name(k));
	return &tr->ev;
}

void pp_tr_end(struct pp_trace *tr, enum pp_tk k)
{
	if (tr->check) {
		pp_replay_check_emitted(tr->rp, k, &tr->ev);
		return;
	}
	if (tr->ev.oom) {
		/* Keep the numbering honest: the event is lost, say so. */
		if (tr->err == 0)
			tr->err = -ENOMEM;
		fprintf(tr->fp, "# event %" PRIu64 " lost: out of memory\n",
			tr->seq + 1);
		tr->seq++;
		return;
	}
	tr->seq++;
	if (fprintf(tr->fp, "%" PRIu64 " %s\n", tr->seq, tr->ev.p) < 0 &&
	    tr->err == 0)
		tr->err = -EIO;
	/* Entry ends are natural points to make the file durable. */
	if (k == PP_TK_RETURN && fflush(tr->fp) != 0 && tr->err == 0)
		tr->err = -EIO;
}
