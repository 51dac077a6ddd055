/*
 * bridge_world.c: the simulated nodes and the bus recorder of the bridge tests (see
 * bridge_world.h).
 */
#include "bridge_world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACK_DELAY_NS (200 * SIM_NS_PER_US)

static void node_tick(sim_kernel_t *k, void *ctx, uint64_t arg);

static void schedule_tick(bw_node_t *n) {
    sim_time_ns_t period = n->w->period_ns;
    sim_time_ns_t jitter = (sim_time_ns_t)sim_prng_below(&n->prng, (uint64_t)(period / 10 + 1));
    sim_kernel_schedule_in(n->w->k, period + jitter, SIM_PRIO_FIRMWARE, node_tick, n, 0);
}

static sim_can_frame_t tick_frame(bw_node_t *n) {
    uint32_t c = n->counter++;
    sim_can_frame_t f = {.id = 0x180u + n->index, .dlc = 4};
    if (c % 11 == 10) {
        f.id = 0x700u + n->index;
        f.dlc = 0;
    } else if (c % 7 == 6) {
        f.id = 0x18FF5000u + n->index;
        f.flags = SIM_CAN_FLAG_IDE;
        f.dlc = 8;
        for (unsigned i = 0; i < 8; i++) {
            f.data[i] = (uint8_t)(c >> (i % 4 * 8) ^ i);
        }
    } else {
        f.data[0] = (uint8_t)c;
        f.data[1] = (uint8_t)(c >> 8);
        f.data[2] = (uint8_t)n->index;
        f.data[3] = 0x5A;
    }
    return f;
}

static void node_tick(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    (void)arg;
    bw_node_t *n = ctx;
    sim_can_frame_t f = tick_frame(n);
    (void)sim_can_ctrl_send(n->ctrl, &f);
    schedule_tick(n);
}

static void node_ack(sim_kernel_t *k, void *ctx, uint64_t code) {
    (void)k;
    bw_node_t *n = ctx;
    sim_can_frame_t f = {.id = BW_ACK_BASE + n->index, .dlc = 2};
    f.data[0] = BW_ACK_MAGIC;
    f.data[1] = (uint8_t)code;
    (void)sim_can_ctrl_send(n->ctrl, &f);
}

static void node_rx(void *ctx, const sim_can_frame_t *f) {
    bw_node_t *n = ctx;
    if (f->id == BW_CMD_ID && (f->flags & SIM_CAN_FLAG_IDE) == 0 && f->dlc >= 1) {
        n->commands++;
        n->last_cmd = f->data[0];
        sim_kernel_schedule_in(n->w->k, ACK_DELAY_NS, SIM_PRIO_FIRMWARE, node_ack, n, f->data[0]);
    }
}

static void on_frame(void *ctx, const sim_can_frame_t *f, const sim_can_ctrl_t *sender,
                     sim_time_ns_t t_start, sim_time_ns_t t_end) {
    (void)t_start;
    bw_world_t *w = ctx;
    if (w->n_seen == w->cap_seen) {
        size_t cap = w->cap_seen ? w->cap_seen * 2 : 1024;
        bw_seen_t *p = realloc(w->seen, cap * sizeof *p);
        if (p == NULL) {
            abort();
        }
        w->seen = p;
        w->cap_seen = cap;
    }
    w->seen[w->n_seen++] = (bw_seen_t){.f = *f, .sender = sender, .t_end = t_end};
}

static int add_node(bw_world_t *w, unsigned i) {
    bw_node_t *n = &w->nodes[i - 1];
    char name[16];
    snprintf(name, sizeof name, "pack%u", i);
    n->w = w;
    n->index = i;
    sim_kernel_prng(w->k, name, &n->prng);
    sim_can_ctrl_cfg_t cc = {.name = name, .tx_queue_len = 16, .auto_recover = true};
    sim_can_ctrl_cb_t cb = {.on_rx = node_rx};
    int rc = sim_can_ctrl_attach(w->bus, &cc, &cb, n, &n->ctrl);
    if (rc == 0) {
        rc = sim_can_ctrl_start(n->ctrl);
    }
    if (rc == 0 && w->period_ns > 0) {
        schedule_tick(n);
    }
    return rc;
}

int bw_world_create(bw_world_t *w, uint64_t seed, unsigned n_nodes, sim_time_ns_t period_ns,
                    const char *trace_dir) {
    memset(w, 0, sizeof *w);
    SIM_ASSERT(n_nodes <= BW_NODES_MAX);
    w->period_ns = period_ns;
    int rc = sim_kernel_create(seed, &w->k);
    sim_can_bus_cfg_t bc = {.name = "can0", .bitrate_bps = 500000};
    if (rc == 0) {
        rc = sim_can_bus_create(w->k, &bc, &w->bus);
    }
    if (rc == 0 && trace_dir != NULL) {
        char err[256];
        sim_trace_cfg_t tc = {.pcap = false};
        rc = sim_trace_open(trace_dir, &tc, &w->trace, err, sizeof err);
        if (rc != 0) {
            fprintf(stderr, "%s\n", err);
        } else {
            rc = sim_trace_attach_bus(w->trace, w->bus);
        }
    }
    sim_can_observer_t obs = {.on_frame = on_frame};
    if (rc == 0) {
        rc = sim_can_bus_observe(w->bus, &obs, w);
    }
    for (unsigned i = 1; rc == 0 && i <= n_nodes; i++) {
        rc = add_node(w, i);
        w->n_nodes = i;
    }
    return rc;
}

void bw_world_destroy(bw_world_t *w, bool commit, char digest[65]) {
    if (w->trace != NULL) {
        sim_trace_close(w->trace, commit);
        if (digest != NULL) {
            memcpy(digest, sim_trace_digest(w->trace), 65);
        }
        sim_trace_free(w->trace);
    }
    for (unsigned i = 0; i < w->n_nodes; i++) {
        if (w->nodes[i].ctrl != NULL) {
            sim_can_ctrl_detach(w->nodes[i].ctrl);
        }
    }
    if (w->bus != NULL) {
        sim_can_bus_destroy(w->bus);
    }
    if (w->k != NULL) {
        sim_kernel_destroy(w->k);
    }
    free(w->seen);
    memset(w, 0, sizeof *w);
}

size_t bw_world_count_from(const bw_world_t *w, const sim_can_ctrl_t *sender) {
    size_t n = 0;
    for (size_t i = 0; i < w->n_seen; i++) {
        n += w->seen[i].sender == sender;
    }
    return n;
}
