#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# The system lab (docs/lab.md): QEMU TCG boots Debian's kernel as L1 (q35,
# intel-iommu, AMD CPU model, i82557b on a TAP in a lab namespace); in L1
# the NIC goes to vfio-pci and minivmm boots an unmodified L2 Linux whose
# e100 driver drives it through libparapass (para-passthrough).
#
#   run-lab.sh [BUILD_DIR]          (default: build/lab; needs root)
#
# Environment (all optional):
#   LAB_BOOTS="base pass pass-io"  which L1 boots to run; the default (what
#                         CI runs) has one minivmm start per L1 boot. By
#                         hand: traces1 traces2 (regenerate the replay
#                         fixtures, with LAB_FIXTURES), l2direct, restart
#   LAB_MINIVMM=PATH      minivmm binary to carry into L1 (default: the one
#                         of LAB_MESON_BUILD, else built in build-lab)
#   LAB_MESON_BUILD=DIR   meson build dir that already built minivmm and
#                         pp-trace (the Meson test sets it)
#   LAB_CPU=EPYC          L1 CPU model (AMD, so that kvm_amd loads)
#   LAB_TCP_N=1500000     TCP payload = `seq 1 N` (1500000 -> 10.9 MB)
#   LAB_IO_TCPTX_N=N      L2 -> peer payload of boot pass-io (default LAB_TCP_N)
#   LAB_TRACE_TCP_N=2000  TCP payload of the traced run (small traces)
#   LAB_TIMEOUT_SCALE=1   multiplies every timeout (L1 boots, L2 runs)
#   LAB_SILENCE=300       seconds without console output after which L1 is
#                         presumed hung: its vCPU state is saved
#                         (hang-state.txt) and QEMU is stopped (0 = off)
#   LAB_FIXTURES=DIR      copy the recorded traces there (e.g. tests/lab/out)
# Output: BUILD_DIR/results/<date>/ (consoles, pcaps, traces, verdicts);
# BUILD_DIR/results/latest points to it. Exit 0 only if every check passed.
set -uo pipefail

# Everything runs inside main(), which bash parses completely before running
# it: editing this file while a lab runs cannot derail the running copy.
main() {
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
B=${1:-$top/build/lab}
mkdir -p "$B"; B=$(cd "$B" && pwd)
BOOTS=${LAB_BOOTS:-base pass pass-io}
CPU=${LAB_CPU:-EPYC}
TCP_N=${LAB_TCP_N:-1500000}
TRACE_TCP_N=${LAB_TRACE_TCP_N:-2000}
IO_TCPTX_N=${LAB_IO_TCPTX_N:-$TCP_N}
SCALE=${LAB_TIMEOUT_SCALE:-1}
SILENCE=${LAB_SILENCE:-300}
MAC=52:54:00:77:00:10
PEER_IP=192.168.77.1
L1_IP=192.168.77.10/24
L2_IP=192.168.77.20/24
check() { python3 "$here/labcheck.py" "$@"; }
say() { echo "lab: $*"; }
die() { echo "lab: ERROR: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (namespaces, TAP, apt-get)"
[ -c /dev/net/tun ] || die "/dev/net/tun missing"
T_START=$(date +%s)

# ------------------------------------------------------------ minivmm
minivmm_src=$top/examples/minivmm
MINIVMM=${LAB_MINIVMM:-}
MINIVMM_NOTE=
if [ -z "$MINIVMM" ] && [ -f "$minivmm_src/meson.build" ]; then
  if [ -n "${LAB_MESON_BUILD:-}" ]; then
    mb=$LAB_MESON_BUILD        # the caller's meson built it (meson test)
  else
    mb=$top/build-lab
    say "building minivmm in $mb"
    if [ ! -d "$mb/meson-private" ]; then
      meson setup "$mb" "$top" -Dtests=false >/dev/null || die "meson setup $mb failed"
    fi
    meson compile -C "$mb" >"$B/minivmm-build.log" 2>&1 \
      || { tail -n 30 "$B/minivmm-build.log"; die "building minivmm failed (log: $B/minivmm-build.log)"; }
  fi
  for n in minivmm-static minivmm; do
    if [ -z "$MINIVMM" ] && [ -x "$mb/examples/minivmm/$n" ]; then MINIVMM=$mb/examples/minivmm/$n; fi
  done
  [ -n "$MINIVMM" ] || die "examples/minivmm exists but $mb/examples/minivmm has no minivmm binary"
fi
# pp-trace (tools/pp-trace) replays the recorded traces, when built.
PPTRACE=
if [ -n "$MINIVMM" ]; then
  mb=$(dirname "$(dirname "$(dirname "$MINIVMM")")")
  [ -x "$mb/tools/pp-trace/pp-trace" ] && PPTRACE=$mb/tools/pp-trace/pp-trace
fi
[ -n "$MINIVMM" ] || MINIVMM_NOTE="examples/minivmm/meson.build does not exist yet: the L2 boots are skipped"

# ------------------------------------------------------------ images
"$here/build-images.sh" "$B" ${MINIVMM:+"$MINIVMM"} || die "building the images failed"
T_IMAGES=$(date +%s)

R=$B/results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$R"
ln -sfn "$(basename "$R")" "$B/results/latest"
payload_sum() { # N -> "bytes sha256" of `seq 1 N`
  python3 -c "import hashlib,sys
d=b''.join(b'%d\n'%i for i in range(1,int(sys.argv[1])+1)); print(len(d), hashlib.sha256(d).hexdigest())" "$1"
}
read -r TCP_BYTES TCP_SHA < <(payload_sum "$TCP_N")
read -r TRACE_TCP_BYTES TRACE_TCP_SHA < <(payload_sum "$TRACE_TCP_N")
read -r IO_TCPTX_BYTES IO_TCPTX_SHA < <(payload_sum "$IO_TCPTX_N")

# ------------------------------------------------------------ namespaces
WIRE=ppl_wire_$$
PEER=ppl_peer_$$
PIDS=()
TMPD=$(mktemp -d /tmp/ppl-lab.XXXXXX)    # QEMU monitor sockets (short paths)
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.5
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  # Anything still running inside our namespaces (QEMU after a kill of
  # this script, dnsmasq) is ours: end it by pid.
  for ns in "$WIRE" "$PEER"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$WIRE" || die "ip netns add failed"
ip netns add "$PEER" || die "ip netns add failed"
# No IPv6 on the lab's own interfaces: their router solicitations and MLD
# reports would only add noise to the captures (L1 and L2 keep theirs).
for ns in "$WIRE" "$PEER"; do
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
nsw() { ip -n "$WIRE" "$@"; }
nsp() { ip -n "$PEER" "$@"; }
nsw link set lo up && nsp link set lo up \
 && nsw link add br0 type bridge \
 && nsw tuntap add dev tap0 mode tap \
 && nsw link set tap0 master br0 \
 && nsw link add vwire type veth peer name vpeer netns "$PEER" \
 && nsw link set vwire master br0 \
 && nsw link set br0 up && nsw link set tap0 up && nsw link set vwire up \
 && nsp addr add "$PEER_IP/24" dev vpeer && nsp link set vpeer up \
 || die "namespace setup failed"
ip netns exec "$PEER" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
  --no-hosts --port=0 --user=root --interface=vpeer --bind-interfaces \
  --dhcp-range=192.168.77.100,192.168.77.150,255.255.255.0,10m \
  --dhcp-leasefile="$R/dnsmasq.leases" --pid-file="$R/dnsmasq.pid" \
  --log-dhcp --log-facility="$R/dnsmasq.log" &
PIDS+=($!)
say "wire namespace $WIRE (br0: tap0 + vwire), peer namespace $PEER ($PEER_IP/24 on vpeer, dnsmasq DHCP .100-.150)"
[ -n "$MINIVMM_NOTE" ] && say "$MINIVMM_NOTE"

# ------------------------------------------------------------ boots
# Per boot: L1 stages, L2 runs, timeout (s), expected results.
L2_TESTS="link,view,static,tcptx,tcprx,dhcp"
boot_plan() {
  STAGES=; L2RUNS=; TMO=; L2TMO=420; EXPECT=; N=$TCP_N; SHA=$TCP_SHA; PEER_RX=0; DONE=l1-done
  TXN=; TXSHA=$TCP_SHA
  case $1 in
    base)
      STAGES=kvm,iommu,baseline,vfio; TMO=420; PEER_RX=1
      EXPECT=kvm,iommu,baseline-probe,baseline-link,baseline-ping,baseline-tcptx,baseline-tcprx,baseline-dhcp,baseline-dhcp-ping,vfio ;;
    pass|pass-io)
      STAGES=kvm,iommu,vfio,l2; TMO=900; PEER_RX=1
      L2RUNS="$1:$L2_TESTS"
      if [ "$1" = pass-io ]; then L2RUNS="$L2RUNS:io"; TXN=$IO_TCPTX_N; TXSHA=$IO_TCPTX_SHA; fi
      EXPECT=kvm,vfio,l2-run-$1,l2-link,l2-view,l2-ping,l2-tcptx,l2-tcprx,l2-dhcp,l2-dhcp-ping ;;
    traces1|traces2)
      # Recorded runs, three per L1 boot: every run records boot+probe;
      # trace-tcp's "static" test pings. (Six minivmm starts in one L1 hung
      # L1 twice in three runs; see docs/lab.md and the "restart" boot.)
      STAGES=kvm,iommu,vfio,l2; TMO=600; L2TMO=150; N=$TRACE_TCP_N; SHA=$TRACE_TCP_SHA
      TXSHA=$TRACE_TCP_SHA
      if [ "$1" = traces1 ]; then
        PEER_RX=1
        L2RUNS="trace-probe:link:trace+trace-dhcp:link,dhcp:trace+trace-tcp:link,static,tcptx,tcprx:trace"
        EXPECT=kvm,vfio,l2-run-trace-probe,l2-run-trace-dhcp,l2-run-trace-tcp,l2-dhcp,l2-dhcp-ping,l2-ping,l2-tcptx,l2-tcprx
      else
        L2RUNS="trace-io:link,static:io:trace+trace-ifupdown:link,static,ifupdown:trace"
        L2RUNS="$L2RUNS+trace-reload:link,static,reload:trace"
        EXPECT=kvm,vfio,l2-run-trace-io,l2-run-trace-ifupdown,l2-run-trace-reload,l2-ping,l2-ifupdown,l2-reload
      fi ;;
    restart)
      # Debugging aid, not in the default set: eight short minivmm runs in
      # one L1 boot, to reproduce the L1 hang after repeated minivmm
      # starts. LAB_RESTART_TESTS (default link,static: link + ping) are
      # the L2 tests of each run, e.g. link,static,ifupdown,reload;
      # LAB_RESTART_TRACE=1 records a trace in each run.
      STAGES=kvm,iommu,vfio,l2; TMO=1200; L2TMO=150
      L2RUNS=$(for i in 1 2 3 4 5 6 7 8; do
        printf '+restart%d:%s%s' "$i" "${LAB_RESTART_TESTS:-link,static}" \
          "$([ "${LAB_RESTART_TRACE:-0}" = 1 ] && echo :trace)"; done)
      L2RUNS=${L2RUNS#+}
      EXPECT=kvm,vfio$(for i in 1 2 3 4 5 6 7 8; do printf ',l2-run-restart%d' "$i"; done) ;;
    l2direct)
      # Debugging aid, not in the default set: the L2 image booted directly
      # by QEMU (no L1, no minivmm) on the same wire.
      TMO=300; PEER_RX=1; DONE=l2-done
      EXPECT=l2-link,l2-view,l2-ping,l2-tcptx,l2-tcprx,l2-dhcp,l2-dhcp-ping,l2-ifupdown,l2-reload ;;
    *) die "unknown boot '$1'" ;;
  esac
  TMO=$(( TMO * SCALE )); L2TMO=$(( L2TMO * SCALE ))
}

# Runs one L1 boot (try $2) into $R/$1-try$2; returns 0 if its checks pass.
run_boot() {
  local name=$1 try=$2 d peer_pid tcpd_pid rc t0 ok=0
  d=$R/$name-try$try; mkdir -p "$d/share"
  boot_plan "$name"
  ip netns exec "$PEER" python3 "$here/peer.py" "$N" "$d/peer.log" "$PEER_IP" &
  peer_pid=$!; PIDS+=($peer_pid)
  ip netns exec "$WIRE" tcpdump -i tap0 -U -s 0 -Z root -w "$d/wire-l0.pcap" 2>"$d/tcpdump.err" &
  tcpd_pid=$!; PIDS+=($tcpd_pid)
  for _ in $(seq 50); do
    grep -q "listening on" "$d/tcpdump.err" 2>/dev/null && grep -q "PEER ready" "$d/peer.log" 2>/dev/null && break
    sleep 0.1
  done
  local mon=$TMPD/$name-$try.mon
  # tsc=reliable: an AMD CPU model without invariant TSC and with two CPUs
  # makes L1 assume unsynchronized TSCs ("Marking TSC unstable") without
  # measuring, while TCG reads every vCPU's TSC from the host's. With the
  # flag L1 keeps the TSC clocksource and its KVM gives L2 a stable TSC
  # instead of the catch-up mode (docs/lab.md, "Known quirks").
  local append="console=ttyS0 rdinit=/init panic=-1 intel_iommu=on tsc=reliable lab_stages=$STAGES"
  append="$append lab_ip=$L1_IP lab_peer=$PEER_IP lab_l2ip=$L2_IP lab_tcp_n=$N lab_tcp_sha=$SHA"
  [ -n "$L2RUNS" ] && append="$append lab_l2=$L2RUNS lab_l2_timeout=$L2TMO"
  [ -n "$TXN" ] && append="$append lab_tcptx_n=$TXN"
  local initrd=$B/l1.cpio
  if [ "$name" = l2direct ]; then
    initrd=$B/l2.cpio
    append="console=ttyS0 rdinit=/init panic=-1 lab_tests=$L2_TESTS,ifupdown,reload"
    append="$append lab_ip=$L2_IP lab_peer=$PEER_IP lab_tcp_n=$N lab_tcp_sha=$SHA"
  fi
  say "boot $name (try $try, timeout ${TMO}s): stages $STAGES${L2RUNS:+, L2 runs ${L2RUNS//+/ }}"
  t0=$(date +%s)
  # In the background + wait, so that a signal to this script runs the
  # cleanup trap at once (bash defers traps during a foreground pipeline).
  { ip netns exec "$WIRE" timeout -k 10 "$TMO" qemu-system-x86_64 \
      -accel tcg -machine q35 -cpu "$CPU" -m 3G -smp 2 \
      -nodefaults -display none -vga none -serial stdio -no-reboot \
      -monitor unix:"$mon",server=on,wait=off \
      -device intel-iommu \
      -kernel "$B/vmlinuz" -initrd "$initrd" -append "$append" \
      -device i82557b,netdev=n0,mac=$MAC,romfile= \
      -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
      -virtfs local,path="$d/share",mount_tag=labout,security_model=none,id=labout \
      </dev/null 2>"$d/qemu.err"; echo $? > "$d/qemu.rc"; } | check stamp "$d/console.log" "$name" "$(( SILENCE * SCALE ))" "$mon" &
  wait $!
  rc=$(cat "$d/qemu.rc" 2>/dev/null || echo "?")
  local secs=$(( $(date +%s) - t0 ))
  kill -INT "$tcpd_pid" 2>/dev/null; wait "$tcpd_pid" 2>/dev/null
  kill "$peer_pid" 2>/dev/null; wait "$peer_pid" 2>/dev/null
  echo "$secs" > "$d/seconds"
  [ "$rc" = 124 ] || [ "$rc" = 137 ] && say "boot $name: QEMU killed by the ${TMO}s timeout"
  [ -s "$d/hang-state.txt" ] && say "boot $name: the hang watchdog stopped QEMU ($(grep -o 'LAB-HOST [^:]*' "$d/console.log" | tail -n1 | cut -c10-)); vCPU state in $d/hang-state.txt"
  grep -v -e "TCG doesn't support requested feature" -e '^$' "$d/qemu.err" | sed 's/^/  qemu: /' | head -n 10

  # Checks.
  local fails=0
  say "boot $name try $try: ${secs}s, QEMU exit $rc; checks:"
  check boot "$d/console.log" "$EXPECT" "$DONE" || fails=$((fails + 1))
  if [ "$PEER_RX" -gt 0 ]; then check peer "$d/peer.log" "$TXSHA" "$PEER_RX" || fails=$((fails + 1)); fi
  case $name in
    pass|pass-io|l2direct)
      local base
      base=$(ls -d "$R"/base-try*/console.log 2>/dev/null | tail -n1)
      if [ -n "$base" ]; then
        say "  L2's NIC view against the baseline ($base):"
        check view "$base" "$d/console.log" || fails=$((fails + 1))
      else
        say "  (no baseline boot in this run: view not compared)"
      fi
      ;;
  esac
  case $name in
    pass|pass-io)
      local sd="$d/share/$name"
      say "  minivmm captures (guest side vs wire side):"
      check pcap-same "$sd/capture-guest.pcap" "$sd/capture-wire.pcap" || fails=$((fails + 1))
      say "  minivmm wire capture vs the L0 tap capture:"
      check pcap-wire "$sd/capture-wire.pcap" "$d/wire-l0.pcap" "$MAC" || fails=$((fails + 1))
      if [ "$name" = pass-io ]; then
        if grep -q "L2|.*e100.*addr 0x[0-9a-f]\{1,4\}," "$d/console.log"; then
          say "  L2's e100 uses the I/O BAR: $(grep -o 'e100.*addr 0x[0-9a-f]*' "$d/console.log" | tail -n1)"
        fi
      fi
      ;;
    traces1|traces2)
      local t r
      for r in ${L2RUNS//+/ }; do
        t=$d/share/${r%%:*}/minivmm.trace
        [ -s "$t" ] || { say "  missing trace $t"; fails=$((fails + 1)); continue; }
        say "  trace ${r%%:*}: $(( $(wc -l < "$t") - 1 )) events, $(du -h "$t" | cut -f1)"
        if [ -n "$PPTRACE" ]; then
          # The trace must replay through the same backend without divergence.
          if timeout 300 "$PPTRACE" replay "$t" > "$t.replay" 2>&1; then
            say "    replay: $(tail -n1 "$t.replay")"
          else
            say "    replay FAILED:"; sed 's/^/      | /' "$t.replay" | tail -n 12
            fails=$((fails + 1))
          fi
        fi
      done
      [ -n "$PPTRACE" ] || say "  (pp-trace not built: traces not replayed)"
      ;;
  esac
  say "  milestones:"
  check timings "$d/console.log"
  [ "$fails" -eq 0 ] && ok=1
  echo "$ok" > "$d/ok"
  [ "$ok" = 1 ]
}

declare -A VERDICT SECS
overall=0
for name in $BOOTS; do
  boot_plan "$name"
  if [ "$name" != base ] && [ "$name" != l2direct ] && [ -z "$MINIVMM" ]; then
    VERDICT[$name]=SKIP; say "boot $name: SKIP (no minivmm)"; continue
  fi
  if run_boot "$name" 1; then
    VERDICT[$name]=PASS
  else
    say "boot $name failed: retrying once"
    if run_boot "$name" 2; then VERDICT[$name]="PASS(retry)"; else VERDICT[$name]=FAIL; overall=1; fi
  fi
  s=0; for f in "$R/$name"-try*/seconds; do s=$(( s + $(cat "$f") )); done; SECS[$name]=$s
done

if [ -n "${LAB_FIXTURES:-}" ]; then
  mkdir -p "$LAB_FIXTURES"
  for t in "$R"/traces*-try*/share/trace-*/minivmm.trace; do
    [ -s "$t" ] && cp "$t" "$LAB_FIXTURES/$(basename "$(dirname "$t")").trace"
  done
  say "traces copied to $LAB_FIXTURES"
fi

echo
say "summary (results in $R):"
say "  images built in $((T_IMAGES - T_START))s; total $(( $(date +%s) - T_START ))s"
for name in $BOOTS; do
  say "  boot $(printf '%-8s' "$name") ${VERDICT[$name]:-?}  ${SECS[$name]:+${SECS[$name]}s}"
done
if [ "$overall" -eq 0 ]; then echo "LAB-SUMMARY PASS"; else echo "LAB-SUMMARY FAIL"; fi
exit "$overall"
}

main "$@"
exit $?
