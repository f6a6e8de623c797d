#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Instructions per packet of libesp encap/decap vs the raw EVP baseline,
# counted by valgrind's callgrind (deterministic, unlike timings).
#   bench/esp-callgrind.sh <esp-bench binary> [SUITE [SIZE [BURSTS]]]
# Defaults: aes128gcm 1400 100. Runs one case per valgrind invocation and
# divides the inclusive cost of each burst_* function by BURSTS * 32.
set -eu
bin=${1:?usage: $0 <esp-bench> [suite [size [bursts]]]}
suite=${2:-aes128gcm}
size=${3:-1400}
bursts=${4:-100}
out=$(mktemp /tmp/esp-cg.XXXXXX)
trap 'rm -f "$out"' EXIT

valgrind --tool=callgrind --callgrind-out-file="$out" \
  "$bin" --callgrind="$bursts" -c "$suite" -s "$size" >/dev/null 2>&1
callgrind_annotate --inclusive=yes "$out" 2>/dev/null |
awk -v pk=$((bursts * 32)) -v s="$suite" -v z="$size" '
  /:burst_(encap|decap)_(esp|raw) / {
    n = $1; gsub(",", "", n)
    f = $0; sub(/.*:burst_/, "", f); sub(/ .*/, "", f)
    ir[f] = n / pk
  }
  END {
    if (!("encap_esp" in ir) || !("decap_esp" in ir)) {
      print "no burst_* functions in the callgrind output" > "/dev/stderr"
      exit 1
    }
    printf "%s %s instr_per_pkt encap=%.0f raw=%.0f ratio=%.3f decap=%.0f raw_dec=%.0f ratio=%.3f\n",
      s, z, ir["encap_esp"], ir["encap_raw"], ir["encap_raw"] / ir["encap_esp"],
      ir["decap_esp"], ir["decap_raw"], ir["decap_raw"] / ir["decap_esp"]
  }'
