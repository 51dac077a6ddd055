/*
 * CT sensor front end: the RMS the firmware's nominal conversion recovers, clipping above range,
 * gain and offset errors, the current history across a burst, determinism of the noise.
 */
#include <math.h>

#include "ct_sensor.h"
#include "sim_prng.h"
#include "test_support.h"

#define N_SAMPLES 2000u /* 200 ms at 10 kHz: ten 50 Hz cycles */
#define RATE_HZ   10000u

static ct_sensor_t *make(const ct_sensor_cfg_t *cfg, uint64_t seed) {
    sim_prng_t p;
    sim_prng_init(&p, seed, sim_prng_stream_id("ct.test"));
    ct_sensor_t *ct = NULL;
    ASSERT_EQ_I64(ct_sensor_create(cfg, &p, &ct), 0);
    return ct;
}

/* The firmware's estimate (spec §5.1): I = k * sqrt(mean((adc - bias)^2)), bias = window mean. */
static double nominal_rms(const uint16_t *s, size_t n) {
    const double k = 50.0 * sqrt(2.0) / 2000.0;
    double mean = 0.0, acc = 0.0;
    for (size_t i = 0; i < n; i++) {
        mean += s[i];
    }
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) {
        acc += (s[i] - mean) * (s[i] - mean);
    }
    return k * sqrt(acc / (double)n);
}

static void ten_amps_read_within_one_percent(void) {
    ct_sensor_cfg_t cfg;
    ct_sensor_cfg_default(&cfg);
    ct_sensor_t *ct = make(&cfg, 1);
    ct_sensor_set_rms(ct, 0, 10.0);
    uint16_t s[N_SAMPLES];
    ct_sensor_fill_burst(ct, 7 * SIM_NS_PER_MS, RATE_HZ, N_SAMPLES, s);
    ASSERT_NEAR(nominal_rms(s, N_SAMPLES), 10.0, 0.1);
    /* A 10 A sine peaks at 2048 +- 400 counts (2000 counts at 50 A). */
    uint16_t lo = 4095, hi = 0;
    for (size_t i = 0; i < N_SAMPLES; i++) {
        lo = s[i] < lo ? s[i] : lo;
        hi = s[i] > hi ? s[i] : hi;
    }
    ASSERT_NEAR(hi, 2048 + 400, 3);
    ASSERT_NEAR(lo, 2048 - 400, 3);
    ct_sensor_stats_t st;
    ct_sensor_stats(ct, &st);
    ASSERT_EQ_U64(st.samples, N_SAMPLES);
    ASSERT_EQ_U64(st.clipped, 0);
    ct_sensor_destroy(ct);
}

static void nominal_scaling_and_burden(void) {
    ct_sensor_cfg_t cfg;
    ct_sensor_cfg_default(&cfg);
    ct_sensor_t *ct = make(&cfg, 1);
    ASSERT_NEAR(ct_sensor_amps_per_count(ct), 0.0353553, 1e-6);
    /* 2000 counts of 3.3 V / 4096 across R_b with 50 A * sqrt(2) / 2000 flowing: 45.6 Ohm. */
    ASSERT_NEAR(ct_sensor_burden_ohm(ct), 45.57, 0.01);
    ct_sensor_destroy(ct);
}

static void over_range_clips(void) {
    ct_sensor_cfg_t cfg;
    ct_sensor_cfg_default(&cfg);
    ct_sensor_t *ct = make(&cfg, 2);
    ct_sensor_set_rms(ct, 0, 60.0);
    uint16_t s[N_SAMPLES];
    ct_sensor_fill_burst(ct, 0, RATE_HZ, N_SAMPLES, s);
    size_t at_top = 0, at_bottom = 0;
    for (size_t i = 0; i < N_SAMPLES; i++) {
        at_top += s[i] == 4095;
        at_bottom += s[i] == 0;
    }
    CU_ASSERT_TRUE(at_top > 50 && at_bottom > 50);
    ct_sensor_stats_t st;
    ct_sensor_stats(ct, &st);
    ASSERT_EQ_U64(st.clipped, at_top + at_bottom);
    /* Clipped peaks read low: the firmware cannot see 60 A. */
    double rms = nominal_rms(s, N_SAMPLES);
    CU_ASSERT_TRUE(rms < 57.0 && rms > 45.0);
    ct_sensor_destroy(ct);
}

static void gain_and_offset_errors(void) {
    ct_sensor_cfg_t cfg;
    ct_sensor_cfg_default(&cfg);
    cfg.gain_error = 0.03;
    cfg.offset_error_counts = 40.0;
    ct_sensor_t *ct = make(&cfg, 3);
    ct_sensor_set_rms(ct, 0, 20.0);
    uint16_t s[N_SAMPLES];
    ct_sensor_fill_burst(ct, 0, RATE_HZ, N_SAMPLES, s);
    ASSERT_NEAR(nominal_rms(s, N_SAMPLES), 20.6, 0.15);
    double mean = 0.0;
    for (size_t i = 0; i < N_SAMPLES; i++) {
        mean += s[i];
    }
    ASSERT_NEAR(mean / N_SAMPLES, 2088.0, 1.0);
    ct_sensor_destroy(ct);
}

static void zero_current_is_below_noise_floor(void) {
    ct_sensor_cfg_t cfg;
    ct_sensor_cfg_default(&cfg);
    ct_sensor_t *ct = make(&cfg, 4);
    uint16_t s[N_SAMPLES];
    ct_sensor_fill_burst(ct, 0, RATE_HZ, N_SAMPLES, s);
    double rms = nominal_rms(s, N_SAMPLES);
    CU_ASSERT_TRUE(rms > 0.0 && rms < 0.2);
    ct_sensor_destroy(ct);
}

/* A burst straddling a physics step sees each value at its own instants. */
static void burst_follows_history(void) {
    ct_sensor_cfg_t cfg;
    ct_sensor_cfg_default(&cfg);
    cfg.noise_sd_counts = 0.0;
    ct_sensor_t *ct = make(&cfg, 5);
    ct_sensor_set_rms(ct, 0, 5.0);
    ct_sensor_set_rms(ct, 100 * SIM_NS_PER_MS, 15.0);
    ASSERT_NEAR(ct_sensor_rms_at(ct, 99 * SIM_NS_PER_MS), 5.0, 0.0);
    ASSERT_NEAR(ct_sensor_rms_at(ct, 100 * SIM_NS_PER_MS), 15.0, 0.0);
    uint16_t s[N_SAMPLES];
    ct_sensor_fill_burst(ct, 0, RATE_HZ, N_SAMPLES, s);
    ASSERT_NEAR(nominal_rms(s, N_SAMPLES / 2), 5.0, 0.05);
    ASSERT_NEAR(nominal_rms(s + N_SAMPLES / 2, N_SAMPLES / 2), 15.0, 0.05);
    ct_sensor_destroy(ct);
}

static void noise_is_seeded(void) {
    ct_sensor_cfg_t cfg;
    ct_sensor_cfg_default(&cfg);
    cfg.noise_sd_counts = 3.0;
    ct_sensor_t *a = make(&cfg, 9), *b = make(&cfg, 9), *c = make(&cfg, 10);
    uint16_t sa[256], sb[256], sc[256];
    ct_sensor_set_rms(a, 0, 8.0);
    ct_sensor_set_rms(b, 0, 8.0);
    ct_sensor_set_rms(c, 0, 8.0);
    ct_sensor_fill_burst(a, 0, RATE_HZ, 256, sa);
    ct_sensor_fill_burst(b, 0, RATE_HZ, 256, sb);
    ct_sensor_fill_burst(c, 0, RATE_HZ, 256, sc);
    CU_ASSERT_EQUAL(memcmp(sa, sb, sizeof sa), 0);
    CU_ASSERT_NOT_EQUAL(memcmp(sa, sc, sizeof sa), 0);
    ct_sensor_destroy(a);
    ct_sensor_destroy(b);
    ct_sensor_destroy(c);
}

/* Successive bursts continue the same sine: 60 Hz over 3 s gives an exact whole number of
 * cycles per 1/60 s window, and the phase at the joint matches a single long burst. */
static void phase_is_continuous(void) {
    ct_sensor_cfg_t cfg;
    ct_sensor_cfg_default(&cfg);
    cfg.noise_sd_counts = 0.0;
    ct_sensor_t *a = make(&cfg, 1), *b = make(&cfg, 1);
    ct_sensor_set_rms(a, 0, 30.0);
    ct_sensor_set_rms(b, 0, 30.0);
    ct_sensor_set_mains_hz(a, 0, 60.0);
    ct_sensor_set_mains_hz(b, 0, 60.0);
    uint16_t whole[400], part[400];
    ct_sensor_fill_burst(a, SIM_NS_PER_S, RATE_HZ, 400, whole);
    ct_sensor_fill_burst(b, SIM_NS_PER_S, RATE_HZ, 200, part);
    ct_sensor_fill_burst(b, SIM_NS_PER_S + 20 * SIM_NS_PER_MS, RATE_HZ, 200, part + 200);
    CU_ASSERT_EQUAL(memcmp(whole, part, sizeof whole), 0);
    ct_sensor_destroy(a);
    ct_sensor_destroy(b);
}

/* Without noise every sample is the rounded ideal waveform at its exact instant: checked against
 * libm at 10 kHz and at 3 kHz (an interval of 333 333.3 ns, stepped in whole ns), from an odd
 * start, across table blocks, a history step and a frequency change. */
static void samples_are_the_ideal_waveform(void) {
    const uint32_t rates[2] = {RATE_HZ, 3000u};
    for (int r = 0; r < 2; r++) {
        ct_sensor_cfg_t cfg;
        ct_sensor_cfg_default(&cfg);
        cfg.noise_sd_counts = 0.0;
        cfg.phase_rad = 0.3;
        ct_sensor_t *ct = make(&cfg, 6);
        ct_sensor_set_rms(ct, 0, 12.0);
        ct_sensor_set_mains_hz(ct, 0, 49.9);
        ct_sensor_set_rms(ct, 1100 * SIM_NS_PER_MS, 31.0);
        uint16_t s[N_SAMPLES];
        sim_time_ns_t t0 = SIM_NS_PER_S + 12345;
        ct_sensor_fill_burst(ct, t0, rates[r], N_SAMPLES, s);
        const double k = 50.0 * sqrt(2.0) / 2000.0;
        unsigned off = 0;
        for (uint64_t i = 0; i < N_SAMPLES; i++) {
            sim_time_ns_t t = t0 + (sim_time_ns_t)(i * 1000000000u / rates[r]);
            double rms = t < 1100 * SIM_NS_PER_MS ? 12.0 : 31.0;
            double cyc = 49.9 * (double)t / 1e9;
            double ideal =
                2048.0 + sqrt(2.0) * rms * sin(6.283185307179586 * (cyc - floor(cyc)) + 0.3) / k;
            /* Ideal values within 1e-6 of a rounding boundary may round either way. */
            double frac = ideal - floor(ideal);
            if (fabs(frac - 0.5) > 1e-6) {
                off += s[i] != (uint16_t)floor(ideal + 0.5);
            }
        }
        ASSERT_EQ_U64(off, 0);
        ct_sensor_destroy(ct);
    }
}

/* With no current the samples are the bias plus the configured noise: its SD, and its mean. */
static void noise_has_the_configured_sd(void) {
    ct_sensor_cfg_t cfg;
    ct_sensor_cfg_default(&cfg);
    cfg.noise_sd_counts = 4.0;
    ct_sensor_t *ct = make(&cfg, 7);
    static uint16_t s[20 * N_SAMPLES];
    ct_sensor_fill_burst(ct, 0, RATE_HZ, 20 * N_SAMPLES, s);
    double mean = 0.0, var = 0.0;
    for (size_t i = 0; i < 20 * N_SAMPLES; i++) {
        mean += s[i];
    }
    mean /= 20 * N_SAMPLES;
    for (size_t i = 0; i < 20 * N_SAMPLES; i++) {
        var += (s[i] - mean) * (s[i] - mean);
    }
    var /= 20 * N_SAMPLES;
    ASSERT_NEAR(mean, 2048.0, 0.1);
    /* Rounding to whole counts adds 1/12 count^2 of variance. */
    ASSERT_NEAR(sqrt(var - 1.0 / 12.0), 4.0, 0.08);
    ct_sensor_destroy(ct);
}

/* A burst older than the kept history uses the oldest value and counts the misses. */
static void history_misses_are_counted(void) {
    ct_sensor_cfg_t cfg;
    ct_sensor_cfg_default(&cfg);
    ct_sensor_t *ct = make(&cfg, 8);
    for (int i = 1; i <= CT_SENSOR_HISTORY + 10; i++) {
        ct_sensor_set_rms(ct, i * SIM_NS_PER_MS, 1.0 + i);
    }
    uint16_t s[100];
    /* 10 kHz from 10.5 ms: the oldest kept entry is at 11 ms, so 5 samples predate it. */
    ct_sensor_fill_burst(ct, 10 * SIM_NS_PER_MS + 500000, RATE_HZ, 100, s);
    ct_sensor_stats_t st;
    ct_sensor_stats(ct, &st);
    ASSERT_EQ_U64(st.history_misses, 5);
    ASSERT_EQ_U64(st.samples, 100);
    ct_sensor_destroy(ct);
}

static void invalid_config_is_refused(void) {
    ct_sensor_cfg_t cfg;
    ct_sensor_cfg_default(&cfg);
    cfg.full_scale_a = 0.0;
    sim_prng_t p;
    sim_prng_init(&p, 1, 1);
    ct_sensor_t *ct = NULL;
    ASSERT_EQ_I64(ct_sensor_create(&cfg, &p, &ct), -SIM_EINVAL);
    CU_ASSERT_PTR_NULL(ct);
}

void test_register(void) {
    TEST_SUITE("model_ct_sensor", TEST(ten_amps_read_within_one_percent),
               TEST(nominal_scaling_and_burden), TEST(over_range_clips),
               TEST(gain_and_offset_errors), TEST(zero_current_is_below_noise_floor),
               TEST(burst_follows_history), TEST(noise_is_seeded), TEST(phase_is_continuous),
               TEST(samples_are_the_ideal_waveform), TEST(noise_has_the_configured_sd),
               TEST(history_misses_are_counted), TEST(invalid_config_is_refused));
}
