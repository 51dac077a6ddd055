/*
 * scn_pack.c: a pack's "plant" object: the physical models behind one Energy-Pack.
 *
 * Every section fills the matching model configuration of pack_plant_cfg_t on top of what is
 * already there (model defaults, then the environment and the board), with units in the key
 * names. After its fields, each section is handed to its model's own constructor once, so a
 * combination the model refuses (a BMS release voltage above its cut voltage, a grid-charge
 * start above its stop) is a load error here rather than a failed run.
 */
#include <stdlib.h>
#include <string.h>

#include "scn_fields.h"
#include "scn_pack.h"
#include "scn_parts.h"
#include "scn_schema.h"

static const scn_field_t battery_fields[] = {
    SCN_UINT("cells_series", battery_cfg_t, cells_series, 1, 32),
    SCN_NUM("capacity_ah", battery_cfg_t, capacity_ah, 0.1, 10000),
    SCN_NUM("r_internal_mohm", battery_cfg_t, r_internal_mohm, 0, 10000),
    SCN_PCT("soc_percent", battery_cfg_t, soc_initial, 0, 100),
    SCN_PCT("cell_spread_percent", battery_cfg_t, cell_spread_soc, 0, 20),
    SCN_UINT("cell_charge_cut_mv", battery_cfg_t, cell_charge_cut_mv, 2000, 4500),
    SCN_UINT("cell_charge_release_mv", battery_cfg_t, cell_charge_release_mv, 2000, 4500),
    SCN_UINT("cell_discharge_cut_mv", battery_cfg_t, cell_discharge_cut_mv, 2000, 4500),
    SCN_UINT("cell_discharge_release_mv", battery_cfg_t, cell_discharge_release_mv, 2000, 4500),
    SCN_UINT("cell_cv_mv", battery_cfg_t, cell_cv_mv, 2000, 4500),
    SCN_UINT("cell_dvl_mv", battery_cfg_t, cell_dvl_mv, 2000, 4500),
    SCN_NUM("charge_a_max", battery_cfg_t, charge_a_max, 0, 2000),
    SCN_NUM("discharge_a_max", battery_cfg_t, discharge_a_max, 0, 2000),
};

static const scn_field_t inverter_fields[] = {
    SCN_NUM("ac_w_max", inverter_cfg_t, ac_w_max, 0, 1e6),
    SCN_NUM("pv_w_max", inverter_cfg_t, pv_w_max, 0, 1e6),
    SCN_NUM("charge_w_max", inverter_cfg_t, charge_w_max, 0, 1e6),
    SCN_NUM("discharge_w_max", inverter_cfg_t, discharge_w_max, 0, 1e6),
    SCN_NUM("grid_w_max", inverter_cfg_t, grid_w_max, 0, 1e6),
    SCN_PCT("eta_inverter_percent", inverter_cfg_t, eta_inverter, 1, 100),
    SCN_PCT("eta_charger_dc_percent", inverter_cfg_t, eta_charger_dc, 1, 100),
    SCN_PCT("eta_charger_ac_percent", inverter_cfg_t, eta_charger_ac, 1, 100),
    SCN_PCT("reserve_soc_percent", inverter_cfg_t, reserve_soc, 0, 100),
    SCN_BOOL("grid_charge", inverter_cfg_t, grid_charge),
    SCN_NUM("grid_charge_w", inverter_cfg_t, grid_charge_w, 0, 1e6),
    SCN_PCT("grid_charge_start_soc_percent", inverter_cfg_t, grid_charge_start_soc, 0, 100),
    SCN_PCT("grid_charge_stop_soc_percent", inverter_cfg_t, grid_charge_stop_soc, 0, 100),
};

static const scn_field_t grid_fields[] = {
    SCN_NUM("voltage_v", grid_cfg_t, voltage_v, 50, 500),
    SCN_NUM("frequency_hz", grid_cfg_t, frequency_hz, 40, 70),
};

static const scn_field_t pv_fields[] = {
    SCN_NUM("kwp", pv_cfg_t, kwp, 0, 1000),
    SCN_PCT("performance_ratio_percent", pv_cfg_t, performance_ratio, 0, 100),
};

static const scn_field_t relay_fields[] = {
    SCN_DUR("operate", relay_cfg_t, operate_ns, 0, 10),
    SCN_DUR("release", relay_cfg_t, release_ns, 0, 10),
    SCN_BOOL("normally_closed", relay_cfg_t, normally_closed),
};

static const scn_field_t ct_fields[] = {
    SCN_NUM("full_scale_a", ct_sensor_cfg_t, full_scale_a, 1, 1000),
    SCN_PCT("gain_error_percent", ct_sensor_cfg_t, gain_error, -50, 50),
    SCN_NUM("offset_error_counts", ct_sensor_cfg_t, offset_error_counts, -2048, 2048),
    SCN_NUM("noise_sd_counts", ct_sensor_cfg_t, noise_sd_counts, 0, 1000),
};

#define N_OF(a) (sizeof a / sizeof a[0])

static int refused(scn_ctx_t *c, const cJSON *v, int rc, const char *model) {
    if (rc == -SIM_ENOMEM) {
        return scn_fail_nomem(c);
    }
    return scn_fail_value(c, v, "the %s model refuses these values (%s)", model, sim_strerror(rc));
}

static int on_battery(scn_ctx_t *c, const cJSON *v, void *t) {
    pack_plant_cfg_t *p = t;
    int rc = scn_check_fields(c, v, battery_fields, N_OF(battery_fields), &p->battery);
    char why[160];
    if (rc == 0 && !battery_cfg_check(&p->battery, why, sizeof why)) {
        /* Each value is in its own range; this is a rule between two of them. */
        return scn_fail_value(c, v, "%s", why);
    }
    battery_t *b = NULL;
    if (rc == 0 && (rc = battery_create(&p->battery, &b)) != 0) {
        return refused(c, v, rc, "battery");
    }
    battery_destroy(b);
    return rc;
}

static int on_inverter(scn_ctx_t *c, const cJSON *v, void *t) {
    pack_plant_cfg_t *p = t;
    int rc = scn_check_fields(c, v, inverter_fields, N_OF(inverter_fields), &p->inverter);
    char why[160];
    if (rc == 0 && !inverter_cfg_check(&p->inverter, why, sizeof why)) {
        return scn_fail_value(c, v, "%s", why);
    }
    inverter_t *inv = NULL;
    if (rc == 0 && (rc = inverter_create(&p->inverter, &inv)) != 0) {
        return refused(c, v, rc, "inverter");
    }
    inverter_destroy(inv);
    return rc;
}

static int on_grid(scn_ctx_t *c, const cJSON *v, void *t) {
    return scn_check_fields(c, v, grid_fields, N_OF(grid_fields), &((pack_plant_cfg_t *)t)->grid);
}

static int on_pv(scn_ctx_t *c, const cJSON *v, void *t) {
    return scn_check_fields(c, v, pv_fields, N_OF(pv_fields), &((pack_plant_cfg_t *)t)->pv);
}

static const char *const relay_keys[PACK_RELAYS] = {"R1", "R2", "R3", "R4"};
static const char *const ct_keys[PACK_CTS] = {"CT1", "CT2", "CT3", "CT4"};

/* {"R1": {...}, "CT3": {...}}: named channels, each a field object. */
static int on_channels(scn_ctx_t *c, const cJSON *v, const char *const *names, size_t n,
                       const scn_field_t *fields, size_t nf, void *first, size_t stride) {
    scn_key_t keys[PACK_RELAYS];
    for (size_t i = 0; i < n; i++) {
        keys[i] = (scn_key_t){names[i], SCN_T_OBJECT, false, "an object of parameters", NULL};
    }
    int rc = scn_check_keys(c, v, keys, n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const cJSON *ch = cJSON_GetObjectItemCaseSensitive(v, names[i]);
        if (ch == NULL) {
            continue;
        }
        if (!cJSON_IsObject(ch)) {
            return scn_fail_value(c, ch, "expected an object of parameters, got %s",
                                  scn_type_name(ch));
        }
        rc = scn_check_fields(c, ch, fields, nf, (char *)first + i * stride);
    }
    return rc;
}

static int on_relays(scn_ctx_t *c, const cJSON *v, void *t) {
    pack_plant_cfg_t *p = t;
    return on_channels(c, v, relay_keys, PACK_RELAYS, relay_fields, N_OF(relay_fields), p->relays,
                       sizeof p->relays[0]);
}

static int on_ct(scn_ctx_t *c, const cJSON *v, void *t) {
    pack_plant_cfg_t *p = t;
    return on_channels(c, v, ct_keys, PACK_CTS, ct_fields, N_OF(ct_fields), p->ct, sizeof p->ct[0]);
}

static int on_step(scn_ctx_t *c, const cJSON *v, void *t) {
    pack_plant_cfg_t *p = t;
    sim_time_ns_t ns = 0;
    int rc = scn_duration_value(c, v, &ns);
    if (rc == 0 && (ns < SIM_NS_PER_MS || ns > 10 * SIM_NS_PER_S)) {
        return scn_fail_value(c, v, "expected a duration from 1ms to 10s");
    }
    p->step_ns = ns;
    return rc;
}

static int on_ac_v(scn_ctx_t *c, const cJSON *v, void *t) {
    return scn_number_in(c, v, 50, 500, &((pack_plant_cfg_t *)t)->ac_nominal_v);
}

#define OBJ(key, fn)                                                                               \
    { key, SCN_T_OBJECT, false, "an object of parameters", fn }

static const scn_key_t plant_keys[] = {
    {"step", SCN_T_STRING, false, "a duration such as \"100ms\"", on_step},
    {"ac_nominal_v", SCN_T_NUMBER, false, "a voltage such as 220", on_ac_v},
    OBJ("battery", on_battery),
    OBJ("inverter", on_inverter),
    OBJ("grid", on_grid),
    OBJ("pv", on_pv),
    OBJ("home", scn_on_plant_home),
    OBJ("pool", scn_on_plant_pool),
    OBJ("heater", scn_on_plant_heater),
    OBJ("relays", on_relays),
    OBJ("ct", on_ct),
};

int scn_on_node_plant(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scn_node_t *n = target;
    return scn_check_object(c, v, plant_keys, N_OF(plant_keys), &n->pack->plant);
}

int scn_pack_init(scn_ctx_t *c, sim_scn_node_t *n) {
    const sim_scn_env_t *env = &c->s->env;
    n->pack = calloc(1, sizeof *n->pack);
    if (n->pack == NULL) {
        return scn_fail_nomem(c);
    }
    pack_plant_cfg_t *p = &n->pack->plant;
    pack_plant_cfg_default(p);
    p->name = n->name;
    p->calendar = env->calendar;
    p->pv.latitude_deg = env->latitude_deg;
    p->pv.longitude_deg = env->longitude_deg;
    p->pv.clouds = env->sky.clouds;
    memcpy(p->pv.attenuation, env->sky.attenuation, sizeof p->pv.attenuation);
    memcpy(p->pv.transition_ppm, env->sky.transition_ppm, sizeof p->pv.transition_ppm);
    p->pv.cloud_tau_s = env->sky.cloud_tau_s;
    memcpy(p->grid.outages, env->outages, sizeof p->grid.outages);
    p->grid.n_outages = env->n_outages;
    if (env->load.points != NULL) {
        p->home.points = env->load.points;
        p->home.n_points = env->load.n_points;
    }
    p->home.scale = env->load.scale;
    bms_modbus_cfg_default(&n->pack->bms);
    n->pack->bms.name = n->name;
    n->pack->bms_fault = BMS_FAULT_NONE;
    return 0;
}

void scn_pack_apply_board(sim_scn_pack_t *p, const sim_scn_board_t *b) {
    for (unsigned i = 0; i < PACK_CTS; i++) {
        p->plant.ct[i].full_scale_a = b->ct[i].full_scale_a;
    }
}
