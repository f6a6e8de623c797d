/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test guest drivers: small re-statements (from the programming model in
 * shared/refs/e100-facts.md §8, no copied code) of how Linux e100, FreeBSD
 * fxp, iPXE and the Windows (WDK e100bex) lineage program an 8255x.
 *
 * A guest driver sees "hardware" through struct ghw: in shadow mode its
 * register accesses go through pp_dev_access() and its descriptors live in
 * the bench's simulated guest RAM; in raw mode (bench self-test) it drives
 * QEMU's NIC directly with descriptors in QEMU RAM. The same driver code
 * runs in both modes, which makes raw mode the reference the backend is
 * compared with.
 */
#ifndef PP_TESTS_E100_GUEST_H
#define PP_TESTS_E100_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bench;
struct ghw;

struct ghw_ops {
	uint32_t (*rd)(struct ghw *hw, unsigned int bar, uint32_t off,
		       unsigned int width);
	void (*wr)(struct ghw *hw, unsigned int bar, uint32_t off,
		   unsigned int width, uint32_t v);
	/* The guest's own view of its RAM (NULL if outside). */
	void *(*mem)(struct ghw *hw, uint64_t gpa, size_t len);
	uint64_t (*alloc)(struct ghw *hw, size_t len, size_t align);
	/* The guest's interrupt line. */
	bool (*irq)(struct ghw *hw);
	/* Let the world (QEMU, libparapass) progress for up to @ms. */
	void (*run)(struct ghw *hw, int ms);
};

struct ghw {
	const struct ghw_ops *ops;
	struct bench *b;
	struct pp_dev *dev; /* shadow mode */
	bool raw;	    /* QEMU directly: apply its quirks */
	uint64_t refused;   /* accesses pp_dev_access() refused */
};

/* Raw mode over the bench's QEMU NIC (no libparapass). */
void ghw_init_raw(struct ghw *hw, struct bench *b);

/* -- guest NIC ----------------------------------------------------------- */

struct gnic;
typedef void (*gnic_rx_fn)(void *arg, const uint8_t *frame, size_t len,
			   uint16_t rfd_status);

struct gnic_counters {
	uint64_t tx_queued, tx_done, tx_bad, rx_frames, rx_bytes, rx_bad;
	uint64_t rx_empty, ru_starts, cu_starts, cu_resumes, irqs, irq_none;
	uint64_t cmd_timeouts, cb_timeouts, resets, stats_dumps, mdi_ops;
	uint64_t tx_full;
};

struct gdrv {
	const char *name;
	unsigned int bar; /* BAR the driver uses */
	int (*open)(struct gnic *n);
	void (*close)(struct gnic *n);
	/* Queue one frame: 0, or -EAGAIN when the ring is full. */
	int (*xmit)(struct gnic *n, const uint8_t *frame, size_t len);
	/* End of a batch of xmit() calls (FreeBSD resumes once per batch). */
	void (*kick)(struct gnic *n);
	/* Interrupt / poll service: reclaim TX, receive RX. */
	void (*service)(struct gnic *n);
	/* Apply n->mc / n->promisc / n->allmulti. */
	int (*set_rx_mode)(struct gnic *n);
	/* Dump statistics (16 counters of the 82557 layout); 0 or -1. */
	int (*stats)(struct gnic *n, uint32_t out[16]);
	/* Periodic work (Linux watchdog, FreeBSD tick). */
	void (*tick)(struct gnic *n);
};

#define GNIC_MAX_MC 16

struct gnic {
	const struct gdrv *drv;
	struct ghw *hw;
	uint8_t mac[6];
	unsigned int n_cb, n_rfd;
	bool promisc, allmulti;
	uint8_t mc[GNIC_MAX_MC][6];
	unsigned int n_mc;
	gnic_rx_fn rx;
	void *rx_arg;
	struct gnic_counters c;
	uint32_t stats_acc[16]; /* accumulated dump-and-reset counters */
	bool up;
	char err[160]; /* first error seen */
	void *priv;
};

extern const struct gdrv gdrv_linux, gdrv_fxp, gdrv_ipxe, gdrv_wdk;

/* Allocate and open a guest NIC; NULL on failure (message printed). */
struct gnic *gnic_new(const struct gdrv *drv, struct ghw *hw,
		      const uint8_t mac[6], gnic_rx_fn rx, void *arg);
void gnic_free(struct gnic *n);
/* Run the world once and service the NIC if its line is up (or always for
 * polled drivers). */
void gnic_run(struct gnic *n, int ms);
/* Transmit with back-pressure: retries while the ring is full, up to
 * @ms. 0 or -1. */
int gnic_xmit_wait(struct gnic *n, const uint8_t *frame, size_t len, int ms);

/* -- register helpers (on the driver's BAR) ------------------------------ */
uint32_t gn_rd(struct gnic *n, uint32_t off, unsigned int width);
void gn_wr(struct gnic *n, uint32_t off, unsigned int width, uint32_t v);
void *gn_mem(struct gnic *n, uint64_t gpa, size_t len);
uint16_t gn_get16(struct gnic *n, uint64_t gpa);
uint32_t gn_get32(struct gnic *n, uint64_t gpa);
void gn_put16(struct gnic *n, uint64_t gpa, uint16_t v);
void gn_put32(struct gnic *n, uint64_t gpa, uint32_t v);
/* Wait for the command byte to read 0 (bounded). 0 or -1. */
int gn_wait_scb(struct gnic *n);
/* Wait for the command byte, then GP (if @with_gp) and command. */
int gn_cmd(struct gnic *n, uint8_t cmd, bool with_gp, uint32_t gp);
/* Wait up to @ms for bit C in the status word at @gpa. 0 or -1. */
int gn_wait_c(struct gnic *n, uint64_t gpa, int ms);
/* MDI read/write of PHY @phy register @reg; 0 or -1. */
int gn_mdi(struct gnic *n, bool write, unsigned int phy, unsigned int reg,
	   uint16_t *val);
/* PORT command with a 16-byte aligned address. */
void gn_port(struct gnic *n, unsigned int fn, uint32_t addr);
/* Read EEPROM word @w by bit-banging (93C46); @wide = 16-bit accesses. */
uint16_t gn_eeprom_read(struct gnic *n, unsigned int w, bool wide);
/* Fill a configure CB payload (22 bytes) for the current rx mode. */
void gn_config_bytes(struct gnic *n, uint8_t cfg[22]);
void gn_fail(struct gnic *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
uint64_t gn_now_ms(void);

#endif /* PP_TESTS_E100_GUEST_H */
