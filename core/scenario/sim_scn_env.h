/*
 * sim_scn_env.h: the environment of a scenario: civil time, place, sky, profiles and grid outages.
 *
 * Everything here is shared by every pack of the scenario (they sit in one place under one sky,
 * on one utility grid): the loader copies it into each pack's plant configuration
 * (sim_scn_pack_t.plant: calendar, PV latitude/longitude and cloud chain, grid outages, home load
 * profile), so the run layer only has to create the plants. The parsed values are also kept here
 * for reports and for the gateway's clock, which starts on the same calendar.
 *
 * Profiles are daily: (second of the day, power) points joined by straight lines, wrapping over
 * midnight (home_load.h). They come inline or from a CSV file "t_s,power_w" next to the scenario.
 */
#ifndef SIM_SCN_ENV_H
#define SIM_SCN_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "grid.h"
#include "home_load.h"
#include "pv.h"

/** A daily power profile; points owned by the scenario (NULL/0 when not given). */
typedef struct {
    home_load_point_t *points;
    size_t n_points;
    double scale; /* multiplies every point; default 1 */
} sim_scn_profile_t;

/** The sky, as pv.h's cloud chain; presets fill it ("clear", "variable", "cloudy"). */
typedef struct {
    char preset[16]; /* the preset the values came from, or "custom" */
    bool clouds;
    double attenuation[PV_SKY_STATES];
    uint32_t transition_ppm[PV_SKY_STATES][PV_SKY_STATES];
    double cloud_tau_s;
} sim_scn_sky_t;

typedef struct {
    calendar_t calendar; /* "start" (local) and "utc_offset"; pack_plant's default otherwise */
    double latitude_deg; /* "location"; pv.h defaults otherwise */
    double longitude_deg;
    sim_scn_sky_t sky;      /* "weather" */
    sim_scn_profile_t load; /* "load": the home base load of every pack (packs may override) */
    sim_scn_profile_t pv;   /* "pv": a measured PV day replacing the clear-sky model (see docs) */
    grid_outage_t outages[GRID_OUTAGES_MAX]; /* "grid_outages", sorted, non-overlapping */
    size_t n_outages;
} sim_scn_env_t;

#endif
