#!/usr/bin/env python3
"""Writes the simulated cluster for jobs/scaling.sh --simulate: SimGrid platform XML, hostfile, smpirun options.

  jobs/simulate_platform.py --ranks R --dir DIR [--nodes N] [--cores-per-node C] [--latency L]
                            [--bandwidth B] [--core-speed F] [--platform FILE]

DIR/platform.xml: N nodes of C cores (default C = 16, N = as many as R ranks need) behind one non-blocking
switch. --latency L (default 25us) is the one-way latency of a small message between two nodes, MPI stack
included (MPI over TCP on 10 Gb/s Ethernet: 20-50 us); --bandwidth B (default 10Gbps) each node's
full-duplex link. Messages within a node go through shared memory (0.5us, 100Gbps). Simulated cores run
F times (default 1) as fast as one core of this machine: SMPI times each stretch of real computation and
charges it divided by F (smpi/host-speed 1Gf, cores F Gf).
--platform FILE: your own SimGrid platform instead (cores of speed S compute S / 1Gf times as fast as this
machine); its hosts are used in document order, each for as many ranks as it has cores.
DIR/hostfile: one line per rank, node 0 filled first. DIR/smpi-cfg.txt: smpirun options, one per line.
DIR/platform.txt: a one-line description for meta.txt.
"""
import argparse
import os
import re
import sys
import xml.etree.ElementTree as ET

UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
BW_UNITS = {"bps": 1.0, "kbps": 1e3, "mbps": 1e6, "gbps": 1e9, "tbps": 1e12,
            "bps_": 8.0, "kbps_": 8e3, "mbps_": 8e6, "gbps_": 8e9, "tbps_": 8e12}


def die(msg):
    print("simulate_platform.py: " + msg, file=sys.stderr)
    sys.exit(2)


def seconds(text):
    """'25us' -> 2.5e-05 (s, ms, us, ns)."""
    m = re.fullmatch(r"([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(s|ms|us|ns)", text.strip())
    if not m:
        die("--latency takes a time such as 25us, 0.05ms or 1e-5s, not '%s'" % text)
    return float(m.group(1)) * UNITS[m.group(2)]


def bits_per_s(text):
    """'10Gbps' -> 1e10 bits/s; 'GBps' (bytes) also accepted."""
    m = re.fullmatch(r"([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([kKmMgGtT]?)(bps|Bps)", text.strip())
    if not m:
        die("--bandwidth takes a rate such as 10Gbps or 1.25GBps, not '%s'" % text)
    scale = {"": 1.0, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12}[m.group(2).lower()]
    return float(m.group(1)) * scale * (8.0 if m.group(3) == "Bps" else 1.0)


def radical_ids(radical):
    """SimGrid cluster radical '0-3,8' -> [0, 1, 2, 3, 8]."""
    out = []
    for part in radical.split(","):
        if "-" in part:
            a, b = part.split("-", 1)
            out.extend(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out


def platform_slots(path):
    """Host names of a SimGrid platform in document order, each repeated once per core."""
    try:
        tree = ET.parse(path)
    except (OSError, ET.ParseError) as e:
        die("cannot read platform %s: %s" % (path, e))
    slots = []
    for el in tree.iter():
        if el.tag == "host":
            slots.extend([el.get("id")] * int(el.get("core", "1")))
        elif el.tag == "cluster":
            for i in radical_ids(el.get("radical", "")):
                name = "%s%d%s" % (el.get("prefix", ""), i, el.get("suffix", ""))
                slots.extend([name] * int(el.get("core", "1")))
    return slots


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ranks", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--nodes", type=int)
    ap.add_argument("--cores-per-node", type=int, default=16)
    ap.add_argument("--latency", default="25us")
    ap.add_argument("--bandwidth", default="10Gbps")
    ap.add_argument("--core-speed", type=float, default=1.0)
    ap.add_argument("--platform")
    a = ap.parse_args()
    if a.ranks < 1:
        die("--ranks must be at least 1")
    os.makedirs(a.dir, exist_ok=True)
    cfg = ["--cfg=smpi/host-speed:1Gf",      # 1 s of real computation = 1 Gflop
           # mpifactor charges each rank the real time of its own code between calls into the simulator
           # (src/sim.c); SMPI's own benchmark of it also counted the simulator's work, ~2 us per MPI call
           "--cfg=smpi/simulate-computation:no",
           "--cfg=smpi/iprobe:0", "--cfg=smpi/test:0",  # polling costs no simulated time
           "--cfg=smpi/lat-factor:0:1", "--cfg=smpi/bw-factor:0:1",  # the network exactly as given
           # messages up to 64 KiB leave without waiting for the receiver (eager, like Open MPI's TCP
           # transport), so a receiver that probes finds them already there
           "--cfg=smpi/async-small-thresh:65536", "--cfg=smpi/send-is-detached-thresh:65536",
           # every rank's globals on their own pages, swapped in as the rank runs, its code shared: SMPI's
           # default loads a copy of the program per rank, whose code then sits at its own addresses, cold in
           # the one core's caches each time the rank runs again; a real rank keeps its core's caches warm.
           # SIMULATED, 1,000,000 random40 numbers on 1024 ranks: each kid's time outside factoring 0.5 ms
           # against 0.8-1.0, the run 11.1-11.3 ms against 12.1-15.3 (two runs each, interleaved)
           "--cfg=smpi/privatization:mmap",
           "--cfg=smpi/display-timing:yes"]
    if a.platform:
        given = [o for o in ("nodes", "latency", "bandwidth") if getattr(a, o) != ap.get_default(o)]
        if given or a.core_speed != 1.0 or a.cores_per_node != 16:
            die("--platform FILE replaces --nodes, --cores-per-node, --latency, --bandwidth and --core-speed")
        slots = platform_slots(a.platform)
        if len(slots) < a.ranks:
            die("%s has %d cores for %d ranks" % (a.platform, len(slots), a.ranks))
        with open(a.platform) as src, open(os.path.join(a.dir, "platform.xml"), "w") as dst:
            dst.write(src.read())
        desc = "platform: %s (%d hosts, %d cores); smpi/host-speed 1Gf" % (
            os.path.abspath(a.platform), len(set(slots)), len(slots))
    else:
        c = a.cores_per_node
        if c < 1:
            die("--cores-per-node must be at least 1")
        n = a.nodes if a.nodes is not None else -(-a.ranks // c)
        if n < 1 or n * c < a.ranks:
            die("%d nodes of %d cores cannot hold %d ranks" % (n, c, a.ranks))
        if a.core_speed <= 0:
            die("--core-speed must be positive")
        lat = seconds(a.latency)
        bw = bits_per_s(a.bandwidth)
        # Node link - switch - node link: each link carries half the latency; the switch backbone is
        # non-blocking (FATPIPE: every flow gets the full rate).
        xml = ('<?xml version="1.0"?>\n'
               '<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">\n'
               '<!-- jobs/simulate_platform.py: %d nodes x %d cores, %s one-way between nodes, %s links -->\n'
               '<platform version="4.1">\n'
               '  <zone id="world" routing="Full">\n'
               '    <cluster id="sim" prefix="node-" suffix="" radical="0-%d" core="%d" speed="%.9gGf"\n'
               '             bw="%.9gbps" lat="%.9gs" sharing_policy="SPLITDUPLEX"\n'
               '             bb_bw="%.9gbps" bb_lat="0s" bb_sharing_policy="FATPIPE"\n'
               '             loopback_bw="100Gbps" loopback_lat="0.5us"/>\n'
               '  </zone>\n'
               '</platform>\n') % (n, c, a.latency, a.bandwidth, n - 1, c, a.core_speed, bw, lat / 2, bw)
        with open(os.path.join(a.dir, "platform.xml"), "w") as f:
            f.write(xml)
        slots = ["node-%d" % (i // c) for i in range(n * c)]
        desc = ("platform: %d nodes x %d cores, one non-blocking switch, %s one-way latency and %s "
                "full-duplex links between nodes, shared memory within a node (0.5us, 100Gbps), "
                "cores %g x this machine's (%.9gGf, smpi/host-speed 1Gf)") % (
                    n, c, a.latency, a.bandwidth, a.core_speed, a.core_speed)
    with open(os.path.join(a.dir, "hostfile"), "w") as f:
        f.write("".join(s + "\n" for s in slots[:a.ranks]))
    with open(os.path.join(a.dir, "smpi-cfg.txt"), "w") as f:
        f.write("".join(o + "\n" for o in cfg))
    with open(os.path.join(a.dir, "platform.txt"), "w") as f:
        f.write(desc + "\nsmpirun options: " + " ".join(cfg) + "\n")


if __name__ == "__main__":
    main()
