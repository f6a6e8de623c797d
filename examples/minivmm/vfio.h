/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * minivmm: owning a PCI device through VFIO (type1 IOMMU).
 *
 * The device's IOMMU domain holds only what mv_vfio_dma_alloc() maps:
 * the SDK's own rings and buffers. Guest RAM is never mapped for the
 * device, so the device can reach no guest memory at all.
 */
#ifndef MINIVMM_VFIO_H
#define MINIVMM_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vfio.h>

#define MV_DMA_MAX 512u
/* IOVA window: above the first MiB, below the MSI window at 0xfee00000
 * and so below 4 GiB (the 8255x has 32-bit DMA addresses). */
#define MV_IOVA_BASE  0x100000ull
#define MV_IOVA_LIMIT 0xfee00000ull

struct mv_vfio_region {
	uint64_t size, offset;
	uint32_t flags;
};

struct mv_dma_map {
	void *cpu;
	uint64_t iova, len;
	bool used;
};

struct mv_vfio {
	int container, group, device;
	char bdf[16];
	char group_id[32];
	uint32_t dev_flags;
	unsigned int nregions;
	struct mv_vfio_region region[VFIO_PCI_NUM_REGIONS];
	int intx_fd; /* eventfd signalled by the device's INTx */
	size_t page;
	struct mv_dma_map dma[MV_DMA_MAX];
	unsigned int dma_live;
};

/*
 * Open container, group and device of @bdf ("DDDD:BB:DD.F"), set the
 * type1 IOMMU, read the region layout. Returns 0, or -1 with a message
 * that names the fix in @err.
 */
int mv_vfio_open(struct mv_vfio *v, const char *bdf, char *err, size_t errlen);
/* Disable INTx, unmap every DMA buffer left, close. Idempotent. */
void mv_vfio_close(struct mv_vfio *v);

/* Config space (the VFIO config region) and BAR registers; 0 or -errno. */
int mv_vfio_cfg_read(struct mv_vfio *v, unsigned int off, unsigned int width,
		     uint32_t *val);
int mv_vfio_cfg_write(struct mv_vfio *v, unsigned int off, unsigned int width,
		      uint32_t val);
int mv_vfio_bar_read(struct mv_vfio *v, unsigned int bar, uint32_t off,
		     unsigned int width, uint32_t *val);
int mv_vfio_bar_write(struct mv_vfio *v, unsigned int bar, uint32_t off,
		      unsigned int width, uint32_t val);
/* BAR size, 0 if absent. */
uint64_t mv_vfio_bar_size(const struct mv_vfio *v, unsigned int bar);

/* INTx through an eventfd (VFIO masks it on every interrupt). */
int mv_vfio_intx_enable(struct mv_vfio *v, char *err, size_t errlen);
int mv_vfio_intx_unmask(struct mv_vfio *v);
void mv_vfio_intx_disable(struct mv_vfio *v);

/*
 * DMA memory: anonymous pages mapped for the device at an IOVA from a
 * first-fit allocator over [MV_IOVA_BASE, MV_IOVA_LIMIT). Returns 0 or
 * -errno; *handle identifies the mapping for mv_vfio_dma_free().
 */
int mv_vfio_dma_alloc(struct mv_vfio *v, size_t len, size_t align, void **cpu,
		      uint64_t *iova, size_t *out_len, uint64_t *handle);
void mv_vfio_dma_free(struct mv_vfio *v, uint64_t handle);

/*
 * The IOVA allocator alone (unit-tested): first fit of @len bytes at
 * @align in [base, limit) avoiding the used entries of @maps[0..n).
 * Returns 0 and *iova, or -ENOSPC.
 */
int mv_iova_find(const struct mv_dma_map *maps, unsigned int n, uint64_t base,
		 uint64_t limit, uint64_t len, uint64_t align, uint64_t *iova);

#endif /* MINIVMM_VFIO_H */
