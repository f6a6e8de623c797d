// SPDX-License-Identifier: BSD-2-Clause
/*
 * drivers/e100: probe, attach/detach, the trapped CSR window of both BARs,
 * PORT, interrupts (virtual STAT/ACK, mask byte, guest line), statistics
 * dumps, and bringing the real device up with the backend's own rings.
 *
 * The guest sees a virtual SCB: status byte (CU/RU state), STAT/ACK (set
 * by the shadow and by real MDI/FCP events, cleared only by the guest's
 * ack), command byte (always reads 0: commands are accepted at once),
 * interrupt control byte and general pointer. PORT self-test is emulated,
 * PORT dump refused, resets go to the device and re-arm the shadow.
 * EEPROM, MDI, flash, flow control, PMDR and general control/status pass
 * through to the real device.
 */
#include <errno.h>
#include <string.h>

#include "e100.h"

/* ---------------------------------------------------------------------- */
/* Identity                                                               */
/* ---------------------------------------------------------------------- */

struct e100_id {
	uint16_t first, last;
	uint8_t ich;
};

#define E100_ID_ENTRY(f, l, i) {(f), (l), (i)},
static const struct e100_id e100_ids[] = {E100_PCI_IDS(E100_ID_ENTRY)};
#undef E100_ID_ENTRY

static const struct e100_id *e100_find_id(const struct pp_pci_id *id)
{
	size_t i;

	if (id == NULL || id->vendor != E100_PCI_VENDOR_INTEL)
		return NULL;
	for (i = 0; i < sizeof(e100_ids) / sizeof(e100_ids[0]); i++)
		if (id->device >= e100_ids[i].first &&
		    id->device <= e100_ids[i].last)
			return &e100_ids[i];
	return NULL;
}

static bool e100_probe(const struct pp_pci_id *id)
{
	return e100_find_id(id) != NULL;
}

/* Feature gates (facts §1.2): ICH parts behave as an 82559 (D101M). */
static void e100_identify(struct e100 *e, const struct pp_pci_id *id)
{
	const struct e100_id *m = e100_find_id(id);

	e->device = id->device;
	e->rev = id->revision;
	if (m != NULL && m->ich)
		e->chip = E100_REV_82559_C;
	else if (id->revision == 0 || id->revision == 0xff)
		e->chip = E100_REV_82557_A;
	else
		e->chip = id->revision;
	e->ext_masks = e->chip >= E100_REV_82558_A4;
	e->ext_tcb_ok = e->chip >= E100_REV_82558_A4;
	e->tco_ok = e->chip >= E100_REV_82559_C;
	e->rxcsum_ok =
		e->chip >= E100_REV_82559_C && e->device != E100_DEV_82559ER;
	e->ext_rfd_ok = e->chip >= E100_REV_82550;
	e->cfg_max = e->ext_rfd_ok ? E100_CFG_LEN_EXT : E100_CFG_LEN_STD;
}

/* ---------------------------------------------------------------------- */
/* Configuration                                                          */
/* ---------------------------------------------------------------------- */

/*
 * Power-on configuration as the guest sees it until it configures: the
 * 82557-compatible block (standard TCB and counters, MII, broadcast on,
 * no CRC transfer, padding, long frames OK).
 */
static const uint8_t e100_cfg_default[E100_CFG_LEN_EXT] = {
	0x16, 0x08, 0x00, 0x00, 0x00, 0x00, 0x32, 0x03, 0x01, 0x00, 0x2e,
	0x00, 0x60, 0x00, 0xf2, 0x48, 0x00, 0x40, 0xfa, 0x80, 0x3f, 0x05,
};

void e100_vcfg_default(struct e100 *e)
{
	memcpy(e->vcfg, e100_cfg_default, sizeof(e->vcfg));
}

/*
 * What the real device runs: the guest's bytes, except the ones that
 * change the formats of the backend's own rings or that the wire side
 * needs (see README.md, "Configure").
 */
void e100_hw_cfg_build(struct e100 *e)
{
	uint8_t *c = e->hw_cfg;

	memcpy(c, e->vcfg, sizeof(e->hw_cfg));
	c[0] = (uint8_t)((c[0] & ~E100_CFG_COUNT_MASK) | e->cfg_max);
	/* Standard TCB and 16 counters: fixed formats for our CBL/dump. */
	c[6] |= E100_CFG6_STD_TCB | E100_CFG6_STD_STATS;
	/* CNA on suspend too (reclaim), no TNO/TCO, no bad frames. */
	c[6] &= (uint8_t) ~(E100_CFG6_CI | E100_CFG6_TNO_TCO |
			    E100_CFG6_SAVE_OVERRUN | E100_CFG6_SAVE_BAD);
	/* Simplified RFDs, TBD count mode, discard runts. */
	c[7] &= (uint8_t) ~(E100_CFG7_EXT_RFD | E100_CFG7_DYN_TBD);
	c[7] |= E100_CFG7_DISCARD_SHORT;
	/* No checksum bytes appended to our frames. */
	c[9] &= (uint8_t)~E100_CFG9_RX_CSUM;
	/* The wire side needs broadcasts (ARP); filtered for the guest. */
	c[15] &= (uint8_t)~E100_CFG15_BCAST_DIS;
	/* No CRC transfer (QEMU drops the data with it); pad short frames. */
	c[18] &= (uint8_t)~E100_CFG18_CRC_XFER;
	c[18] |= 0x02;
	if (e->cfg_max > E100_CFG_LEN_STD)
		c[22] &= (uint8_t)~E100_CFG22_EXT_RX;
}

/* 16, 19 or 21 counters [M p40-42] (facts §5.5). */
unsigned int e100_dump_size(const struct e100 *e)
{
	if (e->tco_ok && (e->vcfg[6] & E100_CFG6_TNO_TCO))
		return E100_STATS_SIZE_TCO;
	if (e->ext_tcb_ok && !(e->vcfg[6] & E100_CFG6_STD_STATS))
		return E100_STATS_SIZE_EXT;
	return E100_STATS_SIZE_STD;
}

/* ---------------------------------------------------------------------- */
/* Interrupt line and timer                                               */
/* ---------------------------------------------------------------------- */

void e100_irq_update(struct e100 *e)
{
	uint8_t masked = 0;
	bool level;

	if (e->ext_masks) {
		/* Mask bits 7:4 sit on the same bits as CX/FR/CNA/RNR. */
		masked = e->vmask & (E100_INTR_CX | E100_INTR_FR |
				     E100_INTR_CNA | E100_INTR_RNR);
		if (e->vmask & E100_INTR_ER)
			masked |= E100_STAT_ER;
		if (e->vmask & E100_INTR_FCP)
			masked |= E100_STAT_FCP;
	}
	level = !(e->vmask & E100_INTR_M) && (e->vstat & ~masked) != 0;
	if (level != e->irq_level) {
		e->irq_level = level;
		pp_nic_irq(e->dev, level);
	}
}

static void e100_min(uint64_t *d, uint64_t t)
{
	if (t != 0 && (*d == 0 || t < *d))
		*d = t;
}

void e100_timer_update(struct e100 *e)
{
	uint64_t d = 0;
	bool busy = e->tx_used > 0 || e->tx_unkicked > 0 ||
		    (e->ctl.active && !e->ctl.done);

	if (e->cu_state == E100_CU_ACTIVE &&
	    (e->cu_park == E100_PARK_BATCH || e->cu_park == E100_PARK_TXQ ||
	     e->cu_park == E100_PARK_SLOT))
		e100_min(&d, e->cu_retry_at ? e->cu_retry_at : 1);
	if (e->ctl.active && !e->ctl.done)
		e100_min(&d, e->ctl.deadline);
	/*
	 * Housekeeping: every 10 ms while CBs are outstanding, every second
	 * otherwise (a lost RNR would leave the real RU stopped).
	 */
	if (busy && (e->hk_at == 0 || !e->hk_fast)) {
		e->hk_at = pp_nic_now(e->dev) + E100_HOUSEKEEP_NS;
		e->hk_fast = true;
	} else if (!busy && e->hk_at == 0) {
		e->hk_at = pp_nic_now(e->dev) + E100_IDLE_CHECK_NS;
		e->hk_fast = false;
	}
	e100_min(&d, e->hk_at);
	pp_nic_timer_at(e->dev, d);
}

/* ---------------------------------------------------------------------- */
/* Real device: commands, delays, EEPROM                                  */
/* ---------------------------------------------------------------------- */

int e100_hw_cmd(struct e100 *e, uint8_t cmd, bool set_gp, uint32_t gp)
{
	unsigned int i;
	uint8_t c = 0xff;
	const uint8_t resume = E100_SCB_CU(E100_CUC_RESUME);

	/*
	 * The previous command must have been accepted [M p105]. A CU
	 * resume behind a CU resume is idempotent and written without the
	 * wait (as Windows-lineage drivers do).
	 */
	if (cmd == resume && e->hw_last_cmd == resume && !set_gp) {
		e100_wr(e, E100_SCB_CMD, 1, cmd);
		return 0;
	}
	for (i = 0; i < E100_SCB_POLLS; i++) {
		c = (uint8_t)e100_rd(e, E100_SCB_CMD, 1);
		if (c == 0 || c == 0xff)
			break;
	}
	if (c != 0) {
		e->cnt.hw_timeouts++;
		pp_nic_count_dev_error(e->dev);
		pp_nic_log(e->dev, PP_LOG_WARNING,
			   "e100: device did not accept command 0x%02x "
			   "(command byte 0x%02x)",
			   cmd, c);
		return -EBUSY;
	}
	if (set_gp)
		e100_wr(e, E100_SCB_GP, 4, gp);
	e100_wr(e, E100_SCB_CMD, 1, cmd);
	e->hw_last_cmd = cmd;
	return 0;
}

void e100_hw_settle(struct e100 *e, uint64_t ns)
{
	uint64_t t0 = pp_nic_now(e->dev);
	unsigned int i;

	for (i = 0; i < E100_SETTLE_READS; i++) {
		(void)e100_rd(e, E100_SCB_STATUS, 1);
		if (pp_nic_now(e->dev) - t0 >= ns)
			break;
	}
}

static void e100_ee_out(struct e100 *e, uint8_t v)
{
	e100_wr(e, E100_EEPROM_CTL, 1, v);
	e100_hw_settle(e, E100_EE_DELAY_NS);
}

/* Clock one bit into the EEPROM; returns DO sampled with SK high. */
static bool e100_ee_bit(struct e100 *e, bool bit)
{
	uint8_t v = E100_EE_CS | (bit ? E100_EE_DI : 0);
	bool d;

	e100_ee_out(e, v);
	e100_ee_out(e, v | E100_EE_SK);
	d = (e100_rd(e, E100_EEPROM_CTL, 1) & E100_EE_DO) != 0;
	e100_ee_out(e, v);
	return d;
}

/*
 * Read one 16-bit word (93C46/93C66 READ). *abits = 0 on entry detects
 * the address width from the dummy zero the EEPROM drives after the last
 * address bit (facts §7). 0, or -EIO if no dummy zero was seen.
 */
static int e100_ee_read(struct e100 *e, unsigned int addr, unsigned int *abits,
			uint16_t *out)
{
	unsigned int i, n = *abits ? *abits : E100_EE_ADDR_MAX_BITS;
	uint16_t w = 0;
	bool zero = false;

	e100_ee_out(e, E100_EE_CS);
	for (i = 0; i < 3; i++) /* start bit and opcode, MSB first */
		(void)e100_ee_bit(e, (E100_EE_OP_READ >> (2 - i)) & 1);
	for (i = 0; i < n; i++) {
		bool d = e100_ee_bit(e, (addr >> (n - 1 - i)) & 1);

		if (!d) {
			zero = true;
			if (*abits == 0) {
				n = i + 1;
				break;
			}
		}
	}
	if (!zero) {
		e100_ee_out(e, 0);
		return -EIO;
	}
	*abits = n;
	for (i = 0; i < 16; i++)
		w = (uint16_t)(w << 1 | e100_ee_bit(e, false));
	e100_ee_out(e, 0);
	*out = w;
	return 0;
}

/* The station address from EEPROM words 0-2, if one is there. */
static bool e100_ee_mac(struct e100 *e, uint8_t mac[6])
{
	unsigned int i, abits = 0;
	uint16_t w;

	for (i = 0; i < 3; i++) {
		if (e100_ee_read(e, E100_EE_WORD_MAC0 + i, &abits, &w) != 0)
			return false;
		mac[2 * i] = (uint8_t)w;
		mac[2 * i + 1] = (uint8_t)(w >> 8);
	}
	if (mac[0] & 1)
		return false; /* multicast: no address programmed */
	for (i = 0; i < 6; i++)
		if (mac[i] != 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------------- */
/* Real device bring-up                                                   */
/* ---------------------------------------------------------------------- */

static void e100_hw_port(struct e100 *e, uint32_t fn)
{
	e->hw_last_cmd = 0;
	e100_wr(e, E100_SCB_INTR, 1, E100_INTR_M);
	e100_wr(e, E100_PORT, 4, fn);
	e100_hw_settle(e, E100_RESET_SETTLE_NS);
	/* A reset leaves interrupts unmasked. */
	e100_wr(e, E100_SCB_INTR, 1, E100_INTR_M);
	e100_wr(e, E100_SCB_STATACK, 1, 0xff);
}

/*
 * Reset the real device (PORT @port_fn) and bring the backend's own rings
 * back: CU/RU bases 0, dump address, the guest's last configure, IA and
 * multicast (re-issued through the backend's CBL), RU started.
 */
void e100_hw_reinit(struct e100 *e, uint32_t port_fn)
{
	int ret = 0;

	e->cnt.hw_reinits++;
	if (e->hw_ok)
		e100_rx_harvest(e, false); /* keep what already arrived */
	e->hw_ok = false;
	e100_hw_port(e, port_fn);
	e100_rings_reset(e);
	ret |= e100_hw_cmd(e, E100_SCB_CU(E100_CUC_BASE), true, 0);
	ret |= e100_hw_cmd(e, E100_SCB_RU(E100_RUC_BASE), true, 0);
	ret |= e100_hw_cmd(e, E100_SCB_CU(E100_CUC_DUMP_ADDR), true,
			   (uint32_t)e->sbuf.iova);
	if (ret != 0) {
		pp_nic_log(e->dev, PP_LOG_ERR,
			   "e100: device does not take commands after reset");
		return;
	}
	e->hw_ok = true;
	if (e100_tx_submit_ctl(e, E100_OP_CONFIG, e->hw_cfg, e->cfg_max) < 0 ||
	    (e->hw_ia_set &&
	     e100_tx_submit_ctl(e, E100_OP_IA, e->hw_ia, 6) < 0))
		pp_nic_log(e->dev, PP_LOG_WARNING,
			   "e100: cannot queue configure/IA after reset");
	if (e->hw_mc_set &&
	    e100_tx_submit_ctl(e, E100_OP_MCAST, e->hw_mc, e->hw_mc_len) < 0)
		pp_nic_log(e->dev, PP_LOG_WARNING,
			   "e100: cannot queue multicast after reset");
	e100_tx_reclaim(e);
	e100_rx_start(e);
	e100_wr(e, E100_SCB_INTR, 1, 0);
}

static int e100_attach(struct pp_dev *dev, void *priv)
{
	struct e100 *e = priv;
	uint8_t mac[6];
	int ret;

	memset(e, 0, sizeof(*e));
	e->dev = dev;
	e100_identify(e, pp_nic_pci_id(dev));
	e->bme = true;
	e100_vcfg_default(e);
	e100_hw_cfg_build(e);
	ret = e100_rings_alloc(e);
	if (ret != 0)
		return ret;
	/* Stop whatever the device was doing, then read its address. */
	e100_hw_port(e, E100_PORT_SELECTIVE_RESET);
	if (e100_ee_mac(e, mac)) {
		memcpy(e->hw_ia, mac, 6);
		e->hw_ia_set = true;
		pp_nic_set_mac(dev, mac);
	} else {
		pp_nic_log(dev, PP_LOG_NOTICE,
			   "e100: no station address in the EEPROM");
	}
	e100_hw_reinit(e, E100_PORT_SOFTWARE_RESET);
	e->cnt.hw_reinits = 0;
	if (!e->hw_ok) {
		e100_hw_port(e, E100_PORT_SELECTIVE_RESET);
		e100_rings_free(e);
		return -EIO;
	}
	pp_nic_log(dev, PP_LOG_INFO,
		   "e100: device 0x%04x revision 0x%02x (as 0x%02x), "
		   "%u-byte configure",
		   e->device, e->rev, e->chip, e->cfg_max);
	e100_timer_update(e);
	return 0;
}

static void e100_detach(struct pp_dev *dev, void *priv)
{
	struct e100 *e = priv;

	(void)dev;
	/* Stop all DMA before the rings go away. */
	e100_hw_port(e, E100_PORT_SELECTIVE_RESET);
	e100_hw_port(e, E100_PORT_SOFTWARE_RESET);
	e->hw_ok = false;
	e100_rings_free(e);
	if (e->irq_level) {
		e->irq_level = false;
		pp_nic_irq(e->dev, false);
	}
	pp_nic_timer_at(e->dev, 0);
	pp_nic_log(e->dev, PP_LOG_INFO,
		   "e100: detached (refused CBs %llu, microcode ignored %llu, "
		   "guest frames dropped %llu, wire frames dropped %llu, "
		   "RX truncated %llu, device re-inits %llu, timeouts %llu)",
		   (unsigned long long)e->cnt.cb_refused,
		   (unsigned long long)e->cnt.ucode_ignored,
		   (unsigned long long)e->cnt.tx_dropped,
		   (unsigned long long)e->cnt.wire_tx_drop,
		   (unsigned long long)e->cnt.rx_truncated,
		   (unsigned long long)e->cnt.hw_reinits,
		   (unsigned long long)e->cnt.hw_timeouts);
}

/* ---------------------------------------------------------------------- */
/* Statistics                                                             */
/* ---------------------------------------------------------------------- */

/*
 * Dump-and-reset the real counters into the backend's area (bounded
 * poll) and add the error counters to the guest's. The good-frame
 * counters are the shadow's own: frames taken from and given to the
 * guest, not the backend's wire traffic.
 */
static void e100_hw_stats_pull(struct e100 *e)
{
	uint8_t *s = e->sbuf.cpu;
	unsigned int i;
	bool done = false;

	if (!e->hw_ok)
		return;
	e100_put32(s + E100_STATS_SIZE_STD, 0);
	pp_dma_sync_for_device(e->dev, &e->sbuf, E100_STATS_SIZE_STD, 4);
	if (e100_hw_cmd(e, E100_SCB_CU(E100_CUC_DUMP_RESET), false, 0) != 0)
		return;
	for (i = 0; i < E100_DUMP_POLLS; i++) {
		pp_dma_sync_for_cpu(e->dev, &e->sbuf, E100_STATS_SIZE_STD, 4);
		if (e100_le32(s + E100_STATS_SIZE_STD) ==
		    E100_DUMP_RESET_DONE) {
			done = true;
			break;
		}
		(void)e100_rd(e, E100_SCB_STATUS, 1);
	}
	if (!done) {
		e->cnt.hw_timeouts++;
		pp_nic_count_dev_error(e->dev);
		return;
	}
	pp_dma_sync_for_cpu(e->dev, &e->sbuf, 0, E100_STATS_SIZE_STD);
	for (i = 1; i < E100_STATS_N_STD; i++)
		if (i != E100_STATS_RX_GOOD)
			e->vstats[i] += e100_le32(s + 4 * i);
}

void e100_stats_dump(struct e100 *e, bool reset)
{
	uint8_t out[E100_STATS_MAX_BYTES];
	unsigned int i, size = e100_dump_size(e);

	if (!e->dump_addr_set) {
		pp_nic_count_guest_error(e->dev);
		pp_nic_log(e->dev, PP_LOG_DEBUG,
			   "e100: statistics dump without a dump address");
		return;
	}
	e100_hw_stats_pull(e);
	memset(out, 0, sizeof(out));
	for (i = 0; i < size / 4; i++)
		e100_put32(out + 4 * i, e->vstats[i]);
	/* Exactly size + 4 bytes: the counters, then the completion word. */
	e100_put32(out + size, reset ? E100_DUMP_RESET_DONE : E100_DUMP_DONE);
	(void)e100_gwrite(e, e->dump_addr, out, size + 4);
	if (reset)
		memset(e->vstats, 0, sizeof(e->vstats));
}

/* ---------------------------------------------------------------------- */
/* Guest resets and PORT                                                  */
/* ---------------------------------------------------------------------- */

/* Effects of a reset on the virtual device (facts §11.14). */
static void e100_vreset(struct e100 *e, bool software)
{
	e100_cu_ru_reset(e);
	e->mdi_ie = false;
	if (!software)
		return; /* selective: configuration, IA, multicast kept */
	e->vstat = 0;
	e->vmask = 0;
	e->gp = 0;
	e->cu_base = 0;
	e->ru_base = 0;
	e->dump_addr_set = false;
	e->early_rx = 0;
	e100_vcfg_default(e);
	memset(e->vstats, 0, sizeof(e->vstats));
}

static void e100_port(struct e100 *e, uint32_t v)
{
	uint32_t fn = v & E100_PORT_FN_MASK, addr = v & E100_PORT_ADDR_MASK;
	uint8_t res[E100_SELFTEST_LEN];

	switch (fn) {
	case E100_PORT_SOFTWARE_RESET:
	case E100_PORT_SELECTIVE_RESET:
		e100_vreset(e, fn == E100_PORT_SOFTWARE_RESET);
		/* The device runs the guest's last configuration again. */
		e100_hw_reinit(e, fn);
		break;
	case E100_PORT_SELFTEST:
		/*
		 * Emulated: the device would DMA to a guest address (and
		 * reset itself). Signature non-zero, result 0 = passed.
		 */
		e100_vreset(e, true);
		e100_put32(res + E100_SELFTEST_SIG_OFF, 0xffffffffu);
		e100_put32(res + E100_SELFTEST_RESULT_OFF, 0);
		(void)e100_gwrite(e, addr, res, sizeof(res));
		break;
	case E100_PORT_DUMP:
	default:
		/* Refused: nothing written, nothing sent to the device. */
		pp_nic_count_guest_error(e->dev);
		pp_nic_log(e->dev, PP_LOG_DEBUG,
			   "e100: PORT function %u refused", fn);
		break;
	}
}

/* ---------------------------------------------------------------------- */
/* CSR decode                                                             */
/* ---------------------------------------------------------------------- */

/* Offsets the real device serves directly. */
static bool e100_csr_pass(uint32_t off, unsigned int width)
{
	uint32_t end = off + width;

	if (off % width != 0)
		return false;
	if (off >= E100_FLASH_CTL && end <= E100_EARLY_RX)
		return true;
	return off > E100_EARLY_RX && end <= E100_CSR_SIZE;
}

static uint8_t e100_status_byte(const struct e100 *e)
{
	return (uint8_t)(e->cu_state << E100_CUS_SHIFT |
			 e->ru_state << E100_RUS_SHIFT);
}

static uint8_t e100_csr_read8(struct e100 *e, uint32_t off)
{
	switch (off) {
	case E100_SCB_STATUS:
		return e100_status_byte(e);
	case E100_SCB_STATACK:
		return e->vstat;
	case E100_SCB_CMD:
		return 0; /* every command is accepted at once */
	case E100_SCB_INTR:
		return e->vmask;
	case E100_SCB_GP:
	case E100_SCB_GP + 1:
	case E100_SCB_GP + 2:
	case E100_SCB_GP + 3:
		return (uint8_t)(e->gp >> (8 * (off - E100_SCB_GP)));
	case E100_PORT:
	case E100_PORT + 1:
	case E100_PORT + 2:
	case E100_PORT + 3:
		return 0;
	case E100_EARLY_RX:
		return e->early_rx;
	default:
		if (off >= E100_CSR_SIZE)
			return 0;
		return (uint8_t)e100_rd(e, off, 1);
	}
}

static void e100_scb_command(struct e100 *e, uint8_t v)
{
	/* Both in one write is forbidden [M p105]; RU first, as QEMU. */
	if (E100_RUC(v) != E100_RUC_NOP)
		e100_ru_command(e, E100_RUC(v));
	if (E100_CUC(v) != E100_CUC_NOP)
		e100_cu_command(e, E100_CUC(v));
}

static void e100_intr_write(struct e100 *e, uint8_t v)
{
	/* SI with M in the same write: no interrupt [M p37]. */
	if ((v & E100_INTR_SI) && !(v & E100_INTR_M))
		e->vstat |= E100_STAT_SWI;
	e->vmask = (uint8_t)(v & ~E100_INTR_SI);
}

/* A write that reaches the MDI command byte starts an MDI cycle. */
static void e100_mdi_note(struct e100 *e, uint8_t b3)
{
	uint32_t v = (uint32_t)b3 << 24;

	if (v & E100_MDI_OP_MASK)
		e->mdi_ie = (v & E100_MDI_IE) != 0;
}

static void e100_csr_write8(struct e100 *e, uint32_t off, uint8_t v)
{
	switch (off) {
	case E100_SCB_STATUS:
		break; /* read-only */
	case E100_SCB_STATACK:
		e->vstat &= (uint8_t)~v;
		break;
	case E100_SCB_CMD:
		e100_scb_command(e, v);
		break;
	case E100_SCB_INTR:
		e100_intr_write(e, v);
		break;
	case E100_SCB_GP:
	case E100_SCB_GP + 1:
	case E100_SCB_GP + 2:
	case E100_SCB_GP + 3: {
		unsigned int sh = 8 * (off - E100_SCB_GP);

		e->gp = (e->gp & ~(0xffu << sh)) | ((uint32_t)v << sh);
		break;
	}
	case E100_PORT:
	case E100_PORT + 1:
	case E100_PORT + 2:
	case E100_PORT + 3: {
		unsigned int sh = 8 * (off - E100_PORT);

		e->port = (e->port & ~(0xffu << sh)) | ((uint32_t)v << sh);
		/* The top byte triggers, whatever the access width. */
		if (off == E100_PORT + 3)
			e100_port(e, e->port);
		break;
	}
	case E100_EARLY_RX:
		e->early_rx = v; /* ER is never raised (not forwarded) */
		break;
	default:
		if (off >= E100_CSR_SIZE)
			break;
		if (off == E100_MDI_CTL + 3)
			e100_mdi_note(e, v);
		e100_wr(e, off, 1, v);
		break;
	}
}

static uint32_t e100_csr_read(struct e100 *e, uint32_t off, unsigned int width)
{
	uint32_t v = 0;
	unsigned int i;

	if (e100_csr_pass(off, width))
		return e100_rd(e, off, width);
	for (i = 0; i < width; i++)
		v |= (uint32_t)e100_csr_read8(e, off + i) << (8 * i);
	return v;
}

static void e100_csr_write(struct e100 *e, uint32_t off, unsigned int width,
			   uint32_t v)
{
	unsigned int i;

	if (e100_csr_pass(off, width)) {
		if (off <= E100_MDI_CTL + 3 && off + width > E100_MDI_CTL + 3)
			e100_mdi_note(e, (uint8_t)(v >> (8 * (E100_MDI_CTL + 3 -
							      off))));
		e100_wr(e, off, width, v);
		return;
	}
	/* Byte by byte, lowest first: ack, then command, then mask. */
	for (i = 0; i < width; i++)
		e100_csr_write8(e, off + i, (uint8_t)(v >> (8 * i)));
}

static int e100_access(struct pp_dev *dev, void *priv, unsigned int bar,
		       uint32_t off, unsigned int width, bool write,
		       uint32_t *val)
{
	struct e100 *e = priv;
	uint32_t size =
		bar == E100_BAR_MEM ? E100_BAR_MEM_SIZE : E100_BAR_IO_SIZE;

	(void)dev;
	if ((bar != E100_BAR_MEM && bar != E100_BAR_IO) ||
	    (width != 1 && width != 2 && width != 4) || off >= size ||
	    width > size - off)
		return -EINVAL;
	if (off >= E100_CSR_SIZE) {
		/* Beyond the CSR: reads 0, writes dropped (no aliasing). */
		if (!write)
			*val = 0;
		return 0;
	}
	if (write)
		e100_csr_write(e, off, width, *val);
	else
		*val = e100_csr_read(e, off, width);
	e100_irq_update(e);
	e100_timer_update(e);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Real interrupt, timer, PCI command                                     */
/* ---------------------------------------------------------------------- */

static void e100_interrupt(struct pp_dev *dev, void *priv)
{
	struct e100 *e = priv;
	uint8_t all = 0, st;

	(void)dev;
	/*
	 * Ack first, then work: events after the read keep the (level)
	 * line up and bring us back. 0xFF: the device is gone.
	 */
	st = (uint8_t)e100_rd(e, E100_SCB_STATACK, 1);
	if (st != 0 && st != 0xff) {
		e100_wr(e, E100_SCB_STATACK, 1, st);
		all = st;
	}
	if (e->hw_ok) {
		e100_tx_reclaim(e);
		e100_rx_harvest(e, (all & E100_STAT_RNR) != 0);
		if ((all & E100_STAT_MDI) && e->mdi_ie) {
			e->mdi_ie = false;
			e->vstat |= E100_STAT_MDI;
		}
		if ((all & E100_STAT_FCP) && e->ext_masks)
			e->vstat |= E100_STAT_FCP;
		if (e->cu_state == E100_CU_ACTIVE &&
		    e->cu_park != E100_PARK_BUDGET)
			e100_cu_run(e);
		e100_tx_kick(e);
	}
	e100_irq_update(e);
	e100_timer_update(e);
}

static void e100_timer(struct pp_dev *dev, void *priv, uint64_t now)
{
	struct e100 *e = priv;

	(void)dev;
	if (!e->hw_ok && e->hk_at != 0 && now >= e->hk_at) {
		/* The device refused commands after a reset: try again. */
		e->hk_at = 0;
		e100_hw_reinit(e, E100_PORT_SOFTWARE_RESET);
	} else if (e->hw_ok) {
		if (e->hk_at != 0 && now >= e->hk_at) {
			e->hk_at = 0;
			e100_tx_reclaim(e);
			e100_rx_harvest(e, true);
			e100_tx_watchdog(e, now);
			e100_tx_kick(e);
		} else if (e->ctl.active && !e->ctl.done &&
			   now >= e->ctl.deadline) {
			e100_tx_reclaim(e);
			e100_tx_watchdog(e, now);
		}
	}
	if (e->cu_state == E100_CU_ACTIVE && e->cu_park != E100_PARK_BUDGET &&
	    (e->cu_park != E100_PARK_TXQ || now >= e->cu_retry_at))
		e100_cu_run(e);
	e100_irq_update(e);
	e100_timer_update(e);
}

static void e100_pci_command(struct pp_dev *dev, void *priv, uint16_t cmd)
{
	struct e100 *e = priv;
	bool bme = (cmd & 0x0004) != 0;

	(void)dev;
	if (bme == e->bme)
		return;
	e->bme = bme;
	if (bme) {
		e100_cu_run(e);
		pp_nic_guest_rx_ready(e->dev);
	}
	e100_irq_update(e);
	e100_timer_update(e);
}

const struct pp_nic_ops pp_e100_ops = {
	.name = "e100",
	.priv_size = sizeof(struct e100),
	.probe = e100_probe,
	.trap_bars = (1u << E100_BAR_MEM) | (1u << E100_BAR_IO),
	.bar_size = {E100_BAR_MEM_SIZE, E100_BAR_IO_SIZE},
	.attach = e100_attach,
	.detach = e100_detach,
	.access = e100_access,
	.interrupt = e100_interrupt,
	.timer = e100_timer,
	.pci_command = e100_pci_command,
	.wire_tx = e100_wire_tx,
	.guest_rx = e100_guest_rx,
};
