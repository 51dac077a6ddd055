#!/usr/bin/python3
"""Unit tests of the reference gateway: /usr/bin/python3 -m unittest test_gateway (in this folder).

Frames are built by hand from spec/firmware.md §9.5 and §9.10 (byte by byte, not through the
signal table), so the table-driven decoder and encoder are checked against an independent
reading of the spec. Time is the frames' bus time, set by each test; nothing sleeps.
"""
import contextlib
import datetime
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import can  # noqa: E402

import alfaspark_gateway  # noqa: E402
from gw_clock import EpochClock, parse_epoch  # noqa: E402
from gw_core import GatewayCore  # noqa: E402
from gw_signals import SignalTable  # noqa: E402

TABLE = SignalTable.load(SignalTable.default_path())
EPOCH = "2024-06-21T12:00"


def s16(value):
    return list((value & 0xFFFF).to_bytes(2, "big"))


def tel_pages(soc=55, v_dv=512, i_ca=-250, status=0x10, p=(100, 2000, -500, 1500, 0, 0),
              relays=0x0F, modes=0x00, warnings=0, e_grid=0, grid_limit=0):
    """The four TEL pages of spec §9.5, written out byte by byte."""
    return [
        bytes([0, soc] + s16(v_dv) + s16(i_ca) + [status, 0]),
        bytes([1] + s16(p[0]) + s16(p[1]) + s16(p[2]) + [0]),
        bytes([2] + s16(p[3]) + s16(p[4]) + s16(p[5]) + [0]),
        bytes([3, relays, modes, warnings] + s16(e_grid) + [grid_limit, 0]),
    ]


def ann(device=1, master=False, mac_tail=0x28000077):
    return bytes([device, 2, 5, 1 if master else 0]) + mac_tail.to_bytes(4, "big")


class Recorder:
    """The core's outputs: frames sent and messages published, in order."""

    def __init__(self):
        self.frames = []
        self.published = []

    def send(self, can_id, data):
        self.frames.append((can_id, bytes(data)))

    def publish(self, topic, payload, retain):
        self.published.append((topic, payload, retain))

    def on(self, topic):
        return [p for t, p, _ in self.published if t == topic]

    def json_on(self, topic):
        return [json.loads(p) for p in self.on(topic)]

    def frames_on(self, can_id):
        return [d for i, d in self.frames if i == can_id]


def make_core(rec=None):
    rec = rec or Recorder()
    clock = EpochClock(parse_epoch(EPOCH), 0.0)
    return GatewayCore(TABLE, rec.publish, rec.send, clock), rec


def boot_three(core, t=0.0):
    """Packs 20, 50, 90 announce at t, 90 claiming master, as after the election."""
    for n, tail in ((20, 0x28000014), (50, 0x28000032), (90, 0x2800005A)):
        core.on_frame(0x300 + n, ann(master=(n == 90), mac_tail=tail), t)


class SignalTableTest(unittest.TestCase):
    def test_tel_pages_decode_to_physical_values(self):
        pages = tel_pages(soc=55, v_dv=512, i_ca=-250, status=0x19,
                          p=(-300, 2000, 32767, 1500, -32768, 7), e_grid=1234, grid_limit=12)
        tel = TABLE.find(0x114)
        self.assertEqual(tel.node_of(0x114), 20)
        p0 = tel.decode(pages[0])
        self.assertEqual((p0["SOC"], p0["V_pack"], p0["I_batt"]), (55, 51.2, -2.5))
        self.assertEqual((p0["St_Charging"], p0["St_Master"], p0["St_TimeValid"]), (1, 1, 1))
        self.assertEqual(p0["St_BmsInvalid"], 0)
        self.assertNotIn("P_grid", p0)
        p1 = tel.decode(pages[1])
        self.assertEqual((p1["P_grid"], p1["P_home"], p1["P_batt"]), (-300, 2000, 32767))
        p2 = tel.decode(pages[2])
        self.assertEqual((p2["P_solar"], p2["P_pool"], p2["P_heater"]), (1500, -32768, 7))
        p3 = tel.decode(pages[3])
        self.assertEqual((p3["E_grid"], p3["GridLimit"], p3["Relay_Heater"]), (12.34, 12, 1))

    def test_ann_mac_tail_is_big_endian(self):
        fields = TABLE.find(0x35A).decode(ann(master=True, mac_tail=0x246F2877))
        self.assertEqual(fields["MacTail"], 0x246F2877)
        self.assertEqual((fields["DeviceType"], fields["IsMaster"]), (1, 1))

    def test_encode_places_big_endian_and_byte_fields(self):
        data = TABLE.message("CMD_SET_ECO_LIMIT").encode({"Target": 127, "Seq": 9,
                                                          "EcoLimit": 1500})
        self.assertEqual(data, bytes([0x7F, 9, 0x05, 0xDC]))
        time = TABLE.message("TIME").encode({"Hour": 23, "Day": 31, "Minute": 59, "Month": 12,
                                             "Year": 2030})
        self.assertEqual(time, bytes([23, 31, 59, 12, 30]))

    def test_encode_refuses_values_that_do_not_fit(self):
        msg = TABLE.message("CMD_SET_ECO_LIMIT")
        with self.assertRaises(ValueError):
            msg.encode({"Target": 127, "Seq": 1, "EcoLimit": 70000})
        with self.assertRaises(ValueError):
            msg.encode({"Target": 127, "Seq": 1, "Bogus": 1})


class TelemetryTest(unittest.TestCase):
    def test_one_json_per_complete_page_set_with_identity(self):
        core, rec = make_core()
        boot_three(core)
        pages = tel_pages(p=(100, 2000, -500, 1500, 300, 0), modes=0x02, warnings=0x01,
                          e_grid=250, relays=0x05)
        for page in pages[:3]:
            core.on_frame(0x114, page, 1.0)
        self.assertEqual(rec.on("alfaspark/20/telemetry"), [])
        core.on_frame(0x114, pages[3], 1.0)
        [tel] = rec.json_on("alfaspark/20/telemetry")
        self.assertEqual((tel["P_grid"], tel["P_home"], tel["P_batt"]), (100, 2000, -500))
        self.assertEqual((tel["P_solar"], tel["P_pool"], tel["P_heater"]), (1500, 300, 0))
        self.assertEqual((tel["SOC"], tel["V_pack"], tel["I_batt"]), (55, 51.2, -2.5))
        self.assertEqual(tel["relays"], {"grid": True, "inv": False, "pump": True,
                                         "heater": False})
        self.assertEqual(tel["mode"]["eco"], True)
        self.assertEqual(tel["mode_mask"], 2)
        self.assertEqual(tel["warnings"], {"loads_limit": True, "grid_limit": False})
        self.assertEqual(tel["E_grid_kwh"], 2.5)
        self.assertEqual((tel["node_id"], tel["device_type"], tel["fw_version"],
                          tel["mac_tail"]), (20, "Energy-Pack", "2.5", "28000014"))
        self.assertEqual(rec.on("alfaspark/20/availability"), ["online"])

    def test_invalid_soc_is_null_and_stale_pack_goes_offline(self):
        core, rec = make_core()
        boot_three(core)
        for page in tel_pages(soc=0xFF, status=0x02):
            core.on_frame(0x132, page, 2.0)
        [tel] = rec.json_on("alfaspark/50/telemetry")
        self.assertIsNone(tel["SOC"])
        self.assertTrue(tel["status"]["bms_invalid"])
        core.on_frame(0x35A, ann(master=True, mac_tail=0x2800005A), 12.0)
        self.assertEqual(rec.on("alfaspark/50/availability"), ["online"])
        core.on_frame(0x35A, ann(master=True, mac_tail=0x2800005A), 12.001)
        self.assertEqual(rec.on("alfaspark/50/availability"), ["online", "offline"])

    def test_aggregate_from_master_pages_in_10_w_units(self):
        core, rec = make_core()
        core.on_frame(0x180, bytes([3, 0xFF, 90]), 1.0)
        core.on_frame(0x181, bytes(s16(-12) + s16(350) + s16(3277)), 1.0)
        self.assertEqual(rec.on("alfaspark/aggregate"), [])
        core.on_frame(0x182, bytes(s16(412) + s16(0) + s16(-1)), 1.0)
        [agg] = rec.json_on("alfaspark/aggregate")
        self.assertEqual((agg["master_id"], agg["online_packs"], agg["avg_soc"]), (90, 3, None))
        self.assertEqual((agg["total_grid"], agg["total_home"], agg["total_batt"]),
                         (-120, 3500, 32770))
        self.assertEqual((agg["total_solar"], agg["total_heater"]), (4120, -10))

    def test_events_are_published_with_their_name(self):
        core, rec = make_core()
        core.on_frame(0x432, bytes([8, 1, 0, 0, 0, 0, 0, 0]), 3.0)
        [evt] = rec.json_on("alfaspark/50/event")
        self.assertEqual((evt["node"], evt["name"], evt["Code"], evt["Severity"]),
                         (50, "grid_limit_tripped", 8, 1))


class MasterTest(unittest.TestCase):
    def test_highest_node_id_and_ttl_of_120_s(self):
        core, rec = make_core()
        boot_three(core, t=0.0)
        self.assertEqual(rec.on("alfaspark/master")[-1], "90")
        for n in (20, 50):  # 20 and 50 keep announcing; 90 is silent from t = 0
            core.on_frame(0x300 + n, ann(mac_tail=n), 60.0)
        core.on_frame(0x314, ann(mac_tail=20), 120.0)
        self.assertEqual(rec.on("alfaspark/master")[-1], "90", "live at exactly 120 s")
        core.on_frame(0x314, ann(mac_tail=20), 120.000001)
        self.assertEqual(rec.on("alfaspark/master"), ["20", "50", "90", "50"])
        self.assertTrue(all(retain for t, _, retain in rec.published if t == "alfaspark/master"))

    def test_energy_gateway_wins_over_higher_packs(self):
        core, rec = make_core()
        boot_three(core)
        core.on_frame(0x30A, ann(device=2, master=True, mac_tail=0xABCD0001), 1.0)
        self.assertEqual(rec.on("alfaspark/master")[-1], "10")
        info = rec.json_on("alfaspark/master/info")[-1]
        self.assertEqual([n["node"] for n in info["nodes"]], [10, 20, 50, 90])

    def test_mismatch_reported_only_after_the_grace_time(self):
        core, rec = make_core()
        boot_three(core, t=0.0)
        # pack 90 rebooted: its TEL says "not master" for 2 s, which is the protocol working
        for t in (1.0, 3.0):
            core.on_frame(0x15A, tel_pages(status=0x00)[0], t)
        core.on_frame(0x15A, tel_pages(status=0x08)[0], 5.0)
        self.assertEqual([r["nodes"] for r in rec.json_on("alfaspark/master/mismatch")], [[]],
                         "only the initial, empty report")
        # pack 50 claims mastership for good
        for t in (10.0, 12.0, 14.0, 16.0):
            core.on_frame(0x132, tel_pages(status=0x08)[0], t)
        reports = rec.json_on("alfaspark/master/mismatch")
        self.assertEqual(reports[-1]["nodes"], [{"node": 50, "claims_master": True}])
        self.assertEqual(reports[-1]["t"], 16.0)
        core.on_frame(0x132, tel_pages(status=0x00)[0], 18.0)
        self.assertEqual(rec.json_on("alfaspark/master/mismatch")[-1]["nodes"], [])


class CommandTest(unittest.TestCase):
    def setUp(self):
        self.core, self.rec = make_core()
        boot_three(self.core)
        self.rec.frames.clear()

    def mqtt(self, name, obj):
        self.core.on_mqtt(f"alfaspark/cmd/{name}", json.dumps(obj).encode())

    def test_commands_become_one_broadcast_frame_with_fresh_sequence_numbers(self):
        self.mqtt("set_eco_limit", {"limit_w": 1500})
        self.mqtt("set_eco", {"on": True})
        self.mqtt("mode", {"mode": "Eco", "on": False})
        seq0 = self.rec.frames[0][1][1]
        self.assertEqual(self.rec.frames, [
            (0x206, bytes([0x7F, seq0, 0x05, 0xDC])),
            (0x202, bytes([0x7F, seq0 + 1, 1])),
            (0x202, bytes([0x7F, seq0 + 2, 0])),
        ])

    def test_arguments_and_targets(self):
        self.mqtt("set_tou_window", {"start": "22:00", "end": "06:30", "node": 50})
        self.mqtt("set_relay", {"relay": "R3", "state": "auto"})
        self.mqtt("factory_reset", {})
        self.mqtt("set_mode_mask", {"mask": "0x05"})
        self.core.on_mqtt("alfaspark/ota/trigger", b'{"major": 2, "minor": 6}')
        data = [d for _, d in self.rec.frames]
        ids = [i for i, _ in self.rec.frames]
        self.assertEqual(ids, [0x20A, 0x20B, 0x20F, 0x20C, 0x208])
        self.assertEqual(data[0][0], 50)
        self.assertEqual(data[0][2:], bytes([22, 0, 6, 30]))
        self.assertEqual(data[1][2:], bytes([2, 2]))
        self.assertEqual(data[2][2:], bytes([0xA5, 0x5A]))
        self.assertEqual(data[3][2:], bytes([5]))
        self.assertEqual(data[4][2:], bytes([2, 6]))

    def test_bad_commands_send_nothing_and_say_why(self):
        self.mqtt("set_eco_limit", {"limit": 1500})
        self.mqtt("set_eco_limit", {"limit_w": 70000})
        self.mqtt("set_eco", {"on": 1, "id": "r7"})
        self.mqtt("warp_drive", {})
        self.core.on_mqtt("alfaspark/cmd/set_eco", b"{not json")
        self.mqtt("set_eco", {"on": True, "node": 128})
        self.assertEqual(self.rec.frames, [])
        errors = self.rec.json_on("alfaspark/ack/set_eco_limit")
        self.assertIn('"limit_w"', errors[0]["error"])
        self.assertIn("does not fit", errors[1]["error"])
        eco = self.rec.json_on("alfaspark/ack/set_eco")
        self.assertEqual(eco[0]["request_id"], "r7")
        self.assertEqual(len(eco), 3)
        self.assertEqual(len(self.rec.json_on("alfaspark/ack/warp_drive")), 1)


class AckTest(unittest.TestCase):
    def setUp(self):
        self.core, self.rec = make_core()
        boot_three(self.core)
        self.rec.frames.clear()
        self.core.on_mqtt("alfaspark/cmd/set_eco", b'{"on": true, "id": "app-1"}')
        self.seq = self.rec.frames[0][1][1]

    def ack(self, node, t, seq=None, status=0, cmd=0x02, mask=0x02):
        seq = self.seq if seq is None else seq
        self.core.on_frame(0x280 + node, bytes([cmd, seq, status, mask]), t)

    def test_acks_matched_by_node_command_and_seq(self):
        self.ack(20, 0.1)
        self.ack(50, 0.1, seq=(self.seq + 1) & 0xFF)  # not ours: another sequence number
        self.ack(50, 0.2, status=3, mask=0)
        self.assertEqual(self.rec.on("alfaspark/ack/set_eco/result"), [])
        self.ack(90, 0.3)
        acks = self.rec.json_on("alfaspark/ack/set_eco")
        self.assertEqual([(a["node"], a["matched"], a["request_id"]) for a in acks],
                         [(20, True, "app-1"), (50, False, None), (50, True, "app-1"),
                          (90, True, "app-1")])
        self.assertEqual(acks[2]["status_text"], "refused")
        [result] = self.rec.json_on("alfaspark/ack/set_eco/result")
        self.assertEqual(result["acks"], {"20": "ok", "50": "refused", "90": "ok"})
        self.assertEqual((result["complete"], result["ok"], result["missing"]),
                         (True, False, []))

    def test_missing_acks_reported_when_the_wait_runs_out(self):
        self.ack(90, 1.0)
        self.core.on_frame(0x15A, tel_pages()[0], 4.999)
        self.assertEqual(self.rec.on("alfaspark/ack/set_eco/result"), [])
        self.core.on_frame(0x15A, tel_pages()[0], 5.0)
        [result] = self.rec.json_on("alfaspark/ack/set_eco/result")
        self.assertEqual((result["missing"], result["complete"]), ([20, 50], False))

    def test_targeted_command_ignores_acks_from_other_nodes(self):
        self.core.on_mqtt("alfaspark/cmd/request_status", b'{"node": 50}')
        seq = self.rec.frames[-1][1][1]
        self.ack(20, 0.1, seq=seq, cmd=0x0E)
        self.ack(50, 0.1, seq=seq, cmd=0x0E)
        acks = self.rec.json_on("alfaspark/ack/request_status")
        self.assertEqual([(a["node"], a["matched"]) for a in acks], [(20, False), (50, True)])
        [result] = self.rec.json_on("alfaspark/ack/request_status/result")
        self.assertEqual(result["acks"], {"50": "ok"})


class BusDutiesTest(unittest.TestCase):
    def test_time_broadcast_at_start_and_at_each_local_minute(self):
        core, rec = make_core()
        core.on_frame(0x114, tel_pages()[0], 0.5)
        core.on_frame(0x114, tel_pages()[0], 59.999)
        core.on_frame(0x114, tel_pages()[0], 60.0)
        core.on_frame(0x114, tel_pages()[0], 119.0)
        core.on_frame(0x114, tel_pages()[0], 3600.0)
        self.assertEqual(rec.frames_on(0x7FF), [bytes([12, 21, 0, 6, 24]),
                                                bytes([12, 21, 1, 6, 24]),
                                                bytes([13, 21, 0, 6, 24])])

    def test_status_requested_at_start_and_from_anonymous_packs_only(self):
        core, rec = make_core()
        core.on_frame(0x114, tel_pages()[0], 1.0)
        [startup] = rec.frames_on(0x20E)
        self.assertEqual(startup[0], 127)
        core.on_frame(0x132, tel_pages()[0], 5.0)  # still within the broadcast's reach
        core.on_frame(0x132, tel_pages()[0], 11.0)
        core.on_frame(0x132, tel_pages()[0], 13.0)
        self.assertEqual([d[0] for d in rec.frames_on(0x20E)], [127, 50])
        core.on_frame(0x332, ann(mac_tail=50), 13.5)
        core.on_frame(0x132, tel_pages()[0], 30.0)
        self.assertEqual(len(rec.frames_on(0x20E)), 2, "pack 50 has announced: no request")

    def test_gateway_never_sends_on_election_ids(self):
        core, rec = make_core()
        boot_three(core)
        for t in range(0, 300, 2):
            core.on_frame(0x15A, tel_pages(status=0x08)[0], float(t))
        self.assertTrue(rec.frames)
        self.assertTrue(all(i == 0x7FF or 0x201 <= i <= 0x27F for i, _ in rec.frames))

    def test_foreign_commander_warned_once_a_minute(self):
        core, rec = make_core()
        core.on_frame(0x202, bytes([0x7F, 1, 1]), 1.0)
        core.on_frame(0x7FF, bytes([12, 21, 0, 6, 24]), 2.0)
        core.on_frame(0x202, bytes([0x7F, 2, 1]), 61.0)
        warnings = rec.json_on("alfaspark/gateway/warning")
        self.assertEqual([(w["id"], w["t"]) for w in warnings], [("0x202", 1.0), ("0x202", 61.0)])

    def test_new_run_on_the_link_clears_the_tables(self):
        core, rec = make_core()
        boot_three(core, t=500.0)
        core.on_frame(0x314, ann(mac_tail=20), 0.2)
        self.assertEqual(rec.on("alfaspark/master")[-1], "20")
        self.assertEqual(len(rec.frames_on(0x20E)), 2)
        self.assertEqual(rec.frames_on(0x7FF)[-1], bytes([12, 21, 0, 6, 24]))

    def test_extended_and_remote_frames_are_ignored(self):
        core, rec = make_core()
        core.on_frame(0x35A, ann(master=True), 1.0, extended=True)
        core.on_frame(0x35A, b"", 1.0, remote=True)
        self.assertEqual((rec.frames, rec.published), ([], []))


class DiscoveryTest(unittest.TestCase):
    def test_retained_configs_per_pack_and_republished_when_ha_returns(self):
        core, rec = make_core()
        core.on_mqtt_connected()
        core.on_frame(0x35A, ann(master=True, mac_tail=0x2800005A), 1.0)
        configs = [(t, json.loads(p), r) for t, p, r in rec.published
                   if t.startswith("homeassistant/")]
        topic = "homeassistant/sensor/alfaspark_2800005A/soc/config"
        soc = [c for t, c, _ in configs if t == topic]
        self.assertEqual(len(soc), 1)
        self.assertEqual(soc[0]["unique_id"], "alfaspark_2800005A_soc")
        self.assertEqual(soc[0]["state_topic"], "alfaspark/90/telemetry")
        self.assertEqual(soc[0]["device"]["identifiers"], ["alfaspark_2800005A"])
        self.assertEqual((soc[0]["device_class"], soc[0]["unit_of_measurement"]), ("battery", "%"))
        self.assertTrue(all(r for _, _, r in configs))
        self.assertIn("homeassistant/sensor/alfaspark_system/total_solar/config",
                      [t for t, _, _ in configs])
        before = len(rec.published)
        core.on_mqtt("homeassistant/status", b"online")
        again = [t for t, _, _ in rec.published[before:]]
        self.assertIn("homeassistant/sensor/alfaspark_2800005A/soc/config", again)
        self.assertEqual(rec.on("alfaspark/gateway/status"), ["online"])


class FakeMqttClient:
    """What Gateway uses of paho's Client, recording publications."""

    def __init__(self):
        self.on_connect = self.on_disconnect = self.on_message = None
        self.subscribed = []
        self.published = []
        self.cond = threading.Condition()

    def subscribe(self, topic, qos=0):
        self.subscribed.append(topic)

    def publish(self, topic, payload, qos=0, retain=False):
        with self.cond:
            self.published.append((topic, payload))
            self.cond.notify_all()

    def wait_for(self, topic, timeout_s=10.0):
        with self.cond:
            ok = self.cond.wait_for(lambda: any(t == topic for t, _ in self.published),
                                    timeout_s)
        return ok


class Message:
    """What Gateway uses of paho's MQTTMessage."""

    def __init__(self, topic, payload, retain=False):
        self.topic, self.payload, self.retain = topic, payload, retain


class VirtualBusTest(unittest.TestCase):
    """The whole gateway on python-can's virtual interface, with a fake broker client."""

    def test_frames_in_telemetry_out_and_mqtt_command_on_the_bus(self):
        channel = "gw-unit-%d" % os.getpid()
        args = alfaspark_gateway.parse_args(["--can-interface", "virtual", "--channel", channel,
                                             "--epoch", EPOCH, "--quiet"])
        gw_bus = can.Bus(interface="virtual", channel=channel)
        packs = can.Bus(interface="virtual", channel=channel)
        client = FakeMqttClient()
        gw = alfaspark_gateway.Gateway(args, TABLE, gw_bus, client)
        client.on_connect(client, None, {}, 0)
        self.assertIn("alfaspark/cmd/+", client.subscribed)
        runner = threading.Thread(target=gw.run)
        runner.start()
        try:
            packs.send(can.Message(arbitration_id=0x332, data=ann(), is_extended_id=False))
            for page in tel_pages():
                packs.send(can.Message(arbitration_id=0x132, data=page, is_extended_id=False))
            self.assertTrue(client.wait_for("alfaspark/50/telemetry"))
            client.on_message(client, None, Message("alfaspark/cmd/set_eco", b'{"on": true}'))
            seen = []
            while True:
                msg = packs.recv(timeout=5.0)
                self.assertIsNotNone(msg, f"no SET_ECO on the bus, saw {seen}")
                seen.append(msg.arbitration_id)
                if msg.arbitration_id == 0x202:
                    break
            self.assertFalse(msg.is_extended_id)
            self.assertEqual((msg.data[0], msg.data[2], msg.dlc), (0x7F, 1, 3))
            self.assertEqual(seen[:2], [0x7FF, 0x20E], "time, then the start-up status request")
        finally:
            gw.stop.set()
            runner.join(timeout=5.0)
            gw_bus.shutdown()
            packs.shutdown()
        self.assertFalse(runner.is_alive())


class BrokerRefusalTest(unittest.TestCase):
    def test_refused_first_connection_stops_the_wait_and_subscribes_nothing(self):
        args = alfaspark_gateway.parse_args(["--can-interface", "virtual", "--quiet"])
        bus = can.Bus(interface="virtual", channel="gw-refusal-%d" % os.getpid())
        client = FakeMqttClient()
        try:
            gw = alfaspark_gateway.Gateway(args, TABLE, bus, client)
            client.on_connect(client, None, {}, 5)  # CONNACK 5: not authorised
            self.assertTrue(gw.connected.is_set())
            self.assertTrue(gw.refused)
            self.assertEqual((client.subscribed, client.published), ([], []))
        finally:
            bus.shutdown()


class ClockTest(unittest.TestCase):
    def test_epoch_clock_counts_from_the_first_frame_when_origin_is_unknown(self):
        clock = EpochClock(parse_epoch("2024-01-31T23:59:30"))
        self.assertEqual(clock.local(1.7e9), datetime.datetime(2024, 1, 31, 23, 59, 30))
        self.assertEqual(clock.local(1.7e9 + 45), datetime.datetime(2024, 2, 1, 0, 0, 15))

    def test_epoch_text_is_checked(self):
        with self.assertRaises(ValueError):
            parse_epoch("21/06/2024 12:00")


class HostileFrameTest(unittest.TestCase):
    """Frames the packs would not send: ignored as the packs ignore them, never a crash."""

    def test_short_or_unknown_tel_page_from_a_new_node_is_ignored(self):
        core, rec = make_core()
        core.on_frame(0x114, b"", 1.0)
        core.on_frame(0x114, bytes([5, 0, 0, 0, 0, 0, 0, 0]), 1.5)
        core.on_frame(0x114, bytes([1, 0, 100]), 2.0)
        core.on_frame(0x17F, bytes(8), 2.5)  # NodeID 127 is the broadcast, not a sender
        core.on_frame(0x500, bytes(8), 3.0)  # reserved for OTA data
        core.on_frame(0x6A5, bytes(3), 3.5)
        self.assertEqual([t for t, _, _ in rec.published if "/20/" in t], [])

    def test_a_short_tel_page_does_not_fill_a_telemetry_set(self):
        core, rec = make_core()
        boot_three(core)
        pages = tel_pages(p=(100, 2000, -500, 1500, 300, 0))
        for page in (pages[0], pages[1][:3], pages[2], pages[3]):
            core.on_frame(0x114, page, 1.0)
        self.assertEqual(rec.on("alfaspark/20/telemetry"), [])
        core.on_frame(0x114, pages[1], 1.1)
        [tel] = rec.json_on("alfaspark/20/telemetry")
        self.assertEqual((tel["P_grid"], tel["P_home"], tel["P_batt"]), (100, 2000, -500))

    def test_an_ann_the_packs_ignore_does_not_change_the_master(self):
        core, rec = make_core()
        boot_three(core)
        core.on_frame(0x37E, bytes([7, 2, 5, 1, 0, 0, 0, 1]), 1.0)  # no such device type
        core.on_frame(0x37D, ann()[:4], 1.5)  # DLC 4: the packs need 8
        core.on_frame(0x37C, bytes([0, 2, 5, 0, 0, 0, 0, 2]), 2.0)
        self.assertEqual(rec.on("alfaspark/master"), ["20", "50", "90"])
        info = rec.json_on("alfaspark/master/info")[-1]
        self.assertEqual([n["node"] for n in info["nodes"]], [20, 50, 90])

    def test_a_short_aggregate_page_is_not_published_in_part(self):
        core, rec = make_core()
        core.on_frame(0x180, bytes([3, 40, 90]), 1.0)
        core.on_frame(0x181, bytes(s16(-12) + s16(350)), 1.0)
        core.on_frame(0x182, bytes(s16(412) + s16(0) + s16(-1)), 1.0)
        self.assertEqual(rec.on("alfaspark/aggregate"), [])
        core.on_frame(0x181, bytes(s16(-12) + s16(350) + s16(10)), 1.2)
        [agg] = rec.json_on("alfaspark/aggregate")
        self.assertEqual((agg["total_grid"], agg["total_batt"], agg["avg_soc"]), (-120, 100, 40))


class HostileCommandTest(unittest.TestCase):
    """MQTT payloads an app should not send: refused on alfaspark/ack/<name>, nothing sent."""

    def setUp(self):
        self.core, self.rec = make_core()
        boot_three(self.core)
        self.rec.frames.clear()

    def refused(self, payload, name="set_eco_limit", retained=False):
        before = len(self.rec.on(f"alfaspark/ack/{name}"))
        if retained:
            self.core.on_mqtt(f"alfaspark/cmd/{name}", payload, retained=True)
        else:
            self.core.on_mqtt(f"alfaspark/cmd/{name}", payload)
        errors = self.rec.json_on(f"alfaspark/ack/{name}")[before:]
        self.assertEqual(len(errors), 1, payload[:80])
        self.assertNotIn("\n", errors[0]["error"])
        self.assertEqual(self.rec.frames, [], payload[:80])
        return errors[0]["error"]

    def test_malformed_json_is_refused_with_a_reason(self):
        self.assertIn("nests deeper", self.refused(b"[" * 30000 + b"]" * 30000))
        self.assertIn("nests deeper", self.refused(b'{"limit_w": 1, "id": ' + b"[" * 40
                                                   + b"]" * 40 + b"}"))
        self.assertIn("at most 65536", self.refused(b'{"limit_w": 1, "id": "'
                                                    + b"x" * 70000 + b'"}'))
        self.assertIn("20 digits", self.refused(b'{"limit_w": 1' + b"0" * 5000 + b"}"))
        self.assertIn("NaN", self.refused(b'{"limit_w": 1, "id": NaN}'))
        self.assertIn("out of range", self.refused(b'{"limit_w": 1, "id": 1e400}'))
        self.assertIn("given twice", self.refused(b'{"limit_w": 1500, "limit_w": 0}'))
        self.assertIn("UTF-8", self.refused(b'{"limit_w": 1, "id": "\xff\xfe"}'))

    def test_numbers_in_strings_are_plain_decimal_or_0x_hex(self):
        for text in ("1_500", " 1500", "\u0661\u0665", "+15", "0x", "1e3", "-0x5"):
            self.assertIn("cannot read", self.refused(json.dumps({"limit_w": text}).encode()))
        self.core.on_mqtt("alfaspark/cmd/set_eco_limit", b'{"limit_w": "0x5DC", "node": "50"}')
        self.assertEqual(self.rec.frames[0][1][0], 50)
        self.assertEqual(self.rec.frames[0][1][2:], bytes([0x05, 0xDC]))

    def test_an_empty_payload_is_not_a_command(self):
        # "mosquitto_pub -r -n" clears a retained command; the broker passes the empty
        # message on to the gateway, which must not reset every pack with the default magic.
        self.assertIn("send {}", self.refused(b"", name="factory_reset"))
        self.core.on_mqtt("alfaspark/cmd/factory_reset", b"{}")
        self.assertEqual(self.rec.frames[0][0], 0x20F)

    def test_a_retained_command_is_reported_not_sent(self):
        error = self.refused(b'{"on": true}', name="set_eco", retained=True)
        self.assertIn("mosquitto_pub -r -n -t alfaspark/cmd/set_eco", error)
        self.core.on_mqtt("alfaspark/ota/trigger", b'{"major": 2, "minor": 6}', True)
        self.assertEqual(self.rec.frames, [])
        self.core.on_mqtt("alfaspark/cmd/set_eco", b'{"on": true}', False)
        self.assertEqual([i for i, _ in self.rec.frames], [0x202])

    def test_commands_beyond_256_waiting_for_acks_are_refused(self):
        core, rec = make_core()  # no frame yet: nothing finishes the pending commands
        for _ in range(256):
            core.on_mqtt("alfaspark/cmd/request_status", b'{"node": 5}')
        self.assertEqual(len(rec.frames), 256)
        core.on_mqtt("alfaspark/cmd/set_eco", b'{"on": true, "id": "r1"}')
        [error] = rec.json_on("alfaspark/ack/set_eco")
        self.assertEqual(error["request_id"], "r1")
        self.assertIn("waiting for ACKs", error["error"])
        self.assertEqual(len(rec.frames), 256)


class BrokerReconnectTest(unittest.TestCase):
    def test_every_retained_topic_is_published_again_on_reconnect(self):
        # A broker restarted without persistence forgets retained messages; Home Assistant
        # needs the packs' availability to show their entities at all.
        core, rec = make_core()
        core.on_mqtt_connected()
        boot_three(core)
        for page in tel_pages():
            core.on_frame(0x114, page, 1.0)
        core.on_frame(0x132, tel_pages()[0], 1.0)
        core.on_frame(0x35A, ann(master=True, mac_tail=0x2800005A), 12.0)
        rec.published.clear()
        core.on_mqtt_connected()
        retained = {t: p for t, p, r in rec.published if r}
        self.assertEqual(retained["alfaspark/20/availability"], "offline")
        self.assertEqual(retained["alfaspark/50/availability"], "offline")
        self.assertEqual(retained["alfaspark/master"], "90")
        self.assertEqual(json.loads(retained["alfaspark/master/mismatch"])["nodes"], [])
        self.assertEqual(retained["alfaspark/gateway/status"], "online")


class GatewayRobustnessTest(unittest.TestCase):
    def test_a_failing_message_does_not_end_the_mqtt_thread(self):
        args = alfaspark_gateway.parse_args(["--can-interface", "virtual", "--quiet"])
        bus = can.Bus(interface="virtual", channel="gw-robust-%d" % os.getpid())
        client = FakeMqttClient()
        try:
            gw = alfaspark_gateway.Gateway(args, TABLE, bus, client)
            client.on_connect(client, None, {}, 0)
            seen = []

            def on_mqtt(topic, payload, retained=False):
                seen.append(topic)
                raise KeyError("boom")

            gw.core.on_mqtt = on_mqtt
            # paho re-raises a callback's exception, which ends its network thread
            client.on_message(client, None, Message("alfaspark/cmd/set_eco", b"{}"))
            client.on_message(client, None, Message("alfaspark/cmd/set_tou", b"{}"))
            self.assertEqual(seen, ["alfaspark/cmd/set_eco", "alfaspark/cmd/set_tou"])
            self.assertFalse(gw.lock.locked())
        finally:
            bus.shutdown()


def run_main(argv):
    """alfaspark_gateway.main(argv) -> (exit status, stderr lines); SystemExit counts too."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            rc = alfaspark_gateway.main(argv)
        except SystemExit as e:
            rc = e.code
    return rc, err.getvalue().splitlines()


class CommandLineTest(unittest.TestCase):
    """Mistakes on the command line: one line on stderr and exit status 64, before any link."""

    def assert_usage(self, argv, text):
        rc, lines = run_main(argv + ["--can-interface", "virtual", "--mqtt-port", "1"])
        self.assertEqual((rc, len(lines)), (64, 1), lines)
        self.assertTrue(lines[0].startswith("gateway: "), lines)
        self.assertIn(text, lines[0])

    def test_bad_values_exit_64_with_one_line(self):
        self.assert_usage(["--port", "abc"], "'abc' is not a port number")
        self.assert_usage(["--port", "99999"], "'99999' is not a port number")
        self.assert_usage(["--mqtt-port", "0"], "'0' is not a port number")
        self.assert_usage(["--time-scale", "inf"], "'inf' is not a number above 0")
        self.assert_usage(["--time-scale", "nan"], "'nan' is not a number above 0")
        self.assert_usage(["--bogus"], "unrecognized arguments: --bogus")
        self.assert_usage(["--epoch", "2024-13-01T00:00"], "2024-13-01T00:00")

    def test_unreadable_files_are_named(self):
        with tempfile.TemporaryDirectory() as d:
            missing = os.path.join(d, "missing")
            self.assert_usage(["--mqtt-username", "gw", "--mqtt-password-file", missing],
                              f"cannot read the MQTT password file {missing}")
            self.assert_usage(["--mqtt-password-file", missing], "needs --mqtt-username")
            self.assert_usage(["--signals", missing], f"cannot read the signal table {missing}")
            bad = os.path.join(d, "bad.json")
            for text in ("{}", "[1]", "{nope", '{"messages": [{"name": "TEL"}]}'):
                with open(bad, "w", encoding="utf-8") as f:
                    f.write(text)
                self.assert_usage(["--signals", bad], f"{bad} is not a signal table")
            with open(SignalTable.default_path(), encoding="utf-8") as f:
                doc = json.load(f)
            doc["messages"] = [m for m in doc["messages"] if m["name"] != "TIME"]
            with open(bad, "w", encoding="utf-8") as f:
                json.dump(doc, f)
            self.assert_usage(["--signals", bad], "no message TIME in the signal table")


class SocketcandOpenTest(unittest.TestCase):
    """Opening a socketcand link that is not there: a prompt OSError, never a hang."""

    def setUp(self):
        self.wait = alfaspark_gateway.SOCKETCAND_WAIT_S
        alfaspark_gateway.SOCKETCAND_WAIT_S = 0.5
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.clients = []

    def tearDown(self):
        alfaspark_gateway.SOCKETCAND_WAIT_S = self.wait
        for c in self.clients:
            c.close()
        self.server.close()

    def open_in_thread(self, greeting=None):
        """(error or None, seconds) of open_bus against the test server; None when it hung."""
        args = alfaspark_gateway.parse_args(["--can-interface", "socketcand", "--port",
                                             str(self.port), "--quiet"])
        out = {}

        def serve():
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.clients.append(conn)
            if greeting is not None:
                conn.sendall(greeting)

        def attempt():
            start = time.monotonic()
            try:
                alfaspark_gateway.open_bus(args).shutdown()
                out["error"] = None
            except OSError as e:
                out["error"] = str(e)
            out["s"] = time.monotonic() - start

        if greeting is not False:
            threading.Thread(target=serve, daemon=True).start()
        runner = threading.Thread(target=attempt, daemon=True)  # never blocks the suite
        runner.start()
        runner.join(timeout=8.0)
        return out.get("error"), out.get("s")

    def test_a_server_that_never_greets_is_reported(self):
        error, seconds = self.open_in_thread(greeting=None)  # as a broker's port would
        self.assertIsNotNone(seconds, "open_bus hung on a server that sends nothing")
        self.assertIn("sent no socketcand greeting within 0.5 s", error)

    def test_a_server_speaking_another_protocol_is_reported(self):
        error, _ = self.open_in_thread(greeting=b"SSH-2.0-OpenSSH_9.2\r\n")
        self.assertIn("is not a socketcand server", error)

    def test_no_server_is_reported_at_once(self):
        self.server.close()
        error, seconds = self.open_in_thread(greeting=False)
        self.assertIsNotNone(seconds, "open_bus hung")
        self.assertLess(seconds, 2.0, "python-can retries a refused connection for 10 s")
        self.assertIn(f"no socketcand server at 127.0.0.1:{self.port}", error)


class StartupSignalTest(unittest.TestCase):
    """SIGINT or SIGTERM while the gateway starts: exit 0 with one line, no traceback."""

    def test_a_signal_while_opening_the_link(self):
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "alfaspark_gateway.py")
        for signum in (signal.SIGINT, signal.SIGTERM):
            # paho's connect() needs only a listening socket; the link's server never greets
            with socket.create_server(("127.0.0.1", 0)) as broker, \
                    socket.create_server(("127.0.0.1", 0)) as link:
                proc = subprocess.Popen(
                    [sys.executable, script, "--can-interface", "socketcand",
                     "--port", str(link.getsockname()[1]),
                     "--mqtt-port", str(broker.getsockname()[1])],
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                try:
                    link.settimeout(10.0)
                    conn, _ = link.accept()  # the gateway now waits for the greeting
                    proc.send_signal(signum)
                    _, err = proc.communicate(timeout=10.0)
                    conn.close()
                finally:
                    if proc.poll() is None:
                        proc.kill()
                        proc.wait()
            self.assertEqual((proc.returncode, err.splitlines()),
                             (0, ["gateway: stopped while starting"]), signum)


if __name__ == "__main__":
    unittest.main()
