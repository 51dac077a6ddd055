/*
 * water_heater.c: one-node tank model with a bang-bang thermostat (contract in water_heater.h).
 */
#include "water_heater.h"

#include <math.h>
#include <stdlib.h>

#include "sim_types.h"

#define WATER_J_PER_L_K 4186.0

/* Forward Euler while a step moves the tank at most 5 % of the way to its equilibrium (its error
 * is then below 0.13 % of that distance); beyond, a long step or a small tank with a large draw
 * would overshoot the equilibrium, then oscillate and diverge, so the step is solved exactly. */
#define EULER_MAX_A 0.05

struct water_heater {
    water_heater_cfg_t cfg;
    double temp_c;
    bool thermostat;
    double drawn_l;
};

void water_heater_cfg_default(water_heater_cfg_t *cfg) {
    *cfg = (water_heater_cfg_t){
        .element_w = 2000.0,
        .tank_l = 100.0,
        .setpoint_c = 60.0,
        .hysteresis_c = 6.0,
        .ambient_c = 25.0,
        .inlet_c = 22.0,
        .loss_w_per_k = 1.6,
        .initial_c = 55.0,
        .n_draws = 3,
    };
    cfg->draws[0] = (water_heater_draw_t){6 * 60 + 30, 6 * 60 + 45, 6.0};
    cfg->draws[1] = (water_heater_draw_t){12 * 60, 12 * 60 + 5, 4.0};
    cfg->draws[2] = (water_heater_draw_t){19 * 60 + 30, 19 * 60 + 45, 6.0};
}

static bool cfg_valid(const water_heater_cfg_t *c) {
    if (!(c->tank_l > 0.0 && c->element_w >= 0.0 && c->setpoint_c > c->inlet_c &&
          c->hysteresis_c >= 0.0 && c->loss_w_per_k >= 0.0) ||
        c->n_draws > WATER_HEATER_DRAWS_MAX) {
        return false;
    }
    for (size_t i = 0; i < c->n_draws; i++) {
        const water_heater_draw_t *d = &c->draws[i];
        if (d->end_min > 1440 || d->end_min <= d->start_min || !(d->flow_l_per_min >= 0.0)) {
            return false;
        }
    }
    return true;
}

int water_heater_create(const water_heater_cfg_t *cfg, water_heater_t **out) {
    *out = NULL;
    if (!cfg_valid(cfg)) {
        return -SIM_EINVAL;
    }
    water_heater_t *w = calloc(1, sizeof *w);
    if (!w) {
        return -SIM_ENOMEM;
    }
    w->cfg = *cfg;
    w->temp_c = cfg->initial_c;
    w->thermostat = cfg->initial_c < cfg->setpoint_c - cfg->hysteresis_c;
    *out = w;
    return 0;
}

void water_heater_destroy(water_heater_t *w) {
    free(w);
}

double water_heater_demand_w(const water_heater_t *w) {
    return w->thermostat ? w->cfg.element_w : 0.0;
}

static double draw_l_per_s(const water_heater_t *w, uint32_t minute) {
    double flow = 0.0;
    for (size_t i = 0; i < w->cfg.n_draws; i++) {
        const water_heater_draw_t *d = &w->cfg.draws[i];
        if (minute >= d->start_min && minute < d->end_min) {
            flow += d->flow_l_per_min / 60.0;
        }
    }
    return flow;
}

void water_heater_step(water_heater_t *w, double heat_w, uint32_t minute_of_day, double dt_s) {
    const water_heater_cfg_t *c = &w->cfg;
    SIM_ASSERT(heat_w >= 0.0 && dt_s >= 0.0);
    double flow = draw_l_per_s(w, minute_of_day);
    double cap_j_per_k = c->tank_l * WATER_J_PER_L_K;
    double k_w_per_k = c->loss_w_per_k + flow * WATER_J_PER_L_K; /* losses and draw per kelvin */
    double a = k_w_per_k * dt_s / cap_j_per_k; /* the step against the tank's time constant */
    if (a <= EULER_MAX_A) {
        double loss_w = c->loss_w_per_k * (w->temp_c - c->ambient_c);
        double draw_w = flow * WATER_J_PER_L_K * (w->temp_c - c->inlet_c);
        w->temp_c += (heat_w - loss_w - draw_w) * dt_s / cap_j_per_k;
    } else {
        /* The linear equation solved over the step: the tank approaches its equilibrium for this
         * heat, loss and draw, and never passes it. */
        double eq_c =
            (heat_w + c->loss_w_per_k * c->ambient_c + flow * WATER_J_PER_L_K * c->inlet_c) /
            k_w_per_k;
        w->temp_c = eq_c + (w->temp_c - eq_c) * exp(-a);
    }
    w->drawn_l += flow * dt_s;
    if (w->temp_c < c->setpoint_c - c->hysteresis_c) {
        w->thermostat = true;
    } else if (w->temp_c >= c->setpoint_c) {
        w->thermostat = false;
    }
}

double water_heater_temp_c(const water_heater_t *w) {
    return w->temp_c;
}

bool water_heater_thermostat(const water_heater_t *w) {
    return w->thermostat;
}

double water_heater_drawn_l(const water_heater_t *w) {
    return w->drawn_l;
}
