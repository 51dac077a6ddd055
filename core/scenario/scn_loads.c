/*
 * scn_loads.c: the loads of a pack's plant: home base load, pool pump, water heater.
 *
 * Daily windows are written as local times of day, {"from": "10:00", "to": "16:00"}; the pump's
 * windows may run over midnight (pool_pump.h), the heater's hot-water draws may not
 * (water_heater.h: end after start). Each section is confirmed by building its model once.
 */
#include <string.h>

#include "scn_fields.h"
#include "scn_pack.h"
#include "scn_schema.h"

#define N_OF(a) (sizeof a / sizeof a[0])

static int on_home_profile(scn_ctx_t *c, const cJSON *v, void *t) {
    home_load_cfg_t *h = t;
    int idx = -1;
    int rc = scn_profile_value(c, v, &idx);
    if (rc == 0) {
        h->points = c->s->profiles[idx].points;
        h->n_points = c->s->profiles[idx].n_points;
    }
    return rc;
}

static int on_home_scale(scn_ctx_t *c, const cJSON *v, void *t) {
    return scn_number_in(c, v, 0, 100, &((home_load_cfg_t *)t)->scale);
}

static const scn_key_t home_keys[] = {
    {"profile", SCN_T_ARRAY | SCN_T_STRING, false,
     "points [[t_s, power_w], ...] or a CSV file name", on_home_profile},
    {"scale", SCN_T_NUMBER, false, "a factor such as 1.5", on_home_scale},
};

int scn_on_plant_home(scn_ctx_t *c, const cJSON *v, void *target) {
    pack_plant_cfg_t *p = target;
    return scn_check_object(c, v, home_keys, N_OF(home_keys), &p->home);
}

/* {"from": "HH:MM", "to": "HH:MM"} plus, for draws, "flow_l_per_min". */
static int read_window(scn_ctx_t *c, const cJSON *w, bool flow, uint16_t *from, uint16_t *to,
                       double *flow_l) {
    static const scn_key_t keys[] = {
        {"from", SCN_T_STRING, true, "a time of day \"HH:MM\"", NULL},
        {"to", SCN_T_STRING, true, "a time of day \"HH:MM\"", NULL},
        {"flow_l_per_min", SCN_T_NUMBER, true, "a flow in l/min", NULL},
    };
    if (!cJSON_IsObject(w)) {
        return scn_fail_value(c, w,
                              "expected a window such as {\"from\": \"10:00\", \"to\": "
                              "\"16:00\"}, got %s",
                              scn_type_name(w));
    }
    int rc = scn_check_keys(c, w, keys, flow ? 3 : 2);
    rc = rc ? rc : scn_hhmm_value(c, cJSON_GetObjectItemCaseSensitive(w, "from"), from);
    rc = rc ? rc : scn_hhmm_value(c, cJSON_GetObjectItemCaseSensitive(w, "to"), to);
    if (rc == 0 && flow) {
        rc =
            scn_number_in(c, cJSON_GetObjectItemCaseSensitive(w, "flow_l_per_min"), 0, 100, flow_l);
        if (rc == 0 && *to <= *from) {
            rc = scn_fail_value(c, cJSON_GetObjectItemCaseSensitive(w, "to"),
                                "a draw must end after it starts on the same day");
        }
    }
    return rc;
}

static int on_pool_windows(scn_ctx_t *c, const cJSON *v, void *t) {
    pool_pump_cfg_t *p = t;
    if (cJSON_GetArraySize(v) > POOL_PUMP_WINDOWS_MAX) {
        return scn_fail_value(c, v, "at most %d windows", POOL_PUMP_WINDOWS_MAX);
    }
    size_t i = 0;
    for (const cJSON *w = v->child; w != NULL; w = w->next, i++) {
        int rc = read_window(c, w, false, &p->windows[i].start_min, &p->windows[i].end_min, NULL);
        if (rc != 0) {
            return rc;
        }
    }
    p->n_windows = i;
    return 0;
}

static int on_pool_power(scn_ctx_t *c, const cJSON *v, void *t) {
    return scn_number_in(c, v, 0, 1e5, &((pool_pump_cfg_t *)t)->power_w);
}

static const scn_key_t pool_keys[] = {
    {"power_w", SCN_T_NUMBER, false, "a power in W such as 750", on_pool_power},
    {"windows", SCN_T_ARRAY, false, "an array of {\"from\": \"10:00\", \"to\": \"16:00\"}",
     on_pool_windows},
};

int scn_on_plant_pool(scn_ctx_t *c, const cJSON *v, void *target) {
    pack_plant_cfg_t *p = target;
    return scn_check_object(c, v, pool_keys, N_OF(pool_keys), &p->pool);
}

static const scn_field_t heater_fields[] = {
    SCN_NUM("element_w", water_heater_cfg_t, element_w, 0, 1e5),
    SCN_NUM("tank_l", water_heater_cfg_t, tank_l, 1, 10000),
    SCN_NUM("setpoint_c", water_heater_cfg_t, setpoint_c, 0, 100),
    SCN_NUM("hysteresis_c", water_heater_cfg_t, hysteresis_c, 0, 50),
    SCN_NUM("ambient_c", water_heater_cfg_t, ambient_c, -40, 60),
    SCN_NUM("inlet_c", water_heater_cfg_t, inlet_c, 0, 60),
    SCN_NUM("loss_w_per_k", water_heater_cfg_t, loss_w_per_k, 0, 1000),
    SCN_NUM("initial_c", water_heater_cfg_t, initial_c, 0, 100),
};

static int heater_draws(scn_ctx_t *c, const cJSON *v, water_heater_cfg_t *h) {
    if (!cJSON_IsArray(v)) {
        return scn_fail_value(c, v, "expected an array of draws, got %s", scn_type_name(v));
    }
    if (cJSON_GetArraySize(v) > WATER_HEATER_DRAWS_MAX) {
        return scn_fail_value(c, v, "at most %d draws", WATER_HEATER_DRAWS_MAX);
    }
    size_t i = 0;
    for (const cJSON *w = v->child; w != NULL; w = w->next, i++) {
        water_heater_draw_t *d = &h->draws[i];
        int rc = read_window(c, w, true, &d->start_min, &d->end_min, &d->flow_l_per_min);
        if (rc != 0) {
            return rc;
        }
    }
    h->n_draws = i;
    return 0;
}

int scn_on_plant_heater(scn_ctx_t *c, const cJSON *v, void *target) {
    pack_plant_cfg_t *p = target;
    scn_key_t keys[SCN_FIELDS_MAX + 1];
    size_t n = scn_field_keys(heater_fields, N_OF(heater_fields), keys);
    keys[n++] = (scn_key_t){"draws", SCN_T_ARRAY, false, "an array of draws", NULL};
    int rc = scn_check_keys(c, v, keys, n);
    rc = rc ? rc : scn_store_fields(c, v, heater_fields, N_OF(heater_fields), &p->heater);
    const cJSON *draws = cJSON_GetObjectItemCaseSensitive(v, "draws");
    if (rc == 0 && draws != NULL) {
        rc = heater_draws(c, draws, &p->heater);
    }
    water_heater_t *w = NULL;
    if (rc == 0 && (rc = water_heater_create(&p->heater, &w)) != 0) {
        return rc == -SIM_ENOMEM ? scn_fail_nomem(c)
                                 : scn_fail_value(c, v,
                                                  "the water heater model refuses these values "
                                                  "(the setpoint must be above the inlet)");
    }
    water_heater_destroy(w);
    return rc;
}
