/*
 * report.json (parses with cJSON, keys in the documented order, exact 64-bit numbers) and
 * junit.xml (the strict Ant subset, XML escaping, failure/error bodies with the repro command;
 * CTest also validates a generated file against tests/tools/junit.xsd with xmllint).
 */
#define _POSIX_C_SOURCE 200809L

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim_report.h"
#include "test_support.h"

#define TMP_ROOT SIM_BINARY_DIR "/test-tmp/trace_report"

static const char *tmp_dir(void) {
    mkdir(SIM_BINARY_DIR "/test-tmp", 0777);
    mkdir(TMP_ROOT, 0777);
    return TMP_ROOT;
}

static bool exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* A failing run with two nodes and two assertions; every string is heap-owned, as documented. */
static void sample(sim_report_t *r) {
    memset(r, 0, sizeof *r);
    r->plugin_abi = 1;
    r->scenario_path = strdup("scenarios/bus_off.json");
    r->scenario_name = strdup("bus_off");
    memset(r->scenario_sha256, 'a', 64);
    r->seed = 0xfedcba9876543210u;
    r->verdict = SIM_VERDICT_FAIL;
    r->sim_duration_ns = 60000000000;
    r->wall_ms = 1250;
    memcpy(r->timestamp, "2024-05-01T12:00:00", 20);
    r->hostname = strdup("ci-7");
    memset(r->digest, 'd', 64);
    r->repro = strdup("alfasim run scenarios/bus_off.json --seed 0xfedcba9876543210");
    r->events_run = 123456789012u;
    r->can_frames = 42;
    r->can_error_frames = 3;
    r->can_load_ppm = 250000;
    r->n_nodes = 2;
    r->nodes = calloc(2, sizeof *r->nodes);
    r->nodes[0] = (sim_report_node_t){strdup("pack1"), 10, 20, 1, 2, 1, 0, 0};
    r->nodes[1] = (sim_report_node_t){strdup("pack2"), 11, 21, 0, 0, 0, 2, 1};
    r->n_asserts = 2;
    r->asserts = calloc(2, sizeof *r->asserts);
    r->asserts[0] = (sim_report_assert_t){strdup("relay_closed"), true, 2000000000, NULL, NULL};
    r->asserts[1] = (sim_report_assert_t){strdup("pack2 bus_off"), false, 10500000000,
                                          strdup("bus_off"), strdup("error_passive")};
}

static void check_key_order(const cJSON *obj, const char *const *keys, size_t n) {
    size_t i = 0;
    for (const cJSON *c = obj != NULL ? obj->child : NULL; c != NULL; c = c->next, i++) {
        if (i >= n || strcmp(c->string, keys[i]) != 0) {
            fprintf(stderr, "\n  key %zu is \"%s\", expected \"%s\"\n", i, c->string,
                    i < n ? keys[i] : "(none)");
            CU_FAIL("key order");
            return;
        }
    }
    ASSERT_EQ_U64(i, n);
}

static cJSON *write_and_parse(const sim_report_t *r, char **text_out) {
    ASSERT_EQ_I64(sim_report_write_json(r, tmp_dir()), 0);
    CU_ASSERT_FALSE(exists(TMP_ROOT "/report.json.tmp"));
    char *text = test_slurp(TMP_ROOT "/report.json");
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(text, strlen(text) + 1, &end, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    *text_out = text;
    return j;
}

static void test_json_keys_and_values(void) {
    sim_report_t r;
    sample(&r);
    char *text;
    cJSON *j = write_and_parse(&r, &text);
    static const char *const top[] = {"schema_version", "tool",       "scenario",        "seed",
                                      "seed_hex",       "verdict",    "sim_duration_ns", "digest",
                                      "statistics",     "assertions", "repro",           "wall_ms"};
    check_key_order(j, top, sizeof top / sizeof top[0]);
    static const char *const tool[] = {"name", "version", "plugin_abi"};
    check_key_order(cJSON_GetObjectItem(j, "tool"), tool, 3);
    static const char *const scn[] = {"path", "name", "sha256"};
    check_key_order(cJSON_GetObjectItem(j, "scenario"), scn, 3);
    static const char *const stats[] = {"events_run", "can_frames", "can_error_frames",
                                        "can_load_ppm", "nodes"};
    cJSON *st = cJSON_GetObjectItem(j, "statistics");
    check_key_order(st, stats, 5);
    static const char *const node[] = {"name",      "tx_ok",         "rx_ok",  "tx_queue_full",
                                       "tx_errors", "bus_off_count", "resets", "watchdog_resets"};
    cJSON *nodes = cJSON_GetObjectItem(st, "nodes");
    ASSERT_EQ_I64(cJSON_GetArraySize(nodes), 2);
    check_key_order(cJSON_GetArrayItem(nodes, 1), node, 8);
    static const char *const as[] = {"name", "passed", "t_ns", "expected", "actual"};
    cJSON *asserts = cJSON_GetObjectItem(j, "assertions");
    ASSERT_EQ_I64(cJSON_GetArraySize(asserts), 2);
    check_key_order(cJSON_GetArrayItem(asserts, 0), as, 5);

    ASSERT_EQ_I64(cJSON_GetObjectItem(j, "schema_version")->valueint, SIM_REPORT_SCHEMA_VERSION);
    ASSERT_EQ_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "tool"), "name")->valuestring,
                  "alfasim");
    ASSERT_EQ_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "tool"), "version")->valuestring,
                  "0.1.0");
    ASSERT_EQ_STR(cJSON_GetObjectItem(j, "seed_hex")->valuestring, "0xfedcba9876543210");
    ASSERT_EQ_STR(cJSON_GetObjectItem(j, "verdict")->valuestring, "fail");
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(j, "error"));
    CU_ASSERT_TRUE(cJSON_IsNull(
        cJSON_GetObjectItem(cJSON_GetArrayItem(asserts, 0), "expected"))); /* NULL text */
    CU_ASSERT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(asserts, 1), "passed")));
    ASSERT_EQ_I64(cJSON_GetObjectItem(cJSON_GetArrayItem(nodes, 1), "watchdog_resets")->valueint,
                  1);
    /* 64-bit values print exactly (a double would round them). */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n  \"seed\": 18364758544493064720,\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n    \"events_run\": 123456789012,\n"));
    /* Pretty-printed with two-space indents, one key per line. */
    CU_ASSERT_EQUAL(strncmp(text,
                            "{\n  \"schema_version\": 1,\n  \"tool\": {\n    \"name\": "
                            "\"alfasim\",\n    \"version\": \"0.1.0\",\n",
                            80),
                    0);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n  \"wall_ms\": 1250\n}\n"));
    cJSON_Delete(j);
    free(text);
    sim_report_clear(&r);
    CU_ASSERT_PTR_NULL(r.nodes);
    ASSERT_EQ_U64(r.n_asserts, 0);
}

static void test_json_error_and_empty(void) {
    sim_report_t r;
    memset(&r, 0, sizeof r);
    r.verdict = SIM_VERDICT_ERROR;
    r.error_message = strdup("pack2: firmware crashed (\"abort\")");
    r.tool_version = strdup("1.2.3-test");
    char *text;
    cJSON *j = write_and_parse(&r, &text);
    static const char *const top[] = {
        "schema_version",  "tool",   "scenario",   "seed",       "seed_hex", "verdict", "error",
        "sim_duration_ns", "digest", "statistics", "assertions", "repro",    "wall_ms"};
    check_key_order(j, top, sizeof top / sizeof top[0]);
    ASSERT_EQ_STR(cJSON_GetObjectItem(j, "error")->valuestring,
                  "pack2: firmware crashed (\"abort\")");
    ASSERT_EQ_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "tool"), "version")->valuestring,
                  "1.2.3-test");
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(j, "digest")));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"nodes\": []"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"assertions\": []"));
    cJSON_Delete(j);
    free(text);
    sim_report_clear(&r);
}

static void test_verdict_names(void) {
    ASSERT_EQ_STR(sim_verdict_name(SIM_VERDICT_PASS), "pass");
    ASSERT_EQ_STR(sim_verdict_name(SIM_VERDICT_FAIL), "fail");
    ASSERT_EQ_STR(sim_verdict_name(SIM_VERDICT_ERROR), "error");
}

static void test_junit_exact_pass(void) {
    sim_report_t r;
    memset(&r, 0, sizeof r);
    r.scenario_name = strdup("boot");
    r.seed = 0x5eed1234;
    r.verdict = SIM_VERDICT_PASS;
    r.wall_ms = 7;
    memcpy(r.timestamp, "2024-05-01T12:00:00", 20);
    r.hostname = strdup("ci-7");
    const sim_report_t *runs[] = {&r};
    ASSERT_EQ_I64(sim_report_write_junit(runs, 1, TMP_ROOT "/pass.xml"), 0);
    CU_ASSERT_FALSE(exists(TMP_ROOT "/pass.xml.tmp"));
    char *x = test_slurp(TMP_ROOT "/pass.xml");
    ASSERT_EQ_STR(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<testsuites>\n"
                     "  <testsuite package=\"alfasim\" id=\"0\" name=\"boot\" "
                     "timestamp=\"2024-05-01T12:00:00\" hostname=\"ci-7\" tests=\"1\" "
                     "failures=\"0\" errors=\"0\" time=\"0.007\">\n"
                     "    <properties>\n"
                     "      <property name=\"seed\" value=\"0x5eed1234\"/>\n"
                     "    </properties>\n"
                     "    <testcase name=\"boot seed=0x5eed1234\" classname=\"scenarios.boot\" "
                     "time=\"0.007\"/>\n"
                     "    <system-out/>\n"
                     "    <system-err/>\n"
                     "  </testsuite>\n"
                     "</testsuites>\n");
    free(x);
    sim_report_clear(&r);
}

static void test_junit_failure_error_and_escaping(void) {
    sim_report_t fail, err;
    sample(&fail);
    memset(&err, 0, sizeof err);
    err.scenario_name = strdup("a&b<c>\"q'");
    err.verdict = SIM_VERDICT_ERROR;
    err.error_message = strdup("node \"pack2\" hung\x01 <watchdog>\nline2");
    err.repro = strdup("alfasim run 'x&y.json' --seed 0x0");
    err.timestamp[0] = '\0'; /* a reproducible report: no wall-clock time */
    const sim_report_t *runs[] = {&fail, &err};
    ASSERT_EQ_I64(sim_report_write_junit(runs, 2, TMP_ROOT "/mixed.xml"), 0);
    char *x = test_slurp(TMP_ROOT "/mixed.xml");
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "id=\"0\" name=\"bus_off\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "tests=\"1\" failures=\"1\" errors=\"0\" time=\"1.250\">"));
    CU_ASSERT_PTR_NOT_NULL(strstr(
        x, "<testcase name=\"bus_off seed=0xfedcba9876543210\" classname=\"scenarios.bus_off\""));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(x, "<failure type=\"assertion\" message=\"pack2 bus_off failed at t=10.500000000 "
                  "s: expected bus_off, actual error_passive\">pack2 bus_off: expected bus_off, "
                  "actual error_passive at t=10.500000000 s\nalfasim run scenarios/bus_off.json "
                  "--seed 0xfedcba9876543210</failure>"));
    CU_ASSERT_PTR_NULL(strstr(x, "relay_closed")); /* passed assertions are not failures */
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "<property name=\"digest\" value=\"dddd"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "id=\"1\" name=\"a&amp;b&lt;c&gt;&quot;q&apos;\" "
                                     "timestamp=\"1970-01-01T00:00:00\" hostname=\"localhost\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "tests=\"1\" failures=\"0\" errors=\"1\" time=\"0.000\">"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "<testcase name=\"a&amp;b&lt;c&gt;&quot;q&apos; seed=0x0\" "
                                     "classname=\"scenarios.a&amp;b&lt;c&gt;&quot;q&apos;\""));
    /* A C0 control is not an XML character even as a reference: it becomes U+FFFD. */
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "<error type=\"error\" message=\"node &quot;pack2&quot; "
                                     "hung\xEF\xBF\xBD &lt;watchdog&gt;&#10;line2\">alfasim run "
                                     "&apos;x&amp;y.json&apos; --seed 0x0</error>"));
    free(x);
    sim_report_clear(&fail);
    sim_report_clear(&err);
}

/* An unwritable destination fails without leaving a temp file behind. */
static void test_junit_unwritable(void) {
    sim_report_t r;
    memset(&r, 0, sizeof r);
    const sim_report_t *runs[] = {&r};
    ASSERT_EQ_I64(sim_report_write_junit(runs, 1, TMP_ROOT "/no/such/dir/j.xml"), -SIM_EIO);
    ASSERT_EQ_I64(sim_report_write_json(&r, TMP_ROOT "/no/such/dir"), -SIM_EIO);
    CU_ASSERT_FALSE(exists(TMP_ROOT "/no"));
}

void test_register(void) {
    TEST_SUITE("trace_report", TEST(test_json_keys_and_values), TEST(test_json_error_and_empty),
               TEST(test_verdict_names), TEST(test_junit_exact_pass),
               TEST(test_junit_failure_error_and_escaping), TEST(test_junit_unwritable));
}
