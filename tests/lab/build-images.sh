#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Builds the images of the system lab (docs/lab.md):
#   BUILD/vmlinuz     Debian's own 6.1 kernel (L1 and L2 run the same one)
#   BUILD/l2.cpio     L2 initramfs: busybox, e100 + mii, labnic, /init
#   BUILD/l1.cpio     L1 initramfs: busybox, kvm/kvm_amd, vfio, e100, 9p
#                     modules, labnic, minivmm (if given), L2 kernel+initramfs
#
#   build-images.sh BUILD_DIR [MINIVMM_BINARY]
#
# Idempotent: the kernel package and its extracted tree are cached under
# BUILD_DIR/kernel; the initramfs images are rebuilt on every run (seconds).
# Installs the Debian packages it needs with apt-get and fails loudly when
# one cannot be installed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
B=${1:?usage: build-images.sh BUILD_DIR [MINIVMM_BINARY]}
MINIVMM=${2:-}
mkdir -p "$B"
B=$(cd "$B" && pwd)

log() { echo "build-images: $*"; }
die() { echo "build-images: ERROR: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (apt-get, cpio ownership)"

# ---------------------------------------------------------------- packages
# qemu-system-x86: L0; busybox-static: both initramfs; cpio/kmod: image
# build; iproute2/tcpdump/dnsmasq-base: the wire and peer namespaces;
# ethtool: carried into L1 for humans; gcc/libc6-dev: labnic (static).
PKGS=(qemu-system-x86 busybox-static cpio kmod iproute2 dnsmasq-base tcpdump
      ethtool python3 gcc libc6-dev)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "cannot install: ${missing[*]}"
fi
for t in qemu-system-x86_64 busybox cpio modprobe depmod ip tcpdump dnsmasq python3 gcc; do
  command -v "$t" >/dev/null || die "prerequisite '$t' missing after install"
done
[ -e /usr/share/qemu/bios-256k.bin ] || [ -e /usr/share/seabios/bios-256k.bin ] \
  || die "SeaBIOS bios-256k.bin missing"

# ---------------------------------------------------------------- kernel
# The metapackage names the current ABI, e.g. linux-image-6.1.0-56-amd64.
kpkg_of() {
  apt-cache depends linux-image-amd64 2>/dev/null \
    | sed -n 's/^ *Depends: \(linux-image-6\.1\.[0-9.]*-[0-9]*-amd64\)$/\1/p' | head -n1
}
kpkg=$(kpkg_of)
if [ -z "$kpkg" ]; then
  apt-get update -qq || true
  kpkg=$(kpkg_of)
fi
[ -n "$kpkg" ] || die "cannot find the linux-image-6.1.0-*-amd64 package (apt-cache depends linux-image-amd64)"
kver=${kpkg#linux-image-}
K=$B/kernel/$kver
if [ ! -e "$K/.done" ]; then
  log "fetching $kpkg"
  rm -rf "$K"; mkdir -p "$K/deb"
  (cd "$K/deb" && apt-get download "$kpkg" >/dev/null 2>&1) \
    || die "apt-get download $kpkg failed"
  dpkg -x "$K"/deb/*.deb "$K/root" || die "dpkg -x failed"
  depmod -b "$K/root" "$kver" || die "depmod failed"
  touch "$K/.done"
fi
KROOT=$K/root
ln -sfn "kernel/$kver/root/boot/vmlinuz-$kver" "$B/vmlinuz"
echo "$kver" > "$B/kernel-version"

# Ordered, de-duplicated module list (paths relative to lib/modules/VER)
# for the given module names, dependencies first.
mod_list() {
  local m
  for m in "$@"; do
    modprobe -d "$KROOT" -S "$kver" --show-depends "$m" \
      || die "modprobe --show-depends $m failed"
  done | sed -n "s|^insmod $KROOT/lib/modules/$kver/\([^ ]*\).*|\1|p" | awk '!seen[$0]++'
}

# Copies modules into ROOT/lib/modules and writes ROOT/etc/modules.GROUP,
# the insmod order the /init scripts follow.
install_mods() { # root group modnames...
  local root=$1 group=$2; shift 2
  local list f
  list=$(mod_list "$@")
  [ -n "$list" ] || die "no modules for $group"
  mkdir -p "$root/lib/modules" "$root/etc"
  : > "$root/etc/modules.$group"
  for f in $list; do
    cp "$KROOT/lib/modules/$kver/$f" "$root/lib/modules/"
    basename "$f" >> "$root/etc/modules.$group"
  done
}

# Copies an executable and the shared libraries ldd reports for it.
install_with_libs() { # root src dst
  local root=$1 src=$2 dst=$3 lib
  install -D -m 0755 "$src" "$root$dst"
  for lib in $(ldd "$src" 2>/dev/null | grep -o '/[^ ]*' || true); do
    [ -e "$lib" ] || continue
    install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
  done
}

busybox_root() { # root
  local root=$1
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,etc,root}
  install -m 0755 "$(command -v busybox)" "$root/bin/busybox"
  # Applet links are made at boot (busybox --install -s) by /init.
  ln -sf busybox "$root/bin/sh"
}

mkcpio() { # root out
  (cd "$1" && find . -print0 | LC_ALL=C sort -z \
     | cpio --quiet -o -0 -H newc -R 0:0) > "$2.tmp"
  mv "$2.tmp" "$2"
}

# ---------------------------------------------------------------- labnic
gcc -static -O2 -Wall -Wextra -o "$B/labnic.tmp" "$here/labnic.c" \
  || die "cannot build labnic (static glibc: libc6-dev)"
mv "$B/labnic.tmp" "$B/labnic"

# ---------------------------------------------------------------- L2
R2=$B/l2root
rm -rf "$R2"
busybox_root "$R2"
install_mods "$R2" e100 e100
install -m 0755 "$B/labnic" "$R2/bin/labnic"
install -m 0755 "$here/l2-init.sh" "$R2/init"
mkcpio "$R2" "$B/l2.cpio"
log "L2 initramfs $(du -h "$B/l2.cpio" | cut -f1)"

# ---------------------------------------------------------------- L1
R1=$B/l1root
rm -rf "$R1"
busybox_root "$R1"
install_mods "$R1" kvm kvm_amd
install_mods "$R1" vfio vfio_pci vfio_iommu_type1
install_mods "$R1" e100 e100
install_mods "$R1" share virtio_pci 9pnet_virtio 9p
install -m 0755 "$B/labnic" "$R1/bin/labnic"
install_with_libs "$R1" "$(command -v ethtool)" /usr/sbin/ethtool
install -m 0755 "$here/l1-init.sh" "$R1/init"
mkdir -p "$R1/l2"
cp "$KROOT/boot/vmlinuz-$kver" "$R1/l2/vmlinuz"
cp "$B/l2.cpio" "$R1/l2/l2.cpio"
if [ -n "$MINIVMM" ]; then
  [ -x "$MINIVMM" ] || die "minivmm binary '$MINIVMM' not found"
  # Same absolute path as here, so that a build-tree RUNPATH ($ORIGIN/...)
  # finds the libraries copied next to it; /usr/bin/minivmm links to it.
  MINIVMM=$(readlink -f "$MINIVMM")
  install_with_libs "$R1" "$MINIVMM" "$MINIVMM"
  ln -sf "$MINIVMM" "$R1/usr/bin/minivmm"
  if ldd "$MINIVMM" >/dev/null 2>&1; then log "minivmm: $MINIVMM (dynamic, libraries copied)"
  else log "minivmm: $MINIVMM (static)"; fi
else
  log "minivmm: none (the L2 stages will be skipped)"
fi
mkcpio "$R1" "$B/l1.cpio"
log "L1 initramfs $(du -h "$B/l1.cpio" | cut -f1), kernel $kver"
