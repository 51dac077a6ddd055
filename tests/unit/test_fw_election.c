/*
 * test_fw_election.c: node identity, the TTL-based master election and the master's aggregate
 * pages (spec §9.5-9.8): NodeID from the whole MAC and its persistence, ANN layout and period,
 * gateway priority, highest NodeID, TTL expiry, self kept out of the table, replies to unknown
 * nodes, the boot hold-off, deferring to a master not yet in the table, collisions, and the
 * aggregates.
 */
#include "election.h"
#include "fake_hal.h"
#include "fw_state.h"
#include "telemetry.h"
#include "test_support.h"

#define NODE 99u

static void boot(void) {
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_OK, 544, 0);
    fw_init();
}

static void ann(uint8_t node, uint8_t type, uint32_t tail) {
    fake_hal_can_ann(node, type, tail);
}

static void tel(uint8_t node, uint8_t page, const uint8_t *b7) {
    fake_hal_can_tel(node, page, b7);
}

static void test_node_id_from_whole_mac(void) {
    const uint8_t a[6] = {0x24, 0x6F, 0x28, 0x10, 0x20, 0x30};
    const uint8_t b[6] = {0x24, 0x6F, 0x28, 0x10, 0x20, 0x31}; /* same OUI, next chip */
    ASSERT_EQ_U64(fw_node_id_from_mac(a), 99);
    ASSERT_EQ_U64(fw_node_id_from_mac(b), 98);
    const uint8_t x7f[6] = {0x7F, 0, 0, 0, 0, 0};
    ASSERT_EQ_U64(fw_node_id_from_mac(x7f), 0); /* 127 is broadcast: never used */
    const uint8_t xfe[6] = {0xFE, 0, 0, 0, 0, 0};
    ASSERT_EQ_U64(fw_node_id_from_mac(xfe), 0);
    const uint8_t xff[6] = {0xF0, 0x0F, 0, 0, 0, 0};
    ASSERT_EQ_U64(fw_node_id_from_mac(xff), 1);
    ASSERT_EQ_U64(fw_mac_tail(a), 0x28102030u);
}

static void test_node_id_persisted_once(void) {
    boot();
    ASSERT_EQ_U64(fw_state.el.self_id, NODE);
    ASSERT_EQ_U64(fake_hal_nvs_writes("nodeID"), 1);
    fake_hal_reboot();
    const uint8_t other[6] = {1, 2, 3, 4, 5, 6};
    fake_hal_set_mac(other); /* the stored NodeID wins over a new derivation */
    fw_init();
    ASSERT_EQ_U64(fw_state.el.self_id, NODE);
    ASSERT_EQ_U64(fake_hal_nvs_writes("nodeID"), 1);
    fake_hal_reset();
    uint8_t bad = 127;
    fake_hal_nvs_preset("nodeID", &bad, 1);
    fw_init();
    ASSERT_EQ_U64(fw_state.el.self_id, NODE); /* out of range: derived again */
    CU_ASSERT_TRUE(fake_hal_log_contains("NodeID 99"));
}

static void test_boot_ann_and_period(void) {
    boot();
    const hal_can_frame_t *a = fake_hal_can_last(0x300 + NODE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    ASSERT_EQ_U64(a->dlc, 8);
    static const uint8_t want[8] = {1, 2, 5, 0, 0x28, 0x10, 0x20, 0x30};
    CU_ASSERT_EQUAL(memcmp(a->data, want, 8), 0);
    ASSERT_EQ_U64(fake_hal_can_count_id(0x300 + NODE), 1);
    fake_hal_run_until_ms(59999);
    ASSERT_EQ_U64(fake_hal_can_count_id(0x300 + NODE), 1);
    fake_hal_run_until_ms(60000);
    ASSERT_EQ_U64(fake_hal_can_count_id(0x300 + NODE), 2);
    ASSERT_EQ_U64(fake_hal_can_last(0x300 + NODE)->data[3], 1); /* alone: master */
    fake_hal_run_until_ms(180000);
    ASSERT_EQ_U64(fake_hal_can_count_id(0x300 + NODE), 4);
}

static void test_single_pack_is_master_after_holdoff(void) {
    boot();
    CU_ASSERT_FALSE(fw_state.el.is_master); /* first tick is inside the 2 s hold-off */
    ASSERT_EQ_U64(fake_hal_can_count_id(0x180), 0);
    ASSERT_EQ_U64(fake_hal_can_last_tel(NODE, 0)->data[6] & FW_TEL_ST_MASTER, 0);
    fake_hal_run_until_ms(2000);
    CU_ASSERT_TRUE(fw_state.el.is_master);
    ASSERT_EQ_U64(fake_hal_can_count_id(0x180), 1);
    ASSERT_EQ_U64(fake_hal_can_count_id(0x181), 1);
    ASSERT_EQ_U64(fake_hal_can_count_id(0x182), 1);
    CU_ASSERT_TRUE(fake_hal_can_last_tel(NODE, 0)->data[6] & FW_TEL_ST_MASTER);
}

static void test_highest_node_wins_without_gateway(void) {
    boot();
    ann(120, 1, 0x11111111);
    ASSERT_EQ_U64(fw_state.el.master_id, 120); /* recomputed on the ANN itself */
    ann(50, 1, 0x22222222);
    ASSERT_EQ_U64(fw_state.el.master_id, 120);
    fake_hal_run_until_ms(4000);
    CU_ASSERT_FALSE(fw_state.el.is_master);
    ASSERT_EQ_U64(fake_hal_can_count_id(0x180), 0); /* no aggregates from a non-master */
    ASSERT_EQ_U64(fake_hal_can_last_tel(NODE, 0)->data[6] & FW_TEL_ST_MASTER, 0);
}

static void test_gateway_always_master(void) {
    boot();
    ann(120, 1, 0x11111111);
    ann(10, 2, 0x33333333);
    ASSERT_EQ_U64(fw_state.el.master_id, 10);
    ann(5, 2, 0x44444444);
    ASSERT_EQ_U64(fw_state.el.master_id, 10); /* highest among gateways */
    ann(11, 2, 0x55555555);
    ASSERT_EQ_U64(fw_state.el.master_id, 11);
}

static void test_ttl_expiry(void) {
    boot();
    fake_hal_run_until_ms(2000);
    ann(120, 1, 0x11111111);
    fake_hal_run_until_ms(122000); /* exactly 120 s: still live */
    ASSERT_EQ_U64(fw_state.el.master_id, 120);
    ASSERT_EQ_U64(fw_election_count(&fw_state.el), 1);
    fake_hal_run_until_ms(124000); /* more than 120 s: expired at this tick */
    ASSERT_EQ_U64(fw_state.el.master_id, NODE);
    CU_ASSERT_TRUE(fw_state.el.is_master);
    ASSERT_EQ_U64(fw_election_count(&fw_state.el), 0);
}

static void test_self_never_in_table(void) {
    boot();
    ann(NODE, 1, 0x28102030); /* our own identity echoed back */
    ASSERT_EQ_U64(fw_election_count(&fw_state.el), 0);
    ASSERT_EQ_U64(fw_state.el.self_id, NODE);
    ann(120, 1, 1);
    ann(120, 1, 1);
    ASSERT_EQ_U64(fw_election_count(&fw_state.el), 1); /* an entry per node, not per ANN */
}

static void test_reply_to_unknown_nodes_rate_limited(void) {
    boot();
    fake_hal_run_until_ms(5000);
    size_t n0 = fake_hal_can_count_id(0x300 + NODE);
    ann(20, 1, 0x20);
    ASSERT_EQ_U64(fake_hal_can_count_id(0x300 + NODE), n0 + 1); /* answered at once */
    ann(20, 1, 0x20);
    ASSERT_EQ_U64(fake_hal_can_count_id(0x300 + NODE), n0 + 1); /* known: no answer */
    fake_hal_run_ms(300);
    ann(21, 1, 0x21);
    ASSERT_EQ_U64(fake_hal_can_count_id(0x300 + NODE), n0 + 1); /* within 1 s: deferred */
    fake_hal_run_ms(600);
    ASSERT_EQ_U64(fake_hal_can_count_id(0x300 + NODE), n0 + 1);
    fake_hal_run_ms(100);
    ASSERT_EQ_U64(fake_hal_can_count_id(0x300 + NODE), n0 + 2); /* 1 s after the first */
}

static void test_collision_lower_tail_moves(void) {
    boot();
    fake_hal_run_until_ms(3000);
    ann(100, 1, 0x01010101); /* NodeID 100 is taken: the move must skip it */
    ann(NODE, 1, 0x99999999);
    ASSERT_EQ_U64(fw_state.el.self_id, 101);
    uint8_t stored = 0;
    ASSERT_EQ_I64(fake_hal_nvs_peek("nodeID", &stored, 1), 1);
    ASSERT_EQ_U64(stored, 101);
    ASSERT_EQ_U64(fake_hal_can_count_id(0x300 + 101), 1); /* re-announced at once */
    fake_hal_run_until_ms(6000);
    CU_ASSERT_PTR_NOT_NULL(fake_hal_can_last_tel(101, 0));
    const hal_can_frame_t *ev = fake_hal_can_last(0x400 + 101);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
    ASSERT_EQ_U64(ev->data[0], 6);
    ASSERT_EQ_U64(ev->data[2], NODE);
    ASSERT_EQ_U64(ev->data[3], 101);
}

static void test_collision_higher_tail_keeps(void) {
    boot();
    fake_hal_run_until_ms(3000);
    size_t n0 = fake_hal_can_count_id(0x300 + NODE);
    ann(NODE, 1, 0x00000001);
    ASSERT_EQ_U64(fw_state.el.self_id, NODE);
    ASSERT_EQ_U64(fake_hal_nvs_writes("nodeID"), 1);
    ASSERT_EQ_U64(fake_hal_can_count_id(0x300 + NODE), n0 + 1); /* tells the other to move */
}

static void test_table_bounded(void) {
    boot();
    for (unsigned i = 0; i < 40; i++) {
        ann((uint8_t)i, 1, i);
    }
    ASSERT_EQ_U64(fw_election_count(&fw_state.el), FW_ELECTION_TABLE);
    ASSERT_EQ_U64(fw_state.el.table_full, 8);
    ASSERT_EQ_U64(fw_state.el.evicted, 8); /* 32..39 each outranked the lowest entry */
}

static void test_ann_validation(void) {
    boot();
    uint8_t d[8] = {3, 2, 5, 0, 1, 2, 3, 4}; /* unknown device type */
    fake_hal_can_rx(0x300 + 7, 8, d);
    d[0] = 1;
    fake_hal_can_rx(0x300 + 8, 7, d); /* DLC 7 */
    fake_hal_can_rx(0x37F, 8, d);     /* 127 is not a node */
    ASSERT_EQ_U64(fw_election_count(&fw_state.el), 0);
}

static void test_aggregates(void) {
    boot(); /* self: SOC 50 from 54.4 V, no CT current, I_batt 0 */
    ann(10, 1, 10);
    ann(20, 1, 20);
    ann(30, 2, 30); /* a gateway is not a pack */
    ann(5, 1, 5);
    /* gateway NodeID 30 would be master: make it go away by TTL later; first test with it */
    ASSERT_EQ_U64(fw_state.el.master_id, 30);
    fake_hal_run_until_ms(124000);
    ann(10, 1, 10);
    ann(20, 1, 20);
    ann(5, 1, 5);
    fake_hal_run_until_ms(128000);
    ASSERT_EQ_U64(fw_state.el.master_id, NODE);
    const uint8_t p0[7] = {40, 0x02, 0x0A, 0, 0, 0, 0};
    const uint8_t p1[7] = {0x03, 0xE8, 0x07, 0xD0, 0xFE, 0x0C, 0}; /* 1000, 2000, -500 */
    const uint8_t p2[7] = {0x01, 0x2C, 0x00, 0x64, 0x00, 0xC8, 0}; /* 300, 100, 200 */
    const uint8_t p0_invalid[7] = {0xFF, 0, 0, 0, 0x02, 0, 0};
    tel(10, 0, p0);
    tel(10, 1, p1);
    tel(10, 2, p2);
    tel(20, 0, p0);
    tel(20, 1, p1);
    tel(20, 2, p2);
    tel(5, 0, p0_invalid); /* counted, but not in the SOC average */
    tel(77, 0, p0);        /* not in the table: ignored */
    fake_hal_run_until_ms(130000);
    const hal_can_frame_t *a0 = fake_hal_can_last(0x180);
    const hal_can_frame_t *a1 = fake_hal_can_last(0x181);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a1);
    ASSERT_EQ_U64(a0->dlc, 3);
    ASSERT_EQ_U64(a0->data[0], 4); /* self + 10 + 20 + 5 */
    ASSERT_EQ_U64(a0->data[1], (50 + 40 + 40) / 3);
    ASSERT_EQ_U64(a0->data[2], NODE);
    ASSERT_EQ_U64(a1->dlc, 6);
    ASSERT_EQ_I64((int16_t)((a1->data[0] << 8) | a1->data[1]), 200); /* 2000 W in 10 W */
    ASSERT_EQ_I64((int16_t)((a1->data[2] << 8) | a1->data[3]), 400);
    ASSERT_EQ_I64((int16_t)((a1->data[4] << 8) | a1->data[5]), -100);
    const hal_can_frame_t *a2 = fake_hal_can_last(0x182);
    ASSERT_EQ_I64((int16_t)((a2->data[0] << 8) | a2->data[1]), 60);
    ASSERT_EQ_I64((int16_t)((a2->data[4] << 8) | a2->data[5]), 40);
    /* TEL older than 6 s no longer counts */
    fake_hal_run_until_ms(138000);
    a0 = fake_hal_can_last(0x180);
    ASSERT_EQ_U64(a0->data[0], 1);
    ASSERT_EQ_U64(a0->data[1], 50);
    a1 = fake_hal_can_last(0x181);
    ASSERT_EQ_I64((int16_t)((a1->data[0] << 8) | a1->data[1]), 0);
}

static void test_aggregate_sums_saturate(void) {
    fw_election_t e;
    fw_election_init(&e, 1, 1, 0, 0);
    fw_tel_snapshot_t self;
    memset(&self, 0, sizeof self);
    self.soc = FW_SOC_INVALID;
    for (unsigned i = 0; i < 32; i++) {
        e.peers[i].used = true;
        e.peers[i].node_id = (uint8_t)(10 + i);
        e.peers[i].device_type = 1;
        e.peers[i].last_seen_ms = 1000;
        e.peers[i].tel.page_seen[0] = e.peers[i].tel.page_seen[1] = true;
        e.peers[i].tel.page_ms[0] = e.peers[i].tel.page_ms[1] = 1000;
        e.peers[i].tel.soc = FW_SOC_INVALID;
        e.peers[i].tel.grid_w = 32767;
    }
    hal_can_frame_t out[3];
    fw_agg_build(&e, &self, true, 2000, out);
    ASSERT_EQ_U64(out[0].data[0], 33);
    ASSERT_EQ_U64(out[0].data[1], FW_SOC_INVALID); /* no valid SOC anywhere */
    /* 32 x 32767 W = 1048544 W = 104854 x 10 W: saturates at 32767 */
    ASSERT_EQ_I64((int16_t)((out[1].data[0] << 8) | out[1].data[1]), 32767);
}

/* Spec §9.5: the aggregates cover the master's own values and the live packs of the table; an
 * Energy-Gateway in the table is not a pack, whatever TEL it sends. */
static void test_aggregates_count_packs_only(void) {
    fw_election_t e;
    fw_election_init(&e, 1, 1, 0, 0);
    fw_tel_snapshot_t self;
    memset(&self, 0, sizeof self);
    self.soc = 60;
    self.grid_w = 1000;
    for (unsigned i = 0; i < 2; i++) {
        fw_peer_t *p = &e.peers[i];
        p->used = true;
        p->node_id = (uint8_t)(10 + i);
        p->device_type = i == 0 ? FW_DEVICE_PACK : FW_DEVICE_GATEWAY;
        p->last_seen_ms = 1000;
        for (unsigned pg = 0; pg < 3; pg++) {
            p->tel.page_seen[pg] = true;
            p->tel.page_ms[pg] = 1000;
        }
        p->tel.soc = 20;
        p->tel.grid_w = 500;
    }
    hal_can_frame_t out[3];
    fw_agg_build(&e, &self, true, 2000, out);
    ASSERT_EQ_U64(out[0].data[0], 2);                                      /* self + the pack */
    ASSERT_EQ_U64(out[0].data[1], 40);                                     /* (60 + 20) / 2 */
    ASSERT_EQ_I64((int16_t)((out[1].data[0] << 8) | out[1].data[1]), 150); /* 1500 W */
    fw_agg_build(&e, &self, false, 2000, out); /* a gateway master: its own values left out */
    ASSERT_EQ_U64(out[0].data[0], 1);
    ASSERT_EQ_U64(out[0].data[1], 20);
    ASSERT_EQ_I64((int16_t)((out[1].data[0] << 8) | out[1].data[1]), 50);
}

/* A pack power-cycled within the TTL gets no answer to its boot ANN (it is still in every table),
 * so it must not claim master while a node it does not know says in its TEL that it is master. */
static void test_defers_to_unknown_master(void) {
    static const uint8_t master_st[7] = {50, 0x02, 0x10, 0x00, 0x00, FW_TEL_ST_MASTER, 0};
    static const uint8_t plain_st[7] = {50, 0x02, 0x10, 0x00, 0x00, 0x00, 0};
    boot();
    fake_hal_run_until_ms(1500);
    tel(20, 0, plain_st); /* an unknown node that is not master changes nothing */
    CU_ASSERT_FALSE(fw_state.el.foreign_master_seen);
    tel(20, 0, master_st);
    CU_ASSERT_TRUE(fw_state.el.foreign_master_seen);
    fake_hal_run_until_ms(5000);
    CU_ASSERT_FALSE(fw_state.el.is_master); /* past the hold-off, still deferring */
    ASSERT_EQ_U64(fake_hal_can_count_id(0x180), 0);
    ASSERT_EQ_U64(fake_hal_can_last_tel(NODE, 0)->data[6] & FW_TEL_ST_MASTER, 0);
    tel(20, 0, master_st); /* at 5 s: deferring until 11 s */
    fake_hal_run_until_ms(10900);
    CU_ASSERT_FALSE(fw_state.el.is_master);
    fake_hal_run_until_ms(12100); /* 6 s without the claim, then a tick: it takes over */
    CU_ASSERT_TRUE(fw_state.el.is_master);
    /* Once the claimant is known, the election decides: NodeID 20 < 99 keeps us master. */
    ann(20, 1, 0x33333333);
    tel(20, 0, master_st);
    fake_hal_run_ms(100);
    CU_ASSERT_TRUE(fw_state.el.is_master);
}

/* Nodes refused for a full table stay ignored: their master claims do not silence this node. */
static void test_full_table_claims_ignored(void) {
    static const uint8_t master_st[7] = {50, 0x02, 0x10, 0x00, 0x00, FW_TEL_ST_MASTER, 0};
    boot();
    for (unsigned n = 33; n-- > 0u;) {
        ann((uint8_t)n, 1, 0x01000000u + n); /* NodeIDs 32..0: the lowest, 0, does not fit */
    }
    ASSERT_EQ_U64(fw_state.el.table_full, 1);
    ASSERT_EQ_U64(fw_state.el.evicted, 0);
    fake_hal_run_until_ms(3000);
    CU_ASSERT_TRUE(fw_state.el.is_master);
    tel(0, 0, master_st);
    CU_ASSERT_FALSE(fw_state.el.foreign_master_seen);
    CU_ASSERT_TRUE(fw_state.el.is_master);
}

void test_register(void) {
    TEST_SUITE("fw_election", TEST(test_node_id_from_whole_mac), TEST(test_node_id_persisted_once),
               TEST(test_boot_ann_and_period), TEST(test_single_pack_is_master_after_holdoff),
               TEST(test_highest_node_wins_without_gateway), TEST(test_gateway_always_master),
               TEST(test_ttl_expiry), TEST(test_self_never_in_table),
               TEST(test_reply_to_unknown_nodes_rate_limited),
               TEST(test_collision_lower_tail_moves), TEST(test_collision_higher_tail_keeps),
               TEST(test_table_bounded), TEST(test_ann_validation),
               TEST(test_defers_to_unknown_master), TEST(test_full_table_claims_ignored),
               TEST(test_aggregates), TEST(test_aggregate_sums_saturate),
               TEST(test_aggregates_count_packs_only));
}
