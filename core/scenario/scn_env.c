/*
 * scn_env.c: the "environment" object: local start time and zone, place, weather, the home load
 * profile shared by every pack, a measured PV day, and the utility's outage schedule.
 *
 * Weather presets name a cloud chain of pv.h: "clear" (no clouds), "variable" (the model's
 * default: mostly clear, passing broken cloud, rare overcast spells) and "cloudy" (mostly broken
 * and overcast). An object may start from a preset and override the chain's numbers.
 */
#include <stdio.h>
#include <string.h>

#include "scn_fields.h"
#include "scn_pack.h"
#include "scn_parts.h"
#include "scn_schema.h"

#define N_OF(a) (sizeof a / sizeof a[0])

static const uint32_t cloudy_ppm[PV_SKY_STATES][PV_SKY_STATES] = {
    {900000, 90000, 10000}, {20000, 940000, 40000}, {2000, 30000, 968000}};

static void sky_preset(sim_scn_sky_t *sky, const char *name) {
    pv_cfg_t d;
    pv_cfg_default(&d, NULL);
    snprintf(sky->preset, sizeof sky->preset, "%s", name);
    sky->clouds = strcmp(name, "clear") != 0;
    memcpy(sky->attenuation, d.attenuation, sizeof sky->attenuation);
    if (strcmp(name, "cloudy") == 0) {
        memcpy(sky->transition_ppm, cloudy_ppm, sizeof sky->transition_ppm);
    } else {
        memcpy(sky->transition_ppm, d.transition_ppm, sizeof sky->transition_ppm);
    }
    sky->cloud_tau_s = d.cloud_tau_s;
}

void scn_env_default(sim_scn_env_t *env) {
    pack_plant_cfg_t p;
    pack_plant_cfg_default(&p);
    memset(env, 0, sizeof *env);
    env->calendar = p.calendar;
    env->latitude_deg = p.pv.latitude_deg;
    env->longitude_deg = p.pv.longitude_deg;
    sky_preset(&env->sky, "variable");
    env->load.scale = 1.0;
    env->pv.scale = 1.0;
}

static int on_start(scn_ctx_t *c, const cJSON *v, void *t) {
    sim_scn_env_t *env = t;
    calendar_civil_t civ;
    if (calendar_parse(v->valuestring, &civ) != 0 ||
        calendar_init(&env->calendar, &civ, env->calendar.utc_offset_min) != 0) {
        return scn_fail_value(c, v, "expected a local date and time \"YYYY-MM-DDTHH:MM[:SS]\"");
    }
    return 0;
}

/* "+01:00", "-05:30", "Z". */
static int on_utc_offset(scn_ctx_t *c, const cJSON *v, void *t) {
    sim_scn_env_t *env = t;
    const char *s = v->valuestring;
    int min = 0;
    bool ok = strcmp(s, "Z") == 0;
    if (!ok && strlen(s) == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':') {
        int d[4] = {s[1] - '0', s[2] - '0', s[4] - '0', s[5] - '0'};
        ok = d[0] >= 0 && d[0] <= 9 && d[1] >= 0 && d[1] <= 9 && d[2] >= 0 && d[2] <= 5 &&
             d[3] >= 0 && d[3] <= 9 && d[0] * 10 + d[1] <= 14;
        min = (d[0] * 10 + d[1]) * 60 + d[2] * 10 + d[3];
        min = s[0] == '-' ? -min : min;
    }
    if (!ok) {
        return scn_fail_value(c, v,
                              "expected a UTC offset such as \"+01:00\", \"-05:30\" or "
                              "\"Z\"");
    }
    /* Keep the local start time; only the zone changes. */
    env->calendar.utc_offset_min = min;
    return 0;
}

static int on_location(scn_ctx_t *c, const cJSON *v, void *t) {
    static const scn_field_t f[] = {
        SCN_NUM("latitude_deg", sim_scn_env_t, latitude_deg, -90, 90),
        SCN_NUM("longitude_deg", sim_scn_env_t, longitude_deg, -180, 180),
    };
    return scn_check_fields(c, v, f, N_OF(f), t);
}

static int weather_preset(scn_ctx_t *c, const cJSON *v, sim_scn_sky_t *sky) {
    static const char *const presets[] = {"clear", "variable", "cloudy"};
    for (size_t i = 0; i < N_OF(presets); i++) {
        if (strcmp(v->valuestring, presets[i]) == 0) {
            sky_preset(sky, presets[i]);
            return 0;
        }
    }
    return scn_fail_value(c, v,
                          "expected a weather preset: \"clear\", \"variable\" or "
                          "\"cloudy\"");
}

static int number_row(scn_ctx_t *c, const cJSON *row, double lo, double hi, double *out,
                      uint32_t *out_u) {
    if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != PV_SKY_STATES) {
        return scn_fail_value(c, row, "expected %d numbers (clear, broken, overcast)",
                              PV_SKY_STATES);
    }
    size_t i = 0;
    for (const cJSON *e = row->child; e != NULL; e = e->next, i++) {
        uint64_t u = 0;
        int rc = out != NULL ? scn_number_in(c, e, lo, hi, &out[i])
                             : scn_uint_in(c, e, (uint64_t)lo, (uint64_t)hi, &u);
        if (rc != 0) {
            return rc;
        }
        if (out_u != NULL) {
            out_u[i] = (uint32_t)u;
        }
    }
    return 0;
}

static int weather_object(scn_ctx_t *c, const cJSON *v, sim_scn_sky_t *sky) {
    static const scn_key_t keys[] = {
        {"preset", SCN_T_STRING, false, "\"clear\", \"variable\" or \"cloudy\"", NULL},
        {"cloud_tau", SCN_T_STRING, false, "a duration such as \"60s\"", NULL},
        {"attenuation", SCN_T_ARRAY, false, "3 factors from 0 to 1", NULL},
        {"transition_ppm", SCN_T_ARRAY, false, "3 rows of 3 ppm per minute", NULL},
    };
    int rc = scn_check_keys(c, v, keys, N_OF(keys));
    const cJSON *m[4];
    for (size_t i = 0; i < 4; i++) {
        m[i] = cJSON_GetObjectItemCaseSensitive(v, keys[i].name);
    }
    rc = rc || m[0] == NULL ? rc : weather_preset(c, m[0], sky);
    if (rc == 0 && m[1] != NULL) {
        sim_time_ns_t ns = 0;
        rc = scn_duration_value(c, m[1], &ns);
        sky->cloud_tau_s = (double)ns / (double)SIM_NS_PER_S;
    }
    rc = rc || m[2] == NULL ? rc : number_row(c, m[2], 0, 1, sky->attenuation, NULL);
    if (rc == 0 && m[3] != NULL) {
        if (cJSON_GetArraySize(m[3]) != PV_SKY_STATES) {
            return scn_fail_value(c, m[3], "expected 3 rows (from clear, broken, overcast)");
        }
        size_t i = 0;
        for (const cJSON *row = m[3]->child; rc == 0 && row != NULL; row = row->next, i++) {
            rc = number_row(c, row, 0, 1000000, NULL, sky->transition_ppm[i]);
            uint64_t sum = (uint64_t)sky->transition_ppm[i][0] + sky->transition_ppm[i][1] +
                           sky->transition_ppm[i][2];
            if (rc == 0 && sum > 1000000) {
                rc = scn_fail_value(c, row, "a row sums to at most 1000000 ppm");
            }
        }
    }
    if (rc == 0 && (m[1] != NULL || m[2] != NULL || m[3] != NULL)) {
        snprintf(sky->preset, sizeof sky->preset, "custom");
    }
    return rc;
}

static int on_weather(scn_ctx_t *c, const cJSON *v, void *t) {
    sim_scn_env_t *env = t;
    if (cJSON_IsString(v)) {
        return weather_preset(c, v, &env->sky);
    }
    return weather_object(c, v, &env->sky);
}

/* {"profile": ..., "scale": 1.2} for "load" and "pv". */
static int profile_object(scn_ctx_t *c, const cJSON *v, sim_scn_profile_t *p) {
    static const scn_key_t keys[] = {
        {"profile", SCN_T_ARRAY | SCN_T_STRING, false, "points or a CSV file name", NULL},
        {"scale", SCN_T_NUMBER, false, "a factor such as 1.5", NULL},
    };
    int rc = scn_check_keys(c, v, keys, N_OF(keys));
    const cJSON *prof = cJSON_GetObjectItemCaseSensitive(v, "profile");
    const cJSON *scale = cJSON_GetObjectItemCaseSensitive(v, "scale");
    int idx = -1;
    if (rc == 0 && prof != NULL) {
        if (!cJSON_IsArray(prof) && !cJSON_IsString(prof)) {
            return scn_fail_value(c, prof, "expected points or a CSV file name, got %s",
                                  scn_type_name(prof));
        }
        rc = scn_profile_value(c, prof, &idx);
        if (rc == 0) {
            p->points = c->s->profiles[idx].points;
            p->n_points = c->s->profiles[idx].n_points;
        }
    }
    return rc || scale == NULL ? rc : scn_number_in(c, scale, 0, 100, &p->scale);
}

static int on_load(scn_ctx_t *c, const cJSON *v, void *t) {
    return profile_object(c, v, &((sim_scn_env_t *)t)->load);
}

static int on_pv(scn_ctx_t *c, const cJSON *v, void *t) {
    return profile_object(c, v, &((sim_scn_env_t *)t)->pv);
}

static int outage(scn_ctx_t *c, const cJSON *o, grid_outage_t *out) {
    static const scn_key_t keys[] = {
        {"at", SCN_T_STRING, true, "a time such as \"2h\"", NULL},
        {"for", SCN_T_STRING, true, "a duration such as \"30m\"", NULL},
    };
    if (!cJSON_IsObject(o)) {
        return scn_fail_value(c, o,
                              "expected an outage such as {\"at\": \"2h\", \"for\": "
                              "\"30m\"}, got %s",
                              scn_type_name(o));
    }
    int rc = scn_check_keys(c, o, keys, N_OF(keys));
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(o, "at");
    const cJSON *len = cJSON_GetObjectItemCaseSensitive(o, "for");
    sim_time_ns_t for_ns = 0;
    for (size_t i = 0; rc == 0 && i < N_OF(keys); i++) {
        const cJSON *m = i == 0 ? at : len;
        if (!cJSON_IsString(m)) {
            rc = scn_fail_value(c, m, "expected %s, got %s", keys[i].expect, scn_type_name(m));
        }
    }
    rc = rc ? rc : scn_time_value(c, at, &out->start_ns);
    rc = rc ? rc : scn_duration_value(c, len, &for_ns);
    if (rc == 0 && for_ns == 0) {
        rc = scn_fail_value(c, len, "expected a duration more than 0");
    }
    out->end_ns = sim_time_add(out->start_ns, for_ns);
    return rc;
}

int scn_on_outages(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scn_env_t *env = target;
    if (cJSON_GetArraySize(v) > GRID_OUTAGES_MAX) {
        return scn_fail_value(c, v, "at most %d outages", GRID_OUTAGES_MAX);
    }
    size_t i = 0;
    for (const cJSON *o = v->child; o != NULL; o = o->next, i++) {
        int rc = outage(c, o, &env->outages[i]);
        if (rc == 0 && i > 0 && env->outages[i].start_ns < env->outages[i - 1].end_ns) {
            rc = scn_fail_value(c, cJSON_GetObjectItemCaseSensitive(o, "at"),
                                "starts before the previous outage ends (list outages in time "
                                "order, without overlap)");
        }
        if (rc != 0) {
            return rc;
        }
    }
    env->n_outages = i;
    return 0;
}

#define ENV_KEY(key, types, expect, fn)                                                            \
    { key, types, false, expect, fn }

static const scn_key_t env_keys[] = {
    ENV_KEY("utc_offset", SCN_T_STRING, "a UTC offset such as \"+01:00\"", on_utc_offset),
    ENV_KEY("start", SCN_T_STRING, "a local date and time such as \"2024-06-21T06:00\"", on_start),
    ENV_KEY("location", SCN_T_OBJECT, "{\"latitude_deg\": 6.45, \"longitude_deg\": 3.4}",
            on_location),
    ENV_KEY("weather", SCN_T_STRING | SCN_T_OBJECT, "a preset such as \"cloudy\" or an object",
            on_weather),
    ENV_KEY("load", SCN_T_OBJECT, "{\"profile\": ..., \"scale\": 1}", on_load),
    ENV_KEY("pv", SCN_T_OBJECT, "{\"profile\": ..., \"scale\": 1}", on_pv),
    ENV_KEY("grid_outages", SCN_T_ARRAY, "an array of {\"at\": \"2h\", \"for\": \"30m\"}",
            scn_on_outages),
};

int scn_on_environment(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scenario_t *s = target;
    return scn_check_object(c, v, env_keys, N_OF(env_keys), &s->env);
}
