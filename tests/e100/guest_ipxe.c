/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test guest driver, iPXE style (shared/refs/e100-facts.md §8.2):
 *  - I/O BAR only, polled (interrupts masked with a 16-bit 0x0100 write to
 *    the command word), 16-bit status read + 16-bit write-back as ack;
 *  - reset: PORT selective, status read, PORT software, status read,
 *    16-bit mask write;
 *  - open: load RU base, load dump address (never dumped), load CU base;
 *    4 RFDs, each new one with S|EL and link 0, the previous one cleared
 *    and linked; IA CB (no S/EL) linked to a configure CB with S whose
 *    link is the TCB ring; CU start at the IA, wait <= 10 ms for the
 *    configure status to become non-zero; RU start;
 *  - TX: ring of 4 TCBs at 2-byte aligned addresses, S|TX|SF, count dword
 *    0x01208000 (EOF, threshold 0x20, one TBD at TCB+16); the first
 *    frame after configure and any frame while the CU is idle use CU
 *    start, the others clear S on the previous TCB and CU resume;
 *  - completion = "status != 0" (U bit = error), for TCBs and RFDs; after
 *    RX the RU is restarted at cur_rx when RUS is suspended/no resources.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "guest.h"
#include "hw8255x.h"

#define IP_NTX	    4
#define IP_NRX	    4
#define IP_RX_SIZE  1518
#define IP_TCB_SIZE 32

struct ip {
	uint64_t tcb[IP_NTX], txbuf[IP_NTX];
	unsigned int tx_head, tx_tail, tx_fill;
	uint64_t rfd[IP_NRX];
	unsigned int rx_cur;
	uint64_t ia_cb, cfg_cb, stats;
	bool started; /* a CU start happened since configure */
};

static struct ip *IP(struct gnic *n)
{
	return n->priv;
}

static void ip_reset(struct gnic *n)
{
	gn_port(n, HW_PORT_SEL_RESET, 0);
	(void)gn_rd(n, HW_SCB_STATUS, 2);
	gn_port(n, HW_PORT_SW_RESET, 0);
	(void)gn_rd(n, HW_SCB_STATUS, 2);
	gn_wr(n, HW_SCB_CMD, 2, 0x0100);
	n->c.resets++;
}

/* iPXE: GP then an 8-bit command, then wait for acceptance */
static int ip_scb_cmd(struct gnic *n, uint32_t ptr, uint8_t cmd)
{
	gn_wr(n, HW_SCB_GP, 4, ptr);
	gn_wr(n, HW_SCB_CMD, 1, cmd);
	if ((cmd & 0xf0) == HW_CUC_START)
		n->c.cu_starts++;
	if ((cmd & 7) == HW_RUC_START)
		n->c.ru_starts++;
	for (int i = 0; i < 1000; i++)
		if (gn_rd(n, HW_SCB_CMD, 1) == 0)
			return 0;
	n->c.cmd_timeouts++;
	gn_fail(n, "command 0x%02x not accepted", cmd);
	return -1;
}

static void ip_rfd_arm(struct gnic *n, unsigned int i)
{
	struct ip *p = IP(n);
	uint64_t r = p->rfd[i];
	uint64_t prev = p->rfd[(i + IP_NRX - 1) % IP_NRX];

	gn_put16(n, r, 0);
	gn_put16(n, r + 2, HW_CB_S | HW_CB_EL);
	gn_put32(n, r + 4, 0);
	gn_put32(n, r + 8, 0xffffffffu);
	gn_put16(n, r + 12, 0);
	gn_put16(n, r + 14, IP_RX_SIZE);
	/* the previous one becomes an ordinary link to this one */
	gn_put32(n, prev + 4, (uint32_t)r);
	gn_put16(n, prev + 2, 0);
}

static int ip_open(struct gnic *n)
{
	struct ip *p = calloc(1, sizeof(*p));
	uint8_t cfg[HW_CONFIG_LEN];

	if (!p)
		return -1;
	n->priv = p;
	n->n_cb = IP_NTX;
	n->n_rfd = IP_NRX;
	ip_reset(n);
	p->stats = n->hw->ops->alloc(n->hw, 68, 16);
	p->ia_cb = n->hw->ops->alloc(n->hw, 16, 2);
	p->cfg_cb = n->hw->ops->alloc(n->hw, 32, 2);
	if (!p->stats || !p->ia_cb || !p->cfg_cb)
		return -1;
	/* TCBs only 2-byte aligned: allocate 1 byte off and step past */
	for (unsigned int i = 0; i < IP_NTX; i++) {
		p->tcb[i] = n->hw->ops->alloc(n->hw, IP_TCB_SIZE + 2, 4) + 2;
		p->txbuf[i] = n->hw->ops->alloc(n->hw, 1536, 2);
	}
	for (unsigned int i = 0; i < IP_NRX; i++)
		p->rfd[i] = n->hw->ops->alloc(n->hw, 16 + IP_RX_SIZE, 4);
	if (ip_scb_cmd(n, 0, HW_RUC_LOAD_BASE) < 0 ||
	    ip_scb_cmd(n, (uint32_t)p->stats, HW_CUC_DUMP_ADDR) < 0 ||
	    ip_scb_cmd(n, 0, HW_CUC_LOAD_BASE) < 0)
		return -1;
	/* RX ring: each new RFD S|EL, predecessor cleared and linked */
	for (unsigned int i = 0; i < IP_NRX; i++)
		ip_rfd_arm(n, i);
	p->rx_cur = 0;
	/* TX ring links */
	for (unsigned int i = 0; i < IP_NTX; i++) {
		gn_put16(n, p->tcb[i], 0);
		gn_put16(n, p->tcb[i] + 2, 0);
		gn_put32(n, p->tcb[i] + 4, (uint32_t)p->tcb[(i + 1) % IP_NTX]);
	}
	p->tx_head = p->tx_tail = p->tx_fill = 0;
	/* IA -> configure(S) -> TCB ring */
	gn_put16(n, p->ia_cb, 0);
	gn_put16(n, p->ia_cb + 2, HW_OP_IA);
	gn_put32(n, p->ia_cb + 4, (uint32_t)p->cfg_cb);
	memcpy(gn_mem(n, p->ia_cb + 8, 6), n->mac, 6);
	gn_config_bytes(n, cfg);
	gn_put16(n, p->cfg_cb, 0);
	gn_put16(n, p->cfg_cb + 2, HW_OP_CONFIG | HW_CB_S);
	gn_put32(n, p->cfg_cb + 4, (uint32_t)p->tcb[0]);
	memcpy(gn_mem(n, p->cfg_cb + 8, HW_CONFIG_LEN), cfg, HW_CONFIG_LEN);
	if (ip_scb_cmd(n, (uint32_t)p->ia_cb, HW_CUC_START) < 0)
		return -1;
	{
		uint64_t deadline = gn_now_ms() + 10;

		while (gn_get16(n, p->cfg_cb) == 0) {
			if (gn_now_ms() > deadline) {
				gn_fail(n, "configure never completed");
				return -1;
			}
			n->hw->ops->run(n->hw, 0);
		}
	}
	p->started = false;
	if (ip_scb_cmd(n, (uint32_t)p->rfd[0], HW_RUC_START) < 0)
		return -1;
	return 0;
}

static void ip_close(struct gnic *n)
{
	ip_reset(n);
	n->up = false;
}

static void ip_tx_process(struct gnic *n)
{
	struct ip *p = IP(n);

	while (p->tx_fill) {
		uint64_t t = p->tcb[p->tx_tail];
		uint16_t st = gn_get16(n, t);

		if (st == 0)
			break;
		if (st & HW_CB_U)
			n->c.tx_bad++;
		else
			n->c.tx_done++;
		p->tx_tail = (p->tx_tail + 1) % IP_NTX;
		p->tx_fill--;
	}
}

static int ip_xmit(struct gnic *n, const uint8_t *frame, size_t len)
{
	struct ip *p = IP(n);
	unsigned int i = p->tx_head;
	uint64_t t = p->tcb[i];
	uint64_t prev = p->tcb[(i + IP_NTX - 1) % IP_NTX];

	ip_tx_process(n);
	if (p->tx_fill == IP_NTX)
		return -EAGAIN;
	if (len > 1536)
		return -EINVAL;
	memcpy(gn_mem(n, p->txbuf[i], len), frame, len);
	gn_put16(n, t, 0);
	gn_put16(n, t + 2, HW_CB_S | HW_OP_TX | HW_CB_SF);
	gn_put32(n, t + 8, (uint32_t)t + 16);
	gn_put32(n, t + 12, 0x01208000u);
	gn_put32(n, t + 16, (uint32_t)p->txbuf[i]);
	gn_put16(n, t + 20, (uint16_t)(len & 0x3fff));
	gn_put16(n, t + 22, 0);
	p->tx_head = (i + 1) % IP_NTX;
	p->tx_fill++;
	n->c.tx_queued++;
	if (!p->started ||
	    (gn_rd(n, HW_SCB_STATUS, 2) & HW_CUS_MASK) == HW_CUS_IDLE) {
		p->started = true;
		return ip_scb_cmd(n, (uint32_t)t, HW_CUC_START) < 0 ? -EIO : 0;
	}
	gn_wr(n, HW_SCB_GP, 4, 0);
	gn_put16(n, prev + 2, gn_get16(n, prev + 2) & (uint16_t)~HW_CB_S);
	gn_wr(n, HW_SCB_CMD, 1, HW_CUC_RESUME);
	n->c.cu_resumes++;
	return 0;
}

static void ip_kick(struct gnic *n)
{
	(void)n;
}

static void ip_rx_process(struct gnic *n)
{
	struct ip *p = IP(n);
	unsigned int rus;

	for (;;) {
		uint64_t r = p->rfd[p->rx_cur];
		uint16_t st = gn_get16(n, r);
		size_t len;

		if (st == 0)
			break;
		len = gn_get16(n, r + 12) & HW_RFD_COUNT_MASK;
		if (!(st & HW_CB_OK) || len > IP_RX_SIZE) {
			n->c.rx_bad++;
		} else {
			n->c.rx_frames++;
			n->c.rx_bytes += len;
			if (n->rx)
				n->rx(n->rx_arg, gn_mem(n, r + 16, len), len,
				      st);
		}
		ip_rfd_arm(n, p->rx_cur);
		p->rx_cur = (p->rx_cur + 1) % IP_NRX;
	}
	rus = (gn_rd(n, HW_SCB_STATUS, 2) & HW_RUS_MASK) >> 2;
	if (rus == 1 || rus == 2 || rus == 9 || rus == 10 || rus == 12)
		ip_scb_cmd(n, (uint32_t)p->rfd[p->rx_cur], HW_RUC_START);
}

static void ip_service(struct gnic *n)
{
	uint16_t st;

	if (!n->up)
		return;
	/* polled: ack whatever is pending with a 16-bit write-back */
	st = (uint16_t)gn_rd(n, HW_SCB_STATUS, 2);
	if (st & 0xff00) {
		gn_wr(n, HW_SCB_STATUS, 2, st);
		n->c.irqs++;
	}
	ip_tx_process(n);
	ip_rx_process(n);
}

static int ip_set_rx_mode(struct gnic *n)
{
	(void)n;
	return 0; /* iPXE has no multicast list */
}

const struct gdrv gdrv_ipxe = {
	.name = "ipxe",
	.bar = 1,
	.open = ip_open,
	.close = ip_close,
	.xmit = ip_xmit,
	.kick = ip_kick,
	.service = ip_service,
	.set_rx_mode = ip_set_rx_mode,
	.stats = NULL,
	.tick = NULL,
};
