// SPDX-License-Identifier: BSD-2-Clause
/*
 * minivmm: PCI configuration mechanism #1 and the virtual configuration
 * space of a passed-through function (PCI Local Bus Specification 3.0,
 * chapter 6: type 0 header, BAR sizing by writing all-ones, command and
 * status registers).
 */
#include <string.h>

#include "le.h"
#include "pci.h"

/* ---------------------------------------------------------------------- */
/* Virtual configuration space                                            */
/* ---------------------------------------------------------------------- */

static bool is_pow2(uint32_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

void mv_vpci_init(struct mv_vpci *v, const uint8_t real[64],
		  const uint32_t size[6], const uint8_t kind[6],
		  uint8_t irq_line)
{
	uint16_t status;
	unsigned int i;

	memset(v, 0, sizeof(*v));
	memcpy(v->cfg + PCI_VENDOR_ID, real + PCI_VENDOR_ID, 4);
	/* Keep DEVSEL timing, fast back-to-back and 66 MHz; no capability
	 * list, no latched errors, interrupt status computed on read. */
	status = mv_get16(real + PCI_STATUS) & 0x06a0;
	mv_put16(v->cfg + PCI_STATUS, status);
	memcpy(v->cfg + PCI_REVISION_ID, real + PCI_REVISION_ID, 4);
	v->cfg[PCI_HEADER_TYPE] = 0x00; /* type 0, single function */
	memcpy(v->cfg + PCI_SUBSYSTEM_VENDOR_ID, real + PCI_SUBSYSTEM_VENDOR_ID,
	       4);
	v->cfg[PCI_INTERRUPT_LINE] = irq_line;
	v->cfg[PCI_INTERRUPT_PIN] = 1; /* INTA# */
	v->cfg[PCI_MIN_GNT] = real[PCI_MIN_GNT];
	v->cfg[PCI_MIN_GNT + 1] = real[PCI_MIN_GNT + 1];

	/* I/O, memory, bus master, MWI, parity, SERR#, INTx disable. */
	v->wmask[PCI_COMMAND] = 0x57;
	v->wmask[PCI_COMMAND + 1] = 0x05;
	v->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	v->wmask[PCI_LATENCY_TIMER] = 0xff;
	v->wmask[PCI_INTERRUPT_LINE] = 0xff;

	for (i = 0; i < 6; i++) {
		uint32_t min = kind[i] == MV_BAR_IO ? 4 : 16;

		if (kind[i] == MV_BAR_NONE || !is_pow2(size[i]) ||
		    size[i] < min)
			continue;
		v->bar_kind[i] = kind[i];
		v->bar_size[i] = size[i];
		mv_put32(v->cfg + PCI_BAR0 + 4 * i,
			 kind[i] == MV_BAR_IO ? PCI_BAR_IO : 0);
	}
}

uint16_t mv_vpci_command(const struct mv_vpci *v)
{
	return mv_get16(v->cfg + PCI_COMMAND);
}

uint32_t mv_vpci_read(const struct mv_vpci *v, unsigned int off,
		      unsigned int width)
{
	uint8_t b[4];
	unsigned int i;

	if (width == 0 || width > 4 || off >= PCI_CFG_SIZE ||
	    width > PCI_CFG_SIZE - off)
		return mv_ones(width);
	for (i = 0; i < width; i++) {
		b[i] = v->cfg[off + i];
		if (off + i == PCI_STATUS && v->line)
			b[i] |= PCI_STATUS_INTERRUPT;
	}
	return mv_getw(b, width);
}

/* Store a whole BAR value: address bits that the size allows, type bits. */
static void bar_store(struct mv_vpci *v, unsigned int i, uint32_t val)
{
	uint8_t *p = v->cfg + PCI_BAR0 + 4 * i;

	switch (v->bar_kind[i]) {
	case MV_BAR_MEM32:
		mv_put32(p, val & ~(v->bar_size[i] - 1) & ~PCI_BAR_MEM_MASK);
		break;
	case MV_BAR_IO:
		mv_put32(p, (val & ~(v->bar_size[i] - 1) & ~PCI_BAR_IO_MASK) |
				    PCI_BAR_IO);
		break;
	default:
		mv_put32(p, 0);
		break;
	}
}

unsigned int mv_vpci_write(struct mv_vpci *v, unsigned int off,
			   unsigned int width, uint32_t val)
{
	unsigned int i, res = 0, bars = 0;
	uint8_t nb[PCI_CFG_SIZE];

	if (width == 0 || width > 4 || off >= PCI_CFG_SIZE ||
	    width > PCI_CFG_SIZE - off)
		return 0;
	/* BAR bytes are staged, then each touched BAR is stored whole. */
	memcpy(nb + PCI_BAR0, v->cfg + PCI_BAR0, 24);
	for (i = 0; i < width; i++) {
		unsigned int o = off + i;
		uint8_t b = (uint8_t)(val >> (8 * i));

		if (o >= PCI_BAR0 && o < PCI_BAR0 + 24) {
			nb[o] = b;
			bars |= 1u << ((o - PCI_BAR0) / 4);
			continue;
		}
		if (o == PCI_COMMAND || o == PCI_COMMAND + 1)
			res |= MV_VPCI_CMD;
		v->cfg[o] = (uint8_t)((v->cfg[o] & ~v->wmask[o]) |
				      (b & v->wmask[o]));
	}
	for (i = 0; i < 6; i++) {
		if (bars & (1u << i)) {
			bar_store(v, i, mv_get32(nb + PCI_BAR0 + 4 * i));
			res |= MV_VPCI_BAR;
		}
	}
	return res;
}

int mv_vpci_decode(const struct mv_vpci *v, enum mv_bar_kind kind,
		   uint64_t addr, unsigned int len, uint32_t *off)
{
	uint16_t cmd = mv_vpci_command(v);
	unsigned int i;

	if (kind == MV_BAR_MEM32 && !(cmd & PCI_CMD_MEMORY))
		return -1;
	if (kind == MV_BAR_IO && !(cmd & PCI_CMD_IO))
		return -1;
	for (i = 0; i < 6; i++) {
		uint32_t raw = mv_get32(v->cfg + PCI_BAR0 + 4 * i);
		uint64_t base;

		if (v->bar_kind[i] != kind)
			continue;
		base = raw & ~(kind == MV_BAR_IO ? PCI_BAR_IO_MASK
						 : PCI_BAR_MEM_MASK);
		if (base == 0 || addr < base || len > v->bar_size[i] ||
		    addr - base > v->bar_size[i] - len)
			continue;
		*off = (uint32_t)(addr - base);
		return (int)i;
	}
	return -1;
}

/* ---------------------------------------------------------------------- */
/* Bus 0                                                                  */
/* ---------------------------------------------------------------------- */

void mv_pcibus_init(struct mv_pcibus *b)
{
	uint8_t id[64];
	static const uint32_t nosize[6];
	static const uint8_t nokind[6];

	memset(b, 0, sizeof(*b));
	memset(id, 0, sizeof(id));
	mv_put16(id + PCI_VENDOR_ID, MV_HOST_VENDOR);
	mv_put16(id + PCI_DEVICE_ID, MV_HOST_DEVICE);
	id[PCI_CLASS_PROG + 2] = 0x06; /* bridge */
	id[PCI_CLASS_PROG + 1] = 0x00; /* host bridge */
	mv_vpci_init(&b->host, id, nosize, nokind, 0);
	b->host.cfg[PCI_INTERRUPT_PIN] = 0;
	/* Nothing to enable on the host bridge: nothing writable. */
	memset(b->host.wmask, 0, sizeof(b->host.wmask));
	mv_put16(b->host.cfg + PCI_COMMAND, PCI_CMD_MEMORY | PCI_CMD_MASTER);
}

void mv_pcibus_attach(struct mv_pcibus *b, unsigned int slot,
		      const struct mv_pci_fn_ops *ops, void *opaque)
{
	if (slot == 0 || slot >= 32)
		return;
	b->ops[slot] = ops;
	b->opaque[slot] = opaque;
}

int mv_pcibus_io(struct mv_pcibus *b, uint16_t port, unsigned int width,
		 bool write, uint32_t *val)
{
	unsigned int bus, dev, fn, reg, byte = port & 3u;

	if (port >= 0xcf8 && port <= 0xcfb) {
		/* Only dword accesses at 0xcf8 reach CONFIG_ADDRESS; a byte
		 * at 0xcf9 is the reset control register (bit 2: reset). */
		if (port == 0xcf8 && width == 4) {
			if (write)
				b->addr = *val & 0x80fffffcu;
			else
				*val = b->addr;
		} else if (port == 0xcf9 && width == 1) {
			if (write) {
				b->rcr = (uint8_t)(*val & 0x0e);
				if (*val & 0x04)
					return MV_PCI_IO_RESET;
			} else {
				*val = b->rcr;
			}
		} else if (!write) {
			*val = mv_ones(width);
		}
		return MV_PCI_IO_OK;
	}

	/* CONFIG_DATA */
	bus = (b->addr >> 16) & 0xff;
	dev = (b->addr >> 11) & 0x1f;
	fn = (b->addr >> 8) & 0x7;
	reg = (b->addr & 0xfc) + byte;
	if (!(b->addr & 0x80000000u) || bus != 0 || fn != 0 ||
	    byte + width > 4 || (dev != 0 && b->ops[dev] == NULL)) {
		if (!write)
			*val = mv_ones(width);
		return MV_PCI_IO_OK;
	}
	if (dev == 0) {
		if (write)
			mv_vpci_write(&b->host, reg, width, *val);
		else
			*val = mv_vpci_read(&b->host, reg, width);
	} else if (write) {
		b->ops[dev]->write(b->opaque[dev], reg, width, *val);
	} else {
		*val = b->ops[dev]->read(b->opaque[dev], reg, width) &
		       mv_ones(width);
	}
	return MV_PCI_IO_OK;
}
