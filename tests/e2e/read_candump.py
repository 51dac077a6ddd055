"""Reads a bus.log with python-can's LogReader and checks every line became one message with
the same identifier, data and microsecond timestamp. Usage: read_candump.py BUS_LOG N_FRAMES"""
import re
import sys

import can

path, expected = sys.argv[1], int(sys.argv[2])
line_re = re.compile(r"^\((\d{10})\.(\d{6})\) (\S+) ([0-9A-F]{3}|[0-9A-F]{8})#(R\d?|[0-9A-F]*)$")
lines = [l.rstrip("\n") for l in open(path) if l.strip()]
msgs = list(can.LogReader(path))
if len(msgs) != len(lines) or len(lines) != expected:
    sys.exit(f"python-can read {len(msgs)} messages from {len(lines)} lines, expected {expected}")
for line, msg in zip(lines, msgs):
    m = line_re.match(line)
    if not m:
        sys.exit(f"not a candump line: {line!r}")
    sec, usec, _iface, ident, data = m.groups()
    if msg.arbitration_id != int(ident, 16):
        sys.exit(f"id mismatch: {line!r} -> {msg.arbitration_id:X}")
    if not data.startswith("R") and msg.data.hex().upper() != data:
        sys.exit(f"data mismatch: {line!r} -> {msg.data.hex()}")
    if round(msg.timestamp * 1e6) != int(sec) * 1_000_000 + int(usec):
        sys.exit(f"timestamp mismatch: {line!r} -> {msg.timestamp}")
print(f"python-can read {len(msgs)} frames, all equal")
