// SPDX-License-Identifier: BSD-2-Clause
/*
 * minivmm: MP tables (Intel MultiProcessor Specification 1.4, chapter 4).
 *
 * Interrupt routing described here, and programmed into KVM's GSI routing
 * by kvm.c to match:
 *   ISA IRQ 0 (PIT)  -> IO-APIC pin 2, and pin 0 is the 8259's ExtINT
 *   ISA IRQ n        -> IO-APIC pin n (n = 1, 3..15), edge, active high
 *   PCI 00:slot INTA -> IO-APIC pin nic_pin, level, active low (that pin's
 *                       ISA entry is left out)
 *   LINT0 = ExtINT, LINT1 = NMI on every local APIC.
 */
#include <string.h>

#include "layout.h"
#include "le.h"
#include "mptable.h"

static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n-- > 0)
		s = (uint8_t)(s + *p++);
	return (uint8_t)(0x100 - s);
}

static unsigned int n_iointr(const struct mv_mp_params *p)
{
	/* ExtINT, IRQ 0, IRQ 1 and 3..15, and the NIC in place of one. */
	return 1 + 1 + 14 + (p->nic ? 1 : 0) -
	       (p->nic && p->nic_pin < 16 && p->nic_pin != 0 && p->nic_pin != 2
			? 1
			: 0);
}

size_t mv_mptable_size(unsigned int ncpus)
{
	/* Upper bound: the NIC replaces an ISA entry or adds one. */
	return MP_FLOAT_SIZE + MP_HDR_SIZE + MP_CPU_SIZE * (size_t)ncpus +
	       MP_ENTRY_SIZE * (2 + 1 + 17 + 2);
}

static uint8_t *entry8(uint8_t *e, uint8_t type, uint8_t itype, uint16_t flags,
		       uint8_t bus, uint8_t irq, uint8_t dst, uint8_t pin)
{
	e[0] = type;
	e[1] = itype;
	mv_put16(e + 2, flags);
	e[4] = bus;
	e[5] = irq;
	e[6] = dst;
	e[7] = pin;
	return e + MP_ENTRY_SIZE;
}

size_t mv_mptable_build(uint8_t *buf, size_t len, uint32_t gpa,
			const struct mv_mp_params *p)
{
	uint8_t *t, *e;
	unsigned int i, count = 0;
	size_t tlen;

	if (p->ncpus == 0 || p->ncpus > MP_MAX_CPUS ||
	    p->ioapic_id < p->ncpus ||
	    (p->nic && (p->nic_slot >= 32 || p->nic_pin >= MV_IOAPIC_PINS ||
			p->nic_pin == 0 || p->nic_pin == 2)))
		return 0;
	tlen = MP_HDR_SIZE + MP_CPU_SIZE * (size_t)p->ncpus +
	       MP_ENTRY_SIZE * (2 + 1 + n_iointr(p) + 2);
	if (len < MP_FLOAT_SIZE + tlen)
		return 0;
	memset(buf, 0, MP_FLOAT_SIZE + tlen);

	/* Floating pointer: config table right behind it; virtual-wire mode
	 * (feature byte 2 bit 7 clear: no IMCR). */
	memcpy(buf, "_MP_", 4);
	mv_put32(buf + 4, gpa + MP_FLOAT_SIZE);
	buf[8] = 1;  /* length in 16-byte units */
	buf[9] = 4;  /* spec revision 1.4 */
	buf[11] = 0; /* feature 1: a configuration table is present */
	buf[10] = checksum(buf, MP_FLOAT_SIZE);

	t = buf + MP_FLOAT_SIZE;
	memcpy(t, "PCMP", 4);
	t[6] = 4;
	memcpy(t + 8, "MINIVMM ", 8);
	memcpy(t + 16, "PARAPASS    ", 12);
	mv_put32(t + 36, MV_LAPIC_ADDR);
	e = t + MP_HDR_SIZE;

	for (i = 0; i < p->ncpus; i++) {
		e[0] = MP_PROCESSOR;
		e[1] = (uint8_t)i;	   /* local APIC id */
		e[2] = 0x14;		   /* local APIC version */
		e[3] = i == 0 ? 0x3 : 0x1; /* enabled (| bootstrap) */
		mv_put32(e + 4, p->cpu_signature);
		mv_put32(e + 8, p->cpu_features);
		e += MP_CPU_SIZE;
		count++;
	}

	e[0] = MP_BUS;
	e[1] = MP_BUS_PCI;
	memcpy(e + 2, "PCI   ", 6);
	e += MP_ENTRY_SIZE;
	e[0] = MP_BUS;
	e[1] = MP_BUS_ISA;
	memcpy(e + 2, "ISA   ", 6);
	e += MP_ENTRY_SIZE;
	count += 2;

	e[0] = MP_IOAPIC;
	e[1] = p->ioapic_id;
	e[2] = 0x11; /* version */
	e[3] = 0x1;  /* enabled */
	mv_put32(e + 4, MV_IOAPIC_ADDR);
	e += MP_ENTRY_SIZE;
	count++;

	/* The 8259 master's output on pin 0; the PIT's IRQ 0 on pin 2. */
	e = entry8(e, MP_IOINTR, MP_EXTINT, 0, MP_BUS_ISA, 0, p->ioapic_id, 0);
	e = entry8(e, MP_IOINTR, MP_INT, 0, MP_BUS_ISA, 0, p->ioapic_id, 2);
	count += 2;
	for (i = 1; i < 16; i++) {
		if (i == 2 || (p->nic && i == p->nic_pin))
			continue;
		/* Conforming = ISA default: edge, active high. */
		e = entry8(e, MP_IOINTR, MP_INT, 0, MP_BUS_ISA, (uint8_t)i,
			   p->ioapic_id, (uint8_t)i);
		count++;
	}
	if (p->nic) {
		/* PCI source IRQ: bits 6:2 device, bits 1:0 INTx (0 = A). */
		e = entry8(e, MP_IOINTR, MP_INT, MP_POL_LOW | MP_TRIG_LEVEL,
			   MP_BUS_PCI, (uint8_t)(p->nic_slot << 2),
			   p->ioapic_id, (uint8_t)p->nic_pin);
		count++;
	}

	/* Every local APIC (0xff): LINT0 ExtINT, LINT1 NMI. */
	e = entry8(e, MP_LINTR, MP_EXTINT, 0, MP_BUS_ISA, 0, 0xff, 0);
	e = entry8(e, MP_LINTR, MP_NMI, 0, MP_BUS_ISA, 0, 0xff, 1);
	count += 2;

	tlen = (size_t)(e - t);
	mv_put16(t + 4, (uint16_t)tlen);
	mv_put16(t + 34, (uint16_t)count);
	t[7] = checksum(t, tlen);
	return MP_FLOAT_SIZE + tlen;
}
