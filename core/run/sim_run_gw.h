/*
 * sim_run_gw.h: the devices on the bus that run no firmware plugin.
 *
 *   gateway         the Orange Pi (models/gateway.h): time broadcast on 0x7FF from its own clock,
 *                   and the dispatch-table commands of the timeline. Its clock is a copy of the
 *                   scenario's calendar, so a clock jump moves what it broadcasts, not the sun.
 *   energy_gateway  an Energy-Gateway announcing on 0x300 + N as DeviceType 2 at power-on and
 *                   every announce period (spec §9.7): the packs must elect it.
 *   ext             the run layer's external sender, for frames and commands the timeline
 *                   injects without naming a gateway.
 */
#ifndef SIM_RUN_GW_H
#define SIM_RUN_GW_H

#include <stdbool.h>
#include <stdint.h>

#include "calendar.h"
#include "gateway.h"
#include "sim_can.h"
#include "sim_kernel.h"
#include "sim_scenario.h"

typedef struct sim_run_gw sim_run_gw_t;

/**
 * Builds a gateway or Energy-Gateway node (type GATEWAY or ENERGY_GATEWAY) on `bus`, powered off.
 * `cal` is the scenario's calendar (copied).
 */
int sim_run_gw_create(sim_kernel_t *k, sim_can_bus_t *bus, const sim_scn_node_t *sn,
                      const calendar_t *cal, sim_run_gw_t **out);
void sim_run_gw_destroy(sim_run_gw_t *g);

void sim_run_gw_power(sim_run_gw_t *g, bool on);
/** Whether the node is powered. */
bool sim_run_gw_powered(const sim_run_gw_t *g);
sim_can_ctrl_t *sim_run_gw_ctrl(sim_run_gw_t *g);
/** The Orange Pi model, or NULL for an Energy-Gateway. */
gateway_t *sim_run_gw_gateway(sim_run_gw_t *g);
/** Turns the time broadcast on or off (it resumes at the next power-on only if on). */
void sim_run_gw_time_broadcast(sim_run_gw_t *g, bool on);
/** Jumps the gateway's clock to local seconds `s` (or by `s` when relative) and broadcasts. */
void sim_run_gw_clock_set(sim_run_gw_t *g, int64_t s, bool relative);

#endif
