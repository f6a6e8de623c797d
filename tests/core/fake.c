// SPDX-License-Identifier: BSD-2-Clause
/* Test doubles for the libparapass core; see fake.h. */
#include "fake.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Fake platform                                                          */
/* ---------------------------------------------------------------------- */

static int fp_guest_read(void *o, pp_gpa_t gpa, void *dst, size_t len)
{
	struct fake_plat *fp = o;

	fp->guest_calls++;
	if (gpa >= FAKE_RAM_SIZE || len > FAKE_RAM_SIZE - gpa)
		return -EFAULT;
	memcpy(dst, fp->ram + gpa, len);
	return 0;
}

static int fp_guest_write(void *o, pp_gpa_t gpa, const void *src, size_t len)
{
	struct fake_plat *fp = o;

	fp->guest_calls++;
	if (gpa >= FAKE_RAM_SIZE || len > FAKE_RAM_SIZE - gpa)
		return -EFAULT;
	memcpy(fp->ram + gpa, src, len);
	return 0;
}

static uint32_t fp_dev_read(void *o, unsigned int bar, uint32_t off,
			    unsigned int width)
{
	struct fake_plat *fp = o;
	uint32_t v = 0;
	unsigned int i;

	if (bar >= 6 || off >= FAKE_BAR_BYTES || width > FAKE_BAR_BYTES - off)
		return 0xffffffffu;
	for (i = 0; i < width; i++)
		v |= (uint32_t)fp->bar[bar][off + i] << (8 * i);
	return v;
}

static void fp_dev_write(void *o, unsigned int bar, uint32_t off,
			 unsigned int width, uint32_t val)
{
	struct fake_plat *fp = o;
	unsigned int i;

	fp->dev_writes++;
	if (bar >= 6 || off >= FAKE_BAR_BYTES || width > FAKE_BAR_BYTES - off)
		return;
	for (i = 0; i < width; i++)
		fp->bar[bar][off + i] = (uint8_t)(val >> (8 * i));
}

static int fp_pci_read(void *o, unsigned int off, unsigned int width,
		       uint32_t *val)
{
	struct fake_plat *fp = o;
	unsigned int i;

	if (off + width > sizeof(fp->cfg))
		return -EINVAL;
	*val = 0;
	for (i = 0; i < width; i++)
		*val |= (uint32_t)fp->cfg[off + i] << (8 * i);
	return 0;
}

static int fp_pci_write(void *o, unsigned int off, unsigned int width,
			uint32_t val)
{
	struct fake_plat *fp = o;
	unsigned int i;

	if (off + width > sizeof(fp->cfg))
		return -EINVAL;
	for (i = 0; i < width; i++)
		fp->cfg[off + i] = (uint8_t)(val >> (8 * i));
	return 0;
}

static int fp_dma_alloc(void *o, size_t len, size_t align,
			struct pp_dma_buf *out)
{
	struct fake_plat *fp = o;
	size_t start = (fp->arena_used + align - 1) & ~(align - 1);

	if (start > FAKE_DMA_SIZE || len > FAKE_DMA_SIZE - start)
		return -ENOMEM;
	fp->arena_used = start + len;
	out->cpu = fp->arena + start;
	out->iova = FAKE_IOVA_BASE + start;
	out->len = len;
	out->handle = start;
	fp->dma_live++;
	return 0;
}

static void fp_dma_free(void *o, struct pp_dma_buf *buf)
{
	struct fake_plat *fp = o;

	(void)buf;
	fp->dma_live--;
}

static void fp_sync(void *o, const struct pp_dma_buf *buf, size_t off,
		    size_t len)
{
	struct fake_plat *fp = o;

	(void)buf;
	(void)off;
	(void)len;
	fp->syncs++;
}

static void fp_irq_set(void *o, bool level)
{
	struct fake_plat *fp = o;

	fp->irq = level;
	fp->irq_calls++;
}

static uint64_t fp_now(void *o)
{
	return ((struct fake_plat *)o)->now;
}

static void fp_timer_set(void *o, uint64_t deadline)
{
	struct fake_plat *fp = o;

	fp->timer = deadline;
	fp->timer_sets++;
}

static void fp_log(void *o, enum pp_log_level level, const char *msg)
{
	struct fake_plat *fp = o;

	if (fp->n_logs < 64) {
		snprintf(fp->logs[fp->n_logs], sizeof(fp->logs[0]), "%s", msg);
		fp->log_levels[fp->n_logs] = level;
	}
	fp->n_logs++;
}

const struct pp_platform_ops fake_plat_ops = {
	.guest_read = fp_guest_read,
	.guest_write = fp_guest_write,
	.dev_read = fp_dev_read,
	.dev_write = fp_dev_write,
	.pci_read = fp_pci_read,
	.pci_write = fp_pci_write,
	.dma_alloc = fp_dma_alloc,
	.dma_free = fp_dma_free,
	.dma_sync_for_cpu = fp_sync,
	.dma_sync_for_device = fp_sync,
	.irq_set = fp_irq_set,
	.now_ns = fp_now,
	.timer_set = fp_timer_set,
	.log = fp_log,
};

struct fake_plat *fake_plat_new(void)
{
	struct fake_plat *fp = calloc(1, sizeof(*fp));

	if (fp == NULL)
		abort();
	fp->arena = calloc(1, FAKE_DMA_SIZE);
	if (fp->arena == NULL)
		abort();
	fp->cfg[0] = FAKE_VENDOR & 0xff;
	fp->cfg[1] = FAKE_VENDOR >> 8;
	fp->cfg[2] = FAKE_DEVICE & 0xff;
	fp->cfg[3] = FAKE_DEVICE >> 8;
	fp->now = 1000;
	fake_dev_reg_set(fp, RD_TXCREDIT, 1000);
	return fp;
}

void fake_plat_free(struct fake_plat *fp)
{
	if (fp == NULL)
		return;
	free(fp->arena);
	free(fp);
}

void fake_params(struct pp_dev_params *prm, struct fake_plat *fp)
{
	memset(prm, 0, sizeof(*prm));
	prm->name = "fake0";
	prm->pci.vendor = FAKE_VENDOR;
	prm->pci.device = FAKE_DEVICE;
	prm->pci.subsys_vendor = FAKE_VENDOR;
	prm->pci.subsys_device = 0x0042;
	prm->pci.revision = 3;
	prm->plat = &fake_plat_ops;
	prm->plat_opaque = fp;
	prm->nic = &fake_nic_ops;
}

unsigned int fake_log_count(const struct fake_plat *fp, const char *needle)
{
	unsigned int i, n = 0, max = fp->n_logs < 64 ? fp->n_logs : 64;

	for (i = 0; i < max; i++)
		if (strstr(fp->logs[i], needle) != NULL)
			n++;
	return n;
}

/* ---------------------------------------------------------------------- */
/* Fake backend                                                           */
/* ---------------------------------------------------------------------- */

int fake_nic_attach_result;

static bool fn_probe(const struct pp_pci_id *id)
{
	return id->vendor == FAKE_VENDOR && id->device == FAKE_DEVICE;
}

static int fn_attach(struct pp_dev *dev, void *priv)
{
	struct fake_nic *fn = priv;
	uint32_t id = 0, deadline;
	int ret;

	ret = pp_pci_read(dev, 0, 4, &id);
	if (ret != 0 || id != (FAKE_DEVICE << 16 | FAKE_VENDOR))
		return -ENODEV;
	ret = pp_dma_alloc(dev, 16384, 64, &fn->txbuf);
	if (ret != 0)
		return ret;
	ret = pp_dma_alloc(dev, 16384, 64, &fn->rxbuf);
	if (ret != 0) {
		pp_dma_free(dev, &fn->txbuf);
		return ret;
	}
	if (fake_nic_attach_result != 0) {
		pp_dma_free(dev, &fn->rxbuf);
		pp_dma_free(dev, &fn->txbuf);
		return fake_nic_attach_result;
	}
	pp_reg_write(dev, 0, RD_CTRL, 4, 1); /* reset */
	fn->wire_credit = pp_reg_read(dev, 0, RD_TXCREDIT, 4);
	deadline = pp_reg_read(dev, 0, RD_DEADLINE, 4);
	if (deadline != 0)
		pp_nic_timer_at(dev, deadline);
	return 0;
}

static void fn_detach(struct pp_dev *dev, void *priv)
{
	struct fake_nic *fn = priv;

	pp_reg_write(dev, 0, RD_CTRL, 4, 0);
	pp_dma_free(dev, &fn->rxbuf);
	pp_dma_free(dev, &fn->txbuf);
}

static int fn_access(struct pp_dev *dev, void *priv, unsigned int bar,
		     uint32_t off, unsigned int width, bool write,
		     uint32_t *val)
{
	struct fake_nic *fn = priv;
	uint8_t frame[PP_FRAME_MAX];
	uint8_t mac[6];

	(void)bar;
	(void)width;
	switch (off) {
	case FN_TXADDR:
		if (write)
			fn->txaddr = *val;
		else
			*val = fn->txaddr;
		return 0;
	case FN_TXLEN:
		if (write)
			fn->txlen = *val;
		else
			*val = fn->txlen;
		return 0;
	case FN_TXGO:
		if (!write)
			return -EINVAL;
		if (fn->txlen > sizeof(frame)) {
			pp_nic_count_guest_error(dev);
			fn->status = -EINVAL;
			return 0;
		}
		fn->status = pp_guest_read(dev, fn->txaddr, frame, fn->txlen);
		if (fn->status == 0)
			fn->status = pp_nic_from_guest(dev, frame, fn->txlen);
		return 0;
	case FN_STATUS:
		if (write)
			return -EINVAL;
		*val = (uint32_t)fn->status;
		return 0;
	case FN_RXADDR:
		if (write)
			fn->rxaddr = *val;
		else
			*val = fn->rxaddr;
		return 0;
	case FN_RXCREDIT:
		if (!write) {
			*val = fn->rx_credit;
			return 0;
		}
		fn->rx_credit = *val;
		pp_nic_guest_rx_ready(dev);
		return 0;
	case FN_MACLO:
		if (write)
			fn->maclo = *val;
		return 0;
	case FN_MACHI:
		if (write) {
			mac[0] = (uint8_t)fn->maclo;
			mac[1] = (uint8_t)(fn->maclo >> 8);
			mac[2] = (uint8_t)(fn->maclo >> 16);
			mac[3] = (uint8_t)(fn->maclo >> 24);
			mac[4] = (uint8_t)*val;
			mac[5] = (uint8_t)(*val >> 8);
			pp_nic_set_mac(dev, mac);
		}
		return 0;
	case FN_ECHO:
		if (write)
			pp_reg_write(dev, 0, RD_ECHO, 4, *val);
		else
			*val = pp_reg_read(dev, 0, RD_ECHO, 4);
		return 0;
	default:
		return -EINVAL;
	}
}

static void fn_interrupt(struct pp_dev *dev, void *priv)
{
	struct fake_nic *fn = priv;
	uint32_t isr = pp_reg_read(dev, 0, RD_ISR, 4);

	if (isr & RD_ISR_RX) {
		uint32_t len = pp_reg_read(dev, 0, RD_RXLEN, 4);

		if (len <= fn->rxbuf.len) {
			pp_dma_sync_for_cpu(dev, &fn->rxbuf, 0, len);
			pp_nic_from_wire(dev, fn->rxbuf.cpu, len);
		} else {
			pp_nic_count_dev_error(dev);
		}
	}
	if (isr & RD_ISR_TX) {
		fn->wire_credit += pp_reg_read(dev, 0, RD_TXCREDIT, 4);
		pp_nic_wire_tx_ready(dev);
	}
	pp_reg_write(dev, 0, RD_ISR, 4, 0); /* acknowledge */
}

static void fn_timer(struct pp_dev *dev, void *priv, uint64_t now)
{
	struct fake_nic *fn = priv;

	fn->timer_calls++;
	if (fn->rearm_ns != 0)
		pp_nic_timer_at(dev, now + fn->rearm_ns);
}

static void fn_pci_command(struct pp_dev *dev, void *priv, uint16_t cmd)
{
	struct fake_nic *fn = priv;

	fn->last_cmd = cmd;
	pp_pci_write(dev, 4, 2, cmd);
}

static void keep(struct fake_frame *ff, const struct pp_pkt *p)
{
	ff->len = p->len;
	memcpy(ff->data, pp_pkt_data(p),
	       p->len < FAKE_FRAME_MAX ? p->len : FAKE_FRAME_MAX);
}

static unsigned int fn_wire_tx(struct pp_dev *dev, void *priv,
			       struct pp_pkt *pkts[], unsigned int n)
{
	struct fake_nic *fn = priv;
	unsigned int i, k = n < fn->wire_credit ? n : fn->wire_credit;

	fn->wire_tx_calls++;
	for (i = 0; i < k; i++) {
		const struct pp_pkt *p = pkts[i];

		memcpy(fn->txbuf.cpu, pp_pkt_data(p), p->len);
		pp_dma_sync_for_device(dev, &fn->txbuf, 0, p->len);
		pp_reg_write(dev, 0, RD_TXLEN, 4, p->len);
		if (fn->n_sent < FAKE_SENT_MAX)
			keep(&fn->sent[fn->n_sent], p);
		fn->n_sent++;
	}
	fn->wire_credit -= k;
	return k;
}

static unsigned int fn_guest_rx(struct pp_dev *dev, void *priv,
				struct pp_pkt *pkts[], unsigned int n)
{
	struct fake_nic *fn = priv;
	unsigned int i, k = n < fn->rx_credit ? n : fn->rx_credit;

	fn->guest_rx_calls++;
	for (i = 0; i < k; i++) {
		const struct pp_pkt *p = pkts[i];
		uint32_t len =
			p->len < FAKE_FRAME_MAX ? p->len : FAKE_FRAME_MAX;

		pp_guest_write(dev, fn->rxaddr + (fn->rx_slot % 16) * 2048u,
			       pp_pkt_data(p), len);
		fn->rx_slot++;
		if (fn->n_delivered < FAKE_SENT_MAX)
			keep(&fn->delivered[fn->n_delivered], p);
		fn->n_delivered++;
	}
	fn->rx_credit -= k;
	if (k != 0)
		pp_nic_irq(dev, true);
	return k;
}

const struct pp_nic_ops fake_nic_ops = {
	.name = "fakenic",
	.priv_size = sizeof(struct fake_nic),
	.probe = fn_probe,
	.trap_bars = 1u << 0,
	.bar_size = {64},
	.attach = fn_attach,
	.detach = fn_detach,
	.access = fn_access,
	.interrupt = fn_interrupt,
	.timer = fn_timer,
	.pci_command = fn_pci_command,
	.wire_tx = fn_wire_tx,
	.guest_rx = fn_guest_rx,
};

/* ---------------------------------------------------------------------- */
/* Test filter                                                            */
/* ---------------------------------------------------------------------- */

static int tf_attach(struct pp_dev *dev, void *arg, void **state)
{
	struct test_filter *tf = arg;

	if (tf == NULL)
		return -EINVAL;
	if (tf->attach_result != 0)
		return tf->attach_result;
	tf->dev = dev;
	*state = tf;
	return 0;
}

static void tf_detach(void *state)
{
	((struct test_filter *)state)->detached = true;
}

static void tf_frames(void *state, enum pp_dir dir, struct pp_pkt *pkts[],
		      unsigned int n)
{
	struct test_filter *tf = state;
	unsigned int i;

	tf->bursts[dir]++;
	tf->frames[dir] += n;
	if (n > tf->max_burst)
		tf->max_burst = n;
	for (i = 0; i < n; i++) {
		struct pp_pkt *p = pkts[i];
		uint8_t *d = pp_pkt_data(p);
		uint8_t tmp[6];

		p->status = PP_VERDICT_PASS;
		if (p->len < 15)
			continue;
		switch (d[14]) {
		case TAG_DROP:
			p->status = PP_VERDICT_DROP;
			break;
		case TAG_REFLECT:
			memcpy(tmp, d, 6);
			memcpy(d, d + 6, 6);
			memcpy(d + 6, tmp, 6);
			p->status = PP_VERDICT_REFLECT;
			break;
		case TAG_INJECT: {
			uint8_t copy[PP_FRAME_MAX];

			memcpy(copy, d, p->len);
			copy[14] = 'i';
			pp_dev_inject(tf->dev, dir, copy, p->len);
			break;
		}
		case TAG_REWRITE:
			d[15] = 0xee;
			break;
		default:
			break;
		}
	}
}

static uint64_t tf_timer(void *state, uint64_t now)
{
	struct test_filter *tf = state;

	if (tf->timer_calls < 8)
		tf->timer_now[tf->timer_calls] = now;
	tf->timer_calls++;
	if (tf->next_deadline < tf->n_deadlines)
		return tf->deadlines[tf->next_deadline++];
	return 0;
}

const struct pp_filter_ops test_filter_ops = {
	.name = "testfilt",
	.attach = tf_attach,
	.detach = tf_detach,
	.frames = tf_frames,
	.timer = tf_timer,
};

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */
/* ---------------------------------------------------------------------- */

void make_frame(uint8_t *buf, size_t len, uint8_t tag, uint32_t seq)
{
	static const uint8_t dst[6] = {0x02, 0, 0, 0, 0, 0x01};
	static const uint8_t src[6] = {0x02, 0, 0, 0, 0, 0x02};
	size_t i;

	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = 0x88; /* local experimental ethertype 0x88b5 */
	buf[13] = 0xb5;
	buf[14] = tag;
	buf[15] = 0;
	buf[16] = (uint8_t)seq;
	buf[17] = (uint8_t)(seq >> 8);
	buf[18] = (uint8_t)(seq >> 16);
	buf[19] = (uint8_t)(seq >> 24);
	for (i = 20; i < len; i++)
		buf[i] = (uint8_t)(seq + i);
}

uint32_t frame_seq(const uint8_t *buf)
{
	return (uint32_t)buf[16] | (uint32_t)buf[17] << 8 |
	       (uint32_t)buf[18] << 16 | (uint32_t)buf[19] << 24;
}

uint32_t reg32(struct pp_dev *dev, uint32_t off)
{
	uint32_t v = 0;

	pp_dev_access(dev, 0, off, 4, false, &v);
	return v;
}

void wreg32(struct pp_dev *dev, uint32_t off, uint32_t v)
{
	pp_dev_access(dev, 0, off, 4, true, &v);
}

int guest_send(struct pp_dev *dev, struct fake_plat *fp, const uint8_t *f,
	       size_t len)
{
	memcpy(fp->ram + 0x1000, f, len);
	wreg32(dev, FN_TXADDR, 0x1000);
	wreg32(dev, FN_TXLEN, (uint32_t)len);
	wreg32(dev, FN_TXGO, 1);
	return (int32_t)reg32(dev, FN_STATUS);
}

void fake_dev_reg_set(struct fake_plat *fp, uint32_t off, uint32_t v)
{
	fp->bar[0][off] = (uint8_t)v;
	fp->bar[0][off + 1] = (uint8_t)(v >> 8);
	fp->bar[0][off + 2] = (uint8_t)(v >> 16);
	fp->bar[0][off + 3] = (uint8_t)(v >> 24);
}

void wire_receive(struct pp_dev *dev, struct fake_plat *fp, const uint8_t *f,
		  size_t len)
{
	struct fake_nic *fn = pp_nic_priv(dev);

	memcpy(fn->rxbuf.cpu, f, len); /* the device DMAs the frame */
	fake_dev_reg_set(fp, RD_RXLEN, (uint32_t)len);
	fake_dev_reg_set(fp, RD_ISR, RD_ISR_RX);
	pp_dev_interrupt(dev);
}

void wire_room(struct pp_dev *dev, struct fake_plat *fp, uint32_t credit)
{
	fake_dev_reg_set(fp, RD_TXCREDIT, credit);
	fake_dev_reg_set(fp, RD_ISR, RD_ISR_TX);
	pp_dev_interrupt(dev);
}
