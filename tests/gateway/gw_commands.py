"""App commands (MQTT alfaspark/cmd/<name>) turned into dispatch-table CAN frames.

Each command name is the firmware command's DBC name without "CMD_", in lower case, and takes
the same arguments as the scenario verb of that name (docs/scenario-format.md, "Gateway
commands"), so one vocabulary serves scenarios, the app and the gateway:

    alfaspark/cmd/set_eco_limit   {"limit_w": 1500}
    alfaspark/cmd/set_eco         {"on": true, "node": 50, "id": "app-17"}
    alfaspark/cmd/mode            {"mode": "Eco", "on": true}       (the earlier app topic)

`node` (0-127, default 127 = every pack) is the target byte; `id` is an optional request
identifier echoed in the ACK messages. Arguments are checked against their wire type only (a
u8 is 0-255): the firmware's rules (Eco refused while its limit is 0, 2-30 kWh, ...) stay in
one place, and the firmware answers a breach with a NACK that the app sees on alfaspark/ack/.
"""
import json
import math
import re

from gw_signals import SignalError

BROADCAST = 127

# Limits on a command payload: far above any real command, low enough that a hostile payload
# costs nothing to refuse.
MAX_PAYLOAD_BYTES = 65536
MAX_DEPTH = 32
MAX_DIGITS = 20

RELAY_INDEX = {"R1": 0, "R2": 1, "R3": 2, "R4": 3}
RELAY_STATE = {"disconnected": 0, "connected": 1, "auto": 2}

# The earlier app topic alfaspark/commands/mode named modes by their ModeID (1 Self ... 5
# GridLimit); these are the names an app is likely to send, folded to lower case.
MODE_COMMAND = {
    "self": "set_self_consumption",
    "selfconsumption": "set_self_consumption",
    "self_consumption": "set_self_consumption",
    "eco": "set_eco",
    "tou": "set_tou",
    "backup": "set_backup",
    "gridlimit": "set_grid_limit_mode",
    "grid_limit": "set_grid_limit_mode",
}

_HHMM = re.compile(r"^([0-9]{2}):([0-9]{2})$")
_DECIMAL = re.compile(r"[0-9]+", re.ASCII)
_HEX = re.compile(r"0[xX][0-9a-fA-F]+", re.ASCII)


class CommandError(ValueError):
    """A command the gateway cannot turn into a frame (unknown name, bad JSON argument)."""


def _take(args, key, required=True, default=None):
    if key in args:
        return args.pop(key)
    if required:
        raise CommandError(f'missing argument "{key}"')
    return default


def _integer(value, key):
    """A JSON integer, or a string of decimal digits or "0x" and hex digits (nothing else:
    no sign, spaces, underscores or non-ASCII digits, which Python's int() would accept)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise CommandError(f'"{key}" must be an integer or a "0x" hex string')
    if isinstance(value, str):
        if _HEX.fullmatch(value) and len(value) <= MAX_DIGITS + 2:
            return int(value, 16)
        if _DECIMAL.fullmatch(value) and len(value) <= MAX_DIGITS:
            return int(value, 10)
        raise CommandError(f'"{key}": cannot read {value!r} as a number')
    return value


def _no_duplicates(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise CommandError(f'key "{key}" given twice')
        out[key] = value
    return out


def _json_int(text):
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise CommandError(f"a number with more than {MAX_DIGITS} digits")
    return int(text)


def _json_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise CommandError(f"{text} is out of range for a number")
    return value


def _json_constant(text):
    raise CommandError(f"{text} is not JSON")


def _depth(value):
    """How deeply arrays and objects nest in value (0 for a scalar), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in children)
    return deepest


def parse_payload(payload):
    """The JSON object of an MQTT command payload (bytes); CommandError says what is wrong.

    Strict JSON in UTF-8: no NaN or Infinity (they could not be echoed back as JSON), no key
    given twice (which value was meant?), at most MAX_PAYLOAD_BYTES, MAX_DEPTH levels of
    nesting and MAX_DIGITS digits per integer. An empty payload is refused: it is how MQTT
    clears a retained message, so it must not act as a command.
    """
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise CommandError(f"payload of {len(payload)} bytes: at most {MAX_PAYLOAD_BYTES}")
    if not payload.strip():
        raise CommandError("an empty payload is not a command (it clears a retained message); "
                           "send {} for a command without arguments")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CommandError(f"payload is not UTF-8 (byte {e.start})") from None
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_int=_json_int,
                           parse_float=_json_float, parse_constant=_json_constant)
    except CommandError as e:
        raise CommandError(f"payload is not JSON: {e}") from None
    except RecursionError:
        raise CommandError(f"payload nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as e:
        raise CommandError(f"payload is not JSON: {e}") from None
    if _depth(value) > MAX_DEPTH:
        raise CommandError(f"payload nests deeper than {MAX_DEPTH} levels")
    if not isinstance(value, dict):
        raise CommandError("the payload must be a JSON object")
    return value


def _on(args):
    value = _take(args, "on")
    if isinstance(value, bool):
        return {"On": int(value)}
    raise CommandError('"on" must be true or false')


def _hhmm(value, key):
    m = _HHMM.match(value) if isinstance(value, str) else None
    if not m:
        raise CommandError(f'"{key}" must be a time "HH:MM"')
    return int(m.group(1)), int(m.group(2))


def _tou_window(args):
    sh, sm = _hhmm(_take(args, "start"), "start")
    eh, em = _hhmm(_take(args, "end"), "end")
    return {"StartHour": sh, "StartMinute": sm, "EndHour": eh, "EndMinute": em}


def _relay(args):
    relay = _take(args, "relay")
    state = _take(args, "state")
    if relay not in RELAY_INDEX:
        raise CommandError('"relay" must be one of "R1", "R2", "R3", "R4"')
    if state not in RELAY_STATE:
        raise CommandError('"state" must be "disconnected", "connected" or "auto"')
    return {"RelayIndex": RELAY_INDEX[relay], "RelayState": RELAY_STATE[state]}


def _factory_reset(args):
    magic = _integer(_take(args, "magic", required=False, default=0xA55A), "magic")
    if not 0 <= magic <= 0xFFFF:
        raise CommandError('"magic" must fit 16 bits')
    return {"Magic1": magic >> 8, "Magic2": magic & 0xFF}


def _numbers(*pairs):
    """Arguments that are plain integers: (json key, signal name) pairs."""

    def convert(args):
        return {sig: _integer(_take(args, key), key) for key, sig in pairs}

    return convert


# name -> argument converter (JSON object -> {signal: value}); the CAN message is CMD_<NAME>.
ARGUMENTS = {
    "set_self_consumption": _on,
    "set_eco": _on,
    "set_tou": _on,
    "set_backup": _on,
    "set_grid_limit_mode": _on,
    "set_eco_limit": _numbers(("limit_w", "EcoLimit")),
    "reset_grid_energy": _numbers(),
    "ota_trigger": _numbers(("major", "ImageMajor"), ("minor", "ImageMinor")),
    "set_grid_limit_kwh": _numbers(("kwh", "GridLimit")),
    "set_tou_window": _tou_window,
    "set_relay": _relay,
    "set_mode_mask": _numbers(("mask", "ModeMask")),
    "set_sc_thresholds": _numbers(("low_percent", "LowPct"), ("high_percent", "HighPct")),
    "request_status": _numbers(),
    "factory_reset": _factory_reset,
}


def resolve_mode(args):
    """alfaspark/cmd/mode {"mode": "Eco", "on": true} -> ("set_eco", {"on": true, ...})."""
    mode = args.pop("mode", None)
    if not isinstance(mode, str) or mode.lower() not in MODE_COMMAND:
        raise CommandError('"mode" must be one of Self, Eco, TOU, Backup, GridLimit')
    return MODE_COMMAND[mode.lower()], args


class Command:
    """One command ready to send: its name, frame and what the ACKs must match."""

    def __init__(self, name, can_id, target, seq, request_id, data):
        self.name = name
        self.can_id = can_id
        self.target = target
        self.seq = seq
        self.request_id = request_id
        self.data = data


class Commands:
    """The command names bound to the signal table's identifiers."""

    def __init__(self, table):
        self.table = table
        self.ids = {name: table.message("CMD_" + name.upper()).id for name in ARGUMENTS}
        self.names = {can_id: name for name, can_id in self.ids.items()}

    def name_of(self, cmd_id):
        """0x202 -> "set_eco"; an identifier the table does not assign -> "cmd_0x210"."""
        return self.names.get(cmd_id, f"cmd_0x{cmd_id:03x}")

    def build(self, name, args, seq):
        """The Command for name with JSON object args and sequence number seq.

        A key left over after the command took its arguments is an error, so a misspelt
        argument ("limit": 1500) is refused instead of silently sending 0.
        """
        if not isinstance(args, dict):
            raise CommandError("the payload must be a JSON object")
        args = dict(args)
        if name == "mode":
            name, args = resolve_mode(args)
        if name not in ARGUMENTS:
            raise CommandError(f'unknown command "{name}"')
        request_id = args.pop("id", None)
        target = _integer(_take(args, "node", required=False, default=BROADCAST), "node")
        if not 0 <= target <= BROADCAST:
            raise CommandError('"node" must be a NodeID 0-126, or 127 for every pack')
        values = ARGUMENTS[name](args)
        if args:
            raise CommandError(f'unknown argument "{sorted(args)[0]}" for {name}')
        message = self.table.message("CMD_" + name.upper())
        values.update({"Target": target, "Seq": seq})
        try:
            data = message.encode(values)
        except SignalError as e:
            raise CommandError(str(e)) from None
        return Command(name, message.id, target, seq, request_id, data)
