#!/usr/bin/python3
"""Checks for the gateway end-to-end test (e2e_socketcand.sh), one per subcommand.

Reads what the test recorded: the MQTT log (`mosquitto_sub -v`, one "topic payload" line per
message) and the run folder (bus.log, decoded with docs/can-signals.json). Exit status 0 when
the check holds, 1 with one line saying what was seen otherwise, 2 on bad usage.

Bus time in the gateway's messages ("t") is the run's virtual time over socketcand; over
SocketCAN it is host time (scaled by the gateway's --time-scale to the run's pace), which
--clock host turns into virtual time by counting from the first "t" seen.
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gw_signals import SignalTable  # noqa: E402

LOG_LINE = re.compile(r"^\((\d+)\.(\d{6})\) \S+ ([0-9A-F]{3}|[0-9A-F]{8})#(\S*)$")


class Mqtt:
    """The MQTT log: (topic, payload text) pairs in arrival order, bus time normalised."""

    def __init__(self, path, clock):
        self.messages = []
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                topic, _, payload = line.rstrip("\n").partition(" ")
                self.messages.append((topic, payload))
        self.clock = clock
        self.t0 = None

    def json(self, topic):
        out = []
        for t, p in self.messages:
            if t == topic:
                try:
                    out.append(json.loads(p))
                except ValueError:
                    continue
        return out

    def texts(self, topic):
        return [p for t, p in self.messages if t == topic]

    def sim_time(self, t):
        if self.clock == "sim":
            return t
        if self.t0 is None:
            firsts = [m["t"] for _, p in self.messages for m in [_load(p)] if "t" in m]
            self.t0 = firsts[0] if firsts else t
        return t - self.t0


def _load(payload):
    try:
        obj = json.loads(payload)
    except ValueError:
        return {}
    return obj if isinstance(obj, dict) else {}


def fail(text):
    print(f"FAIL: {text}")
    return 1


def check_telemetry(a, mq):
    """Each pack's telemetry, with a valid SOC and its ANN identity, by a.within seconds."""
    missing = []
    for node in a.nodes:
        tel = mq.json(f"alfaspark/{node}/telemetry")
        good = [m for m in tel if mq.sim_time(m["t"]) <= a.within and m["SOC"] is not None
                and m["node_id"] == node and m["device_type"] == "Energy-Pack"]
        if not good:
            missing.append(f"{node} ({len(tel)} messages, none complete by {a.within} s)")
    return fail("telemetry: " + "; ".join(missing)) if missing else 0


def check_master(a, mq):
    """At after + within seconds the published master was a.expect, chosen at or after after."""
    end = a.after + a.within
    infos = [m for m in mq.json("alfaspark/master/info") if mq.sim_time(m["t"]) <= end]
    if not infos or infos[-1].get("master") != a.expect:
        seen = [(m.get("master"), m.get("t")) for m in infos]
        return fail(f"master by {end} s: {seen}, expected {a.expect}")
    t = mq.sim_time(infos[-1]["t"])
    if t < a.after:
        return fail(f"master {a.expect} since t={t:.3f} s, expected a change after {a.after} s")
    if str(a.expect) not in mq.texts("alfaspark/master"):
        return fail(f"alfaspark/master never carried {a.expect}")
    return 0


def check_result(a, mq):
    results = [m for m in mq.json(f"alfaspark/ack/{a.cmd}/result")
               if m.get("request_id") == a.request_id]
    if not results:
        acks = mq.texts(f"alfaspark/ack/{a.cmd}")
        return fail(f"no result for {a.cmd} {a.request_id}: acks {acks}")
    r = results[0]
    if sorted(int(n) for n in r["acks"]) != sorted(a.nodes) or not r["ok"]:
        return fail(f"{a.cmd} result {r}, expected OK from {a.nodes}")
    acks = [m for m in mq.json(f"alfaspark/ack/{a.cmd}") if m.get("request_id") == a.request_id]
    if a.mode_bit is not None:
        bad = [m for m in acks if not m["mode_mask"] >> a.mode_bit & 1]
        if bad or len(acks) != len(a.nodes):
            return fail(f"{a.cmd} ACKs without mode bit {a.mode_bit}: {acks}")
    return 0


def check_mode(a, mq):
    missing = [n for n in a.nodes
               if not any(m["mode"][a.mode] for m in mq.json(f"alfaspark/{n}/telemetry"))]
    return fail(f"no telemetry with mode {a.mode} on from {missing}") if missing else 0


def read_bus_log(path):
    frames = []
    with open(path, encoding="ascii") as f:
        for line in f:
            m = LOG_LINE.match(line.rstrip("\n"))
            if m and len(m.group(3)) == 3:
                t = int(m.group(1)) + int(m.group(2)) / 1e6
                frames.append((t, int(m.group(3), 16), bytes.fromhex(m.group(4))))
    return frames


def check_trace(a, mq):
    """bus.log: the gateway's commands and time broadcasts, the ACKs, the TEL mode masks."""
    del mq
    table = SignalTable.load(SignalTable.default_path())
    frames = read_bus_log(os.path.join(a.run, "bus.log"))
    errors = []
    limits = [(t, d) for t, i, d in frames if i == 0x206]
    ecos = [(t, d) for t, i, d in frames if i == 0x202 and len(d) == 3 and d[2] == 1]
    if not limits or not ecos or limits[0][0] > ecos[0][0]:
        errors.append(f"set_eco_limit {limits} then set_eco on {ecos} not both in bus.log")
    else:
        t_eco, data = ecos[0]
        if data[0] != 0x7F:
            errors.append(f"set_eco target {data[0]}, expected the broadcast 127")
        tel = table.message("TEL")
        for node in a.nodes:
            acked = [d for t, i, d in frames if i == 0x280 + node and t >= t_eco
                     and d[:3] == bytes([0x02, data[1], 0])]
            eco_on = [t for t, i, d in frames if i == tel.id + node and t > t_eco
                      and tel.decode(d).get("Mode_Eco") == 1]
            if not acked or not eco_on:
                errors.append(f"pack {node}: ACK {bool(acked)}, TEL with Eco on {bool(eco_on)}")
    times = [t for t, i, _ in frames if i == 0x7FF]
    gaps = [b - a_ for a_, b in zip(times, times[1:])]
    if len(times) < 3 or any(g < 55 or g > 65 for g in gaps):
        errors.append(f"time broadcasts at {times}: expected one about every 60 s")
    return fail("; ".join(errors)) if errors else 0


def check_discovery(a, mq):
    del mq
    with open(a.file, encoding="utf-8") as f:
        lines = [ln.rstrip("\n") for ln in f if ln.strip()]
    if not lines:
        return fail(f"no retained discovery config in {a.file}")
    cfg = _load(lines[0].partition(" ")[2])
    ok = (cfg.get("unique_id", "").startswith("alfaspark_") and cfg.get("state_topic")
          and cfg.get("device", {}).get("identifiers"))
    return 0 if ok else fail(f"discovery config {lines[0]}")


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mqtt-log")
    p.add_argument("--clock", choices=("sim", "host"), default="sim")
    sub = p.add_subparsers(dest="check", required=True)
    s = sub.add_parser("telemetry")
    s.add_argument("--within", type=float, required=True)
    s = sub.add_parser("master")
    s.add_argument("--expect", type=int, required=True)
    s.add_argument("--after", type=float, default=0.0)
    s.add_argument("--within", type=float, required=True)
    s = sub.add_parser("result")
    s.add_argument("--cmd", required=True)
    s.add_argument("--request-id", required=True)
    s.add_argument("--mode-bit", type=int, default=None)
    s = sub.add_parser("mode")
    s.add_argument("--mode", required=True)
    s = sub.add_parser("trace")
    s.add_argument("--run", required=True)
    s = sub.add_parser("discovery")
    s.add_argument("--file", required=True)
    for name in ("telemetry", "result", "mode", "trace"):
        sub.choices[name].add_argument("--nodes", type=lambda v: [int(x) for x in v.split(",")],
                                       required=True)
    return p.parse_args(argv)


def main(argv):
    a = parse(argv)
    mq = Mqtt(a.mqtt_log, a.clock) if a.mqtt_log else None
    checks = {"telemetry": check_telemetry, "master": check_master, "result": check_result,
              "mode": check_mode, "trace": check_trace, "discovery": check_discovery}
    return checks[a.check](a, mq)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
