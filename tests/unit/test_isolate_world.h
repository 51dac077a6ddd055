/*
 * test_isolate_world.h: a small simulated world for the isolation suites (test_isolate_*.c): a
 * kernel, a CAN bus with a tester controller, a run folder (bus.log, events.jsonl, signals.vcd
 * and their digest), nodes running any plugin in process or isolated, device models behind each
 * node (a TM1637-like open-drain DIO, an ADC, a WS2812 sink), an optional RS-485 line with a peer
 * that answers every byte, and a timeline of actions. The same timeline run in both modes must
 * give the same digest, and a crashing node must leave the others' traces going.
 */
#ifndef TEST_ISOLATE_WORLD_H
#define TEST_ISOLATE_WORLD_H

#include <stdlib.h>

#include "sim_can.h"
#include "sim_kernel.h"
#include "sim_node.h"
#include "sim_trace.h"
#include "sim_uart.h"
#include "test_support.h"

#define WORLD_NODES_MAX 24
#define WORLD_ACTS_MAX  64
#define MS(x)           ((sim_time_ns_t)(x)*SIM_NS_PER_MS)

typedef enum { ACT_SEND = 1, ACT_POWER_ON, ACT_POWER_OFF, ACT_HANG, ACT_NVS_SET } act_kind_t;

typedef struct {
    int64_t t_ms;
    act_kind_t kind;
    uint8_t node; /* index into world.nodes */
    uint32_t id;  /* ACT_SEND */
    uint8_t dlc;
    uint8_t data[8];
} act_t;

/* Device models behind one node; every answer is a function of what the node did. */
typedef struct {
    unsigned clk_rises; /* the DIO reads low after an odd number of CLK rising edges */
    unsigned edges;
    uint64_t edge_sum; /* of edge times, to compare the exact stamps between runs */
    unsigned adc_calls;
    uint8_t grb[192];
    size_t grb_len;
    sim_uart_line_t *line;
    sim_uart_port_t *peer;
    unsigned peer_rx;
} world_dev_t;

typedef struct {
    sim_kernel_t *k;
    sim_can_bus_t *bus;
    sim_can_ctrl_t *tester;
    sim_trace_t *trace;
    sim_plugin_cache_t *plugins;
    sim_node_t *nodes[WORLD_NODES_MAX];
    world_dev_t dev[WORLD_NODES_MAX];
    unsigned n_nodes;
    act_t acts[WORLD_ACTS_MAX];
    unsigned n_acts;
    unsigned frames;
    char digest[65];
} world_t;

static inline void world_on_frame(void *ctx, const sim_can_frame_t *f, const sim_can_ctrl_t *s,
                                  sim_time_ns_t t0, sim_time_ns_t t1) {
    (void)f, (void)s, (void)t0, (void)t1;
    ((world_t *)ctx)->frames++;
}

/* with_tester false: nobody else on the bus acknowledges (a lone node). */
static inline void world_open(world_t *w, const char *dir, bool with_tester) {
    memset(w, 0, sizeof *w);
    CU_ASSERT_EQUAL_FATAL(sim_kernel_create(1, &w->k), 0);
    sim_can_bus_cfg_t bc = {.name = "can0"};
    CU_ASSERT_EQUAL_FATAL(sim_can_bus_create(w->k, &bc, &w->bus), 0);
    if (with_tester) {
        sim_can_ctrl_cfg_t cc = {.name = "tester", .tx_queue_len = 256};
        CU_ASSERT_EQUAL_FATAL(sim_can_ctrl_attach(w->bus, &cc, NULL, NULL, &w->tester), 0);
        CU_ASSERT_EQUAL_FATAL(sim_can_ctrl_start(w->tester), 0);
    }
    sim_can_observer_t obs = {.on_frame = world_on_frame};
    CU_ASSERT_EQUAL_FATAL(sim_can_bus_observe(w->bus, &obs, w), 0);
    CU_ASSERT_EQUAL_FATAL(sim_plugin_cache_create(&w->plugins), 0);
    char err[256] = "";
    sim_trace_cfg_t tc = {.pcap = false};
    int rc = sim_trace_open(dir, &tc, &w->trace, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "\n  %s\n", err);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL_FATAL(sim_trace_attach_bus(w->trace, w->bus), 0);
}

/* ---- devices ------------------------------------------------------------------------------ */

static inline void dev_edge(void *ctx, sim_node_t *n, hal_signal_t sig, bool level,
                            sim_time_ns_t t) {
    (void)n;
    world_dev_t *d = ctx;
    d->edges++;
    d->edge_sum += (uint64_t)t;
    if (sig == HAL_SIG_TM1637_CLK && level) {
        d->clk_rises++;
    }
}

static inline bool dev_input(void *ctx, sim_node_t *n, hal_signal_t sig, sim_time_ns_t t) {
    (void)n, (void)t;
    const world_dev_t *d = ctx;
    return !(sig == HAL_SIG_TM1637_DIO && (d->clk_rises & 1u));
}

static inline void dev_adc(void *ctx, sim_node_t *n, const hal_adc_burst_cfg_t *cfg,
                           sim_time_ns_t t0, uint16_t *samples) {
    (void)n;
    world_dev_t *d = ctx;
    d->adc_calls++;
    size_t k = 0;
    for (unsigned c = 0; c < HAL_ADC_CHANNELS; c++) {
        if (cfg->channel_mask & (1u << c)) {
            for (unsigned i = 0; i < cfg->samples_per_channel; i++) {
                samples[k++] = (uint16_t)((t0 / SIM_NS_PER_US + 977u * c + 13u * i) % 5000u);
            }
        }
    }
}

static inline void dev_ws2812(void *ctx, sim_node_t *n, const uint8_t *grb, size_t len,
                              sim_time_ns_t t) {
    (void)n, (void)t;
    world_dev_t *d = ctx;
    memcpy(d->grb, grb, len);
    d->grb_len = len;
}

/* The peer on the RS-485 line answers each byte with byte + 1. */
static inline void peer_rx(void *ctx, uint8_t byte, bool garbled) {
    (void)garbled;
    world_dev_t *d = ctx;
    d->peer_rx++;
    uint8_t answer = (uint8_t)(byte + 1u);
    (void)sim_uart_port_write(d->peer, &answer, 1);
}

typedef struct {
    const char *plugin; /* file name in SIM_PLUGIN_DIR */
    uint8_t mac_last;
    bool isolate;
    bool devices; /* bind the device models */
    bool rs485;   /* a line with the answering peer */
    uint32_t timeout_ms;
    uint32_t log_bytes_per_s;
} world_node_cfg_t;

static inline sim_node_t *world_node(world_t *w, const world_node_cfg_t *c) {
    SIM_ASSERT(w->n_nodes < WORLD_NODES_MAX);
    unsigned i = w->n_nodes;
    world_dev_t *d = &w->dev[i];
    char name[16], path[512];
    snprintf(name, sizeof name, "n%u", (unsigned)c->mac_last);
    snprintf(path, sizeof path, "%s/%s", SIM_PLUGIN_DIR, c->plugin);
    if (c->rs485) {
        char ln[24];
        snprintf(ln, sizeof ln, "%s.line", name);
        sim_uart_line_cfg_t lc = {.name = ln, .baud = 9600};
        CU_ASSERT_EQUAL_FATAL(sim_uart_line_create(w->k, &lc, &d->line), 0);
        sim_uart_port_cfg_t pc = {.name = "peer", .auto_de = true};
        sim_uart_port_cb_t cb = {.on_rx = peer_rx};
        CU_ASSERT_EQUAL_FATAL(sim_uart_port_attach(d->line, &pc, &cb, d, &d->peer), 0);
    }
    sim_node_cfg_t cfg = {.name = name,
                          .mac = {0x24, 0x0a, 0xc4, 0x00, 0x00, c->mac_last},
                          .plugin_path = path,
                          .bus = w->bus,
                          .rs485 = d->line,
                          .trace = w->trace,
                          .can_tx_queue_len = 8,
                          .plugins = w->plugins,
                          .isolate = c->isolate,
                          .isolate_timeout_ms = c->timeout_ms,
                          .log_bytes_per_s = c->log_bytes_per_s};
    char err[512] = "";
    sim_node_t *n = NULL;
    int rc = sim_node_create(w->k, &cfg, &n, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "\n  %s\n", err);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    if (c->devices) {
        sim_node_bind(n, &(sim_node_binding_t){.ctx = d,
                                               .gpio_edge = dev_edge,
                                               .gpio_input = dev_input,
                                               .adc_burst = dev_adc,
                                               .ws2812 = dev_ws2812});
    }
    w->nodes[w->n_nodes++] = n;
    return n;
}

/* ---- timeline ----------------------------------------------------------------------------- */

static inline void world_act_fire(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    world_t *w = ctx;
    const act_t *a = &w->acts[arg];
    sim_node_t *n = w->nodes[a->node];
    switch (a->kind) {
        case ACT_SEND: {
            sim_can_frame_t f = {.id = a->id, .dlc = a->dlc};
            memcpy(f.data, a->data, a->dlc);
            CU_ASSERT_EQUAL(sim_can_ctrl_send(w->tester, &f), 0);
            break;
        }
        case ACT_POWER_ON:
            (void)sim_node_power_on(n);
            break;
        case ACT_POWER_OFF:
            sim_node_power_off(n);
            break;
        case ACT_HANG:
            sim_node_hang(n);
            break;
        case ACT_NVS_SET: /* written from outside the firmware while it runs */
            CU_ASSERT_EQUAL(sim_nvs_set(sim_node_nvs(n), "test", "boots", a->data, 1), 0);
            break;
    }
}

static inline void world_act(world_t *w, act_t a) {
    SIM_ASSERT(w->n_acts < WORLD_ACTS_MAX);
    w->acts[w->n_acts] = a;
    sim_kernel_schedule(w->k, MS(a.t_ms), SIM_PRIO_SCENARIO, world_act_fire, w, w->n_acts);
    w->n_acts++;
}

static inline void world_run_ms(world_t *w, int64_t t_ms) {
    CU_ASSERT_EQUAL(sim_kernel_run_until(w->k, MS(t_ms)), 0);
}

/* Destroys everything; the run folder is committed and its digest kept in w->digest. */
static inline void world_close(world_t *w) {
    for (unsigned i = 0; i < w->n_nodes; i++) {
        sim_node_destroy(w->nodes[i]);
        if (w->dev[i].peer != NULL) {
            sim_uart_port_detach(w->dev[i].peer);
        }
        if (w->dev[i].line != NULL) {
            sim_uart_line_destroy(w->dev[i].line);
        }
    }
    CU_ASSERT_EQUAL(sim_trace_close(w->trace, true), 0);
    snprintf(w->digest, sizeof w->digest, "%s", sim_trace_digest(w->trace));
    sim_trace_free(w->trace);
    if (w->tester != NULL) {
        sim_can_ctrl_detach(w->tester);
    }
    sim_can_bus_destroy(w->bus);
    sim_plugin_cache_destroy(w->plugins);
    sim_kernel_destroy(w->k);
}

/* The whole text of a file (caller frees); NULL when it cannot be read. */
static inline char *world_slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 1 << 16, len = 0, got;
    char *buf = malloc(cap);
    while (buf != NULL && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    fclose(f);
    if (buf != NULL) {
        buf[len] = '\0';
    }
    return buf;
}

#endif
