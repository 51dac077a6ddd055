/*
 * test_live_oprec.c: the "operator" record of events.jsonl: every kind written by the trace and
 * read back field for field, the checks against the scenario, and the reader refusing anything
 * the writer would not have produced (a replay must not guess at a damaged session).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_run_operator.h"
#include "test_support.h"

static sim_scenario_t *scn;

static sim_scenario_t *load(void) {
    const char *dirs[] = {SIM_PLUGIN_DIR, NULL};
    sim_diag_t d;
    sim_scenario_t *s = NULL;
    int rc = sim_scenario_load(SIM_SOURCE_DIR "/scenarios/eco_three_packs.json", dirs, &s, &d);
    if (rc != 0) {
        fprintf(stderr, "\n  %s: %s\n", d.file, d.message);
    }
    return s;
}

static panel_input_t op(panel_input_kind_t kind, int node) {
    panel_input_t in;
    memset(&in, 0, sizeof in);
    in.kind = kind;
    in.node = node;
    return in;
}

/* One input of every kind, with values that exercise each field. */
static size_t samples(panel_input_t *out) {
    size_t n = 0;
    out[n] = op(PANEL_IN_COMMAND, -1);
    out[n].can_id = 0x206;
    out[n].target = 127;
    out[n].n_args = 2;
    out[n].args[0] = 0x0D;
    out[n++].args[1] = 0xAC;
    out[n] = op(PANEL_IN_COMMAND, -1);
    out[n].can_id = 0x20E; /* REQUEST_STATUS: no arguments */
    out[n++].target = 20;
    out[n++] = op(PANEL_IN_POWER_CYCLE, 1);
    out[n] = op(PANEL_IN_POWER, 2);
    out[n++].on = true;
    out[n++] = op(PANEL_IN_POWER, 3); /* the gateway can be switched off too */
    out[n++] = op(PANEL_IN_HANG, 0);
    out[n] = op(PANEL_IN_CAN_UNPLUG, 2);
    out[n++].on = true;
    out[n++] = op(PANEL_IN_GRID, -1);
    out[n] = op(PANEL_IN_PV_SCALE, -1);
    out[n++].scale_pct = 0;
    out[n] = op(PANEL_IN_LOAD_SCALE, -1);
    out[n++].scale_pct = PANEL_SCALE_MAX_PCT;
    return n;
}

static bool same(const panel_input_t *a, const panel_input_t *b) {
    return a->kind == b->kind && a->node == b->node && a->on == b->on &&
           a->scale_pct == b->scale_pct && a->can_id == b->can_id && a->target == b->target &&
           a->n_args == b->n_args && memcmp(a->args, b->args, a->n_args) == 0;
}

static void test_roundtrip(void) {
    CU_ASSERT_PTR_NOT_NULL_FATAL(scn);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/test-tmp/live_oprec", SIM_BINARY_DIR);
    sim_trace_t *t = NULL;
    char err[256];
    sim_trace_cfg_t tc = {.pcap = false};
    CU_ASSERT_EQUAL_FATAL(sim_trace_open(dir, &tc, &t, err, sizeof err), 0);
    panel_input_t in[16];
    size_t n = samples(in);
    for (size_t i = 0; i < n; i++) {
        char why[128] = "";
        ASSERT_EQ_I64(sim_run_operator_check(scn, &in[i], why, sizeof why), 0);
        sim_run_operator_record(t, (sim_time_ns_t)(i * 250) * SIM_NS_PER_MS, scn, &in[i]);
    }
    CU_ASSERT_EQUAL_FATAL(sim_trace_finish(t), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/events.jsonl", sim_trace_dir(t));
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char line[1024];
    size_t got = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        sim_time_ns_t t_ns = -1;
        panel_input_t back;
        int rc = sim_run_operator_parse(line, scn, &t_ns, &back);
        ASSERT_EQ_I64(rc, 1);
        if (rc == 1 && got < n) {
            ASSERT_EQ_I64(t_ns, (sim_time_ns_t)(got * 250) * SIM_NS_PER_MS);
            CU_ASSERT_TRUE(same(&back, &in[got]));
        }
        got++;
    }
    fclose(f);
    ASSERT_EQ_U64(got, n);
    sim_trace_close(t, false);
    sim_trace_free(t);
}

/* The exact text, so a change of format is a visible decision. */
static void test_format(void) {
    CU_ASSERT_PTR_NOT_NULL_FATAL(scn);
    const char *line = "{\"t_ns\":5000000000,\"type\":\"operator\",\"kind\":\"command\","
                       "\"id\":\"0x206\",\"target\":127,\"args\":\"0DAC\"}";
    sim_time_ns_t t = 0;
    panel_input_t in;
    ASSERT_EQ_I64(sim_run_operator_parse(line, scn, &t, &in), 1);
    ASSERT_EQ_I64(t, 5 * SIM_NS_PER_S);
    ASSERT_EQ_I64(in.kind, PANEL_IN_COMMAND);
    ASSERT_EQ_I64(in.can_id, 0x206);
    ASSERT_EQ_I64(in.n_args, 2);
    ASSERT_EQ_I64(in.args[1], 0xAC);
    line = "{\"t_ns\":7,\"type\":\"operator\",\"node\":\"pack3\",\"kind\":\"can_unplug\","
           "\"on\":false}";
    ASSERT_EQ_I64(sim_run_operator_parse(line, scn, &t, &in), 1);
    ASSERT_EQ_I64(in.node, 2);
    CU_ASSERT_FALSE(in.on);
}

static void test_other_lines_ignored(void) {
    CU_ASSERT_PTR_NOT_NULL_FATAL(scn);
    const char *lines[] = {
        "{\"t_ns\":0,\"type\":\"power_on\",\"node\":\"pack1\"}",
        "{\"t_ns\":3,\"type\":\"action\",\"kind\":\"grid_outage\",\"on\":true}",
        "{\"t_ns\":3,\"type\":\"log\",\"node\":\"pack1\",\"msg\":\"\\\"type\\\":"
        "\\\"operator\\\"\"}",
        "",
        "not json",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        sim_time_ns_t t;
        panel_input_t in;
        ASSERT_EQ_I64(sim_run_operator_parse(lines[i], scn, &t, &in), 0);
    }
}

static void test_malformed_refused(void) {
    CU_ASSERT_PTR_NOT_NULL_FATAL(scn);
    const char *head = "{\"t_ns\":1000,\"type\":\"operator\"";
    const char *bodies[] = {
        ",\"kind\":\"grid\"}",                                /* missing on */
        ",\"kind\":\"grid\",\"on\":1}",                       /* not a boolean */
        ",\"kind\":\"grid\",\"on\":true,\"x\":1}",            /* extra field */
        ",\"kind\":\"pv_scale\",\"pct\":501}",                /* out of range */
        ",\"kind\":\"pv_scale\",\"pct\":\"50\"}",             /* a string */
        ",\"kind\":\"hang\"}",                                /* a node action without node */
        ",\"node\":\"gw\",\"kind\":\"hang\"}",                /* no firmware to hang */
        ",\"node\":\"nobody\",\"kind\":\"power_cycle\"}",     /* unknown node */
        ",\"node\":\"pack1\",\"kind\":\"grid\",\"on\":true}", /* grid names no node */
        ",\"kind\":\"teleport\"}",                            /* unknown kind */
        ",\"kind\":\"command\",\"id\":\"0x100\",\"target\":1,\"args\":\"\"}", /* not a command */
        ",\"kind\":\"command\",\"id\":\"0x206\",\"target\":128,\"args\":\"\"}",
        ",\"kind\":\"command\",\"id\":\"0x206\",\"target\":1,\"args\":\"0D0\"}",
        ",\"kind\":\"command\",\"id\":\"0x206\",\"target\":1,\"args\":\"0d\"}",
        ",\"kind\":\"command\",\"id\":\"0x206\",\"target\":1,\"args\":\"01020304050607\"}",
        ",\"kind\":\"command\",\"target\":1,\"id\":\"0x206\",\"args\":\"\"}", /* order */
        ",\"kind\":\"power\",\"node\":\"pack1\",\"on\":true}",                /* node after kind */
        ",\"kind\":\"grid\",\"on\":true",                                     /* no closing brace */
        ",\"kind\":\"grid\",\"on\":true} ",                                   /* trailing text */
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        char line[512];
        snprintf(line, sizeof line, "%s%s", head, bodies[i]);
        sim_time_ns_t t;
        panel_input_t in;
        int rc = sim_run_operator_parse(line, scn, &t, &in);
        if (rc != -SIM_EFORMAT) {
            fprintf(stderr, "\n  accepted or ignored: %s (%d)\n", line, rc);
        }
        ASSERT_EQ_I64(rc, -SIM_EFORMAT);
    }
    sim_time_ns_t t;
    panel_input_t in;
    ASSERT_EQ_I64(sim_run_operator_parse("{\"t_ns\":-5,\"type\":\"operator\",\"kind\":\"grid\","
                                         "\"on\":true}",
                                         scn, &t, &in),
                  -SIM_EFORMAT);
}

static void test_check(void) {
    CU_ASSERT_PTR_NOT_NULL_FATAL(scn);
    char why[128];
    panel_input_t in = op(PANEL_IN_POWER_CYCLE, 4);
    ASSERT_EQ_I64(sim_run_operator_check(scn, &in, why, sizeof why), -SIM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "#5"));
    in = op(PANEL_IN_HANG, 3);
    ASSERT_EQ_I64(sim_run_operator_check(scn, &in, why, sizeof why), -SIM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "gw"));
    in = op(PANEL_IN_PAUSE, -1);
    ASSERT_EQ_I64(sim_run_operator_check(scn, &in, why, sizeof why), -SIM_EINVAL);
    in = op(PANEL_IN_LOAD_SCALE, -1);
    in.scale_pct = -1;
    ASSERT_EQ_I64(sim_run_operator_check(scn, &in, why, sizeof why), -SIM_EINVAL);
    in = op(PANEL_IN_COMMAND, -1);
    in.can_id = 0x20B;
    in.n_args = PANEL_ARGS_MAX + 1;
    ASSERT_EQ_I64(sim_run_operator_check(scn, &in, why, sizeof why), -SIM_EINVAL);
    CU_ASSERT_PTR_NULL(sim_run_operator_kind_name(PANEL_IN_SEEK));
    ASSERT_EQ_STR(sim_run_operator_kind_name(PANEL_IN_CAN_UNPLUG), "can_unplug");
}

/* What an operator action does is what the timeline's action of that kind does. */
static void test_action_mapping(void) {
    CU_ASSERT_PTR_NOT_NULL_FATAL(scn);
    sim_scn_action_t a;
    panel_input_t in = op(PANEL_IN_GRID, -1);
    in.on = false; /* mains cut */
    sim_run_operator_action(scn, &in, &a);
    ASSERT_EQ_I64(a.kind, SIM_ACT_GRID);
    CU_ASSERT_TRUE(a.on); /* the timeline says "down" */
    ASSERT_EQ_I64(a.node, -1);
    in = op(PANEL_IN_POWER_CYCLE, 1);
    sim_run_operator_action(scn, &in, &a);
    ASSERT_EQ_I64(a.kind, SIM_ACT_POWER_CYCLE);
    ASSERT_EQ_I64(a.off_ns, SIM_NS_PER_S);
    ASSERT_EQ_I64(a.node, 1);
    in = op(PANEL_IN_LOAD_SCALE, -1);
    in.scale_pct = 150;
    sim_run_operator_action(scn, &in, &a);
    ASSERT_EQ_I64(a.kind, SIM_ACT_LOAD);
    ASSERT_NEAR(a.scale, 1.5, 1e-12);
    CU_ASSERT_PTR_NULL(a.profile);
    in = op(PANEL_IN_COMMAND, -1);
    in.can_id = 0x202;
    in.target = 90;
    in.n_args = 1;
    in.args[0] = 1;
    sim_run_operator_action(scn, &in, &a);
    ASSERT_EQ_I64(a.kind, SIM_ACT_COMMAND);
    ASSERT_EQ_I64(a.gateway, 3); /* through the scenario's gateway, as the app does */
    ASSERT_EQ_I64(a.target_id, 90);
    ASSERT_EQ_I64(a.target_node, -1);
}

void test_register(void) {
    scn = load();
    TEST_SUITE("live_oprec", TEST(test_roundtrip), TEST(test_format),
               TEST(test_other_lines_ignored), TEST(test_malformed_refused), TEST(test_check),
               TEST(test_action_mapping));
}
