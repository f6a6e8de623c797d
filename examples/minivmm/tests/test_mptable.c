// SPDX-License-Identifier: BSD-2-Clause
/* minivmm: MP table layout and checksums (MP spec 1.4, chapter 4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "layout.h"
#include "le.h"
#include "mptable.h"

#define GPA 0xf0000u

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n-- > 0)
		s = (uint8_t)(s + *p++);
	return s;
}

static struct mv_mp_params params(unsigned int ncpus, bool nic)
{
	struct mv_mp_params p = {
		.ncpus = ncpus,
		.cpu_signature = 0x00a00f11,
		.cpu_features = 0x178bfbff,
		.ioapic_id = (uint8_t)ncpus,
		.nic = nic,
		.nic_slot = 2,
		.nic_pin = 11,
	};
	return p;
}

struct walk {
	unsigned int cpus, buses, ioapics, iointr, lintr;
	int irq_pin[16]; /* ISA IRQ -> INTIN, -1 = none */
	int extint_pin;
	int pci_pin, pci_srcirq, pci_flags;
	bool lint0_extint, lint1_nmi, sorted;
	uint8_t ioapic_id;
	uint32_t ioapic_addr;
};

static void walk_table(const uint8_t *buf, size_t len, struct walk *w)
{
	const uint8_t *t, *e, *end;
	unsigned int count = 0, i;
	int last_type = -1;
	uint16_t tlen;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < 16; i++)
		w->irq_pin[i] = -1;
	w->extint_pin = w->pci_pin = w->pci_srcirq = w->pci_flags = -1;
	w->sorted = true;

	/* Floating pointer. */
	assert_memory_equal(buf, "_MP_", 4);
	assert_int_equal(mv_get32(buf + 4), GPA + MP_FLOAT_SIZE);
	assert_int_equal(buf[8], 1);
	assert_int_equal(buf[9], 4);
	assert_int_equal(buf[11], 0);	     /* config table present */
	assert_int_equal(buf[12] & 0x80, 0); /* no IMCR: virtual wire */
	assert_int_equal(sum(buf, 16), 0);

	t = buf + MP_FLOAT_SIZE;
	assert_memory_equal(t, "PCMP", 4);
	tlen = mv_get16(t + 4);
	assert_true(MP_FLOAT_SIZE + tlen == len);
	assert_int_equal(t[6], 4);
	assert_int_equal(sum(t, tlen), 0);
	assert_int_equal(mv_get32(t + 36), MV_LAPIC_ADDR);
	assert_int_equal(mv_get16(t + 40), 0); /* no extended table */

	e = t + MP_HDR_SIZE;
	end = t + tlen;
	while (e < end) {
		if ((int)e[0] < last_type)
			w->sorted = false;
		last_type = e[0];
		switch (e[0]) {
		case MP_PROCESSOR:
			assert_int_equal(e[1], w->cpus);
			assert_int_equal(e[3] & 1, 1);
			assert_int_equal((e[3] >> 1) & 1, w->cpus == 0);
			assert_int_equal(mv_get32(e + 4), 0x00a00f11);
			assert_int_equal(mv_get32(e + 8), 0x178bfbff);
			w->cpus++;
			e += MP_CPU_SIZE;
			break;
		case MP_BUS:
			if (e[1] == MP_BUS_PCI)
				assert_memory_equal(e + 2, "PCI   ", 6);
			else
				assert_memory_equal(e + 2, "ISA   ", 6);
			w->buses++;
			e += MP_ENTRY_SIZE;
			break;
		case MP_IOAPIC:
			w->ioapics++;
			w->ioapic_id = e[1];
			assert_int_equal(e[3] & 1, 1);
			w->ioapic_addr = mv_get32(e + 4);
			e += MP_ENTRY_SIZE;
			break;
		case MP_IOINTR:
			w->iointr++;
			assert_int_equal(e[6], w->ioapic_id);
			if (e[1] == MP_EXTINT) {
				w->extint_pin = e[7];
			} else if (e[4] == MP_BUS_ISA) {
				assert_int_equal(e[1], MP_INT);
				assert_int_equal(w->irq_pin[e[5]], -1);
				w->irq_pin[e[5]] = e[7];
			} else {
				assert_int_equal(e[4], MP_BUS_PCI);
				w->pci_srcirq = e[5];
				w->pci_pin = e[7];
				w->pci_flags = mv_get16(e + 2);
			}
			e += MP_ENTRY_SIZE;
			break;
		case MP_LINTR:
			w->lintr++;
			assert_int_equal(e[6], 0xff);
			if (e[7] == 0 && e[1] == MP_EXTINT)
				w->lint0_extint = true;
			if (e[7] == 1 && e[1] == MP_NMI)
				w->lint1_nmi = true;
			e += MP_ENTRY_SIZE;
			break;
		default:
			fail_msg("unknown entry type %u", e[0]);
		}
		count++;
	}
	assert_ptr_equal(e, end);
	assert_int_equal(mv_get16(t + 34), count);
}

static void test_with_nic(void **state)
{
	struct mv_mp_params p = params(2, true);
	uint8_t buf[1024];
	struct walk w;
	size_t n;
	unsigned int i;

	(void)state;
	n = mv_mptable_build(buf, sizeof(buf), GPA, &p);
	assert_true(n > 0 && n <= mv_mptable_size(2));
	walk_table(buf, n, &w);
	assert_true(w.sorted);
	assert_int_equal(w.cpus, 2);
	assert_int_equal(w.buses, 2);
	assert_int_equal(w.ioapics, 1);
	assert_int_equal(w.ioapic_id, 2);
	assert_int_equal(w.ioapic_addr, MV_IOAPIC_ADDR);
	/* PIT on pin 2, the 8259 on pin 0, IRQ n on pin n; IRQ 2 and the
	 * NIC's pin 11 have no ISA entry. */
	assert_int_equal(w.irq_pin[0], 2);
	assert_int_equal(w.extint_pin, 0);
	assert_int_equal(w.irq_pin[2], -1);
	assert_int_equal(w.irq_pin[11], -1);
	for (i = 1; i < 16; i++)
		if (i != 2 && i != 11)
			assert_int_equal(w.irq_pin[i], i);
	assert_int_equal(w.irq_pin[MV_UART_IRQ], MV_UART_IRQ);
	/* INTA# of 00:02.0: source IRQ = device << 2 | 0, level, low. */
	assert_int_equal(w.pci_srcirq, 2 << 2);
	assert_int_equal(w.pci_pin, 11);
	assert_int_equal(w.pci_flags, MP_POL_LOW | MP_TRIG_LEVEL);
	assert_int_equal(w.iointr, 1 + 1 + 13 + 1);
	assert_int_equal(w.lintr, 2);
	assert_true(w.lint0_extint);
	assert_true(w.lint1_nmi);
}

static void test_without_nic(void **state)
{
	struct mv_mp_params p = params(1, false);
	uint8_t buf[1024];
	struct walk w;
	size_t n;

	(void)state;
	n = mv_mptable_build(buf, sizeof(buf), GPA, &p);
	assert_true(n > 0);
	walk_table(buf, n, &w);
	assert_int_equal(w.cpus, 1);
	assert_int_equal(w.irq_pin[11], 11);
	assert_int_equal(w.pci_pin, -1);
	assert_int_equal(w.iointr, 1 + 1 + 14);
}

static void test_nic_on_high_pin(void **state)
{
	struct mv_mp_params p = params(1, true);
	uint8_t buf[1024];
	struct walk w;
	size_t n;

	(void)state;
	p.nic_pin = 16; /* a PCI-only pin: every ISA IRQ keeps its entry */
	n = mv_mptable_build(buf, sizeof(buf), GPA, &p);
	assert_true(n > 0 && n <= mv_mptable_size(1));
	walk_table(buf, n, &w);
	assert_int_equal(w.irq_pin[11], 11);
	assert_int_equal(w.pci_pin, 16);
	assert_int_equal(w.iointr, 1 + 1 + 14 + 1);
}

static void test_many_cpus(void **state)
{
	struct mv_mp_params p = params(MP_MAX_CPUS, true);
	uint8_t buf[4096];
	struct walk w;
	size_t n;

	(void)state;
	n = mv_mptable_build(buf, sizeof(buf), GPA, &p);
	assert_true(n > 0 && n <= mv_mptable_size(MP_MAX_CPUS));
	walk_table(buf, n, &w);
	assert_int_equal(w.cpus, MP_MAX_CPUS);
}

static void test_invalid(void **state)
{
	struct mv_mp_params p;
	uint8_t buf[1024];

	(void)state;
	p = params(2, true);
	p.ioapic_id = 1; /* clashes with CPU 1's local APIC */
	assert_int_equal(mv_mptable_build(buf, sizeof(buf), GPA, &p), 0);
	p = params(0, false);
	assert_int_equal(mv_mptable_build(buf, sizeof(buf), GPA, &p), 0);
	p = params(MP_MAX_CPUS + 1, false);
	assert_int_equal(mv_mptable_build(buf, sizeof(buf), GPA, &p), 0);
	p = params(1, true);
	p.nic_pin = 2;
	assert_int_equal(mv_mptable_build(buf, sizeof(buf), GPA, &p), 0);
	p.nic_pin = MV_IOAPIC_PINS;
	assert_int_equal(mv_mptable_build(buf, sizeof(buf), GPA, &p), 0);
	p = params(1, true);
	assert_int_equal(mv_mptable_build(buf, 100, GPA, &p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_with_nic),
		cmocka_unit_test(test_without_nic),
		cmocka_unit_test(test_nic_on_high_pin),
		cmocka_unit_test(test_many_cpus),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests_name("minivmm_mptable", tests, NULL,
					   NULL);
}
