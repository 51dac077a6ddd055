#!/usr/bin/python3
"""The reference Orange Pi gateway: Alfaspark CAN bus <-> MQTT (spec/firmware.md §12).

Runs with Debian's python3-can (4.1) and python3-paho-mqtt (1.6). The logic lives in gw_core;
this file connects it to a CAN link and a broker:

  * CAN: SocketCAN (can0 through a USB adapter, vcan0), a socketcand server (alfasim's
    `--bridge socketcand:HOST:PORT`), or python-can's in-process virtual bus;
  * MQTT: paho's network thread delivers commands; the main thread receives frames. Both hand
    their input to the core under one lock, so the core sees one input at a time.

Examples:
  alfaspark_gateway.py --can-interface socketcan --channel can0
  alfaspark_gateway.py --can-interface socketcand --host 127.0.0.1 --port 29536 \\
      --mqtt-port 1883 --epoch 2024-06-21T12:00

Exit status: 0 after SIGINT/SIGTERM or when a socketcand server closes the link (the end of a
simulated run); 64 bad arguments; 69 the CAN link or the broker is unavailable; 74 the CAN link
failed while running.
"""
import argparse
import logging
import math
import signal
import socket
import sys
import threading
import time

import can
import paho.mqtt.client as mqtt

from gw_clock import EpochClock, HostClock, parse_epoch
from gw_core import GatewayCore
from gw_signals import SignalTable

EX_USAGE = 64
EX_UNAVAILABLE = 69
EX_IOERR = 74
MQTT_CONNECT_WAIT_S = 30.0
SOCKETCAND_WAIT_S = 5.0


class UsageError(Exception):
    """A command-line mistake: one line on stderr and exit status 64."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse with the gateway's exit status (64, not 2) and one line instead of the usage."""

    def error(self, message):
        raise UsageError(f"{message} (see --help)")


def port_number(text):
    try:
        port = int(text, 10)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number 1-65535")
    return port


def time_scale(text):
    try:
        scale = float(text)
    except ValueError:
        scale = math.nan
    if not (math.isfinite(scale) and scale > 0):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number above 0")
    return scale


def parse_args(argv):
    """The options; UsageError for a mistake (--help still prints and exits 0)."""
    p = ArgumentParser(
        description="Alfaspark CAN <-> MQTT gateway (spec/firmware.md §12).",
        epilog="example: %(prog)s --can-interface socketcand --host 127.0.0.1 --port 29536")
    p.add_argument("--can-interface", choices=("socketcan", "socketcand", "virtual"),
                   default="socketcan", help="CAN link kind (default: socketcan)")
    p.add_argument("--channel", default=None,
                   help="SocketCAN interface, socketcand bus name or virtual channel "
                        "(default: can0)")
    p.add_argument("--host", default="127.0.0.1", help="socketcand server (default: 127.0.0.1)")
    p.add_argument("--port", type=port_number, default=29536,
                   help="socketcand port (default: 29536)")
    p.add_argument("--mqtt-host", default="127.0.0.1", help="broker (default: 127.0.0.1)")
    p.add_argument("--mqtt-port", type=port_number, default=1883,
                   help="broker port (default: 1883)")
    p.add_argument("--mqtt-username", default=None, help="broker user name")
    p.add_argument("--mqtt-password-file", default=None,
                   help="file holding the broker password (kept off the command line)")
    p.add_argument("--client-id", default="alfaspark-gateway", help="MQTT client id")
    p.add_argument("--topic-prefix", default="alfaspark", help="topic root (default: alfaspark)")
    p.add_argument("--discovery-prefix", default="homeassistant",
                   help="Home Assistant discovery root; empty to publish no discovery")
    p.add_argument("--signals", default=SignalTable.default_path(),
                   help="signal table (default: docs/can-signals.json of this source tree)")
    p.add_argument("--epoch", default=None,
                   help="local time at bus time 0 (e.g. a scenario's environment.start, "
                        "2024-06-21T12:00); default: the host's local time")
    p.add_argument("--time-scale", type=time_scale, default=1.0,
                   help="multiply frame timestamps by this (a simulation paced at xF over "
                        "SocketCAN: its frames carry host time; default 1)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    return p.parse_args(argv)


def socketcand_greets(host, port):
    """Checks that a socketcand server answers at host:port; OSError saying why not.

    python-can 4.1 retries a refused connection in a busy loop for 10 s, logging every attempt,
    and waits for the server's greeting forever (a wrong --port, such as the broker's, would
    hang the gateway). One plain connection first gives a prompt, one-line answer; a server
    drops a client that has not finished the handshake, as alfasim's does (docs/bridge.md).
    """
    where = f"{host}:{port}"
    try:
        with socket.create_connection((host, port), timeout=SOCKETCAND_WAIT_S) as sock:
            greeting = b""
            while b"< hi >".startswith(greeting[:6]) and b">" not in greeting:
                chunk = sock.recv(64)
                if not chunk:
                    break
                greeting += chunk
    except socket.timeout:
        raise OSError(f"{where} sent no socketcand greeting within {SOCKETCAND_WAIT_S:g} s: "
                      "is it a socketcand server?") from None
    except OSError as e:
        raise OSError(f"no socketcand server at {where}: {e.strerror or e}") from None
    if not greeting.startswith(b"< hi >"):
        raise OSError(f"{where} is not a socketcand server (it sent {greeting[:20]!r})")


def open_bus(args):
    """The python-can bus for the chosen link; raises on failure."""
    channel = args.channel or "can0"
    if args.can_interface == "socketcand":
        socketcand_greets(args.host, args.port)
        # The gateway reports link failures itself, in one line.
        logging.getLogger("can.interfaces.socketcand").setLevel(logging.CRITICAL)
        previous = socket.getdefaulttimeout()
        socket.setdefaulttimeout(SOCKETCAND_WAIT_S)  # bounds python-can's handshake
        try:
            bus = can.Bus(interface="socketcand", channel=channel, host=args.host,
                          port=args.port)
        finally:
            socket.setdefaulttimeout(previous)
        sock = getattr(bus, "_SocketCanDaemonBus__socket", None)
        if sock is not None:
            sock.settimeout(None)  # running, the link blocks as python-can expects
        return bus
    if args.can_interface == "socketcan":
        return can.Bus(interface="socketcan", channel=channel, receive_own_messages=False)
    return can.Bus(interface="virtual", channel=channel)


def socketcand_closed(bus):
    """True once a socketcand server closed the connection.

    python-can 4.1 treats an orderly close as "no frame yet" and keeps polling, so the gateway
    looks at the socket itself (the bus's private attribute, read-only).
    """
    sock = getattr(bus, "_SocketCanDaemonBus__socket", None)
    if sock is None:
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


class Gateway:
    """A GatewayCore wired to a python-can bus and a paho client."""

    def __init__(self, args, table, bus, client):
        self.args = args
        self.bus = bus
        self.client = client
        self.lock = threading.Lock()
        self.connected = threading.Event()
        self.refused = False
        self.stop = threading.Event()
        if args.epoch:
            # socketcand from alfasim stamps frames with run time; SocketCAN with host time.
            origin = 0.0 if args.can_interface == "socketcand" else None
            clock = EpochClock(parse_epoch(args.epoch), origin)
        else:
            clock = HostClock()
        self.core = GatewayCore(table, self._publish, self._send, clock,
                                prefix=args.topic_prefix, discovery=args.discovery_prefix,
                                log=self._log)
        # python-can 4.1's socketcand client marks every received frame as extended
        # (ecosystem guide §9), so on that link the flag says nothing.
        self.ext_flag_valid = args.can_interface != "socketcand"
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message

    def _log(self, line):
        if not self.args.quiet:
            print(f"gateway: {line}", file=sys.stderr, flush=True)

    def _publish(self, topic, payload, retain):
        self.client.publish(topic, payload, qos=1, retain=retain)

    def _send(self, can_id, data):
        self.bus.send(can.Message(arbitration_id=can_id, data=data, is_extended_id=False))

    def _on_connect(self, client, userdata, flags, rc):
        del userdata, flags
        if rc != 0:
            self._log(f"broker refused the connection: {mqtt.connack_string(rc)}")
            if not self.connected.is_set():
                self.refused = True  # wrong credentials will not get better: stop waiting
                self.connected.set()
            return
        with self.lock:
            for topic in self.core.subscriptions():
                client.subscribe(topic, qos=1)
            self.core.on_mqtt_connected()
        self.connected.set()

    def _on_disconnect(self, client, userdata, rc):
        del client, userdata
        if rc != 0:
            self._log("lost the broker; paho reconnects")

    def _on_message(self, client, userdata, message):
        del client, userdata
        # An exception here would end paho's network thread: the gateway would run on,
        # deaf to every later command. Whatever goes wrong with one message stays with it.
        try:
            with self.lock:
                self.core.on_mqtt(message.topic, message.payload, bool(message.retain))
        except Exception as e:  # noqa: BLE001 (any failure: the thread must survive)
            self._log(f"message on {message.topic} not handled: {type(e).__name__}: {e}")

    def run(self):
        """Receives frames until stopped; the exit status."""
        while not self.stop.is_set():
            try:
                msg = self.bus.recv(timeout=0.5)
            except can.CanError as e:
                # python-can's socketcand client appends a traceback to the message
                self._log(f"CAN link failed: {str(e).strip().splitlines()[0]}")
                return EX_IOERR
            if msg is None:
                if socketcand_closed(self.bus):
                    self._log("the socketcand server closed the link")
                    return 0
                continue
            if msg.is_error_frame:
                continue
            extended = msg.is_extended_id and self.ext_flag_valid
            with self.lock:
                t = msg.timestamp * self.args.time_scale
                self.core.on_frame(msg.arbitration_id, bytes(msg.data), t,
                                   extended=extended, remote=msg.is_remote_frame)
        return 0


def read_password(path):
    """The broker password from its file; UsageError naming the file when it cannot be read."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"cannot read the MQTT password file {path}: "
                         f"{getattr(e, 'strerror', None) or e}") from None


def make_client(args, password=None):
    client = mqtt.Client(client_id=args.client_id, clean_session=True)
    if args.mqtt_username:
        client.username_pw_set(args.mqtt_username, password)
    # The Last Will turns every Home Assistant entity unavailable when the gateway dies.
    client.will_set(f"{args.topic_prefix}/gateway/status", "offline", qos=1, retain=True)
    return client


def shutdown(client, bus, prefix):
    """Says goodbye on the status topic (a clean exit sends no Last Will) and closes both links.

    A client that never completed its connection has said nothing yet: no goodbye to wait for.
    """
    if client.is_connected():
        try:
            info = client.publish(f"{prefix}/gateway/status", "offline", qos=1, retain=True)
            info.wait_for_publish(timeout=2.0)
        except (RuntimeError, ValueError):
            pass  # the broker is gone; its Last Will for this client says the same
    client.disconnect()
    client.loop_stop()
    if bus is not None:
        bus.shutdown()


def main(argv):
    try:
        args = parse_args(argv)
        if args.epoch:
            parse_epoch(args.epoch)
        table = SignalTable.load(args.signals)
        GatewayCore.check_table(table)
        password = None
        if args.mqtt_password_file:
            if not args.mqtt_username:
                raise UsageError("--mqtt-password-file needs --mqtt-username")
            password = read_password(args.mqtt_password_file)
    except (UsageError, ValueError) as e:
        print(f"gateway: {e}", file=sys.stderr)
        return EX_USAGE
    # Until the receive loop runs, SIGTERM ends the start-up as Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    client = make_client(args, password)
    bus = None
    try:
        # The broker first, then the bus: CONNACK is handled by the network thread started
        # below, once the Gateway has set its callbacks, and no frame is read before the
        # broker is there.
        try:
            client.connect(args.mqtt_host, args.mqtt_port, keepalive=60)
        except OSError as e:
            print(f"gateway: cannot reach the broker {args.mqtt_host}:{args.mqtt_port}: {e}",
                  file=sys.stderr)
            return EX_UNAVAILABLE
        try:
            bus = open_bus(args)
        except (can.CanError, OSError, TimeoutError, ValueError) as e:
            print(f"gateway: cannot open the CAN link ({args.can_interface}): {e}",
                  file=sys.stderr)
            shutdown(client, bus, args.topic_prefix)
            return EX_UNAVAILABLE
        gw = Gateway(args, table, bus, client)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: gw.stop.set())
    except KeyboardInterrupt:
        print("gateway: stopped while starting", file=sys.stderr)
        shutdown(client, bus, args.topic_prefix)
        return 0
    client.loop_start()
    try:
        deadline = time.monotonic() + MQTT_CONNECT_WAIT_S
        while not gw.connected.wait(0.1):
            if gw.stop.is_set():
                return 0
            if time.monotonic() >= deadline:
                break
        if not gw.connected.is_set() or gw.refused:
            print("gateway: the broker did not accept the connection", file=sys.stderr)
            return EX_UNAVAILABLE
        return gw.run()
    finally:
        shutdown(client, bus, args.topic_prefix)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
