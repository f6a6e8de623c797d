/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libparapass core — private definitions shared by the core's files.
 * Nothing here is installed; every non-static symbol has hidden visibility.
 */
#ifndef PP_INTERNAL_H
#define PP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <parapass/pp.h>
#include <parapass/pp_nic.h>

#include "pp_trace_fmt.h"

/* Limits (each with its reason). */
#define PP_NAME_MAX	     64 /* device name incl. NUL, for log prefixes */
#define PP_GUEST_IO_MAX	     65536u /* one guest copy; matches pp.h's promise */
#define PP_N_PKTS_DEFAULT    256u
#define PP_N_PKTS_MAX	     16384u /* 160 MiB of packet buffers at most */
#define PP_QUEUE_LEN_DEFAULT 128u
#define PP_QUEUE_LEN_MAX     4096u
#define PP_FLUSH_ROUNDS	     8	 /* frame path rounds per flush (re-entry) */
#define PP_LOG_BURST	     20u /* messages allowed back to back */
#define PP_LOG_INTERVAL_NS   200000000ull /* then one per 200 ms */
#define PP_LOG_MSG_MAX	     256

/* A bounded FIFO of packet indices (into the device's pool). */
struct pp_queue {
	uint32_t *slot;
	uint32_t cap;
	uint32_t head;
	uint32_t count;
};

struct pp_dev {
	char name[PP_NAME_MAX];
	struct pp_pci_id pci;
	const struct pp_platform_ops *plat;
	void *plat_opaque;
	const struct pp_nic_ops *nic;
	void *priv;
	const struct pp_filter_ops *filter;
	void *filter_state;
	bool filter_attached;
	bool nic_attached;
	struct pp_trace *tr;
	enum pp_log_level log_level;

	/* Entry-point nesting (0 = outside any entry point). */
	unsigned int depth;

	/* Packet pool: n_pkts buffers of PP_PKT_BUF_SIZE, allocated once. */
	uint32_t n_pkts;
	uint8_t *bufs;
	struct pp_pkt *pkts;
	uint32_t *free_stack;
	uint32_t n_free;

	/*
	 * Frame path, per direction (enum pp_dir): in[] waits for the
	 * filter, out[] waits for the backend (->wire_tx / ->guest_rx).
	 */
	struct pp_queue in[2];
	struct pp_queue out[2];
	bool blocked[2];   /* partial accept; wait for *_ready() */
	bool ready_sig[2]; /* *_ready() seen during the backend call */
	bool in_flush;
	bool flush_again;

	/* Timers: the backend's and the filter's deadline, merged. */
	uint64_t nic_deadline;
	uint64_t filter_deadline;
	uint64_t armed; /* what the platform timer is set to (0 = off) */

	/* Last time learned from the platform (log rate limiting). */
	uint64_t last_now;
	uint32_t log_tokens;
	uint64_t log_refill_ns;
	uint32_t log_suppressed;

	/* Frames a filter originates are shown to the capture filter. */
	void (*inject_tap)(void *arg, enum pp_dir dir, const uint8_t *frame,
			   size_t len);
	void *inject_tap_arg;

	uint32_t dma_live; /* DMA buffers allocated and not yet freed */
	bool mac_valid;
	uint8_t mac[6];
	struct pp_dev_stats st;
};

/* trace.c: kinds of trace events (docs/trace-format.md). */
enum pp_tk {
	/* entry points and their end; checked by replay */
	PP_TK_CREATE,
	PP_TK_ACCESS,
	PP_TK_INTERRUPT,
	PP_TK_TIMER,
	PP_TK_PCI_COMMAND,
	PP_TK_DESTROY,
	PP_TK_RETURN,
	/* platform calls; served and checked by the replay platform */
	PP_TK_GUEST_READ,
	PP_TK_GUEST_WRITE,
	PP_TK_DEV_READ,
	PP_TK_DEV_WRITE,
	PP_TK_PCI_READ,
	PP_TK_PCI_WRITE,
	PP_TK_DMA_ALLOC,
	PP_TK_DMA_FREE,
	PP_TK_SYNC_CPU,
	PP_TK_SYNC_DEV,
	PP_TK_IRQ_SET,
	PP_TK_NOW,
	PP_TK_TIMER_SET,
	PP_TK_LOG, /* recorded, never checked */
	/* frame path annotations; checked by replay */
	PP_TK_FRAME,
	PP_TK__COUNT
};

enum pp_tk_class {
	PP_TKC_ENTRY,	 /* entry point, "return" */
	PP_TKC_PLATFORM, /* a platform call */
	PP_TKC_NOTE,	 /* log: informational */
	PP_TKC_FRAME,	 /* frame path annotation */
};

const char *pp_tk_name(enum pp_tk k);
enum pp_tk_class pp_tk_class(enum pp_tk k);
/* -1 if @name is no kind. */
int pp_tk_lookup(const char *name);

/* Direction words of frame events. */
enum pp_fdir {
	PP_FDIR_GUEST_TX = 0, /* guest -> core */
	PP_FDIR_WIRE_TX,      /* core -> wire */
	PP_FDIR_WIRE_RX,      /* wire -> core */
	PP_FDIR_GUEST_RX,     /* core -> guest */
};
const char *pp_fdir_name(enum pp_fdir d);
int pp_fdir_lookup(const char *name);

struct pp_replay;

struct pp_trace {
	bool check;	      /* replay checker instead of a file */
	FILE *fp;	      /* record mode */
	struct pp_replay *rp; /* check mode */
	uint64_t seq;
	int err;	    /* first write error */
	struct pp_dev *dev; /* device recording into it, if any */
	struct pp_sbuf ev;  /* event being built */
};

/*
 * Event emission: pp_tr_begin() starts an event of kind @k in tr->ev, the
 * caller adds fields with pp_tev_*(&tr->ev, ...), pp_tr_end() writes it
 * (record mode) or hands it to the replay checker (check mode).
 */
struct pp_sbuf *pp_tr_begin(struct pp_trace *tr, enum pp_tk k);
void pp_tr_end(struct pp_trace *tr, enum pp_tk k);
/* Check mode: a trace object that routes events to @rp. */
void pp_trace_init_check(struct pp_trace *tr, struct pp_replay *rp);
void pp_trace_fini_check(struct pp_trace *tr);
/* replay.c: an event the device emitted in check mode. */
void pp_replay_check_emitted(struct pp_replay *rp, enum pp_tk k,
			     const struct pp_sbuf *ev);

/* dev.c */
void pp_log(struct pp_dev *dev, enum pp_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void pp_timer_program(struct pp_dev *dev);
/* The backend for @id from pp_nic_table, or NULL. */
const struct pp_nic_ops *pp_nic_select(const struct pp_pci_id *id);
/* "pass", "capture/<inner>", or the filter's name. */
void pp_filter_label(const struct pp_filter_ops *f, const void *arg, char *out,
		     size_t n);

/* frame.c */
int pp_frame_init(struct pp_dev *dev, uint32_t n_pkts, uint32_t queue_len);
void pp_frame_fini(struct pp_dev *dev);
void pp_frame_run(struct pp_dev *dev);
void pp_trace_frame(struct pp_dev *dev, enum pp_fdir d, const uint8_t *data,
		    size_t len);

/* filter_capture.c: the inner filter's name, for the trace header. */
const char *pp_capture_inner_name(const void *arg);

/* services.c: the platform clock (recorded), also used by the core. */
uint64_t pp_plat_now(struct pp_dev *dev);
void pp_plat_timer_set(struct pp_dev *dev, uint64_t deadline);

#endif /* PP_INTERNAL_H */
