/*
 * CT waveform: the sine of a binary-fraction phase against libm over every quadrant, and the step
 * table against the direct evaluation.
 */
#include <math.h>

#include "ct_wave.h"
#include "sim_prng.h"
#include "test_support.h"

static const double TWO_PI = 6.283185307179586;

static double turns(uint64_t phase) {
    return (double)(phase >> 11) * 0x1.0p-53;
}

static void sine_matches_libm(void) {
    sim_prng_t p;
    sim_prng_init(&p, 1, sim_prng_stream_id("ct.wave.test"));
    double worst = 0.0;
    for (int i = 0; i < 200000; i++) {
        /* Phases with their low 11 bits clear are exact in a double, so libm sees the same angle.
         */
        uint64_t ph = sim_prng_next(&p) & ~UINT64_C(0x7ff);
        double err = fabs(ct_wave_sin(ph) - sin(TWO_PI * turns(ph)));
        worst = err > worst ? err : worst;
    }
    CU_ASSERT_TRUE(worst < 4e-15);
    ASSERT_NEAR(ct_wave_sin(0), 0.0, 0.0);
    ASSERT_NEAR(ct_wave_sin(CT_WAVE_QUARTER), 1.0, 1e-16);
    ASSERT_NEAR(ct_wave_sin(2 * CT_WAVE_QUARTER), 0.0, 1e-16);
    ASSERT_NEAR(ct_wave_sin(3 * CT_WAVE_QUARTER), -1.0, 1e-16);
    ASSERT_NEAR(ct_wave_sin(CT_WAVE_QUARTER / 3), 0.5, 1e-15); /* 30 degrees */
}

static void table_matches_direct(void) {
    static ct_wave_table_t w;
    const uint64_t steps[2] = {UINT64_C(0x0666666666666666), UINT64_C(0x0123456789abcdef)};
    for (int s = 0; s < 2; s++) {
        ct_wave_table_use(&w, steps[s]);
        uint64_t p0 = UINT64_C(0xfedcba9876543210);
        double out[CT_WAVE_TABLE - 5 + 1]; /* + 1: m is odd, and the add works in pairs */
        for (uint64_t k = 0; k < CT_WAVE_TABLE - 5; k++) {
            out[k] = (double)k;
        }
        ct_wave_add(&w, p0, 3.0, 5, CT_WAVE_TABLE - 5, out);
        for (uint64_t k = 0; k < CT_WAVE_TABLE - 5; k++) {
            ASSERT_NEAR(out[k], (double)k + 3.0 * ct_wave_sin(p0 + (5 + k) * steps[s]), 1e-12);
        }
    }
}

void test_register(void) {
    TEST_SUITE("model_ct_wave", TEST(sine_matches_libm), TEST(table_matches_direct));
}
