/*
 * test_fw_indicators.c: the WS2812B SOC bar (spec §8.1) and the status LEDs (§8.3): lit pixel
 * count with ceil, red at <= 20 %, G-R-B byte order, the 100 ms blue charging sweep, dark while
 * SOC is invalid; green / yellow / red patterns.
 */
#include "commands.h"
#include "fake_hal.h"
#include "fw_state.h"
#include "indicators.h"
#include "leds.h"
#include "telemetry.h"
#include "test_support.h"

#define NODE 99u

enum { OFF, RED, GREEN, BLUE, OTHER };

static int colour(const uint8_t *grb, unsigned px) {
    const uint8_t *p = &grb[3u * px];
    if (p[0] == 0 && p[1] == 0 && p[2] == 0) {
        return OFF;
    }
    if (p[0] == 0 && p[1] == 255 && p[2] == 0) {
        return RED;
    }
    if (p[0] == 255 && p[1] == 0 && p[2] == 0) {
        return GREEN;
    }
    if (p[0] == 0 && p[1] == 0 && p[2] == 255) {
        return BLUE;
    }
    return OTHER;
}

static void test_lit_count_rounds_up(void) {
    ASSERT_EQ_U64(fw_bar_lit(0), 0);
    ASSERT_EQ_U64(fw_bar_lit(1), 1); /* map() rounding down would light nothing here */
    ASSERT_EQ_U64(fw_bar_lit(9), 1);
    ASSERT_EQ_U64(fw_bar_lit(10), 1);
    ASSERT_EQ_U64(fw_bar_lit(11), 2);
    ASSERT_EQ_U64(fw_bar_lit(20), 2);
    ASSERT_EQ_U64(fw_bar_lit(21), 3);
    ASSERT_EQ_U64(fw_bar_lit(91), 10);
    ASSERT_EQ_U64(fw_bar_lit(100), 10);
}

static void test_colours_and_byte_order(void) {
    uint8_t grb[FW_BAR_BYTES];
    fw_bar_render(grb, true, 20, 0xFF);
    ASSERT_EQ_I64(colour(grb, 0), RED); /* bytes G=0, R=255, B=0 */
    ASSERT_EQ_I64(colour(grb, 1), RED);
    ASSERT_EQ_I64(colour(grb, 2), OFF);
    ASSERT_EQ_I64(colour(grb, 9), OFF);
    fw_bar_render(grb, true, 21, 0xFF);
    ASSERT_EQ_I64(colour(grb, 0), GREEN);
    ASSERT_EQ_I64(colour(grb, 2), GREEN);
    ASSERT_EQ_I64(colour(grb, 3), OFF);
    fw_bar_render(grb, true, 5, 0xFF);
    ASSERT_EQ_I64(colour(grb, 0), RED); /* the low-battery bar is visible */
    fw_bar_render(grb, true, 60, 4);
    ASSERT_EQ_I64(colour(grb, 4), BLUE);
    ASSERT_EQ_I64(colour(grb, 5), GREEN);
    fw_bar_render(grb, false, 60, 4);
    for (unsigned i = 0; i < FW_BAR_PIXELS; i++) {
        ASSERT_EQ_I64(colour(grb, i), OFF);
    }
}

static void boot(uint16_t dv, int16_t ca) {
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_OK, dv, ca);
    fw_init();
}

static int blue_index(void) {
    size_t len;
    const uint8_t *grb = fake_hal_ws2812(&len);
    int idx = -1;
    for (unsigned i = 0; i < len / 3u; i++) {
        if (colour(grb, i) == BLUE) {
            idx = (int)i;
        }
    }
    return idx;
}

static void test_charging_sweep(void) {
    boot(544, 100); /* 50 %: 5 pixels; +1.00 A charging */
    fake_hal_run_until_ms(2000);
    CU_ASSERT_TRUE(fw_state.charging);
    /* The sub-tick at 2.0 s (right after the tick) draws the first frame. */
    static const int want[] = {0, 1, 2, 3, 4, 0, 1, 2};
    for (unsigned k = 0; k < sizeof want / sizeof want[0]; k++) {
        if (k > 0) {
            fake_hal_run_ms(100);
        }
        ASSERT_EQ_I64(blue_index(), want[k]);
        size_t len;
        const uint8_t *grb = fake_hal_ws2812(&len);
        ASSERT_EQ_U64(len, 30);
        ASSERT_EQ_I64(colour(grb, 5), OFF);
    }
    /* charging stops: static bar; starts again: the sweep restarts at pixel 0 */
    fake_hal_bms(FAKE_BMS_OK, 544, 0);
    fake_hal_run_ms(4000);
    CU_ASSERT_FALSE(fw_state.charging);
    ASSERT_EQ_I64(blue_index(), -1);
    fake_hal_bms(FAKE_BMS_OK, 544, 100);
    fake_hal_run_until_ms(10000);
    CU_ASSERT_TRUE(fw_state.charging);
    ASSERT_EQ_I64(blue_index(), 0);
    fake_hal_run_ms(100);
    ASSERT_EQ_I64(blue_index(), 1);
}

static void test_charging_deadband(void) {
    boot(544, 50); /* exactly +0.5 A is not charging */
    fake_hal_run_until_ms(2500);
    CU_ASSERT_FALSE(fw_state.charging);
    ASSERT_EQ_I64(blue_index(), -1);
    boot(544, 51);
    fake_hal_run_until_ms(2500);
    CU_ASSERT_TRUE(fw_state.charging);
    CU_ASSERT_TRUE(blue_index() >= 0);
}

static void test_bar_dark_while_invalid_and_written_on_change(void) {
    boot(544, 0);
    size_t len;
    const uint8_t *grb = fake_hal_ws2812(&len);
    ASSERT_EQ_U64(fake_hal_ws2812_writes(), 1); /* boot: dark bar (no BMS data yet) */
    ASSERT_EQ_I64(colour(grb, 0), OFF);
    fake_hal_run_until_ms(2000);
    ASSERT_EQ_I64(colour(fake_hal_ws2812(&len), 4), GREEN);
    uint32_t w = fake_hal_ws2812_writes();
    fake_hal_run_ms(60000);
    ASSERT_EQ_U64(fake_hal_ws2812_writes(), w); /* static bar: no rewrites */
    fake_hal_bms(FAKE_BMS_SILENT, 0, 0);
    fake_hal_run_ms(10000);
    for (unsigned i = 0; i < 10; i++) {
        ASSERT_EQ_I64(colour(fake_hal_ws2812(&len), i), OFF);
    }
}

static void test_led_patterns_unit(void) {
    fw_led_input_t in = {false, false, false, false};
    bool out[FW_LED_COUNT];
    for (uint32_t t = 0; t < 40; t++) {
        fw_leds_compute(&in, t, out);
        CU_ASSERT_TRUE(out[FW_LED_GREEN]);
        CU_ASSERT_FALSE(out[FW_LED_YELLOW]);
        CU_ASSERT_FALSE(out[FW_LED_RED]);
    }
    in.master = true;
    in.warning = true;
    in.time_missing = true;
    unsigned green_on = 0, yellow_edges = 0, red_edges = 0;
    bool py = false, pr = false;
    for (uint32_t t = 0; t < 40; t++) { /* 4 s */
        fw_leds_compute(&in, t, out);
        green_on += out[FW_LED_GREEN] ? 1u : 0u;
        yellow_edges += (t > 0 && out[FW_LED_YELLOW] != py) ? 1u : 0u;
        red_edges += (t > 0 && out[FW_LED_RED] != pr) ? 1u : 0u;
        py = out[FW_LED_YELLOW];
        pr = out[FW_LED_RED];
        if (t % 20u == 9u || t % 20u == 10u) {
            CU_ASSERT_EQUAL(out[FW_LED_GREEN], t % 20u == 9u); /* 1 s on, 1 s off */
        }
    }
    ASSERT_EQ_U64(green_on, 20);
    ASSERT_EQ_U64(yellow_edges, 7); /* toggles every 500 ms */
    ASSERT_EQ_U64(red_edges, 19);   /* toggles every 200 ms */
    in.fault = true;
    for (uint32_t t = 0; t < 10; t++) {
        fw_leds_compute(&in, t, out);
        CU_ASSERT_TRUE(out[FW_LED_RED]); /* steady fault beats the fast blink */
    }
}

static void test_red_blinks_without_time_for_a_day(void) {
    boot(544, 0);
    uint8_t on = 1;
    fake_hal_cmd(FW_CMD_SET_TOU, 127, 1, &on, 1);
    fake_hal_run_ms(3600u * 1000u);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_LED_RED)); /* 1 h without time: not yet */
    fake_hal_run_until_ms(24u * 3600u * 1000u + 1000u);
    uint32_t w = fake_hal_gpio_writes(HAL_SIG_LED_RED);
    fake_hal_run_ms(2000);
    ASSERT_EQ_U64(fake_hal_gpio_writes(HAL_SIG_LED_RED) - w, 10); /* 200 ms toggles */
    fake_hal_time_broadcast(12, 0, 1);
    fake_hal_run_ms(300);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_LED_RED));
}

/* Spec §8.3: the fast red blink also serves the Grid-Limit mode, and the 24 h count starts at
 * the last valid broadcast (at boot only while none has arrived). */
static void test_red_blinks_for_grid_limit_a_day_after_last_time(void) {
    boot(544, 0);
    uint8_t v = 5;
    ASSERT_EQ_I64(fake_hal_cmd(FW_CMD_SET_GRID_LIMIT_KWH, 127, 1, &v, 1), FW_CMD_OK);
    v = 1;
    ASSERT_EQ_I64(fake_hal_cmd(FW_CMD_SET_GRID_LIMIT_MODE, 127, 2, &v, 1), FW_CMD_OK);
    fake_hal_run_until_ms(3600u * 1000u);
    fake_hal_time_broadcast(12, 0, 1); /* the only broadcast, 1 h after boot */
    fake_hal_run_until_ms(24u * 3600u * 1000u + 1000u);
    uint32_t w = fake_hal_gpio_writes(HAL_SIG_LED_RED);
    fake_hal_run_ms(2000);
    ASSERT_EQ_U64(fake_hal_gpio_writes(HAL_SIG_LED_RED) - w, 0); /* 23 h since the broadcast */
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_LED_RED));
    fake_hal_run_until_ms(25u * 3600u * 1000u + 1000u);
    w = fake_hal_gpio_writes(HAL_SIG_LED_RED);
    fake_hal_run_ms(2000);
    ASSERT_EQ_U64(fake_hal_gpio_writes(HAL_SIG_LED_RED) - w, 10); /* 200 ms toggles */
}

/* Spec §11.2 and §8.3: a BMS alarm is forwarded (TEL page 0 flag and bits, event 4 once) and
 * lights the red LED steadily; the firmware does not act on it otherwise. The alarm register is
 * not mapped yet (§6), so the test sets the bits the poll would report. */
static void test_bms_alarm_forwarded(void) {
    boot(544, 0);
    fake_hal_run_ms(2000);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_LED_RED));
    fw_state.bms.alarm_bits = 0x05;
    fake_hal_run_ms(2100);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_LED_RED));
    uint32_t w = fake_hal_gpio_writes(HAL_SIG_LED_RED);
    fake_hal_run_ms(4000);
    ASSERT_EQ_U64(fake_hal_gpio_writes(HAL_SIG_LED_RED), w); /* steady */
    const hal_can_frame_t *p0 = fake_hal_can_last_tel(NODE, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p0);
    ASSERT_EQ_U64(p0->data[6] & FW_TEL_ST_BMS_ALARM, FW_TEL_ST_BMS_ALARM);
    ASSERT_EQ_U64(p0->data[7], 0x05);
    ASSERT_EQ_U64(p0->data[1], 50); /* SOC still valid */
    unsigned events = 0;
    for (size_t i = 0; i < fake_hal_can_tx_count(); i++) {
        const hal_can_frame_t *f = &fake_hal_can_tx(i)->f;
        if (f->id == 0x400 + NODE && f->data[0] == 4) {
            ASSERT_EQ_U64(f->data[1], 2);
            ASSERT_EQ_U64(f->data[2], 0x05);
            events++;
        }
    }
    ASSERT_EQ_U64(events, 1); /* once, not every tick */
    for (unsigned i = 0; i < 4; i++) {
        CU_ASSERT_TRUE(
            fake_hal_gpio((hal_signal_t)(HAL_SIG_RELAY_GRID + i))); /* no action of its own */
    }
    fw_state.bms.alarm_bits = 0;
    fake_hal_run_ms(2100);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_LED_RED));
    ASSERT_EQ_U64(fake_hal_can_last_tel(NODE, 0)->data[6] & FW_TEL_ST_BMS_ALARM, 0);
}

static void test_red_on_bus_off(void) {
    boot(544, 0);
    fake_hal_run_ms(2000);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_LED_RED));
    fake_hal_can_set_state(HAL_CAN_BUS_OFF, 256);
    fake_hal_run_ms(200);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_LED_RED));
    fake_hal_can_set_state(HAL_CAN_ERROR_ACTIVE, 0);
    fake_hal_run_ms(200);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_LED_RED));
}

static void test_green_blinks_as_master(void) {
    boot(544, 0);
    fake_hal_run_ms(2000);
    uint32_t w = fake_hal_gpio_writes(HAL_SIG_LED_GREEN);
    fake_hal_run_ms(4000);
    ASSERT_EQ_U64(fake_hal_gpio_writes(HAL_SIG_LED_GREEN) - w, 4); /* 1 s toggles */
    uint8_t d[8] = {1, 2, 5, 0, 0, 0, 0, 1};
    fake_hal_can_rx(0x300 + 120, 8, d); /* a higher NodeID takes over */
    fake_hal_run_ms(2100);
    w = fake_hal_gpio_writes(HAL_SIG_LED_GREEN);
    fake_hal_run_ms(4000);
    ASSERT_EQ_U64(fake_hal_gpio_writes(HAL_SIG_LED_GREEN) - w, 0);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_LED_GREEN)); /* steady on */
}

void test_register(void) {
    TEST_SUITE("fw_indicators", TEST(test_lit_count_rounds_up), TEST(test_colours_and_byte_order),
               TEST(test_charging_sweep), TEST(test_charging_deadband),
               TEST(test_bar_dark_while_invalid_and_written_on_change),
               TEST(test_led_patterns_unit), TEST(test_red_blinks_without_time_for_a_day),
               TEST(test_red_blinks_for_grid_limit_a_day_after_last_time),
               TEST(test_bms_alarm_forwarded), TEST(test_red_on_bus_off),
               TEST(test_green_blinks_as_master));
}
