/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libparapass core — trap-and-shadow handling of a passed-through NIC.
 *
 * Three contracts meet here (docs/parapass.md has the pictures):
 *
 *  - platform ops (struct pp_platform_ops): what the VMM gives the SDK —
 *    guest memory copy in/out, the real device's registers and PCI config,
 *    DMA memory, the guest's interrupt line, time and one timer, logging;
 *  - entry points (pp_dev_*): what the VMM calls — a trapped guest register
 *    access, a real device interrupt, the timer, PCI command changes;
 *  - backend ops (struct pp_nic_ops, in pp_nic.h): what a NIC backend
 *    (drivers/e100, ...) gives the core.
 *
 * Between the backend's two halves runs the frame path: guest TX -> filters
 * -> wire TX, and wire RX -> filters -> guest RX (struct pp_filter_ops).
 *
 * Concurrency: one struct pp_dev is one event context. The VMM serialises
 * every call on one device (entry points and the destroy call); different
 * devices are independent. No call blocks or spins on hardware.
 * No global state, no threads, no I/O except through the platform ops.
 */
#ifndef PARAPASS_PP_H
#define PARAPASS_PP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <parapass/pp_common.h>
#include <parapass/pp_pkt.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t pp_gpa_t;  /* guest-physical address */
typedef uint64_t pp_iova_t; /* bus address the real device uses */

/* A DMA-able buffer owned by the SDK: the device only ever sees @iova. */
struct pp_dma_buf {
	void *cpu;	/* CPU mapping */
	pp_iova_t iova; /* device (bus) address */
	size_t len;
	uint64_t handle; /* the platform's own cookie */
};

/* ---------------------------------------------------------------------- */
/* Platform ops                                                           */
/* ---------------------------------------------------------------------- */

struct pp_platform_ops {
	/*
	 * Copy between guest RAM and the SDK. Must fail with -EFAULT (and
	 * copy nothing) unless every byte of [gpa, gpa+len) is guest RAM.
	 * The SDK calls these with len <= 65536 and checks gpa+len for
	 * overflow first.
	 */
	int (*guest_read)(void *opaque, pp_gpa_t gpa, void *dst, size_t len);
	int (*guest_write)(void *opaque, pp_gpa_t gpa, const void *src,
			   size_t len);

	/* Real device registers: BAR index, offset in the BAR, width 1/2/4. */
	uint32_t (*dev_read)(void *opaque, unsigned int bar, uint32_t off,
			     unsigned int width);
	void (*dev_write)(void *opaque, unsigned int bar, uint32_t off,
			  unsigned int width, uint32_t val);

	/* Real device PCI configuration space; 0 or negative errno. */
	int (*pci_read)(void *opaque, unsigned int off, unsigned int width,
			uint32_t *val);
	int (*pci_write)(void *opaque, unsigned int off, unsigned int width,
			 uint32_t val);

	/*
	 * DMA memory for the SDK's own rings and buffers. @align is a power
	 * of two. The iova must be mapped for the device (IOMMU) until freed.
	 */
	int (*dma_alloc)(void *opaque, size_t len, size_t align,
			 struct pp_dma_buf *out);
	void (*dma_free)(void *opaque, struct pp_dma_buf *buf);
	/*
	 * Ownership hand-over of a DMA range. The SDK calls sync_for_cpu
	 * before it reads what the device may have written, and
	 * sync_for_device after it wrote what the device will read. A
	 * platform may implement cache maintenance or a device barrier here;
	 * NULL means "coherent, nothing to do". Record/replay hooks here.
	 */
	void (*dma_sync_for_cpu)(void *opaque, const struct pp_dma_buf *buf,
				 size_t off, size_t len);
	void (*dma_sync_for_device)(void *opaque, const struct pp_dma_buf *buf,
				    size_t off, size_t len);

	/* The guest's interrupt line for this device (level). */
	void (*irq_set)(void *opaque, bool level);

	/* Monotonic time in nanoseconds. */
	uint64_t (*now_ns)(void *opaque);
	/* Ask for one pp_dev_timer() call at @deadline_ns (0 = cancel). */
	void (*timer_set)(void *opaque, uint64_t deadline_ns);

	/* Optional log sink (see pp_common.h). */
	pp_log_fn log;
};

/* ---------------------------------------------------------------------- */
/* Device object and entry points                                         */
/* ---------------------------------------------------------------------- */

struct pp_dev;
struct pp_nic_ops;
struct pp_filter_ops;
struct pp_trace;

/* PCI identity of the real device, read by the VMM from config space. */
struct pp_pci_id {
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_device;
	uint8_t revision;
};

struct pp_dev_params {
	const char *name; /* for logs, e.g. "0000:00:04.0" */
	struct pp_pci_id pci;
	const struct pp_platform_ops *plat;
	void *plat_opaque;
	/* Backend; NULL = pick from the built-in table by PCI id. */
	const struct pp_nic_ops *nic;
	/* Filter on the frame path; NULL = pass. */
	const struct pp_filter_ops *filter;
	void *filter_opaque;
	/* Optional trace recorder (pp_trace_open_write()); not owned. */
	struct pp_trace *trace;
	/* Packet buffers of the frame path (0 = 256); fixed at create. */
	uint32_t n_pkts;
	/* Bounded queues toward each side (0 = 128 frames). */
	uint32_t queue_len;
	enum pp_log_level log_level; /* 0 = PP_LOG_INFO */
};

/*
 * Create a device: picks/attaches the backend, which takes over the real
 * device (resets it, builds its own rings in DMA memory). Errors: -EINVAL,
 * -ENODEV (no backend for this PCI id), -ENOMEM, -EBUSY (prm->trace is
 * already recording another device), or the filter's/backend's error.
 */
PP_EXPORT int pp_dev_create(const struct pp_dev_params *prm,
			    struct pp_dev **out);
PP_EXPORT void pp_dev_destroy(struct pp_dev *dev);

/* Which BARs the VMM must trap (bit i = BAR i), and each one's size. */
PP_EXPORT uint32_t pp_dev_trap_bars(const struct pp_dev *dev);
PP_EXPORT uint32_t pp_dev_bar_size(const struct pp_dev *dev,
				   unsigned int bar);

/*
 * A trapped guest access to BAR @bar at offset @off, width 1/2/4. For a
 * read, *val receives the value; for a write, *val is the value written.
 * Returns 0, or -EINVAL for an access the backend refuses (the VMM then
 * completes a read with all-ones and drops a write).
 */
PP_EXPORT int pp_dev_access(struct pp_dev *dev, unsigned int bar,
			    uint32_t off, unsigned int width, bool write,
			    uint32_t *val);
/* The real device raised its interrupt. */
PP_EXPORT void pp_dev_interrupt(struct pp_dev *dev);
/* The timer requested with timer_set fired. */
PP_EXPORT void pp_dev_timer(struct pp_dev *dev);
/* The guest wrote the PCI command register (bus master, memory, I/O). */
PP_EXPORT void pp_dev_pci_command(struct pp_dev *dev, uint16_t cmd);

struct pp_dev_stats {
	uint64_t guest_tx_frames, guest_tx_bytes; /* taken from the guest */
	uint64_t wire_tx_frames, wire_tx_bytes;	  /* handed to the device */
	uint64_t wire_rx_frames, wire_rx_bytes;	  /* received from device */
	uint64_t guest_rx_frames, guest_rx_bytes; /* written to the guest */
	uint64_t filter_drops;			  /* dropped by the filter */
	uint64_t queue_drops;			  /* bounded queue full */
	uint64_t guest_faults;	/* guest memory access outside RAM */
	uint64_t guest_errors;	/* malformed guest descriptors/commands */
	uint64_t dev_errors;	/* real device misbehaved / timed out */
};
PP_EXPORT void pp_dev_get_stats(const struct pp_dev *dev,
				struct pp_dev_stats *out);
/* The MAC address the guest programmed (IA setup), if any. */
PP_EXPORT bool pp_dev_get_mac(const struct pp_dev *dev, uint8_t mac[6]);

/* ---------------------------------------------------------------------- */
/* Frame path filters                                                     */
/* ---------------------------------------------------------------------- */

enum pp_dir {
	PP_DIR_GUEST_TO_WIRE = 0,
	PP_DIR_WIRE_TO_GUEST = 1,
};

/* Per-frame verdict a filter leaves in pkt->status. */
enum pp_verdict {
	PP_VERDICT_PASS = 0, /* continue in the same direction */
	PP_VERDICT_DROP,     /* drop and count */
	PP_VERDICT_REFLECT,  /* (rewritten) send back toward the source */
};

struct pp_filter_ops {
	const char *name;
	/* Create per-device state; @arg is prm->filter_opaque. */
	int (*attach)(struct pp_dev *dev, void *arg, void **state);
	void (*detach)(void *state);
	/*
	 * A burst of Ethernet frames (pkt data starts at the Ethernet header;
	 * headroom PP_PKT_HEADROOM, tailroom to PP_PKT_BUF_SIZE) travelling
	 * in @dir. Set pkt->status to a pp_verdict for every frame; frames
	 * may be rewritten in place. May call pp_dev_inject().
	 */
	void (*frames)(void *state, enum pp_dir dir, struct pp_pkt *pkts[],
		       unsigned int n);
	/* Optional: called from pp_dev_timer(); return next deadline or 0. */
	uint64_t (*timer)(void *state, uint64_t now_ns);
};

#define PP_PKT_HEADROOM 128u
#define PP_PKT_BUF_SIZE 10240u /* whole buffer, headroom included */
#define PP_FRAME_MAX 9018u     /* largest Ethernet frame the core handles */

/*
 * Originate a frame (filters only): copies @len bytes into a pool buffer
 * and queues it toward @dir's destination. -ENOBUFS if the pool or the
 * queue is full (counted), -EINVAL for a bad length.
 */
PP_EXPORT int pp_dev_inject(struct pp_dev *dev, enum pp_dir dir,
			    const uint8_t *frame, size_t len);

/* Built-in filters. */
PP_EXPORT extern const struct pp_filter_ops pp_filter_pass;
/* Capture: arg is a struct pp_capture_params. */
PP_EXPORT extern const struct pp_filter_ops pp_filter_capture;
struct pp_capture_params {
	const char *guest_pcap; /* frames as the guest sees them; NULL = off */
	const char *wire_pcap;	/* frames as the wire sees them; NULL = off */
	const struct pp_filter_ops *inner; /* filter in between (NULL = pass) */
	void *inner_arg;
};

/* ---------------------------------------------------------------------- */
/* Record and replay (docs/trace-format.md)                               */
/* ---------------------------------------------------------------------- */

/* Open a trace for writing; every entry point and platform call of the
 * devices that use it is recorded, in order, with inputs and outputs. */
PP_EXPORT int pp_trace_open_write(const char *path, struct pp_trace **out);
PP_EXPORT void pp_trace_close(struct pp_trace *tr);

struct pp_replay_result {
	uint64_t events;       /* events replayed */
	uint64_t divergence;   /* 0 = none; else 1-based event number */
	char message[512];     /* first divergence, with context */
};

/*
 * Replay a trace through a fresh device with backend @nic (NULL = by the
 * PCI id recorded in the trace) and the filter recorded in the trace
 * (replay builds "pass" and "capture/pass", the capture filter around
 * pass, without writing files). Returns 0 if the whole trace replayed
 * without divergence, 1 on divergence (described in @res), negative errno
 * on error (unreadable or malformed trace: -EINVAL; a recorded filter
 * replay cannot build: -ENOTSUP; the reason is in res->message).
 */
PP_EXPORT int pp_replay_file(const char *path, const struct pp_nic_ops *nic,
			     struct pp_replay_result *res);

#ifdef __cplusplus
}
#endif

#endif /* PARAPASS_PP_H */
