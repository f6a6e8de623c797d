/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libparapass backend interface: what a NIC backend (drivers/<nic>/)
 * gives the core, and the core services a backend may call.
 *
 * A backend keeps its state in a private block of ops->priv_size bytes that
 * the core allocates (zeroed) per device. All calls for one device are
 * serialised by the core; a backend never blocks or spins on hardware.
 *
 * Rules every backend follows (docs/parapass.md, "Hostile guest"):
 *  - guest memory only through pp_guest_read()/pp_guest_write(), which
 *    check ranges; snapshot each descriptor once, validate, then use;
 *  - every guest-controlled walk is bounded;
 *  - no guest-physical address is ever written to the device: the device
 *    only sees pp_dma_buf iovas;
 *  - frames from the guest go to pp_nic_from_guest(); frames from the wire
 *    to pp_nic_from_wire(); the core calls back ->wire_tx / ->guest_rx.
 */
#ifndef PARAPASS_PP_NIC_H
#define PARAPASS_PP_NIC_H

#include <parapass/pp.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pp_nic_ops {
	const char *name;
	size_t priv_size;
	/* True if this backend drives the device. */
	bool (*probe)(const struct pp_pci_id *id);
	/* BARs to trap (bit mask) and their sizes, valid after attach. */
	uint32_t trap_bars;
	uint32_t bar_size[6];
	/* Take over the real device: reset it, build own rings. */
	int (*attach)(struct pp_dev *dev, void *priv);
	/* Quiesce the device and free everything. */
	void (*detach)(struct pp_dev *dev, void *priv);
	/* A trapped guest access (see pp_dev_access()). */
	int (*access)(struct pp_dev *dev, void *priv, unsigned int bar,
		      uint32_t off, unsigned int width, bool write,
		      uint32_t *val);
	/* The real device interrupted. */
	void (*interrupt)(struct pp_dev *dev, void *priv);
	/* A deadline requested with pp_nic_timer_at() passed. */
	void (*timer)(struct pp_dev *dev, void *priv, uint64_t now_ns);
	/* Guest PCI command register changed. */
	void (*pci_command)(struct pp_dev *dev, void *priv, uint16_t cmd);
	/*
	 * Put frames on the real wire. Returns how many of @pkts (a prefix)
	 * were accepted; the backend copies them and does not keep the
	 * pointers. The rest stay queued in the core until ->wire_tx is
	 * tried again (after pp_nic_wire_tx_ready()).
	 */
	unsigned int (*wire_tx)(struct pp_dev *dev, void *priv,
				struct pp_pkt *pkts[], unsigned int n);
	/*
	 * Deliver frames into the guest's receive ring. Returns how many (a
	 * prefix) were written; the rest stay queued in the core until
	 * pp_nic_guest_rx_ready().
	 */
	unsigned int (*guest_rx)(struct pp_dev *dev, void *priv,
				 struct pp_pkt *pkts[], unsigned int n);
};

/* Built-in backends, in probe order (NULL-terminated). */
PP_EXPORT extern const struct pp_nic_ops *const pp_nic_table[];

/* -- core services for backends --------------------------------------- */

PP_EXPORT void *pp_nic_priv(struct pp_dev *dev);
PP_EXPORT const struct pp_pci_id *pp_nic_pci_id(const struct pp_dev *dev);

/* Checked guest memory access: -EFAULT (counted) on any bad range. */
PP_EXPORT int pp_guest_read(struct pp_dev *dev, pp_gpa_t gpa, void *dst,
			    size_t len);
PP_EXPORT int pp_guest_write(struct pp_dev *dev, pp_gpa_t gpa,
			     const void *src, size_t len);

/* Real device access. */
PP_EXPORT uint32_t pp_reg_read(struct pp_dev *dev, unsigned int bar,
			       uint32_t off, unsigned int width);
PP_EXPORT void pp_reg_write(struct pp_dev *dev, unsigned int bar,
			    uint32_t off, unsigned int width, uint32_t val);
PP_EXPORT int pp_pci_read(struct pp_dev *dev, unsigned int off,
			  unsigned int width, uint32_t *val);
/* Added by the core: config writes (e.g. bus master) go through here. */
PP_EXPORT int pp_pci_write(struct pp_dev *dev, unsigned int off,
			   unsigned int width, uint32_t val);

/* DMA memory. */
PP_EXPORT int pp_dma_alloc(struct pp_dev *dev, size_t len, size_t align,
			   struct pp_dma_buf *out);
PP_EXPORT void pp_dma_free(struct pp_dev *dev, struct pp_dma_buf *buf);
PP_EXPORT void pp_dma_sync_for_cpu(struct pp_dev *dev,
				   const struct pp_dma_buf *buf, size_t off,
				   size_t len);
PP_EXPORT void pp_dma_sync_for_device(struct pp_dev *dev,
				      const struct pp_dma_buf *buf,
				      size_t off, size_t len);

/* Guest interrupt line (level). */
PP_EXPORT void pp_nic_irq(struct pp_dev *dev, bool level);
/* Time, and a backend deadline (merged with the filter's by the core). */
PP_EXPORT uint64_t pp_nic_now(struct pp_dev *dev);
PP_EXPORT void pp_nic_timer_at(struct pp_dev *dev, uint64_t deadline_ns);

/* The MAC address the guest set (IA setup): filters see it. */
PP_EXPORT void pp_nic_set_mac(struct pp_dev *dev, const uint8_t mac[6]);

/*
 * Frame path. @frame/@len is copied into a core packet buffer. Return 0,
 * or -ENOBUFS (pool/queue full; counted) / -EINVAL (length 0 or above
 * PP_FRAME_MAX; counted as guest_errors or dev_errors).
 */
PP_EXPORT int pp_nic_from_guest(struct pp_dev *dev, const uint8_t *frame,
				size_t len);
PP_EXPORT int pp_nic_from_wire(struct pp_dev *dev, const uint8_t *frame,
			       size_t len);
/*
 * Run the frame path: filters, then ->wire_tx / ->guest_rx for whatever
 * is queued. Backends call it at the end of a trapped access or interrupt
 * that queued frames; the core also runs it after every entry point.
 */
PP_EXPORT void pp_nic_flush(struct pp_dev *dev);
/* Room appeared on the wire TX ring / the guest receive ring. */
PP_EXPORT void pp_nic_wire_tx_ready(struct pp_dev *dev);
PP_EXPORT void pp_nic_guest_rx_ready(struct pp_dev *dev);

/* Counters the backend bumps, and rate-limited logging. */
PP_EXPORT void pp_nic_count_guest_error(struct pp_dev *dev);
PP_EXPORT void pp_nic_count_dev_error(struct pp_dev *dev);
PP_EXPORT void pp_nic_log(struct pp_dev *dev, enum pp_log_level level,
			  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif

#endif /* PARAPASS_PP_NIC_H */
