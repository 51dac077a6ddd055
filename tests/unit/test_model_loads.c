/*
 * Loads: the home profile (interpolation, wrap, CSV), the pool pump timer, and the water
 * heater's thermostat and tank temperature.
 */
#include "home_load.h"
#include "pool_pump.h"
#include "sim_types.h"
#include "test_support.h"
#include "water_heater.h"

static void profile_interpolates_and_wraps(void) {
    const home_load_point_t pts[] = {{3600, 100.0}, {7200, 300.0}, {82800, 500.0}};
    home_load_cfg_t cfg = {.points = pts, .n_points = 3, .scale = 2.0};
    home_load_t *h = NULL;
    ASSERT_EQ_I64(home_load_create(&cfg, &h), 0);
    ASSERT_NEAR(home_load_power_w(h, 3600.0), 200.0, 1e-9);
    ASSERT_NEAR(home_load_power_w(h, 5400.0), 400.0, 1e-9);
    /* 23:00 (1000 W scaled) wraps to 01:00 next day (200 W): midnight is halfway. */
    ASSERT_NEAR(home_load_power_w(h, 0.0), 600.0, 1e-9);
    ASSERT_NEAR(home_load_power_w(h, 86399.0), 600.0 + 800.0 / 7200.0, 1e-9);
    /* Trapezoids: 1 h at 300 avg, 21.0 h at 800 avg, 2 h at 600 avg (scaled x2, in W). */
    ASSERT_NEAR(home_load_daily_wh(h), 2.0 * (200.0 + 21.0 * 400.0 + 2.0 * 300.0), 1e-6);
    home_load_destroy(h);
}

static void default_profile_is_a_household(void) {
    home_load_cfg_t cfg;
    home_load_cfg_default(&cfg);
    home_load_t *h = NULL;
    ASSERT_EQ_I64(home_load_create(&cfg, &h), 0);
    double wh = home_load_daily_wh(h);
    CU_ASSERT_TRUE(wh > 10000.0 && wh < 20000.0);
    CU_ASSERT_TRUE(home_load_power_w(h, 20 * 3600.0) > home_load_power_w(h, 3 * 3600.0));
    home_load_destroy(h);
}

static void csv_profiles(void) {
    home_load_point_t pts[8];
    size_t n = 0;
    unsigned bad = 0;
    const char *ok = "t_s,power_w\r\n# night\n0,250\n\n21600, 800.5\r\n64800,1200\n";
    ASSERT_EQ_I64(home_load_parse_csv(ok, pts, 8, &n, &bad), 0);
    ASSERT_EQ_U64(n, 3);
    ASSERT_EQ_U64(pts[1].t_s, 21600);
    ASSERT_NEAR(pts[1].power_w, 800.5, 0.0);
    ASSERT_EQ_I64(home_load_parse_csv("0,100\n50,abc\n", pts, 8, &n, &bad), -SIM_EFORMAT);
    ASSERT_EQ_U64(bad, 2);
    ASSERT_EQ_I64(home_load_parse_csv("0,100\n0,200\n", pts, 8, &n, &bad), -SIM_EFORMAT);
    ASSERT_EQ_U64(bad, 2); /* not increasing */
    ASSERT_EQ_I64(home_load_parse_csv("0,1\n1,1\n2,1\n", pts, 2, &n, &bad), -SIM_ERANGE);
    ASSERT_EQ_I64(home_load_parse_csv("86400,1\n", pts, 8, &n, &bad), -SIM_EFORMAT);
    /* A byte order mark before a data line: the first point is data, not a header to skip. */
    const char *bom = "\xEF\xBB\xBF"
                      "0,250\n3600,300\n";
    ASSERT_EQ_I64(home_load_parse_csv(bom, pts, 8, &n, &bad), 0);
    ASSERT_EQ_U64(n, 2);
    ASSERT_NEAR(pts[0].power_w, 250.0, 0.0);
    /* The header is the first line that is not a comment or blank. */
    ASSERT_EQ_I64(home_load_parse_csv("# meter 7\n\nt_s,power_w\n0,250\n", pts, 8, &n, &bad), 0);
    ASSERT_EQ_U64(n, 1);
    /* A first line that starts like a number is a bad point, not a header. */
    ASSERT_EQ_I64(home_load_parse_csv("0;250\n3600,300\n", pts, 8, &n, &bad), -SIM_EFORMAT);
    ASSERT_EQ_U64(bad, 1);
    ASSERT_EQ_I64(home_load_parse_csv("t_s,power_w\n# none\n", pts, 8, &n, &bad), -SIM_EFORMAT);
    ASSERT_EQ_U64(bad, 0); /* no point at all */
}

static void pool_pump_timer(void) {
    pool_pump_cfg_t cfg;
    pool_pump_cfg_default(&cfg);
    cfg.windows[1] = (pool_pump_window_t){22 * 60, 2 * 60}; /* over midnight */
    cfg.n_windows = 2;
    pool_pump_t *p = NULL;
    ASSERT_EQ_I64(pool_pump_create(&cfg, &p), 0);
    CU_ASSERT_FALSE(pool_pump_scheduled(p, 9 * 60 + 59));
    CU_ASSERT_TRUE(pool_pump_scheduled(p, 10 * 60));
    CU_ASSERT_FALSE(pool_pump_scheduled(p, 16 * 60));
    CU_ASSERT_TRUE(pool_pump_scheduled(p, 23 * 60));
    CU_ASSERT_TRUE(pool_pump_scheduled(p, 60));
    ASSERT_NEAR(pool_pump_update(p, 11 * 60, true), 750.0, 0.0);
    ASSERT_NEAR(pool_pump_update(p, 11 * 60, false), 0.0, 0.0); /* supply cut by R3 */
    ASSERT_NEAR(pool_pump_update(p, 11 * 60, true), 750.0, 0.0);
    ASSERT_EQ_U64(pool_pump_starts(p), 2);
    CU_ASSERT_TRUE(pool_pump_running(p));
    pool_pump_destroy(p);
    cfg.windows[0].end_min = 1440;
    ASSERT_EQ_I64(pool_pump_create(&cfg, &p), -SIM_EINVAL);
}

static void heater_thermostat_cycle(void) {
    water_heater_cfg_t cfg;
    water_heater_cfg_default(&cfg);
    cfg.n_draws = 0;
    cfg.loss_w_per_k = 0.0;
    cfg.initial_c = 40.0;
    water_heater_t *w = NULL;
    ASSERT_EQ_I64(water_heater_create(&cfg, &w), 0);
    CU_ASSERT_TRUE(water_heater_thermostat(w));
    ASSERT_NEAR(water_heater_demand_w(w), 2000.0, 0.0);
    /* 2 kW into 100 l: 20 K takes 100 * 4186 * 20 / 2000 = 4186 s. */
    int s = 0;
    while (water_heater_thermostat(w) && s < 10000) {
        water_heater_step(w, water_heater_demand_w(w), 0, 1.0);
        s++;
    }
    ASSERT_NEAR(s, 4186, 1);
    ASSERT_NEAR(water_heater_temp_c(w), 60.0, 0.01);
    /* No heat delivered (supply cut): the tank only cools through a draw. */
    water_heater_destroy(w);
    water_heater_cfg_default(&cfg);
    cfg.initial_c = 60.0;
    ASSERT_EQ_I64(water_heater_create(&cfg, &w), 0);
    CU_ASSERT_FALSE(water_heater_thermostat(w));
    for (int i = 0; i < 15 * 60; i++) { /* 06:30-06:45 showers at 6 l/min */
        water_heater_step(w, 0.0, 6 * 60 + 30 + (uint32_t)(i / 60), 1.0);
    }
    ASSERT_NEAR(water_heater_drawn_l(w), 90.0, 1e-6);
    CU_ASSERT_TRUE(water_heater_temp_c(w) < 40.0);
    CU_ASSERT_TRUE(water_heater_thermostat(w));
    water_heater_destroy(w);
}

static void heater_standing_loss(void) {
    water_heater_cfg_t cfg;
    water_heater_cfg_default(&cfg);
    cfg.n_draws = 0;
    cfg.initial_c = 58.0;
    water_heater_t *w = NULL;
    ASSERT_EQ_I64(water_heater_create(&cfg, &w), 0);
    water_heater_step(w, 0.0, 0, 3600.0);
    /* 1.6 W/K * 33 K for an hour out of 418.6 kJ/K: 0.454 K. */
    ASSERT_NEAR(water_heater_temp_c(w), 58.0 - 1.6 * 33.0 * 3600.0 / 418600.0, 1e-9);
    water_heater_destroy(w);
}

/* A profile change replaces the curve; an invalid one leaves the old curve in place. */
static void profile_can_be_replaced(void) {
    const home_load_point_t a[] = {{0, 100.0}};
    const home_load_point_t b[] = {{0, 300.0}, {43200, 500.0}};
    const home_load_point_t bad[] = {{5, 1.0}, {5, 2.0}};
    home_load_cfg_t cfg = {.points = a, .n_points = 1, .scale = 1.0};
    home_load_t *h = NULL;
    ASSERT_EQ_I64(home_load_create(&cfg, &h), 0);
    ASSERT_NEAR(home_load_power_w(h, 600.0), 100.0, 1e-9);
    home_load_cfg_t next = {.points = b, .n_points = 2, .scale = 2.0};
    ASSERT_EQ_I64(home_load_set_profile(h, &next), 0);
    ASSERT_NEAR(home_load_power_w(h, 0.0), 600.0, 1e-9);
    ASSERT_NEAR(home_load_power_w(h, 43200.0), 1000.0, 1e-9);
    home_load_cfg_t broken = {.points = bad, .n_points = 2, .scale = 1.0};
    ASSERT_EQ_I64(home_load_set_profile(h, &broken), -SIM_EINVAL);
    ASSERT_NEAR(home_load_power_w(h, 43200.0), 1000.0, 1e-9);
    home_load_destroy(h);
}

void test_register(void) {
    TEST_SUITE("model_loads", TEST(profile_interpolates_and_wraps),
               TEST(default_profile_is_a_household), TEST(csv_profiles), TEST(pool_pump_timer),
               TEST(heater_thermostat_cycle), TEST(heater_standing_loss),
               TEST(profile_can_be_replaced));
}
