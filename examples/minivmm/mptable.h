/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * minivmm: Intel MultiProcessor Specification 1.4 tables, so that Linux
 * (booted without ACPI) finds the CPUs, the IO-APIC, the buses and how
 * every ISA IRQ and the PCI NIC's INTA# reach IO-APIC pins.
 *
 * Layout at @gpa: the 16-byte floating pointer ("_MP_"), then the
 * configuration table ("PCMP": 44-byte header and the base entries).
 */
#ifndef MINIVMM_MPTABLE_H
#define MINIVMM_MPTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MP_FLOAT_SIZE 16u
#define MP_HDR_SIZE   44u
#define MP_CPU_SIZE   20u
#define MP_ENTRY_SIZE 8u

/* Entry types. */
#define MP_PROCESSOR 0
#define MP_BUS	     1
#define MP_IOAPIC    2
#define MP_IOINTR    3
#define MP_LINTR     4

/* Interrupt types and flags (polarity bits 1:0, trigger bits 3:2). */
#define MP_INT		0
#define MP_NMI		1
#define MP_EXTINT	3
#define MP_POL_CONFORM	0x0
#define MP_POL_HIGH	0x1
#define MP_POL_LOW	0x3
#define MP_TRIG_CONFORM 0x0
#define MP_TRIG_EDGE	0x4
#define MP_TRIG_LEVEL	0xc

#define MP_BUS_PCI 0 /* bus ids */
#define MP_BUS_ISA 1

#define MP_MAX_CPUS 64u

struct mv_mp_params {
	unsigned int ncpus;	/* local APIC ids 0..ncpus-1, CPU 0 boots */
	uint32_t cpu_signature; /* CPUID.1:EAX */
	uint32_t cpu_features;	/* CPUID.1:EDX */
	uint8_t ioapic_id;	/* must not clash with a local APIC id */
	bool nic;		/* a PCI device with INTA# ... */
	unsigned int nic_slot;	/* ... at 00:<slot>.0 ... */
	unsigned int nic_pin;	/* ... wired to this IO-APIC pin */
};

/* Bytes needed for @ncpus (floating pointer included). */
size_t mv_mptable_size(unsigned int ncpus);

/*
 * Write the floating pointer and configuration table for @p into @buf,
 * which will sit at guest-physical @gpa. Returns the bytes written, or 0
 * if @buf is too small or @p is invalid.
 */
size_t mv_mptable_build(uint8_t *buf, size_t len, uint32_t gpa,
			const struct mv_mp_params *p);

#endif /* MINIVMM_MPTABLE_H */
