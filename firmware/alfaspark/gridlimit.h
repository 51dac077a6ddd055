/*
 * gridlimit.h: grid-import energy accounting and the Grid Importation Limit latch (spec §5.5,
 * §7.5, D5).
 *
 * E_grid accumulates P_grid x measured dt on every tick, whatever the modes (RAM only). While the
 * mode is on and E_grid >= limit, the latch GRID_LIMIT_EXHAUSTED is set; it forces R1 open above
 * every other rule. The latch is released, and E_grid zeroed, by:
 *   - the daily reset at 05:00 local time: the armed / lastResetDay rule below, valid clock only;
 *   - the mode being switched on or off, and RESET_GRID_ENERGY (fw_grid_release);
 *   - the fallback 24 h after the latch was set, if no 05:00 reset happened meanwhile.
 *
 * 05:00 detection, each tick while the clock is valid (copes with clock jumps):
 *   first valid time after boot: armed = (t < 05:00); if t >= 05:00, lastResetDay = today
 *   t < 05:00:                          armed = true
 *   t >= 05:00 and (armed or day != lastResetDay): reset; armed = false; lastResetDay = day
 */
#ifndef FW_GRIDLIMIT_H
#define FW_GRIDLIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint64_t energy_wms; /* E_grid in W*ms */
    bool latched;        /* GRID_LIMIT_EXHAUSTED */
    uint64_t latched_ms;
    bool time_seen; /* the first valid time after boot was handled */
    bool armed;
    bool have_reset_day;
    uint32_t last_reset_day;
    uint32_t daily_resets, fallback_releases, trips;
} fw_grid_t;

/** Boot state: E_grid = 0; with the mode on, HOLD_OPEN sets the latch now, START_FRESH not. */
void fw_grid_boot(fw_grid_t *g, bool mode_on, uint64_t now_ms);

/** Zeroes E_grid and releases the latch (mode on/off, RESET_GRID_ENERGY). */
void fw_grid_release(fw_grid_t *g);

/** Adds P_grid x dt. */
void fw_grid_integrate(fw_grid_t *g, int32_t grid_w, uint64_t dt_ms);

/** The 05:00 rule; returns true when the daily reset ran. */
bool fw_grid_daily(fw_grid_t *g, bool clock_valid, uint16_t minute_of_day, uint32_t day);

/** The 24 h fallback; returns true when it released the latch. */
bool fw_grid_fallback(fw_grid_t *g, uint64_t now_ms);

/** Trips the latch when the mode is on and E_grid >= limit; true when it tripped now. */
bool fw_grid_check_trip(fw_grid_t *g, bool mode_on, uint8_t limit_kwh, uint64_t now_ms);

#endif
