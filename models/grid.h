/*
 * grid.h: the utility supply at one pack: voltage, frequency, outages and the true energy meter.
 *
 * The grid is an ideal source while it is up: the voltage and frequency are scenario values
 * (nominal 220 V, the firmware's mains constant, and 50 Hz), changed by backend calls for sags,
 * swells and frequency excursions. It is down during any outage window of the schedule, and
 * while a scenario forces it down. Down means 0 V: nothing can be imported.
 *
 * The meter is the utility's revenue meter, the truth the firmware's CT-based estimate is judged
 * against: grid_meter_add() integrates real power over a physics step, import (p > 0) and export
 * (p < 0) separately, in integer microjoules (fixed point, so traces print exact values; each
 * step is rounded to the nearest microjoule, which is unbiased over long runs).
 */
#ifndef GRID_H
#define GRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_types.h"

#define GRID_OUTAGES_MAX 32

typedef struct {
    sim_time_ns_t start_ns; /* first instant without supply */
    sim_time_ns_t end_ns;   /* supply is back at end_ns */
} grid_outage_t;

typedef struct {
    double voltage_v;    /* RMS while up; default 220 V */
    double frequency_hz; /* default 50 Hz */
    grid_outage_t outages[GRID_OUTAGES_MAX];
    size_t n_outages;
} grid_cfg_t;

typedef struct grid grid_t;

void grid_cfg_default(grid_cfg_t *cfg);

/** 0, -SIM_EINVAL (non-positive voltage or frequency, too many or inverted outages), -SIM_ENOMEM */
int grid_create(const grid_cfg_t *cfg, grid_t **out);
void grid_destroy(grid_t *g);

/* ---- backend face ------------------------------------------------------------------------ */

/** True when supply is present at t_ns (no scheduled outage covers it and not forced down). */
bool grid_available(const grid_t *g, sim_time_ns_t t_ns);
/** RMS voltage at t_ns: the set voltage while available, else 0. */
double grid_voltage_v(const grid_t *g, sim_time_ns_t t_ns);
double grid_frequency_hz(const grid_t *g);
/** Scenario controls: a sag/swell, a frequency excursion, a forced outage. */
int grid_set_voltage_v(grid_t *g, double v);     /* 0, -SIM_EINVAL if v <= 0 */
int grid_set_frequency_hz(grid_t *g, double hz); /* 0, -SIM_EINVAL if hz <= 0 */
void grid_force_down(grid_t *g, bool down);

/** Meter: real power p_w (+ import) flowed for dt_ns. */
void grid_meter_add(grid_t *g, double p_w, sim_time_ns_t dt_ns);
/** Meter readings: whole millijoules (truncated), and the same in Wh for reports. */
int64_t grid_import_mj(const grid_t *g);
int64_t grid_export_mj(const grid_t *g);
double grid_import_wh(const grid_t *g);
double grid_export_wh(const grid_t *g);

#endif
