/*
 * Civil calendar: day numbers, leap years, weekdays, local time from virtual time, parsing, and
 * minute boundaries for the gateway's broadcast.
 */
#include "calendar.h"
#include "test_support.h"

static void day_numbers(void) {
    ASSERT_EQ_I64(calendar_days_from_civil(1970, 1, 1), 0);
    ASSERT_EQ_I64(calendar_days_from_civil(1969, 12, 31), -1);
    ASSERT_EQ_I64(calendar_days_from_civil(2000, 3, 1), 11017);
    ASSERT_EQ_I64(calendar_days_from_civil(2024, 6, 21), 19895);
    ASSERT_EQ_I64(calendar_days_from_civil(1600, 1, 1), -135140);
    /* Round trip over 800 years, through every leap rule. */
    int bad = 0;
    int64_t prev = calendar_days_from_civil(1599, 12, 31);
    for (int64_t d = prev + 1; d < prev + 292200; d++) {
        int32_t y;
        uint8_t m, dd;
        calendar_civil_from_days(d, &y, &m, &dd);
        bad +=
            calendar_days_from_civil(y, m, dd) != d || dd < 1 || dd > calendar_days_in_month(y, m);
    }
    ASSERT_EQ_I64(bad, 0);
}

static void leap_years(void) {
    CU_ASSERT_TRUE(calendar_is_leap(2024));
    CU_ASSERT_TRUE(calendar_is_leap(2000));
    CU_ASSERT_FALSE(calendar_is_leap(1900));
    CU_ASSERT_FALSE(calendar_is_leap(2023));
    ASSERT_EQ_U64(calendar_days_in_month(2024, 2), 29);
    ASSERT_EQ_U64(calendar_days_in_month(2100, 2), 28);
    ASSERT_EQ_U64(calendar_days_in_month(2023, 4), 30);
    ASSERT_EQ_U64(calendar_days_in_month(2023, 13), 0);
}

static void local_time_from_virtual_time(void) {
    calendar_civil_t start = {
        .year = 2024, .month = 2, .day = 28, .hour = 23, .minute = 59, .second = 30};
    calendar_t cal;
    ASSERT_EQ_I64(calendar_init(&cal, &start, 60), 0);
    calendar_civil_t c;
    calendar_at(&cal, 0, &c);
    ASSERT_EQ_U64(c.weekday, 3); /* 2024-02-28 was a Wednesday */
    ASSERT_EQ_U64(c.day_of_year, 59);
    calendar_at(&cal, 45 * SIM_NS_PER_S, &c); /* past midnight into the leap day */
    ASSERT_EQ_U64(c.month, 2);
    ASSERT_EQ_U64(c.day, 29);
    ASSERT_EQ_U64(c.hour, 0);
    ASSERT_EQ_U64(c.minute, 0);
    ASSERT_EQ_U64(c.second, 15);
    ASSERT_EQ_U64(c.day_of_year, 60);
    ASSERT_EQ_U64(c.weekday, 4);
    calendar_at(&cal, (30 + 86400 + 86399) * SIM_NS_PER_S, &c);
    ASSERT_EQ_U64(c.month, 3);
    ASSERT_EQ_U64(c.day, 1);
    ASSERT_EQ_U64(c.hour, 23);
    ASSERT_EQ_U64(calendar_second_of_day(&cal, 0), 86370);
    ASSERT_NEAR(calendar_hour_of_day(&cal, 30 * SIM_NS_PER_S + 900 * SIM_NS_PER_MS), 0.9 / 3600.0,
                1e-12);
}

static void minute_boundaries(void) {
    calendar_civil_t start = {
        .year = 2024, .month = 6, .day = 21, .hour = 12, .minute = 0, .second = 20};
    calendar_t cal;
    ASSERT_EQ_I64(calendar_init(&cal, &start, 0), 0);
    ASSERT_EQ_I64(calendar_next_boundary(&cal, 0, 60), 40 * SIM_NS_PER_S);
    ASSERT_EQ_I64(calendar_next_boundary(&cal, 40 * SIM_NS_PER_S, 60), 40 * SIM_NS_PER_S);
    ASSERT_EQ_I64(calendar_next_boundary(&cal, 40 * SIM_NS_PER_S + 1, 60), 100 * SIM_NS_PER_S);
}

static void parse_and_validate(void) {
    calendar_civil_t c;
    ASSERT_EQ_I64(calendar_parse("2024-06-21T06:30", &c), 0);
    ASSERT_EQ_U64(c.hour, 6);
    ASSERT_EQ_U64(c.minute, 30);
    ASSERT_EQ_U64(c.second, 0);
    ASSERT_EQ_I64(calendar_parse("2024-12-31 23:59:58", &c), 0);
    ASSERT_EQ_U64(c.second, 58);
    ASSERT_EQ_I64(calendar_parse("2023-02-29T00:00", &c), -SIM_EFORMAT);
    ASSERT_EQ_I64(calendar_parse("2024-06-21T24:00", &c), -SIM_EFORMAT);
    ASSERT_EQ_I64(calendar_parse("2024-06-21T06:30Z", &c), -SIM_EFORMAT);
    ASSERT_EQ_I64(calendar_parse("yesterday", &c), -SIM_EFORMAT);
    calendar_t cal;
    calendar_civil_t bad = {.year = 2024, .month = 4, .day = 31};
    ASSERT_EQ_I64(calendar_init(&cal, &bad, 0), -SIM_EINVAL);
    calendar_civil_t ok = {.year = 2024, .month = 4, .day = 30};
    ASSERT_EQ_I64(calendar_init(&cal, &ok, 1440), -SIM_EINVAL);
}

void test_register(void) {
    TEST_SUITE("model_calendar", TEST(day_numbers), TEST(leap_years),
               TEST(local_time_from_virtual_time), TEST(minute_boundaries),
               TEST(parse_and_validate));
}
