/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test guest driver, Linux e100 style (shared/refs/e100-facts.md §8):
 *  - MMIO BAR, 8-bit accesses to the SCB bytes, 32-bit GP/PORT/MDI;
 *  - reset = PORT selective reset, PORT software reset, mask;
 *  - self-test, PHY probe, load CU/RU base 0, configure and IA setup as
 *    CBs in the TX ring, load dump address, dump-and-reset, then
 *    configure + multicast (set_multicast_list), RU start, unmask;
 *  - one CBL ring for everything: S on the new CB before clearing S on the
 *    previous one, then CU start the first time and one CU resume per
 *    queued CB; I bit on every 16th TCB; flexible TCB with one TBD at
 *    CB+16;
 *  - RFA ring whose "before-last" RFD has EL and size 0, moved on refill
 *    (new marker first, then the old one cleared), buffers that change
 *    address on every refill, RU start at rx_to_clean after RNR;
 *  - ISR: read STAT/ACK byte, write it back, RNR => RU suspended, mask
 *    and poll (NAPI), unmask when done; watchdog: dump-and-reset without
 *    waiting, 82557 configure+multicast re-send, software interrupt.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "guest.h"
#include "hw8255x.h"

#define LX_NCB	   64
#define LX_NRFD	   256
#define LX_POOL	   (LX_NRFD + 32)
#define LX_CB_SIZE 400
#define LX_RFD_BUF 1544 /* 16-byte RFD + 1522 bytes, rounded */
#define LX_RX_SIZE 1522
#define LX_BUDGET  64

enum { RU_SUSPENDED, RU_RUNNING, RU_UNINIT };

struct lx_rx {
	uint64_t gpa;
	bool skb;
};

struct lx {
	uint64_t cbs;
	uint64_t txbuf[LX_NCB];
	bool cb_is_tx[LX_NCB];
	unsigned int cb_use, cb_send, cb_clean, cbs_avail;
	uint8_t cuc_cmd;
	struct lx_rx rx[LX_NRFD];
	unsigned int rx_clean, rx_use;
	uint64_t pool[LX_POOL];
	unsigned int pool_head, pool_n;
	uint64_t stats, selftest;
	int ru;
	bool napi;
	uint16_t phy_id[2];
};

static struct lx *LX(struct gnic *n)
{
	return n->priv;
}

static uint64_t cb_gpa(struct lx *l, unsigned int i)
{
	return l->cbs + (uint64_t)i * LX_CB_SIZE;
}

static void lx_flush(struct gnic *n)
{
	(void)gn_rd(n, HW_SCB_STATUS, 1);
}

static void lx_hw_reset(struct gnic *n)
{
	gn_port(n, HW_PORT_SEL_RESET, 0);
	lx_flush(n);
	gn_port(n, HW_PORT_SW_RESET, 0);
	lx_flush(n);
	gn_wr(n, HW_SCB_INTMASK, 1, HW_INT_M);
	lx_flush(n);
	n->c.resets++;
}

static int lx_exec_cmd(struct gnic *n, uint8_t cmd, uint32_t gp)
{
	return gn_cmd(n, cmd, cmd != HW_CUC_RESUME, gp);
}

typedef void (*lx_prep_fn)(struct gnic *n, unsigned int slot, const void *arg,
			   size_t len);

static int lx_exec_cb(struct gnic *n, lx_prep_fn prep, const void *arg,
		      size_t len)
{
	struct lx *l = LX(n);
	unsigned int slot, prev;
	uint64_t cb;

	if (!l->cbs_avail)
		return -ENOMEM;
	slot = l->cb_use;
	l->cb_use = (slot + 1) % LX_NCB;
	l->cbs_avail--;
	cb = cb_gpa(l, slot);
	prep(n, slot, arg, len);
	/* S on the new CB first, then clear it on the previous one */
	gn_put16(n, cb + 2, gn_get16(n, cb + 2) | HW_CB_S);
	prev = (slot + LX_NCB - 1) % LX_NCB;
	gn_put16(n, cb_gpa(l, prev) + 2,
		 gn_get16(n, cb_gpa(l, prev) + 2) & (uint16_t)~HW_CB_S);
	while (l->cb_send != l->cb_use) {
		if (lx_exec_cmd(n, l->cuc_cmd,
				(uint32_t)cb_gpa(l, l->cb_send)) < 0)
			break; /* stays queued, retried with the next CB */
		l->cuc_cmd = HW_CUC_RESUME;
		l->cb_send = (l->cb_send + 1) % LX_NCB;
	}
	return 0;
}

static void prep_config(struct gnic *n, unsigned int slot, const void *arg,
			size_t len)
{
	uint64_t cb = cb_gpa(LX(n), slot);
	uint8_t cfg[HW_CONFIG_LEN];

	(void)arg;
	(void)len;
	LX(n)->cb_is_tx[slot] = false;
	gn_config_bytes(n, cfg);
	gn_put16(n, cb + 2, HW_OP_CONFIG);
	memcpy(gn_mem(n, cb + 8, HW_CONFIG_LEN), cfg, HW_CONFIG_LEN);
}

static void prep_ia(struct gnic *n, unsigned int slot, const void *arg,
		    size_t len)
{
	uint64_t cb = cb_gpa(LX(n), slot);

	(void)arg;
	(void)len;
	LX(n)->cb_is_tx[slot] = false;
	gn_put16(n, cb + 2, HW_OP_IA);
	memcpy(gn_mem(n, cb + 8, 6), n->mac, 6);
}

static void prep_multi(struct gnic *n, unsigned int slot, const void *arg,
		       size_t len)
{
	uint64_t cb = cb_gpa(LX(n), slot);
	unsigned int cnt = n->allmulti ? 0 : n->n_mc;

	(void)arg;
	(void)len;
	LX(n)->cb_is_tx[slot] = false;
	gn_put16(n, cb + 2, HW_OP_MCAST);
	gn_put16(n, cb + 8, (uint16_t)(cnt * 6));
	for (unsigned int i = 0; i < cnt; i++)
		memcpy(gn_mem(n, cb + 10 + 6 * i, 6), n->mc[i], 6);
}

static void prep_xmit(struct gnic *n, unsigned int slot, const void *frame,
		      size_t len)
{
	struct lx *l = LX(n);
	uint64_t cb = cb_gpa(l, slot);
	uint16_t cmd = HW_OP_TX | HW_CB_SF;

	l->cb_is_tx[slot] = true;
	memcpy(gn_mem(n, l->txbuf[slot], len), frame, len);
	/* interrupt every 16 packets */
	if ((l->cbs_avail & ~15u) == l->cbs_avail)
		cmd |= HW_CB_I;
	gn_put16(n, cb + 2, cmd);
	gn_put32(n, cb + HW_TCB_TBD_ADDR, (uint32_t)cb + 16);
	gn_put16(n, cb + HW_TCB_COUNT, 0);
	*(uint8_t *)gn_mem(n, cb + HW_TCB_THRESH, 1) = 0xe0;
	*(uint8_t *)gn_mem(n, cb + HW_TCB_TBD_NUM, 1) = 1;
	gn_put32(n, cb + 16, (uint32_t)l->txbuf[slot]);
	gn_put16(n, cb + 20, (uint16_t)len);
	gn_put16(n, cb + 22, 0);
}

static void lx_tx_clean(struct gnic *n)
{
	struct lx *l = LX(n);

	while (l->cbs_avail < LX_NCB) {
		uint64_t cb = cb_gpa(l, l->cb_clean);
		uint16_t st = gn_get16(n, cb);

		if (!(st & HW_CB_C))
			break;
		if (l->cb_is_tx[l->cb_clean]) {
			if (st & HW_CB_OK)
				n->c.tx_done++;
			else
				n->c.tx_bad++;
		}
		gn_put16(n, cb, 0);
		l->cbs_avail++;
		l->cb_clean = (l->cb_clean + 1) % LX_NCB;
	}
}

/* -- RX ------------------------------------------------------------------- */

static uint64_t pool_get(struct lx *l)
{
	uint64_t a = l->pool[l->pool_head];

	l->pool_head = (l->pool_head + 1) % LX_POOL;
	l->pool_n--;
	return a;
}

static void pool_put(struct lx *l, uint64_t a)
{
	l->pool[(l->pool_head + l->pool_n) % LX_POOL] = a;
	l->pool_n++;
}

static void lx_rx_alloc(struct gnic *n, unsigned int i)
{
	struct lx *l = LX(n);
	unsigned int prev = (i + LX_NRFD - 1) % LX_NRFD;
	uint64_t r = pool_get(l);

	l->rx[i].gpa = r;
	l->rx[i].skb = true;
	/* the blank RFD: command 0, link 0, no RBD, full size */
	gn_put16(n, r, 0);
	gn_put16(n, r + 2, 0);
	gn_put32(n, r + 4, 0);
	gn_put32(n, r + 8, 0xffffffffu);
	gn_put16(n, r + 12, 0);
	gn_put16(n, r + 14, LX_RX_SIZE);
	if (l->rx[prev].skb)
		gn_put32(n, l->rx[prev].gpa + 4, (uint32_t)r);
}

static unsigned int before_last(struct lx *l)
{
	return (l->rx_use + LX_NRFD - 2) % LX_NRFD;
}

static void set_marker(struct gnic *n, unsigned int i)
{
	uint64_t r = LX(n)->rx[i].gpa;

	/* QEMU would write a size-0 RFD: keep the size in raw mode */
	if (!n->hw->raw)
		gn_put16(n, r + 14, 0);
	gn_put16(n, r + 2, gn_get16(n, r + 2) | HW_CB_EL);
}

static void lx_start_receiver(struct gnic *n)
{
	struct lx *l = LX(n);

	if (l->ru != RU_SUSPENDED)
		return;
	if (!l->rx[l->rx_clean].skb)
		return;
	if (lx_exec_cmd(n, HW_RUC_START, (uint32_t)l->rx[l->rx_clean].gpa) == 0)
		l->ru = RU_RUNNING;
}

static void fast_restart_check(struct gnic *n, uint16_t cmd)
{
	struct lx *l = LX(n);

	if ((cmd & HW_CB_EL) && l->ru == RU_RUNNING &&
	    (gn_rd(n, HW_SCB_STATUS, 1) & HW_RUS_NORES))
		l->ru = RU_SUSPENDED;
}

static int lx_rx_indicate(struct gnic *n, unsigned int i)
{
	struct lx *l = LX(n);
	uint64_t r = l->rx[i].gpa;
	uint16_t st = gn_get16(n, r);
	uint16_t cmd = gn_get16(n, r + 2);
	size_t len;

	if (!(st & HW_CB_C)) {
		fast_restart_check(n, cmd);
		return -ENODATA;
	}
	len = gn_get16(n, r + 12) & HW_RFD_COUNT_MASK;
	if (len > LX_RX_SIZE)
		len = LX_RX_SIZE;
	fast_restart_check(n, cmd);
	l->rx_clean = (i + 1) % LX_NRFD;
	l->rx[i].skb = false;
	if (!(st & HW_CB_OK)) {
		n->c.rx_bad++;
	} else if (len == 0) {
		n->c.rx_empty++;
	} else {
		n->c.rx_frames++;
		n->c.rx_bytes += len;
		if (n->rx)
			n->rx(n->rx_arg, gn_mem(n, r + 16, len), len, st);
	}
	pool_put(l, r);
	return 0;
}

static int lx_rx_clean(struct gnic *n, int budget)
{
	struct lx *l = LX(n);
	int work = 0;
	bool restart;
	unsigned int old_bl, new_bl;

	bool quota = false;

	while (l->rx[l->rx_clean].skb) {
		if (work >= budget) {
			quota = true;
			break;
		}
		if (lx_rx_indicate(n, l->rx_clean) < 0)
			break;
		work++;
	}
	/* never restart with a partly cleaned list (quota hit) */
	restart = !quota && l->ru == RU_SUSPENDED;
	old_bl = before_last(l);
	while (!l->rx[l->rx_use].skb) {
		lx_rx_alloc(n, l->rx_use);
		l->rx_use = (l->rx_use + 1) % LX_NRFD;
	}
	new_bl = before_last(l);
	if (new_bl != old_bl) {
		uint64_t o = l->rx[old_bl].gpa;

		set_marker(n, new_bl);
		gn_put16(n, o + 2, gn_get16(n, o + 2) & (uint16_t)~HW_CB_EL);
		gn_put16(n, o + 14, LX_RX_SIZE);
	}
	if (restart) {
		gn_wr(n, HW_SCB_STATACK, 1, HW_ST_RNR);
		lx_start_receiver(n);
	}
	return work;
}

static int lx_rx_alloc_list(struct gnic *n)
{
	struct lx *l = LX(n);

	l->pool_head = 0;
	l->pool_n = 0;
	for (unsigned int i = 0; i < LX_POOL; i++) {
		uint64_t a = n->hw->ops->alloc(n->hw, LX_RFD_BUF, 8);

		if (!a)
			return -1;
		pool_put(l, a);
	}
	l->rx_clean = l->rx_use = 0;
	l->ru = RU_SUSPENDED;
	for (unsigned int i = 0; i < LX_NRFD; i++)
		lx_rx_alloc(n, i);
	/* rx_use points at the first RFD: the before-last is N-2 */
	set_marker(n, before_last(l));
	return 0;
}

/* -- control ----------------------------------------------------------------
 */

static int lx_set_rx_mode(struct gnic *n)
{
	if (lx_exec_cb(n, prep_config, NULL, 0) < 0 ||
	    lx_exec_cb(n, prep_multi, NULL, 0) < 0)
		return -1;
	return 0;
}

static int lx_self_test(struct gnic *n)
{
	struct lx *l = LX(n);
	uint64_t deadline;

	gn_put32(n, l->selftest, 0);
	gn_put32(n, l->selftest + 4, 0xffffffffu);
	gn_port(n, HW_PORT_SELFTEST, (uint32_t)l->selftest);
	lx_flush(n);
	deadline = gn_now_ms() + 100;
	while (gn_get32(n, l->selftest) == 0 && gn_now_ms() < deadline)
		n->hw->ops->run(n->hw, 1);
	/* self-test leaves interrupts unmasked */
	gn_wr(n, HW_SCB_INTMASK, 1, HW_INT_M);
	lx_flush(n);
	if (gn_get32(n, l->selftest) == 0 ||
	    gn_get32(n, l->selftest + 4) != 0) {
		gn_fail(n, "self-test: signature 0x%x result 0x%x",
			gn_get32(n, l->selftest), gn_get32(n, l->selftest + 4));
		return -1;
	}
	return 0;
}

static int lx_hw_init(struct gnic *n)
{
	struct lx *l = LX(n);
	uint16_t v = 0;

	lx_hw_reset(n);
	if (lx_self_test(n) < 0)
		return -1;
	/* PHY at address 1: ID and status */
	if (gn_mdi(n, false, 1, 2, &l->phy_id[0]) < 0 ||
	    gn_mdi(n, false, 1, 3, &l->phy_id[1]) < 0 ||
	    gn_mdi(n, false, 1, 1, &v) < 0)
		return -1;
	if (lx_exec_cmd(n, HW_CUC_LOAD_BASE, 0) < 0 ||
	    lx_exec_cmd(n, HW_RUC_LOAD_BASE, 0) < 0)
		return -1;
	if (lx_exec_cb(n, prep_config, NULL, 0) < 0 ||
	    lx_exec_cb(n, prep_ia, NULL, 0) < 0)
		return -1;
	if (lx_exec_cmd(n, HW_CUC_DUMP_ADDR, (uint32_t)l->stats) < 0 ||
	    lx_exec_cmd(n, HW_CUC_DUMP_RESET, 0) < 0)
		return -1;
	gn_wr(n, HW_SCB_INTMASK, 1, HW_INT_M);
	lx_flush(n);
	return 0;
}

static int lx_open(struct gnic *n)
{
	struct lx *l = calloc(1, sizeof(*l));

	if (!l)
		return -1;
	n->priv = l;
	n->n_cb = LX_NCB;
	n->n_rfd = LX_NRFD;
	if (lx_rx_alloc_list(n) < 0)
		return -1;
	l->cbs = n->hw->ops->alloc(n->hw, LX_NCB * LX_CB_SIZE, 8);
	l->stats = n->hw->ops->alloc(n->hw, 16 * 4 + 4 + 596, 16);
	l->selftest = n->hw->ops->alloc(n->hw, 16, 16);
	if (!l->cbs || !l->stats || !l->selftest)
		return -1;
	for (unsigned int i = 0; i < LX_NCB; i++) {
		l->txbuf[i] = n->hw->ops->alloc(n->hw, 2048, 2);
		if (!l->txbuf[i])
			return -1;
		gn_put32(n, cb_gpa(l, i) + 4,
			 (uint32_t)cb_gpa(l, (i + 1) % LX_NCB));
	}
	l->cb_use = l->cb_send = l->cb_clean = 0;
	l->cbs_avail = LX_NCB;
	l->cuc_cmd = HW_CUC_START;
	if (lx_hw_init(n) < 0 || lx_set_rx_mode(n) < 0)
		return -1;
	lx_start_receiver(n);
	gn_wr(n, HW_SCB_INTMASK, 1, 0);
	lx_flush(n);
	return n->err[0] ? -1 : 0;
}

static void lx_close(struct gnic *n)
{
	lx_hw_reset(n);
	n->up = false;
}

static int lx_xmit(struct gnic *n, const uint8_t *frame, size_t len)
{
	if (len > 2000)
		return -EINVAL;
	if (lx_exec_cb(n, prep_xmit, frame, len) < 0)
		return -EAGAIN;
	n->c.tx_queued++;
	return 0;
}

static void lx_kick(struct gnic *n)
{
	(void)n;
}

static void lx_isr(struct gnic *n)
{
	struct lx *l = LX(n);
	uint8_t st = (uint8_t)gn_rd(n, HW_SCB_STATACK, 1);

	if (st == 0x00 || st == 0xff) {
		n->c.irq_none++;
		return;
	}
	n->c.irqs++;
	gn_wr(n, HW_SCB_STATACK, 1, st);
	if (st & HW_ST_RNR)
		l->ru = RU_SUSPENDED;
	gn_wr(n, HW_SCB_INTMASK, 1, HW_INT_M);
	lx_flush(n);
	l->napi = true;
}

static void lx_service(struct gnic *n)
{
	struct lx *l = LX(n);

	if (!n->up)
		return;
	if (n->hw->ops->irq(n->hw))
		lx_isr(n);
	if (l->napi) {
		int work = lx_rx_clean(n, LX_BUDGET);

		lx_tx_clean(n);
		if (work < LX_BUDGET) {
			l->napi = false;
			gn_wr(n, HW_SCB_INTMASK, 1, 0);
			lx_flush(n);
		}
	}
}

static int lx_stats(struct gnic *n, uint32_t out[16])
{
	struct lx *l = LX(n);

	gn_put32(n, l->stats + HW_STATS_DONE_557, 0);
	if (lx_exec_cmd(n, HW_CUC_DUMP_RESET, 0) < 0 ||
	    gn_wait_c(n, l->stats + HW_STATS_DONE_557, 500) < 0)
		return -1;
	if (gn_get32(n, l->stats + HW_STATS_DONE_557) != HW_STATS_DONE_RESET) {
		gn_fail(n, "dump completion 0x%x",
			gn_get32(n, l->stats + HW_STATS_DONE_557));
		return -1;
	}
	for (int i = 0; i < 16; i++) {
		out[i] = gn_get32(n, l->stats + 4u * i);
		n->stats_acc[i] += out[i];
	}
	n->c.stats_dumps++;
	return 0;
}

static void lx_tick(struct gnic *n)
{
	struct lx *l = LX(n);

	if (gn_get32(n, l->stats + HW_STATS_DONE_557) == HW_STATS_DONE_RESET) {
		for (int i = 0; i < 16; i++)
			n->stats_acc[i] += gn_get32(n, l->stats + 4u * i);
		gn_put32(n, l->stats + HW_STATS_DONE_557, 0);
		n->c.stats_dumps++;
	}
	lx_exec_cmd(n, HW_CUC_DUMP_RESET, 0);
	/* 82557 lock-up workaround: configure + multicast again */
	lx_set_rx_mode(n);
	/* software interrupt: read-modify-write of the mask byte */
	gn_wr(n, HW_SCB_INTMASK, 1,
	      (gn_rd(n, HW_SCB_INTMASK, 1) | HW_INT_SI) & 0xff);
	lx_flush(n);
}

const struct gdrv gdrv_linux = {
	.name = "linux-e100",
	.bar = 0,
	.open = lx_open,
	.close = lx_close,
	.xmit = lx_xmit,
	.kick = lx_kick,
	.service = lx_service,
	.set_rx_mode = lx_set_rx_mode,
	.stats = lx_stats,
	.tick = lx_tick,
};
