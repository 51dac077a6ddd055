/*
 * calendar.h: civil (proleptic Gregorian) date and time derived from virtual time.
 *
 * A scenario fixes the local date and time at virtual time 0 and the zone's offset from UTC;
 * the calendar is then a pure function of virtual time: local = start + t. No host time function
 * is used (they read the host's zone and clock). Day numbers count from 1970-01-01 and are exact
 * integer arithmetic for years -1000000 .. 1000000; leap years follow the Gregorian rule.
 *
 * The calendar has no daylight-saving transitions: the offset is fixed for the run, which is what
 * the gateway's broadcast of local time needs in the zones the product ships to. Consumers: the
 * gateway's time broadcast, the load schedules (time of day) and PV (day of year, solar time).
 */
#ifndef CALENDAR_H
#define CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_types.h"

typedef struct {
    int32_t year;
    uint8_t month;        /* 1..12 */
    uint8_t day;          /* 1..31 */
    uint8_t hour;         /* 0..23 */
    uint8_t minute;       /* 0..59 */
    uint8_t second;       /* 0..59 */
    uint8_t weekday;      /* 0 = Sunday .. 6 = Saturday (filled by calendar_at) */
    uint16_t day_of_year; /* 1..366 (filled by calendar_at) */
} calendar_civil_t;

typedef struct {
    int64_t start_local_s;  /* local seconds since 1970-01-01T00:00 at virtual time 0 */
    int32_t utc_offset_min; /* local = UTC + offset */
} calendar_t;

/** Days from 1970-01-01 to y-m-d (negative before). */
int64_t calendar_days_from_civil(int32_t year, unsigned month, unsigned day);
/** The date of a day number. */
void calendar_civil_from_days(int64_t days, int32_t *year, uint8_t *month, uint8_t *day);
bool calendar_is_leap(int32_t year);
unsigned calendar_days_in_month(int32_t year, unsigned month);

/**
 * Sets the calendar to start at local time `start` (weekday and day_of_year ignored) in a zone
 * utc_offset_min minutes east of UTC (-1440 < offset < 1440).
 * @retval 0, -SIM_EINVAL (no such date or time, or offset out of range)
 */
int calendar_init(calendar_t *cal, const calendar_civil_t *start, int32_t utc_offset_min);

/** Parses "YYYY-MM-DDTHH:MM[:SS]" (also with a space for 'T'). 0 or -SIM_EFORMAT. */
int calendar_parse(const char *text, calendar_civil_t *out);

/** Local civil time at virtual time t_ns (whole seconds, truncated). */
void calendar_at(const calendar_t *cal, sim_time_ns_t t_ns, calendar_civil_t *out);
/** Local seconds since 1970-01-01 at t_ns, and seconds since local midnight (0..86399). */
int64_t calendar_local_s(const calendar_t *cal, sim_time_ns_t t_ns);
uint32_t calendar_second_of_day(const calendar_t *cal, sim_time_ns_t t_ns);
/** Fractional local hours since midnight at t_ns (for smooth profiles). */
double calendar_hour_of_day(const calendar_t *cal, sim_time_ns_t t_ns);
/** Virtual time of the next local instant at or after t_ns whose seconds-since-1970 is a
 *  multiple of period_s (e.g. 60: the next whole minute). */
sim_time_ns_t calendar_next_boundary(const calendar_t *cal, sim_time_ns_t t_ns, uint32_t period_s);

#endif
