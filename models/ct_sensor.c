/*
 * ct_sensor.c: CT channel waveform and ADC front end (contract and arithmetic in ct_sensor.h).
 */
#include "ct_sensor.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

typedef struct {
    sim_time_ns_t t_ns;
    double rms_a;
} rms_point_t;

struct ct_sensor {
    ct_sensor_cfg_t cfg;
    sim_prng_t noise;
    double k_a_per_count;
    /* History ring of RMS changes, oldest at `head`. Starts with 0 A from t = 0. */
    rms_point_t hist[CT_SENSOR_HISTORY];
    unsigned head, count;
    /* Phase bookkeeping: cycles elapsed at t_ref_ns, running at hz from there on. */
    sim_time_ns_t t_ref_ns;
    double cycles_ref;
    double hz;
    ct_sensor_stats_t stats;
};

static const double TWO_PI = 6.283185307179586;

void ct_sensor_cfg_default(ct_sensor_cfg_t *cfg) {
    *cfg = (ct_sensor_cfg_t){
        .full_scale_a = 50.0,
        .peak_counts_fs = 2000.0,
        .ratio = 2000.0,
        .vref_v = 3.3,
        .bias_counts = 2048.0,
        .offset_error_counts = 0.0,
        .gain_error = 0.0,
        .noise_sd_counts = 0.5,
        .mains_hz = 50.0,
        .phase_rad = 0.0,
    };
}

int ct_sensor_create(const ct_sensor_cfg_t *cfg, const sim_prng_t *noise, ct_sensor_t **out) {
    *out = NULL;
    if (!(cfg->full_scale_a > 0.0 && cfg->peak_counts_fs > 0.0 && cfg->mains_hz > 0.0) ||
        cfg->noise_sd_counts < 0.0) {
        return -SIM_EINVAL;
    }
    ct_sensor_t *ct = calloc(1, sizeof *ct);
    if (!ct) {
        return -SIM_ENOMEM;
    }
    ct->cfg = *cfg;
    ct->noise = *noise;
    ct->k_a_per_count = cfg->full_scale_a * sqrt(2.0) / cfg->peak_counts_fs;
    ct->hist[0] = (rms_point_t){0, 0.0};
    ct->count = 1;
    ct->hz = cfg->mains_hz;
    *out = ct;
    return 0;
}

void ct_sensor_destroy(ct_sensor_t *ct) {
    free(ct);
}

double ct_sensor_amps_per_count(const ct_sensor_t *ct) {
    return ct->k_a_per_count;
}

double ct_sensor_burden_ohm(const ct_sensor_t *ct) {
    const ct_sensor_cfg_t *c = &ct->cfg;
    double v_peak_fs = c->peak_counts_fs * c->vref_v / 4096.0;
    double i_s_peak_fs = c->full_scale_a * sqrt(2.0) / c->ratio;
    return v_peak_fs / i_s_peak_fs;
}

static const rms_point_t *hist_at(const ct_sensor_t *ct, unsigned i) {
    return &ct->hist[(ct->head + i) % CT_SENSOR_HISTORY];
}

void ct_sensor_set_rms(ct_sensor_t *ct, sim_time_ns_t t_ns, double rms_a) {
    SIM_ASSERT(rms_a >= 0.0);
    const rms_point_t *last = hist_at(ct, ct->count - 1);
    SIM_ASSERT(t_ns >= last->t_ns);
    if (t_ns == last->t_ns) {
        ct->hist[(ct->head + ct->count - 1) % CT_SENSOR_HISTORY].rms_a = rms_a;
        return;
    }
    if (ct->count == CT_SENSOR_HISTORY) {
        ct->head = (ct->head + 1) % CT_SENSOR_HISTORY; /* forget the oldest */
        ct->count--;
    }
    ct->hist[(ct->head + ct->count) % CT_SENSOR_HISTORY] = (rms_point_t){t_ns, rms_a};
    ct->count++;
}

/* Value in force at t; *miss when t is older than everything kept. Scans from the newest, since
 * bursts read the recent past. */
static double rms_lookup(const ct_sensor_t *ct, sim_time_ns_t t_ns, bool *miss) {
    for (unsigned i = ct->count; i-- > 0;) {
        const rms_point_t *p = hist_at(ct, i);
        if (p->t_ns <= t_ns) {
            *miss = false;
            return p->rms_a;
        }
    }
    *miss = true;
    return hist_at(ct, 0)->rms_a;
}

double ct_sensor_rms_at(const ct_sensor_t *ct, sim_time_ns_t t_ns) {
    bool miss;
    return rms_lookup(ct, t_ns, &miss);
}

static double cycles_at(const ct_sensor_t *ct, sim_time_ns_t t_ns) {
    return ct->cycles_ref + ct->hz * (double)(t_ns - ct->t_ref_ns) / 1e9;
}

void ct_sensor_set_mains_hz(ct_sensor_t *ct, sim_time_ns_t t_ns, double hz) {
    SIM_ASSERT(hz > 0.0);
    double c = cycles_at(ct, t_ns);
    ct->cycles_ref = c - floor(c); /* only the fraction matters; keeps the magnitude small */
    ct->t_ref_ns = t_ns;
    ct->hz = hz;
}

static uint16_t quantise(ct_sensor_t *ct, double counts) {
    double r = floor(counts + 0.5);
    if (r <= 0.0 || r >= CT_SENSOR_ADC_MAX) {
        ct->stats.clipped++;
        return r <= 0.0 ? 0 : CT_SENSOR_ADC_MAX;
    }
    return (uint16_t)r;
}

static uint16_t sample_at(ct_sensor_t *ct, sim_time_ns_t t_ns) {
    const ct_sensor_cfg_t *c = &ct->cfg;
    bool miss;
    double rms = rms_lookup(ct, t_ns, &miss);
    if (miss) {
        ct->stats.history_misses++;
    }
    double cyc = cycles_at(ct, t_ns);
    double i_inst = sqrt(2.0) * rms * sin(TWO_PI * (cyc - floor(cyc)) + c->phase_rad);
    double counts = c->bias_counts + c->offset_error_counts +
                    (1.0 + c->gain_error) * i_inst / ct->k_a_per_count;
    if (c->noise_sd_counts > 0.0) {
        counts += c->noise_sd_counts * sim_prng_gauss(&ct->noise);
    }
    ct->stats.samples++;
    return quantise(ct, counts);
}

void ct_sensor_fill_burst(ct_sensor_t *ct, sim_time_ns_t t_start_ns, uint32_t sample_rate_hz,
                          size_t n, uint16_t *out) {
    SIM_ASSERT(sample_rate_hz > 0);
    for (size_t i = 0; i < n; i++) {
        /* Exact integer sample instants: no drift over long bursts. */
        sim_time_ns_t t = t_start_ns + (sim_time_ns_t)((uint64_t)i * 1000000000u / sample_rate_hz);
        out[i] = sample_at(ct, t);
    }
}

void ct_sensor_stats(const ct_sensor_t *ct, ct_sensor_stats_t *out) {
    *out = ct->stats;
}
