/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * minivmm: PCI bus 0 with configuration mechanism #1 (CONFIG_ADDRESS at
 * 0xcf8, CONFIG_DATA at 0xcfc..0xcff), a host bridge at 00:00.0 and
 * slots for other functions; and the virtual configuration space of the
 * passed-through NIC (struct mv_vpci).
 *
 * Neither model locks: the caller serialises each object.
 */
#ifndef MINIVMM_PCI_H
#define MINIVMM_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_CFG_SIZE 256u

#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CACHE_LINE_SIZE	0x0c
#define PCI_LATENCY_TIMER	0x0d
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_ROM_ADDRESS		0x30
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d
#define PCI_MIN_GNT		0x3e

#define PCI_CMD_IO	     0x0001
#define PCI_CMD_MEMORY	     0x0002
#define PCI_CMD_MASTER	     0x0004
#define PCI_CMD_INTX_DISABLE 0x0400
#define PCI_STATUS_INTERRUPT 0x0008
#define PCI_STATUS_CAP_LIST  0x0010

#define PCI_BAR_IO	 0x1
#define PCI_BAR_MEM_MASK 0xfu
#define PCI_BAR_IO_MASK	 0x3u

/* The host bridge's identity: Red Hat/QEMU's generic "PCIe host bridge"
 * ID, class 06:00:00; no Linux quirk applies to it. */
#define MV_HOST_VENDOR 0x1b36
#define MV_HOST_DEVICE 0x0008

/* ---- a function's virtual configuration space ---------------------- */

enum mv_bar_kind {
	MV_BAR_NONE = 0, /* hidden: reads 0, ignores writes */
	MV_BAR_MEM32,
	MV_BAR_IO,
};

struct mv_vpci {
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE];
	uint32_t bar_size[6];
	uint8_t bar_kind[6];
	bool line; /* the interrupt line as the guest sees it (status bit 3) */
};

/* mv_vpci_write() result bits. */
#define MV_VPCI_CMD 0x1 /* the command register was written */
#define MV_VPCI_BAR 0x2 /* a BAR was written */

/*
 * Build the guest's view from the real device's first 64 config bytes:
 * IDs, class, revision, subsystem, Min_Gnt/Max_Lat copied; command 0;
 * capability list, expansion ROM and device-specific space (0x40+) hidden;
 * BAR i exposed as @kind[i] with @size[i] (power of two) or hidden;
 * INTA# with interrupt line @irq_line.
 */
void mv_vpci_init(struct mv_vpci *v, const uint8_t real[64],
		  const uint32_t size[6], const uint8_t kind[6],
		  uint8_t irq_line);
/* @off + @width <= 256, width 1/2/4 (the bus checks). */
uint32_t mv_vpci_read(const struct mv_vpci *v, unsigned int off,
		      unsigned int width);
unsigned int mv_vpci_write(struct mv_vpci *v, unsigned int off,
			   unsigned int width, uint32_t val);
uint16_t mv_vpci_command(const struct mv_vpci *v);
/*
 * Which enabled BAR of @kind holds all of [addr, addr+len)? Returns the
 * BAR index and the offset in it, or -1. A BAR decodes only while its
 * command enable bit (memory/I/O) is set and its base is not 0.
 */
int mv_vpci_decode(const struct mv_vpci *v, enum mv_bar_kind kind,
		   uint64_t addr, unsigned int len, uint32_t *off);

/* ---- bus 0, configuration mechanism #1 ------------------------------ */

struct mv_pci_fn_ops {
	uint32_t (*read)(void *opaque, unsigned int off, unsigned int width);
	void (*write)(void *opaque, unsigned int off, unsigned int width,
		      uint32_t val);
};

struct mv_pcibus {
	uint32_t addr; /* CONFIG_ADDRESS */
	uint8_t rcr;   /* reset control register (0xcf9) */
	struct mv_vpci host;
	const struct mv_pci_fn_ops *ops[32];
	void *opaque[32];
};

/* mv_pcibus_io() results. */
#define MV_PCI_IO_OK	0
#define MV_PCI_IO_RESET 1 /* the guest asked for a system reset (0xcf9) */

void mv_pcibus_init(struct mv_pcibus *b);
void mv_pcibus_attach(struct mv_pcibus *b, unsigned int slot,
		      const struct mv_pci_fn_ops *ops, void *opaque);
/* An access to port 0xcf8..0xcff of @width bytes. */
int mv_pcibus_io(struct mv_pcibus *b, uint16_t port, unsigned int width,
		 bool write, uint32_t *val);

#endif /* MINIVMM_PCI_H */
