/*
 * calendar.c: civil-date arithmetic on day numbers (contract in calendar.h).
 *
 * The conversion shifts the year to start on 1 March, so the leap day is the last day of the
 * shifted year, and splits time into 400-year eras of 146097 days, inside which every quantity
 * is non-negative. Each step is plain integer division; no tables, no loops over years.
 */
#include "calendar.h"

#include <stdio.h>
#include <string.h>

/* Floor division for possibly negative numerators (C truncates towards zero). */
static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t calendar_days_from_civil(int32_t year, unsigned month, unsigned day) {
    int64_t y = (int64_t)year - (month <= 2 ? 1 : 0); /* the shifted year starts in March */
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                         /* 0..399 */
    int64_t mp = (month + 9) % 12;                       /* March = 0 .. February = 11 */
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)day - 1; /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* 0..146096 */
    return era * 146097 + doe - 719468;                  /* 719468: 0000-03-01 to 1970-01-01 */
}

void calendar_civil_from_days(int64_t days, int32_t *year, uint8_t *month, uint8_t *day) {
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;                                      /* 0..146096 */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* 0..365 */
    int64_t mp = (5 * doy + 2) / 153;                                    /* 0..11 */
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int32_t)(yoe + era * 400 + (m <= 2 ? 1 : 0));
    *month = (uint8_t)m;
    *day = (uint8_t)d;
}

bool calendar_is_leap(int32_t year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned calendar_days_in_month(int32_t year, unsigned month) {
    static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) {
        return 0;
    }
    return month == 2 && calendar_is_leap(year) ? 29u : days[month - 1];
}

static bool civil_valid(const calendar_civil_t *c) {
    return c->year > -1000000 && c->year < 1000000 && c->month >= 1 && c->month <= 12 &&
           c->day >= 1 && c->day <= calendar_days_in_month(c->year, c->month) && c->hour < 24 &&
           c->minute < 60 && c->second < 60;
}

int calendar_init(calendar_t *cal, const calendar_civil_t *start, int32_t utc_offset_min) {
    if (!civil_valid(start) || utc_offset_min <= -1440 || utc_offset_min >= 1440) {
        return -SIM_EINVAL;
    }
    int64_t days = calendar_days_from_civil(start->year, start->month, start->day);
    cal->start_local_s = days * 86400 + start->hour * 3600 + start->minute * 60 + start->second;
    cal->utc_offset_min = utc_offset_min;
    return 0;
}

int calendar_parse(const char *text, calendar_civil_t *out) {
    int y, mo, d, h, mi, s = 0, n = 0;
    char sep;
    memset(out, 0, sizeof *out);
    int got = sscanf(text, "%5d-%2d-%2d%c%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &n);
    if (got != 6 || (sep != 'T' && sep != ' ')) {
        return -SIM_EFORMAT;
    }
    if (text[n] == ':') {
        int n2 = 0;
        if (sscanf(text + n, ":%2d%n", &s, &n2) != 1) {
            return -SIM_EFORMAT;
        }
        n += n2;
    }
    if (text[n] != '\0' || y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) {
        return -SIM_EFORMAT;
    }
    *out = (calendar_civil_t){.year = y,
                              .month = (uint8_t)mo,
                              .day = (uint8_t)d,
                              .hour = (uint8_t)h,
                              .minute = (uint8_t)mi,
                              .second = (uint8_t)s};
    return civil_valid(out) ? 0 : -SIM_EFORMAT;
}

int64_t calendar_local_s(const calendar_t *cal, sim_time_ns_t t_ns) {
    return cal->start_local_s + floor_div(t_ns, SIM_NS_PER_S);
}

uint32_t calendar_second_of_day(const calendar_t *cal, sim_time_ns_t t_ns) {
    int64_t s = calendar_local_s(cal, t_ns);
    return (uint32_t)(s - floor_div(s, 86400) * 86400);
}

double calendar_hour_of_day(const calendar_t *cal, sim_time_ns_t t_ns) {
    int64_t sub_ns = t_ns - floor_div(t_ns, SIM_NS_PER_S) * SIM_NS_PER_S;
    return ((double)calendar_second_of_day(cal, t_ns) + (double)sub_ns / 1e9) / 3600.0;
}

void calendar_at(const calendar_t *cal, sim_time_ns_t t_ns, calendar_civil_t *out) {
    int64_t s = calendar_local_s(cal, t_ns);
    int64_t days = floor_div(s, 86400);
    int64_t sod = s - days * 86400;
    calendar_civil_from_days(days, &out->year, &out->month, &out->day);
    out->hour = (uint8_t)(sod / 3600);
    out->minute = (uint8_t)(sod / 60 % 60);
    out->second = (uint8_t)(sod % 60);
    int64_t wd = (days + 4) % 7; /* 1970-01-01 was a Thursday */
    out->weekday = (uint8_t)(wd < 0 ? wd + 7 : wd);
    out->day_of_year = (uint16_t)(days - calendar_days_from_civil(out->year, 1, 1) + 1);
}

sim_time_ns_t calendar_next_boundary(const calendar_t *cal, sim_time_ns_t t_ns, uint32_t period_s) {
    SIM_ASSERT(period_s > 0);
    /* Work in ns relative to the local epoch so sub-second offsets are kept exact. */
    int64_t start_ns = cal->start_local_s * SIM_NS_PER_S;
    int64_t local_ns = start_ns + t_ns;
    int64_t p_ns = (int64_t)period_s * SIM_NS_PER_S;
    int64_t next = floor_div(local_ns + p_ns - 1, p_ns) * p_ns;
    return next - start_ns;
}
