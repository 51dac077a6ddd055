/*
 * Relay and contactor model: operate and release delays, chatter, NO/NC contacts, faults.
 */
#include "relay.h"
#include "sim_kernel.h"
#include "test_support.h"

typedef struct {
    int changes;
    bool last;
    sim_time_ns_t last_ns;
} watch_t;

static void on_change(void *ctx, bool connected, sim_time_ns_t t_ns) {
    watch_t *w = ctx;
    w->changes++;
    w->last = connected;
    w->last_ns = t_ns;
}

static relay_t *make(sim_kernel_t *k, watch_t *w, bool nc) {
    relay_cfg_t cfg;
    relay_cfg_default(&cfg);
    cfg.name = "R1";
    cfg.normally_closed = nc;
    cfg.on_change = on_change;
    cfg.ctx = w;
    relay_t *r = NULL;
    ASSERT_EQ_I64(relay_create(k, &cfg, &r), 0);
    return r;
}

static void reports_operate_and_release_delay(void) {
    sim_kernel_t *k = NULL;
    ASSERT_EQ_I64(sim_kernel_create(1, &k), 0);
    watch_t w = {0};
    relay_t *r = make(k, &w, false);
    CU_ASSERT_FALSE(relay_connected(r));
    ASSERT_EQ_I64(relay_last_operate_ns(r), -1);
    relay_drive(r, true, 0);
    CU_ASSERT_TRUE(relay_coil(r));
    CU_ASSERT_TRUE(relay_moving(r));
    (void)sim_kernel_run_until(k, 10 * SIM_NS_PER_MS - 1);
    CU_ASSERT_FALSE(relay_connected(r));
    (void)sim_kernel_run_until(k, 10 * SIM_NS_PER_MS);
    CU_ASSERT_TRUE(relay_connected(r));
    ASSERT_EQ_I64(relay_last_operate_ns(r), 10 * SIM_NS_PER_MS);
    ASSERT_EQ_I64(w.changes, 1);
    ASSERT_EQ_I64(w.last_ns, 10 * SIM_NS_PER_MS);
    (void)sim_kernel_run_until(k, 50 * SIM_NS_PER_MS);
    relay_drive(r, false, 50 * SIM_NS_PER_MS);
    (void)sim_kernel_run_until(k, 100 * SIM_NS_PER_MS);
    CU_ASSERT_FALSE(relay_connected(r));
    ASSERT_EQ_I64(relay_last_release_ns(r), 5 * SIM_NS_PER_MS);
    ASSERT_EQ_I64(w.last_ns, 55 * SIM_NS_PER_MS);
    relay_stats_t st;
    relay_stats(r, &st);
    ASSERT_EQ_U64(st.coil_changes, 2);
    ASSERT_EQ_U64(st.operations, 2);
    ASSERT_EQ_U64(st.chatter, 0);
    relay_destroy(r);
    sim_kernel_destroy(k);
}

/* An edge timestamped ahead of now (bit-banged GPIO) counts from its own time. */
static void delay_counts_from_edge_time(void) {
    sim_kernel_t *k = NULL;
    ASSERT_EQ_I64(sim_kernel_create(1, &k), 0);
    watch_t w = {0};
    relay_t *r = make(k, &w, false);
    relay_drive(r, true, 40 * SIM_NS_PER_US);
    (void)sim_kernel_run_until(k, SIM_NS_PER_S);
    ASSERT_EQ_I64(w.last_ns, 10 * SIM_NS_PER_MS + 40 * SIM_NS_PER_US);
    ASSERT_EQ_I64(relay_last_operate_ns(r), 10 * SIM_NS_PER_MS);
    relay_destroy(r);
    sim_kernel_destroy(k);
}

static void short_pulse_is_chatter(void) {
    sim_kernel_t *k = NULL;
    ASSERT_EQ_I64(sim_kernel_create(1, &k), 0);
    watch_t w = {0};
    relay_t *r = make(k, &w, false);
    relay_drive(r, true, 0);
    relay_drive(r, true, 0); /* same level: no edge */
    (void)sim_kernel_run_until(k, 3 * SIM_NS_PER_MS);
    relay_drive(r, false, 3 * SIM_NS_PER_MS);
    (void)sim_kernel_run_until(k, SIM_NS_PER_S);
    CU_ASSERT_FALSE(relay_connected(r));
    ASSERT_EQ_I64(w.changes, 0);
    relay_stats_t st;
    relay_stats(r, &st);
    ASSERT_EQ_U64(st.coil_changes, 2);
    ASSERT_EQ_U64(st.chatter, 1);
    ASSERT_EQ_U64(st.operations, 0);
    relay_destroy(r);
    sim_kernel_destroy(k);
}

static void normally_closed_contact(void) {
    sim_kernel_t *k = NULL;
    ASSERT_EQ_I64(sim_kernel_create(1, &k), 0);
    watch_t w = {0};
    relay_t *r = make(k, &w, true);
    CU_ASSERT_TRUE(relay_connected(r));
    relay_drive(r, true, 0);
    (void)sim_kernel_run_until(k, SIM_NS_PER_S);
    CU_ASSERT_FALSE(relay_connected(r));
    ASSERT_EQ_I64(w.changes, 1);
    relay_destroy(r);
    sim_kernel_destroy(k);
}

static void welded_and_stuck_faults(void) {
    sim_kernel_t *k = NULL;
    ASSERT_EQ_I64(sim_kernel_create(1, &k), 0);
    watch_t w = {0};
    relay_t *r = make(k, &w, false);
    relay_set_fault(r, RELAY_FAULT_WELDED);
    CU_ASSERT_TRUE(relay_connected(r));
    ASSERT_EQ_I64(w.changes, 1);
    relay_drive(r, true, 0);
    (void)sim_kernel_run_until(k, 100 * SIM_NS_PER_MS);
    relay_drive(r, false, 100 * SIM_NS_PER_MS);
    (void)sim_kernel_run_until(k, 200 * SIM_NS_PER_MS);
    CU_ASSERT_TRUE(relay_connected(r)); /* coil off, contacts fused */
    relay_set_fault(r, RELAY_FAULT_NONE);
    CU_ASSERT_FALSE(relay_connected(r));
    relay_set_fault(r, RELAY_FAULT_STUCK_OPEN);
    relay_drive(r, true, 200 * SIM_NS_PER_MS);
    (void)sim_kernel_run_until(k, 300 * SIM_NS_PER_MS);
    CU_ASSERT_FALSE(relay_connected(r));
    ASSERT_EQ_U64(relay_fault(r), RELAY_FAULT_STUCK_OPEN);
    relay_stats_t st;
    relay_stats(r, &st);
    ASSERT_EQ_U64(st.operations, 3);
    ASSERT_EQ_U64(st.refused, 3); /* welded operate and release, stuck operate */
    relay_set_fault(r, RELAY_FAULT_NONE);
    CU_ASSERT_TRUE(relay_connected(r));
    relay_destroy(r);
    sim_kernel_destroy(k);
}

static void negative_delay_is_refused(void) {
    sim_kernel_t *k = NULL;
    ASSERT_EQ_I64(sim_kernel_create(1, &k), 0);
    relay_cfg_t cfg;
    relay_cfg_default(&cfg);
    cfg.release_ns = -1;
    relay_t *r = NULL;
    ASSERT_EQ_I64(relay_create(k, &cfg, &r), -SIM_EINVAL);
    CU_ASSERT_PTR_NULL(r);
    sim_kernel_destroy(k);
}

void test_register(void) {
    TEST_SUITE("model_relay", TEST(reports_operate_and_release_delay),
               TEST(delay_counts_from_edge_time), TEST(short_pulse_is_chatter),
               TEST(normally_closed_contact), TEST(welded_and_stuck_faults),
               TEST(negative_delay_is_refused));
}
