#!/usr/bin/python3
"""Check an alfasim bus.log with independent readers of the candump -l format.

Every line must match the strict grammar alfasim promises (docs/traces.md), and then:

  * python-can's can.LogReader must read every line back as the same frame: identifier, width,
    remote flag, DLC, data, channel and timestamp (error frames with CAN_ERR_BUSERROR come back as
    error frames; other error classes as extended frames whose id is the class, a python-can
    quirk);
  * with --log2asc, can-utils' log2asc must exit 0 and print one ASC line per frame, matching
    identifier, width, remote flag, DLC, data, channel number and relative time (frames in the
    first second of virtual time all show 0: log2asc treats seconds == 0 as "no start yet");
  * with --pcap, tshark (when installed) must read as many packets as the log has lines, none
    malformed, with the same identifiers; without tshark the script exits 77 (CTest's skip code)
    after the other checks passed.

Prints "frames N" and exits 0 when everything agrees, 1 with the first difference otherwise.
Run with /usr/bin/python3 (python3-can is a Debian package).
"""
import argparse
import re
import shutil
import subprocess
import sys

import can

CAN_ERR_FLAG = 0x20000000
CAN_ERR_BUSERROR = 0x00000080

LINE = re.compile(
    r"^\((?P<sec>[0-9]{10})\.(?P<usec>[0-9]{6})\) (?P<iface>[!-~]{1,15}) "
    r"(?P<id>[0-9A-F]{3}|[0-9A-F]{8})#(?P<body>R[0-8]?|(?:[0-9A-F]{2}){0,8})$"
)


class Mismatch(Exception):
    pass


def parse_log(path):
    """The frames of bus.log as dicts, by the strict grammar alone."""
    frames = []
    with open(path, "rb") as f:
        raw = f.read()
    if raw and not raw.endswith(b"\n"):
        raise Mismatch("the last line has no newline")
    for n, line in enumerate(raw.decode("ascii").split("\n")[:-1], 1):
        m = LINE.match(line)
        if not m:
            raise Mismatch(f"line {n}: not candump -l grammar: {line!r}")
        can_id, body = int(m["id"], 16), m["body"]
        ext = len(m["id"]) == 8
        err = ext and bool(can_id & CAN_ERR_FLAG)
        rtr = body.startswith("R")
        data = b"" if rtr else bytes.fromhex(body)
        if err and len(data) != 8:
            raise Mismatch(f"line {n}: an error frame needs 8 data bytes")
        if not ext and can_id > 0x7FF:
            raise Mismatch(f"line {n}: standard id above 0x7FF")
        frames.append(dict(n=n, line=line, t_us=int(m["sec"]) * 1000000 + int(m["usec"]),
                           iface=m["iface"], id=can_id, ext=ext, err=err, rtr=rtr,
                           dlc=int(body[1:] or 0) if rtr else len(data), data=data))
    return frames


def check_python_can(path, frames):
    msgs = list(can.LogReader(path))
    if len(msgs) != len(frames):
        raise Mismatch(f"python-can read {len(msgs)} frames, the log has {len(frames)} lines")
    for fr, msg in zip(frames, msgs):
        where = f"line {fr['n']} ({fr['line']})"
        if abs(msg.timestamp * 1e6 - fr["t_us"]) > 0.5 + fr["t_us"] * 1e-15:
            raise Mismatch(f"{where}: python-can timestamp {msg.timestamp!r}")
        if fr["err"] and fr["id"] & CAN_ERR_BUSERROR:
            if not msg.is_error_frame:
                raise Mismatch(f"{where}: python-can did not see an error frame")
            continue
        got = (msg.arbitration_id, msg.is_extended_id, msg.is_remote_frame, msg.dlc,
               bytes(msg.data or b""), msg.channel)
        want = (fr["id"] & 0x1FFFFFFF, fr["ext"], fr["rtr"], fr["dlc"], fr["data"], fr["iface"])
        if got != want:
            raise Mismatch(f"{where}: python-can read {got}, expected {want}")


ASC_FRAME = re.compile(
    r"^\s*(?P<t>[0-9]+\.[0-9]{6}) (?P<ch>[0-9]+)\s+(?:(?P<err>ErrorFrame)|"
    r"(?P<id>[0-9A-F]+)(?P<x>x?)\s+Rx\s+(?P<kind>[dr]) (?P<dlc>[0-8])(?P<data>(?: [0-9A-F]{2})*))\s*$"
)


def check_log2asc(exe, path, frames):
    ifaces = list(dict.fromkeys(fr["iface"] for fr in frames))
    out = subprocess.run([exe, "-I", path] + ifaces, capture_output=True, text=True)
    if out.returncode != 0:
        raise Mismatch(f"log2asc exited {out.returncode}: {out.stderr.strip()}")
    rows = [m for m in map(ASC_FRAME.match, out.stdout.splitlines()) if m]
    if len(rows) != len(frames):
        raise Mismatch(f"log2asc printed {len(rows)} frames, the log has {len(frames)} lines")
    t0 = None
    for fr, m in zip(frames, rows):
        where = f"line {fr['n']} ({fr['line']})"
        # log2asc (can-utils 2020.11) takes a start time whose seconds are 0 for "no start time
        # yet": in the first second of virtual time every frame restarts the clock (and the ASC
        # header). Model that rather than demand what the tool does not do.
        if t0 is None or t0 < 1000000:
            t0 = fr["t_us"]
        if abs(float(m["t"]) * 1e6 - (fr["t_us"] - t0)) > 1.5:
            raise Mismatch(f"{where}: log2asc time {m['t']}")
        if int(m["ch"]) != ifaces.index(fr["iface"]) + 1:
            raise Mismatch(f"{where}: log2asc channel {m['ch']}")
        if fr["err"]:
            if not m["err"]:
                raise Mismatch(f"{where}: log2asc did not print an ErrorFrame")
            continue
        got = (int(m["id"], 16), m["x"] == "x", m["kind"] == "r", int(m["dlc"]),
               bytes.fromhex(m["data"] or ""))
        want = (fr["id"], fr["ext"], fr["rtr"], fr["dlc"], fr["data"])
        if got != want:
            raise Mismatch(f"{where}: log2asc printed {got}, expected {want}")


def check_pcap(exe, pcap, frames):
    """True when checked, False when tshark is not installed."""
    exe = exe or shutil.which("tshark")
    if not exe:
        return False
    out = subprocess.run([exe, "-r", pcap, "-T", "fields", "-e", "can.id", "-e", "can.flags.xtd"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise Mismatch(f"tshark exited {out.returncode}: {out.stderr.strip()}")
    rows = out.stdout.splitlines()
    if len(rows) != len(frames):
        raise Mismatch(f"tshark read {len(rows)} packets, the log has {len(frames)} lines")
    for fr, row in zip(frames, rows):
        if fr["err"]:
            continue
        field = row.split("\t")[0]
        if not field or int(field, 0) != fr["id"]:
            raise Mismatch(f"line {fr['n']}: tshark can.id {field!r}, expected {fr['id']}")
    bad = subprocess.run([exe, "-r", pcap, "-Y", "_ws.malformed"], capture_output=True, text=True)
    if bad.returncode != 0 or bad.stdout.strip():
        raise Mismatch(f"tshark reports malformed packets: {bad.stdout.strip()[:200]}")
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bus_log")
    ap.add_argument("--log2asc", help="path of can-utils log2asc: also compare its ASC output")
    ap.add_argument("--expect", type=int, help="the number of frames the log must hold")
    ap.add_argument("--pcap", help="bus.pcap to compare through tshark (skip code 77 without)")
    ap.add_argument("--tshark", help="path of tshark (default: from PATH)")
    args = ap.parse_args()
    try:
        frames = parse_log(args.bus_log)
        if args.expect is not None and len(frames) != args.expect:
            raise Mismatch(f"{len(frames)} frames, expected {args.expect}")
        check_python_can(args.bus_log, frames)
        if args.log2asc:
            check_log2asc(args.log2asc, args.bus_log, frames)
        if args.pcap and not check_pcap(args.tshark, args.pcap, frames):
            print(f"frames {len(frames)}")
            print("tshark is not installed: pcap check skipped")
            return 77
    except Mismatch as e:
        print(f"{args.bus_log}: {e}", file=sys.stderr)
        return 1
    print(f"frames {len(frames)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
