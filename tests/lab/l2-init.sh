#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# /init of the system lab's L2 guest (docs/lab.md). An unmodified Linux
# whose own e100 driver drives the NIC that minivmm passes through.
#
# Kernel command line (set by L1's /init):
#   lab_tests=a,b,...   tests to run, in order (see the t_* functions)
#   lab_ip=A/P          static address;  lab_peer=A  the peer namespace host
#   lab_tcp_n=N         TCP payload peer -> L2 = output of `seq 1 N`
#   lab_tcp_sha=H       its sha256 (checked here)
#   lab_tcptx_n=N       TCP payload L2 -> peer (default lab_tcp_n; the peer
#                       hashes it and run-lab.sh checks the sha256)
#   e100.use_io=1       load e100 with use_io=1 (I/O BAR)
# Prints "LAB-STAGE l2-*" milestones and "LAB-RESULT l2-<test> PASS|FAIL ..."
# then reboots (-f), which ends minivmm.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /tmp /var/run

up() { cut -d' ' -f1 /proc/uptime; }
stage() { echo "LAB-STAGE $* t=$(up)"; }
result() { echo "LAB-RESULT l2-$1 $2 ${3:-}"; [ "$2" = PASS ] || fails=$((fails + 1)); }
fails=0

lab_tests=link; lab_ip=192.168.77.20/24; lab_peer=192.168.77.1
lab_tcp_n=0; lab_tcp_sha=; lab_tcptx_n=; use_io=0
for a in $(cat /proc/cmdline); do
  case "$a" in
    lab_tests=*) lab_tests=${a#*=} ;;
    lab_ip=*) lab_ip=${a#*=} ;;
    lab_peer=*) lab_peer=${a#*=} ;;
    lab_tcp_n=*) lab_tcp_n=${a#*=} ;;
    lab_tcp_sha=*) lab_tcp_sha=${a#*=} ;;
    lab_tcptx_n=*) lab_tcptx_n=${a#*=} ;;
    e100.use_io=*) use_io=${a#*=} ;;
  esac
done
[ -n "$lab_tcptx_n" ] || lab_tcptx_n=$lab_tcp_n
stage l2-up

cat > /etc/udhcpc.script <<'EOF'
#!/bin/sh
case "$1" in
  deconfig) ip addr flush dev "$interface" ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    echo "LAB-DHCP lease ip=$ip mask=$mask router=$router server=$serverid lease=$lease" > /tmp/dhcp.lease ;;
esac
exit 0
EOF
chmod 0755 /etc/udhcpc.script

IF=
load_e100() {
  insmod /lib/modules/mii.ko 2>/dev/null
  if [ "$use_io" = 1 ]; then insmod /lib/modules/e100.ko use_io=1
  else insmod /lib/modules/e100.ko; fi || return 1
  IF=
  for i in 1 2 3 4 5 6 7 8 9 10; do
    for n in /sys/class/net/*; do
      [ "$(basename "$(readlink "$n/device/driver" 2>/dev/null)")" = e100 ] && IF=${n##*/}
    done
    [ -n "$IF" ] && return 0
    sleep 1
  done
  return 1
}

# Brings IF up and waits for carrier (up to $1 seconds).
link_up() {
  ip link set "$IF" up || return 1
  i=0
  while [ "$i" -lt "${1:-15}" ]; do
    [ "$(cat /sys/class/net/$IF/carrier 2>/dev/null)" = 1 ] && return 0
    sleep 1; i=$((i + 1))
  done
  return 1
}

ping_peer() { # tag
  out=$(ping -c 3 -W 5 "$lab_peer" 2>&1)
  rx=$(echo "$out" | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
  rtt=$(echo "$out" | sed -n 's/.*min\/avg\/max = \(.*\)/\1/p')
  if [ "${rx:-0}" -ge 1 ]; then result "$1" PASS "received=$rx/3 rtt=$rtt"
  else result "$1" FAIL "received=${rx:-0}/3 $(echo "$out" | tail -n 2 | tr '\n' ' ')"; fi
}

static_addr() {
  ip addr flush dev "$IF"
  ip addr add "$lab_ip" dev "$IF"
}

t_link() {
  if [ -z "$IF" ]; then result link FAIL "no e100 interface"; return; fi
  if link_up 20; then result link PASS "if=$IF t=$(up)"
  else result link FAIL "no carrier after 20 s"; fi
}
t_view() {
  labnic "$IF" | sed 's/^NIC /VIEW l2 /'
  result view PASS "printed"
}
t_static() { static_addr; ping_peer ping; }
t_ping() { ping_peer ping; }
t_tcptx() {
  t0=$(date +%s)
  if seq 1 "$lab_tcptx_n" | timeout 300 nc -w 60 "$lab_peer" 5001; then
    result tcptx PASS "n=$lab_tcptx_n seconds=$(( $(date +%s) - t0 )) (peer checks the sha256)"
  else
    result tcptx FAIL "nc exited $?"
  fi
}
t_tcprx() {
  t0=$(date +%s)
  timeout 300 nc -w 60 "$lab_peer" 5002 </dev/null > /tmp/rx
  secs=$(( $(date +%s) - t0 ))
  bytes=$(wc -c < /tmp/rx)
  sha=$(sha256sum /tmp/rx | cut -d' ' -f1)
  rm -f /tmp/rx
  if [ "$sha" = "$lab_tcp_sha" ]; then result tcprx PASS "bytes=$bytes seconds=$secs sha256=$sha"
  else result tcprx FAIL "bytes=$bytes seconds=$secs sha256=$sha expected=$lab_tcp_sha"; fi
}
t_dhcp() {
  ip addr flush dev "$IF"
  rm -f /tmp/dhcp.lease
  out=$(timeout 60 udhcpc -i "$IF" -s /etc/udhcpc.script -n -q -t 6 -T 3 2>&1)
  out="$out
$(cat /tmp/dhcp.lease 2>/dev/null)"
  echo "$out" | grep LAB-DHCP
  ip=$(echo "$out" | sed -n 's/.*LAB-DHCP lease ip=\([0-9.]*\).*/\1/p')
  if [ -n "$ip" ]; then result dhcp PASS "ip=$ip"; ping_peer dhcp-ping
  else result dhcp FAIL "$(echo "$out" | tail -n 2 | tr '\n' ' ')"; fi
  static_addr
}
t_ifupdown() {
  ip link set "$IF" down
  sleep 1
  if link_up 20; then static_addr; ping_peer ifupdown
  else result ifupdown FAIL "no carrier after ifup"; fi
}
t_reload() {
  ip link set "$IF" down
  rmmod e100 || { result reload FAIL "rmmod e100 failed"; return; }
  if ! load_e100; then result reload FAIL "e100 did not probe again"; return; fi
  if link_up 20; then static_addr; ping_peer reload
  else result reload FAIL "no carrier after reload"; fi
}

stage l2-e100-load
if load_e100; then
  stage l2-e100-probed "if=$IF"
else
  result probe FAIL "e100 did not create an interface"
fi
if [ -n "$IF" ]; then
  for t in $(echo "$lab_tests" | tr ',' ' '); do
    stage "l2-test-$t"
    if type "t_$t" >/dev/null 2>&1; then "t_$t"; else result "$t" FAIL "unknown test"; fi
  done
fi
echo "LAB-L2-DMESG begin"
dmesg | grep -iE 'e100|eth0|mii' | tail -n 20
grep -E 'eth|e100' /proc/interrupts
echo "LAB-L2-DMESG end"
stage l2-done "fails=$fails"
sync
reboot -f
