"""The Alfaspark CAN signal table (docs/can-signals.json) as a decoder and an encoder.

The gateway never hand-codes a byte offset: every field it reads or writes goes through the
table that the firmware's own DBC test keeps equal to the firmware (docs/can-protocol.md). Bit
positions follow DBC conventions:

  * little_endian (Intel, "@1"): start_bit is the least significant bit, counted from bit 0 of
    byte 0 upwards;
  * big_endian (Motorola, "@0"): start_bit is the most significant bit, numbered as DBC does
    (byte * 8 + bit, bit 7 the top of its byte), and the field runs towards later bytes.

Physical value = raw * scale + offset. Values with an integer scale and offset stay integers,
so JSON output shows 1500, not 1500.0. Multiplexed signals (mux >= 0) decode only from frames
whose multiplexer carries that value.
"""
import json
import os


class SignalError(ValueError):
    """A value that does not fit its signal, or a name the table does not have."""


def _motorola_shift(start_bit, length, dlc):
    """Right shift of a big-endian field inside the frame read as one big-endian integer."""
    msb_linear = (start_bit // 8) * 8 + (7 - start_bit % 8)
    return dlc * 8 - (msb_linear + length)


class Signal:
    """One signal of a message: where its raw bits live and how they scale."""

    def __init__(self, spec):
        self.name = spec["name"]
        self.start_bit = spec["start_bit"]
        self.length = spec["length"]
        self.big_endian = spec["byte_order"] == "big_endian"
        self.signed = bool(spec["signed"])
        self.scale = spec["scale"]
        self.offset = spec["offset"]
        self.mux = spec.get("mux", -1)
        self.is_multiplexer = bool(spec.get("multiplexer", False))
        self.unit = spec.get("unit", "")
        self.integral = float(self.scale).is_integer() and float(self.offset).is_integer()

    def _shift(self, nbytes):
        if self.big_endian:
            return _motorola_shift(self.start_bit, self.length, nbytes)
        return self.start_bit

    def _frame_int(self, data):
        return int.from_bytes(data, "big" if self.big_endian else "little")

    def fits(self, nbytes):
        """True when the whole field lies inside a frame of nbytes bytes."""
        shift = self._shift(nbytes)
        return shift >= 0 and shift + self.length <= nbytes * 8

    def raw(self, data):
        mask = (1 << self.length) - 1
        value = (self._frame_int(data) >> self._shift(len(data))) & mask
        if self.signed and value >> (self.length - 1):
            value -= 1 << self.length
        return value

    def physical(self, raw):
        value = raw * self.scale + self.offset
        if self.integral:
            return int(value)
        # Decimal scales (0.1 V, 0.01 A): round to the scale's own precision, so that
        # 512 * 0.1 prints as 51.2 and not 51.2000000001.
        digits = max(0, len(repr(float(self.scale)).split(".")[1].rstrip("0")))
        return round(value, digits)

    def to_raw(self, value):
        """The raw integer for a physical value; SignalError when it does not fit the field."""
        if isinstance(value, bool):
            value = int(value)
        if not isinstance(value, (int, float)):
            raise SignalError(f"{self.name}: expected a number, got {value!r}")
        raw = round((value - self.offset) / self.scale)
        low, high = (0, (1 << self.length) - 1)
        if self.signed:
            low, high = -(1 << (self.length - 1)), (1 << (self.length - 1)) - 1
        if raw < low or raw > high:
            raise SignalError(f"{self.name}: {value} does not fit {self.length} bits")
        return raw

    def insert(self, frame_int, raw, nbytes):
        mask = (1 << self.length) - 1
        shift = self._shift(nbytes)
        return (frame_int & ~(mask << shift)) | ((raw & mask) << shift)


class Message:
    """One message type of the table: an identifier range and its signals."""

    def __init__(self, spec):
        self.name = spec["name"]
        self.id = spec["id"]
        self.id_last = spec["id_last"]
        self.per_node = bool(spec["per_node"])
        self.dlc = spec["dlc"]
        self.signals = [Signal(s) for s in spec["signals"]]
        self.by_name = {s.name: s for s in self.signals}
        muxers = [s for s in self.signals if s.is_multiplexer]
        self.multiplexer = muxers[0] if muxers else None

    def node_of(self, can_id):
        """The sender's NodeID for a per-node message (id = base + N), else None."""
        return can_id - self.id if self.per_node else None

    def decode(self, data):
        """{signal: physical value} for every signal the frame carries in full."""
        data = bytes(data)
        page = None
        if self.multiplexer is not None:
            if not self.multiplexer.fits(len(data)):
                return {}
            page = self.multiplexer.raw(data)
        out = {}
        for sig in self.signals:
            if sig.mux >= 0 and sig.mux != page:
                continue
            if sig.fits(len(data)):
                out[sig.name] = sig.physical(sig.raw(data))
        return out

    def encode(self, values):
        """The frame's bytes (DLC from the table) with the given physical values, others 0.

        Intel fields are placed on the frame read as a little-endian integer and Motorola
        fields on it read as a big-endian one; the two images are then merged byte by byte
        (fields never overlap in the table).
        """
        unknown = sorted(set(values) - set(self.by_name))
        if unknown:
            raise SignalError(f"{self.name}: unknown signal {unknown[0]}")
        little = 0
        big = 0
        for name, value in values.items():
            sig = self.by_name[name]
            raw = sig.to_raw(value)
            if sig.big_endian:
                big = sig.insert(big, raw, self.dlc)
            else:
                little = sig.insert(little, raw, self.dlc)
        images = zip(little.to_bytes(self.dlc, "little"), big.to_bytes(self.dlc, "big"))
        return bytes(a | b for a, b in images)


class SignalTable:
    """docs/can-signals.json: look messages up by identifier or by name."""

    def __init__(self, doc):
        self.bitrate = doc.get("bitrate", 500000)
        self.messages = [Message(m) for m in doc["messages"]]
        self.by_name = {m.name: m for m in self.messages}

    @classmethod
    def load(cls, path):
        """The table in the file path; SignalError naming the file when that fails."""
        try:
            with open(path, encoding="utf-8") as f:
                return cls(json.load(f))
        except OSError as e:
            raise SignalError(f"cannot read the signal table {path}: {e.strerror or e}") from None
        except KeyError as e:
            raise SignalError(f"{path} is not a signal table: missing key {e}") from None
        except (ValueError, TypeError, AttributeError) as e:
            raise SignalError(f"{path} is not a signal table: {e}") from None

    @staticmethod
    def default_path():
        """docs/can-signals.json of the source tree this script lives in."""
        here = os.path.dirname(os.path.abspath(__file__))
        return os.path.join(here, "..", "..", "docs", "can-signals.json")

    def find(self, can_id):
        """The message whose identifier range holds can_id, or None."""
        for msg in self.messages:
            if msg.id <= can_id <= msg.id_last:
                return msg
        return None

    def message(self, name):
        try:
            return self.by_name[name]
        except KeyError:
            raise SignalError(f"no message {name} in the signal table") from None
