#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# ppvpn client <-> ppvpn gateway, PSK, in three network namespaces:
#
#   client  c0 192.0.2.2/25 2001:db8::2/64
#      |
#   gateway g0 192.0.2.1/25 2001:db8::1/64   (pool 192.0.2.192/26,
#           g1 198.51.100.1/24 2001:db8:2::1/64  2001:db8:1::/112)
#      |
#   host    h0 198.51.100.2/24 2001:db8:2::2/64
#
# The client gets a virtual IP from the gateway's pools and pings the host
# over IPv4 and IPv6, first with raw ESP (no NAT), then with ESP in UDP
# (force_encap), exporting keys in the second run, then with raw ESP over
# an IPv6 outer connection, then through a source NAT (nft; NAT detection
# must switch to ESP in UDP); each time the Child SA is rekeyed (SIGUSR1)
# and traffic checked again, then the client is stopped with
# SIGTERM and must delete its SAs and exit 0. Only documentation addresses
# (RFC 5737, RFC 3849). Needs root; fails (does not skip) otherwise.
#
# usage: selftest.sh PATH/TO/ppvpn
set -u

PPVPN=${1:?usage: selftest.sh PATH/TO/ppvpn}
if [ "$(id -u)" != 0 ]; then
	echo "FAIL: ppvpn-selftest needs root (network namespaces, TUN)" >&2
	exit 1
fi
for t in ip ping nft; do
	command -v $t >/dev/null 2>&1 || { echo "FAIL: $t missing" >&2; exit 1; }
done

ID=$$
NC=ppvpn-c-$ID NG=ppvpn-g-$ID NH=ppvpn-h-$ID
DIR=$(mktemp -d /tmp/ppvpn-selftest.XXXXXX)
GW_PID= CL_PID=
FAILED=0

cleanup() {
	[ -n "$CL_PID" ] && kill "$CL_PID" 2>/dev/null
	[ -n "$GW_PID" ] && kill "$GW_PID" 2>/dev/null
	sleep 0.2
	[ -n "$CL_PID" ] && kill -9 "$CL_PID" 2>/dev/null
	[ -n "$GW_PID" ] && kill -9 "$GW_PID" 2>/dev/null
	for n in $NC $NG $NH; do ip netns del "$n" 2>/dev/null; done
	if [ $FAILED != 0 ]; then
		for f in "$DIR"/*.log; do
			echo "---- $f" >&2
			tail -n 40 "$f" >&2
		done
	fi
	[ -n "${PPVPN_KEEP:-}" ] || rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

fail() {
	echo "FAIL: $*" >&2
	FAILED=1
	exit 1
}

# ---- topology -------------------------------------------------------------
for n in $NC $NG $NH; do ip netns add "$n" || fail "netns $n"; done
ip link add c0 netns $NC type veth peer name g0 netns $NG || fail "veth c0"
ip link add g1 netns $NG type veth peer name h0 netns $NH || fail "veth g1"
ip -n $NC addr add 192.0.2.2/25 dev c0
ip -n $NC addr add 2001:db8::2/64 dev c0 nodad
ip -n $NG addr add 192.0.2.1/25 dev g0
ip -n $NG addr add 2001:db8::1/64 dev g0 nodad
ip -n $NG addr add 198.51.100.1/24 dev g1
ip -n $NG addr add 2001:db8:2::1/64 dev g1 nodad
ip -n $NH addr add 198.51.100.2/24 dev h0
ip -n $NH addr add 2001:db8:2::2/64 dev h0 nodad
for n in $NC $NG $NH; do ip -n "$n" link set lo up; done
ip -n $NC link set c0 up
ip -n $NG link set g0 up
ip -n $NG link set g1 up
ip -n $NH link set h0 up
# the host reaches the client pools through the gateway
ip -n $NH route add 192.0.2.192/26 via 198.51.100.1
ip -n $NH -6 route add 2001:db8:1::/64 via 2001:db8:2::1
ip netns exec $NG sysctl -q -w net.ipv4.ip_forward=1 \
	net.ipv6.conf.all.forwarding=1 || fail "forwarding"

# ---- configuration --------------------------------------------------------
PSK=ppvpn-selftest-shared-key-0123456789
cat >"$DIR/gw.conf" <<EOF
[global]
role = gateway
log_level = info
tun_name = ppgw0
[connection rw]
local_ts = 198.51.100.0/24, 2001:db8:2::/64
pool4 = 192.0.2.192/26
pool6 = 2001:db8:1::/112
psk = $PSK
rand_time = 0
EOF

client_conf() { # $1 name, $2 force_encap, $3 keylog line, $4/$5 outer
	cat >"$DIR/$1.conf" <<EOF
[global]
role = client
log_level = info
tun_name = ppcl0
shutdown_timeout = 3s
$3
[connection home]
remote_addr = ${4:-192.0.2.1}
local_addr = ${5:-192.0.2.2}
remote_ts = 198.51.100.0/24, 2001:db8:2::/64
request_vip = ipv4, ipv6
psk = $PSK
force_encap = $2
rand_time = 0
EOF
}
client_conf raw no ""
client_conf encap yes "keylog = $DIR/keys"
client_conf raw6 no "" 2001:db8::1 2001:db8::2
client_conf nat no "" 192.0.2.1 192.0.2.2

"$PPVPN" --check-config "$DIR/gw.conf" >"$DIR/check.out" ||
	fail "--check-config rejected the gateway configuration"
grep -q '^pool4 = 192.0.2.193 +62$' "$DIR/check.out" ||
	fail "--check-config output: pool4 line missing"

# ---- run ------------------------------------------------------------------
ip netns exec $NG "$PPVPN" -c "$DIR/gw.conf" >"$DIR/gw.log" 2>&1 &
GW_PID=$!
sleep 0.5
kill -0 $GW_PID 2>/dev/null || fail "gateway exited at start"

wait_for() { # $1 seconds, rest: command
	t=$(( $1 * 10 )); shift
	while [ $t -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		t=$((t - 1))
	done
	return 1
}

run_client() { # $1 name, $2 expected encapsulation word in the log
	name=$1
	ip netns exec $NC "$PPVPN" -c "$DIR/$name.conf" >"$DIR/$name.log" 2>&1 &
	CL_PID=$!
	wait_for 15 grep -q 'virtual IP 2001:db8:1::' "$DIR/$name.log" ||
		fail "$name: no virtual IPs from the gateway"
	vip4=$(sed -n 's/.*virtual IP \(192\.0\.2\.[0-9]*\)\/32 on.*/\1/p' "$DIR/$name.log")
	vip6=$(sed -n 's/.*virtual IP \(2001:db8:1::[0-9a-f]*\)\/.*/\1/p' "$DIR/$name.log")
	case "$vip4" in
	192.0.2.19[3-9]|192.0.2.2[0-5][0-9]) ;;
	*) fail "$name: IPv4 virtual IP '$vip4' not from 192.0.2.192/26" ;;
	esac
	[ -n "$vip6" ] || fail "$name: no IPv6 virtual IP"
	ip -n $NC addr show dev ppcl0 | grep -q "inet $vip4/32" ||
		fail "$name: $vip4 not on the client TUN"
	ip -n $NC addr show dev ppcl0 | grep -q "inet6 $vip6/" ||
		fail "$name: $vip6 not on the client TUN"
	wait_for 5 sh -c "ip -n $NC route show dev ppcl0 | grep -q '^198.51.100.0/24'" ||
		fail "$name: no route to 198.51.100.0/24 via the TUN"
	grep -q "child .* up: .* $2 " "$DIR/$name.log" ||
		fail "$name: child SA not up with $2"
	ip netns exec $NC ping -c 3 -i 0.2 -W 2 198.51.100.2 >"$DIR/$name.ping4" ||
		fail "$name: IPv4 ping through the tunnel"
	ip netns exec $NC ping -6 -c 3 -i 0.2 -W 2 2001:db8:2::2 >"$DIR/$name.ping6" ||
		fail "$name: IPv6 ping through the tunnel"
	# make-before-break Child SA rekey (SIGUSR1), traffic afterwards
	kill -USR1 $CL_PID
	wait_for 5 grep -q "child .* up: .*(rekeyed)" "$DIR/$name.log" ||
		fail "$name: Child SA not rekeyed after SIGUSR1"
	ip netns exec $NC ping -c 2 -i 0.2 -W 2 198.51.100.2 >>"$DIR/$name.ping4" ||
		fail "$name: IPv4 ping after the Child SA rekey"
	ip netns exec $NC ping -6 -c 2 -i 0.2 -W 2 2001:db8:2::2 >>"$DIR/$name.ping6" ||
		fail "$name: IPv6 ping after the Child SA rekey"
	kill -TERM $CL_PID
	wait $CL_PID
	rc=$?
	CL_PID=
	[ $rc = 0 ] || fail "$name: client exit code $rc after SIGTERM"
	grep -q "esp rx [1-9][0-9]* tx [1-9]" "$DIR/$name.log" ||
		fail "$name: no ESP traffic counted"
	grep -q "IKE SA .* down" "$DIR/$name.log" ||
		fail "$name: IKE SA not deleted at shutdown"
	if ip -n $NC link show ppcl0 >/dev/null 2>&1; then
		fail "$name: TUN left behind"
	fi
	echo "ok: $name (virtual IP, IPv4 + IPv6 ping, Child SA rekey, clean shutdown)"
}

run_client raw esp
run_client encap esp-in-udp
run_client raw6 esp

# NAT between client and gateway (source NAT to 192.0.2.3, ports
# 30000-30099): NAT detection must switch to ESP in UDP on 4500 by itself.
ip -n $NC addr add 192.0.2.3/25 dev c0
ip netns exec $NC nft -f - <<EOF || fail "nft"
table ip ppvpnnat {
	chain post {
		type nat hook postrouting priority 100;
		oifname "c0" ip daddr 192.0.2.1 meta l4proto udp snat to 192.0.2.3:30000-30099
	}
}
EOF
run_client nat esp-in-udp
grep -q "NAT detected" "$DIR/nat.log" "$DIR/gw.log" || fail "nat: no NAT detected"

[ -s "$DIR/keys.esp_sa" ] || fail "keylog: $DIR/keys.esp_sa empty"
[ -s "$DIR/keys.ikev2_decryption_table" ] ||
	fail "keylog: $DIR/keys.ikev2_decryption_table empty"
grep -q '^"IPv4","192.0.2.2","192.0.2.1","0x' "$DIR/keys.esp_sa" ||
	fail "keylog: esp_sa line format"
echo "ok: keylog files"

kill -TERM $GW_PID
wait $GW_PID
rc=$?
GW_PID=
[ $rc = 0 ] || fail "gateway exit code $rc after SIGTERM"
echo "PASS"
exit 0
