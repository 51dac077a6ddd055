#!/usr/bin/env python3
"""Writes the benchmark's reference workloads (tests/bench/scenarios/*.json).

    s4.json         4 packs, 24 h, full fidelity: the reference workload
    s127.json       the same with 127 nodes: 126 packs and the gateway (the scenario format
                    allows 127 nodes, the bus's NodeIDs 0..126)
    mem_testnode_N  N = 1 and 127 plain firmware nodes running the small test firmware, for the
                    memory a node costs at the least
    scale_N.json    N = 1, 2, 4, 8, 16, 32, 64 packs and the gateway, and scale_127 with 126
                    packs and the gateway (127 nodes), 1 h each: the scaling series

Every pack runs the Alfaspark firmware behind its full plant (battery and BMS over Modbus on
RS-485, CT sampling, inverter, grid, home load, pool pump, water heater, PV), with CAN
heartbeats and telemetry; a gateway broadcasts the time, so the firmware's clock is valid, and
sends one Time-of-Use window. The day starts at midnight, so 24 h include the 05:00 reset.

The files are checked in; run this script again only to change the workloads, and then record
the new digests (alfasim bench --update).
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def mac_for(i):
    # NodeID = XOR of the MAC bytes mod 127 (spec 9.6). With 24:6F:28:00:00:xx the XOR of the
    # fixed bytes is 0x63, so xx = 0x63 ^ n gives NodeID n: distinct NodeIDs 0..126.
    return "24:6F:28:00:00:%02X" % (0x63 ^ i)


def pack(i):
    return {
        "name": "pack%d" % (i + 1),
        "type": "pack",
        "mac": mac_for(i),
        "plant": {
            "battery": {"capacity_ah": 200, "soc_percent": 22 + 2 * (i % 5)},
            "pv": {"kwp": 4 + (i % 3)},
            "pool": {"power_w": 900, "windows": [{"from": "10:00", "to": "16:00"}]},
            "heater": {"element_w": 3000,
                       "draws": [{"from": "06:30", "to": "07:00", "flow_l_per_min": 8},
                                 {"from": "19:00", "to": "19:20", "flow_l_per_min": 6}]},
        },
    }


def scenario(name, packs, duration, description):
    return {
        "name": name,
        "description": description,
        "seed": 1,
        "duration": duration,
        "plugin": "alfaspark",
        "board": "alfaspark_b",
        "environment": {"start": "2024-06-21T00:00", "utc_offset": "+01:00",
                        "weather": "variable"},
        "nodes": [pack(i) for i in range(packs)] + [{"name": "gw", "type": "gateway"}],
        "timeline": [
            {"at": "5s", "set_tou_window": {"start": "22:00", "end": "06:00"}},
            {"at": "6s", "set_tou": {"on": True}},
        ],
    }


def checks(packs):
    """Assertions that make the workload's claims checked facts: the TOU window is in force and
    the 05:00 reset zeroes the grid-energy counter that the night's import filled."""
    out = []
    for i in range(packs):
        node = "pack%d" % (i + 1)
        out += [
            {"name": node + "_tou_on", "kind": "at", "at": "10s", "subject": "signal",
             "signal": "TEL.Mode_TOU", "node": node, "eq": 1},
            {"name": node + "_night_import", "kind": "at", "at": "17940s", "subject": "signal",
             "signal": "TEL.E_grid", "node": node, "gt": 0},
            {"name": node + "_reset_at_05", "kind": "within", "after": "5h", "within": "5s",
             "subject": "signal", "signal": "TEL.E_grid", "node": node, "eq": 0},
        ]
    return out


def write(name, doc):
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def main():
    full = ("%d Energy-Packs through a summer day from midnight, full fidelity (firmware, BMS "
            "over Modbus, CT sampling, inverter, grid, loads, PV, CAN heartbeats and telemetry), "
            "one Time-of-Use window and the 05:00 reset: a benchmark reference workload.")
    s4 = scenario("bench_s4", 4, "24h", full % 4)
    s4["assertions"] = checks(4)
    write("s4", s4)
    write("s127", scenario("bench_s127", 126, "24h", full % 126))
    for n in (1, 2, 4, 8, 16, 32, 64, 127):
        packs = min(n, 126)  # 127 nodes at most, the gateway included
        write("scale_%d" % n, scenario(
            "bench_scale_%d" % n, packs, "1h",
            "%d Energy-Packs for one hour from midnight: the benchmark's scaling series." % packs))
    for n in (1, 127):
        write("mem_testnode_%d" % n, testnodes(n))


def testnodes(n):
    return {
        "name": "bench_mem_testnode_%d" % n,
        "description": "%d nodes running the test firmware: memory per node at its floor." % n,
        "seed": 1,
        "duration": "10s",
        "plugin": "testnode",
        "nodes": [{"name": "n%d" % i, "mac": mac_for(i)} for i in range(n)],
    }


if __name__ == "__main__":
    main()
