// SPDX-License-Identifier: BSD-2-Clause
/*
 * drivers/e100: the shadowed rings.
 *
 *  - Guest CU: the guest's command block list is walked here, never by the
 *    device. Each CB is snapshotted once with pp_guest_read(), validated and
 *    executed: transmit frames are gathered into a bounce buffer and handed
 *    to pp_nic_from_guest(); control CBs (configure, IA, multicast,
 *    diagnose) are copied into the backend's own CBL and run on the real
 *    device; the rest is emulated or refused. The guest CB's status is then
 *    written with one 16-bit store and I/S/EL are honoured (CX, CNA,
 *    Suspended/Idle) [M p58-59, p105-107].
 *  - Guest RU: ->guest_rx writes frames into the guest's RFDs [M p100-101,
 *    p108-110].
 *  - Real device: the backend's own CBL (TCBs and control CBs, S-bit
 *    suspend/resume protocol, at most E100_KICK_MAX CBs per start/resume)
 *    and its own RFA (EL on the tail, restarted on RNR), in DMA memory.
 *
 * Every walk is bounded, every guest address is checked by the core and
 * kept below 4 GiB here (the device's address space), and no guest
 * address is ever written to the device.
 */
#include <errno.h>
#include <string.h>

#include "e100.h"

/* ---------------------------------------------------------------------- */
/* Guest memory in the device's 32-bit address space                      */
/* ---------------------------------------------------------------------- */

#define E100_4G (1ull << 32)

/* A guest structure at a 32-bit device address must not wrap past 4 GiB. */
static bool e100_gspan_ok(uint64_t gpa, size_t len)
{
	return gpa < E100_4G && len <= E100_4G - gpa;
}

int e100_gread(struct e100 *e, uint64_t gpa, void *dst, size_t len)
{
	if (!e100_gspan_ok(gpa, len)) {
		memset(dst, 0, len);
		pp_nic_count_guest_error(e->dev);
		return -EFAULT;
	}
	return pp_guest_read(e->dev, gpa, dst, len);
}

int e100_gwrite(struct e100 *e, uint64_t gpa, const void *src, size_t len)
{
	if (!e100_gspan_ok(gpa, len)) {
		pp_nic_count_guest_error(e->dev);
		return -EFAULT;
	}
	return pp_guest_write(e->dev, gpa, src, len);
}

/* ---------------------------------------------------------------------- */
/* The backend's own rings                                                */
/* ---------------------------------------------------------------------- */

static int e100_dma_get(struct e100 *e, size_t len, struct pp_dma_buf *b,
			const char *what)
{
	int ret = pp_dma_alloc(e->dev, len, 16, b);

	if (ret != 0) {
		pp_nic_log(e->dev, PP_LOG_ERR,
			   "e100: no DMA memory for %s (%d)", what, ret);
		return ret;
	}
	/* The 8255x is a 32-bit bus master. */
	if (b->iova >= E100_4G || b->len > E100_4G - b->iova) {
		pp_nic_log(e->dev, PP_LOG_ERR,
			   "e100: DMA buffer for %s above 4 GiB (iova 0x%llx)",
			   what, (unsigned long long)b->iova);
		pp_dma_free(e->dev, b);
		return -ERANGE;
	}
	return 0;
}

int e100_rings_alloc(struct e100 *e)
{
	int ret;

	ret = e100_dma_get(e, (size_t)E100_TX_SLOTS * E100_SLOT_SIZE, &e->cbl,
			   "the command block list");
	if (ret == 0)
		ret = e100_dma_get(e, (size_t)E100_RX_SLOTS * E100_SLOT_SIZE,
				   &e->rfa, "the receive frame area");
	if (ret == 0)
		ret = e100_dma_get(e, E100_STATS_MAX_BYTES, &e->sbuf,
				   "the statistics area");
	if (ret != 0)
		e100_rings_free(e);
	return ret;
}

void e100_rings_free(struct e100 *e)
{
	pp_dma_free(e->dev, &e->cbl);
	pp_dma_free(e->dev, &e->rfa);
	pp_dma_free(e->dev, &e->sbuf);
	memset(&e->cbl, 0, sizeof(e->cbl));
	memset(&e->rfa, 0, sizeof(e->rfa));
	memset(&e->sbuf, 0, sizeof(e->sbuf));
}

static void e100_rfd_init(struct e100 *e, unsigned int i, uint16_t cmd)
{
	uint8_t *r = e100_rfd(e, i);

	e100_put16(r + E100_RFD_STATUS, 0);
	e100_put16(r + E100_RFD_CMD, cmd);
	e100_put32(r + E100_RFD_LINK,
		   e100_rfd_iova(e, (i + 1) % E100_RX_SLOTS));
	e100_put32(r + E100_RFD_RBD, 0xffffffffu);
	e100_put16(r + E100_RFD_COUNT, 0);
	e100_put16(r + E100_RFD_SIZE, E100_RX_BUF);
}

void e100_rings_reset(struct e100 *e)
{
	unsigned int i;

	/* Frames still on the CBL died with the device's state. */
	for (i = 0; i < E100_TX_SLOTS; i++) {
		uint8_t *s = e100_slot(e, i);

		if (e->slot_kind[i] == E100_SLOT_TX)
			e->cnt.wire_tx_drop++;
		e->slot_kind[i] = E100_SLOT_FREE;
		memset(s, 0, E100_TCB_HDR_LEN);
		e100_put16(s + E100_CB_CMD, E100_CB_S | E100_OP_NOP);
		e100_put32(s + E100_CB_LINK,
			   e100_slot_iova(e, (i + 1) % E100_TX_SLOTS));
		pp_dma_sync_for_device(e->dev, &e->cbl,
				       (size_t)i * E100_SLOT_SIZE,
				       E100_TCB_HDR_LEN);
	}
	e->tx_prod = e->tx_cons = e->tx_used = 0;
	e->tx_last = 0;
	e->tx_any = false;
	e->tx_unkicked = 0;
	e->tx_start = 0;
	e->cu_started = false;
	e->tx_progress_at = pp_nic_now(e->dev);
	if (e->ctl.active && !e->ctl.done) {
		/* The guest's control CB is gone with the ring. */
		e->ctl.done = true;
		e->ctl.status = 0;
	}
	if (e->tx_blocked) {
		e->tx_blocked = false;
		pp_nic_wire_tx_ready(e->dev);
	}

	for (i = 0; i < E100_RX_SLOTS; i++) {
		e100_rfd_init(e, i, i == E100_RX_SLOTS - 1 ? E100_RFD_EL : 0);
		pp_dma_sync_for_device(e->dev, &e->rfa,
				       (size_t)i * E100_SLOT_SIZE,
				       E100_RFD_HDR_LEN);
	}
	e->rx_head = 0;
	e->rx_tail = E100_RX_SLOTS - 1;
}

void e100_rx_start(struct e100 *e)
{
	if (e100_hw_cmd(e, E100_SCB_RU(E100_RUC_START), true,
			e100_rfd_iova(e, e->rx_head)) != 0)
		pp_nic_log(e->dev, PP_LOG_WARNING,
			   "e100: cannot start the receive unit");
}

/* Give RFD @i back to the device as the new tail. */
static void e100_rfd_recycle(struct e100 *e, unsigned int i)
{
	uint8_t *old;

	e100_rfd_init(e, i, E100_RFD_EL);
	pp_dma_sync_for_device(e->dev, &e->rfa, (size_t)i * E100_SLOT_SIZE,
			       E100_RFD_HDR_LEN);
	/* Only then let the device run past the previous tail. */
	old = e100_rfd(e, e->rx_tail);
	e100_put16(old + E100_RFD_CMD, 0);
	pp_dma_sync_for_device(
		e->dev, &e->rfa,
		(size_t)e->rx_tail * E100_SLOT_SIZE + E100_RFD_CMD, 2);
	e->rx_tail = i;
}

void e100_rx_harvest(struct e100 *e, bool check_ru)
{
	unsigned int k;

	if (!e->hw_ok)
		return;
	for (k = 0; k < E100_RX_SLOTS; k++) {
		unsigned int i = e->rx_head;
		size_t off = (size_t)i * E100_SLOT_SIZE;
		uint8_t *r = e100_rfd(e, i);
		uint16_t st, count;

		pp_dma_sync_for_cpu(e->dev, &e->rfa, off, 2);
		st = e100_le16(r + E100_RFD_STATUS);
		if (!(st & E100_RFD_C))
			break;
		/*
		 * C can be visible before the count and the data (QEMU writes
		 * the status first): sync again before reading them.
		 */
		pp_dma_sync_for_cpu(e->dev, &e->rfa, off + E100_RFD_COUNT, 2);
		count = e100_le16(r + E100_RFD_COUNT) & E100_RFD_COUNT_MASK;
		if ((st & E100_RFD_OK) && count > 0 && count <= E100_RX_BUF) {
			pp_dma_sync_for_cpu(e->dev, &e->rfa,
					    off + E100_RFD_DATA, count);
			(void)pp_nic_from_wire(e->dev, r + E100_RFD_DATA,
					       count);
		} else {
			e->cnt.wire_rx_bad++;
		}
		e->rx_head = (i + 1) % E100_RX_SLOTS;
		e100_rfd_recycle(e, i);
	}
	if (check_ru) {
		uint8_t s = (uint8_t)e100_rd(e, E100_SCB_STATUS, 1);

		if (((s & E100_RUS_MASK) >> E100_RUS_SHIFT) != E100_RUS_READY)
			e100_rx_start(e);
	}
}

void e100_tx_reclaim(struct e100 *e)
{
	bool freed = false;

	while (e->tx_used > 0) {
		unsigned int i = e->tx_cons;
		uint8_t *s = e100_slot(e, i);
		uint16_t st;

		pp_dma_sync_for_cpu(e->dev, &e->cbl, (size_t)i * E100_SLOT_SIZE,
				    2);
		st = e100_le16(s + E100_CB_STATUS);
		if (!(st & E100_CB_C))
			break;
		if (e->slot_kind[i] == E100_SLOT_CTL) {
			if (e->ctl.active && !e->ctl.done && e->ctl.slot == i) {
				e->ctl.done = true;
				e->ctl.status = st;
			} else if (!(st & E100_CB_OK)) {
				pp_nic_count_dev_error(e->dev);
				pp_nic_log(e->dev, PP_LOG_WARNING,
					   "e100: own control command 0x%04x "
					   "failed (status 0x%04x)",
					   e100_le16(s + E100_CB_CMD), st);
			}
		}
		/*
		 * The slot keeps its content (and its S bit if it is the last
		 * one): the device may be suspended on it.
		 */
		e->slot_kind[i] = E100_SLOT_FREE;
		e->tx_cons = (i + 1) % E100_TX_SLOTS;
		e->tx_used--;
		freed = true;
	}
	if (freed) {
		e->tx_progress_at = pp_nic_now(e->dev);
		if (e->tx_blocked) {
			e->tx_blocked = false;
			pp_nic_wire_tx_ready(e->dev);
		}
	}
}

void e100_tx_kick(struct e100 *e)
{
	if (e->tx_unkicked == 0 || !e->hw_ok)
		return;
	if (!e->cu_started) {
		if (e100_hw_cmd(e, E100_SCB_CU(E100_CUC_START), true,
				e100_slot_iova(e, e->tx_start)) == 0) {
			e->cu_started = true;
			e->tx_unkicked = 0;
		}
	} else if (e100_hw_cmd(e, E100_SCB_CU(E100_CUC_RESUME), false, 0) ==
		   0) {
		/*
		 * Only ever resumed with new slots behind the suspend point:
		 * QEMU's model would otherwise run past the last slot.
		 */
		e->tx_unkicked = 0;
	}
}

/* Room for one more slot (kicking first if the kick budget is spent). */
static bool e100_tx_room(struct e100 *e, unsigned int reserve)
{
	if (e->tx_used + reserve >= E100_TX_SLOTS)
		e100_tx_reclaim(e);
	if (e->tx_used + reserve >= E100_TX_SLOTS)
		return false;
	if (e->tx_unkicked >= E100_KICK_MAX)
		e100_tx_kick(e);
	return e->tx_unkicked < E100_KICK_MAX;
}

/*
 * Slot tx_prod is filled (status 0, command with S, payload); publish it:
 * sync it, then clear S on the previous last slot [M p107].
 */
static unsigned int e100_tx_append(struct e100 *e, size_t len,
				   enum e100_slot_kind kind)
{
	unsigned int i = e->tx_prod;

	pp_dma_sync_for_device(e->dev, &e->cbl, (size_t)i * E100_SLOT_SIZE,
			       len);
	if (e->tx_any) {
		uint8_t *prev = e100_slot(e, e->tx_last);
		uint16_t cmd = e100_le16(prev + E100_CB_CMD);

		e100_put16(prev + E100_CB_CMD, (uint16_t)(cmd & ~E100_CB_S));
		pp_dma_sync_for_device(
			e->dev, &e->cbl,
			(size_t)e->tx_last * E100_SLOT_SIZE + E100_CB_CMD, 2);
	}
	if (!e->cu_started && e->tx_unkicked == 0)
		e->tx_start = i;
	e->slot_kind[i] = (uint8_t)kind;
	e->tx_last = i;
	e->tx_any = true;
	e->tx_prod = (i + 1) % E100_TX_SLOTS;
	if (e->tx_used++ == 0)
		e->tx_progress_at = pp_nic_now(e->dev);
	e->tx_unkicked++;
	return i;
}

static void e100_slot_header(struct e100 *e, unsigned int i, uint16_t cmd)
{
	uint8_t *s = e100_slot(e, i);

	e100_put16(s + E100_CB_STATUS, 0);
	e100_put16(s + E100_CB_CMD, (uint16_t)(cmd | E100_CB_S));
	e100_put32(s + E100_CB_LINK,
		   e100_slot_iova(e, (i + 1) % E100_TX_SLOTS));
}

int e100_tx_submit_ctl(struct e100 *e, uint16_t op, const uint8_t *payload,
		       size_t len)
{
	unsigned int i;

	if (!e->hw_ok)
		return -ENODEV;
	if (len > E100_SLOT_SIZE - E100_CB_HDR_LEN)
		return -EINVAL;
	if (!e100_tx_room(e, 0))
		return -EBUSY;
	i = e->tx_prod;
	e100_slot_header(e, i, op);
	if (len > 0)
		memcpy(e100_slot(e, i) + E100_CB_HDR_LEN, payload, len);
	i = e100_tx_append(e, E100_CB_HDR_LEN + len, E100_SLOT_CTL);
	e100_tx_kick(e);
	return (int)i;
}

unsigned int e100_wire_tx(struct pp_dev *dev, void *priv, struct pp_pkt *pkts[],
			  unsigned int n)
{
	struct e100 *e = priv;
	unsigned int k;

	(void)dev;
	for (k = 0; k < n; k++) {
		const struct pp_pkt *p = pkts[k];
		uint8_t *s;
		unsigned int i;

		if (!e->hw_ok || p->len == 0 || p->len > E100_FRAME_MAX) {
			/* Consumed and dropped. */
			e->cnt.wire_tx_drop++;
			pp_nic_log(e->dev, PP_LOG_DEBUG,
				   "e100: wire frame of %u bytes dropped",
				   (unsigned int)p->len);
			continue;
		}
		if (!e100_tx_room(e, E100_TX_RESERVE))
			break;
		i = e->tx_prod;
		s = e100_slot(e, i);
		/* Simplified TCB, frame inline: standard TCB is forced. */
		e100_slot_header(e, i, E100_OP_TX);
		e100_put32(s + E100_TCB_TBD_ARRAY, E100_TBD_ARRAY_NONE);
		e100_put16(s + E100_TCB_COUNT,
			   (uint16_t)(p->len | E100_TCB_EOF));
		s[E100_TCB_THRESH] = E100_TX_THRESH;
		s[E100_TCB_TBD_NUM] = 0;
		memcpy(s + E100_TCB_DATA, pp_pkt_data(p), p->len);
		(void)e100_tx_append(e, E100_TCB_HDR_LEN + p->len,
				     E100_SLOT_TX);
	}
	e100_tx_kick(e);
	if (k < n)
		e->tx_blocked = true;
	e100_timer_update(e);
	return k;
}

void e100_tx_watchdog(struct e100 *e, uint64_t now)
{
	if (e->ctl.active && !e->ctl.done && now >= e->ctl.deadline) {
		e->ctl.done = true;
		e->ctl.status = 0;
		e->cnt.hw_timeouts++;
		pp_nic_count_dev_error(e->dev);
		pp_nic_log(e->dev, PP_LOG_WARNING,
			   "e100: control command 0x%04x timed out on the "
			   "device",
			   e->ctl.cmd);
	}
	if (e->tx_used > 0 && now - e->tx_progress_at >= E100_TX_STALL_NS) {
		e100_tx_reclaim(e);
		if (e->tx_used > 0 &&
		    now - e->tx_progress_at >= E100_TX_STALL_NS) {
			pp_nic_count_dev_error(e->dev);
			pp_nic_log(e->dev, PP_LOG_WARNING,
				   "e100: transmit stalled (%u CBs), "
				   "re-initialising the device",
				   e->tx_used);
			e100_hw_reinit(e, E100_PORT_SOFTWARE_RESET);
			return;
		}
	}
	/*
	 * A CB is filled and kicked but not done for a while: the resume
	 * may have raced with the device suspending. Resume again (safe:
	 * there is an unprocessed slot behind the suspend point), or start
	 * again at the oldest slot if the CU went idle.
	 */
	if (e->tx_used > 0 && e->tx_unkicked == 0 && e->cu_started &&
	    now - e->tx_progress_at >= E100_HOUSEKEEP_NS) {
		uint8_t s = (uint8_t)e100_rd(e, E100_SCB_STATUS, 1);

		e->cnt.hw_nudges++;
		if ((s >> E100_CUS_SHIFT) == E100_CUS_IDLE)
			(void)e100_hw_cmd(e, E100_SCB_CU(E100_CUC_START), true,
					  e100_slot_iova(e, e->tx_cons));
		else
			(void)e100_hw_cmd(e, E100_SCB_CU(E100_CUC_RESUME),
					  false, 0);
	}
}

/* ---------------------------------------------------------------------- */
/* Guest CU: completion                                                   */
/* ---------------------------------------------------------------------- */

static void e100_raise(struct e100 *e, uint8_t bits)
{
	e->vstat |= bits;
}

/*
 * Complete the guest CB at @cb: C (plus @status bits) with one 16-bit
 * store, then CX for I, then EL (Idle + CNA) or S (Suspended, CNA unless
 * configured for CNA on idle only) or on to the remembered link.
 */
static void e100_cb_finish(struct e100 *e, uint32_t cb, uint16_t cmd,
			   uint32_t link, uint16_t status, bool is_tx)
{
	uint8_t w[2];

	e100_put16(w, (uint16_t)(status | E100_CB_C));
	(void)e100_gwrite(e, cb, w, sizeof(w));
	if (cmd & E100_CB_I)
		e100_raise(e, E100_STAT_CX);
	else if (is_tx && !(status & E100_CB_OK) && !e->ext_masks &&
		 (e->vcfg[6] & E100_CFG6_TNO_TCO))
		e100_raise(e, E100_STAT_CX); /* 82557 TNO */
	if (cmd & E100_CB_EL) {
		e->cu_state = E100_CU_IDLE;
		e100_raise(e, E100_STAT_CNA);
	} else if (cmd & E100_CB_S) {
		e->cu_state = E100_CU_SUSPENDED;
		e->cu_susp = cb;
		e->cu_next = e->cu_base + link;
		if (!(e->vcfg[6] & E100_CFG6_CI))
			e100_raise(e, E100_STAT_CNA);
	} else {
		e->cu_next = e->cu_base + link;
	}
}

/* The guest's CBL points outside its RAM: the CU stops (Idle, CNA). */
static void e100_cu_fault(struct e100 *e, uint32_t cb)
{
	pp_nic_count_guest_error(e->dev);
	pp_nic_log(e->dev, PP_LOG_DEBUG,
		   "e100: command block at 0x%08x unreadable, CU stopped", cb);
	e->cu_state = E100_CU_IDLE;
	e->cu_park = E100_PARK_NONE;
	e100_raise(e, E100_STAT_CNA);
}

static void e100_cb_refuse(struct e100 *e, uint32_t cb, uint16_t cmd,
			   uint32_t link, const char *why)
{
	e->cnt.cb_refused++;
	pp_nic_count_guest_error(e->dev);
	pp_nic_log(e->dev, PP_LOG_DEBUG,
		   "e100: command block 0x%08x (command 0x%04x) refused: %s",
		   cb, cmd, why);
	e100_cb_finish(e, cb, cmd, link, 0,
		       (cmd & E100_CB_OP_MASK) == E100_OP_TX);
}

/* ---------------------------------------------------------------------- */
/* Guest CU: transmit                                                     */
/* ---------------------------------------------------------------------- */

static int e100_tx_put(struct e100 *e, uint64_t gpa, size_t n, size_t *len)
{
	if (n == 0)
		return 0;
	if (n > E100_FRAME_MAX - *len)
		return -EMSGSIZE;
	if (e100_gread(e, gpa, e->txbuf + *len, n) != 0)
		return -EFAULT;
	*len += n;
	return 0;
}

/* One TBD (8 bytes at @t): add its buffer; true if it carries EL. */
static int e100_tx_tbd(struct e100 *e, const uint8_t *t, size_t *len, bool *el)
{
	uint16_t sz = e100_le16(t + E100_TBD_SIZE);

	*el = (sz & E100_TBD_EL) != 0;
	return e100_tx_put(e, e100_le32(t + E100_TBD_ADDR),
			   sz & E100_TBD_SIZE_MASK, len);
}

/*
 * Gather the frame of the guest TCB at @cb (header @h, of @hlen bytes:
 * 16, or 32 with the two inline TBDs of an extended TCB) into txbuf.
 * 0 and *len, or -EMSGSIZE / -EFAULT / -EINVAL.
 */
static int e100_tx_gather(struct e100 *e, uint32_t cb, const uint8_t *h,
			  bool ext, size_t *len)
{
	uint16_t cmd = e100_le16(h + E100_CB_CMD);
	uint32_t array = e100_le32(h + E100_TCB_TBD_ARRAY);
	size_t imm = e100_le16(h + E100_TCB_COUNT) & E100_TCB_COUNT_MASK;
	unsigned int num = h[E100_TCB_TBD_NUM], limit, i, j;
	bool flex = ext || (cmd & E100_CB_SF), el = false, dyn = false;
	int ret;

	*len = 0;
	/*
	 * Immediate data: simplified and standard flexible TCBs carry it at
	 * +16 [M p84, p87]; an extended TCB has its two TBDs there, so its
	 * immediate data is taken from +32 (inferred; no driver uses it).
	 */
	ret = e100_tx_put(
		e, (uint64_t)cb + (ext ? E100_TCB_EXT_LEN : E100_TCB_DATA), imm,
		len);
	if (ret != 0 || !flex)
		return ret;

	/* Dynamic TBD mode: 0xFF TBDs means "until EL" [M p87]. */
	limit = num;
	if (num == E100_TBD_NUM_DYNAMIC && e->ext_tcb_ok &&
	    (e->vcfg[7] & E100_CFG7_DYN_TBD)) {
		limit = E100_TBD_MAX;
		dyn = true;
	}
	i = 0;
	if (ext) {
		/* TBD0/TBD1 inline; the array points at TBD2 [M p85]. */
		for (; i < E100_TCB_EXT_INLINE && i < limit && !el; i++) {
			ret = e100_tx_tbd(
				e, h + E100_TCB_EXT_TBD0 + i * E100_TBD_LEN,
				len, &el);
			if (ret != 0)
				return ret;
		}
	}
	if (i >= limit || el)
		return 0;
	if (array == E100_TBD_ARRAY_NONE)
		return -EINVAL;
	j = 0; /* index in the array */
	while (i < limit && !el) {
		unsigned int k, chunk = limit - i;

		/*
		 * A counted array is the guest's declared structure; a
		 * dynamic one ends at EL, so it is read one TBD at a time.
		 */
		if (dyn)
			chunk = 1;
		else if (chunk > E100_TBD_CHUNK)
			chunk = E100_TBD_CHUNK;
		if (e100_gread(e, (uint64_t)array + (uint64_t)j * E100_TBD_LEN,
			       e->tbd, (size_t)chunk * E100_TBD_LEN) != 0)
			return -EFAULT;
		for (k = 0; k < chunk && !el; k++, i++, j++) {
			ret = e100_tx_tbd(e, e->tbd + k * E100_TBD_LEN, len,
					  &el);
			if (ret != 0)
				return ret;
		}
	}
	return 0;
}

/* Hand the frame in txbuf to the core; false if the core is full. */
static bool e100_tx_push(struct e100 *e, size_t len)
{
	int ret = pp_nic_from_guest(e->dev, e->txbuf, len);

	if (ret == -ENOBUFS)
		return false;
	if (ret == 0)
		e->vstats[E100_STATS_TX_GOOD]++;
	return true;
}

static void e100_cu_tx(struct e100 *e, uint32_t cb, const uint8_t *hdr)
{
	uint8_t h[E100_TCB_EXT_LEN];
	uint16_t cmd = e100_le16(hdr + E100_CB_CMD);
	uint32_t link = e100_le32(hdr + E100_CB_LINK);
	bool ext = e->ext_tcb_ok && !(e->vcfg[6] & E100_CFG6_STD_TCB);
	size_t hlen = ext ? E100_TCB_EXT_LEN : E100_TCB_HDR_LEN, len;
	int ret;

	memcpy(h, hdr, E100_CB_HDR_LEN);
	if (e100_gread(e, (uint64_t)cb + E100_CB_HDR_LEN, h + E100_CB_HDR_LEN,
		       hlen - E100_CB_HDR_LEN) != 0) {
		e100_cu_fault(e, cb);
		return;
	}
	ret = e100_tx_gather(e, cb, h, ext, &len);
	if (ret == -EFAULT) {
		e100_cb_refuse(e, cb, cmd, link, "buffer outside guest RAM");
		return;
	}
	if (ret != 0) {
		e100_cb_refuse(e, cb, cmd, link,
			       ret == -EMSGSIZE ? "frame too long"
						: "no TBD array");
		return;
	}
	/* NC: the guest supplied the FCS; the device will insert a new one. */
	if ((cmd & E100_CB_NC) && len >= 4)
		len -= 4;
	if (len > 0 && !e100_tx_push(e, len)) {
		/* Hold the frame: retried before the walk goes on. */
		e->txq.valid = true;
		e->txq.cb = cb;
		e->txq.cmd = cmd;
		e->txq.link = link;
		e->txq.len = (uint32_t)len;
		e->txq.give_up_at = pp_nic_now(e->dev) + E100_TX_RETRY_MAX_NS;
		return;
	}
	e100_cb_finish(e, cb, cmd, link, E100_CB_OK, true);
}

/* Retry the held frame: true if the walk may go on. */
static bool e100_txq_retry(struct e100 *e)
{
	if (!e100_tx_push(e, e->txq.len)) {
		uint64_t now = pp_nic_now(e->dev);

		if (now < e->txq.give_up_at) {
			e->cu_park = E100_PARK_TXQ;
			e->cu_retry_at = now + E100_TX_RETRY_NS;
			return false;
		}
		/* Lost on the way, as a congested wire would. */
		e->cnt.tx_dropped++;
		pp_nic_log(e->dev, PP_LOG_DEBUG,
			   "e100: guest frame dropped, frame path full");
	}
	e->txq.valid = false;
	e100_cb_finish(e, e->txq.cb, e->txq.cmd, e->txq.link, E100_CB_OK, true);
	return true;
}

/* ---------------------------------------------------------------------- */
/* Guest CU: control commands run on the real device                      */
/* ---------------------------------------------------------------------- */

static void e100_cu_ctl(struct e100 *e, uint32_t cb, uint16_t cmd,
			uint32_t link, uint16_t op, const uint8_t *payload,
			size_t len)
{
	int slot = e100_tx_submit_ctl(e, op, payload, len);

	if (slot == -EBUSY) {
		/* Re-read and re-validated from scratch next time. */
		e->cu_park = E100_PARK_SLOT;
		e->cu_retry_at = pp_nic_now(e->dev) + E100_TX_RETRY_NS;
		return;
	}
	if (slot < 0) {
		pp_nic_count_dev_error(e->dev);
		e100_cb_finish(e, cb, cmd, link, 0, false);
		return;
	}
	e->ctl.active = true;
	e->ctl.done = false;
	e->ctl.cb = cb;
	e->ctl.cmd = cmd;
	e->ctl.link = link;
	e->ctl.slot = (unsigned int)slot;
	e->ctl.status = 0;
	e->ctl.deadline = pp_nic_now(e->dev) + E100_CTL_TIMEOUT_NS;
}

/* Bounded poll for the control CB (QEMU completes it inside the kick). */
static bool e100_ctl_poll(struct e100 *e)
{
	unsigned int i;

	for (i = 0; i < E100_CTL_POLLS && !e->ctl.done; i++) {
		e100_tx_reclaim(e);
		if (e->ctl.done)
			break;
		(void)e100_rd(e, E100_SCB_STATUS, 1);
	}
	return e->ctl.done;
}

static void e100_ctl_finish(struct e100 *e)
{
	uint16_t st = e->ctl.status & (E100_CB_OK | E100_CB_F);

	e->ctl.active = false;
	e100_cb_finish(e, e->ctl.cb, e->ctl.cmd, e->ctl.link, st, false);
}

static void e100_cu_config(struct e100 *e, uint32_t cb, uint16_t cmd,
			   uint32_t link)
{
	uint8_t cfg[E100_CFG_LEN_EXT];
	unsigned int n;

	if (e100_gread(e, (uint64_t)cb + E100_CFG_OFF, cfg, 1) != 0) {
		e100_cu_fault(e, cb);
		return;
	}
	n = cfg[0] & E100_CFG_COUNT_MASK;
	if (n < 1)
		n = 1;
	if (n > e->cfg_max)
		n = e->cfg_max;
	if (n > 1 && e100_gread(e, (uint64_t)cb + E100_CFG_OFF + 1, cfg + 1,
				n - 1) != 0) {
		e100_cu_fault(e, cb);
		return;
	}
	/* Bytes past the count keep their previous values. */
	memcpy(e->vcfg, cfg, n);
	e100_hw_cfg_build(e);
	e100_cu_ctl(e, cb, cmd, link, E100_OP_CONFIG, e->hw_cfg, e->cfg_max);
}

static void e100_cu_ia(struct e100 *e, uint32_t cb, uint16_t cmd, uint32_t link)
{
	uint8_t ia[E100_IA_LEN];

	if (e100_gread(e, (uint64_t)cb + E100_IA_OFF, ia, sizeof(ia)) != 0) {
		e100_cu_fault(e, cb);
		return;
	}
	memcpy(e->hw_ia, ia, sizeof(ia));
	e->hw_ia_set = true;
	pp_nic_set_mac(e->dev, ia);
	e100_cu_ctl(e, cb, cmd, link, E100_OP_IA, ia, sizeof(ia));
}

static void e100_cu_mcast(struct e100 *e, uint32_t cb, uint16_t cmd,
			  uint32_t link)
{
	uint8_t c[2];
	size_t n;

	if (e100_gread(e, (uint64_t)cb + E100_MC_COUNT_OFF, c, 2) != 0) {
		e100_cu_fault(e, cb);
		return;
	}
	n = (e100_le16(c) & E100_MC_COUNT_MASK) / 6;
	if (n > E100_MC_MAX) {
		e100_cb_refuse(e, cb, cmd, link, "multicast list too long");
		return;
	}
	/* Into txbuf first (free: no frame is held while stepping). */
	if (e100_gread(e, (uint64_t)cb + E100_MC_LIST_OFF, e->txbuf, n * 6) !=
	    0) {
		e100_cu_fault(e, cb);
		return;
	}
	e100_put16(e->hw_mc, (uint16_t)(n * 6));
	memcpy(e->hw_mc + 2, e->txbuf, n * 6);
	e->hw_mc_len = (uint32_t)(2 + n * 6);
	e->hw_mc_set = true;
	e100_cu_ctl(e, cb, cmd, link, E100_OP_MCAST, e->hw_mc, e->hw_mc_len);
}

/* ---------------------------------------------------------------------- */
/* Guest CU: the walk                                                     */
/* ---------------------------------------------------------------------- */

/* Execute the CB at cu_next (snapshot, validate, act). */
static void e100_cu_step(struct e100 *e)
{
	uint32_t cb = e->cu_next, link;
	uint8_t hdr[E100_CB_HDR_LEN];
	uint16_t cmd;
	unsigned int op;

	if (e100_gread(e, cb, hdr, sizeof(hdr)) != 0) {
		e100_cu_fault(e, cb);
		return;
	}
	cmd = e100_le16(hdr + E100_CB_CMD);
	link = e100_le32(hdr + E100_CB_LINK);
	op = cmd & E100_CB_OP_MASK;
	/* Opcode bit 3: SF for transmit; opcodes 8/9 on newer chips. */
	if (op != E100_OP_TX && (cmd & E100_CB_OP_EXT)) {
		if (op == E100_OP_NOP && e->ext_tcb_ok) {
			e100_cb_refuse(e, cb, cmd, link,
				       "load filter not supported");
			return;
		}
		if (op == E100_OP_IA && e->ext_rfd_ok) {
			e100_cb_refuse(e, cb, cmd, link,
				       "IPCB transmit not supported");
			return;
		}
		/* Reserved bit on older chips: ignored like the device. */
	}
	switch (op) {
	case E100_OP_NOP:
		e100_cb_finish(e, cb, cmd, link, E100_CB_OK, false);
		break;
	case E100_OP_IA:
		e100_cu_ia(e, cb, cmd, link);
		break;
	case E100_OP_CONFIG:
		e100_cu_config(e, cb, cmd, link);
		break;
	case E100_OP_MCAST:
		e100_cu_mcast(e, cb, cmd, link);
		break;
	case E100_OP_TX:
		e100_cu_tx(e, cb, hdr);
		break;
	case E100_OP_UCODE:
		/*
		 * Never loaded: guest microcode would run on the real device.
		 * Completed with OK so drivers that require it come up.
		 */
		e->cnt.ucode_ignored++;
		pp_nic_log(e->dev, PP_LOG_DEBUG,
			   "e100: microcode at 0x%08x not loaded", cb);
		e100_cb_finish(e, cb, cmd, link, E100_CB_OK, false);
		break;
	case E100_OP_DUMP:
		/* Would DMA device registers to a guest address. */
		e100_cb_refuse(e, cb, cmd, link, "register dump");
		break;
	case E100_OP_DIAG:
		e100_cu_ctl(e, cb, cmd, link, E100_OP_DIAG, NULL, 0);
		break;
	default:
		e100_cb_refuse(e, cb, cmd, link, "unknown opcode");
		break;
	}
}

void e100_cu_run(struct e100 *e)
{
	unsigned int steps = 0;
	bool flushed = false;
	uint32_t origin = e->cu_next;

	if (e->cu_state != E100_CU_ACTIVE)
		return;
	if (e->cu_park != E100_PARK_BUDGET)
		e->cu_park = E100_PARK_NONE;
	while (e->cu_state == E100_CU_ACTIVE && e->cu_park == E100_PARK_NONE) {
		if (!e->bme)
			break; /* no bus mastering: resumes when enabled */
		if (e->ctl.active) {
			if (!e->ctl.done && !e100_ctl_poll(e)) {
				e->cu_park = E100_PARK_CTL;
				break;
			}
			e100_ctl_finish(e);
			continue;
		}
		if (e->txq.valid) {
			if (!flushed) {
				/* Let the frame path drain, then retry. */
				flushed = true;
				pp_nic_flush(e->dev);
			}
			if (!e100_txq_retry(e))
				break;
			continue;
		}
		if (steps >= E100_CU_BATCH) {
			e->cu_park = E100_PARK_BATCH;
			e->cu_retry_at = pp_nic_now(e->dev);
			break;
		}
		/*
		 * Back where this run started without meeting S or EL: the
		 * CBL is a loop (the device would run it forever). Longer
		 * loops and rho shapes run into the budget.
		 */
		if ((steps > 0 && e->cu_next == origin) || e->cu_budget == 0) {
			e->cu_park = E100_PARK_BUDGET;
			pp_nic_count_guest_error(e->dev);
			pp_nic_log(e->dev, PP_LOG_DEBUG,
				   "e100: command block list does not end "
				   "(%s), CU parked at 0x%08x",
				   e->cu_budget ? "loop" : "budget",
				   e->cu_next);
			break;
		}
		steps++;
		e->cu_budget--;
		e100_cu_step(e);
		if (e->cu_park == E100_PARK_SLOT)
			e->cu_budget++; /* waiting is not walking */
	}
}

static void e100_cu_drop_pending(struct e100 *e)
{
	/* The real control CB finishes on its own; only the link is cut. */
	e->ctl.active = false;
	e->txq.valid = false;
	e->cu_park = E100_PARK_NONE;
}

void e100_cu_ru_reset(struct e100 *e)
{
	e100_cu_drop_pending(e);
	e->cu_state = E100_CU_IDLE;
	e->ru_state = E100_RU_IDLE;
	e->cu_budget = 0;
}

void e100_cu_command(struct e100 *e, unsigned int cuc)
{
	uint8_t w[2];

	switch (cuc) {
	case E100_CUC_NOP:
		break;
	case E100_CUC_START:
		/* Also from Active: restart at the pointer. */
		e100_cu_drop_pending(e);
		e->cu_next = e->cu_base + e->gp;
		e->cu_state = E100_CU_ACTIVE;
		e->cu_budget = E100_CU_BUDGET;
		e100_cu_run(e);
		break;
	case E100_CUC_RESUME:
		/*
		 * [M p107]: ignored when Idle; when Suspended, re-read only
		 * the S bit of the CB it suspended on and go on at the link
		 * remembered then; when Active, S is checked as CBs complete.
		 */
		if (e->cu_state == E100_CU_SUSPENDED) {
			if (e100_gread(e, (uint64_t)e->cu_susp + E100_CB_CMD, w,
				       sizeof(w)) != 0)
				break;
			if (e100_le16(w) & E100_CB_S)
				break;
			e->cu_state = E100_CU_ACTIVE;
		}
		if (e->cu_state == E100_CU_ACTIVE) {
			e->cu_budget = E100_CU_BUDGET;
			if (e->cu_park == E100_PARK_BUDGET)
				e->cu_park = E100_PARK_NONE;
			e100_cu_run(e);
		}
		break;
	case E100_CUC_DUMP_ADDR:
		e->dump_addr = e->gp;
		e->dump_addr_set = true;
		break;
	case E100_CUC_DUMP:
		e100_stats_dump(e, false);
		break;
	case E100_CUC_DUMP_RESET:
		e100_stats_dump(e, true);
		break;
	case E100_CUC_BASE:
		e->cu_base = e->gp;
		break;
	case E100_CUC_HPQ_START:
	case E100_CUC_HPQ_RESUME:
	case E100_CUC_STATIC_RESUME:
	default:
		/* No studied driver uses them; QEMU lacks them too. */
		pp_nic_count_guest_error(e->dev);
		pp_nic_log(e->dev, PP_LOG_DEBUG,
			   "e100: CU command 0x%x refused", cuc);
		break;
	}
}

void e100_ru_command(struct e100 *e, unsigned int ruc)
{
	switch (ruc) {
	case E100_RUC_NOP:
		break;
	case E100_RUC_START:
		/* Prohibited while Ready on hardware; restart at GP here. */
		e->ru_next = e->ru_base + e->gp;
		e->ru_state = E100_RU_READY;
		pp_nic_guest_rx_ready(e->dev);
		break;
	case E100_RUC_RESUME:
		/* Only from Suspended [M p110]. */
		if (e->ru_state == E100_RU_SUSPENDED) {
			e->ru_state = E100_RU_READY;
			pp_nic_guest_rx_ready(e->dev);
		}
		break;
	case E100_RUC_ABORT:
		if (e->ru_state == E100_RU_READY)
			e100_raise(e, E100_STAT_RNR);
		e->ru_state = E100_RU_IDLE;
		break;
	case E100_RUC_BASE:
		e->ru_base = e->gp;
		break;
	case E100_RUC_HDS:
		/* Header RFDs are not supported; the size is ignored. */
		pp_nic_log(e->dev, PP_LOG_DEBUG,
			   "e100: load header data size ignored");
		break;
	default:
		pp_nic_count_guest_error(e->dev);
		pp_nic_log(e->dev, PP_LOG_DEBUG,
			   "e100: RU command 0x%x refused", ruc);
		break;
	}
}

/* ---------------------------------------------------------------------- */
/* Guest RU                                                               */
/* ---------------------------------------------------------------------- */

/* The RU leaves Ready: EL or an unusable RFD. */
static void e100_ru_nores(struct e100 *e)
{
	e->ru_state = E100_RU_NORES;
	e100_raise(e, E100_STAT_RNR);
}

/* IEEE 802.3 FCS (reflected CRC-32): update @c (start ~0, end ~c). */
static uint32_t e100_crc32(uint32_t c, const uint8_t *p, size_t n)
{
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (b = 0; b < 8; b++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
	}
	return c;
}

/*
 * 82559 RX checksum append: the 16-bit one's-complement sum of the frame
 * from byte 34 (Ethernet + a 20-byte IPv4 header) to its end, big-endian
 * (what FreeBSD's fxp consumes; inferred from it, not from the manual).
 */
static uint16_t e100_rx_csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 34; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < n)
		s += (uint32_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffffu) + (s >> 16);
	return (uint16_t)s;
}

/* Shortest frame on the wire without its FCS. */
#define E100_ETH_MIN 60u

static const uint8_t e100_zero[E100_ETH_MIN];

/*
 * Write the @n bytes at @p as the next piece of a frame at @base + *at,
 * clipped to the @limit bytes the RFD holds.
 */
static int e100_rx_put(struct e100 *e, uint64_t base, size_t *at, size_t limit,
		       const void *p, size_t n)
{
	size_t m = *at < limit ? limit - *at : 0;

	if (m > n)
		m = n;
	if (m > 0 && e100_gwrite(e, base + *at, p, m) != 0)
		return -EFAULT;
	*at += n;
	return 0;
}

enum e100_rx_res {
	E100_RX_DONE, /* frame consumed (written or dropped) */
	E100_RX_STOP, /* RU not ready: frame not consumed */
};

static enum e100_rx_res e100_rx_one(struct e100 *e, const struct pp_pkt *p)
{
	const uint8_t *f = pp_pkt_data(p);
	size_t len = p->len, total, n, pad, tlen = 0, at = 0;
	uint64_t base;
	uint32_t rfd = e->ru_next, link;
	uint8_t h[E100_RFD_HDR_LEN], tr[6], w[2];
	uint16_t cmd, size, st;
	bool ext = e->ext_rfd_ok && (e->vcfg[7] & E100_CFG7_EXT_RFD);
	bool group, ok = true;

	/* Broadcast disabled by the guest (the real device keeps it on). */
	if (len >= 6 && (e->vcfg[15] & E100_CFG15_BCAST_DIS) &&
	    memcmp(f, "\xff\xff\xff\xff\xff\xff", 6) == 0) {
		e->cnt.rx_bcast_drop++;
		return E100_RX_DONE;
	}
	/* Re-read the RFD now: drivers edit command/size/link live. */
	if (e100_gread(e, rfd, h, sizeof(h)) != 0) {
		pp_nic_log(e->dev, PP_LOG_DEBUG,
			   "e100: RFD at 0x%08x unreadable, RU stopped", rfd);
		e100_ru_nores(e);
		return E100_RX_STOP;
	}
	cmd = e100_le16(h + E100_RFD_CMD);
	link = e100_le32(h + E100_RFD_LINK);
	size = e100_le16(h + E100_RFD_SIZE) & E100_RFD_COUNT_MASK;
	if (cmd & (E100_RFD_SF | E100_RFD_H)) {
		pp_nic_count_guest_error(e->dev);
		pp_nic_log(e->dev, PP_LOG_DEBUG,
			   "e100: flexible/header RFD at 0x%08x refused", rfd);
		e100_ru_nores(e);
		return E100_RX_STOP;
	}
	if (size == 0) {
		/* Never written (Linux's EL + size 0 marker): like EL. */
		e100_ru_nores(e);
		return E100_RX_STOP;
	}

	/*
	 * What the guest sees: the frame, zero padding up to the 60 bytes
	 * a wire frame has at least, then what the guest configured the
	 * device to append (FCS, 82559 checksum).
	 */
	pad = len < E100_ETH_MIN ? E100_ETH_MIN - len : 0;
	if (e->vcfg[18] & E100_CFG18_CRC_XFER) {
		uint32_t c = e100_crc32(0xffffffffu, f, len);

		c = e100_crc32(c, e100_zero, pad);
		e100_put32(tr, ~c);
		tlen = 4;
	}
	if (e->rxcsum_ok && (e->vcfg[9] & E100_CFG9_RX_CSUM)) {
		uint16_t cs = e100_rx_csum(f, len);

		tr[tlen] = (uint8_t)(cs >> 8);
		tr[tlen + 1] = (uint8_t)cs;
		tlen += 2;
	}
	total = len + pad + tlen;
	/* Too big for this RFD: truncated, bit 9, not OK (see README). */
	n = total <= size ? total : size;
	if (n < total) {
		ok = false;
		e->cnt.rx_truncated++;
	}
	base = (uint64_t)rfd + (ext ? E100_RFD_EXT_DATA : E100_RFD_DATA);
	if (e100_rx_put(e, base, &at, n, f, len) != 0 ||
	    e100_rx_put(e, base, &at, n, e100_zero, pad) != 0 ||
	    e100_rx_put(e, base, &at, n, tr, tlen) != 0)
		goto fault;
	/* Extended RFD: no VLAN, parser or checksum information. */
	if (ext && e100_gwrite(e, (uint64_t)rfd + E100_RFD_DATA, e100_zero,
			       E100_RFD_EXT_DATA - E100_RFD_DATA) != 0)
		goto fault;
	e100_put16(w, (uint16_t)(n | E100_RFD_EOF | E100_RFD_F));
	if (e100_gwrite(e, (uint64_t)rfd + E100_RFD_COUNT, w, 2) != 0)
		goto fault;
	group = len >= 6 && (f[0] & 1);
	st = E100_RFD_C | (ok ? E100_RFD_OK : E100_RFD_TOOBIG);
	if (group)
		st |= E100_RFD_GROUP;
	else if (len >= 6 && (!e->hw_ia_set || memcmp(f, e->hw_ia, 6) != 0))
		st |= E100_RFD_NOMATCH;
	/* Status last: the guest owns the RFD once it sees C. */
	e100_put16(w, st);
	if (e100_gwrite(e, (uint64_t)rfd + E100_RFD_STATUS, w, 2) != 0)
		goto fault;
	if (ok)
		e->vstats[E100_STATS_RX_GOOD]++;
	e100_raise(e, E100_STAT_FR);
	if (cmd & E100_RFD_EL) {
		e100_ru_nores(e);
	} else if (cmd & E100_RFD_S) {
		/* RNR: the RU left Ready (inferred for S). */
		e->ru_state = E100_RU_SUSPENDED;
		e->ru_next = e->ru_base + link;
		e100_raise(e, E100_STAT_RNR);
	} else {
		e->ru_next = e->ru_base + link;
	}
	return E100_RX_DONE;

fault:
	/* The frame is lost; the RU stops at the broken RFD. */
	pp_nic_log(e->dev, PP_LOG_DEBUG,
		   "e100: RFD at 0x%08x not writable, RU stopped", rfd);
	e100_ru_nores(e);
	return E100_RX_DONE;
}

unsigned int e100_guest_rx(struct pp_dev *dev, void *priv,
			   struct pp_pkt *pkts[], unsigned int n)
{
	struct e100 *e = priv;
	unsigned int k;

	(void)dev;
	for (k = 0; k < n; k++) {
		if (e->ru_state != E100_RU_READY || !e->bme)
			break;
		if (e100_rx_one(e, pkts[k]) == E100_RX_STOP)
			break;
	}
	e100_irq_update(e);
	return k;
}
