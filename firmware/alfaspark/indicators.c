/*
 * indicators.c: the WS2812B SOC bar (spec §8.1). See indicators.h.
 */
#include "indicators.h"

#include <string.h>

#include "hal.h"

uint8_t fw_bar_lit(uint8_t soc_pct) {
    unsigned soc = soc_pct > 100u ? 100u : soc_pct;
    return (uint8_t)((soc * FW_BAR_PIXELS + FW_MUT_BAR_ROUNDING(99u)) / 100u);
}

static void put_pixel(uint8_t *grb, unsigned idx, uint8_t r, uint8_t g, uint8_t b) {
    grb[3u * idx + 0u] = (uint8_t)((g * FW_BAR_BRIGHTNESS) / 255u);
    grb[3u * idx + 1u] = (uint8_t)((r * FW_BAR_BRIGHTNESS) / 255u);
    grb[3u * idx + 2u] = (uint8_t)((b * FW_BAR_BRIGHTNESS) / 255u);
}

void fw_bar_render(uint8_t grb[FW_BAR_BYTES], bool soc_valid, uint8_t soc_pct, uint8_t blue_idx) {
    memset(grb, 0, FW_BAR_BYTES);
    if (!soc_valid) {
        return;
    }
    unsigned lit = fw_bar_lit(soc_pct);
    bool red = soc_pct <= FW_BAR_RED_MAX_PCT;
    for (unsigned i = 0; i < lit; i++) {
        put_pixel(grb, i, red ? 255u : 0u, red ? 0u : 255u, 0u);
    }
    if (blue_idx < FW_BAR_PIXELS) {
        put_pixel(grb, blue_idx, 0u, 0u, 255u);
    }
}

static void send_if_changed(fw_bar_t *b, const uint8_t grb[FW_BAR_BYTES]) {
    if (b->written && memcmp(b->last, grb, FW_BAR_BYTES) == 0) {
        return;
    }
    memcpy(b->last, grb, FW_BAR_BYTES);
    b->written = true;
    b->writes++;
    (void)hal_ws2812_write(grb, FW_BAR_BYTES);
}

void fw_bar_update(fw_bar_t *b, bool soc_valid, uint8_t soc_pct, bool charging, bool subtick) {
    uint8_t grb[FW_BAR_BYTES];
    bool sweep = soc_valid && charging;
    if (!sweep) {
        b->charging = false;
        fw_bar_render(grb, soc_valid, soc_pct, 0xFFu);
        send_if_changed(b, grb);
        return;
    }
    if (!subtick) {
        return;
    }
    if (!b->charging) {
        b->charging = true;
        b->sweep_idx = 0;
    }
    unsigned lit = fw_bar_lit(soc_pct);
    unsigned span = lit > 0u ? lit : 1u;
    if (b->sweep_idx >= span) {
        b->sweep_idx = 0; /* SOC dropped under the sweep position */
    }
    fw_bar_render(grb, true, soc_pct, b->sweep_idx);
    send_if_changed(b, grb);
    b->sweep_idx = (uint8_t)((b->sweep_idx + FW_MUT_SWEEP_STEP) % span);
}
