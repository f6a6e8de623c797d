/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * minivmm: the para-passthrough NIC — VFIO owns the real device,
 * libparapass (pp_dev_*) decides what reaches it, struct mv_vpci is the
 * guest's view of its configuration space.
 *
 * One mutex (nic->lock) serialises every pp_dev_* call and the virtual
 * config space: vCPU threads take it for trapped BAR and config
 * accesses, the main thread for the device interrupt and the timer.
 */
#ifndef MINIVMM_NIC_H
#define MINIVMM_NIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "args.h"

struct mv_vm;
struct mv_nic;

/* Open the device, create the pp_dev, put the NIC in PCI slot 2. */
int mv_nic_create(struct mv_vm *vm, const struct mv_args *a,
		  struct mv_nic **out, char *err, size_t errlen);
/* Destroy the pp_dev (the backend quiesces the device), close VFIO. */
void mv_nic_destroy(struct mv_nic *n);

/* vCPU traps: true if the access hit one of the NIC's BAR windows. */
bool mv_nic_mmio(struct mv_nic *n, uint64_t addr, uint8_t *data,
		 unsigned int len, bool write);
bool mv_nic_pio(struct mv_nic *n, uint16_t port, uint8_t *data,
		unsigned int len, bool write);

/* Main thread: file descriptors to poll and their handlers. */
int mv_nic_intx_fd(const struct mv_nic *n);
int mv_nic_timer_fd(const struct mv_nic *n);
void mv_nic_on_intx(struct mv_nic *n);
void mv_nic_on_timer(struct mv_nic *n);

/* One-line statistics summary on stderr. */
void mv_nic_print_stats(struct mv_nic *n);

#endif /* MINIVMM_NIC_H */
