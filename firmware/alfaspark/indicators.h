/*
 * indicators.h: the WS2812B SOC bar (spec §8.1).
 *
 * FW_BAR_PIXELS pixels; lit = ceil(SOC x N / 100), so any SOC above 0 lights at least one pixel
 * and the red low-battery bar is visible exactly when it matters. Bar colour red when SOC <= 20,
 * otherwise green; unlit pixels are off. While charging (I_batt > +0.5 A) every 100 ms sub-tick
 * redraws the bar with one blue pixel at sweepIndex, then sweepIndex = (sweepIndex + 1) %
 * max(lit, 1); sweepIndex restarts at 0 each time charging starts. While SOC is not valid every
 * pixel is off. Bytes go out in WS2812 order G, R, B, scaled by FW_BAR_BRIGHTNESS, and only when
 * the frame differs from the last one sent.
 */
#ifndef FW_INDICATORS_H
#define FW_INDICATORS_H

#include <stdbool.h>
#include <stdint.h>

#include "fw_config.h"

#define FW_BAR_BYTES (FW_BAR_PIXELS * 3u)

typedef struct {
    uint8_t sweep_idx; /* pixel the next charging frame paints blue */
    bool charging;     /* charging as of the last frame (to restart the sweep) */
    bool written;
    uint8_t last[FW_BAR_BYTES];
    uint32_t writes;
} fw_bar_t;

/** Pixels lit for a SOC: (soc x N + 99) / 100. */
uint8_t fw_bar_lit(uint8_t soc_pct);

/** One frame: the static bar, plus a blue pixel at blue_idx when blue_idx < N. */
void fw_bar_render(uint8_t grb[FW_BAR_BYTES], bool soc_valid, uint8_t soc_pct, uint8_t blue_idx);

/**
 * Updates the bar. `subtick` is true on the 100 ms sub-tick (the sweep advances only then); on
 * other calls a charging bar is left to the next sub-tick.
 */
void fw_bar_update(fw_bar_t *b, bool soc_valid, uint8_t soc_pct, bool charging, bool subtick);

#endif
