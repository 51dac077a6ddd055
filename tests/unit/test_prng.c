/*
 * test_prng.c: known answers for every layer of the PRNG (FNV-1a stream ids, the xoshiro256**
 * core, seeding, Lemire's bounded draws), stream independence, and distribution checks on fixed
 * seeds. The known answers were computed with an independent implementation of the same
 * algorithms; the FNV-1a and xoshiro256** core values are also the published reference vectors.
 */
#include <math.h>

#include "sim_prng.h"
#include "test_support.h"

static void test_stream_id_fnv1a(void) {
    ASSERT_EQ_U64(sim_prng_stream_id(""), 0xcbf29ce484222325ULL);
    ASSERT_EQ_U64(sim_prng_stream_id("a"), 0xaf63dc4c8601ec8cULL);
    ASSERT_EQ_U64(sim_prng_stream_id("foobar"), 0x85944171f73967e8ULL);
    ASSERT_EQ_U64(sim_prng_stream_id("bms.pack1"), 0xa57f40297ff6696bULL);
}

static void test_xoshiro_core_reference(void) {
    sim_prng_t p = {.s = {1, 2, 3, 4}};
    ASSERT_EQ_U64(sim_prng_next(&p), 11520U);
    ASSERT_EQ_U64(sim_prng_next(&p), 0U);
    ASSERT_EQ_U64(sim_prng_next(&p), 1509978240U);
    ASSERT_EQ_U64(sim_prng_next(&p), 1215971899390074240ULL);
}

static void test_seeded_known_answers(void) {
    sim_prng_t p;
    sim_prng_init(&p, 1, sim_prng_stream_id("alfasim"));
    ASSERT_EQ_U64(sim_prng_next(&p), 0x5cd27f6c1a098241ULL);
    ASSERT_EQ_U64(sim_prng_next(&p), 0xf08c07bce4ae11afULL);
    ASSERT_EQ_U64(sim_prng_next(&p), 0xbcd9f650cbdc65fdULL);
    ASSERT_EQ_U64(sim_prng_next(&p), 0xd1fdcf64f948b264ULL);
    /* Seed 0 and stream 0 still give a lively state. */
    sim_prng_init(&p, 0, 0);
    ASSERT_EQ_U64(sim_prng_next(&p), 0xb6d96154982678fcULL);
    ASSERT_EQ_U64(sim_prng_next(&p), 0x9ad1c4dae3474982ULL);
}

static void test_below_known_answers(void) {
    sim_prng_t p;
    sim_prng_init(&p, 2024, sim_prng_stream_id("can.bus0.faults"));
    ASSERT_EQ_U64(sim_prng_below(&p, 10), 1);
    ASSERT_EQ_U64(sim_prng_below(&p, 1000000), 912254);
    /* 2^63 + 1 rejects almost half of all draws: the rejection loop is exercised. */
    ASSERT_EQ_U64(sim_prng_below(&p, (1ULL << 63) + 1), 2945914918264087465ULL);
    ASSERT_EQ_U64(sim_prng_below(&p, UINT64_MAX), 1063142323789248848ULL);
}

static void test_unit_known_answers(void) {
    sim_prng_t p;
    sim_prng_init(&p, 7, 7);
    /* (next >> 11) / 2^53: exact in a double, so compare for equality within 0. */
    ASSERT_NEAR(sim_prng_unit(&p), 0.8157415739997818, 0.0);
    ASSERT_NEAR(sim_prng_unit(&p), 0.7353512433432977, 0.0);
}

/* ---- streams -------------------------------------------------------------------------------- */

static void test_streams_are_independent(void) {
    uint64_t id_a = sim_prng_stream_id("ct.pack1.phase0");
    uint64_t id_b = sim_prng_stream_id("ct.pack1.phase1");
    sim_prng_t b_alone;
    sim_prng_init(&b_alone, 99, id_b);
    uint64_t want[10];
    for (int i = 0; i < 10; i++) {
        want[i] = sim_prng_next(&b_alone);
    }
    sim_prng_t a, b;
    sim_prng_init(&a, 99, id_a);
    sim_prng_init(&b, 99, id_b);
    for (int i = 0; i < 1000; i++) {
        sim_prng_next(&a);
    }
    int same_as_a = 0;
    for (int i = 0; i < 10; i++) {
        uint64_t x = sim_prng_next(&b);
        ASSERT_EQ_U64(x, want[i]);
        same_as_a += x == sim_prng_next(&a);
    }
    ASSERT_EQ_I64(same_as_a, 0); /* and two names give two different sequences */
}

static void test_seed_changes_output(void) {
    uint64_t id = sim_prng_stream_id("inverter");
    sim_prng_t p1, p2;
    sim_prng_init(&p1, 1, id);
    sim_prng_init(&p2, 2, id);
    int equal = 0;
    for (int i = 0; i < 100; i++) {
        equal += sim_prng_next(&p1) == sim_prng_next(&p2);
    }
    ASSERT_EQ_I64(equal, 0);
}

static int popcount64(uint64_t x) {
    int n = 0;
    for (; x != 0; x &= x - 1) {
        n++;
    }
    return n;
}

/* Neighbouring seeds and stream ids (1 vs 2, "a" vs "b") must not give related first outputs:
 * on average half of the 64 bits differ. 4096 pairs: the mean's spread is about 0.06 bits. */
static void test_neighbours_are_unrelated(void) {
    long diff_seed = 0, diff_id = 0, diff_swap = 0;
    for (uint64_t s = 0; s < 64; s++) {
        for (uint64_t id = 0; id < 64; id++) {
            sim_prng_t p, by_seed, by_id, swapped;
            sim_prng_init(&p, s, id);
            sim_prng_init(&by_seed, s + 1, id);
            sim_prng_init(&by_id, s, id + 1);
            sim_prng_init(&swapped, id, s);
            uint64_t x = sim_prng_next(&p);
            diff_seed += popcount64(x ^ sim_prng_next(&by_seed));
            diff_id += popcount64(x ^ sim_prng_next(&by_id));
            diff_swap += s == id ? 32 : popcount64(x ^ sim_prng_next(&swapped));
        }
    }
    ASSERT_NEAR((double)diff_seed / 4096.0, 32.0, 0.5);
    ASSERT_NEAR((double)diff_id / 4096.0, 32.0, 0.5);
    ASSERT_NEAR((double)diff_swap / 4096.0, 32.0, 0.5);
}

/* ---- distributions (fixed seeds: deterministic bounds) -------------------------------------- */

static void test_below_range_and_uniformity(void) {
    sim_prng_t p;
    sim_prng_init(&p, 5, sim_prng_stream_id("test.below"));
    ASSERT_EQ_U64(sim_prng_below(&p, 0), 0);
    ASSERT_EQ_U64(sim_prng_below(&p, 1), 0);
    enum { BINS = 10, DRAWS = 100000 };
    long count[BINS] = {0};
    int out_of_range = 0;
    for (int i = 0; i < DRAWS; i++) {
        uint64_t v = sim_prng_below(&p, BINS);
        out_of_range += v >= BINS;
        if (v < BINS) {
            count[v]++;
        }
    }
    ASSERT_EQ_I64(out_of_range, 0);
    double expected = (double)DRAWS / BINS, chi2 = 0.0;
    for (int b = 0; b < BINS; b++) {
        double d = (double)count[b] - expected;
        chi2 += d * d / expected;
    }
    /* 9 degrees of freedom: 27.9 is the 0.1 % tail. A biased `% BINS` on a short word fails. */
    CU_ASSERT(chi2 < 27.9);
    /* A bound that is not a power of two and near 2^64 stays in range too. */
    uint64_t big = 0xc000000000000001ULL;
    for (int i = 0; i < 1000; i++) {
        out_of_range += sim_prng_below(&p, big) >= big;
    }
    ASSERT_EQ_I64(out_of_range, 0);
}

static void test_range_inclusive(void) {
    sim_prng_t p;
    sim_prng_init(&p, 6, sim_prng_stream_id("test.range"));
    bool seen_lo = false, seen_hi = false;
    int outside = 0;
    for (int i = 0; i < 10000; i++) {
        int64_t v = sim_prng_range(&p, -3, 3);
        seen_lo |= v == -3;
        seen_hi |= v == 3;
        outside += v < -3 || v > 3;
    }
    CU_ASSERT(seen_lo && seen_hi);
    ASSERT_EQ_I64(outside, 0);
    ASSERT_EQ_I64(sim_prng_range(&p, 42, 42), 42);
    ASSERT_EQ_I64(sim_prng_range(&p, INT64_MAX, INT64_MAX), INT64_MAX);
    /* The full int64 span, and spans wider than INT64_MAX, work and cover both signs. */
    int negative = 0;
    for (int i = 0; i < 1000; i++) {
        negative += sim_prng_range(&p, INT64_MIN, INT64_MAX) < 0;
        int64_t w = sim_prng_range(&p, INT64_MIN + 5, INT64_MAX - 5);
        outside += w < INT64_MIN + 5 || w > INT64_MAX - 5;
    }
    ASSERT_EQ_I64(outside, 0);
    CU_ASSERT(negative > 400 && negative < 600);
}

static void test_chance_edges(void) {
    sim_prng_t p;
    sim_prng_init(&p, 8, sim_prng_stream_id("test.chance"));
    long never = 0, always = 0, over = 0, quarter = 0;
    for (int i = 0; i < 100000; i++) {
        never += sim_prng_chance(&p, 0, 7);
        always += sim_prng_chance(&p, 7, 7);
        over += sim_prng_chance(&p, 9, 7);
        quarter += sim_prng_chance(&p, 1, 4);
    }
    ASSERT_EQ_I64(never, 0);
    ASSERT_EQ_I64(always, 100000);
    ASSERT_EQ_I64(over, 100000);
    /* 25000 expected, sd 137: +-500 is beyond 3.6 sd. */
    CU_ASSERT(quarter > 24500 && quarter < 25500);
}

/* The certain cases still draw, so a stream advances the same way whatever the ratio is. */
static void test_chance_always_draws(void) {
    sim_prng_t a, b;
    sim_prng_init(&a, 9, 9);
    sim_prng_init(&b, 9, 9);
    sim_prng_chance(&a, 0, 100);
    sim_prng_chance(&b, 100, 100);
    ASSERT_EQ_U64(sim_prng_next(&a), sim_prng_next(&b));
}

static void test_unit_and_gauss_moments(void) {
    sim_prng_t p;
    sim_prng_init(&p, 10, sim_prng_stream_id("test.noise"));
    enum { N = 100000 };
    double sum = 0.0, sum_sq = 0.0, usum = 0.0;
    int unit_outside = 0, beyond_4sd = 0;
    for (int i = 0; i < N; i++) {
        double u = sim_prng_unit(&p);
        unit_outside += u < 0.0 || u >= 1.0;
        usum += u;
        double g = sim_prng_gauss(&p);
        sum += g;
        sum_sq += g * g;
        beyond_4sd += fabs(g) > 4.0;
    }
    ASSERT_EQ_I64(unit_outside, 0);
    ASSERT_NEAR(usum / N, 0.5, 0.005);
    double mean = sum / N;
    double sd = sqrt(sum_sq / N - mean * mean);
    ASSERT_NEAR(mean, 0.0, 0.015); /* sd of the mean: 0.0032 */
    ASSERT_NEAR(sd, 1.0, 0.015);
    CU_ASSERT(beyond_4sd < 20); /* about 6 expected */
}

void test_register(void) {
    TEST_SUITE("prng", TEST(test_stream_id_fnv1a), TEST(test_xoshiro_core_reference),
               TEST(test_seeded_known_answers), TEST(test_below_known_answers),
               TEST(test_unit_known_answers), TEST(test_streams_are_independent),
               TEST(test_seed_changes_output), TEST(test_neighbours_are_unrelated),
               TEST(test_below_range_and_uniformity), TEST(test_range_inclusive),
               TEST(test_chance_edges), TEST(test_chance_always_draws),
               TEST(test_unit_and_gauss_moments));
}
