/*
 * sim_run_probe.c: the run layer's side of the assertion engine: the probe that reads relays,
 * plant quantities, NVS counters, node states and controller states, and the frame feed.
 */
#include <stdint.h>
#include <string.h>

#include "sim_run_int.h"

#define CTRL_MEMO_LEN SIM_RUN_CTRL_MEMO_LEN

static bool node_has_ctrl(const sim_world_t *w, size_t i, const sim_can_ctrl_t *c) {
    return (w->nodes[i] != NULL && sim_node_can(w->nodes[i]) == c) ||
           (w->gws[i] != NULL && sim_run_gw_ctrl(w->gws[i]) == c);
}

/* Controllers are allocated on cache-line boundaries: the bits above the line pick the slot. The
 * address only chooses where to look; the answer is always checked, so it never depends on it. */
static size_t memo_slot(const sim_can_ctrl_t *c) {
    return (size_t)(((uintptr_t)c >> 6) % CTRL_MEMO_LEN);
}

int sim_run_node_of_ctrl(const sim_world_t *w, const sim_can_ctrl_t *c) {
    int16_t *memo = w->ctrl_memo;
    if (memo != NULL) {
        int16_t hit = memo[memo_slot(c)];
        if (hit > 0 && (size_t)hit <= w->scn->n_nodes && node_has_ctrl(w, (size_t)hit - 1, c)) {
            return hit - 1;
        }
    }
    for (size_t i = 0; i < w->scn->n_nodes; i++) {
        if (node_has_ctrl(w, i, c)) {
            if (memo != NULL && i < INT16_MAX) {
                memo[memo_slot(c)] = (int16_t)(i + 1);
            }
            return (int)i;
        }
    }
    return -1;
}

/* In millionths, rounded half away from zero. A value past what int64 holds in millionths (about
 * 9.2e12), or a NaN from a broken model, saturates: converting it would be undefined behaviour. */
static void set_num(sim_value_t *v, double x) {
    v->type = SIM_VAL_NUM;
    double m = x * 1e6 + (x >= 0 ? 0.5 : -0.5);
    if (m >= 9223372036854775807.0) {
        v->num_micro = INT64_MAX;
    } else if (m > -9223372036854775808.0) {
        v->num_micro = (int64_t)m;
    } else {
        v->num_micro = INT64_MIN; /* also NaN */
    }
}

static void set_text(sim_value_t *v, const char *s) {
    v->type = SIM_VAL_TEXT;
    strncpy(v->text, s, sizeof v->text - 1);
    v->text[sizeof v->text - 1] = '\0';
}

static int quantity(sim_run_pack_t *pk, sim_quantity_t q, sim_value_t *out) {
    pack_plant_t *p = sim_run_pack_plant(pk);
    pack_plant_snapshot_t s;
    pack_plant_snapshot(p, &s);
    bms_modbus_stats_t bs;
    bms_modbus_stats(sim_run_pack_bms(pk), &bs);
    switch (q) {
        case SIM_Q_SOC_PERCENT:
            set_num(out, s.soc_permille / 10.0);
            return 0;
        case SIM_Q_V_PACK_V:
            set_num(out, s.v_pack_mv / 1000.0);
            return 0;
        case SIM_Q_I_BATT_A:
            set_num(out, s.i_batt_ma / 1000.0);
            return 0;
        case SIM_Q_P_PV_W:
            set_num(out, s.p_pv_w);
            return 0;
        case SIM_Q_P_HOME_W:
            set_num(out, s.p_home_w);
            return 0;
        case SIM_Q_P_GRID_W:
            set_num(out, s.p_grid_w);
            return 0;
        case SIM_Q_P_BATT_W:
            set_num(out, s.p_batt_w);
            return 0;
        case SIM_Q_P_POOL_W:
            set_num(out, s.p_pool_w);
            return 0;
        case SIM_Q_P_HEATER_W:
            set_num(out, s.p_heater_w);
            return 0;
        case SIM_Q_P_UNSERVED_W:
            set_num(out, s.p_unserved_w);
            return 0;
        case SIM_Q_P_CURTAILED_W:
            set_num(out, s.p_curtailed_w);
            return 0;
        case SIM_Q_GRID_IMPORT_WH:
            set_num(out, (double)s.grid_import_mj / 3.6e6); /* 1 Wh = 3.6e6 mJ */
            return 0;
        case SIM_Q_HEATER_TEMP_C:
            set_num(out, s.heater_temp_mc / 1000.0);
            return 0;
        case SIM_Q_GRID_UP:
            set_num(out, s.grid_up ? 1 : 0);
            return 0;
        case SIM_Q_POOL_STARTS:
            set_num(out, (double)pool_pump_starts(pack_plant_pool(p)));
            return 0;
        case SIM_Q_BMS_REQUESTS:
            set_num(out, (double)bs.requests);
            return 0;
        case SIM_Q_BMS_REPLIES:
            set_num(out, (double)bs.replies);
            return 0;
        case SIM_Q_BMS_EARLY_BYTES:
            set_num(out, (double)bs.early_bytes);
            return 0;
        case SIM_Q_CAN_TX_ERRORS:
        case SIM_Q_CAN_BUS_OFF:
        case SIM_Q_COUNT_:
            break;
    }
    return -SIM_ENOTSUP;
}

static int node_probe(sim_world_t *w, const sim_subject_t *subj, sim_value_t *out) {
    sim_node_t *n = w->nodes[subj->node];
    sim_node_stats_t ns;
    sim_node_stats(n, &ns);
    switch (subj->kind) {
        case SIM_SUBJ_RELAY_COIL:
            out->type = SIM_VAL_BOOL;
            out->b = sim_node_gpio(n, (hal_signal_t)(HAL_SIG_RELAY_GRID + subj->item));
            return 0;
        case SIM_SUBJ_NVS_WRITES: {
            sim_nvs_stats_t st;
            sim_nvs_stats(sim_node_nvs(n), &st);
            set_num(out, subj->nvs_key[0] ? (double)sim_nvs_key_writes(sim_node_nvs(n),
                                                                       subj->nvs_ns, subj->nvs_key)
                                          : (double)st.writes);
            return 0;
        }
        case SIM_SUBJ_NODE_STATE:
            set_text(out, sim_node_state_name(sim_node_state(n)));
            return 0;
        case SIM_SUBJ_RESETS: {
            const uint32_t counts[SIM_RESET_COUNT_] = {ns.boots, ns.power_ons, ns.watchdog_resets,
                                                       ns.software_resets};
            if (subj->item < 0 || subj->item >= SIM_RESET_COUNT_) {
                return -SIM_ENOTSUP;
            }
            set_num(out, counts[subj->item]);
            return 0;
        }
        case SIM_SUBJ_CAN_STATE:
            set_text(out, sim_can_state_name(sim_can_ctrl_state(sim_node_can(n))));
            return 0;
        default:
            return -SIM_ENOTSUP;
    }
}

static int can_quantity(sim_world_t *w, const sim_subject_t *subj, sim_value_t *out) {
    sim_can_ctrl_stats_t cs;
    sim_can_ctrl_stats(sim_node_can(w->nodes[subj->node]), &cs);
    set_num(out,
            subj->item == SIM_Q_CAN_TX_ERRORS ? (double)cs.tx_errors : (double)cs.bus_off_count);
    return 0;
}

static int probe(void *ctx, const sim_subject_t *subj, sim_value_t *out) {
    sim_world_t *w = ctx;
    memset(out, 0, sizeof *out);
    if (subj->node < 0 || (size_t)subj->node >= w->scn->n_nodes) {
        return -SIM_ENOTSUP;
    }
    sim_run_pack_t *pk = w->packs[subj->node];
    bool can_q = subj->kind == SIM_SUBJ_QUANTITY &&
                 (subj->item == SIM_Q_CAN_TX_ERRORS || subj->item == SIM_Q_CAN_BUS_OFF);
    if (can_q && w->nodes[subj->node] != NULL) {
        return can_quantity(w, subj, out);
    }
    switch (subj->kind) {
        case SIM_SUBJ_RELAY:
        case SIM_SUBJ_RELAY_OPERATIONS: {
            if (pk == NULL || subj->item < 0 || subj->item >= PACK_RELAYS) {
                return -SIM_ENOTSUP;
            }
            relay_t *r = pack_plant_relay(sim_run_pack_plant(pk), (unsigned)subj->item);
            if (subj->kind == SIM_SUBJ_RELAY) {
                out->type = SIM_VAL_BOOL;
                out->b = relay_connected(r);
            } else {
                relay_stats_t rs;
                relay_stats(r, &rs);
                set_num(out, (double)rs.operations);
            }
            return 0;
        }
        case SIM_SUBJ_QUANTITY:
            return pk != NULL ? quantity(pk, (sim_quantity_t)subj->item, out) : -SIM_ENOTSUP;
        default:
            break;
    }
    if (w->nodes[subj->node] != NULL) {
        return node_probe(w, subj, out);
    }
    if (subj->kind == SIM_SUBJ_CAN_STATE && w->gws[subj->node] != NULL) {
        set_text(out, sim_can_state_name(sim_can_ctrl_state(sim_run_gw_ctrl(w->gws[subj->node]))));
        return 0;
    }
    return -SIM_ENOTSUP;
}

/* A controller changed state: assertions on can_state must see it at this instant. */
static void on_ctrl_state(void *ctx, const sim_can_ctrl_t *c, sim_can_state_t st, sim_time_ns_t t) {
    (void)c;
    (void)st;
    (void)t;
    sim_world_t *w = ctx;
    sim_assert_changed(w->asserts);
}

static void on_frame(void *ctx, const sim_can_frame_t *f, const sim_can_ctrl_t *sender,
                     sim_time_ns_t t_start, sim_time_ns_t t_rx) {
    (void)t_start;
    sim_world_t *w = ctx;
    sim_assert_on_frame(w->asserts, sim_run_node_of_ctrl(w, sender), f, t_rx);
}

static void on_result(void *ctx, const sim_assert_result_t *r) {
    sim_world_t *w = ctx;
    sim_trace_ev_t *e = sim_trace_ev_begin(w->trace, r->t_ns, "assertion", NULL);
    sim_trace_ev_str(e, "name", r->name);
    sim_trace_ev_bool(e, "passed", r->status == SIM_ASSERT_PASSED);
    sim_trace_ev_str(e, "expected", r->expected);
    sim_trace_ev_str(e, "actual", r->actual);
    sim_trace_ev_end(e);
}

int sim_run_asserts_create(sim_world_t *w) {
    sim_assert_cfg_t ac = {
        .scn = w->scn,
        .probe = probe,
        .probe_ctx = w,
        .seed = w->cfg->seed,
        .repro = w->cfg->repro,
        .end_ns = w->cfg->duration_ns,
        .on_result = on_result,
        .result_ctx = w,
    };
    int rc = sim_assert_create(w->k, &ac, &w->asserts);
    if (rc != 0) {
        return rc;
    }
    static const sim_can_observer_t obs = {.on_frame = on_frame, .on_state = on_ctrl_state};
    return sim_can_bus_observe(w->bus, &obs, w);
}
