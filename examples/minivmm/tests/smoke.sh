#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# minivmm on real KVM with tiny hand-made guests (mkguest.c): the 64-bit
# entry state, ttyS0 output, PCI configuration mechanism #1, and every
# way out — reset through port 0x64 and 0xcf9, triple fault, SIGTERM.
# Skips (77) where KVM cannot run a VM.
#
# usage: smoke.sh MINIVMM MKGUEST
set -u
BIN=${1:?usage: smoke.sh MINIVMM MKGUEST}
MK=${2:?usage: smoke.sh MINIVMM MKGUEST}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; sed 's/^/# /' "$T/out" "$T/err"; }

for v in ok triple spin cf9; do "$MK" "$T/$v.bz" "$v" || exit 1; done

# guest NAME WANT_STATUS [minivmm options]: boot $T/NAME.bz
guest() {
	name=$1 want=$2
	shift 2
	timeout -s KILL 120 "$BIN" --kernel "$T/$name.bz" --no-stdin "$@" \
		>"$T/out" 2>"$T/err" </dev/null
	st=$?
	if grep -qE "KVM is not available|KVM_CREATE_VM|KVM lacks|not a KVM device|permission denied" "$T/err"; then
		echo "# no usable KVM here: $(head -n 3 "$T/err")"
		exit 77
	fi
	if [ "$st" -eq "$want" ]; then ok "$name: exit $st"; else bad "$name: exit $st, expected $want"; fi
}

expect() {
	if grep -qF -- "$2" "$T/out"; then ok "$1: '$2'"; else bad "$1: no '$2'"; fi
}

guest ok 0
expect ok "OK PBL"
expect ok "minivmm: guest exited (reboot)"
guest ok 0 --cpus 2 --mem 64
expect ok-smp "OK PBL"
# RAM beyond the PCI hole: a second memory slot at 4 GiB.
guest ok 0 --mem 4608
expect ok-4g "OK PBL"

guest cf9 0
expect cf9 "R"
expect cf9 "minivmm: guest exited (reboot)"

guest triple 0
expect triple "T"
expect triple "minivmm: guest exited (reboot)"
if grep -q "triple fault" "$T/err"; then ok "triple: reason on stderr"; else bad "triple: reason"; fi

# SIGTERM while the guest spins: exits 128+15 after cleaning up.
timeout -s KILL 120 "$BIN" --kernel "$T/spin.bz" --no-stdin >"$T/out" 2>"$T/err" </dev/null &
pid=$!
i=0
while [ $i -lt 600 ] && ! grep -q S "$T/out"; do sleep 0.1; i=$((i + 1)); done
kill -TERM $pid
wait $pid
st=$?
if [ "$st" -eq 143 ]; then ok "spin: SIGTERM exit 143"; else bad "spin: exit $st"; fi
expect spin "minivmm: stopped by"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
