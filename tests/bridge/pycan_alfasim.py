#!/usr/bin/python3
"""python-can (Debian's 4.1) against `alfasim run` bridged through socketcand, end to end.

Runs the three-pack scenario (tests/bridge/three_packs_eco.json, real Alfaspark firmware) with
--bridge socketcand:127.0.0.1:0 at --realtime FACTOR, connects can.Bus(interface="socketcand")
and plays the gateway: a SET_ECO broadcast at 2 s, an extended and a zero-length frame, a
REQUEST_STATUS broadcast at 20 s; at 30 s it pauses the run with SIGUSR1, sends a burst of 1000
frames while virtual time stands still, and resumes it with SIGUSR1. Then checks:

  * the client received every frame of the run's bus.log that it did not send, in order, with
    the same identifier, data and microsecond timestamp;
  * each frame it sent is in bus.log, in the order sent, and the burst entered the bus after the
    pause; events.jsonl records each one as bridge_rx; report.json counts them, none lost, and
    one pause;
  * every pack ACKs SET_ECO with status 0 and Eco in its mode mask, and REQUEST_STATUS;
  * `alfasim replay` of the run folder gives the live run's digest.

Exit status 0 when all hold; a message per failed check otherwise.
"""
import argparse
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

import can

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../tools"))
from candump_log import read_frames  # noqa: E402

PACK_IDS = (20, 50, 90)
ACK_BASE = 0x280
BURST_ID = 0x7AA
BURST_N = 1000


def read_bus_log(path):
    """The frames of bus.log as (id, data, µs); error-frame records are not frames on the wire."""
    return [(f.id, f.data, f.us) for f in read_frames(path)]


class Stderr:
    """Reads alfasim's stderr in a thread: the socketcand port and the pause messages."""

    PORT = re.compile(r"socketcand listening on port (\d+)")
    PAUSED = re.compile(r"^alfasim: paused at t=(\d+\.\d+) s")

    def __init__(self, proc, log_path):
        self.lines = queue.Queue()
        self.log = open(log_path, "w", encoding="utf-8")
        threading.Thread(target=self._read, args=(proc.stderr,), daemon=True).start()

    def _read(self, pipe):
        for line in pipe:
            self.log.write(line)
            self.log.flush()
            self.lines.put(line)

    def wait_for(self, pattern, timeout_s):
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.05)
            except queue.Empty:
                continue
            m = pattern.search(line)
            if m:
                return m
        raise SystemExit(f"alfasim never said {pattern.pattern!r} within {timeout_s} s")


class Client:
    """Receives everything; sends its frames, and pauses the run, at given virtual times."""

    def __init__(self, bus, proc, err):
        self.bus, self.proc, self.err = bus, proc, err
        self.received, self.sent = [], []
        self.pause_s = None
        std = lambda i, d: can.Message(arbitration_id=i, data=d, is_extended_id=False)
        self.plan = [(2.0, std(0x202, [0x7F, 1, 1])),  # SET_ECO on, all packs, seq 1
                     (5.0, can.Message(arbitration_id=0x18FF50E5, data=[1, 2, 0xAB],
                                       is_extended_id=True)),
                     (10.0, std(0x123, [])),
                     (20.0, std(0x20E, [0x7F, 2])),  # REQUEST_STATUS, all packs, seq 2
                     (30.0, None)]  # the pause and the burst

    def send(self, msg):
        self.bus.send(msg)
        self.sent.append((msg.arbitration_id, bytes(msg.data)))

    def pause_and_burst(self):
        self.proc.send_signal(signal.SIGUSR1)
        self.pause_s = float(self.err.wait_for(Stderr.PAUSED, 30).group(1))
        for i in range(BURST_N):
            self.send(can.Message(arbitration_id=BURST_ID, data=[i >> 8, i & 0xFF],
                                  is_extended_id=False))
        time.sleep(1.0)  # the run stays paused a while; nothing of it may be lost
        self.proc.send_signal(signal.SIGUSR1)

    def on_frame(self, msg):
        self.received.append((msg.arbitration_id, bytes(msg.data), round(msg.timestamp * 1e6)))
        while self.plan and msg.timestamp >= self.plan[0][0]:
            out = self.plan.pop(0)[1]
            if out is None:
                self.pause_and_burst()
            else:
                self.send(out)

    def run(self):
        while True:
            msg = self.bus.recv(timeout=0.2)
            if msg is not None:
                self.on_frame(msg)
            elif self.proc.poll() is not None:
                for _ in range(10):  # what the run sent before closing is already here
                    msg = self.bus.recv(timeout=0.05)
                    if msg is not None:
                        self.on_frame(msg)
                return


def acks(log, command, seq):
    """NodeIDs that acknowledged (command, seq), with the ACK's status and mode mask."""
    out = {}
    for ident, data, _ in log:
        node = ident - ACK_BASE
        if node in PACK_IDS and len(data) == 4 and data[0] == command and data[1] == seq:
            out[node] = (data[2], data[3])
    return out


def check_log(failures, client, live_dir):
    log = read_bus_log(os.path.join(live_dir, "bus.log"))
    ours = set(client.sent)
    theirs = [f for f in log if (f[0], f[1]) not in ours]
    mine = [f for f in log if (f[0], f[1]) in ours]
    if len(theirs) < 400:
        failures.append(f"only {len(theirs)} simulated frames in the run")
    if client.received != theirs:
        diff = next((i for i, (a, b) in enumerate(zip(client.received, theirs)) if a != b), None)
        failures.append(f"received {len(client.received)} frames, bus.log has {len(theirs)} not "
                        f"sent by the client; first difference at {diff}")
    if [(i, d) for i, d, _ in mine] != client.sent:
        failures.append(f"sent {len(client.sent)} frames, bus.log has {len(mine)} of them "
                        f"(or in another order)")
    burst = [us for i, _, us in mine if i == BURST_ID]
    if client.pause_s is None or not burst or min(burst) < round(client.pause_s * 1e6):
        failures.append(f"the burst did not enter the bus after the pause at {client.pause_s} s")
    eco = acks(log, 0x02, 1)
    if sorted(eco) != list(PACK_IDS) or any(st != 0 or not m & 0x02 for st, m in eco.values()):
        failures.append(f"SET_ECO ACKs (node: status, mode mask): {eco}")
    status = acks(log, 0x0E, 2)
    if sorted(status) != list(PACK_IDS) or any(st != 0 for st, _ in status.values()):
        failures.append(f"REQUEST_STATUS ACKs (node: status, mode mask): {status}")
    print(f"received {len(client.received)} frames, sent {len(client.sent)}, "
          f"SET_ECO acked by {sorted(eco)}, burst of {len(burst)} after the pause at "
          f"{client.pause_s} s")


def check_records(failures, client, live_dir):
    with open(os.path.join(live_dir, "events.jsonl"), encoding="utf-8") as f:
        rx = [json.loads(line)["frame"] for line in f if '"type":"bridge_rx"' in line]
    if len(rx) != len(client.sent) or rx[0] != "202#7F0101":
        failures.append(f"events.jsonl has {len(rx)} bridge_rx records (first "
                        f"{rx[:1]}), the client sent {len(client.sent)}")
    with open(os.path.join(live_dir, "report.json"), encoding="utf-8") as f:
        report = json.load(f)
    st = report.get("bridge", {})
    n = len(client.sent)
    if (st.get("rx_frames"), st.get("rx_injected"), st.get("rx_overflow"), st.get("pauses")) != \
            (n, n, 0, 1):
        failures.append(f"report.json bridge: {st}")
    return report["digest"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alfasim", required=True)
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--factor", default="10")
    args = ap.parse_args()
    shutil.rmtree(args.tmp, ignore_errors=True)
    os.makedirs(args.tmp)
    live_dir, replay_dir = os.path.join(args.tmp, "live"), os.path.join(args.tmp, "replay")

    proc = subprocess.Popen([args.alfasim, "run", args.scenario, "--out", live_dir,
                             "--bridge", "socketcand:127.0.0.1:0", "--bridge-wait", "30s",
                             f"--realtime={args.factor}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    err = Stderr(proc, os.path.join(args.tmp, "alfasim.err"))
    port = int(err.wait_for(Stderr.PORT, 30).group(1))
    bus = can.Bus(interface="socketcand", channel="can0", host="127.0.0.1", port=port)
    client = Client(bus, proc, err)
    client.run()
    bus.shutdown()
    out, _ = proc.communicate()
    print(out, end="")
    if proc.returncode != 0:
        raise SystemExit(f"alfasim run failed ({proc.returncode}); see {args.tmp}/alfasim.err")

    failures = []
    check(failures, client.plan == [], f"{len(client.plan)} planned steps never happened")
    check_log(failures, client, live_dir)
    live_digest = check_records(failures, client, live_dir)
    rep = subprocess.run([args.alfasim, "replay", live_dir, "--out", replay_dir],
                         stdout=subprocess.PIPE, text=True, check=False)
    print(rep.stdout, end="")
    replay_digest = None
    if rep.returncode == 0:
        with open(os.path.join(replay_dir, "report.json"), encoding="utf-8") as f:
            replay_digest = json.load(f)["digest"]
    check(failures, rep.returncode == 0 and replay_digest == live_digest,
          f"replay ({rep.returncode}) digest {replay_digest} != live {live_digest}")
    for f in failures:
        print(f"FAIL: {f}", file=sys.stderr)
    return 1 if failures else 0


def check(failures, ok, what):
    if not ok:
        failures.append(what)


if __name__ == "__main__":
    sys.exit(main())
