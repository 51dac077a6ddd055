/*
 * test_assert_kinds.c: the five kinds of assertion judged in virtual time by a real kernel and
 * the engine, through a fake probe: when each is decided, the closed window boundaries (a change
 * at exactly the window's end counts, one nanosecond later does not), holds ("for"), triggers,
 * coalescing of same-instant changes, the sampling safety net, probe refusals, the end of the
 * run, the failure message and the report.
 */
#include "test_assert_fixture.h"

/* The subject "relay_coil of pack1 R1" and friends, for the assertions below. */
#define COIL1(relay) "'subject': 'relay_coil', 'node': 'pack1', 'relay': '" relay "'"
#define SOC1         "'subject': 'soc_percent', 'node': 'pack1'"

static void test_at_pass_fail_and_message(void) {
    fx_t f;
    fx_begin(&f, "{'name': 'coil at 5s', 'kind': 'at', 'at': '5s', " COIL1(
                     "R1") ", 'eq': true},"
                           "{'name': 'coil early', 'kind': 'at', 'at': '4999ms', " COIL1(
                               "R1") ", 'eq': true}");
    fx_at(&f, S(5), 0, 0, 0, 1, true);
    fx_run(&f);
    const sim_assert_result_t *a = fx_result(&f, 0), *b = fx_result(&f, 1);
    ASSERT_EQ_I64(a->status, SIM_ASSERT_PASSED);
    ASSERT_EQ_I64(a->t_ns, S(5)); /* the change at 5 s is seen by the judgement at 5 s */
    ASSERT_EQ_STR(a->message, "");
    ASSERT_EQ_I64(b->status, SIM_ASSERT_FAILED);
    ASSERT_EQ_I64(b->t_ns, MS(4999));
    ASSERT_EQ_STR(b->expected, "relay_coil(pack1.R1) == true at 4999ms");
    ASSERT_EQ_STR(b->actual, "false");
    ASSERT_EQ_STR(b->message,
                  "eng (t/eng.json): assertion \"coil early\" failed at t=4999ms: expected "
                  "relay_coil(pack1.R1) == true at 4999ms, actual false; seed 0x5eed; reproduce: "
                  "alfasim run t/eng.json --seed 0x5eed");
    ASSERT_EQ_U64(sim_assert_failures(f.e), 1);
    ASSERT_EQ_U64(f.results, 2);
    fx_end(&f);
}

static void test_always_and_never(void) {
    fx_t f;
    fx_begin(&f, "{'name': 'broken', 'kind': 'always', 'from': '2s', 'to': '8s', " COIL1(
                     "R1") ", 'eq': true},"
                           "{'name': 'held', 'kind': 'always', 'from': '2s', 'to': '5s', " COIL1(
                               "R1") ", 'eq': true},"
                                     "{'name': 'never early', 'kind': 'never', 'to': '1s', " COIL1(
                                         "R1") ", 'eq': true},"
                                               "{'name': 'never late', 'kind': 'never', 'from': "
                                               "'1s', " COIL1("R1") ", 'eq': true}");
    fx_at(&f, S(2), 0, 0, 0, 1, true); /* exactly at "from": the window opens after it */
    fx_at(&f, S(6), 0, 0, 0, 0, true);
    fx_run(&f);
    ASSERT_EQ_I64(fx_result(&f, 0)->status, SIM_ASSERT_FAILED);
    ASSERT_EQ_I64(fx_result(&f, 0)->t_ns, S(6));
    ASSERT_EQ_STR(fx_result(&f, 0)->expected, "relay_coil(pack1.R1) == true always in [2s, 8s]");
    ASSERT_EQ_I64(fx_result(&f, 1)->status, SIM_ASSERT_PASSED);
    ASSERT_EQ_I64(fx_result(&f, 1)->t_ns, S(5)); /* decided when the window closes */
    ASSERT_EQ_I64(fx_result(&f, 2)->status, SIM_ASSERT_PASSED);
    ASSERT_EQ_I64(fx_result(&f, 2)->t_ns, S(1));
    ASSERT_EQ_I64(fx_result(&f, 3)->status, SIM_ASSERT_FAILED);
    ASSERT_EQ_I64(fx_result(&f, 3)->t_ns, S(2));
    ASSERT_EQ_STR(fx_result(&f, 3)->expected, "relay_coil(pack1.R1) == true never in [1s, end]");
    fx_end(&f);
}

static void test_eventually_window_end(void) {
    fx_t f;
    fx_begin(&f, "{'name': 'at the end', 'kind': 'eventually', 'to': '10s', " SOC1 ", 'ge': 50},"
                 "{'name': 'just before', 'kind': 'eventually', 'to': '9999999999ns', " SOC1
                 ", 'ge': 50},"
                 "{'name': 'unknown ne', 'kind': 'at', 'at': '1s', " SOC1 ", 'ne': 50}");
    fx_at(&f, S(10), 1, 0, 0, 50 * SIM_VALUE_MICRO, true);
    fx_run(&f);
    ASSERT_EQ_I64(fx_result(&f, 0)->status, SIM_ASSERT_PASSED);
    ASSERT_EQ_I64(fx_result(&f, 0)->t_ns, S(10));
    ASSERT_EQ_STR(fx_result(&f, 0)->actual, "50");
    ASSERT_EQ_I64(fx_result(&f, 1)->status, SIM_ASSERT_FAILED);
    ASSERT_EQ_I64(fx_result(&f, 1)->t_ns, S(10) - 1);
    ASSERT_EQ_STR(fx_result(&f, 1)->actual, "unavailable");
    /* "unavailable" satisfies no comparison, not even "ne" */
    ASSERT_EQ_I64(fx_result(&f, 2)->status, SIM_ASSERT_FAILED);
    ASSERT_EQ_STR(fx_result(&f, 2)->expected, "soc_percent(pack1) != 50 at 1s");
    fx_end(&f);
}

/* Values at the two ends of the number range: their difference does not fit an int64_t, and
 * must not wrap into a small one that the tolerance accepts. */
static void test_eq_far_apart(void) {
    fx_t f;
    fx_begin(&f, "{'name': 'far', 'kind': 'at', 'at': '1s', " SOC1
                 ", 'eq': 9223372036854, 'tolerance': 9223372036854.775807},"
                 "{'name': 'near', 'kind': 'at', 'at': '1s', " SOC1
                 ", 'eq': -9223372036854.775807, 'tolerance': 1}");
    fx_at(&f, MS(500), 1, 0, 0, -9223372036854 * SIM_VALUE_MICRO, true);
    fx_run(&f);
    ASSERT_EQ_I64(fx_result(&f, 0)->status, SIM_ASSERT_FAILED);
    ASSERT_EQ_I64(fx_result(&f, 1)->status, SIM_ASSERT_PASSED);
    fx_end(&f);
}

static void test_eventually_for(void) {
    fx_t f;
    fx_begin(&f,
             "{'name': 'stays', 'kind': 'eventually', 'for': '1s', " COIL1(
                 "R1") ", 'eq': true},"
                       "{'name': 'too late', 'kind': 'eventually', 'to': '8s', 'for': '3s', " COIL1(
                           "R2") ", 'eq': true}");
    fx_at(&f, S(3), 0, 0, 0, 1, true);
    fx_at(&f, MS(3500), 0, 0, 0, 0, true); /* a blip: the hold starts over */
    fx_at(&f, S(6), 0, 0, 0, 1, true);
    fx_at(&f, S(6), 0, 0, 1, 1, true); /* R2 from 6 s: 3 s would end after the window */
    fx_run(&f);
    ASSERT_EQ_I64(fx_result(&f, 0)->status, SIM_ASSERT_PASSED);
    ASSERT_EQ_I64(fx_result(&f, 0)->t_ns, S(7));
    ASSERT_EQ_STR(fx_result(&f, 0)->expected,
                  "relay_coil(pack1.R1) == true for 1s eventually in [0s, end]");
    ASSERT_EQ_I64(fx_result(&f, 1)->status, SIM_ASSERT_FAILED);
    ASSERT_EQ_I64(fx_result(&f, 1)->t_ns, S(8));
    fx_end(&f);
}

static void test_within_time_trigger(void) {
    fx_t f;
    fx_begin(&f, "{'name': 'on time', 'kind': 'within', 'after': '4s', 'within': '2s', " COIL1(
                     "R1") ", 'eq': true},"
                           "{'name': 'late', 'kind': 'within', 'after': '4s', 'within': '2s', "
                           "'subject': 'relay_coil', 'node': 'pack2', 'relay': 'R1', 'eq': true}");
    fx_at(&f, S(6), 0, 0, 0, 1, true);
    fx_at(&f, S(6) + 1, 0, 1, 0, 1, true);
    fx_run(&f);
    ASSERT_EQ_I64(fx_result(&f, 0)->status, SIM_ASSERT_PASSED);
    ASSERT_EQ_I64(fx_result(&f, 0)->t_ns, S(6));
    ASSERT_EQ_I64(fx_result(&f, 1)->status, SIM_ASSERT_FAILED);
    ASSERT_EQ_I64(fx_result(&f, 1)->t_ns, S(6));
    ASSERT_EQ_STR(fx_result(&f, 1)->expected, "relay_coil(pack2.R1) == true within 2s after 4s");
    fx_end(&f);
}

#define HUNG(node) "{'subject': 'node_state', 'node': '" node "', 'eq': 'hung'}"

static void test_within_condition_trigger(void) {
    fx_t f;
    fx_begin(&f, "{'name': 'answered', 'kind': 'within', 'to': '10s', 'within': '2s', "
                 "'after': " HUNG("pack2") ", " COIL1(
                     "R2") ", 'eq': true},"
                           "{'name': 'unanswered', 'kind': 'within', 'within': '2s', "
                           "'after': " HUNG("pack2") ", " COIL1(
                               "R3") ", 'eq': true},"
                                     "{'name': 'no trigger', 'kind': 'within', 'within': '2s', "
                                     "'after': " HUNG("pack1") ", " COIL1("R3") ", 'eq': true}");
    fx_changes[0] = (fx_change_t){&f, 2, 1, 0, 0, "hung", true};
    fx_n_changes = 1;
    CU_ASSERT_FATAL(sim_kernel_schedule(f.k, S(3), SIM_PRIO_PHYSICS, fx_apply, &fx_changes[0], 0) !=
                    0);
    fx_at(&f, S(4), 0, 0, 1, 1, true);
    fx_run(&f);
    ASSERT_EQ_I64(fx_result(&f, 0)->status, SIM_ASSERT_PASSED);
    ASSERT_EQ_I64(fx_result(&f, 0)->t_ns, S(10)); /* the trigger range ended, all answered */
    ASSERT_EQ_I64(fx_result(&f, 1)->status, SIM_ASSERT_FAILED);
    ASSERT_EQ_I64(fx_result(&f, 1)->t_ns, S(5));
    ASSERT_EQ_STR(fx_result(&f, 1)->actual, "false");
    ASSERT_EQ_STR(fx_result(&f, 1)->expected,
                  "relay_coil(pack1.R3) == true within 2s after node_state(pack2) == \"hung\"");
    ASSERT_EQ_I64(fx_result(&f, 2)->status, SIM_ASSERT_FAILED);
    ASSERT_EQ_I64(fx_result(&f, 2)->t_ns, S(20));
    ASSERT_EQ_STR(fx_result(&f, 2)->actual, "the trigger never happened");
    fx_end(&f);
}

static void test_coalescing(void) {
    fx_t f;
    fx_sample_ns = S(100); /* no sampling inside the run: count evaluations exactly */
    fx_begin(&f, "{'name': 'quiet', 'kind': 'always', " COIL1("R1") ", 'eq': false}");
    for (int i = 0; i < 5; i++) {
        fx_at(&f, S(10), 0, 0, 1, i & 1, true); /* five notified changes at one instant */
    }
    fx_run(&f);
    ASSERT_EQ_I64(fx_result(&f, 0)->status, SIM_ASSERT_PASSED);
    ASSERT_EQ_U64(f.probe_calls, 3); /* window open, one coalesced evaluation at 10 s, close */
    fx_end(&f);
    fx_sample_ns = 0;
}

static void test_sampling_net(void) {
    fx_t f;
    fx_begin(&f, "{'name': 'unnotified', 'kind': 'always', " COIL1(
                     "R1") ", 'eq': false},"
                           "{'name': 'notified', 'kind': 'always', " COIL1("R2") ", 'eq': false}");
    fx_at(&f, MS(3500), 0, 0, 0, 1, false); /* nobody tells the engine */
    fx_at(&f, MS(6500), 0, 0, 1, 1, true);
    fx_run(&f);
    ASSERT_EQ_I64(fx_result(&f, 0)->status, SIM_ASSERT_FAILED);
    ASSERT_EQ_I64(fx_result(&f, 0)->t_ns, S(4));     /* the next sample (every 1 s) sees it */
    ASSERT_EQ_I64(fx_result(&f, 1)->t_ns, MS(6500)); /* a notified change: at once */
    fx_end(&f);
}

static void test_probe_refusal_and_run_end(void) {
    fx_t f;
    fx_begin(&f, "{'name': 'refused', 'kind': 'always', 'from': '1s', " COIL1(
                     "R1") ", 'eq': false},"
                           "{'name': 'late', 'kind': 'at', 'at': '10s', " SOC1 ", 'ge': 0}");
    f.refuse = SIM_SUBJ_RELAY_COIL;
    CU_ASSERT_EQUAL(sim_kernel_run_until(f.k, S(5)), 0); /* a run cut short */
    sim_assert_finish(f.e);
    sim_assert_finish(f.e); /* idempotent */
    ASSERT_EQ_I64(fx_result(&f, 0)->status, SIM_ASSERT_FAILED);
    ASSERT_EQ_I64(fx_result(&f, 0)->t_ns, S(1));
    ASSERT_EQ_STR(fx_result(&f, 0)->actual, "cannot observe the subject: not supported");
    ASSERT_EQ_I64(fx_result(&f, 1)->status, SIM_ASSERT_FAILED);
    ASSERT_EQ_I64(fx_result(&f, 1)->t_ns, S(5));
    ASSERT_EQ_STR(fx_result(&f, 1)->actual, "not decided: the run ended at 5s");
    ASSERT_EQ_U64(f.results, 2);
    fx_end(&f);
}

static void test_report(void) {
    fx_t f;
    fx_begin(&f, "{'name': 'ok', 'kind': 'at', 'at': '1s', " COIL1(
                     "R1") ", 'eq': false},"
                           "{'name': 'in range', 'kind': 'at', 'at': '2s', " SOC1
                           ", 'in': [10, 20.5]}");
    fx_at(&f, S(1), 1, 0, 0, 20500001, true);
    fx_run(&f);
    sim_report_t r;
    memset(&r, 0, sizeof r);
    ASSERT_EQ_I64(sim_assert_report(f.e, &r), 0);
    ASSERT_EQ_U64(r.n_asserts, 2);
    ASSERT_EQ_STR(r.asserts[0].name, "ok");
    CU_ASSERT_TRUE(r.asserts[0].passed);
    ASSERT_EQ_I64(r.asserts[0].t_ns, S(1));
    ASSERT_EQ_STR(r.asserts[1].name, "in range");
    CU_ASSERT_FALSE(r.asserts[1].passed);
    ASSERT_EQ_STR(r.asserts[1].expected, "soc_percent(pack1) in [10, 20.5] at 2s");
    ASSERT_EQ_STR(r.asserts[1].actual, "20.500001");
    ASSERT_EQ_I64(r.verdict, SIM_VERDICT_FAIL);
    sim_report_clear(&r);
    fx_end(&f);
}

static void test_create_rejects(void) {
    fx_t f;
    fx_begin(&f, "{'name': 'x', 'kind': 'at', 'at': '1s', " COIL1("R1") ", 'eq': true}");
    sim_assert_t *e = NULL;
    sim_assert_cfg_t cfg = {.scn = f.s, .end_ns = S(1)}; /* a probe subject without a probe */
    ASSERT_EQ_I64(sim_assert_create(f.k, &cfg, &e), -SIM_EINVAL);
    CU_ASSERT_PTR_NULL(e);
    cfg.probe = fx_probe;
    cfg.sample_ns = -1;
    ASSERT_EQ_I64(sim_assert_create(f.k, &cfg, &e), -SIM_EINVAL);
    fx_end(&f);
}

void test_register(void) {
    TEST_SUITE("assert_kinds", TEST(test_at_pass_fail_and_message), TEST(test_always_and_never),
               TEST(test_eventually_window_end), TEST(test_eq_far_apart), TEST(test_eventually_for),
               TEST(test_within_time_trigger), TEST(test_within_condition_trigger),
               TEST(test_coalescing), TEST(test_sampling_net), TEST(test_probe_refusal_and_run_end),
               TEST(test_report), TEST(test_create_rejects));
}
