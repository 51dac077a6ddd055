/*
 * test_host_node_trace.c: what the node host writes into a run folder: the lifecycle and log
 * lines of events.jsonl, and the per-node VCD scope, including bit-banged edges stamped after
 * "now" (they must come out at their own times, in order) and the state signal. Also the
 * creation errors that come from the trace: a duplicate node name, and a node created after the
 * VCD header was closed.
 */
#include <stdlib.h>

#include "sim_trace.h"
#include "test_host_bench.h"

#define RUN_DIR SIM_BINARY_DIR "/test_host_node_trace.run"
#define MS(x)   ((sim_time_ns_t)(x)*SIM_NS_PER_MS)

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

/* ---- VCD reading ----------------------------------------------------------------------------- */

typedef struct {
    sim_time_ns_t t_ns;
    uint64_t value;
} change_t;

/* The identifier code of scope.name, from the $var lines. */
static void vcd_id(const char *vcd, const char *scope, const char *name, char *id, size_t cap) {
    char head[64];
    snprintf(head, sizeof head, "$scope module %s $end", scope);
    const char *p = strstr(vcd, head);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    const char *end = strstr(p, "$upscope");
    char var_name[64];
    unsigned width;
    id[0] = '\0';
    for (const char *l = p; l != NULL && l < end; l = strchr(l + 1, '\n')) {
        char code[16];
        if (sscanf(l, "\n$var wire %u %15s %63s $end", &width, code, var_name) == 3 &&
            strcmp(var_name, name) == 0) {
            snprintf(id, cap, "%s", code);
        }
    }
    CU_ASSERT_FATAL(id[0] != '\0');
}

/* Every change of one signal after the initial dump, in file order; checks time never goes
 * backwards. */
static unsigned vcd_changes(const char *vcd, const char *id, change_t *out, unsigned cap) {
    const char *p = strstr(vcd, "$dumpvars");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    p = strstr(p, "$end");
    sim_time_ns_t t = 0;
    unsigned n = 0;
    for (const char *l = strchr(p, '\n'); l != NULL && l[1] != '\0'; l = strchr(l + 1, '\n')) {
        const char *s = l + 1;
        char code[16] = "";
        uint64_t v = 0;
        if (s[0] == '#') {
            sim_time_ns_t nt = strtoll(s + 1, NULL, 10);
            CU_ASSERT(nt >= t);
            t = nt;
            continue;
        }
        if (s[0] == 'b') {
            char bits[65];
            if (sscanf(s, "b%64s %15s", bits, code) != 2) {
                continue;
            }
            v = strtoull(bits, NULL, 2);
        } else if (s[0] == '0' || s[0] == '1') {
            v = (uint64_t)(s[0] - '0');
            sscanf(s + 1, "%15s", code);
        }
        if (strcmp(code, id) == 0 && n < cap) {
            out[n++] = (change_t){t, v};
        }
    }
    return n;
}

static void expect_change(const change_t *c, sim_time_ns_t t, uint64_t v) {
    ASSERT_EQ_I64(c->t_ns, t);
    ASSERT_EQ_U64(c->value, v);
}

/* ---- the run -------------------------------------------------------------------------------- */

typedef struct {
    sim_time_ns_t t0; /* first TM1637 edge of the bit-bang */
} probe_t;

static void probe_edge(void *ctx, sim_node_t *n, hal_signal_t sig, bool level, sim_time_ns_t t) {
    (void)n, (void)level;
    probe_t *p = ctx;
    if (sig == HAL_SIG_TM1637_CLK && p->t0 == 0) {
        p->t0 = t;
    }
}

static int create_named(bench_t *b, const char *name, sim_trace_t *t, char *err, size_t len) {
    sim_node_cfg_t cfg = {.name = name, .plugin_path = BENCH_PLUGIN, .trace = t};
    sim_node_t *n = NULL;
    int rc = sim_node_create(b->k, &cfg, &n, err, len);
    sim_node_destroy(n);
    return rc;
}

/* n1: boots, bit-bangs at 50 ms, hangs at 1050 ms, watchdog reset at 2000 ms.
 * n2: boots, powered off at 2100 ms. Returns the first bit-bang edge time. */
static sim_time_ns_t run(bench_t *b, sim_trace_t *t) {
    sim_node_t *n1 = bench_node_cfg(b, 1, b->bus, NULL, t);
    sim_node_t *n2 = bench_node_cfg(b, 2, b->bus, NULL, t);
    char err[512];
    ASSERT_EQ_I64(create_named(b, "n1", t, err, sizeof err), -SIM_EEXIST);
    ASSERT_EQ_STR(err, "node 'n1': a node of that name is already in the trace");
    probe_t probe = {0};
    sim_node_bind(n1, &(sim_node_binding_t){.ctx = &probe, .gpio_edge = probe_edge});
    ASSERT_EQ_I64(sim_node_power_on(n1), 0);
    ASSERT_EQ_I64(sim_node_power_on(n2), 0);
    ASSERT_EQ_I64(create_named(b, "n3", t, err, sizeof err), -SIM_EBUSY);
    ASSERT_EQ_STR(err, "node 'n3': cannot declare its VCD signals, the trace has already started "
                       "(create every node before running)");
    bench_run_ms(b, 50);
    bench_send(b, 0x125, (const uint8_t[]){1, 1}, 2);
    bench_send(b, 0x125, (const uint8_t[]){2, 8, HAL_LOG_DEBUG}, 3);
    bench_send(b, 0x125, (const uint8_t[]){2, 8, 7}, 3);
    bench_run_until(b, MS(1050));
    sim_node_hang(n1);
    bench_run_until(b, MS(2100));
    sim_node_power_off(n2);
    bench_run_until(b, MS(2200));
    CU_ASSERT(probe.t0 > MS(50));
    return probe.t0;
}

static void check_events(const char *ev) {
    const char *want[] = {
        "{\"t_ns\":0,\"type\":\"power_on\",\"node\":\"n1\"}\n",
        "{\"t_ns\":0,\"type\":\"boot\",\"node\":\"n1\",\"reason\":\"power_on\",\"boot\":1,"
        "\"fw\":\"fw_testnode\",\"fw_version\":\"0\"}\n",
        "{\"t_ns\":0,\"type\":\"log\",\"node\":\"n1\",\"level\":\"info\",\"msg\":\"testnode 1 boot "
        "1 reason power_on\"}\n",
        "{\"t_ns\":1050000000,\"type\":\"hang\",\"node\":\"n1\"}\n",
        "{\"t_ns\":2000000000,\"type\":\"watchdog_reset\",\"node\":\"n1\",\"timeout_ms\":1000}\n",
        "{\"t_ns\":2000000000,\"type\":\"boot\",\"node\":\"n1\",\"reason\":\"watchdog\",\"boot\":2,"
        "\"fw\":\"fw_testnode\",\"fw_version\":\"0\"}\n",
        "{\"t_ns\":2000000000,\"type\":\"log\",\"node\":\"n1\",\"level\":\"info\",\"msg\":"
        "\"testnode 1 boot 2 reason watchdog\"}\n",
        "{\"t_ns\":2100000000,\"type\":\"power_off\",\"node\":\"n2\"}\n",
    };
    /* A level outside hal_log_level_t is named as such, with its value; the four are not. */
    CU_ASSERT_PTR_NOT_NULL(strstr(ev, "\"type\":\"log\",\"node\":\"n2\",\"level\":\"debug\","
                                      "\"msg\":\"testnode 2 level 3\"}\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(ev, "\"type\":\"log\",\"node\":\"n2\",\"level\":\"invalid\","
                                      "\"level_value\":7,\"msg\":\"testnode 2 level 7\"}\n"));
    const char *at = ev;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *hit = strstr(at, want[i]);
        if (hit == NULL) {
            fprintf(stderr, "\n  events.jsonl lacks (in order): %s", want[i]);
        }
        CU_ASSERT_PTR_NOT_NULL_FATAL(hit);
        at = hit + strlen(want[i]);
    }
}

static void check_vcd(const char *vcd, sim_time_ns_t t0) {
    char dio[16], clk[16], st1[16], st2[16], led2[16];
    vcd_id(vcd, "n1", "tm1637_dio", dio, sizeof dio);
    vcd_id(vcd, "n1", "tm1637_clk", clk, sizeof clk);
    vcd_id(vcd, "n1", "state", st1, sizeof st1);
    vcd_id(vcd, "n2", "state", st2, sizeof st2);
    vcd_id(vcd, "n2", "led_green", led2, sizeof led2);
    change_t c[64];
    CU_ASSERT_EQUAL_FATAL(vcd_changes(vcd, dio, c, 64), 4);
    expect_change(&c[0], t0, 1);
    expect_change(&c[1], t0 + 5 * SIM_NS_PER_US, 0);
    expect_change(&c[2], t0 + 15 * SIM_NS_PER_US, 1);
    expect_change(&c[3], t0 + 115 * SIM_NS_PER_US, 0);
    CU_ASSERT_EQUAL_FATAL(vcd_changes(vcd, clk, c, 64), 2);
    expect_change(&c[0], t0, 1);
    expect_change(&c[1], t0 + 15 * SIM_NS_PER_US, 0);
    CU_ASSERT_EQUAL_FATAL(vcd_changes(vcd, st1, c, 64), 3);
    expect_change(&c[0], 0, SIM_NODE_RUNNING);
    expect_change(&c[1], MS(1050), SIM_NODE_HUNG);
    expect_change(&c[2], MS(2000), SIM_NODE_RUNNING);
    CU_ASSERT_EQUAL_FATAL(vcd_changes(vcd, st2, c, 64), 2);
    expect_change(&c[1], MS(2100), SIM_NODE_OFF);
    /* n2's LED toggled every 100 ms (21 ticks: on at the last one) and dropped at power-off. */
    unsigned n = vcd_changes(vcd, led2, c, 64);
    ASSERT_EQ_U64(n, 22);
    expect_change(&c[0], MS(100), 1);
    expect_change(&c[n - 1], MS(2100), 0);
}

static void test_trace_of_a_run(void) {
    char err[512] = "";
    sim_trace_t *t = NULL;
    sim_trace_cfg_t tc = {.pcap = false};
    int rc = sim_trace_open(RUN_DIR, &tc, &t, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "\n  %s\n", err);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    bench_t b;
    bench_open(&b, 0);
    sim_time_ns_t t0 = run(&b, t);
    bench_close(&b);
    ASSERT_EQ_I64(sim_trace_close(t, true), 0);
    sim_trace_free(t);
    char *ev = slurp(RUN_DIR "/events.jsonl");
    char *vcd = slurp(RUN_DIR "/signals.vcd");
    check_events(ev);
    check_vcd(vcd, t0);
    free(ev);
    free(vcd);
}

void test_register(void) {
    TEST_SUITE("host_node_trace", TEST(test_trace_of_a_run));
}
