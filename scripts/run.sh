#!/usr/bin/env bash
# The main job, for now: build the SDK and run the ESP data-path benchmark,
# which encapsulates and decapsulates real packets with every supported
# algorithm and prints libesp's throughput beside raw OpenSSL's, measured in
# the same run. (When the e100 bench and minivmm land, this job will run the
# guest end to end instead; see README.md.)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
B=${PP_BUILD_ROOT:-$(pwd)/build}/release
if [ -d "$B/meson-private" ]; then
  meson setup --reconfigure "$B" -Dbuildtype=release -Dtests=false >/dev/null
else
  CC=gcc meson setup "$B" -Dbuildtype=release -Dtests=false >/dev/null
fi
meson compile -C "$B" -j "$(nproc)" >/dev/null
exec "$B/bench/esp-bench" "$@"
