"""The Orange Pi gateway's logic (spec/firmware.md §12), free of sockets and threads.

GatewayCore is driven by two inputs and acts through two outputs, all injected:

    on_frame(can_id, data, t)   a CAN frame with its bus timestamp (seconds)
    on_mqtt(topic, payload)     an MQTT message on one of subscriptions()
    send(can_id, data)          puts one classic 11-bit frame on the bus
    publish(topic, text, retain)

What it does:
  * TEL pages (0x100+N) -> <prefix>/<N>/telemetry, one JSON object per complete set of the
    four pages, with the identity from N's latest ANN; <prefix>/<N>/availability is "online"
    while N's telemetry is at most PACK_STALE_S old;
  * ANN (0x300+N) -> the election table; <prefix>/master (retained) whenever the master the
    rule gives changes, <prefix>/master/mismatch (retained) whenever the set of nodes whose
    is-master claim disagrees changes;
  * aggregate pages (0x180-0x182) -> <prefix>/aggregate, once per complete set;
  * events (0x400+N) -> <prefix>/<N>/event;
  * <prefix>/cmd/<name> (and <prefix>/ota/trigger) -> ONE command frame, target 127 unless
    the payload names a node; each ACK -> <prefix>/ack/<name>, and when every expected pack
    answered or the wait ran out -> <prefix>/ack/<name>/result;
  * the time broadcast 0x7FF [hour, day, minute, month, year - 2000] whenever the local minute
    changes (so every 60 s, close to each whole minute), and one at start;
  * REQUEST_STATUS once when the bus first shows traffic, and to a pack whose telemetry
    arrives before its ANN: the gateway never announces, so the packs would otherwise stay
    anonymous until their next 60 s announcement;
  * Home Assistant discovery configs (retained), re-sent when Home Assistant comes online;
    every retained topic is published again whenever the broker connection is made again.

Frames the packs would ignore (a TEL, ANN, ACK or aggregate frame shorter than its DLC, an
unknown TEL page, an ANN of an unknown device type) are ignored here too. A command payload
that is not a plain JSON object (gw_commands.parse_payload), and a retained command, are
refused on <prefix>/ack/<name> without a frame.

It transmits only commands and the time broadcast, never on the election identifiers. Frame
decoding and encoding go through the signal table (gw_signals), never through hand-written
offsets. Time is bus time only (gw_clock): fed the same frames and messages, the core sends and
publishes the same things (with EpochClock, to the byte).
"""
import json

import gw_discovery
from gw_acks import STATUS_TEXT, AckTracker
from gw_commands import BROADCAST, CommandError, Commands, parse_payload
from gw_election import DEVICE_GATEWAY, DEVICE_PACK, Election

# Frames that are ignored when shorter than the table's DLC.
FULL_LENGTH = ("TEL", "ANN", "ACK", "AGG_P0", "AGG_P1", "AGG_P2")
PACK_STALE_S = 10.0  # five missed control ticks
RESTART_S = 10.0  # bus time going back this far means a new run on the link
STATUS_RETRY_S = 10.0  # at most one REQUEST_STATUS per pack this often
WARN_EVERY_S = 60.0

EVENT_NAMES = {
    1: "bms_timeout",
    2: "bms_crc",
    3: "bms_stale",
    4: "bms_alarm",
    5: "can_bus_off",
    6: "node_id_collision",
    7: "watchdog_reset",
    8: "grid_limit_tripped",
    9: "loads_limit",
    10: "time_broadcast_invalid",
}

DEVICE_NAMES = {DEVICE_PACK: "Energy-Pack", DEVICE_GATEWAY: "Energy-Gateway"}


def dump(obj):
    return json.dumps(obj, separators=(",", ":"))


class PackState:
    """The latest decoded TEL pages of one NodeID."""

    def __init__(self):
        self.pages = {}
        self.fresh = set()
        self.last_tel = None
        self.online = None
        self.status_asked = None


class GatewayCore:
    """See the module documentation."""

    def __init__(self, table, publish, send, clock, prefix="alfaspark", discovery="homeassistant",
                 log=None):
        self.table = table
        self.publish = publish
        self.send = send
        self.clock = clock
        self.prefix = prefix
        self.discovery = discovery
        self.log = log or (lambda line: None)
        self.commands = Commands(table)
        self.election = Election()
        self.acks = AckTracker()
        self.now = None
        self._reset_state()

    def _reset_state(self):
        self.packs = {}
        self.agg = {}
        self.agg_fresh = set()
        self.master = None
        self.master_published = False
        self.mismatch = None  # the first report clears one a previous run left retained
        self.mismatch_report = None
        self.time_key = None
        self.last_warning = None
        self.broadcast_asked = None
        self.ignored_logged = set()

    @staticmethod
    def check_table(table):
        """SignalError when the signal table lacks a message the gateway reads or sends."""
        for name in ("TEL", "ANN", "ACK", "EVT", "AGG_P0", "AGG_P1", "AGG_P2", "TIME"):
            table.message(name)
        Commands(table)

    # ---- CAN side -------------------------------------------------------------------------

    def on_frame(self, can_id, data, t, extended=False, remote=False):
        """One received frame; extended and remote frames are not part of the protocol."""
        if extended or remote or can_id > 0x7FF:
            return
        self._advance(t)
        msg = self.table.find(can_id)
        handler = self._handlers().get(msg.name if msg else None)
        if handler is None and msg is not None and msg.name.startswith("CMD_"):
            handler = self._on_foreign_command
        if handler is not None and self._complete(msg, can_id, data):
            handler(msg, can_id, msg.decode(data))
        self._after_frame()

    def _complete(self, msg, can_id, data):
        """False for a TEL, ANN, ACK or aggregate frame shorter than its DLC (logged once per id).

        The packs ignore such a frame too (TEL and ANN need DLC 8): read in part, it would
        publish a telemetry set with holes, or count a node the packs do not count.
        """
        if msg.name not in FULL_LENGTH or len(data) >= msg.dlc:
            return True
        if can_id not in self.ignored_logged:
            self.ignored_logged.add(can_id)
            self.log(f"ignored 0x{can_id:03X} ({msg.name}) with DLC {len(data)}: "
                     f"it needs {msg.dlc} (logged once per identifier)")
        return False

    def _handlers(self):
        return {
            "TEL": self._on_tel,
            "ANN": self._on_ann,
            "ACK": self._on_ack,
            "EVT": self._on_event,
            "AGG_P0": self._on_aggregate,
            "AGG_P1": self._on_aggregate,
            "AGG_P2": self._on_aggregate,
            "TIME": self._on_foreign_command,
        }

    def _advance(self, t):
        if self.now is not None and t < self.now - RESTART_S:
            self._restart()
        first = self.now is None
        self.now = t if first else max(self.now, t)
        self._time_broadcast()
        if first:
            self._request_status(BROADCAST, "startup")

    def _restart(self):
        self.log(f"bus time went back from {self.now:.6f} s: a new run, tables cleared")
        for node_id, st in sorted(self.packs.items()):
            if st.online:
                self.publish(f"{self.prefix}/{node_id}/availability", "offline", True)
        self.election = Election()
        self.acks.clear()
        self.clock.restart()
        self._reset_state()
        self.now = None

    def _transmit(self, can_id, data):
        try:
            self.send(can_id, data)
            return True
        except Exception as e:  # the link's own error type varies by interface
            self.log(f"cannot send 0x{can_id:03X}: {e}")
            return False

    def _time_broadcast(self):
        local = self.clock.local(self.now)
        key = (local.year, local.month, local.day, local.hour, local.minute)
        if key == self.time_key:
            return
        self.time_key = key
        values = {"Hour": local.hour, "Day": local.day, "Minute": local.minute,
                  "Month": local.month, "Year": local.year}
        msg = self.table.message("TIME")
        try:
            data = msg.encode(values)
        except ValueError as e:
            self.log(f"time broadcast not sent: {e}")
            return
        self._transmit(msg.id, data)

    def _request_status(self, target, request_id):
        if target == BROADCAST:
            self.broadcast_asked = self.now
        else:
            self.packs[target].status_asked = self.now
        self._command("request_status", {"node": target, "id": request_id})

    def _on_tel(self, msg, can_id, fields):
        node_id = msg.node_of(can_id)
        page = fields.get("Page")
        if page not in (0, 1, 2, 3):
            return  # no such page: the pack is not heard from
        st = self.packs.setdefault(node_id, PackState())
        st.pages[page] = fields
        st.fresh.add(page)
        st.last_tel = self.now
        if page == 0:
            self.election.on_claim(node_id, fields.get("St_Master"))
        if node_id not in self.election.nodes:
            self._maybe_ask(node_id, st)
        if st.fresh >= {0, 1, 2, 3}:
            st.fresh.clear()
            self.publish(f"{self.prefix}/{node_id}/telemetry", dump(self._telemetry(node_id)),
                         False)

    def _maybe_ask(self, node_id, st):
        recent = [t for t in (st.status_asked, self.broadcast_asked) if t is not None]
        if not recent or self.now - max(recent) >= STATUS_RETRY_S:
            self._request_status(node_id, "unknown_node")

    def _telemetry(self, node_id):
        p = {}
        for page in sorted(self.packs[node_id].pages):
            p.update(self.packs[node_id].pages[page])
        out = {"node_id": node_id, "t": round(self.now, 6)}
        for key in ("P_grid", "P_home", "P_batt", "P_solar", "P_pool", "P_heater"):
            out[key] = p.get(key)
        soc = p.get("SOC")
        out["SOC"] = None if soc is None or soc == 0xFF else soc
        out["V_pack"] = p.get("V_pack")
        out["I_batt"] = p.get("I_batt")
        out["relays"] = {k: bool(p.get(s)) for k, s in (
            ("grid", "Relay_Grid"), ("inv", "Relay_Inverter"), ("pump", "Relay_Pool"),
            ("heater", "Relay_Heater"))}
        modes = (("self_consumption", "Mode_SelfConsumption"), ("eco", "Mode_Eco"),
                 ("tou", "Mode_TOU"), ("backup", "Mode_Backup"), ("grid_limit", "Mode_GridLimit"))
        out["mode"] = {k: bool(p.get(s)) for k, s in modes}
        out["mode_mask"] = sum(1 << i for i, (_, s) in enumerate(modes) if p.get(s))
        out["warnings"] = {"loads_limit": bool(p.get("Warn_LoadsLimit")),
                           "grid_limit": bool(p.get("Warn_GridLimit"))}
        out["status"] = {k: bool(p.get(s)) for k, s in (
            ("charging", "St_Charging"), ("bms_invalid", "St_BmsInvalid"),
            ("bms_alarm", "St_BmsAlarm"), ("is_master", "St_Master"),
            ("time_valid", "St_TimeValid"))}
        out["bms_alarm_bits"] = p.get("BmsAlarmBits")
        out["E_grid_kwh"] = p.get("E_grid")
        out["grid_limit_kwh"] = p.get("GridLimit")
        out["ota_state"] = p.get("OtaState")
        out.update(self._identity(node_id))
        return out

    def _identity(self, node_id):
        entry = self.election.nodes.get(node_id)
        if entry is None:
            return {"device_type": None, "fw_version": None, "mac_tail": None}
        return {"device_type": DEVICE_NAMES.get(entry.device_type, entry.device_type),
                "fw_version": entry.fw_version, "mac_tail": entry.mac_tail}

    def _on_ann(self, msg, can_id, fields):
        node_id = msg.node_of(can_id)
        if fields.get("DeviceType") not in DEVICE_NAMES:
            # The packs ignore an ANN of another device type (spec §9.5): counting it would
            # make the gateway name a master the packs do not follow.
            if can_id not in self.ignored_logged:
                self.ignored_logged.add(can_id)
                self.log(f"ignored 0x{can_id:03X} (ANN) of device type "
                         f"{fields.get('DeviceType')} (logged once per identifier)")
            return
        if self.election.on_ann(node_id, fields, self.now):
            entry = self.election.nodes[node_id]
            self.log(f"node {node_id}: {DEVICE_NAMES.get(entry.device_type, '?')} "
                     f"fw {entry.fw_version} MAC tail {entry.mac_tail}")
            self._publish_pack_discovery(node_id)

    def _on_aggregate(self, msg, can_id, fields):
        page = can_id - self.table.message("AGG_P0").id
        self.agg[page] = fields
        self.agg_fresh.add(page)
        if self.agg_fresh >= {0, 1, 2}:
            self.agg_fresh.clear()
            self.publish(f"{self.prefix}/aggregate", dump(self._aggregate()), False)

    def _aggregate(self):
        a = {}
        for page in sorted(self.agg):
            a.update(self.agg[page])
        avg = a.get("AvgSOC")
        return {"master_id": a.get("MasterNodeID"), "online_packs": a.get("OnlinePacks"),
                "total_solar": a.get("SumP_solar"), "avg_soc": None if avg == 0xFF else avg,
                "total_grid": a.get("SumP_grid"), "total_home": a.get("SumP_home"),
                "total_batt": a.get("SumP_batt"), "total_pool": a.get("SumP_pool"),
                "total_heater": a.get("SumP_heater"), "t": round(self.now, 6)}

    def _on_ack(self, msg, can_id, fields):
        node_id = msg.node_of(can_id)
        if "ModeMask" not in fields:
            return  # shorter than the ACK's DLC 4: not an ACK the firmware sends
        cmd_id = 0x200 | fields["Command"]
        pending = self.acks.on_ack(node_id, cmd_id, fields["Seq"], fields["Status"])
        name = self.commands.name_of(cmd_id)
        out = {"node": node_id, "cmd": name, "seq": fields["Seq"], "status": fields["Status"],
               "status_text": STATUS_TEXT.get(fields["Status"], "?"),
               "mode_mask": fields["ModeMask"], "matched": pending is not None,
               "request_id": pending.command.request_id if pending else None,
               "t": round(self.now, 6)}
        self.publish(f"{self.prefix}/ack/{name}", dump(out), False)
        if name == "ota_trigger":
            state = "accepted" if fields["Status"] == 0 else "refused"
            self.publish(f"{self.prefix}/ota/status", dump(dict(out, state=state)), False)

    def _on_event(self, msg, can_id, fields):
        node_id = msg.node_of(can_id)
        out = {"node": node_id, "name": EVENT_NAMES.get(fields.get("Code"), "unknown"),
               "t": round(self.now, 6)}
        out.update(fields)
        self.publish(f"{self.prefix}/{node_id}/event", dump(out), False)

    def _on_foreign_command(self, msg, can_id, fields):
        # Command and time frames carry no sender: a second commander on the bus (another Pi,
        # a test tool) breaks the one-commander rule (spec §9.4). Say so, at most once a minute.
        if self.last_warning is not None and self.now - self.last_warning < WARN_EVERY_S:
            return
        self.last_warning = self.now
        self.log(f"frame 0x{can_id:03X} ({msg.name}) from another commander on the bus")
        warning = {"kind": "foreign_commander", "id": f"0x{can_id:03X}", "frame": msg.name,
                   "t": round(self.now, 6)}
        self.publish(f"{self.prefix}/gateway/warning", dump(warning), False)

    def _after_frame(self):
        master = self.election.master(self.now)
        if master != self.master or not self.master_published:
            self.master = master
            self.master_published = True
            self._publish_master()
        mismatch = self.election.mismatches(self.now, master)
        if mismatch != self.mismatch:
            self.mismatch = mismatch
            report = {"master": master,
                      "nodes": [{"node": n, "claims_master": c} for n, c in mismatch],
                      "t": round(self.now, 6)}
            if mismatch:
                self.log(f"is-master flag disagrees with the rule: {report}")
            self.mismatch_report = dump(report)
            self.publish(f"{self.prefix}/master/mismatch", self.mismatch_report, True)
        for node_id, st in sorted(self.packs.items()):
            online = self.now - st.last_tel <= PACK_STALE_S
            if online != st.online:
                st.online = online
                self.publish(f"{self.prefix}/{node_id}/availability",
                             "online" if online else "offline", True)
        for pending in self.acks.collect(self.now):
            self.publish(f"{self.prefix}/ack/{pending.command.name}/result",
                         dump(pending.result()), False)

    def _publish_master(self):
        text = "null" if self.master is None else str(self.master)
        self.publish(f"{self.prefix}/master", text, True)
        live = [{"node": e.node_id, "device_type": DEVICE_NAMES.get(e.device_type),
                 "mac_tail": e.mac_tail, "last_seen": round(e.last_seen, 6)}
                for e in self.election.live(self.now)]
        info = {"master": self.master, "nodes": live, "t": round(self.now, 6)}
        self.log(f"master: {text}")
        self.publish(f"{self.prefix}/master/info", dump(info), True)

    # ---- MQTT side ------------------------------------------------------------------------

    def subscriptions(self):
        subs = [f"{self.prefix}/cmd/+", f"{self.prefix}/ota/trigger"]
        if self.discovery:
            subs.append(f"{self.discovery}/status")
        return subs

    def on_mqtt_connected(self):
        """(Re)connected to the broker: publish every retained topic again.

        A broker that restarted without persistence has lost them, and Home Assistant keeps
        an entity unavailable until it reads the pack's availability.
        """
        self.publish(f"{self.prefix}/gateway/status", "online", True)
        self._publish_all_discovery()
        if self.master_published:
            self._publish_master()
        if self.mismatch_report is not None:
            self.publish(f"{self.prefix}/master/mismatch", self.mismatch_report, True)
        for node_id, st in sorted(self.packs.items()):
            if st.online is not None:
                self.publish(f"{self.prefix}/{node_id}/availability",
                             "online" if st.online else "offline", True)

    def on_mqtt(self, topic, payload, retained=False):
        """One MQTT message; retained is its retain flag as the broker delivered it."""
        if self.discovery and topic == f"{self.discovery}/status":
            if payload.strip() == b"online":
                self._publish_all_discovery()
            return
        if topic == f"{self.prefix}/ota/trigger":
            name = "ota_trigger"
        elif topic.startswith(f"{self.prefix}/cmd/"):
            name = topic[len(self.prefix) + 5:]
        else:
            return
        if retained and payload:
            # A retained command would run again at every start of the gateway (a factory
            # reset at each reboot): it is reported, never sent.
            self._refuse(name, None, "a retained command is not executed; remove it from the "
                         f"broker (mosquitto_pub -r -n -t {topic})")
            return
        if retained:
            return  # an empty retained message is the broker saying there is none
        try:
            args = parse_payload(payload)
        except CommandError as e:
            self._refuse(name, None, str(e))
            return
        self._command(name, args)

    def _command(self, name, args):
        try:
            cmd = self.commands.build(name, args, self.acks.next_seq())
        except CommandError as e:
            request_id = args.get("id") if isinstance(args, dict) else None
            self._refuse(name, request_id, str(e))
            return
        except RuntimeError as e:  # every sequence number is waiting for its ACKs
            self._refuse(name, args.get("id") if isinstance(args, dict) else None, str(e))
            return
        if not self._transmit(cmd.can_id, cmd.data):
            self._refuse(cmd.name, cmd.request_id, "the CAN link refused the frame")
            return
        if cmd.target == BROADCAST:
            expected = self.election.live_packs(self.now) if self.now is not None else []
        else:
            expected = [cmd.target]
        self.acks.sent(cmd, self.now, expected)

    def _refuse(self, name, request_id, error):
        self.log(f"command {name} refused: {error}")
        out = {"cmd": name, "request_id": request_id, "error": error}
        self.publish(f"{self.prefix}/ack/{name}", dump(out), False)

    def _publish_pack_discovery(self, node_id):
        entry = self.election.nodes[node_id]
        if not self.discovery or entry.device_type != DEVICE_PACK:
            return
        for topic, payload in gw_discovery.pack_configs(self.discovery, self.prefix, node_id,
                                                        entry.mac_tail, entry.fw_version):
            self.publish(topic, payload, True)

    def _publish_all_discovery(self):
        if not self.discovery:
            return
        for topic, payload in gw_discovery.system_configs(self.discovery, self.prefix):
            self.publish(topic, payload, True)
        for node_id in sorted(self.election.nodes):
            self._publish_pack_discovery(node_id)
