/*
 * test_run_until.c: a run cut short (sim_run_cfg_t.cut_from_ns, `alfasim run --until`) and what
 * its report says: verdict cut, the duration it was cut from, which assertions were open at the
 * cut, and the JUnit testcase, which is never a pass. The fixture tests/cli_until/until_fail.json
 * (firmware testnode, 10 s) has assertions of every kind on either side of the cuts used here;
 * early_wrong fails at 2 s and never_running at 1 s.
 *
 * The JUnit files go to <build>/test-tmp/run_until/, where the run_until_junit_xsd test
 * (tests/cmake/cli_until.cmake) validates them against tests/tools/junit.xsd.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim_report.h"
#include "sim_run.h"
#include "sim_scenario.h"
#include "test_support.h"

#define FIXTURE SIM_SOURCE_DIR "/tests/cli_until/until_fail.json"
#define OUT_DIR SIM_BINARY_DIR "/test-tmp/run_until"
#define FULL_NS (10 * SIM_NS_PER_S)

static sim_scenario_t *scn;

/* The fixture's assertions in report order, and the state each must have: 'p' passed, 'f'
 * failed, 'o' open at the cut. */
static const char *const names[] = {
    "early_wrong", "early_right",    "boots",         "runs_to_4s",
    "late",        "always_running", "never_running", "running_after_6s"};
#define N_ASSERTS (sizeof names / sizeof names[0])

/* Runs the fixture for duration_ns into OUT_DIR/<name>, cut from cut_from_ns (0: not a cut). */
static int run(const char *name, sim_time_ns_t duration_ns, sim_time_ns_t cut_from_ns,
               sim_report_t *r) {
    char out[512], err[1024] = "";
    snprintf(out, sizeof out, "%s/%s", OUT_DIR, name);
    sim_run_cfg_t cfg = {.scn = scn,
                         .seed = scn->seed,
                         .duration_ns = duration_ns,
                         .cut_from_ns = cut_from_ns,
                         .out_dir = out};
    memset(r, 0, sizeof *r);
    int rc = sim_run_scenario(&cfg, r, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "\n  %s: %s\n", name, err);
    }
    return rc;
}

static void check_states(const sim_report_t *r, const char *want) {
    ASSERT_EQ_U64(r->n_asserts, N_ASSERTS);
    for (size_t i = 0; i < r->n_asserts && i < N_ASSERTS; i++) {
        const sim_report_assert_t *a = &r->asserts[i];
        ASSERT_EQ_STR(a->name, names[i]);
        char got = sim_report_open(r, i) ? 'o' : a->passed ? 'p' : 'f';
        if (got != want[i]) {
            fprintf(stderr, "\n  %s: state %c, want %c\n", a->name, got, want[i]);
        }
        CU_ASSERT_EQUAL(got, want[i]);
        CU_ASSERT_FALSE(sim_report_open(r, i) && a->passed); /* open is never a pass */
    }
}

static char *junit_of(const sim_report_t *r, const char *file) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", OUT_DIR, file);
    const sim_report_t *runs[1] = {r};
    ASSERT_EQ_I64(sim_report_write_junit(runs, 1, path), 0);
    return test_slurp(path);
}

static void test_names_and_counts(void) {
    ASSERT_EQ_STR(sim_verdict_name(SIM_VERDICT_CUT), "cut");
    sim_report_assert_t a[3] = {{.passed = false}, {.passed = true}, {.passed = false}};
    bool open[3] = {true, false, false};
    sim_report_t r = {.asserts = a, .n_asserts = 3};
    CU_ASSERT_FALSE(sim_report_open(&r, 0)); /* a complete run has no open assertion */
    ASSERT_EQ_U64(sim_report_failures(&r), 2);
    r.asserts_open = open;
    CU_ASSERT_TRUE(sim_report_open(&r, 0));
    CU_ASSERT_FALSE(sim_report_open(&r, 2));
    ASSERT_EQ_U64(sim_report_failures(&r), 1);
}

/* Cut at 5 s: the two early failures are judged, the windows reaching past 5 s are open. */
static void test_cut_marks_open_and_judges_decided(void) {
    sim_report_t r;
    ASSERT_EQ_I64(run("cut5", 5 * SIM_NS_PER_S, FULL_NS, &r), 0);
    ASSERT_EQ_I64(r.verdict, SIM_VERDICT_CUT);
    ASSERT_EQ_I64(r.sim_duration_ns, 5 * SIM_NS_PER_S);
    ASSERT_EQ_I64(r.cut_from_ns, FULL_NS);
    check_states(&r, "fpppoofo");
    ASSERT_EQ_U64(sim_report_failures(&r), 2);
    char *json = test_slurp(OUT_DIR "/cut5/report.json");
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"verdict\": \"cut\",\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"sim_duration_ns\": 5000000000,\n"
                                        "  \"cut_from_ns\": 10000000000,\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"name\": \"late\",\n"
                                        "      \"passed\": false,\n"
                                        "      \"open\": true,\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"name\": \"early_right\",\n"
                                        "      \"passed\": true,\n"
                                        "      \"open\": false,\n"));
    free(json);
    /* An assertion decided by the cut failed: a JUnit failure naming it, not the open ones. */
    char *x = junit_of(&r, "cut_failed.xml");
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "failures=\"1\" errors=\"0\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "<failure type=\"assertion\" message=\"early_wrong failed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "never_running: expected"));
    CU_ASSERT_PTR_NULL(strstr(x, "late: expected"));
    CU_ASSERT_PTR_NULL(strstr(x, "running_after_6s: expected"));
    free(x);
    sim_report_clear(&r);
}

/* Cut at 8 s, the instant `late` is decided and after the `within` window closed: both judged. */
static void test_cut_at_window_end_is_judged(void) {
    sim_report_t r;
    ASSERT_EQ_I64(run("cut8", 8 * SIM_NS_PER_S, FULL_NS, &r), 0);
    ASSERT_EQ_I64(r.verdict, SIM_VERDICT_CUT);
    check_states(&r, "fppppofp");
    sim_report_clear(&r);
}

/* Cut before any assertion could fail: no failure, yet no pass either, in JUnit too. */
static void test_cut_without_failure_is_no_pass(void) {
    sim_report_t r;
    ASSERT_EQ_I64(run("cut05", SIM_NS_PER_S / 2, FULL_NS, &r), 0);
    ASSERT_EQ_I64(r.verdict, SIM_VERDICT_CUT);
    check_states(&r, "oopooooo");
    ASSERT_EQ_U64(sim_report_failures(&r), 0);
    char *x = junit_of(&r, "cut_open.xml");
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "failures=\"0\" errors=\"1\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "<error type=\"cut\" message=\"cut at t=0.500000000 s of "
                                     "10.000000000 s: no verdict\">"));
    CU_ASSERT_PTR_NULL(strstr(x, "<failure"));
    free(x);
    sim_report_clear(&r);
}

/* Not a cut: no cut_from_ns, or one not past the duration. Still-open assertions fail. */
static void test_complete_runs_are_not_cut(void) {
    const struct {
        const char *name;
        sim_time_ns_t duration_ns, cut_from_ns;
        const char *want;
    } runs[] = {
        {"full", FULL_NS, 0, "fpppppfp"},
        {"full_at_end", FULL_NS, FULL_NS, "fpppppfp"},
        {"short", 5 * SIM_NS_PER_S, 0, "fpppfpff"}, /* --duration 5s */
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        sim_report_t r;
        ASSERT_EQ_I64(run(runs[i].name, runs[i].duration_ns, runs[i].cut_from_ns, &r), 0);
        ASSERT_EQ_I64(r.verdict, SIM_VERDICT_FAIL);
        ASSERT_EQ_I64(r.cut_from_ns, 0);
        CU_ASSERT_PTR_NULL(r.asserts_open);
        check_states(&r, runs[i].want);
        char path[512];
        snprintf(path, sizeof path, "%s/%s/report.json", OUT_DIR, runs[i].name);
        char *json = test_slurp(path);
        CU_ASSERT_PTR_NOT_NULL_FATAL(json);
        CU_ASSERT_PTR_NULL(strstr(json, "cut_from_ns"));
        CU_ASSERT_PTR_NULL(strstr(json, "\"open\""));
        free(json);
        sim_report_clear(&r);
    }
}

static void free_scenario(void) {
    sim_scenario_free(scn);
}

void test_register(void) {
    const char *dirs[] = {SIM_PLUGIN_DIR, NULL};
    sim_diag_t d;
    if (sim_scenario_load(FIXTURE, dirs, &scn, &d) != 0) {
        fprintf(stderr, "%s: %s\n", d.file, d.message);
        exit(1);
    }
    atexit(free_scenario);
    (void)mkdir(SIM_BINARY_DIR "/test-tmp", 0777);
    (void)mkdir(OUT_DIR, 0777);
    TEST_SUITE("run_until", TEST(test_names_and_counts),
               TEST(test_cut_marks_open_and_judges_decided), TEST(test_cut_at_window_end_is_judged),
               TEST(test_cut_without_failure_is_no_pass), TEST(test_complete_runs_are_not_cut));
}
