/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The bench as a libparapass platform (see bench_plat.h).
 */
#define _GNU_SOURCE
#include "bench_plat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw8255x.h"

#ifdef HAVE_CALLGRIND_H
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_TOGGLE_COLLECT
#endif

bool bench_plat_callgrind;

/*
 * Instruction counting (e100-bench --callgrind): collection is on inside
 * libparapass entry points and off again inside the transport parts of
 * the platform (qtest round trips), so only the SDK's own work counts.
 */
#define SDK_IN()                                                               \
	do {                                                                   \
		if (bench_plat_callgrind)                                      \
			CALLGRIND_TOGGLE_COLLECT;                              \
	} while (0)
#define SDK_OUT()   SDK_IN()
#define XPORT_IN()  SDK_IN()
#define XPORT_OUT() SDK_IN()

static struct bench *B(void *opaque)
{
	return opaque;
}

/* -- guest memory --------------------------------------------------------- */

static bool g_range(struct bench *b, pp_gpa_t gpa, size_t len)
{
	return gpa >= b->gram_base && gpa - b->gram_base <= b->gram_size &&
	       len <= b->gram_size - (gpa - b->gram_base);
}

static int p_guest_read(void *opaque, pp_gpa_t gpa, void *dst, size_t len)
{
	struct bench *b = B(opaque);

	b->c.guest_reads++;
	if (!g_range(b, gpa, len)) {
		b->c.guest_faults++;
		return -EFAULT;
	}
	memcpy(dst, b->gram + (gpa - b->gram_base), len);
	if (b->race_guest) {
		uint8_t *p = b->gram + (gpa - b->gram_base);

		for (size_t i = 0; i < len; i++) {
			b->race_seed = b->race_seed * 1103515245u + 12345u;
			if ((b->race_seed >> 16) & 1)
				p[i] = (uint8_t)(b->race_seed >> 24);
		}
		b->race_scribbles++;
	}
	return 0;
}

static int p_guest_write(void *opaque, pp_gpa_t gpa, const void *src,
			 size_t len)
{
	struct bench *b = B(opaque);

	b->c.guest_writes++;
	if (!g_range(b, gpa, len)) {
		b->c.guest_faults++;
		return -EFAULT;
	}
	memcpy(b->gram + (gpa - b->gram_base), src, len);
	return 0;
}

/* -- real device ----------------------------------------------------------- */

static void audit(struct bench *b, const char *what, uint32_t addr, size_t len)
{
	if (bench_dma_owned(b, addr, len))
		return;
	b->c.gpa_leaks++;
	fprintf(stderr,
		"e100 bench: AUDIT: %s with address 0x%08x outside every live "
		"DMA buffer\n",
		what, addr);
}

/* Which SCB commands carry an address in GP (CU/RU base assumed 0). */
static void audit_cmd(struct bench *b, uint8_t cmd)
{
	uint8_t cuc = cmd & 0xf0, ruc = cmd & 0x07;

	if (cuc == HW_CUC_START)
		audit(b, "CU start", b->last_gp, 8);
	else if (cuc == HW_CUC_DUMP_ADDR)
		audit(b, "load dump address", b->last_gp, 68);
	if (ruc == HW_RUC_START)
		audit(b, "RU start", b->last_gp, 16);
	if ((cuc == HW_CUC_LOAD_BASE && b->last_gp) ||
	    (ruc == HW_RUC_LOAD_BASE && b->last_gp)) {
		b->c.gpa_leaks++;
		fprintf(stderr, "e100 bench: AUDIT: non-zero CU/RU base 0x%x\n",
			b->last_gp);
	}
}

static uint32_t p_dev_read(void *opaque, unsigned int bar, uint32_t off,
			   unsigned int width)
{
	struct bench *b = B(opaque);

	uint32_t v;

	b->c.dev_reads++;
	XPORT_IN();
	v = bench_reg_read(b, bar, off, width);
	XPORT_OUT();
	return v;
}

static void p_dev_write(void *opaque, unsigned int bar, uint32_t off,
			unsigned int width, uint32_t val)
{
	struct bench *b = B(opaque);

	b->c.dev_writes++;
	if (off == HW_SCB_GP && width == 4)
		b->last_gp = val;
	if (off <= HW_SCB_CMD && off + width > HW_SCB_CMD)
		audit_cmd(b, (uint8_t)(val >> (8 * (HW_SCB_CMD - off))));
	if (off == HW_PORT && width == 4 &&
	    ((val & 0xf) == HW_PORT_SELFTEST || (val & 0xf) == HW_PORT_DUMP))
		audit(b, "PORT self-test/dump", val & ~0xfu, 8);
	XPORT_IN();
	bench_reg_write(b, bar, off, width, val);
	XPORT_OUT();
}

static int p_pci_read(void *opaque, unsigned int off, unsigned int width,
		      uint32_t *val)
{
	struct bench *b = B(opaque);

	b->c.pci_reads++;
	if (off >= 256 || (width != 1 && width != 2 && width != 4) ||
	    (off & (width - 1)))
		return -EINVAL;
	XPORT_IN();
	*val = qt_pci_read(b->qt, b->nic.devfn, off, width);
	XPORT_OUT();
	return qt_failed(b->qt) ? -EIO : 0;
}

static int p_pci_write(void *opaque, unsigned int off, unsigned int width,
		       uint32_t val)
{
	struct bench *b = B(opaque);

	b->c.pci_writes++;
	if (off >= 256 || (width != 1 && width != 2 && width != 4) ||
	    (off & (width - 1)))
		return -EINVAL;
	XPORT_IN();
	qt_pci_write(b->qt, b->nic.devfn, off, width, val);
	XPORT_OUT();
	return qt_failed(b->qt) ? -EIO : 0;
}

/* -- DMA memory ------------------------------------------------------------ */

static int p_dma_alloc(void *opaque, size_t len, size_t align,
		       struct pp_dma_buf *out)
{
	struct bench *b = B(opaque);
	uint64_t iova;

	if (align == 0 || (align & (align - 1)))
		return -EINVAL;
	iova = bench_dma_alloc(b, len, align);
	if (!iova)
		return -ENOMEM;
	out->cpu = bench_dma_ptr(b, iova, len);
	out->iova = iova;
	out->len = len;
	out->handle = iova;
	return 0;
}

static void p_dma_free(void *opaque, struct pp_dma_buf *buf)
{
	struct bench *b = B(opaque);

	if (!buf || buf->handle != buf->iova || bench_dma_free(b, buf->iova)) {
		fprintf(stderr, "e100 bench: bad dma_free (iova 0x%llx)\n",
			buf ? (unsigned long long)buf->iova : 0ull);
		return;
	}
}

static void p_sync_cpu(void *opaque, const struct pp_dma_buf *buf, size_t off,
		       size_t len)
{
	struct bench *b = B(opaque);

	b->c.sync_cpu++;
	if (!buf || !bench_dma_owned(b, buf->iova, buf->len) ||
	    off > buf->len || len > buf->len - off)
		b->c.bad_access++;
	/* Only RX DMA runs asynchronously: barrier if frames were sent to
	 * the NIC, or commands are still queued, since the last one. */
	if (qt_wire_sent(b->qt) != b->wire_sent_at_barrier ||
	    qt_outstanding(b->qt)) {
		XPORT_IN();
		bench_barrier(b);
		XPORT_OUT();
	}
}

static void p_sync_dev(void *opaque, const struct pp_dma_buf *buf, size_t off,
		       size_t len)
{
	struct bench *b = B(opaque);

	b->c.sync_dev++;
	if (!buf || !bench_dma_owned(b, buf->iova, buf->len) ||
	    off > buf->len || len > buf->len - off)
		b->c.bad_access++;
}

/* -- guest interrupt, time, log -------------------------------------------- */

static void p_irq_set(void *opaque, bool level)
{
	struct bench *b = B(opaque);

	b->c.guest_irq_sets++;
	if (level && !b->guest_irq)
		b->c.guest_irq_raises++;
	b->guest_irq = level;
}

static uint64_t p_now(void *opaque)
{
	(void)opaque;
	return bench_now_ns();
}

static void p_timer_set(void *opaque, uint64_t deadline)
{
	struct bench *b = B(opaque);

	b->c.timer_sets++;
	b->timer_deadline = deadline;
}

static void p_log(void *opaque, enum pp_log_level level, const char *msg)
{
	struct bench *b = B(opaque);

	b->c.log_lines++;
	if (b->verbose || level <= PP_LOG_ERR)
		fprintf(stderr, "pp[%d]: %s\n", (int)level, msg);
}

const struct pp_platform_ops bench_plat_ops = {
	.guest_read = p_guest_read,
	.guest_write = p_guest_write,
	.dev_read = p_dev_read,
	.dev_write = p_dev_write,
	.pci_read = p_pci_read,
	.pci_write = p_pci_write,
	.dma_alloc = p_dma_alloc,
	.dma_free = p_dma_free,
	.dma_sync_for_cpu = p_sync_cpu,
	.dma_sync_for_device = p_sync_dev,
	.irq_set = p_irq_set,
	.now_ns = p_now,
	.timer_set = p_timer_set,
	.log = p_log,
};

/* -- attach / loop ----------------------------------------------------------
 */

int bench_attach(struct bench *b, const struct bench_attach_opts *o)
{
	static const struct bench_attach_opts none;
	struct pp_dev_params prm;
	int r;

	if (!o)
		o = &none;
	memset(&prm, 0, sizeof(prm));
	prm.name = "0000:00:04.0";
	prm.pci.vendor = b->nic.vendor;
	prm.pci.device = b->nic.device;
	prm.pci.subsys_vendor = b->nic.subsys_vendor;
	prm.pci.subsys_device = b->nic.subsys_device;
	prm.pci.revision = b->nic.revision;
	prm.plat = &bench_plat_ops;
	prm.plat_opaque = b;
	prm.filter = o->filter;
	prm.filter_opaque = o->filter_arg;
	prm.trace = o->trace;
	prm.n_pkts = o->n_pkts;
	prm.queue_len = o->queue_len;
	prm.log_level = o->log_level
				? o->log_level
				: (b->verbose ? PP_LOG_DEBUG : PP_LOG_INFO);
	b->guest_irq = false;
	b->timer_deadline = 0;
	r = pp_dev_create(&prm, &b->dev);
	if (r < 0)
		b->dev = NULL;
	return r;
}

void bench_detach(struct bench *b)
{
	if (!b->dev)
		return;
	pp_dev_destroy(b->dev);
	b->dev = NULL;
	b->timer_deadline = 0;
}

void bench_plat_run(struct bench *b, int ms)
{
	unsigned int irq = b->nic.irq;

	qt_poll(b->qt, ms);
	if (!b->dev)
		return;
	/* level-triggered: service while the line stays up (bounded) */
	for (int i = 0; i < 8 && qt_irq_level(b->qt, irq); i++) {
		b->c.dev_interrupts++;
		SDK_IN();
		pp_dev_interrupt(b->dev);
		SDK_OUT();
		qt_poll(b->qt, 0);
		if (qt_irq_level(b->qt, irq))
			qt_sync(b->qt); /* the lower may be in flight */
		if (i == 7 && qt_irq_level(b->qt, irq))
			b->c.irq_storms++;
	}
	if (b->timer_deadline && bench_now_ns() >= b->timer_deadline) {
		b->timer_deadline = 0;
		b->c.timer_fires++;
		SDK_IN();
		pp_dev_timer(b->dev);
		SDK_OUT();
	}
}

const char *bench_plat_summary(struct bench *b)
{
	static char buf[512];
	struct pp_dev_stats st;

	memset(&st, 0, sizeof(st));
	if (b->dev)
		pp_dev_get_stats(b->dev, &st);
	snprintf(buf, sizeof(buf),
		 "pp: gtx %llu wtx %llu wrx %llu grx %llu qdrop %llu "
		 "gfault %llu gerr %llu deverr %llu | bench: irqs %llu "
		 "storms %llu leaks %llu dma_live %llu qt %s",
		 (unsigned long long)st.guest_tx_frames,
		 (unsigned long long)st.wire_tx_frames,
		 (unsigned long long)st.wire_rx_frames,
		 (unsigned long long)st.guest_rx_frames,
		 (unsigned long long)st.queue_drops,
		 (unsigned long long)st.guest_faults,
		 (unsigned long long)st.guest_errors,
		 (unsigned long long)st.dev_errors,
		 (unsigned long long)b->c.dev_interrupts,
		 (unsigned long long)b->c.irq_storms,
		 (unsigned long long)b->c.gpa_leaks,
		 (unsigned long long)b->c.dma_live,
		 qt_failed(b->qt) ? qt_error(b->qt) : "ok");
	return buf;
}

/* -- shadow-mode hardware for the guest drivers -----------------------------
 */

static uint32_t sh_rd(struct ghw *hw, unsigned int bar, uint32_t off,
		      unsigned int width)
{
	uint32_t v = 0;
	int r;

	SDK_IN();
	r = pp_dev_access(hw->b->dev, bar, off, width, false, &v);
	SDK_OUT();
	if (r < 0) {
		hw->refused++;
		return width == 4 ? 0xffffffffu : (1u << (8 * width)) - 1;
	}
	return v;
}

static void sh_wr(struct ghw *hw, unsigned int bar, uint32_t off,
		  unsigned int width, uint32_t v)
{
	int r;

	SDK_IN();
	r = pp_dev_access(hw->b->dev, bar, off, width, true, &v);
	SDK_OUT();
	if (r < 0)
		hw->refused++;
}

static void *sh_mem(struct ghw *hw, uint64_t gpa, size_t len)
{
	return bench_gptr(hw->b, gpa, len);
}

static uint64_t sh_alloc(struct ghw *hw, size_t len, size_t align)
{
	return bench_galloc(hw->b, len, align);
}

static bool sh_irq(struct ghw *hw)
{
	return hw->b->guest_irq;
}

static void sh_run(struct ghw *hw, int ms)
{
	bench_plat_run(hw->b, ms);
}

static const struct ghw_ops shadow_ops = {
	.rd = sh_rd,
	.wr = sh_wr,
	.mem = sh_mem,
	.alloc = sh_alloc,
	.irq = sh_irq,
	.run = sh_run,
};

void ghw_init_shadow(struct ghw *hw, struct bench *b)
{
	memset(hw, 0, sizeof(*hw));
	hw->ops = &shadow_ops;
	hw->b = b;
	hw->dev = b->dev;
}
