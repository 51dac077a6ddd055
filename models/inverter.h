/*
 * inverter.h: the pack's hybrid inverter, as a power dispatcher over one physics step.
 *
 * Inputs per step: the PV power available at the array's DC output, the AC power the home would
 * draw if supplied, whether the grid relay (R1) connects a live grid to AC-in, whether the output
 * relay (R2) connects the AC output to the home, and the battery's BMS limits as terminal power.
 * Priorities, in this order (a "PV first, battery second, grid last" hybrid):
 *
 *   1. PV -> home        through the inverter stage (efficiency eta_inverter), up to ac_w_max
 *   2. PV -> battery     surplus PV through the DC charger (eta_charger_dc), within the charge
 *                        limits; PV beyond that is curtailed (the inverter never exports)
 *   3. battery -> home   the deficit, through the inverter stage, within the discharge limits and
 *                        ac_w_max; with the grid connected, only while SOC > reserve_soc
 *   4. grid -> home      the rest, passed through (no conversion loss) up to grid_w_max
 *   5. grid -> battery   when grid charging is enabled and the SOC has fallen to
 *                        grid_charge_start_soc, until it reaches grid_charge_stop_soc, through the
 *                        AC charger (eta_charger_ac), within the charge limits and grid_w_max
 *   6. unserved          what none of these covers (home in the dark)
 *
 * With R2 open the AC output stops: the home gets nothing from the inverter or the grid path
 * (all of its demand is unserved) and only charging remains.
 *
 * Both balances close exactly every step (they are computed, not assumed):
 *   DC bus:  pv_used = pv_to_ac_dc + pv_to_batt_dc
 *            batt_dc = pv_to_batt_dc*eta_chg_dc + grid_to_batt_ac*eta_chg_ac - batt_to_ac_dc
 *   AC bus:  home_served = (pv_to_ac_dc + batt_to_ac_dc)*eta_inv + grid_to_home_ac
 *            grid_import = grid_to_home_ac + grid_to_batt_ac
 *   energy:  pv_used + grid_import = home_served + batt_dc + losses
 * inverter_dispatch() returns the residuals so tests and the physics driver can check them.
 * Stand-by consumption of the inverter is not modelled.
 */
#ifndef INVERTER_H
#define INVERTER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    double ac_w_max;              /* inverter stage output (PV + battery); default 5000 W */
    double pv_w_max;              /* MPPT input limit; default 6000 W */
    double charge_w_max;          /* DC into the battery; default 5000 W */
    double discharge_w_max;       /* DC out of the battery; default 5000 W */
    double grid_w_max;            /* AC-in pass-through + charging; default 11000 W (50 A) */
    double eta_inverter;          /* DC -> AC; default 0.95 */
    double eta_charger_dc;        /* PV -> battery; default 0.98 */
    double eta_charger_ac;        /* grid -> battery; default 0.92 */
    double reserve_soc;           /* no discharge below this while the grid is there; 0.20 */
    bool grid_charge;             /* charge from the grid at low SOC; default true */
    double grid_charge_w;         /* AC drawn for charging; default 1500 W */
    double grid_charge_start_soc; /* default 0.15 */
    double grid_charge_stop_soc;  /* default 0.25 */
} inverter_cfg_t;

/** One step's inputs. Powers in W, >= 0. */
typedef struct {
    double pv_avail_w;        /* PV available at the array */
    double home_demand_w;     /* what the home draws when supplied */
    bool grid_connected;      /* R1 closed and the grid is up */
    bool output_connected;    /* R2 closed */
    double batt_charge_w_max; /* BMS limit, terminal power */
    double batt_discharge_w_max;
    double soc; /* 0..1, for the reserve and grid-charging rules */
} inverter_in_t;

/** One step's flows, W, each >= 0 except batt_dc_w (+ charging). */
typedef struct {
    double pv_used_w, pv_curtailed_w;
    double pv_to_ac_dc_w, pv_to_batt_dc_w;
    double batt_to_ac_dc_w;
    double grid_to_home_w, grid_to_batt_w, grid_import_w;
    double home_served_w, home_unserved_w;
    double inverter_ac_w; /* AC produced by the inverter stage (PV + battery) */
    double batt_dc_w;     /* net into the battery terminals, + charging */
    double loss_w;
    double dc_residual_w;     /* pv_used - (pv_to_ac + pv_to_batt): 0 */
    double ac_residual_w;     /* home_served - (inverter_ac + grid_to_home): 0 */
    double energy_residual_w; /* pv_used + grid_import - home_served - batt_dc - loss: 0 */
} inverter_flows_t;

typedef struct inverter inverter_t;

void inverter_cfg_default(inverter_cfg_t *cfg);

/**
 * Whether `cfg` is one this model can run; if not, writes one sentence naming the first rule
 * broken, with the values as a scenario names the keys, into why (cap bytes) and returns false.
 * Rules: every efficiency in (0, 1], no negative limit, grid-charge start SOC below its stop SOC.
 */
bool inverter_cfg_check(const inverter_cfg_t *cfg, char *why, size_t cap);

/** 0, -SIM_EINVAL (inverter_cfg_check refuses it), -SIM_ENOMEM */
int inverter_create(const inverter_cfg_t *cfg, inverter_t **out);
void inverter_destroy(inverter_t *inv);

/**
 * Dispatches one step. Keeps the grid-charging hysteresis state between calls. The caller applies
 * batt_dc_w to the battery (it is within the given limits) and grid_import_w to the meter.
 */
void inverter_dispatch(inverter_t *inv, const inverter_in_t *in, inverter_flows_t *out);

/** True while grid charging is active (between the start and stop SOC). */
bool inverter_grid_charging(const inverter_t *inv);

#endif
