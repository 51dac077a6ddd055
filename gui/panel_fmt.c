/*
 * panel_fmt.c: integer-only number formatting for the panel (no printf floating point, so no
 * locale decimal comma and no rounding surprises).
 */
#include "panel_fmt.h"

#include <stdio.h>

/* |v| as unsigned, safe for INT32_MIN. */
static uint32_t mag32(int32_t v) {
    return v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
}

static const char *sign_of(int32_t v, int with_plus) {
    if (v < 0) {
        return "-";
    }
    return (with_plus && v > 0) ? "+" : "";
}

void panel_fmt_volts(char *buf, size_t len, int32_t mv) {
    uint32_t m = mag32(mv);
    snprintf(buf, len, "%s%u.%02u V", sign_of(mv, 0), m / 1000u, (m % 1000u) / 10u);
}

void panel_fmt_amps(char *buf, size_t len, int32_t ma) {
    uint32_t m = mag32(ma);
    snprintf(buf, len, "%s%u.%02u A", sign_of(ma, 1), m / 1000u, (m % 1000u) / 10u);
}

void panel_fmt_watts(char *buf, size_t len, int32_t w, int with_sign) {
    uint32_t m = mag32(w);
    if (m >= 10000u) {
        snprintf(buf, len, "%s%u.%u kW", sign_of(w, with_sign), m / 1000u, (m % 1000u) / 100u);
    } else {
        snprintf(buf, len, "%s%u W", sign_of(w, with_sign), m);
    }
}

void panel_fmt_time(char *buf, size_t len, int64_t t_ns) {
    uint64_t ms = t_ns > 0 ? (uint64_t)t_ns / 1000000u : 0u;
    unsigned long long h = ms / 3600000u;
    unsigned min = (unsigned)(ms / 60000u % 60u), s = (unsigned)(ms / 1000u % 60u);
    snprintf(buf, len, "%02llu:%02u:%02u.%03u", h, min, s, (unsigned)(ms % 1000u));
}

void panel_fmt_ppm_pct(char *buf, size_t len, uint32_t ppm) {
    snprintf(buf, len, "%u.%u %%", ppm / 10000u, ppm / 1000u % 10u);
}
