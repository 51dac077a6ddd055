/*
 * sim_run_pack.c: one Energy-Pack's world behind its firmware node (see sim_run_pack.h).
 *
 * Edges from the node carry their edge time, which may lie a little ahead of virtual time (a
 * bit-banged burst "plays" after the entry point that wrote it). Peripheral models take edges in
 * time order, so they are fed at once; what goes to the trace and to the assertion engine is
 * deferred to a kernel event at the edge time, because both require time never to go backwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_run_pack.h"

enum { DEFER_LED = 1, DEFER_DISPLAY, DEFER_BAR };

struct sim_run_pack {
    sim_kernel_t *k;
    int index;
    char name[SIM_SCN_NAME_MAX];
    sim_trace_t *trace;
    sim_assert_t *asserts;
    sim_node_t *node;
    pack_plant_t *plant;
    sim_uart_line_t *line;
    bms_modbus_t *bms;
    bms_fault_t initial_fault;
    tm1637_t *tm;
    ws2812_t *bar;
    status_leds_t *leds;
    struct {
        sim_ct_fault_t fault;
        double sd_counts;
        uint16_t stuck_counts;
        double bias_counts;
    } ct[PACK_CTS];
    sim_prng_t ct_noise;
    uint64_t display_state; /* segments 0..2, on, brightness, as last fed */
    bool tm_clk, tm_dio;    /* TM1637 line levels, to find STOP conditions */
    uint32_t bar_rgb[SIM_ASSERT_PIXELS];
    uint32_t bar_pending[SIM_ASSERT_PIXELS];
    unsigned bar_n;
    uint64_t bar_summary; /* lit, colour, sweep, as last traced */
    uint8_t relay_mask;
    sim_time_ns_t next_sample_ns;
    bool vcd;
    sim_vcd_sig_t v_contact[PACK_RELAYS], v_display, v_display_on, v_bar_lit, v_bar_colour,
        v_bar_sweep, v_grid_up;
    sim_vcd_sig_t v_q[11];
};

static const char *const relay_names[PACK_RELAYS] = {"contact_grid", "contact_inverter",
                                                     "contact_pool", "contact_heater"};
static const char *const quantity_names[11] = {
    "soc_pct", "v_pack_v", "i_batt_a",   "p_grid_w",       "p_home_w",     "p_batt_w",
    "p_pv_w",  "p_pool_w", "p_heater_w", "grid_import_wh", "heater_temp_c"};

/* ---- trace ---------------------------------------------------------------------------------- */

static int declare(sim_run_pack_t *p) {
    int rc = 0;
    for (unsigned i = 0; i < PACK_RELAYS && rc == 0; i++) {
        rc = sim_trace_vcd_declare(p->trace, p->name, relay_names[i], 1, 0, &p->v_contact[i]);
    }
    for (unsigned i = 0; i < 11 && rc == 0; i++) {
        rc = sim_trace_vcd_declare(p->trace, p->name, quantity_names[i], 0, 0, &p->v_q[i]);
    }
    if (rc == 0) {
        rc = sim_trace_vcd_declare(p->trace, p->name, "display_segments", 24, 0, &p->v_display);
    }
    if (rc == 0) {
        rc = sim_trace_vcd_declare(p->trace, p->name, "display_on", 1, 0, &p->v_display_on);
    }
    if (rc == 0) {
        rc = sim_trace_vcd_declare(p->trace, p->name, "bar_lit", 8, 0, &p->v_bar_lit);
    }
    if (rc == 0) {
        rc = sim_trace_vcd_declare(p->trace, p->name, "bar_colour", 24, 0, &p->v_bar_colour);
    }
    if (rc == 0) {
        rc = sim_trace_vcd_declare(p->trace, p->name, "bar_sweep", 1, 0, &p->v_bar_sweep);
    }
    if (rc == 0) {
        rc = sim_trace_vcd_declare(p->trace, p->name, "grid_up", 1, 1, &p->v_grid_up);
    }
    return rc;
}

static void sample_quantities(sim_run_pack_t *p, const pack_plant_snapshot_t *s, sim_time_ns_t t) {
    const double q[11] = {s->soc_permille / 10.0,    s->v_pack_mv / 1000.0,
                          s->i_batt_ma / 1000.0,     (double)s->p_grid_w,
                          (double)s->p_home_w,       (double)s->p_batt_w,
                          (double)s->p_pv_w,         (double)s->p_pool_w,
                          (double)s->p_heater_w,     (double)(s->grid_import_mj / 3600) / 1000.0,
                          s->heater_temp_mc / 1000.0};
    for (unsigned i = 0; i < 11; i++) {
        sim_trace_vcd_set_real(p->trace, p->v_q[i], t, q[i]);
    }
}

/* After every physics step: relay contacts (exact, at step resolution), quantities (sampled). */
static void on_step(void *ctx, const pack_plant_t *plant, sim_time_ns_t t) {
    sim_run_pack_t *p = ctx;
    /* The full snapshot only when the quantities are sampled: every step needs just these two. */
    uint8_t relay_mask = pack_plant_relay_mask(plant);
    if (p->vcd) {
        if (relay_mask != p->relay_mask) {
            for (unsigned i = 0; i < PACK_RELAYS; i++) {
                sim_trace_vcd_set(p->trace, p->v_contact[i], t, (relay_mask >> i) & 1u);
            }
        }
        sim_trace_vcd_set(p->trace, p->v_grid_up, t, pack_plant_grid_up(plant));
        if (t >= p->next_sample_ns) {
            pack_plant_snapshot_t s;
            pack_plant_snapshot(plant, &s);
            sample_quantities(p, &s, t);
            p->next_sample_ns = t + SIM_RUN_PACK_SAMPLE_NS;
        }
    }
    p->relay_mask = relay_mask;
    if (p->asserts != NULL) {
        sim_assert_changed(p->asserts);
    }
}

/* ---- deferred observations (at the edge time) ------------------------------------------------ */

static void display_text(uint64_t state, char out[4]) {
    bool on = (state >> 24) & 1u;
    for (unsigned i = 0; i < 3; i++) {
        out[i] = on ? tm1637_char((uint8_t)(state >> (8 * i))) : ' ';
    }
    out[3] = '\0';
}

static void on_display_due(sim_kernel_t *k, void *ctx, uint64_t state) {
    sim_run_pack_t *p = ctx;
    sim_time_ns_t t = sim_kernel_now(k);
    if (p->vcd) {
        sim_trace_vcd_set(p->trace, p->v_display, t, state & 0xFFFFFFu);
        sim_trace_vcd_set(p->trace, p->v_display_on, t, (state >> 24) & 1u);
    }
    if (p->asserts != NULL) {
        char text[4];
        display_text(state, text);
        sim_assert_on_display(p->asserts, p->index, text, t);
    }
}

static void on_led_due(sim_kernel_t *k, void *ctx, uint64_t arg) {
    sim_run_pack_t *p = ctx;
    unsigned led = (unsigned)(arg >> 1);
    bool lit = arg & 1u;
    status_leds_set(p->leds, led, lit, sim_kernel_now(k));
    if (p->asserts != NULL) {
        sim_assert_on_led(p->asserts, p->index, led, lit, sim_kernel_now(k));
    }
}

/* The bar as a person describes it: how many pixels are lit, in which colour, with or without
 * the blue charging sweep. The sweep's position is not traced (it moves every 100 ms). */
static uint64_t bar_summary(const uint32_t *rgb, unsigned n) {
    unsigned lit = 0;
    uint32_t colour = 0;
    bool sweep = false;
    for (unsigned i = 0; i < n; i++) {
        if (rgb[i] == 0) {
            continue;
        }
        lit++;
        if ((rgb[i] & 0xFFFF00u) == 0 && (rgb[i] & 0xFFu) != 0) {
            sweep = true; /* pure blue */
        } else {
            colour = rgb[i];
        }
    }
    return (uint64_t)lit | (uint64_t)colour << 8 | (uint64_t)sweep << 32;
}

static void on_bar_due(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)arg;
    sim_run_pack_t *p = ctx;
    sim_time_ns_t t = sim_kernel_now(k);
    if (memcmp(p->bar_rgb, p->bar_pending, p->bar_n * sizeof p->bar_rgb[0]) == 0) {
        return;
    }
    memcpy(p->bar_rgb, p->bar_pending, p->bar_n * sizeof p->bar_rgb[0]);
    uint64_t summary = bar_summary(p->bar_rgb, p->bar_n);
    if (p->vcd && summary != p->bar_summary) {
        sim_trace_vcd_set(p->trace, p->v_bar_lit, t, summary & 0xFFu);
        sim_trace_vcd_set(p->trace, p->v_bar_colour, t, (summary >> 8) & 0xFFFFFFu);
        sim_trace_vcd_set(p->trace, p->v_bar_sweep, t, (summary >> 32) & 1u);
    }
    p->bar_summary = summary;
    if (p->asserts != NULL) {
        sim_assert_on_pixels(p->asserts, p->index, p->bar_rgb, p->bar_n, t);
    }
}

/* ---- the node's pins ------------------------------------------------------------------------ */

static uint64_t display_state(const tm1637_t *tm) {
    uint64_t s = 0;
    for (unsigned i = 0; i < 3; i++) {
        s |= (uint64_t)tm1637_segments(tm, i) << (8 * i);
    }
    s |= (uint64_t)tm1637_display_on(tm) << 24;
    s |= (uint64_t)(tm1637_brightness(tm) & 7u) << 25;
    return s;
}

static void pin_edge(void *ctx, sim_node_t *n, hal_signal_t sig, bool level, sim_time_ns_t t) {
    (void)n;
    sim_run_pack_t *p = ctx;
    switch (sig) {
        case HAL_SIG_RELAY_GRID:
        case HAL_SIG_RELAY_INVERTER:
        case HAL_SIG_RELAY_POOL:
        case HAL_SIG_RELAY_HEATER:
            relay_drive(pack_plant_relay(p->plant, (unsigned)sig), level, t);
            break;
        case HAL_SIG_LED_GREEN:
        case HAL_SIG_LED_YELLOW:
        case HAL_SIG_LED_RED:
            sim_kernel_schedule(p->k, t, SIM_PRIO_OBSERVE, on_led_due, p,
                                (uint64_t)(sig - HAL_SIG_LED_GREEN) << 1 | level);
            break;
        case HAL_SIG_TM1637_CLK:
        case HAL_SIG_TM1637_DIO: {
            tm1637_on_edge(p->tm, sig == HAL_SIG_TM1637_CLK ? TM1637_CLK : TM1637_DIO, level, t);
            /* A display update is several transactions (data command, address + digits,
             * display control); what a person sees is the state after a STOP condition (DIO
             * rising while CLK is high), not the half-written registers in between. */
            bool stop = sig == HAL_SIG_TM1637_DIO && level && p->tm_clk && !p->tm_dio;
            if (sig == HAL_SIG_TM1637_CLK) {
                p->tm_clk = level;
            } else {
                p->tm_dio = level;
            }
            uint64_t s = stop ? display_state(p->tm) : p->display_state;
            if (s != p->display_state) {
                p->display_state = s;
                sim_kernel_schedule(p->k, t, SIM_PRIO_OBSERVE, on_display_due, p, s);
            }
            break;
        }
        case HAL_SIG_COUNT:
            break;
    }
}

static bool pin_input(void *ctx, sim_node_t *n, hal_signal_t sig, sim_time_ns_t t) {
    (void)n;
    (void)t;
    const sim_run_pack_t *p = ctx;
    return sig != HAL_SIG_TM1637_DIO || tm1637_dio_input(p->tm);
}

static void apply_ct_fault(sim_run_pack_t *p, unsigned ct, uint16_t *s, uint16_t n) {
    for (uint16_t i = 0; i < n; i++) {
        double v = s[i];
        switch (p->ct[ct].fault) {
            case SIM_CT_FAULT_DROPOUT:
                v = p->ct[ct].bias_counts;
                break;
            case SIM_CT_FAULT_NOISE:
                v += sim_prng_gauss(&p->ct_noise) * p->ct[ct].sd_counts;
                break;
            case SIM_CT_FAULT_STUCK:
                v = p->ct[ct].stuck_counts;
                break;
            case SIM_CT_FAULT_NONE:
                break;
        }
        v = v < 0.0 ? 0.0 : v > CT_SENSOR_ADC_MAX ? CT_SENSOR_ADC_MAX : v + 0.5;
        s[i] = (uint16_t)v;
    }
}

static void adc_burst(void *ctx, sim_node_t *n, const hal_adc_burst_cfg_t *cfg, sim_time_ns_t t0,
                      uint16_t *samples) {
    (void)n;
    sim_run_pack_t *p = ctx;
    pack_plant_fill_adc(p->plant, cfg->sample_rate_hz, cfg->samples_per_channel, cfg->channel_mask,
                        t0, samples);
    uint16_t *block = samples;
    for (unsigned ct = 0; ct < PACK_CTS; ct++) {
        if (cfg->channel_mask & (1u << ct)) {
            if (p->ct[ct].fault != SIM_CT_FAULT_NONE) {
                apply_ct_fault(p, ct, block, cfg->samples_per_channel);
            }
            block += cfg->samples_per_channel;
        }
    }
}

static void ws2812(void *ctx, sim_node_t *n, const uint8_t *grb, size_t len, sim_time_ns_t t) {
    (void)n;
    sim_run_pack_t *p = ctx;
    ws2812_write(p->bar, grb, len);
    p->bar_n = ws2812_count(p->bar);
    for (unsigned i = 0; i < p->bar_n; i++) {
        p->bar_pending[i] = ws2812_pixel_rgb24(p->bar, i);
    }
    sim_kernel_schedule(p->k, t, SIM_PRIO_OBSERVE, on_bar_due, p, 0);
}

/* ---- lifecycle ------------------------------------------------------------------------------- */

static int create_peripherals(sim_run_pack_t *p, const sim_scn_board_t *board) {
    tm1637_cfg_t tc;
    tm1637_cfg_default(&tc);
    status_leds_cfg_t lc;
    status_leds_cfg_default(&lc);
    unsigned pixels = board != NULL ? board->ws2812_pixels : 10;
    int rc = tm1637_create(&tc, &p->tm);
    if (rc == 0) {
        rc = ws2812_create(pixels > SIM_ASSERT_PIXELS ? SIM_ASSERT_PIXELS : pixels, &p->bar);
    }
    if (rc == 0) {
        rc = status_leds_create(&lc, &p->leds);
    }
    return rc;
}

static int create_line_and_bms(sim_run_pack_t *p, const sim_scn_pack_t *cfg) {
    char line_name[SIM_SCN_NAME_MAX + 8];
    snprintf(line_name, sizeof line_name, "%s.rs485", p->name);
    sim_uart_line_cfg_t uc = {.name = line_name, .baud = 9600};
    int rc = sim_uart_line_create(p->k, &uc, &p->line);
    if (rc != 0) {
        return rc;
    }
    bms_modbus_cfg_t bc = cfg->bms;
    bc.name = p->name;
    rc = bms_modbus_create(p->k, &bc, pack_plant_battery(p->plant), p->line, &p->bms);
    if (rc == 0 && cfg->bms_fault != BMS_FAULT_NONE) {
        bms_modbus_set_fault(p->bms, cfg->bms_fault);
    }
    return rc;
}

int sim_run_pack_create(const sim_run_pack_cfg_t *cfg, sim_run_pack_t **out, char *err,
                        size_t errlen) {
    const sim_scn_node_t *sn = cfg->scn_node;
    SIM_ASSERT(sn->type == SIM_NODE_PACK && sn->pack != NULL);
    sim_run_pack_t *p = calloc(1, sizeof *p);
    if (p == NULL) {
        return -SIM_ENOMEM;
    }
    p->k = cfg->k;
    p->index = cfg->index;
    p->trace = cfg->trace;
    p->asserts = cfg->asserts;
    snprintf(p->name, sizeof p->name, "%s", sn->name);
    pack_plant_cfg_t pc = sn->pack->plant;
    pc.name = p->name;
    pc.on_step = on_step;
    pc.on_step_ctx = p;
    for (unsigned i = 0; i < PACK_CTS; i++) {
        p->ct[i].bias_counts = pc.ct[i].bias_counts + pc.ct[i].offset_error_counts;
    }
    char stream[SIM_SCN_NAME_MAX + 16];
    snprintf(stream, sizeof stream, "ct.%s.fault", p->name);
    sim_kernel_prng(p->k, stream, &p->ct_noise);
    int rc = pack_plant_create(p->k, &pc, &p->plant);
    if (rc == 0) {
        rc = create_line_and_bms(p, sn->pack);
    }
    if (rc == 0) {
        rc = create_peripherals(p, cfg->board);
    }
    if (rc == 0 && p->trace != NULL) {
        rc = declare(p);
        p->vcd = rc == 0;
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s: error: cannot build the pack's plant: %s", sn->name,
                 sim_strerror(rc));
        sim_run_pack_destroy(p);
        return rc;
    }
    *out = p;
    return 0;
}

sim_uart_line_t *sim_run_pack_line(sim_run_pack_t *p) {
    return p->line;
}

int sim_run_pack_attach(sim_run_pack_t *p, sim_node_t *node) {
    p->node = node;
    sim_node_binding_t b = {
        .ctx = p,
        .gpio_edge = pin_edge,
        .gpio_input = pin_input,
        .adc_burst = adc_burst,
        .ws2812 = ws2812,
    };
    sim_node_bind(node, &b);
    return pack_plant_start(p->plant);
}

void sim_run_pack_destroy(sim_run_pack_t *p) {
    if (p == NULL) {
        return;
    }
    /* The node is destroyed first (it owns the UART port on the line), so it is not touched. */
    bms_modbus_destroy(p->bms);
    if (p->line != NULL) {
        sim_uart_line_destroy(p->line);
    }
    tm1637_destroy(p->tm);
    ws2812_destroy(p->bar);
    status_leds_destroy(p->leds);
    pack_plant_destroy(p->plant);
    free(p);
}

pack_plant_t *sim_run_pack_plant(sim_run_pack_t *p) {
    return p->plant;
}

bms_modbus_t *sim_run_pack_bms(sim_run_pack_t *p) {
    return p->bms;
}

const tm1637_t *sim_run_pack_display(const sim_run_pack_t *p) {
    return p->tm;
}

const ws2812_t *sim_run_pack_bar(const sim_run_pack_t *p) {
    return p->bar;
}

const status_leds_t *sim_run_pack_leds(const sim_run_pack_t *p) {
    return p->leds;
}

void sim_run_pack_ct_fault(sim_run_pack_t *p, unsigned ct, sim_ct_fault_t fault,
                           double noise_sd_counts, uint16_t stuck_counts) {
    if (ct < PACK_CTS) {
        p->ct[ct].fault = fault;
        p->ct[ct].sd_counts = noise_sd_counts;
        p->ct[ct].stuck_counts = stuck_counts;
    }
}
