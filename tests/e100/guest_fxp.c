/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test guest driver, FreeBSD fxp style (shared/refs/e100-facts.md §8.1):
 *  - MMIO BAR, 8-bit SCB bytes, 16-bit EEPROM accesses (MAC read at open);
 *  - init body (also on every multicast/promisc change): selective reset
 *    + mask, software reset, load CU/RU base 0, load dump address,
 *    configure / IA / multicast each as a lone EL CB with CU start and a
 *    bounded poll for C (multicast waits for the CU to leave "active"),
 *    then a TxCB ring of NOPs (status C|OK) whose first NOP has S, CU
 *    start, RU start at rx_head, unmask;
 *  - TX: flexible TCBs with 1-3 TBDs (standard TCB: TBD array at CB+16),
 *    S on the new TCB and cleared on the old tail, ONE CU resume per
 *    batch; I bit only when 119 TCBs are outstanding;
 *  - RX: a list whose tail has EL and link 0xffffffff; a new buffer is
 *    appended (link written, old tail's control cleared) for every frame
 *    taken; RFDs at cluster+2 (addresses = 2 mod 4); RU start at rx_head
 *    after RNR; interrupt loop reads STAT/ACK until it reads 0;
 *  - tick: dump-and-reset only when the command byte reads 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "guest.h"
#include "hw8255x.h"

#define FX_NTX		128
#define FX_NRX		64
#define FX_POOL		(FX_NRX + 16)
#define FX_TXCB_SIZE	(16 + 8 * 4)
#define FX_CLUSTER	2048
#define FX_FUDGE	2
#define FX_RX_SIZE	(FX_CLUSTER - FX_FUDGE - 16)
#define FX_CXINT_THRESH 120

struct fx {
	uint64_t txcbs;
	uint64_t txbuf[FX_NTX];
	unsigned int tx_first, tx_last, tx_queued, tx_pending;
	uint64_t rxq[FX_POOL]; /* RFD addresses, head..tail in order */
	unsigned int rx_head, rx_n;
	uint64_t pool[FX_POOL];
	unsigned int pool_head, pool_n;
	uint64_t cbp, stats;
	unsigned int nseg_rot;
};

static struct fx *FX(struct gnic *n)
{
	return n->priv;
}

static uint64_t txcb(struct fx *f, unsigned int i)
{
	return f->txcbs + (uint64_t)i * FX_TXCB_SIZE;
}

static int fx_scb_wait(struct gnic *n)
{
	return gn_wait_scb(n);
}

/* A lone control CB with EL, started with CU start, polled for C. */
static int fx_ctl_cb(struct gnic *n, uint16_t op, const uint8_t *payload,
		     size_t len)
{
	struct fx *f = FX(n);

	gn_put16(n, f->cbp, 0);
	gn_put16(n, f->cbp + 2, op | HW_CB_EL);
	gn_put32(n, f->cbp + 4, 0xffffffffu);
	memcpy(gn_mem(n, f->cbp + 8, len), payload, len);
	if (fx_scb_wait(n) < 0)
		return -1;
	gn_wr(n, HW_SCB_GP, 4, (uint32_t)f->cbp);
	gn_wr(n, HW_SCB_CMD, 1, HW_CUC_START);
	n->c.cu_starts++;
	return gn_wait_c(n, f->cbp, 20);
}

static uint64_t pool_get(struct fx *f)
{
	uint64_t a = f->pool[f->pool_head];

	f->pool_head = (f->pool_head + 1) % FX_POOL;
	f->pool_n--;
	return a;
}

static void pool_put(struct fx *f, uint64_t a)
{
	f->pool[(f->pool_head + f->pool_n) % FX_POOL] = a;
	f->pool_n++;
}

/* Append a fresh RFD (new cluster) at the tail of the list. */
static void fx_new_rfabuf(struct gnic *n)
{
	struct fx *f = FX(n);
	uint64_t r = pool_get(f) + FX_FUDGE;

	gn_put16(n, r, 0);
	gn_put16(n, r + 2, HW_CB_EL);
	gn_put32(n, r + 4, 0xffffffffu);
	gn_put32(n, r + 8, 0xffffffffu);
	gn_put16(n, r + 12, 0);
	gn_put16(n, r + 14, FX_RX_SIZE);
	if (f->rx_n) {
		uint64_t t = f->rxq[(f->rx_head + f->rx_n - 1) % FX_POOL];

		gn_put32(n, t + 4, (uint32_t)r);
		gn_put16(n, t + 2, 0);
	}
	f->rxq[(f->rx_head + f->rx_n) % FX_POOL] = r;
	f->rx_n++;
}

static int fx_init_body(struct gnic *n)
{
	struct fx *f = FX(n);
	uint8_t cfg[HW_CONFIG_LEN], mc[2 + GNIC_MAX_MC * 6];
	unsigned int cnt = n->allmulti ? 0 : n->n_mc;

	/* stop: selective reset, mask; then software reset */
	gn_port(n, HW_PORT_SEL_RESET, 0);
	gn_wr(n, HW_SCB_INTMASK, 1, HW_INT_M);
	gn_port(n, HW_PORT_SW_RESET, 0);
	n->c.resets++;
	if (gn_cmd(n, HW_CUC_LOAD_BASE, true, 0) < 0 ||
	    gn_cmd(n, HW_RUC_LOAD_BASE, true, 0) < 0 ||
	    gn_cmd(n, HW_CUC_DUMP_ADDR, true, (uint32_t)f->stats) < 0)
		return -1;
	gn_config_bytes(n, cfg);
	if (fx_ctl_cb(n, HW_OP_CONFIG, cfg, sizeof(cfg)) < 0 ||
	    fx_ctl_cb(n, HW_OP_IA, n->mac, 6) < 0)
		return -1;
	/* multicast: wait until the CU is not active */
	for (int i = 0; i < 100; i++) {
		if ((gn_rd(n, HW_SCB_STATUS, 1) & HW_CUS_MASK) != HW_CUS_ACTIVE)
			break;
		n->hw->ops->run(n->hw, 0);
	}
	hw_put16(mc, (uint16_t)(cnt * 6));
	for (unsigned int i = 0; i < cnt; i++)
		memcpy(mc + 2 + 6 * i, n->mc[i], 6);
	if (fx_ctl_cb(n, HW_OP_MCAST, mc, 2 + cnt * 6) < 0)
		return -1;
	/* TxCB ring of completed NOPs; the first one suspends the CU */
	for (unsigned int i = 0; i < FX_NTX; i++) {
		uint64_t t = txcb(f, i);

		gn_put16(n, t, HW_CB_C | HW_CB_OK);
		gn_put16(n, t + 2, HW_OP_NOP);
		gn_put32(n, t + 4, (uint32_t)txcb(f, (i + 1) % FX_NTX));
		gn_put32(n, t + 8, (uint32_t)t + 16);
	}
	f->tx_first = f->tx_last = 0;
	f->tx_queued = 1;
	f->tx_pending = 0;
	gn_put16(n, txcb(f, 0) + 2, HW_OP_NOP | HW_CB_S);
	if (gn_cmd(n, HW_CUC_START, true, (uint32_t)txcb(f, 0)) < 0)
		return -1;
	/* receiver at the head of the existing list */
	if (gn_cmd(n, HW_RUC_START, true, (uint32_t)f->rxq[f->rx_head]) < 0)
		return -1;
	gn_wr(n, HW_SCB_INTMASK, 1, 0);
	return n->err[0] ? -1 : 0;
}

static int fx_open(struct gnic *n)
{
	struct fx *f = calloc(1, sizeof(*f));
	uint8_t ee[6];

	if (!f)
		return -1;
	n->priv = f;
	n->n_cb = FX_NTX;
	n->n_rfd = FX_NRX;
	/* attach: selective + software reset, mask, MAC from the EEPROM */
	gn_port(n, HW_PORT_SEL_RESET, 0);
	gn_port(n, HW_PORT_SW_RESET, 0);
	gn_wr(n, HW_SCB_INTMASK, 1, HW_INT_M);
	for (unsigned int w = 0; w < 3; w++) {
		uint16_t v = gn_eeprom_read(n, w, true);

		ee[2 * w] = (uint8_t)v;
		ee[2 * w + 1] = (uint8_t)(v >> 8);
	}
	(void)ee; /* the MAC the test asked for is what we program */
	f->txcbs = n->hw->ops->alloc(n->hw, FX_NTX * FX_TXCB_SIZE, 4);
	f->cbp = n->hw->ops->alloc(n->hw, 16 + 2 + GNIC_MAX_MC * 6 + 32, 4);
	f->stats = n->hw->ops->alloc(n->hw, 128, 16);
	if (!f->txcbs || !f->cbp || !f->stats)
		return -1;
	for (unsigned int i = 0; i < FX_NTX; i++) {
		f->txbuf[i] = n->hw->ops->alloc(n->hw, 2048, 4);
		if (!f->txbuf[i])
			return -1;
	}
	for (unsigned int i = 0; i < FX_POOL; i++) {
		uint64_t a = n->hw->ops->alloc(n->hw, FX_CLUSTER, 4);

		if (!a)
			return -1;
		pool_put(f, a);
	}
	for (unsigned int i = 0; i < FX_NRX; i++)
		fx_new_rfabuf(n);
	return fx_init_body(n);
}

static void fx_close(struct gnic *n)
{
	gn_port(n, HW_PORT_SEL_RESET, 0);
	gn_wr(n, HW_SCB_INTMASK, 1, HW_INT_M);
	n->up = false;
}

static void fx_txeof(struct gnic *n)
{
	struct fx *f = FX(n);

	while (f->tx_queued > 0) {
		uint64_t t = txcb(f, f->tx_first);
		uint16_t st = gn_get16(n, t);

		if (!(st & HW_CB_C))
			break;
		if ((gn_get16(n, t + 2) & 7) == HW_OP_TX) {
			if (st & HW_CB_OK)
				n->c.tx_done++;
			else
				n->c.tx_bad++;
		}
		f->tx_queued--;
		f->tx_first = (f->tx_first + 1) % FX_NTX;
	}
}

static int fx_xmit(struct gnic *n, const uint8_t *frame, size_t len)
{
	struct fx *f = FX(n);
	unsigned int i, nseg;
	uint64_t t, buf;
	uint16_t cmd = HW_OP_TX | HW_CB_SF | HW_CB_S;
	size_t off = 0;

	if (f->tx_queued > FX_NTX - 8)
		fx_txeof(n);
	if (f->tx_queued >= FX_NTX - 1)
		return -EAGAIN;
	/* the raw QEMU runs 16 CBs per resume at most */
	if (n->hw->raw && f->tx_pending >= 15)
		return -EAGAIN;
	if (len > 2000)
		return -EINVAL;
	i = (f->tx_last + 1) % FX_NTX;
	t = txcb(f, i);
	buf = f->txbuf[i];
	/* scatter the frame into 1..3 segments at odd places */
	nseg = 1 + f->nseg_rot++ % 3;
	if (len < 64)
		nseg = 1;
	for (unsigned int s = 0; s < nseg; s++) {
		size_t seg = s == nseg - 1 ? len - off
					   : (s == 0 ? 14 : (len - off) / 2);
		uint64_t a = buf + off + 16 * s + 1;

		memcpy(gn_mem(n, a, seg), frame + off, seg);
		gn_put32(n, t + 16 + 8 * s, (uint32_t)a);
		gn_put16(n, t + 16 + 8 * s + 4, (uint16_t)seg);
		gn_put16(n, t + 16 + 8 * s + 6, 0);
		off += seg;
	}
	if (f->tx_queued == FX_CXINT_THRESH - 1)
		cmd |= HW_CB_I;
	gn_put16(n, t, 0);
	gn_put16(n, t + 2, cmd);
	gn_put32(n, t + 8, (uint32_t)t + 16);
	gn_put16(n, t + 12, 0);
	*(uint8_t *)gn_mem(n, t + 14, 1) = 0x40;
	*(uint8_t *)gn_mem(n, t + 15, 1) = (uint8_t)nseg;
	/* the old tail lets the CU go on */
	gn_put16(n, txcb(f, f->tx_last) + 2,
		 gn_get16(n, txcb(f, f->tx_last) + 2) & (uint16_t)~HW_CB_S);
	f->tx_last = i;
	f->tx_queued++;
	f->tx_pending++;
	n->c.tx_queued++;
	return 0;
}

static void fx_kick(struct gnic *n)
{
	struct fx *f = FX(n);

	if (!f->tx_pending)
		return;
	f->tx_pending = 0;
	if (fx_scb_wait(n) < 0)
		return;
	gn_wr(n, HW_SCB_CMD, 1, HW_CUC_RESUME);
	n->c.cu_resumes++;
}

static void fx_rxeof(struct gnic *n, bool rnr)
{
	struct fx *f = FX(n);

	while (f->rx_n) {
		uint64_t r = f->rxq[f->rx_head];
		uint16_t st = gn_get16(n, r);
		size_t len;

		if (!(st & HW_CB_C))
			break;
		if (st & 0x0200)
			rnr = true;
		/* take it off the head, append a new buffer at the tail */
		f->rx_head = (f->rx_head + 1) % FX_POOL;
		f->rx_n--;
		fx_new_rfabuf(n);
		len = gn_get16(n, r + 12) & HW_RFD_COUNT_MASK;
		if (len < 14 || len > FX_RX_SIZE || (st & 0x0d00)) {
			n->c.rx_bad++;
		} else {
			n->c.rx_frames++;
			n->c.rx_bytes += len;
			if (n->rx)
				n->rx(n->rx_arg, gn_mem(n, r + 16, len), len,
				      st);
		}
		pool_put(f, r - FX_FUDGE);
	}
	if (rnr) {
		fx_scb_wait(n);
		gn_wr(n, HW_SCB_GP, 4, (uint32_t)f->rxq[f->rx_head]);
		gn_wr(n, HW_SCB_CMD, 1, HW_RUC_START);
		n->c.ru_starts++;
	}
}

static void fx_service(struct gnic *n)
{
	uint8_t st;
	int loops = 0;

	if (!n->up || !n->hw->ops->irq(n->hw))
		return;
	while ((st = (uint8_t)gn_rd(n, HW_SCB_STATACK, 1)) != 0 &&
	       loops++ < 16) {
		if (st == 0xff)
			return;
		n->c.irqs++;
		gn_wr(n, HW_SCB_STATACK, 1, st);
		if (st & (HW_ST_CX | HW_ST_CNA))
			fx_txeof(n);
		if (st & (HW_ST_FR | HW_ST_RNR))
			fx_rxeof(n, (st & HW_ST_RNR) != 0);
	}
	if (loops == 0)
		n->c.irq_none++;
}

static int fx_set_rx_mode(struct gnic *n)
{
	/* FreeBSD re-runs the whole init (software reset included) */
	fx_txeof(n);
	return fx_init_body(n);
}

static int fx_stats(struct gnic *n, uint32_t out[16])
{
	struct fx *f = FX(n);

	gn_put32(n, f->stats + HW_STATS_DONE_557, 0);
	if (gn_cmd(n, HW_CUC_DUMP_RESET, false, 0) < 0 ||
	    gn_wait_c(n, f->stats + HW_STATS_DONE_557, 500) < 0)
		return -1;
	for (int i = 0; i < 16; i++) {
		out[i] = gn_get32(n, f->stats + 4u * i);
		n->stats_acc[i] += out[i];
	}
	n->c.stats_dumps++;
	return gn_get32(n, f->stats + HW_STATS_DONE_557) == HW_STATS_DONE_RESET
		       ? 0
		       : -1;
}

static void fx_tick(struct gnic *n)
{
	struct fx *f = FX(n);

	if (gn_get32(n, f->stats + HW_STATS_DONE_557) == HW_STATS_DONE_RESET) {
		for (int i = 0; i < 16; i++)
			n->stats_acc[i] += gn_get32(n, f->stats + 4u * i);
		gn_put32(n, f->stats + HW_STATS_DONE_557, 0);
		n->c.stats_dumps++;
	}
	if (gn_rd(n, HW_SCB_CMD, 1) == 0)
		gn_wr(n, HW_SCB_CMD, 1, HW_CUC_DUMP_RESET);
	fx_txeof(n);
}

const struct gdrv gdrv_fxp = {
	.name = "freebsd-fxp",
	.bar = 0,
	.open = fx_open,
	.close = fx_close,
	.xmit = fx_xmit,
	.kick = fx_kick,
	.service = fx_service,
	.set_rx_mode = fx_set_rx_mode,
	.stats = fx_stats,
	.tick = fx_tick,
};
