/*
 * pv.h: the PV array: clear-sky output from the sun's elevation, times a seeded cloud process.
 *
 * Sun position (solar engineering approximations, good to a fraction of a degree):
 *   declination     d  = 23.45 deg * sin(360/365 * (284 + n))           n = day of the year
 *   equation of time E  = 9.87 sin 2B - 7.53 cos B - 1.5 sin B  (min), B = 360/364 * (n - 81)
 *   solar time      ts = local clock + E + 4 min/deg * longitude - 60 min/h * UTC offset
 *   hour angle      h  = 15 deg/h * (ts - 12 h)
 *   elevation       sin a = sin(lat) sin(d) + cos(lat) cos(d) cos(h)
 * Clear-sky global horizontal irradiance (Haurwitz): G = 1098 W/m2 * sin a * exp(-0.057 / sin a)
 * for a > 0, else 0. The array is taken as horizontal, so its DC output is
 *   P = kwp * 1000 W * (G / 1000 W/m2) * performance_ratio * attenuation
 *
 * Clouds: a three-state Markov chain (clear, broken, overcast) with attenuation targets 1.0, 0.6
 * and 0.25 by default. The state may change once per simulated minute, with integer transition
 * probabilities in parts per million (sim_prng_chance), from the model's own seeded stream. The
 * attenuation follows its target with a first-order lag (cloud_tau_s), so passing clouds ramp
 * over tens of seconds instead of stepping. With clouds off the attenuation stays 1.
 */
#ifndef PV_H
#define PV_H

#include <stdbool.h>
#include <stdint.h>

#include "calendar.h"
#include "sim_prng.h"
#include "sim_types.h"

enum { PV_CLEAR = 0, PV_BROKEN, PV_OVERCAST, PV_SKY_STATES };

typedef struct {
    double kwp;                        /* peak DC power at 1000 W/m2; default 5 kWp */
    double latitude_deg;               /* + north; default 6.45 (Lagos) */
    double longitude_deg;              /* + east; default 3.40 */
    double performance_ratio;          /* wiring, heat, inverter-independent losses; default 0.80 */
    const calendar_t *calendar;        /* local time and zone; must outlive the array */
    bool clouds;                       /* default true */
    double attenuation[PV_SKY_STATES]; /* default 1.0, 0.6, 0.25 */
    uint32_t transition_ppm[PV_SKY_STATES][PV_SKY_STATES]; /* per minute, from row to column */
    double cloud_tau_s;                                    /* attenuation lag; default 60 s */
} pv_cfg_t;

typedef struct pv pv_t;

/** Defaults above, on the given calendar. The default chain is mostly clear with occasional
 *  broken cloud and rare overcast spells lasting tens of minutes. */
void pv_cfg_default(pv_cfg_t *cfg, const calendar_t *cal);

/**
 * `sky` seeds the cloud chain (copied), e.g. from sim_kernel_prng(k, "pv.pack1", &p).
 * @retval 0, -SIM_EINVAL (no calendar, negative size, latitude beyond +-90, attenuation outside
 *         0..1, a transition row summing above 1e6), -SIM_ENOMEM
 */
int pv_create(const pv_cfg_t *cfg, const sim_prng_t *sky, pv_t **out);
void pv_destroy(pv_t *pv);

/** Sun elevation (degrees, negative at night) at virtual time t_ns. */
double pv_sun_elevation_deg(const pv_t *pv, sim_time_ns_t t_ns);
/** Clear-sky DC output at t_ns (W), without clouds. */
double pv_clear_sky_w(const pv_t *pv, sim_time_ns_t t_ns);

/**
 * Advances the cloud process to t_ns (not backwards) and returns the DC power available (W).
 * The physics driver calls it once per step.
 */
double pv_step(pv_t *pv, sim_time_ns_t t_ns);
/** Scales the output from the next step on (a scenario's profile change); negative means 0. */
void pv_set_scale(pv_t *pv, double scale);
/** The present sky state and attenuation (0..1). */
int pv_sky_state(const pv_t *pv);
double pv_attenuation(const pv_t *pv);

#endif
