/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test guest driver, Windows (WDK e100bex / pcidrv lineage) style
 * (shared/refs/e100-facts.md §8.3):
 *  - MMIO BAR; ISR reads the mask byte and the 16-bit status word, claims
 *    the interrupt only if (status & 0xF300) != 0 and the high byte is not
 *    0xFF, masks, acks with a 16-bit write of (status & 0xF300) (SWI/MDI
 *    are never acknowledged), the DPC processes and unmasks;
 *  - init: PORT software reset, self-test, configure and IA with CU start
 *    and a wait for C, load dump address;
 *  - TX: flexible TCBs with a SEPARATE TBD array (2 fragments), S|TX|SF;
 *    the first frame (CU idle) uses CU start, later ones clear S on the
 *    previous TCB and CU resume without waiting for the command byte when
 *    the previous command was also a resume;
 *  - RX: every returned RFD gets EL and a null link, the old tail loses EL
 *    and is linked to it; an RFD counts only with C and both EOF and F in
 *    its actual count (QEMU omits them: raw mode waives that check); RU
 *    start at the first free RFD whenever RUS is not ready;
 *  - statistics: clear the completion dword, dump-and-reset, busy-wait up
 *    to 2 s for 0xA007 at +64.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "guest.h"
#include "hw8255x.h"

#define WD_NTX	   32
#define WD_NRX	   32
#define WD_RX_SIZE 1520

struct wd {
	uint64_t tcb[WD_NTX], tbd[WD_NTX], txbuf[WD_NTX];
	unsigned int tx_head, tx_tail, tx_fill;
	uint64_t rfd[WD_NRX];
	unsigned int rx_head, rx_tail; /* rx_tail: RFD carrying EL */
	uint64_t cb, stats, selftest;
	bool last_was_resume;
	bool dpc;
};

static struct wd *WD(struct gnic *n)
{
	return n->priv;
}

static int wd_ctl(struct gnic *n, uint16_t op, const void *payload, size_t len)
{
	struct wd *w = WD(n);

	gn_put16(n, w->cb, 0);
	gn_put16(n, w->cb + 2, op | HW_CB_EL);
	gn_put32(n, w->cb + 4, 0);
	memcpy(gn_mem(n, w->cb + 8, len), payload, len);
	if (gn_cmd(n, HW_CUC_START, true, (uint32_t)w->cb) < 0)
		return -1;
	w->last_was_resume = false;
	return gn_wait_c(n, w->cb, 600);
}

static void wd_rfd_init(struct gnic *n, uint64_t r)
{
	gn_put16(n, r, 0);
	gn_put16(n, r + 2, HW_CB_EL);
	gn_put32(n, r + 4, 0);
	gn_put32(n, r + 8, 0xffffffffu);
	gn_put16(n, r + 12, 0);
	gn_put16(n, r + 14, WD_RX_SIZE);
}

static int wd_open(struct gnic *n)
{
	struct wd *w = calloc(1, sizeof(*w));
	uint8_t cfg[HW_CONFIG_LEN];
	uint64_t deadline;

	if (!w)
		return -1;
	n->priv = w;
	n->n_cb = WD_NTX;
	n->n_rfd = WD_NRX;
	w->cb = n->hw->ops->alloc(n->hw, 64, 16);
	w->stats = n->hw->ops->alloc(n->hw, 96, 16);
	w->selftest = n->hw->ops->alloc(n->hw, 16, 16);
	for (unsigned int i = 0; i < WD_NTX; i++) {
		w->tcb[i] = n->hw->ops->alloc(n->hw, 16, 16);
		w->tbd[i] = n->hw->ops->alloc(n->hw, 16, 8);
		w->txbuf[i] = n->hw->ops->alloc(n->hw, 1024 + 2048, 8);
	}
	for (unsigned int i = 0; i < WD_NRX; i++)
		w->rfd[i] = n->hw->ops->alloc(n->hw, 16 + WD_RX_SIZE, 8);
	gn_port(n, HW_PORT_SW_RESET, 0);
	n->c.resets++;
	gn_wr(n, HW_SCB_INTMASK, 1, HW_INT_M);
	/* self-test: 5 ms budget */
	gn_put32(n, w->selftest, 0);
	gn_put32(n, w->selftest + 4, 0xffffffffu);
	gn_port(n, HW_PORT_SELFTEST, (uint32_t)w->selftest);
	deadline = gn_now_ms() + 50;
	while (gn_get32(n, w->selftest) == 0 && gn_now_ms() < deadline)
		n->hw->ops->run(n->hw, 1);
	if (gn_get32(n, w->selftest + 4) != 0) {
		gn_fail(n, "self-test failed");
		return -1;
	}
	gn_wr(n, HW_SCB_INTMASK, 1, HW_INT_M);
	if (gn_cmd(n, HW_CUC_LOAD_BASE, true, 0) < 0 ||
	    gn_cmd(n, HW_RUC_LOAD_BASE, true, 0) < 0)
		return -1;
	gn_config_bytes(n, cfg);
	if (wd_ctl(n, HW_OP_CONFIG, cfg, sizeof(cfg)) < 0 ||
	    wd_ctl(n, HW_OP_IA, n->mac, 6) < 0)
		return -1;
	if (gn_cmd(n, HW_CUC_DUMP_ADDR, true, (uint32_t)w->stats) < 0)
		return -1;
	/* RFA: a linked list, EL on the last */
	for (unsigned int i = 0; i < WD_NRX; i++) {
		wd_rfd_init(n, w->rfd[i]);
		if (i) {
			gn_put32(n, w->rfd[i - 1] + 4, (uint32_t)w->rfd[i]);
			gn_put16(n, w->rfd[i - 1] + 2, 0);
		}
	}
	w->rx_head = 0;
	w->rx_tail = WD_NRX - 1;
	if (gn_cmd(n, HW_RUC_START, true, (uint32_t)w->rfd[0]) < 0)
		return -1;
	w->tx_head = w->tx_tail = w->tx_fill = 0;
	gn_wr(n, HW_SCB_INTMASK, 1, 0);
	return n->err[0] ? -1 : 0;
}

static void wd_close(struct gnic *n)
{
	gn_port(n, HW_PORT_SEL_RESET, 0);
	gn_wr(n, HW_SCB_INTMASK, 1, HW_INT_M);
	n->up = false;
}

static void wd_tx_done(struct gnic *n)
{
	struct wd *w = WD(n);

	while (w->tx_fill) {
		uint16_t st = gn_get16(n, w->tcb[w->tx_tail]);

		if (!(st & HW_CB_C))
			break;
		if (st & HW_CB_OK)
			n->c.tx_done++;
		else
			n->c.tx_bad++;
		w->tx_tail = (w->tx_tail + 1) % WD_NTX;
		w->tx_fill--;
	}
}

static int wd_xmit(struct gnic *n, const uint8_t *frame, size_t len)
{
	struct wd *w = WD(n);
	unsigned int i = w->tx_head;
	uint64_t t = w->tcb[i], d = w->tbd[i], buf = w->txbuf[i];
	size_t first = len > 64 ? 42 : len;

	wd_tx_done(n);
	if (w->tx_fill == WD_NTX)
		return -EAGAIN;
	if (len > 2000)
		return -EINVAL;
	/* two fragments in separate places of the buffer */
	memcpy(gn_mem(n, buf, first), frame, first);
	memcpy(gn_mem(n, buf + 1024, len - first), frame + first, len - first);
	gn_put32(n, d, (uint32_t)buf);
	gn_put32(n, d + 4, (uint32_t)first);
	gn_put32(n, d + 8, (uint32_t)buf + 1024);
	gn_put32(n, d + 12, (uint32_t)(len - first));
	gn_put16(n, t, 0);
	gn_put16(n, t + 2, HW_CB_S | HW_OP_TX | HW_CB_SF);
	gn_put32(n, t + 4, (uint32_t)w->tcb[(i + 1) % WD_NTX]);
	gn_put32(n, t + 8, (uint32_t)d);
	gn_put16(n, t + 12, 0);
	*(uint8_t *)gn_mem(n, t + 14, 1) = 0x20;
	*(uint8_t *)gn_mem(n, t + 15, 1) = len > first ? 2 : 1;
	w->tx_head = (i + 1) % WD_NTX;
	n->c.tx_queued++;
	if (w->tx_fill++ == 0 &&
	    (gn_rd(n, HW_SCB_STATUS, 1) & HW_CUS_MASK) == HW_CUS_IDLE) {
		if (gn_cmd(n, HW_CUC_START, true, (uint32_t)t) < 0)
			return -EIO;
		w->last_was_resume = false;
		return 0;
	}
	{
		uint64_t prev = w->tcb[(i + WD_NTX - 1) % WD_NTX];

		gn_put16(n, prev + 2,
			 gn_get16(n, prev + 2) & (uint16_t)~HW_CB_S);
	}
	if (!w->last_was_resume && gn_wait_scb(n) < 0)
		return -EIO;
	gn_wr(n, HW_SCB_CMD, 1, HW_CUC_RESUME);
	n->c.cu_resumes++;
	w->last_was_resume = true;
	return 0;
}

static void wd_kick(struct gnic *n)
{
	(void)n;
}

static void wd_rx(struct gnic *n)
{
	struct wd *w = WD(n);

	for (int k = 0; k < WD_NRX; k++) {
		uint64_t r = w->rfd[w->rx_head];
		uint16_t st = gn_get16(n, r);
		uint16_t cnt = gn_get16(n, r + 12);
		bool eof = (cnt & (HW_RFD_EOF | HW_RFD_F)) ==
			   (HW_RFD_EOF | HW_RFD_F);
		size_t len = cnt & HW_RFD_COUNT_MASK;
		unsigned int old_tail = w->rx_tail;

		if (!(st & HW_CB_C) || (!eof && !n->hw->raw))
			break;
		if (!(st & HW_CB_OK) || len > WD_RX_SIZE) {
			n->c.rx_bad++;
		} else {
			n->c.rx_frames++;
			n->c.rx_bytes += len;
			if (n->rx)
				n->rx(n->rx_arg, gn_mem(n, r + 16, len), len,
				      st);
		}
		/* return it: EL, null link; old tail links to it */
		wd_rfd_init(n, r);
		gn_put32(n, w->rfd[old_tail] + 4, (uint32_t)r);
		gn_put16(n, w->rfd[old_tail] + 2, 0);
		w->rx_tail = w->rx_head;
		w->rx_head = (w->rx_head + 1) % WD_NRX;
	}
	if ((gn_rd(n, HW_SCB_STATUS, 1) & HW_RUS_MASK) != HW_RUS_READY)
		gn_cmd(n, HW_RUC_START, true, (uint32_t)w->rfd[w->rx_head]);
}

static void wd_service(struct gnic *n)
{
	struct wd *w = WD(n);

	if (!n->up)
		return;
	if (n->hw->ops->irq(n->hw)) {
		uint8_t mask = (uint8_t)gn_rd(n, HW_SCB_INTMASK, 1);
		uint16_t st = (uint16_t)gn_rd(n, HW_SCB_STATUS, 2);

		if ((mask & HW_INT_M) || !(st & 0xf300) ||
		    (st & 0xff00) == 0xff00) {
			n->c.irq_none++;
		} else {
			n->c.irqs++;
			gn_wr(n, HW_SCB_INTMASK, 1, HW_INT_M);
			gn_wr(n, HW_SCB_STATUS, 2, st & 0xf300);
			w->dpc = true;
		}
	}
	if (w->dpc) {
		w->dpc = false;
		wd_rx(n);
		wd_tx_done(n);
		gn_wr(n, HW_SCB_INTMASK, 1, 0);
	}
}

static int wd_set_rx_mode(struct gnic *n)
{
	uint8_t cfg[HW_CONFIG_LEN], mc[2 + GNIC_MAX_MC * 6];
	unsigned int cnt = n->allmulti ? 0 : n->n_mc;

	/* wait for the CU to drain, then lone EL control CBs */
	for (int i = 0; i < 1000 && WD(n)->tx_fill; i++) {
		gnic_run(n, 1);
		wd_tx_done(n);
	}
	gn_config_bytes(n, cfg);
	hw_put16(mc, (uint16_t)(cnt * 6));
	for (unsigned int i = 0; i < cnt; i++)
		memcpy(mc + 2 + 6 * i, n->mc[i], 6);
	if (wd_ctl(n, HW_OP_CONFIG, cfg, sizeof(cfg)) < 0 ||
	    wd_ctl(n, HW_OP_MCAST, mc, 2 + cnt * 6) < 0)
		return -1;
	return 0;
}

static int wd_stats(struct gnic *n, uint32_t out[16])
{
	struct wd *w = WD(n);
	uint64_t deadline;

	gn_put32(n, w->stats + HW_STATS_DONE_557, 0);
	if (gn_cmd(n, HW_CUC_DUMP_RESET, false, 0) < 0)
		return -1;
	deadline = gn_now_ms() + 2000;
	while (gn_get32(n, w->stats + HW_STATS_DONE_557) !=
	       HW_STATS_DONE_RESET) {
		if (gn_now_ms() > deadline) {
			gn_fail(n, "statistics never completed (2 s)");
			return -1;
		}
		n->hw->ops->run(n->hw, 0);
	}
	for (int i = 0; i < 16; i++) {
		out[i] = gn_get32(n, w->stats + 4u * i);
		n->stats_acc[i] += out[i];
	}
	n->c.stats_dumps++;
	return 0;
}

const struct gdrv gdrv_wdk = {
	.name = "windows-wdk",
	.bar = 0,
	.open = wd_open,
	.close = wd_close,
	.xmit = wd_xmit,
	.kick = wd_kick,
	.service = wd_service,
	.set_rx_mode = wd_set_rx_mode,
	.stats = wd_stats,
	.tick = NULL,
};
