#!/usr/bin/env python3
"""Reference bit counts for classic CAN data and remote frames (ISO 11898-1, frame level).

This is an independent model of the frame layout used to pin the numbers that
tests/unit/test_can_frame.c checks against core/can. It builds every frame as an explicit list
of bits, field by field, in the order the standard transmits them:

  standard: SOF | ID[10..0] | RTR | IDE=0 | r0 | DLC[3..0] | DATA | CRC[14..0]
  extended: SOF | ID[28..18] | SRR=1 | IDE=1 | ID[17..0] | RTR | r1 | r0 | DLC | DATA | CRC

then CRC delimiter, ACK slot, ACK delimiter, EOF (7) and intermission (3), none of them
stuffed. Dominant is 0, recessive is 1. SOF, r0, r1 and IDE of a standard frame are dominant.

CRC-15/CAN: generator x^15+x^14+x^10+x^8+x^7+x^4+x^3+1 (0x4599), register cleared to zero,
fed with the destuffed bits from SOF to the end of the data field.

Bit stuffing: the transmitter inserts a complementary bit after five consecutive bits of the
same value anywhere from SOF to the last CRC bit; the inserted bit is itself the first bit of
the next run.

Usage:
  can_bits.py             print the reference table (the values pinned in the C tests)
  can_bits.py --search    the most stuff bits any standard data frame with 8 bytes can have,
                          over every identifier and every data pattern (about 15 s); the
                          ISO bound floor((34 + 64 - 1) / 4) = 24 ignores the fixed bits
                          (RTR, IDE, r0, DLC) and is not reached: the maximum is 22
"""

import itertools
import sys

POLY = 0x4599
TAIL_BITS = 1 + 1 + 1 + 7 + 3  # CRC delim, ACK slot, ACK delim, EOF, intermission


def field(value, width):
    """The bits of value, most significant first."""
    return [(value >> (width - 1 - i)) & 1 for i in range(width)]


def crc15(bits):
    reg = 0
    for b in bits:
        top = (reg >> 14) & 1
        reg = (reg << 1) & 0x7FFF
        if b ^ top:
            reg ^= POLY
    return reg


def unstuffed(can_id, data, extended=False, remote=False, dlc=None):
    """SOF through CRC, before stuffing."""
    if dlc is None:
        dlc = len(data)
    bits = [0]  # SOF
    if extended:
        bits += field(can_id >> 18, 11)
        bits += [1, 1]  # SRR, IDE
        bits += field(can_id & 0x3FFFF, 18)
        bits += [1 if remote else 0, 0, 0]  # RTR, r1, r0
    else:
        bits += field(can_id, 11)
        bits += [1 if remote else 0, 0, 0]  # RTR, IDE, r0
    bits += field(dlc, 4)
    if not remote:
        for byte in data[: min(dlc, 8)]:
            bits += field(byte, 8)
    crc = crc15(bits)
    return bits + field(crc, 15), crc


def stuff(bits):
    """Returns the stuffed sequence and the number of stuff bits inserted."""
    out = []
    last = None
    run = 0
    inserted = 0
    for b in bits:
        out.append(b)
        if b == last:
            run += 1
        else:
            last, run = b, 1
        if run == 5:
            s = 1 - b
            out.append(s)
            inserted += 1
            last, run = s, 1
    return out, inserted


def frame_bits(can_id, data, extended=False, remote=False, dlc=None):
    raw, crc = unstuffed(can_id, data, extended, remote, dlc)
    wire, n_stuff = stuff(raw)
    return len(wire) + TAIL_BITS, n_stuff, crc


# (label, id, data, extended, remote, dlc): the frames the C tests pin.
REFERENCE = [
    ("std 0x000 8x00", 0x000, [0] * 8, False, False, None),
    ("std 0x7FF empty", 0x7FF, [], False, False, None),
    ("std 0x555 AAx4 no stuffing", 0x555, [0xAA] * 4, False, False, None),
    ("std 0x555 55x8", 0x555, [0x55] * 8, False, False, None),
    ("std 0x123 11 22 33", 0x123, [0x11, 0x22, 0x33], False, False, None),
    ("std 0x7FF 8xFF", 0x7FF, [0xFF] * 8, False, False, None),
    ("ext 0x18FF50E5 1..8", 0x18FF50E5, [1, 2, 3, 4, 5, 6, 7, 8], True, False, None),
    ("ext 0x00000000 empty", 0x00000000, [], True, False, None),
    ("rtr std 0x123 dlc 8", 0x123, [], False, True, 8),
    ("rtr ext 0x1ABCDE01 dlc 2", 0x1ABCDE01, [], True, True, 2),
    # The maximum over every identifier and data pattern, found by --search.
    ("worst std 0x078", 0x078, [0x01, 0xE1, 0xE1, 0xE1, 0xE1, 0xE1, 0xE0, 0x0F], False, False, None),
    ("std 0x02F 3Cx8", 0x02F, [0x3C] * 8, False, False, None),
]


def print_reference():
    print("label                       crc     stuff  bits  ns@500k")
    for label, can_id, data, ext, rtr, dlc in REFERENCE:
        bits, n_stuff, crc = frame_bits(can_id, data, ext, rtr, dlc)
        print(f"{label:26s}  0x{crc:04X}  {n_stuff:5d}  {bits:4d}  {bits * 2000}")


def header_state(can_id):
    """Stuffing state after SOF..DLC of a standard data frame with 8 bytes."""
    raw = [0] + field(can_id, 11) + [0, 0, 0] + field(8, 4)
    reg, last, run, n_stuff = 0, None, 0, 0
    for b in raw:
        reg = crc_step(reg, b)
        last, run, n_stuff = run_step(last, run, n_stuff, b)
    return reg, last, run, n_stuff


def crc_step(reg, b):
    top = (reg >> 14) & 1
    reg = (reg << 1) & 0x7FFF
    return reg ^ POLY if b ^ top else reg


def run_step(last, run, n_stuff, b):
    """One transmitted bit: the new (last value, run length, stuff count)."""
    if b == last:
        run += 1
    else:
        last, run = b, 1
    if run == 5:
        return 1 - b, 1, n_stuff + 1
    return last, run, n_stuff


def crc_unstep(reg2, b):
    """The register before crc_step(reg, b) gave reg2 (POLY has bit 0 set, so it tells)."""
    top = (reg2 & 1) ^ b
    shifted = reg2 ^ (POLY if top ^ b else 0)
    return (shifted >> 1) | (top << 14)


def search():
    """The most stuff bits of any standard data frame with 8 bytes, over every identifier and
    every data pattern. Dynamic programming over the state that decides all later stuffing:
    the CRC register and the current run (its value, length 1..4). For each state only the best
    stuff count so far matters. A state is reg * 8 + value * 4 + (length - 1); each layer keeps,
    per state, the previous run state and the data bit that reached it, and crc_unstep recovers
    the previous register, so one frame with the maximum can be rebuilt."""
    n_states = 0x8000 * 8
    best = bytearray(b"\xff") * n_states  # 255: unreachable
    first_id = {}
    for can_id in range(0x800):
        reg, last, run, n_stuff = header_state(can_id)
        st = reg * 8 + last * 4 + run - 1
        if best[st] == 255 or best[st] < n_stuff:
            best[st] = n_stuff
            first_id[st] = can_id
    links = []
    for _ in range(64):
        nxt = bytearray(b"\xff") * n_states
        link = bytearray(n_states)
        for st in range(n_states):
            n_stuff = best[st]
            if n_stuff == 255:
                continue
            reg, rs = st >> 3, st & 7
            last, run = rs >> 2, (rs & 3) + 1
            for b in (0, 1):
                last2, run2, n2 = run_step(last, run, n_stuff, b)
                st2 = crc_step(reg, b) * 8 + last2 * 4 + run2 - 1
                if nxt[st2] == 255 or nxt[st2] < n2:
                    nxt[st2] = n2
                    link[st2] = rs * 2 + b
        links.append(link)
        best = nxt
    best_total, best_st = -1, None
    for st in range(n_states):
        n_stuff = best[st]
        if n_stuff == 255:
            continue
        reg, last, run = st >> 3, (st >> 2) & 1, (st & 3) + 1
        for b in field(reg, 15):
            last, run, n_stuff = run_step(last, run, n_stuff, b)
        if n_stuff > best_total:
            best_total, best_st = n_stuff, st
    data_bits = []
    st = best_st
    for link in reversed(links):
        rs, b = link[st] >> 1, link[st] & 1
        data_bits.append(b)
        st = crc_unstep(st >> 3, b) * 8 + rs
    data_bits.reverse()
    can_id = first_id[st]
    data = [int("".join(map(str, data_bits[i:i + 8])), 2) for i in range(0, 64, 8)]
    bits, n_stuff, crc = frame_bits(can_id, data)
    assert n_stuff == best_total, (n_stuff, best_total)
    hexdata = " ".join(f"{d:02X}" for d in data)
    print(f"max stuff bits {n_stuff}: id 0x{can_id:03X} data {hexdata} crc 0x{crc:04X} "
          f"bits {bits} (bound: 24 stuff bits, 135 bits)")


if __name__ == "__main__":
    if "--search" in sys.argv[1:]:
        search()
    else:
        print_reference()
