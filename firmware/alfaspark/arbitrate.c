/*
 * arbitrate.c: the §7.6 rule table and the only relay writer. See arbitrate.h.
 */
#include "arbitrate.h"

#include <string.h>

#include "fw_config.h"
#include "hal.h"

static const hal_signal_t relay_signal[FW_RELAY_COUNT] = {
    HAL_SIG_RELAY_GRID, HAL_SIG_RELAY_INVERTER, HAL_SIG_RELAY_POOL, HAL_SIG_RELAY_HEATER};

void fw_relays_init(fw_relays_t *r) {
    memset(r, 0, sizeof *r);
    for (unsigned i = 0; i < FW_RELAY_COUNT; i++) {
        r->state[i] = true;
    }
}

static bool tou_governs(const fw_arb_input_t *in) {
    return (in->mode_mask & FW_MODE_TOU) != 0u && in->tou_window;
}

bool fw_arbitrate_masked(const fw_arb_input_t *in, unsigned relay) {
    switch (relay) {
        case FW_RELAY_GRID:
            return in->grid_latched || (in->mode_mask & (FW_MODE_BACKUP | FW_MODE_SC)) != 0u;
        case FW_RELAY_INVERTER:
            return tou_governs(in) || in->eco_shed[FW_RELAY_INVERTER];
        case FW_RELAY_POOL:
        case FW_RELAY_HEATER:
            return in->eco_shed[relay];
        default:
            return false;
    }
}

static bool override_or_default(const fw_relays_t *r, unsigned relay) {
    if (r->override[relay] == FW_OVR_NONE) {
        return true; /* default: CONNECTED */
    }
    return r->override[relay] == FW_OVR_CONNECTED;
}

static bool grid_rule(const fw_arb_input_t *in, const fw_relays_t *r) {
    if (in->grid_latched && !FW_MUT_BACKUP_BEATS_LATCH(in->mode_mask)) {
        return false;
    }
    if (in->mode_mask & FW_MODE_BACKUP) {
        return FW_MUT_BACKUP_GRID(r);
    }
    if (in->mode_mask & FW_MODE_SC) {
        return in->sc_connected;
    }
    return override_or_default(r, FW_RELAY_GRID);
}

static bool inverter_rule(const fw_arb_input_t *in, const fw_relays_t *r) {
    if (tou_governs(in)) {
        /* Without valid time TOU holds R2 where it is (CONNECTED after boot). */
        return in->clock_valid || FW_MUT_TOU_UNSYNCED ? in->tou_inside
                                                      : r->state[FW_RELAY_INVERTER];
    }
    if (in->eco_shed[FW_RELAY_INVERTER]) {
        return false;
    }
    return override_or_default(r, FW_RELAY_INVERTER);
}

void fw_arbitrate_compute(const fw_arb_input_t *in, const fw_relays_t *r,
                          bool out[FW_RELAY_COUNT]) {
    out[FW_RELAY_GRID] = grid_rule(in, r);
    out[FW_RELAY_INVERTER] = inverter_rule(in, r);
    for (unsigned i = FW_RELAY_POOL; i <= FW_RELAY_HEATER; i++) {
        out[i] = in->eco_shed[i] ? false : override_or_default(r, i);
    }
}

void fw_arbitrate_apply(const fw_arb_input_t *in, fw_relays_t *r) {
    bool want[FW_RELAY_COUNT];
    fw_arbitrate_compute(in, r, want);
    for (unsigned i = 0; i < FW_RELAY_COUNT; i++) {
        if (!r->driven || want[i] != r->state[i]) {
            hal_gpio_write(relay_signal[i], want[i]);
            r->writes++;
        }
        r->state[i] = want[i];
    }
    r->driven = true;
}

uint8_t fw_relays_mask(const fw_relays_t *r) {
    uint8_t m = 0;
    for (unsigned i = 0; i < FW_RELAY_COUNT; i++) {
        if (r->state[i]) {
            m = (uint8_t)(m | (1u << i));
        }
    }
    return m;
}
