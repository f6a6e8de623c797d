#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Every dynamic symbol libparapass defines is a pp_ name from pp.h/pp_nic.h.
set -eu
so=$1
hdrs="$(dirname "$0")/../../include/parapass"
bad=0
for s in $(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBR]$/ {print $3}'); do
  case "$s" in
    pp_*) ;;
    *) echo "unexpected export: $s"; bad=1; continue ;;
  esac
  if ! grep -qw "$s" "$hdrs/pp.h" "$hdrs/pp_nic.h"; then
    echo "exported but not declared in pp.h/pp_nic.h: $s"; bad=1
  fi
done
# ... and everything declared PP_EXPORT there is exported.
for s in $(grep -ho 'PP_EXPORT[^(;]*[ *]\(pp_[a-z0-9_]*\)' "$hdrs/pp.h" "$hdrs/pp_nic.h" \
           | grep -o 'pp_[a-z0-9_]*$'); do
  if ! nm -D --defined-only "$so" | awk '{print $3}' | grep -qx "$s"; then
    echo "declared but not exported: $s"; bad=1
  fi
done
exit $bad
