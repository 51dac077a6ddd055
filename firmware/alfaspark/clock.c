/*
 * clock.c: software clock from the 0x7FF time broadcast (spec §9.11). See clock.h.
 */
#include "clock.h"

#include "fw_config.h"

#define MS_PER_MINUTE   60000ull
#define MINUTES_PER_DAY 1440ull

int fw_clock_on_broadcast(fw_clock_t *c, const uint8_t *data, uint8_t dlc, uint64_t now_ms) {
    if (dlc < 2u || dlc > 8u) {
        c->invalid_count++;
        return -1;
    }
    uint8_t hour = data[0], day = data[1];
    uint8_t minute = dlc >= 3u ? data[2] : 0u;
    uint8_t month = dlc >= 4u ? data[3] : 0u;
    uint8_t year = dlc >= 5u ? data[4] : 0u;
    bool ok = hour < 24u && day >= 1u && day <= 31u && minute < 60u;
    if (dlc >= 4u && (month < 1u || month > 12u)) {
        ok = false;
    }
    if (!ok) {
        c->invalid_count++;
        return -1;
    }
    c->set = true;
    c->set_ms = now_ms;
    c->set_minute = (uint16_t)(hour * 60u + minute);
    c->set_day = day;
    c->month = month;
    c->year = year;
    return 0;
}

bool fw_clock_valid(const fw_clock_t *c, uint64_t now_ms) {
    return c->set && now_ms - c->set_ms < FW_TIME_VALID_MS;
}

static uint64_t minutes_since_midnight_of_set(const fw_clock_t *c, uint64_t now_ms) {
    return (uint64_t)c->set_minute + (now_ms - c->set_ms) / MS_PER_MINUTE;
}

uint16_t fw_clock_minute_of_day(const fw_clock_t *c, uint64_t now_ms) {
    return (uint16_t)(minutes_since_midnight_of_set(c, now_ms) % MINUTES_PER_DAY);
}

uint32_t fw_clock_day(const fw_clock_t *c, uint64_t now_ms) {
    return (uint32_t)(c->set_day + minutes_since_midnight_of_set(c, now_ms) / MINUTES_PER_DAY);
}

uint64_t fw_clock_age_ms(const fw_clock_t *c, uint64_t now_ms, uint64_t boot_ms) {
    return now_ms - (c->set ? c->set_ms : boot_ms);
}
