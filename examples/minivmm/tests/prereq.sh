#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# minivmm's prerequisite errors, from the real binary: every missing piece
# (KVM, the NIC's sysfs entry, its driver, IOMMU group, VFIO modules and
# nodes, a libparapass backend) must be reported with the fix. /dev and
# /sys come from fake trees through $MINIVMM_ROOT, so the test needs
# neither KVM nor VFIO nor root.
#
# usage: prereq.sh /path/to/minivmm
set -u
BIN=${1:?usage: prereq.sh MINIVMM}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }

# run NAME EXPECTED_STATUS ARGS... ; output in $T/out
run() {
	name=$1 want=$2
	shift 2
	"$BIN" "$@" >"$T/out" 2>&1 </dev/null
	st=$?
	if [ "$st" -eq "$want" ]; then ok "$name: exit $st"
	else bad "$name: exit $st, expected $want"; sed 's/^/# /' "$T/out"; fi
}

# has NAME TEXT: the last output contains TEXT (fixed string)
has() {
	if grep -qF -- "$2" "$T/out"; then ok "$1: says '$2'"
	else bad "$1: no '$2' in:"; sed 's/^/# /' "$T/out"; fi
}

hasnt() {
	if grep -qF -- "$2" "$T/out"; then bad "$1: unexpected '$2'"
	else ok "$1: no '$2'"; fi
}

echo "fake bzImage" >"$T/bzImage"

# A fake machine: ROOT/dev, ROOT/sys with one PCI device.
# mkroot DIR VENDOR DEVICE DRIVER GROUP (DRIVER/GROUP "-" = none)
mkroot() {
	r=$1
	d=$r/sys/bus/pci/devices/0000:00:02.0
	mkdir -p "$r/dev" "$d" "$r/sys/bus/pci/drivers" "$r/sys/module"
	echo "$2" >"$d/vendor"
	echo "$3" >"$d/device"
	echo 0x8086 >"$d/subsystem_vendor"
	echo 0x000c >"$d/subsystem_device"
	echo 0x08 >"$d/revision"
	[ "$4" != - ] && ln -s "../../../bus/pci/drivers/$4" "$d/driver"
	[ "$5" != - ] && ln -s "../../../kernel/iommu_groups/$5" "$d/iommu_group"
	return 0
}

# 1. Usage errors exit 2.
run usage 2
has usage "--kernel is required"
run usage-mem 2 --kernel "$T/bzImage" --mem 1
has usage-mem "--mem 1"

# 2. No /dev/kvm at all.
mkdir -p "$T/empty/dev"
MINIVMM_ROOT=$T/empty run no-kvm 1 --kernel "$T/bzImage"
has no-kvm "/dev/kvm does not exist"
has no-kvm "load kvm_intel or kvm_amd"
has no-kvm "nested virtualisation"

# 3. /dev/kvm that is not KVM.
mkdir -p "$T/notkvm/dev"
: >"$T/notkvm/dev/kvm"
MINIVMM_ROOT=$T/notkvm run not-kvm 1 --kernel "$T/bzImage"
has not-kvm "is not a KVM device"

# 4. Unreadable kernel and initrd, all reported at once.
MINIVMM_ROOT=$T/empty run files 1 --kernel "$T/nope" --initrd "$T/nope2"
has files "cannot read --kernel $T/nope"
has files "cannot read --initrd $T/nope2"
has files "/dev/kvm does not exist"
has files "3 problems"

# 5. The NIC is still bound to e100, VFIO not loaded.
mkroot "$T/e100" 0x8086 0x1229 e100 3
MINIVMM_ROOT=$T/e100 run bound-e100 1 --kernel "$T/bzImage" --vfio 00:02.0
has bound-e100 "0000:00:02.0 is bound to e100, not vfio-pci"
has bound-e100 "echo 0000:00:02.0 > /sys/bus/pci/devices/0000:00:02.0/driver/unbind"
has bound-e100 "echo vfio-pci > /sys/bus/pci/devices/0000:00:02.0/driver_override"
has bound-e100 "echo 0000:00:02.0 > /sys/bus/pci/drivers_probe"
has bound-e100 "/dev/vfio/vfio does not exist"
has bound-e100 "modprobe vfio-pci"
has bound-e100 "modprobe vfio_iommu_type1"
hasnt bound-e100 "no IOMMU group"

# 6. No IOMMU group (no IOMMU enabled), no driver.
mkroot "$T/noiommu" 0x8086 0x1229 - -
MINIVMM_ROOT=$T/noiommu run no-iommu 1 --kernel "$T/bzImage" --vfio 0000:00:02.0
has no-iommu "has no IOMMU group"
has no-iommu "intel_iommu=on"
has no-iommu "is not bound to vfio-pci"

# 7. Not an 8255x: no backend.
mkroot "$T/e1000e" 0x8086 0x10d3 vfio-pci 4
MINIVMM_ROOT=$T/e1000e run no-backend 1 --kernel "$T/bzImage" --vfio 00:02.0
has no-backend "no libparapass backend for 8086:10d3"

# 8. Bound to vfio-pci, modules loaded, but no group node.
mkroot "$T/nonode" 0x8086 0x1229 vfio-pci 7
mkdir -p "$T/nonode/dev/vfio" "$T/nonode/sys/module/vfio_iommu_type1"
: >"$T/nonode/dev/vfio/vfio"
MINIVMM_ROOT=$T/nonode run no-node 1 --kernel "$T/bzImage" --vfio 00:02.0
has no-node "/dev/vfio/7"
hasnt no-node "is bound to"
hasnt no-node "vfio_iommu_type1 (modprobe"
hasnt no-node "/dev/vfio/vfio does not exist"

# 9. No such PCI device.
MINIVMM_ROOT=$T/empty run no-device 1 --kernel "$T/bzImage" --vfio 00:09.0
has no-device "no PCI device 0000:00:09.0"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
