"""The gateway's two clocks: bus time, and the local time it broadcasts.

Bus time is the timestamp of the frames the gateway receives. Over socketcand from alfasim it
is the simulation's virtual time; over SocketCAN it is the host's receive time. Everything the
gateway decides by time (the 120 s election TTL, ACK deadlines, when the next time broadcast is
due) runs on bus time and advances only when frames arrive: the same frames always give the
same decisions, however fast or loaded the host is.

Local time is what goes into the 0x7FF broadcast (spec §9.11):
  * HostClock: the host's local time zone, as on the real Orange Pi;
  * EpochClock: a fixed start plus elapsed bus time, for simulated runs, where it should match
    the scenario's environment.start so that the packs' calendars and clocks agree.
"""
import datetime
import time


def parse_epoch(text):
    """"YYYY-MM-DDTHH:MM[:SS]" -> naive datetime (local time); ValueError otherwise."""
    for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"):
        try:
            return datetime.datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValueError(f'expected a local time like "2024-06-21T12:00", got {text!r}')


class EpochClock:
    """Local time = epoch + (bus time - origin).

    origin None takes the first bus time seen (SocketCAN timestamps are host seconds since
    1970, not run time); 0.0 suits socketcand from alfasim, whose timestamps are run time.
    """

    def __init__(self, epoch, origin=None):
        self.epoch = epoch
        self.initial_origin = origin
        self.origin = origin

    def local(self, bus_s):
        if self.origin is None:
            self.origin = bus_s
        return self.epoch + datetime.timedelta(seconds=bus_s - self.origin)

    def restart(self):
        """A new run began on the link (its bus time went back): count from its start."""
        self.origin = self.initial_origin


class HostClock:
    """The host's local time (time zone from the system), ignoring bus time."""

    def local(self, bus_s):
        del bus_s
        return datetime.datetime.fromtimestamp(time.time())

    def restart(self):
        pass
