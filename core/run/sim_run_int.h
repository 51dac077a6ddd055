/*
 * sim_run_int.h: the world of one run, shared by the runner's files.
 *
 *   sim_run.c          build the world, run it, fill the report, tear down
 *   sim_run_actions.c  the scenario timeline as kernel events
 */
#ifndef SIM_RUN_INT_H
#define SIM_RUN_INT_H

#include "sim_can.h"
#include "sim_kernel.h"
#include "sim_node.h"
#include "sim_plugin.h"
#include "sim_run.h"
#include "sim_trace.h"

typedef struct {
    const sim_run_cfg_t *cfg;
    const sim_scenario_t *scn;
    sim_kernel_t *k;
    sim_can_bus_t *bus;
    sim_can_ctrl_t *ext; /* the external sender of injected frames (the gateway's place) */
    sim_trace_t *trace;
    sim_plugin_cache_t *plugins;
    sim_node_t **nodes; /* scn->n_nodes */
    char *err;
    size_t errlen;
} sim_world_t;

/** Schedules every timeline action and each node's power-on. 0 or -SIM_ENOMEM. */
int sim_run_schedule(sim_world_t *w);

#endif
