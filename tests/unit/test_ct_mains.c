/*
 * CT sensor, mains frequency updates: the plant repeats the frequency at every step, and a
 * repeat must change nothing, while a real change (even back to an earlier value) must move the
 * waveform's rate from its instant on.
 */
#include <string.h>

#include "ct_sensor.h"
#include "sim_prng.h"
#include "test_support.h"

static ct_sensor_t *make(void) {
    ct_sensor_cfg_t cfg;
    ct_sensor_cfg_default(&cfg);
    sim_prng_t p;
    sim_prng_init(&p, 4, sim_prng_stream_id("ct.mains.test"));
    ct_sensor_t *ct = NULL;
    ASSERT_EQ_I64(ct_sensor_create(&cfg, &p, &ct), 0);
    ct_sensor_set_rms(ct, 0, 20.0);
    return ct;
}

/* 50.0, 50.02, 49.97, 50.0 Hz in turn, each for ten steps of 100 ms. */
static double hz_at_step(unsigned step) {
    static const double hz[4] = {50.0, 50.02, 49.97, 50.0};
    return hz[(step / 10) % 4];
}

static void repeats_change_nothing_and_changes_apply(void) {
    ct_sensor_t *every = make(), *changes = make(), *fixed = make();
    static uint16_t a[500], b[500], c[500];
    unsigned long differ_repeat = 0, differ_fixed = 0;
    for (unsigned step = 0; step < 120; step++) {
        int64_t t_ns = (int64_t)step * 100000000;
        double hz = hz_at_step(step);
        ct_sensor_set_mains_hz(every, t_ns, hz); /* every step, as the plant does */
        if (step == 0 || hz_at_step(step - 1) != hz) {
            ct_sensor_set_mains_hz(changes, t_ns, hz); /* only when it changes */
        }
        ct_sensor_fill_burst(every, t_ns + 40000000, 10000, 500, a);
        ct_sensor_fill_burst(changes, t_ns + 40000000, 10000, 500, b);
        ct_sensor_fill_burst(fixed, t_ns + 40000000, 10000, 500, c);
        differ_repeat += memcmp(a, b, sizeof a) != 0;
        differ_fixed += memcmp(a, c, sizeof a) != 0;
    }
    ASSERT_EQ_U64(differ_repeat, 0);
    /* From the first change on (step 10), the phase has moved away from a fixed 50 Hz. */
    CU_ASSERT_TRUE(differ_fixed >= 100);
    ct_sensor_destroy(every);
    ct_sensor_destroy(changes);
    ct_sensor_destroy(fixed);
}

void test_register(void) {
    TEST_SUITE("ct_mains", TEST(repeats_change_nothing_and_changes_apply));
}
