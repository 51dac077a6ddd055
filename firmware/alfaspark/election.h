/*
 * election.h: TTL-based node-list master election and node identity (spec §9.6, §9.7, §9.8).
 *
 * Each node announces (ANN, 0x300+N) at boot and every 60 s. Receivers keep up to
 * FW_ELECTION_TABLE other nodes {NodeID, DeviceType, MAC tail, lastSeen}; an entry expires when
 * now - lastSeen > 120 s. Self is never in the table. Master = a live Energy-Gateway if any (the
 * highest NodeID among gateways), otherwise the highest NodeID among the live entries and self.
 * The master is recomputed on every ANN and every tick. A node acts as master (is-master flag,
 * aggregate pages) only from FW_MASTER_HOLDOFF_MS after its boot ANN.
 *
 * A full table: more than FW_ELECTION_TABLE other live nodes is outside the supported
 * configuration, and a node that does not fit is ignored (spec §9.7). Which node does not fit is
 * decided by rank, not by arrival: rank = Energy-Gateway above Energy-Pack, then the higher
 * NodeID. When an unknown node announces into a full table, entries past the TTL are expired
 * first; if none was, and the newcomer outranks the lowest-ranked entry, that entry is evicted
 * (it becomes ignored) and the newcomer takes its slot, otherwise the newcomer is ignored. The
 * election only ever picks the highest-ranked live node, so a table that keeps the highest-ranked
 * peers gives every node the same master at any bus size; with at most FW_ELECTION_TABLE peers
 * nothing is ever evicted and nothing changes.
 *
 * Collision: an ANN carrying this node's NodeID with a different MAC tail. The tails compare as
 * big-endian u32; the lower one moves to the next NodeID free in its table (N+1, N+2, ... mod 127)
 * and the caller persists it, re-announces and posts event 6. The higher one keeps its NodeID and
 * answers with its own ANN (reply_pending), so the other side learns of the collision quickly.
 *
 * An unknown master: a pack power-cycled for less than the TTL is still in every peer's table,
 * so no peer answers its boot ANN and its table stays empty until the peers' next periodic ANN
 * (up to 60 s). Alone in its table it would elect itself after the hold-off and send the same
 * aggregate identifiers as the real master. So a node never acts as master while a node that is
 * not in its table says in its TEL page 0 that it is master (fw_election_on_foreign_master),
 * until FW_PEER_TEL_MAX_AGE_MS pass without such a page or that node's ANN puts it in the table.
 * Ignored nodes (refused or evicted for a full table) stay ignored here too, as the spec asks:
 * they ranked below every entry of a full table, so they are not the master, and an ignored
 * node's next ANN (within 60 s) takes it into the table if it fits by then.
 *
 * The table also keeps the latest TEL values of each peer pack for the master's aggregates; an
 * evicted or refused node's TEL is not stored. fw_election_find is one indexed load (slot_of is
 * kept in step with every insert, expiry and eviction): it runs for every TEL frame heard.
 */
#ifndef FW_ELECTION_H
#define FW_ELECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fw_config.h"

/** Latest telemetry of a peer pack (from its TEL pages 0..2). */
typedef struct {
    uint64_t page_ms[3]; /* receive time of pages 0, 1, 2 */
    bool page_seen[3];
    uint8_t soc; /* 0xFF = not valid */
    int16_t grid_w, home_w, batt_w, solar_w, pool_w, heater_w;
} fw_peer_tel_t;

typedef struct {
    bool used;
    uint8_t node_id;
    uint8_t device_type;
    uint32_t mac_tail;
    uint64_t last_seen_ms;
    fw_peer_tel_t tel;
} fw_peer_t;

typedef struct {
    fw_peer_t peers[FW_ELECTION_TABLE]; /* slot order is the aggregates' summing order */
    /* NodeID -> 1 + index in peers of its entry, 0 = no entry, so a zeroed table is empty.
     * Indexed by any uint8_t so a lookup needs no range check; 127..255 never have an entry. */
    uint8_t slot_of[UINT8_MAX + 1];
    uint8_t self_id;
    uint8_t self_type;
    uint32_t self_tail;
    uint8_t master_id;
    bool is_master; /* master and past the boot hold-off */
    uint64_t boot_ann_ms;
    uint64_t last_ann_ms;
    bool reply_pending;         /* an unknown node announced: answer with our ANN (<= 1/s) */
    bool foreign_master_seen;   /* a node not in the table claimed master in its TEL */
    uint64_t foreign_master_ms; /* when it last did */
    uint32_t ignored[4];        /* NodeIDs refused or evicted for a full table (bit set) */
    bool replied_once;
    uint64_t last_reply_ms;
    uint32_t table_full; /* unknown nodes that announced into a table full of live entries */
    uint32_t evicted;    /* of those, the ones that outranked and replaced the lowest entry */
    uint32_t collisions, expired;
} fw_election_t;

/** What an ANN asked of the caller. */
typedef enum {
    FW_ANN_NONE = 0,
    FW_ANN_MOVED, /* collision: this node moved to self_id; persist, re-announce, event 6 */
} fw_ann_action_t;

/** NodeID from the whole MAC: XOR of the six bytes mod 127 (never 127). */
uint8_t fw_node_id_from_mac(const uint8_t mac[6]);

/** MAC tail: the last 4 MAC bytes as a big-endian u32. */
uint32_t fw_mac_tail(const uint8_t mac[6]);

/** Clears the table and sets self; last_ann_ms/boot_ann_ms = now (the boot ANN goes out now). */
void fw_election_init(fw_election_t *e, uint8_t self_id, uint8_t self_type, uint32_t self_tail,
                      uint64_t now_ms);

/** Handles ANN data (DLC 8) from NodeID `node`: refreshes its entry, or inserts it (into a free
 * slot, a slot freed by expiry, or by evicting a lower-ranked entry), or ignores it. */
fw_ann_action_t fw_election_on_ann(fw_election_t *e, uint8_t node, const uint8_t *data, uint8_t dlc,
                                   uint64_t now_ms);

/** Removes entries with now - lastSeen > TTL (their slots keep their order for new entries). */
void fw_election_expire(fw_election_t *e, uint64_t now_ms);

/** Recomputes master_id and is_master. */
void fw_election_recompute(fw_election_t *e, uint64_t now_ms);

/** TEL page 0 (`data`, DLC 8) from NodeID `node`: notes a master claim by a node not in the
 * table (and not ignored: refused or evicted for a full table) and recomputes. Returns true when
 * it was one. */
bool fw_election_on_foreign_master(fw_election_t *e, uint8_t node, const uint8_t *data, uint8_t dlc,
                                   uint64_t now_ms);

/** The entry for `node` (present until expired or evicted), or NULL. Inline: every TEL frame
 * heard goes through it. */
static inline fw_peer_t *fw_election_find(fw_election_t *e, uint8_t node) {
    unsigned slot1 = e->slot_of[node];
    return slot1 == 0u ? NULL : &e->peers[slot1 - 1u];
}

/** Number of live entries. */
unsigned fw_election_count(const fw_election_t *e);

#endif
