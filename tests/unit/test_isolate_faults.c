/*
 * test_isolate_faults.c: a firmware that crashes in its child process is a node fault, and only
 * that. Each test runs three isolated nodes on one bus: two healthy testnodes around one crash
 * fixture (tests/plugins/crash_*.c), which heartbeats five times and then segfaults, aborts,
 * exits, overflows its stack, hangs, floods its log, restarts in a loop, keeps itself busy at
 * one instant or calls its HAL without end. The fault must be named
 * in events.jsonl at the instant it happened, the faulted node must be down (its CAN controller
 * stopped, its outputs inactive) and stay down, and the healthy nodes must keep heartbeating to the
 * end. The log flood and the restart loop are also run in process, where the node host must stop
 * them the same way.
 */
#include "sim_isolate.h"
#include "test_isolate_world.h"

#define RUN_MS      2000
#define CRASH_BEATS 5u /* tests/plugins/crash_common.h */

typedef struct {
    const char *plugin;
    const char *reason;
    const char *detail;
} fault_case_t;

/* The watchdog timeout of the crashing node: short, so the hang test is quick; slow hosts
 * (valgrind, tests/valgrind.sh) set SIM_TEST_HANG_TIMEOUT_MS. The healthy nodes keep the
 * default, which no healthy child comes near. */
static uint32_t hang_timeout_ms(void) {
    const char *e = getenv("SIM_TEST_HANG_TIMEOUT_MS");
    long ms = e != NULL ? strtol(e, NULL, 10) : 0;
    return ms > 0 ? (uint32_t)ms : 500u;
}

/* Frames with this identifier in a committed run folder's bus.log. */
static unsigned count_id(const char *dir, uint32_t id) {
    char path[600], needle[16];
    snprintf(path, sizeof path, "%s/bus.log", dir);
    snprintf(needle, sizeof needle, " %03X#", (unsigned)id);
    char *log = world_slurp(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    unsigned n = 0;
    for (const char *p = strstr(log, needle); p != NULL; p = strstr(p + 1, needle)) {
        n++;
    }
    free(log);
    return n;
}

static bool contains(const char *dir, const char *file, const char *text) {
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    char *s = world_slurp(path);
    bool found = s != NULL && strstr(s, text) != NULL;
    if (!found) {
        fprintf(stderr, "\n  %s has no \"%s\"\n", path, text);
    }
    free(s);
    return found;
}

/* Runs testnode, the fixture, testnode; returns the run folder in dir. */
static void run_case(const fault_case_t *fc, bool isolate, char *dir, size_t cap) {
    snprintf(dir, cap, "%s/test_isolate_faults.%s.%s", SIM_BINARY_DIR, fc->plugin,
             isolate ? "isolated" : "inproc");
    world_t *w = calloc(1, sizeof *w);
    world_open(w, dir, true);
    const char *plugins[3] = {"fw_testnode.so", fc->plugin, "fw_testnode.so"};
    for (uint8_t i = 0; i < 3; i++) {
        world_node(w, &(world_node_cfg_t){.plugin = plugins[i],
                                          .mac_last = (uint8_t)(i + 1),
                                          .isolate = isolate,
                                          .devices = true,
                                          .timeout_ms = i == 1 ? hang_timeout_ms() : 0});
        world_act(w, (act_t){.t_ms = 0, .kind = ACT_POWER_ON, .node = i});
    }
    world_run_ms(w, RUN_MS + 50); /* the frames of the last instant finish */
    sim_node_t *bad = w->nodes[1];
    ASSERT_EQ_STR(sim_node_faulted(bad), fc->reason);
    ASSERT_EQ_STR(sim_node_fault_detail(bad), fc->detail);
    ASSERT_EQ_I64(sim_node_state(bad), SIM_NODE_OFF);
    ASSERT_EQ_I64(sim_can_ctrl_state(sim_node_can(bad)), SIM_CAN_STOPPED); /* dead on the bus */
    ASSERT_EQ_I64(sim_node_power_on(bad), -SIM_EBUSY);                     /* and stays dead */
    sim_node_stats_t st;
    sim_node_stats(bad, &st);
    ASSERT_EQ_U64(st.faults, 1);
    for (unsigned i = 0; i < 3; i += 2) {
        CU_ASSERT_PTR_NULL(sim_node_faulted(w->nodes[i]));
        ASSERT_EQ_I64(sim_node_state(w->nodes[i]), SIM_NODE_RUNNING);
    }
    world_close(w);
    free(w);
}

static void expect_fault(const fault_case_t *fc) {
    char dir[512];
    run_case(fc, true, dir, sizeof dir);
    /* The healthy nodes heartbeat every 100 ms to the end; the fixture's fifth beat is at
     * 500 ms, the instant of the fault. */
    ASSERT_EQ_U64(count_id(dir, 0x701), RUN_MS / 100);
    ASSERT_EQ_U64(count_id(dir, 0x703), RUN_MS / 100);
    CU_ASSERT(count_id(dir, 0x702) >= CRASH_BEATS - 1 && count_id(dir, 0x702) <= CRASH_BEATS);
    char line[256];
    snprintf(line, sizeof line,
             "{\"t_ns\":500000000,\"type\":\"node_fault\",\"node\":\"n2\",\"reason\":\"%s\","
             "\"detail\":\"%s\"}\n",
             fc->reason, fc->detail);
    CU_ASSERT(contains(dir, "events.jsonl", line));
}

static void test_segfault(void) {
    expect_fault(&(fault_case_t){"fw_crash_segv.so", "segfault", "SIGSEGV"});
}

static void test_abort(void) {
    expect_fault(&(fault_case_t){"fw_crash_abort.so", "abort", "SIGABRT"});
}

static void test_exit(void) {
    expect_fault(&(fault_case_t){"fw_crash_exit.so", "exit", "status 3"});
}

static void test_stack_overflow(void) {
    expect_fault(&(fault_case_t){"fw_crash_stack.so", "stack_overflow", "SIGSEGV"});
}

static void test_hang(void) {
    char detail[96];
    snprintf(detail, sizeof detail, "no reply from the firmware process within %u ms",
             (unsigned)hang_timeout_ms());
    expect_fault(&(fault_case_t){"fw_crash_hang.so", "hang", detail});
}

/* The fault isolated (expect_fault), then in process: both runs write the same events.jsonl,
 * which is returned (to be freed). */
static char *expect_fault_both_modes(const fault_case_t *fc) {
    expect_fault(fc);
    char here[512];
    run_case(fc, false, here, sizeof here);
    char iso_events[600], here_events[600];
    snprintf(iso_events, sizeof iso_events, "%s/test_isolate_faults.%s.isolated/events.jsonl",
             SIM_BINARY_DIR, fc->plugin);
    snprintf(here_events, sizeof here_events, "%s/events.jsonl", here);
    char *a = world_slurp(iso_events), *b = world_slurp(here_events);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    ASSERT_EQ_STR(a, b);
    free(b);
    return a;
}

/* Counts the occurrences of `needle` in `s`. */
static size_t occurrences(const char *s, const char *needle) {
    size_t n = 0;
    for (const char *p = strstr(s, needle); p != NULL; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

static void test_log_flood_same_in_both_modes(void) {
    const fault_case_t fc = {"fw_crash_logflood.so", "log_flood",
                             "more than 65536 log bytes in one second"};
    char *a = expect_fault_both_modes(&fc);
    /* The budget let about 64 KiB of lines through, then nothing. */
    size_t lines = occurrences(a, "\"msg\":\"flood ");
    CU_ASSERT(lines > 500 && lines < 800);
    free(a);
}

/* A firmware that restarts from fw_init would boot forever at one instant (boots take no virtual
 * time): the node host stops it after SIM_NODE_RESETS_PER_INSTANT resets, and the run goes on. */
static void test_reset_loop_same_in_both_modes(void) {
    char detail[96];
    snprintf(detail, sizeof detail,
             "more than %u resets at one instant: the firmware restarts before time moves on",
             (unsigned)SIM_NODE_RESETS_PER_INSTANT);
    const fault_case_t fc = {"fw_crash_bootloop.so", "reset_loop", detail};
    char *a = expect_fault_both_modes(&fc);
    /* The power-on boot, then one boot per reset up to the limit; the reset past it boots
     * nothing. */
    ASSERT_EQ_U64(occurrences(a, "\"reason\":\"software\""), SIM_NODE_RESETS_PER_INSTANT);
    free(a);
}

/* A firmware looping on its HAL inside one entry point is stopped after SIM_ISOLATE_OPS_MAX
 * operations in both modes (in process it used to write a trace line per call without limit);
 * its NULL MAC request at boot neither crashes the host nor the child. */
static void test_operation_storm_same_in_both_modes(void) {
    char detail[96];
    snprintf(detail, sizeof detail, "more than %u operations in one entry point",
             (unsigned)SIM_ISOLATE_OPS_MAX);
    free(expect_fault_both_modes(&(fault_case_t){"fw_crash_opstorm.so", "hang", detail}));
}

/* A firmware that answers each entry point with another at the same instant would run forever:
 * the node host stops it after SIM_NODE_ENTRIES_PER_INSTANT entry points, and the run goes on. */
static void test_livelock_same_in_both_modes(void) {
    char detail[96];
    snprintf(detail, sizeof detail,
             "more than %u entry points at one instant: the firmware never lets time move on",
             (unsigned)SIM_NODE_ENTRIES_PER_INSTANT);
    const fault_case_t fc = {"fw_crash_livelock.so", "livelock", detail};
    char *a = expect_fault_both_modes(&fc);
    /* The timer entry point that starts the loop, then one state change per entry point: each
     * stop and start reports two (stopped, error-active), and the fault comes at the entry point
     * past the limit, which runs muted. */
    size_t changes = occurrences(a, "\"node\":\"n2\",\"bus\":\"can0\",\"state\"");
    CU_ASSERT(changes >= SIM_NODE_ENTRIES_PER_INSTANT &&
              changes <= SIM_NODE_ENTRIES_PER_INSTANT + 4);
    free(a);
}

void test_register(void) {
    TEST_SUITE("isolate_faults", TEST(test_segfault), TEST(test_abort), TEST(test_exit),
               TEST(test_stack_overflow), TEST(test_hang), TEST(test_log_flood_same_in_both_modes),
               TEST(test_reset_loop_same_in_both_modes), TEST(test_livelock_same_in_both_modes),
               TEST(test_operation_storm_same_in_both_modes));
}
