/*
 * events.jsonl: key order, JSON escaping (quotes, backslashes, control characters, invalid UTF-8),
 * exact fixed-point decimals, and bounded lines that stay valid JSON when a field is dropped.
 */
#define _POSIX_C_SOURCE 200809L

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim_trace.h"
#include "test_support.h"

#define TMP_ROOT SIM_BINARY_DIR "/test-tmp/trace_events"

static sim_trace_t *open_run(const char *name, char *dir, size_t dirlen) {
    mkdir(SIM_BINARY_DIR "/test-tmp", 0777);
    mkdir(TMP_ROOT, 0777);
    snprintf(dir, dirlen, TMP_ROOT "/%s", name);
    sim_trace_t *t = NULL;
    ASSERT_EQ_I64(sim_trace_open(dir, NULL, &t, NULL, 0), 0);
    return t;
}

static char *close_and_read(sim_trace_t *t, const char *dir) {
    ASSERT_EQ_I64(sim_trace_close(t, true), 0);
    sim_trace_free(t);
    char path[512];
    snprintf(path, sizeof path, "%s/events.jsonl", dir);
    return test_slurp(path);
}

static void test_head_and_field_order(void) {
    char dir[256];
    sim_trace_t *t = open_run("order", dir, sizeof dir);
    sim_trace_ev_t *e = sim_trace_ev_begin(t, 1500000000, "relay", "pack1");
    sim_trace_ev_str(e, "relay", "grid");
    sim_trace_ev_bool(e, "closed", true);
    sim_trace_ev_int(e, "delta", -5);
    sim_trace_ev_uint(e, "count", UINT64_MAX);
    sim_trace_ev_raw(e, "cells_mv", "[3300,3301]");
    sim_trace_ev_end(e);
    e = sim_trace_ev_begin(t, 1500000000, "world", NULL);
    sim_trace_ev_bool(e, "grid_up", false);
    sim_trace_ev_end(e);
    e = sim_trace_ev_begin(t, 2000000000, "tick", "n");
    sim_trace_ev_end(e);
    char *text = close_and_read(t, dir);
    ASSERT_EQ_STR(text,
                  "{\"t_ns\":1500000000,\"type\":\"relay\",\"node\":\"pack1\",\"relay\":\"grid\","
                  "\"closed\":true,\"delta\":-5,\"count\":18446744073709551615,"
                  "\"cells_mv\":[3300,3301]}\n"
                  "{\"t_ns\":1500000000,\"type\":\"world\",\"grid_up\":false}\n"
                  "{\"t_ns\":2000000000,\"type\":\"tick\",\"node\":\"n\"}\n");
    free(text);
}

static void test_escaping(void) {
    char dir[256];
    sim_trace_t *t = open_run("escape", dir, sizeof dir);
    sim_trace_ev_t *e = sim_trace_ev_begin(t, 0, "log", "pa\"ck");
    sim_trace_ev_str(e, "line",
                     "a\"b\\c\nd\x01\te\x7f 25\xC2\xB0"
                     "C \xff|\xC0\xAF|\xED\xA0\x80|\xF0\x9F\x94\x8B");
    sim_trace_ev_str(e, "k\"ey", "");
    sim_trace_ev_end(e);
    char *text = close_and_read(t, dir);
    /* 0x7f is legal in JSON; overlong (C0 AF) and surrogate (ED A0 80) forms are garbage. */
    ASSERT_EQ_STR(text, "{\"t_ns\":0,\"type\":\"log\",\"node\":\"pa\\\"ck\",\"line\":"
                        "\"a\\\"b\\\\c\\u000ad\\u0001\\u0009e\x7f 25\xC2\xB0"
                        "C \\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\xF0\x9F\x94\x8B\","
                        "\"k\\\"ey\":\"\"}\n");
    cJSON *j = cJSON_Parse(text);
    CU_ASSERT_PTR_NOT_NULL(j);
    cJSON_Delete(j);
    free(text);
}

static void test_fixed_decimals(void) {
    char dir[256];
    sim_trace_t *t = open_run("fixed", dir, sizeof dir);
    sim_trace_ev_t *e = sim_trace_ev_begin(t, 7, "num", NULL);
    sim_trace_ev_fixed(e, "a", 12345, 3);
    sim_trace_ev_fixed(e, "b", -5, 3);
    sim_trace_ev_fixed(e, "c", 7, 0);
    sim_trace_ev_fixed(e, "d", 100, 2);
    sim_trace_ev_fixed(e, "e", 0, 4);
    sim_trace_ev_fixed(e, "f", INT64_MIN, 2);
    sim_trace_ev_fixed(e, "g", INT64_MAX, 19);
    sim_trace_ev_fixed(e, "h", -1234, 1);
    sim_trace_ev_end(e);
    char *text = close_and_read(t, dir);
    ASSERT_EQ_STR(text, "{\"t_ns\":7,\"type\":\"num\",\"a\":12.345,\"b\":-0.005,\"c\":7,\"d\":1.00,"
                        "\"e\":0.0000,\"f\":-92233720368547758.08,"
                        "\"g\":0.9223372036854775807,\"h\":-123.4}\n");
    free(text);
}

/* Splits text into lines; returns the count (at most max). Lines keep no newline. */
static size_t split_lines(char *text, char **lines, size_t max) {
    size_t n = 0;
    for (char *p = text; *p != '\0' && n < max;) {
        char *nl = strchr(p, '\n');
        if (nl == NULL) {
            break;
        }
        *nl = '\0';
        lines[n++] = p;
        p = nl + 1;
    }
    return n;
}

/*
 * Around the 4 KiB bound, every line must stay valid JSON, at most 4096 bytes with the newline,
 * and either hold every field or keep a prefix of them (whole fields only) and end with
 * "truncated":true.
 */
static void test_long_lines_stay_valid(void) {
    char dir[256];
    sim_trace_t *t = open_run("long", dir, sizeof dir);
    enum { FIRST = 3950, LAST = 4120 };
    char *big = malloc(LAST + 1);
    for (int len = FIRST; len <= LAST; len++) {
        memset(big, 'x', (size_t)len);
        big[len] = '\0';
        big[len / 2] = '"'; /* escapes grow the field: the bound applies to the escaped text */
        sim_trace_ev_t *e = sim_trace_ev_begin(t, len, "big", "node");
        sim_trace_ev_int(e, "len", len);
        sim_trace_ev_str(e, "blob", big);
        sim_trace_ev_bool(e, "after", true);
        sim_trace_ev_end(e);
    }
    free(big);
    char *text = close_and_read(t, dir);
    char *lines[LAST - FIRST + 2];
    size_t n = split_lines(text, lines, LAST - FIRST + 2);
    ASSERT_EQ_U64(n, LAST - FIRST + 1);
    int bad = 0, whole = 0, cut = 0;
    for (size_t i = 0; i < n; i++) {
        bad += strlen(lines[i]) + 1 > 4096;
        cJSON *j = cJSON_Parse(lines[i]);
        bad += j == NULL;
        cJSON *blob = cJSON_GetObjectItem(j, "blob");
        cJSON *after = cJSON_GetObjectItem(j, "after");
        cJSON *tr = cJSON_GetObjectItem(j, "truncated");
        bad += cJSON_GetObjectItem(j, "len") == NULL; /* fields before the big one survive */
        if (blob != NULL && cJSON_IsTrue(after) && tr == NULL) {
            whole++;
            bad += strlen(blob->valuestring) != (size_t)FIRST + i;
        } else if (after == NULL && cJSON_IsTrue(tr)) {
            cut++; /* the blob or only the field after it did not fit */
            bad += blob != NULL && strlen(blob->valuestring) != (size_t)FIRST + i;
        } else {
            bad++;
        }
        cJSON_Delete(j);
    }
    ASSERT_EQ_I64(bad, 0);
    CU_ASSERT_TRUE(whole > 0); /* the range straddles the bound: both outcomes occur */
    CU_ASSERT_TRUE(cut > 0);
    free(text);
}

/* Long type/node names are cut, never dropped: the head is mandatory. */
static void test_long_head_is_cut(void) {
    char dir[256];
    sim_trace_t *t = open_run("head", dir, sizeof dir);
    char name[2000];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    sim_trace_ev_t *e = sim_trace_ev_begin(t, 1, name, name);
    sim_trace_ev_uint(e, "v", 1);
    sim_trace_ev_end(e);
    char *text = close_and_read(t, dir);
    cJSON *j = cJSON_Parse(text);
    CU_ASSERT_PTR_NOT_NULL(j);
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(j, "type"));
    CU_ASSERT_TRUE(type != NULL && strlen(type) < 1000 && strncmp(type, "nnnn", 4) == 0);
    CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(j, "truncated")));
    cJSON_Delete(j);
    free(text);
}

void test_register(void) {
    TEST_SUITE("trace_events", TEST(test_head_and_field_order), TEST(test_escaping),
               TEST(test_fixed_decimals), TEST(test_long_lines_stay_valid),
               TEST(test_long_head_is_cut));
}
