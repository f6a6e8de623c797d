#!/usr/bin/env bash
# Runs every test suite of the project:
#   1. installs the Debian packages it needs (scripts/deps.sh),
#   2. gcc build with warnings as errors: every suite,
#   3. clang build with ASan+UBSan and warnings as errors: every suite
#      again, including the bounded libFuzzer runs (suite "fuzz") — except
#      the system lab (suite "lab"), which boots real kernels and runs once,
#      in the gcc build,
#   4. `meson install` into a DESTDIR and a consumer built with pkg-config.
# Prints one closing line "N passed, N failed" and exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

./scripts/deps.sh

jobs=$(nproc)
B=${PP_BUILD_ROOT:-$top/build}
mkdir -p "$B"

setup() { # dir, extra args...
  local dir=$1; shift
  if [ -d "$dir/meson-private" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}

status=0
run_suites() { # dir, label, extra meson test args
  local dir=$1 label=$2; shift 2
  echo "== $label: meson test"
  if ! meson test -C "$dir" --num-processes "$jobs" --print-errorlogs "$@"; then
    status=1
  fi
}

echo "== gcc build (-Werror)"
CC=gcc setup "$B/gcc" --werror
meson compile -C "$B/gcc" -j "$jobs"
run_suites "$B/gcc" gcc

# The system lab and the strongSwan interop suite run once, in the gcc
# build: both are minutes of real components, not more coverage of our code.
echo "== clang + ASan/UBSan build (-Werror)"
CC=clang setup "$B/asan" --werror -Db_sanitize=address,undefined -Db_lundef=false \
  -Dbuildtype=debug -Doptimization=1
meson compile -C "$B/asan" -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  run_suites "$B/asan" asan --no-suite lab --no-suite interop

echo "== install into DESTDIR and build a consumer with pkg-config"
dest=$(mktemp -d)
if DESTDIR="$dest" meson install -C "$B/gcc" --quiet >/dev/null && \
   ./tests/install/check-install.sh "$dest"; then
  echo "install: ok"
  inst_ok=1
else
  echo "install: FAILED"
  inst_ok=0
  status=1
fi
rm -rf "$dest"

# One closing line for CI: totals over both builds' test logs.
python3 - "$B/gcc/meson-logs/testlog.json" "$B/asan/meson-logs/testlog.json" "$inst_ok" <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:3]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        failed += 1
        continue
    for line in lines:
        if not line.strip():
            continue
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
if sys.argv[3] == "1":
    passed += 1
else:
    failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
