/*
 * sim_run_actions.c: the scenario timeline. Each action becomes one kernel event at
 * SIM_PRIO_SCENARIO (before physics, wires and firmware at the same instant) and leaves an
 * "action" line in events.jsonl, so a trace says what was done to the system and when.
 */
#include <stdio.h>

#include "sim_run_int.h"

static void trace_action(sim_world_t *w, const sim_scn_action_t *a, const char *node) {
    sim_trace_ev_t *e = sim_trace_ev_begin(w->trace, sim_kernel_now(w->k), "action", node);
    sim_trace_ev_str(e, "kind", sim_scn_action_name(a->kind));
    switch (a->kind) {
        case SIM_ACT_CAN_SEND:
        case SIM_ACT_CAN_BABBLE: {
            char id[16];
            snprintf(id, sizeof id, "0x%X", (unsigned)a->frame.id);
            sim_trace_ev_str(e, "id", id);
            sim_trace_ev_uint(e, "dlc", a->frame.dlc);
            if (a->kind == SIM_ACT_CAN_BABBLE) {
                sim_trace_ev_bool(e, "on", a->on);
            }
            break;
        }
        case SIM_ACT_CAN_DROP:
        case SIM_ACT_CAN_CORRUPT: {
            char id[16], mask[16];
            snprintf(id, sizeof id, "0x%X", (unsigned)a->match_id);
            snprintf(mask, sizeof mask, "0x%X", (unsigned)a->match_mask);
            sim_trace_ev_str(e, "id", id);
            sim_trace_ev_str(e, "mask", mask);
            sim_trace_ev_uint(e, "num", a->num);
            sim_trace_ev_uint(e, "den", a->den);
            break;
        }
        case SIM_ACT_CAN_UNPLUG:
        case SIM_ACT_CAN_STUCK:
            sim_trace_ev_bool(e, "on", a->on);
            break;
        case SIM_ACT_POWER_CYCLE:
            sim_trace_ev_int(e, "off_ns", a->off_ns);
            break;
        case SIM_ACT_POWER_OFF:
        case SIM_ACT_POWER_ON:
        case SIM_ACT_HANG:
            break;
    }
    sim_trace_ev_end(e);
}

static void power_on(sim_world_t *w, sim_node_t *n) {
    int rc = sim_node_power_on(n);
    if (rc != 0 && rc != -SIM_EBUSY) {
        /* A copy that cannot load any more (e.g. the file vanished) is a run error. */
        snprintf(w->err, w->errlen, "%s: error: power-on failed: %s", sim_node_name(n),
                 sim_node_error(n));
        sim_kernel_stop(w->k);
    }
}

static void on_power_on(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    sim_world_t *w = ctx;
    power_on(w, w->nodes[arg]);
}

/* The second half of a power cycle. */
static void on_cycle_on(sim_kernel_t *k, void *ctx, uint64_t arg) {
    on_power_on(k, ctx, arg);
}

static void do_can_send(sim_world_t *w, const sim_scn_action_t *a) {
    int rc = sim_can_ctrl_send(w->ext, &a->frame);
    if (rc != 0) {
        sim_trace_ev_t *e = sim_trace_ev_begin(w->trace, sim_kernel_now(w->k), "action_refused",
                                               sim_can_ctrl_name(w->ext));
        sim_trace_ev_str(e, "reason", sim_strerror(rc));
        sim_trace_ev_end(e);
    }
}

static void on_action(sim_kernel_t *k, void *ctx, uint64_t arg) {
    sim_world_t *w = ctx;
    const sim_scn_action_t *a = &w->scn->actions[arg];
    sim_node_t *n = a->node >= 0 ? w->nodes[a->node] : NULL;
    trace_action(w, a, n ? sim_node_name(n) : NULL);
    switch (a->kind) {
        case SIM_ACT_CAN_SEND:
            do_can_send(w, a);
            break;
        case SIM_ACT_POWER_OFF:
            sim_node_power_off(n);
            break;
        case SIM_ACT_POWER_ON:
            power_on(w, n);
            break;
        case SIM_ACT_POWER_CYCLE:
            sim_node_power_off(n);
            sim_kernel_schedule_in(k, a->off_ns, SIM_PRIO_SCENARIO, on_cycle_on, w,
                                   (uint64_t)a->node);
            break;
        case SIM_ACT_CAN_DROP:
            sim_can_bus_fault_drop(w->bus, a->match_id, a->match_mask, a->num, a->den);
            break;
        case SIM_ACT_CAN_CORRUPT:
            sim_can_bus_fault_corrupt(w->bus, a->match_id, a->match_mask, a->num, a->den);
            break;
        case SIM_ACT_CAN_UNPLUG:
            sim_can_ctrl_set_unplugged(sim_node_can(n), a->on);
            break;
        case SIM_ACT_CAN_STUCK:
            sim_can_bus_fault_stuck_dominant(w->bus, a->on);
            break;
        case SIM_ACT_CAN_BABBLE:
            sim_can_ctrl_set_babble(sim_node_can(n), &a->frame, a->on);
            break;
        case SIM_ACT_HANG:
            sim_node_hang(n);
            break;
    }
}

int sim_run_schedule(sim_world_t *w) {
    const sim_scenario_t *s = w->scn;
    for (size_t i = 0; i < s->n_nodes; i++) {
        if (s->nodes[i].powered_at_start &&
            sim_kernel_schedule(w->k, s->nodes[i].power_on_ns, SIM_PRIO_SCENARIO, on_power_on, w,
                                i) == 0) {
            return -SIM_ENOMEM;
        }
    }
    for (size_t i = 0; i < s->n_actions; i++) {
        if (s->actions[i].at_ns > w->cfg->duration_ns) {
            continue; /* a shortened run (--duration) ends before this action */
        }
        if (sim_kernel_schedule(w->k, s->actions[i].at_ns, SIM_PRIO_SCENARIO, on_action, w, i) ==
            0) {
            return -SIM_ENOMEM;
        }
    }
    return 0;
}
