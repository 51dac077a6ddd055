/*
 * ct_sensor.c: CT channel waveform and ADC front end (contract and arithmetic in ct_sensor.h).
 */
#include "ct_sensor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ct_counts.h"
#include "ct_noise.h"
#include "ct_simd.h"
#include "ct_wave.h"

typedef struct {
    sim_time_ns_t t_ns;
    double rms_a;
} rms_point_t;

struct ct_sensor {
    ct_sensor_cfg_t cfg;
    sim_prng_t noise;
    double k_a_per_count;
    /* Counts per ampere of instantaneous current, gain error included. */
    double counts_per_a;
    /* History ring of RMS changes, oldest at `head`. Starts with 0 A from t = 0. */
    rms_point_t hist[CT_SENSOR_HISTORY];
    unsigned head, count;
    /* Phase in turns as a 64-bit binary fraction (2^64 = one cycle): phase_ref at t_ref_ns, and
     * from there on turn_per_ns per nanosecond. Integer arithmetic modulo 2^64 makes the phase at
     * any instant exact and independent of how the samples are split into bursts. */
    sim_time_ns_t t_ref_ns;
    uint64_t phase_ref;
    uint64_t turn_per_ns;
    double turn_hz; /* the frequency turn_per_ns was last converted from */
    /* cos and sin of the sampling interval's multiples (bursts at a whole number of ns). */
    ct_wave_table_t wave;
    ct_sensor_stats_t stats;
};

/* 2^64 / 1e9: turns per ns as a binary fraction, per Hz. */
static const double TURN_PER_NS_PER_HZ = 18446744073.709551616;
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

static uint64_t turn_per_ns(double hz) {
    /* 1 MHz keeps the product far below 2^63; mains frequencies are near 50 or 60 Hz. */
    SIM_ASSERT(hz > 0.0 && hz < 1e6);
    return (uint64_t)(hz * TURN_PER_NS_PER_HZ + 0.5);
}

/* An angle in radians as a binary fraction of a turn. */
static uint64_t phase_of_rad(double rad) {
    double turns = rad / TWO_PI;
    double frac = (turns - floor(turns)) * 0x1.0p64;
    return frac >= 0x1.0p64 ? 0 : (uint64_t)frac;
}

int ct_sensor_create(const ct_sensor_cfg_t *cfg, const sim_prng_t *noise, ct_sensor_t **out) {
    *out = NULL;
    if (!(cfg->full_scale_a > 0.0 && cfg->peak_counts_fs > 0.0 && cfg->mains_hz > 0.0 &&
          cfg->mains_hz < 1e6) ||
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
    ct->counts_per_a = (1.0 + cfg->gain_error) / ct->k_a_per_count;
    ct->hist[0] = (rms_point_t){0, 0.0};
    ct->count = 1;
    ct->phase_ref = phase_of_rad(cfg->phase_rad);
    ct->turn_per_ns = turn_per_ns(cfg->mains_hz);
    ct->turn_hz = cfg->mains_hz;
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

/* Index of the entry in force at t, or -1 when t is older than everything kept. Scans from the
 * newest, since bursts read the recent past. */
static int hist_find(const ct_sensor_t *ct, sim_time_ns_t t_ns) {
    for (unsigned i = ct->count; i-- > 0;) {
        if (hist_at(ct, i)->t_ns <= t_ns) {
            return (int)i;
        }
    }
    return -1;
}

double ct_sensor_rms_at(const ct_sensor_t *ct, sim_time_ns_t t_ns) {
    int i = hist_find(ct, t_ns);
    return hist_at(ct, i < 0 ? 0 : (unsigned)i)->rms_a;
}

static uint64_t phase_at(const ct_sensor_t *ct, sim_time_ns_t t_ns) {
    /* Modulo 2^64 on purpose: whole turns drop out, and an instant before t_ref wraps to the
     * phase extrapolated backwards. */
    return ct->phase_ref + ct->turn_per_ns * ((uint64_t)t_ns - (uint64_t)ct->t_ref_ns);
}

void ct_sensor_set_mains_hz(ct_sensor_t *ct, sim_time_ns_t t_ns, double hz) {
    if (memcmp(&hz, &ct->turn_hz, sizeof hz) == 0) {
        return; /* the plant repeats the frequency every step: already converted and checked */
    }
    SIM_ASSERT(hz > 0.0);
    ct->turn_hz = hz;
    uint64_t turn = turn_per_ns(hz);
    if (turn == ct->turn_per_ns) {
        return; /* a value that rounds to the same rate: the phase runs on unchanged */
    }
    ct->phase_ref = phase_at(ct, t_ns);
    ct->t_ref_ns = t_ns;
    ct->turn_per_ns = turn;
}

/* One burst: its start, its sampling interval, and a sample clock for intervals that are not a
 * whole number of ns (t_start + floor(i * 1e9 / rate), stepped without a division per sample). */
typedef struct {
    sim_time_ns_t t_start_ns;
    uint64_t phase0, turn_per_ns, step_ns, step_phase;
    uint32_t rate, step_rem, rem;
    uint64_t phase; /* the clock: phase of the next sample */
} burst_t;

/* Samples per pass: a pass's waveform and noise sit on the stack (2 KiB). */
#define CHUNK CT_WAVE_TABLE

/* First sample index at or after t_end_ns (> t_start_ns), at most n. */
static size_t index_at(const burst_t *b, sim_time_ns_t t_end_ns, size_t n) {
    uint64_t d = (uint64_t)t_end_ns - (uint64_t)b->t_start_ns;
    uint64_t span_ns = (uint64_t)n * 1000000000u / b->rate; /* t_n - t_start, at most 1 ns less */
    if (d > span_ns) {
        return n;
    }
    /* t_i >= t_end  <=>  i * 1e9 / rate >= d  <=>  i >= ceil(d * rate / 1e9). */
    return (size_t)((d * b->rate + 999999999u) / 1000000000u);
}

/* acc[k] += amp * sin(phase) at samples [i, i + m): exact phase at each table block, else
 * stepped. */
static void add_wave(ct_sensor_t *ct, burst_t *b, double amp, size_t i, size_t m, double *acc) {
    if (b->step_rem == 0) {
        size_t block = i / CT_WAVE_TABLE * CT_WAVE_TABLE;
        uint64_t p0 = b->phase0 + b->step_phase * (uint64_t)block;
        ct_wave_add(&ct->wave, p0, amp, i - block, m, acc);
        return;
    }
    for (size_t k = 0; k < m; k++) {
        acc[k] += amp * ct_wave_sin(b->phase);
        b->phase += b->step_phase;
        b->rem += b->step_rem;
        if (b->rem >= b->rate) {
            b->rem -= b->rate;
            b->phase += b->turn_per_ns;
        }
    }
}

#if defined(__SSE2__)
#include <emmintrin.h>

/* Two clamped samples as int32 in the low lanes; clipped ones added to *cnt (a mask lane is -1,
 * so subtracting it counts one). */
static inline __m128i two_counts(__m128d h, __m128i *cnt) {
    const __m128d one = _mm_set1_pd(1.0), zero = _mm_setzero_pd();
    const __m128d top = _mm_set1_pd((double)CT_SENSOR_ADC_MAX);
    __m128d clip = _mm_or_pd(_mm_cmplt_pd(h, one), _mm_cmpge_pd(h, top));
    *cnt = _mm_sub_epi64(*cnt, _mm_castpd_si128(clip));
    return _mm_cvttpd_epi32(_mm_min_pd(_mm_max_pd(h, zero), top));
}

/* Four samples at a time. Clamping to [0, 4095] before truncation gives the same counts as the
 * scalar rule (h < 1 gives 0, h >= 4095 gives 4095). Returns how many samples it did. */
static size_t counts_sse2(double base, const double *acc, size_t m, uint16_t *out,
                          uint64_t *clipped) {
    const __m128d vbase = _mm_set1_pd(base);
    __m128i cnt = _mm_setzero_si128();
    size_t k = 0;
    for (; k + 4 <= m; k += 4) {
        __m128i lo = two_counts(_mm_add_pd(vbase, _mm_loadu_pd(acc + k)), &cnt);
        __m128i hi = two_counts(_mm_add_pd(vbase, _mm_loadu_pd(acc + k + 2)), &cnt);
        __m128i four = _mm_unpacklo_epi64(lo, hi);
        _mm_storel_epi64((__m128i *)(void *)(out + k), _mm_packs_epi32(four, four));
    }
    uint64_t lanes[2];
    _mm_storeu_si128((__m128i *)(void *)lanes, cnt);
    *clipped += lanes[0] + lanes[1];
    return k;
}
#endif

/* The base of every count: truncating counts + 0.5 rounds them (at least 1 there). */
static double count_base(const ct_sensor_t *ct) {
    return ct->cfg.bias_counts + ct->cfg.offset_error_counts + 0.5;
}

/* Counts from the waveform plus noise: rounding by truncating counts + 0.5 (at least 1 there),
 * clipping counted. */
static void make_counts(ct_sensor_t *ct, const double *acc, size_t m, uint16_t *out) {
    double base = count_base(ct);
    uint64_t clipped = 0;
    size_t k = 0;
#if defined(__SSE2__)
    k = counts_sse2(base, acc, m, out, &clipped);
#endif
    for (; k < m; k++) {
        out[k] = ct_counts_one(base + acc[k], &clipped);
    }
    ct->stats.clipped += clipped;
}

/* Wave and counts of samples [i, i + m) (one table block, noise in acc) in one sweep, where
 * the host has AVX2 and the burst uses the table; returns 0 when it cannot. */
static int wave_counts_fused(ct_sensor_t *ct, const burst_t *b, double amp, size_t i, size_t m,
                             const double *acc, uint16_t *out) {
#if CT_SIMD_X86
    if (b->step_rem == 0 && ct_simd_path() == CT_SIMD_AVX2) {
        size_t block = i / CT_WAVE_TABLE * CT_WAVE_TABLE;
        double a_sin, a_cos;
        ct_wave_weights(b->phase0 + b->step_phase * (uint64_t)block, amp, &a_sin, &a_cos);
        ct_counts_wave_avx2(acc, ct->wave.cos_j + (i - block), ct->wave.sin_j + (i - block), a_sin,
                            a_cos, count_base(ct), m, out, &ct->stats.clipped);
        return 1;
    }
#else
    (void)ct;
    (void)b;
    (void)amp;
    (void)i;
    (void)m;
    (void)acc;
    (void)out;
#endif
    return 0;
}

/* Samples [i, end) at one RMS value, in passes that do not cross a table block. */
static void fill_range(ct_sensor_t *ct, burst_t *b, double rms_a, size_t i, size_t end,
                       uint16_t *out) {
    double amp = sqrt(2.0) * rms_a * ct->counts_per_a;
    double sd = ct->cfg.noise_sd_counts;
    double acc[CHUNK + 1]; /* + 1: the wave is added in pairs */
    while (i < end) {
        size_t block_end = (i / CHUNK + 1) * CHUNK;
        size_t m = (end < block_end ? end : block_end) - i;
        if (sd > 0.0) {
            ct_noise_fill(&ct->noise, sd, acc, m);
        } else {
            memset(acc, 0, m * sizeof acc[0]);
        }
        if (!wave_counts_fused(ct, b, amp, i, m, acc, out + i)) {
            acc[m] = 0.0;
            add_wave(ct, b, amp, i, m, acc);
            make_counts(ct, acc, m, out + i);
        }
        i += m;
    }
}

void ct_sensor_fill_burst(ct_sensor_t *ct, sim_time_ns_t t_start_ns, uint32_t sample_rate_hz,
                          size_t n, uint16_t *out) {
    SIM_ASSERT(sample_rate_hz > 0 && n < (UINT64_C(1) << 32));
    burst_t b = {.t_start_ns = t_start_ns,
                 .phase0 = phase_at(ct, t_start_ns),
                 .turn_per_ns = ct->turn_per_ns,
                 .step_ns = 1000000000u / sample_rate_hz,
                 .rate = sample_rate_hz,
                 .step_rem = 1000000000u % sample_rate_hz};
    b.step_phase = b.turn_per_ns * b.step_ns;
    b.phase = b.phase0;
    if (b.step_rem == 0) {
        ct_wave_table_use(&ct->wave, b.step_phase);
    }
    /* The history is looked up once; the burst is split where the next entry takes over. */
    int h = hist_find(ct, t_start_ns);
    size_t i = 0;
    while (i < n) {
        unsigned next = (unsigned)(h + 1);
        size_t end = next < ct->count ? index_at(&b, hist_at(ct, next)->t_ns, n) : n;
        fill_range(ct, &b, hist_at(ct, h < 0 ? 0 : (unsigned)h)->rms_a, i, end, out);
        if (h < 0) {
            ct->stats.history_misses += end - i;
        }
        i = end;
        h++;
    }
    ct->stats.samples += n;
}

void ct_sensor_stats(const ct_sensor_t *ct, ct_sensor_stats_t *out) {
    *out = ct->stats;
}
