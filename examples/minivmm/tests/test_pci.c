// SPDX-License-Identifier: BSD-2-Clause
/*
 * minivmm: PCI configuration mechanism #1 and the virtual configuration
 * space of the passed-through NIC: BAR sizing and placement, hidden BARs
 * and ROM, hidden capabilities, command/status, interrupt line and pin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "le.h"
#include "pci.h"

/* An 82559 as QEMU shows it: BAR0 4 KiB memory, BAR1 64-byte I/O,
 * BAR2 128 KiB flash, a ROM, PM capability at 0xdc. */
static void real_cfg(uint8_t c[64])
{
	memset(c, 0, 64);
	mv_put16(c + PCI_VENDOR_ID, 0x8086);
	mv_put16(c + PCI_DEVICE_ID, 0x1229);
	mv_put16(c + PCI_COMMAND, 0x0007);
	mv_put16(c + PCI_STATUS, 0x0290);
	c[PCI_REVISION_ID] = 0x08;
	c[PCI_CLASS_PROG + 2] = 0x02;
	mv_put32(c + PCI_BAR0, 0xfebd1000);
	mv_put32(c + PCI_BAR0 + 4, 0x0000c001);
	mv_put32(c + PCI_BAR0 + 8, 0xfeb80000);
	mv_put16(c + PCI_SUBSYSTEM_VENDOR_ID, 0x8086);
	mv_put16(c + PCI_SUBSYSTEM_VENDOR_ID + 2, 0x000c);
	mv_put32(c + PCI_ROM_ADDRESS, 0xfeb40000);
	c[PCI_CAPABILITY_LIST] = 0xdc;
	c[PCI_INTERRUPT_LINE] = 10;
	c[PCI_INTERRUPT_PIN] = 1;
	c[PCI_MIN_GNT] = 0x08;
	c[PCI_MIN_GNT + 1] = 0x18;
}

static void nic(struct mv_vpci *v)
{
	static const uint32_t size[6] = {4096, 64};
	static const uint8_t kind[6] = {MV_BAR_MEM32, MV_BAR_IO};
	uint8_t c[64];

	real_cfg(c);
	mv_vpci_init(v, c, size, kind, 11);
}

static void test_identity_and_hidden_parts(void **state)
{
	struct mv_vpci v;
	unsigned int off;

	(void)state;
	nic(&v);
	assert_int_equal(mv_vpci_read(&v, PCI_VENDOR_ID, 4), 0x12298086);
	assert_int_equal(mv_vpci_read(&v, PCI_REVISION_ID, 4), 0x02000008);
	assert_int_equal(mv_vpci_read(&v, PCI_SUBSYSTEM_VENDOR_ID, 4),
			 0x000c8086);
	assert_int_equal(mv_vpci_read(&v, PCI_HEADER_TYPE, 1), 0);
	assert_int_equal(mv_vpci_read(&v, PCI_COMMAND, 2), 0);
	/* Capabilities hidden: no CAP_LIST bit, no pointer. */
	assert_int_equal(mv_vpci_read(&v, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST,
			 0);
	assert_int_equal(mv_vpci_read(&v, PCI_STATUS, 2), 0x0280);
	assert_int_equal(mv_vpci_read(&v, PCI_CAPABILITY_LIST, 1), 0);
	assert_int_equal(mv_vpci_read(&v, PCI_INTERRUPT_LINE, 1), 11);
	assert_int_equal(mv_vpci_read(&v, PCI_INTERRUPT_PIN, 1), 1);
	assert_int_equal(mv_vpci_read(&v, PCI_MIN_GNT, 2), 0x1808);
	/* BARs start unassigned: the guest places them. */
	assert_int_equal(mv_vpci_read(&v, PCI_BAR0, 4), 0);
	assert_int_equal(mv_vpci_read(&v, PCI_BAR0 + 4, 4), PCI_BAR_IO);
	for (off = 0x40; off < PCI_CFG_SIZE; off += 4)
		assert_int_equal(mv_vpci_read(&v, off, 4), 0);
	/* Out of range: all-ones. */
	assert_int_equal(mv_vpci_read(&v, 0xfe, 4), 0xffffffff);
}

static void test_bar_sizing(void **state)
{
	struct mv_vpci v;
	unsigned int i;

	(void)state;
	nic(&v);
	mv_vpci_write(&v, PCI_BAR0, 4, 0xffffffff);
	assert_int_equal(mv_vpci_read(&v, PCI_BAR0, 4), 0xfffff000);
	mv_vpci_write(&v, PCI_BAR0 + 4, 4, 0xffffffff);
	assert_int_equal(mv_vpci_read(&v, PCI_BAR0 + 4, 4), 0xffffffc1);
	/* Hidden BARs (flash BAR2, 3..5) and the ROM size as absent. */
	for (i = 2; i < 6; i++) {
		assert_int_equal(
			mv_vpci_write(&v, PCI_BAR0 + 4 * i, 4, 0xffffffff),
			MV_VPCI_BAR);
		assert_int_equal(mv_vpci_read(&v, PCI_BAR0 + 4 * i, 4), 0);
	}
	mv_vpci_write(&v, PCI_ROM_ADDRESS, 4, 0xfffff800);
	assert_int_equal(mv_vpci_read(&v, PCI_ROM_ADDRESS, 4), 0);
	/* Placement keeps only the address bits the size allows. */
	mv_vpci_write(&v, PCI_BAR0, 4, 0xfebf1234);
	assert_int_equal(mv_vpci_read(&v, PCI_BAR0, 4), 0xfebf1000);
	mv_vpci_write(&v, PCI_BAR0 + 4, 4, 0x1047);
	assert_int_equal(mv_vpci_read(&v, PCI_BAR0 + 4, 4), 0x1041);
	/* Sub-dword writes update just those bytes of the BAR. */
	mv_vpci_write(&v, PCI_BAR0 + 2, 2, 0xe000);
	assert_int_equal(mv_vpci_read(&v, PCI_BAR0, 4), 0xe0001000);
	mv_vpci_write(&v, PCI_BAR0 + 1, 1, 0x20);
	assert_int_equal(mv_vpci_read(&v, PCI_BAR0, 4), 0xe0002000);
	assert_int_equal(mv_vpci_read(&v, PCI_BAR0 + 1, 1), 0x20);
}

static void test_command_and_decode(void **state)
{
	struct mv_vpci v;
	uint32_t off = 0;

	(void)state;
	nic(&v);
	mv_vpci_write(&v, PCI_BAR0, 4, 0xfebf0000);
	mv_vpci_write(&v, PCI_BAR0 + 4, 4, 0xc040);
	/* Decode off until the guest enables it. */
	assert_int_equal(mv_vpci_decode(&v, MV_BAR_MEM32, 0xfebf0000, 4, &off),
			 -1);
	assert_int_equal(mv_vpci_write(&v, PCI_COMMAND, 2, 0xffff),
			 MV_VPCI_CMD);
	/* Writable: I/O, memory, master, MWI, parity, SERR, INTx disable. */
	assert_int_equal(mv_vpci_command(&v), 0x0557);
	assert_int_equal(mv_vpci_write(&v, PCI_COMMAND + 1, 1, 0x00),
			 MV_VPCI_CMD);
	assert_int_equal(mv_vpci_command(&v), 0x0057);
	assert_int_equal(mv_vpci_decode(&v, MV_BAR_MEM32, 0xfebf0010, 4, &off),
			 0);
	assert_int_equal(off, 0x10);
	assert_int_equal(mv_vpci_decode(&v, MV_BAR_MEM32, 0xfebf0ffc, 4, &off),
			 0);
	assert_int_equal(off, 0xffc);
	/* Not across the end, not before, not the I/O BAR. */
	assert_int_equal(mv_vpci_decode(&v, MV_BAR_MEM32, 0xfebf0ffe, 4, &off),
			 -1);
	assert_int_equal(mv_vpci_decode(&v, MV_BAR_MEM32, 0xfebeffff, 1, &off),
			 -1);
	assert_int_equal(mv_vpci_decode(&v, MV_BAR_IO, 0xfebf0000, 4, &off),
			 -1);
	assert_int_equal(mv_vpci_decode(&v, MV_BAR_IO, 0xc07f, 1, &off), 1);
	assert_int_equal(off, 0x3f);
	assert_int_equal(mv_vpci_decode(&v, MV_BAR_IO, 0xc080, 1, &off), -1);
	/* Memory decode off again: no hit. */
	mv_vpci_write(&v, PCI_COMMAND, 2, PCI_CMD_IO);
	assert_int_equal(mv_vpci_decode(&v, MV_BAR_MEM32, 0xfebf0010, 4, &off),
			 -1);
	assert_int_equal(mv_vpci_decode(&v, MV_BAR_IO, 0xc040, 2, &off), 1);
	/* A BAR at 0 never decodes. */
	mv_vpci_write(&v, PCI_BAR0 + 4, 4, 0);
	assert_int_equal(mv_vpci_decode(&v, MV_BAR_IO, 0x0, 1, &off), -1);
}

static void test_status_and_readonly(void **state)
{
	struct mv_vpci v;

	(void)state;
	nic(&v);
	v.line = true;
	assert_int_equal(mv_vpci_read(&v, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT,
			 PCI_STATUS_INTERRUPT);
	v.line = false;
	/* Status, IDs, class, pin are read-only; line and latency are not. */
	assert_int_equal(mv_vpci_write(&v, PCI_STATUS, 2, 0xffff), 0);
	assert_int_equal(mv_vpci_read(&v, PCI_STATUS, 2), 0x0280);
	mv_vpci_write(&v, PCI_VENDOR_ID, 4, 0);
	assert_int_equal(mv_vpci_read(&v, PCI_VENDOR_ID, 4), 0x12298086);
	mv_vpci_write(&v, PCI_INTERRUPT_LINE, 2, 0x0505);
	assert_int_equal(mv_vpci_read(&v, PCI_INTERRUPT_LINE, 2), 0x0105);
	mv_vpci_write(&v, PCI_CACHE_LINE_SIZE, 2, 0x4010);
	assert_int_equal(mv_vpci_read(&v, PCI_CACHE_LINE_SIZE, 2), 0x4010);
	mv_vpci_write(&v, 0xdc, 4, 0xffffffff);
	assert_int_equal(mv_vpci_read(&v, 0xdc, 4), 0);
}

/* ---- bus ------------------------------------------------------------ */

struct fake_fn {
	unsigned int last_off, last_width, writes;
	uint32_t last_val;
};

static uint32_t fn_read(void *o, unsigned int off, unsigned int width)
{
	struct fake_fn *f = o;

	f->last_off = off;
	f->last_width = width;
	return 0xa0b0c0d0u >> (8 * (off & 3));
}

static void fn_write(void *o, unsigned int off, unsigned int width,
		     uint32_t val)
{
	struct fake_fn *f = o;

	f->last_off = off;
	f->last_width = width;
	f->last_val = val;
	f->writes++;
}

static const struct mv_pci_fn_ops fn_ops = {fn_read, fn_write};

static uint32_t io(struct mv_pcibus *b, uint16_t port, unsigned int width,
		   bool write, uint32_t val)
{
	mv_pcibus_io(b, port, width, write, &val);
	return val;
}

static uint32_t cfg_addr(unsigned int dev, unsigned int fn, unsigned int reg)
{
	return 0x80000000u | (dev << 11) | (fn << 8) | reg;
}

static void test_bus_conf1(void **state)
{
	struct mv_pcibus b;
	struct fake_fn f = {0};

	(void)state;
	mv_pcibus_init(&b);
	/* Linux's type-1 probe: a byte at 0xcfb goes nowhere, the dword at
	 * 0xcf8 reads back. */
	io(&b, 0xcfb, 1, true, 0x01);
	io(&b, 0xcf8, 4, true, 0x80000000);
	assert_int_equal(io(&b, 0xcf8, 4, false, 0), 0x80000000);
	/* Host bridge 00:00.0, class 06:00:00. */
	io(&b, 0xcf8, 4, true, cfg_addr(0, 0, 0));
	assert_int_equal(io(&b, 0xcfc, 4, false, 0),
			 (MV_HOST_DEVICE << 16) | MV_HOST_VENDOR);
	io(&b, 0xcf8, 4, true, cfg_addr(0, 0, 8));
	assert_int_equal(io(&b, 0xcfc, 4, false, 0) >> 8, 0x060000);
	assert_int_equal(io(&b, 0xcfe, 1, false, 0), 0x00);
	assert_int_equal(io(&b, 0xcff, 1, false, 0), 0x06);
	/* Empty slots and other functions: all-ones. */
	io(&b, 0xcf8, 4, true, cfg_addr(3, 0, 0));
	assert_int_equal(io(&b, 0xcfc, 4, false, 0), 0xffffffff);
	assert_int_equal(io(&b, 0xcfc, 2, false, 0), 0xffff);
	io(&b, 0xcf8, 4, true, cfg_addr(0, 1, 0));
	assert_int_equal(io(&b, 0xcfc, 4, false, 0), 0xffffffff);
	io(&b, 0xcf8, 4, true, cfg_addr(0, 0, 0) | (1u << 16)); /* bus 1 */
	assert_int_equal(io(&b, 0xcfc, 4, false, 0), 0xffffffff);
	/* Enable bit clear: nothing. */
	io(&b, 0xcf8, 4, true, 0x00000000);
	assert_int_equal(io(&b, 0xcfc, 4, false, 0), 0xffffffff);

	/* A function in slot 2 sees register offsets and widths. */
	mv_pcibus_attach(&b, 2, &fn_ops, &f);
	io(&b, 0xcf8, 4, true, cfg_addr(2, 0, 0x10));
	assert_int_equal(io(&b, 0xcfc, 4, false, 0), 0xa0b0c0d0);
	assert_int_equal(f.last_off, 0x10);
	assert_int_equal(io(&b, 0xcfe, 2, false, 0), 0xa0b0);
	assert_int_equal(f.last_off, 0x12);
	assert_int_equal(f.last_width, 2);
	io(&b, 0xcfd, 1, true, 0x5a);
	assert_int_equal(f.last_off, 0x11);
	assert_int_equal(f.last_val, 0x5a);
	/* A dword at 0xcfe would cross the register: refused. */
	assert_int_equal(io(&b, 0xcfe, 4, false, 0), 0xffffffff);
	io(&b, 0xcfe, 4, true, 0);
	assert_int_equal(f.writes, 1);
	/* Slot 0 is the host bridge; no slot 32. */
	mv_pcibus_attach(&b, 0, &fn_ops, &f);
	mv_pcibus_attach(&b, 32, &fn_ops, &f);
	io(&b, 0xcf8, 4, true, cfg_addr(0, 0, 0));
	assert_int_equal(io(&b, 0xcfc, 2, false, 0), MV_HOST_VENDOR);
	/* The host bridge ignores writes. */
	io(&b, 0xcf8, 4, true, cfg_addr(0, 0, 4));
	io(&b, 0xcfc, 2, true, 0);
	assert_int_equal(io(&b, 0xcfc, 2, false, 0),
			 PCI_CMD_MEMORY | PCI_CMD_MASTER);
}

static void test_bus_reset_register(void **state)
{
	struct mv_pcibus b;
	uint32_t v = 0x02;

	(void)state;
	mv_pcibus_init(&b);
	assert_int_equal(mv_pcibus_io(&b, 0xcf9, 1, true, &v), MV_PCI_IO_OK);
	assert_int_equal(io(&b, 0xcf9, 1, false, 0), 0x02);
	v = 0x06;
	assert_int_equal(mv_pcibus_io(&b, 0xcf9, 1, true, &v), MV_PCI_IO_RESET);
	/* A dword at 0xcf8 is CONFIG_ADDRESS, never a reset. */
	v = 0x80000004;
	assert_int_equal(mv_pcibus_io(&b, 0xcf8, 4, true, &v), MV_PCI_IO_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_and_hidden_parts),
		cmocka_unit_test(test_bar_sizing),
		cmocka_unit_test(test_command_and_decode),
		cmocka_unit_test(test_status_and_readonly),
		cmocka_unit_test(test_bus_conf1),
		cmocka_unit_test(test_bus_reset_register),
	};

	return cmocka_run_group_tests_name("minivmm_pci", tests, NULL, NULL);
}
