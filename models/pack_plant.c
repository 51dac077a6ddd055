/*
 * pack_plant.c: building one pack's models and stepping them in a fixed order (pack_plant.h).
 */
#include "pack_plant.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 48

struct pack_plant {
    sim_kernel_t *k;
    pack_plant_cfg_t cfg;
    char name[NAME_MAX_LEN];
    battery_t *battery;
    inverter_t *inverter;
    grid_t *grid;
    home_load_t *home;
    pool_pump_t *pool;
    water_heater_t *heater;
    pv_t *pv;
    relay_t *relay[PACK_RELAYS];
    ct_sensor_t *ct[PACK_CTS];
    sim_event_id_t step_ev;

    inverter_flows_t flows;  /* of the last step */
    double pool_w, heater_w; /* delivered in the last step */
    bool grid_up;
    sim_time_ns_t t_last_ns;
    pack_plant_totals_t totals;
};

static const char *const relay_names[PACK_RELAYS] = {"R1", "R2", "R3", "R4"};

void pack_plant_cfg_default(pack_plant_cfg_t *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->name = "pack";
    cfg->step_ns = 100 * SIM_NS_PER_MS;
    cfg->ac_nominal_v = 220.0;
    calendar_civil_t start = {.year = 2024, .month = 6, .day = 21};
    (void)calendar_init(&cfg->calendar, &start, 60);
    battery_cfg_default(&cfg->battery);
    inverter_cfg_default(&cfg->inverter);
    grid_cfg_default(&cfg->grid);
    home_load_cfg_default(&cfg->home);
    pool_pump_cfg_default(&cfg->pool);
    water_heater_cfg_default(&cfg->heater);
    pv_cfg_default(&cfg->pv, NULL);
    for (unsigned i = 0; i < PACK_RELAYS; i++) {
        relay_cfg_default(&cfg->relays[i]);
        cfg->relays[i].name = relay_names[i];
    }
    /* R1 and R2 switch 50 A paths through contactors (spec §3.3): slower than the PCB relays. */
    for (unsigned i = PACK_R1_GRID; i <= PACK_R2_INVERTER; i++) {
        cfg->relays[i].operate_ns = 30 * SIM_NS_PER_MS;
        cfg->relays[i].release_ns = 20 * SIM_NS_PER_MS;
    }
    for (unsigned i = 0; i < PACK_CTS; i++) {
        ct_sensor_cfg_default(&cfg->ct[i]);
    }
}

/* ---- construction ------------------------------------------------------------------------ */

static int create_sources(pack_plant_t *p) {
    char stream[NAME_MAX_LEN + 16];
    sim_prng_t prng;
    int rc = battery_create(&p->cfg.battery, &p->battery);
    rc = rc ? rc : inverter_create(&p->cfg.inverter, &p->inverter);
    rc = rc ? rc : grid_create(&p->cfg.grid, &p->grid);
    if (rc == 0) {
        pv_cfg_t pc = p->cfg.pv;
        pc.calendar = &p->cfg.calendar;
        snprintf(stream, sizeof stream, "pv.%s", p->name);
        sim_kernel_prng(p->k, stream, &prng);
        rc = pv_create(&pc, &prng, &p->pv);
    }
    return rc;
}

static int create_loads(pack_plant_t *p) {
    int rc = home_load_create(&p->cfg.home, &p->home);
    rc = rc ? rc : pool_pump_create(&p->cfg.pool, &p->pool);
    rc = rc ? rc : water_heater_create(&p->cfg.heater, &p->heater);
    return rc;
}

static int create_devices(pack_plant_t *p) {
    char stream[NAME_MAX_LEN + 16];
    sim_prng_t prng;
    int rc = 0;
    for (unsigned i = 0; i < PACK_RELAYS && rc == 0; i++) {
        rc = relay_create(p->k, &p->cfg.relays[i], &p->relay[i]);
    }
    for (unsigned i = 0; i < PACK_CTS && rc == 0; i++) {
        snprintf(stream, sizeof stream, "ct.%s.%u", p->name, i + 1);
        sim_kernel_prng(p->k, stream, &prng);
        rc = ct_sensor_create(&p->cfg.ct[i], &prng, &p->ct[i]);
    }
    return rc;
}

int pack_plant_create(sim_kernel_t *k, const pack_plant_cfg_t *cfg, pack_plant_t **out) {
    *out = NULL;
    if (cfg->step_ns <= 0 || !(cfg->ac_nominal_v > 0.0) || !cfg->name ||
        strlen(cfg->name) >= NAME_MAX_LEN) {
        return -SIM_EINVAL;
    }
    pack_plant_t *p = calloc(1, sizeof *p);
    if (!p) {
        return -SIM_ENOMEM;
    }
    p->k = k;
    p->cfg = *cfg;
    memcpy(p->name, cfg->name, strlen(cfg->name) + 1);
    p->cfg.name = p->name;
    int rc = create_sources(p);
    rc = rc ? rc : create_loads(p);
    rc = rc ? rc : create_devices(p);
    if (rc != 0) {
        pack_plant_destroy(p);
        return rc;
    }
    *out = p;
    return 0;
}

void pack_plant_destroy(pack_plant_t *p) {
    if (!p) {
        return;
    }
    pack_plant_stop(p);
    for (unsigned i = 0; i < PACK_CTS; i++) {
        ct_sensor_destroy(p->ct[i]);
    }
    for (unsigned i = 0; i < PACK_RELAYS; i++) {
        relay_destroy(p->relay[i]);
    }
    water_heater_destroy(p->heater);
    pool_pump_destroy(p->pool);
    home_load_destroy(p->home);
    pv_destroy(p->pv);
    grid_destroy(p->grid);
    inverter_destroy(p->inverter);
    battery_destroy(p->battery);
    free(p);
}

/* ---- the step ---------------------------------------------------------------------------- */

/* Steps 1-3: what the world offers and asks for at the start of the step, in minute of the
 * local day `minute`. */
static void gather(pack_plant_t *p, sim_time_ns_t t, uint32_t minute, double dt_s,
                   inverter_in_t *in, double *pool_w, double *heater_w) {
    bool out_on = relay_connected(p->relay[PACK_R2_INVERTER]);
    p->grid_up = grid_available(p->grid, t);
    *pool_w = pool_pump_update(p->pool, minute, out_on && relay_connected(p->relay[PACK_R3_POOL]));
    *heater_w = out_on && relay_connected(p->relay[PACK_R4_HEATER])
                    ? water_heater_demand_w(p->heater)
                    : 0.0;
    double sod = calendar_hour_of_day(&p->cfg.calendar, t) * 3600.0;
    *in = (inverter_in_t){
        .pv_avail_w = pv_step(p->pv, t),
        .home_demand_w = home_load_power_w(p->home, sod) + *pool_w + *heater_w,
        .grid_connected = p->grid_up && relay_connected(p->relay[PACK_R1_GRID]),
        .output_connected = out_on,
        .batt_charge_w_max = battery_step_max_charge_w(p->battery, dt_s),
        .batt_discharge_w_max = battery_step_max_discharge_w(p->battery, dt_s),
        .soc = battery_soc(p->battery),
    };
}

/* Step 7: the RMS current each CT sees from t on. */
static void update_cts(pack_plant_t *p, sim_time_ns_t t, bool grid_conn) {
    const inverter_flows_t *f = &p->flows;
    double v_grid = grid_voltage_v(p->grid, t);
    double v_ac = grid_conn ? v_grid : p->cfg.ac_nominal_v;
    ct_sensor_set_rms(p->ct[PACK_CT_GRID], t, grid_conn ? f->grid_import_w / v_grid : 0.0);
    ct_sensor_set_rms(p->ct[PACK_CT_HOME], t, f->home_served_w / v_ac);
    ct_sensor_set_rms(p->ct[PACK_CT_POOL], t, p->pool_w / v_ac);
    ct_sensor_set_rms(p->ct[PACK_CT_HEATER], t, p->heater_w / v_ac);
    for (unsigned i = 0; i < PACK_CTS; i++) {
        ct_sensor_set_mains_hz(p->ct[i], t, grid_frequency_hz(p->grid));
    }
}

static void accumulate(pack_plant_t *p, double dt_s) {
    const inverter_flows_t *f = &p->flows;
    pack_plant_totals_t *tot = &p->totals;
    double h = dt_s / 3600.0;
    tot->pv_used_wh += f->pv_used_w * h;
    tot->pv_curtailed_wh += f->pv_curtailed_w * h;
    tot->home_served_wh += f->home_served_w * h;
    tot->home_unserved_wh += f->home_unserved_w * h;
    tot->loss_wh += f->loss_w * h;
    tot->grid_import_wh = grid_import_wh(p->grid);
    tot->batt_in_wh = battery_energy_in_wh(p->battery);
    tot->batt_out_wh = battery_energy_out_wh(p->battery);
    double r = fabs(f->energy_residual_w);
    tot->max_step_residual_w = r > tot->max_step_residual_w ? r : tot->max_step_residual_w;
    tot->steps++;
}

static void step(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)arg;
    pack_plant_t *p = ctx;
    sim_time_ns_t t = sim_kernel_now(k);
    double dt_s = (double)p->cfg.step_ns / 1e9;
    inverter_in_t in;
    double pool_w, heater_w;
    uint32_t minute = calendar_second_of_day(&p->cfg.calendar, t) / 60u;
    gather(p, t, minute, dt_s, &in, &pool_w, &heater_w);
    inverter_dispatch(p->inverter, &in, &p->flows);
    double amps = battery_current_for_power_a(p->battery, p->flows.batt_dc_w);
    (void)battery_step(p->battery, amps, dt_s);
    grid_meter_add(p->grid, p->flows.grid_import_w, p->cfg.step_ns);
    /* Brown-out: every load gets the same share of its demand. */
    double served = in.home_demand_w > 0.0 ? p->flows.home_served_w / in.home_demand_w : 1.0;
    p->pool_w = pool_w * served;
    p->heater_w = heater_w * served;
    water_heater_step(p->heater, p->heater_w, minute, dt_s);
    update_cts(p, t, in.grid_connected);
    accumulate(p, dt_s);
    p->t_last_ns = t;
    if (p->cfg.on_step) {
        p->cfg.on_step(p->cfg.on_step_ctx, p, t);
    }
    p->step_ev = sim_kernel_schedule_in(k, p->cfg.step_ns, SIM_PRIO_PHYSICS, step, p, 0);
}

int pack_plant_start(pack_plant_t *p) {
    if (p->step_ev != 0) {
        return -SIM_EBUSY;
    }
    p->step_ev = sim_kernel_schedule_in(p->k, 0, SIM_PRIO_PHYSICS, step, p, 0);
    return 0;
}

void pack_plant_stop(pack_plant_t *p) {
    if (p->step_ev != 0) {
        (void)sim_kernel_cancel(p->k, p->step_ev);
        p->step_ev = 0;
    }
}

/* ---- accessors --------------------------------------------------------------------------- */

battery_t *pack_plant_battery(pack_plant_t *p) {
    return p->battery;
}

inverter_t *pack_plant_inverter(pack_plant_t *p) {
    return p->inverter;
}

grid_t *pack_plant_grid(pack_plant_t *p) {
    return p->grid;
}

relay_t *pack_plant_relay(pack_plant_t *p, unsigned idx) {
    SIM_ASSERT(idx < PACK_RELAYS);
    return p->relay[idx];
}

ct_sensor_t *pack_plant_ct(pack_plant_t *p, unsigned idx) {
    SIM_ASSERT(idx < PACK_CTS);
    return p->ct[idx];
}

pv_t *pack_plant_pv(pack_plant_t *p) {
    return p->pv;
}

water_heater_t *pack_plant_heater(pack_plant_t *p) {
    return p->heater;
}

pool_pump_t *pack_plant_pool(pack_plant_t *p) {
    return p->pool;
}

home_load_t *pack_plant_home(pack_plant_t *p) {
    return p->home;
}

const calendar_t *pack_plant_calendar(const pack_plant_t *p) {
    return &p->cfg.calendar;
}

void pack_plant_fill_adc(pack_plant_t *p, uint32_t sample_rate_hz, uint16_t n_per_channel,
                         uint8_t channel_mask, sim_time_ns_t t_start_ns, uint16_t *samples) {
    uint16_t *out = samples;
    for (unsigned ch = 0; ch < PACK_CTS; ch++) {
        if (channel_mask & (1u << ch)) {
            ct_sensor_fill_burst(p->ct[ch], t_start_ns, sample_rate_hz, n_per_channel, out);
            out += n_per_channel;
        }
    }
}

/* floor(x + 0.5), saturated; truncation and a correction instead of floor(), a libm call here. */
static int32_t round_i32(double x) {
    double h = x + 0.5;
    if (h >= 2147483647.0) {
        return INT32_MAX;
    }
    if (!(h >= -2147483647.0)) {
        return INT32_MIN;
    }
    int32_t r = (int32_t)h;
    return (double)r > h ? r - 1 : r;
}

void pack_plant_snapshot(const pack_plant_t *p, pack_plant_snapshot_t *out) {
    const inverter_flows_t *f = &p->flows;
    *out = (pack_plant_snapshot_t){
        .t_ns = p->t_last_ns,
        .soc_permille = round_i32(battery_soc(p->battery) * 1000.0),
        .v_pack_mv = round_i32(battery_voltage_v(p->battery) * 1000.0),
        .i_batt_ma = round_i32(battery_current_a(p->battery) * 1000.0),
        .p_pv_w = round_i32(f->pv_used_w),
        .p_home_w = round_i32(f->home_served_w),
        .p_grid_w = round_i32(f->grid_import_w),
        .p_batt_w = round_i32(f->batt_dc_w),
        .p_pool_w = round_i32(p->pool_w),
        .p_heater_w = round_i32(p->heater_w),
        .p_unserved_w = round_i32(f->home_unserved_w),
        .p_curtailed_w = round_i32(f->pv_curtailed_w),
        .p_loss_w = round_i32(f->loss_w),
        .heater_temp_mc = round_i32(water_heater_temp_c(p->heater) * 1000.0),
        .grid_up = p->grid_up,
        .grid_import_mj = grid_import_mj(p->grid),
        .relay_mask = pack_plant_relay_mask(p),
    };
}

uint8_t pack_plant_relay_mask(const pack_plant_t *p) {
    uint8_t mask = 0;
    for (unsigned i = 0; i < PACK_RELAYS; i++) {
        mask |= (uint8_t)(relay_connected(p->relay[i]) ? 1u << i : 0u);
    }
    return mask;
}

bool pack_plant_grid_up(const pack_plant_t *p) {
    return p->grid_up;
}

void pack_plant_totals(const pack_plant_t *p, pack_plant_totals_t *out) {
    *out = p->totals;
}

const inverter_flows_t *pack_plant_flows(const pack_plant_t *p) {
    return &p->flows;
}
