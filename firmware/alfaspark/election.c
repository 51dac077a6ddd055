/*
 * election.c: node table, master election and NodeID collisions (spec §9.6, §9.7). See
 * election.h.
 */
#include "election.h"

#include <string.h>

#include "telemetry.h"

uint8_t fw_node_id_from_mac(const uint8_t mac[6]) {
    uint8_t x = 0;
    for (unsigned i = 0; i < 6u; i++) {
        x ^= mac[i];
    }
    return (uint8_t)(x % FW_NODE_BROADCAST);
}

uint32_t fw_mac_tail(const uint8_t mac[6]) {
    return ((uint32_t)mac[2] << 24) | ((uint32_t)mac[3] << 16) | ((uint32_t)mac[4] << 8) |
           (uint32_t)mac[5];
}

_Static_assert(FW_ELECTION_TABLE < UINT8_MAX, "slot_of holds 1 + a slot index in a uint8_t");

void fw_election_init(fw_election_t *e, uint8_t self_id, uint8_t self_type, uint32_t self_tail,
                      uint64_t now_ms) {
    memset(e, 0, sizeof *e);
    e->self_id = self_id;
    e->self_type = self_type;
    e->self_tail = self_tail;
    e->master_id = self_id;
    e->boot_ann_ms = now_ms;
    e->last_ann_ms = now_ms;
}

unsigned fw_election_count(const fw_election_t *e) {
    unsigned n = 0;
    for (unsigned i = 0; i < FW_ELECTION_TABLE; i++) {
        n += e->peers[i].used ? 1u : 0u;
    }
    return n;
}

/* The next NodeID after ours that no live peer uses (wrapping mod 127). */
static uint8_t next_free_id(fw_election_t *e) {
    uint8_t id = e->self_id;
    for (unsigned k = 0; k < FW_NODE_BROADCAST; k++) {
        id = (uint8_t)((id + 1u) % FW_NODE_BROADCAST);
        if (fw_election_find(e, id) == NULL) {
            return id;
        }
    }
    return e->self_id; /* unreachable with at most 32 peers */
}

static fw_ann_action_t on_collision(fw_election_t *e, uint32_t other_tail) {
    e->collisions++;
    if (FW_MUT_COLLISION_MOVES(e->self_tail, other_tail)) {
        e->self_id = next_free_id(e);
        return FW_ANN_MOVED;
    }
    /* We keep the NodeID; announce soon so the other node learns it has to move. */
    e->reply_pending = true;
    return FW_ANN_NONE;
}

static void set_ignored(fw_election_t *e, uint8_t node, bool on) {
    uint32_t bit = 1u << (node % 32u);
    e->ignored[node / 32u] = on ? (e->ignored[node / 32u] | bit) : (e->ignored[node / 32u] & ~bit);
}

static bool is_ignored(const fw_election_t *e, uint8_t node) {
    return (e->ignored[node / 32u] >> (node % 32u)) & 1u;
}

/* A peer counts until FW_NODE_TTL_MS after its last announcement; expiry and election agree. */
static bool peer_live(const fw_peer_t *p, uint64_t now_ms) {
    return p->used && now_ms - p->last_seen_ms <= FW_MUT_NODE_TTL_MS(FW_NODE_TTL_MS);
}

/* Rank for a full table: an Energy-Gateway above every pack, then the higher NodeID, the order in
 * which the election picks the master. NodeIDs are unique, so no two ranks tie. */
static unsigned rank(uint8_t device_type, uint8_t node) {
    return (device_type == FW_DEVICE_GATEWAY ? 0x100u : 0u) | node;
}

/* Every entry leaves the table through here, so slot_of never names a free slot. */
static void free_slot(fw_election_t *e, unsigned slot) {
    e->slot_of[e->peers[slot].node_id] = 0;
    e->peers[slot].used = false;
}

static fw_peer_t *take_slot(fw_election_t *e, unsigned slot, uint8_t node) {
    fw_peer_t *p = &e->peers[slot];
    memset(p, 0, sizeof *p); /* no TEL of an expired or evicted node carries over */
    p->used = true;
    p->node_id = node;
    e->slot_of[node] = (uint8_t)(slot + 1u);
    set_ignored(e, node, false);
    return p;
}

static unsigned first_free_slot(const fw_election_t *e) {
    for (unsigned i = 0; i < FW_ELECTION_TABLE; i++) {
        if (!e->peers[i].used) {
            return i;
        }
    }
    return FW_ELECTION_TABLE;
}

/* Full table of live entries: the slot of the lowest-ranked entry, evicted, when the newcomer
 * outranks it; FW_ELECTION_TABLE when the newcomer is the one that does not fit. Keeping the
 * highest-ranked peers keeps the highest-ranked live node, the master, in every node's table, so
 * every node elects the same master however many nodes share the bus. */
static unsigned evict_for(fw_election_t *e, uint8_t node, uint8_t device_type) {
    unsigned low = 0;
    for (unsigned i = 1; i < FW_ELECTION_TABLE; i++) {
        const fw_peer_t *p = &e->peers[i];
        if (rank(p->device_type, p->node_id) <
            rank(e->peers[low].device_type, e->peers[low].node_id)) {
            low = i;
        }
    }
    if (rank(device_type, node) <= rank(e->peers[low].device_type, e->peers[low].node_id)) {
        return FW_ELECTION_TABLE; /* the newcomer does not outrank any entry */
    }
    set_ignored(e, e->peers[low].node_id, true); /* its claims and TEL are ignored from now on */
    free_slot(e, low);
    e->evicted++;
    return low;
}

/* An entry for a node not in the table, or NULL when it does not fit (then it is ignored). */
static fw_peer_t *insert(fw_election_t *e, uint8_t node, uint8_t device_type, uint64_t now_ms) {
    unsigned slot = first_free_slot(e);
    if (slot == FW_ELECTION_TABLE) {
        /* An entry past the TTL is gone already for the election; the tick would drop it within
         * 2 s. Dropping it now keeps a node within the supported configuration from being
         * refused, or from evicting a live entry, while a dead one holds a slot. */
        fw_election_expire(e, now_ms);
        slot = first_free_slot(e);
    }
    if (slot == FW_ELECTION_TABLE) {
        e->table_full++; /* more than 32 peers is outside the supported configuration */
        slot = evict_for(e, node, device_type);
    }
    if (slot == FW_ELECTION_TABLE) {
        set_ignored(e, node, true);
        return NULL;
    }
    return take_slot(e, slot, node);
}

fw_ann_action_t fw_election_on_ann(fw_election_t *e, uint8_t node, const uint8_t *data, uint8_t dlc,
                                   uint64_t now_ms) {
    if (dlc != 8u || node >= FW_NODE_BROADCAST ||
        (data[0] != FW_DEVICE_PACK && data[0] != FW_DEVICE_GATEWAY)) {
        return FW_ANN_NONE;
    }
    uint32_t tail = ((uint32_t)data[4] << 24) | ((uint32_t)data[5] << 16) |
                    ((uint32_t)data[6] << 8) | (uint32_t)data[7];
    if (node == e->self_id) {
        return tail == e->self_tail ? FW_ANN_NONE : on_collision(e, tail);
    }
    fw_peer_t *p = fw_election_find(e, node);
    if (p == NULL) {
        p = insert(e, node, data[0], now_ms);
        if (p == NULL) {
            return FW_ANN_NONE;
        }
        e->reply_pending = true;
    }
    p->device_type = data[0];
    p->mac_tail = tail;
    p->last_seen_ms = now_ms;
    fw_election_recompute(e, now_ms);
    return FW_ANN_NONE;
}

void fw_election_expire(fw_election_t *e, uint64_t now_ms) {
    for (unsigned i = 0; i < FW_ELECTION_TABLE; i++) {
        fw_peer_t *p = &e->peers[i];
        if (p->used && !peer_live(p, now_ms)) {
            free_slot(e, i);
            e->expired++;
        }
    }
}

void fw_election_recompute(fw_election_t *e, uint64_t now_ms) {
    bool gw = e->self_type == FW_DEVICE_GATEWAY;
    uint8_t best = e->self_id;
    for (unsigned i = 0; i < FW_ELECTION_TABLE; i++) {
        const fw_peer_t *p = &e->peers[i];
        if (!peer_live(p, now_ms)) {
            continue;
        }
        bool p_gw = FW_MUT_GW_PREFERRED && p->device_type == FW_DEVICE_GATEWAY;
        if ((p_gw && !gw) || (p_gw == gw && FW_MUT_ELECT_BEATS(p->node_id, best))) {
            best = p->node_id;
            gw = p_gw;
        }
    }
    e->master_id = best;
    bool holdoff_over = now_ms - e->boot_ann_ms >= FW_MASTER_HOLDOFF_MS;
    bool foreign =
        e->foreign_master_seen && now_ms - e->foreign_master_ms <= FW_PEER_TEL_MAX_AGE_MS;
    e->is_master =
        best == e->self_id && FW_MUT_HOLDOFF_OVER(holdoff_over) && !FW_MUT_FOREIGN_MASTER(foreign);
}

bool fw_election_on_foreign_master(fw_election_t *e, uint8_t node, const uint8_t *data, uint8_t dlc,
                                   uint64_t now_ms) {
    if (dlc != 8u || data[0] != 0u || (data[6] & FW_TEL_ST_MASTER) == 0u ||
        node >= FW_NODE_BROADCAST || node == e->self_id || is_ignored(e, node) ||
        fw_election_find(e, node) != NULL) {
        return false;
    }
    e->foreign_master_seen = true;
    e->foreign_master_ms = now_ms;
    fw_election_recompute(e, now_ms);
    return true;
}
