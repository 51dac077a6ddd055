/*
 * pv.c: sun position, clear-sky output and cloud chain (equations in pv.h).
 */
#include "pv.h"

#include <math.h>
#include <stdlib.h>

#define DEG (3.14159265358979323846 / 180.0)

/* What the sun's position needs from the date: sin(lat) sin(decl), cos(lat) cos(decl), and the
 * equation of time. */
typedef struct {
    double sin_sin, cos_cos, eot_min;
} sun_day_t;

struct pv {
    pv_cfg_t cfg;
    sim_prng_t sky;
    int state;
    double attenuation;
    sim_time_ns_t t_last_ns;
    sim_time_ns_t next_minute_ns; /* next instant the chain may change state */
    double scale;                 /* a scenario's output factor; 1 = as configured */
    /* pv_step's caches: the sun's terms of the local day `day` (they change once a day), and the
     * cloud filter's factor for the interval dt_s (the plant steps at a fixed interval). */
    int64_t day;
    sun_day_t sun;
    double filter_dt_s, filter_k;
};

void pv_cfg_default(pv_cfg_t *cfg, const calendar_t *cal) {
    *cfg = (pv_cfg_t){
        .kwp = 5.0,
        .latitude_deg = 6.45,
        .longitude_deg = 3.40,
        .performance_ratio = 0.80,
        .calendar = cal,
        .clouds = true,
        .attenuation = {1.0, 0.6, 0.25},
        /* Per minute. Expected stay: clear ~60 min, broken ~20 min, overcast ~30 min. */
        .transition_ppm = {{983000, 15000, 2000}, {40000, 950000, 10000}, {10000, 23333, 966667}},
        .cloud_tau_s = 60.0,
    };
}

static bool cfg_valid(const pv_cfg_t *c) {
    if (!c->calendar || !(c->kwp >= 0.0) || !(fabs(c->latitude_deg) <= 90.0) ||
        !(c->performance_ratio >= 0.0) || !(c->cloud_tau_s >= 0.0)) {
        return false;
    }
    for (int i = 0; i < PV_SKY_STATES; i++) {
        uint64_t sum = 0;
        for (int j = 0; j < PV_SKY_STATES; j++) {
            sum += c->transition_ppm[i][j];
        }
        if (!(c->attenuation[i] >= 0.0 && c->attenuation[i] <= 1.0) || sum > 1000000u) {
            return false;
        }
    }
    return true;
}

int pv_create(const pv_cfg_t *cfg, const sim_prng_t *sky, pv_t **out) {
    *out = NULL;
    if (!cfg_valid(cfg)) {
        return -SIM_EINVAL;
    }
    pv_t *pv = calloc(1, sizeof *pv);
    if (!pv) {
        return -SIM_ENOMEM;
    }
    pv->cfg = *cfg;
    pv->sky = *sky;
    pv->state = PV_CLEAR;
    pv->scale = 1.0;
    pv->attenuation = cfg->clouds ? cfg->attenuation[PV_CLEAR] : 1.0;
    pv->next_minute_ns = 60 * SIM_NS_PER_S;
    pv->day = INT64_MIN; /* no day cached yet */
    pv->filter_dt_s = -1.0;
    *out = pv;
    return 0;
}

void pv_destroy(pv_t *pv) {
    free(pv);
}

static void sun_day_at(const pv_cfg_t *c, sim_time_ns_t t_ns, sun_day_t *out) {
    calendar_civil_t civ;
    calendar_at(c->calendar, t_ns, &civ);
    double n = civ.day_of_year;
    double decl = 23.45 * DEG * sin(360.0 / 365.0 * (284.0 + n) * DEG);
    double b = 360.0 / 364.0 * (n - 81.0) * DEG;
    double lat = c->latitude_deg * DEG;
    out->sin_sin = sin(lat) * sin(decl);
    out->cos_cos = cos(lat) * cos(decl);
    out->eot_min = 9.87 * sin(2.0 * b) - 7.53 * cos(b) - 1.5 * sin(b);
}

static double sin_elevation(const pv_cfg_t *c, const sun_day_t *d, sim_time_ns_t t_ns) {
    double local_min = calendar_hour_of_day(c->calendar, t_ns) * 60.0;
    double solar_min =
        local_min + d->eot_min + 4.0 * c->longitude_deg - (double)c->calendar->utc_offset_min;
    double hour_angle = 15.0 * (solar_min / 60.0 - 12.0) * DEG;
    return d->sin_sin + d->cos_cos * cos(hour_angle);
}

double pv_sun_elevation_deg(const pv_t *pv, sim_time_ns_t t_ns) {
    sun_day_t d;
    sun_day_at(&pv->cfg, t_ns, &d);
    return asin(sin_elevation(&pv->cfg, &d, t_ns)) / DEG;
}

/* Clear-sky irradiance for the sine of the sun's elevation, W/m2; 0 with the sun down. */
static double clear_sky_ghi(double s) {
    return s > 0.0 ? 1098.0 * s * exp(-0.057 / s) : 0.0;
}

/* Clear-sky output for the sine of the sun's elevation s and its irradiance ghi. */
static double clear_sky_w(const pv_t *pv, double s, double ghi) {
    if (s <= 0.0) {
        return 0.0;
    }
    return pv->cfg.kwp * ghi * pv->cfg.performance_ratio;
}

double pv_clear_sky_w(const pv_t *pv, sim_time_ns_t t_ns) {
    sun_day_t d;
    sun_day_at(&pv->cfg, t_ns, &d);
    double s = sin_elevation(&pv->cfg, &d, t_ns);
    return clear_sky_w(pv, s, clear_sky_ghi(s));
}

/*
 * The sun is a pure function of the site, the calendar and the time, and every pack of a run
 * steps at the same instants at the same site: the first pack to step at an instant computes
 * it (a cos, an exp, the hour of day), the others find it here. One entry per thread; any
 * other key is computed afresh, so the answer is always the one computed from scratch.
 */
typedef struct {
    sim_time_ns_t t_ns;
    int64_t start_local_s;
    int32_t utc_offset_min;
    double latitude_deg, longitude_deg;
    double sin_el, ghi;
    bool valid;
} sun_memo_t;

static _Thread_local sun_memo_t sun_memo;

/* The sine of the sun's elevation at t_ns into *sin_el, and its clear-sky irradiance. */
static double step_ghi(const pv_t *pv, sim_time_ns_t t_ns, double *sin_el) {
    const pv_cfg_t *c = &pv->cfg;
    sun_memo_t *m = &sun_memo;
    if (!(m->valid && m->t_ns == t_ns && m->start_local_s == c->calendar->start_local_s &&
          m->utc_offset_min == c->calendar->utc_offset_min && m->latitude_deg == c->latitude_deg &&
          m->longitude_deg == c->longitude_deg)) {
        double s = sin_elevation(c, &pv->sun, t_ns);
        *m = (sun_memo_t){.t_ns = t_ns,
                          .start_local_s = c->calendar->start_local_s,
                          .utc_offset_min = c->calendar->utc_offset_min,
                          .latitude_deg = c->latitude_deg,
                          .longitude_deg = c->longitude_deg,
                          .sin_el = s,
                          .ghi = clear_sky_ghi(s),
                          .valid = true};
    }
    *sin_el = m->sin_el;
    return m->ghi;
}

/* One minute of the chain: pick the next state by walking the row's cumulative ppm. */
static void sky_transition(pv_t *pv) {
    const uint32_t *row = pv->cfg.transition_ppm[pv->state];
    uint64_t r = sim_prng_below(&pv->sky, 1000000u);
    uint64_t acc = 0;
    for (int j = 0; j < PV_SKY_STATES; j++) {
        acc += row[j];
        if (r < acc) {
            pv->state = j;
            return;
        }
    }
    /* A row summing below 1e6 leaves the remainder as "stay". */
}

double pv_step(pv_t *pv, sim_time_ns_t t_ns) {
    SIM_ASSERT(t_ns >= pv->t_last_ns);
    if (pv->cfg.clouds) {
        while (t_ns >= pv->next_minute_ns) {
            sky_transition(pv);
            pv->next_minute_ns += 60 * SIM_NS_PER_S;
        }
        double dt_s = (double)(t_ns - pv->t_last_ns) / 1e9;
        double target = pv->cfg.attenuation[pv->state];
        if (dt_s != pv->filter_dt_s) {
            pv->filter_dt_s = dt_s;
            pv->filter_k = pv->cfg.cloud_tau_s > 0.0 ? 1.0 - exp(-dt_s / pv->cfg.cloud_tau_s) : 1.0;
        }
        pv->attenuation += (target - pv->attenuation) * pv->filter_k;
    }
    pv->t_last_ns = t_ns;
    int64_t local_s = calendar_local_s(pv->cfg.calendar, t_ns);
    int64_t day = (local_s - (local_s < 0 ? 86399 : 0)) / 86400; /* floor: the civil date's key */
    if (day != pv->day) {
        pv->day = day;
        sun_day_at(&pv->cfg, t_ns, &pv->sun);
    }
    double sin_el;
    double ghi = step_ghi(pv, t_ns, &sin_el);
    double s = clear_sky_w(pv, sin_el, ghi);
    return s * pv->attenuation * pv->scale;
}

void pv_set_scale(pv_t *pv, double scale) {
    pv->scale = scale >= 0.0 ? scale : 0.0;
}

int pv_sky_state(const pv_t *pv) {
    return pv->state;
}

double pv_attenuation(const pv_t *pv) {
    return pv->attenuation;
}
