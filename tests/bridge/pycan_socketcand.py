#!/usr/bin/python3
"""python-can (Debian's 4.1) against alfasim's socketcand bridge, end to end.

Starts `bridge_world live` (three simulated nodes, paced, bridged through socketcand on
127.0.0.1), connects can.Bus(interface="socketcand"), receives until the run ends and sends
commands, an extended frame and a zero-length frame along the way. Then checks:

  * the client received every frame of the run's bus.log that it did not send, in order, with
    the same identifier, data and microsecond timestamp;
  * each frame it sent is in bus.log, in order, and every node acknowledged each command;
  * `bridge_world replay` of the run folder gives the live run's digest.

Exit status 0 when all hold; a message per failed check otherwise.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

import can

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../tools"))
from candump_log import read_frames  # noqa: E402

CMD_ID = 0x100
ACK_BASE = 0x580
NODES = 3


def read_bus_log(path):
    """The frames of bus.log as (id, data, µs)."""
    return [(f.id, f.data, f.us) for f in read_frames(path)]


def wait_port(path, proc, timeout_s=20.0):
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if os.path.exists(path):
            with open(path, encoding="ascii") as f:
                return int(f.read().strip())
        if proc.poll() is not None:
            raise SystemExit(f"bridge_world exited early with {proc.returncode}")
        time.sleep(0.02)
    raise SystemExit("bridge_world did not report its port")


def digest_of(output):
    for line in output.splitlines():
        if line.startswith("digest "):
            return line.split()[1]
    raise SystemExit(f"no digest in: {output!r}")


class Client:
    """Receives everything, and sends its frames when the run reaches given virtual times."""

    def __init__(self, bus):
        self.bus = bus
        self.received = []
        self.sent = []
        self.plan = [(1.0, self.command(1)), (5.0, can.Message(arbitration_id=0x18FF50E5,
                                                               data=[1, 2, 0xAB],
                                                               is_extended_id=True)),
                     (10.0, can.Message(arbitration_id=0x123, data=[], is_extended_id=False)),
                     (20.0, self.command(2)), (40.0, self.command(3))]

    @staticmethod
    def command(code):
        return can.Message(arbitration_id=CMD_ID, data=[code], is_extended_id=False)

    def on_frame(self, msg):
        self.received.append((msg.arbitration_id, bytes(msg.data), round(msg.timestamp * 1e6)))
        while self.plan and msg.timestamp >= self.plan[0][0]:
            out = self.plan.pop(0)[1]
            self.bus.send(out)
            self.sent.append((out.arbitration_id, bytes(out.data)))

    def run(self, proc):
        while True:
            msg = self.bus.recv(timeout=0.2)
            if msg is not None:
                self.on_frame(msg)
            elif proc.poll() is not None:
                # The run is over; what it sent before closing is already here.
                for _ in range(10):
                    msg = self.bus.recv(timeout=0.05)
                    if msg is not None:
                        self.on_frame(msg)
                return


def check(failures, ok, what):
    if not ok:
        failures.append(what)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--factor", default="20")
    args = ap.parse_args()
    shutil.rmtree(args.tmp, ignore_errors=True)
    os.makedirs(args.tmp)
    live_dir, replay_dir = os.path.join(args.tmp, "live"), os.path.join(args.tmp, "replay")
    portfile = os.path.join(args.tmp, "port")

    proc = subprocess.Popen([args.world, "live", live_dir, str(args.seconds), args.factor,
                             "socketcand:127.0.0.1:0", portfile],
                            stdout=subprocess.PIPE, text=True)
    port = wait_port(portfile, proc)
    bus = can.Bus(interface="socketcand", channel="can0", host="127.0.0.1", port=port)
    client = Client(bus)
    client.run(proc)
    bus.shutdown()
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"bridge_world live failed ({proc.returncode}): {out}")
    live_digest = digest_of(out)

    failures = []
    log = read_bus_log(os.path.join(live_dir, "bus.log"))
    ours = {(i, d) for i, d in client.sent}
    theirs = [f for f in log if (f[0], f[1]) not in ours]
    mine = [(f[0], f[1]) for f in log if (f[0], f[1]) in ours]
    check(failures, len(theirs) > 1500, f"only {len(theirs)} frames in a {args.seconds} s run")
    check(failures, client.received == theirs,
          f"received {len(client.received)} frames, bus.log has {len(theirs)} not sent by the"
          f" client; first difference at "
          f"{next((i for i, (a, b) in enumerate(zip(client.received, theirs)) if a != b), None)}")
    check(failures, not client.plan, f"{len(client.plan)} planned sends never went out")
    check(failures, mine == client.sent, f"sent {client.sent}, bus.log has {mine}")
    for code in (1, 2, 3):
        acks = {f[0] for f in log if f[0] in range(ACK_BASE + 1, ACK_BASE + NODES + 1)
                and f[1] == bytes([0xAC, code])}
        check(failures, len(acks) == NODES, f"command {code} acknowledged by {len(acks)} nodes")

    rep = subprocess.run([args.world, "replay", live_dir, replay_dir, str(args.seconds)],
                         stdout=subprocess.PIPE, text=True, check=False)
    check(failures, rep.returncode == 0, f"replay failed ({rep.returncode})")
    if rep.returncode == 0:
        check(failures, digest_of(rep.stdout) == live_digest,
              f"replay digest {digest_of(rep.stdout)} != live {live_digest}")

    print(f"received {len(client.received)} frames, sent {len(client.sent)}, "
          f"digest {live_digest}")
    for f in failures:
        print(f"FAIL: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
