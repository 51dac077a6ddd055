#!/usr/bin/python3
"""Write a copy of a bus.pcap with one deviation, for check_candump.py --pcap to reject.

Usage: corrupt_pcap.py KIND SRC DST

The packet to change is found by what it holds (the first one that fits), so any bus.pcap with
such a packet will do; trace_interop's has one of each. Exits 0, or 2 when SRC has no packet the
kind applies to (or on a usage error). The kinds, and the field check_candump.py must then name:

  data        one data bit of an 8-byte data frame               data.data
  time        a data frame one microsecond late                  frame.time_epoch
  xtd         the extended flag set on a standard frame          can.flags.xtd
  rtr         the remote flag cleared on a remote frame          can.flags.rtr
  len         the length of an 8-byte data frame minus one       can.len
  padding     a non-zero byte past the length                    can.padding
  busoff      a bus-off error frame turned into "restarted"      can.err.busoff
  location    the protocol-violation location changed            can.err.prot.location
  drop        the last packet left out                           Number of packets
  usec        the file header says microseconds                  File timestamp precision
  linktype    the file header's link type is not SocketCAN       File encapsulation
"""
import struct
import sys

FILE_HDR, REC_HDR, CAN_MTU = 24, 16, 16
EFF, RTR, ERR = 0x80000000, 0x40000000, 0x20000000


def die(msg):
    print(f"corrupt_pcap: {msg}", file=sys.stderr)
    sys.exit(2)


def packets(buf):
    """(record offset, can_id, length) of every packet; each is CAN_MTU bytes (docs/traces.md)."""
    off = FILE_HDR
    while off < len(buf):
        caplen = struct.unpack_from("<I", buf, off + 8)[0]
        if caplen != CAN_MTU or off + REC_HDR + caplen > len(buf):
            die(f"packet at offset {off} is not {CAN_MTU} bytes")
        pkt = off + REC_HDR
        yield off, struct.unpack_from(">I", buf, pkt)[0], buf[pkt + 4]
        off = pkt + caplen


def first(buf, what, fits):
    for rec, can_id, length in packets(buf):
        if fits(can_id, length):
            return rec, rec + REC_HDR
    die(f"no {what} in the file")


def main():
    if len(sys.argv) != 4:
        die("usage: corrupt_pcap.py KIND SRC DST")
    kind, src, dst = sys.argv[1:]
    with open(src, "rb") as f:
        buf = bytearray(f.read())
    if struct.unpack_from("<I", buf, 0)[0] != 0xA1B23C4D:
        die("not a little-endian nanosecond pcap")

    def std_data(can_id, length):
        return not can_id & (EFF | RTR | ERR) and length == 8

    if kind == "data":
        _, pkt = first(buf, "8-byte standard data frame", std_data)
        buf[pkt + 8 + 7] ^= 0x01
    elif kind == "time":
        rec, _ = first(buf, "8-byte standard data frame", std_data)
        ns = struct.unpack_from("<I", buf, rec + 4)[0] + 1000
        struct.pack_into("<II", buf, rec, struct.unpack_from("<I", buf, rec)[0] + ns // 10**9,
                         ns % 10**9)
    elif kind == "xtd":
        _, pkt = first(buf, "8-byte standard data frame", std_data)
        buf[pkt] |= 0x80
    elif kind == "rtr":
        _, pkt = first(buf, "remote frame", lambda i, n: i & RTR and not i & ERR)
        buf[pkt] &= 0xBF
    elif kind == "len":
        _, pkt = first(buf, "8-byte standard data frame", std_data)
        buf[pkt + 4] = 7
    elif kind == "padding":
        _, pkt = first(buf, "data frame shorter than 8", lambda i, n: not i & ERR and n < 8)
        buf[pkt + 15] = 0x55
    elif kind == "busoff":
        _, pkt = first(buf, "bus-off error frame", lambda i, n: i == ERR | 0x40)
        struct.pack_into(">I", buf, pkt, ERR | 0x100)
    elif kind == "location":
        _, pkt = first(buf, "protocol-violation error frame", lambda i, n: i & ERR and i & 0x08)
        buf[pkt + 8 + 3] ^= 0x01
    elif kind == "drop":
        rec = [r for r, _, _ in packets(buf)][-1]
        del buf[rec:]
    elif kind == "usec":
        struct.pack_into("<I", buf, 0, 0xA1B2C3D4)
    elif kind == "linktype":
        struct.pack_into("<I", buf, 20, 1)  # LINKTYPE_ETHERNET
    else:
        die(f"unknown kind {kind!r}")
    with open(dst, "wb") as f:
        f.write(buf)


if __name__ == "__main__":
    main()
