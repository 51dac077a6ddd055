/*
 * test_host_nvs.c: the per-node NVS image (core/host/sim_nvs.h): limits, error codes, write
 * accounting (identical values count), erasing, ordering of iteration, and a full image.
 */
#include <stdlib.h>

#include "sim_nvs.h"
#include "test_support.h"

static sim_nvs_t *new_nvs(void) {
    sim_nvs_t *nvs = NULL;
    ASSERT_EQ_I64(sim_nvs_create(&nvs), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(nvs);
    return nvs;
}

static void test_set_get_roundtrip(void) {
    sim_nvs_t *nvs = new_nvs();
    const uint8_t v[3] = {1, 2, 3};
    ASSERT_EQ_I64(sim_nvs_set(nvs, "alfaspark", "touWindow", v, sizeof v), 0);
    uint8_t out[8] = {0};
    size_t len = sizeof out;
    ASSERT_EQ_I64(sim_nvs_get(nvs, "alfaspark", "touWindow", out, &len), 0);
    ASSERT_EQ_U64(len, 3);
    CU_ASSERT_EQUAL(memcmp(out, v, 3), 0);
    /* Same key in another namespace is another entry. */
    len = sizeof out;
    ASSERT_EQ_I64(sim_nvs_get(nvs, "other", "touWindow", out, &len), -SIM_ENOENT);
    /* Overwrite with a shorter value: the size follows the value. */
    ASSERT_EQ_I64(sim_nvs_set(nvs, "alfaspark", "touWindow", v, 1), 0);
    len = sizeof out;
    ASSERT_EQ_I64(sim_nvs_get(nvs, "alfaspark", "touWindow", out, &len), 0);
    ASSERT_EQ_U64(len, 1);
    sim_nvs_destroy(nvs);
}

static void test_small_buffer_reports_needed_size(void) {
    sim_nvs_t *nvs = new_nvs();
    uint8_t v[10] = {9};
    ASSERT_EQ_I64(sim_nvs_set(nvs, "ns", "k", v, sizeof v), 0);
    uint8_t out[4];
    size_t len = sizeof out;
    ASSERT_EQ_I64(sim_nvs_get(nvs, "ns", "k", out, &len), -SIM_ERANGE);
    ASSERT_EQ_U64(len, 10);
    sim_nvs_destroy(nvs);
}

static void test_name_and_value_limits(void) {
    sim_nvs_t *nvs = new_nvs();
    uint8_t big[SIM_NVS_VALUE_MAX + 1] = {0};
    ASSERT_EQ_I64(sim_nvs_set(nvs, "ns", "fifteen_chars__", big, 1), 0);
    ASSERT_EQ_I64(sim_nvs_set(nvs, "ns", "sixteen_chars___", big, 1), -SIM_EINVAL);
    ASSERT_EQ_I64(sim_nvs_set(nvs, "namespace_is_16_", "k", big, 1), -SIM_EINVAL);
    ASSERT_EQ_I64(sim_nvs_set(nvs, "", "k", big, 1), -SIM_EINVAL);
    ASSERT_EQ_I64(sim_nvs_set(nvs, "ns", NULL, big, 1), -SIM_EINVAL);
    ASSERT_EQ_I64(sim_nvs_set(nvs, "ns", "max", big, SIM_NVS_VALUE_MAX), 0);
    ASSERT_EQ_I64(sim_nvs_set(nvs, "ns", "over", big, SIM_NVS_VALUE_MAX + 1), -SIM_EINVAL);
    ASSERT_EQ_I64(sim_nvs_set(nvs, "ns", "null", NULL, 2), -SIM_EINVAL);
    ASSERT_EQ_I64(sim_nvs_set(nvs, "ns", "empty", NULL, 0), 0);
    sim_nvs_stats_t st;
    sim_nvs_stats(nvs, &st);
    ASSERT_EQ_U64(st.writes, 3); /* refused calls are not writes */
    ASSERT_EQ_U64(st.keys, 3);
    sim_nvs_destroy(nvs);
}

static void test_identical_writes_count(void) {
    sim_nvs_t *nvs = new_nvs();
    const uint8_t v = 7;
    for (int i = 0; i < 5; i++) {
        ASSERT_EQ_I64(sim_nvs_set(nvs, "alfaspark", "modeMask", &v, 1), 0);
    }
    ASSERT_EQ_I64(sim_nvs_set(nvs, "alfaspark", "ecoLimit", &v, 1), 0);
    ASSERT_EQ_U64(sim_nvs_key_writes(nvs, "alfaspark", "modeMask"), 5);
    ASSERT_EQ_U64(sim_nvs_key_writes(nvs, "alfaspark", "ecoLimit"), 1);
    ASSERT_EQ_U64(sim_nvs_key_writes(nvs, "alfaspark", "absent"), 0);
    sim_nvs_stats_t st;
    sim_nvs_stats(nvs, &st);
    ASSERT_EQ_U64(st.writes, 6);
    ASSERT_EQ_U64(st.keys, 2);
    sim_nvs_reset_counters(nvs);
    ASSERT_EQ_U64(sim_nvs_key_writes(nvs, "alfaspark", "modeMask"), 0);
    sim_nvs_stats(nvs, &st);
    ASSERT_EQ_U64(st.writes, 0);
    ASSERT_EQ_U64(st.keys, 2); /* the contents stay */
    sim_nvs_destroy(nvs);
}

static void test_erase_keeps_write_count(void) {
    sim_nvs_t *nvs = new_nvs();
    const uint8_t v = 1;
    ASSERT_EQ_I64(sim_nvs_set(nvs, "ns", "a", &v, 1), 0);
    ASSERT_EQ_I64(sim_nvs_set(nvs, "ns", "a", &v, 1), 0);
    ASSERT_EQ_I64(sim_nvs_erase_key(nvs, "ns", "a"), 0);
    ASSERT_EQ_I64(sim_nvs_erase_key(nvs, "ns", "a"), -SIM_ENOENT);
    uint8_t out;
    size_t len = 1;
    ASSERT_EQ_I64(sim_nvs_get(nvs, "ns", "a", &out, &len), -SIM_ENOENT);
    ASSERT_EQ_I64(sim_nvs_set(nvs, "ns", "a", &v, 1), 0);
    ASSERT_EQ_U64(sim_nvs_key_writes(nvs, "ns", "a"), 3);
    sim_nvs_stats_t st;
    sim_nvs_stats(nvs, &st);
    ASSERT_EQ_U64(st.erases, 1);
    ASSERT_EQ_U64(st.keys, 1);
    sim_nvs_destroy(nvs);
}

static void test_erase_all_one_namespace(void) {
    sim_nvs_t *nvs = new_nvs();
    const uint8_t v = 1;
    ASSERT_EQ_I64(sim_nvs_set(nvs, "alfaspark", "modeMask", &v, 1), 0);
    ASSERT_EQ_I64(sim_nvs_set(nvs, "alfaspark", "ecoLimit", &v, 1), 0);
    ASSERT_EQ_I64(sim_nvs_set(nvs, "ident", "nodeID", &v, 1), 0);
    ASSERT_EQ_I64(sim_nvs_erase_all(nvs, "alfaspark"), 2);
    ASSERT_EQ_I64(sim_nvs_erase_all(nvs, "alfaspark"), 0);
    uint8_t out;
    size_t len = 1;
    ASSERT_EQ_I64(sim_nvs_get(nvs, "ident", "nodeID", &out, &len), 0);
    len = 1;
    ASSERT_EQ_I64(sim_nvs_get(nvs, "alfaspark", "modeMask", &out, &len), -SIM_ENOENT);
    ASSERT_EQ_I64(sim_nvs_erase_all(nvs, NULL), 1);
    sim_nvs_stats_t st;
    sim_nvs_stats(nvs, &st);
    ASSERT_EQ_U64(st.keys, 0);
    ASSERT_EQ_U64(st.erases, 3);
    sim_nvs_destroy(nvs);
}

static void test_iteration_is_sorted_and_skips_erased(void) {
    sim_nvs_t *nvs = new_nvs();
    const uint8_t v = 5;
    ASSERT_EQ_I64(sim_nvs_set(nvs, "b", "y", &v, 1), 0);
    ASSERT_EQ_I64(sim_nvs_set(nvs, "a", "z", &v, 1), 0);
    ASSERT_EQ_I64(sim_nvs_set(nvs, "b", "x", &v, 1), 0);
    ASSERT_EQ_I64(sim_nvs_set(nvs, "a", "gone", &v, 1), 0);
    ASSERT_EQ_I64(sim_nvs_erase_key(nvs, "a", "gone"), 0);
    const char *want[][2] = {{"a", "z"}, {"b", "x"}, {"b", "y"}};
    size_t cursor = 0, i = 0;
    sim_nvs_entry_t e;
    while (sim_nvs_next(nvs, &cursor, &e)) {
        CU_ASSERT_FATAL(i < 3);
        ASSERT_EQ_STR(e.ns, want[i][0]);
        ASSERT_EQ_STR(e.key, want[i][1]);
        ASSERT_EQ_U64(e.len, 1);
        ASSERT_EQ_U64(e.value[0], 5);
        ASSERT_EQ_U64(e.writes, 1);
        i++;
    }
    ASSERT_EQ_U64(i, 3);
    sim_nvs_destroy(nvs);
}

static void fill(sim_nvs_t *nvs, unsigned count) {
    for (unsigned i = 0; i < count; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%02u", i);
        const uint8_t v = (uint8_t)i;
        ASSERT_EQ_I64(sim_nvs_set(nvs, "ns", key, &v, 1), 0);
    }
}

static void test_full_image_refuses_new_keys(void) {
    sim_nvs_t *nvs = new_nvs();
    fill(nvs, SIM_NVS_ENTRIES_MAX);
    const uint8_t v = 1;
    ASSERT_EQ_I64(sim_nvs_set(nvs, "ns", "onemore", &v, 1), -SIM_ENOMEM);
    ASSERT_EQ_I64(sim_nvs_set(nvs, "ns", "k00", &v, 1), 0); /* existing keys still update */
    sim_nvs_stats_t st;
    sim_nvs_stats(nvs, &st);
    ASSERT_EQ_U64(st.refused, 1);
    ASSERT_EQ_U64(st.keys, SIM_NVS_ENTRIES_MAX);
    /* An erased record makes room again. */
    ASSERT_EQ_I64(sim_nvs_erase_key(nvs, "ns", "k05"), 0);
    ASSERT_EQ_I64(sim_nvs_set(nvs, "ns", "onemore", &v, 1), 0);
    ASSERT_EQ_U64(sim_nvs_key_writes(nvs, "ns", "k05"), 0); /* its record was reused */
    uint8_t out;
    size_t len = 1;
    ASSERT_EQ_I64(sim_nvs_get(nvs, "ns", "onemore", &out, &len), 0);
    ASSERT_EQ_U64(out, 1);
    len = 1;
    ASSERT_EQ_I64(sim_nvs_get(nvs, "ns", "k63", &out, &len), 0);
    ASSERT_EQ_U64(out, 63);
    sim_nvs_destroy(nvs);
}

void test_register(void) {
    TEST_SUITE("host_nvs", TEST(test_set_get_roundtrip),
               TEST(test_small_buffer_reports_needed_size), TEST(test_name_and_value_limits),
               TEST(test_identical_writes_count), TEST(test_erase_keeps_write_count),
               TEST(test_erase_all_one_namespace), TEST(test_iteration_is_sorted_and_skips_erased),
               TEST(test_full_image_refuses_new_keys));
}
