/*
 * node.c: node glue (snapshots, frames this node sends, receive routing, indicators). See
 * node.h.
 */
#include "node.h"

#include <string.h>

#include "commands.h"
#include "fw_state.h"
#include "measure.h"
#include "modes.h"
#include "settings.h"

void fw_node_arb_input(fw_arb_input_t *in) {
    const fw_state_t *s = &fw_state;
    uint64_t now = hal_now_ms();
    memset(in, 0, sizeof *in);
    in->mode_mask = s->set.mode_mask;
    in->grid_latched = s->grid.latched;
    in->sc_connected = s->sc_connected;
    fw_tou_window_t w = fw_tou_window(s->set.tou);
    in->tou_window = fw_tou_has_window(w);
    in->clock_valid = fw_clock_valid(&s->clock, now);
    in->tou_inside = in->clock_valid && fw_tou_inside(w, fw_clock_minute_of_day(&s->clock, now));
    bool eco_on = (s->set.mode_mask & FW_MODE_ECO) != 0u;
    for (unsigned i = 0; i < FW_RELAY_COUNT; i++) {
        in->eco_shed[i] = eco_on && fw_eco_relay_shed(&s->eco, i);
    }
}

static uint8_t status_bits(const fw_state_t *s, uint64_t now) {
    uint8_t st = 0;
    st |= s->charging ? FW_TEL_ST_CHARGING : 0u;
    st |= s->bms.valid ? 0u : FW_TEL_ST_BMS_INVALID;
    st |= s->bms.alarm_bits ? FW_TEL_ST_BMS_ALARM : 0u;
    st |= s->el.is_master ? FW_TEL_ST_MASTER : 0u;
    st |= fw_clock_valid(&s->clock, now) ? FW_TEL_ST_TIME_VALID : 0u;
    return st;
}

void fw_node_snapshot(fw_tel_snapshot_t *t) {
    const fw_state_t *s = &fw_state;
    memset(t, 0, sizeof *t);
    t->node_id = s->el.self_id;
    t->soc = s->soc_valid ? s->soc_pct : FW_SOC_INVALID;
    t->pack_dv = s->bms.pack_dv; /* last good values, also while not valid */
    t->batt_ca = s->bms.batt_ca;
    t->status = status_bits(s, hal_now_ms());
    t->alarm_bits = s->bms.alarm_bits;
    t->grid_w = s->grid_w;
    t->home_w = s->home_w;
    t->batt_w = s->batt_w;
    t->solar_w = s->solar_w;
    t->pool_w = s->pool_w;
    t->heater_w = s->heater_w;
    t->relay_mask = fw_relays_mask(&s->relays);
    t->mode_mask = s->set.mode_mask;
    t->warn_mask = (uint8_t)((s->eco.loads_limit ? FW_WARN_LOADS_LIMIT : 0u) |
                             (s->grid.latched ? FW_WARN_GRID_LIMIT : 0u));
    t->energy_centi_kwh = fw_energy_centi_kwh(s->grid.energy_wms);
    t->grid_limit_kwh = s->set.grid_limit_kwh;
    t->ota_state = 0; /* idle: no transfer protocol in this version (spec §11.4) */
}

void fw_node_send_tel_pages(void) {
    fw_tel_snapshot_t snap;
    fw_node_snapshot(&snap);
    for (unsigned p = 0; p < FW_TEL_PAGES; p++) {
        hal_can_frame_t f;
        fw_tel_build(&snap, p, &f);
        (void)fw_can_send(&fw_state.can, &f);
    }
}

void fw_node_send_ann(void) {
    hal_can_frame_t f;
    fw_ann_build(fw_state.el.self_id, FW_DEVICE_TYPE, fw_state.el.is_master, fw_state.mac, &f);
    (void)fw_can_send(&fw_state.can, &f);
}

void fw_node_send_ack(uint8_t cmd_low, uint8_t seq, uint8_t status) {
    hal_can_frame_t f;
    memset(&f, 0, sizeof f);
    f.id = FW_CAN_ACK_BASE + fw_state.el.self_id;
    f.dlc = 4;
    f.data[0] = cmd_low;
    f.data[1] = seq;
    f.data[2] = status;
    f.data[3] = fw_state.set.mode_mask;
    (void)fw_can_send(&fw_state.can, &f);
}

void fw_node_send_aggregates(void) {
    fw_tel_snapshot_t snap;
    hal_can_frame_t f[FW_AGG_PAGES];
    fw_node_snapshot(&snap);
    fw_agg_build(&fw_state.el, &snap, FW_DEVICE_TYPE == FW_DEVICE_PACK, hal_now_ms(), f);
    for (unsigned p = 0; p < FW_AGG_PAGES; p++) {
        (void)fw_can_send(&fw_state.can, &f[p]);
    }
}

void fw_node_service_ann_reply(uint64_t now_ms) {
    fw_election_t *e = &fw_state.el;
    if (!e->reply_pending || (e->replied_once && now_ms - e->last_reply_ms < FW_ANN_REPLY_MIN_MS)) {
        return;
    }
    e->reply_pending = false;
    e->replied_once = true;
    e->last_reply_ms = now_ms;
    fw_node_send_ann();
}

void fw_node_service_events(uint64_t now_ms) {
    fw_event_t ev;
    if (!fw_state.can.started || fw_state.can.bus_off) {
        return; /* keep them queued until the controller can send */
    }
    if (!fw_events_peek_due(&fw_state.ev, now_ms, &ev)) {
        return;
    }
    hal_can_frame_t f;
    memset(&f, 0, sizeof f);
    f.id = FW_CAN_EVT_BASE + fw_state.el.self_id;
    f.dlc = 8; /* fixed length, unused argument bytes 0: one DBC layout decodes every event */
    f.data[0] = ev.code;
    f.data[1] = ev.severity;
    memcpy(&f.data[2], ev.args, ev.nargs);
    if (fw_can_send(&fw_state.can, &f)) {
        fw_events_mark_sent(&fw_state.ev, now_ms); /* a full TX queue keeps it for the next tick */
    }
}

static void on_peer_tel(const hal_can_frame_t *f, uint64_t now) {
    uint8_t node = (uint8_t)(f->id - FW_CAN_TEL_BASE);
    fw_peer_t *p = fw_election_find(&fw_state.el, node);
    if (p != NULL && node != fw_state.el.self_id) {
        fw_tel_store_peer(&p->tel, f->data, f->dlc, now);
    } else if (p == NULL) {
        (void)fw_election_on_foreign_master(&fw_state.el, node, f->data, f->dlc, now);
    }
}

static void on_ann(const hal_can_frame_t *f, uint64_t now) {
    uint8_t old_id = fw_state.el.self_id;
    uint8_t node = (uint8_t)(f->id - FW_CAN_ANN_BASE);
    if (fw_election_on_ann(&fw_state.el, node, f->data, f->dlc, now) == FW_ANN_MOVED) {
        uint8_t args[2] = {old_id, fw_state.el.self_id};
        fw_settings_store_node_id(fw_state.el.self_id);
        hal_log(HAL_LOG_WARN, "NodeID collision: moved %u -> %u", old_id, fw_state.el.self_id);
        fw_event_post(FW_EVT_NODE_MOVED, args, 2);
        fw_election_recompute(&fw_state.el, now);
        fw_node_send_ann();
    }
    fw_node_service_ann_reply(now);
}

static void on_time(const hal_can_frame_t *f, uint64_t now) {
    if (fw_clock_on_broadcast(&fw_state.clock, f->data, f->dlc, now) != 0) {
        uint8_t args[2] = {f->dlc, f->dlc > 0u ? f->data[0] : 0u};
        fw_event_post(FW_EVT_TIME_INVALID, args, 2);
    }
}

void fw_node_on_can_rx(const hal_can_frame_t *f) {
    if (f->flags & (HAL_CAN_FLAG_EXT | HAL_CAN_FLAG_RTR)) {
        return;
    }
    uint64_t now = hal_now_ms();
    uint32_t id = f->id;
    if (id >= FW_CAN_TEL_BASE && id <= FW_CAN_TEL_LAST) {
        on_peer_tel(f, now);
    } else if (id >= FW_CAN_CMD_FIRST && id <= FW_CAN_CMD_LAST) {
        fw_commands_on_frame(f);
    } else if (id >= FW_CAN_ANN_BASE && id <= FW_CAN_ANN_LAST) {
        on_ann(f, now);
    } else if (id == FW_CAN_TIME_ID) {
        on_time(f, now);
    }
}

void fw_node_indicators(bool subtick) {
    fw_state_t *s = &fw_state;
    uint64_t now = hal_now_ms();
    fw_bar_update(&s->bar, s->soc_valid, s->soc_pct, s->charging, subtick);
    bool blink_on = (s->subticks % 10u) < 5u; /* 500 ms on / 500 ms off */
    fw_display_update(&s->display, s->soc_valid, s->soc_pct, blink_on);
    fw_led_input_t li;
    li.master = s->el.is_master;
    li.warning = FW_MUT_LOADS_LED(s->eco.loads_limit) || s->grid.latched;
    li.fault = FW_MUT_STALE_RED(s->bms.stale) || s->bms.alarm_bits != 0u || s->can.bus_off;
    li.time_missing = (s->set.mode_mask & (FW_MODE_TOU | FW_MODE_GRIDLIMIT)) != 0u &&
                      fw_clock_age_ms(&s->clock, now, s->boot_ms) > FW_TIME_VALID_MS;
    bool want[FW_LED_COUNT];
    fw_leds_compute(&li, s->subticks, want);
    fw_leds_apply(&s->leds, want);
}
