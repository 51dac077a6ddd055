/*
 * CT noise, the ziggurat's wedge test: the chord and tangent bounds that spare most exp calls
 * give, in every strip, the answer of y < exp(-z^2 / 2) itself, including for points within a
 * hair of the curve on either side (where only exp can decide).
 */
#include <math.h>

#include "ct_noise.h"
#include "ct_noise_int.h"
#include "sim_prng.h"
#include "test_support.h"

/* Uniform in [lo, hi). */
static double uniform(sim_prng_t *p, double lo, double hi) {
    return lo + (hi - lo) * sim_prng_unit(p);
}

static void bounds_agree_with_exp(void) {
    sim_prng_t p;
    sim_prng_init(&p, 21, sim_prng_stream_id("ct.wedge.test"));
    unsigned long checked = 0, disagree = 0, near_below = 0, near_above = 0;
    for (unsigned i = 1; i < CT_NOISE_LAYERS; i++) {
        double x = ct_noise_layer_x(i), x_next = ct_noise_layer_x(i + 1);
        double f_lo = exp(-0.5 * x * x), f_hi = exp(-0.5 * x_next * x_next);
        for (unsigned n = 0; n < 4000; n++) {
            double z = uniform(&p, x_next, x);
            double e = exp(-0.5 * z * z);
            double y;
            if (n % 2 == 0) {
                y = uniform(&p, f_lo, f_hi); /* anywhere in the strip's box */
            } else {
                /* Within 1e-15 .. 1e-5 of the curve, below or above, and on it. */
                double rel = pow(10.0, -(double)(5 + n % 11));
                y = n % 22 == 21 ? e : e * (n % 4 == 1 ? 1.0 - rel : 1.0 + rel);
                near_below += y < e;
                near_above += y > e;
            }
            disagree += ct_noise_wedge_accepts(i, z, y) != (y < e);
            checked++;
        }
    }
    ASSERT_EQ_U64(disagree, 0);
    ASSERT_EQ_U64(checked, 255u * 4000u);
    CU_ASSERT_TRUE(near_below > 100000 && near_above > 100000);
}

/* At the strip's ends and just inside them, where the bounds touch the curve. */
static void strip_ends_agree_with_exp(void) {
    unsigned long disagree = 0;
    for (unsigned i = 1; i < CT_NOISE_LAYERS; i++) {
        double ends[2] = {ct_noise_layer_x(i + 1), nextafter(ct_noise_layer_x(i), 0.0)};
        for (unsigned e = 0; e < 2; e++) {
            double z = ends[e], f = exp(-0.5 * z * z);
            double ys[5] = {f, nextafter(f, 0.0), nextafter(f, 2.0), f * (1.0 - 1e-9),
                            f * (1.0 + 1e-9)};
            for (unsigned k = 0; k < 5; k++) {
                disagree += ct_noise_wedge_accepts(i, z, ys[k]) != (ys[k] < f);
            }
        }
    }
    ASSERT_EQ_U64(disagree, 0);
}

void test_register(void) {
    TEST_SUITE("ct_wedge", TEST(bounds_agree_with_exp), TEST(strip_ends_agree_with_exp));
}
