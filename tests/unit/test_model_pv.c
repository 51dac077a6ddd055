/*
 * PV: sun elevation against known geometry, clear-sky output, the seeded cloud chain.
 */
#include "pv.h"
#include "test_support.h"

static calendar_t cal_at(int y, int m, int d, int utc_offset_min) {
    calendar_civil_t start = {.year = y, .month = (uint8_t)m, .day = (uint8_t)d};
    calendar_t cal;
    ASSERT_EQ_I64(calendar_init(&cal, &start, utc_offset_min), 0);
    return cal;
}

static pv_t *make(const calendar_t *cal, bool clouds, uint64_t seed) {
    pv_cfg_t cfg;
    pv_cfg_default(&cfg, cal);
    cfg.clouds = clouds;
    sim_prng_t p;
    sim_prng_init(&p, seed, sim_prng_stream_id("pv.test"));
    pv_t *pv = NULL;
    ASSERT_EQ_I64(pv_create(&cfg, &p, &pv), 0);
    return pv;
}

/* Lagos (6.45 N, 3.40 E, UTC+1) on the June solstice: noon elevation 90 - (23.44 - 6.45). */
static void solstice_noon_elevation(void) {
    calendar_t cal = cal_at(2024, 6, 21, 60);
    pv_t *pv = make(&cal, false, 1);
    double best = -90.0;
    sim_time_ns_t best_t = 0;
    for (sim_time_ns_t t = 0; t < 86400 * SIM_NS_PER_S; t += 60 * SIM_NS_PER_S) {
        double e = pv_sun_elevation_deg(pv, t);
        if (e > best) {
            best = e;
            best_t = t;
        }
    }
    ASSERT_NEAR(best, 90.0 - (23.44 - 6.45), 0.3);
    /* Solar noon: 12:00 + 60 min (zone) - 4 min/deg * 3.40 deg - EoT (about -1.7 min) = 12:48. */
    ASSERT_NEAR((double)best_t / 60e9, 12 * 60 + 48, 3);
    CU_ASSERT_TRUE(pv_sun_elevation_deg(pv, 0) < -40.0); /* local midnight */
    ASSERT_NEAR(pv_clear_sky_w(pv, 0), 0.0, 0.0);
    pv_destroy(pv);
}

static void clear_sky_output_scales(void) {
    calendar_t cal = cal_at(2024, 3, 20, 0);
    pv_cfg_t cfg;
    pv_cfg_default(&cfg, &cal);
    cfg.latitude_deg = 0.0;
    cfg.longitude_deg = 0.0;
    cfg.clouds = false;
    sim_prng_t p;
    sim_prng_init(&p, 1, 1);
    pv_t *pv = NULL;
    ASSERT_EQ_I64(pv_create(&cfg, &p, &pv), 0);
    /* Equinox on the equator at Greenwich, 12:07 UTC (EoT -7.5 min): sun overhead. */
    sim_time_ns_t noon = (12 * 60 + 7) * 60 * SIM_NS_PER_S;
    ASSERT_NEAR(pv_sun_elevation_deg(pv, noon), 90.0, 0.6);
    /* Haurwitz at the zenith: 1098 * exp(-0.057) = 1037 W/m2; 5 kWp at PR 0.8. */
    ASSERT_NEAR(pv_clear_sky_w(pv, noon), 5.0 * 1037.2 * 0.8, 5.0);
    ASSERT_NEAR(pv_step(pv, noon), pv_clear_sky_w(pv, noon), 1e-9);
    ASSERT_NEAR(pv_attenuation(pv), 1.0, 0.0);
    pv_destroy(pv);
}

/* The cloud chain: seeded, visits every state over a month, and its attenuation lags. */
static void cloud_chain(void) {
    calendar_t cal = cal_at(2024, 6, 21, 60);
    pv_t *a = make(&cal, true, 3), *b = make(&cal, true, 3), *c = make(&cal, true, 4);
    int visits[PV_SKY_STATES] = {0};
    int diff = 0, unequal = 0, out_of_range = 0;
    for (sim_time_ns_t t = 0; t < 30 * 86400 * SIM_NS_PER_S; t += 10 * SIM_NS_PER_S) {
        double pa = pv_step(a, t), pb = pv_step(b, t), pc = pv_step(c, t);
        unequal += pa != pb;
        diff += pa != pc;
        visits[pv_sky_state(a)]++;
        double att = pv_attenuation(a);
        out_of_range += att < 0.25 - 1e-12 || att > 1.0 + 1e-12;
    }
    ASSERT_EQ_I64(unequal, 0);
    ASSERT_EQ_I64(out_of_range, 0);
    CU_ASSERT_TRUE(diff > 0);
    /* Mostly clear; every state reached. */
    CU_ASSERT_TRUE(visits[PV_CLEAR] > visits[PV_BROKEN] && visits[PV_BROKEN] > 0);
    CU_ASSERT_TRUE(visits[PV_OVERCAST] > 0);
    pv_destroy(a);
    pv_destroy(b);
    pv_destroy(c);
}

/* Packs at different sites, dates and zones stepping at the same instants each get their own
 * sun: what pv_step gives is exactly the clear-sky output computed afresh for that pack. */
static void sites_stepping_together_keep_their_own_sun(void) {
    calendar_t lagos = cal_at(2024, 6, 21, 60), winter = cal_at(2024, 12, 21, 60),
               zone = cal_at(2024, 6, 21, 0);
    struct {
        const calendar_t *cal;
        double lat, lon;
    } sites[] = {/* each differs from the one before in one thing, or in nothing */
                 {&lagos, 6.45, 3.40},  {&lagos, 6.45, 3.40}, {&lagos, 6.45, -20.0},
                 {&lagos, 6.45, 3.40},  {&zone, 6.45, 3.40},  {&lagos, 6.45, 3.40},
                 {&winter, 6.45, 3.40}, {&lagos, 6.45, 3.40}, {&lagos, 48.0, 3.40}};
    enum { SITES = sizeof sites / sizeof sites[0] };
    pv_t *pv[SITES];
    for (int i = 0; i < SITES; i++) {
        pv_cfg_t cfg;
        pv_cfg_default(&cfg, sites[i].cal);
        cfg.clouds = false;
        cfg.latitude_deg = sites[i].lat;
        cfg.longitude_deg = sites[i].lon;
        sim_prng_t p;
        sim_prng_init(&p, 1, 1);
        ASSERT_EQ_I64(pv_create(&cfg, &p, &pv[i]), 0);
    }
    int wrong = 0, lit = 0;
    for (sim_time_ns_t t = 0; t < 2 * 86400 * SIM_NS_PER_S; t += 7 * 60 * SIM_NS_PER_S) {
        for (int i = 0; i < SITES; i++) {
            double w = pv_step(pv[i], t);
            wrong += w != pv_clear_sky_w(pv[i], t);
            lit += w > 0.0;
        }
    }
    ASSERT_EQ_I64(wrong, 0);
    CU_ASSERT_TRUE(lit > 0);
    for (int i = 0; i < SITES; i++) {
        pv_destroy(pv[i]);
    }
}

static void invalid_config_is_refused(void) {
    pv_cfg_t cfg;
    pv_cfg_default(&cfg, NULL);
    sim_prng_t p;
    sim_prng_init(&p, 1, 1);
    pv_t *pv = NULL;
    ASSERT_EQ_I64(pv_create(&cfg, &p, &pv), -SIM_EINVAL); /* no calendar */
    calendar_t cal = cal_at(2024, 1, 1, 0);
    pv_cfg_default(&cfg, &cal);
    cfg.transition_ppm[1][1] = 999999;
    ASSERT_EQ_I64(pv_create(&cfg, &p, &pv), -SIM_EINVAL); /* row above 1e6 */
    CU_ASSERT_PTR_NULL(pv);
}

/* A scenario's PV scale multiplies the output from the next step; negative means none. */
static void scale_multiplies_output(void) {
    calendar_t cal = cal_at(2024, 6, 21, 60);
    pv_t *a = make(&cal, false, 1), *b = make(&cal, false, 1);
    sim_time_ns_t noon = (sim_time_ns_t)(12 * 3600 + 48 * 60) * SIM_NS_PER_S;
    pv_set_scale(b, 0.5);
    double full = pv_step(a, noon), half = pv_step(b, noon);
    CU_ASSERT_TRUE(full > 1000.0);
    ASSERT_NEAR(half, full / 2.0, 1e-9);
    pv_set_scale(b, -3.0);
    ASSERT_NEAR(pv_step(b, noon + SIM_NS_PER_S), 0.0, 0.0);
    pv_destroy(a);
    pv_destroy(b);
}

void test_register(void) {
    TEST_SUITE("model_pv", TEST(solstice_noon_elevation), TEST(clear_sky_output_scales),
               TEST(cloud_chain), TEST(sites_stepping_together_keep_their_own_sun),
               TEST(invalid_config_is_refused), TEST(scale_multiplies_output));
}
