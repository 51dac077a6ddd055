/*
 * sim_run_panel.c: the panel's snapshot, filled from the world at the kernel's present time.
 *
 * Everything is read through const getters of the models and the node host; nothing here
 * changes the simulation. The indicators are what the hardware shows: status LEDs as the pack's
 * LED model holds them (a plain firmware node: its GPIO levels), the TM1637's registers as the
 * firmware wrote them, the WS2812 colours as decoded from the bytes it sent, each relay's coil
 * (the firmware's GPIO) and contact (the relay model, with its delays and faults). Voltage,
 * current and powers are the plant's true quantities; SOC, modes, master flag and device type
 * are what the node itself reports on the bus (sim_run_busview.c), like the app would show them,
 * except that the two gateways are marked as such from the scenario. The counters are the CAN
 * controller's and, for the Orange Pi, its model's (gateway_stats), since the run began.
 */
#include <stdio.h>
#include <string.h>

#include "sim_run_int.h"

static uint8_t node_state(sim_node_state_t st) {
    switch (st) {
        case SIM_NODE_RUNNING:
            return PANEL_NODE_RUNNING;
        case SIM_NODE_HUNG:
            return PANEL_NODE_HUNG;
        case SIM_NODE_OFF:
            break;
    }
    return PANEL_NODE_OFF;
}

static uint8_t can_state(sim_can_state_t st) {
    switch (st) {
        case SIM_CAN_ERROR_ACTIVE:
            return PANEL_CAN_ERROR_ACTIVE;
        case SIM_CAN_ERROR_WARNING:
            return PANEL_CAN_ERROR_WARNING;
        case SIM_CAN_ERROR_PASSIVE:
            return PANEL_CAN_ERROR_PASSIVE;
        case SIM_CAN_BUS_OFF:
            return PANEL_CAN_BUS_OFF;
        case SIM_CAN_STOPPED:
            break;
    }
    return PANEL_CAN_STOPPED;
}

/* The pack's peripherals and plant. */
static void fill_pack(sim_run_pack_t *pk, const sim_node_t *node, panel_node_t *n) {
    const status_leds_t *leds = sim_run_pack_leds(pk);
    for (unsigned i = 0; i < PANEL_LEDS; i++) {
        n->led_lit[i] = status_leds_level(leds, i);
    }
    const ws2812_t *bar = sim_run_pack_bar(pk);
    unsigned pixels = ws2812_count(bar);
    for (unsigned i = 0; i < PANEL_WS2812_PIXELS && i < pixels; i++) {
        n->ws2812_rgb[i] = ws2812_pixel_rgb24(bar, i);
    }
    const tm1637_t *tm = sim_run_pack_display(pk);
    for (unsigned i = 0; i < PANEL_TM1637_REGS; i++) {
        n->tm1637_regs[i] = tm1637_segments(tm, i);
    }
    n->tm1637_digits = 3;
    n->tm1637_on = tm1637_display_on(tm);
    n->tm1637_brightness = tm1637_brightness(tm);
    pack_plant_t *plant = sim_run_pack_plant(pk);
    for (unsigned r = 0; r < PANEL_RELAYS; r++) {
        n->relay_coil[r] = sim_node_gpio(node, (hal_signal_t)(HAL_SIG_RELAY_GRID + r));
        n->relay_closed[r] = relay_connected(pack_plant_relay(plant, r));
    }
    pack_plant_snapshot_t ps;
    pack_plant_snapshot(plant, &ps);
    n->pack_mv = ps.v_pack_mv;
    n->batt_ma = ps.i_batt_ma;
    n->grid_w = ps.p_grid_w;
    n->home_w = ps.p_home_w;
    n->batt_w = ps.p_batt_w;
    n->solar_w = ps.p_pv_w;
    n->pool_w = ps.p_pool_w;
    n->heater_w = ps.p_heater_w;
}

/* A firmware node without models: what its pins drive. */
static void fill_pins(const sim_node_t *node, panel_node_t *n) {
    for (unsigned i = 0; i < PANEL_LEDS; i++) {
        n->led_lit[i] = sim_node_gpio(node, (hal_signal_t)(HAL_SIG_LED_GREEN + i));
    }
    for (unsigned r = 0; r < PANEL_RELAYS; r++) {
        n->relay_coil[r] = sim_node_gpio(node, (hal_signal_t)(HAL_SIG_RELAY_GRID + r));
        n->relay_closed[r] = n->relay_coil[r];
    }
}

/* A node without firmware. Its type comes from the scenario: the Orange Pi never announces, and
 * an Energy-Gateway is a gateway before its first ANN too (the bus view only knows a type once a
 * node has announced, and a node of no known type would be drawn as a pack). The Orange Pi's
 * counters are its model's own. */
static const sim_can_ctrl_t *fill_gateway(const sim_world_t *w, size_t i, panel_node_t *n) {
    const sim_scn_node_t *sn = &w->scn->nodes[i];
    n->state = sim_run_gw_powered(w->gws[i]) ? PANEL_NODE_RUNNING : PANEL_NODE_OFF;
    if (sn->type == SIM_NODE_ENERGY_GATEWAY) {
        n->node_id = sn->egw.node_id;
        n->device_type = PANEL_DEVICE_GATEWAY;
        return sim_run_gw_ctrl(w->gws[i]);
    }
    n->device_type = PANEL_DEVICE_PI;
    gateway_stats_t st;
    gateway_stats(sim_run_gw_gateway(w->gws[i]), &st);
    n->gw.valid = true;
    n->gw.time_sent = st.time_sent;
    n->gw.time_failed = st.time_send_errors;
    n->gw.cmd_sent = st.cmd_sent;
    n->gw.cmd_failed = st.cmd_send_errors;
    n->gw.acks = st.acks;
    n->gw.acks_unmatched = st.acks_unmatched;
    return sim_run_gw_ctrl(w->gws[i]);
}

static void fill_can(const sim_can_ctrl_t *c, panel_node_t *n) {
    n->can_state = can_state(sim_can_ctrl_state(c));
    n->can_tec = sim_can_ctrl_tec(c);
    n->can_rec = sim_can_ctrl_rec(c);
    sim_can_ctrl_stats_t st;
    sim_can_ctrl_stats(c, &st);
    n->can_counts_valid = true;
    n->can_tx_frames = st.tx_ok;
    n->can_rx_frames = st.rx_ok;
}

static void fill_node(const sim_world_t *w, size_t i, panel_node_t *n) {
    const sim_scn_node_t *sn = &w->scn->nodes[i];
    memset(n, 0, sizeof *n);
    snprintf(n->name, sizeof n->name, "%s", sn->name);
    n->node_id = PANEL_NODE_ID_UNKNOWN;
    n->soc_pct = PANEL_SOC_INVALID;
    n->can_unplugged = w->unplugged[i];
    if (w->nodes[i] == NULL) {
        fill_can(fill_gateway(w, i, n), n);
        return;
    }
    int id = sim_assert_node_id(w->asserts, (int)i);
    n->node_id = id >= 0 ? (uint8_t)id : PANEL_NODE_ID_UNKNOWN;
    n->state = node_state(sim_node_state(w->nodes[i]));
    if (w->packs[i] != NULL) {
        fill_pack(w->packs[i], w->nodes[i], n);
    } else {
        fill_pins(w->nodes[i], n);
    }
    fill_can(sim_node_can(w->nodes[i]), n);
}

/* Mains present at every pack (a scenario may cut one pack's grid). */
static bool grid_up(const sim_world_t *w) {
    for (size_t i = 0; i < w->scn->n_nodes; i++) {
        if (w->packs[i] != NULL && !grid_available(pack_plant_grid(sim_run_pack_plant(w->packs[i])),
                                                   sim_kernel_now(w->k))) {
            return false;
        }
    }
    return true;
}

void sim_run_panel_fill(const sim_world_t *w, panel_snapshot_t *s) {
    sim_time_ns_t t = sim_kernel_now(w->k);
    s->t_ns = t;
    snprintf(s->title, sizeof s->title, "%s", w->scn->name);
    calendar_civil_t c;
    calendar_at(&w->scn->env.calendar, t, &c);
    s->date_valid = c.year >= 0 && c.year <= UINT16_MAX;
    s->year = (uint16_t)c.year;
    s->month = c.month;
    s->day = c.day;
    s->hour = c.hour;
    s->minute = c.minute;
    s->second = c.second;
    s->grid_up = grid_up(w);
    s->pv_scale_pct = w->pv_scale_pct;
    s->load_scale_pct = w->load_scale_pct;
    size_t n = w->scn->n_nodes;
    s->n_nodes_total = (uint16_t)n;
    s->n_nodes = (uint8_t)(n < PANEL_NODES_MAX ? n : PANEL_NODES_MAX);
    for (size_t i = 0; i < s->n_nodes; i++) {
        fill_node(w, i, &s->nodes[i]);
    }
    if (w->busview != NULL) {
        sim_run_busview_fill(w->busview, t, s);
    }
}
