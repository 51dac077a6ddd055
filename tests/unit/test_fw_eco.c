/*
 * test_fw_eco.c: Eco load limiting (spec §7.2, D3): shed order heater -> pool pump, the 3-tick
 * shed delay, restore in reverse order at <= 95 % of the limit for 15 ticks, one load per step,
 * the LOADS_LIMIT warning, and the limit-0 refusals. Built twice: the default build and a
 * variant with ECO_SHED_INVERTER_LAST=1 and ECO_CONSUMPTION=INVERTER_PLUS_LOADS.
 */
#include "arbitrate.h"
#include "commands.h"
#include "eco.h"
#include "fake_hal.h"
#include "fw_state.h"
#include "telemetry.h"
#include "test_support.h"

#define NODE 99u
#define ALL  127u

static bool step(fw_eco_t *e, uint16_t limit, int32_t home, int32_t pool, int32_t heater) {
    fw_eco_input_t in = {home, pool, heater};
    return fw_eco_step(e, limit, &in);
}

static void test_consumption_definition(void) {
    fw_eco_input_t in = {2000, 1500, 1200};
#if ECO_CONSUMPTION == INVERTER_PLUS_LOADS
    ASSERT_EQ_I64(fw_eco_consumption_w(&in), 4700);
#else
    ASSERT_EQ_I64(fw_eco_consumption_w(&in), 2000); /* pool and heater are inside P_home */
#endif
}

static void test_shed_order_and_delay(void) {
    fw_eco_t e;
    fw_eco_reset(&e);
    /* P_home alone decides in the default build; loads are small so both builds agree. */
    CU_ASSERT_FALSE(step(&e, 3000, 3400, 50, 100));
    CU_ASSERT_FALSE(step(&e, 3000, 3400, 50, 100));
    ASSERT_EQ_U64(e.shed_count, 0); /* 2 ticks above: nothing yet */
    CU_ASSERT_FALSE(step(&e, 3000, 3400, 50, 100));
    ASSERT_EQ_U64(e.shed_count, 1); /* 3rd tick: heater first */
    CU_ASSERT_TRUE(fw_eco_relay_shed(&e, FW_RELAY_HEATER));
    CU_ASSERT_FALSE(fw_eco_relay_shed(&e, FW_RELAY_POOL));
    ASSERT_EQ_I64(e.shed_power_w[0], 100); /* heater power measured before it opened */
    step(&e, 3000, 3300, 50, 0);
    step(&e, 3000, 3300, 50, 0);
    ASSERT_EQ_U64(e.shed_count, 1); /* the count restarted after the shed */
    step(&e, 3000, 3300, 50, 0);
    ASSERT_EQ_U64(e.shed_count, 2); /* then the pool pump */
    CU_ASSERT_TRUE(fw_eco_relay_shed(&e, FW_RELAY_POOL));
    ASSERT_EQ_I64(e.shed_power_w[1], 50);
    CU_ASSERT_FALSE(fw_eco_relay_shed(&e, FW_RELAY_INVERTER));
}

static void test_below_or_at_limit_resets_shed_count(void) {
    fw_eco_t e;
    fw_eco_reset(&e);
    step(&e, 3000, 3100, 0, 0);
    step(&e, 3000, 3100, 0, 0);
    step(&e, 3000, 3000, 0, 0); /* exactly at the limit is not above it */
    step(&e, 3000, 3100, 0, 0);
    step(&e, 3000, 3100, 0, 0);
    ASSERT_EQ_U64(e.shed_count, 0);
    step(&e, 3000, 3100, 0, 0);
    ASSERT_EQ_U64(e.shed_count, 1);
}

static void exhaust(fw_eco_t *e, unsigned *ticks) {
    while (e->shed_count < fw_eco_stage_count()) {
        step(e, 3000, 3500, 10, 10);
        (*ticks)++;
    }
}

static void test_loads_limit_warning(void) {
    fw_eco_t e;
    fw_eco_reset(&e);
    unsigned ticks = 0;
    exhaust(&e, &ticks);
    ASSERT_EQ_U64(ticks, 3u * fw_eco_stage_count());
#if ECO_SHED_INVERTER_LAST
    CU_ASSERT_TRUE(fw_eco_relay_shed(&e, FW_RELAY_INVERTER)); /* the optional last stage */
#else
    CU_ASSERT_FALSE(fw_eco_relay_shed(&e, FW_RELAY_INVERTER)); /* never the inverter output */
#endif
    CU_ASSERT_FALSE(step(&e, 3000, 3500, 0, 0));
    CU_ASSERT_FALSE(step(&e, 3000, 3500, 0, 0));
    CU_ASSERT_FALSE(e.loads_limit);
    CU_ASSERT_TRUE(step(&e, 3000, 3500, 0, 0)); /* another 3 ticks above: warning raised */
    CU_ASSERT_TRUE(e.loads_limit);
    CU_ASSERT_FALSE(step(&e, 3000, 3500, 0, 0)); /* raised once, not every tick */
    CU_ASSERT_TRUE(e.loads_limit);
    step(&e, 3000, 3000, 0, 0);
    CU_ASSERT_TRUE(e.loads_limit); /* at the limit: not yet below it */
    step(&e, 3000, 2999, 0, 0);
    CU_ASSERT_FALSE(e.loads_limit);
}

static void test_restore_hysteresis_reverse_order(void) {
    fw_eco_t e;
    fw_eco_reset(&e);
    for (unsigned i = 0; i < 3; i++) {
        step(&e, 2000, 2400, 0, 900); /* heater 900 W shed */
    }
    for (unsigned i = 0; i < 3; i++) {
        step(&e, 2000, 2400, 800, 0); /* pool 800 W shed */
    }
    ASSERT_EQ_U64(e.shed_count, 2);
    /* Pool comes back first, when consumption + 800 <= 1900 W (95 % of 2000). */
    for (unsigned i = 0; i < 14; i++) {
        step(&e, 2000, 1100, 0, 0);
    }
    ASSERT_EQ_U64(e.shed_count, 2); /* 28 s: not yet */
    step(&e, 2000, 1101, 0, 0);     /* 1901 > 1900: the count restarts */
    for (unsigned i = 0; i < 14; i++) {
        step(&e, 2000, 1100, 0, 0);
    }
    ASSERT_EQ_U64(e.shed_count, 2);
    step(&e, 2000, 1100, 0, 0); /* the 15th tick in a row */
    ASSERT_EQ_U64(e.shed_count, 1);
    CU_ASSERT_FALSE(fw_eco_relay_shed(&e, FW_RELAY_POOL));
    CU_ASSERT_TRUE(fw_eco_relay_shed(&e, FW_RELAY_HEATER));
    /* One load per step: the heater needs its own 15 ticks at <= 1900 - 900 = 1000 W. */
    for (unsigned i = 0; i < 14; i++) {
        step(&e, 2000, 1000, 0, 0);
    }
    ASSERT_EQ_U64(e.shed_count, 1);
    step(&e, 2000, 1000, 0, 0);
    ASSERT_EQ_U64(e.shed_count, 0);
}

static void test_no_restore_while_it_would_overshoot(void) {
    fw_eco_t e;
    fw_eco_reset(&e);
    for (unsigned i = 0; i < 3; i++) {
        step(&e, 2000, 2500, 0, 1500);
    }
    for (unsigned i = 0; i < 100; i++) {
        step(&e, 2000, 1000, 0, 0); /* 1000 + 1500 > 1900: restoring would re-trip */
    }
    ASSERT_EQ_U64(e.shed_count, 1);
}

/* ---- through the firmware and the fake HAL -------------------------------------------------- */

static void boot(void) {
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_OK, 544, 0);
    fw_init();
}

static int set_limit(uint16_t w) {
    uint8_t a[2] = {(uint8_t)(w >> 8), (uint8_t)w};
    return fake_hal_cmd(FW_CMD_SET_ECO_LIMIT, ALL, 9, a, 2);
}

static int eco(uint8_t on) {
    return fake_hal_cmd(FW_CMD_SET_ECO, ALL, 10, &on, 1);
}

static void test_limit_zero_refusals(void) {
    boot();
    ASSERT_EQ_I64(eco(1), FW_CMD_REFUSED); /* factory limit 0 = not set */
    ASSERT_EQ_U64(fake_hal_last_ack()->data[3], 0);
    ASSERT_EQ_I64(set_limit(3000), FW_CMD_OK);
    ASSERT_EQ_I64(eco(1), FW_CMD_OK);
    ASSERT_EQ_I64(set_limit(0), FW_CMD_REFUSED);
    ASSERT_EQ_U64(fw_state.set.eco_limit_w, 3000);
    ASSERT_EQ_I64(eco(0), FW_CMD_OK);
    ASSERT_EQ_I64(set_limit(0), FW_CMD_OK);
}

static void test_eco_sheds_relays_and_warns(void) {
    boot();
    set_limit(3000);
    eco(1);
    fake_hal_ct_power_w(1, 4000.0); /* home */
    fake_hal_ct_power_w(2, 300.0);  /* pool */
    fake_hal_ct_power_w(3, 1000.0); /* heater */
    /* Windows from 1750 ms on see it: ticks at 2, 4, 6 s are above. */
    fake_hal_run_until_ms(5999);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_HEATER));
    fake_hal_run_until_ms(6000);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_RELAY_HEATER));
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_POOL));
    fake_hal_run_until_ms(12000);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_RELAY_POOL));
    unsigned warn_at = ECO_SHED_INVERTER_LAST ? 24000u : 18000u;
    fake_hal_run_until_ms(warn_at - 1u);
    CU_ASSERT_FALSE(fw_state.eco.loads_limit);
    fake_hal_run_until_ms(warn_at);
    CU_ASSERT_TRUE(fw_state.eco.loads_limit);
    CU_ASSERT_EQUAL(fake_hal_gpio(HAL_SIG_RELAY_INVERTER), !ECO_SHED_INVERTER_LAST);
    const hal_can_frame_t *p3 = fake_hal_can_last_tel(NODE, 3);
    CU_ASSERT_TRUE(p3->data[3] & FW_WARN_LOADS_LIMIT);
    /* yellow LED blinks at 1 Hz: 500 ms on, 500 ms off */
    uint32_t w0 = fake_hal_gpio_writes(HAL_SIG_LED_YELLOW);
    fake_hal_run_ms(2000);
    ASSERT_EQ_U64(fake_hal_gpio_writes(HAL_SIG_LED_YELLOW) - w0, 4);
    const hal_can_frame_t *ev = fake_hal_can_last(0x400 + NODE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
    ASSERT_EQ_U64(ev->data[0], 9);
    /* Eco off releases every shed load at the next tick. */
    eco(0);
    fake_hal_run_ms(2000);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_HEATER));
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_POOL));
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_INVERTER));
    CU_ASSERT_FALSE(fw_state.eco.loads_limit);
    fake_hal_run_ms(1000);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_LED_YELLOW));
}

static void test_eco_restores_after_30s(void) {
    boot();
    set_limit(3000);
    eco(1);
    fake_hal_ct_power_w(1, 3500.0);
    fake_hal_ct_power_w(3, 1000.0);
    fake_hal_run_until_ms(6000);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_RELAY_HEATER));
    fake_hal_ct_power_w(1, 1500.0); /* 1500 + 1000 <= 2850 */
    fake_hal_ct_power_w(3, 0.0);
    /* Ticks from 8 s see the low value; the 15th in a row is at 36 s. */
    fake_hal_run_until_ms(35999);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_RELAY_HEATER));
    fake_hal_run_until_ms(36000);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_HEATER));
}

/* Spec §11.2: with the BMS data stale, Eco goes on from the CT data. */
static void test_eco_runs_while_bms_stale(void) {
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_SILENT, 0, 0);
    fw_init();
    set_limit(3000);
    eco(1);
    fake_hal_ct_power_w(1, 3500.0);
    fake_hal_ct_power_w(3, 1000.0);
    fake_hal_run_until_ms(6000);
    CU_ASSERT_TRUE(fw_state.bms.stale);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_RELAY_HEATER));
}

void test_register(void) {
    TEST_SUITE("fw_eco", TEST(test_consumption_definition), TEST(test_shed_order_and_delay),
               TEST(test_below_or_at_limit_resets_shed_count), TEST(test_loads_limit_warning),
               TEST(test_restore_hysteresis_reverse_order),
               TEST(test_no_restore_while_it_would_overshoot), TEST(test_limit_zero_refusals),
               TEST(test_eco_sheds_relays_and_warns), TEST(test_eco_restores_after_30s),
               TEST(test_eco_runs_while_bms_stale));
}
