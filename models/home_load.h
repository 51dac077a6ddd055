/*
 * home_load.h: the home's base load, from a daily profile.
 *
 * The profile is a list of (second of the day, power) points; the load between two points is the
 * straight line between them, and the day wraps (after the last point the line runs to the first
 * point of the next day). Profiles come inline (an array) or from CSV text with lines
 * "t_s,power_w" (an optional header line, '#' comments and blank lines are skipped); models do
 * no file I/O, so the scenario loader reads a CSV file and hands its text over. A scale
 * factor sizes a profile to another home. The base load sits behind the inverter output (R2) like
 * every home circuit; whether it is supplied is the physics driver's business.
 */
#ifndef HOME_LOAD_H
#define HOME_LOAD_H

#include <stddef.h>
#include <stdint.h>

#define HOME_LOAD_POINTS_MAX 288 /* one point every 5 minutes */

typedef struct {
    uint32_t t_s;   /* second of the day, 0..86399, strictly increasing along the profile */
    double power_w; /* >= 0 */
} home_load_point_t;

typedef struct {
    const home_load_point_t *points; /* copied; NULL: the built-in profile */
    size_t n_points;                 /* 1..HOME_LOAD_POINTS_MAX */
    double scale;                    /* multiplies every point; default 1 */
} home_load_cfg_t;

typedef struct home_load home_load_t;

/** The built-in profile: about 14 kWh a day, 250 W at night, a morning and an evening peak. */
void home_load_cfg_default(home_load_cfg_t *cfg);

/** 0, -SIM_EINVAL (no points, too many, unordered, out of the day, negative), -SIM_ENOMEM */
int home_load_create(const home_load_cfg_t *cfg, home_load_t **out);
void home_load_destroy(home_load_t *h);
/** Replaces the profile (a scenario's profile change); the old one stays on error. 0, -SIM_EINVAL.
 */
int home_load_set_profile(home_load_t *h, const home_load_cfg_t *cfg);

/**
 * Parses CSV text into points: lines "t_s,power_w", after an optional UTF-8 byte order mark and
 * an optional header (the first line that is not blank or a '#' comment, when it does not start
 * like a number). On a bad line returns -SIM_EFORMAT with *bad_line set (1-based); on text with
 * no point at all, -SIM_EFORMAT with *bad_line 0; -SIM_ERANGE when more than `max` points. *n is
 * the number of points read.
 */
int home_load_parse_csv(const char *text, home_load_point_t *pts, size_t max, size_t *n,
                        unsigned *bad_line);

/** Power drawn at `second_of_day` (fractional seconds allowed), W. */
double home_load_power_w(const home_load_t *h, double second_of_day);
/** Energy of one whole day of the profile, Wh (exact for the piecewise-linear profile). */
double home_load_daily_wh(const home_load_t *h);

#endif
