/*
 * test_fw_election_table.c: the election table beyond its 32 entries (spec §9.7), on bare
 * fw_election_t values: which node does not fit is decided by rank (Energy-Gateway above pack,
 * then higher NodeID), so every node of a bus of 40 or 126 elects the same master whatever order
 * the announcements arrive in; the NodeID index behind fw_election_find always agrees with a
 * scan of the table, through inserts, expiry, evictions and collision moves.
 */
#include "election.h"
#include "telemetry.h"
#include "test_support.h"

#define SELF     99u
#define MAX_BUS  126u
#define PACK     FW_DEVICE_PACK
#define GATEWAY  FW_DEVICE_GATEWAY
#define SELFTAIL 0x28102030u

static fw_ann_action_t ann_at(fw_election_t *e, uint8_t node, uint8_t type, uint32_t tail,
                              uint64_t now_ms) {
    uint8_t d[8] = {
        type,         2, 5, 0, (uint8_t)(tail >> 24), (uint8_t)(tail >> 16), (uint8_t)(tail >> 8),
        (uint8_t)tail};
    return fw_election_on_ann(e, node, d, 8, now_ms);
}

/* The reference lookup: the entry a scan of the whole table finds (and no second one). */
static const fw_peer_t *scan(const fw_election_t *e, unsigned node) {
    const fw_peer_t *hit = NULL;
    for (unsigned i = 0; i < FW_ELECTION_TABLE; i++) {
        if (e->peers[i].used && e->peers[i].node_id == node) {
            CU_ASSERT_PTR_NULL(hit);
            hit = &e->peers[i];
        }
    }
    return hit;
}

static bool index_agrees(fw_election_t *e) {
    for (unsigned n = 0; n <= UINT8_MAX; n++) {
        if ((const fw_peer_t *)fw_election_find(e, (uint8_t)n) != scan(e, n)) {
            fprintf(stderr, "\n  index and scan disagree on NodeID %u\n", n);
            return false;
        }
    }
    return true;
}

static void fill(fw_election_t *e, uint8_t first, uint8_t type, uint64_t now_ms) {
    for (unsigned i = 0; i < FW_ELECTION_TABLE; i++) {
        ann_at(e, (uint8_t)(first + i), type, 0x01000000u + first + i, now_ms);
    }
    ASSERT_EQ_U64(fw_election_count(e), FW_ELECTION_TABLE);
}

static void test_higher_node_evicts_lowest(void) {
    fw_election_t e;
    fw_election_init(&e, SELF, PACK, SELFTAIL, 0);
    fill(&e, 10, PACK, 0); /* NodeIDs 10..41 in slots 0..31 */
    e.reply_pending = false;
    ann_at(&e, 50, PACK, 50, 1000);
    ASSERT_EQ_U64(e.table_full, 1);
    ASSERT_EQ_U64(e.evicted, 1);
    CU_ASSERT_PTR_NULL(fw_election_find(&e, 10));
    CU_ASSERT_PTR_EQUAL(fw_election_find(&e, 50), &e.peers[0]); /* the evicted entry's slot */
    CU_ASSERT_TRUE(e.reply_pending);                            /* a new node: answered */
    ASSERT_EQ_U64(fw_election_count(&e), FW_ELECTION_TABLE);
    CU_ASSERT_TRUE(index_agrees(&e));
    /* The evicted node is ignored from now on: its master claims do not count. */
    uint8_t claim[8] = {0, 50, 0x02, 0x10, 0, 0, FW_TEL_ST_MASTER, 0};
    CU_ASSERT_FALSE(fw_election_on_foreign_master(&e, 10, claim, 8, 1000));
    CU_ASSERT_FALSE(e.foreign_master_seen);
}

static void test_lower_node_ignored(void) {
    fw_election_t e;
    fw_election_init(&e, SELF, PACK, SELFTAIL, 0);
    fill(&e, 10, PACK, 0);
    ann_at(&e, 50, PACK, 50, 1000); /* evicts 10 */
    e.reply_pending = false;
    ann_at(&e, 5, PACK, 5, 2000);
    ann_at(&e, 10, PACK, 0x0100000Au, 3000); /* the evicted node now ranks below 11 */
    CU_ASSERT_PTR_NULL(fw_election_find(&e, 5));
    CU_ASSERT_PTR_NULL(fw_election_find(&e, 10));
    CU_ASSERT_PTR_NOT_NULL(fw_election_find(&e, 11));
    ASSERT_EQ_U64(e.table_full, 3);
    ASSERT_EQ_U64(e.evicted, 1);
    CU_ASSERT_FALSE(e.reply_pending); /* ignored nodes get no answer */
    /* Neither of them is a master this node defers to. */
    uint8_t claim[8] = {0, 50, 0x02, 0x10, 0, 0, FW_TEL_ST_MASTER, 0};
    CU_ASSERT_FALSE(fw_election_on_foreign_master(&e, 5, claim, 8, 3000));
    CU_ASSERT_FALSE(fw_election_on_foreign_master(&e, 10, claim, 8, 3000));
    CU_ASSERT_TRUE(fw_election_on_foreign_master(&e, 120, claim, 8, 3000)); /* never heard */
}

static void test_gateway_evicts_pack(void) {
    fw_election_t e;
    fw_election_init(&e, SELF, PACK, SELFTAIL, 0);
    fill(&e, 60, PACK, 0);
    ASSERT_EQ_U64(e.master_id, SELF);
    ann_at(&e, 3, GATEWAY, 3, 1000); /* the lowest NodeID, but a gateway */
    CU_ASSERT_PTR_NOT_NULL(fw_election_find(&e, 3));
    CU_ASSERT_PTR_NULL(fw_election_find(&e, 60));
    ASSERT_EQ_U64(e.evicted, 1);
    ASSERT_EQ_U64(e.master_id, 3);
    ann_at(&e, 2, PACK, 2, 1000); /* a pack below every entry still does not fit */
    CU_ASSERT_PTR_NULL(fw_election_find(&e, 2));
    CU_ASSERT_TRUE(index_agrees(&e));
}

static void test_pack_never_evicts_gateway(void) {
    fw_election_t e;
    fw_election_init(&e, SELF, PACK, SELFTAIL, 0);
    fill(&e, 0, GATEWAY, 0); /* 32 gateways, NodeIDs 0..31 */
    ASSERT_EQ_U64(e.master_id, 31);
    ann_at(&e, 126, PACK, 126, 1000);
    CU_ASSERT_PTR_NULL(fw_election_find(&e, 126));
    ASSERT_EQ_U64(e.evicted, 0);
    ASSERT_EQ_U64(e.master_id, 31);
    ann_at(&e, 40, GATEWAY, 40, 2000); /* a higher gateway evicts the lowest gateway */
    CU_ASSERT_PTR_NULL(fw_election_find(&e, 0));
    CU_ASSERT_PTR_NOT_NULL(fw_election_find(&e, 40));
    ASSERT_EQ_U64(e.master_id, 40);
    CU_ASSERT_TRUE(index_agrees(&e));
}

/* A dead entry (past the TTL, not yet dropped by the tick) gives up its slot before any live one
 * is evicted or the newcomer refused: within 32 live peers nothing is lost to a full table. */
static void test_stale_entry_goes_first(void) {
    fw_election_t e;
    fw_election_init(&e, SELF, PACK, SELFTAIL, 0);
    fill(&e, 10, PACK, 0);
    for (unsigned i = 0; i < FW_ELECTION_TABLE; i++) {
        if (10u + i != 30u) {
            ann_at(&e, (uint8_t)(10u + i), PACK, 0x01000000u + 10u + i, 100000);
        }
    }
    ann_at(&e, 5, PACK, 5, 120000); /* 30 is exactly 120 s old: still live, 5 ranks lowest */
    CU_ASSERT_PTR_NULL(fw_election_find(&e, 5));
    ann_at(&e, 5, PACK, 5, 120001); /* now 30 is past the TTL */
    CU_ASSERT_PTR_EQUAL(fw_election_find(&e, 5), &e.peers[20]);
    CU_ASSERT_PTR_NULL(fw_election_find(&e, 30));
    CU_ASSERT_PTR_NOT_NULL(fw_election_find(&e, 10));
    ASSERT_EQ_U64(e.expired, 1);
    ASSERT_EQ_U64(e.evicted, 0);
    ASSERT_EQ_U64(e.table_full, 1); /* only the refusal at 120 s */
    CU_ASSERT_TRUE(index_agrees(&e));
}

/* ---- a whole bus of election tables ---------------------------------------------------------- */

typedef struct {
    fw_election_t e[MAX_BUS];
    uint8_t id[MAX_BUS], type[MAX_BUS];
    unsigned n;
} bus_t;

static bus_t bus; /* 126 tables: too large for the stack */

static uint64_t splitmix(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void bus_init(unsigned n, uint8_t id_step, uint8_t gateway_id) {
    bus.n = n;
    for (unsigned i = 0; i < n; i++) {
        bus.id[i] = (uint8_t)((i * id_step) % FW_NODE_BROADCAST);
        bus.type[i] = bus.id[i] == gateway_id ? GATEWAY : PACK;
        fw_election_init(&bus.e[i], bus.id[i], bus.type[i], 0x01000000u + bus.id[i], 0);
    }
}

static void bus_ann(unsigned from, uint64_t now_ms) {
    for (unsigned j = 0; j < bus.n; j++) {
        if (j != from) {
            ann_at(&bus.e[j], bus.id[from], bus.type[from], 0x01000000u + bus.id[from], now_ms);
        }
    }
}

/* Every node acting as master sends TEL page 0 with the master bit; receivers route it as the
 * firmware does (fw_election_on_foreign_master when the sender is not in their table). Then the
 * tick's expiry and recompute. */
static void bus_tick(uint64_t now_ms) {
    uint8_t claim[8] = {0, 50, 0x02, 0x10, 0, 0, FW_TEL_ST_MASTER, 0};
    for (unsigned i = 0; i < bus.n; i++) {
        if (!bus.e[i].is_master) {
            continue;
        }
        for (unsigned j = 0; j < bus.n; j++) {
            if (j != i && fw_election_find(&bus.e[j], bus.id[i]) == NULL) {
                (void)fw_election_on_foreign_master(&bus.e[j], bus.id[i], claim, 8, now_ms);
            }
        }
    }
    for (unsigned i = 0; i < bus.n; i++) {
        fw_election_expire(&bus.e[i], now_ms);
        fw_election_recompute(&bus.e[i], now_ms);
    }
}

static unsigned bus_top(void) {
    unsigned top = 0;
    for (unsigned i = 1; i < bus.n; i++) {
        unsigned r = (bus.type[i] == GATEWAY ? 256u : 0u) + bus.id[i];
        if (r > (bus.type[top] == GATEWAY ? 256u : 0u) + bus.id[top]) {
            top = i;
        }
    }
    return top;
}

/* Every table names the highest-ranked node master and only that node acts as master. */
static void assert_one_master(void) {
    unsigned top = bus_top(), acting = 0;
    for (unsigned i = 0; i < bus.n; i++) {
        ASSERT_EQ_U64(bus.e[i].master_id, bus.id[top]);
        acting += bus.e[i].is_master ? 1u : 0u;
        CU_ASSERT_TRUE(index_agrees(&bus.e[i]));
    }
    ASSERT_EQ_U64(acting, 1);
    CU_ASSERT_TRUE(bus.e[top].is_master);
}

enum { ASCENDING, DESCENDING, INTERLEAVED, SHUFFLED, N_ORDERS };

static void make_order(unsigned *order, unsigned n, int kind, uint64_t seed) {
    for (unsigned k = 0; k < n; k++) {
        order[k] = kind == DESCENDING ? n - 1u - k : k;
        if (kind == INTERLEAVED) { /* one from each end in turn */
            order[k] = (k % 2u) == 0u ? k / 2u : n - 1u - k / 2u;
        }
    }
    for (unsigned k = n; kind == SHUFFLED && k > 1u; k--) {
        unsigned j = (unsigned)(splitmix(&seed) % k);
        unsigned t = order[k - 1u];
        order[k - 1u] = order[j];
        order[j] = t;
    }
}

/* Boot ANNs in the given order (a node's list is sorted by NodeID), then ticks past the hold-off
 * with the master claims on the bus. */
static void converge(unsigned n, uint8_t id_step, uint8_t gateway_id) {
    for (int kind = 0; kind < N_ORDERS; kind++) {
        unsigned order[MAX_BUS];
        bus_init(n, id_step, gateway_id);
        make_order(order, n, kind, 0x5EEDu + n);
        for (unsigned k = 0; k < n; k++) {
            bus_ann(order[k], 0);
        }
        for (uint64_t t = 0; t <= 6000; t += 2000) {
            bus_tick(t);
        }
        assert_one_master();
    }
}

static void test_forty_nodes_one_master(void) {
    converge(40, 3, 0xFF);  /* NodeIDs 0, 3, ..., 117 */
    converge(40, 3, 0x1B);  /* and NodeID 27 is a gateway */
    converge(40, 61, 0xFF); /* NodeIDs scattered over 0..126 */
}

static void test_126_nodes_one_master(void) {
    converge(MAX_BUS, 1, 0xFF); /* NodeIDs 0..125 */
    converge(MAX_BUS, 1, 4);    /* NodeID 4 is a gateway */
}

/* A low pack power-cycled within the TTL: no one answers its boot ANN, its table is empty, yet it
 * must not act as master beside the real one, and the peers' periodic ANNs, in any order, give
 * it the same master as everyone else. */
static void test_rebooted_pack_rejoins_126(void) {
    unsigned order[MAX_BUS];
    bus_init(MAX_BUS, 1, 0xFF);
    for (unsigned k = 0; k < MAX_BUS; k++) {
        bus_ann(k, 0);
    }
    bus_tick(4000);
    assert_one_master();
    fw_election_init(&bus.e[7], bus.id[7], PACK, 0x01000000u + bus.id[7], 5000);
    bus_ann(7, 5000); /* refused by every full table: no one answers */
    for (uint64_t t = 6000; t <= 30000; t += 2000) {
        bus_tick(t);
        CU_ASSERT_FALSE(bus.e[7].is_master);
        ASSERT_EQ_U64(bus.e[7].master_id, 7); /* alone in its table */
    }
    make_order(order, MAX_BUS, SHUFFLED, 77);
    for (unsigned k = 0; k < MAX_BUS; k++) { /* the periodic ANNs of the next minute */
        bus_ann(order[k], 30000 + 400u * k);
    }
    bus_tick(90000);
    assert_one_master();
    ASSERT_EQ_U64(fw_election_count(&bus.e[7]), FW_ELECTION_TABLE);
    CU_ASSERT_PTR_NOT_NULL(fw_election_find(&bus.e[7], 94)); /* it keeps 94..125 */
    CU_ASSERT_PTR_NULL(fw_election_find(&bus.e[7], 93));
}

/* ---- the index under a random mix of operations ---------------------------------------------- */

static void random_ann(fw_election_t *e, uint64_t *seed, uint64_t now_ms) {
    uint64_t r = splitmix(seed);
    uint8_t node = (uint8_t)(r % FW_NODE_BROADCAST);
    uint8_t type = ((r >> 8) % 16u) == 0u ? GATEWAY : PACK;
    if (((r >> 16) % 50u) == 0u) { /* a collision: our NodeID, another MAC tail */
        uint8_t before = e->self_id;
        uint32_t tail = ((r >> 24) & 1u) ? e->self_tail + 1u : e->self_tail - 1u;
        fw_ann_action_t a = ann_at(e, before, type, tail, now_ms);
        CU_ASSERT_EQUAL(a == FW_ANN_MOVED, tail > e->self_tail);
        CU_ASSERT_PTR_NULL(fw_election_find(e, e->self_id)); /* moved to a free NodeID */
        return;
    }
    uint32_t tail = node == e->self_id ? e->self_tail : 0x01000000u + node; /* or an echo */
    ann_at(e, node, type, tail, now_ms);
}

static void test_index_matches_scan(void) {
    fw_election_t e;
    uint64_t seed = 0xE1EC7u, now_ms = 0;
    uint32_t moves = 0;
    fw_election_init(&e, SELF, PACK, SELFTAIL, 0);
    for (unsigned step = 0; step < 20000u; step++) {
        uint64_t r = splitmix(&seed) % 100u;
        uint8_t was = e.self_id;
        if (r < 85u) {
            random_ann(&e, &seed, now_ms);
        } else if (r < 95u) {
            now_ms += splitmix(&seed) % 20000u; /* then the tick's expiry */
            fw_election_expire(&e, now_ms);
            fw_election_recompute(&e, now_ms);
        } else {
            uint8_t claim[8] = {0, 50, 0x02, 0x10, 0, 0, FW_TEL_ST_MASTER, 0};
            (void)fw_election_on_foreign_master(&e, (uint8_t)(splitmix(&seed) % 127u), claim, 8,
                                                now_ms);
        }
        moves += e.self_id != was ? 1u : 0u;
        if (!index_agrees(&e)) {
            CU_FAIL("index out of step with the table");
            return;
        }
        CU_ASSERT_PTR_NULL(fw_election_find(&e, e.self_id));
    }
    /* Every kind of change happened many times. */
    CU_ASSERT_TRUE(e.evicted > 100u);
    CU_ASSERT_TRUE(e.table_full > e.evicted);
    CU_ASSERT_TRUE(e.expired > 100u);
    CU_ASSERT_TRUE(e.collisions > 50u);
    CU_ASSERT_TRUE(moves > 20u);
}

void test_register(void) {
    TEST_SUITE("fw_election_table", TEST(test_higher_node_evicts_lowest),
               TEST(test_lower_node_ignored), TEST(test_gateway_evicts_pack),
               TEST(test_pack_never_evicts_gateway), TEST(test_stale_entry_goes_first),
               TEST(test_forty_nodes_one_master), TEST(test_126_nodes_one_master),
               TEST(test_rebooted_pack_rejoins_126), TEST(test_index_matches_scan));
}
