/*
 * CT waveform, the table's two weights: one reduction gives amp * sin(p0) and amp * cos(p0)
 * bit for bit as the two sines at p0 and p0 + a quarter turn do, at random phases and around
 * every quadrant and octant boundary (where the reduction's quadrant changes).
 */
#include <string.h>

#include "ct_wave.h"
#include "sim_prng.h"
#include "test_support.h"

static unsigned long mismatches(uint64_t p0, double amp) {
    double a_sin, a_cos;
    ct_wave_weights(p0, amp, &a_sin, &a_cos);
    double e_sin = amp * ct_wave_sin(p0), e_cos = amp * ct_wave_sin(p0 + CT_WAVE_QUARTER);
    return (unsigned long)(memcmp(&a_sin, &e_sin, sizeof a_sin) != 0) +
           (unsigned long)(memcmp(&a_cos, &e_cos, sizeof a_cos) != 0);
}

static void weights_are_the_two_sines(void) {
    sim_prng_t p;
    sim_prng_init(&p, 8, sim_prng_stream_id("ct.weights.test"));
    unsigned long bad = 0;
    for (unsigned n = 0; n < 200000; n++) {
        bad += mismatches(sim_prng_next(&p), 1.0 + (double)(n % 97) * 13.5);
    }
    /* Octant boundaries: the quadrant switches at odd multiples of 2^61. */
    for (uint64_t octant = 0; octant < 8; octant++) {
        for (int64_t d = -3; d <= 3; d++) {
            bad += mismatches((octant << 61) + (uint64_t)d, 2.5);
        }
    }
    ASSERT_EQ_U64(bad, 0);
    /* And the values are a sine and a cosine: at an eighth of a turn both are sqrt(2)/2. */
    double a_sin, a_cos;
    ct_wave_weights(UINT64_C(1) << 61, 2.0, &a_sin, &a_cos);
    ASSERT_NEAR(a_sin, 1.4142135623730951, 1e-15);
    ASSERT_NEAR(a_cos, 1.4142135623730951, 1e-15);
}

void test_register(void) {
    TEST_SUITE("ct_weights", TEST(weights_are_the_two_sines));
}
