/*
 * test_fw_main.c: the entry points and the control loop (spec §2, §4, §9.12, §11.1): boot banner,
 * timers, watchdog, the event queue, CAN start failure and bus-off handling, transmit drops, and
 * fw_init() resetting all state.
 */
#include "events.h"
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

static void test_banner(void) {
    boot();
    ASSERT_EQ_STR(fake_hal_log_line(0), "=== Alfaspark v2.5 ===");
    const char *l1 = fake_hal_log_line(1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l1);
    CU_ASSERT_PTR_NOT_NULL(strstr(l1, "NodeID 99"));
    CU_ASSERT_PTR_NOT_NULL(strstr(l1, "Energy-Pack"));
}

static void test_timers_and_first_tick(void) {
    boot();
    CU_ASSERT_TRUE(fake_hal_timer_armed(FW_TIMER_TICK));
    CU_ASSERT_TRUE(fake_hal_timer_periodic(FW_TIMER_TICK));
    ASSERT_EQ_U64(fake_hal_timer_period_us(FW_TIMER_TICK), 2000000);
    CU_ASSERT_TRUE(fake_hal_timer_periodic(FW_TIMER_SUBTICK));
    ASSERT_EQ_U64(fake_hal_timer_period_us(FW_TIMER_SUBTICK), 100000);
    ASSERT_EQ_U64(fw_state.ticks, 1); /* the first tick ran inside fw_init */
    CU_ASSERT_PTR_NOT_NULL(fake_hal_can_last_tel(NODE, 3));
    fake_hal_run_ms(20000);
    ASSERT_EQ_U64(fw_state.ticks, 11);
    ASSERT_EQ_U64(fw_state.subticks, 200);
}

static void test_watchdog(void) {
    boot();
    ASSERT_EQ_U64(fake_hal_wdt_timeout_ms(), 10000);
    ASSERT_EQ_U64(fake_hal_wdt_feeds(), 1);
    fake_hal_run_ms(20000);
    ASSERT_EQ_U64(fake_hal_wdt_feeds(), 11); /* once per tick */
    ASSERT_EQ_U64(fake_hal_wdt_last_feed_us(), 20000000);
    fake_hal_run_ms(1900);
    ASSERT_EQ_U64(fake_hal_wdt_feeds(), 11); /* not from the sub-tick */
}

static bool event_sent(uint8_t code) {
    for (size_t i = 0; i < fake_hal_can_tx_count(); i++) {
        const hal_can_frame_t *f = &fake_hal_can_tx(i)->f;
        if (f->id == 0x400 + NODE && f->data[0] == code) {
            return true;
        }
    }
    return false;
}

static void test_watchdog_reset_event(void) {
    fake_hal_reset();
    fake_hal_set_reset_reason(HAL_RESET_WATCHDOG);
    fw_init();
    fake_hal_run_ms(200);
    CU_ASSERT_TRUE(event_sent(7));
    const hal_can_frame_t *e = fake_hal_can_last(0x400 + NODE);
    ASSERT_EQ_U64(e->data[1], 2);
    ASSERT_EQ_U64(e->dlc, 8); /* fixed length, unused bytes 0 */
    ASSERT_EQ_U64(e->data[2], 0);
    boot();
    fake_hal_run_ms(2000);
    CU_ASSERT_FALSE(event_sent(7));
}

/* Spec §9.12: the severity of every event code (0 info, 1 warning, 2 fault). */
static void test_event_severities(void) {
    static const uint8_t want[11] = {0, 1, 1, 2, 2, 2, 1, 2, 1, 1, 1};
    for (uint8_t code = 1; code <= 10; code++) {
        ASSERT_EQ_U64(fw_event_severity(code), want[code]);
    }
    fw_events_t q;
    memset(&q, 0, sizeof q);
    fw_events_push(&q, FW_EVT_GRID_LIMIT, NULL, 0);
    ASSERT_EQ_U64(q.q[q.head].severity, 1); /* the queued event carries it */
}

static void test_event_queue_bounded_and_paced(void) {
    fw_events_t q;
    memset(&q, 0, sizeof q);
    for (uint8_t c = 1; c <= 10; c++) {
        fw_events_push(&q, c, &c, 1);
    }
    ASSERT_EQ_U64(q.count, 8);
    ASSERT_EQ_U64(q.dropped, 2);
    fw_event_t e;
    CU_ASSERT_TRUE(fw_events_pop_due(&q, 5000, &e));
    ASSERT_EQ_U64(e.code, 3);                         /* the two oldest were dropped */
    CU_ASSERT_FALSE(fw_events_pop_due(&q, 5999, &e)); /* at most one per second */
    CU_ASSERT_TRUE(fw_events_pop_due(&q, 6000, &e));
    ASSERT_EQ_U64(e.code, 4);
    ASSERT_EQ_U64(e.args[0], 4);
}

/* An event leaves the queue only once its frame was queued: a refused send keeps it. */
static void test_event_kept_until_sent(void) {
    fw_events_t q;
    memset(&q, 0, sizeof q);
    uint8_t a = 9;
    fw_events_push(&q, 4, &a, 1);
    fw_event_t e;
    CU_ASSERT_TRUE(fw_events_peek_due(&q, 1000, &e));
    CU_ASSERT_TRUE(fw_events_peek_due(&q, 1000, &e)); /* the send failed: still there */
    ASSERT_EQ_U64(q.count, 1);
    ASSERT_EQ_U64(e.code, 4);
    fw_events_mark_sent(&q, 1000);
    ASSERT_EQ_U64(q.count, 0);
    CU_ASSERT_FALSE(fw_events_peek_due(&q, 3000, &e));
}

static void test_events_on_the_bus_one_per_second(void) {
    boot();
    fake_hal_run_ms(5000);
    for (uint8_t i = 0; i < 3; i++) {
        uint8_t arg = i;
        fw_event_post(FW_EVT_LOADS_LIMIT, &arg, 1);
    }
    fake_hal_can_clear();
    fake_hal_run_ms(3000);
    uint64_t last = 0;
    unsigned n = 0;
    for (size_t i = 0; i < fake_hal_can_tx_count(); i++) {
        const fake_can_tx_t *t = fake_hal_can_tx(i);
        if (t->f.id == 0x400 + NODE) {
            CU_ASSERT_TRUE(n == 0 || t->t_us - last >= 1000000u);
            ASSERT_EQ_U64(t->f.data[2], n);
            last = t->t_us;
            n++;
        }
    }
    ASSERT_EQ_U64(n, 3);
}

static void test_can_start_failure_retries(void) {
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_OK, 544, 0);
    fake_hal_can_set_start_rc(HAL_ERR_NOT_STARTED);
    fw_init();
    ASSERT_EQ_U64(fake_hal_can_bitrate(), 500000);
    ASSERT_EQ_U64(fake_hal_can_start_calls(), 1);
    CU_ASSERT_TRUE(fake_hal_log_contains("CAN start failed"));
    fake_hal_run_until_ms(9999);
    ASSERT_EQ_U64(fake_hal_can_start_calls(), 1);
    fake_hal_run_until_ms(10000);
    ASSERT_EQ_U64(fake_hal_can_start_calls(), 2); /* every 10 s */
    ASSERT_EQ_U64(fake_hal_wdt_feeds(), 6);       /* the control loop kept running */
    ASSERT_EQ_U64(fake_hal_can_tx_count(), 0);
    fake_hal_can_set_start_rc(HAL_OK);
    fake_hal_run_until_ms(20000);
    ASSERT_EQ_U64(fake_hal_can_start_calls(), 3);
    CU_ASSERT_PTR_NOT_NULL(fake_hal_can_last_tel(NODE, 0));
    ASSERT_EQ_U64(fake_hal_can_count_id(0x300 + NODE), 1); /* the lost boot ANN, sent now */
    fake_hal_run_until_ms(60000);
    ASSERT_EQ_U64(fake_hal_can_start_calls(), 3);
}

static void test_bus_off_recovery_and_event(void) {
    boot();
    fake_hal_run_ms(3000);
    fake_hal_can_set_state(HAL_CAN_BUS_OFF, 256);
    ASSERT_EQ_U64(fake_hal_can_recover_calls(), 1); /* recovery requested at once */
    fake_hal_run_ms(9000);
    ASSERT_EQ_U64(fake_hal_can_recover_calls(), 1);
    fake_hal_run_ms(2000);
    ASSERT_EQ_U64(fake_hal_can_recover_calls(), 2); /* again at the first tick 10 s later */
    CU_ASSERT_FALSE(event_sent(5));
    fake_hal_can_set_state(HAL_CAN_ERROR_ACTIVE, 3);
    fake_hal_run_ms(1100);
    const hal_can_frame_t *e = fake_hal_can_last(0x400 + NODE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    ASSERT_EQ_U64(e->data[0], 5);
    ASSERT_EQ_U64(e->data[1], 2);
    ASSERT_EQ_U64(e->data[2], HAL_CAN_BUS_OFF);
    ASSERT_EQ_U64(e->data[3], 3);
    /* error-passive and back: reported too */
    fake_hal_can_set_state(HAL_CAN_ERROR_PASSIVE, 130);
    fake_hal_can_set_state(HAL_CAN_ERROR_ACTIVE, 90);
    fake_hal_run_ms(1100);
    e = fake_hal_can_last(0x400 + NODE);
    ASSERT_EQ_U64(e->data[2], HAL_CAN_ERROR_PASSIVE);
    ASSERT_EQ_U64(e->data[3], 90);
}

static void test_controller_stopped_after_recovery_restarts(void) {
    boot();
    fake_hal_run_ms(3000);
    fake_hal_can_set_state(HAL_CAN_BUS_OFF, 256);
    uint32_t starts = fake_hal_can_start_calls();
    fake_hal_can_set_state(HAL_CAN_STOPPED, 0); /* a controller that stops once recovered */
    ASSERT_EQ_U64(fake_hal_can_start_calls(), starts + 1);
    fake_hal_run_ms(2100);
    CU_ASSERT_TRUE(event_sent(5));
}

static void test_tx_queue_full_is_counted(void) {
    boot();
    fake_hal_can_set_send_rc(HAL_ERR_QUEUE_FULL);
    uint32_t d0 = fw_state.can.tx_dropped;
    fake_hal_run_ms(4000);
    ASSERT_EQ_U64(fw_state.can.tx_dropped - d0, 2u * 4u + 2u * 3u); /* TEL + aggregates */
    fake_hal_can_set_send_rc(HAL_OK);
    size_t n = fake_hal_can_tx_count();
    fake_hal_run_ms(2000);
    CU_ASSERT_TRUE(fake_hal_can_tx_count() > n);
}

static void test_init_resets_everything(void) {
    boot();
    uint8_t d[8] = {1, 2, 5, 0, 0, 0, 0, 1};
    fake_hal_can_rx(0x300 + 5, 8, d);
    fake_hal_ct_power_w(0, 5000.0);
    fake_hal_run_ms(10000);
    CU_ASSERT_TRUE(fw_state.grid.energy_wms > 0u);
    ASSERT_EQ_U64(fw_election_count(&fw_state.el), 1);
    fake_hal_reboot();
    fw_init();
    ASSERT_EQ_U64(fw_state.grid.energy_wms, 0);
    ASSERT_EQ_U64(fw_election_count(&fw_state.el), 0);
    ASSERT_EQ_U64(fw_state.ticks, 1);
    CU_ASSERT_FALSE(fw_state.bms.valid);
}

void test_register(void) {
    TEST_SUITE("fw_main", TEST(test_banner), TEST(test_timers_and_first_tick), TEST(test_watchdog),
               TEST(test_watchdog_reset_event), TEST(test_event_severities),
               TEST(test_event_queue_bounded_and_paced), TEST(test_event_kept_until_sent),
               TEST(test_events_on_the_bus_one_per_second), TEST(test_can_start_failure_retries),
               TEST(test_bus_off_recovery_and_event),
               TEST(test_controller_stopped_after_recovery_restarts),
               TEST(test_tx_queue_full_is_counted), TEST(test_init_resets_everything));
}
