/*
 * panel_fmt.h: the panel's numbers as text, from integers, the same in every locale.
 *
 * Each formatter writes at most len bytes, NUL included, and truncates rather than overflows.
 * Negative values keep their sign; signed quantities that have a direction (current, battery
 * and grid power) print an explicit '+' when positive.
 */
#ifndef PANEL_FMT_H
#define PANEL_FMT_H

#include <stddef.h>
#include <stdint.h>

/** "52.31 V" (millivolts, two decimals, truncated toward zero). */
void panel_fmt_volts(char *buf, size_t len, int32_t mv);
/** "+12.34 A", "-3.20 A", "0.00 A" (milliamps). */
void panel_fmt_amps(char *buf, size_t len, int32_t ma);
/** "850 W", "-1200 W", "12.3 kW" from 10 kW on; with_sign adds '+' to positive values. */
void panel_fmt_watts(char *buf, size_t len, int32_t w, int with_sign);
/** "00:01:02.345"; hours run past 24 ("26:00:00.000"); negative times print as 0. */
void panel_fmt_time(char *buf, size_t len, int64_t t_ns);
/** "12.3 %" from parts per million. */
void panel_fmt_ppm_pct(char *buf, size_t len, uint32_t ppm);

#endif
