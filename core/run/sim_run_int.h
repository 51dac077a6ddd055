/*
 * sim_run_int.h: the world of one run, shared by the runner's files.
 *
 *   sim_run.c          build the world, run it, fill the report, tear down
 *   sim_run_actions.c  the scenario timeline as kernel events
 *   sim_run_pack.c     one Energy-Pack's models behind its firmware node
 *   sim_run_gw.c       the gateway and the Energy-Gateway (nodes without firmware)
 *   sim_run_probe.c    what the assertion engine asks about the world, and its frame feed
 *   sim_run_live.c     the frame loop of a run with a front end (pacing, run control)
 *   sim_run_operator.c operator actions: scheduled live, recorded, read back for a replay
 *   sim_run_oprec.c    the "operator" line of events.jsonl, written and parsed
 *   sim_run_busview.c  what the panel shows of the bus (a passive observer)
 *   sim_run_panel.c    the panel's snapshot, filled from the world
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
#include "sim_run_operator.h"
#include "sim_run_pack.h"
#include "sim_run_ui.h"
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
    int err_rc; /* the error code of a run error an event wrote into err (with the kernel stopped)
                 */
    /* ---- what actions set that no model reports back (shown by the panel) ---- */
    bool *unplugged;        /* per node: its controller unplugged by an action */
    int32_t pv_scale_pct;   /* the last run-wide PV scale (100 = as configured) */
    int32_t load_scale_pct; /* the last run-wide home load scale */
    /* ---- front end and operator actions ---- */
    struct sim_run_live *live;       /* the frame loop's state (cfg->ui), kept across restarts */
    struct sim_run_busview *busview; /* the panel's view of the bus; NULL without a front end */
    panel_input_t *ops;              /* operator actions, indexed by their kernel events */
    size_t n_ops, cap_ops;
    /* sim_run_node_of_ctrl's memo: node index + 1 by a hash of the controller's address, 0 when
     * unknown; every hit is checked against the node, so a stale entry only costs the scan. */
    int16_t *ctrl_memo; /* SIM_RUN_CTRL_MEMO_LEN entries */
} sim_world_t;
#define SIM_RUN_CTRL_MEMO_LEN 256u

/** Schedules every timeline action and each node's power-on. 0 or -SIM_ENOMEM. */
int sim_run_schedule(sim_world_t *w);

/** Index of the node whose controller is `c`, or -1 (the external sender). Called for every
 *  frame: a memo makes it one check instead of a walk over the nodes. */
int sim_run_node_of_ctrl(const sim_world_t *w, const sim_can_ctrl_t *c);

/** Creates the assertion engine and feeds it the bus's frames. 0 or an error code. */
int sim_run_asserts_create(sim_world_t *w);

/** Does what action `a` says, now, and records it (timeline and operator actions alike). */
void sim_run_apply_action(sim_world_t *w, const sim_scn_action_t *a);

/** Attaches and starts the external sender if it is not on the bus yet. 0 or an error code. */
int sim_run_ext_create(sim_world_t *w);

/**
 * Schedules an operator input at (now, SIM_PRIO_OPERATOR) and records it; the caller then runs
 * the kernel to now. 0, or -SIM_EINVAL (reason in why: the input does not fit the scenario, or
 * too many actions), -SIM_ENOMEM.
 */
int sim_run_operator_submit(sim_world_t *w, const panel_input_t *in, char *why, size_t whylen);

/**
 * Schedules every operator action recorded in a run's events.jsonl. 0, -SIM_EFORMAT (message
 * with the line number in w->err), -SIM_ENOENT (no file), -SIM_ENOMEM.
 */
int sim_run_operator_replay(sim_world_t *w, const char *events_path);

/** Creates the bus view and registers its observer. 0, -SIM_ENOMEM or -SIM_EAGAIN. */
int sim_run_busview_create(sim_world_t *w);
/** Frees it; call after the bus is destroyed (the bus keeps its observer). */
void sim_run_busview_destroy(struct sim_run_busview *v);
/** Fills s->bus and each node's NodeID-independent telemetry facts for virtual time now_ns. */
void sim_run_busview_fill(const struct sim_run_busview *v, sim_time_ns_t now_ns,
                          panel_snapshot_t *s);

/** Fills the world's part of a snapshot (nodes, bus, calendar, grid, scales) at now. */
void sim_run_panel_fill(const sim_world_t *w, panel_snapshot_t *s);

/**
 * 0 while the traces are written; after a write error (a full disk), the run's one-line error
 * naming the folder, the file and the reason, and -SIM_EIO: the run stops there, since a folder
 * with a failed write is never committed.
 */
int sim_run__trace_check(sim_world_t *w);

/**
 * Runs the world with its front end (cfg->ui) to the end of the run.
 * @retval 0                     reached the duration
 * @retval SIM_RUN_LIVE_RESTART  a seek back in a replay: rebuild the world and call again
 * @retval <0                    as the plain run loop
 */
int sim_run_live_execute(sim_world_t *w);
#define SIM_RUN_LIVE_RESTART 1

/** The frame loop's state, created before the first build and kept across restarts. */
int sim_run_live_create(const sim_run_cfg_t *cfg, struct sim_run_live **out);
void sim_run_live_destroy(struct sim_run_live *l);

#endif
