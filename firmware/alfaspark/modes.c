/*
 * modes.c: Self-Consumption hysteresis, the TOU window and mode transitions (spec §7). See
 * modes.h.
 */
#include "modes.h"

#include "fw_config.h"
#include "fw_state.h"

bool fw_sc_update(bool connected, bool soc_valid, uint8_t soc_pct, uint8_t low_pct,
                  uint8_t high_pct) {
    FW_MUT_SC_THRESHOLDS(low_pct, high_pct);
    if (!soc_valid) {
        return FW_MUT_SC_UNKNOWN_SOC(connected); /* unknown battery: keep the house on the grid */
    }
    if (soc_pct <= low_pct) {
        return true;
    }
    if (soc_pct >= high_pct) {
        return false;
    }
    return FW_MUT_SC_IN_BAND(connected);
}

fw_tou_window_t fw_tou_window(const uint8_t tou[4]) {
    fw_tou_window_t w = {(uint16_t)(tou[0] * 60u + tou[1]), (uint16_t)(tou[2] * 60u + tou[3])};
    return w;
}

bool fw_tou_has_window(fw_tou_window_t w) {
    return w.start_min != w.end_min;
}

bool fw_tou_inside(fw_tou_window_t w, uint16_t minute_of_day) {
    if (w.start_min <= w.end_min || FW_MUT_TOU_NO_WRAP) {
        return minute_of_day >= w.start_min && minute_of_day < w.end_min;
    }
    return minute_of_day >= w.start_min || minute_of_day < w.end_min;
}

void fw_modes_set_mask(uint8_t new_mask) {
    fw_state_t *s = &fw_state;
    uint8_t old = s->set.mode_mask;
    uint8_t on = (uint8_t)(new_mask & ~old);
    uint8_t off = (uint8_t)(old & ~new_mask);
    s->set.mode_mask = new_mask;
    if (on & FW_MODE_SC) {
        s->sc_connected = true;
    }
    if ((on | off) & FW_MODE_ECO) {
        fw_eco_reset(&s->eco);
    }
    if ((on | off) & FW_MODE_GRIDLIMIT) {
        fw_grid_release(&s->grid);
    }
}
