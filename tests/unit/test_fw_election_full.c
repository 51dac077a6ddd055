/*
 * test_fw_election_full.c: the running firmware (fake HAL) with a full election table (spec
 * §9.7): a node evicted by a higher-ranked newcomer loses its TEL data at once and its frames are
 * no longer stored or aggregated; the ANN reply goes to a node that gets a slot, not to one that
 * is ignored; master claims of ignored nodes, refused or evicted, never stop the highest-ranked
 * node from acting as master for longer than the claim of a node not yet heard.
 */
#include "election.h"
#include "fake_hal.h"
#include "fw_state.h"
#include "telemetry.h"
#include "test_support.h"

#define NODE 99u /* this pack, from the fake MAC */

static const uint8_t p0_soc40[7] = {40, 0x02, 0x0A, 0, 0, 0, 0};
static const uint8_t p0_master[7] = {40, 0x02, 0x0A, 0, 0, FW_TEL_ST_MASTER, 0};
static const uint8_t p1_grid100[7] = {0x00, 0x64, 0, 0, 0, 0, 0}; /* P_grid 100 W */
static const uint8_t p1_grid20k[7] = {0x4E, 0x20, 0, 0, 0, 0, 0}; /* P_grid 20 000 W */
static const uint8_t p2_zero[7] = {0, 0, 0, 0, 0, 0, 0};

static void boot(void) {
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_OK, 544, 0); /* SOC 50 % */
    fw_init();
}

static void ann(uint8_t node) {
    fake_hal_can_ann(node, FW_DEVICE_PACK, 0x01000000u + node);
}

static void tel(uint8_t node, uint8_t page, const uint8_t *b7) {
    fake_hal_can_tel(node, page, b7);
}

static void fill_60_to_91(void) {
    for (uint8_t n = 60; n <= 91u; n++) {
        ann(n);
    }
    ASSERT_EQ_U64(fw_election_count(&fw_state.el), FW_ELECTION_TABLE);
}

/* The entry of `node`, which the test expects to exist. */
static const fw_peer_t *entry(uint8_t node) {
    static const fw_peer_t none; /* a failed lookup reads as an empty entry */
    const fw_peer_t *p = fw_election_find(&fw_state.el, node);
    CU_ASSERT_PTR_NOT_NULL(p);
    return p != NULL ? p : &none;
}

static int16_t agg_s16(uint32_t id, unsigned byte) {
    const hal_can_frame_t *f = fake_hal_can_last(id);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    return (int16_t)((f->data[byte] << 8) | f->data[byte + 1u]);
}

static void test_evicted_tel_not_used(void) {
    boot();
    fake_hal_run_until_ms(2500);
    fill_60_to_91();
    tel(60, 0, p0_soc40);
    tel(60, 1, p1_grid20k);
    CU_ASSERT_TRUE(entry(60)->tel.page_seen[1]);
    ann(92); /* outranks 60, the lowest entry */
    ASSERT_EQ_U64(fw_state.el.evicted, 1);
    CU_ASSERT_PTR_NULL(fw_election_find(&fw_state.el, 60));
    const fw_peer_t *p92 = entry(92);
    CU_ASSERT_FALSE(p92->tel.page_seen[0]); /* nothing of 60's carried into its slot */
    CU_ASSERT_FALSE(p92->tel.page_seen[1]);
    tel(60, 0, p0_soc40); /* still sending: no longer stored anywhere */
    tel(60, 1, p1_grid20k);
    for (unsigned i = 0; i < FW_ELECTION_TABLE; i++) {
        CU_ASSERT_FALSE(fw_state.el.peers[i].tel.grid_w == 20000);
    }
    for (uint8_t n = 61; n <= 92u; n++) {
        tel(n, 0, p0_soc40);
        tel(n, 1, p1_grid100);
        tel(n, 2, p2_zero);
    }
    fake_hal_run_until_ms(4000); /* the tick: this node (99) is master */
    CU_ASSERT_TRUE(fw_state.el.is_master);
    const hal_can_frame_t *a0 = fake_hal_can_last(0x180);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a0);
    ASSERT_EQ_U64(a0->data[0], 33);                  /* self + 61..92 */
    ASSERT_EQ_U64(a0->data[1], (50 + 32 * 40) / 33); /* SOC average */
    ASSERT_EQ_I64(agg_s16(0x181, 0), 32 * 100 / 10); /* P_grid sum in 10 W */
}

static void test_reply_only_to_nodes_that_fit(void) {
    boot();
    fake_hal_run_until_ms(3000);
    fill_60_to_91();
    fake_hal_run_until_ms(6000); /* the rate-limited replies to 60..91 are out */
    size_t n0 = fake_hal_can_count_id(0x300 + NODE);
    ann(5); /* ranks below every entry: ignored, no answer */
    fake_hal_run_ms(1500);
    ASSERT_EQ_U64(fake_hal_can_count_id(0x300 + NODE), n0);
    ann(92); /* evicts 60: a new node in the table, answered at once */
    ASSERT_EQ_U64(fake_hal_can_count_id(0x300 + NODE), n0 + 1);
    fake_hal_run_ms(1500);
    ann(60); /* the evicted node announces again: ignored, no answer */
    ann(92); /* known: no answer */
    fake_hal_run_ms(1500);
    ASSERT_EQ_U64(fake_hal_can_count_id(0x300 + NODE), n0 + 1);
    ASSERT_EQ_U64(fw_state.el.table_full, 3);
    ASSERT_EQ_U64(fw_state.el.evicted, 1);
}

/* A node never heard claims master: this node (the highest-ranked) defers, as for a rebooted
 * peer. Once that node's ANN is refused for a full table its claims stop counting, so the
 * deferral ends 6 s after the last claim heard before, although it goes on claiming. */
static void test_ignored_claims_do_not_block(void) {
    boot();
    fill_60_to_91();
    fake_hal_run_until_ms(3000);
    CU_ASSERT_TRUE(fw_state.el.is_master);
    tel(5, 0, p0_master);
    CU_ASSERT_FALSE(fw_state.el.is_master);
    fake_hal_run_until_ms(4000);
    ann(5); /* refused: ranks below 60..91 */
    for (uint64_t t = 4500; t <= 20000; t += 500) {
        fake_hal_run_until_ms(t);
        tel(5, 0, p0_master);
        if (t == 8000) {
            CU_ASSERT_FALSE(fw_state.el.is_master); /* the claim of 3 s still holds */
        }
        if (t > 10000) { /* 6 s after that claim, and the tick at 10 s */
            CU_ASSERT_TRUE(fw_state.el.is_master);
        }
    }
    ann(92); /* evicts 60, which then claims master too */
    tel(60, 0, p0_master);
    fake_hal_run_until_ms(24100);
    CU_ASSERT_TRUE(fw_state.el.is_master);
    CU_ASSERT_TRUE(fake_hal_can_last_tel(NODE, 0)->data[6] & FW_TEL_ST_MASTER);
}

void test_register(void) {
    TEST_SUITE("fw_election_full", TEST(test_evicted_tel_not_used),
               TEST(test_reply_only_to_nodes_that_fit), TEST(test_ignored_claims_do_not_block));
}
