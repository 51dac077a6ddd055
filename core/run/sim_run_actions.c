/*
 * sim_run_actions.c: the scenario timeline. Each action becomes one kernel event at
 * SIM_PRIO_SCENARIO (before physics, wires and firmware at the same instant) and leaves an
 * "action" line in events.jsonl, so a trace says what was done to the system and when. The
 * operator's actions from the panel go through the same sim_run_apply_action at their own
 * instants (sim_run_operator.c).
 */
#include <stdio.h>
#include <string.h>

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
        case SIM_ACT_COMMAND: {
            char id[16];
            snprintf(id, sizeof id, "0x%X", (unsigned)a->cmd_id);
            sim_trace_ev_str(e, "command", id);
            sim_trace_ev_uint(e, "args", a->n_args);
            break;
        }
        case SIM_ACT_TIME_BROADCAST:
        case SIM_ACT_GRID:
            sim_trace_ev_bool(e, "on", a->on);
            break;
        case SIM_ACT_CLOCK_SET:
            sim_trace_ev_int(e, "clock_s", a->clock_s);
            sim_trace_ev_bool(e, "relative", a->clock_relative);
            break;
        case SIM_ACT_BMS_FAULT:
        case SIM_ACT_CT_FAULT:
        case SIM_ACT_RELAY_FAULT:
            sim_trace_ev_int(e, "fault", a->fault);
            sim_trace_ev_int(e, "item", a->item);
            break;
        case SIM_ACT_PV_SCALE:
        case SIM_ACT_LOAD:
            sim_trace_ev_fixed(e, "scale", (int64_t)(a->scale * 1000.0 + 0.5), 3);
            break;
        case SIM_ACT_POWER_OFF:
        case SIM_ACT_POWER_ON:
        case SIM_ACT_HANG:
            break;
    }
    sim_trace_ev_end(e);
}

static void power_on(sim_world_t *w, size_t i) {
    if (w->gws[i] != NULL) {
        sim_run_gw_power(w->gws[i], true);
        return;
    }
    sim_node_t *n = w->nodes[i];
    int rc = sim_node_power_on(n);
    if (rc != 0 && rc != -SIM_EBUSY) {
        /* A copy that cannot load any more, or a firmware whose init refuses the host table
         * (-SIM_EVERSION, an unusable plugin: exit 65), is a run error. */
        snprintf(w->err, w->errlen, "%s: error: power-on failed: %s", sim_node_name(n),
                 sim_node_error(n));
        w->err_rc = rc;
        sim_kernel_stop(w->k);
    }
}

static void on_power_on(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    sim_world_t *w = ctx;
    power_on(w, (size_t)arg);
}

static void power_off(sim_world_t *w, size_t i) {
    if (w->gws[i] != NULL) {
        sim_run_gw_power(w->gws[i], false);
    } else {
        sim_node_power_off(w->nodes[i]);
    }
}

static sim_can_ctrl_t *ctrl_of(sim_world_t *w, size_t i) {
    return w->gws[i] != NULL ? sim_run_gw_ctrl(w->gws[i]) : sim_node_can(w->nodes[i]);
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

/* The NodeID a command addressed to a named node carries: the one that node last used on the
 * bus (it may have moved after a collision), else the one its MAC derives. */
static uint8_t target_id(sim_world_t *w, const sim_scn_action_t *a) {
    if (a->target_node < 0) {
        return a->target_id;
    }
    int id = sim_assert_node_id(w->asserts, a->target_node);
    return id >= 0 ? (uint8_t)id : sim_scn_default_node_id(w->scn->nodes[a->target_node].mac);
}

int sim_run_ext_create(sim_world_t *w) {
    if (w->ext != NULL) {
        return 0;
    }
    sim_can_ctrl_cfg_t ec = {.name = "ext", .tx_queue_len = 64};
    int rc = sim_can_ctrl_attach(w->bus, &ec, NULL, NULL, &w->ext);
    if (rc == 0 && (rc = sim_can_ctrl_start(w->ext)) != 0) {
        sim_can_ctrl_detach(w->ext);
        w->ext = NULL;
    }
    return rc;
}

static void do_command(sim_world_t *w, const sim_scn_action_t *a) {
    uint8_t target = target_id(w, a);
    int rc;
    if (a->gateway >= 0 && w->gws[a->gateway] != NULL &&
        sim_run_gw_gateway(w->gws[a->gateway]) != NULL) {
        rc = gateway_send_command(sim_run_gw_gateway(w->gws[a->gateway]), a->cmd_id, target,
                                  a->args, a->n_args, NULL);
    } else if ((rc = sim_run_ext_create(w)) != 0) {
        /* refused below: the external sender could not join the bus */
    } else {
        sim_can_frame_t f = {.id = a->cmd_id, .dlc = (uint8_t)(2 + a->n_args)};
        f.data[0] = target;
        f.data[1] = w->ext_seq++;
        memcpy(&f.data[2], a->args, a->n_args);
        rc = sim_can_ctrl_send(w->ext, &f);
    }
    if (rc != 0) {
        sim_trace_ev_t *e =
            sim_trace_ev_begin(w->trace, sim_kernel_now(w->k), "action_refused", NULL);
        sim_trace_ev_str(e, "reason", sim_strerror(rc));
        sim_trace_ev_end(e);
    }
}

/* Actions on a pack's plant; node -1 means every pack. */
static void plant_action(sim_world_t *w, const sim_scn_action_t *a, size_t i) {
    sim_run_pack_t *pk = w->packs[i];
    if (pk == NULL) {
        return;
    }
    pack_plant_t *p = sim_run_pack_plant(pk);
    switch (a->kind) {
        case SIM_ACT_BMS_FAULT:
            if (a->fault == BMS_FAULT_ALARM) {
                bms_modbus_set_alarm_bits(sim_run_pack_bms(pk), a->alarm_bits);
            }
            bms_modbus_set_fault(sim_run_pack_bms(pk), (bms_fault_t)a->fault);
            break;
        case SIM_ACT_CT_FAULT:
            sim_run_pack_ct_fault(pk, (unsigned)a->item, (sim_ct_fault_t)a->fault,
                                  a->noise_sd_counts, a->stuck_counts);
            break;
        case SIM_ACT_RELAY_FAULT:
            relay_set_fault(pack_plant_relay(p, (unsigned)a->item), (relay_fault_t)a->fault);
            break;
        case SIM_ACT_GRID:
            grid_force_down(pack_plant_grid(p), a->on);
            break;
        case SIM_ACT_PV_SCALE:
            pv_set_scale(pack_plant_pv(p), a->scale);
            break;
        case SIM_ACT_LOAD: {
            home_load_cfg_t hc = w->scn->nodes[i].pack->plant.home;
            if (a->profile != NULL) {
                hc.points = a->profile->points;
                hc.n_points = a->profile->n_points;
                hc.scale = a->profile->scale;
            }
            hc.scale *= a->scale;
            (void)home_load_set_profile(pack_plant_home(p), &hc);
            break;
        }
        default:
            break;
    }
}

/* The Orange Pi's own actions: its time broadcast and its clock. */
static void gateway_action(sim_world_t *w, const sim_scn_action_t *a) {
    if (a->gateway < 0 || w->gws[a->gateway] == NULL) {
        return;
    }
    if (a->kind == SIM_ACT_TIME_BROADCAST) {
        sim_run_gw_time_broadcast(w->gws[a->gateway], a->on);
    } else {
        sim_run_gw_clock_set(w->gws[a->gateway], a->clock_s, a->clock_relative);
    }
}

/* What the panel shows of the world that no model reports back. */
static void note_action(sim_world_t *w, const sim_scn_action_t *a, size_t ni) {
    if (a->kind == SIM_ACT_CAN_UNPLUG) {
        w->unplugged[ni] = a->on;
    } else if (a->kind == SIM_ACT_PV_SCALE && a->node < 0) {
        w->pv_scale_pct = (int32_t)(a->scale * 100.0 + 0.5);
    } else if (a->kind == SIM_ACT_LOAD && a->node < 0 && a->profile == NULL) {
        w->load_scale_pct = (int32_t)(a->scale * 100.0 + 0.5);
    }
}

static void on_action(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    sim_world_t *w = ctx;
    sim_run_apply_action(w, &w->scn->actions[arg]);
}

void sim_run_apply_action(sim_world_t *w, const sim_scn_action_t *a) {
    sim_kernel_t *k = w->k;
    size_t ni = a->node >= 0 ? (size_t)a->node : 0;
    note_action(w, a, ni);
    trace_action(w, a, a->node >= 0 ? w->scn->nodes[ni].name : NULL);
    switch (a->kind) {
        case SIM_ACT_CAN_SEND:
            do_can_send(w, a);
            break;
        case SIM_ACT_POWER_OFF:
            power_off(w, ni);
            break;
        case SIM_ACT_POWER_ON:
            power_on(w, ni);
            break;
        case SIM_ACT_POWER_CYCLE:
            power_off(w, ni);
            sim_kernel_schedule_in(k, a->off_ns, SIM_PRIO_SCENARIO, on_cycle_on, w, ni);
            break;
        case SIM_ACT_CAN_DROP:
            sim_can_bus_fault_drop(w->bus, a->match_id, a->match_mask, a->num, a->den);
            break;
        case SIM_ACT_CAN_CORRUPT:
            sim_can_bus_fault_corrupt(w->bus, a->match_id, a->match_mask, a->num, a->den);
            break;
        case SIM_ACT_CAN_UNPLUG:
            sim_can_ctrl_set_unplugged(ctrl_of(w, ni), a->on);
            break;
        case SIM_ACT_CAN_STUCK:
            sim_can_bus_fault_stuck_dominant(w->bus, a->on);
            break;
        case SIM_ACT_CAN_BABBLE:
            sim_can_ctrl_set_babble(ctrl_of(w, ni), &a->frame, a->on);
            break;
        case SIM_ACT_HANG:
            if (w->nodes[ni] != NULL) {
                sim_node_hang(w->nodes[ni]);
            }
            break;
        case SIM_ACT_COMMAND:
            do_command(w, a);
            break;
        case SIM_ACT_TIME_BROADCAST:
        case SIM_ACT_CLOCK_SET:
            gateway_action(w, a);
            break;
        case SIM_ACT_BMS_FAULT:
        case SIM_ACT_CT_FAULT:
        case SIM_ACT_RELAY_FAULT:
        case SIM_ACT_GRID:
        case SIM_ACT_PV_SCALE:
        case SIM_ACT_LOAD:
            for (size_t i = a->node >= 0 ? ni : 0; i < (a->node >= 0 ? ni + 1 : w->scn->n_nodes);
                 i++) {
                plant_action(w, a, i);
            }
            break;
    }
    if (w->asserts != NULL) {
        sim_assert_changed(w->asserts);
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
