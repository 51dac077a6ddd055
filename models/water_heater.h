/*
 * water_heater.h: an electric storage water heater on relay R4, with its own thermostat.
 *
 * The tank is one well-mixed volume of water. Per step of dt seconds:
 *
 *   C dT/dt = P_element - UA (T - T_ambient) - m_dot c (T - T_inlet)
 *   C = tank_l * 4186 J/(kg K) * 1 kg/l,   m_dot = draw flow (l/s, 1 kg/l)
 *
 * Short steps (dt under 5 % of the time constant C / (UA + m_dot c)) use forward Euler; longer
 * ones the exact solution over the step, which approaches the step's equilibrium temperature
 * without passing it, so any step length keeps T between its start and that equilibrium.
 *
 * The thermostat closes when T falls below setpoint - hysteresis and opens at setpoint. The
 * element draws its rated power while the thermostat is closed and the supply is present (R4
 * closed, inverter output live); the firmware can cut the supply, not the thermostat. Hot water
 * is drawn in daily windows (minutes of the local day) at a flow in l/min. Power factor 1.
 */
#ifndef WATER_HEATER_H
#define WATER_HEATER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WATER_HEATER_DRAWS_MAX 8

typedef struct {
    uint16_t start_min, end_min; /* local minutes of the day, end > start */
    double flow_l_per_min;
} water_heater_draw_t;

typedef struct {
    double element_w;    /* default 2000 W */
    double tank_l;       /* default 100 l */
    double setpoint_c;   /* default 60 C */
    double hysteresis_c; /* default 6 C */
    double ambient_c;    /* default 25 C */
    double inlet_c;      /* cold water; default 22 C */
    double loss_w_per_k; /* standing loss UA; default 1.6 W/K */
    double initial_c;    /* default 55 C */
    water_heater_draw_t draws[WATER_HEATER_DRAWS_MAX];
    size_t n_draws; /* default: morning showers, a midday tap, evening showers */
} water_heater_cfg_t;

typedef struct water_heater water_heater_t;

void water_heater_cfg_default(water_heater_cfg_t *cfg);
/** 0, -SIM_EINVAL (non-positive tank, setpoint not above the inlet, bad window), -SIM_ENOMEM */
int water_heater_create(const water_heater_cfg_t *cfg, water_heater_t **out);
void water_heater_destroy(water_heater_t *w);

/** Element power the heater would draw now if supplied (W): rated power or 0. */
double water_heater_demand_w(const water_heater_t *w);
/**
 * Advances the tank by dt_s with element power `heat_w` actually delivered (0..element_w; less
 * than the demand when the supply was cut or only partly served) at local minute_of_day.
 */
void water_heater_step(water_heater_t *w, double heat_w, uint32_t minute_of_day, double dt_s);
double water_heater_temp_c(const water_heater_t *w);
bool water_heater_thermostat(const water_heater_t *w);
/** Hot water drawn so far, litres. */
double water_heater_drawn_l(const water_heater_t *w);

#endif
