/*
 * pool_pump.c: timer-driven pool pump (contract in pool_pump.h).
 */
#include "pool_pump.h"

#include <stdlib.h>

#include "sim_types.h"

struct pool_pump {
    pool_pump_cfg_t cfg;
    bool running;
    uint64_t starts;
};

void pool_pump_cfg_default(pool_pump_cfg_t *cfg) {
    *cfg = (pool_pump_cfg_t){.power_w = 750.0, .n_windows = 1};
    cfg->windows[0] = (pool_pump_window_t){10 * 60, 16 * 60};
}

int pool_pump_create(const pool_pump_cfg_t *cfg, pool_pump_t **out) {
    *out = NULL;
    if (!(cfg->power_w >= 0.0) || cfg->n_windows > POOL_PUMP_WINDOWS_MAX) {
        return -SIM_EINVAL;
    }
    for (size_t i = 0; i < cfg->n_windows; i++) {
        if (cfg->windows[i].start_min >= 1440 || cfg->windows[i].end_min >= 1440) {
            return -SIM_EINVAL;
        }
    }
    pool_pump_t *p = calloc(1, sizeof *p);
    if (!p) {
        return -SIM_ENOMEM;
    }
    p->cfg = *cfg;
    *out = p;
    return 0;
}

void pool_pump_destroy(pool_pump_t *p) {
    free(p);
}

static bool in_window(const pool_pump_window_t *w, uint32_t m) {
    if (w->start_min <= w->end_min) {
        return m >= w->start_min && m < w->end_min;
    }
    return m >= w->start_min || m < w->end_min; /* over midnight */
}

bool pool_pump_scheduled(const pool_pump_t *p, uint32_t minute_of_day) {
    for (size_t i = 0; i < p->cfg.n_windows; i++) {
        if (in_window(&p->cfg.windows[i], minute_of_day)) {
            return true;
        }
    }
    return false;
}

double pool_pump_update(pool_pump_t *p, uint32_t minute_of_day, bool supplied) {
    bool run = supplied && pool_pump_scheduled(p, minute_of_day);
    if (run && !p->running) {
        p->starts++;
    }
    p->running = run;
    return run ? p->cfg.power_w : 0.0;
}

bool pool_pump_running(const pool_pump_t *p) {
    return p->running;
}

uint64_t pool_pump_starts(const pool_pump_t *p) {
    return p->starts;
}
