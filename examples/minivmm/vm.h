/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * minivmm: the virtual machine — KVM VM and vCPUs, guest RAM, the legacy
 * devices (UART, CMOS clock, reset ports), PCI bus 0 and, with --vfio,
 * the para-passthrough NIC (nic.h).
 *
 * Threads: one per vCPU (KVM_RUN loop, traps dispatched in the vCPU's
 * thread) and the main thread (event loop: the NIC's INTx eventfd and
 * timerfd, signals, stdin). Locks, always taken in this order:
 * pci_lock -> nic->lock; uart_lock and cmos_lock are leaves.
 */
#ifndef MINIVMM_VM_H
#define MINIVMM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "args.h"
#include "boot.h"
#include "mem.h"
#include "pci.h"
#include "uart.h"

struct mv_nic;

enum mv_stop {
	MV_STOP_NONE = 0,
	MV_STOP_REBOOT,	  /* guest reset: keyboard controller, 0xcf9, triple
			     fault, KVM system event RESET */
	MV_STOP_POWEROFF, /* KVM system event SHUTDOWN */
	MV_STOP_SIGNAL,	  /* SIGINT / SIGTERM */
	MV_STOP_ERROR,	  /* KVM entry failure, internal error, ... */
};

struct mv_vcpu {
	struct mv_vm *vm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
};

struct mv_vm {
	int kvm, fd;
	size_t run_size;
	bool immediate_exit; /* KVM_CAP_IMMEDIATE_EXIT */
	struct mv_mem mem;
	size_t mem_len;
	unsigned int ncpus;
	struct mv_vcpu vcpu[MV_MAX_CPUS];
	struct kvm_cpuid2 *cpuid;
	uint32_t cpu_signature, cpu_features; /* CPUID.1 EAX, EDX */
	uint8_t ioapic_id;
	bool verbose;

	pthread_mutex_t uart_lock;
	struct mv_uart uart;
	int uart_wake_fd; /* eventfd: receive FIFO has room again */
	bool out_at_bol;  /* the guest's output ended with a newline */

	pthread_mutex_t cmos_lock;
	uint8_t cmos_index;
	uint8_t cmos[128];

	pthread_mutex_t pci_lock;
	struct mv_pcibus pci;

	struct mv_nic *nic; /* NULL without --vfio */

	/* Stop request: first reason wins; main thread is woken. */
	atomic_int stop;
	int stop_fd; /* eventfd */
	int stop_signal;
	char stop_msg[256];

	unsigned int unknown_logged;
};

/* Zero @vm, set it up from @a, initialise the device models (no KVM). */
int mv_vm_init(struct mv_vm *vm, const struct mv_args *a);
/*
 * Open /dev/kvm, check the API and capabilities, create the VM with the
 * in-kernel IRQ chip and PIT, the GSI routing of mptable.c, and the guest
 * RAM. Returns 0 or -1 with a message naming the fix in @err.
 */
int mv_vm_create(struct mv_vm *vm, const struct mv_args *a, char *err,
		 size_t errlen);
/* Create the vCPUs; vCPU 0 starts at @entry in 64-bit mode. */
int mv_vm_setup_vcpus(struct mv_vm *vm, const struct mv_boot_entry *entry,
		      char *err, size_t errlen);
/* Start one thread per vCPU. */
int mv_vm_start(struct mv_vm *vm, char *err, size_t errlen);
/* Ask every vCPU thread to leave KVM_RUN and join them. */
void mv_vm_stop_vcpus(struct mv_vm *vm);
void mv_vm_destroy(struct mv_vm *vm);

/* Record a stop request (the first one wins) and wake the main thread. */
void mv_vm_request_stop(struct mv_vm *vm, enum mv_stop why, const char *fmt,
			...) __attribute__((format(printf, 3, 4)));

/* Level of an interrupt line (GSI), through KVM_IRQ_LINE. */
void mv_vm_irq_line(struct mv_vm *vm, unsigned int gsi, bool level);

/* Guest serial input (main thread). Returns bytes taken. */
size_t mv_vm_uart_input(struct mv_vm *vm, const uint8_t *buf, size_t n);
unsigned int mv_vm_uart_space(struct mv_vm *vm);

#endif /* MINIVMM_VM_H */
