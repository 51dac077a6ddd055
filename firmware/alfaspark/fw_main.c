/*
 * fw_main.c: the HAL entry points of the Alfaspark firmware core and the 2 s control tick.
 *
 * Timers (all HAL timers, delivered one at a time through fw_on_timer):
 *
 *   FW_TIMER_TICK     periodic 2 s: the control tick; the first one runs inside fw_init
 *   FW_TIMER_SUBTICK  periodic 100 ms: indicator animations, event pacing, ANN replies
 *   FW_TIMER_MODBUS   one-shot 100 ms: BMS response timeout (modbus.c)
 *   FW_TIMER_ADC      one-shot, armed by each tick so that the 200 ms CT window ends 50 ms
 *                     before the next tick:
 *
 *     tick ─────────────── 1750 ms ──────────[ CT burst 200 ms ]── 50 ms ── tick
 *
 * Each tick runs the steps of spec §4 in order: BMS, CT, powers/solar/SOC, grid energy (+ mode
 * rules), one arbitration pass, election housekeeping, indicators, CAN transmit, watchdog feed.
 */
#include <string.h>

#include "fw_state.h"
#include "hal.h"
#include "measure.h"
#include "modes.h"
#include "node.h"

fw_state_t fw_state;

/* ---- tick steps ----------------------------------------------------------------------------- */

static void step_bms(fw_state_t *s, uint64_t now) {
    fw_bms_tick(&s->bms, now);
    if (s->bms.alarm_bits != 0u && s->bms.alarm_bits != s->alarm_reported) {
        fw_event_post(FW_EVT_BMS_ALARM, &s->bms.alarm_bits, 1);
    }
    s->alarm_reported = s->bms.alarm_bits;
}

static void step_ct(fw_state_t *s) {
    if (s->ct_window_new) {
        memcpy(s->ct_ma, s->ct_window_ma, sizeof s->ct_ma);
        s->ct_window_new = false;
    } else if (s->ticks > 1u) {
        s->ct_windows_missed++; /* keep the last window's currents */
    }
}

static void step_measure(fw_state_t *s) {
    s->grid_w = fw_power_w_from_ma(s->ct_ma[0]);
    s->home_w = fw_power_w_from_ma(s->ct_ma[1]);
    s->pool_w = fw_power_w_from_ma(s->ct_ma[2]);
    s->heater_w = fw_power_w_from_ma(s->ct_ma[3]);
    s->soc_valid = s->bms.valid;
    s->soc_pct = s->bms.valid ? fw_soc_pct_from_mv((uint32_t)s->bms.pack_dv * 100u) : 0u;
    /* Unknown battery flow counts as idle; TEL page 0 still carries the last good V and I. */
    s->batt_w = s->bms.valid ? fw_batt_power_w(s->bms.pack_dv, s->bms.batt_ca) : 0;
    s->charging = s->bms.valid && s->bms.batt_ca > FW_CHARGING_MIN_CA;
    s->solar_w = fw_solar_w(s->home_w, s->grid_w, s->batt_w);
}

static void step_grid(fw_state_t *s, uint64_t now, uint64_t dt_ms) {
    fw_grid_integrate(&s->grid, s->grid_w, dt_ms);
    FW_MUT_PERSIST_E_GRID(s, now, dt_ms);
    bool valid = fw_clock_valid(&s->clock, now);
    if (valid) {
        (void)fw_grid_daily(&s->grid, true, fw_clock_minute_of_day(&s->clock, now),
                            fw_clock_day(&s->clock, now));
    }
    (void)fw_grid_fallback(&s->grid, now);
    bool on = (s->set.mode_mask & FW_MODE_GRIDLIMIT) != 0u;
    if (fw_grid_check_trip(&s->grid, on, s->set.grid_limit_kwh, now)) {
        fw_event_post(FW_EVT_GRID_LIMIT, &s->set.grid_limit_kwh, 1);
        hal_log(HAL_LOG_WARN, "grid limit %u kWh exhausted: grid relay held open",
                s->set.grid_limit_kwh);
    }
}

static void step_modes(fw_state_t *s) {
    if (s->set.mode_mask & FW_MODE_SC) {
        s->sc_connected = fw_sc_update(s->sc_connected, s->soc_valid, s->soc_pct, s->set.sc_low_pct,
                                       s->set.sc_high_pct);
    }
    if (s->set.mode_mask & FW_MODE_ECO) {
        fw_eco_input_t in = {s->home_w, s->pool_w, s->heater_w};
        if (fw_eco_step(&s->eco, s->set.eco_limit_w, &in)) {
            uint8_t args[2] = {(uint8_t)(s->set.eco_limit_w >> 8),
                               (uint8_t)(s->set.eco_limit_w & 0xFFu)};
            fw_event_post(FW_EVT_LOADS_LIMIT, args, 2);
            hal_log(HAL_LOG_WARN, "loads limit: every load shed, still above %u W",
                    s->set.eco_limit_w);
        }
    }
}

static void step_election(fw_state_t *s, uint64_t now) {
    fw_election_expire(&s->el, now);
    fw_election_recompute(&s->el, now);
    if (s->el.master_id != s->master_logged) {
        s->master_logged = s->el.master_id;
        hal_log(HAL_LOG_INFO, "master: NodeID %u", s->el.master_id);
    }
    if (now - s->el.last_ann_ms >= FW_ANN_PERIOD_MS) {
        s->el.last_ann_ms = now;
        fw_node_send_ann();
    }
}

static void schedule_ct_window(fw_state_t *s) {
    uint32_t delay_ms = FW_TICK_MS - FW_ADC_WINDOW_MS - FW_ADC_MARGIN_MS;
    if (hal_timer_start(FW_TIMER_ADC, delay_ms * 1000u, false) != HAL_OK) {
        s->adc_start_failures++;
    }
}

static void control_tick(void) {
    fw_state_t *s = &fw_state;
    uint64_t now = hal_now_ms();
    uint64_t dt_ms = s->ticked ? now - s->last_tick_ms : 0u; /* measured, not assumed */
    s->ticked = true;
    s->last_tick_ms = now;
    s->last_dt_ms = dt_ms;
    s->ticks++;

    step_bms(s, now);
    step_ct(s);
    step_measure(s);
    step_grid(s, now, dt_ms);
    step_modes(s);
    fw_arb_input_t in;
    fw_node_arb_input(&in);
    fw_arbitrate_apply(&in, &s->relays);
    step_election(s, now);
    fw_node_indicators(false);
    fw_can_service(&s->can, now);
    if (s->can.announce_due) {
        s->can.announce_due = false;
        fw_node_send_ann(); /* the controller came up late: the boot ANN was lost */
    }
    fw_node_send_tel_pages();
    if (s->el.is_master) {
        fw_node_send_aggregates();
    }
    schedule_ct_window(s);
    hal_wdt_feed();
}

static void sub_tick(void) {
    fw_state_t *s = &fw_state;
    uint64_t now = hal_now_ms();
    s->subticks++;
    fw_node_indicators(true);
    fw_node_service_events(now);
    fw_node_service_ann_reply(now);
}

static void start_ct_burst(fw_state_t *s) {
    hal_adc_burst_cfg_t cfg = {
        .sample_rate_hz = FW_ADC_RATE_HZ,
        .samples_per_channel = (uint16_t)(FW_ADC_RATE_HZ * FW_ADC_WINDOW_MS / 1000u),
        .channel_mask = (uint8_t)((1u << FW_CT_CHANNELS) - 1u),
    };
    if (hal_adc_burst_start(&cfg) != HAL_OK) {
        s->adc_start_failures++;
    }
}

/* ---- entry points --------------------------------------------------------------------------- */

static void boot_banner(const fw_state_t *s) {
    hal_log(HAL_LOG_INFO, "=== %s v%u.%u ===", FW_NAME, (unsigned)FW_VERSION_MAJOR,
            (unsigned)FW_VERSION_MINOR);
    hal_log(HAL_LOG_INFO, "NodeID %u, DeviceType %s (%u)", s->el.self_id,
            FW_DEVICE_TYPE == FW_DEVICE_GATEWAY ? "Energy-Gateway" : "Energy-Pack",
            (unsigned)FW_DEVICE_TYPE);
}

void fw_init(void) {
    memset(&fw_state, 0, sizeof fw_state);
    fw_state_t *s = &fw_state;
    uint64_t now = hal_now_ms();
    s->boot_ms = now;
    s->master_logged = 0xFFu;
    (void)hal_wdt_start(FW_WDT_TIMEOUT_MS);
    hal_efuse_mac(s->mac);
    uint8_t node_id = fw_settings_node_id(s->mac);
    fw_settings_load(&s->set);
    fw_relays_init(&s->relays);
    s->sc_connected = true;
    fw_grid_boot(&s->grid, (s->set.mode_mask & FW_MODE_GRIDLIMIT) != 0u, now);
    fw_election_init(&s->el, node_id, FW_DEVICE_TYPE, fw_mac_tail(s->mac), now);
    boot_banner(s);
    if (FW_MUT_WDT_REPORTED && hal_reset_reason() == HAL_RESET_WATCHDOG) {
        fw_event_post(FW_EVT_WDT_RESET, NULL, 0);
    }
    fw_can_init(&s->can, now);
    (void)hal_uart_open(FW_MB_BAUD);
    fw_node_send_ann(); /* the boot ANN */
    (void)hal_timer_start(FW_TIMER_TICK, FW_TICK_MS * 1000u, true);
    (void)hal_timer_start(FW_TIMER_SUBTICK, FW_SUBTICK_MS * 1000u, true);
    control_tick(); /* the first tick runs at start-up */
}

void fw_on_timer(unsigned id) {
    switch (id) {
        case FW_TIMER_TICK:
            control_tick();
            break;
        case FW_TIMER_SUBTICK:
            sub_tick();
            break;
        case FW_TIMER_MODBUS:
            fw_bms_on_timeout(&fw_state.bms);
            break;
        case FW_TIMER_ADC:
            start_ct_burst(&fw_state);
            break;
        default:
            break;
    }
}

void fw_on_uart_rx(const uint8_t *data, size_t len) {
    fw_bms_on_rx(&fw_state.bms, data, len);
}

void fw_on_can_rx(const hal_can_frame_t *f) {
    fw_node_on_can_rx(f);
}

void fw_on_can_state(hal_can_state_t state) {
    fw_can_on_state(&fw_state.can, state, hal_now_ms());
}

void fw_on_adc_burst(const uint16_t *samples, uint16_t samples_per_channel, uint8_t channel_mask) {
    fw_state_t *s = &fw_state;
    unsigned block = 0;
    for (unsigned ch = 0; ch < FW_CT_CHANNELS; ch++) {
        if ((channel_mask & (1u << ch)) == 0u) {
            continue;
        }
        const uint16_t *x = samples + (size_t)block * samples_per_channel;
        s->ct_window_ma[ch] =
            fw_ct_rms_ma(x, samples_per_channel, FW_ADC_RATE_HZ, fw_ct_gain_a_per_count(ch));
        block++;
    }
    s->ct_window_new = true;
    s->ct_windows++;
}
