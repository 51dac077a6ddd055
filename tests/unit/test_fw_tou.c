/*
 * test_fw_tou.c: Time-of-Use on R2 (spec §7.3, D4) and the software clock from the 0x7FF time
 * broadcast (§9.11, D17): inside/outside, wrap past midnight, hold before time sync and after
 * the clock expires, start == end, frame validation.
 */
#include "clock.h"
#include "commands.h"
#include "fake_hal.h"
#include "fw_state.h"
#include "modes.h"
#include "telemetry.h"
#include "test_support.h"

#define NODE   99u
#define ALL    127u
#define DAY_MS (24ull * 3600ull * 1000ull)

static void test_window_unit(void) {
    const uint8_t day[4] = {8, 0, 17, 0};
    fw_tou_window_t w = fw_tou_window(day);
    CU_ASSERT_TRUE(fw_tou_has_window(w));
    CU_ASSERT_FALSE(fw_tou_inside(w, 479));
    CU_ASSERT_TRUE(fw_tou_inside(w, 480));
    CU_ASSERT_TRUE(fw_tou_inside(w, 1019));
    CU_ASSERT_FALSE(fw_tou_inside(w, 1020)); /* end is exclusive */
    const uint8_t night[4] = {22, 30, 6, 15};
    w = fw_tou_window(night);
    CU_ASSERT_FALSE(fw_tou_inside(w, 1349));
    CU_ASSERT_TRUE(fw_tou_inside(w, 1350));
    CU_ASSERT_TRUE(fw_tou_inside(w, 1439));
    CU_ASSERT_TRUE(fw_tou_inside(w, 0));
    CU_ASSERT_TRUE(fw_tou_inside(w, 374));
    CU_ASSERT_FALSE(fw_tou_inside(w, 375));
    const uint8_t none[4] = {7, 45, 7, 45};
    CU_ASSERT_FALSE(fw_tou_has_window(fw_tou_window(none)));
}

static void test_clock_unit(void) {
    fw_clock_t c;
    memset(&c, 0, sizeof c);
    CU_ASSERT_FALSE(fw_clock_valid(&c, 0));
    const uint8_t t[5] = {23, 5, 59, 6, 25};
    ASSERT_EQ_I64(fw_clock_on_broadcast(&c, t, 5, 1000), 0);
    CU_ASSERT_TRUE(fw_clock_valid(&c, 1000));
    ASSERT_EQ_U64(fw_clock_minute_of_day(&c, 1000), 1439);
    ASSERT_EQ_U64(fw_clock_day(&c, 1000), 5);
    ASSERT_EQ_U64(fw_clock_minute_of_day(&c, 1000 + 60000), 0); /* midnight */
    ASSERT_EQ_U64(fw_clock_day(&c, 1000 + 60000), 6);
    ASSERT_EQ_U64(fw_clock_minute_of_day(&c, 1000 + 59999), 1439);
    CU_ASSERT_TRUE(fw_clock_valid(&c, 1000 + DAY_MS - 1));
    CU_ASSERT_FALSE(fw_clock_valid(&c, 1000 + DAY_MS));
    const uint8_t short_form[2] = {7, 12}; /* the old [hour, day] form: minute 0 */
    ASSERT_EQ_I64(fw_clock_on_broadcast(&c, short_form, 2, 5000), 0);
    ASSERT_EQ_U64(fw_clock_minute_of_day(&c, 5000), 420);
    ASSERT_EQ_U64(c.month, 0); /* unknown */
}

static void test_clock_validation(void) {
    fw_clock_t c;
    memset(&c, 0, sizeof c);
    const uint8_t bad[][5] = {
        {24, 1, 0, 1, 25}, {0, 0, 0, 1, 25}, {0, 32, 0, 1, 25},
        {0, 1, 60, 1, 25}, {0, 1, 0, 0, 25}, {0, 1, 0, 13, 25},
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ASSERT_EQ_I64(fw_clock_on_broadcast(&c, bad[i], 5, 0), -1);
    }
    ASSERT_EQ_I64(fw_clock_on_broadcast(&c, bad[0], 1, 0), -1); /* too short */
    ASSERT_EQ_I64(fw_clock_on_broadcast(&c, bad[0], 0, 0), -1);
    CU_ASSERT_FALSE(c.set);
    const uint8_t ok8[8] = {0, 31, 59, 12, 99, 0xAA, 0xBB, 0xCC}; /* DLC 8 accepted */
    ASSERT_EQ_I64(fw_clock_on_broadcast(&c, ok8, 8, 0), 0);
    const uint8_t ok3[3] = {12, 1, 30};
    ASSERT_EQ_I64(fw_clock_on_broadcast(&c, ok3, 3, 0), 0);
    ASSERT_EQ_U64(fw_clock_minute_of_day(&c, 0), 750);
}

static void boot_tou(uint8_t sh, uint8_t sm, uint8_t eh, uint8_t em) {
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_OK, 544, 0);
    fw_init();
    uint8_t w[4] = {sh, sm, eh, em};
    ASSERT_EQ_I64(fake_hal_cmd(FW_CMD_SET_TOU_WINDOW, ALL, 1, w, 4), FW_CMD_OK);
    uint8_t on = 1;
    ASSERT_EQ_I64(fake_hal_cmd(FW_CMD_SET_TOU, ALL, 2, &on, 1), FW_CMD_OK);
}

static bool r2(void) {
    return fake_hal_gpio(HAL_SIG_RELAY_INVERTER);
}

static void test_tou_switches_r2(void) {
    boot_tou(8, 0, 17, 0);
    fake_hal_run_ms(2000);
    CU_ASSERT_TRUE(r2()); /* no time yet: hold, CONNECTED after boot */
    fake_hal_run_ms(500);
    fake_hal_time_broadcast(7, 58, 3); /* 07:58:00 at t = 2.5 s */
    fake_hal_run_ms(1500);
    CU_ASSERT_FALSE(r2()); /* outside */
    fake_hal_run_until_ms(2500 + 119000);
    CU_ASSERT_FALSE(r2()); /* 07:59:59 */
    fake_hal_run_until_ms(2500 + 121500);
    CU_ASSERT_TRUE(r2()); /* 08:00 reached: inside */
    fake_hal_time_broadcast(16, 59, 3);
    fake_hal_run_ms(2000);
    CU_ASSERT_TRUE(r2());
    fake_hal_run_ms(60000);
    CU_ASSERT_FALSE(r2()); /* 17:00 */
}

static void test_tou_wraps_midnight(void) {
    boot_tou(22, 0, 6, 0);
    fake_hal_time_broadcast(21, 59, 3);
    fake_hal_run_ms(2000);
    CU_ASSERT_FALSE(r2());
    fake_hal_run_ms(60000);
    CU_ASSERT_TRUE(r2()); /* 22:00 */
    fake_hal_time_broadcast(0, 30, 4);
    fake_hal_run_ms(2000);
    CU_ASSERT_TRUE(r2());
    fake_hal_time_broadcast(5, 59, 4);
    fake_hal_run_ms(2000);
    CU_ASSERT_TRUE(r2());
    fake_hal_run_ms(60000);
    CU_ASSERT_FALSE(r2()); /* 06:00 */
}

static void test_tou_holds_when_clock_expires(void) {
    boot_tou(8, 0, 17, 0);
    fake_hal_time_broadcast(20, 0, 3);
    fake_hal_run_ms(2000);
    CU_ASSERT_FALSE(r2());
    ASSERT_EQ_U64(fake_hal_can_last_tel(NODE, 0)->data[6] & FW_TEL_ST_TIME_VALID,
                  FW_TEL_ST_TIME_VALID);
    /* No broadcast for more than 24 h: the clock is no longer valid and R2 keeps its state,
     * even through hours that would be inside the window. */
    fake_hal_run_ms(DAY_MS + 4000);
    CU_ASSERT_FALSE(fw_clock_valid(&fw_state.clock, hal_now_ms()));
    CU_ASSERT_FALSE(r2());
    ASSERT_EQ_U64(fake_hal_can_last_tel(NODE, 0)->data[6] & FW_TEL_ST_TIME_VALID, 0);
}

static void test_tou_start_equals_end_is_inactive(void) {
    boot_tou(9, 15, 9, 15);
    uint8_t rel[2] = {1, 0}; /* manual R2 off applies: TOU has no window */
    ASSERT_EQ_I64(fake_hal_cmd(FW_CMD_SET_RELAY, ALL, 3, rel, 2), FW_CMD_OK);
    fake_hal_time_broadcast(9, 15, 3);
    fake_hal_run_ms(2000);
    CU_ASSERT_FALSE(r2());
    uint8_t w[4] = {9, 0, 10, 0};
    fake_hal_cmd(FW_CMD_SET_TOU_WINDOW, ALL, 4, w, 4);
    ASSERT_EQ_I64(fake_hal_cmd(FW_CMD_SET_RELAY, ALL, 5, rel, 2), FW_CMD_REFUSED);
    fake_hal_run_ms(2000);
    CU_ASSERT_TRUE(r2()); /* now TOU decides: inside */
}

static void test_invalid_broadcast_logs_event(void) {
    boot_tou(8, 0, 17, 0);
    uint8_t bad[5] = {25, 1, 0, 1, 25};
    fake_hal_can_rx(0x7FF, 5, bad);
    fake_hal_can_rx(0x7FF, 1, bad);
    fake_hal_run_ms(3000);
    size_t n = 0;
    for (size_t i = 0; i < fake_hal_can_tx_count(); i++) {
        const hal_can_frame_t *f = &fake_hal_can_tx(i)->f;
        n += (f->id == 0x400 + NODE && f->data[0] == 10) ? 1u : 0u;
    }
    ASSERT_EQ_U64(n, 2);
    CU_ASSERT_FALSE(fw_state.clock.set);
}

void test_register(void) {
    TEST_SUITE("fw_tou", TEST(test_window_unit), TEST(test_clock_unit), TEST(test_clock_validation),
               TEST(test_tou_switches_r2), TEST(test_tou_wraps_midnight),
               TEST(test_tou_holds_when_clock_expires), TEST(test_tou_start_equals_end_is_inactive),
               TEST(test_invalid_broadcast_logs_event));
}
