"""Master identification as the gateway does it (spec §9.7 and §12).

The gateway keeps every node it heard announce (ANN, 0x300+N) with its device type, firmware,
MAC tail and when it was last heard. An entry is live while now - last_seen <= 120 s; the master
is the live Energy-Gateway with the highest NodeID if there is one, else the live node with the
highest NodeID. The gateway itself never announces and is never counted.

It also reads each node's own claim (bit 0 of ANN byte 3, bit 3 of TEL page 0's status) and
reports the nodes whose claim disagrees with the rule. A disagreement is reported only once it
has lasted MISMATCH_GRACE_S: a node that just booted holds its flag back for 2 s (spec §9.7), and
after a master's entry expires the packs and the gateway flip within one control tick of each
other, so shorter disagreements are the protocol working, not a fault.
"""

TTL_S = 120.0
MISMATCH_GRACE_S = 6.0
DEVICE_PACK = 1
DEVICE_GATEWAY = 2


class NodeEntry:
    """What the latest ANN of one NodeID said, and when it came."""

    def __init__(self, node_id):
        self.node_id = node_id
        self.device_type = None
        self.fw_version = None
        self.mac_tail = None
        self.last_seen = None
        self.claim = None
        self.mismatch_since = None

    def identity(self):
        return (self.device_type, self.fw_version, self.mac_tail)


class Election:
    """The ANN table, the master rule and the claim check."""

    def __init__(self, ttl_s=TTL_S, grace_s=MISMATCH_GRACE_S):
        self.ttl_s = ttl_s
        self.grace_s = grace_s
        self.nodes = {}

    def on_ann(self, node_id, fields, now):
        """Records an ANN; True when this NodeID is new or announced another identity."""
        entry = self.nodes.setdefault(node_id, NodeEntry(node_id))
        before = entry.identity()
        if not self.is_live(entry, now):
            entry.mismatch_since = None  # a returning node starts with a clean record
        entry.device_type = fields.get("DeviceType")
        entry.fw_version = f"{fields.get('FwMajor')}.{fields.get('FwMinor')}"
        entry.mac_tail = f"{fields.get('MacTail', 0):08X}"
        entry.last_seen = now
        entry.claim = bool(fields.get("IsMaster"))
        return entry.identity() != before

    def on_claim(self, node_id, claims):
        """A TEL page 0 status bit; ignored for a node that has not announced."""
        entry = self.nodes.get(node_id)
        if entry is not None:
            entry.claim = bool(claims)

    def is_live(self, entry, now):
        return entry.last_seen is not None and now - entry.last_seen <= self.ttl_s

    def live(self, now):
        return [e for _, e in sorted(self.nodes.items()) if self.is_live(e, now)]

    def live_packs(self, now):
        return [e.node_id for e in self.live(now) if e.device_type == DEVICE_PACK]

    def master(self, now):
        """The master's NodeID, or None while no node is live."""
        live = self.live(now)
        gateways = [e for e in live if e.device_type == DEVICE_GATEWAY]
        pool = gateways or live
        return max(e.node_id for e in pool) if pool else None

    def mismatches(self, now, master):
        """[(NodeID, claims)] of the live nodes whose claim has been wrong for the grace time."""
        out = []
        for entry in self.live(now):
            wrong = entry.claim is not None and entry.claim != (entry.node_id == master)
            if not wrong:
                entry.mismatch_since = None
                continue
            if entry.mismatch_since is None:
                entry.mismatch_since = now
            if now - entry.mismatch_since >= self.grace_s:
                out.append((entry.node_id, entry.claim))
        return out
