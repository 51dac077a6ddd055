/*
 * battery.c: 16S LFP pack physics and BMS protection (contract in battery.h).
 *
 * Everything is evaluated from the state at the start of a step (OCV at the old SOC), so the
 * power a caller computes with battery_current_for_power_a() is exactly the power the terminals
 * see in battery_step(): the inverter's AC/DC balance closes without a second iteration.
 */
#include "battery.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim_types.h"

struct battery {
    battery_cfg_t cfg;
    double r_cell_ohm;   /* pack resistance shared equally by the cells */
    double soc;          /* pack (mean cell) state of charge, 0..1 */
    double current_a;    /* of the last step */
    double v_term_v;     /* terminal voltage of the last step */
    double v_cell_max_v; /* highest / lowest cell terminal voltage of the last step */
    double v_cell_min_v;
    bool charge_cut;    /* charge MOSFET open */
    bool discharge_cut; /* discharge MOSFET open */
    uint16_t oc_alarms; /* over-current bits of the last step */
    double energy_in_wh;
    double energy_out_wh;
    /* Pack SOC at which the published charge limit reaches 0 (the top cell's OCV at cell_cv_mv,
     * or full) and the discharge limit reaches 0 (the bottom cell's OCV at cell_dvl_mv, or
     * empty): the bounds a step's current must not carry the SOC past (battery_step_max_*). */
    double soc_full, soc_empty;
    /* OCV of the pack, its top and bottom cell at `soc`: every step asks for them several times,
     * so they are computed once per SOC change (refresh_ocv). */
    double ocv_v, ocv_top_v, ocv_bottom_v;
    size_t ocv_hint;                       /* OCV table segment of the last cell evaluated */
    double cell_offset[BATTERY_CELLS_MAX]; /* SOC offset of each cell (cell_offset_of) */
};

/*
 * One LFP cell at rest, shaped after typical 100 Ah prismatic datasheets: a steep knee below
 * 10 %, the long flat plateau around 3.25-3.33 V, and the sharp rise of the last percent.
 */
static const struct {
    double soc;
    double v;
} ocv_table[] = {
    {0.00, 2.500}, {0.02, 2.800}, {0.05, 3.000}, {0.10, 3.150}, {0.20, 3.220}, {0.30, 3.250},
    {0.40, 3.270}, {0.50, 3.285}, {0.60, 3.295}, {0.70, 3.305}, {0.80, 3.320}, {0.90, 3.340},
    {0.95, 3.370}, {0.98, 3.420}, {0.99, 3.450}, {1.00, 3.650},
};
#define OCV_POINTS (sizeof ocv_table / sizeof ocv_table[0])

static double clamp(double x, double lo, double hi) {
    return x < lo ? lo : (x > hi ? hi : x);
}

/* The segment i (from 1) of the first table point with soc <= ocv_table[i].soc, found from the
 * hint (any index from 1): the same segment a scan from the start finds. A soc past the last
 * point (only NaN, once clamped) stops at the last segment; cell_ocv_from tells it apart. */
static size_t segment_of(double soc, size_t hint) {
    size_t i = hint;
    while (i < OCV_POINTS - 1 && soc > ocv_table[i].soc) {
        i++;
    }
    while (i > 1 && soc <= ocv_table[i - 1].soc) {
        i--;
    }
    return i;
}

/* Interpolates on the segment of soc, searched from *hint, which it then holds. */
static double cell_ocv_from(double soc, size_t *hint) {
    soc = clamp(soc, 0.0, 1.0);
    size_t i = segment_of(soc, *hint);
    *hint = i;
    if (!(soc <= ocv_table[i].soc)) {
        return ocv_table[OCV_POINTS - 1].v; /* no segment: only NaN gets here */
    }
    double s0 = ocv_table[i - 1].soc, s1 = ocv_table[i].soc;
    double v0 = ocv_table[i - 1].v, v1 = ocv_table[i].v;
    return v0 + (v1 - v0) * (soc - s0) / (s1 - s0);
}

double battery_cell_ocv_v(double soc) {
    size_t hint = 1;
    return cell_ocv_from(soc, &hint);
}

/* The cell SOC whose OCV is v: 0 at or below the curve's first point, 1 at or above its last. */
static double cell_soc_of_ocv(double v) {
    if (!(v > ocv_table[0].v)) {
        return 0.0;
    }
    for (size_t i = 1; i < OCV_POINTS; i++) {
        if (v <= ocv_table[i].v) {
            double s0 = ocv_table[i - 1].soc, s1 = ocv_table[i].soc;
            double v0 = ocv_table[i - 1].v, v1 = ocv_table[i].v;
            return s0 + (s1 - s0) * (v - v0) / (v1 - v0);
        }
    }
    return 1.0;
}

void battery_cfg_default(battery_cfg_t *cfg) {
    *cfg = (battery_cfg_t){
        .cells_series = 16,
        .capacity_ah = 100.0,
        .r_internal_mohm = 25.0,
        .soc_initial = 0.5,
        .cell_spread_soc = 0.02,
        .cell_charge_cut_mv = 3650,
        .cell_charge_release_mv = 3400,
        .cell_discharge_cut_mv = 2500,
        .cell_discharge_release_mv = 3000,
        .cell_cv_mv = 3550,
        .cell_dvl_mv = 2800,
        .charge_a_max = 100.0,
        .discharge_a_max = 100.0,
    };
}

bool battery_cfg_check(const battery_cfg_t *c, char *why, size_t cap) {
/* One rule: true when it holds; else the sentence goes to why and the result is false. */
#define RULE(ok, ...) ((ok) || ((cap > 0 ? (void)snprintf(why, cap, __VA_ARGS__) : (void)0), false))
    return RULE(c->cells_series >= 1 && c->cells_series <= BATTERY_CELLS_MAX,
                "cells_series (%u) must be 1 to %u", c->cells_series, BATTERY_CELLS_MAX) &&
           RULE(c->capacity_ah > 0.0, "capacity_ah (%g) must be above 0", c->capacity_ah) &&
           RULE(c->r_internal_mohm > 0.0, "r_internal_mohm (%g) must be above 0",
                c->r_internal_mohm) &&
           RULE(c->soc_initial >= 0.0 && c->soc_initial <= 1.0, "soc_percent (%g) must be 0 to 100",
                c->soc_initial * 100.0) &&
           RULE(c->cell_spread_soc >= 0.0 && c->cell_spread_soc < 0.5,
                "cell_spread_percent (%g) must be at least 0 and below 50",
                c->cell_spread_soc * 100.0) &&
           RULE(c->cell_charge_release_mv < c->cell_charge_cut_mv,
                "cell_charge_release_mv (%u) must be below cell_charge_cut_mv (%u)",
                c->cell_charge_release_mv, c->cell_charge_cut_mv) &&
           RULE(c->cell_cv_mv < c->cell_charge_cut_mv,
                "cell_cv_mv (%u) must be below cell_charge_cut_mv (%u)", c->cell_cv_mv,
                c->cell_charge_cut_mv) &&
           RULE(c->cell_discharge_release_mv > c->cell_discharge_cut_mv,
                "cell_discharge_release_mv (%u) must be above cell_discharge_cut_mv (%u)",
                c->cell_discharge_release_mv, c->cell_discharge_cut_mv) &&
           RULE(c->cell_dvl_mv > c->cell_discharge_cut_mv,
                "cell_dvl_mv (%u) must be above cell_discharge_cut_mv (%u)", c->cell_dvl_mv,
                c->cell_discharge_cut_mv) &&
           RULE(c->cell_dvl_mv < c->cell_cv_mv, "cell_dvl_mv (%u) must be below cell_cv_mv (%u)",
                c->cell_dvl_mv, c->cell_cv_mv) &&
           RULE(c->charge_a_max >= 0.0 && c->discharge_a_max >= 0.0,
                "charge_a_max (%g) and discharge_a_max (%g) must not be negative", c->charge_a_max,
                c->discharge_a_max);
#undef RULE
}

/* SOC offset of cell k: spread evenly so the mean stays the pack SOC. */
static double cell_offset_of(const battery_cfg_t *c, unsigned k) {
    unsigned n = c->cells_series;
    if (n == 1) {
        return 0.0;
    }
    return c->cell_spread_soc * ((double)k / (double)(n - 1) - 0.5);
}

int battery_create(const battery_cfg_t *cfg, battery_t **out) {
    *out = NULL;
    char why[160];
    if (!battery_cfg_check(cfg, why, sizeof why)) {
        return -SIM_EINVAL;
    }
    battery_t *b = calloc(1, sizeof *b);
    if (!b) {
        return -SIM_ENOMEM;
    }
    b->cfg = *cfg;
    b->r_cell_ohm = cfg->r_internal_mohm / 1000.0 / cfg->cells_series;
    b->ocv_hint = 1;
    for (unsigned k = 0; k < cfg->cells_series; k++) {
        b->cell_offset[k] = cell_offset_of(cfg, k);
    }
    /* The top cell is the last one, the bottom cell the first (the offsets rise with k). A limit
     * voltage the curve never reaches leaves the bound at full or empty. */
    double cv_v = cfg->cell_cv_mv / 1000.0, dvl_v = cfg->cell_dvl_mv / 1000.0;
    b->soc_full =
        cv_v >= ocv_table[OCV_POINTS - 1].v
            ? 1.0
            : clamp(cell_soc_of_ocv(cv_v) - b->cell_offset[cfg->cells_series - 1], 0.0, 1.0);
    b->soc_empty =
        dvl_v <= ocv_table[0].v ? 0.0 : clamp(cell_soc_of_ocv(dvl_v) - b->cell_offset[0], 0.0, 1.0);
    (void)battery_set_soc(b, cfg->soc_initial);
    *out = b;
    return 0;
}

void battery_destroy(battery_t *b) {
    free(b);
}

/*
 * The cells lie within the spread around the SOC, mostly on one segment of the OCV curve. The
 * cell SOCs rise with k (the offsets do, and adding and clamping keep the order), so when the
 * first and the last cell share a segment every cell is on it: one loop without searches, whose
 * divisions the compiler runs two at a time, with the same operations per cell as
 * cell_ocv_from. Otherwise each cell's search starts where the previous one ended. The sum is
 * taken in cell order either way.
 */
static void refresh_ocv(battery_t *b) {
    unsigned n = b->cfg.cells_series;
    double cell_v[BATTERY_CELLS_MAX];
    double soc_first = clamp(b->soc + b->cell_offset[0], 0.0, 1.0);
    double soc_last = clamp(b->soc + b->cell_offset[n - 1], 0.0, 1.0);
    size_t i = segment_of(soc_first, b->ocv_hint);
    if (i == segment_of(soc_last, i) && soc_last <= ocv_table[i].soc) {
        double s0 = ocv_table[i - 1].soc, ds = ocv_table[i].soc - s0;
        double v0 = ocv_table[i - 1].v, dv = ocv_table[i].v - v0;
        for (unsigned k = 0; k < n; k++) {
            double soc = clamp(b->soc + b->cell_offset[k], 0.0, 1.0);
            cell_v[k] = v0 + dv * (soc - s0) / ds;
        }
        b->ocv_hint = i;
    } else {
        for (unsigned k = 0; k < n; k++) {
            cell_v[k] = cell_ocv_from(b->soc + b->cell_offset[k], &b->ocv_hint);
        }
    }
    double v = 0.0;
    for (unsigned k = 0; k < n; k++) {
        v += cell_v[k];
    }
    b->ocv_v = v;
    b->ocv_bottom_v = cell_v[0];
    b->ocv_top_v = cell_v[n - 1];
}

double battery_ocv_v(const battery_t *b) {
    return b->ocv_v;
}

/* OCV of the highest (last) and lowest (first) cell. */
static double ocv_top_v(const battery_t *b) {
    return b->ocv_top_v;
}

static double ocv_bottom_v(const battery_t *b) {
    return b->ocv_bottom_v;
}

double battery_max_charge_a(const battery_t *b) {
    if (b->charge_cut || b->soc >= 1.0) {
        return 0.0;
    }
    double headroom_v = b->cfg.cell_cv_mv / 1000.0 - ocv_top_v(b);
    return clamp(headroom_v / b->r_cell_ohm, 0.0, b->cfg.charge_a_max);
}

double battery_max_discharge_a(const battery_t *b) {
    if (b->discharge_cut || b->soc <= 0.0) {
        return 0.0;
    }
    double headroom_v = ocv_bottom_v(b) - b->cfg.cell_dvl_mv / 1000.0;
    return clamp(headroom_v / b->r_cell_ohm, 0.0, b->cfg.discharge_a_max);
}

static double r_pack_ohm(const battery_t *b) {
    return b->cfg.r_internal_mohm / 1000.0;
}

double battery_max_charge_w(const battery_t *b) {
    double i = battery_max_charge_a(b);
    return i * (battery_ocv_v(b) + i * r_pack_ohm(b));
}

double battery_max_discharge_w(const battery_t *b) {
    double i = battery_max_discharge_a(b);
    return i * (battery_ocv_v(b) - i * r_pack_ohm(b));
}

/* Current (A) that moves the SOC by dsoc (>= 0) in dt_s seconds. */
static double current_for_soc_a(const battery_t *b, double dsoc, double dt_s) {
    return dsoc * 3600.0 * b->cfg.capacity_ah / dt_s;
}

double battery_step_max_charge_a(const battery_t *b, double dt_s) {
    SIM_ASSERT(dt_s > 0.0);
    double i = battery_max_charge_a(b);
    double to_full = current_for_soc_a(b, b->soc_full > b->soc ? b->soc_full - b->soc : 0.0, dt_s);
    return i < to_full ? i : to_full;
}

double battery_step_max_discharge_a(const battery_t *b, double dt_s) {
    SIM_ASSERT(dt_s > 0.0);
    double i = battery_max_discharge_a(b);
    double to_empty =
        current_for_soc_a(b, b->soc > b->soc_empty ? b->soc - b->soc_empty : 0.0, dt_s);
    return i < to_empty ? i : to_empty;
}

double battery_step_max_charge_w(const battery_t *b, double dt_s) {
    double i = battery_step_max_charge_a(b, dt_s);
    return i * (battery_ocv_v(b) + i * r_pack_ohm(b));
}

double battery_step_max_discharge_w(const battery_t *b, double dt_s) {
    double i = battery_step_max_discharge_a(b, dt_s);
    return i * (battery_ocv_v(b) - i * r_pack_ohm(b));
}

double battery_current_for_power_a(const battery_t *b, double p_w) {
    double ocv = battery_ocv_v(b), r = r_pack_ohm(b);
    double disc = ocv * ocv + 4.0 * r * p_w;
    if (disc <= 0.0) {
        return -ocv / (2.0 * r);
    }
    /* 2p / (ocv + sqrt(disc)) is the root without cancellation when r * p is small. */
    return 2.0 * p_w / (ocv + sqrt(disc));
}

/* True when current_a (> 0) exceeds limit_a by more than rounding: an inverter that converts a
 * published limit from watts back to amperes lands within a few units in the last place of it,
 * which is not an over-current (1 part in 10^9, or 1 nA at a limit below 1 A). */
static bool beyond_limit(double current_a, double limit_a) {
    return current_a - limit_a > 1e-9 * (limit_a > 1.0 ? limit_a : 1.0);
}

/* Current allowed through the MOSFETs and the hard limits; sets the over-current bits. */
static double bms_gate(battery_t *b, double current_a) {
    b->oc_alarms = 0;
    if ((current_a > 0.0 && b->charge_cut) || (current_a < 0.0 && b->discharge_cut)) {
        return 0.0;
    }
    if (current_a > b->cfg.charge_a_max) {
        if (beyond_limit(current_a, b->cfg.charge_a_max)) {
            b->oc_alarms |= BATTERY_ALARM_OC_CHG;
        }
        return b->cfg.charge_a_max;
    }
    if (current_a < -b->cfg.discharge_a_max) {
        if (beyond_limit(-current_a, b->cfg.discharge_a_max)) {
            b->oc_alarms |= BATTERY_ALARM_OC_DSG;
        }
        return -b->cfg.discharge_a_max;
    }
    return current_a;
}

/* A full pack takes no more charge and an empty one gives none: the current is held to what
 * fills or empties it within the step, so no energy passes the terminals without moving the
 * SOC. */
static double capacity_gate(const battery_t *b, double current_a, double dt_s) {
    double fill_a = current_for_soc_a(b, 1.0 - b->soc, dt_s);
    double empty_a = current_for_soc_a(b, b->soc, dt_s);
    if (current_a > fill_a) {
        return fill_a;
    }
    if (current_a < -empty_a) {
        return -empty_a;
    }
    return current_a;
}

/* The MOSFET state machine on the cell terminal voltages of the step just taken. */
static void bms_protect(battery_t *b) {
    double vmax = b->v_cell_max_v, vmin = b->v_cell_min_v;
    if (vmax * 1000.0 >= b->cfg.cell_charge_cut_mv) {
        b->charge_cut = true;
    } else if (b->charge_cut && vmax * 1000.0 < b->cfg.cell_charge_release_mv) {
        b->charge_cut = false;
    }
    if (vmin * 1000.0 <= b->cfg.cell_discharge_cut_mv) {
        b->discharge_cut = true;
    } else if (b->discharge_cut && vmin * 1000.0 > b->cfg.cell_discharge_release_mv) {
        b->discharge_cut = false;
    }
}

double battery_step(battery_t *b, double current_a, double dt_s) {
    SIM_ASSERT(dt_s > 0.0);
    double i = capacity_gate(b, bms_gate(b, current_a), dt_s);
    double v = battery_ocv_v(b) + i * r_pack_ohm(b);
    double e_wh = v * i * dt_s / 3600.0;
    if (e_wh >= 0.0) {
        b->energy_in_wh += e_wh;
    } else {
        b->energy_out_wh -= e_wh;
    }
    /* The cell terminal voltages of this step are judged at the old SOC, with this current. */
    b->current_a = i;
    b->v_term_v = v;
    b->v_cell_max_v = ocv_top_v(b) + i * b->r_cell_ohm;
    b->v_cell_min_v = ocv_bottom_v(b) + i * b->r_cell_ohm;
    bms_protect(b);
    double soc = clamp(b->soc + i * dt_s / (3600.0 * b->cfg.capacity_ah), 0.0, 1.0);
    if (soc != b->soc) {
        b->soc = soc;
        refresh_ocv(b);
    }
    return i;
}

double battery_soc(const battery_t *b) {
    return b->soc;
}

int battery_set_soc(battery_t *b, double soc) {
    if (!(soc >= 0.0 && soc <= 1.0)) {
        return -SIM_EINVAL;
    }
    b->soc = soc;
    refresh_ocv(b);
    b->current_a = 0.0;
    b->v_term_v = battery_ocv_v(b);
    b->v_cell_max_v = ocv_top_v(b);
    b->v_cell_min_v = ocv_bottom_v(b);
    return 0;
}

double battery_current_a(const battery_t *b) {
    return b->current_a;
}

double battery_voltage_v(const battery_t *b) {
    return b->v_term_v;
}

double battery_cell_v_max(const battery_t *b) {
    return b->v_cell_max_v;
}

double battery_cell_v_min(const battery_t *b) {
    return b->v_cell_min_v;
}

double battery_capacity_ah(const battery_t *b) {
    return b->cfg.capacity_ah;
}

bool battery_charge_enabled(const battery_t *b) {
    return !b->charge_cut;
}

bool battery_discharge_enabled(const battery_t *b) {
    return !b->discharge_cut;
}

uint16_t battery_alarms(const battery_t *b) {
    uint16_t a = b->oc_alarms;
    if (b->charge_cut) {
        a |= BATTERY_ALARM_CELL_OV;
    }
    if (b->discharge_cut) {
        a |= BATTERY_ALARM_CELL_UV;
    }
    return a;
}

double battery_energy_in_wh(const battery_t *b) {
    return b->energy_in_wh;
}

double battery_energy_out_wh(const battery_t *b) {
    return b->energy_out_wh;
}
