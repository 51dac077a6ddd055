/*
 * test_fw_measure.c: CT RMS, powers at 220 V, SOC from pack voltage, solar from the balance and
 * the grid-energy integral (spec §5), unit level and through the fake HAL.
 */
#include <math.h>

#include "fake_hal.h"
#include "fw_state.h"
#include "measure.h"
#include "telemetry.h"
#include "test_support.h"

#define NODE 99u /* XOR of the fake's default MAC, mod 127 */

static uint16_t buf[4096];

/* A 50 Hz sine of rms_a (nominal 50 A / 2000-count gain) around bias, quantised to 12 bits. */
static void fill_sine(uint16_t *b, unsigned n, uint32_t rate_hz, double rms_a, double bias,
                      double phase) {
    double amp = rms_a * sqrt(2.0) / fw_ct_gain_a_per_count(0);
    for (unsigned i = 0; i < n; i++) {
        double v =
            bias +
            amp * sin(2.0 * 3.14159265358979323846 * 50.0 * (double)i / (double)rate_hz + phase);
        b[i] = (uint16_t)lround(v);
    }
}

static int16_t be16(const uint8_t *p) {
    return (int16_t)(uint16_t)((p[0] << 8) | p[1]);
}

static void test_soc_boundaries(void) {
    ASSERT_EQ_U64(fw_soc_pct_from_mv(46400), 0);
    ASSERT_EQ_U64(fw_soc_pct_from_mv(46559), 0); /* truncated, not rounded */
    ASSERT_EQ_U64(fw_soc_pct_from_mv(46560), 1);
    ASSERT_EQ_U64(fw_soc_pct_from_mv(54400), 50);
    ASSERT_EQ_U64(fw_soc_pct_from_mv(62399), 99);
    ASSERT_EQ_U64(fw_soc_pct_from_mv(62400), 100);
    /* clamps: 2.8-2.9 V per cell reads 0, 3.9-4.5 V reads 100 */
    ASSERT_EQ_U64(fw_soc_pct_from_mv(44800), 0);
    ASSERT_EQ_U64(fw_soc_pct_from_mv(72000), 100);
    ASSERT_EQ_U64(fw_soc_pct_from_mv(0), 0);
}

static void test_power_at_220v(void) {
    ASSERT_EQ_I64(fw_power_w_from_ma(10000), 2200);
    ASSERT_EQ_I64(fw_power_w_from_ma(50000), 11000);
    ASSERT_EQ_I64(fw_power_w_from_ma(0), 0);
    ASSERT_EQ_I64(fw_power_w_from_ma(1), 0);
    ASSERT_EQ_I64(fw_power_w_from_ma(3), 1);           /* 0.66 W rounds to 1 */
    ASSERT_EQ_I64(fw_batt_power_w(540, 1000), 540);    /* 54.0 V x 10 A */
    ASSERT_EQ_I64(fw_batt_power_w(540, -250), -135);   /* discharging, 2.5 A */
    ASSERT_EQ_I64(fw_batt_power_w(624, 30000), 18720); /* 300 A at 62.4 V */
}

static void test_solar_balance(void) {
    ASSERT_EQ_I64(fw_solar_w(1000, 200, 500), 1300); /* charging: (home + batt) - grid */
    ASSERT_EQ_I64(fw_solar_w(1000, 200, -300), 500); /* discharging: home - grid - |batt| */
    ASSERT_EQ_I64(fw_solar_w(1000, 200, 0), 800);    /* idle: home - grid */
    ASSERT_EQ_I64(fw_solar_w(100, 500, 0), 0);       /* never negative */
    ASSERT_EQ_I64(fw_solar_w(0, 0, -2000), 0);
}

static void test_energy_units(void) {
    uint64_t e = 0;
    for (unsigned i = 0; i < 1800; i++) {
        e = fw_energy_add_wms(e, 1000, 2000); /* 1000 W for 1 h in 2 s steps */
    }
    ASSERT_EQ_U64(fw_energy_centi_kwh(e), 100); /* 1.00 kWh, not 1000 */
    ASSERT_EQ_U64(fw_energy_add_wms(e, -500, 2000), e);
    ASSERT_EQ_U64(fw_energy_centi_kwh(UINT64_MAX / 2u), 65535);
}

static void test_ct_rms_sines_within_1pct(void) {
    static const double amps[] = {1.0, 5.0, 12.5, 25.0, 50.0};
    static const uint32_t rates[] = {1000, 2000, 4000};
    for (unsigned r = 0; r < 3; r++) {
        unsigned n = rates[r] / 5u; /* 200 ms */
        for (unsigned a = 0; a < sizeof amps / sizeof amps[0]; a++) {
            fill_sine(buf, n, rates[r], amps[a], 2048.0 + (double)a * 13.0, 0.1 * a);
            int32_t ma = fw_ct_rms_ma(buf, (uint16_t)n, rates[r], fw_ct_gain_a_per_count(0));
            ASSERT_NEAR(ma, amps[a] * 1000.0, amps[a] * 10.0);
        }
    }
}

static void test_ct_bias_is_window_mean(void) {
    fill_sine(buf, 400, 2000, 10.0, 1900.0, 0.0);
    int32_t low = fw_ct_rms_ma(buf, 400, 2000, fw_ct_gain_a_per_count(1));
    fill_sine(buf, 400, 2000, 10.0, 2200.0, 0.0);
    int32_t high = fw_ct_rms_ma(buf, 400, 2000, fw_ct_gain_a_per_count(1));
    ASSERT_NEAR(low, 10000, 100);
    ASSERT_NEAR(high, 10000, 100);
}

static void test_ct_deadband(void) {
    fill_sine(buf, 400, 2000, 0.15, 2048.0, 0.0);
    ASSERT_EQ_I64(fw_ct_rms_ma(buf, 400, 2000, fw_ct_gain_a_per_count(2)), 0);
    fill_sine(buf, 400, 2000, 0.3, 2048.0, 0.0);
    ASSERT_NEAR(fw_ct_rms_ma(buf, 400, 2000, fw_ct_gain_a_per_count(2)), 300, 15);
    for (unsigned i = 0; i < 400; i++) {
        buf[i] = 2048; /* no current at all */
    }
    ASSERT_EQ_I64(fw_ct_rms_ma(buf, 400, 2000, fw_ct_gain_a_per_count(2)), 0);
    ASSERT_EQ_I64(fw_ct_rms_ma(buf, 0, 2000, fw_ct_gain_a_per_count(2)), 0);
}

static void test_ct_uses_whole_cycles(void) {
    /* 430 samples = 10.75 cycles: only the first 400 (10 cycles) may count. */
    fill_sine(buf, 430, 2000, 20.0, 2048.0, 0.7);
    int32_t whole = fw_ct_rms_ma(buf, 400, 2000, fw_ct_gain_a_per_count(0));
    ASSERT_EQ_I64(fw_ct_rms_ma(buf, 430, 2000, fw_ct_gain_a_per_count(0)), whole);
    /* A partial-cycle window would have biased the mean: check the prefix really matters. */
    for (unsigned i = 400; i < 430; i++) {
        buf[i] = 4095;
    }
    ASSERT_EQ_I64(fw_ct_rms_ma(buf, 430, 2000, fw_ct_gain_a_per_count(0)), whole);
}

static void test_full_scale_fits_adc(void) {
    /* The documented front end: 50 A RMS swings about 2000 counts around 2048, inside 0..4095. */
    fill_sine(buf, 400, 2000, 50.0, 2048.0, 0.0);
    uint16_t lo = 4095, hi = 0;
    for (unsigned i = 0; i < 400; i++) {
        lo = buf[i] < lo ? buf[i] : lo;
        hi = buf[i] > hi ? buf[i] : hi;
    }
    CU_ASSERT_TRUE(lo >= 40 && hi <= 4056);
    ASSERT_NEAR(hi - 2048, 2000, 2);
}

static void boot(void) {
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_OK, 540, 1000); /* 54.0 V, +10 A */
    fw_init();
}

static void test_burst_window_ends_before_tick(void) {
    boot();
    fake_hal_run_until_ms(1749);
    ASSERT_EQ_U64(fake_hal_adc_bursts(), 0);
    fake_hal_run_until_ms(1750);
    ASSERT_EQ_U64(fake_hal_adc_bursts(), 1);
    const hal_adc_burst_cfg_t *cfg = fake_hal_adc_last_cfg();
    CU_ASSERT_TRUE(cfg->sample_rate_hz >= 1000u);
    ASSERT_EQ_U64(cfg->channel_mask, 0x0F);
    uint64_t window_us = (uint64_t)cfg->samples_per_channel * 1000000u / cfg->sample_rate_hz;
    ASSERT_EQ_U64(window_us, 200000); /* 10 mains cycles */
    CU_ASSERT_TRUE(fake_hal_adc_last_start_us() + window_us < 2000000u);
    fake_hal_run_until_ms(3750);
    ASSERT_EQ_U64(fake_hal_adc_bursts(), 2);
}

static void test_tick_publishes_powers(void) {
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_OK, 540, 1000);
    fake_hal_adc_sine(0, 5.0, 2048.0);  /* grid 1100 W */
    fake_hal_adc_sine(1, 10.0, 2040.0); /* home 2200 W */
    fake_hal_adc_sine(2, 2.0, 2056.0);  /* pool 440 W */
    fake_hal_adc_sine(3, 3.0, 2048.0);  /* heater 660 W */
    fw_init();
    fake_hal_run_until_ms(2000);
    const hal_can_frame_t *p1 = fake_hal_can_last_tel(NODE, 1);
    const hal_can_frame_t *p2 = fake_hal_can_last_tel(NODE, 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p2);
    ASSERT_NEAR(be16(&p1->data[1]), 1100, 11);
    ASSERT_NEAR(be16(&p1->data[3]), 2200, 22);
    ASSERT_EQ_I64(be16(&p1->data[5]), 540);
    /* P_solar = home - grid + batt, from the same tick's values */
    ASSERT_EQ_I64(be16(&p2->data[1]), fw_state.home_w - fw_state.grid_w + 540);
    ASSERT_NEAR(be16(&p2->data[1]), 1640, 40);
    ASSERT_NEAR(be16(&p2->data[3]), 440, 5);
    ASSERT_NEAR(be16(&p2->data[5]), 660, 7);
    ASSERT_EQ_U64(p1->data[7], 0); /* reserved bytes are 0 */
    ASSERT_EQ_U64(p2->data[7], 0);
}

static void test_grid_energy_uses_measured_dt(void) {
    boot();
    fake_hal_adc_sine(0, 1000.0 / 22.0, 2048.0); /* ~10 kW from the grid */
    fake_hal_run_until_ms(4000);
    int32_t p = fw_state.grid_w;
    ASSERT_NEAR(p, 10000, 100);
    uint64_t e0 = fw_state.grid.energy_wms;
    /* A late tick: 7 s instead of 2 s. The energy must follow the real gap. */
    hal_timer_stop(0);
    fake_hal_run_ms(7000);
    fw_on_timer(0);
    ASSERT_EQ_U64(fw_state.last_dt_ms, 7000);
    ASSERT_EQ_U64(fw_state.grid.energy_wms - e0, (uint64_t)fw_state.grid_w * 7000u);
}

static void test_soc_from_bms_voltage(void) {
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_OK, 544, 0); /* 54.4 V = 50 % */
    fw_init();
    const hal_can_frame_t *p0 = fake_hal_can_last_tel(NODE, 0);
    ASSERT_EQ_U64(p0->data[1], 0xFF); /* no BMS frame yet at the first tick */
    fake_hal_run_until_ms(2000);
    p0 = fake_hal_can_last_tel(NODE, 0);
    ASSERT_EQ_U64(p0->data[1], 50);
    ASSERT_EQ_U64((p0->data[2] << 8) | p0->data[3], 544);
    /* The poll started at a tick is taken at the next one: one tick of latency. */
    fake_hal_bms(FAKE_BMS_OK, 624, 0);
    fake_hal_run_until_ms(4000);
    ASSERT_EQ_U64(fake_hal_can_last_tel(NODE, 0)->data[1], 50);
    fake_hal_run_until_ms(6000);
    ASSERT_EQ_U64(fake_hal_can_last_tel(NODE, 0)->data[1], 100);
}

void test_register(void) {
    TEST_SUITE("fw_measure", TEST(test_soc_boundaries), TEST(test_power_at_220v),
               TEST(test_solar_balance), TEST(test_energy_units),
               TEST(test_ct_rms_sines_within_1pct), TEST(test_ct_bias_is_window_mean),
               TEST(test_ct_deadband), TEST(test_ct_uses_whole_cycles),
               TEST(test_full_scale_fits_adc), TEST(test_burst_window_ends_before_tick),
               TEST(test_tick_publishes_powers), TEST(test_grid_energy_uses_measured_dt),
               TEST(test_soc_from_bms_voltage));
}
