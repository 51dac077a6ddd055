/*
 * NVS wear projection: entry sizes, rates from counts, and the projection arithmetic against
 * hand-computed figures, including the 2-second grid-energy write the spec forbids (§10.1).
 */
#include <math.h>

#include "nvs_wear.h"
#include "sim_types.h"
#include "test_support.h"

static void entry_sizes(void) {
    ASSERT_EQ_U64(nvs_wear_entries(1), 1);
    ASSERT_EQ_U64(nvs_wear_entries(8), 1);
    ASSERT_EQ_U64(nvs_wear_entries(9), 2);
    ASSERT_EQ_U64(nvs_wear_entries(32), 2);
    ASSERT_EQ_U64(nvs_wear_entries(33), 3);
    ASSERT_EQ_U64(nvs_wear_entries(64), 3);
}

static void rate_from_counts(void) {
    ASSERT_NEAR(nvs_wear_rate_per_day(10, 2 * 86400 * SIM_NS_PER_S), 5.0, 1e-12);
    ASSERT_NEAR(nvs_wear_rate_per_day(43200, 86400 * SIM_NS_PER_S), 43200.0, 1e-9);
}

/* The firmware's six settings, each written once a day (far more than "a few a month"). */
static void settings_once_a_day(void) {
    nvs_wear_geom_t g;
    nvs_wear_geom_default(&g);
    nvs_wear_key_t keys[6] = {{1, 1.0}, {1, 1.0}, {2, 1.0}, {1, 1.0}, {4, 1.0}, {2, 1.0}};
    nvs_wear_result_t r;
    ASSERT_EQ_I64(nvs_wear_project(&g, keys, 6, &r), 0);
    ASSERT_EQ_U64(r.live_entries, 6);
    ASSERT_EQ_U64(r.room_entries, 5 * 126 - 6);
    ASSERT_NEAR(r.entries_per_day, 6.0, 0.0);
    /* 624 / 6 = 104 days a rotation; 100000 rotations = 28 474 years. */
    ASSERT_NEAR(r.erases_per_page_per_day, 6.0 / 624.0, 1e-15);
    ASSERT_NEAR(r.years, 100000.0 * 624.0 / 6.0 / 365.25, 1e-6);
    ASSERT_NEAR(r.years_single_sector, 100000.0 / 6.0 / 365.25, 1e-9);
}

/* A counter written every 2 s (43 200 a day), as earlier sketches did with the grid energy. */
static void every_two_seconds(void) {
    nvs_wear_geom_t g;
    nvs_wear_geom_default(&g);
    nvs_wear_key_t k = {8, 43200.0};
    nvs_wear_result_t r;
    ASSERT_EQ_I64(nvs_wear_project(&g, &k, 1, &r), 0);
    ASSERT_NEAR(r.years, 100000.0 * 629.0 / 43200.0 / 365.25, 1e-9); /* about 4 years */
    CU_ASSERT_TRUE(r.years > 3.9 && r.years < 4.1);
    ASSERT_NEAR(r.years_single_sector * 365.25, 100000.0 / 43200.0, 1e-9); /* 2.3 days */
}

static void edge_cases(void) {
    nvs_wear_geom_t g;
    nvs_wear_geom_default(&g);
    nvs_wear_result_t r;
    ASSERT_EQ_I64(nvs_wear_project(&g, NULL, 0, &r), 0);
    CU_ASSERT_TRUE(isinf(r.years) && isinf(r.years_single_sector));
    nvs_wear_key_t neg = {1, -1.0};
    ASSERT_EQ_I64(nvs_wear_project(&g, &neg, 1, &r), -SIM_EINVAL);
    g.pages = 1;
    ASSERT_EQ_I64(nvs_wear_project(&g, NULL, 0, &r), -SIM_EINVAL);
    g.pages = 2;
    nvs_wear_key_t big[64];
    for (int i = 0; i < 64; i++) {
        big[i] = (nvs_wear_key_t){64, 0.0}; /* 3 entries each: 192 > 126 */
    }
    ASSERT_EQ_I64(nvs_wear_project(&g, big, 64, &r), -SIM_ERANGE);
}

void test_register(void) {
    TEST_SUITE("model_nvs_wear", TEST(entry_sizes), TEST(rate_from_counts),
               TEST(settings_once_a_day), TEST(every_two_seconds), TEST(edge_cases));
}
