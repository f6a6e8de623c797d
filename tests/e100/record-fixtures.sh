#!/usr/bin/env bash
# Re-records the replay fixtures (tests/replay/fixtures/*.trace) on the
# hardware bench after an intended change of backend or core behaviour.
#   tests/e100/record-fixtures.sh [BUILD_DIR]     (default: build/gcc)
# Needs qemu-system-x86_64. Check `git diff --stat` afterwards: a fixture
# that changes when nothing should have is a regression, not a re-record.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${1:-build/gcc}
out=tests/replay/fixtures
export E100_HLT_BIOS="$B/tests/e100/hlt.bin"
ninja -C "$B" tests/e100/e100-record tests/e100/hlt.bin tests/replay/test_replay >/dev/null
for s in linux fxp-mcast ipxe wdk hostile; do
  "$B/tests/e100/e100-record" "$s" "$out/$s.trace.new"
  mv "$out/$s.trace.new" "$out/$s.trace"
  "$B/tests/replay/test_replay" "$out/$s.trace" >/dev/null
  echo "recorded $out/$s.trace ($(wc -c <"$out/$s.trace") bytes)"
done
