/*
 * scn_pack.h: the parts of a pack node and of the environment, private to the loader.
 *
 *   scn_pack.c      "plant": battery, inverter, grid, pv, relays, ct, step   scn_on_node_plant()
 *   scn_loads.c     plant "home", "pool", "heater"                           scn_on_plant_*()
 *   scn_bms.c       node "bms" and "nvs"                                     scn_on_node_bms() ...
 *   scn_profile.c   daily profiles (inline or CSV) and "HH:MM" times         scn_profile_value()
 *   scn_env.c       "environment"                                            scn_on_environment()
 */
#ifndef SCN_PACK_H
#define SCN_PACK_H

#include "scn_ctx.h"

/** Node-level handlers; target is the sim_scn_node_t. */
int scn_on_node_plant(scn_ctx_t *c, const cJSON *v, void *target);
int scn_on_node_bms(scn_ctx_t *c, const cJSON *v, void *target);
int scn_on_node_nvs(scn_ctx_t *c, const cJSON *v, void *target);

/** Plant sections; target is the pack_plant_cfg_t. */
int scn_on_plant_home(scn_ctx_t *c, const cJSON *v, void *target);
int scn_on_plant_pool(scn_ctx_t *c, const cJSON *v, void *target);
int scn_on_plant_heater(scn_ctx_t *c, const cJSON *v, void *target);

/** "environment"; target is the scenario. */
int scn_on_environment(scn_ctx_t *c, const cJSON *v, void *target);

/** "grid_outages"; target is the sim_scn_env_t. */
int scn_on_outages(scn_ctx_t *c, const cJSON *v, void *target);

/** Sets the environment's defaults (pack_plant's calendar, pv.h's place and sky). */
void scn_env_default(sim_scn_env_t *env);

/**
 * Allocates n->pack: plant defaults, then the environment (calendar, place, sky, outages, load
 * profile), the node's name in the plant and BMS, default BMS. 0 or a scn_fail_* code.
 */
int scn_pack_init(scn_ctx_t *c, sim_scn_node_t *n);

/** Applies a board to a pack: CT full-scale currents. */
void scn_pack_apply_board(sim_scn_pack_t *p, const sim_scn_board_t *b);

/**
 * A profile value: an array of [t_s, power_w] points or a CSV file name (relative to the
 * scenario). The points are stored in c->s->profiles (which owns them); *index is theirs.
 */
int scn_profile_value(scn_ctx_t *c, const cJSON *v, int *index);

/** "HH:MM" (00:00 to 23:59) into minutes of the day; fails at v. */
int scn_hhmm_value(scn_ctx_t *c, const cJSON *v, uint16_t *minutes);

/** A BMS fault name ("silent", ...) into a bms_fault_t. */
int scn_bms_fault_value(scn_ctx_t *c, const cJSON *v, int *fault);

/** 0..65535 as an integer or a hex string ("0x0100"). */
int scn_u16_value(scn_ctx_t *c, const cJSON *v, uint16_t *out);

#endif
