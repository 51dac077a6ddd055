/*
 * test_host_node.c: the node host's lifecycle (core/host/sim_node.h) with the testnode firmware:
 * creation errors, boot and heartbeat, power cycles (RAM gone, NVS kept), 127 nodes with private
 * globals on one bus, hangs and watchdog resets, software restart, and drift-free timers.
 */
#include "test_host_bench.h"

/* ---- creation ------------------------------------------------------------------------------ */

static int try_create(bench_t *b, const char *name, const char *plugin, char *err, size_t len) {
    sim_node_cfg_t cfg = {.name = name, .plugin_path = plugin, .bus = b->bus};
    sim_node_t *n = (sim_node_t *)b; /* must come back NULL */
    int rc = sim_node_create(b->k, &cfg, &n, err, len);
    CU_ASSERT_PTR_NULL(n);
    return rc;
}

static void test_create_refuses_bad_input(void) {
    bench_t b;
    bench_open(&b, 0);
    char err[512];
    ASSERT_EQ_I64(try_create(&b, "n1", SIM_PLUGIN_DIR "/fw_missing.so", err, sizeof err),
                  -SIM_ENOENT);
    ASSERT_EQ_STR(err, SIM_PLUGIN_DIR "/fw_missing.so: error: cannot open plugin: No such file "
                                      "or directory");
    ASSERT_EQ_I64(try_create(&b, "n1", SIM_PLUGIN_DIR "/fw_badabi.so", err, sizeof err),
                  -SIM_EVERSION);
    ASSERT_EQ_STR(err, SIM_PLUGIN_DIR "/fw_badabi.so: error: plugin ABI version 99 is newer than "
                                      "this alfasim (supports 1..2)");
    ASSERT_EQ_I64(try_create(&b, "pack 1", BENCH_PLUGIN, err, sizeof err), -SIM_EINVAL);
    ASSERT_EQ_I64(try_create(&b, "", BENCH_PLUGIN, err, sizeof err), -SIM_EINVAL);
    ASSERT_EQ_I64(
        try_create(&b, "this_name_is_longer_than_31_chars", BENCH_PLUGIN, err, sizeof err),
        -SIM_EINVAL);
    ASSERT_EQ_I64(try_create(&b, "n1", NULL, err, sizeof err), -SIM_EINVAL);
    ASSERT_EQ_STR(err, "node 'n1': no firmware plugin given");
    bench_close(&b);
}

/* ---- boot, heartbeat, power cycle ---------------------------------------------------------- */

typedef struct {
    char banner[256];
    unsigned lines;
} console_t;

static void on_console(void *ctx, sim_node_t *n, hal_log_level_t level, const char *line) {
    (void)n;
    console_t *c = ctx;
    CU_ASSERT_EQUAL(level, HAL_LOG_INFO);
    snprintf(c->banner, sizeof c->banner, "%s", line);
    c->lines++;
}

static void test_boot_and_heartbeat(void) {
    bench_t b;
    bench_open(&b, 0);
    sim_node_t *n = bench_node(&b, 5);
    console_t con = {0};
    sim_node_bind(n, &(sim_node_binding_t){.ctx = &con, .console = on_console});
    ASSERT_EQ_I64(sim_node_state(n), SIM_NODE_OFF);
    ASSERT_EQ_STR(sim_node_fw_name(n), "fw_testnode");
    ASSERT_EQ_I64(sim_node_power_on(n), 0);
    ASSERT_EQ_I64(sim_node_state(n), SIM_NODE_RUNNING);
    ASSERT_EQ_I64(sim_node_reset_reason(n), HAL_RESET_POWER_ON);
    ASSERT_EQ_STR(con.banner, "testnode 5 boot 1 reason power_on");
    ASSERT_EQ_I64(sim_can_ctrl_state(sim_node_can(n)), SIM_CAN_ERROR_ACTIVE);
    bench_run_ms(&b, 1050);
    ASSERT_EQ_U64(bench_count(&b, 0x705), 10);
    /* The bus is idle at each tick, so every heartbeat starts exactly on its 100 ms deadline. */
    unsigned k = 0;
    for (size_t i = 0; i < b.n_frames; i++) {
        if (b.frames[i].f.id == 0x705) {
            k++;
            ASSERT_EQ_I64(b.frames[i].t_start_ns, (int64_t)k * 100 * SIM_NS_PER_MS);
            ASSERT_EQ_U64(u16le(b.frames[i].f.data), k);
            ASSERT_EQ_U64(b.frames[i].f.data[2], 1); /* boots */
        }
    }
    sim_node_stats_t st;
    sim_node_stats(n, &st);
    ASSERT_EQ_U64(st.boots, 1);
    ASSERT_EQ_U64(st.power_ons, 1);
    ASSERT_EQ_U64(st.timer_fires, 10);
    ASSERT_EQ_U64(st.log_lines, 1);
    ASSERT_EQ_U64(con.lines, 1);
    CU_ASSERT_FALSE(sim_node_gpio(n, HAL_SIG_LED_GREEN)); /* toggled 10 times */
    bench_close(&b);
}

static void test_power_cycle_resets_ram_keeps_nvs(void) {
    bench_t b;
    bench_open(&b, 0);
    sim_node_t *n = bench_node(&b, 7);
    ASSERT_EQ_I64(sim_node_power_on(n), 0);
    bench_run_ms(&b, 550);
    ASSERT_EQ_U64(u16le(bench_last(&b, 0x707)->f.data), 5);
    CU_ASSERT_TRUE(sim_node_gpio(n, HAL_SIG_LED_GREEN)); /* 5 toggles */
    sim_node_power_off(n);
    ASSERT_EQ_I64(sim_node_state(n), SIM_NODE_OFF);
    CU_ASSERT_FALSE(sim_node_gpio(n, HAL_SIG_LED_GREEN)); /* outputs drop with power */
    ASSERT_EQ_I64(sim_can_ctrl_state(sim_node_can(n)), SIM_CAN_STOPPED);
    sim_node_power_off(n); /* no-op */
    bench_run_ms(&b, 500);
    ASSERT_EQ_U64(bench_count(&b, 0x707), 5); /* timers died with the copy */
    ASSERT_EQ_I64(sim_node_power_on(n), 0);
    ASSERT_EQ_I64(sim_node_power_on(n), -SIM_EBUSY);
    bench_run_ms(&b, 250);
    const bench_frame_t *last = bench_last(&b, 0x707);
    ASSERT_EQ_U64(u16le(last->f.data), 2); /* RAM restarted: counter from 0 again */
    ASSERT_EQ_U64(last->f.data[2], 2);     /* NVS kept: second boot */
    ASSERT_EQ_I64(last->t_start_ns, 1250 * SIM_NS_PER_MS);
    uint8_t boots = 0;
    size_t len = 1;
    ASSERT_EQ_I64(sim_nvs_get(sim_node_nvs(n), "test", "boots", &boots, &len), 0);
    ASSERT_EQ_U64(boots, 2);
    ASSERT_EQ_U64(sim_nvs_key_writes(sim_node_nvs(n), "test", "boots"), 2);
    sim_node_stats_t st;
    sim_node_stats(n, &st);
    ASSERT_EQ_U64(st.power_ons, 2);
    ASSERT_EQ_U64(st.boots, 2);
    ASSERT_EQ_I64(sim_node_boot_time(n), 1050 * SIM_NS_PER_MS);
    bench_close(&b);
}

static void test_nvs_preloaded_before_power_on(void) {
    bench_t b;
    bench_open(&b, 0);
    sim_node_t *n = bench_node(&b, 9);
    const uint8_t v = 41;
    ASSERT_EQ_I64(sim_nvs_set(sim_node_nvs(n), "test", "boots", &v, 1), 0);
    ASSERT_EQ_I64(sim_node_power_on(n), 0);
    bench_run_ms(&b, 150);
    ASSERT_EQ_U64(bench_last(&b, 0x709)->f.data[2], 42);
    bench_close(&b);
}

/* ---- 127 nodes ------------------------------------------------------------------------------ */

static void test_127_nodes_keep_separate_globals(void) {
    bench_t b;
    bench_open(&b, 0);
    for (unsigned k = 1; k <= 127; k++) {
        bench_node(&b, (uint8_t)k);
    }
    for (unsigned i = 0; i < b.n_nodes; i++) {
        ASSERT_EQ_I64(sim_node_power_on(b.nodes[i]), 0);
    }
    bench_run_ms(&b, 50);
    /* Node k is asked (k % 5) + 1 times; each copy counts only its own queries. */
    for (unsigned round = 0; round < 5; round++) {
        for (unsigned k = 1; k <= 127; k++) {
            if (k % 5 + 1 > round) {
                bench_send(&b, 0x123, (const uint8_t[]){(uint8_t)k}, 1);
            }
        }
    }
    bench_run_ms(&b, 1000);
    for (unsigned k = 1; k <= 127; k++) {
        const bench_frame_t *r = bench_last(&b, 0x600 + k);
        ASSERT_EQ_U64(r->f.data[5], k % 5 + 1); /* queries answered */
        ASSERT_EQ_U64(r->f.data[6], k);         /* its own node byte */
        ASSERT_EQ_U64(r->f.data[4], 1);         /* boots, from its own NVS image */
        ASSERT_EQ_U64(bench_count(&b, 0x600 + k), k % 5 + 1);
        CU_ASSERT(bench_count(&b, 0x700 + k) >= 9);
        sim_node_stats_t st;
        sim_node_stats(b.nodes[k - 1], &st);
        ASSERT_EQ_U64(st.can_rx_dropped, 0);
        /* every frame on the bus but its own reached its firmware */
        ASSERT_EQ_U64(st.can_rx,
                      b.n_frames - bench_count(&b, 0x600 + k) - bench_count(&b, 0x700 + k));
    }
    bench_close(&b);
}

/* ---- hang and watchdog ---------------------------------------------------------------------- */

static void test_watchdog_resets_hung_node(void) {
    bench_t b;
    bench_open(&b, 0);
    sim_node_t *n = bench_node(&b, 3);
    ASSERT_EQ_I64(sim_node_power_on(n), 0);
    bench_run_ms(&b, 1050); /* last feed at 1000 ms */
    sim_node_hang(n);
    ASSERT_EQ_I64(sim_node_state(n), SIM_NODE_HUNG);
    bench_send(&b, 0x123, (const uint8_t[]){3}, 1);
    bench_run_until(&b, 2000 * SIM_NS_PER_MS - 1);
    ASSERT_EQ_I64(sim_node_state(n), SIM_NODE_HUNG);
    ASSERT_EQ_U64(bench_count(&b, 0x703), 10);    /* no heartbeat since the hang */
    ASSERT_EQ_U64(bench_count(&b, 0x603), 0);     /* no reply either */
    ASSERT_EQ_U64(sim_can_ctrl_tec(b.tester), 0); /* but the controller still acknowledged */
    sim_node_stats_t st;
    sim_node_stats(n, &st);
    ASSERT_EQ_U64(st.can_rx_dropped, 1);
    ASSERT_EQ_U64(st.watchdog_resets, 0);
    bench_run_until(&b, 2000 * SIM_NS_PER_MS);
    ASSERT_EQ_I64(sim_node_state(n), SIM_NODE_RUNNING);
    ASSERT_EQ_I64(sim_node_reset_reason(n), HAL_RESET_WATCHDOG);
    ASSERT_EQ_I64(sim_node_boot_time(n), 2000 * SIM_NS_PER_MS);
    sim_node_stats(n, &st);
    ASSERT_EQ_U64(st.watchdog_resets, 1);
    ASSERT_EQ_U64(st.hangs, 1);
    ASSERT_EQ_U64(st.boots, 2);
    ASSERT_EQ_U64(st.power_ons, 1);
    bench_run_ms(&b, 150);
    const bench_frame_t *hb = bench_last(&b, 0x703);
    ASSERT_EQ_U64(u16le(hb->f.data), 1); /* fresh RAM */
    ASSERT_EQ_U64(hb->f.data[2], 2);     /* boots from NVS */
    bench_close(&b);
}

static void test_starving_firmware_is_reset(void) {
    bench_t b;
    bench_open(&b, 0);
    sim_node_t *n = bench_node(&b, 4);
    sim_node_t *other = bench_node(&b, 6);
    ASSERT_EQ_I64(sim_node_power_on(n), 0);
    ASSERT_EQ_I64(sim_node_power_on(other), 0);
    bench_run_ms(&b, 500); /* the 500 ms heartbeat (and feed) has run */
    bench_send(&b, 0x124, (const uint8_t[]){4}, 1);
    bench_run_until(&b, 1500 * SIM_NS_PER_MS - 1);
    ASSERT_EQ_I64(sim_node_reset_reason(n), HAL_RESET_POWER_ON);
    ASSERT_EQ_U64(bench_count(&b, 0x704), 14); /* still running, just not feeding */
    bench_run_until(&b, 1500 * SIM_NS_PER_MS);
    ASSERT_EQ_I64(sim_node_reset_reason(n), HAL_RESET_WATCHDOG);
    ASSERT_EQ_I64(sim_node_boot_time(n), 1500 * SIM_NS_PER_MS);
    bench_run_ms(&b, 2000); /* after the reset it feeds again */
    sim_node_stats_t st;
    sim_node_stats(n, &st);
    ASSERT_EQ_U64(st.watchdog_resets, 1);
    sim_node_stats(other, &st);
    ASSERT_EQ_U64(st.watchdog_resets, 0);
    ASSERT_EQ_I64(sim_node_reset_reason(other), HAL_RESET_POWER_ON);
    bench_close(&b);
}

static void test_software_restart(void) {
    bench_t b;
    bench_open(&b, 0);
    sim_node_t *n = bench_node(&b, 2);
    ASSERT_EQ_I64(sim_node_power_on(n), 0);
    bench_run_ms(&b, 250);
    bench_send(&b, 0x125, (const uint8_t[]){2, 5}, 2);
    bench_run_ms(&b, 1);
    ASSERT_EQ_I64(sim_node_reset_reason(n), HAL_RESET_SOFTWARE);
    const bench_frame_t *cmd = bench_last(&b, 0x125);
    CU_ASSERT(sim_node_boot_time(n) >= cmd->t_start_ns && sim_node_boot_time(n) <= cmd->t_end_ns);
    sim_node_stats_t st;
    sim_node_stats(n, &st);
    ASSERT_EQ_U64(st.software_resets, 1);
    ASSERT_EQ_U64(st.boots, 2);
    bench_run_ms(&b, 100);
    ASSERT_EQ_U64(u16le(bench_last(&b, 0x702)->f.data), 1);
    bench_close(&b);
}

static void test_lifecycle_calls_on_wrong_state_are_harmless(void) {
    bench_t b;
    bench_open(&b, 0);
    sim_node_t *n = bench_node(&b, 8);
    sim_node_hang(n); /* OFF: nothing to hang */
    ASSERT_EQ_I64(sim_node_state(n), SIM_NODE_OFF);
    ASSERT_EQ_I64(sim_node_power_on(n), 0);
    sim_node_hang(n);
    sim_node_hang(n);
    ASSERT_EQ_I64(sim_node_state(n), SIM_NODE_HUNG);
    ASSERT_EQ_I64(sim_node_power_on(n), -SIM_EBUSY);
    sim_node_power_off(n);
    ASSERT_EQ_I64(sim_node_state(n), SIM_NODE_OFF);
    bench_run_ms(&b, 3000); /* the watchdog died with the power */
    sim_node_stats_t st;
    sim_node_stats(n, &st);
    ASSERT_EQ_U64(st.watchdog_resets, 0);
    ASSERT_EQ_U64(st.hangs, 1);
    bench_close(&b);
}

/* ---- timers --------------------------------------------------------------------------------- */

typedef struct {
    sim_time_ns_t *t_ns;
    size_t n, cap;
} edges_t;

static void on_led_edge(void *ctx, sim_node_t *n, hal_signal_t sig, bool level, sim_time_ns_t t) {
    (void)n, (void)level;
    edges_t *e = ctx;
    if (sig == HAL_SIG_LED_GREEN && e->n < e->cap) {
        e->t_ns[e->n++] = t;
    }
}

static void test_periodic_timer_does_not_drift(void) {
    enum { PERIODS = 10000 };
    bench_t b;
    bench_open(&b, 0);
    sim_node_t *n = bench_node_cfg(&b, 1, NULL, NULL, NULL); /* no bus: timers only */
    edges_t e = {.t_ns = calloc(PERIODS + 1, sizeof(sim_time_ns_t)), .cap = PERIODS + 1};
    sim_node_bind(n, &(sim_node_binding_t){.ctx = &e, .gpio_edge = on_led_edge});
    bench_run_ms(&b, 7); /* boot at an odd time: deadlines count from the boot */
    ASSERT_EQ_I64(sim_node_power_on(n), 0);
    bench_run_until(&b, 7 * SIM_NS_PER_MS + PERIODS * 100 * SIM_NS_PER_MS);
    ASSERT_EQ_U64(e.n, PERIODS);
    unsigned wrong = 0;
    for (size_t i = 0; i < e.n; i++) {
        wrong += e.t_ns[i] != 7 * SIM_NS_PER_MS + (int64_t)(i + 1) * 100 * SIM_NS_PER_MS;
    }
    ASSERT_EQ_U64(wrong, 0);
    ASSERT_EQ_I64(e.t_ns[PERIODS - 1], 1000007 * SIM_NS_PER_MS);
    sim_node_stats_t st;
    sim_node_stats(n, &st);
    ASSERT_EQ_U64(st.timer_fires, PERIODS);
    ASSERT_EQ_U64(st.watchdog_resets, 0);
    free(e.t_ns);
    bench_close(&b);
}

void test_register(void) {
    TEST_SUITE("host_node", TEST(test_create_refuses_bad_input), TEST(test_boot_and_heartbeat),
               TEST(test_power_cycle_resets_ram_keeps_nvs),
               TEST(test_nvs_preloaded_before_power_on), TEST(test_127_nodes_keep_separate_globals),
               TEST(test_watchdog_resets_hung_node), TEST(test_starving_firmware_is_reset),
               TEST(test_software_restart), TEST(test_lifecycle_calls_on_wrong_state_are_harmless),
               TEST(test_periodic_timer_does_not_drift));
}
