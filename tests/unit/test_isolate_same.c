/*
 * test_isolate_same.c: an isolated node behaves exactly like an in-process one. Each test builds
 * the same world twice, once with every node's firmware in this process and once with each in a
 * child process, runs the same timeline, and compares the run folders' digests (bus.log,
 * events.jsonl, signals.vcd) and every node's statistics. The worlds exercise every host
 * operation: heartbeats, queries and commands (bit-banged GPIO with a device answering reads,
 * ADC bursts, UART on an RS-485 line with a peer, WS2812, NVS writes, one-shot timers, software
 * restarts), watchdog resets, hangs, power cycles, an NVS change made from outside while the
 * firmware runs, a lone node whose frames nobody acknowledges (error-passive, full TX queue), 20
 * nodes contending for the bus, and the Alfaspark firmware itself.
 */
#include "test_isolate_world.h"

typedef void (*build_fn)(world_t *w, bool isolate);

typedef struct {
    char digest[65];
    sim_node_stats_t stats[WORLD_NODES_MAX];
    unsigned n_nodes;
    unsigned frames;
    uint64_t peer_rx, edges, edge_sum, adc_calls;
} outcome_t;

static void run_world(const char *name, bool isolate, build_fn build, int64_t end_ms,
                      outcome_t *out) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/test_isolate_same.%s.%s", SIM_BINARY_DIR, name,
             isolate ? "isolated" : "inproc");
    world_t *w = calloc(1, sizeof *w);
    world_open(w, dir, true);
    build(w, isolate);
    world_run_ms(w, end_ms);
    memset(out, 0, sizeof *out);
    out->n_nodes = w->n_nodes;
    out->frames = w->frames;
    for (unsigned i = 0; i < w->n_nodes; i++) {
        sim_node_stats(w->nodes[i], &out->stats[i]);
        CU_ASSERT_PTR_NULL(sim_node_faulted(w->nodes[i]));
        out->peer_rx += w->dev[i].peer_rx;
        out->edges += w->dev[i].edges;
        out->edge_sum += w->dev[i].edge_sum;
        out->adc_calls += w->dev[i].adc_calls;
    }
    world_close(w);
    memcpy(out->digest, w->digest, sizeof out->digest);
    free(w);
}

/* Prints the first line where the two run folders differ, file by file (a failing test says
 * where the modes parted). */
static void show_divergence(const char *name) {
    static const char *const files[] = {"bus.log", "events.jsonl", "signals.vcd"};
    for (size_t f = 0; f < 3; f++) {
        char a[512], b[512];
        snprintf(a, sizeof a, "%s/test_isolate_same.%s.inproc/%s", SIM_BINARY_DIR, name, files[f]);
        snprintf(b, sizeof b, "%s/test_isolate_same.%s.isolated/%s", SIM_BINARY_DIR, name,
                 files[f]);
        char *x = world_slurp(a), *y = world_slurp(b);
        size_t i = 0, line = 1, start = 0;
        while (x != NULL && y != NULL && x[i] != '\0' && x[i] == y[i]) {
            if (x[i++] == '\n') {
                line++;
                start = i;
            }
        }
        if (x != NULL && y != NULL && (x[i] != '\0' || y[i] != '\0')) {
            fprintf(stderr, "\n  %s line %zu:\n    in process: %.160s\n    isolated:   %.160s\n",
                    files[f], line, x + start, y + start);
        }
        free(x);
        free(y);
    }
}

/* Runs both modes and compares; returns the isolated outcome for extra checks. */
static void expect_same(const char *name, build_fn build, int64_t end_ms, outcome_t *iso) {
    outcome_t here;
    run_world(name, false, build, end_ms, &here);
    run_world(name, true, build, end_ms, iso);
    ASSERT_EQ_STR(iso->digest, here.digest);
    if (strcmp(iso->digest, here.digest) != 0) {
        show_divergence(name);
    }
    ASSERT_EQ_U64(iso->frames, here.frames);
    ASSERT_EQ_U64(iso->peer_rx, here.peer_rx);
    ASSERT_EQ_U64(iso->edges, here.edges);
    ASSERT_EQ_U64(iso->edge_sum, here.edge_sum);
    ASSERT_EQ_U64(iso->adc_calls, here.adc_calls);
    for (unsigned i = 0; i < here.n_nodes; i++) {
        sim_node_stats_t a = here.stats[i], b = iso->stats[i];
        ASSERT_EQ_U64(a.iso_spawns + a.iso_batches + a.iso_items, 0); /* nothing isolated */
        CU_ASSERT(b.iso_spawns >= 1 && b.iso_batches >= 1 && b.iso_items >= b.iso_batches);
        b.iso_spawns = b.iso_batches = b.iso_items = b.iso_ops = b.iso_sync_ops = 0;
        a.iso_ops = a.iso_sync_ops = 0;
        if (memcmp(&a, &b, sizeof a) != 0) {
            fprintf(stderr, "\n  %s: node %u statistics differ\n", name, i);
            CU_FAIL("node statistics differ between modes");
        }
    }
}

static void send_at(world_t *w, int64_t t_ms, uint32_t id, const uint8_t *d, uint8_t dlc) {
    act_t a = {.t_ms = t_ms, .kind = ACT_SEND, .id = id, .dlc = dlc};
    memcpy(a.data, d, dlc);
    world_act(w, a);
}

static void node_act(world_t *w, int64_t t_ms, act_kind_t kind, uint8_t node) {
    world_act(w, (act_t){.t_ms = t_ms, .kind = kind, .node = node});
}

/* ---- two testnodes: heartbeats, a query, a power cycle ------------------------------------- */

static void build_two(world_t *w, bool isolate) {
    for (uint8_t k = 1; k <= 2; k++) {
        world_node(
            w, &(world_node_cfg_t){.plugin = "fw_testnode.so", .mac_last = k, .isolate = isolate});
        node_act(w, 0, ACT_POWER_ON, (uint8_t)(k - 1));
    }
    send_at(w, 2000, 0x123, (const uint8_t[]){0xFF}, 1);
    node_act(w, 5000, ACT_POWER_OFF, 1);
    node_act(w, 5500, ACT_POWER_ON, 1);
}

static void test_two_nodes(void) {
    outcome_t o;
    expect_same("two", build_two, 10000, &o);
    CU_ASSERT(o.frames > 190);
    ASSERT_EQ_U64(o.stats[1].iso_spawns, 2); /* one child per boot */
    ASSERT_EQ_U64(o.stats[1].power_ons, 2);
}

/* ---- every command, devices, a line, watchdog, hang, restart ------------------------------- */

static void cmd_at(world_t *w, int64_t t_ms, uint8_t node, const uint8_t *args, uint8_t n) {
    uint8_t d[8] = {node};
    memcpy(&d[1], args, n);
    send_at(w, t_ms, 0x125, d, (uint8_t)(n + 1u));
}

static void build_commands(world_t *w, bool isolate) {
    for (uint8_t k = 1; k <= 3; k++) {
        world_node(w, &(world_node_cfg_t){.plugin = "fw_testnode.so",
                                          .mac_last = k,
                                          .isolate = isolate,
                                          .devices = k != 3,
                                          .rs485 = k != 2});
        node_act(w, 0, ACT_POWER_ON, (uint8_t)(k - 1));
    }
    for (uint8_t k = 1; k <= 3; k++) {
        int64_t t = 150 + 1000 * (k - 1);
        cmd_at(w, t, k, (const uint8_t[]){1}, 1); /* bit-bang, DIO read */
        cmd_at(w, t + 20, k, (const uint8_t[]){1}, 1);
        cmd_at(w, t + 40, k, (const uint8_t[]){2, 10, 50, 0x05}, 4);     /* ADC */
        cmd_at(w, t + 42, k, (const uint8_t[]){2, 10, 50, 0x05}, 4);     /* busy */
        cmd_at(w, t + 60, k, (const uint8_t[]){3, 0x10, 0x20, 0x30}, 4); /* UART */
        cmd_at(w, t + 80, k, (const uint8_t[]){4, 1, 2, 3, 4, 5, 6}, 7); /* WS2812 */
        cmd_at(w, t + 90, k, (const uint8_t[]){6, 0x42, 3}, 3);          /* NVS x3 */
        cmd_at(w, t + 95, k, (const uint8_t[]){7, 33}, 2);               /* one-shot timer */
    }
    cmd_at(w, 3500, 0xFF, (const uint8_t[]){5}, 1); /* every node restarts */
    send_at(w, 3700, 0x123, (const uint8_t[]){0xFF}, 1);
    send_at(w, 3900, 0x124, (const uint8_t[]){1}, 1); /* node 1 starves its watchdog */
    node_act(w, 4200, ACT_HANG, 2);                   /* node 3 hangs: watchdog */
    world_act(w, (act_t){.t_ms = 4300, .kind = ACT_NVS_SET, .node = 1, .data = {200}});
    cmd_at(w, 4400, 2, (const uint8_t[]){5}, 1); /* node 2 reboots and reads the new value */
}

static void test_commands_devices_and_lifecycle(void) {
    outcome_t o;
    expect_same("commands", build_commands, 7000, &o);
    CU_ASSERT(o.peer_rx >= 6);
    CU_ASSERT(o.adc_calls >= 2);
    ASSERT_EQ_U64(o.stats[0].watchdog_resets, 1);
    ASSERT_EQ_U64(o.stats[2].watchdog_resets, 1);
    CU_ASSERT(o.stats[1].software_resets >= 2);
    CU_ASSERT(o.stats[0].iso_sync_ops >= 2); /* DIO reads answered by the device, can_start */
    CU_ASSERT(o.stats[1].nvs_writes >= 4);
}

/* ---- a lone node: no acknowledgement, error-passive, a full TX queue ----------------------- */

static void build_lone(world_t *w, bool isolate) {
    sim_can_ctrl_detach(w->tester); /* nobody acknowledges */
    w->tester = NULL;
    world_node(w,
               &(world_node_cfg_t){.plugin = "fw_testnode.so", .mac_last = 9, .isolate = isolate});
    node_act(w, 0, ACT_POWER_ON, 0);
}

static void test_lone_node(void) {
    outcome_t o;
    expect_same("lone", build_lone, 3000, &o);
    CU_ASSERT(o.stats[0].can_tx_refused > 0); /* the queue filled: the mirror said so too */
}

/* ---- 20 nodes contending ----------------------------------------------------------------- */

static void build_many(world_t *w, bool isolate) {
    for (uint8_t k = 1; k <= 20; k++) {
        world_node(
            w, &(world_node_cfg_t){.plugin = "fw_testnode.so", .mac_last = k, .isolate = isolate});
        node_act(w, 7 * k, ACT_POWER_ON, (uint8_t)(k - 1));
    }
    for (int i = 0; i < 5; i++) {
        send_at(w, 300 + 400 * i, 0x123, (const uint8_t[]){0xFF}, 1);
    }
}

static void test_many_nodes(void) {
    outcome_t o;
    expect_same("many", build_many, 2500, &o);
    CU_ASSERT(o.frames > 20 * 24);
}

/* ---- the Alfaspark firmware ---------------------------------------------------------------- */

static void build_alfaspark(world_t *w, bool isolate) {
    for (uint8_t k = 1; k <= 3; k++) {
        world_node(w, &(world_node_cfg_t){.plugin = "fw_alfaspark.so",
                                          .mac_last = k,
                                          .isolate = isolate,
                                          .devices = true,
                                          .rs485 = true});
        node_act(w, 100 * k, ACT_POWER_ON, (uint8_t)(k - 1));
    }
    node_act(w, 20000, ACT_POWER_OFF, 2); /* the others elect without it */
    node_act(w, 25000, ACT_POWER_ON, 2);
}

static void test_alfaspark(void) {
    outcome_t o;
    expect_same("alfaspark", build_alfaspark, 40000, &o);
    CU_ASSERT(o.frames > 100);
    CU_ASSERT(o.stats[0].iso_items > 1000);
}

void test_register(void) {
    TEST_SUITE("isolate_same", TEST(test_two_nodes), TEST(test_commands_devices_and_lifecycle),
               TEST(test_lone_node), TEST(test_many_nodes), TEST(test_alfaspark));
}
