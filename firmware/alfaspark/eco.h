/*
 * eco.h: Eco load limiting with staged shedding and hysteretic restore (spec §7.2, D3).
 *
 * Consumption is P_home (ECO_CONSUMPTION = INVERTER_ONLY) or P_home + P_pool + P_heater
 * (INVERTER_PLUS_LOADS). Shed list: heater R4, then pool pump R3, then (ECO_SHED_INVERTER_LAST)
 * the inverter output R2. Per control tick, while Eco is on:
 *
 *   consumption > limit for FW_ECO_SHED_TICKS ticks  -> shed the next load, remember its power
 *                                                       (measured in this tick, before it opens);
 *                                                       the count restarts
 *   list exhausted and > limit for another 3 ticks    -> LOADS_LIMIT warning (returned, event 9)
 *   consumption < limit                               -> LOADS_LIMIT cleared
 *   consumption + remembered power of the last shed
 *     load <= 95 % of the limit for 15 ticks          -> restore that one load; count restarts
 *
 * Switching Eco off (fw_eco_reset) releases every shed load at once.
 */
#ifndef FW_ECO_H
#define FW_ECO_H

#include <stdbool.h>
#include <stdint.h>

#define FW_ECO_MAX_STAGES 3u

typedef struct {
    uint8_t shed_count;    /* loads currently shed, from the front of the shed list */
    uint8_t above_ticks;   /* consecutive ticks above the limit since the last shed */
    uint8_t restore_ticks; /* consecutive ticks the restore condition held */
    int32_t shed_power_w[FW_ECO_MAX_STAGES];
    bool loads_limit; /* the LOADS_LIMIT warning */
} fw_eco_t;

typedef struct {
    int32_t home_w, pool_w, heater_w;
} fw_eco_input_t;

/** Releases every load and clears the counters and the warning. */
void fw_eco_reset(fw_eco_t *e);

/** Number of stages in the shed list of this build (2, or 3 with ECO_SHED_INVERTER_LAST). */
unsigned fw_eco_stage_count(void);

/** House consumption as this build measures it. */
int32_t fw_eco_consumption_w(const fw_eco_input_t *in);

/** One control tick with Eco on. Returns true when LOADS_LIMIT was raised in this tick. */
bool fw_eco_step(fw_eco_t *e, uint16_t limit_w, const fw_eco_input_t *in);

/** Whether relay `relay` (fw_relay_t) is shed right now. */
bool fw_eco_relay_shed(const fw_eco_t *e, unsigned relay);

#endif
