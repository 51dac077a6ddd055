/*
 * sim_run_gw.c: the Orange Pi gateway and the Energy-Gateway announcer (see sim_run_gw.h).
 */
#include <stdlib.h>
#include <string.h>

#include "sim_run_gw.h"

#define ANN_BASE_ID     0x300u
#define DEVICE_TYPE_EGW 2u
#define ANN_FLAG_MASTER 0x01u

struct sim_run_gw {
    sim_kernel_t *k;
    sim_scn_node_type_t type;
    char name[SIM_SCN_NAME_MAX];
    calendar_t cal; /* the gateway's own clock */
    gateway_t *gw;  /* GATEWAY */
    /* ENERGY_GATEWAY */
    sim_can_ctrl_t *ctrl;
    sim_scn_egw_t egw;
    uint8_t mac[6];
    bool on;
    bool broadcast; /* the time broadcast is wanted (scenario setting and actions) */
    sim_event_id_t ann_ev;
};

static void announce(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)arg;
    sim_run_gw_t *g = ctx;
    g->ann_ev = 0;
    if (!g->on) {
        return;
    }
    sim_can_frame_t f = {.id = ANN_BASE_ID + g->egw.node_id, .dlc = 8};
    f.data[0] = DEVICE_TYPE_EGW;
    f.data[1] = g->egw.fw_major;
    f.data[2] = g->egw.fw_minor;
    f.data[3] = ANN_FLAG_MASTER; /* a gateway is always master (spec §9.7) */
    memcpy(&f.data[4], &g->mac[2], 4);
    (void)sim_can_ctrl_send(g->ctrl, &f); /* a full queue loses this ANN, as on hardware */
    g->ann_ev =
        sim_kernel_schedule_in(k, g->egw.announce_period_ns, SIM_PRIO_FIRMWARE, announce, g, 0);
}

int sim_run_gw_create(sim_kernel_t *k, sim_can_bus_t *bus, const sim_scn_node_t *sn,
                      const calendar_t *cal, sim_run_gw_t **out) {
    sim_run_gw_t *g = calloc(1, sizeof *g);
    if (g == NULL) {
        return -SIM_ENOMEM;
    }
    g->k = k;
    g->type = sn->type;
    g->cal = *cal;
    g->egw = sn->egw;
    g->broadcast = sn->gateway.time_broadcast;
    memcpy(g->mac, sn->mac, 6);
    memcpy(g->name, sn->name, sizeof g->name);
    int rc;
    if (sn->type == SIM_NODE_GATEWAY) {
        gateway_cfg_t gc;
        gateway_cfg_default(&gc, &g->cal);
        gc.name = g->name;
        gc.time_broadcast = sn->gateway.time_broadcast;
        gc.time_period_ns = sn->gateway.time_period_ns;
        gc.align_to_minute = sn->gateway.align_to_minute;
        rc = gateway_create(k, bus, &gc, &g->gw);
        if (rc == 0) {
            /* Created running; it starts with its power-on like every node. */
            gateway_set_time_broadcast(g->gw, false);
            sim_can_ctrl_stop(gateway_ctrl(g->gw));
        }
    } else {
        sim_can_ctrl_cfg_t cc = {.name = g->name};
        rc = sim_can_ctrl_attach(bus, &cc, NULL, NULL, &g->ctrl);
    }
    if (rc != 0) {
        sim_run_gw_destroy(g);
        return rc;
    }
    *out = g;
    return 0;
}

void sim_run_gw_destroy(sim_run_gw_t *g) {
    if (g == NULL) {
        return;
    }
    if (g->ann_ev != 0) {
        sim_kernel_cancel(g->k, g->ann_ev);
    }
    if (g->gw != NULL) {
        gateway_destroy(g->gw);
    }
    if (g->ctrl != NULL) {
        sim_can_ctrl_detach(g->ctrl);
    }
    free(g);
}

sim_can_ctrl_t *sim_run_gw_ctrl(sim_run_gw_t *g) {
    return g->gw != NULL ? gateway_ctrl(g->gw) : g->ctrl;
}

gateway_t *sim_run_gw_gateway(sim_run_gw_t *g) {
    return g->gw;
}

bool sim_run_gw_powered(const sim_run_gw_t *g) {
    return g->on;
}

void sim_run_gw_power(sim_run_gw_t *g, bool on) {
    if (on == g->on) {
        return;
    }
    g->on = on;
    sim_can_ctrl_t *c = sim_run_gw_ctrl(g);
    if (on) {
        sim_can_ctrl_start(c);
    } else {
        sim_can_ctrl_stop(c);
    }
    if (g->gw != NULL) {
        gateway_set_time_broadcast(g->gw, on && g->broadcast);
    } else if (on) {
        g->ann_ev = sim_kernel_schedule_in(g->k, 0, SIM_PRIO_FIRMWARE, announce, g, 0);
    } else if (g->ann_ev != 0) {
        sim_kernel_cancel(g->k, g->ann_ev);
        g->ann_ev = 0;
    }
}

void sim_run_gw_clock_set(sim_run_gw_t *g, int64_t s, bool relative) {
    int64_t now_s = calendar_local_s(&g->cal, sim_kernel_now(g->k));
    g->cal.start_local_s += relative ? s : s - now_s;
    if (g->gw != NULL && g->on) {
        (void)gateway_send_time_now(g->gw);
    }
}

void sim_run_gw_time_broadcast(sim_run_gw_t *g, bool on) {
    g->broadcast = on;
    if (g->gw != NULL && g->on) {
        gateway_set_time_broadcast(g->gw, on);
    }
}
