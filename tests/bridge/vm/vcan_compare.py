#!/usr/bin/python3
"""Compares a bridged run's bus.log with candump -L vcan0 taken during the run (vcan_check.sh).

Frames the simulated nodes sent appear in both, in the same order. Frames from host tools (the
cansend command 0x100 and the cangen burst 0x2AA) appear in both in the same order as well,
since the bridge injects them in arrival order; all 1000 of the burst arrived; each node
acknowledged the command; events.jsonl records each host frame as bridge_rx.
"""
import os
import re
import sys

HOST_IDS = {0x100, 0x2AA}
LINE = re.compile(r"^\(\d+\.\d+\) (\S+) ([0-9A-F]{3}|[0-9A-F]{8})#([0-9A-F]*)$")


def frames(path):
    out = []
    with open(path, encoding="ascii") as f:
        for line in f:
            m = LINE.match(line.strip())
            if m:
                out.append((int(m.group(2), 16), m.group(3)))
    return out


def main(out_dir):
    bus = frames(os.path.join(out_dir, "live", "bus.log"))
    dump = frames(os.path.join(out_dir, "candump.log"))
    with open(os.path.join(out_dir, "live", "events.jsonl"), encoding="utf-8") as f:
        rx = sum('"type":"bridge_rx"' in line for line in f)
    fails = []
    sim_bus = [f for f in bus if f[0] not in HOST_IDS]
    sim_dump = [f for f in dump if f[0] not in HOST_IDS]
    if sim_bus != sim_dump or len(sim_bus) < 300:
        fails.append(f"simulated frames: bus.log {len(sim_bus)}, candump {len(sim_dump)}, "
                     f"equal {sim_bus == sim_dump}")
    host_bus = [f for f in bus if f[0] in HOST_IDS]
    host_dump = [f for f in dump if f[0] in HOST_IDS]
    if host_bus != host_dump or len(host_bus) != 1001:
        fails.append(f"host frames: bus.log {len(host_bus)}, candump {len(host_dump)}, "
                     f"equal {host_bus == host_dump}")
    acks = {f[0] for f in bus if 0x581 <= f[0] <= 0x583 and f[1] == "AC07"}
    if len(acks) != 3:
        fails.append(f"the command was acknowledged by {len(acks)} of 3 nodes")
    if rx != 1001:
        fails.append(f"events.jsonl records {rx} bridge_rx lines, not 1001")
    print(f"vcan_compare: {len(sim_bus)} simulated frames, {len(host_bus)} host frames, "
          f"{len(acks)} acks, {rx} bridge_rx records")
    for f in fails:
        print(f"vcan_compare: FAIL: {f}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
