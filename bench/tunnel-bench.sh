#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Tunnel throughput: TCP (iperf3, both directions) through
#   1. strongSwan client <-> strongSwan gateway (charon 5.9.8 + kernel-libipsec)
#   2. ppvpn client      <-> ppvpn gateway      (libike + libesp)
# in the namespaces of the interop tests (tests/interop/netns.sh), IPv4
# outer and inner, AES-128-GCM, no capture and no key logging. Prints both
# results and the ratio ppvpn / strongSwan. Needs root. See docs/interop.md.
#
#   bench/tunnel-bench.sh [-t SECONDS] [--only sw|pp] [--ppvpn PATH]
#
# PATH defaults to $INTEROP_PPVPN, then build*/tools/ppvpn/ppvpn next to
# this tree. Exit status: 0 when every requested half ran.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
IT_DIR=$HERE/../tests/interop
IT_DIR=$(cd "$IT_DIR" && pwd)
. "$IT_DIR/netns.sh"
. "$IT_DIR/sw.sh"
. "$IT_DIR/pp.sh"

SECS=10
ONLY=
while [ $# -gt 0 ]; do
	case $1 in
	-t) SECS=$2; shift 2 ;;
	--only) ONLY=$2; shift 2 ;;
	--ppvpn) INTEROP_PPVPN=$2; shift 2 ;;
	-h|--help) sed -n 3,14p "$0"; exit 0 ;;
	*) echo "usage: $0 [-t SECONDS] [--only sw|pp] [--ppvpn PATH]" >&2; exit 1 ;;
	esac
done

ns_init
ns_setup direct

# cpu_ticks PID: utime+stime (USER_HZ) of a process.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# measure LABEL PID_CL PID_GW: iperf3 up and down, with CPU of both ends.
declare -A RES
measure() {
	local label=$1 pcl=$2 pgw=$3 dir flag c0 g0 c1 g1 t0 t1 mbit
	for dir in up down; do
		flag=
		[ $dir = down ] && flag=-R
		c0=$(cpu_ticks "$pcl"); g0=$(cpu_ticks "$pgw"); t0=$(date +%s.%N)
		mbit=$(iperf_run "$NS_CL" $SRV4 "$SECS" $flag) || fail "$label: iperf3 $dir"
		c1=$(cpu_ticks "$pcl"); g1=$(cpu_ticks "$pgw"); t1=$(date +%s.%N)
		RES[$label.$dir]=$mbit
		RES[$label.$dir.cpu]=$(awk -v a=$((c1 - c0)) -v b=$((g1 - g0)) -v t0="$t0" -v t1="$t1" \
			'BEGIN { printf "%.0f%% / %.0f%%", a / (t1 - t0), b / (t1 - t0) }')
		say "$label $dir: $mbit Mbit/s (CPU client/gateway ${RES[$label.$dir.cpu]})"
	done
}

SW_OK=0
PP_OK=0
PP_WHY="not run"
if [ "$ONLY" != pp ]; then
	SW_KEYLOG=0 sw_config gw
	SW_KEYLOG=0 sw_config cl
	sw_start gw "$NS_GW"
	sw_start cl "$NS_CL"
	sw_initiate cl home home
	ping_ok "$NS_CL" $SRV4 3
	measure strongswan "$SW_PID_cl" "$SW_PID_gw"
	sw_stop cl
	sw_stop gw
	SW_OK=1
fi

if [ "$ONLY" != sw ]; then
	if ! pp_find 2>"$IT_BASE/pp.err"; then
		PP_WHY=$(cat "$IT_BASE/pp.err")
	elif ! pp_config gw gateway G_log_level=notice 2>"$IT_BASE/pp.err" ||
		! pp_config cl client G_log_level=notice 2>>"$IT_BASE/pp.err" ||
		! pp_start gw "$NS_GW" 2>>"$IT_BASE/pp.err" ||
		! pp_start cl "$NS_CL" 2>>"$IT_BASE/pp.err"; then
		PP_WHY=$(tr '\n' ' ' <"$IT_BASE/pp.err")
	else
		if pp_wait_up cl 20 2>"$IT_BASE/pp.err" && nsx "$NS_CL" ping -q -c 3 -i 0.2 -W 2 $SRV4 >/dev/null; then
			measure ppvpn "$PP_PID_cl" "$PP_PID_gw"
			PP_OK=1
		else
			PP_WHY="tunnel did not come up: $(cat "$IT_BASE/pp.err") $(pp_log_excerpt cl 2>&1 | tail -3 | tr '\n' ' ')"
		fi
		pp_stop cl
		pp_stop gw
	fi
fi

echo
echo "tunnel-bench: iperf3 TCP, ${SECS} s per direction, IPv4, AES-128-GCM, MTU 1400, $(nproc) CPUs"
printf '%-12s %14s %14s   %s\n' "peer pair" "upload Mbit/s" "download Mbit/s" "CPU client/gateway (up; down)"
[ $SW_OK = 1 ] && printf '%-12s %14s %14s   %s; %s\n' strongswan "${RES[strongswan.up]}" "${RES[strongswan.down]}" \
	"${RES[strongswan.up.cpu]}" "${RES[strongswan.down.cpu]}"
[ $PP_OK = 1 ] && printf '%-12s %14s %14s   %s; %s\n' ppvpn "${RES[ppvpn.up]}" "${RES[ppvpn.down]}" \
	"${RES[ppvpn.up.cpu]}" "${RES[ppvpn.down.cpu]}"
if [ $SW_OK = 1 ] && [ $PP_OK = 1 ]; then
	awk -v a="${RES[ppvpn.up]}" -v b="${RES[strongswan.up]}" -v c="${RES[ppvpn.down]}" -v d="${RES[strongswan.down]}" \
		'BEGIN { printf "ratio ppvpn/strongswan: upload %.2fx, download %.2fx\n", a / b, c / d }'
fi
[ "$ONLY" != pp ] && [ $SW_OK = 0 ] && { echo "strongSwan half: FAILED"; exit 1; }
if [ "$ONLY" != sw ] && [ $PP_OK = 0 ]; then
	echo "ppvpn half: MISSING ($PP_WHY)"
	exit 2
fi
exit 0
