// SPDX-License-Identifier: BSD-2-Clause
/*
 * Core services for backends (pp_nic.h): checked guest memory, the real
 * device's registers and config space, DMA memory, the guest interrupt,
 * time. Each one is the only place its platform op is called, and records
 * the call when the device has a trace.
 */
#include <errno.h>
#include <string.h>

#include "pp_internal.h"

static uint32_t width_mask(unsigned int width)
{
	return width >= 4 ? 0xffffffffu : (1u << (8 * width)) - 1;
}

static bool width_ok(unsigned int width)
{
	return width == 1 || width == 2 || width == 4;
}

PP_EXPORT void *pp_nic_priv(struct pp_dev *dev)
{
	return dev != NULL ? dev->priv : NULL;
}

PP_EXPORT const struct pp_pci_id *pp_nic_pci_id(const struct pp_dev *dev)
{
	return dev != NULL ? &dev->pci : NULL;
}

/* ---------------------------------------------------------------------- */
/* Guest memory                                                           */
/* ---------------------------------------------------------------------- */

/*
 * The range check every guest copy goes through: at most PP_GUEST_IO_MAX
 * bytes and no wrap of gpa+len (the end, exclusive, must fit in 64 bits).
 */
static bool guest_range_ok(pp_gpa_t gpa, size_t len)
{
	return len <= PP_GUEST_IO_MAX && gpa <= UINT64_MAX - (uint64_t)len;
}

static int guest_fault(struct pp_dev *dev, const char *what, pp_gpa_t gpa,
		       size_t len)
{
	dev->st.guest_faults++;
	pp_log(dev, PP_LOG_DEBUG, "guest %s outside RAM: gpa 0x%llx len %zu",
	       what, (unsigned long long)gpa, len);
	return -EFAULT;
}

PP_EXPORT int pp_guest_read(struct pp_dev *dev, pp_gpa_t gpa, void *dst,
			    size_t len)
{
	int ret;

	if (dev == NULL || (dst == NULL && len != 0))
		return -EINVAL;
	if (len == 0)
		return 0;
	if (!guest_range_ok(gpa, len)) {
		memset(dst, 0, len <= PP_GUEST_IO_MAX ? len : 0);
		return guest_fault(dev, "read", gpa, len);
	}
	ret = dev->plat->guest_read(dev->plat_opaque, gpa, dst, len);
	if (ret != 0)
		ret = -EFAULT;
	if (dev->tr != NULL) {
		struct pp_sbuf *e = pp_tr_begin(dev->tr, PP_TK_GUEST_READ);

		pp_tev_x(e, "gpa", gpa);
		pp_tev_u(e, "len", len);
		pp_tev_i(e, "ret", ret);
		if (ret == 0)
			pp_tev_hex(e, "data", dst, len);
		pp_tr_end(dev->tr, PP_TK_GUEST_READ);
	}
	if (ret != 0) {
		/* Nothing stale or half-copied reaches the caller. */
		memset(dst, 0, len);
		return guest_fault(dev, "read", gpa, len);
	}
	return 0;
}

PP_EXPORT int pp_guest_write(struct pp_dev *dev, pp_gpa_t gpa, const void *src,
			     size_t len)
{
	int ret;

	if (dev == NULL || (src == NULL && len != 0))
		return -EINVAL;
	if (len == 0)
		return 0;
	if (!guest_range_ok(gpa, len))
		return guest_fault(dev, "write", gpa, len);
	ret = dev->plat->guest_write(dev->plat_opaque, gpa, src, len);
	if (ret != 0)
		ret = -EFAULT;
	if (dev->tr != NULL) {
		struct pp_sbuf *e = pp_tr_begin(dev->tr, PP_TK_GUEST_WRITE);

		pp_tev_x(e, "gpa", gpa);
		pp_tev_u(e, "len", len);
		pp_tev_hex(e, "data", src, len);
		pp_tev_i(e, "ret", ret);
		pp_tr_end(dev->tr, PP_TK_GUEST_WRITE);
	}
	if (ret != 0)
		return guest_fault(dev, "write", gpa, len);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Real device                                                            */
/* ---------------------------------------------------------------------- */

PP_EXPORT uint32_t pp_reg_read(struct pp_dev *dev, unsigned int bar,
			       uint32_t off, unsigned int width)
{
	uint32_t v;

	if (dev == NULL)
		return 0xffffffffu;
	if (bar >= 6 || !width_ok(width)) {
		pp_log(dev, PP_LOG_ERR, "backend bug: reg read bar %u width %u",
		       bar, width);
		return 0xffffffffu;
	}
	v = dev->plat->dev_read(dev->plat_opaque, bar, off, width) &
	    width_mask(width);
	if (dev->tr != NULL) {
		struct pp_sbuf *e = pp_tr_begin(dev->tr, PP_TK_DEV_READ);

		pp_tev_u(e, "bar", bar);
		pp_tev_x(e, "off", off);
		pp_tev_u(e, "width", width);
		pp_tev_x(e, "val", v);
		pp_tr_end(dev->tr, PP_TK_DEV_READ);
	}
	return v;
}

PP_EXPORT void pp_reg_write(struct pp_dev *dev, unsigned int bar, uint32_t off,
			    unsigned int width, uint32_t val)
{
	if (dev == NULL)
		return;
	if (bar >= 6 || !width_ok(width)) {
		pp_log(dev, PP_LOG_ERR,
		       "backend bug: reg write bar %u width %u", bar, width);
		return;
	}
	val &= width_mask(width);
	dev->plat->dev_write(dev->plat_opaque, bar, off, width, val);
	if (dev->tr != NULL) {
		struct pp_sbuf *e = pp_tr_begin(dev->tr, PP_TK_DEV_WRITE);

		pp_tev_u(e, "bar", bar);
		pp_tev_x(e, "off", off);
		pp_tev_u(e, "width", width);
		pp_tev_x(e, "val", val);
		pp_tr_end(dev->tr, PP_TK_DEV_WRITE);
	}
}

static bool cfg_ok(unsigned int off, unsigned int width)
{
	return width_ok(width) && off < 4096 && off + width <= 4096;
}

PP_EXPORT int pp_pci_read(struct pp_dev *dev, unsigned int off,
			  unsigned int width, uint32_t *val)
{
	uint32_t v = 0;
	int ret;

	if (dev == NULL || val == NULL || !cfg_ok(off, width))
		return -EINVAL;
	ret = dev->plat->pci_read(dev->plat_opaque, off, width, &v);
	if (ret > 0)
		ret = -EIO;
	v = ret == 0 ? v & width_mask(width) : 0xffffffffu;
	if (dev->tr != NULL) {
		struct pp_sbuf *e = pp_tr_begin(dev->tr, PP_TK_PCI_READ);

		pp_tev_x(e, "off", off);
		pp_tev_u(e, "width", width);
		pp_tev_i(e, "ret", ret);
		pp_tev_x(e, "val", v);
		pp_tr_end(dev->tr, PP_TK_PCI_READ);
	}
	*val = v;
	return ret;
}

PP_EXPORT int pp_pci_write(struct pp_dev *dev, unsigned int off,
			   unsigned int width, uint32_t val)
{
	int ret;

	if (dev == NULL || !cfg_ok(off, width))
		return -EINVAL;
	val &= width_mask(width);
	ret = dev->plat->pci_write(dev->plat_opaque, off, width, val);
	if (ret > 0)
		ret = -EIO;
	if (dev->tr != NULL) {
		struct pp_sbuf *e = pp_tr_begin(dev->tr, PP_TK_PCI_WRITE);

		pp_tev_x(e, "off", off);
		pp_tev_u(e, "width", width);
		pp_tev_x(e, "val", val);
		pp_tev_i(e, "ret", ret);
		pp_tr_end(dev->tr, PP_TK_PCI_WRITE);
	}
	return ret;
}

/* ---------------------------------------------------------------------- */
/* DMA memory                                                             */
/* ---------------------------------------------------------------------- */

static void dma_free_raw(struct pp_dev *dev, struct pp_dma_buf *buf)
{
	pp_iova_t iova = buf->iova;
	size_t len = buf->len;

	dev->plat->dma_free(dev->plat_opaque, buf);
	if (dev->tr != NULL) {
		struct pp_sbuf *e = pp_tr_begin(dev->tr, PP_TK_DMA_FREE);

		pp_tev_x(e, "iova", iova);
		pp_tev_u(e, "len", len);
		pp_tr_end(dev->tr, PP_TK_DMA_FREE);
	}
	memset(buf, 0, sizeof(*buf));
}

PP_EXPORT int pp_dma_alloc(struct pp_dev *dev, size_t len, size_t align,
			   struct pp_dma_buf *out)
{
	struct pp_dma_buf b;
	int ret;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (dev == NULL || out == NULL || len == 0 || align == 0 ||
	    (align & (align - 1)) != 0)
		return -EINVAL;
	memset(&b, 0, sizeof(b));
	ret = dev->plat->dma_alloc(dev->plat_opaque, len, align, &b);
	if (ret > 0)
		ret = -ENOMEM;
	if (dev->tr != NULL) {
		struct pp_sbuf *e = pp_tr_begin(dev->tr, PP_TK_DMA_ALLOC);

		pp_tev_u(e, "len", len);
		pp_tev_u(e, "align", align);
		pp_tev_i(e, "ret", ret);
		if (ret == 0) {
			pp_tev_x(e, "iova", b.iova);
			pp_tev_u(e, "buf_len", b.len);
		}
		pp_tr_end(dev->tr, PP_TK_DMA_ALLOC);
	}
	if (ret != 0)
		return ret;
	if (b.cpu == NULL || b.len < len || (b.iova & (align - 1)) != 0) {
		pp_log(dev, PP_LOG_ERR,
		       "platform dma_alloc(%zu, %zu) returned a bad buffer",
		       len, align);
		dma_free_raw(dev, &b);
		return -ENOMEM;
	}
	dev->dma_live++;
	*out = b;
	return 0;
}

PP_EXPORT void pp_dma_free(struct pp_dev *dev, struct pp_dma_buf *buf)
{
	if (dev == NULL || buf == NULL || buf->cpu == NULL)
		return;
	dma_free_raw(dev, buf);
	if (dev->dma_live > 0)
		dev->dma_live--;
}

static bool sync_ok(struct pp_dev *dev, const struct pp_dma_buf *buf,
		    size_t off, size_t len)
{
	if (buf == NULL || buf->cpu == NULL || off > buf->len ||
	    len > buf->len - off) {
		pp_log(dev, PP_LOG_ERR,
		       "backend bug: DMA sync off %zu len %zu outside buffer",
		       off, len);
		return false;
	}
	return len != 0;
}

/*
 * Record a DMA sync with the buffer content of the range: for sync_for_cpu
 * it is what the device wrote (replay restores it from here), for
 * sync_for_device what the device will read (replay checks it).
 */
static void trace_sync(struct pp_dev *dev, enum pp_tk kind,
		       const struct pp_dma_buf *buf, size_t off, size_t len)
{
	struct pp_sbuf *e = pp_tr_begin(dev->tr, kind);

	pp_tev_x(e, "iova", buf->iova);
	pp_tev_u(e, "off", off);
	pp_tev_u(e, "len", len);
	pp_tev_hex(e, "data", (const uint8_t *)buf->cpu + off, len);
	pp_tr_end(dev->tr, kind);
}

PP_EXPORT void pp_dma_sync_for_cpu(struct pp_dev *dev,
				   const struct pp_dma_buf *buf, size_t off,
				   size_t len)
{
	if (dev == NULL || !sync_ok(dev, buf, off, len))
		return;
	if (dev->plat->dma_sync_for_cpu != NULL)
		dev->plat->dma_sync_for_cpu(dev->plat_opaque, buf, off, len);
	if (dev->tr != NULL)
		trace_sync(dev, PP_TK_SYNC_CPU, buf, off, len);
}

PP_EXPORT void pp_dma_sync_for_device(struct pp_dev *dev,
				      const struct pp_dma_buf *buf, size_t off,
				      size_t len)
{
	if (dev == NULL || !sync_ok(dev, buf, off, len))
		return;
	if (dev->plat->dma_sync_for_device != NULL)
		dev->plat->dma_sync_for_device(dev->plat_opaque, buf, off, len);
	if (dev->tr != NULL)
		trace_sync(dev, PP_TK_SYNC_DEV, buf, off, len);
}

/* ---------------------------------------------------------------------- */
/* Interrupt, time, MAC, counters                                         */
/* ---------------------------------------------------------------------- */

PP_EXPORT void pp_nic_irq(struct pp_dev *dev, bool level)
{
	if (dev == NULL)
		return;
	dev->plat->irq_set(dev->plat_opaque, level);
	if (dev->tr != NULL) {
		struct pp_sbuf *e = pp_tr_begin(dev->tr, PP_TK_IRQ_SET);

		pp_tev_u(e, "level", level ? 1 : 0);
		pp_tr_end(dev->tr, PP_TK_IRQ_SET);
	}
}

uint64_t pp_plat_now(struct pp_dev *dev)
{
	uint64_t ns = dev->plat->now_ns(dev->plat_opaque);

	if (dev->tr != NULL) {
		struct pp_sbuf *e = pp_tr_begin(dev->tr, PP_TK_NOW);

		pp_tev_u(e, "ns", ns);
		pp_tr_end(dev->tr, PP_TK_NOW);
	}
	dev->last_now = ns;
	return ns;
}

void pp_plat_timer_set(struct pp_dev *dev, uint64_t deadline)
{
	dev->plat->timer_set(dev->plat_opaque, deadline);
	if (dev->tr != NULL) {
		struct pp_sbuf *e = pp_tr_begin(dev->tr, PP_TK_TIMER_SET);

		pp_tev_u(e, "deadline", deadline);
		pp_tr_end(dev->tr, PP_TK_TIMER_SET);
	}
}

PP_EXPORT uint64_t pp_nic_now(struct pp_dev *dev)
{
	return dev != NULL ? pp_plat_now(dev) : 0;
}

PP_EXPORT void pp_nic_timer_at(struct pp_dev *dev, uint64_t deadline_ns)
{
	if (dev == NULL)
		return;
	dev->nic_deadline = deadline_ns;
	/* Inside an entry point the merge happens once, on the way out. */
	if (dev->depth == 0)
		pp_timer_program(dev);
}

PP_EXPORT void pp_nic_set_mac(struct pp_dev *dev, const uint8_t mac[6])
{
	if (dev == NULL || mac == NULL)
		return;
	memcpy(dev->mac, mac, 6);
	dev->mac_valid = true;
}

PP_EXPORT void pp_nic_count_guest_error(struct pp_dev *dev)
{
	if (dev != NULL)
		dev->st.guest_errors++;
}

PP_EXPORT void pp_nic_count_dev_error(struct pp_dev *dev)
{
	if (dev != NULL)
		dev->st.dev_errors++;
}
