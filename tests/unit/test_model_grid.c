/*
 * Grid model: outage schedule, forced outages, voltage/frequency controls, the true meter.
 */
#include "grid.h"
#include "test_support.h"

static void outage_schedule(void) {
    grid_cfg_t cfg;
    grid_cfg_default(&cfg);
    cfg.outages[0] = (grid_outage_t){10 * SIM_NS_PER_S, 20 * SIM_NS_PER_S};
    cfg.outages[1] = (grid_outage_t){3600 * SIM_NS_PER_S, 7200 * SIM_NS_PER_S};
    cfg.n_outages = 2;
    grid_t *g = NULL;
    ASSERT_EQ_I64(grid_create(&cfg, &g), 0);
    CU_ASSERT_TRUE(grid_available(g, 10 * SIM_NS_PER_S - 1));
    CU_ASSERT_FALSE(grid_available(g, 10 * SIM_NS_PER_S));
    CU_ASSERT_FALSE(grid_available(g, 20 * SIM_NS_PER_S - 1));
    CU_ASSERT_TRUE(grid_available(g, 20 * SIM_NS_PER_S));
    CU_ASSERT_FALSE(grid_available(g, 5000 * SIM_NS_PER_S));
    ASSERT_NEAR(grid_voltage_v(g, 5000 * SIM_NS_PER_S), 0.0, 0.0);
    ASSERT_NEAR(grid_voltage_v(g, 0), 220.0, 0.0);
    grid_force_down(g, true);
    CU_ASSERT_FALSE(grid_available(g, 0));
    grid_force_down(g, false);
    CU_ASSERT_TRUE(grid_available(g, 0));
    ASSERT_EQ_I64(grid_set_voltage_v(g, 198.0), 0);
    ASSERT_NEAR(grid_voltage_v(g, 0), 198.0, 0.0);
    ASSERT_EQ_I64(grid_set_frequency_hz(g, 49.8), 0);
    ASSERT_NEAR(grid_frequency_hz(g), 49.8, 0.0);
    ASSERT_EQ_I64(grid_set_voltage_v(g, 0.0), -SIM_EINVAL);
    grid_destroy(g);
}

static void meter_integrates_exactly(void) {
    grid_cfg_t cfg;
    grid_cfg_default(&cfg);
    grid_t *g = NULL;
    ASSERT_EQ_I64(grid_create(&cfg, &g), 0);
    for (int i = 0; i < 36000; i++) {
        grid_meter_add(g, 1000.0, 100 * SIM_NS_PER_MS); /* 1 kW for 1 h */
    }
    ASSERT_EQ_I64(grid_import_mj(g), 3600000000LL);
    ASSERT_NEAR(grid_import_wh(g), 1000.0, 1e-9);
    /* 0.3 mJ per step is kept to the microjoule, not lost to rounding. */
    for (int i = 0; i < 1000; i++) {
        grid_meter_add(g, 3e-3, 100 * SIM_NS_PER_MS);
    }
    ASSERT_EQ_I64(grid_import_mj(g), 3600000300LL);
    grid_meter_add(g, -500.0, 3600 * SIM_NS_PER_S);
    ASSERT_NEAR(grid_export_wh(g), 500.0, 1e-9);
    ASSERT_EQ_I64(grid_export_mj(g), 1800000000LL);
    grid_destroy(g);
}

static void invalid_config_is_refused(void) {
    grid_cfg_t cfg;
    grid_cfg_default(&cfg);
    cfg.outages[0] = (grid_outage_t){5, 5};
    cfg.n_outages = 1;
    grid_t *g = NULL;
    ASSERT_EQ_I64(grid_create(&cfg, &g), -SIM_EINVAL);
    grid_cfg_default(&cfg);
    cfg.frequency_hz = 0.0;
    ASSERT_EQ_I64(grid_create(&cfg, &g), -SIM_EINVAL);
    CU_ASSERT_PTR_NULL(g);
}

void test_register(void) {
    TEST_SUITE("model_grid", TEST(outage_schedule), TEST(meter_integrates_exactly),
               TEST(invalid_config_is_refused));
}
