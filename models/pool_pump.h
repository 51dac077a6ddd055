/*
 * pool_pump.h: the pool pump on relay R3, running on a daily timer.
 *
 * The pump's own timer switches it on inside its windows (minutes of the local day; a window
 * whose end is before its start runs over midnight). It draws its rated power while its timer
 * says run and its supply is present (R3 closed and the inverter output live); the firmware can
 * only cut that supply. A motor start is counted on each transition to running, so scenarios can
 * judge how often Eco shedding cycles the motor. Power factor is taken as 1 (the firmware's
 * P = I * 220 V and the true power then agree).
 */
#ifndef POOL_PUMP_H
#define POOL_PUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POOL_PUMP_WINDOWS_MAX 8

typedef struct {
    uint16_t start_min; /* 0..1439 */
    uint16_t end_min;   /* 0..1439; == start: never */
} pool_pump_window_t;

typedef struct {
    double power_w; /* rated; default 750 W */
    pool_pump_window_t windows[POOL_PUMP_WINDOWS_MAX];
    size_t n_windows; /* default: 10:00-16:00, when PV is plentiful */
} pool_pump_cfg_t;

typedef struct pool_pump pool_pump_t;

void pool_pump_cfg_default(pool_pump_cfg_t *cfg);
/** 0, -SIM_EINVAL (negative power, a minute >= 1440, too many windows), -SIM_ENOMEM */
int pool_pump_create(const pool_pump_cfg_t *cfg, pool_pump_t **out);
void pool_pump_destroy(pool_pump_t *p);

/** Whether the timer asks to run at a local minute of the day (0..1439). */
bool pool_pump_scheduled(const pool_pump_t *p, uint32_t minute_of_day);
/**
 * Updates the pump for this step and returns its power draw (W): rated power when scheduled and
 * supplied, else 0. Counts starts.
 */
double pool_pump_update(pool_pump_t *p, uint32_t minute_of_day, bool supplied);
bool pool_pump_running(const pool_pump_t *p);
uint64_t pool_pump_starts(const pool_pump_t *p);

#endif
