/*
 * modes.h: the mode flags and the rules of Self-Consumption and Time-of-Use (spec §7.0, §7.1,
 * §7.3), and the one place where a mode turning on or off takes its side effects.
 *
 * The mode mask (commands, TEL page 3, NVS): bit0 Self-Consumption, bit1 Eco, bit2 TOU,
 * bit3 Backup, bit4 Grid Importation Limit; bits 5..7 are 0. Backup and Self-Consumption exclude
 * each other (the command layer enforces it). Side effects of a transition:
 *   Self-Consumption on   hysteresis restarts CONNECTED
 *   Eco on / off          shed state cleared (off releases every shed load at once)
 *   Grid Limit on / off   E_grid zeroed and the latch released
 */
#ifndef FW_MODES_H
#define FW_MODES_H

#include <stdbool.h>
#include <stdint.h>

/** Minutes since midnight of a TOU window [start h, start m, end h, end m]. */
typedef struct {
    uint16_t start_min, end_min;
} fw_tou_window_t;

/**
 * Self-Consumption hysteresis for one tick: SOC <= low -> CONNECTED, SOC >= high ->
 * DISCONNECTED, in between hold; SOC not valid -> CONNECTED (spec §11.2). Returns the new state.
 */
bool fw_sc_update(bool connected, bool soc_valid, uint8_t soc_pct, uint8_t low_pct,
                  uint8_t high_pct);

/** The window of a stored [sh, sm, eh, em] setting. */
fw_tou_window_t fw_tou_window(const uint8_t tou[4]);

/** start != end: the window exists; start == end means TOU is inactive. */
bool fw_tou_has_window(fw_tou_window_t w);

/** Inside the window, which may wrap past midnight (end exclusive). */
bool fw_tou_inside(fw_tou_window_t w, uint16_t minute_of_day);

/** Sets the mode mask, applying the side effects of each mode that turns on or off. */
void fw_modes_set_mask(uint8_t new_mask);

#endif
