/*
 * bridge_world.h: a small simulated CAN world for the bridge tests: a kernel, one bus "can0" at
 * 500 kbit/s, a run folder, and N nodes that behave like packs on the wire.
 *
 * Node i (1-based, controller "pack<i>") sends, every period with a seeded jitter of up to a
 * tenth of it:
 *   0x180+i  4 bytes: counter (little endian), i, 0x5A    most frames
 *   0x18FF5000+i (extended) 8 bytes                       every 7th
 *   0x700+i  zero-length                                  every 11th
 * and answers a command 0x100 (standard, data[0] = command code) with an ACK 0x580+i carrying
 * {0xAC, code}, 200 us later. An observer keeps every frame of the bus in order with its sender
 * and end time. Everything is driven by the kernel: the world is deterministic for a seed.
 */
#ifndef BRIDGE_WORLD_H
#define BRIDGE_WORLD_H

#include <stdbool.h>
#include <stddef.h>

#include "sim_can.h"
#include "sim_kernel.h"
#include "sim_trace.h"

#define BW_NODES_MAX 8
#define BW_CMD_ID    0x100u
#define BW_ACK_BASE  0x580u
#define BW_ACK_MAGIC 0xACu

typedef struct {
    sim_can_frame_t f;
    const sim_can_ctrl_t *sender;
    sim_time_ns_t t_end;
} bw_seen_t;

typedef struct bw_world bw_world_t;

typedef struct {
    bw_world_t *w;
    unsigned index; /* 1-based */
    sim_can_ctrl_t *ctrl;
    sim_prng_t prng;
    uint32_t counter;
    uint32_t commands; /* commands received */
    uint8_t last_cmd;
} bw_node_t;

struct bw_world {
    sim_kernel_t *k;
    sim_can_bus_t *bus;
    sim_trace_t *trace; /* NULL without a folder */
    sim_time_ns_t period_ns;
    bw_node_t nodes[BW_NODES_MAX];
    unsigned n_nodes;
    bw_seen_t *seen;
    size_t n_seen, cap_seen;
};

/**
 * Builds the world; trace_dir may be NULL (no trace). Nodes start sending at once (period 0:
 * silent nodes that still acknowledge and answer commands). 0 or a negative code.
 */
int bw_world_create(bw_world_t *w, uint64_t seed, unsigned n_nodes, sim_time_ns_t period_ns,
                    const char *trace_dir);
/**
 * Closes the trace (committed or not; its digest is copied to digest when not NULL), detaches the
 * nodes and frees the bus and the kernel. Destroy every bridge of the bus first.
 */
void bw_world_destroy(bw_world_t *w, bool commit, char digest[65]);

/** Frames seen on the bus so far that the given controller did (or did not) send. */
size_t bw_world_count_from(const bw_world_t *w, const sim_can_ctrl_t *sender);

#endif
