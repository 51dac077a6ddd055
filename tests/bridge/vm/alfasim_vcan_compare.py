#!/usr/bin/python3
"""Checks a bridged `alfasim run` against candump -L vcan0 taken meanwhile (alfasim_vcan_check.sh).

  alfasim_vcan_compare.py OUT_DIR

OUT_DIR holds candump.log, alfasim.err (the run's stderr) and live/ (the run folder). Checks:
  * the frames the simulated packs sent are the same, in the same order, in bus.log and in
    candump (error-frame records of bus.log are not frames on the wire and are left out);
  * the host frames (the SET_ECO command 0x202 and the cangen burst 0x7AA) are the same, in the
    same order, in both: the bridge injects them in arrival order;
  * every pack ACKs SET_ECO with status 0 and Eco in its mode mask;
  * events.jsonl records each host frame as bridge_rx, the command first;
  * the burst entered the bus after the pause alfasim reported, all 1000 of it, and report.json
    counts the host frames (none lost) and the pause.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tools"))
from candump_log import read_frames  # noqa: E402

CMD = (0x202, "7F0101")  # SET_ECO on, to all packs (127), seq 1
BURST_ID, BURST_N = 0x7AA, 1000
HOST_IDS = {CMD[0], BURST_ID}
PACK_IDS = (20, 50, 90)


def frames(path):
    """(id, data hex, µs) of each frame; error-frame records are left out."""
    return [(f.id, f.data.hex().upper(), f.us) for f in read_frames(path, strict=False)]


def pause_us(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^alfasim: paused at t=(\d+)\.(\d{3}) s", line)
            if m:
                return int(m.group(1)) * 1000000 + int(m.group(2)) * 1000
    return None


def check_frames(fails, out_dir):
    bus = frames(os.path.join(out_dir, "live", "bus.log"))
    dump = frames(os.path.join(out_dir, "candump.log"))
    strip = lambda fs: [(i, d) for i, d, _ in fs]
    sim_bus = strip(f for f in bus if f[0] not in HOST_IDS)
    sim_dump = strip(f for f in dump if f[0] not in HOST_IDS)
    if sim_bus != sim_dump or len(sim_bus) < 100:
        fails.append(f"simulated frames: bus.log {len(sim_bus)}, candump {len(sim_dump)}, "
                     f"equal {sim_bus == sim_dump}")
    host_bus = strip(f for f in bus if f[0] in HOST_IDS)
    host_dump = strip(f for f in dump if f[0] in HOST_IDS)
    if host_bus != host_dump or len(host_bus) != BURST_N + 1 or host_bus[0] != CMD:
        fails.append(f"host frames: bus.log {len(host_bus)}, candump {len(host_dump)}, "
                     f"equal {host_bus == host_dump}")
    acks = {i - 0x280: d for i, d in sim_bus if i - 0x280 in PACK_IDS and d[:4] == "0201"}
    if sorted(acks) != list(PACK_IDS) or any(d[4:6] != "00" or not int(d[6:8], 16) & 2
                                             for d in acks.values()):
        fails.append(f"SET_ECO ACKs by NodeID: {acks}")
    t_pause = pause_us(os.path.join(out_dir, "alfasim.err"))
    burst = [t for i, _, t in bus if i == BURST_ID]
    if t_pause is None or len(burst) != BURST_N or min(burst) < t_pause:
        fails.append(f"burst: {len(burst)} frames in bus.log, first at "
                     f"{min(burst) if burst else None} us, pause at {t_pause} us")
    print(f"alfasim_vcan_compare: {len(sim_bus)} simulated frames, {len(host_bus)} host frames, "
          f"SET_ECO acked by {sorted(acks)}, pause at {t_pause} us")


def check_records(fails, out_dir):
    with open(os.path.join(out_dir, "live", "events.jsonl"), encoding="utf-8") as f:
        rx = [json.loads(line)["frame"] for line in f if '"type":"bridge_rx"' in line]
    if len(rx) != BURST_N + 1 or rx[0] != "%03X#%s" % CMD:
        fails.append(f"events.jsonl: {len(rx)} bridge_rx records, first {rx[:1]}")
    with open(os.path.join(out_dir, "live", "report.json"), encoding="utf-8") as f:
        st = json.load(f).get("bridge", {})
    n = BURST_N + 1
    if (st.get("rx_frames"), st.get("rx_injected"), st.get("rx_overflow"), st.get("pauses")) != \
            (n, n, 0, 1):
        fails.append(f"report.json bridge: {st}")


def main(out_dir):
    fails = []
    check_frames(fails, out_dir)
    check_records(fails, out_dir)
    for f in fails:
        print(f"alfasim_vcan_compare: FAIL: {f}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
