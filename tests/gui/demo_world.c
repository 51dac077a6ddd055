/*
 * demo_world.c: the synthetic installation behind the panel demo (see demo_world.h).
 *
 * Each pack's indicators follow the firmware specification's rules so the panel shows the
 * patterns a developer will meet in real runs: lit = ceil(soc * 10 / 100) pixels, red at or
 * below 20 %, a blue pixel sweeping every 100 ms while charging; the display shows the SOC
 * right-aligned and blinks 500/500 ms below 15 %; green blinks 1 s / 1 s on the master, yellow
 * blinks at 1 Hz on a loads-limit warning.
 */
#include "demo_world.h"

#include <stdio.h>
#include <string.h>

#define MS(t_ns) ((t_ns) / 1000000)

static const uint8_t digit_segments[10] = {0x3F, 0x06, 0x5B, 0x4F, 0x66,
                                           0x6D, 0x7D, 0x07, 0x7F, 0x6F};
static const int16_t soc0_table[] = {54, 18, 87, 12, 66, 35, 99, 5, 72, 41};
static const int32_t solar_base_w[] = {2600, 600, 2400, 300, 2200};
static const int32_t home_base_w[] = {900, 1400, 1100, 1600, 1000, 1300};

void demo_world_init(demo_world_t *w, unsigned n_packs, int64_t end_ns) {
    memset(w, 0, sizeof *w);
    w->n_packs = n_packs < 1 ? 1 : (n_packs > DEMO_PACKS_MAX ? DEMO_PACKS_MAX : n_packs);
    w->grid_up = true;
    w->pv_scale_pct = 100;
    w->load_scale_pct = 100;
    w->end_ns = end_ns;
    for (unsigned i = 0; i < w->n_packs; i++) {
        demo_pack_t *p = &w->packs[i];
        p->soc0_pct = soc0_table[i % (sizeof soc0_table / sizeof soc0_table[0])];
        p->mode_mask = PANEL_MODE_SELF | (i % 2 ? PANEL_MODE_ECO : 0u);
        memset(p->relay_override, -1, sizeof p->relay_override);
    }
}

static uint8_t node_id_of(unsigned i) {
    return (uint8_t)(10 + 5 * i);
}

static void apply_command(demo_world_t *w, const panel_input_t *in) {
    for (unsigned i = 0; i < w->n_packs; i++) {
        demo_pack_t *p = &w->packs[i];
        if ((in->target != PANEL_NODE_ID_ALL && in->target != node_id_of(i)) || p->off) {
            continue;
        }
        if (in->can_id >= PANEL_CMD_SET_SELF && in->can_id <= PANEL_CMD_SET_GRID_LIMIT_MODE &&
            in->n_args == 1) {
            uint8_t bit = (uint8_t)(1u << (in->can_id - PANEL_CMD_SET_SELF));
            p->mode_mask =
                in->args[0] ? (uint8_t)(p->mode_mask | bit) : (uint8_t)(p->mode_mask & ~bit);
        } else if (in->can_id == PANEL_CMD_SET_MODE_MASK && in->n_args == 1) {
            p->mode_mask = in->args[0];
        } else if (in->can_id == PANEL_CMD_SET_RELAY && in->n_args == 2 &&
                   in->args[0] < PANEL_RELAYS) {
            p->relay_override[in->args[0]] =
                in->args[1] == PANEL_RELAY_AUTO ? -1 : (int8_t)(in->args[1] != 0);
        }
    }
}

void demo_world_apply(demo_world_t *w, const panel_input_t *in, int64_t t_ns) {
    demo_pack_t *p =
        (in->node >= 0 && (unsigned)in->node < w->n_packs) ? &w->packs[in->node] : NULL;
    switch (in->kind) {
        case PANEL_IN_COMMAND:
            apply_command(w, in);
            break;
        case PANEL_IN_POWER_CYCLE:
            if (p) {
                p->off_until_ns = t_ns + 1000000000LL;
                p->hung = false;
                memset(p->relay_override, -1, sizeof p->relay_override); /* RAM is gone */
            }
            break;
        case PANEL_IN_POWER:
            if (p) {
                p->off = !in->on;
                p->hung = false;
            }
            break;
        case PANEL_IN_HANG:
            if (p) {
                p->hung = true;
            }
            break;
        case PANEL_IN_CAN_UNPLUG:
            if (p) {
                p->unplugged = in->on;
            }
            break;
        case PANEL_IN_GRID:
            w->grid_up = in->on;
            break;
        case PANEL_IN_PV_SCALE:
            w->pv_scale_pct = in->scale_pct;
            break;
        case PANEL_IN_LOAD_SCALE:
            w->load_scale_pct = in->scale_pct;
            break;
        default:
            break;
    }
}

static void fill_display(panel_node_t *n, int soc, int64_t t_ns) {
    n->tm1637_digits = 3;
    n->tm1637_on = true;
    n->tm1637_brightness = 7;
    memset(n->tm1637_regs, 0, sizeof n->tm1637_regs);
    if (soc < 15 && (MS(t_ns) / 500) % 2 == 1) {
        return; /* the off half of the 1 Hz blink: blank digits */
    }
    int v = soc, pos = 2;
    do {
        n->tm1637_regs[pos--] = digit_segments[v % 10];
        v /= 10;
    } while (v > 0 && pos >= 0);
}

static void fill_bar(panel_node_t *n, int soc, bool charging, int64_t t_ns) {
    int lit = (soc * PANEL_WS2812_PIXELS + 99) / 100;
    uint32_t colour = soc <= 20 ? 0xFF0000u : 0x00FF00u;
    for (int i = 0; i < PANEL_WS2812_PIXELS; i++) {
        n->ws2812_rgb[i] = i < lit ? colour : 0u;
    }
    if (charging) {
        int sweep = (int)((MS(t_ns) / 100) % (lit > 0 ? lit : 1));
        n->ws2812_rgb[sweep] = 0x0000FFu;
    }
}

static void fill_power(const demo_world_t *w, unsigned i, int64_t t_ns, panel_node_t *n) {
    const int64_t t_s = t_ns / 1000000000LL;
    int32_t tri = (int32_t)(t_s % 120 < 60 ? t_s % 120 : 120 - t_s % 120); /* 0..60..0 */
    int32_t solar = solar_base_w[i % 5] * (60 + (int32_t)tri * 2 / 3) / 100;
    n->solar_w = solar * w->pv_scale_pct / 100;
    n->pool_w = n->relay_closed[PANEL_RELAY_POOL] ? 750 : 0;
    n->heater_w = n->relay_closed[PANEL_RELAY_HEATER] && (t_s / 45 + i) % 2 ? 2000 : 0;
    int32_t base = home_base_w[i % 6] + 200 * (int32_t)((t_s / 17 + i) % 3);
    n->home_w = base * w->load_scale_pct / 100 + n->pool_w + n->heater_w;
    n->batt_w = (n->solar_w - n->home_w) * 7 / 10;
    n->batt_w = n->batt_w > 3000 ? 3000 : (n->batt_w < -3000 ? -3000 : n->batt_w);
    if (!w->grid_up) {
        n->batt_w = n->solar_w - n->home_w; /* islanded: the battery covers everything */
    }
    n->grid_w = w->grid_up ? n->home_w + n->batt_w - n->solar_w : 0;
    n->pack_mv = 48000 + n->soc_pct * 60 + n->batt_w / 4;
    n->batt_ma = (int32_t)((int64_t)n->batt_w * 1000000 / n->pack_mv);
}

/* Eco sheds the pool pump for 30 s out of every 2 minutes (a stand-in for a real load limit). */
static bool eco_shedding(const demo_world_t *w, unsigned i, int64_t t_ns) {
    return (w->packs[i].mode_mask & PANEL_MODE_ECO) && (t_ns / 30000000000LL + i) % 4 == 0;
}

static void fill_relays(const demo_world_t *w, unsigned i, int64_t t_ns, panel_node_t *n) {
    const demo_pack_t *p = &w->packs[i];
    bool shed = eco_shedding(w, i, t_ns);
    bool automatic[PANEL_RELAYS] = {w->grid_up, true, !shed, true};
    for (unsigned r = 0; r < PANEL_RELAYS; r++) {
        bool closed = p->relay_override[r] < 0 ? automatic[r] : p->relay_override[r] == 1;
        n->relay_coil[r] = closed;
        n->relay_closed[r] = closed;
    }
}

static void fill_pack(demo_world_t *w, unsigned i, int64_t t_ns, bool master, panel_node_t *n) {
    const demo_pack_t *p = &w->packs[i];
    snprintf(n->name, sizeof n->name, "pack%u", i + 1);
    n->node_id = node_id_of(i);
    n->device_type = PANEL_DEVICE_PACK;
    n->mode_mask = p->mode_mask;
    n->can_state = p->unplugged ? PANEL_CAN_ERROR_PASSIVE : PANEL_CAN_ERROR_ACTIVE;
    n->can_unplugged = p->unplugged;
    n->can_tec = p->unplugged ? 128 : 0;
    n->state = p->hung ? PANEL_NODE_HUNG : PANEL_NODE_RUNNING;
    if (p->off || t_ns < p->off_until_ns) {
        n->state = PANEL_NODE_OFF;
        n->can_state = PANEL_CAN_STOPPED;
        n->soc_pct = PANEL_SOC_INVALID;
        return;
    }
    n->is_master = master;
    int64_t t_s = t_ns / 1000000000LL;
    n->soc_pct = (int16_t)(p->soc0_pct + (p->soc0_pct < 50 ? 0 : t_s / 120));
    n->soc_pct = n->soc_pct > 100 ? 100 : n->soc_pct;
    fill_relays(w, i, t_ns, n);
    fill_power(w, i, t_ns, n);
    bool warn = eco_shedding(w, i, t_ns) && n->home_w > 1800;
    n->warn_mask = warn ? PANEL_WARN_LOADS_LIMIT : 0;
    n->led_lit[PANEL_LED_GREEN] = !master || (MS(t_ns) / 1000) % 2 == 0;
    n->led_lit[PANEL_LED_YELLOW] = warn && (MS(t_ns) / 500) % 2 == 0;
    n->led_lit[PANEL_LED_RED] = p->unplugged;
    fill_display(n, n->soc_pct, t_ns);
    fill_bar(n, n->soc_pct, n->batt_ma > 500, t_ns);
}

static void fill_bus(const demo_world_t *w, int64_t t_ns, panel_snapshot_t *s) {
    panel_bus_t *bus = &s->bus;
    snprintf(bus->name, sizeof bus->name, "can0");
    bus->bitrate_bps = 500000;
    bus->frames_per_s = 2u * w->n_packs + 1u;
    bus->load_ppm = bus->frames_per_s * 222u; /* ~111 bits at 2 us */
    bus->frames_total = (uint64_t)(t_ns / 1000000000LL) * bus->frames_per_s;
    int64_t slot = MS(t_ns) / 250;
    for (int64_t k = slot - PANEL_FRAME_LINES + 1; k <= slot; k++) {
        if (k < 0) {
            continue;
        }
        unsigned i = (unsigned)(k % (int64_t)w->n_packs) % PANEL_NODES_MAX,
                 page = (unsigned)(k / 3 % 4);
        const panel_node_t *n = &s->nodes[i < s->n_nodes ? i : 0];
        char text[PANEL_LINE_MAX];
        snprintf(text, sizeof text, "%6lld.%03lld %03X TEL p%u %-6s SOC %d %%  %ld W",
                 (long long)(k / 4), (long long)(k % 4 * 250), 0x100u + n->node_id, page, n->name,
                 (int)n->soc_pct, (long)n->batt_w);
        panel_snapshot_push_line(bus, text);
    }
}

void demo_world_snapshot(demo_world_t *w, int64_t t_ns, panel_snapshot_t *s) {
    memset(s, 0, sizeof *s);
    snprintf(s->title, sizeof s->title, "demo: %u packs, Eco on the even ones", w->n_packs);
    s->view = w->replay ? PANEL_VIEW_REPLAY : PANEL_VIEW_RUN;
    s->t_ns = t_ns;
    s->end_ns = w->end_ns;
    s->speed_milli = 1000; /* the caller sets the speed in effect */
    s->finished = w->end_ns > 0 && t_ns >= w->end_ns;
    s->grid_up = w->grid_up;
    s->pv_scale_pct = w->pv_scale_pct;
    s->load_scale_pct = w->load_scale_pct;
    int64_t local_s = 10 * 3600 + t_ns / 1000000000LL; /* 2024-06-01 10:00:00 at t = 0 */
    s->date_valid = true;
    s->year = 2024;
    s->month = 6;
    s->day = (uint8_t)(1 + local_s / 86400);
    s->hour = (uint8_t)(local_s / 3600 % 24);
    s->minute = (uint8_t)(local_s / 60 % 60);
    s->second = (uint8_t)(local_s % 60);
    s->n_nodes_total = (uint16_t)w->n_packs;
    s->n_nodes = (uint8_t)(w->n_packs > PANEL_NODES_MAX ? PANEL_NODES_MAX : w->n_packs);
    int master = -1;
    for (unsigned i = 0; i < w->n_packs; i++) {
        const demo_pack_t *p = &w->packs[i];
        if (!p->off && !p->hung && !p->unplugged && t_ns >= p->off_until_ns) {
            master = (int)i; /* the highest NodeID among live packs */
        }
    }
    for (unsigned i = 0; i < s->n_nodes; i++) {
        fill_pack(w, i, t_ns, (int)i == master, &s->nodes[i]);
    }
    fill_bus(w, t_ns, s);
}
