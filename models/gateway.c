/*
 * gateway.c: the Pi's CAN side: time broadcast, command source, ACK log (contract in gateway.h).
 */
#include "gateway.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    uint16_t cmd_id;
    uint8_t target;
    uint8_t seq;
} pending_t;

struct gateway {
    sim_kernel_t *k;
    gateway_cfg_t cfg;
    sim_can_ctrl_t *ctrl;
    sim_event_id_t time_ev;
    bool time_on;
    uint8_t next_seq;
    pending_t pending[GATEWAY_PENDING_MAX]; /* ring of the last commands sent */
    size_t pending_n, pending_head;
    gateway_ack_t acks[GATEWAY_ACK_LOG]; /* ring, oldest at acks_head */
    size_t acks_n, acks_head;
    gateway_stats_t stats;
};

void gateway_cfg_default(gateway_cfg_t *cfg, const calendar_t *cal) {
    *cfg = (gateway_cfg_t){
        .name = "gateway",
        .calendar = cal,
        .time_broadcast = true,
        .time_period_ns = 60 * SIM_NS_PER_S,
        .align_to_minute = true,
    };
}

/* ---- time broadcast ---------------------------------------------------------------------- */

void gateway_time_encode(const calendar_civil_t *c, uint8_t out[5]) {
    int32_t yy = c->year - 2000;
    out[0] = c->hour;
    out[1] = c->day;
    out[2] = c->minute;
    out[3] = c->month;
    out[4] = (uint8_t)(yy < 0 ? 0 : (yy > 255 ? 255 : yy)); /* one byte: 2000..2255 */
}

int gateway_send_time_now(gateway_t *gw) {
    calendar_civil_t c;
    calendar_at(gw->cfg.calendar, sim_kernel_now(gw->k), &c);
    sim_can_frame_t f = {.id = GATEWAY_TIME_ID, .dlc = 5};
    gateway_time_encode(&c, f.data);
    int rc = sim_can_ctrl_send(gw->ctrl, &f);
    if (rc == 0) {
        gw->stats.time_sent++;
    } else {
        gw->stats.time_send_errors++;
    }
    return rc;
}

static void time_tick(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)arg;
    gateway_t *gw = ctx;
    (void)gateway_send_time_now(gw);
    gw->time_ev =
        sim_kernel_schedule_in(k, gw->cfg.time_period_ns, SIM_PRIO_DEFAULT, time_tick, gw, 0);
}

static void schedule_first_time(gateway_t *gw) {
    sim_time_ns_t now = sim_kernel_now(gw->k);
    sim_time_ns_t t =
        gw->cfg.align_to_minute ? calendar_next_boundary(gw->cfg.calendar, now, 60) : now;
    gw->time_ev = sim_kernel_schedule(gw->k, t, SIM_PRIO_DEFAULT, time_tick, gw, 0);
}

void gateway_set_time_broadcast(gateway_t *gw, bool on) {
    if (on == gw->time_on) {
        return;
    }
    gw->time_on = on;
    if (on) {
        schedule_first_time(gw);
    } else if (gw->time_ev != 0) {
        (void)sim_kernel_cancel(gw->k, gw->time_ev);
        gw->time_ev = 0;
    }
}

/* ---- commands and ACKs ------------------------------------------------------------------- */

int gateway_send_command(gateway_t *gw, uint16_t cmd_id, uint8_t target, const uint8_t *args,
                         size_t nargs, uint8_t *seq_out) {
    if (cmd_id < GATEWAY_CMD_FIRST || cmd_id > GATEWAY_CMD_LAST || target > GATEWAY_BROADCAST ||
        nargs > 6 || (nargs > 0 && !args)) {
        return -SIM_EINVAL;
    }
    uint8_t seq = gw->next_seq;
    sim_can_frame_t f = {.id = cmd_id, .dlc = (uint8_t)(2 + nargs)};
    f.data[0] = target;
    f.data[1] = seq;
    if (nargs > 0) {
        memcpy(&f.data[2], args, nargs);
    }
    int rc = sim_can_ctrl_send(gw->ctrl, &f);
    if (rc != 0) {
        gw->stats.cmd_send_errors++;
        return rc;
    }
    gw->next_seq++;
    gw->stats.cmd_sent++;
    size_t slot = (gw->pending_head + gw->pending_n) % GATEWAY_PENDING_MAX;
    if (gw->pending_n == GATEWAY_PENDING_MAX) {
        gw->pending_head = (gw->pending_head + 1) % GATEWAY_PENDING_MAX;
    } else {
        gw->pending_n++;
    }
    gw->pending[slot] = (pending_t){cmd_id, target, seq};
    if (seq_out) {
        *seq_out = seq;
    }
    return 0;
}

int gateway_send_frame(gateway_t *gw, const sim_can_frame_t *f) {
    return sim_can_ctrl_send(gw->ctrl, f);
}

static bool ack_matches(const gateway_t *gw, const gateway_ack_t *a) {
    for (size_t i = 0; i < gw->pending_n; i++) {
        const pending_t *p = &gw->pending[(gw->pending_head + i) % GATEWAY_PENDING_MAX];
        if (p->cmd_id == a->cmd_id && p->seq == a->seq &&
            (p->target == GATEWAY_BROADCAST || p->target == a->node)) {
            return true;
        }
    }
    return false;
}

static void record_ack(gateway_t *gw, const sim_can_frame_t *f) {
    if (f->dlc < 4) {
        gw->stats.acks_malformed++;
        return;
    }
    gateway_ack_t a = {
        .t_ns = sim_kernel_now(gw->k),
        .node = (uint8_t)(f->id - GATEWAY_ACK_BASE),
        .cmd_id = (uint16_t)(0x200u | f->data[0]),
        .seq = f->data[1],
        .status = f->data[2],
        .mode_mask = f->data[3],
    };
    a.matched = ack_matches(gw, &a);
    gw->stats.acks++;
    gw->stats.acks_unmatched += !a.matched;
    size_t slot = (gw->acks_head + gw->acks_n) % GATEWAY_ACK_LOG;
    if (gw->acks_n == GATEWAY_ACK_LOG) {
        gw->acks_head = (gw->acks_head + 1) % GATEWAY_ACK_LOG;
        gw->stats.ack_log_overwritten++;
    } else {
        gw->acks_n++;
    }
    gw->acks[slot] = a;
}

static void on_rx(void *ctx, const sim_can_frame_t *f) {
    gateway_t *gw = ctx;
    bool ack = !(f->flags & SIM_CAN_FLAG_IDE) && f->id >= GATEWAY_ACK_BASE &&
               f->id < GATEWAY_ACK_BASE + GATEWAY_BROADCAST;
    if (ack) {
        record_ack(gw, f);
        return;
    }
    gw->stats.rx_other++;
    if (gw->cfg.on_rx) {
        gw->cfg.on_rx(gw->cfg.ctx, f, sim_kernel_now(gw->k));
    }
}

size_t gateway_ack_count(const gateway_t *gw) {
    return gw->acks_n;
}

const gateway_ack_t *gateway_ack_at(const gateway_t *gw, size_t i) {
    SIM_ASSERT(i < gw->acks_n);
    return &gw->acks[(gw->acks_head + i) % GATEWAY_ACK_LOG];
}

int gateway_find_ack(const gateway_t *gw, uint8_t node, uint16_t cmd_id, uint8_t seq,
                     gateway_ack_t *out) {
    for (size_t i = gw->acks_n; i-- > 0;) {
        const gateway_ack_t *a = gateway_ack_at(gw, i);
        if (a->node == node && a->cmd_id == cmd_id && a->seq == seq) {
            *out = *a;
            return 0;
        }
    }
    return -SIM_ENOENT;
}

/* ---- lifetime ---------------------------------------------------------------------------- */

int gateway_create(sim_kernel_t *k, sim_can_bus_t *bus, const gateway_cfg_t *cfg, gateway_t **out) {
    *out = NULL;
    if (!cfg->calendar || cfg->time_period_ns <= 0) {
        return -SIM_EINVAL;
    }
    gateway_t *gw = calloc(1, sizeof *gw);
    if (!gw) {
        return -SIM_ENOMEM;
    }
    gw->k = k;
    gw->cfg = *cfg;
    gw->cfg.name = NULL; /* copied by the bus */
    sim_can_ctrl_cfg_t cc = {.name = cfg->name ? cfg->name : "gateway",
                             .tx_queue_len = cfg->tx_queue_len,
                             .auto_recover = true};
    sim_can_ctrl_cb_t cb = {.on_rx = on_rx};
    int rc = sim_can_ctrl_attach(bus, &cc, &cb, gw, &gw->ctrl);
    if (rc == 0 && (rc = sim_can_ctrl_start(gw->ctrl)) != 0) {
        sim_can_ctrl_detach(gw->ctrl);
    }
    if (rc != 0) {
        free(gw);
        return rc;
    }
    gateway_set_time_broadcast(gw, cfg->time_broadcast);
    *out = gw;
    return 0;
}

void gateway_destroy(gateway_t *gw) {
    if (!gw) {
        return;
    }
    gateway_set_time_broadcast(gw, false);
    sim_can_ctrl_detach(gw->ctrl);
    free(gw);
}

sim_can_ctrl_t *gateway_ctrl(gateway_t *gw) {
    return gw->ctrl;
}

void gateway_stats(const gateway_t *gw, gateway_stats_t *out) {
    *out = gw->stats;
}
