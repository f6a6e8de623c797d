#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Check an outer-link capture of the interop tests with tshark 4.0.

    wirecheck.py PCAP KEYDIR LABEL [--lan CIDR ...]

KEYDIR holds Wireshark's esp_sa and ikev2_decryption_table (from our
client's keylog, or from swkeys.py). One tshark pass dissects every frame
with those keys (ipsec-facts.md §6.3), then the frames are judged:

* only IKE (UDP 500/4500, or the NAPT's 40500/44500), ESP-in-UDP, ARP and
  IPv6 neighbour discovery/MLD on the link;
* every ESP packet decrypts with ICV [correct] and carries a dissected
  inner IPv4/IPv6 packet;
* every encrypted IKE message decrypts, with no expert warning (a wrong
  key or a bad checksum is reported as one);
* no plaintext inner packet: no frame outside ESP with an address of the
  LAN or of the virtual-IP pools (--lan), no TCP, no ICMP echo;
* nothing malformed.

Prints one summary line; exit status 0 when every check passed, 1 with one
line per failed check otherwise.
"""

import ipaddress
import os
import shutil
import subprocess
import sys

FIELDS = ['frame.number', 'frame.protocols', 'esp.spi', 'esp.icv_good',
          'esp.icv_bad', 'isakmp.exchangetype', 'isakmp.enc.pad_length',
          '_ws.expert.severity', 'udp.port', 'ip.addr', 'ipv6.addr',
          'icmp.type', 'icmpv6.type', '_ws.expert.message']
IKE_PORTS = {'500', '4500', '40500', '44500'}
ND_TYPES = {'133', '134', '135', '136', '143'}
PI_WARN = 0x00600000  # PI_WARN in epan/proto.h


def tshark(pcap, keydir):
    cfg = os.path.join(keydir, 'xdg', 'wireshark')
    os.makedirs(cfg, exist_ok=True)
    for f in ('esp_sa', 'ikev2_decryption_table'):
        shutil.copy(os.path.join(keydir, f), cfg)
    with open(os.path.join(cfg, 'preferences'), 'w', encoding='ascii') as f:
        f.write('esp.enable_encryption_decode: TRUE\n'
                'esp.enable_authentication_check: TRUE\n'
                'esp.do_esp_sequence_analysis: FALSE\n'
                'tcp.desegment_tcp_streams: FALSE\n')
    env = dict(os.environ, HOME=keydir, XDG_CONFIG_HOME=os.path.dirname(cfg))
    cmd = ['tshark', '-n', '-r', pcap, '-T', 'fields', '-E', 'separator=\t',
           '-E', 'occurrence=a', '-E', 'aggregator=,']
    for f in FIELDS:
        cmd += ['-e', f]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True,
                       check=False)
    err = [l for l in p.stderr.splitlines() if 'Running as user' not in l]
    if p.returncode != 0 or any('nvalid' in l or 'rror' in l for l in err):
        sys.exit('tshark failed (%d): %s' % (p.returncode, ' | '.join(err[:3])))
    return p.stdout.splitlines()


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    pcap, keydir, label = argv[1:4]
    nets = [ipaddress.ip_network(a) for a in argv[5::2]] if '--lan' in argv else []
    n = dict(frames=0, esp=0, good=0, bad=0, inner=0, ike_enc=0, ike_dec=0,
             ike_warn=0, malformed=0, plain=0, other=0)
    why = []

    def note(kind, frame, what):
        n[kind] += 1
        if sum(1 for w in why if w.startswith(kind + ':')) < 3:
            why.append('%s: frame %s %s' % (kind, frame, what))

    for line in tshark(pcap, keydir):
        f = dict(zip(FIELDS, line.split('\t') + [''] * len(FIELDS)))
        n['frames'] += 1
        num = f['frame.number']
        protos = f['frame.protocols'].split(':')
        ports = set(filter(None, f['udp.port'].split(',')))
        sev = [int(s, 0) for s in f['_ws.expert.severity'].split(',') if s]
        if '_ws.malformed' in protos or 'Malformed Packet' in f['_ws.expert.message']:
            note('malformed', num, f['_ws.expert.message'][:80])
        if 'esp' in protos:
            n['esp'] += 1
            good = f['esp.icv_good'].split(',')
            bad = f['esp.icv_bad'].split(',')
            if '1' in bad or 'True' in bad:
                note('bad', num, 'SPI %s ICV incorrect' % f['esp.spi'])
            elif '1' in good or 'True' in good:
                n['good'] += 1
            else:
                why.append('undecrypted: frame %s SPI %s' % (num, f['esp.spi']))
            after = protos[protos.index('esp') + 1:]
            if 'ip' in after or 'ipv6' in after:
                n['inner'] += 1
            continue
        if 'isakmp' in protos:
            if f['isakmp.exchangetype'] not in ('', '34'):  # not IKE_SA_INIT
                n['ike_enc'] += 1
                if f['isakmp.enc.pad_length']:
                    n['ike_dec'] += 1
                else:
                    why.append('ike: frame %s exchange %s not decrypted'
                               % (num, f['isakmp.exchangetype']))
            if any(s >= PI_WARN for s in sev):
                note('ike_warn', num, f['_ws.expert.message'][:100])
            continue
        addrs = [a for a in (f['ip.addr'] + ',' + f['ipv6.addr']).split(',') if a]
        icmp = set(filter(None, f['icmp.type'].split(',')))
        icmp6 = set(filter(None, f['icmpv6.type'].split(',')))
        if ('tcp' in protos or icmp & {'0', '8'} or icmp6 & {'128', '129'} or
                any(ipaddress.ip_address(a) in net for a in addrs for net in nets)):
            note('plain', num, ':'.join(protos[2:]))
            continue
        if ports & IKE_PORTS or 'arp' in protos or icmp6 <= ND_TYPES and icmp6:
            continue
        if icmp == {'3'} and ports & IKE_PORTS:
            continue
        note('other', num, ':'.join(protos[2:]))

    print('%s wire: frames=%d esp=%d icv_good=%d icv_bad=%d inner=%d ike_enc=%d '
          'ike_dec=%d ike_warn=%d malformed=%d plaintext=%d other=%d'
          % (label, n['frames'], n['esp'], n['good'], n['bad'], n['inner'],
             n['ike_enc'], n['ike_dec'], n['ike_warn'], n['malformed'],
             n['plain'], n['other']))
    errs = []
    if n['esp'] == 0:
        errs.append('no ESP packet on the wire')
    if n['good'] != n['esp']:
        errs.append('%d of %d ESP packets decrypted with a correct ICV'
                    % (n['good'], n['esp']))
    if n['inner'] != n['esp']:
        errs.append('%d of %d ESP packets show an inner packet'
                    % (n['inner'], n['esp']))
    if n['ike_enc'] == 0:
        errs.append('no encrypted IKE message on the wire')
    if n['ike_dec'] != n['ike_enc']:
        errs.append('%d of %d encrypted IKE messages decrypted'
                    % (n['ike_dec'], n['ike_enc']))
    for k, what in (('ike_warn', 'IKE messages with expert warnings'),
                    ('malformed', 'malformed frames'),
                    ('plain', 'plaintext inner frames'),
                    ('other', 'frames other than IKE/ESP-in-UDP')):
        if n[k]:
            errs.append('%d %s' % (n[k], what))
    if errs:
        for e in errs + why[:12]:
            print('%s: %s' % (label, e), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
