# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
#
# Network-namespace topology for the interop tests (sourced, not run).
# Follows /work/shared/refs/strongswan-peer.md, with documentation
# addresses only (RFC 5737, RFC 3849):
#
#   CL (initiator)            GW (gateway)                   SRV
#   cl0 192.0.2.2/25 ======== gw0 192.0.2.1/25   gw1 198.51.100.1/24 ==== srv0 198.51.100.2/24
#       2001:db8:0:1::2/64        2001:db8:0:1::1/64 2001:db8:0:2::1/64    2001:db8:0:2::2/64
#
# With NAT (ns_setup nat) a NAT namespace sits between CL and GW and
# masquerades (nftables, IPv4 and IPv6) to GW; CL then lives on an
# inside link:
#
#   CL cl0 192.0.2.130/25 ==== nat1 192.0.2.129/25  NAT  nat0 192.0.2.2/25 ==== gw0 (as above)
#          2001:db8:0:4::2/64      2001:db8:0:4::1/64     2001:db8:0:1::2/64
#
# CL never gets a route to the LAN (198.51.100.0/24, 2001:db8:0:2::/64):
# a packet reaching SRV from CL went through the tunnel. The virtual-IP
# pools handed out by the gateway are 203.0.113.0/24 and
# 2001:db8:0:3::/120; SRV routes them back through GW.
#
# Every namespace carries a per-run prefix (ppi<pid>), and everything is
# removed by the EXIT trap installed by ns_init, also on failure.

IT_DIR=${IT_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
NS_PREFIX="ppi$$"
NS_CL="${NS_PREFIX}cl"
NS_GW="${NS_PREFIX}gw"
NS_SRV="${NS_PREFIX}srv"
NS_NAT="${NS_PREFIX}nat"

GW_OUT4=192.0.2.1
GW_OUT6=2001:db8:0:1::1
CL_OUT4=192.0.2.2
CL_OUT6=2001:db8:0:1::2
CL_IN4=192.0.2.130	# client address behind the NAT
CL_IN6=2001:db8:0:4::2
SRV4=198.51.100.2
SRV6=2001:db8:0:2::2
LAN4=198.51.100.0/24
LAN6=2001:db8:0:2::/64
POOL4=203.0.113.0/24
POOL6=2001:db8:0:3::/120

NS_LIST=()
NS_NATTED=0
_CLEANUPS=()
IT_FAILED=0

say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
fail() {
	printf '[%s] FAIL: %s\n' "$(date +%H:%M:%S)" "$*" >&2
	IT_FAILED=1
	exit 1
}
pass() { printf '[%s] PASS: %s\n' "$(date +%H:%M:%S)" "$*"; }

# Run "$@" at exit, last registered first.
at_exit() { _CLEANUPS+=("$*"); }

_run_cleanups() {
	local rc=$? i
	[ "$rc" -ne 0 ] && IT_FAILED=1
	trap - EXIT INT TERM
	for ((i = ${#_CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${_CLEANUPS[$i]}" >/dev/null 2>&1 || true
	done
	exit "$rc"
}

# Missing prerequisites are failures, never skips.
need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			fail "prerequisite '$c' not found (run scripts/deps.sh)"
	done
}

ns_init() {
	[ "$(id -u)" -eq 0 ] || fail "interop tests need root (network namespaces)"
	need_cmd ip nft tshark ping iperf3 unshare python3 swanctl pki
	trap _run_cleanups EXIT
	trap 'exit 130' INT TERM
	IT_BASE=$(mktemp -d /tmp/ppinterop.XXXXXX)
	at_exit _base_cleanup
}

_base_cleanup() {
	if [ "$IT_FAILED" -eq 0 ] && [ -z "${INTEROP_KEEP:-}" ]; then
		rm -rf "$IT_BASE"
	else
		echo "interop: artefacts kept in $IT_BASE" >&2
	fi
}

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
# nsd NS CMD...: for daemons; exec()s in NS (ip netns exec forks, so $!
# would not be the daemon's pid).
nsd() { local ns=$1; shift; exec nsenter --net="/run/netns/$ns" -- "$@"; }

_ns_add() {
	local ns=$1
	ip netns add "$ns" || fail "ip netns add $ns"
	NS_LIST+=("$ns")
	ip -n "$ns" link set lo up
	nsx "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

# Kill what is left in our namespaces (processes this run started there,
# by pid), then delete them.
_ns_teardown() {
	local ns pid
	for ns in "${NS_LIST[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null || true
		done
	done
	sleep 0.2
	for ns in "${NS_LIST[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
}

# ns_setup [nat]
ns_setup() {
	local mode=${1:-direct}
	at_exit _ns_teardown
	_ns_add "$NS_CL"
	_ns_add "$NS_GW"
	_ns_add "$NS_SRV"

	# gateway <-> server LAN
	ip link add gw1 netns "$NS_GW" type veth peer name srv0 netns "$NS_SRV" ||
		fail "veth gw1/srv0"
	ip -n "$NS_GW" addr add 198.51.100.1/24 dev gw1
	ip -n "$NS_GW" addr add 2001:db8:0:2::1/64 dev gw1 nodad
	ip -n "$NS_SRV" addr add $SRV4/24 dev srv0
	ip -n "$NS_SRV" addr add $SRV6/64 dev srv0 nodad
	ip -n "$NS_GW" link set gw1 up
	ip -n "$NS_SRV" link set srv0 up
	ip -n "$NS_SRV" route add default via 198.51.100.1
	ip -n "$NS_SRV" -6 route add default via 2001:db8:0:2::1
	nsx "$NS_GW" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

	if [ "$mode" = nat ]; then
		NS_NATTED=1
		_ns_add "$NS_NAT"
		ip link add cl0 netns "$NS_CL" type veth peer name nat1 netns "$NS_NAT" ||
			fail "veth cl0/nat1"
		ip link add nat0 netns "$NS_NAT" type veth peer name gw0 netns "$NS_GW" ||
			fail "veth nat0/gw0"
		ip -n "$NS_CL" addr add $CL_IN4/25 dev cl0
		ip -n "$NS_CL" addr add $CL_IN6/64 dev cl0 nodad
		ip -n "$NS_NAT" addr add 192.0.2.129/25 dev nat1
		ip -n "$NS_NAT" addr add 2001:db8:0:4::1/64 dev nat1 nodad
		ip -n "$NS_NAT" addr add $CL_OUT4/25 dev nat0
		ip -n "$NS_NAT" addr add $CL_OUT6/64 dev nat0 nodad
		ip -n "$NS_GW" addr add $GW_OUT4/25 dev gw0
		ip -n "$NS_GW" addr add $GW_OUT6/64 dev gw0 nodad
		ip -n "$NS_CL" link set cl0 up
		ip -n "$NS_NAT" link set nat1 up
		ip -n "$NS_NAT" link set nat0 up
		ip -n "$NS_GW" link set gw0 up
		nsx "$NS_NAT" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
		# Only the gateway's outer network is reachable from CL.
		ip -n "$NS_CL" route add 192.0.2.0/25 via 192.0.2.129
		ip -n "$NS_CL" -6 route add 2001:db8:0:1::/64 via 2001:db8:0:4::1
		# Masquerade, and move the source ports off 500/4500 so that
		# both sides see a real NAPT (NAT-D mismatch).
		nsx "$NS_NAT" nft -f - <<-'EOF' || fail "nft ruleset in the NAT namespace"
		table inet ppi_napt {
			chain post {
				type nat hook postrouting priority srcnat; policy accept;
				oifname "nat0" udp sport 500 masquerade to :40500
				oifname "nat0" udp sport 4500 masquerade to :44500
				oifname "nat0" masquerade
			}
		}
		EOF
	else
		ip link add cl0 netns "$NS_CL" type veth peer name gw0 netns "$NS_GW" ||
			fail "veth cl0/gw0"
		ip -n "$NS_CL" addr add $CL_OUT4/25 dev cl0
		ip -n "$NS_CL" addr add $CL_OUT6/64 dev cl0 nodad
		ip -n "$NS_GW" addr add $GW_OUT4/25 dev gw0
		ip -n "$NS_GW" addr add $GW_OUT6/64 dev gw0 nodad
		ip -n "$NS_CL" link set cl0 up
		ip -n "$NS_GW" link set gw0 up
	fi
	# The gateway reaches the NAT inside net only through the NAT's
	# public address; it never needs a route there.
	nsx "$NS_CL" ping -q -c 1 -W 2 $GW_OUT4 >/dev/null ||
		fail "topology: CL cannot reach $GW_OUT4"
	nsx "$NS_CL" ping -q -c 1 -W 2 $GW_OUT6 >/dev/null ||
		fail "topology: CL cannot reach $GW_OUT6"
	if nsx "$NS_CL" ping -q -c 1 -W 1 $SRV4 >/dev/null 2>&1; then
		fail "topology: CL reaches $SRV4 without a tunnel"
	fi
	say "topology up ($mode, prefix $NS_PREFIX, base $IT_BASE)"
}

# ---------------------------------------------------------------------
# Outer-wire capture and checks (ipsec-facts.md §6.3)
# ---------------------------------------------------------------------

# cap_start NS IFACE FILE: capture until cap_stop; waits until tshark runs.
cap_start() {
	local ns=$1 ifc=$2 file=$3 i
	: >"$file.log"
	nsx "$ns" tshark -i "$ifc" -n -q -w "$file" >"$file.log" 2>&1 &
	CAP_PID=$!
	at_exit "kill -TERM $CAP_PID"
	# "Capturing on" comes before dumpcap really captures; tshark 4.0
	# logs "Capture started." once it does.
	for i in $(seq 1 100); do
		if grep -q "Capture started" "$file.log"; then
			sleep 0.3
			return 0
		fi
		kill -0 "$CAP_PID" 2>/dev/null || fail "tshark capture died: $(cat "$file.log")"
		sleep 0.1
	done
	fail "tshark capture did not start: $(cat "$file.log")"
}

cap_stop() {
	sleep 0.5
	kill -TERM "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null || true
}

# wire_check PCAP KEYDIR LABEL: everything on the outer link is IKE or
# ESP-in-UDP; every ESP packet decrypts with the keys of KEYDIR (esp_sa,
# ikev2_decryption_table) with an ICV [correct] and a dissected inner
# packet; every encrypted IKE message decrypts without warnings; no
# plaintext inner packet; nothing malformed (wirecheck.py).
wire_check() {
	local pcap=$1 keydir=$2 label=$3 out
	[ -s "$pcap" ] || fail "$label: no capture"
	[ -s "$keydir/esp_sa" ] || fail "$label: no esp_sa key file"
	[ -s "$keydir/ikev2_decryption_table" ] || fail "$label: no ikev2_decryption_table key file"
	out=$(python3 "$IT_DIR/wirecheck.py" "$pcap" "$keydir" "$label" \
		--lan $LAN4 --lan $LAN6 --lan $POOL4 --lan $POOL6 2>&1) || {
		echo "$out" >&2
		fail "$label: outer-wire check (keys: $keydir)"
	}
	say "$out"
	pass "$label: outer wire only IKE/ESP-in-UDP, all ESP ICV correct, all IKE decrypted, 0 plaintext"
}

# ---------------------------------------------------------------------
# Traffic through the tunnel
# ---------------------------------------------------------------------

# ping_ok NS DST [COUNT]: all replies must come back.
ping_ok() {
	local ns=$1 dst=$2 n=${3:-5} out
	out=$(nsx "$ns" ping -n -c "$n" -i 0.2 -W 2 "$dst" 2>&1)
	echo "$out" | grep -q " 0% packet loss" || fail "ping $dst from $ns: $(echo "$out" | tail -2 | tr '\n' ' ')"
	pass "ping $dst ($n/$n)"
}

# iperf_ok CLIENT_NS DST SECONDS [extra iperf3 args]: prints Mbit/s.
iperf_run() {
	local ns=$1 dst=$2 secs=$3 spid out
	shift 3
	nsx "$NS_SRV" iperf3 -s -1 -B "$dst" >"$IT_BASE/iperf3-srv.log" 2>&1 &
	spid=$!
	sleep 0.5
	out=$(nsx "$ns" iperf3 -c "$dst" -t "$secs" -J "$@" 2>&1)
	local rc=$?
	wait "$spid" 2>/dev/null
	[ $rc -eq 0 ] || { echo "iperf3 -c $dst failed: $(echo "$out" | grep -m1 error)" >&2; return 1; }
	echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.1f" % (d["end"]["sum_received"]["bits_per_second"]/1e6))'
}

iperf_ok() {
	local ns=$1 dst=$2 secs=$3 mbit
	shift 3
	mbit=$(iperf_run "$ns" "$dst" "$secs" "$@") || fail "iperf3 to $dst $*"
	pass "iperf3 $dst $* : $mbit Mbit/s"
}
