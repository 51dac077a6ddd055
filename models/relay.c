/*
 * relay.c: coil, armature and contact of one relay or contactor (contract in relay.h).
 *
 * The armature position is the mechanical truth; the circuit state derives from it, the contact
 * type (NO/NC) and the fault. Keeping them apart lets a welded relay still count its coil and
 * armature operations, as a real one would wear its coil while the contacts stay fused.
 */
#include "relay.h"

#include <stdlib.h>

struct relay {
    sim_kernel_t *k;
    relay_cfg_t cfg;
    bool coil;
    bool armature; /* pulled in (energised position) */
    relay_fault_t fault;
    sim_event_id_t move_ev; /* pending armature movement */
    sim_time_ns_t coil_edge_ns;
    sim_time_ns_t last_operate_ns, last_release_ns;
    relay_stats_t stats;
};

void relay_cfg_default(relay_cfg_t *cfg) {
    *cfg = (relay_cfg_t){
        .name = "relay",
        .operate_ns = 10 * SIM_NS_PER_MS,
        .release_ns = 5 * SIM_NS_PER_MS,
    };
}

int relay_create(sim_kernel_t *k, const relay_cfg_t *cfg, relay_t **out) {
    *out = NULL;
    if (cfg->operate_ns < 0 || cfg->release_ns < 0) {
        return -SIM_EINVAL;
    }
    relay_t *r = calloc(1, sizeof *r);
    if (!r) {
        return -SIM_ENOMEM;
    }
    r->k = k;
    r->cfg = *cfg;
    r->last_operate_ns = -1;
    r->last_release_ns = -1;
    *out = r;
    return 0;
}

void relay_destroy(relay_t *r) {
    if (!r) {
        return;
    }
    if (r->move_ev != 0) {
        (void)sim_kernel_cancel(r->k, r->move_ev);
    }
    free(r);
}

static bool circuit(const relay_t *r) {
    switch (r->fault) {
        case RELAY_FAULT_WELDED:
            return true;
        case RELAY_FAULT_STUCK_OPEN:
            return false;
        case RELAY_FAULT_NONE:
            break;
    }
    return r->armature != r->cfg.normally_closed;
}

static void notify_if_changed(relay_t *r, bool before) {
    bool after = circuit(r);
    if (after != before && r->cfg.on_change) {
        r->cfg.on_change(r->cfg.ctx, after, sim_kernel_now(r->k));
    }
}

static void armature_moves(sim_kernel_t *k, void *ctx, uint64_t arg) {
    relay_t *r = ctx;
    bool before = circuit(r);
    r->move_ev = 0;
    r->armature = arg != 0;
    r->stats.operations++;
    sim_time_ns_t delay = sim_kernel_now(k) - r->coil_edge_ns;
    if (r->armature) {
        r->last_operate_ns = delay;
    } else {
        r->last_release_ns = delay;
    }
    if (r->fault != RELAY_FAULT_NONE && circuit(r) == before) {
        r->stats.refused++;
    }
    notify_if_changed(r, before);
}

void relay_drive(relay_t *r, bool coil_on, sim_time_ns_t t_ns) {
    SIM_ASSERT(t_ns >= sim_kernel_now(r->k));
    if (coil_on == r->coil) {
        return;
    }
    r->coil = coil_on;
    r->coil_edge_ns = t_ns;
    r->stats.coil_changes++;
    if (r->move_ev != 0) {
        (void)sim_kernel_cancel(r->k, r->move_ev);
        r->move_ev = 0;
        r->stats.chatter++;
    }
    if (r->armature == coil_on) {
        return; /* a pulse shorter than the movement: the armature never left */
    }
    sim_time_ns_t delay = coil_on ? r->cfg.operate_ns : r->cfg.release_ns;
    r->move_ev = sim_kernel_schedule(r->k, sim_time_add(t_ns, delay), SIM_PRIO_PHYSICS,
                                     armature_moves, r, coil_on ? 1u : 0u);
}

bool relay_connected(const relay_t *r) {
    return circuit(r);
}

bool relay_coil(const relay_t *r) {
    return r->coil;
}

bool relay_moving(const relay_t *r) {
    return r->move_ev != 0;
}

void relay_set_fault(relay_t *r, relay_fault_t fault) {
    bool before = circuit(r);
    r->fault = fault;
    notify_if_changed(r, before);
}

relay_fault_t relay_fault(const relay_t *r) {
    return r->fault;
}

sim_time_ns_t relay_last_operate_ns(const relay_t *r) {
    return r->last_operate_ns;
}

sim_time_ns_t relay_last_release_ns(const relay_t *r) {
    return r->last_release_ns;
}

void relay_stats(const relay_t *r, relay_stats_t *out) {
    *out = r->stats;
}

const char *relay_name(const relay_t *r) {
    return r->cfg.name;
}
