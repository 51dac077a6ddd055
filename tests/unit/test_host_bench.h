/*
 * test_host_bench.h: a test bench for the node host suites (test_host_node*.c): a kernel, a CAN
 * bus at 500 kbit/s with a "tester" controller that acknowledges frames and sends commands, an
 * observer that records every frame on the wire, and nodes running fw_testnode.so (see
 * tests/plugins/testnode.c for its protocol). Helpers are static inline so each suite uses what
 * it needs.
 */
#ifndef TEST_HOST_BENCH_H
#define TEST_HOST_BENCH_H

#include <stdlib.h>

#include "sim_can.h"
#include "sim_kernel.h"
#include "sim_node.h"
#include "test_support.h"

#define BENCH_PLUGIN    SIM_PLUGIN_DIR "/fw_testnode.so"
#define BENCH_NODES_MAX 127

typedef struct {
    sim_can_frame_t f;
    sim_time_ns_t t_start_ns, t_end_ns;
} bench_frame_t;

typedef struct {
    sim_kernel_t *k;
    sim_can_bus_t *bus;
    sim_can_ctrl_t *tester;
    sim_plugin_cache_t *plugins;
    sim_node_t *nodes[BENCH_NODES_MAX];
    unsigned n_nodes;
    bench_frame_t *frames;
    size_t n_frames, cap_frames;
} bench_t;

static inline void bench_on_frame(void *ctx, const sim_can_frame_t *f, const sim_can_ctrl_t *sender,
                                  sim_time_ns_t t_start, sim_time_ns_t t_end) {
    (void)sender;
    bench_t *b = ctx;
    if (b->n_frames == b->cap_frames) {
        b->cap_frames = b->cap_frames ? 2 * b->cap_frames : 1024;
        b->frames = realloc(b->frames, b->cap_frames * sizeof *b->frames);
        SIM_ASSERT(b->frames != NULL);
    }
    b->frames[b->n_frames++] = (bench_frame_t){*f, t_start, t_end};
}

/* bitrate_bps 0: 500 kbit/s. */
static inline void bench_open(bench_t *b, uint32_t bitrate_bps) {
    memset(b, 0, sizeof *b);
    CU_ASSERT_EQUAL_FATAL(sim_kernel_create(1, &b->k), 0);
    sim_can_bus_cfg_t bc = {.name = "can0", .bitrate_bps = bitrate_bps};
    CU_ASSERT_EQUAL_FATAL(sim_can_bus_create(b->k, &bc, &b->bus), 0);
    sim_can_ctrl_cfg_t cc = {.name = "tester", .tx_queue_len = 1024};
    CU_ASSERT_EQUAL_FATAL(sim_can_ctrl_attach(b->bus, &cc, NULL, NULL, &b->tester), 0);
    CU_ASSERT_EQUAL_FATAL(sim_can_ctrl_start(b->tester), 0);
    sim_can_observer_t obs = {.on_frame = bench_on_frame};
    CU_ASSERT_EQUAL_FATAL(sim_can_bus_observe(b->bus, &obs, b), 0);
    CU_ASSERT_EQUAL_FATAL(sim_plugin_cache_create(&b->plugins), 0);
}

/* A node named "n<k>" with MAC 24:0a:c4:00:00:<k>, so its testnode byte is k & 0x7f. */
static inline sim_node_t *bench_node_cfg(bench_t *b, uint8_t k, sim_can_bus_t *bus,
                                         sim_uart_line_t *line, sim_trace_t *trace) {
    char name[16];
    snprintf(name, sizeof name, "n%u", (unsigned)k);
    sim_node_cfg_t cfg = {.name = name,
                          .mac = {0x24, 0x0a, 0xc4, 0x00, 0x00, k},
                          .plugin_path = BENCH_PLUGIN,
                          .bus = bus,
                          .rs485 = line,
                          .trace = trace,
                          .can_tx_queue_len = 8,
                          .plugins = b->plugins};
    char err[512] = "";
    sim_node_t *n = NULL;
    int rc = sim_node_create(b->k, &cfg, &n, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "\n  %s\n", err);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    SIM_ASSERT(b->n_nodes < BENCH_NODES_MAX);
    b->nodes[b->n_nodes++] = n;
    return n;
}

static inline sim_node_t *bench_node(bench_t *b, uint8_t k) {
    return bench_node_cfg(b, k, b->bus, NULL, NULL);
}

static inline void bench_send(bench_t *b, uint32_t id, const uint8_t *data, uint8_t dlc) {
    sim_can_frame_t f = {.id = id, .dlc = dlc};
    memcpy(f.data, data, dlc);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(b->tester, &f), 0);
}

static inline void bench_run_until(bench_t *b, sim_time_ns_t t_ns) {
    CU_ASSERT_EQUAL(sim_kernel_run_until(b->k, t_ns), 0);
}

static inline void bench_run_ms(bench_t *b, int64_t ms) {
    bench_run_until(b, sim_kernel_now(b->k) + ms * SIM_NS_PER_MS);
}

/* The last frame with this identifier; when there is none, the test fails and an all-zero
 * frame comes back (so callers can read it without a NULL check). */
static inline const bench_frame_t *bench_last(const bench_t *b, uint32_t id) {
    static const bench_frame_t none;
    for (size_t i = b->n_frames; i-- > 0;) {
        if (b->frames[i].f.id == id) {
            return &b->frames[i];
        }
    }
    fprintf(stderr, "\n  no frame with id 0x%03x on the bus\n", (unsigned)id);
    CU_FAIL("expected frame missing");
    return &none;
}

static inline unsigned bench_count(const bench_t *b, uint32_t id) {
    unsigned n = 0;
    for (size_t i = 0; i < b->n_frames; i++) {
        n += b->frames[i].f.id == id;
    }
    return n;
}

static inline unsigned u16le(const uint8_t *d) {
    return (unsigned)d[0] | (unsigned)d[1] << 8;
}

/* Destroys the nodes only (before tearing down lines they were attached to). */
static inline void bench_close_nodes(bench_t *b) {
    for (unsigned i = 0; i < b->n_nodes; i++) {
        sim_node_destroy(b->nodes[i]);
    }
    b->n_nodes = 0;
}

static inline void bench_close(bench_t *b) {
    bench_close_nodes(b);
    sim_can_ctrl_detach(b->tester);
    sim_can_bus_destroy(b->bus);
    sim_plugin_cache_destroy(b->plugins);
    sim_kernel_destroy(b->k);
    free(b->frames);
}

#endif
