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
  * with --pcap, capinfos must report SocketCAN encapsulation, nanosecond precision and one
    packet per line, and tshark (when installed) must dissect each packet as its line: the time
    (frame.time_epoch, nanoseconds, truncated to the log's microseconds), identifier, extended,
    remote and error flags, length, data bytes, zero padding and reserved bytes, and for error
    frames every class flag (Info "ERR: Bus off", ...) and the class-specific bytes Wireshark
    shows (lost-arbitration bit, controller status, protocol type and location, transceiver
    status, controller-specific bytes); no packet may be malformed or carry an expert note.
    Without tshark the script exits 77 (CTest's skip code) after the other checks passed.

Prints "frames N" and exits 0 when everything agrees, 1 with the first difference otherwise.
Run with /usr/bin/python3 (python3-can is a Debian package).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

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
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise Mismatch(f"cannot read: {e.strerror}")
    if raw and not raw.endswith(b"\n"):
        raise Mismatch("the last line has no newline")
    # A non-ASCII byte becomes U+FFFD, which the grammar then rejects with its line number.
    for n, line in enumerate(raw.decode("ascii", errors="replace").split("\n")[:-1], 1):
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


# Error classes of linux/can/error.h (can_id bits) in bit order: the tshark field and the name
# Wireshark joins into the Info column ("ERR: Bus off").
ERR_CLASSES = [
    (0x001, "can.err.tx_timeout", "Transmit timeout"),
    (0x002, "can.err.lostarb", "Lost arbitration"),
    (0x004, "can.err.ctrl", "Controller problems"),
    (0x008, "can.err.prot", "Protocol violation"),
    (0x010, "can.err.trx", "Transceiver status"),
    (0x020, "can.err.ack", "No acknowledgement"),
    (0x040, "can.err.busoff", "Bus off"),
    (0x080, "can.err.buserror", "Bus error"),
    (0x100, "can.err.restarted", "Controller restarted"),
]
CAN_ERR_LOSTARB, CAN_ERR_CRTL, CAN_ERR_PROT, CAN_ERR_TRX = 0x002, 0x004, 0x008, 0x010
# data[1] of a controller-problem frame (bits 0..6) and data[2] of a protocol violation.
ERR_CTRL_BITS = ["can.err.ctrl." + n for n in
                 ("rx_overflow", "tx_overflow", "rx_warning", "tx_warning", "rx_passive",
                  "tx_passive", "active")]
ERR_PROT_BITS = ["can.err.prot.type." + n for n in
                 ("bit", "form", "stuff", "bit0", "bit1", "overload", "active", "tx")]
PCAP_FIELDS = (
    ["frame.time_epoch", "frame.len", "frame.cap_len", "can.id", "can.flags.xtd", "can.flags.rtr",
     "can.flags.err", "can.len", "can.reserved", "data.data", "can.padding"]
    + [f for _, f, _ in ERR_CLASSES]
    + ["can.err.reserved", "can.err.lostarb.bitnum"] + ERR_CTRL_BITS + ERR_PROT_BITS
    + ["can.err.prot.location", "can.err.trx.canh", "can.err.trx.canl", "can.err.ctrl_specific",
       "_ws.col.Info"]
)


def tshark_value(field, text):
    """A field as tshark -T fields prints it, normalised: None when the packet lacks it."""
    if field in ("data.data", "can.padding", "can.reserved", "can.err.ctrl_specific"):
        return bytes.fromhex(text.replace(":", "").replace(" ", ""))  # absent: no bytes
    if text == "":
        return None
    if field == "_ws.col.Info":
        return text
    if field.startswith("can.flags.") or field in ERR_CTRL_BITS or field in ERR_PROT_BITS or \
            any(field == f for _, f, _ in ERR_CLASSES):
        # tshark 4.0 prints booleans as 1/0, later releases as True/False.
        return {"1": True, "True": True, "0": False, "False": False}.get(text, text)
    try:
        return int(text, 0)
    except ValueError:
        return text


def expected_packet(fr):
    """What tshark must dissect from the packet of one bus.log line (docs/traces.md, bus.pcap)."""
    want = {"frame.len": 16, "frame.cap_len": 16, "can.reserved": bytes(3)}
    err_fields = (["can.err.reserved", "can.err.lostarb.bitnum", "can.err.prot.location",
                   "can.err.trx.canh", "can.err.trx.canl", "can.err.ctrl_specific"]
                  + [f for _, f, _ in ERR_CLASSES] + ERR_CTRL_BITS + ERR_PROT_BITS)
    if not fr["err"]:
        want.update({f: None for f in err_fields})
        want["can.err.ctrl_specific"] = b""
        want.update({"can.id": fr["id"], "can.flags.xtd": fr["ext"], "can.flags.rtr": fr["rtr"],
                     "can.flags.err": False, "can.len": fr["dlc"],
                     # A remote frame's DLC bytes are zeros, as is everything past the DLC.
                     "data.data": bytes(fr["dlc"]) if fr["rtr"] else fr["data"],
                     "can.padding": bytes(8 - fr["dlc"])})
        return want
    cls, d = fr["id"] & 0x1FFFFFFF, fr["data"]
    want.update({"can.flags.err": True, "can.len": 8, "data.data": b"", "can.padding": b"",
                 "can.err.reserved": cls >> 9, "can.err.ctrl_specific": d[5:8]})
    names = []
    for bit, field, name in ERR_CLASSES:
        want[field] = bool(cls & bit)
        if cls & bit:
            names.append(name)
    if cls >> 9:
        names.append("Reserved")
    want["_ws.col.Info"] = "ERR: " + ", ".join(names)
    # The class-specific data bytes, each shown only under its class (bit 7 of data[1] and the
    # bytes of absent classes are not dissected, so tshark cannot judge them).
    want["can.err.lostarb.bitnum"] = d[0] if cls & CAN_ERR_LOSTARB else None
    for i, field in enumerate(ERR_CTRL_BITS):
        want[field] = bool(d[1] >> i & 1) if cls & CAN_ERR_CRTL else None
    for i, field in enumerate(ERR_PROT_BITS):
        want[field] = bool(d[2] >> i & 1) if cls & CAN_ERR_PROT else None
    want["can.err.prot.location"] = d[3] if cls & CAN_ERR_PROT else None
    want["can.err.trx.canh"] = d[4] & 0x0F if cls & CAN_ERR_TRX else None
    want["can.err.trx.canl"] = d[4] >> 4 if cls & CAN_ERR_TRX else None
    return want


def epoch_ns(text):
    """frame.time_epoch ("1.000250000") as integer nanoseconds, without going through a float."""
    m = re.fullmatch(r"([0-9]+)\.([0-9]{1,9})", text)
    if not m:
        raise Mismatch(f"tshark frame.time_epoch {text!r} is not seconds.fraction")
    return int(m[1]) * 1000000000 + int(m[2].ljust(9, "0"))


def check_capinfos(exe, pcap, frames):
    out = subprocess.run([exe, "-M", pcap], capture_output=True, text=True)
    if out.returncode != 0:
        raise Mismatch(f"capinfos exited {out.returncode}: {out.stderr.strip()}")
    info = dict(m.groups() for m in map(re.compile(r"^(\S[^:]*):\s+(.*?)\s*$").match,
                                        out.stdout.splitlines()) if m)
    want = {"File encapsulation": "socketcan", "File timestamp precision": "nanoseconds (9)",
            "Number of packets": str(len(frames))}
    for key, value in want.items():
        if info.get(key) != value:
            raise Mismatch(f"capinfos {key}: {info.get(key)!r}, expected {value!r}")


def check_pcap(exe, capinfos, pcap, frames):
    """True when checked, False when tshark is not installed.

    tshark runs with an empty configuration folder, so a personal Wireshark profile (columns,
    protocol preferences) cannot change what it reports.
    """
    exe = exe or shutil.which("tshark")
    if not exe:
        return False
    capinfos = capinfos or shutil.which("capinfos", path=os.path.dirname(exe)) or \
        shutil.which("capinfos")
    if not capinfos:
        raise Mismatch("tshark is installed but capinfos is not (both come with tshark)")
    check_capinfos(capinfos, pcap, frames)
    with tempfile.TemporaryDirectory() as conf:
        env = dict(os.environ, WIRESHARK_CONFIG_DIR=conf)
        cmd = [exe, "-r", pcap, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f"]
        for field in PCAP_FIELDS:
            cmd += ["-e", field]
        out = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if out.returncode != 0:
            raise Mismatch(f"tshark exited {out.returncode}: {out.stderr.strip()}")
        bad = subprocess.run([exe, "-r", pcap, "-Y", "_ws.malformed || _ws.expert"],
                             capture_output=True, text=True, env=env)
    rows = out.stdout.splitlines()
    if len(rows) != len(frames):
        raise Mismatch(f"tshark read {len(rows)} packets, the log has {len(frames)} lines")
    for fr, row in zip(frames, rows):
        where = f"packet {fr['n']} (bus.log line {fr['n']}: {fr['line']})"
        cols = row.split("\t")
        if len(cols) != len(PCAP_FIELDS):
            raise Mismatch(f"{where}: tshark printed {len(cols)} fields, asked for "
                           f"{len(PCAP_FIELDS)}: {row!r}")
        got = dict(zip(PCAP_FIELDS, cols))
        # bus.log has microseconds, truncated from the virtual time the pcap keeps in full.
        t_ns = epoch_ns(got["frame.time_epoch"])
        if t_ns // 1000 != fr["t_us"]:
            sec, usec = divmod(fr["t_us"], 1000000)
            raise Mismatch(f"{where}: tshark frame.time_epoch {got['frame.time_epoch']}, "
                           f"expected {sec}.{usec:06d}xxx")
        for field, value in expected_packet(fr).items():
            seen = tshark_value(field, got[field])
            if seen != value:
                want = value.hex() if isinstance(value, bytes) else value
                raise Mismatch(f"{where}: tshark {field} {got[field]!r}, expected {want!r}")
    if bad.returncode != 0 or bad.stdout.strip():
        raise Mismatch(f"tshark reports malformed packets or expert notes: "
                       f"{(bad.stdout.strip() or bad.stderr.strip())[:200]}")
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bus_log")
    ap.add_argument("--log2asc", help="path of can-utils log2asc: also compare its ASC output")
    ap.add_argument("--expect", type=int, help="the number of frames the log must hold")
    ap.add_argument("--pcap", help="bus.pcap to compare through tshark (skip code 77 without)")
    ap.add_argument("--tshark", help="path of tshark (default: from PATH)")
    ap.add_argument("--capinfos", help="path of capinfos (default: next to tshark, or from PATH)")
    args = ap.parse_args()
    try:
        frames = parse_log(args.bus_log)
        if args.expect is not None and len(frames) != args.expect:
            raise Mismatch(f"{len(frames)} frames, expected {args.expect}")
        check_python_can(args.bus_log, frames)
        if args.log2asc:
            check_log2asc(args.log2asc, args.bus_log, frames)
    except Mismatch as e:
        print(f"{args.bus_log}: {e}", file=sys.stderr)
        return 1
    try:
        if args.pcap and not check_pcap(args.tshark, args.capinfos, args.pcap, frames):
            print(f"frames {len(frames)}")
            print("tshark is not installed: pcap check skipped")
            return 77
    except Mismatch as e:
        print(f"{args.pcap}: {e}", file=sys.stderr)
        return 1
    print(f"frames {len(frames)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
