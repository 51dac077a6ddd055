/*
 * inverter.c: hybrid inverter dispatch (priorities and balances in inverter.h).
 *
 * Each stage takes what it can from what the earlier stages left, so the order of the calls in
 * inverter_dispatch() is the priority order. Flows are stored on both sides of every conversion
 * (DC in, AC out) so the balances can be checked instead of being true by construction only.
 */
#include "inverter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_types.h"

struct inverter {
    inverter_cfg_t cfg;
    bool grid_charging;
};

void inverter_cfg_default(inverter_cfg_t *cfg) {
    *cfg = (inverter_cfg_t){
        .ac_w_max = 5000.0,
        .pv_w_max = 6000.0,
        .charge_w_max = 5000.0,
        .discharge_w_max = 5000.0,
        .grid_w_max = 11000.0,
        .eta_inverter = 0.95,
        .eta_charger_dc = 0.98,
        .eta_charger_ac = 0.92,
        .reserve_soc = 0.20,
        .grid_charge = true,
        .grid_charge_w = 1500.0,
        .grid_charge_start_soc = 0.15,
        .grid_charge_stop_soc = 0.25,
    };
}

static bool eta_ok(double eta) {
    return eta > 0.0 && eta <= 1.0;
}

bool inverter_cfg_check(const inverter_cfg_t *c, char *why, size_t cap) {
/* One rule: true when it holds; else the sentence goes to why and the result is false. */
#define RULE(ok, ...) ((ok) || ((cap > 0 ? (void)snprintf(why, cap, __VA_ARGS__) : (void)0), false))
    return RULE(eta_ok(c->eta_inverter) && eta_ok(c->eta_charger_dc) && eta_ok(c->eta_charger_ac),
                "every efficiency must be above 0 and at most 100 %%") &&
           RULE(c->ac_w_max >= 0.0 && c->pv_w_max >= 0.0 && c->charge_w_max >= 0.0 &&
                    c->discharge_w_max >= 0.0 && c->grid_w_max >= 0.0 && c->grid_charge_w >= 0.0,
                "no power limit may be negative") &&
           RULE(c->grid_charge_start_soc < c->grid_charge_stop_soc,
                "grid_charge_start_soc_percent (%g) must be below grid_charge_stop_soc_percent "
                "(%g)",
                c->grid_charge_start_soc * 100.0, c->grid_charge_stop_soc * 100.0);
#undef RULE
}

int inverter_create(const inverter_cfg_t *cfg, inverter_t **out) {
    *out = NULL;
    char why[160];
    if (!inverter_cfg_check(cfg, why, sizeof why)) {
        return -SIM_EINVAL;
    }
    inverter_t *inv = calloc(1, sizeof *inv);
    if (!inv) {
        return -SIM_ENOMEM;
    }
    inv->cfg = *cfg;
    *out = inv;
    return 0;
}

void inverter_destroy(inverter_t *inv) {
    free(inv);
}

static double min2(double a, double b) {
    return a < b ? a : b;
}

static double pos(double x) {
    return x > 0.0 ? x : 0.0;
}

/* Dispatch state shared by the stages of one step. */
typedef struct {
    double pv_left_w;     /* PV not yet used */
    double demand_left_w; /* home demand not yet served */
    double charge_room_w; /* battery charge power still allowed (DC) */
} budget_t;

static void pv_to_home(const inverter_t *inv, budget_t *b, inverter_flows_t *f) {
    double eta = inv->cfg.eta_inverter;
    /* Decide on the DC side, so PV drawn never exceeds PV available, even by rounding. */
    double dc = min2(b->pv_left_w, min2(b->demand_left_w, inv->cfg.ac_w_max) / eta);
    f->pv_to_ac_dc_w = dc;
    f->inverter_ac_w += dc * eta;
    b->pv_left_w -= dc;
    b->demand_left_w = pos(b->demand_left_w - dc * eta);
}

static void pv_to_battery(const inverter_t *inv, budget_t *b, inverter_flows_t *f) {
    double eta = inv->cfg.eta_charger_dc;
    f->pv_to_batt_dc_w = min2(b->pv_left_w, b->charge_room_w / eta);
    b->charge_room_w = pos(b->charge_room_w - f->pv_to_batt_dc_w * eta);
    f->pv_curtailed_w = b->pv_left_w - f->pv_to_batt_dc_w;
    b->pv_left_w = 0.0;
}

/* The grid-charge hysteresis: on at or below the start SOC, off at or above the stop SOC. */
static void update_grid_charging(inverter_t *inv, const inverter_in_t *in) {
    const inverter_cfg_t *c = &inv->cfg;
    if (in->soc <= c->grid_charge_start_soc) {
        inv->grid_charging = c->grid_charge;
    } else if (in->soc >= c->grid_charge_stop_soc) {
        inv->grid_charging = false;
    }
}

static void battery_to_home(const inverter_t *inv, const inverter_in_t *in, budget_t *b,
                            inverter_flows_t *f) {
    if (in->grid_connected && in->soc <= inv->cfg.reserve_soc) {
        return; /* keep the reserve for an outage; the grid covers the home */
    }
    if (in->grid_connected && inv->grid_charging) {
        /* The grid covers the home while it charges the battery. Serving the home from the
         * battery instead would send grid energy through both conversions, and a home above
         * the charge power would drain the pack back under the reserve, so that charging to
         * the stop SOC never ended. */
        return;
    }
    double eta = inv->cfg.eta_inverter;
    double cap_dc = min2(in->batt_discharge_w_max, inv->cfg.discharge_w_max);
    double ac_room = pos(inv->cfg.ac_w_max - f->inverter_ac_w);
    double dc = min2(cap_dc, min2(b->demand_left_w, ac_room) / eta);
    f->batt_to_ac_dc_w = dc;
    f->inverter_ac_w += dc * eta;
    b->demand_left_w = pos(b->demand_left_w - dc * eta);
}

static void grid_to_home(const inverter_t *inv, const inverter_in_t *in, budget_t *b,
                         inverter_flows_t *f) {
    if (!in->grid_connected) {
        return;
    }
    f->grid_to_home_w = min2(b->demand_left_w, inv->cfg.grid_w_max);
    b->demand_left_w -= f->grid_to_home_w;
}

static void grid_to_battery(const inverter_t *inv, const inverter_in_t *in, budget_t *b,
                            inverter_flows_t *f) {
    const inverter_cfg_t *c = &inv->cfg;
    if (!inv->grid_charging || !in->grid_connected) {
        return;
    }
    double ac = min2(c->grid_charge_w, b->charge_room_w / c->eta_charger_ac);
    f->grid_to_batt_w = min2(ac, pos(c->grid_w_max - f->grid_to_home_w));
    b->charge_room_w = pos(b->charge_room_w - f->grid_to_batt_w * c->eta_charger_ac);
}

static void close_balances(const inverter_t *inv, const inverter_in_t *in, inverter_flows_t *f) {
    const inverter_cfg_t *c = &inv->cfg;
    f->pv_used_w = f->pv_to_ac_dc_w + f->pv_to_batt_dc_w;
    f->grid_import_w = f->grid_to_home_w + f->grid_to_batt_w;
    f->home_served_w = f->inverter_ac_w + f->grid_to_home_w;
    f->home_unserved_w = pos(in->home_demand_w - f->home_served_w);
    f->batt_dc_w = f->pv_to_batt_dc_w * c->eta_charger_dc + f->grid_to_batt_w * c->eta_charger_ac -
                   f->batt_to_ac_dc_w;
    f->loss_w = (f->pv_to_ac_dc_w + f->batt_to_ac_dc_w) * (1.0 - c->eta_inverter) +
                f->pv_to_batt_dc_w * (1.0 - c->eta_charger_dc) +
                f->grid_to_batt_w * (1.0 - c->eta_charger_ac);
    f->dc_residual_w = f->pv_used_w - (f->pv_to_ac_dc_w + f->pv_to_batt_dc_w);
    f->ac_residual_w =
        f->home_served_w -
        ((f->pv_to_ac_dc_w + f->batt_to_ac_dc_w) * c->eta_inverter + f->grid_to_home_w);
    f->energy_residual_w =
        f->pv_used_w + f->grid_import_w - f->home_served_w - f->batt_dc_w - f->loss_w;
}

void inverter_dispatch(inverter_t *inv, const inverter_in_t *in, inverter_flows_t *out) {
    SIM_ASSERT(in->pv_avail_w >= 0.0 && in->home_demand_w >= 0.0);
    memset(out, 0, sizeof *out);
    budget_t b = {
        .pv_left_w = min2(in->pv_avail_w, inv->cfg.pv_w_max),
        .demand_left_w = in->output_connected ? in->home_demand_w : 0.0,
        .charge_room_w = pos(min2(in->batt_charge_w_max, inv->cfg.charge_w_max)),
    };
    double curtailed_mppt = pos(in->pv_avail_w - b.pv_left_w); /* above the MPPT limit */
    update_grid_charging(inv, in);
    pv_to_home(inv, &b, out);
    pv_to_battery(inv, &b, out);
    out->pv_curtailed_w += curtailed_mppt;
    battery_to_home(inv, in, &b, out);
    grid_to_home(inv, in, &b, out);
    grid_to_battery(inv, in, &b, out);
    close_balances(inv, in, out);
}

bool inverter_grid_charging(const inverter_t *inv) {
    return inv->grid_charging;
}
