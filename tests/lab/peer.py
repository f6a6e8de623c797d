#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""TCP end of the system lab's peer host (runs in the peer namespace).

  peer.py N LOGFILE [ADDR]

Port 5001: receives until EOF, logs "PEER rx peer=IP bytes=B sha256=H seconds=S".
Port 5002: sends the payload (the output of `seq 1 N`), then closes;
           logs "PEER tx peer=IP bytes=B seconds=S".
The payload of both directions is the same, so the lab compares every
sha256 with the one of `seq 1 N`.
"""
import hashlib
import socket
import sys
import threading
import time


def payload(n):
    return b"".join(b"%d\n" % i for i in range(1, n + 1))


def log(path, line):
    with open(path, "a") as f:
        f.write(line + "\n")


def serve_rx(sock, path):
    while True:
        c, addr = sock.accept()
        t0 = time.monotonic()
        h = hashlib.sha256()
        n = 0
        c.settimeout(120)
        try:
            while True:
                d = c.recv(65536)
                if not d:
                    break
                h.update(d)
                n += len(d)
        except OSError as e:
            log(path, "PEER rx peer=%s error=%s bytes=%d" % (addr[0], e, n))
        c.close()
        log(path, "PEER rx peer=%s bytes=%d sha256=%s seconds=%.1f"
            % (addr[0], n, h.hexdigest(), time.monotonic() - t0))


def serve_tx(sock, path, data):
    while True:
        c, addr = sock.accept()
        t0 = time.monotonic()
        c.settimeout(120)
        try:
            c.sendall(data)
            c.shutdown(socket.SHUT_WR)
            # Wait for the client's FIN so that the data is not cut by an RST.
            while c.recv(4096):
                pass
            log(path, "PEER tx peer=%s bytes=%d seconds=%.1f"
                % (addr[0], len(data), time.monotonic() - t0))
        except OSError as e:
            log(path, "PEER tx peer=%s error=%s" % (addr[0], e))
        c.close()


def listen(addr, port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(4)
    return s


def main():
    n = int(sys.argv[1])
    path = sys.argv[2]
    addr = sys.argv[3] if len(sys.argv) > 3 else "0.0.0.0"
    data = payload(n)
    rx = listen(addr, 5001)
    tx = listen(addr, 5002)
    log(path, "PEER ready bytes=%d sha256=%s"
        % (len(data), hashlib.sha256(data).hexdigest()))
    threading.Thread(target=serve_rx, args=(rx, path), daemon=True).start()
    serve_tx(tx, path, data)


if __name__ == "__main__":
    main()
