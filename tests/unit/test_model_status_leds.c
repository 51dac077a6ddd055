/*
 * Status LEDs: steady levels and blink detection (period and duty from edge times), the three
 * patterns of the firmware spec (§8.3) told apart.
 */
#include "status_leds.h"
#include "test_support.h"

#define MS SIM_NS_PER_MS

static status_leds_t *make(void) {
    status_leds_cfg_t cfg;
    status_leds_cfg_default(&cfg);
    status_leds_t *l = NULL;
    ASSERT_EQ_I64(status_leds_create(&cfg, &l), 0);
    return l;
}

/* Toggles `led` with on/off times from t0 for `cycles` periods; returns the end time. */
static sim_time_ns_t blink(status_leds_t *l, unsigned led, sim_time_ns_t t0, sim_time_ns_t on,
                           sim_time_ns_t off, int cycles) {
    sim_time_ns_t t = t0;
    for (int i = 0; i < cycles; i++) {
        status_leds_set(l, led, true, t);
        status_leds_set(l, led, false, t + on);
        t += on + off;
    }
    return t;
}

static void steady_levels(void) {
    status_leds_t *l = make();
    led_state_t s;
    status_leds_state(l, STATUS_LED_GREEN, 0, &s);
    ASSERT_EQ_U64(s.mode, LED_OFF);
    status_leds_set(l, STATUS_LED_GREEN, true, 5 * MS);
    status_leds_set(l, STATUS_LED_GREEN, true, 6 * MS); /* same level: ignored */
    status_leds_state(l, STATUS_LED_GREEN, 10000 * MS, &s);
    ASSERT_EQ_U64(s.mode, LED_ON);
    CU_ASSERT_TRUE(status_leds_level(l, STATUS_LED_GREEN));
    ASSERT_EQ_U64(status_leds_blinks(l, STATUS_LED_GREEN), 1);
    status_leds_destroy(l);
}

static void spec_patterns_are_told_apart(void) {
    status_leds_t *l = make();
    led_state_t s;
    /* Yellow warning: 500 ms on / 500 ms off. */
    sim_time_ns_t t = blink(l, STATUS_LED_YELLOW, 0, 500 * MS, 500 * MS, 5);
    status_leds_state(l, STATUS_LED_YELLOW, t, &s);
    ASSERT_EQ_U64(s.mode, LED_BLINK);
    ASSERT_EQ_I64(s.period_ns, 1000 * MS);
    ASSERT_EQ_U64(s.duty_permille, 500);
    /* Green master: 1 s on / 1 s off. */
    t = blink(l, STATUS_LED_GREEN, 0, 1000 * MS, 1000 * MS, 4);
    status_leds_state(l, STATUS_LED_GREEN, t, &s);
    ASSERT_EQ_U64(s.mode, LED_BLINK);
    ASSERT_EQ_I64(s.period_ns, 2000 * MS);
    /* Red time-sync missing: 200 ms on / 200 ms off. */
    t = blink(l, STATUS_LED_RED, 0, 200 * MS, 200 * MS, 4);
    status_leds_state(l, STATUS_LED_RED, t, &s);
    ASSERT_EQ_U64(s.mode, LED_BLINK);
    ASSERT_EQ_I64(s.period_ns, 400 * MS);
    ASSERT_EQ_U64(s.duty_permille, 500);
    status_leds_destroy(l);
}

static void blink_that_stops_reads_steady(void) {
    status_leds_t *l = make();
    led_state_t s;
    sim_time_ns_t t = blink(l, 0, 0, 300 * MS, 700 * MS, 4);
    status_leds_state(l, 0, t + 500 * MS, &s);
    ASSERT_EQ_U64(s.mode, LED_BLINK);
    ASSERT_EQ_U64(s.duty_permille, 300);
    /* No edge for more than two periods after the last one: steady off. */
    status_leds_state(l, 0, t + 1800 * MS, &s);
    ASSERT_EQ_U64(s.mode, LED_OFF);
    /* Irregular toggling is not a blink. */
    status_leds_set(l, 0, true, t + 2000 * MS);
    status_leds_set(l, 0, false, t + 2100 * MS);
    status_leds_set(l, 0, true, t + 3500 * MS);
    status_leds_state(l, 0, t + 3501 * MS, &s);
    ASSERT_EQ_U64(s.mode, LED_ON);
    status_leds_destroy(l);
}

static void invalid_config_is_refused(void) {
    status_leds_cfg_t cfg;
    status_leds_cfg_default(&cfg);
    cfg.count = 9;
    status_leds_t *l = NULL;
    ASSERT_EQ_I64(status_leds_create(&cfg, &l), -SIM_EINVAL);
    CU_ASSERT_PTR_NULL(l);
}

void test_register(void) {
    TEST_SUITE("model_status_leds", TEST(steady_levels), TEST(spec_patterns_are_told_apart),
               TEST(blink_that_stops_reads_steady), TEST(invalid_config_is_refused));
}
