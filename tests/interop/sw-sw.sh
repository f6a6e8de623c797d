#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Baseline: strongSwan client <-> strongSwan gateway, PSK, in the interop
# namespaces. Proves the bench (topology, charon in mount namespaces,
# kernel-libipsec, key logging, tshark decryption) without our code:
#   - tunnel up, virtual IPs from the gateway's pools,
#   - ping v4 and v6 to the server through the tunnel,
#   - outer link: only IKE and ESP-in-UDP, every ESP packet decrypts with
#     the keys from charon's log (ICV correct), every IKE message decrypts,
#     zero plaintext frames; the client's and the gateway's key logs give
#     the same tables.
set -u
IT_DIR=$(cd "$(dirname "$0")" && pwd)
. "$IT_DIR/netns.sh"
. "$IT_DIR/sw.sh"

ns_init
ns_setup direct
sw_config gw
sw_config cl
sw_start gw "$NS_GW"
sw_start cl "$NS_CL"
at_exit '[ "$IT_FAILED" -eq 0 ] || { sw_log_excerpt cl; sw_log_excerpt gw; }'

cap_start "$NS_CL" cl0 "$IT_BASE/outer.pcap"
sw_initiate cl home home
sw_wait_sa cl home home 10
sw_wait_sa gw rw lan 10
vip4=$(sw_vip cl 4)
vip6=$(sw_vip cl 6)
case $vip4 in 203.0.113.*) ;; *) fail "client virtual IPv4 '$vip4' not from 203.0.113.0/24" ;; esac
case $vip6 in 2001:db8:0:3::*) ;; *) fail "client virtual IPv6 '$vip6' not from 2001:db8:0:3::/120" ;; esac
pass "virtual IPs $vip4 $vip6"

ping_ok "$NS_CL" $SRV4 5
ping_ok "$NS_CL" $SRV6 5
out=$(nsx "$NS_CL" ping -n -c 3 -i 0.2 -s 1372 -M "do" $SRV4 2>&1)
echo "$out" | grep -q " 0% packet loss" || fail "1400-byte DF ping: $out"
pass "1400-byte DF ping"

# CHILD and IKE rekeys started by either side; the key logs must follow.
for step in "cl --child home" "cl --ike home" "gw --child lan" "gw --ike rw"; do
	set -- $step
	swc "$1" --rekey "$2" "$3" >/dev/null 2>&1 || fail "swanctl --rekey $step"
	sleep 1.5
	ping_ok "$NS_CL" $SRV4 3
done
n=$(grep -c "CREATE_CHILD_SA response" "$(sw_dir cl)/log/charon.log")
[ "$n" -ge 4 ] || fail "only $n CREATE_CHILD_SA exchanges in the client log"
sw_wait_sa cl home home 5
pass "4 rekeys (CHILD and IKE, by either side)"
cap_stop

sw_keys cl "$IT_BASE/keys-cl"
sw_keys gw "$IT_BASE/keys-gw"
cmp -s "$IT_BASE/keys-cl/esp_sa" "$IT_BASE/keys-gw/esp_sa" ||
	cmp -s <(sort "$IT_BASE/keys-cl/esp_sa") <(sort "$IT_BASE/keys-gw/esp_sa") ||
	fail "esp_sa from the client and the gateway logs differ"
cmp -s <(sort "$IT_BASE/keys-cl/ikev2_decryption_table") <(sort "$IT_BASE/keys-gw/ikev2_decryption_table") ||
	fail "ikev2_decryption_table from the client and the gateway logs differ"
wire_check "$IT_BASE/outer.pcap" "$IT_BASE/keys-cl" "sw-sw"
say "sw-sw: all checks passed"
