/*
 * fw_state.h: the one state struct of the Alfaspark firmware core.
 *
 * Everything the core remembers between entry-point calls lives in `fw_state`, grouped by the
 * module that owns each part. fw_init() clears it completely with memset before anything else:
 * on the target RAM is fresh at every boot anyway, and unit tests call fw_init() repeatedly in
 * one process. Only the HAL entry points (fw_main.c) and the node glue read across modules;
 * each module's functions take a pointer to their own part.
 */
#ifndef FW_STATE_H
#define FW_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "arbitrate.h"
#include "bms.h"
#include "can_io.h"
#include "clock.h"
#include "eco.h"
#include "election.h"
#include "events.h"
#include "fw_config.h"
#include "gridlimit.h"
#include "indicators.h"
#include "leds.h"
#include "settings.h"
#include "tm1637.h"

#define FW_CT_CHANNELS 4u

typedef struct {
    uint64_t boot_ms;
    uint8_t mac[6];

    /* control tick */
    bool ticked;
    uint64_t last_tick_ms;
    uint64_t last_dt_ms; /* measured dt of the last tick (grid-energy integration) */
    uint32_t ticks;
    uint32_t subticks;

    /* CT windows: the burst handler fills ct_window_ma, the tick takes it */
    int32_t ct_window_ma[FW_CT_CHANNELS];
    bool ct_window_new;
    int32_t ct_ma[FW_CT_CHANNELS]; /* grid, home, pool, heater as used by the tick */
    uint32_t ct_windows, ct_windows_missed, adc_start_failures;

    /* tick results (spec §5) */
    int32_t grid_w, home_w, pool_w, heater_w, batt_w, solar_w;
    bool soc_valid;
    uint8_t soc_pct;
    bool charging; /* I_batt > +0.5 A with valid BMS data */

    fw_bms_t bms;
    fw_settings_t set;
    bool sc_connected; /* Self-Consumption hysteresis state */
    fw_eco_t eco;
    fw_grid_t grid;
    fw_relays_t relays;
    fw_clock_t clock;
    fw_election_t el;
    fw_can_t can;
    fw_events_t ev;
    fw_bar_t bar;
    fw_display_t display;
    fw_leds_t leds;

    uint8_t alarm_reported; /* alarm bits already reported as event 4 */
    uint8_t master_logged;  /* master NodeID last logged, 0xFF none */
    bool status_requested;  /* REQUEST_STATUS: send TEL pages and ANN after the ACK */
} fw_state_t;

extern fw_state_t fw_state;

#endif
