/*
 * grid.c: supply availability and the revenue meter (contract in grid.h).
 */
#include "grid.h"

#include <math.h>
#include <stdlib.h>

struct grid {
    grid_cfg_t cfg;
    double voltage_v;
    double frequency_hz;
    bool forced_down;
    int64_t import_uj, export_uj; /* microjoules: int64 holds 2.5 GWh */
};

void grid_cfg_default(grid_cfg_t *cfg) {
    *cfg = (grid_cfg_t){.voltage_v = 220.0, .frequency_hz = 50.0, .n_outages = 0};
}

int grid_create(const grid_cfg_t *cfg, grid_t **out) {
    *out = NULL;
    if (!(cfg->voltage_v > 0.0 && cfg->frequency_hz > 0.0) || cfg->n_outages > GRID_OUTAGES_MAX) {
        return -SIM_EINVAL;
    }
    for (size_t i = 0; i < cfg->n_outages; i++) {
        if (cfg->outages[i].end_ns <= cfg->outages[i].start_ns) {
            return -SIM_EINVAL;
        }
    }
    grid_t *g = calloc(1, sizeof *g);
    if (!g) {
        return -SIM_ENOMEM;
    }
    g->cfg = *cfg;
    g->voltage_v = cfg->voltage_v;
    g->frequency_hz = cfg->frequency_hz;
    *out = g;
    return 0;
}

void grid_destroy(grid_t *g) {
    free(g);
}

bool grid_available(const grid_t *g, sim_time_ns_t t_ns) {
    if (g->forced_down) {
        return false;
    }
    for (size_t i = 0; i < g->cfg.n_outages; i++) {
        if (t_ns >= g->cfg.outages[i].start_ns && t_ns < g->cfg.outages[i].end_ns) {
            return false;
        }
    }
    return true;
}

double grid_voltage_v(const grid_t *g, sim_time_ns_t t_ns) {
    return grid_available(g, t_ns) ? g->voltage_v : 0.0;
}

double grid_frequency_hz(const grid_t *g) {
    return g->frequency_hz;
}

int grid_set_voltage_v(grid_t *g, double v) {
    if (!(v > 0.0)) {
        return -SIM_EINVAL;
    }
    g->voltage_v = v;
    return 0;
}

int grid_set_frequency_hz(grid_t *g, double hz) {
    if (!(hz > 0.0)) {
        return -SIM_EINVAL;
    }
    g->frequency_hz = hz;
    return 0;
}

void grid_force_down(grid_t *g, bool down) {
    g->forced_down = down;
}

void grid_meter_add(grid_t *g, double p_w, sim_time_ns_t dt_ns) {
    SIM_ASSERT(dt_ns >= 0);
    /* W * ns = nJ; rounding each step to the nearest microjoule is unbiased and keeps a day of
     * 100 ms steps within a millijoule of the exact integral. */
    int64_t uj = llround(fabs(p_w) * (double)dt_ns / 1e3);
    if (p_w >= 0.0) {
        g->import_uj += uj;
    } else {
        g->export_uj += uj;
    }
}

int64_t grid_import_mj(const grid_t *g) {
    return g->import_uj / 1000;
}

int64_t grid_export_mj(const grid_t *g) {
    return g->export_uj / 1000;
}

double grid_import_wh(const grid_t *g) {
    return (double)g->import_uj / 3.6e9;
}

double grid_export_wh(const grid_t *g) {
    return (double)g->export_uj / 3.6e9;
}
