/*
 * One pack over a simulated day through the physics-step driver: the energy balance over PV,
 * loads, battery and grid closes within 0.1 %, the day is plausible (charging by day,
 * discharging at night, grid import when the relay allows), and a firmware-style CT estimate of
 * the grid energy (200 ms burst every 2 s, I * 220 V, spec §5.1 and §5.5) is within 3 % of the
 * true meter.
 */
#include <math.h>

#include "pack_plant.h"
#include "sim_kernel.h"
#include "test_support.h"

typedef struct {
    pack_plant_t *plant;
    double est_wh;       /* the firmware-style estimate */
    double soc_at_h[25]; /* SOC at each whole hour */
    double grid_w_at_h[25];
    sim_time_ns_t last_tick_ns;
} day_t;

/* The firmware's measurement (spec §5.1): RMS of a 10-cycle window, bias = window mean, nominal
 * gain, 0.2 A noise floor, P = I * 220 V, integrated with the measured dt. */
static void firmware_tick(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)arg;
    day_t *d = ctx;
    sim_time_ns_t now = sim_kernel_now(k);
    uint16_t s[200];
    ct_sensor_fill_burst(pack_plant_ct(d->plant, PACK_CT_GRID), now - 200 * SIM_NS_PER_MS, 1000,
                         200, s);
    double mean = 0.0, acc = 0.0;
    for (int i = 0; i < 200; i++) {
        mean += s[i];
    }
    mean /= 200.0;
    for (int i = 0; i < 200; i++) {
        acc += (s[i] - mean) * (s[i] - mean);
    }
    double amps = 50.0 * sqrt(2.0) / 2000.0 * sqrt(acc / 200.0);
    amps = amps < 0.2 ? 0.0 : amps;
    d->est_wh += amps * 220.0 * (double)(now - d->last_tick_ns) / 1e9 / 3600.0;
    d->last_tick_ns = now;
    (void)sim_kernel_schedule_in(k, 2 * SIM_NS_PER_S, SIM_PRIO_FIRMWARE, firmware_tick, d, 0);
}

static void on_step(void *ctx, const pack_plant_t *p, sim_time_ns_t t_ns) {
    day_t *d = ctx;
    if (t_ns % (3600 * SIM_NS_PER_S) == 0) {
        pack_plant_snapshot_t s;
        pack_plant_snapshot(p, &s);
        d->soc_at_h[t_ns / (3600 * SIM_NS_PER_S)] = s.soc_permille / 1000.0;
        d->grid_w_at_h[t_ns / (3600 * SIM_NS_PER_S)] = s.p_grid_w;
    }
}

static void run_day(day_t *d, sim_kernel_t *k) {
    pack_plant_cfg_t cfg;
    pack_plant_cfg_default(&cfg);
    cfg.name = "pack1";
    cfg.battery.soc_initial = 0.45;
    cfg.on_step = on_step;
    cfg.on_step_ctx = d;
    ASSERT_EQ_I64(pack_plant_create(k, &cfg, &d->plant), 0);
    for (unsigned r = 0; r < PACK_RELAYS; r++) {
        relay_drive(pack_plant_relay(d->plant, r), true, 0); /* firmware default: CONNECTED */
    }
    ASSERT_EQ_I64(pack_plant_start(d->plant), 0);
    ASSERT_EQ_I64(pack_plant_start(d->plant), -SIM_EBUSY);
    d->last_tick_ns = 0;
    (void)sim_kernel_schedule_in(k, 2 * SIM_NS_PER_S, SIM_PRIO_FIRMWARE, firmware_tick, d, 0);
    ASSERT_EQ_I64(sim_kernel_run_until(k, 24 * 3600 * SIM_NS_PER_S), 0);
}

static void day_balance_and_plausibility(void) {
    sim_kernel_t *k = NULL;
    ASSERT_EQ_I64(sim_kernel_create(1, &k), 0);
    day_t d = {0};
    run_day(&d, k);
    pack_plant_totals_t t;
    pack_plant_totals(d.plant, &t);
    ASSERT_EQ_U64(t.steps, 864001); /* steps at 0 .. 24 h inclusive */
    /* Energy balance over the day: sources = sinks within 0.1 % of the throughput. */
    double in = t.pv_used_wh + t.grid_import_wh;
    double out = t.home_served_wh + (t.batt_in_wh - t.batt_out_wh) + t.loss_wh;
    ASSERT_NEAR(in, out, 0.001 * in);
    CU_ASSERT_TRUE(t.max_step_residual_w < 1e-6);
    /* Plausible day: PV in the order of 4-6 kWh/kWp, the home mostly served. */
    CU_ASSERT_TRUE(t.pv_used_wh > 8000.0 && t.pv_used_wh < 30000.0);
    CU_ASSERT_TRUE(t.home_unserved_wh < 1.0);
    CU_ASSERT_TRUE(d.soc_at_h[15] > d.soc_at_h[8] + 0.2);  /* charging by day */
    CU_ASSERT_TRUE(d.soc_at_h[23] < d.soc_at_h[18] - 0.1); /* discharging at night */
    CU_ASSERT_TRUE(d.grid_w_at_h[12] < 1.0);               /* no import at noon */
    CU_ASSERT_TRUE(t.grid_import_wh > 500.0);              /* the reserve hands over at night */
    /* The CT estimate the firmware would make, against the true meter. */
    ASSERT_NEAR(d.est_wh, t.grid_import_wh, 0.03 * t.grid_import_wh);
    pack_plant_destroy(d.plant);
    sim_kernel_destroy(k);
}

/* R1 open all day: nothing is imported, whatever the battery does; the meter stays at 0. */
static void open_grid_relay_means_no_import(void) {
    sim_kernel_t *k = NULL;
    ASSERT_EQ_I64(sim_kernel_create(1, &k), 0);
    pack_plant_cfg_t cfg;
    pack_plant_cfg_default(&cfg);
    cfg.battery.soc_initial = 0.3;
    pack_plant_t *p = NULL;
    ASSERT_EQ_I64(pack_plant_create(k, &cfg, &p), 0);
    for (unsigned r = PACK_R2_INVERTER; r < PACK_RELAYS; r++) {
        relay_drive(pack_plant_relay(p, r), true, 0);
    }
    ASSERT_EQ_I64(pack_plant_start(p), 0);
    ASSERT_EQ_I64(sim_kernel_run_until(k, 12 * 3600 * SIM_NS_PER_S), 0);
    ASSERT_EQ_I64(grid_import_mj(pack_plant_grid(p)), 0);
    pack_plant_snapshot_t s;
    pack_plant_snapshot(p, &s);
    ASSERT_EQ_U64(s.relay_mask, 0x0E);
    CU_ASSERT_TRUE(s.grid_up);
    ASSERT_EQ_I64(s.p_grid_w, 0);
    /* Overnight from 30 % without the grid the battery hits its discharge limit: unserved. */
    pack_plant_totals_t t;
    pack_plant_totals(p, &t);
    CU_ASSERT_TRUE(t.home_unserved_wh > 0.0);
    CU_ASSERT_TRUE(s.soc_permille > 0);
    pack_plant_destroy(p);
    sim_kernel_destroy(k);
}

/* R2 open: the home is dark, pool and heater draw nothing, CT2..CT4 read 0. */
static void open_output_relay_stops_the_home(void) {
    sim_kernel_t *k = NULL;
    ASSERT_EQ_I64(sim_kernel_create(1, &k), 0);
    pack_plant_cfg_t cfg;
    pack_plant_cfg_default(&cfg);
    pack_plant_t *p = NULL;
    ASSERT_EQ_I64(pack_plant_create(k, &cfg, &p), 0);
    relay_drive(pack_plant_relay(p, PACK_R1_GRID), true, 0);
    relay_drive(pack_plant_relay(p, PACK_R3_POOL), true, 0);
    relay_drive(pack_plant_relay(p, PACK_R4_HEATER), true, 0);
    ASSERT_EQ_I64(pack_plant_start(p), 0);
    ASSERT_EQ_I64(sim_kernel_run_until(k, 11 * 3600 * SIM_NS_PER_S), 0);
    pack_plant_snapshot_t s;
    pack_plant_snapshot(p, &s);
    ASSERT_EQ_I64(s.p_home_w, 0);
    ASSERT_EQ_I64(s.p_pool_w, 0);
    CU_ASSERT_TRUE(s.p_unserved_w > 0);
    ASSERT_NEAR(ct_sensor_rms_at(pack_plant_ct(p, PACK_CT_HOME), s.t_ns), 0.0, 0.0);
    ASSERT_NEAR(ct_sensor_rms_at(pack_plant_ct(p, PACK_CT_POOL), s.t_ns), 0.0, 0.0);
    pack_plant_destroy(p);
    sim_kernel_destroy(k);
}

static int peak_above_bias(const uint16_t *s, int n) {
    int peak = 0;
    for (int i = 0; i < n; i++) {
        peak = s[i] - 2048 > peak ? s[i] - 2048 : peak;
    }
    return peak;
}

/* At night with the battery at its reserve the grid carries the home: CT1 and CT2 see the same
 * current. The burst comes in the HAL's layout: channel-major, ascending channels in the mask. */
static void adc_burst_layout(void) {
    sim_kernel_t *k = NULL;
    ASSERT_EQ_I64(sim_kernel_create(1, &k), 0);
    pack_plant_cfg_t cfg;
    pack_plant_cfg_default(&cfg);
    cfg.battery.soc_initial = 0.2;
    cfg.heater.initial_c = 60.0;
    pack_plant_t *p = NULL;
    ASSERT_EQ_I64(pack_plant_create(k, &cfg, &p), 0);
    for (unsigned r = 0; r < PACK_RELAYS; r++) {
        relay_drive(pack_plant_relay(p, r), true, 0);
    }
    ASSERT_EQ_I64(pack_plant_start(p), 0);
    ASSERT_EQ_I64(sim_kernel_run_until(k, 2 * 3600 * SIM_NS_PER_S), 0);
    pack_plant_snapshot_t s;
    pack_plant_snapshot(p, &s);
    ASSERT_EQ_I64(s.p_grid_w, 250); /* the base load at 02:00 */
    ASSERT_EQ_I64(s.p_home_w, 250);
    uint16_t burst[3 * 200];
    pack_plant_fill_adc(p, 10000, 200, 0x0B, s.t_ns, burst); /* CT1, CT2, CT4 */
    double want = 250.0 / 220.0 * 40.0;                      /* 40 counts peak per A rms */
    ASSERT_NEAR(peak_above_bias(burst, 200), want, 3.0);
    ASSERT_NEAR(peak_above_bias(burst + 200, 200), want, 3.0);
    CU_ASSERT_TRUE(peak_above_bias(burst + 400, 200) <= 3); /* heater idle: noise only */
    pack_plant_destroy(p);
    sim_kernel_destroy(k);
}

/* Same seed, same day: identical snapshots and totals; another seed changes the clouds. */
static void runs_are_deterministic(void) {
    pack_plant_snapshot_t s[3];
    pack_plant_totals_t t[3];
    const uint64_t seeds[3] = {5, 5, 6};
    for (int i = 0; i < 3; i++) {
        sim_kernel_t *k = NULL;
        ASSERT_EQ_I64(sim_kernel_create(seeds[i], &k), 0);
        pack_plant_cfg_t cfg;
        pack_plant_cfg_default(&cfg);
        pack_plant_t *p = NULL;
        ASSERT_EQ_I64(pack_plant_create(k, &cfg, &p), 0);
        for (unsigned r = 0; r < PACK_RELAYS; r++) {
            relay_drive(pack_plant_relay(p, r), true, 0);
        }
        ASSERT_EQ_I64(pack_plant_start(p), 0);
        ASSERT_EQ_I64(sim_kernel_run_until(k, 14 * 3600 * SIM_NS_PER_S), 0);
        pack_plant_snapshot(p, &s[i]);
        pack_plant_totals(p, &t[i]);
        pack_plant_destroy(p);
        sim_kernel_destroy(k);
    }
    ASSERT_EQ_I64(s[0].v_pack_mv, s[1].v_pack_mv);
    ASSERT_EQ_I64(s[0].i_batt_ma, s[1].i_batt_ma);
    ASSERT_EQ_I64(s[0].heater_temp_mc, s[1].heater_temp_mc);
    ASSERT_EQ_I64(s[0].grid_import_mj, s[1].grid_import_mj);
    CU_ASSERT_TRUE(t[0].pv_used_wh == t[1].pv_used_wh && t[0].loss_wh == t[1].loss_wh);
    CU_ASSERT_TRUE(t[0].pv_used_wh != t[2].pv_used_wh);
}

static void invalid_config_is_refused(void) {
    sim_kernel_t *k = NULL;
    ASSERT_EQ_I64(sim_kernel_create(1, &k), 0);
    pack_plant_cfg_t cfg;
    pack_plant_cfg_default(&cfg);
    cfg.step_ns = 0;
    pack_plant_t *p = NULL;
    ASSERT_EQ_I64(pack_plant_create(k, &cfg, &p), -SIM_EINVAL);
    pack_plant_cfg_default(&cfg);
    cfg.inverter.eta_inverter = 0.0; /* a model's own check fails: everything is undone */
    ASSERT_EQ_I64(pack_plant_create(k, &cfg, &p), -SIM_EINVAL);
    CU_ASSERT_PTR_NULL(p);
    sim_kernel_destroy(k);
}

void test_register(void) {
    TEST_SUITE("model_pack_plant", TEST(day_balance_and_plausibility),
               TEST(open_grid_relay_means_no_import), TEST(open_output_relay_stops_the_home),
               TEST(adc_burst_layout), TEST(runs_are_deterministic),
               TEST(invalid_config_is_refused));
}
