#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Host-side helpers of the system lab (run-lab.sh, docs/lab.md).

  labcheck.py stamp LOG TAG [SILENCE SOCK]
                                    console filter: stdin -> LOG with host
                                    time stamps; LAB-* lines echoed as TAG;
                                    after SILENCE s without output, saves the
                                    vCPU state (monitor SOCK) and quits QEMU
  labcheck.py boot LOG EXPECT [DONE] checks a boot's console: every name in
                                    EXPECT (comma list) has a PASS result and
                                    the stage DONE (l1-done) was reached;
                                    prints the console context of failures
  labcheck.py peer PEERLOG SHA N    the peer received N bytes of sha256 SHA
                                    (N transfers: pass "SHA:COUNT")
  labcheck.py view BASELOG L2LOG    L2's NIC view (VIEW l2 ...) against the
                                    baseline (VIEW l1 ...)
  labcheck.py pcap-same A B         frame-for-frame equality of two pcaps
  labcheck.py pcap-wire CAP L0 MAC  minivmm's wire capture against the L0
                                    tap capture: transmitted frames equal,
                                    received frames a subsequence
  labcheck.py timings LOG           milestones of a boot with host times
Exit status 0 = check passed, 1 = failed, 2 = usage/IO error.
"""
import os
import re
import select
import socket
import struct
import sys
import time

RESULT_RE = re.compile(r"LAB-RESULT (\S+) (PASS|FAIL|SKIP)\b ?(.*)")
STAGE_RE = re.compile(r"LAB-STAGE (\S+)(.*)")
STAMP_RE = re.compile(r"^\[\s*([0-9.]+)\] ?(.*)$")
# L1 kernel messages that mean it will not finish (not L2's, which are
# prefixed "L2| "): a panic, or a soft lockup of 50 s and more.
HANG_RE = re.compile(r"Kernel panic|soft lockup - CPU#\d+ stuck for (\d+)s")
ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def read_lines(path):
    with open(path, "r", errors="replace") as f:
        return f.read().splitlines()


def strip_stamp(line):
    m = STAMP_RE.match(line)
    return (float(m.group(1)), m.group(2)) if m else (None, line)


def monitor(sock_path, commands):
    """Runs HMP commands on QEMU's monitor socket; returns the transcript."""
    out = []
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(sock_path)

        def read_prompt():
            buf = b""
            while not buf.endswith(b"(qemu) "):
                d = s.recv(65536)
                if not d:
                    break
                buf += d
            return buf.decode("utf-8", "replace")

        read_prompt()
        for c in commands:
            s.sendall(c.encode() + b"\n")
            reply = read_prompt().replace("(qemu) ", "").replace("\r", "")
            # Drop the monitor's echo of the command (with its line editing).
            reply = ANSI_RE.sub("", reply).split("\n", 1)[-1]
            out.append("(qemu) %s\n%s" % (c, reply))
        s.close()
    except OSError as e:
        out.append("monitor %s: %s" % (sock_path, e))
    return "\n".join(out)


def cmd_stamp(log, tag, silence="0", sock=""):
    """Copies the console to LOG with host time stamps. With SILENCE > 0:
    if the console stays silent that long, or L1 reports a panic or a soft
    lockup of 50 s or more, the guest is presumed hung: the vCPU state is
    saved next to LOG (hang-state.txt) through the monitor SOCK and QEMU is
    told to quit."""
    silence = float(silence)
    t0 = time.monotonic()
    fd = sys.stdin.fileno()
    last = t0
    pending = b""
    with open(log, "w") as out:
        def emit(raw):
            line = raw.decode("utf-8", "replace").rstrip("\r\n").replace("\r", "")
            t = time.monotonic() - t0
            out.write("[%8.3f] %s\n" % (t, line))
            out.flush()
            if "LAB-STAGE" in line or "LAB-RESULT" in line or "LAB-HOST" in line:
                i = line.find("LAB-")
                sys.stdout.write("  [%s %6.1fs] %s\n" % (tag, t, line[i:]))
                sys.stdout.flush()
            return line

        def stop(why):
            # Save the vCPU state, then end QEMU; no second stop.
            nonlocal silence
            emit(("LAB-HOST %s: guest presumed hung; vCPU state in "
                  "hang-state.txt, stopping QEMU" % why).encode())
            state = monitor(sock, ["info status", "info cpus", "info registers -a",
                                   "info pic", "info irq", "info lapic 0",
                                   "info lapic 1"])
            # A second sample shows which vCPUs still make progress (RIP,
            # TSC, IRQ counts) and whether the local APIC timers move.
            time.sleep(3)
            again = monitor(sock, ["info registers -a", "info irq",
                                   "info lapic 0", "info lapic 1"])
            with open(os.path.join(os.path.dirname(log), "hang-state.txt"), "w") as f:
                f.write(state + "\n\n# 3 s later\n" + again + "\n")
            monitor(sock, ["quit"])
            silence = 0

        while True:
            wait = None
            if silence > 0:
                wait = max(0.0, last + silence - time.monotonic())
            r, _, _ = select.select([fd], [], [], wait)
            if not r:
                stop("console silent for %ds" % int(silence))
                continue
            d = os.read(fd, 65536)
            if not d:
                break
            last = time.monotonic()
            pending += d
            while b"\n" in pending:
                raw, pending = pending.split(b"\n", 1)
                line = emit(raw)
                if silence > 0 and not line.startswith("L2|"):
                    m = HANG_RE.search(line)
                    if m and (m.group(1) is None or int(m.group(1)) >= 50):
                        stop("L1 reports '%s'" % m.group(0))
        if pending:
            emit(pending)
    return 0


def cmd_boot(log, expect, done_marker="l1-done"):
    lines = read_lines(log)
    results = {}
    for idx, line in enumerate(lines):
        m = RESULT_RE.search(line)
        if m:
            results.setdefault(m.group(1), []).append((m.group(2), m.group(3), idx))
    ok = True
    for name in [e for e in expect.split(",") if e]:
        rs = results.get(name)
        if not rs:
            ok = False
            print("    MISSING %s: no result line" % name)
            continue
        for status, detail, idx in rs:
            if status != "PASS":
                ok = False
                print("    %s %s: %s" % (status, name, detail))
                print("      console (%s, lines %d-%d):" % (log, max(0, idx - 15) + 1, idx + 1))
                for l in lines[max(0, idx - 15): idx + 1]:
                    print("      | " + l)
    done = any(("LAB-STAGE %s" % done_marker) in l for l in lines)
    if not done:
        ok = False
        last = None
        for l in lines:
            m = STAGE_RE.search(l)
            if m:
                last = l
        print("    the guest did not finish (no 'LAB-STAGE %s'); last stage: %s"
              % (done_marker, last.strip() if last else "none (never reached /init)"))
        print("      last console lines of %s:" % log)
        for l in lines[-30:]:
            print("      | " + l)
    return 0 if ok else 1


def cmd_peer(log, sha, count):
    want = int(count)
    lines = read_lines(log)
    got = 0
    for l in lines:
        if l.startswith("PEER rx ") and ("sha256=%s " % sha) in l:
            got += 1
    rx = [l for l in lines if l.startswith("PEER rx ")]
    if got >= want:
        print("    peer received the payload %d time(s), sha256 ok" % got)
        return 0
    print("    peer: expected %d transfer(s) with sha256=%s, got %d; peer log:" % (want, sha, got))
    for l in rx or ["(no PEER rx lines)"]:
        print("      | " + l)
    return 1


def views(path, who):
    v = {}
    pre = "VIEW %s " % who
    for line in read_lines(path):
        i = line.find(pre)
        if i < 0:
            continue
        body = line[i + len(pre):]
        for part in body.split(" "):
            if "=" in part:
                k, val = part.split("=", 1)
                v[k] = val
    return v


# What must be equal between L1's and L2's view of the NIC. driver/bus
# differ by construction (another PCI address); the register dump holds
# live state (SCB status, statistics) and is kept for information only.
VIEW_KEYS = ["mac", "link", "speed", "duplex", "autoneg", "port", "phyad",
             "supported", "advertising", "eeprom_mac", "eeprom", "mii_phy"]


def cmd_view(baselog, l2log):
    a = views(baselog, "l1")
    b = views(l2log, "l2")
    if not a:
        print("    no baseline view (VIEW l1) in %s" % baselog)
        return 1
    if not b:
        print("    no L2 view (VIEW l2) in %s" % l2log)
        return 1
    keys = VIEW_KEYS + sorted(k for k in a if k.startswith("mii."))
    bad = 0
    for k in keys:
        if a.get(k) != b.get(k):
            bad += 1
            print("    view differs: %s baseline=%s l2=%s" % (k, a.get(k), b.get(k)))
    if bad == 0:
        print("    L2's view equals the baseline: mac=%s eeprom_mac=%s link=%s speed=%s "
              "duplex=%s, %d PHY registers, %d EEPROM bytes"
              % (b.get("mac"), b.get("eeprom_mac"), b.get("link"), b.get("speed"),
                 b.get("duplex"), len([k for k in keys if k.startswith("mii.")]),
                 len(b.get("eeprom", "")) // 2))
    return 0 if bad == 0 else 1


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("%s: not a pcap (%d bytes)" % (path, len(data)))
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise ValueError("%s: unknown pcap magic %s" % (path, magic.hex()))
    frames = []
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        frames.append(data[off:off + caplen])
        off += caplen
    return frames


def norm(f):
    # QEMU's 8255x pads received frames to 60 bytes; a tap sees them unpadded.
    return f + b"\0" * (60 - len(f)) if len(f) < 60 else f


def describe(f):
    if len(f) < 14:
        return "len=%d" % len(f)
    return "len=%d dst=%s src=%s type=%s" % (len(f), f[0:6].hex(":"), f[6:12].hex(":"),
                                             f[12:14].hex())


def cmd_pcap_same(a, b):
    fa, fb = read_pcap(a), read_pcap(b)
    n = min(len(fa), len(fb))
    for i in range(n):
        if fa[i] != fb[i]:
            print("    frame %d differs: %s | %s" % (i + 1, describe(fa[i]), describe(fb[i])))
            return 1
    if len(fa) != len(fb):
        print("    frame counts differ: %s has %d, %s has %d" % (a, len(fa), b, len(fb)))
        return 1
    print("    %d frames, identical frame for frame" % len(fa))
    return 0


def cmd_pcap_wire(cap, l0, mac):
    m = bytes.fromhex(mac.replace(":", ""))
    fc, fl = read_pcap(cap), read_pcap(l0)
    ctx = [norm(f) for f in fc if f[6:12] == m]
    crx = [norm(f) for f in fc if f[6:12] != m]
    ltx = [norm(f) for f in fl if f[6:12] == m]
    lrx = [norm(f) for f in fl if f[6:12] != m]
    ok = True
    if ctx != ltx:
        ok = False
        n = min(len(ctx), len(ltx))
        first = next((i for i in range(n) if ctx[i] != ltx[i]), n)
        print("    transmitted frames differ: minivmm %d, tap %d, first difference at #%d"
              % (len(ctx), len(ltx), first + 1))
    j = 0
    for f in crx:
        while j < len(lrx) and lrx[j] != f:
            j += 1
        if j == len(lrx):
            ok = False
            print("    a received frame of minivmm's capture is not on the tap: %s" % describe(f))
            break
        j += 1
    print("    wire: tx %d (tap %d), rx %d (tap %d: %d not delivered)"
          % (len(ctx), len(ltx), len(crx), len(lrx), len(lrx) - len(crx)))
    return 0 if ok else 1


def cmd_timings(log):
    for line in read_lines(log):
        t, body = strip_stamp(line)
        m = STAGE_RE.search(body)
        if m and t is not None:
            print("    %7.1fs  %s%s" % (t, m.group(1), m.group(2)))
    return 0


def main(argv):
    cmds = {"stamp": (cmd_stamp, 2), "boot": (cmd_boot, 2), "peer": (cmd_peer, 3),
            "view": (cmd_view, 2), "pcap-same": (cmd_pcap_same, 2),
            "pcap-wire": (cmd_pcap_wire, 3), "timings": (cmd_timings, 1)}
    optional = {"boot": 1, "stamp": 2}
    if len(argv) < 2 or argv[1] not in cmds or not (
            cmds[argv[1]][1] <= len(argv) - 2 <= cmds[argv[1]][1] + optional.get(argv[1], 0)):
        sys.stderr.write(__doc__)
        return 2
    try:
        return cmds[argv[1]][0](*argv[2:])
    except (OSError, ValueError) as e:
        print("    %s" % e)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
