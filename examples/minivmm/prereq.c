// SPDX-License-Identifier: BSD-2-Clause
/* minivmm: prerequisite checks with fixes (see prereq.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <parapass/pp_nic.h>

#include "prereq.h"

const char *mv_path(char *buf, size_t len, const char *path)
{
	const char *root = getenv("MINIVMM_ROOT");

	snprintf(buf, len, "%s%s", root != NULL ? root : "", path);
	return buf;
}

void mv_problem(struct mv_problems *p, const char *fmt, ...)
{
	va_list ap;

	if (p->n >= MV_PROBLEMS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(p->msg[p->n], MV_PROBLEM_LEN, fmt, ap);
	va_end(ap);
	p->n++;
}

static void check_file(struct mv_problems *p, const char *opt, const char *file)
{
	int fd = open(file, O_RDONLY);

	if (fd < 0) {
		mv_problem(p, "cannot read %s %s: %s", opt, file,
			   strerror(errno));
		return;
	}
	close(fd);
}

static void check_kvm(struct mv_problems *p)
{
	char path[512];
	int fd, v;

	mv_path(path, sizeof(path), "/dev/kvm");
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			mv_problem(p,
				   "%s does not exist: KVM is not "
				   "available. Fix: " MV_FIX_KVM,
				   path);
		else if (errno == EACCES || errno == EPERM)
			mv_problem(p,
				   "%s: permission denied. Fix: run "
				   "minivmm as root or add the user to the "
				   "group that owns %s (usually kvm)",
				   path, path);
		else
			mv_problem(p, "cannot open %s: %s. Fix: " MV_FIX_KVM,
				   path, strerror(errno));
		return;
	}
	v = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (v < 0)
		mv_problem(p,
			   "%s is not a KVM device (KVM_GET_API_VERSION: "
			   "%s). Fix: " MV_FIX_KVM,
			   path, strerror(errno));
	else if (v != KVM_API_VERSION)
		mv_problem(p,
			   "KVM API version %d, minivmm needs %d. Fix: "
			   "use a Linux host kernel 2.6.22 or later",
			   v, KVM_API_VERSION);
	close(fd);
}

/* Basename of the target of symlink @dir/@name into @out; -1 if none. */
static int link_name(const char *dir, const char *name, char *out, size_t len)
{
	char path[512], target[512];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base != NULL ? base + 1 : target;
	if (strlen(base) >= len)
		return -1;
	memcpy(out, base, strlen(base) + 1);
	return 0;
}

static int read_hex(const char *dir, const char *name, unsigned int *out)
{
	char path[512], buf[32];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	*out = (unsigned int)strtoul(buf, NULL, 16);
	return 0;
}

static void backend_names(char *out, size_t len)
{
	size_t o = 0;
	unsigned int i;

	out[0] = '\0';
	for (i = 0; pp_nic_table[i] != NULL && o < len; i++) {
		int n = snprintf(out + o, len - o, "%s%s", i ? ", " : "",
				 pp_nic_table[i]->name);

		if (n < 0)
			break;
		o += (size_t)n;
	}
	if (i == 0)
		snprintf(out, len, "none built in");
}

/* Is there a libparapass backend for @id? */
static int have_backend(const struct pp_pci_id *id)
{
	unsigned int i;

	for (i = 0; pp_nic_table[i] != NULL; i++)
		if (pp_nic_table[i]->probe != NULL &&
		    pp_nic_table[i]->probe(id))
			return 1;
	return 0;
}

static void check_vfio(struct mv_problems *p, const char *bdf)
{
	char dev[512], path[512], group[64], drv[128], names[128];
	unsigned int vendor, device, v;
	struct pp_pci_id id;
	struct stat st;
	bool bound;

	group[0] = '\0';

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	mv_path(dev, sizeof(dev), path);
	if (stat(dev, &st) != 0) {
		mv_problem(p,
			   "no PCI device %s (%s does not exist). Fix: "
			   "pick the NIC's address from ls "
			   "/sys/bus/pci/devices",
			   bdf, dev);
		return;
	}
	if (read_hex(dev, "vendor", &vendor) == 0 &&
	    read_hex(dev, "device", &device) == 0) {
		memset(&id, 0, sizeof(id));
		id.vendor = (uint16_t)vendor;
		id.device = (uint16_t)device;
		if (read_hex(dev, "subsystem_vendor", &v) == 0)
			id.subsys_vendor = (uint16_t)v;
		if (read_hex(dev, "subsystem_device", &v) == 0)
			id.subsys_device = (uint16_t)v;
		if (read_hex(dev, "revision", &v) == 0)
			id.revision = (uint8_t)v;
		if (!have_backend(&id)) {
			backend_names(names, sizeof(names));
			mv_problem(p,
				   "no libparapass backend for %04x:%04x "
				   "(%s). Fix: give --vfio a supported NIC "
				   "(backends: %s)",
				   id.vendor, id.device, bdf, names);
		}
	}
	if (link_name(dev, "iommu_group", group, sizeof(group)) != 0)
		mv_problem(p,
			   "%s has no IOMMU group, so VFIO cannot own it. "
			   "Fix: " MV_FIX_IOMMU,
			   bdf);
	bound = link_name(dev, "driver", drv, sizeof(drv)) == 0;
	if (!bound || strcmp(drv, "vfio-pci") != 0) {
		if (bound)
			mv_problem(p,
				   "%s is bound to %s, not vfio-pci. Fix: "
				   "echo %s > /sys/bus/pci/devices/%s/driver/"
				   "unbind; " MV_FIX_BIND_FMT,
				   bdf, drv, bdf, bdf, bdf, bdf, bdf);
		else
			mv_problem(p,
				   "%s is not bound to vfio-pci. Fix: "
				   "modprobe vfio-pci; " MV_FIX_BIND_FMT,
				   bdf, bdf, bdf, bdf);
	}
	mv_path(path, sizeof(path), "/dev/vfio/vfio");
	if (stat(path, &st) != 0)
		mv_problem(p,
			   "%s does not exist. Fix: load VFIO "
			   "(modprobe vfio-pci)",
			   path);
	mv_path(path, sizeof(path), "/sys/module/vfio_iommu_type1");
	if (stat(path, &st) != 0)
		mv_problem(p, "the VFIO type1 IOMMU driver is not loaded. "
			      "Fix: " MV_FIX_TYPE1);
	if (group[0] != '\0' && bound && strcmp(drv, "vfio-pci") == 0) {
		char node[64];

		snprintf(node, sizeof(node), "/dev/vfio/%s", group);
		mv_path(path, sizeof(path), node);
		if (access(path, R_OK | W_OK) != 0) {
			if (errno == EACCES || errno == EPERM)
				mv_problem(p,
					   "%s: permission denied. Fix: "
					   "run minivmm as root (or chown "
					   "the group node to the user, and "
					   "raise its memlock limit)",
					   path);
			else
				mv_problem(p, "%s: %s. Fix: " MV_FIX_BIND_FMT,
					   path, strerror(errno), bdf, bdf,
					   bdf);
		}
	}
}

void mv_prereq_check(const struct mv_args *a, struct mv_problems *p)
{
	memset(p, 0, sizeof(*p));
	check_file(p, "--kernel", a->kernel);
	if (a->initrd != NULL)
		check_file(p, "--initrd", a->initrd);
	check_kvm(p);
	if (a->vfio[0] != '\0')
		check_vfio(p, a->vfio);
}
