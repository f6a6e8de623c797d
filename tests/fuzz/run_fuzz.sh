#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Bounded libFuzzer run for the meson test suite "fuzz".
#   run_fuzz.sh <fuzzer> <seedgen> <dict> <workdir> <seconds>
# Writes a fresh seed corpus with <seedgen>, fuzzes for <seconds> (new inputs
# accumulate in <workdir>/corpus across runs), and fails on any crash, leak,
# timeout or OOM, or when fewer than MIN_RUNS inputs were executed (a harness
# that rejects everything or dies early must not pass).
set -u
fuzzer=$1 seedgen=$2 dict=$3 work=$4 secs=$5
MIN_RUNS=${FUZZ_MIN_RUNS:-1000}
# A UBSan finding is a failure, not a warning.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

mkdir -p "$work/corpus" || exit 1
rm -rf "$work/seeds" "$work/artifacts"
mkdir -p "$work/seeds" "$work/artifacts" || exit 1
if ! "$seedgen" "$work/seeds"; then
  echo "FAIL: seed generator failed"
  exit 1
fi

log=$work/fuzz.log
"$fuzzer" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
  -max_len=4096 -dict="$dict" -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" \
  "$work/corpus" "$work/seeds" >"$log" 2>&1
rc=$?

tail -n 25 "$log"
if [ "$rc" -ne 0 ]; then
  echo "FAIL: fuzzer exited with status $rc (full log: $log)"
  ls -l "$work/artifacts" 2>/dev/null
  exit 1
fi
if ls "$work/artifacts"/* >/dev/null 2>&1; then
  echo "FAIL: artifacts were written:"
  ls -l "$work/artifacts"
  exit 1
fi
runs=$(sed -n 's/^Done \([0-9][0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
if [ -z "$runs" ]; then
  echo "FAIL: no 'Done N runs' line in the fuzzer output"
  exit 1
fi
if [ "$runs" -le "$MIN_RUNS" ]; then
  echo "FAIL: only $runs inputs executed (need > $MIN_RUNS)"
  exit 1
fi
echo "ok: $runs inputs in $secs s"
exit 0
