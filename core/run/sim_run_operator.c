/*
 * sim_run_operator.c: operator actions as kernel events (see sim_run_operator.h).
 *
 * Live and replayed actions take the same road: appended to the world's list, scheduled at
 * (t, SIM_PRIO_OPERATOR) with their index as the event's argument, and at that event recorded
 * ("operator" line) and applied through sim_run_apply_action. Only the scheduling time differs:
 * the live run schedules an action when it is made, the replay all of them before the run.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_run_int.h"

/* The scenario's Orange Pi, through which the app's commands reach the bus; -1 if none. */
static int gateway_node(const sim_scenario_t *scn) {
    for (size_t i = 0; i < scn->n_nodes; i++) {
        if (scn->nodes[i].type == SIM_NODE_GATEWAY) {
            return (int)i;
        }
    }
    return -1;
}

void sim_run_operator_action(const sim_scenario_t *scn, const panel_input_t *in,
                             sim_scn_action_t *a) {
    memset(a, 0, sizeof *a);
    a->node = in->node;
    a->target_node = -1;
    a->gateway = -1;
    a->scale = in->scale_pct / 100.0;
    switch (in->kind) {
        case PANEL_IN_COMMAND:
            a->kind = SIM_ACT_COMMAND;
            a->node = -1;
            a->cmd_id = in->can_id;
            a->target_id = in->target;
            a->n_args = in->n_args;
            memcpy(a->args, in->args, in->n_args);
            a->gateway = gateway_node(scn);
            break;
        case PANEL_IN_POWER_CYCLE:
            a->kind = SIM_ACT_POWER_CYCLE;
            a->off_ns = SIM_RUN_OPERATOR_CYCLE_OFF_NS;
            break;
        case PANEL_IN_POWER:
            a->kind = in->on ? SIM_ACT_POWER_ON : SIM_ACT_POWER_OFF;
            break;
        case PANEL_IN_HANG:
            a->kind = SIM_ACT_HANG;
            break;
        case PANEL_IN_CAN_UNPLUG:
            a->kind = SIM_ACT_CAN_UNPLUG;
            a->on = in->on;
            break;
        case PANEL_IN_GRID:
            a->kind = SIM_ACT_GRID;
            a->on = !in->on; /* the timeline's grid action says "down" */
            break;
        case PANEL_IN_PV_SCALE:
            a->kind = SIM_ACT_PV_SCALE;
            break;
        case PANEL_IN_LOAD_SCALE:
            a->kind = SIM_ACT_LOAD;
            break;
        default:
            SIM_ASSERT(in->kind == PANEL_IN_COMMAND); /* not an operator action */
    }
}

static void on_operator(sim_kernel_t *k, void *ctx, uint64_t arg) {
    sim_world_t *w = ctx;
    const panel_input_t *in = &w->ops[arg];
    sim_run_operator_record(w->trace, sim_kernel_now(k), w->scn, in);
    sim_scn_action_t a;
    sim_run_operator_action(w->scn, in, &a);
    sim_run_apply_action(w, &a);
}

/* Appends and schedules one action at t_ns. */
static int add(sim_world_t *w, sim_time_ns_t t_ns, const panel_input_t *in) {
    if (w->n_ops == w->cap_ops) {
        size_t cap = w->cap_ops ? 2 * w->cap_ops : 16;
        panel_input_t *p = realloc(w->ops, cap * sizeof *p);
        if (p == NULL) {
            return -SIM_ENOMEM;
        }
        w->ops = p;
        w->cap_ops = cap;
    }
    w->ops[w->n_ops] = *in;
    if (sim_kernel_schedule(w->k, t_ns, SIM_PRIO_OPERATOR, on_operator, w, w->n_ops) == 0) {
        return -SIM_ENOMEM; /* t_ns is never before now here: the kernel's queue is full */
    }
    w->n_ops++;
    return 0;
}

int sim_run_operator_submit(sim_world_t *w, const panel_input_t *in, char *why, size_t whylen) {
    int rc = sim_run_operator_check(w->scn, in, why, whylen);
    if (rc != 0) {
        return rc;
    }
    if (w->n_ops >= SIM_RUN_OPERATOR_MAX) {
        snprintf(why, whylen, "refused: this run already holds %u operator actions",
                 SIM_RUN_OPERATOR_MAX);
        return -SIM_EINVAL;
    }
    rc = add(w, sim_kernel_now(w->k), in);
    if (rc != 0) {
        snprintf(why, whylen, "refused: %s", sim_strerror(rc));
    }
    return rc;
}

/* One line; *last_t is the previous record's time (records never go back in time). */
static int replay_line(sim_world_t *w, const char *line, sim_time_ns_t *last_t) {
    sim_time_ns_t t = 0;
    panel_input_t in;
    int rc = sim_run_operator_parse(line, w->scn, &t, &in);
    if (rc <= 0) {
        return rc;
    }
    if (t < *last_t || t > w->cfg->duration_ns || w->n_ops >= SIM_RUN_OPERATOR_MAX) {
        return -SIM_EFORMAT;
    }
    *last_t = t;
    return add(w, t, &in);
}

int sim_run_operator_replay(sim_world_t *w, const char *events_path) {
    FILE *f = fopen(events_path, "r");
    if (f == NULL) {
        snprintf(w->err, w->errlen, "%s: error: cannot read the recorded events", events_path);
        return -SIM_ENOENT;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long lineno = 0;
    sim_time_ns_t last_t = 0;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, f)) > 0) {
        lineno++;
        if (line[n - 1] == '\n') {
            line[n - 1] = '\0';
        }
        rc = replay_line(w, line, &last_t);
    }
    free(line);
    fclose(f);
    if (rc == -SIM_EFORMAT) {
        snprintf(w->err, w->errlen,
                 "%s:%lu: error: malformed operator record (or out of time order)", events_path,
                 lineno);
    }
    return rc;
}
