// SPDX-License-Identifier: BSD-2-Clause
/*
 * minivmm: the para-passthrough NIC. This file is the whole embedding of
 * libparapass (docs/minivmm.md walks through it):
 *
 *   platform ops          -> KVM / VFIO / Linux
 *   guest_read/write      -> memcpy within guest RAM (mv_mem_ptr bounds)
 *   dev_read/write        -> pread/pwrite on the VFIO BAR regions
 *   pci_read/write        -> pread/pwrite on the VFIO config region
 *   dma_alloc/free        -> anonymous pages + VFIO_IOMMU_(UN)MAP_DMA
 *   dma_sync_*            -> NULL (x86 DMA is coherent)
 *   irq_set               -> KVM_IRQ_LINE on GSI 11 (level)
 *   now_ns / timer_set    -> CLOCK_MONOTONIC / a timerfd
 *   log                   -> stderr
 *
 *   entry points          <- where minivmm calls them
 *   pp_dev_access         <- vCPU: KVM_EXIT_MMIO in BAR0, KVM_EXIT_IO in BAR1
 *   pp_dev_pci_command    <- vCPU: guest write to the virtual COMMAND
 *   pp_dev_interrupt      <- main thread: VFIO INTx eventfd
 *   pp_dev_timer          <- main thread: timerfd
 *
 * all under nic->lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <parapass/pp.h>
#include <parapass/pp_nic.h>

#include "le.h"
#include "layout.h"
#include "nic.h"
#include "pci.h"
#include "vfio.h"
#include "vm.h"

/* Bits of the real COMMAND register that minivmm owns: the backend's own
 * rings need memory decode and bus mastering whatever the guest does. */
#define REAL_CMD_ON (PCI_CMD_IO | PCI_CMD_MEMORY | PCI_CMD_MASTER)

struct mv_nic {
	pthread_mutex_t lock;
	struct mv_vm *vm;
	struct mv_vfio vfio;
	struct pp_dev *dev;
	struct mv_vpci vpci;
	int timer_fd;
	bool backend_line; /* level the backend asked for */
	bool kvm_line;	   /* level last given to KVM */
	struct pp_trace *trace;
	struct pp_capture_params cap;
	enum pp_log_level log_level;
	unsigned int dev_errors_logged;
	/* Events handed to libparapass (for the exit statistics). */
	uint64_t n_traps, n_intx, n_timer;
};

/* ---------------------------------------------------------------------- */
/* Platform ops                                                           */
/* ---------------------------------------------------------------------- */

static int plat_guest_read(void *o, pp_gpa_t gpa, void *dst, size_t len)
{
	struct mv_nic *n = o;
	const void *p = mv_mem_ptr(&n->vm->mem, gpa, len);

	if (p == NULL)
		return -EFAULT;
	memcpy(dst, p, len);
	return 0;
}

static int plat_guest_write(void *o, pp_gpa_t gpa, const void *src, size_t len)
{
	struct mv_nic *n = o;
	void *p = mv_mem_ptr(&n->vm->mem, gpa, len);

	if (p == NULL)
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
}

static void dev_error(struct mv_nic *n, const char *what, unsigned int bar,
		      uint32_t off, int r)
{
	if (n->dev_errors_logged >= 8)
		return;
	n->dev_errors_logged++;
	fprintf(stderr, "minivmm: %s: %s BAR%u+0x%x: %s\n", n->vfio.bdf, what,
		bar, off, strerror(-r));
}

static uint32_t plat_dev_read(void *o, unsigned int bar, uint32_t off,
			      unsigned int width)
{
	struct mv_nic *n = o;
	uint32_t v;
	int r = mv_vfio_bar_read(&n->vfio, bar, off, width, &v);

	if (r != 0) {
		dev_error(n, "read", bar, off, r);
		return mv_ones(width);
	}
	return v;
}

static void plat_dev_write(void *o, unsigned int bar, uint32_t off,
			   unsigned int width, uint32_t val)
{
	struct mv_nic *n = o;
	int r = mv_vfio_bar_write(&n->vfio, bar, off, width, val);

	if (r != 0)
		dev_error(n, "write", bar, off, r);
}

static int plat_pci_read(void *o, unsigned int off, unsigned int width,
			 uint32_t *val)
{
	struct mv_nic *n = o;

	return mv_vfio_cfg_read(&n->vfio, off, width, val);
}

static int plat_pci_write(void *o, unsigned int off, unsigned int width,
			  uint32_t val)
{
	struct mv_nic *n = o;

	/* Whoever writes COMMAND, decode and bus mastering stay on. */
	if (off == PCI_COMMAND && width >= 2)
		val |= REAL_CMD_ON;
	else if (off == PCI_COMMAND && width == 1)
		val |= REAL_CMD_ON & 0xff;
	return mv_vfio_cfg_write(&n->vfio, off, width, val);
}

static int plat_dma_alloc(void *o, size_t len, size_t align,
			  struct pp_dma_buf *out)
{
	struct mv_nic *n = o;
	size_t got;
	int r;

	r = mv_vfio_dma_alloc(&n->vfio, len, align, &out->cpu, &out->iova, &got,
			      &out->handle);
	if (r == 0)
		out->len = got;
	return r;
}

static void plat_dma_free(void *o, struct pp_dma_buf *buf)
{
	struct mv_nic *n = o;

	mv_vfio_dma_free(&n->vfio, buf->handle);
}

/* The guest's line: the backend's level unless the guest set INTx
 * disable; the status register's interrupt bit shows the backend level. */
static void nic_update_line(struct mv_nic *n)
{
	bool eff = n->backend_line &&
		   !(mv_vpci_command(&n->vpci) & PCI_CMD_INTX_DISABLE);

	n->vpci.line = n->backend_line;
	if (eff != n->kvm_line) {
		n->kvm_line = eff;
		mv_vm_irq_line(n->vm, MV_NIC_GSI, eff);
	}
}

static void plat_irq_set(void *o, bool level)
{
	struct mv_nic *n = o;

	n->backend_line = level;
	nic_update_line(n);
}

static uint64_t plat_now_ns(void *o)
{
	struct timespec ts;

	(void)o;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void plat_timer_set(void *o, uint64_t deadline_ns)
{
	struct mv_nic *n = o;
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	/* An absolute deadline in the past fires at once; 0 disarms. */
	its.it_value.tv_sec = (time_t)(deadline_ns / 1000000000ull);
	its.it_value.tv_nsec = (long)(deadline_ns % 1000000000ull);
	if (timerfd_settime(n->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) != 0)
		fprintf(stderr, "minivmm: timerfd_settime: %s\n",
			strerror(errno));
}

static void plat_log(void *o, enum pp_log_level level, const char *msg)
{
	static const char *const names[] = {
		[PP_LOG_ERR] = "error",	    [PP_LOG_WARNING] = "warning",
		[PP_LOG_NOTICE] = "notice", [PP_LOG_INFO] = "info",
		[PP_LOG_DEBUG] = "debug",
	};

	(void)o;
	fprintf(stderr, "minivmm: pp %s: %s\n",
		level <= PP_LOG_DEBUG && names[level] ? names[level] : "?",
		msg);
}

static const struct pp_platform_ops mv_plat = {
	.guest_read = plat_guest_read,
	.guest_write = plat_guest_write,
	.dev_read = plat_dev_read,
	.dev_write = plat_dev_write,
	.pci_read = plat_pci_read,
	.pci_write = plat_pci_write,
	.dma_alloc = plat_dma_alloc,
	.dma_free = plat_dma_free,
	.dma_sync_for_cpu = NULL,    /* coherent */
	.dma_sync_for_device = NULL, /* coherent */
	.irq_set = plat_irq_set,
	.now_ns = plat_now_ns,
	.timer_set = plat_timer_set,
	.log = plat_log,
};

/* ---------------------------------------------------------------------- */
/* Traps from the vCPUs                                                   */
/* ---------------------------------------------------------------------- */

/* Hand [off, off+len) of @bar to libparapass in 1/2/4-byte pieces. */
static void nic_access(struct mv_nic *n, unsigned int bar, uint32_t off,
		       uint8_t *data, unsigned int len, bool write)
{
	unsigned int i = 0;

	while (i < len) {
		unsigned int w = len - i >= 4 && len % 4 == 0	? 4
				 : len - i >= 2 && len % 2 == 0 ? 2
								: 1;
		uint32_t val = write ? mv_getw(data + i, w) : 0;

		/* A refused read comes back as all-ones, a refused write
		 * is dropped (counted by the core). */
		pp_dev_access(n->dev, bar, off + i, w, write, &val);
		if (!write)
			mv_putw(data + i, w, val);
		i += w;
	}
}

bool mv_nic_mmio(struct mv_nic *n, uint64_t addr, uint8_t *data,
		 unsigned int len, bool write)
{
	uint32_t off;
	int bar;

	pthread_mutex_lock(&n->lock);
	bar = mv_vpci_decode(&n->vpci, MV_BAR_MEM32, addr, len, &off);
	if (bar >= 0) {
		nic_access(n, (unsigned int)bar, off, data, len, write);
		n->n_traps++;
	}
	pthread_mutex_unlock(&n->lock);
	return bar >= 0;
}

bool mv_nic_pio(struct mv_nic *n, uint16_t port, uint8_t *data,
		unsigned int len, bool write)
{
	uint32_t off;
	int bar;

	pthread_mutex_lock(&n->lock);
	bar = mv_vpci_decode(&n->vpci, MV_BAR_IO, port, len, &off);
	if (bar >= 0) {
		nic_access(n, (unsigned int)bar, off, data, len, write);
		n->n_traps++;
	}
	pthread_mutex_unlock(&n->lock);
	return bar >= 0;
}

static uint32_t nic_cfg_read(void *o, unsigned int off, unsigned int width)
{
	struct mv_nic *n = o;
	uint32_t v;

	pthread_mutex_lock(&n->lock);
	v = mv_vpci_read(&n->vpci, off, width);
	pthread_mutex_unlock(&n->lock);
	return v;
}

static void nic_cfg_write(void *o, unsigned int off, unsigned int width,
			  uint32_t val)
{
	struct mv_nic *n = o;
	unsigned int what;

	pthread_mutex_lock(&n->lock);
	what = mv_vpci_write(&n->vpci, off, width, val);
	if (what & MV_VPCI_CMD) {
		/* The real COMMAND stays as minivmm set it; the backend
		 * learns the guest's bus-master/decode bits. */
		pp_dev_pci_command(n->dev, mv_vpci_command(&n->vpci));
		nic_update_line(n);
	}
	pthread_mutex_unlock(&n->lock);
}

static const struct mv_pci_fn_ops nic_cfg_ops = {
	.read = nic_cfg_read,
	.write = nic_cfg_write,
};

/* ---------------------------------------------------------------------- */
/* Events from the main thread                                            */
/* ---------------------------------------------------------------------- */

int mv_nic_intx_fd(const struct mv_nic *n)
{
	return n->vfio.intx_fd;
}

int mv_nic_timer_fd(const struct mv_nic *n)
{
	return n->timer_fd;
}

void mv_nic_on_intx(struct mv_nic *n)
{
	uint64_t cnt;

	if (read(n->vfio.intx_fd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return; /* spurious wake-up */
	pthread_mutex_lock(&n->lock);
	pp_dev_interrupt(n->dev);
	n->n_intx++;
	pthread_mutex_unlock(&n->lock);
	/* VFIO masked INTx when it fired; the backend has acknowledged
	 * the device, so let the next one through. */
	if (mv_vfio_intx_unmask(&n->vfio) != 0)
		fprintf(stderr, "minivmm: %s: INTx unmask failed\n",
			n->vfio.bdf);
}

void mv_nic_on_timer(struct mv_nic *n)
{
	uint64_t cnt;

	if (read(n->timer_fd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return;
	pthread_mutex_lock(&n->lock);
	pp_dev_timer(n->dev);
	n->n_timer++;
	pthread_mutex_unlock(&n->lock);
}

void mv_nic_print_stats(struct mv_nic *n)
{
	struct pp_dev_stats st;

	uint64_t traps, intx, timer;

	pthread_mutex_lock(&n->lock);
	pp_dev_get_stats(n->dev, &st);
	traps = n->n_traps;
	intx = n->n_intx;
	timer = n->n_timer;
	pthread_mutex_unlock(&n->lock);
	fprintf(stderr,
		"minivmm: %s: traps %llu, device interrupts %llu, timer "
		"%llu\n",
		n->vfio.bdf, (unsigned long long)traps,
		(unsigned long long)intx, (unsigned long long)timer);
	fprintf(stderr,
		"minivmm: %s: guest tx %llu frames, wire tx %llu, wire rx "
		"%llu, guest rx %llu; drops: filter %llu, queue %llu; guest "
		"faults %llu, guest errors %llu, device errors %llu\n",
		n->vfio.bdf, (unsigned long long)st.guest_tx_frames,
		(unsigned long long)st.wire_tx_frames,
		(unsigned long long)st.wire_rx_frames,
		(unsigned long long)st.guest_rx_frames,
		(unsigned long long)st.filter_drops,
		(unsigned long long)st.queue_drops,
		(unsigned long long)st.guest_faults,
		(unsigned long long)st.guest_errors,
		(unsigned long long)st.dev_errors);
}

/* ---------------------------------------------------------------------- */
/* Create / destroy                                                       */
/* ---------------------------------------------------------------------- */

static bool have_backend(const struct pp_pci_id *id)
{
	unsigned int i;

	for (i = 0; pp_nic_table[i] != NULL; i++)
		if (pp_nic_table[i]->probe != NULL &&
		    pp_nic_table[i]->probe(id))
			return true;
	return false;
}

static int nic_open(struct mv_nic *n, const struct mv_args *a, uint8_t real[64],
		    struct pp_pci_id *id, char *err, size_t errlen)
{
	uint32_t cmd;
	unsigned int i;

	if (mv_vfio_open(&n->vfio, a->vfio, err, errlen) != 0)
		return -1;
	for (i = 0; i < 64; i += 4) {
		uint32_t v;

		if (mv_vfio_cfg_read(&n->vfio, i, 4, &v) != 0) {
			snprintf(err, errlen, "%s: cannot read config space",
				 a->vfio);
			return -1;
		}
		mv_put32(real + i, v);
	}
	memset(id, 0, sizeof(*id));
	id->vendor = mv_get16(real + PCI_VENDOR_ID);
	id->device = mv_get16(real + PCI_DEVICE_ID);
	id->subsys_vendor = mv_get16(real + PCI_SUBSYSTEM_VENDOR_ID);
	id->subsys_device = mv_get16(real + PCI_SUBSYSTEM_VENDOR_ID + 2);
	id->revision = real[PCI_REVISION_ID];
	if (!have_backend(id)) {
		snprintf(err, errlen,
			 "no libparapass backend for %04x:%04x (%s)",
			 id->vendor, id->device, a->vfio);
		return -1;
	}
	/* The real device: decode on, bus master on (for the backend's own
	 * rings; the IOMMU holds nothing else), INTx not disabled. */
	cmd = mv_get16(real + PCI_COMMAND);
	cmd = (cmd | REAL_CMD_ON) & ~(uint32_t)PCI_CMD_INTX_DISABLE;
	if (mv_vfio_cfg_write(&n->vfio, PCI_COMMAND, 2, cmd) != 0) {
		snprintf(err, errlen, "%s: cannot write COMMAND", a->vfio);
		return -1;
	}
	n->timer_fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (n->timer_fd < 0) {
		snprintf(err, errlen, "timerfd_create: %s", strerror(errno));
		return -1;
	}
	return mv_vfio_intx_enable(&n->vfio, err, errlen);
}

int mv_nic_create(struct mv_vm *vm, const struct mv_args *a,
		  struct mv_nic **out, char *err, size_t errlen)
{
	struct pp_dev_params prm;
	struct mv_nic *n;
	struct pp_pci_id id;
	uint8_t real[64], kind[6] = {0};
	uint32_t size[6] = {0}, traps;
	unsigned int i;
	int r;

	*out = NULL;
	n = calloc(1, sizeof(*n));
	if (n == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&n->lock, NULL);
	n->vm = vm;
	n->timer_fd = -1;
	n->vfio.container = n->vfio.group = n->vfio.device = -1;
	n->vfio.intx_fd = -1;
	n->log_level = a->verbose ? PP_LOG_DEBUG : PP_LOG_INFO;
	if (nic_open(n, a, real, &id, err, errlen) != 0)
		goto fail;

	if (a->trace != NULL) {
		r = pp_trace_open_write(a->trace, &n->trace);
		if (r != 0) {
			snprintf(err, errlen, "--trace %s: %s", a->trace,
				 strerror(-r));
			goto fail;
		}
	}
	memset(&prm, 0, sizeof(prm));
	prm.name = n->vfio.bdf;
	prm.pci = id;
	prm.plat = &mv_plat;
	prm.plat_opaque = n;
	prm.trace = n->trace;
	prm.log_level = n->log_level;
	if (a->filter == MV_FILTER_CAPTURE) {
		n->cap.guest_pcap = a->capture_guest;
		n->cap.wire_pcap = a->capture_wire;
		prm.filter = &pp_filter_capture;
		prm.filter_opaque = &n->cap;
	}
	pthread_mutex_lock(&n->lock);
	r = pp_dev_create(&prm, &n->dev);
	pthread_mutex_unlock(&n->lock);
	if (r != 0) {
		if (r == -ENODEV)
			snprintf(err, errlen,
				 "no libparapass backend for %04x:%04x (%s)",
				 id.vendor, id.device, a->vfio);
		else if (r == -EIO && a->filter == MV_FILTER_CAPTURE)
			snprintf(err, errlen,
				 "pp_dev_create: %s (cannot create a capture "
				 "file, or the device did not come up)",
				 strerror(-r));
		else
			snprintf(err, errlen, "pp_dev_create (%s): %s", a->vfio,
				 strerror(-r));
		goto fail;
	}

	/* The guest's view: exactly the BARs libparapass traps, with the
	 * sizes it gives and the real BARs' I/O-or-memory kind; the rest
	 * (e.g. the 8255x's flash BAR2) and the expansion ROM hidden. */
	traps = pp_dev_trap_bars(n->dev);
	for (i = 0; i < 6; i++) {
		if (!(traps & (1u << i)))
			continue;
		kind[i] = (real[PCI_BAR0 + 4 * i] & PCI_BAR_IO) ? MV_BAR_IO
								: MV_BAR_MEM32;
		size[i] = pp_dev_bar_size(n->dev, i);
	}
	pthread_mutex_lock(&n->lock);
	mv_vpci_init(&n->vpci, real, size, kind, (uint8_t)MV_NIC_GSI);
	/* Virtual COMMAND starts at 0: no bus mastering until the guest's
	 * driver asks for it. */
	pp_dev_pci_command(n->dev, 0);
	nic_update_line(n);
	pthread_mutex_unlock(&n->lock);

	pthread_mutex_lock(&vm->pci_lock);
	mv_pcibus_attach(&vm->pci, MV_PCI_NIC_SLOT, &nic_cfg_ops, n);
	pthread_mutex_unlock(&vm->pci_lock);
	*out = n;
	return 0;
fail:
	mv_nic_destroy(n);
	return -1;
}

void mv_nic_destroy(struct mv_nic *n)
{
	uint32_t cmd;

	if (n == NULL)
		return;
	pthread_mutex_lock(&n->lock);
	if (n->dev != NULL) {
		pp_dev_destroy(n->dev);
		n->dev = NULL;
	}
	if (n->kvm_line) {
		n->kvm_line = false;
		mv_vm_irq_line(n->vm, MV_NIC_GSI, false);
	}
	pthread_mutex_unlock(&n->lock);
	if (n->vfio.device >= 0) {
		mv_vfio_intx_disable(&n->vfio);
		/* The backend stopped the device; stop bus mastering too. */
		if (mv_vfio_cfg_read(&n->vfio, PCI_COMMAND, 2, &cmd) == 0)
			mv_vfio_cfg_write(&n->vfio, PCI_COMMAND, 2,
					  cmd & ~(uint32_t)PCI_CMD_MASTER);
		if (n->vfio.dma_live != 0)
			fprintf(stderr,
				"minivmm: %s: %u DMA buffers left mapped, "
				"unmapping\n",
				n->vfio.bdf, n->vfio.dma_live);
	}
	mv_vfio_close(&n->vfio);
	if (n->trace != NULL)
		pp_trace_close(n->trace);
	if (n->timer_fd >= 0)
		close(n->timer_fd);
	pthread_mutex_destroy(&n->lock);
	free(n);
}
