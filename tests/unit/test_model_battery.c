/*
 * Battery model through its backend face: the LFP OCV curve, coulomb counting, BMS protection
 * and the published current limits.
 */
#include <math.h>

#include "battery.h"
#include "sim_types.h"
#include "test_support.h"

static battery_t *make(double soc) {
    battery_cfg_t cfg;
    battery_cfg_default(&cfg);
    cfg.soc_initial = soc;
    battery_t *b = NULL;
    ASSERT_EQ_I64(battery_create(&cfg, &b), 0);
    return b;
}

static void ocv_is_strictly_increasing(void) {
    double prev = battery_cell_ocv_v(0.0);
    int violations = 0;
    for (int i = 1; i <= 1000; i++) {
        double v = battery_cell_ocv_v(i / 1000.0);
        if (!(v > prev)) {
            violations++;
        }
        prev = v;
    }
    ASSERT_EQ_I64(violations, 0);
}

/* Typical LFP datasheet figures: 2.5 V empty, a 3.2-3.35 V plateau, 3.45-3.65 V at full. */
static void ocv_within_lfp_bounds(void) {
    ASSERT_NEAR(battery_cell_ocv_v(0.0), 2.5, 0.2);
    for (int pct = 20; pct <= 80; pct += 5) {
        double v = battery_cell_ocv_v(pct / 100.0);
        CU_ASSERT_TRUE(v >= 3.20 && v <= 3.35);
    }
    CU_ASSERT_TRUE(battery_cell_ocv_v(0.99) >= 3.40);
    CU_ASSERT_TRUE(battery_cell_ocv_v(1.0) <= 3.65);
    CU_ASSERT_TRUE(battery_cell_ocv_v(1.0) >= 3.45);
    /* Clamped outside 0..1. */
    ASSERT_NEAR(battery_cell_ocv_v(-1.0), battery_cell_ocv_v(0.0), 1e-12);
    ASSERT_NEAR(battery_cell_ocv_v(2.0), battery_cell_ocv_v(1.0), 1e-12);
}

static void pack_voltage_is_sixteen_cells(void) {
    battery_t *b = make(0.5);
    /* The spread is symmetric on a linear stretch of the curve, so the mean cell is the curve. */
    ASSERT_NEAR(battery_ocv_v(b), 16.0 * battery_cell_ocv_v(0.5), 0.01);
    ASSERT_NEAR(battery_voltage_v(b), battery_ocv_v(b), 1e-12);
    battery_destroy(b);
}

/* The pack's OCV, its top and bottom cell are bit for bit what the cells give one by one, summed
 * in cell order, whichever way the pack finds its cells' segments of the curve. */
static unsigned check_cells_at(battery_t *b, const battery_cfg_t *cfg, double soc) {
    if (battery_set_soc(b, soc) != 0) {
        return 1;
    }
    unsigned n = cfg->cells_series;
    double sum = 0.0, first = 0.0, last = 0.0;
    for (unsigned k = 0; k < n; k++) {
        double off = n == 1 ? 0.0 : cfg->cell_spread_soc * ((double)k / (double)(n - 1) - 0.5);
        double v = battery_cell_ocv_v(soc + off);
        sum += v;
        first = k == 0 ? v : first;
        last = v;
    }
    return (battery_ocv_v(b) != sum) + (battery_cell_v_min(b) != first) +
           (battery_cell_v_max(b) != last);
}

static void pack_ocv_is_its_cells_exactly(void) {
    static const double breakpoints[] = {0.0,  0.02, 0.05, 0.10, 0.20, 0.30, 0.40, 0.50,
                                         0.60, 0.70, 0.80, 0.90, 0.95, 0.98, 0.99, 1.00};
    static const struct {
        unsigned cells;
        double spread;
    } packs[] = {{16, 0.02}, {16, 0.0}, {16, 0.3}, {1, 0.02}, {2, 0.49}, {7, 0.013}};
    for (size_t p = 0; p < sizeof packs / sizeof packs[0]; p++) {
        battery_cfg_t cfg;
        battery_cfg_default(&cfg);
        cfg.cells_series = packs[p].cells;
        cfg.cell_spread_soc = packs[p].spread;
        battery_t *b = NULL;
        ASSERT_EQ_I64(battery_create(&cfg, &b), 0);
        unsigned wrong = 0;
        for (int i = 0; i <= 100000; i++) { /* up, then down: the search hint goes both ways */
            wrong += check_cells_at(b, &cfg, i / 100000.0);
        }
        for (int i = 100000; i >= 0; i -= 7) {
            wrong += check_cells_at(b, &cfg, i / 100000.0);
        }
        /* Pack SOCs that put the first or the last cell on a breakpoint or an ulp beside it. */
        for (size_t j = 0; j < sizeof breakpoints / sizeof breakpoints[0]; j++) {
            for (int side = -1; side <= 1; side += 2) {
                double soc = breakpoints[j] + side * cfg.cell_spread_soc * 0.5;
                for (int u = 0; u < 3; u++) {
                    if (soc >= 0.0 && soc <= 1.0) {
                        wrong += check_cells_at(b, &cfg, soc);
                    }
                    soc = nextafter(soc, side > 0 ? 0.0 : 1.0);
                }
            }
        }
        ASSERT_EQ_U64(wrong, 0);
        battery_destroy(b);
    }
}

static void soc_integrates_constant_current(void) {
    battery_t *b = make(0.2);
    for (int s = 0; s < 3 * 3600; s++) {
        ASSERT_NEAR(battery_step(b, 10.0, 1.0), 10.0, 0.0);
    }
    /* 10 A for 3 h into 100 Ah is 30 percentage points. */
    ASSERT_NEAR(battery_soc(b), 0.5, 1e-9);
    for (int s = 0; s < 36000; s++) {
        (void)battery_step(b, -20.0, 0.1);
    }
    ASSERT_NEAR(battery_soc(b), 0.3, 1e-9);
    ASSERT_NEAR(battery_current_a(b), -20.0, 0.0);
    /* Terminal voltage sags below OCV by I * R while discharging. */
    ASSERT_NEAR(battery_voltage_v(b), battery_ocv_v(b) - 20.0 * 0.025, 0.02);
    battery_destroy(b);
}

static void bms_cuts_charge_at_cell_limit(void) {
    battery_t *b = make(0.95);
    int steps = 0;
    while (battery_charge_enabled(b) && steps < 20000) {
        (void)battery_step(b, 90.0, 1.0);
        steps++;
    }
    CU_ASSERT_FALSE(battery_charge_enabled(b));
    CU_ASSERT_TRUE(steps > 1 && steps < 20000);
    CU_ASSERT_TRUE(battery_alarms(b) & BATTERY_ALARM_CELL_OV);
    /* The cut came when the highest cell reached 3.65 V under charge, not before. */
    CU_ASSERT_TRUE(battery_cell_v_max(b) >= 3.60);
    ASSERT_NEAR(battery_max_charge_a(b), 0.0, 0.0);
    ASSERT_NEAR(battery_step(b, 50.0, 1.0), 0.0, 0.0);
    /* Discharge stays allowed, and enough of it releases the charge cut (3.40 V hysteresis). */
    CU_ASSERT_TRUE(battery_discharge_enabled(b));
    ASSERT_NEAR(battery_step(b, -30.0, 1.0), -30.0, 0.0);
    for (int s = 0; s < 3600 && !battery_charge_enabled(b); s++) {
        (void)battery_step(b, -30.0, 1.0);
    }
    CU_ASSERT_TRUE(battery_charge_enabled(b));
    CU_ASSERT_FALSE(battery_alarms(b) & BATTERY_ALARM_CELL_OV);
    battery_destroy(b);
}

static void bms_cuts_discharge_at_cell_limit(void) {
    battery_t *b = make(0.06);
    int steps = 0;
    while (battery_discharge_enabled(b) && steps < 20000) {
        (void)battery_step(b, -80.0, 1.0);
        steps++;
    }
    CU_ASSERT_FALSE(battery_discharge_enabled(b));
    CU_ASSERT_TRUE(battery_alarms(b) & BATTERY_ALARM_CELL_UV);
    CU_ASSERT_TRUE(battery_cell_v_min(b) <= 2.55);
    ASSERT_NEAR(battery_max_discharge_a(b), 0.0, 0.0);
    ASSERT_NEAR(battery_step(b, -10.0, 1.0), 0.0, 0.0);
    CU_ASSERT_TRUE(battery_charge_enabled(b));
    ASSERT_NEAR(battery_step(b, 20.0, 1.0), 20.0, 0.0);
    battery_destroy(b);
}

static void hard_current_limit_clamps_and_alarms(void) {
    battery_t *b = make(0.5);
    ASSERT_NEAR(battery_step(b, 150.0, 1.0), 100.0, 0.0);
    CU_ASSERT_TRUE(battery_alarms(b) & BATTERY_ALARM_OC_CHG);
    ASSERT_NEAR(battery_step(b, -150.0, 1.0), -100.0, 0.0);
    CU_ASSERT_TRUE(battery_alarms(b) & BATTERY_ALARM_OC_DSG);
    (void)battery_step(b, -10.0, 1.0);
    ASSERT_EQ_U64(battery_alarms(b), 0);
    battery_destroy(b);
}

/* A charger that follows the published limit fills the pack without tripping the protection. */
static void published_limits_taper_without_tripping(void) {
    battery_t *b = make(0.9);
    ASSERT_NEAR(battery_max_charge_a(b), 100.0, 0.0);
    for (int s = 0; s < 6 * 3600; s++) {
        (void)battery_step(b, battery_max_charge_a(b), 1.0);
        CU_ASSERT_TRUE(battery_cell_v_max(b) <= 3.5501);
    }
    CU_ASSERT_TRUE(battery_charge_enabled(b));
    CU_ASSERT_TRUE(battery_soc(b) > 0.97);
    CU_ASSERT_TRUE(battery_max_charge_a(b) < 5.0);
    ASSERT_NEAR(battery_set_soc(b, 0.04), 0, 0);
    double dcl = battery_max_discharge_a(b);
    CU_ASSERT_TRUE(dcl > 0.0 && dcl < 100.0);
    for (int s = 0; s < 3600; s++) {
        (void)battery_step(b, -battery_max_discharge_a(b), 1.0);
    }
    CU_ASSERT_TRUE(battery_discharge_enabled(b));
    CU_ASSERT_TRUE(battery_cell_v_min(b) >= 2.7999);
    battery_destroy(b);
}

static void current_for_power_is_exact(void) {
    battery_t *b = make(0.5);
    const double powers[] = {2000.0, -3500.0, 0.0, 150.0};
    for (size_t i = 0; i < sizeof powers / sizeof powers[0]; i++) {
        double in0 = battery_energy_in_wh(b), out0 = battery_energy_out_wh(b);
        double amps = battery_current_for_power_a(b, powers[i]);
        ASSERT_NEAR(battery_step(b, amps, 3600.0 / 1000.0), amps, 0.0);
        /* 3.6 s is 1/1000 h: the terminal energy in mWh-scale equals the power / 1000. */
        double e = (battery_energy_in_wh(b) - in0) - (battery_energy_out_wh(b) - out0);
        ASSERT_NEAR(e * 1000.0, powers[i], 1e-6);
        ASSERT_NEAR(battery_voltage_v(b) * amps, powers[i], 1e-6);
    }
    ASSERT_NEAR(battery_max_charge_w(b), 100.0 * (battery_ocv_v(b) + 100.0 * 0.025), 1e-9);
    battery_destroy(b);
}

static void invalid_config_is_refused(void) {
    battery_cfg_t cfg;
    battery_t *b = (battery_t *)&cfg;
    battery_cfg_default(&cfg);
    cfg.capacity_ah = 0.0;
    ASSERT_EQ_I64(battery_create(&cfg, &b), -SIM_EINVAL);
    CU_ASSERT_PTR_NULL(b);
    battery_cfg_default(&cfg);
    cfg.cell_charge_release_mv = 3700;
    ASSERT_EQ_I64(battery_create(&cfg, &b), -SIM_EINVAL);
    battery_cfg_default(&cfg);
    cfg.cells_series = 0;
    ASSERT_EQ_I64(battery_create(&cfg, &b), -SIM_EINVAL);
    b = make(0.5);
    ASSERT_EQ_I64(battery_set_soc(b, 1.5), -SIM_EINVAL);
    ASSERT_NEAR(battery_soc(b), 0.5, 0.0);
    battery_destroy(b);
}

void test_register(void) {
    TEST_SUITE("model_battery", TEST(ocv_is_strictly_increasing), TEST(ocv_within_lfp_bounds),
               TEST(pack_voltage_is_sixteen_cells), TEST(pack_ocv_is_its_cells_exactly),
               TEST(soc_integrates_constant_current), TEST(bms_cuts_charge_at_cell_limit),
               TEST(bms_cuts_discharge_at_cell_limit), TEST(hard_current_limit_clamps_and_alarms),
               TEST(published_limits_taper_without_tripping), TEST(current_for_power_is_exact),
               TEST(invalid_config_is_refused));
}
