/*
 * gridlimit.c: E_grid accounting, the 05:00 reset and the grid-limit latch (spec §7.5). See
 * gridlimit.h.
 */
#include "gridlimit.h"

#include <string.h>

#include "fw_config.h"
#include "measure.h"

void fw_grid_boot(fw_grid_t *g, bool mode_on, uint64_t now_ms) {
    memset(g, 0, sizeof *g);
#if GRIDLIMIT_BOOT_POLICY == HOLD_OPEN
    /* A reboot means the grid was not keeping the system up: keep it cut until the reset time
     * (the product owner's literal rule). */
    if (FW_MUT_BOOT_LATCH(mode_on)) {
        g->latched = true;
        g->latched_ms = now_ms;
    }
#else
    (void)mode_on;
    (void)now_ms;
#endif
}

void fw_grid_release(fw_grid_t *g) {
    g->energy_wms = 0;
    g->latched = false;
}

void fw_grid_integrate(fw_grid_t *g, int32_t grid_w, uint64_t dt_ms) {
    g->energy_wms = fw_energy_add_wms(g->energy_wms, grid_w, dt_ms);
}

bool fw_grid_daily(fw_grid_t *g, bool clock_valid, uint16_t minute_of_day, uint32_t day) {
    if (!clock_valid) {
        return false;
    }
    bool before = minute_of_day < FW_GRID_RESET_MINUTE;
    if (!g->time_seen) {
        g->time_seen = true;
        g->armed = before;
        if (!before) {
            g->have_reset_day = true;
            g->last_reset_day = day;
        }
    }
    if (before) {
        g->armed = true;
        return false;
    }
    if (FW_MUT_GRID_RESETS && (g->armed || !g->have_reset_day || day != g->last_reset_day)) {
        fw_grid_release(g);
        g->armed = false;
        g->have_reset_day = true;
        g->last_reset_day = day;
        g->daily_resets++;
        return true;
    }
    return false;
}

bool fw_grid_fallback(fw_grid_t *g, uint64_t now_ms) {
    if (g->latched && now_ms - g->latched_ms >= FW_GRID_FALLBACK_MS) {
        fw_grid_release(g);
        g->fallback_releases++;
        return true;
    }
    return false;
}

bool fw_grid_check_trip(fw_grid_t *g, bool mode_on, uint8_t limit_kwh, uint64_t now_ms) {
    if (!mode_on || g->latched || limit_kwh == 0u) {
        return false;
    }
    if (g->energy_wms >= (uint64_t)limit_kwh * FW_WMS_PER_KWH) {
        g->latched = true;
        g->latched_ms = now_ms;
        g->trips++;
        return true;
    }
    return false;
}
