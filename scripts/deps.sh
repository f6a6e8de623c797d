#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need. Idempotent and
# quiet when everything is already there. Needs root (or sudo) only when a
# package is missing.
set -euo pipefail

PKGS=(
  build-essential clang llvm lld meson ninja-build pkg-config
  libssl-dev libcmocka-dev libpcap-dev libinih-dev
  tshark valgrind python3 qemu-system-x86
  strongswan-charon strongswan-swanctl strongswan-pki libcharon-extra-plugins libstrongswan-extra-plugins libstrongswan-standard-plugins iperf3 nftables iproute2 iputils-ping util-linux procps  # tests/interop
)
# Extra packages for the hardware bench and the labs, added by later work.
if [ -n "${PP_EXTRA_PKGS:-}" ]; then
  read -r -a extra <<<"$PP_EXTRA_PKGS"
  PKGS+=("${extra[@]}")
fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# wireshark-common asks whether non-root users may capture: answer no.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
