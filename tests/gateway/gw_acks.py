"""Sequence numbers for the gateway's commands, and ACKs matched back to them (spec §9.10, §12).

Every command the gateway sends gets the next sequence number (1, 2, ... 255, 0, 1, ...; a
number still waiting for ACKs is skipped). An ACK on 0x280+N, [cmd & 0xFF, seq, status,
mode_mask], answers the pending command with the same identifier and sequence number whose
target was N or the broadcast 127: (NodeID, command, seq) as the spec says.

A pending command expects an ACK from its target, or for a broadcast from every pack that was
live when it was sent. It is finished when all of them answered, or ACK_WAIT_S of bus time
after it was sent, whichever comes first; the gateway then publishes its result.
"""

ACK_WAIT_S = 5.0

STATUS_TEXT = {0: "ok", 1: "bad length", 2: "bad value", 3: "refused", 4: "unknown command"}


class Pending:
    """A sent command and the ACKs it has collected."""

    def __init__(self, command, sent_at, expected):
        self.command = command
        self.sent_at = sent_at  # None until the first bus time after sending
        self.expected = set(expected)
        self.acks = {}

    def answered(self):
        """Every expected node answered (never true while nothing was expected)."""
        return bool(self.expected) and self.expected <= set(self.acks)

    def result(self):
        """The JSON object published when the command is finished."""
        acks = {str(n): STATUS_TEXT.get(s, str(s)) for n, s in sorted(self.acks.items())}
        missing = sorted(self.expected - set(self.acks))
        complete = bool(self.acks) and not missing
        return {
            "cmd": self.command.name,
            "seq": self.command.seq,
            "node": self.command.target,
            "request_id": self.command.request_id,
            "acks": acks,
            "missing": missing,
            "complete": complete,
            "ok": complete and all(s == 0 for s in self.acks.values()),
        }


class AckTracker:
    """The commands waiting for ACKs, keyed by (identifier, sequence number)."""

    def __init__(self, wait_s=ACK_WAIT_S):
        self.wait_s = wait_s
        self.pending = {}
        self.last_seq = 0

    def next_seq(self):
        in_use = {seq for (_, seq) in self.pending}
        for _ in range(256):
            self.last_seq = (self.last_seq + 1) & 0xFF
            if self.last_seq not in in_use:
                return self.last_seq
        raise RuntimeError("all 256 sequence numbers are waiting for ACKs")

    def sent(self, command, now, expected):
        self.pending[(command.can_id, command.seq)] = Pending(command, now, expected)

    def on_ack(self, node_id, cmd_id, seq, status):
        """The pending command this ACK answers (and records it there), or None."""
        pending = self.pending.get((cmd_id, seq))
        if pending is None or pending.command.target not in (node_id, 127):
            return None
        pending.acks[node_id] = status
        if pending.command.target == node_id:
            pending.expected.add(node_id)
        return pending

    def collect(self, now):
        """The pending commands finished at bus time now, removed, in sending order."""
        done = []
        for key, pending in list(self.pending.items()):
            if pending.sent_at is None:
                pending.sent_at = now
            if pending.answered() or now - pending.sent_at >= self.wait_s:
                done.append(pending)
                del self.pending[key]
        return done

    def clear(self):
        self.pending.clear()
