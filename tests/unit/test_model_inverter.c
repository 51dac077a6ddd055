/*
 * Hybrid inverter dispatch: priorities (PV, battery, grid), limits, the output relay, grid
 * charging hysteresis, and the DC/AC/energy balances on random inputs.
 */
#include "inverter.h"
#include "sim_prng.h"
#include "sim_types.h"
#include "test_support.h"

static inverter_t *make(void) {
    inverter_cfg_t cfg;
    inverter_cfg_default(&cfg);
    inverter_t *inv = NULL;
    ASSERT_EQ_I64(inverter_create(&cfg, &inv), 0);
    return inv;
}

static inverter_in_t input(double pv, double home, bool grid, double soc) {
    return (inverter_in_t){.pv_avail_w = pv,
                           .home_demand_w = home,
                           .grid_connected = grid,
                           .output_connected = true,
                           .batt_charge_w_max = 4000.0,
                           .batt_discharge_w_max = 4000.0,
                           .soc = soc};
}

static void assert_balanced(const inverter_flows_t *f) {
    ASSERT_NEAR(f->dc_residual_w, 0.0, 1e-9);
    ASSERT_NEAR(f->ac_residual_w, 0.0, 1e-9);
    ASSERT_NEAR(f->energy_residual_w, 0.0, 1e-9);
}

static void pv_serves_home_then_battery(void) {
    inverter_t *inv = make();
    inverter_in_t in = input(3000.0, 950.0, true, 0.5);
    inverter_flows_t f;
    inverter_dispatch(inv, &in, &f);
    ASSERT_NEAR(f.pv_to_ac_dc_w, 1000.0, 1e-9); /* 950 W AC at 95 % */
    ASSERT_NEAR(f.pv_to_batt_dc_w, 2000.0, 1e-9);
    ASSERT_NEAR(f.batt_dc_w, 1960.0, 1e-9); /* 98 % DC charger */
    ASSERT_NEAR(f.home_served_w, 950.0, 1e-9);
    ASSERT_NEAR(f.grid_import_w, 0.0, 0.0);
    ASSERT_NEAR(f.loss_w, 50.0 + 40.0, 1e-9);
    assert_balanced(&f);
    /* A full battery (no charge room): the surplus is curtailed, never exported. */
    in.batt_charge_w_max = 0.0;
    inverter_dispatch(inv, &in, &f);
    ASSERT_NEAR(f.pv_curtailed_w, 2000.0, 1e-9);
    ASSERT_NEAR(f.pv_used_w, 1000.0, 1e-9);
    assert_balanced(&f);
    inverter_destroy(inv);
}

static void battery_then_grid_at_night(void) {
    inverter_t *inv = make();
    inverter_in_t in = input(0.0, 1900.0, true, 0.5);
    inverter_flows_t f;
    inverter_dispatch(inv, &in, &f);
    ASSERT_NEAR(f.batt_dc_w, -2000.0, 1e-9);
    ASSERT_NEAR(f.grid_import_w, 0.0, 0.0);
    /* At the reserve, with the grid there, the grid takes over. */
    in.soc = 0.20;
    inverter_dispatch(inv, &in, &f);
    ASSERT_NEAR(f.batt_dc_w, 0.0, 0.0);
    ASSERT_NEAR(f.grid_to_home_w, 1900.0, 1e-9);
    /* Without the grid the reserve is used, down to what the BMS allows. */
    in.grid_connected = false;
    in.batt_discharge_w_max = 1000.0;
    inverter_dispatch(inv, &in, &f);
    ASSERT_NEAR(f.batt_dc_w, -1000.0, 1e-9);
    ASSERT_NEAR(f.home_served_w, 950.0, 1e-9);
    ASSERT_NEAR(f.home_unserved_w, 950.0, 1e-9);
    assert_balanced(&f);
    inverter_destroy(inv);
}

static void output_relay_open_stops_the_home(void) {
    inverter_t *inv = make();
    inverter_in_t in = input(2000.0, 800.0, true, 0.5);
    in.output_connected = false;
    inverter_flows_t f;
    inverter_dispatch(inv, &in, &f);
    ASSERT_NEAR(f.home_served_w, 0.0, 0.0);
    ASSERT_NEAR(f.home_unserved_w, 800.0, 1e-9);
    ASSERT_NEAR(f.grid_to_home_w, 0.0, 0.0);
    ASSERT_NEAR(f.pv_to_batt_dc_w, 2000.0, 1e-9); /* PV still charges */
    assert_balanced(&f);
    inverter_destroy(inv);
}

static void ac_limit_sends_rest_to_grid(void) {
    inverter_t *inv = make();
    inverter_in_t in = input(0.0, 8000.0, true, 0.8);
    in.batt_discharge_w_max = 9000.0;
    inverter_flows_t f;
    inverter_dispatch(inv, &in, &f);
    ASSERT_NEAR(f.inverter_ac_w, 4750.0, 1e-9); /* discharge_w_max 5000 W DC at 95 % */
    ASSERT_NEAR(f.grid_to_home_w, 3250.0, 1e-9);
    assert_balanced(&f);
    inverter_destroy(inv);
}

static void grid_charging_hysteresis(void) {
    inverter_t *inv = make();
    inverter_in_t in = input(0.0, 0.0, true, 0.16);
    inverter_flows_t f;
    inverter_dispatch(inv, &in, &f);
    CU_ASSERT_FALSE(inverter_grid_charging(inv));
    in.soc = 0.15;
    inverter_dispatch(inv, &in, &f);
    CU_ASSERT_TRUE(inverter_grid_charging(inv));
    ASSERT_NEAR(f.grid_to_batt_w, 1500.0, 1e-9);
    ASSERT_NEAR(f.batt_dc_w, 1380.0, 1e-9);
    in.soc = 0.24;
    inverter_dispatch(inv, &in, &f);
    ASSERT_NEAR(f.grid_to_batt_w, 1500.0, 1e-9);
    in.grid_connected = false; /* R1 open: nothing from the grid, state kept */
    inverter_dispatch(inv, &in, &f);
    ASSERT_NEAR(f.grid_to_batt_w, 0.0, 0.0);
    CU_ASSERT_TRUE(inverter_grid_charging(inv));
    in.grid_connected = true;
    in.soc = 0.25;
    inverter_dispatch(inv, &in, &f);
    CU_ASSERT_FALSE(inverter_grid_charging(inv));
    ASSERT_NEAR(f.grid_to_batt_w, 0.0, 0.0);
    inverter_destroy(inv);
}

/* While the grid charges the battery, the grid also covers the home: no grid energy passes
 * through the battery on its way to the home, and a home above the charge power cannot drain
 * the pack back to the reserve, so charging reaches the stop SOC and ends. */
static void grid_covers_home_while_charging(void) {
    inverter_t *inv = make();
    inverter_in_t in = input(0.0, 2000.0, true, 0.15);
    inverter_flows_t f;
    inverter_dispatch(inv, &in, &f);
    CU_ASSERT_TRUE(inverter_grid_charging(inv));
    in.soc = 0.22; /* above the reserve, below the stop SOC */
    inverter_dispatch(inv, &in, &f);
    ASSERT_NEAR(f.batt_to_ac_dc_w, 0.0, 0.0);
    ASSERT_NEAR(f.grid_to_home_w, 2000.0, 1e-9);
    ASSERT_NEAR(f.grid_to_batt_w, 1500.0, 1e-9);
    ASSERT_NEAR(f.batt_dc_w, 1380.0, 1e-9);
    assert_balanced(&f);
    inverter_destroy(inv);

    /* Closed loop: a 5 kWh pack from 15 % under a 2 kW home, one-minute steps. */
    inv = make();
    in = input(0.0, 2000.0, true, 0.15);
    const double capacity_wh = 5000.0, dt_h = 1.0 / 60.0;
    unsigned steps = 0;
    bool reached_stop = false;
    for (; steps < 24 * 60 && !reached_stop; steps++) {
        inverter_dispatch(inv, &in, &f);
        assert_balanced(&f);
        reached_stop = !inverter_grid_charging(inv) && in.soc >= 0.25;
        in.soc += f.batt_dc_w * dt_h / capacity_wh;
    }
    CU_ASSERT_TRUE(reached_stop);
    /* 500 Wh at 1380 W into the pack: 22 minutes, and the step that sees 25 % ends it. */
    CU_ASSERT_TRUE(steps <= 24);
    inverter_destroy(inv);
}

/* Random inputs: every flow non-negative, limits respected, all balances closed. */
static void balances_close_on_random_inputs(void) {
    inverter_t *inv = make();
    sim_prng_t p;
    sim_prng_init(&p, 7, sim_prng_stream_id("inverter.test"));
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        /* One draw per statement: argument evaluation order is unspecified in C. */
        double pv = 8000.0 * sim_prng_unit(&p);
        double home = 12000.0 * sim_prng_unit(&p);
        bool grid = sim_prng_chance(&p, 1, 2);
        inverter_in_t in = input(pv, home, grid, sim_prng_unit(&p));
        in.output_connected = sim_prng_chance(&p, 3, 4);
        in.batt_charge_w_max = 6000.0 * sim_prng_unit(&p);
        in.batt_discharge_w_max = 6000.0 * sim_prng_unit(&p);
        inverter_flows_t f;
        inverter_dispatch(inv, &in, &f);
        double e = f.energy_residual_w < 0 ? -f.energy_residual_w : f.energy_residual_w;
        bad += e > 1e-9 || f.pv_used_w < 0.0 || f.grid_import_w < 0.0 || f.loss_w < 0.0 ||
               f.batt_dc_w > in.batt_charge_w_max + 1e-9 ||
               -f.batt_dc_w > in.batt_discharge_w_max + 1e-9 ||
               f.pv_used_w > in.pv_avail_w + 1e-9 ||
               f.home_served_w + f.home_unserved_w > in.home_demand_w + 1e-9 ||
               f.home_served_w + f.home_unserved_w < in.home_demand_w - 1e-9;
    }
    ASSERT_EQ_I64(bad, 0);
    inverter_destroy(inv);
}

static void invalid_config_is_refused(void) {
    inverter_cfg_t cfg;
    inverter_cfg_default(&cfg);
    cfg.eta_inverter = 1.2;
    inverter_t *inv = NULL;
    ASSERT_EQ_I64(inverter_create(&cfg, &inv), -SIM_EINVAL);
    inverter_cfg_default(&cfg);
    cfg.grid_charge_stop_soc = cfg.grid_charge_start_soc;
    ASSERT_EQ_I64(inverter_create(&cfg, &inv), -SIM_EINVAL);
    CU_ASSERT_PTR_NULL(inv);
}

void test_register(void) {
    TEST_SUITE("model_inverter", TEST(pv_serves_home_then_battery),
               TEST(battery_then_grid_at_night), TEST(output_relay_open_stops_the_home),
               TEST(ac_limit_sends_rest_to_grid), TEST(grid_charging_hysteresis),
               TEST(grid_covers_home_while_charging), TEST(balances_close_on_random_inputs),
               TEST(invalid_config_is_refused));
}
