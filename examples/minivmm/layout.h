/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * minivmm: the guest-physical memory map and the fixed platform numbers.
 * Everything that has to agree between the loader, the firmware tables,
 * the PCI model and the KVM setup lives here (docs/minivmm.md, "Guest
 * platform").
 *
 *   0x00000000  real-mode IVT and BIOS data area (EBDA pointer, base KiB)
 *   0x00000500  GDT of the 64-bit entry (null, null, 0x10 code, 0x18 data)
 *   0x00007000  boot_params ("zero page")
 *   0x00009000  PML4, 0xa000 PDPT, 0xb000..0xefff four page directories:
 *               identity map of 0..4 GiB with 2 MiB pages
 *   0x00020000  kernel command line
 *   0x0009fc00  EBDA (1 KiB, reserved in the e820 map)
 *   0x000f0000  MP floating pointer + MP configuration table (reserved)
 *   0x00100000  protected-mode kernel (bzImage payload)
 *   ...         RAM up to min(--mem, 3 GiB); the initrd sits at its top
 *   0xc0000000  PCI hole (no RAM): BARs the guest places, IO-APIC
 *               0xfec00000, local APIC 0xfee00000, KVM's TSS 0xfffbd000
 *   0x100000000 the rest of --mem, if any
 */
#ifndef MINIVMM_LAYOUT_H
#define MINIVMM_LAYOUT_H

#define MV_MiB (1024ull * 1024ull)
#define MV_GiB (1024ull * MV_MiB)

#define MV_BDA_EBDA_SEG 0x40eull /* u16: EBDA segment */
#define MV_BDA_BASE_KIB 0x413ull /* u16: base memory in KiB */
#define MV_GDT_ADDR	0x500ull
#define MV_ZERO_PAGE	0x7000ull
#define MV_PML4		0x9000ull
#define MV_PDPT		0xa000ull
#define MV_PD		0xb000ull /* four pages */
#define MV_CMDLINE	0x20000ull
#define MV_CMDLINE_MAX	4096u /* bytes, NUL included */
#define MV_EBDA		0x9fc00ull
#define MV_BIOS_START	0xf0000ull /* reserved up to 1 MiB */
#define MV_MPTABLE	MV_BIOS_START
#define MV_KERNEL	0x100000ull
#define MV_PCI_HOLE	(3ull * MV_GiB)
#define MV_4G		(4ull * MV_GiB)
#define MV_IOAPIC_ADDR	0xfec00000u
#define MV_LAPIC_ADDR	0xfee00000u
#define MV_TSS_ADDR	0xfffbd000ull

/* GDT selectors of the 64-bit boot protocol. */
#define MV_BOOT_CS 0x10
#define MV_BOOT_DS 0x18

/* Interrupts: ISA IRQ n -> IO-APIC pin n, except IRQ 0 (PIT) -> pin 2. */
#define MV_IOAPIC_PINS 24u
#define MV_UART_IRQ    4u
/* The NIC's INTA#: IO-APIC pin 11 (= GSI 11, = PCI interrupt line 11). */
#define MV_NIC_GSI 11u

/* PCI: host bridge at 00:00.0, the NIC at 00:02.0. */
#define MV_PCI_NIC_SLOT 2u

/* Legacy ports. */
#define MV_PORT_UART	 0x3f8u
#define MV_PORT_PCI_ADDR 0xcf8u
#define MV_PORT_PCI_DATA 0xcfcu
#define MV_PORT_RESET	 0xcf9u /* byte access: reset control */
#define MV_PORT_RTC	 0x70u
#define MV_PORT_KBD_DATA 0x60u
#define MV_PORT_KBD_CMD	 0x64u

#endif /* MINIVMM_LAYOUT_H */
