/*
 * CT sample paths: the portable and the AVX2 code give bit-identical noise and counts and leave
 * the noise stream in the same state, over passes of every length, with rectangle misses, wedge
 * tests and tail draws among them; and both still give the values recorded before the vector
 * path existed (traces and bench digests depend on every bit of them).
 */
#include <math.h>
#include <string.h>

#include "ct_noise.h"
#include "ct_sensor.h"
#include "ct_simd.h"
#include "sim_prng.h"
#include "test_support.h"

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

#define FNV_START UINT64_C(0xcbf29ce484222325)

/* Passes of 1, 4, 7, ... 700 deviates (every remainder modulo 4, and several passes per call). */
static uint64_t noise_digest(void) {
    static double buf[700];
    sim_prng_t p;
    sim_prng_init(&p, 5, sim_prng_stream_id("ct.noise.frozen"));
    uint64_t h = FNV_START;
    for (size_t n = 1; n <= 700; n += 3) {
        ct_noise_fill(&p, 0.75, buf, n);
        h = fnv(h, buf, n * sizeof buf[0]);
    }
    uint64_t next = sim_prng_next(&p);
    return fnv(h, &next, sizeof next);
}

/* 400 bursts of 1..999 samples: 0 to 60 A (clipping above 51 A), a current change inside the
 * burst, every third at 7 kHz (not a whole number of ns per sample, the per-sample sine). */
static uint64_t sensor_digest(void) {
    ct_sensor_cfg_t cfg;
    ct_sensor_cfg_default(&cfg);
    cfg.noise_sd_counts = 1.5;
    cfg.offset_error_counts = 3.25;
    sim_prng_t p;
    sim_prng_init(&p, 9, sim_prng_stream_id("ct.sensor.frozen"));
    ct_sensor_t *ct = NULL;
    ASSERT_EQ_I64(ct_sensor_create(&cfg, &p, &ct), 0);
    static uint16_t s[1000];
    uint64_t h = FNV_START;
    int64_t t_ns = 0;
    for (unsigned b = 0; b < 400; b++) {
        ct_sensor_set_rms(ct, t_ns, (double)((b * 37u) % 61u));
        ct_sensor_set_rms(ct, t_ns + 3100000, (double)((b * 11u) % 59u) + 0.5);
        uint32_t rate_hz = b % 3 == 0 ? 7000u : 10000u;
        size_t n = 1 + (b * 97u) % 999u;
        ct_sensor_fill_burst(ct, t_ns + 1000000, rate_hz, n, s);
        h = fnv(h, s, n * sizeof s[0]);
        t_ns += 200000000;
    }
    ct_sensor_stats_t st;
    ct_sensor_stats(ct, &st);
    CU_ASSERT_TRUE(st.clipped > 0);
    ct_sensor_destroy(ct);
    return fnv(h, &st, sizeof st);
}

/* Each path in turn; returns how many this host ran (1 without AVX2). */
static unsigned each_path(void (*check)(ct_simd_t)) {
    unsigned ran = 0;
    for (int want = CT_SIMD_PORTABLE; want <= CT_SIMD_AVX2; want++) {
        ct_simd_t got = ct_simd_select((ct_simd_t)want);
        if ((int)got == want) {
            check(got);
            ran++;
        }
    }
    ct_simd_select(ct_simd_best());
    return ran;
}

/* The digests of the code before the vector path, recorded once. */
static void frozen_check(ct_simd_t path) {
    uint64_t noise = noise_digest(), sensor = sensor_digest();
    if (noise != UINT64_C(0x79474aa62eaf5745) || sensor != UINT64_C(0xf93a6d5f080eb71f)) {
        fprintf(stderr, "\n  path %d: noise %016" PRIx64 " sensor %016" PRIx64 "\n", (int)path,
                noise, sensor);
    }
    ASSERT_EQ_U64(noise, UINT64_C(0x79474aa62eaf5745));
    ASSERT_EQ_U64(sensor, UINT64_C(0xf93a6d5f080eb71f));
}

static void every_path_gives_the_recorded_values(void) {
    unsigned ran = each_path(frozen_check);
    CU_ASSERT_TRUE(ran >= 1);
    if (ran < 2) {
        fprintf(stderr, "\n  note: no AVX2 on this host, only the portable path was checked\n");
    }
}

/* Runs the same calls on one stream per path and compares every bit and the stream after. */
static void noise_paths_agree(void) {
    enum { MAX_N = 600 };
    static double ref[MAX_N], got[MAX_N];
    if (ct_simd_best() < CT_SIMD_AVX2) {
        return; /* nothing to compare against; the recorded values cover the portable path */
    }
    double r = ct_noise_layer_x(1);
    unsigned long samples = 0, tails = 0, mismatches = 0;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        sim_prng_t a, b;
        sim_prng_init(&a, seed, sim_prng_stream_id("ct.simd.noise"));
        b = a;
        for (size_t call = 0; call < 400; call++) {
            size_t n = 1 + (call * 7 + seed * 13) % (call % 5 == 0 ? MAX_N : 12);
            double sd = call % 7 == 0 ? 1.0 : 0.5 + 0.01 * (double)(call % 50);
            ct_simd_select(CT_SIMD_PORTABLE);
            ct_noise_fill(&a, sd, ref, n);
            ct_simd_select(CT_SIMD_AVX2);
            ct_noise_fill(&b, sd, got, n);
            mismatches += memcmp(ref, got, n * sizeof ref[0]) != 0;
            mismatches += memcmp(&a, &b, sizeof a) != 0;
            for (size_t k = 0; k < n; k++) {
                tails += fabs(ref[k]) > r * sd;
            }
            samples += n;
        }
    }
    ct_simd_select(ct_simd_best());
    ASSERT_EQ_U64(mismatches, 0);
    /* Enough samples that misses (about 1 %) and tail draws (2.6e-4) land in every lane. */
    CU_ASSERT_TRUE(samples > 1000000);
    CU_ASSERT_TRUE(tails > 100);
}

/* Two sensors with one seed, one per path, driven alike: same counts and statistics. */
static void sensor_paths_agree(void) {
    if (ct_simd_best() < CT_SIMD_AVX2) {
        return;
    }
    ct_sensor_cfg_t cfg;
    ct_sensor_cfg_default(&cfg);
    cfg.gain_error = 0.013;
    sim_prng_t p;
    sim_prng_init(&p, 3, sim_prng_stream_id("ct.simd.sensor"));
    ct_sensor_t *a = NULL, *b = NULL;
    ASSERT_EQ_I64(ct_sensor_create(&cfg, &p, &a), 0);
    ASSERT_EQ_I64(ct_sensor_create(&cfg, &p, &b), 0);
    static uint16_t sa[1200], sb[1200];
    unsigned long mismatches = 0;
    int64_t t_ns = 0;
    for (unsigned burst = 0; burst < 3000; burst++) {
        double rms_a = (double)(burst % 70) * 0.9; /* up to 62 A: clips */
        ct_sensor_set_rms(a, t_ns, rms_a);
        ct_sensor_set_rms(b, t_ns, rms_a);
        ct_sensor_set_rms(a, t_ns + 7000000, rms_a * 0.5);
        ct_sensor_set_rms(b, t_ns + 7000000, rms_a * 0.5);
        uint32_t rate_hz = burst % 4 == 0 ? 6000u : 20000u;
        size_t n = 1 + (burst * 131u) % 1200u;
        ct_simd_select(CT_SIMD_PORTABLE);
        ct_sensor_fill_burst(a, t_ns + 2000000, rate_hz, n, sa);
        ct_simd_select(CT_SIMD_AVX2);
        ct_sensor_fill_burst(b, t_ns + 2000000, rate_hz, n, sb);
        mismatches += memcmp(sa, sb, n * sizeof sa[0]) != 0;
        t_ns += 100000000;
    }
    ct_simd_select(ct_simd_best());
    ASSERT_EQ_U64(mismatches, 0);
    ct_sensor_stats_t st_a, st_b;
    ct_sensor_stats(a, &st_a);
    ct_sensor_stats(b, &st_b);
    CU_ASSERT_TRUE(st_a.clipped > 0);
    CU_ASSERT_TRUE(memcmp(&st_a, &st_b, sizeof st_a) == 0);
    ct_sensor_destroy(a);
    ct_sensor_destroy(b);
}

static void selection_is_clamped_to_the_host(void) {
    ct_simd_t best = ct_simd_best();
    ASSERT_EQ_I64(ct_simd_select(CT_SIMD_PORTABLE), CT_SIMD_PORTABLE);
    ASSERT_EQ_I64(ct_simd_path(), CT_SIMD_PORTABLE);
    ASSERT_EQ_I64(ct_simd_select(CT_SIMD_AVX2), best);
    ASSERT_EQ_I64(ct_simd_path(), best);
}

void test_register(void) {
    TEST_SUITE("ct_simd", TEST(every_path_gives_the_recorded_values), TEST(noise_paths_agree),
               TEST(sensor_paths_agree), TEST(selection_is_clamped_to_the_host));
}
