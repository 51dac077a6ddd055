/*
 * Property tests of the plant models: invariants that must hold at every step, over many
 * operating points drawn from fixed-seed sim_prng streams. The operating points span what a
 * scenario may configure (battery sizes from 0.1 Ah, physics steps up to 10 s, limit voltages off
 * the OCV curve, tiny tanks with large draws, PV from nothing to far beyond the MPPT) and what a
 * run does to a plant (relays switched and faulted, grid outages, sags and frequency excursions,
 * load and PV changes, starts at midnight, at a year's end and on a leap day).
 *
 * Every property counts its violations and prints the first few with the operating point, so a
 * red test says where it broke.
 */
#include <math.h>

#include "battery.h"
#include "bms_modbus.h"
#include "ct_sensor.h"
#include "pack_plant.h"
#include "sim_kernel.h"
#include "sim_prng.h"
#include "sim_uart.h"
#include "test_support.h"
#include "water_heater.h"

#define PI 3.14159265358979323846

/* ---- drawing operating points ------------------------------------------------------------ */

static double uniform(sim_prng_t *r, double lo, double hi) {
    return lo + (hi - lo) * sim_prng_unit(r);
}

/* Log-uniform in [lo, hi]: sizes spread over decades. */
static double log_uniform(sim_prng_t *r, double lo, double hi) {
    return lo * exp(log(hi / lo) * sim_prng_unit(r));
}

static bool coin(sim_prng_t *r, unsigned num, unsigned den) {
    return sim_prng_chance(r, num, den);
}

/* A battery within the scenario's ranges (scn_pack.c) that battery_create accepts: half of them
 * the default LFP pack with another size and state, half with every limit drawn. */
static void draw_battery(sim_prng_t *r, battery_cfg_t *b) {
    battery_cfg_default(b);
    b->capacity_ah = log_uniform(r, 0.1, 10000.0);
    b->soc_initial = coin(r, 1, 8) ? (double)sim_prng_below(r, 2) : sim_prng_unit(r);
    if (coin(r, 1, 2)) {
        return;
    }
    b->cells_series = (uint8_t)sim_prng_range(r, 1, 32);
    b->r_internal_mohm = log_uniform(r, 1.0, 1000.0);
    b->cell_spread_soc = uniform(r, 0.0, 0.2);
    b->cell_cv_mv = (uint16_t)sim_prng_range(r, 3300, 4400); /* on and beyond the curve's top */
    b->cell_charge_cut_mv = (uint16_t)(b->cell_cv_mv + sim_prng_range(r, 1, 100));
    b->cell_charge_release_mv = (uint16_t)(b->cell_charge_cut_mv - sim_prng_range(r, 1, 300));
    b->cell_discharge_cut_mv = (uint16_t)sim_prng_range(r, 2000, 2900); /* below the bottom too */
    b->cell_dvl_mv = (uint16_t)(b->cell_discharge_cut_mv + sim_prng_range(r, 1, 300));
    b->cell_discharge_release_mv = (uint16_t)(b->cell_discharge_cut_mv + sim_prng_range(r, 1, 500));
    b->charge_a_max = log_uniform(r, 0.5, 2000.0);
    b->discharge_a_max = log_uniform(r, 0.5, 2000.0);
}

static void draw_inverter(sim_prng_t *r, inverter_cfg_t *c) {
    inverter_cfg_default(c);
    if (coin(r, 1, 2)) {
        return;
    }
    c->ac_w_max = uniform(r, 0.0, 20000.0);
    c->pv_w_max = uniform(r, 0.0, 20000.0);
    c->charge_w_max = uniform(r, 0.0, 20000.0);
    c->discharge_w_max = uniform(r, 0.0, 20000.0);
    c->grid_w_max = uniform(r, 0.0, 20000.0);
    c->eta_inverter = uniform(r, 0.5, 1.0);
    c->eta_charger_dc = uniform(r, 0.5, 1.0);
    c->eta_charger_ac = uniform(r, 0.5, 1.0);
    c->reserve_soc = uniform(r, 0.0, 0.6);
    c->grid_charge = coin(r, 3, 4);
    c->grid_charge_w = uniform(r, 0.0, 6000.0);
    c->grid_charge_start_soc = uniform(r, 0.0, 0.5);
    c->grid_charge_stop_soc = c->grid_charge_start_soc + uniform(r, 0.01, 0.4);
}

static void draw_loads(sim_prng_t *r, pack_plant_cfg_t *cfg) {
    cfg->home.scale = coin(r, 1, 8) ? 0.0 : uniform(r, 0.0, 10.0);
    cfg->pool.power_w = uniform(r, 0.0, 3000.0);
    cfg->pool.n_windows = (size_t)sim_prng_below(r, 3);
    for (size_t i = 0; i < cfg->pool.n_windows; i++) {
        cfg->pool.windows[i].start_min = (uint16_t)sim_prng_below(r, 1440); /* may wrap */
        cfg->pool.windows[i].end_min = (uint16_t)sim_prng_below(r, 1440);
    }
    water_heater_cfg_t *h = &cfg->heater;
    h->element_w = uniform(r, 0.0, 10000.0);
    h->tank_l = log_uniform(r, 1.0, 500.0);
    h->inlet_c = uniform(r, 5.0, 30.0);
    h->ambient_c = uniform(r, -10.0, 40.0);
    h->setpoint_c = h->inlet_c + uniform(r, 5.0, 60.0);
    h->hysteresis_c = uniform(r, 0.0, 10.0);
    h->loss_w_per_k = uniform(r, 0.0, 20.0);
    h->initial_c = uniform(r, 0.0, 100.0);
    h->n_draws = (size_t)sim_prng_below(r, 4);
    for (size_t i = 0; i < h->n_draws; i++) {
        uint16_t start = (uint16_t)sim_prng_below(r, 1400);
        h->draws[i] = (water_heater_draw_t){start, (uint16_t)(start + sim_prng_range(r, 1, 40)),
                                            uniform(r, 0.0, 100.0)};
    }
}

/* Starts that cross midnight, a year's end and a leap day early in the run. */
static void draw_calendar(sim_prng_t *r, calendar_t *cal) {
    static const calendar_civil_t starts[] = {
        {.year = 2024, .month = 6, .day = 21},
        {.year = 2023, .month = 12, .day = 31, .hour = 22, .minute = 30},
        {.year = 2024, .month = 2, .day = 28, .hour = 23, .minute = 59, .second = 50},
        {.year = 2024, .month = 12, .day = 21, .hour = 5},
        {.year = 2025, .month = 3, .day = 20, .hour = 17, .minute = 45},
    };
    calendar_civil_t s = starts[sim_prng_below(r, sizeof starts / sizeof starts[0])];
    int32_t offset = (int32_t)sim_prng_range(r, -720, 840);
    ASSERT_EQ_I64(calendar_init(cal, &s, offset), 0);
}

/* ---- the plant walk ---------------------------------------------------------------------- */

enum {
    P_FINITE,      /* flows, voltages, temperatures are numbers */
    P_BALANCE,     /* DC, AC and energy balances of the dispatch close */
    P_BATT_POWER,  /* the battery took exactly the power the inverter dispatched */
    P_SOC,         /* SOC in 0..1 and moved by exactly the charge that flowed */
    P_PROTECTION,  /* a compliant inverter never trips an over-current or a cell cut */
    P_CELL_LIMITS, /* charging keeps every cell at or below CVL, discharging at or above DVL */
    P_RELAYS,      /* nothing imported with R1 open or the grid down, nothing served with R2 open */
    P_CT,          /* each CT carries its circuit's power over the voltage there */
    P_HEATER,      /* the tank stays between the coldest source and the element's reach */
    P_METER,       /* the meter is the integral of the grid power */
    P_TOTALS,      /* the totals close: sources = sinks */
    P_COUNT
};

static const char *const property_names[P_COUNT] = {
    "finite", "balance", "battery power", "soc",   "protection", "cell limits",
    "relays", "ct",      "heater",        "meter", "totals",
};

typedef struct {
    pack_plant_t *p;
    sim_prng_t r; /* perturbations */
    int trial;
    double dt_s;
    pack_plant_cfg_t cfg;
    bool started_cut; /* the initial SOC lies beyond a cut voltage: a cut is expected */
    double soc_prev;
    double heater_lo_c, heater_hi_c;
    double meter_j; /* the grid import integrated here */
    uint64_t steps;
    unsigned bad[P_COUNT];
} walk_t;

static void violation(walk_t *w, int prop, const char *what, double a, double b) {
    if (w->bad[prop]++ < 3) {
        fprintf(stderr, "\n  trial %d step %llu (dt %g s, %g Ah, soc %.6f): %s: %s: %.12g vs %.12g",
                w->trial, (unsigned long long)w->steps, w->dt_s, w->cfg.battery.capacity_ah,
                w->soc_prev, property_names[prop], what, a, b);
    }
}

static bool close_to(double a, double b, double rel) {
    return fabs(a - b) <= rel * (1.0 + fabs(a) + fabs(b));
}

static void check_flows(walk_t *w, const inverter_flows_t *f) {
    const double *v = (const double *)f;
    for (size_t i = 0; i < sizeof *f / sizeof v[0]; i++) {
        if (!isfinite(v[i])) {
            violation(w, P_FINITE, "flow", (double)i, v[i]);
        }
    }
    double through = f->pv_used_w + f->grid_import_w;
    if (!close_to(f->energy_residual_w, 0.0, 1e-9 * (1.0 + through)) ||
        !close_to(f->dc_residual_w, 0.0, 1e-9 * (1.0 + through)) ||
        !close_to(f->ac_residual_w, 0.0, 1e-9 * (1.0 + through))) {
        violation(w, P_BALANCE, "residual", f->energy_residual_w, f->ac_residual_w);
    }
    if (f->pv_used_w < 0.0 || f->pv_curtailed_w < 0.0 || f->grid_import_w < 0.0 ||
        f->home_served_w < 0.0 || f->home_unserved_w < 0.0 || f->loss_w < 0.0 ||
        f->batt_to_ac_dc_w < 0.0 || f->pv_to_batt_dc_w < 0.0 || f->grid_to_batt_w < 0.0) {
        violation(w, P_BALANCE, "negative flow", f->pv_used_w, f->grid_import_w);
    }
}

static void check_battery(walk_t *w, const inverter_flows_t *f) {
    battery_t *b = pack_plant_battery(w->p);
    const battery_cfg_t *c = &w->cfg.battery;
    double i = battery_current_a(b), v = battery_voltage_v(b), soc = battery_soc(b);
    double vmax = battery_cell_v_max(b), vmin = battery_cell_v_min(b);
    if (!isfinite(i) || !isfinite(v) || !isfinite(vmax) || !isfinite(vmin)) {
        violation(w, P_FINITE, "battery", i, v);
    }
    if (!close_to(v * i, f->batt_dc_w, 1e-9)) {
        violation(w, P_BATT_POWER, "V*I vs dispatched", v * i, f->batt_dc_w);
    }
    double want = w->soc_prev + i * w->dt_s / (3600.0 * c->capacity_ah);
    if (!(soc >= 0.0 && soc <= 1.0) || fabs(soc - want) > 1e-12) {
        violation(w, P_SOC, "soc vs coulomb count", soc, want);
    }
    uint16_t alarms = battery_alarms(b);
    if (alarms & (BATTERY_ALARM_OC_CHG | BATTERY_ALARM_OC_DSG)) {
        violation(w, P_PROTECTION, "over-current alarm", alarms, i);
    }
    if (!w->started_cut && (alarms & (BATTERY_ALARM_CELL_OV | BATTERY_ALARM_CELL_UV))) {
        violation(w, P_PROTECTION, "cell cut", alarms, vmax);
    }
    if (i > 0.0 && vmax * 1000.0 > c->cell_cv_mv + 1e-6) {
        violation(w, P_CELL_LIMITS, "top cell above CVL", vmax * 1000.0, c->cell_cv_mv);
    }
    if (i < 0.0 && vmin * 1000.0 < c->cell_dvl_mv - 1e-6) {
        violation(w, P_CELL_LIMITS, "bottom cell below DVL", vmin * 1000.0, c->cell_dvl_mv);
    }
    w->soc_prev = soc;
}

static void check_circuits(walk_t *w, const inverter_flows_t *f, sim_time_ns_t t) {
    pack_plant_snapshot_t s;
    pack_plant_snapshot(w->p, &s);
    bool grid_conn = s.grid_up && (s.relay_mask & 1u);
    bool out_on = (s.relay_mask & 2u) != 0;
    if (!grid_conn && f->grid_import_w != 0.0) {
        violation(w, P_RELAYS, "import without the grid", f->grid_import_w, s.relay_mask);
    }
    if (!out_on && (f->home_served_w != 0.0 || s.p_pool_w != 0 || s.p_heater_w != 0)) {
        violation(w, P_RELAYS, "served with R2 open", f->home_served_w, s.p_heater_w);
    }
    double v_grid = grid_voltage_v(pack_plant_grid(w->p), t);
    double v_ac = grid_conn ? v_grid : w->cfg.ac_nominal_v;
    double ct1 = ct_sensor_rms_at(pack_plant_ct(w->p, PACK_CT_GRID), t);
    double ct2 = ct_sensor_rms_at(pack_plant_ct(w->p, PACK_CT_HOME), t);
    double ct3 = ct_sensor_rms_at(pack_plant_ct(w->p, PACK_CT_POOL), t);
    double ct4 = ct_sensor_rms_at(pack_plant_ct(w->p, PACK_CT_HEATER), t);
    if (!close_to(ct1 * (grid_conn ? v_grid : 1.0), f->grid_import_w, 1e-12) ||
        !close_to(ct2 * v_ac, f->home_served_w, 1e-12)) {
        violation(w, P_CT, "CT1/CT2 power", ct1 * v_grid, f->grid_import_w);
    }
    /* The snapshot rounds the delivered pool and heater powers to 1 W. */
    if (fabs(ct3 * v_ac - s.p_pool_w) > 0.5 + 1e-6 ||
        fabs(ct4 * v_ac - s.p_heater_w) > 0.5 + 1e-6) {
        violation(w, P_CT, "CT3/CT4 power", ct3 * v_ac, s.p_pool_w);
    }
    double temp = water_heater_temp_c(pack_plant_heater(w->p));
    if (!(temp >= w->heater_lo_c - 1e-9 && temp <= w->heater_hi_c + 1e-9)) {
        violation(w, P_HEATER, "tank temperature", temp, w->heater_hi_c);
    }
    w->meter_j += f->grid_import_w * w->dt_s;
}

static void on_step(void *ctx, const pack_plant_t *p, sim_time_ns_t t) {
    walk_t *w = ctx;
    (void)p;
    const inverter_flows_t *f = pack_plant_flows(w->p);
    check_flows(w, f);
    check_battery(w, f);
    check_circuits(w, f, t);
    w->steps++;
}

/* What a run does to a plant between steps: one change every few simulated minutes. */
static void perturb(sim_kernel_t *k, void *ctx, uint64_t arg) {
    walk_t *w = ctx;
    sim_time_ns_t now = sim_kernel_now(k);
    switch (sim_prng_below(&w->r, 8)) {
        case 0:
        case 1:
            relay_drive(pack_plant_relay(w->p, (unsigned)sim_prng_below(&w->r, PACK_RELAYS)),
                        coin(&w->r, 2, 3), now);
            break;
        case 2:
            relay_set_fault(pack_plant_relay(w->p, (unsigned)sim_prng_below(&w->r, PACK_RELAYS)),
                            (relay_fault_t)sim_prng_below(&w->r, 3));
            break;
        case 3:
            grid_force_down(pack_plant_grid(w->p), coin(&w->r, 1, 3));
            break;
        case 4:
            ASSERT_EQ_I64(grid_set_voltage_v(pack_plant_grid(w->p), uniform(&w->r, 150, 260)), 0);
            break;
        case 5:
            ASSERT_EQ_I64(grid_set_frequency_hz(pack_plant_grid(w->p), uniform(&w->r, 45, 65)), 0);
            break;
        case 6:
            pv_set_scale(pack_plant_pv(w->p), coin(&w->r, 1, 4) ? 0.0 : uniform(&w->r, 0, 4));
            break;
        default: {
            home_load_cfg_t hc;
            home_load_cfg_default(&hc);
            hc.scale = uniform(&w->r, 0.0, 12.0);
            ASSERT_EQ_I64(home_load_set_profile(pack_plant_home(w->p), &hc), 0);
            break;
        }
    }
    (void)sim_kernel_schedule_in(k, (sim_time_ns_t)arg, SIM_PRIO_FIRMWARE, perturb, w, arg);
}

/* A plant: the defaults with only the start date drawn (`defaults`), or every model drawn. */
static void walk_config(sim_prng_t *r, bool defaults, walk_t *w) {
    static const sim_time_ns_t steps_ms[] = {100, 250, 1000, 2000, 10000};
    pack_plant_cfg_t *cfg = &w->cfg;
    pack_plant_cfg_default(cfg);
    cfg->name = "prop";
    cfg->on_step = on_step;
    cfg->on_step_ctx = w;
    w->dt_s = (double)cfg->step_ns / 1e9;
    draw_calendar(r, &cfg->calendar);
    if (defaults) {
        return;
    }
    cfg->step_ns = steps_ms[sim_prng_below(r, 5)] * SIM_NS_PER_MS;
    cfg->ac_nominal_v = uniform(r, 100.0, 250.0);
    draw_battery(r, &cfg->battery);
    draw_inverter(r, &cfg->inverter);
    draw_loads(r, cfg);
    cfg->grid.voltage_v = uniform(r, 180.0, 260.0);
    cfg->grid.frequency_hz = uniform(r, 45.0, 65.0);
    cfg->grid.n_outages = (size_t)sim_prng_below(r, 3);
    for (size_t i = 0; i < cfg->grid.n_outages; i++) {
        sim_time_ns_t start = (sim_time_ns_t)sim_prng_below(r, 20 * 3600) * SIM_NS_PER_S;
        cfg->grid.outages[i] = (grid_outage_t){
            start, start + (sim_time_ns_t)sim_prng_range(r, 1, 6 * 3600) * SIM_NS_PER_S};
    }
    cfg->pv.kwp = coin(r, 1, 8) ? 1000.0 : uniform(r, 0.0, 20.0); /* far beyond the MPPT too */
    cfg->pv.performance_ratio = uniform(r, 0.0, 1.0);
    cfg->pv.clouds = coin(r, 1, 2);
    cfg->pv.latitude_deg = coin(r, 1, 4) ? uniform(r, -90.0, 90.0) : 6.45;
    cfg->pv.longitude_deg = uniform(r, -180.0, 180.0);
    w->dt_s = (double)cfg->step_ns / 1e9;
}

/* The tank ends no colder than its coldest start or source (the element only adds heat), and no
 * hotter than its start or the warmest of setpoint and ambient plus one step of the element
 * (the element runs only below the setpoint; above the setpoint and the ambient every other
 * term cools). */
static void heater_bounds(walk_t *w) {
    const water_heater_cfg_t *h = &w->cfg.heater;
    double lo = h->initial_c < h->inlet_c ? h->initial_c : h->inlet_c;
    w->heater_lo_c = lo < h->ambient_c ? lo : h->ambient_c;
    double warm = h->setpoint_c > h->ambient_c ? h->setpoint_c : h->ambient_c;
    double reach = warm + h->element_w * w->dt_s / (h->tank_l * 4186.0);
    w->heater_hi_c = h->initial_c > reach ? h->initial_c : reach;
}

/* One plant for n_steps steps (at most max_span_ns), checked at every step; adds its violations
 * to bad. */
static void run_walk(sim_prng_t *r, int trial, bool defaults, double n_steps,
                     sim_time_ns_t max_span_ns, unsigned *bad) {
    walk_t w = {.trial = trial};
    walk_config(r, defaults, &w);
    w.r = *r;
    (void)sim_prng_next(r);
    sim_time_ns_t span = (sim_time_ns_t)(n_steps * w.dt_s) * SIM_NS_PER_S;
    span = span < max_span_ns ? span : max_span_ns;
    sim_kernel_t *k = NULL;
    ASSERT_EQ_I64(sim_kernel_create((uint64_t)trial + 1, &k), 0);
    ASSERT_EQ_I64(pack_plant_create(k, &w.cfg, &w.p), 0);
    if (w.p == NULL) {
        sim_kernel_destroy(k);
        bad[P_FINITE]++;
        return;
    }
    battery_t *b = pack_plant_battery(w.p);
    w.started_cut = battery_cell_v_max(b) * 1000.0 >= w.cfg.battery.cell_charge_cut_mv ||
                    battery_cell_v_min(b) * 1000.0 <= w.cfg.battery.cell_discharge_cut_mv;
    w.soc_prev = battery_soc(b);
    heater_bounds(&w);
    for (unsigned i = 0; i < PACK_RELAYS; i++) {
        relay_drive(pack_plant_relay(w.p, i), coin(r, 4, 5), 0);
    }
    ASSERT_EQ_I64(pack_plant_start(w.p), 0);
    sim_time_ns_t every = (sim_time_ns_t)sim_prng_range(r, 60, 1800) * SIM_NS_PER_S;
    (void)sim_kernel_schedule_in(k, every, SIM_PRIO_FIRMWARE, perturb, &w, (uint64_t)every);
    ASSERT_EQ_I64(sim_kernel_run_until(k, span), 0);

    /* The meter: each step rounded to the nearest microjoule, the reading truncated to mJ. */
    double meter_j = (double)grid_import_mj(pack_plant_grid(w.p)) / 1e3;
    if (fabs(meter_j - w.meter_j) > 1e-3 + 1e-6 * (double)w.steps + 1e-12 * w.meter_j) {
        violation(&w, P_METER, "meter vs integral (J)", meter_j, w.meter_j);
    }
    pack_plant_totals_t t;
    pack_plant_totals(w.p, &t);
    double in = t.pv_used_wh + t.grid_import_wh;
    double out = t.home_served_wh + (t.batt_in_wh - t.batt_out_wh) + t.loss_wh;
    if (fabs(in - out) > 1e-9 * (in + out) + 1e-6 + 1e-9 * (double)t.steps) {
        violation(&w, P_TOTALS, "sources vs sinks (Wh)", in, out);
    }
    for (int i = 0; i < P_COUNT; i++) {
        bad[i] += w.bad[i];
    }
    pack_plant_destroy(w.p);
    sim_kernel_destroy(k);
}

static void report(const unsigned *bad) {
    for (int i = 0; i < P_COUNT; i++) {
        if (bad[i] != 0) {
            fprintf(stderr, "\n  property '%s': %u violations", property_names[i], bad[i]);
        }
        ASSERT_EQ_U64(bad[i], 0);
    }
}

/* Many short walks over the whole configuration space: about 20 000 steps each. */
static void plant_invariants_over_random_operating_points(void) {
    sim_prng_t r;
    sim_prng_init(&r, 20240621, sim_prng_stream_id("test.plant_walk"));
    unsigned bad[P_COUNT] = {0};
    for (int trial = 0; trial < 160; trial++) {
        run_walk(&r, trial, false, 20000.0, 30 * 3600 * SIM_NS_PER_S, bad);
    }
    report(bad);
}

/* The default pack through whole days at its 100 ms step, with every change a run can make. */
static void plant_invariants_over_whole_days(void) {
    sim_prng_t r;
    sim_prng_init(&r, 7, sim_prng_stream_id("test.plant_days"));
    unsigned bad[P_COUNT] = {0};
    for (int trial = 0; trial < 2; trial++) {
        run_walk(&r, 1000 + trial, true, 1e9, 24 * 3600 * SIM_NS_PER_S, bad);
    }
    report(bad);
}

/* ---- battery ----------------------------------------------------------------------------- */

/* Charging or discharging at exactly the published power limit, converted to a current the way
 * an inverter does, is never an over-current, wherever the limit comes from (the hard limit,
 * the CVL/DVL taper). */
static void published_limits_are_never_an_over_current(void) {
    sim_prng_t r;
    sim_prng_init(&r, 3, sim_prng_stream_id("test.battery_limits"));
    unsigned oc = 0, beyond = 0;
    for (int trial = 0; trial < 4000; trial++) {
        battery_cfg_t c;
        draw_battery(&r, &c);
        if (coin(&r, 1, 2)) {
            c.charge_a_max = uniform(&r, 1.0, 100.0); /* hard limits that bind */
            c.discharge_a_max = uniform(&r, 1.0, 100.0);
        }
        battery_t *b = NULL;
        ASSERT_EQ_I64(battery_create(&c, &b), 0);
        if (b == NULL) {
            continue;
        }
        for (int dir = 0; dir < 2; dir++) {
            double p = dir == 0 ? battery_max_charge_w(b) : -battery_max_discharge_w(b);
            double limit = dir == 0 ? battery_max_charge_a(b) : battery_max_discharge_a(b);
            double i = battery_step(b, battery_current_for_power_a(b, p), 1e-3);
            uint16_t a = battery_alarms(b);
            if (a & (BATTERY_ALARM_OC_CHG | BATTERY_ALARM_OC_DSG)) {
                if (oc++ < 3) {
                    fprintf(stderr, "\n  trial %d dir %d: alarms %#x at %.17g A (limit %.17g)",
                            trial, dir, a, i, limit);
                }
            }
            if (fabs(i) > limit * (1.0 + 1e-12)) {
                beyond++;
            }
        }
        battery_destroy(b);
    }
    ASSERT_EQ_U64(oc, 0);
    ASSERT_EQ_U64(beyond, 0);
}

/* A full pack takes no charge and an empty one gives none, wherever CVL and DVL sit: the limits
 * say 0, and a current pushed anyway moves no energy through the terminals. */
static void full_and_empty_packs_move_no_energy(void) {
    static const uint16_t cv_mv[] = {3400, 3550, 3650, 4000, 4400};
    static const uint16_t dvl_mv[] = {2000, 2400, 2500, 2800, 3000};
    for (size_t i = 0; i < sizeof cv_mv / sizeof cv_mv[0]; i++) {
        battery_cfg_t c;
        battery_cfg_default(&c);
        c.cell_cv_mv = cv_mv[i];
        c.cell_charge_cut_mv = 4500;
        c.cell_discharge_cut_mv = 1900; /* below every DVL: the limits nest */
        c.cell_dvl_mv = dvl_mv[i];
        c.soc_initial = 1.0;
        battery_t *b = NULL;
        ASSERT_EQ_I64(battery_create(&c, &b), 0);
        ASSERT_NEAR(battery_max_charge_a(b), 0.0, 0.0);
        ASSERT_NEAR(battery_step_max_charge_a(b, 1.0), 0.0, 0.0);
        ASSERT_NEAR(battery_step(b, 50.0, 1.0), 0.0, 0.0);
        ASSERT_NEAR(battery_energy_in_wh(b), 0.0, 0.0);
        ASSERT_NEAR(battery_soc(b), 1.0, 0.0);
        ASSERT_EQ_I64(battery_set_soc(b, 0.0), 0);
        ASSERT_NEAR(battery_max_discharge_a(b), 0.0, 0.0);
        ASSERT_NEAR(battery_step_max_discharge_a(b, 1.0), 0.0, 0.0);
        ASSERT_NEAR(battery_step(b, -50.0, 1.0), 0.0, 0.0);
        ASSERT_NEAR(battery_energy_out_wh(b), 0.0, 0.0);
        ASSERT_NEAR(battery_soc(b), 0.0, 0.0);
        /* Nearly full: the step takes what fills the pack and not a coulomb more. */
        ASSERT_EQ_I64(battery_set_soc(b, 1.0 - 1e-6), 0);
        double in = battery_step(b, 100.0, 10.0);
        ASSERT_NEAR(in, 1e-6 * 3600.0 * c.capacity_ah / 10.0, 1e-9);
        ASSERT_NEAR(battery_soc(b), 1.0, 1e-15);
        battery_destroy(b);
    }
}

/* Stepping at the step limits, whatever the step and the pack, the SOC ends no further than
 * where the published limit reaches 0 and the cells never pass CVL/DVL nor reach a cut. */
static void step_limits_hold_any_step(void) {
    sim_prng_t r;
    sim_prng_init(&r, 11, sim_prng_stream_id("test.battery_steps"));
    unsigned bad = 0;
    for (int trial = 0; trial < 300; trial++) {
        battery_cfg_t c;
        draw_battery(&r, &c);
        double dt = log_uniform(&r, 1e-3, 3600.0);
        battery_t *b = NULL;
        ASSERT_EQ_I64(battery_create(&c, &b), 0);
        bool started_cut = battery_cell_v_max(b) * 1000.0 >= c.cell_charge_cut_mv ||
                           battery_cell_v_min(b) * 1000.0 <= c.cell_discharge_cut_mv;
        bool charge = coin(&r, 1, 2);
        for (int s = 0; s < 400; s++) {
            double p =
                charge ? battery_step_max_charge_w(b, dt) : -battery_step_max_discharge_w(b, dt);
            double i = battery_step(b, battery_current_for_power_a(b, p), dt);
            uint16_t a = battery_alarms(b);
            bool ok = (a & (BATTERY_ALARM_OC_CHG | BATTERY_ALARM_OC_DSG)) == 0 &&
                      (started_cut || (a & (BATTERY_ALARM_CELL_OV | BATTERY_ALARM_CELL_UV)) == 0) &&
                      !(i > 0.0 && battery_cell_v_max(b) * 1000.0 > c.cell_cv_mv + 1e-6) &&
                      !(i < 0.0 && battery_cell_v_min(b) * 1000.0 < c.cell_dvl_mv - 1e-6);
            if (!ok && bad++ < 3) {
                fprintf(stderr,
                        "\n  trial %d step %d (dt %g, %g Ah): alarms %#x, I %g, cells %g..%g",
                        trial, s, dt, c.capacity_ah, a, i, battery_cell_v_min(b),
                        battery_cell_v_max(b));
            }
        }
        battery_destroy(b);
    }
    ASSERT_EQ_U64(bad, 0);
}

/* ---- water heater ------------------------------------------------------------------------ */

/* Under constant heat, loss and draw the tank moves towards its equilibrium and never past it,
 * for any step: a long step or a small tank with a large draw must not overshoot and diverge. */
static void heater_never_passes_its_equilibrium(void) {
    sim_prng_t r;
    sim_prng_init(&r, 5, sim_prng_stream_id("test.heater"));
    unsigned bad = 0;
    for (int trial = 0; trial < 2000; trial++) {
        water_heater_cfg_t c;
        water_heater_cfg_default(&c);
        c.tank_l = log_uniform(&r, 1.0, 10000.0);
        c.loss_w_per_k = uniform(&r, 0.0, 1000.0);
        c.inlet_c = uniform(&r, 0.0, 60.0);
        c.ambient_c = uniform(&r, -40.0, 60.0);
        c.setpoint_c = c.inlet_c + uniform(&r, 1.0, 40.0);
        c.initial_c = uniform(&r, 0.0, 100.0);
        double flow = uniform(&r, 0.0, 100.0);
        c.n_draws = 1;
        c.draws[0] = (water_heater_draw_t){0, 1440, flow};
        double heat = coin(&r, 1, 2) ? 0.0 : uniform(&r, 0.0, 1e5);
        double dt = log_uniform(&r, 1e-3, 3600.0);
        water_heater_t *h = NULL;
        ASSERT_EQ_I64(water_heater_create(&c, &h), 0);
        double k = c.loss_w_per_k + flow / 60.0 * 4186.0;
        double eq =
            k > 0.0 ? (heat + c.loss_w_per_k * c.ambient_c + flow / 60.0 * 4186.0 * c.inlet_c) / k
                    : HUGE_VAL;
        double t0 = c.initial_c, lo = t0 < eq ? t0 : eq, hi = t0 < eq ? eq : t0;
        for (int s = 0; s < 200; s++) {
            water_heater_step(h, heat, 600, dt);
            double t = water_heater_temp_c(h);
            double slack = 1e-9 * (1.0 + fabs(lo) + (isfinite(hi) ? fabs(hi) : 0.0));
            if (!(isfinite(t) && t >= lo - slack && t <= hi + slack) && bad++ < 3) {
                fprintf(stderr, "\n  trial %d step %d (%g l, %g l/min, dt %g s): %g outside %g..%g",
                        trial, s, c.tank_l, flow, dt, t, lo, hi);
            }
        }
        water_heater_destroy(h);
    }
    ASSERT_EQ_U64(bad, 0);
}

/* ---- CT sensor --------------------------------------------------------------------------- */

/* What the firmware computes (spec §5.1): k * sqrt(mean((c - mean c)^2)) over a window of whole
 * mains cycles. Against the modelled current it reads sqrt(((1 + g) I)^2 + k^2 (sd^2 + 1/12)):
 * the gain error, the noise and the quantisation, nothing else, up to the clipping point. And each
 * noiseless sample is the documented sine, sqrt(2) I sin(2 pi f t + phi), through the front end. */
static void ct_firmware_rms_reads_the_modelled_current(void) {
    sim_prng_t r;
    sim_prng_init(&r, 17, sim_prng_stream_id("test.ct"));
    unsigned bad_rms = 0, bad_wave = 0;
    for (int trial = 0; trial < 600; trial++) {
        ct_sensor_cfg_t c;
        ct_sensor_cfg_default(&c);
        c.mains_hz = uniform(&r, 40.0, 70.0);
        c.phase_rad = uniform(&r, -10.0, 10.0);
        c.gain_error = uniform(&r, -0.05, 0.05);
        c.offset_error_counts = uniform(&r, -100.0, 100.0);
        c.noise_sd_counts = coin(&r, 1, 4) ? 0.0 : uniform(&r, 0.0, 3.0);
        sim_prng_t noise;
        sim_prng_init(&noise, (uint64_t)trial, sim_prng_stream_id("test.ct.noise"));
        ct_sensor_t *ct = NULL;
        ASSERT_EQ_I64(ct_sensor_create(&c, &noise, &ct), 0);
        double k = ct_sensor_amps_per_count(ct);
        double clip_a = (2047.0 - fabs(c.offset_error_counts) - 4.0 * c.noise_sd_counts) * k /
                        sqrt(2.0) / (1.0 + c.gain_error);
        double amps = uniform(&r, 0.0, clip_a - 0.5);
        sim_time_ns_t t0 = (sim_time_ns_t)sim_prng_below(&r, 3ull * 86400 * SIM_NS_PER_S);
        ct_sensor_set_rms(ct, t0, amps);
        static const uint32_t rates[] = {1000, 2000, 3000, 4000, 10000, 7919};
        uint32_t rate = rates[sim_prng_below(&r, 6)];
        size_t n = (size_t)floor(rate * 10.0 / c.mains_hz); /* about ten cycles */
        static uint16_t s[2600];
        SIM_ASSERT(n <= sizeof s / sizeof s[0]);
        sim_time_ns_t start = t0 + (sim_time_ns_t)sim_prng_below(&r, SIM_NS_PER_S);
        ct_sensor_fill_burst(ct, start, rate, n, s);
        double mean = 0.0, acc = 0.0;
        for (size_t i = 0; i < n; i++) {
            mean += s[i];
        }
        mean /= (double)n;
        for (size_t i = 0; i < n; i++) {
            acc += (s[i] - mean) * (s[i] - mean);
        }
        double est = k * sqrt(acc / (double)n);
        double g = (1.0 + c.gain_error) * amps;
        double want = sqrt(g * g + k * k * (c.noise_sd_counts * c.noise_sd_counts + 1.0 / 12.0));
        /* The window is ten cycles only to the nearest sample (1 %), plus the noise's own
         * sampling error. */
        double tol = 0.012 * want + 4.0 * k * (c.noise_sd_counts + 0.3) / sqrt((double)n) + 0.01;
        if (fabs(est - want) > tol && bad_rms++ < 3) {
            fprintf(stderr, "\n  trial %d: %g A at %g Hz, %u Hz: firmware reads %g, want %g", trial,
                    amps, c.mains_hz, rate, est, want);
        }
        if (c.noise_sd_counts == 0.0) {
            for (size_t i = 0; i < n; i++) {
                double ti = (double)(start - t0) + (double)((uint64_t)i * 1000000000u / rate);
                double phase = 2.0 * PI * c.mains_hz * ((double)t0 + ti) / 1e9 + c.phase_rad;
                double ideal = c.bias_counts + c.offset_error_counts +
                               (1.0 + c.gain_error) * sqrt(2.0) * amps * sin(phase) / k;
                /* Rounding, plus the phase drift of the frequency rounded to 2^-64 turn per ns
                 * (below 1e-5 cycles a day) at an instant up to three days into the run. */
                if (fabs(s[i] - ideal) > 0.5 + 1e-3 * amps / k && bad_wave++ < 3) {
                    fprintf(stderr, "\n  trial %d sample %zu: %u counts, ideal %g", trial, i, s[i],
                            ideal);
                }
            }
        }
        ct_sensor_destroy(ct);
    }
    ASSERT_EQ_U64(bad_rms, 0);
    ASSERT_EQ_U64(bad_wave, 0);
}

/* ---- BMS register map -------------------------------------------------------------------- */

static uint16_t u16_of(double v) {
    double x = floor(v + 0.5);
    return x <= 0.0 ? 0u : (x >= 65535.0 ? 65535u : (uint16_t)x);
}

/* An FC 03 reply for registers 0..8 says exactly what the battery state is: the scaling and
 * rounding of bms_modbus.h, the current signed (+ charging) and saturating at the s16 range, the
 * other words saturating at 0 and 65535. */
static void bms_registers_mirror_the_battery(void) {
    sim_kernel_t *k = NULL;
    ASSERT_EQ_I64(sim_kernel_create(1, &k), 0);
    sim_uart_line_cfg_t lc = {.name = "rs485", .baud = 9600};
    sim_uart_line_t *line = NULL;
    ASSERT_EQ_I64(sim_uart_line_create(k, &lc, &line), 0);
    sim_prng_t r;
    sim_prng_init(&r, 23, sim_prng_stream_id("test.bms_registers"));
    unsigned bad = 0;
    for (int trial = 0; trial < 2000; trial++) {
        battery_cfg_t c;
        draw_battery(&r, &c);
        battery_t *b = NULL;
        ASSERT_EQ_I64(battery_create(&c, &b), 0);
        bms_modbus_cfg_t mc;
        bms_modbus_cfg_default(&mc);
        bms_modbus_t *m = NULL;
        ASSERT_EQ_I64(bms_modbus_create(k, &mc, b, line, &m), 0);
        double amps = coin(&r, 1, 8) ? 0.0 : uniform(&r, -2500.0, 2500.0);
        (void)battery_step(b, amps, log_uniform(&r, 1e-3, 10.0));
        uint8_t req[8] = {0x01, 0x03, 0x00, 0x00, 0x00, 0x09};
        uint16_t crc = bms_modbus_crc16(req, 6);
        req[6] = (uint8_t)(crc & 0xFFu);
        req[7] = (uint8_t)(crc >> 8);
        uint8_t resp[BMS_MODBUS_FRAME_MAX];
        size_t n = bms_modbus_process(m, req, sizeof req, resp);
        ASSERT_EQ_U64(n, 3 + 18 + 2);
        uint16_t reg[9];
        for (int i = 0; i < 9; i++) {
            reg[i] = (uint16_t)(resp[3 + 2 * i] << 8 | resp[4 + 2 * i]);
        }
        double cur = battery_current_a(b);
        double raw_i = floor(cur * 100.0 + 0.5);
        int16_t want_i = (int16_t)(raw_i >= 32767.0 ? 32767 : (raw_i <= -32768.0 ? -32768 : raw_i));
        uint16_t want[9] = {
            u16_of(battery_voltage_v(b) * 10.0),
            (uint16_t)want_i,
            battery_alarms(b),
            u16_of(battery_soc(b) * 1000.0),
            u16_of(battery_cell_v_max(b) * 1000.0),
            u16_of(battery_cell_v_min(b) * 1000.0),
            (uint16_t)((battery_charge_enabled(b) ? 1u : 0u) |
                       (battery_discharge_enabled(b) ? 2u : 0u)),
            u16_of(battery_max_charge_a(b) * 10.0),
            u16_of(battery_max_discharge_a(b) * 10.0),
        };
        int16_t got_i = (int16_t)reg[1];
        bool sign_ok =
            (cur > 0.005 && got_i > 0) || (cur < -0.005 && got_i < 0) || fabs(cur) <= 0.005;
        bool within = fabs(cur) > 327.67 || fabs(got_i * 0.01 - cur) <= 0.005 + 1e-12;
        if ((memcmp(reg, want, sizeof reg) != 0 || !sign_ok || !within) && bad++ < 3) {
            fprintf(stderr, "\n  trial %d: %g A: reg1 %d (want %d), V %u/%u, soc %u/%u", trial, cur,
                    got_i, want_i, reg[0], want[0], reg[3], want[3]);
        }
        bms_modbus_destroy(m);
        battery_destroy(b);
    }
    ASSERT_EQ_U64(bad, 0);
    sim_uart_line_destroy(line);
    sim_kernel_destroy(k);
}

/* ---- calendar, loads and sun across midnight, year ends and leap days -------------------- */

/* Second by second through the days around midnights, a leap day and two year ends, at any UTC
 * offset: the civil time advances by exactly one second, the weekday and the day of the year
 * turn at midnight only, the home profile is continuous there, and the sun's output is a finite
 * non-negative power, 0 below the horizon and within the clear-sky bound. */
static void calendar_and_loads_turn_over_midnight(void) {
    static const calendar_civil_t starts[] = {
        {.year = 2023, .month = 12, .day = 31, .hour = 23},
        {.year = 2024, .month = 2, .day = 28, .hour = 23},
        {.year = 2024, .month = 2, .day = 29, .hour = 23},
        {.year = 2100, .month = 2, .day = 28, .hour = 23},
        {.year = 1999, .month = 12, .day = 31, .hour = 23},
    };
    home_load_cfg_t hc;
    home_load_cfg_default(&hc);
    home_load_t *home = NULL;
    ASSERT_EQ_I64(home_load_create(&hc, &home), 0);
    unsigned bad = 0;
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
        for (int32_t offset = -720; offset <= 840; offset += 390) {
            calendar_t cal;
            ASSERT_EQ_I64(calendar_init(&cal, &starts[i], offset), 0);
            pv_cfg_t pc;
            pv_cfg_default(&pc, &cal);
            pc.clouds = false;
            pc.latitude_deg = -60.0 + 30.0 * (double)i;
            sim_prng_t sky;
            sim_prng_init(&sky, 1, 1);
            pv_t *pv = NULL;
            ASSERT_EQ_I64(pv_create(&pc, &sky, &pv), 0);
            calendar_civil_t prev;
            calendar_at(&cal, 0, &prev);
            double p_prev = home_load_power_w(home, calendar_hour_of_day(&cal, 0) * 3600.0);
            double p_max = pc.kwp * 1098.0 * pc.performance_ratio;
            for (sim_time_ns_t s = 1; s <= 2 * 3600; s++) {
                sim_time_ns_t t = s * SIM_NS_PER_S;
                calendar_civil_t now;
                calendar_at(&cal, t, &now);
                bool new_day = now.day != prev.day;
                int64_t sod_prev = prev.hour * 3600 + prev.minute * 60 + prev.second;
                int64_t sod_now = now.hour * 3600 + now.minute * 60 + now.second;
                bool ok = sod_now == (new_day ? 0 : sod_prev + 1) &&
                          (uint32_t)sod_now == calendar_second_of_day(&cal, t) &&
                          now.weekday == (new_day ? (prev.weekday + 1) % 7 : prev.weekday) &&
                          (new_day ? (now.day_of_year == prev.day_of_year + 1 ||
                                      (now.day_of_year == 1 && now.month == 1 && now.day == 1))
                                   : now.day_of_year == prev.day_of_year) &&
                          (!new_day || now.day == 1 || now.day == prev.day + 1) &&
                          now.day <= calendar_days_in_month(now.year, now.month);
                double p = home_load_power_w(home, calendar_hour_of_day(&cal, t) * 3600.0);
                ok = ok && fabs(p - p_prev) < 1.0; /* the built-in profile moves < 0.4 W/s */
                double w = pv_step(pv, t);
                double el = pv_sun_elevation_deg(pv, t);
                ok = ok && isfinite(w) && w >= 0.0 && w <= p_max && (el > 0.0 || w == 0.0);
                if (!ok && bad++ < 3) {
                    fprintf(stderr,
                            "\n  start %zu offset %d t %lld s: %04d-%02u-%02u %02u:%02u:%02u"
                            " wd %u doy %u, home %g W, pv %g W at %g deg",
                            i, offset, (long long)s, now.year, now.month, now.day, now.hour,
                            now.minute, now.second, now.weekday, now.day_of_year, p, w, el);
                }
                prev = now;
                p_prev = p;
            }
            pv_destroy(pv);
        }
    }
    home_load_destroy(home);
    ASSERT_EQ_U64(bad, 0);
}

void test_register(void) {
    TEST_SUITE(
        "model_properties", TEST(plant_invariants_over_random_operating_points),
        TEST(plant_invariants_over_whole_days), TEST(published_limits_are_never_an_over_current),
        TEST(full_and_empty_packs_move_no_energy), TEST(step_limits_hold_any_step),
        TEST(heater_never_passes_its_equilibrium), TEST(ct_firmware_rms_reads_the_modelled_current),
        TEST(bms_registers_mirror_the_battery), TEST(calendar_and_loads_turn_over_midnight));
}
