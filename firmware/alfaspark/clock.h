/*
 * clock.h: the software wall clock set from the CAN time broadcast 0x7FF (spec §9.11).
 *
 * The Pi sends [hour, day, minute, month, year-2000] in local time every 60 s; DLC 2..8 is
 * accepted and the fields present are read (a missing minute is 0, a missing month or year is
 * unknown, 0). A valid broadcast sets the clock, with seconds = 0; between broadcasts it advances
 * on the HAL's monotonic clock, and the day counter advances at each midnight. Only changes of the
 * day are used (the 05:00 reset), so the counter may run past the month's end without harm.
 * The clock is valid for FW_TIME_VALID_MS after the last valid broadcast.
 */
#ifndef FW_CLOCK_H
#define FW_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    bool set;            /* a valid broadcast arrived since boot */
    uint64_t set_ms;     /* monotonic time of the last valid broadcast */
    uint16_t set_minute; /* minute of day it carried */
    uint8_t set_day;     /* day of month it carried, 1..31 */
    uint8_t month;       /* 1..12, 0 unknown */
    uint8_t year;        /* years since 2000, 0 unknown */
    uint32_t invalid_count;
} fw_clock_t;

/**
 * Handles a 0x7FF payload. Returns 0 when the clock was set, -1 when the frame is invalid
 * (DLC < 2, hour >= 24, day outside 1..31, minute >= 60, month outside 1..12).
 */
int fw_clock_on_broadcast(fw_clock_t *c, const uint8_t *data, uint8_t dlc, uint64_t now_ms);

/** A valid broadcast arrived within the last 24 h. */
bool fw_clock_valid(const fw_clock_t *c, uint64_t now_ms);

/** Local minute of day 0..1439 (meaningful only while valid). */
uint16_t fw_clock_minute_of_day(const fw_clock_t *c, uint64_t now_ms);

/** Day counter: the broadcast's day of month plus the midnights passed since. */
uint32_t fw_clock_day(const fw_clock_t *c, uint64_t now_ms);

/** Time since the last valid broadcast, or since boot (boot_ms) when none has arrived. */
uint64_t fw_clock_age_ms(const fw_clock_t *c, uint64_t now_ms, uint64_t boot_ms);

#endif
