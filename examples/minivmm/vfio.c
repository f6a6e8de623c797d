// SPDX-License-Identifier: BSD-2-Clause
/*
 * minivmm: VFIO (Documentation/driver-api/vfio.rst for the ioctl
 * sequence): container -> API version and type1 check -> group (from the
 * device's iommu_group link) -> viable? -> attach to the container ->
 * set the type1 IOMMU -> device fd -> regions and INTx.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "prereq.h"
#include "vfio.h"

static int err_out(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int err_out(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int group_of(const char *bdf, char *out, size_t len)
{
	char rel[256], path[512], target[512];
	const char *base;
	ssize_t n;

	snprintf(rel, sizeof(rel), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	mv_path(path, sizeof(path), rel);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base != NULL ? base + 1 : target;
	if (strlen(base) >= len)
		return -1;
	memcpy(out, base, strlen(base) + 1);
	return 0;
}

static int open_container(struct mv_vfio *v, char *err, size_t errlen)
{
	char path[512];
	int e;

	mv_path(path, sizeof(path), "/dev/vfio/vfio");
	v->container = open(path, O_RDWR | O_CLOEXEC);
	if (v->container < 0) {
		e = errno;
		if (e == EACCES || e == EPERM)
			return err_out(err, errlen,
				       "%s: permission denied. Fix: run "
				       "minivmm as root",
				       path);
		return err_out(err, errlen,
			       "cannot open %s: %s. Fix: load VFIO "
			       "(modprobe vfio-pci)",
			       path, strerror(e));
	}
	if (ioctl(v->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		return err_out(err, errlen,
			       "unexpected VFIO API version (need %d)",
			       VFIO_API_VERSION);
	if (ioctl(v->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <=
		    0 &&
	    ioctl(v->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) <= 0)
		return err_out(
			err, errlen,
			"VFIO has no type1 IOMMU backend. Fix: " MV_FIX_TYPE1
			"; and " MV_FIX_IOMMU);
	return 0;
}

static int open_group(struct mv_vfio *v, char *err, size_t errlen)
{
	struct vfio_group_status st = {.argsz = sizeof(st)};
	char node[64], path[512];
	int e;

	if (group_of(v->bdf, v->group_id, sizeof(v->group_id)) != 0)
		return err_out(err, errlen,
			       "%s has no IOMMU group. Fix: " MV_FIX_IOMMU,
			       v->bdf);
	snprintf(node, sizeof(node), "/dev/vfio/%s", v->group_id);
	mv_path(path, sizeof(path), node);
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0) {
		e = errno;
		if (e == EACCES || e == EPERM)
			return err_out(err, errlen,
				       "%s: permission denied. Fix: run "
				       "minivmm as root",
				       path);
		if (e == EBUSY)
			return err_out(err, errlen,
				       "%s is busy: another process (VMM?) "
				       "owns IOMMU group %s",
				       path, v->group_id);
		return err_out(err, errlen,
			       "cannot open %s: %s. Fix: " MV_FIX_BIND_FMT,
			       path, strerror(e), v->bdf, v->bdf, v->bdf);
	}
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &st) != 0)
		return err_out(err, errlen, "VFIO_GROUP_GET_STATUS: %s",
			       strerror(errno));
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		return err_out(err, errlen,
			       "IOMMU group %s is not viable. Fix: bind "
			       "every device of the group to vfio-pci or "
			       "unbind it (ls /sys/kernel/iommu_groups/%s/"
			       "devices)",
			       v->group_id, v->group_id);
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container) != 0)
		return err_out(err, errlen, "VFIO_GROUP_SET_CONTAINER: %s",
			       strerror(errno));
	if (ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) != 0 &&
	    ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU) != 0)
		return err_out(err, errlen,
			       "VFIO_SET_IOMMU (type1): %s. Fix: " MV_FIX_TYPE1
			       "; and " MV_FIX_IOMMU,
			       strerror(errno));
	return 0;
}

static int open_device(struct mv_vfio *v, char *err, size_t errlen)
{
	struct vfio_device_info info = {.argsz = sizeof(info)};
	unsigned int i;

	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, v->bdf);
	if (v->device < 0)
		return err_out(err, errlen,
			       "VFIO_GROUP_GET_DEVICE_FD %s: %s. "
			       "Fix: " MV_FIX_BIND_FMT,
			       v->bdf, strerror(errno), v->bdf, v->bdf, v->bdf);
	if (ioctl(v->device, VFIO_DEVICE_GET_INFO, &info) != 0)
		return err_out(err, errlen, "VFIO_DEVICE_GET_INFO: %s",
			       strerror(errno));
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI))
		return err_out(err, errlen, "%s is not a PCI device", v->bdf);
	v->dev_flags = info.flags;
	v->nregions = info.num_regions < VFIO_PCI_NUM_REGIONS
			      ? info.num_regions
			      : VFIO_PCI_NUM_REGIONS;
	for (i = 0; i < v->nregions; i++) {
		struct vfio_region_info r = {.argsz = sizeof(r), .index = i};

		if (ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO, &r) != 0)
			continue; /* absent (e.g. VGA) */
		v->region[i].size = r.size;
		v->region[i].offset = r.offset;
		v->region[i].flags = r.flags;
	}
	if (v->nregions <= VFIO_PCI_CONFIG_REGION_INDEX ||
	    v->region[VFIO_PCI_CONFIG_REGION_INDEX].size < 64)
		return err_out(err, errlen, "%s: no config space region",
			       v->bdf);
	return 0;
}

int mv_vfio_open(struct mv_vfio *v, const char *bdf, char *err, size_t errlen)
{
	memset(v, 0, sizeof(*v));
	v->container = v->group = v->device = v->intx_fd = -1;
	snprintf(v->bdf, sizeof(v->bdf), "%s", bdf);
	v->page = (size_t)sysconf(_SC_PAGESIZE);
	if (open_container(v, err, errlen) != 0 ||
	    open_group(v, err, errlen) != 0 ||
	    open_device(v, err, errlen) != 0) {
		mv_vfio_close(v);
		return -1;
	}
	return 0;
}

void mv_vfio_close(struct mv_vfio *v)
{
	unsigned int i;

	mv_vfio_intx_disable(v);
	for (i = 0; i < MV_DMA_MAX; i++)
		if (v->dma[i].used)
			mv_vfio_dma_free(v, i);
	if (v->device >= 0)
		close(v->device);
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	v->device = v->group = v->container = -1;
}

/* ---------------------------------------------------------------------- */
/* Config space and BARs: pread/pwrite at the region offsets              */
/* ---------------------------------------------------------------------- */

static int region_rw(struct mv_vfio *v, unsigned int idx, uint64_t off,
		     unsigned int width, uint32_t *val, bool write)
{
	const struct mv_vfio_region *r;
	uint8_t b[4] = {0};
	ssize_t n;

	if (idx >= v->nregions || (width != 1 && width != 2 && width != 4))
		return -EINVAL;
	r = &v->region[idx];
	if (off >= r->size || width > r->size - off)
		return -EINVAL;
	if (write) {
		memcpy(b, val, width); /* little-endian host */
		n = pwrite(v->device, b, width, (off_t)(r->offset + off));
	} else {
		n = pread(v->device, b, width, (off_t)(r->offset + off));
		*val = 0;
		memcpy(val, b, width);
	}
	if (n != (ssize_t)width)
		return n < 0 ? -errno : -EIO;
	return 0;
}

int mv_vfio_cfg_read(struct mv_vfio *v, unsigned int off, unsigned int width,
		     uint32_t *val)
{
	return region_rw(v, VFIO_PCI_CONFIG_REGION_INDEX, off, width, val,
			 false);
}

int mv_vfio_cfg_write(struct mv_vfio *v, unsigned int off, unsigned int width,
		      uint32_t val)
{
	return region_rw(v, VFIO_PCI_CONFIG_REGION_INDEX, off, width, &val,
			 true);
}

int mv_vfio_bar_read(struct mv_vfio *v, unsigned int bar, uint32_t off,
		     unsigned int width, uint32_t *val)
{
	if (bar > VFIO_PCI_BAR5_REGION_INDEX)
		return -EINVAL;
	return region_rw(v, bar, off, width, val, false);
}

int mv_vfio_bar_write(struct mv_vfio *v, unsigned int bar, uint32_t off,
		      unsigned int width, uint32_t val)
{
	if (bar > VFIO_PCI_BAR5_REGION_INDEX)
		return -EINVAL;
	return region_rw(v, bar, off, width, &val, true);
}

uint64_t mv_vfio_bar_size(const struct mv_vfio *v, unsigned int bar)
{
	if (bar > VFIO_PCI_BAR5_REGION_INDEX || bar >= v->nregions)
		return 0;
	return v->region[bar].size;
}

/* ---------------------------------------------------------------------- */
/* INTx                                                                   */
/* ---------------------------------------------------------------------- */

static int set_irqs(struct mv_vfio *v, uint32_t flags, uint32_t count, int fd)
{
	uint8_t buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *s = (struct vfio_irq_set *)(void *)buf;
	int32_t fd32 = fd;

	memset(buf, 0, sizeof(buf));
	s->argsz = sizeof(struct vfio_irq_set);
	s->flags = flags;
	s->index = VFIO_PCI_INTX_IRQ_INDEX;
	s->start = 0;
	s->count = count;
	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		s->argsz += sizeof(int32_t);
		memcpy(buf + sizeof(struct vfio_irq_set), &fd32, sizeof(fd32));
	}
	return ioctl(v->device, VFIO_DEVICE_SET_IRQS, s) == 0 ? 0 : -errno;
}

int mv_vfio_intx_enable(struct mv_vfio *v, char *err, size_t errlen)
{
	struct vfio_irq_info irq = {.argsz = sizeof(irq),
				    .index = VFIO_PCI_INTX_IRQ_INDEX};
	int r;

	if (ioctl(v->device, VFIO_DEVICE_GET_IRQ_INFO, &irq) != 0 ||
	    irq.count == 0)
		return err_out(err, errlen,
			       "%s has no INTx interrupt (interrupt pin 0?)",
			       v->bdf);
	if (!(irq.flags & VFIO_IRQ_INFO_EVENTFD))
		return err_out(err, errlen, "%s: INTx cannot signal an eventfd",
			       v->bdf);
	v->intx_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->intx_fd < 0)
		return err_out(err, errlen, "eventfd: %s", strerror(errno));
	r = set_irqs(v, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		     1, v->intx_fd);
	if (r != 0) {
		close(v->intx_fd);
		v->intx_fd = -1;
		return err_out(err, errlen,
			       "VFIO_DEVICE_SET_IRQS (INTx eventfd): %s%s",
			       strerror(-r),
			       r == -EBUSY ? " (the INTx line is shared with "
					     "another device that has no "
					     "INTx masking)"
					   : "");
	}
	return 0;
}

int mv_vfio_intx_unmask(struct mv_vfio *v)
{
	return set_irqs(v, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
			1, -1);
}

void mv_vfio_intx_disable(struct mv_vfio *v)
{
	if (v->intx_fd < 0)
		return;
	set_irqs(v, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, 0,
		 -1);
	close(v->intx_fd);
	v->intx_fd = -1;
}

/* ---------------------------------------------------------------------- */
/* DMA buffers                                                            */
/* ---------------------------------------------------------------------- */

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

int mv_iova_find(const struct mv_dma_map *maps, unsigned int n, uint64_t base,
		 uint64_t limit, uint64_t len, uint64_t align, uint64_t *iova)
{
	uint64_t cand = align_up(base, align);
	unsigned int i;
	bool moved = true;

	if (len == 0 || align == 0 || (align & (align - 1)) != 0)
		return -EINVAL;
	/* Bump past every overlapping mapping until none overlaps. */
	while (moved) {
		moved = false;
		if (cand < base || cand > limit || len > limit - cand)
			return -ENOSPC;
		for (i = 0; i < n; i++) {
			const struct mv_dma_map *m = &maps[i];

			if (!m->used || cand >= m->iova + m->len ||
			    m->iova >= cand + len)
				continue;
			cand = align_up(m->iova + m->len, align);
			moved = true;
		}
	}
	*iova = cand;
	return 0;
}

int mv_vfio_dma_alloc(struct mv_vfio *v, size_t len, size_t align, void **cpu,
		      uint64_t *iova, size_t *out_len, uint64_t *handle)
{
	struct vfio_iommu_type1_dma_map map = {.argsz = sizeof(map)};
	unsigned int slot;
	uint64_t at;
	void *p;
	int r;

	if (len == 0)
		return -EINVAL;
	len = (size_t)align_up(len, v->page);
	if (align < v->page)
		align = v->page;
	for (slot = 0; slot < MV_DMA_MAX && v->dma[slot].used; slot++)
		;
	if (slot == MV_DMA_MAX)
		return -ENOSPC;
	r = mv_iova_find(v->dma, MV_DMA_MAX, MV_IOVA_BASE, MV_IOVA_LIMIT, len,
			 align, &at);
	if (r != 0)
		return r;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uint64_t)(uintptr_t)p;
	map.iova = at;
	map.size = len;
	if (ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map) != 0) {
		r = -errno;
		munmap(p, len);
		fprintf(stderr,
			"minivmm: VFIO_IOMMU_MAP_DMA iova 0x%llx len %zu: "
			"%s%s\n",
			(unsigned long long)at, len, strerror(-r),
			r == -ENOMEM ? " (raise the memlock limit, ulimit -l, "
				       "or run as root)"
				     : "");
		return r;
	}
	v->dma[slot] = (struct mv_dma_map){p, at, len, true};
	v->dma_live++;
	*cpu = p;
	*iova = at;
	*out_len = len;
	*handle = slot;
	return 0;
}

void mv_vfio_dma_free(struct mv_vfio *v, uint64_t handle)
{
	struct vfio_iommu_type1_dma_unmap unmap = {.argsz = sizeof(unmap)};
	struct mv_dma_map *m;

	if (handle >= MV_DMA_MAX || !v->dma[handle].used)
		return;
	m = &v->dma[handle];
	unmap.iova = m->iova;
	unmap.size = m->len;
	if (ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &unmap) != 0)
		fprintf(stderr,
			"minivmm: VFIO_IOMMU_UNMAP_DMA iova 0x%llx: %s\n",
			(unsigned long long)m->iova, strerror(errno));
	munmap(m->cpu, m->len);
	memset(m, 0, sizeof(*m));
	v->dma_live--;
}
