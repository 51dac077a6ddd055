"""Reading alfasim's bus.log and `candump -L` output, the one parser the bridge and gateway checks share.

Both are the candump log format: `(SSSSSSSSSS.UUUUUU) IFACE ID#DATA`, a standard identifier in three
hex digits, an extended one in eight. An error-frame record (an eight-digit identifier with
CAN_ERR_FLAG) is not a frame on the wire; readers usually leave it out.
"""
import collections
import re

CAN_ERR_FLAG = 0x20000000

LINE = re.compile(r"^\((\d{10})\.(\d{6})\) (\S+) ([0-9A-F]{3}|[0-9A-F]{8})#([0-9A-F]*)$")

Frame = collections.namedtuple("Frame", "id data us iface extended")


def read_frames(path, strict=True, skip_error_frames=True):
    """The frames of a candump log, in file order.

    strict: a line that is not a frame record ends the program with a message naming it;
    otherwise such lines are passed over (candump prints none, but a truncated file may end in one).
    """
    frames = []
    with open(path, encoding="ascii") as f:
        for line in f:
            m = LINE.match(line.strip())
            if not m:
                if strict:
                    raise SystemExit(f"{path}: unexpected line: {line!r}")
                continue
            ident = int(m.group(4), 16)
            extended = len(m.group(4)) == 8
            if skip_error_frames and extended and ident & CAN_ERR_FLAG:
                continue
            us = int(m.group(1)) * 1000000 + int(m.group(2))
            frames.append(Frame(ident, bytes.fromhex(m.group(5)), us, m.group(3), extended))
    return frames
