#!/usr/bin/env bash
# The main job: an unmodified Linux guest drives the (emulated) Intel 8255x
# through para-passthrough. Builds the SDK and minivmm, then runs the system
# lab (docs/lab.md): QEMU TCG boots Debian's kernel as L1 with an emulated
# IOMMU and an i82557b; in L1, minivmm owns the NIC through VFIO and boots an
# L2 Linux whose own e100 driver brings the link up, gets DHCP, pings and
# moves 10 MB of TCP each way through libparapass's shadow rings. Prints each
# stage and the checks (L2's view of the NIC against the baseline boot,
# guest-side and wire-side captures frame for frame). Needs root.
#
#   scripts/run.sh                      base + pass boots (about 5 minutes)
#   LAB_BOOTS="base pass pass-io" scripts/run.sh    also the I/O-BAR path
#   scripts/run.sh --esp-bench          the ESP data-path benchmark instead
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
B=${PP_BUILD_ROOT:-$(pwd)/build}/main
if [ -d "$B/meson-private" ]; then
  meson setup --reconfigure "$B" -Dtests=false >/dev/null
else
  CC=gcc meson setup "$B" -Dtests=false >/dev/null
fi
meson compile -C "$B" -j "$(nproc)" >/dev/null
if [ "${1:-}" = "--esp-bench" ]; then
  shift
  exec "$B/bench/esp-bench" "$@"
fi
export LAB_MESON_BUILD="$B"
export LAB_BOOTS="${LAB_BOOTS:-base pass}"
exec ./tests/lab/run-lab.sh "$B/lab"
