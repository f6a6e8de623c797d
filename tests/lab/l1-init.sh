#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# /init of the system lab's L1 (docs/lab.md): Debian's kernel under QEMU TCG
# on q35 with an emulated Intel IOMMU and an i82557b on the lab's wire.
#
# Kernel command line (set by run-lab.sh):
#   lab_stages=a,b,...  stages to run, in order (the s_* functions below)
#   lab_ip=A/P lab_peer=A            L1's static address, the peer host
#   lab_l2ip=A/P                     L2's static address
#   lab_tcp_n=N lab_tcp_sha=H        TCP payload (`seq 1 N`) and its sha256
#   lab_tcptx_n=N                    L2 -> peer payload (default lab_tcp_n)
#   lab_l2=RUN+RUN+...               L2 runs of stage "l2"; RUN is
#                                    NAME:TEST,TEST,...[:io][:trace]
#   lab_l2_mem=MiB lab_l2_timeout=S  L2 memory and per-run timeout
# Prints "LAB-STAGE <name>" milestones and "LAB-RESULT <name> PASS|FAIL|SKIP
# detail" lines, writes captures/traces to the 9p share "labout" (/out),
# then powers off.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /tmp /out /var/run

up() { cut -d' ' -f1 /proc/uptime; }
stage() { echo "LAB-STAGE $* t=$(up)"; }
result() { echo "LAB-RESULT $1 $2 ${3:-}"; [ "$2" = FAIL ] && fails=$((fails + 1)); return 0; }
fails=0
stage l1-up "kernel=$(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)"

lab_stages=; lab_ip=192.168.77.10/24; lab_peer=192.168.77.1
lab_l2ip=192.168.77.20/24; lab_tcp_n=0; lab_tcp_sha=; lab_tcptx_n=; lab_l2=
lab_l2_mem=256; lab_l2_timeout=600
for a in $(cat /proc/cmdline); do
  case "$a" in
    lab_*=*) eval "${a%%=*}='${a#*=}'" ;;
  esac
done

# Loads the modules of a group (build-images.sh wrote their order).
load_group() {
  for m in $(cat "/etc/modules.$1"); do
    n=${m%.ko}; n=$(echo "$n" | tr - _)
    grep -q "^$n " /proc/modules && continue
    insmod "/lib/modules/$m" $2 || { echo "insmod $m failed"; return 1; }
  done
}

# The output share (virtio-9p): captures and traces go to the host here.
if load_group share >/dev/null 2>&1 && \
   mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 labout /out 2>/dev/null; then
  echo "LAB-INFO share /out mounted"
else
  echo "LAB-INFO share /out NOT mounted: captures stay in L1"
fi

# The NIC: QEMU's i82557b is 8086:1229.
NIC=
for d in /sys/bus/pci/devices/*; do
  if [ "$(cat "$d/vendor")" = 0x8086 ] && [ "$(cat "$d/device")" = 0x1229 ]; then
    NIC=${d##*/}
  fi
done
echo "LAB-INFO nic=${NIC:-none}"

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

ping_peer() { # result-name
  out=$(ping -c 3 -W 5 "$lab_peer" 2>&1)
  rx=$(echo "$out" | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
  rtt=$(echo "$out" | sed -n 's/.*min\/avg\/max = \(.*\)/\1/p')
  if [ "${rx:-0}" -ge 1 ]; then result "$1" PASS "received=$rx/3 rtt=$rtt"
  else result "$1" FAIL "received=${rx:-0}/3"; fi
}

# ---------------------------------------------------------------- stages
s_kvm() {
  echo "LAB-INFO cpu: $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2)," \
    "flags: $(grep -o -w -E 'svm|npt|vgif|nrip_save|vmx' /proc/cpuinfo | sort -u | tr '\n' ' ')"
  if ! load_group kvm; then result kvm FAIL "insmod failed"; return; fi
  if [ -c /dev/kvm ]; then
    stage kvm-ok "nested=$(cat /sys/module/kvm_amd/parameters/nested) npt=$(cat /sys/module/kvm_amd/parameters/npt)"
    result kvm PASS "/dev/kvm $(ls -l /dev/kvm | awk '{print $5 $6}')"
  else
    result kvm FAIL "no /dev/kvm"
  fi
}

s_iommu() {
  dmesg | grep -E 'DMAR: IOMMU enabled|DMAR-IR: Enabled' | sed 's/^/LAB-INFO /'
  if [ -z "$NIC" ]; then result iommu FAIL "no 8086:1229 device"; return; fi
  g=$(readlink "/sys/bus/pci/devices/$NIC/iommu_group" 2>/dev/null)
  if [ -n "$g" ]; then
    members=$(ls "/sys/bus/pci/devices/$NIC/iommu_group/devices" | tr '\n' ' ')
    result iommu PASS "nic=$NIC group=${g##*/} members=$members"
  else
    result iommu FAIL "nic=$NIC has no iommu_group (intel_iommu=on missing?)"
  fi
}

nic_if() { # prints the interface name of the NIC
  ls "/sys/bus/pci/devices/$NIC/net" 2>/dev/null | head -n1
}

s_baseline() {
  if [ -z "$NIC" ]; then result baseline-probe FAIL "no NIC"; return; fi
  load_group e100 || { result baseline-probe FAIL "insmod e100"; return; }
  IF=
  for i in 1 2 3 4 5; do IF=$(nic_if); [ -n "$IF" ] && break; sleep 1; done
  if [ -z "$IF" ]; then result baseline-probe FAIL "e100 made no interface"; return; fi
  result baseline-probe PASS "if=$IF $(dmesg | grep -o 'MAC addr [0-9a-f:]*' | tail -n1)"
  ip link set "$IF" up
  i=0; while [ $i -lt 20 ] && [ "$(cat /sys/class/net/$IF/carrier)" != 1 ]; do sleep 1; i=$((i+1)); done
  if [ "$(cat /sys/class/net/$IF/carrier)" = 1 ]; then result baseline-link PASS "after ${i}s"
  else result baseline-link FAIL "no carrier"; fi
  labnic "$IF" | sed 's/^NIC /VIEW l1 /'
  ethtool "$IF" 2>&1 | sed 's/^/LAB-INFO ethtool: /'
  ip addr add "$lab_ip" dev "$IF"
  ping_peer baseline-ping
  if [ "$lab_tcp_n" -gt 0 ]; then
    t0=$(date +%s)
    if seq 1 "$lab_tcp_n" | timeout 300 nc -w 60 "$lab_peer" 5001; then
      result baseline-tcptx PASS "n=$lab_tcp_n seconds=$(( $(date +%s) - t0 )) (peer checks the sha256)"
    else result baseline-tcptx FAIL "nc failed"; fi
    t0=$(date +%s)
    timeout 300 nc -w 60 "$lab_peer" 5002 </dev/null > /tmp/rx
    sha=$(sha256sum /tmp/rx | cut -d' ' -f1); bytes=$(wc -c < /tmp/rx); rm -f /tmp/rx
    if [ "$sha" = "$lab_tcp_sha" ]; then
      result baseline-tcprx PASS "bytes=$bytes seconds=$(( $(date +%s) - t0 )) sha256=$sha"
    else result baseline-tcprx FAIL "bytes=$bytes sha256=$sha expected=$lab_tcp_sha"; fi
  fi
  ip addr flush dev "$IF"
  rm -f /tmp/dhcp.lease
  out=$(timeout 60 udhcpc -i "$IF" -s /etc/udhcpc.script -n -q -t 6 -T 3 2>&1)
  out="$out
$(cat /tmp/dhcp.lease 2>/dev/null)"
  ip=$(echo "$out" | sed -n 's/.*LAB-DHCP lease ip=\([0-9.]*\).*/\1/p')
  echo "$out" | grep LAB-DHCP
  if [ -n "$ip" ]; then result baseline-dhcp PASS "ip=$ip"; ping_peer baseline-dhcp-ping
  else result baseline-dhcp FAIL "$(echo "$out" | tail -n 2 | tr '\n' ' ')"; fi
  grep -E 'eth|e100' /proc/interrupts | sed 's/^/LAB-INFO irq: /'
  ip addr flush dev "$IF"
  ip link set "$IF" down
  rmmod e100
}

s_vfio() {
  if [ -z "$NIC" ]; then result vfio FAIL "no NIC"; return; fi
  load_group vfio || { result vfio FAIL "insmod vfio"; return; }
  echo vfio-pci > "/sys/bus/pci/devices/$NIC/driver_override"
  if [ -e "/sys/bus/pci/devices/$NIC/driver" ]; then
    echo "$NIC" > "/sys/bus/pci/devices/$NIC/driver/unbind"
  fi
  echo "$NIC" > /sys/bus/pci/drivers_probe
  drv=$(basename "$(readlink "/sys/bus/pci/devices/$NIC/driver")")
  g=$(basename "$(readlink "/sys/bus/pci/devices/$NIC/iommu_group")")
  if [ "$drv" = vfio-pci ] && [ -c "/dev/vfio/$g" ]; then
    stage vfio-bound "nic=$NIC group=$g"
    result vfio PASS "nic=$NIC driver=$drv /dev/vfio/$g"
  else
    result vfio FAIL "nic=$NIC driver=$drv group=$g $(ls /dev/vfio | tr '\n' ' ')"
  fi
}

# One L2 run: minivmm boots L2 with the NIC passed through.
# $1 = NAME:TESTS[:io][:trace]
# minivmm writes its captures and trace to L1's tmpfs (writing them through
# 9p while the guest runs slows every trapped access down enough for soft
# lockups in L2); they are copied to /out/NAME after the run.
l2_run() {
  name=${1%%:*}; rest=${1#*:}; tests=${rest%%:*}
  io=0; trace=0
  case ":$rest:" in *:io:*) io=1 ;; esac
  case ":$rest:" in *:trace:*) trace=1 ;; esac
  cmd="console=ttyS0 acpi=off rdinit=/init panic=-1 quiet lab_tests=$tests lab_ip=$lab_l2ip lab_peer=$lab_peer lab_tcp_n=$lab_tcp_n lab_tcp_sha=$lab_tcp_sha"
  [ -n "$lab_tcptx_n" ] && cmd="$cmd lab_tcptx_n=$lab_tcptx_n"
  [ "$io" = 1 ] && cmd="$cmd e100.use_io=1"
  for try in 1 2; do
    w=/tmp/l2/$name; rm -rf "$w"; mkdir -p "$w"
    set -- --kernel /l2/vmlinuz --initrd /l2/l2.cpio --mem "$lab_l2_mem" \
           --vfio "$NIC" --no-stdin --filter capture \
           --capture-guest "$w/capture-guest.pcap" --capture-wire "$w/capture-wire.pcap"
    [ "$trace" = 1 ] && set -- "$@" --trace "$w/minivmm.trace"
    set -- "$@" --cmdline "$cmd"
    stage l2-start "run=$name try=$try io=$io trace=$trace"
    echo "LAB-INFO minivmm $*"
    t0=$(date +%s)
    # awk, not sed: busybox sed reads one line ahead (to know whether the
    # current line is the last), so each L2 line reached the console only
    # when L2 printed the next one.
    { timeout -s KILL "$lab_l2_timeout" minivmm "$@" 2>&1; echo "rc=$?" > /tmp/l2rc; } \
      | tee "$w/console.log" | awk '{ print "L2| " $0; fflush() }'
    rc=$(sed -n 's/rc=//p' /tmp/l2rc)
    secs=$(( $(date +%s) - t0 ))
    done=0; grep -q 'LAB-STAGE l2-done' "$w/console.log" && done=1
    if [ "$done" = 1 ]; then o=/out/$name; else o=/out/$name/failed-try$try; fi
    mkdir -p "$o"; cp "$w"/* "$o/" 2>/dev/null; rm -rf "$w"
    if [ "$done" = 1 ]; then
      stage l2-exit "run=$name rc=$rc seconds=$secs"
      if [ "$rc" = 0 ]; then
        result "l2-run-$name" PASS "rc=0 seconds=$secs try=$try"
      else
        # L2 finished its tests; only minivmm's exit on 'reboot -f' failed.
        result "l2-run-$name" FAIL "L2 finished but minivmm did not exit 0 on reboot (rc=$rc, 137 = killed by the ${lab_l2_timeout}s timeout)"
      fi
      return 0
    fi
    stage l2-exit "run=$name rc=$rc seconds=$secs (no l2-done marker)"
    [ "$rc" = 137 ] && echo "LAB-INFO l2 run $name timed out after ${lab_l2_timeout}s"
  done
  result "l2-run-$name" FAIL "rc=$rc: L2 did not finish (see L2| lines above)"
}

s_l2() {
  if ! command -v minivmm >/dev/null; then result l2 SKIP "no minivmm in this image"; return; fi
  if [ ! -c /dev/kvm ] || [ ! -d /dev/vfio ]; then result l2 FAIL "needs stages kvm and vfio first"; return; fi
  for r in $(echo "$lab_l2" | tr '+' ' '); do l2_run "$r"; done
}

for s in $(echo "$lab_stages" | tr ',' ' '); do
  stage "$s-begin"
  if type "s_$s" >/dev/null 2>&1; then "s_$s"; else result "$s" FAIL "unknown stage"; fi
done
dmesg > /out/l1-dmesg.txt 2>/dev/null
stage l1-done "fails=$fails"
sync
umount /out 2>/dev/null
poweroff -f
