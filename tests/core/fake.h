/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test doubles for the libparapass core:
 *  - a fake platform: guest RAM array, fake device registers and config
 *    space, DMA from a malloc'd arena with fake iovas, a settable clock, a
 *    recorded timer, interrupt line and log;
 *  - a fake NIC backend ("fakenic") with a tiny register interface that
 *    the tests drive through pp_dev_access() / pp_dev_interrupt();
 *  - a test filter ("testfilt") whose verdicts follow the frame's tag.
 */
#ifndef TESTS_CORE_FAKE_H
#define TESTS_CORE_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <parapass/pp.h>
#include <parapass/pp_nic.h>

#define FAKE_VENDOR 0xfa4eu
#define FAKE_DEVICE 0x0001u

#define FAKE_RAM_SIZE  (1u << 20)
#define FAKE_DMA_SIZE  (1u << 20)
#define FAKE_IOVA_BASE 0x80000000ull
#define FAKE_BAR_BYTES 256u

/* ---- fake platform -------------------------------------------------- */

struct fake_plat {
	uint8_t ram[FAKE_RAM_SIZE];
	uint8_t bar[6][FAKE_BAR_BYTES]; /* the "real device" registers */
	uint8_t cfg[256];
	uint8_t *arena; /* DMA memory */
	size_t arena_used;
	unsigned int dma_live;
	uint64_t now;
	uint64_t timer; /* last timer_set value */
	unsigned int timer_sets;
	bool irq;
	unsigned int irq_calls;
	unsigned int guest_calls; /* guest_read/guest_write reaching here */
	unsigned int dev_writes;
	unsigned int syncs;
	unsigned int n_logs;
	char logs[64][256];
	enum pp_log_level log_levels[64];
};

extern const struct pp_platform_ops fake_plat_ops;

struct fake_plat *fake_plat_new(void);
void fake_plat_free(struct fake_plat *fp);
/* Sensible parameters over @fp with the fake backend and no filter. */
void fake_params(struct pp_dev_params *prm, struct fake_plat *fp);
/* Number of log lines containing @needle. */
unsigned int fake_log_count(const struct fake_plat *fp, const char *needle);

/* ---- fake backend ---------------------------------------------------- */

/* Guest-visible registers (BAR 0, 64 bytes). */
enum {
	FN_TXADDR = 0x00, /* gpa of the frame to send */
	FN_TXLEN = 0x04,
	FN_TXGO = 0x08,	    /* write: take the frame */
	FN_STATUS = 0x0c,   /* read: result of the last TXGO (int32) */
	FN_RXADDR = 0x10,   /* gpa of the guest's receive area (16 x 2 KiB) */
	FN_RXCREDIT = 0x14, /* write: frames the guest can take */
	FN_MACLO = 0x18,
	FN_MACHI = 0x1c,  /* write: MAC complete */
	FN_ECHO = 0x20,	  /* read: passes through to the real device */
	FN_REFUSE = 0x30, /* any access: refused by the backend */
};

/* "Real device" registers (fake_plat.bar[0]). */
enum {
	RD_CTRL = 0x00,
	RD_ISR = 0x04, /* bit 0 RX ready, bit 1 TX room */
	RD_RXLEN = 0x08,
	RD_TXCREDIT = 0x0c, /* wire TX credit: initial (read at attach),
			     * then added on TX room */
	RD_TXLEN = 0x10,    /* doorbell written by wire_tx */
	RD_DEADLINE = 0x18, /* read at attach: first backend deadline */
	RD_ECHO = 0x20,
};
#define RD_ISR_RX 1u
#define RD_ISR_TX 2u

#define FAKE_SENT_MAX  256
#define FAKE_FRAME_MAX 2048

struct fake_frame {
	uint32_t len;
	uint8_t data[FAKE_FRAME_MAX];
};

struct fake_nic {
	uint32_t txaddr, txlen, rxaddr, maclo;
	int32_t status;
	uint32_t wire_credit; /* frames wire_tx accepts */
	uint32_t rx_credit;   /* frames guest_rx accepts */
	unsigned int rx_slot;
	unsigned int n_sent, n_delivered;
	struct fake_frame sent[FAKE_SENT_MAX];
	struct fake_frame delivered[FAKE_SENT_MAX];
	unsigned int wire_tx_calls, guest_rx_calls;
	unsigned int timer_calls;
	uint64_t rearm_ns;
	uint16_t last_cmd;
	struct pp_dma_buf txbuf, rxbuf;
};

extern const struct pp_nic_ops fake_nic_ops;
/* Knob read by fake_nic_ops.attach (not recorded: keep 0 in traces). */
extern int fake_nic_attach_result;

/* ---- test filter ------------------------------------------------------ */

/* Frame tags (payload byte 0, right after the Ethernet header). */
#define TAG_PASS    'P'
#define TAG_DROP    'D'
#define TAG_REFLECT 'R'
#define TAG_INJECT  'I' /* pass, and inject a copy tagged 'i' */
#define TAG_REWRITE 'W' /* pass with payload byte 1 set to 0xee */

struct test_filter {
	unsigned int bursts[2];
	unsigned int frames[2];
	unsigned int max_burst;
	struct pp_dev *dev;
	/* Deadlines ->timer returns, in order (0 = none). */
	uint64_t deadlines[8];
	unsigned int n_deadlines, next_deadline;
	unsigned int timer_calls;
	uint64_t timer_now[8];
	int attach_result;
	bool detached;
};

extern const struct pp_filter_ops test_filter_ops;

/* ---- helpers ----------------------------------------------------------- */

/* An Ethernet frame of @len bytes with payload tag @tag and number @seq. */
void make_frame(uint8_t *buf, size_t len, uint8_t tag, uint32_t seq);
uint32_t frame_seq(const uint8_t *buf);

/* Guest sends a frame through the fake backend's registers. */
int guest_send(struct pp_dev *dev, struct fake_plat *fp, const uint8_t *f,
	       size_t len);
/* The fake device receives a frame from the wire and interrupts. */
void wire_receive(struct pp_dev *dev, struct fake_plat *fp, const uint8_t *f,
		  size_t len);
/* The fake device reports TX room for @credit more frames. */
void wire_room(struct pp_dev *dev, struct fake_plat *fp, uint32_t credit);
/* Set a "real device" register (what the hardware would show). */
void fake_dev_reg_set(struct fake_plat *fp, uint32_t off, uint32_t v);
uint32_t reg32(struct pp_dev *dev, uint32_t off);
void wreg32(struct pp_dev *dev, uint32_t off, uint32_t v);

#endif /* TESTS_CORE_FAKE_H */
