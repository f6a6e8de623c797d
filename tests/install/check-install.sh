#!/usr/bin/env bash
# Checks a DESTDIR install: headers and pkg-config files are there, and a
# small program using the public API compiles and links against them.
set -euo pipefail
dest=$1
pcdir=$(dirname "$(find "$dest" -name 'libpp_esp.pc' | head -n1)")
[ -n "$pcdir" ] && [ -f "$pcdir/libpp_esp.pc" ] || { echo "no libpp_esp.pc"; exit 1; }
export PKG_CONFIG_SYSROOT_DIR="$dest" PKG_CONFIG_PATH="$pcdir"
for pc in "$pcdir"/*.pc; do
  name=$(basename "$pc" .pc)
  cflags=$(pkg-config --cflags "$name")
  libs=$(pkg-config --libs "$name")
  libdir=$(pkg-config --variable=libdir "$name")
  src=$(mktemp --suffix=.c)
  hdr=$(pkg-config --variable=pp_header "$name" 2>/dev/null || true)
  [ -n "$hdr" ] || hdr=pp_esp.h
  cat >"$src" <<C
#include <parapass/$hdr>
#include <stdio.h>
int main(void) { puts("linked"); return 0; }
C
  gcc -Wall -Werror $cflags "$src" -o "$src.out" $libs
  LD_LIBRARY_PATH="$dest$libdir" "$src.out" >/dev/null
  rm -f "$src" "$src.out"
done
# Each library exports only its own prefix (pp_esp_*, pp_ike_*).
for lib in esp ike; do
  so=$(find "$dest" -name "libpp_$lib.so.*.*" | head -n1)
  [ -n "$so" ] || { echo "no libpp_$lib.so"; exit 1; }
  bad=$(nm -D --defined-only "$so" | awk '$2=="T"{print $3}' | grep -v "^pp_${lib}_" || true)
  if [ -n "$bad" ]; then echo "unexpected exported symbols in libpp_$lib: $bad"; exit 1; fi
done
echo "install check: $(ls "$pcdir" | tr '\n' ' ')"
