/*
 * battery.h: a 16S LFP battery pack with its BMS protection, in physical units.
 *
 * The pack is `cells_series` identical LFP cells in series. Each cell follows one open-circuit
 * voltage curve (OCV against state of charge, piecewise linear through datasheet-like points),
 * and the pack has one lumped internal resistance. The cells are not perfectly balanced: cell k
 * sits at the pack SOC plus an offset spread evenly over [-spread/2, +spread/2], so the highest
 * cell reaches the charge limit first and the lowest cell the discharge limit, as in a real pack.
 *
 *   terminal voltage  V = OCV_pack(soc) + I * R          (I > 0 charging, I < 0 discharging)
 *   state of charge   soc += I * dt / (3600 * capacity_ah)   (coulombic, clamped to 0..1)
 *
 * BMS protection works on cell voltages, like the MOSFET switch of a real BMS:
 *   - charge cut when the highest cell voltage reaches cell_charge_cut_mv; released when it falls
 *     below cell_charge_release_mv (the charge MOSFET opens, discharge is still allowed);
 *   - discharge cut when the lowest cell voltage reaches cell_discharge_cut_mv; released when it
 *     rises above cell_discharge_release_mv.
 * The BMS also publishes the currents a charger or inverter may use (like the CCL/DCL of a CAN
 * BMS): battery_max_charge_a() tapers so the highest cell's terminal voltage stays at or below
 * cell_cv_mv (the constant-voltage phase of a charger), battery_max_discharge_a() so the lowest
 * cell stays at or above cell_dvl_mv, each capped by charge_a_max/discharge_a_max and 0 in a cut
 * direction. An inverter that respects them never trips the protection; one that ignores them
 * drives a cell into its cut voltage and the BMS opens that direction.
 *
 * A full pack (SOC 1) publishes no charge current and an empty one (SOC 0) no discharge current,
 * whatever the limit voltages.
 *
 * The published limits hold at an instant; a physics step holds its current for dt. When dt is
 * longer than the pack's taper time, R_cell times the charge per volt of OCV, the published
 * limit would carry the SOC past the point where it reaches 0 within one step, into the cut or
 * past full. battery_step_max_charge_a()/_discharge_a() are the published limits further held to
 * what reaches that point at the end of the step: a physics driver dispatches with them.
 *
 * battery_step() lets no current flow in a cut direction and clamps the magnitude to
 * charge_a_max/discharge_a_max (raising an over-current alarm for that step, unless the excess
 * is rounding: at most 1 part in 10^9 of the limit). It also holds the current to what fills or
 * empties the pack within the step, so no energy crosses the terminals without moving the SOC.
 * The value it returns is the current that really flowed. Protection is evaluated at the end of
 * each step, so a cut takes effect from the next step on.
 *
 * The model holds no reference to the kernel: the physics driver steps it. Not re-entrant; one
 * owner. Temperature and ageing are not modelled.
 */
#ifndef BATTERY_H
#define BATTERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BATTERY_CELLS_MAX 32

/** Alarm bits, as the BMS reports them (also the BMS Modbus alarm register, low byte). */
#define BATTERY_ALARM_CELL_OV 0x0001u /* charge cut: a cell at the over-voltage limit */
#define BATTERY_ALARM_CELL_UV 0x0002u /* discharge cut: a cell at the under-voltage limit */
#define BATTERY_ALARM_OC_CHG  0x0004u /* last step asked more charge current than allowed */
#define BATTERY_ALARM_OC_DSG  0x0008u /* last step asked more discharge current than allowed */

typedef struct {
    uint8_t cells_series;               /* 1..32; default 16 */
    double capacity_ah;                 /* > 0; default 100 Ah */
    double r_internal_mohm;             /* whole pack; default 25 mOhm */
    double soc_initial;                 /* 0..1; default 0.5 */
    double cell_spread_soc;             /* SOC spread between lowest and highest cell; 0.02 */
    uint16_t cell_charge_cut_mv;        /* default 3650 */
    uint16_t cell_charge_release_mv;    /* default 3400 */
    uint16_t cell_discharge_cut_mv;     /* default 2500 */
    uint16_t cell_discharge_release_mv; /* default 3000 */
    uint16_t cell_cv_mv;                /* charge voltage limit the BMS asks for; default 3550 */
    uint16_t cell_dvl_mv;               /* discharge voltage limit; default 2800 */
    double charge_a_max;                /* BMS continuous charge limit; default 100 A */
    double discharge_a_max;             /* BMS continuous discharge limit; default 100 A */
} battery_cfg_t;

typedef struct battery battery_t;

/** The defaults above (16S, 100 Ah, 25 mOhm, SOC 50 %). */
void battery_cfg_default(battery_cfg_t *cfg);

/**
 * Whether `cfg` describes a pack this model can run, and if not why: writes one sentence naming
 * the first rule broken, with the values (as a scenario names the keys: "cell_cv_mv (3650) must
 * be below cell_charge_cut_mv (3650)"), into why (cap bytes) and returns false. The voltage
 * limits must nest: discharge cut < DVL < CVL < charge cut, each cut below its release on the
 * safe side, because a limit the BMS asks the inverter to respect that sits on or past the cut
 * makes the cut trip under a compliant inverter.
 */
bool battery_cfg_check(const battery_cfg_t *cfg, char *why, size_t cap);

/**
 * Creates a pack from `cfg` (copied).
 * @retval 0, -SIM_EINVAL (battery_cfg_check refuses it), -SIM_ENOMEM
 */
int battery_create(const battery_cfg_t *cfg, battery_t **out);
void battery_destroy(battery_t *b);

/** OCV of one LFP cell at `soc` (clamped to 0..1), in volts. Strictly increasing in soc. */
double battery_cell_ocv_v(double soc);

/**
 * Advances the pack by dt_s (> 0) seconds with the requested current (A, + charging). No current
 * flows in a cut direction; the magnitude is clamped to charge_a_max/discharge_a_max. Returns the
 * current that flowed. Protection is re-evaluated at the end of the step.
 */
double battery_step(battery_t *b, double current_a, double dt_s);

/* ---- backend face: state in physical units ----------------------------------------------- */

double battery_soc(const battery_t *b);        /* 0..1 */
int battery_set_soc(battery_t *b, double soc); /* 0, -SIM_EINVAL outside 0..1 */
double battery_current_a(const battery_t *b);  /* of the last step, + charging */
double battery_ocv_v(const battery_t *b);      /* pack open-circuit voltage */
/* Terminal voltages of the last step (OCV at its start plus I * R); at rest after create/set. */
double battery_voltage_v(const battery_t *b);
double battery_cell_v_max(const battery_t *b); /* highest cell */
double battery_cell_v_min(const battery_t *b); /* lowest cell */
double battery_capacity_ah(const battery_t *b);
bool battery_charge_enabled(const battery_t *b);
bool battery_discharge_enabled(const battery_t *b);
uint16_t battery_alarms(const battery_t *b); /* BATTERY_ALARM_* */

/** Largest charge / discharge current (A, >= 0) the BMS allows now. */
double battery_max_charge_a(const battery_t *b);
double battery_max_discharge_a(const battery_t *b);
/** The same limits as terminal power (W, >= 0) at the present state. */
double battery_max_charge_w(const battery_t *b);
double battery_max_discharge_w(const battery_t *b);

/**
 * The limits for a step of dt_s (> 0) seconds (A, >= 0): the published limit, held to the
 * current that brings the SOC to where that limit reaches 0 (the top cell at cell_cv_mv, or full;
 * the bottom cell at cell_dvl_mv, or empty) at the end of the step. Equal to the published limit
 * whenever dt_s is short against the taper time.
 */
double battery_step_max_charge_a(const battery_t *b, double dt_s);
double battery_step_max_discharge_a(const battery_t *b, double dt_s);
/** The same step limits as terminal power (W, >= 0). */
double battery_step_max_charge_w(const battery_t *b, double dt_s);
double battery_step_max_discharge_w(const battery_t *b, double dt_s);

/**
 * The current (A, + charging) that makes the terminal power p_w (+ charging) at the present
 * state: the root of p = I * (OCV + I * R). For discharge beyond the pack's maximum power
 * transfer it returns the current at that maximum.
 */
double battery_current_for_power_a(const battery_t *b, double p_w);

/** Energy through the terminals since creation, Wh (charged >= 0, discharged >= 0). */
double battery_energy_in_wh(const battery_t *b);
double battery_energy_out_wh(const battery_t *b);

#endif
