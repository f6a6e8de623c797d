#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# strongSwan 5.9.8 as the initiator (client) against OUR responder (ppvpn
# role=gateway: libike + libesp), PSK, IPv4 outer:
#   - swanctl --initiate succeeds; the strongSwan client gets its virtual
#     IPs from our pools (203.0.113.0/24, 2001:db8:0:3::/120);
#   - ping and iperf3 (3 s, both directions) to the server over IPv4 and
#     IPv6 inner, through our gateway;
#   - CHILD and IKE rekeys started by strongSwan (swanctl --rekey), ping
#     after each;
#   - the outer link is checked twice: with the keys OUR gateway exported
#     and with the keys from strongSwan's log (swkeys.py): only IKE and
#     ESP-in-UDP, every ESP ICV correct, every IKE message decrypts, no
#     plaintext, nothing malformed.
set -u
IT_DIR=$(cd "$(dirname "$0")" && pwd)
. "$IT_DIR/netns.sh"
. "$IT_DIR/sw.sh"
. "$IT_DIR/pp.sh"

LABEL=pp-gateway
ns_init
pp_find >/dev/null 2>"$IT_BASE/pp_find.err" || fail "$(cat "$IT_BASE/pp_find.err")"
ns_setup direct

pp_config gw gateway ${INTEROP_PP_EXTRA:-} 2>"$IT_BASE/pp_config.err" ||
	fail "ppvpn configuration: $(cat "$IT_BASE/pp_config.err")"
sw_config cl
sw_start cl "$NS_CL"
at_exit '[ "$IT_FAILED" -eq 0 ] || { pp_log_excerpt gw; sw_log_excerpt cl; }'
pp_start gw "$NS_GW" 2>"$IT_BASE/pp_start.err" || fail "$(cat "$IT_BASE/pp_start.err")"

cap_start "$NS_CL" cl0 "$IT_BASE/outer.pcap"
sw_initiate cl home home
sw_wait_sa cl home home 10
vip4=$(sw_vip cl 4)
vip6=$(sw_vip cl 6)
case $vip4 in 203.0.113.*) ;; *) fail "virtual IPv4 '$vip4' not from our pool $POOL4" ;; esac
case $vip6 in 2001:db8:0:3::*) ;; *) fail "virtual IPv6 '$vip6' not from our pool $POOL6" ;; esac
pass "strongSwan got $vip4 $vip6 from our pools"

ping_ok "$NS_CL" $SRV4 5
ping_ok "$NS_CL" $SRV6 5
iperf_ok "$NS_CL" $SRV4 3 -b 20M
iperf_ok "$NS_CL" $SRV4 3 -b 20M -R
iperf_ok "$NS_CL" $SRV6 3 -b 20M
iperf_ok "$NS_CL" $SRV6 3 -b 20M -R

for step in "--child home" "--ike home"; do
	set -- $step
	swc cl --rekey "$1" "$2" >/dev/null 2>&1 || fail "swanctl --rekey $step"
	sleep 1.5
	ping_ok "$NS_CL" $SRV4 3
done
cllog=$(sw_dir cl)/log/charon.log
grep -q "parsed CREATE_CHILD_SA response [0-9]* \[ SA No TSi TSr \]" "$cllog" ||
	fail "CHILD_SA rekey by strongSwan: no CREATE_CHILD_SA response"
grep -Eq "parsed CREATE_CHILD_SA response [0-9]+ \[ SA No KE \]" "$cllog" ||
	fail "IKE_SA rekey by strongSwan: no CREATE_CHILD_SA response"
sw_wait_sa cl home home 5
ping_ok "$NS_CL" $SRV6 3
pass "CHILD and IKE rekeys started by strongSwan"
cap_stop

pp_keys gw "$IT_BASE/keys-pp" 2>"$IT_BASE/pp_keys.err" || fail "$(cat "$IT_BASE/pp_keys.err")"
wire_check "$IT_BASE/outer.pcap" "$IT_BASE/keys-pp" "$LABEL (our keys)"
sw_keys cl "$IT_BASE/keys-sw"
wire_check "$IT_BASE/outer.pcap" "$IT_BASE/keys-sw" "$LABEL (strongSwan's keys)"
say "$LABEL: all checks passed"
