// SPDX-License-Identifier: BSD-2-Clause
/*
 * minivmm: KVM — the VM (in-kernel IRQ chip and PIT, GSI routing, guest
 * RAM slots), the vCPUs (CPUID, local APIC LINT0/1, 64-bit entry state),
 * the KVM_RUN loops and the dispatch of I/O and MMIO exits to the
 * devices: UART (0x3f8), PCI configuration (0xcf8..0xcff), CMOS clock
 * (0x70/0x71), keyboard-controller reset (0x64), the NIC's BARs.
 */
#define _GNU_SOURCE /* pthread_tryjoin_np */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "le.h"
#include "mptable.h"
#include "nic.h"
#include "prereq.h"
#include "vm.h"

static int err_out(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static ssize_t write_u64(int fd)
{
	uint64_t one = 1;

	return write(fd, &one, sizeof(one));
}

static int err_out(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void mv_vm_request_stop(struct mv_vm *vm, enum mv_stop why, const char *fmt,
			...)
{
	int expected = MV_STOP_NONE;
	va_list ap;

	if (!atomic_compare_exchange_strong(&vm->stop, &expected, (int)why))
		return;
	va_start(ap, fmt);
	vsnprintf(vm->stop_msg, sizeof(vm->stop_msg), fmt, ap);
	va_end(ap);
	if (write_u64(vm->stop_fd) < 0) {
		/* the counter cannot overflow here; nothing to do */
	}
}

void mv_vm_irq_line(struct mv_vm *vm, unsigned int gsi, bool level)
{
	struct kvm_irq_level l = {.irq = gsi, .level = level ? 1 : 0};

	if (ioctl(vm->fd, KVM_IRQ_LINE, &l) != 0)
		fprintf(stderr, "minivmm: KVM_IRQ_LINE %u: %s\n", gsi,
			strerror(errno));
}

/* ---------------------------------------------------------------------- */
/* UART glue                                                              */
/* ---------------------------------------------------------------------- */

static void uart_tx(void *opaque, uint8_t c)
{
	struct mv_vm *vm = opaque;

	if (write(STDOUT_FILENO, &c, 1) < 0) {
		/* stdout gone: the guest's output is lost, keep running */
	}
	vm->out_at_bol = c == '\n';
}

static void uart_irq(void *opaque, bool level)
{
	mv_vm_irq_line(opaque, MV_UART_IRQ, level);
}

size_t mv_vm_uart_input(struct mv_vm *vm, const uint8_t *buf, size_t n)
{
	size_t k;

	pthread_mutex_lock(&vm->uart_lock);
	k = mv_uart_rx_push(&vm->uart, buf, n);
	pthread_mutex_unlock(&vm->uart_lock);
	return k;
}

unsigned int mv_vm_uart_space(struct mv_vm *vm)
{
	unsigned int s;

	pthread_mutex_lock(&vm->uart_lock);
	s = mv_uart_rx_space(&vm->uart);
	pthread_mutex_unlock(&vm->uart_lock);
	return s;
}

static void uart_access(struct mv_vm *vm, unsigned int reg, uint8_t *data,
			bool write)
{
	unsigned int before;

	pthread_mutex_lock(&vm->uart_lock);
	before = mv_uart_rx_space(&vm->uart);
	if (write)
		mv_uart_write(&vm->uart, reg, *data);
	else
		*data = mv_uart_read(&vm->uart, reg);
	/* The main thread stops reading stdin while the FIFO is full. */
	if (!write && before == 0 && mv_uart_rx_space(&vm->uart) > 0 &&
	    vm->uart_wake_fd >= 0) {
		if (write_u64(vm->uart_wake_fd) < 0) {
			/* counter saturated: the main thread is awake */
		}
	}
	pthread_mutex_unlock(&vm->uart_lock);
}

/* ---------------------------------------------------------------------- */
/* CMOS real-time clock (MC146818): time in BCD, 24-hour, never updating */
/* ---------------------------------------------------------------------- */

static uint8_t bcd(int v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static uint8_t cmos_read(struct mv_vm *vm, uint8_t idx)
{
	struct tm tm;
	time_t now = time(NULL);

	gmtime_r(&now, &tm);
	switch (idx) {
	case 0x00:
		return bcd(tm.tm_sec);
	case 0x02:
		return bcd(tm.tm_min);
	case 0x04:
		return bcd(tm.tm_hour);
	case 0x06:
		return bcd(tm.tm_wday + 1);
	case 0x07:
		return bcd(tm.tm_mday);
	case 0x08:
		return bcd(tm.tm_mon + 1);
	case 0x09:
		return bcd(tm.tm_year % 100);
	case 0x32:
		return bcd(19 + tm.tm_year / 100); /* century */
	case 0x0a:
		return 0x26; /* 32.768 kHz, 1024 Hz; UIP clear */
	case 0x0b:
		return 0x02; /* 24-hour, BCD, no interrupts */
	case 0x0c:
		return 0x00; /* no interrupt flags */
	case 0x0d:
		return 0x80; /* valid RAM and time */
	default:
		return vm->cmos[idx & 0x7f];
	}
}

static void cmos_access(struct mv_vm *vm, uint16_t port, uint8_t *data,
			bool write)
{
	pthread_mutex_lock(&vm->cmos_lock);
	if (port == MV_PORT_RTC) {
		if (write)
			vm->cmos_index = *data & 0x7f; /* bit 7: NMI mask */
		else
			*data = 0xff;
	} else if (write) {
		if (vm->cmos_index >= 0x0e)
			vm->cmos[vm->cmos_index] = *data;
	} else {
		*data = cmos_read(vm, vm->cmos_index);
	}
	pthread_mutex_unlock(&vm->cmos_lock);
}

/* ---------------------------------------------------------------------- */
/* Exit dispatch                                                          */
/* ---------------------------------------------------------------------- */

static void log_unknown(struct mv_vm *vm, const char *what, uint64_t addr,
			unsigned int len, bool write)
{
	if (!vm->verbose || vm->unknown_logged >= 32)
		return;
	vm->unknown_logged++;
	fprintf(stderr, "minivmm: unhandled %s %s 0x%llx/%u%s\n", what,
		write ? "write" : "read", (unsigned long long)addr, len,
		vm->unknown_logged == 32 ? " (no more of these)" : "");
}

static void port_access(struct mv_vm *vm, uint16_t port, uint8_t *data,
			unsigned int size, bool write)
{
	unsigned int i;

	if (port >= MV_PORT_UART && port < MV_PORT_UART + 8) {
		for (i = 0; i < size && port + i < MV_PORT_UART + 8; i++)
			uart_access(vm, port + i - MV_PORT_UART, data + i,
				    write);
		return;
	}
	if (port >= MV_PORT_PCI_ADDR && port < MV_PORT_PCI_DATA + 4) {
		uint32_t val = write ? mv_getw(data, size) : 0;
		int r;

		pthread_mutex_lock(&vm->pci_lock);
		r = mv_pcibus_io(&vm->pci, port, size, write, &val);
		pthread_mutex_unlock(&vm->pci_lock);
		if (!write)
			mv_putw(data, size, val);
		if (r == MV_PCI_IO_RESET)
			mv_vm_request_stop(vm, MV_STOP_REBOOT,
					   "reset through port 0xcf9");
		return;
	}
	if ((port == MV_PORT_RTC || port == MV_PORT_RTC + 1) && size == 1) {
		cmos_access(vm, port, data, write);
		return;
	}
	if (port == MV_PORT_KBD_CMD && write && size == 1) {
		/* 0xfe: pulse the reset line (how Linux's reboot=k resets) */
		if (*data == 0xfe)
			mv_vm_request_stop(vm, MV_STOP_REBOOT,
					   "reset through the keyboard "
					   "controller");
		return;
	}
	if (vm->nic != NULL && mv_nic_pio(vm->nic, port, data, size, write))
		return;
	if (!write)
		memset(data, 0xff, size); /* nothing there: floating bus */
	if (port != 0x80 && port != MV_PORT_KBD_CMD && port != MV_PORT_KBD_DATA)
		log_unknown(vm, "port", port, size, write);
}

static void exit_io(struct mv_vcpu *c)
{
	struct kvm_run *r = c->run;
	uint8_t *data = (uint8_t *)r + r->io.data_offset;
	uint32_t i;

	for (i = 0; i < r->io.count; i++, data += r->io.size)
		port_access(c->vm, r->io.port, data, r->io.size,
			    r->io.direction == KVM_EXIT_IO_OUT);
}

static void exit_mmio(struct mv_vcpu *c)
{
	struct kvm_run *r = c->run;
	struct mv_vm *vm = c->vm;

	if (vm->nic != NULL &&
	    mv_nic_mmio(vm->nic, r->mmio.phys_addr, r->mmio.data, r->mmio.len,
			r->mmio.is_write))
		return;
	if (!r->mmio.is_write)
		memset(r->mmio.data, 0xff, sizeof(r->mmio.data));
	log_unknown(vm, "MMIO", r->mmio.phys_addr, r->mmio.len,
		    r->mmio.is_write);
}

static void dump_regs(struct mv_vcpu *c)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	if (ioctl(c->fd, KVM_GET_REGS, &regs) != 0 ||
	    ioctl(c->fd, KVM_GET_SREGS, &sregs) != 0)
		return;
	fprintf(stderr,
		"minivmm: vcpu%u: rip 0x%llx rsp 0x%llx rflags 0x%llx "
		"cr0 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx cs 0x%x\n",
		c->id, (unsigned long long)regs.rip,
		(unsigned long long)regs.rsp, (unsigned long long)regs.rflags,
		(unsigned long long)sregs.cr0, (unsigned long long)sregs.cr3,
		(unsigned long long)sregs.cr4, (unsigned long long)sregs.efer,
		sregs.cs.selector);
}

static void sigusr1_handler(int sig)
{
	(void)sig; /* only interrupts KVM_RUN */
}

static void *vcpu_thread(void *arg)
{
	struct mv_vcpu *c = arg;
	struct mv_vm *vm = c->vm;
	struct kvm_run *r = c->run;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	while (atomic_load(&vm->stop) == MV_STOP_NONE) {
		if (ioctl(c->fd, KVM_RUN, 0) != 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			mv_vm_request_stop(vm, MV_STOP_ERROR,
					   "vcpu%u: KVM_RUN: %s", c->id,
					   strerror(errno));
			break;
		}
		switch (r->exit_reason) {
		case KVM_EXIT_IO:
			exit_io(c);
			break;
		case KVM_EXIT_MMIO:
			exit_mmio(c);
			break;
		case KVM_EXIT_HLT:
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_SHUTDOWN:
			mv_vm_request_stop(vm, MV_STOP_REBOOT,
					   "vcpu%u: triple fault (shutdown)",
					   c->id);
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			if (r->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
				mv_vm_request_stop(vm, MV_STOP_POWEROFF,
						   "system event: shutdown");
			else if (r->system_event.type == KVM_SYSTEM_EVENT_RESET)
				mv_vm_request_stop(vm, MV_STOP_REBOOT,
						   "system event: reset");
			else
				mv_vm_request_stop(vm, MV_STOP_ERROR,
						   "system event %u",
						   r->system_event.type);
			break;
		case KVM_EXIT_FAIL_ENTRY:
			dump_regs(c);
			mv_vm_request_stop(
				vm, MV_STOP_ERROR,
				"vcpu%u: KVM_EXIT_FAIL_ENTRY, hardware reason "
				"0x%llx",
				c->id,
				(unsigned long long)r->fail_entry
					.hardware_entry_failure_reason);
			break;
		case KVM_EXIT_INTERNAL_ERROR:
			dump_regs(c);
			mv_vm_request_stop(vm, MV_STOP_ERROR,
					   "vcpu%u: KVM internal error, "
					   "suberror %u",
					   c->id, r->internal.suberror);
			break;
		default:
			dump_regs(c);
			mv_vm_request_stop(vm, MV_STOP_ERROR,
					   "vcpu%u: unhandled exit reason %u",
					   c->id, r->exit_reason);
			break;
		}
	}
	if (vm->verbose)
		dump_regs(c);
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* VM creation                                                            */
/* ---------------------------------------------------------------------- */

static int check_cap(struct mv_vm *vm, int cap, const char *name, char *err,
		     size_t errlen)
{
	if (ioctl(vm->kvm, KVM_CHECK_EXTENSION, cap) > 0)
		return 0;
	return err_out(err, errlen,
		       "KVM lacks %s. Fix: use a newer host kernel (x86 KVM "
		       "with the in-kernel irqchip)",
		       name);
}

/* GSI routing matching mptable.c: GSI 0 -> IO-APIC pin 2 (and PIC 0),
 * GSI n -> pin n (and the 8259 for n < 16), GSI 2 unused. */
static int set_routing(struct mv_vm *vm)
{
	struct kvm_irq_routing *rt;
	struct kvm_irq_routing_entry *e;
	unsigned int gsi, n = 0;
	int r;

	rt = calloc(1, sizeof(*rt) + 2 * MV_IOAPIC_PINS * sizeof(*e));
	if (rt == NULL)
		return -1;
	e = rt->entries;
	for (gsi = 0; gsi < MV_IOAPIC_PINS; gsi++) {
		if (gsi == 2)
			continue;
		e[n].gsi = gsi;
		e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		e[n].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		e[n].u.irqchip.pin = gsi == 0 ? 2 : gsi;
		n++;
		if (gsi < 16) {
			e[n].gsi = gsi;
			e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
			e[n].u.irqchip.irqchip =
				gsi < 8 ? KVM_IRQCHIP_PIC_MASTER
					: KVM_IRQCHIP_PIC_SLAVE;
			e[n].u.irqchip.pin = gsi % 8;
			n++;
		}
	}
	rt->nr = n;
	r = ioctl(vm->fd, KVM_SET_GSI_ROUTING, rt);
	free(rt);
	return r;
}

static int set_ioapic_id(struct mv_vm *vm)
{
	struct kvm_irqchip chip;

	memset(&chip, 0, sizeof(chip));
	chip.chip_id = KVM_IRQCHIP_IOAPIC;
	if (ioctl(vm->fd, KVM_GET_IRQCHIP, &chip) != 0)
		return -1;
	chip.chip.ioapic.id = vm->ioapic_id;
	return ioctl(vm->fd, KVM_SET_IRQCHIP, &chip);
}

static int get_cpuid(struct mv_vm *vm)
{
	unsigned int nent = 64, i;

	for (;;) {
		struct kvm_cpuid2 *c = calloc(
			1, sizeof(*c) + nent * sizeof(struct kvm_cpuid_entry2));

		if (c == NULL)
			return -1;
		c->nent = nent;
		if (ioctl(vm->kvm, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			vm->cpuid = c;
			break;
		}
		free(c);
		if (errno != E2BIG || nent >= 4096)
			return -1;
		nent *= 2;
	}
	for (i = 0; i < vm->cpuid->nent; i++) {
		if (vm->cpuid->entries[i].function == 1) {
			vm->cpu_signature = vm->cpuid->entries[i].eax;
			vm->cpu_features = vm->cpuid->entries[i].edx;
		}
	}
	return 0;
}

int mv_vm_create(struct mv_vm *vm, const struct mv_args *a, char *err,
		 size_t errlen)
{
	struct kvm_pit_config pit = {.flags = 0};
	struct kvm_userspace_memory_region slot;
	char path[512];
	int v, e;

	mv_path(path, sizeof(path), "/dev/kvm");
	vm->kvm = open(path, O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0) {
		e = errno;
		if (e == EACCES || e == EPERM)
			return err_out(err, errlen,
				       "%s: permission denied. Fix: run "
				       "minivmm as root or join the kvm group",
				       path);
		return err_out(err, errlen,
			       "cannot open %s: %s. Fix: " MV_FIX_KVM, path,
			       strerror(e));
	}
	v = ioctl(vm->kvm, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION)
		return err_out(err, errlen, "KVM API version %d, need %d", v,
			       KVM_API_VERSION);
	if (check_cap(vm, KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP", err, errlen) ||
	    check_cap(vm, KVM_CAP_PIT2, "KVM_CAP_PIT2", err, errlen) ||
	    check_cap(vm, KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING", err,
		      errlen) ||
	    check_cap(vm, KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY", err,
		      errlen) ||
	    check_cap(vm, KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR", err,
		      errlen) ||
	    check_cap(vm, KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID", err, errlen))
		return -1;
	vm->immediate_exit =
		ioctl(vm->kvm, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) > 0;
	v = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (v <= 0)
		return err_out(err, errlen, "KVM_GET_VCPU_MMAP_SIZE: %s",
			       strerror(errno));
	vm->run_size = (size_t)v;
	if (get_cpuid(vm) != 0)
		return err_out(err, errlen, "KVM_GET_SUPPORTED_CPUID: %s",
			       strerror(errno));

	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		return err_out(
			err, errlen, "KVM_CREATE_VM: %s%s", strerror(errno),
			errno == EBUSY ? " (another hypervisor holds the "
					 "virtualisation extensions?)"
				       : "");
	if (ioctl(vm->fd, KVM_SET_TSS_ADDR, (unsigned long)MV_TSS_ADDR) != 0)
		return err_out(err, errlen, "KVM_SET_TSS_ADDR: %s",
			       strerror(errno));
	if (ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) != 0)
		return err_out(err, errlen, "KVM_CREATE_IRQCHIP: %s",
			       strerror(errno));
	if (ioctl(vm->fd, KVM_CREATE_PIT2, &pit) != 0)
		return err_out(err, errlen, "KVM_CREATE_PIT2: %s",
			       strerror(errno));
	if (set_routing(vm) != 0)
		return err_out(err, errlen, "KVM_SET_GSI_ROUTING: %s",
			       strerror(errno));
	vm->ioapic_id = (uint8_t)vm->ncpus;
	if (set_ioapic_id(vm) != 0)
		return err_out(err, errlen, "KVM_SET_IRQCHIP (IO-APIC id): %s",
			       strerror(errno));

	/* Guest RAM: one anonymous mapping, two slots around the hole. */
	vm->mem_len = (size_t)a->mem_mib * MV_MiB;
	mv_mem_split(&vm->mem, vm->mem_len);
	vm->mem.base = mmap(NULL, vm->mem_len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem.base == MAP_FAILED) {
		vm->mem.base = NULL;
		return err_out(err, errlen,
			       "cannot allocate %u MiB of guest "
			       "RAM: %s",
			       a->mem_mib, strerror(errno));
	}
	/* Huge pages: fewer nested-paging faults and TLB misses. */
	madvise(vm->mem.base, vm->mem_len, MADV_HUGEPAGE);
	memset(&slot, 0, sizeof(slot));
	slot.slot = 0;
	slot.guest_phys_addr = 0;
	slot.memory_size = vm->mem.low;
	slot.userspace_addr = (uint64_t)(uintptr_t)vm->mem.base;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &slot) != 0)
		return err_out(err, errlen, "KVM_SET_USER_MEMORY_REGION: %s",
			       strerror(errno));
	if (vm->mem.high > 0) {
		slot.slot = 1;
		slot.guest_phys_addr = MV_4G;
		slot.memory_size = vm->mem.high;
		slot.userspace_addr =
			(uint64_t)(uintptr_t)(vm->mem.base + vm->mem.low);
		if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &slot) != 0)
			return err_out(err, errlen,
				       "KVM_SET_USER_MEMORY_REGION (above "
				       "4 GiB): %s",
				       strerror(errno));
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* vCPUs                                                                  */
/* ---------------------------------------------------------------------- */

static int vcpu_cpuid(struct mv_vm *vm, struct mv_vcpu *c)
{
	size_t sz = sizeof(*vm->cpuid) +
		    vm->cpuid->nent * sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid2 *cp = malloc(sz);
	unsigned int i;
	int r;

	if (cp == NULL)
		return -1;
	memcpy(cp, vm->cpuid, sz);
	for (i = 0; i < cp->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cp->entries[i];

		/* This vCPU's initial (x2)APIC id. */
		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffffu) | (c->id << 24);
		if (e->function == 0xb || e->function == 0x1f)
			e->edx = c->id;
	}
	r = ioctl(c->fd, KVM_SET_CPUID2, cp);
	free(cp);
	return r;
}

/* Local APIC as firmware leaves it: LINT0 ExtINT, LINT1 NMI. */
static int vcpu_lapic(struct mv_vcpu *c)
{
	struct kvm_lapic_state la;

	if (ioctl(c->fd, KVM_GET_LAPIC, &la) != 0)
		return -1;
	mv_put32((uint8_t *)la.regs + 0x350, 0x700); /* LVT LINT0: ExtINT */
	mv_put32((uint8_t *)la.regs + 0x360, 0x400); /* LVT LINT1: NMI */
	return ioctl(c->fd, KVM_SET_LAPIC, &la);
}

/* 64-bit boot protocol entry state (boot.c describes it). */
static int vcpu_boot_state(struct mv_vcpu *c, const struct mv_boot_entry *b)
{
	struct kvm_sregs s;
	struct kvm_regs r;
	struct kvm_segment code = {
		.base = 0,
		.limit = 0xffffffff,
		.selector = MV_BOOT_CS,
		.type = 0xb,
		.present = 1,
		.dpl = 0,
		.db = 0,
		.s = 1,
		.l = 1,
		.g = 1,
	};
	struct kvm_segment data = {
		.base = 0,
		.limit = 0xffffffff,
		.selector = MV_BOOT_DS,
		.type = 0x3,
		.present = 1,
		.dpl = 0,
		.db = 1,
		.s = 1,
		.l = 0,
		.g = 1,
	};

	if (ioctl(c->fd, KVM_GET_SREGS, &s) != 0)
		return -1;
	s.cs = code;
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.gdt.base = b->gdt_base;
	s.gdt.limit = b->gdt_limit;
	s.cr0 = 0x80000011; /* PG | ET | PE */
	s.cr3 = b->cr3;
	s.cr4 = 0x20;	/* PAE */
	s.efer = 0x500; /* LME | LMA */
	if (ioctl(c->fd, KVM_SET_SREGS, &s) != 0)
		return -1;
	memset(&r, 0, sizeof(r));
	r.rflags = 0x2;
	r.rip = b->rip;
	r.rsi = b->rsi;
	r.rsp = 0x8ff0; /* scratch page below the page tables */
	return ioctl(c->fd, KVM_SET_REGS, &r);
}

int mv_vm_setup_vcpus(struct mv_vm *vm, const struct mv_boot_entry *entry,
		      char *err, size_t errlen)
{
	unsigned int i;

	for (i = 0; i < vm->ncpus; i++) {
		struct mv_vcpu *c = &vm->vcpu[i];
		void *p;

		c->vm = vm;
		c->id = i;
		c->fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)i);
		if (c->fd < 0)
			return err_out(err, errlen, "KVM_CREATE_VCPU %u: %s", i,
				       strerror(errno));
		p = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 c->fd, 0);
		if (p == MAP_FAILED)
			return err_out(err, errlen, "mmap kvm_run: %s",
				       strerror(errno));
		c->run = p;
		if (vcpu_cpuid(vm, c) != 0)
			return err_out(err, errlen, "KVM_SET_CPUID2: %s",
				       strerror(errno));
		if (vcpu_lapic(c) != 0)
			return err_out(err, errlen, "KVM_SET_LAPIC: %s",
				       strerror(errno));
		/* APs wait for INIT/SIPI in the in-kernel local APIC. */
		if (i == 0 && vcpu_boot_state(c, entry) != 0)
			return err_out(err, errlen,
				       "setting the vCPU's 64-bit entry "
				       "state: %s",
				       strerror(errno));
	}
	return 0;
}

int mv_vm_start(struct mv_vm *vm, char *err, size_t errlen)
{
	struct sigaction sa;
	unsigned int i;
	int r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sigusr1_handler; /* no SA_RESTART: KVM_RUN -> EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	for (i = 0; i < vm->ncpus; i++) {
		r = pthread_create(&vm->vcpu[i].thread, NULL, vcpu_thread,
				   &vm->vcpu[i]);
		if (r != 0)
			return err_out(err, errlen, "pthread_create: %s",
				       strerror(r));
		vm->vcpu[i].started = true;
	}
	return 0;
}

void mv_vm_stop_vcpus(struct mv_vm *vm)
{
	unsigned int i;

	if (atomic_load(&vm->stop) == MV_STOP_NONE)
		atomic_store(&vm->stop, MV_STOP_SIGNAL);
	for (i = 0; i < vm->ncpus; i++) {
		struct mv_vcpu *c = &vm->vcpu[i];

		if (!c->started)
			continue;
		if (vm->immediate_exit)
			c->run->immediate_exit = 1;
		pthread_kill(c->thread, SIGUSR1);
	}
	for (i = 0; i < vm->ncpus; i++) {
		struct mv_vcpu *c = &vm->vcpu[i];
		struct timespec ts = {0, 10 * 1000 * 1000};

		if (!c->started)
			continue;
		/* Without immediate_exit a kick can land just before
		 * KVM_RUN: kick again until the thread is gone. */
		while (pthread_tryjoin_np(c->thread, NULL) == EBUSY) {
			pthread_kill(c->thread, SIGUSR1);
			nanosleep(&ts, NULL);
		}
		c->started = false;
	}
}

void mv_vm_destroy(struct mv_vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->ncpus; i++) {
		if (vm->vcpu[i].run != NULL)
			munmap(vm->vcpu[i].run, vm->run_size);
		if (vm->vcpu[i].fd >= 0)
			close(vm->vcpu[i].fd);
		vm->vcpu[i].run = NULL;
		vm->vcpu[i].fd = -1;
	}
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->kvm >= 0)
		close(vm->kvm);
	vm->fd = vm->kvm = -1;
	if (vm->mem.base != NULL)
		munmap(vm->mem.base, vm->mem_len);
	vm->mem.base = NULL;
	free(vm->cpuid);
	vm->cpuid = NULL;
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
	if (vm->uart_wake_fd >= 0)
		close(vm->uart_wake_fd);
	vm->stop_fd = vm->uart_wake_fd = -1;
}

int mv_vm_init(struct mv_vm *vm, const struct mv_args *a)
{
	unsigned int i;

	memset(vm, 0, sizeof(*vm));
	vm->kvm = vm->fd = -1;
	for (i = 0; i < MV_MAX_CPUS; i++)
		vm->vcpu[i].fd = -1;
	vm->ncpus = a->cpus;
	vm->verbose = a->verbose;
	atomic_init(&vm->stop, MV_STOP_NONE);
	pthread_mutex_init(&vm->uart_lock, NULL);
	pthread_mutex_init(&vm->cmos_lock, NULL);
	pthread_mutex_init(&vm->pci_lock, NULL);
	mv_uart_init(&vm->uart, uart_tx, uart_irq, vm);
	mv_pcibus_init(&vm->pci);
	vm->out_at_bol = true;
	vm->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vm->uart_wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return vm->stop_fd >= 0 && vm->uart_wake_fd >= 0 ? 0 : -1;
}
