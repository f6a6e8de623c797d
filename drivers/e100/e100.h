/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * drivers/e100 private state: the virtual 8255x the guest sees, the real
 * device's rings the backend owns, and the functions e100_ctl.c (register
 * decode, PORT, statistics, real-device bring-up, interrupts) and
 * e100_ring.c (CU/RU shadowing, the backend's own CBL and RFA) share.
 *
 * Everything runs inside one libparapass entry point at a time (the core
 * serialises calls per device), so there is no locking here.
 */
#ifndef PP_E100_H
#define PP_E100_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <parapass/pp_nic.h>

#include "e100_regs.h"

/* Exported to the core's backend table (libparapass/pp_backends.h). */
extern const struct pp_nic_ops pp_e100_ops;

/* ---------------------------------------------------------------------- */
/* Sizes and limits                                                       */
/* ---------------------------------------------------------------------- */

/* The backend's own command block list: one 2 KiB slot per CB. */
#define E100_TX_SLOTS  64u
#define E100_SLOT_SIZE 2048u
/* Largest frame either side hands over (slot minus the TCB header). */
#define E100_FRAME_MAX (E100_SLOT_SIZE - E100_TCB_HDR_LEN)
/* Slots wire_tx() leaves free so a guest control command always fits. */
#define E100_TX_RESERVE 2u
/* QEMU's eepro100 runs at most 16 CBs per CU start/resume. */
#define E100_KICK_MAX 16u
/* Transmit threshold in our TCBs (8-byte units): store and forward. */
#define E100_TX_THRESH 0xe0u

/* The backend's own receive frame area. */
#define E100_RX_SLOTS 128u
#define E100_RX_BUF   (E100_SLOT_SIZE - E100_RFD_HDR_LEN)

/* Guest multicast list: at most this many addresses (more: refused). */
#define E100_MC_MAX 320u

/* Guest CBL walk: CBs per entry point, CBs per guest CU command. */
#define E100_CU_BATCH  128u
#define E100_CU_BUDGET 1024u
/* TBDs of one guest TCB (the TBD number field is 8 bits). */
#define E100_TBD_MAX   255u
#define E100_TBD_CHUNK 16u

/* Bounded waits on the real device (register reads, never sleeps). */
#define E100_SCB_POLLS	     200u   /* command byte accepted */
#define E100_CTL_POLLS	     64u    /* control CB completed */
#define E100_DUMP_POLLS	     64u    /* statistics dump completed */
#define E100_SETTLE_READS    64u    /* max reads of a settle delay */
#define E100_RESET_SETTLE_NS 20000u /* after a PORT reset */
#define E100_EE_DELAY_NS     4000u  /* EEPROM clock half period */

/* Deadlines. */
#define E100_CTL_TIMEOUT_NS  100000000ull  /* guest control CB on the device */
#define E100_TX_STALL_NS     500000000ull  /* no TX progress: re-init */
#define E100_HOUSEKEEP_NS    10000000ull   /* poll while work is pending */
#define E100_IDLE_CHECK_NS   1000000000ull /* RU/CU sanity check when idle */
#define E100_TX_RETRY_NS     1000000ull	   /* guest frame, core queue full */
#define E100_TX_RETRY_MAX_NS 20000000ull   /* then the frame is dropped */

/* Guest-visible unit states (the values of CUS/RUS). */
enum e100_cu_state {
	E100_CU_IDLE = E100_CUS_IDLE,
	E100_CU_SUSPENDED = E100_CUS_SUSPENDED,
	E100_CU_ACTIVE = E100_CUS_ACTIVE,
};

enum e100_ru_state {
	E100_RU_IDLE = E100_RUS_IDLE,
	E100_RU_SUSPENDED = E100_RUS_SUSPENDED,
	E100_RU_NORES = E100_RUS_NORES,
	E100_RU_READY = E100_RUS_READY,
};

/* Why the guest CU is active but not walking right now. */
enum e100_cu_park {
	E100_PARK_NONE = 0,
	E100_PARK_BATCH,  /* batch done: continue from the timer */
	E100_PARK_TXQ,	  /* core queue full: retry the held frame */
	E100_PARK_SLOT,	  /* no free slot for a control CB */
	E100_PARK_CTL,	  /* control CB running on the real device */
	E100_PARK_BUDGET, /* walk budget spent: wait for a guest command */
};

/* What a slot of the backend's CBL holds. */
enum e100_slot_kind {
	E100_SLOT_FREE = 0,
	E100_SLOT_TX,
	E100_SLOT_CTL,
};

/* Counters of the backend (logged, not exported). */
struct e100_counters {
	uint64_t cb_refused;	/* unknown/unsupported guest CBs */
	uint64_t ucode_ignored; /* microcode CBs completed, not loaded */
	uint64_t tx_dropped;	/* guest frames dropped after retries */
	uint64_t rx_truncated;	/* frames larger than the guest RFD */
	uint64_t rx_bcast_drop; /* broadcast disabled by the guest */
	uint64_t wire_tx_drop;	/* frames wire_tx() could not use */
	uint64_t wire_rx_bad;	/* real RFDs completed without OK */
	uint64_t hw_timeouts;	/* bounded waits that ran out */
	uint64_t hw_reinits;	/* real device re-initialisations */
	uint64_t hw_nudges;	/* extra resumes of a stuck CBL */
};

struct e100 {
	struct pp_dev *dev;

	/* ---- identity ---- */
	uint16_t device;
	uint8_t rev;
	uint8_t chip;	 /* effective revision: ICH parts count as 8 */
	uint8_t cfg_max; /* configure bytes the chip takes: 22 or 32 */
	bool ext_masks;	 /* 82558+: per-source masks, ER, FCP */
	bool ext_tcb_ok; /* 82558+: extended TCB, extended statistics */
	bool tco_ok;	 /* 82559+: TCO statistics */
	bool rxcsum_ok;	 /* 82559 (not ER): RX checksum append */
	bool ext_rfd_ok; /* 82550/1: extended RFD */

	/* ---- the virtual device the guest sees ---- */
	uint8_t vstat;	  /* pending STAT/ACK bits */
	uint8_t vmask;	  /* interrupt control byte, SI always 0 */
	bool irq_level;	  /* last level given to pp_nic_irq() */
	uint32_t gp;	  /* SCB general pointer */
	uint32_t port;	  /* PORT latch (bytes written so far) */
	uint8_t early_rx; /* 0x18, kept but never acted upon */
	bool bme;	  /* guest PCI bus mastering */
	bool mdi_ie;	  /* guest MDI command with IE outstanding */
	uint8_t vcfg[E100_CFG_LEN_EXT]; /* configuration as the guest set it */

	/* CU */
	enum e100_cu_state cu_state;
	enum e100_cu_park cu_park;
	uint32_t cu_base;
	uint32_t cu_next;     /* next CB to execute (absolute) */
	uint32_t cu_susp;     /* CB the CU suspended on */
	uint32_t cu_budget;   /* CBs left until the next guest CU command */
	uint64_t cu_retry_at; /* deadline for PARK_BATCH/TXQ/SLOT */
	uint32_t dump_addr;
	bool dump_addr_set;

	/* a guest TCB whose frame the core could not take yet */
	struct {
		bool valid;
		uint32_t cb, link;
		uint16_t cmd;
		uint32_t len;
		uint64_t give_up_at;
	} txq;

	/* a guest control CB running on the real device */
	struct {
		bool active;
		bool done;
		uint32_t cb, link;
		uint16_t cmd;
		uint16_t status; /* real status once done */
		unsigned int slot;
		uint64_t deadline;
	} ctl;

	/* RU */
	enum e100_ru_state ru_state;
	uint32_t ru_base;
	uint32_t ru_next; /* next RFD to fill (absolute) */

	/* Guest-visible statistics, 32-bit like the device's. */
	uint32_t vstats[E100_STATS_SIZE_TCO / 4];

	/* ---- the real device ---- */
	uint8_t hw_cfg[E100_CFG_LEN_EXT]; /* what the device runs */
	uint8_t hw_ia[6];
	bool hw_ia_set;
	uint8_t hw_mc[2 + E100_MC_MAX * 6]; /* multicast CB payload */
	uint32_t hw_mc_len; /* payload bytes: count word + list */
	bool hw_mc_set;
	bool hw_ok;	     /* attached and rings running */
	uint8_t hw_last_cmd; /* last SCB command written to the device */

	/* own CBL */
	struct pp_dma_buf cbl;
	uint8_t slot_kind[E100_TX_SLOTS];
	unsigned int tx_prod;	  /* next slot to fill */
	unsigned int tx_cons;	  /* oldest outstanding slot */
	unsigned int tx_used;	  /* outstanding slots */
	unsigned int tx_last;	  /* last filled slot (has S) */
	bool tx_any;		  /* tx_last is valid */
	unsigned int tx_unkicked; /* filled since the last start/resume */
	unsigned int tx_start;	  /* first slot to CU-start from */
	bool cu_started;	  /* the real CU has been started */
	bool tx_blocked;	  /* wire_tx() refused frames: signal room */
	uint64_t tx_progress_at;
	uint64_t hk_at; /* housekeeping deadline, 0 = none */
	bool hk_fast;	/* hk_at is the 10 ms (busy) one */

	/* own RFA */
	struct pp_dma_buf rfa;
	unsigned int rx_head; /* next RFD the device fills */
	unsigned int rx_tail; /* the RFD carrying EL */

	/* statistics dump area */
	struct pp_dma_buf sbuf;

	struct e100_counters cnt;

	/* bounce buffers */
	uint8_t txbuf[E100_FRAME_MAX];
	uint8_t tbd[E100_TBD_CHUNK * E100_TBD_LEN];
};

/* ---------------------------------------------------------------------- */
/* Real device helpers (BAR0, memory mapped)                              */
/* ---------------------------------------------------------------------- */

static inline uint32_t e100_rd(struct e100 *e, uint32_t off, unsigned int width)
{
	return pp_reg_read(e->dev, E100_BAR_MEM, off, width);
}

static inline void e100_wr(struct e100 *e, uint32_t off, unsigned int width,
			   uint32_t val)
{
	pp_reg_write(e->dev, E100_BAR_MEM, off, width, val);
}

static inline uint8_t *e100_slot(struct e100 *e, unsigned int i)
{
	return (uint8_t *)e->cbl.cpu + (size_t)i * E100_SLOT_SIZE;
}

static inline uint32_t e100_slot_iova(const struct e100 *e, unsigned int i)
{
	return (uint32_t)(e->cbl.iova + (pp_iova_t)i * E100_SLOT_SIZE);
}

static inline uint8_t *e100_rfd(struct e100 *e, unsigned int i)
{
	return (uint8_t *)e->rfa.cpu + (size_t)i * E100_SLOT_SIZE;
}

static inline uint32_t e100_rfd_iova(const struct e100 *e, unsigned int i)
{
	return (uint32_t)(e->rfa.iova + (pp_iova_t)i * E100_SLOT_SIZE);
}

/* ---------------------------------------------------------------------- */
/* e100_ctl.c                                                             */
/* ---------------------------------------------------------------------- */

/* Recompute the guest's line from vstat and vmask. */
void e100_irq_update(struct e100 *e);
/* Program the backend deadline from the pending work. */
void e100_timer_update(struct e100 *e);
/* Issue an SCB command on the real device (bounded wait). 0 or -EBUSY. */
int e100_hw_cmd(struct e100 *e, uint8_t cmd, bool set_gp, uint32_t gp);
/* A bounded delay of about @ns made of register reads. */
void e100_hw_settle(struct e100 *e, uint64_t ns);
/* Configure bytes for the real device from the guest's (vcfg). */
void e100_hw_cfg_build(struct e100 *e);
/* Guest-visible dump size in bytes (64, 76 or 80). */
unsigned int e100_dump_size(const struct e100 *e);
/* Reset the real device and bring the backend's rings back. */
void e100_hw_reinit(struct e100 *e, uint32_t port_fn);
/* Guest SCB Dump / Dump-and-reset: write the counters to its area. */
void e100_stats_dump(struct e100 *e, bool reset);
/* Defaults of the guest-visible configuration. */
void e100_vcfg_default(struct e100 *e);

/* ---------------------------------------------------------------------- */
/* e100_ring.c                                                            */
/* ---------------------------------------------------------------------- */

/*
 * Guest memory at a 32-bit device address: a structure may not run past
 * 4 GiB (counted as a guest error), then pp_guest_read()/pp_guest_write().
 */
int e100_gread(struct e100 *e, uint64_t gpa, void *dst, size_t len);
int e100_gwrite(struct e100 *e, uint64_t gpa, const void *src, size_t len);

int e100_rings_alloc(struct e100 *e);
void e100_rings_free(struct e100 *e);
/* Rebuild both rings in DMA memory (after a device reset). */
void e100_rings_reset(struct e100 *e);
/* RU start on the real device at the head of the backend's RFA. */
void e100_rx_start(struct e100 *e);
/* Take completed frames out of the real RFA; with @check_ru, restart the
 * real RU if it is not ready. */
void e100_rx_harvest(struct e100 *e, bool check_ru);
/* Reclaim completed slots of the backend's CBL; signal room. */
void e100_tx_reclaim(struct e100 *e);
/* Start/resume the real CU for the slots filled since the last kick. */
void e100_tx_kick(struct e100 *e);
/*
 * Queue a control CB (op, payload) on the real device. Returns the slot
 * index, or -EBUSY when no slot is free or the device cannot be kicked.
 */
int e100_tx_submit_ctl(struct e100 *e, uint16_t op, const uint8_t *payload,
		       size_t len);
/* Check the TX ring for a stall and the guest control CB for a timeout. */
void e100_tx_watchdog(struct e100 *e, uint64_t now);

/* Guest SCB commands. */
void e100_cu_command(struct e100 *e, unsigned int cuc);
void e100_ru_command(struct e100 *e, unsigned int ruc);
/* Continue a parked guest CBL walk (timer, interrupt). */
void e100_cu_run(struct e100 *e);
/* Forget guest CU/RU work (guest reset). */
void e100_cu_ru_reset(struct e100 *e);

unsigned int e100_wire_tx(struct pp_dev *dev, void *priv, struct pp_pkt *pkts[],
			  unsigned int n);
unsigned int e100_guest_rx(struct pp_dev *dev, void *priv,
			   struct pp_pkt *pkts[], unsigned int n);

#endif /* PP_E100_H */
