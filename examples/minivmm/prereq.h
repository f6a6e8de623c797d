/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * minivmm: prerequisite checks. Before touching anything, minivmm checks
 * everything it will need (files, /dev/kvm, the NIC's sysfs entry, its
 * IOMMU group and driver, the VFIO modules and device nodes, a
 * libparapass backend for its PCI id) and reports every problem at once,
 * each with the command that fixes it.
 *
 * Paths under /dev and /sys are prefixed with $MINIVMM_ROOT when it is
 * set (tests use a fake tree; see tests/prereq.sh).
 */
#ifndef MINIVMM_PREREQ_H
#define MINIVMM_PREREQ_H

#include <stddef.h>
#include <stdint.h>

#include "args.h"

#define MV_PROBLEMS_MAX 8u
#define MV_PROBLEM_LEN	640u

struct mv_problems {
	unsigned int n;
	char msg[MV_PROBLEMS_MAX][MV_PROBLEM_LEN];
};

/* "$MINIVMM_ROOT" + @path into @buf. */
const char *mv_path(char *buf, size_t len, const char *path);

void mv_problem(struct mv_problems *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void mv_prereq_check(const struct mv_args *a, struct mv_problems *p);

/* Shared fix texts (also used by kvm.c and vfio.c for runtime errors). */
#define MV_FIX_KVM                                                             \
	"load kvm_intel or kvm_amd (modprobe kvm_intel / modprobe kvm_amd); "  \
	"in a VM enable nested virtualisation (e.g. QEMU -cpu host or "        \
	"-cpu max with vmx/svm; kvm_intel nested=1 / kvm_amd nested=1 on "     \
	"the host) and check that virtualisation is enabled in the firmware"
#define MV_FIX_BIND_FMT                                                        \
	"bind %s to vfio-pci: echo vfio-pci > "                                \
	"/sys/bus/pci/devices/%s/driver_override; echo %s > "                  \
	"/sys/bus/pci/drivers_probe"
#define MV_FIX_IOMMU                                                           \
	"enable an IOMMU: boot the host with intel_iommu=on (or "              \
	"amd_iommu=on); under QEMU use -machine q35 -device intel-iommu"
#define MV_FIX_TYPE1 "load vfio_iommu_type1 (modprobe vfio_iommu_type1)"

#endif /* MINIVMM_PREREQ_H */
