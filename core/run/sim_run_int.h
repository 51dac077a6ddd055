/*
 * sim_run_int.h: the world of one run, shared by the runner's files.
 *
 *   sim_run.c          build the world, run it, fill the report, tear down
 *   sim_run_actions.c  the scenario timeline as kernel events
 *   sim_run_pack.c     one Energy-Pack's models behind its firmware node
 *   sim_run_gw.c       the gateway and the Energy-Gateway (nodes without firmware)
 *   sim_run_probe.c    what the assertion engine asks about the world, and its frame feed
 */
#ifndef SIM_RUN_INT_H
#define SIM_RUN_INT_H

#include "sim_assert.h"
#include "sim_bridge.h"
#include "sim_can.h"
#include "sim_kernel.h"
#include "sim_node.h"
#include "sim_plugin.h"
#include "sim_run.h"
#include "sim_run_gw.h"
#include "sim_run_pack.h"
#include "sim_trace.h"

typedef struct {
    const sim_run_cfg_t *cfg;
    const sim_scenario_t *scn;
    sim_kernel_t *k;
    sim_can_bus_t *bus;
    sim_can_ctrl_t *ext; /* the external sender of injected frames (the gateway's place) */
    uint8_t ext_seq;     /* sequence numbers of commands sent through ext */
    sim_trace_t *trace;
    sim_plugin_cache_t *plugins;
    sim_assert_t *asserts;
    sim_bridge_t *bridge; /* a live bridge, or the replay of a recorded one, or NULL */
    /* per scenario node (index as in scn->nodes); entries not of the node's type are NULL */
    sim_node_t **nodes;     /* firmware and pack nodes */
    sim_run_pack_t **packs; /* pack nodes */
    sim_run_gw_t **gws;     /* gateway and Energy-Gateway nodes */
    char *err;
    size_t errlen;
} sim_world_t;

/** Schedules every timeline action and each node's power-on. 0 or -SIM_ENOMEM. */
int sim_run_schedule(sim_world_t *w);

/** Index of the node whose controller is `c`, or -1 (the external sender). */
int sim_run_node_of_ctrl(const sim_world_t *w, const sim_can_ctrl_t *c);

/** Creates the assertion engine and feeds it the bus's frames. 0 or an error code. */
int sim_run_asserts_create(sim_world_t *w);

#endif
