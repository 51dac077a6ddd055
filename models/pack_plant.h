/*
 * pack_plant.h: one Energy-Pack's physical world and the physics-step driver that advances it.
 *
 * A plant owns the models of one pack: battery (with BMS protection), hybrid inverter, grid and
 * meter, the four relays R1..R4, the home base load, pool pump, water heater, PV array, and the
 * four CT channels. It re-schedules itself every step_ns (default 100 ms) at SIM_PRIO_PHYSICS,
 * so physics settles before any firmware callback at the same instant, and advances the models
 * in this fixed order:
 *
 *   1. read the relay contacts and grid availability (state at the start of the step)
 *   2. PV available power (cloud chain advanced to now)
 *   3. load demands: base load; pool pump and heater only behind closed R2 + R3/R4
 *   4. inverter dispatch with the battery's BMS limits for a step (battery_step_max_*_w)
 *   5. battery step with the dispatched DC power (exact current for that power)
 *   6. grid meter += grid import; water heater tank with the heat actually delivered
 *   7. CT channels: RMS current of each circuit from now on
 *        CT1 grid = import / V_grid,   CT2 home = AC output / V_ac,
 *        CT3 pool, CT4 heater = their delivered power / V_ac
 *      (V_ac is the grid voltage while R1 connects a live grid, else ac_nominal_v)
 *   8. totals, then on_step (the run layer's trace hook), then the next step is scheduled
 *
 * The flows of a step hold until the next step: a relay that moves in between takes effect at
 * the next step (at most step_ns later). When the inverter cannot serve the whole demand (no
 * grid, battery cut), every load gets the same served fraction of its demand.
 *
 * The firmware side is wired by the run layer: relay coils through relay_drive() on
 * pack_plant_relay(), ADC bursts through ct_sensor_fill_burst() on pack_plant_ct(), the BMS
 * slave (bms_modbus) on pack_plant_battery(). The plant knows nothing of nodes or plugins.
 */
#ifndef PACK_PLANT_H
#define PACK_PLANT_H

#include <stdbool.h>
#include <stdint.h>

#include "battery.h"
#include "calendar.h"
#include "ct_sensor.h"
#include "grid.h"
#include "home_load.h"
#include "inverter.h"
#include "pool_pump.h"
#include "pv.h"
#include "relay.h"
#include "sim_kernel.h"
#include "water_heater.h"

/* Relay and CT indices: the hal.h order (R1..R4, CT1..CT4). */
enum { PACK_R1_GRID = 0, PACK_R2_INVERTER, PACK_R3_POOL, PACK_R4_HEATER, PACK_RELAYS };
enum { PACK_CT_GRID = 0, PACK_CT_HOME, PACK_CT_POOL, PACK_CT_HEATER, PACK_CTS };

typedef struct pack_plant pack_plant_t;

typedef struct {
    const char *name;      /* stream names "pv.<name>", "ct.<name>.<k>"; copied (< 48 chars) */
    sim_time_ns_t step_ns; /* physics step; default 100 ms */
    double ac_nominal_v;   /* inverter output voltage off-grid; default 220 V */
    calendar_t calendar;   /* local date and time at t = 0 (default 2024-06-21 00:00, UTC+1) */
    battery_cfg_t battery;
    inverter_cfg_t inverter;
    grid_cfg_t grid;
    home_load_cfg_t home;
    pool_pump_cfg_t pool;
    water_heater_cfg_t heater;
    pv_cfg_t pv;                     /* .calendar is replaced by the plant's own */
    relay_cfg_t relays[PACK_RELAYS]; /* default: 10 ms / 5 ms; R1, R2 as 30 ms / 20 ms contactors */
    ct_sensor_cfg_t ct[PACK_CTS];
    /** Called after every step (trace sampling); may be NULL. */
    void (*on_step)(void *ctx, const pack_plant_t *p, sim_time_ns_t t_ns);
    void *on_step_ctx;
} pack_plant_cfg_t;

/** Integer snapshot for traces and assertions (state after the last step). */
typedef struct {
    sim_time_ns_t t_ns; /* start of the last step */
    int32_t soc_permille;
    int32_t v_pack_mv;
    int32_t i_batt_ma;            /* + charging */
    int32_t p_pv_w;               /* PV used */
    int32_t p_home_w;             /* AC output to the home (served) */
    int32_t p_grid_w;             /* grid import */
    int32_t p_batt_w;             /* DC into the battery, + charging */
    int32_t p_pool_w, p_heater_w; /* delivered */
    int32_t p_unserved_w, p_curtailed_w, p_loss_w;
    int32_t heater_temp_mc; /* milli-degrees C */
    uint8_t relay_mask;     /* bit k: relay k connected */
    bool grid_up;
    int64_t grid_import_mj; /* the true meter */
} pack_plant_snapshot_t;

/** Energy totals since creation, Wh, and the worst per-step balance residual seen. */
typedef struct {
    double pv_used_wh, pv_curtailed_wh;
    double home_served_wh, home_unserved_wh;
    double grid_import_wh;          /* the meter */
    double batt_in_wh, batt_out_wh; /* at the battery terminals (the battery's own count) */
    double loss_wh;
    double max_step_residual_w; /* largest |energy residual| of any step */
    uint64_t steps;
} pack_plant_totals_t;

void pack_plant_cfg_default(pack_plant_cfg_t *cfg);

/**
 * Builds every model of the pack from `cfg` (copied). Does not start stepping.
 * @retval 0, -SIM_EINVAL (step_ns <= 0, ac_nominal_v <= 0, or a model's own check), -SIM_ENOMEM
 */
int pack_plant_create(sim_kernel_t *k, const pack_plant_cfg_t *cfg, pack_plant_t **out);
/** Stops stepping and frees every model. */
void pack_plant_destroy(pack_plant_t *p);

/** Runs a first step now and every step_ns after. -SIM_EBUSY when already running. */
int pack_plant_start(pack_plant_t *p);
void pack_plant_stop(pack_plant_t *p);

/* ---- the models, for the run layer and scenarios (owned by the plant) -------------------- */

battery_t *pack_plant_battery(pack_plant_t *p);
inverter_t *pack_plant_inverter(pack_plant_t *p);
grid_t *pack_plant_grid(pack_plant_t *p);
relay_t *pack_plant_relay(pack_plant_t *p, unsigned idx);
ct_sensor_t *pack_plant_ct(pack_plant_t *p, unsigned idx);
pv_t *pack_plant_pv(pack_plant_t *p);
water_heater_t *pack_plant_heater(pack_plant_t *p);
pool_pump_t *pack_plant_pool(pack_plant_t *p);
home_load_t *pack_plant_home(pack_plant_t *p);
const calendar_t *pack_plant_calendar(const pack_plant_t *p);

/* ---- device face helper ------------------------------------------------------------------ */

/**
 * Fills one ADC burst in the HAL's layout (hal.h fw_on_adc_burst): channel-major, n_per_channel
 * counts for each CT whose bit is set in channel_mask (bit k = CT k+1), ascending; sample i of
 * every channel at t_start_ns + i * 10^9 / sample_rate_hz.
 */
void pack_plant_fill_adc(pack_plant_t *p, uint32_t sample_rate_hz, uint16_t n_per_channel,
                         uint8_t channel_mask, sim_time_ns_t t_start_ns, uint16_t *samples);

/* ---- backend face: results --------------------------------------------------------------- */

void pack_plant_snapshot(const pack_plant_t *p, pack_plant_snapshot_t *out);

/** The snapshot's relay_mask and grid_up alone: what an observer needs after every step, without
 *  the rest of the snapshot's work. */
uint8_t pack_plant_relay_mask(const pack_plant_t *p);
bool pack_plant_grid_up(const pack_plant_t *p);
void pack_plant_totals(const pack_plant_t *p, pack_plant_totals_t *out);
/** Flows of the last step (W). */
const inverter_flows_t *pack_plant_flows(const pack_plant_t *p);

#endif
